/*
 * test_column_rows.c — the decoder's chunk paths (src/column.c,
 * cbz_column_decode_rows; src/split.c with
 * columns in place): each must give the bytes cbz_column_decode_peers
 * gives.  A chunk of columns like an OCCURS table's (dates and amounts
 * blank in unused entries, text masked by them, references, a dictionary,
 * a split by a record-kind byte) is encoded with its peers, then decoded
 * stream after stream three ways: one column at a time, with the chunk's
 * memo, and placed straight in records (fixed records, and records at
 * offsets) with the placed peers read from there.  Hand-made numeric bodies
 * check that the memo is used only where it gives what parsing the bytes
 * gives (an exception whose bytes are a valid number, an integer the width
 * cannot hold).  (cbz_split_gather with columns in place already is in
 * test_split.c.)  Damaged bodies decoded into records give CBZ_OK or CBZ_ERR_FORMAT and
 * write nothing outside the values' places (make test-asan runs this too).
 */
#include "column.h"
#include "column_testutil.h"
#include "engine.h"
#include "zstd_wrap.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NC 11
#define NV 3001

/* The chunk's columns: descriptors and values (EBCDIC). */
static cbz_col_desc cd[NC];
static uint8_t *cv[NC];

static void put_zoned(uint8_t *v, size_t w, uint64_t x)
{
    for (size_t j = w; j-- > 0;) {
        v[j] = (uint8_t)(0xF0 | x % 10);
        x /= 10;
    }
}

static void make_chunk(void)
{
    static const char *const words[] = { "ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT" };
    const uint32_t w[NC] = { 8, 10, 7, 1, 8, 3, 12, 1, 6, 20, 4 };
    cd[0] = mk(CBZ_COL_ZONED, 8, 0, 1, 0);       /* dates, blank in unused entries */
    cd[1] = mk(CBZ_COL_TEXT, 10, 0, 1, 0);       /* references: masked by 0 */
    cd[2] = mk(CBZ_COL_PACKED, 7, 0, 1, 1);      /* amounts: invalid where 0 is */
    cd[3] = mk(CBZ_COL_TEXT, 1, 0, 1, 0);        /* D/C flag: masked by 0 */
    cd[4] = mk(CBZ_COL_ZONED, 8, 0, 1, 0);       /* the next dates: against 0 */
    cd[5] = mk(CBZ_COL_TEXT, 3, 0, 1, 0);        /* a currency: a dictionary */
    cd[6] = mk(CBZ_COL_TEXT, 12, 0, 0, 0);       /* words (ASCII) */
    cd[7] = mk(CBZ_COL_TEXT, 1, 0, 1, 0);        /* record kind: H or D */
    cd[8] = mk(CBZ_COL_TEXT, 6, 0, 1, 0);        /* by record kind */
    cd[9] = mk(CBZ_COL_TEXT, 20, 0, 0, 0);       /* a word of 6, and more: a reference */
    cd[10] = mk(CBZ_COL_TEXT, 4, 0, 1, 0);       /* masked by 3 */
    cd[0].digits = cd[4].digits = 8;
    cd[2].digits = 13;
    for (int c = 0; c < NC; c++) {
        cv[c] = malloc((size_t)NV * w[c]);
        CU_ASSERT_FATAL(cv[c] != NULL);
    }
    uint64_t date = 20240101;
    for (size_t i = 0; i < NV; i++) {
        const bool used = rnd() % 3 != 0;
        date += rnd() % 3;
        if (used) put_zoned(cv[0] + i * 8, 8, date);
        else memset(cv[0] + i * 8, 0x40, 8);
        if (used) {
            char t[16];
            snprintf(t, sizeof t, "R%07u", (unsigned)(rnd() % 10000000));
            for (size_t j = 0; j < 10; j++)
                cv[1][i * 10 + j] = j < strlen(t) ? (uint8_t)(t[j] == 'R' ? 0xD9 : 0xF0 + (t[j] - '0')) : 0x40;
            put_packed(cv[2] + i * 7, 7, (int64_t)(rnd() % 2000000) - 1000000);
            cv[3][i] = rnd() % 2 ? 0xC4 : 0xC3;
            put_zoned(cv[4] + i * 8, 8, date + rnd() % 5);
        } else {
            memset(cv[1] + i * 10, 0x40, 10);
            memset(cv[2] + i * 7, 0x40, 7);
            cv[3][i] = 0x40;
            memset(cv[4] + i * 8, 0x40, 8);
        }
        static const char *const cur[3] = { "\xC5\xE4\xD9", "\xE4\xE2\xC4", "\xC7\xC2\xD7" };
        memcpy(cv[5] + i * 3, cur[rnd() % 3], 3); /* no majority: 7 splits 8, not 5 */
        put_text(cv[6] + i * 12, 12, words[rnd() % 6]);
        cv[7][i] = rnd() % 8 == 0 ? 0xC8 : 0xC4;
        if (cv[7][i] == 0xC8) { /* headers: letters */
            for (size_t j = 0; j < 6; j++) cv[8][i * 6 + j] = (uint8_t)(0xC1 + rnd() % 9);
        } else { /* details: a count (not a dictionary's) */
            put_zoned(cv[8] + i * 6, 6, 100000 + i);
        }
        char t[24];
        snprintf(t, sizeof t, "%.12s", (const char *)cv[6] + i * 12);
        for (size_t l = strlen(t); l > 0 && t[l - 1] == ' '; l--) t[l - 1] = 0;
        snprintf(t + strlen(t), 12, ".%u@MX", (unsigned)(rnd() % 100000));
        put_text(cv[9] + i * 20, 20, t);
        if (cv[3][i] == 0x40) memset(cv[10] + i * 4, 0x40, 4);
        else for (size_t j = 0; j < 4; j++) cv[10][i * 4 + j] = (uint8_t)(0xC1 + rnd() % 3);
    }
}

