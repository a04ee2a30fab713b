/*
 * zstd_wrap.h — the project's only door to libzstd (src/zstd_wrap.c is the
 * one file that includes <zstd.h>).  One-shot compression of a buffer and
 * bounded decompression of untrusted frames.
 */
#ifndef CBZ_ZSTD_WRAP_H
#define CBZ_ZSTD_WRAP_H

#include "internal.h"

/* Largest level accepted (levels above are clamped). */
int cbz_zstd_max_level(void);
/* Worst-case compressed size of n bytes. */
size_t cbz_zstd_bound(size_t n);
/* Appends one zstd frame holding src[0..n) to out, at `level` (clamped to
 * 1..max).  The frame records its content size.  Uses a per-thread context
 * kept for the life of the thread (no allocation per call after the first). */
cbz_status cbz_zstd_compress(const void *src, size_t n, int level, cbz_buf *out,
                             cbz_error *err);
/* Decompresses the single frame src[0..n) into dst, which must receive exactly
 * dst_len bytes: a frame that is corrupt, holds more or fewer bytes, or is
 * followed by trailing bytes gives CBZ_ERR_FORMAT. */
cbz_status cbz_zstd_decompress(const void *src, size_t n, void *dst, size_t dst_len,
                               cbz_error *err);
/* The version of the library linked, e.g. "1.5.5". */
const char *cbz_zstd_version(void);

#endif
