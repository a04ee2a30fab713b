/*
 * test_gpu.c — the GPU backend (kernels/gpu.h) against the portable kernels,
 * byte for byte, on random and edge-case buffers, once with automatic batch
 * sizes and once with a tiny device slot so that every entry goes through
 * many batches; cbz_gpu_columns against a CPU computation of the same
 * columns and statistics; and the routing policy of src/device.h.
 *
 * Without a usable GPU the kernel suite is skipped (it says so on stdout)
 * and the checks that the entries fail with CBZ_ERR_DEVICE run instead
 * (with the loader's "no CUDA backend: dlopen(PATH): ..." when the .so is
 * not found).  CPU and small auto jobs must not load the backend at all.
 * Outputs are poisoned before each GPU call so unwritten bytes show.
 */
#include "device.h"
#include "gpu.h"
#include "kernels.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static void fill_random(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rnd();
}
static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}
#define POISON(p, n) memset((p), 0xA5, (n))

/* counts tested; the sizes straddle the batch boundaries of the small slot */
static const size_t sizes[] = { 0, 1, 2, 7, 8, 9, 255, 1000, 40009 };
#define NSIZES (sizeof sizes / sizeof sizes[0])
#define MAXN 40009

/* An int64 that stresses wrap-around: extremes, small, and random. */
static int64_t rnd_i64(size_t i)
{
    switch (rnd() % 8) {
    case 0: return INT64_MIN + (int64_t)(rnd() % 3);
    case 1: return INT64_MAX - (int64_t)(rnd() % 3);
    case 2: return (int64_t)(rnd() % 7) - 3;
    case 3: return (int64_t)i * 1000 + (int64_t)(rnd() % 10);
    default: return (int64_t)rnd();
    }
}

/* ------------------------------------------------------------ per-kernel twins */

static void make_packed(uint8_t *in, size_t n, size_t w)
{
    fill_random(in, n * w);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = in + i * w;
        if (i % 3 != 0) { /* two thirds valid */
            for (size_t j = 0; j < w; j++) p[j] = (uint8_t)((rnd() % 10) << 4 | (rnd() % 10));
            p[w - 1] = (uint8_t)((p[w - 1] & 0xF0) | (0xA + rnd() % 6));
            if (w == CBZ_K_PACKED_MAX_WIDTH && i % 7) p[0] &= 0x0F;
        }
        if (i % 97 == 5) { memset(p, 0, w); p[w - 1] = 0x0D; } /* negative zero */
        if (i % 97 == 6) { memset(p, 0x99, w); p[w - 1] = 0x9C; }
    }
}

static void test_packed(void)
{
    uint8_t *in = xalloc(MAXN * 10), *back = xalloc(MAXN * 10), *gback = xalloc(MAXN * 10);
    int64_t *v = xalloc(MAXN * 8), *gv = xalloc(MAXN * 8);
    uint8_t *s = xalloc(MAXN), *gs = xalloc(MAXN), *b = xalloc(MAXN), *gb = xalloc(MAXN);
    for (size_t w = 1; w <= CBZ_K_PACKED_MAX_WIDTH; w++) {
        for (size_t k = 0; k < NSIZES; k++) {
            size_t n = sizes[k], gbad = 12345;
            make_packed(in, n, w);
            size_t bad = cbz_k_packed_to_i64_portable(in, n, w, v, s, b);
            POISON(gv, n * 8), POISON(gs, n), POISON(gb, n);
            cbz_error err;
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_packed_to_i64(in, n, w, gv, gs, gb, &gbad, &err), CBZ_OK);
            CU_ASSERT_EQUAL(gbad, bad);
            CU_ASSERT(memcmp(v, gv, n * 8) == 0);
            CU_ASSERT(memcmp(s, gs, n) == 0);
            CU_ASSERT(memcmp(b, gb, n) == 0);
            /* the inverse, on everything (invalid values give 0 with sign 0) */
            for (size_t i = 0; i < n; i++)
                if (i % 5 == 0) v[i] = rnd_i64(i), s[i] = (uint8_t)rnd();
            cbz_k_i64_to_packed_portable(v, s, n, w, back);
            POISON(gback, n * w);
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_i64_to_packed(v, s, n, w, gback, &err), CBZ_OK);
            CU_ASSERT(memcmp(back, gback, n * w) == 0);
        }
    }
    cbz_error err;
    size_t nb;
    CU_ASSERT_EQUAL(cbz_gpu_packed_to_i64(in, 1, 11, v, s, b, &nb, &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_gpu_packed_to_i64(in, 1, 0, v, s, b, &nb, &err), CBZ_ERR_USAGE);
    free(in), free(back), free(gback), free(v), free(gv), free(s), free(gs), free(b), free(gb);
}

