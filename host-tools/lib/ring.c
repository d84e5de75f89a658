/* The observation ring, host side. See rplat/ring.h.
 *
 * Records are handed out with their time decoded (rec.t = rplat_ring_stamp() of the record's tick
 * count and register value); rec.raw stays as the firmware wrote it.
 *
 * Ordering: head is loaded with acquire before any record it covers is read, and tail is stored with
 * release after the records were copied out, mirroring the producer (record, release, seq, head). */
#include <string.h>

#include "rplat/ring.h"
#include "rplat/util.h"

static uint32_t ld32(const volatile void *p)
{
	return __atomic_load_n((const volatile uint32_t *)p, __ATOMIC_ACQUIRE);
}

int rplat_ring_validate(const volatile void *mem, size_t size, struct rplat_ring_info *info, char *err,
			size_t errlen)
{
	struct rplat_ring_hdr h;
	uint64_t need;

	if (!mem || size < sizeof(h))
		return rplat_fail(err, errlen, "ring: %zu bytes, the header alone needs %u", size, RPLAT_RING_HDR_SIZE);
	memcpy(&h, (const void *)mem, sizeof(h));
	h.head = ld32(&((const volatile struct rplat_ring_hdr *)mem)->head);
	h.tail = ld32(&((const volatile struct rplat_ring_hdr *)mem)->tail);
	if (h.magic != RPLAT_RING_MAGIC)
		return rplat_fail(err, errlen, "ring header: magic 0x%08x, expected 0x%08x (not an rplat ring, not yet "
				  "initialised by the firmware, or overwritten)", h.magic, RPLAT_RING_MAGIC);
	if (h.version != RPLAT_RING_VERSION)
		return rplat_fail(err, errlen, "ring header: version %u, this rplat reads version %u", h.version,
				  RPLAT_RING_VERSION);
	if (h.hdr_size != RPLAT_RING_HDR_SIZE)
		return rplat_fail(err, errlen, "ring header: hdr_size %u, expected %u", h.hdr_size, RPLAT_RING_HDR_SIZE);
	if (h.rec_size != RPLAT_RING_REC_SIZE)
		return rplat_fail(err, errlen, "ring header: rec_size %u, expected %u", h.rec_size, RPLAT_RING_REC_SIZE);
	if (h.nrec < RPLAT_RING_NREC_MIN || h.nrec > RPLAT_RING_NREC_MAX || (h.nrec & (h.nrec - 1)))
		return rplat_fail(err, errlen, "ring header: nrec %u is not a power of two in %u..%u", h.nrec,
				  RPLAT_RING_NREC_MIN, RPLAT_RING_NREC_MAX);
	need = (uint64_t)RPLAT_RING_HDR_SIZE + (uint64_t)h.nrec * RPLAT_RING_REC_SIZE;
	if (need > size)
		return rplat_fail(err, errlen, "ring header: nrec %u needs %llu bytes, the carveout has %zu", h.nrec,
				  (unsigned long long)need, size);
	if (h.counter_hz == 0 || h.counter_hz > 100000000000ull)
		return rplat_fail(err, errlen, "ring header: counter_hz %llu is not a plausible counter rate",
				  (unsigned long long)h.counter_hz);
	if (h.flags)
		return rplat_fail(err, errlen, "ring header: flags 0x%x, expected 0", h.flags);
	if (h.counter_bits < 1 || h.counter_bits > 32 || h.counter_down > 1)
		return rplat_fail(err, errlen, "ring header: counter_bits %u / counter_down %u, expected 1..32 / 0 or 1",
				  h.counter_bits, h.counter_down);
	if (h.head - h.tail > h.nrec)
		return rplat_fail(err, errlen, "ring header: head %u is %u records past tail %u, more than nrec %u",
				  h.head, h.head - h.tail, h.tail, h.nrec);
	if (info) {
		info->nrec = h.nrec;
		info->counter_hz = h.counter_hz;
		info->boot_id = h.boot_id;
		info->head = h.head;
		info->tail = h.tail;
		info->drops = h.drops;
		info->counter_bits = h.counter_bits;
		info->counter_down = h.counter_down;
	}
	return 0;
}

int rplat_ring_attach(struct rplat_ring_reader *r, volatile void *mem, size_t size, char *err, size_t errlen)
{
	struct rplat_ring_info in;

	memset(r, 0, sizeof(*r));
	if (rplat_ring_validate(mem, size, &in, err, errlen))
		return -1;
	r->mem = mem;
	r->size = size;
	r->nrec = in.nrec;
	r->counter_hz = in.counter_hz;
	r->counter_bits = in.counter_bits;
	r->counter_down = in.counter_down;
	r->boot_id = in.boot_id;
	r->tail = in.tail;
	r->drops = in.drops;
	r->drops_base = in.drops;
	return 0;
}

