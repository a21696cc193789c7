"""rdp_capture.py - RDP connections with CredSSP inside real TLS sessions, as capture files with key logs.

The TLS is real: Python's ssl module (OpenSSL) runs a client and a server over
memory BIOs and every byte they exchange is kept, so the analyzer decrypts the
capture with the key log OpenSSL wrote, exactly as it would a recorded one.
The CredSSP exchange inside is built here (DER TSRequests, NTLM messages) with
marker bytes in authInfo and pubKeyAuth, so a test can prove they never reach
any output. The server key is tests/fuzz/tls-rsa-key.pem (made for the tests
and the fuzz seeds, nothing else), so static-RSA sessions decrypt with
--rsa-key too.

Used by the robustness tests and by tests/fuzz/make_seeds.py.
"""
import os
import ssl
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "analyzer"))
import synth  # noqa: E402  (frame and pcap writers shared with the analyzer tests)

SERVER_KEY = os.path.join(SOURCE_DIR, "tests", "fuzz", "tls-rsa-key.pem")
SERVER_CERT = os.path.join(SOURCE_DIR, "tests", "fuzz", "tls-rsa-cert.pem")

# Bytes that must never appear in any output: authInfo is the encrypted TSCredentials (the password).
# Binary, with no ASCII word in it, so that no 4-byte window can match text the tools print legitimately.
AUTH_INFO_MARKER = bytes.fromhex("a5c3") + bytes(range(0x81, 0x97)) + bytes(range(0xe0, 0xf0))
PUB_KEY_AUTH = bytes(range(16)) + b"\x99" * 32
CLIENT_NONCE = bytes(range(0x40, 0x60))

CLIENT, SERVER = 0, 1
STATUS_LOGON_FAILURE = 0xC000006D
STATUS_NOT_SUPPORTED = 0xC00000BB


# ---- DER, NTLM, TSRequest -------------------------------------------------

