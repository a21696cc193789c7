#!/usr/bin/env python3
"""corrupt_captures.py - corrupted and truncated captures through credssp-analyze and tshark with the plugin.

    corrupt_captures.py --analyzer PATH [--plugin-dir BUILD/plugins] [--mutations N] [--truncations N]
                        [--tshark-every K] [--max-size BYTES] [--shard K/N] [--work DIR] [--jobs N]

Inputs: every capture in samples/ (with its .keys), the shared corpus when it is beside the checkout
(../shared/corpus or /work/shared/corpus; the htb capture with its LSASS key log), and a few captures
built on the spot by rdp_capture.py (real TLS 1.3 / 1.2 sessions with key logs) and rdg_capture.py (an RD
Gateway tunnel with the gateway's key log), so that the run never lacks inputs that decrypt.

Each input gets N mutations (editcap -E at the rates in RATES, in turn, with seeds 1..N: the same
files every run) and N truncations at offsets drawn from a generator seeded with the file's name.
Every derived file goes to:
  - the analyzer, with the input's key log: exit status 0, 1 or 2 only, no signal, no sanitizer
    report, and at most max(TIME_FLOOR, TIME_FACTOR x the time the intact file takes);
  - tshark with the cssp plugin (--plugin-dir; run as `nobody`, since tshark run by root ignores
    plugin folders) on every K-th derived file (--tshark-every): no signal, no "Dissector bug" in the
    plugin's protocol (Wireshark's own dissectors' bugs are counted and listed, not failed), and with
    a sanitizer build's plugin (CSSP_PLUGIN_PRELOAD: its runtimes, preloaded) no sanitizer report.
Failing inputs are copied to WORK/failures/. Prints the totals that docs/robustness.md reports;
exit status 1 when anything failed, 0 otherwise.
"""
import argparse
import concurrent.futures
import glob
import os
import random
import shutil
import stat
import struct
import re
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
RATES = [0.001, 0.003, 0.01, 0.03, 0.1]
TIME_FLOOR = 20.0       # seconds any run may take
TIME_FACTOR = 20.0      # or this many times the intact file's time, whichever is more
PLUGIN_TREE = b"\nCredSSP analysis, "  # the plugin's protocol tree (the built-in one is "Credential Security Support Provider")
# the plugin's short protocol names (cssp, and cssp_rdg for RD Gateway tunnels), as "Dissector bug, protocol CSSP: ..."
# would name them
PLUGIN_PROTOCOLS = {b"CSSP", b"RDG"}
SANITIZER_WORDS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def corpus_inputs(source_dir):
    found = []
    for pattern in ("samples/*.pcap", "samples/*.pcapng"):
        found += glob.glob(os.path.join(source_dir, pattern))
    for corpus in (os.path.join(source_dir, "..", "shared", "corpus"), "/work/shared/corpus"):
        if os.path.isdir(corpus):
            found += glob.glob(os.path.join(corpus, "*", "*.pcap*"))
            break
    inputs = []
    for path in sorted(set(os.path.abspath(f) for f in found)):
        keys = os.path.splitext(path)[0] + ".keys"
        lsa = os.path.join(os.path.dirname(path), "tls-lsa.log")
        inputs.append((path, keys if os.path.exists(keys) else lsa if os.path.exists(lsa) else None))
    return inputs


def built_inputs(work):
    """Captures made here, so that every run has decryptable sessions even without samples."""
    sys.path.insert(0, HERE)
    import rdp_capture as rc
    inputs = []
    for profile, outcome, cv, sv in [("tls13", "ok", 6, 6), ("tls12-ecdhe-gcm", "mismatch", 6, 3),
                                     ("tls12-rsa-cbc", "logon_failure", 6, 6), ("tls12-ecdhe-chacha", "ok", 6, 6)]:
        pcap, keylog = rc.rdp_tls_capture(profile, cv, sv, outcome)
        base = os.path.join(work, "inputs", f"built-{profile}-{outcome}")
        with open(base + ".pcap", "wb") as f:
            f.write(pcap)
        with open(base + ".keys", "w") as f:
            f.write(keylog)
        inputs.append((base + ".pcap", base + ".keys"))
    # an RD Gateway tunnel (HTTP logon, WebSocket, MS-TSGU packets, the RDP connection as DATA) with the
    # gateway's key log: its mutations reach the tunnel readers of both tools
    import rdg_capture as rdg
    inner, _ = rdg.inner_rdp(6, 3, "mismatch")
    pcap, keylog = rdg.gateway_capture(rdg.tunnelled(inner))
    base = os.path.join(work, "inputs", "built-rd-gateway")
    with open(base + ".pcap", "wb") as f:
        f.write(pcap)
    with open(base + ".keys", "w") as f:
        f.write(keylog)
    inputs.append((base + ".pcap", base + ".keys"))
    return inputs


