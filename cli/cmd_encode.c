/*
 * cmd_encode.c — `cobzip encode`: CSV or JSON Lines back to records (the
 * engine is src/convert.c; this file is options, files and return codes).
 */
#include "cli.h"
#include "convert.h"
#include "outfile.h"

#include <errno.h>
#include <string.h>

static void encode_help(FILE *out)
{
    fprintf(out, "usage: cobzip encode -c COPYBOOK [record options] [options] INPUT -o OUTPUT\n"
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

int cmd_encode(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RECORD_LONG_OPTIONS,
        CLI_TEXT_LONG_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *cmd = "encode";
    cli_record_opts ro;
    cli_record_opts_init(&ro);
    cli_text_opts to;
    cli_text_opts_init(&to);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_RECORD_SHORT_OPTIONS CLI_TEXT_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
        int r = cli_record_opts_parse(&ro, opt, optarg, cmd);
        if (r == 0) r = cli_text_opts_parse(&to, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r > 0) continue;
        return cli_help_or_bad_option(cmd, opt, encode_help);
    }
    const char *input = cli_text_opts_validate(&to, &ro, argc, argv, cmd);
    if (!input) return CLI_RC_SEVERE;
    cbz_text_format tf;
    if (!cli_text_format(cmd, to.format, input, &tf)) return CLI_RC_SEVERE;

    cbz_layout *layout;
    const cbz_codepage *cp;
    int rc = cli_record_opts_load_with_codepage(&ro, cmd, &layout, &cp);
    if (rc != CLI_RC_OK) return rc;

    FILE *in = stdin;
    bool is_stdin = strcmp(input, "-") == 0;
    if (!is_stdin && !(in = fopen(input, "rb"))) {
        fprintf(stderr, "cobzip encode: %s: cannot open: %s\n", input, strerror(errno));
        cbz_layout_free(layout);
        return CLI_RC_FATAL;
    }
    cbz_error err = { 0 };
    cbz_outfile *of;
    cbz_reject_report *rr;
    cbz_status s = cli_text_open_outputs(&to, &of, &rr, &err);
    if (s != CBZ_OK) {
        if (!is_stdin) fclose(in);
        cbz_layout_free(layout);
        return cli_report_error(cmd, &err);
    }

    cbz_convert_options co;
    cli_text_convert_options(&co, &ro, &to, layout, cp, tf, rr);
    cbz_convert_stats st;
    s = cbz_encode_records(&co, in, is_stdin ? "(stdin)" : input, cbz_outfile_stream(of), &st, &err);
    if (!is_stdin) fclose(in);
    rc = cli_text_finish(cmd, &to, s, of, rr, &st, "rows", "records written", &err);
    cbz_layout_free(layout);
    return rc;
}
