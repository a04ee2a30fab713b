/*
 * test_convert.c — CUnit tests of the record walk (ODO shifting, nested ODO,
 * short records, REDEFINES), CSV and JSON escaping, the strict JSON reader,
 * and the convert/encode engines over a layout built by hand (so that they are
 * tested independently of the copybook compiler).
 */
#include "convert.h"
#include "csv_wrap.h"
#include "internal.h"
#include "jsonl.h"
#include "record_walk.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- hand-built layouts ---- */
typedef struct lb {
    cbz_layout L;
    cbz_field f[32];
    cbz_column c[32];
} lb;

static int add(lb *b, const char *name, int level, int parent, cbz_category cat, uint32_t off, uint32_t size)
{
    int i = (int)b->L.n_fields++;
    cbz_field *f = &b->f[i];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->level = level;
    f->parent = parent;
    f->first_child = f->next_sibling = -1;
    f->category = cat;
    f->usage = CBZ_USAGE_DISPLAY;
    f->digits = (int)size;
    f->offset = off;
    f->size = size;
    f->depending_on = f->redefines = f->renames_from = f->renames_thru = -1;
    f->is_filler = strcmp(name, "FILLER") == 0;
    if (parent >= 0) {
        if (b->f[parent].first_child < 0) b->f[parent].first_child = i;
        else {
            int s = b->f[parent].first_child;
            while (b->f[s].next_sibling >= 0) s = b->f[s].next_sibling;
            b->f[s].next_sibling = i;
        }
    }
    b->L.fields = b->f;
    b->L.columns = b->c;
    return i;
}

static void col(lb *b, int field, uint32_t off, const char *name, int nsub, uint32_t s1, uint32_t s2)
{
    cbz_column *c = &b->c[b->L.n_columns++];
    memset(c, 0, sizeof *c);
    c->field = field;
    c->offset = off;
    c->size = b->f[field].size;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->n_subscripts = nsub;
    c->subscripts[0] = s1;
    c->subscripts[1] = s2;
}

/* 01 REC. 05 CNT PIC 9. 05 ITEM PIC X(2) OCCURS 0 TO 3 DEPENDING ON CNT.
 * 05 AMT PIC 9(3). 05 FILLER PIC X.   (11 bytes at most) */
static void build_odo(lb *b)
{
    memset(b, 0, sizeof *b);
    int rec = add(b, "REC", 1, -1, CBZ_CAT_GROUP, 0, 11);
    int cnt = add(b, "CNT", 5, rec, CBZ_CAT_NUMERIC, 0, 1);
    int item = add(b, "ITEM", 5, rec, CBZ_CAT_ALPHANUMERIC, 1, 2);
    b->f[item].occurs_min = 0;
    b->f[item].occurs_max = 3;
    b->f[item].depending_on = cnt;
    int amt = add(b, "AMT", 5, rec, CBZ_CAT_NUMERIC, 7, 3);
    int fil = add(b, "FILLER", 5, rec, CBZ_CAT_ALPHANUMERIC, 10, 1);
    col(b, cnt, 0, "CNT", 0, 0, 0);
    col(b, item, 1, "ITEM(1)", 1, 1, 0);
    col(b, item, 3, "ITEM(2)", 1, 2, 0);
    col(b, item, 5, "ITEM(3)", 1, 3, 0);
    col(b, amt, 7, "AMT", 0, 0, 0);
    col(b, fil, 10, "FILLER", 0, 0, 0);
    b->L.record_size = 11;
    b->L.has_odo = true;
}

/* test21 of Cobrix: 01 RECORD. 02 COUNT PIC 9. 02 GROUP OCCURS 0 TO 2 DEPENDING ON COUNT.
 * 03 INNER-COUNT PIC 9. 03 INNER-GROUP OCCURS 0 TO 3 DEPENDING ON INNER-COUNT. 04 FIELD PIC X. */
