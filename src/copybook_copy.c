/*
 * copybook_copy.c — COPY statements and the expanded text.
 *
 * COPY member [OF|IN library] [SUPPRESS] [REPLACING operand BY operand ...].
 * is replaced by the tokens of the member, which is looked up in the directory
 * of the file holding the COPY statement, then in each include directory in
 * order; for each directory (and directory/library when OF/IN is given) the
 * names NAME, NAME.cpy, NAME.cob, NAME.CPY, NAME.COB and the lower-case forms
 * are tried.  Members may COPY others up to CBZ_CB_MAX_COPY_DEPTH deep; a
 * member that copies itself (directly or not) is an error.
 *
 * REPLACING operands are pseudo-text (==a b==), a word or a literal, matched
 * token by token (words without regard to case); each text word is replaced by
 * the first operand that matches at its position and replaced text is not
 * scanned again.  A one-word operand that starts and ends with a character
 * that cannot begin or end a COBOL word (":TAG:", "(PFX)") also replaces that
 * text inside words, and LEADING / TRAILING replace the start or end of words,
 * as IBM Enterprise COBOL does.  Parentheses separate text words, so
 * REPLACING ==LEN== BY ==15== turns PIC X(LEN) into PIC X(15).
 *
 * The expanded text is free format, opened by ">>SOURCE FORMAT FREE": one line
 * per original line, main-file tokens on their original line numbers where
 * possible, so compiling it gives the same fields, lines and columns again.
 */
#include "copybook.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <strings.h>

#define MAX_COPYBOOK_BYTES ((size_t)64 << 20)

enum { REPL_WORDS = 0, REPL_LEADING = 1, REPL_TRAILING = 2, REPL_INSIDE = 3, REPL_PAREN = 4 };

typedef struct repl {
    const cbz_cb_tok *from;
    size_t n_from;
    const cbz_cb_tok *by;
    size_t n_by;
    int mode;
} repl;

static cbz_status read_file(cbz_cb_ctx *c, const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cbz_fail(c->err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    cbz_buf b;
    cbz_buf_init(&b);
    char chunk[65536];
    size_t got;
    cbz_status st = CBZ_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + got > MAX_COPYBOOK_BYTES) {
            st = cbz_fail(c->err, CBZ_ERR_COPYBOOK, "%s: larger than %zu MiB: not a copybook", path,
                          MAX_COPYBOOK_BYTES >> 20);
            break;
        }
        if (cbz_buf_append(&b, chunk, got) != CBZ_OK) {
            st = cbz_fail(c->err, CBZ_ERR_NOMEM, "%s: out of memory reading it", path);
            break;
        }
    }
    if (st == CBZ_OK && ferror(f)) st = cbz_fail(c->err, CBZ_ERR_IO, "%s: read failed: %s", path, strerror(errno));
    fclose(f);
    if (st != CBZ_OK) {
        cbz_buf_free(&b);
        return st;
    }
    *text = (char *)b.data;
    *len = b.len;
    if (!*text) {
        *text = malloc(1);
        if (!*text) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    }
    return CBZ_OK;
}

static bool file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    fclose(f);
    return true;
}

/* Tries the name variants in dir (or dir/lib).  true with path filled when found. */
static bool try_dir(const char *dir, const char *lib, const char *name, char *path, size_t cap)
{
    static const char *const exts[] = { "", ".cpy", ".cob", ".CPY", ".COB", ".cbl", ".CBL" };
    char lower[256];
    size_t n = strlen(name);
    if (n >= sizeof lower) return false;
    for (size_t i = 0; i <= n; i++) lower[i] = (char)tolower((unsigned char)name[i]);
    const char *names[2] = { name, lower };
    for (int v = 0; v < 2; v++) {
        for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++) {
            int w;
            if (lib)
                w = snprintf(path, cap, "%s%s%s/%s%s", dir ? dir : "", dir ? "/" : "", lib, names[v], exts[e]);
            else
                w = snprintf(path, cap, "%s%s%s%s", dir ? dir : "", dir ? "/" : "", names[v], exts[e]);
            if (w < 0 || (size_t)w >= cap) continue;
            if (file_exists(path)) return true;
        }
    }
    return false;
}

