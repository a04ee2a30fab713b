/*
 * vx_avx2.c — the AVX2 (VEX, 256-bit) build of vx_body.h (binary, transcode
 * and text-length kernels, two 128-bit lanes per vector) and the AVX2 decimal
 * kernels: packed_to_i64, i64_to_packed, zoned_to_i64, i64_to_zoned, written
 * here for 256-bit vectors (four int64 per vector, blocks of 16 values, one
 * validity mask per block).  Compiled with -mavx2 -mbmi2 -mpopcnt; reached
 * only through the dispatch table after the CPU check (fill_x86.c).
 */
#include "x86/kernels_x86.h"

#include <immintrin.h>
#include <string.h>

typedef __m256i vx_t;
#define VX_N128 2
#define VX_NAME(f) f##_avx2

static inline vx_t vx_bcast128(const uint8_t *m)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)m));
}
static inline vx_t vx_loadu(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void vx_storeu(void *p, vx_t v) { _mm256_storeu_si256((__m256i *)p, v); }
/* lane k from p + k*step (16 bytes each) */
static inline vx_t vx_loadu_lanes(const uint8_t *p, size_t step)
{
    __m128i lo = _mm_loadu_si128((const __m128i *)p);
    __m128i hi = _mm_loadu_si128((const __m128i *)(p + step));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}
/* lane k to p + k*step, lane 0 first */
static inline void vx_storeu_lanes(uint8_t *p, size_t step, vx_t v)
{
    _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(v));
    _mm_storeu_si128((__m128i *)(p + step), _mm256_extracti128_si256(v, 1));
}
#define vx_store_lane(p, v, k) _mm_storeu_si128((__m128i *)(p), _mm256_extracti128_si256((v), (k)))
#define vx_zero() _mm256_setzero_si256()
#define vx_set1_epi8(x) _mm256_set1_epi8(x)
#define vx_set1_epi16(x) _mm256_set1_epi16(x)
#define vx_set1_epi32(x) _mm256_set1_epi32(x)
#define vx_set1_epi64x(x) _mm256_set1_epi64x(x)
#define vx_and(a, b) _mm256_and_si256(a, b)
#define vx_or(a, b) _mm256_or_si256(a, b)
#define vx_xor(a, b) _mm256_xor_si256(a, b)
#define vx_add_epi64(a, b) _mm256_add_epi64(a, b)
#define vx_sub_epi8(a, b) _mm256_sub_epi8(a, b)
#define vx_sub_epi16(a, b) _mm256_sub_epi16(a, b)
#define vx_sub_epi32(a, b) _mm256_sub_epi32(a, b)
#define vx_sub_epi64(a, b) _mm256_sub_epi64(a, b)
#define vx_srli_epi16(a, k) _mm256_srli_epi16(a, k)
#define vx_srli_epi64(a, k) _mm256_srli_epi64(a, k)
#define vx_slli_epi16(a, k) _mm256_slli_epi16(a, k)
#define vx_slli_epi32(a, k) _mm256_slli_epi32(a, k)
#define vx_slli_epi64(a, k) _mm256_slli_epi64(a, k)
#define vx_cmpgt_epi8(a, b) _mm256_cmpgt_epi8(a, b)
#define vx_cmpeq_epi8(a, b) _mm256_cmpeq_epi8(a, b)
#define vx_cmpeq_epi64(a, b) _mm256_cmpeq_epi64(a, b)
#define vx_shuffle_epi8(a, b) _mm256_shuffle_epi8(a, b)
#define vx_maddubs_epi16(a, b) _mm256_maddubs_epi16(a, b)
#define vx_madd_epi16(a, b) _mm256_madd_epi16(a, b)
#define vx_mul_epu32(a, b) _mm256_mul_epu32(a, b)
#define vx_mullo_epi32(a, b) _mm256_mullo_epi32(a, b)
#define vx_mullo_epi16(a, b) _mm256_mullo_epi16(a, b)
#define vx_mulhi_epu16(a, b) _mm256_mulhi_epu16(a, b)
#define vx_min_epu8(a, b) _mm256_min_epu8(a, b)
#define vx_packus_epi32(a, b) _mm256_packus_epi32(a, b)
#define vx_unpacklo_epi8(a, b) _mm256_unpacklo_epi8(a, b)
#define vx_unpackhi_epi8(a, b) _mm256_unpackhi_epi8(a, b)
#define vx_blendv_epi8(a, b, m) _mm256_blendv_epi8(a, b, m)
#define vx_movemask_epi8(a) ((unsigned)_mm256_movemask_epi8(a))

#define vx_andnot(a, b) _mm256_andnot_si256(a, b)
#define vx_add_epi32(a, b) _mm256_add_epi32(a, b)
#define vx_cmpgt_epi32(a, b) _mm256_cmpgt_epi32(a, b)
#define vx_sign64(v) _mm256_cmpgt_epi64(_mm256_setzero_si256(), (v))
#define vx_testz(a, b) _mm256_testz_si256(a, b)
#define vx_lane_u32(v, k) ((uint32_t)_mm256_extract_epi32((v), 4 * (k)))
typedef __m256d vx_pd;
#define vx_set1_pd(x) _mm256_set1_pd(x)
#define vx_add_pd(a, b) _mm256_add_pd(a, b)
#define vx_sub_pd(a, b) _mm256_sub_pd(a, b)
#define vx_mul_pd(a, b) _mm256_mul_pd(a, b)
#define vx_floor_pd(a) _mm256_floor_pd(a)
#define vx_castsi_pd(a) _mm256_castsi256_pd(a)
#define vx_castpd_si(a) _mm256_castpd_si256(a)
/* 4 bytes to 4 64-bit elements */
static inline vx_t vx_load_u8_to_u64(const uint8_t *p)
{
    int32_t x;
    memcpy(&x, p, 4);
    return _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(x));
}

#define VX_OWN_DECIMAL 1
#include "x86/vx_body.h"

/* ================================================================ decimal
 *
 * Four int64 per vector.  Decoders work in blocks of 16 values and fold the
 * validity of the whole block into one mask tested once; a block holding
 * any invalid value goes to the portable kernel, which then decides every
 * value of it, so values, signs/forms, flags and counts are exactly the
 * portable ones.  Encoders split |v| into base-10^8 parts (eight values per
 * vector in 32-bit lanes when all |v| <= 2^31, else four: a double-precision
 * quotient, corrected by one), turn each part into 8 BCD nibbles with 16-bit
 * multiply-high steps, and place nibbles or digit bytes with pshufb.  Every
 * path writes what the portable kernel writes, for every int64 and sign/form
 * byte (tests/unit/test_kernels_x86.c).
 */

