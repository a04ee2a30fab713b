/*
 * layout.c — from typed fields to a record layout: static offsets (OCCURS
 * DEPENDING ON at its maximum), group sizes, IBM SYNCHRONIZED slack bytes,
 * the placement of 66 and 88 entries, the expansion of every OCCURS element
 * into cbz_layout.columns, and the human / JSON printing and name lookup.
 *
 * Offsets:
 *  - every 01 (and 77) record starts at offset 0: several records in one
 *    copybook are views of the same bytes; record_size is the largest;
 *  - an item that REDEFINES another starts where it starts; the next item
 *    starts after the longer of the two; a group is as long as its furthest
 *    child reaches;
 *  - a SYNC binary item is aligned on its size (2, 4 or 8), COMP-1 on 4,
 *    COMP-2 on 8, INDEX and POINTER on 4, relative to the start of the record;
 *    the slack bytes before it belong to the group that holds it.  A group
 *    with OCCURS that holds SYNC items is padded to a multiple of their
 *    largest alignment so that every occurrence stays aligned;
 *  - 88 entries carry the offset and size of their item, 66 entries the span
 *    from the first renamed item to the end of the last.
 */
#include "copybook.h"

#include <stdio.h>
#include <strings.h>

static uint32_t natural_alignment(const cbz_field *f)
{
    if (!f->is_sync || f->category == CBZ_CAT_GROUP) return 1;
    switch (f->usage) {
    case CBZ_USAGE_BINARY:
    case CBZ_USAGE_COMP5: return f->size;
    case CBZ_USAGE_COMP1:
    case CBZ_USAGE_INDEX:
    case CBZ_USAGE_POINTER: return 4;
    case CBZ_USAGE_COMP2: return 8;
    default: return 1;
    }
}

static uint64_t occurrences(const cbz_field *f) { return f->occurs_max ? f->occurs_max : 1; }

static bool is_data(const cbz_field *f) { return f->level != 88 && f->level != 66; }

typedef struct placer {
    cbz_layout *L;
    cbz_error *err;
    uint32_t *align; /* largest alignment inside each group */
} placer;

static cbz_status too_big(placer *pl, size_t i)
{
    const cbz_field *f = &pl->L->fields[i];
    return cbz_fail(pl->err, CBZ_ERR_COPYBOOK,
                    "%s:%d:%d: item '%s' makes the record larger than 2 GiB", pl->L->source_name ? pl->L->source_name : "copybook",
                    f->line, f->column, f->name);
}

/* Places field i at offset off; *end gets the first byte after all of its
 * occurrences. */
static cbz_status place(placer *pl, int i, uint64_t off, uint64_t *end, int depth)
{
    cbz_field *fields = pl->L->fields;
    cbz_field *f = &fields[i];
    if (depth > 200) return too_big(pl, (size_t)i);
    if (f->category != CBZ_CAT_GROUP) {
        uint32_t a = natural_alignment(f);
        uint64_t slack = a > 1 ? (a - off % a) % a : 0;
        pl->align[i] = a;
        if (off + slack >= CBZ_CB_MAX_RECORD) return too_big(pl, (size_t)i);
        f->offset = (uint32_t)(off + slack);
        *end = f->offset + (uint64_t)f->size * occurrences(f);
        if (*end > CBZ_CB_MAX_RECORD) return too_big(pl, (size_t)i);
        return CBZ_OK;
    }
    f->offset = (uint32_t)off;
    uint64_t cur = off, reach = off;
    uint32_t a = 1;
    for (int k = f->first_child; k >= 0; k = fields[k].next_sibling) {
        if (!is_data(&fields[k])) continue;
        uint64_t start = fields[k].redefines >= 0 ? fields[fields[k].redefines].offset : cur;
        uint64_t e;
        CBZ_TRY(place(pl, k, start, &e, depth + 1));
        if (e > cur) cur = e;
        if (e > reach) reach = e;
        if (pl->align[k] > a) a = pl->align[k];
    }
    uint64_t size = reach - off;
    if (f->occurs_max && a > 1) size = (size + a - 1) / a * a;
    pl->align[i] = a;
    if (size > UINT32_MAX) return too_big(pl, (size_t)i);
    f->size = (uint32_t)size;
    *end = off + size * occurrences(f);
    if (*end > CBZ_CB_MAX_RECORD) return too_big(pl, (size_t)i);
    return CBZ_OK;
}

