#!/usr/bin/python3
"""compare_outputs.py - proves a refactoring changed no output: the analyzer, the plugin and the probe of two
builds give byte-identical output on the same inputs.

Usage:
  compare_outputs.py BEFORE AFTER         each a build folder or a snapshot saved with --save; exit 0 when
                                          identical, 1 with a unified diff of what differs
  compare_outputs.py --save DIR BUILD     saves BUILD's outputs in DIR (a baseline for later comparisons)

What is recorded, per capture (every samples/*.pcap and *.pcapng, every capture in ../shared/corpus, which is
skipped visibly when absent):
  - credssp-analyze, text and --json, without keys and with the capture's keys (samples/manifest.json, else
    NAME.keys beside it; in the corpus the folder's tls-lsa.log): exit status, stdout, stderr;
  - the plugin through tshark 4.x (tests/plugin/tshark_harness.py: as 'nobody' when root, the plugin in a
    scratch personal plugin folder): -T fields with frame.number, tcp.stream, the Info column, the expert
    messages and every field of protocol cssp, with and without keys; and -q -z cssp,tree with keys;
  - the field list itself (tshark -G fields, protocol cssp);
  - credssp-probe, text and --json, against the scripted CredSSP servers of samples/peers at versions 2-6 on
    127.0.0.1 (one certificate made per comparison, the port replaced by PORT).
The build folder's path is replaced by BUILD in every output and the source folder's (where the inputs are) by
SOURCE; tshark's scratch folder by SCRATCH and the pid and time in tshark's own warnings by TIME, when compared.
Skips a part whose program was not built.
"""
import difflib
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
SAMPLES = os.path.join(SOURCE, "samples")
CORPUS = os.path.abspath(os.path.join(SOURCE, "..", "shared", "corpus"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "plugin"))
from tshark_harness import Tshark  # noqa: E402

MARKER = "compare_outputs.snapshot"
SCRATCH = re.compile(rb"/tmp/cssp-plugin-test-[A-Za-z0-9_]+")  # the harness's folder, new for every run
LOG_STAMP = re.compile(rb"\(tshark:[0-9]+\) [0-9:.]+")           # tshark's own warnings: pid and time
CORPUS_KEYLOG = "tls-lsa.log"
PROBE_BUILDS = {2: "6.1.7601", 3: "6.3.9600", 4: "10.0.14393", 5: "6.1.7601", 6: "10.0.17763"}


def captures():
    """(group, path, key options for the analyzer, key file kind and path) for every capture."""
    with open(os.path.join(SAMPLES, "manifest.json")) as f:
        manifest = {s["file"]: s.get("keys", {}) for s in json.load(f)["samples"]}
    found = []
    for path in sorted(glob.glob(os.path.join(SAMPLES, "*.pcap")) + glob.glob(os.path.join(SAMPLES, "*.pcapng"))):
        name = os.path.basename(path)
        keys = manifest.get(name)
        if keys is None:
            sibling = os.path.splitext(path)[0] + ".keys"
            keys = {"keylog": os.path.basename(sibling)} if os.path.exists(sibling) else {}
        key = None
        if "keylog" in keys:
            key = ("keylog", os.path.join(SAMPLES, keys["keylog"]))
        elif "rsa_key" in keys:
            key = ("rsa_key", os.path.join(SAMPLES, keys["rsa_key"]))
        found.append(("samples", path, key))
    if not os.path.isdir(CORPUS):
        print(f"SKIP: corpus {CORPUS} is absent: only the samples are compared")
        return found
    for path in sorted(glob.glob(os.path.join(CORPUS, "*", "*.pcap*"))):
        keylog = os.path.join(os.path.dirname(path), CORPUS_KEYLOG)
        found.append(("corpus", path, ("keylog", keylog) if os.path.exists(keylog) else None))
    return found


def label(group, path):
    rel = os.path.relpath(path, SAMPLES if group == "samples" else CORPUS)
    return group + "/" + rel.replace("/", "__")


def record(out, name, argv_result, build):
    rc, stdout, stderr = argv_result
    text = f"exit {rc}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    text = text.replace(os.path.abspath(build), "BUILD").replace(SOURCE, "SOURCE")
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


def run(argv, timeout=600):
    p = subprocess.run(argv, capture_output=True, timeout=timeout)
    decode = lambda b: b.decode("utf-8", errors="surrogateescape")  # noqa: E731
    return p.returncode, decode(p.stdout), decode(p.stderr)


def find_one(build, pattern):
    hits = sorted(glob.glob(os.path.join(build, pattern), recursive=True))
    return hits[0] if hits else None


def snapshot_analyzer(build, out, inputs):
    analyzer = find_one(build, "analyzer/credssp-analyze")
    if not analyzer:
        print(f"SKIP: no credssp-analyze in {build}")
        return
    for group, path, key in inputs:
        options = []
        if key:
            options = ["-k", key[1]] if key[0] == "keylog" else ["--rsa-key", key[1]]
        for keyed in ((False, True) if key else (False,)):
            for fmt in ("text", "json"):
                argv = [analyzer, "--no-progress"] + (["--json"] if fmt == "json" else [])
                argv += (options if keyed else []) + [path]
                name = f"{label(group, path)}.analyzer.{fmt}.{'keys' if keyed else 'nokeys'}"
                record(out, name, run(argv), build)