/* ------------------------------------------------------------ hand-made bodies */


/* Decodes the chunk's encodings enc[] stream after stream: way 0 one column
 * at a time, way 1 with the chunk's memo, way 2 placed in records of stride
 * `width` (fixed), way 3 placed in records at offsets.  Each column's bytes
 * (from the records where placed) must be its values. */
static void decode_chunk(cbz_buf *enc, int way)
{
    size_t off[NC], width = 0;
    for (int c = 0; c < NC; c++) {
        off[c] = width;
        width += cd[c].width;
    }
    /* records at offsets: a gap of 0..3 bytes (left as 0x5A) before each */
    size_t *rows = malloc(NV * sizeof *rows), at = 0;
    CU_ASSERT_FATAL(rows != NULL);
    for (size_t i = 0; i < NV; i++) {
        at += way == 3 ? rnd() % 4 : 0;
        rows[i] = at;
        at += width;
    }
    uint8_t *rec = malloc(at + 1), *vals[NC];
    CU_ASSERT_FATAL(rec != NULL);
    memset(rec, 0x5A, at + 1);
    cbz_col_peer peers[NC];
    cbz_col_rows peer_at[NC];
    cbz_error err = { 0 };
    bool placed_any = false;
    if (way > 0) cbz_column_decode_chunk_begin();
    for (int c = 0; c < NC; c++) {
        const size_t w = cd[c].width;
        vals[c] = malloc(NV * w);
        CU_ASSERT_FATAL(vals[c] != NULL);
        cbz_status rc;
        bool placed = false;
        const cbz_col_rows to = { rec + off[c], way == 3 ? rows : NULL, width };
        if (way == 0)
            rc = cbz_column_decode_peers(&cd[c], enc[c].data, enc[c].len, NV, peers, (size_t)c,
                                         vals[c], &err);
        else
            rc = cbz_column_decode_rows(&cd[c], enc[c].data, enc[c].len, NV, peers, (size_t)c,
                                        peer_at, vals[c], way == 1 ? NULL : &to, &placed, &err);
        CU_ASSERT_EQUAL(rc, CBZ_OK);
        if (rc != CBZ_OK) fprintf(stderr, "way %d column %d: %s\n", way, c, err.msg);
        peers[c] = peer_of(cd[c], placed ? to.base : vals[c], NV);
        peer_at[c] = placed ? to : (cbz_col_rows){ NULL, NULL, 0 };
        placed_any |= placed;
        bool same = true;
        for (size_t i = 0; i < NV && same; i++) {
            const uint8_t *got = placed ? to.base + (to.rows ? to.rows[i] : i * to.stride)
                                        : vals[c] + i * w;
            same = memcmp(got, cv[c] + i * w, w) == 0;
        }
        CU_ASSERT(same);
        if (!same) fprintf(stderr, "way %d column %d (%s): wrong bytes\n", way, c,
                           placed ? "placed" : "not placed");
    }
    if (way >= 2) {
        CU_ASSERT(placed_any);
        /* nothing outside the placed values was written */
        bool clean = rec[at] == 0x5A;
        for (size_t i = 0; i < NV && clean; i++) {
            const size_t gap_end = rows[i], gap_start = i ? rows[i - 1] + width : 0;
            for (size_t q = gap_start; q < gap_end; q++) clean = clean && rec[q] == 0x5A;
        }
        CU_ASSERT(clean);
    }
    for (int c = 0; c < NC; c++) free(vals[c]);
    free(rec);
    free(rows);
}

