/*
 * cmd_report.c — `cobzip report`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip report: not implemented yet\n");
    return CLI_RC_FATAL;
}
