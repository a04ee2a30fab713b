/*
 * gpu_runtime.cu — the host side of the CUDA backend: device discovery, the
 * checked-error wrapper (every CUDA error becomes CBZ_ERR_DEVICE with a
 * reason), the device memory manager and the batch pipeline behind every
 * entry of kernels/gpu.h.
 *
 * Memory manager.  Two stream slots, each with one device buffer and one
 * pinned host buffer, made on first use and grown on demand, reused across
 * batches and calls.  A slot never holds more than slot_cap bytes, and
 * slot_cap = min(85% of the free device memory at start / 2, 512 MiB) (or
 * the test cap of cbz_gpu_set_slot_limit), so the backend never takes more
 * than 85% of what was free.  A job is cut into batches that fit one slot.
 *
 * Pipeline.  Batch b goes to slot b % 2: its inputs are copied into the
 * slot's pinned buffer, sent with one cudaMemcpyAsync, the kernels run and
 * the results come back with cudaMemcpyAsync, all on the slot's stream.
 * While the device works on batch b the host stages batch b+1 into the other
 * slot, so one batch's copy in overlaps the other's kernels and copy out.
 * Results are copied from pinned memory to the caller's buffers when the
 * slot is next needed, or at the end.
 *
 * One mutex serialises the entries (the slots are shared).
 */
#include "gpu_internal.cuh"

#include "kernels.h"

#include <mutex>
#include <thread>
#include <stdlib.h>
#include <string.h>
#include <vector>

#define ALIGN 256
#define SLOT_MAX ((size_t)512 << 20)

cbz_status cbz_gpu_fail_cuda(cbz_error *err, cudaError_t e, const char *what, const char *file,
                             int line)
{
    const char *base = strrchr(file, '/');
    return cbz_fail(err, CBZ_ERR_DEVICE, "GPU: %s failed: %s (%s) at %s:%d", what,
                    cudaGetErrorName(e), cudaGetErrorString(e), base ? base + 1 : file, line);
}

/* ------------------------------------------------------------------ device state */

struct slot {
    cudaStream_t stream;
    uint8_t *dev;
    size_t dev_cap;
    uint8_t *pin;
    size_t pin_cap;
    bool busy;
    /* the batch in flight: where its results go once the stream is done */
    std::vector<void *> host_out;
    std::vector<size_t> out_off, out_bytes;
    size_t first, count;
};

static std::mutex g_lock;
static bool g_ready;
static size_t g_slot_cap;
static size_t g_slot_limit; /* test cap, 0 = automatic */
static slot g_slots[2];

static int probe_result = -1; /* -1 unknown, 0 no, 1 yes */
static char probe_reason[512];

static bool probe(void)
{
    if (probe_result >= 0) return probe_result == 1;
    const char *dis = getenv("CBZ_GPU_DISABLE");
    if (dis && *dis && strcmp(dis, "0") != 0) {
        snprintf(probe_reason, sizeof probe_reason, "GPU disabled by CBZ_GPU_DISABLE=%s", dis);
        probe_result = 0;
        return false;
    }
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        snprintf(probe_reason, sizeof probe_reason, "no usable CUDA device: %s",
                 e != cudaSuccess ? cudaGetErrorString(e) : "no device found");
        (void)cudaGetLastError();
        probe_result = 0;
        return false;
    }
    cudaDeviceProp p;
    e = cudaGetDeviceProperties(&p, 0);
    if (e != cudaSuccess) {
        snprintf(probe_reason, sizeof probe_reason, "CUDA device 0 does not answer: %s",
                 cudaGetErrorString(e));
        probe_result = 0;
        return false;
    }
    if (p.major < 9) {
        snprintf(probe_reason, sizeof probe_reason,
                 "CUDA device 0 (%.200s) has compute capability %d.%d; this build needs 9.0",
                 p.name, p.major, p.minor);
        probe_result = 0;
        return false;
    }
    probe_result = 1;
    return true;
}

static cbz_status no_device(cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_DEVICE, "GPU: %s", probe_reason[0] ? probe_reason : "no device");
}

static cbz_status ensure_ready(cbz_error *err)
{
    if (!probe()) return no_device(err);
    if (g_ready) return CBZ_OK;
    CBZ_CUDA_TRY(cudaSetDevice(0));
    size_t free_b = 0, total_b = 0;
    CBZ_CUDA_TRY(cudaMemGetInfo(&free_b, &total_b));
    size_t cap = (size_t)((double)free_b * 0.85) / 2;
    if (cap > SLOT_MAX) cap = SLOT_MAX;
    if (g_slot_limit && g_slot_limit < cap) cap = g_slot_limit;
    cap &= ~(size_t)(ALIGN - 1);
    if (cap < 64 * 1024)
        return cbz_fail(err, CBZ_ERR_DEVICE, "GPU: only %zu bytes of device memory free", free_b);
    for (int k = 0; k < 2; k++) {
        if (!g_slots[k].stream)
            CBZ_CUDA_TRY(cudaStreamCreateWithFlags(&g_slots[k].stream, cudaStreamNonBlocking));
    }
    g_slot_cap = cap;
    g_ready = true;
    return CBZ_OK;
}

