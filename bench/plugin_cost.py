#!/usr/bin/env python3
"""plugin_cost.py - the plugin's cost in tshark, in instructions (callgrind), on one capture.

Usage: bench/plugin_cost.py --build BUILD_DIR [--work /tmp/bench-cost] CAPTURE KEYLOG

Runs the tshark commands of run_bench.py under valgrind's callgrind and prints the instructions of each and
the plugin's share: (4) +plugin against (3) tshark, and the summary command without and with the plugin.
Instruction counts do not depend on what else the machine is doing, unlike the times of run_bench.py, whose
tshark runs vary by tens of percent from run to run on a shared 2-core machine. tshark's start-up (about
0.86 G instructions, the same with and without the plugin) is counted in every run. About 60x tshark's time
per run: use a capture of tens of MB (bench/make_capture.py makes them).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import BASELINES, Tshark, tshark_commands   # noqa: E402


def instructions(tshark, with_plugin, command, work, name):
    out = os.path.join(work, name.replace(" ", "-").replace("+", "plus-") + ".callgrind")
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    full = tshark.command(with_plugin, command)
    at = full.index("tshark")
    result = subprocess.run(full[:at] + valgrind + full[at:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if not found:
        sys.exit(f"{name}: callgrind gave no count:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", default="/tmp/bench-cost", help="scratch folder, readable by nobody")
    parser.add_argument("capture")
    parser.add_argument("keylog")
    args = parser.parse_args()
    plugin = os.path.join(os.path.abspath(args.build), "plugins", "4.0", "epan", "cssp.so")
    if not os.path.exists(plugin):
        sys.exit(f"{plugin} not found: build the project first")
    os.makedirs(args.work, exist_ok=True)
    os.chmod(args.work, 0o777)
    pcap, keys = os.path.join(args.work, "capture.pcap"), os.path.join(args.work, "keys.log")
    shutil.copy(args.capture, pcap)
    shutil.copy(args.keylog, keys)
    for path in (pcap, keys):
        os.chmod(path, 0o644)
    tshark = Tshark(args.work, plugin)
    counts = {name: instructions(tshark, with_plugin, command, args.work, name)
              for name, (with_plugin, command) in tshark_commands(pcap, keys).items()}
    for name, count in counts.items():
        versus = f"  {(count / counts[BASELINES[name]] - 1) * 100:+.1f}% on {BASELINES[name]}" if name in BASELINES else ""
        print(f"{name:14} {count / 1e6:10,.0f} M instructions{versus}")


if __name__ == "__main__":
    main()
