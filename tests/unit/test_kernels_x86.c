/*
 * test_kernels_x86.c — every kernel of the dispatch table under every variant
 * this CPU offers (cbz_kernels_get: sse41, avx2, avx512) against the portable one,
 * byte for byte: random and edge-case inputs (invalid nibbles and zones, all
 * sign bytes, every width, n = 0..67 for the vector tails, unaligned
 * pointers; runs of valid decimals, with and without a rare bad value, for
 * the block-wise AVX2 fast paths; int64 edges of the 2^31, 2^52 and 10^8
 * quotient paths of the encoders).  Inputs and outputs sit right against a PROT_NONE page, so a
 * kernel that reads or writes one byte past its buffer crashes the test, and
 * 32 canary bytes before each buffer catch writes before it.
 */
#include "kernels.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rng = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static void fill_random(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)rnd();
}

/* ------------------------------------------------------------ tight buffers */

#define SLOT_BYTES (1u << 20)
#define NSLOTS 8
#define CANARY 32
static uint8_t *slot_base[NSLOTS];
static int canary_bad;

static int slots_init(void)
{
    long page = sysconf(_SC_PAGESIZE);
    for (int s = 0; s < NSLOTS; s++) {
        uint8_t *m = mmap(NULL, SLOT_BYTES + (size_t)page, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return -1;
        if (mprotect(m + SLOT_BYTES, (size_t)page, PROT_NONE) != 0) return -1;
        slot_base[s] = m;
    }
    return 0;
}

/* `size` bytes of slot s ending at the guard page (so the start is as
 * unaligned as size makes it), preceded by canary bytes */
static void *tight(int s, size_t size)
{
    uint8_t *p = slot_base[s] + SLOT_BYTES - size;
    memset(p - CANARY, 0xA5, CANARY);
    return p;
}
static void check_canary(const void *p)
{
    const uint8_t *b = (const uint8_t *)p - CANARY;
    for (int k = 0; k < CANARY; k++)
        if (b[k] != 0xA5) canary_bad++;
}

/* variants other than portable that this CPU has */
static const cbz_kernel_table *variants[4];
static int nvariants;
static const cbz_kernel_table *P;

static void find_variants(void)
{
    P = cbz_kernels_get("portable");
    const char *const *names = cbz_kernels_variant_names();
    for (size_t k = 0; names[k]; k++) {
        const cbz_kernel_table *t = cbz_kernels_get(names[k]);
        if (t && strcmp(names[k], "portable") != 0) variants[nvariants++] = t;
    }
}

/* counts 0..67, then a few larger ones */
static const size_t extra_n[] = { 100, 255, 1000, 4099 };
#define NEXTRA (sizeof extra_n / sizeof extra_n[0])
#define FOR_EACH_N(n)                                                                      \
    for (size_t n_i_ = 0, n = 0; n_i_ < 68 + NEXTRA;                                        \
         n_i_++, n = n_i_ < 68 ? n_i_ : n_i_ < 68 + NEXTRA ? extra_n[n_i_ - 68] : 0)

static int fails;
#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        int ok_ = (cond);                                                                  \
        CU_ASSERT(ok_);                                                                    \
        if (!ok_ && fails++ < 10) {                                                        \
            printf("\n  mismatch: ");                                                      \
            printf(__VA_ARGS__);                                                           \
        }                                                                                  \
    } while (0)

/* ------------------------------------------------------------ decimal */

static void make_packed(uint8_t *in, size_t n, size_t w, int kind)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = in + i * w;
        int k = kind == 3 ? (int)(rnd() % 3) : kind;
        if (k == 0) { /* random bytes: mostly invalid */
            fill_random(p, w);
            continue;
        }
        for (size_t j = 0; j < w; j++) p[j] = (uint8_t)((rnd() % 10) << 4 | rnd() % 10);
        if (k == 2) /* all nines */
            for (size_t j = 0; j < w; j++) p[j] = 0x99;
        p[w - 1] = (uint8_t)((p[w - 1] & 0xF0) | (0xA + rnd() % 6));
        /* kinds 4 and 5: whole blocks of valid values (the SIMD fast path),
         * 5 with a rare bad nibble, leading nibble or sign among them */
        if (k == 6) { /* every value with a digit as sign nibble (unsigned data read as packed) */
            if (w == 10) p[0] &= 0x0F;
            p[w - 1] = (uint8_t)((p[w - 1] & 0xF0) | rnd() % 10);
            continue;
        }
        if (k == 7) { /* every value with one bad nibble (width 10: a nonzero leading nibble) */
            size_t j = rnd() % w;
            if (w == 10) p[0] = (uint8_t)((p[0] & 0x0F) | (1 + rnd() % 15) << 4);
            else if (j == w - 1) p[j] = (uint8_t)((p[j] & 0x0F) | (0xA + rnd() % 6) << 4);
            else p[j] = (uint8_t)((p[j] & 0xF0) | (0xA + rnd() % 6));
            continue;
        }
        if (k >= 4) {
            if (w == 10) p[0] &= 0x0F;
            if (k == 5 && rnd() % 40 == 0) {
                size_t j = rnd() % w;
                unsigned r = (unsigned)(rnd() % 3);
                if (r == 0) p[j] = (uint8_t)((p[j] & 0x0F) | (0xA + rnd() % 6) << 4);
                if (r == 1) p[j] = (uint8_t)((p[j] & 0xF0) | (j == w - 1 ? rnd() % 10 : 0xA + rnd() % 6));
                if (r == 2) p[0] = (uint8_t)((p[0] & 0x0F) | (1 + rnd() % 15) << 4);
            }
            continue;
        }
        if (w == 10 && rnd() % 4) p[0] &= 0x0F;
        if (rnd() % 5 == 0) { /* one bad nibble anywhere, or a digit as sign */
            size_t j = rnd() % w;
            if (rnd() % 2) p[j] = (uint8_t)((p[j] & 0x0F) | (0xA + rnd() % 6) << 4);
            else p[j] = (uint8_t)((p[j] & 0xF0) | (j == w - 1 ? rnd() % 10 : 0xA + rnd() % 6));
        }
    }
}

static const int64_t edge_i64[] = {
    0, 1, 9, 10, 99, 100, 9999, 10000, 99999999, 100000000, 100000001, 199999999,
    200000000, 1000000000000000 - 1, 1000000000000000, 4503599627370495, 4503599627370496,
    4503599627370497, 9999999999999999, 10000000000000000, 999999999999999999,
    INT64_MAX, INT64_MIN + 1, 4503599600000000, 4503599599999999,
    /* the 32-bit path's range and its quotient correction */
    999999999, 1000000000, 1999999999, 2000000000, 2099999999, 2100000000, 2147483647,
    2147483648, 2147483649, 4294967295, 4294967296, 100000000000000000, 922337203685477580,
};
#define NEDGE (sizeof edge_i64 / sizeof edge_i64[0])

