/* Shared by the measuring commands. See rplat/measure.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "rplat/measure.h"
#include "rplat/util.h"
#include "rplat/wire/rpmsg.h"

volatile sig_atomic_t rplat_stop;

static void on_signal(int sig)
{
	(void)sig;
	if (++rplat_stop >= 2) {
		/* second Ctrl-C: give up on a clean finish, but leave no child behind */
		rplat_link_kill_children();
		_exit(130);
	}
}

static void on_fatal(int sig)
{
	rplat_link_kill_children();
	signal(sig, SIG_DFL);
	raise(sig);
}

void rplat_measure_signals(void)
{
	struct sigaction sa;

	rplat_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static uint8_t pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7u + i * 13u + 1u);
}

void rplat_ping_build(uint8_t *buf, uint16_t size, uint32_t seq)
{
	struct rplat_ping *p = (struct rplat_ping *)(void *)buf;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->hdr.magic = RPLAT_MAGIC;
	p->hdr.version = RPLAT_PROTO_VERSION;
	p->hdr.type = RPLAT_PING;
	p->hdr.len = size;
	p->hdr.seq = seq;
	for (i = RPLAT_PING_MIN; i < size; i++)
		buf[i] = pattern(seq, i);
}

int rplat_pong_intact(const uint8_t *buf, long n, uint16_t size, uint32_t seq)
{
	const struct rplat_ping *p = (const void *)buf;
	uint32_t i;

	if (n != size || p->hdr.len != size || p->hdr.status != 0 || p->hdr.flags != 0)
		return 0;
	for (i = RPLAT_PING_MIN; i < size; i++)
		if (buf[i] != pattern(seq, i))
			return 0;
	return 1;
}

int rplat_probe_info(struct rplat_link *l, struct rplat_info *out, int64_t timeout_ns, char *err, size_t errlen)
{
	struct rplat_hdr req;
	uint8_t in[RPMSG_MAX_PAYLOAD];
	int64_t deadline = rplat_now_ns() + timeout_ns;

	memset(&req, 0, sizeof(req));
	req.magic = RPLAT_MAGIC;
	req.version = RPLAT_PROTO_VERSION;
	req.type = RPLAT_INFO_REQ;
	req.len = sizeof(req);
	req.seq = 0xFFFFFFFFu;
	if (rplat_link_send(l, &req, sizeof(req)))
		return rplat_fail(err, errlen, "sending INFO request: %s", strerror(errno));
	for (;;) {
		int64_t left = deadline - rplat_now_ns();
		ssize_t n = left > 0 ? rplat_link_recv(l, in, sizeof(in), left) : 0;
		const struct rplat_info *info = (const void *)in;

		if (n < 0 && errno == EINTR && !rplat_stop)
			continue;
		if (n <= 0)
			return rplat_fail(err, errlen, "the probe did not answer INFO%s%s", n < 0 ? ": " : " in time",
					  n < 0 ? strerror(errno) : "");
		if ((size_t)n < sizeof(struct rplat_hdr) || info->hdr.magic != RPLAT_MAGIC ||
		    info->hdr.seq != req.seq)
			continue; /* a late reply of something else */
		if (info->hdr.type == RPLAT_ERROR && info->hdr.status == RPLAT_E_VERSION)
			return rplat_fail(err, errlen, "the probe does not speak protocol version %u", RPLAT_PROTO_VERSION);
		if (info->hdr.type != RPLAT_INFO_RESP || (size_t)n < sizeof(*info) || info->counter_hz == 0)
			return rplat_fail(err, errlen, "malformed INFO reply (%zd bytes, type %u)", n, info->hdr.type);
		*out = *info;
		out->target[RPLAT_TARGET_LEN - 1] = '\0';
		return 0;
	}
}

