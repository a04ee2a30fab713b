/*
 * portable.c — the portable C kernels of kernels.h: the fallback on every CPU
 * and the reference the SIMD and CUDA variants are tested against.  Loops are
 * written so the compiler can keep them tight (no calls, no allocation).
 */
#include "kernels.h"

#include <string.h>

static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* byte by byte, written out: the compiler joins them into one store where
 * the machine is little-endian (a loop of eight is not unrolled at -O2) */
static inline void store_le64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    p[4] = (uint8_t)(v >> 32);
    p[5] = (uint8_t)(v >> 40);
    p[6] = (uint8_t)(v >> 48);
    p[7] = (uint8_t)(v >> 56);
}

static inline uint64_t abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static inline int64_t apply_sign(uint64_t mag, int neg)
{
    return (int64_t)(neg ? (uint64_t)0 - mag : mag);
}

/* ---------------------------------------------------------------- L2 */

void cbz_k_gather_portable(const uint8_t *records, size_t n, size_t stride, size_t offset,
                           size_t width, uint8_t *col)
{
    const uint8_t *src = records + offset;
    switch (width) {
    case 1:
        for (size_t i = 0; i < n; i++) col[i] = src[i * stride];
        return;
    case 2:
        for (size_t i = 0; i < n; i++) memcpy(col + 2 * i, src + i * stride, 2);
        return;
    case 4:
        for (size_t i = 0; i < n; i++) memcpy(col + 4 * i, src + i * stride, 4);
        return;
    case 8:
        for (size_t i = 0; i < n; i++) memcpy(col + 8 * i, src + i * stride, 8);
        return;
    default:
        for (size_t i = 0; i < n; i++) memcpy(col + i * width, src + i * stride, width);
    }
}

void cbz_k_scatter_portable(const uint8_t *col, size_t n, size_t stride, size_t offset,
                            size_t width, uint8_t *records)
{
    uint8_t *dst = records + offset;
    switch (width) {
    case 1:
        for (size_t i = 0; i < n; i++) dst[i * stride] = col[i];
        return;
    case 4:
        for (size_t i = 0; i < n; i++) memcpy(dst + i * stride, col + 4 * i, 4);
        return;
    default:
        for (size_t i = 0; i < n; i++) memcpy(dst + i * stride, col + i * width, width);
    }
}

void cbz_k_planes_split_portable(const uint8_t *in, size_t n, size_t width, uint8_t *out)
{
    if (width == 1) {
        if (n) memcpy(out, in, n);
        return;
    }
    /* blocks of rows keep the source in cache while every plane is written */
    const size_t block = 256;
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t i1 = i0 + block < n ? i0 + block : n;
        for (size_t j = 0; j < width; j++) {
            uint8_t *o = out + j * n;
            for (size_t i = i0; i < i1; i++) o[i] = in[i * width + j];
        }
    }
}

void cbz_k_planes_join_portable(const uint8_t *in, size_t n, size_t width, uint8_t *out)
{
    if (width == 1) {
        if (n) memcpy(out, in, n);
        return;
    }
    const size_t block = 256;
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t i1 = i0 + block < n ? i0 + block : n;
        for (size_t j = 0; j < width; j++) {
            const uint8_t *s = in + j * n;
            for (size_t i = i0; i < i1; i++) out[i * width + j] = s[i];
        }
    }
}

void cbz_k_transcode_portable(const uint8_t table[256], const uint8_t *in, size_t n,
                              uint8_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = table[in[i]];
}

size_t cbz_k_text_lengths_portable(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                   uint32_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in + i * width;
        size_t l = width;
        while (l > 0 && p[l - 1] == pad) l--;
        len[i] = (uint32_t)l;
        total += l;
    }
    return total;
}

/* ---------------------------------------------------------------- L3/L4 packed */

/* BCD byte of 0..99 */
static const uint8_t bcd_of[100] = {
#define R(t) 0x##t##0, 0x##t##1, 0x##t##2, 0x##t##3, 0x##t##4, \
             0x##t##5, 0x##t##6, 0x##t##7, 0x##t##8, 0x##t##9
    R(0), R(1), R(2), R(3), R(4), R(5), R(6), R(7), R(8), R(9)
#undef R
};

size_t cbz_k_packed_to_i64_portable(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                    uint8_t *sign, uint8_t *invalid)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in + i * width;
        uint64_t v = 0;
        unsigned ok = 1;
        for (size_t j = 0; j + 1 < width; j++) {
            unsigned hi = p[j] >> 4, lo = p[j] & 15u;
            ok &= (hi < 10) & (lo < 10);
            v = v * 100 + hi * 10 + lo;
        }
        unsigned last = p[width - 1], hi = last >> 4, s = last & 15u;
        ok &= (hi < 10) & (s >= 10);
        v = v * 10 + hi;
        if (width == CBZ_K_PACKED_MAX_WIDTH) ok &= (p[0] >> 4) == 0;
        int neg = (s == 0xB) | (s == 0xD);
        out[i] = ok ? apply_sign(v, neg) : 0;
        sign[i] = ok ? (uint8_t)s : 0;
        invalid[i] = (uint8_t)!ok;
        bad += !ok;
    }
    return bad;
}

