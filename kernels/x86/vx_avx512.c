/*
 * vx_avx512.c — the AVX-512 kernels (F, BW, VL, DQ, VBMI, IFMA), over the
 * avx2 table: the decimal encoders (i64_to_zoned, i64_to_packed) and
 * decoders (zoned_to_i64, packed_to_i64), the decoder's merges of
 * exceptions and valid values (merge_rows, expand_u64, select_u64), the
 * encoder's select_rows (VBMI2 too), blank_rows, digit_rows, and the byte and
 * decimal planes of 64-bit values (planes_u64, dec_planes_u64).
 *
 * The encoders take eight int64 per vector: |v| < 10^16 is cut into
 * base-10^8 parts (one IFMA multiply-high, corrected by one), each part
 * into its eight digit bytes by three multiply-shift steps, and the digits
 * go to their places in the eight values' bytes by one byte permutation
 * across two vectors (VBMI) per 64 output bytes, stored with byte masks
 * that never touch a byte past the output.  Blocks holding some |v| >=
 * 10^16 and the last values (fewer than eight) go to the portable kernel;
 * layouts of more than 64 bytes per vector of digits (zoned widths over 16,
 * packed widths over 8) to the AVX2 kernel.  The merges move whole rows
 * with expand and compress under the flags' masks, reading their sources
 * with byte masks (exactly the bytes the contract names).  Compiled with
 * -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vbmi -mavx512ifma
 * -mavx2 -mbmi2 -mpopcnt; reached only through the dispatch table after the
 * CPU check (fill_x86.c).
 */
#include "x86/kernels_x86.h"

#include <immintrin.h>

typedef __m512i v8;

#define E_INLINE static inline __attribute__((always_inline))

/* x < 10^8 in each 64-bit element: its eight decimal digits as bytes, byte
 * k = digit k (units first).  Each step cuts every field into two halves of
 * half the size, quotient above, remainder below, with a division by
 * multiply-shift that is exact in the field's range: x / 10^4 = x *
 * 109951163 >> 40 (x < 10^8), then in 32-bit fields y / 100 = y * 5243 >>
 * 19 (y < 10^4), then in 16-bit fields z / 10 = z * 103 >> 10 (z < 100);
 * the halves are x + q * (2^32 - 10^4), and so on. */
E_INLINE v8 e_digits8(v8 x)
{
    v8 q = _mm512_srli_epi64(_mm512_mul_epu32(x, _mm512_set1_epi64(109951163)), 40);
    v8 y = _mm512_add_epi64(x, _mm512_mul_epu32(q, _mm512_set1_epi64(4294967296LL - 10000)));
    v8 s = _mm512_srli_epi32(_mm512_mullo_epi32(y, _mm512_set1_epi32(5243)), 19);
    v8 z = _mm512_add_epi32(y, _mm512_mullo_epi32(s, _mm512_set1_epi32(65536 - 100)));
    v8 t = _mm512_srli_epi16(_mm512_mullo_epi16(z, _mm512_set1_epi16(103)), 10);
    return _mm512_add_epi16(z, _mm512_mullo_epi16(t, _mm512_set1_epi16(256 - 10)));
}

/* The digits of eight |v| (a, each < 10^16): *lo = digits 0..7, *hi =
 * digits 8..15 (e_digits8 form).  a / 10^8 = (a >> 8) / 390625 with a >> 8
 * < 2^46: times 2^52 / 390625 rounded up (IFMA, the high 52 bits) it is the
 * quotient or one more (the rounding adds less than 2^46 * 2^-52); the
 * remainder, negative when one more, corrects it. */
E_INLINE void e_digits16(v8 a, v8 *lo, v8 *hi)
{
    const v8 e8 = _mm512_set1_epi64(100000000);
    if (!_mm512_cmpge_epu64_mask(a, e8)) { /* all below 10^8: the usual values */
        *lo = e_digits8(a);
        *hi = _mm512_setzero_si512();
        return;
    }
    v8 q = _mm512_madd52hi_epu64(_mm512_setzero_si512(), _mm512_srli_epi64(a, 8),
                                 _mm512_set1_epi64(11529215047LL));
    v8 r = _mm512_sub_epi64(a, _mm512_mul_epu32(q, e8)); /* q < 2^27 */
    const __mmask8 high = _mm512_cmplt_epi64_mask(r, _mm512_setzero_si512());
    q = _mm512_mask_sub_epi64(q, high, q, _mm512_set1_epi64(1));
    r = _mm512_mask_add_epi64(r, high, r, e8);
    *lo = e_digits8(r);
    *hi = e_digits8(q);
}

/* |v| of the eight values at in, or false when one is >= 10^16 (INT64_MIN
 * included: 2^63). */
E_INLINE bool e_abs16(const int64_t *in, v8 *a)
{
    *a = _mm512_abs_epi64(_mm512_loadu_si512(in));
    return !_mm512_cmpge_epu64_mask(*a, _mm512_set1_epi64(10000000000000000LL));
}

/* ------------------------------------------------------------ zoned */


/* One zoned layout of width <= 16 (ndig <= 16) for eight values, 8 * width
 * bytes in one or two 64-byte chunks: per chunk, the digit each byte takes
 * (index into lo:hi), the zone bytes, the form byte each sign byte takes
 * and the byte masks of digits, signs and the chunk's bytes. */
struct e_zoned {
    v8 idx[2], zone[2], sidx[2];
    __mmask64 kdig[2], ksign[2], kstore[2];
    int nchunk, overpunch, separate;
};

