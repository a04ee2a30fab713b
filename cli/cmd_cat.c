/*
 * cmd_cat.c — `cobzip cat`: records FIRST..LAST of a member, decoding only the
 * chunks that hold them (found through the chunk index).  raw writes the
 * records as they were framed (F: the records; V and VB: RDW + record, BDWs
 * left out, so the output is RECFM V); csv and jsonl run those records through
 * the convert engine with the copybook embedded in the member.
 */
#include "cli.h"
#include "container.h"
#include "convert.h"
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { OPT_RECORDS = CLI_OPT_FIRST_FREE, OPT_FORMAT, OPT_FORCE };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip cat MEMBER --records FIRST-LAST [--format raw|csv|jsonl] [-o OUT]\n"
            "\n"
            "Prints records FIRST to LAST (1-based, inclusive; N alone is one record),\n"
            "decoding only the chunks that hold them.\n"
            "\n"
            "      --records A-B     the range\n"
            "      --format F        raw (default; V/VB records as RECFM V), csv, jsonl\n"
            "  -o, --output OUT      file to write (default - = stdout)\n"
            "      --force           replace OUT\n"
            "  -h, --help            this help\n");
}

static bool parse_range(const char *s, uint64_t *a, uint64_t *b)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return false;
    *a = strtoull(s, &end, 10);
    if (errno) return false;
    if (*end == '\0') {
        *b = *a;
    } else {
        if (*end != '-' || end[1] < '0' || end[1] > '9') return false;
        *b = strtoull(end + 1, &end, 10);
        if (errno || *end) return false;
    }
    return *a >= 1 && *b >= *a;
}

/* Writes records [first, last] (0-based) in raw form to fp. */
static cbz_status write_raw(const cbz_member *m, uint64_t first, uint64_t last, FILE *fp,
                            cbz_error *err)
{
    uint64_t c0, c1;
    if (!cbz_member_find_record(m, first, &c0) || !cbz_member_find_record(m, last, &c1))
        return cbz_fail(err, CBZ_ERR_USAGE, "%s: records %llu-%llu: the member has %llu records",
                        m->path, (unsigned long long)first + 1, (unsigned long long)last + 1,
                        (unsigned long long)m->total_records);
    bool variable = m->meta.fmt.recfm == CBZ_RECFM_V || m->meta.fmt.recfm == CBZ_RECFM_VB;
    cbz_chunk_work w;
    cbz_chunk_work_init(&w);
    cbz_buf out;
    cbz_buf_init(&out);
    cbz_status s = CBZ_OK;
    for (uint64_t c = c0; c <= c1 && s == CBZ_OK; c++) {
        const cbz_index_entry *x = &m->index[c];
        cbz_buf_clear(&out);
        if (cbz_buf_reserve(&out, (size_t)x->in_len) != CBZ_OK) {
            s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
            break;
        }
        s = cbz_member_decode_chunk(m, c, &w, out.data, err);
        for (uint64_t i = 0; i < x->n_records && s == CBZ_OK; i++) {
            uint64_t r = x->first_record + i;
            if (r < first || r > last) continue;
            size_t off = w.rec_off[i], len = w.rec_len[i];
            size_t prev_end = i ? w.rec_off[i - 1] + w.rec_len[i - 1] : 0;
            size_t hdr = variable ? (off - prev_end < 4 ? off - prev_end : 4) : 0;
            if (fwrite(out.data + off - hdr, 1, len + hdr, fp) != len + hdr)
                s = cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
        }
    }
    cbz_buf_free(&out);
    cbz_chunk_work_free(&w);
    return s;
}

