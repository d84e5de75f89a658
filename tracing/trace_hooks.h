/* Tracing around a ping run: the hooks that rplat_ping_run() calls, and the trace options.
 *
 *   `rplat trace [ping options] [trace options]`  and  `rplat ping --trace`:
 *
 *     struct rplat_trace_opts t;
 *     rplat_trace_opts_init(&t);                    (or parse with rplat_trace_parse_opt)
 *     ping_opts.hooks = rplat_trace_hooks(&t);      (NULL opts = the defaults)
 *     rc = rplat_ping_run(&ping_opts);
 *     rc2 = rplat_trace_finish();                   (analysis of the run; tracefs already restored)
 *
 * start creates the capture (instance "rplat", syscalls filtered to the measuring thread, the sim probe's
 * pid recorded) and turns tracing on; before_send writes the "rplat seq=N" marker; sample applies
 * --threshold / --break / --on-threshold; stop stops the capture, saves RUN/trace, restores tracefs and
 * adds a "trace" object to run.json. */
#ifndef RPLAT_TRACE_HOOKS_H
#define RPLAT_TRACE_HOOKS_H

#include <stdint.h>
#include <stdio.h>

#include "rplat/ping.h"

enum rplat_trace_action { RPLAT_ACT_TRACE = 1, RPLAT_ACT_SIGNAL = 2, RPLAT_ACT_SHELL = 4 };

struct rplat_trace_opts {
	unsigned buffer_kb;       /* --buffer-kb, 0 = default */
	int uprobes;              /* --uprobes (default off: a trap per call) */
	int worst;                /* --worst N, default 10 */
	int64_t threshold_ns;     /* --threshold US, 0 = none */
	int64_t break_ns;         /* --break US, 0 = none */
	unsigned actions;         /* --on-threshold: enum rplat_trace_action bits */
	int action_signal;        /* signal,SIG or signal,num=N (default SIGUSR1) */
	int action_pid;           /* signal,...,pid=N: where it goes; 0 = the parent process (pid=parent) */
	char action_shell[512];   /* shell,CMD */
	int action_continue;      /* ,continue */
	int analyze;              /* analyse when the run ends, default 1; --no-analysis */
	int quiet;
	int reader_cpu;           /* --reader-cpu N, -1 = any */
};

void rplat_trace_opts_init(struct rplat_trace_opts *o);
/* If argv[i] is a trace option, consume it (and its value) and return how many arguments it took; 0 if it
 * is not one; -1 with a message in err for a bad value. */
int rplat_trace_parse_opt(struct rplat_trace_opts *o, int argc, char **argv, int i, char *err, size_t errlen);
void rplat_trace_usage(FILE *f);
/* Parse an --on-threshold value: rplat's forms ("trace", "signal[,SIG]", "shell,CMD") and rtla's
 * ("signal,num=N,pid=parent|PID", "shell,command=CMD"), each optionally followed by ",continue", or
 * "continue" alone. rtla's "trace,file=F" is refused with the reason (the capture is RUN/trace). */
int rplat_trace_parse_action(struct rplat_trace_opts *o, const char *s, char *err, size_t errlen);

/* The hooks for rplat_ping_opts.hooks. o is copied; NULL = defaults. One traced run per process at a time. */
const struct rplat_ping_hooks *rplat_trace_hooks(const struct rplat_trace_opts *o);
/* After rplat_ping_run() returns: make sure tracefs is restored, analyse the run (unless disabled) and
 * print the summary to stdout. What the capture could not show (lost events, a low match rate, withheld
 * verdicts) goes to stderr even with -q and into run.json's trace.evidence. Returns 0, or 1 when the
 * analysis failed or the capture is incomplete (a finding: the caller exits 1; run.json's return_code
 * says so too). */
int rplat_trace_finish(void);

#endif
