/*
 * numeric.c — the exact numeric codecs declared in numeric.h: zoned, packed,
 * binary, decimal text, and COMP-1/COMP-2 floats.  Decimals are digit strings
 * end to end; binary goes through unsigned __int128 (39 digits), floats
 * through long double, which holds every IBM hex and IEEE value exactly.
 */
#include "numeric.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 cbz_u128;

#define EBCDIC_PLUS 0x4E
#define EBCDIC_MINUS 0x60
#define ASCII_PLUS 0x2B
#define ASCII_MINUS 0x2D

/* ---------------------------------------------------------------------------
 * Zoned decimal.
 * ------------------------------------------------------------------------- */

/* The overpunched byte: digit 0..9 and sign, or -1 when invalid. */
static int overpunch_digit(uint8_t b, bool ebcdic, bool *negative)
{
    if (ebcdic) {
        uint8_t zone = b >> 4, digit = b & 0x0F;
        if (digit > 9) return -1;
        if (zone == 0xF || zone == 0xC) *negative = false;
        else if (zone == 0xD) *negative = true;
        else return -1;
        return digit;
    }
    if (b >= 0x30 && b <= 0x39) return *negative = false, b - 0x30;
    if (b >= 0x70 && b <= 0x79) return *negative = true, b - 0x70;
    if (b == 0x7B) return *negative = false, 0;          /* '{' */
    if (b >= 0x41 && b <= 0x49) return *negative = false, b - 0x40; /* 'A'..'I' */
    if (b == 0x7D) return *negative = true, 0;           /* '}' */
    if (b >= 0x4A && b <= 0x52) return *negative = true, b - 0x49;  /* 'J'..'R' */
    return -1;
}

cbz_status cbz_zoned_decode(const uint8_t *p, size_t size, bool is_signed, cbz_sign sign,
                            bool ebcdic, cbz_decimal *out, size_t *bad_at)
{
    if (!is_signed) sign = CBZ_SIGN_NONE;
    else if (sign == CBZ_SIGN_NONE) sign = CBZ_SIGN_TRAILING;
    bool separate = sign == CBZ_SIGN_LEADING_SEPARATE || sign == CBZ_SIGN_TRAILING_SEPARATE;
    if (size < (separate ? 2u : 1u) || size - separate > CBZ_DEC_DIGITS_MAX) {
        if (bad_at) *bad_at = 0;
        return CBZ_ERR_UNSUPPORTED;
    }
    size_t first = sign == CBZ_SIGN_LEADING_SEPARATE ? 1 : 0;
    size_t n = size - separate;
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    size_t sign_pos = sign == CBZ_SIGN_TRAILING ? n - 1 : 0;
    bool negative = false;

    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[first + i];
        uint8_t digit = (uint8_t)(b - zone);
        if (digit <= 9) {
            out->d[i] = (char)('0' + digit);
            continue;
        }
        /* Not a plain digit: only the overpunch position may hold a sign. */
        int d = -1;
        if (i == sign_pos && (sign == CBZ_SIGN_TRAILING || sign == CBZ_SIGN_LEADING))
            d = overpunch_digit(b, ebcdic, &negative);
        if (d < 0) {
            if (bad_at) *bad_at = first + i;
            return CBZ_ERR_VALUE;
        }
        out->d[i] = (char)('0' + d);
    }
    if (separate) {
        size_t at = sign == CBZ_SIGN_LEADING_SEPARATE ? 0 : size - 1;
        uint8_t b = p[at];
        if (b == (ebcdic ? EBCDIC_MINUS : ASCII_MINUS)) negative = true;
        else if (b != (ebcdic ? EBCDIC_PLUS : ASCII_PLUS)) {
            if (bad_at) *bad_at = at;
            return CBZ_ERR_VALUE;
        }
    }
    out->n = (uint8_t)n;
    out->negative = negative;
    return CBZ_OK;
}

int cbz_decimal_significant(const cbz_decimal *v)
{
    int k = 0;
    while (k < v->n && v->d[k] == '0') k++;
    return v->n - k;
}

/* Writes v's digits right-aligned into n digit values 0..9 at dst. */
static cbz_status spread_digits(const cbz_decimal *v, uint8_t *dst, size_t n, const char **why)
{
    int sig = cbz_decimal_significant(v);
    if ((size_t)sig > n) {
        if (why) *why = "too many integer digits for the field";
        return CBZ_ERR_VALUE;
    }
    memset(dst, 0, n);
    const char *src = v->d + v->n - sig;
    for (int i = 0; i < sig; i++) dst[n - (size_t)sig + (size_t)i] = (uint8_t)(src[i] - '0');
    return CBZ_OK;
}

