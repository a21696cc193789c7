#!/usr/bin/env python3
"""run_bench.py - the performance benchmark: the analyzer, tshark and the plugin against the libpcap floor.

Usage: bench/run_bench.py --build BUILD_DIR [--sizes 100,500,2000] [--shapes spray,long] [--work /tmp/bench]
                          [--repeat 3] [--tshark-repeat 1] [--tshark-max-mb 500] [--markdown FILE] [--keep]

Builds, for every shape and size (MB), a capture with make_capture.py, then runs on the same file, from the
page cache, one after the other:
  floor     BUILD/bench/pcap-floor: a bare pcap_next_ex read loop
  analyzer  credssp-analyze --json --no-progress -k KEYLOG
  tshark    tshark 4.0 with the key log, Decode As tcp.port==3389,tls, printing the CredSSP version per
            packet (-T fields -e tcp.stream -e credssp.version -Y credssp); no plugin
  +plugin   tshark with the plugin and the key log, printing its per-connection versions
            (-T fields -e tcp.stream -e cssp.client_version -e cssp.server_version -e cssp.evidence -Y cssp.verdict)
  tshark lines, +plugin lines
            one command run without and with the plugin: tshark with the key log and Decode As
            tcp.port==3389,tls, printing its one-line summary of every packet (the plugin's cost when it is
            installed, with the same output: the +plugin run above prints far more lines than the tshark run,
            since the plugin judges every connection and Wireshark's own dissector only the decrypted ones)
and prints wall time and CPU time (of the run with the least CPU time of --repeat for the floor and the
analyzer, of --tshark-repeat for each tshark command), MB/s and the ratios to the floor and to tshark (by CPU time: see rows()),
peak RSS, and how many connections each reported and decrypted.

Shapes:
  spray  copies of the corpus HTB capture (574 short TLS 1.3 NLA connections of a password spray), 16 copies
         running at once, each with its own client addresses
  long   8 RDP sessions at once (recorded samples, TLS 1.2 and 1.3) each carrying size/8 bytes of TLS
         application records after CredSSP

tshark runs as the user nobody when this runs as root (Wireshark ignores plugin folders as root), with HOME
and WIRESHARK_PLUGIN_DIR in a world-readable scratch folder (so --work must be reachable by nobody). tshark
is skipped above --tshark-max-mb; the plugin is skipped when BUILD has no plugins/4.0/epan/cssp.so.
Captures are deleted after their runs unless --keep.
A 10 GB run: --sizes 10000 --tshark-max-mb 0 (needs 11 GB free in --work).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
CORPUS = os.path.abspath(os.path.join(SOURCE, "..", "shared", "corpus"))
SAMPLES = os.path.join(SOURCE, "samples")
LONG_SESSIONS = 8
SPRAY_OVERLAP = 16
BULK_OVERHEAD = 1.072       # file bytes per bulk payload byte: record headers, 70-byte headers, ACKs


def shapes():
    htb = os.path.join(CORPUS, "htb-wire-whispered")
    long_samples = ["cell4-xfreerdp-freerdp-shadow-tls12-gcm", "cell4-xfreerdp-freerdp-shadow-tls13"]
    return {
        "spray": {"templates": [os.path.join(htb, "capture.pcap")], "keys": [os.path.join(htb, "tls-lsa.log")]},
        "long": {"templates": [os.path.join(SAMPLES, s + ".pcap") for s in long_samples],
                 "keys": [os.path.join(SAMPLES, s + ".keys") for s in long_samples]},
    }


def generator_args(shape, size_mb, spec):
    if shape == "spray":
        copies = max(1, round(size_mb * 1e6 / os.path.getsize(spec["templates"][0])))
        return ["--copies", str(copies), "--overlap", str(SPRAY_OVERLAP)]
    bulk = int(size_mb * 1e6 / LONG_SESSIONS / BULK_OVERHEAD)
    return ["--copies", str(LONG_SESSIONS), "--overlap", str(LONG_SESSIONS), "--bulk", str(bulk)]


class Run:
    def __init__(self, wall, cpu, rss_mib, returncode, stdout_path):
        self.wall, self.cpu, self.rss_mib, self.returncode = wall, cpu, rss_mib, returncode
        self.stdout_path = stdout_path
        self.reported = self.decrypted = None


def measure(command, stdout_path):
    """
    Wall time, CPU time (user + system) and peak RSS of a command and what it waited for. The RSS comes
    from /usr/bin/time: a child forked from this Python process would count Python's pages as its own.
    """
    rss_path = stdout_path + ".rss"
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_path, *command], stdout=out,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    with open(rss_path) as f:
        rss_kib = int(f.read().split()[-1])
    os.remove(rss_path)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024, proc.returncode, stdout_path)


def best_of(repeat, command, stdout_path):
    return min((measure(command, stdout_path) for _ in range(repeat)), key=lambda r: r.cpu)


def count_analyzer(run):
    lines = [json.loads(line) for line in open(run.stdout_path)]
    run.reported = len(lines)
    run.decrypted = sum(1 for c in lines if (c.get("tls") or {}).get("decrypted"))


def count_tshark(run, evidence_column=None):
    """Connections (tcp.stream) with a line; decrypted: all of them, or those whose evidence says so."""
    streams, decrypted = set(), set()
    for line in open(run.stdout_path, errors="replace"):
        fields = line.rstrip("\n").split("\t")
        if not fields[0]:
            continue
        streams.add(fields[0])
        if evidence_column is None or (len(fields) > evidence_column and fields[evidence_column] == "decrypted"):
            decrypted.add(fields[0])
    run.reported, run.decrypted = len(streams), len(decrypted)


class Tshark:
    """tshark as Wireshark accepts a plugin folder: as nobody when root, with a world-readable scratch folder."""

    def __init__(self, work, plugin):
        self.dir = os.path.join(work, "tshark")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.home = os.path.join(self.dir, "home")
        self.plugins = os.path.join(self.dir, "plugins")
        self.no_plugins = os.path.join(self.dir, "no-plugins")
        for d in (self.home, os.path.join(self.plugins, "4.0", "epan"), self.no_plugins):
            os.makedirs(d)
        if plugin:
            shutil.copy(plugin, os.path.join(self.plugins, "4.0", "epan", "cssp.so"))
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o777 if root == self.home else 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)

    def command(self, with_plugin, args):
        env = ["env", "HOME=" + self.home, "LC_ALL=C",
               "WIRESHARK_PLUGIN_DIR=" + (self.plugins if with_plugin else self.no_plugins)]
        prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        return prefix + env + ["tshark", "-n", *args]


def tshark_commands(pcap, keys):
    """The tshark runs, by name: (with the plugin?, arguments after tshark -n)."""
    key_option = ["-o", "tls.keylog_file:" + keys]
    # The same command with and without the plugin: a line per packet, TLS decoded on 3389 in both.
    summary = ["-r", pcap, *key_option, "-d", "tcp.port==3389,tls"]
    return {
        "tshark": (False, ["-r", pcap, *key_option, "-d", "tcp.port==3389,tls", "-T", "fields", "-e", "tcp.stream",
                           "-e", "credssp.version", "-Y", "credssp"]),
        "+plugin": (True, ["-r", pcap, *key_option, "-T", "fields", "-e", "tcp.stream", "-e", "cssp.client_version",
                           "-e", "cssp.server_version", "-e", "cssp.evidence", "-Y", "cssp.verdict"]),
        "tshark lines": (False, summary),
        "+plugin lines": (True, summary),
    }


def run_file(args, shape, size_mb, spec, tshark):
    pcap = os.path.join(args.work, f"{shape}-{size_mb}MB.pcap")
    keys = os.path.join(args.work, f"{shape}.keys")
    with open(keys, "wb") as out:
        for k in spec["keys"]:
            with open(k, "rb") as f:
                out.write(f.read())
    os.chmod(keys, 0o644)
    if not os.path.exists(pcap):
        subprocess.run([sys.executable, os.path.join(HERE, "make_capture.py"), pcap, *spec["templates"],
                        *generator_args(shape, size_mb, spec)], check=True)
    os.chmod(pcap, 0o644)
    size = os.path.getsize(pcap)
    out = lambda tool: os.path.join(args.work, f"{shape}-{size_mb}MB.{tool}.out")   # noqa: E731
    floor = os.path.join(args.build, "bench", "pcap-floor")
    analyzer = os.path.join(args.build, "analyzer", "credssp-analyze")
    measure([floor, pcap], out("floor"))            # brings the file into the page cache
    load = os.getloadavg()[0]
    runs = {"floor": best_of(args.repeat, [floor, pcap], out("floor"))}
    runs["analyzer"] = best_of(args.repeat, [analyzer, "--json", "--no-progress", "-k", keys, pcap], out("analyzer"))
    count_analyzer(runs["analyzer"])
    if tshark and size_mb <= args.tshark_max_mb:
        commands = {name: tshark.command(with_plugin, command)
                    for name, (with_plugin, command) in tshark_commands(pcap, keys).items()
                    if args.plugin or not with_plugin}
        # Round after round over all the commands, so that a slow spell of the machine does not fall on
        # one of a pair (with and without the plugin) only.
        for _ in range(args.tshark_repeat):
            for name, command in commands.items():
                run = measure(command, out(OUTPUT_NAMES.get(name, name)))
                if name not in runs or run.cpu < runs[name].cpu:
                    runs[name] = run
        count_tshark(runs["tshark"])
        if "+plugin" in runs:
            count_tshark(runs["+plugin"], evidence_column=3)
    for name, run in runs.items():
        if run.returncode not in (0, 1):   # the analyzer exits 1 when it found a refused connection
            print(f"warning: {name} exited with status {run.returncode} on {pcap}", file=sys.stderr)
    if not args.keep:
        os.remove(pcap)
    for tool in runs:
        os.remove(out(OUTPUT_NAMES.get(tool, tool)))
    return size, load, runs


OUTPUT_NAMES = {"+plugin": "plugin", "tshark lines": "lines", "+plugin lines": "plugin-lines"}
BASELINES = {"+plugin": "tshark", "+plugin lines": "tshark lines"}   # what the plugin's runs are compared with


def rows(shape, size, load, runs):
    """
    The rates and ratios use CPU time (user + system): every tool here is single-threaded, so on an idle
    machine CPU time is the wall time, and on a shared one (other jobs on the 2 cores) it is what wall time
    would have been. The wall time is shown too, with the load average before the runs.
    """
    floor, tshark = runs["floor"], runs.get("tshark")
    for name, run in runs.items():
        if name in BASELINES:
            versus = f"{(run.cpu / runs[BASELINES[name]].cpu - 1) * 100:+.0f}% on {BASELINES[name]}"
        elif tshark and not name.startswith("tshark"):
            versus = f"{tshark.cpu / run.cpu:.1f}x faster"
        else:
            versus = ""
        yield [shape, f"{size / 1e6:.0f}", f"{load:.2f}", name, f"{run.wall:.2f}", f"{run.cpu:.2f}",
               f"{size / 1e6 / run.cpu:.0f}", f"{run.cpu / floor.cpu:.1f}", versus, f"{run.rss_mib:.1f}",
               "" if run.reported is None else str(run.reported),
               "" if run.decrypted is None else str(run.decrypted)]


HEADER = ["shape", "MB", "load", "tool", "wall s", "CPU s", "MB/s (CPU)", "x floor (CPU)", "vs tshark (CPU)",
          "peak RSS MiB", "conns", "decrypted"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True, help="the CMake build folder")
    parser.add_argument("--sizes", default="100,500,2000", help="capture sizes in MB, comma-separated")
    parser.add_argument("--shapes", default="spray,long")
    parser.add_argument("--work", default="/tmp/bench", help="where captures and outputs go")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the floor and the analyzer; the one with the least CPU time counts")
    parser.add_argument("--tshark-repeat", type=int, default=1,
                        help="rounds over the tshark commands; each command's run with the least CPU time counts")
    parser.add_argument("--tshark-max-mb", type=float, default=500, help="no tshark runs above this size")
    parser.add_argument("--markdown", help="also write the table to this file as Markdown")
    parser.add_argument("--keep", action="store_true", help="keep the generated captures")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    for tool in ("bench/pcap-floor", "analyzer/credssp-analyze"):
        if not os.access(os.path.join(args.build, tool), os.X_OK):
            sys.exit(f"{args.build}/{tool} not found: build the project (with add_subdirectory(bench)) first")
    if not os.path.isdir(CORPUS):
        sys.exit(f"{CORPUS} not found: the spray shape needs the corpus beside the checkout")
    plugin = os.path.join(args.build, "plugins", "4.0", "epan", "cssp.so")
    args.plugin = plugin if os.path.exists(plugin) else None
    os.makedirs(args.work, exist_ok=True)
    os.chmod(args.work, 0o755)       # tshark's user reads the captures there
    tshark = Tshark(args.work, args.plugin) if shutil.which("tshark") and args.tshark_max_mb > 0 else None
    table = []
    for shape in args.shapes.split(","):
        spec = shapes()[shape]
        for size_mb in (int(s) for s in args.sizes.split(",")):
            size, load, runs = run_file(args, shape, size_mb, spec, tshark)
            for row in rows(shape, size, load, runs):
                table.append(row)
                print("  ".join(row), flush=True)
    widths = [max(len(r[i]) for r in [HEADER] + table) for i in range(len(HEADER))]
    print()
    for row in [HEADER] + table:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER) + "\n")
            for row in table:
                f.write("| " + " | ".join(row) + " |\n")


if __name__ == "__main__":
    main()
