"""make_captures.py - the plugin tests' own captures, built byte for byte with the standard library.

TLS is real: Python's ssl module runs both peers over memory BIOs and writes an NSS key log, so
tshark decrypts the records exactly as it would a live capture. The TCP/IP framing around the
records is synthetic (IPv4 on Ethernet, real sequence numbers), which lets each case put a TLS
record, or half a TSRequest, in the TCP segment it needs. The RDP and CredSSP encodings come
from samples/peers/rdp_wire.py, the scripted peers' own encoder.

Each case returns the capture, its key log and what the tests expect of it.
"""
import os
import socket
import ssl
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples", "peers"))
import rdp_wire  # noqa: E402  (after the path insertion)

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
CERT = os.path.join(DATA_DIR, "test-server.crt.pem")
KEY = os.path.join(DATA_DIR, "test-server.key.pem")

STATUS_LOGON_FAILURE = 0xC000006D
STATUS_NOT_SUPPORTED = 0xC00000BB
SEC_E_UNSUPPORTED_FUNCTION = 0x80090302
AUTHZ_SUCCESS = b"\0\0\0\0"
NTLM_FLAGS = 0xE2088297

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


# ---- NTLM messages (well-formed, so Wireshark's NTLMSSP dissector shows them without complaint) ----

def _ntlm_version():
    return struct.pack("<BBHBBBB", 10, 0, 17763, 0, 0, 0, 15)


def ntlm_negotiate():
    return b"NTLMSSP\0" + struct.pack("<II", 1, NTLM_FLAGS) + struct.pack("<HHIHHI", 0, 0, 0, 0, 0, 0) + _ntlm_version()


def ntlm_challenge():
    target = "LAB".encode("utf-16le")
    av_pairs = struct.pack("<HH", 2, len(target)) + target + struct.pack("<HH", 0, 0)
    header_len = 56
    return (b"NTLMSSP\0" + struct.pack("<I", 2) + struct.pack("<HHI", len(target), len(target), header_len)
            + struct.pack("<I", NTLM_FLAGS) + bytes(range(8)) + bytes(8)
            + struct.pack("<HHI", len(av_pairs), len(av_pairs), header_len + len(target)) + _ntlm_version()
            + target + av_pairs)


def ntlm_authenticate(user="alice"):
    domain, name, host = "LAB".encode("utf-16le"), user.encode("utf-16le"), "WS1".encode("utf-16le")
    # NTLMv2 response: NTProofStr, then the blob (header, timestamp, client challenge, AV pairs ending in MsvAvEOL)
    nt = bytes(range(16)) + struct.pack("<BBHIQ8sI", 1, 1, 0, 0, 0, bytes(8), 0) + struct.pack("<HH", 0, 0) + bytes(4)
    lm, session_key = bytes(24), bytes(16)
    offset = 88
    fields = b""
    payload = b""
    for blob in (lm, nt, domain, name, host, session_key):
        fields += struct.pack("<HHI", len(blob), len(blob), offset + len(payload))
        payload += blob
    # order on the wire: LM, NT, domain, user, workstation, session key, then flags, version, MIC
    return (b"NTLMSSP\0" + struct.pack("<I", 3) + fields + struct.pack("<I", NTLM_FLAGS) + _ntlm_version()
            + bytes(16) + payload)


# ---- framing ------------------------------------------------------------------------------