cbz_status cbz_zoned_encode(const cbz_decimal *v, bool is_signed, cbz_sign sign, bool ebcdic,
                            uint8_t *p, size_t size, const char **why)
{
    if (!is_signed) sign = CBZ_SIGN_NONE;
    else if (sign == CBZ_SIGN_NONE) sign = CBZ_SIGN_TRAILING;
    bool separate = sign == CBZ_SIGN_LEADING_SEPARATE || sign == CBZ_SIGN_TRAILING_SEPARATE;
    if (size < (separate ? 2u : 1u) || size - separate > CBZ_DEC_DIGITS_MAX) {
        if (why) *why = "field size is outside the zoned decimal limits";
        return CBZ_ERR_UNSUPPORTED;
    }
    if (!is_signed && v->negative) {
        if (why) *why = "negative value for an unsigned field";
        return CBZ_ERR_VALUE;
    }
    size_t n = size - separate, first = sign == CBZ_SIGN_LEADING_SEPARATE ? 1 : 0;
    uint8_t digits[CBZ_DEC_DIGITS_MAX];
    if (spread_digits(v, digits, n, why) != CBZ_OK) return CBZ_ERR_VALUE;
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    for (size_t i = 0; i < n; i++) p[first + i] = (uint8_t)(zone | digits[i]);
    if (sign == CBZ_SIGN_TRAILING || sign == CBZ_SIGN_LEADING) {
        size_t at = sign == CBZ_SIGN_TRAILING ? n - 1 : 0;
        uint8_t d = digits[at];
        if (ebcdic) p[at] = (uint8_t)((v->negative ? 0xD0 : 0xC0) | d);
        else p[at] = (uint8_t)(v->negative ? 0x70 + d : 0x30 + d);
    } else if (separate) {
        uint8_t s = ebcdic ? (v->negative ? EBCDIC_MINUS : EBCDIC_PLUS)
                           : (v->negative ? ASCII_MINUS : ASCII_PLUS);
        p[sign == CBZ_SIGN_LEADING_SEPARATE ? 0 : size - 1] = s;
    }
    return CBZ_OK;
}

/* ---------------------------------------------------------------------------
 * Packed decimal.
 * ------------------------------------------------------------------------- */

cbz_status cbz_packed_decode(const uint8_t *p, size_t size, bool is_signed, cbz_decimal *out,
                             size_t *bad_at)
{
    if (size < 1 || size > CBZ_PACKED_MAX) {
        if (bad_at) *bad_at = 0;
        return CBZ_ERR_UNSUPPORTED;
    }
    size_t k = 0;
    for (size_t i = 0; i + 1 < size; i++) {
        uint8_t hi = p[i] >> 4, lo = p[i] & 0x0F;
        if (hi > 9 || lo > 9) {
            if (bad_at) *bad_at = i;
            return CBZ_ERR_VALUE;
        }
        out->d[k++] = (char)('0' + hi);
        out->d[k++] = (char)('0' + lo);
    }
    uint8_t last = p[size - 1], hi = last >> 4, s = last & 0x0F;
    bool ok_sign = s == 0xC || s == 0xF || (s == 0xD && is_signed);
    if (hi > 9 || !ok_sign) {
        if (bad_at) *bad_at = size - 1;
        return CBZ_ERR_VALUE;
    }
    out->d[k++] = (char)('0' + hi);
    out->n = (uint8_t)k;
    out->negative = s == 0xD;
    return CBZ_OK;
}

cbz_status cbz_packed_encode(const cbz_decimal *v, bool is_signed, uint8_t *p, size_t size,
                             const char **why)
{
    if (size < 1 || size > CBZ_PACKED_MAX) {
        if (why) *why = "field size is outside the packed decimal limits";
        return CBZ_ERR_UNSUPPORTED;
    }
    if (!is_signed && v->negative) {
        if (why) *why = "negative value for an unsigned field";
        return CBZ_ERR_VALUE;
    }
    size_t n = 2 * size - 1;
    uint8_t digits[2 * CBZ_PACKED_MAX];
    if (spread_digits(v, digits, n, why) != CBZ_OK) return CBZ_ERR_VALUE;
    for (size_t i = 0; i + 1 < size; i++) p[i] = (uint8_t)(digits[2 * i] << 4 | digits[2 * i + 1]);
    uint8_t s = !is_signed ? 0xF : v->negative ? 0xD : 0xC;
    p[size - 1] = (uint8_t)(digits[n - 1] << 4 | s);
    return CBZ_OK;
}

