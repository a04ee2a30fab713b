/*
 * test_column.c — the column codec (src/column.c): exact round trips for every
 * kind on random bytes, realistic values, all-invalid values, n = 0 and 1;
 * the chains it chooses; and corrupt encodings (every truncation, bit flips,
 * random bytes) giving an error, never a crash.  With peers (cross-column
 * references): exact round trips, the references chosen on correlated
 * columns, wrong or corrupt references refused, first-version encodings;
 * text split in two groups by a peer (record lengths), and its corruption.
 */
#define CBZ_TEST_RNG_SEED 0x2545F4914F6CDD1DULL /* this file's sequence */
#include "column.h"
#include "column_testutil.h"
#include "kernels.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <math.h>
#include <stdio.h>

/* Encodes, decodes, compares; returns the encoded size (0 on failure). */
static size_t roundtrip(const cbz_col_desc *d, const uint8_t *v, size_t n, int level,
                        cbz_col_stats *st_out)
{
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err = { 0 };
    cbz_col_stats st;
    cbz_status rc = cbz_column_encode(d, v, n, level, &out, &st, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    if (rc != CBZ_OK) {
        printf("\nencode: %s\n", err.msg);
        cbz_buf_free(&out);
        return 0;
    }
    CU_ASSERT_EQUAL(st.bytes_out, out.len);
    CU_ASSERT_EQUAL(st.bytes_in, (uint64_t)n * d->width);
    uint8_t *back = malloc(n * d->width + 1);
    rc = cbz_column_decode(d, out.data, out.len, n, back, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    int same = rc == CBZ_OK && (n == 0 || memcmp(back, v, n * d->width) == 0);
    CU_ASSERT(same);
    if (!same)
        printf("\nround trip failed: kind %u width %u n %zu chain %s rc %d %s\n", d->kind,
               d->width, n, st.chain, rc, err.msg);
    free(back);
    size_t len = out.len;
    cbz_buf_free(&out);
    if (st_out) *st_out = st;
    return same ? len : 0;
}

static const cbz_col_desc *all_descs(size_t *count)
{
    static cbz_col_desc d[64];
    size_t k = 0;
    d[k++] = mk(CBZ_COL_RAW, 1, 0, 0, 0);
    d[k++] = mk(CBZ_COL_RAW, 7, 0, 0, 0);
    d[k++] = mk(CBZ_COL_RAW, 80, 0, 0, 0);
    d[k++] = mk(CBZ_COL_TEXT, 1, 0, 1, 0);
    d[k++] = mk(CBZ_COL_TEXT, 12, 0, 1, 0);
    d[k++] = mk(CBZ_COL_TEXT, 30, 0, 0, 0);
    for (uint32_t w = 1; w <= 10; w += 3) {
        d[k++] = mk(CBZ_COL_PACKED, w, 0, 1, 1);
        d[k++] = mk(CBZ_COL_PACKED, w, 0, 1, 0);
    }
    d[k++] = mk(CBZ_COL_PACKED, 10, 0, 1, 1);
    d[k++] = mk(CBZ_COL_PACKED, 12, 0, 1, 1); /* too wide: raw path */
    for (uint8_t s = 0; s <= 4; s++)
        for (uint8_t e = 0; e <= 1; e++) {
            d[k++] = mk(CBZ_COL_ZONED, 8, s, e, s != 0);
            d[k++] = mk(CBZ_COL_ZONED, 2, s, e, s != 0);
        }
    d[k++] = mk(CBZ_COL_ZONED, 19, 3, 1, 1);
    d[k++] = mk(CBZ_COL_ZONED, 25, 0, 1, 0); /* too many digits: raw path */
    for (uint32_t w = 1; w <= 8; w++) d[k++] = mk(CBZ_COL_BINARY, w, 0, 1, w & 1);
    d[k++] = mk(CBZ_COL_BINARY, 16, 0, 1, 0);
    *count = k;
    return d;
}

static void test_random_bytes(void)
{
    size_t nd;
    const cbz_col_desc *d = all_descs(&nd);
    static const size_t sizes[] = { 0, 1, 2, 3, 100, 3000 };
    for (size_t k = 0; k < nd; k++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            size_t n = sizes[s];
            uint8_t *v = malloc(n * d[k].width + 1);
            for (size_t i = 0; i < n * d[k].width; i++) v[i] = (uint8_t)rnd();
            roundtrip(&d[k], v, n, 3, NULL);
            free(v);
        }
}

/* A mix: valid values of the type with random bytes sprinkled in. */
static void fill_typed(const cbz_col_desc *d, uint8_t *v, size_t n, int bad_every)
{
    const cbz_kernel_table *K = cbz_kernels();
    int64_t *x = malloc(n * sizeof *x + 8);
    uint8_t *f = malloc(n + 1);
    int64_t acc = 20240101;
    for (size_t i = 0; i < n; i++) {
        acc += (int64_t)(rnd() % 3);
        x[i] = (i % 4 == 0) ? acc : (int64_t)(rnd() % 100000) - 50000;
        if (!d->is_signed && x[i] < 0) x[i] = -x[i];
        f[i] = 0;
    }
    if (d->kind == CBZ_COL_PACKED) {
        for (size_t i = 0; i < n; i++) f[i] = x[i] < 0 ? 0xD : (i % 50 == 0 ? 0xF : 0xC);
        K->i64_to_packed(x, f, n, d->width, v);
    } else if (d->kind == CBZ_COL_ZONED) {
        for (size_t i = 0; i < n; i++) {
            int neg = x[i] < 0;
            switch (d->sign) {
            case 1: case 2: f[i] = d->ebcdic ? (neg ? 0xD : 0xC) : (neg ? 7 : 3); break;
            case 3: case 4: f[i] = d->ebcdic ? (neg ? 0x60 : 0x4E) : (neg ? 0x2D : 0x2B); break;
            default: f[i] = 0;
            }
        }
        K->i64_to_zoned(x, f, n, d->width, d->sign, d->ebcdic, v);
    } else {
        K->i64_to_be(x, n, d->width, v);
    }
    if (bad_every)
        for (size_t i = 0; i < n; i += (size_t)bad_every) v[i * d->width] = (uint8_t)rnd() | 0x0A;
    free(x);
    free(f);
}

static void test_typed_with_exceptions(void)
{
    size_t nd;
    const cbz_col_desc *d = all_descs(&nd);
    for (size_t k = 0; k < nd; k++) {
        if (d[k].kind < CBZ_COL_ZONED) continue;
        for (int bad = 0; bad <= 7; bad += 7) {
            size_t n = 2500;
            uint8_t *v = malloc(n * d[k].width);
            fill_typed(&d[k], v, n, bad);
            cbz_col_stats st;
            size_t len = roundtrip(&d[k], v, n, 3, &st);
            CU_ASSERT(len > 0);
            free(v);
        }
    }
}

static void test_all_invalid(void)
{
    cbz_col_desc p = mk(CBZ_COL_PACKED, 5, 0, 1, 1);
    cbz_col_desc z = mk(CBZ_COL_ZONED, 6, 1, 1, 1);
    size_t n = 1000;
    uint8_t *v = malloc(n * 6);
    memset(v, 0x00, n * 6); /* low-values: no valid sign */
    roundtrip(&p, v, n, 3, NULL);
    memset(v, 0x40, n * 6); /* spaces */
    roundtrip(&z, v, n, 3, NULL);
    roundtrip(&p, v, n, 3, NULL);
    /* one invalid among many valid: exact and counted */
    fill_typed(&p, v, n, 0);
    v[5 * 137] = 0xFF;
    cbz_col_stats st;
    roundtrip(&p, v, n, 3, &st);
    CU_ASSERT_EQUAL(st.exceptions, 1);
    free(v);
}

/* Realistic columns: the chain chosen and that they shrink well. */
static void test_realistic(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    size_t n = 20000;
    int64_t *x = malloc(n * sizeof *x);
    uint8_t *f = malloc(n);
    uint8_t *v = malloc(n * 40);
    cbz_col_stats st;

    /* sorted account keys, binary 8 bytes */
    for (size_t i = 0; i < n; i++) x[i] = 100000000 + (int64_t)i * 3 + (int64_t)(rnd() % 3);
    cbz_col_desc b8 = mk(CBZ_COL_BINARY, 8, 0, 1, 1);
    K->i64_to_be(x, n, 8, v);
    size_t len = roundtrip(&b8, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n * 8 / 16);
    CU_ASSERT(strstr(st.chain, "delta") != NULL);
    printf("\n  sorted keys: %zu -> %zu (%s)", n * 8, len, st.chain);

    /* dates YYYYMMDD zoned EBCDIC unsigned, nondecreasing */
    int64_t date = 20240101;
    for (size_t i = 0; i < n; i++) {
        if (rnd() % 200 == 0) date++;
        x[i] = date;
        f[i] = 0;
    }
    cbz_col_desc zd = mk(CBZ_COL_ZONED, 8, 0, 1, 0);
    K->i64_to_zoned(x, f, n, 8, 0, 1, v);
    len = roundtrip(&zd, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n * 8 / 100);
    printf("\n  dates: %zu -> %zu (%s)", n * 8, len, st.chain);

    /* amounts S9(7)V99 COMP-3 */
    for (size_t i = 0; i < n; i++) {
        x[i] = (int64_t)(rnd() % 2000000) - 200000;
        f[i] = x[i] < 0 ? 0xD : 0xC;
    }
    cbz_col_desc pk = mk(CBZ_COL_PACKED, 5, 0, 1, 1);
    K->i64_to_packed(x, f, n, 5, v);
    len = roundtrip(&pk, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n * 5 * 3 / 4);
    CU_ASSERT(strstr(st.chain, "validate>decimal") == st.chain);
    printf("\n  amounts: %zu -> %zu (%s)", n * 5, len, st.chain);

    /* status codes: few distinct values, COMP-3 */
    static const int64_t codes[] = { 100, 250, 999, 4000, 12345 };
    for (size_t i = 0; i < n; i++) {
        x[i] = codes[rnd() % 5];
        f[i] = 0xC;
    }
    K->i64_to_packed(x, f, n, 5, v);
    len = roundtrip(&pk, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n / 2);
    printf("\n  codes: %zu -> %zu (%s)", n * 5, len, st.chain);

    /* merchant names, EBCDIC-padded text 30 */
    static const char *names[] = { "ACME HARDWARE", "CORNER CAFE", "FUEL STOP 42",
                                   "BOOKS AND MORE", "GROCERY MART", "CITY PARKING" };
    for (size_t i = 0; i < n; i++) {
        const char *s = names[rnd() % 6];
        memset(v + i * 30, 0x40, 30);
        memcpy(v + i * 30, s, strlen(s));
    }
    cbz_col_desc tx = mk(CBZ_COL_TEXT, 30, 0, 1, 0);
    len = roundtrip(&tx, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n / 2);
    CU_ASSERT(strstr(st.chain, "dict") != NULL);
    printf("\n  names: %zu -> %zu (%s)", n * 30, len, st.chain);

    /* free text with pad: distinct values */
    for (size_t i = 0; i < n; i++) {
        memset(v + i * 30, 0x20, 30);
        int l = snprintf((char *)v + i * 30, 30, "CUSTOMER %zu", i * 7919 % 100003);
        v[i * 30 + l] = 0x20;
    }
    cbz_col_desc ta = mk(CBZ_COL_TEXT, 30, 0, 0, 0);
    len = roundtrip(&ta, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n * 30 / 3);
    printf("\n  free text: %zu -> %zu (%s)", n * 30, len, st.chain);

    /* runs, binary 2 */
    int64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (rnd() % 500 == 0) r = (int64_t)(rnd() % 30000);
        x[i] = r;
    }
    cbz_col_desc b2 = mk(CBZ_COL_BINARY, 2, 0, 1, 1);
    K->i64_to_be(x, n, 2, v);
    len = roundtrip(&b2, v, n, 3, &st);
    CU_ASSERT(len > 0 && len < n / 20);
    printf("\n  runs: %zu -> %zu (%s)\n", n * 2, len, st.chain);

    /* level 19 is at least as small, and still exact */
    K->i64_to_packed(x, f, n, 5, v);
    size_t l3 = roundtrip(&pk, v, n, 3, NULL), l19 = roundtrip(&pk, v, n, 19, NULL);
    CU_ASSERT(l19 > 0 && l19 <= l3 + 8 + l3 / 10);
    if (!(l19 <= l3 + 8)) printf("\n  level 3: %zu, level 19: %zu\n", l3, l19);
    free(x);
    free(f);
    free(v);
}

static void test_desc_for_field(void)
{
    cbz_field f;
    memset(&f, 0, sizeof f);
    f.category = CBZ_CAT_NUMERIC;
    f.usage = CBZ_USAGE_PACKED;
    f.is_signed = true;
    f.digits = 9;
    cbz_col_desc d = cbz_col_desc_for_field(&f, 5, true);
    CU_ASSERT(d.kind == CBZ_COL_PACKED && d.width == 5 && d.ebcdic == 1 && d.is_signed == 1);
    f.usage = CBZ_USAGE_DISPLAY;
    f.sign = CBZ_SIGN_LEADING_SEPARATE;
    d = cbz_col_desc_for_field(&f, 10, false);
    CU_ASSERT(d.kind == CBZ_COL_ZONED && d.sign == CBZ_SIGN_LEADING_SEPARATE && d.ebcdic == 0);
    f.usage = CBZ_USAGE_COMP5;
    d = cbz_col_desc_for_field(&f, 4, true);
    CU_ASSERT(d.kind == CBZ_COL_BINARY);
    f.category = CBZ_CAT_ALPHANUMERIC;
    f.usage = CBZ_USAGE_DISPLAY;
    d = cbz_col_desc_for_field(&f, 20, true);
    CU_ASSERT(d.kind == CBZ_COL_TEXT);
    f.category = CBZ_CAT_FLOAT;
    f.usage = CBZ_USAGE_COMP2;
    d = cbz_col_desc_for_field(&f, 8, true);
    CU_ASSERT(d.kind == CBZ_COL_RAW);
}

/* Corruption: every truncation must fail; flips and garbage must not crash
 * and, when they decode, produce a status of OK or FORMAT only. */
static void corrupt_one(const cbz_col_desc *d, const uint8_t *v, size_t n, int level)
{
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err;
    CU_ASSERT_EQUAL_FATAL(cbz_column_encode(d, v, n, level, &out, NULL, &err), CBZ_OK);
    uint8_t *back = malloc(n * d->width + 1);
    uint8_t *copy = malloc(out.len + 1);
    int trunc_ok = 1, flip_ok = 1;
    for (size_t l = 0; l < out.len; l++) {
        memcpy(copy, out.data, l);
        cbz_status rc = cbz_column_decode(d, copy, l, n, back, &err);
        if (rc != CBZ_ERR_FORMAT) trunc_ok = 0;
    }
    size_t flips = out.len * 8 < 4000 ? out.len * 8 : 4000;
    for (size_t t = 0; t < flips; t++) {
        size_t bit = out.len * 8 < 4000 ? t : (size_t)(rnd() % (out.len * 8));
        memcpy(copy, out.data, out.len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cbz_status rc = cbz_column_decode(d, copy, out.len, n, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) flip_ok = 0;
    }
    /* appended garbage */
    memcpy(copy, out.data, out.len);
    copy[out.len] = 0x5A;
    CU_ASSERT_EQUAL(cbz_column_decode(d, copy, out.len + 1, n, back, &err), CBZ_ERR_FORMAT);
    /* wrong count */
    if (n > 0) CU_ASSERT_EQUAL(cbz_column_decode(d, out.data, out.len, n - 1, back, &err), CBZ_ERR_FORMAT);
    CU_ASSERT(trunc_ok);
    CU_ASSERT(flip_ok);
    free(back);
    free(copy);
    cbz_buf_free(&out);
}

static void test_corruption(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    enum { N = 300 };
    uint8_t v[N * 30];
    int64_t x[N];
    uint8_t f[N];
    /* numeric with exceptions and forms, each transform */
    cbz_col_desc pk = mk(CBZ_COL_PACKED, 4, 0, 1, 1);
    for (int shape = 0; shape < 5; shape++) {
        for (size_t i = 0; i < N; i++) {
            switch (shape) {
            case 0: x[i] = (int64_t)(rnd() % 1000000) - 500000; break;      /* none/for */
            case 1: x[i] = 1000 + (int64_t)i * 5; break;                     /* delta */
            case 2: x[i] = (int64_t)(i * i); break;                          /* delta2 */
            case 3: x[i] = (int64_t)(i / 50) * 777; break;                   /* rle */
            default: x[i] = (int64_t)(rnd() % 4) * 100003; break;            /* dict */
            }
            f[i] = i % 17 == 0 ? 0xF : (x[i] < 0 ? 0xD : 0xC);
        }
        K->i64_to_packed(x, f, N, 4, v);
        v[4 * 33] = 0xEE; /* an exception */
        cbz_col_stats st;
        roundtrip(&pk, v, N, 3, &st);
        corrupt_one(&pk, v, N, 3);
    }
    /* text: dict, trim, fixed */
    cbz_col_desc tx = mk(CBZ_COL_TEXT, 30, 0, 1, 0);
    for (size_t i = 0; i < N; i++) {
        memset(v + i * 30, 0x40, 30);
        memcpy(v + i * 30, i % 3 ? "ALPHA" : "BETA GAMMA", i % 3 ? 5 : 10);
    }
    corrupt_one(&tx, v, N, 3);
    for (size_t i = 0; i < N; i++) snprintf((char *)v + i * 30, 7, "%06zu", i * 31);
    corrupt_one(&tx, v, N, 3);
    for (size_t i = 0; i < N * 30; i++) v[i] = (uint8_t)rnd();
    corrupt_one(&tx, v, N, 3);
    cbz_col_desc raw = mk(CBZ_COL_RAW, 30, 0, 0, 0);
    corrupt_one(&raw, v, N, 3);
    cbz_col_desc zn = mk(CBZ_COL_ZONED, 7, 3, 0, 1);
    corrupt_one(&zn, v, N, 3);
    corrupt_one(&pk, v, 0, 3);
    corrupt_one(&pk, v, 1, 3);
    /* pure garbage never crashes */
    cbz_error err;
    uint8_t back[N * 30];
    int ok = 1;
    for (int t = 0; t < 2000; t++) {
        size_t l = rnd() % 64;
        for (size_t i = 0; i < l; i++) v[i] = (uint8_t)rnd();
        if (l > 2) { v[0] = 1; v[1] = (uint8_t)(rnd() % 5); v[2] = (uint8_t)(rnd() % 40); }
        cbz_status rc = cbz_column_decode(&pk, v, l, rnd() % 40, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) ok = 0;
    }
    CU_ASSERT(ok);
}

static void test_every_variant_same_encoding(void)
{
    /* the encoding must not depend on the kernel variant */
    const char *const *names = cbz_kernels_variant_names();
    size_t nd;
    const cbz_col_desc *d = all_descs(&nd);
    cbz_buf ref, got;
    cbz_buf_init(&ref);
    cbz_buf_init(&got);
    uint8_t *v = malloc(500 * 80);
    for (size_t k = 0; k < nd; k++) {
        cbz_kernels_select("portable");
        if (d[k].kind >= CBZ_COL_ZONED) fill_typed(&d[k], v, 500, 11);
        else for (size_t i = 0; i < 500 * d[k].width; i++) v[i] = (uint8_t)(rnd() % 7 + 0x40);
        cbz_buf_clear(&ref);
        CU_ASSERT_EQUAL(cbz_column_encode(&d[k], v, 500, 3, &ref, NULL, NULL), CBZ_OK);
        for (size_t j = 0; names[j]; j++) {
            if (!cbz_kernels_select(names[j])) continue;
            cbz_buf_clear(&got);
            CU_ASSERT_EQUAL(cbz_column_encode(&d[k], v, 500, 3, &got, NULL, NULL), CBZ_OK);
            CU_ASSERT(got.len == ref.len && memcmp(got.data, ref.data, ref.len) == 0);
        }
    }
    cbz_kernels_select("portable");
    free(v);
    cbz_buf_free(&ref);
    cbz_buf_free(&got);
}

/* Decodes a hand-made encoding of a BINARY width-2 signed column; returns
 * the status and the values in out. */
static cbz_status decode_handmade(const uint8_t *body, size_t body_len, size_t n, uint8_t *out)
{
    uint8_t enc[64];
    size_t l = 0;
    enc[l++] = 1;                 /* version */
    enc[l++] = 4;                 /* NUMERIC */
    enc[l++] = (uint8_t)n;        /* varint n */
    enc[l++] = (uint8_t)body_len; /* varint body_len */
    enc[l++] = 0;                 /* stored */
    memcpy(enc + l, body, body_len);
    l += body_len;
    cbz_col_desc d = mk(CBZ_COL_BINARY, 2, 0, 1, 1);
    cbz_error err;
    return cbz_column_decode(&d, enc, l, n, out, &err);
}

static void test_packed_block_forms(void)
{
    /* values 0, 1, -1, 2: zigzag 0, 2, 1, 4 */
    static const uint8_t want[8] = { 0, 0, 0, 1, 0xFF, 0xFF, 0, 2 };
    uint8_t out[8];
    /* transform NONE, no flags, bit-packed at 3 bits: 000 010 001 100 LSB first */
    static const uint8_t bitpacked[] = { 0, 0, 3, 0x50, 0x08 };
    CU_ASSERT_EQUAL(decode_handmade(bitpacked, sizeof bitpacked, 4, out), CBZ_OK);
    CU_ASSERT(memcmp(out, want, 8) == 0);
    /* the same as one byte plane (0x80 | 1) */
    static const uint8_t planes1[] = { 0, 0, 0x81, 0, 2, 1, 4 };
    CU_ASSERT_EQUAL(decode_handmade(planes1, sizeof planes1, 4, out), CBZ_OK);
    CU_ASSERT(memcmp(out, want, 8) == 0);
    /* two planes: low bytes, then high bytes (all 0) */
    static const uint8_t planes2[] = { 0, 0, 0x82, 0, 2, 1, 4, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(decode_handmade(planes2, sizeof planes2, 4, out), CBZ_OK);
    CU_ASSERT(memcmp(out, want, 8) == 0);
    /* 0 planes, 9 planes, planes cut short, a byte too many */
    static const uint8_t bad0[] = { 0, 0, 0x80 };
    static const uint8_t bad9[] = { 0, 0, 0x89, 0, 2, 1, 4 };
    static const uint8_t shrt[] = { 0, 0, 0x82, 0, 2, 1, 4, 0, 0, 0 };
    static const uint8_t lng[] = { 0, 0, 0x81, 0, 2, 1, 4, 9 };
    CU_ASSERT_EQUAL(decode_handmade(bad0, sizeof bad0, 4, out), CBZ_ERR_FORMAT);
    CU_ASSERT_EQUAL(decode_handmade(bad9, sizeof bad9, 4, out), CBZ_ERR_FORMAT);
    CU_ASSERT_EQUAL(decode_handmade(shrt, sizeof shrt, 4, out), CBZ_ERR_FORMAT);
    CU_ASSERT_EQUAL(decode_handmade(lng, sizeof lng, 4, out), CBZ_ERR_FORMAT);
    /* a numeric dictionary whose codes come as one plane; a code >= nd fails */
    static const uint8_t dict_ok[] = { 5, 0, 2, 0x7F, 1, 0x81, 0, 1, 1, 0 };
    static const uint8_t dict_bad[] = { 5, 0, 2, 0x7F, 1, 0x81, 0, 1, 2, 0 };
    /* keys 127 and 127 + 1 + 1, stored XOR 2^63: the low two bytes remain */
    static const uint8_t want_dict[8] = { 0, 0x7F, 0, 0x81, 0, 0x81, 0, 0x7F };
    CU_ASSERT_EQUAL(decode_handmade(dict_ok, sizeof dict_ok, 4, out), CBZ_OK);
    CU_ASSERT(memcmp(out, want_dict, 8) == 0);
    CU_ASSERT_EQUAL(decode_handmade(dict_bad, sizeof dict_bad, 4, out), CBZ_ERR_FORMAT);
    /* a u32 block (text dictionary codes) refuses 5 planes */
    cbz_col_desc tx = mk(CBZ_COL_TEXT, 2, 0, 1, 0);
    static const uint8_t text_enc[] = { 1, 3, 2, 6, 0, 1, 0, 1, 'A', 0x85, 0, 0 };
    cbz_error err;
    CU_ASSERT_EQUAL(cbz_column_decode(&tx, text_enc, sizeof text_enc, 2, out, &err),
                    CBZ_ERR_FORMAT);
}

/* A skewed column of few distinct but far-apart values (merchant ids) goes
 * to the dictionary and costs about its entropy, not its bit width. */
static void test_skewed_dictionary(void)
{
    enum { N = 20000 };
    cbz_col_desc d = mk(CBZ_COL_BINARY, 4, 0, 1, 0);
    uint8_t *v = malloc(N * 4);
    int64_t *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        /* Zipf-like: index = 500^(u^2) - 1 */
        double u = (double)(rnd() % 1000000) / 1e6;
        size_t k = (size_t)(pow(500.0, u * u)) - 1;
        x[i] = 100000000 + (int64_t)k * 7919;
    }
    cbz_kernels()->i64_to_be(x, N, 4, v);
    cbz_col_stats st;
    size_t len = roundtrip(&d, v, N, 3, &st);
    CU_ASSERT(strstr(st.chain, "dict") != NULL);
    /* bit-packed frame of reference needs 22 bits a value (55 000 bytes),
     * bit-packed codes 9 (22 500): the planes must do better than 8 */
    CU_ASSERT(len > 0 && len < N);
    printf("\n  skewed ids: %d -> %zu (%s)\n", N * 4, len, st.chain);
    free(v);
    free(x);
}


/* ------------------------------------------------------------ peers (references) */

/* Encodes with peers, decodes with the same peers, compares; returns the
 * encoded size (0 on failure) and the chain in st_out. */
static size_t roundtrip_peers(const cbz_col_desc *d, const uint8_t *v, size_t n,
                              const cbz_col_peer *peers, size_t np, cbz_col_stats *st_out)
{
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err = { 0 };
    cbz_col_stats st;
    cbz_status rc = cbz_column_encode_peers(d, v, n, peers, np, 3, &out, &st, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    if (rc != CBZ_OK) {
        printf("\nencode with peers: %s\n", err.msg);
        cbz_buf_free(&out);
        return 0;
    }
    CU_ASSERT_EQUAL(st.bytes_out, out.len);
    uint8_t *back = malloc(n * d->width + 1);
    rc = cbz_column_decode_peers(d, out.data, out.len, n, peers, np, back, &err);
    CU_ASSERT_EQUAL(rc, CBZ_OK);
    int same = rc == CBZ_OK && (n == 0 || memcmp(back, v, n * d->width) == 0);
    CU_ASSERT(same);
    if (!same)
        printf("\npeer round trip failed: kind %u width %u n %zu chain %s rc %d %s\n", d->kind,
               d->width, n, st.chain, rc, err.msg);
    free(back);
    size_t len = out.len;
    cbz_buf_free(&out);
    if (st_out) *st_out = st;
    return same ? len : 0;
}

static size_t plain_size(const cbz_col_desc *d, const uint8_t *v, size_t n)
{
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err;
    CU_ASSERT_EQUAL(cbz_column_encode(d, v, n, 3, &out, NULL, &err), CBZ_OK);
    size_t l = out.len;
    cbz_buf_free(&out);
    return l;
}

/* Every kind against every numeric kind of peer, on random bytes, on typed
 * values with random exceptions in both, and on all-invalid columns. */
static void test_peers_roundtrip(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    size_t nd;
    const cbz_col_desc *d = all_descs(&nd);
    static const size_t sizes[] = { 0, 1, 17, 700, 3000 };
    enum { NMAX = 3000 };
    uint8_t *a = malloc(NMAX * 80), *b = malloc(NMAX * 80);
    int64_t *x = malloc(NMAX * sizeof *x);
    uint8_t *f = malloc(NMAX);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (size_t k = 0; k < nd; k += 3) {
            for (size_t j = 0; j < nd; j += 5) {
                const cbz_col_desc *pd = &d[j], *cd = &d[k];
                /* shape 0: random bytes; 1: typed, correlated, exceptions;
                 * 2: all invalid (0xFF bytes are never valid packed/zoned) */
                for (int shape = 0; shape < 3; shape++) {
                    if (shape == 0) {
                        for (size_t i = 0; i < n * pd->width; i++) a[i] = (uint8_t)rnd();
                        for (size_t i = 0; i < n * cd->width; i++) b[i] = (uint8_t)rnd();
                    } else if (shape == 1) {
                        for (size_t i = 0; i < n; i++) {
                            x[i] = (int64_t)(rnd() % 90) - 20;
                            f[i] = x[i] < 0 ? 0xD : 0xC;
                        }
                        if (pd->kind == CBZ_COL_PACKED && pd->width <= 10)
                            K->i64_to_packed(x, f, n, pd->width, a);
                        else
                            for (size_t i = 0; i < n * pd->width; i++) a[i] = (uint8_t)rnd();
                        for (size_t i = 0; i < n; i++) {
                            x[i] += (int64_t)(rnd() % 3);
                            f[i] = x[i] < 0 ? 0xD : 0xC;
                        }
                        if (cd->kind == CBZ_COL_PACKED && cd->width <= 10)
                            K->i64_to_packed(x, f, n, cd->width, b);
                        else
                            for (size_t i = 0; i < n * cd->width; i++) b[i] = (uint8_t)rnd();
                        for (size_t i = 0; i < n; i += 7) memset(a + i * pd->width, 0xFF, pd->width);
                        for (size_t i = 0; i < n; i += 5) memset(b + i * cd->width, 0xFF, cd->width);
                    } else {
                        memset(a, 0xFF, n * pd->width);
                        memset(b, 0xFF, n * cd->width);
                    }
                    cbz_col_peer peers[2] = { peer_of(*pd, a, n), peer_of(*cd, b, n) };
                    /* the column is its own peer's copy: the best reference there is */
                    roundtrip_peers(cd, b, n, peers, 2, NULL);
                    roundtrip_peers(cd, b, n, peers, 1, NULL);
                }
            }
        }
    }
    free(a);
    free(b);
    free(x);
    free(f);
}

/* Realistic correlated columns take a reference and get smaller. */
static void test_peers_chosen(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    enum { N = 20000 };
    int64_t *amt = malloc(N * sizeof *amt), *bill = malloc(N * sizeof *bill);
    int64_t *run = malloc(N * sizeof *run), *pts = malloc(N * sizeof *pts);
    uint8_t *f = malloc(N), *fa = malloc(N);
    uint8_t *va = malloc(N * 6), *vb = malloc(N * 6), *vr = malloc(N * 11), *vp = malloc(N * 4);
    int64_t balance = 0;
    for (size_t i = 0; i < N; i++) {
        amt[i] = (int64_t)(rnd() % 200000) - 20000;
        bill[i] = rnd() % 100 < 85 ? amt[i] : amt[i] * 1085 / 1000;
        if (i % 50 == 0) balance = (int64_t)(rnd() % 400000);
        if (rnd() % 100 < 97) balance += bill[i];
        run[i] = balance;
        pts[i] = bill[i] / 100;
        fa[i] = amt[i] < 0 ? 0xD : 0xC;
    }
    cbz_col_desc pk6 = mk(CBZ_COL_PACKED, 6, 0, 1, 1);
    cbz_col_desc pk4 = mk(CBZ_COL_PACKED, 4, 0, 1, 1);
    cbz_col_desc zn11 = mk(CBZ_COL_ZONED, 11, CBZ_K_SIGN_TRAILING, 1, 1);
    K->i64_to_packed(amt, fa, N, 6, va);
    for (size_t i = 0; i < N; i++) f[i] = bill[i] < 0 ? 0xD : 0xC;
    K->i64_to_packed(bill, f, N, 6, vb);
    for (size_t i = 0; i < N; i++) f[i] = pts[i] < 0 ? 0xD : 0xC;
    K->i64_to_packed(pts, f, N, 4, vp);
    for (size_t i = 0; i < N; i++) f[i] = run[i] < 0 ? 0xD : 0xC;
    K->i64_to_zoned(run, f, N, 11, CBZ_K_SIGN_TRAILING, 1, vr);
    cbz_col_peer peers[4] = { peer_of(pk6, va, N), peer_of(pk6, vb, N), peer_of(pk4, vp, N),
                              peer_of(zn11, vr, N) };
    cbz_col_stats st;
    /* billing = amount mostly */
    size_t plain = plain_size(&pk6, vb, N), with = roundtrip_peers(&pk6, vb, N, peers, 1, &st);
    printf("\n  billing: %zu -> %zu (%s)", plain, with, st.chain);
    CU_ASSERT(with > 0 && with * 2 < plain);
    CU_ASSERT(strstr(st.chain, ">ref>") != NULL);
    /* points = billing / 100: a reference scaled by 10^2 */
    plain = plain_size(&pk4, vp, N);
    with = roundtrip_peers(&pk4, vp, N, peers, 2, &st);
    printf("\n  points: %zu -> %zu (%s)", plain, with, st.chain);
    CU_ASSERT(with > 0 && with * 4 < plain);
    /* running balance: steps by the billing amount */
    plain = plain_size(&zn11, vr, N);
    with = roundtrip_peers(&zn11, vr, N, peers, 3, &st);
    printf("\n  running balance: %zu -> %zu (%s)", plain, with, st.chain);
    CU_ASSERT(with > 0 && with * 3 < plain);
    CU_ASSERT(strstr(st.chain, ">ref-sum>") != NULL);
    /* unrelated random values take no reference */
    for (size_t i = 0; i < N; i++) {
        amt[i] = (int64_t)(rnd() % 1000000);
        fa[i] = 0xC;
    }
    K->i64_to_packed(amt, fa, N, 6, va);
    with = roundtrip_peers(&pk6, vb, N, peers, 1, &st);
    CU_ASSERT(strstr(st.chain, "ref") == NULL);

    /* OCCURS entries after the count: dates that grow entry by entry, spaces
     * where the entry is unused (more than half of the last one): the
     * exceptions come from the previous entry and the dates are differences */
    enum { E = 4 };
    cbz_col_desc zd = mk(CBZ_COL_ZONED, 8, CBZ_K_SIGN_NONE, 1, 0);
    uint8_t *dates = malloc((size_t)E * N * 8);
    int64_t *dv = malloc(N * sizeof *dv);
    memset(f, 0, N);
    unsigned *cnt = malloc(N * sizeof *cnt);
    for (size_t i = 0; i < N; i++) cnt[i] = (unsigned)(rnd() % (E + 1));
    for (int e = 0; e < E; e++) {
        for (size_t i = 0; i < N; i++) {
            int64_t prev = e ? dv[i] : 20250101 + (int64_t)(rnd() % 20);
            dv[i] = prev + (int64_t)(rnd() % 9);
        }
        uint8_t *col = dates + (size_t)e * N * 8;
        K->i64_to_zoned(dv, f, N, 8, CBZ_K_SIGN_NONE, 1, col);
        for (size_t i = 0; i < N; i++)
            if ((unsigned)e >= cnt[i]) memset(col + i * 8, 0x40, 8);
    }
    cbz_col_peer dp[E];
    for (int e = 0; e < E; e++) dp[e] = peer_of(zd, dates + (size_t)e * N * 8, N);
    const uint8_t *last = dates + (size_t)(E - 1) * N * 8;
    plain = plain_size(&zd, last, N);
    with = roundtrip_peers(&zd, last, N, dp, E - 1, &st);
    printf("\n  last OCCURS date (%s): %zu -> %zu (%s)\n", "80% spaces", plain, with, st.chain);
    CU_ASSERT(with > 0 && with * 2 < plain);
    CU_ASSERT(strstr(st.chain, "ref") != NULL);
    CU_ASSERT(st.exceptions > N / 2);
    free(dates);
    free(dv);
    free(cnt);
    free(amt);
    free(bill);
    free(run);
    free(pts);
    free(f);
    free(fa);
    free(va);
    free(vb);
    free(vr);
    free(vp);
}

/* A reference encoding refuses wrong peers, truncations and flips without
 * crashing; an encoding without a reference decodes whatever peers come. */
static void test_peers_corruption(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    enum { N = 400 };
    int64_t x[N];
    uint8_t f[N], a[N * 6], b[N * 6], back[N * 6 + 1], copy[N * 8 + 64];
    for (size_t i = 0; i < N; i++) {
        x[i] = (int64_t)(rnd() % 100000);
        f[i] = 0xC;
    }
    cbz_col_desc pk = mk(CBZ_COL_PACKED, 6, 0, 1, 1);
    K->i64_to_packed(x, f, N, 6, a);
    for (size_t i = 0; i < N; i++) x[i] += (int64_t)(rnd() % 3);
    K->i64_to_packed(x, f, N, 6, b);
    for (size_t i = 0; i < N; i += 3) memset(a + i * 6, 0x40, 6); /* ref invalid ... */
    for (size_t i = 0; i < N; i += 3) memset(b + i * 6, 0x40, 6); /* ... where we are */
    memset(b + 7 * 6, 0xEE, 6);                                    /* and one more */
    cbz_col_peer peers[2] = { peer_of(mk(CBZ_COL_TEXT, 6, 0, 1, 0), b, N), peer_of(pk, a, N) };
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err;
    cbz_col_stats st;
    CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&pk, b, N, peers, 2, 3, &out, &st, &err), CBZ_OK);
    CU_ASSERT(strstr(st.chain, "ref") != NULL);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&pk, out.data, out.len, N, peers, 2, back, &err), CBZ_OK);
    CU_ASSERT(memcmp(back, b, sizeof b) == 0);
    /* the reference missing, of another kind, another count */
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&pk, out.data, out.len, N, peers, 1, back, &err),
                    CBZ_ERR_FORMAT);
    CU_ASSERT_EQUAL(cbz_column_decode(&pk, out.data, out.len, N, back, &err), CBZ_ERR_FORMAT);
    cbz_col_peer wrong[2] = { peers[0], peers[0] };
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&pk, out.data, out.len, N, wrong, 2, back, &err),
                    CBZ_ERR_FORMAT);
    wrong[1] = peer_of(pk, a, N - 1);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&pk, out.data, out.len, N, wrong, 2, back, &err),
                    CBZ_ERR_FORMAT);
    /* a reference with no invalid values can not give the exceptions */
    uint8_t a_valid[N * 6];
    K->i64_to_packed(x, f, N, 6, a_valid);
    wrong[1] = peer_of(pk, a_valid, N);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&pk, out.data, out.len, N, wrong, 2, back, &err),
                    CBZ_ERR_FORMAT);
    /* every truncation fails, flips give OK or FORMAT and never crash */
    int trunc_ok = 1, flip_ok = 1;
    CU_ASSERT_FATAL(out.len <= sizeof copy);
    for (size_t l = 0; l < out.len; l++) {
        memcpy(copy, out.data, l);
        if (cbz_column_decode_peers(&pk, copy, l, N, peers, 2, back, &err) != CBZ_ERR_FORMAT)
            trunc_ok = 0;
    }
    for (size_t bit = 0; bit < out.len * 8; bit++) {
        memcpy(copy, out.data, out.len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cbz_status rc = cbz_column_decode_peers(&pk, copy, out.len, N, peers, 2, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) flip_ok = 0;
    }
    CU_ASSERT(trunc_ok);
    CU_ASSERT(flip_ok);
    cbz_buf_free(&out);
}