static void test_packed(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (size_t w = 1; w <= CBZ_K_PACKED_MAX_WIDTH; w++)
            for (int kind = 0; kind <= 7; kind++) FOR_EACH_N(n) {
                uint8_t *in = tight(0, n * w);
                make_packed(in, n, w, kind);
                int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
                uint8_t *s1 = tight(3, n), *s2 = tight(4, n), *b1 = tight(5, n), *b2 = tight(6, n);
                size_t c1 = P->packed_to_i64(in, n, w, o1, s1, b1);
                size_t c2 = V->packed_to_i64(in, n, w, o2, s2, b2);
                EXPECT(c1 == c2 && !memcmp(o1, o2, n * 8) && !memcmp(s1, s2, n) &&
                           !memcmp(b1, b2, n),
                       "%s packed_to_i64 w=%zu n=%zu kind=%d", V->name, w, n, kind);
                check_canary(o2); check_canary(s2); check_canary(b2);
                /* pack: what unpack gave, and arbitrary int64 with any sign byte */
                for (int src = 0; src < 3; src++) {
                    int64_t *vals = tight(7, n * 8);
                    uint8_t *sg = tight(3, n);
                    for (size_t i = 0; i < n; i++) {
                        vals[i] = src ? (int64_t)(rnd() >> (rnd() % 64)) : o1[i];
                        if (src == 1 && rnd() % 2) vals[i] = (int64_t)(0 - (uint64_t)vals[i]);
                        if (src == 2) /* quotient-correction and range edges */
                            vals[i] = edge_i64[rnd() % NEDGE] * (rnd() % 2 ? 1 : -1);
                        sg[i] = src ? (uint8_t)rnd() : s1[i];
                    }
                    if (src && n > 0) vals[0] = INT64_MIN;
                    if (src && n > 1) vals[1] = INT64_MAX;
                    uint8_t *p1 = tight(4, n * w), *p2 = tight(5, n * w);
                    P->i64_to_packed(vals, sg, n, w, p1);
                    V->i64_to_packed(vals, sg, n, w, p2);
                    EXPECT(!memcmp(p1, p2, n * w), "%s i64_to_packed w=%zu n=%zu src=%d", V->name,
                           w, n, src);
                    check_canary(p2);
                }
            }
    }
}

/* i64_to_packed's block-wise fast paths (blocks of 16 values whose digits
 * all fit, exact double splits at 10^4, 10^8, 10^12 and the corrected 10^8
 * split of widths 9 and 10): every width, values of every digit count up to
 * the width's 2w-1 digits, values just around multiples of 10^4, 10^8 and
 * 10^12 (where an inexact quotient shows), the largest value that fits and
 * the smallest that does not (the block goes to the portable kernel, which
 * drops the extra digits), INT64_MIN/MAX, any sign byte, n not a multiple
 * of 16, output against the guard page (so unaligned). */
static int64_t pow10_i64(int k)
{
    int64_t p = 1;
    while (k-- > 0) p *= 10;
    return p;
}

/* a random value with exactly `digits` digits (0 for digits = 0) */
static int64_t rnd_digits(int digits)
{
    if (digits <= 0) return 0;
    int64_t lo = pow10_i64(digits - 1), span = digits >= 19 ? INT64_MAX - lo : 9 * lo;
    return lo + (int64_t)(rnd() % (uint64_t)span);
}

/* value near a multiple of 10^4, 10^8 or 10^12 below 10^maxd */
static int64_t rnd_boundary(int maxd)
{
    static const int64_t offs[] = { 0, 1, 2, 4999, 5000, 9998, 9999, 49999999, 50000000,
                                    99999998, 99999999 };
    int k = maxd <= 4 ? 4 : maxd <= 8 ? (rnd() % 2 ? 4 : 8) : 4 * (1 + (int)(rnd() % 3));
    if (k >= maxd) k = maxd - 1 > 0 ? maxd - 1 : 0;
    int64_t unit = pow10_i64(k);
    int64_t room = maxd >= 19 ? INT64_MAX / unit : pow10_i64(maxd) / unit;
    int64_t q = room > 1 ? (int64_t)(rnd() % (uint64_t)room) : 0;
    int64_t off = offs[rnd() % (sizeof offs / sizeof offs[0])] % unit;
    int64_t v = q * unit;
    if (rnd() % 2 && v >= off) v -= off; /* just below the multiple */
    else if ((maxd >= 19 ? INT64_MAX - off : pow10_i64(maxd) - 1 - off) >= v) v += off;
    return v;
}

static void test_packed_fast(void)
{
    static const size_t ns[] = { 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 255, 1000 };
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (size_t w = 1; w <= CBZ_K_PACKED_MAX_WIDTH; w++) {
            const int maxd = (int)(2 * w - 1);
            const int64_t big = maxd >= 19 ? INT64_MAX : pow10_i64(maxd) - 1;
            for (int kind = 0; kind < 5; kind++)
                for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
                    const size_t n = ns[ni];
                    int64_t *vals = tight(7, n * 8);
                    uint8_t *sg = tight(3, n);
                    for (size_t i = 0; i < n; i++) {
                        int64_t x;
                        switch (kind) {
                        case 0: x = rnd_digits((int)(rnd() % (uint64_t)(maxd + 1))); break;
                        case 1: x = rnd_digits(maxd); break; /* the widest values */
                        case 2: x = rnd_boundary(maxd); break;
                        case 3: /* the limits, fitting or not */
                            x = rnd() % 2 ? big : (maxd >= 19 ? INT64_MIN : big + 1);
                            if (rnd() % 3 == 0) x = rnd_digits(maxd);
                            break;
                        default: /* fitting blocks, rarely a value with too many digits */
                            x = rnd_digits((int)(rnd() % (uint64_t)(maxd + 1)));
                            if (rnd() % 50 == 0) x = (int64_t)(rnd() >> 1);
                            if (rnd() % 200 == 0) x = rnd() % 2 ? INT64_MIN : INT64_MAX;
                        }
                        if (x != INT64_MIN && rnd() % 2) x = -x;
                        vals[i] = x;
                        sg[i] = (uint8_t)rnd();
                    }
                    uint8_t *p1 = tight(4, n * w), *p2 = tight(5, n * w);
                    P->i64_to_packed(vals, sg, n, w, p1);
                    V->i64_to_packed(vals, sg, n, w, p2);
                    EXPECT(!memcmp(p1, p2, n * w), "%s i64_to_packed fast w=%zu n=%zu kind=%d",
                           V->name, w, n, kind);
                    check_canary(p2);
                }
            /* the values right at the limit in a block of their own */
            int64_t *vals = tight(7, 16 * 8);
            uint8_t *sg = tight(3, 16);
            for (size_t i = 0; i < 16; i++) {
                vals[i] = i % 2 ? -big : big;
                sg[i] = (uint8_t)(0xC + i % 2);
            }
            uint8_t *p1 = tight(4, 16 * w), *p2 = tight(5, 16 * w);
            P->i64_to_packed(vals, sg, 16, w, p1);
            V->i64_to_packed(vals, sg, 16, w, p2);
            EXPECT(!memcmp(p1, p2, 16 * w), "%s i64_to_packed limit w=%zu", V->name, w);
            /* every digit is 9: the byte pattern itself, not just agreement */
            if (maxd < 19) {
                size_t ok = 1;
                for (size_t i = 0; i < 16; i++)
                    for (size_t j = 0; j < w; j++)
                        ok &= p2[i * w + j] == (j + 1 < w ? 0x99 : (uint8_t)(0x90 | (0xC + i % 2)));
                EXPECT(ok, "%s i64_to_packed all nines w=%zu", V->name, w);
            }
        }
    }
}

