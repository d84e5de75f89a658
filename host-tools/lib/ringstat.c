/* The shared-ring drain measurement. See rplat/ringstat.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rplat/ringstat.h"
#include "rplat/util.h"

#define BATCH 4096

struct lat_pt {
	int64_t drain;  /* host ns of the drain that got it */
	uint64_t stamp; /* its remote stamp */
	double d;       /* drain - stamp at the counter rate (the relative fallback) */
};

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Latency above the line through the fastest sample of the first and of the last quarter. */
static void relative_hist(struct rplat_hist *h, const struct lat_pt *p, size_t n)
{
	size_t q = n / 4, i, i1 = 0, i2 = n ? n - 1 : 0;
	double slope = 0, b;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		if (p[i].d < p[i1].d)
			i1 = i;
	if (q >= 1 && p[n - 1].drain > p[0].drain) {
		i1 = 0;
		for (i = 0; i < q; i++)
			if (p[i].d < p[i1].d)
				i1 = i;
		i2 = n - q;
		for (i = n - q; i < n; i++)
			if (p[i].d < p[i2].d)
				i2 = i;
		if (p[i2].drain != p[i1].drain)
			slope = (p[i2].d - p[i1].d) / (double)(p[i2].drain - p[i1].drain);
	}
	b = p[i1].d;
	for (i = 0; i < n; i++) {
		double v = p[i].d - (b + slope * (double)(p[i].drain - p[i1].drain));

		rplat_hist_add_signed(h, (int64_t)llround(v));
	}
}

int rplat_ringstat_run(struct rplat_ring_reader *r, const struct rplat_ringstat_opts *o, struct rplat_ringstat *s)
{
	static struct rplat_ring_rec out[BATCH];
	static struct rplat_clk clk;
	int64_t period = (int64_t)(1e9 / o->drains_hz), wall0, cpu0, t_end, next, prev_read = 0;
	struct lat_pt *pts = NULL;
	size_t npts = 0, cap = 0, n, i;
	uint64_t restarts0 = r->restarts;
	double ns_per_tick = r->counter_hz ? 1e9 / (double)r->counter_hz : 1.0;
	int rc = 0, have_prev = 0, final;

	memset(s, 0, sizeof(*s));
	rplat_hist_init(&s->lat);
	rplat_clk_init(&clk, (double)r->counter_hz);
	s->truth_max_err_ns = -1;
	/* what the ring holds already is from before the measurement */
	for (;;) {
		int64_t t = rplat_now_ns();

		if (rplat_ring_drain(r, out, BATCH, &n, s->err, sizeof(s->err)) != RPLAT_RING_OK || n < BATCH) {
			prev_read = t;
			have_prev = 1;
			break;
		}
	}
	s->err[0] = '\0';
	wall0 = rplat_now_ns();
	cpu0 = thread_cpu_ns();
	t_end = wall0 + o->duration_ns;
	next = wall0 + period;
	for (;;) {
		int64_t now = rplat_now_ns(), t_read = 0, t = 0;
		uint64_t got = 0, first = 0, last = 0;
		int clean = have_prev;

		if (o->stop && *o->stop) {
			s->ended_early = 1;
			break;
		}
		final = now >= t_end; /* the end: one last drain, so that what the ring holds is counted */
		if (!final && now < next) {
			int64_t w = (next < t_end ? next : t_end) - now;
			struct timespec ts = { (time_t)(w / 1000000000), (long)(w % 1000000000) };

			nanosleep(&ts, NULL);
			continue;
		}
		next += period;
		if (next < now) /* a late wakeup: drain once, keep the period's grid */
			next = now + period;
		do {
			enum rplat_ring_status st;

			t_read = rplat_now_ns(); /* before this batch reads the head */
			st = rplat_ring_drain(r, out, BATCH, &n, s->err, sizeof(s->err));
			t = rplat_now_ns();
			if (st == RPLAT_RING_CORRUPT) {
				rc = -1;
				goto done;
			}
			if (st == RPLAT_RING_RESTARTED) { /* a new boot's records: no bound from before it */
				clean = 0;
				continue;
			}
			for (i = 0; i < n; i++) {
				const struct rplat_ring_rec *rec = &out[i];

				if (!got && !i)
					first = rec->t;
				last = rec->t;
				if (rec->event != RPLAT_EV_MARK || (o->mark_id >= 0 && rec->len != (uint16_t)o->mark_id)) {
					s->other++;
					continue;
				}
				s->samples++;
				if (o->true_ns)
					rplat_hist_add_signed(&s->lat, (int64_t)llround((double)t - o->true_ns(o->ctx, rec->t)));
				if (npts == cap) {
					size_t nc = cap ? 2 * cap : 1 << 16;
					struct lat_pt *np = realloc(pts, nc * sizeof(*np));

					if (!np) {
						snprintf(s->err, sizeof(s->err), "out of memory after %zu samples", npts);
						rc = -1;
						goto done;
					}
					pts = np;
					cap = nc;
				}
				pts[npts].drain = t;
				pts[npts].stamp = rec->t;
				pts[npts].d = (double)(t - wall0) - (double)rec->t * ns_per_tick;
				npts++;
			}
			got += n;
		} while (n == BATCH);
		/* every record of this drain was published after the previous drain's last head read and
		 * before this drain's last batch returned: the first and the last bound the clock */
		if (got && clean) {
			struct rplat_clk_sample cs = { prev_read, t, first, last };

			rplat_clk_add(&clk, &cs);
		}
		prev_read = t_read;
		have_prev = 1;
		s->drains++;
		s->empty_drains += got == 0;
		if (final)
			break;
	}
done:
	s->wall_ns = (double)(rplat_now_ns() - wall0);
	s->cpu_ns = (double)(thread_cpu_ns() - cpu0);
	s->drops = rplat_ring_drops(r);
	s->restarts = r->restarts - restarts0;
	if (rc)
		s->ended_early = 1;
	rplat_clk_fit(&clk, &s->fit);
	if (o->true_ns) {
		for (i = 0; s->fit.valid && i < npts; i++) {
			double e = fabs(rplat_clk_map(&s->fit, pts[i].stamp) - o->true_ns(o->ctx, pts[i].stamp));

			if (e > s->truth_max_err_ns)
				s->truth_max_err_ns = e;
		}
	} else if (s->fit.valid) {
		s->fitted = 1;
		for (i = 0; i < npts; i++)
			rplat_hist_add_signed(&s->lat, (int64_t)llround((double)pts[i].drain -
									 rplat_clk_map(&s->fit, pts[i].stamp)));
	} else {
		s->relative = 1;
		relative_hist(&s->lat, pts, npts);
	}
	free(pts);
	return rc;
}
