/*
 * gpu_kernels.cu — the CUDA twins of the kernels.h kernels (L2 gather, text
 * lengths, L3/L4 packed/zoned/binary decode and encode, L5 delta, delta2,
 * zigzag, min/max, runs, L7 max bits and bit-pack) and the per-chunk column
 * statistics of cbz_gpu_columns, with their launchers.
 *
 * Each device function repeats the arithmetic of kernels/portable.c step for
 * step (uint64 wrap-around, the same validity tests in the same order), so
 * results are bit-identical; tests/unit/test_gpu.c checks them byte for byte.
 * Reductions (counts, min/max, OR) go through warp shuffles and one atomic
 * per warp into 8-byte aux words.
 */
#include "gpu_internal.cuh"

#include "kernels.h"

#include <cuda_pipeline.h>

#define BLOCK 256

static unsigned grid_for(size_t items)
{
    size_t g = (items + BLOCK - 1) / BLOCK;
    if (g > 65535u * 16u) g = 65535u * 16u; /* grid-stride loops cover the rest */
    return g ? (unsigned)g : 1u;
}

/* Kernels that reduce into aux words: a grid the chip can hold a few times
 * over, so that one atomic per block stays cheap. */
static unsigned grid_reduce(size_t items)
{
    unsigned g = grid_for(items);
    return g > 2048u ? 2048u : g;
}

#define GRID_LOOP(i, n) \
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (size_t)gridDim.x * blockDim.x)

__device__ static inline unsigned long long warp_sum(unsigned long long v)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xFFFFFFFFu, v, o);
    return v;
}
__device__ static inline unsigned long long warp_or(unsigned long long v)
{
    for (int o = 16; o > 0; o >>= 1) v |= __shfl_down_sync(0xFFFFFFFFu, v, o);
    return v;
}
__device__ static inline long long warp_min(long long v)
{
    for (int o = 16; o > 0; o >>= 1) {
        long long y = __shfl_down_sync(0xFFFFFFFFu, v, o);
        v = y < v ? y : v;
    }
    return v;
}
__device__ static inline long long warp_max(long long v)
{
    for (int o = 16; o > 0; o >>= 1) {
        long long y = __shfl_down_sync(0xFFFFFFFFu, v, o);
        v = y > v ? y : v;
    }
    return v;
}

/* Block-wide reduction with op; the result is valid in thread 0.  Every
 * thread of the block must call (the grid-stride loops accumulate per thread
 * first, so they all do). */
template <typename T, typename Op> __device__ static T block_reduce_op(T v, Op op)
{
    __shared__ T sh[BLOCK / 32];
    for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_down_sync(0xFFFFFFFFu, v, o));
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    __syncthreads(); /* sh may still be read by an earlier call */
    if (lane == 0) sh[w] = v;
    __syncthreads();
    if (threadIdx.x == 0)
        for (int k = 1; k < BLOCK / 32; k++) v = op(v, sh[k]);
    return v;
}

struct op_sum { __device__ unsigned long long operator()(unsigned long long a, unsigned long long b) const { return a + b; } };
struct op_or { __device__ unsigned long long operator()(unsigned long long a, unsigned long long b) const { return a | b; } };
struct op_min { __device__ long long operator()(long long a, long long b) const { return b < a ? b : a; } };
struct op_max { __device__ long long operator()(long long a, long long b) const { return b > a ? b : a; } };

/* One atomic per block. */
__device__ static inline void aux_add(unsigned long long *aux, unsigned long long v)
{
    v = block_reduce_op(v, op_sum());
    if (threadIdx.x == 0 && v) atomicAdd(aux, v);
}

static cudaError_t launched(void) { return cudaGetLastError(); }

/* ------------------------------------------------------------------ aux */

__global__ void k_aux_init(unsigned long long *aux)
{
    aux[AUX_MIN] = (unsigned long long)INT64_MAX;
    aux[AUX_MAX] = (unsigned long long)INT64_MIN;
    aux[AUX_COUNT] = 0;
    aux[AUX_OR] = 0;
}

cudaError_t gl_aux_init(cudaStream_t s, unsigned long long *aux)
{
    k_aux_init<<<1, 1, 0, s>>>(aux);
    return launched();
}

/* ------------------------------------------------------------------ L2 */

/* One thread per output byte: writes are coalesced, reads mostly so. */
__global__ void k_gather(const uint8_t *rec, size_t n, size_t stride, size_t offset, size_t width,
                         uint8_t *col)
{
    size_t total = n * width;
    GRID_LOOP(t, total)
    {
        size_t i = t / width, j = t - i * width;
        col[t] = rec[i * stride + offset + j];
    }
}

/* Whole records, width a multiple of 4 at 4-aligned offsets and strides:
 * one thread per 4-byte word. */
__global__ void k_gather4(const uint8_t *rec, size_t n, size_t stride, size_t offset,
                          size_t width, uint8_t *col)
{
    size_t wq = width / 4, total = n * wq;
    GRID_LOOP(t, total)
    {
        size_t i = t / wq, j = t - i * wq;
        ((uint32_t *)col)[t] = *(const uint32_t *)(rec + i * stride + offset + 4 * j);
    }
}

cudaError_t gl_gather(cudaStream_t s, const uint8_t *rec, size_t n, size_t stride, size_t offset,
                      size_t width, uint8_t *col)
{
    if (n == 0 || width == 0) return cudaSuccess;
    if (width % 4 == 0 && stride % 4 == 0 && offset % 4 == 0 && ((uintptr_t)rec & 3) == 0 &&
        ((uintptr_t)col & 3) == 0)
        k_gather4<<<grid_for(n * width / 4), BLOCK, 0, s>>>(rec, n, stride, offset, width, col);
    else
        k_gather<<<grid_for(n * width), BLOCK, 0, s>>>(rec, n, stride, offset, width, col);
    return launched();
}

