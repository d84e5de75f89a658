/* The host target: the probe core as a Linux process. See sim_probe.h.
 *
 * The counter is derived from CLOCK_MONOTONIC_RAW so that the truth is known exactly:
 *   ticks(raw) = (raw * (1 + drift_ppm / 1e6) + offset_ns) * hz / 1e9
 * Faults are injected at the points a real remote would misbehave: in the processing step (delay,
 * corrupt payload, wrong sequence), in the cache-maintenance hook (a stale line), and in the main loop
 * (dying or going mute). */
#include <errno.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rp_coherency.h"
#include "rp_probe.h"
#include "rp_stream.h"
#include "sim_probe.h"
#include "rplat/util.h"

#define SIM_FW_VERSION 0x000100u /* 0.1.0 */

const char rplat_sim_help[] =
	"  sim[:OPTS]     the built-in simulated probe (the probe core as a process, eventfd doorbells,\n"
	"                 vrings in shared memory laid out from its resource table). OPTS, comma-separated:\n"
	"                   hz=FREQ        counter frequency (400M)          drift=PPM     counter rate error (0)\n"
	"                   offset=TIME    counter epoch offset (0)          delay=TIME    processing delay (0; a\n"
	"                                                                    stream's: between its ISR and send)\n"
	"                   jitter=TIME    plus uniform [0,TIME) per message cpu=N         pin the probe to CPU N\n"
	"                   fifo=PRIO      run the probe SCHED_FIFO          spin          both sides busy-poll (no wakeups)\n"
	"                   shm=BYTES      shared region size (1M)           da=ADDR       its device address (0x9cb00000)\n"
	"                   num=N          vring entries declared (256)      align=N       vring align declared (4096)\n"
	"                   socket=PATH    attach to a probe started with `rplat sim --socket PATH`\n"
	"                 fault injection (tests): corrupt=N, badseq=N (every Nth reply), die=N, mute=N (after N\n"
	"                 answered pings), stale=N (every Nth request read through a stale cache line), seed=N;\n"
	"                 streams: sdrop=N (every Nth message not sent), scorrupt=N (every Nth corrupt),\n"
	"                 sdie=N (exit after N messages), cstep=TIME (the counter jumps ahead by TIME when\n"
	"                 a stream starts)\n"
	"                   fw=echo        run the example echo firmware (port 14, rplat hooks, rplat-ring\n"
	"                                  carveout; see rplat observe) instead of the probe; restart=N re-inits\n"
	"                                  its ring every N messages; stream=HZ also writes a sample mark\n"
	"                                  into its ring at HZ (the shared-ring side of make bench)\n"
	"                 TIME takes ns/us/ms/s (bare = us); FREQ takes k/M/G.";

void rplat_sim_opts_init(struct rplat_sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hz = 400000000ull;
	o->cpu = -1;
	o->shm_size = 1u << 20;
	o->da = 0x9cb00000u;
	o->num = 256;
	o->align = 4096;
	o->seed = 1;
}

