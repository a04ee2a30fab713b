/*
 * test_container.c — CUnit tests of the engine and the member container:
 * round trips through every framing path (generic, fixed with a short tail,
 * V with records shorter and longer than the plan, VB, bad RDWs, empty
 * input), identical members for any thread count, random access by record
 * number, the validating reader against every single-bit flip, every
 * truncation and appended garbage of a small member; the L2 split done
 * outside the chunk encode (the GPU's place) giving the same members,
 * --device routing, and peak RSS bounded by threads x chunk size; the L2
 * transposition of whole records against a byte-by-byte reference; two kinds
 * of V records whose text column is split by record length (TEXT_SPLIT);
 * the compress error paths (injected encode and read faults of every chunk).
 */
#include "container.h"
#include "gpu.h"
#include "hash.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Compresses in (a path or "-") into a fresh member; returns its bytes. */
static uint8_t *compress_bytes(const char *in, const cbz_compress_params *p, size_t *n,
                               cbz_compress_result *res_out)
{
    char member[160];
    snprintf(member, sizeof member, "%s/m%d.cobz", dir, file_no++);
    cbz_compress_result res;
    cbz_error err = { 0 };
    cbz_status s = cbz_compress_file(in, member, false, p, &res, &err);
    if (s != CBZ_OK) fprintf(stderr, "compress: %s\n", err.msg);
    CU_ASSERT_EQUAL(s, CBZ_OK);
    if (s != CBZ_OK) return NULL;
    if (res_out) *res_out = res;
    else cbz_compress_result_free(&res);
    uint8_t *b = read_all(member, n);
    unlink(member);
    return b;
}

/* Two kinds of V records read through one view (a VB file's header and detail
 * segments): the text column that holds names in the headers and a few codes
 * in the details is split by the record lengths (column method TEXT_SPLIT);
 * the member restores exactly and every bit flip and truncation is refused. */
static const char *const seg_copybook =
    "       01  SEG.\n"
    "           05  SEG-ID        PIC X.\n"
    "           05  SEG-TEXT      PIC X(20).\n"
    "           05  SEG-TAIL      PIC X(4).\n";

static void test_two_segments(void)
{
    cbz_layout *l;
    cbz_error err = { 0 };
    cbz_copybook_options o = { NULL, 0, CBZ_FORMAT_AUTO };
    CU_ASSERT_EQUAL_FATAL(cbz_copybook_compile_text(seg_copybook, strlen(seg_copybook), "seg.cpy",
                                                    &o, &l, &err), CBZ_OK);
    const size_t recs = 600;
    uint8_t *d = malloc(recs * 40);
    size_t at = 0;
    for (size_t r = 0; r < recs; r++) {
        bool header = r % 6 == 0;
        size_t len = header ? 25 : 21;
        d[at] = (uint8_t)((len + 4) >> 8);
        d[at + 1] = (uint8_t)(len + 4);
        d[at + 2] = d[at + 3] = 0;
        uint8_t *x = d + at + 4;
        memset(x, 0x40, len);
        x[0] = header ? 0xC8 : 0xC4;
        if (header)
            for (size_t j = 1; j < 21; j++) x[j] = (uint8_t)(0xC1 + rnd() % 9);
        else
            for (size_t j = 1; j < 4; j++) x[j] = (uint8_t)(0xC1 + (r / 6 + j) % 3);
        at += 4 + len;
    }
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_V, 0, 25, 1 << 20, 1);
    p.layout = l;
    char *m = round_trip(d, at, &p, recs);
    /* the split shows in the chain of SEG-TEXT */
    char *in = write_tmp(d, at);
    size_t mn;
    cbz_compress_result res;
    uint8_t *good = compress_bytes(in, &p, &mn, &res);
    bool split = false;
    for (size_t s = 0; s < res.n_streams; s++)
        if (strcmp(res.stream_names[s], "SEG-TEXT") == 0 && strstr(res.stats[s].chain, "split"))
            split = true;
    CU_ASSERT(split);
    if (!split)
        for (size_t s = 0; s < res.n_streams; s++)
            fprintf(stderr, "\n%s: %s %llu\n", res.stream_names[s], res.stats[s].chain,
                    (unsigned long long)res.stats[s].bytes_out);
    cbz_compress_result_free(&res);
    CU_ASSERT_FATAL(good != NULL);
    CU_ASSERT(damaged_ok(good, mn));
    uint8_t *bad = malloc(mn);
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
    free(bad);
    free(good);
    unlink(in);
    free(in);
    free(m);
    free(d);
    cbz_layout_free(l);
}

/* A chunk's L1 and L2 made apart (cbz_chunk_prep: what the helper does at
 * one thread) and finished by the encode give cbz_chunk_encode's frame for
 * every way of cutting the split into parts: VB records shorter and longer
 * than the plan (overflow, empty records, block headers), fixed records, a
 * raw chunk; the parts read the chunk at another address than the start did. */
