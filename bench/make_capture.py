#!/usr/bin/env python3
"""make_capture.py - builds a large capture for the benchmark out of small real ones.

Usage: make_capture.py OUT TEMPLATE.pcap [TEMPLATE.pcap ...] --copies N [--overlap K] [--bulk BYTES]

Copy k is a copy of template k mod (number of templates), time-shifted so that about K copies run
at the same time; all copies are merged in time order into OUT (classic pcap, microseconds).
Every copy gives the clients of its connections their own addresses (IPv4 10.i.k.k, IPv6 fd00::i:k,
i numbering the template's client addresses), so each connection stays distinct while its TLS
client random, and so its key-log line, stays the same: the templates' key logs serve every copy.

--bulk BYTES inserts, before the first FIN or RST of every connection (or at its end), BYTES of
synthetic TLS application-data records (9 segments in 10 from the server, 1460-byte segments, an
ACK every second segment, one segment per 100 us), shifting the connection's later sequence
numbers and times: the shape of a long RDP session whose bytes come after CredSSP. The records'
bodies are random, so no key decrypts them.

Rewritten packets get their IPv4 header and TCP checksums updated (RFC 1624), synthetic packets
correct ones. Templates: classic pcap, Ethernet link type (editcap -F pcap converts a pcapng).
"""
import argparse
import heapq
import itertools
import random
import struct
import sys

ETHERTYPE_VLAN, ETHERTYPE_IPV4, ETHERTYPE_IPV6 = 0x8100, 0x0800, 0x86DD
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
RDP_PORT = 3389
MSS = 1460
SEGMENT_INTERVAL_US = 100
SERVER_SHARE = 9                      # of every 10 bulk segments
RECORD_SIZES = (16408, 1178, 331, 4130, 72, 9000)   # TLS record bodies of the bulk, in turn
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", 1), b"\x4d\x3c\xb2\xa1": ("<", 1000),
               b"\xa1\xb2\xc3\xd4": (">", 1), b"\xa1\xb2\x3c\x4d": (">", 1000)}   # -> (byte order, ticks per us)


def ones_sum(data):
    """The one's complement sum of big-endian 16-bit words, modulo 0xffff (2**16 is 1 there)."""
    if len(data) & 1:
        data = bytes(data) + b"\0"
    return int.from_bytes(data, "big") % 0xFFFF


def checksum_of(total):
    """The Internet checksum of words whose one's complement sum is `total` (0x0000, never 0xffff, for -0)."""
    return -total % 0xFFFF


def updated_checksum(checksum, old, new):
    """RFC 1624: the checksum after the words `old` became `new`."""
    return checksum_of(0xFFFF - checksum - ones_sum(old) + ones_sum(new))


class Packet:
    """One template frame; the TCP fields are None for a frame that is not IPv4/IPv6 TCP."""
    __slots__ = ("ts", "frame", "orig_len", "l3", "ipv4", "src", "dst", "tcp", "sport", "dport",
                 "seq", "ack", "flags", "payload_len", "flow", "dir")

    def __init__(self, ts, frame, orig_len):
        self.ts, self.frame, self.orig_len = ts, frame, orig_len
        self.tcp = None
        self.flow = None
        self.decode()

    def decode(self):
        f = self.frame
        if len(f) < 14:
            return
        l3 = 14
        ethertype = int.from_bytes(f[12:14], "big")
        if ethertype == ETHERTYPE_VLAN and len(f) >= 18:
            ethertype, l3 = int.from_bytes(f[16:18], "big"), 18
        if ethertype == ETHERTYPE_IPV4 and len(f) >= l3 + 20 and f[l3 + 9] == 6 and not \
                int.from_bytes(f[l3 + 6:l3 + 8], "big") & 0x3FFF:
            addr_len, src, tcp = 4, l3 + 12, l3 + (f[l3] & 15) * 4
            total = int.from_bytes(f[l3 + 2:l3 + 4], "big")
            end = l3 + total if total else len(f)
        elif ethertype == ETHERTYPE_IPV6 and len(f) >= l3 + 40 and f[l3 + 6] == 6:
            addr_len, src, tcp = 16, l3 + 8, l3 + 40
            end = tcp + int.from_bytes(f[l3 + 4:l3 + 6], "big")
        else:
            return
        if len(f) < tcp + 20:
            return
        self.l3, self.ipv4, self.tcp = l3, addr_len == 4, tcp
        self.src, self.dst = f[src:src + addr_len], f[src + addr_len:src + 2 * addr_len]
        self.sport, self.dport, self.seq, self.ack = struct.unpack_from(">HHII", f, tcp)
        self.flags = f[tcp + 13]
        self.payload_len = max(0, min(end, len(f)) - tcp - (f[tcp + 12] >> 4) * 4)

    def seq_end(self):
        return (self.seq + self.payload_len + (1 if self.flags & (TCP_SYN | TCP_FIN) else 0)) & 0xFFFFFFFF


