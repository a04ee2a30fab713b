/*
 * test_value.c — CUnit tests of src/value.c: each category and usage through
 * cbz_value_decode / cbz_value_encode, trimming and padding, BLANK WHEN ZERO,
 * P scaling, explicit decimal points, numeric-edited fields, the PIC limit
 * of COMP, lenient reading, the reasons given for invalid values and refused
 * texts, and seeded random bytes -> text -> bytes round trips for every
 * usage in an EBCDIC and an ASCII page.
 */
#include "cobzip.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <string.h>

static cbz_field field(const char *name, cbz_category cat, cbz_usage usage, uint32_t size,
                       int digits, int scale, bool is_signed, cbz_sign sign)
{
    cbz_field f;
    memset(&f, 0, sizeof f);
    snprintf(f.name, sizeof f.name, "%s", name);
    f.level = 5;
    f.parent = f.first_child = f.next_sibling = -1;
    f.depending_on = f.redefines = f.renames_from = f.renames_thru = -1;
    f.category = cat;
    f.usage = usage;
    f.size = size;
    f.digits = digits;
    f.scale = scale;
    f.is_signed = is_signed;
    f.sign = is_signed && sign == CBZ_SIGN_NONE ? CBZ_SIGN_TRAILING : sign;
    return f;
}

static cbz_value_options opts(const char *page, cbz_trim trim)
{
    cbz_value_options o = {.codepage = cbz_codepage_find(page), .trim = trim, .float_format = CBZ_FLOAT_IBM_HEX};
    CU_ASSERT_PTR_NOT_NULL_FATAL(o.codepage);
    return o;
}

static char text_buf[1024];
static bool number_flag;

/* Decodes and returns the text, or "<invalid>" when the value is refused. */
static const char *decode(const cbz_field *f, const uint8_t *bytes, const cbz_value_options *o)
{
    size_t n = 0;
    cbz_status st = cbz_value_decode(f, bytes, o, text_buf, sizeof text_buf - 1, &n, &number_flag,
                                     NULL);
    if (st != CBZ_OK) return "<invalid>";
    text_buf[n] = '\0';
    return text_buf;
}

/* Encodes text and checks the bytes, then decodes them back to `back`. */
static void encode_check(const cbz_field *f, const char *text, const cbz_value_options *o,
                         const uint8_t *want, const char *back)
{
    uint8_t got[256];
    cbz_error err = {0};
    cbz_status st = cbz_value_encode(f, text, strlen(text), o, got, &err);
    if (st != CBZ_OK) fprintf(stderr, "encode '%s': %s\n", text, err.msg);
    CU_ASSERT_EQUAL_FATAL(st, CBZ_OK);
    CU_ASSERT(memcmp(got, want, f->size) == 0);
    if (back) CU_ASSERT_STRING_EQUAL(decode(f, got, o), back);
}

/* Encode must refuse text, with reason_part in the message. */
static void refused_value(const cbz_field *f, const char *text, const cbz_value_options *o,
                          const char *reason_part)
{
    uint8_t bytes[64];
    cbz_error err = {0};
    CU_ASSERT_EQUAL(cbz_value_encode(f, text, strlen(text), o, bytes, &err), CBZ_ERR_VALUE);
    if (!strstr(err.msg, reason_part)) {
        fprintf(stderr, "'%s': reason '%s' lacks '%s'\n", text, err.msg, reason_part);
        CU_FAIL("reason text");
    }
}