void cbz_k_i64_to_packed_portable(const int64_t *in, const uint8_t *sign, size_t n,
                                  size_t width, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = out + i * width;
        uint64_t v = abs_u64(in[i]);
        p[width - 1] = (uint8_t)((v % 10) << 4 | (sign[i] & 15u));
        v /= 10;
        for (size_t j = width - 1; j-- > 0;) {
            p[j] = bcd_of[v % 100];
            v /= 100;
        }
    }
}

/* ---------------------------------------------------------------- L3/L4 zoned */

static inline int zoned_layout(size_t width, int sign_mode, size_t *first, size_t *ndig,
                               size_t *sign_pos)
{
    *first = 0;
    *ndig = width;
    *sign_pos = SIZE_MAX;
    switch (sign_mode) {
    case CBZ_K_SIGN_TRAILING: *sign_pos = width - 1; break;
    case CBZ_K_SIGN_LEADING: *sign_pos = 0; break;
    case CBZ_K_SIGN_TRAILING_SEPARATE: *ndig = width - 1; *sign_pos = width - 1; break;
    case CBZ_K_SIGN_LEADING_SEPARATE: *ndig = width - 1; *first = 1; *sign_pos = 0; break;
    default: break;
    }
    return 0;
}

size_t cbz_k_zoned_to_i64_portable(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                   int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid)
{
    size_t first, ndig, sign_pos;
    zoned_layout(width, sign_mode, &first, &ndig, &sign_pos);
    const unsigned zone = ebcdic ? 0xF0u : 0x30u;
    const uint8_t plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
    const int separate = sign_mode == CBZ_K_SIGN_TRAILING_SEPARATE ||
                         sign_mode == CBZ_K_SIGN_LEADING_SEPARATE;
    const int overpunch = sign_mode == CBZ_K_SIGN_TRAILING || sign_mode == CBZ_K_SIGN_LEADING;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in + i * width;
        uint64_t v = 0;
        unsigned ok = 1;
        unsigned f = 0;
        int neg = 0;
        for (size_t j = first; j < first + ndig; j++) {
            unsigned b = p[j], d = b & 15u;
            if (overpunch && j == sign_pos) {
                unsigned z = b >> 4;
                f = z;
                if (ebcdic) {
                    ok &= z >= 0xA;
                    neg = (z == 0xB) | (z == 0xD);
                } else {
                    ok &= (z == 0x3) | (z == 0x7);
                    neg = z == 0x7;
                }
            } else {
                ok &= (b & 0xF0u) == zone;
            }
            ok &= d < 10;
            v = v * 10 + d;
        }
        if (separate) {
            uint8_t s = p[sign_pos];
            ok &= (s == plus) | (s == minus);
            f = s;
            neg = s == minus;
        }
        out[i] = ok ? apply_sign(v, neg) : 0;
        form[i] = ok ? (uint8_t)f : 0;
        invalid[i] = (uint8_t)!ok;
        bad += !ok;
    }
    return bad;
}

void cbz_k_i64_to_zoned_portable(const int64_t *in, const uint8_t *form, size_t n,
                                 size_t width, int sign_mode, int ebcdic, uint8_t *out)
{
    size_t first, ndig, sign_pos;
    zoned_layout(width, sign_mode, &first, &ndig, &sign_pos);
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    const int separate = sign_mode == CBZ_K_SIGN_TRAILING_SEPARATE ||
                         sign_mode == CBZ_K_SIGN_LEADING_SEPARATE;
    const int overpunch = sign_mode == CBZ_K_SIGN_TRAILING || sign_mode == CBZ_K_SIGN_LEADING;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = out + i * width;
        uint64_t v = abs_u64(in[i]);
        for (size_t j = first + ndig; j-- > first;) {
            p[j] = (uint8_t)(zone | (v % 10));
            v /= 10;
        }
        if (overpunch) p[sign_pos] = (uint8_t)((unsigned)form[i] << 4 | (p[sign_pos] & 15u));
        else if (separate) p[sign_pos] = form[i];
    }
}

/* ---------------------------------------------------------------- binary */

void cbz_k_be_to_i64_portable(const uint8_t *in, size_t n, size_t width, int is_signed,
                              int64_t *out)
{
    const unsigned shift = (unsigned)(64 - 8 * width);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in + i * width;
        uint64_t v = 0;
        for (size_t j = 0; j < width; j++) v = v << 8 | p[j];
        if (is_signed && shift > 0 && shift < 64)
            out[i] = (int64_t)(v << shift) >> shift; /* arithmetic shift: gcc/clang */
        else
            out[i] = (int64_t)v;
    }
}