static void build_nested(lb *b)
{
    memset(b, 0, sizeof *b);
    int rec = add(b, "RECORD", 1, -1, CBZ_CAT_GROUP, 0, 9);
    int cnt = add(b, "COUNT", 2, rec, CBZ_CAT_NUMERIC, 0, 1);
    int grp = add(b, "GROUP", 2, rec, CBZ_CAT_GROUP, 1, 4);
    b->f[grp].occurs_max = 2;
    b->f[grp].depending_on = cnt;
    int icnt = add(b, "INNER-COUNT", 3, grp, CBZ_CAT_NUMERIC, 1, 1);
    int ig = add(b, "INNER-GROUP", 3, grp, CBZ_CAT_GROUP, 2, 1);
    b->f[ig].occurs_max = 3;
    b->f[ig].depending_on = icnt;
    add(b, "FIELD", 4, ig, CBZ_CAT_ALPHANUMERIC, 2, 1);
    b->L.record_size = 9;
    b->L.has_odo = true;
}

/* ---- walk ---- */
typedef struct seen {
    char log[1024];
} seen;

static cbz_status v_value(void *ctx, const cbz_walk_item *it)
{
    seen *s = ctx;
    char one[96];
    snprintf(one, sizeof one, "%s", it->f->name);
    for (int k = 0; k < it->n_subscripts; k++)
        snprintf(one + strlen(one), sizeof one - strlen(one), "%c%u", k ? ',' : '(', (unsigned)it->subscripts[k]);
    snprintf(one + strlen(one), sizeof one - strlen(one), "%s@%u=%.*s;", it->n_subscripts ? ")" : "",
             (unsigned)it->offset, it->bytes ? (int)it->f->size : 1, it->bytes ? (const char *)it->bytes : "-");
    strncat(s->log, one, sizeof s->log - strlen(s->log) - 1);
    return CBZ_OK;
}

static cbz_status v_array(void *ctx, const cbz_walk_item *it, uint32_t count)
{
    seen *s = ctx;
    char one[96];
    snprintf(one, sizeof one, "[%s*%u]", it->f->name, (unsigned)count);
    strncat(s->log, one, sizeof s->log - strlen(s->log) - 1);
    return CBZ_OK;
}

static const cbz_value_options *ascii_opts(void)
{
    static cbz_value_options o;
    o.codepage = cbz_codepage_find("ascii");
    o.trim = CBZ_TRIM_RIGHT;
    return &o;
}

static void test_walk_odo_shift(void)
{
    lb b;
    build_odo(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ascii_opts()->codepage);
    cbz_walker *w = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_walker_new(&b.L, ascii_opts(), &w, NULL), CBZ_OK);
    seen s = { "" };
    cbz_walk_visitor v = { &s, NULL, NULL, v_array, NULL, v_value, NULL };
    size_t alen = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"2ABCD123Z  ", 11, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "CNT@0=2;[ITEM*2]ITEM(1)@1=AB;ITEM(2)@3=CD;AMT@5=123;FILLER@8=Z;");
    CU_ASSERT_EQUAL(alen, 9);
    CU_ASSERT_EQUAL(cbz_walker_field_offset(w, 3), 5);
    /* counter 0: AMT right after CNT; a short record leaves FILLER absent */
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"0456", 4, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "CNT@0=0;[ITEM*0]AMT@1=456;FILLER@4=-;");
    /* counter 3 = the static layout */
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"3AABBCC789X", 11, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "CNT@0=3;[ITEM*3]ITEM(1)@1=AA;ITEM(2)@3=BB;ITEM(3)@5=CC;AMT@7=789;FILLER@10=X;");
    CU_ASSERT_EQUAL(alen, 11);
    cbz_walker_free(w);
}

static int problems;
static cbz_status v_problem(void *ctx, const cbz_walk_item *it, const char *what)
{
    (void)ctx; (void)it; (void)what;
    problems++;
    return CBZ_OK;
}

static void test_walk_bad_counter(void)
{
    lb b;
    build_odo(&b);
    cbz_walker *w = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_walker_new(&b.L, ascii_opts(), &w, NULL), CBZ_OK);
    seen s = { "" };
    cbz_walk_visitor v = { &s, NULL, NULL, v_array, NULL, v_value, v_problem };
    problems = 0;
    /* 9 is more than OCCURS 3: three used, one problem reported */
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"9AABBCC789X", 11, &v, NULL, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(problems, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.log, "[ITEM*3]"));
    /* not a number: minimum (0) used */
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"xAABBCC789X", 11, &v, NULL, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(problems, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.log, "[ITEM*0]"));
    cbz_walker_free(w);
}

