/*
 * fuzz_dsb.c - libFuzzer harness: the capture stream (analyzer/capture_stream.c), which follows a pcapng file's
 * blocks on their way to libpcap: Decryption Secrets Blocks, interface link types, packet blocks.
 *
 * The input is read through the stream from an in-memory file, in reads of varying sizes (as stdio and
 * libpcap make them); the key logs found go to a real key store. Beyond the sanitizers (and libFuzzer's
 * -rss_limit_mb / -timeout for the 16 MiB DSB bound): every byte comes out, and as it went in unless an
 * interface's link type differed from the first one's.
 */
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "capture_stream.h"
#include "fuzz_common.h"
#include "tls_glue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    if (file.fd == 0)
        fuzz_file_open(&file, "capture.pcapng");
    fuzz_file_write(&file, data, size);
    FUZZ_REQUIRE(lseek(file.fd, 0, SEEK_SET) == 0);
    secrets *keys = secrets_new();
    capture_stream *cs = capture_stream_new(file.fd, file.path, keys, fuzz_null_stream());
    FILE *f = capture_stream_file(cs);
    FUZZ_REQUIRE(f != NULL);
    setvbuf(f, NULL, _IONBF, 0); /* each fread below reaches the stream as it is */
    uint8_t *out = malloc(size + 1);
    size_t got = 0, step = 1 + (size ? data[0] % 97 : 0), n;
    do {
        size_t want = MIN(step + got % 13, size + 1 - got);
        n = fread(out + got, 1, want, f);
        got += n;
    } while (n > 0);
    FUZZ_REQUIRE(got == size);
    FUZZ_REQUIRE(capture_stream_bytes(cs) == size);
    FUZZ_REQUIRE(capture_stream_mixed_links(cs) || memcmp(out, data, size) == 0);
    free(out);
    fclose(f);
    capture_stream_free(cs);
    secrets_free(keys);
    return 0;
}
