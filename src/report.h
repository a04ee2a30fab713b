/*
 * report.h — the dataset report: one self-contained HTML page (inline CSS and
 * inline SVG, no script, nothing fetched from the network) showing where the
 * bytes and the time of a dataset go: per member the sizes and ratio against
 * the manifest's original sizes, the bytes after each layer L1..L8, and per
 * column the bytes in and out and the chain of layers chosen; with a
 * `compress --stats` document, also the time per layer and the throughput.
 */
#ifndef CBZ_REPORT_H
#define CBZ_REPORT_H

#include "cobzip.h"

typedef struct cbz_report_options {
    const char *stats_path;  /* JSON written by `cobzip compress --stats`, NULL: none */
    bool check_hashes;       /* check manifest-sha256.txt and tagmanifest-sha256.txt first */
    size_t chart_columns;    /* columns drawn in the per-column chart (0: 40); the
                                table always lists all of them */
} cbz_report_options;

/* Reads the dataset directory (manifests, every member's header, index and
 * stats section, all validated) and the stats document when given, and only
 * then writes the page to out.  Errors: CBZ_ERR_FORMAT / CBZ_ERR_CHECKSUM for
 * a corrupt dataset (nothing is written then), CBZ_ERR_FORMAT for a stats file
 * that is not valid JSON of the expected shape, CBZ_ERR_DATA for one that does
 * not describe this dataset, CBZ_ERR_IO when writing fails.  Every string
 * that comes from the data (column, file and copybook names) is HTML-escaped,
 * and bytes that are not UTF-8 are shown as U+FFFD. */
cbz_status cbz_report_write(const char *dataset, const cbz_report_options *opt, FILE *out,
                            cbz_error *err);

/* Writes s HTML-escaped (& < > " ' as entities; invalid UTF-8 and control
 * characters other than tab and newline as U+FFFD). */
void cbz_html_escape(FILE *out, const char *s);

#endif