static void free_slot_buffers(slot *s)
{
    if (s->dev) cudaFree(s->dev);
    if (s->pin) cudaFreeHost(s->pin);
    s->dev = NULL;
    s->pin = NULL;
    s->dev_cap = s->pin_cap = 0;
    s->busy = false;
}

static cbz_status slot_reserve(slot *s, size_t bytes, cbz_error *err)
{
    if (bytes > s->dev_cap) {
        if (s->dev) CBZ_CUDA_TRY(cudaFree(s->dev));
        s->dev = NULL;
        s->dev_cap = 0;
        CBZ_CUDA_TRY(cudaMalloc((void **)&s->dev, bytes));
        s->dev_cap = bytes;
    }
    if (bytes > s->pin_cap) {
        if (s->pin) CBZ_CUDA_TRY(cudaFreeHost(s->pin));
        s->pin = NULL;
        s->pin_cap = 0;
        CBZ_CUDA_TRY(cudaMallocHost((void **)&s->pin, bytes));
        s->pin_cap = bytes;
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------------ staging copies */

/* Pageable <-> pinned copies are the host side of every batch; one thread
 * copies about 5-10 GB/s, less than PCIe, so large ones are split over up to
 * 8 threads. */
static void stage_copy(void *dst, const void *src, size_t n)
{
    const size_t min_part = (size_t)4 << 20;
    unsigned hw = std::thread::hardware_concurrency();
    unsigned parts = hw > 8 ? 8 : (hw ? hw : 1);
    if (n < 2 * min_part || parts < 2) {
        memcpy(dst, src, n);
        return;
    }
    if (n / min_part < parts) parts = (unsigned)(n / min_part);
    size_t step = (n / parts + 4095) & ~(size_t)4095;
    std::thread th[8];
    unsigned started = 0;
    for (unsigned k = 1; k < parts; k++) {
        size_t a = k * step;
        if (a >= n) break;
        size_t len = a + step < n ? step : n - a;
        try {
            th[started] = std::thread(memcpy, (uint8_t *)dst + a, (const uint8_t *)src + a, len);
            started++;
        } catch (...) {
            memcpy((uint8_t *)dst + a, (const uint8_t *)src + a, len); /* no thread: copy here */
        }
    }
    memcpy(dst, src, step < n ? step : n);
    for (unsigned k = 0; k < started; k++) th[k].join();
}

/* ------------------------------------------------------------------ the pipeline */

/* One array of a batch.  Inputs: host_in bytes go to the device.  Outputs:
 * fetch copies them back to pinned memory; host_out (when not NULL) then
 * receives them. */
struct seg {
    const void *host_in;
    void *host_out;
    size_t bytes;
    bool fetch;
};

struct job {
    virtual ~job() {}
    /* How many items from `first` fit in cap bytes (0: not even one). */
    virtual size_t take(size_t first, size_t remaining, size_t cap) = 0;
    virtual void segments(size_t first, size_t count, std::vector<seg> &in,
                          std::vector<seg> &out) = 0;
    virtual cudaError_t launch(cudaStream_t s, size_t first, size_t count,
                               uint8_t *const *din, uint8_t *const *dout) = 0;
    /* After the batch's results reached pinned memory (pout: the out segs). */
    virtual void finish(size_t first, size_t count, const uint8_t *const *pout)
    {
        (void)first, (void)count, (void)pout;
    }
};

static size_t round_up(size_t x) { return (x + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static size_t layout_bytes(const std::vector<seg> &in, const std::vector<seg> &out)
{
    size_t t = 0;
    for (const seg &g : in) t += round_up(g.bytes);
    for (const seg &g : out) t += round_up(g.bytes);
    return t;
}

static cbz_status slot_complete(slot *s, job &j, cbz_error *err)
{
    if (!s->busy) return CBZ_OK;
    s->busy = false;
    CBZ_CUDA_TRY(cudaStreamSynchronize(s->stream));
    std::vector<const uint8_t *> pout(s->out_off.size());
    for (size_t k = 0; k < s->out_off.size(); k++) {
        pout[k] = s->pin + s->out_off[k];
        if (s->host_out[k] && s->out_bytes[k]) stage_copy(s->host_out[k], pout[k], s->out_bytes[k]);
    }
    j.finish(s->first, s->count, pout.data());
    return CBZ_OK;
}

static void abandon(void)
{
    for (int k = 0; k < 2; k++) {
        if (g_slots[k].stream) (void)cudaStreamSynchronize(g_slots[k].stream);
        g_slots[k].busy = false;
    }
    (void)cudaGetLastError();
}

static cbz_status run_job_locked(job &j, size_t n_items, cbz_error *err)
{
    std::vector<seg> in, out;
    std::vector<uint8_t *> din, dout;
    size_t first = 0;
    unsigned b = 0;
    while (first < n_items) {
        slot *s = &g_slots[b % 2];
        CBZ_TRY(slot_complete(s, j, err));
        size_t count = j.take(first, n_items - first, g_slot_cap);
        if (count == 0)
            return cbz_fail(err, CBZ_ERR_DEVICE,
                            "GPU: item %zu of the batch needs more than the %zu bytes of one "
                            "device slot", first, g_slot_cap);
        in.clear();
        out.clear();
        j.segments(first, count, in, out);
        size_t total = layout_bytes(in, out);
        if (total > g_slot_cap)
            return cbz_fail(err, CBZ_ERR_DEVICE, "GPU: batch of %zu bytes exceeds the slot's %zu",
                            total, g_slot_cap);
        CBZ_TRY(slot_reserve(s, total, err));
        size_t off = 0;
        din.resize(in.size());
        for (size_t k = 0; k < in.size(); k++) {
            if (in[k].bytes) stage_copy(s->pin + off, in[k].host_in, in[k].bytes);
            din[k] = s->dev + off;
            off += round_up(in[k].bytes);
        }
        size_t in_span = off;
        if (in_span)
            CBZ_CUDA_TRY(cudaMemcpyAsync(s->dev, s->pin, in_span, cudaMemcpyHostToDevice, s->stream));
        dout.resize(out.size());
        s->host_out.resize(out.size());
        s->out_off.resize(out.size());
        s->out_bytes.resize(out.size());
        for (size_t k = 0; k < out.size(); k++) {
            dout[k] = s->dev + off;
            s->out_off[k] = off;
            s->out_bytes[k] = out[k].fetch ? out[k].bytes : 0;
            s->host_out[k] = out[k].fetch ? out[k].host_out : NULL;
            off += round_up(out[k].bytes);
        }
        CBZ_CUDA_TRY(j.launch(s->stream, first, count, din.data(), dout.data()));
        /* copies back, one per run of adjacent fetched segments */
        for (size_t k = 0; k < out.size();) {
            if (!out[k].fetch || !out[k].bytes) {
                k++;
                continue;
            }
            size_t lo = s->out_off[k], hi = lo + out[k].bytes;
            size_t e = k + 1;
            while (e < out.size() && out[e].fetch && out[e].bytes && s->out_off[e] <= round_up(hi)) {
                hi = s->out_off[e] + out[e].bytes;
                e++;
            }
            CBZ_CUDA_TRY(cudaMemcpyAsync(s->pin + lo, s->dev + lo, hi - lo, cudaMemcpyDeviceToHost,
                                         s->stream));
            k = e;
        }
        s->first = first;
        s->count = count;
        s->busy = true;
        first += count;
        b++;
    }
    /* the older batch first */
    CBZ_TRY(slot_complete(&g_slots[b % 2], j, err));
    CBZ_TRY(slot_complete(&g_slots[(b + 1) % 2], j, err));
    return CBZ_OK;
}

static cbz_status run_job(job &j, size_t n_items, cbz_error *err)
{
    std::lock_guard<std::mutex> lock(g_lock);
    CBZ_TRY(ensure_ready(err));
    cbz_status rc = run_job_locked(j, n_items, err);
    if (rc != CBZ_OK) abandon();
    return rc;
}

/* Items of a fixed number of bits in and out (multiple of 8 items per batch
 * except the last, so that bit-packed output stays byte-aligned). */
static size_t take_linear(size_t remaining, size_t cap, size_t bits_per_item, size_t nsegs,
                          size_t extra)
{
    size_t slack = nsegs * ALIGN + extra;
    if (cap <= slack) return 0;
    size_t fit = (cap - slack) / ((bits_per_item + 7) / 8 + 1);
    if (fit >= remaining) return remaining;
    fit &= ~(size_t)7;
    return fit;
}

/* ------------------------------------------------------------------ device info */

extern "C" bool cbz_gpu_built(void) { return true; }

extern "C" bool cbz_gpu_available(void)
{
    std::lock_guard<std::mutex> lock(g_lock);
    return probe();
}

extern "C" cbz_status cbz_gpu_query(cbz_gpu_info *info, cbz_error *err)
{
    std::lock_guard<std::mutex> lock(g_lock);
    CBZ_TRY(ensure_ready(err));
    cudaDeviceProp p;
    CBZ_CUDA_TRY(cudaGetDeviceProperties(&p, 0));
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%.127s", p.name);
    info->cc_major = p.major;
    info->cc_minor = p.minor;
    info->multiprocessors = p.multiProcessorCount;
    CBZ_CUDA_TRY(cudaDriverGetVersion(&info->driver_version));
    CBZ_CUDA_TRY(cudaRuntimeGetVersion(&info->runtime_version));
    size_t free_b = 0, total_b = 0;
    CBZ_CUDA_TRY(cudaMemGetInfo(&free_b, &total_b));
    info->total_bytes = total_b;
    info->free_bytes = free_b;
    info->batch_bytes = g_slot_cap;
    return CBZ_OK;
}

extern "C" void cbz_gpu_set_slot_limit(size_t bytes)
{
    std::lock_guard<std::mutex> lock(g_lock);
    g_slot_limit = bytes;
    if (g_ready) {
        abandon();
        for (int k = 0; k < 2; k++) free_slot_buffers(&g_slots[k]);
        g_ready = false; /* recomputes the cap on next use */
    }
}

extern "C" void cbz_gpu_release(void)
{
    std::lock_guard<std::mutex> lock(g_lock);
    if (!g_ready) return;
    abandon();
    for (int k = 0; k < 2; k++) {
        free_slot_buffers(&g_slots[k]);
        if (g_slots[k].stream) cudaStreamDestroy(g_slots[k].stream);
        g_slots[k].stream = NULL;
    }
    g_ready = false;
}

/* ------------------------------------------------------------------ argument checks */

static cbz_status check_mul(size_t a, size_t b, const char *what, cbz_error *err)
{
    if (b && a > SIZE_MAX / b)
        return cbz_fail(err, CBZ_ERR_USAGE, "GPU %s: %zu values of %zu bytes overflow size_t", what, a, b);
    return CBZ_OK;
}

static cbz_status check_zoned(size_t width, int sign_mode, const char *what, cbz_error *err)
{
    if (sign_mode < CBZ_K_SIGN_NONE || sign_mode > CBZ_K_SIGN_LEADING_SEPARATE)
        return cbz_fail(err, CBZ_ERR_USAGE, "GPU %s: sign mode %d is not one of CBZ_K_SIGN_*", what, sign_mode);
    size_t sep = sign_mode >= CBZ_K_SIGN_TRAILING_SEPARATE;
    if (width <= sep || width - sep > CBZ_K_MAX_DIGITS)
        return cbz_fail(err, CBZ_ERR_USAGE, "GPU %s: zoned width %zu gives %zu digits, not 1..%d",
                        what, width, width > sep ? width - sep : 0, CBZ_K_MAX_DIGITS);
    return CBZ_OK;
}

static cbz_status check_width(size_t width, size_t max, const char *what, cbz_error *err)
{
    if (width < 1 || width > max)
        return cbz_fail(err, CBZ_ERR_USAGE, "GPU %s: width %zu is not 1..%zu", what, width, max);
    return CBZ_OK;
}

/* ------------------------------------------------------------------ one-kernel jobs */

/* Generic map: per item, inputs of in_w[k] bytes and outputs of out_w[k]
 * bytes, optional aux words fetched back for reductions. */
struct map_job : job {
    const void *ins[3];
    size_t in_w[3];
    int nin = 0;
    void *outs[3];
    size_t out_w[3];
    int nout = 0;
    bool aux = false;
    unsigned long long aux_acc[AUX_WORDS] = { (unsigned long long)INT64_MAX,
                                              (unsigned long long)INT64_MIN, 0, 0 };
    size_t bits_per_item() const
    {
        size_t t = 0;
        for (int k = 0; k < nin; k++) t += 8 * in_w[k];
        for (int k = 0; k < nout; k++) t += 8 * out_w[k];
        return t;
    }
    size_t take(size_t first, size_t remaining, size_t cap) override
    {
        (void)first;
        return take_linear(remaining, cap, bits_per_item(), (size_t)(nin + nout + 1), 0);
    }
    void segments(size_t first, size_t count, std::vector<seg> &in, std::vector<seg> &out) override
    {
        for (int k = 0; k < nin; k++)
            in.push_back(seg{ (const uint8_t *)ins[k] + first * in_w[k], NULL, count * in_w[k], false });
        for (int k = 0; k < nout; k++)
            out.push_back(seg{ NULL, (uint8_t *)outs[k] + first * out_w[k], count * out_w[k], true });
        if (aux) out.push_back(seg{ NULL, NULL, AUX_WORDS * 8, true });
    }
    void finish(size_t first, size_t count, const uint8_t *const *pout) override
    {
        (void)first, (void)count;
        if (!aux) return;
        unsigned long long w[AUX_WORDS];
        memcpy(w, pout[nout], sizeof w);
        if ((long long)w[AUX_MIN] < (long long)aux_acc[AUX_MIN]) aux_acc[AUX_MIN] = w[AUX_MIN];
        if ((long long)w[AUX_MAX] > (long long)aux_acc[AUX_MAX]) aux_acc[AUX_MAX] = w[AUX_MAX];
        aux_acc[AUX_COUNT] += w[AUX_COUNT];
        aux_acc[AUX_OR] |= w[AUX_OR];
    }
    unsigned long long *aux_dev(uint8_t *const *dout) const { return (unsigned long long *)dout[nout]; }
};

extern "C" cbz_status cbz_gpu_gather(const uint8_t *records, size_t n, size_t stride,
                                     size_t offset, size_t width, uint8_t *col, cbz_error *err)
{
    if (width == 0 || offset + width > stride || offset + width < offset)
        return cbz_fail(err, CBZ_ERR_USAGE, "GPU gather: offset %zu + width %zu exceeds stride %zu",
                        offset, width, stride);
    CBZ_TRY(check_mul(n, stride, "gather", err));
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t stride, offset, width;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_gather(s, din[0], count, stride, offset, width, dout[0]);
        }
    } j;
    j.stride = stride, j.offset = offset, j.width = width;
    j.ins[0] = records, j.in_w[0] = stride, j.nin = 1;
    j.outs[0] = col, j.out_w[0] = width, j.nout = 1;
    /* the last record needs only offset + width bytes */
    struct K : job {
        J *j;
        const uint8_t *records;
        size_t take(size_t f, size_t r, size_t c) override { return j->take(f, r, c); }
        void segments(size_t first, size_t count, std::vector<seg> &in, std::vector<seg> &out) override
        {
            in.push_back(seg{ records + first * j->stride, NULL,
                              (count - 1) * j->stride + j->offset + j->width, false });
            out.push_back(seg{ NULL, (uint8_t *)j->outs[0] + first * j->width, count * j->width, true });
        }
        cudaError_t launch(cudaStream_t s, size_t f, size_t c, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return j->launch(s, f, c, din, dout);
        }
    } k;
    k.j = &j;
    k.records = records;
    return run_job(k, n, err);
}

extern "C" cbz_status cbz_gpu_text_lengths(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                           uint32_t *len, size_t *total, cbz_error *err)
{
    CBZ_TRY(check_width(width, (size_t)UINT32_MAX, "text_lengths", err));
    CBZ_TRY(check_mul(n, width, "text_lengths", err));
    if (n == 0) {
        *total = 0;
        return CBZ_OK;
    }
    struct J : map_job {
        size_t width;
        uint8_t pad;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_text_lengths(s, din[0], count, width, pad, (uint32_t *)dout[0], aux_dev(dout));
        }
    } j;
    j.width = width, j.pad = pad;
    j.ins[0] = in, j.in_w[0] = width, j.nin = 1;
    j.outs[0] = len, j.out_w[0] = 4, j.nout = 1;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    *total = (size_t)j.aux_acc[AUX_COUNT];
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_packed_to_i64(const uint8_t *in, size_t n, size_t width,
                                            int64_t *out, uint8_t *sign, uint8_t *invalid,
                                            size_t *n_invalid, cbz_error *err)
{
    CBZ_TRY(check_width(width, CBZ_K_PACKED_MAX_WIDTH, "packed_to_i64", err));
    *n_invalid = 0;
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t width;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_packed_to_i64(s, din[0], count, width, (int64_t *)dout[0], dout[1], dout[2],
                                    aux_dev(dout));
        }
    } j;
    j.width = width;
    j.ins[0] = in, j.in_w[0] = width, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.outs[1] = sign, j.out_w[1] = 1;
    j.outs[2] = invalid, j.out_w[2] = 1, j.nout = 3;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    *n_invalid = (size_t)j.aux_acc[AUX_COUNT];
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_i64_to_packed(const int64_t *in, const uint8_t *sign, size_t n,
                                            size_t width, uint8_t *out, cbz_error *err)
{
    CBZ_TRY(check_width(width, CBZ_K_PACKED_MAX_WIDTH, "i64_to_packed", err));
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t width;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_i64_to_packed(s, (const int64_t *)din[0], din[1], count, width, dout[0]);
        }
    } j;
    j.width = width;
    j.ins[0] = in, j.in_w[0] = 8, j.ins[1] = sign, j.in_w[1] = 1, j.nin = 2;
    j.outs[0] = out, j.out_w[0] = width, j.nout = 1;
    return run_job(j, n, err);
}

