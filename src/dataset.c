/*
 * dataset.c — the dataset directory: one member per input plus, in the manner
 * of BagIt (RFC 8493), manifest-sha256.txt (checkable with `sha256sum -c`
 * inside the directory), manifest.json (what each member holds) and
 * tagmanifest-sha256.txt over the two manifests.
 *
 * A dataset is built in ".NAME.tmp.PID" beside its target, every file fsync'd,
 * then renamed into place, so a killed run leaves no partial dataset.  An
 * existing target is refused unless forced; when forced it is exchanged with
 * the new one in one rename and removed after.
 */
#include "container.h"
#include "hash.h"
#include "jsonl.h"
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST "manifest-sha256.txt"
#define MANIFEST_JSON "manifest.json"
#define TAGMANIFEST "tagmanifest-sha256.txt"

struct cbz_dataset_writer {
    char *path;
    char *tmp;
    bool force;
    char *member_path;
    char *manifest;      /* manifest-sha256.txt text */
    size_t manifest_len;
    FILE *manifest_fp;   /* open_memstream over manifest */
    char *members_json;  /* the "members" array's entries */
    size_t members_json_len;
    FILE *json_fp;
    size_t n_members;
    char **members;      /* n_members paths inside tmp, fsync'd by the commit */
};

bool cbz_is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void remove_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ".BASE.SUFFIX.PID" beside path. */
static char *sibling(const char *path, const char *suffix)
{
    char *a = strdup(path), *b = strdup(path);
    char *r = NULL;
    if (a && b) {
        size_t n = strlen(path) + strlen(suffix) + 40;
        r = malloc(n);
        if (r) snprintf(r, n, "%s/.%s.%s.%ld", dirname(a), basename(b), suffix, (long)getpid());
    }
    free(a);
    free(b);
    return r;
}

void cbz_dataset_abort(cbz_dataset_writer *d)
{
    if (!d) return;
    if (d->manifest_fp) fclose(d->manifest_fp);
    if (d->json_fp) fclose(d->json_fp);
    if (d->tmp) remove_tree(d->tmp);
    free(d->manifest);
    free(d->members_json);
    free(d->path);
    free(d->tmp);
    free(d->member_path);
    for (size_t i = 0; i < d->n_members; i++) free(d->members[i]);
    free(d->members);
    free(d);
}

cbz_status cbz_dataset_begin(const char *path, bool force, cbz_dataset_writer **out, cbz_error *err)
{
    *out = NULL;
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    CBZ_FAIL_IF(!force && exists, err, CBZ_ERR_EXISTS,
                "%s: output exists (use --force to replace it)", path);
    /* --force replaces a file or a dataset, never a device node or a FIFO
     * (-o /dev/null must not move /dev/null aside). */
    CBZ_FAIL_IF(exists && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode), err,
                CBZ_ERR_EXISTS, "%s: output exists and is not a file or directory; not replaced",
                path);
    cbz_dataset_writer *d = calloc(1, sizeof *d);
    CBZ_FAIL_IF(!d, err, CBZ_ERR_NOMEM, "out of memory");
    d->force = force;
    d->path = strdup(path);
    d->tmp = sibling(path, "tmp");
    if (!d->path || !d->tmp) {
        cbz_dataset_abort(d);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    remove_tree(d->tmp); /* a leftover of a killed run with our pid */
    if (mkdir(d->tmp, 0755) != 0) {
        cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot create directory: %s", d->tmp,
                                strerror(errno));
        free(d->tmp);
        d->tmp = NULL;
        cbz_dataset_abort(d);
        return s;
    }
    d->manifest_fp = open_memstream(&d->manifest, &d->manifest_len);
    d->json_fp = open_memstream(&d->members_json, &d->members_json_len);
    if (!d->manifest_fp || !d->json_fp) {
        cbz_dataset_abort(d);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    *out = d;
    return CBZ_OK;
}