void cbz_k_i64_to_be_portable(const int64_t *in, size_t n, size_t width, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = out + i * width;
        uint64_t v = (uint64_t)in[i];
        for (size_t j = width; j-- > 0;) {
            p[j] = (uint8_t)v;
            v >>= 8;
        }
    }
}

/* ---------------------------------------------------------------- L5 */

void cbz_k_delta_encode_portable(const int64_t *in, size_t n, int64_t *out)
{
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)in[i];
        out[i] = (int64_t)(x - prev);
        prev = x;
    }
}

void cbz_k_delta_decode_portable(const int64_t *in, size_t n, int64_t *out)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += (uint64_t)in[i];
        out[i] = (int64_t)acc;
    }
}

void cbz_k_delta2_encode_portable(const int64_t *in, size_t n, int64_t *out)
{
    uint64_t prev = 0, prev_d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)in[i];
        uint64_t d = x - prev;
        out[i] = (int64_t)(d - prev_d);
        prev = x;
        prev_d = i == 0 ? 0 : d;
    }
}

void cbz_k_delta2_decode_portable(const int64_t *in, size_t n, int64_t *out)
{
    uint64_t acc = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t dd = (uint64_t)in[i];
        if (i == 0) {
            acc = dd;
            d = 0;
        } else {
            d += dd;
            acc += d;
        }
        out[i] = (int64_t)acc;
    }
}

void cbz_k_for_encode_portable(const int64_t *in, size_t n, int64_t base, uint64_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (uint64_t)in[i] - (uint64_t)base;
}

void cbz_k_for_decode_portable(const uint64_t *in, size_t n, int64_t base, int64_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (int64_t)(in[i] + (uint64_t)base);
}

void cbz_k_zigzag_encode_portable(const int64_t *in, size_t n, uint64_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ((uint64_t)in[i] << 1) ^ (uint64_t)(in[i] >> 63);
}

void cbz_k_zigzag_decode_portable(const uint64_t *in, size_t n, int64_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (int64_t)((in[i] >> 1) ^ ((uint64_t)0 - (in[i] & 1)));
}

void cbz_k_minmax_portable(const int64_t *in, size_t n, int64_t *min, int64_t *max)
{
    int64_t lo = n ? in[0] : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        lo = in[i] < lo ? in[i] : lo;
        hi = in[i] > hi ? in[i] : hi;
    }
    *min = lo;
    *max = hi;
}

/* One block: the second value apart (it has a difference but no second
 * one), then the rest with no test per value. */
static void seq_stats_block(const int64_t *in, size_t n, cbz_k_seq_stats *s)
{
    uint64_t or_zz = s->or_zz, prev = (uint64_t)in[0], prev_d = 0;
    int64_t lo = s->lo, hi = s->hi, dlo = s->dlo, dhi = s->dhi, ddlo = s->ddlo, ddhi = s->ddhi;
    size_t runs = s->runs + 1;
    or_zz |= (prev << 1) ^ (uint64_t)(in[0] >> 63);
    lo = in[0] < lo ? in[0] : lo;
    hi = in[0] > hi ? in[0] : hi;
    if (n > 1) {
        const uint64_t x = (uint64_t)in[1];
        or_zz |= (x << 1) ^ (uint64_t)(in[1] >> 63);
        lo = in[1] < lo ? in[1] : lo;
        hi = in[1] > hi ? in[1] : hi;
        const int64_t dlt = (int64_t)(x - prev);
        dlo = dlt < dlo ? dlt : dlo;
        dhi = dlt > dhi ? dlt : dhi;
        runs += x != prev;
        prev_d = (uint64_t)dlt;
        prev = x;
    }
    for (size_t i = 2; i < n; i++) {
        const uint64_t x = (uint64_t)in[i];
        or_zz |= (x << 1) ^ (uint64_t)(in[i] >> 63);
        lo = in[i] < lo ? in[i] : lo;
        hi = in[i] > hi ? in[i] : hi;
        const int64_t dlt = (int64_t)(x - prev);
        dlo = dlt < dlo ? dlt : dlo;
        dhi = dlt > dhi ? dlt : dhi;
        const int64_t dd = (int64_t)((uint64_t)dlt - prev_d);
        ddlo = dd < ddlo ? dd : ddlo;
        ddhi = dd > ddhi ? dd : ddhi;
        runs += x != prev;
        prev_d = (uint64_t)dlt;
        prev = x;
    }
    *s = (cbz_k_seq_stats){ lo, hi, dlo, dhi, ddlo, ddhi, or_zz, runs };
}

void cbz_k_seq_stats_portable(const int64_t *in, const size_t *start, const size_t *len, size_t nb,
                              cbz_k_seq_stats *s)
{
    for (size_t b = 0; b < nb; b++) seq_stats_block(in + start[b], len[b], s);
}

size_t cbz_k_run_count_portable(const int64_t *in, size_t n)
{
    if (n == 0) return 0;
    size_t runs = 1;
    for (size_t i = 1; i < n; i++) runs += in[i] != in[i - 1];
    return runs;
}

