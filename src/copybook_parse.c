/*
 * copybook_parse.c — the copybook grammar: a recursive descent over the token
 * list into cbz_field entries, the PICTURE analysis (category, digits, scale,
 * size for each USAGE), inheritance of group USAGE/SIGN/SYNC, and resolution
 * of REDEFINES, OCCURS DEPENDING ON and RENAMES names.
 *
 * Data description entry (clauses in any order, IBM Enterprise COBOL):
 *   level [name|FILLER] [REDEFINES name] [PIC|PICTURE [IS] string]
 *         [[USAGE [IS]] usage] [[SIGN [IS]] LEADING|TRAILING [SEPARATE [CHARACTER]]]
 *         [OCCURS m [TO n] [TIMES] [DEPENDING [ON] name] [ASCENDING|DESCENDING
 *          [KEY] [IS] names] [INDEXED [BY] names]] [SYNC|SYNCHRONIZED [LEFT|RIGHT]]
 *         [JUST|JUSTIFIED [RIGHT]] [BLANK [WHEN] ZERO] [VALUE [IS] literal]
 *         [EXTERNAL] [GLOBAL] .
 *   66 name RENAMES name [THRU|THROUGH name] .
 *   88 name VALUE[S] [IS|ARE] literal [THRU literal] ... .
 *
 * Leniencies, for copybooks found in the wild (Cobrix's among them): COMP-0
 * reads as COMP; OCCURS n DEPENDING ON without "m TO" has minimum 0; a SIGN
 * clause on a PICTURE without S makes the item signed; the last entry may
 * lack its period; the OCCURS DEPENDING ON counter may be any elementary
 * item (convert decides how to read a non-numeric one); binary items of more than 20 digits get the smallest size
 * that holds them (IBM allows at most 18).
 */
#include "copybook.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#define MAX_QUAL 8
#define MAX_PIC_POSITIONS 100000

typedef struct qname {
    size_t tok[MAX_QUAL]; /* token of each name, item first */
    size_t n;
} qname;

typedef struct item_extra {
    size_t tok;          /* level number token */
    size_t name_tok;
    bool has_redefines;
    size_t redefines_tok;
    bool has_depending;
    qname depending;
    qname renames_from, renames_thru;
    bool has_thru;
    bool has_usage;
    cbz_usage usage;
    bool usage_comp1_2_or_ptr;
    int sign_clause;     /* 0 none, CBZ_SIGN_LEADING, CBZ_SIGN_TRAILING */
    bool sign_separate;
    bool has_pic;
    size_t pic_tok;
    size_t occurs_tok;
    bool is_group;
} item_extra;

typedef struct parser {
    cbz_cb_ctx *c;
    const cbz_cb_toks *t;
    size_t i;
    cbz_field *f;
    item_extra *x;
    size_t n, cap;
} parser;

static const cbz_cb_tok *peek(const parser *p) { return &p->t->v[p->i]; }
static void adv(parser *p)
{
    if (p->t->v[p->i].kind != CBZ_TOK_EOF) p->i++;
}
static bool is(const parser *p, const char *kw) { return cbz_cb_tok_is(p->c, peek(p), kw); }
static bool accept(parser *p, const char *kw)
{
    if (!is(p, kw)) return false;
    adv(p);
    return true;
}

static const char *const keywords[] = {
    "PIC", "PICTURE", "USAGE", "REDEFINES", "RENAMES", "OCCURS", "SIGN", "LEADING", "TRAILING",
    "SEPARATE", "SYNC", "SYNCHRONIZED", "JUST", "JUSTIFIED", "BLANK", "VALUE", "VALUES",
    "EXTERNAL", "GLOBAL", "INDEXED", "ASCENDING", "DESCENDING", "DEPENDING", "DISPLAY", "BINARY",
    "PACKED-DECIMAL", "NATIONAL", "INDEX", "POINTER", "COMP", "COMP-0", "COMP-1", "COMP-2", "COMP-3",
    "COMP-4", "COMP-5", "COMPUTATIONAL", "COMPUTATIONAL-1", "COMPUTATIONAL-2", "COMPUTATIONAL-3",
    "COMPUTATIONAL-4", "COMPUTATIONAL-5", "TIMES", "TO", "KEY", "IS", "ARE", "BY", "ON", "THRU",
    "THROUGH", "WHEN", "ZERO", "ZEROS", "ZEROES", "RIGHT", "LEFT", "CHARACTER", "OF", "IN", NULL
};

static bool is_keyword(const parser *p, const cbz_cb_tok *t)
{
    for (int k = 0; keywords[k]; k++)
        if (cbz_cb_tok_is(p->c, t, keywords[k])) return true;
    return false;
}

static bool valid_name(const parser *p, const cbz_cb_tok *t)
{
    if (t->kind != CBZ_TOK_WORD || t->len == 0 || t->len >= CBZ_NAME_MAX) return false;
    const char *s = cbz_cb_text(p->c, t);
    bool letter = false;
    for (size_t k = 0; k < t->len; k++) {
        unsigned char ch = (unsigned char)s[k];
        if (isalpha(ch)) letter = true;
        else if (!(isdigit(ch) || ch == '-' || ch == '_')) return false;
    }
    return letter && s[0] != '-' && s[t->len - 1] != '-';
}

static void tok_upper(const parser *p, const cbz_cb_tok *t, char *buf, size_t cap)
{
    size_t n = t->len < cap - 1 ? t->len : cap - 1;
    const char *s = cbz_cb_text(p->c, t);
    for (size_t k = 0; k < n; k++) buf[k] = (char)toupper((unsigned char)s[k]);
    buf[n] = '\0';
}

