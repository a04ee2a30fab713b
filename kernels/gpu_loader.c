/*
 * gpu_loader.c — owns finding, loading and calling the CUDA backend: every
 * function of kernels/gpu.h on the host side, forwarding through the table
 * that libcobzip_cuda.so returns from cbz_gpu_backend_api().
 *
 * The .so is loaded (dlopen RTLD_NOW | RTLD_LOCAL) the first time an entry
 * needs it: --device gpu, --device auto once the job is large enough
 * (src/device.c checks the size before it asks for the GPU), the GPU tests
 * and the benchmark.  CPU-only work never loads it, so cudart and libstdc++
 * cost nothing at start-up.  Loaded once per process, never unloaded.
 *
 * Where it is searched, first found wins:
 *   1. $CBZ_GPU_LIB when set (non-empty): that path only;
 *   2. <dir of the running executable>/libcobzip_cuda.so (/proc/self/exe);
 *   3. <dir of the running executable>/../lib/cobzip/libcobzip_cuda.so.
 * A .so whose table has another version or size than this build's gpu.h is
 * refused (a stale backend).  When none loads, cbz_gpu_available() is false
 * and every entry fails with CBZ_ERR_DEVICE: "no CUDA backend:
 * dlopen(PATH): <dlerror>" (the path that exists but failed, else the first
 * one tried), so --device gpu exits 16 and auto stays on the CPU.  This is
 * also the whole behaviour of a build without CUDA: there is no other stub.
 */
#include "gpu.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const cbz_gpu_api *g_api;          /* NULL: not loaded */
static char g_status[CBZ_ERROR_MSG_MAX];  /* "loaded PATH" or why not */
static atomic_int g_tried;                /* set once load() has finished */
static size_t g_slot_limit;               /* set before the load: applied on load */
static bool g_slot_limit_set;

/* Tries one path: true and *api set when it loads and its table fits. */
static bool try_path(const char *path, const cbz_gpu_api **api, char *why, size_t whylen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, whylen, "no CUDA backend: dlopen(%.300s): %.180s", path,
                 e ? e : "unknown error");
        return false;
    }
    const cbz_gpu_api *(*entry)(void);
    void *sym = dlsym(h, CBZ_GPU_BACKEND_ENTRY);
    if (!sym) {
        const char *e = dlerror();
        snprintf(why, whylen, "no CUDA backend: %.300s has no %s (%.150s)", path, CBZ_GPU_BACKEND_ENTRY,
                 e ? e : "not found");
        dlclose(h);
        return false;
    }
    memcpy(&entry, &sym, sizeof entry); /* object pointer to function pointer, as POSIX allows */
    const cbz_gpu_api *t = entry();
    if (!t || t->version != CBZ_GPU_API_VERSION || t->size != sizeof(cbz_gpu_api)) {
        snprintf(why, whylen,
                 "no CUDA backend: %.250s is a stale build (API version %u, table %u bytes; this "
                 "cobzip wants version %u, %zu bytes): rebuild it with this cobzip",
                 path, t ? t->version : 0u, t ? t->size : 0u, CBZ_GPU_API_VERSION,
                 sizeof(cbz_gpu_api));
        dlclose(h);
        return false;
    }
    *api = t;
    return true;
}

static void load(void)
{
    char cand[3][PATH_MAX + 64];
    int n = 0;
    const char *env = getenv("CBZ_GPU_LIB");
    if (env && *env) {
        snprintf(cand[n++], sizeof cand[0], "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len > 0) {
            exe[len] = '\0';
            char *slash = strrchr(exe, '/');
            if (slash) *slash = '\0';
            snprintf(cand[n++], sizeof cand[0], "%s/%s", exe, CBZ_GPU_BACKEND_FILE);
            snprintf(cand[n++], sizeof cand[0], "%s/../lib/cobzip/%s", exe, CBZ_GPU_BACKEND_FILE);
        } else {
            snprintf(g_status, sizeof g_status,
                     "no CUDA backend: cannot read /proc/self/exe to find %s (set CBZ_GPU_LIB)",
                     CBZ_GPU_BACKEND_FILE);
        }
    }
    bool have_why = false;
    for (int i = 0; i < n; i++) {
        char why[sizeof g_status];
        if (try_path(cand[i], &g_api, why, sizeof why)) {
            snprintf(g_status, sizeof g_status, "loaded %.500s", cand[i]);
            break;
        }
        /* keep the first reason, unless a later path exists and failed for
         * another reason than being absent (that one says more) */
        if (!have_why || access(cand[i], F_OK) == 0) {
            snprintf(g_status, sizeof g_status, "%s", why);
            have_why = true;
        }
    }
    if (g_api && g_slot_limit_set) g_api->set_slot_limit(g_slot_limit);
    g_tried = 1;
}

