/*
 * job_parse.c — job decks (YAML) to cbz_job: the deck's shape, ${name}
 * symbolic substitution from params: and --param, and every check that can
 * be made before anything runs.  Each error names the deck's line:column and
 * what was expected there.
 */
#include "job.h"
#include "internal.h"
#include "yaml_wrap.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>

const char *cbz_pgm_name(cbz_pgm p)
{
    static const char *const names[CBZ_PGM_COUNT] = { "compress", "decompress", "verify", "convert", "encode", "delete" };
    return (unsigned)p < CBZ_PGM_COUNT ? names[p] : "?";
}

const char *cbz_disp_status_name(cbz_disp_status s)
{
    switch (s) {
    case CBZ_DISP_NONE: return "-";
    case CBZ_DISP_NEW: return "NEW";
    case CBZ_DISP_OLD: return "OLD";
    case CBZ_DISP_SHR: return "SHR";
    case CBZ_DISP_MOD: return "MOD";
    }
    return "?";
}

const char *cbz_disp_end_name(cbz_disp_end e)
{
    switch (e) {
    case CBZ_DISP_KEEP: return "KEEP";
    case CBZ_DISP_CATLG: return "CATLG";
    case CBZ_DISP_DELETE: return "DELETE";
    }
    return "?";
}

/* ------------------------------------------------------------ substitution */

static bool sym_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

cbz_status cbz_job_substitute(const char *text, const cbz_job_param *params, size_t n_params, char **out,
                              size_t *err_pos, cbz_error *err)
{
    *out = NULL;
    cbz_buf b;
    cbz_buf_init(&b);
    cbz_status st = CBZ_OK;
    for (size_t i = 0; text[i] && st == CBZ_OK;) {
        if (text[i] == '$' && text[i + 1] == '$' && text[i + 2] == '{') {
            st = cbz_buf_append(&b, "${", 2);
            i += 3;
            continue;
        }
        if (!(text[i] == '$' && text[i + 1] == '{')) {
            st = cbz_buf_put_u8(&b, (uint8_t)text[i++]);
            continue;
        }
        size_t start = i + 2, j = start;
        while (text[j] && sym_char(text[j], j == start)) j++;
        if (text[j] != '}' || j == start) {
            if (err_pos) *err_pos = i + 1;
            st = cbz_fail(err, CBZ_ERR_JOB, "at character %zu: '${' must be followed by a name and '}' "
                          "(letters, digits, _; write $${ for a literal ${)", i + 1);
            break;
        }
        size_t len = j - start;
        const cbz_job_param *hit = NULL;
        for (size_t k = 0; k < n_params && !hit; k++)
            if (strlen(params[k].name) == len && strncmp(params[k].name, text + start, len) == 0) hit = &params[k];
        if (!hit) {
            if (err_pos) *err_pos = i + 1;
            st = cbz_fail(err, CBZ_ERR_JOB, "at character %zu: unknown symbol ${%.*s} (define it under params: "
                          "or with --param %.*s=VALUE)", i + 1, (int)len, text + start, (int)len, text + start);
            break;
        }
        st = cbz_buf_append(&b, hit->value, strlen(hit->value));
        i = j + 1;
    }
    if (st == CBZ_OK) st = cbz_buf_put_u8(&b, 0);
    if (st != CBZ_OK) {
        cbz_buf_free(&b);
        return st;
    }
    *out = (char *)b.data;
    return CBZ_OK;
}

/* ------------------------------------------------------------ deck context */

typedef struct deck {
    const char *name;                /* deck file name for messages */
    cbz_job_param *params;           /* merged: --param first, then params:, then JOB */
    size_t n_params;
    cbz_error *err;
} deck;

static cbz_status at(const deck *d, const cbz_ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cbz_status at(const deck *d, const cbz_ynode *n, const char *fmt, ...)
{
    char msg[CBZ_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cbz_fail(d->err, CBZ_ERR_JOB, "%s:%d:%d: %s", d->name, n->line, n->column, msg);
}

static cbz_status want_kind(const deck *d, const cbz_ynode *n, cbz_ykind k, const char *what)
{
    if (n->kind == k) return CBZ_OK;
    return at(d, n, "expected %s (a %s), found a %s", what, cbz_ykind_name(k), cbz_ykind_name(n->kind));
}

/* Unknown keys are errors: a misspelt key must not be silently ignored. */
static cbz_status check_keys(const deck *d, const cbz_ynode *map, const char *const *allowed, const char *where)
{
    for (size_t i = 0; i < map->n; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, map->keys[i]->scalar) == 0;
        if (ok) continue;
        char list[300] = "";
        for (const char *const *a = allowed; *a; a++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", *a);
        }
        return at(d, map->keys[i], "unknown key '%s' in %s (expected one of: %s)", map->keys[i]->scalar, where, list);
    }
    return CBZ_OK;
}

/* A scalar value after ${name} substitution (caller frees). */
static cbz_status scalar_value(const deck *d, const cbz_ynode *n, const char *what, char **out)
{
    *out = NULL;
    CBZ_TRY(want_kind(d, n, CBZ_Y_SCALAR, what));
    cbz_error sub = { 0 };
    size_t pos = 0;
    if (cbz_job_substitute(n->scalar, d->params, d->n_params, out, &pos, &sub) != CBZ_OK) {
        if (sub.code == CBZ_ERR_NOMEM) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
        return at(d, n, "in %s: %s", what, sub.msg);
    }
    return CBZ_OK;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CBZ_JOB_NAME_MAX || !isalpha((unsigned char)s[0])) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '#' && c != '@' && c != '$' && c != '-') return false;
    }
    return true;
}

