/*
 * test_tls_parsers.c - the TLS decoders on hand-built and hostile bytes.
 *
 * ClientHello, ServerHello (incl. supported_versions and HelloRetryRequest)
 * and RSA ClientKeyExchange decoders: exact results on well-formed messages,
 * an error (never a read past the end) on every truncation and on bad
 * lengths. The record framer and the handshake reassembler: every split of the
 * input gives the same records / messages. The record layer: random fragments of every length up to
 * 300 bytes, for every protection form, never authenticate and never crash.
 */
#include <string.h>

#include <glib.h>

#include "check.h"
#include "cssp/names.h"
#include "cssp/tls_framer.h"
#include "cssp/tls_handshake.h"
#include "cssp/tls_hs_stream.h"
#include "tls_record.h"
#include "tls_suites.h"

static size_t put(uint8_t *buf, size_t at, const uint8_t *bytes, size_t len)
{
    memcpy(buf + at, bytes, len);
    return at + len;
}

/* ClientHello body: version, random 0x40.., 32-byte session id, 2 suites, null compression, extensions. */
static size_t build_client_hello(uint8_t *buf, size_t *without_extensions)
{
    static const uint8_t head[] = { 0x03, 0x03 };
    static const uint8_t after_random[] = { 32 };
    static const uint8_t suites[] = { 0x00, 0x04, 0x13, 0x01, 0xC0, 0x2F, 0x01, 0x00 };
    static const uint8_t extensions[] = {
        0x00, 0x11,                               /* block length 17 */
        0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 'a', 'b', 'c', /* an extension the decoder skips */
        0x00, 0x17, 0x00, 0x00,                   /* extended_master_secret */
        0x00, 0x16, 0x00, 0x00,                   /* encrypt_then_mac */
    };
    size_t at = put(buf, 0, head, sizeof head);
    for (int i = 0; i < 32; i++)
        buf[at++] = (uint8_t)(0x40 + i);
    at = put(buf, at, after_random, sizeof after_random);
    memset(buf + at, 0xEE, 32);
    at += 32;
    at = put(buf, at, suites, sizeof suites);
    *without_extensions = at;
    return put(buf, at, extensions, sizeof extensions);
}

static void test_client_hello(void)
{
    uint8_t body[256];
    size_t bare_len;
    size_t len = build_client_hello(body, &bare_len);
    tls_client_hello hello;
    CHECK_EQ_U(tls_parse_client_hello(body, len, &hello), CSSP_OK);
    CHECK_EQ_U(hello.legacy_version, 0x0303);
    CHECK(hello.offers_ems && hello.offers_etm);
    CHECK(hello.random[0] == 0x40 && hello.random[31] == 0x5F);
    for (size_t cut = 0; cut < len; cut++) {
        cssp_status st = tls_parse_client_hello(body, cut, &hello);
        if (cut == bare_len) /* a hello without extensions is legal */
            CHECK(st == CSSP_OK && !hello.offers_ems && !hello.offers_etm);
        else
            CHECK(st != CSSP_OK);
    }
    body[bare_len + 1] = 0xFF; /* extension block longer than the message */
    CHECK(tls_parse_client_hello(body, len, &hello) != CSSP_OK);
    body[bare_len + 1] = 0x0F; /* shorter: the last extension is cut and bytes trail */
    CHECK(tls_parse_client_hello(body, len, &hello) != CSSP_OK);
    body[bare_len + 1] = 0x11;
    body[bare_len + 5] = 0xFF; /* an extension longer than its block */
    CHECK(tls_parse_client_hello(body, len, &hello) != CSSP_OK);
}

static size_t build_server_hello(uint8_t *buf, bool hello_retry)
{
    static const uint8_t hrr_random[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };
    static const uint8_t tail[] = {
        0x00,                    /* empty session id */
        0x13, 0x02, 0x00,        /* TLS_AES_256_GCM_SHA384, null compression */
        0x00, 0x0A,              /* extensions: 10 bytes */
        0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
        0x00, 0x17, 0x00, 0x00,  /* extended_master_secret */
    };
    buf[0] = 0x03;
    buf[1] = 0x03;
    for (int i = 0; i < 32; i++)
        buf[2 + i] = hello_retry ? hrr_random[i] : (uint8_t)(0x80 + i);
    return put(buf, 34, tail, sizeof tail);
}

