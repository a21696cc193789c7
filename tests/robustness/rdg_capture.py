"""rdg_capture.py - RDP connections through an RD Gateway ([MS-TSGU] HTTP transport), as captures with key logs.

The gateway's side is built here from the specifications: the HTTP/1.1 request and answers (RFC 9112, with
the 401 challenge of RFC 9110), WebSocket frames (RFC 6455: client frames masked, server frames not) and
the MS-TSGU packets (2.2.10: handshake, tunnel, authorization, channel to the target, DATA, close). The
tunnelled RDP connection is rdp_capture's: X.224 in clear inside the tunnel, then a real TLS session
(OpenSSL) carrying the CredSSP exchange; the gateway's own TLS is a second real session around it all, so
the analyzer needs both key logs to read everything, as with a real capture.

Used by tests/analyzer/test_gateway.py and tests/fuzz/make_seeds.py.
"""
import base64
import struct

import rdp_capture as rc
from rdp_capture import CLIENT, SERVER, synth

TARGET = "TARGET-SRV.example.test"
GATEWAY_PATH = b"/remoteDesktopGateway/"
E_PROXY_RAP_ACCESSDENIED = 0x800759DA
E_PROXY_TS_CONNECTFAILED = 0x800759DD
MASK = b"\x11\x22\x33\x44"


def tsgu(ptype, body=b""):
    """An MS-TSGU HTTP packet: type, reserved, packetLength (little-endian), body."""
    return struct.pack("<HHI", ptype, 0, 8 + len(body)) + body


def utf16z(text):
    """cbLen and the UTF-16LE string with its terminating NUL."""
    data = (text + "\0").encode("utf-16-le")
    return struct.pack("<H", len(data)) + data


def ws_frame(payload, opcode=2, fin=True, mask=MASK):
    """An RFC 6455 frame; mask=None leaves it unmasked (as a server sends, and a client must not)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def handshake_request():
    return tsgu(0x1, bytes([1, 0]) + struct.pack("<HH", 0, 0))


def handshake_response(status=0):
    return tsgu(0x2, struct.pack("<IBBHH", status, 1, 0, 0, 0))


def tunnel_create():
    return tsgu(0x4, struct.pack("<IHH", 0x3F, 0, 0))


def tunnel_response(status=0):
    return tsgu(0x5, struct.pack("<HIHHII", 5, status, 0x3, 0, 1, 0x3F))


def tunnel_auth(client_name="CLIENT-PC"):
    return tsgu(0x6, struct.pack("<H", 0) + utf16z(client_name))


def tunnel_auth_response(status=0):
    return tsgu(0x7, struct.pack("<IHHII", status, 0x3, 0, 0, 30))


def channel_create(target=TARGET, port=3389):
    return tsgu(0x8, bytes([1, 0]) + struct.pack("<HH", port, 3) + utf16z(target))


def channel_response(status=0):
    return tsgu(0x9, struct.pack("<IHHI", status, 0x1, 0, 1) if status == 0 else struct.pack("<IHH", status, 0, 0))


def data(payload):
    """DATA packets for the payload (cbDataLen is 16 bits: longer payloads take several)."""
    out = b""
    for i in range(0, len(payload), 0xFFF0):
        piece = payload[i:i + 0xFFF0]
        out += tsgu(0xA, struct.pack("<H", len(piece)) + piece)
    return out


def close_channel(status=0):
    return tsgu(0x10, struct.pack("<I", status))


def http_request(authorization=None, method=b"RDG_OUT_DATA", websocket=True):
    lines = [method + b" " + GATEWAY_PATH + b" HTTP/1.1", b"Cache-Control: no-cache",
             b"Connection: Upgrade" if websocket else b"Connection: Keep-Alive"]
    if websocket:
        lines += [b"Upgrade: websocket", b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", b"Sec-WebSocket-Version: 13"]
    lines += [b"User-Agent: MS-RDGateway/1.0", b"RDG-Connection-Id: {00000000-0000-0000-0000-000000000001}",
              b"Host: gateway.example.test"]
    if authorization:
        lines.append(b"Authorization: " + authorization)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def http_response(status, reason, fields=(), body=b""):
    lines = [b"HTTP/1.1 %d %s" % (status, reason)] + list(fields) + [b"Content-Length: %d" % len(body)]
    if status == 101:
        lines = [b"HTTP/1.1 101 Switching Protocols", b"Upgrade: websocket", b"Connection: Upgrade",
                 b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def negotiate(token):
    return b"Negotiate " + base64.b64encode(token)


def ntlm_login():
    """The client's HTTP logon at the gateway: Negotiate with NTLM inside, 401 challenge, then 101."""
    return [(CLIENT, http_request(negotiate(rc.ntlm_negotiate()))),
            (SERVER, http_response(401, b"Unauthorized", [b"WWW-Authenticate: " + negotiate(rc.ntlm_challenge())])),
            (CLIENT, http_request(negotiate(rc.ntlm_authenticate()))),
            (SERVER, http_response(101, b"Switching Protocols"))]


def tunnel_setup(channel_status=0, auth_status=0):
    """The tunnel's set-up packets as (direction, packet), stopping at the first refusal."""
    steps = [(handshake_request(), handshake_response()), (tunnel_create(), tunnel_response()),
             (tunnel_auth(), tunnel_auth_response(auth_status)), (channel_create(), channel_response(channel_status))]
    out = []
    for request, response in steps:
        out += [(CLIENT, request), (SERVER, response)]
        if struct.unpack_from("<I", response, 8)[0] if response[0] in (2, 7, 9) else 0:
            break
    return out


def frame_all(packets, client_masked=True):
    """Each (direction, MS-TSGU bytes) in a WebSocket frame of its own, masked from the client."""
    return [(d, ws_frame(p, mask=MASK if d == CLIENT and client_masked else None)) for d, p in packets]


def inner_rdp(client_version=6, server_version=6, outcome="ok", profile="tls12-ecdhe-gcm"):
    """The tunnelled RDP connection: (list of (direction, bytes), inner key log)."""
    tls_chunks, keylog = rc.tls_conversation(rc.credssp_exchange(client_version, server_version, outcome), profile)
    return [(CLIENT, synth.x224_request(b"gwuser", 0xB)), (SERVER, synth.x224_confirm(0x02, 0x2))] + tls_chunks, keylog


def gateway_capture(outer_messages, profile="tls12-ecdhe-gcm", close=True):
    """(pcap bytes, outer key log) of one gateway connection on 443 carrying outer_messages in its TLS."""
    chunks, keylog = rc.tls_conversation(outer_messages, profile)
    frames = rc.conversation_frames(chunks, client="192.0.2.10", server="192.0.2.30", cport=50321, sport=443,
                                    close=close)
    return synth.pcap(synth.ETHERNET, frames), keylog


def tunnelled(inner_chunks, client_masked=True):
    """HTTP logon, tunnel set-up, the inner connection as DATA packets, CLOSE_CHANNEL: the outer messages."""
    packets = tunnel_setup() + [(d, data(b)) for d, b in inner_chunks] + [(CLIENT, close_channel())]
    return ntlm_login() + frame_all(packets, client_masked)
