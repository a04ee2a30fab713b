/*
 * bytecopy.h — copying one short value of w bytes between two buffers that
 * do not overlap, without a libc call: the codec and the split stage copy
 * millions of values of 1..64 bytes, and a memcpy call per value costs more
 * than the copy itself.
 */
#ifndef CBZ_BYTECOPY_H
#define CBZ_BYTECOPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Exactly w bytes from s to d (distinct buffers): two fixed-size moves that
 * overlap in the middle (the last one ending at d + w), or 32-byte moves and
 * one such last move for long values.  Always inlined, so that where w is a
 * constant (the codec's width switches) the copy is one or two moves. */
static inline __attribute__((always_inline)) void cbz_copy_exact(uint8_t *restrict d,
                                                                 const uint8_t *restrict s,
                                                                 size_t w)
{
    if (w >= 32) {
        size_t j = 0;
        for (; j + 32 <= w; j += 32) memcpy(d + j, s + j, 32);
        if (j < w) memcpy(d + w - 32, s + w - 32, 32);
    } else if (w >= 16) {
        memcpy(d, s, 16);
        memcpy(d + w - 16, s + w - 16, 16);
    } else if (w >= 8) {
        memcpy(d, s, 8);
        memcpy(d + w - 8, s + w - 8, 8);
    } else if (w >= 4) {
        memcpy(d, s, 4);
        memcpy(d + w - 4, s + w - 4, 4);
    } else if (w >= 2) {
        memcpy(d, s, 2);
        memcpy(d + w - 2, s + w - 2, 2);
    } else if (w) {
        d[0] = s[0];
    }
}

#endif
