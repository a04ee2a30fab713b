/*
 * test_split.c — L2 (src/split.c) on records of mixed lengths, the path of
 * V/VB files and of records that break their LRECL: records shorter than the
 * plan width (leading columns only, the rest to overflow), exactly the width
 * and longer (the excess to overflow), with header gaps between them; column
 * widths 1..70 so every size class of the exact small-copy moves is used.
 * Every buffer is allocated to its exact size, so a byte read or written past
 * the records, a column stream or the overflow stream is an AddressSanitizer
 * error (make test-asan); gap bytes must survive the way back untouched, and
 * streams with too few or too many values must be refused.
 *
 * Also: the gather with some columns in place already (the decoder put
 * them in their records), the fixed-record stride path (no offsets) against
 * the offsets path,
 * the per-thread block cache (src/bigbuf.c) under cbz_buf, and the
 * long-lived helper thread (src/parallel.c).
 */
#include "engine.h"
#include "bigbuf.h"
#include "parallel.h"
#include "cunit_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* A plan of nc RAW columns with random widths (1..16, or 17..70). */
static void random_plan(cbz_plan *p, size_t nc)
{
    memset(p, 0, sizeof *p);
    p->mode = CBZ_MODE_RECORDS;
    p->fmt.recfm = CBZ_RECFM_V;
    p->cols = calloc(nc, sizeof *p->cols);
    CU_ASSERT_FATAL(p->cols != NULL);
    p->n_cols = nc;
    for (size_t c = 0; c < nc; c++) {
        uint32_t w = rnd() % 4 == 0 ? 17 + rnd() % 54 : 1 + rnd() % 16;
        p->cols[c].offset = p->width;
        p->cols[c].width = w;
        p->cols[c].desc.kind = CBZ_COL_RAW;
        p->cols[c].desc.width = w;
        p->cols[c].field = -1;
        snprintf(p->cols[c].name, sizeof p->cols[c].name, "c%zu", c);
        p->width += w;
    }
}

/* The streams of n records (record i at off[i], len[i] bytes; both NULL
 * given to the split: fixed records back to back) split by plan p, each
 * stream and the overflow allocated to its exact size, so that a move past
 * one is an AddressSanitizer error. */
typedef struct split_streams {
    uint64_t *counts, *scratch, ov;
    uint8_t **cols, *overflow;
    size_t nc;
} split_streams;

static void streams_split(split_streams *s, const cbz_plan *p, const uint8_t *data,
                          const size_t *off, const size_t *len, size_t n, bool fixed)
{
    size_t nc = s->nc = p->n_cols;
    s->counts = calloc(nc + 1, sizeof *s->counts);
    s->scratch = calloc(3 * nc + 8, sizeof *s->scratch);
    s->cols = calloc(nc + 1, sizeof *s->cols);
    CU_ASSERT_FATAL(s->counts && s->scratch && s->cols);
    s->ov = 0;
    cbz_split_count(p, len, n, s->counts, &s->ov);
    for (size_t c = 0; c < nc; c++) {
        s->cols[c] = malloc(s->counts[c] ? s->counts[c] * p->cols[c].width : 1);
        CU_ASSERT_FATAL(s->cols[c] != NULL);
    }
    s->overflow = malloc(s->ov ? s->ov : 1);
    CU_ASSERT_FATAL(s->overflow != NULL);
    cbz_split_scatter(p, data, fixed ? NULL : off, fixed ? NULL : len, n, s->cols, s->counts,
                      s->overflow, s->scratch);
}

static void streams_free(split_streams *s)
{
    for (size_t c = 0; c < s->nc; c++) free(s->cols[c]);
    free(s->cols);
    free(s->counts);
    free(s->scratch);
    free(s->overflow);
}

/* Lengths: a few distinct ones (segments) alternating, or any. */
static size_t random_len(const cbz_plan *p, const size_t *kinds, int trial)
{
    if (trial % 3 == 0) return rnd() % (p->width + 40);
    return kinds[rnd() % 3];
}

