/* The `rplat check` subcommands. cmd_check.c dispatches to them from one table; each takes argv with
 * argv[0] = its own name ("rsc", "dt", ...). rsc, dt and system return the check exit code
 *   0 clean or info only, 1 worst finding a warning, 2 worst finding an error, 3 could not run;
 * coherency documents its own (check_coherency.c). */
#ifndef RPLAT_CMD_CHECK_H
#define RPLAT_CMD_CHECK_H

int check_coherency_main(int argc, char **argv); /* check_coherency.c */

#endif
