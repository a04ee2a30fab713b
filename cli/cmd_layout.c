/*
 * cmd_layout.c — `cobzip layout`: compile a copybook and print its record
 * layout, as a table (START/END 1-based, as in Cobrix's layout listings) or
 * as JSON (offsets 0-based, as in the library).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { OPT_JSON = CLI_OPT_FIRST_FREE, OPT_FORMAT };

static void layout_help(void)
{
    printf("usage: cobzip layout -c COPYBOOK [-I DIR]... [--json] [--source-format auto|fixed|free]\n"
           "\n"
           "Compiles a COBOL copybook (IBM Enterprise COBOL rules) and prints every entry:\n"
           "level, name, PIC / USAGE, START, END, LENGTH, OCCURS and notes (REDEFINES,\n"
           "SIGN, SYNC, VALUE), then the record length.\n"
           "\n"
           "  -c, --copybook FILE   the copybook (a single FILE argument works too)\n"
           "  -I, --include DIR     search DIR for COPY members (repeatable); the\n"
           "                        copybook's own directory is searched first\n"
           "      --json            JSON instead of the table: every field with all its\n"
           "                        attributes, then every column (OCCURS elements)\n"
           "      --source-format F auto (default), fixed (columns 7-72) or free\n"
           "  -h, --help            this help\n"
           "\n"
           "Offsets: the table shows START and END 1-based and inclusive (as Cobrix's\n"
           "layout listings do); LENGTH is the size of one occurrence; END covers all\n"
           "occurrences.  JSON \"offset\" values are 0-based byte offsets.  OCCURS\n"
           "DEPENDING ON tables are placed at their maximum size.\n"
           "\n"
           "Return codes: 0 ok, 12 bad usage or copybook error (the message names\n"
           "file:line:column), 16 the copybook cannot be read.\n");
}

int cmd_layout(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "copybook", required_argument, NULL, 'c' },
        { "include", required_argument, NULL, 'I' },
        { "json", no_argument, NULL, OPT_JSON },
        { "source-format", required_argument, NULL, OPT_FORMAT },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *copybook = NULL;
    const char *dirs[32];
    size_t n_dirs = 0;
    bool json = false;
    cbz_source_format fmt = CBZ_FORMAT_AUTO;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":c:I:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': copybook = optarg; break;
        case 'I':
            if (n_dirs == sizeof dirs / sizeof dirs[0]) return cli_usage_error("layout", "too many -I directories (at most 32)");
            dirs[n_dirs++] = optarg;
            break;
        case OPT_JSON: json = true; break;
        case OPT_FORMAT:
            if (strcasecmp(optarg, "auto") == 0) fmt = CBZ_FORMAT_AUTO;
            else if (strcasecmp(optarg, "fixed") == 0) fmt = CBZ_FORMAT_FIXED;
            else if (strcasecmp(optarg, "free") == 0) fmt = CBZ_FORMAT_FREE;
            else return cli_usage_error("layout", "--source-format wants auto, fixed or free, not '%s'", optarg);
            break;
        case 'h': layout_help(); return CLI_RC_OK;
        case ':': return cli_usage_error("layout", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("layout", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        if (copybook || optind + 1 < argc) return cli_usage_error("layout", "unexpected argument '%s'", argv[optind]);
        copybook = argv[optind];
    }
    if (!copybook) return cli_usage_error("layout", "no copybook given (-c FILE)");
    cbz_copybook_options copt = { dirs, n_dirs, fmt };
    cbz_layout *layout = NULL;
    cbz_error err = { 0 };
    if (cbz_copybook_compile_file(copybook, &copt, &layout, &err) != CBZ_OK) return cli_report_error("layout", &err);
    cbz_status st = cbz_layout_print(layout, stdout, json, &err);
    cbz_layout_free(layout);
    if (st != CBZ_OK) return cli_report_error("layout", &err);
    return CLI_RC_OK;
}
