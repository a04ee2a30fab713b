/*
 * common.c — what every subcommand shares: return codes for statuses, error
 * printing, and parsing of the record and copybook options; and the steps
 * convert and encode share (their options, operand checks, outputs, reject
 * report and summary line); and what the commands that read datasets share
 * (the end of the option switch, the one operand, --threads and -q, the walk
 * over a dataset's members).
 */
#include "cli.h"
#include "container.h"
#include "parallel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cli_rc_for_status(cbz_status s)
{
    switch (s) {
    case CBZ_OK: return CLI_RC_OK;
    case CBZ_ERR_USAGE:
    case CBZ_ERR_COPYBOOK:
    case CBZ_ERR_JOB:
    case CBZ_ERR_EXISTS:
    case CBZ_ERR_UNSUPPORTED: return CLI_RC_SEVERE;
    case CBZ_ERR_DATA:
    case CBZ_ERR_VALUE:
    case CBZ_ERR_LIMIT:
    case CBZ_ERR_FORMAT:
    case CBZ_ERR_CHECKSUM: return CLI_RC_ERROR;
    case CBZ_ERR_IO:
    case CBZ_ERR_NOMEM:
    case CBZ_ERR_DEVICE: return CLI_RC_FATAL;
    }
    return CLI_RC_FATAL;
}

int cli_report_error(const char *cmd, const cbz_error *err)
{
    fprintf(stderr, "cobzip %s: %s\n", cmd, err->msg[0] ? err->msg : cbz_status_name(err->code));
    return cli_rc_for_status(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cobzip %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'cobzip %s --help')\n", cmd);
    va_end(ap);
    return CLI_RC_SEVERE;
}

bool cli_stderr_is_tty(void) { return isatty(STDERR_FILENO) == 1; }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

bool cli_text_format(const char *cmd, const char *format, const char *path, cbz_text_format *out)
{
    *out = CBZ_TEXT_CSV;
    if (format) {
        if (strcasecmp(format, "csv") == 0) *out = CBZ_TEXT_CSV;
        else if (strcasecmp(format, "jsonl") == 0 || strcasecmp(format, "json") == 0) *out = CBZ_TEXT_JSONL;
        else {
            cli_usage_error(cmd, "--format wants csv or jsonl, not '%s'", format);
            return false;
        }
    } else if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json")) {
        *out = CBZ_TEXT_JSONL;
    }
    return true;
}

int cli_close_rejects(const char *cmd, cbz_reject_report *rr, int rc, char *file, size_t cap)
{
    const char *name = cbz_reject_report_file(rr);
    snprintf(file, cap, "%s", name ? name : "");
    cbz_error err = { 0 };
    if (cbz_reject_report_close(rr, &err) != CBZ_OK) {
        int close_rc = cli_report_error(cmd, &err);
        if (close_rc > rc) rc = close_rc;
    }
    return rc;
}

bool cli_parse_uint(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v > max) {
        fprintf(stderr, "cobzip %s: %s wants a whole number from 0 to %llu, not '%s'\n", cmd, opt,
                (unsigned long long)max, arg);
        return false;
    }
    *out = v;
    return true;
}

int cli_help_or_bad_option(const char *cmd, int opt, void (*usage)(FILE *out))
{
    if (opt == 'h') {
        usage(stdout);
        return CLI_RC_OK;
    }
    return cli_usage_error(cmd, "unknown option");
}

const char *cli_one_operand(const char *cmd, int argc, char **argv, const char *what)
{
    if (optind != argc - 1) {
        cli_usage_error(cmd, "want exactly one %s", what);
        return NULL;
    }
    return argv[optind];
}

void cli_thread_opts_init(cli_thread_opts *t) { memset(t, 0, sizeof *t); }

int cli_thread_opts_parse(cli_thread_opts *t, int opt, const char *arg, const char *cmd)
{
    switch (opt) {
    case CLI_OPT_THREADS: return cli_parse_uint(cmd, "--threads", arg, 256, &t->threads) ? 1 : -1;
    case 'q': t->quiet = true; return 1;
    }
    return 0;
}

int cli_thread_count(const cli_thread_opts *t)
{
    return cbz_parallel_threads((int)t->threads);
}

cbz_status cli_visit_members(const char *dataset, bool check_hashes, cli_member_visit visit, void *ctx, size_t *n,
                             size_t *problems, cbz_error *err)
{
    char **names;
    *n = 0;
    *problems = 0;
    CBZ_TRY(cbz_dataset_members(dataset, check_hashes, &names, n, problems, stderr, err));
    for (size_t i = 0; i < *n; i++) {
        char path[4352];
        snprintf(path, sizeof path, "%s/%s", dataset, names[i]);
        if (!visit(path, i, ctx)) (*problems)++;
    }
    cbz_dataset_members_free(names, *n);
    return CBZ_OK;
}

void cli_record_opts_init(cli_record_opts *o)
{
    memset(o, 0, sizeof *o);
    o->codepage_name = "cp037";
    o->fmt.recfm = CBZ_RECFM_F;
    o->float_format = CBZ_FLOAT_IBM_HEX;
}

