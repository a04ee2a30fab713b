/*
 * test_column_decode2.c — the numeric decoder's reference paths (src/column.c,
 * decoder side), on numeric bodies written here byte by byte (docs/LAYERS.md)
 * so that each path is taken for certain: residuals against a reference
 * divided by 10^k for every scale the mode byte allows (R_SUB and R_DSUB),
 * exceptions by reference (the reference's invalid positions plus listed
 * ones, counted among the valid positions) with and without dense integers,
 * and the errors a listed exception past the valid positions or a truncated
 * list gives.  The expected bytes are computed here from the definitions.
 * Then the decoder's word-at-a-time paths at the widths around their
 * limits, each through the encoder and back and then damaged many ways
 * (CBZ_OK or CBZ_ERR_FORMAT, nothing written past the values): digit-run
 * text (TEXT_NUM's marker bit masks, rows of 8..64 bytes), trimmed text,
 * text references (the rest of a value moved by words or bytes, the room
 * for the peer's text checked), references decoded just before, masks by
 * a peer whose bytes change, and decimal planes whose digit pairs >= 100
 * must be refused.
 */
#include "column.h"
#include "column_testutil.h"
#include "kernels.h"
#include "zstd_wrap.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The body bytes of the format (docs/LAYERS.md). */
enum { T_M_NUMERIC = 4, T_X_NONE = 0 };
enum { T_NF_EXCEPTIONS = 2, T_NF_REF = 4, T_NF_EXC_REF = 8, T_NF_DENSE = 16 };
enum { T_R_SUB = 0, T_R_DSUB = 1, T_R_EXC = 2 };


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

/* Damages an encoding many ways (its body unpacked, 1..3 bytes changed or
 * the body cut short, stored raw) and decodes each: CBZ_OK or
 * CBZ_ERR_FORMAT every time, nothing written past the n values (run under
 * the sanitizers by make test-asan).  False when something else happened. */
static bool corrupt_tries(const cbz_col_desc *d, size_t n, const cbz_col_peer *peers, size_t np,
                          const cbz_buf *enc, unsigned tries, uint64_t seed)
{
    cbz_cursor c;
    cbz_cursor_init(&c, enc->data, enc->len);
    uint8_t ver, method, entropy;
    uint64_t n2, len;
    if (!cbz_cursor_u8(&c, &ver) || !cbz_cursor_u8(&c, &method) || !cbz_cursor_varint(&c, &n2) ||
        !cbz_cursor_varint(&c, &len) || !cbz_cursor_u8(&c, &entropy))
        return false;
    uint8_t *body = malloc((size_t)len + 1), *back = malloc(n * d->width + 1);
    cbz_error err = { 0 };
    bool ok = body && back;
    if (ok && entropy == 0) memcpy(body, enc->data + c.pos, (size_t)len);
    else if (ok)
        ok = cbz_zstd_decompress(enc->data + c.pos, enc->len - c.pos, body, (size_t)len, &err) ==
             CBZ_OK;
    for (unsigned t = 0; ok && t < tries; t++) {
        tbuf m = { 0 };
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t blen = (size_t)len;
        if (t % 4 == 3 && blen > 0) blen = (size_t)((seed >> 20) % blen); /* cut short */
        tb_u8(&m, ver);
        tb_u8(&m, method);
        tb_varint(&m, n);
        tb_varint(&m, blen);
        tb_u8(&m, 0);
        const size_t at = m.len;
        for (size_t i = 0; i < blen; i++) tb_u8(&m, body[i]);
        for (unsigned f = 0; f < 1 + (seed >> 60) % 3 && blen > 0; f++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const size_t q = at + (size_t)((seed >> 16) % blen);
            m.p[q] = (t & 1) ? (uint8_t)(seed >> 40) : (uint8_t)(m.p[q] ^ (1u << ((seed >> 8) % 8)));
        }
        back[n * d->width] = 0xA5;
        cbz_status rc = cbz_column_decode_peers(d, m.p, m.len, n, peers, np, back, &err);
        if ((rc != CBZ_OK && rc != CBZ_ERR_FORMAT) || back[n * d->width] != 0xA5) {
            fprintf(stderr, "corrupt try %u: status %d (%s)\n", t, (int)rc, err.msg);
            ok = false;
        }
        free(m.p);
    }
    free(body);
    free(back);
    return ok;
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
 * rows, plus listed exceptions among its valid rows (about one in `every`:
 * 7 walks the reference's flags for each, 2 reads the valid positions
 * listed once); dense or not, R_EXC or R_DSUB.  Each row is checked against
 * the definition. */
static void check_exc_ref(unsigned op, bool dense, unsigned seed, unsigned every)
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
            /* the first valid row too */
            if ((s >> 40) % every == 0 || nvalid == 0) listed[nlist++] = i;
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
        /* many listed (a third of the valid rows), the last one past the end */
        tbuf many = { 0 };
        tb_u8(&many, T_X_NONE);
        tb_u8(&many, (uint8_t)(T_NF_REF | T_NF_EXCEPTIONS | T_NF_EXC_REF));
        tb_varint(&many, 0);
        tb_u8(&many, (uint8_t)op);
        const size_t k = nvalid / 3 + 1;
        tb_varint(&many, k);
        for (size_t q = 0; q + 1 < k; q++) tb_varint(&many, 0);
        tb_varint(&many, nvalid - (k - 1)); /* one past the last valid row */
        tbuf mcol = column_of(&many, n);
        rc = cbz_column_decode_peers(&d, mcol.p, mcol.len, n, &peer, 1, out, &err);
        CU_ASSERT_EQUAL(rc, CBZ_ERR_FORMAT);
        free(many.p);
        free(mcol.p);
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
        for (unsigned every = 2; every <= 7; every += 5) {
            check_exc_ref(T_R_EXC, false, seed, every);
            check_exc_ref(T_R_EXC, true, seed, every);
            check_exc_ref(T_R_DSUB, false, seed, every);
            check_exc_ref(T_R_DSUB, true, seed, every);
        }
    }
}