static void make_zoned(uint8_t *in, size_t n, size_t w, int mode, int ebcdic)
{
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    const uint8_t plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
    fill_random(in, n * w);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = in + i * w;
        if (i % 4 == 0) continue; /* random bytes: mostly invalid */
        for (size_t j = 0; j < w; j++) p[j] = (uint8_t)(zone | (rnd() % 10));
        uint8_t z = ebcdic ? (uint8_t)(0xA + rnd() % 6) : (rnd() & 1 ? 0x3 : 0x7);
        switch (mode) {
        case CBZ_K_SIGN_TRAILING: p[w - 1] = (uint8_t)(z << 4 | (p[w - 1] & 15)); break;
        case CBZ_K_SIGN_LEADING: p[0] = (uint8_t)(z << 4 | (p[0] & 15)); break;
        case CBZ_K_SIGN_TRAILING_SEPARATE: p[w - 1] = rnd() & 1 ? plus : minus; break;
        case CBZ_K_SIGN_LEADING_SEPARATE: p[0] = rnd() & 1 ? plus : minus; break;
        default: break;
        }
        if (i % 11 == 3) p[rnd() % w] = (uint8_t)(zone | 0x0A); /* a non-digit */
    }
}

static void test_zoned(void)
{
    uint8_t *in = xalloc(MAXN * 19), *back = xalloc(MAXN * 19), *gback = xalloc(MAXN * 19);
    int64_t *v = xalloc(MAXN * 8), *gv = xalloc(MAXN * 8);
    uint8_t *f = xalloc(MAXN), *gf = xalloc(MAXN), *b = xalloc(MAXN), *gb = xalloc(MAXN);
    static const size_t ns[] = { 0, 1, 9, 3001 };
    for (int mode = 0; mode <= 4; mode++)
        for (int ebcdic = 0; ebcdic <= 1; ebcdic++)
            for (size_t w = mode >= 3 ? 2 : 1; w <= (mode >= 3 ? 19u : 18u); w++)
                for (size_t k = 0; k < 4; k++) {
                    size_t n = ns[k], gbad = 999;
                    cbz_error err;
                    make_zoned(in, n, w, mode, ebcdic);
                    size_t bad = cbz_k_zoned_to_i64_portable(in, n, w, mode, ebcdic, v, f, b);
                    POISON(gv, n * 8), POISON(gf, n), POISON(gb, n);
                    CU_ASSERT_EQUAL_FATAL(
                        cbz_gpu_zoned_to_i64(in, n, w, mode, ebcdic, gv, gf, gb, &gbad, &err), CBZ_OK);
                    CU_ASSERT_EQUAL(gbad, bad);
                    CU_ASSERT(memcmp(v, gv, n * 8) == 0);
                    CU_ASSERT(memcmp(f, gf, n) == 0);
                    CU_ASSERT(memcmp(b, gb, n) == 0);
                    cbz_k_i64_to_zoned_portable(v, f, n, w, mode, ebcdic, back);
                    POISON(gback, n * w);
                    CU_ASSERT_EQUAL_FATAL(cbz_gpu_i64_to_zoned(v, f, n, w, mode, ebcdic, gback, &err), CBZ_OK);
                    CU_ASSERT(memcmp(back, gback, n * w) == 0);
                }
    cbz_error err;
    size_t nb;
    CU_ASSERT_EQUAL(cbz_gpu_zoned_to_i64(in, 1, 19, 0, 1, v, f, b, &nb, &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_gpu_zoned_to_i64(in, 1, 1, CBZ_K_SIGN_LEADING_SEPARATE, 1, v, f, b, &nb, &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_gpu_zoned_to_i64(in, 1, 4, 7, 1, v, f, b, &nb, &err), CBZ_ERR_USAGE);
    free(in), free(back), free(gback), free(v), free(gv), free(f), free(gf), free(b), free(gb);
}

static void test_binary_gather_text(void)
{
    uint8_t *in = xalloc(MAXN * 100), *col = xalloc(MAXN * 100), *gcol = xalloc(MAXN * 100);
    int64_t *v = xalloc(MAXN * 8), *gv = xalloc(MAXN * 8);
    uint32_t *len = xalloc(MAXN * 4), *glen = xalloc(MAXN * 4);
    cbz_error err;
    for (size_t k = 0; k < NSIZES; k++) {
        size_t n = sizes[k];
        fill_random(in, n * 8);
        for (size_t w = 1; w <= 8; w++)
            for (int sg = 0; sg <= 1; sg++) {
                cbz_k_be_to_i64_portable(in, n, w, sg, v);
                POISON(gv, n * 8);
                CU_ASSERT_EQUAL_FATAL(cbz_gpu_be_to_i64(in, n, w, sg, gv, &err), CBZ_OK);
                CU_ASSERT(memcmp(v, gv, n * 8) == 0);
            }
        /* gather: aligned (word path) and odd strides/offsets/widths */
        static const size_t shapes[][3] = { { 100, 0, 100 }, { 100, 20, 8 }, { 97, 3, 5 },
                                            { 12, 4, 8 }, { 1, 0, 1 }, { 40, 39, 1 } };
        for (size_t q = 0; q < sizeof shapes / sizeof shapes[0]; q++) {
            size_t stride = shapes[q][0], off = shapes[q][1], w = shapes[q][2];
            fill_random(in, n * stride);
            cbz_k_gather_portable(in, n, stride, off, w, col);
            POISON(gcol, n * w);
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_gather(in, n, stride, off, w, gcol, &err), CBZ_OK);
            CU_ASSERT(memcmp(col, gcol, n * w) == 0);
        }
        /* text lengths, with all-pad and no-pad values */
        for (size_t w = 1; w <= 40; w += 13) {
            for (size_t i = 0; i < n; i++) {
                size_t l = rnd() % (w + 1);
                for (size_t j = 0; j < w; j++) in[i * w + j] = j < l ? (uint8_t)(rnd() % 3 ? 0xC1 : 0x40) : 0x40;
            }
            size_t tot = cbz_k_text_lengths_portable(in, n, w, 0x40, len), gtot = 7;
            POISON(glen, n * 4);
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_text_lengths(in, n, w, 0x40, glen, &gtot, &err), CBZ_OK);
            CU_ASSERT_EQUAL(gtot, tot);
            CU_ASSERT(memcmp(len, glen, n * 4) == 0);
        }
    }
    CU_ASSERT_EQUAL(cbz_gpu_gather(in, 1, 10, 5, 6, gcol, &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_gpu_be_to_i64(in, 1, 9, 0, gv, &err), CBZ_ERR_USAGE);
    free(in), free(col), free(gcol), free(v), free(gv), free(len), free(glen);
}

static void test_delta_family(void)
{
    int64_t *in = xalloc(MAXN * 8), *out = xalloc(MAXN * 8), *gout = xalloc(MAXN * 8);
    uint64_t *u = xalloc(MAXN * 8), *gu = xalloc(MAXN * 8);
    uint8_t *pk = xalloc(MAXN * 8 + 8), *gpk = xalloc(MAXN * 8 + 8);
    cbz_error err;
    for (size_t k = 0; k < NSIZES; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++) in[i] = i && rnd() % 3 == 0 ? in[i - 1] : rnd_i64(i);
        cbz_k_delta_encode_portable(in, n, out);
        POISON(gout, n * 8);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_delta_encode(in, n, gout, &err), CBZ_OK);
        CU_ASSERT(memcmp(out, gout, n * 8) == 0);
        cbz_k_delta2_encode_portable(in, n, out);
        POISON(gout, n * 8);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_delta2_encode(in, n, gout, &err), CBZ_OK);
        CU_ASSERT(memcmp(out, gout, n * 8) == 0);
        /* in place, as kernels.h allows */
        memcpy(gout, in, n * 8);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_delta2_encode(gout, n, gout, &err), CBZ_OK);
        CU_ASSERT(memcmp(out, gout, n * 8) == 0);
        cbz_k_delta_encode_portable(in, n, out);
        memcpy(gout, in, n * 8);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_delta_encode(gout, n, gout, &err), CBZ_OK);
        CU_ASSERT(memcmp(out, gout, n * 8) == 0);
        cbz_k_zigzag_encode_portable(in, n, u);
        POISON(gu, n * 8);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_zigzag_encode(in, n, gu, &err), CBZ_OK);
        CU_ASSERT(memcmp(u, gu, n * 8) == 0);
        int64_t lo = 0, hi = 0, glo = 1, ghi = 1;
        if (n) cbz_k_minmax_portable(in, n, &lo, &hi);
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_minmax(in, n, &glo, &ghi, &err), CBZ_OK);
        CU_ASSERT(lo == glo && hi == ghi);
        size_t runs = cbz_k_run_count_portable(in, n), gruns = 77;
        CU_ASSERT_EQUAL_FATAL(cbz_gpu_run_count(in, n, &gruns, &err), CBZ_OK);
        CU_ASSERT_EQUAL(runs, gruns);
        /* max bits and bit-packing at every width */
        for (unsigned bits = 0; bits <= 64; bits++) {
            uint64_t mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
            for (size_t i = 0; i < n; i++) u[i] = (uint64_t)rnd() & (i % 5 ? mask : ~0ULL);
            unsigned mb = cbz_k_max_bits_u64_portable(u, n), gmb = 99;
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_max_bits_u64(u, n, &gmb, &err), CBZ_OK);
            CU_ASSERT_EQUAL(mb, gmb);
            size_t sz = cbz_k_bitpack_size(n, bits);
            memset(pk, 0, sz + 8);
            memset(gpk, 0, sz + 8);
            cbz_k_bitpack_u64_portable(u, n, bits, pk);
            POISON(gpk, sz);
            CU_ASSERT_EQUAL_FATAL(cbz_gpu_bitpack_u64(u, n, bits, gpk, &err), CBZ_OK);
            CU_ASSERT(memcmp(pk, gpk, sz + 8) == 0); /* nothing written past the end either */
        }
    }
    CU_ASSERT_EQUAL(cbz_gpu_bitpack_u64(u, 1, 65, gpk, &err), CBZ_ERR_USAGE);
    free(in), free(out), free(gout), free(u), free(gu), free(pk), free(gpk);
}