/* Column c of the chunk (enc[c], peers 0..c-1 placed in records at offsets
 * or back to back) decoded from damaged bodies (1..3 bytes changed, or cut
 * short; stored raw) into records with a guard byte around every value:
 * CBZ_OK or CBZ_ERR_FORMAT, and no guard touched. */
static void damage_column(cbz_buf *enc, int c)
{
    /* records of one stride for every column: the widest value and a guard
     * byte each side */
    size_t stride = 0;
    for (int j = 0; j < NC; j++) stride = cd[j].width + 2 > stride ? cd[j].width + 2 : stride;
    const size_t w = cd[c].width;
    cbz_cursor cur;
    cbz_cursor_init(&cur, enc[c].data, enc[c].len);
    uint8_t ver, method, entropy;
    uint64_t n2, len;
    CU_ASSERT_FATAL(cbz_cursor_u8(&cur, &ver) && cbz_cursor_u8(&cur, &method) &&
                    cbz_cursor_varint(&cur, &n2) && cbz_cursor_varint(&cur, &len) &&
                    cbz_cursor_u8(&cur, &entropy));
    uint8_t *body = malloc((size_t)len + 1), *rec = malloc(NV * stride), *vals = malloc(NV * w);
    CU_ASSERT_FATAL(body && rec && vals);
    cbz_error err = { 0 };
    if (entropy) {
        CU_ASSERT_EQUAL_FATAL(cbz_zstd_decompress(enc[c].data + cur.pos, enc[c].len - cur.pos,
                                                  body, (size_t)len, &err),
                              CBZ_OK);
    } else {
        memcpy(body, enc[c].data + cur.pos, (size_t)len);
    }
    /* the peers, decoded first (placed where their decode does that) */
    uint8_t *pv[NC], *prec[NC];
    size_t *rows = malloc(NV * sizeof *rows);
    CU_ASSERT_FATAL(rows != NULL);
    for (size_t i = 0; i < NV; i++) rows[i] = i * stride + 1;
    cbz_col_peer peers[NC];
    cbz_col_rows at[NC];
    cbz_column_decode_chunk_begin();
    for (int j = 0; j < c; j++) {
        pv[j] = malloc(NV * cd[j].width);
        prec[j] = malloc(NV * stride);
        CU_ASSERT_FATAL(pv[j] && prec[j]);
        bool placed = false;
        const cbz_col_rows to = { prec[j], rows, 0 };
        CU_ASSERT_EQUAL(cbz_column_decode_rows(&cd[j], enc[j].data, enc[j].len, NV, peers,
                                               (size_t)j, at, pv[j], j % 2 ? &to : NULL, &placed,
                                               &err),
                        CBZ_OK);
        peers[j] = peer_of(cd[j], placed ? prec[j] : pv[j], NV);
        at[j] = placed ? to : (cbz_col_rows){ NULL, NULL, 0 };
    }
    uint64_t seed = 0x51ED + (uint64_t)c;
    for (unsigned t = 0; t < 300; t++) {
        tbuf m = { 0 };
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t blen = (size_t)len;
        if (t % 4 == 3 && blen > 0) blen = (size_t)((seed >> 20) % blen);
        tb_u8(&m, ver);
        tb_u8(&m, method);
        tb_varint(&m, NV);
        tb_varint(&m, blen);
        tb_u8(&m, 0);
        const size_t at0 = m.len;
        for (size_t i = 0; i < blen; i++) tb_u8(&m, body[i]);
        for (unsigned f = 0; f < 1 + (seed >> 60) % 3 && blen > 0; f++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const size_t q = at0 + (size_t)((seed >> 16) % blen);
            m.p[q] = (t & 1) ? (uint8_t)(seed >> 40) : (uint8_t)(m.p[q] ^ (1u << ((seed >> 8) % 8)));
        }
        memset(rec, 0xA5, NV * stride);
        bool placed = false;
        const cbz_col_rows to = { rec, rows, 0 };
        /* the memo is the chunk's: a damaged column is decoded as stream c
         * again and again, its peers as they were */
        cbz_status rc = cbz_column_decode_rows(&cd[c], m.p, m.len, NV, peers, (size_t)c, at, vals,
                                               &to, &placed, &err);
        CU_ASSERT(rc == CBZ_OK || rc == CBZ_ERR_FORMAT);
        bool guards = true;
        for (size_t i = 0; i < NV && guards; i++)
            guards = rec[i * stride] == 0xA5 && rec[i * stride + 1 + w] == 0xA5;
        CU_ASSERT(guards);
        if (!guards || (rc != CBZ_OK && rc != CBZ_ERR_FORMAT))
            fprintf(stderr, "column %d, damage %u: status %d (%s)\n", c, t, (int)rc, err.msg);
        free(m.p);
    }
    for (int j = 0; j < c; j++) {
        free(pv[j]);
        free(prec[j]);
    }
    free(rows);
    free(body);
    free(rec);
    free(vals);
}

