/* The ping engine. See rplat/ping.h.
 *
 * One message is in flight at a time, as cyclictest has one wakeup per period: the send time is taken
 * just before the send, the receive time just after the reply is read, and the next send is scheduled on
 * an absolute grid (a late reply makes the grid skip, never burst). Samples go to a binary spill file in
 * the run directory while measuring, so memory stays constant; the stages are computed in a second pass
 * once the clock fit over the whole run is known, which turns the spill into samples.tsv. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rplat/clocksync.h"
#include "rplat/hist.h"
#include "rplat/json.h"
#include "rplat/measure.h"
#include "rplat/link.h"
#include "rplat/load.h"
#include "rplat/ping.h"
#include "rplat/runfile.h"
#include "rplat/sysinfo.h"
#include "rplat/util.h"
#include "rplat/wire/rpmsg.h"

#define SEQ_RING 4096 /* replies older than this many messages count as corrupt (unknown sequence) */
#define GRACE_NS 100000000ll /* after Ctrl-C, how long the in-flight reply may still take */

enum stage { ST_H2R, ST_DISPATCH, ST_PROC, ST_R2H, NSTAGES };
static const char *const stage_name[NSTAGES] = { "host_to_remote", "remote_dispatch", "remote_processing",
						 "remote_to_host" };

enum seq_state { SQ_NONE, SQ_WAIT, SQ_OK, SQ_LOST, SQ_LATE, SQ_BAD, SQ_WARM };

/* The measured messages' counts (warm-up messages are only counted in 'warmup'). */
struct counts {
	uint64_t sent, received, lost, late, dup, ooo, corrupt, error, warmup;
	uint64_t skipped;     /* send-grid slots that passed while the previous message was still out */
};

/* ended_by */
enum { END_DONE, END_SIGNAL, END_SILENT, END_GONE, END_ERROR, END_BREAK };
static const char *const end_name[] = { "completed", "signal", "remote silent", "remote gone", "error", "break" };

/* --json without -h: the 1 us histogram's extent (100 ms; 800 KB of counters) */
#define JSON_HIST_US 100000u

struct rplat_ping_ctx {
	const struct rplat_ping_opts *o;
	struct rplat_link *link;
	char dir[4096];
	struct rplat_info info;
	int have_info;
	struct rplat_sysinfo si;
	struct rplat_hist rtt, stage[NSTAGES], truth_err;
	struct rplat_hist *per_size;
	uint64_t *h1us;       /* -h: hist_us buckets of 1 us (0..US-1; US and above overflow, as cyclictest) */
	uint64_t h1us_over;
	uint32_t *h1us_over_seq; /* the first hist_us overflowing messages' seqs (cyclictest lists as many) */
	uint64_t *jus;        /* --json without -h: exact 1 us counts below JSON_HIST_US (the log buckets are
			       * 0.8% wide, too coarse for 1 us keys above 64 us) */
	uint64_t jus_over;    /* answered messages at or over JSON_HIST_US: in no key, counted in "rplat" */
	struct rplat_hist wake; /* the sender's wakeup latency: t_wake - t_slot */
	struct rplat_clk clk;
	struct rplat_clk_fit fit;
	FILE *spill;
	char spill_path[4200];
	struct counts c;
	uint8_t state[SEQ_RING];
	int64_t sent_at[SEQ_RING];
	int64_t slot_at[SEQ_RING], wake_at[SEQ_RING];
	uint64_t spill_at[SEQ_RING]; /* the message's record in the spill file (a late reply replaces it) */
	uint64_t nspill;
	uint32_t first_measured;      /* the first seq after the warm-up (UINT32_MAX while warming up) */
	int64_t last_lost;            /* seq of the newest lost message, -1 if none */
	uint64_t max_rtt;
	uint32_t max_seq;
	int64_t max_time, t0, t_end;
	int64_t raw0, mono0, raw1, mono1; /* for the sim's truth */
	time_t wall0, wall1;
	struct rplat_rt rt;
	struct rplat_load *load;
	int silent;
	int ended_by;         /* END_* */
	int hook_stop;
	int64_t last_status;
	int tty;
	int rc;
};

static int size_index(const struct rplat_ping_opts *o, uint16_t size)
{
	int i;

	for (i = 0; i < o->nsizes; i++)
		if (o->sizes[i] == size)
			return i;
	return 0;
}

/* Append s to the spill file, or with 'replace' overwrite the record its seq got earlier (a late reply
 * replacing the lost record: samples.tsv gets one line per message, with its final status). */
static void spill(struct rplat_ping_ctx *x, const struct rplat_ping_sample *s, int replace)
{
	int bad = 0;

	if (!x->spill)
		return;
	if (replace) {
		bad = fseeko(x->spill, (off_t)(x->spill_at[s->seq % SEQ_RING] * sizeof(*s)), SEEK_SET) ||
		      fwrite(s, sizeof(*s), 1, x->spill) != 1 || fseeko(x->spill, 0, SEEK_END);
	} else {
		x->spill_at[s->seq % SEQ_RING] = x->nspill++;
		bad = fwrite(s, sizeof(*s), 1, x->spill) != 1;
	}
	if (bad) {
		fprintf(stderr, "rplat: writing %s: %s; samples.tsv will be incomplete\n", x->spill_path,
			strerror(errno));
		fclose(x->spill);
		x->spill = NULL;
	}
}

/* The message's final status is known (or, for a late reply with 'replace', known again): figures,
 * spill, hooks. A warm-up message goes to the spill as 'warmup' and feeds the clock fit only. */
