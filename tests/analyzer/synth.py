"""synth.py - hand-built capture files for the analyzer's tests.

Builds real-shaped frames (link header, IPv4/IPv6, TCP) around payloads such as
an X.224 Connection Request/Confirm, for every link type the analyzer reads.
"""
import ipaddress
import struct

# libpcap LINKTYPE_* numbers
ETHERNET, NULL, RAW, LOOP, SLL, IPV4, IPV6, SLL2 = 1, 0, 101, 108, 113, 228, 229, 276


def x224_request(cookie=b"tester", protocols=0x3):
    cookie_line = b"Cookie: mstshash=" + cookie + b"\r\n"
    neg = bytes([0x01, 0x00, 0x08, 0x00]) + struct.pack("<I", protocols)
    x224 = bytes([6 + len(cookie_line) + len(neg), 0xE0, 0, 0, 0, 0, 0]) + cookie_line + neg
    return bytes([3, 0]) + struct.pack(">H", 4 + len(x224)) + x224


def x224_confirm(neg_type=0x02, value=0x1):
    neg = bytes([neg_type, 0x00, 0x08, 0x00]) + struct.pack("<I", value)
    x224 = bytes([6 + len(neg), 0xD0, 0, 0, 0x12, 0x34, 0]) + neg
    return bytes([3, 0]) + struct.pack(">H", 4 + len(x224)) + x224


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def ip(src, dst, segment):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 1, 0x4000, 64, 6, 0, s.packed,
                           d.packed) + segment
    return struct.pack(">IHBB16s16s", 6 << 28, len(segment), 6, 64, s.packed, d.packed) + segment


def link(linktype, packet, vlan_tags=0):
    version = packet[0] >> 4
    ethertype = 0x0800 if version == 4 else 0x86DD
    if linktype == ETHERNET:
        head = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
        for i in range(vlan_tags):
            head += struct.pack(">HH", 0x88A8 if i == 0 and vlan_tags > 1 else 0x8100, 100 + i)
        return head + struct.pack(">H", ethertype) + packet
    if linktype == SLL:
        return struct.pack(">HHH8sH", 0, 772, 6, b"\0" * 8, ethertype) + packet
    if linktype == SLL2:
        return struct.pack(">HHIHBBB8s", ethertype, 0, 1, 772, 0, 6, 0, b"\0" * 8)[:20] + packet
    if linktype == NULL:
        return struct.pack("<I", 2 if version == 4 else 24) + packet
    if linktype == LOOP:
        return struct.pack(">I", 2 if version == 4 else 24) + packet
    return packet  # RAW, IPV4, IPV6


def pcap(linktype, frames, start=1700000000):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", start + i, 0, len(f), len(f)) + f
    return out


def pcapng_block(block_type, body):
    """One pcapng block (little-endian): type, total length, the body padded to 4 bytes, total length."""
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", block_type, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng(linktypes, frames, start=1700000000, keylog=None):
    """A pcapng file: one section, an interface per entry of `linktypes`, then `frames` as Enhanced Packet
    Blocks, each (interface index, frame bytes), one second apart (microsecond timestamps). With `keylog`
    (text), a Decryption Secrets Block holding it comes before the packets, as editcap --inject-secrets puts
    it."""
    out = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for linktype in linktypes:
        out += pcapng_block(1, struct.pack("<HHI", linktype, 0, 262144))
    if keylog is not None:
        data = keylog.encode()
        out += pcapng_block(10, struct.pack("<II", 0x544C534B, len(data)) + data)
    for i, (interface, frame) in enumerate(frames):
        ts = (start + i) * 1000000
        out += pcapng_block(6, struct.pack("<IIIII", interface, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame))
                            + frame)
    return out


def negotiation(client, server, cport, sport, request, confirm, linktype=ETHERNET, vlan_tags=0):
    """SYN, SYN/ACK, ACK, Connection Request, Confirm, FIN both ways: the frames of one short connection."""
    c_isn, s_isn = 1000, 5000
    segs = [
        (client, server, tcp(cport, sport, c_isn, 0, 0x02)),
        (server, client, tcp(sport, cport, s_isn, c_isn + 1, 0x12)),
        (client, server, tcp(cport, sport, c_isn + 1, s_isn + 1, 0x10)),
        (client, server, tcp(cport, sport, c_isn + 1, s_isn + 1, 0x18, request)),
        (server, client, tcp(sport, cport, s_isn + 1, c_isn + 1 + len(request), 0x18, confirm)),
        (client, server, tcp(cport, sport, c_isn + 1 + len(request), s_isn + 1 + len(confirm), 0x11)),
        (server, client, tcp(sport, cport, s_isn + 1 + len(confirm), c_isn + 2 + len(request), 0x11)),
    ]
    return [link(linktype, ip(a, b, seg), vlan_tags) for a, b, seg in segs]


def der(tag, content):
    """One DER element with a definite length."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + struct.pack(">H", n)
    return bytes([tag]) + length + content


def tsrequest(version, nego_token=None):
    """A TSRequest ([MS-CSSP] 2.2.1) with a version and optionally one negoToken."""
    body = der(0xA0, der(0x02, bytes([version])))
    if nego_token is not None:
        body += der(0xA1, der(0x30, der(0x30, der(0xA0, der(0x04, nego_token)))))
    return der(0x30, body)


def ntlm_negotiate():
    """An NTLM NEGOTIATE message with a VERSION (Windows 10.0.17763)."""
    flags = 0xE2088297
    return (b"NTLMSSP\0" + struct.pack("<II", 1, flags) + struct.pack("<HHI", 0, 0, 40) +
            struct.pack("<HHI", 0, 0, 40) + bytes([10, 0]) + struct.pack("<H", 17763) + b"\0\0\0\x0f")


def stream(client, server, cport, sport, exchanges, linktype=ETHERNET, handshake=True, split=None):
    """Frames of a connection carrying the given (from_client, payload) exchanges, each payload cut into
    segments of `split` bytes when given; with handshake=False the capture starts mid-connection."""
    seq = {True: 1000, False: 5000}
    frames = []
    if handshake:
        frames.append(link(linktype, ip(client, server, tcp(cport, sport, 999, 0, 0x02))))
        frames.append(link(linktype, ip(server, client, tcp(sport, cport, 4999, 1000, 0x12))))
    for from_client, payload in exchanges:
        pieces = [payload[i:i + split] for i in range(0, len(payload), split)] if split else [payload]
        for piece in pieces:
            a, b, pa, pb = (client, server, cport, sport) if from_client else (server, client, sport, cport)
            frames.append(link(linktype, ip(a, b, tcp(pa, pb, seq[from_client], seq[not from_client], 0x18, piece))))
            seq[from_client] += len(piece)
    return frames
