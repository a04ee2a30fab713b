/*
 * test_kernels.c — every kernel of kernels/kernels.h against a straightforward
 * reference written here, on random and edge inputs; then every variant the
 * CPU offers (cbz_kernels_get) against the portable one, byte for byte.
 */
#include "kernels.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
}

/* ------------------------------------------------------------ references */

/* Packed reference: through a string of nibbles. */
static int ref_packed(const uint8_t *p, size_t w, int64_t *v, uint8_t *sign)
{
    char digits[32];
    size_t nd = 0;
    for (size_t j = 0; j < w; j++) {
        digits[nd++] = (char)(p[j] >> 4);
        if (j + 1 < w) digits[nd++] = (char)(p[j] & 15);
    }
    int s = p[w - 1] & 15;
    if (s < 10) return 0;
    for (size_t k = 0; k < nd; k++)
        if (digits[k] > 9) return 0;
    if (w == 10 && digits[0] != 0) return 0;
    long long acc = 0;
    for (size_t k = 0; k < nd; k++) acc = acc * 10 + digits[k];
    *v = (s == 0xB || s == 0xD) ? -acc : acc;
    *sign = (uint8_t)s;
    return 1;
}

static void test_packed(void)
{
    for (size_t w = 1; w <= 10; w++) {
        enum { N = 4000 };
        uint8_t *in = malloc(N * w), *back = malloc(N * w), sign[N], bad[N];
        int64_t v[N];
        fill_random(in, N * w);
        /* make about half of them valid, plus edge values */
        for (size_t i = 0; i < N; i++) {
            uint8_t *p = in + i * w;
            if (i % 2 == 0) {
                for (size_t j = 0; j < w; j++)
                    p[j] = (uint8_t)((rnd() % 10) << 4 | (rnd() % 10));
                p[w - 1] = (uint8_t)((p[w - 1] & 0xF0) | (0xA + rnd() % 6));
                if (w == 10) p[0] &= 0x0F;
            }
            if (i == 2) { memset(p, 0x99, w); p[w - 1] = 0x9D; if (w == 10) p[0] = 0x09; } /* all nines */
            if (i == 4) { memset(p, 0, w); p[w - 1] = 0x0D; } /* negative zero */
            if (i == 6) { memset(p, 0, w); p[w - 1] = 0x0C; }
            if (i == 8) { memset(p, 0x99, w); p[w - 1] = 0x9C; if (w == 10) p[0] = 0x19; } /* 19 digits: invalid */
            if (i == 10) { memset(p, 0x11, w); p[w - 1] = 0x19; } /* digit sign nibble: invalid */
            if (i == 12) { memset(p, 0x11, w); p[0] = 0xA1; p[w - 1] = 0x1C; } /* bad digit nibble */
        }
        size_t nbad = cbz_k_packed_to_i64_portable(in, N, w, v, sign, bad);
        size_t ref_bad = 0;
        int ok = 1;
        for (size_t i = 0; i < N; i++) {
            int64_t rv = 0;
            uint8_t rs = 0;
            int valid = ref_packed(in + i * w, w, &rv, &rs);
            ref_bad += !valid;
            if (valid != !bad[i]) ok = 0;
            if (valid && (rv != v[i] || rs != sign[i])) ok = 0;
            if (!valid && (v[i] != 0 || sign[i] != 0)) ok = 0;
        }
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(nbad, ref_bad);
        if (w == 10) CU_ASSERT(bad[8]);
        CU_ASSERT(bad[10]);
        CU_ASSERT(!bad[4] && v[4] == 0 && sign[4] == 0xD);
        /* valid ones re-encode to the same bytes */
        cbz_k_i64_to_packed_portable(v, sign, N, w, back);
        int same = 1;
        for (size_t i = 0; i < N; i++)
            if (!bad[i] && memcmp(in + i * w, back + i * w, w) != 0) same = 0;
        CU_ASSERT(same);
        free(in);
        free(back);
    }
}

/* Zoned reference, written from the contract. */
static int ref_zoned(const uint8_t *p, size_t w, int mode, int ebcdic, int64_t *v, uint8_t *f)
{
    uint8_t zone = ebcdic ? 0xF0 : 0x30, plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
    size_t first = 0, last = w; /* digit range */
    int neg = 0;
    *f = 0;
    if (mode == 3) {
        last = w - 1;
        if (p[w - 1] != plus && p[w - 1] != minus) return 0;
        *f = p[w - 1];
        neg = p[w - 1] == minus;
    }
    if (mode == 4) {
        first = 1;
        if (p[0] != plus && p[0] != minus) return 0;
        *f = p[0];
        neg = p[0] == minus;
    }
    long long acc = 0;
    for (size_t j = first; j < last; j++) {
        uint8_t b = p[j];
        int is_sign = (mode == 1 && j == w - 1) || (mode == 2 && j == 0);
        if ((b & 15) > 9) return 0;
        if (is_sign) {
            int z = b >> 4;
            if (ebcdic && z < 0xA) return 0;
            if (!ebcdic && z != 3 && z != 7) return 0;
            *f = (uint8_t)z;
            neg = ebcdic ? (z == 0xB || z == 0xD) : z == 7;
        } else if ((b & 0xF0) != zone) {
            return 0;
        }
        acc = acc * 10 + (b & 15);
    }
    *v = neg ? -acc : acc;
    return 1;
}

