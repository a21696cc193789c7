"""test_gateway.py - credssp-analyze on RDP connections through an RD Gateway, built from the specifications.

The gateway's HTTP, WebSocket and MS-TSGU layers come from tests/robustness/rdg_capture.py (real TLS around
them, a real TLS session for the tunnelled RDP connection). Expected values are what each capture was built
to hold: the target asked for in CHANNEL_CREATE, the gateway's address, the HTTP logon (Negotiate with NTLM,
401 then 101), the CredSSP versions of the tunnelled exchange, the HRESULT of a refusal.
Usage: test_gateway.py ANALYZER SOURCE_DIR
"""
import os
import sys

from harness import Checks, run, run_json, scratch_dir

analyzer, source_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(source_dir, "tests", "robustness"))
import rdg_capture as rdg  # noqa: E402
from rdp_capture import CLIENT, SERVER  # noqa: E402

c = Checks("gateway")
tmp, write = scratch_dir("cssp-gateway-")
GATEWAY = "192.0.2.30:443"
TARGET = rdg.TARGET + ":3389"


def analyse(name, outer_messages, keylogs, **capture_args):
    pcap, outer_keys = rdg.gateway_capture(outer_messages, **capture_args)
    args = [write(name + ".pcap", pcap)]
    for i, text in enumerate(keylogs(outer_keys)):
        args += ["-k", write(f"{name}-{i}.keys", text.encode())]
    return run_json(analyzer, *args)


# 1. A patched client (v6) meets an unpatched target (v3) through the gateway, both key logs given:
#    the tunnelled CredSSP is decrypted and judged as on a direct connection.
inner, inner_keys = rdg.inner_rdp(6, 3, "mismatch")
rc, conns, err = analyse("mismatch", rdg.tunnelled(inner), lambda outer: [outer, inner_keys])
c.equal(rc, 1, "mismatch: exit status 1 (a version mismatch)")
c.equal(len(conns), 1, "mismatch: one connection per tunnel")
x = conns[0] if conns else {}
c.equal(x.get("transport"), "rd_gateway", "mismatch: transport")
c.equal(x.get("target"), TARGET, "mismatch: target from CHANNEL_CREATE")
c.equal(x.get("gateway"), GATEWAY, "mismatch: gateway address")
c.equal(x.get("server"), GATEWAY, "mismatch: server is the TCP peer, the gateway")
c.equal(x.get("gateway_transport"), "websocket", "mismatch: WebSocket transport")
c.equal(x.get("gateway_auth"), {"scheme": "Negotiate", "mechanism": "NTLM", "http_statuses": [401, 101],
                                "outcome": "accepted"}, "mismatch: gateway logon")
c.equal(x.get("gateway_error"), None, "mismatch: no gateway error")
c.equal((x.get("client_version"), x.get("server_version")), (6, 3), "mismatch: CredSSP versions")
c.equal(x.get("verdict"), "version_mismatch", "mismatch: verdict")
c.equal(x.get("evidence"), "decrypted", "mismatch: evidence")
c.equal(x.get("cookie"), "gwuser", "mismatch: the tunnelled X.224 cookie")
c.equal(x.get("selected_protocol"), "HYBRID", "mismatch: the tunnelled negotiation")

rc, out, err = run(analyzer, os.path.join(tmp, "mismatch.pcap"), "-k", os.path.join(tmp, "mismatch-0.keys"), "-k",
                   os.path.join(tmp, "mismatch-1.keys"))
c.check(f"via gateway {GATEWAY} -> target {TARGET}" in out, "text: the via-gateway line")
c.check(f"server {TARGET} via gateway {GATEWAY}: 1 connection" in out, "text: the summary groups by target")

# Nothing secret reaches the output: no key-log secret, no HTTP credentials token, no authInfo.
import base64  # noqa: E402
import rdp_capture  # noqa: E402
with open(os.path.join(tmp, "mismatch-0.keys")) as f:
    outer_keys = f.read()
rc, json_out, err = run(analyzer, "--json", os.path.join(tmp, "mismatch.pcap"), "-k", os.path.join(tmp, "mismatch-0.keys"),
                        "-k", os.path.join(tmp, "mismatch-1.keys"))
