/*
 * cmd_compress.c — `cobzip compress`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_compress(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip compress: not implemented yet\n");
    return CLI_RC_FATAL;
}