static void test_zoned(void)
{
    for (int ebcdic = 0; ebcdic <= 1; ebcdic++)
        for (int mode = 0; mode <= 4; mode++)
            for (size_t w = (mode >= 3 ? 2 : 1); w <= (mode >= 3 ? 19u : 18u); w++) {
                enum { N = 1500 };
                uint8_t *in = malloc(N * w), *back = malloc(N * w), f[N], bad[N];
                int64_t v[N];
                uint8_t zone = ebcdic ? 0xF0 : 0x30;
                fill_random(in, N * w);
                for (size_t i = 0; i < N; i++) {
                    uint8_t *p = in + i * w;
                    if (i % 3 == 0) continue; /* random bytes */
                    for (size_t j = 0; j < w; j++) p[j] = (uint8_t)(zone | rnd() % 10);
                    if (i % 3 == 2) p[0] = p[w - 1] = zone | 9;
                    uint8_t zs = ebcdic ? (uint8_t)(0xA + rnd() % 6) : (rnd() & 1 ? 3 : 7);
                    if (mode == 1) p[w - 1] = (uint8_t)(zs << 4 | (p[w - 1] & 15));
                    if (mode == 2) p[0] = (uint8_t)(zs << 4 | (p[0] & 15));
                    uint8_t sc = rnd() & 1 ? (ebcdic ? 0x60 : 0x2D) : (ebcdic ? 0x4E : 0x2B);
                    if (mode == 3) p[w - 1] = sc;
                    if (mode == 4) p[0] = sc;
                }
                size_t nbad = cbz_k_zoned_to_i64_portable(in, N, w, mode, ebcdic, v, f, bad);
                size_t ref_bad = 0;
                int ok = 1;
                for (size_t i = 0; i < N; i++) {
                    int64_t rv = 0;
                    uint8_t rf = 0;
                    int valid = ref_zoned(in + i * w, w, mode, ebcdic, &rv, &rf);
                    ref_bad += !valid;
                    if (valid != !bad[i]) ok = 0;
                    if (valid && (rv != v[i] || rf != f[i])) ok = 0;
                }
                CU_ASSERT(ok);
                CU_ASSERT_EQUAL(nbad, ref_bad);
                CU_ASSERT(nbad < N);
                cbz_k_i64_to_zoned_portable(v, f, N, w, mode, ebcdic, back);
                int same = 1;
                for (size_t i = 0; i < N; i++)
                    if (!bad[i] && memcmp(in + i * w, back + i * w, w) != 0) same = 0;
                CU_ASSERT(same);
                if (!ok || !same) {
                    printf("\nzoned ebcdic=%d mode=%d w=%zu ok=%d same=%d\n", ebcdic, mode, w, ok,
                           same);
                    free(in);
                    free(back);
                    return;
                }
                free(in);
                free(back);
            }
}

static void test_binary(void)
{
    for (size_t w = 1; w <= 8; w++)
        for (int sg = 0; sg <= 1; sg++) {
            enum { N = 1000 };
            uint8_t in[N * 8], back[N * 8];
            int64_t v[N];
            fill_random(in, N * w);
            memset(in, 0xFF, w);        /* -1 or max */
            memset(in + w, 0x00, w);    /* 0 */
            in[2 * w] = 0x80;           /* min */
            memset(in + 2 * w + 1, 0, w - 1);
            cbz_k_be_to_i64_portable(in, N, w, sg, v);
            int ok = 1;
            for (size_t i = 0; i < N; i++) {
                uint64_t u = 0;
                for (size_t j = 0; j < w; j++) u = u << 8 | in[i * w + j];
                int64_t r;
                if (sg && w < 8 && (u >> (8 * w - 1)) & 1) r = (int64_t)(u - ((uint64_t)1 << (8 * w)));
                else r = (int64_t)u;
                if (r != v[i]) ok = 0;
            }
            CU_ASSERT(ok);
            cbz_k_i64_to_be_portable(v, N, w, back);
            CU_ASSERT(memcmp(in, back, N * w) == 0);
        }
}

