/* Reading run directories back (report, compare, budget, merge), and merging them.
 *
 * rplat_run_load() reads DIR/run.json and DIR/hist/NAME.hist, checks that they belong together, keeps the
 * optional parts it finds (DIR/load/load.json, DIR/trace/analysis.json), and reads DIR/samples.tsv whole
 * (streamed, never held in memory), checking every line and the file against run.json's counts and the
 * histograms (rplat_run_verify). Every error names the file and the problem: "RUN/hist/rtt.hist: line 7:
 * ...", "RUN/samples.tsv: line 812: truncated", "RUN: not a run directory (no run.json)". */
#ifndef RPLAT_RUN_H
#define RPLAT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "rplat/hist.h"
#include "rplat/json.h"

#define RPLAT_RUN_FORMAT_VERSION 1
#define RPLAT_NSTAGES 4

/* The stages, in path order: host_to_remote, remote_dispatch, remote_processing, remote_to_host. */
extern const char *const rplat_stage_names[RPLAT_NSTAGES];
/* Short names, also the samples.tsv columns: h2r, dispatch, proc, r2h. */
extern const char *const rplat_stage_short[RPLAT_NSTAGES];

/* A stream run's stages (kind "stream", rplat stream): remote_to_host, irq_latency, isr_to_send,
 * interarrival; also its samples.tsv columns one_way (remote_to_host), irq_latency, isr_to_send,
 * interarrival. */
#define RPLAT_NSTREAM_STAGES 4
extern const char *const rplat_stream_stage_names[RPLAT_NSTREAM_STAGES];

struct rplat_run_counts {
	uint64_t sent, received, lost, late, duplicate, out_of_order, corrupt, error;
};

/* A stream run's counts (run.json "counts" of kind "stream"). */
struct rplat_run_stream_counts {
	uint64_t expected, received, lost, overruns, duplicate, out_of_order, corrupt;
};

/* A message's final status. warmup: sent during the warm-up (--warm-up), measured, in no figure. */
enum rplat_run_status { RPLAT_RS_OK, RPLAT_RS_LOST, RPLAT_RS_LATE, RPLAT_RS_DUP, RPLAT_RS_OOO,
			RPLAT_RS_CORRUPT, RPLAT_RS_ERROR, RPLAT_RS_WARMUP, RPLAT_RS_NSTATUS };
extern const char *const rplat_run_status_names[RPLAT_RS_NSTATUS]; /* "ok", "lost", ... */

/* What samples.tsv holds, one message per line (a legacy "lost then late" pair is one late message). */
struct rplat_run_census {
	uint64_t messages;                   /* warm-up included */
	uint64_t status[RPLAT_RS_NSTATUS];   /* by final status (enum rplat_run_status) */
	uint64_t legacy_pairs;               /* "lost then late" line pairs read as one late message */
	uint64_t staged[RPLAT_NSTAGES];      /* ping: answered messages with each stage; stream: ok messages
						with each stream stage */
};

struct rplat_run_size {
	unsigned size;           /* payload bytes */
	struct rplat_hist hist;  /* hist/rtt@SIZE.hist */
};

