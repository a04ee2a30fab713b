/*
 * columns_avx2.c — AVX2-only kernels of the column pipeline: L2 gather and
 * byte planes (transposition), L5 delta/FOR/zigzag/minmax, max_bits, the
 * u32 bit-unpack, the L6 dictionary gathers, the blank rows of the text
 * masks and TEXT_NUM's digit flags.  Compiled with -mavx2 -mbmi2 -mpopcnt
 * and reached only through the dispatch table after the CPU check
 * (fill_x86.c).  Each kernel hands what its vector loop does not cover
 * (tails, widths without a vector path) to the portable kernel, or (the
 * gathers) copies it the same way, so results are byte-identical.
 */
#include "x86/kernels_x86.h"

#include <immintrin.h>
#include <string.h>

/* ---------------------------------------------------------------- L2 */

void cbz_k_gather_avx2(const uint8_t *records, size_t n, size_t stride, size_t offset,
                       size_t width, uint8_t *col)
{
    size_t i = 0;
    if (n > 0 && width > 0 && width <= 32 && width != 1 && width != 2 && width != 4 &&
        width != 8) {
        /* one over-long move per value: every move stays inside the last
         * record's field end and the column's end, later values overwrite
         * the spill */
        const size_t mv = width <= 8 ? 8 : width <= 16 ? 16 : 32;
        const size_t src_end = (n - 1) * stride + offset + width, dst_end = n * width;
        const uint8_t *s = records + offset;
        if (mv == 8) {
            for (; i < n && i * stride + offset + 8 <= src_end && i * width + 8 <= dst_end; i++) {
                uint64_t v;
                memcpy(&v, s + i * stride, 8);
                memcpy(col + i * width, &v, 8);
            }
        } else if (mv == 16) {
            for (; i < n && i * stride + offset + 16 <= src_end && i * width + 16 <= dst_end; i++)
                _mm_storeu_si128((__m128i *)(col + i * width),
                                 _mm_loadu_si128((const __m128i *)(s + i * stride)));
        } else {
            for (; i < n && i * stride + offset + 32 <= src_end && i * width + 32 <= dst_end; i++)
                _mm256_storeu_si256((__m256i *)(col + i * width),
                                    _mm256_loadu_si256((const __m256i *)(s + i * stride)));
        }
    }
    cbz_k_gather_portable(records + i * stride, n - i, stride, offset, width, col + i * width);
}

/* planes of a sub-range [i0, n) of the values: plane j starts at out + j*n */
static void planes_split_tail(const uint8_t *in, size_t i0, size_t n, size_t width,
                              uint8_t *out)
{
    for (size_t j = 0; j < width; j++)
        for (size_t i = i0; i < n; i++) out[j * n + i] = in[i * width + j];
}

static void planes_join_tail(const uint8_t *in, size_t i0, size_t n, size_t width,
                             uint8_t *out)
{
    for (size_t j = 0; j < width; j++)
        for (size_t i = i0; i < n; i++) out[i * width + j] = in[j * n + i];
}

#define LD(p) _mm_loadu_si128((const __m128i *)(p))
#define ST(p, v) _mm_storeu_si128((__m128i *)(p), (v))
#define STL(p, v) _mm_storel_epi64((__m128i *)(p), (v))
#define STH(p, v) _mm_storel_epi64((__m128i *)(p), _mm_unpackhi_epi64((v), (v)))