static void test_walk_nested_odo(void)
{
    lb b;
    build_nested(&b);
    cbz_walker *w = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_walker_new(&b.L, ascii_opts(), &w, NULL), CBZ_OK);
    seen s = { "" };
    cbz_walk_visitor v = { &s, NULL, NULL, v_array, NULL, v_value, NULL };
    size_t alen = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"21A2BC", 6, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "COUNT@0=2;[GROUP*2]INNER-COUNT(1)@1=1;[INNER-GROUP*1]FIELD(1,1)@2=A;"
                                  "INNER-COUNT(2)@3=2;[INNER-GROUP*2]FIELD(2,1)@4=B;FIELD(2,2)@5=C;");
    CU_ASSERT_EQUAL(alen, 6);
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"10", 2, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "COUNT@0=1;[GROUP*1]INNER-COUNT(1)@1=0;[INNER-GROUP*0]");
    CU_ASSERT_EQUAL(alen, 2);
    cbz_walker_free(w);
}

static void test_walk_redefines_skip(void)
{
    /* 01 R. 05 K PIC X. 05 A PIC X(2). 05 B REDEFINES A PIC 9(2). 05 T PIC X. */
    lb b;
    memset(&b, 0, sizeof b);
    int r = add(&b, "R", 1, -1, CBZ_CAT_GROUP, 0, 4);
    add(&b, "K", 5, r, CBZ_CAT_ALPHANUMERIC, 0, 1);
    int a = add(&b, "A", 5, r, CBZ_CAT_ALPHANUMERIC, 1, 2);
    int bb = add(&b, "B", 5, r, CBZ_CAT_NUMERIC, 1, 2);
    b.f[bb].redefines = a;
    add(&b, "T", 5, r, CBZ_CAT_ALPHANUMERIC, 3, 1);
    b.L.record_size = 4;
    cbz_walker *w = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_walker_new(&b.L, ascii_opts(), &w, NULL), CBZ_OK);
    seen s = { "" };
    cbz_walk_visitor v = { &s, NULL, NULL, v_array, NULL, v_value, NULL };
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"k12t", 4, &v, NULL, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "K@0=k;A@1=12;B@1=12;T@3=t;");
    cbz_walker_skip_flags(w)[a] = 1;
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"k12t", 4, &v, NULL, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "K@0=k;B@1=12;T@3=t;");
    cbz_walker_free(w);
}

/* ---- CSV and JSON text ---- */
static char *capture_begin(FILE **fp, char **mem, size_t *len)
{
    *fp = open_memstream(mem, len);
    return *mem;
}