/* a valid sign byte of `mode` at p (the digit bytes already written) */
static void zoned_sign(uint8_t *p, size_t w, int ebcdic, int mode)
{
    const uint8_t plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
    size_t at = mode == CBZ_K_SIGN_LEADING || mode == CBZ_K_SIGN_LEADING_SEPARATE ? 0 : w - 1;
    if (mode == CBZ_K_SIGN_TRAILING || mode == CBZ_K_SIGN_LEADING) {
        unsigned z = ebcdic ? 0xA + (unsigned)(rnd() % 6) : (rnd() % 2 ? 0x3 : 0x7);
        p[at] = (uint8_t)(z << 4 | (p[at] & 15u));
    } else if (mode != CBZ_K_SIGN_NONE) {
        p[at] = rnd() % 2 ? plus : minus;
    }
}

static void make_zoned(uint8_t *in, size_t n, size_t w, int ebcdic, int mode, int kind)
{
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = in + i * w;
        if (kind == 0) {
            fill_random(p, w);
            continue;
        }
        for (size_t j = 0; j < w; j++) p[j] = (uint8_t)(zone | rnd() % 10);
        if (kind >= 2) { /* valid blocks (the SIMD fast path); kind 3: rarely one bad byte */
            if (rnd() % 8 == 0)
                for (size_t j = 0; j < w; j++) p[j] = (uint8_t)(zone | 9);
            zoned_sign(p, w, ebcdic, mode);
            if (kind == 3 && rnd() % 40 == 0) {
                size_t j = rnd() % w;
                p[j] = rnd() % 2 ? (uint8_t)rnd() : (uint8_t)(zone | (10 + rnd() % 6));
            }
            continue;
        }
        unsigned r = (unsigned)(rnd() % 8);
        if (r == 0) p[rnd() % w] = (uint8_t)rnd();                      /* any byte */
        if (r == 1) p[0] = (uint8_t)((rnd() % 16) << 4 | rnd() % 10);   /* zone/sign */
        if (r == 2) p[w - 1] = (uint8_t)((rnd() % 16) << 4 | rnd() % 10);
        if (r == 3) p[0] = rnd() % 2 ? (ebcdic ? 0x4E : 0x2B) : (ebcdic ? 0x60 : 0x2D);
        if (r == 4) p[w - 1] = rnd() % 2 ? (ebcdic ? 0x4E : 0x2B) : (ebcdic ? 0x60 : 0x2D);
        if (r == 5) p[rnd() % w] = (uint8_t)(zone | (10 + rnd() % 6)); /* bad digit */
    }
}

static void test_zoned(void)
{
    static const size_t ns[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 67, 500 };
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (int eb = 0; eb <= 1; eb++)
            for (int mode = 0; mode <= 4; mode++)
                for (size_t w = 1; w <= CBZ_K_ZONED_MAX_WIDTH; w++) {
                    size_t nd = (mode >= 3) ? w - 1 : w;
                    if (nd < 1 || nd > CBZ_K_MAX_DIGITS) continue;
                    for (int kind = 0; kind <= 3; kind++)
                        for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
                            size_t n = ns[k];
                            uint8_t *in = tight(0, n * w);
                            make_zoned(in, n, w, eb, mode, kind);
                            int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
                            uint8_t *f1 = tight(3, n), *f2 = tight(4, n);
                            uint8_t *b1 = tight(5, n), *b2 = tight(6, n);
                            size_t c1 = P->zoned_to_i64(in, n, w, mode, eb, o1, f1, b1);
                            size_t c2 = V->zoned_to_i64(in, n, w, mode, eb, o2, f2, b2);
                            EXPECT(c1 == c2 && !memcmp(o1, o2, n * 8) && !memcmp(f1, f2, n) &&
                                       !memcmp(b1, b2, n),
                                   "%s zoned_to_i64 eb=%d mode=%d w=%zu n=%zu", V->name, eb,
                                   mode, w, n);
                            check_canary(o2); check_canary(f2); check_canary(b2);
                            /* encode: decoded values, then arbitrary ones */
                            for (int src = 0; src < 3; src++) {
                                int64_t *vals = tight(7, n * 8);
                                uint8_t *fm = tight(3, n);
                                for (size_t i = 0; i < n; i++) {
                                    vals[i] = src ? (int64_t)rnd() >> (rnd() % 64) : o1[i];
                                    if (src == 2)
                                        vals[i] = edge_i64[rnd() % NEDGE] * (rnd() % 2 ? 1 : -1);
                                    fm[i] = src ? (uint8_t)rnd() : f1[i];
                                }
                                uint8_t *p1 = tight(4, n * w), *p2 = tight(5, n * w);
                                P->i64_to_zoned(vals, fm, n, w, mode, eb, p1);
                                V->i64_to_zoned(vals, fm, n, w, mode, eb, p2);
                                EXPECT(!memcmp(p1, p2, n * w),
                                       "%s i64_to_zoned eb=%d mode=%d w=%zu n=%zu src=%d",
                                       V->name, eb, mode, w, n, src);
                                check_canary(p2);
                            }
                        }
                }
    }
}

