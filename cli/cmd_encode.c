/*
 * cmd_encode.c — `cobzip encode`: CSV or JSON Lines back to records (the
 * engine is src/convert.c; this file is options, files and return codes).
 */
#include "cli.h"
#include "convert.h"
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void encode_help(void)
{
    printf("usage: cobzip encode -c COPYBOOK [record options] [options] INPUT -o OUTPUT\n"
           "\n"
           "The reverse of convert: reads CSV (a header row of field names, as convert\n"
           "writes it) or JSON Lines from INPUT (a file, or - for stdin) and writes one\n"
           "record per row in the record format asked for.\n"
           "\n"
           "record options:\n"
           CLI_RECORD_OPTIONS_HELP
           "\n"
           "options:\n"
           "  -o, --output PATH     output file, or - for stdout (required)\n"
           "      --force           replace an existing output (and rejects file)\n"
           "      --format csv|jsonl\n"
           "                        default: jsonl when INPUT ends in .jsonl, .ndjson or\n"
           "                        .json, else csv\n"
           "      --max-errors N    stop with return code 8 once more than N values are\n"
           "                        rejected (default 100)\n"
           "      --rejects FILE    reject report (created even when empty).  Default:\n"
           "                        OUTPUT.rejects, written only when there are rejects;\n"
           "                        with -o - the reject lines go to stderr\n"
           "      --variable-occurs (RECFM F) write each record only as long as its\n"
           "                        OCCURS DEPENDING ON counters make it, no RDW, no padding\n"
           "      --occurs-map 'TABLE=VALUE:COUNT[,VALUE:COUNT...]'\n"
           "                        the ODO counter of TABLE holds codes: VALUE means COUNT\n"
           "                        elements (repeatable, one per table)\n"
           "  -q, --quiet           no summary line on stderr\n"
           "  -h, --help            this help\n"
           "\n"
           "CSV header names are matched to the copybook's column names (NAME, NAME(2),\n"
           "NAME(1,3)); a name that is not a column is an error.  JSON objects are matched\n"
           "by member names, with or without the 01 record name around them.  A missing\n"
           "or empty value encodes zero (numeric) or spaces (text); FILLER bytes are\n"
           "spaces of the code page (0x40 in EBCDIC) unless a value is given.  Of the\n"
           "items that REDEFINE one another, only views with at least one non-empty value\n"
           "are written, in copybook order, so convert --select output encodes back.  F/FB\n"
           "records are LRECL bytes (padded with spaces after an ODO record); V/VB records\n"
           "are as long as their ODO counters make them, with RDW (and BDW for VB).\n"
           "A value that does not fit its field (too many digits, bad characters) is\n"
           "reported (data row, field, the text in hex, reason) and encoded as zero or\n"
           "spaces.  convert then encode gives back the same bytes for valid data.\n"
           "\n"
           "return codes:\n"
           "   0  every row encoded, no rejects\n"
           "   4  finished, but some values were rejected (see the reject report)\n"
           "   8  bad input (CSV quoting, unknown column, bad JSON), or more than\n"
           "      --max-errors rejects: the output is not written\n"
           "  12  bad usage, copybook error, output exists without --force\n"
           "  16  I/O failure or out of memory\n");
}

enum { OPT_FORCE = CLI_OPT_FIRST_FREE, OPT_FORMAT, OPT_MAX_ERRORS, OPT_REJECTS, OPT_VARIABLE_OCCURS, OPT_OCCURS_MAP };
#define MAX_OCCURS_MAPS 64