static void test_numbers_at_scale(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_field amt = field("AMOUNT", CBZ_CAT_NUMERIC, CBZ_USAGE_PACKED, 5, 9, 2, true, CBZ_SIGN_NONE);
    static const uint8_t amt_b[] = {0x00, 0x03, 0x76, 0x54, 0x4D};
    CU_ASSERT_STRING_EQUAL(decode(&amt, amt_b, &e), "-3765.44");
    CU_ASSERT_TRUE(number_flag);
    encode_check(&amt, "-3765.44", &e, amt_b, "-3765.44");
    static const uint8_t small_b[] = {0x00, 0x00, 0x00, 0x00, 0x7C};
    CU_ASSERT_STRING_EQUAL(decode(&amt, small_b, &e), "0.07");
    static const uint8_t half_b[] = {0x00, 0x00, 0x00, 0x05, 0x0D};
    CU_ASSERT_STRING_EQUAL(decode(&amt, half_b, &e), "-0.50");
    encode_check(&amt, "-.5", &e, half_b, "-0.50");
    cbz_field date = field("TXN-DATE", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 8, 8, 0, false, CBZ_SIGN_NONE);
    static const uint8_t date_b[] = {0xF2, 0xF0, 0xF2, 0xF6, 0xF0, 0xF1, 0xF1, 0xF5};
    CU_ASSERT_STRING_EQUAL(decode(&date, date_b, &e), "20260115");
    encode_check(&date, "20260115", &e, date_b, "20260115");
    /* Empty text is zero; zero fills with zero digits. */
    static const uint8_t zero_b[] = {0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0, 0xF0};
    encode_check(&date, "", &e, zero_b, "0");
    static const uint8_t amt_zero[] = {0x00, 0x00, 0x00, 0x00, 0x0C};
    encode_check(&amt, "", &e, amt_zero, "0.00");
    /* 9(3)PP: three digits stored, value times 100. */
    cbz_field hundreds = field("H", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 3, 5, -2, false, CBZ_SIGN_NONE);
    static const uint8_t h_b[] = {0xF1, 0xF2, 0xF3};
    CU_ASSERT_STRING_EQUAL(decode(&hundreds, h_b, &e), "12300");
    encode_check(&hundreds, "12300", &e, h_b, "12300");
    /* PPP999 (scale 6). */
    cbz_field tiny = field("T", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 3, 6, 6, false, CBZ_SIGN_NONE);
    CU_ASSERT_STRING_EQUAL(decode(&tiny, h_b, &e), "0.000123");
    encode_check(&tiny, "0.000123", &e, h_b, "0.000123");
    /* Binary with scale, COMP-5 full range, INDEX. */
    cbz_field bin = field("B", CBZ_CAT_NUMERIC, CBZ_USAGE_BINARY, 4, 7, 2, true, CBZ_SIGN_NONE);
    static const uint8_t bin_b[] = {0xFF, 0xFF, 0xFF, 0x9C};
    CU_ASSERT_STRING_EQUAL(decode(&bin, bin_b, &e), "-1.00");
    encode_check(&bin, "-1", &e, bin_b, "-1.00");
    cbz_field c5 = field("C5", CBZ_CAT_NUMERIC, CBZ_USAGE_COMP5, 2, 4, 0, false, CBZ_SIGN_NONE);
    static const uint8_t c5_b[] = {0xFF, 0xFF};
    CU_ASSERT_STRING_EQUAL(decode(&c5, c5_b, &e), "65535");
    encode_check(&c5, "65535", &e, c5_b, "65535");
    /* COMP (not COMP-5) past its PIC is invalid (test_binary_pic_limit). */
    cbz_field comp = field("C", CBZ_CAT_NUMERIC, CBZ_USAGE_BINARY, 2, 4, 0, true, CBZ_SIGN_NONE);
    static const uint8_t comp_b[] = {0x30, 0x39};
    CU_ASSERT_STRING_EQUAL(decode(&comp, comp_b, &e), "<invalid>");
    static const uint8_t comp_ok[] = {0x27, 0x0F};
    encode_check(&comp, "9999", &e, comp_ok, "9999");
    /* Floats: COMP-1 IBM hex, and COMP-2 as IEEE by option. */
    cbz_field c1 = field("F1", CBZ_CAT_FLOAT, CBZ_USAGE_COMP1, 4, 0, 0, true, CBZ_SIGN_NONE);
    static const uint8_t c1_b[] = {0xC2, 0x76, 0xA0, 0x00};
    CU_ASSERT_STRING_EQUAL(decode(&c1, c1_b, &e), "-118.625");
    CU_ASSERT_TRUE(number_flag);
    encode_check(&c1, "-118.625", &e, c1_b, "-118.625");
    cbz_value_options ieee = e;
    ieee.float_format = CBZ_FLOAT_IEEE;
    cbz_field c2 = field("F2", CBZ_CAT_FLOAT, CBZ_USAGE_COMP2, 8, 0, 0, true, CBZ_SIGN_NONE);
    static const uint8_t c2_b[] = {0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A};
    CU_ASSERT_STRING_EQUAL(decode(&c2, c2_b, &ieee), "0.1");
    encode_check(&c2, "0.1", &ieee, c2_b, "0.1");
}

static void test_ascii_numbers(void)
{
    cbz_value_options a = opts("ascii", CBZ_TRIM_RIGHT);
    cbz_field s = field("S", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 4, 4, 1, true, CBZ_SIGN_TRAILING);
    CU_ASSERT_STRING_EQUAL(decode(&s, (const uint8_t *)"012p", &a), "-12.0");
    encode_check(&s, "-12.0", &a, (const uint8_t *)"012p", "-12.0");
    CU_ASSERT_STRING_EQUAL(decode(&s, (const uint8_t *)"012}", &a), "-12.0");
    CU_ASSERT_STRING_EQUAL(decode(&s, (const uint8_t *)"012{", &a), "12.0");
    cbz_field lead = field("L", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 5, 4, 2, true,
                           CBZ_SIGN_LEADING_SEPARATE);
    CU_ASSERT_STRING_EQUAL(decode(&lead, (const uint8_t *)"-0042", &a), "-0.42");
    encode_check(&lead, "-0.42", &a, (const uint8_t *)"-0042", "-0.42");
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    static const uint8_t e_lead[] = {0x4E, 0xF0, 0xF0, 0xF4, 0xF2};
    encode_check(&lead, "0.42", &e, e_lead, "0.42");
    /* PIC S9(3) USAGE NATIONAL: UTF-16 digits, ASCII sign forms. */
    cbz_field nat = field("N", CBZ_CAT_NUMERIC, CBZ_USAGE_NATIONAL, 6, 3, 0, true,
                          CBZ_SIGN_LEADING_SEPARATE);
    static const uint8_t nat_b[] = {0x00, '-', 0x00, '4', 0x00, '2'};
    CU_ASSERT_STRING_EQUAL(decode(&nat, nat_b, &e), "-42");
    encode_check(&nat, "-42", &e, nat_b, "-42");
}