/* The numeric body as the first version wrote it (exceptions in the integer
 * stream, no reference) still decodes, with or without peers. */
static void test_old_encoding(void)
{
    /* packed width 2, signed: 123, invalid FF FF, 456 */
    static const uint8_t want[6] = { 0x12, 0x3C, 0xFF, 0xFF, 0x45, 0x6C };
    static const uint8_t enc[] = {
        1, 4, 3, 13, 0,            /* version, NUMERIC, n = 3, body 13 bytes, stored */
        0, 2,                      /* NONE, exceptions */
        1, 1, 0xFF, 0xFF,          /* one exception at index 1, its bytes */
        0x82, 0xF6, 0xF6, 0x90,    /* zz 246 246 912 as 2 byte planes */
        0x00, 0x00, 0x03
    };
    cbz_col_desc d = mk(CBZ_COL_PACKED, 2, 0, 1, 1);
    uint8_t out[6];
    cbz_error err;
    CU_ASSERT_EQUAL(cbz_column_decode(&d, enc, sizeof enc, 3, out, &err), CBZ_OK);
    CU_ASSERT(memcmp(out, want, 6) == 0);
    cbz_col_peer p = peer_of(d, want, 3);
    memset(out, 0, sizeof out);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&d, enc, sizeof enc, 3, &p, 1, out, &err), CBZ_OK);
    CU_ASSERT(memcmp(out, want, 6) == 0);
    /* and the reference flags refuse a missing reference */
    uint8_t bad[sizeof enc];
    memcpy(bad, enc, sizeof enc);
    bad[6] = 2 | 8; /* exceptions by reference without a reference */
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&d, bad, sizeof bad, 3, &p, 1, out, &err),
                    CBZ_ERR_FORMAT);
    bad[6] = 16; /* dense without exceptions */
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&d, bad, sizeof bad, 3, &p, 1, out, &err),
                    CBZ_ERR_FORMAT);
}