extern "C" cbz_status cbz_gpu_zoned_to_i64(const uint8_t *in, size_t n, size_t width,
                                           int sign_mode, int ebcdic, int64_t *out, uint8_t *form,
                                           uint8_t *invalid, size_t *n_invalid, cbz_error *err)
{
    CBZ_TRY(check_zoned(width, sign_mode, "zoned_to_i64", err));
    *n_invalid = 0;
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t width;
        int sign_mode, ebcdic;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_zoned_to_i64(s, din[0], count, width, sign_mode, ebcdic, (int64_t *)dout[0],
                                   dout[1], dout[2], aux_dev(dout));
        }
    } j;
    j.width = width, j.sign_mode = sign_mode, j.ebcdic = ebcdic;
    j.ins[0] = in, j.in_w[0] = width, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.outs[1] = form, j.out_w[1] = 1;
    j.outs[2] = invalid, j.out_w[2] = 1, j.nout = 3;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    *n_invalid = (size_t)j.aux_acc[AUX_COUNT];
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_i64_to_zoned(const int64_t *in, const uint8_t *form, size_t n,
                                           size_t width, int sign_mode, int ebcdic, uint8_t *out,
                                           cbz_error *err)
{
    CBZ_TRY(check_zoned(width, sign_mode, "i64_to_zoned", err));
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t width;
        int sign_mode, ebcdic;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_i64_to_zoned(s, (const int64_t *)din[0], din[1], count, width, sign_mode,
                                   ebcdic, dout[0]);
        }
    } j;
    j.width = width, j.sign_mode = sign_mode, j.ebcdic = ebcdic;
    j.ins[0] = in, j.in_w[0] = 8, j.ins[1] = form, j.in_w[1] = 1, j.nin = 2;
    j.outs[0] = out, j.out_w[0] = width, j.nout = 1;
    return run_job(j, n, err);
}

