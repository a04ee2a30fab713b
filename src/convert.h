/*
 * convert.h — the convert engine (records → CSV / JSON Lines) and the encode
 * engine (CSV / JSON Lines → records), as library functions under
 * `cobzip convert` and `cobzip encode`.
 *
 * Output shape (convert):
 *  - CSV (RFC 4180, CRLF rows): a header row of elementary column names
 *    (cbz_column.name: "NAME", "NAME(1)", "NAME(1,2)"), then one row per
 *    record.  FILLER items (and everything under a FILLER group) are left out
 *    unless `fillers`.  An ODO table has columns for its maximum; cells past
 *    the counter are empty.
 *  - JSONL: one object per record, {"<01 name>": {...}}; groups are objects,
 *    tables are arrays (an ODO table has the counter's length), names as in
 *    the copybook (hyphens kept).  Numbers are unquoted, text is a string.
 *  - A value that is not valid for its type is empty (CSV) / null (JSON) and
 *    is reported through on_reject.  A value past the end of a short record is
 *    absent (empty / null) and is not a reject.
 *
 * REDEFINES: every view is output by default.  Select rules
 * 'FIELD=V1[,V2...]:VIEW' name a view — an item that REDEFINES another or is
 * redefined, or one of several 01 records.  The items that redefine one
 * another form a set; for every set that a rule names, a record outputs only
 * the views whose rule matches (FIELD's decoded value, trimmed, equals one of
 * the values); when no rule of that set matches, the record outputs no view of
 * it, only the items outside the set.  Sets no rule names output all views.
 *
 * Encode: CSV header names are matched to columns (the k-th header cell with a
 * name goes to the k-th column of that name); JSONL objects are matched to the
 * layout by member names, with or without the 01 wrapper.  A missing or empty
 * cell encodes zero (numeric) or spaces (text); FILLER bytes are spaces of the
 * code page unless a value is given.  Of REDEFINES views, only those with at
 * least one non-empty cell are written, in copybook order (so the output of
 * convert --select encodes back to the view it showed).  With ODO the record
 * is compacted to the counters' length (V/VB write that length; F pads with
 * spaces to LRECL).  Cells of table elements past the counter are ignored.
 * Without ODO, a V/VB record ends after the last field written: views not
 * written and JSON nulls (fields past the end of a short record, as convert
 * writes them) do not count; a missing member or empty cell is written
 * (zero/spaces).
 */
#ifndef CBZ_CONVERT_H
#define CBZ_CONVERT_H

#include "cobzip.h"

typedef enum cbz_text_format { CBZ_TEXT_CSV = 0, CBZ_TEXT_JSONL = 1 } cbz_text_format;

/* One rejected value. */
typedef struct cbz_reject {
    uint64_t record;            /* 1-based record (convert) or data row (encode) number */
    uint64_t offset;            /* convert: file offset of the value's first byte */
    const char *field;          /* column name, e.g. "AMOUNT(2)" */
    const uint8_t *raw;         /* convert: the raw bytes; encode: the text */
    size_t raw_len;
    const char *reason;
} cbz_reject;

typedef cbz_status (*cbz_reject_fn)(void *ctx, const cbz_reject *r, cbz_error *err);
typedef void (*cbz_progress_fn)(void *ctx, uint64_t records, uint64_t bytes);

typedef struct cbz_convert_options {
    const cbz_layout *layout;
    cbz_record_format fmt;
    cbz_value_options values;
    cbz_text_format format;
    bool fillers;                     /* convert: keep FILLER columns */
    bool static_occurs;               /* convert: ODO tables keep their maximum size (what
                                         follows stays at its static offset; Cobrix's default) */
    bool variable_occurs;             /* RECFM F: each record ends where its ODO counters
                                         say, no RDW (Cobrix variable_size_occurs) */
    const char *const *selects;       /* convert: 'FIELD=V1,V2:VIEW' rules */
    size_t n_selects;
    uint64_t max_errors;              /* more rejects than this: stop with CBZ_ERR_LIMIT */
    cbz_reject_fn on_reject;          /* may be NULL */
    void *reject_ctx;
    cbz_progress_fn on_progress;      /* called every 65536 records; may be NULL */
    void *progress_ctx;
    /* convert: input and execution */
    uint64_t file_start_offset;       /* bytes skipped at the start of the file (a header) */
    uint64_t file_end_offset;         /* bytes ignored at the end of the file (a trailer) */
    int threads;                      /* 0: all cores.  The output is the same for any count */
    size_t chunk_size;                /* input bytes per unit of parallel work; 0: 4 MiB */
    /* ODO counters that hold codes: 'TABLE=VALUE:COUNT[,VALUE:COUNT...]' (see
     * cbz_walker_set_occurs_maps); convert and encode */
    const char *const *occurs_maps;
    size_t n_occurs_maps;
} cbz_convert_options;

typedef struct cbz_convert_stats {
    uint64_t records_read;
    uint64_t records_written;
    uint64_t rejects;                 /* rejected values */
    uint64_t records_with_rejects;
} cbz_convert_stats;

/* Checks the select rules against the layout (names exist, views are views). */
cbz_status cbz_convert_check_selects(const cbz_layout *layout, const char *const *selects, size_t n,
                                     cbz_error *err);

/* Records from `input` (a path or "-"; a gzip or bzip2 file is decompressed
 * on the fly) to text on out.  The input is framed into chunks of records,
 * formatted by o->threads threads and written in order. */
cbz_status cbz_convert_records(const cbz_convert_options *o, const char *input, FILE *out,
                               cbz_convert_stats *st, cbz_error *err);

/* Text from in (named `input_name` in messages) to records on out. */
cbz_status cbz_encode_records(const cbz_convert_options *o, FILE *in, const char *input_name, FILE *out,
                              cbz_convert_stats *st, cbz_error *err);

/* One reject as a line of the report: "RECORD<TAB>OFFSET<TAB>FIELD<TAB>HEX<TAB>REASON\n". */
void cbz_reject_print(FILE *fp, const cbz_reject *r);
/* The report's header line. */
void cbz_reject_print_header(FILE *fp);

/* The reject report: a file written whole (temp + rename) with a header line,
 * opened at the first reject unless create_now; path NULL sends the lines to
 * stderr instead.  cbz_reject_report_add is a cbz_reject_fn (ctx = the report). */
typedef struct cbz_reject_report cbz_reject_report;
cbz_status cbz_reject_report_new(const char *path, bool force, bool create_now, cbz_reject_report **out,
                                 cbz_error *err);
cbz_status cbz_reject_report_add(void *ctx, const cbz_reject *r, cbz_error *err);
/* The file written to, or NULL when none was opened. */
const char *cbz_reject_report_file(const cbz_reject_report *rr);
/* Commits the file (if one was opened) and frees rr. */
cbz_status cbz_reject_report_close(cbz_reject_report *rr, cbz_error *err);

#endif
