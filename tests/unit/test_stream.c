/* Stream mode (probe-fw/core/rp_stream.c) on the host: the probe core with rp_stream as its extension,
 * driven through the user-space vring driver, with a fake counter and a fake timer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rp_probe.h"
#include "rp_stream.h"
#include "rplat/vdrv.h"

#define SHM_SIZE (1u << 20)
#define DA 0x9cb00000u
#define POOL 8192u
#define HZ 400000000u
#define TIMER_MAX 0x1000000u /* the AM62x SysTick: 24 bits */

struct world {
	uint8_t *shm;
	struct rplat_vdrv drv;
	struct rp_probe probe;
	struct rp_stream stream;
	struct rp_hal hal;
	uint64_t now;
	uint32_t timer_ticks;  /* latest start() */
	int timer_starts, timer_stops;
	int other_calls;
};

static uint64_t fake_counter(void *ctx)
{
	struct world *w = ctx;

	return w->now += 7;
}

static void fake_kick_host(void *ctx, uint32_t vq)
{
	(void)ctx;
	(void)vq;
}

static void fake_kick_probe(void *ctx, unsigned vq)
{
	(void)ctx;
	(void)vq;
}

static void timer_start(void *ctx, uint32_t ticks)
{
	struct world *w = ctx;

	w->timer_ticks = ticks;
	w->timer_starts++;
}

static void timer_stop(void *ctx)
{
	((struct world *)ctx)->timer_stops++;
}

/* the next handler in the chain: answers type 0x21 (a coherency message, say) with an empty reply */
static int other_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t cap,
		     void *ctx)
{
	(void)p;
	(void)len;
	(void)reply;
	(void)cap;
	((struct world *)ctx)->other_calls++;
	return req->type == 0x21 ? 0 : -RPLAT_E_TYPE;
}

static void write_table(uint8_t *shm)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(DA + 4096, 4096, "");

	memcpy(shm, &t, sizeof(t));
}

static int setup_with(void **state, uint32_t timer_max)
{
	struct world *w = calloc(1, sizeof(*w));
	struct rp_probe_cfg cfg = { .target = "test", .counter_hz = HZ, .features = RPLAT_FEAT_STREAM,
				    .ext = rp_stream_ext };
	struct rp_stream_cfg scfg = {
		.timer = { timer_start, timer_stop, timer_max, w },
		.counter_hz = HZ,
		.min_period_us = 10,
		.next = other_ext,
		.next_ctx = w,
	};
	struct rp_shm region;
	char err[256];
	uint8_t buf[512];

	w->shm = calloc(1, SHM_SIZE);
	write_table(w->shm);
	w->hal = (struct rp_hal){ .counter = fake_counter, .kick = fake_kick_host, .ctx = w };
	region = (struct rp_shm){ w->shm, DA, SHM_SIZE };
	cfg.ext_ctx = &w->stream;
	rp_probe_init(&w->probe, &w->hal, &cfg, &region);
	rp_stream_init(&w->stream, &w->probe, &scfg);
	assert_int_equal(rplat_vdrv_setup(&w->drv, w->shm, SHM_SIZE, DA, 0, 4096, POOL, fake_kick_probe, w, err,
					  sizeof(err)), 0);
	assert_int_equal(rp_probe_attach(&w->probe, (void *)w->shm), 0);
	assert_int_equal(rplat_vdrv_recv(&w->drv, buf, sizeof(buf)), 0); /* the announcements */
	assert_int_equal(w->drv.remote_addr, RPLAT_PORT);
	*state = w;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, TIMER_MAX);
}

static int setup_small_timer(void **state)
{
	return setup_with(state, 1000);
}

static int teardown(void **state)
{
	struct world *w = *state;

	rplat_vdrv_free(&w->drv);
	free(w->shm);
	free(w);
	return 0;
}

/* Send a request and return the reply's length (0 if none), with the reply in 'in'. */
static ssize_t request(struct world *w, const void *msg, size_t len, uint8_t *in)
{
	assert_int_equal(rplat_vdrv_send(&w->drv, msg, len), 0);
	rp_probe_kick_isr(&w->probe);
	rp_probe_poll(&w->probe);
	return rplat_vdrv_recv(&w->drv, in, 512);
}