extern "C" cbz_status cbz_gpu_be_to_i64(const uint8_t *in, size_t n, size_t width, int is_signed,
                                        int64_t *out, cbz_error *err)
{
    CBZ_TRY(check_width(width, 8, "be_to_i64", err));
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        size_t width;
        int is_signed;
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_be_to_i64(s, din[0], count, width, is_signed, (int64_t *)dout[0]);
        }
    } j;
    j.width = width, j.is_signed = is_signed;
    j.ins[0] = in, j.in_w[0] = width, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.nout = 1;
    return run_job(j, n, err);
}

/* Maps over int64 that read `halo` values before each batch (delta, delta2,
 * run counting). */
struct halo_job : map_job {
    size_t want_halo = 0;
    size_t halo = 0; /* of the batch being staged */
    size_t take(size_t first, size_t remaining, size_t cap) override
    {
        (void)first;
        return take_linear(remaining, cap, bits_per_item(), (size_t)(nin + nout + 1), 8 * want_halo);
    }
    void segments(size_t first, size_t count, std::vector<seg> &in, std::vector<seg> &out) override
    {
        halo = first < want_halo ? first : want_halo;
        in.push_back(seg{ (const int64_t *)ins[0] + first - halo, NULL, (count + halo) * 8, false });
        for (int k = 0; k < nout; k++)
            out.push_back(seg{ NULL, (uint8_t *)outs[k] + first * out_w[k], count * out_w[k], true });
        if (aux) out.push_back(seg{ NULL, NULL, AUX_WORDS * 8, true });
    }
};

