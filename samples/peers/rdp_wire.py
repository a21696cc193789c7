"""rdp_wire.py - the cleartext and DER encodings the scripted RDP peers speak.

TPKT + X.224 Connection Request / Confirm with the RDP negotiation structures
([MS-RDPBCGR] 2.2.1.1 / 2.2.1.2), and the CredSSP TSRequest / TSCredentials
DER ([MS-CSSP] 2.2.1), encoded by hand so the peers control every field
(version, errorCode, clientNonce) exactly as a Windows peer would send it.
"""

import socket
import struct

PROTOCOL_RDP = 0x0
PROTOCOL_SSL = 0x1
PROTOCOL_HYBRID = 0x2
PROTOCOL_HYBRID_EX = 0x8

HYBRID_REQUIRED_BY_SERVER = 5

STATUS_LOGON_FAILURE = 0xC000006D
STATUS_NOT_SUPPORTED = 0xC00000BB

X224_CONNECTION_REQUEST = 0xE0
X224_CONNECTION_CONFIRM = 0xD0
NEG_REQ, NEG_RSP, NEG_FAILURE = 1, 2, 3

# RDP_NEG_RSP flags a Windows server sets: EXTENDED_CLIENT_DATA, DYNVC_GFX, RESERVED.
WINDOWS_NEG_RSP_FLAGS = 0x07


class ProtocolError(Exception):
    """The peer sent something this scripted peer does not accept."""


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(data), count))
        data += chunk
    return data


# ---- TPKT / X.224 -----------------------------------------------------------

def _tpkt(payload):
    return struct.pack(">BBH", 3, 0, len(payload) + 4) + payload


WINDOWS_CC_SOURCE_REFERENCE = 0x1234  # the SRC-REF Windows servers put in their Connection Confirm


def _x224(code, variable):
    # LI, code, DST-REF, SRC-REF, class 0
    source = WINDOWS_CC_SOURCE_REFERENCE if code == X224_CONNECTION_CONFIRM else 0
    header = struct.pack(">BBHHB", 6 + len(variable), code, 0, source, 0)
    return _tpkt(header + variable)


def connection_request(requested_protocols, cookie_user):
    cookie = ("Cookie: mstshash=%s\r\n" % cookie_user).encode("ascii")
    neg = struct.pack("<BBHI", NEG_REQ, 0, 8, requested_protocols)
    return _x224(X224_CONNECTION_REQUEST, cookie + neg)


def connection_confirm(selected_protocol, flags=WINDOWS_NEG_RSP_FLAGS):
    return _x224(X224_CONNECTION_CONFIRM, struct.pack("<BBHI", NEG_RSP, flags, 8, selected_protocol))


def connection_confirm_failure(failure_code):
    return _x224(X224_CONNECTION_CONFIRM, struct.pack("<BBHI", NEG_FAILURE, 0, 8, failure_code))


def read_tpkt(sock):
    header = recv_exact(sock, 4)
    if header[0] != 3:
        raise ProtocolError("not a TPKT header")
    length = struct.unpack(">H", header[2:4])[0]
    if length < 7:
        raise ProtocolError("TPKT length %d too short" % length)
    return recv_exact(sock, length - 4)


def parse_negotiation(tpdu, expected_code):
    """Returns (type, flags, value) of the trailing RDP_NEG_* structure, or None."""
    if len(tpdu) < 7 or tpdu[1] != expected_code:
        raise ProtocolError("unexpected X.224 TPDU code 0x%02x" % (tpdu[1] if len(tpdu) > 1 else 0))
    if len(tpdu) < 7 + 8:
        return None
    neg_type, flags, length, value = struct.unpack("<BBHI", tpdu[-8:])
    if length != 8 or neg_type not in (NEG_REQ, NEG_RSP, NEG_FAILURE):
        return None
    return neg_type, flags, value


# ---- DER ----------------------------------------------------------------------

def _der_length(length):
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der(tag, content):
    return bytes([tag]) + _der_length(len(content)) + content