static void test_invalid_values(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_field qty = field("QTY", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 3, 3, 0, false, CBZ_SIGN_NONE);
    static const uint8_t spaces[] = {0x40, 0x40, 0x40};
    char out[128];
    size_t n;
    bool num;
    CU_ASSERT_EQUAL(cbz_value_decode(&qty, spaces, &e, out, sizeof out, &n, &num, NULL), CBZ_ERR_VALUE);
    cbz_error err = {0};
    CU_ASSERT_EQUAL(cbz_value_decode(&qty, spaces, &e, out, sizeof out, &n, &num, &err), CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(err.code, CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "QTY"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "40 40 40"));
    /* BLANK WHEN ZERO: spaces are zero, zero encodes as spaces. */
    qty.blank_when_zero = true;
    CU_ASSERT_STRING_EQUAL(decode(&qty, spaces, &e), "0");
    encode_check(&qty, "0", &e, spaces, "0");
    /* Bad packed nibble, named in the reason. */
    cbz_field pk = field("PK", CBZ_CAT_NUMERIC, CBZ_USAGE_PACKED, 3, 5, 0, true, CBZ_SIGN_NONE);
    static const uint8_t bad_sign[] = {0x12, 0x34, 0x5A};
    CU_ASSERT_STRING_EQUAL(decode(&pk, bad_sign, &e), "<invalid>");
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(cbz_value_decode(&pk, bad_sign, &e, out, sizeof out, &n, &num, &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "packed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte 3"));
    /* Unpaired surrogate in NATIONAL text. */
    cbz_field nt = field("NT", CBZ_CAT_NATIONAL, CBZ_USAGE_NATIONAL, 4, 2, 0, false, CBZ_SIGN_NONE);
    static const uint8_t lone[] = {0xD8, 0x3D, 0x00, 0x41};
    CU_ASSERT_STRING_EQUAL(decode(&nt, lone, &e), "<invalid>");
    /* IEEE NaN. */
    cbz_value_options ieee = e;
    ieee.float_format = CBZ_FLOAT_IEEE;
    cbz_field c1 = field("F", CBZ_CAT_FLOAT, CBZ_USAGE_COMP1, 4, 0, 0, true, CBZ_SIGN_NONE);
    static const uint8_t nan[] = {0x7F, 0xC0, 0x00, 0x00};
    CU_ASSERT_STRING_EQUAL(decode(&c1, nan, &ieee), "<invalid>");
    /* 88 levels hold no value. */
    cbz_field cond = field("IS-OPEN", CBZ_CAT_CONDITION, CBZ_USAGE_DISPLAY, 0, 0, 0, false, CBZ_SIGN_NONE);
    cond.level = 88;
    CU_ASSERT_EQUAL(cbz_value_decode(&cond, spaces, &e, out, sizeof out, &n, &num, NULL), CBZ_ERR_USAGE);
    /* A buffer too small is refused, not overrun. */
    cbz_field txt = field("TXT", CBZ_CAT_ALPHANUMERIC, CBZ_USAGE_DISPLAY, 20, 20, 0, false, CBZ_SIGN_NONE);
    uint8_t twenty[20];
    memset(twenty, 0xC1, sizeof twenty);
    CU_ASSERT_EQUAL(cbz_value_decode(&txt, twenty, &e, out, 10, &n, &num, NULL), CBZ_ERR_USAGE);
}

static void refused(const cbz_field *f, const char *text, const cbz_value_options *o,
                    const char *reason_part)
{
    uint8_t bytes[64];
    cbz_error err = {0};
    CU_ASSERT_EQUAL(cbz_value_encode(f, text, strlen(text), o, bytes, &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, f->name));
    if (!strstr(err.msg, reason_part)) {
        fprintf(stderr, "'%s': reason '%s' lacks '%s'\n", text, err.msg, reason_part);
        CU_FAIL("reason text");
    }
}

static void test_refused_texts(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_field amt = field("AMT", CBZ_CAT_NUMERIC, CBZ_USAGE_PACKED, 4, 7, 2, true, CBZ_SIGN_NONE);
    refused(&amt, "123456.00", &e, "too many integer digits");
    refused(&amt, "1.234", &e, "fractional digits");
    refused(&amt, "12a", &e, "not a decimal number");
    cbz_field u = field("U", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 3, 3, 0, false, CBZ_SIGN_NONE);
    refused(&u, "-5", &e, "unsigned");
    refused(&u, "1000", &e, "too many integer digits");
    cbz_field h = field("H", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, 3, 5, -2, false, CBZ_SIGN_NONE);
    refused(&h, "12345", &e, "P scaling");
    cbz_field b = field("B", CBZ_CAT_NUMERIC, CBZ_USAGE_COMP5, 2, 4, 0, true, CBZ_SIGN_NONE);
    refused(&b, "32768", &e, "out of range");
    b.usage = CBZ_USAGE_BINARY;
    refused(&b, "32767", &e, "more digits than the PIC allows");
    cbz_field t = field("NAME", CBZ_CAT_ALPHANUMERIC, CBZ_USAGE_DISPLAY, 4, 4, 0, false, CBZ_SIGN_NONE);
    refused(&t, "ABCDE", &e, "longer");
    refused(&t, "\xE2\x82\xAC", &e, "U+20AC");
    cbz_field c1 = field("F", CBZ_CAT_FLOAT, CBZ_USAGE_COMP1, 4, 0, 0, true, CBZ_SIGN_NONE);
    refused(&c1, "1e99", &e, "too large");
}

