/*
 * numeric.h — exact numeric codecs on plain buffers: zoned decimal (EBCDIC
 * and ASCII overpunch, SIGN SEPARATE), packed decimal (COMP-3), big-endian
 * binary (COMP/COMP-4/COMP-5/BINARY/INDEX) and COMP-1/COMP-2 floats (IBM
 * hexadecimal or IEEE big-endian).
 *
 * Decimals never go through floating point.  The common form is cbz_decimal:
 * the stored integer as a digit string (the value is that integer times
 * 10^-scale; the scale is applied only when formatting or parsing text).
 * Pure functions: no allocation, no library types, no messages.  Decoders
 * validate every byte and report the first bad one through *bad_at (which may
 * be NULL); encoders report why they refused through *why (a static sentence,
 * may be NULL).  All of them return CBZ_OK or CBZ_ERR_VALUE (CBZ_ERR_UNSUPPORTED
 * for sizes past the limits below).
 *
 * Sign forms accepted on decode (canonical form written on encode first):
 *  - EBCDIC zoned, overpunch byte: zone C or F positive, D negative; digit
 *    bytes F0..F9.  Unsigned fields: every byte F0..F9.
 *  - ASCII zoned, overpunch byte: positive '0'..'9' (0x30..0x39) or '{','A'..'I';
 *    negative 'p'..'y' (0x70..0x79, GnuCOBOL) or '}','J'..'R' (Micro Focus /
 *    IBM ASCII).  Unsigned fields: every byte '0'..'9'.
 *  - SIGN SEPARATE: '+' / '-' of the page (EBCDIC 0x4E/0x60, ASCII 0x2B/0x2D).
 *  - Packed: sign nibble C or F positive, D negative (signed); F or C positive
 *    (unsigned, a D there is invalid).  Anything else (A, B, E, digit nibbles
 *    above 9) is an invalid value.  Encode writes C/D, or F when unsigned.
 *  - Negative zero is kept: a D-signed zero decodes with negative = true and
 *    encodes back to D.
 * Capacity: zoned holds size (minus the separate sign byte) digits; packed
 * 2*size-1 digits (the pad nibble of an even PIC decodes too, so the pair
 * stays an exact inverse); binary the full range of its size, for COMP as
 * for COMP-5 (the PIC limit is a program's business, not the data's).
 */
#ifndef CBZ_NUMERIC_H
#define CBZ_NUMERIC_H

#include "cobzip.h"

#define CBZ_DEC_DIGITS_MAX 40   /* 38 PIC digits; 39 for 16-byte binary */
#define CBZ_BINARY_MAX 16       /* bytes */
#define CBZ_PACKED_MAX 20       /* bytes: 39 digits */

typedef struct cbz_decimal {
    bool negative;               /* may be set with an all-zero value (-0) */
    uint8_t n;                   /* digits in d; 0 means zero */
    char d[CBZ_DEC_DIGITS_MAX];  /* '0'..'9', most significant first */
} cbz_decimal;

/* Zoned decimal of `size` bytes (digits plus one byte for SIGN SEPARATE).
 * sign is ignored when !is_signed; CBZ_SIGN_NONE on a signed field means
 * trailing overpunch. */
cbz_status cbz_zoned_decode(const uint8_t *p, size_t size, bool is_signed, cbz_sign sign,
                            bool ebcdic, cbz_decimal *out, size_t *bad_at);
cbz_status cbz_zoned_encode(const cbz_decimal *v, bool is_signed, cbz_sign sign, bool ebcdic,
                            uint8_t *p, size_t size, const char **why);

/* Packed decimal of `size` bytes: 2*size-1 digit nibbles and a sign nibble. */
cbz_status cbz_packed_decode(const uint8_t *p, size_t size, bool is_signed, cbz_decimal *out,
                             size_t *bad_at);
cbz_status cbz_packed_encode(const cbz_decimal *v, bool is_signed, uint8_t *p, size_t size,
                             const char **why);

/* Big-endian two's complement (signed) or plain (unsigned) binary, 1..16 bytes. */
cbz_status cbz_binary_decode(const uint8_t *p, size_t size, bool is_signed, cbz_decimal *out);
cbz_status cbz_binary_encode(const cbz_decimal *v, bool is_signed, uint8_t *p, size_t size,
                             const char **why);

/* Text of the value v * 10^-scale: '-' when negative (also for -0), no leading
 * zeros ("0.07"), the point and all `scale` digits when scale > 0, and
 * -scale zeros appended when scale < 0 (9(3)PP).  out must hold
 * cbz_decimal_text_max(v->n, scale) bytes; returns the length (no NUL). */
size_t cbz_decimal_format(const cbz_decimal *v, int scale, char *out);
static inline size_t cbz_decimal_text_max(int n, int scale)
{
    return (size_t)(3 + (n > scale ? n : scale) + (scale < 0 ? -scale : 0));
}

/* Parses "[spaces][+|-]digits[.digits][spaces]" (".5" and "5." too; empty or
 * all spaces is zero) into the stored integer value * 10^scale, without
 * leading zeros.  Refuses more fractional digits than scale, and for
 * scale < 0 an integer that is not a multiple of 10^-scale. */
cbz_status cbz_decimal_parse(const char *s, size_t len, int scale, cbz_decimal *out,
                             const char **why);

/* Digits of v without leading zeros (0 for zero). */
int cbz_decimal_significant(const cbz_decimal *v);

/* COMP-1 (size 4) / COMP-2 (size 8) as text: the shortest decimal (printf
 * %g style, at most 21 significant digits, "-0" for negative zero) that
 * encodes back to the same value, hence to the same bytes for canonical
 * data.  Non-canonical IBM forms (an unnormalised fraction, a zero with an
 * exponent) print their value and re-encode normalised.  IEEE NaN and
 * infinities are invalid values.  cap >= 40. */
cbz_status cbz_float_decode_text(const uint8_t *p, size_t size, cbz_float_format fmt,
                                 char *out, size_t cap, size_t *out_len);
/* Text (decimal, optional exponent; no "nan", "inf" or hex forms) to bytes,
 * rounded to nearest.  Out-of-range values are refused, never flushed. */
cbz_status cbz_float_encode_text(const char *s, size_t len, size_t size, cbz_float_format fmt,
                                 uint8_t *p, const char **why);

/* IBM hexadecimal float <-> long double (exact on x86-64's 64-bit mantissa
 * and on binary128). */
long double cbz_ibm_float_to_ld(const uint8_t *p, size_t size);
cbz_status cbz_ibm_float_from_ld(long double v, uint8_t *p, size_t size, const char **why);

#endif /* CBZ_NUMERIC_H */
