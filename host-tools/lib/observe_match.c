/* rplat observe: matching the application's messages with the firmware's records. See rplat/observe.h.
 *
 * Cost: O(writes + records) but for the SEND search, which looks at the RX records still waiting for
 * their reply (a handful for a request/reply application). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/clocksync.h"
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
		/* after a restart the order says nothing: how many of the new boot's first messages answer
		 * writes of the restart window, and how many of the old boot's last ones were wiped, is not
		 * known. Those segments are matched by time (rplat_obs_match_time) or not at all. */
		(void)nseg_w;
		if (s > 0)
			skip = (size_t)nrm;
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
		if (s == 0 && first + k < (size_t)nrm)
			st->remote_unmatched += (size_t)nrm - first - k;
		free(rm);
	}
	*out = msg;
	*nout = nw;
	return 0;
}

double rplat_obs_seg_err(const struct rplat_clk_fit *fit, const struct rplat_obs_rec *rec, size_t nr, uint32_t s)
{
	double e = fit->err_ns;

	for (size_t i = 0; i < nr; i++)
		if (rec[i].seg == s) {
			double ei = rplat_clk_err_at(fit, rec[i].r.t);

			if (ei > e)
				e = ei;
		}
	return e;
}

int rplat_obs_match_time(struct rplat_obs_msg *msg, size_t nmsg, const struct rplat_obs_rec *rec, size_t nr,
			 uint32_t s, const struct rplat_clk_fit *fit, double tol_ns, struct rplat_obs_match_stats *st)
{
	struct rmsg *rm = NULL;
	struct rplat_obs_match_stats scratch;
	long nrm;
	size_t j, w = 0, first, last, hit = 0, assigned = 0;
	size_t *pick;

	memset(&scratch, 0, sizeof(scratch));
	nrm = remote_msgs(rec, nr, s, UINT64_MAX, &rm, &scratch);
	if (nrm < 0)
		return -1;
	if (s > 0)
		st->remote_msgs += (uint64_t)nrm; /* segment 0's were counted by the order pass */
	/* segment 0 before its first drop was matched by order already: only what follows is left (its
	 * messages would land in their own, taken, windows and count as unmatched, or outweigh the rest in
	 * the alignment test below) */
	if (s == 0 && nrm > 0) {
		long keep = 0;

		for (j = 0; j < (size_t)nrm; j++) {
			int taken = 0;

			while (w < nmsg && (msg[w].seg != s || !msg[w].has_rx || msg[w].by_time || msg[w].r_rx < rm[j].r_rx))
				w++;
			taken = w < nmsg && msg[w].r_rx == rm[j].r_rx;
			if (!taken)
				rm[keep++] = rm[j];
		}
		nrm = keep;
		w = 0;
	}
	pick = malloc(((size_t)nrm + 1) * sizeof(*pick));
	if (!pick) {
		free(rm);
		return -1;
	}
	/* each remote message into the one write whose [write, read] window holds its mapped RX */
	for (j = 0; j < (size_t)nrm; j++) {
		double t = rplat_clk_map(fit, rm[j].r_rx);
		size_t k, found = SIZE_MAX, n = 0;

		pick[j] = SIZE_MAX;
		while (w < nmsg && (double)msg[w].t_write + tol_ns < t && msg[w].has_read &&
		       (double)msg[w].t_read + tol_ns < t)
			w++;
		for (k = w; k < nmsg && (double)msg[k].t_write - tol_ns <= t; k++) {
			double end = msg[k].has_read ? (double)msg[k].t_read :
				     k + 1 < nmsg ? (double)msg[k + 1].t_write : (double)msg[k].t_write + 1e9;

			if (t <= end + tol_ns) {
				found = k;
				n++;
			}
		}
		if (n == 1) {
			pick[j] = found;
			hit++;
		}
	}
	/* a counter that did not continue through the restart maps nowhere: then the segment is not
	 * matched at all rather than matched by chance */
	first = 0;
	last = (size_t)nrm;
	if (nrm > 0 && hit * 2 < (size_t)nrm) {
		st->time_unaligned += (uint64_t)nrm;
		first = last;
	}
	for (j = first; j < last; j++) {
		struct rplat_obs_msg *m;

		if (pick[j] == SIZE_MAX) {
			st->remote_unmatched++;
			continue;
		}
		m = &msg[pick[j]];
		if (m->has_rx || (m->size && m->size != rm[j].len)) {
			st->remote_unmatched++;
			continue;
		}
		m->size = rm[j].len;
		m->has_rx = 1;
		m->r_rx = rm[j].r_rx;
		m->has_isr = rm[j].has_isr;
		m->r_isr = rm[j].r_isr;
		m->has_send = rm[j].has_send;
		m->r_send = rm[j].r_send;
		m->seg = s;
		m->by_time = 1;
		assigned++;
	}
	st->by_time += assigned;
	free(pick);
	free(rm);
	return 0;
}