static void test_prep_parts(void)
{
    cbz_layout *l;
    cbz_error err = { 0 };
    cbz_copybook_options o = { NULL, 0, CBZ_FORMAT_AUTO };
    CU_ASSERT_EQUAL_FATAL(cbz_copybook_compile_text(copybook, strlen(copybook), "t.cpy", &o, &l, &err), CBZ_OK);
    uint8_t *d = malloc(400000), *copy = malloc(400000);
    CU_ASSERT_FATAL(d && copy);
    for (int kind = 0; kind < 3; kind++) {
        cbz_plan plan;
        CU_ASSERT_EQUAL_FATAL(cbz_plan_build(l, 13, true, false, &plan, &err), CBZ_OK);
        size_t n;
        cbz_chunk_info ci;
        if (kind == 0) {   /* VB */
            plan.fmt.recfm = CBZ_RECFM_VB;
            n = make_v(d, 3000, 13, true);
            cbz_framer fr;
            cbz_framer_init(&fr, &plan, n);
            CU_ASSERT_FATAL(cbz_framer_next(&fr, d, n, true, &ci));
            CU_ASSERT_EQUAL(ci.n_records, 3000);
        } else {           /* fixed records, then the same bytes as a raw chunk */
            plan.fmt.recfm = CBZ_RECFM_FB;
            plan.fmt.lrecl = 13;
            n = 13 * 2000;
            for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(rnd() % 3 ? 0xF0 + rnd() % 10 : rnd());
            cbz_chunk_info fixed = { 0, n, 0, 2000, 0, false }, raw = { 0, n, 0, 0, 0, true };
            ci = kind == 1 ? fixed : raw;
            CU_ASSERT(cbz_chunk_fixed(&plan, &ci) == (kind == 1));
        }
        memcpy(copy, d, n);
        cbz_chunk_work w;
        cbz_chunk_work_init(&w);
        cbz_buf want, got;
        cbz_buf_init(&want);
        cbz_buf_init(&got);
        CU_ASSERT_EQUAL_FATAL(cbz_chunk_encode(&plan, d, n, &ci, 3, &w, &want, NULL, &err), CBZ_OK);
        const size_t steps[] = { 1, 7, 255, 256, 257, 1000, 2999, SIZE_MAX };
        cbz_chunk_prep pp;
        cbz_chunk_prep_init(&pp);
        for (size_t k = 0; k <= sizeof steps / sizeof steps[0]; k++) {
            cbz_buf_clear(&got);
            if (k < sizeof steps / sizeof steps[0]) {   /* the last round: no start, no steps */
                CU_ASSERT_EQUAL_FATAL(cbz_chunk_prep_start(&pp, &plan, d, n, &ci, &err), CBZ_OK);
                CU_ASSERT(cbz_chunk_prep_holds(&pp, &ci));
                for (int parts = 0; parts < 3 && !cbz_chunk_prep_step(&pp, &plan, copy, steps[k]); parts++) {}
            }
            CU_ASSERT_EQUAL(cbz_chunk_encode_prepared(&plan, &pp, copy, n, &ci, 3, &got, NULL, &err), CBZ_OK);
            CU_ASSERT(!cbz_chunk_prep_holds(&pp, &ci));
            CU_ASSERT(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
        }
        /* a chunk it does not hold: laid out anew */
        cbz_chunk_info other = ci;
        other.in_offset = 1;
        CU_ASSERT_EQUAL(cbz_chunk_prep_start(&pp, &plan, d, n, &other, &err), CBZ_OK);
        CU_ASSERT(!cbz_chunk_prep_holds(&pp, &ci));
        cbz_buf_clear(&got);
        CU_ASSERT_EQUAL(cbz_chunk_encode_prepared(&plan, &pp, d, n, &ci, 3, &got, NULL, &err), CBZ_OK);
        CU_ASSERT(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
        cbz_chunk_prep_free(&pp);
        cbz_buf_free(&want);
        cbz_buf_free(&got);
        cbz_chunk_work_free(&w);
        cbz_plan_free(&plan);
    }
    free(d);
    free(copy);
    cbz_layout_free(l);
}

/* The L2 split done outside the chunk encode (what the GPU does) gives the
 * same frames: cbz_chunk_encode_split against cbz_chunk_encode, then whole
 * members through the batch pipeline with its host twin (CBZ_TEST_PRESPLIT),
 * with a split failure injected, from a pipe, and for a VB member (which
 * stays on the CPU split). */
static void test_presplit_identical(void)
{
    size_t lrecl = 13, recs = 7000, n = lrecl * recs + 5;
    uint8_t *d = malloc(n);
    for (size_t r = 0; r < recs; r++) {
        uint8_t *x = d + r * lrecl;
        x[0] = (uint8_t)(0xC1 + r % 3);
        x[1] = (uint8_t)((r % 10) << 4);
        x[2] = 0x12;
        x[3] = (r % 7 == 0) ? 0xAB : 0x3C;
        for (size_t i = 4; i < lrecl; i++) x[i] = (uint8_t)(rnd() % 4 ? 0x40 : 0xC1 + rnd() % 9);
    }
    for (size_t i = recs * lrecl; i < n; i++) d[i] = (uint8_t)rnd();
    cbz_layout *l;
    cbz_error err = { 0 };
    cbz_copybook_options o = { NULL, 0, CBZ_FORMAT_AUTO };
    CU_ASSERT_EQUAL_FATAL(cbz_copybook_compile_text(copybook, strlen(copybook), "t.cpy", &o, &l, &err), CBZ_OK);

    /* One chunk by hand. */
    cbz_plan plan;
    CU_ASSERT_EQUAL_FATAL(cbz_plan_build(l, 13, true, false, &plan, &err), CBZ_OK);
    plan.fmt.recfm = CBZ_RECFM_FB;
    plan.fmt.lrecl = 13;
    cbz_chunk_info ci = { 0, 500 * lrecl, 0, 500, 0, false };
    CU_ASSERT(cbz_chunk_fixed(&plan, &ci));
    const uint8_t *cols[8];
    uint8_t *colbuf = malloc(500 * lrecl);
    for (size_t c = 0; c < plan.n_cols; c++) {
        uint8_t *dst = colbuf + 500 * plan.cols[c].offset;
        for (size_t r = 0; r < 500; r++)
            memcpy(dst + r * plan.cols[c].width, d + r * lrecl + plan.cols[c].offset, plan.cols[c].width);
        cols[c] = dst;
    }
    cbz_chunk_work w;
    cbz_chunk_work_init(&w);
    cbz_buf fa, fb;
    cbz_buf_init(&fa);
    cbz_buf_init(&fb);
    CU_ASSERT_EQUAL(cbz_chunk_encode(&plan, d, n, &ci, 3, &w, &fa, NULL, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_chunk_encode_split(&plan, d, n, &ci, 3, cols, &w, &fb, NULL, &err), CBZ_OK);
    CU_ASSERT(fa.len > 0 && fa.len == fb.len && memcmp(fa.data, fb.data, fa.len) == 0);
    /* Not fixed: a chunk with a tail, a raw chunk, V records. */
    cbz_chunk_info tail = { 0, 500 * lrecl + 3, 0, 500, 0, false };
    cbz_chunk_info raw = { 0, 500 * lrecl, 0, 0, 0, true };
    CU_ASSERT(!cbz_chunk_fixed(&plan, &tail) && !cbz_chunk_fixed(&plan, &raw));
    cbz_buf_clear(&fb);
    CU_ASSERT_EQUAL(cbz_chunk_encode_split(&plan, d, n, &tail, 3, cols, &w, &fb, NULL, &err), CBZ_ERR_USAGE);
    plan.fmt.recfm = CBZ_RECFM_V;
    CU_ASSERT(!cbz_chunk_fixed(&plan, &ci));
    cbz_buf_free(&fa);
    cbz_buf_free(&fb);
    cbz_chunk_work_free(&w);
    cbz_plan_free(&plan);
    free(colbuf);

    /* Whole members. */
    char *in = write_tmp(d, n);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_FB, 13, 13, 4000, 2);
    p.layout = l;
    p.device = "cpu";
    size_t cn, hn, jn, sn, tn;
    cbz_compress_result rc, rh, rj;
    uint8_t *cpu = compress_bytes(in, &p, &cn, &rc);
    setenv("CBZ_TEST_PRESPLIT", "1", 1);
    uint8_t *host = compress_bytes(in, &p, &hn, &rh);
    p.threads = 3;
    setenv("CBZ_GPU_INJECT_FAIL", "3", 1);
    uint8_t *inj = compress_bytes(in, &p, &jn, &rj);
    unsetenv("CBZ_GPU_INJECT_FAIL");
    /* From a pipe-like stream (stdin): the split runs before the encode. */
    FILE *saved = stdin;
    stdin = fopen(in, "rb");
    CU_ASSERT_FATAL(stdin != NULL);
    uint8_t *str = compress_bytes("-", &p, &sn, NULL);
    fclose(stdin);
    stdin = saved;
    /* V records of the same bytes: nothing is fixed, all on the CPU split. */
    cbz_compress_params pv = params(CBZ_MODE_RECORDS, CBZ_RECFM_V, 0, 13, 4000, 2);
    cbz_compress_result rv;
    uint8_t *v = compress_bytes(in, &pv, &tn, &rv);
    unsetenv("CBZ_TEST_PRESPLIT");
    CU_ASSERT_FATAL(cpu && host && inj && str && v);
    CU_ASSERT(cn == hn && memcmp(cpu, host, cn) == 0);
    CU_ASSERT(cn == jn && memcmp(cpu, inj, cn) == 0);
    CU_ASSERT(cn == sn && memcmp(cpu, str, cn) == 0);
    /* 91005 bytes in 4000-byte chunks: 23 record chunks and one raw tail. */
    CU_ASSERT_EQUAL(rc.chunks, 24);
    CU_ASSERT_EQUAL(rc.presplit_chunks, 0);
    CU_ASSERT_EQUAL(rh.presplit_chunks, 23);
    /* Failure at split call 3 (batches of 3 chunks: 0..2 made it): 9 chunks. */
    CU_ASSERT_EQUAL(rj.presplit_chunks, 9);
    CU_ASSERT(rj.gpu_fell_back && !rj.used_gpu && !rh.used_gpu);
    CU_ASSERT_EQUAL(rv.presplit_chunks, 0);
    CU_ASSERT(strstr(rc.device_why, "cpu") != NULL);
    cbz_compress_result_free(&rc);
    cbz_compress_result_free(&rh);
    cbz_compress_result_free(&rj);
    cbz_compress_result_free(&rv);
    free(cpu);
    free(host);
    free(inj);
    free(str);
    free(v);
    unlink(in);
    free(in);
    free(d);
    cbz_layout_free(l);
}

/* --device: cpu always works; gpu works exactly when a GPU is usable (then the
 * member is the same bytes) and is CBZ_ERR_DEVICE otherwise; anything else
 * is a usage error. */
static void test_device_param(void)
{
    size_t lrecl = 40, n = lrecl * 3000;
    uint8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(0xF0 + (i / lrecl + i % lrecl) % 10);
    char *in = write_tmp(d, n);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_FB, 40, 40, 16000, 2);
    p.device = "cpu";
    size_t cn, gn;
    uint8_t *cpu = compress_bytes(in, &p, &cn, NULL);
    char member[160];
    snprintf(member, sizeof member, "%s/dev.cobz", dir);
    cbz_compress_result res;
    cbz_error err = { 0 };
    p.device = "gpu";
    if (cbz_gpu_available()) {
        uint8_t *gpu = compress_bytes(in, &p, &gn, &res);
        CU_ASSERT(gpu && gn == cn && memcmp(gpu, cpu, cn) == 0);
        CU_ASSERT(res.used_gpu && res.presplit_chunks == res.chunks);
        cbz_compress_result_free(&res);
        free(gpu);
    } else {
        CU_ASSERT_EQUAL(cbz_compress_file(in, member, false, &p, &res, &err), CBZ_ERR_DEVICE);
        CU_ASSERT(strstr(err.msg, "no usable GPU") != NULL);
        CU_ASSERT(access(member, F_OK) != 0);
    }
    p.device = "tpu";
    CU_ASSERT_EQUAL(cbz_compress_file(in, member, false, &p, &res, &err), CBZ_ERR_USAGE);
    p.device = NULL;   /* auto: whatever it picks, the same bytes */
    uint8_t *au = compress_bytes(in, &p, &gn, NULL);
    CU_ASSERT(au && gn == cn && memcmp(au, cpu, cn) == 0);
    free(au);
    free(cpu);
    unlink(in);
    free(in);
    free(d);
}

/* L2 of whole records (split.c's over-long moves): random plans (widths 1
 * to 70, so every move class and the exact copies at the record's end),
 * records back to back or with header gaps, 0 to 80 records; every buffer
 * is allocated to its exact size, so a move past a record or a stream is an
 * AddressSanitizer error (make test-asan), and the gap bytes must survive
 * the way back untouched. */
static void test_split_transpose(void)
{
    for (int trial = 0; trial < 300; trial++) {
        cbz_plan p;
        memset(&p, 0, sizeof p);
        p.mode = CBZ_MODE_RECORDS;
        p.fmt.recfm = CBZ_RECFM_V;
        size_t nc = 1 + rnd() % 12;
        p.cols = calloc(nc, sizeof *p.cols);
        CU_ASSERT_FATAL(p.cols != NULL);
        p.n_cols = nc;
        for (size_t c = 0; c < nc; c++) {
            uint32_t w = rnd() % 4 == 0 ? 17 + rnd() % 54 : 1 + rnd() % 16;
            p.cols[c].offset = p.width;
            p.cols[c].width = w;
            p.cols[c].desc.kind = CBZ_COL_RAW;
            p.cols[c].desc.width = w;
            p.cols[c].field = -1;
            snprintf(p.cols[c].name, sizeof p.cols[c].name, "c%zu", c);
            p.width += w;
        }
        size_t n = rnd() % 81;
        bool gaps = trial % 2 == 1;
        size_t *off = malloc((n ? n : 1) * sizeof *off), *len = malloc((n ? n : 1) * sizeof *len);
        CU_ASSERT_FATAL(off && len);
        size_t end = 0;
        for (size_t i = 0; i < n; i++) {
            end += gaps ? rnd() % 9 : 0;
            off[i] = end;
            len[i] = p.width;
            end += p.width;
        }
        uint8_t *data = malloc(end ? end : 1), *back = malloc(end ? end : 1);
        CU_ASSERT_FATAL(data && back);
        for (size_t i = 0; i < end; i++) data[i] = (uint8_t)rnd();
        uint8_t **cols = calloc(nc, sizeof *cols);
        uint64_t *counts = calloc(nc, sizeof *counts), *scratch = calloc(nc, sizeof *scratch);
        CU_ASSERT_FATAL(cols && counts && scratch);
        uint64_t ov = 99;
        cbz_split_count(&p, len, n, counts, &ov);
        CU_ASSERT(ov == 0);
        for (size_t c = 0; c < nc; c++) {
            CU_ASSERT(counts[c] == n);
            cols[c] = malloc(n ? n * p.cols[c].width : 1);
            CU_ASSERT_FATAL(cols[c] != NULL);
        }
        cbz_split_scatter(&p, data, off, len, n, cols, counts, NULL, scratch);
        bool same = true;
        for (size_t c = 0; c < nc; c++)
            for (size_t i = 0; i < n; i++)
                if (memcmp(cols[c] + i * p.cols[c].width, data + off[i] + p.cols[c].offset,
                           p.cols[c].width) != 0)
                    same = false;
        CU_ASSERT(same);
        /* back: record bytes cleared, gap bytes as they were */
        memcpy(back, data, end);
        for (size_t i = 0; i < n; i++) memset(back + off[i], 0, p.width);
        cbz_error err;
        CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts, NULL, 0,
                                   back, scratch, &err) == CBZ_OK);
        CU_ASSERT(end == 0 || memcmp(back, data, end) == 0);
        for (size_t c = 0; c < nc; c++) free(cols[c]);
        free(cols);
        free(counts);
        free(scratch);
        free(data);
        free(back);
        free(off);
        free(len);
        cbz_plan_free(&p);
    }
}