typedef __m256i v4;

/* the helpers below are small pieces of one loop body: always inlined */
#define D_INLINE static inline __attribute__((always_inline))

enum { D_BLOCK = 16 };

/* 10^-8 rounded down: for a < 2^52, floor(a * D_1EM8_DOWN) is a / 10^8 or
 * one less (the product never reaches the next integer: a / 10^8 < 2^26
 * is at least 10^-8 below it, more than half an ulp). */
#define D_1EM8_DOWN 0x1.5798ee2308c39p-27

D_INLINE v4 d_set64(uint64_t x) { return _mm256_set1_epi64x((long long)x); }

/* 16 bytes at a and 16 at b as the two lanes */
D_INLINE v4 d_load2(const uint8_t *a, const uint8_t *b)
{
    __m128i lo = _mm_loadu_si128((const __m128i *)a);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo),
                                   _mm_loadu_si128((const __m128i *)b), 1);
}

/* lane 0 of v to a, lane 1 to b (a first: a later store may overwrite its tail) */
D_INLINE void d_store2(uint8_t *a, uint8_t *b, v4 v)
{
    _mm_storeu_si128((__m128i *)a, _mm256_castsi256_si128(v));
    _mm_storeu_si128((__m128i *)b, _mm256_extracti128_si256(v, 1));
}

/* Byte 0 of each element of s0..s3 (values 0-3, 4-7, 8-11, 12-15 of a block;
 * bytes 1..3 of every element 0) to 16 bytes in value order. */
D_INLINE void d_store_bytes16(uint8_t *dst, v4 s0, v4 s1, v4 s2, v4 s3)
{
    v4 c = _mm256_or_si256(_mm256_or_si256(s0, _mm256_slli_epi64(s1, 8)),
                           _mm256_or_si256(_mm256_slli_epi64(s2, 16), _mm256_slli_epi64(s3, 24)));
    /* element e byte j = value 4j+e; per lane: values (e, e+1) of each j */
    const v4 idx = _mm256_setr_epi8(0, 8, 1, 9, 2, 10, 3, 11, -1, -1, -1, -1, -1, -1, -1, -1,
                                    0, 8, 1, 9, 2, 10, 3, 11, -1, -1, -1, -1, -1, -1, -1, -1);
    c = _mm256_shuffle_epi8(c, idx);
    __m128i r = _mm_unpacklo_epi16(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
    _mm_storeu_si128((__m128i *)dst, r);
}

/* all-ones elements where byte 0 (a nibble 0..15, other bytes 0) is 0xB or 0xD */
D_INLINE v4 d_neg_of_nibble(v4 s)
{
    const v4 tbl = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0);
    return _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_shuffle_epi8(tbl, s));
}

/* v negated where m is all-ones */
D_INLINE v4 d_apply_neg(v4 v, v4 m) { return _mm256_sub_epi64(_mm256_xor_si256(v, m), m); }

/* Each byte 16*hi + lo (two BCD digits) to 10*hi + lo. */
D_INLINE v4 d_bcd_bytes(v4 d)
{
    v4 t = _mm256_and_si256(d, _mm256_set1_epi8((char)0xF0));
    return _mm256_sub_epi8(_mm256_sub_epi8(d, _mm256_srli_epi16(t, 2)), _mm256_srli_epi16(t, 3));
}

/* 16 BCD digits per element (nibble 0 = units), all 0..9, to binary. */
D_INLINE v4 d_bcd16_to_bin(v4 d)
{
    v4 w16 = _mm256_maddubs_epi16(d_bcd_bytes(d), _mm256_set1_epi16(100 << 8 | 1));
    v4 w32 = _mm256_madd_epi16(w16, _mm256_set1_epi32(10000 << 16 | 1));
    return _mm256_add_epi64(_mm256_and_si256(w32, d_set64(0xFFFFFFFF)),
                            _mm256_mul_epu32(_mm256_srli_epi64(w32, 32), d_set64(100000000)));
}

/* Each 16-bit element < 10^4 to its 4 digits as nibbles (units lowest):
 * y + 6*(y/10) + 96*(y/100) + 1536*(y/1000). */
D_INLINE v4 d_bin4_to_bcd(v4 y)
{
    const v4 c6554 = _mm256_set1_epi16(6554); /* z / 10 = z * 6554 >> 16 for z < 10^4 */
    v4 q1 = _mm256_mulhi_epu16(y, c6554);
    v4 q2 = _mm256_mulhi_epu16(q1, c6554);
    v4 q3 = _mm256_mulhi_epu16(q2, c6554);
    v4 s = _mm256_add_epi16(q1, _mm256_slli_epi16(_mm256_add_epi16(q2, _mm256_slli_epi16(q3, 4)), 4));
    return _mm256_add_epi16(y, _mm256_mullo_epi16(s, _mm256_set1_epi16(6)));
}

/* Each 32-bit element < 10^8 to its 8 digits as nibbles (units lowest). */
D_INLINE v4 d_bin8_to_bcd(v4 x)
{
    const v4 m = d_set64(0xD1B71759); /* x / 10^4 = x * m >> 45 for x < 2^32 */
    v4 qe = _mm256_srli_epi64(_mm256_mul_epu32(x, m), 45);
    v4 qo = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
    qo = _mm256_and_si256(_mm256_srli_epi64(qo, 13), d_set64(0xFFFFFFFF00000000));
    v4 q = _mm256_or_si256(qe, qo);
    /* x % 10^4 | (x / 10^4) << 16 = x + q * (2^16 - 10^4) */
    v4 y = _mm256_add_epi32(x, _mm256_mullo_epi32(q, _mm256_set1_epi32(65536 - 10000)));
    return d_bin4_to_bcd(y);
}