static void test_text_fields(void)
{
    cbz_value_options right = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_value_options none = opts("cp037", CBZ_TRIM_NONE);
    cbz_value_options both = opts("cp037", CBZ_TRIM_BOTH);
    cbz_field name = field("NAME", CBZ_CAT_ALPHANUMERIC, CBZ_USAGE_DISPLAY, 8, 8, 0, false, CBZ_SIGN_NONE);
    static const uint8_t b[] = {0x40, 0xC1, 0xC2, 0x40, 0xC3, 0x40, 0x40, 0x40}; /* " AB C   " */
    CU_ASSERT_STRING_EQUAL(decode(&name, b, &right), " AB C");
    CU_ASSERT_FALSE(number_flag);
    CU_ASSERT_STRING_EQUAL(decode(&name, b, &none), " AB C   ");
    CU_ASSERT_STRING_EQUAL(decode(&name, b, &both), "AB C");
    encode_check(&name, " AB C", &right, b, " AB C");
    static const uint8_t blank[8] = {0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40};
    CU_ASSERT_STRING_EQUAL(decode(&name, blank, &both), "");
    encode_check(&name, "", &right, blank, "");
    /* JUSTIFIED RIGHT pads on the left. */
    name.is_justified = true;
    static const uint8_t j[] = {0x40, 0x40, 0x40, 0x40, 0x40, 0xC1, 0xC2, 0xC3};
    encode_check(&name, "ABC", &right, j, "     ABC");
    /* Numeric edited is a number (test_edited_fields has the rest). */
    cbz_field ed = field("ED", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, 7, 5, 2, true, CBZ_SIGN_NONE);
    snprintf(ed.pic, sizeof ed.pic, "ZZ9.99-");
    static const uint8_t ed_b[] = {0x40, 0xF1, 0xF2, 0x4B, 0xF5, 0xF0, 0x60}; /* " 12.50-" */
    CU_ASSERT_STRING_EQUAL(decode(&ed, ed_b, &right), "-12.50");
    CU_ASSERT_TRUE(number_flag);
    encode_check(&ed, "-12.5", &right, ed_b, "-12.50");
    /* Group read as text; euro in cp1140. */
    cbz_value_options eu = opts("cp1140", CBZ_TRIM_RIGHT);
    cbz_field grp = field("GRP", CBZ_CAT_GROUP, CBZ_USAGE_DISPLAY, 3, 0, 0, false, CBZ_SIGN_NONE);
    static const uint8_t euro[] = {0x9F, 0xF5, 0x40};
    CU_ASSERT_STRING_EQUAL(decode(&grp, euro, &eu), "\xE2\x82\xAC" "5");
    encode_check(&grp, "\xE2\x82\xAC" "5", &eu, euro, "\xE2\x82\xAC" "5");
    /* NATIONAL: UTF-16BE with a surrogate pair; pads with U+0020. */
    cbz_field nt = field("NT", CBZ_CAT_NATIONAL, CBZ_USAGE_NATIONAL, 10, 5, 0, false, CBZ_SIGN_NONE);
    static const uint8_t nt_b[] = {0x00, 0xFC, 0xD8, 0x3D, 0xDE, 0x00, 0x00, 0x20, 0x00, 0x20};
    CU_ASSERT_STRING_EQUAL(decode(&nt, nt_b, &right), "\xC3\xBC\xF0\x9F\x98\x80");
    encode_check(&nt, "\xC3\xBC\xF0\x9F\x98\x80", &right, nt_b, "\xC3\xBC\xF0\x9F\x98\x80");
    /* POINTER as hex. */
    cbz_field ptr = field("P", CBZ_CAT_NUMERIC, CBZ_USAGE_POINTER, 4, 0, 0, false, CBZ_SIGN_NONE);
    static const uint8_t ptr_b[] = {0x00, 0x1A, 0xBC, 0xFF};
    CU_ASSERT_STRING_EQUAL(decode(&ptr, ptr_b, &right), "001ABCFF");
    CU_ASSERT_FALSE(number_flag);
    encode_check(&ptr, "001abcff", &right, ptr_b, "001ABCFF");
}


/* xorshift64*, fixed seed. */
static uint64_t rng_state = 0x0123456789ABCDEFull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static cbz_field pic_field(const char *name, cbz_category cat, cbz_usage usage, const char *pic,
                           uint32_t size, int digits, int scale, bool is_signed, cbz_sign sign)
{
    cbz_field f = field(name, cat, usage, size, digits, scale, is_signed, sign);
    snprintf(f.pic, sizeof f.pic, "%s", pic);
    f.explicit_point = strchr(pic, '.') != NULL;
    return f;
}

/* Text in cp037 bytes (digits, letters, space, + - . , / * $ only). */
static void to_cp037(const char *text, uint8_t *out)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_NONE);
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(cbz_codepage_from_utf8(e.codepage, text, strlen(text), out, 64, &n, NULL),
                          CBZ_OK);
}

