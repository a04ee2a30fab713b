/*
 * bench_floor.c — the SHA-256 floor of `make bench`: how long one stream of
 * SHA-256 takes over a file's bytes already in memory, through the same
 * OpenSSL-backed src/sha256.c that compress (the original's SHA-256 in the
 * manifest) and decompress (the restored bytes checked against it) use.
 *
 * Why it is a floor: every compress and every restore hashes every byte of
 * the original once, in order, and SHA-256 cannot be split across threads (a
 * block's input is the previous block's output).  However fast the rest of a
 * run is, it cannot take less than starting the process plus this.
 * bench.sh adds the start-up (the wall time of `cobzip --version`) and
 * prints the sum as the `sha256-floor` row.
 *
 * It also times reading FILE (from the page cache, as bench.sh's runs find
 * it) through one reused 4 MiB buffer, the way compress's reader takes its
 * input in chunks: bench.sh's one-core floor adds that to the SHA-256 (a
 * one-core compress has to read the bytes as well as hash them).
 *
 * Usage: bench_floor FILE [ROUNDS]: reads FILE into memory, hashes it ROUNDS
 * times (default 5) in 4 MiB updates (the engine's chunk size), reads the
 * file ROUNDS times through a 4 MiB buffer, and prints the best hashing time
 * in seconds, the digest and the best reading time in seconds.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_floor FILE [ROUNDS]\n");
        return 2;
    }
    int rounds = argc == 3 ? atoi(argv[2]) : 5;
    if (rounds < 1) rounds = 1;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "bench_floor: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fprintf(stderr, "bench_floor: %s: out of memory for %zu bytes\n", argv[1], n);
        return 1;
    }
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            fprintf(stderr, "bench_floor: %s: read failed at byte %zu: %s\n", argv[1], got,
                    r < 0 ? strerror(errno) : "unexpected end of file");
            return 1;
        }
        got += (size_t)r;
    }
    close(fd);

    const size_t step = (size_t)4 << 20;
    double best = -1;
    char hex[65] = "";
    for (int i = 0; i < rounds; i++) {
        cbz_sha256_ctx *c;
        cbz_error err;
        if (cbz_sha256_new(&c, &err) != CBZ_OK) {
            fprintf(stderr, "bench_floor: %s\n", err.msg);
            return 1;
        }
        double t0 = now();
        for (size_t at = 0; at < n; at += step) cbz_sha256_update(c, buf + at, n - at < step ? n - at : step);
        cbz_sha256_final_hex(c, hex);
        double t = now() - t0;
        if (best < 0 || t < best) best = t;
    }
    /* reading: the buffer is written once first, so its pages are mapped
     * before the clock starts (the engine reuses its window the same way) */
    uint8_t *win = malloc(step);
    if (!win) {
        fprintf(stderr, "bench_floor: out of memory for the read buffer\n");
        return 1;
    }
    memset(win, 0, step);
    double best_read = -1;
    for (int i = 0; i < rounds; i++) {
        fd = open(argv[1], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "bench_floor: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        double t0 = now();
        size_t got = 0;
        for (;;) {
            ssize_t r = read(fd, win, step);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                fprintf(stderr, "bench_floor: %s: read failed at byte %zu: %s\n", argv[1], got,
                        strerror(errno));
                return 1;
            }
            if (r == 0) break;
            got += (size_t)r;
        }
        double t = now() - t0;
        close(fd);
        if (got != n) {
            fprintf(stderr, "bench_floor: %s: read %zu bytes, expected %zu\n", argv[1], got, n);
            return 1;
        }
        if (best_read < 0 || t < best_read) best_read = t;
    }
    printf("%.6f %s %.6f\n", best, hex, best_read);
    free(win);
    free(buf);
    return 0;
}
