/* rplat stream: remote -> host one-way latency from the probe's own timer.
 *
 * The probe sends STREAM_DATA every period from its timer interrupt, stamped at the timer's due time,
 * at ISR entry and just before the kick. One-way latency needs the probe's counter on host time, and a
 * stream alone only bounds the mapping from one side, so the clock is calibrated with pings before and
 * after the stream (their fit spans the stream). Stages:
 *   irq_latency    t_isr - t_due          the probe's own interrupt entry latency (remote clock only)
 *   isr_to_send    t_send - t_isr         the probe's work before the kick (remote clock only)
 *   one_way        host receive - t_send  mapped through the clock fit (carries its error bound)
 *   interarrival   between consecutive host receives (the period as Linux sees it)
 * The probe's seq counts the messages it sent, so a gap in it is a message lost on the way. A period
 * without a message is either an overrun (no RX buffer; the probe counts those) or a timer expiry its
 * interrupt missed altogether, seen as a t_due step of more than one period (missed_periods).
 *
 * The fit is two-sided only when the closing calibration answered: without it (the remote went away or
 * stopped answering after the stream) the fit is extrapolated over the stream, marked one-sided, and its
 * bound widened by the slope the opening calibration alone allows. A negative one-way latency cannot
 * happen under a right fit: each is counted and said, never clamped away. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "rplat/clocksync.h"
#include "rplat/hist.h"
#include "rplat/json.h"
#include "rplat/link.h"
#include "rplat/measure.h"
#include "rplat/ping.h"
#include "rplat/runfile.h"
#include "rplat/sysinfo.h"
#include "rplat/util.h"
#include "rplat/wire/rpmsg.h"
#include "trace_hooks.h"

#define MAX_GAP 100000u

struct stream_opts {
	const char *link, *out_dir, *label;
	int64_t period_ns, duration_ns;
	uint64_t count;
	uint16_t size;
	int priority, affinity, mlockall, dma_latency, quiet, calibrate, trace, tgiven;
	uint64_t warm_up;  /* --warm-up N: the first N stream messages are warm-up */
	int64_t warm_up_ns; /* --warm-up TIME: those received in the first TIME of the stream */
	struct rplat_trace_opts topt; /* --trace: rplat trace's options (but --break and --on-threshold) */
	char command[1024];
};

struct rec {
	uint32_t seq;
	int status; /* 0 ok, 1 lost, 2 dup, 3 ooo, 4 warm-up (received or not: t_recv 0), 5 corrupt */
	int64_t t_recv;
	uint64_t t_due, t_isr, t_send;
};

struct counts {
	uint64_t expected, received, lost, dup, ooo, corrupt;
	uint64_t warmup;   /* seqs of the warm-up (received or not): in no other count */
	uint32_t overruns;
};

/* ended_by */
enum { END_DONE, END_SIGNAL, END_SILENT, END_GONE };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat stream [OPTIONS]\n\n"
		"The probe sends time-stamped messages from its own timer; rplat measures their one-way latency\n"
		"to the host, the probe's own interrupt latency and the arrival jitter.\n\n"
		"  -L, --link SPEC       the link (default sim)\n"
		"  -i, --interval US     the probe's period, us (default 1000; at least 10)\n"
		"  -n, --count N         messages to stream (default 10000 unless -D)\n"
		"  -D, --duration T      stream for T (30, 30s, 5m, ...) instead of a count\n"
		"  -s, --size BYTES      message size, 48..496 (default 48)\n"
		"      --calibrate N     clock-calibration pings before and after the stream (default 500)\n"
		"      --warm-up N|TIME  the first N stream messages, or those of the first TIME (2s, 500ms),\n"
		"                        are warm-up: written as 'warmup' in samples.tsv, in no figure or count\n"
		"  -p, --priority N      SCHED_FIFO priority of the receiving thread\n"
		"  -a, --affinity CPU    pin the receiving thread\n"
		"  -m, --mlockall        lock memory\n"
		"      --dma-latency US  hold /dev/cpu_dma_latency (default 0); --no-dma-latency to leave it\n"
		"  -q, --quiet           summary only\n"
		"  -o, --output DIR      run directory (default rplat-stream-YYYYmmdd-HHMMSS)\n"
		"      --label TEXT      label for reports\n"
		"      --trace           record ftrace events during the stream into RUN/trace and break each\n"
		"                        message's latency into stages (remote IRQ latency, ISR -> send, send ->\n"
		"                        host IRQ/wakeup, scheduled in, read returns), explaining the outliers;\n"
		"                        with it: --worst N, --threshold US (above it, from timer due to host\n"
		"                        receive), --buffer-kb N, --reader-cpu N, --uprobes, --no-analysis\n"
		"                        (rplat trace --help; --break and --on-threshold are ping's: a stream's\n"
		"                        latency is known only after the closing calibration)\n"
		"Exit: 0 all messages arrived, 1 some were lost/duplicated/out of order/corrupt, the probe\n"
		"overran, or a one-way latency came out negative (the clock fit is wrong), 2 usage or setup\n"
		"error, 3 the remote went away or stopped answering. Missed timer periods are counted, not an\n"
		"error: no message was lost (see the README).\n");
}

