/*
 * fuzz_tls.c - libFuzzer harness: TLS record framing, the handshake parsers
 * and passive decryption (tls_session), with secrets.
 *
 * Input layout, so that a seed can carry a session together with its keys:
 *   u16le n, n bytes of NSS key-log text, then chunks of
 *   u8 control, u16le length, that many bytes of one direction's stream.
 * Control bit 0 is the direction (0 client, 1 server); control 0xFE / 0xFF
 * report a TCP gap in that direction instead of feeding bytes. The server's
 * RSA key (tls-rsa-key.pem, made for the seeds and for nothing else) is
 * loaded once, so static-RSA sessions decrypt too.
 *
 * Every chunk is also handed to the handshake body parsers directly. Beyond
 * the sanitizers: events carry what tls_session.h promises (plaintext inside
 * a readable buffer, a reason with every failure), nothing follows a stop,
 * and the counters agree.
 */
#include "cssp/reader.h"
#include "fuzz_common.h"
#include "keylog.h"
#include "rsa_keys.h"
#include "cssp/tls_handshake.h"
#include "tls_session.h"

#ifndef FUZZ_TLS_RSA_KEY
#error "FUZZ_TLS_RSA_KEY: path of the server key of the seeds"
#endif

enum { CONTROL_GAP = 0xFE };

typedef struct run {
    tls_session *session;
    bool stopped;
    unsigned long checksum;     /* of the plaintext, so every byte is read */
} run;

static void on_event(const tls_event *ev, void *user)
{
    run *r = user;
    FUZZ_REQUIRE(!r->stopped);
    FUZZ_REQUIRE(ev->direction == TLS_CLIENT_TO_SERVER || ev->direction == TLS_SERVER_TO_CLIENT);
    switch (ev->kind) {
    case TLS_EVENT_APPLICATION_DATA:
        FUZZ_REQUIRE(ev->data != NULL || ev->len == 0);
        for (size_t i = 0; i < ev->len; i++)
            r->checksum += ev->data[i];
        break;
    case TLS_EVENT_DECRYPTION_FAILED:
    case TLS_EVENT_STREAM_ERROR:
        FUZZ_REQUIRE(ev->reason != NULL && ev->failure != TLS_FAILURE_NONE);
        FUZZ_REQUIRE(tls_failure_name(ev->failure) != NULL);
        break;
    case TLS_EVENT_HANDSHAKE:
        FUZZ_REQUIRE(ev->cipher_suite_name != NULL);
        break;
    default:
        break;
    }
}

static void parse_as_handshake_bodies(const uint8_t *bytes, size_t len)
{
    tls_client_hello ch;
    tls_server_hello sh;
    const uint8_t *encrypted;
    size_t encrypted_len;
    tls_parse_client_hello(bytes, len, &ch);
    tls_parse_server_hello(bytes, len, &sh);
    if (tls_parse_rsa_client_key_exchange(bytes, len, &encrypted, &encrypted_len) == CSSP_OK)
        FUZZ_REQUIRE(encrypted >= bytes && encrypted + encrypted_len <= bytes + len);
}

static const tls_rsa_keys *server_key(void)
{
    static tls_rsa_keys *keys;
    if (!keys) {
        keys = tls_rsa_keys_new();
        FUZZ_REQUIRE(tls_rsa_keys_load_file(keys, FUZZ_TLS_RSA_KEY, stderr));
    }
    return keys;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cssp_reader in;
    cssp_reader_init(&in, data, size);
    uint16_t keylog_len;
    const uint8_t *keylog_text;
    if (!cssp_get_le16(&in, &keylog_len) || !cssp_get_bytes(&in, keylog_len, &keylog_text))
        return 0;
    tls_keylog *keylog = tls_keylog_new();
    tls_keylog_load_buffer(keylog, "fuzz", keylog_text, keylog_len, NULL);

    run r = {0};
    r.session = tls_session_new(keylog, server_key(), on_event, &r);
    uint8_t control;
    uint16_t len;
    const uint8_t *bytes;
    while (cssp_get_u8(&in, &control) && cssp_get_le16(&in, &len)) {
        tls_direction dir = (control & 1) ? TLS_SERVER_TO_CLIENT : TLS_CLIENT_TO_SERVER;
        if ((control & ~1u) == CONTROL_GAP) {
            tls_session_gap(r.session, dir);
            continue;
        }
        size_t take = len < cssp_reader_remaining(&in) ? len : cssp_reader_remaining(&in);
        cssp_get_bytes(&in, take, &bytes);
        parse_as_handshake_bodies(bytes, take);
        tls_session_feed(r.session, dir, bytes, take);
    }
    tls_session_stop(r.session);
    r.stopped = true;
    tls_session_feed(r.session, TLS_CLIENT_TO_SERVER, data, size); /* ignored after the stop */
    const tls_session_info *info = tls_session_get_info(r.session);
    for (int d = 0; d < 2; d++)
        FUZZ_REQUIRE(info->decrypted_records[d] <= info->records[d]);
    FUZZ_REQUIRE(info->decrypted == (info->decrypted_records[0] + info->decrypted_records[1] > 0));
    tls_session_free(r.session);
    tls_keylog_free(keylog);
    return 0;
}
