/*
 * gpu.h — the whole host/device boundary of the CUDA backend.
 *
 * Host C includes this file and never a CUDA header.  The CUDA backend
 * (the kernels/cuda/ sources, linked with cudart_static) is a shared object,
 * libcobzip_cuda.so, that the host loads with dlopen the first time an entry
 * is really needed (kernels/gpu_loader.c says where it is searched); the
 * cobzip binary itself links neither cudart nor libstdc++.  On the host side
 * every cbz_gpu_* function below is defined by kernels/gpu_loader.c, which
 * forwards through the table the .so returns from its one export,
 * cbz_gpu_backend_api() (end of this file).  Inside the .so the same names are
 * defined by kernels/cuda/ with hidden visibility.  When the .so is missing,
 * stale or fails to load, cbz_gpu_available() is false and every entry fails
 * with CBZ_ERR_DEVICE, "no CUDA backend: dlopen(PATH): <why>".  Plain C types
 * only.
 *
 * Every entry takes HOST buffers: the device memory manager (cuda/gpu_mem.cu)
 * copies them through pinned staging buffers to the device in batches sized
 * from free device memory (never above 85% of it), on two streams so that one
 * batch's host-to-device copy overlaps the other's kernel and device-to-host
 * copy.  Inputs of any size go through; nothing is kept on the device between
 * calls except the reusable buffers.
 *
 * Each numeric entry is the bit-exact twin of the kernels.h kernel of the same
 * name (same contract, same results for every input, invalid ones included);
 * tests/unit/test_gpu.c checks this byte for byte.  Every CUDA error becomes
 * CBZ_ERR_DEVICE with a reason naming the call, the CUDA error string and the
 * source line; callers fall back to the CPU kernels (src/device.c says how).
 *
 * Calls are serialised by one lock inside the backend: several host threads
 * may call, but they take turns on the device.
 */
#ifndef CBZ_GPU_H
#define CBZ_GPU_H

#include "cobzip.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * The device.
 * ---------------------------------------------------------------------- */

/* True when the CUDA backend is loaded (loads it on the first call). */
bool cbz_gpu_built(void);

/* True when a CUDA device of compute capability >= 9.0 (the code is built
 * for sm_90) answers.  Probed once; the environment variable
 * CBZ_GPU_DISABLE=1 makes it false (tests of the CPU fallback). */
bool cbz_gpu_available(void);

typedef struct cbz_gpu_info {
    char name[128];            /* "NVIDIA H100 80GB HBM3" */
    int cc_major, cc_minor;    /* compute capability */
    int multiprocessors;
    int driver_version;        /* e.g. 13000 */
    int runtime_version;
    uint64_t total_bytes;      /* device memory */
    uint64_t free_bytes;       /* free when asked */
    uint64_t batch_bytes;      /* device bytes the memory manager uses per stream slot */
} cbz_gpu_info;

/* Fills *info; CBZ_ERR_DEVICE (with the reason) when no device is usable. */
cbz_status cbz_gpu_query(cbz_gpu_info *info, cbz_error *err);

/* Caps the device bytes of each of the two stream slots (0: automatic, i.e.
 * 85% of free device memory shared by the slots, at most 512 MiB each).
 * Tests use a small cap so that every entry goes through many batches. */
void cbz_gpu_set_slot_limit(size_t bytes);

/* Frees the device and pinned buffers and the streams (they are made again
 * on the next call).  Optional: process exit frees them too. */
void cbz_gpu_release(void);

/* ------------------------------------------------------------------------
 * Kernel twins on host buffers (kernels.h states each contract).  Widths
 * and bit counts out of the kernels.h ranges give CBZ_ERR_USAGE; n == 0 is
 * valid and does nothing.  Where a kernels.h kernel returns a count, it is
 * stored through the last pointer argument before err.
 * ---------------------------------------------------------------------- */
cbz_status cbz_gpu_gather(const uint8_t *records, size_t n, size_t stride, size_t offset,
                          size_t width, uint8_t *col, cbz_error *err);
cbz_status cbz_gpu_text_lengths(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                uint32_t *len, size_t *total, cbz_error *err);
cbz_status cbz_gpu_packed_to_i64(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                 uint8_t *sign, uint8_t *invalid, size_t *n_invalid,
                                 cbz_error *err);
cbz_status cbz_gpu_i64_to_packed(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                 uint8_t *out, cbz_error *err);
cbz_status cbz_gpu_zoned_to_i64(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid,
                                size_t *n_invalid, cbz_error *err);
cbz_status cbz_gpu_i64_to_zoned(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                                int sign_mode, int ebcdic, uint8_t *out, cbz_error *err);
cbz_status cbz_gpu_be_to_i64(const uint8_t *in, size_t n, size_t width, int is_signed,
                             int64_t *out, cbz_error *err);
