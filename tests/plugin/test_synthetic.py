#!/usr/bin/python3
"""test_synthetic.py - the plugin on captures built for it by make_captures.py.

Usage: test_synthetic.py PLUGIN_SO ANALYZER
Per case, with no -d option and only the key log set:
  - the verdict, both versions and the errorCode of the last view equal the case's expectation and the
    analyzer's JSON; the same without keys (verdicts from the traffic shape);
  - every TSRequest is decoded once: the expected count, each split one (over two TLS records, or two TCP
    segments, or cut inside its DER header) in one piece; the built-in credssp dissector decodes none;
  - the expected expert items appear, and no Malformed item;
  - the two-pass output (-2) of the cssp layer equals the one-pass output.
Also: the X.224 negotiation still shows as RDP and TLS is decoded without Decode As; Decode As TLS still
gives the same TSRequests and verdict; RDP after CredSSP reaches TPKT; the stats tree counts versions and
verdicts.
"""
import re
import sys
import tempfile

import make_captures
from tshark_harness import Checks, Tshark, connections, cssp_layers, key_options, run_json, view_value

MALFORMED = "_ws.malformed || _ws.expert.group == 0x07000000"
EARLY_AUTH = {"AUTHZ_SUCCESS": 0, "AUTHZ_ACCESS_DENIED": 5}


def check_case(checks, tshark, analyzer, name, pcap, keylog, expected):
    options = key_options(tshark, keylog)
    packets, result = tshark.packets(pcap, options)
    checks.equal(result.returncode, 0, f"{name}: tshark exit status ({result.stderr.strip()})")
    packets2, _ = tshark.packets(pcap, options, two_pass=True)
    checks.check(cssp_layers(packets) == cssp_layers(packets2), f"{name}: two-pass cssp output equals one-pass output")
    conns = connections(packets)
    verdicts = expected.get("verdicts", [expected.get("verdict")])
    checks.equal([view_value(c["view"], "cssp.verdict") for c in conns.values()], verdicts, f"{name}: verdicts")
    first = next(iter(conns.values()), None)
    if "client_version" in expected and first:
        checks.equal(view_value(first["view"], "cssp.client_version"), expected["client_version"],
                     f"{name}: client version")
        checks.equal(view_value(first["view"], "cssp.server_version"), expected["server_version"],
                     f"{name}: server version")
    checks.equal(sum(len(c["versions"]) for c in conns.values()), expected["tsrequests"],
                 f"{name}: TSRequests decoded (each once)")
    if "error_code" in expected:
        checks.equal(first["error_codes"] if first else None, [expected["error_code"]], f"{name}: errorCode")
    if "early_auth" in expected:
        checks.equal(first["early_auth"] if first else None, [EARLY_AUTH[expected["early_auth"]]],
                     f"{name}: Early User Authorization Result")
    for key in ("auth_package", "cause"):
        if key in expected and first:
            checks.equal(view_value(first["view"], "cssp." + key), expected[key], f"{name}: {key}")
    experts = set().union(*(c["experts"] for c in conns.values())) if conns else set()
    for expert in expected["experts"]:
        checks.check(expert in experts, f"{name}: expert item {expert} (got {sorted(experts)})")
    malformed = 1 if expected.get("malformed") else 0
    checks.equal(tshark.count(pcap, MALFORMED, options)[0], malformed, f"{name}: Malformed items (the plugin's own)")
    checks.equal(tshark.count(pcap, "credssp", options)[0], 0, f"{name}: the built-in credssp decodes nothing")

    analyzer_args = ["-k", keylog] if keylog else []
    _, analyzed, _ = run_json(analyzer, *analyzer_args, pcap)
    checks.equal([a["verdict"] for a in analyzed], verdicts, f"{name}: analyzer verdicts")
    for a, c in zip(analyzed, conns.values()):
        for key, field in (("client_version", "cssp.client_version"), ("server_version", "cssp.server_version"),
                           ("evidence", "cssp.evidence")):
            checks.equal(view_value(c["view"], field), a[key], f"{name}: {key} as the analyzer")
        checks.equal(c["error_codes"][-1:], [a["error_code"]] if a["error_code"] is not None else [],
                     f"{name}: errorCode as the analyzer")
        checks.equal(sorted(view_value(c["view"], "cssp.finding")), sorted(a["findings"]),
                     f"{name}: findings as the analyzer")
        for key in ("auth_package", "cause"):
            checks.equal(view_value(c["view"], "cssp." + key), a[key], f"{name}: {key} as the analyzer")
    if keylog:
        bare, _ = tshark.packets(pcap)
        _, analyzed_bare, _ = run_json(analyzer, pcap)
        checks.equal([view_value(c["view"], "cssp.verdict") for c in connections(bare).values()],
                     [a["verdict"] for a in analyzed_bare], f"{name}: verdicts without keys as the analyzer")
        for finding in expected.get("findings_without_keys", []):
            checks.check(all(finding in view_value(c["view"], "cssp.finding") for c in connections(bare).values()),
                         f"{name}: finding {finding} without keys")
            checks.check(all(finding in a["findings"] for a in analyzed_bare),
                         f"{name}: finding {finding} without keys in the analyzer")
    return conns


