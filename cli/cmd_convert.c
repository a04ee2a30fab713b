/*
 * cmd_convert.c — `cobzip convert`: records to CSV or JSON Lines (the engine
 * is src/convert.c; this file is options, output files and return codes).
 */
#include "cli.h"
#include "convert.h"
#include "outfile.h"

#include <strings.h>

#define MAX_SELECTS 64

static void convert_help(FILE *out)
{
    fprintf(out, "usage: cobzip convert -c COPYBOOK [record options] [options] INPUT -o OUTPUT\n"
                 "\n"
                 "Decodes every field of every record of INPUT (a file, or - for stdin) and\n"
                 "writes CSV (RFC 4180, header row of field names, CRLF rows) or JSON Lines\n"
                 "(one object per record: groups as objects, OCCURS as arrays).  A gzip or\n"
                 "bzip2 file is decompressed on the fly (gzip -dc / bzip2 -dc).\n"
                 "\n"
                 "record options:\n"
                 CLI_RECORD_OPTIONS_HELP
                 "      (for V/VB, --lrecl is the largest payload accepted; default no limit)\n"
                 "\n"
                 "options:\n"
                 "  -o, --output PATH     output file, or - for stdout (required)\n"
                 "      --force           replace an existing output (and rejects file)\n"
                 "      --format csv|jsonl\n"
                 "                        default: jsonl when OUTPUT ends in .jsonl, .ndjson or\n"
                 "                        .json, else csv\n"
                 "      --trim none|right|both\n"
                 "                        trimming of text values (default right)\n"
                 "      --select 'FIELD=V1[,V2...]:VIEW'\n"
                 "                        REDEFINES: output VIEW (an item that redefines or is\n"
                 "                        redefined, or one of several 01 records) for records\n"
                 "                        whose FIELD holds one of the values (repeatable, at most\n"
                 "                        64).  For a set of views that rules name, a record\n"
                 "                        matching no rule outputs none of them, only the fields\n"
                 "                        outside the set.  Default: every view.\n"
                 "      --fillers         keep FILLER fields (dropped by default)\n"
                 "      --max-errors N    stop with return code 8 once more than N values are\n"
                 "                        rejected (default 100)\n"
                 "      --rejects FILE    reject report (created even when empty).  Default:\n"
                 "                        OUTPUT.rejects, written only when there are rejects;\n"
                 "                        with -o - the reject lines go to stderr\n"
                 "      --variable-occurs (RECFM F) each record ends where its OCCURS DEPENDING\n"
                 "                        ON counters say, with no RDW: records of different\n"
                 "                        lengths back to back (Cobrix variable_size_occurs)\n"
                 "      --static-occurs   OCCURS DEPENDING ON tables keep their maximum size: the\n"
                 "                        fields after a table stay at their static offsets\n"
                 "                        (fixed-length files; Cobrix's default)\n"
                 "      --occurs-map 'TABLE=VALUE:COUNT[,VALUE:COUNT...]'\n"
                 "                        the ODO counter of TABLE holds codes: VALUE means COUNT\n"
                 "                        elements (repeatable, one per table)\n"
                 "      --file-start-offset N\n"
                 "                        skip N bytes at the start of the file (a file header)\n"
                 "      --file-end-offset N\n"
                 "                        ignore N bytes at the end of the file (a trailer)\n"
                 "      --threads N       format records on N threads (default: all cores); the\n"
                 "                        output is the same for any N\n"
                 "      --chunk-size BYTES\n"
                 "                        input bytes per unit of parallel work (default 4 MiB)\n"
                 "  -q, --quiet           no summary line on stderr\n"
                 "  -h, --help            this help\n"
                 "\n"
                 "Numbers are printed exactly at their scale (-3765.44, 0.07, 20260115).  A value\n"
                 "that is not valid for its PICTURE/USAGE (spaces in PIC 9, a bad packed nibble)\n"
                 "is left empty (CSV) or null (JSON) and reported: one tab-separated line per\n"
                 "value with the record number, the file offset of the value, the field, its\n"
                 "raw bytes in hex and the reason.  ODO tables: CSV has columns for the maximum\n"
                 "with empty cells past the counter; JSON arrays have the counter's length.\n"
                 "Fields past the end of a short record are empty/null, not rejected.\n"
                 "\n"
                 "return codes:\n"
                 "   0  every record converted, no rejects\n"
                 "   4  finished, but some values were rejected (see the reject report)\n"
                 "   8  bad data (wrong file size for the LRECL, bad RDW/BDW), or more than\n"
                 "      --max-errors rejects: the output is not written\n"
                 "  12  bad usage, copybook error, output exists without --force\n"
                 "  16  I/O failure or out of memory\n");
}

enum { OPT_TRIM = CLI_OPT_FIRST_FREE, OPT_SELECT, OPT_FILLERS, OPT_FILE_START, OPT_FILE_END, OPT_THREADS, OPT_CHUNK_SIZE, OPT_STATIC_OCCURS };

typedef struct progress_state { const char *cmd; } progress_state;

static void show_progress(void *ctx, uint64_t records, uint64_t bytes)
{
    const progress_state *p = ctx;
    (void)bytes;
    fprintf(stderr, "\rcobzip %s: %llu records", p->cmd, (unsigned long long)records);
}

int cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RECORD_LONG_OPTIONS,
        CLI_TEXT_LONG_OPTIONS,
        { "trim", required_argument, NULL, OPT_TRIM },
        { "select", required_argument, NULL, OPT_SELECT },
        { "fillers", no_argument, NULL, OPT_FILLERS },
        { "static-occurs", no_argument, NULL, OPT_STATIC_OCCURS },
        { "file-start-offset", required_argument, NULL, OPT_FILE_START },
        { "file-end-offset", required_argument, NULL, OPT_FILE_END },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "chunk-size", required_argument, NULL, OPT_CHUNK_SIZE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmd = "convert";
    cli_record_opts ro;
    cli_record_opts_init(&ro);
    cli_text_opts to;
    cli_text_opts_init(&to);
    const char *selects[MAX_SELECTS];
    size_t n_selects = 0;
    uint64_t file_start = 0, file_end = 0, threads = 0, chunk_size = 0;
    bool static_occurs = false, fillers = false;
    cbz_trim trim = CBZ_TRIM_RIGHT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_RECORD_SHORT_OPTIONS CLI_TEXT_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
        int r = cli_record_opts_parse(&ro, opt, optarg, cmd);
        if (r == 0) r = cli_text_opts_parse(&to, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r > 0) continue;
        switch (opt) {
        case OPT_TRIM:
            if (strcasecmp(optarg, "none") == 0) trim = CBZ_TRIM_NONE;
            else if (strcasecmp(optarg, "right") == 0) trim = CBZ_TRIM_RIGHT;
            else if (strcasecmp(optarg, "both") == 0) trim = CBZ_TRIM_BOTH;
            else return cli_usage_error(cmd, "--trim wants none, right or both, not '%s'", optarg);
            break;
        case OPT_SELECT:
            if (n_selects == MAX_SELECTS) return cli_usage_error(cmd, "at most %d --select rules", MAX_SELECTS);
            selects[n_selects++] = optarg;
            break;
        case OPT_FILLERS: fillers = true; break;
        case OPT_STATIC_OCCURS: static_occurs = true; break;
        case OPT_FILE_START:
            if (!cli_parse_uint(cmd, "--file-start-offset", optarg, UINT64_MAX / 4, &file_start)) return CLI_RC_SEVERE;
            break;
        case OPT_FILE_END:
            if (!cli_parse_uint(cmd, "--file-end-offset", optarg, 1u << 30, &file_end)) return CLI_RC_SEVERE;
            break;
        case OPT_THREADS:
            if (!cli_parse_uint(cmd, "--threads", optarg, 1024, &threads)) return CLI_RC_SEVERE;
            break;
        case OPT_CHUNK_SIZE:
            if (!cli_parse_uint(cmd, "--chunk-size", optarg, 1u << 30, &chunk_size)) return CLI_RC_SEVERE;
            if (chunk_size == 0) return cli_usage_error(cmd, "--chunk-size must be at least 1");
            break;
        default: return cli_help_or_bad_option(cmd, opt, convert_help);
        }
    }
    const char *input = cli_text_opts_validate(&to, &ro, argc, argv, cmd);
    if (!input) return CLI_RC_SEVERE;
    if (to.variable_occurs && static_occurs)
        return cli_usage_error(cmd, "--variable-occurs and --static-occurs exclude each other");
    cbz_text_format tf;
    if (!cli_text_format(cmd, to.format, to.output, &tf)) return CLI_RC_SEVERE;

    cbz_layout *layout;
    const cbz_codepage *cp;
    int rc = cli_record_opts_load_with_codepage(&ro, cmd, &layout, &cp);
    if (rc != CLI_RC_OK) return rc;
    cbz_error err = { 0 };
    if (cbz_convert_check_selects(layout, selects, n_selects, &err) != CBZ_OK) {
        cbz_layout_free(layout);
        return cli_report_error(cmd, &err);
    }

    cbz_outfile *of;
    cbz_reject_report *rr;
    cbz_status s = cli_text_open_outputs(&to, &of, &rr, &err);
    if (s != CBZ_OK) {
        cbz_layout_free(layout);
        return cli_report_error(cmd, &err);
    }

    progress_state ps = { cmd };
    cbz_convert_options co;
    cli_text_convert_options(&co, &ro, &to, layout, cp, tf, rr);
    co.values.trim = trim;
    co.fillers = fillers;
    co.selects = selects;
    co.n_selects = n_selects;
    co.static_occurs = static_occurs;
    co.file_start_offset = file_start;
    co.file_end_offset = file_end;
    co.threads = (int)threads;
    co.chunk_size = (size_t)chunk_size;
    if (!to.quiet && cli_stderr_is_tty()) { co.on_progress = show_progress; co.progress_ctx = &ps; }
    cbz_convert_stats st;
    s = cbz_convert_records(&co, input, cbz_outfile_stream(of), &st, &err);
    if (co.on_progress && st.records_read >= 65536) fputc('\n', stderr);
    rc = cli_text_finish(cmd, &to, s, of, rr, &st, "records", "written", &err);
    cbz_layout_free(layout);
    return rc;
}
