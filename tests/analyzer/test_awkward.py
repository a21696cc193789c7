"""test_awkward.py - awkward but honest inputs get the right answer or the real reason (issue 13, point 8).

Usage: test_awkward.py ANALYZER SOURCE_DIR

`--` before a file name that starts with '-'; standard input that is empty or not a capture; a key log that
is a directory; a bad BPF filter with several captures (one usage error); compressed captures (a hint);
the same file given twice; key-log messages with the program's name; a capture cut by its snap length (the
explanation says the capture is cut short, not that a side closed); an X.224 Confirm that precedes its
Request in the capture (two interfaces whose clocks differ: the verdict is kept).
"""
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "robustness"))
import rdp_capture as rc  # noqa: E402
import synth  # noqa: E402
from harness import Checks, run_json, scratch_dir  # noqa: E402

analyzer = os.path.abspath(sys.argv[1])
c = Checks("awkward")
tmp, write = scratch_dir("cssp-awkward-")
PREFIX = "credssp-analyze: "

good_bytes = synth.pcap(synth.ETHERNET, synth.negotiation("10.0.0.1", "10.0.0.2", 50000, 3389,
                                                          synth.x224_request(b"awk"), synth.x224_confirm()))
good = write("good.pcap", good_bytes)


def run_in(cwd, *args, stdin=None):
    p = subprocess.run([analyzer, "--no-progress", *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                       input=stdin)
    return p.returncode, p.stdout, [l for l in p.stderr.splitlines() if l]


# `--`: a file whose name starts with '-'.
shutil.copy(good, os.path.join(tmp, "-dash.pcap"))
status, out, err = run_in(tmp, "--json", "--", "-dash.pcap")
c.equal((status, len(out.splitlines()), err), (0, 1, []), "-- then -dash.pcap: read as a file")

# Standard input that is empty, or not a capture: the real reason.
status, out, err = run_in(tmp, "-", stdin="")
c.equal((status, err), (2, [PREFIX + "-: empty file, not a capture"]), "empty standard input")
status, out, err = run_in(tmp, "-", stdin="this is not a capture\n" * 3)
c.check(status == 2 and len(err) == 1 and err[0].startswith(PREFIX + "-: not a readable capture ("),
        f"standard input not a capture: {status} {err}")

# A key log that is a directory: the documented "cannot open" line, status 2, the capture still analysed.
status, conns, errtext = run_json(analyzer, "-k", tmp, good)
c.equal(errtext.splitlines(), [PREFIX + tmp + ": cannot open the key log: " + os.strerror(21)],
        "key log that is a directory")
c.equal((status, len(conns)), (2, 1), "key log that is a directory: status 2, capture analysed")

# A bad BPF filter: one usage error, whatever the number of captures; nothing is analysed.
status, out, err = run_in(tmp, "-f", "tcp prot 3389", good, "--", "-dash.pcap")
c.equal((status, len(err), out), (2, 1, ""), "bad filter: one line, status 2, no report")
c.check(bool(err) and err[0].startswith(PREFIX + 'bad filter "tcp prot 3389": '), f"bad filter: the line: {err}")

# Compressed captures: a hint. gzip is real; the others are their magic numbers before a pcap.
with open(good, "rb") as f:
    subprocess.run(["gzip", "-c"], stdin=f, stdout=open(os.path.join(tmp, "good.pcap.gz"), "wb"), check=True)
for name, magic in (("gz", None), ("zst", b"\x28\xb5\x2f\xfd"), ("lz4", b"\x04\x22\x4d\x18"),
                    ("xz", b"\xfd7zXZ\x00")):
    path = os.path.join(tmp, "good.pcap." + name) if magic is None else write("good.pcap." + name, magic + good_bytes)
    tool = {"gz": "gzip", "zst": "zstd", "lz4": "lz4", "xz": "xz"}[name]
    status, out, err = run_in(tmp, path)
    c.equal((status, err), (2, [PREFIX + path + f": compressed with {tool}, which this tool does not read; "
                                f"decompress it first, e.g. '{tool} -dc FILE | credssp-analyze -'"]),
            f"{name}: the hint")

# The same file twice (by the same name, by another name, on standard input): a warning, read once.
os.symlink(good, os.path.join(tmp, "link.pcap"))
status, conns, errtext = run_json(analyzer, good, os.path.join(tmp, "link.pcap"), good)
c.equal(len(conns), 1, "same file three times: its connection reported once")
c.equal(errtext.splitlines(), [PREFIX + os.path.join(tmp, "link.pcap") + ": warning: given more than once; read "
                               "only the first time", PREFIX + good + ": warning: given more than once; read only "
                               "the first time"], "same file: a warning per repeat")
c.equal(status, 0, "same file: status unchanged")

# Key-log messages carry the program's name.
garbage = write("garbage.keys", b"CLIENT_RANDOM zz 00\nNOT_A_LABEL 00 00\n")
status, conns, errtext = run_json(analyzer, "-k", garbage, good)
c.check(errtext and all(l.startswith(PREFIX + garbage + ":") for l in errtext.splitlines()),
        f"key-log messages: the program's prefix: {errtext!r}")

# The snap length: the client's credentials and the rest of every frame cut at 200 bytes. The connection
# did complete (rdp_capture's "ok" exchange) and both sides closed, but the capture cannot tell.
tls_chunks, keylog = rc.tls_conversation(rc.credssp_exchange(6, 6, "ok"))
frames = rc.conversation_frames([(rc.CLIENT, synth.x224_request(b"snap")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))]
                                + tls_chunks)