static void test_explicit_point(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_value_options a = opts("ascii", CBZ_TRIM_RIGHT);
    /* Cobrix test6/test24: S9(3).99 with the overpunch on the last digit. */
    cbz_field f = pic_field("EDEC03", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "S9(3).99", 6, 5, 2, true,
                            CBZ_SIGN_TRAILING);
    static const uint8_t neg[] = {0xF3, 0xF0, 0xF5, 0x4B, 0xF0, 0xD3};
    CU_ASSERT_STRING_EQUAL(decode(&f, neg, &e), "-305.03");
    CU_ASSERT_TRUE(number_flag);
    encode_check(&f, "-305.03", &e, neg, "-305.03");
    static const uint8_t pos[] = {0xF1, 0xF3, 0xF1, 0x4B, 0xF4, 0xC0};
    CU_ASSERT_STRING_EQUAL(decode(&f, pos, &e), "131.40");
    encode_check(&f, "131.4", &e, pos, "131.40");
    /* The point must be the page's '.' at its place. */
    static const uint8_t no_point[] = {0xF3, 0xF0, 0xF5, 0xF0, 0xF0, 0xD3};
    CU_ASSERT_STRING_EQUAL(decode(&f, no_point, &e), "<invalid>");
    cbz_error err = {0};
    char out[64];
    size_t n;
    bool num;
    CU_ASSERT_EQUAL(cbz_value_decode(&f, no_point, &e, out, sizeof out, &n, &num, &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte 4 of 6 is 0xF0"));
    /* A bad digit after the point is named at its own byte. */
    static const uint8_t bad_digit[] = {0xF3, 0xF0, 0xF5, 0x4B, 0xC1, 0xD3};
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(cbz_value_decode(&f, bad_digit, &e, out, sizeof out, &n, &num, &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte 5 of 6 is 0xC1"));
    /* Unsigned 9(8).9(2) (test19), ASCII. */
    cbz_field u = pic_field("FRACTION2", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "9(8).9(2)", 11, 10, 2,
                            false, CBZ_SIGN_NONE);
    CU_ASSERT_STRING_EQUAL(decode(&u, (const uint8_t *)"00000789.09", &a), "789.09");
    encode_check(&u, "789.09", &a, (const uint8_t *)"00000789.09", "789.09");
    CU_ASSERT_STRING_EQUAL(decode(&u, (const uint8_t *)"0000078.909", &a), "<invalid>");
    /* SIGN LEADING SEPARATE shifts the point by the sign byte. */
    cbz_field ls = pic_field("LS", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "S99.9", 5, 3, 1, true,
                             CBZ_SIGN_LEADING_SEPARATE);
    CU_ASSERT_STRING_EQUAL(decode(&ls, (const uint8_t *)"-12.5", &a), "-12.5");
    encode_check(&ls, "-12.5", &a, (const uint8_t *)"-12.5", "-12.5");
    cbz_field ts = pic_field("TS", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "S99.9", 5, 3, 1, true,
                             CBZ_SIGN_TRAILING_SEPARATE);
    encode_check(&ts, "1.5", &a, (const uint8_t *)"01.5+", "1.5");
    /* USAGE NATIONAL. */
    cbz_field nat = pic_field("N", CBZ_CAT_NUMERIC, CBZ_USAGE_NATIONAL, "9.9", 6, 2, 1, false,
                              CBZ_SIGN_NONE);
    static const uint8_t nat_b[] = {0x00, '4', 0x00, '.', 0x00, '2'};
    CU_ASSERT_STRING_EQUAL(decode(&nat, nat_b, &e), "4.2");
    encode_check(&nat, "4.2", &e, nat_b, "4.2");
    /* Too many digits for the picture. */
    refused_value(&f, "1000", &e, "too many integer digits");
}

static void test_lenient(void)
{
    cbz_value_options strict = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_value_options lenient = strict;
    lenient.lenient = true;
    uint8_t b[64];
    /* test19: "789.09" left-aligned in PIC 9(8).9(2). */
    cbz_field f2 = pic_field("FRACTION2", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "9(8).9(2)", 11, 10, 2,
                             false, CBZ_SIGN_NONE);
    to_cp037("789.09     ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &strict), "<invalid>");
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "789.09");
    to_cp037("  789.1    ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "789.10");
    to_cp037("   7890    ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "7890.00");
    to_cp037("  7.8.9    ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "<invalid>");
    to_cp037("  7.899    ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "<invalid>");
    to_cp037("           ", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "<invalid>");
    to_cp037("1234567890.", b);
    CU_ASSERT_STRING_EQUAL(decode(&f2, b, &lenient), "<invalid>");
    /* Implied point: the digits between the spaces are the stored integer. */
    cbz_field v = pic_field("AMT", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "9(8)V9(2)", 10, 10, 2, false,
                            CBZ_SIGN_NONE);
    to_cp037("123456    ", b);
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &strict), "<invalid>");
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &lenient), "1234.56");
    to_cp037("    123456", b);
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &lenient), "1234.56");
    to_cp037("  12 34   ", b);
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &lenient), "<invalid>");
    to_cp037("EFGH      ", b);
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &lenient), "<invalid>");
    to_cp037("          ", b);
    CU_ASSERT_STRING_EQUAL(decode(&v, b, &lenient), "<invalid>");
    /* Overpunch on the last digit of the run. */
    cbz_field s = pic_field("S", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY, "S9(5)", 5, 5, 0, true,
                            CBZ_SIGN_TRAILING);
    static const uint8_t sp[] = {0xF1, 0xF2, 0xD3, 0x40, 0x40};
    CU_ASSERT_STRING_EQUAL(decode(&s, sp, &strict), "<invalid>");
    CU_ASSERT_STRING_EQUAL(decode(&s, sp, &lenient), "-123");
    /* Canonical values decode the same in both modes. */
    static const uint8_t canon[] = {0xF0, 0xF0, 0xF1, 0xF2, 0xD3};
    CU_ASSERT_STRING_EQUAL(decode(&s, canon, &lenient), "-123");
    /* Numeric-edited: '+' where the PICTURE has '-' (Cobrix's test data). */
    cbz_field ed = pic_field("EX", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, "Z(8)-", 9, 8, 0, true,
                             CBZ_SIGN_NONE);
    to_cp037("78449737+", b);
    CU_ASSERT_STRING_EQUAL(decode(&ed, b, &strict), "<invalid>");
    CU_ASSERT_STRING_EQUAL(decode(&ed, b, &lenient), "78449737");
}

