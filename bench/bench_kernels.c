/*
 * bench_kernels.c — `make bench-kernels`: GB/s of each hot kernel under each
 * variant this CPU offers (portable, sse41, avx2, avx512), next to memcpy measured in
 * the same run, as two tables; then the issue-4 target "COMP-3 pack and
 * unpack >= 50% of single-core memcpy bandwidth" against both baselines.
 *
 * GB/s counts the bytes of the record side of a kernel (the packed, zoned,
 * big-endian or text bytes; the records for gather and select_rows; the
 * int64 input for the L5 kernels), 10^9 bytes per second.  The decoder rows
 * "N% spaces" hold blank values among valid ones, as unused OCCURS entries.
 *
 * Table 1 (in cache): every kernel on a record side of BUF bytes (default
 * 4 MiB, the engine's chunk size; CBZ_BENCH_KB changes it), memcpy copying
 * BUF bytes.  Table 2 (DRAM): the decimal kernels and memcpy on a record
 * side larger than the last-level cache (default 256 MiB; CBZ_BENCH_LARGE_MB
 * changes it, 0 leaves the table out), i.e. single-core DRAM copy bandwidth.
 * Each figure is the best of ROUNDS rounds (CBZ_BENCH_ROUNDS, default 7;
 * CBZ_BENCH_LARGE_ROUNDS, default 3, for table 2) of repeated calls lasting
 * at least 10 ms, one thread.  CBZ_BENCH_ONLY=SUBSTRING keeps the rows whose
 * kernel name contains it (profiling).
 */
#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdbool.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t BUF;
static int ROUNDS;

/* buffers shared by every row */
static uint8_t *rec, *rec2, *bytes1, *bytes2;
static int64_t *i64a, *i64b;
static uint8_t *u8a, *u8b;
static uint32_t *u32a;
static uint8_t table[256];

enum kid {
    K_MEMCPY, K_PACKED_TO_I64, K_I64_TO_PACKED, K_ZONED_TO_I64, K_I64_TO_ZONED, K_BE_TO_I64,
    K_I64_TO_BE, K_TRANSCODE, K_TEXT_LENGTHS, K_GATHER, K_PLANES_SPLIT, K_PLANES_JOIN,
    K_DELTA_ENC, K_DELTA_DEC, K_ZIGZAG_ENC, K_FOR_ENC, K_MINMAX, K_BITUNPACK32, K_BITPACK64,
    K_SELECT_ROWS, K_BLANK_ROWS
};

struct row {
    enum kid k;
    const char *name;
    const char *params;
    size_t width; /* record-side bytes per value */
    int comp3;    /* counts for the issue target */
    int decimal;  /* measured on the large (DRAM) buffer too */
    int mode;     /* zoned: the sign mode (0: CBZ_K_SIGN_TRAILING) */
    int blanks;   /* decoders: percent of values made spaces (unused OCCURS entries) */
};