static void test_csv_escaping(void)
{
    FILE *fp;
    char *mem = NULL;
    size_t len = 0;
    capture_begin(&fp, &mem, &len);
    CU_ASSERT(cbz_csv_put_field(fp, "plain", 5, true));
    CU_ASSERT(cbz_csv_put_field(fp, "a,b", 3, false));
    CU_ASSERT(cbz_csv_put_field(fp, "say \"hi\"", 8, false));
    CU_ASSERT(cbz_csv_put_field(fp, "", 0, false));
    CU_ASSERT(cbz_csv_put_field(fp, "two\nlines", 9, false));
    CU_ASSERT(cbz_csv_put_field(fp, " lead", 5, false));
    CU_ASSERT(cbz_csv_end_row(fp));
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(mem, "plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\",\" lead\"\r\n");
    /* the buffer form writes the same bytes */
    cbz_buf b;
    cbz_buf_init(&b);
    const char *vals[] = { "plain", "a,b", "say \"hi\"", "", "two\nlines", " lead" };
    for (int i = 0; i < 6; i++) CU_ASSERT_EQUAL(cbz_csv_append_field(&b, vals[i], strlen(vals[i]), i == 0), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_buf_append(&b, "\r\n", 3), CBZ_OK);
    CU_ASSERT_STRING_EQUAL((const char *)b.data, mem);
    cbz_buf_free(&b);
    /* and read back */
    FILE *in = fmemopen(mem, strlen(mem), "rb");
    cbz_csv_reader *r = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_csv_reader_open(in, "mem", &r, NULL), CBZ_OK);
    const char *const *f;
    const size_t *l;
    size_t n;
    bool eof;
    CU_ASSERT_EQUAL(cbz_csv_next_row(r, &f, &l, &n, &eof, NULL), CBZ_OK);
    CU_ASSERT_FATAL(!eof && n == 6);
    CU_ASSERT_STRING_EQUAL(f[0], "plain");
    CU_ASSERT_STRING_EQUAL(f[1], "a,b");
    CU_ASSERT_STRING_EQUAL(f[2], "say \"hi\"");
    CU_ASSERT_EQUAL(l[3], 0);
    CU_ASSERT_STRING_EQUAL(f[4], "two\nlines");
    CU_ASSERT_STRING_EQUAL(f[5], " lead");
    CU_ASSERT_EQUAL(cbz_csv_next_row(r, &f, &l, &n, &eof, NULL), CBZ_OK);
    CU_ASSERT(eof);
    cbz_csv_reader_close(r);
    fclose(in);
    free(mem);
}

static void test_csv_strict(void)
{
    const char *bad = "a,b\r\nx,\"unterminated\r\n";
    FILE *in = fmemopen((void *)bad, strlen(bad), "rb");
    cbz_csv_reader *r = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_csv_reader_open(in, "bad.csv", &r, &err), CBZ_OK);
    const char *const *f;
    const size_t *l;
    size_t n;
    bool eof;
    cbz_status s = cbz_csv_next_row(r, &f, &l, &n, &eof, &err);
    if (s == CBZ_OK) s = cbz_csv_next_row(r, &f, &l, &n, &eof, &err);
    CU_ASSERT_EQUAL(s, CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.csv"));
    cbz_csv_reader_close(r);
    fclose(in);
}

static void test_json_escaping(void)
{
    FILE *fp;
    char *mem = NULL;
    size_t len = 0;
    capture_begin(&fp, &mem, &len);
    const char s[] = "q\"b\\n\n\x01t\tÄ";
    CU_ASSERT(cbz_json_put_string(fp, s, sizeof s - 1));
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(mem, "\"q\\\"b\\\\n\\n\\u0001t\\tÄ\"");
    /* the reader gives the same bytes back */
    cbz_json_doc d;
    cbz_json_doc_init(&d);
    CU_ASSERT_EQUAL_FATAL(cbz_json_parse(&d, mem, strlen(mem), NULL), CBZ_OK);
    CU_ASSERT_EQUAL(d.nodes[0].type, CBZ_JSON_STRING);
    CU_ASSERT_EQUAL(d.nodes[0].text_len, sizeof s - 1);
    CU_ASSERT_EQUAL(memcmp(cbz_json_text(&d, &d.nodes[0]), s, sizeof s - 1), 0);
    cbz_json_doc_free(&d);
    free(mem);
}