static cbz_status fail_at(parser *p, size_t tok, const char *fmt, const char *arg)
{
    char where[300], msg[256];
    cbz_cb_where(p->c, &p->t->v[tok], where, sizeof where);
    snprintf(msg, sizeof msg, fmt, arg);
    return cbz_fail(p->c->err, CBZ_ERR_COPYBOOK, "%s: %s", where, msg);
}

/* An unsigned integer word (OCCURS counts, level numbers). */
static bool tok_uint(const parser *p, const cbz_cb_tok *t, unsigned max, unsigned *out)
{
    if (t->kind != CBZ_TOK_WORD || t->len == 0 || t->len > 9) return false;
    const char *s = cbz_cb_text(p->c, t);
    unsigned v = 0;
    for (size_t k = 0; k < t->len; k++) {
        if (!isdigit((unsigned char)s[k])) return false;
        v = v * 10 + (unsigned)(s[k] - '0');
    }
    if (v > max) return false;
    *out = v;
    return true;
}

static cbz_status parse_qname(parser *p, qname *q, const char *what)
{
    if (!valid_name(p, peek(p))) return cbz_cb_expected(p->c, peek(p), what);
    q->n = 0;
    q->tok[q->n++] = p->i;
    adv(p);
    while (is(p, "OF") || is(p, "IN")) {
        adv(p);
        if (!valid_name(p, peek(p))) return cbz_cb_expected(p->c, peek(p), "a qualifying group name after OF/IN");
        if (q->n == MAX_QUAL) return cbz_cb_expected(p->c, peek(p), "at most 8 qualifiers");
        q->tok[q->n++] = p->i;
        adv(p);
    }
    return CBZ_OK;
}

/* Appends the text of value tokens to *text (space separated). */
static cbz_status value_text(parser *p, bool condition, char **text)
{
    cbz_buf b;
    cbz_buf_init(&b);
    cbz_status st = CBZ_OK;
    size_t count = 0;
    for (;;) {
        const cbz_cb_tok *t = peek(p);
        if (t->kind == CBZ_TOK_PERIOD || t->kind == CBZ_TOK_EOF) break;
        if (!condition && count > 0 && t->kind == CBZ_TOK_WORD && is_keyword(p, t) &&
            !cbz_cb_tok_is(p->c, t, "THRU") && !cbz_cb_tok_is(p->c, t, "THROUGH") &&
            !cbz_cb_tok_is(p->c, t, "ZERO") && !cbz_cb_tok_is(p->c, t, "ZEROS") &&
            !cbz_cb_tok_is(p->c, t, "ZEROES"))
            break;
        if (t->kind != CBZ_TOK_WORD && t->kind != CBZ_TOK_LITERAL) {
            st = cbz_cb_expected(p->c, t, "a literal in the VALUE clause");
            break;
        }
        if (count > 0) st = cbz_buf_put_u8(&b, ' ');
        if (st == CBZ_OK) st = cbz_buf_append(&b, cbz_cb_text(p->c, t), t->len);
        if (st != CBZ_OK) break;
        count++;
        adv(p);
        /* A plain item takes one value (ALL 'x' is two words). */
        if (!condition && !(count == 1 && cbz_cb_tok_is(p->c, t, "ALL"))) break;
    }
    if (st == CBZ_OK && count == 0) st = cbz_cb_expected(p->c, peek(p), "a literal after VALUE");
    if (st == CBZ_OK) st = cbz_buf_put_u8(&b, '\0');
    if (st != CBZ_OK) {
        cbz_buf_free(&b);
        return st == CBZ_ERR_NOMEM ? cbz_fail(p->c->err, st, "out of memory") : st;
    }
    free(*text);
    *text = (char *)b.data;
    return CBZ_OK;
}