def der_integer(value):
    """A DER INTEGER; value is signed (errorCode NTSTATUS values arrive as uint32: pass them through int32)."""
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)
    # minimal encoding: drop redundant leading 0x00 / 0xFF bytes
    while len(body) > 1 and ((body[0] == 0 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)):
        body = body[1:]
    return der(0x02, body)


def _explicit(number, content):
    return der(0xA0 | number, content)


def _uint32_to_int32(value):
    return value - (1 << 32) if value >= 0x80000000 else value


def encode_tsrequest(version, nego_tokens=(), auth_info=None, pub_key_auth=None, error_code=None, client_nonce=None):
    fields = _explicit(0, der_integer(version))
    if nego_tokens:
        items = b"".join(der(0x30, _explicit(0, der(0x04, token))) for token in nego_tokens)
        fields += _explicit(1, der(0x30, items))
    if auth_info is not None:
        fields += _explicit(2, der(0x04, auth_info))
    if pub_key_auth is not None:
        fields += _explicit(3, der(0x04, pub_key_auth))
    if error_code is not None:
        fields += _explicit(4, der_integer(_uint32_to_int32(error_code)))
    if client_nonce is not None:
        fields += _explicit(5, der(0x04, client_nonce))
    return der(0x30, fields)


def encode_ts_password_credentials(domain, user, password):
    creds = der(0x30, _explicit(0, der(0x04, domain.encode("utf-16le")))
                + _explicit(1, der(0x04, user.encode("utf-16le")))
                + _explicit(2, der(0x04, password.encode("utf-16le"))))
    return der(0x30, _explicit(0, der_integer(1)) + _explicit(1, der(0x04, creds)))


def _der_read(data, offset):
    """Returns (tag, content, next_offset) of the TLV at offset."""
    if offset + 2 > len(data):
        raise ProtocolError("DER truncated")
    tag, first = data[offset], data[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise ProtocolError("bad DER length")
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise ProtocolError("DER content truncated")
    return tag, data[offset:offset + length], offset + length


def der_total_length(prefix):
    """Total size of the DER element starting with prefix, or None if prefix is too short to tell."""
    if len(prefix) < 2:
        return None
    first = prefix[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if len(prefix) < 2 + count:
        return None
    return 2 + count + int.from_bytes(prefix[2:2 + count], "big")


def decode_tsrequest(data):
    """Decodes a TSRequest into a dict: version, nego_tokens, auth_info, pub_key_auth, error_code (uint32), client_nonce."""
    tag, body, _ = _der_read(data, 0)
    if tag != 0x30:
        raise ProtocolError("TSRequest is not a SEQUENCE")
    request = {"version": None, "nego_tokens": [], "auth_info": None, "pub_key_auth": None,
               "error_code": None, "client_nonce": None}
    offset = 0
    while offset < len(body):
        tag, content, offset = _der_read(body, offset)
        inner_tag, inner, _ = _der_read(content, 0)
        field = tag & 0x1F
        if field == 0:
            request["version"] = int.from_bytes(inner, "big", signed=True)
        elif field == 1:
            position = 0
            while position < len(inner):
                _, item, position = _der_read(inner, position)
                _, token_field, _ = _der_read(item, 0)
                _, token, _ = _der_read(token_field, 0)
                request["nego_tokens"].append(token)
        elif field == 2:
            request["auth_info"] = inner
        elif field == 3:
            request["pub_key_auth"] = inner
        elif field == 4:
            request["error_code"] = int.from_bytes(inner, "big", signed=True) & 0xFFFFFFFF
        elif field == 5:
            request["client_nonce"] = inner
        if inner_tag not in (0x02, 0x04, 0x30):
            raise ProtocolError("unexpected tag 0x%02x in TSRequest field %d" % (inner_tag, field))
    if request["version"] is None:
        raise ProtocolError("TSRequest without version")
    return request


def tcp_connect(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.connect((host, port))
    return sock