/* ------------------------------------------------------------------ tiles through shared memory */

/* Copies len bytes from global src into the block's shared tile dst (16-byte
 * aligned): 16-byte loads when src is 16-byte aligned, 4-byte loads when it is
 * 4-byte aligned, bytes otherwise.  Every thread of the block calls. */
__device__ static void tile_load(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t done = 0;
    if (((uintptr_t)src & 15) == 0) {
        size_t nv = len / 16;
        for (size_t q = threadIdx.x; q < nv; q += blockDim.x) ((uint4 *)dst)[q] = __ldg((const uint4 *)src + q);
        done = nv * 16;
    } else if (((uintptr_t)src & 3) == 0) {
        size_t nv = len / 4;
        for (size_t q = threadIdx.x; q < nv; q += blockDim.x) ((uint32_t *)dst)[q] = __ldg((const uint32_t *)src + q);
        done = nv * 4;
    }
    for (size_t q = done + threadIdx.x; q < len; q += blockDim.x) dst[q] = src[q];
}

/* The other way: len bytes of the shared tile src (16-byte aligned) to global dst. */
__device__ static void tile_store(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t done = 0;
    if (((uintptr_t)dst & 15) == 0) {
        size_t nv = len / 16;
        for (size_t q = threadIdx.x; q < nv; q += blockDim.x) ((uint4 *)dst)[q] = ((const uint4 *)src)[q];
        done = nv * 16;
    } else if (((uintptr_t)dst & 3) == 0) {
        size_t nv = len / 4;
        for (size_t q = threadIdx.x; q < nv; q += blockDim.x) ((uint32_t *)dst)[q] = ((const uint32_t *)src)[q];
        done = nv * 4;
    }
    for (size_t q = done + threadIdx.x; q < len; q += blockDim.x) dst[q] = src[q];
}

/* ------------------------------------------------------------------ L2 split: every column at once */

/* The split reads each record once: a block loads a tile of T whole records
 * into shared memory (cp.async, coalesced), then its warps write each
 * column's contiguous run for those records (T x width bytes at dst + r0 x
 * width).  The work units ("segments" of SPLIT_SEG output bytes) of all
 * columns are numbered once for a full tile (seg_first: prefix sums) and each
 * warp takes a contiguous eighth of them, so narrow and wide columns are
 * shared evenly and a warp finds its next column by stepping, not searching.
 * T is a multiple of SPLIT_SEG where the tile allows, so that every column's
 * run is whole segments.  The result is the bytes of one gather per column.
 *
 * Shared-memory banks decide the speed of narrow columns: the 32 lanes of a
 * warp read bytes of up to 32 different records.  Rows are therefore
 * `pitch` bytes apart, pitch = stride + 4 when stride is a multiple of 8
 * (pitch / 4 odd: 32 consecutive records fall in 32 different banks), else
 * stride (an odd stride / 4 already does; a stride that is no multiple of 4
 * leaves at most 2-way conflicts).  A whole segment is copied one of two ways,
 * each lane issuing all its shared reads before its first write:
 *  - words (width, offset and pitch multiples of 4, dst 4-aligned): lane l
 *    copies output words l, l+32, ... with one 4-byte shared read each;
 *  - bytes: lane l reads output bytes l, l+32, l+64, ... (consecutive lanes:
 *    the same or consecutive records) into the warp's staging row, and after
 *    __syncwarp writes output words l, l+32, ... (bytes straight to dst when
 *    dst is not 4-aligned).
 * A column's last, partial segment goes lane by lane.  Record i of output
 * byte j is j / width by a multiply (split_col.magic).
 * Measured on an H100 (docs/BENCHMARKS.md): 100-byte records cut into 1-byte
 * columns 84% of a device copy, 4-byte 97% (was 44% and 51%). */
#define SPLIT_COLS 192          /* columns per launch: the table is a kernel parameter */
#define SPLIT_SEG 256           /* output bytes per warp step: 8 per lane */
#define SPLIT_TILE_BYTES 40960  /* record bytes per block: 5 blocks per SM (the registers' limit) fit */
#define SPLIT_STAGE (BLOCK / 32 * SPLIT_SEG) /* the warps' staging rows, after the tile */

struct split_col {
    uint8_t *dst;
    uint16_t offset, width; /* < pitch <= 2944 (split_tile) */
    uint32_t magic;         /* ceil(2^31 / width): j / width = umulhi(2j, magic) for j x width < 2^31 */
};

struct split_table {
    split_col c[SPLIT_COLS];
    uint32_t seg_first[SPLIT_COLS + 1]; /* segments of a full tile, prefix sums */
};

static uint32_t div_magic(uint32_t d) { return (uint32_t)(((1ull << 31) + d - 1) / d); }

/* x / d for the d of m = div_magic(d), exact while x x d < 2^31 (x < 2^16
 * and d < 2^12 here: tiles are under 48 KiB). */
__device__ static inline unsigned div_by(unsigned x, uint32_t m) { return __umulhi(2 * x, m); }

/* tile_load for the split: len bytes of records at src into rows `pitch`
 * apart, asynchronously (cp.async: every thread's copies are in flight at
 * once and pass no registers).  Unpadded rows take 16-byte copies; padded
 * ones (pad: pitch = stride + 4) 4-byte copies, global word g of the tile
 * going to shared word g + g / (stride / 4) (rmagic = div_magic(stride / 4)).
 * A src that is not 4-byte aligned goes byte by byte.  Every thread calls;
 * the tile is complete after the caller's __syncthreads. */
