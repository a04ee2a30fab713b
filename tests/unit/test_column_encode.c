/*
 * test_column_encode.c — the encoder's shortcuts in src/column.c, each
 * checked against what it must leave unchanged: the text dictionary built in
 * one pass (gives up on its first 1024 values, or on the whole column), its
 * short-value hashing and compares (every trimmed length, shared prefixes),
 * the text trial whose sample is the whole column (its encoding and layer
 * sizes kept, not made again), the blank-mask check block by block (a stray
 * value in any block refuses the mask), the reference trial parsing its
 * blocks side by side (peers of every numeric width), and the zstd level of
 * text bodies (levels 1..3 give the same text encoding).  Every encoding is
 * decoded and compared byte for byte.
 */
#include "column.h"
#include "column_testutil.h"
#include "kernels.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Encodes with peers at `level` into out (cleared first), decodes, compares;
 * false on any failure. */
static bool enc_dec(const cbz_col_desc *d, const uint8_t *v, size_t n, const cbz_col_peer *peers,
                    size_t np, int level, cbz_buf *out, cbz_col_stats *st)
{
    cbz_error err = { 0 };
    out->len = 0;
    cbz_status rc = cbz_column_encode_peers(d, v, n, peers, np, level, out, st, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    if (rc != CBZ_OK) {
        printf("\nencode: %s\n", err.msg);
        return false;
    }
    CU_ASSERT_EQUAL(st->bytes_out, out->len);
    uint8_t *back = malloc(n * d->width + 1);
    rc = cbz_column_decode_peers(d, out->data, out->len, n, peers, np, back, &err);
    bool same = rc == CBZ_OK && (n == 0 || memcmp(back, v, n * d->width) == 0);
    CU_ASSERT(same);
    if (!same)
        printf("\nround trip failed: kind %u width %u n %zu chain %s rc %d %s\n", d->kind,
               d->width, n, st->chain, rc, err.msg);
    free(back);
    return same;
}

/* Letters only (digits would send the column to TEXT_NUM): "K" and x in
 * base 26, then a suffix. */
static void letters(char *t, unsigned x)
{
    char *p = t;
    *p++ = 'K';
    do {
        *p++ = (char)('A' + x % 26);
        x /= 26;
    } while (x);
    memcpy(p, "-Q", 3);
}

/* The dictionary: taken when the first 1024 values hold at most 512
 * distinct ones and the column at most n / 4; not taken when either fails,
 * even when the rest of the column repeats. */
static void test_dictionary_probe(void)
{
    enum { N = 4000, W = 12 };
    const cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, 0, 0);
    uint8_t *v = malloc(N * W);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    char t[32];
    /* 400 distinct values everywhere: a dictionary */
    for (size_t i = 0; i < N; i++) {
        letters(t, (unsigned)(rnd() % 400));
        put_text(v + i * W, W, t);
    }
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &out, &st));
    CU_ASSERT(strstr(st.chain, "dict") != NULL);
    /* 600 distinct among the first 1024, few after: no dictionary */
    for (size_t i = 0; i < N; i++) {
        letters(t, (unsigned)(i < 600 ? i : rnd() % 20));
        put_text(v + i * W, W, t);
    }
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &out, &st));
    CU_ASSERT(strstr(st.chain, "dict") == NULL);
    /* few distinct among the first 1024, then all distinct (> n / 4) */
    for (size_t i = 0; i < N; i++) {
        letters(t, (unsigned)(i < 1024 ? rnd() % 50 : i));
        put_text(v + i * W, W, t);
    }
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &out, &st));
    CU_ASSERT(strstr(st.chain, "dict") == NULL);
    /* a dictionary that grows past the probe's table: 900 distinct spread
     * out, 300 of them among the first 1024 */
    for (size_t i = 0; i < N; i++) {
        letters(t, (unsigned)(i < 1024 ? rnd() % 300 : rnd() % 900));
        put_text(v + i * W, W, t);
    }
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &out, &st));
    CU_ASSERT(strstr(st.chain, "dict") != NULL);
    cbz_buf_free(&out);
    free(v);
}

/* Values of every trimmed length 0..W that share prefixes and differ in one
 * byte anywhere: a dictionary that merged two of them, or split one, would
 * not restore the column. */
static void test_dictionary_short_values(void)
{
    enum { N = 6000, W = 21, DISTINCT = 400 };
    const cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, 0, 0);
    uint8_t *pool = malloc(DISTINCT * W), *v = malloc(N * W);
    for (size_t k = 0; k < DISTINCT; k++) {
        uint8_t *p = pool + k * W;
        size_t l = k % (W + 1);
        memset(p, ' ', W);
        memset(p, 'A', l);
        if (l) p[(k / (W + 1)) % l] = (uint8_t)('B' + (k / (W + 1)) / l % 20);
    }
    for (size_t i = 0; i < N; i++) memcpy(v + i * W, pool + (rnd() % DISTINCT) * W, W);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &out, &st));
    CU_ASSERT(strstr(st.chain, "dict") != NULL);
    cbz_buf_free(&out);
    free(pool);
    free(v);
}

