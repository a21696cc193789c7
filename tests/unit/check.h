/*
 * check.h - the few assertion macros the unit tests share.
 *
 * CHECK(cond) and CHECK_EQ_*() record a failure with file:line and carry on,
 * so one run lists every broken expectation; check_summary() prints
 * "N passed, N failed" and gives the exit status for ctest.
 */
#ifndef CSSP_TEST_CHECK_H
#define CSSP_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            check_passed++;                                                         \
        } else {                                                                    \
            check_failed++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_EQ_U(a, b)                                                                      \
    do {                                                                                      \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                          \
        if (check_a_ == check_b_) {                                                           \
            check_passed++;                                                                   \
        } else {                                                                              \
            check_failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: 0x%" PRIx64 " (%" PRIu64 ") != 0x%" PRIx64 \
                    " (%" PRIu64 ")\n", __FILE__, __LINE__, #a, #b, check_a_, check_a_, check_b_,  \
                    check_b_);                                                                \
        }                                                                                     \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                    \
    do {                                                                                      \
        const char *check_a_ = (a), *check_b_ = (b);                                          \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {                        \
            check_passed++;                                                                   \
        } else {                                                                              \
            check_failed++;                                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, \
                    #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");       \
        }                                                                                     \
    } while (0)

static inline int check_summary(const char *suite)
{
    printf("%s: %u passed, %u failed\n", suite, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
