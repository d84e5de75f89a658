/* The ping engine behind `rplat ping` (and `rplat trace`, which drives it with tracing hooks).
 *
 * rplat_ping_run() opens the link, asks for INFO, sends PINGs at the interval, matches replies, keeps
 * histograms and the clock fit, writes the run directory and prints the summary. It returns the exit
 * code of the command (0 ok, 1 messages lost/late/corrupt/error or a hook stopped the run (--break),
 * 2 usage or setup error, 3 the remote stopped answering). Hooks let a caller observe every step without owning the loop. */
#ifndef RPLAT_PING_H
#define RPLAT_PING_H

#include <stdint.h>
#include <stdio.h>

#include "rplat/link.h"
#include "rplat/json.h"
#include "rplat/wire/probe_proto.h"

enum rplat_sample_status {
	RPLAT_S_OK = 0,
	RPLAT_S_LOST,     /* no reply within --timeout */
	RPLAT_S_LATE,     /* reply arrived after its timeout expired, whoever noticed: read after the
			     deadline, or after the message was already settled lost (hooks then see the
			     same seq twice, lost then late; samples.tsv has one line, late) */
	RPLAT_S_DUP,      /* a second reply for a sequence number */
	RPLAT_S_OOO,      /* a reply for an older sequence number than the one awaited */
	RPLAT_S_CORRUPT,  /* payload, size or header does not match what was sent */
	RPLAT_S_ERROR,    /* the probe answered with an ERROR message */
	RPLAT_S_WARMUP,   /* sent during --warm-up: in samples.tsv, in no figure, count or threshold (hooks
			     never see it) */
};

struct rplat_ping_sample {
	uint32_t seq;
	uint16_t size;
	enum rplat_sample_status status;
	int64_t t_send;    /* CLOCK_MONOTONIC ns, just before the send */
	int64_t t_recv;    /* CLOCK_MONOTONIC ns, just after the reply was read (0 if lost) */
	uint64_t r_kick, r_consume, r_reply; /* remote ticks (0 if lost) */
	int64_t t_slot;    /* the send grid's slot for this message, CLOCK_MONOTONIC ns (0: no grid, -i 0) */
	int64_t t_wake;    /* when the sender woke for that slot (t_wake - t_slot: its wakeup latency) */
};

struct rplat_ping_ctx; /* the engine's state, opaque to hooks */

struct rplat_ping_hooks {
	void *ctx;
	/* After the link is open and INFO read, before the first ping; the run directory exists. Return
	 * non-zero to abort with exit code 2. E.g. start tracing. */
	int (*start)(void *ctx, const char *run_dir, struct rplat_link *link);
	/* Just before the send of 'seq' (e.g. write a trace marker). Must be cheap. */
	void (*before_send)(void *ctx, uint32_t seq);
	/* rplat stream only (ping never calls it): just after a stream message 'seq' was read (e.g. write
	 * the "rplat rx seq=N" marker that closes its window). Must be cheap. May be NULL. */
	void (*after_recv)(void *ctx, uint32_t seq);
	/* After each message is settled (reply, loss, ...), warm-up messages excepted. Return non-zero to
	 * stop the run early (e.g. a --break threshold hit): the run is then finished and written normally
	 * with ended_by "break", a notice on stderr (even with -q) and exit code 1. */
	int (*sample)(void *ctx, const struct rplat_ping_sample *s);
	/* After the loop, before run.json is written: stop capture, save into run_dir/trace, and add
	 * members to run.json's "trace" object through the writer (may be NULL). */
	int (*stop)(void *ctx, const char *run_dir, struct rplat_jw *jw);
};

struct rplat_ping_opts {
	const char *link;        /* --link, default "sim" */
	const char *out_dir;     /* -o, default rplat-run-<time> */
	const char *label;       /* --label */
	const char *command;     /* the command line, for run.json */
	uint64_t loops;          /* -l, 0 = unlimited (until -D or Ctrl-C) */
	int64_t duration_ns;     /* -D, 0 = unlimited */
	int64_t interval_ns;     /* -i, default 1000 us */
	uint16_t sizes[64];      /* -s, message sizes, cycled through */
	int nsizes;
	int priority;            /* -p, SCHED_FIFO priority, 0 = leave as is */
	int affinity;            /* -a, CPU, -1 = leave as is */
	int mlockall;            /* -m */
	int dma_latency;         /* --dma-latency, -1 = do not hold; default 0 */
	int quiet;               /* -q */
	int hist_us;             /* -h, 0 = no cyclictest histogram */
	const char *json_path;   /* --json */
	int64_t timeout_ns;      /* --timeout, default 1 s */
	int max_silent;          /* --max-silent: consecutive timeouts that end the run, default 3 */
	int no_samples;          /* --no-samples */
	uint64_t warm_up;        /* --warm-up N: the first N messages are warm-up (0 = none) */
	int64_t warm_up_ns;      /* --warm-up TIME: messages sent in the first TIME are warm-up (0 = none) */
	const char *load;        /* --load PROFILE, NULL = none */
	const struct rplat_ping_hooks *hooks;
};

void rplat_ping_opts_init(struct rplat_ping_opts *o);
/* Parse ping's command-line options (argv[0] is the command name). Returns 0, 1 when --help was
 * printed, or -1 with a message printed to stderr. */
int rplat_ping_parse(struct rplat_ping_opts *o, int argc, char **argv);
/* --warm-up's value: a bare count is messages ("100"), a time with a unit is a duration ("2s", "500ms").
 * Sets one of *n and *ns (the other to 0). Returns 0, or -1 when it is neither. */
int rplat_warm_up_parse(const char *arg, uint64_t *n, int64_t *ns);
/* The --help text of ping's options. */
void rplat_ping_usage(FILE *f);
int rplat_ping_run(const struct rplat_ping_opts *o);

#endif
