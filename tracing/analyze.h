/* Trace analysis: match events to messages, break each round trip into stages, explain the outliers.
 *
 * A message's path is cut at nine instants (boundaries):
 *   send        t_send from samples.tsv (else the rplat:send uprobe, else the "rplat seq=N" marker)
 *   kick        the doorbell: a kprobe on mbox_send_message / virtqueue_kick, else the wakeup or IPI the
 *               write syscall caused, else the write syscall's exit
 *   remote_isr  the remote's t_kick  \
 *   consume     the remote's t_consume > mapped onto host time by the run's clock fit (samples.tsv h2r,
 *   reply       the remote's t_reply  /  dispatch, proc), then moved as a block, if needed, into the
 *               window the host events allow (kick <= remote_isr, reply <= host wakeup)
 *   wakeup      the mailbox IRQ's entry, else the sched_waking of the measuring thread
 *   run         the measuring thread switched in after that wakeup
 *   ret         the last read/poll/ppoll/ioctl syscall exit before the reply was read
 *   recv        t_send + rtt from samples.tsv (else the rplat:recv uretprobe, else ret)
 * and the eight stages are the intervals between consecutive boundaries. A boundary that could not be
 * seen is left out and the stage before it runs to the next boundary that was seen.
 *
 * A stream run (rplat stream --trace: the probe sends from its timer, the host only reads) is the
 * remote -> host half of that path, kept in the same nine slots so that everything downstream (stages,
 * outliers, exports) is shared; send and kick stay empty and the remote slots hold the stream's stamps:
 *   remote_isr slot  due         the probe timer's due time  \
 *   consume slot     remote_isr  its ISR entry                > samples.tsv t_recv - one_way (the mapped
 *   reply slot       remote_send the probe's send (kick)     /  t_send), - isr_to_send, - irq_latency
 *   wakeup, run, ret, recv as above (recv = samples.tsv t_recv)
 * giving the six stages due_to_isr (remote IRQ latency), isr_to_send, send_to_wakeup (host IRQ/wakeup),
 * wakeup_to_run (scheduled in), run_to_ret (read returns), ret_to_recv. A message's window is closed by the
 * "rplat rx seq=N" marker the reader writes after the read (a ping's is opened by "rplat seq=N"), and its
 * latency (what outliers are ranked by, rtt below) is due -> recv.
 *
 * Outliers (the worst N messages, every message over the threshold, the --break hit) get the dominant
 * stage, what ran on the CPUs meanwhile (tasks, IRQs, softirqs with their durations), the wakeup-to-run
 * delay, migrations and one plain-language verdict. */
#ifndef RPLAT_ANALYZE_H
#define RPLAT_ANALYZE_H

#include <stdint.h>
#include <stdio.h>

#include "rplat/hist.h"
#include "sysenv.h"
#include "tev.h"

enum rplat_bound { RPLAT_B_SEND, RPLAT_B_KICK, RPLAT_B_RISR, RPLAT_B_CONSUME, RPLAT_B_REPLY, RPLAT_B_WAKE,
		   RPLAT_B_RUN, RPLAT_B_RET, RPLAT_B_RECV, RPLAT_B_N };
#define RPLAT_ST_N (RPLAT_B_N - 1)
#define RPLAT_NONE INT64_MIN

extern const char *const rplat_bound_names[RPLAT_B_N];
extern const char *const rplat_stage_ids[RPLAT_ST_N];    /* "send_to_kick", ... (file names, json keys) */
extern const char *const rplat_stage_labels[RPLAT_ST_N]; /* "host write (send -> kick)", ... */
/* The stream's names for the same slots; NULL for the slots a stream does not use (send, kick). */
extern const char *const rplat_stream_bound_names[RPLAT_B_N];
extern const char *const rplat_stream_stage_ids[RPLAT_ST_N];
extern const char *const rplat_stream_stage_labels[RPLAT_ST_N];