/* TEXT_NUM (method 6) at widths on both sides of the decoder's bit-mask
 * path (8..64 bytes) and its byte path: values with digit runs at the start,
 * in the middle and in the last byte, shorter than 8 bytes, all digits, and
 * some without any, in ASCII and EBCDIC; the column must round-trip through
 * the encoder and must have taken TEXT_NUM (directly or under a mask). */
static void check_text_num(size_t w, uint8_t ebcdic, unsigned seed)
{
    const size_t n = 900;
    cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, ebcdic, 0);
    uint8_t *v = malloc(n * w), *out = malloc(n * w);
    CU_ASSERT_FATAL(v && out);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + w;
    static const char *const pre[] = { "INV", "A", "", "ST ", "#", "REF-X" };
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        char t[160];
        const unsigned shape = (unsigned)(s >> 59) % 8;
        const unsigned long long num = (s >> 17) % 100000000ull;
        switch (shape) {
        case 0: snprintf(t, sizeof t, "%s%llu", pre[(s >> 8) % 6], num); break;
        case 1: snprintf(t, sizeof t, "%llu %s", num % 9999, "MAIN ST"); break;
        case 2: snprintf(t, sizeof t, "%s%llu/%llu", pre[(s >> 8) % 6], num % 97, num % 13); break;
        case 3: snprintf(t, sizeof t, "%llu", num % 1000); break;
        case 4: snprintf(t, sizeof t, "NO DIGITS"); break;
        case 5: snprintf(t, sizeof t, "%s%016llu%llu", pre[(s >> 8) % 6], num, num % 7); break;
        default: /* a text of 0..47 letters, then a run, then maybe more: the
                  * runs fall on every byte of a word, the last one included */
            {
                const size_t l = (size_t)((s >> 3) % 48);
                for (size_t j = 0; j < l; j++) t[j] = (char)('A' + (j * 7) % 26);
                snprintf(t + l, sizeof t - l, shape == 6 ? "%llu" : "%llu X%llu", num % 1000,
                         num % 10);
            }
            break;
        }
        put_text(v + i * w, w, t);
        if (ebcdic) /* ASCII letters, digits, space and the few signs to cp037 */
            for (size_t j = 0; j < w; j++) {
                uint8_t *c = v + i * w + j;
                if (*c >= '0' && *c <= '9') *c = (uint8_t)(0xF0 + (*c - '0'));
                else if (*c == ' ') *c = 0x40;
                else if (*c >= 'A' && *c <= 'I') *c = (uint8_t)(0xC1 + (*c - 'A'));
                else if (*c >= 'J' && *c <= 'R') *c = (uint8_t)(0xD1 + (*c - 'J'));
                else if (*c >= 'S' && *c <= 'Z') *c = (uint8_t)(0xE2 + (*c - 'S'));
                else *c = 0x4B; /* '.' for '#', '/', '-' */
            }
    }
    cbz_buf enc;
    cbz_buf_init(&enc);
    cbz_error err = { 0 };
    cbz_status rc = cbz_column_encode(&d, v, n, 3, &enc, NULL, &err);
    CU_ASSERT_EQUAL_FATAL(rc, CBZ_OK);
    const bool want_num = w >= 7; /* narrower: the encoder may find better */
    CU_ASSERT(enc.len >= 2 && (!want_num || enc.data[1] == 6)); /* M_TEXT_NUM */
    memset(out, 0xAA, n * w);
    rc = cbz_column_decode(&d, enc.data, enc.len, n, out, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    CU_ASSERT(rc == CBZ_OK && memcmp(out, v, n * w) == 0);
    CU_ASSERT(corrupt_tries(&d, n, NULL, 0, &enc, 60, seed * 31 + w));
    if (rc != CBZ_OK || memcmp(out, v, n * w) != 0 || (want_num && enc.data[1] != 6))
        fprintf(stderr, "text num width %zu ebcdic %u method %u: %s\n", w, ebcdic,
                enc.len >= 2 ? enc.data[1] : 0, rc != CBZ_OK                       ? err.msg
                : memcmp(out, v, n * w) != 0 ? "bytes differ"
                                             : "not TEXT_NUM");
    cbz_buf_free(&enc);
    free(v);
    free(out);
}

