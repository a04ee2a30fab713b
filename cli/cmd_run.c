/*
 * cmd_run.c — `cobzip run JOB.yaml`: reads the site configuration, the
 * environment and the command line, parses the job deck and runs it
 * (src/job_run.c).  Exit status: the job's highest step return code.
 */
#include "cli.h"
#include "config.h"
#include "job.h"

#include <stdlib.h>
#include <string.h>

enum {
    OPT_PARAM = CLI_OPT_FIRST_FREE,
    OPT_RESTART,
    OPT_DRY_RUN,
    OPT_REPORT,
    OPT_FORCE,
    OPT_SHOW_CONFIG,
    OPT_CONFIG,
    OPT_LOCKDIR,
    OPT_CODEPAGE,
    OPT_LEVEL,
    OPT_THREADS,
    OPT_DEVICE,
    OPT_CHUNK_SIZE,
};

static const char usage_text[] =
    "usage: cobzip run JOB.yaml [options]\n"
    "       cobzip run --show-config [JOB.yaml]\n"
    "\n"
    "Runs a JCL-like job deck: each step runs a cobzip program (compress,\n"
    "decompress, verify, convert, encode, delete) on the datasets of its DDs.\n"
    "The job log (stdout) ends with a step table; see docs/JOBS.md.\n"
    "\n"
    "  -p, --param NAME=VALUE   set the symbol ${NAME} (wins over the deck's params:)\n"
    "      --restart STEP       start at STEP; the steps before it are skipped\n"
    "  -n, --dry-run            check deck, copybooks and datasets; run and write nothing\n"
    "      --report FILE.json   write a machine-readable run report\n"
    "      --force              replace an existing report\n"
    "      --lockdir DIR        where JOBNAME.lock is made (default: the deck's directory)\n"
    "      --config FILE        site defaults (default: $COBZIP_CONF, ./conf/cobzip.yaml,\n"
    "                           or conf/cobzip.yaml beside the cobzip build)\n"
    "      --show-config        print the effective settings and where each came from\n"
    "      --codepage CP, --level N, --threads N, --device auto|cpu|gpu, --chunk-size BYTES\n"
    "                           override the site, deck and environment settings\n"
    "  -h, --help               this text\n"
    "\n"
    "Precedence of settings: built-in < conf/cobzip.yaml < job deck < environment\n"
    "(COBZIP_CODEPAGE, COBZIP_LEVEL, COBZIP_THREADS, COBZIP_DEVICE, COBZIP_CHUNK_SIZE)\n"
    "< command line.\n"
    "\n"
    "Return code: the highest step return code (0 ok, 4 warning, 8 error,\n"
    "12 severe: bad deck, dataset exists, job locked; 16 fatal or ABEND).\n";