static void test_binary(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (size_t w = 1; w <= 8; w++)
            for (int sg = 0; sg <= 1; sg++) FOR_EACH_N(n) {
                uint8_t *in = tight(0, n * w);
                fill_random(in, n * w);
                int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
                P->be_to_i64(in, n, w, sg, o1);
                V->be_to_i64(in, n, w, sg, o2);
                EXPECT(!memcmp(o1, o2, n * 8), "%s be_to_i64 w=%zu s=%d n=%zu", V->name, w, sg, n);
                int64_t *vals = tight(3, n * 8);
                fill_random(vals, n * 8);
                uint8_t *p1 = tight(4, n * w), *p2 = tight(5, n * w);
                P->i64_to_be(vals, n, w, p1);
                V->i64_to_be(vals, n, w, p2);
                EXPECT(!memcmp(p1, p2, n * w), "%s i64_to_be w=%zu n=%zu", V->name, w, n);
                check_canary(o2); check_canary(p2);
            }
    }
}

/* ------------------------------------------------------------ bytes */

static void test_bytes(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        uint8_t table[256];
        fill_random(table, sizeof table);
        FOR_EACH_N(n) {
            uint8_t *in = tight(0, n);
            fill_random(in, n);
            uint8_t *o1 = tight(1, n), *o2 = tight(2, n);
            P->transcode(table, in, n, o1);
            V->transcode(table, in, n, o2);
            EXPECT(!memcmp(o1, o2, n), "%s transcode n=%zu", V->name, n);
            V->transcode(table, in, n, in); /* in place */
            EXPECT(!memcmp(o1, in, n), "%s transcode in place n=%zu", V->name, n);
            check_canary(o2);
        }
        /* text lengths: every width up to 80, values with random pad tails */
        for (size_t w = 1; w <= 80; w++)
            for (int padk = 0; padk < 2; padk++) {
                uint8_t pad = padk ? 0x40 : 0x20;
                static const size_t ns[] = { 0, 1, 2, 3, 5, 16, 31, 33, 67, 300 };
                for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
                    size_t n = ns[k];
                    uint8_t *in = tight(0, n * w);
                    for (size_t i = 0; i < n; i++) {
                        size_t keep = rnd() % 3 == 0 ? 0 : rnd() % (w + 1);
                        for (size_t j = 0; j < w; j++)
                            in[i * w + j] = j < keep ? (uint8_t)rnd() : pad;
                    }
                    uint32_t *l1 = tight(1, n * 4), *l2 = tight(2, n * 4);
                    size_t t1 = P->text_lengths(in, n, w, pad, l1);
                    size_t t2 = V->text_lengths(in, n, w, pad, l2);
                    EXPECT(t1 == t2 && !memcmp(l1, l2, n * 4), "%s text_lengths w=%zu n=%zu",
                           V->name, w, n);
                    check_canary(l2);
                }
            }
        /* gather/scatter: records buffer exactly as long as the last field */
        for (size_t w = 1; w <= 40; w++)
            for (size_t extra = 0; extra <= 9; extra += 3) {
                size_t stride = w + extra, offset = extra ? rnd() % (extra + 1) : 0;
                static const size_t ns[] = { 0, 1, 2, 3, 4, 7, 8, 9, 31, 67, 301 };
                for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
                    size_t n = ns[k];
                    size_t rec = n ? (n - 1) * stride + offset + w : 0;
                    uint8_t *recs = tight(0, rec); /* the last field ends at the guard */
                    fill_random(recs, rec);
                    uint8_t *c1 = tight(1, n * w), *c2 = tight(2, n * w);
                    P->gather(recs, n, stride, offset, w, c1);
                    V->gather(recs, n, stride, offset, w, c2);
                    EXPECT(!memcmp(c1, c2, n * w), "%s gather w=%zu stride=%zu n=%zu", V->name,
                           w, stride, n);
                    uint8_t *r1 = tight(4, n * stride), *r2 = tight(5, n * stride);
                    fill_random(r1, n * stride);
                    memcpy(r2, r1, n * stride);
                    P->scatter(c1, n, stride, offset, w, r1);
                    V->scatter(c1, n, stride, offset, w, r2);
                    EXPECT(!memcmp(r1, r2, n * stride), "%s scatter w=%zu n=%zu", V->name, w, n);
                    check_canary(c2); check_canary(r2);
                }
            }
        /* byte planes */
        for (size_t w = 1; w <= 17; w++) FOR_EACH_N(n) {
            if (n * w > SLOT_BYTES / 2) continue;
            uint8_t *in = tight(0, n * w);
            fill_random(in, n * w);
            uint8_t *o1 = tight(1, n * w), *o2 = tight(2, n * w);
            P->planes_split(in, n, w, o1);
            V->planes_split(in, n, w, o2);
            EXPECT(!memcmp(o1, o2, n * w), "%s planes_split w=%zu n=%zu", V->name, w, n);
            P->planes_join(in, n, w, o1);
            V->planes_join(in, n, w, o2);
            EXPECT(!memcmp(o1, o2, n * w), "%s planes_join w=%zu n=%zu", V->name, w, n);
            check_canary(o2);
        }
    }
}

/* ------------------------------------------------------------ integers */

static void make_ints(int64_t *x, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: x[i] = (int64_t)rnd(); break;
        case 1: x[i] = (int64_t)rnd() >> (rnd() % 64); break;
        case 2: x[i] = (int64_t)(rnd() % 3) - 1; break; /* runs */
        default: x[i] = rnd() % 2 ? INT64_MIN : INT64_MAX; break;
        }
    }
}