static bool resolve_member(cbz_cb_ctx *c, int from_file, const char *name, const char *lib,
                           char *path, size_t cap)
{
    char dir[PATH_MAX];
    const char *from = c->files[from_file].name;
    const char *slash = strrchr(from, '/');
    bool have_dir = false;
    if (slash && (size_t)(slash - from) < sizeof dir) {
        memcpy(dir, from, (size_t)(slash - from));
        dir[slash - from] = '\0';
        have_dir = true;
    } else if (from_file > 0 || file_exists(from)) {
        strcpy(dir, ".");
        have_dir = true;
    }
    if (name[0] == '/') return try_dir(NULL, NULL, name, path, cap);
    if (have_dir) {
        if (lib && try_dir(dir, lib, name, path, cap)) return true;
        if (try_dir(dir, NULL, name, path, cap)) return true;
    }
    for (size_t i = 0; c->opt && i < c->opt->n_include_dirs; i++) {
        const char *d = c->opt->include_dirs[i];
        if (!d) continue;
        if (lib && try_dir(d, lib, name, path, cap)) return true;
        if (try_dir(d, NULL, name, path, cap)) return true;
    }
    return false;
}

static bool tok_same(const cbz_cb_ctx *c, const cbz_cb_tok *a, const cbz_cb_tok *b)
{
    if (a->kind != b->kind || a->len != b->len) return false;
    if (a->kind == CBZ_TOK_WORD) return strncasecmp(cbz_cb_text(c, a), cbz_cb_text(c, b), a->len) == 0;
    return memcmp(cbz_cb_text(c, a), cbz_cb_text(c, b), a->len) == 0;
}

static bool word_char(char ch) { return isalnum((unsigned char)ch) || ch == '-' || ch == '_'; }

/* Finds text `f` (case-insensitive) in `s`; index or -1. */
static long find_ci(const char *s, size_t n, const char *f, size_t fn)
{
    if (fn == 0 || fn > n) return -1;
    for (size_t i = 0; i + fn <= n; i++)
        if (strncasecmp(s + i, f, fn) == 0) return (long)i;
    return -1;
}

/* Replaces inside one word token; true when something was replaced. */
static cbz_status replace_in_word(cbz_cb_ctx *c, const repl *r, cbz_cb_tok *t, bool *done)
{
    *done = false;
    if (t->kind != CBZ_TOK_WORD || r->n_from != 1 || r->n_by > 1) return CBZ_OK;
    const cbz_cb_tok *f = &r->from[0];
    size_t fn = f->len, tn = t->len;
    char *from = malloc(fn + 1), *word = malloc(tn + 1);
    if (!from || !word) {
        free(from);
        free(word);
        return CBZ_ERR_NOMEM;
    }
    memcpy(from, cbz_cb_text(c, f), fn);
    memcpy(word, cbz_cb_text(c, t), tn);
    const char *by = r->n_by ? cbz_cb_text(c, &r->by[0]) : "";
    size_t bn = r->n_by ? r->by[0].len : 0;
    long at = -1;
    if (r->mode == REPL_LEADING && fn < tn && strncasecmp(word, from, fn) == 0) at = 0;
    if (r->mode == REPL_TRAILING && fn < tn && strncasecmp(word + tn - fn, from, fn) == 0) at = (long)(tn - fn);
    if (r->mode == REPL_INSIDE) at = find_ci(word, tn, from, fn);
    if (r->mode == REPL_PAREN) {
        /* "X(LEN)": parentheses separate text words, as in IBM COBOL. */
        for (long k = find_ci(word, tn, from, fn); k >= 0;) {
            if (k > 0 && word[k - 1] == '(' && (size_t)k + fn < tn && word[k + (long)fn] == ')') {
                at = k;
                break;
            }
            long next = find_ci(word + k + 1, tn - (size_t)k - 1, from, fn);
            k = next < 0 ? -1 : k + 1 + next;
        }
    }
    cbz_status st = CBZ_OK;
    if (at >= 0) {
        cbz_buf nb;
        cbz_buf_init(&nb);
        /* Every occurrence for INSIDE, the one for LEADING/TRAILING. */
        size_t pos = 0;
        while (at >= 0 && st == CBZ_OK) {
            st = cbz_buf_append(&nb, word + pos, (size_t)at - pos);
            if (st == CBZ_OK) st = cbz_buf_append(&nb, by, bn);
            pos = (size_t)at + fn;
            if (r->mode != REPL_INSIDE) break;
            long next = find_ci(word + pos, tn - pos, from, fn);
            at = next < 0 ? -1 : (long)pos + next;
        }
        if (st == CBZ_OK) st = cbz_buf_append(&nb, word + pos, tn - pos);
        if (st == CBZ_OK && nb.len > 0) {
            st = cbz_cb_pool_add(c, (const char *)nb.data, nb.len, &t->off);
            t->len = (uint32_t)nb.len;
            *done = true;
        }
        cbz_buf_free(&nb);
    }
    free(from);
    free(word);
    return st;
}

