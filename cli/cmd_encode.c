/*
 * cmd_encode.c — `cobzip encode`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_encode(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip encode: not implemented yet\n");
    return CLI_RC_FATAL;
}