__device__ static void split_load(uint8_t *sh, const uint8_t *src, unsigned len, bool pad,
                                  uint32_t rmagic)
{
    unsigned done = 0;
    if (!pad && ((uintptr_t)src & 15) == 0) {
        const unsigned nv = len / 16;
#pragma unroll 1
        for (unsigned q = threadIdx.x; q < nv; q += BLOCK)
            __pipeline_memcpy_async((uint4 *)sh + q, (const uint4 *)src + q, 16);
        done = nv * 16;
    } else if (((uintptr_t)src & 3) == 0) {
        const unsigned nw = len / 4;
#pragma unroll 1
        for (unsigned g = threadIdx.x; g < nw; g += BLOCK)
            __pipeline_memcpy_async((uint32_t *)sh + g + (pad ? div_by(g, rmagic) : 0),
                                    (const uint32_t *)src + g, 4);
        done = nw * 4;
    }
    __pipeline_commit();
#pragma unroll 1
    for (unsigned b = done + threadIdx.x; b < len; b += BLOCK)
        sh[b + (pad ? 4 * div_by(b / 4, rmagic) : 0)] = src[b];
    __pipeline_wait_prior(0);
}

__global__ void __launch_bounds__(BLOCK, 5) k_split(const uint8_t *rec, size_t n, size_t stride,
                                                    size_t in_bytes, unsigned T, unsigned pitch,
                                                    uint32_t rmagic, unsigned ncols,
                                                    const __grid_constant__ split_table tab)
{
    extern __shared__ uint4 split_sh[];
    uint8_t *sh = (uint8_t *)split_sh;
    const unsigned lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = BLOCK / 32;
    uint8_t *stage = sh + T * pitch + warp * SPLIT_SEG; /* T x pitch: a multiple of 16 */
    const bool pad = pitch != stride; /* then rmagic = div_magic(stride / 4) */
    /* this warp's segments [u0, u1) and the column of u0 */
    const unsigned nseg = tab.seg_first[ncols];
    const unsigned u0 = warp * nseg / nwarps, u1 = (warp + 1) * nseg / nwarps;
    unsigned c0 = 0, hi = ncols;
    while (hi - c0 > 1) {
        unsigned mid = (c0 + hi) / 2;
        if (tab.seg_first[mid] <= u0) c0 = mid;
        else hi = mid;
    }
    const size_t ntiles = (n + T - 1) / T;
    for (size_t tile = blockIdx.x; tile < ntiles; tile += gridDim.x) {
        const size_t r0 = tile * T;
        const unsigned m = (unsigned)(n - r0 < T ? n - r0 : T);
        size_t len = (size_t)m * stride;
        if (r0 * stride + len > in_bytes) len = in_bytes - r0 * stride; /* a short last record */
        __syncthreads(); /* the previous tile's reads are done */
        split_load(sh, rec + r0 * stride, (unsigned)len, pad, rmagic);
        __syncthreads();
        unsigned c = c0;
#pragma unroll 1
        for (unsigned u = u0; u < u1; u++) {
            while (tab.seg_first[c + 1] <= u) c++; /* columns of no segment are stepped over */
            const split_col d = tab.c[c];
            const unsigned w = d.width, L = m * w, base = (u - tab.seg_first[c]) * SPLIT_SEG;
            if (base >= L) continue; /* the last tile is short */
            uint8_t *out = d.dst + r0 * w;
            const uint8_t *src = sh + d.offset;
            const unsigned skip = pitch - w; /* output byte j is at shared j + offset + (j / w) x skip */
            if (base + SPLIT_SEG > L) { /* a column's last, partial segment: lane by lane */
                if (((w | d.offset | pitch | (uintptr_t)out) & 3) == 0)
#pragma unroll 1
                    for (unsigned j = base + 4 * lane; j < L; j += 128) {
                        const uint32_t *p = (const uint32_t *)(src + j + div_by(j, d.magic) * skip);
                        *(uint32_t *)(out + j) = *p;
                    }
                else
#pragma unroll 1
                    for (unsigned j = base + lane; j < L; j += 32) out[j] = src[j + div_by(j, d.magic) * skip];
                continue;
            }
            /* a whole segment: every shared read of a lane is issued before its first write */
            if (((w | d.offset | pitch | (uintptr_t)out) & 3) == 0) {
                uint32_t v[SPLIT_SEG / 128];
#pragma unroll
                for (unsigned s = 0; s < SPLIT_SEG / 128; s++) {
                    const unsigned j = base + 128 * s + 4 * lane;
                    v[s] = *(const uint32_t *)(src + j + div_by(j, d.magic) * skip);
                }
#pragma unroll
                for (unsigned s = 0; s < SPLIT_SEG / 128; s++)
                    *(uint32_t *)(out + base + 128 * s + 4 * lane) = v[s];
                continue;
            }
            uint8_t v[SPLIT_SEG / 32];
#pragma unroll
            for (unsigned s = 0; s < SPLIT_SEG / 32; s++) {
                const unsigned j = base + 32 * s + lane;
                v[s] = src[j + div_by(j, d.magic) * skip];
            }
            if (((uintptr_t)out & 3) == 0) {
#pragma unroll
                for (unsigned s = 0; s < SPLIT_SEG / 32; s++) stage[32 * s + lane] = v[s];
                __syncwarp();
#pragma unroll
                for (unsigned s = 0; s < SPLIT_SEG / 128; s++)
                    *(uint32_t *)(out + base + 128 * s + 4 * lane) = ((const uint32_t *)stage)[32 * s + lane];
                __syncwarp(); /* the staging row is read before the next segment writes it */
            } else {
#pragma unroll
                for (unsigned s = 0; s < SPLIT_SEG / 32; s++) out[base + 32 * s + lane] = v[s];
            }
        }
    }
}

