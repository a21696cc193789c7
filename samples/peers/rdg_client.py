"""rdg_client.py - the client side of an RD Gateway tunnel for the scripted RDP client (credssp_client.py).

It logs on to the gateway the way mstsc does (NTLM under the Negotiate scheme by default: the request,
401 with the CHALLENGE, the request again with the AUTHENTICATE), opens the tunnel over WebSocket (GET
/remoteDesktopGateway/ with Upgrade: websocket, masked frames) or the legacy transport (RDG_OUT_DATA
answered with a chunked body that opens with a seed, and RDG_IN_DATA on a second connection whose chunked
body carries the client's packets), walks HANDSHAKE, TUNNEL_CREATE, TUNNEL_AUTH and CHANNEL_CREATE for the
target, and then hands the caller one end of a socket pair: what the caller writes travels as DATA packets,
what the target sends comes out of it. Both TLS sessions to the gateway write the NSS key log given.
"""

import select
import socket
import sys
import threading
import uuid

import tsgu_wire as tw
from ntlm_session import NtlmClient
from tls_channel import make_context


class TunnelRefused(Exception):
    """The gateway refused the logon or a step of the tunnel."""


def log(text):
    print("rdg_client: %s" % text, file=sys.stderr, flush=True)


def _connect(host, port, context):
    tls = context.wrap_socket(socket.create_connection((host, port)), server_hostname=None)
    return tls, tw.Stream(tls)


def _request(tls, method, host, connection_id, fields):
    start = "%s %s HTTP/1.1" % (method, tw.GATEWAY_PATH)
    tls.sendall(tw.http_head(start, [("Cache-Control", "no-cache"), ("Pragma", "no-cache"), ("Accept", "*/*"),
                                     ("User-Agent", "MS-RDGateway/1.0"), ("Host", host),
                                     ("RDG-Connection-Id", connection_id)] + fields))


def _logon(tls, stream, method, host, connection_id, fields, account, scheme):
    """The request with the NTLM logon; returns the gateway's last status and fields."""
    ntlm = NtlmClient(account[0], account[1], "", "10.0.17763")
    _request(tls, method, host, connection_id, fields + [("Authorization", tw.auth_value(scheme, ntlm.negotiate()))])
    (_, status, _), answer = stream.read_head()
    stream.read_exact(tw.content_length(answer))
    challenge = next((tw.auth_token(v)[1] for v in answer.get("www-authenticate", []) if " " in v), b"")
    if status != "401" or not challenge:
        raise TunnelRefused("%s: HTTP %s without an NTLM challenge" % (method, status))
    authenticate, _ = ntlm.authenticate(challenge)
    _request(tls, method, host, connection_id, fields + [("Authorization", tw.auth_value(scheme, authenticate))])
    (_, status, _), answer = stream.read_head()
    return int(status), answer