/* A text column made of earlier text columns (an e-mail address of the first
 * and last name) cuts them out; the round trip is exact, with random pads,
 * names that do not occur, and names that fill the width; corrupt offsets
 * and wrong peers are refused. */
static void test_text_reference(void)
{
    enum { N = 3000, WF = 12, WL = 15, WE = 40 };
    static const char *const first[] = { "JAMES", "MARY", "ROBERTO", "PATRICIA", "JO",
                                         "ALEXANDRINA", "WILLIAM" };
    static const char *const last[] = { "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "GARCIA",
                                        "MILLER-DAVIS", "X" };
    uint8_t *vf = malloc(N * WF), *vl = malloc(N * WL), *ve = malloc(N * WE);
    memset(vf, 0x40, N * WF);
    memset(vl, 0x40, N * WL);
    memset(ve, 0x40, N * WE);
    for (size_t i = 0; i < N; i++) {
        const char *f = first[rnd() % 7], *l = last[rnd() % 7];
        memcpy(vf + i * WF, f, strlen(f));
        memcpy(vl + i * WL, l, strlen(l));
        char e[80];
        int k = (int)(rnd() % 10);
        if (k == 0) snprintf(e, sizeof e, "NOBODY%u@MAIL.COM", (unsigned)(rnd() % 100));
        else if (k == 1) snprintf(e, sizeof e, "%s%s%s%s%s", l, f, l, f, l); /* too long: cut */
        else snprintf(e, sizeof e, "%s.%s%u@GMAIL.COM", f, l, (unsigned)(rnd() % 100));
        size_t el = strlen(e) < WE ? strlen(e) : WE;
        memcpy(ve + i * WE, e, el);
    }
    cbz_col_desc tf = mk(CBZ_COL_TEXT, WF, 0, 1, 0), tl = mk(CBZ_COL_TEXT, WL, 0, 1, 0);
    cbz_col_desc te = mk(CBZ_COL_TEXT, WE, 0, 1, 0);
    cbz_col_peer peers[3] = { peer_of(tf, vf, N), peer_of(mk(CBZ_COL_PACKED, 3, 0, 1, 1), vf, N),
                              peer_of(tl, vl, N) };
    cbz_col_stats st;
    size_t plain = plain_size(&te, ve, N), with = roundtrip_peers(&te, ve, N, peers, 3, &st);
    printf("\n  e-mail of the names: %zu -> %zu (%s)\n", plain, with, st.chain);
    CU_ASSERT(with > 0 && with * 10 < plain * 7);
    CU_ASSERT(strncmp(st.chain, "textref>", 8) == 0);
    /* unrelated text takes no reference */
    for (size_t i = 0; i < N * WE; i++) ve[i] = (uint8_t)(0xC1 + rnd() % 9);
    with = roundtrip_peers(&te, ve, N, peers, 3, &st);
    CU_ASSERT(strstr(st.chain, "textref") == NULL);
    /* names as the whole value, and the peer as long as the column */
    cbz_col_desc t15 = mk(CBZ_COL_TEXT, WL, 0, 1, 0);
    uint8_t *v15 = malloc(N * WL);
    memcpy(v15, vl, N * WL);
    roundtrip_peers(&t15, v15, N, peers, 3, &st);
    CU_ASSERT(strncmp(st.chain, "textref>", 8) == 0);

    /* corruption: wrong peers, truncations, flips */
    for (size_t i = 0; i < N; i++) {
        char e[80];
        snprintf(e, sizeof e, "%.*s.%.*s@X.COM", WF, (const char *)vf + i * WF, WL,
                 (const char *)vl + i * WL);
        memset(ve + i * WE, 0x40, WE);
        memcpy(ve + i * WE, e, strlen(e) < WE ? strlen(e) : WE);
    }
    const size_t n = 200;
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err;
    cbz_col_peer small[3] = { peer_of(tf, vf, n), peers[1], peer_of(tl, vl, n) };
    small[1].n = n;
    CU_ASSERT_EQUAL_FATAL(cbz_column_encode_peers(&te, ve, n, small, 3, 3, &out, &st, &err), CBZ_OK);
    CU_ASSERT(strncmp(st.chain, "textref>", 8) == 0);
    uint8_t *back = malloc(n * WE), *copy = malloc(out.len + 1);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&te, out.data, out.len, n, small, 3, back, &err), CBZ_OK);
    CU_ASSERT(memcmp(back, ve, n * WE) == 0);
    CU_ASSERT_EQUAL(cbz_column_decode(&te, out.data, out.len, n, back, &err), CBZ_ERR_FORMAT);
    cbz_col_peer wrong[3] = { small[1], small[1], small[1] };
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&te, out.data, out.len, n, wrong, 3, back, &err),
                    CBZ_ERR_FORMAT);
    /* a longer name than the one cut out does not fit back */
    uint8_t *vl2 = malloc(n * WL);
    memset(vl2, 0xC1, n * WL);
    cbz_col_peer longer[3] = { peer_of(tf, vl2, n), small[1], peer_of(tl, vl2, n) };
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&te, out.data, out.len, n, longer, 3, back, &err),
                    CBZ_ERR_FORMAT);
    int trunc_ok = 1, flip_ok = 1;
    for (size_t l = 0; l < out.len; l++) {
        memcpy(copy, out.data, l);
        if (cbz_column_decode_peers(&te, copy, l, n, small, 3, back, &err) != CBZ_ERR_FORMAT)
            trunc_ok = 0;
    }
    for (size_t bit = 0; bit < out.len * 8; bit++) {
        memcpy(copy, out.data, out.len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cbz_status rc = cbz_column_decode_peers(&te, copy, out.len, n, small, 3, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) flip_ok = 0;
    }
    CU_ASSERT(trunc_ok);
    CU_ASSERT(flip_ok);
    cbz_buf_free(&out);
    free(vl2);
    free(back);
    free(copy);
    free(v15);
    free(vf);
    free(vl);
    free(ve);
}


