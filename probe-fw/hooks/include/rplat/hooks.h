/* rplat hooks: drop-in calls for any firmware (OpenAMP, rpmsg-lite, TI MCU+ IPC, bare metal) that write
 * one fixed-size event record per call into a shared-memory ring the host drains lazily (`rplat observe`).
 *
 *   rplat_hooks_init_reg()  once at start, with the ring's memory (the "rplat-ring" carveout of the
 *                        resource table), the counter rate and the target's counter register (or
 *                        rplat_hooks_init() with a function returning a 64-bit count)
 *   rplat_hooks_tick()   from a periodic interrupt, at least every half wrap of that register
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
 * or with the other contexts masked), as for any single-producer ring. Cost: see README.md, "The hooks"
 * (measured in QEMU, instructions per call). */
#ifndef RPLAT_HOOKS_H
#define RPLAT_HOOKS_H

#include <stdint.h>

#include "rplat/wire/obs_ring.h"

/* The target's counter, extended to 64 bits (e.g. the host sim's clock). */
typedef uint64_t (*rplat_hooks_counter_fn)(void *ctx);

/* The hooks' state. The first fields are the ones every call reads, in the order it reads them (one
 * load-multiple); do not reorder. Calls read and write it from their one producer context only. */
struct rplat_hooks {
	uint32_t head;                    /* shadow of hdr->head: records written */
	uint32_t off_mask;                /* (nrec - 1) * RPLAT_RING_REC_SIZE: a record's offset */
	uint8_t *rec;                     /* the first record; the header is the RPLAT_RING_HDR_SIZE before */
	const volatile uint32_t *reg;     /* free-running counter register, or NULL: call 'counter' */
	uint64_t now;                     /* the 64-bit extension of 'reg' at the last tick */
	uint32_t reg_xor;                 /* ~0 for a down counter (SysTick), 0 for an up counter */
	uint32_t reg_mask;                /* 2^bits - 1: the register wraps at 2^bits */
	uint32_t drops;                   /* shadow of hdr->drops */
	rplat_hooks_counter_fn counter;
	void *ctx;
};

/* The one instance the hook calls use. */
extern struct rplat_hooks rplat_hooks_g;

/* Lay out the ring in 'mem' ('size' bytes, 8-byte aligned): header, then as many records as fit,
 * rounded down to a power of two (at least RPLAT_RING_NREC_MIN). 'boot_id' should differ between boots
 * (a boot counter, a free-running counter value): the host detects a restart by it. The records are
 * stamped with counter(ctx). Returns the number of records, or 0 if 'mem' is too small or misaligned
 * (the hooks then stay off). */
uint32_t rplat_hooks_init(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			  rplat_hooks_counter_fn counter, void *ctx);

/* As rplat_hooks_init(), but the records are stamped from a free-running hardware counter register
 * 'reg' of 'bits' bits (1..32; it must wrap at 2^bits: SysTick with RVR 0xFFFFFF, DWT CYCCNT), counting
 * down if 'down' (SysTick) else up: the fast path (no call, no 64-bit arithmetic; the cost is in
 * README.md, "The hooks"). A record carries the register as the hook read it and the 64-bit count at the last
 * rplat_hooks_tick(); the host adds the two (rplat_ring_stamp() in rplat/wire/obs_ring.h). So
 * rplat_hooks_tick() must run at least once per half wrap of the register (2^(bits-1) ticks: 0.34 s for
 * SysTick at 25 MHz, 5.4 s for CYCCNT at 400 MHz), from a periodic interrupt at the hooks' priority
 * or above (see rplat_hooks_tick()).
 * No wrap interrupt is involved: a hook in an interrupt that preempts the counter's own wrap handling
 * (a SysTick exception pending) is stamped right. */
uint32_t rplat_hooks_init_reg(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			      const volatile uint32_t *reg, uint32_t bits, int down);

/* The clock tick of rplat_hooks_init_reg(): extend the register to 64 bits (it must not have wrapped
 * since the previous tick) and return the count; writes no record. With rplat_hooks_init() it just
 * returns counter(ctx). It may preempt a hook (the record then holds a register value a little older
 * than the tick count: the host's decoding is signed; the hook reads the count in one LDRD, which an
 * exception restarts whole, so it is never half old: GCC's code, checked by test_hooks_cost.sh, not
 * something C promises, so look again with another compiler), but a hook must not preempt it: its 64-bit store
 * is two words, and a hook between them would record a count off by 2^32 at a carry. So call it at the
 * hooks' priority or a higher one, never from a lower-priority interrupt. */
uint64_t rplat_hooks_tick(void);

void rplat_hook_isr(void);
void rplat_hook_rx(uint32_t src, uint32_t dst, const void *payload, uint32_t len);
void rplat_hook_send(uint32_t src, uint32_t dst, const void *payload, uint32_t len);
void rplat_mark(uint16_t id, uint32_t value);

#endif
