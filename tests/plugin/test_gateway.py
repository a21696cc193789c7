#!/usr/bin/env python3
"""test_gateway.py - the plugin on RDP connections through an RD Gateway ([MS-TSGU] HTTP transport), in tshark.

Two parts:
  - captures built from the specifications by tests/robustness/rdg_capture.py (real TLS around the gateway's
    HTTP, WebSocket or legacy bodies and MS-TSGU packets; a real TLS session for the tunnelled RDP connection).
    Expected values are what each capture was built to hold: the request, the HTTP logon (Negotiate, 401 then
    101), the target of CHANNEL_CREATE, the tunnelled X.224 exchange (cookie gwuser, HYBRID selected), the
    HRESULT of a refusal, the problem of a hostile tunnel; with the inner key log, the tunnelled TSRequests
    (versions 6 and 3) decrypted by Wireshark's TLS inside the tunnel. The tunnelled connection's verdict
    must be the analyzer's for the same capture and keys.
  - the four real gateway captures of ../shared/corpus/awakecoding-wireshark-rdp (mstsc -> IT-HELP-GW:443 ->
    IT-HELP-TEST, secrets embedded), expected values from that folder's README: WebSocket upgrade on 443, the
    tunnel set-up with the channel to IT-HELP-TEST, the inner RDP connection (X.224, TLS, CredSSP) judged by its
    shape since only the outer secret is present, the "success" captures ending well, the NTLM downgrade
    capture logging on to the gateway after a 401; each verdict the analyzer's. Skipped visibly when the corpus
    is absent.
Usage: test_gateway.py PLUGIN ANALYZER SOURCE_DIR
"""
import os
import sys
import tempfile

from tshark_harness import SKIP, Checks, Tshark, corpus_dir, run_json

plugin, analyzer, source_dir = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(source_dir, "tests", "robustness"))
import rdg_capture as rdg  # noqa: E402
from rdp_capture import CLIENT, SERVER  # noqa: E402

c = Checks("plugin_gateway")
tshark = Tshark(plugin)
scratch = tempfile.mkdtemp(prefix="cssp-plugin-gateway-")
TARGET = rdg.TARGET + ":3389"
FIELDS = ["frame.number", "cssp_rdg.http.request", "cssp_rdg.http.status", "cssp_rdg.http.auth", "cssp_rdg.type",
          "cssp_rdg.status", "cssp_rdg.target", "cssp_rdg.port", "cssp.cookie", "cssp.selected_protocol", "cssp.version",
          "cssp.verdict", "cssp.evidence", "_ws.expert.message", "_ws.col.Info"]
SEP = "\x1e"