static void test_chunk_ways(void)
{
    make_chunk();
    cbz_buf enc[NC];
    cbz_col_peer peers[NC];
    cbz_error err = { 0 };
    for (int c = 0; c < NC; c++) {
        cbz_buf_init(&enc[c]);
        CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&cd[c], cv[c], NV, peers, (size_t)c, 3,
                                                      &enc[c], NULL, &err),
                              CBZ_OK);
        peers[c] = peer_of(cd[c], cv[c], NV);
    }
    for (int way = 0; way < 4; way++) decode_chunk(enc, way);
    /* twice more: the memo and the kept flags of one chunk never reach the next */
    for (int way = 1; way < 4; way++) decode_chunk(enc, way);
    for (int c = 0; c < NC; c++) damage_column(enc, c);
    for (int c = 0; c < NC; c++) {
        cbz_buf_free(&enc[c]);
        free(cv[c]);
    }
}

/* A numeric column (method 4, stored body): transform NONE, the flags, the
 * reference (ref >= 0), the exceptions at exc[0..ne) with their raw bytes,
 * then the m integers v as 8 byte planes. */
static tbuf numeric_col(size_t n, size_t w, int ref, uint8_t mode, const size_t *exc, size_t ne,
                        const uint8_t *raw, const int64_t *v, size_t m)
{
    tbuf b = { 0 };
    tb_u8(&b, 0);
    tb_u8(&b, (uint8_t)((ref >= 0 ? 4 : 0) | (ne ? 2 | 16 : 0)));
    if (ref >= 0) {
        tb_varint(&b, (uint64_t)ref);
        tb_u8(&b, mode);
    }
    if (ne) {
        tb_varint(&b, ne);
        for (size_t k = 0; k < ne; k++) tb_varint(&b, k ? exc[k] - exc[k - 1] - 1 : exc[0]);
        for (size_t k = 0; k < ne * w; k++) tb_u8(&b, raw[k]);
    }
    tb_u8(&b, 0x80 | 8);
    for (unsigned j = 0; j < 8; j++)
        for (size_t i = 0; i < m; i++) tb_u8(&b, (uint8_t)(tzz(v[i]) >> (8 * j)));
    tbuf c = { 0 };
    tb_u8(&c, 1);
    tb_u8(&c, 4);
    tb_varint(&c, n);
    tb_varint(&c, b.len);
    tb_u8(&c, 0);
    for (size_t i = 0; i < b.len; i++) tb_u8(&c, b.p[i]);
    free(b.p);
    return c;
}

/* Column 0 as given, then column 1 = column 0's integers + 1 (R_SUB): the
 * memo's way and the placed way must read column 0 as parsing its bytes
 * does. */
