/*
 * report.c — the dataset report page (src/report.h): reads and validates a
 * dataset directory into a small model (members, manifest.json's figures, the
 * optional `compress --stats` timings), then renders one HTML page with inline
 * CSS and inline SVG charts.  Nothing is written until everything has been
 * read and checked, so a corrupt dataset gives an error and no page.
 *
 * The page has no script and references nothing outside itself; it depends
 * only on its inputs (no clock), so the same dataset gives the same bytes.
 */
#include "report.h"
#include "container.h"
#include "jsonl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define JSON_FILE_MAX ((size_t)256 << 20)
#define CHART_COLUMNS_DEFAULT 40
#define NAME_CHARS_MAX 30    /* longer names are cut in charts (full name in the tooltip) */

/* ------------------------------------------------------------------------
 * The model.
 * ---------------------------------------------------------------------- */
typedef struct rep_member {
    char *file;                /* member file name in the dataset */
    cbz_member *m;
    size_t n_streams;
    uint64_t man_size, man_records, man_chunks, man_member_size; /* manifest.json */
    bool has_stats;
    char *stats_input;         /* "input" of the stats document */
    double seconds, mb_per_s;  /* wall time of this member's compression */
    double layer_sec[9];       /* summed over chunks (CPU seconds across threads) */
    double *stream_sec;        /* per stream, all layers; NULL without stats */
} rep_member;

typedef struct rep_model {
    const char *dataset;
    char *created, *tool;      /* from manifest.json; NULL when absent */
    rep_member *mem;
    size_t n;
    uint64_t manifest_bytes;   /* the three manifest files */
    const char *stats_path;    /* NULL: no stats */
    bool has_run;              /* the stats document's totals */
    double run_seconds, run_mb_per_s;
    bool has_threads, has_level;
    uint64_t run_threads, run_level;
    size_t chart_columns;
} rep_model;

