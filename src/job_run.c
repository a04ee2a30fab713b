/*
 * job_run.c — running a parsed job: the decision to run, bypass or flush each
 * step, DISP checks and dispositions, each step as a child cobzip process
 * (or in-process for pgm delete), the job log (every line with a message id),
 * the lock file, --restart, --dry-run and the JSON run report.
 */
#include "job.h"
#include "hash.h"
#include "internal.h"
#include "outfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Return codes (as cli/cli.h): a step that cannot be set up is severe; one
 * that cannot be started at all is fatal. */
#define RC_SEVERE 12
#define CLI_RC_FATAL_CHILD 16

/* ------------------------------------------------------------- job log */

typedef struct step_result {
    cbz_step_state state;
    int rc;
    int sig;
    bool has_times;
    time_t start_wall, end_wall;
    double elapsed;
    long long records;          /* -1 = unknown */
    uint64_t bytes_in, bytes_out;
    char output[1024];          /* first SYSUT2 dsn, "" when none */
    char sha256[65];            /* "" when none */
} step_result;

typedef struct runner {
    const cbz_job *job;
    const cbz_job_run_options *opt;
    FILE *log;
    const char *exe;
    step_result *res;
    cbz_cond_step *ctx_steps;
} runner;

static void logmsg(runner *r, int id, char sev, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void logmsg(runner *r, int id, char sev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(r->log, "CBZ%04d%c ", id, sev);
    vfprintf(r->log, fmt, ap);
    fputc('\n', r->log);
    va_end(ap);
    fflush(r->log);
}

static char rc_sev(int rc) { return rc == 0 ? 'I' : rc <= 4 ? 'W' : 'E'; }

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------- files */

static bool path_exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static uint64_t size_total;
static int size_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)p; (void)f;
    if (flag == FTW_F) size_total += (uint64_t)st->st_size;
    return 0;
}

/* Bytes of a file, or of every file under a directory; 0 when missing. */
static uint64_t path_size(const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) return (uint64_t)st.st_size;
    size_total = 0;
    nftw(p, size_cb, 16, FTW_PHYS);
    return size_total;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st; (void)f;
    return (flag == FTW_DP ? rmdir(p) : unlink(p)) == 0 ? 0 : -1;
}

static bool is_cobzip_dataset(const char *dir)
{
    char buf[4200];
    snprintf(buf, sizeof buf, "%s/manifest-sha256.txt", dir);
    if (path_exists(buf)) return true;
    snprintf(buf, sizeof buf, "%s/manifest.json", dir);
    return path_exists(buf);
}

/* Deletes a file, or a directory only when it is a cobzip dataset (a DD
 * that names some other directory is never emptied by a job).
 * Returns 0 deleted, 1 not found, -1 refused or failed (why in msg). */
