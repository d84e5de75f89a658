/* The coherency test (probe-fw/core/rp_coherency.c): the pattern, the check and its evidence on
 * synthetic buffers (clean, stale line, torn write, old sequence, scattered corruption), the parsers,
 * and the probe's handler with its send replaced by a capture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rp_coherency.h"

#define BUF_DA 0x9cb04200u              /* a 512-byte buffer slot */
#define MSG_DA (BUF_DA + RPMSG_HDR_SIZE) /* where message byte 0 lives */
#define WHDR ((uint32_t)sizeof(struct rplat_coh_write))

/* A COH_WRITE of 'len' bytes, pattern from 'off', for 'seq'. */
static void make_write(uint8_t *m, uint32_t len, uint32_t off, uint32_t seq)
{
	struct rplat_coh_write w;

	memset(&w, 0, sizeof(w));
	rp_hdr_fill(&w.hdr, RPLAT_COH_WRITE, (uint16_t)len, seq, 0);
	w.off = (uint16_t)off;
	w.size = (uint16_t)(len - off);
	memcpy(m, &w, sizeof(w));
	rp_coh_fill(m, WHDR, off, len, seq);
}

/* Message offset of the first byte of the 64-byte line holding message offset i. */
static uint32_t line_start(uint32_t i)
{
	return ((MSG_DA + i) & ~63u) - MSG_DA;
}

static void test_pattern_decodes(void **state)
{
	uint32_t s, k, same = 0;

	(void)state;
	for (s = 0; s < 5000; s += 7)
		for (k = 0; k < 124; k += 5)
			assert_int_equal(rplat_coh_decode(rplat_coh_word(s, k), k), s);
	assert_int_equal(rplat_coh_decode(rplat_coh_word(0xFFFFFFFFu, 3), 3), 0xFFFFFFFFu);
	/* consecutive sequences differ in (almost) every byte */
	for (s = 0; s < 1000; s++)
		for (k = 0; k < 496; k++)
			same += rplat_coh_byte(s, k) == rplat_coh_byte(s + 1, k);
	assert_true(same < 1000 * 496 / 100);
}

static void test_clean(void **state)
{
	uint8_t m[RPLAT_PING_MAX];
	struct rplat_coh_evidence ev;
	uint32_t len, off;

	(void)state;
	for (len = WHDR; len <= RPLAT_PING_MAX; len += 17)
		for (off = WHDR; off <= len; off += 13) {
			make_write(m, len, off, len * 1000 + off);
			rp_coh_check(m, WHDR, off, len, len * 1000 + off, MSG_DA, &ev);
			assert_int_equal(ev.kind, RPLAT_COH_CLEAN);
			assert_int_equal(ev.nbad, 0);
		}
}

static void test_stale_line(void **state)
{
	uint8_t m[RPLAT_PING_MAX], old[RPLAT_PING_MAX];
	struct rplat_coh_evidence ev;
	uint32_t l = line_start(200);

	(void)state;
	make_write(old, 400, 40, 40);
	make_write(m, 400, 40, 100);
	memcpy(m + l, old + l, 64); /* one line still holds seq 40 */
	rp_coh_check(m, WHDR, 40, 400, 100, MSG_DA, &ev);
	print_message("stale line: kind %s first %u nbad %u lines %u line_da 0x%x old_seq %u\n",
		      rp_coh_kind_name(ev.kind), ev.first, ev.nbad, ev.nlines, ev.line_da, ev.old_seq);
	assert_int_equal(ev.kind, RPLAT_COH_STALE_LINE);
	assert_int_equal(ev.nlines, 1);
	assert_int_equal(ev.line_da, MSG_DA + l);
	assert_int_equal(ev.first, l);
	assert_int_equal(ev.last, l + 63);
	assert_true(ev.nbad >= 60 && ev.nbad <= 64); /* single bytes may match by chance */
	assert_true(ev.flags & RPLAT_COH_EV_OLD_SEQ);
	assert_int_equal(ev.old_seq, 40);
	assert_int_equal(ev.nshow, RPLAT_COH_SHOW);
	assert_memory_equal(ev.seen, old + ev.first, RPLAT_COH_SHOW);
	assert_int_equal(ev.expected[0], rplat_coh_byte(100, ev.first));

	/* two lines, never written (zeros), one of them across the pad/pattern boundary */
	make_write(m, 400, 90, 100);
	memset(m + line_start(90), 0, 64);
	memset(m + line_start(300), 0, 64);
	rp_coh_check(m, WHDR, 90, 400, 100, MSG_DA, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_STALE_LINE);
	assert_int_equal(ev.nlines, 2);
	assert_true(ev.flags & RPLAT_COH_EV_ZERO);
	assert_false(ev.flags & RPLAT_COH_EV_OLD_SEQ);
	assert_int_equal(ev.first, 90); /* the pad before 90 is zero as expected */

	/* the sim's fault: the line after the headers, the message shorter than the line's end */
	make_write(old, 130, 24, 7);
	make_write(m, 120, 30, 263);
	l = line_start(48);
	memcpy(m + l, old + l, 64);
	rp_coh_check(m, WHDR, 30, 120, 263, MSG_DA, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_STALE_LINE);
	assert_int_equal(ev.old_seq, 7);
}