static bool usage_word(const parser *p, cbz_usage *u, bool *float_or_ptr)
{
    static const struct {
        const char *w;
        cbz_usage u;
    } map[] = {
        { "DISPLAY", CBZ_USAGE_DISPLAY },       { "COMP", CBZ_USAGE_BINARY },
        { "COMPUTATIONAL", CBZ_USAGE_BINARY },  { "COMP-0", CBZ_USAGE_BINARY },
        { "COMP-4", CBZ_USAGE_BINARY },         { "COMPUTATIONAL-4", CBZ_USAGE_BINARY },
        { "BINARY", CBZ_USAGE_BINARY },         { "COMP-5", CBZ_USAGE_COMP5 },
        { "COMPUTATIONAL-5", CBZ_USAGE_COMP5 }, { "COMP-3", CBZ_USAGE_PACKED },
        { "COMPUTATIONAL-3", CBZ_USAGE_PACKED }, { "PACKED-DECIMAL", CBZ_USAGE_PACKED },
        { "COMP-1", CBZ_USAGE_COMP1 },          { "COMPUTATIONAL-1", CBZ_USAGE_COMP1 },
        { "COMP-2", CBZ_USAGE_COMP2 },          { "COMPUTATIONAL-2", CBZ_USAGE_COMP2 },
        { "NATIONAL", CBZ_USAGE_NATIONAL },     { "INDEX", CBZ_USAGE_INDEX },
        { "POINTER", CBZ_USAGE_POINTER },
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (is(p, map[k].w)) {
            *u = map[k].u;
            *float_or_ptr = map[k].u == CBZ_USAGE_COMP1 || map[k].u == CBZ_USAGE_COMP2 ||
                            map[k].u == CBZ_USAGE_INDEX || map[k].u == CBZ_USAGE_POINTER;
            return true;
        }
    return false;
}

static cbz_status parse_occurs(parser *p, cbz_field *f, item_extra *x)
{
    x->occurs_tok = p->i;
    adv(p);
    unsigned a, b;
    if (!tok_uint(p, peek(p), 1u << 24, &a)) return cbz_cb_expected(p->c, peek(p), "a whole number after OCCURS");
    adv(p);
    bool has_to = false;
    if (accept(p, "TO")) {
        if (!tok_uint(p, peek(p), 1u << 24, &b)) return cbz_cb_expected(p->c, peek(p), "a whole number after TO");
        adv(p);
        has_to = true;
        if (b < a || b == 0) return cbz_cb_expected(p->c, &p->t->v[p->i - 1], "a maximum at least the minimum and above 0");
    } else {
        b = a;
        if (a == 0) return cbz_cb_expected(p->c, &p->t->v[p->i - 1], "an OCCURS count above 0");
    }
    accept(p, "TIMES");
    for (;;) {
        if (accept(p, "DEPENDING")) {
            accept(p, "ON");
            CBZ_TRY(parse_qname(p, &x->depending, "the name of the OCCURS DEPENDING ON counter"));
            x->has_depending = true;
        } else if (is(p, "ASCENDING") || is(p, "DESCENDING")) {
            adv(p);
            accept(p, "KEY");
            accept(p, "IS");
            if (!valid_name(p, peek(p)) || is_keyword(p, peek(p))) return cbz_cb_expected(p->c, peek(p), "a key name");
            while (valid_name(p, peek(p)) && !is_keyword(p, peek(p))) adv(p);
        } else if (accept(p, "INDEXED")) {
            accept(p, "BY");
            if (!valid_name(p, peek(p)) || is_keyword(p, peek(p))) return cbz_cb_expected(p->c, peek(p), "an index name");
            while (valid_name(p, peek(p)) && !is_keyword(p, peek(p))) adv(p);
        } else {
            break;
        }
    }
    f->occurs_min = has_to ? a : (x->has_depending ? 0 : a);
    f->occurs_max = b;
    return CBZ_OK;
}

static cbz_status parse_clauses(parser *p, cbz_field *f, item_extra *x)
{
    for (;;) {
        const cbz_cb_tok *t = peek(p);
        if (t->kind == CBZ_TOK_PERIOD || t->kind == CBZ_TOK_EOF) return CBZ_OK;
        cbz_usage u;
        bool fp;
        if (accept(p, "REDEFINES")) {
            if (!valid_name(p, peek(p))) return cbz_cb_expected(p->c, peek(p), "the name of the redefined item");
            x->has_redefines = true;
            x->redefines_tok = p->i;
            adv(p);
        } else if (is(p, "PIC") || is(p, "PICTURE")) {
            if (x->has_pic) return cbz_cb_expected(p->c, t, "one PICTURE clause only");
            adv(p);
            accept(p, "IS");
            if (peek(p)->kind != CBZ_TOK_WORD) return cbz_cb_expected(p->c, peek(p), "a PICTURE character-string");
            if (peek(p)->len >= CBZ_PIC_MAX) return cbz_cb_expected(p->c, peek(p), "a PICTURE string of at most 79 characters");
            x->has_pic = true;
            x->pic_tok = p->i;
            tok_upper(p, peek(p), f->pic, sizeof f->pic);
            adv(p);
        } else if (is(p, "USAGE")) {
            adv(p);
            accept(p, "IS");
            if (!usage_word(p, &u, &fp)) return cbz_cb_expected(p->c, peek(p), "a USAGE (DISPLAY, COMP, COMP-3, ...)");
            adv(p);
            x->has_usage = true;
            x->usage = u;
            x->usage_comp1_2_or_ptr = fp;
        } else if (usage_word(p, &u, &fp)) {
            adv(p);
            x->has_usage = true;
            x->usage = u;
            x->usage_comp1_2_or_ptr = fp;
        } else if (is(p, "SIGN") || is(p, "LEADING") || is(p, "TRAILING")) {
            if (accept(p, "SIGN")) accept(p, "IS");
            if (accept(p, "LEADING")) x->sign_clause = CBZ_SIGN_LEADING;
            else if (accept(p, "TRAILING")) x->sign_clause = CBZ_SIGN_TRAILING;
            else return cbz_cb_expected(p->c, peek(p), "LEADING or TRAILING");
            if (accept(p, "SEPARATE")) {
                x->sign_separate = true;
                accept(p, "CHARACTER");
            }
        } else if (is(p, "OCCURS")) {
            if (f->occurs_max) return cbz_cb_expected(p->c, t, "one OCCURS clause only");
            CBZ_TRY(parse_occurs(p, f, x));
        } else if (accept(p, "SYNC") || accept(p, "SYNCHRONIZED")) {
            f->is_sync = true;
            if (!accept(p, "LEFT")) accept(p, "RIGHT");
        } else if (accept(p, "JUST") || accept(p, "JUSTIFIED")) {
            f->is_justified = true;
            accept(p, "RIGHT");
        } else if (accept(p, "BLANK")) {
            accept(p, "WHEN");
            if (!(accept(p, "ZERO") || accept(p, "ZEROS") || accept(p, "ZEROES")))
                return cbz_cb_expected(p->c, peek(p), "ZERO after BLANK WHEN");
            f->blank_when_zero = true;
        } else if (is(p, "VALUE") || is(p, "VALUES")) {
            adv(p);
            if (!accept(p, "IS")) accept(p, "ARE");
            CBZ_TRY(value_text(p, false, &f->value));
        } else if (accept(p, "EXTERNAL") || accept(p, "GLOBAL")) {
            /* storage attributes: no effect on the layout */
        } else {
            return cbz_cb_expected(p->c, t, "a clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, ...) or '.'");
        }
    }
}

static cbz_status new_field(parser *p, cbz_field **f, item_extra **x)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        cbz_field *nf = realloc(p->f, cap * sizeof *nf);
        if (!nf) return cbz_fail(p->c->err, CBZ_ERR_NOMEM, "out of memory");
        p->f = nf;
        item_extra *nx = realloc(p->x, cap * sizeof *nx);
        if (!nx) return cbz_fail(p->c->err, CBZ_ERR_NOMEM, "out of memory");
        p->x = nx;
        p->cap = cap;
    }
    *f = &p->f[p->n];
    *x = &p->x[p->n];
    memset(*f, 0, sizeof **f);
    memset(*x, 0, sizeof **x);
    (*f)->parent = (*f)->first_child = (*f)->next_sibling = -1;
    (*f)->depending_on = (*f)->redefines = (*f)->renames_from = (*f)->renames_thru = -1;
    p->n++;
    return CBZ_OK;
}