static int opt_u32(const char *val, uint32_t *out, uint64_t max)
{
	uint64_t v;

	if (rplat_parse_u64(val, &v) || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int rplat_sim_opt(struct rplat_sim_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
	uint64_t v;
	int bad = 0;

	if (!strcmp(key, "hz"))
		bad = rplat_parse_freq(val, &o->hz);
	else if (!strcmp(key, "drift"))
		bad = rplat_parse_ppm(val, &o->drift_ppm);
	else if (!strcmp(key, "offset"))
		bad = rplat_parse_duration(val, &o->offset_ns);
	else if (!strcmp(key, "delay"))
		bad = rplat_parse_time_us(val, &o->delay_ns);
	else if (!strcmp(key, "jitter"))
		bad = rplat_parse_time_us(val, &o->jitter_ns);
	else if (!strcmp(key, "cpu")) {
		char cpus[96];

		bad = rplat_parse_u64(val, &v) || v >= CPU_SETSIZE;
		if (!bad && !rplat_cpu_usable((long)v, cpus, sizeof(cpus)))
			return rplat_fail(err, errlen, "sim option cpu=%llu: not a CPU this process may run on (CPUs %s)",
					  (unsigned long long)v, cpus);
		if (!bad)
			o->cpu = (int)v;
	} else if (!strcmp(key, "fifo")) {
		bad = rplat_parse_u64(val, &v) || v < 1 || v > 99;
		if (!bad)
			o->fifo = (int)v;
	} else if (!strcmp(key, "spin"))
		o->spin = 1;
	else if (!strcmp(key, "shm")) {
		bad = rplat_parse_bytes(val, &v) || v < 64 * 1024 || v > (256u << 20);
		if (!bad)
			o->shm_size = (uint32_t)v;
	} else if (!strcmp(key, "da"))
		bad = opt_u32(val, &o->da, 0xFFFFFFFFull);
	else if (!strcmp(key, "num"))
		bad = opt_u32(val, &o->num, 32768);
	else if (!strcmp(key, "align"))
		bad = opt_u32(val, &o->align, 1u << 20);
	else if (!strcmp(key, "corrupt"))
		bad = opt_u32(val, &o->corrupt_every, 0xFFFFFFFFull);
	else if (!strcmp(key, "badseq"))
		bad = opt_u32(val, &o->badseq_every, 0xFFFFFFFFull);
	else if (!strcmp(key, "die"))
		bad = opt_u32(val, &o->die_after, 0xFFFFFFFFull);
	else if (!strcmp(key, "mute"))
		bad = opt_u32(val, &o->mute_after, 0xFFFFFFFFull);
	else if (!strcmp(key, "stale"))
		bad = opt_u32(val, &o->stale_every, 0xFFFFFFFFull);
	else if (!strcmp(key, "sdrop"))
		bad = opt_u32(val, &o->sdrop_every, 0xFFFFFFFFull);
	else if (!strcmp(key, "scorrupt"))
		bad = opt_u32(val, &o->scorrupt_every, 0xFFFFFFFFull);
	else if (!strcmp(key, "sdie"))
		bad = opt_u32(val, &o->sdie_after, 0xFFFFFFFFull);
	else if (!strcmp(key, "cstep"))
		bad = rplat_parse_time_us(val, &o->cstep_ns) || o->cstep_ns < 0;
	else if (!strcmp(key, "seed"))
		bad = rplat_parse_u64(val, &o->seed);
	else if (!strcmp(key, "fw")) {
		bad = strcmp(val, "echo") && strcmp(val, "probe");
		o->fw_echo = !strcmp(val, "echo");
	} else if (!strcmp(key, "restart"))
		bad = opt_u32(val, &o->restart_after, 0xFFFFFFFFull);
	else if (!strcmp(key, "stream"))
		bad = rplat_parse_freq(val, &o->stream_hz) || o->stream_hz > 10000000;
	else
		return rplat_fail(err, errlen, "unknown sim option '%s' (see rplat --help)", key);
	if (bad)
		return rplat_fail(err, errlen, "sim option %s: bad value '%s'", key, val);
	if ((uint64_t)o->da + o->shm_size > 0x100000000ull)
		return rplat_fail(err, errlen, "sim: da 0x%x + shm %u passes the 32-bit address space", o->da,
				  o->shm_size);
	return 0;
}

uint64_t rplat_sim_counter_at(const struct rplat_sim_opts *o, int64_t raw_ns)
{
	long double t = (long double)raw_ns * (1.0L + (long double)o->drift_ppm * 1e-6L) + (long double)o->offset_ns;

	return t <= 0 ? 0 : (uint64_t)(t * (long double)o->hz / 1e9L);
}

double rplat_sim_raw_at(const struct rplat_sim_opts *o, uint64_t ticks)
{
	long double t = (long double)ticks * 1e9L / (long double)o->hz;

	return (double)((t - (long double)o->offset_ns) / (1.0L + (long double)o->drift_ppm * 1e-6L));
}

struct sim {
	const struct rplat_sim_opts *o;
	struct rp_probe probe;
	struct rp_coh coh;   /* COH_* messages (rplat check coherency) */
	int kick_in;
	int kick_out;
	uint32_t nreq;       /* requests seen by the process hook */
	uint32_t ninval;     /* buffers read */
	uint64_t rng;
	uint8_t *shadow;     /* last contents of each pool byte, for the stale-line fault */
	uint8_t *shm;
	/* stream mode: a timerfd is the timer interrupt */
	struct rp_stream stream;
	int tfd;
	int64_t t_first;     /* CLOCK_MONOTONIC ns of the first expiry */
	int64_t period_ns;
	uint64_t expired;    /* expirations so far */
	uint64_t step;       /* cstep=: ticks added to the counter since the stream started */
};

static uint64_t sim_counter(void *ctx)
{
	struct sim *s = ctx;

	return rplat_sim_counter_at(s->o, rplat_now_raw_ns()) + s->step;
}

static void sim_kick(void *ctx, uint32_t vq)
{
	struct sim *s = ctx;
	uint64_t one = 1;

	(void)vq;
	if (write(s->kick_out, &one, sizeof(one)) != sizeof(one))
		_exit(3); /* the host is gone */
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Before the probe reads a buffer: normally remember its contents; every stale_every-th time, put back
 * one 64-byte line from the previous use of this buffer, as a cache that was not invalidated would. */
static void sim_inval(void *ctx, void *p, uint32_t n)
{
	struct sim *s = ctx;
	size_t off = (size_t)((uint8_t *)p - s->shm);

	if (!s->shadow)
		return;
	s->ninval++;
	if (s->ninval % s->o->stale_every == 0 && n > RPMSG_HDR_SIZE + 64) {
		/* the line after the headers, so the message still parses and the payload is stale */
		size_t line = ((off + RPMSG_HDR_SIZE + sizeof(struct rplat_hdr) + 63) & ~(size_t)63) - off;

		if (line + 64 <= n)
			memcpy((uint8_t *)p + line, s->shadow + off + line, 64);
	}
	memcpy(s->shadow + off, p, n);
}

/* delay= / jitter=: the remote's own work per message, spun (a PING's processing, a stream message's
 * ISR -> send) */
static void work_delay(struct sim *s)
{
	const struct rplat_sim_opts *o = s->o;
	int64_t until;

	if (!o->delay_ns && !o->jitter_ns)
		return;
	until = rplat_now_raw_ns() + o->delay_ns;
	if (o->jitter_ns)
		until += (int64_t)(xorshift(&s->rng) % (uint64_t)o->jitter_ns);
	while (rplat_now_raw_ns() < until)
		;
}

static void sim_process(void *ctx, uint8_t *msg, uint32_t len)
{
	struct sim *s = ctx;
	const struct rplat_sim_opts *o = s->o;
	struct rplat_hdr *h = (struct rplat_hdr *)(void *)msg;

	s->nreq++;
	work_delay(s);
	/* the last payload byte, or with no payload the header's flags (a header-only PONG has nothing
	 * else the host can check) */
	if (o->corrupt_every && s->nreq % o->corrupt_every == 0) {
		if (len > RPLAT_PING_MIN)
			msg[len - 1] ^= 0x5a;
		else
			h->flags ^= 0x5a;
	}
	if (o->badseq_every && s->nreq % o->badseq_every == 0)
		h->seq += 1000;
}

/* ---- the stream timer: rp_stream's rp_stream_timer over a timerfd ---- */

static int64_t mono_ns(void)
{
	return rplat_now_ns();
}

static void sim_timer_start(void *ctx, uint32_t ticks)
{
	struct sim *s = ctx;
	struct itimerspec its;
	long double ns = (long double)ticks * 1e9L / (long double)s->o->hz /
			 (1.0L + (long double)s->o->drift_ppm * 1e-6L);

	s->period_ns = (int64_t)ns > 0 ? (int64_t)ns : 1;
	s->step = (uint64_t)((long double)s->o->cstep_ns * (long double)s->o->hz / 1e9L);
	s->t_first = mono_ns() + s->period_ns;
	s->expired = 0;
	its.it_value.tv_sec = s->t_first / 1000000000;
	its.it_value.tv_nsec = s->t_first % 1000000000;
	its.it_interval.tv_sec = s->period_ns / 1000000000;
	its.it_interval.tv_nsec = s->period_ns % 1000000000;
	timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void sim_timer_stop(void *ctx)
{
	struct sim *s = ctx;
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	timerfd_settime(s->tfd, 0, &its, NULL);
}

/* The timer interrupt: read how many periods expired, stamp the entry, tell the stream how late it is. */
static void sim_timer_isr(struct sim *s)
{
	uint64_t k;
	uint64_t t_isr;
	int64_t due, late_ns;

	if (read(s->tfd, &k, sizeof(k)) != sizeof(k))
		return;
	t_isr = sim_counter(s);
	/* due: the first of the k expirations this interrupt serves, so that an interrupt held off for
	 * more than a period shows its whole latency (the others are the missed periods) */
	due = s->t_first + (int64_t)s->expired * s->period_ns;
	s->expired += k;
	late_ns = mono_ns() - due;
	if (late_ns < 0)
		late_ns = 0;
	work_delay(s);
	if (s->stream.running && s->o->sdrop_every && (s->stream.sent + 1) % s->o->sdrop_every == 0 &&
	    (!s->stream.count || s->stream.sent + 1 < s->stream.count)) {
		s->stream.sent++; /* sdrop=: this seq is never sent, as if lost on the way */
		return;
	}
	if (s->o->scorrupt_every && (s->stream.sent + 1) % s->o->scorrupt_every == 0)
		((struct rplat_stream_data *)(void *)s->stream.msg)->reserved = 0x5a5a5a5au;
	rp_stream_tick(&s->stream, t_isr,
		       (uint32_t)((long double)late_ns * (long double)s->o->hz / 1e9L *
				  (1.0L + (long double)s->o->drift_ppm * 1e-6L)));
	((struct rplat_stream_data *)(void *)s->stream.msg)->reserved = 0;
	if (s->o->sdie_after && s->stream.sent >= s->o->sdie_after)
		_exit(9);
}

static void sim_setup_sched(const struct rplat_sim_opts *o)
{
	if (o->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (o->fifo) {
		struct sched_param sp = { .sched_priority = o->fifo };

		sched_setscheduler(0, SCHED_FIFO, &sp);
	}
}

static void write_table(const struct rplat_sim_opts *o, uint8_t *shm)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(o->da + RPLAT_SIM_TRACE_OFF, RPLAT_SIM_TRACE_LEN,
							"trace:rplat-sim");

	t.vring0.align = t.vring1.align = o->align;
	t.vring0.num = t.vring1.num = o->num;
	memcpy(shm + RPLAT_SIM_RSC_OFF, &t, sizeof(t));
}

/* Append a line to the trace buffer, as firmware logs do (wraps to the start when full). */
static void trace_log(uint8_t *shm, const char *line)
{
	static size_t pos;
	char *buf = (char *)shm + RPLAT_SIM_TRACE_OFF;
	size_t n = strlen(line);

	if (pos + n + 1 >= RPLAT_SIM_TRACE_LEN)
		pos = 0;
	memcpy(buf + pos, line, n);
	pos += n;
	buf[pos] = '\0';
}

/* Block in read() (or spin on a non-blocking read) until the doorbell rings: one syscall per wakeup,
 * like the bare eventfd ping-pong the overhead benchmark compares against. */
static int wait_kick(int fd)
{
	uint64_t v;
	ssize_t r;

	for (;;) {
		r = read(fd, &v, sizeof(v));
		if (r == sizeof(v))
			return 0;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

static int sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int own_table, int kick_in, int kick_out,
		   char *err, size_t errlen);

int rplat_sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
		  size_t errlen)
{
	return sim_run(o, shm, 1, kick_in, kick_out, err, errlen);
}

int rplat_sim_run_attached(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
			   size_t errlen)
{
	return sim_run(o, shm, 0, kick_in, kick_out, err, errlen);
}

static int sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int own_table, int kick_in, int kick_out,
		   char *err, size_t errlen)
{
	struct sim s;
	struct rp_hal hal = { sim_counter, sim_kick, NULL, NULL, NULL, NULL };
	struct rp_probe_cfg cfg = {
		.target = "host", .fw_version = SIM_FW_VERSION, .counter_hz = o->hz,
		.process = sim_process, .features = RPLAT_FEAT_COHERENCY, .ext = rp_coh_ext,
	};
	struct rp_shm region = { shm, o->da, o->shm_size };
	int r;

	if (o->fw_echo && !own_table)
		return rplat_fail(err, errlen, "sim: fw=echo writes its own table (not supported attached)");
	if (o->fw_echo)
		return rplat_echo_sim_run(o, shm, kick_in, kick_out, err, errlen);
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.kick_in = kick_in;
	s.kick_out = kick_out;
	s.shm = shm;
	s.rng = o->seed ? o->seed : 1;
	if (o->stale_every) {
		s.shadow = calloc(1, o->shm_size);
		if (!s.shadow)
			return rplat_fail(err, errlen, "sim: out of memory");
		hal.cache_inval = sim_inval;
	}
	hal.ctx = &s;
	cfg.process_ctx = &s;
	rp_coh_init(&s.coh, NULL);
	cfg.ext_ctx = &s.coh;
	/* Sleeping, a doorbell rung while the probe is busy is taken on its next wakeup; a request found
	 * before it is stamped t_kick = t_consume (see rp_probe.c). Spinning (once attached), the probe
	 * polls the avail ring itself, as a core without a doorbell interrupt would: the doorbell's
	 * syscall is then on neither one-way path, so both are alike, and t_kick = t_consume. */
	sim_setup_sched(o);
	if (own_table)
		write_table(o, shm);
	trace_log(shm, "rplat sim probe: booted, waiting for DRIVER_OK\n");
	s.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s.tfd < 0)
		return rplat_fail(err, errlen, "sim: timerfd: %s", strerror(errno));
	cfg.features |= RPLAT_FEAT_STREAM;
	cfg.ext = rp_stream_ext;
	cfg.ext_ctx = &s.stream;
	rp_probe_init(&s.probe, &hal, &cfg, &region);
	{
		struct rp_stream_cfg sc = {
			.timer = { sim_timer_start, sim_timer_stop, 0xFFFFFFFFu, &s },
			.counter_hz = o->hz,
			.min_period_us = 10,
			.next = rp_coh_ext, .next_ctx = &s.coh, /* COH_* after STREAM_* */
		};

		rp_stream_init(&s.stream, &s.probe, &sc);
	}
	if (own_table)
		sim_kick(&s, 0); /* "booted": the table is in place */
	for (;;) {
		int polled = 0;

		if (o->spin && s.probe.ready == 3 && !s.stream.running) {
			unsigned n = 0;
			uint64_t v;

			while (!rp_vq_pending(&s.probe.rx))
				if (++n % 4096 == 0 && read(kick_in, &v, sizeof(v)) < 0 && errno != EAGAIN)
					return rplat_fail(err, errlen, "sim: doorbell read failed: %s", strerror(errno));
			polled = 1;
		} else if (s.stream.running && !o->spin) {
			/* two interrupt sources: wait for either */
			struct pollfd pf[2] = { { kick_in, POLLIN, 0 }, { s.tfd, POLLIN, 0 } };

			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				return rplat_fail(err, errlen, "sim: poll: %s", strerror(errno));
			if (pf[1].revents & POLLIN)
				sim_timer_isr(&s);
			if (!(pf[0].revents & POLLIN))
				continue;
		} else if (s.stream.running) {
			uint64_t v;

			if (read(kick_in, &v, sizeof(v)) != sizeof(v)) {
				struct pollfd pf = { s.tfd, POLLIN, 0 };

				if (poll(&pf, 1, 0) == 1)
					sim_timer_isr(&s);
				continue;
			}
		} else if (wait_kick(kick_in)) {
			return rplat_fail(err, errlen, "sim: doorbell read failed: %s", strerror(errno));
		}
		if (!polled)
			rp_probe_kick_isr(&s.probe);
		if (s.probe.ready != 3) {
			r = rp_probe_attach(&s.probe, (volatile struct rplat_rsc_table *)(void *)(shm + RPLAT_SIM_RSC_OFF));
			if (r < 0)
				return rplat_fail(err, errlen, "sim: the vrings written back are unusable");
			if (r == 0)
				trace_log(shm, "rplat sim probe: DRIVER_OK, announced rpmsg-raw and rpmsg_chrdev on port 14\n");
		}
		/* die= and mute= count answered pings (s.nreq), not INFO or stream control: with either, the
		 * requests are served one at a time so that the count is exact */
		if (o->mute_after || o->die_after) {
			while ((!o->mute_after || s.nreq < o->mute_after) && (!o->die_after || s.nreq < o->die_after) &&
			       rp_probe_poll_max(&s.probe, 1))
				;
		} else {
			rp_probe_poll(&s.probe);
		}
		if (o->die_after && s.nreq >= o->die_after)
			_exit(9);
	}
}