/* in == out allowed for the three maps below, as in kernels.h. */
cbz_status cbz_gpu_delta_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err);
cbz_status cbz_gpu_delta2_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err);
cbz_status cbz_gpu_zigzag_encode(const int64_t *in, size_t n, uint64_t *out, cbz_error *err);
/* n >= 1 (as kernels.h's minmax); n == 0 gives min = max = 0. */
cbz_status cbz_gpu_minmax(const int64_t *in, size_t n, int64_t *min, int64_t *max,
                          cbz_error *err);
cbz_status cbz_gpu_run_count(const int64_t *in, size_t n, size_t *runs, cbz_error *err);
cbz_status cbz_gpu_max_bits_u64(const uint64_t *in, size_t n, unsigned *bits, cbz_error *err);
cbz_status cbz_gpu_bitpack_u64(const uint64_t *in, size_t n, unsigned bits, uint8_t *out,
                               cbz_error *err);

/* ------------------------------------------------------------------------
 * The engine's batch entry: L2 split + L3/L4 decode + L5 candidates + L7
 * widths of every column of a batch of chunks of fixed-length records, in one
 * pass over the records on the device.  The CPU then makes the remaining
 * choices (L5 transform, L6 dictionary), bit-packs and runs zstd; because the
 * kernels are bit-exact twins the archive is the same bytes as the CPU path's.
 * docs/GPU.md shows the calls.
 * ---------------------------------------------------------------------- */

/* Column kinds: the same values as cbz_col_kind (src/column.h). */
enum { CBZ_GPU_COL_RAW = 0, CBZ_GPU_COL_TEXT = 1, CBZ_GPU_COL_ZONED = 2,
       CBZ_GPU_COL_PACKED = 3, CBZ_GPU_COL_BINARY = 4 };

typedef struct cbz_gpu_column {
    uint32_t offset;      /* in the record; offset + width <= stride */
    uint32_t width;       /* bytes per value (kind's kernels.h range) */
    uint8_t kind;         /* CBZ_GPU_COL_* */
    uint8_t is_signed;    /* BINARY */
    uint8_t sign_mode;    /* ZONED: CBZ_K_SIGN_* */
    uint8_t ebcdic;       /* ZONED: 1 EBCDIC, 0 ASCII */
    uint8_t pad;          /* TEXT: the pad byte (0x40 EBCDIC space, 0x20 ASCII) */
    uint8_t reserved[3];
} cbz_gpu_column;

/* Where the results of column c go, for all records of the batch (value i of
 * the batch at index i; chunk k's values start at chunk_first[k]).  Any
 * pointer may be NULL: that result is then not copied back (saving PCIe
 * bandwidth); stats are always computed. */
typedef struct cbz_gpu_column_out {
    uint8_t *values;      /* n * width: the column's bytes (L2 split) */
    int64_t *num;         /* numeric kinds: n values, see below */
    uint8_t *form;        /* numeric kinds: sign nibble / zone / sign byte, 0 when invalid */
    uint8_t *invalid;     /* numeric kinds: 1 when the value does not conform (L3) */
    uint32_t *text_len;   /* TEXT: length without trailing pad */
} cbz_gpu_column_out;

/* Per chunk and column.  For numeric kinds, num is the decoded value with
 * every invalid value replaced by the last valid one before it in the chunk
 * (0 when none): the "neutral value" column.c uses, so that the candidates
 * below are those of exactly the integers the CPU path transforms. */
typedef struct cbz_gpu_column_stats {
    uint64_t n_invalid;   /* numeric: values flagged invalid */
    uint64_t text_total;  /* TEXT: sum of text_len */
    int64_t min, max;     /* of num (0, 0 when the chunk is empty) */
    int64_t dmin, dmax;   /* of delta_encode(num)[1..n) (0, 0 when n < 2) */
    int64_t d2min, d2max; /* of delta2_encode(num)[2..n) (0, 0 when n < 3) */
    uint64_t runs;        /* run_count(num) */
    uint8_t bits_zigzag;  /* max_bits(zigzag_encode(num)): L5 none */
    uint8_t bits_for;     /* max_bits(num - min): L5 frame of reference */
    uint8_t bits_delta;   /* max_bits(delta[1..] - dmin) */
    uint8_t bits_delta2;  /* max_bits(delta2[2..] - d2min) */
    uint8_t reserved[4];
} cbz_gpu_column_stats;

/* records: n records of `stride` bytes back to back (RECFM F/FB payloads).
 * chunk_first[0..n_chunks]: record index where chunk k starts, ascending,
 * chunk_first[0] == 0 and chunk_first[n_chunks] == n.  outs: n_cols entries;
 * stats: n_chunks * n_cols entries, chunk-major (stats[k * n_cols + c]).
 * A chunk whose records and results do not fit one stream slot gives
 * CBZ_ERR_DEVICE (the caller falls back to the CPU for that batch). */
cbz_status cbz_gpu_columns(const uint8_t *records, size_t n, size_t stride,
                           const size_t *chunk_first, size_t n_chunks,
                           const cbz_gpu_column *cols, size_t n_cols,
                           const cbz_gpu_column_out *outs, cbz_gpu_column_stats *stats,
                           cbz_error *err);