/* Row pitch of a tile for this stride (see k_split). */
static unsigned split_pitch(size_t stride) { return (unsigned)(stride % 8 == 0 ? stride + 4 : stride); }

/* Records per tile for this stride: a multiple of SPLIT_SEG, else of 16 (0:
 * the stride is too wide for a tile). */
static unsigned split_tile(size_t stride)
{
    const size_t pitch = split_pitch(stride);
    size_t t = SPLIT_TILE_BYTES / pitch;
    t &= t >= SPLIT_SEG ? ~(size_t)(SPLIT_SEG - 1) : ~(size_t)15;
    if (t == 0 && 16 * pitch + SPLIT_STAGE <= 48 * 1024) t = 16;
    return (unsigned)t;
}

cudaError_t gl_split(cudaStream_t s, const uint8_t *rec, size_t n, size_t stride, size_t in_bytes,
                     const gl_split_col *cols, size_t ncols)
{
    if (n == 0 || ncols == 0) return cudaSuccess;
    unsigned T = split_tile(stride);
    if (T == 0) { /* records wider than a tile: one gather per column */
        for (size_t c = 0; c < ncols; c++) {
            cudaError_t e = gl_gather(s, rec, n, stride, cols[c].offset, cols[c].width, cols[c].dst);
            if (e != cudaSuccess) return e;
        }
        return cudaSuccess;
    }
    const unsigned pitch = split_pitch(stride);
    const uint32_t rmagic = pitch != stride ? div_magic((uint32_t)(stride / 4)) : 0;
    size_t ntiles = (n + T - 1) / T;
    unsigned grid = ntiles > (1u << 20) ? (1u << 20) : (unsigned)ntiles;
    for (size_t c0 = 0; c0 < ncols; c0 += SPLIT_COLS) {
        size_t nc = ncols - c0 < SPLIT_COLS ? ncols - c0 : SPLIT_COLS;
        split_table tab;
        uint32_t segs = 0;
        for (size_t c = 0; c < nc; c++) {
            const gl_split_col *g = &cols[c0 + c];
            tab.c[c].dst = g->dst;
            tab.c[c].offset = (uint16_t)g->offset;
            tab.c[c].width = (uint16_t)g->width;
            tab.c[c].magic = g->width ? div_magic(g->width) : 0;
            tab.seg_first[c] = segs;
            segs += (uint32_t)(((size_t)T * g->width + SPLIT_SEG - 1) / SPLIT_SEG);
        }
        tab.seg_first[nc] = segs;
        k_split<<<grid, BLOCK, (size_t)T * pitch + SPLIT_STAGE, s>>>(rec, n, stride, in_bytes, T, pitch,
                                                                     rmagic, (unsigned)nc, tab);
        cudaError_t e = cudaGetLastError();
        if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
}

__global__ void k_text_lengths(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                               uint32_t *len, unsigned long long *aux)
{
    unsigned long long sum = 0;
    GRID_LOOP(i, n)
    {
        const uint8_t *p = in + i * width;
        size_t l = width;
        while (l > 0 && p[l - 1] == pad) l--;
        len[i] = (uint32_t)l;
        sum += l;
    }
    aux_add(aux + AUX_COUNT, sum);
}

cudaError_t gl_text_lengths(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                            uint8_t pad, uint32_t *len, unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_text_lengths<<<grid_reduce(n), BLOCK, 0, s>>>(in, n, width, pad, len, aux);
    return launched();
}

/* ------------------------------------------------------------------ L3/L4 */

__device__ static inline int64_t apply_sign(uint64_t mag, int neg)
{
    return (int64_t)(neg ? (uint64_t)0 - mag : mag);
}
__device__ static inline uint64_t abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

__global__ void k_packed_to_i64(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                uint8_t *sign, uint8_t *invalid, unsigned long long *aux)
{
    unsigned long long bad = 0;
    GRID_LOOP(i, n)
    {
        const uint8_t *p = in + i * width;
        uint64_t v = 0;
        unsigned ok = 1;
        for (size_t j = 0; j + 1 < width; j++) {
            unsigned b = p[j], hi = b >> 4, lo = b & 15u;
            ok &= (hi < 10) & (lo < 10);
            v = v * 100 + hi * 10 + lo;
        }
        unsigned last = p[width - 1], hi = last >> 4, sg = last & 15u;
        ok &= (hi < 10) & (sg >= 10);
        v = v * 10 + hi;
        if (width == CBZ_K_PACKED_MAX_WIDTH) ok &= (p[0] >> 4) == 0;
        int neg = (sg == 0xB) | (sg == 0xD);
        out[i] = ok ? apply_sign(v, neg) : 0;
        sign[i] = ok ? (uint8_t)sg : 0;
        invalid[i] = (uint8_t)!ok;
        bad += !ok;
    }
    aux_add(aux + AUX_COUNT, bad);
}

cudaError_t gl_packed_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                             int64_t *out, uint8_t *sign, uint8_t *invalid,
                             unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_packed_to_i64<<<grid_reduce(n), BLOCK, 0, s>>>(in, n, width, out, sign, invalid, aux);
    return launched();
}

/* The decimal digits of v from the least significant one, in 32-bit steps:
 * v = c * 10^16 + b * 10^8 + a with a, b < 10^8 and c < 1845. */