/* Take rplat trace's options out of argv (they are not getopt's); refuse the ping-only ones. */
static int trace_opts(struct stream_opts *o, int *argc, char **argv)
{
	char err[512];
	int i, j, n;

	for (i = j = 1; i < *argc; i += n) {
		if (!strcmp(argv[i], "--break") || !strcmp(argv[i], "--on-threshold")) {
			fprintf(stderr, "rplat stream: %s is for round trips (rplat trace, rplat ping --trace): a "
				"stream's latency is known only after its closing calibration; use --threshold to "
				"have the analysis explain every message above it\n", argv[i]);
			return -1;
		}
		n = rplat_trace_parse_opt(&o->topt, *argc, argv, i, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "rplat stream: %s\n", err);
			return -1;
		}
		if (!n) {
			argv[j++] = argv[i];
			n = 1;
		} else {
			o->tgiven = 1;
		}
	}
	*argc = j;
	argv[j] = NULL;
	return 0;
}

static int parse(struct stream_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "link", required_argument, NULL, 'L' }, { "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' }, { "duration", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 's' }, { "calibrate", required_argument, NULL, 'c' },
		{ "priority", required_argument, NULL, 'p' }, { "affinity", required_argument, NULL, 'a' },
		{ "mlockall", no_argument, NULL, 'm' }, { "dma-latency", required_argument, NULL, 'd' },
		{ "no-dma-latency", no_argument, NULL, 'N' }, { "quiet", no_argument, NULL, 'q' },
		{ "output", required_argument, NULL, 'o' }, { "label", required_argument, NULL, 'l' },
		{ "trace", no_argument, NULL, 'T' }, { "warm-up", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, i;
	size_t len = 0;

	memset(o, 0, sizeof(*o));
	rplat_trace_opts_init(&o->topt);
	o->link = "sim";
	o->period_ns = 1000000;
	o->size = sizeof(struct rplat_stream_data);
	o->affinity = -1;
	o->calibrate = 500;
	for (i = 0; i < argc && len + 1 < sizeof(o->command); i++)
		len += (size_t)snprintf(o->command + len, sizeof(o->command) - len, "%s%s", i ? " " : "rplat ", argv[i]);
	if (trace_opts(o, &argc, argv))
		return -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":L:i:n:D:s:p:a:mqo:", lo, NULL)) != -1) {
		const char *bad = NULL;

		switch (c) {
		case 'L': o->link = optarg; break;
		case 'i':
			if (rplat_parse_time_us(optarg, &o->period_ns) || o->period_ns < 10000 || o->period_ns > 60000000000ll)
				bad = "--interval takes 10 us .. 60 s";
			break;
		case 'n':
			if (rplat_parse_u64(optarg, &o->count) || !o->count || o->count > 0xFFFFFFF0u)
				bad = "--count takes a positive count";
			break;
		case 'D':
			if (rplat_parse_duration(optarg, &o->duration_ns) || !o->duration_ns)
				bad = "--duration takes a time such as 30, 30s or 5m";
			break;
		case 's':
			if (rplat_parse_u64(optarg, &v) || v < sizeof(struct rplat_stream_data) || v > RPLAT_PING_MAX)
				bad = "--size takes 48..496 bytes";
			else
				o->size = (uint16_t)v;
			break;
		case 'c':
			if (rplat_parse_u64(optarg, &v) || v < 10 || v > 1000000)
				bad = "--calibrate takes 10..1000000 pings";
			else
				o->calibrate = (int)v;
			break;
		case 'p': bad = rplat_rt_value('p', optarg, &o->priority); break;
		case 'a': bad = rplat_rt_value('a', optarg, &o->affinity); break;
		case 'm': o->mlockall = 1; break;
		case 'd': bad = rplat_rt_value('d', optarg, &o->dma_latency); break;
		case 'N': o->dma_latency = -1; break;
		case 'q': o->quiet = 1; break;
		case 'o': o->out_dir = optarg; break;
		case 'l': o->label = optarg; break;
		case 'T': o->trace = 1; break;
		case 'w':
			if (rplat_warm_up_parse(optarg, &o->warm_up, &o->warm_up_ns))
				bad = "--warm-up takes a message count (100) or a time with a unit (2s, 500ms)";
			break;
		case 'h': usage(stdout); return 1;
		case ':':
			fprintf(stderr, "rplat stream: option %s needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "rplat stream: unknown option %s (rplat stream --help)\n", argv[optind - 1]);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "rplat stream: bad value '%s': %s\n", optarg, bad);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rplat stream: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->tgiven && !o->trace) {
		fprintf(stderr, "rplat stream: the trace options need --trace\n");
		return -1;
	}
	if (o->count && o->duration_ns) {
		fprintf(stderr, "rplat stream: give --count or --duration, not both\n");
		return -1;
	}
	if (!o->count && !o->duration_ns)
		o->count = 10000;
	if (o->duration_ns)
		o->count = (uint64_t)(o->duration_ns / o->period_ns) + 1;
	if (o->warm_up >= o->count || (o->warm_up_ns && o->duration_ns && o->warm_up_ns >= o->duration_ns)) {
		fprintf(stderr, "rplat stream: --warm-up would take the whole stream\n");
		return -1;
	}
	return 0;
}

/* Send a STREAM_START/STOP and wait for its ACK (stream data arriving meanwhile is dropped: only
 * possible for STOP, after which the stream is over). Returns 0, or -1 with a message in err. */
static int stream_ctl(struct rplat_link *l, uint8_t type, const struct stream_opts *o, char *err, size_t errlen)
{
	struct rplat_stream_start st;
	uint8_t in[RPMSG_MAX_PAYLOAD];
	const struct rplat_hdr *h = (const void *)in;
	size_t len = type == RPLAT_STREAM_START ? sizeof(st) : sizeof(struct rplat_hdr);
	int64_t deadline = rplat_now_ns() + 2000000000;

	memset(&st, 0, sizeof(st));
	st.hdr.magic = RPLAT_MAGIC;
	st.hdr.version = RPLAT_PROTO_VERSION;
	st.hdr.type = type;
	st.hdr.len = (uint16_t)len;
	st.hdr.seq = 0xFFFFFFF0u | type;
	st.period_us = (uint32_t)(o->period_ns / 1000);
	st.count = (uint32_t)o->count;
	st.size = o->size;
	if (rplat_link_send(l, &st, len))
		return rplat_fail(err, errlen, "sending stream %s: %s", type == RPLAT_STREAM_START ? "start" : "stop",
				  strerror(errno));
	for (;;) {
		int64_t left = deadline - rplat_now_ns();
		ssize_t n = left > 0 ? rplat_link_recv(l, in, sizeof(in), left) : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rplat_fail(err, errlen, "no acknowledgement of stream %s",
					  type == RPLAT_STREAM_START ? "start" : "stop");
		if ((size_t)n < sizeof(*h) || h->seq != st.hdr.seq)
			continue;
		if (h->type == RPLAT_ERROR)
			return rplat_fail(err, errlen, "the probe refused the stream (error %u%s)", h->status,
					  h->status == RPLAT_E_PARAM ? ": period or size out of its range" :
					  h->status == RPLAT_E_BUSY ? ": a stream is already running" : "");
		return h->type == RPLAT_STREAM_ACK ? 0 : rplat_fail(err, errlen, "unexpected reply type %u", h->type);
	}
}

struct streamer {
	const struct stream_opts *o;
	struct rplat_link *link;
	struct rplat_info info;
	struct rplat_sysinfo si;
	struct rplat_clk clk;
	struct rplat_clk_fit fit;
	struct rplat_hist one_way, irq, isr_send, inter;
	struct counts c;
	FILE *spill;
	char dir[4096], spill_path[4200];
	uint32_t next_seq, first_seq, last_seq, first_overruns;
	uint64_t first_due, last_due;
	int64_t first_recv, last_recv;  /* of the measured messages (after the warm-up) */
	int64_t stream_t0;              /* the first message's receive, warm-up or not */
	uint32_t measured_from;         /* the first seq after the warm-up (UINT32_MAX while warming up) */
	time_t wall0, wall1;
	int silent_end, ended_by, rc;
	int one_sided;                  /* the closing calibration did not answer: the fit is extrapolated */
	double err_ns;                  /* the one-way stage's bound: the fit's, or one-sided, widened */
	uint64_t negative;              /* one-way latencies below zero */
	uint64_t beyond;                /* of them, below -err_ns: impossible under the fit (evidence against it) */
	double most_negative;
	const struct rplat_ping_hooks *trace; /* --trace: capture only */
};

static void put(struct streamer *x, const struct rec *r)
{
	if (x->spill && fwrite(r, sizeof(*r), 1, x->spill) != 1) {
		fprintf(stderr, "rplat: %s: %s\n", x->spill_path, strerror(errno));
		fclose(x->spill);
		x->spill = NULL;
	}
}

/* Is the stream message 'seq', received at t_recv, part of the warm-up? Decided in seq order: once a
 * message is measured, every later one is. */
static int warm(struct streamer *x, uint32_t seq, int64_t t_recv)
{
	const struct stream_opts *o = x->o;

	if (x->measured_from != UINT32_MAX)
		return seq < x->measured_from;
	if (!x->stream_t0)
		x->stream_t0 = t_recv;
	if ((o->warm_up && seq < o->warm_up) || (o->warm_up_ns && t_recv - x->stream_t0 < o->warm_up_ns))
		return 1;
	x->measured_from = seq;
	return 0;
}

/* The probe fills a STREAM_DATA's payload with payload[i] = (uint8_t)i and leaves 'reserved' 0. */
static int data_intact(const struct rplat_stream_data *d, ssize_t n)
{
	ssize_t i;

	if (d->reserved != 0)
		return 0;
	for (i = 0; i < n - (ssize_t)sizeof(*d); i++)
		if (d->payload[i] != (uint8_t)i)
			return 0;
	return 1;
}

/* Returns 1 when the message was a new one (recorded as received), 0 otherwise. */
static int on_data(struct streamer *x, const uint8_t *in, ssize_t n, int64_t t_recv)
{
	const struct rplat_stream_data *d = (const void *)in;
	struct rec r = { .t_recv = t_recv };
	int w;

	if ((size_t)n < sizeof(*d) || d->hdr.len != n || n != x->o->size) {
		x->c.corrupt++;
		return 0;
	}
	r.seq = d->hdr.seq;
	if (!data_intact(d, n)) {
		/* its header is whole: that message came, garbled. It ends as corrupt, once, and is not
		 * also counted lost by the gap it would leave (during the warm-up: warm-up) */
		if (r.seq < x->next_seq || r.seq - x->next_seq > MAX_GAP) {
			x->c.corrupt++;
			return 0;
		}
		r.status = warm(x, r.seq, t_recv) ? 4 : 5;
		while (x->next_seq < r.seq) {
			struct rec lost = { .seq = x->next_seq, .status = x->next_seq < x->measured_from ? 4 : 1 };

			x->next_seq++;
			if (lost.status == 4)
				x->c.warmup++;
			else
				x->c.lost++;
			put(x, &lost);
		}
		x->next_seq = r.seq + 1;
		if (r.status == 4)
			x->c.warmup++;
		else
			x->c.corrupt++;
		put(x, &(struct rec){ .seq = r.seq, .status = r.status });
		return 0;
	}
	memcpy(&r.t_due, &d->t_due, 8);
	memcpy(&r.t_isr, &d->t_isr, 8);
	memcpy(&r.t_send, &d->t_send, 8);
	x->c.overruns = d->overruns;
	if (r.seq < x->next_seq) {
		r.status = r.seq + 1 == x->next_seq ? 2 : 3; /* the one just seen again, or an older one */
		if (r.status == 2)
			x->c.dup++;
		else
			x->c.ooo++;
		put(x, &r);
		return 0;
	}
	if (r.seq - x->next_seq > MAX_GAP) {
		x->c.corrupt++;
		return 0;
	}
	w = warm(x, r.seq, t_recv);
	while (x->next_seq < r.seq) { /* a gap: those messages never came (during the warm-up: warm-up) */
		struct rec lost = { .seq = x->next_seq, .status = x->next_seq < x->measured_from ? 4 : 1 };

		x->next_seq++;
		if (lost.status == 4)
			x->c.warmup++;
		else
			x->c.lost++;
		put(x, &lost);
	}
	x->next_seq = r.seq + 1;
	if (w) {
		r.status = 4;
		x->c.warmup++;
		put(x, &r);
		return 1;
	}
	x->c.received++;
	if (x->last_recv) {
		rplat_hist_add(&x->inter, (uint64_t)(t_recv - x->last_recv));
	} else {
		x->first_recv = t_recv;
		x->first_seq = r.seq;
		x->first_due = r.t_due;
		x->first_overruns = d->overruns;
	}
	x->last_recv = t_recv;
	x->last_seq = r.seq;
	x->last_due = r.t_due;
	put(x, &r);
	return 1;
}

static int receive(struct streamer *x)
{
	uint8_t in[RPMSG_MAX_PAYLOAD];
	int64_t silence = x->o->period_ns * 20 > 1000000000 ? x->o->period_ns * 20 : 1000000000;
	int64_t last_status = 0;
	int tty = !x->o->quiet && isatty(STDERR_FILENO); /* once: not a syscall per message */

	while (!rplat_stop && x->next_seq < x->o->count) {
		ssize_t n = rplat_link_recv(x->link, in, sizeof(in), silence);
		const struct rplat_hdr *h = (const void *)in;
		int64_t now = rplat_now_ns();

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "rplat stream: %s\n", errno == EPIPE ? "the probe went away" : strerror(errno));
			x->ended_by = END_GONE;
			return -1;
		}
		if (n == 0) {
			x->silent_end = 1;
			x->ended_by = END_SILENT;
			return -1;
		}
		if ((size_t)n < sizeof(*h) || h->magic != RPLAT_MAGIC || h->type != RPLAT_STREAM_DATA) {
			x->c.corrupt++;
			continue;
		}
		if (on_data(x, in, n, now) && x->trace && x->trace->after_recv) /* closes its trace window */
			x->trace->after_recv(x->trace->ctx, h->seq);
		if (tty && now - last_status > 100000000) {
			last_status = now;
			fprintf(stderr, "\rstream: %u/%llu received, lost %llu, overruns %u [%3.0f%%] ",
				(unsigned)x->c.received, (unsigned long long)x->o->count, (unsigned long long)x->c.lost,
				x->c.overruns, 100.0 * x->next_seq / (double)x->o->count);
		}
	}
	if (tty)
		fputc('\n', stderr);
	return 0;
}

