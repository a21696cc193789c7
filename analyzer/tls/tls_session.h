/*
 * tls_session.h - passive decryption of one TLS connection from its two byte streams.
 *
 * The caller (TCP reassembly) feeds each direction's bytes in order with
 * tls_session_feed(); any split into chunks is fine. The session frames
 * records (a record buffer of at most TLS_MAX_RECORD_LEN bytes per
 * direction), follows the handshake (ClientHello, ServerHello, RSA
 * ClientKeyExchange; TLS 1.3 Finished and KeyUpdate), derives keys from the
 * key log or an RSA private key, and reports what it sees through the event
 * callback, in stream order:
 *   HANDSHAKE           after the ServerHello: version, cipher suite, EMS, ETM;
 *   CHANGE_CIPHER_SPEC  a ChangeCipherSpec record;
 *   APPLICATION_DATA    decrypted application data (data/len, valid during the call);
 *   UNDECRYPTED         an encrypted record that was not decrypted (len = its length);
 *   ALERT               level/description, or alert_encrypted when they are unreadable;
 *   DECRYPTION_FAILED   why records cannot be decrypted: at most once per session;
 *   STREAM_ERROR        a framing error or a TCP gap: that direction is no longer
 *                       parsed (at most once per direction).
 *
 * Choosing keys: every candidate secret is tried on the first protected record
 * of a direction and the one whose tag/MAC verifies is kept; candidates listed
 * later in the key logs are tried first. In TLS 1.3 the first records are
 * protected by the handshake keys; when the key log has no handshake secret
 * (LSASS key logs, which may list the handshake secret under the traffic
 * label) those records are reported UNDECRYPTED: the first protected record of
 * a direction, always a handshake record (RFC 8446 4.4), is not tried at all,
 * since deriving keys costs more than anything else in a short session, and
 * application-data decryption starts at sequence number 0 on the first record
 * an application traffic secret opens. Trials stop after TLS_MAX_TRIAL_RECORDS
 * records. A key-log secret that opens no record of the session is reported as
 * DECRYPTION_FAILED (WRONG_SECRETS) when the trials run out or at
 * tls_session_stop() if nothing was decrypted.
 *
 * The event callback may call tls_session_stop() (e.g. once CredSSP is over):
 * no record event follows, and the session's buffers and keys are freed when
 * the current feed returns; tls_session_get_info() stays valid until
 * tls_session_free().
 */
#ifndef CSSP_TLS_SESSION_H
#define CSSP_TLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "rsa_keys.h"
#include "cssp/tls_framer.h"

#define TLS_MAX_TRIAL_RECORDS 16          /* records a direction tries candidate secrets on */
#define TLS_MAX_MASTER_CANDIDATES 16      /* TLS <= 1.2 master secrets tried per session */

typedef enum tls_direction {
    TLS_CLIENT_TO_SERVER = 0,
    TLS_SERVER_TO_CLIENT = 1
} tls_direction;

typedef enum tls_event_kind {
    TLS_EVENT_HANDSHAKE,
    TLS_EVENT_CHANGE_CIPHER_SPEC,
    TLS_EVENT_APPLICATION_DATA,
    TLS_EVENT_UNDECRYPTED,
    TLS_EVENT_ALERT,
    TLS_EVENT_DECRYPTION_FAILED,
    TLS_EVENT_STREAM_ERROR
} tls_event_kind;

typedef enum tls_failure {
    TLS_FAILURE_NONE,
    TLS_FAILURE_NO_SECRETS,        /* nothing in the key log / RSA keys for this session */
    TLS_FAILURE_WRONG_SECRETS,     /* secrets exist, but none authenticates the records */
    TLS_FAILURE_RECORD_AUTH,       /* a record failed authentication under confirmed keys */
    TLS_FAILURE_UNSUPPORTED,       /* protocol version or cipher suite not decryptable */
    TLS_FAILURE_MISSING_HANDSHAKE, /* protected records without the hellos (capture started late) */
    TLS_FAILURE_FRAMING,           /* STREAM_ERROR: bytes that are not TLS records */
    TLS_FAILURE_GAP                /* STREAM_ERROR: bytes missing from the TCP stream */
} tls_failure;

typedef struct tls_event {
    tls_event_kind kind;
    tls_direction direction;
    /* HANDSHAKE */
    uint16_t version;
    uint16_t cipher_suite;
    const char *cipher_suite_name;
    bool extended_master_secret;
    bool encrypt_then_mac;
    /* APPLICATION_DATA: the plaintext; UNDECRYPTED: len is the record's length, data NULL */
    const uint8_t *data;
    size_t len;
    uint8_t content_type;   /* UNDECRYPTED: the outer record type */
    /* ALERT */
    bool alert_encrypted;
    uint8_t alert_level;
    uint8_t alert_description;
    /* DECRYPTION_FAILED, STREAM_ERROR */
    tls_failure failure;
    const char *reason;     /* a static English sentence */
} tls_event;

typedef void (*tls_event_fn)(const tls_event *event, void *user);

typedef struct tls_session_info {
    bool client_hello_seen;
    bool server_hello_seen;
    uint16_t version;
    uint16_t cipher_suite;
    bool extended_master_secret;
    bool encrypt_then_mac;
    bool decrypted;                 /* at least one record was decrypted */
    tls_failure failure;            /* the DECRYPTION_FAILED reported, NONE if none */
    uint64_t records[2];            /* records framed, per direction */
    uint64_t decrypted_records[2];
} tls_session_info;

typedef struct tls_session tls_session;

/* keylog and rsa_keys may be NULL; both must outlive the session. */
tls_session *tls_session_new(const tls_keylog *keylog, const tls_rsa_keys *rsa_keys, tls_event_fn on_event,
                             void *user);
void tls_session_feed(tls_session *session, tls_direction direction, const uint8_t *bytes, size_t len);

/* Bytes are missing from this direction's stream: it is no longer parsed. */
void tls_session_gap(tls_session *session, tls_direction direction);

/*
 * Ends the session: reports a pending DECRYPTION_FAILED (secrets that opened
 * nothing), frees buffers and keys; later feeds are ignored.
 */
void tls_session_stop(tls_session *session);

const tls_session_info *tls_session_get_info(const tls_session *session);
void tls_session_free(tls_session *session);

/*
 * Bytes this session holds, for the analysis's memory budget: the structure, a record or a handshake
 * message being assembled, RSA master secrets, and an estimate of OpenSSL's digest and cipher contexts.
 */
size_t tls_session_held_bytes(const tls_session *session);

const char *tls_failure_name(tls_failure failure);

#endif