static const cbz_gpu_api *api(void)
{
    pthread_once(&g_once, load);
    return g_api;
}

static cbz_status no_backend(cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_DEVICE, "%s", g_status);
}

const char *cbz_gpu_backend_status(void)
{
    return g_tried ? g_status : NULL;
}

bool cbz_gpu_built(void) { return api() != NULL; }

bool cbz_gpu_available(void)
{
    const cbz_gpu_api *a = api();
    return a && a->available();
}

cbz_status cbz_gpu_query(cbz_gpu_info *info, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->query(info, err) : no_backend(err);
}

void cbz_gpu_set_slot_limit(size_t bytes)
{
    if (g_tried) {
        if (g_api) g_api->set_slot_limit(bytes);
        return;
    }
    /* not loaded yet: remembered and applied when it is (does not load) */
    g_slot_limit = bytes;
    g_slot_limit_set = true;
}

void cbz_gpu_release(void)
{
    if (g_tried && g_api) g_api->release(); /* never loads just to release */
}

cbz_status cbz_gpu_gather(const uint8_t *records, size_t n, size_t stride, size_t offset,
                          size_t width, uint8_t *col, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->gather(records, n, stride, offset, width, col, err) : no_backend(err);
}

cbz_status cbz_gpu_text_lengths(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                uint32_t *len, size_t *total, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->text_lengths(in, n, width, pad, len, total, err) : no_backend(err);
}

cbz_status cbz_gpu_packed_to_i64(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                 uint8_t *sign, uint8_t *invalid, size_t *n_invalid,
                                 cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->packed_to_i64(in, n, width, out, sign, invalid, n_invalid, err)
             : no_backend(err);
}

cbz_status cbz_gpu_i64_to_packed(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                 uint8_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->i64_to_packed(in, sign, n, width, out, err) : no_backend(err);
}

cbz_status cbz_gpu_zoned_to_i64(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid,
                                size_t *n_invalid, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->zoned_to_i64(in, n, width, sign_mode, ebcdic, out, form, invalid, n_invalid, err)
             : no_backend(err);
}

cbz_status cbz_gpu_i64_to_zoned(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                                int sign_mode, int ebcdic, uint8_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->i64_to_zoned(in, form, n, width, sign_mode, ebcdic, out, err) : no_backend(err);
}

cbz_status cbz_gpu_be_to_i64(const uint8_t *in, size_t n, size_t width, int is_signed,
                             int64_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->be_to_i64(in, n, width, is_signed, out, err) : no_backend(err);
}

cbz_status cbz_gpu_delta_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->delta_encode(in, n, out, err) : no_backend(err);
}

cbz_status cbz_gpu_delta2_encode(const int64_t *in, size_t n, int64_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->delta2_encode(in, n, out, err) : no_backend(err);
}

cbz_status cbz_gpu_zigzag_encode(const int64_t *in, size_t n, uint64_t *out, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->zigzag_encode(in, n, out, err) : no_backend(err);
}

cbz_status cbz_gpu_minmax(const int64_t *in, size_t n, int64_t *min, int64_t *max,
                          cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->minmax(in, n, min, max, err) : no_backend(err);
}

cbz_status cbz_gpu_run_count(const int64_t *in, size_t n, size_t *runs, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->run_count(in, n, runs, err) : no_backend(err);
}

cbz_status cbz_gpu_max_bits_u64(const uint64_t *in, size_t n, unsigned *bits, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->max_bits_u64(in, n, bits, err) : no_backend(err);
}

cbz_status cbz_gpu_bitpack_u64(const uint64_t *in, size_t n, unsigned bits, uint8_t *out,
                               cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->bitpack_u64(in, n, bits, out, err) : no_backend(err);
}

cbz_status cbz_gpu_columns(const uint8_t *records, size_t n, size_t stride,
                           const size_t *chunk_first, size_t n_chunks,
                           const cbz_gpu_column *cols, size_t n_cols,
                           const cbz_gpu_column_out *outs, cbz_gpu_column_stats *stats,
                           cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->columns(records, n, stride, chunk_first, n_chunks, cols, n_cols, outs, stats, err)
             : no_backend(err);
}

const char *const *cbz_gpu_bench_kernels(void)
{
    static const char *const none[] = { NULL };
    const cbz_gpu_api *a = api();
    return a ? a->bench_kernels() : none;
}

cbz_status cbz_gpu_bench(const char *kernel, size_t n, size_t width, int reps,
                         cbz_gpu_bench_row *row, cbz_error *err)
{
    const cbz_gpu_api *a = api();
    return a ? a->bench(kernel, n, width, reps, row, err) : no_backend(err);
}
