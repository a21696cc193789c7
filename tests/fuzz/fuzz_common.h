/*
 * fuzz_common.h - what the libFuzzer harnesses share.
 *
 * FUZZ_REQUIRE() states an invariant of the code under test: when it does not
 * hold, the harness aborts, so libFuzzer saves the input as a crash like any
 * sanitizer report. fuzz_file_* give the harnesses whose code under test reads
 * a path (the key-log file loader, the pcapng DSB walker, libpcap) a file
 * that lives in memory: one memfd per process, rewritten for every input.
 */
#ifndef CSSP_FUZZ_COMMON_H
#define CSSP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_REQUIRE(cond)                                                              \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

typedef struct fuzz_file {
    int fd;
    char path[64];   /* /proc/self/fd/N: a path any fopen() accepts */
} fuzz_file;

/* Creates the in-memory file; aborts if the kernel has no memfd. */
void fuzz_file_open(fuzz_file *f, const char *name);
/* Replaces the file's content with these bytes. */
void fuzz_file_write(fuzz_file *f, const uint8_t *data, size_t size);

/* A stream that discards what is written: the harnesses check results, not text. */
FILE *fuzz_null_stream(void);

#endif
