/*
 * test_column_encode2.c — the encoder speed-ups of src/column.c (encoder
 * half) against what they must keep: the text dictionary's entries stored in
 * trie order (memcmp order, a value before its extensions) by the merge sort
 * that replaced qsort (equal 8-byte sort keys: shared prefixes, values that
 * end in 0x00 bytes, values that are prefixes of others); the blank-masked
 * text copy without a branch per value; numeric columns whose values and
 * blanks (unused OCCURS entries) alternate at random, alone and against a
 * peer blank at the same rows (the mask-select reference transforms); a
 * numeric dictionary of many keys (the key sort); blank flags of widths
 * 9..16 (two overlapping words); text dictionaries of 1..8-byte values
 * looked up by integer keys; the per-chunk memo (cbz_col_chunk_ctx), whose
 * encodings must equal those made without it, after a reset and with peers
 * it does not describe; the answers of the TEXT_NUM trial and the table of
 * 1- and 2-byte dictionaries that a thread keeps from column to column,
 * which must give the bytes a fresh thread gives.  Every encoding is
 * decoded and compared byte for byte.
 */
#include "column.h"
#include "column_testutil.h"
#include "zstd_wrap.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_COL_VERSION = 1, T_M_TEXT_DICT = 3 };

/* Encodes with peers, decodes, compares; the encoding stays in out. */
static bool round_trip(const cbz_col_desc *d, const uint8_t *v, size_t n,
                       const cbz_col_peer *peers, size_t np, cbz_buf *out, cbz_col_stats *st)
{
    cbz_error err = { 0 };
    out->len = 0;
    cbz_status rc = cbz_column_encode_peers(d, v, n, peers, np, 3, out, st, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    if (rc != CBZ_OK) {
        printf("\n  encode: %s\n", err.msg);
        return false;
    }
    uint8_t *back = malloc(n * d->width + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    rc = cbz_column_decode_peers(d, out->data, out->len, n, peers, np, back, &err);
    bool same = rc == CBZ_OK && memcmp(back, v, n * d->width) == 0;
    CU_ASSERT(same);
    if (!same)
        printf("\n  round trip failed: kind %u width %u chain %s rc %d %s\n", d->kind, d->width,
               st->chain, rc, err.msg);
    free(back);
    return same;
}

/* LEB128 varint at *p (end e); false past the end. */
static bool get_varint(const uint8_t **p, const uint8_t *e, uint64_t *v)
{
    *v = 0;
    for (unsigned sh = 0; *p < e && sh < 64; sh += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << sh;
        if (!(b & 0x80)) return true;
    }
    return false;
}

/* memcmp order, a value before its extensions (as cmp_text) */
static int text_order(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int r = memcmp(a, b, la < lb ? la : lb);
    if (r) return r;
    return (la > lb) - (la < lb);
}

#define TW 12
/* Letters only (no digits: TEXT_NUM stays out), 0x00 and 0xFF bytes,
 * shared 8-byte prefixes, prefixes of each other, shorter than 8. */
static size_t dict_values(uint8_t vals[][TW], size_t *lens)
{
    static const char *const fixed[] = {
        "A", "AB", "ABCDEFGH", "ABCDEFGHI", "ABCDEFGHIJ", "ABCDEFGHJ", "ABCDEFGG", "ABCDEFGHIJKL",
        "ZZZZZZZZZZZZ", "ZZZZZZZZZZZY", "Q", "QQ", "QQQ", "QQQQQQQQ", "QQQQQQQQQ", "M-N",
    };
    size_t k = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++, k++) {
        lens[k] = strlen(fixed[i]);
        memcpy(vals[k], fixed[i], lens[k]);
    }
    /* 0x00 inside and at the end: equal zero-padded sort keys, told apart
     * by the full compare ("AB" < "AB\0" < "AB\0\0" < "AB\0C") */
    static const uint8_t raw[][6] = { { 'A', 'B', 0 }, { 'A', 'B', 0, 0 }, { 'A', 'B', 0, 'C' },
                                      { 'A', 'B', 0xFF }, { 0 }, { 0, 0, 0, 0, 0, 0 },
                                      { 0xFF, 'A' }, { 'A', 0, 'B' } };
    static const size_t raw_len[] = { 3, 4, 4, 3, 1, 6, 2, 3 };
    for (size_t i = 0; i < sizeof raw_len / sizeof raw_len[0]; i++, k++) {
        lens[k] = raw_len[i];
        memcpy(vals[k], raw[i], raw_len[i]);
    }
    /* random letters with a common 9-byte head, then random short ones */
    for (size_t i = 0; i < 40; i++, k++) {
        memcpy(vals[k], "KLMNOPQRS", 9);
        lens[k] = 10 + rnd() % 3;
        for (size_t j = 9; j < lens[k]; j++) vals[k][j] = (uint8_t)('A' + rnd() % 26);
    }
    for (size_t i = 0; i < 40; i++, k++) {
        lens[k] = 1 + rnd() % 7;
        for (size_t j = 0; j < lens[k]; j++) vals[k][j] = (uint8_t)('A' + rnd() % 26);
    }
    return k;
}

static void test_text_dict_order(void)
{
    uint8_t vals[128][TW];
    size_t lens[128];
    const size_t nv = dict_values(vals, lens);
    const size_t n = 5000;
    uint8_t *v = malloc(n * TW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t i = 0; i < n; i++) {
        size_t k = i < nv ? i : rnd() % nv; /* every value at least once */
        memset(v + i * TW, ' ', TW);
        memcpy(v + i * TW, vals[k], lens[k]);
    }
    cbz_col_desc d = mk(CBZ_COL_TEXT, TW, 0, 0, 0);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    if (round_trip(&d, v, n, NULL, 0, &out, &st)) {
        /* the column header (LAYERS.md): version, method, n, body length,
         * entropy flag, then the body (a zstd frame when flagged) */
        const uint8_t *p = out.data, *e = out.data + out.len;
        uint64_t cn = 0, blen = 0;
        CU_ASSERT_EQUAL_FATAL(p[0], T_COL_VERSION);
        CU_ASSERT_EQUAL_FATAL(p[1], T_M_TEXT_DICT);
        p += 2;
        CU_ASSERT_FATAL(get_varint(&p, e, &cn) && get_varint(&p, e, &blen) && p < e);
        CU_ASSERT_EQUAL(cn, n);
        const uint8_t packed = *p++;
        uint8_t *body = malloc(blen + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(body);
        cbz_error err = { 0 };
        if (packed) {
            CU_ASSERT_EQUAL_FATAL(cbz_zstd_decompress(p, (size_t)(e - p), body, blen, &err), CBZ_OK);
        } else {
            CU_ASSERT_FATAL(blen == (uint64_t)(e - p));
            memcpy(body, p, blen);
        }
        /* the dictionary: count, then (prefix, suffix length, suffix) */
        const uint8_t *q = body, *qe = body + blen;
        uint64_t nents = 0;
        CU_ASSERT_FATAL(get_varint(&q, qe, &nents));
        size_t distinct = 0; /* the random ones may repeat others */
        for (size_t k = 0; k < nv; k++) {
            bool again = false;
            for (size_t j = 0; j < k && !again; j++)
                again = lens[j] == lens[k] && memcmp(vals[j], vals[k], lens[k]) == 0;
            distinct += !again;
        }
        CU_ASSERT_EQUAL(nents, distinct);
        uint8_t prev[TW], cur[TW];
        size_t lprev = 0;
        bool ordered = true, found_all = true;
        for (uint64_t r = 0; r < nents; r++) {
            uint64_t pre = 0, suf = 0;
            CU_ASSERT_FATAL(get_varint(&q, qe, &pre) && get_varint(&q, qe, &suf));
            CU_ASSERT_FATAL(pre <= lprev && pre + suf <= TW && suf <= (uint64_t)(qe - q));
            memcpy(cur, prev, pre);
            memcpy(cur + pre, q, suf);
            q += suf;
            const size_t lcur = pre + suf;
            if (r > 0 && text_order(prev, lprev, cur, lcur) >= 0) ordered = false;
            bool found = false;
            for (size_t k = 0; k < nv && !found; k++)
                found = lens[k] == lcur && memcmp(vals[k], cur, lcur) == 0;
            found_all &= found;
            memcpy(prev, cur, lcur);
            lprev = lcur;
        }
        CU_ASSERT(ordered);
        CU_ASSERT(found_all);
        free(body);
    }
    cbz_buf_free(&out);
    free(v);
}

/* Text blank where a peer is blank (kept values copied without a branch):
 * every width of the copy (1..3 bytewise, 4..7, 8..16, longer). */
static void test_text_mask_copy(void)
{
    static const uint32_t widths[] = { 1, 2, 3, 5, 8, 12, 16, 17, 30 };
    const size_t n = 3000;
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        const uint32_t w = widths[wi];
        uint8_t *pv = malloc(n * 4), *v = malloc(n * w);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pv);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        for (size_t i = 0; i < n; i++) {
            const bool blank = rnd() % 2;
            if (blank) {
                memset(pv + i * 4, ' ', 4);
                memset(v + i * w, ' ', w);
            } else {
                memcpy(pv + i * 4, "ABCD", 4);
                for (uint32_t j = 0; j < w; j++) v[i * w + j] = (uint8_t)('A' + rnd() % 4);
            }
        }
        cbz_col_desc pd = mk(CBZ_COL_TEXT, 4, 0, 0, 0), d = mk(CBZ_COL_TEXT, w, 0, 0, 0);
        cbz_col_peer peer = peer_of(pd, pv, n);
        cbz_buf out;
        cbz_buf_init(&out);
        cbz_col_stats st;
        if (round_trip(&d, v, n, &peer, 1, &out, &st))
            CU_ASSERT_PTR_NOT_NULL(strstr(st.chain, "mask"));
        cbz_buf_free(&out);
        free(pv);
        free(v);
    }
}