static void usage(FILE *out) { fputs(usage_text, out); }

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "param", required_argument, NULL, OPT_PARAM },
        { "restart", required_argument, NULL, OPT_RESTART },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "report", required_argument, NULL, OPT_REPORT },
        { "force", no_argument, NULL, OPT_FORCE },
        { "show-config", no_argument, NULL, OPT_SHOW_CONFIG },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "lockdir", required_argument, NULL, OPT_LOCKDIR },
        { "codepage", required_argument, NULL, OPT_CODEPAGE },
        { "level", required_argument, NULL, OPT_LEVEL },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "device", required_argument, NULL, OPT_DEVICE },
        { "chunk-size", required_argument, NULL, OPT_CHUNK_SIZE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cbz_job_param params[64];
    size_t n_params = 0;
    const char *cli_values[CBZ_CFG_COUNT] = { 0 };
    const char *config_path = NULL;
    bool show_config = false;
    cbz_job_run_options ro = { 0 };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "p:nh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
        case OPT_PARAM: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) return cli_usage_error("run", "--param wants NAME=VALUE, not '%s'", optarg);
            if (n_params >= sizeof params / sizeof params[0]) return cli_usage_error("run", "at most 64 --param options");
            *eq = '\0';
            params[n_params++] = (cbz_job_param){ optarg, eq + 1 };
            break;
        }
        case OPT_RESTART: ro.restart = optarg; break;
        case 'n':
        case OPT_DRY_RUN: ro.dry_run = true; break;
        case OPT_REPORT: ro.report_path = optarg; break;
        case OPT_FORCE: ro.force = true; break;
        case OPT_SHOW_CONFIG: show_config = true; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_LOCKDIR: ro.lockdir = optarg; break;
        case OPT_CODEPAGE: cli_values[CBZ_CFG_CODEPAGE] = optarg; break;
        case OPT_LEVEL: cli_values[CBZ_CFG_LEVEL] = optarg; break;
        case OPT_THREADS: cli_values[CBZ_CFG_THREADS] = optarg; break;
        case OPT_DEVICE: cli_values[CBZ_CFG_DEVICE] = optarg; break;
        case OPT_CHUNK_SIZE: cli_values[CBZ_CFG_CHUNK_SIZE] = optarg; break;
        default: return cli_help_or_bad_option("run", opt, usage);
        }
    }
    const char *deck = optind < argc ? argv[optind] : NULL;
    if (optind + 1 < argc) return cli_usage_error("run", "one job deck at a time ('%s' is extra)", argv[optind + 1]);
    if (!deck && !show_config) return cli_usage_error("run", "no job deck given");

    /* Settings: built-in < conf < (deck) < environment < command line. */
    cbz_config cfg;
    cbz_error err = { 0 };
    cbz_config_init(&cfg);
    if (!config_path) config_path = cbz_config_default_path();
    if (config_path && cbz_config_load_file(&cfg, config_path, &err) != CBZ_OK) {
        printf("CBZ0011E SITE CONFIGURATION ERROR: %s\n", err.msg);
        fprintf(stderr, "cobzip run: %s\n", err.msg);
        return CLI_RC_SEVERE;
    }
    if (cbz_config_apply_env(&cfg, &err) != CBZ_OK) {
        printf("CBZ0012E ENVIRONMENT ERROR: %s\n", err.msg);
        fprintf(stderr, "cobzip run: %s\n", err.msg);
        return CLI_RC_SEVERE;
    }
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        if (!cli_values[k]) continue;
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", k == CBZ_CFG_CHUNK_SIZE ? "chunk-size" : cbz_config_key_name((cbz_config_key)k));
        if (cbz_config_set(&cfg, (cbz_config_key)k, cli_values[k], CBZ_SRC_CLI, origin, &err) != CBZ_OK)
            return cli_usage_error("run", "%s", err.msg);
    }

    cbz_job *job = NULL;
    if (deck && cbz_job_parse_file(deck, params, n_params, &job, &err) != CBZ_OK) {
        printf("CBZ0010E JOB DECK ERROR, NOTHING RUN: %s\n", err.msg);
        fprintf(stderr, "cobzip run: %s\n", err.msg);
        return cli_rc_for_status(err.code);
    }
    if (show_config) {
        if (job) {
            for (int k = 0; k < CBZ_CFG_COUNT; k++)
                if (job->defaults[k].source == CBZ_SRC_DECK && cfg.items[k].source < CBZ_SRC_DECK)
                    cfg.items[k] = job->defaults[k];
        }
        if (config_path) printf("# site configuration: %s\n", config_path);
        else printf("# site configuration: none found\n");
        cbz_config_print(&cfg, stdout);
        cbz_job_free(job);
        return CLI_RC_OK;
    }
    ro.config = &cfg;
    int rc = 0;
    cbz_status st = cbz_job_run(job, &ro, &rc, &err);
    if (st != CBZ_OK) fprintf(stderr, "cobzip run: %s\n", err.msg);
    cbz_job_free(job);
    return rc;
}