static int delete_dataset(const char *p, char *msg, size_t cap)
{
    struct stat st;
    if (lstat(p, &st) != 0) return 1;
    if (S_ISDIR(st.st_mode)) {
        if (!is_cobzip_dataset(p)) {
            snprintf(msg, cap, "is a directory but not a cobzip dataset (no manifest); not deleted");
            return -1;
        }
        if (nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS) != 0) {
            snprintf(msg, cap, "cannot delete: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (unlink(p) != 0) {
        snprintf(msg, cap, "cannot delete: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* SHA-256 of an output: the file, or a dataset's manifest-sha256.txt (which
 * itself lists every member's SHA-256). */
static void output_sha256(const char *p, char hex[65])
{
    hex[0] = '\0';
    struct stat st;
    if (stat(p, &st) != 0) return;
    char buf[4200];
    const char *target = p;
    if (S_ISDIR(st.st_mode)) {
        snprintf(buf, sizeof buf, "%s/manifest-sha256.txt", p);
        if (!path_exists(buf)) return;
        target = buf;
    }
    cbz_error e = { 0 };
    if (cbz_sha256_file_hex(target, hex, &e) != CBZ_OK) hex[0] = '\0';
}

/* ------------------------------------------------------------- argv */

typedef struct argv_b {
    char **v;
    size_t n, cap;
    bool oom;
} argv_b;

static void av_push(argv_b *a, const char *s)
{
    if (a->oom) return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) { a->oom = true; return; }
        a->v = v;
        a->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) { a->oom = true; return; }
    a->v[a->n++] = copy;
    a->v[a->n] = NULL;
}

static void av_free(argv_b *a)
{
    for (size_t i = 0; i < a->n; i++) free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Which config keys a program takes. */
static bool config_applies(cbz_config_key k, cbz_pgm p)
{
    switch (k) {
    case CBZ_CFG_CODEPAGE: return p == CBZ_PGM_COMPRESS || p == CBZ_PGM_CONVERT || p == CBZ_PGM_ENCODE;
    case CBZ_CFG_LEVEL:
    case CBZ_CFG_CHUNK_SIZE:
    case CBZ_CFG_DEVICE: return p == CBZ_PGM_COMPRESS;
    case CBZ_CFG_THREADS: return p == CBZ_PGM_COMPRESS || p == CBZ_PGM_DECOMPRESS || p == CBZ_PGM_VERIFY;
    case CBZ_CFG_COUNT: break;
    }
    return false;
}

/* The effective value of a config key for a step: command line or environment,
 * else the step's parm, else the deck's defaults:, else the site conf; NULL when
 * only the built-in applies (the subcommand's own default is then used). */
static const char *effective(const runner *r, const cbz_job_step *s, cbz_config_key k)
{
    const cbz_config *c = r->opt->config;
    if (c && c->items[k].source >= CBZ_SRC_ENV) return c->items[k].value;
    const cbz_job_parm *p = cbz_job_step_parm(s, cbz_config_key_name(k));
    if (p && p->n_values) return p->values[0];
    if (r->job->defaults[k].source == CBZ_SRC_DECK) return r->job->defaults[k].value;
    if (c && c->items[k].source == CBZ_SRC_CONF) return c->items[k].value;
    return NULL;
}

static void long_opt(char *buf, size_t cap, const char *key)
{
    snprintf(buf, cap, "--%s", key);
    for (char *c = buf; *c; c++)
        if (*c == '_') *c = '-';
}

/* The temporary name a MOD output is written to before it is appended. */
static void mod_temp(const char *dsn, char *out, size_t cap)
{
    const char *slash = strrchr(dsn, '/');
    if (slash) snprintf(out, cap, "%.*s/.%s.mod.%ld", (int)(slash - dsn), dsn, slash + 1, (long)getpid());
    else snprintf(out, cap, ".%s.mod.%ld", dsn, (long)getpid());
}

static void output_option(argv_b *a, const cbz_job_dd *dd, const char *opt)
{
    char tmp[4200];
    if (!dd) return;
    if (opt) av_push(a, opt);
    if (dd->status == CBZ_DISP_MOD) {
        mod_temp(dd->dsn[0], tmp, sizeof tmp);
        av_push(a, tmp);
    } else {
        av_push(a, dd->dsn[0]);
    }
}

static void build_argv(const runner *r, const cbz_job_step *s, argv_b *a)
{
    char opt[128];
    av_push(a, r->exe);
    av_push(a, cbz_pgm_name(s->pgm));
    const cbz_job_dd *in = cbz_job_step_dd(s, "SYSUT1");
    const cbz_job_dd *out = cbz_job_step_dd(s, "SYSUT2");
    const cbz_job_dd *cpy = cbz_job_step_dd(s, "COPYBOOK");
    const cbz_job_dd *lib = cbz_job_step_dd(s, "SYSLIB");
    if (cpy) { av_push(a, "-c"); av_push(a, cpy->dsn[0]); }
    for (size_t i = 0; lib && i < lib->n_dsn; i++) { av_push(a, "-I"); av_push(a, lib->dsn[i]); }
    if (in && in->recfm) { av_push(a, "--recfm"); av_push(a, in->recfm); }
    if (in && in->lrecl) { snprintf(opt, sizeof opt, "%u", in->lrecl); av_push(a, "--lrecl"); av_push(a, opt); }
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        if (!config_applies((cbz_config_key)k, s->pgm)) continue;
        const char *v = effective(r, s, (cbz_config_key)k);
        if (!v) continue;
        long_opt(opt, sizeof opt, cbz_config_key_name((cbz_config_key)k));
        av_push(a, opt);
        av_push(a, v);
    }
    for (size_t i = 0; i < s->n_parms; i++) {
        const cbz_job_parm *p = &s->parms[i];
        if (cbz_config_key_find(p->key) >= 0) continue; /* handled with precedence above */
        long_opt(opt, sizeof opt, p->key);
        if (p->is_flag) {
            if (p->flag_on) av_push(a, opt);
            continue;
        }
        for (size_t j = 0; j < p->n_values; j++) { av_push(a, opt); av_push(a, p->values[j]); }
    }
    output_option(a, cbz_job_step_dd(s, "REJECTS"), "--rejects");
    if (out && out->status == CBZ_DISP_OLD) av_push(a, "--force");
    for (size_t i = 0; in && i < in->n_dsn; i++) av_push(a, in->dsn[i]);
    output_option(a, out, "-o");
}

/* ------------------------------------------------------------- child */

/* "1000 records", "records: 1000", "records=1000": the first count in a line
 * ("500 records read, 500 written, 0 values rejected in 0 records"); the
 * last line that has one wins. */
static void scan_records(const char *line, long long *records)
{
    for (const char *p = line; (p = strcasestr(p, "record")) != NULL; p++) {
        const char *q = p;
        while (q > line && q[-1] == ' ') q--;
        const char *end = q;
        while (q > line && (isdigit((unsigned char)q[-1]) || q[-1] == ',')) q--;
        if (q < end && isdigit((unsigned char)*q)) {
            long long v = 0;
            for (const char *c = q; c < end; c++)
                if (isdigit((unsigned char)*c)) v = v * 10 + (*c - '0');
            *records = v;
            return;
        }
        const char *after = p + 6;
        if (*after == 's' || *after == 'S') after++;
        while (*after == ' ' || *after == ':' || *after == '=') after++;
        if (isdigit((unsigned char)*after)) {
            *records = strtoll(after, NULL, 10);
            return;
        }
    }
}

/* Runs argv with stdout+stderr into a pipe; each line goes to sysprint (when
 * open) or into the job log.  Returns false when the child could not start. */
static bool run_child(runner *r, const cbz_job_step *s, char **argv, FILE *sysprint, step_result *res)
{
    int fds[2];
    if (pipe(fds) != 0) {
        logmsg(r, 232, 'E', "%s CANNOT START: pipe: %s", s->name, strerror(errno));
        return false;
    }
    fflush(r->log);
    if (sysprint) fflush(sysprint);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        logmsg(r, 232, 'E', "%s CANNOT START: fork: %s", s->name, strerror(errno));
        return false;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(CLI_RC_FATAL_CHILD);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while (in && (got = getline(&line, &cap, in)) > 0) {
        if (line[got - 1] == '\n') line[--got] = '\0';
        scan_records(line, &res->records);
        if (sysprint) fprintf(sysprint, "%s\n", line);
        else logmsg(r, 210, 'I', "%s | %s", s->name, line);
    }
    free(line);
    if (in) fclose(in);
    else close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status)) {
        res->state = CBZ_STEP_ABEND;
        res->sig = WTERMSIG(status);
    } else {
        res->state = CBZ_STEP_RAN;
        res->rc = WEXITSTATUS(status);
    }
    return true;
}

