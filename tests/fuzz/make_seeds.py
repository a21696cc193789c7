#!/usr/bin/env python3
"""make_seeds.py - seed corpora for the libFuzzer harnesses.

    make_seeds.py committed            rewrites tests/fuzz/seeds/HARNESS/ (small, synthetic: what is committed)
    make_seeds.py extra OUT_DIR        writes OUT_DIR/HARNESS/ from the recorded samples (samples/*.pcap*
                                       with their .keys) and the shared corpus; never committed
                                       (run_fuzz.sh -s OUT_DIR uses them)

Committed seeds come from rdp_capture.py: real TLS sessions (TLS 1.3, TLS 1.2 ECDHE and static RSA,
GCM, ChaCha20, CBC) carrying hand-built CredSSP exchanges, in each harness's input format.
"""
import glob
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "robustness"))
import rdg_capture as rdg  # noqa: E402
import rdp_capture as rc  # noqa: E402
from rdp_capture import synth  # noqa: E402

HARNESSES = ["der_tsrequest", "ntlmssp", "x224", "gateway", "verdict", "tls", "keylog", "dsb", "analyzer",
             "probe_reply"]
MAX_SEED = 65536  # run_fuzz.sh's -max_len
SEGMENTS_PER_STREAM = 40  # the connection start: negotiation, TLS handshake, CredSSP

# ---- the harnesses' input formats ------------------------------------------------------


def tls_seed(chunks, keylog):
    """fuzz_tls.c: u16le key-log length, key log, then (u8 direction, u16le length, bytes) chunks."""
    keys = keylog.encode()
    out = struct.pack("<H", len(keys)) + keys
    for direction, data in chunks:
        for i in range(0, len(data), 0xFFFF):
            piece = data[i:i + 0xFFFF]
            out += struct.pack("<BH", direction, len(piece)) + piece
    return out


# fuzz_verdict.c event encoding: head byte (type | 0x80 for the server), ref byte, the type's fields.
EV = dict(NEG_REQUEST=0, NEG_RESPONSE=1, NEG_FAILURE=2, TLS=3, TSREQ=4, RECORD=5, ALERT=6, EARLY_AUTH=7, FIN=8,
          RST=9, END=10)


def ev(name, server=False, *fields):
    return bytes([EV[name] | (0x80 if server else 0), 0]) + b"".join(fields)


def ev_tsreq(server, version, token_kind=2, ntlm_type=None, auth_info=False, pub_key_auth=False, error_code=None,
             nonce=False, user=None):
    presence = (0x01 if ntlm_type else 0) | (0x02 if auth_info else 0) | (0x04 if pub_key_auth else 0) | \
        (0x08 if error_code is not None else 0) | (0x10 if nonce else 0) | (0x20 if ntlm_type else 0) | \
        (0x40 if user else 0)
    body = bytes([presence, version, 1, token_kind])
    if error_code is not None:
        body += struct.pack("<I", error_code)
    body += b"\0"  # notes
    if ntlm_type:
        body += bytes([ntlm_type]) + struct.pack("<IBBH", rc.NTLM_FLAGS, 10, 0, 19041)
        if user:
            for name in (user, b"DOM", b"WS"):
                body += bytes([len(name)]) + name
    return ev("TSREQ", server, body)


def u32(v):
    return struct.pack("<I", v)


def u16(v):
    return struct.pack("<H", v)


