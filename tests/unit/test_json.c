/* test_json.c - the reports' JSON writer: RFC 8259 escapes, valid UTF-8 out of any bytes, the shared pieces. */
#include <string.h>

#include "check.h"
#include "cssp/json.h"

typedef struct text {
    char buf[1024];
    size_t len;
} text;

static void collect(void *ctx, const char *bytes, size_t len)
{
    text *t = ctx;
    if (t->len + len < sizeof t->buf) {
        memcpy(t->buf + t->len, bytes, len);
        t->len += len;
        t->buf[t->len] = '\0';
    }
}

static const char *string_of(const char *in)
{
    static text t;
    t.len = 0;
    t.buf[0] = '\0';
    cssp_json j = {.write = collect, .ctx = &t};
    cssp_json_string(&j, in);
    return t.buf;
}

int main(void)
{
    CHECK_EQ_STR(string_of(NULL), "null");
    CHECK_EQ_STR(string_of(""), "\"\"");
    CHECK_EQ_STR(string_of("LAB\\alice \"x\""), "\"LAB\\\\alice \\\"x\\\"\"");
    CHECK_EQ_STR(string_of("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
    /* every other control character as \u00XX: C0, DEL, and C1 (U+009B, the 8-bit CSI) */
    CHECK_EQ_STR(string_of("\x1b]0;x\x07"), "\"\\u001b]0;x\\u0007\"");
    CHECK_EQ_STR(string_of("\x7f"), "\"\\u007f\"");
    CHECK_EQ_STR(string_of("\xc2\x9b" "31m"), "\"\\u009b31m\"");
    /* valid UTF-8 stays as it is, format characters included (U+202E is not a control) */
    CHECK_EQ_STR(string_of("caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x94\x91"), "\"caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x94\x91\"");
    /* each byte outside a valid sequence becomes U+FFFD: a lone byte, an overlong form, a surrogate, a cut */
    CHECK_EQ_STR(string_of("a\xff" "b"), "\"a\xef\xbf\xbd" "b\"");
    CHECK_EQ_STR(string_of("\xc0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_EQ_STR(string_of("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_EQ_STR(string_of("\xe2\x82"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_EQ_STR(string_of("\xf4\x90\x80\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* > U+10FFFF */

    text t = {.len = 0};
    cssp_json j = {.write = collect, .ctx = &t};
    cssp_json_literal(&j, "{\"type\":\"x\"");
    cssp_json_key(&j, "n");
    cssp_json_uint_or_null(&j, true, 18446744073709551615u);
    cssp_json_key(&j, "none");
    cssp_json_uint_or_null(&j, false, 7);
    cssp_json_key(&j, "os");
    cssp_json_os(&j, true, 10, 0, 17763);
    cssp_json_key(&j, "b");
    cssp_json_bool(&j, false);
    cssp_json_key(&j, "findings");
    cssp_json_findings(&j, CSSP_FINDING_SERVER_UNPATCHED | CSSP_FINDING_LEGACY_TLS);
    cssp_json_literal(&j, "}");
    CHECK_EQ_STR(t.buf, "{\"type\":\"x\",\"n\":18446744073709551615,\"none\":null,\"os\":\"10.0.17763\",\"b\":false,"
                        "\"findings\":[\"server_unpatched\",\"legacy_tls\"]}");

    /* the negotiation: [MS-RDPBCGR] 2.2.1.1.1 requestedProtocols 0x0B, an unknown selectedProtocol */
    cssp_facts f;
    memset(&f, 0, sizeof f);
    f.has_request = f.request_has_neg = true;
    f.requested_protocols = 0x0B;
    f.has_response = f.response_has_neg = true;
    f.selected_protocol = 0x40;
    t.len = 0;
    cssp_json_negotiation(&j, &f);
    CHECK_EQ_STR(t.buf, ",\"requested_protocols\":[\"SSL\",\"HYBRID\",\"HYBRID_EX\"],\"selected_protocol\":\"0x40\","
                        "\"negotiation_failure\":null");
    f.request_has_neg = false;
    f.has_response = false;
    f.has_failure = true;
    f.failure_code = 5;
    t.len = 0;
    cssp_json_negotiation(&j, &f);
    CHECK_EQ_STR(t.buf, ",\"requested_protocols\":[],\"selected_protocol\":null,"
                        "\"negotiation_failure\":\"HYBRID_REQUIRED_BY_SERVER\"");
    return check_summary("json");
}