struct digits_u64 {
    uint32_t cur, next1, next2;
    int left;
    __device__ explicit digits_u64(uint64_t v)
    {
        uint64_t q = v / 100000000ull;
        cur = (uint32_t)(v - q * 100000000ull);
        next1 = (uint32_t)(q % 100000000ull);
        next2 = (uint32_t)(q / 100000000ull);
        left = 8;
    }
    __device__ unsigned next()
    {
        if (left == 0) {
            cur = next1, next1 = next2, next2 = 0;
            left = 8;
        }
        left--;
        unsigned d = cur % 10u;
        cur /= 10u;
        return d;
    }
};

/* Values per block step of the tiled decimal kernels (4 per thread: enough
 * bytes in flight per SM to cover the memory latency). */
#define DEC_TILE (4 * BLOCK)

/* A tile of DEC_TILE values: each thread packs its values into shared memory,
 * then the block writes the tile's width x BLOCK bytes with wide stores. */
__global__ void __launch_bounds__(BLOCK) k_i64_to_packed(const int64_t *in, const uint8_t *sign,
                                                         size_t n, size_t width, uint8_t *out)
{
    __shared__ __align__(16) uint8_t sh[DEC_TILE * CBZ_K_PACKED_MAX_WIDTH];
    const size_t ntiles = (n + DEC_TILE - 1) / DEC_TILE;
    const unsigned w = (unsigned)width;
    for (size_t t = blockIdx.x; t < ntiles; t += gridDim.x) {
        const size_t base = t * DEC_TILE;
        const unsigned m = (unsigned)(n - base < DEC_TILE ? n - base : DEC_TILE);
        for (unsigned q = threadIdx.x; q < m; q += BLOCK) {
            size_t i = base + q;
            uint8_t *p = sh + q * w;
            digits_u64 d(abs_u64(in[i]));
            p[w - 1] = (uint8_t)(d.next() << 4 | (sign[i] & 15u));
            for (unsigned j = w - 1; j-- > 0;) {
                unsigned lo = d.next(), hi = d.next();
                p[j] = (uint8_t)(hi << 4 | lo);
            }
        }
        __syncthreads();
        tile_store(out + base * w, sh, (size_t)m * w);
        __syncthreads();
    }
}

cudaError_t gl_i64_to_packed(cudaStream_t s, const int64_t *in, const uint8_t *sign, size_t n,
                             size_t width, uint8_t *out)
{
    if (n == 0) return cudaSuccess;
    k_i64_to_packed<<<grid_reduce((n + 3) / 4), BLOCK, 0, s>>>(in, sign, n, width, out);
    return launched();
}

struct zoned_shape {
    size_t first, ndig, sign_pos;
    int separate, overpunch;
};

static zoned_shape zoned_layout(size_t width, int sign_mode)
{
    zoned_shape z = { 0, width, SIZE_MAX, 0, 0 };
    switch (sign_mode) {
    case CBZ_K_SIGN_TRAILING: z.sign_pos = width - 1; z.overpunch = 1; break;
    case CBZ_K_SIGN_LEADING: z.sign_pos = 0; z.overpunch = 1; break;
    case CBZ_K_SIGN_TRAILING_SEPARATE: z.ndig = width - 1; z.sign_pos = width - 1; z.separate = 1; break;
    case CBZ_K_SIGN_LEADING_SEPARATE: z.ndig = width - 1; z.first = 1; z.sign_pos = 0; z.separate = 1; break;
    default: break;
    }
    return z;
}

/* A tile of BLOCK values is loaded into shared memory with coalesced wide
 * loads; each thread then parses one value from there. */
__global__ void __launch_bounds__(BLOCK) k_zoned_to_i64(const uint8_t *in, size_t n, size_t width,
                                                        zoned_shape z, int ebcdic, int64_t *out,
                                                        uint8_t *form, uint8_t *invalid,
                                                        unsigned long long *aux)
{
    __shared__ __align__(16) uint8_t sh[DEC_TILE * (CBZ_K_MAX_DIGITS + 1)];
    const unsigned zone = ebcdic ? 0xF0u : 0x30u;
    const uint8_t plus = ebcdic ? 0x4E : 0x2B, minus = ebcdic ? 0x60 : 0x2D;
    const unsigned first = (unsigned)z.first, end = (unsigned)(z.first + z.ndig);
    const unsigned sign_pos = (unsigned)z.sign_pos; /* SIZE_MAX when none: never equal to j */
    unsigned long long nbad = 0;
    const size_t ntiles = (n + DEC_TILE - 1) / DEC_TILE;
    for (size_t t = blockIdx.x; t < ntiles; t += gridDim.x) {
        const size_t base = t * DEC_TILE;
        const unsigned m = (unsigned)(n - base < DEC_TILE ? n - base : DEC_TILE);
        __syncthreads();
        tile_load(sh, in + base * width, (size_t)m * width);
        __syncthreads();
        for (unsigned q = threadIdx.x; q < m; q += BLOCK) {
            const uint8_t *p = sh + q * width;
            const size_t i = base + q;
            uint64_t v = 0;
            unsigned ok = 1, f = 0;
            int neg = 0;
            for (unsigned j = first; j < end; j++) {
                unsigned b = p[j], d = b & 15u;
                if (z.overpunch && j == sign_pos) {
                    unsigned zn = b >> 4;
                    f = zn;
                    if (ebcdic) {
                        ok &= zn >= 0xA;
                        neg = (zn == 0xB) | (zn == 0xD);
                    } else {
                        ok &= (zn == 0x3) | (zn == 0x7);
                        neg = zn == 0x7;
                    }
                } else {
                    ok &= (b & 0xF0u) == zone;
                }
                ok &= d < 10;
                v = v * 10 + d;
            }
            if (z.separate) {
                uint8_t sb = p[z.sign_pos];
                ok &= (sb == plus) | (sb == minus);
                f = sb;
                neg = sb == minus;
            }
            out[i] = ok ? apply_sign(v, neg) : 0;
            form[i] = ok ? (uint8_t)f : 0;
            invalid[i] = (uint8_t)!ok;
            nbad += !ok;
        }
    }
    aux_add(aux + AUX_COUNT, nbad);
}

