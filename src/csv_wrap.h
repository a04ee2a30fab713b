/*
 * csv_wrap.h — RFC 4180 CSV writing and reading (libcsv, in src/csv_wrap.c,
 * the only file that includes libcsv's header).
 *
 * Writing: fields are separated by ',' and rows end with CRLF; a field is
 * quoted (quotes doubled) only when it holds ',', '"', CR, LF, or starts or
 * ends with a space or tab, so plain values stay readable.
 * Reading: strict RFC 4180 (libcsv CSV_STRICT): a stray quote is an error that
 * names the row.  CRLF and LF line ends are both accepted.
 */
#ifndef CBZ_CSV_WRAP_H
#define CBZ_CSV_WRAP_H

#include "internal.h"

/* Whether a field is written quoted (the rule above). */
bool cbz_csv_needs_quotes(const char *s, size_t len);
/* Writes one field (preceded by ',' unless first).  Returns false on I/O error. */
bool cbz_csv_put_field(FILE *fp, const char *s, size_t len, bool first);
/* The same, appended to a buffer (CBZ_ERR_NOMEM when it cannot grow). */
cbz_status cbz_csv_append_field(cbz_buf *b, const char *s, size_t len, bool first);
/* Ends a row. */
bool cbz_csv_end_row(FILE *fp);

typedef struct cbz_csv_reader cbz_csv_reader;

/* name is used in messages. */
cbz_status cbz_csv_reader_open(FILE *fp, const char *name, cbz_csv_reader **out, cbz_error *err);
/* Next row: fields[i] (NUL-terminated, lens[i] bytes) for i < *n; valid until
 * the next call.  *eof at the end of input.  Blank lines are skipped (libcsv does). */
cbz_status cbz_csv_next_row(cbz_csv_reader *r, const char *const **fields, const size_t **lens,
                            size_t *n, bool *eof, cbz_error *err);
/* 1-based number of the last row returned. */
uint64_t cbz_csv_row_number(const cbz_csv_reader *r);
void cbz_csv_reader_close(cbz_csv_reader *r);

#endif