static void test_delta_family(void)
{
    enum { N = 3000 };
    static int64_t in[N], a[N], b[N];
    static uint64_t u[N];
    for (size_t i = 0; i < N; i++) in[i] = (int64_t)rnd() >> (rnd() % 64);
    in[0] = INT64_MIN;
    in[1] = INT64_MAX;
    in[2] = -1;
    for (size_t n = 0; n <= N; n += (n < 5 ? 1 : 997)) {
        cbz_k_delta_encode_portable(in, n, a);
        int ok = 1;
        for (size_t i = 0; i < n; i++)
            if ((uint64_t)a[i] != (uint64_t)in[i] - (i ? (uint64_t)in[i - 1] : 0)) ok = 0;
        CU_ASSERT(ok);
        cbz_k_delta_decode_portable(a, n, a); /* in place */
        CU_ASSERT(n == 0 || memcmp(a, in, n * 8) == 0);
        cbz_k_delta2_encode_portable(in, n, b);
        ok = 1;
        for (size_t i = 2; i < n; i++)
            if ((uint64_t)b[i] !=
                (uint64_t)in[i] - 2 * (uint64_t)in[i - 1] + (uint64_t)in[i - 2])
                ok = 0;
        CU_ASSERT(ok);
        if (n >= 2) CU_ASSERT((uint64_t)b[1] == (uint64_t)in[1] - (uint64_t)in[0]);
        cbz_k_delta2_decode_portable(b, n, b);
        CU_ASSERT(n == 0 || memcmp(b, in, n * 8) == 0);
        cbz_k_for_encode_portable(in, n, -12345, u);
        cbz_k_for_decode_portable(u, n, -12345, a);
        CU_ASSERT(n == 0 || memcmp(a, in, n * 8) == 0);
        cbz_k_zigzag_encode_portable(in, n, u);
        ok = 1;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = in[i] >= 0 ? 2 * (uint64_t)in[i] : 2 * (~(uint64_t)in[i]) + 1;
            if (u[i] != r) ok = 0;
        }
        CU_ASSERT(ok);
        cbz_k_zigzag_decode_portable(u, n, a);
        CU_ASSERT(n == 0 || memcmp(a, in, n * 8) == 0);
    }
    int64_t lo, hi;
    cbz_k_minmax_portable(in, N, &lo, &hi);
    CU_ASSERT(lo == INT64_MIN && hi == INT64_MAX);
    /* seq_stats of a few values, by hand: 5 -3 -3 4 (differences -8 0 7,
     * second differences 8 7, zigzag forms 10 5 5 8), folded into a start
     * that one of them beats on each side */
    const int64_t q[4] = { 5, -3, -3, 4 };
    const size_t at[2] = { 0, 2 }, n4 = 4, n1 = 1, n2[2] = { 2, 2 };
    cbz_k_seq_stats s = { -1, 4, -2, 6, 9, 7, 0x10, 2 };
    cbz_k_seq_stats_portable(q, at, &n4, 1, &s);
    CU_ASSERT(s.lo == -3 && s.hi == 5 && s.dlo == -8 && s.dhi == 7 && s.ddlo == 7 && s.ddhi == 8);
    CU_ASSERT(s.or_zz == (0x10 | 10 | 5 | 8) && s.runs == 2 + 3);
    cbz_k_seq_stats_portable(q, at, &n1, 1, &s); /* one value: no difference */
    CU_ASSERT(s.dlo == -8 && s.dhi == 7 && s.runs == 2 + 3 + 1);
    /* two blocks, 5 -3 and -3 4: no difference across them (0), no
     * second one within them */
    s = (cbz_k_seq_stats){ INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 0, 0 };
    cbz_k_seq_stats_portable(q, at, n2, 2, &s);
    CU_ASSERT(s.lo == -3 && s.hi == 5 && s.dlo == -8 && s.dhi == 7);
    CU_ASSERT(s.ddlo == INT64_MAX && s.ddhi == INT64_MIN && s.runs == 4);
}

static void test_runs(void)
{
    enum { N = 2000 };
    static int64_t in[N], vals[N], out[N];
    static uint32_t lens[N];
    size_t runs = 0;
    for (size_t i = 0; i < N; i++) {
        in[i] = i ? in[i - 1] : 7;
        if (rnd() % 5 == 0) in[i] = (int64_t)(rnd() % 3);
    }
    for (size_t i = 0; i < N; i++) runs += i == 0 || in[i] != in[i - 1];
    CU_ASSERT_EQUAL(cbz_k_run_count_portable(in, N), runs);
    CU_ASSERT_EQUAL(cbz_k_run_count_portable(in, 0), 0);
    size_t k = cbz_k_rle_encode_portable(in, N, vals, lens);
    CU_ASSERT_EQUAL(k, runs);
    CU_ASSERT(cbz_k_rle_decode_portable(vals, lens, k, out, N));
    CU_ASSERT(memcmp(in, out, sizeof in) == 0);
    /* lengths that do not add up, or a zero length, are refused */
    CU_ASSERT(!cbz_k_rle_decode_portable(vals, lens, k, out, N - 1));
    CU_ASSERT(!cbz_k_rle_decode_portable(vals, lens, k, out, N + 1));
    uint32_t saved = lens[0];
    lens[0] = 0;
    CU_ASSERT(!cbz_k_rle_decode_portable(vals, lens, k, out, N));
    lens[0] = UINT32_MAX;
    CU_ASSERT(!cbz_k_rle_decode_portable(vals, lens, k, out, N));
    lens[0] = saved;
}