extern "C" cbz_status cbz_gpu_delta_encode(const int64_t *in, size_t n, int64_t *out,
                                           cbz_error *err)
{
    if (n == 0) return CBZ_OK;
    struct J : halo_job {
        cudaError_t launch(cudaStream_t s, size_t first, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_delta_encode(s, (const int64_t *)din[0], halo, first, count, (int64_t *)dout[0]);
        }
    } j;
    j.want_halo = 1;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.nout = 1;
    return run_job(j, n, err);
}

extern "C" cbz_status cbz_gpu_delta2_encode(const int64_t *in, size_t n, int64_t *out,
                                            cbz_error *err)
{
    if (n == 0) return CBZ_OK;
    struct J : halo_job {
        cudaError_t launch(cudaStream_t s, size_t first, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_delta2_encode(s, (const int64_t *)din[0], halo, first, count, (int64_t *)dout[0]);
        }
    } j;
    j.want_halo = 2;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.nout = 1;
    return run_job(j, n, err);
}

extern "C" cbz_status cbz_gpu_zigzag_encode(const int64_t *in, size_t n, uint64_t *out,
                                            cbz_error *err)
{
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_zigzag_encode(s, (const int64_t *)din[0], count, (uint64_t *)dout[0]);
        }
    } j;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.outs[0] = out, j.out_w[0] = 8, j.nout = 1;
    return run_job(j, n, err);
}