static void link_child(parser *p, int parent, int child)
{
    p->f[child].parent = parent;
    if (parent < 0) return;
    if (p->f[parent].first_child < 0) {
        p->f[parent].first_child = child;
        return;
    }
    int k = p->f[parent].first_child;
    while (p->f[k].next_sibling >= 0) k = p->f[k].next_sibling;
    p->f[k].next_sibling = child;
}

/* Entries, with the level-number hierarchy. */
static cbz_status parse_entries(parser *p)
{
    int stack[64];
    int depth = 0;
    int last_data = -1, record = -1;
    while (peek(p)->kind != CBZ_TOK_EOF) {
        if (peek(p)->kind == CBZ_TOK_PERIOD) {
            adv(p);
            continue;
        }
        unsigned level;
        if (!tok_uint(p, peek(p), 99, &level) || peek(p)->len > 2 ||
            !((level >= 1 && level <= 49) || level == 66 || level == 77 || level == 88))
            return cbz_cb_expected(p->c, peek(p), "a level number (01-49, 66, 77 or 88)");
        cbz_field *f = NULL;
        item_extra *x = NULL;
        CBZ_TRY(new_field(p, &f, &x));
        int idx = (int)p->n - 1;
        x->tok = p->i;
        f->level = (int)level;
        adv(p);
        const cbz_cb_tok *nt = peek(p);
        if (nt->kind == CBZ_TOK_WORD && !is_keyword(p, nt)) {
            if (!valid_name(p, nt)) return cbz_cb_expected(p->c, nt, "a data name (letters, digits, '-', at most 63)");
            tok_upper(p, nt, f->name, sizeof f->name);
            x->name_tok = p->i;
            f->is_filler = strcmp(f->name, "FILLER") == 0;
            adv(p);
        } else {
            strcpy(f->name, "FILLER");
            f->is_filler = true;
            x->name_tok = x->tok;
        }
        if (level == 88) {
            if (last_data < 0) return fail_at(p, x->tok, "level 88 '%s' has no data item to belong to", f->name);
            f->category = CBZ_CAT_CONDITION;
            if (!(accept(p, "VALUE") || accept(p, "VALUES")))
                return cbz_cb_expected(p->c, peek(p), "VALUE after a level-88 name");
            if (!accept(p, "IS")) accept(p, "ARE");
            CBZ_TRY(value_text(p, true, &f->value));
            link_child(p, last_data, idx);
        } else if (level == 66) {
            if (record < 0) return fail_at(p, x->tok, "level 66 '%s' has no record to rename in", f->name);
            f->category = CBZ_CAT_RENAMES;
            if (!accept(p, "RENAMES")) return cbz_cb_expected(p->c, peek(p), "RENAMES after a level-66 name");
            CBZ_TRY(parse_qname(p, &x->renames_from, "the name of the first renamed item"));
            if (accept(p, "THRU") || accept(p, "THROUGH")) {
                CBZ_TRY(parse_qname(p, &x->renames_thru, "the name of the last renamed item"));
                x->has_thru = true;
            }
            link_child(p, record, idx);
        } else {
            CBZ_TRY(parse_clauses(p, f, x));
            if (level == 1 || level == 77) depth = 0;
            if (depth > 0 && p->f[stack[0]].level == 77)
                return fail_at(p, x->tok, "level-77 items cannot have subordinate items (at '%s')", f->name);
            while (depth > 0 && p->f[stack[depth - 1]].level >= (int)level) depth--;
            if (depth == 0) {
                record = idx;
                link_child(p, -1, idx);
            } else {
                link_child(p, stack[depth - 1], idx);
            }
            if (depth == (int)(sizeof stack / sizeof stack[0]))
                return fail_at(p, x->tok, "items nested more than 64 deep (at '%s')", f->name);
            stack[depth++] = idx;
            last_data = idx;
        }
        if (peek(p)->kind == CBZ_TOK_PERIOD) adv(p);
        else if (peek(p)->kind != CBZ_TOK_EOF) return cbz_cb_expected(p->c, peek(p), "'.' ending the entry");
    }
    return CBZ_OK;
}

/* ---- PICTURE analysis --------------------------------------------------- */

static uint32_t binary_size(int nines)
{
    if (nines <= 4) return 2;
    if (nines <= 9) return 4;
    if (nines <= 20) return 8; /* IBM: 10-18 (19-20 only fit unsigned/COMP-5 ranges) */
    /* Beyond IBM's limit: the smallest size whose signed range holds 10^n (as Cobrix). */
    uint32_t bytes = 9;
    while (bytes < 16 && (double)(8 * bytes - 1) * 0.30102999566398120 < (double)nines) bytes++;
    return bytes;
}

