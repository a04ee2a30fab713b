/*
 * cmd_compress.c — `cobzip compress`: each INPUT becomes a member BASENAME.cobz
 * of the dataset directory given with -o, written atomically.
 *
 * With a copybook the records are split into its columns; with --lrecl alone
 * into one RAW column of that width (byte planes); with neither, fixed input
 * is compressed as plain bytes (generic member), while V/VB input is still
 * framed into records.  Any input bytes round-trip, whatever the options.
 * While a member is compressed, a progress line shows on stderr when it is a
 * terminal (not with -q).
 */
#include "cli.h"
#include "container.h"
#include "hash.h"
#include "jsonl.h"
#include "outfile.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

enum { OPT_LEVEL = CLI_OPT_FIRST_FREE, OPT_CHUNK, OPT_FORCE, OPT_DEVICE, OPT_STATS };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip compress [-c COPYBOOK] [record options] [--level 1..19]\n"
            "                       [--chunk-size BYTES] [--threads N] INPUT... -o DATASET [--force]\n"
            "\n"
            "Compresses each INPUT (a file, or - for stdin) into DATASET/BASENAME.cobz and\n"
            "writes manifest-sha256.txt, manifest.json and tagmanifest-sha256.txt.\n"
            "\n" CLI_RECORD_OPTIONS_HELP
            "      --level N         1 (fastest) .. 19 (smallest), default 3: the zstd level of\n"
            "                        numeric columns; at 1..3 text columns use zstd level 1\n"
            "      --chunk-size N    input bytes per chunk (default 4194304)\n"
            "      --threads N       chunks compressed at once (default: all cores)\n"
            "      --device D        auto (default: large F/FB inputs on the GPU when one is\n"
            "                        usable), cpu, or gpu (exit 16 when no GPU is usable)\n"
            "      --stats FILE      per member, column and layer: bytes in/out and seconds (JSON)\n"
            "  -o, --output DIR      the dataset directory to create\n"
            "      --force           replace an existing DATASET\n"
            "  -q, --quiet           no summary and no progress line on stderr\n"
            "  -h, --help            this help\n");
}

static const char *member_base(const char *input, char *buf, size_t cap)
{
    if (strcmp(input, "-") == 0) return "stdin";
    snprintf(buf, cap, "%s", input);
    return basename(buf);
}

/* Bytes in a regular input file; 0 (unknown: no percent) for stdin, pipes
 * and anything stat cannot see. */