void cbz_k_planes_split_avx2(const uint8_t *in, size_t n, size_t width, uint8_t *out)
{
    size_t i = 0;
    if (width == 2) {
        const __m128i m = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        for (; i + 16 <= n; i += 16) {
            __m128i a = _mm_shuffle_epi8(LD(in + 2 * i), m);
            __m128i b = _mm_shuffle_epi8(LD(in + 2 * i + 16), m);
            ST(out + i, _mm_unpacklo_epi64(a, b));
            ST(out + n + i, _mm_unpackhi_epi64(a, b));
        }
    } else if (width == 4) {
        const __m128i m = _mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        for (; i + 16 <= n; i += 16) {
            const uint8_t *p = in + 4 * i;
            __m128i s0 = _mm_shuffle_epi8(LD(p), m), s1 = _mm_shuffle_epi8(LD(p + 16), m);
            __m128i s2 = _mm_shuffle_epi8(LD(p + 32), m), s3 = _mm_shuffle_epi8(LD(p + 48), m);
            __m128i x0 = _mm_unpacklo_epi32(s0, s1), x1 = _mm_unpackhi_epi32(s0, s1);
            __m128i x2 = _mm_unpacklo_epi32(s2, s3), x3 = _mm_unpackhi_epi32(s2, s3);
            ST(out + i, _mm_unpacklo_epi64(x0, x2));
            ST(out + n + i, _mm_unpackhi_epi64(x0, x2));
            ST(out + 2 * n + i, _mm_unpacklo_epi64(x1, x3));
            ST(out + 3 * n + i, _mm_unpackhi_epi64(x1, x3));
        }
    } else if (width == 8) {
        for (; i + 8 <= n; i += 8) {
            const uint8_t *p = in + 8 * i;
            __m128i a0 = LD(p), a1 = LD(p + 16), a2 = LD(p + 32), a3 = LD(p + 48);
            __m128i t0 = _mm_unpacklo_epi8(a0, a1), t1 = _mm_unpackhi_epi8(a0, a1);
            __m128i t2 = _mm_unpacklo_epi8(a2, a3), t3 = _mm_unpackhi_epi8(a2, a3);
            __m128i u0 = _mm_unpacklo_epi8(t0, t1), u1 = _mm_unpackhi_epi8(t0, t1);
            __m128i u2 = _mm_unpacklo_epi8(t2, t3), u3 = _mm_unpackhi_epi8(t2, t3);
            __m128i r0 = _mm_unpacklo_epi32(u0, u2), r1 = _mm_unpackhi_epi32(u0, u2);
            __m128i r2 = _mm_unpacklo_epi32(u1, u3), r3 = _mm_unpackhi_epi32(u1, u3);
            STL(out + i, r0);
            STH(out + n + i, r0);
            STL(out + 2 * n + i, r1);
            STH(out + 3 * n + i, r1);
            STL(out + 4 * n + i, r2);
            STH(out + 5 * n + i, r2);
            STL(out + 6 * n + i, r3);
            STH(out + 7 * n + i, r3);
        }
    } else {
        cbz_k_planes_split_portable(in, n, width, out);
        return;
    }
    planes_split_tail(in, i, n, width, out);
}