snap = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 200, 1)
for i, f in enumerate(frames):
    snap += struct.pack("<IIII", 1700000000 + i, 0, min(len(f), 200), len(f)) + f[:200]
snap_path = write("snap.pcap", snap)
keys = write("snap.keys", keylog.encode())
status, conns, errtext = run_json(analyzer, "-k", keys, snap_path)
x = conns[0] if conns else {}
c.equal((x.get("verdict"), x.get("problem")), ("incomplete", "a packet cut short by the capture's snap length"),
        "snap length: incomplete, with the note")
c.check("closed" not in x.get("explanation", "closed") and "capture" in x.get("explanation", ""),
        f"snap length: the explanation speaks of the capture, not of a close: {x.get('explanation')!r}")

# An X.224 Confirm before its Request (the server's side captured on an interface whose clock is ahead):
# a patched client (v6) meeting a server that offers v3 - by construction a version_mismatch.
tls_chunks, keylog = rc.tls_conversation(rc.credssp_exchange(6, 3, "mismatch"))
frames = rc.conversation_frames([(rc.CLIENT, synth.x224_request(b"skew")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))]
                                + tls_chunks)
assert len(frames[3]) > len(frames[4])  # 3: the Request, 4: the Confirm (after SYN, SYN/ACK, ACK)
skewed = write("skew.pcap", synth.pcap(synth.ETHERNET, frames[:3] + [frames[4], frames[3]] + frames[5:]))
keys = write("skew.keys", keylog.encode())
status, conns, errtext = run_json(analyzer, "-k", keys, skewed)
x = conns[0] if conns else {}
c.equal((x.get("cookie"), x.get("selected_protocol"), x.get("verdict"), status),
        ("skew", "HYBRID", "version_mismatch", 1), "Confirm before Request: the verdict is kept")
# Only the Confirm (the client's side not captured): still reported from the Confirm.
only_confirm = write("confirm.pcap", synth.pcap(synth.ETHERNET, frames[:3] + [frames[4]]))
status, conns, errtext = run_json(analyzer, only_confirm)
c.equal([(x["selected_protocol"], x["requested_protocols"]) for x in conns], [("HYBRID", None)],
        "a Confirm alone: reported")

c.finish()