static cbz_status write_text(const cbz_member *m, uint64_t first, uint64_t last, bool jsonl,
                             FILE *fp, cbz_error *err)
{
    CBZ_FAIL_IF(!m->meta.copybook_text, err, CBZ_ERR_USAGE,
                "%s: compressed without a copybook: only --format raw is possible", m->path);
    const cbz_codepage *cp = cbz_codepage_find(m->meta.codepage);
    CBZ_FAIL_IF(!cp, err, CBZ_ERR_FORMAT, "%s: unknown code page '%s'", m->path, m->meta.codepage);
    cbz_layout *layout;
    cbz_copybook_options copt = { NULL, 0, CBZ_FORMAT_AUTO };
    CBZ_TRY(cbz_copybook_compile_text(m->meta.copybook_text, m->meta.copybook_len,
                                      m->meta.copybook_name, &copt, &layout, err));
    int fd = memfd_create("cobzip-cat", 0);
    FILE *tmp = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (!tmp) {
        if (fd >= 0) close(fd);
        cbz_layout_free(layout);
        return cbz_fail(err, CBZ_ERR_IO, "cannot create a memory file: %s", strerror(errno));
    }
    cbz_status s = write_raw(m, first, last, tmp, err);
    if (s == CBZ_OK && fflush(tmp) != 0) s = cbz_fail(err, CBZ_ERR_IO, "memory file: %s", strerror(errno));
    if (s == CBZ_OK) {
        cbz_convert_options o;
        memset(&o, 0, sizeof o);
        o.layout = layout;
        o.fmt = m->meta.fmt;
        if (o.fmt.recfm == CBZ_RECFM_VB) o.fmt.recfm = CBZ_RECFM_V;
        o.values.codepage = cp;
        o.values.trim = CBZ_TRIM_RIGHT;
        o.values.float_format = (cbz_float_format)m->meta.float_format;
        o.format = jsonl ? CBZ_TEXT_JSONL : CBZ_TEXT_CSV;
        o.max_errors = UINT64_MAX;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        cbz_convert_stats st;
        s = cbz_convert_records(&o, path, fp, &st, err);
    }
    fclose(tmp);
    cbz_layout_free(layout);
    return s;
}

int cmd_cat(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "records", required_argument, NULL, OPT_RECORDS },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "cat";
    const char *range = NULL, *format = "raw", *output = "-";
    bool force = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_RECORDS: range = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case 'o': output = optarg; break;
        case OPT_FORCE: force = true; break;
        default: return cli_help_or_bad_option(cmd, opt, usage);
        }
    }
    const char *in = cli_one_operand(cmd, argc, argv, "MEMBER");
    if (!in) return CLI_RC_SEVERE;
    uint64_t a, b;
    if (!range) return cli_usage_error(cmd, "missing --records FIRST-LAST");
    if (!parse_range(range, &a, &b)) return cli_usage_error(cmd, "--records wants FIRST-LAST (1-based), not '%s'", range);
    int kind = strcmp(format, "raw") == 0 ? 0 : strcmp(format, "csv") == 0 ? 1 : strcmp(format, "jsonl") == 0 ? 2 : -1;
    if (kind < 0) return cli_usage_error(cmd, "--format wants raw, csv or jsonl, not '%s'", format);
    if (cbz_is_directory(in))
        return cli_usage_error(cmd, "%s is a dataset: name one member (DATASET/NAME.cobz)", in);

    cbz_error err = { 0 };
    cbz_member *m;
    if (cbz_member_open(in, &m, &err) != CBZ_OK) return cli_report_error(cmd, &err);
    cbz_status s = CBZ_OK;
    if (m->meta.mode != CBZ_MODE_RECORDS)
        s = cbz_fail(&err, CBZ_ERR_USAGE, "%s: a generic member (no --lrecl or copybook) has no records", in);
    cbz_outfile *of = NULL;
    if (s == CBZ_OK) s = cbz_outfile_open(output, force, &of, &err);
    if (s == CBZ_OK) {
        FILE *fp = cbz_outfile_stream(of);
        s = kind == 0 ? write_raw(m, a - 1, b - 1, fp, &err) : write_text(m, a - 1, b - 1, kind == 2, fp, &err);
        if (s == CBZ_OK) s = cbz_outfile_commit(of, &err);
        else cbz_outfile_abort(of);
    }
    cbz_member_close(m);
    return s == CBZ_OK ? CLI_RC_OK : cli_report_error(cmd, &err);
}