static ssize_t start(struct world *w, uint32_t period_us, uint32_t count, uint16_t size, uint32_t seq, uint8_t *in)
{
	struct rplat_stream_start st = {
		.hdr = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_STREAM_START, sizeof(st), 0, seq, 0 },
		.period_us = period_us,
		.count = count,
		.size = size,
	};

	return request(w, &st, sizeof(st), in);
}

static ssize_t stop(struct world *w, uint32_t seq, uint8_t *in)
{
	struct rplat_hdr h = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_STREAM_STOP, sizeof(h), 0, seq, 0 };

	return request(w, &h, sizeof(h), in);
}

static void assert_reply(const uint8_t *in, ssize_t n, uint8_t type, uint32_t seq, uint32_t status)
{
	const struct rplat_hdr *h = (const void *)in;

	assert_int_equal(n, sizeof(*h));
	assert_int_equal(h->magic, RPLAT_MAGIC);
	assert_int_equal(h->type, type);
	assert_int_equal(h->len, sizeof(*h));
	assert_int_equal(h->seq, seq);
	assert_int_equal(h->status, status);
}

static void test_start_data_stop(void **state)
{
	struct world *w = *state;
	const struct rplat_stream_data *d;
	uint8_t in[512];
	uint64_t t_due = 1000000;
	uint32_t i;

	assert_reply(in, start(w, 1000, 0, 100, 41, in), RPLAT_STREAM_ACK, 41, 0);
	assert_int_equal(w->timer_starts, 1);
	assert_int_equal(w->timer_ticks, 400000); /* 1 ms at 400 MHz */
	assert_true(w->stream.running);

	for (i = 0; i < 50; i++) {
		uint32_t late = 100 + i;

		t_due += 400000;
		w->now = t_due + late;
		assert_int_equal(rp_stream_tick(&w->stream, w->now, late), 1);
		assert_int_equal(rplat_vdrv_recv(&w->drv, in, sizeof(in)), 100);
		d = (const void *)in;
		assert_int_equal(d->hdr.magic, RPLAT_MAGIC);
		assert_int_equal(d->hdr.type, RPLAT_STREAM_DATA);
		assert_int_equal(d->hdr.len, 100);
		assert_int_equal(d->hdr.seq, i);
		assert_int_equal(d->t_due, t_due);
		assert_int_equal(d->t_isr, t_due + late);
		assert_true(d->t_send > d->t_isr); /* stamped at the push */
		assert_int_equal(d->overruns, 0);
		for (uint32_t k = 0; k < 100 - sizeof(*d); k++)
			assert_int_equal(d->payload[k], (uint8_t)k);
	}
	/* it went to the host endpoint that asked */
	assert_reply(in, stop(w, 42, in), RPLAT_STREAM_ACK, 42, 0);
	assert_int_equal(w->timer_stops, 1);
	assert_false(w->stream.running);
	assert_int_equal(rp_stream_tick(&w->stream, w->now + 400000, 0), 0);
	assert_int_equal(rplat_vdrv_recv(&w->drv, in, sizeof(in)), 0);
	/* STOP when nothing runs is acknowledged too, and leaves the timer alone */
	assert_reply(in, stop(w, 43, in), RPLAT_STREAM_ACK, 43, 0);
	assert_int_equal(w->timer_stops, 1);
	assert_int_equal(w->stream.sent, 50);
}

static void test_count_and_restart(void **state)
{
	struct world *w = *state;
	uint8_t in[512];
	uint64_t t = 5000;
	int sent = 0;

	assert_reply(in, start(w, 250, 3, sizeof(struct rplat_stream_data), 1, in), RPLAT_STREAM_ACK, 1, 0);
	assert_int_equal(w->timer_ticks, 100000);
	for (int i = 0; i < 6; i++) {
		t += 100000;
		w->now = t;
		if (rp_stream_tick(&w->stream, t, 0))
			sent += rplat_vdrv_recv(&w->drv, in, sizeof(in)) > 0;
	}
	assert_int_equal(sent, 3);
	assert_false(w->stream.running);
	assert_int_equal(w->timer_stops, 1);
	/* a new stream may start now; one while it runs is BUSY */
	assert_reply(in, start(w, 250, 0, 64, 2, in), RPLAT_STREAM_ACK, 2, 0);
	assert_reply(in, start(w, 250, 0, 64, 3, in), RPLAT_ERROR, 3, RPLAT_E_BUSY);
	assert_true(w->stream.running);
	assert_int_equal(w->probe.cnt.bad_msg, 1);
}

