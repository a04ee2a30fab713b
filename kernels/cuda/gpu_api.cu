/*
 * gpu_api.cu — the one export of libcobzip_cuda.so: cbz_gpu_backend_api()
 * returns the table of this backend's kernels/gpu.h entries (defined, with
 * hidden visibility, in gpu_runtime.cu and gpu_bench.cu), stamped with the
 * CBZ_GPU_API_VERSION and table size it was built with, which the host's
 * kernels/gpu_loader.c checks before using it.
 */
#include "gpu.h"

static const cbz_gpu_api api_table = {
    CBZ_GPU_API_VERSION,
    (uint32_t)sizeof(cbz_gpu_api),
    cbz_gpu_available,
    cbz_gpu_query,
    cbz_gpu_set_slot_limit,
    cbz_gpu_release,
    cbz_gpu_gather,
    cbz_gpu_text_lengths,
    cbz_gpu_packed_to_i64,
    cbz_gpu_i64_to_packed,
    cbz_gpu_zoned_to_i64,
    cbz_gpu_i64_to_zoned,
    cbz_gpu_be_to_i64,
    cbz_gpu_delta_encode,
    cbz_gpu_delta2_encode,
    cbz_gpu_zigzag_encode,
    cbz_gpu_minmax,
    cbz_gpu_run_count,
    cbz_gpu_max_bits_u64,
    cbz_gpu_bitpack_u64,
    cbz_gpu_columns,
    cbz_gpu_bench_kernels,
    cbz_gpu_bench,
};

extern "C" const cbz_gpu_api *cbz_gpu_backend_api(void) { return &api_table; }
