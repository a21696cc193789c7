/*
 * fuzz_analyzer.c - libFuzzer harness: credssp-analyze end to end on a capture held in memory.
 *
 * The input is a capture file (pcap or pcapng). It goes through exactly what
 * main() does with a file: the capture stream (one pass; embedded key logs, link types per interface), libpcap,
 * frame decoding, TCP reassembly, connection phases, TLS decryption with
 * whatever secrets the file carries, CredSSP decoding, the verdict engine and
 * the report (JSON Lines when the input's size is odd, text otherwise). The
 * seeds are small captures, several of them pcapng files with their key logs
 * injected, so mutations start from sessions that decrypt.
 *
 * Beyond the sanitizers: the report is NUL-free text, each JSON line is one
 * object, and the statistics agree with themselves.
 */
#include <string.h>

#include "analysis.h"
#include "capture.h"
#include "fuzz_common.h"
#include "report.h"
#include "tls_glue.h"

static void require_report(const char *text, size_t len, bool json)
{
    FUZZ_REQUIRE(strlen(text) == len);
    if (!json)
        return;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        FUZZ_REQUIRE(end != NULL && end > line);
        FUZZ_REQUIRE(line[0] == '{' && end[-1] == '}');
        line = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    if (file.fd == 0)
        fuzz_file_open(&file, "capture");
    fuzz_file_write(&file, data, size);

    bool json = size & 1;
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    FUZZ_REQUIRE(out != NULL);
    secrets *keys = secrets_new();
    report *rep = report_new(out, json);
    analysis *a = analysis_new(keys, rep);
    capture_read(file.path, NULL, keys, a, false, fuzz_null_stream());
    analysis_finish(a);
    analysis_stats st = analysis_get_stats(a);
    FUZZ_REQUIRE(st.tcp_packets + st.malformed + st.unsupported_link <= st.packets);
    FUZZ_REQUIRE(st.rdp_conns <= st.tcp_packets);
    report_finish(rep);
    analysis_free(a);
    secrets_free(keys);
    fclose(out);
    require_report(text, text_len, json);
    free(text);
    return 0;
}