/* ------------------------------------------------------------- steps */

static bool is_output_dd(const cbz_job_dd *dd)
{
    return strcmp(dd->name, "SYSUT2") == 0 || strcmp(dd->name, "REJECTS") == 0 || strcmp(dd->name, "SYSPRINT") == 0;
}

static bool is_delete_list(const cbz_job_step *s, const cbz_job_dd *dd)
{
    return s->pgm == CBZ_PGM_DELETE && strcmp(dd->name, "SYSUT1") == 0;
}

static void echo_dds(runner *r, const cbz_job_step *s)
{
    for (size_t i = 0; i < s->n_dds; i++) {
        const cbz_job_dd *dd = &s->dds[i];
        for (size_t j = 0; j < dd->n_dsn; j++) {
            if (is_delete_list(s, dd))
                logmsg(r, 201, 'I', "%s DD %-8s DSN=%s", s->name, dd->name, dd->dsn[j]);
            else {
                char extra[64] = "";
                if (dd->recfm || dd->lrecl)
                    snprintf(extra, sizeof extra, " RECFM=%s LRECL=%u", dd->recfm ? dd->recfm : "-", dd->lrecl);
                logmsg(r, 201, 'I', "%s DD %-8s DSN=%s DISP=(%s,%s,%s)%s", s->name, dd->name, dd->dsn[j],
                       cbz_disp_status_name(dd->status), cbz_disp_end_name(dd->normal),
                       cbz_disp_end_name(dd->abnormal), extra);
            }
        }
    }
}

static void log_exec(runner *r, const cbz_job_step *s, char **argv)
{
    char line[4096];
    size_t len = (size_t)snprintf(line, sizeof line, "cobzip");
    for (size_t i = 1; argv[i] && len < sizeof line; i++) {
        bool quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$") != NULL;
        len += (size_t)snprintf(line + len, sizeof line - len, quote ? " '%s'" : " %s", argv[i]);
    }
    logmsg(r, 202, 'I', "%s EXEC %s", s->name, line);
}

/* Appends a MOD output's temporary file to its dataset.  A CSV header that
 * repeats the dataset's first line is dropped, so appended CSV stays one table. */
static bool append_mod(runner *r, const cbz_job_step *s, const cbz_job_dd *dd, bool csv)
{
    char tmp[4200];
    mod_temp(dd->dsn[0], tmp, sizeof tmp);
    struct stat st;
    if (lstat(tmp, &st) != 0) return true; /* the program wrote nothing */
    if (S_ISDIR(st.st_mode)) {
        logmsg(r, 261, 'E', "%s DD %s DSN=%s: DISP MOD cannot append a directory", s->name, dd->name, dd->dsn[0]);
        nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        return false;
    }
    if (!path_exists(dd->dsn[0])) {
        if (rename(tmp, dd->dsn[0]) != 0) {
            logmsg(r, 261, 'E', "%s DD %s DSN=%s: rename: %s", s->name, dd->name, dd->dsn[0], strerror(errno));
            unlink(tmp);
            return false;
        }
        logmsg(r, 260, 'I', "%s DD %s DSN=%s CREATED (DISP MOD, it did not exist)", s->name, dd->name, dd->dsn[0]);
        return true;
    }
    FILE *src = fopen(tmp, "rb");
    FILE *dst = fopen(dd->dsn[0], "r+b");
    bool ok = src && dst;
    char first_dst[8192] = "", first_src[8192] = "";
    if (ok && csv) {
        if (!fgets(first_dst, sizeof first_dst, dst)) first_dst[0] = '\0';
        if (!fgets(first_src, sizeof first_src, src)) first_src[0] = '\0';
        if (!(first_dst[0] && strcmp(first_dst, first_src) == 0)) rewind(src);
    }
    if (ok) ok = fseek(dst, 0, SEEK_END) == 0;
    char buf[65536];
    size_t got;
    uint64_t appended = 0;
    while (ok && (got = fread(buf, 1, sizeof buf, src)) > 0) {
        ok = fwrite(buf, 1, got, dst) == got;
        appended += got;
    }
    if (ok) ok = !ferror(src) && fflush(dst) == 0 && fsync(fileno(dst)) == 0;
    int saved = errno;
    if (src) fclose(src);
    if (dst && fclose(dst) != 0) ok = false;
    unlink(tmp);
    if (!ok) {
        logmsg(r, 261, 'E', "%s DD %s DSN=%s: append failed: %s", s->name, dd->name, dd->dsn[0], strerror(saved));
        return false;
    }
    logmsg(r, 260, 'I', "%s DD %s DSN=%s APPENDED %llu BYTES (DISP MOD)", s->name, dd->name, dd->dsn[0],
           (unsigned long long)appended);
    return true;
}

