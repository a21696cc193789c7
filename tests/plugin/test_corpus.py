#!/usr/bin/python3
"""test_corpus.py - the plugin on the public HTB capture (a password spray against a real Windows server).

Usage: test_corpus.py PLUGIN_SO ANALYZER SOURCE_DIR
With the capture's key log and no -d option: Wireshark 4.0 and 4.4 decrypt the TLS 1.3 sessions whose
handshake secrets the key log holds (6 of 571, all failed logons), 4.6 decrypts all 571 from the traffic
secrets (the corpus README: 569 failed logons, 2 successful); on each of them the plugin shows CredSSP v6 on
both sides and, for the failed logons, the server's errorCode STATUS_LOGON_FAILURE, and judges auth_failed
(ok for the 2 successful ones) from the decrypted TSRequests. Every one of
the 574 connections (decrypted, judged by traffic shape, or refused at the X.224 negotiation) gets the
analyzer's verdict, in the analyzer's order; the two-pass output equals the one-pass output.
Exit 77 (skipped) when ../shared/corpus is absent.
"""
import os
import sys

from tshark_harness import (Checks, Tshark, connections, corpus_dir, cssp_layers, key_options, plugin_abi, run_json,
                            skip, view_value)

STATUS_LOGON_FAILURE = 0xC000006D
# (failed logons, successful logons) among the sessions a Wireshark release decrypts (corpus README)
DECRYPTED_BY_HANDSHAKE_SECRETS = (6, 0)
DECRYPTED_BY_TRAFFIC_SECRETS = (569, 2)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    plugin, analyzer, source_dir = sys.argv[1:]
    corpus = corpus_dir(source_dir)
    if not corpus or not os.path.exists(os.path.join(corpus, "htb-wire-whispered", "capture.pcap")):
        skip("the corpus capture htb-wire-whispered/capture.pcap is not present")
    capture = os.path.join(corpus, "htb-wire-whispered", "capture.pcap")
    keylog = os.path.join(corpus, "htb-wire-whispered", "tls-lsa.log")
    checks = Checks("plugin.corpus")
    tshark = Tshark(plugin)
    try:
        pcap = tshark.add(capture)
        options = key_options(tshark, keylog)
        packets, result = tshark.packets(pcap, options)
        checks.equal(result.returncode, 0, f"tshark exit status ({result.stderr.strip()})")
        checks.check(cssp_layers(packets) == cssp_layers(tshark.packets(pcap, options, two_pass=True)[0]),
                     "two-pass cssp output equals one-pass output")
        conns = connections(packets)
        decrypted = {s: c for s, c in conns.items() if c["versions"]}
        release = tuple(int(n) for n in plugin_abi(None).split("."))
        failed, succeeded = DECRYPTED_BY_TRAFFIC_SECRETS if release >= (4, 6) else DECRYPTED_BY_HANDSHAKE_SECRETS
        checks.equal(len(decrypted), failed + succeeded, f"sessions with TSRequests decoded by Wireshark {release}")
        logon_failures = 0
        for stream, c in decrypted.items():
            where = f"tcp.stream {stream}"
            checks.equal(view_value(c["view"], "cssp.client_version"), 6, f"{where}: client version")
            checks.equal(view_value(c["view"], "cssp.server_version"), 6, f"{where}: server version")
            checks.equal(view_value(c["view"], "cssp.evidence"), "decrypted", f"{where}: evidence")
            if c["error_codes"]:
                logon_failures += 1
                checks.equal(c["error_codes"], [STATUS_LOGON_FAILURE], f"{where}: errorCode STATUS_LOGON_FAILURE")
                checks.equal(view_value(c["view"], "cssp.verdict"), "auth_failed", f"{where}: verdict")
                checks.check("cssp.error_code.note" in c["experts"], f"{where}: errorCode expert note")
            else:
                checks.equal(view_value(c["view"], "cssp.verdict"), "ok", f"{where}: a successful logon's verdict")
        checks.equal(logon_failures, failed, "decrypted sessions that end in STATUS_LOGON_FAILURE")
        _, analyzed, _ = run_json(analyzer, "-k", keylog, capture)
        checks.equal(len(conns), len(analyzed), "connections judged by the plugin and the analyzer")
        mismatched = [(stream, view_value(c["view"], "cssp.verdict"), a["verdict"])
                      for (stream, c), a in zip(conns.items(), analyzed)
                      if view_value(c["view"], "cssp.verdict") != a["verdict"]]
        checks.equal(mismatched, [], "every connection's verdict equals the analyzer's")
        stats = tshark.run("-n", "-q", "-r", pcap, *options, "-z", "cssp,tree").stdout
        lines = [line.split() for line in stats.splitlines()]
        for row in (("auth_failed", "569"), ("ok", "2"), ("negotiation_failed", "3"),
                    ("STATUS_LOGON_FAILURE", "(0xC000006D)", str(failed)), ("client", "v6", str(failed + succeeded))):
            checks.check(any(tokens[:len(row)] == list(row) for tokens in lines), f"stats tree row {row}:\n{stats}")
    finally:
        tshark.close()
    checks.finish()


if __name__ == "__main__":
    main()