static void e_zoned_init(struct e_zoned *z, size_t w, size_t first, size_t ndig, size_t sign_pos,
                         int overpunch, int separate, uint8_t zone)
{
    z->nchunk = (int)((8 * w + 63) / 64);
    z->overpunch = overpunch;
    z->separate = separate;
    for (int c = 0; c < z->nchunk; c++) {
        uint8_t idx[64], zn[64], si[64];
        uint64_t kd = 0, ks = 0, kst = 0;
        for (size_t b = 0; b < 64; b++) {
            const size_t o = 64 * (size_t)c + b, j = o / w, pos = o % w;
            idx[b] = zn[b] = si[b] = 0;
            if (o >= 8 * w) continue;
            kst |= 1ull << b;
            if (pos >= first && pos < first + ndig) {
                const size_t k = first + ndig - 1 - pos; /* digit k, units 0 */
                idx[b] = (uint8_t)(k < 8 ? 8 * j + k : 64 + 8 * j + (k - 8));
                kd |= 1ull << b;
                zn[b] = zone;
            }
            if ((overpunch || separate) && pos == sign_pos) {
                si[b] = (uint8_t)j;
                ks |= 1ull << b;
                zn[b] = 0; /* overpunch: form << 4 instead of the zone */
            }
        }
        z->idx[c] = _mm512_loadu_si512(idx);
        z->zone[c] = _mm512_loadu_si512(zn);
        z->sidx[c] = _mm512_loadu_si512(si);
        z->kdig[c] = kd;
        z->ksign[c] = ks;
        z->kstore[c] = kst;
    }
}

void cbz_k_i64_to_zoned_avx512(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                               int sign_mode, int ebcdic, uint8_t *out)
{
    size_t first, ndig, sign_pos;
    int overpunch, separate;
    if (!cbz_x86_zoned_layout(width, sign_mode, &first, &ndig, &sign_pos, &overpunch, &separate)) {
        cbz_k_i64_to_zoned_avx2(in, form, n, width, sign_mode, ebcdic, out);
        return;
    }
    struct e_zoned z;
    e_zoned_init(&z, width, first, ndig, sign_pos, overpunch, separate, ebcdic ? 0xF0 : 0x30);
    const size_t w = width;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 a, lo, hi;
        if (!e_abs16(in + i, &a)) {
            cbz_k_i64_to_zoned_portable(in + i, form + i, 8, w, sign_mode, ebcdic, out + i * w);
            continue;
        }
        e_digits16(a, &lo, &hi);
        v8 f = _mm512_setzero_si512();
        if (z.overpunch || z.separate) {
            __m128i fb = _mm_loadl_epi64((const __m128i *)(form + i));
            if (z.overpunch) fb = _mm_and_si128(_mm_slli_epi16(fb, 4), _mm_set1_epi8((char)0xF0));
            f = _mm512_castsi128_si512(fb);
        }
        for (int c = 0; c < z.nchunk; c++) {
            v8 o = _mm512_or_si512(_mm512_maskz_permutex2var_epi8(z.kdig[c], lo, z.idx[c], hi),
                                   z.zone[c]);
            if (z.overpunch || z.separate)
                o = _mm512_or_si512(o, _mm512_maskz_permutexvar_epi8(z.ksign[c], z.sidx[c], f));
            _mm512_mask_storeu_epi8(out + i * w + 64 * (size_t)c, z.kstore[c], o);
        }
    }
    cbz_k_i64_to_zoned_portable(in + i, form + i, n - i, w, sign_mode, ebcdic, out + i * w);
}

/* ------------------------------------------------------------ packed */

/* Widths 1..8 (2w - 1 <= 15 digits): the sign nibble goes in front of the
 * digits as byte 0 (lo: sign, digits 0..6; hi: digits 7..14), every two
 * bytes become one packed byte (maddubs: low + 16 * high, a BCD pair), and
 * packed byte i from the end of a value is pair i: one permutation places
 * them. */
void cbz_k_i64_to_packed_avx512(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                uint8_t *out)
{
    const size_t w = width;
    if (w < 1 || w > 8) {
        cbz_k_i64_to_packed_avx2(in, sign, n, width, out);
        return;
    }
    uint8_t ix[64];
    for (size_t b = 0; b < 64; b++) {
        const size_t j = b / w, pair = w - 1 - b % w;
        ix[b] = b < 8 * w ? (uint8_t)(pair < 4 ? 8 * j + 2 * pair : 64 + 8 * j + 2 * (pair - 4))
                          : 0;
    }
    const v8 idx = _mm512_loadu_si512(ix), pairs = _mm512_set1_epi16(16 << 8 | 1);
    const __mmask64 kstore = w == 8 ? ~0ull : (1ull << (8 * w)) - 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 a, lo, hi;
        if (!e_abs16(in + i, &a)) {
            cbz_k_i64_to_packed_portable(in + i, sign + i, 8, w, out + i * w);
            continue;
        }
        e_digits16(a, &lo, &hi);
        v8 s = _mm512_and_si512(_mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(sign + i))),
                                _mm512_set1_epi64(15));
        v8 el = _mm512_or_si512(_mm512_slli_epi64(lo, 8), s);
        v8 eh = _mm512_or_si512(_mm512_slli_epi64(hi, 8), _mm512_srli_epi64(lo, 56));
        v8 pl = _mm512_maddubs_epi16(el, pairs), ph = _mm512_maddubs_epi16(eh, pairs);
        _mm512_mask_storeu_epi8(out + i * w, kstore, _mm512_permutex2var_epi8(pl, idx, ph));
    }
    cbz_k_i64_to_packed_portable(in + i, sign + i, n - i, w, out + i * w);
}

