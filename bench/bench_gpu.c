/*
 * bench_gpu.c — `make bench-gpu`: the GPU kernels' throughput next to a
 * device-to-device copy of the same bytes (device-resident buffers, CUDA
 * events, median of repetitions), then the host-to-host path the engine
 * would use (cbz_gpu_columns: PCIe copies included) next to the same work on
 * the CPU with every core (OpenMP over chunks), and the break-even input size
 * for conf/device.yaml's gpu_min_bytes.
 *
 * Usage: bench_gpu [--quick]   (--quick: small sizes, a smoke test)
 */
#include "gpu.h"
#include "kernels.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The record of the end-to-end part: 100 bytes, 8 columns. */
enum { STRIDE = 100, NCOL = 8 };
static const cbz_gpu_column cols[NCOL] = {
    { 0, 6, CBZ_GPU_COL_PACKED, 0, 0, 0, 0, { 0 } },    /* account number  S9(11) COMP-3 */
    { 6, 9, CBZ_GPU_COL_ZONED, 0, 1, 1, 0, { 0 } },     /* amount S9(9) DISPLAY, trailing */
    { 15, 4, CBZ_GPU_COL_BINARY, 1, 0, 0, 0, { 0 } },   /* S9(9) COMP */
    { 19, 30, CBZ_GPU_COL_TEXT, 0, 0, 0, 0x40, { 0 } }, /* name PIC X(30) */
    { 49, 5, CBZ_GPU_COL_PACKED, 0, 0, 0, 0, { 0 } },   /* date 9(9) COMP-3 */
    { 54, 8, CBZ_GPU_COL_ZONED, 0, 0, 1, 0, { 0 } },    /* 9(8) DISPLAY unsigned */
    { 62, 30, CBZ_GPU_COL_TEXT, 0, 0, 0, 0x40, { 0 } }, /* address */
    { 92, 8, CBZ_GPU_COL_RAW, 0, 0, 0, 0, { 0 } },      /* filler */
};

/* v as a packed decimal of w bytes with sign nibble sg */
static void put_packed(uint8_t *p, size_t w, uint64_t v, unsigned sg)
{
    p[w - 1] = (uint8_t)((v % 10) << 4 | sg);
    v /= 10;
    for (size_t j = w - 1; j-- > 0; v /= 100) p[j] = (uint8_t)((v / 10 % 10) << 4 | (v % 10));
}

static void make_records(uint8_t *rec, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = rec + i * STRIDE;
        put_packed(r, 6, 10000000000ULL + i * 7, i % 3 ? 0xC : 0xD);
        uint64_t amt = rnd() % 1000000000ULL;
        for (int j = 8; j >= 0; j--, amt /= 10) r[6 + j] = (uint8_t)(0xF0 | amt % 10);
        r[14] = (uint8_t)((i % 5 ? 0xC0 : 0xD0) | (r[14] & 15));
        uint32_t b = (uint32_t)(rnd() % 100000);
        r[15] = (uint8_t)(b >> 24), r[16] = (uint8_t)(b >> 16), r[17] = (uint8_t)(b >> 8), r[18] = (uint8_t)b;
        size_t l = 5 + rnd() % 20;
        for (size_t j = 0; j < 30; j++) r[19 + j] = j < l ? (uint8_t)(0xC1 + rnd() % 9) : 0x40;
        put_packed(r + 49, 5, 20240101 + (i / 5000) % 365, 0xF);
        uint64_t z = i % 100000;
        for (int j = 7; j >= 0; j--, z /= 10) r[54 + j] = (uint8_t)(0xF0 | z % 10);
        l = 10 + rnd() % 20;
        for (size_t j = 0; j < 30; j++) r[62 + j] = j < l ? (uint8_t)(0xC1 + rnd() % 9) : 0x40;
        memset(r + 92, 0x40, 8);
        if (i % 1000 == 999) r[5] = 0x12; /* an exception now and then */
    }
}

/* The CPU twin of cbz_gpu_columns with the dispatched kernels, OpenMP over
 * chunks: what the engine does per chunk before its choices. */
