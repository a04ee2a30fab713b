/*
 * vx_body.h — one kernel body compiled for two instruction sets: included by
 * vx_avx2.c (vx_t = __m256i, two 128-bit lanes) and vx_sse41.c (vx_t =
 * __m128i, one lane), which first define the vx_* operations and VX_NAME.
 * Holds the decimal (packed, zoned), big-endian binary, transcode and
 * text-length kernels.  Every 128-bit lane works on its own values, so the
 * same code serves both widths; values the vector loop cannot reach without
 * reading or writing past the caller's buffers go to the portable kernel.
 * The AVX2 build defines VX_OWN_DECIMAL and replaces the four decimal kernels
 * with its own block-wise ones (vx_avx2.c); the helpers here serve both.
 */
#ifndef VX_NAME
#error "include vx_body.h from vx_avx2.c or vx_sse41.c"
#endif

#include <string.h>

#define VX_N64 (2 * VX_N128)

static inline uint64_t vx_abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static inline uint64_t vx_load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/* 16 BCD digits (a little-endian integer, nibble 0 = units) to binary.  Only
 * meaningful when every nibble is 0..9; never overflows its lanes otherwise. */
static inline uint64_t vx_swar_bcd_to_bin(uint64_t d)
{
    d = (d & 0x0F0F0F0F0F0F0F0FULL) + ((d >> 4) & 0x0F0F0F0F0F0F0F0FULL) * 10;
    d = (d & 0x00FF00FF00FF00FFULL) + ((d >> 8) & 0x00FF00FF00FF00FFULL) * 100;
    d = (d & 0x0000FFFF0000FFFFULL) + ((d >> 16) & 0x0000FFFF0000FFFFULL) * 10000;
    return (d & 0xFFFFFFFFULL) + (d >> 32) * 100000000ULL;
}

/* Nonzero unless every nibble of d is 0..9 except the lowest one (the sign
 * nibble of a packed value), which must be 0xA..0xF. */
static inline uint64_t vx_swar_bad_packed(uint64_t d)
{
    const uint64_t m0f = 0x0F0F0F0F0F0F0F0FULL, m06 = 0x0606060606060606ULL;
    const uint64_t m10 = 0x1010101010101010ULL;
    uint64_t lo = (((d & m0f) + m06) & m10) ^ 0x10; /* bit 4 of byte k: lo nibble > 9 */
    uint64_t hi = (((d >> 4) & m0f) + m06) & m10;
    return lo | hi;
}

/* Byte k of value v (k < w) goes to 64-bit element position w-1-k: the
 * big-endian value becomes a little-endian integer.  Two values per lane. */
static inline vx_t vx_mask_be_to_le(size_t w)
{
    uint8_t m[16];
    for (size_t k = 0; k < 2; k++)
        for (size_t pos = 0; pos < 8; pos++)
            m[8 * k + pos] = pos < w ? (uint8_t)(k * w + (w - 1 - pos)) : 0x80;
    return vx_bcast128(m);
}

/* The inverse: little-endian 64-bit elements to w big-endian bytes each,
 * packed at the start of the lane (bytes 2w..15 become 0). */
static inline vx_t vx_mask_le_to_be(size_t w)
{
    uint8_t m[16];
    memset(m, 0x80, sizeof m);
    for (size_t k = 0; k < 2; k++)
        for (size_t j = 0; j < w; j++) m[k * w + j] = (uint8_t)(8 * k + (w - 1 - j));
    return vx_bcast128(m);
}

/* Each 32-bit element (< 10^8) to four bytes 0..99, less significant first:
 * a 64-bit element lo | mid << 32 becomes 8 bytes = its 16 low digits in
 * base 100. */
static inline vx_t vx_u32_to_base100(vx_t x)
{
    const vx_t m10000 = vx_set1_epi64x(0xD1B71759); /* x / 10000 = x * m >> 45 */
    vx_t qe = vx_srli_epi64(vx_mul_epu32(x, m10000), 45);
    vx_t qo = vx_srli_epi64(vx_mul_epu32(vx_srli_epi64(x, 32), m10000), 45);
    vx_t q = vx_or(qe, vx_slli_epi64(qo, 32));
    vx_t r = vx_sub_epi32(x, vx_mullo_epi32(q, vx_set1_epi32(10000)));
    vx_t y = vx_or(r, vx_slli_epi32(q, 16)); /* 16-bit words < 10000 */
    vx_t h = vx_srli_epi16(vx_mulhi_epu16(y, vx_set1_epi16(5243)), 3); /* y / 100 */
    vx_t l = vx_sub_epi16(y, vx_mullo_epi16(h, vx_set1_epi16(100)));
    return vx_or(l, vx_slli_epi16(h, 8));
}

