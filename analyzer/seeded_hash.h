/*
 * seeded_hash.h - a hash for keys an attacker chooses (a capture's addresses, a key log's client randoms).
 *
 * FNV-1a over 64-bit words, started from a secret drawn once per run. With a known start, each step
 * h = (h ^ word) * prime can be undone, so an input could give thousands of keys one hash value and make a
 * hash table walk them all on every lookup; with a secret start such keys cannot be computed beforehand.
 * Not a cryptographic hash: only one whose collisions are not known before the run.
 */
#ifndef CSSP_ANALYZER_SEEDED_HASH_H
#define CSSP_ANALYZER_SEEDED_HASH_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The hash of `words` 64-bit words at key (any alignment), then of one more word, `last`. */
static inline guint seeded_hash_words(const void *key, size_t words, uint64_t last)
{
    static uint64_t seed;
    if (!seed)
        seed = ((uint64_t)g_random_int() << 32 | g_random_int()) | 1;
    const uint64_t prime = 0x100000001b3u;
    uint64_t h = seed;
    for (size_t i = 0; i < words; i++) {
        uint64_t w;
        memcpy(&w, (const uint8_t *)key + 8 * i, sizeof w);
        h = (h ^ w) * prime;
    }
    h = (h ^ last) * prime;
    return (guint)(h ^ h >> 32);
}

#endif
