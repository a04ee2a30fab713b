/*
 * value.c — the field-level value codec: cbz_value_decode turns the bytes of
 * one elementary field into text, cbz_value_encode turns text back into the
 * field's bytes.  It picks the codec from the field's category and usage
 * (numeric.h for numbers, codepage.c for text) and owns the rules that sit
 * between them: trimming, padding, JUSTIFIED RIGHT, BLANK WHEN ZERO, and the
 * reasons given for invalid values.
 *
 * Decisions:
 *  - Groups, alphanumeric, alphabetic and alphanumeric-edited items are text
 *    in the code page; NATIONAL is UTF-16BE.  Text is trimmed of U+0020 per
 *    cbz_trim; encode pads with the page's space on the right (on the left
 *    for JUSTIFIED RIGHT).
 *  - Numeric-edited items are numbers: decode de-edits them (numeric.h has
 *    the editing rules), encode edits the number by the PICTURE.  Only the
 *    canonical edited form is valid unless cbz_value_options.lenient.
 *  - A DISPLAY numeric with an explicit '.' in its PICTURE (S9(3).99) holds
 *    the point character at its place; the digits around it are zoned.
 *  - A DISPLAY numeric that is all spaces is invalid unless BLANK WHEN ZERO,
 *    where it reads as zero; encoding zero into such a field writes spaces.
 *    With lenient, spaces before and after the digits are accepted.
 *  - COMP / COMP-4 / BINARY values are limited by their PICTURE (a value with
 *    more digits than its 9s is invalid and refused on encode); COMP-5 and
 *    INDEX take the full binary range.
 *  - PIC 9 USAGE NATIONAL holds UTF-16 '0'..'9' and the ASCII sign forms.
 *  - POINTER is shown as hex digits (not a number) and encoded from them.
 *  - The decode fast path writes no message when err is NULL.
 *  - When encode fails, the field's bytes may hold partial output.
 */
#include "codepage_tables.h"
#include "internal.h"
#include "numeric.h"

#include <stdio.h>

static const cbz_value_options default_options = {.trim = CBZ_TRIM_RIGHT, .float_format = CBZ_FLOAT_IBM_HEX};

#define POINT_EBCDIC 0x4B /* '.' in every EBCDIC page */
#define POINT_ASCII 0x2E

static const cbz_codepage *options_page(const cbz_value_options **o)
{
    if (!*o) *o = &default_options;
    const cbz_codepage *cp = (*o)->codepage;
    return cp ? cp : cbz_codepage_find("cp037");
}

/* "C1 D2 40" for a reason message, shortened past 24 bytes. */
static void hex_bytes(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0, shown = n > 24 ? 24 : n;
    out[0] = '\0';
    for (size_t i = 0; i < shown && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, i ? " %02X" : "%02X", p[i]);
    if (shown < n && o + 4 < cap) snprintf(out + o, cap - o, " ...");
}

static cbz_status invalid(const cbz_field *f, const uint8_t *bytes, const char *what,
                          size_t bad_at, cbz_error *err)
{
    if (!err) return CBZ_ERR_VALUE;
    char hex[100];
    hex_bytes(bytes, f->size, hex, sizeof hex);
    if (bad_at < f->size)
        return cbz_fail(err, CBZ_ERR_VALUE,
                        "field %s: not a valid %s (byte %zu of %u is 0x%02X; bytes %s)", f->name,
                        what, bad_at + 1, (unsigned)f->size, bytes[bad_at], hex);
    return cbz_fail(err, CBZ_ERR_VALUE, "field %s: not a valid %s (bytes %s)", f->name, what, hex);
}

static cbz_status too_small(const cbz_field *f, size_t need, size_t cap, cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_USAGE, "field %s: output buffer of %zu bytes, %zu needed",
                    f->name, cap, need);
}

/* ---------------------------------------------------------------------------
 * Decode.
 * ------------------------------------------------------------------------- */