static cbz_status analyze_pic(parser *p, int idx)
{
    cbz_field *f = &p->f[idx];
    item_extra *x = &p->x[idx];
    const char *s = f->pic;
    char sym[CBZ_PIC_MAX];   /* one entry per symbol; CR -> 'c', DB -> 'd' */
    long rep[CBZ_PIC_MAX];
    size_t ns = 0;
    long positions = 0;
    for (size_t k = 0; s[k];) {
        char ch = s[k];
        char code = ch;
        size_t len = 1;
        if (ch == 'C' && s[k + 1] == 'R') code = 'c', len = 2;
        else if (ch == 'D' && s[k + 1] == 'B') code = 'd', len = 2;
        else if (!strchr("AXN9SVPZB0/,.+-*$EG", ch))
            return fail_at(p, x->pic_tok, "unexpected character in PICTURE '%s'", f->pic);
        k += len;
        long r = 1;
        if (s[k] == '(') {
            k++;
            r = 0;
            if (!isdigit((unsigned char)s[k])) return fail_at(p, x->pic_tok, "expected a repeat count inside ( ) in PICTURE '%s'", f->pic);
            while (isdigit((unsigned char)s[k])) {
                r = r * 10 + (s[k] - '0');
                if (r > MAX_PIC_POSITIONS) return fail_at(p, x->pic_tok, "repeat count too large in PICTURE '%s'", f->pic);
                k++;
            }
            if (s[k] != ')' || r == 0) return fail_at(p, x->pic_tok, "expected ')' after a repeat count above 0 in PICTURE '%s'", f->pic);
            k++;
        }
        if (code == 'c' || code == 'd') {
            if (r != 1) return fail_at(p, x->pic_tok, "CR/DB cannot repeat in PICTURE '%s'", f->pic);
        }
        sym[ns] = code;
        rep[ns] = r;
        ns++;
        positions += r;
        if (positions > MAX_PIC_POSITIONS) return fail_at(p, x->pic_tok, "PICTURE '%s' too long", f->pic);
    }
    long cnt[128] = { 0 };
    for (size_t k = 0; k < ns; k++) cnt[(unsigned char)sym[k]] += rep[k];

    if (cnt['N'] || cnt['G']) {
        if (cnt['N'] + cnt['G'] + cnt['B'] + cnt['0'] + cnt['/'] != positions)
            return fail_at(p, x->pic_tok, "PICTURE '%s' mixes N with other symbols", f->pic);
        if (x->has_usage && x->usage != CBZ_USAGE_NATIONAL && x->usage != CBZ_USAGE_DISPLAY)
            return fail_at(p, x->tok, "PIC N item '%s' must be USAGE NATIONAL", f->name);
        f->category = CBZ_CAT_NATIONAL;
        f->usage = CBZ_USAGE_NATIONAL;
        f->digits = (int)positions;
        f->size = (uint32_t)(2 * positions);
        return CBZ_OK;
    }
    if (cnt['X'] || cnt['A']) {
        if (cnt['X'] + cnt['A'] + cnt['9'] + cnt['B'] + cnt['0'] + cnt['/'] != positions)
            return fail_at(p, x->pic_tok, "PICTURE '%s' mixes A/X with numeric symbols", f->pic);
        if (cnt['B'] || cnt['0'] || cnt['/']) f->category = CBZ_CAT_ALNUM_EDITED;
        else if (cnt['A'] == positions) f->category = CBZ_CAT_ALPHABETIC;
        else f->category = CBZ_CAT_ALPHANUMERIC;
        if (x->has_usage && x->usage != CBZ_USAGE_DISPLAY)
            return fail_at(p, x->tok, "alphanumeric item '%s' must be USAGE DISPLAY", f->name);
        f->usage = CBZ_USAGE_DISPLAY;
        f->digits = (int)positions;
        f->size = (uint32_t)positions;
        return CBZ_OK;
    }
    long n9 = cnt['9'], nP = cnt['P'], nV = cnt['V'], nS = cnt['S'], npt = cnt['.'];
    bool pure = n9 + nP + nV + nS + npt == positions;
    if (pure && nS <= 1 && (nS == 0 || sym[0] == 'S') && nV + npt <= 1 && n9 > 0) {
        /* Numeric: find the place of the point among the 9/P positions. */
        long pos = 0, pt = -1, last9 = -1, first_digit_sym = -1;
        for (size_t k = 0; k < ns; k++) {
            if (sym[k] == 'V' || sym[k] == '.') pt = pos;
            if (sym[k] == '9' || sym[k] == 'P') {
                if (first_digit_sym < 0) first_digit_sym = sym[k];
                if (sym[k] == '9') last9 = pos + rep[k] - 1;
                pos += rep[k];
            }
        }
        if (pt < 0) pt = first_digit_sym == 'P' ? 0 : pos;
        if (n9 > CBZ_MAX_DIGITS) return fail_at(p, x->pic_tok, "PICTURE '%s' has more than 38 digits", f->pic);
        if (nP > CBZ_MAX_DIGITS) return fail_at(p, x->pic_tok, "PICTURE '%s' has too many P positions", f->pic);
        f->category = CBZ_CAT_NUMERIC;
        f->digits = (int)(n9 + nP);
        f->scale = (int)(last9 + 1 - pt);
        f->explicit_point = npt > 0;
        f->is_signed = nS > 0;
        return CBZ_OK; /* size set by the caller once USAGE and SIGN are known */
    }
    if (nS) return fail_at(p, x->pic_tok, "S is not allowed in the edited PICTURE '%s'", f->pic);
    if (nV + npt > 1) return fail_at(p, x->pic_tok, "PICTURE '%s' has more than one decimal point", f->pic);
    /* Numeric-edited. */
    long digits = n9 + cnt['Z'] + cnt['*'] + nP;
    const char floating[] = { '+', '-', '$' };
    for (int k = 0; k < 3; k++)
        if (cnt[(unsigned char)floating[k]] > 1) digits += cnt[(unsigned char)floating[k]] - 1;
    if (digits == 0) return fail_at(p, x->pic_tok, "PICTURE '%s' has no digit position", f->pic);
    long after = 0;
    bool seen_point = false;
    for (size_t k = 0; k < ns; k++) {
        if (sym[k] == 'V' || sym[k] == '.') seen_point = true;
        else if (seen_point && (strchr("9Z*P", sym[k]) ||
                                (strchr("+-$", sym[k]) && cnt[(unsigned char)sym[k]] > 1)))
            after += rep[k];
    }
    f->category = CBZ_CAT_NUMERIC_EDITED;
    f->digits = (int)(digits > CBZ_MAX_DIGITS ? CBZ_MAX_DIGITS : digits);
    f->scale = (int)after;
    f->explicit_point = npt > 0;
    f->is_signed = cnt['+'] || cnt['-'] || cnt['c'] || cnt['d'];
    if (x->has_usage && x->usage != CBZ_USAGE_DISPLAY && x->usage != CBZ_USAGE_NATIONAL)
        return fail_at(p, x->tok, "numeric-edited item '%s' must be USAGE DISPLAY", f->name);
    f->size = (uint32_t)(positions - nV - nP + cnt['c'] + cnt['d']); /* CR and DB take two */
    return CBZ_OK;
}

