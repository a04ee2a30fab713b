/*
 * copybook_lex.c — reading copybook source text and cutting it into tokens.
 *
 * Reading turns physical lines into one character stream (each character with
 * its original line and column):
 *  - tabs expand to the next multiple of 8 columns; other control bytes
 *    (CR, the DOS end-of-file ^Z found in old copybooks) read as spaces;
 *  - fixed format: columns 1-6 are the sequence area, column 7 the indicator
 *    ('*' '/' comment, 'D' debug line read as a comment, '-' continuation),
 *    text in 8-72, 73-80 ignored.  A line whose column 7 holds anything else
 *    (Cobrix copybooks start "01" in column 7) is read from column 7;
 *  - free format: the whole line is text;
 *  - "*>" outside a literal starts a comment in both formats;
 *  - ">>SOURCE [FORMAT] [IS] FREE|FIXED" switches the format from the next line;
 *  - AUTO picks fixed when a line shows a sequence area or a column-7
 *    indicator, free when a line has text in columns 1-6 that cannot be one,
 *    and fixed when nothing tells.
 *
 * Tokens: words (PICTURE strings included: '.' and ',' stay inside a word
 * unless a space follows), literals, the separator period, "==" of
 * pseudo-text and single other characters.  ',' and ';' followed by a space
 * are separators and dropped.
 */
#include "copybook.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

void cbz_cb_src_free(cbz_cb_src *s)
{
    free(s->s);
    free(s->line);
    free(s->col);
    memset(s, 0, sizeof *s);
}

static cbz_status src_put(cbz_cb_src *s, char ch, int line, int col)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char *ns = realloc(s->s, cap);
        if (!ns) return CBZ_ERR_NOMEM;
        s->s = ns;
        int *nl = realloc(s->line, cap * sizeof *nl);
        if (!nl) return CBZ_ERR_NOMEM;
        s->line = nl;
        int *nc = realloc(s->col, cap * sizeof *nc);
        if (!nc) return CBZ_ERR_NOMEM;
        s->col = nc;
        s->cap = cap;
    }
    s->s[s->n] = ch;
    s->line[s->n] = line;
    s->col[s->n] = col;
    s->n++;
    return CBZ_OK;
}

int cbz_cb_add_file(cbz_cb_ctx *c, const char *name, int from_file, int from_line, int from_col)
{
    if (c->n_files == c->cap_files) {
        size_t cap = c->cap_files ? c->cap_files * 2 : 8;
        cbz_cb_file *nf = realloc(c->files, cap * sizeof *nf);
        if (!nf) return -1;
        c->files = nf;
        c->cap_files = cap;
    }
    char *dup = strdup(name ? name : "<text>");
    if (!dup) return -1;
    c->files[c->n_files] = (cbz_cb_file){ dup, from_file, from_line, from_col };
    return (int)c->n_files++;
}

void cbz_cb_where(const cbz_cb_ctx *c, const cbz_cb_tok *t, char *buf, size_t cap)
{
    const cbz_cb_file *f = &c->files[t->file];
    int n = snprintf(buf, cap, "%s:%d:%d", f->name, t->line, t->col);
    if (f->from_file >= 0 && n >= 0 && (size_t)n < cap) {
        const cbz_cb_file *g = &c->files[f->from_file];
        snprintf(buf + n, cap - (size_t)n, " (in COPY at %s:%d:%d)", g->name, f->from_line,
                 f->from_col);
    }
}

cbz_status cbz_cb_expected(cbz_cb_ctx *c, const cbz_cb_tok *t, const char *what)
{
    char where[300];
    cbz_cb_where(c, t, where, sizeof where);
    if (t->kind == CBZ_TOK_EOF) return cbz_fail(c->err, CBZ_ERR_COPYBOOK, "%s: expected %s, found end of text", where, what);
    int len = t->len > 40 ? 40 : (int)t->len;
    return cbz_fail(c->err, CBZ_ERR_COPYBOOK, "%s: expected %s, found '%.*s%s'", where, what, len,
                    cbz_cb_text(c, t), t->len > 40 ? "..." : "");
}

/* ---- lines ------------------------------------------------------------ */

/* One physical line with tabs expanded: byte i is column i+1. */
typedef struct line_buf {
    char *s;
    size_t n, cap;
} line_buf;

static cbz_status expand_line(const char *p, size_t len, line_buf *lb)
{
    lb->n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        size_t reps = 1;
        if (ch == '\t') reps = 8 - lb->n % 8;
        if (ch < 0x20 || ch == 0x7f) ch = ' ';
        if (lb->n + reps > lb->cap) {
            size_t cap = lb->cap ? lb->cap * 2 : 256;
            while (cap < lb->n + reps) cap *= 2;
            char *ns = realloc(lb->s, cap);
            if (!ns) return CBZ_ERR_NOMEM;
            lb->s = ns;
            lb->cap = cap;
        }
        for (size_t r = 0; r < reps; r++) lb->s[lb->n++] = (char)ch;
    }
    while (lb->n > 0 && lb->s[lb->n - 1] == ' ') lb->n--;
    return CBZ_OK;
}

