/*
 * gpu_stub.c — the GPU boundary (kernels/gpu.h) when the build has no CUDA
 * backend: cbz_gpu_available() is false and every entry fails with
 * CBZ_ERR_DEVICE, so callers take their CPU path.  The GNUmakefile compiles
 * this file only when kernels/cuda/ is not built.
 */
#include "gpu.h"

#define NO_GPU(err) cbz_fail((err), CBZ_ERR_DEVICE, "no GPU: this build of cobzip has no CUDA backend")

bool cbz_gpu_built(void) { return false; }
bool cbz_gpu_available(void) { return false; }
cbz_status cbz_gpu_query(cbz_gpu_info *info, cbz_error *err)
{
    (void)info;
    return NO_GPU(err);
}
void cbz_gpu_set_slot_limit(size_t bytes) { (void)bytes; }
void cbz_gpu_release(void) {}

cbz_status cbz_gpu_gather(const uint8_t *records, size_t n, size_t stride, size_t offset,
                          size_t width, uint8_t *col, cbz_error *err)
{
    (void)records, (void)n, (void)stride, (void)offset, (void)width, (void)col;
    return NO_GPU(err);
}
cbz_status cbz_gpu_text_lengths(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                uint32_t *len, size_t *total, cbz_error *err)
{
    (void)in, (void)n, (void)width, (void)pad, (void)len, (void)total;
    return NO_GPU(err);
}
cbz_status cbz_gpu_packed_to_i64(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                 uint8_t *sign, uint8_t *invalid, size_t *n_invalid,
                                 cbz_error *err)
{
    (void)in, (void)n, (void)width, (void)out, (void)sign, (void)invalid, (void)n_invalid;
    return NO_GPU(err);
}
cbz_status cbz_gpu_i64_to_packed(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                 uint8_t *out, cbz_error *err)
{
    (void)in, (void)sign, (void)n, (void)width, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_zoned_to_i64(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid,
                                size_t *n_invalid, cbz_error *err)
{
    (void)in, (void)n, (void)width, (void)sign_mode, (void)ebcdic, (void)out, (void)form;
    (void)invalid, (void)n_invalid;
    return NO_GPU(err);
}
cbz_status cbz_gpu_i64_to_zoned(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                                int sign_mode, int ebcdic, uint8_t *out, cbz_error *err)
{
    (void)in, (void)form, (void)n, (void)width, (void)sign_mode, (void)ebcdic, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_be_to_i64(const uint8_t *in, size_t n, size_t width, int is_signed,
                             int64_t *out, cbz_error *err)
{
    (void)in, (void)n, (void)width, (void)is_signed, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_delta_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err)
{
    (void)in, (void)n, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_delta2_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err)
{
    (void)in, (void)n, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_zigzag_encode(const int64_t *in, size_t n, uint64_t *out, cbz_error *err)
{
    (void)in, (void)n, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_minmax(const int64_t *in, size_t n, int64_t *min, int64_t *max,
                          cbz_error *err)
{
    (void)in, (void)n, (void)min, (void)max;
    return NO_GPU(err);
}
cbz_status cbz_gpu_run_count(const int64_t *in, size_t n, size_t *runs, cbz_error *err)
{
    (void)in, (void)n, (void)runs;
    return NO_GPU(err);
}
cbz_status cbz_gpu_max_bits_u64(const uint64_t *in, size_t n, unsigned *bits, cbz_error *err)
{
    (void)in, (void)n, (void)bits;
    return NO_GPU(err);
}
cbz_status cbz_gpu_bitpack_u64(const uint64_t *in, size_t n, unsigned bits, uint8_t *out,
                               cbz_error *err)
{
    (void)in, (void)n, (void)bits, (void)out;
    return NO_GPU(err);
}
cbz_status cbz_gpu_columns(const uint8_t *records, size_t n, size_t stride,
                           const size_t *chunk_first, size_t n_chunks,
                           const cbz_gpu_column *cols, size_t n_cols,
                           const cbz_gpu_column_out *outs, cbz_gpu_column_stats *stats,
                           cbz_error *err)
{
    (void)records, (void)n, (void)stride, (void)chunk_first, (void)n_chunks, (void)cols;
    (void)n_cols, (void)outs, (void)stats;
    return NO_GPU(err);
}

const char *const *cbz_gpu_bench_kernels(void)
{
    static const char *const none[] = { NULL };
    return none;
}
cbz_status cbz_gpu_bench(const char *kernel, size_t n, size_t width, int reps,
                         cbz_gpu_bench_row *row, cbz_error *err)
{
    (void)kernel, (void)n, (void)width, (void)reps, (void)row;
    return NO_GPU(err);
}
