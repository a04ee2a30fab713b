/*
 * parallel.h — the OpenMP boundary: how many threads to use and a parallel
 * loop over independent work items (src/parallel.c is the only file that
 * includes <omp.h>).
 *
 * Work items must not depend on each other; callers produce each item's output
 * into its own buffer and write the buffers in item order, so the result is
 * the same for every thread count.
 */
#ifndef CBZ_PARALLEL_H
#define CBZ_PARALLEL_H

#include <stddef.h>

/* Threads to use when the user asked for `requested` (0 = all cores). */
int cbz_parallel_threads(int requested);

/* Calls fn(ctx, item, thread) for item in [0, n) on up to `threads` threads
 * (thread is 0..threads-1, fixed for one call of fn: per-thread state can be
 * indexed by it).  Returns when every item is done. */
void cbz_parallel_for(size_t n, int threads, void (*fn)(void *ctx, size_t item, int thread), void *ctx);

#endif