static void test_text_num_widths(void)
{
    static const size_t widths[] = { 4, 7, 8, 9, 12, 15, 16, 17, 24, 31, 40, 63, 64, 65, 80 };
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++)
        for (uint8_t eb = 0; eb <= 1; eb++) check_text_num(widths[k], eb, (unsigned)(k + 1));
}

/* EBCDIC zoned x in w bytes, sign mode sm (kernels.h CBZ_K_SIGN_*); posz:
 * the overpunch zone of a positive value (0xC0 canonical when signed, 0xF0
 * otherwise). */
static void put_zoned_eb(uint8_t *o, size_t w, int sm, int64_t x, uint8_t posz)
{
    uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    const bool sep = sm == CBZ_K_SIGN_TRAILING_SEPARATE || sm == CBZ_K_SIGN_LEADING_SEPARATE;
    const size_t first = sm == CBZ_K_SIGN_LEADING_SEPARATE ? 1 : 0, nd = sep ? w - 1 : w;
    for (size_t j = nd; j-- > 0;) {
        o[first + j] = (uint8_t)(0xF0 | m % 10);
        m /= 10;
    }
    const uint8_t zone = x < 0 ? 0xD0 : posz;
    switch (sm) {
    case CBZ_K_SIGN_TRAILING: o[w - 1] = (uint8_t)(zone | (o[w - 1] & 15)); break;
    case CBZ_K_SIGN_LEADING: o[0] = (uint8_t)(zone | (o[0] & 15)); break;
    case CBZ_K_SIGN_TRAILING_SEPARATE: o[w - 1] = x < 0 ? 0x60 : 0x4E; break;
    case CBZ_K_SIGN_LEADING_SEPARATE: o[0] = x < 0 ? 0x60 : 0x4E; break;
    default: break;
    }
}

/* A column B that the encoder stores against a reference A (zoned in every
 * sign mode, or packed), A blank (invalid) at random rows and B blank at
 * those (and a few more when extra): A must restore, and B must decode from A's decoded
 * bytes as the engine gives them (the buffer A was decoded into) and from a
 * copy of them at another address (the decoder's reference cache keys on
 * the address and checks the bytes).  Non-canonical forms (posz 0xF0 in a
 * signed column) are covered as well. */
