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
 * stays an exact inverse); binary the full range of its size (the PIC limit
 * of COMP/COMP-4/BINARY, not COMP-5, is applied by value.c, which knows the
 * PICTURE).
 *
 * Numeric-edited pictures (cbz_edit_*) work on ASCII characters, one per
 * character position; value.c maps them to and from the code page.
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

/* ---------------------------------------------------------------------------
 * Numeric-edited PICTUREs (IBM Enterprise COBOL editing rules).
 *
 * A compiled picture has one entry per character position.  Symbols:
 *  9 digit; Z / * zero suppression (space / asterisk); a string of two or
 *  more + - or $ is floating insertion (the leftmost one holds only the
 *  symbol, each further one a digit); single + - $ are fixed insertion
 *  (+ -  at either end, $ at the left); CR / DB at the right end; B 0 / ,
 *  simple insertion; . the actual decimal point; V the implied point (no
 *  position); P is skipped (its scale is the field's).  E (floating-point
 *  editing), S, X, A and N are not numeric-edited and are refused.
 * Encoding (cbz_edit_encode):
 *  - zero suppression and floating insertion replace leading zeros, and any
 *    insertion character among them, up to the first non-zero digit or the
 *    decimal point (actual or V); the floating symbol lands just left of
 *    the first position kept;
 *  - a zero value in a picture whose digit positions are all Z, * or
 *    floating (or any zero with BLANK WHEN ZERO) is all spaces, or with *
 *    all asterisks but the decimal point;
 *  - + gives + or -, - gives space or -, CR/DB give two spaces or CR/DB;
 *    the sign of a negative zero is kept (so "-0" and "0" both round trip);
 *  - a negative value for a picture without a sign position is refused.
 * Decoding (cbz_edit_decode) de-edits position by position: digits, the
 * fill character or a floating symbol in a suppressible position read as 0;
 * the sign comes from the sign positions.  Strict decoding then edits the
 * value again and accepts the bytes only when they come out the same (the
 * canonical form, which encode gives back byte for byte); lenient decoding
 * keeps the de-edited value (a '+' where the picture has '-', a '0' where
 * Z would blank it).
 * ------------------------------------------------------------------------- */
#define CBZ_EDIT_MAX 160 /* character positions */

typedef struct cbz_edit_pic {
    uint16_t n;                  /* character positions */
    uint8_t digits;              /* digit positions (9, Z, *, floating after the first) */
    char fill;                   /* ' ' (Z, floating) or '*' */
    char floating;               /* 0, '+', '-' or '$' */
    bool has_sign;               /* a + - CR DB position */
    bool all_suppressible;       /* no 9 position */
    uint8_t kind[CBZ_EDIT_MAX];  /* CBZ_ED_* | CBZ_ED_STOP */
    char ch[CBZ_EDIT_MAX];       /* insertion character of the position */
} cbz_edit_pic;

enum {
    CBZ_ED_DIGIT = 1,       /* 9 */
    CBZ_ED_SUPPRESS = 2,    /* Z or * */
    CBZ_ED_FLOAT_LEAD = 3,  /* leftmost symbol of a floating string */
    CBZ_ED_FLOAT_DIGIT = 4, /* further symbols of a floating string */
    CBZ_ED_POINT = 5,       /* . */
    CBZ_ED_INSERT = 6,      /* B 0 / , (ch holds the character) */
    CBZ_ED_PLUS = 7,        /* fixed + */
    CBZ_ED_MINUS = 8,       /* fixed - */
    CBZ_ED_CREDIT = 9,      /* one of the two positions of CR or DB (ch) */
    CBZ_ED_CURRENCY = 10,   /* fixed $ */
    CBZ_ED_KIND = 0x7F,
    CBZ_ED_STOP = 0x80      /* a V precedes this position: suppression stops */
};

/* Compiles an edited PICTURE (upper or lower case, repeat counts).
 * CBZ_ERR_UNSUPPORTED with a reason for pictures outside the rules above or
 * longer than CBZ_EDIT_MAX positions. */
cbz_status cbz_edit_compile(const char *pic, cbz_edit_pic *out, const char **why);
/* Edits v into e->n characters at out (no NUL).  CBZ_ERR_VALUE with a reason
 * when it does not fit or is negative without a sign position. */
cbz_status cbz_edit_encode(const cbz_edit_pic *e, const cbz_decimal *v, bool blank_when_zero,
                           char *out, const char **why);
/* De-edits the e->n characters at c (bytes outside ASCII as any value above
 * 0x7F) to v (e->digits digits).  CBZ_ERR_VALUE with the first offending
 * position in *bad_at (may be NULL). */
cbz_status cbz_edit_decode(const cbz_edit_pic *e, const char *c, bool blank_when_zero,
                           bool strict, cbz_decimal *v, size_t *bad_at);

/* Digit positions of a PICTURE that hold stored digits: its 9s (repeat
 * counts included); 0 for an empty picture. */
int cbz_pic_nines(const char *pic);
/* Stored digits before the actual decimal point '.' of a numeric PICTURE
 * (S9(3).99 gives 3), or -1 when it has no '.' or has P positions. */
int cbz_pic_point_digits(const char *pic);

/* IBM hexadecimal float <-> long double (exact on x86-64's 64-bit mantissa
 * and on binary128). */
long double cbz_ibm_float_to_ld(const uint8_t *p, size_t size);
cbz_status cbz_ibm_float_from_ld(long double v, uint8_t *p, size_t size, const char **why);

#endif /* CBZ_NUMERIC_H */
