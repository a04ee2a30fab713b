/*
 * record_walk.c — the run-time walk of a layout over one record: actual
 * offsets under OCCURS DEPENDING ON, REDEFINES views, short records (see
 * record_walk.h).
 */
#include "record_walk.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>

/* Counter codes to element counts for one table. */
typedef struct occurs_map {
    char **values;
    uint32_t *counts;
    size_t n;
} occurs_map;

struct cbz_walker {
    const cbz_layout *layout;
    const cbz_value_options *vopt;
    uint8_t *skip;
    uint32_t *apos, *spos;      /* per field: offsets of the last occurrence walked */
    bool static_counters;
    bool static_tables;         /* ODO tables keep their maximum size */
    int *map_of;                /* per field: its occurs map, -1 when none (NULL: no maps) */
    occurs_map *maps;
    size_t n_maps;
    /* per walk */
    const uint8_t *rec;
    size_t len;
    const cbz_walk_visitor *v;
    cbz_error *err;
};

static bool walked_kind(const cbz_field *f)
{
    return f->category != CBZ_CAT_CONDITION && f->category != CBZ_CAT_RENAMES && f->level != 66 &&
           f->level != 88;
}

cbz_status cbz_walker_new(const cbz_layout *layout, const cbz_value_options *vopt, cbz_walker **out,
                          cbz_error *err)
{
    *out = NULL;
    cbz_walker *w = calloc(1, sizeof *w);
    size_t n = layout->n_fields ? layout->n_fields : 1;
    if (w) {
        w->skip = calloc(n, 1);
        w->apos = malloc(n * sizeof *w->apos);
        w->spos = malloc(n * sizeof *w->spos);
    }
    if (!w || !w->skip || !w->apos || !w->spos) {
        cbz_walker_free(w);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    w->layout = layout;
    w->vopt = vopt;
    *out = w;
    return CBZ_OK;
}

static void free_maps(cbz_walker *w)
{
    for (size_t i = 0; i < w->n_maps; i++) {
        for (size_t k = 0; k < w->maps[i].n; k++) free(w->maps[i].values[k]);
        free(w->maps[i].values);
        free(w->maps[i].counts);
    }
    free(w->maps);
    free(w->map_of);
    w->maps = NULL;
    w->map_of = NULL;
    w->n_maps = 0;
}

/* Text without blanks on either side, NUL-terminated in a new string. */
static char *trimmed_copy(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    char *d = malloc(n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}

static cbz_status parse_map(cbz_walker *w, const char *spec, cbz_error *err)
{
    const cbz_layout *L = w->layout;
    const char *eq = strchr(spec, '=');
    CBZ_FAIL_IF(!eq, err, CBZ_ERR_USAGE, "--occurs-map '%s': expected TABLE=VALUE:COUNT[,VALUE:COUNT...]", spec);
    char *name = trimmed_copy(spec, (size_t)(eq - spec));
    if (!name) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    int fi = cbz_layout_find(L, name);
    cbz_status s = CBZ_OK;
    if (fi < 0) s = cbz_fail(err, CBZ_ERR_USAGE, "--occurs-map '%s': no field %s in the copybook", spec, name);
    else if (L->fields[fi].depending_on < 0)
        s = cbz_fail(err, CBZ_ERR_USAGE, "--occurs-map '%s': %s is not an OCCURS DEPENDING ON table", spec, name);
    else if (w->map_of[fi] >= 0)
        s = cbz_fail(err, CBZ_ERR_USAGE, "--occurs-map '%s': %s has a map already", spec, name);
    free(name);
    if (s != CBZ_OK) return s;
    occurs_map *nm = realloc(w->maps, (w->n_maps + 1) * sizeof *nm);
    if (!nm) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    w->maps = nm;
    occurs_map *m = &w->maps[w->n_maps++];
    memset(m, 0, sizeof *m);
    w->map_of[fi] = (int)(w->n_maps - 1);
    for (const char *p = eq + 1; *p;) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *colon = NULL;
        for (const char *q = p; q < e; q++)
            if (*q == ':') colon = q;   /* the last ':' of the pair: values may hold ':' */
        CBZ_FAIL_IF(!colon, err, CBZ_ERR_USAGE, "--occurs-map '%s': '%.*s' should be VALUE:COUNT", spec, (int)(e - p), p);
        char *cnt = trimmed_copy(colon + 1, (size_t)(e - colon - 1));
        if (!cnt) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        char *end = NULL;
        errno = 0;
        unsigned long long v = cnt[0] >= '0' && cnt[0] <= '9' ? strtoull(cnt, &end, 10) : 0;
        bool ok = end && *end == 0 && errno == 0 && v <= L->fields[fi].occurs_max;
        free(cnt);
        CBZ_FAIL_IF(!ok, err, CBZ_ERR_USAGE, "--occurs-map '%s': the count in '%.*s' is not a whole number from 0 to %u",
                    spec, (int)(e - p), p, (unsigned)L->fields[fi].occurs_max);
        char **nv = realloc(m->values, (m->n + 1) * sizeof *nv);
        if (nv) m->values = nv;
        uint32_t *nc = nv ? realloc(m->counts, (m->n + 1) * sizeof *nc) : NULL;
        if (nc) m->counts = nc;
        if (!nv || !nc || !(m->values[m->n] = trimmed_copy(p, (size_t)(colon - p))))
            return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        m->counts[m->n++] = (uint32_t)v;
        p = *e ? e + 1 : e;
    }
    CBZ_FAIL_IF(m->n == 0, err, CBZ_ERR_USAGE, "--occurs-map '%s': no VALUE:COUNT pairs", spec);
    return CBZ_OK;
}

cbz_status cbz_walker_set_occurs_maps(cbz_walker *w, const char *const *specs, size_t n, cbz_error *err)
{
    free_maps(w);
    if (n == 0) return CBZ_OK;
    size_t nf = w->layout->n_fields ? w->layout->n_fields : 1;
    w->map_of = malloc(nf * sizeof *w->map_of);
    if (!w->map_of) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nf; i++) w->map_of[i] = -1;
    for (size_t i = 0; i < n; i++) {
        cbz_status s = parse_map(w, specs[i], err);
        if (s != CBZ_OK) { free_maps(w); return s; }
    }
    return CBZ_OK;
}

