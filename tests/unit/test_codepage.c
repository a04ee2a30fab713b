/*
 * test_codepage.c — CUnit tests of src/codepage.c and the generated tables:
 * every byte of every page is checked against glibc iconv(3) at test time
 * (forward to UTF-16 and to UTF-8, and back from UTF-8), plus names, the
 * inverse direction's errors, pages a caller builds itself, and the bytes the
 * numeric codecs take for granted (space, digits, '+', '-').
 */
#include "codepage_tables.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <iconv.h>
#include <stdio.h>
#include <string.h>

/* iconv one buffer; returns output length or -1 when iconv refuses. */
static long iconv_buf(const char *to, const char *from, const void *in, size_t n, void *out,
                      size_t cap)
{
    iconv_t cd = iconv_open(to, from);
    CU_ASSERT_FATAL(cd != (iconv_t)-1);
    char *ip = (char *)in, *op = out;
    size_t il = n, ol = cap;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    long got = r == (size_t)-1 ? -1 : (long)(cap - ol);
    if (got >= 0 && iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) got = -1;
    else if (got >= 0) got = (long)(cap - ol);
    iconv_close(cd);
    return got;
}

static void test_tables_match_iconv(void)
{
    CU_ASSERT_EQUAL(cbz_cp_page_count, 24);
    size_t checked = 0, mismatches = 0;
    for (size_t i = 0; i < cbz_cp_page_count; i++) {
        const cbz_cp_page *pg = &cbz_cp_pages[i];
        for (int b = 0; b < 256; b++) {
            uint8_t in = (uint8_t)b, u16[8];
            long n = iconv_buf("UTF-16BE", pg->iconv_name, &in, 1, u16, sizeof u16);
            uint16_t want = n == 2 ? (uint16_t)(u16[0] << 8 | u16[1]) : CBZ_CP_UNMAPPED;
            if (pg->pub.to_unicode[b] != want) {
                mismatches++;
                fprintf(stderr, "%s byte 0x%02X: table U+%04X, iconv U+%04X\n", pg->pub.name, b,
                        pg->pub.to_unicode[b], want);
            }
            /* UTF-8 through the library equals UTF-8 from iconv. */
            char mine[8], theirs[8];
            size_t mn = cbz_codepage_to_utf8(&pg->pub, &in, 1, mine);
            if (n == 2) {
                long tn = iconv_buf("UTF-8", pg->iconv_name, &in, 1, theirs, sizeof theirs);
                if (tn < 0 || (size_t)tn != mn || memcmp(mine, theirs, mn) != 0) mismatches++;
                /* And back: UTF-8 -> byte through the library and through iconv. */
                uint8_t back = 0, iback = 0;
                size_t bl = 0;
                if (cbz_codepage_from_utf8(&pg->pub, mine, mn, &back, 1, &bl, NULL) != CBZ_OK ||
                    bl != 1 || back != b)
                    mismatches++;
                if (iconv_buf(pg->iconv_name, "UTF-8", mine, mn, &iback, 1) != 1 || iback != b)
                    mismatches++;
            } else {
                /* Unmapped bytes decode to U+FFFD, and U+FFFD encodes to nothing. */
                if (mn != 3 || memcmp(mine, "\xEF\xBF\xBD", 3) != 0) mismatches++;
                uint8_t back;
                size_t bl;
                if (cbz_codepage_from_utf8(&pg->pub, mine, mn, &back, 1, &bl, NULL) != CBZ_ERR_VALUE)
                    mismatches++;
            }
            checked++;
        }
    }
    CU_ASSERT_EQUAL(checked, 24 * 256);
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* The bytes the zoned codecs hard-code hold in every page. */
static void test_fixed_bytes(void)
{
    for (size_t i = 0; i < cbz_cp_page_count; i++) {
        const cbz_codepage *cp = &cbz_cp_pages[i].pub;
        bool e = cp->is_ebcdic;
        CU_ASSERT_EQUAL(cp->to_unicode[cp->space], 0x20);
        CU_ASSERT_EQUAL(cp->space, e ? 0x40 : 0x20);
        CU_ASSERT_EQUAL(cp->zone_digit, e ? 0xF0 : 0x30);
        for (int d = 0; d < 10; d++) CU_ASSERT_EQUAL(cp->to_unicode[cp->zone_digit + d], '0' + d);
        CU_ASSERT_EQUAL(cbz_codepage_byte_of(cp, '+'), e ? 0x4E : 0x2B);
        CU_ASSERT_EQUAL(cbz_codepage_byte_of(cp, '-'), e ? 0x60 : 0x2D);
        CU_ASSERT_EQUAL(cbz_codepage_byte_of(cp, 0xFFFD), -1);
    }
}

static void test_names(void)
{
    const cbz_codepage *cp037 = cbz_codepage_find("cp037");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp037);
    CU_ASSERT_STRING_EQUAL(cp037->name, "cp037");
    static const char *const same[] = {"037", "37", "IBM037", "ibm037", "IBM-037", "ibm_037",
                                       "CP037", "cp-037", "EBCDIC", "ebcdic", "IBM37"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        CU_ASSERT_PTR_EQUAL(cbz_codepage_find(same[i]), cp037);
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("1047")->name, "cp1047");
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("IBM-1140")->name, "cp1140");
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("cp875")->name, "cp875");
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("Latin1")->name, "latin1");
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("ISO-8859-1")->name, "latin1");
    CU_ASSERT_STRING_EQUAL(cbz_codepage_find("US-ASCII")->name, "ascii");
    CU_ASSERT_FALSE(cbz_codepage_find("ascii")->is_ebcdic);
    CU_ASSERT_TRUE(cbz_codepage_find("cp500")->is_ebcdic);
    static const char *const unknown[] = {"cp999", "", "ibm", "cp", "IBM-", "1047x", "utf-8",
                                          "cp0037x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CU_ASSERT_PTR_NULL(cbz_codepage_find(unknown[i]));
    CU_ASSERT_PTR_NULL(cbz_codepage_find(NULL));
    size_t n = 0;
    for (const char *const *p = cbz_codepage_names(); *p; p++, n++) {
        const cbz_codepage *cp = cbz_codepage_find(*p);
        CU_ASSERT_PTR_NOT_NULL(cp);
        if (cp) CU_ASSERT_STRING_EQUAL(cp->name, *p);
    }
    CU_ASSERT_EQUAL(n, 24);
}