static int second_pass(struct streamer *x)
{
	static const char *const st[] = { "ok", "lost", "dup", "ooo", "warmup", "corrupt" };
	struct rplat_runfile rf;
	struct rec r;
	FILE *in;
	int64_t prev = 0;

	fclose(x->spill);
	x->spill = NULL;
	in = fopen(x->spill_path, "r");
	if (!in || rplat_runfile_open(&rf, x->dir, "samples.tsv")) {
		if (in)
			fclose(in);
		return -1;
	}
	fputs("seq\tt_recv\tone_way\tirq_latency\tisr_to_send\tinterarrival\tr_due\tr_isr\tr_send\tstatus\n", rf.f);
	while (fread(&r, sizeof(r), 1, in) == 1) {
		if (r.status == 1 || r.status == 5 || (r.status == 4 && !r.t_recv)) {
			fprintf(rf.f, "%u\tnan\tnan\tnan\tnan\tnan\tnan\tnan\tnan\t%s\n", r.seq, st[r.status]);
			continue;
		}
		if (r.status == 4) { /* received during the warm-up: its raw stamps, no figure */
			fprintf(rf.f, "%u\t%lld\tnan\tnan\tnan\tnan\t%llu\t%llu\t%llu\twarmup\n", r.seq, (long long)r.t_recv,
				(unsigned long long)r.t_due, (unsigned long long)r.t_isr, (unsigned long long)r.t_send);
			continue;
		}
		{
			double ow = x->fit.valid ? (double)r.t_recv - rplat_clk_map(&x->fit, r.t_send) : NAN;
			double irq = rplat_clk_ticks_to_ns(&x->fit, (int64_t)(r.t_isr - r.t_due));
			double snd = rplat_clk_ticks_to_ns(&x->fit, (int64_t)(r.t_send - r.t_isr));

			if (r.status == 0) {
				if (x->fit.valid) {
					rplat_hist_add_signed(&x->one_way, llround(ow));
					if (llround(ow) < 0) { /* said, not clamped */
						if (!x->negative++ || ow < x->most_negative)
							x->most_negative = ow;
						/* a mapped time is known to +-err_ns: below -err_ns no true latency (>= 0)
						 * explains it, above it the fit's own error can */
						if (ow < -x->err_ns)
							x->beyond++;
					}
				}
				rplat_hist_add_signed(&x->irq, llround(irq));
				rplat_hist_add_signed(&x->isr_send, llround(snd));
			}
			fprintf(rf.f, "%u\t%lld\t", r.seq, (long long)r.t_recv);
			if (x->fit.valid)
				fprintf(rf.f, "%.0f", ow);
			else
				fputs("nan", rf.f);
			fprintf(rf.f, "\t%.0f\t%.0f\t", irq, snd);
			if (prev && r.status == 0)
				fprintf(rf.f, "%lld", (long long)(r.t_recv - prev));
			else
				fputs("nan", rf.f);
			fprintf(rf.f, "\t%llu\t%llu\t%llu\t%s\n", (unsigned long long)r.t_due, (unsigned long long)r.t_isr,
				(unsigned long long)r.t_send, st[r.status]);
			if (r.status == 0)
				prev = r.t_recv;
		}
	}
	fclose(in);
	unlink(x->spill_path);
	return rplat_runfile_commit(&rf);
}