static bool is_bool_word(const cbz_ynode *n, bool *v)
{
    if (n->kind != CBZ_Y_SCALAR || n->quoted) return false;
    const char *s = n->scalar;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) { *v = true; return true; }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) { *v = false; return true; }
    return false;
}

/* ------------------------------------------------------------- freeing */

static void dd_free(cbz_job_dd *dd)
{
    for (size_t i = 0; i < dd->n_dsn; i++) free(dd->dsn[i]);
    free(dd->dsn);
    free(dd->recfm);
}

static void parm_free(cbz_job_parm *p)
{
    free(p->key);
    for (size_t i = 0; i < p->n_values; i++) free(p->values[i]);
    free(p->values);
}

static void step_free(cbz_job_step *s)
{
    for (size_t i = 0; i < s->n_dds; i++) dd_free(&s->dds[i]);
    free(s->dds);
    for (size_t i = 0; i < s->n_parms; i++) parm_free(&s->parms[i]);
    free(s->parms);
    cbz_cond_free(s->if_cond);
    free(s->if_text);
    free(s->cond_text);
}

void cbz_job_free(cbz_job *job)
{
    if (!job) return;
    for (size_t i = 0; i < job->n_steps; i++) step_free(&job->steps[i]);
    free(job->steps);
    free(job->deck_path);
    free(job->deck_dir);
    free(job);
}

const cbz_job_dd *cbz_job_step_dd(const cbz_job_step *s, const char *ddname)
{
    for (size_t i = 0; i < s->n_dds; i++)
        if (strcmp(s->dds[i].name, ddname) == 0) return &s->dds[i];
    return NULL;
}

const cbz_job_parm *cbz_job_step_parm(const cbz_job_step *s, const char *key)
{
    for (size_t i = 0; i < s->n_parms; i++)
        if (strcmp(s->parms[i].key, key) == 0) return &s->parms[i];
    return NULL;
}

int cbz_job_find_step(const cbz_job *job, const char *name)
{
    for (size_t i = 0; i < job->n_steps; i++)
        if (strcasecmp(job->steps[i].name, name) == 0) return (int)i;
    return -1;
}

/* ------------------------------------------------------------- DD names */

typedef enum dd_role { ROLE_INPUT, ROLE_OUTPUT, ROLE_PRINT, ROLE_DELETE } dd_role;

typedef struct dd_rule {
    const char *name;
    dd_role role;
    bool multi;        /* several dsns allowed */
    bool mod_ok;       /* MOD (append) allowed */
    unsigned required; /* bit per pgm */
    unsigned allowed;  /* bit per pgm */
} dd_rule;

#define P(x) (1u << CBZ_PGM_##x)
#define ALL_CHILD (P(COMPRESS) | P(DECOMPRESS) | P(VERIFY) | P(CONVERT) | P(ENCODE))
static const dd_rule dd_rules[] = {
    { "SYSUT1", ROLE_INPUT, true, false, ALL_CHILD, ALL_CHILD },
    { "SYSUT2", ROLE_OUTPUT, false, true, P(COMPRESS) | P(CONVERT) | P(ENCODE), P(COMPRESS) | P(DECOMPRESS) | P(CONVERT) | P(ENCODE) },
    { "COPYBOOK", ROLE_INPUT, false, false, P(CONVERT) | P(ENCODE), P(COMPRESS) | P(CONVERT) | P(ENCODE) },
    { "SYSLIB", ROLE_INPUT, true, false, 0, P(COMPRESS) | P(CONVERT) | P(ENCODE) },
    { "SYSPRINT", ROLE_PRINT, false, true, 0, ALL_CHILD },
    { "REJECTS", ROLE_OUTPUT, false, true, 0, P(CONVERT) | P(ENCODE) },
};
#define N_DD_RULES (sizeof dd_rules / sizeof dd_rules[0])

