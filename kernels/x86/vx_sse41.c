/*
 * vx_sse41.c — the SSE4.1 (128-bit) build of vx_body.h: decimal, binary,
 * transcode and text-length kernels, one 128-bit lane per vector.  Compiled
 * with -msse4.1; reached only through the dispatch table after
 * the CPU check (fill_x86.c).
 */
#include "x86/kernels_x86.h"

#include <smmintrin.h>
#include <string.h>

typedef __m128i vx_t;
#define VX_N128 1
#define VX_NAME(f) f##_sse41

static inline vx_t vx_bcast128(const uint8_t *m) { return _mm_loadu_si128((const __m128i *)m); }
static inline vx_t vx_loadu(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void vx_storeu(void *p, vx_t v) { _mm_storeu_si128((__m128i *)p, v); }
static inline vx_t vx_loadu_lanes(const uint8_t *p, size_t step)
{
    (void)step;
    return _mm_loadu_si128((const __m128i *)p);
}
static inline void vx_storeu_lanes(uint8_t *p, size_t step, vx_t v)
{
    (void)step;
    _mm_storeu_si128((__m128i *)p, v);
}
#define vx_store_lane(p, v, k) _mm_storeu_si128((__m128i *)(p), (v))
#define vx_zero() _mm_setzero_si128()
#define vx_set1_epi8(x) _mm_set1_epi8(x)
#define vx_set1_epi16(x) _mm_set1_epi16(x)
#define vx_set1_epi32(x) _mm_set1_epi32(x)
#define vx_set1_epi64x(x) _mm_set1_epi64x(x)
#define vx_and(a, b) _mm_and_si128(a, b)
#define vx_or(a, b) _mm_or_si128(a, b)
#define vx_xor(a, b) _mm_xor_si128(a, b)
#define vx_add_epi64(a, b) _mm_add_epi64(a, b)
#define vx_sub_epi8(a, b) _mm_sub_epi8(a, b)
#define vx_sub_epi16(a, b) _mm_sub_epi16(a, b)
#define vx_sub_epi32(a, b) _mm_sub_epi32(a, b)
#define vx_sub_epi64(a, b) _mm_sub_epi64(a, b)
#define vx_srli_epi16(a, k) _mm_srli_epi16(a, k)
#define vx_srli_epi64(a, k) _mm_srli_epi64(a, k)
#define vx_slli_epi16(a, k) _mm_slli_epi16(a, k)
#define vx_slli_epi32(a, k) _mm_slli_epi32(a, k)
#define vx_slli_epi64(a, k) _mm_slli_epi64(a, k)
#define vx_cmpgt_epi8(a, b) _mm_cmpgt_epi8(a, b)
#define vx_cmpeq_epi8(a, b) _mm_cmpeq_epi8(a, b)
#define vx_cmpeq_epi64(a, b) _mm_cmpeq_epi64(a, b)
#define vx_shuffle_epi8(a, b) _mm_shuffle_epi8(a, b)
#define vx_maddubs_epi16(a, b) _mm_maddubs_epi16(a, b)
#define vx_madd_epi16(a, b) _mm_madd_epi16(a, b)
#define vx_mul_epu32(a, b) _mm_mul_epu32(a, b)
#define vx_mullo_epi32(a, b) _mm_mullo_epi32(a, b)
#define vx_mullo_epi16(a, b) _mm_mullo_epi16(a, b)
#define vx_mulhi_epu16(a, b) _mm_mulhi_epu16(a, b)
#define vx_min_epu8(a, b) _mm_min_epu8(a, b)
#define vx_packus_epi32(a, b) _mm_packus_epi32(a, b)
#define vx_unpacklo_epi8(a, b) _mm_unpacklo_epi8(a, b)
#define vx_unpackhi_epi8(a, b) _mm_unpackhi_epi8(a, b)
#define vx_blendv_epi8(a, b, m) _mm_blendv_epi8(a, b, m)
#define vx_movemask_epi8(a) ((unsigned)_mm_movemask_epi8(a))

#define vx_andnot(a, b) _mm_andnot_si128(a, b)
#define vx_add_epi32(a, b) _mm_add_epi32(a, b)
#define vx_cmpgt_epi32(a, b) _mm_cmpgt_epi32(a, b)
/* all-ones in the elements that are negative (no pcmpgtq before SSE4.2) */
#define vx_sign64(v) _mm_shuffle_epi32(_mm_srai_epi32((v), 31), 0xF5)
#define vx_testz(a, b) _mm_testz_si128(a, b)
#define vx_lane_u32(v, k) ((uint32_t)_mm_cvtsi128_si32(v))
typedef __m128d vx_pd;
#define vx_set1_pd(x) _mm_set1_pd(x)
#define vx_add_pd(a, b) _mm_add_pd(a, b)
#define vx_sub_pd(a, b) _mm_sub_pd(a, b)
#define vx_mul_pd(a, b) _mm_mul_pd(a, b)
#define vx_floor_pd(a) _mm_floor_pd(a)
#define vx_castsi_pd(a) _mm_castsi128_pd(a)
#define vx_castpd_si(a) _mm_castpd_si128(a)
/* 2 bytes to 2 64-bit elements */
static inline vx_t vx_load_u8_to_u64(const uint8_t *p)
{
    uint16_t x;
    memcpy(&x, p, 2);
    return _mm_cvtepu8_epi64(_mm_cvtsi32_si128(x));
}

#include "x86/vx_body.h"