static uint64_t input_size(const char *input)
{
    struct stat st;
    if (strcmp(input, "-") == 0 || stat(input, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return (uint64_t)st.st_size;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void jstr(FILE *fp, const char *s) { cbz_json_put_string(fp, s, strlen(s)); }

/* One member of the --stats document. */
static void stats_member(FILE *fp, bool first, const char *input, const cbz_compress_result *r,
                         double seconds)
{
    fprintf(fp, "%s\n  {\"input\": ", first ? "" : ",");
    jstr(fp, input);
    fprintf(fp, ", \"bytes_in\": %llu, \"bytes_out\": %llu, \"records\": %llu, \"chunks\": %llu, "
                "\"seconds\": %.6f, \"mb_per_s\": %.3f,\n   \"layers\": {",
            (unsigned long long)r->source_size, (unsigned long long)r->member_size,
            (unsigned long long)r->records, (unsigned long long)r->chunks, seconds,
            seconds > 0 ? (double)r->source_size / seconds / 1e6 : 0.0);
    for (int l = 1; l <= 8; l++) {
        uint64_t out = 0;
        double sec = 0;
        for (size_t s = 0; s < r->n_streams; s++) {
            out += r->stats[s].layer_out[l];
            sec += r->stats[s].layer_seconds[l];
        }
        fprintf(fp, "%s\"%s\": {\"bytes_out\": %llu, \"seconds\": %.6f}", l > 1 ? ", " : "",
                cbz_layer_names[l], (unsigned long long)out, sec);
    }
    fprintf(fp, "},\n   \"columns\": [");
    bool any = false;
    for (size_t s = 0; s < r->n_streams; s++) {
        const cbz_col_stats *st = &r->stats[s];
        if (!st->bytes_in) continue;
        fprintf(fp, "%s\n    {\"name\": ", any ? "," : "");
        any = true;
        jstr(fp, r->stream_names[s]);
        fprintf(fp, ", \"chain\": ");
        jstr(fp, st->chain);
        fprintf(fp, ", \"bytes_in\": %llu, \"bytes_out\": %llu, \"exceptions\": %llu, \"seconds\": {",
                (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
                (unsigned long long)st->exceptions);
        bool lf = true;
        for (int l = 1; l <= 8; l++) {
            if (!st->layer_out[l] && st->layer_seconds[l] == 0) continue;
            fprintf(fp, "%s\"%s\": %.6f", lf ? "" : ", ", cbz_layer_names[l], st->layer_seconds[l]);
            lf = false;
        }
        fprintf(fp, "}}");
    }
    fprintf(fp, "]}");
}

int cmd_compress(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RECORD_LONG_OPTIONS,
        { "level", required_argument, NULL, OPT_LEVEL },
        { "chunk-size", required_argument, NULL, OPT_CHUNK },
        CLI_THREAD_LONG_OPTIONS,
        { "device", required_argument, NULL, OPT_DEVICE },
        { "stats", required_argument, NULL, OPT_STATS },
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "compress";
    cli_record_opts ro;
    cli_record_opts_init(&ro);
    const char *output = NULL, *stats_path = NULL, *device = NULL;
    bool force = false;
    uint64_t level = 3, chunk = CBZ_CHUNK_DEFAULT;
    cli_thread_opts to;
    cli_thread_opts_init(&to);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_RECORD_SHORT_OPTIONS "o:" CLI_THREAD_SHORT_OPTIONS "h", longopts,
                              NULL)) != -1) {
        int r = cli_record_opts_parse(&ro, opt, optarg, cmd);
        if (r == 0) r = cli_thread_opts_parse(&to, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r > 0) continue;
        switch (opt) {
        case OPT_LEVEL:
            if (!cli_parse_uint(cmd, "--level", optarg, 19, &level)) return CLI_RC_SEVERE;
            if (level < 1) return cli_usage_error(cmd, "--level wants 1..19");
            break;
        case OPT_CHUNK:
            if (!cli_parse_uint(cmd, "--chunk-size", optarg, (uint64_t)1 << 30, &chunk))
                return CLI_RC_SEVERE;
            if (chunk < 1) return cli_usage_error(cmd, "--chunk-size must be at least 1");
            break;
        case OPT_DEVICE:
            /* Checked here so a typo fails before any output exists; the
             * engine decides what each device means (CBZ_ERR_DEVICE: 16). */
            if (strcasecmp(optarg, "auto") != 0 && strcasecmp(optarg, "cpu") != 0 &&
                strcasecmp(optarg, "gpu") != 0)
                return cli_usage_error(cmd, "--device wants auto, cpu or gpu, not '%s'", optarg);
            device = optarg;
            break;
        case OPT_STATS: stats_path = optarg; break;
        case 'o': output = optarg; break;
        case OPT_FORCE: force = true; break;
        default: return cli_help_or_bad_option(cmd, opt, usage);
        }
    }
    if (!output) return cli_usage_error(cmd, "missing -o DATASET");
    if (optind >= argc) return cli_usage_error(cmd, "missing INPUT");
    int threads = cli_thread_count(&to);
    /* Member names must be distinct. */
    for (int i = optind; i < argc; i++)
        for (int j = optind; j < i; j++) {
            char a[4096], b[4096];
            if (strcmp(member_base(argv[i], a, sizeof a), member_base(argv[j], b, sizeof b)) == 0)
                return cli_usage_error(cmd, "inputs %s and %s would both be member %s.cobz", argv[j],
                                       argv[i], member_base(argv[i], a, sizeof a));
        }

    const cbz_codepage *cp = cli_record_opts_codepage(&ro, cmd);
    if (!cp) return CLI_RC_SEVERE;
    bool variable = ro.fmt.recfm == CBZ_RECFM_V || ro.fmt.recfm == CBZ_RECFM_VB;
    cbz_error err = { 0 };
    cbz_layout *layout = NULL;
    if (cli_record_opts_load(&ro, &layout, &err) != CBZ_OK) return cli_report_error(cmd, &err);

    cbz_compress_params p;
    memset(&p, 0, sizeof p);
    p.layout = layout;
    p.ebcdic = cp->is_ebcdic;
    p.threads = threads;
    p.device = device;
    p.meta.fmt = ro.fmt;
    p.meta.chunk_size = chunk;
    p.meta.level = (int)level;
    p.meta.float_format = (uint8_t)ro.float_format;
    p.staged = true; /* into the dataset's temporary directory: cbz_dataset_commit fsyncs it */
    snprintf(p.meta.codepage, sizeof p.meta.codepage, "%s", cp->name);
    if (layout) {
        p.meta.mode = CBZ_MODE_RECORDS;
        p.meta.width = variable ? layout->record_size : ro.fmt.lrecl;
        /* A V record longer than the copybook says is still a record. */
        if (variable && !ro.lrecl_given) p.meta.fmt.lrecl = 0;
        snprintf(p.meta.copybook_name, sizeof p.meta.copybook_name, "%s", ro.copybook);
        p.meta.copybook_text = layout->expanded_text;
        p.meta.copybook_len = layout->expanded_text ? strlen(layout->expanded_text) : 0;
        if (cbz_sha256_file_hex(ro.copybook, p.meta.copybook_sha256, &err) != CBZ_OK) {
            cbz_layout_free(layout);
            return cli_report_error(cmd, &err);
        }
    } else if (ro.lrecl_given || variable) {
        p.meta.mode = CBZ_MODE_RECORDS;
        p.meta.width = ro.lrecl_given ? ro.fmt.lrecl : 0;
    } else {
        p.meta.mode = CBZ_MODE_GENERIC;
    }

    cbz_dataset_writer *ds = NULL;
    cbz_outfile *stats_of = NULL;
    FILE *sf = NULL;
    double t_all = now_seconds();
    uint64_t all_in = 0, all_out = 0;
    cbz_status s = cbz_dataset_begin(output, force, &ds, &err);
    if (s == CBZ_OK && stats_path && (s = cbz_outfile_open(stats_path, force, &stats_of, &err)) == CBZ_OK) {
        sf = cbz_outfile_stream(stats_of);
        fprintf(sf, "{\"tool\": \"cobzip %s\", \"threads\": %d, \"level\": %llu, \"members\": [",
                CBZ_VERSION_STRING, threads, (unsigned long long)level);
    }
    for (int i = optind; i < argc && s == CBZ_OK; i++) {
        char nb[4096], member[4200];
        const char *base = member_base(argv[i], nb, sizeof nb);
        snprintf(member, sizeof member, "%s.cobz", base);
        snprintf(p.meta.source_name, sizeof p.meta.source_name, "%s", base);
        cbz_compress_result res;
        double t0 = now_seconds();
        p.progress = cbz_progress_start(base, input_size(argv[i]), !to.quiet);
        s = cbz_compress_file(argv[i], cbz_dataset_member_path(ds, member), false, &p, &res, &err);
        cbz_progress_finish(p.progress);
        p.progress = NULL;
        if (s != CBZ_OK) break;
        all_in += res.source_size;
        all_out += res.member_size;
        if (sf) stats_member(sf, i == optind, argv[i], &res, now_seconds() - t0);
        s = cbz_dataset_add(ds, member, &p, &res, &err);
        if (s == CBZ_OK && !to.quiet)
            fprintf(stderr, "%s: %llu bytes -> %llu bytes (ratio %.2f), %llu records, %llu chunks\n",
                    argv[i], (unsigned long long)res.source_size,
                    (unsigned long long)res.member_size,
                    res.member_size ? (double)res.source_size / (double)res.member_size : 0.0,
                    (unsigned long long)res.records, (unsigned long long)res.chunks);
        cbz_compress_result_free(&res);
    }
    if (s == CBZ_OK) {
        s = cbz_dataset_commit(ds, &err);
        ds = NULL;
    }
    if (s == CBZ_OK && sf) {
        double sec = now_seconds() - t_all;
        fprintf(sf, "\n ],\n \"bytes_in\": %llu, \"bytes_out\": %llu, \"seconds\": %.6f, \"mb_per_s\": %.3f}\n",
                (unsigned long long)all_in, (unsigned long long)all_out, sec,
                sec > 0 ? (double)all_in / sec / 1e6 : 0.0);
        s = cbz_outfile_commit(stats_of, &err);
        stats_of = NULL;
    }
    cbz_outfile_abort(stats_of);
    cbz_dataset_abort(ds);
    cbz_layout_free(layout);
    return s == CBZ_OK ? CLI_RC_OK : cli_report_error(cmd, &err);
}