/* ------------------------------------------------------------ merges */

/* Flags i..i+7 (each 0 or 1) as a mask, bit k for flag i + k. */
E_INLINE __mmask8 e_flags8(const uint8_t *flag)
{
    return (__mmask8)_mm_test_epi8_mask(_mm_loadl_epi64((const __m128i *)flag),
                                        _mm_set1_epi8(1));
}

/* Rows of width 1..8, eight a step: the rows each source gives (as many as
 * the step has flags of its kind, read with a byte mask: nothing past
 * them) are spread to one row per 64-bit element (VBMI), expanded to their
 * rows' elements (y's under the 0 flags, x's over the 1 flags), and the
 * elements' low `width` bytes packed back; rows 9..16 bytes wide the same,
 * four a step, one row per 128-bit lane (its mask bit doubled). */
void cbz_k_merge_rows_avx512(const uint8_t *flag, size_t n, size_t width, const uint8_t *x,
                             const uint8_t *y, uint8_t *out)
{
    const size_t w = width;
    size_t i = 0;
    if (w >= 1 && w <= 16) {
        const size_t lane = w <= 8 ? 8 : 16, rows = 64 / lane; /* rows a step */
        uint8_t sp[64], pk[64];
        for (size_t b = 0; b < 64; b++) {
            const size_t r = b / lane, k = b % lane;
            sp[b] = k < w ? (uint8_t)(r * w + k) : 0;
            pk[b] = b < rows * w ? (uint8_t)(b / w * lane + b % w) : 0;
        }
        const v8 spread = _mm512_loadu_si512(sp), pack = _mm512_loadu_si512(pk);
        const __mmask64 kout = rows * w == 64 ? ~0ull : (1ull << (rows * w)) - 1;
        for (; i + 8 <= n; i += 8) {
            const unsigned f8 = e_flags8(flag + i);
            for (size_t h = 0; h < 8; h += rows) {
                const unsigned f = rows == 8 ? f8 : (f8 >> h) & 15u;
                const unsigned cx = (unsigned)__builtin_popcount(f), cy = (unsigned)rows - cx;
                /* element masks: one bit a row, or two (a 128-bit lane) */
                const __mmask8 ex = (__mmask8)(rows == 8 ? f : _pdep_u32(f, 0x55) * 3u);
                v8 vx = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, cx * w), x);
                v8 vy = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, cy * w), y);
                if (w != lane) {
                    vx = _mm512_permutexvar_epi8(spread, vx);
                    vy = _mm512_permutexvar_epi8(spread, vy);
                }
                v8 o = _mm512_maskz_expand_epi64((__mmask8)~ex, vy);
                o = _mm512_mask_expand_epi64(o, ex, vx);
                if (w != lane) o = _mm512_permutexvar_epi8(pack, o);
                _mm512_mask_storeu_epi8(out + (i + h) * w, kout, o);
                x += cx * w;
                y += cy * w;
            }
        }
    }
    cbz_k_merge_rows_portable(flag + i, n - i, w, x, y, out + i * w);
}

/* Backward, eight a step (in == out allowed: the step's values are read
 * before its positions are written, and no later step reads there): the
 * step's values (as many as it has 0 flags, read with a mask) expanded to
 * the 0 flags' elements, 0 elsewhere.  As the portable kernel, 0 flags
 * past the m values (m too small) get 0. */
void cbz_k_expand_u64_avx512(const uint64_t *in, const uint8_t *flag, size_t n, size_t m,
                             uint64_t *out)
{
    size_t i = n, j = m;
    for (; i % 8; i--) { /* the last values first */
        const size_t take = (1 - flag[i - 1]) & (j > 0);
        out[i - 1] = take ? in[j - 1] : 0;
        j -= take;
    }
    for (; i >= 8; i -= 8) {
        const __mmask8 set = e_flags8(flag + i - 8);
        const unsigned c = 8u - (unsigned)__builtin_popcount(set);
        const unsigned take = c < j ? c : (unsigned)j;
        v8 v = _mm512_maskz_loadu_epi64((__mmask8)((1u << take) - 1), in + j - take);
        if (take < c) /* the step's first 0 flags get 0 */
            v = _mm512_maskz_expand_epi64((__mmask8)(((1u << take) - 1) << (c - take)), v);
        _mm512_storeu_si512(out + i - 8, _mm512_maskz_expand_epi64((__mmask8)~set, v));
        j -= take;
    }
}

size_t cbz_k_select_u64_avx512(const uint64_t *in, const uint8_t *flag, size_t n, uint64_t *out)
{
    size_t i = 0, j = 0;
    for (; i + 8 <= n; i += 8) {
        const __mmask8 keep = (__mmask8)~e_flags8(flag + i);
        const unsigned c = (unsigned)__builtin_popcount(keep);
        const v8 v = _mm512_maskz_compress_epi64(keep, _mm512_loadu_si512(in + i));
        _mm512_mask_storeu_epi64(out + j, (__mmask8)((1u << c) - 1), v);
        j += c;
    }
    return j + cbz_k_select_u64_portable(in + i, flag + i, n - i, out + j);
}