/* Text with digit runs: realistic references and addresses take TEXT_NUM
 * and shrink; odd digit runs (leading zeros, runs over 18 digits, digits at
 * both ends, many runs) round trip exactly; corruption never crashes. */
static void test_text_num(void)
{
    enum { N = 3000, W = 30 };
    static const char *const pre[] = { "INV", "PAY", "ADJ", "TRF", "FEE", "INT", "REV" };
    static const char *const street[] = { "MAIN ST", "OAK AVE", "ELM ST", "BROADWAY",
                                          "PARK AVE", "HILL RD", "LAKE DR" };
    uint8_t *v = malloc(N * W);
    for (int eb = 0; eb <= 1; eb++) {
        const uint8_t pad = eb ? 0x40 : 0x20, zero = eb ? 0xF0 : 0x30;
        cbz_col_desc d = mk(CBZ_COL_TEXT, W, 0, (uint8_t)eb, 0);
        for (int shape = 0; shape < 2; shape++) {
            for (size_t i = 0; i < N; i++) {
                char s[64];
                if (i % 5 == 0) s[0] = 0; /* blank */
                else if (shape == 0)
                    snprintf(s, sizeof s, "%s%07u", pre[rnd() % 7], (unsigned)(rnd() % 10000000));
                else if (rnd() % 4 == 0)
                    snprintf(s, sizeof s, "%u %s APT %u", (unsigned)(rnd() % 9999 + 1),
                             street[rnd() % 7], (unsigned)(rnd() % 40 + 1));
                else
                    snprintf(s, sizeof s, "%u %s", (unsigned)(rnd() % 9999 + 1), street[rnd() % 7]);
                uint8_t *p = v + i * W;
                memset(p, pad, W);
                for (size_t j = 0; s[j] && j < W; j++)
                    p[j] = (uint8_t)(s[j] >= '0' && s[j] <= '9' ? zero + (s[j] - '0')
                                     : eb && s[j] >= 'A' && s[j] <= 'I' ? 0xC1 + (s[j] - 'A')
                                     : eb && s[j] >= 'J' && s[j] <= 'R' ? 0xD1 + (s[j] - 'J')
                                     : eb && s[j] >= 'S' && s[j] <= 'Z' ? 0xE2 + (s[j] - 'S')
                                     : eb && s[j] == ' ' ? 0x40 : (uint8_t)s[j]);
            }
            cbz_col_stats st;
            size_t len = roundtrip(&d, v, N, 3, &st);
            CU_ASSERT(strstr(st.chain, "textnum") != NULL);
            /* the plain text forms of the same values cost more: compare
             * against the values with their digits turned into letters
             * (same entropy for the templates, no numbers to pull out) */
            CU_ASSERT(len > 0 && len < (shape == 0 ? N * 4 : N * 5));
            if (strstr(st.chain, "textnum") == NULL) printf("\nchain %s\n", st.chain);
        }
        corrupt_one(&d, v, 300, 3);
        /* odd digit runs: long, zero-led, at both ends, many, all digits */
        for (size_t i = 0; i < N; i++) {
            uint8_t *p = v + i * W;
            memset(p, pad, W);
            /* a 3-letter prefix + a 7-digit number; one value in 8 a zero-led
             * run of up to 25 digits with "-" and more digits, one in 256 random bytes */
            size_t len = 3 + 7;
            const unsigned pk = (unsigned)(rnd() % 7);
            p[0] = eb ? 0xC1 + pk : 'A' + pk; /* seven prefixes, as references have */
            p[1] = eb ? 0xC2 : 'B';
            p[2] = eb ? 0xC3 + pk : 'C' + pk;
            if (i % 8 == 5) len = 4 + rnd() % 25;
            for (size_t j = 3; j < len; j++)
                p[j] = (uint8_t)(zero + (j == 3 && i % 8 == 5 ? 0 : rnd() % 10));
            if (i % 8 == 5 && len < W - 3) {
                p[len] = eb ? 0x60 : '-';
                p[len + 1] = (uint8_t)(zero + rnd() % 10);
            }
            if (i % 256 == 3)
                for (size_t j = 0; j < W; j++) {
                    uint64_t r = rnd() % 10;
                    p[j] = r < 6 ? (uint8_t)(zero + rnd() % 10) : r < 8 ? pad : (uint8_t)rnd();
                }
            if (i % 97 == 0) memset(p, zero, W); /* 30 zeros: runs of 18 + 12 */
            if (i % 89 == 0) { memset(p, zero + 9, W); p[W - 1] = pad; }
        }
        cbz_col_stats st;
        roundtrip(&d, v, N, 3, &st);
        CU_ASSERT(strstr(st.chain, "textnum") != NULL);
        if (!strstr(st.chain, "textnum")) printf("\n  odd runs: %s\n", st.chain);
        corrupt_one(&d, v, 200, 3);
    }
    free(v);
}

