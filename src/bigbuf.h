/*
 * bigbuf.h — large work buffers that live for the whole run: allocated once
 * per thread and reused, never given back to the system between chunks.
 *
 * Why: on this kind of virtual machine a first touch of fresh memory costs
 * a page fault of ~9 us per 4 KiB, and glibc returns big blocks (mmap'd)
 * to the system on free(), so a buffer freed and allocated again for every
 * chunk (or every column) faults again every time.  Large blocks go back to
 * a small per-thread cache when freed and are handed out again from there;
 * blocks of CBZ_BIG_HUGE bytes or more are 2 MiB aligned and advised to
 * transparent huge pages (one fault per 2 MiB instead of 512), smaller new
 * ones are mapped in one call when made (cbz_big_prefault: under 1 us a
 * page instead of a 10-12 us fault each).
 *
 * Two faces over one cache:
 *   cbz_big_alloc / cbz_big_free   a pointer with a hidden header (for
 *                                  callers that do not keep the size: zstd)
 *   cbz_big_take / cbz_big_give    a raw block and its size; the block is
 *                                  plain malloc memory, so free() works on
 *                                  it too (cbz_buf hands its data out)
 */
#ifndef CBZ_BIGBUF_H
#define CBZ_BIGBUF_H

#include <stddef.h>

/* Blocks of at least this many bytes get huge pages: whole ones, where a
 * rest of at most 128 KiB after the last whole one stays in small pages. */
#define CBZ_BIG_HUGE ((size_t)1536 << 10)
/* Blocks of at least this many bytes are cached; smaller ones are plain
 * malloc / free (glibc keeps those in its heap anyway). */
#define CBZ_BIG_MIN ((size_t)64 << 10)

/* At least n bytes, 64-byte aligned (NULL: no memory).  The contents are
 * unspecified.  Free only with cbz_big_free (on any thread). */
void *cbz_big_alloc(size_t n);
/* Gives p (NULL is fine) back to this thread's cache, or to the system when
 * the cache is full. */
void cbz_big_free(void *p);

/* A block of at least n bytes (*size: its real size), from the cache when
 * one fits, else new; free()-able.  NULL: no memory. */
void *cbz_big_take(size_t n, size_t *size);
/* A block of `size` bytes (from cbz_big_take, malloc or realloc) to the
 * cache, or free()d when it is small or the cache is full.  NULL is fine. */
void cbz_big_give(void *p, size_t size);

/* Maps the pages of [p, p + n) now (a hint: nothing happens where the
 * system can not).  The bytes are not changed, so another thread may be
 * writing them at the same time: a helper thread takes a buffer's page
 * faults (and huge-page zeroing) off the thread that is about to fill it. */
void cbz_big_prefault(void *p, size_t n);

#endif
