/*
 * tls_client.h - the TLS client side of credssp-probe (OpenSSL) on a non-blocking socket, with deadlines.
 *
 * The server's certificate is not verified: RDP servers mostly present self-signed ones, and the probe
 * sends nothing that a false server could misuse. Every TLS version from 1.0 is allowed, at OpenSSL
 * security level 0, so that old (unpatched) servers can be asked too; legacy_tls says when that happened.
 */
#ifndef PROBE_TLS_CLIENT_H
#define PROBE_TLS_CLIENT_H

#include <glib.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* One context for every connection (thread-safe once made); NULL with a message on `err` on failure. */
SSL_CTX *tls_client_context(FILE *err);

/* Handshake over fd; fills r's TLS version, cipher and certificate subject and feeds the engine the TLS event. */
SSL *tls_client_handshake(SSL_CTX *ctx, int fd, gint64 deadline, probe_result *r);

bool tls_client_write(SSL *ssl, int fd, const uint8_t *data, size_t len, gint64 deadline, probe_result *r);

/* Reads up to size bytes (at least one); 0 with the error in r. */
size_t tls_client_read(SSL *ssl, int fd, uint8_t *buf, size_t size, gint64 deadline, probe_result *r,
                       const char *what);

/* Sends close_notify (without waiting for the server's) and frees the session. */
void tls_client_close(SSL *ssl);

#endif
