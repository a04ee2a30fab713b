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
#include "parallel.h"

#include <string.h>

enum { OPT_THREADS = CLI_OPT_FIRST_FREE };

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

static bool verify_member(const char *path, int threads, bool quiet)
{
    cbz_error err = { 0 };
    cbz_member *m;
    cbz_status s = cbz_member_open(path, &m, &err);
    if (s == CBZ_OK) {
        cbz_progress *progress = cbz_progress_start(path, m->source_size, !quiet);
        s = cbz_member_restore_progress(m, NULL, threads, progress, &err);
        cbz_progress_finish(progress);
        if (s == CBZ_OK && !quiet)
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
        { "threads", required_argument, NULL, OPT_THREADS },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "verify";
    uint64_t threads = 0;
    bool quiet = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_THREADS:
            if (!cli_parse_uint(cmd, "--threads", optarg, 256, &threads)) return CLI_RC_SEVERE;
            break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return CLI_RC_OK;
        default: return cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage_error(cmd, "want exactly one DATASET or MEMBER");
    if (threads == 0) threads = (uint64_t)cbz_parallel_threads(0);
    const char *in = argv[optind];
    if (!cbz_is_directory(in)) return verify_member(in, (int)threads, quiet) ? CLI_RC_OK : CLI_RC_ERROR;

    cbz_error err = { 0 };
    char **names;
    size_t n, problems = 0;
    if (cbz_dataset_members(in, true, &names, &n, &problems, stderr, &err) != CBZ_OK) {
        fprintf(stderr, "cobzip verify: %s: FAILED: %s\n", in, err.msg);
        return CLI_RC_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4352];
        snprintf(path, sizeof path, "%s/%s", in, names[i]);
        if (!verify_member(path, (int)threads, quiet)) problems++;
    }
    cbz_dataset_members_free(names, n);
    if (problems) {
        fprintf(stderr, "cobzip verify: %s: %zu problem%s\n", in, problems, problems == 1 ? "" : "s");
        return CLI_RC_ERROR;
    }
    if (!quiet) printf("%s: OK (%zu member%s, manifests intact)\n", in, n, n == 1 ? "" : "s");
    return CLI_RC_OK;
}