/* Bounded memory: a child process compresses and restores a 48 MiB input in
 * 256 KiB chunks on 2 threads; its peak RSS (wait4) must stay far below the
 * input size, because the input map's done pages are dropped as chunks are
 * written, and the member's as they are restored. */
static void test_bounded_memory(void)
{
    size_t lrecl = 100, recs = 48 * 1024 * 1024 / 100, n = lrecl * recs;
    char *in = malloc(128);
    snprintf(in, 128, "%s/big%d", dir, file_no++);
    FILE *fp = fopen(in, "wb");
    CU_ASSERT_FATAL(fp != NULL);
    uint8_t rec[100];
    for (size_t r = 0; r < recs; r++) {
        for (size_t i = 0; i < lrecl; i++) rec[i] = (uint8_t)(i < 20 ? rnd() : 0xF0 + (r + i) % 10);
        fwrite(rec, 1, lrecl, fp);
    }
    fclose(fp);
    char member[160];
    snprintf(member, sizeof member, "%s/big.cobz", dir);
    long peak_kb[2] = { 0, 0 };
    for (int phase = 0; phase < 2; phase++) {
        /* A fresh process (exec), not a bare fork: libgomp's thread pool
         * does not survive fork. */
        char ph[2] = { (char)('0' + phase), '\0' };
        char *argv[] = { (char *)"test_container", (char *)"--rss-child", ph, in, member, NULL };
        fflush(NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            execv("/proc/self/exe", argv);
            _exit(127);
        }
        int status;
        struct rusage ru;
        CU_ASSERT_FATAL(wait4(pid, &status, 0, &ru) == pid);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* Not ru_maxrss: Linux carries the pre-exec image's peak (this
         * test process, which may hold a CUDA context) into it.  The child
         * reports its own VmHWM. */
        char rss_path[200];
        snprintf(rss_path, sizeof rss_path, "%s.rss", member);
        FILE *rf = fopen(rss_path, "r");
        CU_ASSERT_FATAL(rf != NULL);
        CU_ASSERT(fscanf(rf, "%ld", &peak_kb[phase]) == 1);
        fclose(rf);
        unlink(rss_path);
        (void)ru;
    }
    printf("\n    peak RSS for a %zu MiB input: compress %ld KiB, restore %ld KiB ",
           n >> 20, peak_kb[0], peak_kb[1]);
    /* The 48 MiB would show if it stayed resident; 2 threads x 256 KiB chunks
     * and their buffers are a few MiB above the process's base.  Not under
     * AddressSanitizer: its quarantine keeps freed blocks resident on
     * purpose (tens of MiB here, with or without this engine). */
    CU_ASSERT(peak_kb[0] > 0 && peak_kb[1] > 0);