/* Bytes 0..99 to (tens, units). */
static inline void vx_split_tens(vx_t z, vx_t *tens, vx_t *units)
{
    const vx_t c103 = vx_set1_epi16(103); /* b / 10 = b * 103 >> 10 for b < 100 */
    vx_t tl = vx_srli_epi16(vx_mullo_epi16(vx_and(z, vx_set1_epi16(0xFF)), c103), 10);
    vx_t th = vx_srli_epi16(vx_mullo_epi16(vx_srli_epi16(z, 8), c103), 10);
    *tens = vx_or(tl, vx_slli_epi16(th, 8));
    /* tens * 10 fits each byte (<= 90), so a 16-bit multiply does not carry */
    *units = vx_sub_epi8(z, vx_mullo_epi16(*tens, vx_set1_epi16(10)));
}

/* lo | mid << 32 parts of the 16 low decimal digits of |v| */
static inline uint64_t vx_low16_parts(uint64_t a)
{
    uint64_t q1 = a / 100000000u;
    uint64_t lo = a - q1 * 100000000u;
    uint64_t mid = q1 % 100000000u;
    return lo | mid << 32;
}

/* The same parts for a whole vector when every |v| < 2^52 (then mid =
 * |v| / 10^8 < 2^26): the quotient through double precision, corrected by
 * one either way.  Returns false, computing nothing, when some |v| is larger
 * (INT64_MIN included); the caller then uses vx_low16_parts. */
static inline bool vx_parts_fast(vx_t v, vx_t *parts)
{
    const vx_t zero = vx_zero();
    vx_t neg = vx_sign64(v);
    vx_t a = vx_sub_epi64(vx_xor(v, neg), neg);
    if (!vx_testz(vx_srli_epi64(a, 52), vx_srli_epi64(a, 52))) return false;
    const vx_t magic = vx_set1_epi64x(0x4330000000000000LL); /* 2^52 as a double */
    const vx_pd two52 = vx_set1_pd(4503599627370496.0);
    vx_pd d = vx_sub_pd(vx_castsi_pd(vx_or(a, magic)), two52); /* exact: a < 2^52 */
    vx_pd q = vx_floor_pd(vx_mul_pd(d, vx_set1_pd(1e-8)));
    vx_t qi = vx_xor(vx_castpd_si(vx_add_pd(q, two52)), magic);
    const vx_t c1e8 = vx_set1_epi64x(100000000);
    /* |r| < 2^31: the low 32 bits of each element hold r and q exactly */
    vx_t r = vx_sub_epi64(a, vx_mul_epu32(qi, c1e8));
    vx_t m = vx_cmpgt_epi32(zero, r);
    r = vx_add_epi32(r, vx_and(m, c1e8));
    qi = vx_add_epi32(qi, m);
    m = vx_cmpgt_epi32(r, vx_set1_epi32(99999999));
    r = vx_sub_epi32(r, vx_and(m, c1e8));
    qi = vx_sub_epi32(qi, m);
    *parts = vx_or(vx_and(r, vx_set1_epi64x(0xFFFFFFFF)), vx_slli_epi64(qi, 32));
    return true;
}

static inline vx_t vx_parts(const int64_t *in)
{
    vx_t parts;
    if (vx_parts_fast(vx_loadu(in), &parts)) return parts;
    uint64_t part[VX_N64];
    for (size_t k = 0; k < VX_N64; k++) part[k] = vx_low16_parts(vx_abs_u64(in[k]));
    return vx_loadu(part);
}

/* ---------------------------------------------------------------- packed */

