#!/usr/bin/python3
"""check_samples.py - proves that samples/manifest.json tells the truth about the bytes of every sample.

For each sample and each of its TCP connections, tshark (4.0) reads the
capture with the sample's keys (NSS key log, the Decryption Secrets Block
inside a pcapng, or the server's RSA key) and the RDP port decoded as TLS;
this script extracts per connection and direction:
  - X.224: requestedProtocols, selectedProtocol, RDP_NEG_FAILURE failureCode
  - TLS: the version and cipher suite of the ServerHello
  - CredSSP: every TSRequest version and errorCode (uint32), per direction
  - without keys: the number of TLS records with outer content type 23 per direction
and compares them with the manifest. It also checks that the manifest uses
only the verdict vocabulary of docs/verdicts.md and names every file.
For the RD Gateway samples (gateway_samples), tshark 4.0 reads the gateway's
TLS and HTTP but not the tunnel: their TCP streams and the gateway's HTTP
answers in capture order (gateway_auth.http_statuses) are checked.
Standard library only. Prints PASS/FAIL per sample and "N passed, N failed".

Usage: check_samples.py [--tshark PATH] [--dump] SAMPLES_DIR
  --dump prints what tshark sees (JSON) instead of comparing: for writing the manifest.
"""

import argparse
import json
import os
import subprocess
import sys

VERDICTS = {"ok", "version_mismatch", "rejected_unpatched_client", "auth_failed", "no_nla",
            "negotiation_failed", "incomplete", "gateway_refused"}
EVIDENCE = {"decrypted", "cleartext", "traffic_shape"}
FINDINGS = {"server_unpatched", "client_unpatched", "nla_not_used", "version_changed",
            "field_version_inconsistent", "legacy_tls"}
PROTOCOLS = {"RDP": 0x0, "SSL": 0x1, "HYBRID": 0x2, "RDSTLS": 0x4, "HYBRID_EX": 0x8, "RDSAAD": 0x10}
FAILURES = {"SSL_REQUIRED_BY_SERVER": 1, "SSL_NOT_ALLOWED_BY_SERVER": 2, "SSL_CERT_NOT_ON_SERVER": 3,
            "INCONSISTENT_FLAGS": 4, "HYBRID_REQUIRED_BY_SERVER": 5, "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER": 6}
ERROR_NAMES = {0xC000006D: "STATUS_LOGON_FAILURE", 0xC00000BB: "STATUS_NOT_SUPPORTED"}
TLS_VERSIONS = {0x0301: "1.0", 0x0302: "1.1", 0x0303: "1.2", 0x0304: "1.3"}

TLS_FIELDS = ("frame.number", "tcp.stream", "tcp.srcport", "tls.handshake.type", "tls.handshake.version",
              "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
              "tls.record.content_type", "tls.record.opaque_type", "credssp.version", "credssp.errorCode")
X224_FIELDS = ("tcp.stream", "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol",
               "rdp.negFailure.failureCode")