static void test_server_hello(void)
{
    uint8_t body[128];
    size_t len = build_server_hello(body, false);
    tls_server_hello hello;
    CHECK_EQ_U(tls_parse_server_hello(body, len, &hello), CSSP_OK);
    CHECK_EQ_U(hello.version, 0x0304);
    CHECK_EQ_U(hello.cipher_suite, 0x1302);
    CHECK(hello.ems && !hello.etm && !hello.hello_retry_request);
    CHECK_EQ_U(hello.random[31], 0x9F);
    for (size_t cut = 0; cut < len; cut++) {
        cssp_status st = tls_parse_server_hello(body, cut, &hello);
        if (cut == 38) /* no extensions: a TLS 1.2 ServerHello, legacy version */
            CHECK(st == CSSP_OK && hello.version == 0x0303);
        else
            CHECK(st != CSSP_OK);
    }
    body[43] = 0x01; /* supported_versions of one byte */
    CHECK(tls_parse_server_hello(body, len, &hello) != CSSP_OK);
    len = build_server_hello(body, true);
    CHECK(tls_parse_server_hello(body, len, &hello) == CSSP_OK && hello.hello_retry_request);
}

static void test_client_key_exchange(void)
{
    static const uint8_t cke[] = { 0x00, 0x04, 0xAA, 0xBB, 0xCC, 0xDD };
    const uint8_t *encrypted;
    size_t n;
    CHECK_EQ_U(tls_parse_rsa_client_key_exchange(cke, sizeof cke, &encrypted, &n), CSSP_OK);
    CHECK(n == 4 && encrypted == cke + 2);
    for (size_t cut = 0; cut < sizeof cke; cut++)
        CHECK(tls_parse_rsa_client_key_exchange(cke, cut, &encrypted, &n) != CSSP_OK && n == 0);
    static const uint8_t trailing[] = { 0x00, 0x01, 0xAA, 0xBB };
    CHECK(tls_parse_rsa_client_key_exchange(trailing, sizeof trailing, &encrypted, &n) != CSSP_OK);
}

typedef struct framed {
    unsigned count;
    size_t total;
    unsigned stop_after;  /* 0: never */
    unsigned wrong_bytes; /* fragments that do not start with their record's type */
} framed;

static bool count_record(void *user, const tls_record_header *header, const uint8_t *fragment, size_t len)
{
    framed *log = user;
    log->count++;
    log->total += len;
    log->wrong_bytes += len > 0 && fragment[0] != header->content_type; /* each fragment starts with its type, below */
    return log->stop_after == 0 || log->count < log->stop_after;
}

