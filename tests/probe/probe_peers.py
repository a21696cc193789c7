#!/usr/bin/python3
"""probe_peers.py - the loopback servers credssp-probe is tested against, besides samples/peers/credssp_server.py.

    probe_peers.py MODE --port PORT [--bind ADDR] --ready-file FILE [--cert C --key K] [--record FILE]

MODE:
  recorder          a CredSSP server that records what the client sends: the X.224 Connection Request and
                    every plaintext byte after TLS until the client leaves, answering the first TSRequest
                    with a real NTLM CHALLENGE (samples/peers, impacket); writes --record as JSON
  tls-only          selects SSL (TLS without CredSSP), completes the TLS handshake, waits for the close
  neg-failure       answers RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER (a server that allows only RDP security)
  close-after-x224  selects HYBRID, then closes without TLS
  silent            accepts the connection, reads, never answers
  http              a web server: answers whatever comes with an HTTP 400 and closes
  tls-garbage       selects HYBRID, then answers the ClientHello with bytes that are not TLS
  bad-reply         selects HYBRID, answers the NEGOTIATE with a DER SEQUENCE that is not a TSRequest
  old-server        an unpatched Windows Server 2008 R2 as it was: TLS 1.0 only, CredSSP 2, NTLM 6.1.7601
Serves one connection (--connections N for more) and exits.
"""

import argparse
import json
import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples", "peers"))
import rdp_wire  # noqa: E402
from tls_channel import TlsChannel, make_context  # noqa: E402

SSL_NOT_ALLOWED_BY_SERVER = 2


def record(conn, args, context, version=6, build="10.0.17763"):
    """Answers like a CredSSP server of this version and records everything the client sends, in clear, and
    how it left (when --record is given)."""
    from ntlm_session import NtlmServer
    log = {"x224": "", "plaintext": "", "ended_by": None}
    header = rdp_wire.recv_exact(conn, 4)
    body = rdp_wire.recv_exact(conn, int.from_bytes(header[2:4], "big") - 4)
    log["x224"] = (header + body).hex()
    conn.sendall(rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsChannel(conn, context, server_side=True)
    tls.handshake()
    received = b""
    answered = False
    try:
        while True:
            received += tls.recv_any()
            total = rdp_wire.der_total_length(received)
            if not answered and total and len(received) >= total:
                first = rdp_wire.decode_tsrequest(received[:total])
                ntlm = NtlmServer("nobody", "unused", "LAB", "RDSRV", build)
                tls.send(rdp_wire.encode_tsrequest(version, nego_tokens=[ntlm.challenge(first["nego_tokens"][0])]))
                answered = True
    except EOFError as end:
        log["ended_by"] = str(end)
    log["plaintext"] = received.hex()
    if args.record:
        with open(args.record, "w") as out:
            json.dump(log, out)


def serve(conn, args, context):
    if args.mode == "recorder":
        record(conn, args, context)
        return
    if args.mode == "old-server":
        record(conn, args, context, version=2, build="6.1.7601")
        return
    if args.mode == "silent":
        conn.settimeout(60)
        while conn.recv(4096):
            pass
        return
    if args.mode == "http":
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return
    rdp_wire.read_tpkt(conn)
    if args.mode == "neg-failure":
        conn.sendall(rdp_wire.connection_confirm_failure(SSL_NOT_ALLOWED_BY_SERVER))
    elif args.mode == "close-after-x224":
        conn.sendall(rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID))
    elif args.mode == "tls-garbage":
        conn.sendall(rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID))
        conn.recv(4096)
        conn.sendall(b"\x16\x03\x03\x00\x02\x99\x99" + b"this is not TLS\r\n")
        conn.settimeout(10)
        while conn.recv(4096):
            pass
    elif args.mode == "bad-reply":
        conn.sendall(rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID))
        tls = TlsChannel(conn, context, server_side=True)
        tls.handshake()
        tls.recv_der()
        tls.send(bytes.fromhex("3003020106"))  # SEQUENCE { INTEGER 6 }: no [0] version field
        try:
            tls.recv_any()
        except EOFError:
            pass
    elif args.mode == "tls-only":
        conn.sendall(rdp_wire.connection_confirm(rdp_wire.PROTOCOL_SSL))
        tls = TlsChannel(conn, context, server_side=True)
        tls.handshake()
        try:
            tls.recv_any()
        except EOFError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("recorder", "tls-only", "neg-failure", "close-after-x224", "silent",
                                         "http", "tls-garbage", "bad-reply", "old-server"))
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--record")
    args = parser.parse_args()
    context = make_context(True, cert=args.cert, key=args.key) if args.cert else None
    if args.mode == "old-server":  # TLS 1.0, which OpenSSL 3 allows only at security level 0
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, args.port))
    listener.listen(8)
    open(args.ready_file, "w").close()
    for _ in range(args.connections):
        conn, _ = listener.accept()
        try:
            with conn:
                serve(conn, args, context)
        except (EOFError, OSError, ssl.SSLError, rdp_wire.ProtocolError) as error:
            print("probe_peers %s: %s" % (args.mode, error), file=sys.stderr, flush=True)
    listener.close()


if __name__ == "__main__":
    main()
