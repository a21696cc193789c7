"""credssp_binding.py - what pubKeyAuth binds the CredSSP exchange to ([MS-CSSP] 3.1.5).

Versions 2-4 encrypt the server's SubjectPublicKey itself (the server answers
with its first byte plus one); versions 5 and 6, the CVE-2018-0886 fix, encrypt
a SHA-256 over a magic string, the client's 32-byte nonce and the key.
"""

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization

CLIENT_MAGIC = b"CredSSP Client-To-Server Binding Hash\0"
SERVER_MAGIC = b"CredSSP Server-To-Client Binding Hash\0"


def subject_public_key(certificate_der):
    """The content of the certificate's subjectPublicKey BIT STRING (an RSAPublicKey for RSA)."""
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def certificate_file_der(path):
    with open(path, "rb") as pem:
        return x509.load_pem_x509_certificate(pem.read()).public_bytes(serialization.Encoding.DER)


def uses_hash_binding(effective_version):
    return effective_version >= 5


def client_binding(effective_version, public_key, nonce):
    if uses_hash_binding(effective_version):
        return hashlib.sha256(CLIENT_MAGIC + nonce + public_key).digest()
    return public_key


def server_binding(effective_version, public_key, nonce):
    if uses_hash_binding(effective_version):
        return hashlib.sha256(SERVER_MAGIC + nonce + public_key).digest()
    echo = bytearray(public_key)
    echo[0] = (echo[0] + 1) & 0xFF
    return bytes(echo)