static void check_memo_case(const tbuf *c0, const cbz_col_desc *d0, size_t n, const char *what)
{
    const cbz_col_desc d1 = mk(CBZ_COL_BINARY, 8, 0, 1, 1);
    int64_t *ones = malloc(n * sizeof *ones);
    CU_ASSERT_FATAL(ones != NULL);
    for (size_t i = 0; i < n; i++) ones[i] = 1;
    tbuf c1 = numeric_col(n, 8, 0, 0 /* R_SUB, k 0 */, NULL, 0, NULL, ones, n);
    const size_t w0 = d0->width;
    uint8_t *ref0 = malloc(n * w0), *ref1 = malloc(n * 8), *v0 = malloc(n * w0),
            *v1 = malloc(n * 8), *rec = malloc(n * (w0 + 8));
    CU_ASSERT_FATAL(ref0 && ref1 && v0 && v1 && rec);
    cbz_error err = { 0 };
    cbz_col_peer peers[2];
    /* one column at a time: the reference */
    CU_ASSERT_EQUAL_FATAL(cbz_column_decode_peers(d0, c0->p, c0->len, n, NULL, 0, ref0, &err),
                          CBZ_OK);
    peers[0] = peer_of(*d0, ref0, n);
    CU_ASSERT_EQUAL_FATAL(cbz_column_decode_peers(&d1, c1.p, c1.len, n, peers, 1, ref1, &err),
                          CBZ_OK);
    for (int way = 0; way < 2; way++) {
        cbz_column_decode_chunk_begin();
        bool placed = false;
        const cbz_col_rows to = { rec, NULL, w0 + 8 };
        cbz_col_rows at[2] = { { NULL, NULL, 0 }, { NULL, NULL, 0 } };
        CU_ASSERT_EQUAL(cbz_column_decode_rows(d0, c0->p, c0->len, n, NULL, 0, at, v0,
                                               way ? &to : NULL, &placed, &err),
                        CBZ_OK);
        peers[0] = peer_of(*d0, placed ? rec : v0, n);
        if (placed) at[0] = to;
        CU_ASSERT_EQUAL(cbz_column_decode_rows(&d1, c1.p, c1.len, n, peers, 1, at, v1, NULL,
                                               &placed, &err),
                        CBZ_OK);
        CU_ASSERT(memcmp(v1, ref1, n * 8) == 0);
        if (memcmp(v1, ref1, n * 8) != 0) fprintf(stderr, "%s, way %d: wrong reference\n", what, way);
    }
    free(ones);
    free(c1.p);
    free(ref0);
    free(ref1);
    free(v0);
    free(v1);
    free(rec);
}

static void test_memo_exactness(void)
{
    const size_t n = 700;
    int64_t *v = malloc(n * sizeof *v);
    size_t *exc = malloc(n * sizeof *exc);
    uint8_t *raw = malloc(n * 8);
    CU_ASSERT_FATAL(v && exc && raw);
    /* zoned dates with exceptions whose bytes are spaces, and one whose
     * bytes are a valid number (the encoder never writes that) */
    cbz_col_desc dz = mk(CBZ_COL_ZONED, 8, 0, 1, 0);
    dz.digits = 8;
    for (int valid_exc = 0; valid_exc < 2; valid_exc++) {
        size_t ne = 0, m = 0;
        for (size_t i = 0; i < n; i++) {
            if (i % 3 == 1) {
                exc[ne] = i;
                memset(raw + ne * 8, 0x40, 8);
                if (valid_exc && ne == 5) put_zoned(raw + ne * 8, 8, 12345678);
                ne++;
            } else {
                v[m++] = 20240000 + (int64_t)i;
            }
        }
        tbuf c0 = numeric_col(n, 8, -1, 0, exc, ne, raw, v, m);
        check_memo_case(&c0, &dz, n, valid_exc ? "a valid exception" : "blank exceptions");
        free(c0.p);
    }
    /* integers the width cannot hold (a 2-digit zoned column given 123 and
     * -5), and none at all */
    cbz_col_desc d2 = mk(CBZ_COL_ZONED, 2, 0, 1, 0);
    d2.digits = 2;
    for (int bad = 0; bad < 3; bad++) {
        for (size_t i = 0; i < n; i++) v[i] = (int64_t)(i % 100);
        if (bad == 1) v[17] = 123;
        if (bad == 2) v[33] = -5;
        tbuf c0 = numeric_col(n, 2, -1, 0, NULL, 0, NULL, v, n);
        check_memo_case(&c0, &d2, n, bad ? "an integer out of range" : "integers in range");
        free(c0.p);
    }
    free(v);
    free(exc);
    free(raw);
}