static void test_bitpack(void)
{
    enum { N = 517 };
    static uint64_t in[N], out[N];
    static uint32_t in32[N], out32[N];
    static uint8_t packed[N * 8 + 8];
    for (unsigned bits = 0; bits <= 64; bits++) {
        for (size_t n = 0; n <= N; n += (n < 17 ? 1 : 250)) {
            for (size_t i = 0; i < n; i++) in[i] = rnd();
            size_t sz = cbz_k_bitpack_size(n, bits);
            CU_ASSERT_EQUAL(sz, (n * bits + 7) / 8);
            memset(packed, 0xAA, sizeof packed);
            cbz_k_bitpack_u64_portable(in, n, bits, packed);
            /* reference: bit by bit */
            int ok = 1;
            for (size_t i = 0; i < n && ok; i++)
                for (unsigned k = 0; k < bits; k++) {
                    size_t pos = i * bits + k;
                    unsigned got = (packed[pos / 8] >> (pos % 8)) & 1;
                    if (got != ((in[i] >> k) & 1)) { ok = 0; break; }
                }
            CU_ASSERT(ok);
            if (sz && (n * bits) % 8) CU_ASSERT((packed[sz - 1] >> ((n * bits) % 8)) == 0);
            CU_ASSERT(packed[sz] == 0xAA); /* writes exactly sz bytes */
            cbz_k_bitunpack_u64_portable(packed, n, bits, out);
            uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
            ok = 1;
            for (size_t i = 0; i < n; i++) if (out[i] != (in[i] & mask)) ok = 0;
            CU_ASSERT(ok);
            if (bits <= 32) {
                for (size_t i = 0; i < n; i++) in32[i] = (uint32_t)in[i];
                uint8_t p2[N * 8 + 8];
                memset(p2, 0xAA, sizeof p2);
                cbz_k_bitpack_u32_portable(in32, n, bits, p2);
                CU_ASSERT(sz == 0 || memcmp(p2, packed, sz) == 0);
                CU_ASSERT(p2[sz] == 0xAA);
                cbz_k_bitunpack_u32_portable(p2, n, bits, out32);
                ok = 1;
                for (size_t i = 0; i < n; i++) if (out32[i] != (uint32_t)(in[i] & mask)) ok = 0;
                CU_ASSERT(ok);
            }
        }
        for (size_t i = 0; i < N; i++) in[i] = bits ? rnd() >> (64 - bits) : 0;
        in[N / 2] = bits ? (bits == 64 ? ~0ULL : (1ULL << bits) - 1) : 0;
        CU_ASSERT_EQUAL(cbz_k_max_bits_u64_portable(in, N), bits);
    }
}

static void test_split_planes_text(void)
{
    for (size_t w = 1; w <= 16; w++) {
        enum { N = 300, STRIDE = 40 };
        uint8_t rec[N * STRIDE], rec2[N * STRIDE], col[N * 16], planes[N * 16], back[N * 16];
        fill_random(rec, sizeof rec);
        memcpy(rec2, rec, sizeof rec);
        size_t off = STRIDE - w - (w % 3);
        cbz_k_gather_portable(rec, N, STRIDE, off, w, col);
        int ok = 1;
        for (size_t i = 0; i < N; i++)
            if (memcmp(col + i * w, rec + i * STRIDE + off, w)) ok = 0;
        CU_ASSERT(ok);
        memset(rec2, 0, sizeof rec2);
        cbz_k_scatter_portable(col, N, STRIDE, off, w, rec2);
        ok = 1;
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < STRIDE; j++) {
                uint8_t want = (j >= off && j < off + w) ? rec[i * STRIDE + j] : 0;
                if (rec2[i * STRIDE + j] != want) ok = 0;
            }
        CU_ASSERT(ok);
        cbz_k_planes_split_portable(col, N, w, planes);
        ok = 1;
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < w; j++)
                if (planes[j * N + i] != col[i * w + j]) ok = 0;
        CU_ASSERT(ok);
        cbz_k_planes_join_portable(planes, N, w, back);
        CU_ASSERT(memcmp(back, col, N * w) == 0);
        /* text lengths */
        for (size_t i = 0; i < N; i++) {
            size_t keep = rnd() % (w + 1);
            for (size_t j = keep; j < w; j++) col[i * w + j] = 0x40;
        }
        uint32_t len[N];
        size_t total = cbz_k_text_lengths_portable(col, N, w, 0x40, len), sum = 0;
        ok = 1;
        for (size_t i = 0; i < N; i++) {
            size_t l = w;
            while (l && col[i * w + l - 1] == 0x40) l--;
            if (len[i] != l) ok = 0;
            sum += l;
        }
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(total, sum);
    }
    uint8_t table[256], in[1000], out[1000];
    for (int i = 0; i < 256; i++) table[i] = (uint8_t)(255 - i);
    fill_random(in, sizeof in);
    cbz_k_transcode_portable(table, in, sizeof in, out);
    int ok = 1;
    for (size_t i = 0; i < sizeof in; i++) if (out[i] != 255 - in[i]) ok = 0;
    CU_ASSERT(ok);
    cbz_k_transcode_portable(table, out, sizeof out, out); /* in place */
    CU_ASSERT(memcmp(in, out, sizeof in) == 0);
}

