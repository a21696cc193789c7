#!/usr/bin/python3
"""test_samples.py - the plugin on every recorded sample of samples/manifest.json.

Usage: test_samples.py PLUGIN_SO ANALYZER SAMPLES_DIR
For each sample, with no -d option and only its keys set (key log, RSA key; the pcapng carries its own):
  - per connection, the last view's verdict, evidence and versions, and the errorCode, equal the manifest
    and the analyzer's JSON; the findings equal the analyzer's;
  - TSRequests decoded per direction equal the manifest's counts (each one once; none by the built-in
    credssp dissector);
  - the expert items the connection calls for appear (derived from the manifest, below);
  - no Malformed item in a CredSSP or X.224 packet, and no Malformed item anywhere that Wireshark does not
    also raise without the plugin (its RDP dissector flags some FreeRDP MCS PDUs with Decode As TLS);
  - the two-pass cssp output equals the one-pass output;
  - the verdicts counted by -z cssp,tree in a run that builds no protocol tree (-q, no filter) equal the
    connections' verdicts above: the observer (FIN, RST, alerts, undecrypted records) needs no tree.
Exit 77 (skipped) when the manifest is absent.
"""
import collections
import json
import os
import sys

from tshark_harness import (Checks, Tshark, connections, cssp_layers, sample_options, run_json, skip,
                            view_value)

MALFORMED = "_ws.malformed || _ws.expert.group == 0x07000000"
CREDSSP_PACKETS = "cssp.version || cssp.early_auth_result || cssp.requested_protocols || cssp.selected_protocol"


def expected_experts(conn):
    """The expert items a manifest connection calls for."""
    experts = set()
    verdict, findings = conn["verdict"], conn["findings"]
    client, server = conn["client_credssp_version"], conn["server_credssp_version"]
    if client is not None and server is not None and client >= 5 and 2 <= server <= 4:
        experts.add("cssp.server_version.refused")
    if verdict == "version_mismatch":
        # from the traffic shape alone its own item, an Error too (docs/verdicts.md rule 11)
        shape = conn["evidence"] == "traffic_shape"
        experts.add("cssp.version_mismatch.traffic_shape" if shape else "cssp.version_mismatch")
    if verdict == "rejected_unpatched_client":
        experts.add("cssp.rejected_unpatched_client")
    if "client_unpatched" in findings:
        experts.add("cssp.client_version.unpatched")
    if conn["error_code"]:
        experts.add("cssp.error_code.note")
    if verdict == "negotiation_failed":
        experts.add("cssp.neg_failure.note")
    if verdict == "no_nla":
        experts.add("cssp.nla_not_negotiated")
    return experts


def analyzer_args(sample, samples_dir):
    keys = sample.get("keys", {})
    if "keylog" in keys:
        return ["-k", os.path.join(samples_dir, keys["keylog"])]
    if "rsa_key" in keys:
        return ["--rsa-key", os.path.join(samples_dir, keys["rsa_key"])]
    return []


def malformed_frames(tshark, pcap, options):
    rows = tshark.run("-n", "-r", pcap, *options, "-Y", MALFORMED, "-T", "fields", "-e", "frame.number").stdout
    return set(rows.split())


def stats_verdicts(tshark, pcap, options):
    """Connections per verdict from the statistics tree of a tshark run without a protocol tree."""
    out = tshark.run("-n", "-q", "-r", pcap, *options, "-z", "cssp,tree").stdout
    counts, inside = {}, False
    for line in out.splitlines():
        if line.startswith("Verdicts"):
            inside = True
        elif inside and line.startswith(" ") and line.strip():
            name, count = line.split()[:2]
            if int(count):  # a verdict a connection left for a later one keeps its row, at 0
                counts[name] = int(count)
        elif inside:
            break
    return counts


