/* fuzz-sources: host-tools/lib/observe_match.c host-tools/lib/clocksync.c */
/* libFuzzer target for rplat observe's matcher (host-tools/lib/observe_match.c): the records come from a
 * firmware rplat does not control (validated by the ring reader for seq and event, nothing else), the
 * host events from the trace. Input: a header byte (segment count 1..4), then host events
 * (13 bytes each: t i64, type u8, len i32; sorted by t as the trace reader does), a 0xFF separator byte, then 32-byte records with a segment byte each.
 * Whatever the bytes, matching must not crash or read out of bounds, and what it returns must hold
 * together: one message per write in order, remote fields only with has_rx, a size from a record or the
 * write, segments in range; matching by time afterwards keeps all of that. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/clocksync.h"
#include "rplat/observe.h"

#define MAXH 512
#define MAXR 512

static int cmp_ev(const void *a, const void *b)
{
	const struct rplat_obs_hostev *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rplat_obs_hostev h[MAXH];
	static struct rplat_obs_rec r[MAXR];
	struct rplat_obs_seg seg[4];
	struct rplat_obs_match_stats st;
	struct rplat_obs_msg *m;
	struct rplat_clk_fit fit;
	size_t nh = 0, nr = 0, nseg, nmsg, nw = 0, pos = 1, i;
	uint32_t s;

	if (size < 1)
		return 0;
	nseg = 1 + data[0] % 4;
	while (pos + 13 <= size && data[pos] != 0xFF && nh < MAXH) {
		int64_t t;
		int32_t len;

		memcpy(&t, data + pos, 8);
		memcpy(&len, data + pos + 9, 4);
		h[nh].t = t;
		h[nh].type = 1 + data[pos + 8] % 2;
		h[nh].len = len;
		nw += h[nh].type == RPLAT_OBS_WRITE;
		nh++;
		pos += 13;
	}
	qsort(h, nh, sizeof(h[0]), cmp_ev); /* the trace reader hands them over sorted */
	pos++;
	while (pos + 33 <= size && nr < MAXR) {
		memcpy(&r[nr].r, data + pos, 32);
		r[nr].seg = data[pos + 32] % nseg;
		r[nr].drain = 0;
		nr++;
		pos += 33;
	}
	for (i = 0; i < nseg; i++) {
		seg[i].t_prev = i ? (int64_t)i * 1000 : 0;
		seg[i].t_seen = i ? (int64_t)i * 1000 + 500 : 0;
		seg[i].clean_end = (i + data[0]) % 3 ? UINT64_MAX : (uint64_t)(data[0] % 17);
	}
	if (rplat_obs_match(h, nh, r, nr, seg, nseg, &m, &nmsg, &st))
		return 0;
	if (nmsg != nw)
		abort();
	memset(&fit, 0, sizeof(fit));
	fit.valid = 1;
	fit.ns_per_tick = 1.0 + (double)(data[0] & 3);
	fit.h0 = (double)(data[0] >> 2) * 100.0;
	for (s = 0; s < nseg; s++)
		if (rplat_obs_match_time(m, nmsg, r, nr, s, &fit, 50.0, &st))
			break;
	for (i = 0; i < nmsg; i++) {
		if (m[i].seq != i || m[i].seg >= nseg)
			abort();
		if (i && m[i].t_write < m[i - 1].t_write)
			abort(); /* in write order */
		if (!m[i].has_rx && (m[i].has_isr || m[i].has_send))
			abort();
		if (m[i].has_read && m[i].t_read < m[i].t_write)
			abort(); /* a read is taken only after its write */
	}
	free(m);
	return 0;
}