static cbz_status decode_text(const cbz_field *f, const uint8_t *bytes, const cbz_codepage *cp,
                              cbz_trim trim, char *out, size_t out_cap, size_t *out_len,
                              cbz_error *err)
{
    size_t start = 0, end = f->size;
    if (trim != CBZ_TRIM_NONE)
        while (end > start && cp->to_unicode[bytes[end - 1]] == 0x20) end--;
    if (trim == CBZ_TRIM_BOTH)
        while (start < end && cp->to_unicode[bytes[start]] == 0x20) start++;
    if (out_cap < 3 * (end - start)) return too_small(f, 3 * (end - start), out_cap, err);
    *out_len = cbz_codepage_to_utf8(cp, bytes + start, end - start, out);
    return CBZ_OK;
}

static cbz_status decode_national(const cbz_field *f, const uint8_t *bytes, cbz_trim trim,
                                  char *out, size_t out_cap, size_t *out_len, cbz_error *err)
{
    if (f->size % 2) return cbz_fail(err, CBZ_ERR_USAGE, "field %s: NATIONAL field of odd size %u",
                                     f->name, (unsigned)f->size);
    size_t start = 0, end = f->size;
    if (trim != CBZ_TRIM_NONE)
        while (end > start && cbz_load_be16(bytes + end - 2) == 0x20) end -= 2;
    if (trim == CBZ_TRIM_BOTH)
        while (start < end && cbz_load_be16(bytes + start) == 0x20) start += 2;
    if (out_cap < 3 * (end - start) / 2) return too_small(f, 3 * (end - start) / 2, out_cap, err);
    size_t o = 0;
    for (size_t i = start; i < end; i += 2) {
        uint32_t u = cbz_load_be16(bytes + i);
        if (u >= 0xD800 && u <= 0xDFFF) {
            uint32_t lo = i + 4 <= end ? cbz_load_be16(bytes + i + 2) : 0;
            if (u > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF)
                return invalid(f, bytes, "UTF-16 text (unpaired surrogate)", i, err);
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        }
        if (u < 0x80) {
            out[o++] = (char)u;
        } else if (u < 0x800) {
            out[o++] = (char)(0xC0 | u >> 6);
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            out[o++] = (char)(0xE0 | u >> 12);
            out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | u >> 18);
            out[o++] = (char)(0x80 | (u >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        }
    }
    *out_len = o;
    return CBZ_OK;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t b)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != b) return false;
    return true;
}

static cbz_status decode_pointer(const cbz_field *f, const uint8_t *bytes, char *out,
                                 size_t out_cap, size_t *out_len, cbz_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    if (out_cap < 2 * (size_t)f->size) return too_small(f, 2 * (size_t)f->size, out_cap, err);
    for (size_t i = 0; i < f->size; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 0xF];
    }
    *out_len = 2 * (size_t)f->size;
    return CBZ_OK;
}

static bool separate_sign(const cbz_field *f)
{
    return f->is_signed &&
           (f->sign == CBZ_SIGN_LEADING_SEPARATE || f->sign == CBZ_SIGN_TRAILING_SEPARATE);
}

/* Byte index of the explicit point among n zoned bytes, or (size_t)-1 when
 * the PICTURE does not place it inside them. */
static size_t point_index(const cbz_field *f, size_t n)
{
    int before = cbz_pic_point_digits(f->pic);
    if (before < 0) return (size_t)-1;
    size_t at = (size_t)before + (f->is_signed && f->sign == CBZ_SIGN_LEADING_SEPARATE);
    return at < n ? at : (size_t)-1;
}

/* Lenient reading of zoned bytes: spaces around the digits, and for an
 * explicit-point PICTURE the point anywhere among them (or none). */
