"""test_secrets.py - no byte of a key log's secrets, of a server's RSA key, or of a decrypted authInfo
ever reaches the analyzer's output (text, JSON, diagnostics) or the plugin's tree.

Usage: test_secrets.py ANALYZER [PLUGIN_DIR]

The captures are real TLS sessions (rdp_capture.py) that the analyzer decrypts: TLS 1.3, TLS 1.2
ECDHE (GCM, ChaCha20) and static RSA (CBC, GCM), with the key log given by -k, embedded as a pcapng
DSB, or replaced by --rsa-key. Their authInfo carries a marker. A leak is any 4-byte window of a
secret or of the marker, as raw bytes or as hex in either case. Each check first proves that the
analysis did decrypt (the CredSSP versions and the user were read), so it could have leaked.
With PLUGIN_DIR, tshark (as `nobody`, see corrupt_captures.py) dissects the same captures with the
key log and every field of the cssp plugin's protocol tree (PDML) is checked the same way.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "analyzer"))
sys.path.insert(0, HERE)
import rdp_capture as rc  # noqa: E402
from harness import Checks, run  # noqa: E402

analyzer = sys.argv[1]
plugin_dir = sys.argv[2] if len(sys.argv) > 2 and os.path.isdir(sys.argv[2]) else None
c = Checks("secrets")
tmp = tempfile.mkdtemp(prefix="cssp-secrets-")
os.chmod(tmp, 0o755)
WINDOW = 4


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, 0o644)
    return path


def windows(secret):
    return {secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)}


def leaks(output, secrets):
    """The secrets (bytes) any 4-byte window of which appears in output (bytes), raw or as hex."""
    text = output.lower()
    found = []
    for s in secrets:
        if any(w in output or w.hex().encode() in text for w in windows(s)):
            found.append(s.hex()[:16] + "...")
    return found


def rsa_key_bytes():
    """The private key's PEM body, decoded: what a key leak would contain."""
    import base64
    with open(rc.SERVER_KEY) as f:
        body = "".join(l for l in f.read().splitlines() if not l.startswith("-----"))
    der = base64.b64decode(body)
    return [der[i:i + 64] for i in range(0, len(der), 64)]


# The detector itself must be able to fail.
c.check(leaks(b"xx " + rc.AUTH_INFO_MARKER[3:9].hex().upper().encode() + b" yy", [rc.AUTH_INFO_MARKER]),
        "the leak detector finds a hex fragment")
c.check(not leaks(b"nothing to see", [rc.AUTH_INFO_MARKER]), "the leak detector is quiet on clean text")

inputs = []
for profile in rc.TLS_PROFILES:
    pcap, keylog = rc.rdp_tls_capture(profile, 6, 6, "ok")
    capture, keys = write(profile + ".pcap", pcap), write(profile + ".keys", keylog)
    secrets = [bytes.fromhex(l.split()[2]) for l in keylog.splitlines() if l and not l.startswith("#")]
    forbidden = secrets + [rc.AUTH_INFO_MARKER]
    inputs.append((profile, capture, keys, forbidden))
    dsb = os.path.join(tmp, profile + "-dsb.pcapng")
    subprocess.run(["editcap", "--inject-secrets", "tls," + keys, capture, dsb], check=True, capture_output=True)
    os.chmod(dsb, 0o644)
    variants = [("-k", ["-k", keys, capture]), ("DSB", [dsb])]
    if "-rsa-" in profile:
        variants.append(("--rsa-key", ["--rsa-key", rc.SERVER_KEY, capture]))
        forbidden = forbidden + rsa_key_bytes()
    # A malformed key-log line holding a secret-looking value must not be echoed either.
    noisy = write(profile + "-noisy.keys", keylog + "CLIENT_RANDOM zz " + secrets[0].hex() + "\n")
    variants.append(("malformed line", ["-k", noisy, capture]))
    for how, args in variants:
        for fmt in ([], ["--json"]):
            status, out, err = run(analyzer, *fmt, *args)
            name = f"{profile} ({how}{', JSON' if fmt else ''})"
            read = ("client v6" in out and "TESTDOM\\alice" in out) if not fmt else \
                any(d.get("client_version") == 6 and d.get("user") == "TESTDOM\\alice"
                    for d in map(json.loads, out.splitlines()))
            c.check(read, f"{name}: decrypted (CredSSP versions and user read)")
            c.equal(leaks((out + err).encode(), forbidden), [], f"{name}: no secret in the output")


def tshark_as_nobody(args):
    env = ["env", f"WIRESHARK_PLUGIN_DIR={os.path.join(tmp, 'plugins')}", "HOME=/nonexistent"]
    if os.environ.get("CSSP_PLUGIN_PRELOAD"):  # a sanitizer build's plugin needs its runtimes in tshark
        env += ["LD_PRELOAD=" + os.environ["CSSP_PLUGIN_PRELOAD"], "ASAN_OPTIONS=detect_leaks=0"]
    prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + env + ["tshark"] + args, capture_output=True)


if plugin_dir:
    subprocess.run(["cp", "-r", plugin_dir, os.path.join(tmp, "plugins")], check=True)
    subprocess.run(["chmod", "-R", "a+rX", os.path.join(tmp, "plugins")], check=True)
    for profile, capture, keys, forbidden in inputs:
        p = tshark_as_nobody(["-r", capture, "-o", f"tls.keylog_file:{keys}", "-T", "pdml"])
        root = ET.fromstring(p.stdout)
        trees = [proto for proto in root.iter("proto") if proto.get("name") == "cssp"]
        fields = [" ".join(v for v in (f.get("show"), f.get("showname"), f.get("value")) if v)
                  for tree in trees for f in tree.iter()]
        text = "\n".join(fields)
        c.check(re.search(r"TSRequest v6", text) is not None and "alice" in text,
                f"plugin, {profile}: the plugin's tree shows the decrypted TSRequests")
        c.equal(leaks(text.encode(), forbidden), [], f"plugin, {profile}: no secret or authInfo in the plugin's tree")
else:
    print("secrets: plugin part skipped (no plugin folder given)")

c.finish()