/* ---------------------------------------------------------------------------
 * Binary.
 * ------------------------------------------------------------------------- */

static void u128_to_decimal(cbz_u128 v, cbz_decimal *out)
{
    char tmp[CBZ_DEC_DIGITS_MAX];
    size_t k = sizeof tmp;
    const uint64_t e19 = 10000000000000000000ull;
    while (v > (cbz_u128)UINT64_MAX) {
        uint64_t r = (uint64_t)(v % e19);
        v /= e19;
        for (int i = 0; i < 19; i++, r /= 10) tmp[--k] = (char)('0' + r % 10);
    }
    uint64_t w = (uint64_t)v;
    do {
        tmp[--k] = (char)('0' + w % 10);
        w /= 10;
    } while (w);
    out->n = (uint8_t)(sizeof tmp - k);
    memcpy(out->d, tmp + k, out->n);
}

/* false on overflow of 128 bits. */
static bool decimal_to_u128(const cbz_decimal *v, cbz_u128 *out)
{
    cbz_u128 r = 0;
    const cbz_u128 max = ~(cbz_u128)0;
    for (int i = 0; i < v->n; i++) {
        unsigned d = (unsigned)(v->d[i] - '0');
        if (r > (max - d) / 10) return false;
        r = r * 10 + d;
    }
    *out = r;
    return true;
}

cbz_status cbz_binary_decode(const uint8_t *p, size_t size, bool is_signed, cbz_decimal *out)
{
    if (size < 1 || size > CBZ_BINARY_MAX) return CBZ_ERR_UNSUPPORTED;
    cbz_u128 raw = 0;
    for (size_t i = 0; i < size; i++) raw = raw << 8 | p[i];
    bool negative = is_signed && (p[0] & 0x80);
    if (negative) {
        raw = ~raw + 1;
        if (size < CBZ_BINARY_MAX) raw &= ((cbz_u128)1 << (8 * size)) - 1;
    }
    u128_to_decimal(raw, out);
    out->negative = negative;
    return CBZ_OK;
}

cbz_status cbz_binary_encode(const cbz_decimal *v, bool is_signed, uint8_t *p, size_t size,
                             const char **why)
{
    if (size < 1 || size > CBZ_BINARY_MAX) {
        if (why) *why = "field size is outside the binary limits";
        return CBZ_ERR_UNSUPPORTED;
    }
    cbz_u128 mag;
    if (!decimal_to_u128(v, &mag)) {
        if (why) *why = "value is out of range for the binary field";
        return CBZ_ERR_VALUE;
    }
    bool negative = v->negative && mag != 0;
    if (negative && !is_signed) {
        if (why) *why = "negative value for an unsigned field";
        return CBZ_ERR_VALUE;
    }
    unsigned bits = 8 * (unsigned)size;
    cbz_u128 limit; /* largest magnitude allowed */
    if (!is_signed) limit = bits == 128 ? ~(cbz_u128)0 : ((cbz_u128)1 << bits) - 1;
    else limit = ((cbz_u128)1 << (bits - 1)) - (negative ? 0 : 1);
    if (mag > limit) {
        if (why) *why = "value is out of range for the binary field";
        return CBZ_ERR_VALUE;
    }
    cbz_u128 raw = negative ? ~mag + 1 : mag;
    for (size_t i = size; i-- > 0; raw >>= 8) p[i] = (uint8_t)raw;
    return CBZ_OK;
}

/* ---------------------------------------------------------------------------
 * Decimal text.
 * ------------------------------------------------------------------------- */

size_t cbz_decimal_format(const cbz_decimal *v, int scale, char *out)
{
    const char *sig = v->d;
    int n = v->n;
    while (n > 0 && *sig == '0') sig++, n--;
    char *o = out;
    if (v->negative) *o++ = '-';
    if (scale <= 0) {
        if (n == 0) {
            *o++ = '0';
        } else {
            memcpy(o, sig, (size_t)n);
            o += n;
            memset(o, '0', (size_t)-scale);
            o += -scale;
        }
        return (size_t)(o - out);
    }
    int int_len = n - scale;
    if (int_len > 0) {
        memcpy(o, sig, (size_t)int_len);
        o += int_len;
        *o++ = '.';
        memcpy(o, sig + int_len, (size_t)scale);
        o += scale;
    } else {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)-int_len);
        o += -int_len;
        memcpy(o, sig, (size_t)n);
        o += n;
    }
    return (size_t)(o - out);
}