class Tunnel:
    """One tunnel: receive() gives the gateway's next bytes, send() writes the client's."""

    def __init__(self, host, port, transport, account, keylog, scheme):
        context = make_context(False, keylog)
        self.legacy_end = None
        connection_id = "{%s}" % uuid.uuid4()
        self.sockets = []
        if transport == "websocket":
            tls, stream = _connect(host, port, context)
            self.sockets.append(tls)
            key = tw.websocket_key()
            status, _ = _logon(tls, stream, "GET", host, connection_id,
                               [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                                ("Sec-WebSocket-Key", key), ("Content-Length", "0")], account, scheme)
            if status != 101:
                raise TunnelRefused("WebSocket upgrade answered with HTTP %d" % status)
            self.receive = lambda: tw.ws_read(stream)
            self.send = lambda data: tls.sendall(tw.ws_frame(data, masked=True))
            self.readable = stream
        else:
            out_tls, out_stream = _connect(host, port, context)
            self.sockets.append(out_tls)
            status, _ = _logon(out_tls, out_stream, "RDG_OUT_DATA", host, connection_id,
                               [("Content-Length", "0")], account, scheme)
            if status != 200:
                raise TunnelRefused("RDG_OUT_DATA answered with HTTP %d" % status)
            seed = b""
            while len(seed) < tw.LEGACY_SEED_LEN:
                seed += tw.chunk_read(out_stream)
            in_tls, in_stream = _connect(host, port, context)
            self.sockets.append(in_tls)
            status, answer = _logon(in_tls, in_stream, "RDG_IN_DATA", host, connection_id,
                                    [("Content-Length", "0")], account, scheme)
            if status != 200:
                raise TunnelRefused("RDG_IN_DATA answered with HTTP %d" % status)
            in_stream.read_exact(tw.content_length(answer))
            _request(in_tls, "RDG_IN_DATA", host, connection_id, [("Transfer-Encoding", "chunked")])
            self.receive = lambda: tw.chunk_read(out_stream)
            self.send = lambda data: in_tls.sendall(tw.chunk(data))
            self.readable = out_stream
            self.legacy_end = lambda: in_tls.sendall(b"0\r\n\r\n")  # the last chunk ends the IN body
        self.cutter = tw.PacketCutter()
        self.early = self.cutter.feed(seed[tw.LEGACY_SEED_LEN:]) if transport == "legacy" else []

    def next_packet(self):
        while not self.early:
            self.early = self.cutter.feed(self.receive())
        return self.early.pop(0)

    def expect(self, ptype, step):
        got, body = self.next_packet()
        if got != ptype:
            raise tw.WireError("%s: packet type 0x%x instead of 0x%x" % (step, got, ptype))
        status = tw.status_of(body) if ptype != tw.TUNNEL_RESPONSE else int.from_bytes(body[2:6], "little")
        if status:
            raise TunnelRefused("%s refused: HRESULT 0x%08X" % (step, status))

    def open_channel(self, target, target_port, client_name):
        self.send(tw.handshake_request())
        self.expect(tw.HANDSHAKE_RESPONSE, "HANDSHAKE")
        self.send(tw.tunnel_create())
        self.expect(tw.TUNNEL_RESPONSE, "TUNNEL_CREATE")
        self.send(tw.tunnel_auth(client_name))
        self.expect(tw.TUNNEL_AUTH_RESPONSE, "TUNNEL_AUTH")
        self.send(tw.channel_create(target, target_port))
        self.expect(tw.CHANNEL_RESPONSE, "CHANNEL_CREATE")

    def pump(self, local):
        """DATA between the socket pair's end and the gateway until either side ends."""
        gateway = self.sockets[0]
        try:
            while True:
                while self.early:
                    ptype, body = self.early.pop(0)
                    if ptype == tw.DATA:
                        local.sendall(tw.data_payload(body))
                    elif ptype in (tw.CLOSE_CHANNEL, tw.CLOSE_CHANNEL_RESPONSE):
                        return
                buffered = bool(self.readable.buffer) or gateway.pending() > 0
                ready = select.select([local, gateway], [], [], 0 if buffered else 30)[0]
                if buffered and gateway not in ready:
                    ready.append(gateway)
                if not ready:
                    return
                if local in ready:
                    payload = local.recv(16384)
                    if not payload:
                        self.send(tw.close_channel())
                        self.close_quietly(wait_answer=True)
                        return
                    self.send(tw.data(payload))
                if gateway in ready:
                    self.early = self.cutter.feed(self.receive())
        except (EOFError, OSError, tw.WireError):
            pass
        finally:
            local.close()
            for sock in self.sockets:
                sock.close()

    def close_quietly(self, wait_answer):
        try:
            if wait_answer:
                self.sockets[0].settimeout(3)
                while self.next_packet()[0] != tw.CLOSE_CHANNEL_RESPONSE:
                    pass
            if self.legacy_end:
                self.legacy_end()
        except (EOFError, OSError, tw.WireError):
            pass


def open_tunnel(gateway, target, target_port, transport, account, keylog, scheme="Negotiate",
                client_name="CLIENT-PC"):
    """A socket connected through the gateway to target:target_port; TunnelRefused when the gateway says no."""
    host, _, port = gateway.rpartition(":")
    tunnel = Tunnel(host, int(port), transport, account, keylog, scheme)
    try:
        tunnel.open_channel(target, target_port, client_name)
    except TunnelRefused:
        tunnel.close_quietly(wait_answer=False)
        for sock in tunnel.sockets:
            sock.close()
        raise
    mine, theirs = socket.socketpair()
    threading.Thread(target=tunnel.pump, args=(theirs,), daemon=True).start()
    log("channel to %s:%d open through %s (%s)" % (target, target_port, gateway, transport))
    return mine