static cbz_status lenient_zoned(const cbz_field *f, const uint8_t *zb, size_t zn, bool ebcdic,
                                cbz_decimal *v)
{
    const uint8_t space = ebcdic ? 0x40 : 0x20, point = ebcdic ? POINT_EBCDIC : POINT_ASCII;
    size_t a = 0, b = zn;
    while (a < b && zb[a] == space) a++;
    while (b > a && zb[b - 1] == space) b--;
    uint8_t tmp[CBZ_DEC_DIGITS_MAX + 2];
    if (a == b || b - a > sizeof tmp) return CBZ_ERR_VALUE;
    size_t m = 0, pt = (size_t)-1;
    for (size_t i = a; i < b; i++) {
        if (f->explicit_point && zb[i] == point && pt == (size_t)-1) {
            pt = m;
            continue;
        }
        tmp[m++] = zb[i];
    }
    bool sep = separate_sign(f);
    if (m < (sep ? 2u : 1u)) return CBZ_ERR_VALUE;
    if (cbz_zoned_decode(tmp, m, f->is_signed, f->sign, ebcdic, v, NULL) != CBZ_OK)
        return CBZ_ERR_VALUE;
    size_t pad = 0;
    if (f->explicit_point) {
        size_t frac = 0;
        if (pt != (size_t)-1) {
            frac = m - pt;
            if (f->is_signed && f->sign == CBZ_SIGN_TRAILING_SEPARATE) {
                if (frac == 0) return CBZ_ERR_VALUE;
                frac--;
            }
            if (f->is_signed && f->sign == CBZ_SIGN_LEADING_SEPARATE && pt == 0)
                return CBZ_ERR_VALUE;
        }
        if (f->scale < 0 || frac > (size_t)f->scale) return CBZ_ERR_VALUE;
        pad = (size_t)f->scale - frac;
    }
    if (v->n + pad > CBZ_DEC_DIGITS_MAX) return CBZ_ERR_VALUE;
    memset(v->d + v->n, '0', pad);
    v->n = (uint8_t)(v->n + pad);
    size_t capacity = zn - sep - (f->explicit_point ? 1 : 0);
    if ((size_t)cbz_decimal_significant(v) > capacity) return CBZ_ERR_VALUE;
    return CBZ_OK;
}

/* DISPLAY digits (or NATIONAL ones narrowed to a byte per character): the
 * explicit point checked and taken out, then zoned; the lenient reading
 * when that fails and o->lenient. */
static cbz_status decode_zoned(const cbz_field *f, const uint8_t *zb, size_t zn, bool ebcdic,
                               bool lenient, cbz_decimal *v, size_t *bad_at)
{
    const uint8_t *p = zb;
    size_t n = zn, at = (size_t)-1;
    uint8_t tmp[CBZ_DEC_DIGITS_MAX + 2];
    cbz_status st;
    if (f->explicit_point) {
        at = point_index(f, zn);
        if (at == (size_t)-1 || zn - 1 > sizeof tmp) return CBZ_ERR_UNSUPPORTED;
        if (zb[at] != (ebcdic ? POINT_EBCDIC : POINT_ASCII)) {
            *bad_at = at;
            st = CBZ_ERR_VALUE;
            goto failed;
        }
        memcpy(tmp, zb, at);
        memcpy(tmp + at, zb + at + 1, zn - at - 1);
        p = tmp;
        n = zn - 1;
    }
    st = cbz_zoned_decode(p, n, f->is_signed, f->sign, ebcdic, v, bad_at);
    if (st != CBZ_ERR_VALUE) return st;
    if (at != (size_t)-1 && *bad_at != (size_t)-1 && *bad_at >= at) (*bad_at)++;
failed:
    if (lenient && lenient_zoned(f, zb, zn, ebcdic, v) == CBZ_OK) return CBZ_OK;
    return st;
}

/* Stored digits a COMP / COMP-4 / BINARY value may have: its PICTURE's 9s. */
static int binary_pic_digits(const cbz_field *f)
{
    if (f->pic[0] && (strchr(f->pic, 'P') || strchr(f->pic, 'p'))) return cbz_pic_nines(f->pic);
    return f->digits;
}

