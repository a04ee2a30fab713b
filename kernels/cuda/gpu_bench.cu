/*
 * gpu_bench.cu — the benchmark hook of kernels/gpu.h: times one kernel on
 * device-resident buffers (input made valid and random on the host, copied
 * once) with CUDA events, median of the repetitions, next to a device-to-
 * device cudaMemcpy moving the same bytes (read + write).  Outside the
 * memory manager on purpose: it measures the kernels, not PCIe.
 */
#include "gpu_internal.cuh"

#include "kernels.h"

#include <algorithm>
#include <stdlib.h>
#include <string.h>
#include <vector>

static const char *const bench_names[] = { "gather",  "packed_to_i64", "zoned_to_i64",
                                           "be_to_i64", "text_lengths", "i64_to_packed",
                                           "delta_encode", "zigzag_encode", "minmax",
                                           "max_bits_u64", "bitpack_u64", "column_stats",
                                           "split", NULL };

extern "C" const char *const *cbz_gpu_bench_kernels(void) { return bench_names; }

static uint64_t rng = 0x243F6A8885A308D3ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct dev_buf {
    void *p = NULL;
    ~dev_buf()
    {
        if (p) cudaFree(p);
    }
};

#define RECORD_STRIDE 100

extern "C" cbz_status cbz_gpu_bench(const char *kernel, size_t n, size_t width, int reps,
                                    cbz_gpu_bench_row *row, cbz_error *err)
{
    if (!cbz_gpu_available()) {
        cbz_gpu_info info;
        return cbz_gpu_query(&info, err); /* fills the reason */
    }
    if (reps < 1) reps = 1;
    int which = -1;
    for (int k = 0; bench_names[k]; k++)
        if (strcmp(kernel, bench_names[k]) == 0) which = k;
    CBZ_FAIL_IF(which < 0, err, CBZ_ERR_USAGE, "GPU bench: unknown kernel '%s'", kernel);
    CBZ_FAIL_IF(n == 0 || width == 0 || width > RECORD_STRIDE, err, CBZ_ERR_USAGE,
                "GPU bench: n %zu and width %zu (1..%d) make no benchmark", n, width, RECORD_STRIDE);
    if (which == 1 || which == 5) CBZ_FAIL_IF(width > CBZ_K_PACKED_MAX_WIDTH, err, CBZ_ERR_USAGE, "GPU bench: packed width %zu", width);
    if (which == 2) CBZ_FAIL_IF(width > CBZ_K_MAX_DIGITS, err, CBZ_ERR_USAGE, "GPU bench: zoned width %zu", width);
    if (which == 3) CBZ_FAIL_IF(width > 8, err, CBZ_ERR_USAGE, "GPU bench: binary width %zu", width);
    CBZ_CUDA_TRY(cudaSetDevice(0));

    /* host input: n values of `width` bytes (or int64), valid for the kernel */
    size_t in_bytes = n * (which == 0 || which == 12 ? RECORD_STRIDE : width);
    bool i64_in = which >= 5 && which <= 10;
    if (i64_in) in_bytes = n * 8;
    std::vector<uint8_t> host(in_bytes + (which == 5 ? n : 0));
    for (size_t i = 0; i < n; i++) {
        switch (which) {
        case 1: { /* packed: digits then a C/D sign */
            uint8_t *p = &host[i * width];
            for (size_t j = 0; j < width; j++) p[j] = (uint8_t)((rnd() % 10) << 4 | (rnd() % 10));
            if (width == CBZ_K_PACKED_MAX_WIDTH) p[0] &= 0x0F;
            p[width - 1] = (uint8_t)((p[width - 1] & 0xF0) | (rnd() & 1 ? 0xC : 0xD));
            break;
        }
        case 2: { /* zoned EBCDIC, trailing overpunch */
            uint8_t *p = &host[i * width];
            for (size_t j = 0; j < width; j++) p[j] = (uint8_t)(0xF0 | (rnd() % 10));
            p[width - 1] = (uint8_t)((rnd() & 1 ? 0xC0 : 0xD0) | (rnd() % 10));
            break;
        }
        case 4: { /* text with trailing spaces */
            uint8_t *p = &host[i * width];
            size_t l = rnd() % (width + 1);
            for (size_t j = 0; j < width; j++) p[j] = j < l ? (uint8_t)(0xC1 + rnd() % 9) : 0x40;
            break;
        }
        default:
            if (i64_in) {
                int64_t v = (int64_t)(rnd() % 1000000) - 500000 + (int64_t)i * 3;
                memcpy(&host[i * 8], &v, 8);
            } else {
                size_t w = which == 0 || which == 12 ? RECORD_STRIDE : width;
                for (size_t j = 0; j < w; j++) host[i * w + j] = (uint8_t)rnd();
            }
        }
    }
    if (which == 5) /* sign nibbles */
        for (size_t i = 0; i < n; i++) host[in_bytes + i] = (uint8_t)(rnd() & 1 ? 0xC : 0xD);

    size_t out_bytes = 0;
    switch (which) {
    case 0: out_bytes = n * width; break;
    case 1: case 2: out_bytes = n * 10; break;
    case 3: out_bytes = n * 8; break;
    case 4: out_bytes = n * 4; break;
    case 5: out_bytes = n * width; break;
    case 6: case 7: out_bytes = n * 8; break;
    case 8: case 9: out_bytes = 0; break;
    case 10: out_bytes = cbz_k_bitpack_size(n, 23); break;
    case 11: out_bytes = n * 8 + 64 * sizeof(gpu_stats); break;
    case 12: /* every column, each padded to 256 bytes like the engine's segments */
        for (size_t off = 0; off < RECORD_STRIDE; off += width)
            out_bytes += (n * std::min<size_t>(width, RECORD_STRIDE - off) + 255) & ~(size_t)255;
        break;
    }
    /* column_stats: the column of int64 in place plus an invalid flag per value */
    if (which == 11) {
        host.assign(n * 9, 0);
        for (size_t i = 0; i < n; i++) {
            int64_t v = (int64_t)(rnd() % 1000) + (int64_t)i;
            memcpy(&host[i * 8], &v, 8);
            host[n * 8 + i] = (rnd() % 100) == 0;
        }
        in_bytes = n * 9;
        out_bytes = 64 * sizeof(gpu_stats);
    }

    dev_buf din, dout, dcopy, daux, dbounds;
    CBZ_CUDA_TRY(cudaMalloc(&din.p, host.size()));
    CBZ_CUDA_TRY(cudaMalloc(&dout.p, out_bytes ? out_bytes : 8));
    CBZ_CUDA_TRY(cudaMalloc(&daux.p, AUX_WORDS * 8));
    CBZ_CUDA_TRY(cudaMemcpy(din.p, host.data(), host.size(), cudaMemcpyHostToDevice));
    std::vector<uint64_t> bounds(65);
    for (size_t k = 0; k <= 64; k++) bounds[k] = n * k / 64;
    CBZ_CUDA_TRY(cudaMalloc(&dbounds.p, bounds.size() * 8));
    CBZ_CUDA_TRY(cudaMemcpy(dbounds.p, bounds.data(), bounds.size() * 8, cudaMemcpyHostToDevice));

    /* bytes the kernel reads + writes (what it must move at least) */
    uint64_t bytes = 0;
    switch (which) {
    case 0: bytes = 2 * n * width; break;                       /* the column's bytes in and out */
    case 1: case 2: bytes = n * width + n * 10; break;
    case 3: bytes = n * width + n * 8; break;
    case 4: bytes = n * width + n * 4; break;
    case 5: bytes = n * 9 + n * width; break;
    case 6: case 7: bytes = n * 16; break;
    case 8: case 9: bytes = n * 8; break;
    case 10: bytes = n * 8 + out_bytes; break;
    case 11: bytes = n * 9 + n * 8 / 100; break;               /* read + the few in-place writes */
    case 12: bytes = 2 * n * RECORD_STRIDE; break;              /* every record in, every column out */
    }
    CBZ_CUDA_TRY(cudaMalloc(&dcopy.p, bytes / 2 + 8));

    cudaStream_t s = 0;
    uint8_t *in = (uint8_t *)din.p, *out = (uint8_t *)dout.p;
    /* split: the record cut into columns of `width` bytes (the last one shorter),
     * each column's n values back to back in out, 256-byte aligned like the
     * engine's segments */
    std::vector<gl_split_col> split;
    if (which == 12) {
        size_t at = 0;
        for (uint32_t off = 0; off < RECORD_STRIDE; off += (uint32_t)width) {
            uint32_t w = (uint32_t)std::min<size_t>(width, RECORD_STRIDE - off);
            split.push_back(gl_split_col{ out + at, off, w });
            at += (n * w + 255) & ~(size_t)255;
        }
    }
    unsigned long long *aux = (unsigned long long *)daux.p;
    auto launch = [&]() -> cudaError_t {
        switch (which) {
        case 0: return gl_gather(s, in, n, RECORD_STRIDE, 20 % (RECORD_STRIDE - width + 1), width, out);
        case 1: return gl_packed_to_i64(s, in, n, width, (int64_t *)out, out + n * 8, out + n * 9, aux);
        case 2: return gl_zoned_to_i64(s, in, n, width, CBZ_K_SIGN_TRAILING, 1, (int64_t *)out, out + n * 8, out + n * 9, aux);
        case 3: return gl_be_to_i64(s, in, n, width, 1, (int64_t *)out);
        case 4: return gl_text_lengths(s, in, n, width, 0x40, (uint32_t *)out, aux);
        case 5: return gl_i64_to_packed(s, (const int64_t *)in, in + n * 8, n, width, out);
        case 6: return gl_delta_encode(s, (const int64_t *)in, 0, 0, n, (int64_t *)out);
        case 7: return gl_zigzag_encode(s, (const int64_t *)in, n, (uint64_t *)out);
        case 8: return gl_minmax(s, (const int64_t *)in, n, aux);
        case 9: return gl_or_u64(s, (const uint64_t *)in, n, aux);
        case 10: return gl_bitpack_u64(s, (const uint64_t *)in, n, 23, out);
        case 11: return gl_column_stats(s, CBZ_GPU_COL_ZONED, (const uint64_t *)dbounds.p, 64,
                                        (int64_t *)in, in + n * 8, NULL, (gpu_stats *)out);
        case 12: return gl_split(s, in, n, RECORD_STRIDE, n * RECORD_STRIDE, split.data(), split.size());
        }
        return cudaSuccess;
    };
    cudaEvent_t e0, e1;
    CBZ_CUDA_TRY(cudaEventCreate(&e0));
    CBZ_CUDA_TRY(cudaEventCreate(&e1));
    std::vector<float> tk, tc;
    cbz_status rc = CBZ_OK;
    for (int r = -2; r < reps && rc == CBZ_OK; r++) { /* two warm-up runs */
        float ms = 0;
        cudaError_t e = cudaEventRecord(e0, s);
        if (e == cudaSuccess) e = launch();
        if (e == cudaSuccess) e = cudaEventRecord(e1, s);
        if (e == cudaSuccess) e = cudaEventSynchronize(e1);
        if (e == cudaSuccess) e = cudaEventElapsedTime(&ms, e0, e1);
        if (e != cudaSuccess) {
            rc = cbz_gpu_fail_cuda(err, e, kernel, __FILE__, __LINE__);
            break;
        }
        if (r >= 0) tk.push_back(ms);
        e = cudaEventRecord(e0, s);
        if (e == cudaSuccess) e = cudaMemcpyAsync(dcopy.p, din.p, std::min<size_t>(bytes / 2, host.size()), cudaMemcpyDeviceToDevice, s);
        if (e == cudaSuccess) e = cudaEventRecord(e1, s);
        if (e == cudaSuccess) e = cudaEventSynchronize(e1);
        if (e == cudaSuccess) e = cudaEventElapsedTime(&ms, e0, e1);
        if (e != cudaSuccess) {
            rc = cbz_gpu_fail_cuda(err, e, "cudaMemcpy device to device", __FILE__, __LINE__);
            break;
        }
        if (r >= 0) tc.push_back(ms);
    }
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    if (rc != CBZ_OK) return rc;
    std::sort(tk.begin(), tk.end());
    std::sort(tc.begin(), tc.end());
    memset(row, 0, sizeof *row);
    row->kernel_ms = tk[tk.size() / 2];
    row->copy_ms = tc[tc.size() / 2];
    /* the copy moves min(bytes/2, input) bytes each way */
    uint64_t copy_bytes = 2 * (uint64_t)std::min<size_t>(bytes / 2, host.size());
    row->bytes = bytes;
    row->kernel_gbs = row->kernel_ms > 0 ? (double)bytes / (row->kernel_ms * 1e6) : 0;
    row->copy_gbs = row->copy_ms > 0 ? (double)copy_bytes / (row->copy_ms * 1e6) : 0;
    return CBZ_OK;
}