/* a < 2^52 in every element: a % 10^8 | (a / 10^8) << 32 */
D_INLINE v4 d_split_small(v4 a)
{
    const v4 magic = d_set64(0x4330000000000000); /* 2^52 as a double */
    const __m256d two52 = _mm256_set1_pd(4503599627370496.0);
    __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(a, magic)), two52);
    __m256d f = _mm256_floor_pd(_mm256_mul_pd(d, _mm256_set1_pd(D_1EM8_DOWN)));
    v4 q = _mm256_xor_si256(_mm256_castpd_si256(_mm256_add_pd(f, two52)), magic);
    v4 r = _mm256_sub_epi64(a, _mm256_mul_epu32(q, d_set64(100000000)));
    /* r < 2*10^8 < 2^31 and q < 2^26: one correction in the low 32 bits */
    v4 m = _mm256_cmpgt_epi32(r, _mm256_set1_epi32(99999999));
    r = _mm256_sub_epi32(r, _mm256_and_si256(m, _mm256_set1_epi32(100000000)));
    q = _mm256_sub_epi32(q, m);
    return _mm256_or_si256(r, _mm256_slli_epi64(q, 32));
}

/* Any a: returns a % 10^8, *qout = a / 10^8 (< 2^38).  The quotient through
 * double precision (relative error < 2^-51, i.e. < 10^-4 absolute), biased
 * down by 0.5 so that it is exact or one less, then corrected. */
D_INLINE v4 d_split_big(v4 a, v4 *qout)
{
    const v4 magic52 = d_set64(0x4330000000000000), magic84 = d_set64(0x4530000000000000);
    const __m256d two52 = _mm256_set1_pd(4503599627370496.0);
    const v4 c1e8 = d_set64(100000000);
    v4 hi = _mm256_or_si256(_mm256_srli_epi64(a, 32), magic84);  /* 2^84 + hi32 * 2^32 */
    v4 lo = _mm256_blend_epi32(a, magic52, 0xAA);               /* 2^52 + lo32 */
    __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(hi), _mm256_set1_pd(0x1.00000001p+84));
    d = _mm256_add_pd(d, _mm256_castsi256_pd(lo));
    __m256d f = _mm256_sub_pd(_mm256_mul_pd(d, _mm256_set1_pd(D_1EM8_DOWN)), _mm256_set1_pd(0.5));
    f = _mm256_max_pd(_mm256_floor_pd(f), _mm256_setzero_pd());
    v4 q = _mm256_xor_si256(_mm256_castpd_si256(_mm256_add_pd(f, two52)), magic52);
    v4 prod = _mm256_add_epi64(
        _mm256_mul_epu32(q, c1e8),
        _mm256_slli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(q, 32), c1e8), 32));
    v4 r = _mm256_sub_epi64(a, prod); /* 0 <= r < 2*10^8 */
    v4 m = _mm256_cmpgt_epi64(r, d_set64(99999999));
    *qout = _mm256_sub_epi64(q, m);
    return _mm256_sub_epi64(r, _mm256_and_si256(m, c1e8));
}

/* |v| to its 16 low decimal digits as BCD nibbles (units lowest) per
 * element; *top = digits 16..18 as BCD nibbles. */
D_INLINE v4 d_abs_to_bcd(v4 v, v4 *top)
{
    v4 neg = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    v4 a = _mm256_sub_epi64(_mm256_xor_si256(v, neg), neg); /* INT64_MIN: 2^63 */
    v4 parts;
    if (_mm256_testz_si256(a, d_set64(0xFFF0000000000000))) {
        parts = d_split_small(a);
        *top = _mm256_setzero_si256();
    } else {
        v4 q;
        v4 r = d_split_big(a, &q);
        v4 p2 = d_split_small(q); /* q % 10^8 | q / 10^8 << 32, q / 10^8 <= 922 */
        parts = _mm256_or_si256(r, _mm256_slli_epi64(p2, 32));
        *top = d_bin4_to_bcd(_mm256_srli_epi64(p2, 32));
    }
    return d_bin8_to_bcd(parts);
}

/* Eight values at in, all within +-(2^31 - 1) or INT32_MIN: their digits as
 * BCD as d_abs_to_bcd gives them (values 0..3 to *b0, 4..7 to *b1; |v| <=
 * 2^31 has at most 10 digits), in 32-bit lanes, eight values per vector.
 * False, computing nothing, when some value is out of that range. */
D_INLINE bool d_abs8_to_bcd(const int64_t *in, v4 *b0, v4 *b1)
{
    v4 a = _mm256_loadu_si256((const __m256i *)in), b = _mm256_loadu_si256((const __m256i *)(in + 4));
    const v4 bias = d_set64((uint64_t)1 << 31);
    v4 range = _mm256_or_si256(_mm256_add_epi64(a, bias), _mm256_add_epi64(b, bias));
    if (!_mm256_testz_si256(range, d_set64(0xFFFFFFFF00000000))) return false;
    /* low halves in the order v0 v1 v4 v5 | v2 v3 v6 v7, so that the
     * unpacks at the end give v0..v3 and v4..v7 */
    v4 x = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b),
                                                 _MM_SHUFFLE(2, 0, 2, 0)));
    x = _mm256_abs_epi32(x); /* INT32_MIN: 2^31 as unsigned */
    /* q = x / 10^8 (<= 21): (x >> 9) * 688 >> 27 is q or q + 1 (the factor
     * is 0.12% high, the shift loses less than 10^-5) */
    v4 q = _mm256_srli_epi32(_mm256_mullo_epi32(_mm256_srli_epi32(x, 9), _mm256_set1_epi32(688)), 27);
    v4 r = _mm256_sub_epi32(x, _mm256_mullo_epi32(q, _mm256_set1_epi32(100000000)));
    v4 m = _mm256_srai_epi32(r, 31); /* r < 0: q was one high */
    r = _mm256_add_epi32(r, _mm256_and_si256(m, _mm256_set1_epi32(100000000)));
    q = _mm256_add_epi32(q, m);
    v4 lo = d_bin8_to_bcd(r);
    /* q < 100: q + 6 * (q / 10) */
    v4 hi = _mm256_add_epi32(q, _mm256_mullo_epi16(_mm256_mulhi_epu16(q, _mm256_set1_epi16(6554)),
                                                   _mm256_set1_epi16(6)));
    *b0 = _mm256_unpacklo_epi32(lo, hi);
    *b1 = _mm256_unpackhi_epi32(lo, hi);
    return true;
}

/* ------------------------------------------------------------ packed */