static void test_mixed_lengths(void)
{
    for (int trial = 0; trial < 400; trial++) {
        cbz_plan p;
        size_t nc = 1 + rnd() % 14;
        random_plan(&p, nc);
        size_t kinds[3] = { p.width, rnd() % (p.width + 1), p.width + rnd() % 30 };
        /* some of many records: several blocks (split.c's block_records) */
        size_t n = trial % 8 == 7 ? rnd() % 1500 : rnd() % 90;
        bool gaps = trial % 2 == 1;
        size_t *off = malloc((n ? n : 1) * sizeof *off), *len = malloc((n ? n : 1) * sizeof *len);
        CU_ASSERT_FATAL(off && len);
        size_t end = 0;
        for (size_t i = 0; i < n; i++) {
            end += gaps ? rnd() % 9 : 0;
            off[i] = end;
            len[i] = random_len(&p, kinds, trial);
            end += len[i];
        }
        uint8_t *data = malloc(end ? end : 1), *back = malloc(end ? end : 1);
        CU_ASSERT_FATAL(data && back);
        for (size_t i = 0; i < end; i++) data[i] = (uint8_t)rnd();

        /* expected counts and overflow, by the rule of split.c's header */
        uint64_t *want = calloc(nc, sizeof *want), want_ov = 0;
        CU_ASSERT_FATAL(want != NULL);
        for (size_t i = 0; i < n; i++) {
            size_t held = 0;
            for (size_t c = 0; c < nc; c++)
                if ((size_t)p.cols[c].offset + p.cols[c].width <= len[i]) {
                    want[c]++;
                    held = p.cols[c].offset + p.cols[c].width;
                }
            want_ov += len[i] - held;
        }
        uint64_t *counts = calloc(nc, sizeof *counts), *scratch = calloc(nc, sizeof *scratch);
        uint8_t **cols = calloc(nc, sizeof *cols);
        CU_ASSERT_FATAL(counts && scratch && cols);
        uint64_t ov = 0;
        cbz_split_count(&p, len, n, counts, &ov);
        bool counts_ok = ov == want_ov;
        for (size_t c = 0; c < nc; c++) counts_ok = counts_ok && counts[c] == want[c];
        CU_ASSERT(counts_ok);
        for (size_t c = 0; c < nc; c++) {
            cols[c] = malloc(counts[c] ? counts[c] * p.cols[c].width : 1);
            CU_ASSERT_FATAL(cols[c] != NULL);
        }
        uint8_t *overflow = malloc(ov ? ov : 1);
        CU_ASSERT_FATAL(overflow != NULL);
        cbz_split_scatter(&p, data, off, len, n, cols, counts, overflow, scratch);

        /* every value where it belongs */
        bool same = true;
        uint64_t *at = calloc(nc, sizeof *at), ov_at = 0;
        CU_ASSERT_FATAL(at != NULL);
        for (size_t i = 0; i < n; i++) {
            size_t held = 0;
            for (size_t c = 0; c < nc; c++) {
                size_t o = p.cols[c].offset, w = p.cols[c].width;
                if (o + w > len[i]) break;
                if (memcmp(cols[c] + at[c]++ * w, data + off[i] + o, w) != 0) same = false;
                held = o + w;
            }
            if (len[i] > held) {
                if (memcmp(overflow + ov_at, data + off[i] + held, len[i] - held) != 0) same = false;
                ov_at += len[i] - held;
            }
        }
        CU_ASSERT(same);

        /* back: record bytes cleared, gap bytes as they were */
        memcpy(back, data, end);
        for (size_t i = 0; i < n; i++) memset(back + off[i], 0, len[i]);
        cbz_error err;
        CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts, overflow,
                                   ov, back, scratch, &err) == CBZ_OK);
        CU_ASSERT(end == 0 || memcmp(back, data, end) == 0);

        /* a column claiming one value more, or the overflow one byte more or
         * less, is refused (when the records call for any) */
        if (n > 0 && counts[0] > 0) {
            counts[0]++;
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov, back, scratch, &err) == CBZ_ERR_FORMAT);
            counts[0]--;
        }
        if (ov > 0) {
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov - 1, back, scratch, &err) == CBZ_ERR_FORMAT);
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov + 1, back, scratch, &err) == CBZ_ERR_FORMAT);
        }
        for (size_t c = 0; c < nc; c++) free(cols[c]);
        free(cols);
        free(at);
        free(want);
        free(counts);
        free(scratch);
        free(overflow);
        free(data);
        free(back);
        free(off);
        free(len);
        cbz_plan_free(&p);
    }
}