#ifndef VX_OWN_DECIMAL /* vx_avx2.c has its own decimal kernels */
size_t VX_NAME(cbz_k_packed_to_i64)(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                    uint8_t *sign, uint8_t *invalid)
{
    size_t bad = 0, i = 0;
    if (width >= 9 && width <= CBZ_K_PACKED_MAX_WIDTH) {
        /* scalar SWAR: the last 8 bytes hold 15 digits and the sign; the
         * first one or two bytes the digits 15..18 */
        for (; i < n; i++) {
            const uint8_t *p = in + i * width;
            uint64_t x = vx_load_be64(p + width - 8);
            unsigned s = (unsigned)(x & 15);
            uint64_t badn = vx_swar_bad_packed(x);
            unsigned b1 = p[width - 9], b2 = width == 10 ? p[0] : 0;
            unsigned ok = !badn & ((b1 & 15) < 10) & ((b1 >> 4) < 10) & ((b2 & 15) < 10) &
                          ((b2 >> 4) == 0);
            uint64_t v = vx_swar_bcd_to_bin(x >> 4) +
                         (uint64_t)(b1 & 15) * 1000000000000000ULL +
                         (uint64_t)(b1 >> 4) * 10000000000000000ULL +
                         (uint64_t)(b2 & 15) * 100000000000000000ULL;
            uint64_t neg = (uint64_t)0 - (uint64_t)((s == 0xB) | (s == 0xD));
            uint64_t okm = (uint64_t)0 - (uint64_t)ok;
            out[i] = (int64_t)(((v ^ neg) - neg) & okm);
            sign[i] = (uint8_t)(s & okm);
            invalid[i] = (uint8_t)!ok;
            bad += !ok;
        }
        return bad;
    }
    if (width >= 1 && width <= 8 && n >= VX_N64) {
        const size_t step = 2 * width, total = n * width;
        const size_t need = (VX_N128 - 1) * step + 16;
        const vx_t mask = vx_mask_be_to_le(width);
        const vx_t c0f64 = vx_set1_epi64x(15), c0f = vx_set1_epi8(15), c9 = vx_set1_epi8(9);
        const vx_t signpos = vx_set1_epi64x(0xFF), cf0 = vx_set1_epi8((char)0xF0);
        const vx_t w100 = vx_set1_epi16(100 << 8 | 1), w10000 = vx_set1_epi32(10000 << 16 | 1);
        const vx_t lo32 = vx_set1_epi64x(0xFFFFFFFF), c1e8 = vx_set1_epi64x(100000000);
        const vx_t cb = vx_set1_epi64x(0xB), cd = vx_set1_epi64x(0xD), zero = vx_zero();
        const vx_t c100 = vx_set1_epi64x(0x100);
        const uint8_t pk8[16] = { 0, 8, 1, 9, 0x80, 0x80, 0x80, 0x80,
                                  0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 };
        const vx_t pick = vx_bcast128(pk8);
        for (; i + VX_N64 <= n && i * width + need <= total; i += VX_N64) {
            vx_t x = vx_shuffle_epi8(vx_loadu_lanes(in + i * width, step), mask);
            vx_t s = vx_and(x, c0f64);
            vx_t lo = vx_and(x, c0f), hi = vx_and(vx_srli_epi16(x, 4), c0f);
            vx_t badv = vx_or(vx_xor(vx_cmpgt_epi8(lo, c9), signpos), vx_cmpgt_epi8(hi, c9));
            vx_t ok = vx_cmpeq_epi64(badv, zero);
            vx_t d = vx_srli_epi64(x, 4);
            vx_t t = vx_and(d, cf0);
            /* 16*hi + lo - 6*hi = 10*hi + lo: bytes 0..99 */
            vx_t b = vx_sub_epi8(vx_sub_epi8(d, vx_srli_epi16(t, 2)), vx_srli_epi16(t, 3));
            vx_t w32 = vx_madd_epi16(vx_maddubs_epi16(b, w100), w10000);
            vx_t v = vx_add_epi64(vx_and(w32, lo32), vx_mul_epu32(vx_srli_epi64(w32, 32), c1e8));
            vx_t neg = vx_or(vx_cmpeq_epi64(s, cb), vx_cmpeq_epi64(s, cd));
            v = vx_and(vx_sub_epi64(vx_xor(v, neg), neg), ok);
            vx_storeu(out + i, v);
            /* byte 0 of each element: its sign nibble (0 when invalid),
             * byte 1: 1 when invalid; gathered to 2 sign + 2 flag bytes per lane */
            vx_t si = vx_or(vx_and(s, ok), vx_andnot(ok, c100));
            si = vx_shuffle_epi8(si, pick);
            uint32_t e0 = vx_lane_u32(si, 0);
#if VX_N128 == 2
            uint32_t e1 = vx_lane_u32(si, 1);
            uint32_t sg = (e0 & 0xFFFF) | e1 << 16, inv = e0 >> 16 | (e1 & 0xFFFF0000u);
            memcpy(sign + i, &sg, 4);
            memcpy(invalid + i, &inv, 4);
#else
            uint16_t sg = (uint16_t)e0, inv = (uint16_t)(e0 >> 16);
            memcpy(sign + i, &sg, 2);
            memcpy(invalid + i, &inv, 2);
#endif
            bad += (size_t)__builtin_popcount(inv);
        }
    }
    return bad + cbz_k_packed_to_i64_portable(in + i * width, n - i, width, out + i, sign + i,
                                              invalid + i);
}