def readable_copy(keys, work):
    """The key log copied where `nobody` (tshark) can read it."""
    if not keys:
        return None
    copy = os.path.join(work, "inputs", os.path.basename(os.path.dirname(keys)) + "-" + os.path.basename(keys))
    if not os.path.exists(copy):
        shutil.copy(keys, copy)
    make_readable(copy)
    return copy


def pcapng_parts(path):
    """(linktype, [(ts_sec, ts_usec, frame)], key-log text) of a pcapng file, or None when it has no DSB.

    editcap and tshark 4.0 refuse to rewrite a pcapng that holds Decryption Secrets Blocks, so such a
    file is taken apart here, mutated as pcap and given its secrets back with --inject-secrets.
    Single-interface files only, which is what the samples are.
    """
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    order, pos, linktype, resolution, frames, keys = "<", 0, None, 1000000, [], b""
    while pos + 12 <= len(data):
        if data[pos:pos + 4] == b"\x0a\x0d\x0d\x0a":
            order = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(order + "II", data[pos:pos + 8])
        body = data[pos + 8:pos + blen - 4]
        if btype == 1 and linktype is None:
            linktype = struct.unpack(order + "H", body[:2])[0]
            opt = 8
            while opt + 4 <= len(body):
                code, olen = struct.unpack(order + "HH", body[opt:opt + 4])
                if code == 9 and olen >= 1:  # if_tsresol
                    r = body[opt + 4]
                    resolution = 2 ** (r & 0x7F) if r & 0x80 else 10 ** r
                if code == 0:
                    break
                opt += 4 + olen + (-olen % 4)
        elif btype == 6:
            _, high, low, caplen, _ = struct.unpack(order + "IIIII", body[:20])
            ts = (high << 32 | low)
            frames.append((ts // resolution, (ts % resolution) * 1000000 // resolution, body[20:20 + caplen]))
        elif btype == 10:
            _, klen = struct.unpack(order + "II", body[:8])
            keys += body[8:8 + klen]
        if blen < 12:
            break
        pos += blen
    if not keys:
        return None
    return linktype, frames, keys.decode(errors="replace")


def make_readable(path):
    os.chmod(path, os.stat(path).st_mode | stat.S_IRGRP | stat.S_IROTH)


class Campaign:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.counts = {"analyzer_runs": 0, "tshark_runs": 0, "mutations": 0, "truncations": 0,
                       "wireshark_bug_files": 0}
        self.wireshark_bugs = set()
        self.lock = threading.Lock()
        self.exit_status = {}
        self.slowest = (0.0, None)
        os.makedirs(os.path.join(args.work, "failures"), exist_ok=True)
        self.plugin_dir = None
        if args.plugin_dir and os.path.isdir(args.plugin_dir):
            self.plugin_dir = self.prepare_plugin()
        elif args.plugin_dir:
            print(f"corrupt_captures: no plugin in {args.plugin_dir}: tshark runs skipped")

    # -- the programs under test --

    def analyzer(self, path, keys, budget):
        cmd = [self.args.analyzer, "--no-progress"] + (["-k", keys] if keys else []) + [path]
        if zlib.crc32(path.encode()) & 1:
            cmd.insert(1, "--json")
        start = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=budget)
        except subprocess.TimeoutExpired:
            return f"analyzer took more than {budget:.0f} s", budget, None
        elapsed = time.monotonic() - start
        err = p.stderr.decode(errors="replace")
        if p.returncode not in (0, 1, 2):
            return f"analyzer exit status {p.returncode}", elapsed, p.returncode
        for word in SANITIZER_WORDS:
            if word in err:
                return f"analyzer: sanitizer report ({word})", elapsed, p.returncode
        return None, elapsed, p.returncode

    def prepare_plugin(self):
        """A copy of the plugin folder that `nobody` can read."""
        copy = os.path.join(self.args.work, "plugins")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(self.args.plugin_dir, copy)
        for root, dirs, files in os.walk(self.args.work):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755)
        os.chmod(self.args.work, 0o755)
        return copy

    def check_plugin(self, path, keys):
        """Exits unless tshark dissects this intact capture with the plugin (not `-G plugins`: it
        deadlocks with a sanitizer runtime preloaded)."""
        make_readable(path)
        args = ["-r", path, "-V"] + (["-o", f"tls.keylog_file:{keys}"] if keys else [])
        p = subprocess.run(self.tshark_cmd(args), capture_output=True, timeout=120)
        if PLUGIN_TREE not in p.stdout:
            sys.exit(f"corrupt_captures: tshark does not use the cssp plugin from {self.plugin_dir}: "
                     f"{p.stderr.decode(errors='replace').strip()[:500]}")

    def tshark_cmd(self, args):
        env = ["env", f"WIRESHARK_PLUGIN_DIR={os.path.join(self.args.work, 'plugins')}", "HOME=/nonexistent"]
        if os.environ.get("CSSP_PLUGIN_PRELOAD"):  # a sanitizer build's plugin needs its runtimes in tshark
            env += ["LD_PRELOAD=" + os.environ["CSSP_PLUGIN_PRELOAD"], "ASAN_OPTIONS=detect_leaks=0"]
        prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        return prefix + env + ["tshark"] + args

    def tshark(self, path, keys, budget):
        args = ["-r", path, "-V"] + (["-o", f"tls.keylog_file:{keys}"] if keys else [])
        try:
            p = subprocess.run(self.tshark_cmd(args), capture_output=True, timeout=budget * 4)
        except subprocess.TimeoutExpired:
            return "tshark timed out"
        if p.returncode < 0 or p.returncode >= 128:
            return f"tshark died (status {p.returncode})"
        if any(word.encode() in p.stderr for word in SANITIZER_WORDS):
            return "tshark: sanitizer report (only the plugin is instrumented)"
        protocols = set(re.findall(rb"Dissector bug, protocol ([^:,\]]+)", p.stdout + p.stderr))
        if PLUGIN_PROTOCOLS & protocols:
            return "tshark: Dissector bug in the cssp plugin"
        if protocols:  # Wireshark's own dissectors: counted and reported, not ours to fix
            with self.lock:
                self.wireshark_bugs.update(name.decode() for name in protocols)
                self.counts["wireshark_bug_files"] += 1
        return None

    # -- one input --

    def derived_files(self, path, tmp):
        """(kind, file, how) for the mutations and truncations of one input."""
        stem = os.path.basename(path)
        source, inject = path, []
        parts = pcapng_parts(path)
        if parts:
            linktype, frames, keylog = parts
            source, secrets = os.path.join(tmp, stem + ".pcap"), os.path.join(tmp, stem + ".dsb-keys")
            with open(source, "wb") as f:
                f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
                for sec, usec, frame in frames:
                    f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
            with open(secrets, "w") as f:
                f.write(keylog)
            inject = ["--inject-secrets", "tls," + secrets]
        for i in range(self.args.mutations):
            out = os.path.join(tmp, f"m{i}-{stem}")
            rate = RATES[i % len(RATES)]
            subprocess.run(["editcap", "-E", str(rate), "--seed", str(i + 1)] + inject + [source, out], check=True,
                           capture_output=True)
            yield "mutation", out, f"editcap -E {rate} --seed {i + 1}"
        size = os.path.getsize(path)
        rng = random.Random(stem)
        with open(path, "rb") as f:
            data = f.read()
        for i in range(self.args.truncations):
            cut = rng.randrange(1, size) if size > 1 else 0
            out = os.path.join(tmp, f"t{i}-{stem}")
            with open(out, "wb") as f:
                f.write(data[:cut])
            yield "truncation", out, f"truncated at byte {cut}"

    def run_input(self, path, keys):
        """([(kind, tshark ran, analyzer exit status)], [(input, how, problem)]) for one input."""
        runs, failures = [], []
        baseline_problem, baseline, _ = self.analyzer(path, keys, 600)
        if baseline_problem:
            failures.append((path, "intact file", baseline_problem))
        budget = max(TIME_FLOOR, TIME_FACTOR * baseline)
        with tempfile.TemporaryDirectory(dir=self.args.work) as tmp:
            os.chmod(tmp, 0o755)
            for n, (kind, derived, how) in enumerate(self.derived_files(path, tmp)):
                make_readable(derived)
                problems = []
                problem, elapsed, status = self.analyzer(derived, keys, budget)
                if problem:
                    problems.append(problem)
                if elapsed > self.slowest[0]:
                    self.slowest = (elapsed, f"{os.path.basename(path)} ({how})")
                ran_tshark = bool(self.plugin_dir) and n % self.args.tshark_every == 0
                if ran_tshark:
                    problem = self.tshark(derived, keys, budget)
                    if problem:
                        problems.append(problem)
                for problem in problems:
                    kept = os.path.join(self.args.work, "failures", os.path.basename(derived))
                    shutil.copy(derived, kept)
                    failures.append((path, how, f"{problem} (kept as {kept})"))
                runs.append((kind, ran_tshark, status))
        return runs, failures

    def run(self, inputs):
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            futures = {pool.submit(self.run_input, p, k): p for p, k in inputs}
            for future in concurrent.futures.as_completed(futures):
                runs, failures = future.result()
                for kind, ran_tshark, status in runs:
                    self.exit_status[status] = self.exit_status.get(status, 0) + 1
                    self.counts["mutations" if kind == "mutation" else "truncations"] += 1
                    self.counts["analyzer_runs"] += 1
                    self.counts["tshark_runs"] += ran_tshark
                for failure in failures:
                    self.failures.append(failure)
                    print("FAIL: %s: %s: %s" % failure, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--plugin-dir", help="BUILD/plugins (tshark is skipped without it)")
    ap.add_argument("--mutations", type=int, default=200)
    ap.add_argument("--truncations", type=int, default=20)
    ap.add_argument("--tshark-every", type=int, default=1, help="run tshark on every K-th derived file")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--work", help="working folder (default: a new temporary one, removed at the end)")
    ap.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(HERE)))
    ap.add_argument("--no-corpus", action="store_true", help="only the captures built here")
    ap.add_argument("--max-size", type=int, help="leave out inputs larger than this many bytes")
    ap.add_argument("--shard", default="0/1", help="K/N: only every N-th input, from the K-th (to split a run)")
    args = ap.parse_args()
    keep_work = bool(args.work)
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="cssp-corrupt-"))
    os.makedirs(os.path.join(args.work, "inputs"), exist_ok=True)
    os.chmod(args.work, 0o755)

    campaign = Campaign(args)
    inputs = built_inputs(args.work) + ([] if args.no_corpus else corpus_inputs(args.source_dir))
    shard, shards = (int(x) for x in args.shard.split("/"))
    if campaign.plugin_dir:
        campaign.check_plugin(inputs[0][0], readable_copy(inputs[0][1], args.work))
    inputs = [(p, readable_copy(k, args.work)) for p, k in inputs[shard::shards]
              if not args.max_size or os.path.getsize(p) <= args.max_size]
    start = time.monotonic()
    campaign.run(inputs)
    c = campaign.counts
    print(f"corrupt_captures: {len(inputs)} inputs, {c['mutations']} mutations, {c['truncations']} truncations; "
          f"{c['analyzer_runs']} analyzer runs (exit status {dict(sorted(campaign.exit_status.items()))}), "
          f"{c['tshark_runs']} tshark runs with the plugin; slowest analyzer run {campaign.slowest[0]:.2f} s "
          f"({campaign.slowest[1]}); {len(campaign.failures)} failures; {time.monotonic() - start:.0f} s")
    if campaign.wireshark_bugs:
        print(f"corrupt_captures: Wireshark's own dissectors reported a dissector bug on {c['wireshark_bug_files']} "
              f"files (protocols: {', '.join(sorted(campaign.wireshark_bugs))}); not the plugin's, not failures")
    if not keep_work and not campaign.failures:
        shutil.rmtree(args.work, ignore_errors=True)
    sys.exit(1 if campaign.failures else 0)


if __name__ == "__main__":
    main()