def fields(pcap, options=()):
    """Per frame with a cssp_rdg or cssp layer, in a later pass: {field: [values]}, and tshark's result."""
    args = ["-2", "-n", "-r", pcap, *options, "-Y", "cssp_rdg || cssp", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=" + SEP, "-E", "separator=/t"]
    for f in FIELDS:
        args += ["-e", f]
    result = tshark.run(*args)
    rows = []
    for line in result.stdout.split("\n"):
        if not line:
            continue
        values = line.split("\t")
        rows.append({f: [v for v in value.split(SEP) if v] for f, value in zip(FIELDS, values)})
    return rows, result


def values(rows, field):
    return [v for row in rows for v in row.get(field, [])]


def clean_run(result, name):
    c.equal(result.returncode, 0, f"{name}: tshark exit status")
    c.check("Dissector bug" not in result.stdout + result.stderr, f"{name}: no dissector bug")


def last_verdict(rows):
    verdicts = values(rows, "cssp.verdict")
    return verdicts[-1] if verdicts else None


def build(name, outer_messages, inner_keys=None, **capture_args):
    """The capture and its key options: the gateway's key log, and the inner one when given."""
    pcap, outer_keys = rdg.gateway_capture(outer_messages, **capture_args)
    path = os.path.join(scratch, name + ".pcap")
    with open(path, "wb") as f:
        f.write(pcap)
    keys = os.path.join(scratch, name + ".keys")
    with open(keys, "w") as f:
        f.write(outer_keys + (inner_keys or ""))
    return tshark.add(path), ["-o", "tls.keylog_file:" + tshark.add(keys)], (path, keys)


def analyzer_verdict(paths):
    rc, conns, err = run_json(analyzer, paths[0], "-k", paths[1])
    return conns[0].get("verdict") if conns else None


# 1. A patched client (v6) and an unpatched target (v3) through the gateway, only the gateway's key log.
inner, inner_keys = rdg.inner_rdp(6, 3, "mismatch")
pcap, opts, paths = build("mismatch", rdg.tunnelled(inner))
rows, result = fields(pcap, opts)
clean_run(result, "mismatch")
c.equal(values(rows, "cssp_rdg.http.request")[:1], ["RDG_OUT_DATA /remoteDesktopGateway/"], "mismatch: the request")
c.equal(values(rows, "cssp_rdg.http.status"), ["401", "101"], "mismatch: challenged, then upgraded")
c.equal(sorted(set(values(rows, "cssp_rdg.http.auth"))), ["Negotiate"], "mismatch: HTTP scheme")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "mismatch: the target of CHANNEL_CREATE")
c.equal(values(rows, "cssp_rdg.port"), ["3389"], "mismatch: the target port")
types = values(rows, "cssp_rdg.type")
for name, number in (("HANDSHAKE_REQUEST", 1), ("HANDSHAKE_RESPONSE", 2), ("TUNNEL_CREATE", 4),
                     ("TUNNEL_RESPONSE", 5), ("TUNNEL_AUTH", 6), ("TUNNEL_AUTH_RESPONSE", 7), ("CHANNEL_CREATE", 8),
                     ("CHANNEL_RESPONSE", 9), ("DATA", 10), ("CLOSE_CHANNEL", 16)):
    c.check(str(number) in types, f"mismatch: a {name} packet")
c.check(any("CHANNEL_CREATE " + TARGET in v for v in values(rows, "_ws.col.Info")), "mismatch: target in Info")
c.equal(values(rows, "cssp.cookie"), ["gwuser"], "mismatch: the tunnelled X.224 Connection Request")
c.equal(values(rows, "cssp.selected_protocol"), ["2"], "mismatch: the tunnelled Confirm selected HYBRID")
c.equal(values(rows, "cssp.evidence")[-1:], ["traffic_shape"], "mismatch: inner CredSSP judged by its shape")
c.equal(last_verdict(rows), analyzer_verdict(paths), "mismatch: the analyzer's verdict (outer key log only)")

# The inner key log too: Wireshark's TLS decrypts the tunnelled TLS, the TSRequests inside are shown.
pcap, opts, paths = build("both-keys", rdg.tunnelled(inner), inner_keys)
rows, result = fields(pcap, opts)
clean_run(result, "both keys")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "both keys: target")
c.equal(values(rows, "cssp.version"), ["6", "3"], "both keys: the tunnelled TSRequests' versions")
c.equal(values(rows, "cssp.evidence")[-1:], ["decrypted"], "both keys: inner CredSSP decrypted")
c.equal(last_verdict(rows), "version_mismatch", "both keys: the version mismatch inside the tunnel")
c.equal(last_verdict(rows), analyzer_verdict(paths), "both keys: the analyzer's verdict")
c.check(any(e.startswith("CredSSP version mismatch") for e in values(rows, "_ws.expert.message")),
        "both keys: the mismatch's expert item")

# The gateway's TLS in 1.3.
pcap, opts, paths = build("tls13", rdg.tunnelled(inner), profile="tls13")
rows, result = fields(pcap, opts)
clean_run(result, "outer TLS 1.3")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "outer TLS 1.3: target")
c.equal(values(rows, "cssp.cookie"), ["gwuser"], "outer TLS 1.3: tunnelled X.224")

# A success inside the tunnel, the client asking with GET and an upgrade (the other request form).
ok_inner, _ = rdg.inner_rdp(6, 6, "ok")
get_login = [(CLIENT, rdg.http_request(rdg.negotiate(b"\x60\x00"), method=b"GET")),
             (SERVER, rdg.http_response(101, b"Switching Protocols"))]