#ifndef __SANITIZE_ADDRESS__
    CU_ASSERT(peak_kb[0] < 28 * 1024);
    CU_ASSERT(peak_kb[1] < 28 * 1024);
#else
    printf("(not checked under AddressSanitizer) ");
#endif
    unlink(member);
    unlink(in);
    free(in);
}

/* The child of test_bounded_memory: phase 0 compresses in to member, phase
 * 1 restores member to /dev/null. */
static int rss_child(const char *phase, const char *in, const char *member)
{
    cbz_error err = { 0 };
    cbz_status s;
    if (strcmp(phase, "0") == 0) {
        cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_FB, 100, 100, 256 * 1024, 2);
        p.meta.level = 1;
        p.device = "cpu";
        cbz_compress_result res;
        s = cbz_compress_file(in, member, false, &p, &res, &err);
        if (s == CBZ_OK) cbz_compress_result_free(&res);
    } else {
        cbz_member *m;
        s = cbz_member_open(member, &m, &err);
        FILE *out = fopen("/dev/null", "wb");
        if (s == CBZ_OK) s = cbz_member_restore(m, out, 2, &err);
        if (s == CBZ_OK) cbz_member_close(m);
        fclose(out);
    }
    if (s != CBZ_OK) fprintf(stderr, "rss child: %s\n", err.msg);
    long hwm = -1;
    char line[256], rss_path[300];
    FILE *st = fopen("/proc/self/status", "r");
    while (st && fgets(line, sizeof line, st))
        if (strncmp(line, "VmHWM:", 6) == 0) hwm = strtol(line + 6, NULL, 10);
    if (st) fclose(st);
    snprintf(rss_path, sizeof rss_path, "%s.rss", member);
    FILE *rf = fopen(rss_path, "w");
    if (!rf) return 1;
    fprintf(rf, "%ld\n", hwm);
    fclose(rf);
    return s == CBZ_OK ? 0 : 1;
}