static cbz_status decode_number(const cbz_field *f, const uint8_t *bytes, const cbz_codepage *cp,
                                const cbz_value_options *o, char *out, size_t out_cap,
                                size_t *out_len, cbz_error *err)
{
    cbz_decimal v;
    size_t bad_at = (size_t)-1;
    cbz_status st;
    const char *what;
    switch (f->usage) {
    case CBZ_USAGE_DISPLAY:
        what = "zoned decimal";
        if (f->blank_when_zero && all_bytes(bytes, f->size, cp->space)) {
            v.negative = false;
            v.n = 0;
            st = CBZ_OK;
            break;
        }
        st = decode_zoned(f, bytes, f->size, cp->is_ebcdic, o->lenient, &v, &bad_at);
        break;
    case CBZ_USAGE_PACKED:
        what = "packed decimal";
        st = cbz_packed_decode(bytes, f->size, f->is_signed, &v, &bad_at);
        break;
    case CBZ_USAGE_BINARY:
    case CBZ_USAGE_COMP5:
    case CBZ_USAGE_INDEX:
        what = "binary number";
        st = cbz_binary_decode(bytes, f->size, f->is_signed || f->usage == CBZ_USAGE_INDEX, &v);
        if (st == CBZ_OK && f->usage == CBZ_USAGE_BINARY && f->digits > 0 && !o->trunc_bin) {
            int sig = cbz_decimal_significant(&v), limit = binary_pic_digits(f);
            if (sig > limit) {
                if (!err) return CBZ_ERR_VALUE;
                char hex[100], num[48];
                hex_bytes(bytes, f->size, hex, sizeof hex);
                num[cbz_decimal_format(&v, 0, num)] = '\0';
                return cbz_fail(err, CBZ_ERR_VALUE,
                                "field %s: binary value %s has %d digits, more than the %d of "
                                "PIC %s (COMP/BINARY values are limited by their PICTURE "
                                "unless --trunc bin; COMP-5 is not) (bytes %s)",
                                f->name, num, sig, limit, f->pic[0] ? f->pic : "-", hex);
            }
        }
        break;
    case CBZ_USAGE_NATIONAL: {
        what = "national decimal";
        uint8_t narrow[CBZ_DEC_DIGITS_MAX + 2];
        size_t n = f->size / 2;
        if (f->size % 2 || n > sizeof narrow) {
            st = CBZ_ERR_UNSUPPORTED;
            break;
        }
        st = CBZ_OK;
        for (size_t i = 0; i < n && st == CBZ_OK; i++) {
            uint16_t u = cbz_load_be16(bytes + 2 * i);
            if (u > 0x7F) st = CBZ_ERR_VALUE, bad_at = 2 * i;
            narrow[i] = (uint8_t)u;
        }
        if (st == CBZ_OK) {
            st = decode_zoned(f, narrow, n, false, o->lenient, &v, &bad_at);
            bad_at = bad_at == (size_t)-1 ? bad_at : 2 * bad_at;
        }
        break;
    }
    case CBZ_USAGE_COMP1:
    case CBZ_USAGE_COMP2:
        what = "floating-point number";
        st = cbz_float_decode_text(bytes, f->size, o->float_format, out, out_cap, out_len);
        if (st == CBZ_OK) return CBZ_OK;
        break;
    default:
        return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "field %s: numeric field with usage %d",
                        f->name, (int)f->usage);
    }
    if (st == CBZ_ERR_UNSUPPORTED)
        return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "field %s: %u bytes is beyond the %s limits",
                        f->name, (unsigned)f->size, what);
    if (st != CBZ_OK) return invalid(f, bytes, what, bad_at, err);
    size_t need = cbz_decimal_text_max(v.n, f->scale);
    if (out_cap < need) return too_small(f, need, out_cap, err);
    *out_len = cbz_decimal_format(&v, f->scale, out);
    return CBZ_OK;
}

