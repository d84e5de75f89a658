/* rplat observe: matching the application's messages with the firmware's records. See rplat/observe.h.
 *
 * Cost: O(writes + records) but for the SEND search, which looks at the RX records still waiting for
 * their reply (a handful for a request/reply application). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/observe.h"
#include "rplat/wire/rpmsg.h"

/* A message as the firmware saw it. */
struct rmsg {
	int has_isr, has_send;
	uint64_t r_isr, r_rx, r_send;
	uint32_t src, len, digest;
};

/* The remote messages of segment 's' that lie before its first drop: RX records with their ISR and
 * SEND. Returns how many (in *out, malloc'd), or -1. */
static long remote_msgs(const struct rplat_obs_rec *rec, size_t nr, uint32_t s, uint64_t clean_end,
			struct rmsg **out, struct rplat_obs_match_stats *st)
{
	struct rmsg *m = NULL;
	size_t n = 0, cap = 0, i, first_open = 0;
	uint64_t idx = 0;
	int isr_fresh = 0;
	uint64_t isr_t = 0;

	for (i = 0; i < nr; i++) {
		const struct rplat_ring_rec *r = &rec[i].r;
		size_t k;

		if (rec[i].seg != s)
			continue;
		if (idx++ >= clean_end)
			break;
		switch (r->event) {
		case RPLAT_EV_ISR:
			isr_fresh = 1;
			isr_t = r->t;
			break;
		case RPLAT_EV_RX:
			if (n == cap) {
				struct rmsg *nm = realloc(m, (cap = cap ? 2 * cap : 256) * sizeof(*m));

				if (!nm) {
					free(m);
					return -1;
				}
				m = nm;
			}
			memset(&m[n], 0, sizeof(m[n]));
			m[n].has_isr = isr_fresh;
			m[n].r_isr = isr_t;
			m[n].r_rx = r->t;
			m[n].src = r->src;
			m[n].len = r->len;
			m[n].digest = r->digest;
			if (!isr_fresh)
				st->no_isr++;
			isr_fresh = 0;
			n++;
			st->remote_msgs++;
			break;
		case RPLAT_EV_SEND:
			if (r->dst == RPMSG_NS_ADDR)
				break;
			/* the reply to the oldest unanswered message from that address: same bytes if there is one */
			while (first_open < n && m[first_open].has_send)
				first_open++;
			for (k = first_open; k < n; k++)
				if (!m[k].has_send && m[k].src == r->dst && m[k].len == r->len && m[k].digest == r->digest)
					break;
			if (k == n)
				for (k = first_open; k < n; k++)
					if (!m[k].has_send && m[k].src == r->dst)
						break;
			if (k == n) {
				st->sends_unmatched++;
				break;
			}
			m[k].has_send = 1;
			m[k].r_send = r->t;
			break;
		default:
			break;
		}
	}
	*out = m;
	return (long)n;
}

int rplat_obs_match(const struct rplat_obs_hostev *hev, size_t nh, const struct rplat_obs_rec *rec, size_t nr,
		    const struct rplat_obs_seg *seg, size_t nseg, struct rplat_obs_msg **out, size_t *nout,
		    struct rplat_obs_match_stats *st)
{
	struct rplat_obs_msg *msg;
	size_t nw = 0, i, j, w;
	uint32_t s;

	memset(st, 0, sizeof(*st));
	*out = NULL;
	*nout = 0;
	for (i = 0; i < nh; i++)
		nw += hev[i].type == RPLAT_OBS_WRITE;
	msg = calloc(nw ? nw : 1, sizeof(*msg));
	if (!msg) {
		errno = ENOMEM;
		return -1;
	}
	/* the writes, each with its read: the first read after it and before the next write */
	for (i = 0, w = 0; i < nh; i++) {
		if (hev[i].type != RPLAT_OBS_WRITE)
			continue;
		msg[w].seq = w;
		msg[w].t_write = hev[i].t;
		msg[w].size = hev[i].len > 0 ? (unsigned)hev[i].len : 0;
		/* the last read before the next write: a doorbell read can return a stale count (a kick
		 * already consumed in memory) before the one that brings the reply */
		for (j = i + 1; j < nh && hev[j].type != RPLAT_OBS_WRITE; j++)
			if (hev[j].type == RPLAT_OBS_READ && hev[j].len != 0) {
				msg[w].has_read = 1;
				msg[w].t_read = hev[j].t;
			}
		/* its boot segment: the last one seen before it; written between a boot's last drain and the
		 * drain that saw the next boot, it may belong to either */
		msg[w].seg = 0;
		for (s = 1; s < nseg; s++) {
			if (hev[i].t > seg[s].t_seen)
				msg[w].seg = s;
			else if (hev[i].t > seg[s].t_prev) {
				msg[w].restart = 1;
				msg[w].seg = s;
			}
		}
		if (msg[w].restart)
			st->restart_window++;
		w++;
	}
	/* segment by segment: the k-th write with the k-th remote message, in order */
	for (s = 0; s < nseg; s++) {
		struct rmsg *rm = NULL;
		long nrm = remote_msgs(rec, nr, s, seg[s].clean_end, &rm, st);
		size_t k = 0, first = 0, nseg_w = 0, skip = 0;

		if (nrm < 0) {
			free(msg);
			errno = ENOMEM;
			return -1;
		}
		for (w = 0; w < nw; w++)
			if (msg[w].seg == s && !msg[w].restart)
				nseg_w++;
		/* after a restart the new boot's first messages may be answers to writes of the restart window:
		 * align the rest from the end */
		if (s > 0 && seg[s].clean_end == UINT64_MAX && (size_t)nrm > nseg_w)
			skip = (size_t)nrm - nseg_w;
		if (s > 0 && seg[s].clean_end != UINT64_MAX) {
			/* both a restart and drops: the alignment is unknowable; match nothing */
			skip = (size_t)nrm;
		}
		st->remote_unmatched += skip;
		first = skip;
		for (w = 0; w < nw; w++) {
			struct rplat_obs_msg *m = &msg[w];

			if (m->seg != s || m->restart)
				continue;
			if (first + k >= (size_t)nrm) {
				if (seg[s].clean_end != UINT64_MAX)
					st->after_drops++;
				k++;
				continue;
			}
			{
				const struct rmsg *r = &rm[first + k];

				if (m->size && m->size != r->len) {
					st->len_mismatch++;
					k++;
					continue;
				}
				m->size = r->len;
				m->has_rx = 1;
				m->r_rx = r->r_rx;
				m->has_isr = r->has_isr;
				m->r_isr = r->r_isr;
				m->has_send = r->has_send;
				m->r_send = r->r_send;
			}
			k++;
		}
		if (first + k < (size_t)nrm)
			st->remote_unmatched += (size_t)nrm - first - k;
		free(rm);
	}
	*out = msg;
	*nout = nw;
	return 0;
}
