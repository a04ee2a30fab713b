/*
 * common.c — what every subcommand shares: return codes for statuses, error
 * printing, and parsing of the record and copybook options.
 */
#include "cli.h"

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