/* A text column with digit runs short enough to be its own trial sample:
 * the trial's encoding is kept.  Behind a blank mask the same values give
 * the same encoding two bytes later (the peer's index and the inner method),
 * and layer sizes that are the body's length moved by those two bytes. */
static void test_whole_sample_kept(void)
{
    enum { N = 200, W = 14, PW = 4 };
    const cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, 0, 0);
    const cbz_col_desc pd = mk(CBZ_COL_TEXT, PW, 0, 0, 0);
    uint8_t *kept = malloc(N * W), *col = malloc(2 * N * W), *peer = malloc(2 * N * PW);
    char t[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(t, sizeof t, "INV%07u", (unsigned)(1000000 + i * 7 + rnd() % 5));
        put_text(kept + i * W, W, t);
    }
    /* rows 2i: the value, peer "X"; rows 2i+1: blank, peer blank */
    for (size_t i = 0; i < N; i++) {
        memcpy(col + 2 * i * W, kept + i * W, W);
        memset(col + (2 * i + 1) * W, ' ', W);
        put_text(peer + 2 * i * PW, PW, "X");
        memset(peer + (2 * i + 1) * PW, ' ', PW);
    }
    cbz_buf plain, masked;
    cbz_buf_init(&plain);
    cbz_buf_init(&masked);
    cbz_col_stats sp, sm;
    CU_ASSERT(enc_dec(&d, kept, N, NULL, 0, 3, &plain, &sp));
    CU_ASSERT(strstr(sp.chain, "textnum") != NULL);
    cbz_col_peer p = peer_of(pd, peer, 2 * N);
    CU_ASSERT(enc_dec(&d, col, 2 * N, &p, 1, 3, &masked, &sm));
    CU_ASSERT(strncmp(sm.chain, "mask>", 5) == 0);
    CU_ASSERT_STRING_EQUAL(sm.chain + 5, sp.chain);
    for (int l = 4; l <= 7; l++) {
        if (l == 5) continue;
        if (sp.layer_out[l]) {
            CU_ASSERT_EQUAL(sm.layer_out[l], sp.layer_out[l] + 2);
        }
    }
    CU_ASSERT_EQUAL(sm.layer_out[3], sp.layer_out[3]);
    cbz_buf_free(&plain);
    cbz_buf_free(&masked);
    free(kept);
    free(col);
    free(peer);
}

/* Blank-mask checks block by block: a value that is not blank where the
 * peer is, in the first block, a later block or the last value, refuses the
 * mask; without it the mask is taken. */
static void test_mask_blocks(void)
{
    enum { N = 3000, W = 9, PW = 6 };
    const cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, 1, 0);
    const cbz_col_desc pd = mk(CBZ_COL_ZONED, PW, 0, 1, 0);
    uint8_t *col = malloc(N * W), *peer = malloc(N * PW);
    for (size_t i = 0; i < N; i++) {
        bool blank = rnd() % 2 == 0;
        memset(col + i * W, 0x40, W);
        memset(peer + i * PW, 0x40, PW);
        if (blank) continue;
        for (size_t j = 0; j < PW; j++) peer[i * PW + j] = (uint8_t)(0xF0 + rnd() % 10);
        for (size_t j = 0; j < 5; j++) col[i * W + j] = (uint8_t)(0xC1 + rnd() % 9);
    }
    const size_t strays[4] = { SIZE_MAX, 3, 700, N - 1 };
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    cbz_col_peer p = peer_of(pd, peer, N);
    for (int s = 0; s < 4; s++) {
        size_t at = strays[s];
        uint8_t save[PW];
        if (at != SIZE_MAX) {
            memcpy(save, peer + at * PW, PW);
            memset(peer + at * PW, 0x40, PW);
            col[at * W] = 0xC1; /* not blank where the peer now is */
        }
        CU_ASSERT(enc_dec(&d, col, N, &p, 1, 3, &out, &st));
        CU_ASSERT((strstr(st.chain, "mask") != NULL) == (at == SIZE_MAX));
        if (at != SIZE_MAX) memcpy(peer + at * PW, save, PW);
    }
    cbz_buf_free(&out);
    free(col);
    free(peer);
}

/* Writes x as zoned EBCDIC in w bytes: a trailing sign zone (C / D), or
 * (sep) w - 1 digits and a trailing sign byte (+ 0x4E, - 0x60). */
static void put_zoned(uint8_t *v, size_t w, int64_t x, bool sep)
{
    uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    const size_t digits = sep ? w - 1 : w;
    for (size_t j = digits; j-- > 0;) {
        v[j] = (uint8_t)(0xF0 | (m % 10));
        m /= 10;
    }
    if (sep) v[w - 1] = x < 0 ? 0x60 : 0x4E;
    else v[w - 1] = (uint8_t)(((x < 0) ? 0xD0 : 0xC0) | (v[w - 1] & 0x0F));
}