cudaError_t gl_zoned_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                            int sign_mode, int ebcdic, int64_t *out, uint8_t *form,
                            uint8_t *invalid, unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_zoned_to_i64<<<grid_reduce((n + 3) / 4), BLOCK, 0, s>>>(in, n, width, zoned_layout(width, sign_mode),
                                                 ebcdic, out, form, invalid, aux);
    return launched();
}

__global__ void k_i64_to_zoned(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                               zoned_shape z, int ebcdic, uint8_t *out)
{
    const uint8_t zone = ebcdic ? 0xF0 : 0x30;
    GRID_LOOP(i, n)
    {
        uint8_t *p = out + i * width;
        uint64_t v = abs_u64(in[i]);
        for (size_t j = z.first + z.ndig; j-- > z.first;) {
            p[j] = (uint8_t)(zone | (v % 10));
            v /= 10;
        }
        if (z.overpunch) p[z.sign_pos] = (uint8_t)((unsigned)form[i] << 4 | (p[z.sign_pos] & 15u));
        else if (z.separate) p[z.sign_pos] = form[i];
    }
}

cudaError_t gl_i64_to_zoned(cudaStream_t s, const int64_t *in, const uint8_t *form, size_t n,
                            size_t width, int sign_mode, int ebcdic, uint8_t *out)
{
    if (n == 0) return cudaSuccess;
    k_i64_to_zoned<<<grid_for(n), BLOCK, 0, s>>>(in, form, n, width,
                                                 zoned_layout(width, sign_mode), ebcdic, out);
    return launched();
}

__global__ void k_be_to_i64(const uint8_t *in, size_t n, size_t width, int is_signed,
                            int64_t *out)
{
    const unsigned shift = (unsigned)(64 - 8 * width);
    GRID_LOOP(i, n)
    {
        const uint8_t *p = in + i * width;
        uint64_t v = 0;
        for (size_t j = 0; j < width; j++) v = v << 8 | p[j];
        if (is_signed && shift > 0 && shift < 64)
            out[i] = (int64_t)(v << shift) >> shift;
        else
            out[i] = (int64_t)v;
    }
}

cudaError_t gl_be_to_i64(cudaStream_t s, const uint8_t *in, size_t n, size_t width,
                         int is_signed, int64_t *out)
{
    if (n == 0) return cudaSuccess;
    k_be_to_i64<<<grid_for(n), BLOCK, 0, s>>>(in, n, width, is_signed, out);
    return launched();
}

/* ------------------------------------------------------------------ L5 */

__global__ void k_delta_encode(const int64_t *in, size_t halo, size_t first, size_t n,
                               int64_t *out)
{
    GRID_LOOP(i, n)
    {
        uint64_t x = (uint64_t)in[halo + i];
        uint64_t prev = first + i >= 1 ? (uint64_t)in[halo + i - 1] : 0;
        out[i] = (int64_t)(x - prev);
    }
}

__global__ void k_delta2_encode(const int64_t *in, size_t halo, size_t first, size_t n,
                                int64_t *out)
{
    GRID_LOOP(i, n)
    {
        size_t g = first + i;
        uint64_t x = (uint64_t)in[halo + i];
        uint64_t r;
        if (g == 0) r = x;
        else if (g == 1) r = x - (uint64_t)in[halo + i - 1];
        else {
            uint64_t p1 = (uint64_t)in[halo + i - 1], p2 = (uint64_t)in[halo + i - 2];
            r = (x - p1) - (p1 - p2);
        }
        out[i] = (int64_t)r;
    }
}

cudaError_t gl_delta_encode(cudaStream_t s, const int64_t *in_with_halo, size_t halo,
                            size_t first, size_t n, int64_t *out)
{
    if (n == 0) return cudaSuccess;
    k_delta_encode<<<grid_for(n), BLOCK, 0, s>>>(in_with_halo, halo, first, n, out);
    return launched();
}

cudaError_t gl_delta2_encode(cudaStream_t s, const int64_t *in_with_halo, size_t halo,
                             size_t first, size_t n, int64_t *out)
{
    if (n == 0) return cudaSuccess;
    k_delta2_encode<<<grid_for(n), BLOCK, 0, s>>>(in_with_halo, halo, first, n, out);
    return launched();
}

__global__ void k_zigzag_encode(const int64_t *in, size_t n, uint64_t *out)
{
    GRID_LOOP(i, n) out[i] = ((uint64_t)in[i] << 1) ^ (uint64_t)(in[i] >> 63);
}

cudaError_t gl_zigzag_encode(cudaStream_t s, const int64_t *in, size_t n, uint64_t *out)
{
    if (n == 0) return cudaSuccess;
    k_zigzag_encode<<<grid_for(n), BLOCK, 0, s>>>(in, n, out);
    return launched();
}