size_t cbz_k_rle_encode_portable(const int64_t *in, size_t n, int64_t *vals, uint32_t *lens)
{
    size_t k = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && in[j] == in[i] && j - i < UINT32_MAX) j++;
        vals[k] = in[i];
        lens[k] = (uint32_t)(j - i);
        k++;
        i = j;
    }
    return k;
}

bool cbz_k_rle_decode_portable(const int64_t *vals, const uint32_t *lens, size_t nruns,
                               int64_t *out, size_t n)
{
    size_t o = 0;
    for (size_t k = 0; k < nruns; k++) {
        size_t l = lens[k];
        if (l == 0 || l > n - o) return false;
        int64_t v = vals[k];
        for (size_t j = 0; j < l; j++) out[o + j] = v;
        o += l;
    }
    return o == n;
}

/* ---------------------------------------------------------------- L6 */

size_t cbz_k_dict_lookup_u64_portable(const uint64_t *keys, size_t nkeys, const uint64_t *vals,
                                      size_t n, uint32_t *codes)
{
    size_t miss = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = vals[i];
        size_t lo = 0, hi = nkeys;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (keys[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        int hit = lo < nkeys && keys[lo] == v;
        codes[i] = hit ? (uint32_t)lo : CBZ_K_NO_CODE;
        miss += !hit;
    }
    return miss;
}

size_t cbz_k_dict_lookup_fixed_portable(const uint8_t *keys, size_t nkeys, size_t width,
                                        const uint8_t *vals, size_t n, uint32_t *codes)
{
    size_t miss = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *v = vals + i * width;
        size_t lo = 0, hi = nkeys;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (memcmp(keys + mid * width, v, width) < 0) lo = mid + 1;
            else hi = mid;
        }
        int hit = lo < nkeys && memcmp(keys + lo * width, v, width) == 0;
        codes[i] = hit ? (uint32_t)lo : CBZ_K_NO_CODE;
        miss += !hit;
    }
    return miss;
}

bool cbz_k_dict_gather_u64_portable(const uint32_t *codes, size_t n, const uint64_t *dict,
                                    size_t ndict, uint64_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (codes[i] >= ndict) return false;
        out[i] = dict[codes[i]];
    }
    return true;
}

/* One loop per width class, so that the copy has no branch per value: two
 * overlapping moves cover every width from k to 2k bytes. */
#define GATHER_LOOP(MOVE)                                                                     \
    for (size_t i = 0; i < n; i++) {                                                          \
        uint8_t *d = out + i * width;                                                         \
        const uint8_t *s = dict + (size_t)codes[i] * width;                                   \
        MOVE;                                                                                 \
    }

bool cbz_k_dict_gather_fixed_portable(const uint32_t *codes, size_t n, const uint8_t *dict,
                                      size_t ndict, size_t width, uint8_t *out)
{
    /* every code is checked before anything is copied (a max has no branch) */
    uint32_t mx = 0;
    for (size_t i = 0; i < n; i++) mx = codes[i] > mx ? codes[i] : mx;
    if (n > 0 && mx >= ndict) return false;
    const size_t w = width;
    if (w == 0) return true;
    if (w == 1) {
        for (size_t i = 0; i < n; i++) out[i] = dict[codes[i]];
    } else if (w == 2) {
        GATHER_LOOP(memcpy(d, s, 2))
    } else if (w == 3) {
        GATHER_LOOP(memcpy(d, s, 2); memcpy(d + 1, s + 1, 2))
    } else if (w == 4) {
        GATHER_LOOP(memcpy(d, s, 4))
    } else if (w < 8) { /* 5..7 */
        GATHER_LOOP(memcpy(d, s, 4); memcpy(d + w - 4, s + w - 4, 4))
    } else if (w == 8) {
        GATHER_LOOP(memcpy(d, s, 8))
    } else if (w <= 16) {
        GATHER_LOOP(memcpy(d, s, 8); memcpy(d + w - 8, s + w - 8, 8))
    } else if (w <= 32) {
        GATHER_LOOP(memcpy(d, s, 16); memcpy(d + w - 16, s + w - 16, 16))
    } else if (w <= 64) {
        GATHER_LOOP(memcpy(d, s, 32); memcpy(d + w - 32, s + w - 32, 32))
    } else {
        GATHER_LOOP(memcpy(d, s, w))
    }
    return true;
}
#undef GATHER_LOOP

/* ---------------------------------------------------------------- L7 */

void cbz_k_bitpack_u64_portable(const uint64_t *in, size_t n, unsigned bits, uint8_t *out)
{
    if (bits == 0 || n == 0) return;
    const uint64_t mask = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    uint64_t acc = 0;
    unsigned nacc = 0;
    uint8_t *o = out;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in[i] & mask;
        acc |= v << nacc;
        if (nacc + bits >= 64) {
            store_le64(o, acc);
            o += 8;
            unsigned used = 64 - nacc;
            acc = used < 64 ? v >> used : 0;
            nacc = nacc + bits - 64;
        } else {
            nacc += bits;
        }
    }
    for (unsigned k = 0; k < nacc; k += 8) *o++ = (uint8_t)(acc >> k);
}

