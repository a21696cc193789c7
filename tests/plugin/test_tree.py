#!/usr/bin/env python3
"""test_tree.py - what a Wireshark user sees of the plugin, checked without the GUI (tshark 4.0).

The GUI shows the same tree, columns, expert items and statistics as tshark in a later pass (-2: the GUI
dissects a packet again once the file is loaded, and its Statistics dialog retaps it); this guards the points of
docs/plugin.md "In the Wireshark window" on every capture of samples/manifest.json:
  - one Connection subtree per packet: no field of it occurs twice (tshark -E occurrence=a);
  - no label is cut at Wireshark's 240-byte limit, and each line of an explanation or advice is at most
    175 bytes (it reads whole in a 1,600-pixel window);
  - an expert item for each verdict the manifest gives a connection, and an Error only on a packet whose
    verdict so far is a failure (the words and the colours agree);
  - the packet where a connection reaches its verdict says it in the Protocol and Info columns;
  - the statistics tree: topics in order, no row counting 0, one hex style;
  - registration: a short protocol name, every field with a description, no two fields or expert items
    with the same label.
Usage: test_tree.py PLUGIN SAMPLES_DIR
"""
import json
import os
import re
import sys

from tshark_harness import Checks, Tshark, sample_options

LABEL_LIMIT = 240          # ITEM_LABEL_LENGTH, epan/proto.h
LINE_LIMIT = 175           # plugin/cssp-connection-tree.c LINE_MAX_BYTES
FAILURES = {"version_mismatch", "rejected_unpatched_client", "auth_failed", "negotiation_failed"}
AGGREGATOR = "\x1e"        # -E occurrence=a joins a field's values with it; the texts hold commas
# The severity and opening words of the expert item that says each verdict (docs/plugin.md, "Expert information").
VERDICT_EXPERT = {
    "ok": ("Chat", "CredSSP completed"),
    "version_mismatch": ("Error", "CredSSP version mismatch: the client"),
    "rejected_unpatched_client": ("Error", "The server refused"),
    "auth_failed": ("Error", "Authentication failed"),
    "no_nla": ("Warning", "NLA not negotiated"),
    "negotiation_failed": ("Error", "RDP_NEG_FAILURE"),
}
# The Connection subtree's fields and the X.224 negotiation's flags: each at most once per packet.
CONNECTION_FIELDS = ["cssp.connection", "cssp.sender", "cssp.client_version", "cssp.server_version",
                     "cssp.effective_version", "cssp.verdict", "cssp.evidence", "cssp.explanation", "cssp.advice",
                     "cssp.connection_verdict", "cssp.cause", "cssp.auth", "cssp.auth_package", "cssp.ntlm_fallback",
                     "cssp.kerberos_service", "cssp.kerberos_realm", "cssp.kerberos_error", "cssp.mode",
                     "cssp.client_flags", "cssp.server_flags", "cssp.correlation_id"]
STATS_TOPICS = ["Verdicts (per connection, latest)", "TSRequest versions (first advertised)", "TSRequest errorCode"]


def cssp_blocks(text):
    """Per frame (tshark -O cssp, one pass): the label lines of the cssp layer, indentation kept."""
    blocks, frame, inside = {}, None, False
    for line in text.splitlines():
        match = re.match(r"Frame (\d+):", line)
        if match:
            frame, inside = int(match.group(1)), False
            blocks[frame] = []
        elif line and not line.startswith(" "):
            inside = line.startswith("CredSSP analysis")
            if inside:
                blocks[frame].append(line)
        elif inside:
            blocks[frame].append(line)
    return blocks


def check_labels(checks, name, blocks):
    for frame, lines in blocks.items():
        for line in lines:
            label = line.strip()
            checks.check("[truncated]" not in label and len(label.encode()) < LABEL_LIMIT,
                         f"{name} frame {frame}: label not cut: {label[:80]}...")
        for i, line in enumerate(lines):
            if line.strip() in ("[Explanation]", "[Advice]"):
                depth = len(line) - len(line.lstrip())
                for child in lines[i + 1:]:
                    if len(child) - len(child.lstrip()) <= depth:
                        break
                    text = child.strip()[1:-1]
                    checks.check(len(text.encode()) <= LINE_LIMIT,
                                 f"{name} frame {frame}: {line.strip()} line of {len(text.encode())} bytes")


def check_severity(checks, name, blocks):
    """An Error in the cssp layer only where the verdict so far is a failure."""
    for frame, lines in blocks.items():
        verdicts = [line.split(":", 1)[1].strip(" ]") for line in lines if "[Verdict so far:" in line]
        errors = [line.strip() for line in lines if line.strip().startswith("[Expert Info (Error/")]
        if errors:
            checks.check(bool(verdicts) and verdicts[-1] in FAILURES,
                         f"{name} frame {frame}: an Error ({errors[0][:60]}) with the verdict so far {verdicts}")


def stats_rows(out):
    """The statistics tree's rows, as (indented?, name, count) after the header."""
    rows = []
    for line in out.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) > 1 and parts[1].isdigit():
            rows.append((line.startswith(" "), parts[0], int(parts[1])))
    return rows