static void test_json_reader(void)
{
    cbz_json_doc d;
    cbz_json_doc_init(&d);
    const char *ok = " {\"A\": [1, -2.50, 3e2], \"B\": {\"C\": null, \"D\": true}, \"E\": \"\\u00e9\\ud83d\\ude00\"} ";
    CU_ASSERT_EQUAL_FATAL(cbz_json_parse(&d, ok, strlen(ok), NULL), CBZ_OK);
    int a = cbz_json_member(&d, 0, "A"), bb = cbz_json_member(&d, 0, "B"), e = cbz_json_member(&d, 0, "E");
    CU_ASSERT_FATAL(a > 0 && bb > 0 && e > 0);
    CU_ASSERT_EQUAL(d.nodes[a].type, CBZ_JSON_ARRAY);
    CU_ASSERT_EQUAL(d.nodes[a].n_children, 3);
    int second = d.nodes[d.nodes[a].first_child].next;
    CU_ASSERT_STRING_EQUAL(cbz_json_text(&d, &d.nodes[second]), "-2.50");
    CU_ASSERT_EQUAL(d.nodes[cbz_json_member(&d, bb, "C")].type, CBZ_JSON_NULL);
    CU_ASSERT_EQUAL(d.nodes[cbz_json_member(&d, bb, "D")].type, CBZ_JSON_TRUE);
    CU_ASSERT_STRING_EQUAL(cbz_json_text(&d, &d.nodes[e]), "\xc3\xa9\xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(cbz_json_member(&d, 0, "Z"), -1);
    const char *bad[] = { "{\"a\":1,}", "[1,2", "{\"a\" 1}", "01", "1.", "\"tab\there\"", "{} x", "\"\\x\"",
                          "\"\\ud800\"", "tru", "", "{\"a\":-}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                          "[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL(cbz_json_parse(&d, bad[i], strlen(bad[i]), &err), CBZ_ERR_DATA);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "JSON column"));
    }
    cbz_json_doc_free(&d);
}

/* ---- the engines over the hand-built ODO layout ---- */
static char tmp_in[64];

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fwrite(p, 1, n, fp);
    fclose(fp);
}

typedef struct rejects_seen { int n; uint64_t record, offset; char field[64]; char hex[32]; } rejects_seen;

static cbz_status collect_reject(void *ctx, const cbz_reject *r, cbz_error *err)
{
    (void)err;
    rejects_seen *rs = ctx;
    rs->n++;
    rs->record = r->record;
    rs->offset = r->offset;
    snprintf(rs->field, sizeof rs->field, "%s", r->field);
    rs->hex[0] = 0;
    for (size_t i = 0; i < r->raw_len && i < 15; i++) snprintf(rs->hex + 2 * i, 3, "%02X", r->raw[i]);
    return CBZ_OK;
}

static cbz_convert_options engine_opts(lb *b, cbz_text_format tf, rejects_seen *rs)
{
    cbz_convert_options o;
    memset(&o, 0, sizeof o);
    o.layout = &b->L;
    o.fmt.recfm = CBZ_RECFM_F;
    o.fmt.lrecl = 11;
    o.values = *ascii_opts();
    o.format = tf;
    o.max_errors = 100;
    o.on_reject = collect_reject;
    o.reject_ctx = rs;
    return o;
}

static void test_engine_roundtrip(void)
{
    lb b;
    build_odo(&b);
    const char data[] = "2ABCD123   " "0045       " "3AABBCC789 ";
    snprintf(tmp_in, sizeof tmp_in, "/tmp/cbz_test_convert_%ld.dat", (long)getpid());
    write_file(tmp_in, data, 33);
    for (int fmt = 0; fmt < 2; fmt++) {
        rejects_seen rs = { 0 };
        cbz_convert_options o = engine_opts(&b, fmt ? CBZ_TEXT_JSONL : CBZ_TEXT_CSV, &rs);
        char *text = NULL;
        size_t tlen = 0;
        FILE *out = open_memstream(&text, &tlen);
        cbz_convert_stats st;
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL_FATAL(cbz_convert_records(&o, tmp_in, out, &st, &err), CBZ_OK);
        fclose(out);
        CU_ASSERT_EQUAL(st.records_read, 3);
        CU_ASSERT_EQUAL(st.rejects, 0);
        if (fmt == 0)
            CU_ASSERT_STRING_EQUAL(text, "CNT,ITEM(1),ITEM(2),ITEM(3),AMT\r\n2,AB,CD,,123\r\n0,,,,45\r\n3,AA,BB,CC,789\r\n");
        if (fmt == 1)
            CU_ASSERT_STRING_EQUAL(text, "{\"REC\":{\"CNT\":2,\"ITEM\":[\"AB\",\"CD\"],\"AMT\":123}}\n"
                                         "{\"REC\":{\"CNT\":0,\"ITEM\":[],\"AMT\":45}}\n"
                                         "{\"REC\":{\"CNT\":3,\"ITEM\":[\"AA\",\"BB\",\"CC\"],\"AMT\":789}}\n");
        /* and back to the same bytes */
        FILE *in = fmemopen(text, tlen, "rb");
        char *recs = NULL;
        size_t rlen = 0;
        out = open_memstream(&recs, &rlen);
        CU_ASSERT_EQUAL(cbz_encode_records(&o, in, "mem", out, &st, &err), CBZ_OK);
        fclose(out);
        fclose(in);
        CU_ASSERT_EQUAL(rlen, 33);
        CU_ASSERT(rlen == 33 && memcmp(recs, data, 33) == 0);
        CU_ASSERT_EQUAL(st.records_written, 3);
        free(recs);
        free(text);
    }
    unlink(tmp_in);
}

