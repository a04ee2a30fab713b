/*
 * cmd_info.c — `cobzip info`.  PLACEHOLDER: not implemented yet; its owner replaces this file.
 */
#include "cli.h"

int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cobzip info: not implemented yet\n");
    return CLI_RC_FATAL;
}
