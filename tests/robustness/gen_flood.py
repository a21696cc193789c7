#!/usr/bin/env python3
"""gen_flood.py - captures that would make memory grow if the analyzer had no limits; pcap on stdout.

    gen_flood.py connections N [--open|--syn]
                                          N short RDP connections (X.224 Request, RDP_NEG_FAILURE, FINs),
                                          each from its own client address and port; --open: SYN and
                                          Request only, never closed (the connection budget); --syn: SYN only
    gen_flood.py names N                  N RDP connections that carry every name from the wire at its
                                          longest, never closed: a cookie, then CredSSP in clear with a Kerberos
                                          KERB-TGT-REQUEST (service and realm) and an NTLM AUTHENTICATE (user,
                                          domain, workstation)
    gen_flood.py stalls N KIND            N RDP connections, each stopping inside a PDU of some 60 KiB that never
                                          completes, never closed (buffers of unfinished PDUs):
        credssp    CredSSP in clear: a TSRequest that declares 60,000 bytes and stops one short
        handshake  TLS: a ClientHello that declares 60,000 bytes, sent in records, the last one cut
    gen_flood.py collide N                N IPv6 RDP connections (SYN and Request, never closed) whose address
                                          pairs all have the same value under the analyzer's flow hash as it was
                                          before its start was made secret (FNV-1a over 64-bit words)
    gen_flood.py secrets MIB              a pcapng whose Decryption Secrets Blocks (16 MiB at most each) carry MIB
                                          MiB of TLS 1.2 key-log lines, then one short RDP connection
    gen_flood.py hellos N                 N connections to port 443 that send a TLS ClientHello and stop (each
                                          could be an RD Gateway connection), never closed
    gen_flood.py endless KIND MIB         one connection that never finishes, MIB MiB of it:
        tls        RDP, then a TLS handshake and application-data records both ways, never closed
        x224       RDP: a Connection Request, then X.224 data TPDUs, never a Confirm
        hole       RDP, then a client segment is missing and data keeps coming after the hole
        handshake  RDP, then one TLS handshake message claiming 16 MiB, never complete
        nosyn      no SYN, no negotiation: TLS records to port 3389 without a handshake, never closed
    gen_flood.py servers N                N connections to N different servers (the summary's limit)
    gen_flood.py holes N KIB              N RDP connections, one after the other, each with a client segment
                                          missing after the X.224 negotiation and KIB KiB of client data after
                                          the hole, never closed (the out-of-order budget across connections)

Frames are built once and patched per connection, so a million connections take about a minute.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "analyzer"))
import synth  # noqa: E402
import rdp_capture  # noqa: E402

SERVER = "10.200.0.1"
RECORD = 4096  # bytes of TLS record payload per frame in the endless captures


class Writer:
    def __init__(self, out):
        self.out = out
        self.t = 1700000000 * 1000000
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, synth.ETHERNET))
        self.buf = []

    def frame(self, data, rest=b""):
        """A frame of data + rest (two pieces, so that a shared tail need not be copied)."""
        self.t += 10
        n = len(data) + len(rest)
        self.buf.append(struct.pack("<IIII", self.t // 1000000, self.t % 1000000, n, n))
        self.buf.append(data)
        if rest:
            self.buf.append(rest)
        if len(self.buf) > 4096:
            self.flush()

    def flush(self):
        self.out.write(b"".join(self.buf))
        self.buf = []


# Offsets in an Ethernet + IPv4 + TCP frame of synth's making.
IP_SRC, IP_DST, TCP_SPORT, TCP_DPORT = 26, 30, 34, 36


def connections(w, n, open_only, distinct_servers=False, syn_only=False):
    """One connection built by synth, then copied with other addresses and ports patched in."""
    template = synth.negotiation("10.0.0.1", SERVER, 1024, 3389, synth.x224_request(b"flood", 0x3),
                                 synth.x224_confirm(0x03, 0x5))
    if open_only:
        template = [template[0], template[3]]
    if syn_only:
        template = [template[0]]
    copies(w, n, template, distinct_servers)


def copies(w, n, template, distinct_servers=False):
    """The template's frames (client 10.0.0.1 and SERVER) n times, each time from another client address and
    port (and to another server when distinct_servers)."""
    from_client = [f[IP_SRC:IP_SRC + 4] == bytes([10, 0, 0, 1]) for f in template]
    server = bytes(int(x) for x in SERVER.split("."))
    for i in range(1, n + 1):
        client = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
        if distinct_servers:
            server = bytes([172, 16 + ((i >> 16) & 0x0F), (i >> 8) & 0xFF, i & 0xFF])
        port = struct.pack(">H", 1024 + (i * 7) % 60000)
        for frame, is_client in zip(template, from_client):
            f = bytearray(frame)
            f[IP_SRC:IP_SRC + 4], f[IP_DST:IP_DST + 4] = (client, server) if is_client else (server, client)
            at = TCP_SPORT if is_client else TCP_DPORT
            f[at:at + 2] = port
            w.frame(bytes(f))


def gss_krb(message):
    """A GSS-API Kerberos token (RFC 4121 4.1) around a message; TOK_ID 04 00 (KERB-TGT-REQUEST)."""
    oid = rdp_capture.der(0x06, bytes([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02]))
    return rdp_capture.der(0x60, oid + b"\x04\x00" + message)


def kerb_tgt_request(service, realm):
    """KERB-TGT-REQUEST ::= SEQUENCE { pvno [0], msg-type [1] 16, server-name [2] PrincipalName, realm [3] }."""
    der = rdp_capture.der
    names = b"".join(der(0x1B, part) for part in service)
    principal = der(0x30, der(0xA0, rdp_capture.der_int(2)) + der(0xA1, der(0x30, names)))
    return gss_krb(der(0x30, der(0xA0, rdp_capture.der_int(5)) + der(0xA1, rdp_capture.der_int(16)) +
                       der(0xA2, principal) + der(0xA3, der(0x1B, realm))))


def names(w, n):
    """Every name a connection keeps, at its longest (longer than the caps, so that each is cut at its cap)."""
    long = "N" * 400
    exchanges = [(True, synth.x224_request(b"C" * 200, 0x3)), (False, synth.x224_confirm(0x02, 0x2)),
                 (True, rdp_capture.tsrequest(6, kerb_tgt_request([b"TERMSRV", b"S" * 300], b"R" * 300))),
                 (True, rdp_capture.tsrequest(6, rdp_capture.ntlm_authenticate(long, long, long)))]
    copies(w, n, synth.stream("10.0.0.1", SERVER, 1024, 3389, exchanges))


def stalls(w, n, kind):
    """Each connection holds some 60 KiB of a PDU that never completes."""
    if kind == "credssp":
        declared = 60000
        body = rdp_capture.der(0xA0, rdp_capture.der_int(6))
        head = b"\x30\x82" + struct.pack(">H", declared) + body
        stalled = head + b"\x04" * (declared + 4 - len(head) - 1)
    else:
        message = b"\x01" + (60000).to_bytes(3, "big") + b"\x03\x03" + b"\x11" * (60000 - 2)
        records = [message[i:i + 16384] for i in range(0, len(message), 16384)]
        stalled = b"".join(b"\x16\x03\x01" + struct.pack(">H", len(r)) + r for r in records)[:-100]
    exchanges = [(True, synth.x224_request(b"stall", 0x3)), (False, synth.x224_confirm(0x02, 0x2)),
                 (True, stalled)]
    copies(w, n, synth.stream("10.0.0.1", SERVER, 1024, 3389, exchanges, split=1460))


def collide(w, n):
    """Client addresses chosen so that FNV-1a over the flow key's words (family, then the smaller address's two
    words, ...) reaches the same value after the client's address, whatever its first word: each step
    h = (h ^ word) * prime can be undone, so the second word is solved for."""
    mask, prime, target = (1 << 64) - 1, 0x100000001B3, 0x0123456789ABCDEF
    start = 0xCBF29CE484222325 ^ 6
    template = synth.negotiation("2001:db8::1", "2001:db8:ffff::1", 40000, 3389, synth.x224_request(b"collide", 0x3),
                                 synth.x224_confirm(0x03, 0x5))[:4:3]  # SYN, Request
    src = 14 + 8  # the IPv6 source address in an Ethernet frame
    for i in range(1, n + 1):
        w0 = int.from_bytes(bytes.fromhex("20010db8") + i.to_bytes(4, "big"), "little")
        w1 = ((start ^ w0) * prime & mask) ^ target
        for frame in template:
            f = bytearray(frame)
            f[src:src + 16] = w0.to_bytes(8, "little") + w1.to_bytes(8, "little")
            w.frame(bytes(f))


def hellos(w, n):
    """A TLS ClientHello to 443: the analyzer cannot tell an RD Gateway connection before its first request."""
    hello = handshake_record(1, b"\x03\x03" + b"\x11" * 32 + b"\x00\x00\x02\xc0\x30\x01\x00")
    copies(w, n, synth.stream("10.0.0.1", SERVER, 1024, 443, [(True, hello)]))


def holes(w, n, kib):
    """Like connections(): one connection built once, copied with other client addresses and ports."""
    client, cport, sport = "10.0.0.1", 1024, 3389
    seq = {0: 1000, 1: 5000}
    ends = {0: (client, SERVER, cport, sport), 1: (SERVER, client, sport, cport)}
    template = []

    def seg(side, payload=b"", flags=0x18, skip=0):
        src, dst, sp, dp = ends[side]
        seq[side] += skip
        template.append((side == 0, synth.link(synth.ETHERNET, synth.ip(src, dst, synth.tcp(
            sp, dp, seq[side], seq[1 - side], flags, payload)))))
        seq[side] = (seq[side] + len(payload) + (1 if flags & 0x02 else 0)) & 0xFFFFFFFF

    for side, flags in ((0, 0x02), (1, 0x12), (0, 0x10)):
        seg(side, flags=flags)
    seg(0, synth.x224_request(b"holes", 0x3))
    seg(1, synth.x224_confirm(0x02, 0x2))
    seg(0, b"\x16\x03\x01\x00\x10" + b"\x01" * 16)
    seq[0] += 1460  # the segment that would fill this never comes
    record = b"\x17\x03\x03" + struct.pack(">H", RECORD) + b"\xAB" * RECORD
    for _ in range(max(1, (kib << 10) // len(record))):
        seg(0, record)
    server = bytes(int(x) for x in SERVER.split("."))
    head = TCP_DPORT + 2  # only the addresses and ports change: the rest of each frame is shared, not copied
    template = [(is_client, frame[:head], frame[head:]) for is_client, frame in template]
    for i in range(1, n + 1):
        addr = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
        port = struct.pack(">H", 1024 + (i * 7) % 60000)
        for is_client, start, rest in template:
            f = bytearray(start)
            f[IP_SRC:IP_SRC + 4], f[IP_DST:IP_DST + 4] = (addr, server) if is_client else (server, addr)
            at = TCP_SPORT if is_client else TCP_DPORT
            f[at:at + 2] = port
            w.frame(bytes(f), rest)


def handshake_record(msg_type, body):
    message = bytes([msg_type]) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack(">H", len(message)) + message


def endless(w, kind, mib):
    client, cport, sport = "10.9.9.9", 50000, 3389
    seq = {0: 1000, 1: 5000}
    ends = {0: (client, SERVER, cport, sport), 1: (SERVER, client, sport, cport)}

    def seg(side, payload=b"", flags=0x18, skip=0):
        src, dst, sp, dp = ends[side]
        seq[side] += skip
        frame = synth.link(synth.ETHERNET, synth.ip(src, dst, synth.tcp(sp, dp, seq[side], seq[1 - side], flags,
                                                                         payload)))
        seq[side] = (seq[side] + len(payload) + (1 if flags & 0x02 else 0)) & 0xFFFFFFFF
        return frame

    if kind != "nosyn":
        for side, flags in ((0, 0x02), (1, 0x12), (0, 0x10)):
            w.frame(seg(side, flags=flags))
        w.frame(seg(0, synth.x224_request(b"endless", 0x3)))
        if kind != "x224":
            w.frame(seg(1, synth.x224_confirm(0x02, 0x2)))
    total, limit = 0, mib << 20
    record = b"\x17\x03\x03" + struct.pack(">H", RECORD) + b"\xAB" * RECORD
    if kind == "tls":
        w.frame(seg(0, handshake_record(1, b"\x03\x03" + b"\x11" * 32 + b"\x00\x00\x02\xc0\x30\x01\x00")))
        w.frame(seg(1, handshake_record(2, b"\x03\x03" + b"\x22" * 32 + b"\x00\xc0\x30\x00")))
    elif kind == "x224":
        record = bytes([3, 0]) + struct.pack(">H", 7 + RECORD) + b"\x02\xf0\x80" + b"\x7f" * RECORD
    elif kind == "hole":
        w.frame(seg(0, b"\x16\x03\x01\x00\x10" + b"\x01" * 16))
        seq[0] += 1000  # the segment that would fill this never comes
    elif kind == "handshake":
        w.frame(seg(0, b"\x16\x03\x01\x40\x00\x01\xff\xff\xff" + b"\x01" * (0x4000 - 4)))
        record = b"\x16\x03\x01\x40\x00" + b"\x01" * 0x4000
    while total < limit:
        side = (total // len(record)) & 1 if kind in ("tls", "nosyn") else 0
        w.frame(seg(side, record))
        total += len(record)
    w.flush()


def secrets(out, mib):
    """Key-log text in Decryption Secrets Blocks, written as it is made (a block of some 15 MiB at a time)."""
    out.write(synth.pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)) +
              synth.pcapng_block(1, struct.pack("<HHI", synth.ETHERNET, 0, 262144)))
    line, total, i = len(f"CLIENT_RANDOM {0:064x} {'ab' * 48}\n"), mib << 20, 0
    per_block = (15 << 20) // line
    while total > 0:
        count = min(per_block, total // line + 1)
        text = "".join(f"CLIENT_RANDOM {i + j:064x} {'ab' * 48}\n" for j in range(count)).encode()
        out.write(synth.pcapng_block(10, struct.pack("<II", 0x544C534B, len(text)) + text))
        i, total = i + count, total - len(text)
    for n, frame in enumerate(synth.negotiation("10.0.0.1", SERVER, 1024, 3389, synth.x224_request(b"dsb", 0x3),
                                                synth.x224_confirm(0x03, 0x5))):
        ts = (1700000000 + n) * 1000000
        out.write(synth.pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame))
                                     + frame))


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "secrets":
        secrets(sys.stdout.buffer, int(args[1]))
        return
    w = Writer(sys.stdout.buffer)
    if len(args) >= 2 and args[0] == "connections":
        connections(w, int(args[1]), "--open" in args, syn_only="--syn" in args)
    elif len(args) == 3 and args[0] == "stalls" and args[2] in ("credssp", "handshake"):
        stalls(w, int(args[1]), args[2])
    elif len(args) == 2 and args[0] in ("names", "hellos", "collide"):
        {"names": names, "hellos": hellos, "collide": collide}[args[0]](w, int(args[1]))
    elif len(args) == 3 and args[0] == "holes":
        holes(w, int(args[1]), int(args[2]))
    elif len(args) == 2 and args[0] == "servers":
        connections(w, int(args[1]), False, distinct_servers=True)
    elif len(args) == 3 and args[0] == "endless" and args[1] in ("tls", "x224", "hole", "handshake", "nosyn"):
        endless(w, args[1], int(args[2]))
    else:
        sys.exit(__doc__)
    w.flush()


if __name__ == "__main__":
    main()