extern "C" cbz_status cbz_gpu_minmax(const int64_t *in, size_t n, int64_t *min, int64_t *max,
                                     cbz_error *err)
{
    if (n == 0) {
        *min = *max = 0;
        return CBZ_OK;
    }
    struct J : map_job {
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_minmax(s, (const int64_t *)din[0], count, aux_dev(dout));
        }
    } j;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    *min = (int64_t)j.aux_acc[AUX_MIN];
    *max = (int64_t)j.aux_acc[AUX_MAX];
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_run_count(const int64_t *in, size_t n, size_t *runs, cbz_error *err)
{
    *runs = 0;
    if (n == 0) return CBZ_OK;
    struct J : halo_job {
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_changes(s, (const int64_t *)din[0], halo, count, aux_dev(dout));
        }
    } j;
    j.want_halo = 1;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    *runs = 1 + (size_t)j.aux_acc[AUX_COUNT];
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_max_bits_u64(const uint64_t *in, size_t n, unsigned *bits,
                                           cbz_error *err)
{
    *bits = 0;
    if (n == 0) return CBZ_OK;
    struct J : map_job {
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            cudaError_t e = gl_aux_init(s, aux_dev(dout));
            if (e != cudaSuccess) return e;
            return gl_or_u64(s, (const uint64_t *)din[0], count, aux_dev(dout));
        }
    } j;
    j.ins[0] = in, j.in_w[0] = 8, j.nin = 1;
    j.aux = true;
    CBZ_TRY(run_job(j, n, err));
    unsigned long long acc = j.aux_acc[AUX_OR];
    *bits = acc ? 64u - (unsigned)__builtin_clzll(acc) : 0u;
    return CBZ_OK;
}

