"""tsgu_wire.py - the RD Gateway HTTP transport as the scripted gateway and its client speak it.

HTTP/1.1 heads (RFC 9112) with the NTLM logon of RFC 4559 (401 challenge, the request again), WebSocket
frames (RFC 6455: the client masks, the gateway does not), the chunked coding of the legacy transport's
bodies, and the MS-TSGU packets ([MS-TSGU] 2.2.10: an 8-byte header, packetType, packetLength, then the
fields of each packet, little-endian), encoded by hand so that every field is the one a Windows peer sends.
"""

import base64
import hashlib
import os
import struct

HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE = 0x1, 0x2
TUNNEL_CREATE, TUNNEL_RESPONSE = 0x4, 0x5
TUNNEL_AUTH, TUNNEL_AUTH_RESPONSE = 0x6, 0x7
CHANNEL_CREATE, CHANNEL_RESPONSE = 0x8, 0x9
DATA, KEEPALIVE = 0xA, 0xD
CLOSE_CHANNEL, CLOSE_CHANNEL_RESPONSE = 0x10, 0x11

E_PROXY_RAP_ACCESSDENIED = 0x800759DA
GATEWAY_PATH = "/remoteDesktopGateway/"
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LEGACY_SEED_LEN = 10  # random bytes that open the OUT channel's body ([MS-TSGU] 3.3.5.1)
DATA_MAX = 0xFFF0     # cbDataLen is 16 bits


class WireError(Exception):
    """The peer sent something the scripted gateway or client does not accept."""


# ---- a byte stream over a socket (TLS or not) ----

class Stream:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("peer closed the connection")
        self.buffer += data

    def take(self, count):
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_exact(self, count):
        while len(self.buffer) < count:
            self.fill()
        return self.take(count)

    def read_some(self):
        if not self.buffer:
            self.fill()
        return self.take(len(self.buffer))

    def read_head(self):
        """One HTTP head: (start line words, {lower-case name: [values]})."""
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > 16384:
                raise WireError("HTTP head too long")
            self.fill()
        head = self.take(self.buffer.index(b"\r\n\r\n") + 4).decode("latin-1")
        lines = head.split("\r\n")[:-2]
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields.setdefault(name.strip().lower(), []).append(value.strip())
        return lines[0].split(" ", 2), fields


def field(fields, name):
    values = fields.get(name.lower())
    return values[-1] if values else None


def content_length(fields):
    value = field(fields, "Content-Length")
    return int(value) if value and value.isdigit() else 0


# ---- HTTP ----

def http_head(start_line, fields):
    return ("\r\n".join([start_line] + ["%s: %s" % pair for pair in fields]) + "\r\n\r\n").encode("latin-1")


def auth_token(value):
    """'NTLM TlRMTVNT...' -> ('NTLM', token bytes); (scheme, b'') without a token."""
    scheme, _, token = (value or "").partition(" ")
    return scheme, base64.b64decode(token) if token else b""


def auth_value(scheme, token):
    return "%s %s" % (scheme, base64.b64encode(token).decode("ascii"))


def websocket_key():
    return base64.b64encode(os.urandom(16)).decode("ascii")


def websocket_accept(key):
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + WEBSOCKET_GUID).digest()).decode("ascii")


# ---- WebSocket frames ----