/* Zoned and packed values with blanks at random rows, alone and with a
 * numeric peer blank at the same rows (exceptions by reference, residuals
 * selected by masks), and with a peer valid everywhere. */
static void test_numeric_blanks(void)
{
    const size_t n = 4096;
    for (int kind = CBZ_COL_ZONED; kind <= CBZ_COL_PACKED; kind++) {
        const uint32_t w = kind == CBZ_COL_ZONED ? 8 : 7, pw = 8;
        uint8_t *pv = malloc(n * pw), *full = malloc(n * pw), *v = malloc(n * w);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pv);
        CU_ASSERT_PTR_NOT_NULL_FATAL(full);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        int64_t date = 20250101;
        for (size_t i = 0; i < n; i++) {
            const bool blank = rnd() % 2;
            date += (int64_t)(rnd() % 3);
            char t[24]; /* the peer: zoned PIC 9(8), ASCII */
            snprintf(t, sizeof t, "%08lld", (long long)date);
            memcpy(full + i * pw, t, pw);
            memcpy(pv + i * pw, blank ? "        " : t, pw);
            if (blank) {
                memset(v + i * w, ' ', w);
            } else if (kind == CBZ_COL_ZONED) {
                int64_t x = date * 7 + (int64_t)(rnd() % 1000);
                snprintf(t, sizeof t, "%08lld", (long long)x % 100000000);
                memcpy(v + i * w, t, w);
            } else {
                put_packed(v + i * w, w, (int64_t)(rnd() % 2000000) - 1000000);
            }
        }
        cbz_col_desc pd = mk(CBZ_COL_ZONED, pw, 0, 0, 0);
        cbz_col_desc d = mk((uint8_t)kind, w, 0, 0, kind == CBZ_COL_PACKED);
        cbz_col_peer blank_peer = peer_of(pd, pv, n), full_peer = peer_of(pd, full, n);
        cbz_buf out;
        cbz_buf_init(&out);
        cbz_col_stats st;
        round_trip(&d, v, n, NULL, 0, &out, &st);
        CU_ASSERT(st.exceptions > n / 4);
        round_trip(&d, v, n, &blank_peer, 1, &out, &st);
        round_trip(&d, v, n, &full_peer, 1, &out, &st);
        /* the peer itself, blank at half the rows, against the full dates:
         * a reference with the exceptions listed */
        round_trip(&pd, pv, n, &full_peer, 1, &out, &st);
        cbz_buf_free(&out);
        free(pv);
        free(full);
        free(v);
    }
}

