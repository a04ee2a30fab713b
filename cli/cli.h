/*
 * cli.h — what the subcommand files share: the command signature, exit codes,
 * messages, and the record/copybook options every data command accepts.
 *
 * Exit codes (mainframe return codes, also used by `cobzip run`):
 *   0  OK
 *   4  warning: the job finished; some values were rejected (see the report)
 *   8  error: bad data, corrupt archive, verify mismatch, --max-errors passed
 *  12  severe: bad usage, broken copybook or job deck, output exists
 *  16  fatal: I/O failure, out of memory, GPU required but not usable
 */
#ifndef CBZ_CLI_H
#define CBZ_CLI_H

#include "cobzip.h"
#include "convert.h"
#include "outfile.h"

#include <getopt.h>

enum { CLI_RC_OK = 0, CLI_RC_WARN = 4, CLI_RC_ERROR = 8, CLI_RC_SEVERE = 12, CLI_RC_FATAL = 16 };

typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_command_fn run;
    const char *summary;
} cli_command;

/* The command table (main.c). */
extern const cli_command cli_commands[];
const cli_command *cli_find_command(const char *name);

/* Return code for a library status. */
int cli_rc_for_status(cbz_status s);
/* "cobzip <cmd>: <message>" on stderr; returns the return code for err->code. */
int cli_report_error(const char *cmd, const cbz_error *err);
/* Prints "cobzip <cmd>: ..." on stderr and returns CLI_RC_SEVERE (usage errors). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when stderr is a terminal (progress lines are shown only then). */
bool cli_stderr_is_tty(void);

/* Options shared by the commands that read records with a copybook. */
typedef struct cli_record_opts {
    const char *copybook;
    const char *include_dirs[32];
    size_t n_include_dirs;
    const char *codepage_name;      /* default cp037 */
    cbz_record_format fmt;          /* default F, lrecl from the copybook */
    bool lrecl_given;
    cbz_float_format float_format;  /* --float ibm|ieee */
    bool lenient;                   /* --lenient */
    bool trunc_bin;                 /* --trunc bin */
} cli_record_opts;

/* Long-option ids for the shared record options (above any short option). */
enum {
    CLI_OPT_CODEPAGE = 1000,
    CLI_OPT_RECFM,
    CLI_OPT_LRECL,
    CLI_OPT_RDW,
    CLI_OPT_RDW_LENGTH,
    CLI_OPT_FLOAT,
    CLI_OPT_LENIENT,
    CLI_OPT_TRUNC,
    /* the options of convert and encode (cli_text_opts below) */
    CLI_OPT_FORCE,
    CLI_OPT_FORMAT,
    CLI_OPT_MAX_ERRORS,
    CLI_OPT_REJECTS,
    CLI_OPT_VARIABLE_OCCURS,
    CLI_OPT_OCCURS_MAP,
    /* the options of compress, decompress and verify (cli_thread_opts below) */
    CLI_OPT_THREADS,
    CLI_OPT_FIRST_FREE = 1100 /* subcommands number their own long options from here */
};

#define CLI_RECORD_LONG_OPTIONS                                   \
    { "copybook", required_argument, NULL, 'c' },                 \
    { "include", required_argument, NULL, 'I' },                  \
    { "codepage", required_argument, NULL, CLI_OPT_CODEPAGE },    \
    { "recfm", required_argument, NULL, CLI_OPT_RECFM },          \
    { "lrecl", required_argument, NULL, CLI_OPT_LRECL },          \
    { "rdw", required_argument, NULL, CLI_OPT_RDW },              \
    { "rdw-length", required_argument, NULL, CLI_OPT_RDW_LENGTH },\
    { "float", required_argument, NULL, CLI_OPT_FLOAT },          \
    { "lenient", no_argument, NULL, CLI_OPT_LENIENT },            \
    { "trunc", required_argument, NULL, CLI_OPT_TRUNC }

/* Short options of the shared set, for getopt's optstring. */
#define CLI_RECORD_SHORT_OPTIONS "c:I:"

