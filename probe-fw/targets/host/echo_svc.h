/* An example firmware application: an echo service on RPMsg port 14 ("rpmsg_chrdev", as TI's examples),
 * written the way a user's firmware is, over a small virtio device layer (probe-fw/core/rp_vring.c
 * stands in for the user's OpenAMP / rpmsg-lite), and instrumented with the rplat hooks: one
 * rplat_hook_isr() in the doorbell ISR, rplat_hook_rx() in the RX callback, rplat_hook_send() before
 * the reply. It is not the probe: no rplat protocol, no stamps in the messages; whatever arrives is
 * sent back unchanged to its sender.
 *
 * Portable (no hardware access): the sim (echo_sim.c) and the QEMU target (targets/qemu-echo) supply
 * the shared region, the doorbell out and the counter the hooks read. */
#ifndef RPLAT_ECHO_SVC_H
#define RPLAT_ECHO_SVC_H

#include <stdint.h>

#include "rp_vring.h"
#include "rplat/wire/rsc_table.h"

#define ECHO_PORT 14u

/* The example's resource table: the rpmsg vdev, its trace buffer, and the hooks' ring as a carveout
 * named "rplat-ring". */
struct echo_rsc_table {
	struct resource_table base; /* ver 1, num 3 */
	uint32_t offset[3];
	struct fw_rsc_hdr vdev_hdr;
	struct fw_rsc_vdev vdev;
	struct fw_rsc_vdev_vring vring0;
	struct fw_rsc_vdev_vring vring1;
	struct fw_rsc_hdr trace_hdr;
	struct fw_rsc_trace trace;
	struct fw_rsc_hdr ring_hdr;
	struct fw_rsc_carveout ring;
} __attribute__((packed));

#define ECHO_RSC_TABLE_INIT(tbuf, tlen, trace_name, ring_da, ring_len)                                  \
	{                                                                                               \
		.base = { .ver = 1, .num = 3 },                                                         \
		.offset = { __builtin_offsetof(struct echo_rsc_table, vdev_hdr),                        \
			    __builtin_offsetof(struct echo_rsc_table, trace_hdr),                       \
			    __builtin_offsetof(struct echo_rsc_table, ring_hdr) },                      \
		.vdev_hdr = { .type = RSC_VDEV },                                                       \
		.vdev = { .id = VIRTIO_ID_RPMSG, .dfeatures = 1u << VIRTIO_RPMSG_F_NS, .num_of_vrings = 2 }, \
		.vring0 = { .da = FW_RSC_ADDR_ANY, .align = 4096, .num = 256, .notifyid = 1 },          \
		.vring1 = { .da = FW_RSC_ADDR_ANY, .align = 4096, .num = 256, .notifyid = 2 },          \
		.trace_hdr = { .type = RSC_TRACE },                                                     \
		.trace = { .da = (uint32_t)(uintptr_t)(tbuf), .len = (tlen), .name = trace_name },      \
		.ring_hdr = { .type = RSC_CARVEOUT },                                                   \
		.ring = { .da = (ring_da), .pa = (ring_da), .len = (ring_len), .name = "rplat-ring" },  \
	}

struct echo_svc {
	struct rp_shm shm;
	struct rp_vq rx; /* vring1: host -> us */
	struct rp_vq tx; /* vring0: us -> host */
	struct rplat_counters cnt;
	void (*kick)(void *ctx);
	void *kick_ctx;
	/* optional: the work the application does per message, between RX and the reply (the sim's
	 * delay=) */
	void (*work)(void *ctx);
	void *work_ctx;
	int ready;        /* 0: waiting for DRIVER_OK, 1: vrings mapped, 2: announced rpmsg-raw, 3: both */
	uint32_t echoed;  /* replies sent */
	uint32_t no_buf;  /* replies dropped: the host had no RX buffer posted */
};

void echo_svc_init(struct echo_svc *s, const struct rp_shm *shm, void (*kick)(void *ctx), void *kick_ctx);
/* Until it returns 0: waits for DRIVER_OK, maps the vrings, announces port 14. -1: unusable vrings. */
int echo_svc_attach(struct echo_svc *s, volatile struct echo_rsc_table *rsc);
/* The doorbell interrupt: the ISR hook, then serve every pending message. */
void echo_svc_isr(struct echo_svc *s);
/* Serve every pending message; returns how many. */
int echo_svc_poll(struct echo_svc *s);

#endif