static int run_delete(runner *r, const cbz_job_step *s)
{
    const cbz_job_dd *dd = cbz_job_step_dd(s, "SYSUT1");
    int rc = 0;
    for (size_t i = 0; i < dd->n_dsn; i++) {
        char msg[256] = "";
        int d = delete_dataset(dd->dsn[i], msg, sizeof msg);
        if (d == 0) logmsg(r, 270, 'I', "%s DSN=%s DELETED", s->name, dd->dsn[i]);
        else if (d == 1) {
            logmsg(r, 271, 'W', "%s DSN=%s NOT FOUND, NOTHING TO DELETE", s->name, dd->dsn[i]);
            if (rc < 4) rc = 4;
        } else {
            logmsg(r, 272, 'E', "%s DSN=%s %s", s->name, dd->dsn[i], msg);
            rc = 8;
        }
    }
    return rc;
}

static FILE *open_sysprint(runner *r, const cbz_job_step *s, const cbz_job_dd *dd)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    if (dd->status == CBZ_DISP_MOD) flags |= O_APPEND;
    else if (dd->status == CBZ_DISP_NEW) flags |= O_EXCL;
    else flags |= O_TRUNC;
    int fd = open(dd->dsn[0], flags, 0644);
    FILE *fp = fd >= 0 ? fdopen(fd, dd->status == CBZ_DISP_MOD ? "a" : "w") : NULL;
    if (!fp) {
        logmsg(r, 252, 'E', "%s DD SYSPRINT DSN=%s: cannot open: %s", s->name, dd->dsn[0], strerror(errno));
        if (fd >= 0) close(fd);
    }
    return fp;
}