int rplat_rt_setup(struct rplat_rt *rt, int priority, int cpu, int mlock, int dma_us)
{
	rt->dma_fd = -1;
	rt->priority = 0;
	rt->mlocked = 0;
	if (mlock) {
		if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
			fprintf(stderr, "rplat: mlockall: %s\n", strerror(errno));
			return -1;
		}
		rt->mlocked = 1;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "rplat: --affinity %d: %s\n", cpu, strerror(errno));
			return -1;
		}
	}
	if (priority) {
		struct sched_param sp = { .sched_priority = priority };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, "rplat: --priority %d (SCHED_FIFO): %s\n", priority, strerror(errno));
			return -1;
		}
		rt->priority = priority;
	}
	if (dma_us >= 0) {
		int32_t v = dma_us;

		/* Held while the fd is open; the kernel drops the request when it is closed (or we die). */
		rt->dma_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
		if (rt->dma_fd < 0 || write(rt->dma_fd, &v, sizeof(v)) != sizeof(v)) {
			fprintf(stderr, "rplat: warning: cannot hold /dev/cpu_dma_latency at %d us (%s); "
					"cross-CPU wakeups may be slow\n", dma_us, strerror(errno));
			if (rt->dma_fd >= 0)
				close(rt->dma_fd);
			rt->dma_fd = -1;
		}
	}
	return 0;
}

const char *rplat_rt_value(int opt, const char *arg, int *out)
{
	uint64_t v;

	switch (opt) {
	case 'p':
		if (rplat_parse_u64(arg, &v) || v < 1 || v > 99)
			return "--priority takes 1..99";
		break;
	case 'a': {
		static char msg[160];
		char cpus[96];

		if (rplat_parse_u64(arg, &v) || v >= 1024)
			return "--affinity takes a CPU number";
		if (!rplat_cpu_usable((long)v, cpus, sizeof(cpus))) {
			snprintf(msg, sizeof(msg), "--affinity: CPU %llu is not one rplat may run on (CPUs %s)",
				 (unsigned long long)v, cpus);
			return msg;
		}
		break;
	}
	case 'd':
		if (rplat_parse_u64(arg, &v) || v > 2000000000)
			return "--dma-latency takes microseconds";
		break;
	default:
		return "not a real-time option";
	}
	*out = (int)v;
	return NULL;
}

void rplat_rt_restore(struct rplat_rt *rt)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (rt->dma_fd >= 0)
		close(rt->dma_fd);
	rt->dma_fd = -1;
	if (rt->priority)
		sched_setscheduler(0, SCHED_OTHER, &sp);
	rt->priority = 0;
	if (rt->mlocked)
		munlockall();
	rt->mlocked = 0;
}

#define CALIBRATE_MAX_SILENT 5 /* consecutive unanswered calibration pings that end it */

int rplat_calibrate(struct rplat_link *l, struct rplat_clk *clk, int n, int64_t interval_ns)
{
	uint8_t out[RPLAT_PING_MIN], in[RPMSG_MAX_PAYLOAD];
	int i, got = 0, missed = 0;

	for (i = 0; i < n && !rplat_stop; i++) {
		int64_t t_send, deadline;
		int answered = 0;

		if (missed >= CALIBRATE_MAX_SILENT) { /* the remote stopped answering */
			errno = ETIMEDOUT;
			return -1;
		}

		rplat_ping_build(out, RPLAT_PING_MIN, 0x80000000u | (uint32_t)i);
		t_send = rplat_now_ns();
		if (rplat_link_send(l, out, sizeof(out)))
			return -1;
		deadline = t_send + 100000000;
		for (;;) {
			int64_t left = deadline - rplat_now_ns();
			ssize_t r = left > 0 ? rplat_link_recv(l, in, sizeof(in), left) : 0;
			const struct rplat_ping *p = (const void *)in;

			if (r < 0 && errno == EINTR)
				break;
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			if (p->hdr.type == RPLAT_PONG && p->hdr.seq == (0x80000000u | (uint32_t)i) &&
			    rplat_pong_intact(in, r, RPLAT_PING_MIN, p->hdr.seq)) {
				struct rplat_clk_sample cs = { t_send, rplat_now_ns(), 0, 0 };

				memcpy(&cs.r_kick, &p->t_kick, 8);
				memcpy(&cs.r_reply, &p->t_reply, 8);
				rplat_clk_add(clk, &cs);
				got++;
				answered = 1;
				break;
			}
		}
		missed = answered ? 0 : missed + 1;
		if (interval_ns > 0) {
			struct timespec ts = { interval_ns / 1000000000, interval_ns % 1000000000 };

			nanosleep(&ts, NULL);
		}
	}
	return got;
}

