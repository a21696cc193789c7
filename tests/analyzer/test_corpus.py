"""test_corpus.py - credssp-analyze on the public captures of ../shared/corpus.

Skipped (exit 77, shown as skipped by ctest) when the corpus is absent.
Usage: test_corpus.py ANALYZER SOURCE_DIR
"""
import collections
import os
import sys

from harness import SKIP, Checks, corpus_dir, run_json

analyzer, source_dir = sys.argv[1], sys.argv[2]
corpus = corpus_dir(source_dir)
if not corpus:
    print("SKIPPED: ../shared/corpus is absent")
    sys.exit(SKIP)
c = Checks("corpus")


def path(name):
    return os.path.join(corpus, name)


# The HTB password spray: 574 connections to one Windows server, TLS 1.3, a key log with traffic secrets only.
rc, conns, err = run_json(analyzer, path("htb-wire-whispered/capture.pcap"), "-k",
                          path("htb-wire-whispered/tls-lsa.log"))
c.equal(rc, 0, "htb exit status")
c.equal(len(conns), 574, "htb connections")
verdicts = collections.Counter(x["verdict"] for x in conns)
c.equal(verdicts["negotiation_failed"], 3, "htb negotiation_failed")
c.equal(verdicts["auth_failed"], 569, "htb auth_failed")
c.equal(verdicts["ok"], 2, "htb ok")
tls = [x for x in conns if x["tls"]]
c.equal(len(tls), 571, "htb TLS connections")
c.equal(sum(1 for x in tls if x["tls"]["decrypted"]), 571, "htb decrypted")
c.check(all(x["tls"]["version"] == "1.3" and x["tls"]["cipher"] == "TLS_AES_256_GCM_SHA384" for x in tls),
        "htb TLS 1.3 AES-256-GCM")
failed = [x for x in conns if x["verdict"] == "auth_failed"]
c.check(all(x["error_name"] == "STATUS_LOGON_FAILURE" and x["error_code"] == 0xC000006D for x in failed),
        "htb errors are STATUS_LOGON_FAILURE")
c.check(all(x["evidence"] == "decrypted" for x in tls), "htb evidence decrypted")
c.check(all(x["client_version"] == 6 and x["server_version"] == 6 for x in tls), "htb CredSSP v6 both sides")
c.check(all(x["negotiation_failure"] == "HYBRID_REQUIRED_BY_SERVER" for x in conns
            if x["verdict"] == "negotiation_failed"), "htb failure name")
c.check(all(x["selected_protocol"] == "HYBRID_EX" for x in tls), "htb HYBRID_EX selected")
c.check(all(x["user"] for x in tls), "htb NTLM user seen")

# Complete NLA over TLS 1.2 without keys: judged from the traffic shape.
for name, expected in (("nDPI/rdp.pcap", 1), ("PCAP-ATTACK/LM_rdp_sharprdp.pcapng", 2)):
    rc, conns, err = run_json(analyzer, path(name))
    nla = [x for x in conns if x["selected_protocol"] in ("HYBRID", "HYBRID_EX")]
    c.equal(len(nla), expected, f"{name} NLA connections")
    c.check(all(x["verdict"] == "ok" and x["evidence"] == "traffic_shape" for x in nla), f"{name} ok from traffic shape")
    c.check(all(x["tls"] and not x["tls"]["decrypted"] for x in nla), f"{name} not decrypted")

# Negotiation failures named from the cleartext X.224 exchange.
rc, conns, err = run_json(analyzer, path("zeek/rdp-proprietary-encryption.pcap"))
c.check(any(x["negotiation_failure"] == "SSL_NOT_ALLOWED_BY_SERVER" and x["verdict"] == "negotiation_failed"
            for x in conns), "zeek SSL_NOT_ALLOWED_BY_SERVER")
c.check(any(x["verdict"] == "no_nla" and "nla_not_used" in x["findings"] for x in conns), "zeek standard RDP security")

# CredSSP in clear through a TLS-stripping proxy: versions read without any key.
rc, conns, err = run_json(analyzer, path("rdps2rdp/output.win10.rail.no-all-compression.v2.pcap"))
clear = [x for x in conns if x["client_version"] is not None]
c.check(len(clear) >= 1, "rdps2rdp CredSSP seen")
c.check(all(x["evidence"] == "cleartext" and x["client_version"] == 6 and x["server_version"] == 6 for x in clear),
        "rdps2rdp v6/v6 in clear")

# A malformed X.224 length: diagnosed, not a crash.
rc, conns, err = run_json(analyzer, path("zeek/rdp-invalid-length.pcap"))
c.check(rc in (0, 1), "zeek invalid length exit status")

c.finish()
