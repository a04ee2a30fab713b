/*
 * cmd_decompress.c — `cobzip decompress`: restores the original files of a
 * dataset (into the directory -o, default ".") or of one member (to the file
 * -o, default its source name), byte for byte, each through an atomic output,
 * with a progress line on stderr when it is a terminal (not with -q).
 */
#include "cli.h"
#include "container.h"
#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_FORCE = CLI_OPT_FIRST_FREE, OPT_MEMBER };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip decompress DATASET|MEMBER [--member NAME] [-o OUT] [--threads N] [--force]\n"
            "\n"
            "Restores the original files.  For a dataset, OUT is a directory (default .)\n"
            "that receives every member's file under its source name; for a member, OUT is\n"
            "the file to write (default: the source name; - for stdout).\n"
            "\n"
            "      --member NAME     only this member (NAME.cobz or the source name)\n"
            "  -o, --output OUT      where to write\n"
            "      --threads N       chunks decoded at once (default: all cores)\n"
            "      --force           replace existing files\n"
            "  -q, --quiet           no summary and no progress line on stderr\n"
            "  -h, --help            this help\n");
}

/* A source name taken from a member must be a plain file name. */
static bool plain_name(const char *s)
{
    return s[0] && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static cbz_status restore_one(const char *member_path, const char *out_path, const char *out_dir,
                              bool force, int threads, bool quiet, cbz_error *err)
{
    cbz_member *m;
    CBZ_TRY(cbz_member_open(member_path, &m, err));
    char buf[4352];
    if (!out_path) {
        if (!plain_name(m->meta.source_name)) {
            cbz_member_close(m);
            return cbz_fail(err, CBZ_ERR_FORMAT, "%s: source name '%s' is not a plain file name",
                            member_path, m->meta.source_name);
        }
        snprintf(buf, sizeof buf, "%s/%s", out_dir ? out_dir : ".", m->meta.source_name);
        out_path = buf;
    }
    cbz_outfile *of;
    cbz_status s = cbz_outfile_open(out_path, force, &of, err);
    if (s == CBZ_OK) {
        const char *label = strcmp(out_path, "-") == 0 ? member_path : out_path;
        cbz_progress *progress = cbz_progress_start(label, m->source_size, !quiet);
        s = cbz_member_restore_progress(m, cbz_outfile_stream(of), threads, progress, err);
        cbz_progress_finish(progress);
        if (s == CBZ_OK) s = cbz_outfile_commit(of, err);
        else cbz_outfile_abort(of);
    }
    if (s == CBZ_OK && !quiet && strcmp(out_path, "-") != 0)
        fprintf(stderr, "%s -> %s (%llu bytes, %llu records)\n", member_path, out_path,
                (unsigned long long)m->source_size, (unsigned long long)m->total_records);
    cbz_member_close(m);
    return s;
}

int cmd_decompress(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "member", required_argument, NULL, OPT_MEMBER },
        { "output", required_argument, NULL, 'o' },
        CLI_THREAD_LONG_OPTIONS,
        { "force", no_argument, NULL, OPT_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "decompress";
    const char *output = NULL, *only = NULL;
    bool force = false;
    cli_thread_opts to;
    cli_thread_opts_init(&to);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:" CLI_THREAD_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
        int r = cli_thread_opts_parse(&to, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r > 0) continue;
        switch (opt) {
        case OPT_MEMBER: only = optarg; break;
        case 'o': output = optarg; break;
        case OPT_FORCE: force = true; break;
        default: return cli_help_or_bad_option(cmd, opt, usage);
        }
    }
    const char *in = cli_one_operand(cmd, argc, argv, "DATASET or MEMBER");
    if (!in) return CLI_RC_SEVERE;
    int threads = cli_thread_count(&to);
    cbz_error err = { 0 };
    cbz_status s = CBZ_OK;
    if (!cbz_is_directory(in)) {
        if (only) return cli_usage_error(cmd, "--member applies to a dataset directory");
        s = restore_one(in, output, NULL, force, threads, to.quiet, &err);
        return s == CBZ_OK ? CLI_RC_OK : cli_report_error(cmd, &err);
    }
    const char *dir = output ? output : ".";
    if (strcmp(dir, "-") == 0 && !only)
        return cli_usage_error(cmd, "-o - needs --member (one file to stdout)");
    char **names;
    size_t n, problems = 0;
    s = cbz_dataset_members(in, false, &names, &n, &problems, stderr, &err);
    if (s != CBZ_OK) return cli_report_error(cmd, &err);
    if (strcmp(dir, "-") != 0 && mkdir(dir, 0755) != 0 && errno != EEXIST) {
        cbz_dataset_members_free(names, n);
        cbz_fail(&err, CBZ_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
        return cli_report_error(cmd, &err);
    }
    size_t done = 0;
    for (size_t i = 0; i < n && s == CBZ_OK; i++) {
        size_t l = strlen(names[i]);
        bool match = !only || strcmp(only, names[i]) == 0 ||
                     (l > 5 && strlen(only) == l - 5 && strncmp(only, names[i], l - 5) == 0);
        if (!match) continue;
        char path[4352];
        snprintf(path, sizeof path, "%s/%s", in, names[i]);
        s = restore_one(path, strcmp(dir, "-") == 0 ? "-" : NULL, dir, force, threads, to.quiet, &err);
        done++;
    }
    if (s == CBZ_OK && only && done == 0) {
        /* name the members there are: the usual slip is the source file's
         * extension (--member transactions for transactions.dat.cobz) */
        char have[512] = "";
        size_t at = 0;
        for (size_t i = 0; i < n && at < sizeof have; i++) {
            size_t l = strlen(names[i]);
            int w = snprintf(have + at, sizeof have - at, "%s%.*s", i ? ", " : "",
                             (int)(l > 5 ? l - 5 : l), names[i]);
            if (w < 0) break;
            at += (size_t)w;
        }
        if (at >= sizeof have) snprintf(have + sizeof have - 5, 5, "...");
        cbz_fail(&err, CBZ_ERR_USAGE, "%s: no member named %s (members: %s)", in, only,
                 n ? have : "none");
        s = CBZ_ERR_USAGE;
    }
    cbz_dataset_members_free(names, n);
    return s == CBZ_OK ? CLI_RC_OK : cli_report_error(cmd, &err);
}
