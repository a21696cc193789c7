"""test_keylogs.py - hostile key logs: one clear line per problem, the documented exit status, and the
good secrets and other inputs still used.

Usage: test_keylogs.py ANALYZER

Exit status of the analyzer (docs/robustness.md): a key log that cannot be read is status 2; a key
log that can be read is never an error, whatever its lines, so the status stays 0 (or 1 for a refused
connection). Malformed lines are reported as "FILE:LINE: problem", the first five one by one and then
a total, and are never echoed.
"""
import os
import random
import resource
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "analyzer"))
sys.path.insert(0, HERE)
import rdp_capture as rc  # noqa: E402
from harness import Checks, run_json  # noqa: E402

analyzer = sys.argv[1]
c = Checks("keylogs")
tmp = tempfile.mkdtemp(prefix="cssp-keylogs-")


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


pcap, keylog = rc.rdp_tls_capture("tls13", 6, 6, "ok")
capture = write("tls13.pcap", pcap)
other_pcap, other_keylog = rc.rdp_tls_capture("tls12-ecdhe-gcm", 6, 3, "mismatch")
other = write("other.pcap", other_pcap)
other_keys = write("other.keys", other_keylog)
USED_LABELS = ("CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
               "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0")
lines = [l for l in keylog.splitlines() if l.split()[0] in USED_LABELS]
good = write("good.keys", keylog)


def analyse(*keylogs):
    """(exit status, stderr lines, connections) for both captures with these key logs.

    The other capture always has its own key log: it decrypts to a version mismatch, so the status
    is 1 unless a key log is unreadable (2 wins over 1).
    """
    args = ["-k", other_keys]
    for k in keylogs:
        args += ["-k", k]
    status, conns, err = run_json(analyzer, *args, capture, other)
    return status, [l for l in err.splitlines() if l.strip()], conns


def decrypted(conns):
    return any(conn["tls"] and conn["tls"]["decrypted"] and conn["server_version"] == 6 for conn in conns)


def lines_naming(err, path):
    """The lines about `path`, without the program's prefix every one of them must carry."""
    prefix = "credssp-analyze: "
    return [l[len(prefix):] for l in err if l.startswith(prefix + path)]


# Baseline: the test can fail, because the good key log does decrypt.
status, err, conns = analyse(good)
c.equal(status, 1, "good key log: exit status (the other capture is a version mismatch)")
c.equal(len(conns), 2, "good key log: both captures reported")
c.check(decrypted(conns), "good key log: the TLS 1.3 capture is decrypted")
c.equal(err, [], "good key log: nothing on stderr")

# An overlong line: one line naming the file and the line; the rest of the file still used.
overlong = write("overlong.keys", "CLIENT_RANDOM " + "ab" * 32 + " " + "cd" * 4000 + "\n" + keylog)
status, err, conns = analyse(overlong)
c.equal(lines_naming(err, overlong), [f"{overlong}:1: line longer than the longest key-log line"],
        "overlong line: one clear line")
c.check(decrypted(conns), "overlong line: the good lines after it still decrypt")
c.equal(status, 1, "overlong line: exit status unchanged")
c.check("cd" * 40 not in "\n".join(err), "overlong line: not echoed")

# Binary garbage: five lines one by one, then a total; nothing of it echoed; other key logs still used.
rng = random.Random(7)
garbage_bytes = bytes(rng.randrange(256) for _ in range(65536))
garbage = write("garbage.keys", garbage_bytes)
status, err, conns = analyse(garbage, good)
named = lines_naming(err, garbage)
c.check(2 <= len(named) <= 6 and re.fullmatch(re.escape(garbage) + r": \d+ malformed lines ignored in total",
                                              named[-1]) is not None,
        f"binary garbage: at most five lines and a total; got {named}")
c.check(all(re.fullmatch(re.escape(garbage) + r":\d+: [A-Za-z0-9 ,():<>-]+", l) for l in named[:-1]),
        f"binary garbage: each line is 'FILE:LINE: problem' in plain words; got {named}")
c.check(decrypted(conns), "binary garbage: the other key log still decrypts")
c.equal(status, 1, "binary garbage: exit status unchanged")

