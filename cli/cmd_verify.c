/*
 * cmd_verify.c — `cobzip verify`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_verify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip verify: not implemented yet\n");
    return CLI_RC_FATAL;
}