/* merge_rows with VBMI2 (fill_x86.c checks it): rows of 1 or 2 bytes, 64
 * or 32 a step, each source's rows (as many as the step has flags of its
 * kind, read with a byte mask) expanded straight to their rows' bytes or
 * words (into a register), where cbz_k_merge_rows_avx512 takes 8 rows a
 * step; the last rows and other widths go to it. */
__attribute__((target("avx512vbmi2"))) void
cbz_k_merge_rows_avx512_vbmi2(const uint8_t *flag, size_t n, size_t width, const uint8_t *x,
                              const uint8_t *y, uint8_t *out)
{
    size_t i = 0;
    if (width == 1) {
        for (; i + 64 <= n; i += 64) {
            const __mmask64 fx = _mm512_test_epi8_mask(_mm512_loadu_si512(flag + i),
                                                       _mm512_set1_epi8(1));
            const unsigned cx = (unsigned)_mm_popcnt_u64(fx), cy = 64 - cx;
            const v8 vx = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, cx), x);
            const v8 vy = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, cy), y);
            v8 o = _mm512_maskz_expand_epi8(~fx, vy);
            o = _mm512_mask_expand_epi8(o, fx, vx);
            _mm512_storeu_si512(out + i, o);
            x += cx;
            y += cy;
        }
    } else if (width == 2) {
        for (; i + 32 <= n; i += 32) {
            const __mmask32 fx = _mm256_test_epi8_mask(
                _mm256_loadu_si256((const __m256i *)(flag + i)), _mm256_set1_epi8(1));
            const unsigned cx = (unsigned)_mm_popcnt_u32(fx), cy = 32 - cx;
            const v8 vx = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, 2 * cx), x);
            const v8 vy = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, 2 * cy), y);
            v8 o = _mm512_maskz_expand_epi16((__mmask32)~fx, vy);
            o = _mm512_mask_expand_epi16(o, fx, vx);
            _mm512_storeu_si512(out + 2 * i, o);
            x += 2 * cx;
            y += 2 * cy;
        }
    }
    cbz_k_merge_rows_avx512(flag + i, n - i, width, x, y, out + i * width);
}

/* VBMI2 (fill_x86.c checks it, the target attribute lets this file use
 * it): 64 / width rows a step (width <= 64), their bytes read with a byte
 * mask; their flags spread to those bytes by one byte permutation, and the
 * kept rows' bytes compressed to the front (vpcompressb into a register:
 * the memory form is slow on AMD) and stored with a byte mask of exactly
 * them.  Wider rows to the portable kernel. */
__attribute__((target("avx512vbmi2"))) size_t
cbz_k_select_rows_avx512(const uint8_t *in, const uint8_t *flag, size_t n, size_t width,
                         uint8_t keep, uint8_t *out)
{
    const size_t w = width, g = w >= 1 && w <= 64 ? 64 / w : 0; /* rows a step */
    uint8_t *o = out;
    size_t i = 0;
    if (g) {
        uint8_t ix[64];
        for (size_t b = 0; b < 64; b++) ix[b] = (uint8_t)(b < g * w ? b / w : 0);
        const v8 spread = _mm512_loadu_si512(ix), vkeep = _mm512_set1_epi8((char)keep);
        const __mmask64 kin = _bzhi_u64(~0ull, (unsigned)(g * w));
        const __mmask64 kf = _bzhi_u64(~0ull, (unsigned)g);
        for (; i + g <= n; i += g) {
            const v8 f = _mm512_permutexvar_epi8(spread, _mm512_maskz_loadu_epi8(kf, flag + i));
            const __mmask64 k = _mm512_mask_cmpeq_epi8_mask(kin, f, vkeep);
            const v8 c = _mm512_maskz_compress_epi8(k, _mm512_maskz_loadu_epi8(kin, in + i * w));
            const unsigned nb = (unsigned)_mm_popcnt_u64(k);
            _mm512_mask_storeu_epi8(o, _bzhi_u64(~0ull, nb), c);
            o += nb;
        }
    }
    return (size_t)(o - out) / w +
           cbz_k_select_rows_portable(in + i * w, flag + i, n - i, w, keep, o);
}

/* blank_rows of widths 17..64, `rows` (64 / w, a constant) a load: the
 * bytes not b as a mask, each row's bits of it tested; returns the rows
 * done. */
E_INLINE size_t e_blank_wide(const uint8_t *in, size_t n, size_t w, size_t rows, v8 vb,
                             uint8_t *flag, size_t *blank)
{
    const __mmask64 kin = _bzhi_u64(~0ull, (unsigned)(rows * w));
    const uint64_t full = _bzhi_u64(~0ull, (unsigned)w);
    size_t i = 0, c = 0;
    for (; i + rows <= n; i += rows) {
        const v8 v = (n - i) * w >= 64 ? _mm512_loadu_si512(in + i * w)
                                        : _mm512_maskz_loadu_epi8(kin, in + i * w);
        const uint64_t other = _mm512_mask_cmpneq_epi8_mask(kin, v, vb);
        for (size_t j = 0; j < rows; j++) c += flag[i + j] = !((other >> (j * w)) & full);
    }
    *blank += c;
    return i;
}

/* Widths 1, 2, 4, 8: one compare of 64 bytes, a row per element; 3, 5..7
 * and 9..16: the rows spread to 64-bit (or 128-bit) lanes whose bytes past
 * the width are b (VBMI), then compared a lane at a time; 17..64: the
 * 64 / width rows of a load compared at once, each row's bits of the mask
 * tested. */
