"""test_streams.py - captures that can be read only once: FIFOs, process substitution, standard input
(issue 13, points 3 and 4); pcapng files whose interfaces have different link types (point 5).

Usage: test_streams.py ANALYZER SOURCE_DIR

The capture is one RDP connection inside real TLS (tests/robustness/rdp_capture.py): a patched client
(CredSSP 6) meeting a server that offers CredSSP 3, the client stopping after the server's first TSRequest
- by construction a version_mismatch, exit status 1. It is written as pcap and as pcapng with its key log in
a Decryption Secrets Block, and given through a named pipe, through bash's process substitution and on
standard input: each input must be read whole, once, and the embedded secrets used.
"""
import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "robustness"))
import rdp_capture as rc  # noqa: E402
import synth  # noqa: E402
from harness import Checks, scratch_dir  # noqa: E402
import json  # noqa: E402

analyzer = sys.argv[1]
c = Checks("streams")
tmp, write = scratch_dir("cssp-streams-")

tls_chunks, keylog = rc.tls_conversation(rc.credssp_exchange(client_version=6, server_version=3, outcome="mismatch"))
frames = rc.conversation_frames([(rc.CLIENT, synth.x224_request(b"pipe")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))]
                                + tls_chunks)
pcap_bytes = synth.pcap(synth.ETHERNET, frames)
pcapng_bytes = synth.pcapng([synth.ETHERNET], [(0, f) for f in frames], keylog=keylog)
pcap_path = write("mismatch.pcap", pcap_bytes)
keys_path = write("mismatch.keys", keylog.encode())
pcapng_path = write("mismatch-dsb.pcapng", pcapng_bytes)


def verdicts(p):
    out = p.stdout.decode() if isinstance(p.stdout, bytes) else p.stdout
    return [json.loads(line)["verdict"] for line in out.splitlines() if line.strip()]


def expect_mismatch(p, what):
    c.equal(verdicts(p), ["version_mismatch"], f"{what}: the verdict")
    c.equal(p.returncode, 1, f"{what}: exit status")
    c.equal(p.stderr.decode() if isinstance(p.stderr, bytes) else p.stderr, "", f"{what}: nothing on stderr")


def run(*args, timeout=120, **kw):
    return subprocess.run([analyzer, "--no-progress", "--json", *args], capture_output=True, timeout=timeout, **kw)


# The files themselves: the reference.
expect_mismatch(run("-k", keys_path, pcap_path), "pcap file with -k")
expect_mismatch(run(pcapng_path), "pcapng file with a DSB")

# Standard input: the secrets embedded in a pcapng (point 4).
with open(pcapng_path, "rb") as f:
    expect_mismatch(run("-", stdin=f), "pcapng with a DSB on standard input")
with open(pcap_path, "rb") as f:
    expect_mismatch(run("-k", keys_path, "-", stdin=f), "pcap on standard input")


# A named pipe (point 3): the writer blocks until the analyzer opens it, and it must be opened once.
def through_fifo(name, data, *args):
    fifo = os.path.join(tmp, name)
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as w:
            w.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        p = run(*args, fifo, timeout=30)
    except subprocess.TimeoutExpired:
        p = subprocess.CompletedProcess([], -1, b"", b"timed out")
    writer.join(5)
    c.check(not writer.is_alive(), f"{name}: the writer finished (the pipe was read to its end)")
    if writer.is_alive():  # unblock it so the test can end
        with open(fifo, "rb") as r:
            r.read()
    return p


expect_mismatch(through_fifo("ng.fifo", pcapng_bytes), "pcapng with a DSB through a FIFO")
expect_mismatch(through_fifo("pcap.fifo", pcap_bytes, "-k", keys_path), "pcap through a FIFO")

# Process substitution, as a shell user writes it.
p = subprocess.run(["bash", "-c", 'exec "$0" --no-progress --json <(cat "$1")', analyzer, pcapng_path],
                   capture_output=True, timeout=120)
expect_mismatch(p, "pcapng with a DSB through <(...)")

# Interfaces of different link types (dumpcap -i eth0 -i lo): libpcap 1.10 refuses such a file after the first
# interface. Three interfaces (Ethernet, Linux SLL2, raw IP), one connection on each, interleaved; the mismatch
# connection above on the SLL2 interface. Each connection is what synth/rdp_capture built: no_nla (SSL
# selected), negotiation_failed (HYBRID_REQUIRED_BY_SERVER), version_mismatch.
eth = synth.negotiation("10.1.1.1", "10.1.1.2", 49152, 3389, synth.x224_request(b"eth"), synth.x224_confirm(0x02, 0x1),
                        synth.ETHERNET)
raw = synth.negotiation("10.3.3.1", "10.3.3.2", 49154, 3389, synth.x224_request(b"raw"), synth.x224_confirm(0x03, 5),
                        synth.RAW)
sll2 = rc.conversation_frames([(rc.CLIENT, synth.x224_request(b"pipe")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))]
                              + tls_chunks, linktype=synth.SLL2)
mixed = []
for i in range(max(len(eth), len(raw), len(sll2))):
    mixed += [(n, frames_[i]) for n, frames_ in ((0, eth), (1, sll2), (2, raw)) if i < len(frames_)]
mixed_path = write("mixed.pcapng", synth.pcapng([synth.ETHERNET, synth.SLL2, synth.RAW], mixed, keylog=keylog))
p = run(mixed_path)
c.equal(sorted(verdicts(p)), ["negotiation_failed", "no_nla", "version_mismatch"], "mixed link types: all three")
c.equal((p.returncode, p.stderr), (1, b""), "mixed link types: the mismatch's status, no warning")
p = run("-f", "host 10.3.3.1 or tcp port 50123", mixed_path)
c.equal(sorted(verdicts(p)), ["negotiation_failed", "version_mismatch"], "mixed link types: a filter per link type")
with open(mixed_path, "rb") as f:
    p = run("-", stdin=f)
c.equal(sorted(verdicts(p)), ["negotiation_failed", "no_nla", "version_mismatch"], "mixed link types on stdin")
# A second section whose interface has another link type (a capture appended to another, mergecap -a).
two_sections = (synth.pcapng([synth.ETHERNET], [(0, f) for f in eth])
                + synth.pcapng([synth.RAW], [(0, f) for f in raw], start=1700000100))
p = run(write("sections.pcapng", two_sections))
c.equal((sorted(verdicts(p)), p.returncode, p.stderr), (["negotiation_failed", "no_nla"], 0, b""),
        "two sections of different link types")

c.finish()
