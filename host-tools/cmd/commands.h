/* The rplat subcommands. Each lives in cmd/cmd_NAME.c and is listed once in rplat.c. */
#ifndef RPLAT_COMMANDS_H
#define RPLAT_COMMANDS_H

int cmd_ping(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rproc(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_observe(int argc, char **argv);
int cmd_ring(int argc, char **argv);

#endif