static void cpu_columns(const uint8_t *rec, const size_t *chunk_first, size_t nch,
                        const cbz_gpu_column_out *outs, cbz_gpu_column_stats *st)
{
    const cbz_kernel_table *K = cbz_kernels();
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t k = 0; k < nch; k++) {
        size_t a = chunk_first[k], m = chunk_first[k + 1] - a;
        int64_t *t = malloc(m * 8 + 8);
        uint64_t *u = malloc(m * 8 + 8);
        for (int c = 0; c < NCOL; c++) {
            const cbz_gpu_column *d = &cols[c];
            const cbz_gpu_column_out *o = &outs[c];
            cbz_gpu_column_stats *s = &st[k * NCOL + c];
            memset(s, 0, sizeof *s);
            uint8_t *vals = o->values + a * d->width;
            K->gather(rec + a * STRIDE, m, STRIDE, d->offset, d->width, vals);
            if (d->kind == CBZ_GPU_COL_TEXT) {
                s->text_total = K->text_lengths(vals, m, d->width, d->pad, o->text_len + a);
                continue;
            }
            if (d->kind == CBZ_GPU_COL_RAW) continue;
            int64_t *num = o->num + a;
            uint8_t *bad = o->invalid + a;
            if (d->kind == CBZ_GPU_COL_PACKED) s->n_invalid = K->packed_to_i64(vals, m, d->width, num, o->form + a, bad);
            else if (d->kind == CBZ_GPU_COL_ZONED)
                s->n_invalid = K->zoned_to_i64(vals, m, d->width, d->sign_mode, d->ebcdic, num, o->form + a, bad);
            else {
                K->be_to_i64(vals, m, d->width, d->is_signed, num);
                memset(o->form + a, 0, m), memset(bad, 0, m);
            }
            if (s->n_invalid) {
                int64_t last = 0;
                for (size_t i = 0; i < m; i++) {
                    if (bad[i]) num[i] = last;
                    else last = num[i];
                }
            }
            if (m == 0) continue;
            K->minmax(num, m, &s->min, &s->max);
            s->runs = K->run_count(num, m);
            K->zigzag_encode(num, m, u);
            s->bits_zigzag = (uint8_t)K->max_bits_u64(u, m);
            s->bits_for = (uint8_t)(s->max - s->min ? 64 - __builtin_clzll((uint64_t)s->max - (uint64_t)s->min) : 0);
            if (m > 1) {
                K->delta_encode(num, m, t);
                K->minmax(t + 1, m - 1, &s->dmin, &s->dmax);
                uint64_t r = (uint64_t)s->dmax - (uint64_t)s->dmin;
                s->bits_delta = (uint8_t)(r ? 64 - __builtin_clzll(r) : 0);
            }
            if (m > 2) {
                K->delta2_encode(num, m, t);
                K->minmax(t + 2, m - 2, &s->d2min, &s->d2max);
                uint64_t r = (uint64_t)s->d2max - (uint64_t)s->d2min;
                s->bits_delta2 = (uint8_t)(r ? 64 - __builtin_clzll(r) : 0);
            }
        }
        free(t);
        free(u);
    }
}

static int alloc_outs(cbz_gpu_column_out *o, size_t n)
{
    memset(o, 0, NCOL * sizeof *o);
    for (int c = 0; c < NCOL; c++) {
        o[c].values = malloc(n * cols[c].width);
        if (!o[c].values) return -1;
        if (cols[c].kind >= CBZ_GPU_COL_ZONED) {
            o[c].num = malloc(n * 8), o[c].form = malloc(n), o[c].invalid = malloc(n);
            if (!o[c].num || !o[c].form || !o[c].invalid) return -1;
        }
        if (cols[c].kind == CBZ_GPU_COL_TEXT && !(o[c].text_len = malloc(n * 4))) return -1;
        /* touch the pages so neither side pays first-touch faults in the timing */
        memset(o[c].values, 0, n * cols[c].width);
        if (o[c].num) memset(o[c].num, 0, n * 8), memset(o[c].form, 0, n), memset(o[c].invalid, 0, n);
        if (o[c].text_len) memset(o[c].text_len, 0, n * 4);
    }
    return 0;
}

