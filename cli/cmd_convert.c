/*
 * cmd_convert.c — `cobzip convert`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_convert(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip convert: not implemented yet\n");
    return CLI_RC_FATAL;
}
