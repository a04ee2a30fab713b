/*
 * parallel.c — thread count, the parallel loop over independent items and
 * the long-lived helper thread (see parallel.h); the only file that
 * includes <omp.h>.
 */
#include "parallel.h"

#include <omp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* OpenMP's idle threads spin (GOMP_SPINCOUNT) after every loop and between
 * loops; on a machine with few cores they take the core that the helper
 * thread (SHA-256, writes) and the main thread's serial work need: 2 threads
 * burned ~0.07 s more CPU per 50 MiB than 1.  Between our loops there is
 * always milliseconds of serial work, so sleeping idle threads cost nothing.
 * libgomp reads OMP_WAIT_POLICY once, when it is loaded, before main() and
 * before any constructor of ours: only the executable's .preinit_array runs
 * earlier, so the default is set there.  A value the user set is kept. */
static void omp_passive_by_default(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    (void)setenv("OMP_WAIT_POLICY", "passive", 0);
}
__attribute__((section(".preinit_array"), used))
static void (*const omp_passive_hook)(int, char **, char **) = omp_passive_by_default;

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

struct cbz_helper {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void (*fn)(void *arg);         /* the task to run, NULL when none waits */
    void *arg;
    bool busy;                     /* a task is started and not yet done */
    bool quit;
};

static void *helper_main(void *arg)
{
    cbz_helper *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->fn && !h->quit) pthread_cond_wait(&h->cv, &h->mu);
        if (!h->fn) break;   /* quit, nothing left to run */
        void (*fn)(void *) = h->fn;
        void *a = h->arg;
        h->fn = NULL;
        pthread_mutex_unlock(&h->mu);
        fn(a);
        pthread_mutex_lock(&h->mu);
        h->busy = false;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

cbz_helper *cbz_helper_new(void)
{
    cbz_helper *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    if (pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h);
        return NULL;
    }
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return NULL;
    }
    if (pthread_create(&h->th, NULL, helper_main, h) != 0) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return NULL;
    }
    return h;
}

void cbz_helper_start(cbz_helper *h, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&h->mu);
    while (h->busy) pthread_cond_wait(&h->cv, &h->mu);
    h->fn = fn;
    h->arg = arg;
    h->busy = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void cbz_helper_wait(cbz_helper *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->busy) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

void cbz_helper_free(cbz_helper *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    while (h->busy) pthread_cond_wait(&h->cv, &h->mu);
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