/* Type and size of elementary item idx, given its effective usage/sign. */
static cbz_status type_elementary(parser *p, int idx, bool usage_own, cbz_usage usage, int sign_clause,
                                  bool sign_sep, bool sign_own)
{
    cbz_field *f = &p->f[idx];
    item_extra *x = &p->x[idx];
    f->usage = usage;
    if (!x->has_pic) {
        switch (usage) {
        case CBZ_USAGE_COMP1: f->category = CBZ_CAT_FLOAT; f->size = 4; f->is_signed = true; return CBZ_OK;
        case CBZ_USAGE_COMP2: f->category = CBZ_CAT_FLOAT; f->size = 8; f->is_signed = true; return CBZ_OK;
        case CBZ_USAGE_INDEX:
            f->category = CBZ_CAT_NUMERIC; f->size = 4; f->digits = 9; f->is_signed = true;
            f->sign = CBZ_SIGN_TRAILING;
            return CBZ_OK;
        case CBZ_USAGE_POINTER: f->category = CBZ_CAT_ALPHANUMERIC; f->size = 4; f->digits = 4; return CBZ_OK;
        default:
            return fail_at(p, x->tok, "expected a PICTURE clause for the elementary item '%s'", f->name);
        }
    }
    if (usage_own && x->usage_comp1_2_or_ptr)
        return fail_at(p, x->pic_tok, "'%s': COMP-1, COMP-2, INDEX and POINTER items take no PICTURE", f->name);
    if (!usage_own && (usage == CBZ_USAGE_COMP1 || usage == CBZ_USAGE_COMP2 || usage == CBZ_USAGE_INDEX ||
                       usage == CBZ_USAGE_POINTER))
        return fail_at(p, x->pic_tok, "'%s' has a PICTURE inside a COMP-1/COMP-2/INDEX/POINTER group", f->name);
    /* analyze_pic reads x->usage only when the usage was written on the item. */
    bool saved_has = x->has_usage;
    x->has_usage = usage_own;
    cbz_status st = analyze_pic(p, idx);
    x->has_usage = saved_has;
    if (st != CBZ_OK) return st;
    if (f->category != CBZ_CAT_NUMERIC) {
        if (f->category == CBZ_CAT_NATIONAL) return CBZ_OK;
        if (f->category == CBZ_CAT_NUMERIC_EDITED && usage == CBZ_USAGE_NATIONAL) {
            f->usage = CBZ_USAGE_NATIONAL;
            f->size *= 2;
        } else {
            f->usage = CBZ_USAGE_DISPLAY;
        }
        return CBZ_OK;
    }
    uint32_t nines = 0;
    for (const char *s = f->pic; *s;) {
        char ch = *s++;
        uint32_t r = 1;
        if (*s == '(') {
            r = (uint32_t)strtoul(s + 1, NULL, 10);
            while (*s && *s != ')') s++;
            if (*s) s++;
        }
        if (ch == '9') nines += r;
    }
    switch (usage) {
    case CBZ_USAGE_DISPLAY:
    case CBZ_USAGE_NATIONAL: {
        if (sign_clause && (f->is_signed || sign_own)) {
            f->is_signed = true;
            f->sign = sign_clause == CBZ_SIGN_LEADING ? (sign_sep ? CBZ_SIGN_LEADING_SEPARATE : CBZ_SIGN_LEADING)
                                                      : (sign_sep ? CBZ_SIGN_TRAILING_SEPARATE : CBZ_SIGN_TRAILING);
        } else {
            f->sign = f->is_signed ? CBZ_SIGN_TRAILING : CBZ_SIGN_NONE;
        }
        uint32_t chars = nines + (f->explicit_point ? 1 : 0) +
                         (f->sign == CBZ_SIGN_LEADING_SEPARATE || f->sign == CBZ_SIGN_TRAILING_SEPARATE ? 1 : 0);
        f->size = usage == CBZ_USAGE_NATIONAL ? 2 * chars : chars;
        break;
    }
    case CBZ_USAGE_PACKED:
        f->size = nines / 2 + 1;
        f->sign = f->is_signed ? CBZ_SIGN_TRAILING : CBZ_SIGN_NONE;
        break;
    case CBZ_USAGE_BINARY:
    case CBZ_USAGE_COMP5:
        f->size = binary_size((int)nines);
        f->sign = f->is_signed ? CBZ_SIGN_TRAILING : CBZ_SIGN_NONE;
        break;
    default:
        return fail_at(p, x->tok, "'%s': this USAGE takes no PICTURE", f->name);
    }
    if (f->explicit_point && usage != CBZ_USAGE_DISPLAY && usage != CBZ_USAGE_NATIONAL)
        return fail_at(p, x->pic_tok, "'%s': a PICTURE with '.' must be USAGE DISPLAY", f->name);
    return CBZ_OK;
}