static cbz_status apply_replacing(cbz_cb_ctx *c, const repl *rs, size_t n_rs, const cbz_cb_toks *in,
                                  cbz_cb_toks *out)
{
    cbz_status st = CBZ_OK;
    for (size_t j = 0; j < in->n && st == CBZ_OK;) {
        bool matched = false;
        for (size_t k = 0; k < n_rs && !matched && st == CBZ_OK; k++) {
            const repl *r = &rs[k];
            if (r->mode != REPL_WORDS) {
                cbz_cb_tok t = in->v[j];
                st = replace_in_word(c, r, &t, &matched);
                if (matched) {
                    st = cbz_cb_toks_push(out, &t);
                    j++;
                }
                continue;
            }
            if (j + r->n_from > in->n) continue;
            size_t m = 0;
            while (m < r->n_from && tok_same(c, &r->from[m], &in->v[j + m])) m++;
            if (m < r->n_from) {
                if (r->n_from == 1 && r->n_by <= 1 && r->from[0].kind == CBZ_TOK_WORD &&
                    in->v[j].kind == CBZ_TOK_WORD && memchr(cbz_cb_text(c, &in->v[j]), '(', in->v[j].len)) {
                    repl paren = *r;
                    paren.mode = REPL_PAREN;
                    cbz_cb_tok t = in->v[j];
                    st = replace_in_word(c, &paren, &t, &matched);
                    if (matched && st == CBZ_OK) {
                        st = cbz_cb_toks_push(out, &t);
                        j++;
                    }
                }
                continue;
            }
            for (size_t b = 0; b < r->n_by && st == CBZ_OK; b++) {
                cbz_cb_tok t = r->by[b];
                t.file = in->v[j].file;
                t.line = in->v[j].line;
                t.col = in->v[j].col;
                st = cbz_cb_toks_push(out, &t);
            }
            j += r->n_from;
            matched = true;
        }
        if (!matched && st == CBZ_OK) st = cbz_cb_toks_push(out, &in->v[j++]);
    }
    return st == CBZ_OK ? st : cbz_fail(c->err, st, "out of memory applying REPLACING");
}

/* One REPLACING operand at *i: ==pseudo text==, a word or a literal. */
static cbz_status parse_operand(cbz_cb_ctx *c, const cbz_cb_toks *t, size_t *i, bool allow_empty,
                                const cbz_cb_tok **first, size_t *n)
{
    const cbz_cb_tok *tok = &t->v[*i];
    if (tok->kind == CBZ_TOK_PSEUDO) {
        size_t j = *i + 1;
        while (j < t->n && t->v[j].kind != CBZ_TOK_PSEUDO) j++;
        if (j >= t->n) return cbz_cb_expected(c, tok, "'==' closing the pseudo-text");
        *first = &t->v[*i + 1];
        *n = j - *i - 1;
        if (*n == 0 && !allow_empty) return cbz_cb_expected(c, tok, "text to replace between '=='");
        *i = j + 1;
        return CBZ_OK;
    }
    if (tok->kind == CBZ_TOK_WORD || tok->kind == CBZ_TOK_LITERAL) {
        *first = tok;
        *n = 1;
        *i += 1;
        return CBZ_OK;
    }
    return cbz_cb_expected(c, tok, "==pseudo-text==, a word or a literal");
}

/* The name of a COPY member or library, without quotes when a literal. */
static cbz_status copy_name(cbz_cb_ctx *c, const cbz_cb_tok *t, char *buf, size_t cap, const char *what)
{
    if (t->kind != CBZ_TOK_WORD && t->kind != CBZ_TOK_LITERAL) return cbz_cb_expected(c, t, what);
    const char *s = cbz_cb_text(c, t);
    size_t n = t->len;
    if (t->kind == CBZ_TOK_LITERAL) {
        if (n < 2 || (s[0] != '\'' && s[0] != '"')) return cbz_cb_expected(c, t, what);
        s++;
        n -= 2;
    }
    if (n == 0 || n >= cap || memchr(s, '\0', n)) return cbz_cb_expected(c, t, what);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return CBZ_OK;
}

typedef struct chain {
    char paths[CBZ_CB_MAX_COPY_DEPTH + 1][PATH_MAX];
    int depth;
} chain;

static cbz_status expand(cbz_cb_ctx *c, int file, const char *text, size_t len, chain *ch,
                         cbz_cb_toks *out);

