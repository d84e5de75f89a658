/* The coherency test. See rp_coherency.h and rplat/wire/coh_proto.h.
 *
 * The check works on two granularities. Bytes give the evidence (how many differ, where, what was
 * expected and seen). 4-byte groups at offsets that are multiples of 4 give the classification: a
 * group either holds the current pattern or not (a coincidental match of a whole group is 1 in 2^32,
 * where single bytes match 1 time in 256), and a wrong group decodes to the sequence it was written
 * for. Lines are the 64-byte lines of the device address space. */
#include "rp_coherency.h"

#include <stddef.h>
#include <string.h>

#define MAX_LINES 32u /* bitmaps of lines from the line of byte 'start': (496 + 63) / 64 + 1 fit */

void rp_coh_init(struct rp_coh *c, const struct rp_coh_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	if (cfg)
		c->cfg = *cfg;
	c->send = rp_probe_send_tagged;
}

const char *rp_coh_kind_name(unsigned kind)
{
	static const char *const names[] = { "clean", "old-seq", "stale-line", "torn", "corrupt" };

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

static uint8_t expect(uint32_t i, uint32_t off, uint32_t seq)
{
	return i < off ? 0 : rplat_coh_byte(seq, i);
}

void rp_coh_fill(uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq)
{
	uint32_t i;

	for (i = start; i < len; i++)
		msg[i] = expect(i, off, seq);
}

static uint32_t popcount32(uint32_t x)
{
	uint32_t n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static uint32_t lowest_bit(uint32_t x)
{
	uint32_t n = 0;

	if (!x)
		return 0;
	while (!(x & 1u)) {
		x >>= 1;
		n++;
	}
	return n;
}

/* What the groups say, gathered by scan_groups(). */
struct group_scan {
	uint32_t bad_lines;      /* lines holding a wrong byte */
	uint32_t good_pat_lines; /* lines holding a full pattern group that is right */
	uint32_t pat_lines;      /* lines the full pattern groups touch */
	uint32_t npat, npat_bad; /* full pattern groups, and wrong ones */
	uint32_t ndec;           /* wrong full groups decoded (all-zero ones are not) */
	uint32_t dec_seq;        /* the sequence most of them decode to (majority vote candidate) */
	uint32_t dec_votes;      /* Boyer-Moore counter, then (count_votes) how many decode to dec_seq */
	uint32_t gfirst, glast;  /* first and last wrong group */
	int contiguous;          /* no right group between them */
};

static uint32_t line_bit(uint32_t da, uint32_t i, uint32_t l0)
{
	uint32_t rel = ((da + i) >> 6) - l0;

	return rel < MAX_LINES ? 1u << rel : 0;
}

static uint32_t group_word(const uint8_t *msg, uint32_t k)
{
	return (uint32_t)msg[k * 4] | (uint32_t)msg[k * 4 + 1] << 8 | (uint32_t)msg[k * 4 + 2] << 16 |
	       (uint32_t)msg[k * 4 + 3] << 24;
}

static void scan_groups(const uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq,
			uint32_t da, struct group_scan *s)
{
	uint32_t l0 = (da + start) >> 6;
	uint32_t k, i, gap = 0;
	int seen_bad = 0;

	memset(s, 0, sizeof(*s));
	s->contiguous = 1;
	for (k = start >> 2; k <= (len - 1) >> 2; k++) {
		uint32_t lo = k * 4 < start ? start : k * 4;
		uint32_t hi = k * 4 + 4 > len ? len : k * 4 + 4;
		uint32_t lines = line_bit(da, lo, l0) | line_bit(da, hi - 1, l0);
		int full_pat = k * 4 >= off && k * 4 + 4 <= len;
		int bad = 0;

		for (i = lo; i < hi; i++) {
			if (msg[i] != expect(i, off, seq)) {
				bad = 1;
				s->bad_lines |= line_bit(da, i, l0);
			}
		}
		if (full_pat) {
			s->npat++;
			s->pat_lines |= lines;
			if (!bad) {
				s->good_pat_lines |= lines;
			} else {
				s->npat_bad++;
			}
		}
		/* a wrong group names the message it was written for; an all-zero one (padding, never
		 * written) names none */
		if (bad && k * 4 >= start && k * 4 + 4 <= len && group_word(msg, k)) {
			uint32_t d = rplat_coh_decode(group_word(msg, k), k);

			s->ndec++;
			if (!s->dec_votes)
				s->dec_seq = d;
			if (d == s->dec_seq)
				s->dec_votes++;
			else
				s->dec_votes--;
		}
		if (bad) {
			if (!seen_bad)
				s->gfirst = k;
			else if (gap)
				s->contiguous = 0;
			s->glast = k;
			seen_bad = 1;
			gap = 0;
		} else if (seen_bad) {
			gap = 1;
		}
	}
}

/* Second pass: how many wrong, non-zero full groups decode to the candidate. */
static void count_votes(const uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq,
			struct group_scan *s)
{
	uint32_t k, i;

	s->dec_votes = 0;
	if (!s->ndec)
		return;
	for (k = (start + 3) >> 2; k * 4 + 4 <= len; k++) {
		uint32_t w = group_word(msg, k);
		int bad = 0;

		for (i = k * 4; i < k * 4 + 4; i++)
			bad |= msg[i] != expect(i, off, seq);
		if (bad && w && rplat_coh_decode(w, k) == s->dec_seq)
			s->dec_votes++;
	}
}

void rp_coh_check(const uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq, uint32_t da,
		  struct rplat_coh_evidence *ev)
{
	struct group_scan s;
	uint32_t i, nbad = 0, first = 0, last = 0;
	int zero = 1;

	memset(ev, 0, sizeof(*ev));
	if (len > RPLAT_PING_MAX)
		len = RPLAT_PING_MAX;
	if (off > len)
		off = len;
	if (start > off)
		start = off;
	for (i = start; i < len; i++) {
		if (msg[i] == expect(i, off, seq))
			continue;
		if (!nbad)
			first = i;
		last = i;
		nbad++;
		if (msg[i])
			zero = 0;
	}
	if (!nbad)
		return;
	ev->nbad = (uint16_t)nbad;
	ev->first = (uint16_t)first;
	ev->last = (uint16_t)last;
	ev->nshow = (uint8_t)(len - first < RPLAT_COH_SHOW ? len - first : RPLAT_COH_SHOW);
	for (i = 0; i < ev->nshow; i++) {
		ev->expected[i] = expect(first + i, off, seq);
		ev->seen[i] = msg[first + i];
	}
	if (zero)
		ev->flags |= RPLAT_COH_EV_ZERO;

	scan_groups(msg, start, off, len, seq, da, &s);
	count_votes(msg, start, off, len, seq, &s);
	ev->nlines = (uint16_t)popcount32(s.bad_lines);
	ev->line_da = (((da + start) >> 6) + lowest_bit(s.bad_lines)) << 6;
	/* most of the wrong groups that name a message name the same one */
	if (s.dec_votes >= 2 && s.dec_votes * 2 > s.ndec) {
		ev->flags |= RPLAT_COH_EV_OLD_SEQ;
		ev->old_seq = s.dec_seq;
	}
	if (s.npat && s.npat_bad == s.npat && s.dec_votes >= 2 && s.dec_votes == s.ndec && ev->nlines >= 2 &&
	    (s.pat_lines & ~s.bad_lines) == 0)
		ev->kind = RPLAT_COH_OLD_SEQ;
	else if ((s.bad_lines & s.good_pat_lines) == 0)
		ev->kind = RPLAT_COH_STALE_LINE;
	else if (s.contiguous && (s.gfirst == start >> 2 || s.glast == (len - 1) >> 2))
		ev->kind = RPLAT_COH_TORN;
	else
		ev->kind = RPLAT_COH_CORRUPT;
}

/* ---- parsers ---- */

static int parse_hdr(const uint8_t *msg, uint32_t len, uint8_t type, uint32_t need, void *out)
{
	struct rplat_hdr h;

	if (len < sizeof(h))
		return -RPLAT_E_SHORT;
	memcpy(&h, msg, sizeof(h));
	if (h.magic != RPLAT_MAGIC)
		return -RPLAT_E_MAGIC;
	if (h.version != RPLAT_PROTO_VERSION)
		return -RPLAT_E_VERSION;
	if (h.type != type)
		return -RPLAT_E_TYPE;
	if (h.len != len || len > RPLAT_PING_MAX)
		return -RPLAT_E_LEN;
	if (len < need)
		return -RPLAT_E_SHORT;
	memcpy(out, msg, need);
	return 0;
}

int rp_coh_parse_write(const uint8_t *msg, uint32_t len, struct rplat_coh_write *out)
{
	int r = parse_hdr(msg, len, RPLAT_COH_WRITE, sizeof(*out), out);

	if (r)
		return r;
	if (out->off < sizeof(*out) || (uint32_t)out->off + out->size != len)
		return -RPLAT_E_PARAM;
	return 0;
}

int rp_coh_parse_fill(const uint8_t *msg, uint32_t len, struct rplat_coh_fill *out)
{
	int r = parse_hdr(msg, len, RPLAT_COH_FILL, sizeof(*out), out);

	if (r)
		return r;
	if (len != sizeof(*out))
		return -RPLAT_E_LEN;
	if (out->off < sizeof(struct rplat_coh_data) || (uint32_t)out->off + out->size > RPLAT_PING_MAX)
		return -RPLAT_E_PARAM;
	return 0;
}

int rp_coh_parse_hold(const uint8_t *msg, uint32_t len, struct rplat_coh_hold *out)
{
	int r = parse_hdr(msg, len, RPLAT_COH_HOLD, sizeof(*out), out);

	if (r)
		return r;
	if (len != sizeof(*out))
		return -RPLAT_E_LEN;
	if (out->hold_us == 0 || out->hold_us > RPLAT_COH_HOLD_MAX_US)
		return -RPLAT_E_PARAM;
	return 0;
}

int rp_coh_parse_report(const uint8_t *msg, uint32_t len, struct rplat_coh_report *out)
{
	const struct rplat_coh_evidence *ev = &out->ev;
	int r = parse_hdr(msg, len, RPLAT_COH_REPORT, sizeof(*out), out);

	if (r)
		return r;
	if (len != sizeof(*out))
		return -RPLAT_E_LEN;
	if (out->len > RPLAT_PING_MAX || out->off < sizeof(struct rplat_coh_write) || out->off > out->len)
		return -RPLAT_E_PARAM;
	if (ev->kind > RPLAT_COH_CORRUPT || ev->nshow > RPLAT_COH_SHOW)
		return -RPLAT_E_PARAM;
	if (ev->kind == RPLAT_COH_CLEAN)
		return ev->nbad ? -RPLAT_E_PARAM : 0;
	if (!ev->nbad || ev->first < sizeof(struct rplat_coh_write) || ev->first > ev->last ||
	    ev->last >= out->len || ev->nbad > ev->last - ev->first + 1u || ev->nshow > out->len - ev->first)
		return -RPLAT_E_PARAM;
	return 0;
}

int rp_coh_parse_data(const uint8_t *msg, uint32_t len, struct rplat_coh_data *out)
{
	int r = parse_hdr(msg, len, RPLAT_COH_DATA, sizeof(*out), out);

	if (r)
		return r;
	if (out->off < sizeof(*out) || (uint32_t)out->off + out->size != len)
		return -RPLAT_E_PARAM;
	return 0;
}

/* ---- the handler ---- */

static int coh_write(struct rp_coh *c, struct rp_probe *p, const uint8_t *msg, uint32_t len)
{
	struct rplat_coh_write w;
	struct rplat_coh_report rep;
	int r = rp_coh_parse_write(msg, len, &w);

	if (r)
		return r;
	memset(&rep, 0, sizeof(rep));
	rp_hdr_fill(&rep.hdr, RPLAT_COH_REPORT, sizeof(rep), w.hdr.seq, 0);
	rep.slot.rx_da = p->last_rx_da;
	rep.slot.rx_head = p->last_rx_head;
	rep.len = (uint16_t)len;
	rep.off = w.off;
	rp_coh_check(msg, sizeof(w), w.off, len, w.hdr.seq, p->last_rx_da + RPMSG_HDR_SIZE, &rep.ev);
	c->writes++;
	if (rep.ev.kind != RPLAT_COH_CLEAN)
		c->bad_writes++;
	c->send(p, p->req_src, &rep, sizeof(rep), (uint32_t)offsetof(struct rplat_coh_report, slot.tx_da),
		(uint32_t)offsetof(struct rplat_coh_report, slot.tx_head));
	return 0;
}

static int coh_fill(struct rp_coh *c, struct rp_probe *p, const uint8_t *msg, uint32_t len, uint8_t *reply,
		    uint32_t cap)
{
	struct rplat_coh_fill f;
	struct rplat_coh_data d;
	uint32_t n;
	int r = rp_coh_parse_fill(msg, len, &f);

	if (r)
		return r;
	n = (uint32_t)f.off + f.size;
	if (n > cap)
		return -RPLAT_E_PARAM;
	memset(&d, 0, sizeof(d));
	rp_hdr_fill(&d.hdr, RPLAT_COH_DATA, (uint16_t)n, f.hdr.seq, 0);
	d.slot.rx_da = p->last_rx_da;
	d.slot.rx_head = p->last_rx_head;
	d.off = f.off;
	d.size = f.size;
	memcpy(reply, &d, sizeof(d));
	rp_coh_fill(reply, sizeof(d), f.off, n, f.hdr.seq);
	c->fills++;
	c->send(p, p->req_src, reply, n, (uint32_t)offsetof(struct rplat_coh_data, slot.tx_da),
		(uint32_t)offsetof(struct rplat_coh_data, slot.tx_head));
	return 0;
}

static int coh_hold(struct rp_coh *c, struct rp_probe *p, const uint8_t *msg, uint32_t len)
{
	struct rplat_coh_hold h;
	uint64_t t0, ticks;
	int r = rp_coh_parse_hold(msg, len, &h);

	if (r)
		return r;
	c->holds++;
	ticks = (uint64_t)h.hold_us * p->cfg.counter_hz / 1000000u;
	t0 = p->hal->counter(p->hal->ctx);
	while (p->hal->counter(p->hal->ctx) - t0 < ticks)
		;
	return 0;
}

int rp_coh_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t cap,
	       void *ctx)
{
	struct rp_coh *c = ctx;
	const uint8_t *msg = (const uint8_t *)req;

	if (req->type < RPLAT_COH_FIRST || req->type > RPLAT_COH_LAST)
		return c->cfg.next ? c->cfg.next(p, req, len, reply, cap, c->cfg.next_ctx) : -RPLAT_E_TYPE;
	switch (req->type) {
	case RPLAT_COH_WRITE:
		return coh_write(c, p, msg, len);
	case RPLAT_COH_FILL:
		return coh_fill(c, p, msg, len, reply, cap);
	case RPLAT_COH_HOLD:
		return coh_hold(c, p, msg, len);
	default:
		return -RPLAT_E_TYPE;
	}
}