/* Decimal planes: prices in cents (many ending in .99 or .00), signed or not,
 * dates; the FOR and NONE paths, with no negative value at all too (the
 * signed form then holds magnitudes twice as wide as the zigzag values). */
static void test_decimal_planes(void)
{
    const cbz_kernel_table *K = cbz_kernels();
    enum { N = 4000 };
    int64_t *x = malloc(N * sizeof *x);
    uint8_t *f = malloc(N), *v = malloc(N * 10);
    for (int shape = 0; shape < 5; shape++) {
        for (size_t i = 0; i < N; i++) {
            int64_t c = (int64_t)(rnd() % 150000) + 100;
            uint64_t r = rnd() % 8;
            if (r < 2) c = c / 100 * 100 + 99;
            else if (r < 3) c = c / 100 * 100;
            switch (shape) {
            case 0: x[i] = c; break;                                   /* unsigned */
            case 1: x[i] = rnd() % 3 ? -c : c; break;                  /* signed */
            case 2: x[i] = (int64_t)(19400000 + (rnd() % 68) * 10000 + (rnd() % 12 + 1) * 100 +
                                     rnd() % 28 + 1); break;           /* dates */
            case 3: x[i] = c * 1000000000LL; break;                    /* wide */
            default: x[i] = (int64_t)(rnd() % 1000000000000000000ULL); break;
            }
            f[i] = x[i] < 0 ? 0xD : 0xC;
        }
        cbz_col_desc pk = mk(CBZ_COL_PACKED, 10, 0, 1, 1);
        K->i64_to_packed(x, f, N, 10, v);
        cbz_col_stats st;
        size_t len = roundtrip(&pk, v, N, 3, &st);
        CU_ASSERT(len > 0);
        corrupt_one(&pk, v, 400, 3);
        cbz_col_desc zd = mk(CBZ_COL_ZONED, 10, 0, 1, 0);
        for (size_t i = 0; i < N; i++) {
            x[i] = x[i] < 0 ? -x[i] : x[i];
            x[i] %= 10000000000LL;
            f[i] = 0xF;
        }
        K->i64_to_zoned(x, f, N, 10, 0, 1, v);
        roundtrip(&zd, v, N, 3, NULL);
    }
    /* prices: decimal planes must beat what binary planes gave (about 2.3
     * bytes a value for this distribution) */
    for (size_t i = 0; i < N; i++) {
        int64_t c = (int64_t)(rnd() % 6000) + 100;
        x[i] = rnd() % 2 ? c / 100 * 100 + 99 : c / 100 * 100;
        f[i] = 0xC;
    }
    cbz_col_desc pk = mk(CBZ_COL_PACKED, 5, 0, 1, 1);
    K->i64_to_packed(x, f, N, 5, v);
    size_t len = roundtrip(&pk, v, N, 3, NULL);
    CU_ASSERT(len > 0 && len < N); /* 6 bits of dollars + 1 bit of cents */
    free(x);
    free(f);
    free(v);
}

