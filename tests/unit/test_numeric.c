/*
 * test_numeric.c — CUnit tests of src/numeric.c: every zoned sign form
 * (EBCDIC, ASCII, SIGN SEPARATE), packed sign and digit nibbles, binary
 * ranges, decimal text at every kind of scale, IBM hex and IEEE floats,
 * numeric editing (every PICTURE symbol, strict and lenient de-editing) and
 * seeded random round trips of each codec.
 */
#include "numeric.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cbz_decimal dec(const char *text, int scale)
{
    cbz_decimal v;
    const char *why = NULL;
    cbz_status st = cbz_decimal_parse(text, strlen(text), scale, &v, &why);
    CU_ASSERT_EQUAL_FATAL(st, CBZ_OK);
    return v;
}

static char fmt_buf[256];
static const char *fmt(const cbz_decimal *v, int scale)
{
    size_t n = cbz_decimal_format(v, scale, fmt_buf);
    CU_ASSERT(n <= cbz_decimal_text_max(v->n, scale));
    fmt_buf[n] = '\0';
    return fmt_buf;
}

/* Decodes zoned bytes and returns the text at scale 0 ("" when invalid). */
static const char *zoned(const uint8_t *p, size_t n, bool is_signed, cbz_sign sign, bool ebcdic)
{
    cbz_decimal v;
    if (cbz_zoned_decode(p, n, is_signed, sign, ebcdic, &v, NULL) != CBZ_OK) return "";
    return fmt(&v, 0);
}

/* Parses text, encodes it as zoned and compares with the expected bytes. */
static void zoned_enc(const char *text, bool is_signed, cbz_sign sign, bool ebcdic,
                      const uint8_t *want, size_t n)
{
    uint8_t got[64];
    cbz_decimal v = dec(text, 0);
    CU_ASSERT_EQUAL_FATAL(cbz_zoned_encode(&v, is_signed, sign, ebcdic, got, n, NULL), CBZ_OK);
    CU_ASSERT(memcmp(got, want, n) == 0);
}

static void test_zoned_ebcdic(void)
{
    static const uint8_t pos_c[] = {0xF1, 0xF2, 0xF3, 0xF4, 0xC5};
    static const uint8_t neg_d[] = {0xF1, 0xF2, 0xF3, 0xF4, 0xD5};
    static const uint8_t pos_f[] = {0xF1, 0xF2, 0xF3, 0xF4, 0xF5};
    static const uint8_t lead_neg[] = {0xD1, 0xF2, 0xF3};
    static const uint8_t neg_zero[] = {0xF0, 0xD0};
    CU_ASSERT_STRING_EQUAL(zoned(pos_c, 5, true, CBZ_SIGN_TRAILING, true), "12345");
    CU_ASSERT_STRING_EQUAL(zoned(neg_d, 5, true, CBZ_SIGN_TRAILING, true), "-12345");
    CU_ASSERT_STRING_EQUAL(zoned(pos_f, 5, true, CBZ_SIGN_TRAILING, true), "12345");
    CU_ASSERT_STRING_EQUAL(zoned(pos_f, 5, false, CBZ_SIGN_NONE, true), "12345");
    CU_ASSERT_STRING_EQUAL(zoned(neg_d, 5, true, CBZ_SIGN_NONE, true), "-12345"); /* default trailing */
    CU_ASSERT_STRING_EQUAL(zoned(lead_neg, 3, true, CBZ_SIGN_LEADING, true), "-123");
    CU_ASSERT_STRING_EQUAL(zoned(neg_zero, 2, true, CBZ_SIGN_TRAILING, true), "-0");
    /* Canonical encode: C/D zones signed, F unsigned. */
    zoned_enc("12345", true, CBZ_SIGN_TRAILING, true, pos_c, 5);
    zoned_enc("-12345", true, CBZ_SIGN_TRAILING, true, neg_d, 5);
    zoned_enc("12345", false, CBZ_SIGN_NONE, true, pos_f, 5);
    zoned_enc("-123", true, CBZ_SIGN_LEADING, true, lead_neg, 3);
    zoned_enc("-0", true, CBZ_SIGN_TRAILING, true, neg_zero, 2);
    static const uint8_t padded[] = {0xF0, 0xF0, 0xF4, 0xC2};
    zoned_enc("42", true, CBZ_SIGN_TRAILING, true, padded, 4);
}