static void test_torn(void **state)
{
	uint8_t m[RPLAT_PING_MAX], old[RPLAT_PING_MAX];
	struct rplat_coh_evidence ev;

	(void)state;
	make_write(old, 496, 24, 99);
	make_write(m, 496, 24, 100);
	memcpy(m + 300, old + 300, 196); /* the write landed up to byte 300 only, mid-line */
	rp_coh_check(m, WHDR, 24, 496, 100, MSG_DA, &ev);
	print_message("torn: kind %s first %u nbad %u old_seq %u\n", rp_coh_kind_name(ev.kind), ev.first,
		      ev.nbad, ev.old_seq);
	assert_int_equal(ev.kind, RPLAT_COH_TORN);
	assert_int_equal(ev.first, 300);
	assert_int_equal(ev.last, 495);
	assert_true(ev.flags & RPLAT_COH_EV_OLD_SEQ);
	assert_int_equal(ev.old_seq, 99);

	/* a tear exactly on a line boundary cannot be told from stale lines */
	make_write(m, 496, 24, 100);
	memcpy(m + line_start(300), old + line_start(300), 496 - line_start(300));
	rp_coh_check(m, WHDR, 24, 496, 100, MSG_DA, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_STALE_LINE);
}

static void test_old_seq(void **state)
{
	uint8_t m[RPLAT_PING_MAX];
	struct rplat_coh_evidence ev;

	(void)state;
	make_write(m, 300, 40, 77); /* the buffer still holds message 77 */
	rp_coh_check(m, WHDR, 40, 300, 78, MSG_DA, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_OLD_SEQ);
	assert_int_equal(ev.old_seq, 77);
	assert_int_equal(ev.first, 40);
	assert_true(ev.nlines >= 4);
}

static void test_corrupt(void **state)
{
	uint8_t m[RPLAT_PING_MAX];
	struct rplat_coh_evidence ev;

	(void)state;
	make_write(m, 400, 24, 5);
	m[100] ^= 0x10;
	m[350] ^= 0x01;
	rp_coh_check(m, WHDR, 24, 400, 5, MSG_DA, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_CORRUPT);
	assert_int_equal(ev.nbad, 2);
	assert_int_equal(ev.first, 100);
	assert_int_equal(ev.last, 350);
	assert_false(ev.flags & RPLAT_COH_EV_OLD_SEQ);
	/* the last bytes: nshow shrinks */
	make_write(m, 400, 24, 5);
	m[397] ^= 1;
	rp_coh_check(m, WHDR, 24, 400, 5, MSG_DA, &ev);
	assert_int_equal(ev.nshow, 3);
	/* out-of-range arguments are clamped, not read past */
	rp_coh_check(m, 600, 700, 1000, 5, 0xFFFFFFF0u, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_CLEAN);
}