/* 16 values of width 1..8 at p: values to v[], sign nibbles (byte 0) to
 * s[], and per group of four the tests' bits, nonzero in the elements of
 * invalid values, to bad[] (read by d_bad_values only when the block has
 * one: no second pass over the bytes); false when some value is invalid. */
D_INLINE bool d_unpack_block8(const uint8_t *p, size_t w, v4 mask, v4 *v, v4 *s, v4 *bad)
{
    /* One addition checks every nibble: 6 added to each digit nibble carries
     * into the next nibble exactly when the digit is > 9; the sign nibble
     * gets 6 too and carries exactly when it is >= 0xA, and the nibble above
     * it gets 5 instead of 6, so that bit 4 of (x + k) ^ x is 0 exactly when
     * the sign carried (and digit 0 still carries exactly when > 9).  Bits
     * 4k, k >= 1, of (x + k) ^ x are then all 0 for a valid value.  The
     * carry out of nibble 15 is lost: for width 8 that nibble (digit 14)
     * gets its own test, (x >> 60) + 6 reaching bit 4. */
    const v4 k65 = d_set64(0x6666666666666656), six = d_set64(6), c0f = d_set64(15);
    const v4 tests = d_set64(0x1111111111111110);
    v4 acc = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++, p += 4 * w) {
        v4 x = _mm256_shuffle_epi8(d_load2(p, p + 2 * w), mask); /* little-endian values */
        v4 t = _mm256_xor_si256(_mm256_add_epi64(x, k65), x);
        if (w == 8) t = _mm256_or_si256(t, _mm256_add_epi64(_mm256_srli_epi64(x, 60), six));
        bad[k] = _mm256_and_si256(t, tests);
        acc = _mm256_or_si256(acc, bad[k]);
        s[k] = _mm256_and_si256(x, c0f);
        v4 d = _mm256_srli_epi64(x, 4); /* the digits, units lowest */
        v4 bin = d_bcd16_to_bin(d);
        v[k] = d_apply_neg(bin, d_neg_of_nibble(s[k]));
    }
    return _mm256_testz_si256(acc, acc);
}

/* The same for width 9 or 10: per value, element x = its last 8 bytes and
 * element y = the bytes before them (digits 15..18), little-endian. */
D_INLINE bool d_unpack_block10(const uint8_t *p, size_t w, v4 mask, v4 *v, v4 *s, v4 *bad)
{
    const v4 k6 = d_set64(0x6666666666666666), six = d_set64(6), c0f = d_set64(15);
    v4 acc = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++, p += 4 * w) {
        v4 a1 = _mm256_shuffle_epi8(d_load2(p, p + 2 * w), mask);     /* x0 y0 | x2 y2 */
        v4 a2 = _mm256_shuffle_epi8(d_load2(p + w, p + 3 * w), mask); /* x1 y1 | x3 y3 */
        v4 x = _mm256_unpacklo_epi64(a1, a2), y = _mm256_unpackhi_epi64(a1, a2);
        v4 d = _mm256_or_si256(_mm256_srli_epi64(x, 4), _mm256_slli_epi64(y, 60));
        v4 td = _mm256_or_si256(_mm256_xor_si256(_mm256_add_epi64(d, k6), d),
                                _mm256_xor_si256(_mm256_add_epi64(y, k6), y));
        v4 ts = _mm256_xor_si256(_mm256_add_epi64(x, six), x);
        /* digits and sign; width 10: the leading nibble (digit 18, y's
         * nibble 3) must be 0 */
        v4 b = _mm256_or_si256(_mm256_and_si256(td, d_set64(0x1111111111111110)),
                               _mm256_andnot_si256(ts, d_set64(0x10)));
        bad[k] = _mm256_or_si256(b, _mm256_and_si256(y, d_set64(0xF000)));
        acc = _mm256_or_si256(acc, bad[k]);
        s[k] = _mm256_and_si256(x, c0f);
        /* digits 16 and 17 (digit 18 is 0 in a valid value): 0..99 */
        v4 c = d_bcd_bytes(_mm256_srli_epi64(y, 4));
        v4 top = _mm256_mul_epu32(_mm256_mul_epu32(c, d_set64(10000000)), d_set64(1000000000));
        v[k] = d_apply_neg(_mm256_add_epi64(d_bcd16_to_bin(d), top), d_neg_of_nibble(s[k]));
    }
    return _mm256_testz_si256(acc, acc);
}

/* The invalid values of a block that d_unpack_block8/10 rejected, from
 * its bad[]: bit j set when value j is. */
D_INLINE unsigned d_bad_values(const v4 *bad)
{
    const v4 zero = _mm256_setzero_si256();
    unsigned m = 0;
    for (int k = 0; k < 4; k++) {
        unsigned ok =
            (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(bad[k], zero)));
        m |= (~ok & 15u) << (4 * k);
    }
    return m;
}

size_t cbz_k_packed_to_i64_avx2(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                uint8_t *sign, uint8_t *invalid)
{
    size_t i = 0, bad = 0;
    if (width >= 1 && width <= CBZ_K_PACKED_MAX_WIDTH) {
        const size_t w = width, total = n * w;
        /* the block's last load: 16 bytes at value 14 (w <= 8) or 15 */
        const size_t reach = (w <= 8 ? 14 : 15) * w + 16;
        v4 mask;
        if (w <= 8) {
            mask = vx_mask_be_to_le(w);
        } else {
            uint8_t m[16];
            for (size_t k = 0; k < 8; k++) {
                m[k] = (uint8_t)(w - 1 - k);
                m[8 + k] = k <= w - 9 ? (uint8_t)(w - 9 - k) : 0x80;
            }
            mask = vx_bcast128(m);
        }
        for (; i + D_BLOCK <= n && i * w + reach <= total; i += D_BLOCK) {
            v4 v[4], s[4], bv[4];
            const uint8_t *p = in + i * w;
            bool ok = w <= 8 ? d_unpack_block8(p, w, mask, v, s, bv)
                             : d_unpack_block10(p, w, mask, v, s, bv);
            /* some value invalid (unused OCCURS entries: spaces next to
             * numbers): the invalid ones' outputs as the portable kernel
             * gives them, the others as computed */
            unsigned badm = ok ? 0 : d_bad_values(bv);
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(out + i + 4 * k), v[k]);
            d_store_bytes16(sign + i, s[0], s[1], s[2], s[3]);
            _mm_storeu_si128((__m128i *)(invalid + i), _mm_setzero_si128());
            for (; badm; badm &= badm - 1, bad++) {
                const unsigned j = (unsigned)__builtin_ctz(badm);
                out[i + j] = 0;
                sign[i + j] = 0;
                invalid[i + j] = 1;
            }
        }
    }
    return bad + cbz_k_packed_to_i64_portable(in + i * width, n - i, width, out + i, sign + i,
                                              invalid + i);
}

