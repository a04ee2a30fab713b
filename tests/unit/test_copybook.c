/*
 * test_copybook.c — CUnit tests of the copybook compiler: source formats,
 * every clause, sizes and offsets, OCCURS columns, COPY/REPLACING, errors with
 * their line:column, the expanded text, printing, and a fuzz loop over broken
 * Cobrix copybooks.
 */
#include "cobzip.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cbz_error last_err;

static cbz_layout *compile_fmt(const char *text, cbz_source_format fmt, const char *const *dirs, size_t n_dirs)
{
    cbz_copybook_options o = { dirs, n_dirs, fmt };
    cbz_layout *L = NULL;
    memset(&last_err, 0, sizeof last_err);
    if (cbz_copybook_compile_text(text, strlen(text), "t.cpy", &o, &L, &last_err) != CBZ_OK) return NULL;
    return L;
}
static cbz_layout *compile(const char *text) { return compile_fmt(text, CBZ_FORMAT_AUTO, NULL, 0); }

static const cbz_field *fld(const cbz_layout *L, const char *name)
{
    int i = cbz_layout_find(L, name);
    CU_ASSERT_FATAL(i >= 0);
    return &L->fields[i];
}

/* Compiling must fail with CBZ_ERR_COPYBOOK and a message containing want. */
static void expect_error(const char *text, const char *want)
{
    cbz_layout *L = compile(text);
    CU_ASSERT_PTR_NULL(L);
    cbz_layout_free(L);
    CU_ASSERT_EQUAL(last_err.code, CBZ_ERR_COPYBOOK);
    if (!strstr(last_err.msg, want)) {
        fprintf(stderr, "\n  wanted '%s' in '%s'\n", want, last_err.msg);
        CU_FAIL("error message");
    }
}

/* ---- source formats --------------------------------------------------- */

static void test_fixed_format(void)
{
    const char *t = "000100 01  REC.                                                         SEQ00001\n"
                    "000200* a comment line 05 X PIC X.\n"
                    "000300/ page eject\n"
                    "000400D    05  DEBUG-ONLY PIC X.\n"
                    "000500     05  A    PIC X(5) VALUE 'ABCDEFGHIJ\n"
                    "000600-    'RSTU'.                                                      IGNORED!\n"
                    "000700     05  B\tPIC 9(3).\n"
                    "000800     05  C-\n"
                    "000900-        D    PIC X.\n";
    cbz_layout *L = compile(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->n_fields, 4);
    CU_ASSERT_EQUAL(cbz_layout_find(L, "DEBUG-ONLY"), -1);
    const cbz_field *a = fld(L, "A");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a->value);
    /* The literal runs to column 72, then continues after the quote. */
    CU_ASSERT_STRING_EQUAL(a->value, "'ABCDEFGHIJ                          RSTU'");
    CU_ASSERT_EQUAL(fld(L, "B")->size, 3);
    CU_ASSERT_EQUAL(fld(L, "C-D")->offset, 8);
    CU_ASSERT_EQUAL(L->record_size, 9);
    cbz_layout_free(L);
}

static void test_free_format(void)
{
    const char *t = "*> free format copybook\n"
                    "01 REC. *> trailing comment\n"
                    "  05 A PIC X(3).\n"
                    "  05 B PIC S9(4) COMP. *> 2 bytes\n";
    cbz_layout *L = compile(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->record_size, 5);
    CU_ASSERT_EQUAL(fld(L, "B")->line, 4);
    CU_ASSERT_EQUAL(fld(L, "B")->column, 3);
    cbz_layout_free(L);
    /* Forced formats. */
    L = compile_fmt("01 R.\n 05 LONGER-THAN-SEVENTY-TWO-COLUMNS PIC X(10).                              05 Z PIC X.\n",
                    CBZ_FORMAT_FREE, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->record_size, 11);
    cbz_layout_free(L);
    /* Columns 73-80 are ignored in fixed format, read in free format. */
    char seq[200];
    snprintf(seq, sizeof seq, "       01 R.\n%-72sSEQ00001\n", "           05 A PIC X(10).");
    L = compile_fmt(seq, CBZ_FORMAT_FIXED, NULL, 0);
    if (!L) fprintf(stderr, "\n  %s\n", last_err.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->record_size, 10);
    cbz_layout_free(L);
    L = compile_fmt(seq, CBZ_FORMAT_FREE, NULL, 0);
    CU_ASSERT_PTR_NULL(L);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_err.msg, "t.cpy:2:73: expected a level number"));
    /* >>SOURCE directive switches. */
    L = compile(">>SOURCE FORMAT IS FREE\n01 R.\n05 A PIC X(2).\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->record_size, 2);
    cbz_layout_free(L);
}

