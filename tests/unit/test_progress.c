/*
 * test_progress.c — the progress line (src/progress.c): its format with fixed
 * numbers, the line on a terminal (a pseudo-terminal made with forkpty: drawn,
 * redrawn at most four times a second, cleared at the end, correct totals when
 * many threads add), and silence when stderr is a pipe or a file, or when the
 * caller turns it off.
 */
#include "progress.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void test_format(void)
{
    char b[128];
    /* 1552.5 MB in 5 s = 310.5 MB/s; 2173.5 MB left = 7 s. */
    cbz_progress_format(b, sizeof b, "in.dat", 1552500000u, 3726000000u, 5.0);
    CU_ASSERT_STRING_EQUAL(b, "in.dat 41% 310.5 MB/s ETA 0:07");
    /* Minutes and hours. */
    cbz_progress_format(b, sizeof b, "x", 1000000u, 1000000000u, 1.0);
    CU_ASSERT_STRING_EQUAL(b, "x 0% 1.0 MB/s ETA 16:39");
    cbz_progress_format(b, sizeof b, "x", 1000000u, 10000000000u, 1.0);
    CU_ASSERT_STRING_EQUAL(b, "x 0% 1.0 MB/s ETA 2:46:39");
    /* Done: 100% and no time left; more than the total still says 100%. */
    cbz_progress_format(b, sizeof b, "x", 500u, 500u, 0.5);
    CU_ASSERT_STRING_EQUAL(b, "x 100% 0.0 MB/s ETA 0:00");
    cbz_progress_format(b, sizeof b, "x", 900u, 500u, 0.5);
    CU_ASSERT_STRING_EQUAL(b, "x 100% 0.0 MB/s ETA 0:00");
    /* No rate yet: no ETA. */
    cbz_progress_format(b, sizeof b, "x", 0u, 500u, 0.0);
    CU_ASSERT_STRING_EQUAL(b, "x 0% 0.0 MB/s ETA -:--");
    /* Unknown total: bytes done and rate, no percent or ETA. */
    cbz_progress_format(b, sizeof b, "stdin", 25000000u, 0u, 2.0);
    CU_ASSERT_STRING_EQUAL(b, "stdin 25.0 MB 12.5 MB/s");
    /* Truncated to the buffer, always terminated. */
    size_t n = cbz_progress_format(b, 8, "in.dat", 1552500000u, 3726000000u, 5.0);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_STRING_EQUAL(b, "in.dat ");
}

/* What a child wrote to its terminal, and how it exited. */
typedef struct pty_run {
    char out[65536];
    size_t len;
    int status;
} pty_run;

/* Runs body() in a child whose stdin/stdout/stderr are a pseudo-terminal and
 * collects everything it writes there. */