static void execute_step(runner *r, size_t idx)
{
    const cbz_job_step *s = &r->job->steps[idx];
    step_result *res = &r->res[idx];
    res->records = -1;
    res->has_times = true;
    res->start_wall = time(NULL);
    double t0 = now_mono();
    logmsg(r, 200, 'I', "%s PGM=%s STARTED", s->name, cbz_pgm_name(s->pgm));
    echo_dds(r, s);

    /* Allocation: DISP status checks.  A step that fails here never started:
     * no dispositions are applied (the dataset in the way is not ours). */
    bool allocated = true;
    for (size_t i = 0; i < s->n_dds; i++) {
        const cbz_job_dd *dd = &s->dds[i];
        if (is_delete_list(s, dd)) continue;
        for (size_t j = 0; j < dd->n_dsn; j++) {
            bool exists = path_exists(dd->dsn[j]);
            if ((dd->status == CBZ_DISP_SHR || dd->status == CBZ_DISP_OLD) && !exists) {
                logmsg(r, 251, 'E', "%s DD %s DSN=%s DATASET NOT FOUND (DISP %s needs it to exist)", s->name,
                       dd->name, dd->dsn[j], cbz_disp_status_name(dd->status));
                allocated = false;
            } else if (dd->status == CBZ_DISP_NEW && exists) {
                logmsg(r, 250, 'E', "%s DD %s DSN=%s DATASET EXISTS (DISP NEW; use OLD to replace it or MOD to append)",
                       s->name, dd->name, dd->dsn[j]);
                allocated = false;
            }
        }
    }
    const cbz_job_dd *out = cbz_job_step_dd(s, "SYSUT2");
    if (out) snprintf(res->output, sizeof res->output, "%s", out->dsn[0]);
    const cbz_job_dd *in = cbz_job_step_dd(s, "SYSUT1");
    for (size_t j = 0; in && j < in->n_dsn; j++) res->bytes_in += path_size(in->dsn[j]);

    if (!allocated) {
        res->state = CBZ_STEP_RAN;
        res->rc = RC_SEVERE;
    } else if (s->pgm == CBZ_PGM_DELETE) {
        res->state = CBZ_STEP_RAN;
        res->rc = run_delete(r, s);
    } else {
        const cbz_job_dd *sp = cbz_job_step_dd(s, "SYSPRINT");
        FILE *sysprint = sp ? open_sysprint(r, s, sp) : NULL;
        argv_b a = { 0 };
        build_argv(r, s, &a);
        if (sp && !sysprint) {
            res->state = CBZ_STEP_RAN;
            res->rc = RC_SEVERE;
        } else if (a.oom) {
            logmsg(r, 232, 'E', "%s CANNOT START: out of memory", s->name);
            res->state = CBZ_STEP_RAN;
            res->rc = CLI_RC_FATAL_CHILD;
        } else {
            log_exec(r, s, a.v);
            if (!run_child(r, s, a.v, sysprint, res)) {
                res->state = CBZ_STEP_RAN;
                res->rc = CLI_RC_FATAL_CHILD;
            }
        }
        av_free(&a);
        if (sysprint) fclose(sysprint);

        /* MOD outputs were written to a temporary name: append them now (the
         * rejects even after a failure: that is when they are wanted). */
        bool ok = res->state == CBZ_STEP_RAN && res->rc <= 4;
        const cbz_job_parm *fmt = cbz_job_step_parm(s, "format");
        bool csv = s->pgm == CBZ_PGM_CONVERT && !(fmt && fmt->n_values && strcasecmp(fmt->values[0], "csv") != 0);
        for (size_t i = 0; i < s->n_dds; i++) {
            const cbz_job_dd *dd = &s->dds[i];
            if (dd->status != CBZ_DISP_MOD || strcmp(dd->name, "SYSPRINT") == 0) continue;
            bool is_rejects = strcmp(dd->name, "REJECTS") == 0;
            if (ok || is_rejects) {
                if (!append_mod(r, s, dd, csv && !is_rejects) && ok) {
                    res->rc = CLI_RC_FATAL_CHILD;
                    ok = false;
                }
            } else {
                char tmp[4200];
                mod_temp(dd->dsn[0], tmp, sizeof tmp);
                char msg[256];
                (void)delete_dataset(tmp, msg, sizeof msg);
            }
        }
        /* convert/encode write OUTPUT.rejects when no REJECTS DD names a file:
         * for a MOD output that is the temporary name's, so it follows too. */
        if (out && out->status == CBZ_DISP_MOD && !cbz_job_step_dd(s, "REJECTS")) {
            char tmp[4200], from[4300], name[4300];
            mod_temp(out->dsn[0], tmp, sizeof tmp);
            snprintf(from, sizeof from, "%s.rejects", tmp);
            snprintf(name, sizeof name, "%s.rejects", out->dsn[0]);
            if (path_exists(from)) {
                char *dsn[1] = { name };
                cbz_job_dd rej = { .name = "REJECTS", .dsn = dsn, .n_dsn = 1, .status = CBZ_DISP_MOD };
                mod_temp(name, tmp, sizeof tmp);
                if (rename(from, tmp) == 0) (void)append_mod(r, s, &rej, false);
                else unlink(from);
            }
        }
    }

    bool ok = res->state == CBZ_STEP_RAN && res->rc <= 4;
    if (out && ok) {
        res->bytes_out = path_size(out->dsn[0]);
        output_sha256(out->dsn[0], res->sha256);
    }
    /* Dispositions: normal after RC <= 4, abnormal after a higher RC or an ABEND. */
    for (size_t i = 0; allocated && i < s->n_dds; i++) {
        const cbz_job_dd *dd = &s->dds[i];
        if (is_delete_list(s, dd)) continue;
        cbz_disp_end end = ok ? dd->normal : dd->abnormal;
        for (size_t j = 0; j < dd->n_dsn; j++) {
            if (end == CBZ_DISP_DELETE) {
                char msg[256] = "";
                int d = delete_dataset(dd->dsn[j], msg, sizeof msg);
                if (d == 0) logmsg(r, 260, 'I', "%s DD %s DSN=%s DELETED (DISP %s)", s->name, dd->name, dd->dsn[j],
                                   ok ? "normal" : "abnormal");
                else if (d < 0) logmsg(r, 261, 'W', "%s DD %s DSN=%s %s", s->name, dd->name, dd->dsn[j], msg);
            } else if (is_output_dd(dd) && strcmp(dd->name, "SYSPRINT") != 0 && path_exists(dd->dsn[j])) {
                logmsg(r, 260, 'I', "%s DD %s DSN=%s %s", s->name, dd->name, dd->dsn[j],
                       end == CBZ_DISP_CATLG ? "CATALOGED" : "KEPT");
            }
        }
    }

    res->end_wall = time(NULL);
    res->elapsed = now_mono() - t0;
    if (res->records >= 0)
        logmsg(r, 220, 'I', "%s RECORDS=%lld BYTES-IN=%llu BYTES-OUT=%llu", s->name, res->records,
               (unsigned long long)res->bytes_in, (unsigned long long)res->bytes_out);
    else
        logmsg(r, 220, 'I', "%s BYTES-IN=%llu BYTES-OUT=%llu", s->name, (unsigned long long)res->bytes_in,
               (unsigned long long)res->bytes_out);
    if (res->sha256[0]) logmsg(r, 221, 'I', "%s SYSUT2 SHA256=%s", s->name, res->sha256);
    if (res->state == CBZ_STEP_ABEND)
        logmsg(r, 231, 'E', "%s ABEND SIG%d (%s) ELAPSED=%.3fs", s->name, res->sig, strsignal(res->sig), res->elapsed);
    else
        logmsg(r, 230, rc_sev(res->rc), "%s ENDED RC=%04d ELAPSED=%.3fs", s->name, res->rc, res->elapsed);
}

/* ------------------------------------------------------------- decisions */

/* Whether step i runs; when not, *state and why say what it became. */
static bool decide(runner *r, size_t i, cbz_step_state *state, char *why, size_t cap)
{
    const cbz_job_step *s = &r->job->steps[i];
    cbz_cond_ctx ctx = { r->ctx_steps, i };
    bool abended = false;
    for (size_t k = 0; k < i; k++) abended |= r->res[k].state == CBZ_STEP_ABEND;
    if (abended) {
        /* After an ABEND only steps that ask about it may run (JCL's rule). */
        bool asks = (s->if_cond && cbz_cond_mentions_abend(s->if_cond)) ||
                    (s->has_jcl_cond && (s->jcl_cond.even || s->jcl_cond.only));
        if (!asks) {
            *state = CBZ_STEP_FLUSHED;
            snprintf(why, cap, "AN EARLIER STEP ABENDED");
            return false;
        }
    } else if (s->has_jcl_cond && s->jcl_cond.only) {
        *state = CBZ_STEP_BYPASSED;
        snprintf(why, cap, "COND=%s: ONLY, AND NO EARLIER STEP ABENDED", s->cond_text);
        return false;
    }
    if (s->has_jcl_cond && cbz_jcl_cond_bypass(&s->jcl_cond, &ctx)) {
        *state = CBZ_STEP_BYPASSED;
        snprintf(why, cap, "COND=%s: A TEST IS TRUE", s->cond_text);
        return false;
    }
    if (s->if_cond && !cbz_cond_eval(s->if_cond, &ctx)) {
        *state = CBZ_STEP_BYPASSED;
        snprintf(why, cap, "IF (%s) IS FALSE", s->if_text);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------- dry run */

typedef struct sim_entry {
    const char *path;
    bool exists;
} sim_entry;

typedef struct sim {
    sim_entry *e;
    size_t n, cap;
} sim;

static bool sim_exists(const sim *m, const char *p)
{
    for (size_t i = m->n; i-- > 0;)
        if (strcmp(m->e[i].path, p) == 0) return m->e[i].exists;
    return path_exists(p);
}

static void sim_set(sim *m, const char *p, bool exists)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        sim_entry *e = realloc(m->e, cap * sizeof *e);
        if (!e) return;
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n++] = (sim_entry){ p, exists };
}