/* ------------------------------------------------------------ cbz_gpu_columns */

/* What cbz_gpu_columns promises, computed with the portable kernels. */
static void cpu_stats(const int64_t *num, size_t m, cbz_gpu_column_stats *st)
{
    memset(st, 0, sizeof *st);
    if (m == 0) return;
    int64_t *t = xalloc(m * 8);
    uint64_t *u = xalloc(m * 8);
    cbz_k_minmax_portable(num, m, &st->min, &st->max);
    st->runs = cbz_k_run_count_portable(num, m);
    cbz_k_zigzag_encode_portable(num, m, u);
    st->bits_zigzag = (uint8_t)cbz_k_max_bits_u64_portable(u, m);
    cbz_k_for_encode_portable(num, m, st->min, u);
    st->bits_for = (uint8_t)cbz_k_max_bits_u64_portable(u, m);
    if (m > 1) {
        cbz_k_delta_encode_portable(num, m, t);
        cbz_k_minmax_portable(t + 1, m - 1, &st->dmin, &st->dmax);
        cbz_k_for_encode_portable(t + 1, m - 1, st->dmin, u);
        st->bits_delta = (uint8_t)cbz_k_max_bits_u64_portable(u, m - 1);
    }
    if (m > 2) {
        cbz_k_delta2_encode_portable(num, m, t);
        cbz_k_minmax_portable(t + 2, m - 2, &st->d2min, &st->d2max);
        cbz_k_for_encode_portable(t + 2, m - 2, st->d2min, u);
        st->bits_delta2 = (uint8_t)cbz_k_max_bits_u64_portable(u, m - 2);
    }
    free(t), free(u);
}