def verdict_seeds():
    neg = ev("NEG_REQUEST", False, b"\1", u32(0xB), b"\0") + ev("NEG_RESPONSE", True, b"\1", u32(0x8), b"\0")
    tls12 = ev("TLS", True, u16(0x0303), u16(0xC030))
    tls13 = ev("TLS", True, u16(0x0304), u16(0x1302))
    nego = ev_tsreq(False, 6, ntlm_type=1, nonce=True)
    chal = ev_tsreq(True, 6, ntlm_type=2)
    auth = ev_tsreq(False, 6, ntlm_type=3, pub_key_auth=True, nonce=True, user=b"alice")
    return {
        "ok-decrypted": neg + tls13 + nego + chal + auth + ev_tsreq(True, 6, pub_key_auth=True) +
        ev_tsreq(False, 6, auth_info=True) + ev("EARLY_AUTH", True, u32(0)) + ev("END"),
        "mismatch-decrypted": neg + tls12 + nego + ev_tsreq(True, 3, ntlm_type=2) + ev("FIN") + ev("FIN", True),
        "not-supported": neg + tls12 + ev_tsreq(False, 3, ntlm_type=1) +
        ev_tsreq(True, 6, error_code=rc.STATUS_NOT_SUPPORTED) + ev("RST", True),
        "logon-failure": neg + tls13 + nego + chal + auth + ev_tsreq(True, 6, error_code=rc.STATUS_LOGON_FAILURE),
        "negotiation-failure": ev("NEG_REQUEST", False, b"\1", u32(0x1), b"\0") + ev("NEG_FAILURE", True, u32(5)),
        "no-nla": ev("NEG_REQUEST", False, b"\1", u32(0x3), b"\0") + ev("NEG_RESPONSE", True, b"\1", u32(1), b"\0") +
        tls12 + ev("RECORD", False, u16(300)) + ev("END"),
        "shape-complete": neg + tls12 + b"".join(ev("RECORD", i % 2 == 1, u16(n))
                                                 for i, n in enumerate([81, 286, 567, 83, 100, 28])) + ev("END"),
        "shape-mismatch": neg + tls12 + ev("RECORD", False, u16(81)) + ev("RECORD", True, u16(215)) +
        ev("ALERT", False, b"\1", b"\2", b"\0") + ev("FIN") + ev("END"),
        "shape-tls13-alert": neg + tls13 + ev("RECORD", True, u16(1200)) + ev("RECORD", False, u16(90)) +
        ev("RECORD", True, u16(300)) + ev("ALERT", True, b"\1", b"\2", b"\x28") + ev("RST", True),
    }


def spnego_init(token):
    ntlm_oid = rc.der(0x06, bytes.fromhex("2b0601040182370202 0a".replace(" ", "")))
    inner = rc.der(0xA0, rc.der(0x30, rc.der(0xA0, rc.der(0x30, ntlm_oid)) + rc.der(0xA2, rc.der(0x04, token))))
    return rc.der(0x60, rc.der(0x06, bytes.fromhex("2b0601050502")) + inner)


def spnego_resp(token):
    ntlm_oid = rc.der(0x06, bytes.fromhex("2b06010401823702020a"))
    return rc.der(0xA1, rc.der(0x30, rc.der(0xA0, rc.der(0x0A, b"\1")) + rc.der(0xA1, ntlm_oid) +
                               rc.der(0xA2, rc.der(0x04, token))))


def x224_pdu(code, payload):
    """TPKT + X.224 header (dst-ref 0, src-ref 0, class 0) + payload."""
    x224 = bytes([6 + len(payload), code, 0, 0, 0, 0, 0]) + payload
    return bytes([3, 0]) + struct.pack(">H", 4 + len(x224)) + x224