static void model_free(rep_model *md)
{
    for (size_t i = 0; i < md->n; i++) {
        free(md->mem[i].file);
        free(md->mem[i].stats_input);
        free(md->mem[i].stream_sec);
        cbz_member_close(md->mem[i].m);
    }
    free(md->mem);
    free(md->created);
    free(md->tool);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Reads a whole (small) file; appends a NUL that *len does not count. */
static cbz_status read_whole(const char *path, char **out, size_t *len, cbz_error *err)
{
    *out = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    CBZ_FAIL_IF(!fp, err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    cbz_buf b;
    cbz_buf_init(&b);
    cbz_status s = CBZ_OK;
    for (;;) {
        if (cbz_buf_reserve(&b, 65537) != CBZ_OK) {
            s = cbz_fail(err, CBZ_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        size_t got = fread(b.data + b.len, 1, 65536, fp);
        b.len += got;
        if (b.len > JSON_FILE_MAX) {
            s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: larger than %zu bytes", path, JSON_FILE_MAX);
            break;
        }
        if (got < 65536) {
            if (ferror(fp)) s = cbz_fail(err, CBZ_ERR_IO, "%s: read failed", path);
            break;
        }
    }
    fclose(fp);
    if (s != CBZ_OK) {
        cbz_buf_free(&b);
        return s;
    }
    b.data[b.len] = '\0';
    *out = (char *)b.data;
    *len = b.len;
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * JSON accessors: -1 / false when the key is missing or of another type.
 * ---------------------------------------------------------------------- */
static int jnode(const cbz_json_doc *d, int obj, const char *key, cbz_json_type type)
{
    int i = cbz_json_member(d, obj, key);
    return i >= 0 && d->nodes[i].type == type ? i : -1;
}

static const char *jstring(const cbz_json_doc *d, int obj, const char *key)
{
    int i = jnode(d, obj, key, CBZ_JSON_STRING);
    return i < 0 ? NULL : cbz_json_text(d, &d->nodes[i]);
}

/* A non-negative integer literal (digits only) that fits 64 bits. */
static bool ju64(const cbz_json_doc *d, int obj, const char *key, uint64_t *v)
{
    int i = jnode(d, obj, key, CBZ_JSON_NUMBER);
    if (i < 0) return false;
    const char *t = cbz_json_text(d, &d->nodes[i]);
    size_t n = d->nodes[i].text_len;
    if (n == 0 || n > 20) return false;
    uint64_t x = 0;
    for (size_t k = 0; k < n; k++) {
        if (t[k] < '0' || t[k] > '9') return false;
        unsigned dgt = (unsigned)(t[k] - '0');
        if (x > (UINT64_MAX - dgt) / 10) return false;
        x = x * 10 + dgt;
    }
    *v = x;
    return true;
}

/* A finite, non-negative number. */
static bool jnum(const cbz_json_doc *d, int obj, const char *key, double *v)
{
    int i = jnode(d, obj, key, CBZ_JSON_NUMBER);
    if (i < 0) return false;
    char *end;
    double x = strtod(cbz_json_text(d, &d->nodes[i]), &end);
    if (*end != '\0' || !isfinite(x) || x < 0) return false;
    *v = x;
    return true;
}

static bool same_text(const cbz_json_doc *d, int node, const char *s)
{
    const cbz_json_node *n = &d->nodes[node];
    return n->type == CBZ_JSON_STRING && n->text_len == strlen(s) &&
           memcmp(cbz_json_text(d, n), s, n->text_len) == 0;
}

/* ------------------------------------------------------------------------
 * Loading.
 * ---------------------------------------------------------------------- */
static cbz_status load_members(rep_model *md, bool check_hashes, cbz_error *err)
{
    char **names = NULL;
    size_t n = 0, problems = 0;
    char *plist = NULL;
    size_t plen = 0;
    FILE *pfp = open_memstream(&plist, &plen);
    CBZ_FAIL_IF(!pfp, err, CBZ_ERR_NOMEM, "out of memory");
    cbz_status s = cbz_dataset_members(md->dataset, check_hashes, &names, &n, &problems, pfp, err);
    fclose(pfp);
    if (s == CBZ_OK && problems) {
        char *nl = plist ? strchr(plist, '\n') : NULL;
        if (nl) *nl = '\0';
        s = cbz_fail(err, CBZ_ERR_CHECKSUM, "%s: %zu checksum problem%s (first: %s); run `cobzip verify`",
                     md->dataset, problems, problems == 1 ? "" : "s", plist ? plist : "?");
    }
    free(plist);
    if (s != CBZ_OK) {
        cbz_dataset_members_free(names, n);
        return s;
    }
    md->mem = calloc(n ? n : 1, sizeof *md->mem);
    if (!md->mem) {
        cbz_dataset_members_free(names, n);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        md->mem[i].file = names[i];
        names[i] = NULL;
        md->n = i + 1;
    }
    cbz_dataset_members_free(names, n);
    for (size_t i = 0; i < md->n; i++) {
        rep_member *r = &md->mem[i];
        char *p = path_join(md->dataset, r->file);
        CBZ_FAIL_IF(!p, err, CBZ_ERR_NOMEM, "out of memory");
        s = cbz_member_open(p, &r->m, err);
        free(p);
        if (s != CBZ_OK) return s;
        r->n_streams = cbz_plan_streams(&r->m->plan);
    }
    static const char *const manifests[] = { "manifest-sha256.txt", "manifest.json",
                                             "tagmanifest-sha256.txt" };
    for (size_t k = 0; k < 3; k++) {
        char *p = path_join(md->dataset, manifests[k]);
        CBZ_FAIL_IF(!p, err, CBZ_ERR_NOMEM, "out of memory");
        struct stat st;
        if (stat(p, &st) == 0) md->manifest_bytes += (uint64_t)st.st_size;
        free(p);
    }
    return CBZ_OK;
}

/* manifest.json: each member's original size, records, chunks and member
 * size, checked against what the member itself says. */
static cbz_status load_manifest(rep_model *md, cbz_error *err)
{
    char *path = path_join(md->dataset, "manifest.json");
    CBZ_FAIL_IF(!path, err, CBZ_ERR_NOMEM, "out of memory");
    char *text;
    size_t len;
    cbz_status s = read_whole(path, &text, &len, err);
    if (s != CBZ_OK) {
        if (s == CBZ_ERR_IO) { /* a dataset without its manifest is damaged */
            s = CBZ_ERR_FORMAT;
            if (err) err->code = s;
        }
        free(path);
        return s;
    }
    cbz_json_doc d;
    cbz_json_doc_init(&d);
    cbz_error je = { 0 };
    if (cbz_json_parse(&d, text, len, &je) != CBZ_OK) {
        s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: %s", path, je.msg);
        goto out;
    }
    const char *fmt = jstring(&d, 0, "format");
    uint64_t ver = 0;
    if (!fmt || strcmp(fmt, "cobzip-dataset") != 0 || !ju64(&d, 0, "format_version", &ver)) {
        s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: not a cobzip dataset manifest", path);
        goto out;
    }
    if (ver != 1) {
        s = cbz_fail(err, CBZ_ERR_UNSUPPORTED, "%s: format_version %llu (this cobzip reads 1)", path,
                     (unsigned long long)ver);
        goto out;
    }
    const char *created = jstring(&d, 0, "created"), *tool = jstring(&d, 0, "tool");
    if ((created && !(md->created = strdup(created))) || (tool && !(md->tool = strdup(tool)))) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        goto out;
    }
    int arr = jnode(&d, 0, "members", CBZ_JSON_ARRAY);
    if (arr < 0) {
        s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: no \"members\" array", path);
        goto out;
    }
    for (size_t i = 0; i < md->n && s == CBZ_OK; i++) {
        rep_member *r = &md->mem[i];
        int obj = -1;
        for (int c = d.nodes[arr].first_child; c >= 0 && obj < 0; c = d.nodes[c].next) {
            int k = jnode(&d, c, "member", CBZ_JSON_STRING);
            if (k >= 0 && same_text(&d, k, r->file)) obj = c;
        }
        if (obj < 0) {
            s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: member %s is not described", path, r->file);
            break;
        }
        if (!ju64(&d, obj, "size", &r->man_size) || !ju64(&d, obj, "records", &r->man_records) ||
            !ju64(&d, obj, "chunks", &r->man_chunks) ||
            !ju64(&d, obj, "member_size", &r->man_member_size)) {
            s = cbz_fail(err, CBZ_ERR_FORMAT,
                         "%s: member %s: size, records, chunks and member_size must be integers",
                         path, r->file);
            break;
        }
        const cbz_member *m = r->m;
        const char *what = NULL;
        uint64_t a = 0, b = 0;
        if (r->man_size != m->source_size) what = "size", a = r->man_size, b = m->source_size;
        else if (r->man_records != m->total_records) what = "records", a = r->man_records, b = m->total_records;
        else if (r->man_chunks != m->n_chunks) what = "chunks", a = r->man_chunks, b = m->n_chunks;
        else if (r->man_member_size != m->size) what = "member_size", a = r->man_member_size, b = m->size;
        if (what)
            s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: member %s: %s is %llu, the member says %llu", path,
                         r->file, what, (unsigned long long)a, (unsigned long long)b);
    }
out:
    cbz_json_doc_free(&d);
    free(text);
    free(path);
    return s;
}

static const char *base_name(const char *p)
{
    if (strcmp(p, "-") == 0) return "stdin";
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* One member of the stats document: matched to a dataset member by source
 * name, original size and records; columns paired in stream order. */
static cbz_status load_stats_member(rep_model *md, const cbz_json_doc *d, int obj, size_t idx,
                                    cbz_error *err)
{
    const char *sp = md->stats_path;
    const char *input = jstring(d, obj, "input");
    uint64_t bytes_in = 0, records = 0;
    double seconds = 0, mbs = 0;
    CBZ_FAIL_IF(!input || !ju64(d, obj, "bytes_in", &bytes_in) || !ju64(d, obj, "records", &records) ||
                    !jnum(d, obj, "seconds", &seconds),
                err, CBZ_ERR_FORMAT,
                "%s: members[%zu]: wants \"input\" (a string), \"bytes_in\" and \"records\" "
                "(whole numbers) and \"seconds\" (a number >= 0)", sp, idx);
    if (!jnum(d, obj, "mb_per_s", &mbs)) mbs = seconds > 0 ? (double)bytes_in / seconds / 1e6 : 0;
    rep_member *r = NULL;
    for (size_t i = 0; i < md->n && !r; i++) {
        rep_member *c = &md->mem[i];
        if (!c->has_stats && strcmp(c->m->meta.source_name, base_name(input)) == 0 &&
            c->m->source_size == bytes_in && c->m->total_records == records)
            r = c;
    }
    CBZ_FAIL_IF(!r, err, CBZ_ERR_DATA,
                "%s: members[%zu] (input %s, %llu bytes, %llu records) matches no member of %s", sp,
                idx, input, (unsigned long long)bytes_in, (unsigned long long)records, md->dataset);
    r->has_stats = true;
    r->seconds = seconds;
    r->mb_per_s = mbs;
    r->stats_input = strdup(input);
    r->stream_sec = calloc(r->n_streams ? r->n_streams : 1, sizeof *r->stream_sec);
    CBZ_FAIL_IF(!r->stats_input || !r->stream_sec, err, CBZ_ERR_NOMEM, "out of memory");
    /* "layers" and "columns" are optional, but what is there must be right. */
    int layers = jnode(d, obj, "layers", CBZ_JSON_OBJECT);
    CBZ_FAIL_IF(layers < 0 && cbz_json_member(d, obj, "layers") >= 0, err, CBZ_ERR_FORMAT,
                "%s: members[%zu]: \"layers\" is not an object", sp, idx);
    for (int l = 1; l <= 8 && layers >= 0; l++) {
        if (cbz_json_member(d, layers, cbz_layer_names[l]) < 0) continue;
        int lo = jnode(d, layers, cbz_layer_names[l], CBZ_JSON_OBJECT);
        CBZ_FAIL_IF(lo < 0 || !jnum(d, lo, "seconds", &r->layer_sec[l]), err, CBZ_ERR_FORMAT,
                    "%s: members[%zu]: layers.%s wants \"seconds\" (a number >= 0)", sp, idx,
                    cbz_layer_names[l]);
    }
    int cols = jnode(d, obj, "columns", CBZ_JSON_ARRAY);
    CBZ_FAIL_IF(cols < 0 && cbz_json_member(d, obj, "columns") >= 0, err, CBZ_ERR_FORMAT,
                "%s: members[%zu]: \"columns\" is not an array", sp, idx);
    if (cols < 0) return CBZ_OK;
    int c = d->nodes[cols].first_child;
    for (size_t s = 0; s < r->n_streams; s++) {
        if (!r->m->stats[s].bytes_in) continue;
        const char *want = cbz_plan_stream_name(&r->m->plan, s);
        CBZ_FAIL_IF(c < 0, err, CBZ_ERR_DATA, "%s: members[%zu]: no entry for column %s of %s", sp,
                    idx, want, r->file);
        int nm = jnode(d, c, "name", CBZ_JSON_STRING);
        CBZ_FAIL_IF(nm < 0 || !same_text(d, nm, want), err, CBZ_ERR_DATA,
                    "%s: members[%zu]: column %s differs from %s's column %s", sp, idx,
                    nm < 0 ? "(no name)" : cbz_json_text(d, &d->nodes[nm]), r->file, want);
        int secs = jnode(d, c, "seconds", CBZ_JSON_OBJECT);
        for (int l = 1; l <= 8 && secs >= 0; l++) {
            double v;
            if (cbz_json_member(d, secs, cbz_layer_names[l]) < 0) continue;
            CBZ_FAIL_IF(!jnum(d, secs, cbz_layer_names[l], &v), err, CBZ_ERR_FORMAT,
                        "%s: members[%zu]: column %s: seconds.%s is not a number >= 0", sp, idx,
                        want, cbz_layer_names[l]);
            r->stream_sec[s] += v;
        }
        c = d->nodes[c].next;
    }
    CBZ_FAIL_IF(c >= 0, err, CBZ_ERR_DATA, "%s: members[%zu]: more columns than %s has", sp, idx,
                r->file);
    return CBZ_OK;
}

static cbz_status load_stats(rep_model *md, cbz_error *err)
{
    char *text;
    size_t len;
    CBZ_TRY(read_whole(md->stats_path, &text, &len, err));
    cbz_json_doc d;
    cbz_json_doc_init(&d);
    cbz_error je = { 0 };
    cbz_status s = CBZ_OK;
    int arr = -1;
    if (cbz_json_parse(&d, text, len, &je) != CBZ_OK)
        s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: %s", md->stats_path, je.msg);
    else if ((arr = jnode(&d, 0, "members", CBZ_JSON_ARRAY)) < 0)
        s = cbz_fail(err, CBZ_ERR_FORMAT, "%s: not a `cobzip compress --stats` document (no \"members\")",
                     md->stats_path);
    size_t idx = 0;
    for (int c = arr >= 0 ? d.nodes[arr].first_child : -1; c >= 0 && s == CBZ_OK; c = d.nodes[c].next)
        s = load_stats_member(md, &d, c, idx++, err);
    if (s == CBZ_OK && idx == 0)
        s = cbz_fail(err, CBZ_ERR_DATA, "%s: describes no member of %s", md->stats_path, md->dataset);
    if (s == CBZ_OK) {
        md->has_run = jnum(&d, 0, "seconds", &md->run_seconds);
        double bytes = 0;
        if (!jnum(&d, 0, "mb_per_s", &md->run_mb_per_s))
            md->run_mb_per_s = md->has_run && md->run_seconds > 0 && jnum(&d, 0, "bytes_in", &bytes)
                                   ? bytes / md->run_seconds / 1e6 : 0;
        md->has_threads = ju64(&d, 0, "threads", &md->run_threads);
        md->has_level = ju64(&d, 0, "level", &md->run_level);
    }
    cbz_json_doc_free(&d);
    free(text);
    return s;
}

/* ------------------------------------------------------------------------
 * Text helpers.
 * ---------------------------------------------------------------------- */
void cbz_html_escape(FILE *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", o); break;
            case '<': fputs("&lt;", o); break;
            case '>': fputs("&gt;", o); break;
            case '"': fputs("&quot;", o); break;
            case '\'': fputs("&#39;", o); break;
            default:
                if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) fputs("&#xFFFD;", o);
                else fputc((int)c, o);
            }
            p++;
            continue;
        }
        /* A well-formed UTF-8 sequence (no overlongs, surrogates or > U+10FFFF)
         * is copied; anything else becomes U+FFFD, one byte at a time. */
        size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        bool ok = n != 0;
        for (size_t k = 1; k < n && ok; k++) ok = (p[k] & 0xC0) == 0x80;
        if (ok && n == 3) ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0);
        if (ok && n == 4) ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
        if (ok && c == 0xC2 && p[1] < 0xA0) fputs("&#xFFFD;", o); /* C1 controls */
        else if (ok) fwrite(p, 1, n, o);
        else fputs("&#xFFFD;", o);
        p += ok ? n : 1;
    }
}

