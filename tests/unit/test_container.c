/*
 * test_container.c — CUnit tests of the engine and the member container:
 * round trips through every framing path (generic, fixed with a short tail,
 * V with records shorter and longer than the plan, VB, bad RDWs, empty
 * input), identical members for any thread count, random access by record
 * number, and the validating reader against every single-bit flip, every
 * truncation and appended garbage of a small member.
 */
#include "container.h"
#include "hash.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static int file_no;

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static char *write_tmp(const uint8_t *p, size_t n)
{
    char *path = malloc(128);
    snprintf(path, 128, "%s/in%d", dir, file_no++);
    FILE *fp = fopen(path, "wb");
    if (n) fwrite(p, 1, n, fp);
    fclose(fp);
    return path;
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *p = malloc(len ? (size_t)len : 1);
    *n = fread(p, 1, (size_t)len, fp);
    fclose(fp);
    return p;
}

static cbz_compress_params params(uint8_t mode, cbz_recfm recfm, uint32_t lrecl, uint32_t width,
                                  uint64_t chunk, int threads)
{
    cbz_compress_params p;
    memset(&p, 0, sizeof p);
    p.meta.mode = mode;
    p.meta.fmt.recfm = recfm;
    p.meta.fmt.lrecl = lrecl;
    p.meta.width = width;
    p.meta.chunk_size = chunk;
    p.meta.level = 3;
    snprintf(p.meta.codepage, sizeof p.meta.codepage, "cp037");
    snprintf(p.meta.source_name, sizeof p.meta.source_name, "input.dat");
    p.ebcdic = true;
    p.threads = threads;
    return p;
}

/* Compresses data, restores it, checks bytes and record count; returns the
 * member path (caller frees) so callers can look further. */
static char *round_trip(const uint8_t *data, size_t n, const cbz_compress_params *p,
                        uint64_t want_records)
{
    char *in = write_tmp(data, n);
    char *member = malloc(160);
    snprintf(member, 160, "%s/m%d.cobz", dir, file_no++);
    cbz_compress_result res;
    cbz_error err = { 0 };
    cbz_status s = cbz_compress_file(in, member, false, p, &res, &err);
    if (s != CBZ_OK) fprintf(stderr, "compress: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(s, CBZ_OK);
    CU_ASSERT_EQUAL(res.source_size, n);
    if (want_records != UINT64_MAX) CU_ASSERT_EQUAL(res.records, want_records);
    char want[65];
    cbz_sha256_hex(data, n, want);
    CU_ASSERT_STRING_EQUAL(res.source_sha256, want);
    cbz_compress_result_free(&res);

    cbz_member *m;
    s = cbz_member_open(member, &m, &err);
    if (s != CBZ_OK) fprintf(stderr, "open: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(s, CBZ_OK);
    char outpath[160];
    snprintf(outpath, sizeof outpath, "%s/out%d", dir, file_no++);
    FILE *fp = fopen(outpath, "wb");
    s = cbz_member_restore(m, fp, 2, &err);
    fclose(fp);
    if (s != CBZ_OK) fprintf(stderr, "restore: %s\n", err.msg);
    CU_ASSERT_EQUAL(s, CBZ_OK);
    cbz_member_close(m);
    size_t got_n;
    uint8_t *got = read_all(outpath, &got_n);
    CU_ASSERT_EQUAL(got_n, n);
    CU_ASSERT(got_n == n && (n == 0 || memcmp(got, data, n) == 0));
    free(got);
    unlink(outpath);
    unlink(in);
    free(in);
    return member;
}

static void test_generic(void)
{
    size_t n = 50000;
    uint8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(i % 7 == 0 ? rnd() : i / 100);
    cbz_compress_params p = params(CBZ_MODE_GENERIC, CBZ_RECFM_F, 0, 0, 4096, 1);
    free(round_trip(d, n, &p, 0));
    free(round_trip(d, 1, &p, 0));
    free(round_trip(d, 0, &p, 0));
    free(d);
}

static void test_fixed_short_tail(void)
{
    size_t lrecl = 37, recs = 500, n = lrecl * recs + 11;
    uint8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)((i % lrecl) < 10 ? 0xF0 + (i / lrecl) % 10 : rnd() & 3);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_F, (uint32_t)lrecl, (uint32_t)lrecl, 1000, 1);
    char *m = round_trip(d, n, &p, recs);
    /* Random access: record 123 (0-based 122) is in the chunk the index says. */
    cbz_member *mm;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_member_open(m, &mm, &err), CBZ_OK);
    uint64_t c;
    CU_ASSERT(cbz_member_find_record(mm, 122, &c));
    CU_ASSERT(mm->index[c].first_record <= 122 && 122 < mm->index[c].first_record + mm->index[c].n_records);
    CU_ASSERT(!cbz_member_find_record(mm, recs, &c));
    cbz_chunk_work w;
    cbz_chunk_work_init(&w);
    uint8_t *buf = malloc((size_t)mm->index[c].in_len);
    CU_ASSERT_EQUAL(cbz_member_decode_chunk(mm, c, &w, buf, &err), CBZ_OK);
    size_t i = 122 - (size_t)mm->index[c].first_record;
    CU_ASSERT_EQUAL(w.rec_len[i], lrecl);
    CU_ASSERT(memcmp(buf + w.rec_off[i], d + 122 * lrecl, lrecl) == 0);
    free(buf);
    cbz_chunk_work_free(&w);
    cbz_member_close(mm);
    free(m);
    free(d);
}

