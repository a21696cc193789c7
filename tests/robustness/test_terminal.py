"""test_terminal.py - text from the wire or from a file name reaches the terminal inert (issue 13, point 1).

Usage: test_terminal.py ANALYZER

A client picks its NTLM user and domain: here they carry an OSC title change, a CSI screen clear, BEL, CR,
a newline followed by a forged report line, a C1 CSI (U+009B) and a bidirectional override (U+202E). File
names carry the same and bytes that are not UTF-8. The text report and stderr must show every such byte
escaped as \\xNN (cssp/inert.h) and keep their own line structure; JSON keeps the exact name (it escapes
by itself).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "analyzer"))
sys.path.insert(0, HERE)
import rdp_capture as rc  # noqa: E402
import synth  # noqa: E402
from harness import Checks, scratch_dir  # noqa: E402
import subprocess  # noqa: E402

analyzer = sys.argv[1]
c = Checks("terminal")
tmp, write = scratch_dir("cssp-terminal-")

USER = "\x1b]0;pwned\x07\x1b[2J\r\n    verdict      ok\u009b31m\u202e"
DOMAIN = "EVIL\x1b[1A"


def run_bytes(*args):
    p = subprocess.run([analyzer, "--no-progress", *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def harmful(data):
    """The bytes of `data` (UTF-8 text) that a terminal acts on: C0 but newline, DEL, C1, bidi overrides."""
    text = data.decode("utf-8", errors="surrogateescape")  # a byte that is not UTF-8 becomes U+DC80..U+DCFF
    return [ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f
            or 0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069 or 0xdc80 <= ord(ch) <= 0xdcff]


msgs = [(rc.CLIENT, rc.tsrequest(6, rc.ntlm_negotiate(), client_nonce=rc.CLIENT_NONCE)),
        (rc.SERVER, rc.tsrequest(6, rc.ntlm_challenge())),
        (rc.CLIENT, rc.tsrequest(6, rc.ntlm_authenticate(user=USER, domain=DOMAIN), pub_key_auth=rc.PUB_KEY_AUTH,
                                 client_nonce=rc.CLIENT_NONCE)),
        (rc.SERVER, rc.tsrequest(6, pub_key_auth=rc.PUB_KEY_AUTH))]
tls_chunks, keylog = rc.tls_conversation(msgs)
chunks = [(rc.CLIENT, synth.x224_request(b"term")), (rc.SERVER, synth.x224_confirm(0x02, 0x2))]
capture = write("hostile-user.pcap", synth.pcap(synth.ETHERNET, rc.conversation_frames(chunks + tls_chunks)))
keys = write("hostile-user.keys", keylog.encode())

status, out, err = run_bytes("--json", "-k", keys, capture)
conns = [json.loads(line) for line in out.splitlines()]
c.equal([x.get("user") for x in conns], [DOMAIN + "\\" + USER], "JSON: the exact name, escaped by JSON itself")

status, out, err = run_bytes("-k", keys, capture)
c.equal(harmful(out), [], "text report: no control byte, C1 or bidi override reaches the terminal")
user_lines = [line for line in out.split(b"\n") if line.startswith(b"    user ")]
c.equal(len(user_lines), 1, "text report: the user stays on one line")
c.equal(user_lines[0] if user_lines else None,
        b"    user         EVIL\\x1b[1A\\\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0a    verdict      ok\\xc2\\x9b31m\\xe2\\x80\\xae",
        "text report: each byte shown as \\xNN")
c.equal(len([line for line in out.split(b"\n") if line.startswith(b"    verdict ")]), 1,
        "text report: no forged verdict line")

# File names on stderr: a capture, a key log and an RSA key that do not exist, named to forge lines.
evil = os.fsencode(tmp) + b"/x\x1b[2J\n#2  verdict ok\x9b\xff"  # \x9b and \xff alone: not UTF-8
evil_name = os.fsdecode(evil)
status, out, err = run_bytes("-k", evil_name + ".keys", "--rsa-key", evil_name + ".pem", evil_name + ".pcap")
c.equal(status, 2, "missing inputs: exit 2")
lines = err.split(b"\n")
c.equal(lines[-1], b"", "stderr ends with a newline")
c.equal(len(lines) - 1, 3, "stderr: one line per missing input")
c.equal(harmful(err), [], "stderr: no control byte, C1 or invalid UTF-8 reaches the terminal")
c.check(all(b"x\\x1b[2J\\x0a#2  verdict ok\\x9b\\xff" in line for line in lines[:-1]),
        f"stderr: the names shown escaped: {err!r}")

c.finish()