static void test_engine_rejects(void)
{
    lb b;
    build_odo(&b);
    const char data[] = "1AB123     " "1CD1X3     ";
    snprintf(tmp_in, sizeof tmp_in, "/tmp/cbz_test_convert_%ld.dat", (long)getpid());
    write_file(tmp_in, data, 22);
    rejects_seen rs = { 0 };
    cbz_convert_options o = engine_opts(&b, CBZ_TEXT_CSV, &rs);
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    cbz_convert_stats st;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_convert_records(&o, tmp_in, out, &st, &err), CBZ_OK);
    fclose(out);
    CU_ASSERT_EQUAL(st.rejects, 1);
    CU_ASSERT_EQUAL(rs.n, 1);
    CU_ASSERT_EQUAL(rs.record, 2);
    CU_ASSERT_EQUAL(rs.offset, 14);
    CU_ASSERT_STRING_EQUAL(rs.field, "AMT");
    CU_ASSERT_STRING_EQUAL(rs.hex, "315833");
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\r\n1,CD,,,\r\n"));
    free(text);
    /* past --max-errors: CBZ_ERR_LIMIT */
    o.max_errors = 0;
    text = NULL;
    out = open_memstream(&text, &tlen);
    CU_ASSERT_EQUAL(cbz_convert_records(&o, tmp_in, out, &st, &err), CBZ_ERR_LIMIT);
    fclose(out);
    free(text);
    unlink(tmp_in);
}

/* ---- occurs maps and static tables (the layout of Cobrix test25) ---- */
/* 01 REC. 05 KIND PIC X. 05 T1 OCCURS 0 TO 2 DEPENDING ON KIND. 10 V1 PIC X.
 * 05 T2 OCCURS 0 TO 2 DEPENDING ON KIND. 10 V2 PIC X.   (5 bytes at most) */
static void build_mapped(lb *b)
{
    memset(b, 0, sizeof *b);
    int rec = add(b, "REC", 1, -1, CBZ_CAT_GROUP, 0, 5);
    int kind = add(b, "KIND", 5, rec, CBZ_CAT_ALPHANUMERIC, 0, 1);
    int t1 = add(b, "T1", 5, rec, CBZ_CAT_ALPHANUMERIC, 1, 1);
    b->f[t1].occurs_max = 2;
    b->f[t1].depending_on = kind;
    int t2 = add(b, "T2", 5, rec, CBZ_CAT_ALPHANUMERIC, 3, 1);
    b->f[t2].occurs_max = 2;
    b->f[t2].depending_on = kind;
    col(b, kind, 0, "KIND", 0, 0, 0);
    col(b, t1, 1, "T1(1)", 1, 1, 0);
    col(b, t1, 2, "T1(2)", 1, 2, 0);
    col(b, t2, 3, "T2(1)", 1, 1, 0);
    col(b, t2, 4, "T2(2)", 1, 2, 0);
    b->L.record_size = 5;
    b->L.has_odo = true;
}