int cmd_encode(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RECORD_LONG_OPTIONS,
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, OPT_FORCE },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
        { "rejects", required_argument, NULL, OPT_REJECTS },
        { "variable-occurs", no_argument, NULL, OPT_VARIABLE_OCCURS },
        { "occurs-map", required_argument, NULL, OPT_OCCURS_MAP },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmd = "encode";
    cli_record_opts ro;
    cli_record_opts_init(&ro);
    const char *output = NULL, *format = NULL, *rejects_path = NULL;
    bool variable_occurs = false;
    const char *occurs_maps[MAX_OCCURS_MAPS];
    size_t n_occurs_maps = 0;
    bool force = false, quiet = false;
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
        case OPT_MAX_ERRORS:
            if (!cli_parse_uint(cmd, "--max-errors", optarg, UINT64_MAX, &max_errors)) return CLI_RC_SEVERE;
            break;
        case OPT_REJECTS: rejects_path = optarg; break;
        case OPT_VARIABLE_OCCURS: variable_occurs = true; break;
        case OPT_OCCURS_MAP:
            if (n_occurs_maps == MAX_OCCURS_MAPS) return cli_usage_error(cmd, "at most %d --occurs-map options", MAX_OCCURS_MAPS);
            occurs_maps[n_occurs_maps++] = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h': encode_help(); return CLI_RC_OK;
        default: return cli_usage_error(cmd, "unknown option");
        }
    }
    if (!ro.copybook) return cli_usage_error(cmd, "a copybook is needed (-c FILE)");
    if (optind != argc - 1) return cli_usage_error(cmd, "exactly one INPUT is needed (a file, or - for stdin)");
    if (!output) return cli_usage_error(cmd, "an output is needed (-o FILE, or -o - for stdout)");
    const char *input = argv[optind];
    if (variable_occurs && ro.fmt.recfm != CBZ_RECFM_F && ro.fmt.recfm != CBZ_RECFM_FB)
        return cli_usage_error(cmd, "--variable-occurs is for RECFM F/FB files (records without RDW)");
    cbz_text_format tf;
    if (!cli_text_format(cmd, format, input, &tf)) return CLI_RC_SEVERE;

    cbz_error err = { 0 };
    cbz_layout *layout = NULL;
    if (cli_record_opts_load(&ro, &layout, &err) != CBZ_OK) return cli_report_error(cmd, &err);
    const cbz_codepage *cp = cli_record_opts_codepage(&ro, cmd);
    if (!cp) { cbz_layout_free(layout); return CLI_RC_SEVERE; }

    FILE *in = stdin;
    bool is_stdin = strcmp(input, "-") == 0;
    if (!is_stdin && !(in = fopen(input, "rb"))) {
        fprintf(stderr, "cobzip encode: %s: cannot open: %s\n", input, strerror(errno));
        cbz_layout_free(layout);
        return CLI_RC_FATAL;
    }
    char *default_rejects = NULL;
    if (!rejects_path && strcmp(output, "-") != 0) {
        size_t n = strlen(output) + sizeof ".rejects";
        if ((default_rejects = malloc(n))) snprintf(default_rejects, n, "%s.rejects", output);
    }
    cbz_outfile *of = NULL;
    cbz_reject_report *rr = NULL;
    cbz_status s = CBZ_OK;
    if (!rejects_path && strcmp(output, "-") != 0 && !default_rejects) s = cbz_fail(&err, CBZ_ERR_NOMEM, "out of memory");
    if (s == CBZ_OK) s = cbz_outfile_open(output, force, &of, &err);
    if (s == CBZ_OK)
        s = cbz_reject_report_new(rejects_path ? rejects_path : default_rejects, force, rejects_path != NULL, &rr, &err);
    int rc;
    if (s != CBZ_OK) {
        rc = cli_report_error(cmd, &err);
        cbz_outfile_abort(of);
        if (!is_stdin) fclose(in);
        free(default_rejects);
        cbz_layout_free(layout);
        return rc;
    }

    cbz_convert_options co = { 0 };
    co.layout = layout;
    co.fmt = ro.fmt;
    co.values.codepage = cp;
    co.values.trim = CBZ_TRIM_RIGHT;
    co.values.float_format = ro.float_format;
    co.values.lenient = ro.lenient;
    co.values.trunc_bin = ro.trunc_bin;
    co.format = tf;
    co.max_errors = max_errors;
    co.variable_occurs = variable_occurs;
    co.occurs_maps = occurs_maps;
    co.n_occurs_maps = n_occurs_maps;
    co.on_reject = cbz_reject_report_add;
    co.reject_ctx = rr;
    cbz_convert_stats st;
    s = cbz_encode_records(&co, in, is_stdin ? "(stdin)" : input, cbz_outfile_stream(of), &st, &err);
    if (s == CBZ_OK) s = cbz_outfile_commit(of, &err);
    else cbz_outfile_abort(of);
    if (!is_stdin) fclose(in);
    rc = s == CBZ_OK ? (st.rejects ? CLI_RC_WARN : CLI_RC_OK) : cli_report_error(cmd, &err);
    char rej_file[1024];
    rc = cli_close_rejects(cmd, rr, rc, rej_file, sizeof rej_file);
    if (!quiet)
        fprintf(stderr, "cobzip encode: %llu rows read, %llu records written, %llu values rejected in %llu rows%s%s%s\n",
                (unsigned long long)st.records_read, (unsigned long long)(s == CBZ_OK ? st.records_written : 0),
                (unsigned long long)st.rejects, (unsigned long long)st.records_with_rejects,
                rej_file[0] ? " (see " : "", rej_file, rej_file[0] ? ")" : "");
    free(default_rejects);
    cbz_layout_free(layout);
    return rc;
}
