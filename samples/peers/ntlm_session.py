"""ntlm_session.py - real NTLMv2 messages and NTLM sealing for the scripted CredSSP peers.

The messages come from impacket's ntlm module ([MS-NLMP]); this file adds what
impacket leaves to its callers: the VERSION structure that names the peer's
Windows build, the server side (CHALLENGE, checking an AUTHENTICATE), and the
sealing state of both directions ([MS-NLMP] 3.4.3 with key exchange), so that
pubKeyAuth and authInfo are encrypted exactly as a Windows peer does.
"""

import calendar
import hashlib
import hmac
import os
import struct
import time

from Cryptodome.Cipher import ARC4
from impacket import ntlm

WINDOWS_BUILDS = {
    "6.1.7601": (6, 1, 7601),      # Windows 7 / Server 2008 R2
    "6.3.9600": (6, 3, 9600),      # Windows 8.1 / Server 2012 R2
    "10.0.14393": (10, 0, 14393),  # Windows 10 1607 / Server 2016
    "10.0.17763": (10, 0, 17763),  # Windows 10 1809 / Server 2019
}


def version_structure(build):
    major, minor, number = WINDOWS_BUILDS[build]
    return struct.pack("<BBH3sB", major, minor, number, b"\0\0\0", ntlm.VERSION.NTLMSSP_REVISION_W2K3)


def _security_buffer(message, offset):
    """The payload a (length, max length, offset) field at offset points to; ValueError when out of bounds."""
    length, _, start = struct.unpack("<HHI", message[offset:offset + 8])
    if start + length > len(message):
        raise ValueError("NTLM field points outside the message")
    return message[start:start + length]


class Sealing:
    """NTLM2 session security for one connection: seal/unseal with sequence numbers per direction."""

    def __init__(self, flags, exported_session_key, is_client):
        mine, theirs = ("Client", "Server") if is_client else ("Server", "Client")
        self._flags = flags
        self._sign_key = ntlm.SIGNKEY(flags, exported_session_key, mine)
        self._verify_key = ntlm.SIGNKEY(flags, exported_session_key, theirs)
        self._seal = ARC4.new(ntlm.SEALKEY(flags, exported_session_key, mine)).encrypt
        self._unseal = ARC4.new(ntlm.SEALKEY(flags, exported_session_key, theirs)).decrypt
        self._send_seq = 0
        self._recv_seq = 0

    def seal(self, plaintext):
        """Returns signature (16 bytes) || ciphertext, the layout of pubKeyAuth and authInfo."""
        ciphertext, signature = ntlm.SEAL(self._flags, self._sign_key, None, plaintext, plaintext,
                                          self._send_seq, self._seal)
        self._send_seq += 1
        return signature.getData() + ciphertext

    def unseal(self, sealed):
        """Decrypts signature || ciphertext and checks the signature; raises ValueError when it is wrong."""
        if len(sealed) < 16:
            raise ValueError("sealed message shorter than its signature")
        signature, ciphertext = sealed[:16], sealed[16:]
        plaintext = self._unseal(ciphertext)
        checksum = signature[4:12]
        if self._flags & ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH:
            checksum = self._unseal(checksum)
        expected = hmac.new(self._verify_key, struct.pack("<I", self._recv_seq) + plaintext, hashlib.md5).digest()[:8]
        if checksum != expected or struct.unpack("<I", signature[12:16])[0] != self._recv_seq:
            raise ValueError("NTLM signature does not verify")
        self._recv_seq += 1
        return plaintext


class NtlmClient:
    """The initiator: NEGOTIATE, then AUTHENTICATE for the server's CHALLENGE."""

    def __init__(self, user, password, domain, build):
        self._user, self._password, self._domain = user, password, domain
        self._version = version_structure(build)
        self._negotiate = ntlm.getNTLMSSPType1("", "", signingRequired=True, use_ntlmv2=True)
        self._negotiate["os_version"] = self._version

    def negotiate(self):
        return self._negotiate.getData()

    def authenticate(self, challenge):
        """Returns (AUTHENTICATE bytes, Sealing)."""
        message, session_key = ntlm.getNTLMSSPType3(self._negotiate, challenge, self._user, self._password,
                                                    self._domain, use_ntlmv2=True)
        if message["flags"] & ntlm.NTLMSSP_NEGOTIATE_VERSION:
            message["Version"] = self._version
            message["MIC"] = b"\0" * 16  # no MsvAvFlags MIC bit is sent, so the MIC is not checked
        return message.getData(), Sealing(message["flags"], session_key, is_client=True)


