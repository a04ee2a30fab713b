/*
 * cmd_decompress.c — `cobzip decompress`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_decompress(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip decompress: not implemented yet\n");
    return CLI_RC_FATAL;
}