static void test_walk_occurs_maps(void)
{
    lb b;
    build_mapped(&b);
    cbz_walker *w = NULL;
    CU_ASSERT_EQUAL_FATAL(cbz_walker_new(&b.L, ascii_opts(), &w, NULL), CBZ_OK);
    const char *maps[] = { "T1=A:0,B:1", "T2 = A : 1 , B : 2" };
    CU_ASSERT_EQUAL_FATAL(cbz_walker_set_occurs_maps(w, maps, 2, NULL), CBZ_OK);
    seen s = { "" };
    problems = 0;
    cbz_walk_visitor v = { &s, NULL, NULL, v_array, NULL, v_value, v_problem };
    size_t alen = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"BXYZ", 4, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "KIND@0=B;[T1*1]T1(1)@1=X;[T2*2]T2(1)@2=Y;T2(2)@3=Z;");
    CU_ASSERT_EQUAL(alen, 4);
    /* static tables: T2 stays at offset 3 whatever T1 holds */
    cbz_walker_set_static_tables(w, true);
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"AQRX ", 5, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(s.log, "KIND@0=A;[T1*0][T2*1]T2(1)@3=X;");
    CU_ASSERT_EQUAL(alen, 5);
    /* a code the map does not list: a problem, the minimum count */
    CU_ASSERT_EQUAL(problems, 0);
    s.log[0] = 0;
    CU_ASSERT_EQUAL(cbz_walk_record(w, (const uint8_t *)"CQRX ", 5, &v, &alen, NULL), CBZ_OK);
    CU_ASSERT_EQUAL(problems, 2);
    CU_ASSERT_STRING_EQUAL(s.log, "KIND@0=C;[T1*0][T2*0]");
    /* bad specs */
    const char *bad[] = { "T1", "T1=A", "T1=A:3", "KIND=A:1", "NOPE=A:1", "T1=A:-1", "T1=" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL(cbz_walker_set_occurs_maps(w, &bad[i], 1, &err), CBZ_ERR_USAGE);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--occurs-map"));
    }
    const char *twice[] = { "T1=A:0", "T1=B:1" };
    CU_ASSERT_EQUAL(cbz_walker_set_occurs_maps(w, twice, 2, NULL), CBZ_ERR_USAGE);
    cbz_walker_free(w);
}

/* ---- threads: chunks of records formatted in parallel, written in order ---- */
static char *convert_to_text(cbz_convert_options *o, const char *path, cbz_convert_stats *st, cbz_status *status)
{
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    cbz_error err = { 0 };
    *status = cbz_convert_records(o, path, out, st, &err);
    fclose(out);
    return text;
}

static void test_engine_threads(void)
{
    lb b;
    build_odo(&b);
    /* 600 records: counters cycle 0..3, every 97th record has a bad AMT */
    char data[600 * 11];
    for (int r = 0; r < 600; r++) {
        char *p = data + r * 11;
        memset(p, ' ', 11);
        int n = r % 4;
        p[0] = (char)('0' + n);
        for (int k = 0; k < 2 * n; k++) p[1 + k] = (char)('a' + (r + k) % 26);
        snprintf(p + 1 + 2 * n, 4, "%03d", r % 1000);
        p[1 + 2 * n + 3] = ' ';
        if (r % 97 == 5) p[1 + 2 * n + 1] = 'X';
    }
    snprintf(tmp_in, sizeof tmp_in, "/tmp/cbz_test_convert_%ld.dat", (long)getpid());
    write_file(tmp_in, data, sizeof data);
    for (int fmt = 0; fmt < 2; fmt++) {
        char *one = NULL;
        rejects_seen rs1 = { 0 };
        for (int t = 1; t <= 3; t++) {
            rejects_seen rs = { 0 };
            cbz_convert_options o = engine_opts(&b, fmt ? CBZ_TEXT_JSONL : CBZ_TEXT_CSV, &rs);
            o.threads = t;
            o.chunk_size = 100;   /* 10 records a chunk */
            cbz_convert_stats st;
            cbz_status s;
            char *text = convert_to_text(&o, tmp_in, &st, &s);
            CU_ASSERT_EQUAL(s, CBZ_OK);
            CU_ASSERT_EQUAL(st.records_read, 600);
            CU_ASSERT_EQUAL(st.records_written, 600);
            CU_ASSERT_EQUAL(st.rejects, 7);
            CU_ASSERT_EQUAL(rs.n, 7);
            CU_ASSERT_EQUAL(rs.record, 5 + 6 * 97 + 1);   /* the last reject comes last */
            if (t == 1) { one = text; rs1 = rs; continue; }
            CU_ASSERT_PTR_NOT_NULL(text);
            CU_ASSERT(text && one && strcmp(text, one) == 0);
            CU_ASSERT_EQUAL(rs.offset, rs1.offset);
            free(text);
        }
        free(one);
    }
    /* the limit is met at the same reject for any thread count */
    for (int t = 1; t <= 3; t++) {
        rejects_seen rs = { 0 };
        cbz_convert_options o = engine_opts(&b, CBZ_TEXT_CSV, &rs);
        o.threads = t;
        o.chunk_size = 100;
        o.max_errors = 2;
        cbz_convert_stats st;
        char *text = NULL;
        size_t tlen = 0;
        FILE *out = open_memstream(&text, &tlen);
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL(cbz_convert_records(&o, tmp_in, out, &st, &err), CBZ_ERR_LIMIT);
        fclose(out);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stopped at record 200"));
        CU_ASSERT_EQUAL(rs.n, 3);
        free(text);
    }
    unlink(tmp_in);
}