void cbz_k_planes_join_avx2(const uint8_t *in, size_t n, size_t width, uint8_t *out)
{
    size_t i = 0;
    if (width == 2) {
        for (; i + 16 <= n; i += 16) {
            __m128i p0 = LD(in + i), p1 = LD(in + n + i);
            ST(out + 2 * i, _mm_unpacklo_epi8(p0, p1));
            ST(out + 2 * i + 16, _mm_unpackhi_epi8(p0, p1));
        }
    } else if (width == 4) {
        for (; i + 16 <= n; i += 16) {
            __m128i p0 = LD(in + i), p1 = LD(in + n + i);
            __m128i p2 = LD(in + 2 * n + i), p3 = LD(in + 3 * n + i);
            __m128i a = _mm_unpacklo_epi8(p0, p1), b = _mm_unpacklo_epi8(p2, p3);
            __m128i c = _mm_unpackhi_epi8(p0, p1), d = _mm_unpackhi_epi8(p2, p3);
            uint8_t *o = out + 4 * i;
            ST(o, _mm_unpacklo_epi16(a, b));
            ST(o + 16, _mm_unpackhi_epi16(a, b));
            ST(o + 32, _mm_unpacklo_epi16(c, d));
            ST(o + 48, _mm_unpackhi_epi16(c, d));
        }
    } else if (width == 8) {
        for (; i + 8 <= n; i += 8) {
            __m128i p[8];
            for (int j = 0; j < 8; j++) p[j] = _mm_loadl_epi64((const __m128i *)(in + j * n + i));
            __m128i x01 = _mm_unpacklo_epi8(p[0], p[1]), x23 = _mm_unpacklo_epi8(p[2], p[3]);
            __m128i x45 = _mm_unpacklo_epi8(p[4], p[5]), x67 = _mm_unpacklo_epi8(p[6], p[7]);
            __m128i y0 = _mm_unpacklo_epi16(x01, x23), y1 = _mm_unpackhi_epi16(x01, x23);
            __m128i y2 = _mm_unpacklo_epi16(x45, x67), y3 = _mm_unpackhi_epi16(x45, x67);
            uint8_t *o = out + 8 * i;
            ST(o, _mm_unpacklo_epi32(y0, y2));
            ST(o + 16, _mm_unpackhi_epi32(y0, y2));
            ST(o + 32, _mm_unpacklo_epi32(y1, y3));
            ST(o + 48, _mm_unpackhi_epi32(y1, y3));
        }
    } else {
        cbz_k_planes_join_portable(in, n, width, out);
        return;
    }
    planes_join_tail(in, i, n, width, out);
}

/* ---------------------------------------------------------------- L5 */

#define LD4(p) _mm256_loadu_si256((const __m256i *)(p))
#define ST4(p, v) _mm256_storeu_si256((__m256i *)(p), (v))

void cbz_k_delta_encode_avx2(const int64_t *in, size_t n, int64_t *out)
{
    /* in == out is allowed: the previous value comes from a register */
    __m256i carry = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i cur = LD4(in + i);
        __m256i t = _mm256_permute2x128_si256(carry, cur, 0x21);
        __m256i prev = _mm256_alignr_epi8(cur, t, 8); /* in[i-1 .. i+2] */
        ST4(out + i, _mm256_sub_epi64(cur, prev));
        carry = cur;
    }
    uint64_t prev = i ? (uint64_t)_mm256_extract_epi64(carry, 3) : 0;
    for (; i < n; i++) {
        uint64_t x = (uint64_t)in[i];
        out[i] = (int64_t)(x - prev);
        prev = x;
    }
}

/* inclusive prefix sum of the four lanes */
static inline __m256i prefix4(__m256i x)
{
    const __m256i zero = _mm256_setzero_si256();
    x = _mm256_add_epi64(x, _mm256_blend_epi32(_mm256_permute4x64_epi64(x, 0x90), zero, 0x03));
    return _mm256_add_epi64(x, _mm256_permute2x128_si256(x, x, 0x08));
}

void cbz_k_delta_decode_avx2(const int64_t *in, size_t n, int64_t *out)
{
    __m256i c = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i l0 = prefix4(LD4(in + i)), l1 = prefix4(LD4(in + i + 4));
        l1 = _mm256_add_epi64(l1, _mm256_permute4x64_epi64(l0, 0xFF));
        __m256i tot = _mm256_permute4x64_epi64(l1, 0xFF);
        ST4(out + i, _mm256_add_epi64(l0, c));
        ST4(out + i + 4, _mm256_add_epi64(l1, c));
        c = _mm256_add_epi64(c, tot);
    }
    uint64_t acc = (uint64_t)_mm256_extract_epi64(c, 0);
    for (; i < n; i++) {
        acc += (uint64_t)in[i];
        out[i] = (int64_t)acc;
    }
}

void cbz_k_for_encode_avx2(const int64_t *in, size_t n, int64_t base, uint64_t *out)
{
    const __m256i b = _mm256_set1_epi64x(base);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) ST4(out + i, _mm256_sub_epi64(LD4(in + i), b));
    cbz_k_for_encode_portable(in + i, n - i, base, out + i);
}