static void test_text_both_ways(void)
{
    const cbz_codepage *cp037 = cbz_codepage_find("cp037");
    const cbz_codepage *cp1140 = cbz_codepage_find("cp1140");
    const cbz_codepage *cp273 = cbz_codepage_find("cp273");
    static const uint8_t hello[] = {0xC8, 0x85, 0x93, 0x93, 0x96, 0x40, 0xE6, 0x96, 0x99, 0x93, 0x84};
    char out[64];
    size_t n = cbz_codepage_to_utf8(cp037, hello, sizeof hello, out);
    CU_ASSERT_EQUAL(n, 11);
    CU_ASSERT(memcmp(out, "Hello World", 11) == 0);
    uint8_t back[32];
    size_t bl = 0;
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp037, "Hello World", 11, back, sizeof back, &bl, NULL),
                    CBZ_OK);
    CU_ASSERT_EQUAL(bl, 11);
    CU_ASSERT(memcmp(back, hello, 11) == 0);
    /* The euro sign is in cp1140 (0x9F) but not in cp037. */
    cbz_error err = {0};
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp1140, "\xE2\x82\xAC", 3, back, 4, &bl, &err), CBZ_OK);
    CU_ASSERT(bl == 1 && back[0] == 0x9F);
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp037, "a\xE2\x82\xAC", 4, back, 4, &bl, &err),
                    CBZ_ERR_VALUE);
    CU_ASSERT_EQUAL(err.code, CBZ_ERR_VALUE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "U+20AC"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cp037"));
    /* German page: a-umlaut at 0xC0. */
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp273, "\xC3\xA4", 2, back, 4, &bl, NULL), CBZ_OK);
    CU_ASSERT(bl == 1 && back[0] == 0xC0);
    /* Malformed UTF-8: lone continuation, overlong, truncated, surrogate, > U+10FFFF. */
    static const char *const bad[] = {"\x80", "\xC0\x80", "\xC3", "\xE2\x82", "\xED\xA0\x80",
                                      "\xF4\x90\x80\x80", "\xFF"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp037, bad[i], strlen(bad[i]), back, 8, &bl, NULL),
                        CBZ_ERR_VALUE);
    /* Output capacity is respected. */
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(cp037, "abcdef", 6, back, 5, &bl, &err), CBZ_ERR_VALUE);
    /* ascii: high bytes are unmapped. */
    const cbz_codepage *ascii = cbz_codepage_find("ascii");
    uint8_t hi = 0xE9;
    n = cbz_codepage_to_utf8(ascii, &hi, 1, out);
    CU_ASSERT(n == 3 && memcmp(out, "\xEF\xBF\xBD", 3) == 0);
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(ascii, "\xC3\xA9", 2, back, 4, &bl, NULL), CBZ_ERR_VALUE);
    const cbz_codepage *latin1 = cbz_codepage_find("latin1");
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(latin1, "\xC3\xA9", 2, back, 4, &bl, NULL), CBZ_OK);
    CU_ASSERT(bl == 1 && back[0] == 0xE9);
}

/* A page a caller builds itself goes through the generic paths. */
static void test_caller_page(void)
{
    const cbz_codepage *cp500 = cbz_codepage_find("cp500");
    cbz_codepage mine = *cp500;
    mine.name = "mine";
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    static char a[3 * 256], b[3 * 256];
    size_t na = cbz_codepage_to_utf8(cp500, all, 256, a);
    size_t nb = cbz_codepage_to_utf8(&mine, all, 256, b);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT(memcmp(a, b, na) == 0);
    size_t bl = 0;
    CU_ASSERT_EQUAL(cbz_codepage_from_utf8(&mine, b, nb, back, sizeof back, &bl, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(bl, 256);
    CU_ASSERT(memcmp(back, all, 256) == 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite("codepage", NULL, NULL);
    CU_add_test(s, "every table entry equals iconv(3)", test_tables_match_iconv);
    CU_add_test(s, "space, digits, + and - of every page", test_fixed_bytes);
    CU_add_test(s, "page names", test_names);
    CU_add_test(s, "text both ways and errors", test_text_both_ways);
    CU_add_test(s, "a page built by the caller", test_caller_page);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