static void test_zoned_invalid(void)
{
    cbz_decimal v;
    size_t bad = 99;
    static const uint8_t spaces[] = {0x40, 0x40, 0x40};
    CU_ASSERT_EQUAL(cbz_zoned_decode(spaces, 3, false, CBZ_SIGN_NONE, true, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 0);
    static const uint8_t space_mid[] = {0xF1, 0x40, 0xF3};
    CU_ASSERT_EQUAL(cbz_zoned_decode(space_mid, 3, true, CBZ_SIGN_TRAILING, true, &v, &bad),
                    CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 1);
    static const uint8_t zone_a[] = {0xF1, 0xA2};
    CU_ASSERT_EQUAL(cbz_zoned_decode(zone_a, 2, true, CBZ_SIGN_TRAILING, true, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 1);
    static const uint8_t zone_b[] = {0xF1, 0xB2};
    CU_ASSERT_EQUAL(cbz_zoned_decode(zone_b, 2, true, CBZ_SIGN_TRAILING, true, &v, NULL), CBZ_ERR_VALUE);
    static const uint8_t digit_a[] = {0xF1, 0xCA};
    CU_ASSERT_EQUAL(cbz_zoned_decode(digit_a, 2, true, CBZ_SIGN_TRAILING, true, &v, NULL), CBZ_ERR_VALUE);
    /* Unsigned fields take no sign zone; a sign zone outside the sign byte is bad. */
    static const uint8_t c_zone[] = {0xF1, 0xC2};
    CU_ASSERT_EQUAL(cbz_zoned_decode(c_zone, 2, false, CBZ_SIGN_NONE, true, &v, NULL), CBZ_ERR_VALUE);
    static const uint8_t lead_zone_trailing[] = {0xD1, 0xF2};
    CU_ASSERT_EQUAL(cbz_zoned_decode(lead_zone_trailing, 2, true, CBZ_SIGN_TRAILING, true, &v, &bad),
                    CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 0);
    static const uint8_t low_values[] = {0x00, 0x00};
    CU_ASSERT_EQUAL(cbz_zoned_decode(low_values, 2, true, CBZ_SIGN_TRAILING, true, &v, NULL),
                    CBZ_ERR_VALUE);
    /* Too many digits for the field on encode; negative into unsigned. */
    uint8_t out[8];
    const char *why = NULL;
    cbz_decimal big = dec("1234", 0);
    CU_ASSERT_EQUAL(cbz_zoned_encode(&big, true, CBZ_SIGN_TRAILING, true, out, 3, &why), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(why);
    cbz_decimal neg = dec("-1", 0);
    CU_ASSERT_EQUAL(cbz_zoned_encode(&neg, false, CBZ_SIGN_NONE, true, out, 3, &why), CBZ_ERR_VALUE);
    /* Leading zeros beyond the capacity are fine. */
    cbz_decimal lz = dec("000000012", 0);
    CU_ASSERT_EQUAL(cbz_zoned_encode(&lz, true, CBZ_SIGN_TRAILING, true, out, 2, NULL), CBZ_OK);
}

static void test_zoned_ascii(void)
{
    /* GnuCOBOL: positive plain digits, negative 0x70..0x79. */
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"0123", 4, true, CBZ_SIGN_TRAILING, false), "123");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"012s", 4, true, CBZ_SIGN_TRAILING, false), "-123");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"00p", 3, true, CBZ_SIGN_TRAILING, false), "-0");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"y99", 3, true, CBZ_SIGN_LEADING, false), "-999");
    /* Micro Focus / IBM ASCII forms. */
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12{", 3, true, CBZ_SIGN_TRAILING, false), "120");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12C", 3, true, CBZ_SIGN_TRAILING, false), "123");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12I", 3, true, CBZ_SIGN_TRAILING, false), "129");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12}", 3, true, CBZ_SIGN_TRAILING, false), "-120");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12J", 3, true, CBZ_SIGN_TRAILING, false), "-121");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12R", 3, true, CBZ_SIGN_TRAILING, false), "-129");
    /* Invalid: letters outside the sign byte, 'S' (beyond R), unsigned with a sign. */
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"1A2", 3, true, CBZ_SIGN_TRAILING, false), "");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12S", 3, true, CBZ_SIGN_TRAILING, false), "");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12z", 3, true, CBZ_SIGN_TRAILING, false), "");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"12p", 3, false, CBZ_SIGN_NONE, false), "");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"1 2", 3, false, CBZ_SIGN_NONE, false), "");
    zoned_enc("-123", true, CBZ_SIGN_TRAILING, false, (const uint8_t *)"012s", 4);
    zoned_enc("123", true, CBZ_SIGN_TRAILING, false, (const uint8_t *)"0123", 4);
    zoned_enc("-999", true, CBZ_SIGN_LEADING, false, (const uint8_t *)"y99", 3);
}

