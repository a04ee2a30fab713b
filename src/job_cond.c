/*
 * job_cond.c — the condition language of job decks: IF expressions in the
 * manner of JCL's IF/THEN (RC, STEP.RC, ABEND, STEP.ABEND, STEP.RUN,
 * comparisons, AND/OR/NOT, parentheses) and JCL's COND= parameter, whose tests
 * say when to BYPASS a step (the inverse of IF).
 */
#include "job.h"
#include "internal.h"

#include <ctype.h>
#include <strings.h>

const char *cbz_cmp_name(cbz_cmp op)
{
    static const char *const names[] = { "EQ", "NE", "GT", "GE", "LT", "LE" };
    return (unsigned)op < 6 ? names[op] : "?";
}

bool cbz_cmp_apply(int left, cbz_cmp op, int right)
{
    switch (op) {
    case CBZ_CMP_EQ: return left == right;
    case CBZ_CMP_NE: return left != right;
    case CBZ_CMP_GT: return left > right;
    case CBZ_CMP_GE: return left >= right;
    case CBZ_CMP_LT: return left < right;
    case CBZ_CMP_LE: return left <= right;
    }
    return false;
}

/* ---------------------------------------------------------------- tokens */

typedef enum tok_kind { T_END, T_LP, T_RP, T_COMMA, T_OP, T_AND, T_OR, T_NOT, T_NUM, T_WORD, T_BAD } tok_kind;

typedef struct token {
    tok_kind kind;
    size_t pos;                 /* 0-based offset in the text */
    cbz_cmp op;                 /* T_OP */
    long num;                   /* T_NUM */
    char word[80];              /* T_WORD: as written; may contain one '.' */
} token;

typedef struct lexer {
    const char *s;
    size_t i;
    token cur;
} lexer;

static bool word_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '#' || c == '@' || c == '$' || c == '-'; }

static bool word_op(const char *w, cbz_cmp *op)
{
    static const char *const names[] = { "EQ", "NE", "GT", "GE", "LT", "LE" };
    for (int k = 0; k < 6; k++)
        if (strcasecmp(w, names[k]) == 0) { *op = (cbz_cmp)k; return true; }
    return false;
}

static void lex_next(lexer *lx)
{
    const char *s = lx->s;
    while (s[lx->i] == ' ' || s[lx->i] == '\t' || s[lx->i] == '\n' || s[lx->i] == '\r') lx->i++;
    token *t = &lx->cur;
    memset(t, 0, sizeof *t);
    t->pos = lx->i;
    char c = s[lx->i];
    if (!c) { t->kind = T_END; return; }
    if (c == '(') { t->kind = T_LP; lx->i++; return; }
    if (c == ')') { t->kind = T_RP; lx->i++; return; }
    if (c == ',') { t->kind = T_COMMA; lx->i++; return; }
    if (c == '&') { t->kind = T_AND; lx->i++; lx->i += s[lx->i] == '&'; return; }
    if (c == '|') { t->kind = T_OR; lx->i++; lx->i += s[lx->i] == '|'; return; }
    /* '¬' is U+00AC: C2 AC in UTF-8. */
    bool is_not = c == '!' || ((unsigned char)c == 0xC2 && (unsigned char)s[lx->i + 1] == 0xAC);
    if (is_not) {
        size_t w = c == '!' ? 1 : 2;
        if (s[lx->i + w] == '=') { t->kind = T_OP; t->op = CBZ_CMP_NE; lx->i += w + 1; return; }
        t->kind = T_NOT; lx->i += w; return;
    }
    if (c == '=') { t->kind = T_OP; t->op = CBZ_CMP_EQ; lx->i += 1 + (s[lx->i + 1] == '='); return; }
    if (c == '<') {
        t->kind = T_OP;
        if (s[lx->i + 1] == '=') { t->op = CBZ_CMP_LE; lx->i += 2; }
        else if (s[lx->i + 1] == '>') { t->op = CBZ_CMP_NE; lx->i += 2; }
        else { t->op = CBZ_CMP_LT; lx->i += 1; }
        return;
    }
    if (c == '>') {
        t->kind = T_OP;
        if (s[lx->i + 1] == '=') { t->op = CBZ_CMP_GE; lx->i += 2; }
        else { t->op = CBZ_CMP_GT; lx->i += 1; }
        return;
    }
    if (isdigit((unsigned char)c)) {
        long v = 0;
        while (isdigit((unsigned char)s[lx->i])) {
            if (v < 100000) v = v * 10 + (s[lx->i] - '0');
            lx->i++;
        }
        if (word_char(s[lx->i])) { t->kind = T_BAD; return; }
        t->kind = T_NUM;
        t->num = v;
        return;
    }
    if (word_char(c)) {
        size_t n = 0;
        while ((word_char(s[lx->i]) || s[lx->i] == '.') && n + 1 < sizeof t->word) t->word[n++] = s[lx->i++];
        if (word_char(s[lx->i]) || s[lx->i] == '.') { t->kind = T_BAD; return; }
        t->word[n] = '\0';
        t->kind = T_WORD;
        if (strcasecmp(t->word, "AND") == 0) t->kind = T_AND;
        else if (strcasecmp(t->word, "OR") == 0) t->kind = T_OR;
        else if (strcasecmp(t->word, "NOT") == 0) t->kind = T_NOT;
        else if (word_op(t->word, &t->op)) t->kind = T_OP;
        return;
    }
    t->kind = T_BAD;
}