static int dry_run(runner *r, size_t first)
{
    int problems = 0;
    sim m = { 0 };
    logmsg(r, 103, 'I', "JOB %s DRY RUN: CHECKING THE DECK, COPYBOOKS AND DATASETS; NOTHING IS WRITTEN", r->job->name);
    for (size_t i = first; i < r->job->n_steps; i++) {
        const cbz_job_step *s = &r->job->steps[i];
        logmsg(r, 281, 'I', "%s PGM=%s%s%s%s%s%s", s->name, cbz_pgm_name(s->pgm), s->if_text ? " IF (" : "",
               s->if_text ? s->if_text : "", s->if_text ? ")" : "", s->cond_text ? " COND=" : "",
               s->cond_text ? s->cond_text : "");
        echo_dds(r, s);
        for (size_t d = 0; d < s->n_dds; d++) {
            const cbz_job_dd *dd = &s->dds[d];
            if (is_delete_list(s, dd)) continue;
            for (size_t j = 0; j < dd->n_dsn; j++) {
                bool exists = sim_exists(&m, dd->dsn[j]);
                if ((dd->status == CBZ_DISP_SHR || dd->status == CBZ_DISP_OLD) && !exists) {
                    logmsg(r, 251, 'E', "%s DD %s DSN=%s DATASET NOT FOUND (DISP %s needs it to exist)", s->name,
                           dd->name, dd->dsn[j], cbz_disp_status_name(dd->status));
                    problems++;
                } else if (dd->status == CBZ_DISP_NEW && exists) {
                    logmsg(r, 250, 'E', "%s DD %s DSN=%s DATASET EXISTS (DISP NEW)", s->name, dd->name, dd->dsn[j]);
                    problems++;
                }
            }
        }
        const cbz_job_dd *cpy = cbz_job_step_dd(s, "COPYBOOK");
        if (cpy && sim_exists(&m, cpy->dsn[0])) {
            const cbz_job_dd *lib = cbz_job_step_dd(s, "SYSLIB");
            cbz_copybook_options copt = { lib ? (const char *const *)lib->dsn : NULL, lib ? lib->n_dsn : 0,
                                          CBZ_FORMAT_AUTO };
            cbz_layout *layout = NULL;
            cbz_error e = { 0 };
            if (cbz_copybook_compile_file(cpy->dsn[0], &copt, &layout, &e) != CBZ_OK) {
                logmsg(r, 280, 'E', "%s DD COPYBOOK DSN=%s: %s", s->name, cpy->dsn[0], e.msg);
                problems++;
            } else {
                logmsg(r, 282, 'I', "%s DD COPYBOOK DSN=%s COMPILES: %zu FIELDS, RECORD %u BYTES", s->name, cpy->dsn[0],
                       layout->n_fields, layout->record_size);
            }
            cbz_layout_free(layout);
        }
        argv_b a = { 0 };
        if (s->pgm != CBZ_PGM_DELETE) {
            build_argv(r, s, &a);
            if (!a.oom) log_exec(r, s, a.v);
            av_free(&a);
        }
        /* What the step would leave behind, for the steps after it. */
        for (size_t d = 0; d < s->n_dds; d++) {
            const cbz_job_dd *dd = &s->dds[d];
            for (size_t j = 0; j < dd->n_dsn; j++) {
                if (is_delete_list(s, dd) || dd->normal == CBZ_DISP_DELETE) sim_set(&m, dd->dsn[j], false);
                else if (is_output_dd(dd)) sim_set(&m, dd->dsn[j], true);
            }
        }
    }
    free(m.e);
    if (problems)
        logmsg(r, 104, 'E', "JOB %s DRY RUN FOUND %d PROBLEM%s", r->job->name, problems, problems == 1 ? "" : "S");
    else
        logmsg(r, 104, 'I', "JOB %s DRY RUN FOUND NO PROBLEMS", r->job->name);
    return problems ? RC_SEVERE : 0;
}

/* ------------------------------------------------------------- lock */

static void lock_path(const runner *r, char *out, size_t cap)
{
    const char *dir = r->opt->lockdir ? r->opt->lockdir : r->job->deck_dir;
    snprintf(out, cap, "%s/%s.lock", dir, r->job->name);
}