static void test_dict(void)
{
    uint64_t keys[50], vals[1000], back[1000];
    uint32_t codes[1000];
    for (size_t k = 0; k < 50; k++) keys[k] = k * 1000 + 3;
    for (size_t i = 0; i < 1000; i++) vals[i] = (i % 7 == 0) ? 5 : keys[rnd() % 50];
    size_t miss = cbz_k_dict_lookup_u64_portable(keys, 50, vals, 1000, codes);
    size_t ref_miss = 0;
    int ok = 1;
    for (size_t i = 0; i < 1000; i++) {
        if (i % 7 == 0) { ref_miss++; if (codes[i] != CBZ_K_NO_CODE) ok = 0; }
        else if (keys[codes[i]] != vals[i]) ok = 0;
    }
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(miss, ref_miss);
    for (size_t i = 0; i < 1000; i++) if (codes[i] == CBZ_K_NO_CODE) codes[i] = 0;
    CU_ASSERT(cbz_k_dict_gather_u64_portable(codes, 1000, keys, 50, back));
    codes[999] = 50;
    CU_ASSERT(!cbz_k_dict_gather_u64_portable(codes, 1000, keys, 50, back));
    /* fixed-width keys */
    uint8_t fk[4 * 3] = { 'A', 'A', 'A', 'A', 'B', 'C', 'B', 'B', 'B', 'Z', 0, 0 };
    uint8_t fv[5 * 3] = { 'B', 'B', 'B', 'A', 'B', 'C', 'Q', 'Q', 'Q', 'A', 'A', 'A', 'Z', 0, 0 };
    uint32_t fc[5];
    CU_ASSERT_EQUAL(cbz_k_dict_lookup_fixed_portable(fk, 4, 3, fv, 5, fc), 1);
    CU_ASSERT(fc[0] == 2 && fc[1] == 1 && fc[2] == CBZ_K_NO_CODE && fc[3] == 0 && fc[4] == 3);
    fc[2] = 3;
    uint8_t fo[15];
    CU_ASSERT(cbz_k_dict_gather_fixed_portable(fc, 5, fk, 4, 3, fo));
    CU_ASSERT(memcmp(fo, fv, 6) == 0 && memcmp(fo + 9, fv + 9, 6) == 0);
    fc[4] = 4;
    CU_ASSERT(!cbz_k_dict_gather_fixed_portable(fc, 5, fk, 4, 3, fo));
    /* every width 1..80 (short inline copies and long ones): exact bytes, and
     * nothing written past n * width */
    static uint8_t dict[16 * 80], out[40 * 80 + 16], want[40 * 80 + 16];
    uint32_t gc[40];
    int wok = 1;
    for (size_t i = 0; i < sizeof dict; i++) dict[i] = (uint8_t)rnd();
    for (size_t w = 1; w <= 80; w++) {
        for (size_t i = 0; i < 40; i++) gc[i] = (uint32_t)(rnd() % 16);
        memset(out, 0xA5, sizeof out);
        memset(want, 0xA5, sizeof want);
        for (size_t i = 0; i < 40; i++) memcpy(want + i * w, dict + gc[i] * w, w);
        if (!cbz_k_dict_gather_fixed_portable(gc, 40, dict, 16, w, out) ||
            memcmp(out, want, sizeof out) != 0)
            wok = 0;
    }
    CU_ASSERT(wok);
}

/* The decoder merges against their definitions: rows from x at the 1
 * flags and from y at the 0 flags, every width 1..40; values expanded with
 * 0 at the 1 flags (m short: the first 0 flags get 0 too), in place as
 * well; values selected at the 0 flags; rows all blank at the 1 flags. */