/* The restore's decoders read each frame with pread(2) and check its XXH64
 * before decoding it.  Whichever thread read it, a frame with one byte
 * changed is refused as that chunk's frame checksum mismatch, for 1, 2 and
 * 3 threads, and the undamaged member restores byte for byte. */
static void test_restore_frames(void)
{
    uint8_t *d = malloc(60000);
    CU_ASSERT_FATAL(d != NULL);
    size_t n = make_v(d, 1500, 30, false);
    cbz_compress_params p = params(CBZ_MODE_RECORDS, CBZ_RECFM_V, 0, 30, 2500, 1);
    char *member = round_trip(d, n, &p, 1500);
    size_t mn;
    uint8_t *good = read_all(member, &mn), *bad = malloc(mn);
    CU_ASSERT_FATAL(good && bad);
    cbz_member *m;
    cbz_error err = { 0 };
    CU_ASSERT_FATAL(cbz_member_open(member, &m, &err) == CBZ_OK);
    uint64_t nch = m->n_chunks;
    CU_ASSERT(nch >= 8);
    char outpath[160], path[160], want[48];
    snprintf(outpath, sizeof outpath, "%s/restore_frames.out", dir);
    snprintf(path, sizeof path, "%s/restore_frames.cobz", dir);
    for (int t = 1; t <= 3; t++) {
        FILE *fp = fopen(outpath, "wb");
        CU_ASSERT_FATAL(fp != NULL);
        CU_ASSERT(cbz_member_restore(m, fp, t, &err) == CBZ_OK);
        fclose(fp);
        size_t got_n;
        uint8_t *got = read_all(outpath, &got_n);
        CU_ASSERT(got && got_n == n && memcmp(got, d, n) == 0);
        free(got);
    }
    uint64_t pick[] = { 0, 1, 2, 3, 4, 5, 6, nch - 1 };
    for (size_t j = 0; j < sizeof pick / sizeof pick[0]; j++) {
        uint64_t k = pick[j];
        if (k >= nch) continue;
        memcpy(bad, good, mn);
        bad[m->index[k].frame_offset + m->index[k].frame_len / 2] ^= 0x10;
        FILE *fp = fopen(path, "wb");
        CU_ASSERT_FATAL(fp != NULL);
        fwrite(bad, 1, mn, fp);
        fclose(fp);
        snprintf(want, sizeof want, "chunk %llu ", (unsigned long long)k + 1);
        for (int t = 1; t <= 3; t++) {
            cbz_member *b;
            CU_ASSERT_FATAL(cbz_member_open(path, &b, &err) == CBZ_OK);
            FILE *out = fopen(outpath, "wb");
            CU_ASSERT_FATAL(out != NULL);
            cbz_status s = cbz_member_restore(b, out, t, &err);
            fclose(out);
            CU_ASSERT(s == CBZ_ERR_CHECKSUM);
            CU_ASSERT(strstr(err.msg, "frame checksum mismatch") != NULL);
            CU_ASSERT(strstr(err.msg, want) != NULL);
            cbz_member_close(b);
        }
    }
    cbz_member_close(m);
    unlink(outpath);
    unlink(path);
    free(bad);
    free(good);
    free(member);
    free(d);
}