static cbz_status edit_unsupported(const cbz_field *f, const char *why, cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "field %s: edited PIC %s: %s", f->name,
                    f->pic[0] ? f->pic : "-", why ? why : "not supported");
}

/* The compiled PICTURE of a numeric-edited field whose size matches it. */
static cbz_status edited_pic(const cbz_field *f, cbz_edit_pic *e, cbz_error *err)
{
    const char *why = NULL;
    if (cbz_edit_compile(f->pic, e, &why) != CBZ_OK) return edit_unsupported(f, why, err);
    size_t unit = f->usage == CBZ_USAGE_NATIONAL ? 2 : 1;
    if ((size_t)e->n * unit != f->size)
        return cbz_fail(err, CBZ_ERR_UNSUPPORTED,
                        "field %s: edited PIC %s has %u positions, the field %u bytes", f->name,
                        f->pic, (unsigned)e->n, (unsigned)f->size);
    return CBZ_OK;
}

static cbz_status decode_edited(const cbz_field *f, const uint8_t *bytes, const cbz_codepage *cp,
                                const cbz_value_options *o, char *out, size_t out_cap,
                                size_t *out_len, cbz_error *err)
{
    cbz_edit_pic e;
    CBZ_TRY(edited_pic(f, &e, err));
    bool national = f->usage == CBZ_USAGE_NATIONAL;
    char c[CBZ_EDIT_MAX];
    for (size_t i = 0; i < e.n; i++) {
        uint32_t u = national ? cbz_load_be16(bytes + 2 * i) : cp->to_unicode[bytes[i]];
        c[i] = u < 0x7F ? (char)u : '\x7F'; /* DEL: never valid in an edited field */
    }
    cbz_decimal v;
    size_t bad_at = (size_t)-1;
    if (cbz_edit_decode(&e, c, f->blank_when_zero, !o->lenient, &v, &bad_at) != CBZ_OK) {
        if (!err) return CBZ_ERR_VALUE;
        char what[CBZ_PIC_MAX + 48];
        snprintf(what, sizeof what, "numeric-edited value of PIC %s", f->pic);
        return invalid(f, bytes, what, bad_at == (size_t)-1 ? bad_at : bad_at * (national ? 2 : 1),
                       err);
    }
    size_t need = cbz_decimal_text_max(v.n, f->scale);
    if (out_cap < need) return too_small(f, need, out_cap, err);
    *out_len = cbz_decimal_format(&v, f->scale, out);
    return CBZ_OK;
}

cbz_status cbz_value_decode(const cbz_field *f, const uint8_t *bytes, const cbz_value_options *o,
                            char *out, size_t out_cap, size_t *out_len, bool *is_number,
                            cbz_error *err)
{
    const cbz_codepage *cp = options_page(&o);
    size_t len_sink;
    bool number_sink;
    if (!out_len) out_len = &len_sink;
    if (!is_number) is_number = &number_sink;
    *is_number = false;
    *out_len = 0;
    switch (f->category) {
    case CBZ_CAT_NUMERIC:
    case CBZ_CAT_FLOAT:
        if (f->usage == CBZ_USAGE_POINTER) return decode_pointer(f, bytes, out, out_cap, out_len, err);
        *is_number = true;
        return decode_number(f, bytes, cp, o, out, out_cap, out_len, err);
    case CBZ_CAT_NATIONAL:
        return decode_national(f, bytes, o->trim, out, out_cap, out_len, err);
    case CBZ_CAT_NUMERIC_EDITED:
        if (f->usage == CBZ_USAGE_POINTER) return decode_pointer(f, bytes, out, out_cap, out_len, err);
        *is_number = true;
        return decode_edited(f, bytes, cp, o, out, out_cap, out_len, err);
    case CBZ_CAT_GROUP:
    case CBZ_CAT_ALPHANUMERIC:
    case CBZ_CAT_ALPHABETIC:
    case CBZ_CAT_ALNUM_EDITED:
        if (f->usage == CBZ_USAGE_POINTER) return decode_pointer(f, bytes, out, out_cap, out_len, err);
        if (f->usage == CBZ_USAGE_NATIONAL)
            return decode_national(f, bytes, o->trim, out, out_cap, out_len, err);
        return decode_text(f, bytes, cp, o->trim, out, out_cap, out_len, err);
    case CBZ_CAT_CONDITION:
    case CBZ_CAT_RENAMES:
        break;
    }
    return cbz_fail(err, CBZ_ERR_USAGE, "field %s: level %d items hold no value of their own",
                    f->name, f->level);
}