/* A numeric dictionary of many distinct keys in random order (the key sort
 * orders them; the decoder must find every value again). */
static void test_numeric_dict_keys(void)
{
    const size_t n = 8192, w = 6;
    int64_t keys[700];
    for (size_t k = 0; k < 700; k++) keys[k] = (int64_t)(rnd() % 100000000000ULL) - 50000000000LL;
    uint8_t *v = malloc(n * w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t i = 0; i < n; i++) put_packed(v + i * w, w, keys[rnd() % 700]);
    cbz_col_desc d = mk(CBZ_COL_PACKED, (uint32_t)w, 0, 0, 1);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_col_stats st;
    round_trip(&d, v, n, NULL, 0, &out, &st);
    cbz_buf_free(&out);
    free(v);
}

/* Blank flags of widths 9..16 (two overlapping words): values that are pad
 * but for one byte, at any position, are not blank.  The column is blank
 * where its peer is (the mask is taken), and then also holds a letter in
 * some of those rows: had one of those values been taken for blank, the
 * mask would be taken and the value come back as spaces. */
static void test_blank_wide(void)
{
    const size_t n = 2000;
    for (uint32_t w = 9; w <= 16; w++) {
        for (int strays = 0; strays < 2; strays++) {
            uint8_t *pv = malloc(n * 4), *v = malloc(n * w);
            CU_ASSERT_PTR_NOT_NULL_FATAL(pv);
            CU_ASSERT_PTR_NOT_NULL_FATAL(v);
            for (size_t i = 0; i < n; i++) {
                const bool blank = rnd() % 2;
                memset(v + i * w, ' ', w);
                memcpy(pv + i * 4, blank ? "    " : "ABCD", 4);
                if (!blank || (strays && i % 40 == 7))
                    v[i * w + (blank ? 8 + i % (w - 8) : rnd() % w)] = (uint8_t)('A' + rnd() % 3);
            }
            cbz_col_desc pd = mk(CBZ_COL_TEXT, 4, 0, 0, 0), d = mk(CBZ_COL_TEXT, w, 0, 0, 0);
            cbz_col_peer peer = peer_of(pd, pv, n);
            cbz_buf out;
            cbz_buf_init(&out);
            cbz_col_stats st;
            if (round_trip(&d, v, n, &peer, 1, &out, &st))
                CU_ASSERT((strstr(st.chain, "mask") != NULL) == !strays);
            cbz_buf_free(&out);
            free(pv);
            free(v);
        }
    }
}