int cli_record_opts_parse(cli_record_opts *o, int opt, const char *arg, const char *cmd)
{
    cbz_error err = { 0 };
    uint64_t v;
    switch (opt) {
    case 'c': o->copybook = arg; return 1;
    case 'I':
        if (o->n_include_dirs >= sizeof o->include_dirs / sizeof o->include_dirs[0]) {
            fprintf(stderr, "cobzip %s: too many -I directories (at most 32)\n", cmd);
            return -1;
        }
        o->include_dirs[o->n_include_dirs++] = arg;
        return 1;
    case CLI_OPT_CODEPAGE: o->codepage_name = arg; return 1;
    case CLI_OPT_RECFM:
        if (cbz_recfm_parse(arg, &o->fmt.recfm, &err) != CBZ_OK) {
            fprintf(stderr, "cobzip %s: %s\n", cmd, err.msg);
            return -1;
        }
        return 1;
    case CLI_OPT_LRECL:
        if (!cli_parse_uint(cmd, "--lrecl", arg, 1u << 30, &v) || v == 0) {
            if (v == 0) fprintf(stderr, "cobzip %s: --lrecl must be at least 1\n", cmd);
            return -1;
        }
        o->fmt.lrecl = (uint32_t)v;
        o->lrecl_given = true;
        return 1;
    case CLI_OPT_RDW:
        if (strcasecmp(arg, "be") == 0 || strcasecmp(arg, "big") == 0) o->fmt.rdw_little_endian = false;
        else if (strcasecmp(arg, "le") == 0 || strcasecmp(arg, "little") == 0) o->fmt.rdw_little_endian = true;
        else {
            fprintf(stderr, "cobzip %s: --rdw wants be or le, not '%s'\n", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_RDW_LENGTH:
        if (strcasecmp(arg, "total") == 0) o->fmt.rdw_payload_only = false;
        else if (strcasecmp(arg, "payload") == 0) o->fmt.rdw_payload_only = true;
        else {
            fprintf(stderr, "cobzip %s: --rdw-length wants total or payload, not '%s'\n", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_LENIENT: o->lenient = true; return 1;
    case CLI_OPT_TRUNC:
        if (strcasecmp(arg, "std") == 0 || strcasecmp(arg, "opt") == 0) o->trunc_bin = false;
        else if (strcasecmp(arg, "bin") == 0) o->trunc_bin = true;
        else {
            fprintf(stderr, "cobzip %s: --trunc wants std or bin, not '%s'\n", cmd, arg);
            return -1;
        }
        return 1;
    case CLI_OPT_FLOAT:
        if (strcasecmp(arg, "ibm") == 0) o->float_format = CBZ_FLOAT_IBM_HEX;
        else if (strcasecmp(arg, "ieee") == 0) o->float_format = CBZ_FLOAT_IEEE;
        else {
            fprintf(stderr, "cobzip %s: --float wants ibm or ieee, not '%s'\n", cmd, arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

cbz_status cli_record_opts_load(cli_record_opts *o, cbz_layout **layout, cbz_error *err)
{
    *layout = NULL;
    if (!o->copybook) return CBZ_OK;
    cbz_copybook_options copt = { o->include_dirs, o->n_include_dirs, CBZ_FORMAT_AUTO };
    cbz_status s = cbz_copybook_compile_file(o->copybook, &copt, layout, err);
    if (s != CBZ_OK) return s;
    /* V/VB records may be longer than the copybook: no limit unless given. */
    if (!o->lrecl_given && (o->fmt.recfm == CBZ_RECFM_F || o->fmt.recfm == CBZ_RECFM_FB))
        o->fmt.lrecl = (*layout)->record_size;
    return CBZ_OK;
}

const cbz_codepage *cli_record_opts_codepage(const cli_record_opts *o, const char *cmd)
{
    const cbz_codepage *cp = cbz_codepage_find(o->codepage_name);
    if (!cp) {
        fprintf(stderr, "cobzip %s: unknown code page '%s'; known:", cmd, o->codepage_name);
        for (const char *const *n = cbz_codepage_names(); *n; n++) fprintf(stderr, " %s", *n);
        fprintf(stderr, "\n");
    }
    return cp;
}

void cli_text_opts_init(cli_text_opts *t)
{
    memset(t, 0, sizeof *t);
    t->max_errors = 100;
}

int cli_text_opts_parse(cli_text_opts *t, int opt, const char *arg, const char *cmd)
{
    switch (opt) {
    case 'o': t->output = arg; return 1;
    case CLI_OPT_FORCE: t->force = true; return 1;
    case CLI_OPT_FORMAT: t->format = arg; return 1;
    case CLI_OPT_MAX_ERRORS:
        return cli_parse_uint(cmd, "--max-errors", arg, UINT64_MAX, &t->max_errors) ? 1 : -1;
    case CLI_OPT_REJECTS: t->rejects_path = arg; return 1;
    case CLI_OPT_VARIABLE_OCCURS: t->variable_occurs = true; return 1;
    case CLI_OPT_OCCURS_MAP:
        if (t->n_occurs_maps == CLI_MAX_OCCURS_MAPS) {
            cli_usage_error(cmd, "at most %d --occurs-map options", CLI_MAX_OCCURS_MAPS);
            return -1;
        }
        t->occurs_maps[t->n_occurs_maps++] = arg;
        return 1;
    case 'q': t->quiet = true; return 1;
    }
    return 0;
}

const char *cli_text_opts_validate(const cli_text_opts *t, const cli_record_opts *ro, int argc, char **argv,
                                   const char *cmd)
{
    if (!ro->copybook) {
        cli_usage_error(cmd, "a copybook is needed (-c FILE)");
        return NULL;
    }
    if (optind != argc - 1) {
        cli_usage_error(cmd, "exactly one INPUT is needed (a file, or - for stdin)");
        return NULL;
    }
    if (!t->output) {
        cli_usage_error(cmd, "an output is needed (-o FILE, or -o - for stdout)");
        return NULL;
    }
    if (t->variable_occurs && ro->fmt.recfm != CBZ_RECFM_F && ro->fmt.recfm != CBZ_RECFM_FB) {
        cli_usage_error(cmd, "--variable-occurs is for RECFM F/FB files (records without RDW)");
        return NULL;
    }
    return argv[optind];
}

int cli_record_opts_load_with_codepage(cli_record_opts *ro, const char *cmd, cbz_layout **layout,
                                       const cbz_codepage **cp)
{
    cbz_error err = { 0 };
    *cp = NULL;
    if (cli_record_opts_load(ro, layout, &err) != CBZ_OK) return cli_report_error(cmd, &err);
    *cp = cli_record_opts_codepage(ro, cmd);
    if (!*cp) {
        cbz_layout_free(*layout);
        *layout = NULL;
        return CLI_RC_SEVERE;
    }
    return CLI_RC_OK;
}

cbz_status cli_text_open_outputs(const cli_text_opts *t, cbz_outfile **of, cbz_reject_report **rr, cbz_error *err)
{
    *of = NULL;
    *rr = NULL;
    /* The report copies its file name, so the default one lives here only. */
    char *default_rejects = NULL;
    if (!t->rejects_path && strcmp(t->output, "-") != 0) {
        size_t n = strlen(t->output) + sizeof ".rejects";
        if (!(default_rejects = malloc(n))) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        snprintf(default_rejects, n, "%s.rejects", t->output);
    }
    cbz_status s = cbz_outfile_open(t->output, t->force, of, err);
    if (s == CBZ_OK)
        s = cbz_reject_report_new(t->rejects_path ? t->rejects_path : default_rejects, t->force,
                                  t->rejects_path != NULL, rr, err);
    free(default_rejects);
    if (s != CBZ_OK) {
        cbz_outfile_abort(*of);
        *of = NULL;
        *rr = NULL;
    }
    return s;
}

void cli_text_convert_options(cbz_convert_options *co, const cli_record_opts *ro, const cli_text_opts *t,
                              const cbz_layout *layout, const cbz_codepage *cp, cbz_text_format tf,
                              cbz_reject_report *rr)
{
    memset(co, 0, sizeof *co);
    co->layout = layout;
    co->fmt = ro->fmt;
    co->values.codepage = cp;
    co->values.trim = CBZ_TRIM_RIGHT;
    co->values.float_format = ro->float_format;
    co->values.lenient = ro->lenient;
    co->values.trunc_bin = ro->trunc_bin;
    co->format = tf;
    co->max_errors = t->max_errors;
    co->variable_occurs = t->variable_occurs;
    co->occurs_maps = t->occurs_maps;
    co->n_occurs_maps = t->n_occurs_maps;
    co->on_reject = cbz_reject_report_add;
    co->reject_ctx = rr;
}

int cli_text_finish(const char *cmd, const cli_text_opts *t, cbz_status s, cbz_outfile *of, cbz_reject_report *rr,
                    const cbz_convert_stats *st, const char *item, const char *written, cbz_error *err)
{
    if (s == CBZ_OK) s = cbz_outfile_commit(of, err);
    else cbz_outfile_abort(of);
    int rc = s == CBZ_OK ? (st->rejects ? CLI_RC_WARN : CLI_RC_OK) : cli_report_error(cmd, err);
    char rej_file[1024];
    rc = cli_close_rejects(cmd, rr, rc, rej_file, sizeof rej_file);
    if (!t->quiet)
        fprintf(stderr, "cobzip %s: %llu %s read, %llu %s, %llu values rejected in %llu %s%s%s%s\n", cmd,
                (unsigned long long)st->records_read, item,
                (unsigned long long)(s == CBZ_OK ? st->records_written : 0), written,
                (unsigned long long)st->rejects, (unsigned long long)st->records_with_rejects, item,
                rej_file[0] ? " (see " : "", rej_file, rej_file[0] ? ")" : "");
    return rc;
}
