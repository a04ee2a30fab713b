/*
 * progress.c — the progress line of long runs (progress.h): one stderr line
 * "label 42% 310.5 MB/s ETA 0:07", redrawn in place at most four times a
 * second and only when stderr is a terminal, cleared when the run finishes.
 *
 * Workers call cbz_progress_add from any thread: the byte count is an atomic
 * counter, and the right to redraw is taken with a compare-and-swap on the
 * time of the last redraw, so at most one thread draws per interval and none
 * of them waits.  MB means 10^6 bytes, as in --stats.
 */
#include "progress.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Redraw interval: at most four lines a second. */
#define PROGRESS_INTERVAL_NS 250000000LL
/* Longest label shown; longer ones keep their tail ("...tail"). */
#define PROGRESS_LABEL_MAX 48

struct cbz_progress {
    char label[PROGRESS_LABEL_MAX + 1];
    uint64_t total;
    int64_t start_ns;
    _Atomic uint64_t done;
    _Atomic int64_t last_draw_ns; /* start_ns until the first redraw */
    atomic_bool drawn;            /* something is on the line (finish clears it) */
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Formats the line (without "\r" or erase) into buf; returns its length
 * (truncated to cap - 1).  Not static: the unit test checks the format with
 * fixed numbers. */
size_t cbz_progress_format(char *buf, size_t cap, const char *label, uint64_t done,
                           uint64_t total, double seconds);

size_t cbz_progress_format(char *buf, size_t cap, const char *label, uint64_t done,
                           uint64_t total, double seconds)
{
    if (cap == 0) return 0;
    double rate = seconds > 0 ? (double)done / seconds : 0.0; /* bytes per second */
    int n;
    if (total > 0) {
        uint64_t shown = done > total ? total : done;
        unsigned pct = (unsigned)((double)shown * 100.0 / (double)total);
        char eta[32];
        if (rate > 0) {
            double left = (double)(total - shown) / rate;
            if (left > 359999.0) left = 359999.0; /* 99:59:59 */
            unsigned long s = (unsigned long)(left + 0.5);
            if (s >= 3600)
                snprintf(eta, sizeof eta, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
            else
                snprintf(eta, sizeof eta, "%lu:%02lu", s / 60, s % 60);
        } else {
            snprintf(eta, sizeof eta, "-:--");
        }
        n = snprintf(buf, cap, "%s %u%% %.1f MB/s ETA %s", label, pct, rate / 1e6, eta);
    } else {
        n = snprintf(buf, cap, "%s %.1f MB %.1f MB/s", label, (double)done / 1e6, rate / 1e6);
    }
    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* Terminal width of stderr, or 80 when it cannot be asked. */
static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

static void draw(cbz_progress *p, int64_t t)
{
    char line[256];
    double seconds = (double)(t - p->start_ns) * 1e-9;
    size_t len = cbz_progress_format(line, sizeof line, p->label, atomic_load(&p->done), p->total,
                                     seconds);
    /* A line that wraps could not be redrawn in place: keep it one column
     * short of the terminal's width. */
    size_t width = terminal_width();
    if (width > 1 && len > width - 1) len = width - 1;
    line[len] = '\0';
    /* One fprintf: stdio locks stderr, so lines of two threads never mix. */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    atomic_store(&p->drawn, true);
}

cbz_progress *cbz_progress_start(const char *label, uint64_t total_bytes, bool enabled)
{
    if (!enabled || isatty(STDERR_FILENO) != 1) return NULL;
    cbz_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL; /* no progress line is no reason to fail a run */
    if (!label) label = "";
    size_t l = strlen(label);
    if (l > PROGRESS_LABEL_MAX)
        snprintf(p->label, sizeof p->label, "...%s", label + l - (PROGRESS_LABEL_MAX - 3));
    else
        memcpy(p->label, label, l + 1);
    p->total = total_bytes;
    p->start_ns = now_ns();
    atomic_init(&p->done, 0);
    atomic_init(&p->last_draw_ns, p->start_ns);
    atomic_init(&p->drawn, false);
    return p;
}

void cbz_progress_add(cbz_progress *p, uint64_t bytes)
{
    if (!p) return;
    atomic_fetch_add(&p->done, bytes);
    int64_t t = now_ns();
    int64_t last = atomic_load(&p->last_draw_ns);
    if (t - last < PROGRESS_INTERVAL_NS) return;
    /* Whoever moves last_draw_ns forward draws; the others go on working. */
    if (atomic_compare_exchange_strong(&p->last_draw_ns, &last, t)) draw(p, t);
}

void cbz_progress_finish(cbz_progress *p)
{
    if (!p) return;
    if (atomic_load(&p->drawn)) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
}