/* ------------------------------------------------------------------------
 * Benchmark hook (bench/bench_gpu.c): times one kernel on device-resident
 * buffers of n values of `width` bytes (random valid input made on the host),
 * the median of `reps` runs with device events, next to a device-to-device
 * cudaMemcpy of the same number of bytes (bytes read + bytes written).
 * ---------------------------------------------------------------------- */
typedef struct cbz_gpu_bench_row {
    double kernel_ms;      /* median */
    double copy_ms;        /* median cudaMemcpy D2D of `bytes` / 2 bytes (read + write = bytes) */
    uint64_t bytes;        /* bytes the kernel reads + writes */
    double kernel_gbs, copy_gbs;
} cbz_gpu_bench_row;

/* Names the bench hook knows, NULL-terminated. */
const char *const *cbz_gpu_bench_kernels(void);
cbz_status cbz_gpu_bench(const char *kernel, size_t n, size_t width, int reps,
                         cbz_gpu_bench_row *row, cbz_error *err);

/* ------------------------------------------------------------------------
 * Loading.  libcobzip_cuda.so exports one symbol, cbz_gpu_backend_api, which
 * returns this table; the loader refuses a table whose version or size is not
 * this header's (a stale .so).  Adding or changing an entry: add it at the
 * end, bump CBZ_GPU_API_VERSION.
 * ---------------------------------------------------------------------- */
#define CBZ_GPU_BACKEND_FILE "libcobzip_cuda.so"
#define CBZ_GPU_BACKEND_ENTRY "cbz_gpu_backend_api"
#define CBZ_GPU_API_VERSION 1u

typedef struct cbz_gpu_api {
    uint32_t version;   /* CBZ_GPU_API_VERSION of the .so's build */
    uint32_t size;      /* sizeof(cbz_gpu_api) of the .so's build */
    bool (*available)(void);
    cbz_status (*query)(cbz_gpu_info *info, cbz_error *err);
    void (*set_slot_limit)(size_t bytes);
    void (*release)(void);
    cbz_status (*gather)(const uint8_t *records, size_t n, size_t stride, size_t offset,
                         size_t width, uint8_t *col, cbz_error *err);
    cbz_status (*text_lengths)(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                               uint32_t *len, size_t *total, cbz_error *err);
    cbz_status (*packed_to_i64)(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                uint8_t *sign, uint8_t *invalid, size_t *n_invalid,
                                cbz_error *err);
    cbz_status (*i64_to_packed)(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                uint8_t *out, cbz_error *err);
    cbz_status (*zoned_to_i64)(const uint8_t *in, size_t n, size_t width, int sign_mode,
                               int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid,
                               size_t *n_invalid, cbz_error *err);
    cbz_status (*i64_to_zoned)(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                               int sign_mode, int ebcdic, uint8_t *out, cbz_error *err);
    cbz_status (*be_to_i64)(const uint8_t *in, size_t n, size_t width, int is_signed,
                            int64_t *out, cbz_error *err);
    cbz_status (*delta_encode)(const int64_t *in, size_t n, int64_t *out, cbz_error *err);
    cbz_status (*delta2_encode)(const int64_t *in, size_t n, int64_t *out, cbz_error *err);
    cbz_status (*zigzag_encode)(const int64_t *in, size_t n, uint64_t *out, cbz_error *err);
    cbz_status (*minmax)(const int64_t *in, size_t n, int64_t *min, int64_t *max,
                         cbz_error *err);
    cbz_status (*run_count)(const int64_t *in, size_t n, size_t *runs, cbz_error *err);
    cbz_status (*max_bits_u64)(const uint64_t *in, size_t n, unsigned *bits, cbz_error *err);
    cbz_status (*bitpack_u64)(const uint64_t *in, size_t n, unsigned bits, uint8_t *out,
                              cbz_error *err);
    cbz_status (*columns)(const uint8_t *records, size_t n, size_t stride,
                          const size_t *chunk_first, size_t n_chunks,
                          const cbz_gpu_column *cols, size_t n_cols,
                          const cbz_gpu_column_out *outs, cbz_gpu_column_stats *stats,
                          cbz_error *err);
    const char *const *(*bench_kernels)(void);
    cbz_status (*bench)(const char *kernel, size_t n, size_t width, int reps,
                        cbz_gpu_bench_row *row, cbz_error *err);
} cbz_gpu_api;

/* The .so's one export (kernels/cuda/gpu_api.cu); the host never calls it
 * directly, it finds it with dlsym. */
__attribute__((visibility("default"))) const cbz_gpu_api *cbz_gpu_backend_api(void);

/* Host side, kernels/gpu_loader.c: NULL while no entry has tried to load the
 * backend; then "loaded PATH" or the reason it is not there ("no CUDA
 * backend: dlopen(PATH): ...").  Never loads anything itself (tests use it
 * to check that CPU-only work does not load the .so). */
const char *cbz_gpu_backend_status(void);

#ifdef __cplusplus
}
#endif
#endif /* CBZ_GPU_H */