everything = (out + json_out + err).lower()
c.check(not any(secret in everything for secret in rdp_capture.keylog_secrets(outer_keys + inner_keys)),
        "no key-log secret in the output")
token = base64.b64encode(rdp_capture.ntlm_authenticate()).decode()
c.check(token[:24].lower() not in everything, "no Authorization token in the output")
c.check(rdp_capture.AUTH_INFO_MARKER.hex() not in everything, "no authInfo in the output")

# 2. Only the gateway's key log: the tunnel is read, the inner TLS is not; CredSSP by traffic shape.
rc, conns, err = analyse("outer-only", rdg.tunnelled(inner), lambda outer: [outer])
c.equal(len(conns), 1, "outer only: one connection")
x = conns[0] if conns else {}
c.equal(x.get("target"), TARGET, "outer only: target")
c.equal(x.get("evidence"), "traffic_shape", "outer only: evidence traffic_shape")
c.equal(x.get("tls", {}).get("decrypted"), False, "outer only: inner TLS not decrypted")
c.equal(x.get("selected_protocol"), "HYBRID", "outer only: the X.224 exchange is in clear inside the tunnel")

# The gateway's TLS in 1.3 (its encrypted handshake records come before the client's request).
rc, conns, err = analyse("tls13", rdg.tunnelled(inner), lambda outer: [outer, inner_keys], profile="tls13")
c.equal([(x["target"], x["verdict"]) for x in conns], [(TARGET, "version_mismatch")], "outer TLS 1.3: read")

# 3. No key at all: port 443 cannot be told from any other TLS; nothing is reported.
rc, conns, err = analyse("no-keys", rdg.tunnelled(inner), lambda outer: [])
c.equal((rc, len(conns)), (0, 0), "no keys: no connection")

# 4. Refusals: which part of the gateway refused, with the HRESULT named.
ok_inner, _ = rdg.inner_rdp(6, 6, "ok")
for name, setup, stage, status in (
        ("rap", rdg.tunnel_setup(channel_status=rdg.E_PROXY_RAP_ACCESSDENIED), "channel", "E_PROXY_RAP_ACCESSDENIED"),
        ("unreachable", rdg.tunnel_setup(channel_status=rdg.E_PROXY_TS_CONNECTFAILED), "channel",
         "E_PROXY_TS_CONNECTFAILED"),
        ("cap", rdg.tunnel_setup(auth_status=0x800759DA), "authorization", "E_PROXY_RAP_ACCESSDENIED")):
    rc, conns, err = analyse(name, rdg.ntlm_login() + rdg.frame_all(setup), lambda outer: [outer])
    x = conns[0] if conns else {}
    c.equal(rc, 0, f"{name}: exit status 0 (not a version mismatch)")
    c.equal(x.get("verdict"), "gateway_refused", f"{name}: verdict")
    c.equal((x.get("gateway_error") or {}).get("stage"), stage, f"{name}: refusing part")
    c.equal((x.get("gateway_error") or {}).get("status"), status, f"{name}: HRESULT named")
    c.check(stage in ("channel", "authorization") and ("RD Gateway" in x.get("explanation", "")),
            f"{name}: explanation names the gateway")
rc, conns, err = analyse("rap", rdg.ntlm_login() + rdg.frame_all(
    rdg.tunnel_setup(channel_status=rdg.E_PROXY_RAP_ACCESSDENIED)), lambda outer: [outer])
c.check("resource authorization policy" in (conns[0]["explanation"] if conns else ""), "rap: explanation says RAP")
c.equal(conns[0].get("target") if conns else None, TARGET, "rap: the refused target is reported")
rc, out, err = run(analyzer, os.path.join(tmp, "rap.pcap"), "-k", os.path.join(tmp, "rap-0.keys"))
c.check("advice: Check the RD Gateway's policies" in out, "rap: the summary gives the gateway's advice")