void cbz_k_for_decode_avx2(const uint64_t *in, size_t n, int64_t base, int64_t *out)
{
    const __m256i b = _mm256_set1_epi64x(base);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) ST4(out + i, _mm256_add_epi64(LD4(in + i), b));
    cbz_k_for_decode_portable(in + i, n - i, base, out + i);
}

void cbz_k_zigzag_encode_avx2(const int64_t *in, size_t n, uint64_t *out)
{
    const __m256i zero = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i x = LD4(in + i);
        ST4(out + i, _mm256_xor_si256(_mm256_slli_epi64(x, 1), _mm256_cmpgt_epi64(zero, x)));
    }
    cbz_k_zigzag_encode_portable(in + i, n - i, out + i);
}

void cbz_k_zigzag_decode_avx2(const uint64_t *in, size_t n, int64_t *out)
{
    const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi64x(1);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i x = LD4(in + i);
        __m256i s = _mm256_sub_epi64(zero, _mm256_and_si256(x, one));
        ST4(out + i, _mm256_xor_si256(_mm256_srli_epi64(x, 1), s));
    }
    cbz_k_zigzag_decode_portable(in + i, n - i, out + i);
}

void cbz_k_minmax_avx2(const int64_t *in, size_t n, int64_t *min, int64_t *max)
{
    if (n < 8) {
        cbz_k_minmax_portable(in, n, min, max);
        return;
    }
    __m256i lo = LD4(in), hi = lo;
    size_t i = 4;
    for (; i + 4 <= n; i += 4) {
        __m256i x = LD4(in + i);
        lo = _mm256_blendv_epi8(lo, x, _mm256_cmpgt_epi64(lo, x));
        hi = _mm256_blendv_epi8(hi, x, _mm256_cmpgt_epi64(x, hi));
    }
    int64_t l[4], h[4];
    ST4(l, lo);
    ST4(h, hi);
    int64_t a = l[0], b = h[0];
    for (int k = 1; k < 4; k++) {
        a = l[k] < a ? l[k] : a;
        b = h[k] > b ? h[k] : b;
    }
    for (; i < n; i++) {
        a = in[i] < a ? in[i] : a;
        b = in[i] > b ? in[i] : b;
    }
    *min = a;
    *max = b;
}

/* Four values a step from a block's third one on (each step reads the two
 * before it for the differences), into lanes kept over all the blocks and
 * folded once at the end; a block's first two values, its tail and the
 * short blocks by the portable kernel's steps, which are the same sums: a
 * least, greatest, OR and count do not depend on the order. */
