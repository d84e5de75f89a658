/* rplat hooks: drop-in calls for any firmware (OpenAMP, rpmsg-lite, TI MCU+ IPC, bare metal) that write
 * one fixed-size event record per call into a shared-memory ring the host drains lazily (`rplat observe`).
 *
 *   rplat_hooks_init()   once at start, with the ring's memory (the "rplat-ring" carveout of the resource
 *                        table), the counter rate and the target's 64-bit counter
 *   rplat_hook_isr()     first thing in the mailbox / doorbell interrupt
 *   rplat_hook_rx()      in the RX callback, with the message as received
 *   rplat_hook_send()    just before the message is handed to the send path
 *   rplat_mark(id, v)    anywhere else (id and value are the caller's)
 *
 * C99, no allocation, no locks, no waiting, no board code: the counter comes from the caller. A call
 * writes one record (struct rplat_ring_rec, rplat/wire/obs_ring.h) or, when the host has not consumed
 * enough, counts a drop and returns. Calls before rplat_hooks_init() do nothing.
 *
 * One producer: all hook calls must come from one execution context at a time (one interrupt priority,
 * or with the other contexts masked), as for any single-producer ring. Cost: see probe-fw/README.md
 * (measured in QEMU, instructions per call). */
#ifndef RPLAT_HOOKS_H
#define RPLAT_HOOKS_H

#include <stdint.h>

#include "rplat/wire/obs_ring.h"

/* The target's counter, extended to 64 bits (e.g. mps2_counter, m4f_counter). */
typedef uint64_t (*rplat_hooks_counter_fn)(void *ctx);

struct rplat_hooks {
	volatile struct rplat_ring_hdr *hdr;
	volatile struct rplat_ring_rec *rec;
	uint32_t mask;       /* nrec - 1 */
	uint32_t head;       /* shadow of hdr->head */
	uint32_t drops;      /* shadow of hdr->drops */
	rplat_hooks_counter_fn counter;
	void *ctx;
};

/* The one instance the hook calls use. */
extern struct rplat_hooks rplat_hooks_g;

/* Lay out the ring in 'mem' ('size' bytes, 8-byte aligned): header, then as many records as fit,
 * rounded down to a power of two (at least RPLAT_RING_NREC_MIN). 'boot_id' should differ between boots
 * (a boot counter, a free-running counter value): the host detects a restart by it. Returns the number
 * of records, or 0 if 'mem' is too small or misaligned (the hooks then stay off). */
uint32_t rplat_hooks_init(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			  rplat_hooks_counter_fn counter, void *ctx);

void rplat_hook_isr(void);
void rplat_hook_rx(uint32_t src, uint32_t dst, const void *payload, uint32_t len);
void rplat_hook_send(uint32_t src, uint32_t dst, const void *payload, uint32_t len);
void rplat_mark(uint16_t id, uint32_t value);

#endif