/* ---------------------------------------------------------------------------
 * Encode.
 * ------------------------------------------------------------------------- */

/* Moves the len bytes at p to the right end of size bytes when justified,
 * then fills the rest with copies of the pad unit (1 or 2 bytes). */
static void pad_field(uint8_t *p, size_t len, size_t size, bool justified, const uint8_t *pad,
                      size_t unit)
{
    size_t fill = size - len;
    if (justified) {
        memmove(p + fill, p, len);
        for (size_t i = 0; i < fill; i += unit) memcpy(p + i, pad, unit);
    } else {
        for (size_t i = len; i < size; i += unit) memcpy(p + i, pad, unit);
    }
}

static cbz_status encode_text(const cbz_field *f, const char *text, size_t len,
                              const cbz_codepage *cp, uint8_t *bytes, cbz_error *err)
{
    size_t n = 0;
    cbz_error inner;
    if (cbz_codepage_from_utf8(cp, text, len, bytes, f->size, &n, err ? &inner : NULL) != CBZ_OK)
        return cbz_fail(err, CBZ_ERR_VALUE, "field %s (%u bytes): %s", f->name,
                        (unsigned)f->size, inner.msg);
    pad_field(bytes, n, f->size, f->is_justified, &cp->space, 1);
    return CBZ_OK;
}

static cbz_status encode_national(const cbz_field *f, const char *text, size_t len, uint8_t *bytes,
                                  cbz_error *err)
{
    const uint8_t *s = (const uint8_t *)text;
    size_t o = 0, i = 0;
    if (f->size % 2) return cbz_fail(err, CBZ_ERR_USAGE, "field %s: NATIONAL field of odd size %u",
                                     f->name, (unsigned)f->size);
    while (i < len) {
        uint32_t u;
        size_t at = i, k;
        uint8_t c = s[i];
        if (c < 0x80) u = c, k = 1;
        else if (c >= 0xC2 && c <= 0xDF) u = c & 0x1F, k = 2;
        else if (c >= 0xE0 && c <= 0xEF) u = c & 0x0F, k = 3;
        else if (c >= 0xF0 && c <= 0xF4) u = c & 0x07, k = 4;
        else k = 0, u = 0;
        bool ok = k > 0 && len - i >= k;
        for (size_t j = 1; ok && j < k; j++) {
            ok = (s[i + j] & 0xC0) == 0x80;
            u = u << 6 | (s[i + j] & 0x3F);
        }
        ok = ok && !(k == 3 && u < 0x800) && !(k == 4 && (u < 0x10000 || u > 0x10FFFF)) &&
             !(u >= 0xD800 && u <= 0xDFFF);
        if (!ok)
            return cbz_fail(err, CBZ_ERR_VALUE, "field %s: invalid UTF-8 at byte %zu of the text",
                            f->name, at);
        i += k;
        size_t units = u >= 0x10000 ? 4 : 2;
        if (o + units > f->size)
            return cbz_fail(err, CBZ_ERR_VALUE,
                            "field %s: text needs more than the field's %u bytes of UTF-16",
                            f->name, (unsigned)f->size);
        if (u >= 0x10000) {
            u -= 0x10000;
            cbz_store_be16(bytes + o, (uint16_t)(0xD800 | u >> 10));
            cbz_store_be16(bytes + o + 2, (uint16_t)(0xDC00 | (u & 0x3FF)));
        } else {
            cbz_store_be16(bytes + o, (uint16_t)u);
        }
        o += units;
    }
    static const uint8_t space16[2] = {0x00, 0x20};
    pad_field(bytes, o, f->size, f->is_justified, space16, 2);
    return CBZ_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static cbz_status encode_pointer(const cbz_field *f, const char *text, size_t len, uint8_t *bytes,
                                 cbz_error *err)
{
    if (len == 0) {
        memset(bytes, 0, f->size);
        return CBZ_OK;
    }
    CBZ_FAIL_IF(len != 2 * (size_t)f->size, err, CBZ_ERR_VALUE,
                "field %s: a POINTER is %u hex digits, the text has %zu characters", f->name,
                2 * (unsigned)f->size, len);
    for (size_t i = 0; i < f->size; i++) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        CBZ_FAIL_IF(hi < 0 || lo < 0, err, CBZ_ERR_VALUE,
                    "field %s: '%.*s' is not hex digits", f->name, (int)(len > 40 ? 40 : len),
                    text);
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return CBZ_OK;
}

static cbz_status refuse(const cbz_field *f, const char *text, size_t len, const char *why,
                         cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_VALUE, "field %s (PIC %s, %u bytes, scale %d): '%.*s': %s",
                    f->name, f->pic[0] ? f->pic : "-", (unsigned)f->size, f->scale,
                    (int)(len > 48 ? 48 : len), text, why);
}