static void check_ref_fill(uint8_t kind, int sm, uint8_t posz, unsigned seed, bool extra)
{
    const size_t n = 700, w = kind == CBZ_COL_PACKED ? 6 : 9;
    const bool sep = sm == CBZ_K_SIGN_TRAILING_SEPARATE || sm == CBZ_K_SIGN_LEADING_SEPARATE;
    const bool sgn = kind == CBZ_COL_PACKED || sm != CBZ_K_SIGN_NONE;
    cbz_col_desc d = mk(kind, (uint32_t)w, kind == CBZ_COL_ZONED ? (uint8_t)sm : 0, 1, sgn);
    d.digits = (uint16_t)(kind == CBZ_COL_PACKED ? 2 * w - 1 : sep ? w - 1 : w);
    uint8_t *a = malloc(n * w), *b = malloc(n * w), *x = malloc(n * w), *x2 = malloc(n * w);
    uint8_t *y = malloc(n * w), *y2 = malloc(n * w);
    CU_ASSERT_FATAL(a && b && x && x2 && y && y2);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + (uint64_t)sm * 131 + kind;
    const int64_t lim = kind == CBZ_COL_PACKED ? 100000000000LL : sep ? 100000000LL : 1000000000LL;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int64_t va = (int64_t)((s >> 16) % (uint64_t)(lim / 2));
        if (sgn && (s >> 9) % 3 == 0) va = -va;
        int64_t vb = va + (int64_t)((s >> 40) % 50) - (sgn ? 25 : 0);
        if (vb < 0 && !sgn) vb = 0;
        const unsigned blank = (unsigned)((s >> 5) % 10); /* 0..2: A blank, 3: only B */
        uint8_t *pa = a + i * w, *pb = b + i * w;
        if (kind == CBZ_COL_PACKED) {
            put_packed(pa, w, va);
            put_packed(pb, w, vb);
        } else {
            put_zoned_eb(pa, w, sm, va, posz);
            put_zoned_eb(pb, w, sm, vb, posz);
        }
        if (blank <= 2) memset(pa, 0x40, w);
        if (blank <= (extra ? 3u : 2u)) memset(pb, 0x40, w);
    }
    cbz_buf ea, eb;
    cbz_buf_init(&ea);
    cbz_buf_init(&eb);
    cbz_error err = { 0 };
    cbz_col_stats st;
    cbz_col_peer pa = peer_of(d, a, n);
    CU_ASSERT_EQUAL_FATAL(cbz_column_encode(&d, a, n, 3, &ea, NULL, &err), CBZ_OK);
    CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&d, b, n, &pa, 1, 3, &eb, &st, &err), CBZ_OK);
    CU_ASSERT(strstr(st.chain, "ref") != NULL); /* B really refers to A */
    CU_ASSERT_EQUAL(cbz_column_decode(&d, ea.data, ea.len, n, x, &err), CBZ_OK);
    CU_ASSERT(memcmp(x, a, n * w) == 0);
    memcpy(x2, x, n * w);
    cbz_col_peer px = peer_of(d, x, n), px2 = peer_of(d, x2, n);
    cbz_status r1 = cbz_column_decode_peers(&d, eb.data, eb.len, n, &px, 1, y, &err);
    cbz_status r2 = cbz_column_decode_peers(&d, eb.data, eb.len, n, &px2, 1, y2, &err);
    CU_ASSERT(r1 == CBZ_OK && r2 == CBZ_OK);
    CU_ASSERT(memcmp(y, b, n * w) == 0);
    CU_ASSERT(memcmp(y2, b, n * w) == 0);
    CU_ASSERT(corrupt_tries(&d, n, &px, 1, &eb, 40, seed + (uint64_t)sm * 7 + kind));
    if (r1 != CBZ_OK || r2 != CBZ_OK || memcmp(y, b, n * w) != 0 || memcmp(y2, b, n * w) != 0 ||
        !strstr(st.chain, "ref"))
        fprintf(stderr, "ref fill kind %u sign %d posz 0x%02x: %s / %s (chain %s)\n", kind, sm,
                posz, r1 == CBZ_OK ? (memcmp(y, b, n * w) ? "differs" : "ok") : err.msg,
                r2 == CBZ_OK ? (memcmp(y2, b, n * w) ? "differs" : "ok") : err.msg, st.chain);
    cbz_buf_free(&ea);
    cbz_buf_free(&eb);
    free(a);
    free(b);
    free(x);
    free(x2);
    free(y);
    free(y2);
}