cbz_status cbz_decimal_parse(const char *s, size_t len, int scale, cbz_decimal *out,
                             const char **why)
{
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    while (len > i && s[len - 1] == ' ') len--;
    out->negative = false;
    out->n = 0;
    if (i == len) return CBZ_OK; /* empty: zero */
    if (s[i] == '+' || s[i] == '-') out->negative = s[i++] == '-';
    size_t int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        frac_end = i;
    }
    if (i != len || (int_end == int_start && frac_end == frac_start)) {
        if (why) *why = "not a decimal number";
        return CBZ_ERR_VALUE;
    }
    while (int_start < int_end && s[int_start] == '0') int_start++;
    size_t n_int = int_end - int_start, n_frac = frac_end - frac_start;
    if (scale >= 0 && n_frac > (size_t)scale) {
        if (why) *why = "more fractional digits than the field's scale";
        return CBZ_ERR_VALUE;
    }
    if (scale < 0) {
        if (n_frac > 0) {
            if (why) *why = "fractional digits for a field scaled by P";
            return CBZ_ERR_VALUE;
        }
        size_t drop = (size_t)-scale;
        if (n_int > 0) {
            if (n_int <= drop) {
                if (why) *why = "value is not a multiple of the field's P scaling";
                return CBZ_ERR_VALUE;
            }
            for (size_t k = int_end - drop; k < int_end; k++)
                if (s[k] != '0') {
                    if (why) *why = "value is not a multiple of the field's P scaling";
                    return CBZ_ERR_VALUE;
                }
            n_int -= drop;
        }
        if (n_int > CBZ_DEC_DIGITS_MAX) {
            if (why) *why = "too many digits";
            return CBZ_ERR_VALUE;
        }
        memcpy(out->d, s + int_start, n_int);
        out->n = (uint8_t)n_int;
        return CBZ_OK;
    }
    /* Stored integer: integer digits, fraction digits, then zeros up to scale;
     * leading zeros of the fraction are dropped when the integer part is 0. */
    size_t zeros = (size_t)scale - n_frac;
    const char *frac = s + frac_start;
    if (n_int == 0)
        while (n_frac > 0 && *frac == '0') frac++, n_frac--;
    if (n_int + n_frac == 0) return CBZ_OK; /* zero (sign kept: "-0.00") */
    if (n_int + n_frac + zeros > CBZ_DEC_DIGITS_MAX) {
        if (why) *why = "too many digits";
        return CBZ_ERR_VALUE;
    }
    char *d = out->d;
    memcpy(d, s + int_start, n_int);
    memcpy(d + n_int, frac, n_frac);
    memset(d + n_int + n_frac, '0', zeros);
    out->n = (uint8_t)(n_int + n_frac + zeros);
    return CBZ_OK;
}

/* ---------------------------------------------------------------------------
 * Floats: IBM hexadecimal (sign, 7-bit excess-64 base-16 exponent, 24- or
 * 56-bit fraction) and IEEE 754 big-endian.
 * ------------------------------------------------------------------------- */

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

static void store_be(uint8_t *p, size_t n, uint64_t v)
{
    for (size_t i = n; i-- > 0; v >>= 8) p[i] = (uint8_t)v;
}

long double cbz_ibm_float_to_ld(const uint8_t *p, size_t size)
{
    uint64_t raw = load_be(p, size);
    int frac_bits = size == 4 ? 24 : 56;
    uint64_t frac = raw & ((UINT64_C(1) << frac_bits) - 1);
    int exp = (int)(raw >> frac_bits & 0x7F);
    bool negative = raw >> (frac_bits + 7) & 1;
    long double v = ldexpl((long double)frac, 4 * (exp - 64) - frac_bits);
    return negative ? -v : v;
}

cbz_status cbz_ibm_float_from_ld(long double v, uint8_t *p, size_t size, const char **why)
{
    int frac_bits = size == 4 ? 24 : 56;
    uint64_t sign = signbit(v) ? UINT64_C(1) << (frac_bits + 7) : 0;
    if (!isfinite(v)) {
        if (why) *why = "not a finite number";
        return CBZ_ERR_VALUE;
    }
    if (v == 0) {
        store_be(p, size, sign);
        return CBZ_OK;
    }
    int k;
    long double m = frexpl(fabsl(v), &k); /* |v| = m * 2^k, m in [0.5, 1) */
    int q = k >= -3 ? (k + 3) / 4 : -((-k) / 4); /* ceil(k / 4) */
    long double f = rintl(ldexpl(m, k - 4 * q + frac_bits));
    uint64_t frac = (uint64_t)f;
    if (frac >> frac_bits) { /* rounded up to 16^1: renormalise */
        frac >>= 4;
        q++;
    }
    int exp = q + 64;
    if (exp > 127 || exp < 0) {
        if (why) *why = exp > 127 ? "value is too large for an IBM hexadecimal float"
                                  : "value is too small for an IBM hexadecimal float";
        return CBZ_ERR_VALUE;
    }
    store_be(p, size, sign | (uint64_t)exp << frac_bits | frac);
    return CBZ_OK;
}

