/* rplat hooks. See rplat/hooks.h and rplat/wire/obs_ring.h.
 *
 * Per call: read the host's tail, compare with our head (full: count a drop), stamp, fill the slot
 * with its seq, one release barrier, then head. The record is complete before head covers it, so the
 * host that reads head with acquire sees whole records; seq lets it reject a slot it was handed by a
 * corrupt index (the producer never rewrites a slot the host may still read: head - tail <= nrec).
 * A host that writes any tail at all can only make us drop, never write outside the ring: the slot is
 * head & mask, from our own copies. */
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

struct rplat_hooks rplat_hooks_g = { &off_ring.hdr, &off_ring.rec, 0, 0, 0, off_counter, 0 };

uint32_t rplat_hooks_init(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			  rplat_hooks_counter_fn counter, void *ctx)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	volatile struct rplat_ring_hdr *hdr = mem;
	uint32_t n = RPLAT_RING_NREC_MAX, i;

	/* off (the unread one-slot ring) while we lay out, and for good if 'mem' is unusable */
	h->hdr = &off_ring.hdr;
	h->rec = &off_ring.rec;
	h->mask = 0;
	h->head = 0;
	h->counter = off_counter;
	if (!mem || !counter || ((uintptr_t)mem & 7u) || size < RPLAT_RING_HDR_SIZE)
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
	for (i = 0; i < 6; i++)
		hdr->reserved0[i] = 0;
	hdr->tail = 0;
	for (i = 0; i < 15; i++)
		hdr->reserved1[i] = 0;
	for (i = 0; i < n; i++) /* no slot looks written before it is */
		((volatile struct rplat_ring_rec *)((volatile uint8_t *)mem + RPLAT_RING_HDR_SIZE))[i].seq = ~i;
	h->drops = 0;
	h->ctx = ctx;
	h->counter = counter;
	h->rec = (volatile struct rplat_ring_rec *)((volatile uint8_t *)mem + RPLAT_RING_HDR_SIZE);
	h->mask = n - 1;
	h->hdr = hdr;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hdr->magic = RPLAT_RING_MAGIC;
	return n;
}

static inline void put(uint16_t ev, uint16_t len, uint32_t src, uint32_t dst, uint32_t digest)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	volatile struct rplat_ring_hdr *hdr = h->hdr;
	volatile struct rplat_ring_rec *r;
	uint32_t head = h->head;

	if (head - hdr->tail > h->mask) {
		hdr->drops = ++h->drops;
		return;
	}
	r = &h->rec[head & h->mask];
	r->t = h->counter(h->ctx);
	r->seq = head;
	r->event = ev;
	r->len = len;
	r->src = src;
	r->dst = dst;
	r->digest = digest;
	h->head = ++head;
	/* the record (seq included) before the head that publishes it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	hdr->head = head;
}

void rplat_hook_isr(void)
{
	put(RPLAT_EV_ISR, (uint16_t)0, 0, 0, 0);
}

void rplat_hook_rx(uint32_t src, uint32_t dst, const void *payload, uint32_t len)
{
	put(RPLAT_EV_RX, (uint16_t)len, src, dst, rplat_ring_digest(payload, len));
}

void rplat_hook_send(uint32_t src, uint32_t dst, const void *payload, uint32_t len)
{
	put(RPLAT_EV_SEND, (uint16_t)len, src, dst, rplat_ring_digest(payload, len));
}

void rplat_mark(uint16_t id, uint32_t value)
{
	put(RPLAT_EV_MARK, (uint16_t)id, 0, 0, value);
}
