/*
 * convert.c — the convert engine (records → CSV / JSONL) and the encode
 * engine (CSV / JSONL → records).  Shapes and rules are in convert.h.
 */
#include "convert.h"
#include "csv_wrap.h"
#include "internal.h"
#include "jsonl.h"
#include "record_walk.h"
#include "records.h"

#include "outfile.h"
#include "parallel.h"

#include <errno.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * The plan: per-field facts computed once per layout.
 * ---------------------------------------------------------------------- */
#define SET_RECORDS (-2)   /* the set of several 01 records */

typedef struct select_rule {
    int field;
    char **values;
    size_t n_values;
    int view;
    int set;
} select_rule;

/* One CSV column of the fast path, compact so the per-record loop stays in cache. */
typedef struct fast_col {
    const cbz_field *f;
    uint32_t offset, size;
    size_t room;            /* the value codec's worst-case text length */
    int column;
} fast_col;

/* One step of the JSON program of a layout without ODO: the walk's events
 * recorded once, replayed per record. */
enum { JOP_GROUP_BEGIN, JOP_GROUP_END, JOP_ARRAY_BEGIN, JOP_ARRAY_END, JOP_VALUE };
typedef struct json_op {
    uint8_t kind;
    bool element;           /* a table element: no key */
    const cbz_field *f;
    uint32_t offset;        /* JOP_VALUE */
    int column;             /* JOP_VALUE: for reject reports, -1 if none */
    size_t key_off, key_len; /* "\"NAME\":" in plan.json_keys */
    int views[8];           /* REDEFINES views among the item and its ancestors, -1 ended */
} json_op;

typedef struct plan {
    const cbz_layout *L;
    int *col_base;          /* per field: start in colmap, -1 when no columns */
    int *colmap;            /* linear subscript index → column */
    uint8_t *ndims;
    uint32_t *dims;         /* per field: 7 entries */
    uint8_t *hidden;        /* FILLER or under a FILLER group (and not --fillers) */
    int *set_of;            /* REDEFINES set of a view, -1 when not a view */
    int *members;           /* per column: view fields among its ancestors (-1 ended, 8 each) */
    int *visible;           /* CSV: the columns output, in order */
    fast_col *fast;         /* the same, with what the fast path needs */
    json_op *json;          /* JSONL program (layouts without ODO), NULL until built */
    size_t n_json, cap_json;
    cbz_buf json_keys;
    size_t n_visible;
    size_t max_size;
    select_rule *rules;
    size_t n_rules;
} plan;

static bool walked_kind(const cbz_field *f)
{
    return f->category != CBZ_CAT_CONDITION && f->category != CBZ_CAT_RENAMES && f->level != 66 &&
           f->level != 88;
}

static void plan_free(plan *p)
{
    free(p->col_base);
    free(p->colmap);
    free(p->ndims);
    free(p->dims);
    free(p->hidden);
    free(p->set_of);
    free(p->members);
    free(p->visible);
    free(p->fast);
    free(p->json);
    cbz_buf_free(&p->json_keys);
    for (size_t i = 0; i < p->n_rules; i++) {
        for (size_t k = 0; k < p->rules[i].n_values; k++) free(p->rules[i].values[k]);
        free(p->rules[i].values);
    }
    free(p->rules);
    memset(p, 0, sizeof *p);
}

static char *trimmed_dup(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    char *d = malloc(n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}

static int top_level_records(const cbz_layout *L)
{
    int n = 0;
    for (size_t i = 0; i < L->n_fields; i++)
        if (L->fields[i].parent == -1 && walked_kind(&L->fields[i]) && L->fields[i].level == 1) n++;
    return n;
}

static cbz_status parse_rule(const cbz_layout *L, const int *set_of, const char *spec, select_rule *r,
                             cbz_error *err)
{
    memset(r, 0, sizeof *r);
    const char *eq = strchr(spec, '=');
    const char *colon = strrchr(spec, ':');
    CBZ_FAIL_IF(!eq || !colon || colon < eq, err, CBZ_ERR_USAGE,
                "--select '%s': expected FIELD=VALUE[,VALUE...]:VIEW", spec);
    char *fname = trimmed_dup(spec, (size_t)(eq - spec));
    char *vname = trimmed_dup(colon + 1, strlen(colon + 1));
    if (!fname || !vname) { free(fname); free(vname); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    r->field = cbz_layout_find(L, fname);
    r->view = cbz_layout_find(L, vname);
    cbz_status s = CBZ_OK;
    if (r->field < 0) s = cbz_fail(err, CBZ_ERR_USAGE, "--select '%s': no field %s in the copybook", spec, fname);
    else if (r->view < 0) s = cbz_fail(err, CBZ_ERR_USAGE, "--select '%s': no field %s in the copybook", spec, vname);
    else if (set_of[r->view] == -1)
        s = cbz_fail(err, CBZ_ERR_USAGE,
                     "--select '%s': %s neither REDEFINES nor is redefined, and is not one of several 01 records",
                     spec, vname);
    else if (L->fields[r->field].first_child >= 0 && L->fields[r->field].category == CBZ_CAT_GROUP)
        s = cbz_fail(err, CBZ_ERR_USAGE, "--select '%s': %s is a group; name an elementary field", spec, fname);
    free(fname);
    free(vname);
    if (s != CBZ_OK) return s;
    r->set = set_of[r->view];
    for (const char *p = eq + 1; p <= colon;) {
        const char *e = p;
        while (e < colon && *e != ',') e++;
        char **nv = realloc(r->values, (r->n_values + 1) * sizeof *nv);
        if (!nv) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        r->values = nv;
        if (!(r->values[r->n_values] = trimmed_dup(p, (size_t)(e - p)))) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        r->n_values++;
        p = e + 1;
    }
    return CBZ_OK;
}

static cbz_status plan_init(plan *p, const cbz_layout *L, bool fillers, const char *const *selects,
                            size_t n_selects, cbz_error *err)
{
    memset(p, 0, sizeof *p);
    p->L = L;
    size_t nf = L->n_fields ? L->n_fields : 1, nc = L->n_columns ? L->n_columns : 1;
    p->col_base = malloc(nf * sizeof *p->col_base);
    p->ndims = calloc(nf, 1);
    p->dims = calloc(nf * 7, sizeof *p->dims);
    p->hidden = calloc(nf, 1);
    p->set_of = malloc(nf * sizeof *p->set_of);
    p->members = malloc(nc * 8 * sizeof *p->members);
    p->visible = malloc(nc * sizeof *p->visible);
    p->fast = malloc(nc * sizeof *p->fast);
    if (!p->col_base || !p->ndims || !p->dims || !p->hidden || !p->set_of || !p->members || !p->visible || !p->fast) {
        plan_free(p);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    int n01 = top_level_records(L);
    size_t slots = 0;
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *f = &L->fields[i];
        int par = f->parent;
        if (par >= 0 && (size_t)par < L->n_fields) {
            p->ndims[i] = p->ndims[par];
            memcpy(p->dims + i * 7, p->dims + (size_t)par * 7, 7 * sizeof *p->dims);
            p->hidden[i] = p->hidden[par];
        }
        if (f->occurs_max > 0) {
            if (p->ndims[i] >= 7) { plan_free(p); return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "%s: more than 7 nested OCCURS", f->name); }
            p->dims[i * 7 + p->ndims[i]++] = f->occurs_max;
        }
        if (f->is_filler && !fillers) p->hidden[i] = 1;
        p->col_base[i] = -1;
        p->set_of[i] = -1;
        if (f->size > p->max_size) p->max_size = f->size;
    }
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *f = &L->fields[i];
        if (f->redefines >= 0 && (size_t)f->redefines < L->n_fields) {
            int root = f->redefines, guard = 0;
            while (L->fields[root].redefines >= 0 && guard++ < 64) root = L->fields[root].redefines;
            p->set_of[i] = root;
            p->set_of[root] = root;
        }
    }
    for (size_t i = 0; i < L->n_fields; i++)
        if (n01 > 1 && L->fields[i].parent == -1 && L->fields[i].level == 1 && p->set_of[i] == -1)
            p->set_of[i] = SET_RECORDS;
    /* Column slots per field. */
    for (size_t c = 0; c < L->n_columns; c++) {
        int fi = L->columns[c].field;
        if (fi < 0 || (size_t)fi >= L->n_fields) { plan_free(p); return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "column %s names no field", L->columns[c].name); }
        if (p->col_base[fi] >= 0) continue;
        size_t n = 1;
        for (int k = 0; k < p->ndims[fi]; k++) n *= p->dims[(size_t)fi * 7 + k];
        p->col_base[fi] = (int)slots;
        slots += n;
    }
    p->colmap = malloc((slots ? slots : 1) * sizeof *p->colmap);
    if (!p->colmap) { plan_free(p); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    for (size_t s = 0; s < slots; s++) p->colmap[s] = -1;
    for (size_t c = 0; c < L->n_columns; c++) {
        const cbz_column *col = &L->columns[c];
        int fi = col->field;
        if (col->n_subscripts != p->ndims[fi]) {
            plan_free(p);
            return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "column %s has %d subscripts but its field is in %d tables",
                            col->name, col->n_subscripts, p->ndims[fi]);
        }
        size_t lin = 0;
        for (int k = 0; k < col->n_subscripts; k++) {
            uint32_t d = p->dims[(size_t)fi * 7 + k], s = col->subscripts[k];
            if (s < 1 || s > d) { plan_free(p); return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "column %s: subscript out of range", col->name); }
            lin = lin * d + (s - 1);
        }
        p->colmap[p->col_base[fi] + lin] = (int)c;
        int *m = p->members + c * 8, nm = 0;
        for (int a = fi, guard = 0; a >= 0 && (size_t)a < L->n_fields && guard < 64; a = L->fields[a].parent, guard++)
            if (p->set_of[a] != -1 && nm < 7) m[nm++] = a;
        m[nm] = -1;
    }
    for (size_t c = 0; c < L->n_columns; c++) {
        if (p->hidden[L->columns[c].field]) continue;
        fast_col *fc = &p->fast[p->n_visible];
        fc->f = &L->fields[L->columns[c].field];
        fc->offset = L->columns[c].offset;
        fc->size = fc->f->size;
        fc->room = 4 * (size_t)fc->size + 64;
        fc->column = (int)c;
        p->visible[p->n_visible++] = (int)c;
    }
    if (n_selects) {
        p->rules = calloc(n_selects, sizeof *p->rules);
        if (!p->rules) { plan_free(p); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
        for (size_t i = 0; i < n_selects; i++) {
            cbz_status s = parse_rule(L, p->set_of, selects[i], &p->rules[i], err);
            p->n_rules = i + 1;
            if (s != CBZ_OK) { plan_free(p); return s; }
        }
    }
    return CBZ_OK;
}