/* One restore of m with `threads` threads into outpath (NULL: verify, no
 * output); the status, err's reason, and what was written (*out, *out_n). */
static cbz_status restore_to(const cbz_member *m, int threads, const char *outpath,
                             cbz_error *err, uint8_t **out, size_t *out_n)
{
    FILE *fp = outpath ? fopen(outpath, "wb") : NULL;
    CU_ASSERT_FATAL(!outpath || fp != NULL);
    cbz_status s = cbz_member_restore(m, fp, threads, err);
    *out = NULL;
    *out_n = 0;
    if (fp) {
        fclose(fp);
        *out = read_all(outpath, out_n);
    }
    return s;
}

/* The restore pipeline with 1, 2, 3 and 5 threads, its sink on the helper
 * thread and on the decoders in turn (CBZ_TEST_RESTORE_SINK; by default the
 * cores decide): the bytes restored and verified; a chunk that fails (an
 * injected decode fault, CBZ_TEST_FAIL_DECODE, at the first, a middle and
 * the last chunk; a content checksum that does not match, at the same three) is
 * reported as that chunk's error, with every chunk before it written and
 * nothing after; a fault past the last chunk changes nothing. */
static void test_restore_threads(void)
{
    enum { N = 200000, CHUNK = 8000 };
    uint8_t *d = malloc(N);
    CU_ASSERT_FATAL(d != NULL);
    for (size_t i = 0; i < N; i++) d[i] = (uint8_t)(i % 89 < 50 ? 'a' + i % 13 : rnd());
    cbz_compress_params p = params(CBZ_MODE_GENERIC, CBZ_RECFM_F, 0, 0, CHUNK, 2);
    char *member = round_trip(d, N, &p, 0);
    cbz_member *m;
    cbz_error err = { 0 };
    CU_ASSERT_FATAL(cbz_member_open(member, &m, &err) == CBZ_OK);
    const uint64_t nch = m->n_chunks, mid = nch / 2;
    CU_ASSERT_FATAL(nch == N / CHUNK);
    const uint64_t ks[] = { 0, mid, nch - 1 };
    char outpath[160], val[32], want[64];
    snprintf(outpath, sizeof outpath, "%s/restore_threads.out", dir);
    const char *sinks[] = { NULL, "helper", "decoders" };
    const int ts[] = { 1, 2, 3, 5 };
    for (size_t si = 0; si < 3; si++) {
        if (sinks[si]) setenv("CBZ_TEST_RESTORE_SINK", sinks[si], 1);
        for (size_t ti = 0; ti < 4; ti++) {
            int t = ts[ti];
            uint8_t *got;
            size_t got_n;
            cbz_status s = restore_to(m, t, outpath, &err, &got, &got_n);
            CU_ASSERT(s == CBZ_OK && got && got_n == N && memcmp(got, d, N) == 0);
            free(got);
            CU_ASSERT(restore_to(m, t, NULL, &err, &got, &got_n) == CBZ_OK);
            /* past the last chunk: no fault */
            snprintf(val, sizeof val, "%llu", (unsigned long long)nch);
            setenv("CBZ_TEST_FAIL_DECODE", val, 1);
            CU_ASSERT(restore_to(m, t, NULL, &err, &got, &got_n) == CBZ_OK);
            for (size_t ki = 0; ki < 3; ki++) {
                uint64_t k = ks[ki];
                snprintf(val, sizeof val, "%llu", (unsigned long long)k);
                setenv("CBZ_TEST_FAIL_DECODE", val, 1);
                snprintf(want, sizeof want, "chunk %llu: decode failed", (unsigned long long)k + 1);
                for (int v = 0; v < 2; v++) {
                    s = restore_to(m, t, v ? NULL : outpath, &err, &got, &got_n);
                    bool good = s == CBZ_ERR_DATA && strstr(err.msg, want) &&
                                strstr(err.msg, "CBZ_TEST_FAIL_DECODE") &&
                                (v || (got && got_n == m->index[k].in_offset &&
                                       memcmp(got, d, got_n) == 0));
                    if (!good)
                        fprintf(stderr, "decode fault %llu, %d threads, sink %s%s: %d \"%s\", "
                                "%zu bytes out\n", (unsigned long long)k, t,
                                sinks[si] ? sinks[si] : "by cores", v ? ", verify" : "", (int)s,
                                err.msg, got_n);
                    CU_ASSERT(good);
                    free(got);
                }
            }
            unsetenv("CBZ_TEST_FAIL_DECODE");
            /* (the check is the sink's, or at one decoder the decoder's
             * when it would wait for room: chunk 0 never, later ones as the
             * two ends' pace goes) */
            for (size_t ki = 0; ki < 3; ki++) {
                uint64_t k = ks[ki];
                m->index[k].content_xxh64 ^= 1;
                snprintf(want, sizeof want, "chunk %llu: decoded bytes do not match",
                         (unsigned long long)k + 1);
                s = restore_to(m, t, outpath, &err, &got, &got_n);
                CU_ASSERT(s == CBZ_ERR_CHECKSUM && strstr(err.msg, want) && got &&
                          got_n == m->index[k].in_offset && memcmp(got, d, got_n) == 0);
                free(got);
                m->index[k].content_xxh64 ^= 1;
            }
        }
        unsetenv("CBZ_TEST_RESTORE_SINK");
    }
    cbz_member_close(m);
    unlink(outpath);
    unlink(member);
    free(member);
    free(d);
}

