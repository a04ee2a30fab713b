/*
 * column_testutil.h — the helpers the column codec tests share
 * (test_column.c, test_column_encode.c, test_column_decode.c): column
 * descriptors, peers, and values written as text or packed decimal, plus the
 * shared random numbers (rng_testutil.h).  Header-only, for tests.
 */
#ifndef CBZ_COLUMN_TESTUTIL_H
#define CBZ_COLUMN_TESTUTIL_H

#include "column.h"
#include "rng_testutil.h"

#include <stdint.h>
#include <string.h>

/* A column descriptor of kind/width with sign position, EBCDIC flag and
 * signedness; every other member zero. */
static inline cbz_col_desc mk(uint8_t kind, uint32_t width, uint8_t sign, uint8_t ebcdic, uint8_t sgn)
{
    cbz_col_desc d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.width = width;
    d.sign = sign;
    d.ebcdic = ebcdic;
    d.is_signed = sgn;
    return d;
}

/* The peer (cross-column reference) made of column d with values v[0..n). */
static inline cbz_col_peer peer_of(cbz_col_desc d, const uint8_t *v, size_t n)
{
    cbz_col_peer p;
    p.desc = d;
    p.values = v;
    p.n = n;
    return p;
}

/* Writes value text t in w bytes: cut to w, or padded with ASCII spaces. */
static inline void put_text(uint8_t *v, size_t w, const char *t)
{
    size_t l = strlen(t);
    if (l > w) l = w;
    memcpy(v, t, l);
    memset(v + l, ' ', w - l);
}

/* Writes x as COMP-3 (sign nibble C / D) in w >= 1 bytes; |x| must fit in
 * 2w - 1 digits (higher digits are dropped). */
static inline void put_packed(uint8_t *v, size_t w, int64_t x)
{
    uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    v[w - 1] = (uint8_t)(((m % 10) << 4) | (x < 0 ? 0xD : 0xC));
    m /= 10;
    for (size_t j = w - 1; j-- > 0;) {
        v[j] = (uint8_t)((m % 10) | ((m / 10 % 10) << 4));
        m /= 100;
    }
}

#endif
