/*
 * zstd_wrap.c — wraps libzstd for the L8 entropy layer: the only file of the
 * project that includes <zstd.h>.  Contexts are per thread (OpenMP workers
 * each get their own) and reused, so the hot path does not allocate.
 */
#include "zstd_wrap.h"

#include "bigbuf.h"

#include <pthread.h>
#include <stdlib.h>
#define ZSTD_STATIC_LINKING_ONLY   /* ZSTD_customMem, ZSTD_create?Ctx_advanced */
#include <zstd.h>

/* The contexts' memory comes from the per-thread block cache (bigbuf.h):
 * zstd frees and allocates its workspace again whenever the parameters
 * (level, the source size) need more room, or after many calls that needed
 * much less; from malloc every such workspace was fresh memory (page
 * faults in the table memsets, a quarter of all faults of a compress).
 * From the cache the same block comes back.  The bytes produced do not
 * depend on where the memory comes from. */
static void *zstd_alloc(void *opaque, size_t n)
{
    (void)opaque;
    return cbz_big_alloc(n);
}

static void zstd_free(void *opaque, void *p)
{
    (void)opaque;
    cbz_big_free(p);
}

static const ZSTD_customMem zstd_mem = { zstd_alloc, zstd_free, NULL };

/* Workspaces primed in the block cache up to this size (level 4 needs
 * 2.6 MB, level 19 far more: those are allocated as zstd asks). */
#define PRIME_MAX ((size_t)4 << 20)

/* Each thread's contexts hang off a pthread key whose destructor frees them
 * when the thread ends (OpenMP pools come and go with the thread count);
 * the _Thread_local copies only spare the key lookup on the hot path. */
typedef struct thread_contexts {
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
} thread_contexts;

static pthread_key_t contexts_key;
static pthread_once_t contexts_once = PTHREAD_ONCE_INIT;
static _Thread_local thread_contexts *tl_contexts;

static void contexts_free(void *p)
{
    thread_contexts *t = p;
    ZSTD_freeCCtx(t->cctx);
    ZSTD_freeDCtx(t->dctx);
    free(t);
}

static void contexts_key_create(void) { (void)pthread_key_create(&contexts_key, contexts_free); }

static thread_contexts *contexts(void)
{
    if (tl_contexts) return tl_contexts;
    pthread_once(&contexts_once, contexts_key_create);
    thread_contexts *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (pthread_setspecific(contexts_key, t) != 0) {
        free(t);
        return NULL;
    }
    tl_contexts = t;
    return t;
}

int cbz_zstd_max_level(void) { return ZSTD_maxCLevel(); }

size_t cbz_zstd_bound(size_t n) { return ZSTD_compressBound(n); }

const char *cbz_zstd_version(void) { return ZSTD_versionString(); }

static int clamp_level(int level)
{
    return level < 1 ? 1 : level > ZSTD_maxCLevel() ? ZSTD_maxCLevel() : level;
}

int cbz_zstd_own_min_match(int level, size_t n)
{
    return (int)ZSTD_getCParams(clamp_level(level), n, 0).minMatch;
}