/* ---- after parsing: types, inheritance, names ------------------------------ */

static void qname_strings(const parser *p, const qname *q, char bufs[][CBZ_NAME_MAX], const char **ptrs)
{
    for (size_t k = 0; k < q->n; k++) {
        tok_upper(p, &p->t->v[q->tok[k]], bufs[k], CBZ_NAME_MAX);
        ptrs[k] = bufs[k];
    }
}

static int record_of(const parser *p, int idx)
{
    while (p->f[idx].parent >= 0) idx = p->f[idx].parent;
    return idx;
}

/* One past the last field of the record that starts at rec. */
static size_t record_end(const parser *p, int rec)
{
    size_t k = (size_t)rec + 1;
    while (k < p->n && !(p->f[k].parent < 0 && p->f[k].level != 88 && p->f[k].level != 66)) k++;
    return k;
}

static cbz_status finish(parser *p, cbz_layout *L)
{
    L->fields = p->f;
    L->n_fields = p->n;
    /* Groups: items with subordinate data items. */
    for (size_t i = 0; i < p->n; i++) {
        int par = p->f[i].parent;
        if (par >= 0 && p->f[i].level != 88 && p->f[i].level != 66) p->x[par].is_group = true;
    }
    /* Inherited USAGE, SIGN and SYNC flow from groups to their items (parents
     * precede their children in source order). */
    cbz_usage *eu = calloc(p->n ? p->n : 1, sizeof *eu);
    bool *eu_set = calloc(p->n ? p->n : 1, sizeof *eu_set);
    int *es = calloc(p->n ? p->n : 1, sizeof *es);
    bool *es_sep = calloc(p->n ? p->n : 1, sizeof *es_sep);
    cbz_status st = CBZ_OK;
    if (!eu || !eu_set || !es || !es_sep) st = cbz_fail(p->c->err, CBZ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->n && st == CBZ_OK; i++) {
        cbz_field *f = &p->f[i];
        item_extra *x = &p->x[i];
        int par = f->parent;
        if (f->level == 88) {
            f->usage = par >= 0 ? p->f[par].usage : CBZ_USAGE_DISPLAY;
            continue;
        }
        if (f->level == 66) continue;
        eu_set[i] = x->has_usage || (par >= 0 && eu_set[par]);
        eu[i] = x->has_usage ? x->usage : (par >= 0 ? eu[par] : CBZ_USAGE_DISPLAY);
        es[i] = x->sign_clause ? x->sign_clause : (par >= 0 ? es[par] : 0);
        es_sep[i] = x->sign_clause ? x->sign_separate : (par >= 0 ? es_sep[par] : false);
        if (par >= 0 && p->f[par].is_sync) f->is_sync = true;
        if (x->is_group) {
            if (x->has_pic) st = fail_at(p, x->pic_tok, "group item '%s' cannot have a PICTURE clause", f->name);
            f->category = CBZ_CAT_GROUP;
            f->usage = eu_set[i] ? eu[i] : CBZ_USAGE_DISPLAY;
            f->pic[0] = '\0';
        } else {
            st = type_elementary(p, (int)i, x->has_usage, eu[i], es[i], es_sep[i], x->sign_clause != 0);
        }
    }
    free(eu);
    free(eu_set);
    free(es);
    free(es_sep);
    /* REDEFINES: the nearest preceding item of the same parent and level. */
    for (size_t i = 0; i < p->n && st == CBZ_OK; i++) {
        if (!p->x[i].has_redefines) continue;
        char want[CBZ_NAME_MAX];
        tok_upper(p, &p->t->v[p->x[i].redefines_tok], want, sizeof want);
        int found = -1;
        for (int k = (int)i - 1; k >= 0; k--) {
            if (p->f[k].parent != p->f[i].parent || p->f[k].level == 88 || p->f[k].level == 66) continue;
            if (p->f[k].level == 88) continue;
            if (strcmp(p->f[k].name, want) == 0) {
                found = p->f[k].redefines >= 0 ? p->f[k].redefines : k;
                break;
            }
        }
        if (found < 0 || p->f[found].level != p->f[i].level)
            st = fail_at(p, p->x[i].redefines_tok,
                         "REDEFINES '%s' names no preceding item at the same level", want);
        else
            p->f[i].redefines = found;
    }
    /* OCCURS DEPENDING ON: the counter, looked up in the record first. */
    for (size_t i = 0; i < p->n && st == CBZ_OK; i++) {
        if (!p->x[i].has_depending) continue;
        char bufs[MAX_QUAL][CBZ_NAME_MAX];
        const char *names[MAX_QUAL];
        qname_strings(p, &p->x[i].depending, bufs, names);
        int rec = record_of(p, (int)i);
        int k = cbz_layout_resolve(L, (size_t)rec, record_end(p, rec), names, p->x[i].depending.n, false);
        if (k < 0) k = cbz_layout_resolve(L, 0, p->n, names, p->x[i].depending.n, false);
        if (k < 0) {
            st = fail_at(p, p->x[i].depending.tok[0], "OCCURS DEPENDING ON counter '%s' is not defined", names[0]);
        } else if (p->x[k].is_group) {
            /* IBM wants an integer; any elementary item is accepted because
             * Cobrix copybooks map PIC X counters to counts (test25). */
            st = fail_at(p, p->x[i].depending.tok[0], "OCCURS DEPENDING ON counter '%s' is a group, not an elementary item", names[0]);
        } else {
            /* The counter must not be inside the table it counts. */
            int a = k;
            while (a >= 0 && a != (int)i) a = p->f[a].parent;
            if (a == (int)i)
                st = fail_at(p, p->x[i].depending.tok[0], "OCCURS DEPENDING ON counter '%s' lies inside its own table", names[0]);
            p->f[i].depending_on = k;
        }
    }
    /* RENAMES: items of the same record. */
    for (size_t i = 0; i < p->n && st == CBZ_OK; i++) {
        if (p->f[i].level != 66) continue;
        int rec = p->f[i].parent;
        size_t end = record_end(p, rec);
        for (int side = 0; side < 2 && st == CBZ_OK; side++) {
            const qname *q = side == 0 ? &p->x[i].renames_from : &p->x[i].renames_thru;
            if (side == 1 && !p->x[i].has_thru) {
                p->f[i].renames_thru = p->f[i].renames_from;
                break;
            }
            char bufs[MAX_QUAL][CBZ_NAME_MAX];
            const char *names[MAX_QUAL];
            qname_strings(p, q, bufs, names);
            int k = cbz_layout_resolve(L, (size_t)rec, end, names, q->n, false);
            if (k < 0 || k == rec || p->f[k].level == 66) {
                st = fail_at(p, q->tok[0], "RENAMES names '%s', which is not an item of this record", names[0]);
                break;
            }
            if (side == 0) p->f[i].renames_from = k;
            else p->f[i].renames_thru = k;
        }
    }
    for (size_t i = 0; i < p->n; i++) {
        const cbz_cb_tok *t = &p->t->v[p->x[i].tok];
        p->f[i].line = t->xline;
        p->f[i].column = t->xcol;
    }
    return st;
}

