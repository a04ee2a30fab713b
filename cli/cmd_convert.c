/*
 * cmd_convert.c — `cobzip convert`: records to CSV or JSON Lines (the engine
 * is src/convert.c; this file is options, output files and return codes).
 */
#include "cli.h"
#include "convert.h"
#include "outfile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SELECTS 64
#define MAX_OCCURS_MAPS 64

static void convert_help(void)
{
    printf("usage: cobzip convert -c COPYBOOK [record options] [options] INPUT -o OUTPUT\n"
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

enum {
    OPT_FORCE = CLI_OPT_FIRST_FREE, OPT_FORMAT, OPT_TRIM, OPT_SELECT, OPT_FILLERS, OPT_MAX_ERRORS, OPT_REJECTS,
    OPT_VARIABLE_OCCURS, OPT_OCCURS_MAP, OPT_FILE_START, OPT_FILE_END, OPT_THREADS, OPT_CHUNK_SIZE, OPT_STATIC_OCCURS
};

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
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, OPT_FORCE },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "trim", required_argument, NULL, OPT_TRIM },
        { "select", required_argument, NULL, OPT_SELECT },
        { "fillers", no_argument, NULL, OPT_FILLERS },
        { "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
        { "rejects", required_argument, NULL, OPT_REJECTS },
        { "variable-occurs", no_argument, NULL, OPT_VARIABLE_OCCURS },
        { "occurs-map", required_argument, NULL, OPT_OCCURS_MAP },
        { "static-occurs", no_argument, NULL, OPT_STATIC_OCCURS },
        { "file-start-offset", required_argument, NULL, OPT_FILE_START },
        { "file-end-offset", required_argument, NULL, OPT_FILE_END },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "chunk-size", required_argument, NULL, OPT_CHUNK_SIZE },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmd = "convert";
    cli_record_opts ro;
    cli_record_opts_init(&ro);
    const char *output = NULL, *format = NULL, *rejects_path = NULL;
    const char *selects[MAX_SELECTS];
    size_t n_selects = 0;
    const char *occurs_maps[MAX_OCCURS_MAPS];
    size_t n_occurs_maps = 0;
    uint64_t file_start = 0, file_end = 0, threads = 0, chunk_size = 0;
    bool variable_occurs = false, static_occurs = false;
    bool force = false, fillers = false, quiet = false;
    cbz_trim trim = CBZ_TRIM_RIGHT;
    uint64_t max_errors = 100;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_RECORD_SHORT_OPTIONS "o:qh", longopts, NULL)) != -1) {
        int r = cli_record_opts_parse(&ro, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r > 0) continue;
        switch (opt) {
        case 'o': output = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_FORMAT: format = optarg; break;
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
        case OPT_MAX_ERRORS:
            if (!cli_parse_uint(cmd, "--max-errors", optarg, UINT64_MAX, &max_errors)) return CLI_RC_SEVERE;
            break;
        case OPT_REJECTS: rejects_path = optarg; break;
        case OPT_VARIABLE_OCCURS: variable_occurs = true; break;
        case OPT_STATIC_OCCURS: static_occurs = true; break;
        case OPT_OCCURS_MAP:
            if (n_occurs_maps == MAX_OCCURS_MAPS) return cli_usage_error(cmd, "at most %d --occurs-map options", MAX_OCCURS_MAPS);
            occurs_maps[n_occurs_maps++] = optarg;
            break;
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
        case 'q': quiet = true; break;
        case 'h': convert_help(); return CLI_RC_OK;
        default: return cli_usage_error(cmd, "unknown option");
        }
    }
    if (!ro.copybook) return cli_usage_error(cmd, "a copybook is needed (-c FILE)");
    if (optind != argc - 1) return cli_usage_error(cmd, "exactly one INPUT is needed (a file, or - for stdin)");
    if (!output) return cli_usage_error(cmd, "an output is needed (-o FILE, or -o - for stdout)");
    const char *input = argv[optind];
    if (variable_occurs && ro.fmt.recfm != CBZ_RECFM_F && ro.fmt.recfm != CBZ_RECFM_FB)
        return cli_usage_error(cmd, "--variable-occurs is for RECFM F/FB files (records without RDW)");
    if (variable_occurs && static_occurs)
        return cli_usage_error(cmd, "--variable-occurs and --static-occurs exclude each other");
    cbz_text_format tf;
    if (!cli_text_format(cmd, format, output, &tf)) return CLI_RC_SEVERE;

    cbz_error err = { 0 };
    cbz_layout *layout = NULL;
    if (cli_record_opts_load(&ro, &layout, &err) != CBZ_OK) return cli_report_error(cmd, &err);
    const cbz_codepage *cp = cli_record_opts_codepage(&ro, cmd);
    if (!cp) { cbz_layout_free(layout); return CLI_RC_SEVERE; }
    if (cbz_convert_check_selects(layout, selects, n_selects, &err) != CBZ_OK) {
        cbz_layout_free(layout);
        return cli_report_error(cmd, &err);
    }

    char *default_rejects = NULL;
    if (!rejects_path && strcmp(output, "-") != 0) {
        size_t n = strlen(output) + sizeof ".rejects";
        default_rejects = malloc(n);
        if (!default_rejects) { cbz_layout_free(layout); fprintf(stderr, "cobzip convert: out of memory\n"); return CLI_RC_FATAL; }
        snprintf(default_rejects, n, "%s.rejects", output);
    }
    cbz_outfile *of = NULL;
    cbz_reject_report *rr = NULL;
    cbz_status s = cbz_outfile_open(output, force, &of, &err);
    if (s == CBZ_OK)
        s = cbz_reject_report_new(rejects_path ? rejects_path : default_rejects, force, rejects_path != NULL, &rr, &err);
    int rc;
    if (s != CBZ_OK) {
        rc = cli_report_error(cmd, &err);
        cbz_outfile_abort(of);
        free(default_rejects);
        cbz_layout_free(layout);
        return rc;
    }

    progress_state ps = { cmd };
    cbz_convert_options co = { 0 };
    co.layout = layout;
    co.fmt = ro.fmt;
    co.values.codepage = cp;
    co.values.trim = trim;
    co.values.float_format = ro.float_format;
    co.values.lenient = ro.lenient;
    co.values.trunc_bin = ro.trunc_bin;
    co.format = tf;
    co.fillers = fillers;
    co.selects = selects;
    co.n_selects = n_selects;
    co.max_errors = max_errors;
    co.variable_occurs = variable_occurs;
    co.static_occurs = static_occurs;
    co.occurs_maps = occurs_maps;
    co.n_occurs_maps = n_occurs_maps;
    co.file_start_offset = file_start;
    co.file_end_offset = file_end;
    co.threads = (int)threads;
    co.chunk_size = (size_t)chunk_size;
    co.on_reject = cbz_reject_report_add;
    co.reject_ctx = rr;
    if (!quiet && cli_stderr_is_tty()) { co.on_progress = show_progress; co.progress_ctx = &ps; }
    cbz_convert_stats st;
    s = cbz_convert_records(&co, input, cbz_outfile_stream(of), &st, &err);
    if (co.on_progress && st.records_read >= 65536) fputc('\n', stderr);
    if (s == CBZ_OK) {
        s = cbz_outfile_commit(of, &err);
    } else {
        cbz_outfile_abort(of);
    }
    rc = s == CBZ_OK ? (st.rejects ? CLI_RC_WARN : CLI_RC_OK) : cli_report_error(cmd, &err);
    char rej_file[1024];
    rc = cli_close_rejects(cmd, rr, rc, rej_file, sizeof rej_file);
    if (!quiet)
        fprintf(stderr, "cobzip convert: %llu records read, %llu written, %llu values rejected in %llu records%s%s%s\n",
                (unsigned long long)st.records_read, (unsigned long long)(s == CBZ_OK ? st.records_written : 0),
                (unsigned long long)st.rejects, (unsigned long long)st.records_with_rejects,
                rej_file[0] ? " (see " : "", rej_file, rej_file[0] ? ")" : "");
    free(default_rejects);
    cbz_layout_free(layout);
    return rc;
}