static void test_columns(void)
{
    /* record: 0 packed(5) 5 zoned trailing(7) 12 binary(4, signed) 16 text(20) 36 raw(3)
     *         39 zoned leading separate ASCII(6) 45 packed(10) -> 55 bytes */
    enum { STRIDE = 55, NCOL = 7, NCH = 6 };
    static const cbz_gpu_column cols[NCOL] = {
        { 0, 5, CBZ_GPU_COL_PACKED, 0, 0, 0, 0, { 0 } },
        { 5, 7, CBZ_GPU_COL_ZONED, 0, CBZ_K_SIGN_TRAILING, 1, 0, { 0 } },
        { 12, 4, CBZ_GPU_COL_BINARY, 1, 0, 0, 0, { 0 } },
        { 16, 20, CBZ_GPU_COL_TEXT, 0, 0, 0, 0x40, { 0 } },
        { 36, 3, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } },
        { 39, 6, CBZ_GPU_COL_ZONED, 0, CBZ_K_SIGN_LEADING_SEPARATE, 0, 0, { 0 } },
        { 45, 10, CBZ_GPU_COL_PACKED, 0, 0, 0, 0, { 0 } },
    };
    /* chunks: empty, 1 record, 2, 3, a big one, a middling one */
    const size_t chunk_first[NCH + 1] = { 0, 0, 1, 3, 6, 6 + 5000, 6 + 5000 + 777 };
    const size_t n = chunk_first[NCH];
    uint8_t *rec = xalloc(n * STRIDE);
    fill_random(rec, n * STRIDE);
    uint8_t tmp[20];
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = rec + i * STRIDE;
        make_packed(tmp, 1, 5), memcpy(r, tmp, 5);
        if (i % 9 == 0) r[4] = 0x12; /* invalid sign: exceptions in runs */
        make_zoned(tmp, 1, 7, CBZ_K_SIGN_TRAILING, 1);
        if (i % 4 == 0) { for (int j = 0; j < 7; j++) tmp[j] = (uint8_t)(0xF0 | (j + i / 50) % 10); }
        memcpy(r + 5, tmp, 7);
        if (i % 3) memset(r + 16 + rnd() % 20, 0x40, 1);
        if (i % 2) memset(r + 26, 0x40, 10);
        make_zoned(tmp, 1, 6, CBZ_K_SIGN_LEADING_SEPARATE, 0), memcpy(r + 39, tmp, 6);
        make_packed(tmp, 1, 10), memcpy(r + 45, tmp, 10);
        if (i >= 6 && i < 200) memset(r + 45, 0xFF, 10); /* a long invalid stretch */
    }
    cbz_gpu_column_out outs[NCOL];
    memset(outs, 0, sizeof outs);
    for (int c = 0; c < NCOL; c++) {
        outs[c].values = xalloc(n * cols[c].width);
        POISON(outs[c].values, n * cols[c].width);
        if (cols[c].kind >= CBZ_GPU_COL_ZONED && c != 6) { /* column 6: stats only */
            outs[c].num = xalloc(n * 8), outs[c].form = xalloc(n), outs[c].invalid = xalloc(n);
            POISON(outs[c].num, n * 8), POISON(outs[c].form, n), POISON(outs[c].invalid, n);
        }
        if (cols[c].kind == CBZ_GPU_COL_TEXT) outs[c].text_len = xalloc(n * 4), POISON(outs[c].text_len, n * 4);
    }
    cbz_gpu_column_stats st[NCH * NCOL];
    POISON(st, sizeof st);
    cbz_error err;
    cbz_status rc = cbz_gpu_columns(rec, n, STRIDE, chunk_first, NCH, cols, NCOL, outs, st, &err);
    if (rc != CBZ_OK) printf("\n  cbz_gpu_columns: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, CBZ_OK);

    uint8_t *vals = xalloc(n * 20), *form = xalloc(n), *bad = xalloc(n);
    int64_t *num = xalloc(n * 8);
    uint32_t *tl = xalloc(n * 4);
    for (int c = 0; c < NCOL; c++) {
        const cbz_gpu_column *d = &cols[c];
        cbz_k_gather_portable(rec, n, STRIDE, d->offset, d->width, vals);
        CU_ASSERT(memcmp(vals, outs[c].values, n * d->width) == 0);
        bool numeric = d->kind >= CBZ_GPU_COL_ZONED;
        if (d->kind == CBZ_GPU_COL_PACKED) cbz_k_packed_to_i64_portable(vals, n, d->width, num, form, bad);
        if (d->kind == CBZ_GPU_COL_ZONED)
            cbz_k_zoned_to_i64_portable(vals, n, d->width, d->sign_mode, d->ebcdic, num, form, bad);
        if (d->kind == CBZ_GPU_COL_BINARY) {
            cbz_k_be_to_i64_portable(vals, n, d->width, d->is_signed, num);
            memset(form, 0, n), memset(bad, 0, n);
        }
        if (d->kind == CBZ_GPU_COL_TEXT) cbz_k_text_lengths_portable(vals, n, d->width, d->pad, tl);
        for (size_t k = 0; k < NCH; k++) {
            size_t a = chunk_first[k], m = chunk_first[k + 1] - a;
            cbz_gpu_column_stats want;
            memset(&want, 0, sizeof want);
            if (numeric) {
                int64_t last = 0; /* column.c's neutral value */
                for (size_t i = a; i < a + m; i++) {
                    if (bad[i]) num[i] = last;
                    else last = num[i];
                }
                cpu_stats(num + a, m, &want);
                size_t nb = 0;
                for (size_t i = a; i < a + m; i++) nb += bad[i];
                want.n_invalid = nb;
            }
            if (d->kind == CBZ_GPU_COL_TEXT)
                for (size_t i = a; i < a + m; i++) want.text_total += tl[i];
            const cbz_gpu_column_stats *got = &st[k * NCOL + c];
            int same = memcmp(&want, got, sizeof want) == 0;
            if (!same)
                printf("\n  column %d chunk %zu: want min %lld max %lld dmin %lld dmax %lld runs %llu "
                       "bits %u/%u/%u/%u bad %llu text %llu; got min %lld max %lld dmin %lld dmax %lld "
                       "runs %llu bits %u/%u/%u/%u bad %llu text %llu\n",
                       c, k, (long long)want.min, (long long)want.max, (long long)want.dmin,
                       (long long)want.dmax, (unsigned long long)want.runs, want.bits_zigzag,
                       want.bits_for, want.bits_delta, want.bits_delta2,
                       (unsigned long long)want.n_invalid, (unsigned long long)want.text_total,
                       (long long)got->min, (long long)got->max, (long long)got->dmin,
                       (long long)got->dmax, (unsigned long long)got->runs, got->bits_zigzag,
                       got->bits_for, got->bits_delta, got->bits_delta2,
                       (unsigned long long)got->n_invalid, (unsigned long long)got->text_total);
            CU_ASSERT(same);
        }
        if (outs[c].num) {
            CU_ASSERT(memcmp(num, outs[c].num, n * 8) == 0);
            CU_ASSERT(memcmp(form, outs[c].form, n) == 0);
            CU_ASSERT(memcmp(bad, outs[c].invalid, n) == 0);
        }
        if (outs[c].text_len) CU_ASSERT(memcmp(tl, outs[c].text_len, n * 4) == 0);
    }
    /* bad arguments */
    const size_t bad_bounds[3] = { 0, 5, 4 };
    CU_ASSERT_EQUAL(cbz_gpu_columns(rec, 4, STRIDE, bad_bounds, 2, cols, NCOL, outs, st, &err), CBZ_ERR_USAGE);
    cbz_gpu_column wide = cols[0];
    wide.offset = STRIDE - 2;
    CU_ASSERT_EQUAL(cbz_gpu_columns(rec, n, STRIDE, chunk_first, NCH, &wide, 1, outs, st, &err), CBZ_ERR_USAGE);
    for (int c = 0; c < NCOL; c++)
        free(outs[c].values), free(outs[c].num), free(outs[c].form), free(outs[c].invalid), free(outs[c].text_len);
    free(rec), free(vals), free(form), free(bad), free(num), free(tl);
}