static void test_ref_fill(void)
{
    for (unsigned seed = 1; seed <= 4; seed++) {
        const bool extra = seed % 2 == 0; /* listed exceptions besides the reference's */
        check_ref_fill(CBZ_COL_PACKED, 0, 0, seed, extra);
        for (int sm = CBZ_K_SIGN_NONE; sm <= CBZ_K_SIGN_LEADING_SEPARATE; sm++)
            check_ref_fill(CBZ_COL_ZONED, sm, sm == CBZ_K_SIGN_NONE ? 0xF0 : 0xC0, seed, extra);
        check_ref_fill(CBZ_COL_ZONED, CBZ_K_SIGN_TRAILING, 0xF0, seed, extra); /* forms */
    }
}

/* TEXT_TRIM (method 2) at widths around the decoder's word path (rows of 8
 * bytes or more, but the last, by whole words): distinct values of random
 * length 0..w of letters (no digit runs), the last rows full, empty and in
 * between; every byte must come back. */
static void test_text_trim_widths(void)
{
    static const size_t widths[] = { 3, 7, 8, 9, 15, 16, 17, 24, 40 };
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++)
        for (unsigned last = 0; last < 3; last++) {
            const size_t w = widths[k], n = 600;
            cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
            uint8_t *v = malloc(n * w), *out = malloc(n * w);
            CU_ASSERT_FATAL(v && out);
            uint64_t s = 77 + k * 1000 + last;
            for (size_t i = 0; i < n; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                size_t l = (size_t)((s >> 33) % (w + 1));
                if (i == n - 1) l = last == 0 ? w : last == 1 ? 0 : w / 2;
                for (size_t j = 0; j < w; j++)
                    v[i * w + j] = j < l ? (uint8_t)('A' + (s >> (j % 50)) % 26) : ' ';
            }
            cbz_buf enc;
            cbz_buf_init(&enc);
            cbz_error err = { 0 };
            CU_ASSERT_EQUAL_FATAL(cbz_column_encode(&d, v, n, 3, &enc, NULL, &err), CBZ_OK);
            CU_ASSERT(w < 8 || enc.data[1] == 2); /* M_TEXT_TRIM */
            memset(out, 0xAA, n * w);
            CU_ASSERT_EQUAL(cbz_column_decode(&d, enc.data, enc.len, n, out, &err), CBZ_OK);
            CU_ASSERT(memcmp(out, v, n * w) == 0);
            CU_ASSERT(corrupt_tries(&d, n, NULL, 0, &enc, 40, w * 7 + last));
            if (memcmp(out, v, n * w) != 0 || (w >= 8 && enc.data[1] != 2))
                fprintf(stderr, "trim width %zu last %u: method %u\n", w, last, enc.data[1]);
            cbz_buf_free(&enc);
            free(v);
            free(out);
        }
}

/* Decimal planes (packed-block head 0x90 | k): digit pairs 0..99 in every
 * plane but the last (0..255) decode to sum(plane_j * 100^j) (then the
 * zigzag of X_NONE); a pair of 100 or more anywhere in those planes (within
 * an 8-byte step or in the tail) is a format error, never a wrong value. */
static void test_dec_planes_pairs(void)
{
    const size_t n = 37;
    const unsigned k = 3;
    cbz_col_desc d = mk(CBZ_COL_BINARY, 8, 0, 1, 1);
    uint8_t planes[37 * 3], out[37 * 8], want[37 * 8];
    uint64_t s = 99;
    for (size_t q = 0; q < n * k; q++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        planes[q] = (uint8_t)((s >> 33) % (q < (k - 1) * n ? 100 : 256));
    }
    for (size_t i = 0; i < n; i++) {
        const uint64_t u = planes[i] + 100u * planes[n + i] + 10000u * planes[2 * n + i];
        put_be8(want + i * 8, (int64_t)((u >> 1) ^ (0 - (u & 1))));
    }
    static const uint8_t badv[] = { 100, 127, 128, 0xE4, 0xFF };
    for (size_t at = 0; at <= (k - 1) * n; at += 5) { /* at == (k-1)n: none bad */
        for (size_t b = 0; b < sizeof badv; b++) {
            const bool none = at >= (k - 1) * n;
            tbuf body = { 0 };
            tb_u8(&body, T_X_NONE);
            tb_u8(&body, 0);
            tb_u8(&body, (uint8_t)(0x90 | k));
            for (size_t q = 0; q < n * k; q++)
                tb_u8(&body, q == at && !none ? badv[b] : planes[q]);
            tbuf col = column_of(&body, n);
            cbz_error err = { 0 };
            cbz_status rc = cbz_column_decode(&d, col.p, col.len, n, out, &err);
            if (none) {
                CU_ASSERT(rc == CBZ_OK && memcmp(out, want, sizeof want) == 0);
            } else {
                CU_ASSERT_EQUAL(rc, CBZ_ERR_FORMAT);
                if (rc != CBZ_ERR_FORMAT)
                    fprintf(stderr, "decimal plane byte %zu = %u: not refused\n", at, badv[b]);
            }
            free(body.p);
            free(col.p);
            if (none) break;
        }
    }
}