static void test_ints(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (int kind = 0; kind < 4; kind++) FOR_EACH_N(n) {
            int64_t *in = tight(0, n * 8);
            make_ints(in, n, kind);
            int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8), *o3 = tight(3, n * 8);
            const cbz_k_i64_map_fn pm[4] = { P->delta_encode, P->delta_decode, P->delta2_encode,
                                             P->delta2_decode };
            const cbz_k_i64_map_fn vm[4] = { V->delta_encode, V->delta_decode, V->delta2_encode,
                                             V->delta2_decode };
            for (int f = 0; f < 4; f++) {
                pm[f](in, n, o1);
                vm[f](in, n, o2);
                memcpy(o3, in, n * 8);
                vm[f](o3, n, o3); /* in place */
                EXPECT(!memcmp(o1, o2, n * 8) && !memcmp(o1, o3, n * 8),
                       "%s delta family %d n=%zu kind=%d", V->name, f, n, kind);
            }
            int64_t base = (int64_t)rnd();
            P->for_encode(in, n, base, (uint64_t *)o1);
            V->for_encode(in, n, base, (uint64_t *)o2);
            EXPECT(!memcmp(o1, o2, n * 8), "%s for_encode n=%zu", V->name, n);
            P->for_decode((const uint64_t *)in, n, base, o1);
            V->for_decode((const uint64_t *)in, n, base, o2);
            EXPECT(!memcmp(o1, o2, n * 8), "%s for_decode n=%zu", V->name, n);
            P->zigzag_encode(in, n, (uint64_t *)o1);
            V->zigzag_encode(in, n, (uint64_t *)o2);
            EXPECT(!memcmp(o1, o2, n * 8), "%s zigzag_encode n=%zu", V->name, n);
            P->zigzag_decode((const uint64_t *)in, n, o1);
            V->zigzag_decode((const uint64_t *)in, n, o2);
            EXPECT(!memcmp(o1, o2, n * 8), "%s zigzag_decode n=%zu", V->name, n);
            if (n >= 1) {
                int64_t a1, b1, a2, b2;
                P->minmax(in, n, &a1, &b1);
                V->minmax(in, n, &a2, &b2);
                EXPECT(a1 == a2 && b1 == b2, "%s minmax n=%zu", V->name, n);
                /* seq_stats folds into what it is given: from a start
                 * that the values do not reach, and from one they do; all
                 * the values as one block, then up to 40 blocks anywhere
                 * in them (overlapping too), short and long ones */
                size_t bs[40], bl[40], nbk = 1 + rnd() % 40;
                for (size_t b = 0; b < nbk; b++) {
                    bs[b] = rnd() % n;
                    bl[b] = 1 + rnd() % (rnd() % 2 ? n - bs[b] : (n - bs[b] < 12 ? n - bs[b] : 12));
                }
                const size_t at0 = 0;
                for (int st = 0; st < 4; st++) {
                    cbz_k_seq_stats s1 = { INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN,
                                           INT64_MAX, INT64_MIN, 0, 0 };
                    if (st & 1) s1 = (cbz_k_seq_stats){ in[n / 2], in[n / 2], 0, 0, 0, 0, 4, 3 };
                    cbz_k_seq_stats s2 = s1;
                    if (st < 2) {
                        P->seq_stats(in, &at0, &n, 1, &s1);
                        V->seq_stats(in, &at0, &n, 1, &s2);
                    } else {
                        P->seq_stats(in, bs, bl, nbk, &s1);
                        V->seq_stats(in, bs, bl, nbk, &s2);
                    }
                    EXPECT(!memcmp(&s1, &s2, sizeof s1), "%s seq_stats n=%zu kind=%d start=%d",
                           V->name, n, kind, st);
                }
            }
            EXPECT(P->max_bits_u64((const uint64_t *)in, n) ==
                       V->max_bits_u64((const uint64_t *)in, n),
                   "%s max_bits n=%zu", V->name, n);
            EXPECT(P->run_count(in, n) == V->run_count(in, n), "%s run_count n=%zu", V->name, n);
            uint32_t *l1 = tight(4, n * 4 + 4), *l2 = tight(5, n * 4 + 4);
            size_t r1 = P->rle_encode(in, n, o1, l1), r2 = V->rle_encode(in, n, o2, l2);
            EXPECT(r1 == r2 && !memcmp(o1, o2, r1 * 8) && !memcmp(l1, l2, r1 * 4),
                   "%s rle_encode n=%zu", V->name, n);
            EXPECT(V->rle_decode(o1, l1, r1, o3, n) && !memcmp(o3, in, n * 8),
                   "%s rle_decode n=%zu", V->name, n);
            check_canary(o2); check_canary(o3);
        }
    }
}

static void test_bitpack(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (unsigned bits = 0; bits <= 64; bits++) FOR_EACH_N(n) {
            size_t sz = cbz_k_bitpack_size(n, bits);
            uint64_t *in = tight(0, n * 8);
            fill_random(in, n * 8);
            uint8_t *p1 = tight(1, sz), *p2 = tight(2, sz);
            memset(p1, 0, sz);
            memset(p2, 0, sz);
            P->bitpack_u64(in, n, bits, p1);
            V->bitpack_u64(in, n, bits, p2);
            EXPECT(!memcmp(p1, p2, sz), "%s bitpack_u64 bits=%u n=%zu", V->name, bits, n);
            uint64_t *u1 = tight(3, n * 8), *u2 = tight(4, n * 8);
            P->bitunpack_u64(p1, n, bits, u1);
            V->bitunpack_u64(p1, n, bits, u2);
            EXPECT(!memcmp(u1, u2, n * 8), "%s bitunpack_u64 bits=%u n=%zu", V->name, bits, n);
            check_canary(p2); check_canary(u2);
            if (bits > 32) continue;
            uint32_t *in32 = tight(5, n * 4);
            fill_random(in32, n * 4);
            memset(p1, 0, sz);
            memset(p2, 0, sz);
            P->bitpack_u32(in32, n, bits, p1);
            V->bitpack_u32(in32, n, bits, p2);
            EXPECT(!memcmp(p1, p2, sz), "%s bitpack_u32 bits=%u n=%zu", V->name, bits, n);
            /* unpack of random bytes too: every bit pattern */
            fill_random(p1, sz);
            uint32_t *w1 = tight(6, n * 4), *w2 = tight(7, n * 4);
            P->bitunpack_u32(p1, n, bits, w1);
            V->bitunpack_u32(p1, n, bits, w2);
            EXPECT(!memcmp(w1, w2, n * 4), "%s bitunpack_u32 bits=%u n=%zu", V->name, bits, n);
            check_canary(w2);
        }
    }
}

static void test_dict(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        uint64_t keys[64];
        for (size_t k = 0; k < 64; k++) keys[k] = k * 3 + 1;
        FOR_EACH_N(n) {
            uint64_t *vals = tight(0, n * 8);
            for (size_t i = 0; i < n; i++) vals[i] = rnd() % 200;
            uint32_t *c1 = tight(1, n * 4), *c2 = tight(2, n * 4);
            size_t m1 = P->dict_lookup_u64(keys, 64, vals, n, c1);
            size_t m2 = V->dict_lookup_u64(keys, 64, vals, n, c2);
            EXPECT(m1 == m2 && !memcmp(c1, c2, n * 4), "%s dict_lookup_u64 n=%zu", V->name, n);
            for (size_t i = 0; i < n; i++) c1[i] = (uint32_t)(rnd() % 64);
            uint64_t *g1 = tight(3, n * 8), *g2 = tight(4, n * 8);
            EXPECT(P->dict_gather_u64(c1, n, keys, 64, g1) ==
                           V->dict_gather_u64(c1, n, keys, 64, g2) &&
                       !memcmp(g1, g2, n * 8),
                   "%s dict_gather_u64 n=%zu", V->name, n);
            if (n > 0) { /* a bad code anywhere: both refuse */
                c1[rnd() % n] = 64 + (uint32_t)(rnd() % 2) * 0x7FFFFFFFu;
                EXPECT(!P->dict_gather_u64(c1, n, keys, 64, g1) &&
                           !V->dict_gather_u64(c1, n, keys, 64, g2),
                       "%s dict_gather_u64 bad code n=%zu", V->name, n);
            }
        }
    }
}

