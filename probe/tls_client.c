/*
 * tls_client.c - OpenSSL client sessions for credssp-probe (see tls_client.h).
 */
#include "tls_client.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <string.h>

#include "net.h"

#define SUBJECT_MAX 1024 /* bytes of certificate subject kept */

SSL_CTX *tls_client_context(FILE *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
        !SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0")) {
        fprintf(err, "credssp-probe: cannot set up TLS: %s\n", ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_security_level(ctx, 0);
    /* a server that just closes is reported as closing, not as a TLS error (the reply is framed by DER) */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
}

/* The reason of the last OpenSSL error of this thread ("wrong version number", "unexpected eof ..."). */
static const char *tls_reason(char *buf, size_t size)
{
    const char *reason = ERR_reason_error_string(ERR_peek_last_error());
    g_strlcpy(buf, reason ? reason : "unknown TLS error", size);
    return buf;
}

/* Waits for what OpenSSL asks for; false with the error recorded otherwise. */
static bool wait_for(SSL *ssl, int rc, int fd, gint64 deadline, probe_result *r, const char *what)
{
    int e = SSL_get_error(ssl, rc);
    if (e == SSL_ERROR_WANT_READ)
        return net_wait(fd, POLLIN, deadline, r, what);
    if (e == SSL_ERROR_WANT_WRITE)
        return net_wait(fd, POLLOUT, deadline, r, what);
    char reason[160];
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0))
        probe_fail(r, PROBE_ERR_CLOSED, "the server closed the connection while the probe waited for %s", what);
    else
        probe_fail(r, PROBE_ERR_TLS, "TLS failed while waiting for %s: %s", what,
                   tls_reason(reason, sizeof reason));
    ERR_clear_error();
    return false;
}

static char *subject_of(SSL *ssl)
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (!cert)
        return NULL;
    BIO *mem = BIO_new(BIO_s_mem());
    char *subject = NULL;
    /* RFC 2253 with UTF-8 kept (not \XX-escaped); control characters are escaped by OpenSSL */
    if (mem && X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        char *data;
        long len = BIO_get_mem_data(mem, &data);
        subject = g_strndup(data, len > SUBJECT_MAX ? SUBJECT_MAX : (gsize)len);
    }
    BIO_free(mem);
    X509_free(cert);
    return subject;
}

SSL *tls_client_handshake(SSL_CTX *ctx, int fd, gint64 deadline, probe_result *r)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, fd)) {
        probe_fail(r, PROBE_ERR_TLS, "cannot start TLS");
        SSL_free(ssl);
        return NULL;
    }
    int rc;
    while ((rc = SSL_connect(ssl)) != 1)
        if (!wait_for(ssl, rc, fd, deadline, r, "the server's TLS handshake")) {
            SSL_free(ssl);
            return NULL;
        }
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    const char *name = cipher ? SSL_CIPHER_standard_name(cipher) : NULL;
    g_strlcpy(r->tls_cipher, name ? name : "", sizeof r->tls_cipher);
    r->tls_version = (uint16_t)SSL_version(ssl);
    r->certificate_subject = subject_of(ssl);
    cssp_event ev = {.type = CSSP_EV_TLS_HANDSHAKE, .dir = CSSP_FROM_SERVER};
    ev.u.tls.version = r->tls_version;
    ev.u.tls.cipher_suite = cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0;
    cssp_conn_feed(&r->conn, &ev);
    return ssl;
}

bool tls_client_write(SSL *ssl, int fd, const uint8_t *data, size_t len, gint64 deadline, probe_result *r)
{
    int rc;
    while ((rc = SSL_write(ssl, data, (int)len)) <= 0)
        if (!wait_for(ssl, rc, fd, deadline, r, "the connection to accept data"))
            return false;
    return true;
}

size_t tls_client_read(SSL *ssl, int fd, uint8_t *buf, size_t size, gint64 deadline, probe_result *r,
                       const char *what)
{
    int rc;
    while ((rc = SSL_read(ssl, buf, (int)size)) <= 0)
        if (!wait_for(ssl, rc, fd, deadline, r, what))
            return 0;
    return (size_t)rc;
}

void tls_client_close(SSL *ssl)
{
    if (!ssl)
        return;
    SSL_shutdown(ssl); /* one close_notify; the socket is closed next, no answer awaited */
    SSL_free(ssl);
    ERR_clear_error();
}