#define CLI_RECORD_OPTIONS_HELP                                                         \
    "  -c, --copybook FILE   COBOL copybook describing the records\n"                     \
    "  -I, --include DIR     search DIR for COPY members (repeatable)\n"                   \
    "      --codepage CP     cp037 (default), cp273, cp277, cp278, cp280, cp284, cp285,\n" \
    "                        cp297, cp500, cp871, cp875, cp1047, cp1140-cp1149, ascii,\n"   \
    "                        latin1\n"                                                      \
    "      --recfm F|FB|V|VB record format (default F)\n"                                   \
    "      --lrecl N         record length (default: from the copybook)\n"                  \
    "      --rdw be|le       RDW/BDW byte order (default be, as z/OS writes it)\n"          \
    "      --rdw-length total|payload\n"                                                    \
    "                        whether the RDW length counts its 4 bytes (default total)\n"  \
    "      --float ibm|ieee  COMP-1/COMP-2 format (default ibm hex float)\n"                \
    "      --trunc std|bin   COMP/BINARY range: std (default) limits values to the PIC's\n"  \
    "                        digits, bin allows the full binary range (IBM TRUNC(BIN))\n"  \
    "      --lenient         also read looser forms other tools write (spaces around\n"    \
    "                        DISPLAY digits, '+' in a '-' edited position); such values\n"\
    "                        do not encode back to the same bytes\n"

void cli_record_opts_init(cli_record_opts *o);
/* Handles one shared option; returns 1 if handled, 0 if not a shared option,
 * -1 (after printing why) when its argument is bad. */
int cli_record_opts_parse(cli_record_opts *o, int opt, const char *arg, const char *cmd);
/* Compiles o->copybook (when given) and fills in lrecl from it unless given. */
cbz_status cli_record_opts_load(cli_record_opts *o, cbz_layout **layout, cbz_error *err);
/* Resolves the code page name; NULL (after printing why) if unknown. */
const cbz_codepage *cli_record_opts_codepage(const cli_record_opts *o, const char *cmd);

/* The text format of convert's output or encode's input: --format when
 * given (csv, jsonl/json), else from the file name's extension (.jsonl,
 * .ndjson, .json), else CSV.  false (after printing why) when --format is bad. */
bool cli_text_format(const char *cmd, const char *format, const char *path, cbz_text_format *out);

/* Closes the reject report of convert/encode: copies its file name into
 * file (empty when no file was written) and returns rc, raised to the return
 * code of the failure when closing fails (after reporting it). */
int cli_close_rejects(const char *cmd, cbz_reject_report *rr, int rc, char *file, size_t cap);

/* The options convert and encode share besides the record options: the
 * output, how to write it, and the reject report.  Each command parses them
 * with cli_text_opts_parse, then checks its operands with
 * cli_text_opts_validate. */
#define CLI_MAX_OCCURS_MAPS 64
typedef struct cli_text_opts {
    const char *output;        /* -o: a file, or - for stdout (required) */
    const char *format;        /* --format; NULL: from the text file's name */
    const char *rejects_path;  /* --rejects; NULL: OUTPUT.rejects when there are rejects */
    bool force;                /* --force */
    bool quiet;                /* -q */
    bool variable_occurs;      /* --variable-occurs */
    uint64_t max_errors;       /* --max-errors (default 100) */
    const char *occurs_maps[CLI_MAX_OCCURS_MAPS]; /* --occurs-map (repeatable) */
    size_t n_occurs_maps;
} cli_text_opts;

#define CLI_TEXT_LONG_OPTIONS                                                \
    { "output", required_argument, NULL, 'o' },                              \
    { "force", no_argument, NULL, CLI_OPT_FORCE },                           \
    { "format", required_argument, NULL, CLI_OPT_FORMAT },                   \
    { "max-errors", required_argument, NULL, CLI_OPT_MAX_ERRORS },           \
    { "rejects", required_argument, NULL, CLI_OPT_REJECTS },                 \
    { "variable-occurs", no_argument, NULL, CLI_OPT_VARIABLE_OCCURS },       \
    { "occurs-map", required_argument, NULL, CLI_OPT_OCCURS_MAP },           \
    { "quiet", no_argument, NULL, 'q' }

/* Short options of that set, for getopt's optstring. */
#define CLI_TEXT_SHORT_OPTIONS "o:q"

void cli_text_opts_init(cli_text_opts *t);
/* Handles one option of the set; returns 1 if handled, 0 if not one of the
 * set, -1 (after printing why) when its argument is bad. */
int cli_text_opts_parse(cli_text_opts *t, int opt, const char *arg, const char *cmd);
/* After parsing: checks what convert and encode both require, in this order:
 * a copybook, exactly one INPUT operand (argv[optind]), an output, and
 * --variable-occurs only with RECFM F/FB.  Returns INPUT, or NULL after
 * printing the usage error (the command then returns CLI_RC_SEVERE). */