/* i64_to_packed, widths 1..8 (at most 15 digits): each |v| as an exact
 * double, cut into base-10^4 digit groups with exact double floors, the
 * groups as 16-bit lanes turned into BCD nibbles by d_bin4_to_bcd.
 *
 * Why the floors are exact: for an integer a < 2^50 and c = 10^-k rounded
 * up to a double (relative error e, 0 <= e < 2^-52), a * c is at least
 * a / 10^k, so rounding cannot take it below floor(a / 10^k); and it is
 * below floor(a / 10^k) + 1 by at least 10^-k * (1 - a * 2^-52) >= 0.75 *
 * 10^-k, more than half an ulp of it (< 0.25 * 10^-k), so rounding cannot
 * reach the next integer either. */
#define PK_C4 0x1.a36e2eb1c432dp-14  /* 10^-4 rounded up */
#define PK_C8 0x1.5798ee2308c3ap-27  /* 10^-8 rounded up */
#define PK_C12 0x1.19799812dea12p-40 /* 10^-12 rounded up */

/* |v| of four values as exact doubles; lanes whose |v| is not below lim
 * (lim <= 10^15) set all bits of *bad.  v + 1.5 * 2^52 read as a double is
 * exact for |v| < 2^51; for any other v the difference is not below lim
 * (or is not a number): a result below lim needs the sum's bits within
 * 2^51 of those of 1.5 * 2^52, i.e. |v| < 2^51. */
D_INLINE __m256d pk_abs_pd(v4 v, __m256d lim, __m256d *bad)
{
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    __m256d d = _mm256_castsi256_pd(_mm256_add_epi64(v, _mm256_castpd_si256(magic)));
    d = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(d, magic));
    *bad = _mm256_or_pd(*bad, _mm256_cmp_pd(d, lim, _CMP_NLT_UQ));
    return d;
}

/* a < 10^(4 * ng) (an exact integer double, ng = 2, 3 or 4) to its base-10^4
 * digit groups as the four 16-bit lanes of each element, group 0 lowest:
 * lo = g0 + 65536 * g1 = a + 55536 * (a / 10^4) - 655360000 * (a / 10^8),
 * hi = g2 + 65536 * g3 = a / 10^8 + 55536 * (a / 10^12); every product and
 * partial sum is an integer below 2^53, so exact. */
D_INLINE v4 pk_groups(__m256d a, int ng)
{
    const __m256d two52 = _mm256_set1_pd(0x1p52); /* + 2^52: the integer in the low bits */
    __m256d p1 = _mm256_floor_pd(_mm256_mul_pd(a, _mm256_set1_pd(PK_C4)));
    __m256d lo = _mm256_add_pd(a, _mm256_mul_pd(p1, _mm256_set1_pd(55536.0)));
    if (ng == 2)
        return _mm256_and_si256(_mm256_castpd_si256(_mm256_add_pd(lo, two52)), d_set64(0xFFFFFFFF));
    __m256d p2 = _mm256_floor_pd(_mm256_mul_pd(a, _mm256_set1_pd(PK_C8)));
    lo = _mm256_sub_pd(lo, _mm256_mul_pd(p2, _mm256_set1_pd(655360000.0)));
    __m256d hi = p2;
    if (ng == 4) {
        __m256d p3 = _mm256_floor_pd(_mm256_mul_pd(a, _mm256_set1_pd(PK_C12)));
        hi = _mm256_add_pd(hi, _mm256_mul_pd(p3, _mm256_set1_pd(55536.0)));
    }
    v4 l = _mm256_castpd_si256(_mm256_add_pd(lo, two52));
    v4 h = _mm256_slli_epi64(_mm256_castpd_si256(_mm256_add_pd(hi, two52)), 32);
    return _mm256_blend_epi32(l, h, 0xAA);
}

/* Blocks of 16 values of width w <= 8 with ng digit groups (2w - 1 <= 4 *
 * ng); returns the count done.  A block with some |v| >= 10^(2w-1) is
 * written again by the portable kernel (which drops the extra digits).
 * Each 16-byte store keeps 2w bytes; the last one of a block ends at byte
 * (i + 14) * w + 16, within the output. */
D_INLINE size_t pk_packed8(const int64_t *in, const uint8_t *sign, size_t n, size_t w, int ng,
                           uint8_t *out)
{
    static const double lims[9] = { 0, 1e1, 1e3, 1e5, 1e7, 1e9, 1e11, 1e13, 1e15 };
    const __m256d lim = _mm256_set1_pd(lims[w]);
    const v4 mask = vx_mask_le_to_be(w), c0f = d_set64(15);
    const size_t total = n * w;
    size_t i = 0;
    for (; i + D_BLOCK <= n && (i + 14) * w + 16 <= total; i += D_BLOCK) {
        __m256d bad = _mm256_setzero_pd();
#pragma GCC unroll 4
        for (size_t k = i; k < i + D_BLOCK; k += 4) {
            __m256d a = pk_abs_pd(_mm256_loadu_si256((const __m256i *)(in + k)), lim, &bad);
            v4 bcd = d_bin4_to_bcd(pk_groups(a, ng));
            v4 s = _mm256_and_si256(vx_load_u8_to_u64(sign + k), c0f);
            v4 pk = _mm256_shuffle_epi8(_mm256_or_si256(_mm256_slli_epi64(bcd, 4), s), mask);
            d_store2(out + k * w, out + (k + 2) * w, pk);
        }
        if (_mm256_movemask_pd(bad))
            cbz_k_i64_to_packed_portable(in + i, sign + i, D_BLOCK, w, out + i * w);
    }
    return i;
}