static void test_zoned_separate(void)
{
    static const uint8_t e_lead[] = {0x60, 0xF1, 0xF2};
    static const uint8_t e_trail[] = {0xF1, 0xF2, 0x4E};
    CU_ASSERT_STRING_EQUAL(zoned(e_lead, 3, true, CBZ_SIGN_LEADING_SEPARATE, true), "-12");
    CU_ASSERT_STRING_EQUAL(zoned(e_trail, 3, true, CBZ_SIGN_TRAILING_SEPARATE, true), "12");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"-0042", 5, true, CBZ_SIGN_LEADING_SEPARATE, false),
                           "-42");
    CU_ASSERT_STRING_EQUAL(zoned((const uint8_t *)"0042+", 5, true, CBZ_SIGN_TRAILING_SEPARATE, false),
                           "42");
    zoned_enc("-12", true, CBZ_SIGN_LEADING_SEPARATE, true, e_lead, 3);
    zoned_enc("12", true, CBZ_SIGN_TRAILING_SEPARATE, true, e_trail, 3);
    zoned_enc("-42", true, CBZ_SIGN_LEADING_SEPARATE, false, (const uint8_t *)"-0042", 5);
    zoned_enc("-0", true, CBZ_SIGN_TRAILING_SEPARATE, false, (const uint8_t *)"00-", 3);
    /* A space or an overpunch where the separate sign or digits belong is bad. */
    size_t bad = 99;
    cbz_decimal v;
    CU_ASSERT_EQUAL(cbz_zoned_decode((const uint8_t *)" 042", 4, true, CBZ_SIGN_LEADING_SEPARATE,
                                     false, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(cbz_zoned_decode((const uint8_t *)"04s+", 4, true, CBZ_SIGN_TRAILING_SEPARATE,
                                     false, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 2);
}

static void test_zoned_max_digits(void)
{
    uint8_t b[38];
    memset(b, 0xF9, 38);
    b[37] = 0xD9;
    char want[40] = "-";
    memset(want + 1, '9', 38);
    want[39] = '\0';
    CU_ASSERT_STRING_EQUAL(zoned(b, 38, true, CBZ_SIGN_TRAILING, true), want);
    zoned_enc(want, true, CBZ_SIGN_TRAILING, true, b, 38);
    cbz_decimal v = dec(want, 0);
    uint8_t out[38];
    CU_ASSERT_EQUAL(cbz_zoned_encode(&v, true, CBZ_SIGN_TRAILING, true, out, 37, NULL), CBZ_ERR_VALUE);
}

static void test_packed(void)
{
    cbz_decimal v;
    size_t bad = 99;
    static const uint8_t amt[] = {0x00, 0x03, 0x76, 0x54, 0x4D}; /* S9(7)V99 -3765.44 */
    CU_ASSERT_EQUAL(cbz_packed_decode(amt, 5, true, &v, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "-3765.44");
    uint8_t out[20];
    CU_ASSERT_EQUAL(cbz_packed_encode(&v, true, out, 5, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, amt, 5) == 0);
    /* C and F positive; unsigned encode writes F, signed C. */
    static const uint8_t pos_f[] = {0x12, 0x3F}, pos_c[] = {0x12, 0x3C};
    CU_ASSERT_EQUAL(cbz_packed_decode(pos_f, 2, true, &v, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "123");
    CU_ASSERT_EQUAL(cbz_packed_decode(pos_c, 2, false, &v, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "123");
    CU_ASSERT_EQUAL(cbz_packed_encode(&v, false, out, 2, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, pos_f, 2) == 0);
    CU_ASSERT_EQUAL(cbz_packed_encode(&v, true, out, 2, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, pos_c, 2) == 0);
    /* Every invalid sign nibble, and D in an unsigned field. */
    for (int s = 0; s < 16; s++) {
        uint8_t b[2] = {0x12, (uint8_t)(0x30 | s)};
        bool want_ok = s == 0xC || s == 0xD || s == 0xF;
        CU_ASSERT_EQUAL(cbz_packed_decode(b, 2, true, &v, &bad) == CBZ_OK, want_ok);
        if (!want_ok) CU_ASSERT_EQUAL(bad, 1);
        CU_ASSERT_EQUAL(cbz_packed_decode(b, 2, false, &v, NULL) == CBZ_OK, s == 0xC || s == 0xF);
    }
    /* Digit nibbles above 9, high or low, in the body or beside the sign. */
    static const uint8_t hi_bad[] = {0xA1, 0x2C}, lo_bad[] = {0x1B, 0x2C}, last_bad[] = {0x12, 0xFC};
    CU_ASSERT_EQUAL(cbz_packed_decode(hi_bad, 2, true, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(cbz_packed_decode(lo_bad, 2, true, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_packed_decode(last_bad, 2, true, &v, &bad), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(bad, 1);
    static const uint8_t spaces[] = {0x40, 0x40, 0x40};
    CU_ASSERT_EQUAL(cbz_packed_decode(spaces, 3, true, &v, NULL), CBZ_ERR_VALUE);
    /* Negative zero survives. */
    static const uint8_t nz[] = {0x00, 0x0D};
    CU_ASSERT_EQUAL(cbz_packed_decode(nz, 2, true, &v, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "-0.00");
    CU_ASSERT_EQUAL(cbz_packed_encode(&v, true, out, 2, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, nz, 2) == 0);
    /* 38 nines (PIC S9(38) COMP-3, 20 bytes with the pad nibble 0). */
    uint8_t max[20];
    max[0] = 0x09;
    memset(max + 1, 0x99, 18);
    max[19] = 0x9C;
    CU_ASSERT_EQUAL(cbz_packed_decode(max, 20, true, &v, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_decimal_significant(&v), 38);
    CU_ASSERT_EQUAL(cbz_packed_encode(&v, true, out, 20, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, max, 20) == 0);
    /* Capacity: 2*size-1 digits. */
    cbz_decimal d4 = dec("1234", 0), d3 = dec("999", 0);
    CU_ASSERT_EQUAL(cbz_packed_encode(&d4, true, out, 2, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_packed_encode(&d3, true, out, 2, NULL), CBZ_OK);
    CU_ASSERT(out[0] == 0x99 && out[1] == 0x9C);
    cbz_decimal neg = dec("-5", 0);
    CU_ASSERT_EQUAL(cbz_packed_encode(&neg, false, out, 2, NULL), CBZ_ERR_VALUE);
}

static void test_binary(void)
{
    cbz_decimal v;
    uint8_t out[16];
    static const uint8_t ffff[] = {0xFF, 0xFF}, m32768[] = {0x80, 0x00};
    CU_ASSERT_EQUAL(cbz_binary_decode(ffff, 2, true, &v), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "-1");
    CU_ASSERT_EQUAL(cbz_binary_decode(ffff, 2, false, &v), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "655.35");
    CU_ASSERT_EQUAL(cbz_binary_decode(m32768, 2, true, &v), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "-32768");
    CU_ASSERT_EQUAL(cbz_binary_encode(&v, true, out, 2, NULL), CBZ_OK);
    CU_ASSERT(memcmp(out, m32768, 2) == 0);
    static const struct { const char *text; bool is_signed; size_t size; bool ok; } range[] = {
        {"32767", true, 2, true},   {"32768", true, 2, false},  {"-32768", true, 2, true},
        {"-32769", true, 2, false}, {"65535", false, 2, true},  {"65536", false, 2, false},
        {"-1", false, 2, false},    {"-0", false, 2, true},
        {"2147483647", true, 4, true}, {"2147483648", true, 4, false},
        {"-2147483648", true, 4, true}, {"4294967295", false, 4, true},
        {"9223372036854775807", true, 8, true}, {"9223372036854775808", true, 8, false},
        {"-9223372036854775808", true, 8, true}, {"18446744073709551615", false, 8, true},
        {"18446744073709551616", false, 8, false},
        {"170141183460469231731687303715884105727", true, 16, true},
        {"170141183460469231731687303715884105728", true, 16, false},
        {"-170141183460469231731687303715884105728", true, 16, true},
        {"340282366920938463463374607431768211455", false, 16, true},
        {"340282366920938463463374607431768211456", false, 16, false},
    };
    for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
        cbz_decimal in = dec(range[i].text, 0);
        cbz_status st = cbz_binary_encode(&in, range[i].is_signed, out, range[i].size, NULL);
        CU_ASSERT_EQUAL(st == CBZ_OK, range[i].ok);
        if (st != CBZ_OK) continue;
        CU_ASSERT_EQUAL(cbz_binary_decode(out, range[i].size, range[i].is_signed, &v), CBZ_OK);
        const char *want = strcmp(range[i].text, "-0") == 0 ? "0" : range[i].text;
        CU_ASSERT_STRING_EQUAL(fmt(&v, 0), want);
    }
    static const uint8_t be[] = {0x00, 0x00, 0x01, 0x02};
    CU_ASSERT_EQUAL(cbz_binary_decode(be, 4, true, &v), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "258");
    CU_ASSERT_EQUAL(cbz_binary_decode(be, 17, true, &v), CBZ_ERR_UNSUPPORTED);
}

static void test_decimal_text(void)
{
    cbz_decimal v = dec("-3765.44", 2);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "-3765.44");
    v = dec("0.07", 2);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "0.07");
    v = dec(".07", 2);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "0.07");
    v = dec("20260115", 0);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "20260115");
    v = dec("-0.5", 2);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 2), "-0.50");
    v = dec("  +7.  ", 1);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 1), "7.0");
    v = dec("", 3);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 3), "0.000");
    v = dec("-0", 0);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 0), "-0");
    v = dec("000123", 0);
    CU_ASSERT_EQUAL(v.n, 3);
    /* P scaling: 9(3)PP holds hundreds, PPP999 (scale 6) millionths. */
    v = dec("12300", -2);
    CU_ASSERT_EQUAL(v.n, 3);
    CU_ASSERT_STRING_EQUAL(fmt(&v, -2), "12300");
    v = dec("0", -2);
    CU_ASSERT_STRING_EQUAL(fmt(&v, -2), "0");
    v = dec("0.000123", 6);
    CU_ASSERT_STRING_EQUAL(fmt(&v, 6), "0.000123");
    CU_ASSERT_EQUAL(v.n, 3);
    /* Refusals. */
    static const struct { const char *text; int scale; } bad[] = {
        {"1.234", 2}, {"abc", 0}, {"1.2.3", 2}, {"-", 0}, {"+", 0}, {".", 2}, {"1e5", 0},
        {"12345", -2}, {"50", -2}, {"100.5", -2}, {"1 2", 0}, {"--1", 0}, {"0x10", 0},
        {"123456789012345678901234567890123456789012", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        CU_ASSERT_EQUAL(cbz_decimal_parse(bad[i].text, strlen(bad[i].text), bad[i].scale, &v, &why),
                        CBZ_ERR_VALUE);
        CU_ASSERT_PTR_NOT_NULL(why);
    }
}

