/*
 * tls_glue.h - what a conn needs of the TLS layer, and nothing more.
 *
 * Binds the TLS decryption library (tls_session.h, keylog.h, rsa_keys.h) to a
 * conn: it owns the secrets of the run (key logs, RSA keys, pcapng DSBs) and,
 * per connection, turns the two byte streams into the callbacks below, with
 * the packet ordinal of the segment that completed each record.
 */
#ifndef CSSP_ANALYZER_TLS_GLUE_H
#define CSSP_ANALYZER_TLS_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cssp/verdict.h"

typedef struct tls_keys tls_keys;
typedef struct tls_session tls_session;

typedef struct tls_glue_sink {
    void (*handshake)(void *ctx, uint16_t version, uint16_t cipher_suite, uint64_t ref);
    void (*plaintext)(void *ctx, cssp_dir dir, const uint8_t *data, size_t len, uint64_t ref);
    void (*record)(void *ctx, cssp_dir dir, size_t record_len, uint64_t ref);   /* not decrypted */
    void (*alert)(void *ctx, cssp_dir dir, bool encrypted, uint8_t level, uint8_t description, uint64_t ref);
    void (*problem)(void *ctx, const char *problem);                            /* static text */
} tls_glue_sink;

tls_keys *tls_keys_new(void);
void tls_keys_free(tls_keys *keys);
/* Each returns false after printing one line "credssp-analyze: FILE: problem" to diag. */
bool tls_keys_load_keylog(tls_keys *keys, const char *path, FILE *diag);
bool tls_keys_load_rsa(tls_keys *keys, const char *path, FILE *diag);
/* Key-log text from a pcapng Decryption Secrets Block. */
void tls_keys_add_keylog_text(tls_keys *keys, const char *source, const void *text, size_t len, FILE *diag);

tls_session *tls_glue_new(const tls_keys *keys, const tls_glue_sink *sink, void *ctx);
void tls_glue_feed(tls_session *s, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref);
void tls_glue_free(tls_session *s);

/* IANA name of a cipher suite ("TLS_AES_256_GCM_SHA384"), or NULL. */
const char *tls_glue_suite_name(uint16_t suite);

#endif