def check_split(checks, tshark, pcap, keylog, conns):
    """The AUTHENTICATE (pubKeyAuth) and credentials (authInfo) TSRequests each came in two records."""
    options = key_options(tshark, keylog)
    frames = next(iter(conns.values()))["frames"]
    for what in ("cssp.pub_key_auth && cssp.nego_token", "cssp.auth_info"):
        checks.equal(tshark.count(pcap, what, options)[0], 1, f"split TSRequest with {what} decoded once")
    # the frame before each split TSRequest holds its first record and no TSRequest of its own
    for field in ("cssp.pub_key_auth && cssp.nego_token", "cssp.auth_info"):
        packets, _ = tshark.packets(pcap, options, display_filter=field)
        frame = int(packets[0]["frame"]["frame.number"]) if packets else 0
        checks.check(frame in frames and frame - 1 not in frames, f"{field}: decoded in the frame of its last record")


def check_decode_as(checks, tshark, pcap, keylog):
    options = key_options(tshark, keylog) + ["-d", "tcp.port==3389,tls"]
    conns = connections(tshark.packets(pcap, options)[0])
    checks.equal([view_value(c["view"], "cssp.verdict") for c in conns.values()], ["ok"], "Decode As TLS: verdict")
    checks.equal(sum(len(c["versions"]) for c in conns.values()), 5, "Decode As TLS: TSRequests decoded once")
    checks.equal(tshark.count(pcap, "credssp", options)[0], 0, "Decode As TLS: the built-in credssp decodes nothing")


def check_rdp_layers(checks, tshark, pcap, keylog):
    """Without Decode As: the negotiation is still RDP's, TLS is decoded, RDP goes on after CredSSP."""
    options = key_options(tshark, keylog)
    checks.equal(tshark.count(pcap, "rdp && (cssp.requested_protocols || cssp.selected_protocol)", options)[0], 2,
                 "the X.224 Request and Confirm show as RDP, with the plugin's analysis")
    checks.equal(tshark.count(pcap, "tls.handshake.type == 1", options)[0], 1, "the TLS ClientHello is decoded")
    checks.equal(tshark.count(pcap, "tls && cotp.type == 0x0f", options)[0], 1,
                 "the X.224 Data TPDU after CredSSP reaches TPKT/COTP inside TLS")


def check_stats(checks, tshark, pcap, keylog, expected_lines):
    out = tshark.run("-n", "-q", "-r", pcap, *key_options(tshark, keylog), "-z", "cssp,tree").stdout
    rows = {tuple(re.split(r"\s{2,}", line.strip())[:2]) for line in out.splitlines() if line.strip()}
    for name, count in expected_lines:
        checks.check((name, str(count)) in rows, f"stats tree: {name} {count}\n{out}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    plugin, analyzer = sys.argv[1], sys.argv[2]
    checks = Checks("plugin.synthetic")
    tshark = Tshark(plugin)
    try:
        with tempfile.TemporaryDirectory() as build:
            for name, pcap, keylog, expected in make_captures.build_all(build):
                pcap = tshark.add(pcap)
                keylog = tshark.add(keylog) if keylog else None
                conns = check_case(checks, tshark, analyzer, name, pcap, keylog, expected)
                if name == "tls12-split":
                    check_split(checks, tshark, pcap, keylog, conns)
                    check_decode_as(checks, tshark, pcap, keylog)
                    check_rdp_layers(checks, tshark, pcap, keylog)
                if name == "tls13-mismatch-port33389":
                    check_stats(checks, tshark, pcap, keylog, [("version_mismatch", 1), ("client v6", 1), ("server v3", 1)])
                if name == "negotiation":
                    check_stats(checks, tshark, pcap, keylog, [("no_nla", 1), ("negotiation_failed", 1)])
    finally:
        tshark.close()
    checks.finish()


if __name__ == "__main__":
    main()
