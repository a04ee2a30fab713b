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

typedef struct plan {
    const cbz_layout *L;
    int *col_base;          /* per field: start in colmap, -1 when no columns */
    int *colmap;            /* linear subscript index → column */
    uint8_t *ndims;
    uint32_t *dims;         /* per field: 7 entries */
    uint8_t *hidden;        /* FILLER or under a FILLER group (and not --fillers) */
    int *set_of;            /* REDEFINES set of a view, -1 when not a view */
    int *members;           /* per column: view fields among its ancestors (-1 ended, 8 each) */
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
    if (!p->col_base || !p->ndims || !p->dims || !p->hidden || !p->set_of || !p->members) {
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
    plan p;
    const cbz_convert_options *o;
    cbz_convert_stats *st;
    FILE *out;
    cbz_error *err;
    char *vbuf;
    size_t vcap;
    uint8_t *base_skip;
    /* CSV row */
    cbz_buf row;
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

static cbz_status io_fail(conv *c)
{
    return cbz_fail(c->err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
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
    cbz_error verr = { 0 };
    s = cbz_value_decode(it->f, it->bytes, &c->o->values, c->vbuf, c->vcap, len, is_number, &verr);
    if (s == CBZ_OK) { *state = 0; return CBZ_OK; }
    if (s == CBZ_ERR_NOMEM) return cbz_fail(c->err, s, "out of memory");
    *state = 2;
    int col = column_of(&c->p, it);
    cbz_reject r = { c->recno, c->rec_offset + it->offset,
                     col >= 0 ? c->p.L->columns[col].name : it->f->name, it->bytes, it->f->size,
                     verr.msg[0] ? verr.msg : "not a valid value for the field's PICTURE and USAGE" };
    return add_reject(c->o, c->st, &c->record_rejected, &r, c->err);
}

static cbz_status on_problem(void *ctx, const cbz_walk_item *counter, const char *what)
{
    conv *c = ctx;
    cbz_reject r = { c->recno, c->rec_offset + counter->offset, counter->f->name, counter->bytes,
                     counter->bytes ? counter->f->size : 0, what };
    return add_reject(c->o, c->st, &c->record_rejected, &r, c->err);
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
    if (cbz_buf_append(&c->cells, c->vbuf, len) != CBZ_OK) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

static cbz_status json_sep(conv *c)
{
    if (c->nitems[c->top]++ > 0 && putc(',', c->out) == EOF) return io_fail(c);
    return CBZ_OK;
}

static cbz_status json_key(conv *c, const cbz_walk_item *it, bool element)
{
    CBZ_TRY(json_sep(c));
    if (element) return CBZ_OK;
    if (!cbz_json_put_string(c->out, it->f->name, strlen(it->f->name)) || putc(':', c->out) == EOF)
        return io_fail(c);
    return CBZ_OK;
}

static cbz_status json_open(conv *c, char ch)
{
    if (putc(ch, c->out) == EOF) return io_fail(c);
    if (c->top + 1 >= (int)(sizeof c->nitems / sizeof c->nitems[0]))
        return cbz_fail(c->err, CBZ_ERR_UNSUPPORTED, "layout nested too deeply for JSON output");
    c->nitems[++c->top] = 0;
    return CBZ_OK;
}

static cbz_status json_close(conv *c, char ch)
{
    c->top--;
    if (putc(ch, c->out) == EOF) return io_fail(c);
    return CBZ_OK;
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
    bool ok;
    if (state != 0) ok = fputs("null", c->out) != EOF;
    else if (num) ok = fwrite(c->vbuf, 1, len, c->out) == len;
    else ok = cbz_json_put_string(c->out, c->vbuf, len);
    return ok ? CBZ_OK : io_fail(c);
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
    memcpy(skip, c->base_skip, L->n_fields);
    if (!c->p.n_rules) return CBZ_OK;
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

static cbz_status write_csv_header(conv *c)
{
    const cbz_layout *L = c->p.L;
    bool first = true;
    for (size_t i = 0; i < L->n_columns; i++) {
        if (c->p.hidden[L->columns[i].field]) continue;
        if (!cbz_csv_put_field(c->out, L->columns[i].name, strlen(L->columns[i].name), first)) return io_fail(c);
        first = false;
    }
    return cbz_csv_end_row(c->out) ? CBZ_OK : io_fail(c);
}

static cbz_status write_csv_row(conv *c)
{
    const cbz_layout *L = c->p.L;
    bool first = true;
    cbz_buf_clear(&c->row);
    for (size_t i = 0; i < L->n_columns; i++) {
        if (c->p.hidden[L->columns[i].field]) continue;
        const char *s = c->cell_set[i] ? (const char *)c->cells.data + c->cell_off[i] : "";
        size_t n = c->cell_set[i] ? c->cell_len[i] : 0;
        if (cbz_csv_append_field(&c->row, s, n, first) != CBZ_OK) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
        first = false;
    }
    if (cbz_buf_append(&c->row, "\r\n", 2) != CBZ_OK) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    return fwrite(c->row.data, 1, c->row.len, c->out) == c->row.len ? CBZ_OK : io_fail(c);
}

static void conv_free(conv *c)
{
    plan_free(&c->p);
    free(c->vbuf);
    free(c->base_skip);
    cbz_buf_free(&c->cells);
    cbz_buf_free(&c->row);
    free(c->cell_off);
    free(c->cell_len);
    free(c->cell_set);
}

static cbz_status conv_init(conv *c, const cbz_convert_options *o, cbz_convert_stats *st, FILE *out,
                            cbz_error *err)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->st = st;
    c->out = out;
    c->err = err;
    CBZ_FAIL_IF(!o->layout, err, CBZ_ERR_USAGE, "a copybook is needed");
    CBZ_TRY(plan_init(&c->p, o->layout, o->fillers, o->selects, o->n_selects, err));
    const cbz_layout *L = o->layout;
    size_t nc = L->n_columns ? L->n_columns : 1, nf = L->n_fields ? L->n_fields : 1;
    c->vcap = 4 * c->p.max_size + 64;
    c->vbuf = malloc(c->vcap);
    c->base_skip = malloc(nf);
    c->cell_off = malloc(nc * sizeof *c->cell_off);
    c->cell_len = malloc(nc * sizeof *c->cell_len);
    c->cell_set = calloc(nc, 1);
    cbz_buf_init(&c->cells);
    cbz_buf_init(&c->row);
    if (!c->vbuf || !c->base_skip || !c->cell_off || !c->cell_len || !c->cell_set) {
        conv_free(c);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    memcpy(c->base_skip, c->p.hidden, L->n_fields);
    return CBZ_OK;
}

/* Records that end where their ODO counters say (no RDW; Cobrix's
 * variable_size_occurs): a buffered source that frames by walking the layout. */
typedef struct odo_source {
    FILE *fp;
    bool owns;
    const char *name;
    uint8_t *buf;
    size_t cap, start, end;
    bool at_eof;
    uint64_t base, recno, rec_offset;
} odo_source;

static cbz_status odo_open(odo_source *src, const char *path, size_t record_size, cbz_error *err)
{
    memset(src, 0, sizeof *src);
    src->cap = record_size * 2 + 65536;
    if (!(src->buf = malloc(src->cap))) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        src->fp = stdin;
        src->name = "(stdin)";
        return CBZ_OK;
    }
    src->name = path;
    if (!(src->fp = fopen(path, "rb"))) return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    src->owns = true;
    return CBZ_OK;
}

static void odo_close(odo_source *src)
{
    if (src->owns && src->fp) fclose(src->fp);
    free(src->buf);
}

static cbz_status odo_next(odo_source *src, cbz_walker *w, size_t record_size, const uint8_t **rec, size_t *len,
                           bool *eof, cbz_error *err)
{
    *eof = false;
    if (src->end - src->start < record_size && !src->at_eof) {
        memmove(src->buf, src->buf + src->start, src->end - src->start);
        src->base += src->start;
        src->end -= src->start;
        src->start = 0;
        while (src->end < src->cap && !src->at_eof) {
            size_t n = fread(src->buf + src->end, 1, src->cap - src->end, src->fp);
            if (n == 0) {
                if (ferror(src->fp)) return cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", src->name, strerror(errno));
                src->at_eof = true;
            }
            src->end += n;
        }
    }
    size_t avail = src->end - src->start;
    if (avail == 0) { *eof = true; return CBZ_OK; }
    size_t alen = 0;
    CBZ_TRY(cbz_walk_record(w, src->buf + src->start, avail < record_size ? avail : record_size, NULL, &alen, err));
    uint64_t at = src->base + src->start;
    CBZ_FAIL_IF(alen == 0, err, CBZ_ERR_DATA, "%s: record %llu at byte offset %llu: the layout gives an empty record",
                src->name, (unsigned long long)src->recno + 1, (unsigned long long)at);
    CBZ_FAIL_IF(alen > avail, err, CBZ_ERR_DATA,
                "%s: record %llu at byte offset %llu: truncated: its ODO counters make it %zu bytes, %zu are left",
                src->name, (unsigned long long)src->recno + 1, (unsigned long long)at, alen, avail);
    *rec = src->buf + src->start;
    *len = alen;
    src->rec_offset = at;
    src->recno++;
    src->start += alen;
    return CBZ_OK;
}

cbz_status cbz_convert_records(const cbz_convert_options *o, const char *input, FILE *out,
                               cbz_convert_stats *st, cbz_error *err)
{
    memset(st, 0, sizeof *st);
    conv c;
    CBZ_TRY(conv_init(&c, o, st, out, err));
    cbz_walker *w = NULL;
    cbz_record_reader *rd = NULL;
    odo_source src;
    bool by_odo = o->variable_occurs;
    memset(&src, 0, sizeof src);
    cbz_status s = cbz_walker_new(o->layout, &o->values, &w, err);
    if (s == CBZ_OK && by_odo) s = odo_open(&src, input, o->layout->record_size ? o->layout->record_size : 1, err);
    else if (s == CBZ_OK) s = cbz_reader_open(input, &o->fmt, &rd, err);
    cbz_walk_visitor v = { 0 };
    v.ctx = &c;
    v.problem = on_problem;
    if (o->format == CBZ_TEXT_CSV) {
        v.value = csv_value;
        if (s == CBZ_OK) s = write_csv_header(&c);
    } else {
        v.group_begin = json_group_begin;
        v.group_end = json_group_end;
        v.array_begin = json_array_begin;
        v.array_end = json_array_end;
        v.value = json_value;
    }
    while (s == CBZ_OK) {
        const uint8_t *rec;
        size_t len;
        bool eof;
        if (by_odo) s = odo_next(&src, w, o->layout->record_size, &rec, &len, &eof, err);
        else s = cbz_reader_next(rd, &rec, &len, &eof, err);
        if (s != CBZ_OK || eof) break;
        st->records_read++;
        c.recno = by_odo ? src.recno : cbz_reader_record_number(rd);
        c.rec_offset = by_odo ? src.rec_offset : cbz_reader_record_offset(rd);
        c.record_rejected = false;
        s = choose_views(&c, w, rec, len);
        if (s != CBZ_OK) break;
        if (o->format == CBZ_TEXT_CSV) {
            memset(c.cell_set, 0, o->layout->n_columns);
            cbz_buf_clear(&c.cells);
            s = cbz_walk_record(w, rec, len, &v, NULL, err);
            if (s == CBZ_OK) s = write_csv_row(&c);
        } else {
            c.top = 0;
            c.nitems[0] = 0;
            if (putc('{', out) == EOF) s = io_fail(&c);
            if (s == CBZ_OK) s = cbz_walk_record(w, rec, len, &v, NULL, err);
            if (s == CBZ_OK && fputs("}\n", out) == EOF) s = io_fail(&c);
        }
        if (s != CBZ_OK) break;
        st->records_written++;
        if (o->on_progress && (st->records_read & 0xFFFF) == 0) o->on_progress(o->progress_ctx, st->records_read, c.rec_offset + len);
    }
    cbz_reader_close(rd);
    odo_close(&src);
    cbz_walker_free(w);
    conv_free(&c);
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
    CBZ_TRY(conv_init(&e.c, o, st, out, err));
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
    if (s == CBZ_OK) s = cbz_walker_new(L, &o->values, &w, err);
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
    cbz_walker_free(w);
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