void cbz_k_bitunpack_u64_portable(const uint8_t *in, size_t n, unsigned bits, uint64_t *out)
{
    if (bits == 0) {
        for (size_t i = 0; i < n; i++) out[i] = 0;
        return;
    }
    const uint64_t mask = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    const size_t size = cbz_k_bitpack_size(n, bits);
    size_t pos = 0; /* bit position */
    for (size_t i = 0; i < n; i++, pos += bits) {
        size_t idx = pos >> 3;
        unsigned sh = (unsigned)(pos & 7);
        uint64_t w;
        if (idx + 8 <= size) {
            w = load_le64(in + idx) >> sh;
            if (sh + bits > 64) w |= (uint64_t)in[idx + 8] << (64 - sh);
        } else {
            w = 0;
            for (size_t k = 0; idx + k < size && k < 8; k++) w |= (uint64_t)in[idx + k] << (8 * k);
            w >>= sh;
        }
        out[i] = w & mask;
    }
}

/* bitpack_u32 for widths that divide 64: whole 64-bit words of 64 / bits
 * values, with no test per value (the same bit stream, little-endian);
 * inlined with a constant width, so that the word's loop unrolls. */
static inline __attribute__((always_inline)) void pack_words_u32(const uint32_t *in, size_t n,
                                                                const unsigned bits,
                                                                uint8_t *out)
{
    const unsigned per = 64 / bits;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    size_t i = 0;
    for (; i + per <= n; i += per, out += 8) {
        uint64_t w = 0;
#pragma GCC unroll 64 /* a constant shift per value */
        for (unsigned k = 0; k < per; k++) w |= ((uint64_t)in[i + k] & mask) << (k * bits);
        store_le64(out, w);
    }
    if (i < n) {
        uint64_t w = 0;
        for (unsigned k = 0; i + k < n; k++) w |= ((uint64_t)in[i + k] & mask) << (k * bits);
        const size_t bytes = ((n - i) * bits + 7) / 8;
        for (size_t b = 0; b < bytes; b++) out[b] = (uint8_t)(w >> (8 * b));
    }
}

/* bitpack_u32 for the other widths under 8: eight values fill `bits`
 * whole bytes, joined in a 64-bit word with no test per value; inlined with
 * a constant width (a constant store). */
static inline __attribute__((always_inline)) void pack_groups_u32(const uint32_t *in, size_t n,
                                                                 const unsigned bits,
                                                                 uint8_t *out)
{
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8, out += bits) {
        uint64_t w = 0;
#pragma GCC unroll 8 /* a constant shift per value */
        for (unsigned k = 0; k < 8; k++) w |= ((uint64_t)in[i + k] & mask) << (k * bits);
        uint8_t b[8];
        store_le64(b, w);
        memcpy(out, b, bits);
    }
    if (i < n) {
        uint64_t w = 0;
        for (unsigned k = 0; i + k < n; k++) w |= ((uint64_t)in[i + k] & mask) << (k * bits);
        const size_t bytes = ((n - i) * bits + 7) / 8;
        for (size_t b = 0; b < bytes; b++) out[b] = (uint8_t)(w >> (8 * b));
    }
}

void cbz_k_bitpack_u32_portable(const uint32_t *in, size_t n, unsigned bits, uint8_t *out)
{
    if (bits == 0 || n == 0) return;
    switch (bits) {
    case 1: pack_words_u32(in, n, 1, out); return;
    case 2: pack_words_u32(in, n, 2, out); return;
    case 3: pack_groups_u32(in, n, 3, out); return;
    case 4: pack_words_u32(in, n, 4, out); return;
    case 5: pack_groups_u32(in, n, 5, out); return;
    case 6: pack_groups_u32(in, n, 6, out); return;
    case 7: pack_groups_u32(in, n, 7, out); return;
    case 8: pack_words_u32(in, n, 8, out); return;
    case 16: pack_words_u32(in, n, 16, out); return;
    default: break;
    }
    const uint64_t mask = bits >= 32 ? 0xFFFFFFFFu : ((uint64_t)1 << bits) - 1;
    uint64_t acc = 0;
    unsigned nacc = 0;
    uint8_t *o = out;
    for (size_t i = 0; i < n; i++) {
        acc |= ((uint64_t)in[i] & mask) << nacc;
        nacc += bits;
        if (nacc >= 32) {
            o[0] = (uint8_t)acc;
            o[1] = (uint8_t)(acc >> 8);
            o[2] = (uint8_t)(acc >> 16);
            o[3] = (uint8_t)(acc >> 24);
            o += 4;
            acc >>= 32;
            nacc -= 32;
        }
    }
    for (unsigned k = 0; k < nacc; k += 8) *o++ = (uint8_t)(acc >> k);
}