void VX_NAME(cbz_k_i64_to_packed)(const int64_t *in, const uint8_t *sign, size_t n,
                                  size_t width, uint8_t *out)
{
    size_t i = 0;
    if (width >= 1 && width <= CBZ_K_PACKED_MAX_WIDTH && n >= VX_N64) {
        const size_t step = 2 * width, total = n * width;
        const size_t need = width <= 8 ? (VX_N128 - 1) * step + 16 : 0;
        const vx_t mask = vx_mask_le_to_be(width <= 8 ? width : 8);
        for (; i + VX_N64 <= n && i * width + need <= total; i += VX_N64) {
            vx_t parts = vx_parts(in + i);
            vx_t z = vx_u32_to_base100(parts);
            vx_t tens, units;
            vx_split_tens(z, &tens, &units);
            vx_t bcd = vx_or(units, vx_slli_epi16(tens, 4)); /* 16 digits, units first */
            vx_t sg = vx_and(vx_load_u8_to_u64(sign + i), vx_set1_epi64x(15));
            vx_t pk = vx_or(vx_slli_epi64(bcd, 4), sg);
            if (width <= 8) {
                vx_storeu_lanes(out + i * width, step, vx_shuffle_epi8(pk, mask));
                continue;
            }
            uint64_t le[VX_N64], part[VX_N64];
            vx_storeu(le, pk);
            vx_storeu(part, parts);
            for (size_t k = 0; k < VX_N64; k++) {
                uint8_t *p = out + (i + k) * width;
                uint64_t be = __builtin_bswap64(le[k]);
                memcpy(p + width - 8, &be, 8);
                uint64_t a = vx_abs_u64(in[i + k]);
                unsigned d15 = (unsigned)((part[k] >> 32) / 10000000u);
                unsigned top = (unsigned)(a / 10000000000000000ULL); /* < 923 */
                if (width == 9) {
                    p[0] = (uint8_t)((top % 10) << 4 | d15);
                } else {
                    p[0] = (uint8_t)((top / 100) << 4 | (top / 10 % 10));
                    p[1] = (uint8_t)((top % 10) << 4 | d15);
                }
            }
        }
    }
    cbz_k_i64_to_packed_portable(in + i, sign + i, n - i, width, out + i * width);
}

#endif /* !VX_OWN_DECIMAL */

/* ---------------------------------------------------------------- zoned */


