/* fuzz-sources: probe-fw/core/rp_coherency.c probe-fw/core/rp_probe.c probe-fw/core/rp_vring.c */
/* libFuzzer target for the coherency messages (probe-fw/core/rp_coherency.c).
 *
 * The input is one message as it arrives (host -> probe or probe -> host). Every parser must accept it
 * or refuse it with -enum rplat_err, never read past it. What is accepted is checked, and the evidence
 * must be self-consistent: the report the probe would send about it passes the host's report parser.
 * The input also goes through the probe's handler (send captured, counter fake, so COH_HOLD ends at
 * once); a reply it sends must parse on the host, and a COH_DATA it builds must check clean. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rp_coherency.h"

static uint8_t g_reply[RPLAT_PING_MAX];
static uint32_t g_reply_len;

static int capture(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t da_off,
		   uint32_t head_off)
{
	uint32_t da = 0x9cb10000u;
	uint16_t head = 5;

	(void)p;
	(void)dst;
	if (len > sizeof(g_reply) || da_off + 4 > len || head_off + 2 > len)
		abort();
	memcpy(g_reply, msg, len);
	memcpy(g_reply + da_off, &da, 4);
	memcpy(g_reply + head_off, &head, 2);
	g_reply_len = len;
	return 0;
}

static uint64_t g_now;

static uint64_t fake_counter(void *ctx)
{
	(void)ctx;
	return g_now += 250000;
}

static void check_evidence(const struct rplat_coh_evidence *ev, uint32_t start, uint32_t len)
{
	if (ev->kind > RPLAT_COH_CORRUPT || ev->nshow > RPLAT_COH_SHOW)
		abort();
	if (ev->kind == RPLAT_COH_CLEAN) {
		if (ev->nbad || ev->flags)
			abort();
		return;
	}
	if (!ev->nbad || ev->first < start || ev->first > ev->last || ev->last >= len ||
	    ev->nbad > ev->last - ev->first + 1u || ev->nlines == 0 || ev->nlines > 9 ||
	    ev->nshow != (len - ev->first < RPLAT_COH_SHOW ? len - ev->first : RPLAT_COH_SHOW) ||
	    !memcmp(ev->expected, ev->seen, 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t msg[RPLAT_PING_MAX];
	uint8_t reply[RPLAT_PING_MAX];
	uint32_t len = size > sizeof(msg) ? (uint32_t)sizeof(msg) : (uint32_t)size;
	uint32_t da = 0;
	struct rplat_coh_write w;
	struct rplat_coh_fill f;
	struct rplat_coh_hold h;
	struct rplat_coh_report r;
	struct rplat_coh_data d;
	struct rplat_coh_evidence ev;

	/* exact-size copy, so that ASan sees any read past the message */
	uint8_t *m = malloc(len ? len : 1);

	if (!m)
		return 0;
	memcpy(m, data, len);
	memcpy(msg, data, len);
	if (size >= 4)
		memcpy(&da, data + size - 4, 4); /* the buffer's device address, from the input too */

	if (rp_coh_parse_write(m, len, &w) == 0) {
		struct rplat_coh_report rep;
		struct rplat_coh_report back;

		rp_coh_check(m, sizeof(w), w.off, len, w.hdr.seq, da, &ev);
		check_evidence(&ev, sizeof(w), len);
		memset(&rep, 0, sizeof(rep));
		rp_hdr_fill(&rep.hdr, RPLAT_COH_REPORT, sizeof(rep), w.hdr.seq, 0);
		rep.len = (uint16_t)len;
		rep.off = w.off;
		rep.ev = ev;
		if (rp_coh_parse_report((const uint8_t *)&rep, sizeof(rep), &back))
			abort(); /* the probe would send a report the host refuses */
	}
	rp_coh_parse_fill(m, len, &f);
	rp_coh_parse_hold(m, len, &h);
	if (rp_coh_parse_report(m, len, &r) == 0 && r.ev.kind != RPLAT_COH_CLEAN && r.ev.last >= r.len)
		abort();
	if (rp_coh_parse_data(m, len, &d) == 0) {
		rp_coh_check(m, sizeof(d), d.off, len, d.hdr.seq, da, &ev);
		check_evidence(&ev, sizeof(d), len);
	}

	/* the probe's handler, as dispatch() calls it: a checked header, hdr.len == len */
	if (len >= sizeof(struct rplat_hdr)) {
		struct rp_hal hal = { fake_counter, NULL, NULL, NULL, NULL, NULL };
		struct rp_probe p;
		struct rp_coh c;
		struct rplat_hdr hdr;
		int n;

		memcpy(&hdr, msg, sizeof(hdr));
		if (hdr.magic == RPLAT_MAGIC && hdr.version == RPLAT_PROTO_VERSION && hdr.len == len) {
			memset(&p, 0, sizeof(p));
			p.hal = &hal;
			p.cfg.counter_hz = 1000000;
			p.last_rx_da = da & ~511u;
			p.req_src = 1024;
			rp_coh_init(&c, NULL);
			c.send = capture;
			g_reply_len = 0;
			n = rp_coh_ext(&p, (const struct rplat_hdr *)(const void *)msg, len, reply, sizeof(reply), &c);
			if (n > 0)
				abort(); /* replies go through send, never through 'reply' */
			if (g_reply_len) {
				if (hdr.type == RPLAT_COH_WRITE) {
					if (rp_coh_parse_report(g_reply, g_reply_len, &r))
						abort();
				} else if (hdr.type == RPLAT_COH_FILL) {
					if (rp_coh_parse_data(g_reply, g_reply_len, &d))
						abort();
					rp_coh_check(g_reply, sizeof(d), d.off, g_reply_len, d.hdr.seq, 0x9cb10010u, &ev);
					if (ev.kind != RPLAT_COH_CLEAN)
						abort();
				} else {
					abort(); /* nothing else replies */
				}
			}
		}
	}
	free(m);
	return 0;
}