enum rplat_ana_kind { RPLAT_ANA_PING, RPLAT_ANA_STREAM };

/* One message as the analysis sees it. */
struct rplat_ana_msg {
	uint32_t seq;
	int status;              /* 0 ok, 1 lost, 2 other (late, dup, corrupt, ...), 3 no sample */
	int matched;             /* marker, write syscall and read return all found */
	int incomplete;          /* the ring buffer lost events inside this message's window (a LOST record's gap,
				    from the CPU's event before it, overlaps the window; or a loss that no record
				    locates) */
	int broken;              /* a context-switch chain broke inside the window: a switch whose previous task
				    is not the one last switched in on that CPU (a switch the trace does not show) */
	int64_t ss[4];           /* the stages by rplat's own stamps (samples.tsv), RPLAT_NONE unknown: a ping's
				    h2r, dispatch, proc, r2h; a stream's irq_latency, isr_to_send, one_way */
	int64_t b[RPLAT_B_N];    /* ns, RPLAT_NONE when not seen */
	int64_t st[RPLAT_ST_N];  /* ns, RPLAT_NONE when not measured */
	int64_t rtt;             /* ns, RPLAT_NONE for lost */
	int64_t marker;          /* ns of the marker, RPLAT_NONE */
	int64_t write_enter, write_exit;
	int64_t waking;          /* the sched_waking (or wakeup) of the measuring thread, RPLAT_NONE */
	int32_t nmigrations;
	int64_t remote_shift;    /* ns the remote block was moved to fit the host events (0 = none) */
	int32_t tid;             /* the measuring thread */
	int16_t cpu_send, cpu_run, cpu_ret;
	int16_t migrated;        /* the thread ran on another CPU at the read than at the send */
	int32_t waker;           /* pid that woke the thread, -1 */
	int tid_prio;            /* the thread's kernel prio seen in this message, INT32_MIN unknown */
	int preempted;           /* no wakeup: the thread was runnable (preempted) when the reply came; the
				    wakeup boundary is the reply (or the preemption, if later) */
	int queued;              /* stream: the message was sent before the reader was done with the one
				    before it: it waited in the ring, and the reader did not sleep for it */
};

struct rplat_ana_opts {
	int worst;               /* explain the N worst (default 10) */
	int64_t threshold_ns;    /* explain every message above (0 = none) */
	int64_t break_seq;       /* the --break hit, -1 = none */
	int max_outliers;        /* cap on explained outliers (default 2000); the rest are counted */
};

struct rplat_ana_contrib {
	int kind;                /* 0 task, 1 irq, 2 softirq, 3 idle */
	int prio;                /* task: kernel prio seen in the window, INT32_MIN unknown */
	int cpu;
	int32_t id;              /* pid, irq or vec */
	int64_t ns;              /* time inside the dominant stage */
	char name[40];
	char policy[32];
};

#define RPLAT_ANA_MAX_CONTRIB 8

struct rplat_ana_outlier {
	size_t msg;              /* index into msgs */
	int why;                 /* bit 0 worst, bit 1 over threshold, bit 2 the --break hit */
	int dominant;            /* stage index, -1 unknown */
	int64_t dominant_ns;
	int64_t wake_to_run;
	int ncontrib;
	struct rplat_ana_contrib contrib[RPLAT_ANA_MAX_CONTRIB];
	int migrations;          /* migrations of the measuring thread inside the message */
	int withheld;            /* no verdict from the trace: the window was not matched, lost events or has a
				    broken chain (bits RPLAT_EV_*); the verdict says so and quotes the samples only */
	char verdict[640];
};

/* Why a window's evidence is missing (rplat_ana_outlier.withheld bits). */
#define RPLAT_EV_UNMATCHED 1
#define RPLAT_EV_LOST 2
#define RPLAT_EV_BROKEN 4

/* A capture matches fewer answered messages than this (fraction) only when it lost something. */
#define RPLAT_ANA_MIN_MATCH 0.99