void cbz_k_seq_stats_avx2(const int64_t *in, const size_t *start, const size_t *len, size_t nb,
                          cbz_k_seq_stats *s)
{
    static const size_t zero_at = 0, two = 2;
    const __m256i zero = _mm256_setzero_si256();
    const __m256i smax = _mm256_set1_epi64x(INT64_MAX), smin = _mm256_set1_epi64x(INT64_MIN);
    __m256i lo = smax, hi = smin, dlo = smax, dhi = smin, ddlo = smax, ddhi = smin;
    __m256i or_zz = zero, eq = zero;
    size_t steps = 0; /* vector steps: each lane compared that many pairs */
    for (size_t b = 0; b < nb; b++) {
        const int64_t *x = in + start[b];
        const size_t n = len[b];
        if (n < 2 + 8) {
            cbz_k_seq_stats_portable(in, start + b, len + b, 1, s);
            continue;
        }
        cbz_k_seq_stats_portable(x, &zero_at, &two, 1, s); /* the first value and difference */
        size_t i = 2;
        for (; i + 4 <= n; i += 4) {
            const __m256i v = LD4(x + i), p = LD4(x + i - 1), q = LD4(x + i - 2);
            const __m256i d = _mm256_sub_epi64(v, p),
                          dd = _mm256_sub_epi64(d, _mm256_sub_epi64(p, q));
            or_zz = _mm256_or_si256(or_zz, _mm256_xor_si256(_mm256_slli_epi64(v, 1),
                                                            _mm256_cmpgt_epi64(zero, v)));
            lo = _mm256_blendv_epi8(lo, v, _mm256_cmpgt_epi64(lo, v));
            hi = _mm256_blendv_epi8(hi, v, _mm256_cmpgt_epi64(v, hi));
            dlo = _mm256_blendv_epi8(dlo, d, _mm256_cmpgt_epi64(dlo, d));
            dhi = _mm256_blendv_epi8(dhi, d, _mm256_cmpgt_epi64(d, dhi));
            ddlo = _mm256_blendv_epi8(ddlo, dd, _mm256_cmpgt_epi64(ddlo, dd));
            ddhi = _mm256_blendv_epi8(ddhi, dd, _mm256_cmpgt_epi64(dd, ddhi));
            eq = _mm256_sub_epi64(eq, _mm256_cmpeq_epi64(v, p)); /* + 1 per equal pair */
        }
        steps += (i - 2) / 4;
        /* the tail: value i with its two differences */
        for (; i < n; i++) {
            const uint64_t v = (uint64_t)x[i], p = (uint64_t)x[i - 1], q = (uint64_t)x[i - 2];
            const int64_t d = (int64_t)(v - p), dd = (int64_t)((v - p) - (p - q));
            s->or_zz |= (v << 1) ^ (uint64_t)(x[i] >> 63);
            s->lo = x[i] < s->lo ? x[i] : s->lo;
            s->hi = x[i] > s->hi ? x[i] : s->hi;
            s->dlo = d < s->dlo ? d : s->dlo;
            s->dhi = d > s->dhi ? d : s->dhi;
            s->ddlo = dd < s->ddlo ? dd : s->ddlo;
            s->ddhi = dd > s->ddhi ? dd : s->ddhi;
            s->runs += v != p;
        }
    }
    if (!steps) return; /* the lanes hold only their starting values */
    int64_t l[4], h[4], dl[4], dh[4], ddl[4], ddh[4], e[4];
    uint64_t o[4];
    ST4(l, lo);
    ST4(h, hi);
    ST4(dl, dlo);
    ST4(dh, dhi);
    ST4(ddl, ddlo);
    ST4(ddh, ddhi);
    ST4(o, or_zz);
    ST4(e, eq);
    for (int k = 0; k < 4; k++) {
        s->lo = l[k] < s->lo ? l[k] : s->lo;
        s->hi = h[k] > s->hi ? h[k] : s->hi;
        s->dlo = dl[k] < s->dlo ? dl[k] : s->dlo;
        s->dhi = dh[k] > s->dhi ? dh[k] : s->dhi;
        s->ddlo = ddl[k] < s->ddlo ? ddl[k] : s->ddlo;
        s->ddhi = ddh[k] > s->ddhi ? ddh[k] : s->ddhi;
        s->or_zz |= o[k];
        s->runs += steps - (size_t)e[k]; /* the unequal pairs of lane k */
    }
}

unsigned cbz_k_max_bits_u64_avx2(const uint64_t *in, size_t n)
{
    __m256i acc = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) acc = _mm256_or_si256(acc, LD4(in + i));
    uint64_t a[4];
    ST4(a, acc);
    uint64_t v = a[0] | a[1] | a[2] | a[3];
    for (; i < n; i++) v |= in[i];
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
}

/* ---------------------------------------------------------------- L7 */