#ifndef VX_OWN_DECIMAL
size_t VX_NAME(cbz_k_zoned_to_i64)(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                   int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid)
{
    size_t first, ndig, sign_pos, i = 0, bad = 0;
    int overpunch, separate;
    if (cbz_x86_zoned_layout(width, sign_mode, &first, &ndig, &sign_pos, &overpunch, &separate)) {
        const uint8_t zone = ebcdic ? 0xF0 : 0x30;
        const uint8_t plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
        /* digit k of the value to lane byte 16 - ndig + k; the lane's leading
         * bytes become the digit 0; an overpunch sign byte keeps its digit */
        uint8_t sm[16], km[16], fm[16];
        for (size_t pos = 0; pos < 16; pos++) {
            sm[pos] = 0x80;
            km[pos] = 0xFF;
            fm[pos] = zone;
        }
        for (size_t k = 0; k < ndig; k++) {
            size_t src = first + k, pos = 16 - ndig + k;
            sm[pos] = (uint8_t)src;
            fm[pos] = 0;
            if (overpunch && src == sign_pos) {
                km[pos] = 0x0F;
                fm[pos] = zone;
            }
        }
        const vx_t smask = vx_bcast128(sm), kmask = vx_bcast128(km), fmask = vx_bcast128(fm);
        const vx_t vzone = vx_set1_epi8((char)zone), c9 = vx_set1_epi8(9);
        const vx_t w10 = vx_set1_epi16(1 << 8 | 10), w100 = vx_set1_epi32(1 << 16 | 100);
        const vx_t w10000 = vx_set1_epi32(1 << 16 | 10000), c1e8 = vx_set1_epi64x(100000000);
        const size_t total = n * width, need = (VX_N128 - 1) * width + 16;
        for (; i + VX_N128 <= n && i * width + need <= total; i += VX_N128) {
            const uint8_t *p = in + i * width;
            vx_t v = vx_shuffle_epi8(vx_loadu_lanes(p, width), smask);
            vx_t x = vx_xor(vx_or(vx_and(v, kmask), fmask), vzone);
            unsigned good = vx_movemask_epi8(vx_cmpeq_epi8(vx_min_epu8(x, c9), x));
            vx_t q = vx_madd_epi16(vx_maddubs_epi16(x, w10), w100);
            q = vx_madd_epi16(vx_packus_epi32(q, q), w10000);
            vx_t r = vx_add_epi64(vx_mul_epu32(q, c1e8), vx_srli_epi64(q, 32));
            uint64_t rv[VX_N64];
            vx_storeu(rv, r);
            for (size_t k = 0; k < VX_N128; k++, p += width) {
                unsigned ok = ((good >> (16 * k)) & 0xFFFF) == 0xFFFF;
                unsigned f = 0, neg = 0;
                if (overpunch) {
                    unsigned z = p[sign_pos] >> 4;
                    f = z;
                    if (ebcdic) {
                        ok &= z >= 0xA;
                        neg = (z == 0xB) | (z == 0xD);
                    } else {
                        ok &= (z == 0x3) | (z == 0x7);
                        neg = z == 0x7;
                    }
                } else if (separate) {
                    uint8_t s = p[sign_pos];
                    ok &= (s == plus) | (s == minus);
                    f = s;
                    neg = s == minus;
                }
                uint64_t val = rv[2 * k], negm = (uint64_t)0 - neg;
                uint64_t okm = (uint64_t)0 - (uint64_t)ok;
                out[i + k] = (int64_t)(((val ^ negm) - negm) & okm);
                form[i + k] = (uint8_t)(f & okm);
                invalid[i + k] = (uint8_t)!ok;
                bad += !ok;
            }
        }
    }
    return bad + cbz_k_zoned_to_i64_portable(in + i * width, n - i, width, sign_mode, ebcdic,
                                             out + i, form + i, invalid + i);
}

void VX_NAME(cbz_k_i64_to_zoned)(const int64_t *in, const uint8_t *form, size_t n,
                                 size_t width, int sign_mode, int ebcdic, uint8_t *out)
{
    size_t first, ndig, sign_pos, i = 0;
    int overpunch, separate;
    if (cbz_x86_zoned_layout(width, sign_mode, &first, &ndig, &sign_pos, &overpunch, &separate) &&
        n >= VX_N64) {
        const uint8_t zone = ebcdic ? 0xF0 : 0x30;
        /* lane byte k = decimal digit k of the value, units first; value byte
         * pos (first <= pos < first+ndig) takes digit first+ndig-1-pos */
        uint8_t sm[16], zm[16];
        memset(sm, 0x80, sizeof sm);
        memset(zm, 0, sizeof zm);
        for (size_t pos = first; pos < first + ndig; pos++) {
            sm[pos] = (uint8_t)(first + ndig - 1 - pos);
            zm[pos] = zone;
        }
        const vx_t smask = vx_bcast128(sm), zmask = vx_bcast128(zm);
        const size_t total = n * width, need = (VX_N64 - 1) * width + 16;
        for (; i + VX_N64 <= n && i * width + need <= total; i += VX_N64) {
            vx_t z = vx_u32_to_base100(vx_parts(in + i));
            vx_t tens, units;
            vx_split_tens(z, &tens, &units);
            /* per lane: value 0's 16 digits, then value 1's */
            vx_t d0 = vx_unpacklo_epi8(units, tens), d1 = vx_unpackhi_epi8(units, tens);
            d0 = vx_or(vx_shuffle_epi8(d0, smask), zmask);
            d1 = vx_or(vx_shuffle_epi8(d1, smask), zmask);
            uint8_t *p = out + i * width;
            /* values in order 0,1 (lane 0), 2,3 (lane 1): each store may spill
             * into the next value, which the next store rewrites */
            vx_store_lane(p, d0, 0);
            vx_store_lane(p + width, d1, 0);
#if VX_N128 == 2
            vx_store_lane(p + 2 * width, d0, 1);
            vx_store_lane(p + 3 * width, d1, 1);
#endif
            for (size_t k = 0; k < VX_N64; k++, p += width) {
                if (overpunch)
                    p[sign_pos] = (uint8_t)((unsigned)form[i + k] << 4 | (p[sign_pos] & 15u));
                else if (separate)
                    p[sign_pos] = form[i + k];
            }
        }
    }
    cbz_k_i64_to_zoned_portable(in + i, form + i, n - i, width, sign_mode, ebcdic,
                                out + i * width);
}