static bool is_blank(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] != ' ') return false;
    return true;
}

/* ">>SOURCE ... FREE|FIXED": returns 1 free, 2 fixed, 0 other directive,
 * -1 when the line is not a directive. */
static int directive(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    if (i + 1 >= n || s[i] != '>' || s[i + 1] != '>') return -1;
    const char *rest = s + i + 2;
    size_t rn = n - i - 2;
    if (rn >= 6 && strncasecmp(rest, "SOURCE", 6) == 0) {
        for (size_t k = 0; k + 4 <= rn; k++) {
            if (strncasecmp(rest + k, "FREE", 4) == 0) return 1;
            if (k + 5 <= rn && strncasecmp(rest + k, "FIXED", 5) == 0) return 2;
        }
    }
    return 0;
}

static bool fixed_indicator(char ch)
{
    return ch == ' ' || ch == '*' || ch == '/' || ch == '-' || ch == 'D' || ch == 'd';
}

/* AUTO: look at every line for evidence of one format or the other. */
static cbz_source_format detect_format(const char *text, size_t len, line_buf *lb)
{
    int fixed = 0, free_ = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (expand_line(text + pos, ll, lb) != CBZ_OK) return CBZ_FORMAT_FIXED;
        pos += ll + 1;
        const char *s = lb->s;
        size_t n = lb->n;
        int d = directive(s, n);
        if (d >= 1) break; /* the lines after it say their format themselves */
        if (n == 0) continue;
        size_t first = 0;
        while (first < n && s[first] == ' ') first++;
        if (first >= 7) {
            continue; /* text from column 8: both formats read it alike */
        }
        if (first == 6) {
            if (s[6] == '*' || s[6] == '/' || s[6] == '-') fixed++;
            continue;
        }
        /* Something in columns 1-6. */
        char ind = n > 6 ? s[6] : ' ';
        bool digits = true;
        for (size_t i = 0; i < 6 && i < n; i++)
            if (!(s[i] == ' ' || isdigit((unsigned char)s[i]))) digits = false;
        if (first + 1 < n && s[first] == '*' && s[first + 1] == '>') free_++;
        else if (ind == '*' || ind == '/') fixed++;
        else if (digits && fixed_indicator(ind)) fixed++;
        else free_++;
    }
    if (fixed) return CBZ_FORMAT_FIXED;
    return free_ ? CBZ_FORMAT_FREE : CBZ_FORMAT_FIXED;
}

/* Quote state over characters appended to a line: 0 or the open quote. */
static char quote_step(char open, char ch)
{
    if (open == 0) return (ch == '\'' || ch == '"') ? ch : 0;
    return ch == open ? 0 : open;
}

cbz_status cbz_cb_read_source(cbz_cb_ctx *c, int file, const char *text, size_t len,
                              cbz_source_format fmt, cbz_cb_src *out)
{
    line_buf lb = { 0 };
    cbz_status st = CBZ_OK;
    if (fmt == CBZ_FORMAT_AUTO) fmt = detect_format(text, len, &lb);
    size_t pos = 0;
    int lineno = 0;
    char open = 0;           /* literal open at the end of the text so far */
    bool pending_nl = false; /* a line was emitted; its newline not yet */
    int last_line = 0, last_col = 0; /* where the last emitted line ended */
    while (pos < len && st == CBZ_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        st = expand_line(text + pos, ll, &lb);
        pos += ll + 1;
        if (st != CBZ_OK) break;
        const char *s = lb.s;
        size_t n = lb.n;
        int d = directive(s, n);
        if (d >= 0) {
            if (d == 1) fmt = CBZ_FORMAT_FREE;
            if (d == 2) fmt = CBZ_FORMAT_FIXED;
            continue;
        }
        size_t from = 0, to = n;
        bool continuation = false;
        if (fmt == CBZ_FORMAT_FIXED) {
            if (n <= 6) continue;
            char ind = s[6];
            if (ind == '*' || ind == '/' || ind == 'D' || ind == 'd') continue;
            if (ind == '-') continuation = true;
            from = (ind == ' ' || ind == '-') ? 7 : 6;
            if (to > 72) to = 72;
            if (from >= to) continue;
        }
        if (is_blank(s, from, to)) continue;
        if (continuation && pending_nl) {
            size_t k = from;
            while (k < to && s[k] == ' ') k++;
            if (open) {
                /* The literal ran to column 72 of the line before. */
                for (int col = last_col + 1; col <= 72 && st == CBZ_OK; col++)
                    st = src_put(out, ' ', last_line, col);
                if (k < to && s[k] == open) k++;
            } else {
                while (out->n > 0 && out->s[out->n - 1] == ' ') out->n--;
            }
            from = k;
        } else if (pending_nl) {
            st = src_put(out, '\n', last_line, last_col + 1);
            open = 0;
        }
        /* Append the text, cutting a "*>" comment outside literals. */
        size_t end = to;
        char q = open;
        for (size_t i = from; i < to; i++) {
            if (!q && s[i] == '*' && i + 1 < to && s[i + 1] == '>') {
                end = i;
                break;
            }
            q = quote_step(q, s[i]);
        }
        while (end > from && s[end - 1] == ' ' && !q) end--;
        for (size_t i = from; i < end && st == CBZ_OK; i++) {
            open = quote_step(open, s[i]);
            st = src_put(out, s[i], lineno, (int)i + 1);
        }
        if (end > from || continuation) {
            pending_nl = true;
            last_line = lineno;
            last_col = (int)end;
        }
    }
    if (st == CBZ_OK && pending_nl) st = src_put(out, '\n', last_line, last_col + 1);
    free(lb.s);
    if (st != CBZ_OK) return cbz_fail(c->err, st, "out of memory reading %s", c->files[file].name);
    return CBZ_OK;
}

