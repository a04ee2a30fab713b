/*
 * main.c — the command table and dispatch (in the manner of git.c): one entry
 * per subcommand, each implemented in its own cli/cmd_<name>.c.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const cli_command cli_commands[] = {
    { "layout", cmd_layout, "compile a copybook and print the record layout" },
    { "convert", cmd_convert, "records to CSV or JSON Lines" },
    { "encode", cmd_encode, "CSV or JSON Lines back to records" },
    { "compress", cmd_compress, "compress record files into a dataset directory" },
    { "decompress", cmd_decompress, "restore the original files from a dataset or member" },
    { "verify", cmd_verify, "check manifests and checksums, decode and compare SHA-256" },
    { "info", cmd_info, "records, chunks, ratio and the layer chain of every column" },
    { "cat", cmd_cat, "print a range of records from a member (random access)" },
    { "report", cmd_report, "write an HTML report of a dataset" },
    { "run", cmd_run, "run a JCL-like YAML job deck" },
    { NULL, NULL, NULL }
};

const cli_command *cli_find_command(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static void print_help(FILE *out)
{
    fprintf(out,
            "cobzip %s — copybook-aware conversion and compression of mainframe record files\n"
            "\n"
            "usage: cobzip <command> [options] [args]\n"
            "       cobzip <command> --help\n"
            "\n"
            "commands:\n",
            CBZ_VERSION_STRING);
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-11s %s\n", c->name, c->summary);
    fprintf(out,
            "\n"
            "return codes: 0 ok, 4 warning, 8 error, 12 severe (usage, copybook, deck),\n"
            "              16 fatal (I/O, memory, device)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_RC_SEVERE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (argc > 2 && cli_find_command(argv[2])) {
            char help[] = "--help";
            char *sub_argv[] = { argv[2], help, NULL };
            return cli_find_command(argv[2])->run(2, sub_argv);
        }
        print_help(stdout);
        return CLI_RC_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("cobzip %s\n", CBZ_VERSION_STRING);
        return CLI_RC_OK;
    }
    const cli_command *c = cli_find_command(name);
    if (!c) {
        fprintf(stderr, "cobzip: '%s' is not a command; see 'cobzip --help'\n", name);
        return CLI_RC_SEVERE;
    }
    return c->run(argc - 1, argv + 1);
}