/* Fields of unused OCCURS entries are blank where an earlier field of the
 * entry is: the column is stored without them (TEXT_MASK), exactly. */
static void test_text_mask(void)
{
    enum { N = 2000, PW = 8, W = 10 };
    uint8_t *a = malloc(N * PW), *b = malloc(N * W);
    for (int eb = 0; eb <= 1; eb++) {
        const uint8_t pad = eb ? 0x40 : 0x20, zero = eb ? 0xF0 : 0x30;
        for (size_t i = 0; i < N; i++) {
            bool blank = rnd() % 3 == 0;
            memset(a + i * PW, pad, PW);
            memset(b + i * W, pad, W);
            if (blank) continue;
            for (size_t j = 0; j < PW; j++) a[i * PW + j] = (uint8_t)(zero + rnd() % 10);
            size_t l = 1 + rnd() % 4;
            for (size_t j = 0; j < l; j++) b[i * W + j] = (uint8_t)(eb ? 0xC1 + rnd() % 3 : 'A' + rnd() % 3);
        }
        cbz_col_desc pd = mk(CBZ_COL_ZONED, PW, 0, (uint8_t)eb, 0);
        cbz_col_desc cd = mk(CBZ_COL_TEXT, W, 0, (uint8_t)eb, 0);
        cbz_col_peer peers[1] = { peer_of(pd, a, N) };
        cbz_col_stats st;
        size_t with = roundtrip_peers(&cd, b, N, peers, 1, &st);
        CU_ASSERT(strstr(st.chain, "mask") != NULL);
        size_t without = roundtrip(&cd, b, N, 3, NULL);
        CU_ASSERT(with > 0 && with < without);
        /* one value not blank where the peer is: no mask, still exact */
        memset(b, eb ? 0xC1 : 'A', 3);
        memset(a, pad, PW);
        roundtrip_peers(&cd, b, N, peers, 1, &st);
        CU_ASSERT(strstr(st.chain, "mask") == NULL);
        memset(b, pad, W);
        /* truncations and bit flips of a masked encoding with its peer */
        cbz_buf out;
        cbz_buf_init(&out);
        cbz_error err;
        CU_ASSERT_EQUAL(cbz_column_encode_peers(&cd, b, 300, (cbz_col_peer[]){ peer_of(pd, a, 300) },
                                                1, 3, &out, NULL, &err), CBZ_OK);
        cbz_col_peer p300 = peer_of(pd, a, 300);
        uint8_t *back = malloc(300 * W), *copy = malloc(out.len);
        int ok = 1;
        for (size_t l = 0; l < out.len; l++) {
            cbz_status rc = cbz_column_decode_peers(&cd, out.data, l, 300, &p300, 1, back, &err);
            if (rc != CBZ_ERR_FORMAT) ok = 0;
        }
        for (size_t bit = 0; bit < out.len * 8; bit++) {
            memcpy(copy, out.data, out.len);
            copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            cbz_status rc = cbz_column_decode_peers(&cd, copy, out.len, 300, &p300, 1, back, &err);
            if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) ok = 0;
        }
        /* without the peer: refused */
        if (cbz_column_decode_peers(&cd, out.data, out.len, 300, NULL, 0, back, &err) !=
            CBZ_ERR_FORMAT)
            ok = 0;
        CU_ASSERT(ok);
        free(back);
        free(copy);
        cbz_buf_free(&out);
    }
    free(a);
    free(b);
}