def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class TcpFlow:
    """One TCP connection's packets, client first, with consistent sequence numbers."""

    def __init__(self, packets, client_port, server_port, client_ip="10.0.0.1", server_ip="10.0.0.2"):
        self.packets = packets
        self.ends = [(socket.inet_aton(client_ip), client_port), (socket.inet_aton(server_ip), server_port)]
        self.seq = [1000, 5000]

    def _packet(self, from_client, flags, payload=b""):
        me, peer = (0, 1) if from_client else (1, 0)
        (src, sport), (dst, dport) = self.ends[me], self.ends[peer]
        tcp = struct.pack("!HHIIBBHHH", sport, dport, self.seq[me], self.seq[peer] if flags & TCP_ACK else 0,
                          5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp + payload)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), len(self.packets) & 0xFFFF, 0x4000,
                         64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        macs = [b"\x02\0\0\0\0\x01", b"\x02\0\0\0\0\x02"]  # client, server
        ethernet = macs[peer] + macs[me] + b"\x08\x00"
        self.packets.append(ethernet + ip + tcp + payload)
        self.seq[me] = (self.seq[me] + len(payload) + (1 if flags & (TCP_SYN | TCP_FIN) else 0)) & 0xFFFFFFFF

    def open(self):
        self._packet(True, TCP_SYN)
        self._packet(False, TCP_SYN | TCP_ACK)
        self._packet(True, TCP_ACK)

    def send(self, from_client, payload):
        if payload:
            self._packet(from_client, TCP_PSH | TCP_ACK, payload)

    def close(self, from_client, reset=False):
        self._packet(from_client, (TCP_RST if reset else TCP_FIN) | TCP_ACK)
        if not reset:
            self._packet(not from_client, TCP_FIN | TCP_ACK)
            self._packet(from_client, TCP_ACK)


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, packet in enumerate(packets):
            f.write(struct.pack("<IIII", 1700000000 + i // 100, (i % 100) * 10000, len(packet), len(packet)))
            f.write(packet)


class TlsPair:
    """A TLS client and server talking through memory BIOs; every flight is sent on the flow."""

    def __init__(self, flow, keylog, max_version, ciphers=None, min_version=None, split_server_hello=None):
        """split_server_hello=N: the server's first record goes as two, the first with N bytes of its fragment
        (TLS lets a handshake message span records; the handshake transcript does not see records)."""
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(CERT, KEY)
        server_ctx.maximum_version = max_version
        if ciphers:
            server_ctx.set_ciphers(ciphers)
        client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client_ctx.check_hostname = False
        client_ctx.verify_mode = ssl.CERT_NONE
        client_ctx.keylog_filename = keylog
        for ctx in (server_ctx, client_ctx) if min_version else ():
            ctx.minimum_version = min_version
            ctx.maximum_version = max_version
            ctx.set_ciphers(ciphers + ":@SECLEVEL=0")  # OpenSSL 3 allows TLS before 1.2 only at level 0
        self.split_server_hello = split_server_hello
        self.flow = flow
        self.bios = [(ssl.MemoryBIO(), ssl.MemoryBIO()), (ssl.MemoryBIO(), ssl.MemoryBIO())]  # (in, out)
        self.ends = [client_ctx.wrap_bio(*self.bios[0], server_side=False),
                     server_ctx.wrap_bio(*self.bios[1], server_side=True)]

    def _flush(self, side):
        data = self.bios[side][1].read()
        if data and side == 1 and self.split_server_hello:
            at, self.split_server_hello = self.split_server_hello, None
            content_type, version, length = struct.unpack(">BHH", data[:5])
            fragment, rest = data[5:5 + length], data[5 + length:]
            for piece in (fragment[:at], fragment[at:]):
                record = struct.pack(">BHH", content_type, version, len(piece)) + piece
                self.flow.send(False, record)
                self.bios[0][0].write(record)
            data = rest
        if data:
            self.flow.send(side == 0, data)
            self.bios[1 - side][0].write(data)

    def _pump(self, side):
        try:
            self.ends[side].read(65536)
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            pass
        self._flush(side)

    def handshake(self):
        done = [False, False]
        while not all(done):
            for side in (0, 1):
                if not done[side]:
                    try:
                        self.ends[side].do_handshake()
                        done[side] = True
                    except ssl.SSLWantReadError:
                        pass
                self._flush(side)
        self._pump(1)  # TLS 1.3 session tickets
        self._pump(0)

    def records(self, from_client, *parts):
        """Writes each part as its own TLS record; returns the record bytes without sending them."""
        side = 0 if from_client else 1
        out = []
        for part in parts:
            self.ends[side].write(part)
            data = self.bios[side][1].read()
            self.bios[1 - side][0].write(data)
            out.append(data)
        self._pump(1 - side)
        return out

    def send(self, from_client, data):
        for record in self.records(from_client, data):
            self.flow.send(from_client, record)

    def close_notify(self, from_client):
        side = 0 if from_client else 1
        try:
            self.ends[side].unwrap()
        except ssl.SSLWantReadError:
            pass
        self._flush(side)


# ---- the cases ---------------------------------------------------------------------------

def case_tls12_split(directory):
    """Complete v6 exchange over TLS 1.2 GCM on 3389; two TSRequests each split over two records and segments."""
    name = "tls12-split"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50001, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "alice"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    tls.handshake()
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()]))
    tls.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_challenge()]))
    authenticate = rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_authenticate()], pub_key_auth=bytes(range(64)),
                                             client_nonce=bytes(32))
    cut = len(authenticate) * 2 // 5
    for record in tls.records(True, authenticate[:cut], authenticate[cut:]):
        flow.send(True, record)
    tls.send(False, rdp_wire.encode_tsrequest(6, pub_key_auth=bytes(range(1, 65))))
    credentials = rdp_wire.encode_tsrequest(6, auth_info=bytes(range(90)))
    for record in tls.records(True, credentials[:2], credentials[2:]):  # cut inside the DER header
        flow.send(True, record)
    tls.send(False, AUTHZ_SUCCESS)
    tls.send(True, bytes.fromhex("0300000802f08000"))  # an X.224 Data TPDU: RDP goes on after CredSSP
    tls.close_notify(True)
    flow.close(True)
    return name, packets, keylog, {
        "verdict": "ok", "client_version": 6, "server_version": 6, "split_tsrequests": 2, "tsrequests": 5,
        "early_auth": "AUTHZ_SUCCESS", "experts": [], "port": 3389}