static void test_edited_fields(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    cbz_value_options a = opts("ascii", CBZ_TRIM_RIGHT);
    /* Every symbol, in cp037 and ASCII: PIC, value text, edited text, decoded text. */
    static const struct {
        const char *pic;
        int scale;
        const char *value, *edited, *back;
    } cases[] = {
        {"9(8)+", 0, "-30503932", "30503932-", "-30503932"},
        {"+9(8)", 0, "78449737", "+78449737", "78449737"},
        {"Z(8)-", 0, "-30503932", "30503932-", "-30503932"},
        {"+9(6)V99", 2, "-305039.32", "-30503932", "-305039.32"},
        {"9(6).99-", 2, "784497.37", "784497.37 ", "784497.37"},
        {"Z,ZZ9.99CR", 2, "-1234.5", "1,234.50CR", "-1234.50"},
        {"ZZZ9.99DB", 2, "7", "   7.00  ", "7.00"},
        {"$**,**9.99", 2, "12.5", "$****12.50", "12.50"},
        {"$$,$$9.99", 2, "5", "    $5.00", "5.00"},
        {"++++9", 0, "-12", "  -12", "-12"},
        {"----9", 0, "12", "   12", "12"},
        {"99B99", 0, "1234", "12 34", "1234"},
        {"990099", 0, "1234", "120034", "1234"},
        {"99/99/99", 0, "123199", "12/31/99", "123199"},
        {"ZZ.ZZ", 2, "0", "     ", "0.00"},
        {"****.**", 2, "0", "****.**", "0.00"},
    };
    uint8_t want[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].edited);
        cbz_field f = pic_field("ED", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, cases[i].pic,
                                (uint32_t)len, 8, cases[i].scale, true, CBZ_SIGN_NONE);
        to_cp037(cases[i].edited, want);
        const char *got = decode(&f, want, &e);
        if (strcmp(got, cases[i].back) != 0) {
            fprintf(stderr, "PIC %s '%s': decoded '%s'\n", cases[i].pic, cases[i].edited, got);
            CU_FAIL("edited decode");
        }
        CU_ASSERT_TRUE(number_flag);
        encode_check(&f, cases[i].value, &e, want, cases[i].back);
        CU_ASSERT_STRING_EQUAL(decode(&f, (const uint8_t *)cases[i].edited, &a), cases[i].back);
        encode_check(&f, cases[i].value, &a, (const uint8_t *)cases[i].edited, cases[i].back);
    }
    /* Characters that do not de-edit are invalid, with the byte named. */
    cbz_field z = pic_field("ZED", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, "ZZ9.99", 6, 5, 2,
                            false, CBZ_SIGN_NONE);
    cbz_error err = {0};
    char out[64];
    size_t n;
    bool num;
    CU_ASSERT_EQUAL(cbz_value_decode(&z, (const uint8_t *)" 1A.00", &a, out, sizeof out, &n, &num,
                                     &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "numeric-edited"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte 3 of 6"));
    CU_ASSERT_STRING_EQUAL(decode(&z, (const uint8_t *)"012.00", &a), "<invalid>"); /* not canonical */
    CU_ASSERT_STRING_EQUAL(decode(&z, (const uint8_t *)" 12,00", &a), "<invalid>");
    /* Encode refuses what editing cannot show. */
    refused_value(&z, "-1", &a, "sign");
    refused_value(&z, "1000", &a, "too many");
    refused_value(&z, "1.234", &a, "fractional");
    refused_value(&z, "1 2", &a, "not a decimal number");
    /* BLANK WHEN ZERO. */
    cbz_field bz = pic_field("BZ", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, "999.99", 6, 5, 2,
                             false, CBZ_SIGN_NONE);
    bz.blank_when_zero = true;
    static const uint8_t blanks[] = {0x40, 0x40, 0x40, 0x40, 0x40, 0x40};
    CU_ASSERT_STRING_EQUAL(decode(&bz, blanks, &e), "0.00");
    encode_check(&bz, "0", &e, blanks, "0.00");
    /* USAGE NATIONAL edited. */
    cbz_field nz = pic_field("NZ", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_NATIONAL, "Z9-", 6, 2, 0, true,
                             CBZ_SIGN_NONE);
    static const uint8_t nz_b[] = {0x00, ' ', 0x00, '7', 0x00, '-'};
    CU_ASSERT_STRING_EQUAL(decode(&nz, nz_b, &e), "-7");
    encode_check(&nz, "-7", &e, nz_b, "-7");
    /* A picture the editing rules do not cover is refused, not guessed. */
    cbz_field fp = pic_field("FP", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, "+9.99E+99", 9, 3, 2,
                             true, CBZ_SIGN_NONE);
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(cbz_value_decode(&fp, (const uint8_t *)"+1.00E+01", &a, out, sizeof out, &n,
                                     &num, &err), CBZ_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "FP"));
    /* Size that disagrees with the picture. */
    cbz_field wrong = pic_field("W", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, "ZZ9", 4, 3, 0, false,
                                CBZ_SIGN_NONE);
    CU_ASSERT_EQUAL(cbz_value_decode(&wrong, (const uint8_t *)"  12", &a, out, sizeof out, &n, &num,
                                     NULL), CBZ_ERR_UNSUPPORTED);
}

/* Random edited-looking bytes: whatever strict decoding accepts encodes back
 * to the very same bytes. */
static void test_edited_arbitrary(void)
{
    static const struct {
        const char *pic;
        uint32_t size;
        int scale;
    } pics[] = {{"Z,ZZ9.99CR", 10, 2}, {"$$,$$9.99", 9, 2}, {"++++9", 5, 0}, {"-9(3).99", 7, 2},
                {"**,**9.99", 9, 2}, {"ZZ.ZZ", 5, 2}, {"99B99/99", 8, 0}, {"Z(4)VZZ-", 7, 2},
                {"$999DB", 6, 0}};
    static const char alphabet[] = "0123456789 +-.,*$CRDB/0000000000     ";
    cbz_value_options o = opts("ascii", CBZ_TRIM_RIGHT);
    int accepted = 0, broken = 0;
    for (int iter = 0; iter < 20000; iter++) {
        const char *pic = pics[iter % 9].pic;
        size_t len = pics[iter % 9].size;
        cbz_field f = pic_field("R", CBZ_CAT_NUMERIC_EDITED, CBZ_USAGE_DISPLAY, pic, (uint32_t)len,
                                8, pics[iter % 9].scale, true, CBZ_SIGN_NONE);
        uint8_t bytes[16], back[16];
        for (size_t i = 0; i < len; i++) bytes[i] = (uint8_t)alphabet[rnd() % (sizeof alphabet - 1)];
        char text[64];
        size_t n;
        bool num;
        if (cbz_value_decode(&f, bytes, &o, text, sizeof text, &n, &num, NULL) != CBZ_OK) continue;
        accepted++;
        if (cbz_value_encode(&f, text, n, &o, back, NULL) != CBZ_OK ||
            memcmp(bytes, back, len) != 0) {
            if (broken++ < 5) fprintf(stderr, "PIC %s '%.*s' -> '%.*s'\n", pic, (int)len, bytes,
                                      (int)n, text);
        }
    }
    CU_ASSERT(accepted > 20);
    CU_ASSERT_EQUAL(broken, 0);
}

