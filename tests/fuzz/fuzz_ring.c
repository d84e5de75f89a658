/* fuzz-sources: host-tools/lib/ring.c host-tools/lib/util.c */
/* libFuzzer target for the observation ring's reader (host-tools/lib/ring.c).
 *
 * Input: a 2-byte little-endian length L, then L bytes of ring memory (header and records, as a remote
 * or a corrupting host could leave them), then 3-byte edits (offset u16, value u8) applied to that
 * memory one per drain, as a producer (or a stray writer) changing it under the reader. The reader must
 * validate or refuse, never read or write outside the L bytes, and what it hands out must be what it
 * promises: records in index order with matching seq and known events, each one's time decoded from
 * its slot (within half a counter wrap of the slot's tick count, rplat_ring_stamp()), the header's tail
 * advanced by exactly the records returned, and a refused ring staying refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/ring.h"

#define MAXREC 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rplat_ring_reader r;
	struct rplat_ring_rec out[MAXREC];
	char err[256];
	uint8_t *mem;
	size_t len, n, pos;
	int corrupt = 0, round;

	if (size < 2)
		return 0;
	len = (size_t)data[0] | (size_t)data[1] << 8;
	if (len > size - 2)
		len = size - 2;
	/* exactly L bytes, 8-aligned, so ASan catches any access past them */
	mem = malloc(len ? len : 1);
	if (!mem)
		return 0;
	memcpy(mem, data + 2, len);
	pos = 2 + len;
	err[0] = '\0';
	if (rplat_ring_attach(&r, mem, len, err, sizeof(err))) {
		if (!err[0])
			abort(); /* a refusal always says why */
		free(mem);
		return 0;
	}
	for (round = 0; round < 32; round++) {
		uint32_t tail0 = r.tail;
		size_t max = (size_t)(round % 5) * 16 + 1;
		enum rplat_ring_status st;

		if (max > MAXREC)
			max = MAXREC;
		err[0] = '\0';
		st = rplat_ring_drain(&r, out, max, &n, err, sizeof(err));
		if (n > max)
			abort();
		if (st == RPLAT_RING_CORRUPT) {
			if (n || !err[0])
				abort();
			corrupt = 1;
		} else if (corrupt) {
			abort(); /* refused rings stay refused */
		} else if (st == RPLAT_RING_OK) {
			for (size_t i = 0; i < n; i++) {
				struct rplat_ring_rec slot;
				uint64_t half = 1ull << (r.counter_bits - 1);

				if (out[i].seq != tail0 + i || !rplat_ring_event_name(out[i].event))
					abort();
				memcpy(&slot, mem + RPLAT_RING_HDR_SIZE +
					      (size_t)((tail0 + i) & (r.nrec - 1)) * RPLAT_RING_REC_SIZE, sizeof(slot));
				if (out[i].raw != slot.raw ||
				    out[i].t != rplat_ring_stamp(slot.t, slot.raw, r.counter_bits, r.counter_down) ||
				    out[i].t - slot.t + half > 2 * half - 1)
					abort();
			}
			if (r.tail != tail0 + n)
				abort();
			if (n && ((const struct rplat_ring_hdr *)(const void *)mem)->tail != r.tail)
				abort();
		} else if (st == RPLAT_RING_RESTARTED) {
			if (n)
				abort();
		} else {
			abort();
		}
		if (pos + 3 <= size) {
			size_t off = (size_t)data[pos] | (size_t)data[pos + 1] << 8;

			if (len)
				mem[off % len] = data[pos + 2];
			pos += 3;
		}
	}
	free(mem);
	return 0;
}