/* Copies a float text to buf (NUL-terminated) after checking its shape:
 * [spaces][+|-]digits[.digits][(e|E)[+|-]digits][spaces]. */
static bool float_text(const char *s, size_t len, char *buf, size_t cap)
{
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    while (len > i && s[len - 1] == ' ') len--;
    size_t start = i, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (digits == 0) return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t e = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == e) return false;
    }
    if (i != len || len - start >= cap) return false;
    memcpy(buf, s + start, len - start);
    buf[len - start] = '\0';
    return true;
}

cbz_status cbz_float_encode_text(const char *s, size_t len, size_t size, cbz_float_format fmt,
                                 uint8_t *p, const char **why)
{
    char buf[128];
    if (size != 4 && size != 8) {
        if (why) *why = "float fields are 4 or 8 bytes";
        return CBZ_ERR_UNSUPPORTED;
    }
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    if (i == len) { /* empty: zero */
        memset(p, 0, size);
        return CBZ_OK;
    }
    if (!float_text(s, len, buf, sizeof buf)) {
        if (why) *why = "not a decimal number";
        return CBZ_ERR_VALUE;
    }
    errno = 0;
    if (fmt == CBZ_FLOAT_IBM_HEX) return cbz_ibm_float_from_ld(strtold(buf, NULL), p, size, why);
    if (size == 4) {
        float f = strtof(buf, NULL);
        if (isinf(f) || (errno == ERANGE && f == 0)) {
            if (why) *why = "value is out of range for a 4-byte IEEE float";
            return CBZ_ERR_VALUE;
        }
        uint32_t bits;
        memcpy(&bits, &f, 4);
        store_be(p, 4, bits);
    } else {
        double d = strtod(buf, NULL);
        if (isinf(d) || (errno == ERANGE && d == 0)) {
            if (why) *why = "value is out of range for an 8-byte IEEE float";
            return CBZ_ERR_VALUE;
        }
        uint64_t bits;
        memcpy(&bits, &d, 8);
        store_be(p, 8, bits);
    }
    return CBZ_OK;
}