/* Zoned digits into n bytes, with the explicit point of the PICTURE. */
static cbz_status encode_zoned(const cbz_field *f, const cbz_decimal *v, bool ebcdic, uint8_t *p,
                               size_t n, const char **why)
{
    if (!f->explicit_point) return cbz_zoned_encode(v, f->is_signed, f->sign, ebcdic, p, n, why);
    uint8_t tmp[CBZ_DEC_DIGITS_MAX + 2];
    size_t at = point_index(f, n);
    if (at == (size_t)-1 || n - 1 > sizeof tmp) {
        *why = "the PICTURE's '.' does not fit the field";
        return CBZ_ERR_UNSUPPORTED;
    }
    CBZ_TRY(cbz_zoned_encode(v, f->is_signed, f->sign, ebcdic, tmp, n - 1, why));
    memcpy(p, tmp, at);
    p[at] = ebcdic ? POINT_EBCDIC : POINT_ASCII;
    memcpy(p + at + 1, tmp + at, n - 1 - at);
    return CBZ_OK;
}

static cbz_status encode_edited(const cbz_field *f, const char *text, size_t len,
                                const cbz_codepage *cp, uint8_t *bytes, cbz_error *err)
{
    cbz_edit_pic e;
    CBZ_TRY(edited_pic(f, &e, err));
    const char *why = "not valid";
    cbz_decimal v;
    char c[CBZ_EDIT_MAX];
    if (cbz_decimal_parse(text, len, f->scale, &v, &why) != CBZ_OK ||
        cbz_edit_encode(&e, &v, f->blank_when_zero, c, &why) != CBZ_OK)
        return refuse(f, text, len, why, err);
    if (f->usage == CBZ_USAGE_NATIONAL) {
        for (size_t i = 0; i < e.n; i++) cbz_store_be16(bytes + 2 * i, (uint8_t)c[i]);
        return CBZ_OK;
    }
    size_t n = 0;
    if (cbz_codepage_from_utf8(cp, c, e.n, bytes, f->size, &n, NULL) != CBZ_OK || n != f->size)
        return refuse(f, text, len, "an editing character has no code in the page", err);
    return CBZ_OK;
}

