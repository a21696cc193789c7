"""tls_channel.py - TLS over a TCP socket for the scripted peers, with full control of how it ends.

Python's ssl module runs the TLS (and writes the NSS key log natively through
SSLContext.keylog_filename); the records travel through memory BIOs so that
this file, not the ssl module, decides what reaches the wire when a peer
leaves: a bare FIN, an RST, or a TLS close_notify before the FIN. Those are
the three ways a patched Windows client is seen to drop an unpatched server.
"""

import socket
import ssl
import struct

from rdp_wire import der_total_length

TLS_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def make_context(server_side, keylog=None, max_tls=None, ciphers=None, cert=None, key=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
    if not server_side:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # RDP servers use self-signed certificates
    if cert:
        context.load_cert_chain(cert, key)
    if keylog:
        context.keylog_filename = keylog
    if max_tls:
        context.maximum_version = TLS_VERSIONS[max_tls]
    if ciphers:
        context.set_ciphers(ciphers)
    return context


class TlsChannel:
    def __init__(self, sock, context, server_side):
        self.sock = sock
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._incoming, self._outgoing, server_side=server_side)
        self._plaintext = b""

    def _flush(self):
        data = self._outgoing.read()
        if data:
            self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            self._incoming.write_eof()
            raise EOFError("peer closed the TCP connection")
        self._incoming.write(data)

    def handshake(self):
        while True:
            try:
                self._tls.do_handshake()
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()

    def version_and_cipher(self):
        return self._tls.version(), self._tls.cipher()[0]

    def peer_certificate_der(self):
        return self._tls.getpeercert(binary_form=True)

    def send(self, data):
        """Writes data as one TLS record (MS-CSSP <8>: one whole TSRequest per record)."""
        self._tls.write(data)
        self._flush()

    def _read_more(self):
        while True:
            try:
                data = self._tls.read(65536)
            except ssl.SSLWantReadError:
                self._flush()
                self._fill()
                continue
            except ssl.SSLZeroReturnError as closed:
                raise EOFError("peer sent close_notify") from closed
            if not data:  # the ssl module reports a received close_notify as an empty read
                raise EOFError("peer sent close_notify")
            self._plaintext += data
            return

    def recv_exact(self, count):
        while len(self._plaintext) < count:
            self._read_more()
        data, self._plaintext = self._plaintext[:count], self._plaintext[count:]
        return data

    def recv_der(self):
        """Reads one whole DER element (a TSRequest)."""
        while der_total_length(self._plaintext) is None:
            self._read_more()
        return self.recv_exact(der_total_length(self._plaintext))

    def recv_any(self):
        """Reads whatever application data comes next; EOFError when the peer closes."""
        if not self._plaintext:
            self._read_more()
        data, self._plaintext = self._plaintext, b""
        return data

    # ---- the ways to leave -------------------------------------------------

    def close_fin(self):
        """Drops the TLS session without a close_notify: FIN, then wait for the peer's FIN."""
        self.sock.shutdown(socket.SHUT_WR)
        self._drain_until_peer_closes()
        self.sock.close()

    def close_rst(self):
        """Aborts the TCP connection: SO_LINGER with a zero timeout makes close() send an RST."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close_notify(self):
        """Sends a TLS close_notify alert, then FIN, then waits for the peer's FIN."""
        try:
            self._tls.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass
        self._flush()
        self.sock.shutdown(socket.SHUT_WR)
        self._drain_until_peer_closes()
        self.sock.close()

    def _drain_until_peer_closes(self, timeout=3.0):
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