static void test_binary_pic_limit(void)
{
    cbz_value_options e = opts("cp037", CBZ_TRIM_RIGHT);
    /* Cobrix test14: PIC 9(8) COMP holding 4193449969 is not a value of the field. */
    cbz_field tax = pic_field("TAXPAYER-NUM", CBZ_CAT_NUMERIC, CBZ_USAGE_BINARY, "9(8)", 4, 8, 0,
                              false, CBZ_SIGN_NONE);
    static const uint8_t big[] = {0xF9, 0xF2, 0xF7, 0xF1};
    CU_ASSERT_STRING_EQUAL(decode(&tax, big, &e), "<invalid>");
    cbz_error err = {0};
    char out[64];
    size_t n;
    bool num;
    CU_ASSERT_EQUAL(cbz_value_decode(&tax, big, &e, out, sizeof out, &n, &num, &err), CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "TAXPAYER-NUM"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "4193449969"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "F9 F2 F7 F1"));
    static const uint8_t max8[] = {0x05, 0xF5, 0xE0, 0xFF}; /* 99999999 */
    CU_ASSERT_STRING_EQUAL(decode(&tax, max8, &e), "99999999");
    encode_check(&tax, "99999999", &e, max8, "99999999");
    refused_value(&tax, "100000000", &e, "more digits than the PIC allows");
    /* COMP-5 of the same PIC keeps the full range. */
    cbz_field c5 = tax;
    c5.usage = CBZ_USAGE_COMP5;
    CU_ASSERT_STRING_EQUAL(decode(&c5, big, &e), "4193449969");
    encode_check(&c5, "4193449969", &e, big, "4193449969");
    /* Signed, with scale: S9(3)V99 COMP holds at most 5 digits. */
    cbz_field sv = pic_field("SV", CBZ_CAT_NUMERIC, CBZ_USAGE_BINARY, "S9(3)V99", 4, 5, 2, true,
                             CBZ_SIGN_NONE);
    static const uint8_t m99999[] = {0xFF, 0xFE, 0x79, 0x61}; /* -99999 */
    CU_ASSERT_STRING_EQUAL(decode(&sv, m99999, &e), "-999.99");
    static const uint8_t m100000[] = {0xFF, 0xFE, 0x79, 0x60};
    CU_ASSERT_STRING_EQUAL(decode(&sv, m100000, &e), "<invalid>");
    /* P positions hold no stored digit: S9(3)PPP COMP takes 3 digits. */
    cbz_field pp = pic_field("PP", CBZ_CAT_NUMERIC, CBZ_USAGE_BINARY, "S9(3)PPP", 2, 6, -3, true,
                             CBZ_SIGN_NONE);
    static const uint8_t b999[] = {0x03, 0xE7}, b1000[] = {0x03, 0xE8};
    CU_ASSERT_STRING_EQUAL(decode(&pp, b999, &e), "999000");
    CU_ASSERT_STRING_EQUAL(decode(&pp, b1000, &e), "<invalid>");
    refused_value(&pp, "1000000", &e, "PIC");
}


/* Random canonical bytes for f, decode to text, encode back: same bytes. */
static void test_random_round_trips(void)
{
    static const char *const pages[] = {"cp037", "cp1047", "ascii", "cp875", "latin1"};
    int failures = 0, rounds = 0;
    for (int iter = 0; iter < 4000; iter++) {
        const char *page = pages[rnd() % 5];
        cbz_value_options o = opts(page, CBZ_TRIM_NONE);
        o.float_format = (rnd() & 1) ? CBZ_FLOAT_IEEE : CBZ_FLOAT_IBM_HEX;
        int kind = (int)(rnd() % 6);
        int digits = 1 + (int)(rnd() % 18), scale = (int)(rnd() % 8) - 2;
        bool is_signed = rnd() & 1;
        cbz_sign sign = is_signed ? (cbz_sign)(1 + rnd() % 4) : CBZ_SIGN_NONE;
        cbz_field f;
        uint8_t bytes[64], back[64];
        char text[256], digit_text[64];
        /* Start from a random value text, so every byte form is canonical. */
        int n = 0;
        if (is_signed && (rnd() & 1)) digit_text[n++] = '-';
        for (int i = 0; i < digits; i++) digit_text[n++] = (char)('0' + rnd() % 10);
        digit_text[n] = '\0';
        switch (kind) {
        case 0: /* zoned */
            f = field("Z", CBZ_CAT_NUMERIC, CBZ_USAGE_DISPLAY,
                      (uint32_t)digits + (sign >= CBZ_SIGN_TRAILING_SEPARATE), digits, scale,
                      is_signed, sign);
            break;
        case 1: /* packed */
            f = field("P", CBZ_CAT_NUMERIC, CBZ_USAGE_PACKED, (uint32_t)digits / 2 + 1, digits, scale,
                      is_signed, CBZ_SIGN_NONE);
            break;
        case 2: /* COMP-5: random bytes are all valid; COMP from a value within its PIC */
            f = field("B", CBZ_CAT_NUMERIC, (rnd() & 1) ? CBZ_USAGE_BINARY : CBZ_USAGE_COMP5,
                      digits <= 4 ? 2 : digits <= 9 ? 4 : 8, digits, scale, is_signed, CBZ_SIGN_NONE);
            break;
        case 3: /* float */
            f = field("F", CBZ_CAT_FLOAT, (rnd() & 1) ? CBZ_USAGE_COMP1 : CBZ_USAGE_COMP2, 4, 0, 0,
                      true, CBZ_SIGN_NONE);
            if (f.usage == CBZ_USAGE_COMP2) f.size = 8;
            break;
        case 4: /* text: random mapped bytes of the page */
            f = field("X", CBZ_CAT_ALPHANUMERIC, CBZ_USAGE_DISPLAY, (uint32_t)digits, digits, 0, false,
                      CBZ_SIGN_NONE);
            break;
        default: /* national */
            f = field("N", CBZ_CAT_NATIONAL, CBZ_USAGE_NATIONAL, 2 * (uint32_t)digits, digits, 0,
                      false, CBZ_SIGN_NONE);
            break;
        }
        if (kind == 0 || kind == 1 || (kind == 2 && f.usage == CBZ_USAGE_BINARY)) {
            /* Value text at the field's scale -> bytes (digits fit by construction). */
            cbz_field as_int = f;
            as_int.scale = 0;
            if (cbz_value_encode(&as_int, digit_text, (size_t)n, &o, bytes, NULL) != CBZ_OK) {
                failures++;
                continue;
            }
        } else {
            for (uint32_t i = 0; i < f.size; i++) bytes[i] = (uint8_t)rnd();
            if (kind == 3 && o.float_format == CBZ_FLOAT_IBM_HEX && (bytes[1] & 0xF0) == 0)
                bytes[1] |= 0x10;
            if (kind == 3 && o.float_format == CBZ_FLOAT_IEEE) bytes[0] &= 0xBF;
            if (kind == 4)
                for (uint32_t i = 0; i < f.size; i++)
                    while (o.codepage->to_unicode[bytes[i]] == 0xFFFD) bytes[i] = (uint8_t)rnd();
            if (kind == 5)
                for (uint32_t i = 0; i < f.size; i += 2)
                    if (bytes[i] >= 0xD8 && bytes[i] <= 0xDF) bytes[i] = 0x4E; /* no surrogates */
        }
        size_t tn = 0;
        bool num;
        cbz_error err = {0};
        if (cbz_value_decode(&f, bytes, &o, text, sizeof text, &tn, &num, &err) != CBZ_OK ||
            cbz_value_encode(&f, text, tn, &o, back, &err) != CBZ_OK ||
            memcmp(bytes, back, f.size) != 0) {
            if (failures++ < 5) fprintf(stderr, "kind %d page %s: '%.*s' %s\n", kind, page, (int)tn,
                                        text, err.msg);
        }
        rounds++;
    }
    CU_ASSERT_EQUAL(rounds, 4000);
    CU_ASSERT_EQUAL(failures, 0);
}