static const struct row rows[] = {
    { K_PACKED_TO_I64, "packed_to_i64", "w=5  S9(9) COMP-3", 5, 1, 1, 0, 0 },
    { K_PACKED_TO_I64, "packed_to_i64", "w=8  S9(15)", 8, 1, 1, 0, 0 },
    { K_PACKED_TO_I64, "packed_to_i64", "w=10 S9(18)", 10, 1, 1, 0, 0 },
    { K_I64_TO_PACKED, "i64_to_packed", "w=5", 5, 1, 1, 0, 0 },
    { K_I64_TO_PACKED, "i64_to_packed", "w=8", 8, 1, 1, 0, 0 },
    { K_I64_TO_PACKED, "i64_to_packed", "w=10", 10, 1, 1, 0, 0 },
    { K_PACKED_TO_I64, "packed_to_i64", "w=7, 40% spaces", 7, 0, 0, 0, 40 },
    { K_ZONED_TO_I64, "zoned_to_i64", "w=9 EBCDIC trailing", 9, 0, 1, 0, 0 },
    { K_ZONED_TO_I64, "zoned_to_i64", "w=4 unsigned", 4, 0, 0, CBZ_K_SIGN_NONE + 1, 0 },
    { K_ZONED_TO_I64, "zoned_to_i64", "w=8 unsigned, 40% spaces", 8, 0, 0, CBZ_K_SIGN_NONE + 1,
      40 },
    { K_I64_TO_ZONED, "i64_to_zoned", "w=9 EBCDIC trailing", 9, 0, 1, 0, 0 },
    { K_BE_TO_I64, "be_to_i64", "w=4 signed", 4, 0, 0, 0, 0 },
    { K_I64_TO_BE, "i64_to_be", "w=4", 4, 0, 0, 0, 0 },
    { K_TRANSCODE, "transcode", "cp037 -> latin1", 1, 0, 0, 0, 0 },
    { K_TEXT_LENGTHS, "text_lengths", "w=30", 30, 0, 0, 0, 0 },
    { K_GATHER, "gather", "w=12 of 40-byte records", 40, 0, 0, 0, 0 },
    { K_PLANES_SPLIT, "planes_split", "w=8", 8, 0, 0, 0, 0 },
    { K_PLANES_JOIN, "planes_join", "w=8", 8, 0, 0, 0, 0 },
    { K_DELTA_ENC, "delta_encode", "int64", 8, 0, 0, 0, 0 },
    { K_DELTA_DEC, "delta_decode", "int64", 8, 0, 0, 0, 0 },
    { K_ZIGZAG_ENC, "zigzag_encode", "int64", 8, 0, 0, 0, 0 },
    { K_FOR_ENC, "for_encode", "int64", 8, 0, 0, 0, 0 },
    { K_MINMAX, "minmax", "int64", 8, 0, 0, 0, 0 },
    { K_BITUNPACK32, "bitunpack_u32", "13 bits", 4, 0, 0, 0, 0 },
    { K_BITPACK64, "bitpack_u64", "13 bits", 8, 0, 0, 0, 0 },
    { K_SELECT_ROWS, "select_rows", "w=1, half kept", 1, 0, 0, 0, 0 },
    { K_SELECT_ROWS, "select_rows", "w=7, half kept", 7, 0, 0, 0, 0 },
    { K_SELECT_ROWS, "select_rows", "w=10, half kept", 10, 0, 0, 0, 0 },
    { K_SELECT_ROWS, "select_rows", "w=30, half kept", 30, 0, 0, 0, 0 },
    { K_BLANK_ROWS, "blank_rows", "w=7, half blank", 7, 0, 0, 0, 0 },
    { K_BLANK_ROWS, "blank_rows", "w=10, half blank", 10, 0, 0, 0, 0 },
    { K_BLANK_ROWS, "blank_rows", "w=26, half blank", 26, 0, 0, 0, 0 },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* inputs of a row: valid data of the kind the engine meets */
/* Values i >= period repeat value i % period: the large buffer is filled in
 * a fraction of the time, and repetition 4 MiB apart does not help a cache. */
static void tile_decimal(size_t n, size_t width, size_t period)
{
    for (size_t i = period; i < n; i += period) {
        size_t k = n - i < period ? n - i : period;
        memcpy(rec + i * width, rec, k * width);
        memcpy(i64a + i, i64a, k * sizeof *i64a);
        memcpy(u8a + i, u8a, k);
        memcpy(u8b + i, u8b, k);
    }
}

static int zoned_mode(const struct row *r) { return r->mode ? r->mode - 1 : CBZ_K_SIGN_TRAILING; }

/* r->blanks percent of the n values, at random, made EBCDIC spaces */
static void make_blanks(const struct row *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rnd() % 100 < (uint64_t)r->blanks) memset(rec + i * r->width, 0x40, r->width);
}

