/* tls_fixture.c - in-process OpenSSL client/server sessions over memory BIOs (see tls_fixture.h). */
#include "tls_fixture.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define PUMP_ROUNDS 64
#define LARGE_MESSAGE_LEN 40000 /* > 16 KiB: at least three records */

static EVP_PKEY *server_key;
static X509 *server_cert;
static char *server_key_pem;
static GString *capturing_keylog; /* where the key-log callback appends, during one recording */

static bool make_server_identity(void)
{
    if (server_cert)
        return true;
    server_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    server_cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIO *pem = BIO_new(BIO_s_mem());
    bool ok = server_key && server_cert && name && pem &&
              X509_set_version(server_cert, X509_VERSION_3) &&
              ASN1_INTEGER_set(X509_get_serialNumber(server_cert), 1) &&
              X509_gmtime_adj(X509_getm_notBefore(server_cert), -3600) &&
              X509_gmtime_adj(X509_getm_notAfter(server_cert), 86400) &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"cssp-test", -1, -1, 0) &&
              X509_set_subject_name(server_cert, name) && X509_set_issuer_name(server_cert, name) &&
              X509_set_pubkey(server_cert, server_key) && X509_sign(server_cert, server_key, EVP_sha256()) > 0 &&
              PEM_write_bio_PrivateKey(pem, server_key, NULL, NULL, 0, NULL, NULL);
    if (ok) {
        char *data;
        long len = BIO_get_mem_data(pem, &data);
        server_key_pem = g_strndup(data, (gsize)len);
    }
    X509_NAME_free(name);
    BIO_free(pem);
    return ok;
}

const char *tls_fixture_server_key_pem(void)
{
    return make_server_identity() ? server_key_pem : NULL;
}

void tls_fixture_cleanup(void)
{
    EVP_PKEY_free(server_key);
    X509_free(server_cert);
    g_free(server_key_pem);
    server_key = NULL;
    server_cert = NULL;
    server_key_pem = NULL;
}

static void on_keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    if (capturing_keylog)
        g_string_append_printf(capturing_keylog, "%s\n", line);
}

static SSL_CTX *make_ctx(const tls_fixture_options *o, bool server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx)
        return NULL;
    bool ok = SSL_CTX_set_min_proto_version(ctx, o->version) && SSL_CTX_set_max_proto_version(ctx, o->version);
    if (o->security_level_0)
        SSL_CTX_set_security_level(ctx, 0);
    if (o->cipher_list)
        ok = ok && SSL_CTX_set_cipher_list(ctx, o->cipher_list);
    if (o->ciphersuites)
        ok = ok && SSL_CTX_set_ciphersuites(ctx, o->ciphersuites);
    if (o->no_encrypt_then_mac)
        SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
    if (o->no_extended_master_secret)
        SSL_CTX_set_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
    if (o->hello_retry)
        ok = ok && SSL_CTX_set1_groups_list(ctx, server ? "P-256" : "X25519:P-256");
    if (server)
        ok = ok && SSL_CTX_use_certificate(ctx, server_cert) && SSL_CTX_use_PrivateKey(ctx, server_key);
    else
        SSL_CTX_set_keylog_callback(ctx, on_keylog_line);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

typedef struct peer {
    SSL *ssl;
    BIO *in;  /* what the peer reads (network -> ssl) */
    BIO *out; /* what the peer wrote (ssl -> network) */
} peer;

static bool make_peer(peer *p, SSL_CTX *ctx, bool server)
{
    p->ssl = SSL_new(ctx);
    p->in = BIO_new(BIO_s_mem());
    p->out = BIO_new(BIO_s_mem());
    if (!p->ssl || !p->in || !p->out)
        return false;
    SSL_set_bio(p->ssl, p->in, p->out);
    if (server)
        SSL_set_accept_state(p->ssl);
    else
        SSL_set_connect_state(p->ssl);
    return true;
}

/* Moves what `from` wrote to `to`, recording it as one chunk. Returns the byte count. */
static size_t transfer(tls_fixture *f, peer *from, peer *to, int direction)
{
    char *data;
    long len = BIO_get_mem_data(from->out, &data);
    if (len <= 0)
        return 0;
    tls_fixture_chunk chunk = { direction, f->bytes->len, (size_t)len };
    g_byte_array_append(f->bytes, (const guint8 *)data, (guint)len);
    g_array_append_val(f->chunks, chunk);
    BIO_write(to->in, data, (int)len);
    (void)BIO_reset(from->out);
    return (size_t)len;
}

/* Reads whatever application data is available; returns false on a fatal error. */
static bool drain(peer *p, GByteArray *received)
{
    uint8_t buf[4096];
    for (;;) {
        int n = SSL_read(p->ssl, buf, sizeof buf);
        if (n > 0) {
            g_byte_array_append(received, buf, (guint)n);
            continue;
        }
        int err = SSL_get_error(p->ssl, n);
        return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_ZERO_RETURN;
    }
}