/* dict_gather_fixed at every width 0..70 and dictionary sizes whose last
 * entries lie less than a vector from the end (the AVX2 kernel reads those
 * from a copy): the dictionary and out end at guard pages, so a read or
 * write past either faults. */
static void test_dict_fixed(void)
{
    static const size_t nds[] = { 1, 2, 3, 5, 17, 300 };
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (size_t w = 0; w <= 70; w++)
            for (size_t k = 0; k < sizeof nds / sizeof nds[0]; k++) {
                const size_t nd = nds[k];
                uint8_t *dict = tight(0, nd * w);
                fill_random(dict, nd * w);
                FOR_EACH_N(n) {
                    if (n * w > SLOT_BYTES - CANARY || n * 4 > SLOT_BYTES - CANARY) continue;
                    uint32_t *c = tight(1, n * 4);
                    for (size_t i = 0; i < n; i++)
                        c[i] = (uint32_t)(i % 3 ? rnd() % nd : nd - 1 - i % nd);
                    uint8_t *o1 = tight(2, n * w), *o2 = tight(3, n * w);
                    bool r1 = P->dict_gather_fixed(c, n, dict, nd, w, o1);
                    bool r2 = V->dict_gather_fixed(c, n, dict, nd, w, o2);
                    EXPECT(r1 && r2 && !memcmp(o1, o2, n * w),
                           "%s dict_gather_fixed w=%zu nd=%zu n=%zu", V->name, w, nd, n);
                    check_canary(o2);
                    EXPECT(P->dict_gather_fixed(c, n, NULL, nd, 0, NULL) &&
                               V->dict_gather_fixed(c, n, NULL, nd, 0, NULL),
                           "%s dict_gather_fixed check alone nd=%zu n=%zu", V->name, nd, n);
                    if (n > 0) {
                        c[rnd() % n] = (uint32_t)nd + (uint32_t)(rnd() % 2) * 0x80000000u;
                        EXPECT(!P->dict_gather_fixed(c, n, dict, nd, w, o1) &&
                                   !V->dict_gather_fixed(c, n, dict, nd, w, o2) &&
                                   !V->dict_gather_fixed(c, n, NULL, nd, 0, NULL),
                               "%s dict_gather_fixed bad code w=%zu nd=%zu n=%zu", V->name, w,
                               nd, n);
                    }
                }
            }
    }
}

static void test_available(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    printf("\n  variants beside portable:");
    for (int v = 0; v < nvariants; v++) printf(" %s", variants[v]->name);
    __builtin_cpu_init();
    /* on a CPU with the feature, the variant must be there */
    if (__builtin_cpu_supports("sse4.1")) CU_ASSERT_PTR_NOT_NULL(cbz_kernels_get("sse41"));
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2"))
        CU_ASSERT_PTR_NOT_NULL(cbz_kernels_get("avx2"));
    /* and a SIMD variant really replaces the hot kernels */
    const cbz_kernel_table *a = cbz_kernels_get("avx2");
    if (a) {
        CU_ASSERT(a->packed_to_i64 != P->packed_to_i64);
        CU_ASSERT(a->i64_to_packed != P->i64_to_packed);
        CU_ASSERT(a->zoned_to_i64 != P->zoned_to_i64);
        CU_ASSERT(a->i64_to_zoned != P->i64_to_zoned);
        CU_ASSERT(a->bitunpack_u32 != P->bitunpack_u32);
        CU_ASSERT(a->transcode != P->transcode);
        CU_ASSERT(a->planes_split != P->planes_split);
    }
    if (a && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512ifma"))
        CU_ASSERT_PTR_NOT_NULL(cbz_kernels_get("avx512"));
    const cbz_kernel_table *x = cbz_kernels_get("avx512");
    if (x && a) { /* its own decimal encoders, the avx2 table's other entries */
        CU_ASSERT(x->i64_to_packed != a->i64_to_packed);
        CU_ASSERT(x->i64_to_zoned != a->i64_to_zoned);
        CU_ASSERT(x->packed_to_i64 != a->packed_to_i64);
        CU_ASSERT(x->zoned_to_i64 != a->zoned_to_i64);
        if (__builtin_cpu_supports("avx512vbmi2")) CU_ASSERT(x->select_rows != a->select_rows);
        CU_ASSERT(x->be_to_i64 == a->be_to_i64);
    }
}

static void test_canaries(void) { CU_ASSERT_EQUAL(canary_bad, 0); }

/* Half of the n values of w bytes at in, at random, made blank: spaces of
 * the code page (EBCDIC eb, else ASCII) or, one time in four, low-values;
 * how many. */
static size_t blank_at_random(uint8_t *in, size_t n, size_t w, int eb)
{
    size_t blanks = 0;
    for (size_t i = 0; i < n; i++)
        if (rnd() % 2) {
            memset(in + i * w, rnd() % 4 ? (eb ? 0x40 : 0x20) : 0x00, w);
            blanks++;
        }
    return blanks;
}

/* Unused OCCURS entries: blank values (spaces of the code page, or
 * low-values) at random among valid ones, so that nearly every block of 16
 * mixes both: the block kernels' per-value path for such blocks must give
 * the portable kernel's outputs, and exactly the blanks count as invalid. */
static void test_blank_mixed(void)
{
    const size_t n = 4099;
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (int eb = 0; eb <= 1; eb++)
            for (size_t w = 1; w <= CBZ_K_PACKED_MAX_WIDTH; w++) {
                uint8_t *in = tight(0, n * w);
                make_packed(in, n, w, 4);
                size_t blanks = blank_at_random(in, n, w, eb);
                int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
                uint8_t *s1 = tight(3, n), *s2 = tight(4, n), *b1 = tight(5, n), *b2 = tight(6, n);
                size_t c1 = P->packed_to_i64(in, n, w, o1, s1, b1);
                size_t c2 = V->packed_to_i64(in, n, w, o2, s2, b2);
                EXPECT(c1 == blanks && c2 == blanks && !memcmp(o1, o2, n * 8) &&
                           !memcmp(s1, s2, n) && !memcmp(b1, b2, n),
                       "%s packed_to_i64 blanks w=%zu: %zu, %zu of %zu", V->name, w, c1, c2,
                       blanks);
                check_canary(o2); check_canary(s2); check_canary(b2);
            }
        for (int eb = 0; eb <= 1; eb++)
            for (int mode = 0; mode <= 4; mode++)
                for (size_t w = 1; w <= CBZ_K_ZONED_MAX_WIDTH; w++) {
                    size_t nd = (mode >= 3) ? w - 1 : w;
                    if (nd < 1 || nd > CBZ_K_MAX_DIGITS) continue;
                    uint8_t *in = tight(0, n * w);
                    make_zoned(in, n, w, eb, mode, 2);
                    size_t blanks = blank_at_random(in, n, w, eb);
                    int64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
                    uint8_t *f1 = tight(3, n), *f2 = tight(4, n);
                    uint8_t *b1 = tight(5, n), *b2 = tight(6, n);
                    size_t c1 = P->zoned_to_i64(in, n, w, mode, eb, o1, f1, b1);
                    size_t c2 = V->zoned_to_i64(in, n, w, mode, eb, o2, f2, b2);
                    EXPECT(c1 == blanks && c2 == blanks && !memcmp(o1, o2, n * 8) &&
                               !memcmp(f1, f2, n) && !memcmp(b1, b2, n),
                           "%s zoned_to_i64 blanks eb=%d mode=%d w=%zu: %zu, %zu of %zu",
                           V->name, eb, mode, w, c1, c2, blanks);
                    check_canary(o2); check_canary(f2); check_canary(b2);
                }
    }
}