def check_sample(checks, tshark, sample, samples_dir):
    """Later-pass runs (what the GUI shows once a file is loaded): fields; the packet list; tree and statistics."""
    name = sample["file"]
    pcap = tshark.add(os.path.join(samples_dir, name))
    options = sample_options(tshark, sample, samples_dir)

    rows = tshark.run("-2", "-n", "-r", pcap, *options, "-T", "fields", "-E", "occurrence=a",
                      "-E", "aggregator=" + AGGREGATOR, "-e", "frame.number", "-e", "tcp.stream",
                      *sum((["-e", f] for f in CONNECTION_FIELDS), [])).stdout
    table = [row.split("\t") for row in rows.splitlines()]
    # The packet list's Protocol and Info columns as the GUI shows them: the summary lines, not the _ws.col.*
    # fields, which Wireshark 4.4 takes from the columns before the plugin's observer (a postdissector) has run.
    columns = tshark.run("-2", "-n", "-r", pcap, *options, "-T", "tabs",
                         "-o", 'gui.column.format:"No.","%m","Protocol","%p","Info","%i"').stdout
    packet_list = {int(row[0]): row[1:] for row in (line.strip().split("\t", 2) for line in columns.splitlines())}
    repeated = [(row[0], field) for row in table for field, value in zip(CONNECTION_FIELDS, row[2:])
                if AGGREGATOR in value]
    checks.equal(repeated, [], f"{name}: no Connection field twice in a packet")

    out = tshark.run("-2", "-n", "-r", pcap, *options, "-O", "cssp", "-z", "cssp,tree").stdout
    tree, _, stats = out.partition("\n===")
    blocks = cssp_blocks(tree)
    check_labels(checks, name, blocks)
    check_severity(checks, name, blocks)

    verdict_col = 2 + CONNECTION_FIELDS.index("cssp.verdict")
    for expected in sample["connections"]:
        verdict, stream = expected["verdict"], str(expected["stream"])
        where = f"{name} stream {stream}"
        frames = [int(row[0]) for row in table if row[1] == stream]
        messages = [line.strip() for f in frames for line in blocks.get(f, []) if "[Expert Info (" in line]
        wanted = VERDICT_EXPERT.get(verdict)
        if expected["evidence"] == "traffic_shape" and verdict == "incomplete":
            wanted = ("Warning", "Without decryption: CredSSP stopped where a refused CredSSP version")
        if wanted:
            checks.check(any(m.startswith(f"[Expert Info ({wanted[0]}/") and wanted[1] in m for m in messages),
                         f"{where}: an expert item for {verdict} ({wanted}; got {messages})")
        if verdict != "incomplete":
            first = next((int(row[0]) for row in table if row[1] == stream and row[verdict_col] == verdict), None)
            shown = packet_list.get(first, ["", ""])
            checks.check(shown[0] == "CSSP" and shown[1].startswith(f"CredSSP verdict: {verdict} "),
                         f"{where}: the verdict packet's columns say {verdict} (got frame {first}: {shown})")

    rows = stats_rows(stats)
    topics = [n for indented, n, _ in rows if not indented]
    checks.equal(topics, [t for t in STATS_TOPICS if t in topics], f"{name}: statistics topics in order")
    checks.equal([n for indented, n, c in rows if indented and c == 0], [], f"{name}: no statistics row counting 0")
    checks.equal(re.findall(r"0x[0-9A-F]*[a-f][0-9a-fA-F]*", stats), [], f"{name}: one hex style")
    verdicts = {}
    for c in sample["connections"]:
        verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
    for verdict, count in verdicts.items():
        checks.check((True, verdict, count) in rows, f"{name}: the statistics count {count} {verdict}")


def check_registration(checks, tshark):
    protocols = tshark.run("-G", "protocols").stdout
    # name, short name, filter name, then flags that 4.4 added: the filter name is the third column
    names = [parts for parts in (line.split("\t") for line in protocols.splitlines()) if parts[2:3] == ["cssp"]]
    checks.check(len(names) == 1 and len(names[0][0]) <= 20,
                 f"a short protocol name, as Wireshark's own (got {names})")
    rows = [line.split("\t") for line in tshark.run("-G", "fields").stdout.splitlines()]
    cssp = [r + [""] * (8 - len(r)) for r in rows if r[0] == "F" and r[2].startswith("cssp.")]
    # tshark 4.0 has no -G expert: an expert item is listed as a field of type FT_NONE without a description
    experts = [r for r in cssp if r[3] == "FT_NONE" and not r[7].strip()]
    fields = [r for r in cssp if r not in experts]
    checks.check(len(fields) > 20 and len(experts) > 10,
                 f"the plugin's fields ({len(fields)}) and expert items ({len(experts)}) are listed")
    checks.equal([r[2] for r in fields if len(r[7].strip()) < 15], [], "every field has a description a user can read")
    labels = [r[1] for r in cssp]
    checks.equal(sorted({x for x in labels if labels.count(x) > 1}), [],
                 "no two fields or expert items with the same label")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    plugin, samples_dir = sys.argv[1:]
    checks = Checks("plugin.tree")
    tshark = Tshark(plugin)
    try:
        with open(os.path.join(samples_dir, "manifest.json")) as f:
            manifest = json.load(f)
        check_registration(checks, tshark)
        for sample in manifest["samples"]:
            check_sample(checks, tshark, sample, samples_dir)
    finally:
        tshark.close()
    checks.finish()


if __name__ == "__main__":
    main()
