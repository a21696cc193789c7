#!/usr/bin/python3
"""rd_gateway.py - a scripted RD Gateway ([MS-TSGU] HTTP transport) in front of a local RDP server.

Real TLS (Python's ssl, NSS key log), the HTTP logon of a Windows gateway (401 with WWW-Authenticate:
Negotiate and NTLM; a client's NTLM NEGOTIATE, raw or under either scheme, gets the CHALLENGE in a 401,
its AUTHENTICATE is checked with real NTLMv2 against one account), then either transport:
  - WebSocket: the authenticated request (GET or RDG_OUT_DATA) with Upgrade: websocket gets 101 and the
    tunnel packets travel in WebSocket frames (--no-websocket answers 200 instead, the way a gateway
    without WebSocket does: the client falls back to the legacy transport);
  - legacy: the authenticated RDG_OUT_DATA gets 200 and a chunked body that opens with a 10-byte seed and
    carries the gateway's packets; the client's packets come in the chunked body of RDG_IN_DATA on a
    second connection with the same RDG-Connection-Id.
The tunnel: HANDSHAKE, TUNNEL_CREATE, TUNNEL_AUTH, CHANNEL_CREATE (the target asked for is logged and its
port ignored: every channel goes to 127.0.0.1:--rdp-port), then DATA both ways until CLOSE_CHANNEL or
either side closes. --refuse channel answers CHANNEL_CREATE with E_PROXY_RAP_ACCESSDENIED (a resource
authorization policy that does not allow the target). It serves --tunnels tunnels, then exits.
"""

import argparse
import select
import socket
import sys
import threading

import tsgu_wire as tw
from ntlm_session import NtlmServer
from tls_channel import make_context

NTLM_SIGNATURE = b"NTLMSSP\0"


def log(text):
    print("rd_gateway: %s" % text, file=sys.stderr, flush=True)