/* Handles the COPY statement whose COPY word is t->v[*i]. */
static cbz_status do_copy(cbz_cb_ctx *c, int file, const cbz_cb_toks *t, size_t *i, chain *ch,
                          cbz_cb_toks *out)
{
    const cbz_cb_tok *copy_tok = &t->v[*i];
    size_t j = *i + 1;
    char name[256], lib[256];
    bool have_lib = false;
    const cbz_cb_tok eof = { CBZ_TOK_EOF, 0, 0, copy_tok->file, copy_tok->line, copy_tok->col, 0, 0 };
#define AT(k) ((k) < t->n ? &t->v[(k)] : &eof)
    CBZ_TRY(copy_name(c, AT(j), name, sizeof name, "a member name after COPY"));
    j++;
    if (cbz_cb_tok_is(c, AT(j), "OF") || cbz_cb_tok_is(c, AT(j), "IN")) {
        CBZ_TRY(copy_name(c, AT(j + 1), lib, sizeof lib, "a library name after OF/IN"));
        have_lib = true;
        j += 2;
    }
    if (cbz_cb_tok_is(c, AT(j), "SUPPRESS")) j++;
    repl rs[64];
    size_t n_rs = 0;
    if (cbz_cb_tok_is(c, AT(j), "REPLACING")) {
        j++;
        do {
            if (n_rs == sizeof rs / sizeof rs[0]) return cbz_cb_expected(c, AT(j), "at most 64 REPLACING operands, then '.'");
            repl r = { 0 };
            if (cbz_cb_tok_is(c, AT(j), "LEADING")) r.mode = REPL_LEADING, j++;
            else if (cbz_cb_tok_is(c, AT(j), "TRAILING")) r.mode = REPL_TRAILING, j++;
            if (j >= t->n) return cbz_cb_expected(c, &eof, "a REPLACING operand");
            CBZ_TRY(parse_operand(c, t, &j, false, &r.from, &r.n_from));
            if (!cbz_cb_tok_is(c, AT(j), "BY")) return cbz_cb_expected(c, AT(j), "BY");
            j++;
            if (j >= t->n) return cbz_cb_expected(c, &eof, "a REPLACING operand after BY");
            CBZ_TRY(parse_operand(c, t, &j, true, &r.by, &r.n_by));
            if (r.mode != REPL_WORDS && (r.n_from != 1 || r.n_by > 1 || r.from[0].kind != CBZ_TOK_WORD))
                return cbz_cb_expected(c, r.from, "one word for LEADING/TRAILING replacing");
            if (r.mode == REPL_WORDS && r.n_from == 1 && r.n_by <= 1 && r.from[0].kind == CBZ_TOK_WORD &&
                r.from[0].len >= 2) {
                const char *s = cbz_cb_text(c, &r.from[0]);
                if (!word_char(s[0]) && !word_char(s[r.from[0].len - 1])) r.mode = REPL_INSIDE;
            }
            rs[n_rs++] = r;
        } while (AT(j)->kind != CBZ_TOK_PERIOD && AT(j)->kind != CBZ_TOK_EOF);
    }
    if (AT(j)->kind != CBZ_TOK_PERIOD) return cbz_cb_expected(c, AT(j), "'.' ending the COPY statement");
    *i = j + 1;
#undef AT

    char where[300];
    cbz_cb_where(c, copy_tok, where, sizeof where);
    char path[PATH_MAX];
    if (!resolve_member(c, file, name, have_lib ? lib : NULL, path, sizeof path))
        return cbz_fail(c->err, CBZ_ERR_COPYBOOK,
                        "%s: COPY member '%s' not found (searched the copybook's directory and %zu -I "
                        "director%s)",
                        where, name, c->opt ? c->opt->n_include_dirs : 0,
                        c->opt && c->opt->n_include_dirs == 1 ? "y" : "ies");
    char real[PATH_MAX];
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    for (int d = 0; d <= ch->depth; d++)
        if (strcmp(ch->paths[d], real) == 0)
            return cbz_fail(c->err, CBZ_ERR_COPYBOOK, "%s: COPY '%s' copies itself (%s is already being copied)",
                            where, name, path);
    if (ch->depth + 1 > CBZ_CB_MAX_COPY_DEPTH)
        return cbz_fail(c->err, CBZ_ERR_COPYBOOK, "%s: COPY '%s' nested more than %d deep", where, name,
                        CBZ_CB_MAX_COPY_DEPTH);
    int mf = cbz_cb_add_file(c, path, file, copy_tok->line, copy_tok->col);
    if (mf < 0) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    char *mtext = NULL;
    size_t mlen = 0;
    CBZ_TRY(read_file(c, path, &mtext, &mlen));
    cbz_cb_toks mt = { 0 };
    ch->depth++;
    snprintf(ch->paths[ch->depth], sizeof ch->paths[0], "%s", real);
    cbz_status st = expand(c, mf, mtext, mlen, ch, &mt);
    ch->depth--;
    free(mtext);
    if (st == CBZ_OK) st = apply_replacing(c, rs, n_rs, &mt, out);
    free(mt.v);
    return st;
}