/* The delete program's SYSUT1 is the list of datasets to delete. */
static const dd_rule delete_rule = { "SYSUT1", ROLE_DELETE, true, false, P(DELETE), P(DELETE) };

static cbz_status parse_disp_word(const deck *d, const cbz_ynode *n, const char *w, int pos, int *out)
{
    static const char *const st[] = { "NEW", "OLD", "SHR", "MOD" };
    static const char *const end[] = { "KEEP", "CATLG", "DELETE" };
    if (pos == 0) {
        for (int i = 0; i < 4; i++)
            if (strcasecmp(w, st[i]) == 0) { *out = i + 1; return CBZ_OK; }
        return at(d, n, "DISP status '%s': expected NEW, OLD, SHR or MOD", w);
    }
    for (int i = 0; i < 3; i++)
        if (strcasecmp(w, end[i]) == 0) { *out = i; return CBZ_OK; }
    if (strcasecmp(w, "PASS") == 0 || strcasecmp(w, "UNCATLG") == 0)
        return at(d, n, "DISP %s is not supported here (expected KEEP, CATLG or DELETE)", w);
    return at(d, n, "DISP %s disposition '%s': expected KEEP, CATLG or DELETE", pos == 1 ? "normal" : "abnormal", w);
}

/* disp: NEW | [NEW, CATLG, DELETE] | "(NEW,CATLG,DELETE)" */
static cbz_status parse_disp(const deck *d, const cbz_ynode *n, int vals[3], int *count)
{
    *count = 0;
    if (n->kind == CBZ_Y_SEQ) {
        if (n->n < 1 || n->n > 3) return at(d, n, "DISP wants 1 to 3 items [status, normal, abnormal]");
        for (size_t i = 0; i < n->n; i++) {
            CBZ_TRY(want_kind(d, n->items[i], CBZ_Y_SCALAR, "a DISP word"));
            CBZ_TRY(parse_disp_word(d, n->items[i], n->items[i]->scalar, (int)i, &vals[i]));
        }
        *count = (int)n->n;
        return CBZ_OK;
    }
    CBZ_TRY(want_kind(d, n, CBZ_Y_SCALAR, "DISP"));
    char buf[80];
    snprintf(buf, sizeof buf, "%s", n->scalar);
    char *s = buf;
    size_t l = strlen(s);
    if (l >= 2 && s[0] == '(' && s[l - 1] == ')') { s[l - 1] = '\0'; s++; }
    int i = 0;
    for (char *save = NULL, *w = strtok_r(s, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        if (i >= 3) return at(d, n, "DISP wants at most 3 items (status, normal, abnormal)");
        CBZ_TRY(parse_disp_word(d, n, w, i, &vals[i]));
        i++;
    }
    if (i == 0) return at(d, n, "DISP is empty; expected NEW, OLD, SHR or MOD");
    *count = i;
    return CBZ_OK;
}

static cbz_status push_dsn(const deck *d, cbz_job_dd *dd, const cbz_ynode *n)
{
    char *v;
    CBZ_TRY(scalar_value(d, n, "a dataset name", &v));
    if (!v[0]) {
        free(v);
        return at(d, n, "the dataset name is empty");
    }
    char **grown = realloc(dd->dsn, (dd->n_dsn + 1) * sizeof *grown);
    if (!grown) {
        free(v);
        return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
    }
    dd->dsn = grown;
    dd->dsn[dd->n_dsn++] = v;
    return CBZ_OK;
}

static cbz_status parse_dsn_list(const deck *d, cbz_job_dd *dd, const cbz_ynode *n, const dd_rule *rule)
{
    if (n->kind == CBZ_Y_SEQ) {
        if (!rule->multi) return at(d, n, "DD %s takes one dataset, not a list", rule->name);
        if (n->n == 0) return at(d, n, "DD %s: the list of datasets is empty", rule->name);
        for (size_t i = 0; i < n->n; i++) CBZ_TRY(push_dsn(d, dd, n->items[i]));
        return CBZ_OK;
    }
    return push_dsn(d, dd, n);
}

static cbz_status parse_dd(const deck *d, const cbz_job_step *step, const cbz_ynode *key, const cbz_ynode *n,
                           cbz_job_dd *dd)
{
    const dd_rule *rule = NULL;
    if (step->pgm == CBZ_PGM_DELETE && strcmp(key->scalar, "SYSUT1") == 0) rule = &delete_rule;
    for (size_t i = 0; !rule && i < N_DD_RULES; i++)
        if (strcmp(dd_rules[i].name, key->scalar) == 0) rule = &dd_rules[i];
    if (!rule) return at(d, key, "unknown DD name '%s' (expected SYSUT1, SYSUT2, COPYBOOK, SYSLIB, SYSPRINT or REJECTS)", key->scalar);
    if (!(rule->allowed & (1u << step->pgm)))
        return at(d, key, "DD %s is not used by pgm %s", rule->name, cbz_pgm_name(step->pgm));
    snprintf(dd->name, sizeof dd->name, "%s", rule->name);
    dd->line = key->line;
    dd->column = key->column;
    /* Defaults: inputs SHR,KEEP,KEEP; outputs NEW,CATLG,DELETE; REJECTS keeps its
     * file on failure (that is when it matters); SYSPRINT appends. */
    switch (rule->role) {
    case ROLE_INPUT: dd->status = CBZ_DISP_SHR; dd->normal = CBZ_DISP_KEEP; dd->abnormal = CBZ_DISP_KEEP; break;
    case ROLE_OUTPUT:
        dd->status = CBZ_DISP_NEW; dd->normal = CBZ_DISP_CATLG;
        dd->abnormal = strcmp(rule->name, "REJECTS") == 0 ? CBZ_DISP_KEEP : CBZ_DISP_DELETE;
        break;
    case ROLE_PRINT: dd->status = CBZ_DISP_MOD; dd->normal = CBZ_DISP_KEEP; dd->abnormal = CBZ_DISP_KEEP; break;
    case ROLE_DELETE: dd->status = CBZ_DISP_OLD; dd->normal = CBZ_DISP_KEEP; dd->abnormal = CBZ_DISP_KEEP; break;
    }
    if (n->kind != CBZ_Y_MAP) return parse_dsn_list(d, dd, n, rule);

    static const char *const keys[] = { "dsn", "disp", "recfm", "lrecl", NULL };
    CBZ_TRY(check_keys(d, n, keys, "a DD"));
    const cbz_ynode *dsn = cbz_ynode_get(n, "dsn");
    if (!dsn) return at(d, n, "DD %s needs dsn: (the file or dataset path)", rule->name);
    CBZ_TRY(parse_dsn_list(d, dd, dsn, rule));
    const cbz_ynode *recfm = cbz_ynode_get(n, "recfm"), *lrecl = cbz_ynode_get(n, "lrecl");
    if ((recfm || lrecl) && strcmp(rule->name, "SYSUT1") != 0)
        return at(d, recfm ? recfm : lrecl, "recfm and lrecl belong on the SYSUT1 DD (the records read)");
    if ((recfm || lrecl) && step->pgm != CBZ_PGM_COMPRESS && step->pgm != CBZ_PGM_CONVERT &&
        step->pgm != CBZ_PGM_ENCODE)
        return at(d, recfm ? recfm : lrecl, "recfm and lrecl apply to pgm compress, convert and encode, not %s",
                  cbz_pgm_name(step->pgm));
    if (recfm) {
        CBZ_TRY(scalar_value(d, recfm, "recfm", &dd->recfm));
        cbz_recfm r;
        cbz_error e2 = { 0 };
        if (cbz_recfm_parse(dd->recfm, &r, &e2) != CBZ_OK) return at(d, recfm, "%s", e2.msg);
    }
    if (lrecl) {
        char *v;
        CBZ_TRY(scalar_value(d, lrecl, "lrecl", &v));
        char *end;
        unsigned long x = strtoul(v, &end, 10);
        bool ok = isdigit((unsigned char)v[0]) && !*end && x >= 1 && x <= (1ul << 30);
        free(v);
        if (!ok) return at(d, lrecl, "lrecl wants a record length from 1 to 1073741824");
        dd->lrecl = (uint32_t)x;
    }
    const cbz_ynode *disp = cbz_ynode_get(n, "disp");
    if (disp) {
        if (rule->role == ROLE_DELETE) return at(d, disp, "pgm delete deletes its SYSUT1 datasets; DISP does not apply");
        int vals[3], count;
        CBZ_TRY(parse_disp(d, disp, vals, &count));
        cbz_disp_status s = (cbz_disp_status)vals[0];
        if (rule->role == ROLE_INPUT && (s == CBZ_DISP_NEW || s == CBZ_DISP_MOD))
            return at(d, disp, "DD %s is read: DISP status must be SHR or OLD, not %s", rule->name, cbz_disp_status_name(s));
        if (rule->role != ROLE_INPUT && s == CBZ_DISP_SHR)
            return at(d, disp, "DD %s is written: DISP SHR is for inputs (use NEW, OLD or MOD)", rule->name);
        if (s == CBZ_DISP_MOD && rule->role != ROLE_PRINT &&
            (!rule->mod_ok || (strcmp(rule->name, "SYSUT2") == 0 && step->pgm == CBZ_PGM_COMPRESS)))
            return at(d, disp, "DISP MOD appends to a file; DD %s of pgm %s is not appendable (use NEW, or OLD to replace)",
                      rule->name, cbz_pgm_name(step->pgm));
        dd->status = s;
        dd->normal = CBZ_DISP_CATLG;
        /* JCL: a dataset that existed before the step is kept by default. */
        dd->abnormal = s == CBZ_DISP_NEW ? CBZ_DISP_DELETE : CBZ_DISP_KEEP;
        if (rule->role == ROLE_INPUT) dd->normal = CBZ_DISP_KEEP;
        if (count >= 2) dd->normal = (cbz_disp_end)vals[1];
        if (count >= 3) dd->abnormal = (cbz_disp_end)vals[2];
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------- PARM */

typedef struct parm_rule {
    const char *key;
    unsigned pgms;     /* bit per pgm */
    bool flag;         /* true/false, no argument */
    bool list;         /* a list gives the option once per item */
} parm_rule;

#define RECORD_PGMS (P(COMPRESS) | P(CONVERT) | P(ENCODE))
static const parm_rule parm_rules[] = {
    { "codepage", RECORD_PGMS, false, false },
    { "level", P(COMPRESS), false, false },
    { "chunk_size", P(COMPRESS), false, false },
    { "threads", P(COMPRESS) | P(DECOMPRESS) | P(VERIFY), false, false },
    { "device", P(COMPRESS), false, false },
    { "recfm", RECORD_PGMS, false, false },
    { "lrecl", RECORD_PGMS, false, false },
    { "rdw", RECORD_PGMS, false, false },
    { "rdw_length", RECORD_PGMS, false, false },
    { "float", RECORD_PGMS, false, false },
    { "format", P(CONVERT) | P(ENCODE), false, false },
    { "trim", P(CONVERT), false, false },
    { "select", P(CONVERT), false, true },
    { "fillers", P(CONVERT), true, false },
    { "max_errors", P(CONVERT) | P(ENCODE), false, false },
    { "member", P(DECOMPRESS), false, false },
    { "quiet", ALL_CHILD, true, false },
    { "verbose", ALL_CHILD, true, false },
};
#define N_PARM_RULES (sizeof parm_rules / sizeof parm_rules[0])

static cbz_status parse_parm(const deck *d, const cbz_job_step *step, const cbz_ynode *key, const cbz_ynode *v,
                             cbz_job_parm *p)
{
    const parm_rule *rule = NULL;
    for (size_t i = 0; !rule && i < N_PARM_RULES; i++)
        if (strcmp(parm_rules[i].key, key->scalar) == 0) rule = &parm_rules[i];
    if (!rule || !(rule->pgms & (1u << step->pgm))) {
        char list[400] = "";
        for (size_t i = 0; i < N_PARM_RULES; i++) {
            if (!(parm_rules[i].pgms & (1u << step->pgm))) continue;
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", parm_rules[i].key);
        }
        return at(d, key, "parm '%s' is not an option of pgm %s (expected one of: %s)", key->scalar,
                  cbz_pgm_name(step->pgm), list[0] ? list : "none");
    }
    p->key = strdup(key->scalar);
    if (!p->key) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
    p->line = v->line;
    p->column = v->column;
    if (rule->flag) {
        if (!is_bool_word(v, &p->flag_on)) return at(d, v, "parm %s wants true or false", rule->key);
        p->is_flag = true;
        return CBZ_OK;
    }
    size_t count = v->kind == CBZ_Y_SEQ ? v->n : 1;
    if (v->kind == CBZ_Y_SEQ && !rule->list) return at(d, v, "parm %s takes one value, not a list", rule->key);
    if (v->kind == CBZ_Y_MAP) return at(d, v, "parm %s wants a value, found a map", rule->key);
    if (count == 0) return at(d, v, "parm %s: the list is empty", rule->key);
    p->values = calloc(count, sizeof *p->values);
    if (!p->values) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const cbz_ynode *item = v->kind == CBZ_Y_SEQ ? v->items[i] : v;
        char what[64];
        snprintf(what, sizeof what, "parm %s", rule->key);
        CBZ_TRY(scalar_value(d, item, what, &p->values[i]));
        p->n_values++;
        int ck = cbz_config_key_find(rule->key);
        if (ck >= 0) {
            char canon[CBZ_CONFIG_VALUE_MAX];
            cbz_error e2 = { 0 };
            if (cbz_config_check((cbz_config_key)ck, p->values[i], "parm", canon, &e2) != CBZ_OK)
                return at(d, item, "%s", e2.msg);
            free(p->values[i]);
            p->values[i] = strdup(canon);
            if (!p->values[i]) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
        }
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------- steps */

static cbz_status parse_step(const deck *d, cbz_job *job, const cbz_ynode *n, cbz_job_step *step)
{
    CBZ_TRY(want_kind(d, n, CBZ_Y_MAP, "a step (step:, pgm:, parm:, dd:, if:, cond:)"));
    static const char *const keys[] = { "step", "pgm", "parm", "dd", "if", "cond", NULL };
    CBZ_TRY(check_keys(d, n, keys, "a step"));
    step->line = n->line;
    step->column = n->column;
    const cbz_ynode *name = cbz_ynode_get(n, "step");
    if (!name) return at(d, n, "the step has no 'step:' name");
    CBZ_TRY(want_kind(d, name, CBZ_Y_SCALAR, "a step name"));
    if (!valid_name(name->scalar))
        return at(d, name, "step name '%s': expected 1-32 letters, digits, _ # @ $ -, starting with a letter", name->scalar);
    if (cbz_job_find_step(job, name->scalar) >= 0)
        return at(d, name, "step name '%s' is used twice", name->scalar);
    snprintf(step->name, sizeof step->name, "%s", name->scalar);

    const cbz_ynode *pgm = cbz_ynode_get(n, "pgm");
    if (!pgm) return at(d, n, "step %s has no 'pgm:' (compress, decompress, verify, convert, encode or delete)", step->name);
    CBZ_TRY(want_kind(d, pgm, CBZ_Y_SCALAR, "a program name"));
    int which = -1;
    for (int p = 0; p < CBZ_PGM_COUNT; p++)
        if (strcasecmp(pgm->scalar, cbz_pgm_name((cbz_pgm)p)) == 0) which = p;
    if (which < 0)
        return at(d, pgm, "pgm '%s': expected compress, decompress, verify, convert, encode or delete", pgm->scalar);
    step->pgm = (cbz_pgm)which;

    const cbz_ynode *parm = cbz_ynode_get(n, "parm");
    if (parm) {
        CBZ_TRY(want_kind(d, parm, CBZ_Y_MAP, "parm: a map of options"));
        step->parms = calloc(parm->n ? parm->n : 1, sizeof *step->parms);
        if (!step->parms) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < parm->n; i++) {
            step->n_parms++;
            CBZ_TRY(parse_parm(d, step, parm->keys[i], parm->items[i], &step->parms[i]));
        }
    }

    const cbz_ynode *dd = cbz_ynode_get(n, "dd");
    if (dd) {
        CBZ_TRY(want_kind(d, dd, CBZ_Y_MAP, "dd: a map of DD names to datasets"));
        step->dds = calloc(dd->n ? dd->n : 1, sizeof *step->dds);
        if (!step->dds) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < dd->n; i++) {
            step->n_dds++;
            CBZ_TRY(parse_dd(d, step, dd->keys[i], dd->items[i], &step->dds[i]));
        }
    }
    /* Required DDs and the inputs a program reads exactly one of. */
    const cbz_ynode *where = dd ? dd : n;
    for (size_t r = 0; r < N_DD_RULES; r++) {
        const dd_rule *rule = step->pgm == CBZ_PGM_DELETE && r == 0 ? &delete_rule : &dd_rules[r];
        if ((rule->required & (1u << step->pgm)) && !cbz_job_step_dd(step, rule->name))
            return at(d, where, "step %s (pgm %s) needs DD %s", step->name, cbz_pgm_name(step->pgm), rule->name);
    }
    const cbz_job_dd *in = cbz_job_step_dd(step, "SYSUT1");
    if (in && in->n_dsn > 1 && step->pgm != CBZ_PGM_COMPRESS && step->pgm != CBZ_PGM_DELETE)
        return at(d, dd, "pgm %s reads one SYSUT1 dataset; use one step per file", cbz_pgm_name(step->pgm));
    if (in && in->recfm && cbz_job_step_parm(step, "recfm"))
        return at(d, dd, "recfm is given both on SYSUT1 and in parm; keep one");
    if (in && in->lrecl && cbz_job_step_parm(step, "lrecl"))
        return at(d, dd, "lrecl is given both on SYSUT1 and in parm; keep one");

    /* Conditions may name only the steps before this one. */
    const char *known[512];
    size_t n_known = job->n_steps < 512 ? job->n_steps : 512;
    for (size_t i = 0; i < n_known; i++) known[i] = job->steps[i].name;
    const cbz_ynode *ifn = cbz_ynode_get(n, "if");
    if (ifn) {
        CBZ_TRY(scalar_value(d, ifn, "if", &step->if_text));
        cbz_error e2 = { 0 };
        size_t pos = 0;
        if (cbz_cond_parse(step->if_text, known, n_known, &step->if_cond, &pos, &e2) != CBZ_OK) {
            if (e2.code == CBZ_ERR_NOMEM) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
            return at(d, ifn, "if: %s (expected an expression such as 'STEP010.RC <= 4 AND NOT ABEND')", e2.msg);
        }
    }
    const cbz_ynode *cond = cbz_ynode_get(n, "cond");
    if (cond) {
        /* cond: "(4,LT)" or a YAML list [[4, LT], [8, EQ, STEP010], EVEN]. */
        cbz_buf text;
        cbz_buf_init(&text);
        cbz_status st = CBZ_OK;
        if (cond->kind == CBZ_Y_SCALAR) {
            char *v = NULL;
            st = scalar_value(d, cond, "cond", &v);
            if (st == CBZ_OK) st = cbz_buf_append(&text, v, strlen(v));
            free(v);
        } else if (cond->kind == CBZ_Y_SEQ) {
            bool single = cond->n >= 2 && cond->items[0]->kind == CBZ_Y_SCALAR &&
                          isdigit((unsigned char)cond->items[0]->scalar[0]);
            st = cbz_buf_put_u8(&text, '(');
            for (size_t i = 0; st == CBZ_OK && i < cond->n; i++) {
                const cbz_ynode *it = cond->items[i];
                if (i) st = cbz_buf_put_u8(&text, ',');
                if (st != CBZ_OK) break;
                if (it->kind == CBZ_Y_SCALAR) {
                    st = cbz_buf_append(&text, it->scalar, strlen(it->scalar));
                } else if (it->kind == CBZ_Y_SEQ && !single) {
                    st = cbz_buf_put_u8(&text, '(');
                    for (size_t j = 0; st == CBZ_OK && j < it->n; j++) {
                        if (it->items[j]->kind != CBZ_Y_SCALAR) { st = at(d, it->items[j], "cond: a test holds code, op and step name"); break; }
                        if (j) st = cbz_buf_put_u8(&text, ',');
                        if (st == CBZ_OK) st = cbz_buf_append(&text, it->items[j]->scalar, strlen(it->items[j]->scalar));
                    }
                    if (st == CBZ_OK) st = cbz_buf_put_u8(&text, ')');
                } else {
                    st = at(d, it, "cond: expected a test [code, op, step] or EVEN/ONLY");
                }
            }
            if (st == CBZ_OK) st = cbz_buf_put_u8(&text, ')');
        } else {
            st = at(d, cond, "cond: expected \"(4,LT)\" or a list of tests, found a map");
        }
        if (st == CBZ_OK) st = cbz_buf_put_u8(&text, 0);
        if (st != CBZ_OK) { cbz_buf_free(&text); return st; }
        step->cond_text = (char *)text.data;
        step->has_jcl_cond = true;
        cbz_error e2 = { 0 };
        size_t pos = 0;
        if (cbz_jcl_cond_parse(step->cond_text, known, n_known, &step->jcl_cond, &pos, &e2) != CBZ_OK)
            return at(d, cond, "cond: %s (in '%s'; expected (code,op[,step]) tests and EVEN or ONLY)", e2.msg, step->cond_text);
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------- the job */

static cbz_status parse_job(deck *d, const cbz_ynode *root, const cbz_job_param *overrides, size_t n_overrides,
                            cbz_job *job)
{
    CBZ_TRY(want_kind(d, root, CBZ_Y_MAP, "a job deck (job:, params:, defaults:, steps:)"));
    static const char *const keys[] = { "job", "params", "defaults", "steps", NULL };
    CBZ_TRY(check_keys(d, root, keys, "the job"));
    const cbz_ynode *name = cbz_ynode_get(root, "job");
    if (!name) return at(d, root, "the deck has no 'job:' name");
    CBZ_TRY(want_kind(d, name, CBZ_Y_SCALAR, "the job name"));
    if (!valid_name(name->scalar))
        return at(d, name, "job name '%s': expected 1-32 letters, digits, _ # @ $ -, starting with a letter", name->scalar);
    snprintf(job->name, sizeof job->name, "%s", name->scalar);

    /* Symbols: --param overrides first (they win), then params:, then JOB. */
    const cbz_ynode *params = cbz_ynode_get(root, "params");
    size_t n_deck = 0;
    if (params) {
        CBZ_TRY(want_kind(d, params, CBZ_Y_MAP, "params: a map of symbol names to values"));
        n_deck = params->n;
    }
    d->params = calloc(n_overrides + n_deck + 1, sizeof *d->params);
    if (!d->params) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n_overrides; i++) d->params[d->n_params++] = overrides[i];
    for (size_t i = 0; i < n_deck; i++) {
        const cbz_ynode *k = params->keys[i], *v = params->items[i];
        bool ok = sym_char(k->scalar[0], true);
        for (const char *c = k->scalar; *c && ok; c++) ok = sym_char(*c, false);
        if (!ok) return at(d, k, "symbol name '%s': expected letters, digits and _, starting with a letter", k->scalar);
        CBZ_TRY(want_kind(d, v, CBZ_Y_SCALAR, "a symbol value"));
        if (strstr(v->scalar, "${")) return at(d, v, "params: values are literal; ${...} is not expanded inside params:");
        d->params[d->n_params++] = (cbz_job_param){ k->scalar, v->scalar };
    }
    d->params[d->n_params++] = (cbz_job_param){ "JOB", job->name };

    const cbz_ynode *defaults = cbz_ynode_get(root, "defaults");
    if (defaults) {
        CBZ_TRY(want_kind(d, defaults, CBZ_Y_MAP, "defaults: a map of codepage, level, threads, device, chunk_size"));
        for (size_t i = 0; i < defaults->n; i++) {
            const cbz_ynode *k = defaults->keys[i], *v = defaults->items[i];
            int key = cbz_config_key_find(k->scalar);
            if (key < 0) return at(d, k, "unknown default '%s' (expected codepage, level, threads, device or chunk_size)", k->scalar);
            char *val;
            CBZ_TRY(scalar_value(d, v, k->scalar, &val));
            cbz_config_item *it = &job->defaults[key];
            cbz_error e2 = { 0 };
            cbz_status s = cbz_config_check((cbz_config_key)key, val, "defaults", it->value, &e2);
            free(val);
            if (s != CBZ_OK) return at(d, v, "%s", e2.msg);
            it->source = CBZ_SRC_DECK;
            snprintf(it->origin, sizeof it->origin, "%s:%d:%d", d->name, v->line, v->column);
        }
    }

    const cbz_ynode *steps = cbz_ynode_get(root, "steps");
    if (!steps) return at(d, root, "the deck has no 'steps:' list");
    CBZ_TRY(want_kind(d, steps, CBZ_Y_SEQ, "steps: a list of steps"));
    if (steps->n == 0) return at(d, steps, "steps: the list is empty; a job needs at least one step");
    if (steps->n > 255) return at(d, steps, "a job has at most 255 steps");
    job->steps = calloc(steps->n, sizeof *job->steps);
    if (!job->steps) return cbz_fail(d->err, CBZ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < steps->n; i++) {
        cbz_job_step tmp;
        memset(&tmp, 0, sizeof tmp);
        cbz_status s = parse_step(d, job, steps->items[i], &tmp);
        if (s != CBZ_OK) {
            step_free(&tmp);
            return s;
        }
        job->steps[job->n_steps++] = tmp;
    }
    return CBZ_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

cbz_status cbz_job_parse_text(const char *text, size_t len, const char *name, const cbz_job_param *overrides,
                              size_t n_overrides, cbz_job **out, cbz_error *err)
{
    *out = NULL;
    cbz_ynode *root;
    CBZ_TRY(cbz_yaml_load_text(text, len, name, &root, err));
    cbz_job *job = calloc(1, sizeof *job);
    if (!job) {
        cbz_ynode_free(root);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    job->deck_path = strdup(name);
    job->deck_dir = dir_of(name);
    deck d = { name, NULL, 0, err };
    cbz_status st = job->deck_path && job->deck_dir ? parse_job(&d, root, overrides, n_overrides, job)
                                                    : cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    free(d.params);
    cbz_ynode_free(root);
    if (st != CBZ_OK) {
        cbz_job_free(job);
        return st;
    }
    *out = job;
    return CBZ_OK;
}

cbz_status cbz_job_parse_file(const char *path, const cbz_job_param *overrides, size_t n_overrides, cbz_job **out,
                              cbz_error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return cbz_fail(err, CBZ_ERR_JOB, "%s: cannot open the job deck: %s", path, strerror(errno));
    cbz_buf b;
    cbz_buf_init(&b);
    char chunk[8192];
    size_t got;
    cbz_status st = CBZ_OK;
    while (st == CBZ_OK && (got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + got > (4u << 20)) st = cbz_fail(err, CBZ_ERR_JOB, "%s: larger than 4 MiB; not a job deck", path);
        else st = cbz_buf_append(&b, chunk, got);
    }
    if (st == CBZ_OK && ferror(fp)) st = cbz_fail(err, CBZ_ERR_IO, "%s: read failed", path);
    fclose(fp);
    if (st == CBZ_OK) st = cbz_job_parse_text(b.data ? (const char *)b.data : "", b.len, path, overrides, n_overrides, out, err);
    cbz_buf_free(&b);
    return st;
}