def gateway_seeds():
    """fuzz_gateway.c: an HTTP head, or a delivery-step byte then a WebSocket stream of MS-TSGU packets, or a
    gateway request and the client's WebSocket frames (the stream reader's path)."""
    tsgu, ws_frame = rdg.tsgu, rdg.ws_frame
    client = [rdg.handshake_request(), rdg.tunnel_create(), rdg.tunnel_auth("CLIENT"),
              rdg.channel_create("IT-HELP-TEST.ad.it-help.ninja"), rdg.data(synth.x224_request(b"seed", 0xB)),
              tsgu(0xD), rdg.close_channel()]
    server = [rdg.handshake_response(), rdg.tunnel_response(), rdg.tunnel_auth_response(), rdg.channel_response()]
    refused = rdg.channel_response(rdg.E_PROXY_RAP_ACCESSDENIED)
    whole = b"".join(client)
    return {
        "http-request": b"RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\n"
                        b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nAuthorization: Negotiate YIIH\r\n\r\n",
        "http-401": b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"
                    b"Content-Length: 0\r\n\r\n",
        "http-legacy-chunked": b"RDG_IN_DATA /remoteDesktopGateway/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"e\r\n" + client[0] + b"\r\n0\r\n\r\n",
        "ws-client-masked": bytes([7]) + b"".join(ws_frame(p) for p in client),
        "ws-server-unmasked": bytes([0]) + b"".join(ws_frame(p, mask=None) for p in server) + ws_frame(refused, mask=None),
        "ws-fragmented-with-ping": bytes([2]) + ws_frame(whole[:20], fin=False) + ws_frame(b"hi", opcode=9) +
                                   ws_frame(whole[20:50], opcode=0, fin=False) + ws_frame(whole[50:], opcode=0),
        "ws-unmasked-client": bytes([255]) + b"".join(ws_frame(p, mask=None) for p in client),
        "ws-16bit-length": bytes([100]) + ws_frame(tsgu(10, struct.pack("<H", 300) + bytes(300))),
        "ws-64bit-length": bytes([200]) + ws_frame(tsgu(10, struct.pack("<H", 65000) + bytes(65000)))[:MAX_SEED - 1],
        "ws-bad-tsgu-length": bytes([9]) + ws_frame(struct.pack("<HHI", 10, 0, 0xFFFFFF) + b"x" * 16),
        "ws-close": bytes([3]) + ws_frame(struct.pack(">H", 1000) + b"bye", opcode=8),
        "stream-websocket": b"RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\nConnection: Upgrade\r\n"
                            b"Upgrade: websocket\r\n\r\n" + b"".join(ws_frame(p) for p in client),
        "tsgu-channel-create": client[3],
        "tsgu-channel-refused": refused,
    }


def gateway_capture_seed(tmp):
    """An RD Gateway connection (WebSocket, NTLM logon, v6 client meeting a v3 target inside the tunnel) with
    the gateway's and the target's key logs in a DSB: the analyzer harness then walks every tunnel layer."""
    inner, inner_keys = rdg.inner_rdp(6, 3, "mismatch")
    pcap, outer_keys = rdg.gateway_capture(rdg.tunnelled(inner))
    return inject_secrets(pcap, outer_keys + inner_keys, tmp)


def gateway_legacy_seed(tmp):
    """The recorded legacy RD Gateway tunnel (samples/: RDG_OUT_DATA and RDG_IN_DATA paired by their
    RDG-Connection-Id, a v6 client refusing a v4 target inside) with its key log in a DSB: mutations reach
    the pairing of the two channels."""
    name = os.path.join(SOURCE_DIR, "samples", "gateway-legacy-mismatch-scripted-client-server-v4")
    with open(name + ".pcap", "rb") as pcap, open(name + ".keys") as keys:
        return inject_secrets(pcap.read(), keys.read(), tmp)


def ntlm_challenge_with_target_info(names):
    """A CHALLENGE whose TargetInfo carries these AV pairs ({AvId: name}), then the timestamp and MsvAvEOL."""
    info = b"".join(struct.pack("<HH", av, len(n.encode("utf-16-le"))) + n.encode("utf-16-le") for av, n in names.items())
    info += struct.pack("<HH", 7, 8) + b"\x01" * 8 + struct.pack("<HH", 0, 0)
    target = names.get(2, "").encode("utf-16-le")
    offset = 56
    return (b"NTLMSSP\0" + struct.pack("<IHHI", 2, len(target), len(target), offset) +
            struct.pack("<I", rc.NTLM_FLAGS | 0x00800000) + b"\x11" * 8 + b"\0" * 8 +
            struct.pack("<HHI", len(info), len(info), offset + len(target)) + rc.ntlm_version() + target + info)


