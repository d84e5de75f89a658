/* Placeholder until its issue lands: says so instead of pretending. */
#include <stdio.h>

#include "commands.h"

int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rplat trace: not implemented yet\n");
	return 2;
}
