/*
 * rng_testutil.h — the pseudo-random numbers the unit tests draw their data
 * from: xorshift64 (13, 7, 17) on one file-wide state, so that a test binary
 * sees the same numbers on every run.  A file that wants another sequence
 * defines CBZ_TEST_RNG_SEED (nonzero) before including this header.
 * Header-only, for tests: each tests/unit/test_*.c is its own program.
 */
#ifndef CBZ_RNG_TESTUTIL_H
#define CBZ_RNG_TESTUTIL_H

#include <stdint.h>

#ifndef CBZ_TEST_RNG_SEED
#define CBZ_TEST_RNG_SEED 0x9E3779B97F4A7C15ULL
#endif

static uint64_t rng_state = CBZ_TEST_RNG_SEED;

static inline uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#endif