extern "C" cbz_status cbz_gpu_bitpack_u64(const uint64_t *in, size_t n, unsigned bits,
                                          uint8_t *out, cbz_error *err)
{
    if (bits > 64) return cbz_fail(err, CBZ_ERR_USAGE, "GPU bitpack_u64: %u bits is not 0..64", bits);
    if (n == 0 || bits == 0) return CBZ_OK;
    struct J : job {
        const uint64_t *in;
        uint8_t *out;
        unsigned bits;
        size_t take(size_t, size_t remaining, size_t cap) override
        {
            return take_linear(remaining, cap, 64 + bits, 2, 0);
        }
        void segments(size_t first, size_t count, std::vector<seg> &i, std::vector<seg> &o) override
        {
            /* first is a multiple of 8: the batch starts on a byte */
            i.push_back(seg{ in + first, NULL, count * 8, false });
            o.push_back(seg{ NULL, out + first / 8 * bits, cbz_k_bitpack_size(count, bits), true });
        }
        cudaError_t launch(cudaStream_t s, size_t, size_t count, uint8_t *const *din,
                           uint8_t *const *dout) override
        {
            return gl_bitpack_u64(s, (const uint64_t *)din[0], count, bits, dout[0]);
        }
    } j;
    j.in = in, j.out = out, j.bits = bits;
    return run_job(j, n, err);
}

/* ------------------------------------------------------------------ cbz_gpu_columns */

struct columns_job : job {
    const uint8_t *records;
    size_t stride;
    const size_t *chunk_first;
    const cbz_gpu_column *cols;
    size_t n_cols;
    const cbz_gpu_column_out *outs;
    cbz_gpu_column_stats *stats;
    std::vector<uint64_t> bounds; /* of the batch being staged */

    static bool numeric(int kind)
    {
        return kind == CBZ_GPU_COL_ZONED || kind == CBZ_GPU_COL_PACKED || kind == CBZ_GPU_COL_BINARY;
    }
    /* device bytes for m records (segments rounded up) */
    size_t bytes_for(size_t m, size_t nch) const
    {
        size_t t = round_up(m * stride) + round_up((nch + 1) * 8);
        for (size_t c = 0; c < n_cols; c++) {
            size_t w = cols[c].width;
            t += round_up(m * w);
            if (numeric(cols[c].kind)) t += round_up(m * 8) + 2 * round_up(m);
            if (cols[c].kind == CBZ_GPU_COL_TEXT) t += round_up(m * 4);
            if (cols[c].kind != CBZ_GPU_COL_RAW) t += round_up(nch * sizeof(gpu_stats));
        }
        return t;
    }
    size_t take(size_t first, size_t remaining, size_t cap) override
    {
        size_t k = 0;
        while (k < remaining) {
            size_t m = chunk_first[first + k + 1] - chunk_first[first];
            if (bytes_for(m, k + 1) > cap) break;
            k++;
        }
        return k;
    }
    void segments(size_t first, size_t count, std::vector<seg> &in, std::vector<seg> &out) override
    {
        size_t r0 = chunk_first[first], m = chunk_first[first + count] - r0;
        bounds.resize(count + 1);
        for (size_t k = 0; k <= count; k++) bounds[k] = chunk_first[first + k] - r0;
        in.push_back(seg{ records + r0 * stride, NULL, m * stride, false });
        in.push_back(seg{ bounds.data(), NULL, (count + 1) * 8, false });
        for (size_t c = 0; c < n_cols; c++) {
            const cbz_gpu_column_out *o = &outs[c];
            size_t w = cols[c].width;
            out.push_back(seg{ NULL, o->values ? o->values + r0 * w : NULL, m * w, o->values != NULL });
            if (numeric(cols[c].kind)) {
                out.push_back(seg{ NULL, o->num ? o->num + r0 : NULL, m * 8, o->num != NULL });
                out.push_back(seg{ NULL, o->form ? o->form + r0 : NULL, m, o->form != NULL });
                out.push_back(seg{ NULL, o->invalid ? o->invalid + r0 : NULL, m, o->invalid != NULL });
            }
            if (cols[c].kind == CBZ_GPU_COL_TEXT)
                out.push_back(seg{ NULL, o->text_len ? o->text_len + r0 : NULL, m * 4, o->text_len != NULL });
            if (cols[c].kind != CBZ_GPU_COL_RAW) /* a raw column's stats are all zero: no device work */
                out.push_back(seg{ NULL, NULL, count * sizeof(gpu_stats), true });
        }
    }
    cudaError_t launch(cudaStream_t s, size_t first, size_t count, uint8_t *const *din,
                       uint8_t *const *dout) override
    {
        size_t m = chunk_first[first + count] - chunk_first[first];
        const uint64_t *dbounds = (const uint64_t *)din[1];
        /* L2: every column's bytes in one pass over the records */
        std::vector<gl_split_col> split(n_cols);
        size_t k = 0;
        for (size_t c = 0; c < n_cols; c++) {
            split[c].dst = dout[k++];
            split[c].offset = cols[c].offset;
            split[c].width = cols[c].width;
            if (numeric(cols[c].kind)) k += 3;
            if (cols[c].kind == CBZ_GPU_COL_TEXT) k++;
            if (cols[c].kind != CBZ_GPU_COL_RAW) k++;
        }
        cudaError_t e = gl_split(s, din[0], m, stride, m * stride, split.data(), n_cols);
        if (e != cudaSuccess) return e;
        k = 0;
        for (size_t c = 0; c < n_cols; c++) {
            const cbz_gpu_column *d = &cols[c];
            uint8_t *vals = dout[k++];
            if (d->kind == CBZ_GPU_COL_RAW) continue;
            int64_t *num = NULL;
            uint8_t *form = NULL, *inv = NULL;
            uint32_t *tl = NULL;
            if (numeric(d->kind)) {
                num = (int64_t *)dout[k++];
                form = dout[k++];
                inv = dout[k++];
            }
            if (d->kind == CBZ_GPU_COL_TEXT) tl = (uint32_t *)dout[k++];
            gpu_stats *st = (gpu_stats *)dout[k++];
            /* the per-value counts come from the stats kernel; aux goes to the stats buffer's
             * first words and is overwritten by it */
            unsigned long long *scratch = (unsigned long long *)st;
            switch (d->kind) {
            case CBZ_GPU_COL_PACKED:
                e = gl_packed_to_i64(s, vals, m, d->width, num, form, inv, scratch);
                break;
            case CBZ_GPU_COL_ZONED:
                e = gl_zoned_to_i64(s, vals, m, d->width, d->sign_mode, d->ebcdic, num, form, inv, scratch);
                break;
            case CBZ_GPU_COL_BINARY:
                e = gl_be_to_i64(s, vals, m, d->width, d->is_signed, num);
                if (e == cudaSuccess) e = cudaMemsetAsync(form, 0, m, s);
                if (e == cudaSuccess) e = cudaMemsetAsync(inv, 0, m, s);
                break;
            case CBZ_GPU_COL_TEXT:
                e = gl_text_lengths(s, vals, m, d->width, d->pad, tl, scratch);
                break;
            default: e = cudaSuccess; break;
            }
            if (e != cudaSuccess) return e;
            if ((e = gl_column_stats(s, d->kind, dbounds, count, num, inv, tl, st)) != cudaSuccess)
                return e;
        }
        return cudaSuccess;
    }
    void finish(size_t first, size_t count, const uint8_t *const *pout) override
    {
        size_t k = 0;
        for (size_t c = 0; c < n_cols; c++) {
            k++;
            if (numeric(cols[c].kind)) k += 3;
            if (cols[c].kind == CBZ_GPU_COL_TEXT) k++;
            if (cols[c].kind == CBZ_GPU_COL_RAW) {
                for (size_t q = 0; q < count; q++) memset(&stats[(first + q) * n_cols + c], 0, sizeof *stats);
                continue;
            }
            const gpu_stats *st = (const gpu_stats *)pout[k++];
            for (size_t q = 0; q < count; q++) stats[(first + q) * n_cols + c] = st[q];
        }
    }
};