class Gateway:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.out_channels = {}     # RDG-Connection-Id -> (TLS socket, its write lock), legacy OUT channels
        self.out_ready = threading.Condition(self.lock)
        self.tunnels_done = threading.Semaphore(0)

    # ---- HTTP ----

    def send_head(self, tls, status, reason, fields=()):
        tls.sendall(tw.http_head("HTTP/1.1 %d %s" % (status, reason), list(fields)))

    def logon(self, tls, stream):
        """Reads requests until one is authenticated: (method, fields), or None when the client is refused."""
        ntlm = None
        challenged = ("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")
        while True:
            (method, path, _), fields = stream.read_head()
            if not tw.field(fields, "Transfer-Encoding"):
                stream.read_exact(tw.content_length(fields))
            if method not in ("GET", "RDG_OUT_DATA", "RDG_IN_DATA") or path.lower() != tw.GATEWAY_PATH.lower():
                self.send_head(tls, 404, "Not Found", [("Content-Length", "0")])
                return None
            scheme, token = tw.auth_token(tw.field(fields, "Authorization"))
            if not token.startswith(NTLM_SIGNATURE):
                self.send_head(tls, 401, "Unauthorized", challenged + (("Content-Length", "0"),))
                continue
            if token[8:9] == b"\x01":  # NEGOTIATE
                ntlm = NtlmServer(self.args.user, self.args.password, "LAB", "RDGW", "10.0.17763")
                challenge = tw.auth_value(scheme, ntlm.challenge(token))
                self.send_head(tls, 401, "Unauthorized", [("WWW-Authenticate", challenge), ("Content-Length", "0")])
                continue
            user, sealing = ntlm.authenticate(token) if ntlm else (None, None)
            if sealing is None:
                log("%s: HTTP logon failed for %r" % (method, user))
                self.send_head(tls, 401, "Unauthorized",
                               challenged + (("Content-Length", "0"), ("Connection", "close")))
                return None
            log("%s: %r logged on (%s)" % (method, user, scheme))
            return method, fields

    # ---- connections ----

    def serve_connection(self, conn, context):
        tls = None
        try:
            tls = context.wrap_socket(conn, server_side=True)
            stream = tw.Stream(tls)
            request = self.logon(tls, stream)
            if request is None:
                self.tunnels_done.release()
                return
            method, fields = request
            connection_id = tw.field(fields, "RDG-Connection-Id")
            upgrade = (tw.field(fields, "Upgrade") or "").lower() == "websocket"
            if upgrade and not self.args.no_websocket:
                key = tw.field(fields, "Sec-WebSocket-Key") or ""
                self.send_head(tls, 101, "Switching Protocols", [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                                 ("Sec-WebSocket-Accept", tw.websocket_accept(key))])
                lock = threading.Lock()

                def send(data):
                    with lock:
                        tls.sendall(tw.ws_frame(data, masked=False))
                self.run_tunnel(lambda: tw.ws_read(stream), send)
            elif method == "RDG_OUT_DATA":
                self.open_out_channel(tls, connection_id)
            elif method == "RDG_IN_DATA":
                self.serve_in_channel(tls, stream, connection_id)
            else:
                self.send_head(tls, 400, "Bad Request", [("Content-Length", "0")])
                self.tunnels_done.release()
        except (EOFError, OSError, tw.WireError, ValueError) as error:
            log("connection ended: %s" % error)
        finally:
            if tls is not None:
                tls.close()
            else:
                conn.close()

    def open_out_channel(self, tls, connection_id):
        """Legacy OUT channel: 200 and a chunked body; the IN channel's tunnel writes into it, this thread waits."""
        self.send_head(tls, 200, "OK", [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")])
        tls.sendall(tw.chunk(b"\x00" * tw.LEGACY_SEED_LEN))
        finished = threading.Event()
        with self.lock:
            self.out_channels[connection_id] = (tls, threading.Lock(), finished)
            self.out_ready.notify_all()
        finished.wait(60)

    def serve_in_channel(self, tls, stream, connection_id):
        """Legacy IN channel: 200 to the logon, then the chunked RDG_IN_DATA body carries the client's packets."""
        self.send_head(tls, 200, "OK", [("Content-Length", "0")])
        (method, _, _), fields = stream.read_head()
        if method != "RDG_IN_DATA":
            raise tw.WireError("expected the RDG_IN_DATA body request, got %s" % method)
        with self.lock:
            if not self.out_ready.wait_for(lambda: connection_id in self.out_channels, 10):
                raise tw.WireError("no OUT channel %s" % connection_id)
            out_tls, out_lock, finished = self.out_channels.pop(connection_id)

        def send(data):
            with out_lock:
                out_tls.sendall(tw.chunk(data))
        chunked = (tw.field(fields, "Transfer-Encoding") or "").lower() == "chunked"
        try:
            self.run_tunnel(lambda: tw.chunk_read(stream) if chunked else stream.read_some(), send)
        finally:
            finished.set()

    # ---- the tunnel ----

    def run_tunnel(self, receive, send):
        """The MS-TSGU exchange: receive() gives the client's next bytes, send(packet) answers."""
        cutter = tw.PacketCutter()
        backend = None
        pump = None
        try:
            while True:
                try:
                    packets = cutter.feed(receive())
                except EOFError:
                    break
                for ptype, body in packets:
                    if ptype == tw.HANDSHAKE_REQUEST:
                        send(tw.handshake_response())
                    elif ptype == tw.TUNNEL_CREATE:
                        send(tw.tunnel_response())
                    elif ptype == tw.TUNNEL_AUTH:
                        send(tw.tunnel_auth_response())
                    elif ptype == tw.CHANNEL_CREATE:
                        target, port = tw.channel_target(body)
                        if self.args.refuse == "channel":
                            log("channel to %s:%d refused: E_PROXY_RAP_ACCESSDENIED" % (target, port))
                            send(tw.channel_response(tw.E_PROXY_RAP_ACCESSDENIED))
                            continue
                        log("channel to %s:%d -> 127.0.0.1:%d" % (target, port, self.args.rdp_port))
                        backend = socket.create_connection(("127.0.0.1", self.args.rdp_port))
                        send(tw.channel_response(0))
                        pump = threading.Thread(target=self.pump_backend, args=(backend, send), daemon=True)
                        pump.start()
                    elif ptype == tw.DATA and backend is not None:
                        backend.sendall(tw.data_payload(body))
                    elif ptype == tw.CLOSE_CHANNEL:
                        send(tw.close_channel_response())
                        raise EOFError("CLOSE_CHANNEL")
        except EOFError as end:
            log("tunnel ends: %s" % end)
        finally:
            if backend is not None:
                try:
                    backend.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                if pump:
                    pump.join(5)
                backend.close()
            self.tunnels_done.release()

    @staticmethod
    def pump_backend(backend, send):
        """The RDP server's bytes, as DATA packets, until it closes."""
        try:
            while select.select([backend], [], [], 30)[0]:
                payload = backend.recv(16384)
                if not payload:
                    break
                send(tw.data(payload))
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--rdp-port", type=int, default=3389, help="the RDP server on 127.0.0.1 every channel goes to")
    parser.add_argument("--tunnels", type=int, default=1, help="serve this many tunnels (or refused logons), then exit")
    parser.add_argument("--refuse", choices=("none", "channel"), default="none")
    parser.add_argument("--no-websocket", action="store_true", help="answer an upgrade with 200: the legacy transport")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--keylog")
    parser.add_argument("--ready-file", help="created once the gateway listens")
    args = parser.parse_args()

    context = make_context(True, args.keylog, cert=args.cert, key=args.key)
    gateway = Gateway(args)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(8)
    listener.settimeout(0.2)
    if args.ready_file:
        open(args.ready_file, "w").close()
    done = 0
    while done < args.tunnels:
        try:
            conn, _ = listener.accept()
            conn.settimeout(60)
            threading.Thread(target=gateway.serve_connection, args=(conn, context), daemon=True).start()
        except socket.timeout:
            pass
        while gateway.tunnels_done.acquire(blocking=False):
            done += 1
    listener.close()


if __name__ == "__main__":
    main()