static void test_engine_file_offsets(void)
{
    lb b;
    build_odo(&b);
    const char data[] = "HEADER" "2ABCD123   " "0045       " "TRAILER!!";
    snprintf(tmp_in, sizeof tmp_in, "/tmp/cbz_test_convert_%ld.dat", (long)getpid());
    write_file(tmp_in, data, sizeof data - 1);
    rejects_seen rs = { 0 };
    cbz_convert_options o = engine_opts(&b, CBZ_TEXT_CSV, &rs);
    o.file_start_offset = 6;
    o.file_end_offset = 9;
    cbz_convert_stats st;
    cbz_status s;
    char *text = convert_to_text(&o, tmp_in, &st, &s);
    CU_ASSERT_EQUAL(s, CBZ_OK);
    CU_ASSERT_STRING_EQUAL(text, "CNT,ITEM(1),ITEM(2),ITEM(3),AMT\r\n2,AB,CD,,123\r\n0,,,,45\r\n");
    free(text);
    /* a reject's offset counts the header */
    o.file_end_offset = 9;
    write_file(tmp_in, "HEADER" "1AB1X3     " "TRAILER!!", 26);
    text = convert_to_text(&o, tmp_in, &st, &s);
    CU_ASSERT_EQUAL(s, CBZ_OK);
    CU_ASSERT_EQUAL(rs.n, 1);
    CU_ASSERT_EQUAL(rs.offset, 9);
    free(text);
    /* offsets that do not leave whole records */
    o.file_end_offset = 8;
    text = convert_to_text(&o, tmp_in, &st, &s);
    CU_ASSERT_EQUAL(s, CBZ_ERR_DATA);
    free(text);
    unlink(tmp_in);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite("walk", NULL, NULL);
    CU_add_test(s, "ODO shifts what follows", test_walk_odo_shift);
    CU_add_test(s, "bad ODO counters are reported and bounded", test_walk_bad_counter);
    CU_add_test(s, "nested ODO (Cobrix test21)", test_walk_nested_odo);
    CU_add_test(s, "REDEFINES views and skip flags", test_walk_redefines_skip);
    CU_add_test(s, "occurs maps and static tables (Cobrix test25)", test_walk_occurs_maps);
    s = CU_add_suite("text", NULL, NULL);
    CU_add_test(s, "CSV escaping and reading back", test_csv_escaping);
    CU_add_test(s, "CSV strict quoting", test_csv_strict);
    CU_add_test(s, "JSON string escaping", test_json_escaping);
    CU_add_test(s, "JSON reader, strict errors", test_json_reader);
    s = CU_add_suite("engine", NULL, NULL);
    CU_add_test(s, "convert and encode round trip (CSV, JSONL, ODO)", test_engine_roundtrip);
    CU_add_test(s, "rejects and --max-errors", test_engine_rejects);
    CU_add_test(s, "threads 1, 2, 3: same output, rejects in order", test_engine_threads);
    CU_add_test(s, "file header and trailer offsets", test_engine_file_offsets);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