/* At most max_chars characters of s, with an ellipsis when cut. */
static void escape_cut(FILE *o, const char *s, size_t max_chars)
{
    size_t chars = 0, i = 0;
    while (s[i] && chars < max_chars) {
        i++;
        while ((s[i] & 0xC0) == 0x80) i++;
        chars++;
    }
    if (!s[i]) {
        cbz_html_escape(o, s);
        return;
    }
    char *cut = strndup(s, i);
    if (cut) cbz_html_escape(o, cut);
    free(cut);
    fputs("\xe2\x80\xa6", o);
}

typedef struct { char s[40]; } txt;

/* 3 significant figures with a decimal unit: "368 kB", "3.00 MB". */
static txt fmt_bytes(double v)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
    txt t;
    int u = 0;
    while (v >= 999.5 && u < 6) v /= 1000, u++;
    if (u == 0) snprintf(t.s, sizeof t.s, "%.0f B", v);
    else snprintf(t.s, sizeof t.s, v < 9.995 ? "%.2f %s" : v < 99.95 ? "%.1f %s" : "%.0f %s", v, unit[u]);
    return t;
}

/* Thousands separated: "3,000,000". */
static txt fmt_count(uint64_t v)
{
    char raw[24];
    int n = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    txt t;
    size_t j = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) t.s[j++] = ',';
        t.s[j++] = raw[i];
    }
    t.s[j] = '\0';
    return t;
}