/* The L2 split of cbz_gpu_columns (all columns in one pass over tiles of
 * records in shared memory) against one portable gather per column: strides
 * from 1 byte to wider than a tile (the per-column fallback), columns of
 * every width 1..40 back to back, overlapping columns (REDEFINES), more
 * columns than one launch's table (192), record counts around the tile
 * sizes, and chunks of several sizes. */
static void split_cases(size_t max_bytes) /* skip cases whose records + columns exceed this */
{
    static const size_t strides[] = { 1, 3, 16, 55, 100, 128, 150, 655, 1537, 3100, 5000 };
    static const size_t counts[] = { 1, 15, 16, 17, 241, 3001 };
    cbz_error err;
    for (size_t si = 0; si < sizeof strides / sizeof strides[0]; si++) {
        size_t stride = strides[si];
        for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
            size_t n = counts[ci];
            if (stride >= 1537 && n > 241) continue; /* keep the data small */
            /* columns: widths cycling 1..40 across the record, then a few overlapping ones,
             * and for the 655-byte record 400 one-byte columns too */
            cbz_gpu_column cols[700];
            size_t nc = 0, off = 0, w = 1;
            while (off < stride && nc < 600) {
                size_t ww = w < stride - off ? w : stride - off;
                cbz_gpu_column c = { (uint32_t)off, (uint32_t)ww, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } };
                cols[nc++] = c;
                off += ww;
                w = w % 40 + 1;
            }
            for (size_t q = 0; q < 3 && stride > 2; q++) {
                cbz_gpu_column c = { (uint32_t)(rnd() % (stride - 1)), 0, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } };
                c.width = (uint32_t)(1 + rnd() % (stride - c.offset));
                cols[nc++] = c;
            }
            if (stride == 655)
                for (size_t q = 0; q < 400; q++) {
                    cbz_gpu_column c = { (uint32_t)(q % stride), 1, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } };
                    cols[nc++] = c;
                }
            if (2 * n * stride + 2 * 256 * nc > max_bytes) continue;
            uint8_t *rec = xalloc(n * stride);
            fill_random(rec, n * stride);
            size_t bounds[4] = { 0, n / 3, n / 3 + n / 5, n };
            cbz_gpu_column_out *outs = xalloc(nc * sizeof *outs);
            memset(outs, 0, nc * sizeof *outs);
            for (size_t c = 0; c < nc; c++) outs[c].values = xalloc(n * cols[c].width), POISON(outs[c].values, n * cols[c].width);
            cbz_gpu_column_stats *st = xalloc(3 * nc * sizeof *st);
            POISON(st, 3 * nc * sizeof *st);
            cbz_status rc = cbz_gpu_columns(rec, n, stride, bounds, 3, cols, nc, outs, st, &err);
            if (rc != CBZ_OK) printf("\n  split stride %zu n %zu: %s\n", stride, n, err.msg);
            CU_ASSERT_EQUAL_FATAL(rc, CBZ_OK);
            uint8_t *want = xalloc(n * stride);
            int bad = 0;
            for (size_t c = 0; c < nc; c++) {
                cbz_k_gather_portable(rec, n, stride, cols[c].offset, cols[c].width, want);
                if (memcmp(want, outs[c].values, n * cols[c].width) != 0 && bad++ < 3)
                    printf("\n  split stride %zu n %zu: column %zu (offset %u width %u) differs\n",
                           stride, n, c, cols[c].offset, cols[c].width);
            }
            CU_ASSERT_EQUAL(bad, 0);
            cbz_gpu_column_stats zero;
            memset(&zero, 0, sizeof zero);
            int stats_zero = 1;
            for (size_t q = 0; q < 3 * nc; q++) stats_zero &= memcmp(&st[q], &zero, sizeof zero) == 0;
            CU_ASSERT(stats_zero);
            for (size_t c = 0; c < nc; c++) free(outs[c].values);
            free(outs), free(st), free(rec), free(want);
        }
    }
}