static void test_parsers(void **state)
{
	uint8_t m[RPLAT_PING_MAX];
	struct rplat_coh_write w;
	struct rplat_coh_fill f;
	struct rplat_coh_hold h;
	struct rplat_coh_report r, rr;

	(void)state;
	make_write(m, 200, 50, 1);
	assert_int_equal(rp_coh_parse_write(m, 200, &w), 0);
	assert_int_equal(w.off, 50);
	assert_int_equal(rp_coh_parse_write(m, 10, &w), -RPLAT_E_SHORT);
	assert_int_equal(rp_coh_parse_write(m, 199, &w), -RPLAT_E_LEN);
	make_write(m, 200, 20, 1); /* off inside the fixed part */
	assert_int_equal(rp_coh_parse_write(m, 200, &w), -RPLAT_E_PARAM);
	make_write(m, 200, 50, 1);
	m[18] ^= 1; /* size no longer adds up */
	assert_int_equal(rp_coh_parse_write(m, 200, &w), -RPLAT_E_PARAM);
	make_write(m, 200, 50, 1);
	m[0] ^= 1;
	assert_int_equal(rp_coh_parse_write(m, 200, &w), -RPLAT_E_MAGIC);
	make_write(m, 200, 50, 1);
	assert_int_equal(rp_coh_parse_fill(m, 200, &f), -RPLAT_E_TYPE);

	memset(&f, 0, sizeof(f));
	rp_hdr_fill(&f.hdr, RPLAT_COH_FILL, sizeof(f), 9, 0);
	f.off = 32;
	f.size = 464;
	assert_int_equal(rp_coh_parse_fill((const uint8_t *)&f, sizeof(f), &f), 0);
	f.size = 465;
	assert_int_equal(rp_coh_parse_fill((const uint8_t *)&f, sizeof(f), &f), -RPLAT_E_PARAM);
	f.size = 1;
	f.off = 31;
	assert_int_equal(rp_coh_parse_fill((const uint8_t *)&f, sizeof(f), &f), -RPLAT_E_PARAM);

	memset(&h, 0, sizeof(h));
	rp_hdr_fill(&h.hdr, RPLAT_COH_HOLD, sizeof(h), 9, 0);
	assert_int_equal(rp_coh_parse_hold((const uint8_t *)&h, sizeof(h), &h), -RPLAT_E_PARAM);
	h.hold_us = RPLAT_COH_HOLD_MAX_US + 1;
	assert_int_equal(rp_coh_parse_hold((const uint8_t *)&h, sizeof(h), &h), -RPLAT_E_PARAM);
	h.hold_us = 10;
	assert_int_equal(rp_coh_parse_hold((const uint8_t *)&h, sizeof(h), &h), 0);

	memset(&r, 0, sizeof(r));
	rp_hdr_fill(&r.hdr, RPLAT_COH_REPORT, sizeof(r), 9, 0);
	r.len = 200;
	r.off = 50;
	assert_int_equal(rp_coh_parse_report((const uint8_t *)&r, sizeof(r), &rr), 0);
	r.ev.nbad = 3; /* clean with bad bytes */
	assert_int_equal(rp_coh_parse_report((const uint8_t *)&r, sizeof(r), &rr), -RPLAT_E_PARAM);
	r.ev.kind = RPLAT_COH_STALE_LINE;
	r.ev.first = 60;
	r.ev.last = 62;
	r.ev.nshow = 8;
	assert_int_equal(rp_coh_parse_report((const uint8_t *)&r, sizeof(r), &rr), 0);
	r.ev.last = 200; /* past the write */
	assert_int_equal(rp_coh_parse_report((const uint8_t *)&r, sizeof(r), &rr), -RPLAT_E_PARAM);
	r.ev.last = 62;
	r.ev.kind = 9;
	assert_int_equal(rp_coh_parse_report((const uint8_t *)&r, sizeof(r), &rr), -RPLAT_E_PARAM);
}

/* ---- the handler ---- */

struct capture {
	uint8_t msg[RPLAT_PING_MAX];
	uint32_t len, dst, sends;
	uint64_t now;
	int next_calls;
};

static struct capture cap;

static int capture_send(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t da_off,
			uint32_t head_off)
{
	uint32_t da = 0x9cb10000u; /* "the RX buffer" */
	uint16_t head = 3;

	(void)p;
	assert_true(len <= sizeof(cap.msg));
	memcpy(cap.msg, msg, len);
	memcpy(cap.msg + da_off, &da, sizeof(da));
	memcpy(cap.msg + head_off, &head, sizeof(head));
	cap.len = len;
	cap.dst = dst;
	cap.sends++;
	return 0;
}

static uint64_t fake_counter(void *ctx)
{
	(void)ctx;
	return cap.now += 10;
}

static int next_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t rcap,
		    void *ctx)
{
	(void)p;
	(void)req;
	(void)len;
	(void)reply;
	(void)rcap;
	(void)ctx;
	cap.next_calls++;
	return 0;
}

static void setup_probe(struct rp_probe *p, struct rp_hal *hal, struct rp_coh *c)
{
	struct rp_coh_cfg cfg = { next_ext, NULL };

	memset(&cap, 0, sizeof(cap));
	memset(hal, 0, sizeof(*hal));
	hal->counter = fake_counter;
	memset(p, 0, sizeof(*p));
	p->hal = hal;
	p->cfg.counter_hz = 1000000; /* 1 tick per us */
	p->last_rx_da = BUF_DA;
	p->last_rx_head = 17;
	p->req_src = 1024;
	rp_coh_init(c, &cfg);
	c->send = capture_send;
}