def cssp_fields(tshark):
    """The plugin's field names and their listing by tshark -G fields."""
    stdout = tshark.run("-G", "fields").stdout
    fields = []
    for line in stdout.splitlines():
        cols = line.split("\t")
        if len(cols) > 4 and cols[0] == "F" and cols[4] == "cssp":
            fields.append(cols[2])
    return fields, "\n".join(line for line in stdout.splitlines() if "\tcssp" in line) + "\n"


def snapshot_plugin(build, out, inputs):
    plugin = find_one(build, "**/plugins/*/epan/cssp.so")
    if not plugin:
        print(f"SKIP: no plugin (cssp.so) in {build}")
        return
    tshark = Tshark(plugin)
    try:
        fields, listing = cssp_fields(tshark)
        record(out, "plugin.fields", (0, listing, ""), build)
        wanted = ["frame.number", "tcp.stream", "_ws.col.Info", "_ws.expert.message"] + fields
        field_args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"]
        for name in wanted:
            field_args += ["-e", name]
        for group, path, key in inputs:
            copy = tshark.add(path)
            options = []
            if key:
                options = ["-o", "tls.keylog_file:" + tshark.add(key[1])] if key[0] == "keylog" else \
                          ["-o", 'uat:rsa_keys:"%s",""' % tshark.add(key[1])]
            for keyed in ((False, True) if key else (False,)):
                r = tshark.run("-n", "-r", copy, *(options if keyed else []), *field_args)
                name = f"{label(group, path)}.tshark.fields.{'keys' if keyed else 'nokeys'}"
                record(out, name, (r.returncode, r.stdout, r.stderr), build)
            r = tshark.run("-n", "-q", "-r", copy, *options, "-z", "cssp,tree")
            record(out, f"{label(group, path)}.tshark.tree", (r.returncode, r.stdout, r.stderr), build)
    finally:
        tshark.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snapshot_probe(build, out, cert):
    probe = find_one(build, "probe/credssp-probe")
    if not probe:
        print(f"SKIP: no credssp-probe in {build}")
        return
    work = tempfile.mkdtemp(prefix="compare-probe-")
    try:
        for version, windows in PROBE_BUILDS.items():
            port = free_port()
            ready = os.path.join(work, f"ready-{version}")
            server = subprocess.Popen(
                ["/usr/bin/python3", os.path.join(SAMPLES, "peers", "credssp_server.py"), "--bind", "127.0.0.1",
                 "--port", str(port), "--connections", "2", "--ready-file", ready, "--credssp-version",
                 str(version), "--build", windows, "--user", "alice", "--password", "unused-by-the-probe",
                 "--cert", cert[0], "--key", cert[1]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(150):
                    if os.path.exists(ready):
                        break
                    time.sleep(0.1)
                for fmt in ("text", "json"):
                    argv = [probe] + (["--json"] if fmt == "json" else []) + [f"127.0.0.1:{port}"]
                    rc, stdout, stderr = run(argv, timeout=60)
                    result = (rc, stdout.replace(str(port), "PORT"), stderr.replace(str(port), "PORT"))
                    record(out, f"probe/credssp-v{version}.{fmt}", result, build)
            finally:
                server.kill()
                server.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_certificate(folder):
    key, crt = os.path.join(folder, "probe-test.key"), os.path.join(folder, "probe-test.crt")
    if not os.path.exists(key):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "3650", "-subj", "/CN=compare-outputs"], check=True, capture_output=True)
    return crt, key


def snapshot(build, out, cert_dir):
    os.makedirs(out, exist_ok=True)
    inputs = captures()
    snapshot_analyzer(build, out, inputs)
    snapshot_plugin(build, out, inputs)
    snapshot_probe(build, out, make_certificate(cert_dir))
    with open(os.path.join(out, MARKER), "w") as f:
        f.write(f"outputs of {os.path.abspath(build)}\n")


def files_below(folder):
    result = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if name == MARKER or name.startswith("probe-test."):
                continue
            path = os.path.join(root, name)
            result[os.path.relpath(path, folder)] = path
    return result


def compare(before, after):
    a, b = files_below(before), files_below(after)
    differing = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"DIFFERS: {name} only in {'after' if name in b else 'before'}")
            differing += 1
            continue
        with open(a[name], "rb") as f:
            old = f.read()
        with open(b[name], "rb") as f:
            new = f.read()
        old, new = (LOG_STAMP.sub(b"(tshark) TIME", SCRATCH.sub(b"SCRATCH", text)) for text in (old, new))
        if old != new:
            differing += 1
            print(f"DIFFERS: {name}")
            sys.stdout.writelines(difflib.unified_diff(old.decode(errors="replace").splitlines(True),
                                                       new.decode(errors="replace").splitlines(True),
                                                       "before/" + name, "after/" + name, n=1))
    print(f"compared {len(set(a) | set(b))} outputs: {differing} differ")
    return 1 if differing else 0


def outputs_of(where, scratch, cert_dir):
    """A snapshot folder as it is, or a build's outputs recorded into scratch."""
    if os.path.exists(os.path.join(where, MARKER)):
        return where
    snapshot(where, scratch, cert_dir)
    return scratch


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--save":
        out, build = args[1], args[2]
        snapshot(build, out, out)
        print(f"saved {len(files_below(out))} outputs of {build} in {out}")
        return 0
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="compare-outputs-")
    try:
        # one certificate for both sides: a saved baseline brings its own
        cert_dir = next((w for w in args if os.path.exists(os.path.join(w, MARKER))), scratch)
        before = outputs_of(args[0], os.path.join(scratch, "before"), cert_dir)
        after = outputs_of(args[1], os.path.join(scratch, "after"), cert_dir)
        return compare(before, after)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
