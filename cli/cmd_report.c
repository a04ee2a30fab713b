/*
 * cmd_report.c — `cobzip report DATASET -o report.html`: the dataset's
 * one-page HTML report (src/report.c), written atomically (src/outfile.h).
 * With --stats FILE.json (from `cobzip compress --stats`) the page also shows
 * time per layer and column and the run's throughput.
 */
#include "cli.h"
#include "outfile.h"
#include "report.h"


enum { OPT_STATS = CLI_OPT_FIRST_FREE, OPT_FORCE, OPT_CHART_COLUMNS, OPT_NO_CHECK };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip report DATASET -o REPORT.html [--stats FILE.json] [--force]\n"
            "\n"
            "Writes one self-contained HTML page (inline CSS and SVG, no scripts, nothing\n"
            "loaded from the network) showing where the dataset's bytes and time go: each\n"
            "member's ratio against the manifest's original size, the bytes after each\n"
            "layer L1..L8, and per column the bytes in and out and the layers chosen.\n"
            "\n"
            "  -o, --output FILE     the page to write (- for stdout)\n"
            "      --stats FILE      JSON from `cobzip compress --stats`: adds time per layer\n"
            "                        and column, and throughput (otherwise \"not recorded\")\n"
            "      --chart-columns N columns drawn in each member's chart (default 40;\n"
            "                        the table always lists all)\n"
            "      --no-check        skip checking the manifests' SHA-256 (faster on huge\n"
            "                        datasets; member headers, index and stats are always checked)\n"
            "      --force           replace an existing output\n"
            "  -h, --help            this help\n"
            "\n"
            "Exit codes: 0 ok, 8 corrupt dataset or stats file that does not match it,\n"
            "12 bad usage or output exists, 16 I/O failure.\n");
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "stats", required_argument, NULL, OPT_STATS },
        { "chart-columns", required_argument, NULL, OPT_CHART_COLUMNS },
        { "no-check", no_argument, NULL, OPT_NO_CHECK },
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "report";
    const char *output = NULL;
    cbz_report_options ro = { .stats_path = NULL, .check_hashes = true, .chart_columns = 0 };
    bool force = false;
    uint64_t v;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o': output = optarg; break;
        case OPT_STATS: ro.stats_path = optarg; break;
        case OPT_CHART_COLUMNS:
            if (!cli_parse_uint(cmd, "--chart-columns", optarg, 100000, &v)) return CLI_RC_SEVERE;
            if (v == 0) return cli_usage_error(cmd, "--chart-columns wants at least 1");
            ro.chart_columns = (size_t)v;
            break;
        case OPT_NO_CHECK: ro.check_hashes = false; break;
        case OPT_FORCE: force = true; break;
        default: return cli_help_or_bad_option(cmd, opt, usage);
        }
    }
    const char *dataset = cli_one_operand(cmd, argc, argv, "DATASET");
    if (!dataset) return CLI_RC_SEVERE;
    if (!output) return cli_usage_error(cmd, "want -o REPORT.html (or -o - for stdout)");

    cbz_error err = { 0 };
    cbz_outfile *of = NULL;
    cbz_status s = cbz_outfile_open(output, force, &of, &err);
    if (s == CBZ_OK) s = cbz_report_write(dataset, &ro, cbz_outfile_stream(of), &err);
    if (s == CBZ_OK) {
        s = cbz_outfile_commit(of, &err);
        of = NULL;
    }
    cbz_outfile_abort(of);
    return s == CBZ_OK ? CLI_RC_OK : cli_report_error(cmd, &err);
}