def ws_frame(payload, masked, opcode=0x2):
    head = bytes([0x80 | opcode])
    bit = 0x80 if masked else 0
    if len(payload) < 126:
        head += bytes([bit | len(payload)])
    elif len(payload) < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", len(payload))
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", len(payload))
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read(stream):
    """The next data frame's payload (unmasked); control frames are skipped; EOFError on a close frame."""
    while True:
        first, second = stream.read_exact(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack(">H", stream.read_exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", stream.read_exact(8))[0]
        mask = stream.read_exact(4) if second & 0x80 else None
        payload = stream.read_exact(length)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        opcode = first & 0x0F
        if opcode == 0x8:
            raise EOFError("WebSocket close frame")
        if opcode in (0x0, 0x1, 0x2):
            return payload


# ---- the chunked coding (legacy bodies) ----

def chunk(data):
    return b"%X\r\n" % len(data) + data + b"\r\n"


def chunk_read(stream):
    """The next chunk's data; EOFError at the last chunk."""
    while b"\r\n" not in stream.buffer:
        stream.fill()
    line = stream.take(stream.buffer.index(b"\r\n") + 2)
    size = int(line.split(b";")[0].strip(), 16)
    if size == 0:
        raise EOFError("last chunk")
    data = stream.read_exact(size)
    if stream.read_exact(2) != b"\r\n":
        raise WireError("chunk without its CRLF")
    return data


# ---- MS-TSGU packets ----

def packet(ptype, body=b""):
    return struct.pack("<HHI", ptype, 0, 8 + len(body)) + body


class PacketCutter:
    """Cuts tunnel bytes, in any split, into (packetType, body)."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data):
        self.buffer += data
        packets = []
        while len(self.buffer) >= 8:
            ptype, _, length = struct.unpack_from("<HHI", self.buffer)
            if length < 8 or length > 0x10000 + 8:
                raise WireError("tunnel packet length %d" % length)
            if len(self.buffer) < length:
                break
            packets.append((ptype, self.buffer[8:length]))
            self.buffer = self.buffer[length:]
        return packets


def utf16z(text):
    data = (text + "\0").encode("utf-16-le")
    return struct.pack("<H", len(data)) + data


def handshake_request():
    # verMajor 1, verMinor 0, clientVersion 0, extendedAuth HTTP_EXTENDED_AUTH_NONE
    return packet(HANDSHAKE_REQUEST, struct.pack("<BBHH", 1, 0, 0, 0))


def handshake_response():
    return packet(HANDSHAKE_RESPONSE, struct.pack("<IBBHH", 0, 1, 0, 0, 0))


def tunnel_create():
    # capsFlags: quarantine SoH, idle timeout, messaging consent/service, reauth, UDP (as mstsc); no PAA cookie
    return packet(TUNNEL_CREATE, struct.pack("<IHH", 0x3F, 0, 0))


def tunnel_response():
    # serverVersion, statusCode, fieldsPresent TUNNEL_ID | CAPS, reserved, tunnelId, capsFlags
    return packet(TUNNEL_RESPONSE, struct.pack("<HIHHII", 5, 0, 0x3, 0, 1, 0x3F))


def tunnel_auth(client_name):
    return packet(TUNNEL_AUTH, struct.pack("<H", 0) + utf16z(client_name))


def tunnel_auth_response():
    # fieldsPresent REDIR_FLAGS | IDLE_TIMEOUT: every redirection allowed, no idle timeout
    return packet(TUNNEL_AUTH_RESPONSE, struct.pack("<IHHII", 0, 0x3, 0, 0x80000000, 0))


def channel_create(target, port):
    # numResources 1, numAltResources 0, port, protocol 3 (RDP), then the resource name
    return packet(CHANNEL_CREATE, struct.pack("<BBHH", 1, 0, port, 3) + utf16z(target))


def channel_target(body):
    """(first resource name, port) of a CHANNEL_CREATE body."""
    count, _, port, _ = struct.unpack_from("<BBHH", body)
    if count < 1:
        raise WireError("CHANNEL_CREATE without a resource")
    size = struct.unpack_from("<H", body, 6)[0]
    return body[8:8 + size].decode("utf-16-le").rstrip("\0"), port


def channel_response(status):
    if status:
        return packet(CHANNEL_RESPONSE, struct.pack("<IHH", status, 0, 0))
    return packet(CHANNEL_RESPONSE, struct.pack("<IHHI", 0, 0x1, 0, 1))  # fieldsPresent CHANNEL_ID: 1


def status_of(body):
    return struct.unpack_from("<I", body)[0]


def data(payload):
    return b"".join(packet(DATA, struct.pack("<H", len(payload[i:i + DATA_MAX])) + payload[i:i + DATA_MAX])
                    for i in range(0, len(payload), DATA_MAX))


def data_payload(body):
    size = struct.unpack_from("<H", body)[0]
    return body[2:2 + size]


def close_channel(status=0):
    return packet(CLOSE_CHANNEL, struct.pack("<I", status))


def close_channel_response(status=0):
    return packet(CLOSE_CHANNEL_RESPONSE, struct.pack("<I", status))
