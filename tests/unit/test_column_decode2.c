/*
 * test_column_decode2.c — the numeric decoder's reference paths (src/column.c,
 * decoder side), on numeric bodies written here byte by byte (docs/LAYERS.md)
 * so that each path is taken for certain: residuals against a reference
 * divided by 10^k for every scale the mode byte allows (R_SUB and R_DSUB),
 * exceptions by reference (the reference's invalid positions plus listed
 * ones, counted among the valid positions) with and without dense integers,
 * and the errors a listed exception past the valid positions or a truncated
 * list gives.  The expected bytes are computed here from the definitions.
 */
#include "column.h"
#include "column_testutil.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>

/* The body bytes of the format (docs/LAYERS.md). */
enum { T_M_NUMERIC = 4, T_X_NONE = 0 };
enum { T_NF_EXCEPTIONS = 2, T_NF_REF = 4, T_NF_EXC_REF = 8, T_NF_DENSE = 16 };
enum { T_R_SUB = 0, T_R_DSUB = 1, T_R_EXC = 2 };

typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf;

static void tb_u8(tbuf *b, uint8_t x)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->p = realloc(b->p, b->cap);
        CU_ASSERT_FATAL(b->p != NULL);
    }
    b->p[b->len++] = x;
}

static void tb_varint(tbuf *b, uint64_t x)
{
    while (x >= 0x80) {
        tb_u8(b, (uint8_t)(x | 0x80));
        x >>= 7;
    }
    tb_u8(b, (uint8_t)x);
}

static uint64_t tzz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

/* A packed block of the m integers v as 8 byte planes of their zigzag form. */
static void tb_planes(tbuf *b, const int64_t *v, size_t m)
{
    tb_u8(b, 0x80 | 8);
    for (unsigned j = 0; j < 8; j++)
        for (size_t i = 0; i < m; i++) tb_u8(b, (uint8_t)(tzz(v[i]) >> (8 * j)));
}

/* The whole column: header (version 1, method, count, body length, stored). */
static tbuf column_of(const tbuf *body, size_t n)
{
    tbuf c = { 0 };
    tb_u8(&c, 1);
    tb_u8(&c, T_M_NUMERIC);
    tb_varint(&c, n);
    tb_varint(&c, body->len);
    tb_u8(&c, 0);
    for (size_t i = 0; i < body->len; i++) tb_u8(&c, body->p[i]);
    return c;
}

static void put_be8(uint8_t *o, int64_t x)
{
    for (int j = 7; j >= 0; j--) {
        o[j] = (uint8_t)x;
        x = (int64_t)((uint64_t)x >> 8);
    }
}

static const int64_t t_pow10[7] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };

#define N_REF 517
#define PW 6 /* the reference: COMP-3 of 6 bytes */

/* A binary column of residuals against a COMP-3 reference for every scale k
 * of the mode byte and both operations. */
static void test_ref_scales(void)
{
    const size_t n = N_REF;
    cbz_col_desc pd = mk(CBZ_COL_PACKED, PW, 0, 1, 1);
    pd.digits = 2 * PW - 1;
    cbz_col_desc d = mk(CBZ_COL_BINARY, 8, 0, 1, 1);
    uint8_t *pv = malloc(n * PW), *out = malloc(n * 8), *want = malloc(n * 8);
    int64_t *r = malloc(n * sizeof *r), *res = malloc(n * sizeof *res);
    CU_ASSERT_FATAL(pv && out && want && r && res);
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        r[i] = (int64_t)((s >> 20) % 20000000000ull) - 10000000000LL; /* 11 digits */
        put_packed(pv + i * PW, PW, r[i]);
        res[i] = (int64_t)((s >> 8) % 2001) - 1000;
    }
    cbz_col_peer peer = peer_of(pd, pv, n);
    for (unsigned op = T_R_SUB; op <= T_R_DSUB; op++)
        for (unsigned k = 0; k <= 6; k++) {
            tbuf body = { 0 };
            tb_u8(&body, T_X_NONE);
            tb_u8(&body, T_NF_REF);
            tb_varint(&body, 0);
            tb_u8(&body, (uint8_t)(op | k << 4));
            tb_planes(&body, res, n);
            tbuf col = column_of(&body, n);
            int64_t last = 0;
            for (size_t i = 0; i < n; i++) {
                const int64_t x = res[i] + r[i] / t_pow10[k];
                last = op == T_R_SUB ? x : last + x;
                put_be8(want + i * 8, last);
            }
            cbz_error err = { 0 };
            cbz_status rc = cbz_column_decode_peers(&d, col.p, col.len, n, &peer, 1, out, &err);
            CU_ASSERT_EQUAL(rc, CBZ_OK);
            CU_ASSERT(rc == CBZ_OK && memcmp(out, want, n * 8) == 0);
            if (rc != CBZ_OK) fprintf(stderr, "op %u k %u: %s\n", op, k, err.msg);
            free(body.p);
            free(col.p);
        }
    free(pv);
    free(out);
    free(want);
    free(r);
    free(res);
}