cbz_status cbz_zstd_compress(const void *src, size_t n, int level, int min_match, cbz_buf *out,
                             cbz_error *err)
{
    level = clamp_level(level);
    thread_contexts *t = contexts();
    CBZ_FAIL_IF(!t, err, CBZ_ERR_NOMEM, "zstd: no memory for the thread's contexts");
    if (!t->cctx) {
        t->cctx = ZSTD_createCCtx_advanced(zstd_mem);
        CBZ_FAIL_IF(!t->cctx, err, CBZ_ERR_NOMEM, "zstd: cannot create a compression context");
        /* One block big enough for any source size at the usual levels
         * (1..3, 1.3 MB), in the cache before zstd asks: whatever size its
         * first workspace is, it is this block (huge pages, one fault per
         * 2 MiB), and growing later takes the same block back. */
        size_t est = ZSTD_estimateCCtxSize(level < 3 ? 3 : level), got = 0;
        if (est <= PRIME_MAX) {
            void *blk = cbz_big_take(est < CBZ_BIG_HUGE ? CBZ_BIG_HUGE : est, &got);
            cbz_big_give(blk, got);
        }
    }
    size_t bound = ZSTD_compressBound(n);
    CBZ_FAIL_IF(cbz_buf_reserve(out, bound) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "zstd: no memory for %zu bytes of output", bound);
    size_t r;
    if (min_match == 0) {
        r = ZSTD_compressCCtx(t->cctx, out->data + out->len, bound, src, n, level);
    } else {
        /* the level's parameters for n bytes with one of them replaced;
         * the context keeps them only until the next call resets it */
        ZSTD_CCtx_reset(t->cctx, ZSTD_reset_session_and_parameters);
        r = ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_compressionLevel, level);
        if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_minMatch, min_match);
        if (!ZSTD_isError(r)) r = ZSTD_compress2(t->cctx, out->data + out->len, bound, src, n);
    }
    CBZ_FAIL_IF(ZSTD_isError(r), err, CBZ_ERR_IO, "zstd: compression failed: %s",
                ZSTD_getErrorName(r));
    out->len += r;
    return CBZ_OK;
}

/* Probes compress samples of text columns (up to 16 KB: rows against byte
 * planes, plain text against TEXT_NUM) only to compare the two sizes.  At
 * level 1 zstd looks for matches of 5 bytes in sources that small; in text
 * those are many and short, finding them is most of the time, and the
 * literals' Huffman coding gets nearly as much.  With 7 bytes ledger's
 * probes (2.4 MB per 50 MiB) take half the time, the other datasets' 3-18%
 * less, and every choice came out the same on all four generated datasets. */
#define PROBE_LEVEL 1
#define PROBE_MIN_MATCH 7

cbz_status cbz_zstd_probe(const void *src, size_t n, cbz_buf *out, cbz_error *err)
{
    return cbz_zstd_compress(src, n, PROBE_LEVEL, PROBE_MIN_MATCH, out, err);
}

cbz_status cbz_zstd_decompress(const void *src, size_t n, void *dst, size_t dst_len,
                               cbz_error *err)
{
    unsigned long long size = ZSTD_getFrameContentSize(src, n);
    CBZ_FAIL_IF(size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN, err,
                CBZ_ERR_FORMAT, "zstd: not a frame with a content size (%zu bytes)", n);
    CBZ_FAIL_IF(size != dst_len, err, CBZ_ERR_FORMAT,
                "zstd: frame holds %llu bytes, %zu expected", size, dst_len);
    size_t fsize = ZSTD_findFrameCompressedSize(src, n);
    CBZ_FAIL_IF(ZSTD_isError(fsize) || fsize != n, err, CBZ_ERR_FORMAT,
                "zstd: frame is truncated or followed by %s bytes",
                ZSTD_isError(fsize) ? "missing" : "extra");
    thread_contexts *t = contexts();
    CBZ_FAIL_IF(!t, err, CBZ_ERR_NOMEM, "zstd: no memory for the thread's contexts");
    if (!t->dctx) {
        t->dctx = ZSTD_createDCtx_advanced(zstd_mem);
        CBZ_FAIL_IF(!t->dctx, err, CBZ_ERR_NOMEM, "zstd: cannot create a decompression context");
    }
    size_t r = ZSTD_decompressDCtx(t->dctx, dst, dst_len, src, n);
    CBZ_FAIL_IF(ZSTD_isError(r), err, CBZ_ERR_FORMAT, "zstd: corrupt frame: %s",
                ZSTD_getErrorName(r));
    CBZ_FAIL_IF(r != dst_len, err, CBZ_ERR_FORMAT, "zstd: frame gave %zu bytes, %zu expected",
                r, dst_len);
    return CBZ_OK;
}