static int reattach(struct rplat_ring_reader *r, char *err, size_t errlen)
{
	struct rplat_ring_info in;
	uint32_t old = r->boot_id;

	if (rplat_ring_validate(r->mem, r->size, &in, err, errlen))
		return -1;
	r->drops_before += r->drops - r->drops_base;
	r->drops_base = 0;
	r->nrec = in.nrec;
	r->counter_hz = in.counter_hz;
	r->counter_bits = in.counter_bits;
	r->counter_down = in.counter_down;
	r->boot_id = in.boot_id;
	r->tail = in.tail;
	r->drops = in.drops;
	r->restarts++;
	rplat_fail(err, errlen, "ring: the remote restarted (boot_id 0x%08x -> 0x%08x)", old, in.boot_id);
	return 0;
}

enum rplat_ring_status rplat_ring_drain(struct rplat_ring_reader *r, struct rplat_ring_rec *out, size_t max,
					size_t *n, char *err, size_t errlen)
{
	volatile struct rplat_ring_hdr *h = (volatile struct rplat_ring_hdr *)r->mem;
	const volatile struct rplat_ring_rec *rec;
	struct rplat_ring_info in;
	uint32_t head, avail, i, magic, boot_id;

	*n = 0;
	if (r->corrupt) {
		rplat_fail(err, errlen, "ring: refused earlier (corrupt)");
		return RPLAT_RING_CORRUPT;
	}
	magic = ld32(&h->magic);
	boot_id = ld32(&h->boot_id);
	if (magic == 0 && ++r->zero_magic <= RPLAT_RING_REINIT_DRAINS)
		return RPLAT_RING_OK; /* the producer is re-initialising: wait for it */
	if (magic != 0)
		r->zero_magic = 0;
	if (magic == RPLAT_RING_MAGIC && boot_id != r->boot_id) {
		if (reattach(r, err, errlen))
			goto corrupt;
		return RPLAT_RING_RESTARTED;
	}
	/* the whole header again: the host side (or anyone) may have overwritten any field */
	if (rplat_ring_validate(r->mem, r->size, &in, err, errlen))
		goto corrupt;
	if (in.nrec != r->nrec || in.counter_hz != r->counter_hz) {
		rplat_fail(err, errlen, "ring header: nrec %u / counter_hz %llu changed from %u / %llu without a restart",
			   in.nrec, (unsigned long long)in.counter_hz, r->nrec, (unsigned long long)r->counter_hz);
		goto corrupt;
	}
	if (in.counter_bits != r->counter_bits || in.counter_down != r->counter_down) {
		rplat_fail(err, errlen, "ring header: counter_bits %u / counter_down %u changed from %u / %u without a "
			   "restart", in.counter_bits, in.counter_down, r->counter_bits, r->counter_down);
		goto corrupt;
	}
	if (in.tail != r->tail) {
		rplat_fail(err, errlen, "ring header: tail %u changed behind the reader (expected %u): another "
			   "consumer, or the header was overwritten", in.tail, r->tail);
		goto corrupt;
	}
	head = ld32(&h->head);
	avail = head - r->tail;
	if (avail > r->nrec) {
		rplat_fail(err, errlen, "ring header: head %u is %u records past tail %u, more than nrec %u", head,
			   avail, r->tail, r->nrec);
		goto corrupt;
	}
	if (avail > max)
		avail = (uint32_t)max;
	rec = (const volatile struct rplat_ring_rec *)(r->mem + RPLAT_RING_HDR_SIZE);
	for (i = 0; i < avail; i++) {
		uint32_t idx = r->tail + i;
		const volatile struct rplat_ring_rec *s = &rec[idx & (r->nrec - 1)];

		memcpy(&out[i], (const void *)s, sizeof(out[i]));
		if (out[i].seq != idx) {
			rplat_fail(err, errlen, "ring record %u (slot %u): seq %u, expected %u", idx, idx & (r->nrec - 1),
				   out[i].seq, idx);
			goto corrupt;
		}
		if (!rplat_ring_event_name(out[i].event)) {
			rplat_fail(err, errlen, "ring record %u (slot %u): unknown event %u", idx, idx & (r->nrec - 1),
				   out[i].event);
			goto corrupt;
		}
		/* the stamp as the record's two parts give it (the last clock tick, the register) */
		out[i].t = rplat_ring_stamp(out[i].t, out[i].raw, r->counter_bits, r->counter_down);
	}
	/* a restart while we copied: the records may be the new boot's, so drop them */
	if (ld32(&h->boot_id) != r->boot_id || ld32(&h->magic) != RPLAT_RING_MAGIC)
		return RPLAT_RING_OK;
	r->tail += avail;
	r->records += avail;
	r->drops = ld32(&h->drops);
	__atomic_store_n(&h->tail, r->tail, __ATOMIC_RELEASE);
	*n = avail;
	return RPLAT_RING_OK;
corrupt:
	r->corrupt = 1;
	return RPLAT_RING_CORRUPT;
}

uint64_t rplat_ring_drops(const struct rplat_ring_reader *r)
{
	return r->drops_before + (uint32_t)(r->drops - r->drops_base);
}

const char *rplat_ring_event_name(uint32_t ev)
{
	switch (ev) {
	case RPLAT_EV_ISR:
		return "isr";
	case RPLAT_EV_RX:
		return "rx";
	case RPLAT_EV_SEND:
		return "send";
	case RPLAT_EV_MARK:
		return "mark";
	}
	return NULL;
}