/* Fixed records back to back: scatter without offsets (the stride path)
 * makes exactly the columns of the offsets path, and gather (which finds
 * the records back to back) restores every byte.  Some plans have hundreds
 * of columns, records of 3 to 9 KiB: blocks of a few records, put together
 * in split.c's stage or (wider than it holds) in place. */
static void test_fixed_stride(void)
{
    for (int trial = 0; trial < 60; trial++) {
        cbz_plan p;
        const bool wide = trial % 4 == 3;
        random_plan(&p, wide ? 200 + rnd() % 300 : 1 + rnd() % 24);
        p.fmt.recfm = CBZ_RECFM_FB;
        p.fmt.lrecl = p.width;
        size_t n = trial % 5 == 0 ? rnd() % 4 : 1 + rnd() % (wide ? 60 : 700), nc = p.n_cols;
        uint8_t *data = malloc(n * p.width + 1), *back = malloc(n * p.width + 1);
        size_t *off = malloc((n + 1) * sizeof *off), *len = malloc((n + 1) * sizeof *len);
        uint8_t **a = calloc(nc, sizeof *a), **b = calloc(nc, sizeof *b);
        uint64_t *counts = calloc(nc, sizeof *counts), *scratch = calloc(nc + 1, sizeof *scratch);
        CU_ASSERT_FATAL(data && back && off && len && a && b && counts && scratch);
        for (size_t i = 0; i < n * p.width; i++) data[i] = (uint8_t)rnd();
        for (size_t i = 0; i < n; i++) {
            off[i] = i * p.width;
            len[i] = p.width;
        }
        for (size_t c = 0; c < nc; c++) {
            a[c] = malloc(n * p.cols[c].width + 1);   /* exact, +1 for n == 0 */
            b[c] = malloc(n * p.cols[c].width + 1);
            CU_ASSERT_FATAL(a[c] && b[c]);
            counts[c] = n;
        }
        cbz_split_scatter(&p, data, NULL, NULL, n, a, counts, NULL, scratch);
        cbz_split_scatter(&p, data, off, len, n, b, counts, NULL, scratch);
        for (size_t c = 0; c < nc; c++)
            CU_ASSERT(memcmp(a[c], b[c], n * p.cols[c].width) == 0);
        /* value i of column c is its bytes of record i (every move size
         * and group of the transposition, the last values' exact copies) */
        bool same = true;
        for (size_t c = 0; c < nc; c++)
            for (size_t i = 0; i < n && same; i++)
                same = memcmp(a[c] + i * p.cols[c].width, data + i * p.width + p.cols[c].offset,
                              p.cols[c].width) == 0;
        CU_ASSERT(same);
        memset(back, 0xA5, n * p.width);
        CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)a, counts, NULL, 0,
                                   back, scratch, NULL) == CBZ_OK);
        CU_ASSERT(memcmp(back, data, n * p.width) == 0);
        for (size_t c = 0; c < nc; c++) {
            free(a[c]);
            free(b[c]);
        }
        free(a);
        free(b);
        free(counts);
        free(scratch);
        free(data);
        free(back);
        free(off);
        free(len);
        cbz_plan_free(&p);
    }
}

/* The block cache: a block given back is the one taken next (no fresh
 * memory), big blocks are 2 MiB aligned, cbz_buf keeps its bytes while it
 * grows through the cache, and its data stays free()-able. */