/* n flags, each 1 with probability pct/100; their count of 1s. */
static size_t random_flags(uint8_t *f, size_t n, unsigned pct)
{
    size_t ones = 0;
    for (size_t i = 0; i < n; i++) ones += f[i] = rnd() % 100 < pct;
    return ones;
}

/* The decoder merges (exceptions among valid values): rows of every width
 * 1..40 from two sources holding exactly the rows they give (so a read
 * past either faults), values expanded (in place too, and with m short)
 * and selected, rows selected and blank rows found, widths 1..70, at flag
 * densities from none to all. */
static void test_merges(void)
{
    static const unsigned pcts[] = { 0, 13, 50, 87, 100 };
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) FOR_EACH_N(n) {
            uint8_t *f = tight(0, n);
            const size_t ones = random_flags(f, n, pcts[k]), zeros = n - ones;
            for (size_t w = 1; w <= 40; w++) {
                uint8_t *x = tight(1, ones * w), *y = tight(2, zeros * w);
                fill_random(x, ones * w);
                fill_random(y, zeros * w);
                uint8_t *o1 = tight(3, n * w), *o2 = tight(4, n * w);
                P->merge_rows(f, n, w, x, y, o1);
                V->merge_rows(f, n, w, x, y, o2);
                EXPECT(!memcmp(o1, o2, n * w), "%s merge_rows w=%zu n=%zu pct=%u", V->name, w, n,
                       pcts[k]);
                check_canary(o2);
            }
            for (size_t short_by = 0; short_by <= (zeros ? 3u : 0u); short_by++) {
                const size_t m = zeros - (short_by < zeros ? short_by : zeros);
                uint64_t *in = tight(1, m * 8), *e1 = tight(3, n * 8), *e2 = tight(4, n * 8);
                fill_random(in, m * 8);
                P->expand_u64(in, f, n, m, e1);
                V->expand_u64(in, f, n, m, e2);
                EXPECT(!memcmp(e1, e2, n * 8), "%s expand_u64 n=%zu m=%zu pct=%u", V->name, n, m,
                       pcts[k]);
                check_canary(e2);
                memcpy(e2, in, m * 8); /* in place */
                V->expand_u64(e2, f, n, m, e2);
                EXPECT(!memcmp(e1, e2, n * 8), "%s expand_u64 in place n=%zu m=%zu", V->name, n, m);
            }
            uint64_t *in = tight(1, n * 8), *s1 = tight(3, n * 8), *s2 = tight(4, n * 8);
            fill_random(in, n * 8);
            const size_t c1 = P->select_u64(in, f, n, s1), c2 = V->select_u64(in, f, n, s2);
            EXPECT(c1 == zeros && c2 == zeros && !memcmp(s1, s2, zeros * 8),
                   "%s select_u64 n=%zu pct=%u: %zu, %zu of %zu", V->name, n, pcts[k], c1, c2,
                   zeros);
            check_canary(s2);
            memcpy(s2, in, n * 8); /* in place */
            EXPECT(V->select_u64(s2, f, n, s2) == zeros && !memcmp(s1, s2, zeros * 8),
                   "%s select_u64 in place n=%zu", V->name, n);
            /* select_rows, each flag kept in turn, widths 1..70: the kept
             * rows agree, and the output ends right past its room (the
             * guard page) */
            for (size_t w = 1; w <= 70; w++)
                for (uint8_t keep = 0; keep <= 1; keep++) {
                    if (n * w > SLOT_BYTES - CANARY) continue;
                    const size_t kept = keep ? ones : zeros;
                    const size_t room = (kept + 1) * w + CBZ_K_SELECT_ROWS_ROOM;
                    uint8_t *r = tight(1, n * w), *r1 = tight(3, room), *r2 = tight(4, room);
                    fill_random(r, n * w);
                    const size_t c1 = P->select_rows(r, f, n, w, keep, r1);
                    const size_t c2 = V->select_rows(r, f, n, w, keep, r2);
                    EXPECT(c1 == kept && c2 == kept && !memcmp(r1, r2, kept * w),
                           "%s select_rows w=%zu n=%zu pct=%u keep=%u: %zu, %zu of %zu",
                           V->name, w, n, pcts[k], keep, c1, c2, kept);
                    check_canary(r2);
                }
            /* blank rows: rows of b at the 1 flags, a row with one byte
             * that is not b (anywhere) at the 0 flags */
            for (size_t w = 1; w <= 70; w++) {
                if (n * w > SLOT_BYTES - CANARY) continue;
                uint8_t *r = tight(1, n * w), *g1 = tight(3, n), *g2 = tight(4, n);
                const uint8_t b = w % 2 ? 0x40 : 0x20;
                memset(r, b, n * w);
                for (size_t i = 0; i < n; i++)
                    if (!f[i]) r[i * w + rnd() % w] = (uint8_t)(b ^ (1u << (rnd() % 8)));
                const size_t c1 = P->blank_rows(r, n, w, b, g1), c2 = V->blank_rows(r, n, w, b, g2);
                EXPECT(c1 == ones && c2 == ones && !memcmp(g1, g2, n) && !memcmp(g1, f, n),
                       "%s blank_rows w=%zu n=%zu: %zu, %zu of %zu", V->name, w, n, c1, c2, ones);
                check_canary(g2);
            }
        }
    }
}