static txt fmt_secs(double s)
{
    txt t;
    if (s < 1e-3) snprintf(t.s, sizeof t.s, "%.0f \xc2\xb5s", s * 1e6);
    else if (s < 1) snprintf(t.s, sizeof t.s, "%.1f ms", s * 1e3);
    else snprintf(t.s, sizeof t.s, "%.2f s", s);
    return t;
}

static txt fmt_ratio(uint64_t orig, uint64_t stored)
{
    txt t;
    if (!stored) snprintf(t.s, sizeof t.s, "\xe2\x80\x93");
    else {
        double r = (double)orig / (double)stored;
        snprintf(t.s, sizeof t.s, r < 9.995 ? "%.2f\xc3\x97" : r < 99.95 ? "%.1f\xc3\x97" : "%.0f\xc3\x97", r);
    }
    return t;
}

static txt fmt_pct(double part, double whole)
{
    txt t;
    if (whole <= 0) snprintf(t.s, sizeof t.s, "\xe2\x80\x93");
    else snprintf(t.s, sizeof t.s, "%.1f%%", 100.0 * part / whole);
    return t;
}

/* A round step (1, 2 or 5 times a power of ten) near x. */
static double nice_step(double x)
{
    if (x <= 0) return 1;
    double p = pow(10, floor(log10(x)));
    double f = x / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* The layer a chain step belongs to, for its colour (0: unknown). */
static int step_layer(const char *step, size_t n)
{
    static const struct { const char *name; int layer; } map[] = {
        { "raw", 2 },    { "planes", 2 }, { "validate", 3 }, { "decimal", 4 }, { "trim", 4 },
        { "delta", 5 },  { "delta2", 5 }, { "for", 5 },      { "rle", 5 },     { "dict", 6 },
        { "pack", 7 },   { "zstd", 8 },   { "stored", 8 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].name) == n && memcmp(map[i].name, step, n) == 0) return map[i].layer;
    return 0;
}

/* "validate>decimal>pack>zstd | validate>zstd" as chips, one per step. */
static void put_chain(FILE *o, const char *chain)
{
    const char *p = chain;
    if (!*p) {
        fputs("<span class=\"muted\">\xe2\x80\x93</span>", o);
        return;
    }
    while (*p) {
        if (*p == '>') { p++; continue; }
        if (*p == ' ' && strncmp(p, " | ", 3) == 0) {
            fputs("<span class=\"or\">or</span>", o);
            p += 3;
            continue;
        }
        size_t n = strcspn(p, "> ");
        if (n == 0) { p++; continue; }
        char step[96];
        snprintf(step, sizeof step, "%.*s", (int)(n < sizeof step ? n : sizeof step - 1), p);
        fprintf(o, "<span class=\"chip L%d\">", step_layer(p, n));
        cbz_html_escape(o, step);
        fputs("</span>", o);
        p += n;
    }
}

/* ------------------------------------------------------------------------
 * Charts.
 * ---------------------------------------------------------------------- */