/* The messages the run asked for: all of them, or, when Ctrl-C (or TERM/HUP) ended it, those up to the
 * last one seen (the probe was stopped: the rest were never sent, not lost). */
static uint64_t expected(const struct streamer *x)
{
	uint64_t all = x->ended_by == END_SIGNAL ? x->next_seq : x->o->count;

	return all > x->c.warmup ? all - x->c.warmup : 0;
}

/* The measured seqs seen so far (received, lost in a gap, dup/ooo aside). */
static uint64_t seen(const struct streamer *x)
{
	return x->next_seq > x->c.warmup ? x->next_seq - x->c.warmup : 0;
}

static uint64_t unseen(const struct streamer *x)
{
	return x->c.lost + (expected(x) > seen(x) ? expected(x) - seen(x) : 0);
}

static uint64_t missed_periods(const struct streamer *x)
{
	double period_ticks = (double)x->o->period_ns * (double)x->info.counter_hz / 1e9;
	double periods = period_ticks > 0 ? (double)(x->last_due - x->first_due) / period_ticks : 0;
	double seen = (double)(x->last_seq - x->first_seq) + (double)(x->c.overruns - x->first_overruns);
	double missed = floor(periods + 0.5) - seen;

	return missed > 0 ? (uint64_t)missed : 0;
}