pcap, opts, paths = build("get", get_login + rdg.frame_all(rdg.tunnel_setup() + [(d, rdg.data(b)) for d, b in ok_inner]))
rows, result = fields(pcap, opts)
clean_run(result, "GET upgrade")
c.equal(values(rows, "cssp_rdg.http.request")[:1], ["GET /remoteDesktopGateway/"], "GET upgrade: the request")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "GET upgrade: target")
c.equal(last_verdict(rows), "ok", "GET upgrade: the tunnelled connection ends well")
c.equal(last_verdict(rows), analyzer_verdict(paths), "GET upgrade: the analyzer's verdict")

# 2. Refusals: the response's HRESULT named, with the refusing step.
for name, setup, step, status in (
        ("rap", rdg.tunnel_setup(channel_status=rdg.E_PROXY_RAP_ACCESSDENIED), "channel", "E_PROXY_RAP_ACCESSDENIED"),
        ("unreachable", rdg.tunnel_setup(channel_status=rdg.E_PROXY_TS_CONNECTFAILED), "channel",
         "E_PROXY_TS_CONNECTFAILED"),
        ("cap", rdg.tunnel_setup(auth_status=rdg.E_PROXY_RAP_ACCESSDENIED), "authorization",
         "E_PROXY_RAP_ACCESSDENIED")):
    pcap, opts, paths = build(name, rdg.ntlm_login() + rdg.frame_all(setup))
    rows, result = fields(pcap, opts)
    clean_run(result, name)
    experts = values(rows, "_ws.expert.message")
    c.check(any(f"refused the {step} step: {status}" in e for e in experts), f"{name}: refusal named ({status})")

# The legacy transport's OUT channel: a chunked 200 answer opening with the 10-byte seed, then a refusal.
def chunked(payload):
    return b"%x\r\n" % len(payload) + payload + b"\r\n"


answers = [rdg.handshake_response(), rdg.tunnel_response(), rdg.tunnel_auth_response(),
           rdg.channel_response(rdg.E_PROXY_RAP_ACCESSDENIED)]
legacy = [(CLIENT, rdg.http_request(rdg.negotiate(b"\x60\x00"), websocket=False)),
          (SERVER, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(bytes(range(10))) +
           b"".join(chunked(a) for a in answers))]
pcap, opts, paths = build("legacy-out", legacy)
rows, result = fields(pcap, opts)
clean_run(result, "legacy")
c.equal(values(rows, "cssp_rdg.http.status"), ["200"], "legacy: the OUT channel's answer")
c.check(any("refused the channel step: E_PROXY_RAP_ACCESSDENIED" in e for e in values(rows, "_ws.expert.message")),
        "legacy: seed and chunks read, the refusal named")

# 3. Hostile or unusual tunnels: shown with a note, never a dissector bug.
pcap, opts, paths = build("unmasked", rdg.tunnelled(ok_inner, client_masked=False))
rows, result = fields(pcap, opts)
clean_run(result, "unmasked")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "unmasked: still read")
c.check(any("unmasked WebSocket frame from the client" in e for e in values(rows, "_ws.expert.message")),
        "unmasked: noted")


def fragmented_message(payload, size=37):
    """One WebSocket message in frames of `size` bytes, a ping after every fifth."""
    cut = [payload[i:i + size] for i in range(0, len(payload), size)]
    return b"".join(rdg.ws_frame(piece, opcode=2 if i == 0 else 0, fin=i == len(cut) - 1) +
                    (rdg.ws_frame(b"ping", opcode=9) if i % 5 == 4 else b"") for i, piece in enumerate(cut))


setup = rdg.tunnel_setup()
messages = rdg.ntlm_login() + [(CLIENT, fragmented_message(b"".join(p for d, p in setup if d == CLIENT)))]
messages += [(SERVER, rdg.ws_frame(p, mask=None)) for d, p in setup if d == SERVER]
messages += [(d, fragmented_message(rdg.data(b)) if d == CLIENT else rdg.ws_frame(rdg.data(b), mask=None))
             for d, b in ok_inner]