/* TEXT_REF at widths where the text after the cut-out name is empty,
 * shorter than 8 bytes and longer (the decoder moves it by words or bytes):
 * names of 1..12 letters from a peer, at the start, after a short prefix,
 * or filling the value to its end; the chain must be a text reference and
 * every byte must come back. */
static void test_text_ref_rest(void)
{
    static const char *const names[] = { "JO", "MARY", "ROBERTO", "PATRICIA", "ALEXANDRINA",
                                         "X", "WILLIAMSONS", "BO" };
    static const size_t widths[] = { 12, 16, 20, 27, 40 };
    const size_t n = 1500, wp = 12;
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        const size_t w = widths[k];
        uint8_t *vp = malloc(n * wp), *v = malloc(n * w), *out = malloc(n * w);
        CU_ASSERT_FATAL(vp && v && out);
        memset(vp, ' ', n * wp);
        memset(v, ' ', n * w);
        uint64_t s = 4242 + k;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            const char *nm = names[(s >> 40) % 8];
            memcpy(vp + i * wp, nm, strlen(nm));
            char e[128];
            switch ((s >> 20) % 4) {
            case 0: snprintf(e, sizeof e, "%s@MAIL.EXAMPLE.COM", nm); break;
            case 1: snprintf(e, sizeof e, "MR %s", nm); break;
            case 2: /* the name ends the value */
                snprintf(e, sizeof e, "%.*s%s", (int)(w - strlen(nm)),
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN", nm);
                break;
            default: snprintf(e, sizeof e, "DR %s OF %u", nm, (unsigned)(s >> 50) % 100); break;
            }
            const size_t el = strlen(e) < w ? strlen(e) : w;
            memcpy(v + i * w, e, el);
        }
        cbz_col_desc dp = mk(CBZ_COL_TEXT, (uint32_t)wp, 0, 0, 0);
        cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
        cbz_col_peer p = peer_of(dp, vp, n);
        cbz_buf enc;
        cbz_buf_init(&enc);
        cbz_error err = { 0 };
        cbz_col_stats st;
        CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&d, v, n, &p, 1, 3, &enc, &st, &err), CBZ_OK);
        CU_ASSERT(strncmp(st.chain, "textref>", 8) == 0);
        memset(out, 0xAA, n * w);
        CU_ASSERT_EQUAL(cbz_column_decode_peers(&d, enc.data, enc.len, n, &p, 1, out, &err),
                        CBZ_OK);
        CU_ASSERT(memcmp(out, v, n * w) == 0);
        CU_ASSERT(corrupt_tries(&d, n, &p, 1, &enc, 60, w));
        if (memcmp(out, v, n * w) != 0 || strncmp(st.chain, "textref>", 8) != 0)
            fprintf(stderr, "text ref width %zu: %s\n", w, st.chain);
        cbz_buf_free(&enc);
        free(vp);
        free(v);
        free(out);
    }
}

/* TEXT_MASK: two columns masked by one peer decode right one after the
 * other, and after the peer's bytes change in place (another chunk in the
 * same buffer) the columns masked by it must see the new blanks. */
static void fill_masked(uint8_t *pv, uint8_t *t1, uint8_t *t2, size_t n, size_t pw, size_t w,
                        uint64_t s)
{
    static const char *const city[] = { "PARIS", "LYON", "NICE", "METZ", "BREST", "AGEN" };
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        const bool blank = (s >> 30) % 3 == 0;
        memset(pv + i * pw, ' ', pw);
        if (!blank) pv[i * pw + (s >> 50) % pw] = (uint8_t)('A' + (s >> 20) % 4);
        put_text(t1 + i * w, w, blank ? "" : city[(s >> 40) % 6]);
        put_text(t2 + i * w, w, blank ? "" : city[(s >> 44) % 6]);
    }
}