/* Files in directory d (its entries other than . and ..). */
static int dir_entries(const char *d)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", d);
    FILE *fp = popen(cmd, "r");
    int n = -1;
    if (fp) {
        if (fscanf(fp, "%d", &n) != 1) n = -1;
        pclose(fp);
    }
    return n;
}

/* One compress of in into fd_dir/m.cobz with fault `var`=k; checks the
 * status, that the reason names chunk k and its byte offset, and that no
 * member nor temporary file is left (fd_dir holds only the input).  Returns
 * false on any miss. */
static bool fault_case(const char *fd_dir, const char *in, const cbz_compress_params *p,
                       const char *var, long k, uint64_t chunk_bytes, cbz_status want)
{
    char member[200], val[32], need[64], at[64];
    snprintf(member, sizeof member, "%s/m.cobz", fd_dir);
    snprintf(val, sizeof val, "%ld", k);
    setenv(var, val, 1);
    cbz_compress_result res;
    cbz_error err = { 0 };
    cbz_status s = cbz_compress_file(in, member, false, p, &res, &err);
    unsetenv(var);
    snprintf(need, sizeof need, "chunk %ld", k);
    snprintf(at, sizeof at, "at byte %llu", (unsigned long long)(chunk_bytes * (uint64_t)k));
    bool good = s == want && err.code == want && strstr(err.msg, need) && strstr(err.msg, at) &&
                strstr(err.msg, var) && access(member, F_OK) != 0 &&
                dir_entries(fd_dir) == (strcmp(in, "-") == 0 ? 0 : 1);
    if (!good)
        fprintf(stderr, "fault %s=%ld threads %d: status %d, \"%s\", %d entries\n", var, k,
                p->threads, (int)s, err.msg, dir_entries(fd_dir));
    if (s == CBZ_OK) {
        cbz_compress_result_free(&res);
        unlink(member);
    }
    return good;
}