def case_tls10_split_hello(directory):
    """Complete v6 exchange over TLS 1.0 whose ServerHello spans two records (and segments): legacy_tls is found
    with and without keys, the TLS version read from the ServerHello as the analyzer reads it."""
    name = "tls10-split-server-hello"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50010, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "alice"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1, "ECDHE-RSA-AES128-SHA", min_version=ssl.TLSVersion.TLSv1,
                  split_server_hello=20)  # 4 bytes of handshake header, 16 of the ServerHello's body
    tls.handshake()
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()]))
    tls.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_challenge()]))
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_authenticate()], pub_key_auth=bytes(range(64)),
                                             client_nonce=bytes(32)))
    tls.send(False, rdp_wire.encode_tsrequest(6, pub_key_auth=bytes(range(1, 65))))
    tls.send(True, rdp_wire.encode_tsrequest(6, auth_info=bytes(range(90))))
    tls.send(False, AUTHZ_SUCCESS)
    return name, packets, keylog, {
        "verdict": "ok", "client_version": 6, "server_version": 6, "tsrequests": 5, "early_auth": "AUTHZ_SUCCESS",
        "experts": [], "port": 3389, "findings_without_keys": ["legacy_tls"]}


def case_tls13_mismatch(directory):
    """Patched client (v6) leaves an unpatched server (v3) with a FIN, TLS 1.3, port 33389."""
    name = "tls13-mismatch-port33389"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50002, 33389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "alice"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1_3)
    tls.handshake()
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()]))
    tls.send(False, rdp_wire.encode_tsrequest(3, nego_tokens=[ntlm_challenge()]))
    flow.close(True)
    return name, packets, keylog, {
        "verdict": "version_mismatch", "client_version": 6, "server_version": 3, "tsrequests": 2, "port": 33389,
        "experts": ["cssp.server_version.refused", "cssp.version_mismatch"]}


def case_clear_rejected(directory):
    """CredSSP in clear (TLS-stripping proxy), port 18745: an unpatched v2 client refused with STATUS_NOT_SUPPORTED."""
    name = "clear-rejected-port18745"
    packets = []
    flow = TcpFlow(packets, 50003, 18745)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x03, "bob"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID))
    negotiate = rdp_wire.encode_tsrequest(2, nego_tokens=[ntlm_negotiate()])
    flow.send(True, negotiate[:10])  # the TSRequest spans two TCP segments
    flow.send(True, negotiate[10:])
    flow.send(False, rdp_wire.encode_tsrequest(6, error_code=STATUS_NOT_SUPPORTED))
    flow.close(False)
    return name, packets, None, {
        "verdict": "rejected_unpatched_client", "client_version": 2, "server_version": 6, "tsrequests": 2,
        "split_tsrequests": 1, "port": 18745, "error_code": STATUS_NOT_SUPPORTED,
        "experts": ["cssp.client_version.unpatched", "cssp.rejected_unpatched_client", "cssp.error_code.note"]}


def case_clear_fields(directory):
    """In clear on 3389: clientNonce in v4, a client changing 4 -> 5, errorCode in a v2 TSRequest."""
    name = "clear-fields"
    packets = []
    flow = TcpFlow(packets, 50004, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "carol"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    flow.send(True, rdp_wire.encode_tsrequest(4, nego_tokens=[ntlm_negotiate()], client_nonce=bytes(32)))
    flow.send(False, rdp_wire.encode_tsrequest(2, nego_tokens=[ntlm_challenge()]))
    flow.send(True, rdp_wire.encode_tsrequest(5, nego_tokens=[ntlm_authenticate("carol")], pub_key_auth=bytes(300)))
    flow.send(False, rdp_wire.encode_tsrequest(2, error_code=STATUS_LOGON_FAILURE))
    flow.close(False)
    return name, packets, None, {
        "verdict": "auth_failed", "client_version": 4, "server_version": 2, "tsrequests": 4, "port": 3389,
        "error_code": STATUS_LOGON_FAILURE,
        "experts": ["cssp.client_version.unpatched", "cssp.field_version", "cssp.version.changed",
                    "cssp.error_code.note"]}


def case_negotiation(directory):
    """Two connections on 3389: SSL selected (no NLA, then RDP inside TLS), and RDP_NEG_FAILURE 5."""
    name = "negotiation"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50005, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x01, "dave"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_SSL))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    tls.handshake()
    tls.send(True, bytes.fromhex("0300000802f08000"))
    flow.close(True)
    second = TcpFlow(packets, 50006, 3389)
    second.open()
    second.send(True, rdp_wire.connection_request(0x01, "erin"))
    second.send(False, rdp_wire.connection_confirm_failure(rdp_wire.HYBRID_REQUIRED_BY_SERVER))
    second.close(False)
    return name, packets, keylog, {
        "verdicts": ["no_nla", "negotiation_failed"], "tsrequests": 0, "port": 3389,
        "experts": ["cssp.nla_not_negotiated", "cssp.neg_failure.note"]}


