/*
 * replay_main.c - runs a libFuzzer harness over saved inputs, without libFuzzer.
 *
 * Linked with a harness instead of -fsanitize=fuzzer, so that every build
 * (gcc, the ASan+UBSan build, valgrind) replays the committed seeds and the
 * regression inputs of past findings through the same harness code and its
 * invariants: the ctest tests fuzz.replay.HARNESS.
 *
 * Arguments are files or directories (each file in a directory is one
 * input). Each input is copied to a buffer of exactly its size, so a read
 * past its end is caught by ASan or valgrind.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return false;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    bool ok = data && fread(data, 1, size, f) == size;
    fclose(f);
    if (ok)
        LLVMFuzzerTestOneInput(data, size);
    else
        fprintf(stderr, "%s: cannot read\n", path);
    free(data);
    return ok;
}

int main(int argc, char **argv)
{
    unsigned inputs = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failed++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            inputs++;
            failed += !replay_file(argv[i]);
            continue;
        }
        DIR *dir = opendir(argv[i]);
        struct dirent *e;
        while (dir && (e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            inputs++;
            failed += !replay_file(path);
        }
        if (dir)
            closedir(dir);
    }
    printf("replay: %u inputs, %u unreadable\n", inputs, failed);
    return failed || inputs == 0 ? 1 : 0;
}