def probe_reply_seeds():
    """fuzz_probe_reply.c: a piece-size byte, the server's Connection Confirm, then its TSRequest."""
    hybrid_ex = synth.x224_confirm(0x02, 0x8)
    names = {1: "RDSRV", 2: "LAB", 3: "rdsrv.lab.test", 4: "lab.test", 5: "lab.test"}
    seeds = {f"v{v}-challenge": b"\x10" + hybrid_ex + rc.tsrequest(v, rc.ntlm_challenge()) for v in (2, 3, 4, 5, 6)}
    seeds["v6-target-info"] = b"\x07" + hybrid_ex + rc.tsrequest(6, ntlm_challenge_with_target_info(names))
    seeds["v3-spnego-target-info"] = b"\x40" + hybrid_ex + rc.tsrequest(3, spnego_resp(
        ntlm_challenge_with_target_info(names)))
    seeds["v6-error-code"] = b"\x01" + hybrid_ex + rc.tsrequest(6, error_code=0xC00000BB)
    seeds["ssl-selected"] = b"\x00" + synth.x224_confirm(0x02, 0x1)
    seeds["neg-failure"] = b"\x00" + synth.x224_confirm(0x03, 0x2)
    seeds["legacy-confirm"] = b"\x00" + x224_pdu(0xD0, b"")
    seeds["http"] = b"\x00" + b"HTTP/1.1 400 Bad Request\r\n\r\n"
    return seeds


def keylog_variants(keylog):
    lines = keylog.splitlines()
    upper = "\n".join(l.split()[0] + " " + " ".join(p.upper() for p in l.split()[1:]) for l in lines)
    return {
        "plain": keylog,
        "crlf-comments": "# SSL/TLS secrets log file\r\n" + "\r\n".join(lines) + "\r\n",
        "lsass-upper-nul": "\0\0" + upper + "\n",
        "duplicate-conflicting": keylog + keylog + lines[0][:-8] + "deadbeef\n",
        "garbage": "CLIENT_RANDOM zz 00\nNOT_A_LABEL 00 11\n" + "A" * 1500 + "\nEXPORTER_SECRET " +
        lines[0].split()[1] + " " + "00" * 32 + "\n",
    }


def write(out_dir, harness, name, data):
    d = os.path.join(out_dir, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data[:MAX_SEED])


def inject_secrets(pcap_bytes, keylog, tmp):
    """pcapng bytes of the capture with its key log in a Decryption Secrets Block (editcap)."""
    src, keys, dst = (os.path.join(tmp, n) for n in ("in.pcap", "in.keys", "out.pcapng"))
    with open(src, "wb") as f:
        f.write(pcap_bytes)
    with open(keys, "w") as f:
        f.write(keylog)
    subprocess.run(["editcap", "--inject-secrets", "tls," + keys, src, dst], check=True, capture_output=True)
    with open(dst, "rb") as f:
        return f.read()


