/*
 * gpu_internal.cuh — what the CUDA sources of kernels/cuda/ share and nothing
 * else includes: the launchers of the device kernels (gpu_kernels.cu) and the
 * checked-error helper that turns a cudaError_t into CBZ_ERR_DEVICE.
 *
 * Launchers take DEVICE pointers and a stream, launch, and return the launch
 * error (cudaGetLastError); they never synchronise.
 */
#ifndef CBZ_GPU_INTERNAL_CUH
#define CBZ_GPU_INTERNAL_CUH

#include "gpu.h"

#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>

/* The early-return macros of src/internal.h (not included here: it is C). */
#ifndef CBZ_TRY
#define CBZ_TRY(expr)                                                   \
    do {                                                                \
        cbz_status cbz_try_status_ = (expr);                            \
        if (cbz_try_status_ != CBZ_OK) return cbz_try_status_;          \
    } while (0)
#endif
#ifndef CBZ_FAIL_IF
#define CBZ_FAIL_IF(cond, err, code, ...)                               \
    do {                                                                \
        if (cond) return cbz_fail((err), (code), __VA_ARGS__);          \
    } while (0)
#endif

/* Turns a CUDA error into CBZ_ERR_DEVICE with the call, the CUDA error name
 * and text and the source line.  Defined in gpu_runtime.cu. */
cbz_status cbz_gpu_fail_cuda(cbz_error *err, cudaError_t e, const char *what, const char *file,
                             int line);

/* Every CUDA call of the backend goes through this: any error returns from
 * the enclosing function (which must have `cbz_error *err` in scope). */
#define CBZ_CUDA_TRY(call)                                                          \
    do {                                                                            \
        cudaError_t cbz_cuda_e_ = (call);                                           \
        if (cbz_cuda_e_ != cudaSuccess)                                             \
            return cbz_gpu_fail_cuda(err, cbz_cuda_e_, #call, __FILE__, __LINE__);  \
    } while (0)

/* Reductions land in these 8-byte words (device), set up by k_aux_init. */
enum { AUX_MIN = 0, AUX_MAX = 1, AUX_COUNT = 2, AUX_OR = 3, AUX_WORDS = 4 };

/* Device-side column stats: the cbz_gpu_column_stats of gpu.h. */
typedef cbz_gpu_column_stats gpu_stats;

cudaError_t gl_aux_init(cudaStream_t s, unsigned long long *aux);
cudaError_t gl_gather(cudaStream_t s, const uint8_t *rec, size_t n, size_t stride, size_t offset,
                      size_t width, uint8_t *col);
/* The L2 split: every column of n records of `stride` bytes in one pass (each
 * record read once); column c's n values go to cols[c].dst.  in_bytes: bytes
 * readable at rec (at least (n-1) x stride + the end of the widest column). */
struct gl_split_col {
    uint8_t *dst;
    uint32_t offset, width;
};
cudaError_t gl_split(cudaStream_t s, const uint8_t *rec, size_t n, size_t stride, size_t in_bytes,
                     const gl_split_col *cols, size_t ncols);
cudaError_t gl_text_lengths(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                            uint8_t pad, uint32_t *len, unsigned long long *aux);
cudaError_t gl_packed_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                             int64_t *out, uint8_t *sign, uint8_t *invalid,
                             unsigned long long *aux);
cudaError_t gl_i64_to_packed(cudaStream_t s, const int64_t *in, const uint8_t *sign, size_t n,
                             size_t width, uint8_t *out);
cudaError_t gl_zoned_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                            int sign_mode, int ebcdic, int64_t *out, uint8_t *form,
                            uint8_t *invalid, unsigned long long *aux);
cudaError_t gl_i64_to_zoned(cudaStream_t s, const int64_t *in, const uint8_t *form, size_t n,
                            size_t width, int sign_mode, int ebcdic, uint8_t *out);
cudaError_t gl_be_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                         int is_signed, int64_t *out);
/* halo: how many values before the first output value the input holds (0..2);
 * first: the global index of the first output value. */
cudaError_t gl_delta_encode(cudaStream_t s, const int64_t *in_with_halo, size_t halo,
                            size_t first, size_t n, int64_t *out);
cudaError_t gl_delta2_encode(cudaStream_t s, const int64_t *in_with_halo, size_t halo,
                             size_t first, size_t n, int64_t *out);
cudaError_t gl_zigzag_encode(cudaStream_t s, const int64_t *in, size_t n, uint64_t *out);
cudaError_t gl_minmax(cudaStream_t s, const int64_t *in, size_t n, unsigned long long *aux);
/* Counts i in [0, n) with in[i] != in[i-1]; in has `halo` (0 or 1) values before. */
cudaError_t gl_changes(cudaStream_t s, const int64_t *in_with_halo, size_t halo, size_t n,
                       unsigned long long *aux);
cudaError_t gl_or_u64(cudaStream_t s, const uint64_t *in, size_t n, unsigned long long *aux);
cudaError_t gl_bitpack_u64(cudaStream_t s, const uint64_t *in, size_t n, unsigned bits,
                           uint8_t *out);
/* Per chunk k in [0, nchunks) of one column: values [bounds[k], bounds[k+1])
 * of num/invalid (numeric kinds, num neutral-filled in place) or text_len
 * (TEXT); writes st[k]. */
cudaError_t gl_column_stats(cudaStream_t s, int kind, const uint64_t *bounds, size_t nchunks,
                            int64_t *num, const uint8_t *invalid, const uint32_t *text_len,
                            gpu_stats *st);

#endif