def check_sample(checks, tshark, baseline, analyzer, sample, samples_dir):
    name = sample["file"]
    pcap = tshark.add(os.path.join(samples_dir, name))
    options = sample_options(tshark, sample, samples_dir)
    packets, result = tshark.packets(pcap, options)
    if not sample.get("truncated"):
        checks.equal(result.returncode, 0, f"{name}: tshark exit status ({result.stderr.strip()})")
    checks.check(cssp_layers(packets) == cssp_layers(tshark.packets(pcap, options, two_pass=True)[0]),
                 f"{name}: two-pass cssp output equals one-pass output")
    conns = connections(packets)
    _, analyzed, _ = run_json(analyzer, *analyzer_args(sample, samples_dir), os.path.join(samples_dir, name))
    checks.equal(len(analyzed), len(sample["connections"]), f"{name}: analyzer connections")
    directions = direction_counts(packets)
    for index, expected in enumerate(sample["connections"]):
        where = f"{name} stream {expected['stream']}"
        got = conns.get(expected["stream"])
        checks.check(got is not None, f"{where}: the plugin judged the connection")
        view = got["view"] if got else None
        for key, field in (("verdict", "cssp.verdict"), ("evidence", "cssp.evidence"),
                           ("client_credssp_version", "cssp.client_version"),
                           ("server_credssp_version", "cssp.server_version")):
            checks.equal(view_value(view, field), expected[key], f"{where}: {key} as the manifest")
        error = expected["error_code"]["value"] if expected["error_code"] else None
        checks.equal((got or {}).get("error_codes", [])[-1:], [error] if error is not None else [],
                     f"{where}: errorCode as the manifest")
        checks.equal(directions.get(expected["stream"], {"client": 0, "server": 0}), expected["tsrequests"],
                     f"{where}: TSRequests per direction")
        missing = expected_experts(expected) - (got["experts"] if got else set())
        checks.equal(sorted(missing), [], f"{where}: expert items")
        if index < len(analyzed):
            a = analyzed[index]
            for key, field in (("verdict", "cssp.verdict"), ("evidence", "cssp.evidence"),
                               ("client_version", "cssp.client_version"), ("server_version", "cssp.server_version")):
                checks.equal(view_value(view, field), a[key], f"{where}: {key} as the analyzer")
            checks.equal(sorted(view_value(view, "cssp.finding")), sorted(a["findings"]),
                         f"{where}: findings as the analyzer")
    judged = collections.Counter(view_value(c["view"], "cssp.verdict") for c in conns.values())
    checks.equal(stats_verdicts(tshark, pcap, options), dict(judged), f"{name}: verdicts without a protocol tree")
    checks.equal(tshark.count(pcap, "credssp", options)[0], 0, f"{name}: the built-in credssp decodes nothing")
    checks.equal(tshark.count(pcap, f"({MALFORMED}) && ({CREDSSP_PACKETS})", options)[0], 0,
                 f"{name}: no Malformed item in CredSSP or X.224 packets")
    if sample.get("keys") and "embedded" not in sample["keys"]:
        base_pcap = baseline.add(os.path.join(samples_dir, name))
        base_options = sample_options(baseline, sample, samples_dir) + ["-d", f"tcp.port=={sample['server_port']},tls"]
        extra = malformed_frames(tshark, pcap, options) - malformed_frames(baseline, base_pcap, base_options)
        checks.equal(sorted(extra, key=int), [], f"{name}: no Malformed item Wireshark does not raise without the plugin")


def direction_counts(packets):
    """TSRequests per stream and direction, from the sender of each view."""
    counts = {}
    for layers in packets:
        stream = int(layers["tcp"]["tcp.stream"])
        items = layers.get("cssp", [])
        for item in items if isinstance(items, list) else [items]:
            if "cssp.version" in item:
                sender = item["cssp.connection"]["cssp.sender"]
                per = counts.setdefault(stream, {"client": 0, "server": 0})
                per[sender] += 1
    return counts


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    plugin, analyzer, samples_dir = sys.argv[1:]
    manifest_path = os.path.join(samples_dir, "manifest.json")
    if not os.path.exists(manifest_path):
        skip(f"{manifest_path} not found")
    with open(manifest_path) as f:
        manifest = json.load(f)
    checks = Checks("plugin.samples")
    tshark = Tshark(plugin)
    baseline = Tshark(None)
    try:
        for sample in manifest["samples"]:
            if not os.path.exists(os.path.join(samples_dir, sample["file"])):
                checks.check(False, f"{sample['file']}: listed in the manifest but missing")
                continue
            check_sample(checks, tshark, baseline, analyzer, sample, samples_dir)
    finally:
        tshark.close()
        baseline.close()
    checks.finish()


if __name__ == "__main__":
    main()
