"""test_bad_inputs.py - every bad input gets one line naming the file, the documented exit status,
and the other inputs are still analysed.

Usage: test_bad_inputs.py ANALYZER SOURCE_DIR
"""
import os
import struct
import sys
import tempfile

from harness import Checks, run, run_json

analyzer = sys.argv[1]
c = Checks("bad_inputs")
tmp = tempfile.mkdtemp(prefix="cssp-bad-")


def write(name, data):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def x224_connection_request_frame():
    """An Ethernet/IPv4/TCP frame carrying a real-shaped X.224 CR with RDP_NEG_REQ (SSL|HYBRID)."""
    cookie = b"Cookie: mstshash=tester\r\n"
    neg = bytes([0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00])
    x224 = bytes([6 + len(cookie) + len(neg), 0xE0, 0, 0, 0, 0, 0]) + cookie + neg
    tpkt = bytes([3, 0]) + struct.pack(">H", 4 + len(x224)) + x224
    tcp = struct.pack(">HHIIBBHHH", 50000, 3389, 1000, 0, 5 << 4, 0x18, 65535, 0, 0) + tpkt
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2])) + tcp
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


good = write("good.pcap", pcap([x224_connection_request_frame()]))
rc, conns, err = run_json(analyzer, good)
c.equal(rc, 0, "good capture exit status")
c.equal(len(conns), 1, "good capture: one connection")
c.equal(conns[0]["cookie"] if conns else None, "tester", "good capture cookie")
c.equal(conns[0]["requested_protocols"] if conns else None, ["SSL", "HYBRID"], "good capture requested protocols")


def expect_error(name, path, words, *extra):
    """The bad file gives status 2 and one line naming it; the good capture is still reported."""
    rc, conns, err = run_json(analyzer, *extra, path, good)
    lines = [l for l in err.splitlines() if l.strip()]
    c.equal(rc, 2, f"{name}: exit status")
    c.check(any(path in l and all(w in l.lower() for w in words) for l in lines),
            f"{name}: a line naming {path} with {words}; got {lines}")
    c.equal(len(conns), 1, f"{name}: the other input is still analysed")


missing = os.path.join(tmp, "missing.pcap")
expect_error("missing file", missing, ["no such file"])
expect_error("directory", tmp, ["directory"])
expect_error("empty file", write("empty.pcap", b""), ["empty"])
expect_error("not a capture", write("text.pcap", b"this is not a capture file at all\n" * 4), ["not a"])
expect_error("truncated header", write("short.pcap", pcap([])[:10]), [])

# A truncated last packet: analysed as far as it goes, with a warning, status unchanged.
data = pcap([x224_connection_request_frame(), x224_connection_request_frame()])
cut = write("cut.pcap", data[:-20])
rc, conns, err = run_json(analyzer, cut)
c.equal(rc, 0, "truncated last packet: exit status")
c.check("truncated" in err and cut in err, f"truncated last packet: warning naming the file; got {err!r}")
c.equal(len(conns), 1, "truncated last packet: the connection before the cut is reported")

# Key logs: garbage lines are reported, good lines still used, the run goes on.
keylog = write("garbage.keys", b"# comment\nCLIENT_RANDOM zz 00\n\x00\x01\x02 binary\nNOT_A_LABEL 00 00\n"
               b"CLIENT_RANDOM " + b"ab" * 32 + b" " + b"cd" * 48 + b"\n")
rc, conns, err = run_json(analyzer, "-k", keylog, good)
c.check(keylog in err, f"garbage key log: named in a warning; got {err!r}")
c.equal(len(conns), 1, "garbage key log: capture still analysed")
c.check(("cd" * 48) not in err and ("cd" * 48) not in "".join(map(str, conns)), "secrets never printed")
expect_error("missing key log", os.path.join(tmp, "nokeys.log"), [], "-k", os.path.join(tmp, "nokeys.log"))

# RSA keys: a file that is no key, and an encrypted key.
expect_error("invalid RSA key", write("bad.pem", b"-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"),
             [], "--rsa-key", os.path.join(tmp, "bad.pem"))
enc = write("enc.pem", b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
            b"-----END ENCRYPTED PRIVATE KEY-----\n")
expect_error("encrypted RSA key", enc, [], "--rsa-key", enc)

# Usage errors.
rc, out, err = run(analyzer)
c.equal(rc, 2, "no argument: exit status")
rc, out, err = run(analyzer, "--no-such-option", good)
c.equal(rc, 2, "unknown option: exit status")
rc, out, err = run(analyzer, "-f", "tcp port", good)
c.equal(rc, 2, "bad BPF filter: exit status")
rc, out, err = run(analyzer, "--version")
c.check(rc == 0 and out.startswith("credssp-analyze "), "--version")

c.finish()
