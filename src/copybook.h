/*
 * copybook.h — internals of the copybook compiler, shared by its four files:
 *
 *   copybook_lex.c    source reading (fixed/free format, continuation, tabs,
 *                     comments, >>SOURCE directives) and the tokenizer;
 *   copybook_copy.c   COPY member resolution, REPLACING, the expanded text;
 *   copybook_parse.c  recursive descent over the tokens into cbz_field entries,
 *                     PICTURE analysis, name resolution;
 *   layout.c          offsets, SYNC slack, OCCURS expansion into columns,
 *                     printing and lookup.
 *
 * Every token remembers where it came from (file, line, column of the original
 * text, before COPY expansion) so that errors name the place the user wrote,
 * and where it sits in the expanded text (what cbz_field.line/column report).
 */
#ifndef CBZ_COPYBOOK_H
#define CBZ_COPYBOOK_H

#include "internal.h"

/* Limits that keep hostile copybooks from exhausting memory or the stack. */
#define CBZ_CB_MAX_COPY_DEPTH 16
#define CBZ_CB_MAX_COLUMNS 1000000u
#define CBZ_CB_MAX_RECORD ((uint64_t)1 << 31)
#define CBZ_CB_MAX_NESTING 7 /* OCCURS levels: the subscripts a column can hold */

/* Source text after line handling: one byte per kept character plus the
 * original line and column of each. */
typedef struct cbz_cb_src {
    char *s;
    int *line;
    int *col;
    size_t n, cap;
} cbz_cb_src;

typedef enum cbz_cb_tok_kind {
    CBZ_TOK_WORD = 0,    /* COBOL word, number, PICTURE string */
    CBZ_TOK_LITERAL = 1, /* 'x', "x", X'..', N'..' as written */
    CBZ_TOK_PERIOD = 2,  /* separator period                  */
    CBZ_TOK_PSEUDO = 3,  /* ==                                */
    CBZ_TOK_OTHER = 4,   /* any other single character        */
    CBZ_TOK_EOF = 5
} cbz_cb_tok_kind;

typedef struct cbz_cb_tok {
    cbz_cb_tok_kind kind;
    uint32_t off, len; /* text in the context's pool */
    int file;          /* index into ctx->files */
    int line, col;     /* in that file */
    int xline, xcol;   /* in the expanded text (set by cbz_cb_expand_text) */
} cbz_cb_tok;

typedef struct cbz_cb_toks {
    cbz_cb_tok *v;
    size_t n, cap;
} cbz_cb_toks;

typedef struct cbz_cb_file {
    char *name;        /* path as opened (or the source name given) */
    int from_file;     /* file holding the COPY statement, -1 for the main one */
    int from_line, from_col;
} cbz_cb_file;

typedef struct cbz_cb_ctx {
    const cbz_copybook_options *opt;
    cbz_error *err;
    cbz_buf pool;      /* token texts */
    cbz_cb_file *files;
    size_t n_files, cap_files;
} cbz_cb_ctx;

/* Token text (not NUL-terminated; use tok->len). */
static inline const char *cbz_cb_text(const cbz_cb_ctx *c, const cbz_cb_tok *t)
{
    return (const char *)c->pool.data + t->off;
}

/* copybook_lex.c */
void cbz_cb_src_free(cbz_cb_src *s);
cbz_status cbz_cb_read_source(cbz_cb_ctx *c, int file, const char *text, size_t len,
                              cbz_source_format fmt, cbz_cb_src *out);
cbz_status cbz_cb_lex(cbz_cb_ctx *c, int file, const cbz_cb_src *src, cbz_cb_toks *out);
cbz_status cbz_cb_toks_push(cbz_cb_toks *t, const cbz_cb_tok *tok);
cbz_status cbz_cb_pool_add(cbz_cb_ctx *c, const char *p, size_t n, uint32_t *off);
bool cbz_cb_tok_is(const cbz_cb_ctx *c, const cbz_cb_tok *t, const char *word);
/* "file:line:col" of a token, with "(in COPY at file:line:col)" for members. */
void cbz_cb_where(const cbz_cb_ctx *c, const cbz_cb_tok *t, char *buf, size_t cap);
/* Fails with "WHERE: expected WHAT, found 'TOKEN'". */
cbz_status cbz_cb_expected(cbz_cb_ctx *c, const cbz_cb_tok *t, const char *what);
int cbz_cb_add_file(cbz_cb_ctx *c, const char *name, int from_file, int from_line, int from_col);

/* copybook_copy.c: main text to the final token list (COPY expanded, EOF last). */
cbz_status cbz_cb_tokens(cbz_cb_ctx *c, const char *text, size_t len, const char *name,
                         cbz_cb_toks *out);
/* Renders tokens as free-format text and sets each token's xline/xcol. */
cbz_status cbz_cb_expand_text(cbz_cb_ctx *c, cbz_cb_toks *toks, char **out);

/* copybook_parse.c: tokens to fields, names resolved, types and sizes of
 * elementary items known. */
cbz_status cbz_cb_parse(cbz_cb_ctx *c, const cbz_cb_toks *toks, cbz_layout *layout);

/* layout.c: offsets, group sizes, SYNC slack, 66/88 placement, columns. */
cbz_status cbz_layout_compute(cbz_layout *layout, cbz_error *err);
/* Resolves NAME OF GROUP OF ... (names[0] is the item, the others its
 * qualifiers, innermost first) among fields first..last-1; -1 if none.
 * Items of level 88 are found only when want_conditions. */
int cbz_layout_resolve(const cbz_layout *layout, size_t first, size_t last,
                       const char *const *names, size_t n, bool want_conditions);

#endif /* CBZ_COPYBOOK_H */