def big_endian_dsb(keylog):
    """A big-endian pcapng: SHB, IDB, DSB; written by hand since editcap writes host order."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack(">II", btype, len(body) + 12) + body + struct.pack(">I", len(body) + 12)
    keys = keylog.encode()
    return (block(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1)) +
            block(1, struct.pack(">HHI", 1, 0, 65535)) +
            block(0x0A, struct.pack(">II", 0x544C534B, len(keys)) + keys))


def committed(out_dir):
    for h in HARNESSES:
        shutil.rmtree(os.path.join(out_dir, h), ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="cssp-seeds-") as tmp:
        for version in (2, 3, 4, 5, 6):
            for outcome in ("ok", "logon_failure", "not_supported"):
                for i, (_, msg) in enumerate(rc.credssp_exchange(version, version, outcome)):
                    write(out_dir, "der_tsrequest", f"v{version}-{outcome}-{i}", msg)
        write(out_dir, "der_tsrequest", "v6-spnego", rc.tsrequest(6, spnego_init(rc.ntlm_negotiate())))
        write(out_dir, "der_tsrequest", "v96-nmap", rc.tsrequest(96))

        for name, token in [("negotiate", rc.ntlm_negotiate()), ("challenge", rc.ntlm_challenge()),
                            ("authenticate", rc.ntlm_authenticate("\u00e9l\u00e8ve", "DOM\u00c4IN", "WS"))]:
            write(out_dir, "ntlmssp", name, token)
            write(out_dir, "ntlmssp", "spnego-init-" + name, spnego_init(token))
            write(out_dir, "ntlmssp", "spnego-resp-" + name, spnego_resp(token))
        write(out_dir, "ntlmssp", "kerberos-gss",
              rc.der(0x60, rc.der(0x06, bytes.fromhex("2a864886f712010202")) + b"\x01\x00" + rc.der(0x6E, b"\0" * 8)))
        write(out_dir, "ntlmssp", "kerberos-ap-req", rc.der(0x6E, rc.der(0x30, rc.der(0xA0, rc.der_int(5)))))
        for name, token in kerberos_tokens():
            write(out_dir, "ntlmssp", name, token)

        neg_req = bytes.fromhex("010008000b000000")
        x224 = {
            "request-cookie": synth.x224_request(b"administrator", 0xB),
            "request-no-neg": x224_pdu(0xE0, b"Cookie: mstshash=legacy\r\n"),
            "request-routing-token": x224_pdu(0xE0, b"Cookie: msts=3640205228.15629.0000\r\n" + neg_req),
            "request-correlation": x224_pdu(0xE0, bytes.fromhex("010808000b000000") + bytes.fromhex("06002400") +
                                            bytes(range(1, 17)) + b"\0" * 16),
            "confirm-rsp": synth.x224_confirm(0x02, 0x8),
            "confirm-failure": synth.x224_confirm(0x03, 0x5),
            "confirm-legacy": x224_pdu(0xD0, b""),
            "data-tpdu": bytes.fromhex("0300000c02f080") + bytes.fromhex("7f65820000"),
            "early-auth-result": bytes.fromhex("00000000"),
        }
        for name, data in x224.items():
            write(out_dir, "x224", name, data)

        for name, data in gateway_seeds().items():
            write(out_dir, "gateway", name, data)

        for name, data in verdict_seeds().items():
            write(out_dir, "verdict", name, data)

        for name, data in probe_reply_seeds().items():
            write(out_dir, "probe_reply", name, data)

        for profile in rc.TLS_PROFILES:
            outcome = "ok" if profile != "tls12-ecdhe-chacha" else "mismatch"
            messages = rc.credssp_exchange(6, 6 if outcome == "ok" else 3, outcome)
            chunks, keylog = rc.tls_conversation(messages, profile)
            write(out_dir, "tls", profile, tls_seed(chunks, keylog))
            if profile == "tls13":
                write(out_dir, "tls", "tls13-traffic-secrets-only",
                      tls_seed(chunks, "".join(l + "\n" for l in keylog.splitlines() if "_TRAFFIC_SECRET_0" in l)))
                for name, text in keylog_variants(keylog).items():
                    write(out_dir, "keylog", name, text.encode())
            if profile == "tls12-rsa-cbc":
                write(out_dir, "tls", "tls12-rsa-no-keylog", tls_seed(chunks, ""))
            pcap, keylog = rc.rdp_tls_capture(profile, 6, 6 if outcome == "ok" else 3, outcome)
            with_keys = inject_secrets(pcap, keylog, tmp)
            write(out_dir, "analyzer", profile + ".pcapng", with_keys)
            if profile in ("tls13", "tls12-ecdhe-gcm"):
                write(out_dir, "dsb", profile + ".pcapng", with_keys)
                write(out_dir, "dsb", profile + "-big-endian.pcapng", big_endian_dsb(keylog))
        pcap, _ = rc.rdp_tls_capture("tls12-rsa-gcm", 6, 6, "logon_failure")
        write(out_dir, "analyzer", "no-keys.pcap", pcap)
        write(out_dir, "analyzer", "rd-gateway.pcapng", gateway_capture_seed(tmp))
        write(out_dir, "analyzer", "rd-gateway-legacy.pcapng", gateway_legacy_seed(tmp))
        clear = rc.conversation_frames(
            [(rc.CLIENT, synth.x224_request(b"clear", 0xB)), (rc.SERVER, synth.x224_confirm(0x02, 0x8))] +
            rc.credssp_exchange(6, 6, "ok") + [(rc.SERVER, b"\0\0\0\0")], linktype=synth.SLL2)
        write(out_dir, "analyzer", "clear-credssp-sll2.pcap", synth.pcap(synth.SLL2, clear))
        v6 = synth.negotiation("2001:db8::1", "2001:db8::2", 50001, 3389, synth.x224_request(),
                               synth.x224_confirm(0x03, 0x2), vlan_tags=2)
        write(out_dir, "analyzer", "ipv6-qinq-failure.pcap", synth.pcap(synth.ETHERNET, v6))
        for harness, name, data in mixed_link_seeds():
            write(out_dir, harness, name, data)


def mixed_link_seeds():
    """pcapng files whose interfaces have different link types (the capture stream's rewrite), one with a DSB."""
    conns = [synth.negotiation(client, "10.9.9.9", 50000 + i, 3389, synth.x224_request(b"mixed"),
                               synth.x224_confirm(0x02, 0x1), linktype)
             for i, (linktype, client) in enumerate(((synth.ETHERNET, "10.1.1.1"), (synth.SLL2, "10.2.2.1"),
                                                     (synth.RAW, "10.3.3.1")))]
    frames = [(i, conn[k]) for k in range(len(conns[0])) for i, conn in enumerate(conns)]  # interleaved
    links = [synth.ETHERNET, synth.SLL2, synth.RAW]
    plain = synth.pcapng(links, frames)
    with_dsb = synth.pcapng(links, frames, keylog="CLIENT_RANDOM " + "11" * 32 + " " + "22" * 48 + "\n")
    return [("analyzer", "mixed-links.pcapng", plain), ("dsb", "mixed-links.pcapng", plain),
            ("dsb", "mixed-links-dsb.pcapng", with_dsb)]


# ---- extra seeds from recorded captures --------------------------------------------------


def tshark_fields(path, display_filter, *fields):
    cmd = ["tshark", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return [line.split("|") for line in p.stdout.splitlines() if line]


def capture_files():
    found = []
    for pattern in ("samples/*.pcap", "samples/*.pcapng"):
        found += glob.glob(os.path.join(SOURCE_DIR, pattern))
    for corpus in (os.path.join(SOURCE_DIR, "..", "shared", "corpus"), "/work/shared/corpus"):
        if os.path.isdir(corpus):
            found += glob.glob(os.path.join(corpus, "*", "*.pcap*"))
            break
    return sorted(set(os.path.abspath(f) for f in found))


def keylog_for(path):
    base = os.path.splitext(path)[0]
    for candidate in (base + ".keys", os.path.join(os.path.dirname(path), "tls-lsa.log")):
        if os.path.exists(candidate):
            with open(candidate, errors="replace") as f:
                return f.read()
    return ""


def extra(out_dir, streams_per_file=12):
    with tempfile.TemporaryDirectory(prefix="cssp-seeds-") as tmp:
        for path in capture_files():
            stem = os.path.basename(path).replace(".", "_")
            keylog = keylog_for(path)
            if "pdu.pcap" in path:  # exported PDUs: decrypted TSRequests of real Windows peers
                for i, (pdu, token) in enumerate(tshark_fields(path, "credssp", "exported_pdu.exported_pdu",
                                                               "credssp.negoToken")[:64]):
                    write(out_dir, "der_tsrequest", f"{stem}-{i}", bytes.fromhex(pdu))
                    if token:
                        write(out_dir, "ntlmssp", f"{stem}-{i}", bytes.fromhex(token.split(",")[0]))
                continue
            rows = tshark_fields(path, "tcp.len > 0", "tcp.stream", "frame.number", "tcp.srcport", "tcp.payload")
            streams, last_frame = {}, {}
            for stream, frame, sport, payload in rows:
                streams.setdefault(stream, []).append((int(sport), bytes.fromhex(payload)))
                if len(streams[stream]) <= SEGMENTS_PER_STREAM:
                    last_frame[stream] = frame
            for stream, segs in list(streams.items())[:streams_per_file]:
                client_port = segs[0][0]
                chunks = [(0 if s == client_port else 1, p) for s, p in segs[:SEGMENTS_PER_STREAM]]
                for i, (_, p) in enumerate(chunks[:8]):
                    if p[:2] == b"\x03\x00":
                        write(out_dir, "x224", f"{stem}-{stream}-{i}", p)
                    elif p[:1] == b"\x30":
                        write(out_dir, "der_tsrequest", f"{stem}-{stream}-{i}", p)
                    if b"NTLMSSP\0" in p:
                        write(out_dir, "ntlmssp", f"{stem}-{stream}-{i}", p[p.index(b"NTLMSSP\0"):])
                randoms = [p[11:43].hex().upper() for d, p in chunks
                           if d == 0 and p[:1] == b"\x16" and p[1:2] == b"\x03" and p[5:6] == b"\x01"]
                lines = [l for l in keylog.splitlines() if any(r in l.upper() for r in randoms)]
                session_keys = "".join(l + "\n" for l in lines)
                tls_chunks = [c for c in chunks if c[1][:1] in (b"\x14", b"\x15", b"\x16", b"\x17")]
                if tls_chunks:
                    write(out_dir, "tls", f"{stem}-{stream}", tls_seed(chunks[chunks.index(tls_chunks[0]):],
                                                                     session_keys))
                one = os.path.join(tmp, "one.pcap")
                subprocess.run(["tshark", "-r", path, "-Y", f"tcp.stream=={stream} && frame.number <= "
                                f"{last_frame[stream]}", "-F", "pcap", "-w", one], capture_output=True)
                if os.path.exists(one) and os.path.getsize(one) <= MAX_SEED:
                    with open(one, "rb") as f:
                        data = f.read()
                    write(out_dir, "analyzer", f"{stem}-{stream}",
                          inject_secrets(data, session_keys, tmp) if session_keys else data)
                    if session_keys:
                        write(out_dir, "dsb", f"{stem}-{stream}", inject_secrets(data, session_keys, tmp)[:4096])
            if keylog:
                lines = keylog.splitlines()
                for i in range(0, min(len(lines), 400), 40):
                    write(out_dir, "keylog", f"{stem}-{i}", "\n".join(lines[i:i + 40]).encode())


def kerberos_tokens():
    """SPNEGO with the Kerberos messages of a domain logon (RFC 4178, RFC 4120, the user-to-user draft)."""
    der = rc.der
    oid = lambda hexs: der(0x06, bytes.fromhex(hexs))
    krb5, u2u, ntlm = "2a864886f712010202", "2a864886f71201020203", "2b06010401823702020a"
    string = lambda s: der(0x1B, s.encode())
    principal = der(0x30, der(0xA0, rc.der_int(2)) + der(0xA1, der(0x30, string("TERMSRV") + string("rds1.example.test"))))
    ticket = der(0x61, der(0x30, der(0xA0, rc.der_int(5)) + der(0xA1, string("EXAMPLE.TEST")) + der(0xA2, principal) +
                           der(0xA3, der(0x30, der(0xA0, rc.der_int(18)) + der(0xA2, der(0x04, b"\0" * 16))))))
    tgt_req = der(0x60, oid(u2u) + b"\x04\x00" + der(0x30, der(0xA0, rc.der_int(5)) + der(0xA1, rc.der_int(16)) +
                                                       der(0xA2, principal)))
    ap_req = der(0x60, oid(u2u) + b"\x01\x00" + der(0x6E, der(0x30, der(0xA0, rc.der_int(5)) + der(0xA1, rc.der_int(14)) +
                                                                    der(0xA3, ticket))))
    krb_error = der(0x60, oid(krb5) + b"\x03\x00" + der(0x7E, der(0x30, der(0xA0, rc.der_int(5)) + der(0xA1, rc.der_int(30)) +
                                                                       der(0xA6, rc.der_int(41)) +
                                                                       der(0xA9, string("EXAMPLE.TEST")))))
    init = der(0x60, oid("2b0601050502") + der(0xA0, der(0x30, der(0xA0, der(0x30, oid(krb5) + oid(ntlm))) +
                                                           der(0xA2, der(0x04, tgt_req)))))
    resp = lambda token: der(0xA1, der(0x30, der(0xA0, der(0x0A, b"\x01")) + der(0xA1, oid(krb5)) +
                                           der(0xA2, der(0x04, token))))
    return [("spnego-init-kerberos-tgt-request", init), ("spnego-resp-kerberos-ap-req", resp(ap_req)),
            ("spnego-resp-kerberos-error", resp(krb_error))]


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "committed":
        committed(os.path.join(HERE, "seeds"))
    elif len(sys.argv) == 3 and sys.argv[1] == "extra":
        extra(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
