/* The portable probe: RPMsg endpoint, name service and the rplat probe protocol over two rp_vq rings.
 *
 * A target supplies a struct rp_hal (counter, doorbell out, optional cache maintenance) and calls:
 *   rp_probe_init()       once, with the shared region and the identity it reports in INFO;
 *   rp_probe_attach()     until it returns 0: waits for DRIVER_OK in the resource table, then maps the
 *                         vrings the host wrote back and announces the endpoint;
 *   rp_probe_kick_isr()   from the doorbell interrupt (stamps t_kick for the next request served;
 *                         a request the main loop finds before its doorbell gets t_kick = t_consume);
 *   rp_probe_poll()       from the main loop (or the ISR) to serve every pending request.
 * No function here touches hardware or blocks. */
#ifndef RP_PROBE_H
#define RP_PROBE_H

#include <stdint.h>

#include "rp_vring.h"
#include "rplat/wire/probe_proto.h"
#include "rplat/wire/rpmsg.h"
#include "rplat/wire/rsc_table.h"

struct rp_hal {
	uint64_t (*counter)(void *ctx);                          /* 64-bit extended stamp counter */
	void (*kick)(void *ctx, uint32_t vq_index);              /* notify the host: 0 = vring0 has data */
	void (*cache_clean)(void *ctx, const void *p, uint32_t n);  /* optional: write back before push */
	void (*cache_inval)(void *ctx, void *p, uint32_t n);        /* optional: discard before read */
	/* optional: take a doorbell that arrived while the core was busy, calling rp_probe_kick_isr() as
	 * the interrupt would have. For targets whose "interrupt" cannot preempt the main loop (the sim
	 * process); real targets leave it NULL because their ISR runs on time. Called before each pop. */
	void (*pending)(void *ctx);
	void *ctx;
};

struct rp_probe;

/* Handler for message types the core does not know (stream, coherency). 'req' is the whole request,
 * 'len' bytes (header checked; p->req_src is its sender). It may build a reply of at most 'cap' bytes in
 * 'reply' and return its length, return 0 for no reply, or -enum rplat_err. */
typedef int (*rp_ext_fn)(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply,
			 uint32_t cap, void *ctx);

struct rp_probe_cfg {
	const char *target;       /* reported in INFO */
	uint32_t fw_version;
	uint64_t counter_hz;
	const uint8_t *build_id;  /* RPLAT_BUILD_ID_LEN bytes, or NULL */
	uint32_t features;        /* RPLAT_FEAT_* */
	rp_ext_fn ext;            /* optional */
	void *ext_ctx;
	/* optional: runs between t_consume and t_reply with the reply built in 'msg' (sim delay and fault
	 * injection) */
	void (*process)(void *ctx, uint8_t *msg, uint32_t len);
	void *process_ctx;
};

struct rp_probe {
	const struct rp_hal *hal;
	struct rp_probe_cfg cfg;
	struct rp_shm shm;
	struct rp_vq rx;          /* vring1: host -> probe */
	struct rp_vq tx;          /* vring0: probe -> host */
	struct rplat_counters cnt;
	volatile uint64_t t_kick; /* stamp of the latest doorbell */
	volatile int kick_fresh;  /* t_kick not yet given to a request */
	uint32_t addr;            /* our endpoint address (RPLAT_PORT) */
	int ready;
	uint32_t req_src;          /* sender of the request being dispatched to cfg.ext */
	uint32_t last_rx_da;       /* device address of that request's buffer (its vring1 slot) */
	uint16_t last_rx_head;     /* and its descriptor index */
};

void rp_probe_init(struct rp_probe *p, const struct rp_hal *hal, const struct rp_probe_cfg *cfg,
		   const struct rp_shm *shm);

/* Returns 0 once attached and announced, 1 while the host has not set DRIVER_OK yet, or -1 if the table
 * the host wrote back is unusable (vrings outside the shared region, bad num/align). */
int rp_probe_attach(struct rp_probe *p, volatile struct rplat_rsc_table *rsc);

void rp_probe_kick_isr(struct rp_probe *p);

/* Serve every pending request. Returns how many were handled (bad descriptors included). */
int rp_probe_poll(struct rp_probe *p);
/* Serve at most 'max' pending requests (e.g. one at a time, to stop at an exact count). Returns how many
 * were handled. */
int rp_probe_poll_max(struct rp_probe *p, int max);

/* Send one message of 'len' bytes from our endpoint to 'dst'. Returns 0, or -1 when the host has no RX
 * buffer posted (counted in tx_no_buf). */
int rp_probe_send(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len);

/* Like rp_probe_send(), but writes the counter value just before the push into the 64-bit field at byte
 * offset 'stamp_off' of the message (e.g. rplat_stream_data.t_send). */
int rp_probe_send_stamped(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t stamp_off);

/* Like rp_probe_send(), but first writes the device address of the vring0 buffer that carries the
 * message (uint32) at byte offset 'da_off' and its descriptor index (uint16) at 'head_off' of the
 * message (e.g. rplat_coh_slots.tx_da / tx_head), so that the host learns which slot it came in. */
int rp_probe_send_tagged(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t da_off,
			 uint32_t head_off);

/* Fill an rplat_hdr. */
void rp_hdr_fill(struct rplat_hdr *h, uint8_t type, uint16_t len, uint32_t seq, uint32_t status);

#endif