static const char *const layer_label[9] = { "original", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8" };

/* Bytes after each layer: a stream that skips a layer carries its bytes
 * through it unchanged, so each bar is the whole member's data at that point.
 * L1 and L2 record no sizes of their own: their bars are the bytes they hand
 * on as streams. */
static void layer_levels(const rep_member *r, uint64_t level[11], bool used[9])
{
    memset(level, 0, 11 * sizeof level[0]);
    memset(used, 0, 9 * sizeof used[0]);
    level[0] = r->m->source_size;
    for (size_t s = 0; s < r->n_streams; s++) {
        const cbz_col_stats *st = &r->m->stats[s];
        uint64_t cur = st->bytes_in;
        for (int l = 1; l <= 8; l++) {
            if (st->layer_out[l]) {
                cur = st->layer_out[l];
                used[l] = true;
            }
            level[l] += cur;
        }
    }
    used[1] = used[2] = true;
    level[9] = r->m->size;
}

static void chart_waterfall(FILE *o, const rep_member *r)
{
    uint64_t level[11];
    bool used[9];
    layer_levels(r, level, used);
    const int W = 960, H = 330, ml = 70, mr = 10, mt = 40, mb = 56, bars = 10;
    const double pw = W - ml - mr, ph = H - mt - mb, slot = pw / bars, bw = slot * 0.58;
    double max = 1;
    for (int i = 0; i < bars; i++) if ((double)level[i] > max) max = (double)level[i];
    double step = nice_step(max / 4), top = ceil(max / step) * step;
    fprintf(o, "<svg class=\"chart waterfall\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"bytes after each layer\">\n", W, H);
    for (double v = 0; v <= top * 1.0001; v += step) {
        double y = mt + ph - v / top * ph;
        fprintf(o, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                ml, W - mr, y, y, ml - 8, y + 4, fmt_bytes(v).s);
    }
    double prev_y = 0;
    for (int i = 0; i < bars; i++) {
        double v = (double)level[i], h = v / top * ph, x = ml + i * slot + (slot - bw) / 2;
        double y = mt + ph - h;
        const char *label = i < 9 ? layer_label[i] : "member";
        const char *name = i == 0 ? "input" : i < 9 ? cbz_layer_names[i] : "file";
        bool unused = i >= 1 && i <= 8 && !used[i];
        if (i > 0 && y > prev_y + 0.5)
            fprintf(o, "<rect class=\"gone\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
                    x, prev_y, bw, y - prev_y);
        fprintf(o, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                   "<title>%s %s: %s bytes (%s of the original)</title></rect>\n",
                i == 0 ? " first" : i == 9 ? " last" : unused ? " unused" : "", x, y, bw, h > 0 ? h : 0,
                label, name, fmt_count(level[i]).s, fmt_pct(v, (double)level[0]).s);
        if (i > 0 && y < prev_y - 0.5)
            fprintf(o, "<rect class=\"grew\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
                    x, y, bw, prev_y - y);
        double ty = (i > 0 && prev_y < y ? prev_y : y) - 20;
        fprintf(o, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>"
                   "<text class=\"pct\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x + bw / 2, ty, fmt_bytes(v).s, x + bw / 2, ty + 13,
                unused ? "not used" : fmt_pct(v, (double)level[0]).s);
        fprintf(o, "<text class=\"lab\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                   "<text class=\"sub\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x + bw / 2, H - mb + 20, label, x + bw / 2, H - mb + 36, name);
        prev_y = y;
    }
    fprintf(o, "<line class=\"base\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n</svg>\n", ml,
            W - mr, mt + ph, mt + ph);
}

/* Rows of the column chart and table: streams with bytes, by output bytes. */
static const cbz_col_stats *g_sort_stats;
static int by_out_desc(const void *a, const void *b)
{
    const cbz_col_stats *x = &g_sort_stats[*(const size_t *)a], *y = &g_sort_stats[*(const size_t *)b];
    if (x->bytes_out != y->bytes_out) return x->bytes_out < y->bytes_out ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static size_t column_order(const rep_member *r, size_t *order)
{
    size_t n = 0;
    for (size_t s = 0; s < r->n_streams; s++)
        if (r->m->stats[s].bytes_in) order[n++] = s;
    g_sort_stats = r->m->stats;
    qsort(order, n, sizeof *order, by_out_desc);
    return n;
}

static void chart_columns(FILE *o, const rep_member *r, const size_t *order, size_t rows)
{
    const int W = 960, lw = 210, vw = 250, top = 28, rh = 24;
    const double pw = W - lw - vw - 16;
    const int H = top + (int)rows * rh + 8;
    double max = 10;
    for (size_t i = 0; i < rows; i++) {
        const cbz_col_stats *st = &r->m->stats[order[i]];
        if ((double)st->bytes_in > max) max = (double)st->bytes_in;
        if ((double)st->bytes_out > max) max = (double)st->bytes_out;
    }
    int decades = (int)ceil(log10(max) - 1e-9);
    if (decades < 1) decades = 1;
    fprintf(o, "<svg class=\"chart columns\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"bytes in and out per column\">\n", W, H);
    static const char *const tick[] = { "1 B", "10 B", "100 B", "1 kB", "10 kB", "100 kB", "1 MB",
                                        "10 MB", "100 MB", "1 GB", "10 GB", "100 GB", "1 TB",
                                        "10 TB", "100 TB", "1 PB", "10 PB", "100 PB", "1 EB",
                                        "10 EB", "100 EB" };
    for (int k = 0; k <= decades && k < 21; k++) {
        double x = lw + pw * k / decades;
        fprintf(o, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                   "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, x, top - 6, H - 4, x, top - 12, tick[k]);
    }
    for (size_t i = 0; i < rows; i++) {
        size_t s = order[i];
        const cbz_col_stats *st = &r->m->stats[s];
        const char *name = cbz_plan_stream_name(&r->m->plan, s);
        double y = top + (double)i * rh;
        double xin = st->bytes_in > 1 ? pw * log10((double)st->bytes_in) / decades : 1;
        double xout = st->bytes_out > 1 ? pw * log10((double)st->bytes_out) / decades : 1;
        fprintf(o, "<g class=\"row\"><title>");
        cbz_html_escape(o, name);
        fprintf(o, ": %s bytes in, %s bytes out (%s)</title>\n", fmt_count(st->bytes_in).s,
                fmt_count(st->bytes_out).s, fmt_ratio(st->bytes_in, st->bytes_out).s);
        fprintf(o, "<text class=\"name\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", lw - 10, y + 16);
        escape_cut(o, name, NAME_CHARS_MAX);
        fprintf(o, "</text>\n<rect class=\"in\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"2\"/>"
                   "<rect class=\"out\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"10\" rx=\"2\"/>\n",
                lw, y + 3, xin, lw, y + 7, xout);
        fprintf(o, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">%s \xe2\x86\x92 %s</text>"
                   "<text class=\"ratio\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text></g>\n",
                lw + pw + 14, y + 16, fmt_bytes((double)st->bytes_in).s,
                fmt_bytes((double)st->bytes_out).s, W - 4, y + 16,
                fmt_ratio(st->bytes_in, st->bytes_out).s);
    }
    fputs("</svg>\n", o);
}

static void chart_times(FILE *o, const rep_member *r)
{
    const int W = 960, lw = 150, vw = 170, rh = 24, top = 6;
    const double pw = W - lw - vw - 16;
    double total = 0, max = 0;
    for (int l = 1; l <= 8; l++) {
        total += r->layer_sec[l];
        if (r->layer_sec[l] > max) max = r->layer_sec[l];
    }
    if (max <= 0) max = 1;
    const int H = top + 8 * rh + 6;
    fprintf(o, "<svg class=\"chart times\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"time per layer\">\n", W, H);
    for (int l = 1; l <= 8; l++) {
        double y = top + (l - 1) * rh, w = pw * r->layer_sec[l] / max;
        fprintf(o, "<text class=\"name\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">L%d %s</text>"
                   "<rect class=\"t L%d\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"2\">"
                   "<title>L%d %s: %.6f s</title></rect>"
                   "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">",
                lw - 10, y + 15, l, cbz_layer_names[l], l, lw, y + 3, w, l, cbz_layer_names[l],
                r->layer_sec[l], lw + w + 8, y + 15);
        /* The engine times L1 and L2 with the chunk, not per stream. */
        if (r->layer_sec[l] == 0) fputs("<tspan class=\"pct\">not timed</tspan></text>\n", o);
        else fprintf(o, "%s (%s)</text>\n", fmt_secs(r->layer_sec[l]).s, fmt_pct(r->layer_sec[l], total).s);
    }
    fputs("</svg>\n", o);
}

/* Ratio of each chunk (or group of neighbouring chunks when there are many). */
static void chart_chunks(FILE *o, const rep_member *r)
{
    const cbz_member *m = r->m;
    const size_t nb = m->n_chunks < 240 ? (size_t)m->n_chunks : 240;
    const int W = 960, H = 140, ml = 70, mt = 10, mb = 22;
    const double pw = W - ml - 10, ph = H - mt - mb, slot = pw / (double)nb;
    double ratio[240], max = 1;
    for (size_t b = 0; b < nb; b++) {
        uint64_t lo = m->n_chunks * b / nb, hi = m->n_chunks * (b + 1) / nb, in = 0, fr = 0;
        for (uint64_t c = lo; c < hi; c++) in += m->index[c].in_len, fr += m->index[c].frame_len;
        ratio[b] = fr ? (double)in / (double)fr : 0;
        if (ratio[b] > max) max = ratio[b];
    }
    double step = nice_step(max / 2), top = ceil(max / step) * step;
    fprintf(o, "<svg class=\"chart chunks\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"ratio per chunk\">\n", W, H);
    for (double v = 0; v <= top * 1.0001; v += step) {
        double y = mt + ph - v / top * ph;
        fprintf(o, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g\xc3\x97</text>\n",
                ml, W - 10, y, y, ml - 8, y + 4, v);
    }
    for (size_t b = 0; b < nb; b++) {
        uint64_t lo = m->n_chunks * b / nb, hi = m->n_chunks * (b + 1) / nb;
        double h = ratio[b] / top * ph, gap = slot > 3 ? 1 : 0;
        fprintf(o, "<rect class=\"ck\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\">"
                   "<title>chunk%s %llu%s%s: ratio %.2f</title></rect>\n",
                ml + b * slot, mt + ph - h, slot - gap, h, hi - lo > 1 ? "s" : "",
                (unsigned long long)lo + 1, hi - lo > 1 ? "\xe2\x80\x93" : "",
                hi - lo > 1 ? fmt_count(hi).s : "", ratio[b]);
    }
    fprintf(o, "<text class=\"axis\" x=\"%d\" y=\"%d\">chunk 1</text>"
               "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">chunk %s</text>\n</svg>\n",
            ml, H - 4, W - 10, H - 4, fmt_count(m->n_chunks).s);
}

/* ------------------------------------------------------------------------
 * The page.
 * ---------------------------------------------------------------------- */
static const char page_css[] =
    ":root{--ink:#1f2933;--muted:#66758a;--line:#e3e8ef;--bg:#f4f6fa;--card:#fff;"
    "--in:#c7d7f5;--out:#1e4fd8;--gone:#d9f2e4;--grew:#f9b27c;--head:#111a2e}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "header{background:var(--head);color:#fff;padding:26px 40px 22px}\n"
    "header h1{margin:0 0 4px;font-size:24px;font-weight:650;letter-spacing:-.01em}\n"
    "header .meta{color:#aab6cc;font-size:13px}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}\n"
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:20px 24px;margin:0 0 22px;box-shadow:0 1px 2px rgba(16,24,40,.04)}\n"
    "h2{margin:0 0 4px;font-size:19px}\n"
    "h3{margin:22px 0 6px;font-size:15px}\n"
    "p.note,.muted{color:var(--muted)}\n"
    "p.note{margin:2px 0 10px;font-size:13px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:12px}\n"
    ".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#fafbfd}\n"
    ".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    ".card .v{font-size:22px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}\n"
    ".card .s{color:var(--muted);font-size:12px}\n"
    ".card .v .nr{color:var(--muted);font-size:16px;font-weight:600}\n"
    ".card.hi{background:#eef3ff;border-color:#c9d8fb}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "th{color:var(--muted);font-weight:600;font-size:12px;background:#fafbfd}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.nw{white-space:nowrap}td code{word-break:break-all}\n"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}\n"
    ".chip{display:inline-block;padding:0 6px;margin:1px 2px 1px 0;border-radius:9px;font-size:11.5px;"
    "background:#eceff4;color:#334155;white-space:nowrap}\n"
    ".chip.L2{background:#e8e3f8;color:#4c3a8f}.chip.L3{background:#e3eefb;color:#1d4f91}"
    ".chip.L4{background:#dff3ec;color:#11684a}.chip.L5{background:#fbeedd;color:#8a4b08}"
    ".chip.L6{background:#f8e1ea;color:#8d1d4a}.chip.L7{background:#e5f1f7;color:#1a5d7a}"
    ".chip.L8{background:#ececec;color:#2d2d2d}\n"
    ".or{color:var(--muted);font-size:11px;margin:0 4px}\n"
    ".bad{color:#b42318;font-weight:600}\n"
    "svg.chart{width:100%;height:auto;display:block;margin:6px 0 4px}\n"
    "svg text{font-size:12px;fill:var(--ink)}\n"
    "svg .axis{fill:var(--muted);font-size:11px}\n"
    "svg .grid{stroke:#edf0f5;stroke-width:1}\n"
    "svg .base{stroke:#9aa5b8;stroke-width:1}\n"
    "svg .bar{fill:#3b6fe0}svg .bar.first{fill:#8a96ab}svg .bar.last{fill:#14306e}"
    "svg .bar.unused{fill:#cfd6e2}\n"
    "svg .gone{fill:var(--gone);stroke:#7cc8a0;stroke-dasharray:3 2}\n"
    "svg .grew{fill:var(--grew);opacity:.85}\n"
    "svg .val{font-weight:600;font-size:11.5px}svg .pct{fill:var(--muted);font-size:11px}\n"
    "svg .lab{font-weight:650}svg .sub{fill:var(--muted);font-size:11px}\n"
    "svg .in{fill:var(--in)}svg .out{fill:var(--out)}\n"
    "svg .name{font-size:12px}svg .ratio{font-weight:650;font-size:12px}\n"
    "svg .t{fill:#3b6fe0}svg .t.L8{fill:#14306e}\n"
    "svg .ck{fill:#5b82e6}\n"
    ".legend{font-size:12px;color:var(--muted);margin:2px 0 0}\n"
    ".legend i{display:inline-block;width:12px;height:10px;border-radius:2px;margin:0 4px 0 12px;"
    "vertical-align:-1px}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 30px}\n";

static void put_card(FILE *o, bool hi, const char *key, const char *val, const char *sub)
{
    fprintf(o, "<div class=\"card%s\"><div class=\"k\">%s</div><div class=\"v\">%s</div>"
               "<div class=\"s\">%s</div></div>\n", hi ? " hi" : "", key, val, sub);
}

static void render_summary(FILE *o, const rep_model *md)
{
    uint64_t orig = 0, stored = 0, records = 0, chunks = 0;
    for (size_t i = 0; i < md->n; i++) {
        orig += md->mem[i].man_size;
        stored += md->mem[i].m->size;
        records += md->mem[i].m->total_records;
        chunks += md->mem[i].m->n_chunks;
    }
    fputs("<section id=\"summary\">\n<h2>Dataset</h2>\n<p class=\"note\">Original sizes are the "
          "manifest&#39;s (<code>manifest.json</code>); stored sizes are the member files.</p>\n"
          "<div class=\"cards\">\n", o);
    char sub[160];
    snprintf(sub, sizeof sub, "%s bytes", fmt_count(orig).s);
    put_card(o, false, "original", fmt_bytes((double)orig).s, sub);
    snprintf(sub, sizeof sub, "%s bytes + %s manifests", fmt_count(stored).s,
             fmt_bytes((double)md->manifest_bytes).s);
    put_card(o, false, "stored", fmt_bytes((double)stored).s, sub);
    snprintf(sub, sizeof sub, "%s saved", fmt_pct(orig > stored ? (double)(orig - stored) : 0, (double)orig).s);
    put_card(o, true, "ratio", fmt_ratio(orig, stored).s, sub);
    snprintf(sub, sizeof sub, "in %s chunk%s", fmt_count(chunks).s, chunks == 1 ? "" : "s");
    put_card(o, false, "records", fmt_count(records).s, sub);
    snprintf(sub, sizeof sub, "member%s", md->n == 1 ? "" : "s");
    put_card(o, false, "members", fmt_count(md->n).s, sub);
    if (md->has_run && md->run_seconds > 0) {
        char val[64];
        snprintf(val, sizeof val, "%.1f MB/s", md->run_mb_per_s);
        char thr[32] = "";
        if (md->has_threads) snprintf(thr, sizeof thr, ", %llu thread%s", (unsigned long long)md->run_threads,
                                      md->run_threads == 1 ? "" : "s");
        snprintf(sub, sizeof sub, "compress took %s%s", fmt_secs(md->run_seconds).s, thr);
        put_card(o, true, "throughput", val, sub);
    } else {
        put_card(o, false, "throughput", "<span class=\"nr\">not recorded</span>",
                 md->stats_path ? "the stats file has no run totals"
                                : "pass --stats FILE.json from <code>compress --stats</code>");
    }
    fputs("</div>\n", o);
    fputs("<table class=\"members\">\n<tr><th>member</th><th>source</th><th class=\"n\">original "
          "(manifest)</th><th class=\"n\">stored</th><th class=\"n\">ratio</th><th class=\"n\">records"
          "</th><th class=\"n\">chunks</th><th>RECFM</th><th>copybook</th><th class=\"n\">level</th>"
          "<th class=\"n\">MB/s</th></tr>\n", o);
    for (size_t i = 0; i < md->n; i++) {
        const rep_member *r = &md->mem[i];
        const cbz_member_meta *x = &r->m->meta;
        fprintf(o, "<tr><td><a href=\"#member-%zu\">", i + 1);
        cbz_html_escape(o, r->file);
        fputs("</a></td><td>", o);
        cbz_html_escape(o, x->source_name);
        fprintf(o, "</td><td class=\"n\">%s</td>", fmt_count(r->man_size).s);
        fprintf(o, "<td class=\"n\">%s</td><td class=\"n\"><b>%s</b></td>", fmt_count(r->m->size).s,
                fmt_ratio(r->man_size, r->m->size).s);
        fprintf(o, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"nw\">",
                fmt_count(r->m->total_records).s, fmt_count(r->m->n_chunks).s);
        if (x->mode == CBZ_MODE_RECORDS && x->fmt.lrecl)
            fprintf(o, "%s %u, ", cbz_recfm_name(x->fmt.recfm), (unsigned)x->fmt.lrecl);
        else if (x->mode == CBZ_MODE_RECORDS)
            fprintf(o, "%s, ", cbz_recfm_name(x->fmt.recfm));
        else
            fputs("plain bytes, ", o);
        cbz_html_escape(o, x->codepage);
        fputs("</td><td>", o);
        if (x->copybook_name[0]) {
            fputs("<code>", o);
            cbz_html_escape(o, x->copybook_name);
            fputs("</code>", o);
        } else {
            fputs("<span class=\"muted\">none</span>", o);
        }
        fprintf(o, "</td><td class=\"n\">%d</td><td class=\"n\">", x->level);
        if (r->has_stats) fprintf(o, "%.1f", r->mb_per_s);
        else fputs("<span class=\"muted\">not recorded</span>", o);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n</section>\n", o);
}

static void render_member(FILE *o, const rep_model *md, size_t idx, size_t *order)
{
    const rep_member *r = &md->mem[idx];
    const cbz_member *m = r->m;
    fprintf(o, "<section class=\"member\" id=\"member-%zu\">\n<h2>", idx + 1);
    cbz_html_escape(o, r->file);
    fprintf(o, "</h2>\n<p class=\"note\">%s bytes in %s records and %s chunk%s become %s bytes: "
               "ratio <b>%s</b> against the manifest&#39;s original size.",
            fmt_count(r->man_size).s, fmt_count(m->total_records).s, fmt_count(m->n_chunks).s,
            m->n_chunks == 1 ? "" : "s", fmt_count(m->size).s, fmt_ratio(r->man_size, m->size).s);
    if (r->has_stats)
        fprintf(o, " Compressed in %s (%.1f MB/s).", fmt_secs(r->seconds).s, r->mb_per_s);
    fputs("</p>\n", o);

    fputs("<h3>Where the bytes go</h3>\n<p class=\"note\">Bytes after each layer, all streams "
          "together; a stream that skips a layer carries its bytes through unchanged.  L1 frame and "
          "L2 split show the bytes they hand on as streams; the last bar is the member file with its "
          "headers, index and stats.</p>\n", o);
    chart_waterfall(o, r);
    fputs("<p class=\"legend\"><i style=\"background:#3b6fe0\"></i>bytes after the layer"
          "<i style=\"background:#d9f2e4;border:1px dashed #7cc8a0\"></i>removed by it"
          "<i style=\"background:#f9b27c\"></i>added by it (e.g. decimals widened to integers before "
          "delta and packing)<i style=\"background:#cfd6e2\"></i>not used by any column</p>\n", o);

    fputs("<h3>Time per layer</h3>\n", o);
    if (r->has_stats) {
        fputs("<p class=\"note\">Seconds in each layer summed over all chunks (CPU time across "
              "threads, from the stats file).</p>\n", o);
        chart_times(o, r);
    } else {
        fputs("<p class=\"note muted\">not recorded (members store no timings; pass "
              "<code>--stats FILE.json</code> written by <code>cobzip compress --stats</code>)</p>\n", o);
    }

    size_t n = column_order(r, order);
    size_t rows = n < md->chart_columns ? n : md->chart_columns;
    fputs("<h3>Columns</h3>\n<p class=\"note\">Bytes in (light) and out (dark) per column on a "
          "logarithmic scale, largest output first", o);
    if (rows < n) fprintf(o, "; the %zu largest of %zu are drawn, the table lists all", rows, n);
    fputs(".</p>\n", o);
    if (rows) chart_columns(o, r, order, rows);
    else fputs("<p class=\"muted\">no columns (empty member)</p>\n", o);

    uint64_t total_out = 0;
    for (size_t i = 0; i < n; i++) total_out += m->stats[order[i]].bytes_out;
    fprintf(o, "<table class=\"columns\">\n<tr><th>#</th><th>column</th><th class=\"n\">offset</th>"
               "<th class=\"n\">width</th><th>chain of layers</th><th class=\"n\">bytes in</th>"
               "<th class=\"n\">bytes out</th><th class=\"n\">ratio</th><th class=\"n\">share of out"
               "</th><th class=\"n\">exceptions</th><th class=\"n\">time</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        size_t s = order[i];
        const cbz_col_stats *st = &m->stats[s];
        fprintf(o, "<tr><td class=\"n\">%zu</td><td class=\"nw\">", i + 1);
        cbz_html_escape(o, cbz_plan_stream_name(&m->plan, s));
        if (s >= CBZ_SIDE_STREAMS) {
            const cbz_plan_column *pc = &m->plan.cols[s - CBZ_SIDE_STREAMS];
            fprintf(o, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td>", (unsigned)pc->offset,
                    (unsigned)pc->width);
        } else {
            fputs("</td><td class=\"n muted\">side</td><td class=\"n\"></td><td>", o);
        }
        put_chain(o, st->chain);
        fprintf(o, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                   "<td class=\"n\">%s</td><td class=\"n%s\">%s</td><td class=\"n\">",
                fmt_count(st->bytes_in).s, fmt_count(st->bytes_out).s,
                fmt_ratio(st->bytes_in, st->bytes_out).s, fmt_pct((double)st->bytes_out, (double)total_out).s,
                st->exceptions ? " bad" : "", fmt_count(st->exceptions).s);
        if (r->stream_sec) fputs(fmt_secs(r->stream_sec[s]).s, o);
        else fputs("<span class=\"muted\">not recorded</span>", o);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);

    if (m->n_chunks > 1) {
        fputs("<h3>Ratio per chunk</h3>\n<p class=\"note\">Original bytes over frame bytes for each "
              "chunk", o);
        if (m->n_chunks > 240) fputs(" (neighbouring chunks grouped into 240 bars)", o);
        fputs(".</p>\n", o);
        chart_chunks(o, r);
    }

    const cbz_member_meta *x = &m->meta;
    fputs("<h3>Member</h3>\n<table class=\"meta\">\n<tr><th>source</th><td>", o);
    cbz_html_escape(o, x->source_name);
    fprintf(o, " (SHA-256 <code>%s</code>)</td></tr>\n<tr><th>format</th><td>", m->source_sha256);
    if (x->mode == CBZ_MODE_RECORDS)
        fprintf(o, "records, RECFM %s, LRECL %u, width %u, ", cbz_recfm_name(x->fmt.recfm),
                (unsigned)x->fmt.lrecl, (unsigned)m->plan.width);
    else
        fputs("generic (plain bytes), ", o);
    fputs("code page ", o);
    cbz_html_escape(o, x->codepage);
    fprintf(o, ", level %d, chunk size %s bytes</td></tr>\n<tr><th>copybook</th><td>", x->level,
            fmt_count(x->chunk_size).s);
    if (x->copybook_name[0]) {
        fputs("<code>", o);
        cbz_html_escape(o, x->copybook_name);
        fprintf(o, "</code> (SHA-256 <code>%s</code>)", x->copybook_sha256);
    } else {
        fputs("<span class=\"muted\">none</span>", o);
    }
    fputs("</td></tr>\n", o);
    if (r->has_stats) {
        fputs("<tr><th>stats</th><td>input <code>", o);
        cbz_html_escape(o, r->stats_input);
        fprintf(o, "</code>, %s, %.1f MB/s</td></tr>\n", fmt_secs(r->seconds).s, r->mb_per_s);
    }
    fputs("</table>\n</section>\n", o);
}

static cbz_status render(FILE *o, const rep_model *md, cbz_error *err)
{
    size_t max_streams = 1;
    for (size_t i = 0; i < md->n; i++)
        if (md->mem[i].n_streams > max_streams) max_streams = md->mem[i].n_streams;
    size_t *order = malloc(max_streams * sizeof *order);
    CBZ_FAIL_IF(!order, err, CBZ_ERR_NOMEM, "out of memory");

    const char *base = md->dataset;
    size_t bl = strlen(base);
    while (bl > 1 && base[bl - 1] == '/') bl--;
    char *trimmed = strndup(base, bl);
    const char *slash = trimmed ? strrchr(trimmed, '/') : NULL;
    const char *title = !trimmed ? base : slash && slash[1] ? slash + 1 : trimmed;

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"cobzip " CBZ_VERSION_STRING "\">\n<title>cobzip report: ", o);
    cbz_html_escape(o, title);
    fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>cobzip report: ", page_css);
    cbz_html_escape(o, title);
    fputs("</h1>\n<div class=\"meta\">", o);
    cbz_html_escape(o, md->dataset);
    if (md->created) {
        fputs(" \xc2\xb7 created ", o);
        cbz_html_escape(o, md->created);
    }
    if (md->tool) {
        fputs(" by ", o);
        cbz_html_escape(o, md->tool);
    }
    if (md->stats_path) {
        fputs(" \xc2\xb7 stats ", o);
        cbz_html_escape(o, md->stats_path);
        if (md->has_threads) fprintf(o, " (%llu threads", (unsigned long long)md->run_threads);
        if (md->has_level) fprintf(o, "%s level %llu", md->has_threads ? "," : " (", (unsigned long long)md->run_level);
        if (md->has_threads || md->has_level) fputs(")", o);
    }
    fputs("</div>\n</header>\n<main>\n", o);
    render_summary(o, md);
    for (size_t i = 0; i < md->n; i++) render_member(o, md, i, order);
    if (md->n == 0) fputs("<section><p class=\"muted\">The dataset has no members.</p></section>\n", o);
    fputs("</main>\n<footer>cobzip " CBZ_VERSION_STRING " \xc2\xb7 one self-contained page: no scripts, "
          "nothing loaded from elsewhere</footer>\n</body>\n</html>\n", o);
    free(order);
    free(trimmed);
    CBZ_FAIL_IF(ferror(o), err, CBZ_ERR_IO, "writing the report failed");
    return CBZ_OK;
}

cbz_status cbz_report_write(const char *dataset, const cbz_report_options *opt, FILE *out,
                            cbz_error *err)
{
    struct stat st;
    CBZ_FAIL_IF(stat(dataset, &st) != 0, err, CBZ_ERR_IO, "%s: cannot open: %s", dataset, strerror(errno));
    CBZ_FAIL_IF(!S_ISDIR(st.st_mode), err, CBZ_ERR_USAGE,
                "%s: not a dataset directory (the report reads what `cobzip compress -o` writes)", dataset);
    rep_model md;
    memset(&md, 0, sizeof md);
    md.dataset = dataset;
    md.stats_path = opt ? opt->stats_path : NULL;
    md.chart_columns = opt && opt->chart_columns ? opt->chart_columns : CHART_COLUMNS_DEFAULT;
    cbz_status s = load_members(&md, opt ? opt->check_hashes : true, err);
    if (s == CBZ_OK) s = load_manifest(&md, err);
    if (s == CBZ_OK && md.stats_path) s = load_stats(&md, err);
    if (s == CBZ_OK) s = render(out, &md, err);
    model_free(&md);
    return s;
}
