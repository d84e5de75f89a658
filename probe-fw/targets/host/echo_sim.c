/* The example echo firmware (echo_svc.c) as a sim process: `--link sim:fw=echo`.
 *
 * Same shared-memory layout as the sim probe (resource table at 0, trace buffer at 4 KiB, the host's
 * pool from 8 KiB), plus the hooks' ring in the last ECHO_SIM_RING_AREA bytes, declared in the table as
 * the "rplat-ring" carveout. The counter is the sim probe's (CLOCK_MONOTONIC_RAW through hz, drift and
 * offset), so tests know the truth. delay=/jitter= spin in the RX callback (the application's work);
 * restart=N re-initialises the ring with a new boot_id after every N messages, as a rebooted remote
 * would (the transport stays up, so the client keeps going). stream=HZ makes it also a sampler that
 * writes one rplat_mark(ECHO_SIM_MARK_SAMPLE, n) per period into the ring from a timer, the "shared ring
 * the real-time core fills autonomously" of the streaming comparison (tests/bench/bench_ring.c); a
 * timer expiry that covers several periods writes one mark per period, as a late ISR would. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "echo_svc.h"
#include "rplat/hooks.h"
#include "rplat/util.h"
#include "sim_probe.h"

#define ECHO_SIM_RING_AREA (132u * 1024u) /* 128 + 4096 * 32 bytes, page-rounded */
#define ECHO_SIM_NREC 4096u
#define ECHO_SIM_MARK_SAMPLE 2u

struct echo_sim {
	const struct rplat_sim_opts *o;
	int kick_out;
	uint64_t rng;
	uint32_t boot;
	uint8_t *ring;
	uint32_t ring_len;
};

static uint64_t echo_counter(void *ctx)
{
	return rplat_sim_counter_at(((struct echo_sim *)ctx)->o, rplat_now_raw_ns());
}

static void echo_kick(void *ctx)
{
	uint64_t one = 1;

	if (write(((struct echo_sim *)ctx)->kick_out, &one, sizeof(one)) != sizeof(one))
		_exit(3); /* the host is gone */
}

static void echo_work(void *ctx)
{
	struct echo_sim *e = ctx;
	int64_t until;

	if (!e->o->delay_ns && !e->o->jitter_ns)
		return;
	until = rplat_now_raw_ns() + e->o->delay_ns;
	if (e->o->jitter_ns) {
		e->rng ^= e->rng << 13;
		e->rng ^= e->rng >> 7;
		e->rng ^= e->rng << 17;
		until += (int64_t)(e->rng % (uint64_t)e->o->jitter_ns);
	}
	while (rplat_now_raw_ns() < until)
		;
}

static void ring_boot(struct echo_sim *e)
{
	/* a boot id that differs between boots, as a firmware would take from a free-running counter */
	uint32_t id = (uint32_t)echo_counter(e) ^ (++e->boot << 24);

	rplat_hooks_init(e->ring, e->ring_len, e->o->hz, id, echo_counter, e);
}

static int echo_run(const struct rplat_sim_opts *o, uint8_t *shm, int own_table, uint32_t ring_off,
		    uint32_t ring_len, int kick_in, int kick_out, char *err, size_t errlen);

int rplat_echo_sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
		       size_t errlen)
{
	if (o->shm_size < 512u * 1024u)
		return rplat_fail(err, errlen, "sim fw=echo: shm %u too small (512K at least: pool and ring)",
				  o->shm_size);
	return echo_run(o, shm, 1, (o->shm_size - ECHO_SIM_RING_AREA) & ~4095u,
			128u + ECHO_SIM_NREC * RPLAT_RING_REC_SIZE, kick_in, kick_out, err, errlen);
}

int rplat_echo_sim_run_attached(const struct rplat_sim_opts *o, uint8_t *shm, uint32_t ring_off, uint32_t ring_len,
				int kick_in, int kick_out, char *err, size_t errlen)
{
	if (ring_off < RPLAT_SIM_POOL_OFF || ring_off & 7u || ring_len > o->shm_size || ring_off > o->shm_size - ring_len)
		return rplat_fail(err, errlen, "sim fw=echo: ring at +0x%x (%u bytes) is not inside the %u-byte region",
				  ring_off, ring_len, o->shm_size);
	return echo_run(o, shm, 0, ring_off, ring_len, kick_in, kick_out, err, errlen);
}