/* ---- tokens ----------------------------------------------------------- */

cbz_status cbz_cb_toks_push(cbz_cb_toks *t, const cbz_cb_tok *tok)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        cbz_cb_tok *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv) return CBZ_ERR_NOMEM;
        t->v = nv;
        t->cap = cap;
    }
    t->v[t->n++] = *tok;
    return CBZ_OK;
}

cbz_status cbz_cb_pool_add(cbz_cb_ctx *c, const char *p, size_t n, uint32_t *off)
{
    if (c->pool.len + n >= UINT32_MAX) return CBZ_ERR_NOMEM;
    *off = (uint32_t)c->pool.len;
    return cbz_buf_append(&c->pool, p, n);
}

bool cbz_cb_tok_is(const cbz_cb_ctx *c, const cbz_cb_tok *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == CBZ_TOK_WORD && t->len == n && strncasecmp(cbz_cb_text(c, t), word, n) == 0;
}

static bool is_space_at(const cbz_cb_src *s, size_t i)
{
    return i >= s->n || s->s[i] == ' ' || s->s[i] == '\n';
}

static bool literal_prefix(const char *p, size_t n)
{
    static const char *const prefixes[] = { "X", "N", "G", "Z", "B", "NX", "U", NULL };
    for (int k = 0; prefixes[k]; k++)
        if (strlen(prefixes[k]) == n && strncasecmp(p, prefixes[k], n) == 0) return true;
    return false;
}

/* Index after the literal whose opening quote is at i; 0 when it does not
 * close on its line. */
static size_t scan_literal(const cbz_cb_src *src, size_t i)
{
    char q = src->s[i++];
    while (i < src->n && src->s[i] != '\n') {
        if (src->s[i] == q) {
            if (i + 1 < src->n && src->s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

cbz_status cbz_cb_lex(cbz_cb_ctx *c, int file, const cbz_cb_src *src, cbz_cb_toks *out)
{
    const char *s = src->s;
    size_t i = 0;
    while (i < src->n) {
        char ch = s[i];
        if (ch == ' ' || ch == '\n' || ((ch == ',' || ch == ';') && is_space_at(src, i + 1))) {
            i++;
            continue;
        }
        cbz_cb_tok t = { CBZ_TOK_WORD, 0, 0, file, src->line[i], src->col[i], 0, 0 };
        size_t start = i, quote_at = SIZE_MAX;
        if (ch == '.' && is_space_at(src, i + 1)) {
            t.kind = CBZ_TOK_PERIOD;
            i++;
        } else if (ch == '=') {
            bool pseudo = i + 1 < src->n && s[i + 1] == '=';
            t.kind = pseudo ? CBZ_TOK_PSEUDO : CBZ_TOK_OTHER;
            i += pseudo ? 2 : 1;
        } else if (ch == '\'' || ch == '"') {
            quote_at = i;
        } else {
            while (i < src->n) {
                char w = s[i];
                if (w == ' ' || w == '\n' || w == '=') break;
                if ((w == '.' || w == ',' || w == ';') && is_space_at(src, i + 1)) break;
                if (w == '\'' || w == '"') {
                    if (literal_prefix(s + start, i - start)) quote_at = i;
                    break;
                }
                i++;
            }
        }
        if (quote_at != SIZE_MAX) {
            t.kind = CBZ_TOK_LITERAL;
            i = scan_literal(src, quote_at);
            if (i == 0) {
                char where[300];
                cbz_cb_where(c, &t, where, sizeof where);
                return cbz_fail(c->err, CBZ_ERR_COPYBOOK,
                                "%s: expected the closing %c of the literal, found end of line", where,
                                s[quote_at]);
            }
        }
        cbz_status st = cbz_cb_pool_add(c, s + start, i - start, &t.off);
        if (st == CBZ_OK) {
            t.len = (uint32_t)(i - start);
            st = cbz_cb_toks_push(out, &t);
        }
        if (st != CBZ_OK) return cbz_fail(c->err, st, "out of memory tokenizing the copybook");
    }
    return CBZ_OK;
}