static void test_bad_start(void **state)
{
	struct world *w = *state;
	uint8_t in[512], msg[64];
	struct rplat_stream_start st = {
		.hdr = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_STREAM_START, sizeof(st), 0, 9, 0 },
		.period_us = 1000,
		.size = 64,
	};

	assert_reply(in, start(w, 0, 0, 64, 10, in), RPLAT_ERROR, 10, RPLAT_E_PARAM);
	assert_reply(in, start(w, 9, 0, 64, 11, in), RPLAT_ERROR, 11, RPLAT_E_PARAM);     /* below 10 us */
	assert_reply(in, start(w, 1000, 0, 47, 12, in), RPLAT_ERROR, 12, RPLAT_E_PARAM);  /* < 48 bytes */
	assert_reply(in, start(w, 1000, 0, 497, 13, in), RPLAT_ERROR, 13, RPLAT_E_PARAM); /* > 496 */
	st.reserved = 1;
	assert_reply(in, request(w, &st, sizeof(st), in), RPLAT_ERROR, 9, RPLAT_E_PARAM);
	/* shorter or longer than a STREAM_START (hdr.len agreeing, so the core lets it through) */
	memcpy(msg, &st, sizeof(st));
	((struct rplat_hdr *)(void *)msg)->len = 20;
	assert_reply(in, request(w, msg, 20, in), RPLAT_ERROR, 9, RPLAT_E_SHORT);
	((struct rplat_hdr *)(void *)msg)->len = 40;
	assert_reply(in, request(w, msg, 40, in), RPLAT_ERROR, 9, RPLAT_E_LEN);
	assert_int_equal(w->timer_starts, 0);
	assert_false(w->stream.running);
	assert_int_equal(w->probe.cnt.bad_msg, 7);
}

static void test_other_types(void **state)
{
	struct world *w = *state;
	uint8_t in[512];
	struct rplat_hdr h = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, 0x21, sizeof(h), 0, 5, 0 };

	/* handed to the next handler: it answers 0x21 with nothing, refuses the rest */
	assert_int_equal(request(w, &h, sizeof(h), in), 0);
	h.type = 0x77;
	assert_reply(in, request(w, &h, sizeof(h), in), RPLAT_ERROR, 5, RPLAT_E_TYPE);
	assert_int_equal(w->other_calls, 2);
	/* STREAM_ACK and STREAM_DATA are the probe's, not requests */
	h.type = RPLAT_STREAM_DATA;
	assert_reply(in, request(w, &h, sizeof(h), in), RPLAT_ERROR, 5, RPLAT_E_TYPE);
}

static void test_split_period(void **state)
{
	struct world *w = *state;
	uint8_t in[512];
	const struct rplat_stream_data *d = (const void *)in;
	uint64_t t = 0;
	int i, ends = 0;

	/* 10 us = 4000 ticks on a timer of at most 1000: four interrupts per message */
	assert_reply(in, start(w, 10, 0, 48, 1, in), RPLAT_STREAM_ACK, 1, 0);
	assert_int_equal(w->timer_ticks, 1000);
	for (i = 0; i < 40; i++) {
		t += 1000;
		w->now = t;
		ends += rp_stream_tick(&w->stream, t, 0);
	}
	assert_int_equal(ends, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(rplat_vdrv_recv(&w->drv, in, sizeof(in)), 48);
		assert_int_equal(d->hdr.seq, i);
		assert_int_equal(d->t_due, 4000u * (i + 1));
	}
	/* 1 ms on the same timer: 400 interrupts of 1000 ticks */
	assert_reply(in, stop(w, 2, in), RPLAT_STREAM_ACK, 2, 0);
	assert_reply(in, start(w, 1000, 0, 48, 3, in), RPLAT_STREAM_ACK, 3, 0);
	assert_int_equal(w->stream.sub_n, 400);
	assert_int_equal(w->timer_ticks, 1000);
}

static int setup_tiny_min(void **state)
{
	int rc = setup_with(state, 1000);

	((struct world *)*state)->stream.cfg.min_period_us = 1;
	return rc;
}

static void test_split_rounding(void **state)
{
	struct world *w = *state;
	uint8_t in[512];

	/* 7 us = 2800 ticks: three interrupts of 933 ticks (rounded down, within the timer's limit) */
	assert_reply(in, start(w, 7, 0, 48, 1, in), RPLAT_STREAM_ACK, 1, 0);
	assert_int_equal(w->stream.sub_n, 3);
	assert_int_equal(w->timer_ticks, 933);
	assert_int_equal(w->stream.period, 2799);
}

