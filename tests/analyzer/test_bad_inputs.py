"""test_bad_inputs.py - every bad input gets one line naming the file, the documented exit status,
and the other inputs are still analysed.

Usage: test_bad_inputs.py ANALYZER SOURCE_DIR
"""
import os
import struct
import sys

import synth
from harness import Checks, run, run_json, scratch_dir

analyzer = sys.argv[1]
c = Checks("bad_inputs")
tmp, write = scratch_dir("cssp-bad-")


good = write("good.pcap", synth.pcap(synth.ETHERNET, synth.negotiation("10.0.0.1", "10.0.0.2", 50000, 3389,
                                                                 synth.x224_request(), synth.x224_confirm())))
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
expect_error("truncated header", write("short.pcap", synth.pcap(synth.ETHERNET, [])[:10]), [])

# A truncated last packet: analysed as far as it goes, with a warning, status unchanged.
data = synth.pcap(synth.ETHERNET, synth.negotiation("10.0.0.1", "10.0.0.2", 50000, 3389, synth.x224_request(),
                                                   synth.x224_confirm()))
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
