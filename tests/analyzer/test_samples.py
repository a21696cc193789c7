"""test_samples.py - credssp-analyze on every recorded sample of samples/manifest.json: each connection's
negotiation, TLS, CredSSP versions, error code, verdict, evidence and findings, in JSON and in the text report,
and the exit status.

Usage: test_samples.py ANALYZER SOURCE_DIR
"""
import json
import os
import re
import sys

from harness import Checks, run, run_json

analyzer, source_dir = sys.argv[1], sys.argv[2]
samples = os.path.join(source_dir, "samples")
with open(os.path.join(samples, "manifest.json")) as f:
    manifest = json.load(f)
c = Checks("samples")
REFUSALS = {"version_mismatch", "rejected_unpatched_client"}


def key_options(keys):
    opts = []
    if keys.get("keylog"):
        opts += ["-k", os.path.join(samples, keys["keylog"])]
    if keys.get("rsa_key"):
        opts += ["--rsa-key", os.path.join(samples, keys["rsa_key"])]
    return opts  # "embedded" (pcapng DSB) needs no option


for sample in manifest["samples"]:
    name = sample["file"]
    path = os.path.join(samples, name)
    opts = key_options(sample["keys"])
    expected = sample["connections"]
    rc, conns, err = run_json(analyzer, *opts, path)
    c.equal(len(conns), len(expected), f"{name}: connections")
    want_rc = 1 if any(x["verdict"] in REFUSALS for x in expected) else 0
    c.equal(rc, want_rc, f"{name}: exit status")
    if sample.get("truncated"):
        c.check("truncated" in err, f"{name}: truncation warning")
    for i, (got, want) in enumerate(zip(conns, expected)):
        what = f"{name}#{i}"
        c.equal(got["server"].rsplit(":", 1)[1], str(sample["server_port"]), f"{what}: server port")
        c.equal(got["selected_protocol"], want["selected_protocol"], f"{what}: selected protocol")
        c.equal(got["negotiation_failure"], want["negotiation_failure"], f"{what}: negotiation failure")
        if want.get("tls"):
            c.check(got["tls"] is not None, f"{what}: TLS seen")
            if got["tls"]:
                c.equal(got["tls"]["version"], want["tls"]["version"], f"{what}: TLS version")
                c.equal(got["tls"]["cipher"], want["tls"]["cipher_suite"], f"{what}: TLS cipher")
                if want["evidence"] == "decrypted":
                    c.equal(got["tls"]["decrypted"], True, f"{what}: decrypted")
        c.equal(got["client_version"], want["client_credssp_version"], f"{what}: client version")
        c.equal(got["server_version"], want["server_credssp_version"], f"{what}: server version")
        want_error = want["error_code"]["value"] if want["error_code"] else None
        c.equal(got["error_code"], want_error, f"{what}: error code")
        if want["error_code"]:
            c.equal(got["error_name"], want["error_code"]["name"], f"{what}: error name")
        c.equal(got["verdict"], want["verdict"], f"{what}: verdict")
        c.equal(got["evidence"], want["evidence"], f"{what}: evidence")
        c.equal(sorted(got["findings"]), sorted(want["findings"]), f"{what}: findings")
        c.check(got["explanation"].endswith("."), f"{what}: explanation is a sentence")
    # the text report says the same, connection by connection
    rc_text, out, err = run(analyzer, *opts, path)
    c.equal(rc_text, rc, f"{name}: same exit status in text mode")
    lines = re.findall(r"^    verdict      (\S+) \(evidence: (\w+)", out, re.M)
    c.equal(lines, [(x["verdict"], x["evidence"]) for x in expected], f"{name}: text verdict lines")
    for want in expected:
        if want["client_credssp_version"] is not None:
            c.check(f"client v{want['client_credssp_version']}" in out, f"{name}: text shows the client version")
    c.check(out.rstrip().splitlines()[0].startswith("#1 ") if expected else True, f"{name}: text starts with #1")
    c.check("Summary:" in out, f"{name}: text has the summary")

# RDP through the scripted RD Gateway: one connection per tunnel (the legacy transport's two TCP connections
# included), with the gateway's facts as recorded and the verdict of the tunnelled connection.
GATEWAY_KEYS = ("transport", "gateway", "target", "gateway_transport", "gateway_auth", "gateway_error")
for sample in manifest.get("gateway_samples", []):
    name = sample["file"]
    path = os.path.join(samples, name)
    opts = key_options(sample["keys"])
    expected = sample["connections"]
    rc, conns, err = run_json(analyzer, *opts, path)
    c.equal(len(conns), len(expected), f"{name}: one connection per tunnel")
    want_rc = 1 if any(x["verdict"] in REFUSALS for x in expected) else 0
    c.equal(rc, want_rc, f"{name}: exit status")
    for i, (got, want) in enumerate(zip(conns, expected)):
        what = f"{name}#{i}"
        for key in GATEWAY_KEYS:
            c.equal(got.get(key), want[key], f"{what}: {key}")
        c.equal(got["server"], want["gateway"], f"{what}: the server seen is the gateway")
        c.equal(got["selected_protocol"], want["selected_protocol"], f"{what}: tunnelled selected protocol")
        if want["tls"]:
            c.check(got["tls"] is not None and got["tls"]["version"] == want["tls"]["version"]
                    and got["tls"]["cipher"] == want["tls"]["cipher_suite"], f"{what}: tunnelled TLS")
        c.equal(got["client_version"], want["client_credssp_version"], f"{what}: client version")
        c.equal(got["server_version"], want["server_credssp_version"], f"{what}: server version")
        c.equal(got["error_code"], want["error_code"]["value"] if want["error_code"] else None, f"{what}: error code")
        c.equal(got["verdict"], want["verdict"], f"{what}: verdict")
        c.equal(got["evidence"], want["evidence"], f"{what}: evidence")
        c.equal(sorted(got["findings"]), sorted(want["findings"]), f"{what}: findings")
        c.equal(got.get("problem"), None, f"{what}: read without a problem")
    rc_text, out, err = run(analyzer, *opts, path)
    c.equal(rc_text, rc, f"{name}: same exit status in text mode")
    for want in expected:
        target = want["target"] or "(no target)"
        c.check(f"via gateway {want['gateway']} -> target" in out, f"{name}: text shows the gateway")
        c.check(f"server {target} via gateway {want['gateway']}" in out, f"{name}: summary by target")

c.finish()