static void test_framer(void)
{
    /* Records of 1, 0, TLS_MAX_RECORD_LEN and 5 bytes; each fragment starts with the record's type. */
    static const size_t lengths[] = { 1, 0, TLS_MAX_RECORD_LEN, 5 };
    GByteArray *input = g_byte_array_new();
    size_t total = 0;
    for (size_t r = 0; r < G_N_ELEMENTS(lengths); r++) {
        uint8_t header[5] = { (uint8_t)(20 + r), 3, 3, (uint8_t)(lengths[r] >> 8), (uint8_t)lengths[r] };
        g_byte_array_append(input, header, 5);
        for (size_t k = 0; k < lengths[r]; k++)
            g_byte_array_append(input, &header[0], 1);
        total += lengths[r];
    }
    static const size_t splits[] = { 1, 2, 4, 5, 6, 9, 1000, 1 << 20 };
    for (size_t s = 0; s < G_N_ELEMENTS(splits); s++) {
        tls_framer framer = { 0 };
        framed log = { 0 };
        unsigned not_ok = 0;
        for (size_t at = 0; at < input->len; at += splits[s])
            not_ok += tls_framer_feed(&framer, input->data + at, MIN(splits[s], input->len - at), count_record,
                                      &log) != TLS_FRAMER_OK;
        CHECK_EQ_U(not_ok, 0);
        CHECK_EQ_U(log.count, G_N_ELEMENTS(lengths));
        CHECK_EQ_U(log.total, total);
        CHECK_EQ_U(log.wrong_bytes, 0);
        CHECK(framer.fragment == NULL);
        tls_framer_reset(&framer);
    }
    /* The callback stops it; a record in progress is freed by reset. */
    tls_framer framer = { 0 };
    framed log = { .stop_after = 2 };
    CHECK_EQ_U(tls_framer_feed(&framer, input->data, input->len, count_record, &log), TLS_FRAMER_STOPPED);
    CHECK_EQ_U(log.count, 2);
    tls_framer_reset(&framer);
    framed partial = { 0 };
    CHECK_EQ_U(tls_framer_feed(&framer, input->data, 100, count_record, &partial), TLS_FRAMER_OK);
    CHECK(framer.fragment != NULL);
    tls_framer_reset(&framer);
    /* A header alone buffers nothing; its fragment, whole in the next call, is passed from there. */
    framed split = { 0 };
    CHECK_EQ_U(tls_framer_feed(&framer, input->data, 5, count_record, &split), TLS_FRAMER_OK);
    CHECK(framer.fragment == NULL);
    CHECK_EQ_U(tls_framer_feed(&framer, input->data + 5, 1, count_record, &split), TLS_FRAMER_OK);
    CHECK_EQ_U(split.count, 1);
    CHECK(framer.fragment == NULL);
    tls_framer_reset(&framer);
    /* Headers that cannot start a record. */
    static const uint8_t bad[][5] = {
        { 19, 3, 3, 0, 1 }, { 25, 3, 3, 0, 1 }, { 23, 2, 0, 0, 1 }, { 23, 3, 5, 0, 1 },
        { 23, 3, 3, (TLS_MAX_RECORD_LEN + 1) >> 8, (TLS_MAX_RECORD_LEN + 1) & 0xFF },
    };
    for (size_t b = 0; b < G_N_ELEMENTS(bad); b++) {
        framed none = { 0 };
        CHECK_EQ_U(tls_framer_feed(&framer, bad[b], 5, count_record, &none), TLS_FRAMER_NOT_TLS);
        CHECK_EQ_U(none.count, 0);
        tls_framer_reset(&framer);
    }
    g_byte_array_unref(input);
}

/* What the reassembler delivered. */
typedef struct hs_log {
    GByteArray *bytes;      /* everything passed to on_bytes */
    unsigned count;
    uint8_t types[8];
    size_t lens[8];
    bool kept[8];
    uint8_t first_byte[8];
} hs_log;

static bool keeps(uint8_t type)
{
    return type != 11;
}

static void on_bytes(void *user, const uint8_t *bytes, size_t len)
{
    hs_log *log = user;
    g_byte_array_append(log->bytes, bytes, (guint)len);
}

static void on_message(void *user, uint8_t type, const uint8_t *body, size_t len)
{
    hs_log *log = user;
    if (log->count < 8) {
        log->types[log->count] = type;
        log->lens[log->count] = len;
        log->kept[log->count] = body != NULL;
        log->first_byte[log->count] = body && len ? body[0] : 0;
    }
    log->count++;
}

static void test_hs_stream(void)
{
    /* ClientHello(3), Certificate(5000, never kept), ServerHelloDone(0), Finished(70000: too big to keep), Finished(12) */
    GByteArray *input = g_byte_array_new();
    const struct {
        uint8_t type;
        size_t len;
    } messages[] = { { 1, 3 }, { 11, 5000 }, { 14, 0 }, { 20, TLS_HS_MAX_KEPT_BODY + 5 }, { 20, 12 } };
    for (size_t m = 0; m < G_N_ELEMENTS(messages); m++) {
        uint8_t header[4] = { messages[m].type, (uint8_t)(messages[m].len >> 16), (uint8_t)(messages[m].len >> 8),
                              (uint8_t)messages[m].len };
        g_byte_array_append(input, header, 4);
        for (size_t k = 0; k < messages[m].len; k++) {
            uint8_t b = (uint8_t)(m * 16 + k);
            g_byte_array_append(input, &b, 1);
        }
    }
    static const size_t splits[] = { 1, 2, 3, 4, 5, 7, 100, 4999, 5000, 70000, 1 << 20 };
    for (size_t s = 0; s < G_N_ELEMENTS(splits); s++) {
        hs_log log = { .bytes = g_byte_array_new() };
        tls_hs_stream hs = { 0 };
        tls_hs_sink sink = { keeps, on_bytes, on_message, &log };
        for (size_t at = 0; at < input->len; at += splits[s])
            tls_hs_stream_feed(&hs, input->data + at, MIN(splits[s], input->len - at), &sink);
        CHECK_EQ_U(log.count, G_N_ELEMENTS(messages));
        for (size_t m = 0; m < G_N_ELEMENTS(messages) && m < log.count; m++) {
            CHECK_EQ_U(log.types[m], messages[m].type);
            CHECK_EQ_U(log.lens[m], messages[m].len);
        }
        CHECK(log.kept[0] && !log.kept[1] && log.kept[2] && !log.kept[3] && log.kept[4]);
        CHECK_EQ_U(log.first_byte[4], 4 * 16);
        CHECK(log.bytes->len == input->len && memcmp(log.bytes->data, input->data, input->len) == 0);
        /* A message cut short stays pending and is freed by reset. */
        tls_hs_stream_feed(&hs, input->data, 6, &sink);
        CHECK_EQ_U(log.count, G_N_ELEMENTS(messages));
        tls_hs_stream_reset(&hs);
        g_byte_array_unref(log.bytes);
    }
    g_byte_array_unref(input);
}

