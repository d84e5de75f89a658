/* rplat hooks. See rplat/hooks.h and rplat/wire/obs_ring.h.
 *
 * Per call: read the host's tail, compare with our head (full: count a drop, out of line), read the
 * counter register, fill the slot with the tick count, the register, its seq and the message's
 * identity (paired word stores), one release barrier, then head. 30 to 39 instructions (README.md,
 * "The hooks", and tests/bench/bench_hooks.sh); the field order of struct rplat_hooks and the word
 * stores keep it there (look at arm-none-eabi-objdump -d before changing them). The record is complete
 * before head covers it, so the host that reads head with acquire sees whole records; seq lets it
 * reject a slot it was handed by a corrupt index (the producer never rewrites a slot the host may still
 * read: head - tail <= nrec). A host that writes any tail at all can only make us drop, never write
 * outside the ring: the slot is head * 32 & off_mask, from our own copies. */
#include <string.h>

#include "rplat/hooks.h"

/* Before rplat_hooks_init() the hooks write into this one-slot ring nobody reads, so that the hot path
 * needs no "initialised?" test. */
static uint64_t off_counter(void *ctx)
{
	(void)ctx;
	return 0;
}

static struct {
	struct rplat_ring_hdr hdr;
	struct rplat_ring_rec rec;
} off_ring;

struct rplat_hooks rplat_hooks_g = { 0, 0, (uint8_t *)&off_ring.rec, 0, 0, 0, 0, 0, off_counter, 0 };

static uint32_t layout(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id, uint32_t bits,
		       uint32_t down)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	volatile struct rplat_ring_hdr *hdr = mem;
	uint32_t n = RPLAT_RING_NREC_MAX, i;

	/* off (the unread one-slot ring) while we lay out, and for good if 'mem' is unusable */
	h->rec = (uint8_t *)&off_ring.rec;
	h->off_mask = 0;
	h->head = 0;
	h->reg = 0;
	h->counter = off_counter;
	if (!mem || ((uintptr_t)mem & 7u) || size < RPLAT_RING_HDR_SIZE)
		return 0;
	while (n && n > (size - RPLAT_RING_HDR_SIZE) / RPLAT_RING_REC_SIZE)
		n >>= 1;
	if (n < RPLAT_RING_NREC_MIN)
		return 0;
	hdr->magic = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hdr->version = RPLAT_RING_VERSION;
	hdr->hdr_size = RPLAT_RING_HDR_SIZE;
	hdr->rec_size = RPLAT_RING_REC_SIZE;
	hdr->nrec = n;
	hdr->counter_hz = counter_hz;
	hdr->boot_id = boot_id;
	hdr->flags = 0;
	hdr->head = 0;
	hdr->drops = 0;
	hdr->counter_bits = bits;
	hdr->counter_down = down;
	for (i = 0; i < 4; i++)
		hdr->reserved0[i] = 0;
	hdr->tail = 0;
	for (i = 0; i < 15; i++)
		hdr->reserved1[i] = 0;
	for (i = 0; i < n; i++) /* no slot looks written before it is */
		((volatile struct rplat_ring_rec *)((volatile uint8_t *)mem + RPLAT_RING_HDR_SIZE))[i].seq = ~i;
	h->drops = 0;
	return n;
}

static uint32_t publish(volatile struct rplat_ring_hdr *hdr, uint32_t n)
{
	struct rplat_hooks *h = &rplat_hooks_g;

	h->off_mask = (n - 1) * RPLAT_RING_REC_SIZE;
	h->rec = (uint8_t *)hdr + RPLAT_RING_HDR_SIZE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hdr->magic = RPLAT_RING_MAGIC;
	return n;
}

uint32_t rplat_hooks_init(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			  rplat_hooks_counter_fn counter, void *ctx)
{
	uint32_t n;

	if (!counter || !(n = layout(mem, size, counter_hz, boot_id, 32, 0)))
		return 0;
	rplat_hooks_g.ctx = ctx;
	rplat_hooks_g.counter = counter;
	return publish(mem, n);
}

uint32_t rplat_hooks_init_reg(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			      const volatile uint32_t *reg, uint32_t bits, int down)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	uint32_t n;

	if (!reg || bits == 0 || bits > 32 || !(n = layout(mem, size, counter_hz, boot_id, bits, down != 0)))
		return 0;
	h->reg_xor = down ? 0xFFFFFFFFu : 0;
	h->reg_mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
	h->now = (*reg ^ h->reg_xor) & h->reg_mask;
	h->reg = reg;
	return publish(mem, n);
}