__global__ void k_minmax(const int64_t *in, size_t n, unsigned long long *aux)
{
    long long lo = INT64_MAX, hi = INT64_MIN;
    GRID_LOOP(i, n)
    {
        long long v = in[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    lo = block_reduce_op(lo, op_min());
    hi = block_reduce_op(hi, op_max());
    if (threadIdx.x == 0) {
        atomicMin((long long *)(aux + AUX_MIN), lo);
        atomicMax((long long *)(aux + AUX_MAX), hi);
    }
}

cudaError_t gl_minmax(cudaStream_t s, const int64_t *in, size_t n, unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_minmax<<<grid_reduce(n), BLOCK, 0, s>>>(in, n, aux);
    return launched();
}

__global__ void k_changes(const int64_t *in, size_t halo, size_t n, unsigned long long *aux)
{
    unsigned long long c = 0;
    GRID_LOOP(i, n)
    {
        if (halo + i >= 1) c += in[halo + i] != in[halo + i - 1];
    }
    aux_add(aux + AUX_COUNT, c);
}

cudaError_t gl_changes(cudaStream_t s, const int64_t *in_with_halo, size_t halo, size_t n,
                       unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_changes<<<grid_reduce(n), BLOCK, 0, s>>>(in_with_halo, halo, n, aux);
    return launched();
}

__global__ void k_or_u64(const uint64_t *in, size_t n, unsigned long long *aux)
{
    unsigned long long acc = 0;
    GRID_LOOP(i, n) acc |= in[i];
    acc = block_reduce_op(acc, op_or());
    if (threadIdx.x == 0 && acc) atomicOr(aux + AUX_OR, acc);
}

cudaError_t gl_or_u64(cudaStream_t s, const uint64_t *in, size_t n, unsigned long long *aux)
{
    if (n == 0) return cudaSuccess;
    k_or_u64<<<grid_reduce(n), BLOCK, 0, s>>>(in, n, aux);
    return launched();
}

/* ------------------------------------------------------------------ L7 */

/* One thread per 8 output bytes (64 stream bits): ORs in every value that
 * overlaps them.  Output bytes: exactly cbz_k_bitpack_size(n, bits). */
__global__ void k_bitpack_u64(const uint64_t *in, size_t n, unsigned bits, uint8_t *out,
                              size_t nbytes)
{
    const uint64_t mask = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    size_t groups = (nbytes + 7) / 8;
    GRID_LOOP(g, groups)
    {
        uint64_t lo_bit = (uint64_t)g * 64;
        size_t i0 = (size_t)(lo_bit / bits);
        size_t i1 = (size_t)((lo_bit + 63) / bits);
        if (i1 >= n) i1 = n - 1;
        uint64_t word = 0;
        for (size_t i = i0; i <= i1; i++) {
            uint64_t v = in[i] & mask;
            long long pos = (long long)((uint64_t)i * bits) - (long long)lo_bit;
            if (pos >= 0) word |= pos < 64 ? v << pos : 0;
            else word |= -pos < 64 ? v >> -pos : 0;
        }
        size_t b0 = g * 8;
        if (b0 + 8 <= nbytes && ((uintptr_t)(out + b0) & 7) == 0) {
            *(uint64_t *)(out + b0) = word; /* little-endian like the stream */
        } else {
            for (size_t k = 0; k < 8 && b0 + k < nbytes; k++) out[b0 + k] = (uint8_t)(word >> (8 * k));
        }
    }
}

cudaError_t gl_bitpack_u64(cudaStream_t s, const uint64_t *in, size_t n, unsigned bits,
                           uint8_t *out)
{
    if (n == 0 || bits == 0) return cudaSuccess;
    size_t nbytes = cbz_k_bitpack_size(n, bits);
    k_bitpack_u64<<<grid_for((nbytes + 7) / 8), BLOCK, 0, s>>>(in, n, bits, out, nbytes);
    return launched();
}

/* ------------------------------------------------------------------ column stats */

/* Inclusive max-scan of x over the block (BLOCK threads). */
__device__ static long long block_scan_max(long long x, long long *sh)
{
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    for (int o = 1; o < 32; o <<= 1) {
        long long y = __shfl_up_sync(0xFFFFFFFFu, x, o);
        if (lane >= o) x = y > x ? y : x;
    }
    if (lane == 31) sh[w] = x;
    __syncthreads();
    if (w == 0) {
        long long t = lane < BLOCK / 32 ? sh[lane] : -1;
        for (int o = 1; o < 32; o <<= 1) {
            long long y = __shfl_up_sync(0xFFFFFFFFu, t, o);
            if (lane >= o) t = y > t ? y : t;
        }
        if (lane < BLOCK / 32) sh[lane] = t;
    }
    __syncthreads();
    if (w > 0) {
        long long y = sh[w - 1];
        x = y > x ? y : x;
    }
    __syncthreads();
    return x;
}

struct stat_acc {
    long long mn, mx, dmn, dmx, d2mn, d2mx;
    unsigned long long zz, runs, bad;
};

/* Block-wide reduction of the accumulators into thread 0's copy. */
__device__ static void block_reduce(stat_acc *a, stat_acc *sh)
{
    a->mn = warp_min(a->mn);
    a->mx = warp_max(a->mx);
    a->dmn = warp_min(a->dmn);
    a->dmx = warp_max(a->dmx);
    a->d2mn = warp_min(a->d2mn);
    a->d2mx = warp_max(a->d2mx);
    a->zz = warp_or(a->zz);
    a->runs = warp_sum(a->runs);
    a->bad = warp_sum(a->bad);
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    if (lane == 0) sh[w] = *a;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int k = 1; k < BLOCK / 32; k++) {
            const stat_acc *b = &sh[k];
            a->mn = b->mn < a->mn ? b->mn : a->mn;
            a->mx = b->mx > a->mx ? b->mx : a->mx;
            a->dmn = b->dmn < a->dmn ? b->dmn : a->dmn;
            a->dmx = b->dmx > a->dmx ? b->dmx : a->dmx;
            a->d2mn = b->d2mn < a->d2mn ? b->d2mn : a->d2mn;
            a->d2mx = b->d2mx > a->d2mx ? b->d2mx : a->d2mx;
            a->zz |= b->zz;
            a->runs += b->runs;
            a->bad += b->bad;
        }
    }
}