/* ---------------------------------------------------------- IF expressions */

typedef enum node_kind { N_OR, N_AND, N_NOT, N_REL, N_FLAG } node_kind;
typedef enum term_kind { TERM_RC, TERM_STEP_RC, TERM_ABEND, TERM_STEP_ABEND, TERM_STEP_RUN, TERM_TRUE, TERM_FALSE } term_kind;

struct cbz_cond {
    node_kind kind;
    cbz_cond *a, *b;            /* OR/AND: a, b; NOT: a */
    term_kind term;             /* REL/FLAG */
    char step[CBZ_JOB_NAME_MAX];
    cbz_cmp op;                 /* REL */
    int value;                  /* REL */
};

void cbz_cond_free(cbz_cond *c)
{
    if (!c) return;
    cbz_cond_free(c->a);
    cbz_cond_free(c->b);
    free(c);
}

typedef struct parser {
    lexer lx;
    const char *const *known;
    size_t n_known;
    size_t *err_pos;
    cbz_error *err;
    int depth;
} parser;

static cbz_status perr(parser *p, size_t pos, const char *what)
{
    if (p->err_pos) *p->err_pos = pos + 1;
    return cbz_fail(p->err, CBZ_ERR_JOB, "at character %zu of the condition: %s", pos + 1, what);
}

static const char *tok_desc(const token *t)
{
    switch (t->kind) {
    case T_END: return "the end";
    case T_LP: return "'('";
    case T_RP: return "')'";
    case T_COMMA: return "','";
    case T_OP: return "a comparison";
    case T_AND: return "AND";
    case T_OR: return "OR";
    case T_NOT: return "NOT";
    case T_NUM: return "a number";
    case T_WORD: return "a name";
    case T_BAD: return "a character that is not part of a condition";
    }
    return "?";
}

static cbz_status expect_fail(parser *p, const char *expected)
{
    char msg[200];
    snprintf(msg, sizeof msg, "expected %s, found %s", expected, tok_desc(&p->lx.cur));
    return perr(p, p->lx.cur.pos, msg);
}

static cbz_cond *node(node_kind k)
{
    cbz_cond *c = calloc(1, sizeof *c);
    if (c) c->kind = k;
    return c;
}

static int find_known(const parser *p, const char *name)
{
    for (size_t i = 0; i < p->n_known; i++)
        if (strcasecmp(p->known[i], name) == 0) return (int)i;
    return -1;
}

static cbz_status parse_or(parser *p, cbz_cond **out);

