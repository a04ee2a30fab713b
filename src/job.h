/*
 * job.h — JCL-like job decks: the parsed job (steps, DDs, dispositions,
 * conditions), the condition language, and the runner.
 *
 *   job_parse.c  deck (YAML) -> cbz_job: ${name} substitution, validation,
 *                every error with the deck's line:column
 *   job_cond.c   IF expressions (RC, STEP.RC, ABEND, comparisons, AND/OR/NOT)
 *                and JCL COND= tests with their inverted "bypass" meaning
 *   job_run.c    running the steps (child cobzip processes), DISP, lock file,
 *                restart, dry-run, job log and JSON report
 *
 * docs/JOBS.md is the user-facing description of all of this.
 */
#ifndef CBZ_JOB_H
#define CBZ_JOB_H

#include "cobzip.h"
#include "config.h"

#include <time.h>

#define CBZ_JOB_NAME_MAX 33      /* job and step names: 1..32 characters */

/* ------------------------------------------------------------------------
 * Conditions.
 * ---------------------------------------------------------------------- */
typedef enum cbz_cmp { CBZ_CMP_EQ, CBZ_CMP_NE, CBZ_CMP_GT, CBZ_CMP_GE, CBZ_CMP_LT, CBZ_CMP_LE } cbz_cmp;

typedef struct cbz_cond cbz_cond;          /* an IF expression (opaque) */

/* What a condition can see of an earlier step. */
typedef enum cbz_step_state {
    CBZ_STEP_PENDING = 0,   /* not reached yet                                  */
    CBZ_STEP_RAN,           /* ran to its end: rc is valid                      */
    CBZ_STEP_ABEND,         /* killed by a signal: signal is valid, no rc       */
    CBZ_STEP_BYPASSED,      /* its condition said not to run it: no rc          */
    CBZ_STEP_FLUSHED,       /* not run because an earlier step abended          */
    CBZ_STEP_SKIPPED        /* before the --restart step: not run this time     */
} cbz_step_state;

typedef struct cbz_cond_step {
    const char *name;
    cbz_step_state state;
    int rc;
} cbz_cond_step;

/* The steps before the one being decided, in deck order. */
typedef struct cbz_cond_ctx {
    const cbz_cond_step *steps;
    size_t n_steps;
} cbz_cond_ctx;

/* Parses an IF expression.  Grammar (keywords case-insensitive):
 *   expr   := or
 *   or     := and { (OR | '|') and }
 *   and    := not { (AND | '&') not }
 *   not    := (NOT | '!' | '¬') not | '(' expr ')' | rel
 *   rel    := term [ op NUMBER ] ;  op := = == EQ <> != NE > GT >= GE < LT <= LE
 *   term   := RC | ABEND | STEP.RC | STEP.ABEND | STEP.RUN | TRUE | FALSE
 * A bare term other than ABEND/STEP.ABEND/STEP.RUN/TRUE/FALSE needs a comparison.
 * known_steps (n_known) are the step names allowed in STEP.x (the earlier steps);
 * an error names the character position (1-based) in the text. */
cbz_status cbz_cond_parse(const char *text, const char *const *known_steps, size_t n_known,
                          cbz_cond **out, size_t *err_pos, cbz_error *err);
void cbz_cond_free(cbz_cond *c);
/* JCL IF/THEN semantics:
 *  - RC is the highest rc of the steps that ran (0 when none ran);
 *  - STEP.RC op N is false when STEP did not run to its end;
 *  - ABEND is true when any earlier step abended; STEP.ABEND likewise for one;
 *  - STEP.RUN is true when STEP ran (to its end or to an abend). */
bool cbz_cond_eval(const cbz_cond *c, const cbz_cond_ctx *ctx);
/* True when the expression tests ABEND (such a step may run after an abend). */
bool cbz_cond_mentions_abend(const cbz_cond *c);

/* JCL COND=: a list of up to 8 tests "(code,op[,step])" plus EVEN or ONLY.
 * The step is BYPASSED when any test is TRUE, where a test is
 * `code op RC` for the named step, or for every earlier step that ran. */
#define CBZ_JCL_COND_MAX 8
typedef struct cbz_jcl_cond {
    size_t n_tests;
    struct {
        int code;               /* 0..4095 */
        cbz_cmp op;
        char step[CBZ_JOB_NAME_MAX]; /* "" = every earlier step */
    } tests[CBZ_JCL_COND_MAX];
    bool even;                  /* run even if an earlier step abended */
    bool only;                  /* run only if an earlier step abended */
} cbz_jcl_cond;

/* Parses "(4,LT)", "((4,LT),(8,EQ,STEP010),EVEN)", "EVEN", "ONLY" (spaces allowed). */
cbz_status cbz_jcl_cond_parse(const char *text, const char *const *known_steps, size_t n_known,
                              cbz_jcl_cond *out, size_t *err_pos, cbz_error *err);
/* True when COND= says to bypass the step (abend rules excluded: see EVEN/ONLY). */
bool cbz_jcl_cond_bypass(const cbz_jcl_cond *c, const cbz_cond_ctx *ctx);