static long double float_value(const uint8_t *p, size_t size, cbz_float_format fmt)
{
    if (fmt == CBZ_FLOAT_IBM_HEX) return cbz_ibm_float_to_ld(p, size);
    if (size == 4) {
        uint32_t bits = (uint32_t)load_be(p, 4);
        float f;
        memcpy(&f, &bits, 4);
        return f;
    }
    uint64_t bits = load_be(p, 8);
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

cbz_status cbz_float_decode_text(const uint8_t *p, size_t size, cbz_float_format fmt,
                                 char *out, size_t cap, size_t *out_len)
{
    if ((size != 4 && size != 8) || cap < 40) return CBZ_ERR_UNSUPPORTED;
    long double v = float_value(p, size, fmt);
    if (!isfinite(v)) return CBZ_ERR_VALUE;
    if (v == 0) {
        size_t n = 0;
        if (signbit(v)) out[n++] = '-';
        out[n++] = '0';
        *out_len = n;
        return CBZ_OK;
    }
    /* The shortest %g text that encodes back to the same value (for
     * canonical data: the same bytes, as the normalised form is unique).  %g
     * drops trailing zeros, so starting below the type's precision still
     * finds shorter texts; 21 digits always round-trip a long double. */
    int first = size == 4 ? 6 : 15;
    for (int prec = first; prec <= 21; prec++) {
        int n = snprintf(out, cap, "%.*Lg", prec, v);
        if (n < 0 || (size_t)n >= cap) return CBZ_ERR_UNSUPPORTED;
        uint8_t back[8];
        if (prec == 21 ||
            (cbz_float_encode_text(out, (size_t)n, size, fmt, back, NULL) == CBZ_OK &&
             float_value(back, size, fmt) == v)) {
            *out_len = (size_t)n;
            return CBZ_OK;
        }
    }
    return CBZ_ERR_VALUE; /* not reached */
}

/* ---------------------------------------------------------------------------
 * PICTURE helpers and numeric editing (rules in numeric.h).
 * ------------------------------------------------------------------------- */

/* Reads one PICTURE symbol at pic[*k]: its upper-case character ('c' for CR,
 * 'd' for DB) and repeat count; false at the end or on a bad repeat. */
static bool pic_symbol(const char *pic, size_t *k, char *sym, long *rep)
{
    size_t i = *k;
    char c = pic[i];
    if (!c) return false;
    if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    char next = pic[i + 1];
    if (next >= 'a' && next <= 'z') next = (char)(next - 'a' + 'A');
    size_t len = 1;
    if (c == 'C' && next == 'R') c = 'c', len = 2;
    else if (c == 'D' && next == 'B') c = 'd', len = 2;
    i += len;
    long r = 1;
    if (pic[i] == '(') {
        i++;
        r = 0;
        while (pic[i] >= '0' && pic[i] <= '9') {
            r = r * 10 + (pic[i] - '0');
            if (r > 100000) return false;
            i++;
        }
        if (pic[i] != ')' || r == 0) return false;
        i++;
    }
    *k = i; /* left where it was on failure, so callers see the bad symbol */
    *sym = c;
    *rep = r;
    return true;
}

int cbz_pic_nines(const char *pic)
{
    size_t k = 0;
    char sym;
    long rep, n = 0;
    while (pic_symbol(pic, &k, &sym, &rep))
        if (sym == '9') n += rep;
    return n > 100000 ? 100000 : (int)n;
}

int cbz_pic_point_digits(const char *pic)
{
    size_t k = 0;
    char sym;
    long rep, n = 0, at = -1;
    while (pic_symbol(pic, &k, &sym, &rep)) {
        if (sym == 'P') return -1;
        if (sym == '.') at = n;
        if (sym == '9') n += rep;
    }
    return at > CBZ_DEC_DIGITS_MAX ? -1 : (int)at;
}

static cbz_status edit_refuse(const char **why, const char *reason)
{
    if (why) *why = reason;
    return CBZ_ERR_UNSUPPORTED;
}

cbz_status cbz_edit_compile(const char *pic, cbz_edit_pic *out, const char **why)
{
    long n_z = 0, n_star = 0, n_plus = 0, n_minus = 0, n_dollar = 0;
    size_t k = 0;
    char sym;
    long rep;
    while (pic_symbol(pic, &k, &sym, &rep)) {
        switch (sym) {
        case 'Z': n_z += rep; break;
        case '*': n_star += rep; break;
        case '+': n_plus += rep; break;
        case '-': n_minus += rep; break;
        case '$': n_dollar += rep; break;
        case 'E': case 'S': case 'X': case 'A': case 'N': case 'G':
            return edit_refuse(why, "PICTURE symbols outside numeric editing (E, S, X, A, N)");
        default: break;
        }
    }
    if (pic[k]) return edit_refuse(why, "malformed PICTURE");
    if (n_z && n_star) return edit_refuse(why, "PICTURE mixes Z and *");
    char floating = 0;
    if ((n_plus > 1) + (n_minus > 1) + (n_dollar > 1) > 1)
        return edit_refuse(why, "PICTURE has two floating insertion strings");
    if (n_plus > 1) floating = '+';
    else if (n_minus > 1) floating = '-';
    else if (n_dollar > 1) floating = '$';
    if (floating && (n_z || n_star))
        return edit_refuse(why, "PICTURE mixes floating insertion with Z or *");
    out->n = 0;
    out->digits = 0;
    out->has_sign = false;
    out->fill = n_star ? '*' : ' ';
    out->floating = floating;
    bool stop = false, in_float = false, float_done = false;
    size_t n = 0;
    k = 0;
    while (pic_symbol(pic, &k, &sym, &rep)) {
        if (sym == 'V') {
            stop = true;
            continue;
        }
        if (sym == 'P') continue;
        for (long r = 0; r < rep; r++) {
            size_t width = (sym == 'c' || sym == 'd') ? 2 : 1;
            if (n + width > CBZ_EDIT_MAX) return edit_refuse(why, "edited PICTURE too long");
            uint8_t kind;
            char ch = 0;
            bool keeps_float = false;
            switch (sym) {
            case '9': kind = CBZ_ED_DIGIT; break;
            case 'Z':
            case '*': kind = CBZ_ED_SUPPRESS; break;
            case '.': kind = CBZ_ED_POINT; ch = '.'; keeps_float = true; break;
            case 'B': kind = CBZ_ED_INSERT; ch = ' '; keeps_float = true; break;
            case '0':
            case '/':
            case ',': kind = CBZ_ED_INSERT; ch = sym; keeps_float = true; break;
            case 'c':
            case 'd': kind = CBZ_ED_CREDIT; break;
            case '+':
            case '-':
            case '$':
                if (sym == floating) {
                    if (float_done) return edit_refuse(why, "floating insertion string is broken");
                    kind = in_float ? CBZ_ED_FLOAT_DIGIT : CBZ_ED_FLOAT_LEAD;
                    in_float = keeps_float = true;
                    ch = sym;
                } else {
                    kind = sym == '+' ? CBZ_ED_PLUS : sym == '-' ? CBZ_ED_MINUS : CBZ_ED_CURRENCY;
                    ch = sym;
                }
                break;
            default:
                return edit_refuse(why, "unexpected symbol in an edited PICTURE");
            }
            if (in_float && !keeps_float) in_float = false, float_done = true;
            if (sym == 'c' || sym == 'd') {
                out->kind[n] = (uint8_t)(CBZ_ED_CREDIT | (stop ? CBZ_ED_STOP : 0));
                out->ch[n++] = sym == 'c' ? 'C' : 'D';
                out->kind[n] = CBZ_ED_CREDIT;
                out->ch[n++] = sym == 'c' ? 'R' : 'B';
            } else {
                out->kind[n] = (uint8_t)(kind | (stop ? CBZ_ED_STOP : 0));
                out->ch[n++] = ch;
            }
            stop = false;
            if (kind == CBZ_ED_DIGIT || kind == CBZ_ED_SUPPRESS || kind == CBZ_ED_FLOAT_DIGIT) {
                if (++out->digits > CBZ_MAX_DIGITS)
                    return edit_refuse(why, "edited PICTURE has more than 38 digit positions");
            }
        }
    }
    out->n = (uint16_t)n;
    if (out->digits == 0) return edit_refuse(why, "edited PICTURE has no digit position");
    /* Fixed signs sit at either end, CR/DB at the right end, $ at the left. */
    bool any_nine = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t kind = out->kind[i] & CBZ_ED_KIND;
        bool first = i == 0, last = i + 1 == n;
        if ((kind == CBZ_ED_PLUS || kind == CBZ_ED_MINUS) && !first && !last)
            return edit_refuse(why, "fixed + or - must be the first or last symbol");
        if (kind == CBZ_ED_CREDIT && i + 2 < n)
            return edit_refuse(why, "CR or DB must be the last symbol");
        if (kind == CBZ_ED_CURRENCY && i > 0 &&
            !(i == 1 && ((out->kind[0] & CBZ_ED_KIND) == CBZ_ED_PLUS ||
                         (out->kind[0] & CBZ_ED_KIND) == CBZ_ED_MINUS)))
            return edit_refuse(why, "fixed $ must lead the PICTURE (after a leading sign)");
        if (kind == CBZ_ED_PLUS || kind == CBZ_ED_MINUS || kind == CBZ_ED_CREDIT ||
            ((kind == CBZ_ED_FLOAT_LEAD) && floating != '$'))
            out->has_sign = true;
        if (kind == CBZ_ED_DIGIT) any_nine = true;
    }
    out->all_suppressible = !any_nine;
    return CBZ_OK;
}

