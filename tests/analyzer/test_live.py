"""test_live.py - live capture on loopback: credssp-analyze -i lo (issue 12, point 5).

Usage: test_live.py ANALYZER SOURCE_DIR

A scripted RDP exchange runs over a real TCP connection on 127.0.0.1 (the bytes of a real TLS session made by
tests/robustness/rdp_capture.py: a patched client, CredSSP 6, meeting a server that offers CredSSP 3; the client
stops after the server's first TSRequest, so by construction a version_mismatch). The analyzer, capturing on
lo with a filter on the test's port and the session's key log, must print that connection's JSON line while it
is still capturing, then stop on SIGINT with the status of a refusal (1); in text mode SIGINT prints the
summary. Without the capture privilege (as the user nobody) it must say so in one line and exit 2. Skips (77)
when this process cannot capture (not root and no capabilities).
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "robustness"))
import rdp_capture as rc  # noqa: E402
import synth  # noqa: E402
from harness import SKIP, Checks  # noqa: E402

analyzer = os.path.abspath(sys.argv[1])
c = Checks("live")
tmp = tempfile.mkdtemp(prefix="cssp-live-")
os.chmod(tmp, 0o755)


def start(*args):
    p = subprocess.Popen([analyzer, "--no-progress", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait for "capturing" on stderr, or the end of the process
    line = p.stderr.readline().decode()
    return p, line


def read_line(stream, seconds):
    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline().decode() if ready else ""


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]

tls_chunks, keylog = rc.tls_conversation(rc.credssp_exchange(6, 3, "mismatch"))
chunks = [(rc.CLIENT, synth.x224_request(b"live")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))] + tls_chunks
keys = os.path.join(tmp, "live.keys")
with open(keys, "w") as f:
    f.write(keylog)

def may_capture():
    """Root, or CAP_NET_RAW (bit 13) among this process's effective capabilities."""
    with open("/proc/self/status") as f:
        caps = [l.split()[1] for l in f if l.startswith("CapEff:")]
    return os.geteuid() == 0 or bool(caps and int(caps[0], 16) & (1 << 13))


if not may_capture():
    print("live: this process may not capture (neither root nor cap_net_raw): skipped")
    sys.exit(SKIP)
p, first = start("--json", "-k", keys, "-i", "lo", "-f", f"tcp port {port}")
c.equal(first.strip(), "credssp-analyze: lo: capturing (interrupt to stop and print the summary)", "the start line")

# The exchange, each side sending its bytes in the order they were made, the other reading them whole.
client = socket.create_connection(("127.0.0.1", port))
server, _ = listener.accept()
ends = {rc.CLIENT: client, rc.SERVER: server}
for side, data in chunks:
    ends[side].sendall(data)
    got = b""
    while len(got) < len(data):
        got += ends[1 - side].recv(len(data) - len(got))
client.close()  # the patched client gives up on the server's version
server.close()

line = read_line(p.stdout, 10)
c.check(p.poll() is None, "the verdict comes while the capture still runs")
x = json.loads(line) if line.strip() else {}
c.equal((x.get("cookie"), x.get("verdict"), x.get("evidence"), x.get("server")),
        ("live", "version_mismatch", "decrypted", f"127.0.0.1:{port}"), "the connection's verdict, live")
p.send_signal(signal.SIGINT)
try:
    status = p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
    status = None
c.equal(status, 1, "SIGINT: stops with the status of a refusal")

# Text mode: the summary at SIGTERM.
p, first = start("-i", "lo", "-f", f"tcp port {port}")
time.sleep(0.5)
p.send_signal(signal.SIGTERM)
out, err = p.communicate(timeout=10)
c.equal((p.returncode, out.decode()), (0, "Summary: 0 RDP connections, 0 refused for a CredSSP version mismatch\n"),
        "SIGTERM: the summary")

# Without the privilege: one clear line, exit 2 (as nobody, when this runs as root).
if os.geteuid() == 0 and os.path.exists("/usr/sbin/runuser"):
    q = subprocess.run(["/usr/sbin/runuser", "-u", "nobody", "--", analyzer, "-i", "lo"], capture_output=True,
                       text=True, timeout=30)
    lines = q.stderr.splitlines()
    c.equal(q.returncode, 2, "no privilege: exit status")
    c.check(len(lines) == 1 and lines[0].startswith("credssp-analyze: lo: cannot capture: ")
            and "cap_net_raw" in lines[0], f"no privilege: one clear line: {lines}")

listener.close()
c.finish()