/* What the capture could not show, for the whole run. */
struct rplat_ana_evidence {
	uint64_t lost_events;      /* counted by LOST records (located) */
	uint64_t unlocated_lost;   /* counted by the capture's own stats beyond what LOST records locate */
	int reader_aborted;        /* the drain was abandoned: the end of the capture is missing */
	uint64_t chain_breaks;     /* context switches missing from a CPU's chain (whole capture) */
	size_t windows_lost, windows_broken, unmatched; /* answered messages with each problem */
	size_t withheld;           /* explained outliers whose verdict was withheld */
	size_t answered, matched, outliers; /* answered messages, matched ones, explained outliers */
	double match_rate;         /* matched / answered */
	int complete;              /* nothing lost and match_rate >= RPLAT_ANA_MIN_MATCH */
};

struct rplat_analysis {
	struct rplat_ana_msg *msg;
	size_t nmsg, cap;
	size_t nsamples, matched, ok;
	size_t nevents;
	uint64_t lost_events;
	struct rplat_ana_evidence evidence;
	struct rplat_hist hist[RPLAT_ST_N];
	uint64_t missing[RPLAT_ST_N];
	struct rplat_ana_outlier *out;
	size_t nout;
	size_t over_threshold;   /* messages over the threshold (explained or not) */
	uint64_t dominant_count[RPLAT_ST_N]; /* among the outliers */
	double clock_err_ns;     /* the run's clock error bound, < 0 unknown */
	const char *clock_source;
	size_t remote_shifted;
	int64_t remote_shift_max;
	int32_t tids[8];
	int ntids;
	int32_t remote_pid;
	double secs;             /* analysis time */
	struct rplat_ana_opts opts; /* what it was made with (analysis.json "options") */
	struct rplat_sysenv env; /* as in the input */
	int32_t reader_tid;
	int dma_known, dma_latency;
	char link[16];
	char app[64];            /* the measuring thread in the verdicts: "" = rplat's own; rplat observe's runs:
				    "the application `comm`" */
	char source[64];         /* "run" or "trace.dat" */
	int kind;                /* enum rplat_ana_kind */
	/* the names of the slots for this kind (rplat_bound_names ... or rplat_stream_...); a NULL stage id
	 * is a slot this kind does not use: outputs skip it */
	const char *const *bound_names, *const *stage_ids, *const *stage_labels;
};

/* Samples of a run, as the analysis needs them. */
struct rplat_ana_sample {
	uint32_t seq;
	int status;              /* as rplat_ana_msg.status */
	int64_t t_send, rtt;     /* ping; rtt RPLAT_NONE when lost */
	int64_t h2r, dispatch, proc; /* ping; RPLAT_NONE when absent */
	int64_t t_recv;          /* stream: the host receive, RPLAT_NONE when lost */
	int64_t due, isr, rsend; /* stream: the remote stamps on host time, RPLAT_NONE without a clock fit */
};

struct rplat_ana_input {
	const struct rplat_ana_sample *samples; /* sorted by seq; may be NULL */
	size_t nsamples;
	const int32_t *tids;     /* measuring threads; NULL/0 = whoever wrote the rplat markers */
	int ntids;
	int32_t remote_pid;      /* the sim probe process, 0 if none */
	int marker_fd;           /* fd of trace_marker in the measuring process, -1 unknown */
	double clock_err_ns;
	const char *clock_source;
	int kind;                /* enum rplat_ana_kind of the samples; without samples, the markers decide */
	uint64_t capture_lost;   /* events the capture's stats say were lost (max(missed, overrun) + dropped
				    per CPU, capture.json); what LOST records do not locate taints every window */
	int reader_aborted;      /* capture.json stats.aborted */
	struct rplat_sysenv env; /* capture.json "system": preemption model, guest, cpuidle, steal */
	int32_t reader_tid;      /* rplat's own trace reader thread, 0 unknown */
	int dma_known;           /* run.json said whether /dev/cpu_dma_latency was held (0: unknown) */
	int dma_latency;         /* then: held at N us, -1 not held */
	char link[16];           /* run.json link.type: "sim", "qemu", "rpmsg", "" unknown */
	int observed;            /* capture.json source "rplat observe": the measuring thread is the user's
				    application (tids[0]), the markers were placed from its writes */
};