void cbz_k_bitunpack_u32_avx2(const uint8_t *in, size_t n, unsigned bits, uint32_t *out)
{
    size_t i = 0;
    if (bits >= 1 && bits <= 32) {
        /* 8 values = `bits` bytes starting on a byte boundary: load 32 bytes,
         * pick for value k the 32-bit words holding bits k*bits.. and join */
        const size_t size = cbz_k_bitpack_size(n, bits);
        int lo_idx[8], hi_idx[8], rs[8], ls[8];
        for (int k = 0; k < 8; k++) {
            unsigned off = (unsigned)k * bits;
            lo_idx[k] = (int)(off >> 5);
            hi_idx[k] = (int)((off >> 5) + 1) & 7;
            rs[k] = (int)(off & 31);
            ls[k] = (off & 31) ? 32 - (int)(off & 31) : 32; /* 32: contributes 0 */
        }
        const __m256i vlo = _mm256_loadu_si256((const __m256i *)lo_idx);
        const __m256i vhi = _mm256_loadu_si256((const __m256i *)hi_idx);
        const __m256i vrs = _mm256_loadu_si256((const __m256i *)rs);
        const __m256i vls = _mm256_loadu_si256((const __m256i *)ls);
        const __m256i mask = _mm256_set1_epi32(bits >= 32 ? -1 : (int)((1u << bits) - 1));
        for (; i + 8 <= n && i / 8 * bits + 32 <= size; i += 8) {
            __m256i w = _mm256_loadu_si256((const __m256i *)(in + i / 8 * bits));
            __m256i a = _mm256_srlv_epi32(_mm256_permutevar8x32_epi32(w, vlo), vrs);
            __m256i b = _mm256_sllv_epi32(_mm256_permutevar8x32_epi32(w, vhi), vls);
            _mm256_storeu_si256((__m256i *)(out + i), _mm256_and_si256(_mm256_or_si256(a, b), mask));
        }
    }
    cbz_k_bitunpack_u32_portable(in + i / 8 * bits, n - i, bits, out + i);
}

/* ---------------------------------------------------------------- L6 */

/* The largest of the n codes (0 when n = 0), 8 lanes a step: the check
 * that every code is < ndict, without the portable kernel's chain of
 * compares. */
static uint32_t max_u32(const uint32_t *c, size_t n)
{
    __m256i m0 = _mm256_setzero_si256(), m1 = m0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_epu32(m0, _mm256_loadu_si256((const __m256i *)(c + i)));
        m1 = _mm256_max_epu32(m1, _mm256_loadu_si256((const __m256i *)(c + i + 8)));
    }
    for (; i + 8 <= n; i += 8)
        m0 = _mm256_max_epu32(m0, _mm256_loadu_si256((const __m256i *)(c + i)));
    m0 = _mm256_max_epu32(m0, m1);
    __m128i h = _mm_max_epu32(_mm256_castsi256_si128(m0), _mm256_extracti128_si256(m0, 1));
    h = _mm_max_epu32(h, _mm_shuffle_epi32(h, 0x4E));
    h = _mm_max_epu32(h, _mm_shuffle_epi32(h, 0xB1));
    uint32_t mx = (uint32_t)_mm_cvtsi128_si32(h);
    for (; i < n; i++) mx = c[i] > mx ? c[i] : mx;
    return mx;
}

bool cbz_k_dict_gather_u64_avx2(const uint32_t *codes, size_t n, const uint64_t *dict,
                                size_t ndict, uint64_t *out)
{
    if (n > 0 && max_u32(codes, n) >= ndict) return false; /* out untouched */
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { /* no test a value: the codes are checked */
        const uint64_t a = dict[codes[i]], b = dict[codes[i + 1]];
        const uint64_t c = dict[codes[i + 2]], d = dict[codes[i + 3]];
        out[i] = a;
        out[i + 1] = b;
        out[i + 2] = c;
        out[i + 3] = d;
    }
    for (; i < n; i++) out[i] = dict[codes[i]];
    return true;
}

