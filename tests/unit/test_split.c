/*
 * test_split.c — L2 (src/split.c) on records of mixed lengths, the path of
 * V/VB files and of records that break their LRECL: records shorter than the
 * plan width (leading columns only, the rest to overflow), exactly the width
 * and longer (the excess to overflow), with header gaps between them; column
 * widths 1..70 so every size class of the exact small-copy moves is used.
 * Every buffer is allocated to its exact size, so a byte read or written past
 * a record, a column stream or the overflow stream is an AddressSanitizer
 * error (make test-asan); gap bytes must survive the way back untouched, and
 * streams with too few or too many values must be refused.
 */
#include "engine.h"
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
        size_t n = rnd() % 90;
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
        cbz_split_scatter(&p, data, off, len, n, cols, overflow, scratch);

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

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("split", NULL, NULL);
    CU_add_test(s, "L2 on records of mixed lengths: counts, values, overflow, gaps, exact bounds",
                test_mixed_lengths);
    return cbz_cunit_run() ? 1 : 0;
}
