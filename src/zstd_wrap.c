/*
 * zstd_wrap.c — wraps libzstd for the L8 entropy layer: the only file of the
 * project that includes <zstd.h>.  Contexts are per thread (OpenMP workers
 * each get their own) and reused, so the hot path does not allocate.
 */
#include "zstd_wrap.h"

#include <zstd.h>

static _Thread_local ZSTD_CCtx *tl_cctx;
static _Thread_local ZSTD_DCtx *tl_dctx;

int cbz_zstd_max_level(void) { return ZSTD_maxCLevel(); }

size_t cbz_zstd_bound(size_t n) { return ZSTD_compressBound(n); }

const char *cbz_zstd_version(void) { return ZSTD_versionString(); }

cbz_status cbz_zstd_compress(const void *src, size_t n, int level, cbz_buf *out,
                             cbz_error *err)
{
    if (level < 1) level = 1;
    if (level > ZSTD_maxCLevel()) level = ZSTD_maxCLevel();
    if (!tl_cctx) {
        tl_cctx = ZSTD_createCCtx();
        CBZ_FAIL_IF(!tl_cctx, err, CBZ_ERR_NOMEM, "zstd: cannot create a compression context");
    }
    size_t bound = ZSTD_compressBound(n);
    CBZ_FAIL_IF(cbz_buf_reserve(out, bound) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "zstd: no memory for %zu bytes of output", bound);
    size_t r = ZSTD_compressCCtx(tl_cctx, out->data + out->len, bound, src, n, level);
    CBZ_FAIL_IF(ZSTD_isError(r), err, CBZ_ERR_IO, "zstd: compression failed: %s",
                ZSTD_getErrorName(r));
    out->len += r;
    return CBZ_OK;
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
    if (!tl_dctx) {
        tl_dctx = ZSTD_createDCtx();
        CBZ_FAIL_IF(!tl_dctx, err, CBZ_ERR_NOMEM, "zstd: cannot create a decompression context");
    }
    size_t r = ZSTD_decompressDCtx(tl_dctx, dst, dst_len, src, n);
    CBZ_FAIL_IF(ZSTD_isError(r), err, CBZ_ERR_FORMAT, "zstd: corrupt frame: %s",
                ZSTD_getErrorName(r));
    CBZ_FAIL_IF(r != dst_len, err, CBZ_ERR_FORMAT, "zstd: frame gave %zu bytes, %zu expected",
                r, dst_len);
    return CBZ_OK;
}
