/*
 * fuzz_common.c - in-memory files and the null stream for the harnesses (see fuzz_common.h).
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

void fuzz_file_open(fuzz_file *f, const char *name)
{
    f->fd = memfd_create(name, 0);
    FUZZ_REQUIRE(f->fd >= 0);
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

void fuzz_file_write(fuzz_file *f, const uint8_t *data, size_t size)
{
    FUZZ_REQUIRE(ftruncate(f->fd, 0) == 0);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(f->fd, data + done, size - done, (off_t)done);
        FUZZ_REQUIRE(n > 0);
        done += (size_t)n;
    }
}

FILE *fuzz_null_stream(void)
{
    static FILE *null_stream;
    if (!null_stream)
        null_stream = fopen("/dev/null", "w");
    FUZZ_REQUIRE(null_stream != NULL);
    return null_stream;
}