static int write_run(struct streamer *x)
{
	const struct stream_opts *o = x->o;
	struct rplat_runfile rf;
	struct rplat_jw jw;
	char t0[32], t1[32], type[32], label[256];
	double secs = x->last_recv > x->first_recv ? (double)(x->last_recv - x->first_recv) / 1e9 : 0;
	int bad = 0;

	bad |= rplat_run_write_hist(x->dir, "remote_to_host", &x->one_way);
	bad |= rplat_run_write_hist(x->dir, "irq_latency", &x->irq);
	bad |= rplat_run_write_hist(x->dir, "isr_to_send", &x->isr_send);
	bad |= rplat_run_write_hist(x->dir, "interarrival", &x->inter);
	if (bad && !x->rc)
		x->rc = 1; /* before run.json: its return_code is the exit code */
	if (rplat_runfile_open(&rf, x->dir, "run.json"))
		return -1;
	rplat_iso_time(x->wall0, t0, sizeof(t0));
	rplat_iso_time(x->wall1, t1, sizeof(t1));
	rplat_link_type(o->link, type, sizeof(type));
	snprintf(label, sizeof(label), "%s %s %s stream", x->si.release, x->si.preempt, type);
	rplat_jw_init(&jw, rf.f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-run");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "kind", "stream");
	rplat_jw_str(&jw, "label", o->label ? o->label : label);
	rplat_jw_str(&jw, "command", o->command);
	rplat_jw_str(&jw, "start_time", t0);
	rplat_jw_str(&jw, "end_time", t1);
	rplat_jw_double(&jw, "duration_s", difftime(x->wall1, x->wall0));
	rplat_sysinfo_json(&x->si, &jw);
	rplat_jw_obj_begin(&jw, "link");
	rplat_jw_str(&jw, "spec", o->link);
	rplat_jw_str(&jw, "type", type);
	rplat_jw_str(&jw, "desc", x->link->desc);
	rplat_jw_obj_end(&jw);
	rplat_json_firmware(&jw, &x->info);
	rplat_json_rsc(&jw, x->link);
	rplat_jw_obj_begin(&jw, "options");
	rplat_jw_double(&jw, "interval_us", (double)o->period_ns / 1e3);
	rplat_jw_uint(&jw, "count", o->count);
	rplat_jw_uint(&jw, "size", o->size);
	rplat_jw_int(&jw, "calibrate", o->calibrate);
	rplat_jw_int(&jw, "priority", o->priority);
	rplat_jw_int(&jw, "affinity", o->affinity);
	rplat_jw_bool(&jw, "mlockall", o->mlockall);
	rplat_jw_int(&jw, "dma_latency", o->dma_latency);
	rplat_jw_obj_begin(&jw, "warm_up");
	rplat_jw_uint(&jw, "messages", o->warm_up);
	rplat_jw_double(&jw, "duration_s", (double)o->warm_up_ns / 1e9);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "load");
	rplat_jw_str(&jw, "profile", "none");
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "clock");
	{
		char m[320];

		snprintf(m, sizeof(m), "calibration pings before and after; %s", rplat_clk_method(&x->fit));
		rplat_jw_str(&jw, "method", m);
	}
	rplat_jw_bool(&jw, "valid", x->fit.valid);
	rplat_jw_double(&jw, "nominal_hz", (double)x->info.counter_hz);
	if (x->fit.valid) {
		rplat_jw_double(&jw, "est_hz", x->fit.hz_est);
		rplat_jw_double(&jw, "drift_ppm", x->fit.drift_ppm);
		/* one-sided: the bound of a mapped time over the stream, widened (fit_err_bound_ns: the fit's
		 * own, valid only where its samples are) */
		rplat_jw_double(&jw, "err_bound_ns", x->err_ns);
		rplat_jw_double(&jw, "fit_err_bound_ns", x->fit.err_ns);
		/* false: the calibration's bounds crossed (clock wander, a wrong stamp), both are estimates */
		rplat_jw_bool(&jw, "bound_guaranteed", !x->fit.crossed);
		rplat_jw_uint(&jw, "windows", x->fit.windows);
	}
	rplat_jw_bool(&jw, "one_sided", x->one_sided);
	/* false when some one-way latency came out below -err_bound_ns: the fit does not hold for them */
	rplat_jw_bool(&jw, "consistent", !x->beyond);
	rplat_jw_uint(&jw, "negative_one_way", x->negative);
	rplat_jw_uint(&jw, "negative_beyond_bound", x->beyond);
	if (x->negative)
		rplat_jw_double(&jw, "most_negative_one_way_ns", x->most_negative);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "counts");
	rplat_jw_uint(&jw, "expected", expected(x));
	rplat_jw_uint(&jw, "received", x->c.received);
	rplat_jw_uint(&jw, "lost", unseen(x));
	rplat_jw_uint(&jw, "overruns", x->c.overruns);
	rplat_jw_uint(&jw, "duplicate", x->c.dup);
	rplat_jw_uint(&jw, "out_of_order", x->c.ooo);
	rplat_jw_uint(&jw, "corrupt", x->c.corrupt);
	rplat_jw_uint(&jw, "warmup", x->c.warmup);
	rplat_jw_uint(&jw, "missed_periods", missed_periods(x));
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "summary");
	rplat_jw_obj_begin(&jw, "rate");
	rplat_jw_double(&jw, "configured_hz", 1e9 / (double)o->period_ns);
	/* messages the probe sent per second (its seq counts them), messages that arrived per second, and
	 * the timer periods that passed without a message (t_due steps of more than one period that
	 * overruns do not explain: expiries the probe's interrupt missed) */
	rplat_jw_double(&jw, "measured_hz", secs > 0 ? (double)(x->last_seq - x->first_seq) / secs : 0);
	rplat_jw_double(&jw, "delivered_hz", secs > 0 ? (double)(x->c.received - 1) / secs : 0);
	rplat_jw_uint(&jw, "missed_periods", missed_periods(x));
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "stages");
	rplat_stats_json(&jw, "remote_to_host", &x->one_way, x->fit.valid ? x->err_ns : -1);
	rplat_stats_json(&jw, "irq_latency", &x->irq, -1);
	rplat_stats_json(&jw, "isr_to_send", &x->isr_send, -1);
	rplat_stats_json(&jw, "interarrival", &x->inter, -1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	if (x->trace) {
		rplat_jw_obj_begin(&jw, "trace");
		x->trace->stop(x->trace->ctx, x->dir, &jw);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_str(&jw, "ended_by",
		     (const char *const[]){ "completed", "signal", "remote silent", "remote gone" }[x->ended_by]);
	rplat_jw_int(&jw, "return_code", x->rc);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw)) {
		rplat_runfile_abort(&rf);
		return -1;
	}
	return bad | rplat_runfile_commit(&rf);
}