/* A column equal to a peer plus a small noise takes the peer as reference
 * (its trial parses sixteen blocks side by side), for peers of the widest
 * zoned and packed widths, with invalid values in the peer. */
static void test_reference_trial_widths(void)
{
    enum { N = 5000 };
    const struct { uint8_t kind, sign; uint32_t width; } kinds[4] = {
        { CBZ_COL_ZONED, CBZ_K_SIGN_TRAILING, 18 },
        { CBZ_COL_ZONED, CBZ_K_SIGN_TRAILING_SEPARATE, 19 },
        { CBZ_COL_PACKED, 0, 10 },
        { CBZ_COL_BINARY, 0, 8 }
    };
    const cbz_col_desc cd = mk(CBZ_COL_PACKED, 8, 0, 1, 1);
    uint8_t *col = malloc(N * 8), *peer = malloc(N * 19);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    for (int k = 0; k < 4; k++) {
        const uint32_t pw = kinds[k].width;
        const cbz_col_desc pd = mk(kinds[k].kind, pw, kinds[k].sign, 1, 1);
        for (size_t i = 0; i < N; i++) {
            int64_t x = (int64_t)(rnd() % 1000000000000ULL) - 500000000000LL;
            if (kinds[k].kind == CBZ_COL_ZONED)
                put_zoned(peer + i * pw, pw, x, kinds[k].sign == CBZ_K_SIGN_TRAILING_SEPARATE);
            else if (kinds[k].kind == CBZ_COL_PACKED) put_packed(peer + i * pw, pw, x);
            else
                for (uint32_t j = 0; j < 8; j++) peer[i * pw + j] = (uint8_t)((uint64_t)x >> (56 - 8 * j));
            put_packed(col + i * 8, 8, x + (int64_t)(rnd() % 7) - 3);
            if (i % 97 == 5 && kinds[k].kind != CBZ_COL_BINARY) memset(peer + i * pw, 0x40, pw);
        }
        cbz_col_peer p = peer_of(pd, peer, N);
        CU_ASSERT(enc_dec(&cd, col, N, &p, 1, 3, &out, &st));
        CU_ASSERT(strstr(st.chain, "ref") != NULL);
        if (!strstr(st.chain, "ref"))
            printf("\npeer kind %u width %u: chain %s\n", kinds[k].kind, pw, st.chain);
    }
    cbz_buf_free(&out);
    free(col);
    free(peer);
}

/* Text bodies go through zstd level 1 at levels 1..3: the same encoding at
 * 1, 2 and 3; --level 19 compresses them at 19 (no larger). */
static void test_text_level(void)
{
    enum { N = 20000, W = 24 };
    const cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, 0, 0);
    uint8_t *v = malloc(N * W);
    static const char *const words[6] = { "NORTH", "SOUTH", "EAST", "WEST", "CENTRAL", "HARBOUR" };
    char t[64];
    for (size_t i = 0; i < N; i++) {
        snprintf(t, sizeof t, "%s %s %s", words[rnd() % 6], words[rnd() % 6], words[i % 6]);
        put_text(v + i * W, W, t);
    }
    cbz_buf e1, e2, e3, e19;
    cbz_buf_init(&e1);
    cbz_buf_init(&e2);
    cbz_buf_init(&e3);
    cbz_buf_init(&e19);
    cbz_col_stats st;
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 1, &e1, &st));
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 2, &e2, &st));
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 3, &e3, &st));
    CU_ASSERT(enc_dec(&d, v, N, NULL, 0, 19, &e19, &st));
    CU_ASSERT(e1.len == e3.len && memcmp(e1.data, e3.data, e1.len) == 0);
    CU_ASSERT(e2.len == e3.len && memcmp(e2.data, e3.data, e2.len) == 0);
    CU_ASSERT(e19.len <= e3.len);
    cbz_buf_free(&e1);
    cbz_buf_free(&e2);
    cbz_buf_free(&e3);
    cbz_buf_free(&e19);
    free(v);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column encoder", NULL, NULL);
    CU_add_test(s, "text dictionary: the probe, then the whole column", test_dictionary_probe);
    CU_add_test(s, "text dictionary: every short length, one byte apart",
                test_dictionary_short_values);
    CU_add_test(s, "text trial of a whole column is kept as the encoding", test_whole_sample_kept);
    CU_add_test(s, "blank mask: a stray value in any block refuses it", test_mask_blocks);
    CU_add_test(s, "reference trial: peers of the widest numeric widths",
                test_reference_trial_widths);
    CU_add_test(s, "text bodies: the same encoding at levels 1, 2 and 3", test_text_level);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