/* Values of w bytes, mv / 2 < w < mv (mv = 4, 8, 16 or 32, a constant
 * where inlined), gathered by one mv-byte move each where the portable
 * kernel makes two: the spill past a value lands in the next one, written
 * after it; the last values, whose move would pass the end of out, take
 * two exact mv / 2-byte moves.  The dictionary's last entries, whose move
 * would read past its end, are read from a copy with room after it. */
static inline __attribute__((always_inline)) void gather_over(const uint32_t *codes, size_t n,
                                                              const uint8_t *dict, size_t nd,
                                                              size_t w, uint8_t *out,
                                                              const size_t mv)
{
    const size_t bytes = nd * w;
    /* entries [0, safe) lie mv bytes or more before the end; the others,
     * fewer than mv bytes, go to tail */
    const size_t safe = bytes >= mv ? (bytes - mv) / w + 1 : 0;
    uint8_t tail[64];
    memset(tail, 0, sizeof tail);
    memcpy(tail, dict + safe * w, bytes - safe * w);
    /* rows [0, rows) end mv bytes or more before the end of out */
    const size_t rows = n * w >= mv ? (n * w - mv) / w + 1 : 0;
    size_t i = 0;
    for (; i < rows; i++) {
        const size_t e = codes[i];
        const uint8_t *s = e < safe ? dict + e * w : tail + (e - safe) * w;
        memcpy(out + i * w, s, mv);
    }
    for (; i < n; i++) {
        const size_t e = codes[i];
        const uint8_t *s = e < safe ? dict + e * w : tail + (e - safe) * w;
        memcpy(out + i * w, s, mv / 2);
        memcpy(out + i * w + w - mv / 2, s + w - mv / 2, mv / 2);
    }
}

bool cbz_k_dict_gather_fixed_avx2(const uint32_t *codes, size_t n, const uint8_t *dict,
                                  size_t ndict, size_t width, uint8_t *out)
{
    if (n > 0 && max_u32(codes, n) >= ndict) return false; /* out untouched */
    const size_t w = width;
#define EXACT(W)                                                                              \
    for (size_t i = 0; i < n; i++) memcpy(out + i * (W), dict + (size_t)codes[i] * (W), (W))
    if (w == 0 || n == 0) {
    } else if (w == 1) {
        EXACT(1);
    } else if (w == 2) {
        EXACT(2);
    } else if (w == 3) {
        gather_over(codes, n, dict, ndict, w, out, 4);
    } else if (w == 4) {
        EXACT(4);
    } else if (w < 8) {
        gather_over(codes, n, dict, ndict, w, out, 8);
    } else if (w == 8) {
        EXACT(8);
    } else if (w < 16) {
        gather_over(codes, n, dict, ndict, w, out, 16);
    } else if (w == 16) {
        EXACT(16);
    } else if (w < 32) {
        gather_over(codes, n, dict, ndict, w, out, 32);
    } else if (w == 32) {
        EXACT(32);
    } else { /* 32-byte moves, the last one ending at the value's end */
        for (size_t i = 0; i < n; i++) {
            uint8_t *d = out + i * w;
            const uint8_t *s = dict + (size_t)codes[i] * w;
            size_t j = 0;
            for (; j + 32 < w; j += 32) memcpy(d + j, s + j, 32);
            memcpy(d + w - 32, s + w - 32, 32);
        }
    }
#undef EXACT
    return true;
}

/* -------------------------------------------------------------- masks */

/* Widths 1, 2, 4, 8: one compare of 32 bytes, a row per element, the rows'
 * bits (pext) spread to flag bytes (pdep); 9..32: a row per compare of 16
 * or 32 bytes, the bits past the row masked off; 3, 5..7, wider rows and
 * the tails: the portable kernel. */