/* Widths 9 and 10 (17 or 19 digits, any int64): a = |v| (2^63 for
 * INT64_MIN) as a double d (one rounding, relative error <= 2^-53); q =
 * floor(d * 10^-8 - 0.5) is a / 10^8 or one less (the error of d * PK_C8 is
 * below 10^-4); r = a - q * 10^8 in 32-bit arithmetic is exact, since it is
 * in [0, 2 * 10^8); one correction makes q, r exact.  Then t = q (< 2^37, an
 * exact double) splits exactly as in pk_groups.  *x = r | (t % 10^8) << 32
 * (digits 0..15 for d_bin8_to_bcd), *top = t / 10^8 (< 923) in the low 16
 * bits (bits 32.. hold the exponent of 2^52: never stored), *d = d. */
D_INLINE void pk_split19(v4 v, v4 *x, v4 *top, __m256d *d)
{
    const v4 magic52 = d_set64(0x4330000000000000), magic84 = d_set64(0x4530000000000000);
    const __m256d two52 = _mm256_set1_pd(0x1p52), m15 = _mm256_set1_pd(0x1.8p52);
    v4 neg = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    v4 a = _mm256_sub_epi64(_mm256_xor_si256(v, neg), neg);
    v4 hi = _mm256_or_si256(_mm256_srli_epi64(a, 32), magic84); /* 2^84 + H * 2^32 */
    v4 lo = _mm256_blend_epi32(a, magic52, 0xAA);               /* 2^52 + L */
    *d = _mm256_add_pd(_mm256_sub_pd(_mm256_castsi256_pd(hi), _mm256_set1_pd(0x1.00000001p+84)),
                       _mm256_castsi256_pd(lo));
    __m256d qd = _mm256_floor_pd(
        _mm256_sub_pd(_mm256_mul_pd(*d, _mm256_set1_pd(PK_C8)), _mm256_set1_pd(0.5)));
    v4 qb = _mm256_castpd_si256(_mm256_add_pd(qd, m15)); /* low 32 bits: q mod 2^32 (q >= -1) */
    v4 r = _mm256_sub_epi32(a, _mm256_mullo_epi32(qb, _mm256_set1_epi32(100000000)));
    v4 m = _mm256_shuffle_epi32(_mm256_cmpgt_epi32(r, _mm256_set1_epi32(99999999)), 0xA0);
    r = _mm256_sub_epi32(r, _mm256_and_si256(m, d_set64(100000000)));
    __m256d t = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_sub_epi64(qb, m)), m15);
    __m256d t2 = _mm256_floor_pd(_mm256_mul_pd(t, _mm256_set1_pd(PK_C8)));
    __m256d t1 = _mm256_sub_pd(t, _mm256_mul_pd(t2, _mm256_set1_pd(1e8)));
    v4 h = _mm256_slli_epi64(_mm256_castpd_si256(_mm256_add_pd(t1, two52)), 32);
    *x = _mm256_blend_epi32(r, h, 0xAA);
    *top = _mm256_castpd_si256(_mm256_add_pd(t2, two52));
}

/* Blocks of 16 values of width 9 or 10, one value per 128-bit lane half:
 * element L = sign and digits 0..14, element H = digits 15..18; returns the
 * count done.  Width 9: a block with some |v| >= 10^17 is written again by
 * the portable kernel (d >= 10^17 exactly when a >= 10^17: 10^17 is a
 * double).  The last 16-byte store of a block ends at (i + 15) * w + 16. */
D_INLINE size_t pk_packed10(const int64_t *in, const uint8_t *sign, size_t n, size_t w,
                            uint8_t *out)
{
    uint8_t mb[16];
    for (size_t j = 0; j < 16; j++) mb[j] = j < w ? (uint8_t)(w - 1 - j) : 0x80;
    const v4 mask = vx_bcast128(mb), c0f = d_set64(15);
    const __m256d lim = _mm256_set1_pd(w == 9 ? 1e17 : 0x1p64);
    const size_t total = n * w;
    size_t i = 0;
    for (; i + D_BLOCK <= n && (i + 15) * w + 16 <= total; i += D_BLOCK) {
        __m256d bad = _mm256_setzero_pd();
#pragma GCC unroll 4
        for (size_t k = i; k < i + D_BLOCK; k += 4) {
            v4 x, top;
            __m256d d;
            pk_split19(_mm256_loadu_si256((const __m256i *)(in + k)), &x, &top, &d);
            bad = _mm256_or_pd(bad, _mm256_cmp_pd(d, lim, _CMP_NLT_UQ));
            v4 bcd = d_bin8_to_bcd(x);
            v4 s = _mm256_and_si256(vx_load_u8_to_u64(sign + k), c0f);
            v4 lo = _mm256_or_si256(_mm256_slli_epi64(bcd, 4), s);
            v4 hi = _mm256_or_si256(_mm256_srli_epi64(bcd, 60),
                                    _mm256_slli_epi64(d_bin4_to_bcd(top), 4));
            v4 u1 = _mm256_shuffle_epi8(_mm256_unpacklo_epi64(lo, hi), mask); /* values 0, 2 */
            v4 u2 = _mm256_shuffle_epi8(_mm256_unpackhi_epi64(lo, hi), mask); /* values 1, 3 */
            uint8_t *p = out + k * w;
            _mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(u1));
            _mm_storeu_si128((__m128i *)(p + w), _mm256_castsi256_si128(u2));
            _mm_storeu_si128((__m128i *)(p + 2 * w), _mm256_extracti128_si256(u1, 1));
            _mm_storeu_si128((__m128i *)(p + 3 * w), _mm256_extracti128_si256(u2, 1));
        }
        if (_mm256_movemask_pd(bad))
            cbz_k_i64_to_packed_portable(in + i, sign + i, D_BLOCK, w, out + i * w);
    }
    return i;
}

void cbz_k_i64_to_packed_avx2(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                              uint8_t *out)
{
    size_t i = 0;
    const size_t w = width;
    if (w >= 1 && w <= 8) {
        switch ((2 * w - 1 + 3) / 4) {
        case 1:
        case 2: i = pk_packed8(in, sign, n, w, 2, out); break;
        case 3: i = pk_packed8(in, sign, n, w, 3, out); break;
        default: i = pk_packed8(in, sign, n, w, 4, out); break;
        }
    } else if (w >= 9 && w <= CBZ_K_PACKED_MAX_WIDTH) {
        i = pk_packed10(in, sign, n, w, out);
    }
    cbz_k_i64_to_packed_portable(in + i, sign + i, n - i, width, out + i * width);
}