/* Counts the columns under field i (all occurrences), saturating. */
static uint64_t count_columns(const cbz_layout *L, int i, int depth)
{
    const cbz_field *f = &L->fields[i];
    if (depth > 200) return UINT64_MAX / 2;
    uint64_t per;
    if (f->category != CBZ_CAT_GROUP) {
        per = 1;
    } else {
        per = 0;
        for (int k = f->first_child; k >= 0; k = L->fields[k].next_sibling) {
            if (!is_data(&L->fields[k])) continue;
            per += count_columns(L, k, depth + 1);
            if (per > CBZ_CB_MAX_COLUMNS) return per;
        }
    }
    uint64_t n = per * occurrences(f);
    return n;
}

typedef struct emitter {
    cbz_layout *L;
    uint32_t subs[CBZ_CB_MAX_NESTING];
    int n_subs;
    cbz_error *err;
} emitter;

static cbz_status emit(emitter *e, int i, uint64_t delta)
{
    cbz_layout *L = e->L;
    const cbz_field *f = &L->fields[i];
    uint64_t n = occurrences(f);
    if (f->occurs_max && e->n_subs == CBZ_CB_MAX_NESTING)
        return cbz_fail(e->err, CBZ_ERR_UNSUPPORTED, "%s:%d:%d: '%s' is inside more than %d OCCURS levels",
                        L->source_name ? L->source_name : "copybook", f->line, f->column, f->name,
                        CBZ_CB_MAX_NESTING);
    for (uint64_t k = 0; k < n; k++) {
        uint64_t d = delta + k * f->size;
        if (f->occurs_max) e->subs[e->n_subs++] = (uint32_t)(k + 1);
        if (f->category != CBZ_CAT_GROUP) {
            cbz_column *c = &L->columns[L->n_columns++];
            memset(c, 0, sizeof *c);
            c->field = i;
            c->offset = (uint32_t)(f->offset + d);
            c->size = f->size;
            c->n_subscripts = e->n_subs;
            memcpy(c->subscripts, e->subs, sizeof(uint32_t) * (size_t)e->n_subs);
            int w = snprintf(c->name, sizeof c->name, "%s", f->name);
            for (int s = 0; s < e->n_subs && w > 0 && (size_t)w < sizeof c->name; s++)
                w += snprintf(c->name + w, sizeof c->name - (size_t)w, "%s%u", s ? "," : "(", e->subs[s]);
            if (e->n_subs && w > 0 && (size_t)w < sizeof c->name) snprintf(c->name + w, sizeof c->name - (size_t)w, ")");
        } else {
            for (int k2 = f->first_child; k2 >= 0; k2 = L->fields[k2].next_sibling) {
                if (!is_data(&L->fields[k2])) continue;
                CBZ_TRY(emit(e, k2, d));
            }
        }
        if (f->occurs_max) e->n_subs--;
    }
    return CBZ_OK;
}