static void test_merges(void)
{
    enum { N = 300 };
    static uint8_t f[N], x[N * 40], y[N * 40], out[N * 40 + 64], want[N * 40];
    static uint64_t in[N], e[N], ew[N];
    for (unsigned pct = 0; pct <= 100; pct += 25) {
        size_t ones = 0;
        for (size_t i = 0; i < N; i++) ones += f[i] = rnd() % 100 < pct;
        const size_t zeros = N - ones;
        int ok = 1;
        for (size_t w = 1; w <= 40; w++) {
            fill_random(x, sizeof x);
            fill_random(y, sizeof y);
            for (size_t i = 0, a = 0, b = 0; i < N; i++)
                memcpy(want + i * w, f[i] ? x + w * a++ : y + w * b++, w);
            cbz_k_merge_rows_portable(f, N, w, x, y, out);
            ok &= memcmp(out, want, N * w) == 0;
        }
        CU_ASSERT(ok);
        for (size_t short_by = 0; short_by <= 2; short_by++) {
            const size_t m = zeros >= short_by ? zeros - short_by : 0;
            for (size_t i = 0; i < N; i++) in[i] = rnd() | 1; /* never 0 */
            for (size_t i = N, j = m; i-- > 0;) ew[i] = f[i] || !j ? 0 : in[--j];
            cbz_k_expand_u64_portable(in, f, N, m, e);
            CU_ASSERT(memcmp(e, ew, sizeof e) == 0);
            memcpy(e, in, sizeof e);
            cbz_k_expand_u64_portable(e, f, N, m, e);
            CU_ASSERT(memcmp(e, ew, sizeof e) == 0);
        }
        size_t j = 0;
        for (size_t i = 0; i < N; i++)
            if (!f[i]) ew[j++] = in[i];
        CU_ASSERT_EQUAL(cbz_k_select_u64_portable(in, f, N, e), zeros);
        CU_ASSERT(memcmp(e, ew, zeros * 8) == 0);
        /* select_rows: the rows of either flag, within their room */
        int rok = 1;
        for (size_t w = 1; w <= 40; w++)
            for (uint8_t keep = 0; keep <= 1; keep++) {
                const size_t kept = keep ? ones : zeros;
                fill_random(x, N * w);
                memset(out, 0xA5, sizeof out);
                for (size_t i = 0, a = 0; i < N; i++)
                    if (f[i] == keep) memcpy(want + w * a++, x + i * w, w);
                rok &= cbz_k_select_rows_portable(x, f, N, w, keep, out) == kept &&
                       !memcmp(out, want, kept * w);
                for (size_t b = (kept + 1) * w + CBZ_K_SELECT_ROWS_ROOM; b < sizeof out; b++)
                    rok &= out[b] == 0xA5;
            }
        CU_ASSERT(rok);
        /* blank rows: all b at the 1 flags, one other byte at the 0 flags */
        int bok = 1;
        for (size_t w = 1; w <= 40; w++) {
            memset(x, ' ', N * w);
            for (size_t i = 0; i < N; i++)
                if (!f[i]) x[i * w + rnd() % w] = (uint8_t)('A' + rnd() % 26);
            bok &= cbz_k_blank_rows_portable(x, N, w, ' ', out) == ones && !memcmp(out, f, N);
        }
        CU_ASSERT(bok);
    }
}

/* The digit flags of rows against their definition: every width 1..64,
 * either zone, rows of digits, bytes just past the zone's ten, pad and any
 * byte; the flags above the width 0. */
static void test_digit_rows(void)
{
    enum { N = 37 };
    static uint8_t x[N * 64];
    static uint64_t out[N];
    int ok = 1;
    for (size_t w = 1; w <= 64; w++)
        for (int z = 0; z < 2; z++) {
            const uint8_t zone = z ? 0xF0 : 0x30, pad = z ? 0x40 : 0x20;
            for (size_t b = 0; b < N * w; b++) {
                const unsigned k = rnd() % 4;
                x[b] = k == 0   ? (uint8_t)(zone + rnd() % 10)
                       : k == 1 ? (uint8_t)(zone + 10 + rnd() % 6)
                       : k == 2 ? pad
                                : (uint8_t)rnd();
            }
            cbz_k_digit_rows_portable(x, N, w, zone, out);
            for (size_t i = 0; i < N; i++) {
                uint64_t want = 0;
                for (size_t j = 0; j < w; j++) {
                    const uint8_t c = x[i * w + j];
                    if (c >= zone && c <= zone + 9) want |= (uint64_t)1 << j;
                }
                ok &= out[i] == want;
            }
        }
    CU_ASSERT(ok);
}

/* Planes of 64-bit values against their definitions: byte planes plus an
 * add, decimal planes (base 100) with and without signs (and an add). */