void cbz_k_bitunpack_u32_portable(const uint8_t *in, size_t n, unsigned bits, uint32_t *out)
{
    if (bits == 0) {
        for (size_t i = 0; i < n; i++) out[i] = 0;
        return;
    }
    const uint64_t mask = bits >= 32 ? 0xFFFFFFFFu : ((uint64_t)1 << bits) - 1;
    const size_t size = cbz_k_bitpack_size(n, bits);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++, pos += bits) {
        size_t idx = pos >> 3;
        unsigned sh = (unsigned)(pos & 7);
        uint64_t w;
        if (idx + 8 <= size) {
            w = load_le64(in + idx) >> sh;
        } else {
            w = 0;
            for (size_t k = 0; idx + k < size && k < 8; k++) w |= (uint64_t)in[idx + k] << (8 * k);
            w >>= sh;
        }
        out[i] = (uint32_t)(w & mask);
    }
}

unsigned cbz_k_max_bits_u64_portable(const uint64_t *in, size_t n)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= in[i];
    return acc ? 64u - (unsigned)__builtin_clzll(acc) : 0u;
}

/* ---------------------------------------------------------------- merges */

/* b ? x : y by a mask, never a branch: exceptions and valid values
 * alternate at random (unused OCCURS entries), and a mispredicted branch a
 * row costs more than the row's copy. */
static inline const uint8_t *pick_row(size_t b, const uint8_t *x, const uint8_t *y)
{
    const uintptr_t m = (uintptr_t)0 - (uintptr_t)b;
    return (const uint8_t *)(((uintptr_t)x & m) | ((uintptr_t)y & ~m));
}

/* row i from x or y as flag[i] says, with COPY(d, s) copying one row */
#define MERGE_LOOP(COPY)                                                                      \
    for (size_t i = 0; i < n; i++) {                                                          \
        const size_t b = flag[i];                                                             \
        uint8_t *d = out + i * w;                                                             \
        const uint8_t *s = pick_row(b, x, y);                                                 \
        COPY;                                                                                 \
        x += b * w;                                                                           \
        y += (1u - b) * w;                                                                    \
    }

void cbz_k_merge_rows_portable(const uint8_t *flag, size_t n, size_t width, const uint8_t *x,
                               const uint8_t *y, uint8_t *out)
{
    const size_t w = width;
    if (w == 1) {
        MERGE_LOOP(d[0] = s[0])
    } else if (w == 2) {
        MERGE_LOOP(memcpy(d, s, 2))
    } else if (w == 3) {
        MERGE_LOOP(memcpy(d, s, 2); memcpy(d + 1, s + 1, 2))
    } else if (w == 4) {
        MERGE_LOOP(memcpy(d, s, 4))
    } else if (w < 8) { /* 5..7 */
        MERGE_LOOP(memcpy(d, s, 4); memcpy(d + w - 4, s + w - 4, 4))
    } else if (w == 8) {
        MERGE_LOOP(memcpy(d, s, 8))
    } else if (w <= 16) {
        MERGE_LOOP(memcpy(d, s, 8); memcpy(d + w - 8, s + w - 8, 8))
    } else if (w <= 32) {
        MERGE_LOOP(memcpy(d, s, 16); memcpy(d + w - 16, s + w - 16, 16))
    } else {
        MERGE_LOOP(memcpy(d, s, w))
    }
}

void cbz_k_expand_u64_portable(const uint64_t *in, const uint8_t *flag, size_t n, size_t m,
                               uint64_t *out)
{
    if (m == 0) { /* nothing to read */
        for (size_t i = 0; i < n; i++) out[i] = 0;
        return;
    }
    /* from the last position back: the j-th value moves to a position
     * i >= j, read before that position is written (in == out); 0 flags
     * past the m values (m too small) get 0 */
    for (size_t i = n, j = m; i-- > 0;) {
        const size_t take = (1u - flag[i]) & (j > 0);
        const uint64_t y = in[j - (j > 0)];
        out[i] = y & ((uint64_t)0 - take);
        j -= take;
    }
}

size_t cbz_k_select_u64_portable(const uint64_t *in, const uint8_t *flag, size_t n,
                                 uint64_t *out)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) { /* written at every i, kept at a 0 flag */
        out[j] = in[i];
        j += 1u - flag[i];
    }
    return j;
}

/* No branch per row (kept and dropped rows alternate at random: unused
 * OCCURS entries): every row is copied and out moves past the kept ones
 * only, by whole 8-byte (width <= 8) or 16-byte pieces while they stay
 * inside the input (what a piece writes past a row is written over by the
 * next row kept, or lies in the room past the end); the last rows exactly. */