size_t cbz_k_blank_rows_avx512(const uint8_t *in, size_t n, size_t width, uint8_t b,
                               uint8_t *flag)
{
    const size_t w = width;
    const v8 vb = _mm512_set1_epi8((char)b), one = _mm512_set1_epi8(1);
    size_t i = 0, blank = 0;
    if (w == 1 || w == 2 || w == 4 || w == 8) {
        const size_t rows = 64 / w;
        const __mmask64 kf = _bzhi_u64(~0ull, (unsigned)rows);
        for (; i + rows <= n; i += rows) {
            const v8 v = _mm512_loadu_si512(in + i * w);
            const __mmask64 k = w == 1   ? _mm512_cmpeq_epi8_mask(v, vb)
                                : w == 2 ? _mm512_cmpeq_epi16_mask(v, vb)
                                : w == 4 ? _mm512_cmpeq_epi32_mask(v, vb)
                                         : _mm512_cmpeq_epi64_mask(v, vb);
            _mm512_mask_storeu_epi8(flag + i, kf, _mm512_maskz_mov_epi8(k, one));
            blank += (size_t)_mm_popcnt_u64(k);
        }
    } else if (w <= 16) {
        const size_t lane = w <= 8 ? 8 : 16, rows = 64 / lane;
        uint8_t sp[64];
        uint64_t real = 0;
        for (size_t q = 0; q < 64; q++) {
            sp[q] = (uint8_t)(q / lane * w + q % lane);
            if (q % lane < w) real |= 1ull << q;
        }
        const v8 spread = _mm512_loadu_si512(sp);
        const __mmask64 kin = _bzhi_u64(~0ull, (unsigned)(rows * w));
        const __mmask64 kf = _bzhi_u64(~0ull, (unsigned)rows);
        for (; i + rows <= n; i += rows) {
            /* whole loads while inside the input (the bytes past the rows
             * are not spread), masked ones for the last rows */
            v8 v = (n - i) * w >= 64 ? _mm512_loadu_si512(in + i * w)
                                      : _mm512_maskz_loadu_epi8(kin, in + i * w);
            v = _mm512_mask_permutexvar_epi8(vb, real, spread, v);
            const unsigned e = _mm512_cmpeq_epi64_mask(v, vb);
            const unsigned k = lane == 8 ? e : _pext_u32(e & (e >> 1), 0x55);
            _mm512_mask_storeu_epi8(flag + i, kf, _mm512_maskz_mov_epi8(k, one));
            blank += (size_t)__builtin_popcount(k);
        }
    } else if (w <= 64) {
        switch (64 / w) {
        case 1: i = e_blank_wide(in, n, w, 1, vb, flag, &blank); break;
        case 2: i = e_blank_wide(in, n, w, 2, vb, flag, &blank); break;
        default: i = e_blank_wide(in, n, w, 3, vb, flag, &blank); break;
        }
    }
    return blank + cbz_k_blank_rows_portable(in + i * w, n - i, w, b, flag + i);
}

/* A row a step: its width bytes read with a byte mask (the bytes past it
 * zero, which is no digit), XOR the zone compared below 10 into the row's
 * flags at once. */
void cbz_k_digit_rows_avx512(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                             uint64_t *out)
{
    const size_t w = width;
    if (w == 0 || w > 64) {
        cbz_k_digit_rows_portable(in, n, w, zone, out);
        return;
    }
    const v8 vz = _mm512_set1_epi8((char)zone), ten = _mm512_set1_epi8(10);
    const __mmask64 kin = _bzhi_u64(~0ull, (unsigned)w);
    for (size_t i = 0; i < n; i++) {
        const v8 t = _mm512_xor_si512(_mm512_maskz_loadu_epi8(kin, in + i * w), vz);
        out[i] = _mm512_cmplt_epu8_mask(t, ten);
    }
}

/* ------------------------------------------------------------ planes */

/* Eight values a step: plane j's eight bytes zero-extended to the eight
 * 64-bit elements (one load-extend each) and or-ed in at byte j. */
void cbz_k_planes_u64_avx512(const uint8_t *in, size_t n, unsigned k, uint64_t add,
                             uint64_t *out)
{
    size_t i = 0;
    if (k >= 1 && k <= 8) {
        const v8 va = _mm512_set1_epi64((long long)add);
        for (; i + 8 <= n; i += 8) {
            v8 o = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(in + i)));
            for (unsigned j = 1; j < k; j++) {
                const v8 p =
                    _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(in + j * n + i)));
                o = _mm512_or_si512(o, _mm512_sll_epi64(p, _mm_cvtsi32_si128((int)(8 * j))));
            }
            _mm512_storeu_si512(out + i, _mm512_add_epi64(o, va));
        }
    }
    for (; i < n; i++) { /* the last values (the planes' stride is n: no portable call) */
        uint64_t x = 0;
        for (unsigned j = 0; j < k; j++) x |= (uint64_t)in[j * n + i] << (8 * j);
        out[i] = x + add;
    }
}

/* The digit pairs checked 64 bytes a step, then eight values a step: the
 * top plane's bytes zero-extended, times 100 plus the next plane's, and
 * so on; the signs a byte (eight values) at a time; then add. */