static void free_outs(cbz_gpu_column_out *o)
{
    for (int c = 0; c < NCOL; c++) free(o[c].values), free(o[c].num), free(o[c].form), free(o[c].invalid), free(o[c].text_len);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    double t0 = now_s();
    int avail = cbz_gpu_available();
    cbz_gpu_info info;
    cbz_error err;
    if (!avail || cbz_gpu_query(&info, &err) != CBZ_OK) {
        if (avail) printf("GPU benchmark skipped: %s\n", err.msg);
        else {
            cbz_gpu_query(&info, &err);
            printf("GPU benchmark skipped: %s\n", err.msg);
        }
        return 0;
    }
    double startup = now_s() - t0;
    printf("device: %s (compute %d.%d, %d SMs), %.1f of %.1f GiB free, driver %d, runtime %d\n",
           info.name, info.cc_major, info.cc_minor, info.multiprocessors,
           (double)info.free_bytes / (1 << 30), (double)info.total_bytes / (1 << 30),
           info.driver_version, info.runtime_version);
    printf("device start-up (probe + context + streams): %.3f s; stream slot %.0f MiB x 2\n", startup,
           (double)info.batch_bytes / (1 << 20));
    printf("CPU kernels: %s, %d OpenMP threads\n\n", cbz_kernels_variant_name(), omp_get_max_threads());

    /* ---- kernels on device-resident buffers */
    struct { const char *name; size_t n, width; } rows[] = {
        { "gather", 1u << 23, 8 },       { "gather", 1u << 23, 32 },
        { "packed_to_i64", 1u << 25, 6 }, { "zoned_to_i64", 1u << 25, 9 },
        { "be_to_i64", 1u << 25, 4 },    { "text_lengths", 1u << 24, 30 },
        { "i64_to_packed", 1u << 25, 6 }, { "delta_encode", 1u << 25, 8 },
        { "zigzag_encode", 1u << 25, 8 }, { "minmax", 1u << 25, 8 },
        { "max_bits_u64", 1u << 25, 8 }, { "bitpack_u64", 1u << 25, 8 },
        { "column_stats", 1u << 25, 8 },
        /* the L2 split: a 100-byte record cut into columns of `width` bytes, all at once */
        { "split", 1u << 23, 1 },        { "split", 1u << 23, 4 },
        { "split", 1u << 23, 8 },        { "split", 1u << 23, 32 },
    };
    printf("%-14s %5s %10s %10s %10s %10s %8s\n", "kernel", "width", "values", "MB moved", "kern GB/s",
           "copy GB/s", "% copy");
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        size_t n = quick ? rows[r].n / 64 : rows[r].n;
        cbz_gpu_bench_row row;
        if (cbz_gpu_bench(rows[r].name, n, rows[r].width, quick ? 3 : 20, &row, &err) != CBZ_OK) {
            printf("%-14s failed: %s\n", rows[r].name, err.msg);
            return 1;
        }
        printf("%-14s %5zu %10zu %10.1f %10.1f %10.1f %7.0f%%\n", rows[r].name, rows[r].width, n,
               (double)row.bytes / 1e6, row.kernel_gbs, row.copy_gbs,
               row.copy_gbs > 0 ? 100.0 * row.kernel_gbs / row.copy_gbs : 0.0);
    }

    /* ---- host to host: cbz_gpu_columns vs the CPU with every core */
    size_t n = quick ? 200000 : 10000000; /* 1 GB of records */
    size_t per_chunk = (4u << 20) / STRIDE; /* 4 MiB chunks, as the engine cuts them */
    size_t nch = (n + per_chunk - 1) / per_chunk;
    uint8_t *rec = malloc(n * STRIDE);
    size_t *cf = malloc((nch + 1) * sizeof *cf);
    cbz_gpu_column_stats *sg = malloc(nch * NCOL * sizeof *sg), *sc = malloc(nch * NCOL * sizeof *sc);
    cbz_gpu_column_out og[NCOL], oc[NCOL];
    if (!rec || !cf || !sg || !sc || alloc_outs(og, n) || alloc_outs(oc, n)) {
        printf("end-to-end part skipped: out of host memory\n");
        return 1;
    }
    make_records(rec, n);
    for (size_t k = 0; k <= nch; k++) cf[k] = k * per_chunk < n ? k * per_chunk : n;
    double best_g = 1e30, best_c = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double a = now_s();
        if (cbz_gpu_columns(rec, n, STRIDE, cf, nch, cols, NCOL, og, sg, &err) != CBZ_OK) {
            printf("cbz_gpu_columns failed: %s\n", err.msg);
            return 1;
        }
        double b = now_s();
        cpu_columns(rec, cf, nch, oc, sc);
        double c = now_s();
        if (b - a < best_g) best_g = b - a;
        if (c - b < best_c) best_c = c - b;
    }
    int same = memcmp(sg, sc, nch * NCOL * sizeof *sg) == 0;
    for (int c = 0; c < NCOL && same; c++) {
        same &= memcmp(og[c].values, oc[c].values, n * cols[c].width) == 0;
        if (og[c].num) same &= memcmp(og[c].num, oc[c].num, n * 8) == 0 && memcmp(og[c].form, oc[c].form, n) == 0 &&
                               memcmp(og[c].invalid, oc[c].invalid, n) == 0;
        if (og[c].text_len) same &= memcmp(og[c].text_len, oc[c].text_len, n * 4) == 0;
    }
    double bytes = (double)n * STRIDE;
    double gpu_rate = bytes / best_g, cpu_rate = bytes / best_c;
    printf("\nL2 split + L3/L4 decode + L5/L7 candidates, %zu records of %d bytes (%.2f GB), %zu chunks, %d columns:\n",
           n, STRIDE, bytes / 1e9, nch, NCOL);
    printf("  GPU (host buffers, PCIe included): %7.3f s  %6.2f GB/s\n", best_g, gpu_rate / 1e9);
    printf("  CPU (%s, %2d threads):          %7.3f s  %6.2f GB/s\n", cbz_kernels_variant_name(),
           omp_get_max_threads(), best_c, cpu_rate / 1e9);
    printf("  results identical (values, numbers, forms, flags, lengths, stats): %s\n", same ? "yes" : "NO");
    /* break-even: startup + B/gpu_rate = B/cpu_rate */
    if (gpu_rate > cpu_rate) {
        double be = startup / (1.0 / cpu_rate - 1.0 / gpu_rate);
        printf("  break-even input size for --device auto (gpu_min_bytes): %.0f MiB\n", be / (1 << 20));
    } else {
        printf("  break-even: none -- this stage is not faster on the GPU than on %d cores\n",
               omp_get_max_threads());
    }
    free_outs(og);
    free_outs(oc);
    free(rec), free(cf), free(sg), free(sc);
    cbz_gpu_release();
    return same ? 0 : 1;
}