struct rplat_run {
	char *dir;                       /* as given, without a trailing '/' */
	struct rplat_json *meta;         /* run.json */
	const char *label, *kind;        /* point into meta; never NULL */
	int format_version;
	struct rplat_hist rtt;           /* hist/rtt.hist */
	int has_stage[RPLAT_NSTAGES];
	struct rplat_hist stage[RPLAT_NSTAGES]; /* hist/<stage>.hist, when present and non-empty */
	int nsizes;
	struct rplat_run_size *sizes;    /* ascending by size */
	int has_send_wakeup;             /* hist/send_wakeup.hist: the sender's timer wakeup latency (ping -i > 0) */
	struct rplat_hist send_wakeup;
	struct rplat_run_counts counts;
	int has_samples;                 /* samples.tsv exists */
	int verified;                    /* samples.tsv was read whole and agrees with run.json and hist/ */
	char unverified[256];            /* why not: "" when verified */
	int late_rebuilt;                /* the histograms lacked the late replies (rplat <= 0.1.0): rtt and the
					    per-size histograms were rebuilt from samples.tsv with them */
	int has_warmup;                  /* run.json has counts.warmup */
	uint64_t warmup;                 /* counts.warmup: messages of the warm-up, in no figure */
	struct rplat_json *load;         /* load/load.json, or NULL */
	struct rplat_json *analysis;     /* trace/analysis.json, or NULL */
	struct rplat_json *syscheck;     /* system-check.json (rplat check system --json, taken with the run),
					    or NULL; run.json's system.check, when recorded, is preferred */
	char warning[256];               /* a non-fatal problem (e.g. unreadable load.json), or "" */
	struct rplat_run_census census;  /* what samples.tsv holds (when verified) */
	/* Stream runs only (loaded with RPLAT_RUN_LOAD_STREAM): rtt, stage[], sizes and counts are then
	 * empty, and these hold what the stream measured. */
	int is_stream;                   /* kind "stream" */
	struct rplat_run_stream_counts stream_counts;
	int has_stream_stage[RPLAT_NSTREAM_STAGES];
	struct rplat_hist stream_stage[RPLAT_NSTREAM_STAGES]; /* hist/<stream stage>.hist */
};

/**
 * rplat_run_load - load a run directory
 * @dir: the run directory
 * @out: the run, to free with rplat_run_free()
 *
 * Returns 0, or -1 with a message naming the file and the problem in err.
 */
int rplat_run_load(const char *dir, struct rplat_run **out, char *err, size_t errlen);

/* rplat_run_load() refuses stream runs (compare, budget and merge read ping runs only); with this flag,
 * rplat_run_load_flags() accepts them too (rplat report), with is_stream set. */
#define RPLAT_RUN_LOAD_STREAM 1u
int rplat_run_load_flags(const char *dir, unsigned flags, struct rplat_run **out, char *err, size_t errlen);
/* 0 for a ping or merged run; -1 with the loader's refusal in err for any other kind (compare and merge
 * check it, so that a stream run loaded for a report is still refused there). */
int rplat_run_ping_only(const struct rplat_run *r, char *err, size_t errlen);
void rplat_run_free(struct rplat_run *r);

/* Metadata helpers: the string / number at a dotted path of run.json, or NULL / def. */
const char *rplat_run_str(const struct rplat_run *r, const char *path);
double rplat_run_num(const struct rplat_run *r, const char *path, double def);
/* The per-size histogram of 'size', or NULL. */
const struct rplat_hist *rplat_run_size_hist(const struct rplat_run *r, unsigned size);

/* ---- samples.tsv, streamed ---- */

#define RPLAT_NA INT64_MIN /* "nan" in samples.tsv */


struct rplat_sample {
	uint64_t seq;
	unsigned size;
	int64_t t_send;                  /* ns */
	int64_t rtt;                     /* ns, or RPLAT_NA */
	int64_t stage[RPLAT_NSTAGES];    /* h2r, dispatch, proc, r2h in ns, or RPLAT_NA */
	enum rplat_run_status status;
	int run;                         /* merged runs: index of the source run (column "run"), else 0 */
	/* stream runs: t_recv (host, ns), and one_way, irq_latency, isr_to_send, interarrival (ns, or RPLAT_NA),
	 * in the order of rplat_stream_stage_names; RPLAT_NA in ping runs */
	int64_t t_recv;
	int64_t sstage[RPLAT_NSTREAM_STAGES];
	/* rplat observe with the kernel's kprobes: write_to_kick, kick_to_isr, send_to_irq, irq_to_read (ns, or
	 * RPLAT_NA): h2r split at the host's kick, r2h at the host's interrupt */
	int64_t ksplit[4];
	uint64_t line;                   /* line number in samples.tsv */
	uint64_t index;                  /* 0-based index of the message among the file's messages, warm-up
					    excluded (warm-up messages: their index among the warm-up); a legacy
					    "lost then late" pair is one message */
};

struct rplat_samples;