const char *cbz_dataset_member_path(cbz_dataset_writer *d, const char *member_name)
{
    free(d->member_path);
    d->member_path = path_join(d->tmp, member_name);
    return d->member_path;
}

static void json_str(FILE *fp, const char *s) { cbz_json_put_string(fp, s, strlen(s)); }

cbz_status cbz_dataset_add(cbz_dataset_writer *d, const char *member_name,
                           const cbz_compress_params *p, const cbz_compress_result *r,
                           cbz_error *err)
{
    fprintf(d->manifest_fp, "%s  %s\n", r->member_sha256, member_name);
    FILE *j = d->json_fp;
    const cbz_member_meta *m = &p->meta;
    fprintf(j, "%s\n    {\"member\": ", d->n_members ? "," : "");
    json_str(j, member_name);
    fprintf(j, ", \"source\": ");
    json_str(j, m->source_name);
    fprintf(j, ", \"size\": %llu, \"records\": %llu, \"chunks\": %llu,\n     \"sha256\": \"%s\"",
            (unsigned long long)r->source_size, (unsigned long long)r->records,
            (unsigned long long)r->chunks, r->source_sha256);
    fprintf(j, ", \"member_size\": %llu, \"member_sha256\": \"%s\",\n     \"copybook\": ",
            (unsigned long long)r->member_size, r->member_sha256);
    if (m->copybook_name[0]) json_str(j, m->copybook_name);
    else fputs("null", j);
    fprintf(j, ", \"copybook_sha256\": ");
    if (m->copybook_sha256[0]) fprintf(j, "\"%s\"", m->copybook_sha256);
    else fputs("null", j);
    fprintf(j, ", \"codepage\": ");
    json_str(j, m->codepage);
    fprintf(j, ", \"mode\": \"%s\", \"recfm\": \"%s\", \"lrecl\": %u, \"level\": %d,\n     \"layers\": {",
            m->mode == CBZ_MODE_RECORDS ? "records" : "generic", cbz_recfm_name(m->fmt.recfm),
            (unsigned)m->fmt.lrecl, m->level);
    uint64_t in = 0, outb = 0;
    for (int l = 1; l <= 8; l++) {
        uint64_t sum = 0;
        for (size_t s = 0; s < r->n_streams; s++) sum += r->stats[s].layer_out[l];
        fprintf(j, "%s\"%s\": %llu", l > 1 ? ", " : "", cbz_layer_names[l], (unsigned long long)sum);
    }
    fprintf(j, "},\n     \"columns\": [");
    for (size_t s = 0; s < r->n_streams; s++) {
        const cbz_col_stats *st = &r->stats[s];
        in += st->bytes_in;
        outb += st->bytes_out;
        if (!st->bytes_in) continue;
        fprintf(j, "%s\n       {\"name\": ", in == st->bytes_in ? "" : ",");
        json_str(j, r->stream_names[s]);
        fprintf(j, ", \"chain\": ");
        json_str(j, st->chain);
        fprintf(j, ", \"bytes_in\": %llu, \"bytes_out\": %llu, \"exceptions\": %llu}",
                (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
                (unsigned long long)st->exceptions);
    }
    fprintf(j, "]}");
    char **grown = realloc(d->members, (d->n_members + 1) * sizeof *grown);
    CBZ_FAIL_IF(!grown, err, CBZ_ERR_NOMEM, "out of memory");
    d->members = grown;
    CBZ_FAIL_IF(!(d->members[d->n_members] = path_join(d->tmp, member_name)), err, CBZ_ERR_NOMEM,
                "out of memory");
    d->n_members++;
    CBZ_FAIL_IF(ferror(j) || ferror(d->manifest_fp), err, CBZ_ERR_NOMEM, "out of memory (manifest)");
    return CBZ_OK;
}

/* A manifest, written under its final name straight into the temporary
 * directory (nobody reads that directory until it is published, so it needs
 * no temporary name of its own); *fd stays open for the commit's fsync, and
 * the write-back starts now, so that its blocks are allocated in the journal
 * transaction that the commit's first fsync forces. */
static cbz_status put_text(const char *dir, const char *name, const char *text, size_t len,
                           char hex[65], int *fd, cbz_error *err)
{
    char *p = path_join(dir, name);
    CBZ_FAIL_IF(!p, err, CBZ_ERR_NOMEM, "out of memory");
    cbz_status s = CBZ_OK;
    *fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (*fd < 0) s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot create: %s", p, strerror(errno));
    if (s == CBZ_OK && cbz_write_fd(*fd, text, len) != len)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", p, strerror(errno));
    if (s == CBZ_OK) (void)sync_file_range(*fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    free(p);
    if (hex) cbz_sha256_hex(text, len, hex);
    return s;
}

/* The old dataset, once the new one is in place: removed beside the fsync
 * that makes the swap durable, and complete before the commit returns. */
static void *remove_run(void *path)
{
    remove_tree(path);
    return NULL;
}

/* Puts tmp at path: an existing path (force) is exchanged with it in one
 * rename, so that path never stops naming a whole dataset, and is then at
 * tmp (*old_at_tmp).  Where the file system cannot exchange (EINVAL), the old
 * way: move the old aside to *aside, then rename. */
static cbz_status swap_in(cbz_dataset_writer *d, bool *old_at_tmp, char **aside, cbz_error *err)
{
    struct stat st;
    bool exists = lstat(d->path, &st) == 0;
    CBZ_FAIL_IF(exists && !d->force, err, CBZ_ERR_EXISTS, "%s: output appeared while compressing",
                d->path);
    if (exists && renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_EXCHANGE) == 0) {
        *old_at_tmp = true;
        return CBZ_OK;
    }
    if (!exists && renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_NOREPLACE) == 0)
        return CBZ_OK;
    CBZ_FAIL_IF(errno == EEXIST, err, CBZ_ERR_EXISTS, "%s: output appeared while compressing",
                d->path);
    CBZ_FAIL_IF(errno != EINVAL && errno != ENOSYS, err, CBZ_ERR_IO, "%s: rename failed: %s",
                d->path, strerror(errno));
    if (exists) {
        CBZ_FAIL_IF(!(*aside = sibling(d->path, "old")), err, CBZ_ERR_NOMEM, "out of memory");
        CBZ_FAIL_IF(rename(d->path, *aside) != 0, err, CBZ_ERR_IO,
                    "%s: cannot move the old output aside: %s", d->path, strerror(errno));
    }
    if (rename(d->tmp, d->path) != 0) {
        cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: rename failed: %s", d->path, strerror(errno));
        if (*aside) rename(*aside, d->path);
        return s;
    }
    return CBZ_OK;
}