def case_clear_access_denied(directory):
    """In clear on 3389: a complete v6 exchange, then the Early User Authorization Result AUTHZ_ACCESS_DENIED."""
    name = "clear-access-denied"
    packets = []
    flow = TcpFlow(packets, 50007, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "frank"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    flow.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()]))
    flow.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_challenge()]))
    flow.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_authenticate("frank")], pub_key_auth=bytes(64),
                                              client_nonce=bytes(32)))
    flow.send(False, rdp_wire.encode_tsrequest(6, pub_key_auth=bytes(64)))
    flow.send(True, rdp_wire.encode_tsrequest(6, auth_info=bytes(90)))
    flow.send(False, struct.pack("<I", 5))
    flow.close(False)
    return name, packets, None, {
        "verdict": "auth_failed", "client_version": 6, "server_version": 6, "tsrequests": 5, "port": 3389,
        "early_auth": "AUTHZ_ACCESS_DENIED", "experts": ["cssp.early_auth_result.denied"]}


def case_hostile(directory):
    """In clear on 3389: a TSRequest whose inner length overruns it, a 4 GiB DER length, a TSRequest cut by the end."""
    name = "hostile"
    packets = []
    flow = TcpFlow(packets, 50008, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "mallory"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    flow.send(True, bytes.fromhex("300aa003020106a10930070000"))  # [1] claims 9 bytes, 3 follow
    flow.send(False, bytes.fromhex("3084ffffffff0000"))             # a 4 GiB SEQUENCE: not CredSSP, left to TPKT
    flow.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()])[:20])  # the capture ends inside
    return name, packets, None, {"verdict": "incomplete", "tsrequests": 1, "port": 3389, "malformed": True,
                                 "experts": ["cssp.malformed"]}


def case_tls12_ntlm_refused(directory):
    """The look-alike: v6 on both sides, NTLM, and the server's SEC_E_UNSUPPORTED_FUNCTION after AUTHENTICATE."""
    name = "tls12-ntlm-refused"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50008, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "alice"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    tls.handshake()
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_negotiate()]))
    tls.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_challenge()]))
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ntlm_authenticate()], pub_key_auth=bytes(range(64)),
                                             client_nonce=bytes(32)))
    tls.send(False, rdp_wire.encode_tsrequest(6, error_code=SEC_E_UNSUPPORTED_FUNCTION))
    flow.close(False)
    return name, packets, keylog, {
        "verdict": "auth_failed", "client_version": 6, "server_version": 6, "tsrequests": 4, "port": 3389,
        "error_code": SEC_E_UNSUPPORTED_FUNCTION, "auth_package": "ntlm", "cause": "ntlm_refused",
        "experts": ["cssp.error_code.note", "cssp.auth_failed"]}