bool cbz_k_dec_planes_u64_avx512(const uint8_t *in, size_t n, unsigned k, const uint8_t *signs,
                                 uint64_t add, uint64_t *out)
{
    if (k < 1 || k > 9) return cbz_k_dec_planes_u64_portable(in, n, k, signs, add, out);
    const v8 c99 = _mm512_set1_epi8(99);
    const size_t nq = (size_t)(k - 1) * n;
    __mmask64 bad = 0;
    size_t q = 0;
    for (; q + 64 <= nq; q += 64) bad |= _mm512_cmpgt_epu8_mask(_mm512_loadu_si512(in + q), c99);
    if (q < nq) {
        const __mmask64 kq = _bzhi_u64(~0ull, (unsigned)(nq - q));
        bad |= _mm512_mask_cmpgt_epu8_mask(kq, _mm512_maskz_loadu_epi8(kq, in + q), c99);
    }
    if (bad) return false;
    const v8 c100 = _mm512_set1_epi64(100), one = _mm512_set1_epi64(1);
    const v8 va = _mm512_set1_epi64((long long)add);
    const uint8_t *top = in + (size_t)(k - 1) * n;
    unsigned zero_neg = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 o = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(top + i)));
        for (unsigned j = k - 1; j-- > 0;) {
            const v8 d = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(in + j * n + i)));
            o = _mm512_add_epi64(_mm512_mullo_epi64(o, c100), d);
        }
        if (signs) {
            const __mmask8 neg = signs[i >> 3]; /* values i..i+7: i is a multiple of 8 */
            zero_neg |= neg & _mm512_cmpeq_epi64_mask(o, _mm512_setzero_si512());
            o = _mm512_add_epi64(o, o);
            o = _mm512_mask_sub_epi64(o, neg, o, one);
        }
        _mm512_storeu_si512(out + i, _mm512_add_epi64(o, va));
    }
    for (; i < n; i++) { /* the last values, one at a time */
        uint64_t d = top[i];
        for (unsigned j = k - 1; j-- > 0;) d = d * 100 + in[j * n + i];
        if (signs) {
            const uint64_t neg = (signs[i >> 3] >> (i & 7)) & 1;
            zero_neg |= (unsigned)(neg & (d == 0));
            d = 2 * d - neg;
        }
        out[i] = d + add;
    }
    return !zero_neg;
}

/* ------------------------------------------------------------ decoders
 *
 * Eight values a step, each in a 64-bit element: the step's 8 * width bytes
 * are read whole, or with byte masks near the input's end (nothing past it,
 * so no tail but the last n % 8 values), and placed by one two-source byte
 * permutation (VBMI); the tests of the AVX2 kernels give one bit per value
 * (a mask), and the invalid values' outputs are zeroed under it: no block
 * goes back to the portable kernel for holding an invalid value (unused
 * OCCURS entries: spaces among numbers). */

/* The 8 * w bytes of a step (w <= 16) as two vectors, bytes 0..63 and
 * 64..: whole loads while they stay inside the input (the bytes past the
 * step are not used), byte-masked ones for the last steps; no second load
 * for w <= 8. */
struct e_src {
    const uint8_t *end; /* the input's end */
    size_t w;
    __mmask64 k0, k1;
};

E_INLINE struct e_src e_src_init(const uint8_t *in, size_t n, size_t w)
{
    const size_t b = 8 * w;
    struct e_src s = { in + n * w, w, _bzhi_u64(~0ull, (unsigned)(b < 64 ? b : 64)),
                       _bzhi_u64(~0ull, (unsigned)(b > 64 ? b - 64 : 0)) };
    return s;
}

E_INLINE void e_load(const uint8_t *p, struct e_src s, v8 *a, v8 *b)
{
    const int whole = s.end - p >= (s.w > 8 ? 128 : 64);
    *a = whole ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8(s.k0, p);
    *b = _mm512_setzero_si512();
    if (s.w > 8) *b = whole ? _mm512_loadu_si512(p + 64) : _mm512_maskz_loadu_epi8(s.k1, p + 64);
}

/* 16 BCD digits per element (nibble 0 = units), all 0..9, to binary, as
 * d_bcd16_to_bin of vx_avx2.c. */
E_INLINE v8 e_bcd16_to_bin(v8 d)
{
    v8 t = _mm512_and_si512(d, _mm512_set1_epi8((char)0xF0));
    v8 b = _mm512_sub_epi8(_mm512_sub_epi8(d, _mm512_srli_epi16(t, 2)), _mm512_srli_epi16(t, 3));
    v8 w16 = _mm512_maddubs_epi16(b, _mm512_set1_epi16(100 << 8 | 1));
    v8 w32 = _mm512_madd_epi16(w16, _mm512_set1_epi32(10000 << 16 | 1));
    return _mm512_add_epi64(_mm512_and_si512(w32, _mm512_set1_epi64(0xFFFFFFFF)),
                            _mm512_mul_epu32(_mm512_srli_epi64(w32, 32),
                                             _mm512_set1_epi64(100000000)));
}

/* One step's outputs: the values (negated under neg), the sign or form
 * bytes (byte 0 of each element) and the invalid flags, zeros for the
 * values under bad; returns the count of those. */
E_INLINE size_t e_put8(v8 v, __mmask8 neg, v8 f, __mmask8 bad, int64_t *out, uint8_t *form,
                       uint8_t *invalid)
{
    v = _mm512_mask_sub_epi64(v, neg, _mm512_setzero_si512(), v);
    _mm512_storeu_si512(out, _mm512_maskz_mov_epi64((__mmask8)~bad, v));
    _mm_storel_epi64((__m128i *)form,
                     _mm512_cvtepi64_epi8(_mm512_maskz_mov_epi64((__mmask8)~bad, f)));
    _mm_storel_epi64((__m128i *)invalid, _mm_maskz_mov_epi8(bad, _mm_set1_epi8(1)));
    return (size_t)__builtin_popcount(bad);
}