/* A text column masked by a zoned column (dates, blank in unused entries):
 * the decoder takes the blank flags from the zoned column's exceptions
 * when the memo keeps it and they are all blank, else from its bytes.  The
 * zoned column's exceptions are spaces, or spaces and low-values (not
 * blank: the mask must not take them), or none; each way of decoding
 * (alone, with the memo, placed) must give the text back. */
static void test_mask_by_numeric(void)
{
    const size_t n = 3001, wz = 8, wt = 6;
    cbz_col_desc dz = mk(CBZ_COL_ZONED, (uint32_t)wz, 0, 1, 0);
    const cbz_col_desc dt = mk(CBZ_COL_TEXT, (uint32_t)wt, 0, 1, 0);
    dz.digits = 8;
    uint8_t *z = malloc(n * wz), *t = malloc(n * wt), *oz = malloc(n * wz), *ot = malloc(n * wt);
    uint8_t *rec = malloc(n * (wz + wt));
    CU_ASSERT_FATAL(z && t && oz && ot && rec);
    for (int kind = 0; kind < 3; kind++) {
        for (size_t i = 0; i < n; i++) {
            const unsigned r = (unsigned)(rnd() % 8);
            const bool blank = kind < 2 && r < 3, low = kind == 1 && r == 3;
            if (blank) memset(z + i * wz, 0x40, wz);
            else if (low) memset(z + i * wz, 0x00, wz);
            else put_zoned(z + i * wz, wz, 20240000 + rnd() % 1000);
            if (blank) memset(t + i * wt, 0x40, wt);
            else for (size_t j = 0; j < wt; j++) t[i * wt + j] = (uint8_t)(0xC1 + rnd() % 4);
        }
        cbz_buf ez, et;
        cbz_buf_init(&ez);
        cbz_buf_init(&et);
        cbz_error err = { 0 };
        cbz_col_stats st;
        cbz_col_peer pz = peer_of(dz, z, n);
        CU_ASSERT_EQUAL_FATAL(cbz_column_encode(&dz, z, n, 3, &ez, NULL, &err), CBZ_OK);
        CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&dt, t, n, &pz, 1, 3, &et, &st, &err),
                              CBZ_OK);
        CU_ASSERT(kind == 2 || strncmp(st.chain, "mask>", 5) == 0);
        for (int way = 0; way < 3; way++) {
            cbz_col_peer peers[1];
            cbz_col_rows at[1] = { { NULL, NULL, 0 } };
            bool placed = false;
            const cbz_col_rows to = { rec, NULL, wz + wt };
            memset(ot, 0xAA, n * wt);
            if (way == 0) {
                CU_ASSERT_EQUAL(cbz_column_decode(&dz, ez.data, ez.len, n, oz, &err), CBZ_OK);
                peers[0] = peer_of(dz, oz, n);
                CU_ASSERT_EQUAL(
                    cbz_column_decode_peers(&dt, et.data, et.len, n, peers, 1, ot, &err), CBZ_OK);
            } else {
                cbz_column_decode_chunk_begin();
                CU_ASSERT_EQUAL(cbz_column_decode_rows(&dz, ez.data, ez.len, n, NULL, 0, at, oz,
                                                       way == 2 ? &to : NULL, &placed, &err),
                                CBZ_OK);
                peers[0] = peer_of(dz, placed ? rec : oz, n);
                if (placed) at[0] = to;
                CU_ASSERT_EQUAL(cbz_column_decode_rows(&dt, et.data, et.len, n, peers, 1, at, ot,
                                                       NULL, &placed, &err),
                                CBZ_OK);
            }
            CU_ASSERT(memcmp(ot, t, n * wt) == 0);
            if (memcmp(ot, t, n * wt) != 0)
                fprintf(stderr, "mask kind %d way %d: wrong bytes\n", kind, way);
        }
        cbz_buf_free(&ez);
        cbz_buf_free(&et);
    }
    free(z);
    free(t);
    free(oz);
    free(ot);
    free(rec);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column rows", NULL, NULL);
    CU_add_test(s, "a chunk decoded one column at a time, with the memo, placed in records",
                test_chunk_ways);
    CU_add_test(s, "the memo only where it gives what parsing the bytes gives", test_memo_exactness);
    CU_add_test(s, "text masked by a zoned column, its exceptions blank or not",
                test_mask_by_numeric);
    return cbz_cunit_run() ? 1 : 0;
}
