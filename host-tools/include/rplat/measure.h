/* What every measuring command (ping, stream, trace) shares: signal handling, asking the probe who it
 * is, real-time set-up and its restore, clock calibration pings, and pieces of the run metadata. */
#ifndef RPLAT_MEASURE_H
#define RPLAT_MEASURE_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "rplat/clocksync.h"
#include "rplat/hist.h"
#include "rplat/json.h"
#include "rplat/link.h"
#include "rplat/sysinfo.h"
#include "rplat/wire/probe_proto.h"

/* Set by SIGINT/SIGTERM/SIGHUP (counts them); a second one kills the link children and exits 130. */
extern volatile sig_atomic_t rplat_stop;
/* Install the handlers (no SA_RESTART, so blocking waits return EINTR); fatal signals kill link
 * children first. Clears rplat_stop. */
void rplat_measure_signals(void);

/* INFO round trip. Returns 0 with *out filled, or -1 with a message in err. */
int rplat_probe_info(struct rplat_link *l, struct rplat_info *out, int64_t timeout_ns, char *err, size_t errlen);

/* Real-time set-up of the calling thread, undone by rplat_rt_restore() (safe to call twice). */
struct rplat_rt {
	int dma_fd;
	int priority;
	int mlocked;
};
/* priority 0 = leave, cpu < 0 = leave, dma_us < 0 = do not hold. Returns 0, or -1 with a message
 * printed. A cpu_dma_latency that cannot be held is a warning, not an error. */
int rplat_rt_setup(struct rplat_rt *rt, int priority, int cpu, int mlock, int dma_us);
void rplat_rt_restore(struct rplat_rt *rt);
/* Check the value of a real-time option the measuring commands share: 'p' (SCHED_FIFO priority 1..99),
 * 'a' (a CPU number) or 'd' (cpu_dma_latency in us). Returns NULL with the value stored in *out, or the
 * complaint to print (*out untouched). */
const char *rplat_rt_value(int opt, const char *arg, int *out);

/* The ping wire helpers: a PING of 'size' bytes with seq's payload pattern, and the check of its PONG. */
void rplat_ping_build(uint8_t *buf, uint16_t size, uint32_t seq);
int rplat_pong_intact(const uint8_t *buf, long n, uint16_t size, uint32_t seq);

/* Clock calibration: 'n' minimal pings 'interval_ns' apart, each reply added to clk. Messages of other
 * types that arrive meanwhile are dropped. Returns the number of replies, or -1 with errno: a link error
 * (EPIPE: the remote went away; ENOBUFS: it consumes nothing) or ETIMEDOUT after 5 unanswered pings in a
 * row (the remote stopped answering). The replies before a failure stay in clk. */
int rplat_calibrate(struct rplat_link *l, struct rplat_clk *clk, int n, int64_t interval_ns);

/* Run metadata pieces. */
void rplat_iso_time(time_t t, char *buf, size_t n);
const char *rplat_link_type(const char *spec, char *buf, size_t n);
void rplat_json_firmware(struct rplat_jw *jw, const struct rplat_info *info);
/* run.json's "rsc": the resource table in force on the link; nothing when the link does not know it. */
void rplat_json_rsc(struct rplat_jw *jw, const struct rplat_link *l);
/* One summary row in us: name count min avg max stddev p50 p90 p99 p99.9 p99.99 [+-err]. */
void rplat_print_stats_row(const char *name, const struct rplat_hist *h, double err_ns);
void rplat_print_stats_header(void);

#endif
