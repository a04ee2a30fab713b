/*
 * vx_avx2.c — the AVX2 (VEX, 256-bit) build of vx_body.h: decimal, binary,
 * transcode and text-length kernels, two 128-bit lanes per vector.  Compiled
 * with -mavx2 -mbmi2 -mpopcnt; reached only through the dispatch table after
 * the CPU check (fill_x86.c).
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

#include "x86/vx_body.h"