/* Record lengths (a 4-byte binary peer): 72 for most rows, 97 for the others;
 * the text column holds a few codes in the first kind, unique names in the
 * other. */
static void split_data(uint8_t *lens, uint8_t *txt, size_t n, size_t w, unsigned every)
{
    static const char *codes[8] = { "PAY", "DEP", "WDL", "FEE", "INT", "TRF", "CHK", "ATM" };
    for (size_t i = 0; i < n; i++) {
        bool other = rnd() % every == 0;
        uint32_t l = other ? 97u : 72u;
        memcpy(lens + i * 4, &l, 4);
        memset(txt + i * w, 0x40, w);
        if (other) {
            for (size_t j = 0; j < w; j++) txt[i * w + j] = (uint8_t)(0xC1 + rnd() % 9);
        } else {
            const char *c = codes[rnd() % 8];
            for (size_t j = 0; j < 3; j++) txt[i * w + j] = (uint8_t)(0xC1 + (c[j] - 'A') % 9);
        }
    }
}

static void test_text_split(void)
{
    enum { W = 12 };
    const size_t sizes[3] = { 600, 4000, 20000 }; /* full trial, both, sampled */
    cbz_col_desc ld = mk(CBZ_COL_BINARY, 4, 0, 1, 0);
    cbz_col_desc cd = mk(CBZ_COL_TEXT, W, 0, 1, 0);
    for (int s = 0; s < 3; s++) {
        const size_t n = sizes[s];
        uint8_t *lens = malloc(n * 4), *txt = malloc(n * W);
        split_data(lens, txt, n, W, 6);
        /* the lengths come first, an unrelated peer after them */
        uint8_t *noise = malloc(n * 2);
        for (size_t i = 0; i < n * 2; i++) noise[i] = (uint8_t)rnd();
        cbz_col_peer peers[2] = { peer_of(ld, lens, n), peer_of(mk(CBZ_COL_RAW, 2, 0, 1, 0), noise, n) };
        cbz_col_stats st;
        size_t with = roundtrip_peers(&cd, txt, n, peers, 2, &st);
        CU_ASSERT(strstr(st.chain, "split") != NULL);
        size_t without = roundtrip(&cd, txt, n, 3, NULL);
        CU_ASSERT(with > 0 && with < without);
        if (with >= without || !strstr(st.chain, "split"))
            printf("\nsplit n=%zu: %zu vs %zu bytes, chain %s\n", n, with, without, st.chain);
        /* a peer whose rows are all alike (no second group): no split, exact */
        uint8_t *same = malloc(n * 4);
        for (size_t i = 0; i < n; i++) memcpy(same + i * 4, lens, 4);
        cbz_col_peer flat = peer_of(ld, same, n);
        roundtrip_peers(&cd, txt, n, &flat, 1, &st);
        CU_ASSERT(strstr(st.chain, "split") == NULL);
        /* both groups drawn from the same values: no split, exact */
        uint8_t *txt2 = malloc(n * W), *lens2 = malloc(n * 4);
        split_data(lens2, txt2, n, W, 1000000);
        roundtrip_peers(&cd, txt2, n, peers, 1, &st);
        CU_ASSERT(strstr(st.chain, "split") == NULL);
        free(lens2);
        free(txt2);
        free(same);
        free(noise);
        free(lens);
        free(txt);
    }
    /* corruption of a split encoding: every truncation, every bit flip, a
     * missing peer, a peer that no longer qualifies, a peer too wide */
    const size_t n = 600;
    uint8_t *lens = malloc(n * 4), *txt = malloc(n * W);
    split_data(lens, txt, n, W, 6);
    cbz_col_peer p = peer_of(ld, lens, n);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_error err;
    cbz_col_stats st;
    CU_ASSERT_EQUAL(cbz_column_encode_peers(&cd, txt, n, &p, 1, 3, &out, &st, &err), CBZ_OK);
    CU_ASSERT(strstr(st.chain, "split") != NULL);
    uint8_t *back = malloc(n * W), *copy = malloc(out.len);
    int ok = 1;
    for (size_t l = 0; l < out.len; l++)
        if (cbz_column_decode_peers(&cd, out.data, l, n, &p, 1, back, &err) != CBZ_ERR_FORMAT)
            ok = 0;
    CU_ASSERT(ok);
    ok = 1;
    for (size_t bit = 0; bit < out.len * 8; bit++) {
        memcpy(copy, out.data, out.len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cbz_status rc = cbz_column_decode_peers(&cd, copy, out.len, n, &p, 1, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) ok = 0;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&cd, out.data, out.len, n, NULL, 0, back, &err),
                    CBZ_ERR_FORMAT);
    uint8_t *flat = malloc(n * 4);
    for (size_t i = 0; i < n; i++) memcpy(flat + i * 4, lens, 4);
    cbz_col_peer pf = peer_of(ld, flat, n);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&cd, out.data, out.len, n, &pf, 1, back, &err),
                    CBZ_ERR_FORMAT);
    uint8_t *wide = calloc(n, 9);
    cbz_col_peer pw = peer_of(mk(CBZ_COL_RAW, 9, 0, 1, 0), wide, n);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&cd, out.data, out.len, n, &pw, 1, back, &err),
                    CBZ_ERR_FORMAT);
    cbz_col_peer pshort = peer_of(ld, lens, n - 1);
    CU_ASSERT_EQUAL(cbz_column_decode_peers(&cd, out.data, out.len, n, &pshort, 1, back, &err),
                    CBZ_ERR_FORMAT);
    free(wide);
    free(flat);
    free(back);
    free(copy);
    cbz_buf_free(&out);
    free(lens);
    free(txt);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column", NULL, NULL);
    CU_add_test(s, "round trip of random bytes, every kind, n = 0, 1, ...", test_random_bytes);
    CU_add_test(s, "round trip of typed values with exceptions", test_typed_with_exceptions);
    CU_add_test(s, "all-invalid columns", test_all_invalid);
    CU_add_test(s, "realistic columns: chains and sizes", test_realistic);
    CU_add_test(s, "descriptor for a copybook field", test_desc_for_field);
    CU_add_test(s, "corrupt encodings give errors, never crashes", test_corruption);
    CU_add_test(s, "same encoding with every kernel variant", test_every_variant_same_encoding);
    CU_add_test(s, "packed blocks: bit-packed and byte planes", test_packed_block_forms);
    CU_add_test(s, "skewed few-valued numbers take the dictionary", test_skewed_dictionary);
    CU_add_test(s, "round trip with peers: random, typed with exceptions, all invalid",
                test_peers_roundtrip);
    CU_add_test(s, "correlated columns take a reference and shrink", test_peers_chosen);
    CU_add_test(s, "reference encodings: wrong peers, truncations, flips", test_peers_corruption);
    CU_add_test(s, "encodings without a reference still decode", test_old_encoding);
    CU_add_test(s, "text made of earlier text columns cuts them out", test_text_reference);
    CU_add_test(s, "text with digit runs: templates and numbers", test_text_num);
    CU_add_test(s, "decimal planes: prices, signs, dates, wide values", test_decimal_planes);
    CU_add_test(s, "blank where a peer is blank: masked text", test_text_mask);
    CU_add_test(s, "two kinds of rows by a peer's main value: split text", test_text_split);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