/* Text dictionaries of values of 1..8 bytes (looked up by their bytes as
 * one integer): values that differ in one byte anywhere, blank values,
 * values equal to the one before; a column whose first values repeat and
 * whose later ones do not (the probe passes, the whole column then has too
 * many values: no dictionary).  Every one must come back. */
static void test_short_dict(void)
{
    const size_t n = 5000;
    for (uint32_t w = 1; w <= 8; w++) {
        for (int late_distinct = 0; late_distinct < 2; late_distinct++) {
            uint8_t *v = malloc(n * w);
            CU_ASSERT_PTR_NOT_NULL_FATAL(v);
            for (size_t i = 0; i < n; i++) {
                uint8_t *q = v + i * w;
                if (i > 0 && rnd() % 4 == 0) { /* a run */
                    memcpy(q, q - w, w);
                    continue;
                }
                memset(q, ' ', w);
                const unsigned pick = (unsigned)(rnd() % 40);
                if (pick == 0) continue; /* blank */
                q[pick % w] = (uint8_t)('A' + pick % 3);
                q[(pick / 3) % w] = (uint8_t)('a' + pick % 2);
                if (late_distinct && i >= 2048) /* then (almost) every value new */
                    for (uint32_t j = 0; j < w; j++) q[j] = (uint8_t)(rnd() & 0xFF);
            }
            cbz_col_desc d = mk(CBZ_COL_TEXT, w, 0, 0, 0);
            cbz_buf out;
            cbz_buf_init(&out);
            cbz_col_stats st;
            if (round_trip(&d, v, n, NULL, 0, &out, &st) && !late_distinct && w > 1)
                CU_ASSERT_PTR_NOT_NULL(strstr(st.chain, "dict"));
            cbz_buf_free(&out);
            free(v);
        }
    }
}