def run_tshark(tshark, path, options, display_filter, fields, may_be_cut):
    command = [tshark, "-n", "-r", path, *options, "-Y", display_filter, "-T", "fields",
               "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for field in fields:
        command += ["-e", field]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 and not (may_be_cut and "cut short" in result.stderr):
        raise RuntimeError("tshark failed (%d): %s" % (result.returncode, result.stderr.strip()))
    rows = []
    for line in result.stdout.splitlines():
        values = line.split("\t")
        rows.append({field: (values[i].split(",") if i < len(values) and values[i] else [])
                     for i, field in enumerate(fields)})
    return rows


def number(text):
    return int(text, 0)


def new_connection():
    return {"requested_protocols": None, "selected_protocol": None, "negotiation_failure": None,
            "tls_version": None, "cipher_suite_id": None,
            "client_versions": [], "server_versions": [], "error_codes": [],
            "app_records": {"client": 0, "server": 0}, "frames": []}


def tls_options(sample, samples_dir):
    keys = sample.get("keys", {})
    options = ["-d", "tcp.port==%d,tls" % sample["server_port"]]
    if "keylog" in keys:
        options += ["-o", "tls.keylog_file:" + os.path.join(samples_dir, keys["keylog"])]
    if "rsa_key" in keys:
        options += ["-o", 'uat:rsa_keys:"%s",""' % os.path.join(samples_dir, keys["rsa_key"])]
    return options


def observe(tshark, sample, samples_dir):
    """What tshark reads in the sample: {stream: facts}."""
    path = os.path.join(samples_dir, sample["file"])
    port = sample["server_port"]
    cut = sample.get("truncated", False)
    connections = {}

    x224_options = [] if port == 3389 else ["-d", "tcp.port==%d,tpkt" % port]
    for row in run_tshark(tshark, path, x224_options, "rdp", X224_FIELDS, cut):
        facts = connections.setdefault(int(row["tcp.stream"][0]), new_connection())
        if row["rdp.negReq.requestedProtocols"]:
            facts["requested_protocols"] = number(row["rdp.negReq.requestedProtocols"][0])
        if row["rdp.negReq.selectedProtocol"]:
            facts["selected_protocol"] = number(row["rdp.negReq.selectedProtocol"][0])
        if row["rdp.negFailure.failureCode"]:
            facts["negotiation_failure"] = number(row["rdp.negFailure.failureCode"][0])

    for row in run_tshark(tshark, path, tls_options(sample, samples_dir), "tls || credssp", TLS_FIELDS, cut):
        facts = connections.setdefault(int(row["tcp.stream"][0]), new_connection())
        side = "server" if int(row["tcp.srcport"][0]) == port else "client"
        facts["frames"].append(int(row["frame.number"][0]))
        if "2" in row["tls.handshake.type"]:
            supported = row["tls.handshake.extensions.supported_version"]
            facts["tls_version"] = TLS_VERSIONS.get(number((supported or row["tls.handshake.version"])[0]))
            facts["cipher_suite_id"] = number(row["tls.handshake.ciphersuite"][0])
        # outer type 23: TLS 1.3 shows it as opaque_type (encrypted handshake messages and alerts included)
        facts["app_records"][side] += (row["tls.record.content_type"] + row["tls.record.opaque_type"]).count("23")
        facts[side + "_versions"] += [int(v) for v in row["credssp.version"]]
        facts["error_codes"] += [int(v) & 0xFFFFFFFF for v in row["credssp.errorCode"]]
    return connections


def compare_connection(expected, seen, decrypted):
    """Returns a list of mismatch descriptions."""
    problems = []

    def check(what, want, got):
        if want != got:
            problems.append("%s: manifest %r, tshark %r" % (what, want, got))

    check("requested_protocols", expected["requested_protocols"], seen["requested_protocols"])
    selected = expected["selected_protocol"]
    check("selected_protocol", PROTOCOLS[selected] if selected is not None else None, seen["selected_protocol"])
    failure = expected["negotiation_failure"]
    check("negotiation_failure", FAILURES[failure] if failure is not None else None, seen["negotiation_failure"])
    tls = expected.get("tls")
    check("tls_version", tls["version"] if tls else None, seen["tls_version"])
    check("cipher_suite_id", tls["cipher_suite_id"] if tls else None, seen["cipher_suite_id"])

    if decrypted:
        tsrequests = expected["tsrequests"]
        check("client TSRequests", tsrequests["client"], len(seen["client_versions"]))
        check("server TSRequests", tsrequests["server"], len(seen["server_versions"]))
        for side in ("client", "server"):
            versions = seen[side + "_versions"]
            want = expected[side + "_credssp_version"]
            check(side + "_credssp_version", want, versions[0] if versions else None)
            if "version_changed" not in expected["findings"] and len(set(versions)) > 1:
                problems.append("%s versions change (%r) without the finding version_changed" % (side, versions))
        error = expected["error_code"]
        check("error_code", [error["value"]] if error else [], seen["error_codes"])
    else:
        check("TSRequests decoded without keys", 0, len(seen["client_versions"]) + len(seen["server_versions"]))
        if "app_records" in expected:
            check("application-data records", expected["app_records"], seen["app_records"])
    return problems


def check_vocabulary(connection):
    problems = []
    if connection["verdict"] not in VERDICTS:
        problems.append("unknown verdict %r" % connection["verdict"])
    if connection["evidence"] not in EVIDENCE:
        problems.append("unknown evidence %r" % connection["evidence"])
    problems += ["unknown finding %r" % f for f in connection["findings"] if f not in FINDINGS]
    error = connection.get("error_code")
    if error and ERROR_NAMES.get(error["value"]) != error["name"]:
        problems.append("error code %r does not match its name" % (error,))
    return problems


def interleaved(seen):
    first_stream = min(seen)
    last_frame_of_first = max(seen[first_stream]["frames"], default=0)
    return all(min(facts["frames"], default=0) < last_frame_of_first
               for stream, facts in seen.items() if stream != first_stream)


def check_sample(tshark, sample, samples_dir):
    problems = []
    if not os.path.isfile(os.path.join(samples_dir, sample["file"])):
        return ["file missing"]
    for key_file in sample.get("keys", {}).values():
        if isinstance(key_file, str) and not os.path.isfile(os.path.join(samples_dir, key_file)):
            problems.append("key file %s missing" % key_file)
    decrypted = bool(sample.get("keys"))
    seen = observe(tshark, sample, samples_dir)
    expected_streams = [c["stream"] for c in sample["connections"]]
    if sorted(seen) != sorted(expected_streams):
        problems.append("TCP streams: manifest %r, tshark %r" % (expected_streams, sorted(seen)))
    if sample.get("interleaved") and not interleaved(seen):
        problems.append("the connections do not overlap: each must start before the first one ends")
    for connection in sample["connections"]:
        label = "stream %d: " % connection["stream"]
        problems += [label + p for p in check_vocabulary(connection)]
        if connection["evidence"] == "decrypted" and not decrypted:
            problems.append(label + "evidence 'decrypted' for a sample without keys")
        if connection["stream"] in seen:
            problems += [label + p for p in compare_connection(connection, seen[connection["stream"]], decrypted)]
    return problems


def check_gateway_sample(tshark, sample, samples_dir):
    path = os.path.join(samples_dir, sample["file"])
    keys = os.path.join(samples_dir, sample["keys"]["keylog"])
    if not os.path.isfile(path) or not os.path.isfile(keys):
        return ["file or key file missing"]
    options = ["-o", "tls.keylog_file:" + keys, "-o", "http.desegment_body:FALSE"]
    streams = {int(row["tcp.stream"][0]) for row in
               run_tshark(tshark, path, [], "tcp.port == %d" % sample["gateway_port"], ("tcp.stream",), False)}
    answers = [int(code) for row in run_tshark(tshark, path, options, "http.response", ("http.response.code",), False)
               for code in row["http.response.code"]]
    problems = []
    expected_streams = sorted(s for c in sample["connections"] for s in c["streams"])
    if sorted(streams) != expected_streams:
        problems.append("TCP streams: manifest %r, tshark %r" % (expected_streams, sorted(streams)))
    statuses = [code for c in sample["connections"] for code in c["gateway_auth"]["http_statuses"]]
    if answers != statuses:
        problems.append("HTTP answers: manifest %r, tshark %r" % (statuses, answers))
    for connection in sample["connections"]:
        problems += check_vocabulary(connection)
        if connection["transport"] != "rd_gateway":
            problems.append("transport %r" % connection["transport"])
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tshark", default="tshark")
    parser.add_argument("--dump", action="store_true")
    parser.add_argument("samples_dir")
    args = parser.parse_args()
    with open(os.path.join(args.samples_dir, "manifest.json"), encoding="utf-8") as manifest_file:
        manifest = json.load(manifest_file)

    if args.dump:
        dump = {s["file"]: observe(args.tshark, s, args.samples_dir) for s in manifest["samples"]}
        json.dump(dump, sys.stdout, indent=1)
        return 0

    passed = failed = 0
    gateway_samples = manifest.get("gateway_samples", [])
    listed = {s["file"] for s in manifest["samples"] + gateway_samples}
    unlisted = [name for name in sorted(os.listdir(args.samples_dir))
                if name.endswith((".pcap", ".pcapng")) and name not in listed]
    for name in unlisted:
        print("FAIL %s: not in the manifest" % name)
        failed += 1
    checks = [(s, check_sample) for s in manifest["samples"]] + [(s, check_gateway_sample) for s in gateway_samples]
    for sample, check in checks:
        try:
            problems = check(args.tshark, sample, args.samples_dir)
        except OSError as error:
            print("FAIL %s: cannot run tshark: %s" % (sample["file"], error))
            failed += 1
            continue
        except (RuntimeError, KeyError, ValueError) as error:
            problems = ["%s: %s" % (type(error).__name__, error)]
        if problems:
            failed += 1
            print("FAIL %s" % sample["file"])
            for problem in problems:
                print("     %s" % problem)
        else:
            passed += 1
            print("PASS %s (%d connection%s)" % (sample["file"], len(sample["connections"]),
                                                 "" if len(sample["connections"]) == 1 else "s"))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
