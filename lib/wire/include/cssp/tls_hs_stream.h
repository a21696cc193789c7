/*
 * tls_hs_stream.h - cuts one direction's handshake bytes into handshake messages.
 *
 * Handshake messages may span records and records may hold several messages,
 * so the bytes of successive handshake records (plaintext or decrypted) are
 * fed here in order. Every byte is passed on to `on_bytes` when there is one (for
 * transcript hashing), message by message; each complete
 * message is passed to `on_message`, with its body when its type is one the
 * caller keeps and the body is at most TLS_HS_MAX_KEPT_BODY bytes, else with
 * body NULL (a Certificate chain is never buffered). Memory is one header and
 * at most one kept body, and only while that body is split across calls.
 */
#ifndef CSSP_TLS_HS_STREAM_H
#define CSSP_TLS_HS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cssp/tls_handshake.h"

#define TLS_HS_MAX_KEPT_BODY 65536

typedef struct tls_hs_sink {
    bool (*keeps)(uint8_t type);
    void (*on_bytes)(void *user, const uint8_t *bytes, size_t len);
    void (*on_message)(void *user, uint8_t type, const uint8_t *body, size_t len);
    void *user;
} tls_hs_sink;

typedef struct tls_hs_stream {
    uint8_t header[TLS_HANDSHAKE_HEADER_LEN];
    size_t header_len;
    uint8_t type;        /* from the header, once it is complete */
    size_t body_len;
    size_t body_seen;
    bool keep;           /* the message's body goes to on_message */
    uint8_t *body;       /* a kept body split across calls, being assembled */
} tls_hs_stream;

void tls_hs_stream_feed(tls_hs_stream *hs, const uint8_t *bytes, size_t len, const tls_hs_sink *sink);

/* Frees the kept body and forgets a message in progress. */
void tls_hs_stream_reset(tls_hs_stream *hs);

#endif