class Flow:
    """One TCP connection of a template: its packets, its client and where the bulk goes."""

    def __init__(self, first, client_index):
        client_first = first.flags & TCP_SYN and not first.flags & TCP_ACK or first.dport == RDP_PORT or \
            (first.sport != RDP_PORT and first.sport > first.dport)
        self.client = (first.src, first.sport) if client_first else (first.dst, first.dport)
        self.client_index = client_index
        self.packets = []
        self.bulk_at = None           # index in packets of the first FIN or RST

    def add(self, p):
        p.flow = self
        p.dir = 0 if (p.src, p.sport) == self.client else 1    # 0: from the client
        if self.bulk_at is None and p.flags & (TCP_FIN | TCP_RST):
            self.bulk_at = len(self.packets)
        self.packets.append(p)


class Template:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] not in PCAP_MAGICS:
            sys.exit(f"{path}: not a classic pcap file (convert a pcapng with: editcap -F pcap IN OUT)")
        order, ticks_per_us = PCAP_MAGICS[data[:4]]
        link_type = struct.unpack_from(order + "I", data, 20)[0]
        if link_type != 1:
            sys.exit(f"{path}: link type {link_type}; only Ethernet templates are supported")
        self.packets, self.flows, self.other = [], [], []
        flows, client_addrs = {}, {}
        pos = 24
        while pos + 16 <= len(data):
            sec, frac, cap_len, orig_len = struct.unpack_from(order + "IIII", data, pos)
            p = Packet(sec * 1000000 + frac // ticks_per_us, data[pos + 16:pos + 16 + cap_len], orig_len)
            pos += 16 + cap_len
            self.packets.append(p)
            if p.tcp is None:
                self.other.append(p)
                continue
            key = frozenset(((p.src, p.sport), (p.dst, p.dport)))
            if key not in flows:
                flow = Flow(p, 0)
                flow.client_index = client_addrs.setdefault(flow.client[0], len(client_addrs))
                flows[key] = flow
                self.flows.append(flow)
            flows[key].add(p)
        if not self.packets:
            sys.exit(f"{path}: no packets")
        if len(client_addrs) > 255:
            sys.exit(f"{path}: more than 255 client addresses")
        self.start = min(p.ts for p in self.packets)
        self.duration = max(p.ts for p in self.packets) - self.start


def client_address(template_addr, index, copy):
    if len(template_addr) == 4:
        return bytes((10, index, copy >> 8 & 255, copy & 255))
    return b"\xfd" + bytes(11) + index.to_bytes(2, "big") + copy.to_bytes(2, "big")


class BulkStream:
    """Endless TLS application-data records with random bodies, sliced into segments."""

    def __init__(self, seed):
        rng = random.Random(seed)
        pattern = b"".join(b"\x17\x03\x03" + n.to_bytes(2, "big") + rng.randbytes(n) for n in RECORD_SIZES)
        self.size = len(pattern)
        self.doubled = pattern + pattern[:MSS]

    def segment(self, offset, length):
        start = offset % self.size
        return self.doubled[start:start + length]


def build_segment(eth, src, dst, sport, dport, seq, ack, flags, payload):
    tcp = bytearray(struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                                0xFFFF, 0, 0)) + payload
    tcp_len = len(tcp)
    pseudo = src + dst + (struct.pack(">HH", 6, tcp_len) if len(src) == 4 else struct.pack(">IxxxB", tcp_len, 6))
    struct.pack_into(">H", tcp, 16, checksum_of(ones_sum(pseudo) + ones_sum(tcp)))
    if len(src) == 4:
        ip = bytearray(struct.pack(">BBHHHBBH", 0x45, 0, 20 + tcp_len, 0, 0x4000, 64, 6, 0)) + src + dst
        struct.pack_into(">H", ip, 10, checksum_of(ones_sum(ip)))
    else:
        ip = struct.pack(">IHBB", 6 << 28, tcp_len, 6, 64) + src + dst
    return bytes(eth) + bytes(ip) + bytes(tcp)


