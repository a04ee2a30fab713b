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

/* One long-lived helper thread that runs a task at a time beside the
 * caller (the writer / digest work of a batch): made once per run rather
 * than a thread created and joined per batch. */
typedef struct cbz_helper cbz_helper;

/* A helper with its thread started; NULL when no thread can be made (the
 * caller then runs its tasks itself). */
cbz_helper *cbz_helper_new(void);
/* Starts fn(arg) on the helper; the task before must have been waited for. */
void cbz_helper_start(cbz_helper *h, void (*fn)(void *arg), void *arg);
/* Returns when the task started last is done (at once when none runs). */
void cbz_helper_wait(cbz_helper *h);
/* Waits for a running task, ends the thread and frees h (NULL is fine). */
void cbz_helper_free(cbz_helper *h);

#endif
