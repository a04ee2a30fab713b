/*
 * cmd_cat.c — `cobzip cat`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_cat(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip cat: not implemented yet\n");
    return CLI_RC_FATAL;
}