/* Open DIR/samples.tsv. The header line maps columns by name, so extra columns are allowed; seq, size,
 * t_send, rtt and status are required (a stream run's: seq, t_recv, one_way and status). Returns 0, or -1
 * with a message in err. */
int rplat_samples_open(const struct rplat_run *r, struct rplat_samples **out, char *err, size_t errlen);
/* The next message: returns 1, 0 at the end, or -1 with "FILE: line N: problem" in err. Every line is
 * checked (fields, status, order, sizes, times: see the design note in run_samples.c); a legacy "lost then
 * late" pair comes out as one late message in seq order. At the end, the messages by status must match
 * run.json's counts (else -1). */
int rplat_samples_next(struct rplat_samples *s, struct rplat_sample *out, char *err, size_t errlen);
/* The header's columns, and the raw text of the message rplat_samples_next() returned last (its line
 * without the newline; valid until the next call): merge copies columns it does not know. */
int rplat_samples_ncols(const struct rplat_samples *s);
const char *rplat_samples_colname(const struct rplat_samples *s, int i);
const char *rplat_samples_raw(const struct rplat_samples *s, size_t *len);
/* Bytes read so far and the file size (for progress and decimation). */
void rplat_samples_progress(const struct rplat_samples *s, uint64_t *done, uint64_t *total);
void rplat_samples_close(struct rplat_samples *s);

/**
 * rplat_run_verify - read samples.tsv whole and check it against the run
 * @r: a loaded run with samples.tsv (rplat_run_load calls this)
 *
 * Checks every line, the census against run.json's counts, and every histogram in hist/ against the one
 * the lines give (exactly for round trips and interarrival, within 1 ns of rounding for the correlated
 * stages). Fills r->census and sets r->verified. A run written by rplat <= 0.1.0, whose histograms left
 * its late replies out, gets rtt and the per-size histograms rebuilt with them (r->late_rebuilt).
 * Returns 0, or -1 with "FILE: line N: what" in err.
 */
int rplat_run_verify(struct rplat_run *r, char *err, size_t errlen);

/**
 * rplat_run_exact_percentile - a percentile of a ping run exactly, from samples.tsv
 * @r: a verified run with samples.tsv
 * @h: the histogram the percentile is of (r->rtt, a size's, or r->stage[series]): it gives the rank and
 *     the bucket the value lies in, so only the values of that bucket are kept (memory: that bucket's count)
 * @series: -1 for the round trip, else a stage index; @size: -1 for every size, else a payload size
 * @p: the percentile (0 < p <= 100)
 * @out: the value in ns (a negative stage counts as 0, as in the histogram)
 *
 * The messages it reads are those the histogram holds (ok and late, warm-up excluded). Returns 0, or -1
 * with the reason in err (unverified run, unreadable file, or file and histogram disagreeing).
 */
int rplat_run_exact_percentile(const struct rplat_run *r, const struct rplat_hist *h, int series, int size, double p,
			       uint64_t *out, char *err, size_t errlen);

/* ---- merging ---- */

/**
 * rplat_run_merge - combine runs into a new run directory, exactly
 * @runs: the runs (loaded)
 * @n: how many (>= 1)
 * @out_dir: the new run; must not exist. Written as OUT.tmp-XXXXXX and renamed when complete.
 * @force: also merge runs that differ in the soft ways (link type, firmware, kernel preemption model)
 *
 * Histograms are added bucket for bucket, counts summed, samples.tsv concatenated with a "run" column;
 * run.json gets kind "merged" and a "sources" array. Refuses (returns -1, reason in err) runs of another
 * format version, of different kinds (ping vs stream), or, unless force, with different link types,
 * firmware targets or protocol versions, or PREEMPT_RT mixed with non-RT kernels.
 */
int rplat_run_merge(struct rplat_run *const *runs, int n, const char *out_dir, int force, const char *command,
		    char *err, size_t errlen);

/* Whether two runs can be merged: 0, or -1 with the reason in err (the same rules as rplat_run_merge). */
int rplat_run_compatible(const struct rplat_run *a, const struct rplat_run *b, int force, char *err,
			 size_t errlen);

#endif