static void test_cobrix_style_columns(void)
{
    /* Level number in column 7 and tabs, as in Cobrix's test21 and test1. */
    const char *t = "      01 RECORD.\n"
                    "          02 COUNT PIC 9(1).\n"
                    "\t\t\t  02 FIELD-2 PIC X(2).\n"
                    "\x1a\n";
    cbz_layout *L = compile(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(L->record_size, 3);
    cbz_layout_free(L);
}

/* ---- levels ----------------------------------------------------------- */

static void test_levels_and_records(void)
{
    const char *t = "       01  REC-A.\n"
                    "           05  G1.\n"
                    "               10  A1  PIC X(2).\n"
                    "               10  A2  PIC X(3).\n"
                    "           05  B1      PIC X(4).\n"
                    "           88  B1-YES  VALUE 'Y   ' 'J   '.\n"
                    "           88  B1-RANGE VALUES ARE 'A' THRU 'F', 'X' THROUGH 'Z'.\n"
                    "           66  ALIAS   RENAMES A2 THRU B1.\n"
                    "           66  ONE     RENAMES A1.\n"
                    "       01  REC-B.\n"
                    "           05  WHOLE   PIC X(20).\n"
                    "       77  COUNTER     PIC 9(4) COMP.\n";
    cbz_layout *L = compile(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    int ra = cbz_layout_find(L, "REC-A"), g1 = cbz_layout_find(L, "G1"), a1 = cbz_layout_find(L, "A1");
    int a2 = cbz_layout_find(L, "A2"), b1 = cbz_layout_find(L, "B1"), yes = cbz_layout_find(L, "B1-YES");
    CU_ASSERT_EQUAL(L->fields[ra].parent, -1);
    CU_ASSERT_EQUAL(L->fields[ra].first_child, g1);
    CU_ASSERT_EQUAL(L->fields[g1].next_sibling, b1);
    CU_ASSERT_EQUAL(L->fields[g1].first_child, a1);
    CU_ASSERT_EQUAL(L->fields[a1].next_sibling, a2);
    CU_ASSERT_EQUAL(L->fields[a2].parent, g1);
    CU_ASSERT_EQUAL(L->fields[b1].first_child, yes);
    CU_ASSERT_EQUAL(L->fields[yes].category, CBZ_CAT_CONDITION);
    CU_ASSERT_EQUAL(L->fields[yes].parent, b1);
    CU_ASSERT_STRING_EQUAL(L->fields[yes].value, "'Y   ' 'J   '");
    CU_ASSERT_STRING_EQUAL(fld(L, "B1-RANGE")->value, "'A' THRU 'F' 'X' THROUGH 'Z'");
    const cbz_field *alias = fld(L, "ALIAS");
    CU_ASSERT_EQUAL(alias->category, CBZ_CAT_RENAMES);
    CU_ASSERT_EQUAL(alias->renames_from, a2);
    CU_ASSERT_EQUAL(alias->renames_thru, b1);
    CU_ASSERT_EQUAL(alias->offset, 2);
    CU_ASSERT_EQUAL(alias->size, 7);
    CU_ASSERT_EQUAL(fld(L, "ONE")->renames_thru, a1);
    CU_ASSERT_EQUAL(fld(L, "ONE")->size, 2);
    CU_ASSERT_EQUAL(fld(L, "REC-A")->size, 9);
    CU_ASSERT_EQUAL(fld(L, "REC-B")->offset, 0);
    CU_ASSERT_EQUAL(fld(L, "COUNTER")->offset, 0);
    CU_ASSERT_EQUAL(fld(L, "COUNTER")->level, 77);
    CU_ASSERT_EQUAL(L->record_size, 20);
    /* Columns: elementary data items only, 88/66 left out. */
    CU_ASSERT_EQUAL(L->n_columns, 5);
    CU_ASSERT_STRING_EQUAL(L->columns[0].name, "A1");
    CU_ASSERT_STRING_EQUAL(L->columns[3].name, "WHOLE");
    cbz_layout_free(L);
}

/* ---- PICTURE ---------------------------------------------------------- */

typedef struct pic_case {
    const char *clause;
    cbz_category cat;
    uint32_t size;
    int digits, scale;
    bool is_signed, explicit_point;
} pic_case;

static void test_pictures(void)
{
    static const pic_case cases[] = {
        { "PIC X(10)", CBZ_CAT_ALPHANUMERIC, 10, 10, 0, false, false },
        { "PICTURE IS XXX", CBZ_CAT_ALPHANUMERIC, 3, 3, 0, false, false },
        { "PIC A(4)", CBZ_CAT_ALPHABETIC, 4, 4, 0, false, false },
        { "PIC X(2)9A", CBZ_CAT_ALPHANUMERIC, 4, 4, 0, false, false },
        { "PIC XXBXX/X0", CBZ_CAT_ALNUM_EDITED, 8, 8, 0, false, false },
        { "PIC N(5)", CBZ_CAT_NATIONAL, 10, 5, 0, false, false },
        { "PIC 9(5)", CBZ_CAT_NUMERIC, 5, 5, 0, false, false },
        { "PIC S9(5)V99", CBZ_CAT_NUMERIC, 7, 7, 2, true, false },
        { "PIC SV9(7)", CBZ_CAT_NUMERIC, 7, 7, 7, true, false },
        { "PIC 9(8).9(2)", CBZ_CAT_NUMERIC, 11, 10, 2, false, true },
        { "PIC S9(3).99", CBZ_CAT_NUMERIC, 6, 5, 2, true, true },
        { "PIC SPPP9(5)", CBZ_CAT_NUMERIC, 5, 8, 8, true, false },
        { "PIC S9(5)PPP", CBZ_CAT_NUMERIC, 5, 8, -3, true, false },
        { "PIC VPP99", CBZ_CAT_NUMERIC, 2, 4, 4, false, false },
        { "PIC 99PPV", CBZ_CAT_NUMERIC, 2, 4, -2, false, false },
        { "PIC 9(38)", CBZ_CAT_NUMERIC, 38, 38, 0, false, false },
        { "PIC ZZZ,ZZ9.99", CBZ_CAT_NUMERIC_EDITED, 10, 8, 2, false, true },
        { "PIC Z(8)-", CBZ_CAT_NUMERIC_EDITED, 9, 8, 0, true, false },
        { "PIC +9(8)", CBZ_CAT_NUMERIC_EDITED, 9, 8, 0, true, false },
        { "PIC Z(6)VZZ-", CBZ_CAT_NUMERIC_EDITED, 9, 8, 2, true, false },
        { "PIC $$$,$$9.99CR", CBZ_CAT_NUMERIC_EDITED, 12, 7, 2, true, true },
        { "PIC ***9.99DB", CBZ_CAT_NUMERIC_EDITED, 9, 6, 2, true, true },
        { "PIC 99/99/99", CBZ_CAT_NUMERIC_EDITED, 8, 6, 0, false, false },
        { "PIC 9B9B0", CBZ_CAT_NUMERIC_EDITED, 5, 2, 0, false, false },
        { "PIC ---9", CBZ_CAT_NUMERIC_EDITED, 4, 3, 0, true, false },
        { "PIC x(3)", CBZ_CAT_ALPHANUMERIC, 3, 3, 0, false, false },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[256];
        snprintf(text, sizeof text, "       01  R.\n           05  F  %s.\n", cases[k].clause);
        cbz_layout *L = compile(text);
        if (!L) fprintf(stderr, "\n  %s: %s\n", cases[k].clause, last_err.msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(L);
        const cbz_field *f = fld(L, "F");
        bool ok = f->category == cases[k].cat && f->size == cases[k].size && f->digits == cases[k].digits &&
                  f->scale == cases[k].scale && f->is_signed == cases[k].is_signed &&
                  f->explicit_point == cases[k].explicit_point;
        if (!ok)
            fprintf(stderr, "\n  %s: cat %d size %u digits %d scale %d signed %d point %d\n", cases[k].clause,
                    f->category, f->size, f->digits, f->scale, f->is_signed, f->explicit_point);
        CU_ASSERT(ok);
        cbz_layout_free(L);
    }
    cbz_layout *L = compile("       01  R.\n           05  F  PIC X(3).\n");
    CU_ASSERT_STRING_EQUAL(fld(L, "F")->pic, "X(3)");
    cbz_layout_free(L);
}

/* ---- USAGE ------------------------------------------------------------ */

typedef struct usage_case {
    const char *clause;
    cbz_usage usage;
    cbz_category cat;
    uint32_t size;
} usage_case;

static void test_usages(void)
{
    static const usage_case cases[] = {
        { "PIC 9(4) COMP", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 2 },
        { "PIC S9(5) COMP-4", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 4 },
        { "PIC S9(9) USAGE IS BINARY", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 4 },
        { "PIC 9(10) COMPUTATIONAL", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 8 },
        { "PIC S9(18) BINARY", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 8 },
        { "PIC 9(19) BINARY", CBZ_USAGE_BINARY, CBZ_CAT_NUMERIC, 8 },
        { "PIC 9(1) COMP-5", CBZ_USAGE_COMP5, CBZ_CAT_NUMERIC, 2 },
        { "PIC S9(9)V99 COMP-5", CBZ_USAGE_COMP5, CBZ_CAT_NUMERIC, 8 },
        { "PIC S9(7)V99 COMP-3", CBZ_USAGE_PACKED, CBZ_CAT_NUMERIC, 5 },
        { "PIC 9(4) PACKED-DECIMAL", CBZ_USAGE_PACKED, CBZ_CAT_NUMERIC, 3 },
        { "PIC S9(1) COMPUTATIONAL-3", CBZ_USAGE_PACKED, CBZ_CAT_NUMERIC, 1 },
        { "COMP-1", CBZ_USAGE_COMP1, CBZ_CAT_FLOAT, 4 },
        { "USAGE COMP-2", CBZ_USAGE_COMP2, CBZ_CAT_FLOAT, 8 },
        { "PIC N(3) USAGE NATIONAL", CBZ_USAGE_NATIONAL, CBZ_CAT_NATIONAL, 6 },
        { "PIC 9(3) NATIONAL", CBZ_USAGE_NATIONAL, CBZ_CAT_NUMERIC, 6 },
        { "INDEX", CBZ_USAGE_INDEX, CBZ_CAT_NUMERIC, 4 },
        { "USAGE IS POINTER", CBZ_USAGE_POINTER, CBZ_CAT_ALPHANUMERIC, 4 },
        { "PIC 9(3) DISPLAY", CBZ_USAGE_DISPLAY, CBZ_CAT_NUMERIC, 3 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[256];
        snprintf(text, sizeof text, "       01  R.\n           05  F  %s.\n", cases[k].clause);
        cbz_layout *L = compile(text);
        if (!L) fprintf(stderr, "\n  %s: %s\n", cases[k].clause, last_err.msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(L);
        const cbz_field *f = fld(L, "F");
        bool ok = f->usage == cases[k].usage && f->category == cases[k].cat && f->size == cases[k].size;
        if (!ok) fprintf(stderr, "\n  %s: usage %d cat %d size %u\n", cases[k].clause, f->usage, f->category, f->size);
        CU_ASSERT(ok);
        cbz_layout_free(L);
    }
    /* Group usage applies to the numeric items below it. */
    cbz_layout *L = compile("       01  R.\n"
                            "           05  G  COMP-3.\n"
                            "               10  P1  PIC S9(5).\n"
                            "               10  T1  PIC X(2).\n"
                            "               10  P2  PIC 9(3) DISPLAY.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "P1")->usage, CBZ_USAGE_PACKED);
    CU_ASSERT_EQUAL(fld(L, "P1")->size, 3);
    CU_ASSERT_EQUAL(fld(L, "T1")->usage, CBZ_USAGE_DISPLAY);
    CU_ASSERT_EQUAL(fld(L, "P2")->size, 3);
    CU_ASSERT_EQUAL(fld(L, "G")->size, 8);
    CU_ASSERT_EQUAL(fld(L, "G")->category, CBZ_CAT_GROUP);
    cbz_layout_free(L);
}

/* ---- SIGN, JUSTIFIED, BLANK WHEN ZERO, VALUE ------------------------------ */

static void test_sign_just_blank_value(void)
{
    cbz_layout *L = compile("       01  R.\n"
                            "           05  T  PIC S9(3).\n"
                            "           05  U  PIC 9(3).\n"
                            "           05  L1 PIC S9(3) SIGN IS LEADING.\n"
                            "           05  LS PIC S9(3) SIGN LEADING SEPARATE CHARACTER.\n"
                            "           05  TS PIC S9(3) TRAILING SEPARATE.\n"
                            "           05  G  SIGN TRAILING SEPARATE.\n"
                            "               10  GS PIC S99.\n"
                            "               10  GU PIC 99.\n"
                            "           05  J  PIC X(5) JUSTIFIED RIGHT.\n"
                            "           05  J2 PIC X(5) JUST.\n"
                            "           05  BZ PIC 9(4) BLANK WHEN ZERO.\n"
                            "           05  V1 PIC X(3) VALUE SPACES.\n"
                            "           05  V2 PIC S9(3) VALUE IS -12.\n"
                            "           05  V3 PIC X(3) VALUE ALL '*'.\n"
                            "           05  V4 PIC X(3) VALUE \"a'b\".\n"
                            "           05  V5 PIC 9(3) VALUE ZERO.\n"
                            "           05  V6 PIC X(2) VALUE HIGH-VALUES.\n"
                            "           05  V7 PIC X(2) VALUE X'C1C2'.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "T")->sign, CBZ_SIGN_TRAILING);
    CU_ASSERT_EQUAL(fld(L, "U")->sign, CBZ_SIGN_NONE);
    CU_ASSERT_FALSE(fld(L, "U")->is_signed);
    CU_ASSERT_EQUAL(fld(L, "L1")->sign, CBZ_SIGN_LEADING);
    CU_ASSERT_EQUAL(fld(L, "L1")->size, 3);
    CU_ASSERT_EQUAL(fld(L, "LS")->sign, CBZ_SIGN_LEADING_SEPARATE);
    CU_ASSERT_EQUAL(fld(L, "LS")->size, 4);
    CU_ASSERT_EQUAL(fld(L, "TS")->sign, CBZ_SIGN_TRAILING_SEPARATE);
    CU_ASSERT_EQUAL(fld(L, "TS")->size, 4);
    CU_ASSERT_EQUAL(fld(L, "GS")->sign, CBZ_SIGN_TRAILING_SEPARATE);
    CU_ASSERT_EQUAL(fld(L, "GS")->size, 3);
    CU_ASSERT_EQUAL(fld(L, "GU")->size, 2);
    CU_ASSERT(fld(L, "J")->is_justified);
    CU_ASSERT(fld(L, "J2")->is_justified);
    CU_ASSERT(fld(L, "BZ")->blank_when_zero);
    CU_ASSERT_STRING_EQUAL(fld(L, "V1")->value, "SPACES");
    CU_ASSERT_STRING_EQUAL(fld(L, "V2")->value, "-12");
    CU_ASSERT_STRING_EQUAL(fld(L, "V3")->value, "ALL '*'");
    CU_ASSERT_STRING_EQUAL(fld(L, "V4")->value, "\"a'b\"");
    CU_ASSERT_STRING_EQUAL(fld(L, "V5")->value, "ZERO");
    CU_ASSERT_STRING_EQUAL(fld(L, "V6")->value, "HIGH-VALUES");
    CU_ASSERT_STRING_EQUAL(fld(L, "V7")->value, "X'C1C2'");
    CU_ASSERT_PTR_NULL(fld(L, "T")->value);
    cbz_layout_free(L);
}

/* ---- SYNC slack -------------------------------------------------------- */

static void test_sync(void)
{
    cbz_layout *L = compile("       01  R.\n"
                            "           05  C1  PIC X.\n"
                            "           05  H   PIC S9(4) COMP SYNC.\n"
                            "           05  C2  PIC X.\n"
                            "           05  F   PIC S9(9) COMP SYNCHRONIZED LEFT.\n"
                            "           05  C3  PIC X.\n"
                            "           05  D   PIC S9(18) BINARY SYNC.\n"
                            "           05  C4  PIC X.\n"
                            "           05  F1  COMP-1 SYNC.\n"
                            "           05  C5  PIC X.\n"
                            "           05  F2  COMP-2 SYNC RIGHT.\n"
                            "           05  NS  PIC S9(4) COMP.\n"
                            "           05  G.\n"
                            "               10  GC  PIC X.\n"
                            "               10  GH  PIC 9(4) COMP SYNC.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "H")->offset, 2);
    CU_ASSERT(fld(L, "H")->is_sync);
    CU_ASSERT_EQUAL(fld(L, "F")->offset, 8);
    CU_ASSERT_EQUAL(fld(L, "D")->offset, 16);
    CU_ASSERT_EQUAL(fld(L, "F1")->offset, 28);
    CU_ASSERT_EQUAL(fld(L, "F2")->offset, 40);
    CU_ASSERT_EQUAL(fld(L, "NS")->offset, 48);
    CU_ASSERT_EQUAL(fld(L, "G")->offset, 50);
    CU_ASSERT_EQUAL(fld(L, "GH")->offset, 52); /* one slack byte inside G */
    CU_ASSERT_EQUAL(fld(L, "G")->size, 4);
    CU_ASSERT_EQUAL(L->record_size, 54);
    CU_ASSERT_EQUAL(fld(L, "R")->size, 54);
    cbz_layout_free(L);
    /* An OCCURS group holding SYNC items is padded so each occurrence aligns. */
    L = compile("       01  R.\n"
                "           05  T OCCURS 3.\n"
                "               10  B  PIC S9(9) COMP SYNC.\n"
                "               10  C  PIC X.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "T")->size, 8);
    CU_ASSERT_EQUAL(L->record_size, 24);
    CU_ASSERT_EQUAL(L->columns[2].offset, 8);
    cbz_layout_free(L);
}

/* ---- OCCURS and columns -------------------------------------------------- */

static void test_occurs_columns(void)
{
    cbz_layout *L = compile("       01  R.\n"
                            "           05  N-ROWS   PIC 9(2).\n"
                            "           05  KEYS     PIC X(2) OCCURS 3 TIMES INDEXED BY KX.\n"
                            "           05  ROW OCCURS 1 TO 4 TIMES DEPENDING ON N-ROWS\n"
                            "                   ASCENDING KEY IS ROW-ID INDEXED BY RX.\n"
                            "               10  ROW-ID   PIC 9(3).\n"
                            "               10  CELL     PIC X OCCURS 2.\n"
                            "           05  TAIL     PIC X.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    const cbz_field *row = fld(L, "ROW");
    CU_ASSERT_EQUAL(row->occurs_min, 1);
    CU_ASSERT_EQUAL(row->occurs_max, 4);
    CU_ASSERT_EQUAL(row->depending_on, cbz_layout_find(L, "N-ROWS"));
    CU_ASSERT_EQUAL(row->size, 5);
    CU_ASSERT_EQUAL(row->offset, 8);
    CU_ASSERT_EQUAL(fld(L, "KEYS")->occurs_min, 3);
    CU_ASSERT_EQUAL(fld(L, "KEYS")->occurs_max, 3);
    CU_ASSERT_EQUAL(fld(L, "KEYS")->depending_on, -1);
    CU_ASSERT_EQUAL(fld(L, "TAIL")->offset, 28);
    CU_ASSERT(L->has_odo);
    CU_ASSERT_EQUAL(L->record_size, 29);
    /* N-ROWS, KEYS x3, (ROW-ID, CELL x2) x4, TAIL */
    CU_ASSERT_EQUAL_FATAL(L->n_columns, 1 + 3 + 4 * 3 + 1);
    CU_ASSERT_STRING_EQUAL(L->columns[2].name, "KEYS(2)");
    CU_ASSERT_EQUAL(L->columns[2].offset, 4);
    CU_ASSERT_EQUAL(L->columns[2].n_subscripts, 1);
    CU_ASSERT_EQUAL(L->columns[2].subscripts[0], 2);
    const cbz_column *c = &L->columns[4 + 3 * 2 + 2]; /* ROW(3) CELL(2) */
    CU_ASSERT_STRING_EQUAL(c->name, "CELL(3,2)");
    CU_ASSERT_EQUAL(c->offset, 8 + 2 * 5 + 3 + 1);
    CU_ASSERT_EQUAL(c->n_subscripts, 2);
    CU_ASSERT_EQUAL(c->subscripts[0], 3);
    CU_ASSERT_EQUAL(c->subscripts[1], 2);
    CU_ASSERT_STRING_EQUAL(L->columns[L->n_columns - 1].name, "TAIL");
    cbz_layout_free(L);
    /* Nested ODO (Cobrix test21) and ODO without "m TO". */
    L = compile("      01 RECORD.\n"
                "          02 COUNT PIC 9(1).\n"
                "          02 GROUP OCCURS 0 TO 2 TIMES DEPENDING ON COUNT.\n"
                "             03 INNER-COUNT PIC 9(1).\n"
                "             03 INNER-GROUP OCCURS 0 TO 3 TIMES\n"
                "                                DEPENDING ON INNER-COUNT.\n"
                "                04 FIELD PIC X.\n"
                "          02 T2 PIC X OCCURS 5 DEPENDING ON COUNT.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "INNER-GROUP")->depending_on, cbz_layout_find(L, "INNER-COUNT"));
    CU_ASSERT_EQUAL(fld(L, "GROUP")->size, 4);
    CU_ASSERT_EQUAL(fld(L, "T2")->occurs_min, 0);
    CU_ASSERT_EQUAL(L->record_size, 1 + 8 + 5);
    cbz_layout_free(L);
}

/* ---- REDEFINES and FILLER -------------------------------------------------- */

static void test_redefines_filler(void)
{
    cbz_layout *L = compile("       01  R.\n"
                            "           05  A      PIC X(4).\n"
                            "           05  A-NUM  REDEFINES A PIC 9(4).\n"
                            "           05  A-BIG  REDEFINES A.\n"
                            "               10  FILLER PIC X(6).\n"
                            "           05  PIC X(2).\n"
                            "           05  B      PIC X.\n"
                            "       01  R2 REDEFINES R.\n"
                            "           05  ALL-OF-IT PIC X(9).\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    int a = cbz_layout_find(L, "A");
    CU_ASSERT_EQUAL(fld(L, "A-NUM")->redefines, a);
    CU_ASSERT_EQUAL(fld(L, "A-NUM")->offset, 0);
    CU_ASSERT_EQUAL(fld(L, "A-BIG")->redefines, a);
    CU_ASSERT_EQUAL(fld(L, "B")->offset, 8); /* after the longest view (6) and the 2 unnamed bytes */
    CU_ASSERT_EQUAL(fld(L, "R")->size, 9);
    CU_ASSERT_EQUAL(fld(L, "R2")->redefines, cbz_layout_find(L, "R"));
    int unnamed = -1;
    for (size_t i = 0; i < L->n_fields; i++)
        if (L->fields[i].is_filler && L->fields[i].size == 2) unnamed = (int)i;
    CU_ASSERT(unnamed >= 0);
    if (unnamed >= 0) CU_ASSERT_STRING_EQUAL(L->fields[unnamed].name, "FILLER");
    CU_ASSERT(L->fields[cbz_layout_find(L, "A-BIG") + 1].is_filler);
    CU_ASSERT_EQUAL(L->record_size, 9);
    cbz_layout_free(L);
}

/* ---- COPY ------------------------------------------------------------------ */

static char tmpdir[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_copy(void)
{
    strcpy(tmpdir, "/tmp/cbzcbXXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    char lib[128];
    snprintf(lib, sizeof lib, "%s/MYLIB", tmpdir);
    mkdir(lib, 0700);
    write_file("ADDR.cpy", "           05  :P:-STREET  PIC X(20).\n"
                           "           05  :P:-CITY    PIC X(LEN).\n");
    write_file("amount.cob", "           05  AMT   PIC S9(7)V99 COMP-3.\n"
                             "           COPY INNER.\n");
    write_file("INNER", "           05  INNER-F  PIC X.\n");
    write_file("MYLIB/LIBMEM.cpy", "           05  FROM-LIB PIC X(3).\n");
    write_file("SELF.cpy", "           05  S PIC X.\n           COPY SELF.\n");
    write_file("PFX.cpy", "           05  WS-ONE PIC X.\n           05  WS-TWO PIC X.\n");
    const char *dirs[] = { tmpdir };
    cbz_layout *L = compile_fmt("       01  REC.\n"
                                "           COPY ADDR REPLACING ==:P:== BY ==CUST==\n"
                                "                               ==LEN== BY ==15==.\n"
                                "           COPY AMOUNT.\n"
                                "           COPY LIBMEM OF MYLIB.\n"
                                "           COPY PFX REPLACING LEADING ==WS== BY ==XX==.\n"
                                "           COPY 'amount.cob' REPLACING AMT BY AMT2\n"
                                "               ==INNER-F== BY ==INNER-G==.\n",
                                CBZ_FORMAT_AUTO, dirs, 1);
    if (!L) fprintf(stderr, "\n  %s\n", last_err.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    CU_ASSERT_EQUAL(fld(L, "CUST-CITY")->size, 15);
    CU_ASSERT_EQUAL(fld(L, "CUST-CITY")->offset, 20);
    CU_ASSERT_EQUAL(fld(L, "AMT")->size, 5);
    CU_ASSERT_EQUAL(fld(L, "INNER-F")->offset, 40);
    CU_ASSERT_EQUAL(fld(L, "FROM-LIB")->offset, 41);
    CU_ASSERT(cbz_layout_find(L, "XX-ONE") >= 0);
    CU_ASSERT(cbz_layout_find(L, "XX-TWO") >= 0);
    CU_ASSERT(cbz_layout_find(L, "AMT2") >= 0);
    CU_ASSERT(cbz_layout_find(L, "INNER-G") >= 0);
    CU_ASSERT_EQUAL(L->record_size, 20 + 15 + 5 + 1 + 3 + 2 + 5 + 1);
    /* The expanded text holds the members and compiles to the same layout. */
    CU_ASSERT_PTR_NOT_NULL(strstr(L->expanded_text, "CUST-CITY PIC X(15)"));
    CU_ASSERT_PTR_NULL(strstr(L->expanded_text, "COPY"));
    cbz_layout *L2 = compile(L->expanded_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L2);
    CU_ASSERT_EQUAL_FATAL(L2->n_fields, L->n_fields);
    CU_ASSERT_EQUAL_FATAL(L2->n_columns, L->n_columns);
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *a = &L->fields[i], *b = &L2->fields[i];
        CU_ASSERT_STRING_EQUAL(a->name, b->name);
        CU_ASSERT(a->offset == b->offset && a->size == b->size && a->line == b->line && a->column == b->column &&
                  a->category == b->category && a->usage == b->usage && a->parent == b->parent);
    }
    CU_ASSERT_STRING_EQUAL(L->expanded_text, L2->expanded_text);
    cbz_layout_free(L2);
    cbz_layout_free(L);

    /* Errors: not found (without the search path), cycle, error inside a member. */
    L = compile_fmt("       01  REC.\n           COPY ADDR.\n", CBZ_FORMAT_AUTO, NULL, 0);
    CU_ASSERT_PTR_NULL(L);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_err.msg, "t.cpy:2:12: COPY member 'ADDR' not found"));
    L = compile_fmt("       01  REC.\n           COPY SELF.\n", CBZ_FORMAT_AUTO, dirs, 1);
    CU_ASSERT_PTR_NULL(L);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_err.msg, "copies itself"));
    write_file("BAD.cpy", "      * bad member\n           05  B PIC Q(3).\n");
    L = compile_fmt("       01  REC.\n           COPY BAD.\n", CBZ_FORMAT_AUTO, dirs, 1);
    CU_ASSERT_PTR_NULL(L);
    if (!strstr(last_err.msg, "BAD.cpy:2:22")) fprintf(stderr, "\n  %s\n", last_err.msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_err.msg, "BAD.cpy:2:22 (in COPY at t.cpy:2:12): unexpected character in PICTURE 'Q(3)'"));
    L = compile_fmt("       01  REC.\n           COPY ADDR REPLACING ==:P:== CUST.\n", CBZ_FORMAT_AUTO, dirs, 1);
    CU_ASSERT_PTR_NULL(L);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_err.msg, "t.cpy:2:40: expected BY, found 'CUST'"));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_errors(void)
{
    expect_error("       01  R.\n           05  A  PIC X(3)\n           05  B  PIC X.\n",
                 "t.cpy:3:12: expected a clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, ...) or '.', found '05'");
    expect_error("       01  R.\n           05  A.\n", "t.cpy:2:12: expected a PICTURE clause for the elementary item 'A'");
    expect_error("       01  R.\n           05  A  PIC X(3) USAGE FOO.\n", "t.cpy:2:34: expected a USAGE");
    expect_error("       01  R.\n           05  A  PIC X(2)S.\n", "mixes A/X with numeric");
    expect_error("       01  R.\n           05  A  PIC 9(0).\n", "t.cpy:2:23: expected ')' after a repeat count above 0");
    expect_error("       01  R.\n           05  A  PIC 9(39).\n", "more than 38 digits");
    expect_error("       01  R.\n           05  A  PIC X(2).\n           05  B  REDEFINES C PIC X.\n",
                 "t.cpy:3:29: REDEFINES 'C' names no preceding item");
    expect_error("       01  R.\n           05  A  OCCURS 3 DEPENDING ON NOPE PIC X.\n",
                 "t.cpy:2:41: OCCURS DEPENDING ON counter 'NOPE' is not defined");
    expect_error("       01  R.\n           05  A  PIC X OCCURS 5 TO 2.\n", "t.cpy:2:37: expected a maximum at least the minimum");
    expect_error("       01  R.\n           05  A  PIC X VALUE 'OPEN.\n", "t.cpy:2:31: expected the closing ' of the literal");
    expect_error("       01  R.\n           05  G  PIC X.\n               10  C PIC X.\n",
                 "t.cpy:2:23: group item 'G' cannot have a PICTURE clause");
    expect_error("       88  LONELY VALUE 'A'.\n", "t.cpy:1:8: level 88 'LONELY' has no data item");
    expect_error("       01  R.\n           05  A PIC X.\n           66  X RENAMES NOPE.\n",
                 "t.cpy:3:26: RENAMES names 'NOPE'");
    expect_error("       01  R.\n           50  A PIC X.\n", "t.cpy:2:12: expected a level number (01-49, 66, 77 or 88), found '50'");
    expect_error("       01  R.\n           05  A PIC X(2) COMP-3.\n", "alphanumeric item 'A' must be USAGE DISPLAY");
    expect_error("       01  R.\n           05  A PIC 9 COMP-1.\n", "take no PICTURE");
    expect_error("       01  R.\n           05  A PIC X PIC X.\n", "t.cpy:2:24: expected one PICTURE clause only");
    expect_error("", "expected at least one data description entry");
    expect_error("      * only a comment\n", "expected at least one data description entry");
    expect_error("       01  R.\n           05  A PIC +++S9.\n", "S is not allowed");
    expect_error("       01  R.\n           05  A PIC X.\n       77  C PIC X.\n           10  D PIC X.\n", "level-77 items cannot have subordinate");
}

/* ---- lookup and printing ----------------------------------------------------- */

static void test_find_and_print(void)
{
    cbz_layout *L = compile("       01  R.\n"
                            "           05  A.\n"
                            "               10  X  PIC X.\n"
                            "           05  B.\n"
                            "               10  X  PIC 9 OCCURS 2.\n"
                            "               88  X-ON VALUE 1.\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    int xa = cbz_layout_find(L, "X"), xb = cbz_layout_find(L, "X OF B");
    CU_ASSERT_EQUAL(xa, 2);
    CU_ASSERT_EQUAL(xb, 4);
    CU_ASSERT_EQUAL(cbz_layout_find(L, "x in b of r"), 4);
    CU_ASSERT_EQUAL(cbz_layout_find(L, "X OF C"), -1);
    CU_ASSERT_EQUAL(cbz_layout_find(L, "X-ON"), 5);
    CU_ASSERT_EQUAL(cbz_layout_find(NULL, "X"), -1);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(cbz_layout_print(L, m, false, NULL), CBZ_OK);
    fclose(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "record length 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    10 X"));
    free(buf);
    m = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(cbz_layout_print(L, m, true, NULL), CBZ_OK);
    fclose(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"record_size\": 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "{\"name\": \"X(2)\", \"field\": 4, \"offset\": 2, \"size\": 1}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"value\": \"1\""));
    free(buf);
    cbz_layout_free(L);
    cbz_layout_free(NULL);
}

/* ---- robustness ----------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) p[n] = '\0';
    *len = (size_t)n;
    return p;
}

static void fuzz_one(const char *text, size_t len, int *ok, int *errs)
{
    cbz_layout *L = NULL;
    cbz_error e = { 0 };
    cbz_status s = cbz_copybook_compile_text(text, len, "fuzz.cpy", NULL, &L, &e);
    if (s == CBZ_OK) {
        (*ok)++;
        CU_ASSERT_PTR_NOT_NULL(L);
        cbz_layout_free(L);
    } else {
        (*errs)++;
        CU_ASSERT(s == CBZ_ERR_COPYBOOK || s == CBZ_ERR_UNSUPPORTED);
        CU_ASSERT(e.msg[0] != '\0');
        CU_ASSERT_PTR_NULL(L);
    }
}

static void test_fuzz_cobrix(void)
{
    const char *shared = getenv("CBZ_SHARED");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/conformance/cobrix/data", shared ? shared : "../shared");
    static const char *const files[] = { "test1_copybook.cob", "test6_copybook.cob", "test21_copybook.cob",
                                         "test17_hierarchical.cob", "test7_fillers.cob" };
    int ok = 0, errs = 0, used = 0;
    unsigned seed = 12345;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        size_t len;
        char *text = read_all(path, &len);
        if (!text) continue;
        used++;
        /* Whole, then truncations. */
        fuzz_one(text, len, &ok, &errs);
        size_t step = len / 150 + 1;
        for (size_t cut = 0; cut < len; cut += step) fuzz_one(text, cut, &ok, &errs);
        /* Garbage: random bytes and COBOL-ish tokens spliced in. */
        static const char *const junk[] = { "(", ")", "'", "\"", ".", "==", "OCCURS", "PIC", "9(99999999)",
                                            "REDEFINES", "COPY", "-", "\t", "\n", "66", "88", "01", "X(", "DEPENDING ON",
                                            "SYNC", "VALUE", "*>", "\x00", "\xff", "THRU", "S", "V", "P" };
        char *buf = malloc(len + 64);
        for (int r = 0; r < 300 && buf; r++) {
            memcpy(buf, text, len);
            size_t n = len;
            for (int m = 0; m < 3; m++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % (n ? n : 1);
                seed = seed * 1103515245u + 12345u;
                const char *j = junk[(seed >> 8) % (sizeof junk / sizeof junk[0])];
                size_t jl = strlen(j) ? strlen(j) : 1;
                if (n + jl > len + 60) break;
                memmove(buf + at + jl, buf + at, n - at);
                memcpy(buf + at, j, jl);
                n += jl;
            }
            fuzz_one(buf, n, &ok, &errs);
        }
        free(buf);
        free(text);
    }
    CU_ASSERT(used > 0);
    CU_ASSERT(ok > 0 && errs > 0);
    /* Deep nesting and huge tables are refused, not obeyed. */
    cbz_layout *L = compile("01 R.\n 02 A OCCURS 1000.\n  03 B OCCURS 1000.\n   04 C OCCURS 1000 PIC X.\n");
    CU_ASSERT_PTR_NULL(L);
    CU_ASSERT(last_err.code == CBZ_ERR_UNSUPPORTED || last_err.code == CBZ_ERR_COPYBOOK);
    cbz_layout_free(L);
}

static void test_cobrix_offsets(void)
{
    const char *shared = getenv("CBZ_SHARED");
    char path[512];
    snprintf(path, sizeof path, "%s/conformance/cobrix/data/test6_copybook.cob", shared ? shared : "../shared");
    cbz_layout *L = NULL;
    cbz_error e = { 0 };
    if (cbz_copybook_compile_file(path, NULL, &L, &e) != CBZ_OK) {
        fprintf(stderr, "\n  %s\n", e.msg);
        CU_FAIL("test6 copybook");
        return;
    }
    /* Cobrix test6_layout.txt less 6 bytes (six 19-20 digit binaries: 8 bytes, not 9). */
    CU_ASSERT_EQUAL(L->record_size, 1487);
    CU_ASSERT_EQUAL(fld(L, "NUM-SL-STR-INT01")->size, 10);
    CU_ASSERT_EQUAL(fld(L, "FLOAT-01")->category, CBZ_CAT_FLOAT);
    CU_ASSERT_EQUAL(fld(L, "COMMON-UPC5DDC")->scale, 8);
    CU_ASSERT_EQUAL(fld(L, "COMMON-UPI5DDC")->scale, -3);
    CU_ASSERT_EQUAL(fld(L, "NUM-BIN-INT03")->usage, CBZ_USAGE_BINARY); /* COMP-0 */
    CU_ASSERT_EQUAL(fld(L, "ID")->line, 24);
    CU_ASSERT_EQUAL(fld(L, "ID")->column, 11);
    cbz_layout_free(L);
    e.msg[0] = '\0';
    CU_ASSERT_EQUAL(cbz_copybook_compile_file("/nonexistent/x.cpy", NULL, &L, &e), CBZ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/x.cpy"));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("copybook", NULL, NULL);
    CU_add_test(s, "fixed format", test_fixed_format);
    CU_add_test(s, "free format and directives", test_free_format);
    CU_add_test(s, "Cobrix-style columns, tabs, ^Z", test_cobrix_style_columns);
    CU_add_test(s, "levels 01-49, 66, 77, 88, records", test_levels_and_records);
    CU_add_test(s, "PICTURE strings", test_pictures);
    CU_add_test(s, "USAGE sizes and group usage", test_usages);
    CU_add_test(s, "SIGN, JUSTIFIED, BLANK WHEN ZERO, VALUE", test_sign_just_blank_value);
    CU_add_test(s, "SYNCHRONIZED slack bytes", test_sync);
    CU_add_test(s, "OCCURS, DEPENDING ON, columns", test_occurs_columns);
    CU_add_test(s, "REDEFINES and FILLER", test_redefines_filler);
    CU_add_test(s, "COPY, REPLACING, expanded text", test_copy);
    CU_add_test(s, "errors with line:column", test_errors);
    CU_add_test(s, "find and print", test_find_and_print);
    CU_add_test(s, "Cobrix test6 offsets", test_cobrix_offsets);
    CU_add_test(s, "fuzz: broken Cobrix copybooks", test_fuzz_cobrix);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