/* ------------------------------------------------------------ zoned */

/* Masks of one zoned layout (cbz_x86_zoned_layout), one value per 128-bit lane. */
struct d_zoned {
    size_t first, ndig, sign_pos;
    int overpunch, separate;
    uint8_t zone, plus, minus;
};

D_INLINE bool d_zoned_init(struct d_zoned *z, size_t width, int sign_mode, int ebcdic)
{
    z->zone = ebcdic ? 0xF0 : 0x30;
    z->plus = ebcdic ? 0x4E : 0x2B;
    z->minus = ebcdic ? 0x60 : 0x2D;
    return cbz_x86_zoned_layout(width, sign_mode, &z->first, &z->ndig, &z->sign_pos,
                                &z->overpunch, &z->separate);
}

size_t cbz_k_zoned_to_i64_avx2(const uint8_t *in, size_t n, size_t width, int sign_mode,
                               int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid)
{
    size_t i = 0, bad = 0;
    struct d_zoned z;
    if (d_zoned_init(&z, width, sign_mode, ebcdic)) {
        /* digit k of the value to lane byte 16 - ndig + k; the leading bytes
         * become the digit 0; an overpunch sign byte keeps its digit nibble.
         * (v & km | fm) ^ zone is then 0..9 in every byte of a valid value. */
        uint8_t sm[16], km[16], fm[16], si[16];
        for (size_t pos = 0; pos < 16; pos++) {
            sm[pos] = 0x80;
            km[pos] = 0xFF;
            fm[pos] = z.zone;
            si[pos] = 0x80;
        }
        for (size_t k = 0; k < z.ndig; k++) {
            size_t src = z.first + k, pos = 16 - z.ndig + k;
            sm[pos] = (uint8_t)src;
            fm[pos] = 0;
            if (z.overpunch && src == z.sign_pos) {
                km[pos] = 0x0F;
                fm[pos] = z.zone;
            }
        }
        si[0] = (uint8_t)(z.sign_pos < 16 ? z.sign_pos : 0x80); /* the sign byte to byte 0 */
        const v4 smask = vx_bcast128(sm), kmask = vx_bcast128(km), fmask = vx_bcast128(fm);
        const v4 sidx = vx_bcast128(si), vzone = _mm256_set1_epi8((char)z.zone);
        const v4 c9 = _mm256_set1_epi8(9), w10 = _mm256_set1_epi16(1 << 8 | 10);
        const v4 w100 = _mm256_set1_epi32(1 << 16 | 100), w10000 = _mm256_set1_epi32(1 << 16 | 10000);
        const v4 c1e8 = d_set64(100000000), zero = _mm256_setzero_si256();
        /* overpunch zones: 1 where invalid / negative, indexed by the zone
         * nibble in byte 0 (bytes 1..7 of the index are 0x80: looked up as 0) */
        uint8_t bt[16], nt[16];
        for (unsigned k = 0; k < 16; k++) {
            bt[k] = (uint8_t)(ebcdic ? k < 0xA : !(k == 0x3 || k == 0x7));
            nt[k] = (uint8_t)(ebcdic ? k == 0xB || k == 0xD : k == 0x7);
        }
        const v4 badtbl = vx_bcast128(bt), negtbl = vx_bcast128(nt);
        const v4 hi80 = d_set64(0x8080808080808000), c0f = d_set64(15), cff = d_set64(0xFF);
        const v4 vplus = _mm256_set1_epi8((char)z.plus), vminus = _mm256_set1_epi8((char)z.minus);
        const size_t w = width, total = n * w, reach = 15 * w + 16;
        for (; i + D_BLOCK <= n && i * w + reach <= total; i += D_BLOCK) {
            const uint8_t *p = in + i * w;
            /* the tests' bits, nonzero in the bytes of invalid values: per
             * digit byte (dx) and per sign (sx), kept for the rare block that
             * has one instead of a second pass over its bytes */
            v4 v[4], f[4], dx[4][2], sx[4], accd = zero, accs = zero;
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++, p += 4 * w) {
                v4 r2[2], sb2[2];
#pragma GCC unroll 2
                for (int h = 0; h < 2; h++) { /* h = 0: values 0, 2; h = 1: values 1, 3 */
                    v4 raw = d_load2(p + h * w, p + (2 + h) * w);
                    v4 x = _mm256_and_si256(_mm256_shuffle_epi8(raw, smask), kmask);
                    x = _mm256_xor_si256(_mm256_or_si256(x, fmask), vzone);
                    dx[k][h] = _mm256_subs_epu8(x, c9);
                    accd = _mm256_or_si256(accd, dx[k][h]);
                    v4 q = _mm256_madd_epi16(_mm256_maddubs_epi16(x, w10), w100);
                    q = _mm256_madd_epi16(_mm256_packus_epi32(q, q), w10000);
                    /* element 0 of each lane: digits 0..7 * 10^8 + digits 8..15 */
                    r2[h] = _mm256_add_epi64(_mm256_mul_epu32(q, c1e8), _mm256_srli_epi64(q, 32));
                    sb2[h] = _mm256_shuffle_epi8(raw, sidx);
                }
                v4 r = _mm256_unpacklo_epi64(r2[0], r2[1]);   /* values 0..3 */
                v4 sb = _mm256_unpacklo_epi64(sb2[0], sb2[1]); /* their sign bytes in byte 0 */
                v4 negm = zero;
                f[k] = zero;
                sx[k] = zero;
                if (z.overpunch) {
                    v4 key = _mm256_and_si256(_mm256_srli_epi16(sb, 4), c0f);
                    sx[k] = _mm256_shuffle_epi8(badtbl, _mm256_or_si256(key, hi80));
                    accs = _mm256_or_si256(accs, sx[k]);
                    negm = _mm256_sub_epi64(zero, _mm256_shuffle_epi8(negtbl, key));
                    f[k] = key;
                } else if (z.separate) {
                    v4 isminus = _mm256_cmpeq_epi8(sb, vminus);
                    v4 ok = _mm256_or_si256(_mm256_cmpeq_epi8(sb, vplus), isminus);
                    sx[k] = _mm256_andnot_si256(ok, cff);
                    accs = _mm256_or_si256(accs, sx[k]);
                    negm = _mm256_sub_epi64(zero, _mm256_and_si256(isminus, d_set64(1)));
                    f[k] = sb;
                }
                v[k] = d_apply_neg(r, negm);
            }
            v4 badv = _mm256_or_si256(accd, accs);
            unsigned badm = 0; /* bit j: value i + j is invalid */
            if (!_mm256_testz_si256(badv, badv)) {
                /* some value is invalid (unused OCCURS entries: spaces next
                 * to numbers): which ones, from the kept tests, and their
                 * outputs as the portable kernel gives them */
                for (int k = 0; k < 4; k++) {
                    for (int h = 0; h < 2; h++) {
                        unsigned ok = (unsigned)_mm256_movemask_epi8(
                            _mm256_cmpeq_epi8(dx[k][h], zero));
                        badm |= (unsigned)((ok & 0xFFFFu) != 0xFFFFu) << (4 * k + h);
                        badm |= (unsigned)((ok >> 16) != 0xFFFFu) << (4 * k + 2 + h);
                    }
                    unsigned sok = (unsigned)_mm256_movemask_pd(
                        _mm256_castsi256_pd(_mm256_cmpeq_epi64(sx[k], zero)));
                    badm |= (~sok & 15u) << (4 * k);
                }
            }
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)(out + i + 4 * k), v[k]);
            d_store_bytes16(form + i, f[0], f[1], f[2], f[3]);
            _mm_storeu_si128((__m128i *)(invalid + i), _mm_setzero_si128());
            for (; badm; badm &= badm - 1, bad++) {
                const unsigned j = (unsigned)__builtin_ctz(badm);
                out[i + j] = 0;
                form[i + j] = 0;
                invalid[i + j] = 1;
            }
        }
    }
    return bad + cbz_k_zoned_to_i64_portable(in + i * width, n - i, width, sign_mode, ebcdic,
                                             out + i, form + i, invalid + i);
}