static void prepare(const struct row *r, size_t n)
{
    const size_t full = n;
    const size_t period = (size_t)1 << 19;
    if (r->k >= K_PACKED_TO_I64 && r->k <= K_I64_TO_ZONED && n > period) n = period;
    switch (r->k) {
    case K_PACKED_TO_I64:
    case K_I64_TO_PACKED:
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = rec + i * r->width;
            for (size_t j = 0; j < r->width; j++)
                p[j] = (uint8_t)((rnd() % 10) << 4 | rnd() % 10);
            if (r->width == 10) p[0] &= 0x0F;
            p[r->width - 1] = (uint8_t)((p[r->width - 1] & 0xF0) | (rnd() % 2 ? 0xC : 0xD));
        }
        make_blanks(r, n);
        cbz_k_packed_to_i64_portable(rec, n, r->width, i64a, u8a, u8b);
        tile_decimal(full, r->width, n);
        break;
    case K_ZONED_TO_I64:
    case K_I64_TO_ZONED:
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = rec + i * r->width;
            for (size_t j = 0; j < r->width; j++) p[j] = (uint8_t)(0xF0 | rnd() % 10);
            if (!r->mode) p[r->width - 1] = (uint8_t)((rnd() % 2 ? 0xC0 : 0xD0) | rnd() % 10);
        }
        make_blanks(r, n);
        cbz_k_zoned_to_i64_portable(rec, n, r->width, zoned_mode(r), 1, i64a, u8a, u8b);
        tile_decimal(full, r->width, n);
        break;
    case K_BLANK_ROWS: /* half the rows spaces, the others spaces but one byte */
        memset(rec, 0x40, n * r->width);
        for (size_t i = 0; i < n; i++)
            if (rnd() % 2) rec[i * r->width + rnd() % r->width] = 0xC1;
        break;
    case K_TEXT_LENGTHS:
        for (size_t i = 0; i < n; i++) {
            size_t keep = rnd() % (r->width + 1);
            for (size_t j = 0; j < r->width; j++)
                rec[i * r->width + j] = j < keep ? (uint8_t)(0xC1 + rnd() % 9) : 0x40;
        }
        break;
    default:
        for (size_t i = 0; i < BUF; i++) bytes1[i] = (uint8_t)(rnd() & 1); /* select_rows' flags */
        for (size_t i = 0; i < BUF; i++) rec[i] = (uint8_t)rnd();
        for (size_t i = 0; i < BUF / 4; i++) i64a[i] = (int64_t)(rnd() >> 20);
        for (size_t i = 0; i < BUF / 4; i++) u32a[i] = (uint32_t)rnd();
        break;
    }
}

static void run_once(const cbz_kernel_table *t, const struct row *r, size_t n)
{
    switch (r->k) {
    case K_MEMCPY: memcpy(rec2, rec, BUF); break;
    case K_PACKED_TO_I64: t->packed_to_i64(rec, n, r->width, i64b, u8a, u8b); break;
    case K_I64_TO_PACKED: t->i64_to_packed(i64a, u8a, n, r->width, rec2); break;
    case K_ZONED_TO_I64:
        t->zoned_to_i64(rec, n, r->width, zoned_mode(r), 1, i64b, u8a, u8b);
        break;
    case K_I64_TO_ZONED:
        t->i64_to_zoned(i64a, u8a, n, r->width, zoned_mode(r), 1, rec2);
        break;
    case K_BE_TO_I64: t->be_to_i64(rec, n, r->width, 1, i64b); break;
    case K_I64_TO_BE: t->i64_to_be(i64a, n, r->width, rec2); break;
    case K_TRANSCODE: t->transcode(table, rec, n, rec2); break;
    case K_TEXT_LENGTHS: t->text_lengths(rec, n, r->width, 0x40, u32a); break;
    case K_GATHER: t->gather(rec, n, r->width, 17, 12, rec2); break;
    case K_PLANES_SPLIT: t->planes_split(rec, n, r->width, rec2); break;
    case K_PLANES_JOIN: t->planes_join(rec, n, r->width, rec2); break;
    case K_DELTA_ENC: t->delta_encode(i64a, n, i64b); break;
    case K_DELTA_DEC: t->delta_decode(i64a, n, i64b); break;
    case K_ZIGZAG_ENC: t->zigzag_encode(i64a, n, (uint64_t *)i64b); break;
    case K_FOR_ENC: t->for_encode(i64a, n, 12345, (uint64_t *)i64b); break;
    case K_MINMAX: {
        int64_t a, b;
        t->minmax(i64a, n, &a, &b);
        break;
    }
    case K_BITUNPACK32: t->bitunpack_u32(rec, n, 13, u32a); break;
    case K_BITPACK64: t->bitpack_u64((const uint64_t *)i64a, n, 13, rec2); break;
    /* the room past the kept rows: rec2 has 64 bytes past BUF */
    case K_SELECT_ROWS: t->select_rows(rec, bytes1, n, r->width, 0, rec2); break;
    case K_BLANK_ROWS: t->blank_rows(rec, n, r->width, 0x40, bytes2); break;
    }
}