def der(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def der_int(value):
    return der(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def ntlm_version():
    return bytes([10, 0]) + struct.pack("<H", 19041) + b"\0\0\0\x0f"


NTLM_FLAGS = 0xE2888235  # UNICODE, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY, VERSION, 128, KEY_EXCH, 56


def ntlm_negotiate():
    return b"NTLMSSP\0" + struct.pack("<II", 1, NTLM_FLAGS) + b"\0" * 16 + ntlm_version()


def ntlm_challenge():
    target = "TESTDOM".encode("utf-16-le")
    offset = 56
    return (b"NTLMSSP\0" + struct.pack("<IHHI", 2, len(target), len(target), offset) + struct.pack("<I", NTLM_FLAGS)
            + b"\x11" * 8 + b"\0" * 8 + struct.pack("<HHI", 0, 0, offset + len(target)) + ntlm_version() + target)


def ntlm_authenticate(user="alice", domain="TESTDOM", workstation="WS01"):
    payload = [b"\x22" * 24, b"\x33" * 24, domain.encode("utf-16-le"), user.encode("utf-16-le"),
               workstation.encode("utf-16-le"), b"\x44" * 16]
    offset = 88  # fixed header 64 + VERSION 8 + MIC 16
    fields = b""
    for p in payload:
        fields += struct.pack("<HHI", len(p), len(p), offset)
        offset += len(p)
    return b"NTLMSSP\0" + struct.pack("<I", 3) + fields + struct.pack("<I", NTLM_FLAGS) + ntlm_version() + \
        b"\x55" * 16 + b"".join(payload)


def tsrequest(version, token=None, auth_info=None, pub_key_auth=None, error_code=None, client_nonce=None):
    fields = der(0xA0, der_int(version))
    if token is not None:
        fields += der(0xA1, der(0x30, der(0x30, der(0xA0, der(0x04, token)))))
    if auth_info is not None:
        fields += der(0xA2, der(0x04, auth_info))
    if pub_key_auth is not None:
        fields += der(0xA3, der(0x04, pub_key_auth))
    if error_code is not None:
        fields += der(0xA4, der_int(error_code - (1 << 32) if error_code >= 1 << 31 else error_code))
    if client_nonce is not None:
        fields += der(0xA5, der(0x04, client_nonce))
    return der(0x30, fields)


def credssp_exchange(client_version=6, server_version=6, outcome="ok"):
    """The TSRequests of one NLA exchange as (direction, bytes).

    outcome: "ok" (credentials sent), "mismatch" (the client stops after the server's first
    TSRequest: a patched client meeting an unpatched server), "logon_failure" (errorCode after
    AUTHENTICATE), "not_supported" (a patched server refusing an unpatched client).
    """
    nonce = CLIENT_NONCE if client_version >= 5 else None
    msgs = [(CLIENT, tsrequest(client_version, ntlm_negotiate(), client_nonce=nonce))]
    if outcome == "not_supported":
        return msgs + [(SERVER, tsrequest(server_version, error_code=STATUS_NOT_SUPPORTED))]
    msgs.append((SERVER, tsrequest(server_version, ntlm_challenge())))
    if outcome == "mismatch":
        return msgs
    msgs.append((CLIENT, tsrequest(client_version, ntlm_authenticate(), pub_key_auth=PUB_KEY_AUTH,
                                   client_nonce=nonce)))
    if outcome == "logon_failure":
        return msgs + [(SERVER, tsrequest(server_version, error_code=STATUS_LOGON_FAILURE))]
    msgs.append((SERVER, tsrequest(server_version, pub_key_auth=PUB_KEY_AUTH)))
    msgs.append((CLIENT, tsrequest(client_version, auth_info=AUTH_INFO_MARKER)))
    return msgs


# ---- TLS --------------------------------------------------------------------

TLS_PROFILES = {
    # name: (TLS version, OpenSSL cipher string for TLS <= 1.2)
    "tls13": (ssl.TLSVersion.TLSv1_3, None),
    "tls12-ecdhe-gcm": (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256"),
    "tls12-ecdhe-chacha": (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-CHACHA20-POLY1305"),
    "tls12-rsa-cbc": (ssl.TLSVersion.TLSv1_2, "AES128-SHA256"),
    "tls12-rsa-gcm": (ssl.TLSVersion.TLSv1_2, "AES256-GCM-SHA384"),
}


def tls_conversation(messages, profile="tls13"):
    """Runs a TLS session carrying `messages` ((direction, plaintext) in order).

    Returns (chunks, keylog_text): chunks are (direction, bytes) as they left each side.
    """
    version, ciphers = TLS_PROFILES[profile]
    with tempfile.TemporaryDirectory(prefix="cssp-tls-") as tmp:
        keylog_path = os.path.join(tmp, "keys.log")
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        cctx.keylog_filename = keylog_path
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(SERVER_CERT, SERVER_KEY)
        for ctx in (cctx, sctx):
            ctx.minimum_version = ctx.maximum_version = version
            if ciphers:
                ctx.set_ciphers(ciphers)
        bios = [(ssl.MemoryBIO(), ssl.MemoryBIO()), (ssl.MemoryBIO(), ssl.MemoryBIO())]  # (incoming, outgoing)
        ends = [cctx.wrap_bio(*bios[CLIENT], server_side=False),
                sctx.wrap_bio(*bios[SERVER], server_side=True)]
        chunks = []

        def move(frm):
            data = bios[frm][1].read()
            if data:
                chunks.append((frm, data))
                bios[1 - frm][0].write(data)
            return bool(data)

        def attempt(op):
            """op's result, or None while it waits for the peer's bytes."""
            try:
                return op()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return None

        done = [False, False]
        for _ in range(20):
            moved = False
            for side in (CLIENT, SERVER):
                if not done[side]:
                    done[side] = attempt(lambda: ends[side].do_handshake() or True) is not None
                moved |= move(side)
            if all(done) and not moved:
                break
        if not all(done):
            raise RuntimeError("TLS handshake did not complete")
        received = [b"", b""]
        for direction, plaintext in messages:
            ends[direction].write(plaintext)
            move(direction)
            receiver = 1 - direction
            while True:
                got = attempt(lambda: ends[receiver].read(65536))
                if not got:
                    break
                received[receiver] += got
            move(receiver)  # TLS 1.3 tickets and the like
        with open(keylog_path) as f:
            keylog = f.read()
    sent = [b"".join(p for d, p in messages if d == side) for side in (CLIENT, SERVER)]
    if received[SERVER] != sent[CLIENT] or received[CLIENT] != sent[SERVER]:
        raise RuntimeError("TLS session did not carry the messages")
    return chunks, keylog


# ---- captures ---------------------------------------------------------------

def conversation_frames(chunks, client="192.0.2.10", server="192.0.2.20", cport=50123, sport=3389,
                        linktype=synth.ETHERNET, close=True, mss=1400):
    """Frames of one TCP connection: handshake, the chunks as segments of at most mss bytes, FINs."""
    seq = [1000, 5000]
    addrs = [(client, server, cport, sport), (server, client, sport, cport)]
    segs = []

    def send(side, flags, payload=b""):
        src, dst, sp, dp = addrs[side]
        segs.append((src, dst, synth.tcp(sp, dp, seq[side], seq[1 - side], flags, payload)))
        seq[side] = (seq[side] + len(payload) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    send(CLIENT, 0x02)
    send(SERVER, 0x12)
    send(CLIENT, 0x10)
    for side, data in chunks:
        for i in range(0, len(data), mss):
            send(side, 0x18, data[i:i + mss])
    if close:
        send(CLIENT, 0x11)
        send(SERVER, 0x11)
    return [synth.link(linktype, synth.ip(a, b, s)) for a, b, s in segs]


def rdp_tls_capture(profile="tls13", client_version=6, server_version=6, outcome="ok", protocols=0x3,
                    selected=0x2, **frame_args):
    """(pcap bytes, key-log text) of one RDP connection: X.224, TLS, the CredSSP exchange, FINs."""
    tls_chunks, keylog = tls_conversation(credssp_exchange(client_version, server_version, outcome), profile)
    chunks = [(CLIENT, synth.x224_request(b"robust", protocols)), (SERVER, synth.x224_confirm(0x02, selected))]
    frames = conversation_frames(chunks + tls_chunks, **frame_args)
    return synth.pcap(synth.ETHERNET if "linktype" not in frame_args else frame_args["linktype"], frames), keylog


def keylog_secrets(keylog_text):
    """Every secret of a key log, as lower-case hex (what a leak would look like)."""
    secrets = []
    for line in keylog_text.splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            secrets.append(parts[2].lower())
    return secrets