/* 0 taken; RC_SEVERE when another live run holds it; 16 when it cannot be made. */
static int lock_acquire(runner *r, const char *path)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            char host[256] = "";
            gethostname(host, sizeof host - 1);
            dprintf(fd, "%ld %s\n", (long)getpid(), host);
            close(fd);
            return 0;
        }
        if (errno != EEXIST) {
            logmsg(r, 112, 'E', "JOB %s CANNOT CREATE LOCK %s: %s", r->job->name, path, strerror(errno));
            return CLI_RC_FATAL_CHILD;
        }
        FILE *fp = fopen(path, "r");
        long pid = 0;
        if (fp) {
            if (fscanf(fp, "%ld", &pid) != 1) pid = 0;
            fclose(fp);
        }
        bool alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        if (alive) {
            logmsg(r, 110, 'E', "JOB %s IS ALREADY RUNNING (PID %ld HOLDS %s); NOTHING RUN", r->job->name, pid, path);
            return RC_SEVERE;
        }
        logmsg(r, 111, 'W', "JOB %s STALE LOCK %s (PID %ld IS NOT RUNNING) REMOVED", r->job->name, path, pid);
        if (unlink(path) != 0 && errno != ENOENT) {
            logmsg(r, 112, 'E', "JOB %s CANNOT REMOVE STALE LOCK %s: %s", r->job->name, path, strerror(errno));
            return CLI_RC_FATAL_CHILD;
        }
    }
    logmsg(r, 110, 'E', "JOB %s LOCK %s WAS TAKEN BY ANOTHER RUN; NOTHING RUN", r->job->name, path);
    return RC_SEVERE;
}

static void lock_release(const char *path)
{
    FILE *fp = fopen(path, "r");
    long pid = 0;
    if (fp) {
        if (fscanf(fp, "%ld", &pid) != 1) pid = 0;
        fclose(fp);
    }
    if (pid == (long)getpid()) unlink(path);
}

/* ------------------------------------------------------------- report */