/* The order keeps every promise with two journal commits where one per file
 * and directory used to be spent:
 *  - nothing half-written is visible at DATASET: members and manifests are
 *    written into the temporary directory, which is published whole;
 *  - every file's data is on disk before that publishing rename: each member
 *    (renamed into the directory without fsync, cbz_outfile_commit_staged) and
 *    each manifest is fsync'd, then the directory itself, which makes their
 *    names durable.  All of them wrote back and allocated before the first
 *    fsync, whose journal commit therefore covers them all: the other fsyncs
 *    only wait for it;
 *  - a crash at any moment leaves the old dataset or the new complete one at
 *    DATASET: the swap is one rename (RENAME_EXCHANGE when DATASET exists), and
 *    the old dataset is only removed from under the temporary name after it;
 *  - the swap is durable at return: the parent directory is fsync'd, while
 *    the old dataset goes on another thread; both are done before return. */
cbz_status cbz_dataset_commit(cbz_dataset_writer *d, cbz_error *err)
{
    cbz_status s = CBZ_OK;
    fclose(d->manifest_fp);
    d->manifest_fp = NULL;
    fclose(d->json_fp);
    d->json_fp = NULL;

    char *json = NULL;
    size_t json_len = 0;
    FILE *j = open_memstream(&json, &json_len);
    if (!j) { cbz_dataset_abort(d); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    fprintf(j, "{\"format\": \"cobzip-dataset\", \"format_version\": 1, \"member_version\": %d,\n"
               " \"tool\": \"cobzip %s\", \"created\": \"%s\",\n \"members\": [%s\n ]}\n",
            CBZ_MEMBER_VERSION, CBZ_VERSION_STRING, when, d->members_json ? d->members_json : "");
    fclose(j);

    char h1[65], h2[65];
    int fds[3] = { -1, -1, -1 };
    s = put_text(d->tmp, MANIFEST, d->manifest, d->manifest_len, h1, &fds[0], err);
    if (s == CBZ_OK) s = put_text(d->tmp, MANIFEST_JSON, json, json_len, h2, &fds[1], err);
    free(json);
    if (s == CBZ_OK) {
        char tag[256];
        int n = snprintf(tag, sizeof tag, "%s  %s\n%s  %s\n", h1, MANIFEST, h2, MANIFEST_JSON);
        s = put_text(d->tmp, TAGMANIFEST, tag, (size_t)n, NULL, &fds[2], err);
    }
    for (size_t i = 0; i < d->n_members && s == CBZ_OK; i++) s = cbz_fsync_path(d->members[i], err);
    static const char *const manifests[3] = { MANIFEST, MANIFEST_JSON, TAGMANIFEST };
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0) continue;
        if (s == CBZ_OK && fsync(fds[i]) != 0)
            s = cbz_fail(err, CBZ_ERR_IO, "%s/%s: write failed: %s", d->tmp, manifests[i], strerror(errno));
        close(fds[i]);
    }
    if (s == CBZ_OK) s = cbz_fsync_path(d->tmp, err);

    bool old_at_tmp = false;
    char *aside = NULL;
    if (s == CBZ_OK) s = swap_in(d, &old_at_tmp, &aside, err);
    if (s == CBZ_OK) {
        char *old = old_at_tmp ? d->tmp : aside;
        pthread_t remover;
        bool threaded = old && pthread_create(&remover, NULL, remove_run, old) == 0;
        s = cbz_fsync_parent_dir(d->path, err);
        if (threaded) pthread_join(remover, NULL);
        else if (old) remove_tree(old);
        /* gone (or all but gone: a leftover is only ever under a temporary name) */
        free(d->tmp);
        d->tmp = NULL;
    }
    free(aside);
    cbz_dataset_abort(d);
    return s;
}