void cbz_walker_free(cbz_walker *w)
{
    if (!w) return;
    free_maps(w);
    free(w->skip);
    free(w->apos);
    free(w->spos);
    free(w);
}

uint8_t *cbz_walker_skip_flags(cbz_walker *w) { return w->skip; }
void cbz_walker_set_static_counters(cbz_walker *w, bool on) { w->static_counters = on; }
void cbz_walker_set_static_tables(cbz_walker *w, bool on) { w->static_tables = on; }

uint32_t cbz_walker_field_offset(const cbz_walker *w, int fi)
{
    if (fi < 0 || (size_t)fi >= w->layout->n_fields) return UINT32_MAX;
    return w->apos[fi];
}

/* The element count of an ODO table, from its counter as this record holds it. */
static cbz_status odo_count(cbz_walker *w, const cbz_field *f, const cbz_walk_item *table, uint32_t *count)
{
    const cbz_layout *L = w->layout;
    int ci = f->depending_on;
    *count = f->occurs_max;
    if (ci < 0 || (size_t)ci >= L->n_fields) return CBZ_OK;
    const cbz_field *cf = &L->fields[ci];
    uint32_t at = w->static_counters ? w->spos[ci] : w->apos[ci];
    cbz_walk_item cit = { 0 };
    cit.field = ci;
    cit.f = cf;
    cit.depth = table->depth;
    cit.offset = w->apos[ci];
    cit.static_offset = w->spos[ci];
    char what[320];
    if (at == UINT32_MAX) {
        /* The counter was not walked before its table (it follows it, or lies
         * in a view not reached): use its static place. */
        at = cf->offset;
    }
    if ((uint64_t)at + cf->size > w->len) {
        *count = 0;   /* a short record that ends before the counter: no elements */
        return CBZ_OK;
    }
    cit.bytes = w->rec + at;
    char text[4 * 64 + 64];
    size_t tl = 0;
    bool is_number = false;
    cbz_status s = cf->size <= 64 ? cbz_value_decode(cf, w->rec + at, w->vopt, text, sizeof text, &tl,
                                                      &is_number, NULL)
                                  : CBZ_ERR_VALUE;
    int mi = w->map_of ? w->map_of[table->field] : -1;
    if (mi >= 0) {
        const occurs_map *m = &w->maps[mi];
        size_t a = 0, b = s == CBZ_OK ? tl : 0;
        while (a < b && (unsigned char)text[a] <= ' ') a++;
        while (b > a && (unsigned char)text[b - 1] <= ' ') b--;
        for (size_t k = 0; s == CBZ_OK && k < m->n; k++)
            if (strlen(m->values[k]) == b - a && memcmp(m->values[k], text + a, b - a) == 0) {
                *count = m->counts[k];
                return CBZ_OK;
            }
        *count = f->occurs_min;
        snprintf(what, sizeof what, "ODO counter %s of %s holds '%.*s', a value --occurs-map does not list; %u elements used",
                 cf->name, f->name, (int)(b - a), text + a, (unsigned)*count);
        if (w->v && w->v->problem) return w->v->problem(w->v->ctx, &cit, what);
        return CBZ_OK;
    }
    uint64_t v = 0;
    bool ok = s == CBZ_OK;
    size_t i = 0;
    if (ok) {
        while (i < tl && text[i] == ' ') i++;
        if (i < tl && text[i] == '+') i++;
        size_t digits = 0;
        while (i < tl && text[i] >= '0' && text[i] <= '9') {
            if (v < 100000000000ull) v = v * 10 + (uint64_t)(text[i] - '0');
            i++;
            digits++;
        }
        if (i < tl && text[i] == '.') {        /* a scaled counter: only .000 is whole */
            i++;
            while (i < tl && text[i] == '0') i++;
        }
        while (i < tl && text[i] == ' ') i++;
        ok = digits > 0 && i == tl;
    }
    if (!ok) {
        *count = f->occurs_min;
        snprintf(what, sizeof what, "ODO counter %s of %s is not a whole number; %u elements used",
                 cf->name, f->name, (unsigned)*count);
    } else if (v > f->occurs_max) {
        *count = f->occurs_max;
        snprintf(what, sizeof what, "ODO counter %s = %llu is more than the maximum %u of %s; %u used",
                 cf->name, (unsigned long long)v, (unsigned)f->occurs_max, f->name, (unsigned)*count);
        ok = false;
    } else if (v < f->occurs_min) {
        *count = (uint32_t)v;
        snprintf(what, sizeof what, "ODO counter %s = %llu is less than the minimum %u of %s; used as is",
                 cf->name, (unsigned long long)v, (unsigned)f->occurs_min, f->name);
        ok = false;
    } else {
        *count = (uint32_t)v;
    }
    if (!ok && w->v && w->v->problem) return w->v->problem(w->v->ctx, &cit, what);
    return CBZ_OK;
}

