#!/usr/bin/python3
"""credssp_client.py - a scripted RDP client that behaves like a Windows client towards CredSSP.

Real TPKT/X.224 (cookie, RDP_NEG_REQ), real TLS (Python's ssl, NSS key log),
DER TSRequests with real NTLMv2 messages (VERSION = the Windows build given).
With --credssp-version 6 and the default --policy mitigated it is a patched
Windows client on "Mitigated" or "Force Updated Clients": when the server's
first TSRequest offers version 2-4 it sends no third TSRequest and ends the
connection the way --refusal says (fin, rst or close_notify). With --policy
vulnerable it falls back to the SubjectPublicKey echo and completes.
--credssp-version 2-4 makes it an unpatched client.
--step-delay sleeps before each TSRequest so that parallel clients interleave.
--gateway HOST:PORT tunnels the connection through an RD Gateway (rdg_client.py): --host and --port are
then the target the gateway is asked for in CHANNEL_CREATE.
Exit status: 0 when CredSSP completed, 2 when it was refused or failed.
"""

import argparse
import os
import sys
import time

import credssp_binding
import rdg_client
import rdp_wire
from ntlm_session import WINDOWS_BUILDS, NtlmClient
from tls_channel import TlsChannel, make_context

REFUSALS = ("fin", "rst", "close_notify")


def log(text):
    print("credssp_client: %s" % text, file=sys.stderr, flush=True)


def leave(tls, how):
    {"fin": tls.close_fin, "rst": tls.close_rst, "close_notify": tls.close_notify}[how]()


def refuses(args, server_version):
    """The client side of the Encryption Oracle Remediation policy (AllowEncryptionOracle)."""
    return args.credssp_version >= 5 and server_version <= 4 and args.policy != "vulnerable"


def run_credssp(tls, args, selected):
    """Returns True when CredSSP completed."""
    own = args.credssp_version
    ntlm = NtlmClient(args.user, args.password, args.domain, args.build)
    time.sleep(args.step_delay)
    tls.send(rdp_wire.encode_tsrequest(own, nego_tokens=[ntlm.negotiate()]))
    second = rdp_wire.decode_tsrequest(tls.recv_der())
    server_version = second["version"]
    if second["error_code"] is not None:
        log("server errorCode 0x%08X (server CredSSP %d)" % (second["error_code"], server_version))
        leave(tls, "close_notify")
        return False
    if refuses(args, server_version):
        # Windows logs LsaSrv event 6041 here: "The remote host offered version N which is not permitted".
        log("server offered CredSSP %d, not permitted by Encryption Oracle Remediation: %s"
            % (server_version, args.refusal))
        leave(tls, args.refusal)
        return False

    effective = min(own, server_version)
    nonce = os.urandom(32) if credssp_binding.uses_hash_binding(effective) else None
    authenticate, sealing = ntlm.authenticate(second["nego_tokens"][0])
    public_key = credssp_binding.subject_public_key(tls.peer_certificate_der())
    pub_key_auth = sealing.seal(credssp_binding.client_binding(effective, public_key, nonce or b""))
    time.sleep(args.step_delay)
    tls.send(rdp_wire.encode_tsrequest(own, nego_tokens=[authenticate], pub_key_auth=pub_key_auth,
                                       client_nonce=nonce))
    fourth = rdp_wire.decode_tsrequest(tls.recv_der())
    if fourth["error_code"] is not None or fourth["pub_key_auth"] is None:
        log("authentication failed: errorCode %s" % (
            "0x%08X" % fourth["error_code"] if fourth["error_code"] is not None else "absent"))
        leave(tls, "close_notify")
        return False
    if sealing.unseal(fourth["pub_key_auth"]) != credssp_binding.server_binding(effective, public_key, nonce or b""):
        raise rdp_wire.ProtocolError("server pubKeyAuth does not bind the TLS key")
    credentials = rdp_wire.encode_ts_password_credentials(args.domain, args.user, args.password)
    time.sleep(args.step_delay)
    tls.send(rdp_wire.encode_tsrequest(own, auth_info=sealing.seal(credentials)))
    if selected == rdp_wire.PROTOCOL_HYBRID_EX:
        result = int.from_bytes(tls.recv_exact(4), "little")
        log("Early User Authorization Result %d" % result)
    log("CredSSP complete (client %d, server %d)" % (own, server_version))
    leave(tls, "close_notify")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3389)
    parser.add_argument("--requested", type=lambda text: int(text, 0), default=0x0B,
                        help="RDP_NEG_REQ requestedProtocols (mstsc: 0x0B)")
    parser.add_argument("--credssp-version", type=int, choices=(2, 3, 4, 5, 6), default=6)
    parser.add_argument("--policy", choices=("mitigated", "force", "vulnerable"), default="mitigated")
    parser.add_argument("--refusal", choices=REFUSALS, default="fin")
    parser.add_argument("--build", choices=sorted(WINDOWS_BUILDS), default="10.0.17763")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--domain", default="")
    parser.add_argument("--keylog")
    parser.add_argument("--max-tls", choices=("1.2", "1.3"))
    parser.add_argument("--ciphers")
    parser.add_argument("--step-delay", type=float, default=0.0)
    parser.add_argument("--gateway", help="HOST:PORT of an RD Gateway to go through")
    parser.add_argument("--gateway-transport", choices=("websocket", "legacy"), default="websocket")
    parser.add_argument("--gateway-password", help="the password of the gateway logon (default: --password)")
    parser.add_argument("--gateway-keylog", help="NSS key log of the TLS sessions with the gateway")
    args = parser.parse_args()

    if args.gateway:
        try:
            sock = rdg_client.open_tunnel(args.gateway, args.host, args.port, args.gateway_transport,
                                          (args.user, args.gateway_password or args.password), args.gateway_keylog)
        except rdg_client.TunnelRefused as refusal:
            log("the RD Gateway refused: %s" % refusal)
            sys.exit(2)
    else:
        sock = rdp_wire.tcp_connect(args.host, args.port)
    sock.sendall(rdp_wire.connection_request(args.requested, args.user))
    negotiation = rdp_wire.parse_negotiation(rdp_wire.read_tpkt(sock), rdp_wire.X224_CONNECTION_CONFIRM)
    if negotiation is None or negotiation[0] != rdp_wire.NEG_RSP or negotiation[2] not in (
            rdp_wire.PROTOCOL_HYBRID, rdp_wire.PROTOCOL_HYBRID_EX):
        log("no CredSSP: negotiation %r" % (negotiation,))
        sock.close()
        sys.exit(2)
    tls = TlsChannel(sock, make_context(False, args.keylog, args.max_tls, args.ciphers), server_side=False)
    tls.handshake()
    log("TLS %s %s" % tls.version_and_cipher())
    sys.exit(0 if run_credssp(tls, args, negotiation[2]) else 2)


if __name__ == "__main__":
    main()