cbz_status cbz_layout_compute(cbz_layout *L, cbz_error *err)
{
    placer pl = { L, err, calloc(L->n_fields ? L->n_fields : 1, sizeof(uint32_t)) };
    if (!pl.align) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    cbz_status st = CBZ_OK;
    uint64_t record = 0;
    for (size_t i = 0; i < L->n_fields && st == CBZ_OK; i++) {
        if (L->fields[i].parent >= 0 || !is_data(&L->fields[i])) continue;
        uint64_t end;
        st = place(&pl, (int)i, 0, &end, 0);
        if (end > record) record = end;
    }
    free(pl.align);
    if (st != CBZ_OK) return st;
    L->record_size = (uint32_t)record;
    L->has_odo = false;
    for (size_t i = 0; i < L->n_fields; i++) {
        cbz_field *f = &L->fields[i];
        if (f->depending_on >= 0) L->has_odo = true;
        if (f->level == 88 && f->parent >= 0) {
            f->offset = L->fields[f->parent].offset;
            f->size = L->fields[f->parent].size;
        }
        if (f->level == 66) {
            const cbz_field *a = &L->fields[f->renames_from], *b = &L->fields[f->renames_thru];
            uint64_t end = b->offset + (uint64_t)b->size * occurrences(b);
            if (end <= a->offset)
                return cbz_fail(err, CBZ_ERR_COPYBOOK, "%s:%d:%d: RENAMES '%s' THRU '%s': the last item ends before the first begins",
                                L->source_name ? L->source_name : "copybook", f->line, f->column, a->name, b->name);
            f->offset = a->offset;
            f->size = (uint32_t)(end - a->offset);
        }
    }
    uint64_t n = 0;
    for (size_t i = 0; i < L->n_fields; i++) {
        if (L->fields[i].parent >= 0 || !is_data(&L->fields[i])) continue;
        n += count_columns(L, (int)i, 0);
        if (n > CBZ_CB_MAX_COLUMNS)
            return cbz_fail(err, CBZ_ERR_UNSUPPORTED, "the copybook expands to more than %u columns (OCCURS elements)",
                            CBZ_CB_MAX_COLUMNS);
    }
    L->columns = calloc(n ? n : 1, sizeof *L->columns);
    if (!L->columns) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory for %llu columns", (unsigned long long)n);
    L->n_columns = 0;
    emitter e = { L, { 0 }, 0, err };
    for (size_t i = 0; i < L->n_fields; i++) {
        if (L->fields[i].parent >= 0 || !is_data(&L->fields[i])) continue;
        CBZ_TRY(emit(&e, (int)i, 0));
    }
    return CBZ_OK;
}

/* ---- lookup ------------------------------------------------------------- */

int cbz_layout_resolve(const cbz_layout *L, size_t first, size_t last, const char *const *names,
                       size_t n, bool want_conditions)
{
    if (!L || !names || n == 0) return -1;
    if (last > L->n_fields) last = L->n_fields;
    for (size_t i = first; i < last; i++) {
        const cbz_field *f = &L->fields[i];
        if (f->level == 88 && !want_conditions) continue;
        if (strcasecmp(f->name, names[0]) != 0) continue;
        size_t q = 1;
        for (int a = f->parent; a >= 0 && q < n; a = L->fields[a].parent)
            if (strcasecmp(L->fields[a].name, names[q]) == 0) q++;
        if (q == n) return (int)i;
    }
    return -1;
}

int cbz_layout_find(const cbz_layout *L, const char *name)
{
    if (!L || !name) return -1;
    /* "A OF B IN C" qualifies; anything else is one name. */
    char buf[4 * CBZ_NAME_MAX * 2];
    const char *parts[8];
    size_t n = 0;
    if (strlen(name) >= sizeof buf) return -1;
    strcpy(buf, name);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (strcasecmp(tok, "OF") == 0 || strcasecmp(tok, "IN") == 0) continue;
        if (n == 8) return -1;
        parts[n++] = tok;
    }
    if (n == 0) return -1;
    return cbz_layout_resolve(L, 0, L->n_fields, parts, n, true);
}

void cbz_layout_free(cbz_layout *L)
{
    if (!L) return;
    for (size_t i = 0; i < L->n_fields; i++) free(L->fields[i].value);
    free(L->fields);
    free(L->columns);
    free(L->source_name);
    free(L->expanded_text);
    free(L);
}