const char *cli_text_opts_validate(const cli_text_opts *t, const cli_record_opts *ro, int argc, char **argv,
                                   const char *cmd);
/* Compiles the copybook of ro, then resolves its code page.  Returns
 * CLI_RC_OK with *layout and *cp set, or (after printing why) the return code,
 * with nothing left to free. */
int cli_record_opts_load_with_codepage(cli_record_opts *ro, const char *cmd, cbz_layout **layout,
                                       const cbz_codepage **cp);
/* Opens the output of convert/encode (refused when it exists, unless
 * --force), then the reject report: the --rejects file (created now), else
 * OUTPUT.rejects (created at the first reject), else, for -o -, stderr.  On
 * failure nothing is left open. */
cbz_status cli_text_open_outputs(const cli_text_opts *t, cbz_outfile **of, cbz_reject_report **rr, cbz_error *err);
/* Sets every member of *co (zeroed first) that convert and encode fill in
 * alike: layout, record format, code page, trim right, float format,
 * --lenient, --trunc, text format, --max-errors, --variable-occurs,
 * --occurs-map and the reject report rr. */
void cli_text_convert_options(cbz_convert_options *co, const cli_record_opts *ro, const cli_text_opts *t,
                              const cbz_layout *layout, const cbz_codepage *cp, cbz_text_format tf,
                              cbz_reject_report *rr);
/* The end of convert/encode once the engine returned s: commits the output
 * (s is CBZ_OK) or removes it, closes the reject report and, unless -q, prints
 * "cobzip CMD: N <item> read, N <written>, N values rejected in N <item>
 * (see REJECTS)" on stderr.  Returns 0, 4 when values were rejected, or the
 * return code of the failure (reported on stderr). */
int cli_text_finish(const char *cmd, const cli_text_opts *t, cbz_status s, cbz_outfile *of, cbz_reject_report *rr,
                    const cbz_convert_stats *st, const char *item, const char *written, cbz_error *err);

/* Parses a non-negative integer option; false (after printing why) when bad. */
bool cli_parse_uint(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *out);

/* The last cases of every command's option switch: -h prints usage on
 * stdout and returns CLI_RC_OK; any other option is unknown (usage error,
 * CLI_RC_SEVERE). */
int cli_help_or_bad_option(const char *cmd, int opt, void (*usage)(FILE *out));
/* The one operand of a command (argv[optind] after getopt); NULL, after the
 * usage error "want exactly one WHAT", when there are none or several. */
const char *cli_one_operand(const char *cmd, int argc, char **argv, const char *what);

/* The options of the commands that run members on threads (compress, decompress,
 * verify): --threads N (0..256; 0, the default, is every core) and -q. */
typedef struct cli_thread_opts {
    uint64_t threads; /* --threads; 0: all cores */
    bool quiet;       /* -q */
} cli_thread_opts;

#define CLI_THREAD_LONG_OPTIONS                               \
    { "threads", required_argument, NULL, CLI_OPT_THREADS },  \
    { "quiet", no_argument, NULL, 'q' }

/* Short options of that set, for getopt's optstring. */
#define CLI_THREAD_SHORT_OPTIONS "q"

void cli_thread_opts_init(cli_thread_opts *t);
/* Handles one option of the set; returns 1 if handled, 0 if not one of the
 * set, -1 (after printing why) when its argument is bad. */
int cli_thread_opts_parse(cli_thread_opts *t, int opt, const char *arg, const char *cmd);
/* The number of threads to run: --threads when given, else every core. */
int cli_thread_count(const cli_thread_opts *t);

/* Calls visit(path, index, ctx) for each member of the dataset directory
 * DATASET, in manifest order, with path DATASET/NAME.cobz, and goes on
 * whatever visit returns.  *n is the number of members; *problems counts the
 * listing's problems (each printed on stderr; with check_hashes the manifests
 * are checked) and the members visit returned false for.  When the listing
 * fails, nothing is visited and its status is returned (err set). */
typedef bool (*cli_member_visit)(const char *path, size_t index, void *ctx);
cbz_status cli_visit_members(const char *dataset, bool check_hashes, cli_member_visit visit, void *ctx, size_t *n,
                             size_t *problems, cbz_error *err);

/* Subcommands (one file each: cli/cmd_<name>.c). */
int cmd_layout(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_compress(int argc, char **argv);
int cmd_decompress(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