# Repeated lines are harmless and silent; the secrets are used once.
twice = write("twice.keys", keylog + keylog)
status, err, conns = analyse(twice)
c.equal(err, [], "repeated lines: silent")
c.check(decrypted(conns), "repeated lines: decrypted")

# Conflicting lines (a wrong secret first, as LSASS logs have): one summary line, trial decryption picks.
wrong = [l.split()[0] + " " + l.split()[1] + " " + "5a" * (len(l.split()[2]) // 2) for l in lines]
conflicting = write("conflicting.keys", "\n".join(wrong + lines) + "\n")
status, err, conns = analyse(conflicting)
c.equal(lines_naming(err, conflicting),
        [f"{conflicting}: {len(lines)} lines give another secret for a session and label already listed; "
         "each is tried"], "conflicting lines: one summary line")
c.check(decrypted(conns), "conflicting lines: the right secret is found by trial decryption")

# More candidates than kept: the limit is reported where it is hit; the right secret came too late.
flood = []
for n in range(5):
    flood += [l.split()[0] + " " + l.split()[1] + " " + f"{n:02x}" * (len(l.split()[2]) // 2) for l in lines]
too_many = write("too-many.keys", "\n".join(flood + lines) + "\n")
status, err, conns = analyse(too_many)
named = lines_naming(err, too_many)
c.check(any(re.fullmatch(re.escape(too_many) + r":\d+: more than 4 different secrets for one session and label; "
                         r"later ones are ignored", l) for l in named),
        f"candidate limit: reported on the line that hit it; got {named}")
c.check(not decrypted(conns), "candidate limit: the secret past the limit is not used")
c.equal(status, 1, "candidate limit: exit status unchanged")

# More sessions than the old count cap (262,144) in a first key log, then the only key log that matches the
# capture: no count of sessions is capped any more (a byte budget is, TLS_KEYLOG_MAX_MIB), so the later file's
# secrets are kept and the mismatch is found by decryption.
crowd = write("crowd.keys", "".join(f"CLIENT_RANDOM {i:064x} {'ab' * 48}\n" for i in range(300000)))
status, conns, err = run_json(analyzer, "-k", crowd, "-k", other_keys, other)
x = conns[0] if conns else {}
c.equal((x.get("verdict"), x.get("evidence"), (x.get("tls") or {}).get("decrypted"), status),
        ("version_mismatch", "decrypted", True, 1), "300,000 sessions before the matching key log")
c.equal(err, "", "300,000 sessions: within the budget, nothing to say")
os.unlink(crowd)

# Client randoms that differ only in their first 28 bytes: the store's hash was their last 4 bytes, so these
# all fell on one slot and each line walked the ones before (36.9 s of CPU for 60,000 lines, 0.1 s for 60,000
# spread ones); it is now seeded over the whole random (analyzer/seeded_hash.h).
colliding = write("colliding.keys", "".join(f"CLIENT_RANDOM {i:056x}00000000 {'ab' * 48}\n" for i in range(60000)))
before = resource.getrusage(resource.RUSAGE_CHILDREN)
status, conns, err = run_json(analyzer, "-k", colliding, "-k", other_keys, other)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
c.equal((status, err), (1, ""), "60,000 colliding client randoms: loaded, the capture still judged")
with open(analyzer, "rb") as f:
    cpu_limit = 6.0 if b"__asan_init" in f.read() else 2.0
c.check(cpu <= cpu_limit, f"60,000 colliding client randoms: {cpu:.2f} s of CPU, at most {cpu_limit}")
os.unlink(colliding)

# Empty key log, and a key log that is a directory (unreadable: status 2, the captures still analysed).
status, err, conns = analyse(write("empty.keys", b""))
c.equal((status, err), (1, []), "empty key log: silent, exit status unchanged")
status, err, conns = analyse(tmp)
c.equal(status, 2, "key log that is a directory: exit status 2")
c.equal(len(lines_naming(err, tmp)), 1, f"key log that is a directory: one line; got {err}")
c.equal(len(conns), 2, "key log that is a directory: the captures are still analysed")

c.finish()
