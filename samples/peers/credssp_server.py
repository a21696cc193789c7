#!/usr/bin/python3
"""credssp_server.py - a scripted RDP server for the CredSSP cells no open-source server reproduces.

It speaks real TPKT/X.224, real TLS (Python's ssl, NSS key log) and DER
TSRequests carrying real NTLMv2 messages, and plays either
  - an unpatched Windows server: --credssp-version 2, 3 or 4 (answers with its
    own version, binds with the SubjectPublicKey echo), or
  - a patched one: --credssp-version 6, optionally with the
    "Force Updated Clients" policy (--force-updated-clients): a client that
    offers version 2-4 gets a TSRequest with errorCode STATUS_NOT_SUPPORTED
    and the connection is closed.
It selects HYBRID_EX or HYBRID, refuses a client that offers neither with
RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER, answers a wrong password with
errorCode STATUS_LOGON_FAILURE when the negotiated version has errorCode
(3, 4, 6), and sends the Early User Authorization Result after HYBRID_EX.
It serves --connections connections (in parallel) and exits.
"""

import argparse
import socket
import sys
import threading

import credssp_binding
import rdp_wire
from ntlm_session import WINDOWS_BUILDS, NtlmServer
from tls_channel import TlsChannel, make_context

AUTHZ_SUCCESS = b"\0\0\0\0"
VERSIONS_WITH_ERROR_CODE = (3, 4, 6)


def log(peer, text):
    print("credssp_server %s: %s" % (peer, text), file=sys.stderr, flush=True)


def negotiate_protocol(sock):
    """Reads the Connection Request and answers it; returns the selected protocol or None after a failure."""
    request = rdp_wire.read_tpkt(sock)
    negotiation = rdp_wire.parse_negotiation(request, rdp_wire.X224_CONNECTION_REQUEST)
    requested = negotiation[2] if negotiation else rdp_wire.PROTOCOL_RDP
    for protocol in (rdp_wire.PROTOCOL_HYBRID_EX, rdp_wire.PROTOCOL_HYBRID):
        if requested & protocol:
            sock.sendall(rdp_wire.connection_confirm(protocol))
            return protocol
    sock.sendall(rdp_wire.connection_confirm_failure(rdp_wire.HYBRID_REQUIRED_BY_SERVER))
    return None


def leave(tls):
    try:
        tls.close_notify()
    except OSError:
        pass


def serve_credssp(tls, args, selected, peer):
    own = args.credssp_version
    first = rdp_wire.decode_tsrequest(tls.recv_der())
    client_version = first["version"]
    effective = min(own, client_version)
    if args.force_updated_clients and client_version <= 4:
        tls.send(rdp_wire.encode_tsrequest(own, error_code=rdp_wire.STATUS_NOT_SUPPORTED))
        log(peer, "client CredSSP %d refused (Force Updated Clients): STATUS_NOT_SUPPORTED" % client_version)
        return
    ntlm = NtlmServer(args.user, args.password, args.domain, args.computer, args.build)
    tls.send(rdp_wire.encode_tsrequest(own, nego_tokens=[ntlm.challenge(first["nego_tokens"][0])]))

    try:
        third = rdp_wire.decode_tsrequest(tls.recv_der())
    except EOFError:
        log(peer, "client left after the CHALLENGE (server CredSSP %d, client %d)" % (own, client_version))
        return
    user, sealing = ntlm.authenticate(third["nego_tokens"][0])
    if sealing is None:
        if effective in VERSIONS_WITH_ERROR_CODE:
            tls.send(rdp_wire.encode_tsrequest(own, error_code=rdp_wire.STATUS_LOGON_FAILURE))
        log(peer, "logon failure for %r" % user)
        return
    public_key = credssp_binding.subject_public_key(credssp_binding.certificate_file_der(args.cert))
    nonce = third["client_nonce"] or b""
    if sealing.unseal(third["pub_key_auth"]) != credssp_binding.client_binding(effective, public_key, nonce):
        raise rdp_wire.ProtocolError("client pubKeyAuth does not match the server key")
    answer = sealing.seal(credssp_binding.server_binding(effective, public_key, nonce))
    tls.send(rdp_wire.encode_tsrequest(own, pub_key_auth=answer))

    credentials = rdp_wire.decode_tsrequest(tls.recv_der())
    sealing.unseal(credentials["auth_info"])  # proves the client's key; the password itself is not used
    if selected == rdp_wire.PROTOCOL_HYBRID_EX:
        tls.send(AUTHZ_SUCCESS)
    log(peer, "CredSSP complete for %r (server %d, client %d)" % (user, own, client_version))
    # A real server goes on with MCS; this one stops at the client's next message (or its close).
    try:
        tls.recv_any()
    except (EOFError, OSError):
        pass


def serve(conn, peer, args, context):
    try:
        with conn:
            selected = negotiate_protocol(conn)
            if selected is None:
                log(peer, "RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER")
                conn.shutdown(socket.SHUT_WR)
                conn.recv(1)
                return
            tls = TlsChannel(conn, context, server_side=True)
            tls.handshake()
            try:
                serve_credssp(tls, args, selected, peer)
            finally:
                leave(tls)
    except (EOFError, OSError, rdp_wire.ProtocolError, ValueError) as error:
        log(peer, "connection ended: %s" % error)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3389)
    parser.add_argument("--connections", type=int, default=1, help="serve this many connections, then exit")
    parser.add_argument("--ready-file", help="created once the server listens")
    parser.add_argument("--credssp-version", type=int, choices=(2, 3, 4, 5, 6), required=True)
    parser.add_argument("--force-updated-clients", action="store_true",
                        help="policy AllowEncryptionOracle=0: refuse clients that offer CredSSP 2-4")
    parser.add_argument("--build", choices=sorted(WINDOWS_BUILDS), required=True, help="NTLM VERSION to announce")
    parser.add_argument("--computer", default="RDSRV")
    parser.add_argument("--domain", default="LAB", help="NetBIOS domain announced in the CHALLENGE")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--keylog")
    parser.add_argument("--max-tls", choices=("1.2", "1.3"))
    parser.add_argument("--ciphers", help="OpenSSL cipher list for TLS 1.2")
    args = parser.parse_args()

    context = make_context(True, args.keylog, args.max_tls, args.ciphers, args.cert, args.key)
    family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, args.port))
    listener.listen(8)
    if args.ready_file:
        open(args.ready_file, "w").close()
    workers = []
    for _ in range(args.connections):
        conn, address = listener.accept()
        worker = threading.Thread(target=serve, args=(conn, "%s:%d" % address[:2], args, context))
        worker.start()
        workers.append(worker)
    listener.close()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