static void settle(struct rplat_ping_ctx *x, struct rplat_ping_sample *s, int replace)
{
	const struct rplat_ping_hooks *h = x->o->hooks;
	int answered = s->status == RPLAT_S_OK || s->status == RPLAT_S_LATE;

	if (answered) {
		struct rplat_clk_sample cs = { s->t_send, s->t_recv, s->r_kick, s->r_reply };

		rplat_clk_add(&x->clk, &cs);
	}
	if (s->seq < x->first_measured) {
		x->state[s->seq % SEQ_RING] = SQ_WARM;
		s->status = RPLAT_S_WARMUP;
		spill(x, s, 0);
		return;
	}
	if (s->status == RPLAT_S_LOST)
		x->last_lost = s->seq;
	if (answered) {
		uint64_t rtt = (uint64_t)(s->t_recv - s->t_send);

		rplat_hist_add(&x->rtt, rtt);
		rplat_hist_add(&x->per_size[size_index(x->o, s->size)], rtt);
		if (x->h1us) {
			uint64_t us = rtt / 1000;

			if (us < (uint64_t)x->o->hist_us)
				x->h1us[us]++;
			else if (x->h1us_over++ < (uint64_t)x->o->hist_us)
				x->h1us_over_seq[x->h1us_over - 1] = s->seq;
		}
		if (x->jus) {
			uint64_t us = rtt / 1000;

			if (us < JSON_HIST_US)
				x->jus[us]++;
			else
				x->jus_over++;
		}
		if (rtt > x->max_rtt || x->rtt.count == 1) {
			x->max_rtt = rtt;
			x->max_seq = s->seq;
			x->max_time = s->t_send - x->t0;
		}
	}
	if (s->t_slot && !replace)
		rplat_hist_add_signed(&x->wake, s->t_wake - s->t_slot);
	spill(x, s, replace);
	if (h && h->sample && h->sample(h->ctx, s))
		x->hook_stop = 1;
}

static void status_line(struct rplat_ping_ctx *x, int64_t now, uint64_t act, int final)
{
	const struct rplat_ping_opts *o = x->o;
	char prog[32] = "";

	if (!x->tty || o->quiet)
		return;
	if (!final && now - x->last_status < 100000000)
		return;
	x->last_status = now;
	if (o->loops)
		snprintf(prog, sizeof(prog), " [%3.0f%%]", 100.0 * (double)x->c.sent / (double)o->loops);
	else if (o->duration_ns)
		snprintf(prog, sizeof(prog), " [%3.0f%%]", 100.0 * (double)(now - x->t0) / (double)o->duration_ns);
	fprintf(stderr, "\rT: 0 (%5d) P:%2d I:%lld C:%8llu Min:%7.1f Act:%7.1f Avg:%7.1f Max:%8.1f Lost:%llu%s ",
		(int)getpid(), o->priority, (long long)(o->interval_ns / 1000), (unsigned long long)x->c.sent,
		x->rtt.count ? (double)x->rtt.min / 1e3 : 0.0, (double)act / 1e3, rplat_hist_mean(&x->rtt) / 1e3,
		x->rtt.count ? (double)x->rtt.max / 1e3 : 0.0, (unsigned long long)x->c.lost, prog);
	if (final)
		fputc('\n', stderr);
}

/* A reply for an older sequence number than 'cur' (the newest sent): late (it was counted lost),
 * duplicate, or unknown. A reply of a warm-up message is ignored. */
static void older_reply(struct rplat_ping_ctx *x, uint32_t seq, uint32_t cur, const uint8_t *buf, ssize_t n,
			int64_t t_recv)
{
	uint8_t *st = &x->state[seq % SEQ_RING];
	struct rplat_ping_sample s = { .seq = seq, .size = (uint16_t)n };

	if (cur - seq >= SEQ_RING || *st == SQ_NONE) {
		x->c.corrupt++;
		return;
	}
	if (*st == SQ_WARM)
		return;
	if (*st == SQ_LOST) {
		const struct rplat_ping *p = (const void *)buf;

		*st = SQ_LATE;
		x->c.lost--;
		x->c.late++;
		x->c.received++;
		x->silent = 0; /* it answers, late */
		s.status = RPLAT_S_LATE;
		s.t_send = x->sent_at[seq % SEQ_RING];
		s.t_slot = x->slot_at[seq % SEQ_RING];
		s.t_wake = x->wake_at[seq % SEQ_RING];
		s.t_recv = t_recv;
		memcpy(&s.r_kick, &p->t_kick, 8);
		memcpy(&s.r_consume, &p->t_consume, 8);
		memcpy(&s.r_reply, &p->t_reply, 8);
		settle(x, &s, 1);
		return;
	}
	if (*st == SQ_WAIT)
		x->c.ooo++;
	else
		x->c.dup++;
}

/* Between sends, while a lost message may still be answered: listen until 'until' (CLOCK_MONOTONIC ns),
 * so that a late reply is stamped when it arrives, not when the next wait begins. Returns 0, or -1 to end
 * the run (the link failed, or a signal). */
static int listen_until(struct rplat_ping_ctx *x, uint32_t cur, int64_t until)
{
	uint8_t in[RPMSG_MAX_PAYLOAD];
	const struct rplat_hdr *h = (const void *)in;

	for (;;) {
		int64_t now = rplat_now_ns();
		ssize_t n;

		if (now >= until || rplat_stop || x->hook_stop)
			return 0;
		n = rplat_link_recv(x->link, in, sizeof(in), until - now);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EBADMSG || errno == EMSGSIZE) {
				x->c.corrupt++;
				continue;
			}
			x->ended_by = errno == EPIPE ? END_GONE : END_ERROR;
			if (errno != EPIPE)
				fprintf(stderr, "rplat: receive: %s\n", strerror(errno));
			return -1;
		}
		now = rplat_now_ns();
		if ((size_t)n < sizeof(*h) || h->magic != RPLAT_MAGIC || h->version != RPLAT_PROTO_VERSION ||
		    h->seq > cur)
			x->c.corrupt++;
		else
			older_reply(x, h->seq, cur + 1, in, n, now);
	}
}

/* Send message 'seq' (its grid slot and the sender's wakeup for it) and wait for its reply. Returns 0 to
 * go on, or -1 to end the run. A reply read later than --timeout after the send is late, whichever wait
 * read it: this one (its deadline passed before the thread got to run) or a later one. */