class CopiedFlow:
    """One connection of one copy: its packets, rewritten and with the bulk inserted, in time order."""

    def __init__(self, flow, copy, time_shift, bulk, stream):
        self.flow, self.time_shift, self.bulk, self.stream = flow, time_shift, bulk, stream
        self.addr = client_address(flow.client[0], flow.client_index, copy)
        self.seq_shift = [0, 0]       # bulk bytes sent per direction, added to later sequence numbers
        self.delay = 0                # the bulk's duration, added to later times

    def packets(self):
        at = self.flow.bulk_at if self.flow.bulk_at is not None else len(self.flow.packets)
        for i, p in enumerate(self.flow.packets):
            if i == at and self.bulk:
                yield from self.bulk_packets(i)
            yield p.ts + self.time_shift + self.delay, self.rewrite(p), p.orig_len
        if at == len(self.flow.packets) and self.bulk:
            yield from self.bulk_packets(at)

    def rewrite(self, p):
        f = bytearray(p.frame)
        addr_len = len(p.src)
        addr_at = p.l3 + (12 if p.ipv4 else 8) + (0 if p.dir == 0 else addr_len)
        old_addr = f[addr_at:addr_at + addr_len]
        f[addr_at:addr_at + addr_len] = self.addr
        tcp_sum = struct.unpack_from(">H", f, p.tcp + 16)[0]
        tcp_sum = updated_checksum(tcp_sum, old_addr, self.addr)
        if p.ipv4:
            ip_sum = struct.unpack_from(">H", f, p.l3 + 10)[0]
            struct.pack_into(">H", f, p.l3 + 10, updated_checksum(ip_sum, old_addr, self.addr))
        if self.seq_shift != [0, 0]:
            old = f[p.tcp + 4:p.tcp + 12]
            ack = p.ack + self.seq_shift[1 - p.dir] if p.flags & TCP_ACK else p.ack
            struct.pack_into(">II", f, p.tcp + 4, (p.seq + self.seq_shift[p.dir]) & 0xFFFFFFFF, ack & 0xFFFFFFFF)
            tcp_sum = updated_checksum(tcp_sum, old, f[p.tcp + 4:p.tcp + 12])
        struct.pack_into(">H", f, p.tcp + 16, tcp_sum)
        return bytes(f)

    def bulk_packets(self, at):
        before = self.flow.packets[:at]
        last = before[-1] if before else self.flow.packets[0]
        next_seq, eth, ends = [None, None], [None, None], [None, None]
        for p in before:
            ends[p.dir] = p.seq_end() if ends[p.dir] is None or \
                (p.seq_end() - ends[p.dir]) & 0xFFFFFFFF < 0x80000000 else ends[p.dir]
            eth[p.dir] = eth[p.dir] or p.frame[:p.l3]
            if p.flags & TCP_ACK:
                next_seq[1 - p.dir] = p.ack
        for d in (0, 1):
            next_seq[d] = ends[d] if ends[d] is not None else next_seq[d] or 1
        for d in (0, 1):
            if eth[d] is None:
                other = eth[1 - d] or last.frame[:last.l3]
                eth[d] = other[6:12] + other[0:6] + other[12:]
        client = (self.addr, self.flow.client[1])
        server = (last.dst, last.dport) if last.dir == 0 else (last.src, last.sport)
        ends_of = ((client, server), (server, client))       # (source, destination) per direction
        remaining = [self.bulk - self.bulk * SERVER_SHARE // 10, self.bulk * SERVER_SHARE // 10]
        sent = [0, 0]
        ts = last.ts + self.time_shift + self.delay
        since_ack = 0
        for n in itertools.count():
            if remaining == [0, 0]:
                break
            d = 0 if (n % 10 == 9 and remaining[0]) or not remaining[1] else 1
            size = min(MSS, remaining[d])
            (src, sport), (dst, dport) = ends_of[d]
            ts += SEGMENT_INTERVAL_US
            payload = self.stream.segment(sent[d], size)
            yield ts, build_segment(eth[d], src, dst, sport, dport, next_seq[d] + sent[d],
                                    next_seq[1 - d] + sent[1 - d], TCP_ACK | TCP_PSH, payload), None
            sent[d] += size
            remaining[d] -= size
            since_ack += 1
            if since_ack == 2:            # the receiver's ACK of every second segment
                since_ack = 0
                r = 1 - d
                yield ts + 10, build_segment(eth[r], dst, src, dport, sport, next_seq[r] + sent[r],
                                             next_seq[d] + sent[d], TCP_ACK, b""), None
        self.seq_shift = sent
        self.delay = ts - (last.ts + self.time_shift + self.delay) + 10


def merged_packets(templates, copies, overlap, bulk):
    """(time, frame, original length) of every copy, merged in time order; a flow starts only when due."""
    span = max(t.duration for t in templates) + (bulk // MSS + 2) * SEGMENT_INTERVAL_US
    shift = max(1, span // overlap)
    base = templates[0].start
    stream = BulkStream(seed=1)
    order = itertools.count()
    heap = []
    for k in range(copies):
        t = templates[k % len(templates)]
        time_shift = base + k * shift - t.start
        for flow in t.flows:
            heap.append((flow.packets[0].ts + time_shift, next(order), None, (flow, k, time_shift)))
        if t.other:
            heap.append((t.other[0].ts + time_shift, next(order), None, (None, k, time_shift)))
    heapq.heapify(heap)
    while heap:
        ts, _, packets, item = heapq.heappop(heap)
        if packets is None:
            flow, k, time_shift = item
            if flow is None:
                packets = ((p.ts + time_shift, p.frame, p.orig_len) for p in templates[k % len(templates)].other)
            else:
                packets = CopiedFlow(flow, k, time_shift, bulk, stream).packets()
        else:
            yield item
        following = next(packets, None)
        if following is not None:
            heapq.heappush(heap, (following[0], next(order), packets, following))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("templates", nargs="+")
    parser.add_argument("--copies", type=int, required=True, help="copies of the templates, in turn (at most 65536)")
    parser.add_argument("--overlap", type=int, default=1, help="copies running at the same time (default 1)")
    parser.add_argument("--bulk", type=int, default=0, help="bytes of synthetic TLS records per connection")
    args = parser.parse_args()
    if not 0 < args.copies <= 65536 or args.overlap < 1 or args.bulk < 0:
        parser.error("--copies must be 1-65536, --overlap at least 1, --bulk not negative")
    templates = [Template(path) for path in args.templates]
    packets = size = 0
    with open(args.out, "wb", buffering=1 << 20) as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for ts, frame, orig_len in merged_packets(templates, args.copies, args.overlap, args.bulk):
            out.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), orig_len or len(frame)))
            out.write(frame)
            packets += 1
            size += 16 + len(frame)
    connections = sum(len(templates[k % len(templates)].flows) for k in range(args.copies))
    print(f"{args.out}: {packets} packets, {connections} TCP address pairs, {(size + 24) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