# HTTP authentication refused: 401, then the client gives up.
login = rdg.ntlm_login()[:2]
rc, conns, err = analyse("http401", login, lambda outer: [outer])
x = conns[0] if conns else {}
c.equal(x.get("verdict"), "gateway_refused", "http 401: verdict")
c.equal((x.get("gateway_auth") or {}).get("outcome"), "refused", "http 401: logon refused")
c.equal((x.get("gateway_auth") or {}).get("http_statuses"), [401], "http 401: statuses")
c.equal(x.get("target"), None, "http 401: no target asked for")

# 5. Hostile or unusual tunnels: reported, never a crash.
# Unmasked client frames: read, and noted.
rc, conns, err = analyse("unmasked", rdg.tunnelled(ok_inner, client_masked=False), lambda outer: [outer])
x = conns[0] if conns else {}
c.equal(x.get("target"), TARGET, "unmasked: still read")
c.check("unmasked WebSocket frame from the client" in (x.get("problem") or ""), "unmasked: noted")

# The tunnel split across fragmented messages with pings between: the same connection.
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
rc, conns, err = analyse("fragmented", messages, lambda outer: [outer])
x = conns[0] if conns else {}
c.equal(x.get("target"), TARGET, "fragmented: target")
c.equal(x.get("problem"), None, "fragmented: no problem")
c.equal(x.get("cookie"), "gwuser", "fragmented: tunnelled X.224 read across fragments")
c.equal(x.get("verdict"), "ok", "fragmented: the tunnelled connection judged")

# A bad tunnel packet length: the tunnel stops with a note.
bad = rdg.ntlm_login() + rdg.frame_all(rdg.tunnel_setup()[:2] + [(CLIENT, b"\x0a\x00\x00\x00\xff\xff\xff\x7f")])
rc, conns, err = analyse("bad-length", bad, lambda outer: [outer])
x = conns[0] if conns else {}
c.check("tunnel packet longer than the limit" in (x.get("problem") or ""), "bad length: noted")
c.equal(x.get("verdict"), "incomplete", "bad length: incomplete")

# A tunnel that never opens: the request, then silence.
rc, conns, err = analyse("never-opens", [(CLIENT, rdg.http_request(rdg.negotiate(b"\x60\x00")))], lambda outer: [outer],
                         close=False)
x = conns[0] if conns else {}
c.equal(x.get("transport"), "rd_gateway", "never opens: recognised from the request")
c.equal(x.get("verdict"), "incomplete", "never opens: incomplete")

# The legacy transport's OUT channel: RDG_OUT_DATA without an upgrade, a chunked 200 answer whose body opens
# with the 10-byte seed ([MS-TSGU] 3.3.5.1), then the gateway's packets; here it refuses the channel.
def chunked(payload):
    return b"%x\r\n" % len(payload) + payload + b"\r\n"


answers = [rdg.handshake_response(), rdg.tunnel_response(), rdg.tunnel_auth_response(),
           rdg.channel_response(rdg.E_PROXY_RAP_ACCESSDENIED)]
legacy = [(CLIENT, rdg.http_request(rdg.negotiate(b"\x60\x00"), websocket=False)),
          (SERVER, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(bytes(range(10))) +
           b"".join(chunked(a) for a in answers))]
rc, conns, err = analyse("legacy-out", legacy, lambda outer: [outer])
x = conns[0] if conns else {}
c.equal(x.get("gateway_transport"), "legacy", "legacy: transport")
c.equal(x.get("problem"), None, "legacy: seed and chunks read")
c.equal((x.get("gateway_error") or {}).get("status"), "E_PROXY_RAP_ACCESSDENIED", "legacy: the refusal read")
c.equal(x.get("verdict"), "gateway_refused", "legacy: verdict")

import rdp_capture as rc_mod  # noqa: E402

# The legacy transport's IN channel ([MS-TSGU] 3.3.5.1: RDG_IN_DATA, its chunked body the client's packets)
# without its OUT channel in reach: alone in the capture, after its OUT channel closed (the OUT channel is
# judged then, so the IN channel is reported alone), or with a body that is not chunked properly.
def channel_capture(channels):
    """One TLS connection to the gateway per (client port, outer messages), one after the other."""
    frames, keys = [], ""
    for cport, messages in channels:
        chunks, keylog = rc_mod.tls_conversation(messages, "tls12-ecdhe-gcm")
        frames += rc_mod.conversation_frames(chunks, client="192.0.2.10", server="192.0.2.30", cport=cport, sport=443)
        keys += keylog
    return rc_mod.synth.pcap(rc_mod.synth.ETHERNET, frames), keys