class NtlmServer:
    """The acceptor: CHALLENGE for a NEGOTIATE, then checks the AUTHENTICATE against one account."""

    SERVER_FLAGS = (ntlm.NTLMSSP_NEGOTIATE_56 | ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH | ntlm.NTLMSSP_NEGOTIATE_128
                    | ntlm.NTLMSSP_NEGOTIATE_VERSION | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO
                    | ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | ntlm.NTLMSSP_TARGET_TYPE_DOMAIN
                    | ntlm.NTLMSSP_NEGOTIATE_ALWAYS_SIGN | ntlm.NTLMSSP_NEGOTIATE_NTLM | ntlm.NTLMSSP_NEGOTIATE_SEAL
                    | ntlm.NTLMSSP_NEGOTIATE_SIGN | ntlm.NTLMSSP_REQUEST_TARGET | ntlm.NTLMSSP_NEGOTIATE_UNICODE)

    def __init__(self, user, password, netbios_domain, computer, build):
        self._user, self._password = user, password
        self._netbios_domain, self._computer = netbios_domain, computer
        self._version = version_structure(build)
        self._server_challenge = os.urandom(8)

    def challenge(self, negotiate):
        if negotiate[:8] != b"NTLMSSP\0" or struct.unpack("<I", negotiate[8:12])[0] != 1:
            raise ValueError("not an NTLM NEGOTIATE message")
        client_flags = struct.unpack("<I", negotiate[12:16])[0]
        dns_domain = self._netbios_domain.lower() + ".test"
        pairs = ntlm.AV_PAIRS()
        pairs[ntlm.NTLMSSP_AV_DOMAINNAME] = self._netbios_domain.encode("utf-16le")
        pairs[ntlm.NTLMSSP_AV_HOSTNAME] = self._computer.encode("utf-16le")
        pairs[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = dns_domain.encode("utf-16le")
        pairs[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = ("%s.%s" % (self._computer.lower(), dns_domain)).encode("utf-16le")
        pairs[ntlm.NTLMSSP_AV_DNS_TREENAME] = dns_domain.encode("utf-16le")
        filetime = 116444736000000000 + calendar.timegm(time.gmtime()) * 10000000
        pairs[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", filetime)
        target_info = pairs.getData()
        domain_name = self._netbios_domain.encode("utf-16le")

        message = ntlm.NTLMAuthChallenge()
        message["flags"] = self.SERVER_FLAGS & (client_flags | ntlm.NTLMSSP_NEGOTIATE_VERSION
                                                | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO | ntlm.NTLMSSP_TARGET_TYPE_DOMAIN)
        message["challenge"] = self._server_challenge
        message["domain_len"] = message["domain_max_len"] = len(domain_name)
        message["domain_offset"] = 56
        message["domain_name"] = domain_name
        message["TargetInfoFields_len"] = message["TargetInfoFields_max_len"] = len(target_info)
        message["TargetInfoFields_offset"] = 56 + len(domain_name)
        message["TargetInfoFields"] = target_info
        message["Version"] = self._version
        message["VersionLen"] = 8
        return message.getData()

    def authenticate(self, message_bytes):
        """Returns (user name, Sealing), or (user name, None) when the NTLMv2 response is wrong."""
        if message_bytes[:8] != b"NTLMSSP\0" or len(message_bytes) < 64:
            raise ValueError("not an NTLM AUTHENTICATE message")
        nt_response = _security_buffer(message_bytes, 20)
        domain = _security_buffer(message_bytes, 28).decode("utf-16le")
        user = _security_buffer(message_bytes, 36).decode("utf-16le")
        encrypted_session_key = _security_buffer(message_bytes, 52)
        flags = struct.unpack("<I", message_bytes[60:64])[0]
        if user.upper() != self._user.upper() or len(nt_response) < 16 + 28:
            return user, None
        response_key = ntlm.NTOWFv2(user, self._password, domain)
        proof = ntlm.hmac_md5(response_key, self._server_challenge + nt_response[16:])
        if not hmac.compare_digest(proof, nt_response[:16]):
            return user, None
        key_exchange_key = ntlm.hmac_md5(response_key, proof)
        if flags & ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH:
            session_key = ARC4.new(key_exchange_key).decrypt(encrypted_session_key)
        else:
            session_key = key_exchange_key
        return user, Sealing(flags, session_key, is_client=False)