__device__ static inline uint8_t bits_of(uint64_t v) { return v ? (uint8_t)(64 - __clzll((long long)v)) : 0; }

/* One block per chunk.  Numeric kinds: fills invalid values with the last
 * valid one before them (0 when none) in place, tile by tile with a max-scan
 * of valid indices, and accumulates the candidates' ranges. */
__global__ void k_column_stats(int kind, const uint64_t *bounds, int64_t *num,
                               const uint8_t *invalid, const uint32_t *text_len, gpu_stats *st)
{
    __shared__ long long scan_sh[32];
    __shared__ int64_t sv[BLOCK + 2];
    __shared__ long long carry_idx;
    __shared__ int64_t carry_p1, carry_p2;
    __shared__ stat_acc red_sh[BLOCK / 32];
    const size_t a = bounds[blockIdx.x], m = bounds[blockIdx.x + 1] - a;
    gpu_stats *out = &st[blockIdx.x];

    if (kind == CBZ_GPU_COL_TEXT) {
        unsigned long long sum = 0;
        for (size_t i = threadIdx.x; i < m; i += BLOCK) sum += text_len[a + i];
        stat_acc acc = { 0, 0, 0, 0, 0, 0, 0, sum, 0 };
        block_reduce(&acc, red_sh);
        if (threadIdx.x == 0) {
            gpu_stats r = {};
            r.text_total = acc.runs;
            *out = r;
        }
        return;
    }
    if (kind == CBZ_GPU_COL_RAW) {
        if (threadIdx.x == 0) {
            gpu_stats r = {};
            *out = r;
        }
        return;
    }

    stat_acc acc = { INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 0, 0, 0 };
    if (threadIdx.x == 0) {
        carry_idx = -1;
        carry_p1 = 0;
        carry_p2 = 0;
    }
    __syncthreads();
    for (size_t base = 0; base < m; base += BLOCK) {
        size_t i = base + threadIdx.x;
        bool in = i < m;
        bool bad = in && invalid[a + i];
        long long key = in && !bad ? (long long)i : -1;
        key = block_scan_max(key, scan_sh);
        long long c = carry_idx;
        key = c > key ? c : key;
        int64_t v = 0;
        if (in) {
            v = key >= 0 ? num[a + key] : 0; /* a valid value: nobody writes it */
            if (bad) num[a + i] = v;
        }
        sv[threadIdx.x + 2] = v;
        if (threadIdx.x == 0) {
            sv[0] = carry_p2;
            sv[1] = carry_p1;
        }
        __syncthreads();
        if (in) {
            acc.bad += bad;
            acc.mn = v < acc.mn ? v : acc.mn;
            acc.mx = v > acc.mx ? v : acc.mx;
            acc.zz |= ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
            if (i >= 1) {
                uint64_t p1 = (uint64_t)sv[threadIdx.x + 1];
                long long d = (long long)((uint64_t)v - p1);
                acc.dmn = d < acc.dmn ? d : acc.dmn;
                acc.dmx = d > acc.dmx ? d : acc.dmx;
                acc.runs += (uint64_t)v != p1;
                if (i >= 2) {
                    uint64_t p2 = (uint64_t)sv[threadIdx.x];
                    long long d2 = (long long)(((uint64_t)v - p1) - (p1 - p2));
                    acc.d2mn = d2 < acc.d2mn ? d2 : acc.d2mn;
                    acc.d2mx = d2 > acc.d2mx ? d2 : acc.d2mx;
                }
            }
        }
        __syncthreads();
        if (threadIdx.x == BLOCK - 1) {
            carry_idx = key;
            carry_p1 = sv[BLOCK + 1];
            carry_p2 = sv[BLOCK];
        }
        __syncthreads();
    }
    block_reduce(&acc, red_sh);
    if (threadIdx.x == 0) {
        gpu_stats r = {};
        r.n_invalid = acc.bad;
        if (m > 0) {
            r.min = acc.mn;
            r.max = acc.mx;
            r.runs = 1 + acc.runs;
            r.bits_zigzag = bits_of(acc.zz);
            r.bits_for = bits_of((uint64_t)acc.mx - (uint64_t)acc.mn);
        }
        if (m > 1) {
            r.dmin = acc.dmn;
            r.dmax = acc.dmx;
            r.bits_delta = bits_of((uint64_t)acc.dmx - (uint64_t)acc.dmn);
        }
        if (m > 2) {
            r.d2min = acc.d2mn;
            r.d2max = acc.d2mx;
            r.bits_delta2 = bits_of((uint64_t)acc.d2mx - (uint64_t)acc.d2mn);
        }
        *out = r;
    }
}

cudaError_t gl_column_stats(cudaStream_t s, int kind, const uint64_t *bounds, size_t nchunks,
                            int64_t *num, const uint8_t *invalid, const uint32_t *text_len,
                            gpu_stats *st)
{
    if (nchunks == 0) return cudaSuccess;
    k_column_stats<<<(unsigned)nchunks, BLOCK, 0, s>>>(kind, bounds, num, invalid, text_len, st);
    return launched();
}