static void test_mask_kept_flags(void)
{
    const size_t n = 1000, pw = 3, w = 9;
    cbz_col_desc dp = mk(CBZ_COL_TEXT, (uint32_t)pw, 0, 0, 0);
    cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
    uint8_t *pv = malloc(n * pw), *t1 = malloc(n * w), *t2 = malloc(n * w), *out = malloc(n * w);
    CU_ASSERT_FATAL(pv && t1 && t2 && out);
    cbz_col_peer p = peer_of(dp, pv, n);
    cbz_error err = { 0 };
    cbz_col_stats st;
    for (unsigned round = 0; round < 2; round++) { /* round 1: the peer's bytes changed */
        fill_masked(pv, t1, t2, n, pw, w, 11 + round * 1000);
        uint8_t *cols[2] = { t1, t2 };
        cbz_buf enc[2];
        for (int c = 0; c < 2; c++) {
            cbz_buf_init(&enc[c]);
            CU_ASSERT_EQUAL_FATAL(
                cbz_column_encode_peers(&d, cols[c], n, &p, 1, 3, &enc[c], &st, &err), CBZ_OK);
            CU_ASSERT(strncmp(st.chain, "mask>", 5) == 0);
        }
        for (int c = 0; c < 2; c++) {
            memset(out, 0xAA, n * w);
            CU_ASSERT_EQUAL(
                cbz_column_decode_peers(&d, enc[c].data, enc[c].len, n, &p, 1, out, &err), CBZ_OK);
            CU_ASSERT(memcmp(out, cols[c], n * w) == 0);
            cbz_buf_free(&enc[c]);
        }
    }
    free(pv);
    free(t1);
    free(t2);
    free(out);
}

/* TEXT_NUM under a mask, its templates from a dictionary: the decoder
 * builds each kept value straight into its row, its spill into the next
 * rows padded again; at widths on both sides of its 16- and 32-byte moves,
 * blank rows alone, in runs and at the end, and runs that fill the row. */
static void test_text_num_masked(void)
{
    static const size_t widths[] = { 8, 10, 15, 16, 17, 30, 32, 33, 64 };
    static const char *const pre[] = { "INV", "PAY", "REF-", "#" };
    const size_t n = 1200, pw = 2;
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        const size_t w = widths[k];
        uint8_t *pv = malloc(n * pw), *v = malloc(n * w), *out = malloc(n * w);
        CU_ASSERT_FATAL(pv && v && out);
        uint64_t s = 77 + w;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            /* blank: at random in the first third, in runs of 64 after, and
             * the last rows */
            const bool blank = i < n / 3 ? (s >> 33) % 3 == 0 : (i / 64) % 2 == 1 || i + 5 > n;
            memset(pv + i * pw, ' ', pw);
            if (!blank) pv[i * pw] = 'E';
            char t[128];
            const unsigned long long num = (s >> 20) % 10000000ull;
            if ((s >> 12) % 5 == 0) /* digits to the end of the row */
                snprintf(t, sizeof t, "%s%0*llu", pre[(s >> 8) % 4],
                         (int)(w - strlen(pre[(s >> 8) % 4])), num);
            else
                snprintf(t, sizeof t, "%s%llu %llu", pre[(s >> 8) % 4], num, num % 97);
            put_text(v + i * w, w, blank ? "" : t);
        }
        cbz_col_desc dp = mk(CBZ_COL_TEXT, (uint32_t)pw, 0, 0, 0);
        cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
        cbz_col_peer p = peer_of(dp, pv, n);
        cbz_buf enc;
        cbz_buf_init(&enc);
        cbz_error err = { 0 };
        cbz_col_stats st;
        CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&d, v, n, &p, 1, 3, &enc, &st, &err), CBZ_OK);
        const bool chain = strncmp(st.chain, "mask>textnum>validate>dict", 26) == 0;
        CU_ASSERT(chain);
        memset(out, 0xAA, n * w);
        CU_ASSERT_EQUAL(cbz_column_decode_peers(&d, enc.data, enc.len, n, &p, 1, out, &err),
                        CBZ_OK);
        CU_ASSERT(memcmp(out, v, n * w) == 0);
        CU_ASSERT(corrupt_tries(&d, n, &p, 1, &enc, 60, w));
        if (memcmp(out, v, n * w) != 0 || !chain)
            fprintf(stderr, "masked text num width %zu: %s\n", w, st.chain);
        cbz_buf_free(&enc);
        free(pv);
        free(v);
        free(out);
    }
}