size_t cbz_k_select_rows_portable(const uint8_t *in, const uint8_t *flag, size_t n,
                                  size_t width, uint8_t keep, uint8_t *out)
{
    const size_t w = width, unit = w <= 8 ? 8 : 16, pieces = (w + unit - 1) / unit;
    const size_t span = n * w, drop = keep ^ 1u;
    const size_t whole = span >= pieces * unit ? (span - pieces * unit) / w + 1 : 0;
    uint8_t *o = out;
    size_t i = 0;
    if (unit == 8) {
        for (; i < whole; i++) {
            memcpy(o, in + i * w, 8);
            o += (size_t)(flag[i] ^ drop) * w;
        }
    } else if (pieces == 1) {
        for (; i < whole; i++) {
            memcpy(o, in + i * w, 16);
            o += (size_t)(flag[i] ^ drop) * w;
        }
    } else {
        for (; i < whole; i++) {
            for (size_t q = 0; q < pieces; q++) memcpy(o + 16 * q, in + i * w + 16 * q, 16);
            o += (size_t)(flag[i] ^ drop) * w;
        }
    }
    for (; i < n; i++) {
        memcpy(o, in + i * w, w);
        o += (size_t)(flag[i] ^ drop) * w;
    }
    return (size_t)(o - out) / w;
}

/* Reads only the n * width bytes (overlapping loads for the odd widths),
 * with no call per value. */
size_t cbz_k_blank_rows_portable(const uint8_t *in, size_t n, size_t width, uint8_t b,
                                 uint8_t *flag)
{
    const uint8_t *v = in;
    const size_t w = width;
    size_t blank = 0;
    const uint64_t p8 = 0x0101010101010101ull * b;
    const uint32_t p4 = (uint32_t)p8;
    const uint16_t p2 = (uint16_t)p8;
    switch (w) {
    case 1:
        for (size_t i = 0; i < n; i++) blank += flag[i] = v[i] == b;
        return blank;
    case 2:
        for (size_t i = 0; i < n; i++) {
            uint16_t x;
            memcpy(&x, v + 2 * i, 2);
            blank += flag[i] = x == p2;
        }
        return blank;
    case 3:
        for (size_t i = 0; i < n; i++) {
            uint16_t x, y;
            memcpy(&x, v + 3 * i, 2);
            memcpy(&y, v + 3 * i + 1, 2);
            blank += flag[i] = (x == p2) & (y == p2);
        }
        return blank;
    case 4:
        for (size_t i = 0; i < n; i++) {
            uint32_t x;
            memcpy(&x, v + 4 * i, 4);
            blank += flag[i] = x == p4;
        }
        return blank;
    case 8:
        for (size_t i = 0; i < n; i++) {
            uint64_t x;
            memcpy(&x, v + 8 * i, 8);
            blank += flag[i] = x == p8;
        }
        return blank;
    default: break;
    }
    if (w < 8) { /* 5, 6, 7: two overlapping 4-byte words */
        for (size_t i = 0; i < n; i++) {
            uint32_t x, y;
            memcpy(&x, v + w * i, 4);
            memcpy(&y, v + w * i + w - 4, 4);
            blank += flag[i] = (x == p4) & (y == p4);
        }
        return blank;
    }
    if (w <= 16) { /* 9..16: two overlapping 8-byte words, no branch per value */
        for (size_t i = 0; i < n; i++) {
            uint64_t x, y;
            memcpy(&x, v + w * i, 8);
            memcpy(&y, v + w * i + w - 8, 8);
            blank += flag[i] = ((x ^ p8) | (y ^ p8)) == 0;
        }
        return blank;
    }
    for (size_t i = 0; i < n; i++) { /* 8-byte words, the last one overlapping */
        const uint8_t *q = v + w * i;
        uint64_t x, acc;
        memcpy(&x, q + w - 8, 8);
        acc = x ^ p8;
        for (size_t j = 0; j + 8 < w && !acc; j += 8) {
            memcpy(&x, q + j, 8);
            acc |= x ^ p8;
        }
        blank += flag[i] = acc == 0;
    }
    return blank;
}

/* The digit flags of the 8 bytes held little-endian in x, byte j's as bit
 * j: a byte XOR the zone is below 10 exactly when its bit 7 is clear and
 * its low 7 bits are (adding 118 to them carries into bit 7 from 10 up). */
static inline uint64_t digit_bits8(uint64_t x, uint64_t zone8)
{
    const uint64_t t = x ^ zone8;
    const uint64_t ge10 = (t & 0x7F7F7F7F7F7F7F7Full) + 0x7676767676767676ull;
    const uint64_t below = ~(t | ge10) & 0x8080808080808080ull;
    return ((below >> 7) * 0x0102040810204080ull) >> 56; /* byte j's bit 7 to bit j */
}

/* By whole 8-byte words: a row's words at 0, 8, ..., then its last word
 * (overlapping the one before it); rows under 8 bytes by a word that may
 * reach into the next rows while it stays inside the input, its bits past
 * the row cleared, the last such rows byte by byte. */