/* Widths 1..8: value j's bytes reversed into element j (little-endian,
 * bytes past the width 0); widths 9 and 10: element x = its last 8 bytes,
 * element y = the bytes before them, as the AVX2 kernel's d_unpack_block8
 * and d_unpack_block10 (whose comments say why the tests hold). */
size_t cbz_k_packed_to_i64_avx512(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                  uint8_t *sign, uint8_t *invalid)
{
    const size_t w = width;
    if (w < 1 || w > CBZ_K_PACKED_MAX_WIDTH)
        return cbz_k_packed_to_i64_portable(in, n, width, out, sign, invalid);
    uint8_t ix[64], iy[64];
    uint64_t kx = 0, ky = 0;
    for (size_t b = 0; b < 64; b++) {
        const size_t j = b / 8, k = b % 8; /* element j, byte k (k = 0 lowest) */
        const size_t lo = w < 8 ? w : 8;   /* bytes in x */
        ix[b] = iy[b] = 0;
        if (k < lo) {
            ix[b] = (uint8_t)(j * w + w - 1 - k);
            kx |= 1ull << b;
        }
        if (w > 8 && k < w - 8) {
            iy[b] = (uint8_t)(j * w + w - 9 - k);
            ky |= 1ull << b;
        }
    }
    const v8 idx = _mm512_loadu_si512(ix), idy = _mm512_loadu_si512(iy);
    const struct e_src src = e_src_init(in, n, w);
    const v8 c0f = _mm512_set1_epi64(15), cb = _mm512_set1_epi64(0xB);
    const v8 cd = _mm512_set1_epi64(0xD);
    size_t i = 0, bad = 0;
    for (; i + 8 <= n; i += 8) {
        v8 a, b;
        e_load(in + i * w, src, &a, &b);
        const v8 x = _mm512_maskz_permutex2var_epi8(kx, a, idx, b);
        const v8 s = _mm512_and_si512(x, c0f);
        v8 val;
        __mmask8 badm;
        if (w <= 8) {
            const v8 k65 = _mm512_set1_epi64(0x6666666666666656);
            v8 t = _mm512_xor_si512(_mm512_add_epi64(x, k65), x);
            if (w == 8)
                t = _mm512_or_si512(t, _mm512_add_epi64(_mm512_srli_epi64(x, 60),
                                                        _mm512_set1_epi64(6)));
            badm = _mm512_test_epi64_mask(t, _mm512_set1_epi64(0x1111111111111110));
            val = e_bcd16_to_bin(_mm512_srli_epi64(x, 4));
        } else {
            const v8 k6 = _mm512_set1_epi64(0x6666666666666666);
            const v8 y = _mm512_maskz_permutex2var_epi8(ky, a, idy, b);
            const v8 d = _mm512_or_si512(_mm512_srli_epi64(x, 4), _mm512_slli_epi64(y, 60));
            const v8 td = _mm512_or_si512(_mm512_xor_si512(_mm512_add_epi64(d, k6), d),
                                          _mm512_xor_si512(_mm512_add_epi64(y, k6), y));
            const v8 ts = _mm512_xor_si512(_mm512_add_epi64(x, _mm512_set1_epi64(6)), x);
            /* digits and sign; width 10: the leading nibble must be 0 */
            badm = _mm512_test_epi64_mask(td, _mm512_set1_epi64(0x1111111111111110)) |
                   _mm512_testn_epi64_mask(ts, _mm512_set1_epi64(0x10)) |
                   _mm512_test_epi64_mask(y, _mm512_set1_epi64(0xF000));
            /* digits 16 and 17 (digit 18 is 0 in a valid value): 0..99 */
            const v8 yt = _mm512_srli_epi64(y, 4);
            const v8 top = _mm512_add_epi64(
                _mm512_mullo_epi64(_mm512_and_si512(_mm512_srli_epi64(yt, 4), c0f),
                                   _mm512_set1_epi64(100000000000000000LL)),
                _mm512_mullo_epi64(_mm512_and_si512(yt, c0f),
                                   _mm512_set1_epi64(10000000000000000LL)));
            val = _mm512_add_epi64(e_bcd16_to_bin(d), top);
        }
        const __mmask8 neg = _mm512_cmpeq_epi64_mask(s, cb) | _mm512_cmpeq_epi64_mask(s, cd);
        bad += e_put8(val, neg, s, badm, out + i, sign + i, invalid + i);
    }
    return bad + cbz_k_packed_to_i64_portable(in + i * w, n - i, w, out + i, sign + i,
                                              invalid + i);
}

/* Digits 1..8 right-aligned in a 64-bit element (a step: one vector),
 * 9..16 in a 128-bit lane (two vectors of four values), each digit byte
 * made 0..9 when valid as in the AVX2 kernel: (x & km | fm) ^ zone, the
 * leading bytes becoming digit 0; the sign byte of value j gathered to
 * element j's byte 0. */
