/* rplat hooks. See rplat/hooks.h and rplat/wire/obs_ring.h.
 *
 * Per call: read the host's tail, compare with our head (full: count a drop), stamp, fill the slot,
 * a release barrier, the slot's seq, then head. The record is complete before head covers it, so the
 * host that reads head with acquire sees whole records; seq also lets it reject a slot it was handed
 * by a corrupt index. A host that writes any tail at all can only make us drop, never write outside
 * the ring: the slot is head & mask. */
#include "rplat/hooks.h"

struct rplat_hooks rplat_hooks_g;

uint32_t rplat_hooks_init(void *mem, uint32_t size, uint64_t counter_hz, uint32_t boot_id,
			  rplat_hooks_counter_fn counter, void *ctx)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	volatile struct rplat_ring_hdr *hdr = mem;
	uint32_t n = RPLAT_RING_NREC_MAX, i;

	h->rec = 0; /* off while we lay out */
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
	h->hdr = hdr;
	h->mask = n - 1;
	h->head = 0;
	h->drops = 0;
	h->counter = counter;
	h->ctx = ctx;
	h->rec = (volatile struct rplat_ring_rec *)((volatile uint8_t *)mem + RPLAT_RING_HDR_SIZE);
	for (i = 0; i < n; i++)
		h->rec[i].seq = ~i; /* no slot looks written before it is */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hdr->magic = RPLAT_RING_MAGIC;
	return n;
}

static inline void put(uint16_t ev, uint16_t len, uint32_t src, uint32_t dst, uint32_t digest)
{
	struct rplat_hooks *h = &rplat_hooks_g;
	volatile struct rplat_ring_rec *r;
	uint32_t head = h->head;

	if (!h->rec)
		return;
	if (head - h->hdr->tail > h->mask) {
		h->hdr->drops = ++h->drops;
		return;
	}
	r = &h->rec[head & h->mask];
	r->t = h->counter(h->ctx);
	r->event = ev;
	r->len = len;
	r->src = src;
	r->dst = dst;
	r->digest = digest;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->seq = head;
	h->head = ++head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->hdr->head = head;
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