static cbz_status expand(cbz_cb_ctx *c, int file, const char *text, size_t len, chain *ch,
                         cbz_cb_toks *out)
{
    cbz_cb_src src = { 0 };
    cbz_cb_toks t = { 0 };
    cbz_status st = cbz_cb_read_source(c, file, text, len, c->opt ? c->opt->format : CBZ_FORMAT_AUTO, &src);
    if (st == CBZ_OK) st = cbz_cb_lex(c, file, &src, &t);
    cbz_cb_src_free(&src);
    for (size_t i = 0; st == CBZ_OK && i < t.n;) {
        if (cbz_cb_tok_is(c, &t.v[i], "COPY")) {
            st = do_copy(c, file, &t, &i, ch, out);
        } else {
            st = cbz_cb_toks_push(out, &t.v[i]);
            if (st != CBZ_OK) st = cbz_fail(c->err, st, "out of memory");
            i++;
        }
    }
    free(t.v);
    return st;
}

cbz_status cbz_cb_tokens(cbz_cb_ctx *c, const char *text, size_t len, const char *name,
                         cbz_cb_toks *out)
{
    int f = cbz_cb_add_file(c, name, -1, 0, 0);
    if (f < 0) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    chain *ch = calloc(1, sizeof *ch);
    if (!ch) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    char real[PATH_MAX];
    if (name && realpath(name, real)) snprintf(ch->paths[0], sizeof ch->paths[0], "%s", real);
    cbz_status st = expand(c, f, text, len, ch, out);
    free(ch);
    if (st != CBZ_OK) return st;
    int last_line = 1;
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].file == f && out->v[i].line > last_line) last_line = out->v[i].line;
    cbz_cb_tok eof = { CBZ_TOK_EOF, 0, 0, f, last_line + 1, 1, 0, 0 };
    if (cbz_cb_toks_push(out, &eof) != CBZ_OK) return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

cbz_status cbz_cb_expand_text(cbz_cb_ctx *c, cbz_cb_toks *toks, char **out)
{
    static const char head[] = ">>SOURCE FORMAT FREE";
    cbz_buf b;
    cbz_buf_init(&b);
    cbz_status st = cbz_buf_append(&b, head, sizeof head - 1);
    int xline = 1, xcol = (int)sizeof head; /* column after the last character */
    int prev_file = -1, prev_line = -1;
    for (size_t i = 0; i < toks->n && st == CBZ_OK; i++) {
        cbz_cb_tok *t = &toks->v[i];
        if (t->kind == CBZ_TOK_EOF) {
            t->xline = xline + 1;
            t->xcol = 1;
            break;
        }
        if (t->file != prev_file || t->line != prev_line) {
            int target = xline + 1;
            if (t->file == 0 && t->line > target) target = t->line;
            while (xline < target && st == CBZ_OK) {
                st = cbz_buf_put_u8(&b, '\n');
                xline++;
            }
            int col = t->col < 1 ? 1 : (t->col > 200 ? 200 : t->col);
            xcol = 1;
            while (xcol < col && st == CBZ_OK) {
                st = cbz_buf_put_u8(&b, ' ');
                xcol++;
            }
            prev_file = t->file;
            prev_line = t->line;
        } else {
            st = cbz_buf_put_u8(&b, ' ');
            xcol++;
        }
        t->xline = xline;
        t->xcol = xcol;
        if (st == CBZ_OK) st = cbz_buf_append(&b, cbz_cb_text(c, t), t->len);
        xcol += (int)t->len;
    }
    if (st == CBZ_OK) st = cbz_buf_put_u8(&b, '\n');
    if (st == CBZ_OK) st = cbz_buf_put_u8(&b, '\0');
    if (st != CBZ_OK) {
        cbz_buf_free(&b);
        return cbz_fail(c->err, CBZ_ERR_NOMEM, "out of memory building the expanded text");
    }
    *out = (char *)b.data;
    return CBZ_OK;
}
