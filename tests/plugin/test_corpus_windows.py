#!/usr/bin/python3
"""test_corpus_windows.py - the plugin on the real Windows captures of ../shared/corpus/awakecoding-wireshark-rdp.

Usage: test_corpus_windows.py PLUGIN_SO ANALYZER SOURCE_DIR
Each pcapng embeds its TLS secrets, so tshark decrypts with no option. Expected values are written from the
corpus README's description of each file, as in tests/analyzer/test_corpus_windows.py: the authentication
package (cssp.auth_package), the Kerberos service and realm, the Restricted Admin flag (cssp.client_flags,
cssp.mode), the cause of the NTLM refusal, the verdict; and every connection's verdict, package and cause equal
the analyzer's. The RD Gateway captures are test_gateway.py's.
Exit 77 (skipped) when the corpus folder is absent.
"""
import os
import sys

from tshark_harness import Checks, Tshark, corpus_dir, run_json, skip

REALM = "ad.it-help.ninja"
TARGET = "it-help-test"
RESTRICTED_ADMIN_MODE_REQUIRED = 0x01
# file -> (package, verdict, cause, client flags) from the corpus README
EXPECTED = {
    "rdp-nla-kerberos-auth2.pcapng": ("kerberos", "ok", "", 0),
    "rdp-nla-smartcard-auth2.pcapng": ("kerberos", "ok", "", 0),
    "rdp-nla-ntlm-rejected2.pcapng": ("ntlm", "auth_failed", "account_restriction", 0),
    "rdp-restricted-admin-rejected1.pcapng": ("kerberos", "ok", "", RESTRICTED_ADMIN_MODE_REQUIRED),
    "rdp-no-nla-accepted1.pcapng": ("", "no_nla", "", 0),
    "rdp-no-nla-smartcard-auth1.pcapng": ("", "no_nla", "", 0),
    "rdp-no-nla-rejected1.pcapng": ("", "negotiation_failed", "hybrid_required", 0),
}
FIELDS = ["tcp.stream", "cssp.verdict", "cssp.auth_package", "cssp.kerberos_service", "cssp.kerberos_realm",
          "cssp.cause", "cssp.client_flags", "cssp.mode", "cssp.advice", "_ws.expert.message"]


def last_views(tshark, pcap):
    """Per TCP stream, the last value tshark shows of each field (a field repeated in a frame: its last one)."""
    args = ["-n", "-r", pcap, "-Y", "cssp", "-T", "fields", "-E", "aggregator=\x1f", "-E", "separator=\x1e"]
    for field in FIELDS:
        args += ["-e", field]
    result = tshark.run(*args)
    streams = {}
    for line in result.stdout.split("\n"):  # not splitlines(): it splits at \x1e too
        if not line:
            continue
        values = dict(zip(FIELDS, line.split("\x1e")))
        view = streams.setdefault(values["tcp.stream"], {"experts": []})
        for field, value in values.items():
            if field == "_ws.expert.message":
                view["experts"] += [v for v in value.split("\x1f") if v]
            elif value:
                view[field] = value.split("\x1f")[-1]
    return streams, result


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    plugin, analyzer, source_dir = sys.argv[1:]
    corpus = corpus_dir(source_dir)
    folder = os.path.join(corpus, "awakecoding-wireshark-rdp") if corpus else None
    if not folder or not os.path.isdir(folder):
        skip("the corpus folder awakecoding-wireshark-rdp is not present")
    checks = Checks("plugin.corpus_windows")
    tshark = Tshark(plugin)
    try:
        for name, (package, verdict, cause, flags) in EXPECTED.items():
            pcap = tshark.add(os.path.join(folder, name))
            streams, result = last_views(tshark, pcap)
            checks.equal(result.returncode, 0, f"{name}: tshark exit status ({result.stderr.strip()})")
            checks.equal(len(streams), 1, f"{name}: one RDP connection")
            if not streams:
                continue
            view = next(iter(streams.values()))
            checks.equal(view.get("cssp.verdict"), verdict, f"{name}: verdict")
            checks.equal(view.get("cssp.auth_package", ""), package, f"{name}: auth_package")
            checks.equal(view.get("cssp.cause", ""), cause, f"{name}: cause")
            checks.equal(int(view.get("cssp.client_flags", "0"), 0), flags, f"{name}: client flags")
            checks.equal(view.get("cssp.mode", "").startswith("Restricted Admin requested"), bool(flags),
                         f"{name}: mode")
            if package == "kerberos":
                checks.check(view.get("cssp.kerberos_service", "").lower().startswith("termsrv/" + TARGET),
                             f"{name}: kerberos_service {view.get('cssp.kerberos_service')!r}")
                checks.equal(view.get("cssp.kerberos_realm", "").lower(), REALM, f"{name}: kerberos_realm")
            if cause == "account_restriction":
                advice = view.get("cssp.advice", "")
                checks.check("Protected Users" in advice and "NTLM" in advice,
                             f"{name}: the cause's advice names NTLM and Protected Users ({advice!r})")
                checks.check(any(m.startswith("Authentication failed") and cause in m for m in view["experts"]),
                             f"{name}: the auth_failed expert item names the cause ({view['experts']})")
            _, analyzed, _ = run_json(analyzer, os.path.join(folder, name))
            if analyzed:
                a = analyzed[0]
                checks.equal((view.get("cssp.verdict"), view.get("cssp.auth_package", ""), view.get("cssp.cause", "")),
                             (a["verdict"], a["auth_package"] or "", a["cause"] or ""),
                             f"{name}: verdict, package and cause equal the analyzer's")
    finally:
        tshark.close()
    checks.finish()


if __name__ == "__main__":
    main()
