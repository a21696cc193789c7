/*
 * tls_glue.h - what a conn needs of the TLS layer, and nothing more.
 *
 * Binds the TLS decryption library (tls_session.h, keylog.h, rsa_keys.h) to
 * the analyzer: `secrets` holds every secret of the run (key logs, RSA keys,
 * pcapng Decryption Secrets Blocks); a tls_glue follows one connection's TLS
 * and turns its events into the callbacks below, each with the ordinal of the
 * packet whose bytes completed the record.
 */
#ifndef CSSP_ANALYZER_TLS_GLUE_H
#define CSSP_ANALYZER_TLS_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cssp/verdict.h"

typedef struct secrets secrets;
typedef struct tls_glue tls_glue;

typedef struct tls_glue_sink {
    void (*handshake)(void *ctx, uint16_t version, uint16_t cipher_suite, uint64_t ref);
    void (*plaintext)(void *ctx, cssp_dir dir, const uint8_t *data, size_t len, uint64_t ref);
    void (*record)(void *ctx, cssp_dir dir, size_t record_len, uint64_t ref);   /* not decrypted */
    void (*alert)(void *ctx, cssp_dir dir, bool encrypted, uint8_t level, uint8_t description, uint64_t ref);
    void (*problem)(void *ctx, const char *problem);                            /* static text */
} tls_glue_sink;

secrets *secrets_new(void);
void secrets_free(secrets *s);
/* Key-log secrets that were not kept because the key logs passed their memory budget (keylog.h). */
size_t secrets_over_budget(const secrets *s);
/* Each returns false after printing one line "FILE: problem" (or "FILE:LINE: problem") to diag. */
bool secrets_load_keylog(secrets *s, const char *path, FILE *diag);
bool secrets_load_rsa(secrets *s, const char *path, FILE *diag);
/* Key-log text from a pcapng Decryption Secrets Block. */
void secrets_add_keylog_text(secrets *s, const char *source, const void *text, size_t len, FILE *diag);

tls_glue *tls_glue_new(const secrets *keys, const tls_glue_sink *sink, void *ctx);
void tls_glue_feed(tls_glue *g, cssp_dir dir, const uint8_t *bytes, size_t len, uint64_t ref);
/* Bytes are missing from this direction: it is no longer parsed. */
void tls_glue_gap(tls_glue *g, cssp_dir dir);
void tls_glue_free(tls_glue *g);
/* Bytes held for this connection's TLS (tls_session_held_bytes), for the analysis's memory budget. */
size_t tls_glue_held_bytes(const tls_glue *g);

#endif