pcap, opts, paths = build("fragmented", messages)
rows, result = fields(pcap, opts)
clean_run(result, "fragmented")
c.equal(values(rows, "cssp_rdg.target"), [TARGET], "fragmented: target")
c.equal(values(rows, "cssp.cookie"), ["gwuser"], "fragmented: tunnelled X.224 read across fragments")
c.equal(last_verdict(rows), "ok", "fragmented: the tunnelled connection judged")

bad = rdg.ntlm_login() + rdg.frame_all(rdg.tunnel_setup()[:2] + [(CLIENT, b"\x0a\x00\x00\x00\xff\xff\xff\x7f")])
pcap, opts, paths = build("bad-length", bad)
rows, result = fields(pcap, opts)
clean_run(result, "bad length")
c.check(any("tunnel packet longer than the limit" in e for e in values(rows, "_ws.expert.message")),
        "bad length: noted")

pcap, opts, paths = build("never-opens", [(CLIENT, rdg.http_request(rdg.negotiate(b"\x60\x00")))], close=False)
rows, result = fields(pcap, opts)
clean_run(result, "never opens")
c.equal(values(rows, "cssp_rdg.http.request"), ["RDG_OUT_DATA /remoteDesktopGateway/"], "never opens: the request")
c.equal(values(rows, "cssp_rdg.type"), [], "never opens: no tunnel packet")

# Not a gateway: other HTTPS on 443 stays Wireshark's.
other = [(CLIENT, b"GET /index.html HTTP/1.1\r\nHost: www.example.test\r\n\r\n"),
         (SERVER, rdg.http_response(200, b"OK", body=b"hello"))]
pcap, opts, paths = build("other-https", other)
rows, result = fields(pcap, opts)
clean_run(result, "other HTTPS")
c.equal(rows, [], "other HTTPS: not claimed")

# 4. The real gateway captures.
corpus = corpus_dir(source_dir)
if not corpus:
    print("SKIPPED: ../shared/corpus is absent: the real RD Gateway captures are not run")
else:
    folder = os.path.join(corpus, "awakecoding-wireshark-rdp")
    success = {"rdp-rdg-same-creds-kerberos-password-success2.pcapng", "rdp-rdg-same-creds-kerberos-smartcard-success2.pcapng",
               "rdp-rdg-no-kdc-proxy-ntlm-downgrade-success.pcapng"}
    for name in sorted(os.listdir(folder)):
        if not name.startswith("rdp-rdg-"):
            continue
        rows, result = fields(tshark.add(os.path.join(folder, name)))
        clean_run(result, name)
        c.check(all(r.startswith("RDG_OUT_DATA /remoteDesktopGateway/") for r in values(rows, "cssp_rdg.http.request"))
                and values(rows, "cssp_rdg.http.request"), f"{name}: mstsc's request")
        c.equal(values(rows, "cssp_rdg.http.status")[-1:], ["101"], f"{name}: upgraded to WebSocket")
        c.check("Negotiate" in values(rows, "cssp_rdg.http.auth"), f"{name}: the gateway's HTTP scheme")
        targets = values(rows, "cssp_rdg.target")
        c.check(len(targets) == 1 and targets[0].upper().startswith("IT-HELP-TEST") and targets[0].endswith(":3389"),
                f"{name}: one channel to IT-HELP-TEST:3389 ({targets})")
        c.check(any(v.startswith("Negotiate Request") or "Cookie" in v for v in values(rows, "_ws.col.Info")),
                f"{name}: the tunnelled X.224 Connection Request")
        c.check(values(rows, "cssp.selected_protocol") and
                all(v in ("2", "8") for v in values(rows, "cssp.selected_protocol")),
                f"{name}: NLA negotiated inside the tunnel")
        c.equal(values(rows, "cssp.evidence")[-1:], ["traffic_shape"], f"{name}: CredSSP by shape (outer secret only)")
        if name in success:
            c.equal(last_verdict(rows), "ok", f"{name}: verdict")
        rc, conns, err = run_json(analyzer, os.path.join(folder, name))
        c.equal(last_verdict(rows), conns[0].get("verdict") if conns else None, f"{name}: the analyzer's verdict")
        if "ntlm-downgrade" in name:
            c.equal(values(rows, "cssp_rdg.http.status"), ["401", "101"], f"{name}: challenged, then upgraded")

tshark.close()
c.finish()