static int ping_once(struct rplat_ping_ctx *x, uint32_t seq, uint16_t size, int64_t slot, int64_t wake)
{
	const struct rplat_ping_opts *o = x->o;
	uint8_t out[RPLAT_PING_MAX], in[RPMSG_MAX_PAYLOAD];
	struct rplat_ping_sample s = { .seq = seq, .size = size, .status = RPLAT_S_LOST, .t_slot = slot,
				       .t_wake = wake };
	uint8_t *st = &x->state[seq % SEQ_RING];
	int64_t deadline;
	int graced = 0;

	rplat_ping_build(out, size, seq);
	if (o->hooks && o->hooks->before_send)
		o->hooks->before_send(o->hooks->ctx, seq);
	s.t_send = rplat_now_ns();
	x->sent_at[seq % SEQ_RING] = s.t_send;
	x->slot_at[seq % SEQ_RING] = slot;
	x->wake_at[seq % SEQ_RING] = wake;
	if (rplat_link_send(x->link, out, size)) {
		if (errno == ENOBUFS) { /* every TX buffer in flight: the remote is not consuming */
			x->c.sent++;
			x->c.lost++;
			*st = SQ_LOST;
			settle(x, &s, 0);
			return ++x->silent >= o->max_silent ? (x->ended_by = END_SILENT, -1) : 0;
		}
		if (errno != EPIPE) /* a remote that went away is said in the summary */
			fprintf(stderr, "rplat: send: %s\n", strerror(errno));
		x->ended_by = errno == EPIPE ? END_GONE : END_ERROR;
		return -1;
	}
	x->c.sent++;
	*st = SQ_WAIT;
	deadline = s.t_send + o->timeout_ns;
	for (;;) {
		int64_t now = rplat_now_ns();
		ssize_t n;
		const struct rplat_hdr *h = (const void *)in;
		int bad = 0;

		if (rplat_stop && !graced) {
			graced = 1;
			if (deadline > now + GRACE_NS)
				deadline = now + GRACE_NS;
		}
		/* past the deadline, one last look without waiting: a reply that came while this thread was not
		 * running is late (or, in a Ctrl-C's grace, simply in), not lost */
		n = rplat_link_recv(x->link, in, sizeof(in), now >= deadline ? 0 : deadline - now);
		if (n == 0) {
			x->c.lost++;
			*st = SQ_LOST;
			settle(x, &s, 0);
			if (rplat_stop)
				return -1;
			return ++x->silent >= o->max_silent ? (x->ended_by = END_SILENT, -1) : 0;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EBADMSG || errno == EMSGSIZE) {
				bad = 1; /* the link saw a malformed message: this one's reply, garbled */
			} else {
				x->c.lost++;
				*st = SQ_LOST;
				settle(x, &s, 0);
				x->ended_by = errno == EPIPE ? END_GONE : END_ERROR;
				if (errno != EPIPE)
					fprintf(stderr, "rplat: receive: %s\n", strerror(errno));
				return -1;
			}
		}
		s.t_recv = rplat_now_ns();
		if (!bad && ((size_t)n < sizeof(*h) || h->magic != RPLAT_MAGIC || h->version != RPLAT_PROTO_VERSION))
			bad = 1;
		if (!bad && h->seq < seq) {
			older_reply(x, h->seq, seq, in, n, s.t_recv);
			continue;
		}
		/* One message is in flight: a reply that is not an older message's is this one's, and one
		 * whose header or sequence number is garbled (never sent) ends it as corrupt, once. */
		if (!bad && h->seq != seq)
			bad = 1;
		x->c.received++;
		x->silent = 0;
		if (bad) {
			x->c.corrupt++;
			s.status = RPLAT_S_CORRUPT;
			*st = SQ_BAD;
		} else if (h->type == RPLAT_ERROR) {
			x->c.error++;
			s.status = RPLAT_S_ERROR;
			*st = SQ_BAD;
		} else if (h->type != RPLAT_PONG || (size_t)n < RPLAT_PING_MIN || !rplat_pong_intact(in, n, size, seq)) {
			x->c.corrupt++;
			s.status = RPLAT_S_CORRUPT;
			*st = SQ_BAD;
		} else {
			const struct rplat_ping *p = (const void *)in;

			memcpy(&s.r_kick, &p->t_kick, 8);
			memcpy(&s.r_consume, &p->t_consume, 8);
			memcpy(&s.r_reply, &p->t_reply, 8);
			if (s.t_recv - s.t_send > o->timeout_ns) {
				x->c.late++;
				s.status = RPLAT_S_LATE;
				*st = SQ_LATE;
			} else {
				s.status = RPLAT_S_OK;
				*st = SQ_OK;
			}
		}
		settle(x, &s, 0);
		status_line(x, s.t_recv, (uint64_t)(s.t_recv - s.t_send), 0);
		return x->hook_stop ? -1 : 0;
	}
}

/* ping_once for a warm-up message: measured and written, its counts kept apart. */
static int ping_warm_up(struct rplat_ping_ctx *x, uint32_t seq, uint16_t size, int64_t slot, int64_t wake)
{
	struct counts keep = x->c;
	int r = ping_once(x, seq, size, slot, wake);

	keep.warmup = x->c.warmup + 1;
	x->c = keep;
	return r;
}

/* ---- the second pass: stages and samples.tsv ---- */

/* A CLOCK_MONOTONIC / CLOCK_MONOTONIC_RAW pair read as close together as this machine allows: the
 * tightest of a few mono-raw-mono brackets, raw against the bracket's middle. */
static void mono_raw_pair(int64_t *mono, int64_t *raw)
{
	int64_t best = INT64_MAX;
	int i;

	for (i = 0; i < 16; i++) {
		int64_t a = rplat_now_ns(), r = rplat_now_raw_ns(), b = rplat_now_ns();

		if (b - a < best) {
			best = b - a;
			*mono = a + (b - a) / 2;
			*raw = r;
		}
	}
}

static double truth_mono(struct rplat_ping_ctx *x, uint64_t ticks)
{
	double raw = x->link->ops->truth_raw_ns(x->link, ticks);
	double span = (double)(x->raw1 - x->raw0);
	double k = span > 0 ? (double)(x->mono1 - x->mono0) / span : 1.0;

	return (double)x->mono0 + (raw - (double)x->raw0) * k;
}

static void put_num(FILE *f, double v, int valid)
{
	if (valid)
		fprintf(f, "\t%.0f", v);
	else
		fputs("\tnan", f);
}

