/*
 * cmd_layout.c — `cobzip layout`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_layout(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip layout: not implemented yet\n");
    return CLI_RC_FATAL;
}