static int run_on_pty(int (*body)(void), pty_run *r)
{
    int master;
    memset(r, 0, sizeof *r);
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    if (pid < 0) return -1;
    if (pid == 0) _exit(body());
    for (;;) {
        if (r->len + 1 >= sizeof r->out) break;
        ssize_t k = read(master, r->out + r->len, sizeof r->out - 1 - r->len);
        if (k > 0) { r->len += (size_t)k; continue; }
        if (k < 0 && errno == EINTR) continue;
        break; /* EIO: the child closed the terminal */
    }
    r->out[r->len] = '\0';
    close(master);
    if (waitpid(pid, &r->status, 0) != pid) return -1;
    return 0;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

static int body_basic(void)
{
    cbz_progress *p = cbz_progress_start("job.dat", 1000, true);
    if (!p) return 10;
    cbz_progress_add(p, 500);  /* too soon after start: no line yet */
    sleep_ms(300);
    cbz_progress_add(p, 100);  /* 250 ms passed: one line, 60% */
    cbz_progress_add(p, 100);  /* too soon again */
    sleep_ms(300);
    cbz_progress_add(p, 300);  /* 100% */
    cbz_progress_finish(p);
    return 0;
}

static void test_terminal_line(void)
{
    static pty_run r;
    CU_ASSERT_EQUAL_FATAL(run_on_pty(body_basic, &r), 0);
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\rjob.dat 60% "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\rjob.dat 100% "));
    CU_ASSERT_PTR_NULL(strstr(r.out, "job.dat 50%"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "job.dat 70%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " MB/s ETA "));
    CU_ASSERT_EQUAL(count(r.out, "job.dat"), 2);
    /* Cleared at the end, and never a newline (the line is redrawn in place). */
    CU_ASSERT(r.len >= 4 && memcmp(r.out + r.len - 4, "\r\033[K", 4) == 0);
    CU_ASSERT_PTR_NULL(strchr(r.out, '\n'));
}

static int body_short(void)
{
    /* A run shorter than the interval draws nothing, so finish writes nothing. */
    cbz_progress *p = cbz_progress_start("quick", 10, true);
    if (!p) return 10;
    cbz_progress_add(p, 10);
    cbz_progress_finish(p);
    /* Turned off by the caller (-q): NULL even on a terminal. */
    if (cbz_progress_start("off", 10, false) != NULL) return 11;
    return 0;
}

static void test_terminal_quiet_cases(void)
{
    static pty_run r;
    CU_ASSERT_EQUAL_FATAL(run_on_pty(body_short, &r), 0);
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    CU_ASSERT_EQUAL(r.len, 0);
}

/* Four threads add 1000 x 1000 bytes each for about 1.2 s. */
static int body_threads(void)
{
    cbz_progress *p = cbz_progress_start("par", 4000000, true);
    if (!p) return 10;
#pragma omp parallel for num_threads(4)
    for (int t = 0; t < 4; t++) {
        for (int i = 0; i < 1000; i++) {
            cbz_progress_add(p, 1000);
            struct timespec ts = { 0, 1200000L };
            nanosleep(&ts, NULL);
        }
    }
    sleep_ms(300);
    cbz_progress_add(p, 0); /* draws the final count */
    cbz_progress_finish(p);
    return 0;
}

static void test_terminal_threads(void)
{
    static pty_run r;
    CU_ASSERT_EQUAL_FATAL(run_on_pty(body_threads, &r), 0);
    CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    /* Every byte counted: the last line says 100%. */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\rpar 100% "));
    /* At most four lines a second: about 1.5 s of run, so at most 7 lines
     * (and at least the final one plus one while working). */
    size_t lines = count(r.out, "\rpar ");
    CU_ASSERT(lines >= 2);
    CU_ASSERT(lines <= 7);
    /* Lines never interleave: each starts with \r and ends with erase. */
    CU_ASSERT_EQUAL(count(r.out, "\033[K"), lines + 1);
}

/* stderr redirected to fd for the duration of fn. */
static void with_stderr(int fd, void (*fn)(void))
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    CU_ASSERT_FATAL(saved >= 0);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static cbz_progress *silent_p;
static void run_silent(void)
{
    silent_p = cbz_progress_start("piped", 1000, true);
    cbz_progress_add(silent_p, 400);
    sleep_ms(300);
    cbz_progress_add(silent_p, 600);
    cbz_progress_finish(silent_p);
}

static void test_pipe_silent(void)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    with_stderr(fds[1], run_silent);
    CU_ASSERT_PTR_NULL(silent_p);
    close(fds[1]);
    char b[64];
    CU_ASSERT_EQUAL(read(fds[0], b, sizeof b), 0); /* EOF, nothing written */
    close(fds[0]);
}

static void test_file_silent(void)
{
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    with_stderr(fileno(f), run_silent);
    CU_ASSERT_PTR_NULL(silent_p);
    CU_ASSERT_EQUAL(lseek(fileno(f), 0, SEEK_END), 0);
    fclose(f);
}

static void test_null_is_noop(void)
{
    cbz_progress_add(NULL, 5);
    cbz_progress_finish(NULL);
    CU_PASS("NULL accepted");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("progress", NULL, NULL);
    if (!s) return 1;
    CU_add_test(s, "format with fixed numbers", test_format);
    CU_add_test(s, "line on a terminal, redrawn and cleared", test_terminal_line);
    CU_add_test(s, "short run and -q: nothing on a terminal", test_terminal_quiet_cases);
    CU_add_test(s, "threads: all bytes counted, <= 4 lines/s", test_terminal_threads);
    CU_add_test(s, "stderr a pipe: no line", test_pipe_silent);
    CU_add_test(s, "stderr a file: no line", test_file_silent);
    CU_add_test(s, "NULL is a no-op", test_null_is_noop);
    unsigned failures = cbz_cunit_run();
    return failures ? 1 : 0;
}
