/* fuzz-sources: probe-fw/core/rp_probe.c probe-fw/core/rp_vring.c probe-fw/core/rp_counter.c host-tools/lib/vdrv.c host-tools/lib/util.c */
/* libFuzzer target for the probe protocol and both sides of the vrings.
 *
 * The first input byte picks what the rest is:
 *   0: one request message from the host: sent through the user-space driver, served by the probe
 *      core, every reply read back and parsed as the host parses it;
 *   1: a hostile driver: the bytes overwrite vring1's descriptor table and avail ring before the probe
 *      polls (it must count and return bad entries, never follow them);
 *   2: a hostile device: the bytes overwrite vring0's used ring and the RX buffers before the host reaps
 *      (the driver must validate every used entry and RPMsg header). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rp_probe.h"
#include "rplat/vdrv.h"

#define SHM_SIZE (1u << 20)
#define DA 0x9cb00000u

static uint64_t now;

static uint64_t counter(void *ctx)
{
	(void)ctx;
	return now += 3;
}

static void kick(void *ctx, uint32_t vq)
{
	(void)ctx;
	(void)vq;
}

static void kick_drv(void *ctx, unsigned vq)
{
	(void)ctx;
	(void)vq;
}

static void write_table(uint8_t *shm)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(0, 0, "");

	memcpy(shm, &t, sizeof(t));
}

static void drain(struct rplat_vdrv *d)
{
	uint8_t in[RPMSG_MAX_PAYLOAD];
	ssize_t n;
	int guard = 0;

	while ((n = rplat_vdrv_recv(d, in, sizeof(in))) != 0 && guard++ < 1024) {
		const struct rplat_hdr *h = (const void *)in;

		if (n >= (ssize_t)sizeof(*h) && h->type == RPLAT_PONG && n >= (ssize_t)RPLAT_PING_MIN) {
			uint64_t t;

			memcpy(&t, in + offsetof(struct rplat_ping, t_reply), 8);
			(void)t;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *shm;
	struct rp_hal hal = { counter, kick, NULL, NULL, NULL, NULL };
	struct rp_probe_cfg cfg = { .target = "fuzz", .counter_hz = 1000000 };
	struct rp_shm region;
	struct rplat_vdrv d;
	struct rp_probe p;
	char err[256];

	if (size < 1)
		return 0;
	if (!shm)
		shm = malloc(SHM_SIZE);
	memset(shm, 0, SHM_SIZE);
	write_table(shm);
	region = (struct rp_shm){ shm, DA, SHM_SIZE };
	rp_probe_init(&p, &hal, &cfg, &region);
	if (rplat_vdrv_setup(&d, shm, SHM_SIZE, DA, 0, 4096, 8192, kick_drv, NULL, err, sizeof(err)) ||
	    rp_probe_attach(&p, (void *)shm) != 0)
		abort(); /* the fixed table must always attach */
	drain(&d);
	switch (data[0] % 3) {
	case 0:
		if (size - 1 <= RPMSG_MAX_PAYLOAD && rplat_vdrv_send(&d, data + 1, size - 1) == 0) {
			rp_probe_kick_isr(&p);
			rp_probe_poll(&p);
			drain(&d);
		}
		break;
	case 1: {
		size_t ring = (size_t)16 * 256 + 4 + 2 * 256; /* descriptors and avail ring of vring1 */
		size_t n = size - 1 < ring ? size - 1 : ring;

		memcpy(d.tx.desc, data + 1, n);
		rp_probe_kick_isr(&p);
		rp_probe_poll(&p);
		drain(&d);
		break;
	}
	case 2: {
		size_t used = 4 + 8 * 256;
		size_t n = size - 1 < used ? size - 1 : used;

		memcpy(d.rx.used, data + 1, n);
		if (size - 1 > used)
			memcpy(shm + d.buf_off, data + 1 + used,
			       size - 1 - used < (size_t)256 * 512 ? size - 1 - used : (size_t)256 * 512);
		drain(&d);
		break;
	}
	}
	rplat_vdrv_free(&d);
	return 0;
}