static const char *status_name(enum rplat_sample_status s)
{
	static const char *const n[] = { "ok", "lost", "late", "dup", "ooo", "corrupt", "error", "warmup" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static int second_pass(struct rplat_ping_ctx *x)
{
	struct rplat_runfile rf;
	struct rplat_ping_sample s;
	int have_truth = x->link->ops->truth_raw_ns != NULL && x->fit.valid;
	FILE *in;
	int rc = 0;

	if (x->spill) {
		fclose(x->spill);
		x->spill = NULL;
	}
	in = fopen(x->spill_path, "r");
	if (!in)
		return 0;
	if (!x->o->no_samples && rplat_runfile_open(&rf, x->dir, "samples.tsv")) {
		fprintf(stderr, "rplat: %s/samples.tsv: %s\n", x->dir, strerror(errno));
		fclose(in);
		return -1;
	}
	if (!x->o->no_samples)
		fputs("seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tsend_wakeup\t"
		      "status\n", rf.f);
	while (fread(&s, sizeof(s), 1, in) == 1) {
		/* ok and late replies have their stages (the contract: both are in every figure); a warm-up
		 * message keeps its raw figures and no stage */
		int ok = s.status == RPLAT_S_OK || s.status == RPLAT_S_LATE;
		int got = ok || (s.status == RPLAT_S_WARMUP && s.t_recv);
		double st[NSTAGES] = { 0 };
		int i;

		if (ok) {
			double mk = rplat_clk_map(&x->fit, s.r_kick), mr = rplat_clk_map(&x->fit, s.r_reply);

			st[ST_H2R] = mk - (double)s.t_send;
			st[ST_DISPATCH] = rplat_clk_ticks_to_ns(&x->fit, (int64_t)(s.r_consume - s.r_kick));
			st[ST_PROC] = rplat_clk_ticks_to_ns(&x->fit, (int64_t)(s.r_reply - s.r_consume));
			st[ST_R2H] = (double)s.t_recv - mr;
			for (i = 0; i < NSTAGES; i++)
				if (x->fit.valid || i == ST_DISPATCH || i == ST_PROC)
					rplat_hist_add_signed(&x->stage[i], llround(st[i]));
			if (have_truth) {
				rplat_hist_add(&x->truth_err, (uint64_t)llround(fabs(mk - truth_mono(x, s.r_kick))));
				rplat_hist_add(&x->truth_err, (uint64_t)llround(fabs(mr - truth_mono(x, s.r_reply))));
			}
		}
		if (x->o->no_samples)
			continue;
		fprintf(rf.f, "%u\t%u\t%lld", s.seq, s.size, (long long)s.t_send);
		put_num(rf.f, (double)(s.t_recv - s.t_send), got);
		put_num(rf.f, st[ST_H2R], ok && x->fit.valid);
		put_num(rf.f, st[ST_DISPATCH], ok);
		put_num(rf.f, st[ST_PROC], ok);
		put_num(rf.f, st[ST_R2H], ok && x->fit.valid);
		put_num(rf.f, (double)s.r_kick, got);
		put_num(rf.f, (double)s.r_consume, got);
		put_num(rf.f, (double)s.r_reply, got);
		put_num(rf.f, (double)(s.t_wake - s.t_slot), s.t_slot != 0);
		fprintf(rf.f, "\t%s\n", status_name(s.status));
	}
	fclose(in);
	if (!x->o->no_samples && rplat_runfile_commit(&rf)) {
		fprintf(stderr, "rplat: %s/samples.tsv: %s\n", x->dir, strerror(errno));
		rc = -1;
	}
	unlink(x->spill_path);
	return rc;
}

/* ---- outputs ---- */

static void json_counts(struct rplat_jw *jw, const struct counts *c)
{
	rplat_jw_obj_begin(jw, "counts");
	rplat_jw_uint(jw, "sent", c->sent);
	rplat_jw_uint(jw, "received", c->received);
	rplat_jw_uint(jw, "lost", c->lost);
	rplat_jw_uint(jw, "late", c->late);
	rplat_jw_uint(jw, "duplicate", c->dup);
	rplat_jw_uint(jw, "out_of_order", c->ooo);
	rplat_jw_uint(jw, "corrupt", c->corrupt);
	rplat_jw_uint(jw, "error", c->error);
	rplat_jw_uint(jw, "warmup", c->warmup);
	rplat_jw_uint(jw, "skipped_slots", c->skipped);
	rplat_jw_obj_end(jw);
}

static const char *link_type(const char *spec)
{
	static char t[32];

	return rplat_link_type(spec, t, sizeof(t));
}

static int write_run_json(struct rplat_ping_ctx *x)
{
	const struct rplat_ping_opts *o = x->o;
	struct rplat_runfile rf;
	struct rplat_jw jw;
	char t0[32], t1[32], label[256];
	int i;

	if (rplat_runfile_open(&rf, x->dir, "run.json"))
		return -1;
	rplat_iso_time(x->wall0, t0, sizeof(t0));
	rplat_iso_time(x->wall1, t1, sizeof(t1));
	snprintf(label, sizeof(label), "%s %s %s", x->si.release, x->si.preempt, link_type(o->link));
	rplat_jw_init(&jw, rf.f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-run");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "kind", "ping");
	rplat_jw_str(&jw, "label", o->label ? o->label : label);
	rplat_jw_str(&jw, "command", o->command ? o->command : "rplat ping");
	rplat_jw_str(&jw, "start_time", t0);
	rplat_jw_str(&jw, "end_time", t1);
	rplat_jw_double(&jw, "duration_s", (double)(x->t_end - x->t0) / 1e9);
	rplat_sysinfo_json(&x->si, &jw);
	rplat_jw_obj_begin(&jw, "link");
	rplat_jw_str(&jw, "spec", o->link);
	rplat_jw_str(&jw, "type", link_type(o->link));
	rplat_jw_str(&jw, "desc", x->link->desc);
	rplat_jw_obj_end(&jw);
	if (x->have_info)
		rplat_json_firmware(&jw, &x->info);
	rplat_json_rsc(&jw, x->link);
	rplat_jw_obj_begin(&jw, "options");
	rplat_jw_uint(&jw, "loops", o->loops);
	rplat_jw_double(&jw, "duration_s", (double)o->duration_ns / 1e9);
	rplat_jw_double(&jw, "interval_us", (double)o->interval_ns / 1e3);
	rplat_jw_arr_begin(&jw, "sizes");
	for (i = 0; i < o->nsizes; i++)
		rplat_jw_uint(&jw, NULL, o->sizes[i]);
	rplat_jw_arr_end(&jw);
	rplat_jw_int(&jw, "priority", o->priority);
	rplat_jw_int(&jw, "affinity", o->affinity);
	rplat_jw_bool(&jw, "mlockall", o->mlockall);
	rplat_jw_int(&jw, "dma_latency", o->dma_latency);
	rplat_jw_double(&jw, "timeout_us", (double)o->timeout_ns / 1e3);
	rplat_jw_obj_begin(&jw, "warm_up");
	rplat_jw_uint(&jw, "messages", o->warm_up);
	rplat_jw_double(&jw, "duration_s", (double)o->warm_up_ns / 1e9);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_load_write_json(x->load, &jw);
	rplat_jw_obj_begin(&jw, "clock");
	rplat_jw_str(&jw, "method", rplat_clk_method(&x->fit));
	rplat_jw_bool(&jw, "valid", x->fit.valid);
	rplat_jw_double(&jw, "nominal_hz", x->have_info ? (double)x->info.counter_hz : 0);
	if (x->fit.valid) {
		rplat_jw_double(&jw, "est_hz", x->fit.hz_est);
		rplat_jw_double(&jw, "drift_ppm", x->fit.drift_ppm);
		rplat_jw_double(&jw, "err_bound_ns", x->fit.err_ns);
		/* false: the bounds crossed (clock wander, a wrong stamp), err_bound_ns is an estimate */
		rplat_jw_bool(&jw, "bound_guaranteed", !x->fit.crossed);
		rplat_jw_uint(&jw, "windows", x->fit.windows);
		rplat_jw_uint(&jw, "ref_ticks", x->fit.r0);
		rplat_jw_double(&jw, "ref_host_ns", x->fit.h0);
		rplat_jw_double(&jw, "ns_per_tick", x->fit.ns_per_tick);
	}
	if (x->truth_err.count) {
		rplat_jw_obj_begin(&jw, "sim_truth");
		rplat_jw_uint(&jw, "p50_ns", rplat_hist_percentile(&x->truth_err, 50));
		rplat_jw_uint(&jw, "p99_ns", rplat_hist_percentile(&x->truth_err, 99));
		rplat_jw_uint(&jw, "max_ns", x->truth_err.max);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_obj_end(&jw);
	json_counts(&jw, &x->c);
	rplat_jw_obj_begin(&jw, "summary");
	rplat_stats_json(&jw, "rtt", &x->rtt, -1);
	rplat_jw_uint(&jw, "max_seq", x->max_seq);
	rplat_jw_double(&jw, "max_time_s", (double)x->max_time / 1e9);
	rplat_jw_obj_begin(&jw, "stages");
	for (i = 0; i < NSTAGES; i++)
		rplat_stats_json(&jw, stage_name[i], &x->stage[i],
				 (i == ST_H2R || i == ST_R2H) && x->fit.valid ? x->fit.err_ns : -1);
	if (o->interval_ns) /* the sender's wakeup latency, on the grid only (no grid with -i 0) */
		rplat_stats_json(&jw, "send_wakeup", &x->wake, -1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "per_size");
	for (i = 0; i < o->nsizes; i++) {
		char k[16];

		snprintf(k, sizeof(k), "%u", o->sizes[i]);
		rplat_stats_json(&jw, k, &x->per_size[i], -1);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	if (o->hooks && o->hooks->stop) {
		rplat_jw_obj_begin(&jw, "trace");
		o->hooks->stop(o->hooks->ctx, x->dir, &jw);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_str(&jw, "ended_by", end_name[x->ended_by]);
	rplat_jw_int(&jw, "return_code", x->rc);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw)) {
		rplat_runfile_abort(&rf);
		return -1;
	}
	return rplat_runfile_commit(&rf);
}

/* cyclictest's -h format, one thread, as rt-tests 2.x prints it: every 1 us bin below US (empty ones
 * too), Total without the overflows, min/avg/max over every answered message, and the overflowing
 * messages' seqs (as many as there are bins, then how many others). */
static int write_h1us(struct rplat_ping_ctx *x, FILE *f)
{
	const struct rplat_hist *h = &x->rtt;
	uint64_t total = 0, i, listed;

	fprintf(f, "# Histogram\n");
	for (i = 0; i < (uint64_t)x->o->hist_us; i++) {
		fprintf(f, "%06llu %06llu\n", (unsigned long long)i, (unsigned long long)x->h1us[i]);
		total += x->h1us[i];
	}
	fprintf(f, "# Total: %09llu\n", (unsigned long long)total);
	fprintf(f, "# Min Latencies: %05llu\n", (unsigned long long)(h->count ? h->min / 1000 : 0));
	fprintf(f, "# Avg Latencies: %05llu\n", (unsigned long long)(rplat_hist_mean(h) / 1000));
	fprintf(f, "# Max Latencies: %05llu\n", (unsigned long long)(h->count ? h->max / 1000 : 0));
	fprintf(f, "# Histogram Overflows: %05llu\n", (unsigned long long)x->h1us_over);
	fprintf(f, "# Histogram Overflow at cycle number:\n# Thread 0:");
	listed = x->h1us_over < (uint64_t)x->o->hist_us ? x->h1us_over : (uint64_t)x->o->hist_us;
	for (i = 0; i < listed; i++)
		fprintf(f, " %05u", x->h1us_over_seq[i]);
	if (x->h1us_over > listed)
		fprintf(f, " # %05llu others", (unsigned long long)(x->h1us_over - listed));
	fprintf(f, "\n\n");
	return ferror(f) ? -1 : 0;
}

/* --json: cyclictest's keys (times in us) plus "rplat" with the run's own summary. */
static int write_cyclictest_json(struct rplat_ping_ctx *x, const char *path)
{
	struct rplat_jw jw;
	char t0[32], t1[32];
	FILE *f = fopen(path, "w");
	uint64_t i;

	if (!f)
		return -1;
	rplat_iso_time(x->wall0, t0, sizeof(t0));
	rplat_iso_time(x->wall1, t1, sizeof(t1));
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_int(&jw, "file_version", 1);
	rplat_jw_str(&jw, "cmdline:", x->o->command ? x->o->command : "rplat ping");
	rplat_jw_str(&jw, "rt_test_version:", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "start_time", t0);
	rplat_jw_str(&jw, "end_time", t1);
	rplat_jw_int(&jw, "return_code", x->rc);
	rplat_jw_obj_begin(&jw, "sysinfo");
	rplat_jw_str(&jw, "sysname", x->si.sysname);
	rplat_jw_str(&jw, "nodename", x->si.nodename);
	rplat_jw_str(&jw, "release", x->si.release);
	rplat_jw_str(&jw, "version", x->si.version);
	rplat_jw_str(&jw, "machine", x->si.machine);
	rplat_jw_int(&jw, "realtime", x->si.realtime);
	rplat_jw_obj_end(&jw);
	rplat_jw_int(&jw, "num_threads", 1);
	rplat_jw_int(&jw, "resolution_in_ns", 1);
	rplat_jw_obj_begin(&jw, "thread");
	rplat_jw_obj_begin(&jw, "0");
	rplat_jw_obj_begin(&jw, "histogram");
	if (x->h1us) {
		for (i = 0; i < (uint64_t)x->o->hist_us; i++)
			if (x->h1us[i]) {
				char k[24];

				snprintf(k, sizeof(k), "%llu", (unsigned long long)i);
				rplat_jw_uint(&jw, k, x->h1us[i]);
			}
	} else if (x->jus) {
		/* no -h: exact 1 us counts up to JSON_HIST_US; the rest are counted in "rplat" */
		for (i = 0; i < JSON_HIST_US; i++)
			if (x->jus[i]) {
				char k[24];

				snprintf(k, sizeof(k), "%llu", (unsigned long long)i);
				rplat_jw_uint(&jw, k, x->jus[i]);
			}
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_uint(&jw, "cycles", x->c.sent);
	rplat_jw_uint(&jw, "min", x->rtt.count ? x->rtt.min / 1000 : 0);
	rplat_jw_uint(&jw, "max", x->rtt.count ? x->rtt.max / 1000 : 0);
	rplat_jw_double(&jw, "avg", rplat_hist_mean(&x->rtt) / 1000);
	rplat_jw_int(&jw, "cpu", x->o->affinity);
	rplat_jw_int(&jw, "node", 0);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "rplat");
	rplat_jw_str(&jw, "run_dir", x->dir);
	/* the histogram's keys: 1 us bins below this; answered messages at or over it are in no key */
	rplat_jw_uint(&jw, "histogram_us", x->h1us ? (uint64_t)x->o->hist_us : JSON_HIST_US);
	rplat_jw_uint(&jw, "histogram_overflows", x->h1us ? x->h1us_over : x->jus_over);
	json_counts(&jw, &x->c);
	rplat_stats_json(&jw, "rtt", &x->rtt, -1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw)) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void print_summary(struct rplat_ping_ctx *x)
{
	const struct counts *c = &x->c;
	int i;

	printf("# rplat ping: %s\n", x->link->desc);
	if (x->have_info)
		printf("# probe: %s, firmware %u.%u.%u, counter %.3f MHz, vring num %u\n", x->info.target,
		       x->info.fw_version >> 16, (x->info.fw_version >> 8) & 0xff, x->info.fw_version & 0xff,
		       (double)x->info.counter_hz / 1e6, x->info.vring_num);
	printf("# %-16s %9s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "latency (us)", "count", "min", "avg", "max",
	       "stddev", "p50", "p90", "p99", "p99.9", "p99.99");
	rplat_print_stats_row("rtt", &x->rtt, -1);
	for (i = 0; i < NSTAGES; i++)
		rplat_print_stats_row(stage_name[i], &x->stage[i],
				(i == ST_H2R || i == ST_R2H) && x->fit.valid ? x->fit.err_ns : -1);
	if (x->o->nsizes > 1)
		for (i = 0; i < x->o->nsizes; i++) {
			char k[32];

			snprintf(k, sizeof(k), "rtt@%u", x->o->sizes[i]);
			rplat_print_stats_row(k, &x->per_size[i], -1);
		}
	if (x->o->interval_ns)
		rplat_print_stats_row("send_wakeup", &x->wake, -1);
	if (x->rtt.count)
		printf("# max %.2f us at seq %u, %.3f s into the run\n", (double)x->max_rtt / 1e3, x->max_seq,
		       (double)x->max_time / 1e9);
	printf("# messages: sent %llu, received %llu, lost %llu, late %llu, duplicate %llu, out-of-order %llu, "
	       "corrupt %llu, error %llu\n", (unsigned long long)c->sent, (unsigned long long)c->received,
	       (unsigned long long)c->lost, (unsigned long long)c->late, (unsigned long long)c->dup,
	       (unsigned long long)c->ooo, (unsigned long long)c->corrupt, (unsigned long long)c->error);
	if (x->fit.valid)
		printf("# clock: remote counter %.6f MHz (drift %+.2f ppm), mapped times +-%.2f us (%zu windows)%s\n",
		       x->fit.hz_est / 1e6, x->fit.drift_ppm, x->fit.err_ns / 1e3, x->fit.windows,
		       x->fit.crossed ? "; no straight line meets every exchange's bounds (the clock wandered, or a "
					"stamp is wrong): the +- is an estimate, not a bound" : "");
	else
		printf("# clock: no fit (fewer than 2 replies); host<->remote stages not computed\n");
	if (x->truth_err.count)
		printf("# clock vs the sim's truth: p50 %.3f us, p99 %.3f us, max %.3f us\n",
		       (double)rplat_hist_percentile(&x->truth_err, 50) / 1e3,
		       (double)rplat_hist_percentile(&x->truth_err, 99) / 1e3, (double)x->truth_err.max / 1e3);
	if (c->warmup)
		printf("# warm-up: %llu messages before these, in no figure\n", (unsigned long long)c->warmup);
	if (x->o->interval_ns)
		printf("# send grid: %llu slots of %.0f us skipped (the previous reply was not in yet); sender wakeup "
		       "latency min %.2f avg %.2f max %.2f us\n", (unsigned long long)c->skipped,
		       (double)x->o->interval_ns / 1e3, x->wake.count ? (double)x->wake.min / 1e3 : 0.0,
		       rplat_hist_mean(&x->wake) / 1e3, x->wake.count ? (double)x->wake.max / 1e3 : 0.0);
	if (x->ended_by == END_SILENT)
		printf("# the remote stopped answering: run ended after %d consecutive timeouts\n", x->o->max_silent);
	else if (x->ended_by == END_GONE)
		printf("# the remote went away: run ended early\n");
	else if (x->ended_by == END_SIGNAL)
		printf("# interrupted\n");
	else if (x->ended_by == END_BREAK)
		printf("# stopped early by a break (a hook's threshold) after %llu messages\n",
		       (unsigned long long)c->sent);
	printf("# run: %s\n", x->dir);
}

/* Everything but samples.tsv (written already; 'bad' says whether that failed). run.json is written last,
 * with the return code every earlier failure makes, so that it equals the exit code. */
static int write_outputs(struct rplat_ping_ctx *x, int bad)
{
	int i;

	for (i = 0; i < NSTAGES; i++)
		bad |= rplat_run_write_hist(x->dir, stage_name[i], &x->stage[i]);
	bad |= rplat_run_write_hist(x->dir, "rtt", &x->rtt);
	if (x->o->interval_ns)
		bad |= rplat_run_write_hist(x->dir, "send_wakeup", &x->wake);
	if (x->o->nsizes > 1)
		for (i = 0; i < x->o->nsizes; i++) {
			char k[32];

			snprintf(k, sizeof(k), "rtt@%u", x->o->sizes[i]);
			bad |= rplat_run_write_hist(x->dir, k, &x->per_size[i]);
		}
	if (x->h1us) {
		struct rplat_runfile rf;

		if (rplat_runfile_open(&rf, x->dir, "histogram.txt") == 0 && write_h1us(x, rf.f) == 0)
			bad |= rplat_runfile_commit(&rf);
		else
			bad = 1;
		write_h1us(x, stdout); /* -q too, as cyclictest -q -h */
	}
	if (bad)
		fprintf(stderr, "rplat: writing the run directory %s failed: %s\n", x->dir, strerror(errno));
	if (x->o->json_path && write_cyclictest_json(x, x->o->json_path)) {
		/* checked before measuring, so it is rare: the run directory itself is fine */
		fprintf(stderr, "rplat: --json %s: %s\n", x->o->json_path, strerror(errno));
		bad = 1;
	}
	if (bad && !x->rc)
		x->rc = 1;
	if (write_run_json(x)) {
		fprintf(stderr, "rplat: writing %s/run.json failed: %s\n", x->dir, strerror(errno));
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* --json FILE must be writable before anything is measured: an existing writable file, or a new one
 * in an existing writable directory. Returns 0, or -1 with a message in err. */
static int json_path_ok(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	struct stat st;
	char *slash;

	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return rplat_fail(err, errlen, "--json %s: is a directory", path);
		if (access(path, W_OK))
			return rplat_fail(err, errlen, "--json %s: %s", path, strerror(errno));
		return 0;
	}
	if (errno != ENOENT)
		return rplat_fail(err, errlen, "--json %s: %s", path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return rplat_fail(err, errlen, "--json %s: its directory %s does not exist", path, dir);
	if (access(dir, W_OK | X_OK))
		return rplat_fail(err, errlen, "--json %s: cannot create a file in %s: %s", path, dir, strerror(errno));
	return 0;
}

static int exit_code(const struct rplat_ping_ctx *x)
{
	if (x->ended_by == END_SILENT || x->ended_by == END_GONE || x->ended_by == END_ERROR)
		return 3;
	if (x->ended_by == END_BREAK)
		return 1;
	if (x->c.lost || x->c.late || x->c.dup || x->c.ooo || x->c.corrupt || x->c.error)
		return 1;
	return 0;
}

int rplat_ping_run(const struct rplat_ping_opts *o)
{
	struct rplat_ping_ctx *x = calloc(1, sizeof(*x));
	char err[512];
	int64_t next;
	uint32_t seq;
	int rc = 2, i, made = 0, created = 0, measuring = 0;

	if (!x)
		return 2;
	x->o = o;
	x->tty = isatty(STDERR_FILENO);
	x->rt.dma_fd = -1;
	rplat_measure_signals();
	rplat_sysinfo_read(&x->si);
	rplat_hist_init(&x->rtt);
	rplat_hist_init(&x->truth_err);
	rplat_hist_init(&x->wake);
	x->last_lost = -1;
	x->first_measured = o->warm_up || o->warm_up_ns ? UINT32_MAX : 0;
	for (i = 0; i < NSTAGES; i++)
		rplat_hist_init(&x->stage[i]);
	x->per_size = calloc((size_t)o->nsizes, sizeof(*x->per_size));
	if (!x->per_size)
		goto out;
	for (i = 0; i < o->nsizes; i++)
		rplat_hist_init(&x->per_size[i]);
	if (o->hist_us && (!(x->h1us = calloc((size_t)o->hist_us, sizeof(*x->h1us))) ||
			   !(x->h1us_over_seq = calloc((size_t)o->hist_us, sizeof(*x->h1us_over_seq)))))
		goto out;
	if (o->json_path && !o->hist_us && !(x->jus = calloc(JSON_HIST_US, sizeof(*x->jus))))
		goto out;
	if (o->out_dir) {
		snprintf(x->dir, sizeof(x->dir), "%s", o->out_dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(x->dir, sizeof(x->dir), "rplat-run-%Y%m%d-%H%M%S", &tm);
	}
	if (o->json_path && json_path_ok(o->json_path, err, sizeof(err))) {
		fprintf(stderr, "rplat: %s\n", err);
		goto out;
	}
	/* the link first: a link that does not open leaves no run directory behind */
	x->link = rplat_link_open(o->link, err, sizeof(err));
	if (!x->link) {
		fprintf(stderr, "rplat: --link %s: %s\n", o->link, err);
		goto out;
	}
	if (rplat_probe_info(x->link, &x->info, o->timeout_ns > 2000000000 ? o->timeout_ns : 2000000000, err,
			     sizeof(err))) {
		fprintf(stderr, "rplat: %s\n", err);
		goto out;
	}
	x->have_info = 1;
	if (rplat_run_create(x->dir, &created, err, sizeof(err))) {
		fprintf(stderr, "rplat: %s\n", err);
		goto out;
	}
	made = 1;
	rplat_clk_init(&x->clk, (double)x->info.counter_hz);
	snprintf(x->spill_path, sizeof(x->spill_path), "%s/.samples.spill", x->dir);
	x->spill = fopen(x->spill_path, "w+");
	if (!x->spill) {
		fprintf(stderr, "rplat: %s: %s\n", x->spill_path, strerror(errno));
		goto out;
	}
	if (rplat_rt_setup(&x->rt, o->priority, o->affinity, o->mlockall, o->dma_latency))
		goto out;
	if (o->hooks && o->hooks->start && o->hooks->start(o->hooks->ctx, x->dir, x->link)) {
		fprintf(stderr, "rplat: could not start (see above)\n");
		goto out;
	}
	if (o->load && strcmp(o->load, "none")) {
		char avoid[64] = "";
		const char *cpu = strstr(o->link, "cpu=");

		/* keep the load off the CPUs the measurement runs on: ours and the sim probe's */
		if (o->affinity >= 0)
			snprintf(avoid, sizeof(avoid), "%d", o->affinity);
		if (!strncmp(o->link, "sim", 3) && cpu)
			snprintf(avoid + strlen(avoid), sizeof(avoid) - strlen(avoid), "%s%d", avoid[0] ? "," : "",
				 atoi(cpu + 4));
		if (!o->quiet)
			fprintf(stderr, "rplat ping: starting load '%s'\n", o->load);
		if (rplat_load_start(o->load, x->dir, avoid, &x->load, err, sizeof(err))) {
			fprintf(stderr, "rplat: --load %s: %s\n", o->load, err);
			goto out;
		}
	}
	if (!o->quiet)
		fprintf(stderr, "rplat ping: %s -> %s\n", x->link->desc, x->dir);
	measuring = 1;
	x->wall0 = time(NULL);
	mono_raw_pair(&x->mono0, &x->raw0);
	x->t0 = rplat_now_ns();
	next = x->t0;
	/* cyclictest's absolute grid: slot k is t0 + k * interval. A slot that passes while the previous
	 * message is still out is skipped (counted), never sent late in a burst; a slot the sender wakes
	 * up late for is sent at once, and the lateness is its wakeup latency. */
	for (seq = 0; !rplat_stop; seq++) {
		int64_t now = rplat_now_ns(), wake;
		uint16_t size = o->sizes[seq % (uint32_t)o->nsizes];
		struct timespec ts;
		int r;

		if (o->loops && seq >= o->loops)
			break;
		if (o->duration_ns && now - x->t0 >= o->duration_ns)
			break;
		if (seq && o->interval_ns && next < now) { /* behind: skip the slots that passed, keep the phase */
			int64_t k = (now - next) / o->interval_ns + 1;

			next += k * o->interval_ns;
			if (seq > x->first_measured)
				x->c.skipped += (uint64_t)k;
		}
		if (next > now) {
			if (x->last_lost >= 0 && seq - (uint32_t)x->last_lost < SEQ_RING) {
				if (listen_until(x, seq - 1, next) || x->hook_stop) /* a late reply can stop it */
					break;
			} else {
				ts.tv_sec = next / 1000000000;
				ts.tv_nsec = next % 1000000000;
				while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !rplat_stop)
					;
			}
			if (rplat_stop)
				break;
		}
		wake = rplat_now_ns();
		if (x->first_measured == UINT32_MAX &&
		    !((o->warm_up && seq < o->warm_up) || (o->warm_up_ns && wake - x->t0 < o->warm_up_ns)))
			x->first_measured = seq;
		if (seq < x->first_measured)
			r = ping_warm_up(x, seq, size, o->interval_ns ? next : 0, wake);
		else
			r = ping_once(x, seq, size, o->interval_ns ? next : 0, wake);
		if (r || x->hook_stop) /* a hook may stop the run on a lost message too */
			break;
		next = o->interval_ns ? next + o->interval_ns : rplat_now_ns();
	}
	/* the run is over, but a lost message's reply may still come: give it the grace a Ctrl-C gives */
	if (!x->ended_by && !x->hook_stop && !rplat_stop && seq && x->last_lost >= 0 &&
	    seq - 1 - (uint32_t)x->last_lost < SEQ_RING)
		listen_until(x, seq - 1, rplat_now_ns() + GRACE_NS);
	x->t_end = rplat_now_ns();
	mono_raw_pair(&x->mono1, &x->raw1);
	x->wall1 = time(NULL);
	if (rplat_stop && !x->ended_by)
		x->ended_by = END_SIGNAL;
	if (x->hook_stop && !x->ended_by) {
		x->ended_by = END_BREAK;
		fprintf(stderr, "rplat: stopped early by a break (a hook's threshold) at seq %u, %llu messages sent "
			"after the warm-up\n", seq, (unsigned long long)x->c.sent);
	}
	status_line(x, x->t_end, 0, 1);
	rplat_rt_restore(&x->rt);
	if (x->load && rplat_load_stop(x->load, err, sizeof(err)))
		fprintf(stderr, "rplat: load: %s\n", err);
	/* the probe's counters after the run (best effort: it may be gone) */
	if ((x->ended_by == END_DONE || x->ended_by == END_BREAK) && !rplat_stop)
		rplat_probe_info(x->link, &x->info, 1000000000, err, sizeof(err));
	rplat_clk_fit(&x->clk, &x->fit);
	x->rc = exit_code(x);
	if (write_outputs(x, second_pass(x) != 0))
		x->rc = x->rc ? x->rc : 1;
	print_summary(x);
	rc = x->rc;
out:
	rplat_rt_restore(&x->rt);
	if (x->spill) {
		fclose(x->spill);
		unlink(x->spill_path);
	}
	if (made && !measuring) /* a setup error: leave no half-made run directory */
		rplat_run_discard(x->dir, created);
	rplat_load_free(x->load);
	rplat_link_close(x->link);
	free(x->per_size);
	free(x->h1us);
	free(x->h1us_over_seq);
	free(x->jus);
	free(x);
	return rc;
}