/* ------------------------------------------------------------------------
 * Reading the manifests.
 * ---------------------------------------------------------------------- */
static void problem(size_t *problems, FILE *report, const char *fmt, const char *a, const char *b)
    __attribute__((format(printf, 3, 0)));
static void problem(size_t *problems, FILE *report, const char *fmt, const char *a, const char *b)
{
    (*problems)++;
    if (report) {
        fprintf(report, fmt, a, b);
        fputc('\n', report);
    }
}

static bool hexval_ok(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static void free_list(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void cbz_dataset_members_free(char **names, size_t n) { free_list(names, n); }

/* Parses "HEX  NAME" lines of a manifest; names must be plain file names. */
static cbz_status read_manifest(const char *dir, const char *file, char ***names, char ***hashes,
                                size_t *n, cbz_error *err)
{
    *names = *hashes = NULL;
    *n = 0;
    char *p = path_join(dir, file);
    CBZ_FAIL_IF(!p, err, CBZ_ERR_NOMEM, "out of memory");
    FILE *fp = fopen(p, "r");
    free(p);
    CBZ_FAIL_IF(!fp, err, CBZ_ERR_FORMAT, "%s/%s: cannot open: %s", dir, file, strerror(errno));
    char line[1024];
    size_t cap = 0, lineno = 0;
    cbz_status s = CBZ_OK;
    while (fgets(line, sizeof line, fp) && s == CBZ_OK) {
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n') line[--len] = '\0';
        bool ok = len > 66 && line[64] == ' ' && line[65] == ' ';
        for (int i = 0; i < 64 && ok; i++) ok = hexval_ok(line[i]);
        const char *name = line + 66;
        if (ok) ok = !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
        if (!ok) {
            s = cbz_fail(err, CBZ_ERR_FORMAT, "%s/%s line %zu: not \"SHA256  NAME\"", dir, file, lineno);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **a = realloc(*names, cap * sizeof *a);
            if (a) *names = a;
            char **b = a ? realloc(*hashes, cap * sizeof *b) : NULL;
            if (b) *hashes = b;
            if (!a || !b) { s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); break; }
        }
        line[64] = '\0';
        (*names)[*n] = strdup(name);
        (*hashes)[*n] = strdup(line);
        (*n)++;
        if (!(*names)[*n - 1] || !(*hashes)[*n - 1]) s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    fclose(fp);
    return s;
}

/* Checks each listed file's SHA-256. */
static cbz_status check_list(const char *dir, char **names, char **hashes, size_t n,
                             size_t *problems, FILE *report, cbz_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(dir, names[i]);
        CBZ_FAIL_IF(!p, err, CBZ_ERR_NOMEM, "out of memory");
        char hex[65];
        cbz_error e = { 0 };
        if (cbz_sha256_file_hex(p, hex, &e) != CBZ_OK)
            problem(problems, report, "%s: FAILED (%s)", p, e.msg);
        else if (strcmp(hex, hashes[i]) != 0)
            problem(problems, report, "%s: FAILED (SHA-256 %s differs from the manifest's)", p, hex);
        free(p);
    }
    return CBZ_OK;
}

cbz_status cbz_dataset_members(const char *dir, bool check_hashes, char ***names_out, size_t *n_out,
                               size_t *problems, FILE *report, cbz_error *err)
{
    *names_out = NULL;
    *n_out = 0;
    char **names = NULL, **hashes = NULL;
    size_t n = 0;
    cbz_status s = CBZ_OK;
    if (check_hashes) {
        s = read_manifest(dir, TAGMANIFEST, &names, &hashes, &n, err);
        if (s != CBZ_OK) return s;
        bool has_m = false, has_j = false;
        for (size_t i = 0; i < n; i++) {
            has_m |= strcmp(names[i], MANIFEST) == 0;
            has_j |= strcmp(names[i], MANIFEST_JSON) == 0;
        }
        if (!has_m || !has_j)
            problem(problems, report, "%s/%s: does not cover both manifests", dir, TAGMANIFEST);
        s = check_list(dir, names, hashes, n, problems, report, err);
        free_list(names, n);
        free_list(hashes, n);
        names = hashes = NULL;
        if (s != CBZ_OK) return s;
    }
    s = read_manifest(dir, MANIFEST, &names, &hashes, &n, err);
    if (s != CBZ_OK) {
        free_list(names, n);
        free_list(hashes, n);
        return s;
    }
    if (check_hashes) {
        s = check_list(dir, names, hashes, n, problems, report, err);
        /* Every member in the directory must be listed. */
        DIR *dp = opendir(dir);
        struct dirent *de;
        while (dp && (de = readdir(dp)) != NULL) {
            size_t l = strlen(de->d_name);
            if (l < 5 || strcmp(de->d_name + l - 5, ".cobz") != 0) continue;
            bool listed = false;
            for (size_t i = 0; i < n && !listed; i++) listed = strcmp(names[i], de->d_name) == 0;
            if (!listed) problem(problems, report, "%s/%s: member not in the manifest", dir, de->d_name);
        }
        if (dp) closedir(dp);
    }
    free_list(hashes, n);
    if (s != CBZ_OK) {
        free_list(names, n);
        return s;
    }
    *names_out = names;
    *n_out = n;
    return CBZ_OK;
}