static void test_missed_expiries(void **state)
{
	struct world *w = *state;
	uint8_t in[512];
	const struct rplat_stream_data *d = (const void *)in;
	uint64_t t = 1000;
	/* the timer's expiries as the ISR saw them: on time, then after 3 missed ones, jitter, 1 missed */
	const uint64_t step[] = { 0, 400000, 1600000, 399000, 401500, 800000 };

	assert_reply(in, start(w, 1000, 0, 48, 1, in), RPLAT_STREAM_ACK, 1, 0);
	for (unsigned i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
		t += step[i];
		w->now = t + 50;
		assert_int_equal(rp_stream_tick(&w->stream, t + 50, 50), 1);
		assert_int_equal(rplat_vdrv_recv(&w->drv, in, sizeof(in)), 48);
		/* seq counts messages; the missed expiries show in t_due alone */
		assert_int_equal(d->hdr.seq, i);
		assert_int_equal(d->t_due, t);
		assert_int_equal(d->t_isr, t + 50);
	}
	assert_int_equal(w->stream.overruns, 0);
}

static void test_overruns(void **state)
{
	struct world *w = *state;
	uint8_t in[512];
	const struct rplat_stream_data *d = (const void *)in;
	uint64_t t = 0;
	uint32_t i, got = 0, last_seq = 0;

	/* the host reads nothing: its 256 RX buffers fill, then periods overrun */
	assert_reply(in, start(w, 1000, 300, 200, 1, in), RPLAT_STREAM_ACK, 1, 0);
	for (i = 0; i < 300; i++) {
		t += 400000;
		w->now = t;
		assert_int_equal(rp_stream_tick(&w->stream, t, 0), 1);
	}
	assert_int_equal(w->stream.sent, 256);
	assert_int_equal(w->stream.overruns, 44);
	assert_int_equal(w->probe.cnt.tx_no_buf, 44);
	assert_true(w->stream.running); /* 300 messages to send, 256 sent so far */
	while (rplat_vdrv_recv(&w->drv, in, sizeof(in)) > 0) {
		assert_int_equal(d->hdr.seq, got);
		last_seq = d->hdr.seq;
		got++;
	}
	assert_int_equal(got, 256);
	assert_int_equal(last_seq, 255);
	/* the host caught up: the stream goes on with the next seq and reports the overruns so far */
	for (i = 0; i < 44; i++) {
		t += 400000;
		w->now = t;
		rp_stream_tick(&w->stream, t, 0);
		assert_int_equal(rplat_vdrv_recv(&w->drv, in, sizeof(in)), 200);
		assert_int_equal(d->hdr.seq, 256 + i);
		assert_int_equal(d->overruns, 44);
	}
	/* 300 sent: done */
	assert_false(w->stream.running);
	assert_int_equal(w->timer_stops, 1);
	assert_int_equal(rp_stream_tick(&w->stream, t + 400000, 0), 0);
}

static void test_tick_arithmetic(void **state)
{
	struct world *w = *state;
	uint8_t in[512];

	/* the longest period at a fast counter: 2^32-1 us at 400 MHz = 1.7e12 ticks, split without overflow */
	assert_reply(in, start(w, 0xFFFFFFFFu, 0, 48, 1, in), RPLAT_STREAM_ACK, 1, 0);
	assert_true(w->timer_ticks <= TIMER_MAX);
	assert_true(w->stream.period <= 0xFFFFFFFFull * 400);
	assert_true(w->stream.period > 0xFFFFFFFFull * 400 - w->stream.sub_n);
	assert_reply(in, stop(w, 2, in), RPLAT_STREAM_ACK, 2, 0);
	/* a counter too slow for the period: 1 Hz cannot count 10 us */
	w->stream.cfg.counter_hz = 1;
	assert_reply(in, start(w, 10, 0, 48, 3, in), RPLAT_ERROR, 3, RPLAT_E_PARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_data_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_period, setup_small_timer, teardown),
		cmocka_unit_test_setup_teardown(test_split_rounding, setup_tiny_min, teardown),
		cmocka_unit_test_setup_teardown(test_missed_expiries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overruns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_arithmetic, setup, teardown),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