static void test_split(void) { split_cases(SIZE_MAX); }

/* ------------------------------------------------------------ small slots */

/* The same twins again with 64 KiB slots: many batches per call, halos and
 * bit-pack offsets across batch edges, a chunk too large for one slot. */
static void test_small_slots(void)
{
    cbz_gpu_set_slot_limit(64 * 1024);
    cbz_gpu_info info;
    cbz_error err;
    CU_ASSERT_EQUAL_FATAL(cbz_gpu_query(&info, &err), CBZ_OK);
    CU_ASSERT_EQUAL(info.batch_bytes, 64 * 1024);
    test_packed();
    test_delta_family();
    test_binary_gather_text();
    /* a chunk whose records and results cannot fit one slot: CBZ_ERR_DEVICE, not a crash */
    enum { STRIDE = 100 };
    size_t n = 4000, bounds[2] = { 0, 4000 };
    uint8_t *rec = xalloc(n * STRIDE);
    fill_random(rec, n * STRIDE);
    cbz_gpu_column col = { 0, 100, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } };
    cbz_gpu_column_out out = { 0 };
    cbz_gpu_column_stats st;
    cbz_status rc = cbz_gpu_columns(rec, n, STRIDE, bounds, 1, &col, 1, &out, &st, &err);
    CU_ASSERT_EQUAL(rc, CBZ_ERR_DEVICE);
    CU_ASSERT(strstr(err.msg, "slot") != NULL);
    free(rec);
    split_cases(48 * 1024); /* the cases whose chunks fit a 64 KiB slot */
    cbz_gpu_set_slot_limit(0);
    test_columns(); /* and the device still works after that */
}

/* ------------------------------------------------------------ without a GPU */