/* GB/s of one burst of repeated calls lasting at least ~10 ms */
static double burst(const cbz_kernel_table *t, const struct row *r)
{
    size_t n = BUF / r->width;
    int reps = 0;
    double t0 = now(), t1;
    do {
        run_once(t, r, n);
        reps++;
        t1 = now();
    } while (t1 - t0 < 0.01);
    return (double)(n * r->width) * reps / (t1 - t0) / 1e9;
}

static const struct row mrow = { K_MEMCPY, "memcpy", "", 1, 0, 0, 0, 0 };

/* best of ROUNDS rounds for memcpy and every variant, the rounds interleaved
 * so that a burst of load on the shared machine hits all of them alike;
 * g[v] = GB/s of variant v (0 when absent), returns memcpy's */
static double measure_row(const cbz_kernel_table *const *var, int nvar, const struct row *r,
                          double *g)
{
    double mem = 0;
    /* warm up (caches, branch predictors); the large buffers were touched
     * when allocated, and a call on them takes long enough by itself */
    const int warm = BUF < ((size_t)64 << 20);
    for (int v = 0; v < nvar; v++) {
        g[v] = 0;
        if (var[v] && warm) run_once(var[v], r, BUF / r->width);
    }
    if (warm) run_once(var[0], &mrow, BUF);
    for (int round = 0; round < ROUNDS; round++) {
        double m = burst(var[0], &mrow);
        mem = m > mem ? m : mem;
        for (int v = 0; v < nvar; v++) {
            if (!var[v]) continue;
            double x = burst(var[v], r);
            g[v] = x > g[v] ? x : g[v];
        }
    }
    return mem;
}

static void free_buffers(void)
{
    free(rec); free(rec2); free(bytes1); free(bytes2); free(i64a); free(i64b);
    free(u8a); free(u8b); free(u32a);
    rec = rec2 = bytes1 = bytes2 = u8a = u8b = NULL;
    i64a = i64b = NULL;
    u32a = NULL;
}

/* every buffer for a record side of `size` bytes, touched (no page faults
 * inside a measurement) */
static bool alloc_buffers(size_t size)
{
    free_buffers();
    BUF = size;
    rec = malloc(BUF + 64);
    rec2 = malloc(BUF + 64);
    bytes1 = malloc(BUF);
    bytes2 = malloc(BUF);
    i64a = malloc(BUF * 2 + 64); /* values of >= 4 record bytes */
    i64b = malloc(BUF * 2 + 64);
    u8a = malloc(BUF + 64);
    u8b = malloc(BUF + 64);
    u32a = malloc(BUF + 64);
    if (!rec || !rec2 || !bytes1 || !bytes2 || !i64a || !i64b || !u8a || !u8b || !u32a) {
        fprintf(stderr, "bench_kernels: out of memory for a %zu-byte buffer\n", BUF);
        return false;
    }
    memset(rec, 0, BUF + 64);
    memset(rec2, 0, BUF + 64);
    memset(bytes1, 0, BUF);
    memset(bytes2, 0, BUF);
    memset(i64a, 0, BUF * 2 + 64);
    memset(i64b, 0, BUF * 2 + 64);
    memset(u8a, 0, BUF + 64);
    memset(u8b, 0, BUF + 64);
    memset(u32a, 0, BUF + 64);
    return true;
}

static bool row_selected(const struct row *r)
{
    const char *only = getenv("CBZ_BENCH_ONLY");
    return !only || !*only || strstr(r->name, only) != NULL;
}

/* One table: the rows that `want` accepts on the current BUF.  ratio[r] =
 * best variant / memcpy of row r (negative when not measured); returns the
 * best memcpy of the table. */
static double run_table(const cbz_kernel_table *const *var, const char *const *names, int nvar,
                    int decimal_only, double *ratio)
{
    double mem = 0;
    printf("| kernel | case |");
    for (int v = 0; v < nvar; v++) printf(" %s |", names[v]);
    printf(" memcpy | best / memcpy |\n|---|---|");
    for (int v = 0; v < nvar; v++) printf("---:|");
    printf("---:|---:|\n");
    for (size_t r = 0; r < NROWS; r++) {
        ratio[r] = -1;
        if (decimal_only && !rows[r].decimal) continue;
        if (!row_selected(&rows[r])) continue;
        prepare(&rows[r], BUF / rows[r].width);
        printf("| %s | %s |", rows[r].name, rows[r].params);
        double g[8], best = 0;
        double m = measure_row(var, nvar, &rows[r], g);
        for (int v = 0; v < nvar; v++) {
            if (!var[v]) printf(" n/a |");
            else printf(" %.2f |", g[v]);
            best = g[v] > best ? g[v] : best;
        }
        mem = m > mem ? m : mem;
        ratio[r] = best / m;
        printf(" %.2f | %.0f%% |\n", m, 100.0 * best / m);
        fflush(stdout);
    }
    return mem;
}

