"""harness.py - the few helpers the analyzer's test scripts share.

Runs credssp-analyze, parses its JSON Lines, counts checks and prints the
closing line "N passed, N failed" that ctest's log shows.
"""
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77  # ctest SKIP_RETURN_CODE


class Checks:
    def __init__(self, suite):
        self.suite = suite
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", file=sys.stderr)

    def equal(self, got, expected, what):
        self.check(got == expected, f"{what}: got {got!r}, expected {expected!r}")

    def finish(self):
        print(f"{self.suite}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def run(analyzer, *args):
    """Runs the analyzer; returns (exit status, stdout, stderr)."""
    p = subprocess.run([analyzer, "--no-progress", *args], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def run_json(analyzer, *args):
    rc, out, err = run(analyzer, "--json", *args)
    conns = [json.loads(line) for line in out.splitlines() if line.strip()]
    return rc, conns, err


def corpus_dir(source_dir):
    """../shared/corpus beside the checkout, or None (the caller skips visibly)."""
    candidate = os.path.join(source_dir, "..", "shared", "corpus")
    return os.path.abspath(candidate) if os.path.isdir(candidate) else None


def scratch_dir(prefix):
    """A new temporary folder and a function writing a named file of bytes into it (returns the path)."""
    tmp = tempfile.mkdtemp(prefix=prefix)

    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    return tmp, write
