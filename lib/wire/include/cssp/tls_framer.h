/*
 * tls_framer.h - cuts one direction's TCP byte stream into TLS records.
 *
 * Bytes come in any split; each complete record goes to the callback with its
 * 5-byte header and fragment. Only a record split across calls is buffered, at
 * most TLS_MAX_RECORD_LEN bytes. A header that cannot start a TLS record (a
 * content type outside 20..24, a version other than 3.x with x <= 4, a length
 * over TLS_MAX_RECORD_LEN) is a framing error: the stream cannot be followed
 * any further.
 */
#ifndef CSSP_TLS_FRAMER_H
#define CSSP_TLS_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The record content types (RFC 8446 5.1; heartbeat, RFC 6520). */
typedef enum tls_content_type {
    TLS_CONTENT_CHANGE_CIPHER_SPEC = 20,
    TLS_CONTENT_ALERT = 21,
    TLS_CONTENT_HANDSHAKE = 22,
    TLS_CONTENT_APPLICATION_DATA = 23,
    TLS_CONTENT_HEARTBEAT = 24
} tls_content_type;

#define TLS_RECORD_HEADER_LEN 5
#define TLS_MAX_RECORD_LEN (16384 + 2048) /* TLSCiphertext.length limit (RFC 5246 6.2.3) */

/* A record's header, read once by the framer; `bytes` as they came, for what authenticates them (TLS 1.3's
 * additional data). */
typedef struct tls_record_header {
    uint8_t content_type;
    uint16_t version;
    uint16_t length;      /* of the fragment */
    uint8_t bytes[TLS_RECORD_HEADER_LEN];
} tls_record_header;

/* Reads the five bytes of a record header (always succeeds: every field is a whole byte or two). */
void tls_record_header_read(const uint8_t bytes[TLS_RECORD_HEADER_LEN], tls_record_header *out);

typedef struct tls_framer {
    uint8_t header_bytes[TLS_RECORD_HEADER_LEN];
    size_t header_len;
    tls_record_header header; /* once header_len is TLS_RECORD_HEADER_LEN */
    uint8_t *fragment;    /* the record being assembled, when it is split across calls */
    size_t fragment_have;
} tls_framer;

/* Takes one complete record; returns false to stop framing (the rest of the bytes are dropped). */
typedef bool (*tls_record_fn)(void *user, const tls_record_header *header, const uint8_t *fragment, size_t len);

typedef enum tls_framer_result {
    TLS_FRAMER_OK,
    TLS_FRAMER_STOPPED,   /* the callback asked to stop */
    TLS_FRAMER_NOT_TLS    /* framing error */
} tls_framer_result;

/*
 * Do these bytes open a TLS record (content type ChangeCipherSpec to ApplicationData, version 3.x with
 * x <= 4)? Three bytes decide; fewer never do. What starts the record layer after the X.224 exchange,
 * or on a connection followed from its middle.
 */
bool tls_record_start(const uint8_t *bytes, size_t len);

tls_framer_result tls_framer_feed(tls_framer *f, const uint8_t *bytes, size_t len, tls_record_fn on_record,
                                  void *user);

/* Frees the record in progress. */
void tls_framer_reset(tls_framer *f);

/* Bytes allocated for the record in progress (0 when none): for a front end's memory budget. */
size_t tls_framer_held_bytes(const tls_framer *f);

#endif