size_t cbz_k_blank_rows_avx2(const uint8_t *in, size_t n, size_t width, uint8_t b,
                             uint8_t *flag)
{
    const size_t w = width;
    size_t i = 0, blank = 0;
    if (w == 1 || w == 2 || w == 4 || w == 8) {
        const __m256i vb = _mm256_set1_epi8((char)b);
        const size_t rows = 32 / w;
        /* the lowest bit of each row's w bytes in movemask's 32 bits */
        const uint32_t first = w == 1   ? 0xFFFFFFFFu
                               : w == 2 ? 0x55555555u
                               : w == 4 ? 0x11111111u
                                        : 0x01010101u;
        for (; i + rows <= n; i += rows) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(in + i * w));
            const __m256i e = w == 1   ? _mm256_cmpeq_epi8(v, vb)
                              : w == 2 ? _mm256_cmpeq_epi16(v, vb)
                              : w == 4 ? _mm256_cmpeq_epi32(v, vb)
                                       : _mm256_cmpeq_epi64(v, vb);
            const uint32_t k = (uint32_t)_pext_u32((uint32_t)_mm256_movemask_epi8(e), first);
            for (size_t q = 0; q < rows; q += 8) {
                const uint64_t f = _pdep_u64(k >> q, 0x0101010101010101ull);
                memcpy(flag + i + q, &f, rows - q < 8 ? rows - q : 8);
            }
            blank += (size_t)__builtin_popcount(k);
        }
    } else if (w >= 9 && w <= 32) {
        const size_t span = w <= 16 ? 16 : 32, total = n * w;
        const uint32_t full = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
        if (span == 16) {
            const __m128i vb = _mm_set1_epi8((char)b);
            for (; i < n && i * w + 16 <= total; i++) {
                const __m128i v = _mm_loadu_si128((const __m128i *)(in + i * w));
                const uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vb)) & full;
                blank += flag[i] = m == full;
            }
        } else {
            const __m256i vb = _mm256_set1_epi8((char)b);
            for (; i < n && i * w + 32 <= total; i++) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(in + i * w));
                const uint32_t m =
                    (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, vb)) & full;
                blank += flag[i] = m == full;
            }
        }
    }
    return blank + cbz_k_blank_rows_portable(in + i * w, n - i, w, b, flag + i);
}

/* One load a row: 16 bytes (widths up to 16) or 32 (up to 32) while it
 * stays inside the input, its bits past the row cleared; two overlapping
 * loads of 32 for wider rows (the second ending at the row's end); the
 * last rows of the narrower widths to the portable kernel.  A byte is a
 * digit when its XOR with the zone is its minimum with 9. */
void cbz_k_digit_rows_avx2(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                           uint64_t *out)
{
    const size_t w = width, total = n * w;
    size_t i = 0;
    if (w <= 16) {
        const __m128i vz = _mm_set1_epi8((char)zone), nine = _mm_set1_epi8(9);
        const uint32_t full = (1u << w) - 1;
        for (; i < n && i * w + 16 <= total; i++) {
            const __m128i t =
                _mm_xor_si128(_mm_loadu_si128((const __m128i *)(in + i * w)), vz);
            const uint32_t m =
                (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, nine), t));
            out[i] = m & full;
        }
    } else if (w <= 64) {
        const __m256i vz = _mm256_set1_epi8((char)zone), nine = _mm256_set1_epi8(9);
        const uint64_t full = w == 64 ? ~0ull : ((uint64_t)1 << w) - 1;
        for (; i < n && (w > 32 || i * w + 32 <= total); i++) {
            const uint8_t *v = in + i * w;
            const __m256i a = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)v), vz);
            uint64_t m = (uint32_t)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_min_epu8(a, nine), a));
            if (w > 32) {
                const __m256i b = _mm256_xor_si256(
                    _mm256_loadu_si256((const __m256i *)(v + w - 32)), vz);
                const uint64_t h = (uint32_t)_mm256_movemask_epi8(
                    _mm256_cmpeq_epi8(_mm256_min_epu8(b, nine), b));
                m |= h << (w - 32);
            }
            out[i] = m & full;
        }
    }
    cbz_k_digit_rows_portable(in + i * w, n - i, w, zone, out + i);
}