/* TEXT_REF bodies written here: the peer's text (10 bytes, ALEXANDRIN)
 * goes back at offset 0 of a 20-byte value only if the value's last 10
 * bytes are pad; a byte that is not pad anywhere in them (the last word or
 * the bytes before it) is a format error, a value whose pad starts right
 * there decodes. */
static void test_text_ref_room(void)
{
    const size_t n = 3, w = 20, pw = 12;
    uint8_t pv[3 * 12];
    for (size_t i = 0; i < n; i++) put_text(pv + i * pw, pw, "ALEXANDRIN");
    cbz_col_desc dp = mk(CBZ_COL_TEXT, (uint32_t)pw, 0, 0, 0);
    cbz_col_desc d = mk(CBZ_COL_TEXT, (uint32_t)w, 0, 0, 0);
    cbz_col_peer p = peer_of(dp, pv, n);
    static const int bad_at[] = { -1, 19, 12, 10, 9 }; /* -1: none; 9: before the room */
    for (size_t t = 0; t < sizeof bad_at / sizeof bad_at[0]; t++) {
        uint8_t rows[3 * 20], out[3 * 20];
        for (size_t i = 0; i < n; i++) put_text(rows + i * w, w, "@X.COM");
        if (bad_at[t] >= 0) rows[w + (size_t)bad_at[t]] = 'Z'; /* the second value */
        tbuf body = { 0 };
        tb_u8(&body, 1);    /* one reference */
        tb_varint(&body, 0); /* peer 0 */
        tb_u8(&body, 0x81); /* positions: one byte plane */
        for (size_t i = 0; i < n; i++) tb_u8(&body, 1); /* offset 0 */
        tb_u8(&body, 1);    /* inner: TEXT_FIXED */
        for (size_t q = 0; q < n * w; q++) tb_u8(&body, rows[q]);
        tbuf col = { 0 };
        tb_u8(&col, 1);
        tb_u8(&col, 5); /* M_TEXT_REF */
        tb_varint(&col, n);
        tb_varint(&col, body.len);
        tb_u8(&col, 0);
        for (size_t q = 0; q < body.len; q++) tb_u8(&col, body.p[q]);
        cbz_error err = { 0 };
        cbz_status rc = cbz_column_decode_peers(&d, col.p, col.len, n, &p, 1, out, &err);
        const bool fits = bad_at[t] < 10;
        CU_ASSERT_EQUAL(rc, fits ? CBZ_OK : CBZ_ERR_FORMAT);
        if (fits && rc == CBZ_OK) {
            char want[21];
            memcpy(want, "ALEXANDRIN@X.COM    ", 20);
            if (bad_at[t] >= 0) want[bad_at[t] + 10] = 'Z'; /* moved right with its value */
            CU_ASSERT(memcmp(out + w, want, w) == 0);
            CU_ASSERT(memcmp(out, "ALEXANDRIN@X.COM    ", w) == 0);
        }
        free(body.p);
        free(col.p);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column_decode2", NULL, NULL);
    if (!s) return 1;
    CU_add_test(s, "residuals against a reference at every scale", test_ref_scales);
    CU_add_test(s, "exceptions by reference, dense or not", test_exc_ref_paths);
    CU_add_test(s, "digit runs at widths around the bit-mask path", test_text_num_widths);
    CU_add_test(s, "digit runs under a mask, built into their rows", test_text_num_masked);
    CU_add_test(s, "a reference decoded before, at two addresses", test_ref_fill);
    CU_add_test(s, "trimmed text at widths around the word path", test_text_trim_widths);
    CU_add_test(s, "decimal planes: digit pairs checked", test_dec_planes_pairs);
    CU_add_test(s, "text references: the rest moved by words or bytes", test_text_ref_rest);
    CU_add_test(s, "text references: room for the text checked", test_text_ref_room);
    CU_add_test(s, "masks: one peer for two columns, then changed", test_mask_kept_flags);
    return cbz_cunit_run();
}