size_t cbz_k_zoned_to_i64_avx512(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                 int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid)
{
    size_t first, ndig, sign_pos;
    int overpunch, separate;
    if (!cbz_x86_zoned_layout(width, sign_mode, &first, &ndig, &sign_pos, &overpunch, &separate))
        return cbz_k_zoned_to_i64_avx2(in, n, width, sign_mode, ebcdic, out, form, invalid);
    const size_t w = width, lane = ndig <= 8 ? 8 : 16, nvec = lane / 8;
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    uint8_t ix[2][64], km[64], fm[64], si[64];
    uint64_t kd[2] = { 0, 0 };
    for (size_t c = 0; c < nvec; c++)
        for (size_t b = 0; b < 64; b++) {
            const size_t j = (64 * c + b) / lane, pos = b % lane; /* value j, lane byte pos */
            ix[c][b] = 0;
            if (c == 0) {
                km[b] = 0xFF;
                fm[b] = zone;
            }
            if (pos + ndig < lane) continue; /* a leading byte: digit 0 */
            const size_t src = first + pos + ndig - lane;
            ix[c][b] = (uint8_t)(j * w + src);
            kd[c] |= 1ull << b;
            if (c == 0) {
                fm[b] = 0;
                if (overpunch && src == sign_pos) {
                    km[b] = 0x0F;
                    fm[b] = zone;
                }
            }
        }
    for (size_t b = 0; b < 64; b++)
        si[b] = b % 8 == 0 && sign_pos < 16 ? (uint8_t)(b / 8 * w + sign_pos) : 0;
    const v8 idx0 = _mm512_loadu_si512(ix[0]), idx1 = _mm512_loadu_si512(ix[1]);
    const v8 kmask = _mm512_loadu_si512(km), fmask = _mm512_loadu_si512(fm);
    const v8 sidx = _mm512_loadu_si512(si), vzone = _mm512_set1_epi8((char)zone);
    const v8 c9 = _mm512_set1_epi8(9), w10 = _mm512_set1_epi16(1 << 8 | 10);
    const v8 w100 = _mm512_set1_epi32(1 << 16 | 100);
    const v8 w10000 = _mm512_set1_epi32(1 << 16 | 10000);
    const v8 c1e8 = _mm512_set1_epi64(100000000), c1e4 = _mm512_set1_epi64(10000);
    const v8 c0f = _mm512_set1_epi64(15), odd = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const v8 plus = _mm512_set1_epi64(ebcdic ? 0x4E : 0x2B);
    const v8 minus = _mm512_set1_epi64(ebcdic ? 0x60 : 0x2D);
    const struct e_src src = e_src_init(in, n, w);
    size_t i = 0, bad = 0;
    for (; i + 8 <= n; i += 8) {
        v8 a, b, val;
        e_load(in + i * w, src, &a, &b);
        __mmask8 badm;
        if (lane == 8) {
            v8 x = _mm512_maskz_permutex2var_epi8(kd[0], a, idx0, b);
            x = _mm512_xor_si512(_mm512_or_si512(_mm512_and_si512(x, kmask), fmask), vzone);
            const v8 dx = _mm512_subs_epu8(x, c9);
            badm = _mm512_test_epi64_mask(dx, dx);
            const v8 q = _mm512_madd_epi16(_mm512_maddubs_epi16(x, w10), w100);
            val = _mm512_add_epi64(_mm512_mul_epu32(q, c1e4), _mm512_srli_epi64(q, 32));
        } else {
            v8 r[2];
            unsigned bm = 0;
            for (int c = 0; c < 2; c++) {
                v8 x = _mm512_maskz_permutex2var_epi8(kd[c], a, c ? idx1 : idx0, b);
                x = _mm512_xor_si512(_mm512_or_si512(_mm512_and_si512(x, kmask), fmask), vzone);
                const v8 dx = _mm512_subs_epu8(x, c9);
                const unsigned t = _mm512_test_epi64_mask(dx, dx);
                bm |= _pext_u32(t | t >> 1, 0x55) << (4 * c);
                v8 q = _mm512_madd_epi16(_mm512_maddubs_epi16(x, w10), w100);
                q = _mm512_madd_epi16(_mm512_packus_epi32(q, q), w10000);
                /* element 0 of each lane: digits 0..7 * 10^8 + digits 8..15 */
                r[c] = _mm512_add_epi64(_mm512_mul_epu32(q, c1e8), _mm512_srli_epi64(q, 32));
            }
            val = _mm512_permutex2var_epi64(r[0], odd, r[1]);
            badm = (__mmask8)bm;
        }
        v8 f = _mm512_setzero_si512();
        __mmask8 neg = 0;
        if (overpunch || separate) {
            const v8 sb = _mm512_maskz_permutex2var_epi8(0x0101010101010101ull, a, sidx, b);
            if (overpunch) {
                f = _mm512_and_si512(_mm512_srli_epi64(sb, 4), c0f); /* the zone nibble */
                if (ebcdic) {
                    badm |= _mm512_cmplt_epu64_mask(f, _mm512_set1_epi64(0xA));
                    neg = _mm512_cmpeq_epi64_mask(f, _mm512_set1_epi64(0xB)) |
                          _mm512_cmpeq_epi64_mask(f, _mm512_set1_epi64(0xD));
                } else {
                    neg = _mm512_cmpeq_epi64_mask(f, _mm512_set1_epi64(0x7));
                    const __mmask8 pos = _mm512_cmpeq_epi64_mask(f, _mm512_set1_epi64(0x3));
                    badm |= (__mmask8)~(neg | pos);
                }
            } else {
                f = sb;
                neg = _mm512_cmpeq_epi64_mask(sb, minus);
                badm |= (__mmask8)~(neg | _mm512_cmpeq_epi64_mask(sb, plus));
            }
        }
        bad += e_put8(val, neg, f, badm, out + i, form + i, invalid + i);
    }
    return bad + cbz_k_zoned_to_i64_portable(in + i * w, n - i, w, sign_mode, ebcdic, out + i,
                                             form + i, invalid + i);
}