cbz_status cbz_edit_encode(const cbz_edit_pic *e, const cbz_decimal *v, bool blank_when_zero,
                           char *out, const char **why)
{
    uint8_t d[CBZ_MAX_DIGITS];
    if (spread_digits(v, d, e->digits, why) != CBZ_OK) return CBZ_ERR_VALUE;
    bool zero = cbz_decimal_significant(v) == 0;
    bool neg = v->negative;
    if (neg && !e->has_sign && !zero) {
        if (why) *why = "negative value for an edited PICTURE without a sign position";
        return CBZ_ERR_VALUE;
    }
    if (!e->has_sign) neg = false;
    if (zero && (blank_when_zero || e->all_suppressible)) {
        bool stars = e->fill == '*' && !blank_when_zero;
        for (size_t i = 0; i < e->n; i++)
            out[i] = stars && (e->kind[i] & CBZ_ED_KIND) != CBZ_ED_POINT ? '*' : stars ? '.' : ' ';
        return CBZ_OK;
    }
    bool suppress = true;
    size_t k = 0, last_blank = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->kind[i] & CBZ_ED_STOP) suppress = false;
        char c;
        switch (e->kind[i] & CBZ_ED_KIND) {
        case CBZ_ED_DIGIT:
            suppress = false;
            c = (char)('0' + d[k++]);
            break;
        case CBZ_ED_SUPPRESS:
        case CBZ_ED_FLOAT_DIGIT:
            if (suppress && d[k] == 0) {
                c = e->fill;
                last_blank = i;
            } else {
                suppress = false;
                c = (char)('0' + d[k]);
            }
            k++;
            break;
        case CBZ_ED_FLOAT_LEAD:
            c = ' ';
            last_blank = i;
            break;
        case CBZ_ED_POINT:
            suppress = false;
            c = '.';
            break;
        case CBZ_ED_INSERT:
            if (suppress) {
                c = e->fill;
                last_blank = i;
            } else {
                c = e->ch[i];
            }
            break;
        case CBZ_ED_PLUS: c = neg ? '-' : '+'; break;
        case CBZ_ED_MINUS: c = neg ? '-' : ' '; break;
        case CBZ_ED_CREDIT: c = neg ? e->ch[i] : ' '; break;
        default: c = '$'; break; /* CBZ_ED_CURRENCY */
        }
        out[i] = c;
    }
    if (e->floating)
        out[last_blank] = e->floating == '$' ? '$' : neg ? '-' : e->floating == '+' ? '+' : ' ';
    return CBZ_OK;
}

