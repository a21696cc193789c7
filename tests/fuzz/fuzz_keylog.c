/*
 * fuzz_keylog.c - libFuzzer harness: the NSS key-log parser.
 *
 * The input is loaded as a key log twice: from memory (as a pcapng DSB body)
 * and from a file (read in blocks, so lines cross block boundaries). Beyond
 * the sanitizers: both loads agree, the counters add up, stored secrets have
 * a valid length, at most TLS_KEYLOG_MAX_CANDIDATES per label are kept, and
 * the diagnostics never echo a line (no run of 32 hex digits, which is what
 * a client random or a secret would look like).
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_common.h"
#include "keylog.h"

static fuzz_file file;

static void require_no_hex_run(const char *text, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        run = isxdigit((unsigned char)text[i]) ? run + 1 : 0;
        FUZZ_REQUIRE(run < 2 * TLS_RANDOM_LEN);
    }
}

static tls_keylog_stats load(const uint8_t *data, size_t size, bool from_file, tls_keylog **store)
{
    char *diag_text = NULL;
    size_t diag_len = 0;
    FILE *diag = open_memstream(&diag_text, &diag_len);
    FUZZ_REQUIRE(diag != NULL);
    *store = tls_keylog_new();
    if (from_file)
        FUZZ_REQUIRE(tls_keylog_load_file(*store, file.path, diag));
    else
        tls_keylog_load_buffer(*store, "fuzz", data, size, diag);
    fclose(diag);
    require_no_hex_run(diag_text, diag_len);
    free(diag_text);
    return tls_keylog_get_stats(*store);
}

static void require_candidates(const tls_keylog *store, const uint8_t *random)
{
    for (int label = 0; label < TLS_KEYLOG_LABEL_COUNT; label++) {
        tls_secret_list list = tls_keylog_find(store, random, (tls_keylog_label)label);
        FUZZ_REQUIRE(list.count <= TLS_KEYLOG_MAX_CANDIDATES);
        for (size_t i = 0; i < list.count; i++)
            FUZZ_REQUIRE(list.items[i].len == 32 || list.items[i].len == 48);
    }
}

/* The first run of 64 hex digits in the input, decoded: most likely a client random the store holds. */
static bool first_random(const uint8_t *data, size_t size, uint8_t random[TLS_RANDOM_LEN])
{
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
        run = isxdigit(data[i]) ? run + 1 : 0;
        if (run == 2 * TLS_RANDOM_LEN) {
            const uint8_t *hex = data + i + 1 - run;
            for (size_t k = 0; k < TLS_RANDOM_LEN; k++) {
                char byte[3] = {(char)hex[2 * k], (char)hex[2 * k + 1], 0};
                random[k] = (uint8_t)strtoul(byte, NULL, 16);
            }
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (file.fd == 0)
        fuzz_file_open(&file, "keylog");
    fuzz_file_write(&file, data, size);

    tls_keylog *from_memory, *from_file;
    tls_keylog_stats a = load(data, size, false, &from_memory);
    tls_keylog_stats b = load(data, size, true, &from_file);
    FUZZ_REQUIRE(memcmp(&a, &b, sizeof a) == 0);
    FUZZ_REQUIRE(tls_keylog_session_count(from_memory) == tls_keylog_session_count(from_file));
    FUZZ_REQUIRE(tls_keylog_session_count(from_memory) <= a.lines_used);

    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    FUZZ_REQUIRE(a.lines_used + a.lines_unused + a.lines_malformed + a.secrets_dropped <= lines);

    uint8_t random[TLS_RANDOM_LEN];
    if (first_random(data, size, random))
        require_candidates(from_memory, random);
    tls_keylog_free(from_memory);
    tls_keylog_free(from_file);
    return 0;
}