/* ---- the per-chunk memo (cbz_col_chunk_ctx) ---- */

enum { MC_STREAMS = 8 };

/* A chunk of n rows in MC_STREAMS streams that exercises every fact the
 * memo keeps: a segment code (split key), a date blank at random rows
 * (blank flags, numeric parse), a text blank at the same rows (mask), a
 * packed amount and a zoned number that follow the date (references, also
 * by exception positions), a text of two kinds by segment (split), a city
 * and an address line that holds the city (text reference). */
static void memo_chunk(uint8_t *v[MC_STREAMS], cbz_col_desc d[MC_STREAMS], size_t n, int salt)
{
    static const uint32_t w[MC_STREAMS] = { 1, 8, 10, 7, 8, 20, 12, 30 };
    static const char *const cities[] = { "SPRINGFIELD", "RIVERSIDE", "FAIRVIEW", "MADISON",
                                          "GEORGETOWN" };
    const uint8_t kind[MC_STREAMS] = { CBZ_COL_TEXT, CBZ_COL_ZONED, CBZ_COL_TEXT, CBZ_COL_PACKED,
                                       CBZ_COL_ZONED, CBZ_COL_TEXT, CBZ_COL_TEXT, CBZ_COL_TEXT };
    for (int s = 0; s < MC_STREAMS; s++) d[s] = mk(kind[s], w[s], 0, 0, kind[s] == CBZ_COL_PACKED);
    int64_t date = 20240101 + salt;
    for (size_t i = 0; i < n; i++) {
        char t[64];
        const bool det = rnd() % 5 != 0, blank = rnd() % 3 == 0;
        date += (int64_t)(rnd() % 2);
        v[0][i] = det ? 'D' : 'H';
        snprintf(t, sizeof t, "%08lld", (long long)date);
        memcpy(v[1] + i * 8, blank ? "        " : t, 8);
        snprintf(t, sizeof t, "R%05u", (unsigned)(rnd() % 400));
        put_text(v[2] + i * 10, 10, blank ? "" : t);
        if (blank) memset(v[3] + i * 7, ' ', 7);
        else put_packed(v[3] + i * 7, 7, date * 3 + (int64_t)(rnd() % 50) - 25);
        snprintf(t, sizeof t, "%08lld", (long long)(date % 100000000 + (int64_t)(rnd() % 7)));
        memcpy(v[4] + i * 8, t, 8);
        if (det) snprintf(t, sizeof t, "PAYMENT %u", (unsigned)(rnd() % 90));
        else snprintf(t, sizeof t, "%c%c-%04u-ACCT", 'A' + (int)(rnd() % 26),
                      'A' + (int)(rnd() % 26), (unsigned)(rnd() % 10000));
        put_text(v[5] + i * 20, 20, t);
        const char *city = cities[rnd() % 5];
        put_text(v[6] + i * 12, 12, city);
        snprintf(t, sizeof t, "%u %s %s", (unsigned)(rnd() % 999), rnd() % 2 ? "MAIN" : "OAK",
                 city);
        put_text(v[7] + i * 30, 30, t);
    }
}

/* Encodes stream s of the chunk (peers: streams 0..s-1) with or without
 * the memo into out. */
