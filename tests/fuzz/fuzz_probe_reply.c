/*
 * fuzz_probe_reply.c - libFuzzer harness: what credssp-probe reads from a server, and its reports.
 *
 * Input: one byte (the size of the pieces the TSRequest arrives in, as TLS may deliver it), then the
 * server's bytes in order: the answer to the Connection Request (framed by its TPKT header), then the
 * TSRequest answering the NEGOTIATE. They go through probe/reply.c as exchange.c sends them, then the
 * result through both reports. Beyond the sanitizers: a result is judged or has an error; the text
 * report is valid UTF-8 without control characters (other than newlines) or format characters - the
 * wire strings are inert - and every JSON line is valid UTF-8 without raw control characters.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "output.h"
#include "reply.h"

static void read_server_bytes(probe_result *r, const uint8_t *data, size_t size, size_t piece)
{
    uint8_t mine[64];
    reply_start(r, mine, sizeof mine);
    if (size < 4)
        return;
    size_t pdu = reply_confirm_size(r, data);
    if (pdu == 0 || pdu > size || !reply_confirm(r, data, pdu))
        return;
    data += pdu;
    size -= pdu;
    reply_negotiate(r, mine, sizeof mine);
    size_t have = 0, total = 0;
    while (total == 0 && have < size) {
        have = have + piece < size ? have + piece : size;
        total = reply_tsrequest_size(r, data, have);
    }
    if (total > 0 && total != REPLY_NOT_TSREQUEST) {
        FUZZ_REQUIRE(total <= have && total <= REPLY_TSREQUEST_MAX);
        reply_tsrequest(r, data, total);
    }
}

static void require_report(const probe_result *r, bool json)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    FUZZ_REQUIRE(mem != NULL);
    probe_output *o = output_new(mem, json);
    output_result(o, r);
    output_finish(o);
    fclose(mem);
    FUZZ_REQUIRE(g_utf8_validate(text, (gssize)len, NULL));
    for (const char *p = text; p < text + len; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        FUZZ_REQUIRE(c == '\n' || g_unichar_type(c) != G_UNICODE_CONTROL);
        if (!json)
            FUZZ_REQUIRE(g_unichar_type(c) != G_UNICODE_FORMAT);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    probe_result r = {.target = g_strdup("fuzz:3389")};
    cssp_conn_init(&r.conn);
    read_server_bytes(&r, data + 1, size - 1, data[0] ? data[0] : 256);
    reply_finish(&r);
    FUZZ_REQUIRE(r.error != PROBE_OK || cssp_server_state_name(r.judgement.state) != NULL);
    FUZZ_REQUIRE((r.error == PROBE_OK) == (r.problem == NULL));
    require_report(&r, false);
    require_report(&r, true);
    probe_result_free(&r);
    return 0;
}
