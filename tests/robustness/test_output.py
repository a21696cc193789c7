"""test_output.py - output is never lost without a word (issue 13, point 2).

Usage: test_output.py ANALYZER SOURCE_DIR

With standard output on a full device (/dev/full), closed, or a pipe whose reader has gone while SIGPIPE is
ignored, the analyzer must say so in one line on stderr and exit with status 2 (as coreutils do), in text and
JSON, and for --version and --help; never exit 0 or 1 as if the report had been delivered. The capture is a recorded
sample whose verdict is a refusal (exit status 1 when the output is fine, samples/README.md).
"""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "analyzer"))
from harness import Checks  # noqa: E402

analyzer, source = sys.argv[1], sys.argv[2]
c = Checks("output")
sample = os.path.join(source, "samples", "cell3-mismatch-server-v3-fin")
args = ["--no-progress", "-k", sample + ".keys", sample + ".pcap"]
MESSAGE = "credssp-analyze: write error on standard output: "


def check(what, expected_reason, status, err):
    lines = err.decode().splitlines()
    c.equal(status, 2, f"{what}: exit status")
    c.equal(len(lines), 1, f"{what}: one line on stderr")
    c.equal(lines[0] if lines else None, MESSAGE + expected_reason, f"{what}: the message")


ok = subprocess.run([analyzer, *args], capture_output=True)
c.equal(ok.returncode, 1, "intact output: the refusal's status")
c.check(len(ok.stdout) > 0, "intact output: a report")

for mode in ([], ["--json"]):
    name = "json" if mode else "text"
    with open("/dev/full", "wb") as full:
        p = subprocess.run([analyzer, *mode, *args], stdout=full, stderr=subprocess.PIPE)
    check(f"{name} to /dev/full", "No space left on device", p.returncode, p.stderr)

    p = subprocess.run([analyzer, *mode, *args], stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    check(f"{name} to a closed stdout", "Bad file descriptor", p.returncode, p.stderr)

    p = subprocess.Popen([analyzer, *mode, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
    p.stdout.close()  # the reader goes before the first byte
    err = p.stderr.read()
    check(f"{name} to a broken pipe, SIGPIPE ignored", "Broken pipe", p.wait(), err)

for option in ("--version", "--help"):
    with open("/dev/full", "wb") as full:
        p = subprocess.run([analyzer, option], stdout=full, stderr=subprocess.PIPE)
    check(f"{option} to /dev/full", "No space left on device", p.returncode, p.stderr)

c.finish()