static int echo_run(const struct rplat_sim_opts *o, uint8_t *shm, int own_table, uint32_t ring_off,
		    uint32_t ring_len, int kick_in, int kick_out, char *err, size_t errlen)
{
	struct echo_sim e = { o, kick_out, o->seed ? o->seed : 1, 0, shm + ring_off, ring_len };
	struct echo_rsc_table t = ECHO_RSC_TABLE_INIT(o->da + RPLAT_SIM_TRACE_OFF, RPLAT_SIM_TRACE_LEN,
						      "trace:rplat-echo-sim", o->da + ring_off, ring_len);
	/* our own table: the host's vrings may not reach into the ring at the region's end; attached, the
	 * vrings and buffers are where the table's loader put them (the virtual board: around the ring) */
	struct rp_shm region = { shm, o->da, own_table ? ring_off : o->shm_size };
	struct echo_svc svc;
	uint32_t served = 0, sample = 0;
	int tfd = -1;

	if (own_table) {
		t.vring0.num = t.vring1.num = o->num;
		t.vring0.align = t.vring1.align = o->align;
		memcpy(shm + RPLAT_SIM_RSC_OFF, &t, sizeof(t));
	}
	snprintf((char *)shm + RPLAT_SIM_TRACE_OFF, RPLAT_SIM_TRACE_LEN, "rplat echo (sim%s): booted\n",
		 own_table ? "" : ", attached");
	ring_boot(&e);
	echo_svc_init(&svc, &region, echo_kick, &e);
	svc.work = echo_work;
	svc.work_ctx = &e;
	if (own_table)
		echo_kick(&e); /* "booted": the table is in place */
	if (o->stream_hz) {
		struct itimerspec its;
		int64_t ns = (int64_t)(1e9 / (double)o->stream_hz);

		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tfd < 0)
			return rplat_fail(err, errlen, "sim fw=echo: timerfd: %s", strerror(errno));
		its.it_interval.tv_sec = its.it_value.tv_sec = ns / 1000000000;
		its.it_interval.tv_nsec = its.it_value.tv_nsec = ns % 1000000000;
		timerfd_settime(tfd, 0, &its, NULL);
	}
	for (;;) {
		uint64_t v;
		ssize_t r;

		if (!own_table && svc.ready != 3) {
			/* attached: DRIVER_OK is written by the host's loader, and its doorbell may have come
			 * before we started: look at the table every 10 ms until the vrings are up */
			struct pollfd pf = { kick_in, POLLIN, 0 };
			int a;

			if (poll(&pf, 1, 10) < 0 && errno != EINTR)
				return rplat_fail(err, errlen, "sim fw=echo: poll: %s", strerror(errno));
			if ((pf.revents & POLLIN) && read(kick_in, &v, sizeof(v)) < 0 && errno != EINTR && errno != EAGAIN)
				return rplat_fail(err, errlen, "sim fw=echo: doorbell read failed: %s", strerror(errno));
			a = echo_svc_attach(&svc, (volatile struct echo_rsc_table *)(void *)(shm + RPLAT_SIM_RSC_OFF));
			if (a < 0)
				return rplat_fail(err, errlen, "sim fw=echo: the vrings written back are unusable");
			if (a == 0) {
				snprintf((char *)shm + RPLAT_SIM_TRACE_OFF, RPLAT_SIM_TRACE_LEN,
					 "rplat echo (sim, attached): DRIVER_OK, announced rpmsg-raw and rpmsg_chrdev on port 14\n");
				echo_svc_poll(&svc);
			}
			continue;
		}
		if (tfd >= 0) {
			struct pollfd pf[2] = { { kick_in, POLLIN, 0 }, { tfd, POLLIN, 0 } };

			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				return rplat_fail(err, errlen, "sim fw=echo: poll: %s", strerror(errno));
			if ((pf[1].revents & POLLIN) && read(tfd, &v, sizeof(v)) == sizeof(v))
				while (v--)
					rplat_mark(ECHO_SIM_MARK_SAMPLE, sample++);
			if (!(pf[0].revents & POLLIN))
				continue;
		}
		r = read(kick_in, &v, sizeof(v));
		if (r != sizeof(v)) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return rplat_fail(err, errlen, "sim fw=echo: doorbell read failed: %s", strerror(errno));
		}
		if (svc.ready != 3) {
			rplat_hook_isr();
			if (echo_svc_attach(&svc, (volatile struct echo_rsc_table *)(void *)(shm + RPLAT_SIM_RSC_OFF)) < 0)
				return rplat_fail(err, errlen, "sim fw=echo: the vrings written back are unusable");
			echo_svc_poll(&svc);
		} else {
			echo_svc_isr(&svc);
		}
		if (o->restart_after && svc.echoed - served >= o->restart_after) {
			served = svc.echoed;
			ring_boot(&e);
		}
	}
}