static cbz_status encode_number(const cbz_field *f, const char *text, size_t len,
                                const cbz_codepage *cp, const cbz_value_options *o,
                                uint8_t *bytes, cbz_error *err)
{
    const char *why = "not valid";
    cbz_status st;
    if (f->usage == CBZ_USAGE_COMP1 || f->usage == CBZ_USAGE_COMP2) {
        st = cbz_float_encode_text(text, len, f->size, o->float_format, bytes, &why);
        return st == CBZ_OK ? CBZ_OK : refuse(f, text, len, why, err);
    }
    cbz_decimal v;
    if (cbz_decimal_parse(text, len, f->scale, &v, &why) != CBZ_OK)
        return refuse(f, text, len, why, err);
    switch (f->usage) {
    case CBZ_USAGE_DISPLAY:
        if (f->blank_when_zero && cbz_decimal_significant(&v) == 0) {
            memset(bytes, cp->space, f->size);
            return CBZ_OK;
        }
        st = encode_zoned(f, &v, cp->is_ebcdic, bytes, f->size, &why);
        break;
    case CBZ_USAGE_PACKED:
        st = cbz_packed_encode(&v, f->is_signed, bytes, f->size, &why);
        break;
    case CBZ_USAGE_BINARY:
    case CBZ_USAGE_COMP5:
    case CBZ_USAGE_INDEX:
        if (f->usage == CBZ_USAGE_BINARY && f->digits > 0 && !o->trunc_bin &&
            cbz_decimal_significant(&v) > binary_pic_digits(f)) {
            why = "more digits than the PIC allows (COMP/BINARY values are limited by their "
                  "PICTURE; COMP-5 is not)";
            st = CBZ_ERR_VALUE;
            break;
        }
        st = cbz_binary_encode(&v, f->is_signed || f->usage == CBZ_USAGE_INDEX, bytes, f->size,
                               &why);
        break;
    case CBZ_USAGE_NATIONAL: {
        uint8_t narrow[CBZ_DEC_DIGITS_MAX + 2];
        size_t n = f->size / 2;
        if (f->size % 2 || n > sizeof narrow) {
            why = "field size is outside the national decimal limits";
            st = CBZ_ERR_UNSUPPORTED;
            break;
        }
        st = encode_zoned(f, &v, false, narrow, n, &why);
        for (size_t i = 0; st == CBZ_OK && i < n; i++) cbz_store_be16(bytes + 2 * i, narrow[i]);
        break;
    }
    default:
        return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "field %s: numeric field with usage %d",
                        f->name, (int)f->usage);
    }
    return st == CBZ_OK ? CBZ_OK : refuse(f, text, len, why, err);
}

cbz_status cbz_value_encode(const cbz_field *f, const char *text, size_t len,
                            const cbz_value_options *o, uint8_t *bytes, cbz_error *err)
{
    const cbz_codepage *cp = options_page(&o);
    switch (f->category) {
    case CBZ_CAT_NUMERIC:
    case CBZ_CAT_FLOAT:
        if (f->usage == CBZ_USAGE_POINTER) return encode_pointer(f, text, len, bytes, err);
        return encode_number(f, text, len, cp, o, bytes, err);
    case CBZ_CAT_NATIONAL:
        return encode_national(f, text, len, bytes, err);
    case CBZ_CAT_NUMERIC_EDITED:
        if (f->usage == CBZ_USAGE_POINTER) return encode_pointer(f, text, len, bytes, err);
        return encode_edited(f, text, len, cp, bytes, err);
    case CBZ_CAT_GROUP:
    case CBZ_CAT_ALPHANUMERIC:
    case CBZ_CAT_ALPHABETIC:
    case CBZ_CAT_ALNUM_EDITED:
        if (f->usage == CBZ_USAGE_POINTER) return encode_pointer(f, text, len, bytes, err);
        if (f->usage == CBZ_USAGE_NATIONAL) return encode_national(f, text, len, bytes, err);
        return encode_text(f, text, len, cp, bytes, err);
    case CBZ_CAT_CONDITION:
    case CBZ_CAT_RENAMES:
        break;
    }
    return cbz_fail(err, CBZ_ERR_USAGE, "field %s: level %d items hold no value of their own",
                    f->name, f->level);
}
