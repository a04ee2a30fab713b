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

/* Parses a non-negative integer option; false (after printing why) when bad. */
bool cli_parse_uint(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *out);

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