static void test_bigbuf(void)
{
    size_t sz = 0, sz2 = 0;
    uint8_t *p = cbz_big_take((size_t)3 << 20, &sz);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(sz >= ((size_t)3 << 20));
    CU_ASSERT((uintptr_t)p % ((size_t)2 << 20) == 0);
    memset(p, 1, sz);
    cbz_big_give(p, sz);
    uint8_t *q = cbz_big_take((size_t)1 << 20, &sz2);
    CU_ASSERT(q == p);   /* the cached block, not a new one */
    CU_ASSERT(sz2 == sz);
    cbz_big_give(q, sz2);
    /* a request bigger than any cached block is a new block */
    uint8_t *r = cbz_big_take((size_t)8 << 20, &sz2);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT(r != p && sz2 >= ((size_t)8 << 20));
    r[sz2 - 1] = 7;
    free(r);   /* raw blocks are plain malloc memory */
    /* whole huge pages, and a short rest in small pages: a 4 MiB chunk of
     * whole records a few bytes over 4 MiB does not take a third huge page */
    r = cbz_big_take(((size_t)8 << 20) + 300, &sz2);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT((uintptr_t)r % ((size_t)2 << 20) == 0);
    CU_ASSERT(sz2 == ((size_t)8 << 20) + 4096);
    memset(r, 3, sz2);
    free(r);
    /* nor does the input window: a chunk and the planner's 64 KiB + 16
     * bytes of margin */
    r = cbz_big_take(((size_t)4 << 20) + ((size_t)64 << 10) + 16, &sz2);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT(sz2 == ((size_t)4 << 20) + ((size_t)68 << 10));
    free(r);
    /* a rest past 128 KiB takes a huge page */
    r = cbz_big_take(((size_t)8 << 20) + ((size_t)200 << 10), &sz2);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT(sz2 == ((size_t)10 << 20));
    free(r);
    /* small blocks are not cached: still valid memory */
    uint8_t *s = cbz_big_take(100, &sz2);
    CU_ASSERT_FATAL(s != NULL);
    CU_ASSERT(sz2 >= 100);
    cbz_big_give(s, sz2);

    /* the headed face (zstd's allocator) */
    for (size_t n = 1; n < ((size_t)4 << 20); n = n * 7 + 3) {
        uint8_t *h = cbz_big_alloc(n);
        CU_ASSERT_FATAL(h != NULL);
        CU_ASSERT((uintptr_t)h % 64 == 0);
        memset(h, 0x5A, n);
        cbz_big_free(h);
    }
    cbz_big_free(NULL);

    /* cbz_buf through the cache: contents survive growth, data is free()-able */
    cbz_buf b;
    cbz_buf_init(&b);
    for (uint32_t i = 0; i < 300000; i++) CU_ASSERT_FATAL(cbz_buf_put_le32(&b, i) == CBZ_OK);
    bool ok = true;
    for (uint32_t i = 0; i < 300000 && ok; i++) ok = cbz_load_le32(b.data + 4 * i) == i;
    CU_ASSERT(ok);
    uint8_t *owned = b.data;   /* handed over, as copybook_parse.c does */
    cbz_buf_init(&b);
    free(owned);
    cbz_buf_free(&b);
}

/* Variable records in runs of one length (a VB header segment and its
 * details), the shape the gather moves a run at a time: runs long and short,
 * lengths that end inside a column, at the width and past it, RDW-like gaps;
 * every stream exactly its size (reads past one are ASan errors), gap bytes
 * kept, and a column or the overflow with a value too few or too many
 * refused before any byte is written. */