extern "C" cbz_status cbz_gpu_columns(const uint8_t *records, size_t n, size_t stride,
                                      const size_t *chunk_first, size_t n_chunks,
                                      const cbz_gpu_column *cols, size_t n_cols,
                                      const cbz_gpu_column_out *outs, cbz_gpu_column_stats *stats,
                                      cbz_error *err)
{
    CBZ_FAIL_IF(n_chunks == 0 || chunk_first[0] != 0 || chunk_first[n_chunks] != n, err,
                CBZ_ERR_USAGE, "GPU columns: chunk bounds must run from 0 to n = %zu", n);
    for (size_t k = 0; k < n_chunks; k++)
        CBZ_FAIL_IF(chunk_first[k + 1] < chunk_first[k], err, CBZ_ERR_USAGE,
                    "GPU columns: chunk %zu ends before it starts", k);
    CBZ_TRY(check_mul(n, stride, "columns", err));
    for (size_t c = 0; c < n_cols; c++) {
        const cbz_gpu_column *d = &cols[c];
        CBZ_FAIL_IF(d->width == 0 || (size_t)d->offset + d->width > stride, err, CBZ_ERR_USAGE,
                    "GPU columns: column %zu (offset %u, width %u) does not fit the %zu-byte record",
                    c, d->offset, d->width, stride);
        switch (d->kind) {
        case CBZ_GPU_COL_RAW:
        case CBZ_GPU_COL_TEXT: break;
        case CBZ_GPU_COL_PACKED: CBZ_TRY(check_width(d->width, CBZ_K_PACKED_MAX_WIDTH, "columns (packed)", err)); break;
        case CBZ_GPU_COL_ZONED: CBZ_TRY(check_zoned(d->width, d->sign_mode, "columns (zoned)", err)); break;
        case CBZ_GPU_COL_BINARY: CBZ_TRY(check_width(d->width, 8, "columns (binary)", err)); break;
        default:
            return cbz_fail(err, CBZ_ERR_USAGE, "GPU columns: column %zu has unknown kind %u", c, d->kind);
        }
    }
    if (n_cols == 0) return CBZ_OK;
    columns_job j;
    j.records = records, j.stride = stride, j.chunk_first = chunk_first;
    j.cols = cols, j.n_cols = n_cols, j.outs = outs, j.stats = stats;
    return run_job(j, n_chunks, err);
}