static bool handshake(tls_fixture *f, peer *client, peer *server)
{
    for (int round = 0; round < PUMP_ROUNDS; round++) {
        int c = SSL_do_handshake(client->ssl);
        size_t moved = transfer(f, client, server, 0);
        int s = SSL_do_handshake(server->ssl);
        moved += transfer(f, server, client, 1);
        if (c == 1 && s == 1 && moved == 0) {
            f->handshake_chunks = f->chunks->len;
            return true;
        }
    }
    return false;
}

static void fill_pattern(uint8_t *buf, size_t len, unsigned salt)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 31 + salt * 7 + (i >> 8));
}

/* `from` writes one message, it crosses, `to` reads everything available, replies cross back. */
static bool send_message(tls_fixture *f, peer *from, peer *to, int direction, size_t len, unsigned salt,
                         GByteArray *received)
{
    uint8_t *msg = g_malloc(len);
    fill_pattern(msg, len, salt);
    bool ok = SSL_write(from->ssl, msg, (int)len) == (int)len;
    g_byte_array_append(f->sent[direction], msg, (guint)len);
    g_free(msg);
    transfer(f, from, to, direction);
    ok = ok && drain(to, received);
    transfer(f, to, from, 1 - direction);
    GByteArray *ignored = g_byte_array_new();
    ok = ok && drain(from, ignored);
    g_byte_array_unref(ignored);
    return ok;
}

static uint16_t wire_version(const SSL *ssl)
{
    switch (SSL_version(ssl)) {
    case TLS1_VERSION: return 0x0301;
    case TLS1_1_VERSION: return 0x0302;
    case TLS1_2_VERSION: return 0x0303;
    case TLS1_3_VERSION: return 0x0304;
    default: return 0;
    }
}

static bool converse(tls_fixture *f, peer *client, peer *server, const tls_fixture_options *o)
{
    GByteArray *got[2] = { g_byte_array_new(), g_byte_array_new() };
    bool ok = send_message(f, client, server, 0, 120, 1, got[0]) &&
              send_message(f, server, client, 1, 300, 2, got[1]) &&
              send_message(f, client, server, 0, LARGE_MESSAGE_LEN, 3, got[0]) &&
              send_message(f, server, client, 1, LARGE_MESSAGE_LEN / 2, 4, got[1]) &&
              send_message(f, client, server, 0, 1, 5, got[0]);
    if (ok && o->key_update)
        ok = SSL_key_update(client->ssl, SSL_KEY_UPDATE_REQUESTED) == 1;
    ok = ok && send_message(f, client, server, 0, 77, 6, got[0]) &&
         send_message(f, server, client, 1, 66, 7, got[1]);
    /* OpenSSL itself must have received what was sent, or the recording is not worth testing on. */
    for (int d = 0; ok && d < 2; d++)
        ok = got[d]->len == f->sent[d]->len && memcmp(got[d]->data, f->sent[d]->data, got[d]->len) == 0;
    g_byte_array_unref(got[0]);
    g_byte_array_unref(got[1]);
    if (ok) {
        SSL_shutdown(client->ssl);
        transfer(f, client, server, 0);
    }
    return ok;
}

bool tls_fixture_record(const tls_fixture_options *options, tls_fixture *out)
{
    memset(out, 0, sizeof *out);
    out->bytes = g_byte_array_new();
    out->chunks = g_array_new(FALSE, FALSE, sizeof(tls_fixture_chunk));
    out->keylog = g_string_new(NULL);
    out->sent[0] = g_byte_array_new();
    out->sent[1] = g_byte_array_new();
    if (!make_server_identity())
        return false;
    SSL_CTX *client_ctx = make_ctx(options, false);
    SSL_CTX *server_ctx = make_ctx(options, true);
    peer client = { 0 }, server = { 0 };
    capturing_keylog = out->keylog;
    bool ok = client_ctx && server_ctx && make_peer(&client, client_ctx, false) &&
              make_peer(&server, server_ctx, true) && handshake(out, &client, &server) &&
              converse(out, &client, &server, options);
    capturing_keylog = NULL;
    if (ok) {
        out->extended_master_secret = SSL_get_extms_support(client.ssl) == 1;
        out->cipher_id = (uint16_t)(SSL_CIPHER_get_id(SSL_get_current_cipher(client.ssl)) & 0xFFFF);
        out->version = wire_version(client.ssl);
    } else {
        fprintf(stderr, "tls_fixture: recording failed:\n");
        ERR_print_errors_fp(stderr);
    }
    SSL_free(client.ssl);
    SSL_free(server.ssl);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    return ok;
}

void tls_fixture_clear(tls_fixture *fixture)
{
    if (fixture->bytes)
        g_byte_array_unref(fixture->bytes);
    if (fixture->chunks)
        g_array_unref(fixture->chunks);
    if (fixture->keylog)
        g_string_free(fixture->keylog, TRUE);
    for (int d = 0; d < 2; d++) {
        if (fixture->sent[d])
            g_byte_array_unref(fixture->sent[d]);
    }
    memset(fixture, 0, sizeof *fixture);
}