void rplat_iso_time(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *rplat_link_type(const char *spec, char *buf, size_t n)
{
	size_t k = strcspn(spec, ":");

	snprintf(buf, n, "%.*s", (int)k, spec);
	return buf;
}

void rplat_json_rsc(struct rplat_jw *jw, const struct rplat_link *l)
{
	const struct rplat_link_rsc *r = &l->rsc;
	unsigned i;

	if (!r->valid)
		return;
	rplat_jw_obj_begin(jw, "rsc");
	rplat_jw_arr_begin(jw, "vrings");
	for (i = 0; i < r->nvrings && i < 2; i++) {
		rplat_jw_obj_begin(jw, NULL);
		rplat_jw_uint(jw, "da", r->vring[i].da);
		rplat_jw_uint(jw, "align", r->vring[i].align);
		rplat_jw_uint(jw, "num", r->vring[i].num);
		rplat_jw_uint(jw, "notifyid", r->vring[i].notifyid);
		rplat_jw_obj_end(jw);
	}
	rplat_jw_arr_end(jw);
	if (r->has_trace) {
		rplat_jw_obj_begin(jw, "trace");
		rplat_jw_uint(jw, "da", r->trace_da);
		rplat_jw_uint(jw, "len", r->trace_len);
		rplat_jw_str(jw, "name", r->trace_name);
		rplat_jw_obj_end(jw);
	}
	rplat_jw_obj_end(jw);
}

void rplat_json_firmware(struct rplat_jw *jw, const struct rplat_info *in)
{
	const struct rplat_counters *c = &in->counters;
	char bid[2 * RPLAT_BUILD_ID_LEN + 1], ver[32];
	int i;

	for (i = 0; i < (int)RPLAT_BUILD_ID_LEN; i++)
		sprintf(bid + 2 * i, "%02x", in->build_id[i]);
	snprintf(ver, sizeof(ver), "%u.%u.%u", in->fw_version >> 16, (in->fw_version >> 8) & 0xff,
		 in->fw_version & 0xff);
	rplat_jw_obj_begin(jw, "firmware");
	rplat_jw_str(jw, "target", in->target);
	rplat_jw_str(jw, "fw_version", ver);
	rplat_jw_uint(jw, "proto_version", in->proto_version);
	rplat_jw_uint(jw, "counter_hz", in->counter_hz);
	rplat_jw_str(jw, "build_id", bid);
	rplat_jw_uint(jw, "vring_num", in->vring_num);
	rplat_jw_uint(jw, "features", in->features);
	rplat_jw_obj_begin(jw, "counters");
	rplat_jw_uint(jw, "rx_msgs", c->rx_msgs);
	rplat_jw_uint(jw, "tx_msgs", c->tx_msgs);
	rplat_jw_uint(jw, "kicks", c->kicks);
	rplat_jw_uint(jw, "bad_desc_index", c->bad_desc_index);
	rplat_jw_uint(jw, "bad_desc_addr", c->bad_desc_addr);
	rplat_jw_uint(jw, "bad_desc_len", c->bad_desc_len);
	rplat_jw_uint(jw, "bad_desc_short", c->bad_desc_short);
	rplat_jw_uint(jw, "bad_desc_chain", c->bad_desc_chain);
	rplat_jw_uint(jw, "bad_avail_idx", c->bad_avail_idx);
	rplat_jw_uint(jw, "bad_msg", c->bad_msg);
	rplat_jw_uint(jw, "tx_no_buf", c->tx_no_buf);
	rplat_jw_uint(jw, "echo_req", c->echo_req);
	rplat_jw_obj_end(jw);
	rplat_jw_obj_end(jw);
}

void rplat_print_stats_header(void)
{
	printf("# %-16s %9s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "latency (us)", "count", "min", "avg", "max",
	       "stddev", "p50", "p90", "p99", "p99.9", "p99.99");
}

void rplat_print_stats_row(const char *name, const struct rplat_hist *h, double err)
{
	struct rplat_stats s;

	rplat_hist_stats(h, &s);
	if (!s.count) {
		printf("%-18s %9s\n", name, "-");
		return;
	}
	printf("%-18s %9llu %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f", name,
	       (unsigned long long)s.count, (double)s.min / 1e3, s.avg / 1e3, (double)s.max / 1e3, s.stddev / 1e3,
	       (double)s.p50 / 1e3, (double)s.p90 / 1e3, (double)s.p99 / 1e3, (double)s.p999 / 1e3,
	       (double)s.p9999 / 1e3);
	if (err >= 0)
		printf("  +-%.2f", err / 1e3);
	putchar('\n');
}