static int column_of(const plan *p, const cbz_walk_item *it)
{
    int fi = it->field;
    if (p->col_base[fi] < 0 || it->n_subscripts != p->ndims[fi]) return -1;
    size_t lin = 0;
    for (int k = 0; k < it->n_subscripts; k++) lin = lin * p->dims[(size_t)fi * 7 + k] + (it->subscripts[k] - 1);
    return p->colmap[p->col_base[fi] + lin];
}

cbz_status cbz_convert_check_selects(const cbz_layout *layout, const char *const *selects, size_t n,
                                     cbz_error *err)
{
    plan p;
    CBZ_TRY(plan_init(&p, layout, false, selects, n, err));
    plan_free(&p);
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * Rejects.
 * ---------------------------------------------------------------------- */
void cbz_reject_print_header(FILE *fp) { fputs("record\toffset\tfield\traw_hex\treason\n", fp); }

void cbz_reject_print(FILE *fp, const cbz_reject *r)
{
    fprintf(fp, "%llu\t%llu\t%s\t", (unsigned long long)r->record, (unsigned long long)r->offset, r->field);
    for (size_t i = 0; i < r->raw_len; i++) fprintf(fp, "%02X", r->raw[i]);
    fputc('\t', fp);
    for (const char *s = r->reason; *s; s++) fputc(*s == '\t' || *s == '\n' ? ' ' : *s, fp);
    fputc('\n', fp);
}

struct cbz_reject_report {
    char *path;                 /* NULL: lines go to stderr */
    bool force;
    cbz_outfile *of;
    uint64_t lines;
};

cbz_status cbz_reject_report_new(const char *path, bool force, bool create_now, cbz_reject_report **out,
                                 cbz_error *err)
{
    *out = NULL;
    cbz_reject_report *rr = calloc(1, sizeof *rr);
    if (!rr) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    rr->force = force;
    if (path && !(rr->path = strdup(path))) { free(rr); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    if (path && create_now) {
        cbz_status s = cbz_outfile_open(path, force, &rr->of, err);
        if (s != CBZ_OK) { free(rr->path); free(rr); return s; }
        cbz_reject_print_header(cbz_outfile_stream(rr->of));
    }
    *out = rr;
    return CBZ_OK;
}

cbz_status cbz_reject_report_add(void *ctx, const cbz_reject *r, cbz_error *err)
{
    cbz_reject_report *rr = ctx;
    if (!rr->path) {
        fputs("reject: ", stderr);
        cbz_reject_print(stderr, r);
    } else {
        if (!rr->of) {
            CBZ_TRY(cbz_outfile_open(rr->path, rr->force, &rr->of, err));
            cbz_reject_print_header(cbz_outfile_stream(rr->of));
        }
        cbz_reject_print(cbz_outfile_stream(rr->of), r);
    }
    rr->lines++;
    return CBZ_OK;
}

const char *cbz_reject_report_file(const cbz_reject_report *rr)
{
    return rr && rr->of ? rr->path : NULL;
}

cbz_status cbz_reject_report_close(cbz_reject_report *rr, cbz_error *err)
{
    if (!rr) return CBZ_OK;
    cbz_status s = rr->of ? cbz_outfile_commit(rr->of, err) : CBZ_OK;
    free(rr->path);
    free(rr);
    return s;
}

static cbz_status add_reject(const cbz_convert_options *o, cbz_convert_stats *st, bool *record_rejected,
                             const cbz_reject *r, cbz_error *err)
{
    st->rejects++;
    if (!*record_rejected) { *record_rejected = true; st->records_with_rejects++; }
    if (o->on_reject) CBZ_TRY(o->on_reject(o->reject_ctx, r, err));
    CBZ_FAIL_IF(st->rejects > o->max_errors, err, CBZ_ERR_LIMIT,
                "more than %llu rejected values (--max-errors); stopped at record %llu",
                (unsigned long long)o->max_errors, (unsigned long long)r->record);
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * Convert.
 * ---------------------------------------------------------------------- */
typedef struct conv {
    plan p;                     /* a worker's is a shallow copy of the run's plan */
    bool owns_plan;
    const cbz_convert_options *o;
    cbz_convert_stats *st;      /* encode: rejects are counted here as they come */
    cbz_error *err;
    char *vbuf;
    size_t vcap;
    uint8_t *base_skip;
    cbz_walker *w;              /* convert: this worker's walker */
    /* convert: the chunk being formatted (its text and its rejects, replayed
     * in record order by the caller) */
    cbz_buf *out;
    cbz_buf *rej;
    uint64_t n_rej;
    bool deferred;
    /* CSV row of the walk path */
    cbz_buf cells;
    size_t *cell_off, *cell_len;
    uint8_t *cell_set;
    /* JSON nesting */
    int top;
    uint32_t nitems[CBZ_JSON_MAX_DEPTH * 2];
    /* the record */
    uint64_t recno, rec_offset;
    bool record_rejected;
} conv;

static cbz_status no_memory(conv *c) { return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory"); }

/* A reject of a convert worker: kept with the chunk (the caller replays the
 * chunk's rejects in record order).  Past max_errors of one chunk the total
 * is past it too, and the chunk stops. */
typedef struct reject_rec {
    uint64_t record, offset;
    uint32_t field_len, raw_len, reason_len;
} reject_rec;

static cbz_status conv_reject(conv *c, const cbz_reject *r)
{
    if (!c->deferred) return add_reject(c->o, c->st, &c->record_rejected, r, c->err);
    reject_rec h = { r->record, r->offset, (uint32_t)strlen(r->field), (uint32_t)r->raw_len,
                     (uint32_t)strlen(r->reason) };
    if (cbz_buf_append(c->rej, &h, sizeof h) != CBZ_OK || cbz_buf_append(c->rej, r->field, h.field_len) != CBZ_OK ||
        cbz_buf_append(c->rej, r->raw, h.raw_len) != CBZ_OK || cbz_buf_append(c->rej, r->reason, h.reason_len) != CBZ_OK)
        return no_memory(c);
    c->n_rej++;
    CBZ_FAIL_IF(c->n_rej > c->o->max_errors, c->err, CBZ_ERR_LIMIT,
                "more than %llu rejected values (--max-errors); stopped at record %llu",
                (unsigned long long)c->o->max_errors, (unsigned long long)r->record);
    return CBZ_OK;
}

/* Replays the rejects of a chunk (in record order) into the run's report. */
static cbz_status replay_rejects(const cbz_convert_options *o, cbz_convert_stats *st, const cbz_buf *rej,
                                 uint64_t *last_record, cbz_error *err)
{
    size_t pos = 0;
    while (pos < rej->len) {
        reject_rec h;
        memcpy(&h, rej->data + pos, sizeof h);
        pos += sizeof h;
        char field[CBZ_COLUMN_NAME_MAX + 1], reason[CBZ_ERROR_MSG_MAX + 1];
        size_t fl = h.field_len < CBZ_COLUMN_NAME_MAX ? h.field_len : CBZ_COLUMN_NAME_MAX;
        memcpy(field, rej->data + pos, fl);
        field[fl] = 0;
        pos += h.field_len;
        const uint8_t *raw = rej->data + pos;
        pos += h.raw_len;
        size_t rl = h.reason_len < CBZ_ERROR_MSG_MAX ? h.reason_len : CBZ_ERROR_MSG_MAX;
        memcpy(reason, rej->data + pos, rl);
        reason[rl] = 0;
        pos += h.reason_len;
        cbz_reject r = { h.record, h.offset, field, raw, h.raw_len, reason };
        bool rejected = *last_record == h.record;
        CBZ_TRY(add_reject(o, st, &rejected, &r, err));
        *last_record = h.record;
    }
    return CBZ_OK;
}

/* A value that did not decode: decodes it again to get the reason, and
 * reports it.  *ok is set when it decodes after all (it does not). */
static cbz_status reject_value(conv *c, const cbz_field *f, const uint8_t *bytes, uint32_t offset,
                               const char *colname, size_t *len, bool *is_number, bool *ok)
{
    cbz_error verr = { 0 };
    *ok = false;
    cbz_status s = cbz_value_decode(f, bytes, &c->o->values, c->vbuf, c->vcap, len, is_number, &verr);
    if (s == CBZ_OK) { *ok = true; return CBZ_OK; }
    if (s == CBZ_ERR_NOMEM) return no_memory(c);
    cbz_reject r = { c->recno, c->rec_offset + offset, colname, bytes, f->size,
                     verr.msg[0] ? verr.msg : "not a valid value for the field's PICTURE and USAGE" };
    return conv_reject(c, &r);
}

/* Decodes it's value into c->vbuf.  *state: 0 value, 1 absent, 2 rejected. */
static cbz_status decode_item(conv *c, const cbz_walk_item *it, size_t *len, bool *is_number, int *state)
{
    *state = 1;
    if (!it->bytes) return CBZ_OK;
    /* The hot path passes no error (no message is formatted); a reject
     * decodes again to get its reason. */
    cbz_status s = cbz_value_decode(it->f, it->bytes, &c->o->values, c->vbuf, c->vcap, len, is_number, NULL);
    if (s == CBZ_OK) { *state = 0; return CBZ_OK; }
    int col = column_of(&c->p, it);
    bool ok;
    CBZ_TRY(reject_value(c, it->f, it->bytes, it->offset, col >= 0 ? c->p.L->columns[col].name : it->f->name, len,
                         is_number, &ok));
    *state = ok ? 0 : 2;
    return CBZ_OK;
}

static cbz_status on_problem(void *ctx, const cbz_walk_item *counter, const char *what)
{
    conv *c = ctx;
    cbz_reject r = { c->recno, c->rec_offset + counter->offset, counter->f->name, counter->bytes,
                     counter->bytes ? counter->f->size : 0, what };
    return conv_reject(c, &r);
}

static cbz_status csv_value(void *ctx, const cbz_walk_item *it)
{
    conv *c = ctx;
    int col = column_of(&c->p, it);
    if (col < 0) return CBZ_OK;
    size_t len = 0;
    bool num;
    int state;
    CBZ_TRY(decode_item(c, it, &len, &num, &state));
    if (state != 0) return CBZ_OK;
    c->cell_off[col] = c->cells.len;
    c->cell_len[col] = len;
    c->cell_set[col] = 1;
    if (cbz_buf_append(&c->cells, c->vbuf, len) != CBZ_OK) return no_memory(c);
    return CBZ_OK;
}

static cbz_status put(conv *c, const void *p, size_t n)
{
    return cbz_buf_append(c->out, p, n) == CBZ_OK ? CBZ_OK : no_memory(c);
}

static cbz_status put_char(conv *c, char ch)
{
    return cbz_buf_put_u8(c->out, (uint8_t)ch) == CBZ_OK ? CBZ_OK : no_memory(c);
}

static cbz_status json_sep(conv *c)
{
    if (c->nitems[c->top]++ > 0) return put_char(c, ',');
    return CBZ_OK;
}

static cbz_status json_key(conv *c, const cbz_walk_item *it, bool element)
{
    CBZ_TRY(json_sep(c));
    if (element) return CBZ_OK;
    if (cbz_json_append_string(c->out, it->f->name, strlen(it->f->name)) != CBZ_OK) return no_memory(c);
    return put_char(c, ':');
}

static cbz_status json_open(conv *c, char ch)
{
    CBZ_TRY(put_char(c, ch));
    if (c->top + 1 >= (int)(sizeof c->nitems / sizeof c->nitems[0]))
        return cbz_fail(c->err, CBZ_ERR_UNSUPPORTED, "layout nested too deeply for JSON output");
    c->nitems[++c->top] = 0;
    return CBZ_OK;
}

static cbz_status json_close(conv *c, char ch)
{
    c->top--;
    return put_char(c, ch);
}

static cbz_status json_group_begin(void *ctx, const cbz_walk_item *it)
{
    conv *c = ctx;
    CBZ_TRY(json_key(c, it, it->f->occurs_max > 0));
    return json_open(c, '{');
}
static cbz_status json_group_end(void *ctx, const cbz_walk_item *it) { (void)it; return json_close(ctx, '}'); }
static cbz_status json_array_begin(void *ctx, const cbz_walk_item *it, uint32_t count)
{
    (void)count;
    conv *c = ctx;
    CBZ_TRY(json_key(c, it, false));
    return json_open(c, '[');
}
static cbz_status json_array_end(void *ctx, const cbz_walk_item *it) { (void)it; return json_close(ctx, ']'); }

static cbz_status json_value(void *ctx, const cbz_walk_item *it)
{
    conv *c = ctx;
    size_t len = 0;
    bool num = false;
    int state;
    CBZ_TRY(decode_item(c, it, &len, &num, &state));
    CBZ_TRY(json_key(c, it, it->f->occurs_max > 0));
    if (state != 0) return put(c, "null", 4);
    if (num) return put(c, c->vbuf, len);
    return cbz_json_append_string(c->out, c->vbuf, len) == CBZ_OK ? CBZ_OK : no_memory(c);
}

/* Select values compare with blanks and low-values (any byte up to 0x20, as
 * Java's trim) removed on both sides: segment ids are often NUL-padded. */
static bool text_equals(const char *a, size_t n, const char *b)
{
    while (n && (unsigned char)*a <= 0x20) { a++; n--; }
    while (n && (unsigned char)a[n - 1] <= 0x20) n--;
    return strlen(b) == n && memcmp(a, b, n) == 0;
}

/* Sets the skip flags of this record from the select rules. */
static cbz_status choose_views(conv *c, cbz_walker *w, const uint8_t *rec, size_t len)
{
    const cbz_layout *L = c->p.L;
    uint8_t *skip = cbz_walker_skip_flags(w);
    if (!c->p.n_rules) return CBZ_OK;   /* the flags stay as conv_init set them */
    memcpy(skip, c->base_skip, L->n_fields);
    if (L->has_odo) CBZ_TRY(cbz_walk_record(w, rec, len, NULL, NULL, c->err));
    /* Every view of a named set is off unless a matching rule turns it on. */
    for (size_t r = 0; r < c->p.n_rules; r++)
        for (size_t i = 0; i < L->n_fields; i++)
            if (c->p.set_of[i] == c->p.rules[r].set && c->p.set_of[i] != -1) skip[i] = 1;
    cbz_value_options vo = c->o->values;
    vo.trim = CBZ_TRIM_BOTH;
    for (size_t r = 0; r < c->p.n_rules; r++) {
        const select_rule *rule = &c->p.rules[r];
        const cbz_field *f = &L->fields[rule->field];
        uint32_t at = L->has_odo ? cbz_walker_field_offset(w, rule->field) : f->offset;
        if (at == UINT32_MAX || (uint64_t)at + f->size > len) continue;
        size_t tl = 0;
        bool num;
        if (cbz_value_decode(f, rec + at, &vo, c->vbuf, c->vcap, &tl, &num, NULL) != CBZ_OK) continue;
        for (size_t k = 0; k < rule->n_values; k++)
            if (text_equals(c->vbuf, tl, rule->values[k])) {
                skip[rule->view] = c->base_skip[rule->view];
                break;
            }
    }
    return CBZ_OK;
}

static cbz_status write_csv_header(const plan *p, FILE *out, cbz_error *err)
{
    const cbz_layout *L = p->L;
    bool first = true;
    for (size_t i = 0; i < L->n_columns; i++) {
        if (p->hidden[L->columns[i].field]) continue;
        if (!cbz_csv_put_field(out, L->columns[i].name, strlen(L->columns[i].name), first))
            return cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
        first = false;
    }
    return cbz_csv_end_row(out) ? CBZ_OK : cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
}

/* The CSV row of the walk path (ODO layouts): cells in column order. */
static cbz_status write_csv_row(conv *c)
{
    const cbz_layout *L = c->p.L;
    bool first = true;
    for (size_t i = 0; i < L->n_columns; i++) {
        if (c->p.hidden[L->columns[i].field]) continue;
        const char *s = c->cell_set[i] ? (const char *)c->cells.data + c->cell_off[i] : "";
        size_t n = c->cell_set[i] ? c->cell_len[i] : 0;
        if (cbz_csv_append_field(c->out, s, n, first) != CBZ_OK) return no_memory(c);
        first = false;
    }
    return put(c, "\r\n", 2);
}

/* The CSV row of a layout without ODO: every column is at its static offset,
 * so the row is formatted straight from the column plan, each value decoded
 * into the output buffer; only values that need quotes go through libcsv. */
static cbz_status csv_fast_row(conv *c, const uint8_t *rec, size_t len, const uint8_t *skip)
{
    const plan *p = &c->p;
    const cbz_layout *L = p->L;
    cbz_buf *b = c->out;
    const cbz_value_options *vo = &c->o->values;
    for (size_t k = 0; k < p->n_visible; k++) {
        const fast_col *fc = &p->fast[k];
        const cbz_field *f = fc->f;
        size_t room = fc->room;
        if (b->cap - b->len < room + 1 && cbz_buf_reserve(b, room + 1) != CBZ_OK) return no_memory(c);
        if (k) b->data[b->len++] = ',';
        if (p->n_rules) {
            bool off = false;
            for (const int *m = p->members + (size_t)fc->column * 8; *m >= 0 && !off; m++) off = skip[*m];
            if (off) continue;
        }
        if ((uint64_t)fc->offset + fc->size > len) continue;   /* past a short record's end */
        char *dst = (char *)b->data + b->len;
        size_t n = 0;
        bool num = false;
        if (cbz_value_decode(f, rec + fc->offset, vo, dst, room, &n, &num, NULL) != CBZ_OK) {
            bool ok;
            CBZ_TRY(reject_value(c, f, rec + fc->offset, fc->offset, L->columns[fc->column].name, &n, &num, &ok));
            if (!ok) continue;
            memcpy(dst, c->vbuf, n);
        }
        if (!num && cbz_csv_needs_quotes(dst, n)) {
            memcpy(c->vbuf, dst, n);
            if (cbz_csv_append_field(b, c->vbuf, n, true) != CBZ_OK) return no_memory(c);
        } else {
            b->len += n;
        }
    }
    return put(c, "\r\n", 2);
}

/* ---- the JSONL program: the walk of a layout without ODO is the same for
 * every record, so it is recorded once and replayed ---- */
typedef struct recorder {
    plan *p;
    cbz_error *err;
} recorder;

static cbz_status record_op(recorder *r, int kind, const cbz_walk_item *it)
{
    plan *p = r->p;
    if (p->n_json == p->cap_json) {
        size_t cap = p->cap_json ? p->cap_json * 2 : 64;
        json_op *nj = realloc(p->json, cap * sizeof *nj);
        if (!nj) return cbz_fail(r->err, CBZ_ERR_NOMEM, "out of memory");
        p->json = nj;
        p->cap_json = cap;
    }
    json_op *op = &p->json[p->n_json++];
    memset(op, 0, sizeof *op);
    op->kind = (uint8_t)kind;
    op->f = it->f;
    op->offset = it->offset;
    op->column = kind == JOP_VALUE ? column_of(p, it) : -1;
    /* a group or value that is a table element has no key; a table (array) has */
    op->element = (kind == JOP_GROUP_BEGIN || kind == JOP_VALUE) && it->f->occurs_max > 0;
    op->key_off = p->json_keys.len;
    if (cbz_json_append_string(&p->json_keys, it->f->name, strlen(it->f->name)) != CBZ_OK ||
        cbz_buf_put_u8(&p->json_keys, ':') != CBZ_OK)
        return cbz_fail(r->err, CBZ_ERR_NOMEM, "out of memory");
    op->key_len = p->json_keys.len - op->key_off;
    int nv = 0;
    const cbz_layout *L = p->L;
    for (int a = it->field, guard = 0; a >= 0 && (size_t)a < L->n_fields && guard < 64; a = L->fields[a].parent, guard++)
        if (p->set_of[a] != -1 && nv < 7) op->views[nv++] = a;
    op->views[nv] = -1;
    return CBZ_OK;
}

static cbz_status rec_group_begin(void *ctx, const cbz_walk_item *it) { return record_op(ctx, JOP_GROUP_BEGIN, it); }
static cbz_status rec_group_end(void *ctx, const cbz_walk_item *it) { return record_op(ctx, JOP_GROUP_END, it); }
static cbz_status rec_array_begin(void *ctx, const cbz_walk_item *it, uint32_t n) { (void)n; return record_op(ctx, JOP_ARRAY_BEGIN, it); }
static cbz_status rec_array_end(void *ctx, const cbz_walk_item *it) { return record_op(ctx, JOP_ARRAY_END, it); }
static cbz_status rec_value(void *ctx, const cbz_walk_item *it) { return record_op(ctx, JOP_VALUE, it); }

/* Records the JSONL program with the walker w (its skip flags: the hidden items). */
static cbz_status build_json_program(plan *p, cbz_walker *w, cbz_error *err)
{
    const cbz_layout *L = p->L;
    size_t n = L->record_size ? L->record_size : 1;
    uint8_t *img = calloc(n, 1);
    if (!img) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    recorder r = { p, err };
    cbz_walk_visitor v = { 0 };
    v.ctx = &r;
    v.group_begin = rec_group_begin;
    v.group_end = rec_group_end;
    v.array_begin = rec_array_begin;
    v.array_end = rec_array_end;
    v.value = rec_value;
    cbz_status s = cbz_walk_record(w, img, L->record_size, &v, NULL, err);
    free(img);
    return s;
}

static cbz_status json_put_key(conv *c, const json_op *op)
{
    if (c->nitems[c->top]++ > 0) CBZ_TRY(put_char(c, ','));
    if (op->element) return CBZ_OK;
    return put(c, c->p.json_keys.data + op->key_off, op->key_len);
}

/* One JSON line of a layout without ODO, from the recorded program. */
static cbz_status json_fast_record(conv *c, const uint8_t *rec, size_t len, const uint8_t *skip)
{
    const plan *p = &c->p;
    c->top = 0;
    c->nitems[0] = 0;
    CBZ_TRY(put_char(c, '{'));
    for (size_t i = 0; i < p->n_json; i++) {
        const json_op *op = &p->json[i];
        if (p->n_rules) {
            bool off = false;
            for (const int *m = op->views; *m >= 0 && !off; m++) off = skip[*m];
            if (off) continue;
        }
        switch (op->kind) {
        case JOP_GROUP_BEGIN:
            CBZ_TRY(json_put_key(c, op));
            CBZ_TRY(json_open(c, '{'));
            break;
        case JOP_GROUP_END: CBZ_TRY(json_close(c, '}')); break;
        case JOP_ARRAY_BEGIN:
            CBZ_TRY(json_put_key(c, op));
            CBZ_TRY(json_open(c, '['));
            break;
        case JOP_ARRAY_END: CBZ_TRY(json_close(c, ']')); break;
        default: {
            const cbz_field *f = op->f;
            size_t n = 0;
            bool num = false, ok = false;
            if ((uint64_t)op->offset + f->size <= len) {
                ok = cbz_value_decode(f, rec + op->offset, &c->o->values, c->vbuf, c->vcap, &n, &num, NULL) == CBZ_OK;
                if (!ok)
                    CBZ_TRY(reject_value(c, f, rec + op->offset, op->offset,
                                         op->column >= 0 ? p->L->columns[op->column].name : f->name, &n, &num, &ok));
            }
            CBZ_TRY(json_put_key(c, op));
            if (!ok) CBZ_TRY(put(c, "null", 4));
            else if (num) CBZ_TRY(put(c, c->vbuf, n));
            else if (cbz_json_append_string(c->out, c->vbuf, n) != CBZ_OK) return no_memory(c);
        }
        }
    }
    return put(c, "}\n", 2);
}

static void conv_free(conv *c)
{
    if (c->owns_plan) plan_free(&c->p);
    cbz_walker_free(c->w);
    free(c->vbuf);
    free(c->base_skip);
    cbz_buf_free(&c->cells);
    free(c->cell_off);
    free(c->cell_len);
    free(c->cell_set);
    memset(c, 0, sizeof *c);
}

/* shared: NULL to build the plan, else a worker's shallow copy of it. */
static cbz_status conv_init(conv *c, const cbz_convert_options *o, const plan *shared, cbz_convert_stats *st,
                            cbz_error *err)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->st = st;
    c->err = err;
    CBZ_FAIL_IF(!o->layout, err, CBZ_ERR_USAGE, "a copybook is needed");
    if (shared) {
        c->p = *shared;
    } else {
        CBZ_TRY(plan_init(&c->p, o->layout, o->fillers, o->selects, o->n_selects, err));
        c->owns_plan = true;
    }
    const cbz_layout *L = o->layout;
    size_t nc = L->n_columns ? L->n_columns : 1, nf = L->n_fields ? L->n_fields : 1;
    c->vcap = 4 * c->p.max_size + 64;
    c->vbuf = malloc(c->vcap);
    c->base_skip = malloc(nf);
    c->cell_off = malloc(nc * sizeof *c->cell_off);
    c->cell_len = malloc(nc * sizeof *c->cell_len);
    c->cell_set = calloc(nc, 1);
    cbz_buf_init(&c->cells);
    if (!c->vbuf || !c->base_skip || !c->cell_off || !c->cell_len || !c->cell_set) {
        conv_free(c);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    memcpy(c->base_skip, c->p.hidden, L->n_fields);
    cbz_status s = cbz_walker_new(L, &o->values, &c->w, err);
    if (s == CBZ_OK) s = cbz_walker_set_occurs_maps(c->w, o->occurs_maps, o->n_occurs_maps, err);
    if (s == CBZ_OK && shared) cbz_walker_set_static_tables(c->w, o->static_occurs);
    if (s != CBZ_OK) { conv_free(c); return s; }
    memcpy(cbz_walker_skip_flags(c->w), c->base_skip, L->n_fields);
    return CBZ_OK;
}

/* Formats one record into c->out. */
static cbz_status convert_record(conv *c, const uint8_t *rec, size_t len)
{
    const cbz_convert_options *o = c->o;
    const cbz_layout *L = o->layout;
    c->record_rejected = false;
    CBZ_TRY(choose_views(c, c->w, rec, len));
    cbz_walk_visitor v = { 0 };
    v.ctx = c;
    v.problem = on_problem;
    if (o->format == CBZ_TEXT_CSV) {
        if (!L->has_odo) return csv_fast_row(c, rec, len, cbz_walker_skip_flags(c->w));
        v.value = csv_value;
        memset(c->cell_set, 0, L->n_columns);
        cbz_buf_clear(&c->cells);
        CBZ_TRY(cbz_walk_record(c->w, rec, len, &v, NULL, c->err));
        return write_csv_row(c);
    }
    if (c->p.json) return json_fast_record(c, rec, len, cbz_walker_skip_flags(c->w));
    v.group_begin = json_group_begin;
    v.group_end = json_group_end;
    v.array_begin = json_array_begin;
    v.array_end = json_array_end;
    v.value = json_value;
    c->top = 0;
    c->nitems[0] = 0;
    CBZ_TRY(put_char(c, '{'));
    CBZ_TRY(cbz_walk_record(c->w, rec, len, &v, NULL, c->err));
    return put(c, "}\n", 2);
}

/* ------------------------------------------------------------------------
 * The convert driver: the input is framed into chunks of whole records
 * (about chunk_size input bytes each); a batch of chunks is formatted in
 * parallel, each chunk into its own buffer; then, in chunk order, each
 * chunk's rejects are replayed into the report and its text is written.
 * The output is the same for every thread count.
 * ---------------------------------------------------------------------- */
#define CONVERT_CHUNK_DEFAULT (4u << 20)

typedef struct rec_ref {
    size_t off;                 /* payload offset in the batch's window */
    size_t len;
    uint64_t file_off;          /* file offset of the payload */
} rec_ref;

typedef struct chunk {
    size_t first, n;            /* records recs[first .. first + n) */
    uint64_t first_recno;
    cbz_buf out, rej;
    cbz_status status;
    cbz_error err;
} chunk;

typedef struct batch {
    const cbz_convert_options *o;
    const uint8_t *data;
    const rec_ref *recs;
    chunk *chunks;
    conv *workers;              /* one per thread */
} batch;

static void convert_chunk(void *ctx, size_t ci, int thread)
{
    batch *b = ctx;
    chunk *ch = &b->chunks[ci];
    conv *c = &b->workers[thread];
    cbz_buf_clear(&ch->out);
    cbz_buf_clear(&ch->rej);
    ch->err.code = CBZ_OK;
    ch->err.msg[0] = 0;
    c->out = &ch->out;
    c->rej = &ch->rej;
    c->n_rej = 0;
    c->err = &ch->err;
    cbz_status s = CBZ_OK;
    for (size_t i = 0; i < ch->n && s == CBZ_OK; i++) {
        const rec_ref *r = &b->recs[ch->first + i];
        c->recno = ch->first_recno + i;
        c->rec_offset = r->file_off;
        s = convert_record(c, b->data + r->off, r->len);
    }
    ch->status = s;
}

/* Frames the next record of the window for --variable-occurs: it ends where
 * its ODO counters say.  *used = 0: more input is needed. */
static cbz_status frame_by_odo(conv *c, const uint8_t *p, size_t avail, bool at_eof, const char *name,
                               uint64_t at, uint64_t recno, size_t *used, cbz_error *err)
{
    size_t rs = c->p.L->record_size ? c->p.L->record_size : 1;
    *used = 0;
    if (avail < rs && !at_eof) return CBZ_OK;
    size_t alen = 0;
    CBZ_TRY(cbz_walk_record(c->w, p, avail < rs ? avail : rs, NULL, &alen, err));
    CBZ_FAIL_IF(alen == 0, err, CBZ_ERR_DATA, "%s: record %llu at byte offset %llu: the layout gives an empty record",
                name, (unsigned long long)recno, (unsigned long long)at);
    CBZ_FAIL_IF(alen > avail, err, CBZ_ERR_DATA,
                "%s: record %llu at byte offset %llu: truncated: its ODO counters make it %zu bytes, %zu are left",
                name, (unsigned long long)recno, (unsigned long long)at, alen, avail);
    *used = alen;
    return CBZ_OK;
}

cbz_status cbz_convert_records(const cbz_convert_options *o, const char *input, FILE *out,
                               cbz_convert_stats *st, cbz_error *err)
{
    memset(st, 0, sizeof *st);
    conv master;
    CBZ_TRY(conv_init(&master, o, NULL, st, err));
    const cbz_layout *L = o->layout;
    bool by_odo = o->variable_occurs;
    if ((o->fmt.recfm == CBZ_RECFM_F || o->fmt.recfm == CBZ_RECFM_FB) && !by_odo && o->fmt.lrecl == 0) {
        conv_free(&master);
        return cbz_fail(err, CBZ_ERR_USAGE, "%s: RECFM %s needs an LRECL (from the copybook or --lrecl)", input,
                        cbz_recfm_name(o->fmt.recfm));
    }
    int threads = cbz_parallel_threads(o->threads);
    size_t chunk_size = o->chunk_size ? o->chunk_size : CONVERT_CHUNK_DEFAULT;
    size_t max_chunks = (size_t)threads * 2;
    size_t batch_bytes = chunk_size * max_chunks;
    cbz_input_options io = { o->file_start_offset, o->file_end_offset, false, false };
    cbz_input *in = NULL;
    conv *workers = calloc((size_t)threads, sizeof *workers);
    chunk *chunks = calloc(max_chunks, sizeof *chunks);
    rec_ref *recs = NULL;
    size_t recs_cap = 0;
    cbz_status s = workers && chunks ? CBZ_OK : cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    if (s == CBZ_OK && o->format == CBZ_TEXT_JSONL && !L->has_odo)
        s = build_json_program(&master.p, master.w, err);
    int n_workers = 0;
    for (; s == CBZ_OK && n_workers < threads; n_workers++) {
        s = conv_init(&workers[n_workers], o, &master.p, st, err);
        if (s != CBZ_OK) break;
        workers[n_workers].deferred = true;
    }
    if (s == CBZ_OK) s = cbz_input_open(input, &io, &in, err);
    if (s == CBZ_OK && !by_odo) s = cbz_fixed_size_check(&o->fmt, in, err);
    if (s == CBZ_OK && o->format == CBZ_TEXT_CSV) s = write_csv_header(&master.p, out, err);
    uint64_t recno = 0, last_rejected = 0;
    uint32_t block_left = 0;
    size_t want = batch_bytes;
    bool done = false;
    while (s == CBZ_OK && !done) {
        s = cbz_input_fill(in, want, err);
        if (s != CBZ_OK) break;
        const uint8_t *data = cbz_input_data(in);
        size_t avail = cbz_input_avail(in), pos = 0, n_recs = 0, n_chunks = 0, in_chunk = 0;
        bool eof = cbz_input_eof(in);
        uint64_t base = cbz_input_offset(in);
        cbz_status frame_status = CBZ_OK;
        want = batch_bytes;
        while (n_chunks < max_chunks) {
            if (pos == avail && eof) {
                if (block_left)
                    frame_status = cbz_fail(err, CBZ_ERR_DATA, "%s: byte offset %llu: the last block ends early "
                                            "(%u bytes of it missing)", cbz_input_name(in),
                                            (unsigned long long)(base + pos), (unsigned)block_left);
                done = true;
                break;
            }
            size_t off = 0, plen = 0, used = 0, need = 0;
            if (by_odo) {
                frame_status = frame_by_odo(&master, data + pos, avail - pos, eof, cbz_input_name(in), base + pos,
                                            recno + 1, &used, err);
                plen = used;
                need = L->record_size;
            } else {
                frame_status = cbz_frame_in_file(&o->fmt, data + pos, avail - pos, &block_left, cbz_input_name(in),
                                                 base + pos, recno + 1, eof, &off, &plen, &used, &need, err);
            }
            if (frame_status != CBZ_OK) break;
            if (used == 0) {            /* the window ends inside a record */
                if (pos == 0 && need > want) want = need;
                break;
            }
            if (n_recs == recs_cap) {
                size_t cap = recs_cap ? recs_cap * 2 : 4096;
                rec_ref *nr = realloc(recs, cap * sizeof *nr);
                if (!nr) { frame_status = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); break; }
                recs = nr;
                recs_cap = cap;
            }
            if (in_chunk == 0) {
                chunks[n_chunks].first = n_recs;
                chunks[n_chunks].n = 0;
                chunks[n_chunks].first_recno = recno + 1;
            }
            recs[n_recs].off = pos + off;
            recs[n_recs].len = plen;
            recs[n_recs].file_off = base + pos + off;
            n_recs++;
            recno++;
            chunks[n_chunks].n++;
            pos += used;
            in_chunk += used;
            if (in_chunk >= chunk_size) { n_chunks++; in_chunk = 0; }
        }
        if (in_chunk > 0) n_chunks++;
        batch b = { o, data, recs, chunks, workers };
        cbz_parallel_for(n_chunks, threads, convert_chunk, &b);
        for (size_t k = 0; k < n_chunks && s == CBZ_OK; k++) {
            chunk *ch = &chunks[k];
            st->records_read += ch->n;
            s = replay_rejects(o, st, &ch->rej, &last_rejected, err);
            if (s == CBZ_OK && ch->status != CBZ_OK) {
                if (err) *err = ch->err;
                s = ch->status;
            }
            if (s == CBZ_OK && ch->out.len && fwrite(ch->out.data, 1, ch->out.len, out) != ch->out.len)
                s = cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
            if (s != CBZ_OK) break;
            uint64_t before = st->records_written;
            st->records_written += ch->n;
            if (o->on_progress && (before >> 16) != (st->records_written >> 16)) {
                const rec_ref *last = &recs[ch->first + ch->n - 1];
                o->on_progress(o->progress_ctx, st->records_written, last->file_off + last->len);
            }
        }
        if (s == CBZ_OK) s = frame_status;
        if (s == CBZ_OK) cbz_input_consume(in, pos);
        if (s == CBZ_OK && n_recs == 0 && !done && eof) {
            /* unreachable: at the end of input the framer either frames or fails */
            s = cbz_fail(err, CBZ_ERR_DATA, "%s: byte offset %llu: cannot frame the rest of the input",
                         cbz_input_name(in), (unsigned long long)(base + pos));
        }
    }
    for (size_t k = 0; k < max_chunks && chunks; k++) {
        cbz_buf_free(&chunks[k].out);
        cbz_buf_free(&chunks[k].rej);
    }
    free(chunks);
    free(recs);
    for (int t = 0; t < n_workers; t++) conv_free(&workers[t]);
    free(workers);
    cbz_input_close(in);
    conv_free(&master);
    return s;
}

/* ------------------------------------------------------------------------
 * Encode.
 * ---------------------------------------------------------------------- */
typedef struct enc {
    conv c;                     /* plan, options, reject bookkeeping */
    const char **cell;          /* per column: text or NULL */
    size_t *cell_len;
    uint8_t *cell_null;         /* per column: JSON null (absent: past a short record's end) */
    uint8_t *nonempty;          /* per field: some cell under this view is non-empty */
    uint8_t *img;               /* static image, record_size bytes */
    uint8_t *rec;               /* the record as written */
    size_t rec_cap;
    uint8_t space;
    uint64_t row;
    const char *name;
} enc;

static cbz_status copy_value(void *ctx, const cbz_walk_item *it)
{
    enc *e = ctx;
    uint32_t size = it->f->size;
    if ((uint64_t)it->offset + size <= e->rec_cap && (uint64_t)it->static_offset + size <= e->c.p.L->record_size)
        memcpy(e->rec + it->offset, e->img + it->static_offset, size);
    return CBZ_OK;
}

static cbz_status enc_problem(void *ctx, const cbz_walk_item *counter, const char *what)
{
    enc *e = ctx;
    cbz_reject r = { e->row, 0, counter->f->name, (const uint8_t *)"", 0, what };
    return add_reject(e->c.o, e->c.st, &e->c.record_rejected, &r, e->c.err);
}

/* Builds the record of the current row's cells; *len its length. */
static cbz_status build_record(enc *e, cbz_walker *w, size_t *len)
{
    const cbz_layout *L = e->c.p.L;
    const plan *p = &e->c.p;
    memset(e->img, e->space, L->record_size);
    memset(e->nonempty, 0, L->n_fields);
    for (size_t i = 0; i < L->n_columns; i++)
        if (e->cell[i] && e->cell_len[i])
            for (const int *m = p->members + i * 8; *m >= 0; m++) e->nonempty[*m] = 1;
    for (size_t i = 0; i < L->n_columns; i++) {
        const cbz_column *col = &L->columns[i];
        const cbz_field *f = &L->fields[col->field];
        bool write = true;
        for (const int *m = p->members + i * 8; *m >= 0; m++)
            if (!e->nonempty[*m]) write = false;
        if (!write) continue;
        bool has = e->cell[i] && e->cell_len[i];
        if (!has && f->is_filler) continue;
        if ((uint64_t)col->offset + f->size > L->record_size) continue;
        cbz_error verr = { 0 };
        cbz_status s = cbz_value_encode(f, has ? e->cell[i] : "", has ? e->cell_len[i] : 0, &e->c.o->values,
                                        e->img + col->offset, &verr);
        if (s == CBZ_OK) continue;
        if (s == CBZ_ERR_NOMEM) return cbz_fail(e->c.err, s, "out of memory");
        cbz_reject r = { e->row, 0, col->name, (const uint8_t *)(has ? e->cell[i] : ""), has ? e->cell_len[i] : 0,
                         verr.msg[0] ? verr.msg : "value does not fit the field" };
        CBZ_TRY(add_reject(e->c.o, e->c.st, &e->c.record_rejected, &r, e->c.err));
        if (cbz_value_encode(f, "", 0, &e->c.o->values, e->img + col->offset, NULL) != CBZ_OK)
            memset(e->img + col->offset, e->space, f->size);
    }
    if (!L->has_odo) {
        memcpy(e->rec, e->img, L->record_size);
        *len = L->record_size;
        /* A V/VB record ends after the last field written: REDEFINES views
         * not written (a shorter segment) and JSON nulls at the end (fields
         * past the end of a short record, as convert writes them) do not
         * make it longer. */
        const cbz_record_format *vf = &e->c.o->fmt;
        if (vf->recfm == CBZ_RECFM_V || vf->recfm == CBZ_RECFM_VB) {
            size_t end = 0;
            for (size_t i = 0; i < L->n_columns; i++) {
                const cbz_column *col = &L->columns[i];
                bool write = !e->cell_null[i];
                for (const int *m = p->members + i * 8; write && *m >= 0; m++)
                    if (!e->nonempty[*m]) write = false;
                if (write && col->offset + L->fields[col->field].size > end) end = col->offset + L->fields[col->field].size;
            }
            if (end < *len) *len = end;
        }
    } else {
        memset(e->rec, e->space, e->rec_cap);
        cbz_walk_visitor v = { 0 };
        v.ctx = e;
        v.value = copy_value;
        v.problem = enc_problem;
        CBZ_TRY(cbz_walk_record(w, e->img, L->record_size, &v, len, e->c.err));
    }
    const cbz_record_format *fmt = &e->c.o->fmt;
    if ((fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) && !e->c.o->variable_occurs) {
        CBZ_FAIL_IF(*len > fmt->lrecl, e->c.err, CBZ_ERR_DATA, "%s: row %llu: the record is %zu bytes, more than LRECL %u",
                    e->name, (unsigned long long)e->row, *len, (unsigned)fmt->lrecl);
        memset(e->rec + *len, e->space, fmt->lrecl - *len);
        *len = fmt->lrecl;
    }
    return CBZ_OK;
}

/* JSON → cells. */
static cbz_status map_json(enc *e, const cbz_json_doc *d, int node, int fi, cbz_walk_item *it);

static cbz_status map_json_elem(enc *e, const cbz_json_doc *d, int node, int fi, cbz_walk_item *it)
{
    const cbz_layout *L = e->c.p.L;
    const cbz_field *f = &L->fields[fi];
    const cbz_json_node *n = &d->nodes[node];
    if (n->type == CBZ_JSON_NULL && !(f->first_child < 0 || f->category != CBZ_CAT_GROUP)) return CBZ_OK;
    if (f->first_child >= 0 && f->category == CBZ_CAT_GROUP) {
        CBZ_FAIL_IF(n->type != CBZ_JSON_OBJECT, e->c.err, CBZ_ERR_DATA, "%s: line %llu: %s should be an object",
                    e->name, (unsigned long long)e->row, f->name);
        for (int m = n->first_child; m >= 0; m = d->nodes[m].next) {
            const char *key = cbz_json_key(d, &d->nodes[m]);
            int found = -1;
            for (int ch = f->first_child; ch >= 0 && found < 0; ch = L->fields[ch].next_sibling)
                if (walked_kind(&L->fields[ch]) && strcmp(L->fields[ch].name, key) == 0) found = ch;
            CBZ_FAIL_IF(found < 0, e->c.err, CBZ_ERR_DATA, "%s: line %llu: %s has no member \"%s\" in the copybook",
                        e->name, (unsigned long long)e->row, f->name, key);
            cbz_walk_item sub = *it;
            CBZ_TRY(map_json(e, d, m, found, &sub));
        }
        return CBZ_OK;
    }
    it->field = fi;
    it->f = f;
    int col = column_of(&e->c.p, it);
    if (col < 0) return CBZ_OK;
    if (n->type == CBZ_JSON_NULL) {
        e->cell_null[col] = 1;
        return CBZ_OK;
    }
    CBZ_FAIL_IF(n->type != CBZ_JSON_STRING && n->type != CBZ_JSON_NUMBER, e->c.err, CBZ_ERR_DATA,
                "%s: line %llu: %s should be a string or a number", e->name, (unsigned long long)e->row,
                L->columns[col].name);
    e->cell[col] = cbz_json_text(d, n);
    e->cell_len[col] = n->text_len;
    return CBZ_OK;
}

static cbz_status map_json(enc *e, const cbz_json_doc *d, int node, int fi, cbz_walk_item *it)
{
    const cbz_field *f = &e->c.p.L->fields[fi];
    if (f->occurs_max == 0) return map_json_elem(e, d, node, fi, it);
    const cbz_json_node *n = &d->nodes[node];
    if (n->type == CBZ_JSON_NULL) return CBZ_OK;
    CBZ_FAIL_IF(n->type != CBZ_JSON_ARRAY, e->c.err, CBZ_ERR_DATA, "%s: line %llu: %s should be an array",
                e->name, (unsigned long long)e->row, f->name);
    CBZ_FAIL_IF(n->n_children > f->occurs_max, e->c.err, CBZ_ERR_DATA,
                "%s: line %llu: %s has %zu elements, more than OCCURS %u", e->name, (unsigned long long)e->row,
                f->name, n->n_children, (unsigned)f->occurs_max);
    CBZ_FAIL_IF(it->n_subscripts >= 7, e->c.err, CBZ_ERR_UNSUPPORTED, "%s: more than 7 nested OCCURS", f->name);
    uint32_t k = 0;
    for (int m = n->first_child; m >= 0; m = d->nodes[m].next, k++) {
        cbz_walk_item sub = *it;
        sub.subscripts[sub.n_subscripts++] = k + 1;
        CBZ_TRY(map_json_elem(e, d, m, fi, &sub));
    }
    return CBZ_OK;
}

static cbz_status json_row_cells(enc *e, cbz_json_doc *d, const char *line, size_t n)
{
    const cbz_layout *L = e->c.p.L;
    cbz_error perr = { 0 };
    if (cbz_json_parse(d, line, n, &perr) != CBZ_OK)
        return cbz_fail(e->c.err, perr.code ? perr.code : CBZ_ERR_DATA, "%s: line %llu: %s", e->name,
                        (unsigned long long)e->row, perr.msg);
    CBZ_FAIL_IF(d->nodes[0].type != CBZ_JSON_OBJECT, e->c.err, CBZ_ERR_DATA, "%s: line %llu: not a JSON object",
                e->name, (unsigned long long)e->row);
    int tops = 0, only = -1;
    for (size_t i = 0; i < L->n_fields; i++)
        if (L->fields[i].parent == -1 && walked_kind(&L->fields[i])) { tops++; only = (int)i; }
    /* {"REC": {...}} as convert writes it, or the members of a single 01 directly. */
    bool wrapped = false;
    for (size_t i = 0; i < L->n_fields && !wrapped; i++)
        if (L->fields[i].parent == -1 && walked_kind(&L->fields[i]) && cbz_json_member(d, 0, L->fields[i].name) >= 0)
            wrapped = true;
    if (!wrapped && tops == 1 && L->fields[only].first_child >= 0) {
        cbz_walk_item it = { 0 };
        return map_json_elem(e, d, 0, only, &it);
    }
    for (int m = d->nodes[0].first_child; m >= 0; m = d->nodes[m].next) {
        const char *key = cbz_json_key(d, &d->nodes[m]);
        int found = -1;
        for (size_t i = 0; i < L->n_fields && found < 0; i++)
            if (L->fields[i].parent == -1 && walked_kind(&L->fields[i]) && strcmp(L->fields[i].name, key) == 0)
                found = (int)i;
        CBZ_FAIL_IF(found < 0, e->c.err, CBZ_ERR_DATA, "%s: line %llu: no record \"%s\" in the copybook", e->name,
                    (unsigned long long)e->row, key);
        cbz_walk_item it = { 0 };
        CBZ_TRY(map_json(e, d, m, found, &it));
    }
    return CBZ_OK;
}

/* One line without its LF (and CR); *eof at the end of input. */
static cbz_status read_line(FILE *in, char **line, size_t *cap, size_t *len, bool *eof, const char *name,
                            cbz_error *err)
{
    *eof = false;
    errno = 0;
    ssize_t n = getline(line, cap, in);
    if (n < 0) {
        if (ferror(in)) return cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", name, strerror(errno));
        if (errno == ENOMEM) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        *eof = true;
        *len = 0;
        return CBZ_OK;
    }
    size_t l = (size_t)n;
    if (l && (*line)[l - 1] == '\n') l--;
    if (l && (*line)[l - 1] == '\r') l--;
    *len = l;
    return CBZ_OK;
}

cbz_status cbz_encode_records(const cbz_convert_options *o, FILE *in, const char *input_name, FILE *out,
                              cbz_convert_stats *st, cbz_error *err)
{
    memset(st, 0, sizeof *st);
    enc e;
    memset(&e, 0, sizeof e);
    CBZ_TRY(conv_init(&e.c, o, NULL, st, err));
    const cbz_layout *L = o->layout;
    e.name = input_name;
    e.space = o->values.codepage ? o->values.codepage->space : 0x40;
    size_t nc = L->n_columns ? L->n_columns : 1;
    e.rec_cap = L->record_size > o->fmt.lrecl ? L->record_size : o->fmt.lrecl;
    e.cell = calloc(nc, sizeof *e.cell);
    e.cell_len = calloc(nc, sizeof *e.cell_len);
    e.cell_null = calloc(nc, 1);
    e.nonempty = calloc(L->n_fields ? L->n_fields : 1, 1);
    e.img = malloc(L->record_size ? L->record_size : 1);
    e.rec = malloc(e.rec_cap ? e.rec_cap : 1);
    int *hdr = NULL;
    size_t n_hdr = 0;
    cbz_walker *w = NULL;
    cbz_record_writer *wr = NULL;
    cbz_csv_reader *csv = NULL;
    cbz_json_doc doc;
    cbz_json_doc_init(&doc);
    char *line = NULL;
    size_t line_cap = 0, line_len = 0;
    cbz_status s = CBZ_OK;
    if (!e.cell || !e.cell_len || !e.cell_null || !e.nonempty || !e.img || !e.rec) s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    if (s == CBZ_OK) {
        w = e.c.w;   /* conv_init made it, with the occurs maps; encode walks every item */
        memset(cbz_walker_skip_flags(w), 0, L->n_fields);
    }
    if (s == CBZ_OK) cbz_walker_set_static_counters(w, true);
    cbz_record_format wfmt = o->fmt;
    if (o->variable_occurs) wfmt.lrecl = 0;   /* records as long as their counters make them */
    if (s == CBZ_OK) s = cbz_writer_open(out, &wfmt, &wr, err);
    if (s == CBZ_OK && o->format == CBZ_TEXT_CSV) {
        s = cbz_csv_reader_open(in, input_name, &csv, err);
        const char *const *fields;
        const size_t *lens;
        bool eof = false;
        if (s == CBZ_OK) s = cbz_csv_next_row(csv, &fields, &lens, &n_hdr, &eof, err);
        if (s == CBZ_OK && eof) s = cbz_fail(err, CBZ_ERR_DATA, "%s: empty input (a header row is needed)", input_name);
        if (s == CBZ_OK && !(hdr = malloc(n_hdr * sizeof *hdr))) s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        for (size_t i = 0; s == CBZ_OK && i < n_hdr; i++) {
            /* the k-th cell of a name goes to the k-th column of that name */
            size_t k = 0;
            for (size_t j = 0; j < i; j++)
                if (strcmp(fields[j], fields[i]) == 0) k++;
            hdr[i] = -1;
            for (size_t c = 0; c < L->n_columns && hdr[i] < 0; c++)
                if (strcmp(L->columns[c].name, fields[i]) == 0 && k-- == 0) hdr[i] = (int)c;
            if (hdr[i] < 0)
                s = cbz_fail(err, CBZ_ERR_DATA, "%s: header column %zu '%s' is not a field of the copybook", input_name,
                             i + 1, fields[i]);
        }
    }
    while (s == CBZ_OK) {
        bool eof = false;
        memset(e.cell, 0, nc * sizeof *e.cell);
        memset(e.cell_len, 0, nc * sizeof *e.cell_len);
        memset(e.cell_null, 0, nc);
        if (o->format == CBZ_TEXT_CSV) {
            const char *const *fields;
            const size_t *lens;
            size_t n;
            s = cbz_csv_next_row(csv, &fields, &lens, &n, &eof, err);
            if (s != CBZ_OK || eof) break;
            e.row = cbz_csv_row_number(csv) - 1;
            if (n != n_hdr) {
                s = cbz_fail(err, CBZ_ERR_DATA, "%s: data row %llu has %zu cells, the header %zu", input_name,
                             (unsigned long long)e.row, n, n_hdr);
                break;
            }
            for (size_t i = 0; i < n; i++) {
                e.cell[hdr[i]] = fields[i];
                e.cell_len[hdr[i]] = lens[i];
            }
        } else {
            s = read_line(in, &line, &line_cap, &line_len, &eof, input_name, err);
            if (s != CBZ_OK || eof) break;
            e.row++;
            if (line_len == 0) continue;
            s = json_row_cells(&e, &doc, line, line_len);
            if (s != CBZ_OK) break;
        }
        st->records_read++;
        e.c.record_rejected = false;
        size_t len = 0;
        s = build_record(&e, w, &len);
        if (s == CBZ_OK) s = cbz_writer_put(wr, e.rec, len, err);
        if (s == CBZ_OK) st->records_written++;
        if (s == CBZ_OK && o->on_progress && (st->records_read & 0xFFFF) == 0)
            o->on_progress(o->progress_ctx, st->records_read, 0);
    }
    cbz_status cs = cbz_writer_close(wr, s == CBZ_OK ? err : NULL);
    if (s == CBZ_OK) s = cs;
    cbz_csv_reader_close(csv);
    cbz_json_doc_free(&doc);
    free(line);
    free(hdr);
    free(e.cell);
    free(e.cell_len);
    free(e.cell_null);
    free(e.nonempty);
    free(e.img);
    free(e.rec);
    conv_free(&e.c);
    return s;
}
