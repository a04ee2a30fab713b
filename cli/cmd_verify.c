/*
 * cmd_verify.c — `cobzip verify`: checks a dataset's tag manifest and
 * manifest (SHA-256 of every file), then opens every member (header, trailer,
 * index and stats checksums), decodes every chunk (frame and content XXH64)
 * and compares the SHA-256 of the whole with the recorded one.  Exit 0 only
 * when all of it holds, 8 otherwise, with each failure on stderr.  While a
 * member is decoded, a progress line shows on stderr when it is a terminal.
 */
#include "cli.h"
#include "container.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip verify DATASET|MEMBER [--threads N]\n"
            "\n"
            "Checks manifests and checksums and decodes everything.  Exit 0 when all\n"
            "holds, 8 when anything failed (each failure is printed).\n"
            "\n"
            "      --threads N       chunks decoded at once (default: all cores)\n"
            "  -q, --quiet           print failures only (and no progress line)\n"
            "  -h, --help            this help\n");
}

/* Checks one member (a cli_member_visit; opts is the cli_thread_opts). */
static bool verify_member(const char *path, size_t index, void *opts)
{
    (void)index;
    const cli_thread_opts *to = opts;
    cbz_error err = { 0 };
    cbz_member *m;
    cbz_status s = cbz_member_open(path, &m, &err);
    if (s == CBZ_OK) {
        cbz_progress *progress = cbz_progress_start(path, m->source_size, !to->quiet);
        s = cbz_member_restore_progress(m, NULL, cli_thread_count(to), progress, &err);
        cbz_progress_finish(progress);
        if (s == CBZ_OK && !to->quiet)
            printf("%s: OK (%llu bytes, %llu records, %llu chunks, sha256 %s)\n", path,
                   (unsigned long long)m->source_size, (unsigned long long)m->total_records,
                   (unsigned long long)m->n_chunks, m->source_sha256);
        cbz_member_close(m);
    }
    if (s != CBZ_OK) fprintf(stderr, "cobzip verify: %s: FAILED: %s\n", path, err.msg);
    return s == CBZ_OK;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_THREAD_LONG_OPTIONS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "verify";
    cli_thread_opts to;
    cli_thread_opts_init(&to);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_THREAD_SHORT_OPTIONS "h", longopts, NULL)) != -1) {
        int r = cli_thread_opts_parse(&to, opt, optarg, cmd);
        if (r < 0) return CLI_RC_SEVERE;
        if (r == 0) return cli_help_or_bad_option(cmd, opt, usage);
    }
    const char *in = cli_one_operand(cmd, argc, argv, "DATASET or MEMBER");
    if (!in) return CLI_RC_SEVERE;
    if (!cbz_is_directory(in)) return verify_member(in, 0, &to) ? CLI_RC_OK : CLI_RC_ERROR;

    cbz_error err = { 0 };
    size_t n, problems;
    if (cli_visit_members(in, true, verify_member, &to, &n, &problems, &err) != CBZ_OK) {
        fprintf(stderr, "cobzip verify: %s: FAILED: %s\n", in, err.msg);
        return CLI_RC_ERROR;
    }
    if (problems) {
        fprintf(stderr, "cobzip verify: %s: %zu problem%s\n", in, problems, problems == 1 ? "" : "s");
        return CLI_RC_ERROR;
    }
    if (!to.quiet) printf("%s: OK (%zu member%s, manifests intact)\n", in, n, n == 1 ? "" : "s");
    return CLI_RC_OK;
}