static cbz_status memo_encode(cbz_col_chunk_ctx *memo, uint8_t *v[MC_STREAMS],
                              const cbz_col_desc d[MC_STREAMS], size_t n, int s, cbz_buf *out)
{
    cbz_col_peer peers[MC_STREAMS];
    for (int j = 0; j < s; j++) peers[j] = peer_of(d[j], v[j], n);
    cbz_error err = { 0 };
    cbz_col_stats st;
    out->len = 0;
    cbz_status rc = cbz_column_encode_ctx(memo, &d[s], v[s], n, peers, (size_t)s, 3, out, &st,
                                          &err);
    if (rc != CBZ_OK) printf("\n  stream %d: %s\n", s, err.msg);
    return rc;
}

/* The memo must not change a byte: every stream of two chunks (the second
 * in the same buffers, after a reset) and of a chunk whose peers are other
 * copies of the same values (the memo must not answer for them) encodes as
 * without it, and decodes back.  The memo's choices must also be the ones
 * that matter: at least one stream uses a mask, a split, a reference. */
static void test_chunk_memo(void)
{
    const size_t n = 6000;
    uint8_t *v[MC_STREAMS], *copy[MC_STREAMS];
    cbz_col_desc d[MC_STREAMS];
    static const uint32_t w[MC_STREAMS] = { 1, 8, 10, 7, 8, 20, 12, 30 };
    for (int s = 0; s < MC_STREAMS; s++) {
        v[s] = malloc(n * w[s]);
        copy[s] = malloc(n * w[s]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v[s]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy[s]);
    }
    cbz_col_chunk_ctx *memo = cbz_col_chunk_ctx_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(memo);
    cbz_buf a, b;
    cbz_buf_init(&a);
    cbz_buf_init(&b);
    unsigned methods = 0;
    for (int chunk = 0; chunk < 2; chunk++) {
        memo_chunk(v, d, n, chunk * 1000);
        CU_ASSERT_EQUAL(cbz_col_chunk_ctx_reset(memo, MC_STREAMS, NULL), CBZ_OK);
        for (int s = 0; s < MC_STREAMS; s++) {
            CU_ASSERT_EQUAL_FATAL(memo_encode(memo, v, d, n, s, &a), CBZ_OK);
            CU_ASSERT_EQUAL_FATAL(memo_encode(NULL, v, d, n, s, &b), CBZ_OK);
            CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
            if (a.len > 1) methods |= 1u << a.data[1];
            cbz_col_peer peers[MC_STREAMS];
            for (int j = 0; j < s; j++) peers[j] = peer_of(d[j], v[j], n);
            uint8_t *back = malloc(n * w[s]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(back);
            cbz_error err = { 0 };
            CU_ASSERT_EQUAL(cbz_column_decode_peers(&d[s], a.data, a.len, n, peers, (size_t)s,
                                                    back, &err), CBZ_OK);
            CU_ASSERT(memcmp(back, v[s], n * w[s]) == 0);
            free(back);
        }
    }
    /* the same values at other addresses, some changed: the memo filled
     * from v must not answer for them */
    for (int s = 0; s < MC_STREAMS; s++) memcpy(copy[s], v[s], n * w[s]);
    for (size_t i = 0; i < n; i += 3) memcpy(copy[1] + i * 8, "        ", 8);
    for (size_t i = 0; i < n; i += 2) copy[0][i] = 'H';
    for (int s = 1; s < MC_STREAMS; s++) {
        CU_ASSERT_EQUAL_FATAL(memo_encode(memo, copy, d, n, s, &a), CBZ_OK);
        CU_ASSERT_EQUAL_FATAL(memo_encode(NULL, copy, d, n, s, &b), CBZ_OK);
        CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    }
    /* TEXT_MASK 7, TEXT_SPLIT 8, NUMERIC 4 (references), TEXT_REF 5 */
    CU_ASSERT(methods & (1u << 7));
    CU_ASSERT(methods & (1u << 8));
    CU_ASSERT(methods & (1u << 5));
    CU_ASSERT(methods & (1u << 4));
    if ((methods & 0x1B0u) != 0x1B0u) printf("\n  methods seen: 0x%x\n", methods);
    cbz_buf_free(&a);
    cbz_buf_free(&b);
    cbz_col_chunk_ctx_free(memo);
    for (int s = 0; s < MC_STREAMS; s++) {
        free(v[s]);
        free(copy[s]);
    }
}

/* ---- what a thread keeps from column to column ---- */

typedef struct fresh_job {
    const cbz_col_desc *d;
    const uint8_t *v;
    size_t n;
    cbz_buf *out;
    cbz_status rc;
} fresh_job;

static void *fresh_encode(void *arg)
{
    fresh_job *j = arg;
    cbz_error err = { 0 };
    j->out->len = 0;
    j->rc = cbz_column_encode(j->d, j->v, j->n, 3, j->out, NULL, &err);
    return NULL;
}

/* v encoded on this thread, after whatever it encoded before, must be what
 * a new thread (nothing kept) makes of it, and decode back. */
static void same_as_fresh(const cbz_col_desc *d, const uint8_t *v, size_t n)
{
    cbz_buf here, fresh;
    cbz_buf_init(&here);
    cbz_buf_init(&fresh);
    cbz_col_stats st;
    round_trip(d, v, n, NULL, 0, &here, &st);
    fresh_job j = { d, v, n, &fresh, CBZ_ERR_IO };
    pthread_t t;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, fresh_encode, &j), 0);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(j.rc, CBZ_OK);
    CU_ASSERT(here.len == fresh.len && memcmp(here.data, fresh.data, here.len) == 0);
    cbz_buf_free(&here);
    cbz_buf_free(&fresh);
}

