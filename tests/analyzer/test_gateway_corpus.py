"""test_gateway_corpus.py - credssp-analyze on the four real RD Gateway captures of ../shared/corpus.

awakecoding-wireshark-rdp/rdp-rdg-*.pcapng: mstsc -> IT-HELP-GW:443 (10.10.0.7) -> IT-HELP-TEST, the
gateway's TLS secret embedded in a pcapng DSB. Expected values from that folder's README: one tunnelled RDP
connection each to IT-HELP-TEST, WebSocket transport, only the outer secret present so the tunnelled
CredSSP is judged by its shape; the "success" captures end well; the no-KDC-proxy one logs on to the
gateway with NTLM. Skipped (exit 77, shown as skipped by ctest) when the corpus is absent.
Usage: test_gateway_corpus.py ANALYZER SOURCE_DIR
"""
import os
import sys

from harness import SKIP, Checks, corpus_dir, run, run_json

analyzer, source_dir = sys.argv[1], sys.argv[2]
corpus = corpus_dir(source_dir)
if not corpus:
    print("SKIPPED: ../shared/corpus is absent")
    sys.exit(SKIP)
c = Checks("gateway_corpus")
folder = os.path.join(corpus, "awakecoding-wireshark-rdp")
captures = {
    "rdp-rdg-same-creds-kerberos-password-success2.pcapng": "success",
    "rdp-rdg-same-creds-kerberos-smartcard-success2.pcapng": "success",
    "rdp-rdg-no-kdc-proxy-ntlm-downgrade-success.pcapng": "success",
    "rdp-rdg-diff-creds-kerberos-password.pcapng": None,
}
for name, outcome in captures.items():
    rc, conns, err = run_json(analyzer, os.path.join(folder, name))
    c.equal(len(conns), 1, f"{name}: one tunnelled connection")
    x = conns[0] if conns else {}
    c.equal(x.get("transport"), "rd_gateway", f"{name}: transport")
    c.check((x.get("target") or "").upper().startswith("IT-HELP-TEST"), f"{name}: target IT-HELP-TEST")
    c.check((x.get("target") or "").endswith(":3389"), f"{name}: target port 3389")
    c.equal(x.get("gateway"), "10.10.0.7:443", f"{name}: gateway IT-HELP-GW on 443")
    c.equal(x.get("gateway_transport"), "websocket", f"{name}: HTTP upgrade to WebSocket")
    c.equal((x.get("gateway_auth") or {}).get("scheme"), "Negotiate", f"{name}: the gateway's HTTP scheme")
    c.equal((x.get("gateway_auth") or {}).get("outcome"), "accepted", f"{name}: logged on to the gateway")
    c.check(x.get("selected_protocol") in ("HYBRID", "HYBRID_EX"), f"{name}: NLA negotiated inside the tunnel")
    c.equal(x.get("evidence"), "traffic_shape", f"{name}: CredSSP by shape (only the outer secret)")
    c.equal((x.get("tls") or {}).get("version"), "1.2", f"{name}: inner TLS 1.2")
    if outcome == "success":
        c.equal(x.get("verdict"), "ok", f"{name}: verdict")
    c.equal(rc, 0, f"{name}: exit status")
    c.equal(x.get("problem"), None, f"{name}: no problem")

rc, conns, err = run_json(analyzer, os.path.join(folder, "rdp-rdg-no-kdc-proxy-ntlm-downgrade-success.pcapng"))
auth = (conns[0].get("gateway_auth") or {}) if conns else {}
c.equal(auth.get("mechanism"), "NTLM", "ntlm downgrade: NTLM inside Negotiate")
c.equal(auth.get("http_statuses"), [401, 101], "ntlm downgrade: challenged, then upgraded")

# The README's Kerberos captures (password or smartcard, with a KDC in reach) log on to the gateway with
# Kerberos inside Negotiate, accepted at once (no 401 round trip).
for name in ("rdp-rdg-same-creds-kerberos-password-success2.pcapng", "rdp-rdg-same-creds-kerberos-smartcard-success2.pcapng",
             "rdp-rdg-diff-creds-kerberos-password.pcapng"):
    rc, conns, err = run_json(analyzer, os.path.join(folder, name))
    auth = (conns[0].get("gateway_auth") or {}) if conns else {}
    c.equal(auth.get("mechanism"), "Kerberos", f"{name}: Kerberos inside Negotiate")

rc, out, err = run(analyzer, os.path.join(folder, "rdp-rdg-same-creds-kerberos-password-success2.pcapng"))
c.check("via gateway 10.10.0.7:443 -> target IT-HELP-TEST" in out.replace("it-help-test", "IT-HELP-TEST"),
        "text: via gateway line")

# The direct captures of the same folder stay direct.
rc, conns, err = run_json(analyzer, os.path.join(folder, "rdp-nla-kerberos-auth2.pcapng"))
c.check(conns and all(x["transport"] == "tcp" and x["gateway"] is None for x in conns), "direct: transport tcp")
c.finish()
