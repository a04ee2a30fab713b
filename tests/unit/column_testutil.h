/*
 * column_testutil.h — the helpers the column codec tests share
 * (test_column*.c): column descriptors, peers, values written as text or
 * packed decimal, hand-made bodies (tbuf), plus the shared random numbers
 * (rng_testutil.h).  Header-only, for tests.
 */
#ifndef CBZ_COLUMN_TESTUTIL_H
#define CBZ_COLUMN_TESTUTIL_H

#include "column.h"
#include "rng_testutil.h"

#include <CUnit/CUnit.h>

#include <stdint.h>
#include <stdlib.h>
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

/* Hand-made column bodies (docs/LAYERS.md), for decoder tests that need
 * bytes no encoder writes: a growing byte buffer, LEB128 varints and the
 * zigzag map of signed integers. */
typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf;

static inline void tb_u8(tbuf *b, uint8_t x)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->p = realloc(b->p, b->cap);
        CU_ASSERT_FATAL(b->p != NULL);
    }
    b->p[b->len++] = x;
}

static inline void tb_varint(tbuf *b, uint64_t x)
{
    while (x >= 0x80) {
        tb_u8(b, (uint8_t)(x | 0x80));
        x >>= 7;
    }
    tb_u8(b, (uint8_t)x);
}

static inline uint64_t tzz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

#endif