/* Builds n V records (IBM RDW) with lengths around width; returns the size. */
static size_t make_v(uint8_t *d, size_t n, size_t width, bool blocked)
{
    size_t at = 0, block_start = 0, in_block = 0;
    for (size_t r = 0; r < n; r++) {
        if (blocked && in_block == 0) {
            block_start = at;
            at += 4;
        }
        size_t len = width - 5 + rnd() % 10; /* shorter and longer than width */
        if (r % 17 == 0) len = 0;
        d[at] = (uint8_t)((len + 4) >> 8);
        d[at + 1] = (uint8_t)(len + 4);
        d[at + 2] = d[at + 3] = 0;
        at += 4;
        for (size_t i = 0; i < len; i++) d[at + i] = (uint8_t)(i < 4 ? r >> (8 * i) : 0x40 + i % 3);
        at += len;
        if (blocked && ++in_block == 5) {
            size_t bl = at - block_start;
            d[block_start] = (uint8_t)(bl >> 8);
            d[block_start + 1] = (uint8_t)bl;
            d[block_start + 2] = d[block_start + 3] = 0;
            in_block = 0;
        }
    }
    if (blocked && in_block) {
        size_t bl = at - block_start;
        d[block_start] = (uint8_t)(bl >> 8);
        d[block_start + 1] = (uint8_t)bl;
        d[block_start + 2] = d[block_start + 3] = 0;
    }
    return at;
}

static void test_variable(void)
{
    uint8_t *d = malloc(200000);
    size_t n = make_v(d, 1000, 40, false);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_V, 0, 40, 3000, 1);
    free(round_trip(d, n, &p, 1000));
    /* Without a width every payload byte goes to the overflow stream. */
    p.meta.width = 0;
    free(round_trip(d, n, &p, 1000));
    /* A bad RDW in the middle: the rest is kept raw. */
    d[n / 2] ^= 0xff;
    d[n / 2 + 2] = 0x7f;
    p.meta.width = 40;
    free(round_trip(d, n, &p, UINT64_MAX));
    /* Truncated last record. */
    n = make_v(d, 300, 40, false);
    free(round_trip(d, n - 3, &p, 299));
    free(d);
}

static void test_blocked(void)
{
    uint8_t *d = malloc(200000);
    size_t n = make_v(d, 1000, 60, true);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_VB, 0, 60, 5000, 1);
    free(round_trip(d, n, &p, 1000));
    free(d);
}

static void test_threads_identical(void)
{
    size_t lrecl = 50, n = lrecl * 2000 + 7;
    uint8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(rnd() % ((i % lrecl) + 1));
    uint8_t *first = NULL;
    size_t first_n = 0;
    for (int t = 1; t <= 3; t++) {
        cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_F, (uint32_t)lrecl, (uint32_t)lrecl, 4000, t);
        char *m = round_trip(d, n, &p, 2000);
        size_t mn;
        uint8_t *bytes = read_all(m, &mn);
        if (!first) {
            first = bytes;
            first_n = mn;
        } else {
            CU_ASSERT(mn == first_n && memcmp(bytes, first, mn) == 0);
            free(bytes);
        }
        free(m);
    }
    free(first);
    free(d);
}

/* Every damage to a small member must be refused, never decoded to wrong bytes. */
static bool damaged_ok(const uint8_t *bytes, size_t n)
{
    char path[160];
    snprintf(path, sizeof path, "%s/damaged.cobz", dir);
    FILE *fp = fopen(path, "wb");
    fwrite(bytes, 1, n, fp);
    fclose(fp);
    cbz_member *m;
    cbz_error err = { 0 };
    if (cbz_member_open(path, &m, &err) != CBZ_OK) return false;
    cbz_status s = cbz_member_restore(m, NULL, 1, &err);
    cbz_member_close(m);
    return s == CBZ_OK;
}

static void test_corruption(void)
{
    uint8_t *d = malloc(4000);
    size_t n = make_v(d, 60, 30, false);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_V, 0, 30, 700, 1);
    char *m = round_trip(d, n, &p, 60);
    size_t mn;
    uint8_t *good = read_all(m, &mn);
    CU_ASSERT(damaged_ok(good, mn));
    uint8_t *bad = malloc(mn + 64);
    size_t accepted = 0;
    for (size_t bit = 0; bit < mn * 8; bit++) {
        memcpy(bad, good, mn);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (damaged_ok(bad, mn)) accepted++;
    }
    CU_ASSERT_EQUAL(accepted, 0);
    accepted = 0;
    for (size_t len = 0; len < mn; len++)
        if (damaged_ok(good, len)) accepted++;
    CU_ASSERT_EQUAL(accepted, 0);
    memcpy(bad, good, mn);
    for (int i = 0; i < 64; i++) bad[mn + i] = (uint8_t)rnd();
    CU_ASSERT(!damaged_ok(bad, mn + 64));
    CU_ASSERT(!damaged_ok(bad, mn + 1));
    free(bad);
    free(good);
    free(m);
    free(d);
}

