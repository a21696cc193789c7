/*
 * fuzz_dsb.c - libFuzzer harness: the pcapng Decryption Secrets Block walker.
 *
 * capture_load_dsb_secrets() reads a file by path, so the input is written to
 * an in-memory file and walked from there; the key logs found go to a real
 * key store. The walker must stay inside the file and its own limits
 * (PCAPNG_MAX_BLOCKS_SCANNED blocks, 16 MiB per DSB) whatever the block
 * lengths say; the sanitizers and libFuzzer's -rss_limit_mb / -timeout
 * watch that.
 */
#include "capture.h"
#include "fuzz_common.h"
#include "tls_glue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file file;
    if (file.fd == 0)
        fuzz_file_open(&file, "capture.pcapng");
    fuzz_file_write(&file, data, size);
    secrets *keys = secrets_new();
    capture_load_dsb_secrets(file.path, keys, fuzz_null_stream());
    secrets_free(keys);
    return 0;
}