static void test_no_gpu_entries(void)
{
    cbz_error err;
    uint8_t b[16] = { 0 };
    int64_t v[2];
    size_t nb;
    CU_ASSERT_FALSE(cbz_gpu_available());
    CU_ASSERT_EQUAL(cbz_gpu_gather(b, 1, 4, 0, 4, b + 8, &err), CBZ_ERR_DEVICE);
    CU_ASSERT_EQUAL(err.code, CBZ_ERR_DEVICE);
    /* no backend: the loader's reason; a backend without a device: the CUDA one */
    const char *st = cbz_gpu_backend_status();
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    if (strncmp(st, "loaded ", 7) == 0) {
        CU_ASSERT(strstr(err.msg, "GPU") != NULL);
        CU_ASSERT(cbz_gpu_built());
    } else {
        CU_ASSERT_STRING_EQUAL(err.msg, st);
        CU_ASSERT(strncmp(err.msg, "no CUDA backend: ", 17) == 0);
        CU_ASSERT(strstr(err.msg, CBZ_GPU_BACKEND_FILE) != NULL || strstr(err.msg, "CBZ_GPU_LIB") != NULL ||
                  getenv("CBZ_GPU_LIB") != NULL);
        CU_ASSERT_FALSE(cbz_gpu_built());
        const char *const *names = cbz_gpu_bench_kernels();
        CU_ASSERT_PTR_NULL(names[0]);
    }
    CU_ASSERT_EQUAL(cbz_gpu_packed_to_i64(b, 1, 2, v, b + 4, b + 5, &nb, &err), CBZ_ERR_DEVICE);
    cbz_gpu_info info;
    CU_ASSERT_EQUAL(cbz_gpu_query(&info, &err), CBZ_ERR_DEVICE);
    cbz_gpu_bench_row row;
    CU_ASSERT_EQUAL(cbz_gpu_bench("gather", 10, 4, 1, &row, &err), CBZ_ERR_DEVICE);
}

/* ------------------------------------------------------------ lazy loading */

/* What main() saw before anything else touched the GPU boundary. */
static const char *g_status_at_start = "unset";
static const char *g_status_after_small_auto = "unset";
static bool g_small_auto_used_gpu = true;
static const char *g_status_after_cpu = "unset";

static void check_lazy_load_early(void)
{
    cbz_device_policy p;
    cbz_device_route r;
    cbz_error err;
    g_status_at_start = cbz_gpu_backend_status();
    if (cbz_device_policy_init(&p, CBZ_DEVICE_CPU, NULL, &err) != CBZ_OK) return;
    (void)cbz_device_decide(&p, (uint64_t)1 << 40, &r, &err);
    g_status_after_cpu = cbz_gpu_backend_status();
    p.requested = CBZ_DEVICE_AUTO;
    p.gpu_min_bytes = (uint64_t)64 << 20;
    cbz_gpu_set_slot_limit(0);  /* remembered, does not load either */
    cbz_gpu_release();          /* does not load */
    if (cbz_device_decide(&p, 1 << 20, &r, &err) == CBZ_OK) g_small_auto_used_gpu = r.use_gpu;
    g_status_after_small_auto = cbz_gpu_backend_status();
}

static void test_lazy_load(void)
{
    /* nothing loaded the backend before the first real need */
    CU_ASSERT_PTR_NULL(g_status_at_start);
    CU_ASSERT_PTR_NULL(g_status_after_cpu);
    CU_ASSERT_PTR_NULL(g_status_after_small_auto);
    CU_ASSERT_FALSE(g_small_auto_used_gpu);
    /* a large auto job does ask (and states why it stays on the CPU, if so) */
    cbz_device_policy p;
    cbz_device_route r;
    cbz_error err;
    CU_ASSERT_EQUAL_FATAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, NULL, &err), CBZ_OK);
    p.gpu_min_bytes = (uint64_t)64 << 20;
    CU_ASSERT_EQUAL(cbz_device_decide(&p, (uint64_t)64 << 20, &r, &err), CBZ_OK);
    const char *st = cbz_gpu_backend_status();
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_EQUAL(r.use_gpu, cbz_gpu_available());
    if (!r.use_gpu) CU_ASSERT(strstr(r.why, "no usable GPU: ") != NULL);
    if (strncmp(st, "loaded ", 7) != 0) CU_ASSERT(strstr(r.why, "no CUDA backend") != NULL);
}

/* ------------------------------------------------------------ routing policy */