/* The register's ticks since the previous tick, modulo one wrap, added to the 64-bit count: right as
 * long as less than one wrap passed (32-bit arithmetic, the mask drops the borrow). */
static uint64_t extend(struct rplat_hooks *h, const volatile uint32_t *reg)
{
	uint64_t now = h->now + (((*reg ^ h->reg_xor) - (uint32_t)h->now) & h->reg_mask);

	h->now = now;
	return now;
}

uint64_t rplat_hooks_tick(void)
{
	struct rplat_hooks *h = &rplat_hooks_g;

	return h->reg ? extend(h, h->reg) : h->counter(h->ctx);
}

/* A full ring: head - tail records unconsumed, nrec = off_mask / 32 + 1 (the host may have written any
 * tail: then we only drop). */
static inline int full(uint32_t head, uint32_t tail, uint32_t off_mask)
{
	return head - tail > off_mask / RPLAT_RING_REC_SIZE;
}

/* The header, just before the records. */
static inline volatile struct rplat_ring_hdr *hdr_of(uint8_t *rec)
{
	return (volatile struct rplat_ring_hdr *)(rec - RPLAT_RING_HDR_SIZE);
}

static inline void fill(uint8_t *rec, uint32_t head, uint32_t off_mask, uint64_t t, uint32_t evlen, uint32_t src,
			uint32_t dst, uint32_t digest, uint32_t raw)
{
	/* not volatile, and as words, so that the stores pair up (STRD); the release fence orders them
	 * before head. Word 3 is event then len (little-endian). The slot is ours (head), never the host's. */
	uint32_t *w = (uint32_t *)(rec + ((head * RPLAT_RING_REC_SIZE) & off_mask));

	w[0] = (uint32_t)t;
	w[1] = (uint32_t)(t >> 32);
	w[2] = head;
	w[3] = evlen;
	w[4] = src;
	w[5] = dst;
	w[6] = digest;
	w[7] = raw;
	rplat_hooks_g.head = ++head;
	/* the record (seq included) before the head that publishes it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	hdr_of(rec)->head = head;
}

/* Out of line, so that the hot path stays short (GCC allocates registers for the whole function):
 * a full ring counts a drop; the counter function stamps t (raw = its low word, so that the record
 * decodes to t). */
static void __attribute__((noinline)) drop(void)
{
	struct rplat_hooks *h = &rplat_hooks_g;

	hdr_of(h->rec)->drops = ++h->drops;
}

static void __attribute__((noinline)) put_fn(uint32_t evlen, uint32_t src, uint32_t dst, uint32_t digest)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	uint64_t t = h->counter(h->ctx);

	fill(h->rec, h->head, h->off_mask, t, evlen, src, dst, digest, (uint32_t)t);
}

/* 'evlen': the event in the low 16 bits, len (the mark id) in the high 16. The stamp is the count at
 * the last tick and the register as read now, as is: no arithmetic here (rplat_ring_stamp()). */
static inline void put(uint32_t evlen, uint32_t src, uint32_t dst, uint32_t digest)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	uint32_t head = h->head, off_mask = h->off_mask;
	uint8_t *rec = h->rec;
	const volatile uint32_t *reg = h->reg;

	if (full(head, hdr_of(rec)->tail, off_mask)) {
		drop();
		return;
	}
	if (!reg) {
		put_fn(evlen, src, dst, digest);
		return;
	}
	fill(rec, head, off_mask, h->now, evlen, src, dst, digest, *reg);
}

void rplat_hook_isr(void)
{
	put(RPLAT_EV_ISR, 0, 0, 0);
}

void rplat_hook_rx(uint32_t src, uint32_t dst, const void *payload, uint32_t len)
{
	put(RPLAT_EV_RX | len << 16, src, dst, rplat_ring_digest(payload, len));
}

void rplat_hook_send(uint32_t src, uint32_t dst, const void *payload, uint32_t len)
{
	put(RPLAT_EV_SEND | len << 16, src, dst, rplat_ring_digest(payload, len));
}

void rplat_mark(uint16_t id, uint32_t value)
{
	put(RPLAT_EV_MARK | (uint32_t)id << 16, 0, 0, value);
}
