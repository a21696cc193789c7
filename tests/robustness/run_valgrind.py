#!/usr/bin/env python3
"""run_valgrind.py - the test suite under valgrind memcheck: no invalid access, no leak.

    run_valgrind.py BUILD_DIR [-R REGEX] [-E REGEX] [--jobs N]

Runs the tests of a normal (not sanitized) build as ctest would (command, working folder, skip
status 77), with every program of ours under valgrind: the C test executables directly, and
credssp-analyze and credssp-probe wherever a test script runs them (their paths in the test's arguments
are replaced by wrappers that run them under valgrind). Memcheck errors and definite or indirect leaks make valgrind
exit 99, which fails the test; each process's log is kept in BUILD_DIR/valgrind/.

Left out by default (-E): fuzz.smoke (clang builds of its own), the tshark/plugin tests (tshark is
not ours), robustness.limits (it measures memory, which valgrind changes) and the corrupted-capture
campaign (minutes of work times valgrind's slowdown; docs/robustness.md has its sanitizer run).
Exit status: 0 when every test passed or was skipped, 1 otherwise.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import stat
import subprocess
import sys

DEFAULT_EXCLUDE = (r"^(fuzz\.smoke|plugin\..*|samples\.manifest_vs_tshark|robustness\.limits"
                   r"|robustness\.corrupt_captures)$")
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--track-origins=yes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("-R", default=".*", help="only tests matching this regex")
    ap.add_argument("-E", default=DEFAULT_EXCLUDE, help="leave out tests matching this regex")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("run_valgrind: valgrind is not installed")
        return 77
    build = os.path.abspath(args.build_dir)
    logs = os.path.join(build, "valgrind")
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)
    wrappers = {}
    for folder, program in (("analyzer", "credssp-analyze"), ("probe", "credssp-probe")):
        wrapper = os.path.join(logs, program)
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec " + " ".join(VALGRIND) +
                    f" --log-file={logs}/{folder}.%p.log {os.path.join(build, folder, program)} \"$@\"\n")
        os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        wrappers[os.path.join(build, folder, program)] = wrapper

    listing = json.loads(subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], check=True,
                                        capture_output=True, text=True).stdout)
    tests = []
    for t in listing["tests"]:
        if not re.search(args.R, t["name"]) or re.search(args.E, t["name"]):
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        cmd = [wrappers.get(a, a) for a in t["command"]]
        if cmd[0].startswith(build) and cmd[0] not in wrappers.values():
            cmd = VALGRIND + [f"--log-file={logs}/{t['name']}.%p.log"] + cmd
        tests.append((t["name"], cmd, props.get("WORKING_DIRECTORY", build), props.get("SKIP_RETURN_CODE")))

    def run(test):
        name, cmd, cwd, skip = test
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        if skip is not None and p.returncode == int(skip):
            return name, "skipped", ""
        return name, "passed" if p.returncode == 0 else f"FAILED ({p.returncode})", p.stdout + p.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for name, outcome, output in pool.map(run, tests):
            print(f"{name:40} {outcome}")
            if outcome.startswith("FAILED"):
                failed += 1
                print(output[-3000:])
    errors = [f for f in os.listdir(logs) if f.endswith(".log") and os.path.getsize(os.path.join(logs, f)) > 0]
    for f in errors:
        print(f"--- {f}\n" + open(os.path.join(logs, f)).read()[-3000:])
    print(f"run_valgrind: {len(tests)} tests, {failed} failed; {len(errors)} valgrind logs with reports")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