cbz_status cbz_edit_decode(const cbz_edit_pic *e, const char *c, bool blank_when_zero,
                           bool strict, cbz_decimal *v, size_t *bad_at)
{
    size_t i = 0;
    v->negative = false;
    v->n = e->digits;
    if (blank_when_zero) {
        while (i < e->n && c[i] == ' ') i++;
        if (i == e->n) {
            memset(v->d, '0', e->digits);
            return CBZ_OK;
        }
    }
    bool neg = false;
    size_t k = 0;
    for (i = 0; i < e->n; i++) {
        char x = c[i];
        uint8_t kind = e->kind[i] & CBZ_ED_KIND;
        bool ok = true;
        switch (kind) {
        case CBZ_ED_DIGIT:
        case CBZ_ED_SUPPRESS:
        case CBZ_ED_FLOAT_DIGIT:
            if (x >= '0' && x <= '9') {
                v->d[k++] = x;
                break;
            }
            v->d[k++] = '0';
            if (kind == CBZ_ED_DIGIT) ok = false;
            else if (x == e->fill) ok = true;
            else if (kind == CBZ_ED_FLOAT_DIGIT && e->floating == '$') ok = x == '$';
            else if (kind == CBZ_ED_FLOAT_DIGIT && (x == '+' || x == '-')) neg = x == '-';
            else ok = false;
            break;
        case CBZ_ED_FLOAT_LEAD:
            if (x == ' ') break;
            if (e->floating == '$') ok = x == '$';
            else if (x == '+' || x == '-') neg = x == '-';
            else ok = false;
            break;
        case CBZ_ED_POINT:
            ok = x == '.' || x == e->fill || x == ' ';
            break;
        case CBZ_ED_INSERT: /* or blanked, or the floating symbol just left of a digit */
            if (x == e->ch[i] || x == e->fill || x == ' ') break;
            if (e->floating == '$') ok = x == '$';
            else if (e->floating && (x == '+' || x == '-')) neg = x == '-';
            else ok = false;
            break;
        case CBZ_ED_PLUS:
        case CBZ_ED_MINUS:
            if (x == '-') neg = true;
            else ok = x == '+' || (kind == CBZ_ED_MINUS && x == ' ');
            break;
        case CBZ_ED_CREDIT:
            if (x == e->ch[i]) neg = true;
            else ok = x == ' ';
            break;
        default: /* CBZ_ED_CURRENCY */
            ok = x == '$';
            break;
        }
        if (!ok) {
            if (bad_at) *bad_at = i;
            return CBZ_ERR_VALUE;
        }
    }
    v->negative = neg;
    if (!strict) return CBZ_OK;
    char again[CBZ_EDIT_MAX];
    if (cbz_edit_encode(e, v, blank_when_zero, again, NULL) != CBZ_OK) {
        if (bad_at) *bad_at = 0;
        return CBZ_ERR_VALUE;
    }
    for (i = 0; i < e->n; i++)
        if (again[i] != c[i]) {
            if (bad_at) *bad_at = i;
            return CBZ_ERR_VALUE;
        }
    return CBZ_OK;
}