static void float_case(const uint8_t *bytes, size_t size, cbz_float_format ff, const char *text)
{
    char out[64];
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(cbz_float_decode_text(bytes, size, ff, out, sizeof out, &n), CBZ_OK);
    out[n] = '\0';
    CU_ASSERT_STRING_EQUAL(out, text);
    uint8_t back[8];
    CU_ASSERT_EQUAL(cbz_float_encode_text(text, strlen(text), size, ff, back, NULL), CBZ_OK);
    CU_ASSERT(memcmp(back, bytes, size) == 0);
}

static void test_float(void)
{
    static const uint8_t one[] = {0x41, 0x10, 0x00, 0x00};
    static const uint8_t m118[] = {0xC2, 0x76, 0xA0, 0x00};   /* -118.625 */
    static const uint8_t tenth[] = {0x40, 0x19, 0x99, 0x9A};  /* 0.1 rounded */
    static const uint8_t tenth2[] = {0x40, 0x19, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A};
    static const uint8_t nzero[] = {0x80, 0x00, 0x00, 0x00};
    static const uint8_t zero8[8] = {0};
    float_case(one, 4, CBZ_FLOAT_IBM_HEX, "1");
    float_case(m118, 4, CBZ_FLOAT_IBM_HEX, "-118.625");
    float_case(tenth, 4, CBZ_FLOAT_IBM_HEX, "0.1");
    float_case(tenth2, 8, CBZ_FLOAT_IBM_HEX, "0.1");
    float_case(nzero, 4, CBZ_FLOAT_IBM_HEX, "-0");
    float_case(zero8, 8, CBZ_FLOAT_IBM_HEX, "0");
    static const uint8_t ieee15[] = {0x3F, 0xC0, 0x00, 0x00};
    static const uint8_t ieee_m2[] = {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    float_case(ieee15, 4, CBZ_FLOAT_IEEE, "1.5");
    float_case(ieee_m2, 8, CBZ_FLOAT_IEEE, "-2");
    /* Largest and smallest normalised IBM values survive the trip. */
    static const uint8_t big[] = {0x7F, 0xFF, 0xFF, 0xFF}, small[] = {0x00, 0x10, 0x00, 0x00};
    char out[64];
    size_t n;
    uint8_t back[8];
    CU_ASSERT_EQUAL(cbz_float_decode_text(big, 4, CBZ_FLOAT_IBM_HEX, out, sizeof out, &n), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_float_encode_text(out, n, 4, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_OK);
    CU_ASSERT(memcmp(back, big, 4) == 0);
    CU_ASSERT_EQUAL(cbz_float_decode_text(small, 4, CBZ_FLOAT_IBM_HEX, out, sizeof out, &n), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_float_encode_text(out, n, 4, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_OK);
    CU_ASSERT(memcmp(back, small, 4) == 0);
    /* Rounding up to 16^1 renormalises: 0.9999999999 is 1.0 in COMP-1. */
    CU_ASSERT_EQUAL(cbz_float_encode_text("0.9999999999", 12, 4, CBZ_FLOAT_IBM_HEX, back, NULL),
                    CBZ_OK);
    CU_ASSERT(memcmp(back, one, 4) == 0);
    /* Out of range, NaN, bad text. */
    const char *why = NULL;
    CU_ASSERT_EQUAL(cbz_float_encode_text("1e80", 4, 4, CBZ_FLOAT_IBM_HEX, back, &why), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(cbz_float_encode_text("1e-90", 5, 8, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("1e39", 4, 4, CBZ_FLOAT_IEEE, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("nan", 3, 8, CBZ_FLOAT_IEEE, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("inf", 3, 8, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("0x1p3", 5, 8, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("1e", 2, 8, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(cbz_float_encode_text("1.5e+2", 6, 4, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_float_encode_text("", 0, 4, CBZ_FLOAT_IBM_HEX, back, NULL), CBZ_OK);
    CU_ASSERT(back[0] == 0 && back[1] == 0 && back[2] == 0 && back[3] == 0);
    static const uint8_t nan[] = {0x7F, 0xC0, 0x00, 0x00};
    CU_ASSERT_EQUAL(cbz_float_decode_text(nan, 4, CBZ_FLOAT_IEEE, out, sizeof out, &n), CBZ_ERR_VALUE);
}

/* xorshift64*: a fixed seed keeps every run the same. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static cbz_decimal random_decimal(int max_digits, bool allow_negative)
{
    cbz_decimal v;
    v.n = (uint8_t)(1 + rnd() % (uint64_t)max_digits);
    for (int i = 0; i < v.n; i++) v.d[i] = (char)('0' + rnd() % 10);
    v.negative = allow_negative && (rnd() & 1);
    return v;
}

static bool same_value(const cbz_decimal *a, const cbz_decimal *b)
{
    char ta[64], tb[64];
    size_t na = cbz_decimal_format(a, 0, ta), nb = cbz_decimal_format(b, 0, tb);
    return na == nb && memcmp(ta, tb, na) == 0;
}

static void test_random_round_trips(void)
{
    uint8_t bytes[40], again[40];
    int failures = 0;
    for (int iter = 0; iter < 3000; iter++) {
        /* Zoned, every sign form, both alphabets: value -> bytes -> value -> bytes. */
        int digits = 1 + (int)(rnd() % 38);
        cbz_sign sign = (cbz_sign)(rnd() % 5);
        bool is_signed = sign != CBZ_SIGN_NONE, ebcdic = rnd() & 1;
        size_t size = (size_t)digits + (sign >= CBZ_SIGN_TRAILING_SEPARATE);
        cbz_decimal v = random_decimal(digits, is_signed), w;
        if (cbz_zoned_encode(&v, is_signed, sign, ebcdic, bytes, size, NULL) != CBZ_OK ||
            cbz_zoned_decode(bytes, size, is_signed, sign, ebcdic, &w, NULL) != CBZ_OK ||
            !same_value(&v, &w) ||
            cbz_zoned_encode(&w, is_signed, sign, ebcdic, again, size, NULL) != CBZ_OK ||
            memcmp(bytes, again, size) != 0)
            failures++;
        /* Packed. */
        size = 1 + rnd() % 20;
        is_signed = rnd() & 1;
        v = random_decimal((int)(2 * size - 1), is_signed);
        if (cbz_packed_encode(&v, is_signed, bytes, size, NULL) != CBZ_OK ||
            cbz_packed_decode(bytes, size, is_signed, &w, NULL) != CBZ_OK || !same_value(&v, &w) ||
            cbz_packed_encode(&w, is_signed, again, size, NULL) != CBZ_OK ||
            memcmp(bytes, again, size) != 0)
            failures++;
        /* Binary: any bytes are a value; bytes -> value -> bytes. */
        static const size_t sizes[] = {1, 2, 4, 8, 16};
        size = sizes[rnd() % 5];
        is_signed = rnd() & 1;
        for (size_t i = 0; i < size; i++) bytes[i] = (uint8_t)rnd();
        if (cbz_binary_decode(bytes, size, is_signed, &w) != CBZ_OK ||
            cbz_binary_encode(&w, is_signed, again, size, NULL) != CBZ_OK ||
            memcmp(bytes, again, size) != 0)
            failures++;
        /* Floats: normalised IBM (first fraction digit non-zero) and finite IEEE. */
        size = (rnd() & 1) ? 8 : 4;
        for (size_t i = 0; i < size; i++) bytes[i] = (uint8_t)rnd();
        cbz_float_format ff = (rnd() & 1) ? CBZ_FLOAT_IEEE : CBZ_FLOAT_IBM_HEX;
        if (ff == CBZ_FLOAT_IBM_HEX && (bytes[1] & 0xF0) == 0) bytes[1] |= 0x10;
        if (ff == CBZ_FLOAT_IEEE) bytes[0] &= 0xBF; /* exponent never all ones */
        char text[64];
        size_t n;
        if (cbz_float_decode_text(bytes, size, ff, text, sizeof text, &n) != CBZ_OK ||
            cbz_float_encode_text(text, n, size, ff, again, NULL) != CBZ_OK ||
            memcmp(bytes, again, size) != 0)
            failures++;
        /* Decimal text at a random scale: value -> text -> value. */
        int scale = (int)(rnd() % 20) - 5;
        v = random_decimal(30, true);
        char t[128];
        size_t tn = cbz_decimal_format(&v, scale, t);
        if (cbz_decimal_parse(t, tn, scale, &w, NULL) != CBZ_OK || !same_value(&v, &w)) failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
}

/* ---------------------------------------------------------------------------
 * Numeric editing.
 * ------------------------------------------------------------------------- */

typedef struct edit_case {
    const char *pic;
    int scale;
    const char *value;  /* decimal text */
    bool bwz;
    const char *edited; /* expected characters */
    const char *back;   /* value text decoding gives, at scale */
} edit_case;

/* Expected results follow IBM Enterprise COBOL's editing rules. */
static const edit_case edit_cases[] = {
    {"9(8)+", 0, "-30503932", false, "30503932-", "-30503932"},
    {"9(8)+", 0, "78449737", false, "78449737+", "78449737"},
    {"+9(8)", 0, "-30503932", false, "-30503932", "-30503932"},
    {"-9(8)", 0, "78449737", false, " 78449737", "78449737"},
    {"-9(8)", 0, "-1", false, "-00000001", "-1"},
    {"Z(8)-", 0, "-30503932", false, "30503932-", "-30503932"},
    {"Z(8)-", 0, "42", false, "      42 ", "42"},
    {"Z(8)-", 0, "0", false, "         ", "0"},
    {"+9(6)V99", 2, "-305039.32", false, "-30503932", "-305039.32"},
    {"Z(6)VZZ-", 2, "-305039.32", false, "30503932-", "-305039.32"},
    {"Z(6)VZZ-", 2, "0.05", false, "      05 ", "0.05"},
    {"9(6).99-", 2, "-305039.32", false, "305039.32-", "-305039.32"},
    {"9(6).99-", 2, "1.5", false, "000001.50 ", "1.50"},
    {"ZZZ9", 0, "0", false, "   0", "0"},
    {"ZZZ9", 0, "1234", false, "1234", "1234"},
    {"ZZZZ", 0, "0", false, "    ", "0"},
    {"ZZZZ.99", 2, "0", false, "    .00", "0.00"},
    {"ZZ.ZZ", 2, "0", false, "     ", "0.00"},
    {"ZZ.ZZ", 2, "0.05", false, "  .05", "0.05"},
    {"ZZ.ZZ", 2, "10.5", false, "10.50", "10.50"},
    {"Z,ZZ9.99CR", 2, "-1234.5", false, "1,234.50CR", "-1234.50"},
    {"Z,ZZ9.99CR", 2, "5", false, "    5.00  ", "5.00"},
    {"Z,ZZ9.99DB", 2, "-5", false, "    5.00DB", "-5.00"},
    {"999CR", 0, "-5", false, "005CR", "-5"},
    {"999DB", 0, "5", false, "005  ", "5"},
    {"**,**9.99", 2, "12.5", false, "****12.50", "12.50"},
    {"**,**9.99", 2, "12345.67", false, "12,345.67", "12345.67"},
    {"****.**", 2, "0", false, "****.**", "0.00"},
    {"$**,**9.99", 2, "12.5", false, "$****12.50", "12.50"},
    {"$$,$$9.99", 2, "1234.5", false, "$1,234.50", "1234.50"},
    {"$$,$$9.99", 2, "234", false, "  $234.00", "234.00"},
    {"$$,$$9.99", 2, "5", false, "    $5.00", "5.00"},
    {"$$$$.99", 2, "0", false, "   $.00", "0.00"},
    {"$$$$", 0, "0", false, "    ", "0"},
    {"$999", 0, "5", false, "$005", "5"},
    {"++++9", 0, "-12", false, "  -12", "-12"},
    {"++++9", 0, "12", false, "  +12", "12"},
    {"++++9", 0, "1234", false, "+1234", "1234"},
    {"----9", 0, "12", false, "   12", "12"},
    {"----9", 0, "-1234", false, "-1234", "-1234"},
    {"-$$$9", 0, "-5", false, "-  $5", "-5"},
    {"+$$$9", 0, "5", false, "+  $5", "5"},
    {"99B99", 0, "1234", false, "12 34", "1234"},
    {"990099", 0, "1234", false, "120034", "1234"},
    {"99/99/99", 0, "123199", false, "12/31/99", "123199"},
    {"ZZB99", 0, "5", false, "   05", "5"},
    {"ZZ,ZZ9", 0, "1234", false, " 1,234", "1234"},
    {"ZZ,ZZ9", 0, "12", false, "    12", "12"},
    {"999.99", 2, "0", true, "      ", "0.00"},
    {"ZZ9.99-", 2, "-12.5", false, " 12.50-", "-12.50"},
    {"ZZ9.99-", 2, "-0", false, "  0.00-", "-0.00"},
    {"z(3)9.99", 2, "7.25", false, "   7.25", "7.25"},
    {"+9(3)", 0, "-0", false, "-000", "-0"},
};

static void test_edit_encode_decode(void)
{
    for (size_t i = 0; i < sizeof edit_cases / sizeof edit_cases[0]; i++) {
        const edit_case *c = &edit_cases[i];
        cbz_edit_pic e;
        const char *why = NULL;
        if (cbz_edit_compile(c->pic, &e, &why) != CBZ_OK) {
            fprintf(stderr, "PIC %s: %s\n", c->pic, why);
            CU_FAIL("compile");
            continue;
        }
        CU_ASSERT_EQUAL(e.n, strlen(c->edited));
        cbz_decimal v = dec(c->value, c->scale);
        char out[CBZ_EDIT_MAX + 1];
        CU_ASSERT_EQUAL_FATAL(cbz_edit_encode(&e, &v, c->bwz, out, &why), CBZ_OK);
        out[e.n] = '\0';
        if (strcmp(out, c->edited) != 0) {
            fprintf(stderr, "PIC %s value %s: edited '%s', want '%s'\n", c->pic, c->value, out,
                    c->edited);
            CU_FAIL("edited text");
        }
        cbz_decimal back;
        size_t bad = 99;
        cbz_status st = cbz_edit_decode(&e, c->edited, c->bwz, true, &back, &bad);
        CU_ASSERT_EQUAL(st, CBZ_OK);
        CU_ASSERT_EQUAL(back.n, e.digits);
        if (st == CBZ_OK && strcmp(fmt(&back, c->scale), c->back) != 0) {
            fprintf(stderr, "PIC %s '%s': decoded %s, want %s\n", c->pic, c->edited, fmt_buf,
                    c->back);
            CU_FAIL("de-edited value");
        }
    }
}

/* De-edits chars under pic; returns the value text or "<bad@N>". */
static char edit_buf[64];
static const char *deedit(const char *pic, int scale, const char *chars, bool strict)
{
    cbz_edit_pic e;
    CU_ASSERT_EQUAL_FATAL(cbz_edit_compile(pic, &e, NULL), CBZ_OK);
    CU_ASSERT_EQUAL_FATAL(e.n, strlen(chars));
    cbz_decimal v;
    size_t bad = 99;
    if (cbz_edit_decode(&e, chars, false, strict, &v, &bad) != CBZ_OK) {
        snprintf(edit_buf, sizeof edit_buf, "<bad@%zu>", bad);
        return edit_buf;
    }
    return fmt(&v, scale);
}

static void test_edit_invalid(void)
{
    /* Cobrix's data: '+' where the PICTURE has '-' is not what COBOL writes. */
    CU_ASSERT_STRING_EQUAL(deedit("9(8)-", 0, "78449737+", true), "<bad@8>");
    CU_ASSERT_STRING_EQUAL(deedit("9(8)-", 0, "78449737+", false), "78449737");
    CU_ASSERT_STRING_EQUAL(deedit("-9(8)", 0, "+78449737", false), "78449737");
    /* A zero where Z suppresses: lenient reads it, strict names the byte. */
    CU_ASSERT_STRING_EQUAL(deedit("ZZ99", 0, "0012", true), "<bad@0>");
    CU_ASSERT_STRING_EQUAL(deedit("ZZ99", 0, "0012", false), "12");
    /* Characters that never de-edit, in strict and lenient mode alike. */
    CU_ASSERT_STRING_EQUAL(deedit("ZZ99", 0, " 1a2", false), "<bad@2>");
    CU_ASSERT_STRING_EQUAL(deedit("9999", 0, " 123", false), "<bad@0>");
    CU_ASSERT_STRING_EQUAL(deedit("999CR", 0, "005C ", true), "<bad@4>");
    CU_ASSERT_STRING_EQUAL(deedit("999CR", 0, "005XR", false), "<bad@3>");
    CU_ASSERT_STRING_EQUAL(deedit("+999", 0, " 005", false), "<bad@0>");
    CU_ASSERT_STRING_EQUAL(deedit("$999", 0, "#005", false), "<bad@0>");
    CU_ASSERT_STRING_EQUAL(deedit("99/99", 0, "12-31", false), "<bad@2>");
    CU_ASSERT_STRING_EQUAL(deedit("99.99", 2, "12,31", false), "<bad@2>");
    /* The floating symbol at the wrong place is not canonical. */
    CU_ASSERT_STRING_EQUAL(deedit("$$$9", 0, "$  5", true), "<bad@0>");
    CU_ASSERT_STRING_EQUAL(deedit("$$$9", 0, "  $5", true), "5");
    CU_ASSERT_STRING_EQUAL(deedit("----9", 0, "  -12", true), "-12");
    CU_ASSERT_STRING_EQUAL(deedit("----9", 0, "  +12", true), "<bad@2>");
    /* Encoding refusals. */
    cbz_edit_pic e;
    const char *why = NULL;
    char out[CBZ_EDIT_MAX];
    CU_ASSERT_EQUAL_FATAL(cbz_edit_compile("ZZ9", &e, NULL), CBZ_OK);
    cbz_decimal v = dec("-5", 0);
    CU_ASSERT_EQUAL(cbz_edit_encode(&e, &v, false, out, &why), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "sign"));
    v = dec("1000", 0);
    CU_ASSERT_EQUAL(cbz_edit_encode(&e, &v, false, out, &why), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "too many"));
    /* Pictures outside numeric editing. */
    static const char *const bad_pics[] = {"ZZ*9", "9(3)E", "+9+9", "99CR9", "9$9", "9-9",
                                           "$$9++", "XX9", "BB/", "9(200)", "Z(3"};
    for (size_t i = 0; i < sizeof bad_pics / sizeof bad_pics[0]; i++) {
        why = NULL;
        CU_ASSERT_EQUAL(cbz_edit_compile(bad_pics[i], &e, &why), CBZ_ERR_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(why);
    }
}

static void test_edit_random(void)
{
    static const char *const pics[] = {"Z,ZZZ,ZZ9.99CR", "$$$,$$9.99", "++++,+++.99", "-9(7)",
                                       "****,**9.99", "ZZ.ZZ", "99B99/990", "Z(6)VZZ-",
                                       "$**,**9.99DB", "9(5).9(3)+"};
    int failures = 0;
    for (int iter = 0; iter < 3000; iter++) {
        const char *pic = pics[iter % 10];
        cbz_edit_pic e;
        CU_ASSERT_EQUAL_FATAL(cbz_edit_compile(pic, &e, NULL), CBZ_OK);
        cbz_decimal v;
        int zeros = (int)(rand() % (e.digits + 1));
        v.n = e.digits;
        v.negative = e.has_sign && (rand() & 1);
        for (int i = 0; i < v.n; i++) v.d[i] = i < zeros ? '0' : (char)('0' + rand() % 10);
        char out[CBZ_EDIT_MAX];
        cbz_decimal back;
        size_t bad;
        if (cbz_edit_encode(&e, &v, false, out, NULL) != CBZ_OK ||
            cbz_edit_decode(&e, out, false, true, &back, &bad) != CBZ_OK ||
            memcmp(back.d, v.d, v.n) != 0 ||
            (cbz_decimal_significant(&v) && back.negative != v.negative)) {
            if (failures++ < 5) fprintf(stderr, "PIC %s: '%.*s'\n", pic, (int)e.n, out);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
}

static void test_pic_helpers(void)
{
    CU_ASSERT_EQUAL(cbz_pic_nines("S9(5)PPP"), 5);
    CU_ASSERT_EQUAL(cbz_pic_nines("9(8)V99"), 10);
    CU_ASSERT_EQUAL(cbz_pic_nines(""), 0);
    CU_ASSERT_EQUAL(cbz_pic_point_digits("S9(3).99"), 3);
    CU_ASSERT_EQUAL(cbz_pic_point_digits("9(8).9(2)"), 8);
    CU_ASSERT_EQUAL(cbz_pic_point_digits(".99"), 0);
    CU_ASSERT_EQUAL(cbz_pic_point_digits("9(3)V99"), -1);
    CU_ASSERT_EQUAL(cbz_pic_point_digits("PP9.9"), -1);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite("numeric", NULL, NULL);
    CU_add_test(s, "zoned EBCDIC sign forms", test_zoned_ebcdic);
    CU_add_test(s, "zoned invalid bytes", test_zoned_invalid);
    CU_add_test(s, "zoned ASCII overpunch", test_zoned_ascii);
    CU_add_test(s, "zoned SIGN SEPARATE", test_zoned_separate);
    CU_add_test(s, "zoned 38 digits", test_zoned_max_digits);
    CU_add_test(s, "packed decimal", test_packed);
    CU_add_test(s, "binary ranges", test_binary);
    CU_add_test(s, "decimal text", test_decimal_text);
    CU_add_test(s, "floats", test_float);
    CU_add_test(s, "random round trips", test_random_round_trips);
    CU_add_test(s, "numeric editing, every symbol", test_edit_encode_decode);
    CU_add_test(s, "numeric editing, invalid and lenient", test_edit_invalid);
    CU_add_test(s, "numeric editing, random round trips", test_edit_random);
    CU_add_test(s, "PICTURE helpers", test_pic_helpers);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