static cbz_status parse_primary(parser *p, cbz_cond **out)
{
    *out = NULL;
    token t = p->lx.cur;
    if (t.kind == T_NOT) {
        lex_next(&p->lx);
        cbz_cond *inner;
        CBZ_TRY(parse_primary(p, &inner));
        cbz_cond *n = node(N_NOT);
        if (!n) { cbz_cond_free(inner); return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory"); }
        n->a = inner;
        *out = n;
        return CBZ_OK;
    }
    if (t.kind == T_LP) {
        if (++p->depth > 32) return perr(p, t.pos, "parentheses nested more than 32 deep");
        lex_next(&p->lx);
        cbz_cond *inner;
        CBZ_TRY(parse_or(p, &inner));
        if (p->lx.cur.kind != T_RP) {
            cbz_cond_free(inner);
            return expect_fail(p, "')'");
        }
        p->depth--;
        lex_next(&p->lx);
        *out = inner;
        return CBZ_OK;
    }
    if (t.kind != T_WORD) return expect_fail(p, "RC, ABEND, STEP.RC, STEP.ABEND, STEP.RUN, NOT or '('");

    cbz_cond *n = node(N_FLAG);
    if (!n) return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
    char *dot = strchr(t.word, '.');
    if (!dot) {
        if (strcasecmp(t.word, "RC") == 0) n->term = TERM_RC;
        else if (strcasecmp(t.word, "ABEND") == 0) n->term = TERM_ABEND;
        else if (strcasecmp(t.word, "TRUE") == 0) n->term = TERM_TRUE;
        else if (strcasecmp(t.word, "FALSE") == 0) n->term = TERM_FALSE;
        else {
            free(n);
            char msg[200];
            snprintf(msg, sizeof msg, "'%s' is not RC, ABEND, TRUE, FALSE or STEP.RC/STEP.ABEND/STEP.RUN", t.word);
            return perr(p, t.pos, msg);
        }
    } else {
        *dot = '\0';
        const char *what = dot + 1;
        if (strchr(what, '.')) {
            free(n);
            return perr(p, t.pos, "a step reference has one dot: STEP.RC, STEP.ABEND or STEP.RUN");
        }
        if (strcasecmp(what, "RC") == 0) n->term = TERM_STEP_RC;
        else if (strcasecmp(what, "ABEND") == 0) n->term = TERM_STEP_ABEND;
        else if (strcasecmp(what, "RUN") == 0) n->term = TERM_STEP_RUN;
        else {
            free(n);
            return perr(p, t.pos + (size_t)(dot - t.word) + 1, "after STEP. expected RC, ABEND or RUN");
        }
        int k = find_known(p, t.word);
        if (k < 0) {
            free(n);
            char msg[200];
            snprintf(msg, sizeof msg, "'%s' is not the name of an earlier step", t.word);
            return perr(p, t.pos, msg);
        }
        snprintf(n->step, sizeof n->step, "%s", p->known[k]);
    }
    lex_next(&p->lx);
    if (p->lx.cur.kind == T_OP) {
        if (n->term != TERM_RC && n->term != TERM_STEP_RC) {
            size_t pos = p->lx.cur.pos;
            free(n);
            return perr(p, pos, "only RC and STEP.RC can be compared (ABEND, RUN, TRUE, FALSE are true or false)");
        }
        n->kind = N_REL;
        n->op = p->lx.cur.op;
        lex_next(&p->lx);
        if (p->lx.cur.kind != T_NUM) {
            free(n);
            return expect_fail(p, "a return code (a number) after the comparison");
        }
        if (p->lx.cur.num > 4095) {
            size_t pos = p->lx.cur.pos;
            free(n);
            return perr(p, pos, "a return code is at most 4095");
        }
        n->value = (int)p->lx.cur.num;
        lex_next(&p->lx);
    } else if (n->term == TERM_RC || n->term == TERM_STEP_RC) {
        free(n);
        return expect_fail(p, "a comparison (=, <>, >, >=, <, <=, EQ, NE, GT, GE, LT, LE) after RC");
    }
    *out = n;
    return CBZ_OK;
}

static cbz_status parse_chain(parser *p, tok_kind joiner, node_kind kind, cbz_cond **out)
{
    cbz_cond *left;
    if (joiner == T_AND) CBZ_TRY(parse_primary(p, &left));
    else CBZ_TRY(parse_chain(p, T_AND, N_AND, &left));
    while (p->lx.cur.kind == joiner) {
        lex_next(&p->lx);
        cbz_cond *right;
        cbz_status s = joiner == T_AND ? parse_primary(p, &right) : parse_chain(p, T_AND, N_AND, &right);
        if (s != CBZ_OK) { cbz_cond_free(left); return s; }
        cbz_cond *n = node(kind);
        if (!n) { cbz_cond_free(left); cbz_cond_free(right); return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory"); }
        n->a = left;
        n->b = right;
        left = n;
    }
    *out = left;
    return CBZ_OK;
}

static cbz_status parse_or(parser *p, cbz_cond **out) { return parse_chain(p, T_OR, N_OR, out); }

cbz_status cbz_cond_parse(const char *text, const char *const *known_steps, size_t n_known, cbz_cond **out,
                          size_t *err_pos, cbz_error *err)
{
    *out = NULL;
    if (err_pos) *err_pos = 0;
    parser p = { { text, 0, { 0 } }, known_steps, n_known, err_pos, err, 0 };
    lex_next(&p.lx);
    if (p.lx.cur.kind == T_END) return perr(&p, 0, "the condition is empty");
    cbz_cond *c;
    CBZ_TRY(parse_or(&p, &c));
    if (p.lx.cur.kind != T_END) {
        cbz_cond_free(c);
        return expect_fail(&p, "AND, OR or the end of the condition");
    }
    *out = c;
    return CBZ_OK;
}

static const cbz_cond_step *ctx_step(const cbz_cond_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_steps; i++)
        if (strcasecmp(ctx->steps[i].name, name) == 0) return &ctx->steps[i];
    return NULL;
}

bool cbz_cond_eval(const cbz_cond *c, const cbz_cond_ctx *ctx)
{
    switch (c->kind) {
    case N_OR: return cbz_cond_eval(c->a, ctx) || cbz_cond_eval(c->b, ctx);
    case N_AND: return cbz_cond_eval(c->a, ctx) && cbz_cond_eval(c->b, ctx);
    case N_NOT: return !cbz_cond_eval(c->a, ctx);
    case N_REL:
    case N_FLAG: break;
    }
    const cbz_cond_step *s = NULL;
    if (c->term == TERM_STEP_RC || c->term == TERM_STEP_ABEND || c->term == TERM_STEP_RUN)
        s = ctx_step(ctx, c->step);
    switch (c->term) {
    case TERM_RC: {
        int high = 0;
        for (size_t i = 0; i < ctx->n_steps; i++)
            if (ctx->steps[i].state == CBZ_STEP_RAN && ctx->steps[i].rc > high) high = ctx->steps[i].rc;
        return cbz_cmp_apply(high, c->op, c->value);
    }
    case TERM_STEP_RC: return s && s->state == CBZ_STEP_RAN && cbz_cmp_apply(s->rc, c->op, c->value);
    case TERM_ABEND:
        for (size_t i = 0; i < ctx->n_steps; i++)
            if (ctx->steps[i].state == CBZ_STEP_ABEND) return true;
        return false;
    case TERM_STEP_ABEND: return s && s->state == CBZ_STEP_ABEND;
    case TERM_STEP_RUN: return s && (s->state == CBZ_STEP_RAN || s->state == CBZ_STEP_ABEND);
    case TERM_TRUE: return true;
    case TERM_FALSE: return false;
    }
    return false;
}

bool cbz_cond_mentions_abend(const cbz_cond *c)
{
    if (!c) return false;
    if (c->kind == N_FLAG && (c->term == TERM_ABEND || c->term == TERM_STEP_ABEND)) return true;
    return cbz_cond_mentions_abend(c->a) || cbz_cond_mentions_abend(c->b);
}

/* ------------------------------------------------------------ JCL COND= */

static cbz_status cond_fail(size_t pos, size_t *err_pos, cbz_error *err, const char *what)
{
    if (err_pos) *err_pos = pos + 1;
    return cbz_fail(err, CBZ_ERR_JOB, "at character %zu of COND: %s", pos + 1, what);
}

/* One test "(code,op[,step])"; the lexer stands on '('. */
static cbz_status parse_jcl_test(lexer *lx, const char *const *known, size_t n_known, cbz_jcl_cond *out,
                                 size_t *err_pos, cbz_error *err)
{
    size_t open_pos = lx->cur.pos;
    lex_next(lx);
    if (lx->cur.kind != T_NUM)
        return cond_fail(lx->cur.pos, err_pos, err, "expected a return code 0-4095 first in the test (code,op[,step])");
    if (lx->cur.num > 4095) return cond_fail(lx->cur.pos, err_pos, err, "a return code is at most 4095");
    int code = (int)lx->cur.num;
    lex_next(lx);
    if (lx->cur.kind != T_COMMA) return cond_fail(lx->cur.pos, err_pos, err, "expected ',' after the code");
    lex_next(lx);
    if (lx->cur.kind != T_OP || !isalpha((unsigned char)lx->s[lx->cur.pos]))
        return cond_fail(lx->cur.pos, err_pos, err, "expected GT, GE, EQ, NE, LT or LE");
    cbz_cmp op = lx->cur.op;
    lex_next(lx);
    char step[CBZ_JOB_NAME_MAX] = "";
    if (lx->cur.kind == T_COMMA) {
        lex_next(lx);
        if (lx->cur.kind != T_WORD || strchr(lx->cur.word, '.'))
            return cond_fail(lx->cur.pos, err_pos, err, "expected the name of an earlier step");
        size_t k;
        for (k = 0; k < n_known; k++)
            if (strcasecmp(known[k], lx->cur.word) == 0) break;
        if (k == n_known) {
            char msg[160];
            snprintf(msg, sizeof msg, "'%.60s' is not the name of an earlier step", lx->cur.word);
            return cond_fail(lx->cur.pos, err_pos, err, msg);
        }
        snprintf(step, sizeof step, "%s", known[k]);
        lex_next(lx);
    }
    if (lx->cur.kind != T_RP) return cond_fail(lx->cur.pos, err_pos, err, "expected ')' to close the test");
    lex_next(lx);
    if (out->n_tests >= CBZ_JCL_COND_MAX) return cond_fail(open_pos, err_pos, err, "at most 8 tests");
    out->tests[out->n_tests].code = code;
    out->tests[out->n_tests].op = op;
    memcpy(out->tests[out->n_tests].step, step, sizeof step);
    out->n_tests++;
    return CBZ_OK;
}

static cbz_status parse_jcl_word(lexer *lx, cbz_jcl_cond *out, size_t *err_pos, cbz_error *err)
{
    if (lx->cur.kind == T_WORD && strcasecmp(lx->cur.word, "EVEN") == 0) out->even = true;
    else if (lx->cur.kind == T_WORD && strcasecmp(lx->cur.word, "ONLY") == 0) out->only = true;
    else return cond_fail(lx->cur.pos, err_pos, err, "expected a test (code,op[,step]), EVEN or ONLY");
    if (out->even && out->only) return cond_fail(lx->cur.pos, err_pos, err, "EVEN and ONLY exclude each other");
    lex_next(lx);
    return CBZ_OK;
}

cbz_status cbz_jcl_cond_parse(const char *text, const char *const *known_steps, size_t n_known,
                              cbz_jcl_cond *out, size_t *err_pos, cbz_error *err)
{
    memset(out, 0, sizeof *out);
    if (err_pos) *err_pos = 0;
    lexer lx = { text, 0, { 0 } };
    lex_next(&lx);
    if (lx.cur.kind == T_END) return cond_fail(0, err_pos, err, "COND is empty");
    /* Forms: EVEN | ONLY | (code,op[,step]) | (item, item, ...) with items tests or EVEN/ONLY. */
    if (lx.cur.kind == T_WORD) {
        CBZ_TRY(parse_jcl_word(&lx, out, err_pos, err));
    } else if (lx.cur.kind == T_LP) {
        lexer peek = lx;
        lex_next(&peek);
        if (peek.cur.kind == T_NUM) {
            CBZ_TRY(parse_jcl_test(&lx, known_steps, n_known, out, err_pos, err));
        } else {
            lex_next(&lx);
            for (;;) {
                if (lx.cur.kind == T_LP) CBZ_TRY(parse_jcl_test(&lx, known_steps, n_known, out, err_pos, err));
                else CBZ_TRY(parse_jcl_word(&lx, out, err_pos, err));
                if (lx.cur.kind == T_COMMA) { lex_next(&lx); continue; }
                if (lx.cur.kind == T_RP) { lex_next(&lx); break; }
                return cond_fail(lx.cur.pos, err_pos, err, "expected ',' or ')' in the COND list");
            }
        }
    } else {
        return cond_fail(lx.cur.pos, err_pos, err, "expected '(' starting a test (code,op[,step]), EVEN or ONLY");
    }
    if (lx.cur.kind != T_END) return cond_fail(lx.cur.pos, err_pos, err, "unexpected text after COND");
    return CBZ_OK;
}

bool cbz_jcl_cond_bypass(const cbz_jcl_cond *c, const cbz_cond_ctx *ctx)
{
    for (size_t t = 0; t < c->n_tests; t++) {
        for (size_t i = 0; i < ctx->n_steps; i++) {
            const cbz_cond_step *s = &ctx->steps[i];
            if (c->tests[t].step[0] && strcasecmp(c->tests[t].step, s->name) != 0) continue;
            /* A step that did not run to its end is not tested (JCL ignores it). */
            if (s->state != CBZ_STEP_RAN) continue;
            if (cbz_cmp_apply(c->tests[t].code, c->tests[t].op, s->rc)) return true;
        }
    }
    return false;
}
