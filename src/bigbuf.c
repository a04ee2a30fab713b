/*
 * bigbuf.c — the per-thread cache of large work buffers (see bigbuf.h).
 *
 * The cache holds up to CACHE_SLOTS free()-able blocks and their sizes, at
 * most CACHE_BYTES bytes, per thread; a request takes the smallest cached
 * block that holds it.  A thread's cache is freed when the thread ends
 * (pthread key destructor).  cbz_big_alloc's blocks carry a 64-byte header
 * (the block's size) in front of the pointer handed out.  cbz_big_prefault
 * uses madvise(MADV_POPULATE_WRITE) (Linux 5.14+), which maps pages without
 * writing them: safe beside a thread that fills the same buffer.
 */
#include "bigbuf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HEADER ((size_t)64)
#define PAGE ((size_t)4096)
#define HUGE_PAGE ((size_t)2 << 20)
/* The most bytes past a block's last whole huge page left in small pages:
 * a huge page costs about as much as a dozen small ones faulted one by one
 * (one zeroes 2 MiB, 0.13-0.15 ms here on a good day, ms on a bad one; a
 * 4 KiB fault 10-12 us).  128 KiB: the input window and its read-ahead are
 * a chunk and the planner's margin, 64 KiB and 16 bytes, which at 64 KiB
 * took a third huge page each (RSS at one thread 4 MiB less). */
#define HUGE_REST_MAX ((size_t)128 << 10)
#define CACHE_SLOTS 8
#define CACHE_BYTES ((size_t)256 << 20)

typedef struct big_cache {
    void *blk[CACHE_SLOTS];   /* NULL for a free slot */
    size_t size[CACHE_SLOTS];
    size_t bytes;             /* held in all */
} big_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Thread_local big_cache *tl_cache;
/* Set when this thread's cache is destroyed: other thread-exit destructors
 * (zstd_wrap.c's contexts) may still give blocks back; they are freed. */
static _Thread_local bool tl_gone;

static void cache_destroy(void *arg)
{
    big_cache *c = arg;
    tl_cache = NULL;
    tl_gone = true;
    for (int i = 0; i < CACHE_SLOTS; i++) free(c->blk[i]);
    free(c);
}

static void cache_key_create(void) { (void)pthread_key_create(&cache_key, cache_destroy); }

/* This thread's cache, made on first use (NULL: none, blocks are freed). */
static big_cache *cache(void)
{
    if (tl_cache) return tl_cache;
    if (tl_gone) return NULL;
    pthread_once(&cache_once, cache_key_create);
    big_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (pthread_setspecific(cache_key, c) != 0) {
        free(c);
        return NULL;
    }
    tl_cache = c;
    return c;
}

void *cbz_big_take(size_t n, size_t *size)
{
    if (n > SIZE_MAX - HUGE_PAGE) return NULL;
    if (n == 0) n = 1;
    big_cache *c = n >= CBZ_BIG_MIN ? cache() : NULL;
    if (c) {
        int best = -1;
        for (int i = 0; i < CACHE_SLOTS; i++)
            if (c->blk[i] && c->size[i] >= n && (best < 0 || c->size[i] < c->size[best])) best = i;
        if (best >= 0) {
            void *p = c->blk[best];
            *size = c->size[best];
            c->blk[best] = NULL;
            c->bytes -= c->size[best];
            return p;
        }
    }
    void *p = NULL;
    if (n >= CBZ_BIG_HUGE) {
        /* whole huge pages; a short rest after the last one stays in small
         * pages (a chunk of whole records, 4 MiB and a few bytes, would
         * fault a third huge page, 2 MiB zeroed for those bytes) */
        size_t whole = n / HUGE_PAGE * HUGE_PAGE, rest = n - whole;
        n = rest > HUGE_REST_MAX ? whole + HUGE_PAGE : whole + (rest + PAGE - 1) / PAGE * PAGE;
        if (posix_memalign(&p, HUGE_PAGE, n) != 0) return NULL;
#ifdef MADV_HUGEPAGE
        (void)madvise(p, n / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);   /* a hint only */
#endif
    } else if (posix_memalign(&p, HEADER, n) != 0) {
        return NULL;
    } else if (n >= CBZ_BIG_MIN) {
        /* mapped now, in one call: a fresh 4 KiB page costs a fault of
         * 10-12 us when first written here, under 1 us this way (the
         * cached block comes back mapped, so this is paid once) */
        cbz_big_prefault(p, n);
    }
    *size = n;
    return p;
}

void cbz_big_give(void *p, size_t size)
{
    if (!p) return;
    big_cache *c = size >= CBZ_BIG_MIN && size <= CACHE_BYTES ? cache() : NULL;
    if (!c) {
        free(p);
        return;
    }
    /* room: drop the smallest cached blocks while the cache is full or over
     * its byte budget, never one bigger than this block */
    for (;;) {
        int empty = -1, smallest = -1;
        for (int i = 0; i < CACHE_SLOTS; i++) {
            if (!c->blk[i]) {
                if (empty < 0) empty = i;
            } else if (smallest < 0 || c->size[i] < c->size[smallest]) {
                smallest = i;
            }
        }
        if (empty >= 0 && c->bytes + size <= CACHE_BYTES) {
            c->blk[empty] = p;
            c->size[empty] = size;
            c->bytes += size;
            return;
        }
        if (smallest < 0 || c->size[smallest] > size) {
            free(p);
            return;
        }
        c->bytes -= c->size[smallest];
        free(c->blk[smallest]);
        c->blk[smallest] = NULL;
    }
}

void cbz_big_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    if (!p || n == 0) return;
    /* whole pages: the bytes around the range are left as they are too */
    const uintptr_t page = PAGE;
    uintptr_t a = (uintptr_t)p & ~(page - 1);
    uintptr_t e = (uintptr_t)p + n;
    if (e < (uintptr_t)p || e > UINTPTR_MAX - page) return;
    e = (e + page - 1) & ~(page - 1);
    (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);   /* a hint only */
#else
    (void)p;
    (void)n;
#endif
}

void *cbz_big_alloc(size_t n)
{
    if (n > SIZE_MAX - HEADER - HUGE_PAGE) return NULL;
    size_t size;
    uint8_t *blk = cbz_big_take(n + HEADER, &size);
    if (!blk) return NULL;
    *(size_t *)blk = size;
    return blk + HEADER;
}

void cbz_big_free(void *p)
{
    if (!p) return;
    uint8_t *blk = (uint8_t *)p - HEADER;
    cbz_big_give(blk, *(size_t *)blk);
}