void cbz_k_i64_to_zoned_avx2(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                             int sign_mode, int ebcdic, uint8_t *out)
{
    size_t i = 0;
    struct d_zoned z;
    if (d_zoned_init(&z, width, sign_mode, ebcdic)) {
        /* lane byte k = decimal digit k of the value, units first; value byte
         * pos (first <= pos < first+ndig) takes digit first+ndig-1-pos and the
         * zone, except an overpunch sign byte, whose zone is form << 4, and a
         * separate sign byte, which is form itself (picked from byte 0 or 8
         * of the form elements: the lane's first or second value) */
        uint8_t sm[16], zm[16], f0[16], f1[16];
        memset(sm, 0x80, sizeof sm);
        memset(zm, 0, sizeof zm);
        memset(f0, 0x80, sizeof f0);
        memset(f1, 0x80, sizeof f1);
        for (size_t pos = z.first; pos < z.first + z.ndig; pos++) {
            sm[pos] = (uint8_t)(z.first + z.ndig - 1 - pos);
            zm[pos] = z.zone;
        }
        const int has_sign = z.overpunch || z.separate;
        if (has_sign) {
            zm[z.sign_pos] = 0;
            if (z.separate) sm[z.sign_pos] = 0x80;
            f0[z.sign_pos] = 0;
            f1[z.sign_pos] = 8;
        }
        const v4 smask = vx_bcast128(sm), zmask = vx_bcast128(zm);
        const v4 fidx0 = vx_bcast128(f0), fidx1 = vx_bcast128(f1);
        const v4 c0f = _mm256_set1_epi8(15);
        const size_t w = width, total = n * w;
        /* values k..k+3 in address order; each store's tail is rewritten by the next */
#define D_EMIT_ZONED(bcd, k)                                                                  \
    do {                                                                                      \
        v4 lo_ = _mm256_and_si256((bcd), c0f);                                                \
        v4 hi_ = _mm256_and_si256(_mm256_srli_epi16((bcd), 4), c0f);                          \
        v4 d0_ = _mm256_unpacklo_epi8(lo_, hi_); /* lanes: values 0, 2 */                     \
        v4 d1_ = _mm256_unpackhi_epi8(lo_, hi_); /* values 1, 3 */                            \
        d0_ = _mm256_or_si256(_mm256_shuffle_epi8(d0_, smask), zmask);                        \
        d1_ = _mm256_or_si256(_mm256_shuffle_epi8(d1_, smask), zmask);                        \
        if (has_sign) {                                                                       \
            v4 f_ = vx_load_u8_to_u64(form + (k));                                            \
            if (z.overpunch) f_ = _mm256_slli_epi64(f_, 4); /* byte 0: form << 4 */           \
            d0_ = _mm256_or_si256(d0_, _mm256_shuffle_epi8(f_, fidx0));                       \
            d1_ = _mm256_or_si256(d1_, _mm256_shuffle_epi8(f_, fidx1));                       \
        }                                                                                     \
        uint8_t *p_ = out + (k) * w;                                                          \
        _mm_storeu_si128((__m128i *)p_, _mm256_castsi256_si128(d0_));                         \
        _mm_storeu_si128((__m128i *)(p_ + w), _mm256_castsi256_si128(d1_));                   \
        _mm_storeu_si128((__m128i *)(p_ + 2 * w), _mm256_extracti128_si256(d0_, 1));          \
        _mm_storeu_si128((__m128i *)(p_ + 3 * w), _mm256_extracti128_si256(d1_, 1));          \
    } while (0)
        for (; i + 8 <= n && (i + 7) * w + 16 <= total; i += 8) {
            v4 b0, b1, top;
            if (!d_abs8_to_bcd(in + i, &b0, &b1)) {
                b0 = d_abs_to_bcd(_mm256_loadu_si256((const __m256i *)(in + i)), &top);
                b1 = d_abs_to_bcd(_mm256_loadu_si256((const __m256i *)(in + i + 4)), &top);
            }
            D_EMIT_ZONED(b0, i);
            D_EMIT_ZONED(b1, i + 4);
        }
        for (; i + 4 <= n && (i + 3) * w + 16 <= total; i += 4) {
            v4 top;
            v4 bcd = d_abs_to_bcd(_mm256_loadu_si256((const __m256i *)(in + i)), &top);
            D_EMIT_ZONED(bcd, i);
        }
#undef D_EMIT_ZONED
    }
    cbz_k_i64_to_zoned_portable(in + i, form + i, n - i, width, sign_mode, ebcdic,
                                out + i * width);
}
