/*
 * cmd_run.c — `cobzip run`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip run: not implemented yet\n");
    return CLI_RC_FATAL;
}