/* ---- printing ----------------------------------------------------------- */

static const char *usage_name(cbz_usage u)
{
    switch (u) {
    case CBZ_USAGE_DISPLAY: return "DISPLAY";
    case CBZ_USAGE_BINARY: return "COMP";
    case CBZ_USAGE_COMP5: return "COMP-5";
    case CBZ_USAGE_PACKED: return "COMP-3";
    case CBZ_USAGE_COMP1: return "COMP-1";
    case CBZ_USAGE_COMP2: return "COMP-2";
    case CBZ_USAGE_NATIONAL: return "NATIONAL";
    case CBZ_USAGE_INDEX: return "INDEX";
    case CBZ_USAGE_POINTER: return "POINTER";
    }
    return "?";
}

static const char *category_name(cbz_category c)
{
    static const char *const names[] = { "group", "alphanumeric", "alphabetic", "numeric",
                                         "numeric-edited", "alphanumeric-edited", "national",
                                         "float", "condition", "renames" };
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

static const char *sign_name(cbz_sign s)
{
    static const char *const names[] = { "none", "trailing", "leading", "trailing-separate",
                                         "leading-separate" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static int depth_of(const cbz_layout *L, size_t i)
{
    int d = 0;
    for (int a = L->fields[i].parent; a >= 0 && d < 64; a = L->fields[a].parent) d++;
    return d;
}

static void print_json(const cbz_layout *L, FILE *out)
{
    fprintf(out, "{\"source\": ");
    json_string(out, L->source_name ? L->source_name : "");
    fprintf(out, ", \"record_size\": %u, \"has_odo\": %s, \"offsets\": \"0-based\",\n \"fields\": [\n",
            L->record_size, L->has_odo ? "true" : "false");
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *f = &L->fields[i];
        fprintf(out, "  {\"index\": %zu, \"level\": %d, \"name\": ", i, f->level);
        json_string(out, f->name);
        fprintf(out, ", \"parent\": %d, \"category\": \"%s\", \"usage\": \"%s\", \"pic\": ", f->parent,
                category_name(f->category), usage_name(f->usage));
        json_string(out, f->pic);
        fprintf(out,
                ", \"offset\": %u, \"size\": %u, \"digits\": %d, \"scale\": %d, \"signed\": %s, \"sign\": "
                "\"%s\", \"filler\": %s, \"sync\": %s, \"justified\": %s, \"blank_when_zero\": %s, "
                "\"explicit_point\": %s",
                f->offset, f->size, f->digits, f->scale, f->is_signed ? "true" : "false", sign_name(f->sign),
                f->is_filler ? "true" : "false", f->is_sync ? "true" : "false",
                f->is_justified ? "true" : "false", f->blank_when_zero ? "true" : "false",
                f->explicit_point ? "true" : "false");
        if (f->occurs_max) fprintf(out, ", \"occurs_min\": %u, \"occurs_max\": %u", f->occurs_min, f->occurs_max);
        if (f->depending_on >= 0) fprintf(out, ", \"depending_on\": %d", f->depending_on);
        if (f->redefines >= 0) fprintf(out, ", \"redefines\": %d", f->redefines);
        if (f->renames_from >= 0) fprintf(out, ", \"renames_from\": %d, \"renames_thru\": %d", f->renames_from, f->renames_thru);
        if (f->value) {
            fprintf(out, ", \"value\": ");
            json_string(out, f->value);
        }
        fprintf(out, ", \"line\": %d, \"column\": %d}%s\n", f->line, f->column, i + 1 < L->n_fields ? "," : "");
    }
    fprintf(out, " ],\n \"columns\": [\n");
    for (size_t i = 0; i < L->n_columns; i++) {
        const cbz_column *c = &L->columns[i];
        fprintf(out, "  {\"name\": ");
        json_string(out, c->name);
        fprintf(out, ", \"field\": %d, \"offset\": %u, \"size\": %u}%s\n", c->field, c->offset, c->size,
                i + 1 < L->n_columns ? "," : "");
    }
    fprintf(out, " ]\n}\n");
}

static void print_table(const cbz_layout *L, FILE *out)
{
    fprintf(out, "%-44s %-24s %8s %8s %8s  %s\n", "LEVEL NAME", "PIC / USAGE", "START", "END", "LENGTH",
            "OCCURS / NOTES");
    for (size_t i = 0; i < L->n_fields; i++) {
        const cbz_field *f = &L->fields[i];
        char left[128], type[128], notes[256];
        int d = depth_of(L, i);
        snprintf(left, sizeof left, "%*s%02d %s", 2 * (d > 10 ? 10 : d), "", f->level, f->name);
        notes[0] = '\0';
        size_t nl = 0;
#define NOTE(...) \
    do { \
        if (nl < sizeof notes) nl += (size_t)snprintf(notes + nl, sizeof notes - nl, __VA_ARGS__); \
    } while (0)
        if (f->category == CBZ_CAT_GROUP)
            snprintf(type, sizeof type, "%s", f->usage == CBZ_USAGE_DISPLAY ? "group" : usage_name(f->usage));
        else if (f->category == CBZ_CAT_CONDITION || f->category == CBZ_CAT_RENAMES)
            type[0] = '\0';
        else if (f->pic[0])
            snprintf(type, sizeof type, "%s%s%s", f->pic, f->usage == CBZ_USAGE_DISPLAY ? "" : " ",
                     f->usage == CBZ_USAGE_DISPLAY ? "" : usage_name(f->usage));
        else
            snprintf(type, sizeof type, "%s", usage_name(f->usage));
        if (f->occurs_max) {
            if (f->depending_on >= 0)
                NOTE("%u TO %u DEPENDING ON %s", f->occurs_min, f->occurs_max, L->fields[f->depending_on].name);
            else
                NOTE("%u", f->occurs_max);
        }
        if (f->redefines >= 0) NOTE("%sREDEFINES %s", nl ? "; " : "", L->fields[f->redefines].name);
        if (f->sign == CBZ_SIGN_LEADING || f->sign == CBZ_SIGN_LEADING_SEPARATE ||
            f->sign == CBZ_SIGN_TRAILING_SEPARATE)
            NOTE("%sSIGN %s", nl ? "; " : "", sign_name(f->sign));
        if (f->is_sync) NOTE("%sSYNC", nl ? "; " : "");
        if (f->renames_from >= 0)
            NOTE("RENAMES %s THRU %s", L->fields[f->renames_from].name, L->fields[f->renames_thru].name);
        if (f->value) NOTE("%sVALUE %s", nl ? "; " : "", f->value);
#undef NOTE
        if (f->category == CBZ_CAT_CONDITION) {
            fprintf(out, "%-44s %-24s %8s %8s %8s  %s\n", left, type, "", "", "", notes);
        } else {
            uint64_t total = (uint64_t)f->size * (f->occurs_max ? f->occurs_max : 1);
            uint64_t end = f->offset + total;
            fprintf(out, "%-44s %-24s %8u %8llu %8u  %s\n", left, type, f->offset + 1,
                    (unsigned long long)(total ? end : f->offset + 1), f->size, notes);
        }
    }
    fprintf(out, "record length %u%s\n", L->record_size, L->has_odo ? " (OCCURS DEPENDING ON at maximum)" : "");
}

cbz_status cbz_layout_print(const cbz_layout *L, FILE *out, bool json, cbz_error *err)
{
    if (!L || !out) return cbz_fail(err, CBZ_ERR_USAGE, "cbz_layout_print: layout or stream is NULL");
    if (json) print_json(L, out);
    else print_table(L, out);
    if (fflush(out) != 0 || ferror(out)) return cbz_fail(err, CBZ_ERR_IO, "writing the layout failed");
    return CBZ_OK;
}