def kerberos_tokens():
    """SPNEGO with Kerberos user-to-user as mstsc sends it in a domain (RFC 4178, RFC 4120, the U2U draft).

    Returns the client's NegTokenInit (KERB-TGT-REQUEST) and NegTokenResp (AP-REQ) and the server's NegTokenResps
    (KERB-TGT-REPLY with a 1,200-byte ticket, like a TGT with its PAC; AP-REP).
    """
    der, integer = rdp_wire.der, rdp_wire.der_integer
    u2u, krb5 = bytes.fromhex("2a864886f71201020203"), bytes.fromhex("2a864882f712010202")

    def oid(value):
        return der(0x06, value)

    def string(text):
        return der(0x1B, text.encode())

    def principal(*names):
        return der(0x30, der(0xA0, integer(2)) + der(0xA1, der(0x30, b"".join(map(string, names)))))

    def ticket(service, host, cipher_len):
        enc = der(0x30, der(0xA0, integer(18)) + der(0xA2, der(0x04, bytes(cipher_len))))
        return der(0x61, der(0x30, der(0xA0, integer(5)) + der(0xA1, string("EXAMPLE.TEST")) +
                              der(0xA2, principal(service, host)) + der(0xA3, enc)))

    def gss(tok, message):
        return der(0x60, oid(u2u) + tok + message)

    tgt_req = gss(b"\x04\x00", der(0x30, der(0xA0, integer(5)) + der(0xA1, integer(16)) +
                                     der(0xA2, principal("TERMSRV", "rds1.example.test"))))
    tgt_rep = gss(b"\x04\x01", der(0x30, der(0xA0, integer(5)) + der(0xA1, integer(17)) +
                                     der(0xA2, ticket("krbtgt", "EXAMPLE.TEST", 1200))))
    ap_options = der(0x03, bytes.fromhex("0060000000"))  # use-session-key, mutual-required
    ap_req = gss(b"\x01\x00", der(0x6E, der(0x30, der(0xA0, integer(5)) + der(0xA1, integer(14)) +
                                               der(0xA2, ap_options) +
                                               der(0xA3, ticket("TERMSRV", "rds1.example.test", 1100)) +
                                               der(0xA4, der(0x30, der(0xA0, integer(18)) +
                                                                 der(0xA2, der(0x04, bytes(300))))))))
    ap_rep = gss(b"\x02\x00", der(0x6F, der(0x30, der(0xA0, integer(5)) + der(0xA1, integer(15)) +
                                               der(0xA2, der(0x30, der(0xA0, integer(18)) +
                                                                 der(0xA2, der(0x04, bytes(100))))))))
    init = der(0x60, oid(bytes.fromhex("2b0601050502")) + der(0xA0, der(0x30, der(0xA0, der(0x30, oid(krb5))) +
                                                                        der(0xA2, der(0x04, tgt_req)))))

    def resp(token):
        return der(0xA1, der(0x30, der(0xA0, der(0x0A, b"\x01")) + der(0xA2, der(0x04, token))))

    return init, resp(tgt_rep), resp(ap_req), resp(ap_rep)


def case_tls12_kerberos_u2u(directory):
    """Kerberos user-to-user over TLS 1.2: pubKeyAuth in the client's third TSRequest; without keys, by its shape."""
    name = "tls12-kerberos-u2u"
    packets, keylog = [], os.path.join(directory, name + ".keys")
    flow = TcpFlow(packets, 50009, 3389)
    flow.open()
    flow.send(True, rdp_wire.connection_request(0x0B, "alice"))
    flow.send(False, rdp_wire.connection_confirm(rdp_wire.PROTOCOL_HYBRID_EX))
    tls = TlsPair(flow, keylog, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    tls.handshake()
    init, tgt_rep, ap_req, ap_rep = kerberos_tokens()
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[init]))
    tls.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[tgt_rep]))
    tls.send(True, rdp_wire.encode_tsrequest(6, nego_tokens=[ap_req]))
    tls.send(False, rdp_wire.encode_tsrequest(6, nego_tokens=[ap_rep]))
    tls.send(True, rdp_wire.encode_tsrequest(6, pub_key_auth=bytes(range(64)), client_nonce=bytes(32)))
    tls.send(False, rdp_wire.encode_tsrequest(6, pub_key_auth=bytes(range(1, 65))))
    tls.send(True, rdp_wire.encode_tsrequest(6, auth_info=bytes(range(90))))
    tls.send(False, AUTHZ_SUCCESS)
    tls.send(True, bytes.fromhex("0300000802f08000"))
    tls.close_notify(True)
    flow.close(True)
    return name, packets, keylog, {
        "verdict": "ok", "client_version": 6, "server_version": 6, "tsrequests": 7, "port": 3389,
        "early_auth": "AUTHZ_SUCCESS", "auth_package": "kerberos", "experts": []}


CASES = (case_tls12_split, case_tls10_split_hello, case_tls13_mismatch, case_clear_rejected, case_clear_fields, case_negotiation,
         case_clear_access_denied, case_hostile, case_tls12_ntlm_refused, case_tls12_kerberos_u2u)


def build_all(directory):
    """Writes every case's capture (and key log) into directory; returns [(name, pcap, keylog, expected)]."""
    built = []
    for case in CASES:
        name, packets, keylog, expected = case(directory)
        pcap = os.path.join(directory, name + ".pcap")
        write_pcap(pcap, packets)
        built.append((name, pcap, keylog, expected))
    return built


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, pcap, keylog, _ in build_all(out):
        print(pcap, keylog or "")
