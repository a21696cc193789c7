"""test_inputs.py - the capture inputs credssp-analyze reads: every link type met in practice, IPv4 and IPv6,
802.1Q and QinQ tags, RDP found by content on any port, several files in one run, a BPF filter.

Usage: test_inputs.py ANALYZER SOURCE_DIR
"""
import os
import sys

import synth
from harness import Checks, run_json, scratch_dir

analyzer = sys.argv[1]
c = Checks("inputs")
tmp, write = scratch_dir("cssp-inputs-")


cases = [
    ("ethernet", synth.ETHERNET, 0, "10.1.1.1", "10.1.1.2"),
    ("vlan", synth.ETHERNET, 1, "10.1.1.1", "10.1.1.2"),
    ("qinq", synth.ETHERNET, 2, "10.1.1.1", "10.1.1.2"),
    ("ethernet6", synth.ETHERNET, 0, "2001:db8::1", "2001:db8::2"),
    ("sll", synth.SLL, 0, "10.1.1.1", "10.1.1.2"),
    ("sll2", synth.SLL2, 0, "2001:db8::1", "2001:db8::2"),
    ("raw", synth.RAW, 0, "10.1.1.1", "10.1.1.2"),
    ("ipv4", synth.IPV4, 0, "10.1.1.1", "10.1.1.2"),
    ("ipv6", synth.IPV6, 0, "2001:db8::1", "2001:db8::2"),
    ("null", synth.NULL, 0, "10.1.1.1", "10.1.1.2"),
    ("loop", synth.LOOP, 0, "2001:db8::1", "2001:db8::2"),
]
for name, linktype, tags, client, server in cases:
    frames = synth.negotiation(client, server, 49152, 3389, synth.x224_request(b"lt-" + name.encode()),
                               synth.x224_confirm(0x02, 0x1), linktype, tags)
    path = write(name + ".pcap", synth.pcap(linktype, frames))
    rc, conns, err = run_json(analyzer, path)
    c.equal(len(conns), 1, f"{name}: one connection")
    if not conns:
        continue
    x = conns[0]
    fmt = (lambda a, p: f"[{a}]:{p}") if ":" in client else (lambda a, p: f"{a}:{p}")
    c.equal(x["client"], fmt(client, 49152), f"{name}: client")
    c.equal(x["server"], fmt(server, 3389), f"{name}: server")
    c.equal(x["cookie"], "lt-" + name, f"{name}: cookie")
    c.equal(x["requested_protocols"], ["SSL", "HYBRID"], f"{name}: requested")
    c.equal(x["selected_protocol"], "SSL", f"{name}: selected")
    c.equal(x["verdict"], "no_nla", f"{name}: verdict")
    c.equal(x["evidence"], "cleartext", f"{name}: evidence")
    c.check("nla_not_used" in x["findings"], f"{name}: nla_not_used")
    c.equal(x["start"], "2023-11-14T22:13:20.000000Z", f"{name}: start time")
    c.equal(rc, 0, f"{name}: exit status")

# RDP is found by content on any port, and a negotiation failure is named.
odd_port = write("port.pcap", synth.pcap(synth.ETHERNET, synth.negotiation(
    "192.0.2.10", "192.0.2.20", 40000, 13389, synth.x224_request(b"odd", 0x1), synth.x224_confirm(0x03, 5))))
rc, conns, err = run_json(analyzer, odd_port)
c.equal([x["server"] for x in conns], ["192.0.2.20:13389"], "non-standard port found by content")
c.equal(conns[0]["negotiation_failure"] if conns else None, "HYBRID_REQUIRED_BY_SERVER", "failure name")
c.equal(conns[0]["verdict"] if conns else None, "negotiation_failed", "failure verdict")

# Not RDP: a plain TCP exchange on another port is not reported.
http = [synth.link(synth.ETHERNET, synth.ip("192.0.2.1", "192.0.2.2", synth.tcp(40001, 80, 1, 0, 0x18,
                                                                            b"GET / HTTP/1.0\r\n\r\n")))]
rc, conns, err = run_json(analyzer, write("http.pcap", synth.pcap(synth.ETHERNET, http)))
c.equal(conns, [], "non-RDP traffic is not reported")

# Several files in one run, reported in order of each connection's first packet; a BPF filter.
first = write("a.pcap", synth.pcap(synth.ETHERNET, synth.negotiation("10.9.0.1", "10.9.0.2", 50001, 3389,
                                                                       synth.x224_request(b"one"), synth.x224_confirm()),
                                   start=1700000000))
second = write("b.pcap", synth.pcap(synth.ETHERNET, synth.negotiation("10.9.0.3", "10.9.0.4", 50002, 3389,
                                                                        synth.x224_request(b"two"), synth.x224_confirm()),
                                    start=1700000100))
rc, conns, err = run_json(analyzer, first, second)
c.equal([x["cookie"] for x in conns], ["one", "two"], "two files, in order")
rc, conns, err = run_json(analyzer, "-f", "host 10.9.0.3", first, second)
c.equal([x["cookie"] for x in conns], ["two"], "BPF filter")

# The same address and port pair used twice in a row: two connections.
reuse = synth.negotiation("10.8.0.1", "10.8.0.2", 50100, 3389, synth.x224_request(b"first"), synth.x224_confirm())
reuse += synth.negotiation("10.8.0.1", "10.8.0.2", 50100, 3389, synth.x224_request(b"second"),
                           synth.x224_confirm(0x03, 5))
rc, conns, err = run_json(analyzer, write("reuse.pcap", synth.pcap(synth.ETHERNET, reuse)))
c.equal([(x["cookie"], x["verdict"]) for x in conns], [("first", "no_nla"), ("second", "negotiation_failed")],
        "port reuse gives two connections")

# CredSSP in clear (a TLS-stripping proxy's capture), each PDU cut into 7-byte TCP segments: reassembled.
clear = synth.stream("10.7.0.1", "10.7.0.2", 50200, 33890, [
    (True, synth.x224_request(b"split", 0xB)), (False, synth.x224_confirm(0x02, 0x2)),
    (True, synth.tsrequest(6, synth.ntlm_negotiate())), (False, synth.tsrequest(3))], split=7)
rc, conns, err = run_json(analyzer, write("clear.pcap", synth.pcap(synth.ETHERNET, clear)))
c.equal([(x["client_version"], x["server_version"], x["evidence"]) for x in conns], [(6, 3, "cleartext")],
        "cleartext CredSSP split over segments")
c.equal(conns[0]["client_os"] if conns else None, "10.0.17763", "NTLM VERSION of the split NEGOTIATE")
c.check(conns and "server_unpatched" in conns[0]["findings"], "cleartext: server_unpatched")

# A capture that starts in the middle of a TLS connection on 3389: still reported, without negotiation.
records = [(True, bytes([23, 3, 3, 0, 40]) + bytes(40)), (False, bytes([23, 3, 3, 0, 90]) + bytes(90))]
late = synth.stream("10.7.1.1", "10.7.1.2", 50300, 3389, records, handshake=False)
rc, conns, err = run_json(analyzer, write("late.pcap", synth.pcap(synth.ETHERNET, late)))
c.equal(len(conns), 1, "mid-connection TLS on 3389 is reported")
c.equal((conns[0]["server"], conns[0]["requested_protocols"], conns[0]["verdict"]) if conns else None,
        ("10.7.1.2:3389", None, "incomplete"), "mid-connection: server, no negotiation, incomplete")

c.finish()