static cbz_status walk_item(cbz_walker *w, int fi, uint32_t apos, uint32_t spos, cbz_walk_item *it,
                            bool silent, uint64_t *used)
{
    const cbz_layout *L = w->layout;
    const cbz_field *f = &L->fields[fi];
    const cbz_walk_visitor *v = w->v;
    silent = silent || w->skip[fi];
    bool is_table = f->occurs_max > 0;
    int depth = it->depth, nsub = it->n_subscripts;
    it->field = fi;
    it->f = f;
    it->offset = apos;
    it->static_offset = spos;
    it->bytes = NULL;
    w->apos[fi] = apos;
    w->spos[fi] = spos;

    uint32_t count = 1;
    if (is_table) {
        if (f->depending_on >= 0) CBZ_TRY(odo_count(w, f, it, &count));
        else count = f->occurs_max;
        it->field = fi; it->f = f; it->offset = apos; it->static_offset = spos;
        if (!silent && v && v->array_begin) CBZ_TRY(v->array_begin(v->ctx, it, count));
        if (nsub >= 7) return cbz_fail(w->err, CBZ_ERR_UNSUPPORTED, "%s: more than 7 nested OCCURS", f->name);
    }
    uint64_t total = 0;
    for (uint32_t e = 0; e < count; e++) {
        uint64_t ea = (uint64_t)apos + total;
        uint32_t es = spos + e * f->size;
        if (ea > UINT32_MAX) ea = UINT32_MAX - 1;
        w->apos[fi] = (uint32_t)ea;
        w->spos[fi] = es;
        it->field = fi;
        it->f = f;
        it->depth = depth;
        it->n_subscripts = nsub;
        if (is_table) it->subscripts[it->n_subscripts++] = e + 1;
        it->offset = (uint32_t)ea;
        it->static_offset = es;
        uint64_t elem = f->size;
        if (f->first_child >= 0 && f->category == CBZ_CAT_GROUP) {
            it->bytes = NULL;
            if (!silent && v && v->group_begin) CBZ_TRY(v->group_begin(v->ctx, it));
            uint64_t shrink = 0;
            cbz_walk_item child = *it;
            for (int c = f->first_child; c >= 0; c = L->fields[c].next_sibling) {
                const cbz_field *cf = &L->fields[c];
                if (!walked_kind(cf)) continue;
                uint32_t rel = cf->offset - f->offset;
                uint64_t ca, cs;
                if (cf->redefines >= 0 && (size_t)cf->redefines < L->n_fields &&
                    w->apos[cf->redefines] != UINT32_MAX) {
                    ca = w->apos[cf->redefines];
                    cs = w->spos[cf->redefines];
                } else {
                    ca = ea + rel - shrink;
                    cs = (uint64_t)es + rel;
                }
                child.depth = depth + 1;
                child.n_subscripts = it->n_subscripts;
                memcpy(child.subscripts, it->subscripts, sizeof child.subscripts);
                uint64_t cu = 0;
                CBZ_TRY(walk_item(w, c, (uint32_t)ca, (uint32_t)cs, &child, silent, &cu));
                uint64_t cstatic = (uint64_t)cf->size * (cf->occurs_max ? cf->occurs_max : 1);
                if (cf->redefines < 0 && cu < cstatic) shrink += cstatic - cu;
            }
            it->field = fi; it->f = f; it->offset = (uint32_t)ea; it->static_offset = es;
            it->depth = depth; it->bytes = NULL;
            if (!silent && v && v->group_end) CBZ_TRY(v->group_end(v->ctx, it));
            elem = shrink < f->size ? f->size - shrink : 0;
        } else {
            it->bytes = ea + f->size <= w->len ? w->rec + ea : NULL;
            if (!silent && v && v->value) CBZ_TRY(v->value(v->ctx, it));
        }
        total += w->static_tables ? f->size : elem;
    }
    if (w->static_tables) total = (uint64_t)f->size * (is_table ? f->occurs_max : 1);
    if (is_table) {
        it->field = fi; it->f = f; it->offset = apos; it->static_offset = spos;
        it->depth = depth; it->n_subscripts = nsub; it->bytes = NULL;
        if (!silent && v && v->array_end) CBZ_TRY(v->array_end(v->ctx, it));
    }
    *used = total;
    return CBZ_OK;
}

cbz_status cbz_walk_record(cbz_walker *w, const uint8_t *rec, size_t len, const cbz_walk_visitor *v,
                           size_t *actual_len, cbz_error *err)
{
    const cbz_layout *L = w->layout;
    w->rec = rec;
    w->len = len;
    w->v = v;
    w->err = err;
    for (size_t i = 0; i < L->n_fields; i++) w->apos[i] = w->spos[i] = UINT32_MAX;
    uint64_t end = 0;
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *f = &L->fields[i];
        if (f->parent != -1 || !walked_kind(f)) continue;
        cbz_walk_item it = { 0 };
        uint64_t used = 0;
        CBZ_TRY(walk_item(w, (int)i, f->offset, f->offset, &it, false, &used));
        if (f->offset + used > end) end = f->offset + used;
    }
    if (actual_len) *actual_len = (size_t)end;
    return CBZ_OK;
}