/* A byte for digit_rows: a digit of the zone, a byte just past its ten,
 * the pad, or any byte. */
static uint8_t digit_row_byte(uint8_t zone)
{
    switch (rnd() % 4) {
    case 0: return (uint8_t)(zone + rnd() % 10);
    case 1: return (uint8_t)(zone + 10 + rnd() % 6);
    case 2: return zone == 0xF0 ? 0x40 : 0x20;
    default: return (uint8_t)rnd();
    }
}

/* The digit flags of rows of every width 1..64, either zone, at every n,
 * the input ending at a guard page (a read past it faults). */
static void test_digit_rows(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        FOR_EACH_N(n) {
            for (size_t w = 1; w <= 64; w++) {
                if (n * w > SLOT_BYTES - CANARY) continue;
                const uint8_t zone = w % 2 ? 0xF0 : 0x30;
                uint8_t *r = tight(1, n * w);
                uint64_t *g1 = tight(3, n * 8), *g2 = tight(4, n * 8);
                for (size_t b = 0; b < n * w; b++) r[b] = digit_row_byte(zone);
                P->digit_rows(r, n, w, zone, g1);
                V->digit_rows(r, n, w, zone, g2);
                EXPECT(!memcmp(g1, g2, n * 8), "%s digit_rows w=%zu n=%zu", V->name, w, n);
                check_canary(g2);
            }
        }
    }
}

/* Planes of 64-bit values: byte planes (k 1..8) and decimal planes (k 1..9,
 * digit pairs 0..99, the top plane any byte, with and without signs), with
 * any add, at every n; a digit pair over 99 or a negative zero anywhere:
 * both refuse. */
static void test_planes_u64(void)
{
    for (int v = 0; v < nvariants; v++) {
        const cbz_kernel_table *V = variants[v];
        FOR_EACH_N(n) {
            uint64_t *o1 = tight(1, n * 8), *o2 = tight(2, n * 8);
            for (unsigned k = 1; k <= 8; k++) {
                uint8_t *in = tight(0, n * k);
                fill_random(in, n * k);
                const uint64_t add = rnd() % 2 ? rnd() : 0;
                P->planes_u64(in, n, k, add, o1);
                V->planes_u64(in, n, k, add, o2);
                EXPECT(!memcmp(o1, o2, n * 8), "%s planes_u64 k=%u n=%zu", V->name, k, n);
                check_canary(o2);
            }
            for (unsigned k = 1; k <= 9; k++)
                for (int sg = 0; sg <= 1; sg++) {
                    uint8_t *in = tight(0, n * k), *s = tight(3, (n + 7) / 8);
                    for (size_t q = 0; q < n * k; q++)
                        in[q] = (uint8_t)(q < (k - 1) * n ? rnd() % 100 : rnd());
                    fill_random(s, (n + 7) / 8);
                    for (size_t i = 0; i < n; i++) /* no negative zero */
                        if (in[(k - 1) * n + i] == 0) in[(k - 1) * n + i] = 1;
                    const uint8_t *signs = sg ? s : NULL;
                    const uint64_t add = rnd() % 2 ? rnd() : 0;
                    bool r1 = P->dec_planes_u64(in, n, k, signs, add, o1);
                    bool r2 = V->dec_planes_u64(in, n, k, signs, add, o2);
                    EXPECT(r1 && r2 && !memcmp(o1, o2, n * 8), "%s dec_planes_u64 k=%u n=%zu s=%d",
                           V->name, k, n, sg);
                    check_canary(o2);
                    if (n == 0) continue;
                    const size_t i = rnd() % n;
                    if (k > 1) { /* a digit pair over 99 */
                        const size_t q = rnd() % ((k - 1) * n), was = in[q];
                        in[q] = (uint8_t)(100 + rnd() % 156);
                        EXPECT(!P->dec_planes_u64(in, n, k, signs, add, o1) &&
                                   !V->dec_planes_u64(in, n, k, signs, add, o2),
                               "%s dec_planes_u64 bad pair k=%u n=%zu", V->name, k, n);
                        in[q] = (uint8_t)was;
                    }
                    if (sg) { /* a negative zero */
                        for (unsigned j = 0; j < k; j++) in[j * n + i] = 0;
                        s[i >> 3] |= (uint8_t)(1u << (i & 7));
                        EXPECT(!P->dec_planes_u64(in, n, k, signs, add, o1) &&
                                   !V->dec_planes_u64(in, n, k, signs, add, o2),
                               "%s dec_planes_u64 negative zero k=%u n=%zu", V->name, k, n);
                    }
                }
        }
    }
}

int main(void)
{
    if (slots_init() != 0) {
        perror("mmap");
        return 1;
    }
    find_variants();
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("kernels_x86", NULL, NULL);
    CU_add_test(s, "variants present on this CPU", test_available);
    CU_add_test(s, "packed decimal both ways, every width, n 0..67", test_packed);
    CU_add_test(s, "i64_to_packed fast paths: digit counts, 10^k edges, limits", test_packed_fast);
    CU_add_test(s, "zoned decimal both ways, every mode/code page/width", test_zoned);
    CU_add_test(s, "big-endian binary both ways", test_binary);
    CU_add_test(s, "transcode, text lengths, gather/scatter, planes", test_bytes);
    CU_add_test(s, "delta, FOR, zigzag, minmax, runs", test_ints);
    CU_add_test(s, "bit-pack and unpack, bits 0..64", test_bitpack);
    CU_add_test(s, "dictionary", test_dict);
    CU_add_test(s, "dictionary gather of fixed widths", test_dict_fixed);
    CU_add_test(s, "decimals mixed with blank values, per-value block path", test_blank_mixed);
    CU_add_test(s, "decoder merges: rows, expand, select, blank rows", test_merges);
    CU_add_test(s, "digit flags of rows", test_digit_rows);
    CU_add_test(s, "byte and decimal planes of 64-bit values", test_planes_u64);
    CU_add_test(s, "no write before any output buffer", test_canaries);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