def in_channel(body):
    head = rdg.http_request(rdg.negotiate(b"\x60\x00"), method=b"RDG_IN_DATA", websocket=False)
    return [(CLIENT, head[:-2] + b"Transfer-Encoding: chunked\r\n\r\n" + body)]


out_channel = legacy[:1] + [(SERVER, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(bytes(10)) +
                             chunked(rdg.handshake_response()))]
client_half = chunked(rdg.handshake_request()) + chunked(rdg.tunnel_create())
for name, channels, reports in (("in-alone", [(50400, in_channel(client_half))], 1),
                                ("out-closed-first", [(50401, out_channel), (50402, in_channel(client_half))], 2),
                                ("in-bad-chunk", [(50403, in_channel(b"zz\r\n" + rdg.handshake_request()))], 1)):
    pcap, keys = channel_capture(channels)
    rc, conns, err = run_json(analyzer, write(name + ".pcap", pcap), "-k", write(name + ".keys", keys.encode()))
    c.equal(len(conns), reports, f"{name}: connections reported")
    c.check(all(x["transport"] == "rd_gateway" and x["gateway_transport"] == "legacy" for x in conns),
            f"{name}: legacy RD Gateway connections")
    c.check(all(x["verdict"] == "incomplete" for x in conns), f"{name}: the tunnel never opened: incomplete")
c.check("chunked" in (conns[0].get("problem") or "") if conns else False, "in-bad-chunk: the bad chunk noted")

# mstsc's logon to a domain gateway: Negotiate with a Kerberos AP-REQ inside SPNEGO (RFC 4178 NegTokenInit,
# mechToken = the RFC 4121 InitialContextToken), accepted at once with 101: the mechanism is Kerberos.
def kerberos_negotiate():
    der, oid = rc_mod.der, lambda hexs: rc_mod.der(0x06, bytes.fromhex(hexs))
    krb5, ntlm = "2a864886f712010202", "2b06010401823702020a"
    ticket = der(0x61, der(0x30, der(0xA0, rc_mod.der_int(5)) + der(0xA1, der(0x1B, b"AD.EXAMPLE.TEST"))))
    ap_req = der(0x60, oid(krb5) + b"\x01\x00" + der(0x6E, der(0x30, der(0xA0, rc_mod.der_int(5)) +
                                                              der(0xA1, rc_mod.der_int(14)) + der(0xA3, ticket))))
    return der(0x60, oid("2b0601050502") + der(0xA0, der(0x30, der(0xA0, der(0x30, oid(krb5) + oid(ntlm))) +
                                                            der(0xA2, der(0x04, ap_req)))))


kerberos = [(CLIENT, rdg.http_request(rdg.negotiate(kerberos_negotiate()))),
            (SERVER, rdg.http_response(101, b"Switching Protocols"))] + rdg.frame_all(
    rdg.tunnel_setup(channel_status=rdg.E_PROXY_TS_CONNECTFAILED))
rc, conns, err = analyse("kerberos", kerberos, lambda outer: [outer])
x = conns[0] if conns else {}
c.equal(x.get("gateway_auth"), {"scheme": "Negotiate", "mechanism": "Kerberos", "http_statuses": [101],
                                "outcome": "accepted"}, "kerberos: Kerberos inside SPNEGO names the mechanism")

# A direct connection says transport tcp.
pcap, keys = rc_mod.rdp_tls_capture("tls13", 6, 6, "ok")
rc, conns, err = run_json(analyzer, write("direct.pcap", pcap), "-k", write("direct.keys", keys.encode()))
c.equal([(x["transport"], x["target"], x["gateway"]) for x in conns], [("tcp", None, None)], "direct: transport tcp")

c.finish()