cbz_status cbz_cb_parse(cbz_cb_ctx *c, const cbz_cb_toks *toks, cbz_layout *layout)
{
    parser p = { c, toks, 0, NULL, NULL, 0, 0 };
    cbz_status st = parse_entries(&p);
    if (st == CBZ_OK && p.n == 0)
        st = cbz_cb_expected(c, peek(&p), "at least one data description entry (01 NAME ...)");
    if (st == CBZ_OK) {
        st = finish(&p, layout); /* hands p.f to the layout */
    } else {
        for (size_t i = 0; i < p.n; i++) free(p.f[i].value);
        free(p.f);
    }
    free(p.x);
    return st;
}

/* ---- entry points ------------------------------------------------------ */

cbz_status cbz_copybook_compile_text(const char *text, size_t len, const char *source_name,
                                     const cbz_copybook_options *opt, cbz_layout **out,
                                     cbz_error *err)
{
    if (!out) return cbz_fail(err, CBZ_ERR_USAGE, "cbz_copybook_compile_text: out is NULL");
    *out = NULL;
    if (!text && len) return cbz_fail(err, CBZ_ERR_USAGE, "cbz_copybook_compile_text: text is NULL");
    cbz_copybook_options defaults = { NULL, 0, CBZ_FORMAT_AUTO };
    cbz_cb_ctx c = { opt ? opt : &defaults, err, { 0 }, NULL, 0, 0 };
    cbz_buf_init(&c.pool);
    cbz_cb_toks toks = { 0 };
    cbz_layout *L = calloc(1, sizeof *L);
    cbz_status st = L ? CBZ_OK : cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    const char *name = source_name ? source_name : "<copybook>";
    if (st == CBZ_OK) {
        L->source_name = strdup(name);
        if (!L->source_name) st = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    if (st == CBZ_OK) st = cbz_cb_tokens(&c, text ? text : "", len, name, &toks);
    if (st == CBZ_OK) st = cbz_cb_expand_text(&c, &toks, &L->expanded_text);
    if (st == CBZ_OK) st = cbz_cb_parse(&c, &toks, L);
    if (st == CBZ_OK) st = cbz_layout_compute(L, err);
    free(toks.v);
    cbz_buf_free(&c.pool);
    for (size_t i = 0; i < c.n_files; i++) free(c.files[i].name);
    free(c.files);
    if (st != CBZ_OK) {
        cbz_layout_free(L);
        return st;
    }
    *out = L;
    return CBZ_OK;
}

cbz_status cbz_copybook_compile_file(const char *path, const cbz_copybook_options *opt,
                                     cbz_layout **out, cbz_error *err)
{
    if (!out) return cbz_fail(err, CBZ_ERR_USAGE, "cbz_copybook_compile_file: out is NULL");
    *out = NULL;
    if (!path) return cbz_fail(err, CBZ_ERR_USAGE, "cbz_copybook_compile_file: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open the copybook: %s", path, strerror(errno));
    cbz_buf b;
    cbz_buf_init(&b);
    char chunk[65536];
    size_t got;
    cbz_status st = CBZ_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + got > ((size_t)64 << 20)) {
            st = cbz_fail(err, CBZ_ERR_COPYBOOK, "%s: larger than 64 MiB: not a copybook", path);
            break;
        }
        if (cbz_buf_append(&b, chunk, got) != CBZ_OK) {
            st = cbz_fail(err, CBZ_ERR_NOMEM, "%s: out of memory reading it", path);
            break;
        }
    }
    if (st == CBZ_OK && ferror(f)) st = cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", path, strerror(errno));
    fclose(f);
    if (st == CBZ_OK) st = cbz_copybook_compile_text((const char *)b.data, b.len, path, opt, out, err);
    cbz_buf_free(&b);
    return st;
}
