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
 * 1..max).  min_match: zstd's shortest match (3..7), or 0 for the level's
 * own choice for n bytes.  The frame records its content size.  Uses a
 * per-thread context kept for the life of the thread (no allocation per
 * call after the first). */
cbz_status cbz_zstd_compress(const void *src, size_t n, int level, int min_match, cbz_buf *out,
                             cbz_error *err);
/* The shortest match zstd itself takes at `level` (clamped as above) for a
 * source of n bytes: what min_match 0 gives. */
int cbz_zstd_own_min_match(int level, size_t n);
/* A frame made only to be measured (out->len grows by its size): the
 * compressed size that compares two encodings of the same values, in less
 * time than level 1 takes.  The setting is in zstd_wrap.c. */
cbz_status cbz_zstd_probe(const void *src, size_t n, cbz_buf *out, cbz_error *err);
/* Decompresses the single frame src[0..n) into dst, which must receive exactly
 * dst_len bytes: a frame that is corrupt, holds more or fewer bytes, or is
 * followed by trailing bytes gives CBZ_ERR_FORMAT. */
cbz_status cbz_zstd_decompress(const void *src, size_t n, void *dst, size_t dst_len,
                               cbz_error *err);
/* The version of the library linked, e.g. "1.5.5". */
const char *cbz_zstd_version(void);

#endif