#endif /* !VX_OWN_DECIMAL */

/* ---------------------------------------------------------------- binary */

void VX_NAME(cbz_k_be_to_i64)(const uint8_t *in, size_t n, size_t width, int is_signed,
                              int64_t *out)
{
    size_t i = 0;
    if (width >= 1 && width <= 8) {
        const size_t step = 2 * width, total = n * width;
        const size_t need = (VX_N128 - 1) * step + 16;
        const vx_t mask = vx_mask_be_to_le(width);
        const uint64_t top = width < 8 && is_signed ? (uint64_t)1 << (8 * width - 1) : 0;
        const vx_t m = vx_set1_epi64x((long long)top);
        for (; i + VX_N64 <= n && i * width + need <= total; i += VX_N64) {
            vx_t x = vx_shuffle_epi8(vx_loadu_lanes(in + i * width, step), mask);
            vx_storeu(out + i, vx_sub_epi64(vx_xor(x, m), m)); /* sign-extends when m != 0 */
        }
    }
    cbz_k_be_to_i64_portable(in + i * width, n - i, width, is_signed, out + i);
}

void VX_NAME(cbz_k_i64_to_be)(const int64_t *in, size_t n, size_t width, uint8_t *out)
{
    size_t i = 0;
    if (width >= 1 && width <= 8) {
        const size_t step = 2 * width, total = n * width;
        const size_t need = (VX_N128 - 1) * step + 16;
        const vx_t mask = vx_mask_le_to_be(width);
        for (; i + VX_N64 <= n && i * width + need <= total; i += VX_N64)
            vx_storeu_lanes(out + i * width, step, vx_shuffle_epi8(vx_loadu(in + i), mask));
    }
    cbz_k_i64_to_be_portable(in + i, n - i, width, out + i * width);
}

/* ---------------------------------------------------------------- bytes */

void VX_NAME(cbz_k_transcode)(const uint8_t table[256], const uint8_t *in, size_t n,
                              uint8_t *out)
{
    /* 16 sub-tables of 16 entries, looked up by the low nibble, then chosen
     * by the high nibble's bits 4..7 through a tree of byte blends */
    vx_t sub[16];
    for (int h = 0; h < 16; h++) sub[h] = vx_bcast128(table + 16 * h);
    const vx_t c0f = vx_set1_epi8(15);
    size_t i = 0;
    for (; i + sizeof(vx_t) <= n; i += sizeof(vx_t)) {
        vx_t b = vx_loadu(in + i);
        vx_t idx = vx_and(b, c0f);
        /* bit 4 (5, 6) of each byte moved to its bit 7, which blendv reads */
        vx_t s4 = vx_slli_epi16(b, 3), s5 = vx_slli_epi16(b, 2), s6 = vx_slli_epi16(b, 1);
#define VX_LK(h) vx_shuffle_epi8(sub[h], idx)
#define VX_B4(h) vx_blendv_epi8(VX_LK(h), VX_LK(h + 1), s4)
        vx_t c0 = vx_blendv_epi8(VX_B4(0), VX_B4(2), s5);
        vx_t c1 = vx_blendv_epi8(VX_B4(4), VX_B4(6), s5);
        vx_t c2 = vx_blendv_epi8(VX_B4(8), VX_B4(10), s5);
        vx_t c3 = vx_blendv_epi8(VX_B4(12), VX_B4(14), s5);
#undef VX_B4
#undef VX_LK
        vx_t d0 = vx_blendv_epi8(c0, c1, s6), d1 = vx_blendv_epi8(c2, c3, s6);
        vx_storeu(out + i, vx_blendv_epi8(d0, d1, b));
    }
    cbz_k_transcode_portable(table, in + i, n - i, out + i);
}

