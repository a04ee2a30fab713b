/*
 * parallel.c — thread count and the parallel loop over independent items
 * (see parallel.h); the only file that includes <omp.h>.
 */
#include "parallel.h"

#include <omp.h>
#include <unistd.h>

int cbz_parallel_threads(int requested)
{
    if (requested > 0) return requested;
    int n = omp_get_num_procs();
    if (n < 1) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    return n;
}

void cbz_parallel_for(size_t n, int threads, void (*fn)(void *ctx, size_t item, int thread), void *ctx)
{
    if (threads < 1) threads = 1;
    if (threads == 1 || n < 2) {
        for (size_t i = 0; i < n; i++) fn(ctx, i, 0);
        return;
    }
    long nn = (long)n;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (long i = 0; i < nn; i++) fn(ctx, (size_t)i, omp_get_thread_num());
}
