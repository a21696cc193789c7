/*
 * tls_transcript.h - the handshake hash behind the extended master secret (RFC 7627).
 *
 * session_hash = Hash(handshake messages from ClientHello up to and including
 * ClientKeyExchange). Which Hash is known only after the ServerHello (MD5 ||
 * SHA-1 before TLS 1.2, the PRF hash of the suite in TLS 1.2), so all four
 * candidate digests run until tls_transcript_finish() picks one and frees them.
 */
#ifndef CSSP_TLS_TRANSCRIPT_H
#define CSSP_TLS_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define TLS_TRANSCRIPT_MAX_HASH 48

typedef struct tls_transcript {
    EVP_MD_CTX *md5, *sha1, *sha256, *sha384;
} tls_transcript;

/* Starts all digests; false when OpenSSL cannot (then the transcript stays inactive). */
bool tls_transcript_start(tls_transcript *t);
bool tls_transcript_active(const tls_transcript *t);
void tls_transcript_update(tls_transcript *t, const uint8_t *bytes, size_t len);

/* The session hash for `version` and PRF digest name; frees the digests either way. */
bool tls_transcript_finish(tls_transcript *t, uint16_t version, const char *prf_digest,
                           uint8_t out[TLS_TRANSCRIPT_MAX_HASH], size_t *out_len);

void tls_transcript_clear(tls_transcript *t);

#endif