static void test_runs(void)
{
    for (int trial = 0; trial < 200; trial++) {
        cbz_plan p;
        random_plan(&p, 1 + rnd() % 16);
        size_t nc = p.n_cols, n = trial % 10 == 0 ? rnd() % 3 : 1 + rnd() % 600;
        size_t head = p.width + rnd() % 20, detail = rnd() % (p.width + 1);
        size_t *off = malloc((n + 1) * sizeof *off), *len = malloc((n + 1) * sizeof *len);
        CU_ASSERT_FATAL(off && len);
        size_t end = 0, run = 0;
        for (size_t i = 0; i < n; i++) {
            end += trial % 2 ? 4 : 0;
            off[i] = end;
            if (run == 0) {
                len[i] = head;
                run = 1 + rnd() % (trial % 3 == 0 ? 3 : 60);
            } else {
                len[i] = detail;
                run--;
            }
            end += len[i];
        }
        uint8_t *data = malloc(end + 1), *back = malloc(end + 1);
        CU_ASSERT_FATAL(data && back);
        for (size_t i = 0; i < end; i++) data[i] = (uint8_t)rnd();
        split_streams st;
        streams_split(&st, &p, data, off, len, n, false);
        uint64_t *counts = st.counts, *scratch = st.scratch, ov = st.ov;
        uint8_t **cols = st.cols, *overflow = st.overflow;
        memcpy(back, data, end);
        for (size_t i = 0; i < n; i++) memset(back + off[i], 0x5A, len[i]);
        cbz_error err;
        CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts, overflow,
                                   ov, back, scratch, &err) == CBZ_OK);
        CU_ASSERT(memcmp(back, data, end) == 0);
        size_t last = nc - 1;
        for (size_t c = 0; c < nc; c += last ? last : 1) {
            if (counts[c] == 0) continue;
            memcpy(back, data, end);
            counts[c]--;   /* one value too few: refused, nothing written */
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov, back, scratch, &err) == CBZ_ERR_FORMAT);
            CU_ASSERT(strstr(err.msg, "fewer values") != NULL);
            counts[c] += 2;
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov, back, scratch, &err) == CBZ_ERR_FORMAT);
            CU_ASSERT(strstr(err.msg, "more values") != NULL);
            counts[c]--;
            CU_ASSERT(memcmp(back, data, end) == 0);
        }
        if (ov) {
            CU_ASSERT(cbz_split_gather(&p, off, len, n, (const uint8_t *const *)cols, counts,
                                       overflow, ov - 1, back, scratch, &err) == CBZ_ERR_FORMAT);
            CU_ASSERT(strstr(err.msg, "overflow stream too short") != NULL);
        }
        streams_free(&st);
        free(data);
        free(back);
        free(off);
        free(len);
        cbz_plan_free(&p);
    }
}

/* Records of random RAW columns, back to back or with gaps and short
 * records: some columns' bytes are in the output already (their col_vals
 * NULL); the gather must give the records exactly, those bytes untouched. */
static void test_gather_placed(void)
{
    for (int trial = 0; trial < 300; trial++) {
        cbz_plan p;
        const size_t nc = 1 + rnd() % 12;
        random_plan(&p, nc);
        const bool fixed = trial % 2 == 0;
        const size_t n = rnd() % 300;
        size_t *off = malloc((n ? n : 1) * sizeof *off), *len = malloc((n ? n : 1) * sizeof *len);
        CU_ASSERT_FATAL(off && len);
        size_t end = 0;
        for (size_t i = 0; i < n; i++) {
            end += fixed ? 0 : rnd() % 3;
            off[i] = end;
            len[i] = fixed || rnd() % 4 ? p.width : rnd() % (p.width + 1);
            end += len[i];
        }
        uint8_t *data = malloc(end + 1), *back = malloc(end + 1);
        CU_ASSERT_FATAL(data && back);
        for (size_t i = 0; i < end; i++) data[i] = (uint8_t)rnd();
        split_streams st;
        streams_split(&st, &p, data, off, len, n, fixed);
        uint64_t *counts = st.counts, *scratch = st.scratch, ov = st.ov;
        uint8_t **cols = st.cols, *overflow = st.overflow;
        /* output: records cleared, gaps kept; columns every record holds are
         * placed (their bytes put there now) at random */
        memcpy(back, data, end);
        for (size_t i = 0; i < n; i++) memset(back + off[i], 0xEE, len[i]);
        uint8_t **given = calloc(nc, sizeof *given);
        CU_ASSERT_FATAL(given != NULL);
        for (size_t c = 0; c < nc; c++) {
            given[c] = cols[c];
            if (counts[c] != n || n == 0 || rnd() % 2) continue;
            for (size_t i = 0; i < n; i++)
                memcpy(back + off[i] + p.cols[c].offset, data + off[i] + p.cols[c].offset,
                       p.cols[c].width);
            given[c] = NULL;
        }
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL(cbz_split_gather(&p, fixed ? NULL : off, fixed ? NULL : len, n,
                                         (const uint8_t *const *)given, counts, overflow, ov,
                                         back, scratch, &err),
                        CBZ_OK);
        CU_ASSERT(end == 0 || memcmp(back, data, end) == 0);
        free(given);
        streams_free(&st);
        free(data);
        free(back);
        free(off);
        free(len);
        cbz_plan_free(&p);
    }
}

