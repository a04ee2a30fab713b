/*
 * csv_wrap.c — the only file that includes <csv.h>: RFC 4180 writing and the
 * row reader used by `cobzip encode` (see csv_wrap.h).
 */
#include "csv_wrap.h"
#include "internal.h"

#include <csv.h>
#include <errno.h>

bool cbz_csv_needs_quotes(const char *s, size_t len)
{
    if (len == 0) return false;
    if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t') return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
    }
    return false;
}

bool cbz_csv_put_field(FILE *fp, const char *s, size_t len, bool first)
{
    if (!first && putc(',', fp) == EOF) return false;
    if (cbz_csv_needs_quotes(s, len)) return csv_fwrite(fp, s, len) == 0;
    return len == 0 || fwrite(s, 1, len, fp) == len;
}

cbz_status cbz_csv_append_field(cbz_buf *b, const char *s, size_t len, bool first)
{
    if (!first) CBZ_TRY(cbz_buf_put_u8(b, ','));
    if (!cbz_csv_needs_quotes(s, len)) return cbz_buf_append(b, s, len);
    if (len > (SIZE_MAX - 2) / 2) return CBZ_ERR_NOMEM;
    CBZ_TRY(cbz_buf_reserve(b, 2 * len + 2));
    b->len += csv_write(b->data + b->len, 2 * len + 2, s, len);
    return CBZ_OK;
}

bool cbz_csv_end_row(FILE *fp) { return fputs("\r\n", fp) != EOF; }

#define CSV_READ_CHUNK 65536

struct cbz_csv_reader {
    struct csv_parser parser;
    FILE *fp;
    char *name;
    bool at_eof, finished;
    cbz_buf text;                /* field bytes, each followed by NUL */
    size_t *foff, *flen, nf, fcap;
    size_t *row_end, nrows, rcap; /* field index after each complete row */
    size_t next_row;             /* first row not yet returned */
    const char **out_fields;
    size_t *out_lens, out_cap;
    uint64_t rows_returned;
    bool oom;
};

static void on_field(void *s, size_t len, void *data)
{
    cbz_csv_reader *r = data;
    if (r->oom) return;
    if (r->nf == r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 64;
        size_t *a = realloc(r->foff, cap * sizeof *a);
        if (a) r->foff = a;
        size_t *b = a ? realloc(r->flen, cap * sizeof *b) : NULL;
        if (b) r->flen = b;
        if (!a || !b) { r->oom = true; return; }
        r->fcap = cap;
    }
    r->foff[r->nf] = r->text.len;
    r->flen[r->nf] = len;
    if (cbz_buf_append(&r->text, s, len) != CBZ_OK || cbz_buf_put_u8(&r->text, 0) != CBZ_OK) {
        r->oom = true;
        return;
    }
    r->nf++;
}

static void on_row(int c, void *data)
{
    (void)c;
    cbz_csv_reader *r = data;
    if (r->oom) return;
    if (r->nrows == r->rcap) {
        size_t cap = r->rcap ? r->rcap * 2 : 64;
        size_t *a = realloc(r->row_end, cap * sizeof *a);
        if (!a) { r->oom = true; return; }
        r->row_end = a;
        r->rcap = cap;
    }
    r->row_end[r->nrows++] = r->nf;
}

cbz_status cbz_csv_reader_open(FILE *fp, const char *name, cbz_csv_reader **out, cbz_error *err)
{
    *out = NULL;
    cbz_csv_reader *r = calloc(1, sizeof *r);
    if (!r) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    r->fp = fp;
    r->name = strdup(name);
    cbz_buf_init(&r->text);
    if (!r->name || csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(r->name);
        free(r);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return CBZ_OK;
}

/* Drops the rows already returned, keeping the fields of a row not yet complete. */
static void compact(cbz_csv_reader *r)
{
    size_t first = r->nrows ? r->row_end[r->nrows - 1] : 0;
    size_t keep = r->nf - first;
    size_t text_from = keep ? r->foff[first] : r->text.len;
    if (text_from) memmove(r->text.data, r->text.data + text_from, r->text.len - text_from);
    r->text.len -= text_from;
    for (size_t i = 0; i < keep; i++) {
        r->foff[i] = r->foff[first + i] - text_from;
        r->flen[i] = r->flen[first + i];
    }
    r->nf = keep;
    r->nrows = 0;
    r->next_row = 0;
}

cbz_status cbz_csv_next_row(cbz_csv_reader *r, const char *const **fields, const size_t **lens,
                            size_t *n, bool *eof, cbz_error *err)
{
    *eof = false;
    if (r->next_row >= r->nrows) {
        compact(r);
        char chunk[CSV_READ_CHUNK];
        while (r->nrows == 0 && !r->finished) {
            size_t got = fread(chunk, 1, sizeof chunk, r->fp);
            if (got == 0) {
                if (ferror(r->fp)) return cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", r->name, strerror(errno));
                r->finished = true;
                if (csv_fini(&r->parser, on_field, on_row, r) != 0)
                    return cbz_fail(err, CBZ_ERR_DATA, "%s: row %llu: %s", r->name,
                                    (unsigned long long)r->rows_returned + r->nrows + 1,
                                    csv_strerror(csv_error(&r->parser)));
            } else if (csv_parse(&r->parser, chunk, got, on_field, on_row, r) != got) {
                return cbz_fail(err, CBZ_ERR_DATA, "%s: row %llu: %s (RFC 4180 quoting)", r->name,
                                (unsigned long long)r->rows_returned + r->nrows + 1,
                                csv_strerror(csv_error(&r->parser)));
            }
            if (r->oom) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory reading %s", r->name);
        }
        if (r->nrows == 0) { *eof = true; return CBZ_OK; }
    }
    size_t from = r->next_row ? r->row_end[r->next_row - 1] : 0, to = r->row_end[r->next_row];
    size_t count = to - from;
    if (count > r->out_cap) {
        const char **a = realloc(r->out_fields, count * sizeof *a);
        if (a) r->out_fields = a;
        size_t *b = a ? realloc(r->out_lens, count * sizeof *b) : NULL;
        if (b) r->out_lens = b;
        if (!a || !b) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        r->out_cap = count;
    }
    for (size_t i = 0; i < count; i++) {
        r->out_fields[i] = (const char *)r->text.data + r->foff[from + i];
        r->out_lens[i] = r->flen[from + i];
    }
    r->next_row++;
    r->rows_returned++;
    *fields = r->out_fields;
    *lens = r->out_lens;
    *n = count;
    return CBZ_OK;
}

uint64_t cbz_csv_row_number(const cbz_csv_reader *r) { return r->rows_returned; }

void cbz_csv_reader_close(cbz_csv_reader *r)
{
    if (!r) return;
    csv_free(&r->parser);
    cbz_buf_free(&r->text);
    free(r->foff);
    free(r->flen);
    free(r->row_end);
    free(r->out_fields);
    free(r->out_lens);
    free(r->name);
    free(r);
}
