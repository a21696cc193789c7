"""test_limits.py - memory stays bounded on floods and endless connections, and every limit hit is reported.

Usage: test_limits.py ANALYZER

The captures come from gen_flood.py through a pipe (the analyzer reads "-"), so nothing big is
written to disk. Peak RSS is the analyzer's own (wait4). Memory is judged by growth, not by an
absolute figure, so the test holds in the ASan build too: a capture several times larger must not
need much more memory. docs/robustness.md has the full-size figures (a million connections, 1 GiB
connections).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "analyzer"))
from harness import Checks  # noqa: E402

analyzer = sys.argv[1]
c = Checks("limits")
MIB = 1024
# ASan keeps freed memory in quarantine; without this its RSS grows with the work, not the state.
env = dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=1:" + os.environ.get("ASAN_OPTIONS", ""))
# GNU time measures the analyzer alone. Without it, wait4's figure includes the memory of this Python
# process (a child's peak counts its life before exec), a floor of some 15 MiB: the counts below are
# large enough for a leak to stand out above it.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


last_cpu = 0.0  # CPU seconds (user + system) of the last run


def run(gen_args, *analyzer_args):
    """(exit status, stdout lines, stderr, peak RSS in KiB) of the analyzer on a generated capture."""
    global last_cpu
    gen = subprocess.Popen([sys.executable, os.path.join(HERE, "gen_flood.py"), *gen_args], stdout=subprocess.PIPE)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as peak:
        cmd = [analyzer, "--no-progress", *analyzer_args, "-"]
        if GNU_TIME:
            cmd = [GNU_TIME, "-q", "-f", "%M %U %S", "-o", peak.name] + cmd
        p = subprocess.Popen(cmd, stdin=gen.stdout, stdout=out, stderr=err, env=env)
        gen.stdout.close()
        _, status, usage = os.wait4(p.pid, 0)
        gen.wait()
        out.seek(0)
        err.seek(0)
        figures = peak.read().split() if GNU_TIME else []
        rss = int(figures[0]) if figures else usage.ru_maxrss
        last_cpu = float(figures[1]) + float(figures[2]) if figures else usage.ru_utime + usage.ru_stime
        return os.waitstatus_to_exitcode(status), out.read().decode().splitlines(), err.read().decode(), rss


# Short connections, each closed: they leave the table as they close, whatever their number.
rc, lines, err, small = run(["connections", "20000"], "--json")
c.equal(rc, 0, "20k closed connections: exit status")
c.equal(len(lines), 20000, "20k closed connections: every one reported")
rc, lines, err, big = run(["connections", "150000"], "--json")
c.equal(len(lines), 150000, "150k closed connections: every one reported")
c.check("connection budget" not in err, f"closed connections never fill the table; got {err!r}")
c.check(big <= small * 1.25 + 8 * MIB, f"closed connections: 150k need {big} KiB, 20k {small} KiB")
del lines

# Connections never closed: the connection budget (ANALYSIS_MAX_CONNS connections, ANALYSIS_STATE_BUDGET bytes of
# their state) judges the least recently seen one early, marks it, counts it, and memory stops with it.
BUDGET_NOTE = '"problem":"judged before its end: the connection budget was reached'


def budget_warning(n):
    return (f"warning: the connection budget (32768 connections, 32 MiB of their state) was reached; {n} RDP "
            f"connections were judged before their end (their note says so)")


rc, lines, err, at_limit = run(["connections", "40000", "--open"], "--json")
c.equal(len(lines), 40000, "40k open connections: every one reported")
marked = sum(BUDGET_NOTE in l for l in lines)
c.equal(marked, 40000 - 32768, "40k open connections: those judged early are marked")
c.check(budget_warning(marked) in err, f"open connections: the budget is reported; got {err!r}")
rc, lines, err, past_limit = run(["connections", "150000", "--open"], "--json")
c.check(past_limit <= at_limit * 1.25 + 8 * MIB,
        f"open connections: 150k need {past_limit} KiB, 40k {at_limit} KiB")
del lines

# Whatever the connections hold, the peak stays under 64 MiB (in a sanitizer build, whose allocator keeps more,
# under 64 MiB above its own peak on 1,600 holed connections, measured below): connections that only send a SYN;
# SYN and X.224 Request; every name from the wire at its longest (cookie, Kerberos service and realm, NTLM user,
# domain, workstation); a TLS ClientHello to 443 (a possible RD Gateway connection); some 60 KiB of an
# unfinished CredSSP or TLS handshake message each. Connections judged early say so; the others are reported
# whole.
with open(analyzer, "rb") as f:
    sanitized = b"__asan_init" in f.read()
_, _, _, few = run(["holes", "1600", "250"], "--json")
LIMIT = few + 64 * MIB if sanitized else 64 * MIB
for shape, n, reported in ((["connections", "100000", "--syn"], 100000, 0),
                           (["connections", "100000", "--open"], 100000, 100000),
                           (["names", "40000"], 40000, 40000),
                           (["hellos", "40000"], 40000, 0),
                           (["stalls", "3000", "credssp"], 3000, 3000),
                           (["stalls", "3000", "handshake"], 3000, 3000)):
    rc, lines, err, peak = run(shape, "--json")
    what = " ".join(shape)
    c.equal((rc, len(lines)), (0, reported), f"{what}: every RDP connection reported")
    c.check(peak <= LIMIT, f"{what}: peak RSS {peak} KiB, at most {LIMIT}")
    marked = sum(BUDGET_NOTE in l for l in lines)
    if reported:
        c.check(marked < n, f"{what}: {marked} connections judged early, not all")
        c.check(budget_warning(marked) in err, f"{what}: the count on stderr; got {err!r}")
    if shape[0] == "names":
        kept = next(json.loads(l) for l in reversed(lines) if BUDGET_NOTE not in l)
        c.equal((len(kept["cookie"]), kept["user"].count("N"), len(kept["kerberos_realm"])), (127, 2 * 255, 127),
                f"{what}: each name kept up to its cap")
    del lines

# One connection that never finishes, in every phase it could hang in.
for kind in ("tls", "x224", "hole", "handshake", "nosyn"):
    _, _, _, short = run(["endless", kind, "8"], "--json")
    rc, lines, err, long = run(["endless", kind, "128"], "--json")
    c.equal(rc, 0, f"endless {kind}: exit status")
    c.equal(len(lines), 1, f"endless {kind}: the connection is reported")
    c.check(long <= short + 8 * MIB, f"endless {kind}: 128 MiB need {long} KiB, 8 MiB {short} KiB")
rc, lines, err, _ = run(["endless", "hole", "8"], "--json")
c.check(any("bytes missing from the capture" in l for l in lines),
        f"a hole that never fills is reported as missing bytes; got {lines}")

# Connections each holding out-of-order data behind a hole that never fills (250 KiB each: 1.6 GiB at 6,400,
# 6.25 GiB at 25,600, if nothing bounded them). The budget across connections (ANALYSIS_REASSEMBLY_BUDGET)
# drops the oldest data: every connection is still reported, those that lost data say so, stderr counts them,
# and the peak stays under 64 MiB (in a sanitizer build, whose allocator keeps more, under 64 MiB more than
# with 1,600 connections).
for n in (6400, 25600):
    rc, lines, err, peak = run(["holes", str(n), "250"], "--json")
    c.equal((rc, len(lines)), (0, n), f"{n} holed connections: all reported")
    marked = sum('"problem":"out-of-order data dropped: the memory budget' in l for l in lines)
    c.check(marked >= n - 200, f"{n} holed connections: {marked} marked as having lost data")
    c.check(f"warning: the {4} MiB budget for out-of-order TCP data across connections was reached; "
            f"{marked} connections lost theirs" in err, f"{n} holed connections: the count on stderr; got {err!r}")
    c.check(peak <= LIMIT, f"{n} holed connections: peak RSS {peak} KiB, at most {LIMIT}")
    del lines

# Connections whose address pairs collide under the flow hash as it was (unkeyed FNV-1a: each step can be undone,
# so a capture can put every connection in one slot and make each lookup walk them all; 3.9 s of CPU for these
# 20,000 before the hash got a secret start per run, 0.2 s after).
rc, lines, err, _ = run(["collide", "20000"], "--json")
c.equal((rc, len(lines)), (0, 20000), "colliding flows: every connection reported")
cpu_limit = 4.0 if sanitized else 1.5
c.check(last_cpu <= cpu_limit, f"colliding flows: {last_cpu:.2f} s of CPU, at most {cpu_limit}")
del lines

# A capture's own secrets (pcapng Decryption Secrets Blocks) have a budget of their own (TLS_KEYLOG_MAX_EMBEDDED_MIB):
# 100 MiB of key-log lines in the capture took 136.7 MiB when they shared the key logs' 256 MiB.
rc, lines, err, peak = run(["secrets", "100"], "--json")
c.equal((rc, len(lines)), (0, 1), "100 MiB of embedded secrets: the connection after them reported")
c.check("the secrets the captures carry pass their memory budget (16 MiB); this and later new secrets are ignored"
        in err, f"100 MiB of embedded secrets: the budget is said; got {err!r}")
c.check("memory budget, 16 MiB for those the captures carry)" in err,
        f"100 MiB of embedded secrets: counted at the end; got {err!r}")
c.check(peak <= LIMIT, f"100 MiB of embedded secrets: peak RSS {peak} KiB, at most {LIMIT}")
del lines

# The per-server summary's limit.
rc, lines, err, _ = run(["servers", "16394"])
c.check(any("10 connections to further servers not summarised: more than 16384 servers" in l for l in lines),
        "the server summary limit is reported")

c.finish()