static void test_device_policy(void)
{
    cbz_device d;
    cbz_error err;
    CU_ASSERT_EQUAL(cbz_device_parse("GPU", &d, &err), CBZ_OK);
    CU_ASSERT_EQUAL(d, CBZ_DEVICE_GPU);
    CU_ASSERT_EQUAL(cbz_device_parse("cpu", &d, &err), CBZ_OK);
    CU_ASSERT_EQUAL(d, CBZ_DEVICE_CPU);
    CU_ASSERT_EQUAL(cbz_device_parse("tpu", &d, &err), CBZ_ERR_USAGE);
    CU_ASSERT(strstr(err.msg, "tpu") != NULL);

    char path[] = "/tmp/cbz_devconf_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# test\ngpu_min_bytes: 64M\n", f);
    fclose(f);
    cbz_device_policy p;
    CU_ASSERT_EQUAL_FATAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, path, &err), CBZ_OK);
    CU_ASSERT_EQUAL(p.gpu_min_bytes, (uint64_t)64 << 20);
    CU_ASSERT(strstr(p.origin, ":2:16") != NULL);
    f = fopen(path, "w");
    fputs("gpu_min_bytes: 12Q\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, path, &err), CBZ_ERR_USAGE);
    CU_ASSERT(strstr(err.msg, ":1:16") != NULL);
    f = fopen(path, "w");
    fputs("gpu_max: 1\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, path, &err), CBZ_ERR_USAGE);
    CU_ASSERT(strstr(err.msg, "unknown key 'gpu_max'") != NULL);
    unlink(path);
    f = fopen(path, "w");
    fputs("gpu_min_bytes: never\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, path, &err), CBZ_OK);
    CU_ASSERT_EQUAL(p.gpu_min_bytes, UINT64_MAX);
    cbz_device_route never;
    CU_ASSERT_EQUAL(cbz_device_decide(&p, UINT64_MAX, &never, &err), CBZ_OK);
    CU_ASSERT_FALSE(never.use_gpu);
    CU_ASSERT(strstr(never.why, "never") != NULL); /* the size rule is checked before the GPU */
    /* the shipped file parses */
    unlink(path);
    CU_ASSERT_EQUAL(cbz_device_policy_init(&p, CBZ_DEVICE_AUTO, "conf/device.yaml", &err), CBZ_OK);

    cbz_device_route r;
    /* a named file that does not exist is an error, not the built-in value */
    CU_ASSERT_EQUAL(cbz_device_policy_init(&p, CBZ_DEVICE_CPU, "/nonexistent/device.yaml", &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL_FATAL(cbz_device_policy_init(&p, CBZ_DEVICE_CPU, NULL, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_device_decide(&p, (uint64_t)1 << 40, &r, &err), CBZ_OK);
    CU_ASSERT_FALSE(r.use_gpu);
    p.requested = CBZ_DEVICE_AUTO;
    p.gpu_min_bytes = 1000;
    CU_ASSERT_EQUAL(cbz_device_decide(&p, 999, &r, &err), CBZ_OK);
    CU_ASSERT_FALSE(r.use_gpu);
    CU_ASSERT_EQUAL(cbz_device_decide(&p, 1000, &r, &err), CBZ_OK);
    CU_ASSERT_EQUAL(r.use_gpu, cbz_gpu_available());
    p.requested = CBZ_DEVICE_GPU;
    cbz_status rc = cbz_device_decide(&p, 1, &r, &err);
    if (cbz_gpu_available()) {
        CU_ASSERT_EQUAL(rc, CBZ_OK);
        CU_ASSERT(r.use_gpu);
    } else {
        CU_ASSERT_EQUAL(rc, CBZ_ERR_DEVICE);
        CU_ASSERT(strstr(err.msg, "--device gpu: no usable GPU") != NULL);
    }
    /* fall back: one warning, then the CPU */
    memset(&r, 0, sizeof r);
    r.use_gpu = true;
    FILE *w = tmpfile();
    cbz_error e = { CBZ_ERR_DEVICE, "GPU: cudaMemcpyAsync failed: boom" };
    cbz_device_fall_back(&r, &e, w);
    r.use_gpu = true;
    cbz_device_fall_back(&r, &e, w);
    CU_ASSERT_FALSE(r.use_gpu);
    CU_ASSERT(r.fell_back);
    rewind(w);
    char line[300];
    int lines = 0;
    while (fgets(line, sizeof line, w)) {
        lines++;
        CU_ASSERT(strstr(line, "warning: GPU: cudaMemcpyAsync failed: boom; continuing on the CPU") != NULL);
    }
    CU_ASSERT_EQUAL(lines, 1);
    fclose(w);
}

int main(void)
{
    check_lazy_load_early(); /* before anything below touches the GPU */
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("device routing", NULL, NULL);
    CU_add_test(s, "--device parse, conf/device.yaml, decide, fall back", test_device_policy);
    CU_add_test(s, "the CUDA backend is loaded only when a job needs the GPU", test_lazy_load);
    if (cbz_gpu_available()) {
        cbz_gpu_info info;
        cbz_error err;
        if (cbz_gpu_query(&info, &err) == CBZ_OK)
            printf("GPU: %s, compute %d.%d, %d SMs, %.1f GiB free, slot %.0f MiB\n", info.name,
                   info.cc_major, info.cc_minor, info.multiprocessors,
                   (double)info.free_bytes / (1 << 30), (double)info.batch_bytes / (1 << 20));
        CU_pSuite g = CU_add_suite("gpu kernels vs portable", NULL, NULL);
        CU_add_test(g, "packed decimal both ways", test_packed);
        CU_add_test(g, "zoned decimal both ways, every sign mode", test_zoned);
        CU_add_test(g, "binary, gather, text lengths", test_binary_gather_text);
        CU_add_test(g, "delta, delta2, zigzag, minmax, runs, max bits, bit-pack", test_delta_family);
        CU_add_test(g, "columns: split, decode, neutral fill, stats per chunk", test_columns);
        CU_add_test(g, "split: every column in one pass, strides 1..5000, up to 600 columns", test_split);
        CU_add_test(g, "all again through 64 KiB slots", test_small_slots);
    } else {
        cbz_gpu_info info;
        cbz_error err;
        cbz_gpu_query(&info, &err);
        printf("GPU kernel tests skipped: %s\n", err.msg);
        CU_pSuite g = CU_add_suite("no gpu", NULL, NULL);
        CU_add_test(g, "entries fail with CBZ_ERR_DEVICE", test_no_gpu_entries);
    }
    unsigned failed = cbz_cunit_run();
    cbz_gpu_release();
    return failed ? 1 : 0;
}