const char *cbz_cmp_name(cbz_cmp op);   /* "EQ", "NE", ... */
bool cbz_cmp_apply(int left, cbz_cmp op, int right);

/* ------------------------------------------------------------------------
 * The parsed job.
 * ---------------------------------------------------------------------- */
typedef enum cbz_pgm {
    CBZ_PGM_COMPRESS = 0,
    CBZ_PGM_DECOMPRESS,
    CBZ_PGM_VERIFY,
    CBZ_PGM_CONVERT,
    CBZ_PGM_ENCODE,
    CBZ_PGM_DELETE,
    CBZ_PGM_COUNT
} cbz_pgm;
const char *cbz_pgm_name(cbz_pgm p);

typedef enum cbz_disp_status { CBZ_DISP_NONE = 0, CBZ_DISP_NEW, CBZ_DISP_OLD, CBZ_DISP_SHR, CBZ_DISP_MOD } cbz_disp_status;
typedef enum cbz_disp_end { CBZ_DISP_KEEP = 0, CBZ_DISP_CATLG, CBZ_DISP_DELETE } cbz_disp_end;
const char *cbz_disp_status_name(cbz_disp_status s);
const char *cbz_disp_end_name(cbz_disp_end e);

typedef struct cbz_job_dd {
    char name[16];             /* SYSUT1, SYSUT2, COPYBOOK, SYSLIB, SYSPRINT, REJECTS */
    char **dsn;                /* one or more paths (after substitution) */
    size_t n_dsn;
    char *recfm;               /* SYSUT1: F/FB/V/VB, or NULL */
    uint32_t lrecl;            /* 0 = not given */
    cbz_disp_status status;    /* filled with the DD's default when not written */
    cbz_disp_end normal;
    cbz_disp_end abnormal;
    int line, column;
} cbz_job_dd;

typedef struct cbz_job_parm {
    char *key;                 /* as written (level, max_errors, ...) */
    char **values;             /* a list gives a repeated option */
    size_t n_values;
    bool is_flag;              /* true/false scalar: option without argument */
    bool flag_on;
    int line, column;
} cbz_job_parm;

typedef struct cbz_job_step {
    char name[CBZ_JOB_NAME_MAX];
    cbz_pgm pgm;
    cbz_job_parm *parms;
    size_t n_parms;
    cbz_job_dd *dds;
    size_t n_dds;
    cbz_cond *if_cond;         /* NULL when no if: */
    char *if_text;
    bool has_jcl_cond;
    cbz_jcl_cond jcl_cond;
    char *cond_text;
    int line, column;
} cbz_job_step;

typedef struct cbz_job {
    char name[CBZ_JOB_NAME_MAX];
    char *deck_path;
    char *deck_dir;
    cbz_config_item defaults[CBZ_CFG_COUNT]; /* deck `defaults:` (source DECK when set) */
    cbz_job_step *steps;
    size_t n_steps;
} cbz_job;

/* A --param name=value override (wins over the deck's params:). */
typedef struct cbz_job_param {
    const char *name;
    const char *value;
} cbz_job_param;

cbz_status cbz_job_parse_file(const char *path, const cbz_job_param *overrides, size_t n_overrides,
                              cbz_job **out, cbz_error *err);
cbz_status cbz_job_parse_text(const char *text, size_t len, const char *name,
                              const cbz_job_param *overrides, size_t n_overrides, cbz_job **out,
                              cbz_error *err);
void cbz_job_free(cbz_job *job);
const cbz_job_dd *cbz_job_step_dd(const cbz_job_step *s, const char *ddname);
const cbz_job_parm *cbz_job_step_parm(const cbz_job_step *s, const char *key);
/* Index of a step by name, -1 when none. */
int cbz_job_find_step(const cbz_job *job, const char *name);

/* Replaces ${name} in text from the (name, value) pairs; "$${" gives "${".
 * CBZ_ERR_JOB "...unknown symbol" naming the position when a name is unknown. */
cbz_status cbz_job_substitute(const char *text, const cbz_job_param *params, size_t n_params,
                              char **out, size_t *err_pos, cbz_error *err);

/* ------------------------------------------------------------------------
 * Running.
 * ---------------------------------------------------------------------- */
typedef struct cbz_job_run_options {
    const char *exe;           /* program run for the steps; NULL = /proc/self/exe */
    const char *restart;       /* step name or NULL */
    bool dry_run;
    const char *report_path;   /* JSON report, or NULL */
    bool force;                /* replace an existing report */
    const char *lockdir;       /* NULL = the deck's directory */
    const cbz_config *config;  /* conf + environment + command line; NULL = built-ins */
    FILE *log;                 /* job log; NULL = stdout */
} cbz_job_run_options;

/* Runs the job; *max_rc gets the job's return code (highest step rc; 12 for a
 * lock held or a dry-run that found problems; 16 when a step could not be
 * started at all).  Returns non-OK only for failures outside any step (lock,
 * report), after logging them. */
cbz_status cbz_job_run(const cbz_job *job, const cbz_job_run_options *opt, int *max_rc,
                       cbz_error *err);

#endif