static void test_planes_u64(void)
{
    enum { N = 301 };
    static uint8_t in[9 * N], s[(N + 7) / 8];
    static uint64_t out[N];
    int ok = 1;
    for (unsigned k = 1; k <= 8; k++) {
        fill_random(in, k * N);
        const uint64_t add = rnd();
        cbz_k_planes_u64_portable(in, N, k, add, out);
        for (size_t i = 0; i < N; i++) {
            uint64_t x = 0;
            for (unsigned j = 0; j < k; j++) x |= (uint64_t)in[j * N + i] << (8 * j);
            ok &= out[i] == x + add;
        }
    }
    CU_ASSERT(ok);
    ok = 1;
    for (unsigned k = 1; k <= 9; k++)
        for (int sg = 0; sg <= 1; sg++) {
            for (size_t q = 0; q < k * N; q++)
                in[q] = (uint8_t)(q < (k - 1) * N ? rnd() % 100 : 1 + rnd() % 255);
            fill_random(s, sizeof s);
            const uint64_t add = sg ? rnd() : 0;
            ok &= cbz_k_dec_planes_u64_portable(in, N, k, sg ? s : NULL, add, out);
            for (size_t i = 0; i < N; i++) {
                uint64_t d = 0;
                for (unsigned j = k; j-- > 0;) d = d * 100 + in[j * N + i];
                if (sg) d = 2 * d - ((s[i >> 3] >> (i & 7)) & 1);
                ok &= out[i] == d + add;
            }
        }
    CU_ASSERT(ok);
    in[5] = 100; /* a digit pair over 99 */
    CU_ASSERT_FALSE(cbz_k_dec_planes_u64_portable(in, N, 9, NULL, 0, out));
}

/* ------------------------------------------------------------ variants */

static void compare_variant(const cbz_kernel_table *P, const cbz_kernel_table *V)
{
    enum { N = 2053 };
    static uint8_t in[N * 20], o1[N * 20], o2[N * 20], f1[N], f2[N], b1[N], b2[N];
    static int64_t v1[N], v2[N];
    static uint64_t u1[N], u2[N];
    fill_random(in, sizeof in);
    for (size_t w = 1; w <= 16; w++) {
        V->gather(in, N, 20, 20 - w, w, o2);
        P->gather(in, N, 20, 20 - w, w, o1);
        CU_ASSERT(memcmp(o1, o2, N * w) == 0);
        memcpy(o1, in, sizeof in);
        memcpy(o2, in, sizeof in);
        P->scatter(in + 7, N, 20, 3, w > 16 ? 16 : (w < 17 ? w : 1), o1);
        V->scatter(in + 7, N, 20, 3, w > 16 ? 16 : (w < 17 ? w : 1), o2);
        CU_ASSERT(memcmp(o1, o2, sizeof o1) == 0);
        P->planes_split(in, N, w, o1);
        V->planes_split(in, N, w, o2);
        CU_ASSERT(memcmp(o1, o2, N * w) == 0);
        P->planes_join(in, N, w, o1);
        V->planes_join(in, N, w, o2);
        CU_ASSERT(memcmp(o1, o2, N * w) == 0);
    }
    for (size_t w = 1; w <= 10; w++) {
        /* half valid packed values */
        for (size_t i = 0; i < N; i += 2) {
            for (size_t j = 0; j < w; j++) in[i * w + j] = (uint8_t)((rnd() % 10) << 4 | rnd() % 10);
            in[i * w + w - 1] = (uint8_t)((in[i * w + w - 1] & 0xF0) | (0xA + rnd() % 6));
        }
        size_t c1 = P->packed_to_i64(in, N, w, v1, f1, b1);
        size_t c2 = V->packed_to_i64(in, N, w, v2, f2, b2);
        CU_ASSERT(c1 == c2 && !memcmp(v1, v2, sizeof v1) && !memcmp(f1, f2, N) && !memcmp(b1, b2, N));
        P->i64_to_packed(v1, f1, N, w, o1);
        V->i64_to_packed(v1, f1, N, w, o2);
        CU_ASSERT(memcmp(o1, o2, N * w) == 0);
    }
    for (int eb = 0; eb <= 1; eb++)
        for (int mode = 0; mode <= 4; mode++)
            for (size_t w = 2; w <= 18; w++) {
                for (size_t i = 0; i < N; i += 2)
                    for (size_t j = 0; j < w; j++) in[i * w + j] = (uint8_t)((eb ? 0xF0 : 0x30) | rnd() % 10);
                size_t c1 = P->zoned_to_i64(in, N, w, mode, eb, v1, f1, b1);
                size_t c2 = V->zoned_to_i64(in, N, w, mode, eb, v2, f2, b2);
                CU_ASSERT(c1 == c2 && !memcmp(v1, v2, sizeof v1) && !memcmp(f1, f2, N) &&
                          !memcmp(b1, b2, N));
                P->i64_to_zoned(v1, f1, N, w, mode, eb, o1);
                V->i64_to_zoned(v1, f1, N, w, mode, eb, o2);
                CU_ASSERT(memcmp(o1, o2, N * w) == 0);
            }
    /* select_rows: the packed half above (invalid flags b1) as the flags */
    for (size_t w = 1; w <= 18; w++)
        for (uint8_t keep = 0; keep <= 1; keep++) {
            size_t c1 = P->select_rows(in, b1, N, w, keep, o1);
            size_t c2 = V->select_rows(in, b1, N, w, keep, o2);
            CU_ASSERT(c1 == c2 && !memcmp(o1, o2, c1 * w));
        }
    for (size_t w = 1; w <= 8; w++)
        for (int sg = 0; sg <= 1; sg++) {
            P->be_to_i64(in, N, w, sg, v1);
            V->be_to_i64(in, N, w, sg, v2);
            CU_ASSERT(memcmp(v1, v2, sizeof v1) == 0);
            P->i64_to_be(v1, N, w, o1);
            V->i64_to_be(v1, N, w, o2);
            CU_ASSERT(memcmp(o1, o2, N * w) == 0);
        }
    for (size_t i = 0; i < N; i++) v1[i] = (int64_t)rnd() >> (rnd() % 64);
    P->delta_encode(v1, N, v2); V->delta_encode(v1, N, (int64_t *)u2);
    CU_ASSERT(memcmp(v2, u2, sizeof v2) == 0);
    P->delta2_encode(v1, N, v2); V->delta2_encode(v1, N, (int64_t *)u2);
    CU_ASSERT(memcmp(v2, u2, sizeof v2) == 0);
    P->delta_decode(v1, N, v2); V->delta_decode(v1, N, (int64_t *)u2);
    CU_ASSERT(memcmp(v2, u2, sizeof v2) == 0);
    P->delta2_decode(v1, N, v2); V->delta2_decode(v1, N, (int64_t *)u2);
    CU_ASSERT(memcmp(v2, u2, sizeof v2) == 0);
    P->zigzag_encode(v1, N, u1); V->zigzag_encode(v1, N, u2);
    CU_ASSERT(memcmp(u1, u2, sizeof u1) == 0);
    for (unsigned bits = 0; bits <= 64; bits++) {
        memset(o1, 0, N * 8 + 8);
        memset(o2, 0, N * 8 + 8);
        P->bitpack_u64(u1, N, bits, o1);
        V->bitpack_u64(u1, N, bits, o2);
        CU_ASSERT(memcmp(o1, o2, N * 8 + 8) == 0);
        P->bitunpack_u64(o1, N, bits, u1);
        V->bitunpack_u64(o1, N, bits, u2);
        CU_ASSERT(memcmp(u1, u2, sizeof u1) == 0);
    }
    CU_ASSERT(P->max_bits_u64(u1, N) == V->max_bits_u64(u1, N));
    uint8_t table[256];
    for (int i = 0; i < 256; i++) table[i] = (uint8_t)(i * 7 + 3);
    P->transcode(table, in, N, o1);
    V->transcode(table, in, N, o2);
    CU_ASSERT(memcmp(o1, o2, N) == 0);
}