/* Random fragments never authenticate, whatever their length; each consumes a sequence number. */
static void test_record_layer_on_noise(void)
{
    static const uint16_t suite_ids[] = { 0x1301, 0x1302, 0x1303, 0xC02F, 0xC030, 0xCCA8, 0x002F, 0x003D, 0xC028 };
    static const uint16_t versions[] = { TLS_VERSION_1_0, TLS_VERSION_1_2, TLS_VERSION_1_3 };
    static const uint8_t zero[64];
    GRand *rand = g_rand_new_with_seed(7);
    uint8_t fragment[300], out[300];
    unsigned opened = 0, calls = 0;
    for (size_t s = 0; s < G_N_ELEMENTS(suite_ids); s++) {
        const tls_suite *suite = tls_suite_find(suite_ids[s]);
        CHECK(suite != NULL);
        for (size_t v = 0; suite && v < G_N_ELEMENTS(versions); v++) {
            if ((versions[v] == TLS_VERSION_1_3) != (suite->kx == TLS_KX_TLS13))
                continue;
            for (int etm = 0; etm < 2; etm++) {
                tls_record_keys keys;
                CHECK(tls_record_keys_init(&keys, suite, versions[v], etm, zero, zero, zero));
                for (size_t len = 0; len <= sizeof fragment; len++) {
                    for (size_t k = 0; k < len; k++)
                        fragment[k] = (uint8_t)g_rand_int(rand);
                    tls_record_header header;
                    tls_record_header_read((const uint8_t[]){23, 3, 3, (uint8_t)(len >> 8), (uint8_t)len}, &header);
                    size_t plain_len;
                    uint8_t type;
                    opened += tls_record_open(&keys, &header, fragment, len, out, &plain_len, &type) == TLS_OPEN_OK;
                    calls++;
                }
                CHECK_EQ_U(keys.seq, sizeof fragment + 1);
                tls_record_keys_clear(&keys);
            }
        }
    }
    CHECK_EQ_U(opened, 0);
    CHECK(calls > 5000);
    g_rand_free(rand);
}

static void test_names(void)
{
    CHECK_EQ_STR(tls_suite_name(0x1302), "TLS_AES_256_GCM_SHA384");
    CHECK_EQ_STR(tls_suite_name(0xC030), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CHECK_EQ_STR(tls_suite_name(0x0005), "unknown");
    CHECK(tls_suite_find(0x0005) == NULL);
    CHECK_EQ_STR(cssp_tls_version_name(0x0304), "1.3");
    CHECK(cssp_tls_version_name(0x0305) == NULL);
    /* every suite the core names is one the decrypter has a row for */
    for (const cssp_name *n = cssp_tls_suite_names; n->name; n++)
        CHECK(tls_suite_find((uint16_t)n->value) != NULL);
}

int main(void)
{
    test_client_hello();
    test_server_hello();
    test_client_key_exchange();
    test_framer();
    test_hs_stream();
    test_record_layer_on_noise();
    test_names();
    return check_summary("tls_parsers");
}