static const char *const copybook =
    "       01  REC.\n"
    "           05  KIND          PIC X.\n"
    "           05  A-VIEW.\n"
    "               10  A-NUM     PIC 9(5).\n"
    "               10  A-TXT     PIC X(4).\n"
    "           05  B-VIEW REDEFINES A-VIEW.\n"
    "               10  B-PACK    PIC S9(5) COMP-3.\n"
    "               10  FILLER    PIC X(6).\n"
    "           05  TAILX         PIC X(3).\n";

static bool tiles(const cbz_plan *p)
{
    uint32_t at = 0;
    for (size_t i = 0; i < p->n_cols; i++) {
        if (p->cols[i].offset != at || p->cols[i].width == 0) return false;
        at += p->cols[i].width;
    }
    return at == p->width;
}

static void test_plan_views(void)
{
    cbz_layout *l;
    cbz_error err = { 0 };
    cbz_copybook_options o = { NULL, 0, CBZ_FORMAT_AUTO };
    cbz_status s = cbz_copybook_compile_text(copybook, strlen(copybook), "t.cpy", &o, &l, &err);
    if (s != CBZ_OK) fprintf(stderr, "copybook: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(s, CBZ_OK);
    CU_ASSERT_EQUAL_FATAL(l->record_size, 13);
    cbz_plan first, last, narrow;
    CU_ASSERT_EQUAL_FATAL(cbz_plan_build(l, 13, true, false, &first, &err), CBZ_OK);
    CU_ASSERT_EQUAL_FATAL(cbz_plan_build(l, 13, true, true, &last, &err), CBZ_OK);
    CU_ASSERT_EQUAL_FATAL(cbz_plan_build(l, 11, true, false, &narrow, &err), CBZ_OK);
    CU_ASSERT(tiles(&first) && tiles(&last) && tiles(&narrow));
    CU_ASSERT_EQUAL(first.n_cols, 4);
    CU_ASSERT(first.n_cols == 4 && strcmp(first.cols[1].name, "A-NUM") == 0);
    CU_ASSERT(last.n_cols == 4 && strcmp(last.cols[1].name, "B-PACK") == 0 && last.cols[1].width == 3);
    CU_ASSERT(!cbz_plan_same(&first, &last));
    /* TAILX (10..12) does not fit 11 bytes: a gap column takes byte 11. */
    CU_ASSERT(narrow.n_cols == 4 && narrow.cols[3].field == -1 && narrow.cols[3].width == 1);
    cbz_plan_free(&first);
    cbz_plan_free(&last);
    cbz_plan_free(&narrow);

    /* Round trip with the layout: whichever view the sample picks, values
     * that are bad for it (zoned bytes under a packed view, bad nibbles) come
     * back exactly. */
    size_t recs = 400, n = recs * 13;
    uint8_t *d = malloc(n);
    for (size_t r = 0; r < recs; r++) {
        uint8_t *x = d + r * 13;
        x[0] = 0xC2;
        x[1] = (uint8_t)(r % 10) << 4; x[2] = 0x12; x[3] = (r % 7 == 0) ? 0xAB : 0x3C;
        memset(x + 4, 0x40, 6);
        memcpy(x + 10, "\xC1\xC2\xC3", 3);
    }
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_F, 13, 13, 2000, 2);
    p.layout = l;
    char *m = round_trip(d, n, &p, recs);
    cbz_member *mm;
    CU_ASSERT_EQUAL_FATAL(cbz_member_open(m, &mm, &err), CBZ_OK);
    CU_ASSERT(mm->plan.n_cols == 4 && tiles(&mm->plan));
    CU_ASSERT(strcmp(mm->plan.cols[1].name, "B-PACK") == 0 || strcmp(mm->plan.cols[1].name, "A-NUM") == 0);
    cbz_member_close(mm);
    free(m);
    free(d);
    cbz_layout_free(l);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/cbz_test_container.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("container", NULL, NULL);
    CU_add_test(s, "generic round trip (empty, 1 byte, 50 KB)", test_generic);
    CU_add_test(s, "fixed records with a short tail, random access", test_fixed_short_tail);
    CU_add_test(s, "V records: short, long, empty, bad RDW, truncated", test_variable);
    CU_add_test(s, "VB blocks", test_blocked);
    CU_add_test(s, "same member bytes for 1, 2, 3 threads", test_threads_identical);
    CU_add_test(s, "bit flips, truncations, appended garbage refused", test_corruption);
    CU_add_test(s, "split plan: REDEFINES views, gaps, view chosen by sample", test_plan_views);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return failed ? 1 : 0;
}