size_t VX_NAME(cbz_k_text_lengths)(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                   uint32_t *len)
{
    enum { VB = sizeof(vx_t) };
    size_t i = 0, total = 0;
    if (width >= 1) {
        const vx_t vpad = vx_set1_epi8((char)pad);
        const size_t bytes = n * width;
        /* values of at most 16 bytes: one or two 8-byte words each, XOR the
         * pad; the last byte not pad is the highest non-zero byte */
        const uint64_t p8 = 0x0101010101010101ull * pad;
        if (width == 1) { /* vectorized by the compiler */
            for (; i < n; i++) {
                const uint32_t l = in[i] != pad;
                len[i] = l;
                total += l;
            }
        } else if (width <= 8) {
            const uint64_t keep = width == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * width)) - 1;
            /* the values whose word ends inside the buffer */
            const size_t safe = bytes >= 8 ? (bytes - 8) / width + 1 : 0;
            const uint8_t *p = in;
            for (const size_t end = safe < n ? safe : n; i < end; i++, p += width) {
                uint64_t x;
                memcpy(&x, p, 8);
                const uint64_t y = (x ^ p8) & keep;
                /* bytes up to the highest non-zero one; y | 1 keeps clz defined */
                const size_t l = ((size_t)(71 - __builtin_clzll(y | 1)) >> 3) - (y == 0);
                len[i] = (uint32_t)l;
                total += l;
            }
        } else if (width <= 16) { /* both words inside the value */
            const uint64_t keep =
                width == 16 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * (width - 8))) - 1;
            for (; i < n; i++) {
                const uint8_t *p = in + i * width;
                uint64_t x, z;
                memcpy(&x, p, 8);
                memcpy(&z, p + width - 8, 8);
                const uint64_t yz = z ^ p8, y = (x ^ p8) & keep;
                const size_t l = yz   ? width - 8 + ((size_t)(71 - __builtin_clzll(yz)) >> 3)
                                 : y ? (size_t)(71 - __builtin_clzll(y)) >> 3
                                     : 0;
                len[i] = (uint32_t)l;
                total += l;
            }
        } else if (width <= VB) { /* one vector from the value's start */
            const unsigned keep = width >= 32 ? ~0u : (1u << width) - 1;
            const size_t safe = bytes >= VB ? (bytes - VB) / width + 1 : 0;
            const uint8_t *p = in + i * width;
            for (const size_t end = safe < n ? safe : n; i < end; i++, p += width) {
                const unsigned m =
                    ~(unsigned)vx_movemask_epi8(vx_cmpeq_epi8(vx_loadu(p), vpad)) & keep;
                const size_t l = (32 - (size_t)__builtin_clz(m | 1)) - (m == 0);
                len[i] = (uint32_t)l;
                total += l;
            }
        }
        for (; i < n; i++) {
            const uint8_t *p = in + i * width;
            size_t l = width;
            /* whole vectors from the end of the value while they are all pad */
            while (l >= VB) {
                unsigned m = ~vx_movemask_epi8(vx_cmpeq_epi8(vx_loadu(p + l - VB), vpad));
                if (VB < 32) m &= (1u << (VB & 31)) - 1;
                if (m) {
                    l = l - VB + (32 - (size_t)__builtin_clz(m));
                    goto done;
                }
                l -= VB;
            }
            if (l > 0) {
                if (i * width + VB > bytes) break; /* the rest reads past the end */
                unsigned m = ~vx_movemask_epi8(vx_cmpeq_epi8(vx_loadu(p), vpad));
                m &= (1u << l) - 1; /* l < VB <= 32 */
                l = m ? 32 - (size_t)__builtin_clz(m) : 0;
            }
        done:
            len[i] = (uint32_t)l;
            total += l;
        }
    }
    return total + cbz_k_text_lengths_portable(in + i * width, n - i, width, pad, len + i);
}