/* Text with digits (the TEXT_NUM trial runs) whose first values another
 * column starts with too, at another address and at the same address after
 * a change; 1- and 2-byte dictionaries after one that overflowed its
 * limit (its entries must not stay in the thread's table). */
static void test_thread_kept(void)
{
    const size_t n = 6000, w = 12;
    uint8_t *x = malloc(n * w), *y = malloc(n * w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    for (size_t i = 0; i < n; i++) {
        char t[32];
        snprintf(t, sizeof t, "INV%07u", (unsigned)(rnd() % 5000000));
        put_text(x + i * w, w, t);
    }
    memcpy(y, x, n * w);
    for (size_t i = 2048; i < n; i++) put_text(y + i * w, w, "CASH");
    const cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
    same_as_fresh(&d, y, n);
    same_as_fresh(&d, x, n); /* the same first values as y */
    same_as_fresh(&d, x, n); /* and as itself */
    put_text(x + 5 * w, w, "CHANGED 12");
    same_as_fresh(&d, x, n); /* same address, other first values */
    for (uint32_t cw = 1; cw <= 2; cw++) {
        const cbz_col_desc dc = mk(CBZ_COL_TEXT, cw, 0, 0, 0);
        for (size_t i = 0; i < n * cw; i++) x[i] = (uint8_t)(i < 1024 * cw ? 'A' + rnd() % 3 : rnd());
        same_as_fresh(&dc, x, n); /* the probe passes, the column overflows (2 bytes) */
        for (size_t i = 0; i < n * cw; i++) x[i] = (uint8_t)('A' + rnd() % 5);
        same_as_fresh(&dc, x, n);
    }
    free(x);
    free(y);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column_encode2", NULL, NULL);
    CU_add_test(s, "text dictionary in trie order (merge sort, tie keys)", test_text_dict_order);
    CU_add_test(s, "blank-masked text copy, every copy width", test_text_mask_copy);
    CU_add_test(s, "numeric values mixed with blanks, with and without peers", test_numeric_blanks);
    CU_add_test(s, "numeric dictionary of many keys", test_numeric_dict_keys);
    CU_add_test(s, "per-chunk memo: same bytes, reset, other peers", test_chunk_memo);
    CU_add_test(s, "blank flags of widths 9..16, one letter anywhere", test_blank_wide);
    CU_add_test(s, "text dictionaries of 1..8-byte values (integer keys)", test_short_dict);
    CU_add_test(s, "what a thread keeps between columns: the bytes of a fresh thread",
                test_thread_kept);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