/* the issue-4 target line for one baseline, with the rows that meet it */
static void target_line(const char *baseline, const double *ratio)
{
    double worst = 1e30;
    size_t worst_r = 0, counted = 0, met = 0;
    char meeting[512] = "", missing[512] = "";
    for (size_t r = 0; r < NROWS; r++) {
        if (!rows[r].comp3 || ratio[r] < 0) continue;
        counted++;
        char item[64];
        snprintf(item, sizeof item, "%s%s %s %.0f%%", "", rows[r].name, rows[r].params,
                 100.0 * ratio[r]);
        char *list = ratio[r] >= 0.5 ? meeting : missing;
        size_t l = strlen(list);
        snprintf(list + l, 512 - l, "%s%s", l ? "; " : "", item);
        met += ratio[r] >= 0.5;
        if (ratio[r] < worst) {
            worst = ratio[r];
            worst_r = r;
        }
    }
    if (!counted) return;
    printf("target (issue 4) vs %s memcpy: COMP-3 pack and unpack >= 50%%: %s "
           "(%zu of %zu rows; worst %s %s at %.0f%%)\n",
           baseline, met == counted ? "MET" : "NOT MET", met, counted, rows[worst_r].name,
           rows[worst_r].params, 100.0 * worst);
    printf("  meet:     %s\n  miss:     %s\n", *meeting ? meeting : "(none)",
           *missing ? missing : "(none)");
}

int main(void)
{
    const char *kb = getenv("CBZ_BENCH_KB"), *rd = getenv("CBZ_BENCH_ROUNDS");
    BUF = (size_t)(kb && atol(kb) > 0 ? atol(kb) : 4096) * 1024;
    ROUNDS = rd && atoi(rd) > 0 ? atoi(rd) : 7;
    if (!alloc_buffers(BUF)) return 1;
    for (int i = 0; i < 256; i++) table[i] = (uint8_t)(i * 167 + 13);

    const char *const *names = cbz_kernels_variant_names();
    const cbz_kernel_table *var[8];
    int nvar = 0;
    for (size_t k = 0; names[k] && nvar < 8; k++) var[nvar++] = cbz_kernels_get(names[k]);

    const char *lm = getenv("CBZ_BENCH_LARGE_MB"), *lr = getenv("CBZ_BENCH_LARGE_ROUNDS");
    const size_t large = (size_t)(lm && *lm ? atol(lm) : 256) << 20;
    const int large_rounds = lr && atoi(lr) > 0 ? atoi(lr) : 3;
    double ratio_cache[NROWS], ratio_dram[NROWS];

    printf("kernel benchmark: one thread, GB/s = 10^9 record-side bytes/s\n\n");
    printf("### in cache: %zu KiB record-side buffer, best of %d rounds\n\n", BUF / 1024,
           ROUNDS);
    double mem = run_table(var, names, nvar, 0, ratio_cache);
    printf("\nmemcpy best in this run: %.2f GB/s on %zu KiB\n", mem, BUF / 1024);

    double mem_l = 0;
    if (large > 0) {
        long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
        ROUNDS = large_rounds;
        if (!alloc_buffers(large)) return 1;
        printf("\n### DRAM: %zu MiB record-side buffer (last-level cache reported: %ld MiB), "
               "best of %d rounds\n\n",
               large >> 20, llc > 0 ? llc >> 20 : -1L, ROUNDS);
        mem_l = run_table(var, names, nvar, 1, ratio_dram);
        printf("\nmemcpy best in this run: %.2f GB/s on %zu MiB\n", mem_l, large >> 20);
    } else {
        for (size_t r = 0; r < NROWS; r++) ratio_dram[r] = -1;
    }
    printf("\n");
    target_line("in-cache", ratio_cache);
    if (large > 0) target_line("DRAM", ratio_dram);
    return 0;
}