/* Arbitrary bytes: decode either refuses (CBZ_ERR_VALUE) or gives a text that
 * encodes to bytes decoding to the same text (same value, canonical form). */
static void test_arbitrary_bytes(void)
{
    static const cbz_usage usages[] = {CBZ_USAGE_DISPLAY, CBZ_USAGE_PACKED, CBZ_USAGE_BINARY,
                                       CBZ_USAGE_COMP1, CBZ_USAGE_COMP2};
    int accepted = 0, refused_n = 0, broken = 0;
    for (int iter = 0; iter < 4000; iter++) {
        cbz_value_options o = opts((rnd() & 1) ? "cp037" : "ascii", CBZ_TRIM_RIGHT);
        cbz_usage usage = usages[rnd() % 5];
        bool is_signed = rnd() & 1;
        cbz_sign sign = is_signed ? (cbz_sign)(1 + rnd() % 4) : CBZ_SIGN_NONE;
        uint32_t size = 1 + (uint32_t)(rnd() % 10);
        if (usage == CBZ_USAGE_BINARY) size = 1u << (1 + rnd() % 3);
        if (usage == CBZ_USAGE_COMP1) size = 4;
        if (usage == CBZ_USAGE_COMP2) size = 8;
        if (usage == CBZ_USAGE_DISPLAY && sign >= CBZ_SIGN_TRAILING_SEPARATE && size < 2) size = 2;
        cbz_field f = field("A", usage >= CBZ_USAGE_COMP1 ? CBZ_CAT_FLOAT : CBZ_CAT_NUMERIC, usage,
                            size, (int)size, (int)(rnd() % 4), is_signed, sign);
        uint8_t bytes[16], back[16];
        /* Mostly digit-like bytes, so that a good share is valid. */
        for (uint32_t i = 0; i < size; i++) {
            uint64_t r = rnd();
            bytes[i] = (r & 3) ? (uint8_t)((o.codepage->is_ebcdic ? 0xF0 : 0x30) | (r >> 8) % 10)
                               : (uint8_t)(r >> 16);
            if (usage == CBZ_USAGE_PACKED && (r & 3)) bytes[i] = (uint8_t)((r >> 8) % 10 * 16 + (r >> 20) % 10);
        }
        if (usage == CBZ_USAGE_PACKED && (rnd() & 1)) bytes[size - 1] = (uint8_t)((bytes[size - 1] & 0xF0) | 0xC);
        char t1[256], t2[256];
        size_t n1, n2;
        bool num;
        cbz_status st = cbz_value_decode(&f, bytes, &o, t1, sizeof t1, &n1, &num, NULL);
        if (st == CBZ_ERR_VALUE) {
            refused_n++;
            continue;
        }
        accepted++;
        if (st != CBZ_OK || cbz_value_encode(&f, t1, n1, &o, back, NULL) != CBZ_OK ||
            cbz_value_decode(&f, back, &o, t2, sizeof t2, &n2, &num, NULL) != CBZ_OK || n1 != n2 ||
            memcmp(t1, t2, n1) != 0) {
            if (broken++ < 5)
                fprintf(stderr, "usage %d size %u signed %d sign %d scale %d: '%.*s' (st %d)\n",
                        (int)usage, (unsigned)size, is_signed, (int)sign, f.scale, (int)n1, t1,
                        (int)st);
        }
    }
    CU_ASSERT(accepted > 500);
    CU_ASSERT(refused_n > 500);
    CU_ASSERT_EQUAL(broken, 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite("value", NULL, NULL);
    CU_add_test(s, "numbers at their scale", test_numbers_at_scale);
    CU_add_test(s, "ASCII and national numbers", test_ascii_numbers);
    CU_add_test(s, "invalid values", test_invalid_values);
    CU_add_test(s, "refused texts", test_refused_texts);
    CU_add_test(s, "text fields", test_text_fields);
    CU_add_test(s, "explicit decimal point", test_explicit_point);
    CU_add_test(s, "lenient reading", test_lenient);
    CU_add_test(s, "numeric-edited fields", test_edited_fields);
    CU_add_test(s, "numeric-edited arbitrary bytes", test_edited_arbitrary);
    CU_add_test(s, "COMP limited by its PIC", test_binary_pic_limit);
    CU_add_test(s, "random round trips", test_random_round_trips);
    CU_add_test(s, "arbitrary bytes", test_arbitrary_bytes);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