void rplat_ana_opts_init(struct rplat_ana_opts *o);
void rplat_analysis_free(struct rplat_analysis *a);
/* The core: events (sorted) + samples -> messages, histograms, outliers. Returns 0, or -1 with err. */
int rplat_analyze(const struct rplat_tev_set *ev, const struct rplat_ana_input *in, const struct rplat_ana_opts *o,
		  struct rplat_analysis *a, char *err, size_t errlen);

/* Outputs: DIR/analysis.json, DIR/analysis.txt, DIR/stages.tsv, DIR/hist/STAGE.hist. */
int rplat_analysis_write(const struct rplat_analysis *a, const struct rplat_tev_set *ev, const char *dir,
			 char *err, size_t errlen);
/* The human summary (what analysis.txt holds). */
void rplat_analysis_print(const struct rplat_analysis *a, FILE *f);

/* Whole runs: load RUN/trace + RUN/samples.tsv + RUN/run.json, analyse, write into RUN/trace. evidence
 * (may be NULL) gets what the capture could not show. */
int rplat_analyze_run(const char *run_dir, const struct rplat_ana_opts *o, FILE *summary,
		      struct rplat_ana_evidence *evidence, char *err, size_t errlen);
/* The options a run's existing analysis (RUN/trace/analysis.json) was made with, so that a later
 * `rplat trace analyze RUN` keeps them. Returns 0, or -1 when there is none (o untouched). */
int rplat_ana_opts_of_run(const char *run_dir, struct rplat_ana_opts *o);
/* One line on what the capture could not show ("" when complete), for stderr and the outputs. */
void rplat_ana_evidence_text(const struct rplat_ana_evidence *e, char *buf, size_t len);
/* Load what rplat_analyze_run() needs (for the exports too). samples may come back NULL (no samples.tsv).
 * Free with rplat_ana_input_free(). */
int rplat_ana_load_run(const char *run_dir, struct rplat_tev_set *ev, struct rplat_ana_input *in, char *err,
		       size_t errlen);
void rplat_ana_input_free(struct rplat_ana_input *in);
/* Parse samples.tsv (columns by header name): a ping's (seq, t_send, rtt, status required; h2r, dispatch,
 * proc used) or a stream's (seq, t_recv, status required; one_way, isr_to_send, irq_latency used). kind
 * (may be NULL) gets which one it was. */
int rplat_ana_read_samples(const char *path, struct rplat_ana_sample **out, size_t *n, int *kind, char *err,
			   size_t errlen);

/* The names of slot k for the analysis' kind (NULL: a slot this kind does not use). */
static inline const char *rplat_ana_stage_id(const struct rplat_analysis *a, int k)
{
	return (a->stage_ids ? a->stage_ids : rplat_stage_ids)[k];
}
static inline const char *rplat_ana_stage_label(const struct rplat_analysis *a, int k)
{
	return (a->stage_labels ? a->stage_labels : rplat_stage_labels)[k];
}
static inline const char *rplat_ana_bound_name(const struct rplat_analysis *a, int k)
{
	return (a->bound_names ? a->bound_names : rplat_bound_names)[k];
}

/* The explained outlier of message seq, or NULL. */
const struct rplat_ana_outlier *rplat_ana_outlier_of(const struct rplat_analysis *a, uint32_t seq);

/* The first boundary of a message that was seen (send for a ping, due for a stream), RPLAT_NONE. */
int64_t rplat_ana_msg_start(const struct rplat_ana_msg *m);

#endif