static void test_variants(void)
{
    const cbz_kernel_table *P = cbz_kernels_get("portable");
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_STRING_EQUAL(P->name, "portable");
    CU_ASSERT_PTR_NOT_NULL(cbz_kernels());
    CU_ASSERT_FALSE(cbz_kernels_select("no-such-variant"));
    const char *const *names = cbz_kernels_variant_names();
    int tested = 0;
    for (size_t k = 0; names[k]; k++) {
        const cbz_kernel_table *V = cbz_kernels_get(names[k]);
        if (!V) {
            printf("\n  variant %s: not available here\n", names[k]);
            CU_ASSERT_FALSE(cbz_kernels_select(names[k]));
            continue;
        }
        CU_ASSERT(cbz_kernels_select(names[k]));
        CU_ASSERT_STRING_EQUAL(cbz_kernels_variant_name(), names[k]);
        compare_variant(P, V);
        tested++;
    }
    CU_ASSERT(tested >= 1);
    CU_ASSERT(cbz_kernels_select("portable"));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("kernels", NULL, NULL);
    CU_add_test(s, "packed decimal vs reference", test_packed);
    CU_add_test(s, "zoned decimal vs reference", test_zoned);
    CU_add_test(s, "big-endian binary", test_binary);
    CU_add_test(s, "delta, delta2, FOR, zigzag, minmax", test_delta_family);
    CU_add_test(s, "runs", test_runs);
    CU_add_test(s, "bit-pack widths 0..64", test_bitpack);
    CU_add_test(s, "gather/scatter, planes, text lengths, transcode", test_split_planes_text);
    CU_add_test(s, "dictionary lookup and gather", test_dict);
    CU_add_test(s, "decoder merges: rows, expand, select, blank rows", test_merges);
    CU_add_test(s, "digit flags of rows", test_digit_rows);
    CU_add_test(s, "byte and decimal planes of 64-bit values", test_planes_u64);
    CU_add_test(s, "every variant equals portable", test_variants);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