int cmd_stream(int argc, char **argv)
{
	struct stream_opts o;
	struct streamer *x;
	struct rplat_rt rt = { -1, 0, 0 };
	char err[512];
	int r, rc = 2, made = 0, created = 0, measuring = 0;

	r = parse(&o, argc, argv);
	if (r)
		return r > 0 ? 0 : 2;
	x = calloc(1, sizeof(*x));
	if (!x)
		return 2;
	x->o = &o;
	x->measured_from = o.warm_up || o.warm_up_ns ? UINT32_MAX : 0;
	rplat_measure_signals();
	rplat_sysinfo_read(&x->si);
	rplat_hist_init(&x->one_way);
	rplat_hist_init(&x->irq);
	rplat_hist_init(&x->isr_send);
	rplat_hist_init(&x->inter);
	x->link = rplat_link_open(o.link, err, sizeof(err));
	if (!x->link) {
		fprintf(stderr, "rplat stream: --link %s: %s\n", o.link, err);
		goto out;
	}
	if (rplat_probe_info(x->link, &x->info, 2000000000, err, sizeof(err))) {
		fprintf(stderr, "rplat stream: %s\n", err);
		goto out;
	}
	if (!(x->info.features & RPLAT_FEAT_STREAM)) {
		fprintf(stderr, "rplat stream: the probe (%s) does not support stream mode\n", x->info.target);
		goto out;
	}
	if (o.out_dir) {
		snprintf(x->dir, sizeof(x->dir), "%s", o.out_dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(x->dir, sizeof(x->dir), "rplat-stream-%Y%m%d-%H%M%S", &tm);
	}
	if (rplat_run_create(x->dir, &created, err, sizeof(err))) {
		fprintf(stderr, "rplat stream: %s\n", err);
		goto out;
	}
	made = 1;
	snprintf(x->spill_path, sizeof(x->spill_path), "%s/.samples.spill", x->dir);
	x->spill = fopen(x->spill_path, "w+");
	if (!x->spill || rplat_rt_setup(&rt, o.priority, o.affinity, o.mlockall, o.dma_latency))
		goto out;
	rplat_clk_init(&x->clk, (double)x->info.counter_hz);
	if (o.trace) {
		struct rplat_trace_opts t;

		t = o.topt;
		t.quiet = o.quiet;
		x->trace = rplat_trace_hooks(&t);
		if (x->trace->start(x->trace->ctx, x->dir, x->link))
			goto out;
	}
	x->wall0 = time(NULL);
	if (!o.quiet)
		fprintf(stderr, "rplat stream: %s -> %s (%d calibration pings, then %llu messages every %.0f us)\n",
			x->link->desc, x->dir, o.calibrate, (unsigned long long)o.count, (double)o.period_ns / 1e3);
	err[0] = 0;
	if (rplat_calibrate(x->link, &x->clk, o.calibrate, 100000) < 0 ||
	    stream_ctl(x->link, RPLAT_STREAM_START, &o, err, sizeof(err))) {
		fprintf(stderr, "rplat stream: %s\n", err[0] ? err : "calibration failed");
		goto out;
	}
	measuring = 1;
	r = receive(x);
	if (rplat_stop && !x->ended_by)
		x->ended_by = END_SIGNAL;
	if (x->ended_by != END_GONE && stream_ctl(x->link, RPLAT_STREAM_STOP, &o, err, sizeof(err)) && r == 0)
		fprintf(stderr, "rplat stream: warning: %s\n", err);
	{
		/* the closing calibration: what makes the fit two-sided; a remote that went away or stopped
		 * answering here ends the run as such (exit 3) */
		int64_t t_stream_end = rplat_now_ns();
		int got = x->ended_by == END_GONE || x->ended_by == END_SILENT ? 0 :
			  rplat_calibrate(x->link, &x->clk, o.calibrate, 100000);

		if (got < 0 && !x->ended_by && !rplat_stop)
			x->ended_by = errno == ETIMEDOUT || errno == ENOBUFS ? END_SILENT : END_GONE;
		else if (got == 0 && !x->ended_by && !rplat_stop)
			x->ended_by = END_SILENT;
		if (x->ended_by == END_DONE || x->ended_by == END_SIGNAL)
			rplat_probe_info(x->link, &x->info, 1000000000, err, sizeof(err));
		x->wall1 = time(NULL);
		rplat_rt_restore(&rt);
		rplat_clk_fit(&x->clk, &x->fit);
		x->err_ns = x->fit.err_ns;
		/* one-sided: no calibration sample after the stream. The opening calibration's span S fixes the
		 * slope to within 2 * err / S; carried over the distance D from its last sample to the stream's
		 * end, a mapped time is off by up to err * (1 + 2 D / S). */
		if (x->fit.valid && x->clk.nwin && x->clk.win[x->clk.nwin - 1].host_send < t_stream_end &&
		    x->last_recv) {
			double span = (double)(x->clk.win[x->clk.nwin - 1].host_send - x->clk.win[0].host_send);
			double dist = (double)(x->last_recv - x->clk.win[x->clk.nwin - 1].host_send);

			x->one_sided = 1;
			x->err_ns = span > 0 ? x->fit.err_ns * (1.0 + 2.0 * dist / span) : INFINITY;
			fprintf(stderr, "rplat stream: no closing calibration (%s): the clock fit is one-sided, mapped "
				"times +-%.2f us\n", x->ended_by == END_GONE ? "the remote went away" :
				x->ended_by == END_SILENT ? "the remote stopped answering" : "interrupted",
				x->err_ns / 1e3);
		}
	}
	x->rc = x->ended_by == END_GONE || x->ended_by == END_SILENT ? 3 :
		(x->c.lost || x->c.dup || x->c.ooo || x->c.corrupt || x->c.overruns || seen(x) < expected(x)) ? 1 : 0;
	if (second_pass(x)) {
		fprintf(stderr, "rplat stream: writing %s/samples.tsv failed: %s\n", x->dir, strerror(errno));
		x->rc = x->rc ? x->rc : 1;
	}
	if (x->beyond) {
		/* said even with -q: a latency below minus the bound means the mapping is wrong for these messages */
		fprintf(stderr, "rplat stream: %llu one-way latencies are negative beyond the clock bound of +-%.2f us "
			"(down to %.2f us): the clock fit does not hold for them%s; the one-way figures are not "
			"trustworthy\n", (unsigned long long)x->beyond, x->err_ns / 1e3, x->most_negative / 1e3,
			x->one_sided ? " (it is one-sided)" : "");
		x->rc = x->rc ? x->rc : 1;
	}
	if (write_run(x)) {
		fprintf(stderr, "rplat stream: writing %s failed: %s\n", x->dir, strerror(errno));
		x->rc = x->rc ? x->rc : 1;
	}
	printf("# rplat stream: %s\n", x->link->desc);
	printf("# %llu messages every %.0f us: received %llu, lost %llu, overruns %u, duplicate %llu, out-of-order %llu, corrupt %llu\n",
	       (unsigned long long)expected(x), (double)o.period_ns / 1e3, (unsigned long long)x->c.received,
	       (unsigned long long)unseen(x), x->c.overruns,
	       (unsigned long long)x->c.dup, (unsigned long long)x->c.ooo, (unsigned long long)x->c.corrupt);
	if (x->last_recv > x->first_recv)
		printf("# rate: %.3f Hz configured, %.3f Hz sent, %.3f Hz delivered; %llu timer periods missed by the probe\n",
		       1e9 / (double)o.period_ns,
		       (double)(x->last_seq - x->first_seq) * 1e9 / (double)(x->last_recv - x->first_recv),
		       (double)(x->c.received - 1) * 1e9 / (double)(x->last_recv - x->first_recv),
		       (unsigned long long)missed_periods(x));
	rplat_print_stats_header();
	rplat_print_stats_row("remote_to_host", &x->one_way, x->fit.valid ? x->err_ns : -1);
	rplat_print_stats_row("irq_latency", &x->irq, -1);
	rplat_print_stats_row("isr_to_send", &x->isr_send, -1);
	rplat_print_stats_row("interarrival", &x->inter, -1);
	if (x->c.warmup)
		printf("# warm-up: %llu stream messages before these, in no figure\n", (unsigned long long)x->c.warmup);
	if (x->one_sided)
		printf("# clock: one-sided fit (no closing calibration): mapped times +-%.2f us, not the fit's +-%.2f us\n",
		       x->err_ns / 1e3, x->fit.err_ns / 1e3);
	if (x->fit.valid && x->fit.crossed)
		printf("# clock: no straight line meets every calibration exchange's bounds (the clock wandered, or a "
		       "stamp is wrong): the +-%.2f us is an estimate, not a bound\n", x->err_ns / 1e3);
	if (x->beyond)
		printf("# clock: %llu one-way latencies negative beyond the +-%.2f us bound (down to %.2f us): the fit "
		       "does not hold for them\n", (unsigned long long)x->beyond, x->err_ns / 1e3, x->most_negative / 1e3);
	else if (x->negative)
		printf("# clock: %llu one-way latencies negative (down to %.2f us), all within the +-%.2f us bound: "
		       "the fit's own error, kept as they are\n", (unsigned long long)x->negative,
		       x->most_negative / 1e3, x->err_ns / 1e3);
	if (missed_periods(x))
		printf("# %llu timer periods passed without a message (the probe's interrupt missed them)\n",
		       (unsigned long long)missed_periods(x));
	if (x->ended_by == END_SILENT)
		printf("# the remote stopped answering: run ended early\n");
	else if (x->ended_by == END_GONE)
		printf("# the remote went away: run ended early\n");
	printf("# run: %s\n", x->dir);
	rc = x->rc;
out:
	rplat_rt_restore(&rt);
	if (x->trace && rplat_trace_finish() && rc == 0) /* saves and restores tracefs if the run ended before */
		rc = 1;                                  /* its stop; then the analysis of the run */
	if (x->spill) {
		fclose(x->spill);
		unlink(x->spill_path);
	}
	if (made && !measuring) /* a setup error (the calibration failed, ...): no half-made run directory */
		rplat_run_discard(x->dir, created);
	rplat_link_close(x->link);
	free(x);
	return rc;
}