/* Exceptions by reference: a COMP-3 reference invalid (spaces) at random
 * rows, plus listed exceptions among its valid rows; dense or not, R_EXC or
 * R_DSUB.  Each row is checked against the definition. */
static void check_exc_ref(unsigned op, bool dense, unsigned seed)
{
    const size_t n = N_REF;
    cbz_col_desc pd = mk(CBZ_COL_PACKED, PW, 0, 1, 1);
    pd.digits = 2 * PW - 1;
    cbz_col_desc d = mk(CBZ_COL_BINARY, 8, 0, 1, 1);
    uint8_t *pv = malloc(n * PW), *out = malloc(n * 8), *want = malloc(n * 8);
    uint8_t *rbad = calloc(n, 1), *exc = calloc(n, 1);
    int64_t *r = calloc(n, sizeof *r), *ints = malloc(n * sizeof *ints);
    size_t *listed = malloc(n * sizeof *listed);
    CU_ASSERT_FATAL(pv && out && want && rbad && exc && r && ints && listed);
    uint64_t s = seed;
    size_t nlist = 0, nvalid = 0;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        rbad[i] = (s >> 33) & 1; /* about half, at random */
        if (i >= n - 9) rbad[i] = 1; /* a run of invalid rows at the end */
        if (rbad[i]) {
            memset(pv + i * PW, 0x40, PW);
        } else {
            r[i] = (int64_t)((s >> 12) % 2000000) - 1000000;
            put_packed(pv + i * PW, PW, r[i]);
            if ((s >> 40) % 7 == 0 || nvalid == 0) listed[nlist++] = i; /* the first valid row too */
            nvalid++;
        }
        exc[i] = rbad[i];
    }
    for (size_t q = 0; q < nlist; q++) exc[listed[q]] = 1;
    tbuf body = { 0 };
    tb_u8(&body, T_X_NONE);
    tb_u8(&body, (uint8_t)(T_NF_REF | T_NF_EXCEPTIONS | T_NF_EXC_REF | (dense ? T_NF_DENSE : 0)));
    tb_varint(&body, 0);
    tb_u8(&body, (uint8_t)op);
    tb_varint(&body, nlist);
    /* gap: valid rows between the previous listed one and this one */
    size_t prev_ord = 0, ord = 0, q = 0;
    for (size_t i = 0; i < n && q < nlist; i++) {
        if (rbad[i]) continue;
        if (i == listed[q]) {
            tb_varint(&body, ord - prev_ord);
            prev_ord = ord + 1;
            q++;
        }
        ord++;
    }
    size_t nbad = 0;
    for (size_t i = 0; i < n; i++)
        if (exc[i]) {
            for (unsigned j = 0; j < 8; j++) tb_u8(&body, (uint8_t)(0xA0 + nbad + j));
            nbad++;
        }
    /* the integers: residuals (R_DSUB) or values (R_EXC); dense leaves the
     * exceptions out */
    size_t m = 0;
    int64_t last = 0;
    for (size_t i = 0, e = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        const int64_t x = (int64_t)((s >> 20) % 100001) - 50000;
        if (exc[i]) {
            for (unsigned j = 0; j < 8; j++) want[i * 8 + j] = (uint8_t)(0xA0 + e + j);
            e++;
            if (!dense) ints[m++] = x; /* anything: the row is raw */
            if (op == T_R_DSUB) last += r[i]; /* a dense exception is a 0 residual */
            continue;
        }
        ints[m++] = x;
        last = op == T_R_DSUB ? last + x + r[i] : x;
        put_be8(want + i * 8, last);
    }
    if (op == T_R_DSUB && !dense) {
        /* not dense: the residuals at exceptions count in the running sum;
         * make them 0 so that the sum above holds */
        for (size_t i = 0, j = 0; i < n; i++, j++)
            if (exc[i]) ints[j] = 0;
    }
    tb_planes(&body, ints, m);
    tbuf col = column_of(&body, n);
    cbz_col_peer peer = peer_of(pd, pv, n);
    cbz_error err = { 0 };
    cbz_status rc = cbz_column_decode_peers(&d, col.p, col.len, n, &peer, 1, out, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    if (rc != CBZ_OK) fprintf(stderr, "op %u dense %d: %s\n", op, dense, err.msg);
    size_t wrong = 0;
    for (size_t i = 0; rc == CBZ_OK && i < n; i++) wrong += memcmp(out + i * 8, want + i * 8, 8) != 0;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(nlist > 3 && nbad > nlist + n / 4); /* the test data has both kinds */

    /* a listed exception one past the last valid row: refused */
    if (nlist > 0) {
        tbuf bad = { 0 };
        tb_u8(&bad, T_X_NONE);
        tb_u8(&bad, (uint8_t)(T_NF_REF | T_NF_EXCEPTIONS | T_NF_EXC_REF));
        tb_varint(&bad, 0);
        tb_u8(&bad, (uint8_t)op);
        tb_varint(&bad, 1);
        tb_varint(&bad, nvalid); /* ordinals are 0..nvalid-1 */
        tbuf bcol = column_of(&bad, n);
        rc = cbz_column_decode_peers(&d, bcol.p, bcol.len, n, &peer, 1, out, &err);
        CU_ASSERT_EQUAL(rc, CBZ_ERR_FORMAT);
        /* the list cut short */
        rc = cbz_column_decode_peers(&d, col.p, col.len, n, &peer, 1, out, &err);
        CU_ASSERT_EQUAL(rc, CBZ_OK);
        tbuf cut = { 0 };
        for (size_t i = 0; i < 8 && i < body.len; i++) tb_u8(&cut, body.p[i]);
        tbuf ccol = column_of(&cut, n);
        rc = cbz_column_decode_peers(&d, ccol.p, ccol.len, n, &peer, 1, out, &err);
        CU_ASSERT_EQUAL(rc, CBZ_ERR_FORMAT);
        free(bad.p);
        free(bcol.p);
        free(cut.p);
        free(ccol.p);
    }
    free(body.p);
    free(col.p);
    free(pv);
    free(out);
    free(want);
    free(rbad);
    free(exc);
    free(r);
    free(ints);
    free(listed);
}

static void test_exc_ref_paths(void)
{
    for (unsigned seed = 1; seed <= 3; seed++) {
        check_exc_ref(T_R_EXC, false, seed);
        check_exc_ref(T_R_EXC, true, seed);
        check_exc_ref(T_R_DSUB, false, seed);
        check_exc_ref(T_R_DSUB, true, seed);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column_decode2", NULL, NULL);
    if (!s) return 1;
    CU_add_test(s, "residuals against a reference at every scale", test_ref_scales);
    CU_add_test(s, "exceptions by reference, dense or not", test_exc_ref_paths);
    return cbz_cunit_run();
}
