/* Stream mode. See rp_stream.h. */
#include "rp_stream.h"

#include <stddef.h>
#include <string.h>

#define STREAM_DATA_MIN ((uint32_t)sizeof(struct rplat_stream_data))

void rp_stream_init(struct rp_stream *s, struct rp_probe *p, const struct rp_stream_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->probe = p;
	s->cfg = *cfg;
	if (s->cfg.timer.max_ticks == 0)
		s->cfg.timer.max_ticks = 1;
}

static void stop(struct rp_stream *s)
{
	if (s->running) {
		s->running = 0;
		s->cfg.timer.stop(s->cfg.timer.ctx);
	}
}

/* Validate a STREAM_START and arm the timer. Returns 0 or -enum rplat_err. */
static int start(struct rp_stream *s, const struct rplat_stream_start *req, uint32_t len, uint32_t dst)
{
	struct rplat_stream_start st;
	struct rplat_stream_data *d = (struct rplat_stream_data *)(void *)s->msg;
	uint64_t ticks, k;
	uint32_t i;

	if (len < sizeof(st))
		return -RPLAT_E_SHORT;
	if (len > sizeof(st))
		return -RPLAT_E_LEN;
	memcpy(&st, req, sizeof(st));
	if (s->running)
		return -RPLAT_E_BUSY;
	if (st.period_us == 0 || st.period_us < s->cfg.min_period_us || st.size < STREAM_DATA_MIN ||
	    st.size > RPLAT_PING_MAX || st.reserved != 0)
		return -RPLAT_E_PARAM;
	/* period_us * hz / 1e6 without overflowing 64 bits for any hz below 4e15 */
	ticks = (uint64_t)st.period_us * (s->cfg.counter_hz / 1000000u) +
		(uint64_t)st.period_us * (s->cfg.counter_hz % 1000000u) / 1000000u;
	if (ticks == 0)
		return -RPLAT_E_PARAM;
	k = (ticks + s->cfg.timer.max_ticks - 1) / s->cfg.timer.max_ticks;
	if (k > 0xFFFFFFFFu)
		return -RPLAT_E_PARAM;

	s->sub_n = (uint32_t)k;
	s->sub_left = s->sub_n;
	s->sub_ticks = (uint32_t)(ticks / k);
	s->period = (uint64_t)s->sub_ticks * k;
	s->dst = dst;
	s->count = st.count;
	s->size = st.size;
	s->overruns = 0;
	s->sent = 0;
	memset(s->msg, 0, STREAM_DATA_MIN);
	for (i = 0; i < (uint32_t)st.size - STREAM_DATA_MIN; i++)
		d->payload[i] = (uint8_t)i;
	s->running = 1;
	s->cfg.timer.start(s->cfg.timer.ctx, s->sub_ticks);
	return 0;
}

int rp_stream_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t cap,
		  void *ctx)
{
	struct rp_stream *s = ctx;
	struct rplat_hdr ack;
	int rc;

	switch (req->type) {
	case RPLAT_STREAM_START:
		rc = start(s, (const struct rplat_stream_start *)(const void *)req, len, p->req_src);
		if (rc < 0)
			return rc;
		break;
	case RPLAT_STREAM_STOP:
		stop(s);
		break;
	default:
		if (s->cfg.next)
			return s->cfg.next(p, req, len, reply, cap, s->cfg.next_ctx);
		return -RPLAT_E_TYPE;
	}
	if (cap < sizeof(ack))
		return 0;
	rp_hdr_fill(&ack, RPLAT_STREAM_ACK, sizeof(ack), req->seq, 0);
	memcpy(reply, &ack, sizeof(ack));
	return (int)sizeof(ack);
}

int rp_stream_tick(struct rp_stream *s, uint64_t t_isr, uint32_t late)
{
	struct rplat_stream_data *d = (struct rplat_stream_data *)(void *)s->msg;
	uint64_t t_due = t_isr - late;

	if (!s->running || --s->sub_left)
		return 0;
	s->sub_left = s->sub_n;
	rp_hdr_fill(&d->hdr, RPLAT_STREAM_DATA, s->size, s->sent, 0);
	memcpy(&d->t_due, &t_due, sizeof(t_due));
	memcpy(&d->t_isr, &t_isr, sizeof(t_isr));
	memcpy(&d->overruns, &s->overruns, sizeof(s->overruns));
	if (rp_probe_send_stamped(s->probe, s->dst, s->msg, s->size,
				  (uint32_t)offsetof(struct rplat_stream_data, t_send))) {
		s->overruns++;
		return 1;
	}
	s->sent++;
	if (s->count && s->sent >= s->count)
		stop(s);
	return 1;
}