/* cbz_big_prefault maps pages without changing a byte: not of the block,
 * not of what lies around it, not of bytes another thread wrote first. */
static void test_prefault(void)
{
    size_t sz = 0;
    uint8_t *p = cbz_big_take((size_t)5 << 20, &sz);
    CU_ASSERT_FATAL(p != NULL);
    memset(p, 0x3C, 1 << 20);
    cbz_big_prefault(p + 100, sz - 200);   /* ragged ends: whole pages around */
    bool same = true;
    for (size_t i = 0; i < (1u << 20) && same; i++) same = p[i] == 0x3C;
    CU_ASSERT(same);
    memset(p, 0x11, sz);                  /* still ours to write */
    CU_ASSERT(p[sz - 1] == 0x11);
    uint8_t *small = malloc(1000);
    CU_ASSERT_FATAL(small != NULL);
    memset(small, 0x77, 1000);
    cbz_big_prefault(small + 1, 998);
    same = true;
    for (size_t i = 0; i < 1000 && same; i++) same = small[i] == 0x77;
    CU_ASSERT(same);
    cbz_big_prefault(NULL, 10);
    cbz_big_prefault(small, 0);
    free(small);
    cbz_big_give(p, sz);
}

typedef struct step_ctx {
    int order[16];
    int n;
} step_ctx;

static step_ctx steps;
static int step_args[16];

static void step(void *arg) { steps.order[steps.n++] = *(int *)arg; }

/* The helper runs its tasks one at a time, in order, and wait returns only
 * when the task is done. */
static void test_helper(void)
{
    cbz_helper *h = cbz_helper_new();
    CU_ASSERT_FATAL(h != NULL);
    memset(&steps, 0, sizeof steps);
    for (int i = 0; i < 16; i++) {
        step_args[i] = i * 3;
        cbz_helper_start(h, step, &step_args[i]);
        cbz_helper_wait(h);
        CU_ASSERT(steps.n == i + 1);
    }
    for (int i = 0; i < 16; i++) CU_ASSERT(steps.order[i] == i * 3);
    cbz_helper_wait(h);   /* nothing running: returns */
    cbz_helper_free(h);
    cbz_helper_free(NULL);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("split", NULL, NULL);
    CU_add_test(s, "L2 on records of mixed lengths: counts, values, overflow, gaps, exact bounds",
                test_mixed_lengths);
    CU_add_test(s, "L2 on fixed records back to back: the stride path equals the offsets path",
                test_fixed_stride);
    CU_add_test(s, "block cache: reuse, huge alignment, cbz_buf growth, free()-able data",
                test_bigbuf);
    CU_add_test(s, "helper thread: tasks in order, wait", test_helper);
    CU_add_test(s, "L2 gather of variable records in runs: bytes, gaps, exact streams, refusals",
                test_runs);
    CU_add_test(s, "L2 gather with some columns in place already: their bytes untouched",
                test_gather_placed);
    CU_add_test(s, "block prefault: pages mapped, no byte changed", test_prefault);
    return cbz_cunit_run() ? 1 : 0;
}