void cbz_k_digit_rows_portable(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                               uint64_t *out)
{
    const size_t w = width;
    const uint64_t zone8 = 0x0101010101010101ull * zone;
    uint64_t x;
    if (w < 8) {
        const uint64_t full = ((uint64_t)1 << w) - 1;
        const size_t whole = n * w >= 8 ? (n * w - 8) / w + 1 : 0;
        size_t i = 0;
        for (; i < whole; i++) {
            memcpy(&x, in + i * w, 8);
            out[i] = digit_bits8(x, zone8) & full;
        }
        for (; i < n; i++) {
            uint64_t m = 0;
            for (size_t j = 0; j < w; j++)
                m |= (uint64_t)((uint8_t)(in[i * w + j] ^ zone) < 10) << j;
            out[i] = m;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *v = in + i * w;
        uint64_t m = 0;
        size_t j = 0;
        for (; j + 8 <= w; j += 8) {
            memcpy(&x, v + j, 8);
            m |= digit_bits8(x, zone8) << j;
        }
        if (j < w) {
            memcpy(&x, v + w - 8, 8);
            m |= digit_bits8(x, zone8) >> (j + 8 - w) << j;
        }
        out[i] = m;
    }
}

/* The planes are joined a block of values at a time, so that the block
 * stays in L1 while every plane is added in; each loop is inlined with a
 * full block's constant count, so that the compiler vectorizes it (-O2
 * leaves loops with a remainder scalar). */
#define PLANES_BLOCK 512

static inline __attribute__((always_inline)) void planes_block(const uint8_t *in, size_t n,
                                                               unsigned k, size_t b, size_t m,
                                                               uint64_t add, uint64_t *restrict o)
{
    if (k == 1) {
        for (size_t i = 0; i < m; i++) o[i] = in[b + i] + add;
        return;
    }
    for (size_t i = 0; i < m; i++) o[i] = in[b + i];
    for (unsigned j = 1; j + 1 < k; j++) {
        const uint8_t *p = in + (size_t)j * n + b;
        const unsigned sh = 8 * j;
        for (size_t i = 0; i < m; i++) o[i] |= (uint64_t)p[i] << sh;
    }
    const uint8_t *p = in + (size_t)(k - 1) * n + b; /* the last plane adds add */
    const unsigned sh = 8 * (k - 1);
    for (size_t i = 0; i < m; i++) o[i] = (o[i] | (uint64_t)p[i] << sh) + add;
}

void cbz_k_planes_u64_portable(const uint8_t *in, size_t n, unsigned k, uint64_t add,
                               uint64_t *out)
{
    size_t b = 0;
    for (; n - b >= PLANES_BLOCK; b += PLANES_BLOCK)
        planes_block(in, n, k, b, PLANES_BLOCK, add, out + b);
    if (b < n) planes_block(in, n, k, b, n - b, add, out + b);
}

static inline __attribute__((always_inline)) void dec_planes_block(const uint8_t *in, size_t n,
                                                                   unsigned k, size_t b, size_t m,
                                                                   uint64_t *restrict o)
{
    const uint8_t *top = in + (size_t)(k - 1) * n + b;
    for (size_t i = 0; i < m; i++) o[i] = top[i];
    for (unsigned j = k - 1; j-- > 0;) {
        const uint8_t *pl = in + (size_t)j * n + b;
        for (size_t i = 0; i < m; i++) o[i] = o[i] * 100 + pl[i];
    }
}

bool cbz_k_dec_planes_u64_portable(const uint8_t *in, size_t n, unsigned k, const uint8_t *signs,
                                   uint64_t add, uint64_t *out)
{
    /* the digit pairs first, all at once: a byte >= 100 gets its top bit
     * from adding 28 or has it already, bytes <= 99 do not carry; eight
     * bytes a step, then the rest */
    const size_t nq = (size_t)(k - 1) * n;
    uint64_t hi = 0;
    size_t q = 0;
    for (; q + 8 <= nq; q += 8) {
        uint64_t x;
        memcpy(&x, in + q, 8);
        hi |= (x + 0x1C1C1C1C1C1C1C1Cull) | x;
    }
    unsigned bad = (hi & 0x8080808080808080ull) != 0;
    for (; q < nq; q++) bad |= in[q] > 99;
    if (bad) return false;
    unsigned zero_neg = 0;
    for (size_t b = 0; b < n; b += PLANES_BLOCK) {
        const size_t m = n - b < PLANES_BLOCK ? n - b : PLANES_BLOCK;
        uint64_t *o = out + b;
        if (m == PLANES_BLOCK) dec_planes_block(in, n, k, b, PLANES_BLOCK, o);
        else dec_planes_block(in, n, k, b, m, o);
        if (signs)
            for (size_t i = 0; i < m; i++) {
                const uint64_t neg = (signs[(b + i) >> 3] >> ((b + i) & 7)) & 1;
                zero_neg |= (unsigned)(neg & (o[i] == 0));
                o[i] = 2 * o[i] - neg + add;
            }
        else if (add)
            for (size_t i = 0; i < m; i++) o[i] += add;
    }
    return !zero_neg;
}