static void test_handler(void **state)
{
	struct rp_probe p;
	struct rp_hal hal;
	struct rp_coh c;
	uint8_t m[RPLAT_PING_MAX], reply[RPLAT_PING_MAX];
	struct rplat_coh_report r;
	struct rplat_coh_fill f;
	struct rplat_coh_data d;
	struct rplat_coh_hold h;
	struct rplat_coh_evidence ev;
	struct rplat_hdr other;
	uint64_t t0;

	(void)state;
	setup_probe(&p, &hal, &c);

	/* a clean write */
	make_write(m, 300, 40, 12);
	assert_int_equal(rp_coh_ext(&p, (const struct rplat_hdr *)(void *)m, 300, reply, sizeof(reply), &c), 0);
	assert_int_equal(cap.sends, 1);
	assert_int_equal(cap.dst, 1024);
	assert_int_equal(rp_coh_parse_report(cap.msg, cap.len, &r), 0);
	assert_int_equal(r.hdr.seq, 12);
	assert_int_equal(r.ev.kind, RPLAT_COH_CLEAN);
	assert_int_equal(r.slot.rx_da, BUF_DA);
	assert_int_equal(r.slot.rx_head, 17);
	assert_int_equal(r.slot.tx_da, 0x9cb10000u);
	assert_int_equal(r.len, 300);
	assert_int_equal(r.off, 40);

	/* a write read through a stale line */
	make_write(m, 300, 40, 13);
	memset(m + line_start(100), 0xAB, 64);
	assert_int_equal(rp_coh_ext(&p, (const struct rplat_hdr *)(void *)m, 300, reply, sizeof(reply), &c), 0);
	assert_int_equal(rp_coh_parse_report(cap.msg, cap.len, &r), 0);
	assert_int_equal(r.ev.kind, RPLAT_COH_STALE_LINE);
	assert_int_equal(r.ev.line_da, MSG_DA + line_start(100));
	assert_int_equal(c.writes, 2);
	assert_int_equal(c.bad_writes, 1);

	/* a malformed write */
	make_write(m, 300, 40, 14);
	assert_int_equal(rp_coh_ext(&p, (const struct rplat_hdr *)(void *)m, 299, reply, sizeof(reply), &c),
			 -RPLAT_E_LEN);

	/* fill: the host's check passes on what the probe built */
	memset(&f, 0, sizeof(f));
	rp_hdr_fill(&f.hdr, RPLAT_COH_FILL, sizeof(f), 55, 0);
	f.off = 70;
	f.size = 400;
	assert_int_equal(rp_coh_ext(&p, &f.hdr, sizeof(f), reply, sizeof(reply), &c), 0);
	assert_int_equal(cap.len, 470);
	assert_int_equal(rp_coh_parse_data(cap.msg, cap.len, &d), 0);
	assert_int_equal(d.hdr.seq, 55);
	rp_coh_check(cap.msg, sizeof(d), d.off, cap.len, 55, d.slot.tx_da + RPMSG_HDR_SIZE, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_CLEAN);
	cap.msg[200] ^= 0x40;
	rp_coh_check(cap.msg, sizeof(d), d.off, cap.len, 55, d.slot.tx_da + RPMSG_HDR_SIZE, &ev);
	assert_int_equal(ev.kind, RPLAT_COH_CORRUPT);
	assert_int_equal(ev.first, 200);

	/* hold: busy until the counter has advanced hold_us ticks, no reply */
	memset(&h, 0, sizeof(h));
	rp_hdr_fill(&h.hdr, RPLAT_COH_HOLD, sizeof(h), 56, 0);
	h.hold_us = 5000;
	t0 = cap.now;
	cap.sends = 0;
	assert_int_equal(rp_coh_ext(&p, &h.hdr, sizeof(h), reply, sizeof(reply), &c), 0);
	assert_true(cap.now - t0 >= 5000);
	assert_int_equal(cap.sends, 0);
	assert_int_equal(c.holds, 1);

	/* a reserved coherency type, and a type for the next handler */
	rp_hdr_fill(&other, 0x2f, sizeof(other), 1, 0);
	assert_int_equal(rp_coh_ext(&p, &other, sizeof(other), reply, sizeof(reply), &c), -RPLAT_E_TYPE);
	rp_hdr_fill(&other, RPLAT_STREAM_START, sizeof(other), 1, 0);
	assert_int_equal(rp_coh_ext(&p, &other, sizeof(other), reply, sizeof(reply), &c), 0);
	assert_int_equal(cap.next_calls, 1);
	c.cfg.next = NULL;
	assert_int_equal(rp_coh_ext(&p, &other, sizeof(other), reply, sizeof(reply), &c), -RPLAT_E_TYPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_decodes), cmocka_unit_test(test_clean),
		cmocka_unit_test(test_stale_line),      cmocka_unit_test(test_torn),
		cmocka_unit_test(test_old_seq),         cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_parsers),         cmocka_unit_test(test_handler),
	};

	return cmocka_run_group_tests_name("coherency", tests, NULL, NULL);
}