/* The compress error paths (CBZ_TEST_FAIL_ENCODE / CBZ_TEST_FAIL_READ): a
 * failed encode or read of any chunk, with 1, 2 and 3 threads (the batch
 * loop and the chunk pipeline), gives its status and a reason naming the
 * chunk, returns (no hang) and leaves no member and no temporary file; a
 * fault past the last chunk changes nothing.  Also from a stream (stdin). */
static void test_fault_injection(void)
{
    enum { N = 100000, CHUNK = 4000, CHUNKS = N / CHUNK };
    uint8_t *d = malloc(N);
    CU_ASSERT_FATAL(d != NULL);
    for (size_t i = 0; i < N; i++) d[i] = (uint8_t)(i % 97 < 60 ? 'A' + i % 7 : rnd());
    char fd_dir[96];
    snprintf(fd_dir, sizeof fd_dir, "%s/faults", dir);
    CU_ASSERT_FATAL(mkdir(fd_dir, 0755) == 0);
    char in[160];
    snprintf(in, sizeof in, "%s/in.dat", fd_dir);
    FILE *fp = fopen(in, "wb");
    CU_ASSERT_FATAL(fp != NULL);
    CU_ASSERT_FATAL(fwrite(d, 1, N, fp) == N);
    fclose(fp);
    size_t base_n = 0;
    uint8_t *base = NULL;
    for (int t = 1; t <= 3; t++) {
        cbz_compress_params p = params(CBZ_MODE_GENERIC, CBZ_RECFM_F, 0, 0, CHUNK, t);
        int bad = 0;
        for (long k = 0; k < CHUNKS; k++) {
            bad += !fault_case(fd_dir, in, &p, "CBZ_TEST_FAIL_ENCODE", k, CHUNK, CBZ_ERR_DATA);
            bad += !fault_case(fd_dir, in, &p, "CBZ_TEST_FAIL_READ", k, CHUNK, CBZ_ERR_IO);
        }
        CU_ASSERT_EQUAL(bad, 0);
        /* Past the last chunk: no fault, the same member as without. */
        setenv("CBZ_TEST_FAIL_ENCODE", "25", 1);
        setenv("CBZ_TEST_FAIL_READ", "25", 1);
        size_t n;
        cbz_compress_result res;
        uint8_t *m = compress_bytes(in, &p, &n, &res);
        unsetenv("CBZ_TEST_FAIL_ENCODE");
        unsetenv("CBZ_TEST_FAIL_READ");
        CU_ASSERT_FATAL(m != NULL);
        CU_ASSERT_EQUAL(res.chunks, CHUNKS);
        cbz_compress_result_free(&res);
        if (!base) {
            base = m;
            base_n = n;
        } else {
            CU_ASSERT(n == base_n && memcmp(m, base, n) == 0);
            free(m);
        }
    }
    /* A stream (stdin) through the pipeline: read and encode faults. */
    unlink(in);
    cbz_compress_params p2 = params(CBZ_MODE_GENERIC, CBZ_RECFM_F, 0, 0, CHUNK, 2);
    const long ks[] = { 0, 1, CHUNKS / 2, CHUNKS - 1 };
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        for (int v = 0; v < 2; v++) {
            char src[160];
            snprintf(src, sizeof src, "%s/src%d", dir, file_no++);
            fp = fopen(src, "wb");
            CU_ASSERT_FATAL(fp && fwrite(d, 1, N, fp) == N);
            fclose(fp);
            FILE *saved = stdin;
            stdin = fopen(src, "rb");
            CU_ASSERT_FATAL(stdin != NULL);
            CU_ASSERT(fault_case(fd_dir, "-", &p2, v ? "CBZ_TEST_FAIL_READ" : "CBZ_TEST_FAIL_ENCODE",
                                 ks[i], CHUNK, v ? CBZ_ERR_IO : CBZ_ERR_DATA));
            fclose(stdin);
            stdin = saved;
            unlink(src);
        }
    }
    free(base);
    free(d);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--rss-child") == 0) return rss_child(argv[2], argv[3], argv[4]);
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
    CU_add_test(s, "L2 split done outside the encode (GPU's place): same frames and members", test_presplit_identical);
    CU_add_test(s, "L1/L2 prepared apart in parts (1-thread helper): same frames", test_prep_parts);
    CU_add_test(s, "--device cpu/gpu/auto: same bytes, gpu without a GPU is a device error", test_device_param);
    CU_add_test(s, "L2 transposition of whole records: every move class, exact bounds", test_split_transpose);
    CU_add_test(s, "peak RSS bounded by threads x chunk size, not input size", test_bounded_memory);
    CU_add_test(s, "two kinds of records: text split by record length, exact, damage refused",
                test_two_segments);
    CU_add_test(s, "restore: frames read ahead and checked on any thread, damage refused",
                test_restore_frames);
    CU_add_test(s, "restore: 1, 2, 3, 5 threads, either sink: bytes, chunk faults in order",
                test_restore_threads);
    CU_add_test(s, "compress faults (encode, read) of every chunk, 1-3 threads, stdin: status, "
                "reason, nothing left", test_fault_injection);
    unsigned failed = cbz_cunit_run();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return failed ? 1 : 0;
}