static const char *state_name(cbz_step_state s)
{
    switch (s) {
    case CBZ_STEP_PENDING: return "PENDING";
    case CBZ_STEP_RAN: return "RAN";
    case CBZ_STEP_ABEND: return "ABEND";
    case CBZ_STEP_BYPASSED: return "BYPASSED";
    case CBZ_STEP_FLUSHED: return "FLUSHED";
    case CBZ_STEP_SKIPPED: return "SKIPPED";
    }
    return "?";
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static cbz_status write_report(runner *r, time_t started, time_t ended, int max_rc, cbz_error *err)
{
    cbz_outfile *of;
    CBZ_TRY(cbz_outfile_open(r->opt->report_path, r->opt->force, &of, err));
    FILE *f = cbz_outfile_stream(of);
    char t1[32], t2[32];
    iso_time(started, t1);
    iso_time(ended, t2);
    fprintf(f, "{\n  \"report_version\": 1,\n  \"job\": ");
    json_str(f, r->job->name);
    fprintf(f, ",\n  \"deck\": ");
    json_str(f, r->job->deck_path);
    fprintf(f, ",\n  \"started\": \"%s\",\n  \"ended\": \"%s\",\n  \"rc\": %d,\n  \"restart\": ", t1, t2, max_rc);
    if (r->opt->restart) json_str(f, r->opt->restart);
    else fputs("null", f);
    fprintf(f, ",\n  \"steps\": [");
    for (size_t i = 0; i < r->job->n_steps; i++) {
        const cbz_job_step *s = &r->job->steps[i];
        const step_result *x = &r->res[i];
        fprintf(f, "%s\n    {\"step\": ", i ? "," : "");
        json_str(f, s->name);
        fprintf(f, ", \"pgm\": \"%s\", \"status\": \"%s\", \"rc\": ", cbz_pgm_name(s->pgm), state_name(x->state));
        if (x->state == CBZ_STEP_RAN) fprintf(f, "%d", x->rc);
        else fputs("null", f);
        fputs(", \"signal\": ", f);
        if (x->state == CBZ_STEP_ABEND) fprintf(f, "%d", x->sig);
        else fputs("null", f);
        if (x->has_times) {
            iso_time(x->start_wall, t1);
            iso_time(x->end_wall, t2);
            fprintf(f, ", \"started\": \"%s\", \"ended\": \"%s\", \"elapsed_s\": %.3f", t1, t2, x->elapsed);
        } else {
            fputs(", \"started\": null, \"ended\": null, \"elapsed_s\": null", f);
        }
        fputs(", \"records\": ", f);
        if (x->has_times && x->records >= 0) fprintf(f, "%lld", x->records);
        else fputs("null", f);
        if (x->has_times) fprintf(f, ", \"bytes_in\": %llu, \"bytes_out\": %llu", (unsigned long long)x->bytes_in,
                                  (unsigned long long)x->bytes_out);
        else fputs(", \"bytes_in\": null, \"bytes_out\": null", f);
        fputs(", \"output\": ", f);
        if (x->output[0]) json_str(f, x->output);
        else fputs("null", f);
        fputs(", \"output_sha256\": ", f);
        if (x->sha256[0]) fprintf(f, "\"%s\"", x->sha256);
        else fputs("null", f);
        fputc('}', f);
    }
    fprintf(f, "\n  ]\n}\n");
    return cbz_outfile_commit(of, err);
}

/* ------------------------------------------------------------- the job */

static void step_table(runner *r)
{
    logmsg(r, 300, 'I', "%-10s %-10s %-10s %s", "STEP", "PGM", "RC", "ELAPSED");
    for (size_t i = 0; i < r->job->n_steps; i++) {
        const cbz_job_step *s = &r->job->steps[i];
        const step_result *x = &r->res[i];
        char rc[32], el[32] = "-";
        switch (x->state) {
        case CBZ_STEP_RAN: snprintf(rc, sizeof rc, "%04d", x->rc); break;
        case CBZ_STEP_ABEND: snprintf(rc, sizeof rc, "ABEND SIG%d", x->sig); break;
        case CBZ_STEP_FLUSHED: snprintf(rc, sizeof rc, "FLUSH"); break;
        default: snprintf(rc, sizeof rc, "%s", state_name(x->state)); break;
        }
        if (x->has_times) snprintf(el, sizeof el, "%.3fs", x->elapsed);
        logmsg(r, 301, 'I', "%-10s %-10s %-10s %s", s->name, cbz_pgm_name(s->pgm), rc, el);
    }
}

cbz_status cbz_job_run(const cbz_job *job, const cbz_job_run_options *opt, int *max_rc, cbz_error *err)
{
    *max_rc = 0;
    runner r = { job, opt, opt->log ? opt->log : stdout, opt->exe ? opt->exe : "/proc/self/exe", NULL, NULL };
    r.res = calloc(job->n_steps, sizeof *r.res);
    r.ctx_steps = calloc(job->n_steps, sizeof *r.ctx_steps);
    if (!r.res || !r.ctx_steps) {
        free(r.res);
        free(r.ctx_steps);
        *max_rc = CLI_RC_FATAL_CHILD;
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < job->n_steps; i++) r.ctx_steps[i].name = job->steps[i].name;
    cbz_status st = CBZ_OK;
    char lock[4200] = "";
    bool locked = false;
    time_t started = time(NULL);

    size_t first = 0;
    if (opt->restart) {
        int k = cbz_job_find_step(job, opt->restart);
        if (k < 0) {
            logmsg(&r, 113, 'E', "JOB %s HAS NO STEP %s TO RESTART AT; NOTHING RUN", job->name, opt->restart);
            *max_rc = RC_SEVERE;
            st = cbz_fail(err, CBZ_ERR_JOB, "%s: no step named '%s' to restart at", job->deck_path, opt->restart);
            goto out;
        }
        first = (size_t)k;
    }
    logmsg(&r, 100, 'I', "JOB %s STARTED DECK=%s STEPS=%zu PID=%ld", job->name, job->deck_path, job->n_steps,
           (long)getpid());
    if (opt->dry_run) {
        *max_rc = dry_run(&r, first);
        if (opt->report_path) logmsg(&r, 105, 'I', "JOB %s DRY RUN: REPORT %s NOT WRITTEN", job->name, opt->report_path);
        goto out;
    }
    if (opt->report_path && !opt->force && path_exists(opt->report_path)) {
        logmsg(&r, 114, 'E', "JOB %s REPORT %s EXISTS (use --force to replace it); NOTHING RUN", job->name,
               opt->report_path);
        *max_rc = RC_SEVERE;
        st = cbz_fail(err, CBZ_ERR_EXISTS, "%s: report exists (use --force to replace it)", opt->report_path);
        goto out;
    }
    lock_path(&r, lock, sizeof lock);
    int lrc = lock_acquire(&r, lock);
    if (lrc != 0) {
        *max_rc = lrc;
        st = cbz_fail(err, lrc == RC_SEVERE ? CBZ_ERR_JOB : CBZ_ERR_IO, "%s: job %s is locked", lock, job->name);
        goto out;
    }
    locked = true;
    if (opt->restart) logmsg(&r, 102, 'I', "JOB %s RESTARTED AT STEP %s", job->name, job->steps[first].name);

    for (size_t i = 0; i < job->n_steps; i++) {
        cbz_step_state not_run = CBZ_STEP_BYPASSED;
        char why[600];
        if (i < first) {
            r.res[i].state = CBZ_STEP_SKIPPED;
            logmsg(&r, 243, 'I', "%s SKIPPED: BEFORE RESTART STEP %s", job->steps[i].name, job->steps[first].name);
        } else if (!decide(&r, i, &not_run, why, sizeof why)) {
            r.res[i].state = not_run;
            if (not_run == CBZ_STEP_FLUSHED) logmsg(&r, 242, 'W', "%s FLUSHED: %s", job->steps[i].name, why);
            else logmsg(&r, 240, 'I', "%s BYPASSED: %s", job->steps[i].name, why);
        } else {
            execute_step(&r, i);
        }
        r.ctx_steps[i].state = r.res[i].state;
        r.ctx_steps[i].rc = r.res[i].rc;
        if (r.res[i].state == CBZ_STEP_RAN && r.res[i].rc > *max_rc) *max_rc = r.res[i].rc;
        /* An ABEND has no return code; for the scheduler it is a fatal end. */
        if (r.res[i].state == CBZ_STEP_ABEND && *max_rc < CLI_RC_FATAL_CHILD) *max_rc = CLI_RC_FATAL_CHILD;
    }
    step_table(&r);
    if (opt->report_path) {
        cbz_error re = { 0 };
        if (write_report(&r, started, time(NULL), *max_rc, &re) != CBZ_OK) {
            logmsg(&r, 114, 'E', "JOB %s REPORT NOT WRITTEN: %s", job->name, re.msg);
            if (*max_rc < CLI_RC_FATAL_CHILD) *max_rc = CLI_RC_FATAL_CHILD;
        } else {
            logmsg(&r, 115, 'I', "JOB %s REPORT WRITTEN TO %s", job->name, opt->report_path);
        }
    }
    logmsg(&r, 101, rc_sev(*max_rc), "JOB %s ENDED MAXCC=%04d", job->name, *max_rc);
out:
    if (locked) lock_release(lock);
    free(r.res);
    free(r.ctx_steps);
    return st;
}
