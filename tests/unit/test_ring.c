/* The observation ring: the firmware hooks (probe-fw/hooks) writing, the host reader (host-tools/lib/ring.c)
 * draining, on the same memory, as in the sim; and the hostile cases: a full ring, a host that corrupts
 * the header or the indices, a torn record, a remote restart; and `check rsc`'s ring entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rplat/findings.h"
#include "rplat/hooks.h"
#include "rplat/ring.h"
#include "rplat/rsc.h"

#define NREC 16u
#define MEM (RPLAT_RING_HDR_SIZE + NREC * RPLAT_RING_REC_SIZE)

static uint64_t fake_now;
static union {
	uint8_t b[MEM + 64];
	uint64_t align;
} mem;

static uint64_t fake_counter(void *ctx)
{
	(void)ctx;
	return fake_now += 10;
}

static struct rplat_ring_hdr *hdr(void)
{
	return (struct rplat_ring_hdr *)(void *)mem.b;
}

static int setup(void **state)
{
	(void)state;
	memset(&mem, 0xA5, sizeof(mem));
	fake_now = 1000;
	assert_int_equal(rplat_hooks_init(mem.b, MEM, 25000000, 7, fake_counter, NULL), NREC);
	return 0;
}

static void test_layout(void **state)
{
	struct rplat_ring_info in;
	char err[256];

	(void)state;
	assert_int_equal(hdr()->magic, RPLAT_RING_MAGIC);
	assert_int_equal(rplat_ring_validate(mem.b, MEM, &in, err, sizeof(err)), 0);
	assert_int_equal(in.nrec, NREC);
	assert_int_equal(in.counter_hz, 25000000);
	assert_int_equal(in.boot_id, 7);
	assert_int_equal(in.head, 0);
	/* a bigger region still gets a power of two */
	assert_int_equal(rplat_hooks_init(mem.b, MEM + 40, 1, 1, fake_counter, NULL), NREC);
	/* too small or misaligned: the hooks stay off and write nothing */
	assert_int_equal(rplat_hooks_init(mem.b, RPLAT_RING_HDR_SIZE + 15 * RPLAT_RING_REC_SIZE, 1, 1, fake_counter,
					  NULL), 0);
	assert_int_equal(rplat_hooks_init(mem.b + 4, MEM, 1, 1, fake_counter, NULL), 0);
	memset(&mem, 0xA5, sizeof(mem));
	rplat_hook_isr();
	rplat_mark(1, 2);
	for (size_t i = 0; i < sizeof(mem.b); i++)
		assert_int_equal(mem.b[i], 0xA5);
}

static void test_records(void **state)
{
	struct rplat_ring_reader r;
	struct rplat_ring_rec out[NREC];
	uint8_t msg[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	char err[256];
	size_t n;

	(void)state;
	rplat_hook_isr();
	rplat_hook_rx(1024, 14, msg, sizeof(msg));
	rplat_hook_send(14, 1024, msg, 5);
	rplat_mark(42, 0xdeadbeef);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].event, RPLAT_EV_ISR);
	assert_int_equal(out[0].t, 1010);
	assert_int_equal(out[1].event, RPLAT_EV_RX);
	assert_int_equal(out[1].src, 1024);
	assert_int_equal(out[1].dst, 14);
	assert_int_equal(out[1].len, 12);
	assert_int_equal(out[1].digest, rplat_ring_digest(msg, 12));
	assert_int_equal(out[1].t, 1020);
	assert_int_equal(out[2].event, RPLAT_EV_SEND);
	assert_int_equal(out[2].len, 5);
	assert_int_equal(out[2].digest, rplat_ring_digest(msg, 5));
	assert_int_equal(out[3].event, RPLAT_EV_MARK);
	assert_int_equal(out[3].len, 42);
	assert_int_equal(out[3].digest, 0xdeadbeef);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(out[i].seq, i);
	assert_int_equal(hdr()->tail, 4);
	/* nothing more */
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 0);
	assert_int_equal(rplat_ring_drops(&r), 0);
}

static void test_digest(void **state)
{
	uint8_t a[8] = { 1, 0, 0, 0, 0, 0, 0, 0 }, b[8] = { 2, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t m[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint32_t len, i, bit;

	(void)state;
	assert_int_not_equal(rplat_ring_digest(a, 8), rplat_ring_digest(b, 8));
	assert_int_equal(rplat_ring_digest(NULL, 0), 0);
	/* the definition: words of the first bytes, lo ^ (hi ror 13) */
	assert_int_equal(rplat_ring_digest(m, 8), 0x44332211u ^ (0x88776655u >> 13 | 0x88776655u << 19));
	assert_int_equal(rplat_ring_digest(m, 6), 0x44332211u ^ (0x66554433u >> 13 | 0x66554433u << 19));
	assert_int_equal(rplat_ring_digest(m, 3), 0x2211u ^ (0x33u >> 13 | 0x33u << 19));
	assert_int_equal(rplat_ring_digest(m, 1), 0x1111u ^ (0x11u >> 13 | 0x11u << 19));
	/* bytes past 8 do not count */
	{
		uint8_t c[16] = { 1 }, d[16] = { 1 };

		d[12] = 9;
		assert_int_equal(rplat_ring_digest(c, 16), rplat_ring_digest(d, 16));
	}
	/* any one flipped bit of the first min(len, 8) bytes changes it, at every length */
	for (len = 1; len <= 12; len++)
		for (i = 0; i < (len < 8 ? len : 8); i++)
			for (bit = 0; bit < 8; bit++) {
				uint8_t x[12] = { 0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, y[12];

				memcpy(y, x, sizeof(x));
				y[i] ^= (uint8_t)(1u << bit);
				if (rplat_ring_digest(x, len) == rplat_ring_digest(y, len))
					fail_msg("len %u: byte %u bit %u does not count", len, i, bit);
			}
	/* neighbouring messages with a sequence number (16 or 32 bits, at offset 0, 2 or 4, also repeated
	 * in the second word) are told apart */
	for (i = 0; i < 6; i++) {
		uint32_t prev = 0, seq;

		for (seq = 0; seq < 4096; seq++) {
			uint8_t x[16] = { 0 };
			uint32_t v = seq * 0x10001u, dg;

			memcpy(x + (i % 3) * 2, &seq, i < 3 ? 2 : 4);
			if (i >= 3)
				memcpy(x + 4, &v, 4);
			dg = rplat_ring_digest(x, 16);
			if (seq && dg == prev)
				fail_msg("layout %u: seq %u and %u collide", i, seq - 1, seq);
			prev = dg;
		}
	}
}

/* The register-stamped clock (rplat_hooks_init_reg): a 24-bit down counter like SysTick, ticked by
 * rplat_hooks_tick(); the host decodes every record to the counter extended to 64 bits. */
static volatile uint32_t fake_reg;
static uint64_t truth; /* ticks since init */

#define BITS 24u
#define WRAP (1u << BITS)

static void advance(uint32_t ticks)
{
	truth += ticks;
	fake_reg = (uint32_t)(0xFFFFFFu - ((0xFFFFFFu - fake_reg + ticks) & 0xFFFFFFu)); /* counts down */
}

static void reg_setup(uint32_t start)
{
	memset(&mem, 0xA5, sizeof(mem));
	fake_reg = start;
	truth = 0xFFFFFFu - start; /* the hooks start at the register, counted up */
	assert_int_equal(rplat_hooks_init_reg(mem.b, MEM, 25000000, 3, &fake_reg, BITS, 1), NREC);
}

static void drain_expect(struct rplat_ring_reader *r, const uint64_t *want, size_t nwant)
{
	struct rplat_ring_rec out[NREC];
	char err[256];
	size_t n, i;

	assert_int_equal(rplat_ring_drain(r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		if (out[i].t != want[i])
			fail_msg("record %zu: t %llu, expected %llu (raw 0x%x)", i, (unsigned long long)out[i].t,
				 (unsigned long long)want[i], out[i].raw);
}

static void test_stamp_wrap(void **state)
{
	struct rplat_ring_reader r;
	uint64_t want[NREC];
	char err[256];
	unsigned i, k = 0;

	(void)state;
	reg_setup(100); /* 100 ticks before the first wrap */
	assert_int_equal(hdr()->counter_bits, BITS);
	assert_int_equal(hdr()->counter_down, 1);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	rplat_hook_isr();
	want[k++] = truth;
	/* the register wraps; no tick since (a SysTick wrap pending, the hook in a higher-priority ISR) */
	advance(150);
	rplat_hook_rx(1024, 14, "abcdefgh", 8);
	want[k++] = truth;
	advance(WRAP / 2 - 300); /* still less than half a wrap since the tick at init */
	rplat_mark(1, 1);
	want[k++] = truth;
	assert_int_equal(rplat_hooks_tick(), truth);
	advance(7);
	rplat_hook_send(14, 1024, "abcdefgh", 8);
	want[k++] = truth;
	drain_expect(&r, want, k);
	/* many wraps, ticked every 0.4 wrap, a record every 0.13 wrap: every stamp right and monotonic */
	for (i = 0; i < 200; i++) {
		advance(WRAP / 8 + 12345);
		if (i % 3 == 2)
			rplat_hooks_tick();
		rplat_mark(2, i);
		want[i % NREC] = truth;
		if (i % NREC == NREC - 1)
			drain_expect(&r, want, NREC);
	}
	drain_expect(&r, want, 200 % NREC);
	assert_true(truth > 20ull * WRAP);
}

/* A host that reads nothing for many wraps: drops only, the tick keeps the clock; once the host drains
 * again the stamps are right. */
static void test_stamp_full(void **state)
{
	struct rplat_ring_reader r;
	uint64_t want[NREC];
	char err[256];
	struct rplat_ring_rec out[NREC];
	size_t n;
	unsigned i;

	(void)state;
	reg_setup(0xFFFFFFu);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	for (i = 0; i < NREC; i++)
		rplat_mark(1, i);
	for (i = 0; i < 100; i++) {
		advance(WRAP / 4);
		rplat_hooks_tick();
		rplat_hook_isr(); /* dropped */
	}
	assert_int_equal(hdr()->drops, 100);
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, NREC);
	advance(3);
	rplat_hook_isr();
	want[0] = truth;
	drain_expect(&r, want, 1);
}

/* The decoding alone: the tick count t and the register value 'raw' of one record. */
static void test_stamp_decode(void **state)
{
	(void)state;
	/* up counter, 32 bits: raw past t's low word, across 2^32 */
	assert_int_equal(rplat_ring_stamp(0x1FFFFFFF0ull, 0x10, 32, 0), 0x200000010ull);
	/* a 64-bit counter's records (raw = low word of t) decode to t */
	assert_int_equal(rplat_ring_stamp(0x123456789abull, 0x456789abu, 32, 0), 0x123456789abull);
	/* 24-bit down counter: raw 0xFFFFFF - 5 is 5 ticks after a t ending in 0 */
	assert_int_equal(rplat_ring_stamp(3ull << 24, 0xFFFFFFu - 5u, 24, 1), (3ull << 24) + 5);
	/* past the wrap the tick has not seen yet */
	assert_int_equal(rplat_ring_stamp((3ull << 24) + 0xFFFFF0u, 0xFFFFFFu - 0x10u, 24, 1), (4ull << 24) + 0x10u);
	/* a tick that ran between the hook's reads: raw slightly before t */
	assert_int_equal(rplat_ring_stamp((3ull << 24) + 0x10u, 0xFFFFFFu - 0x8u, 24, 1), (3ull << 24) + 0x8u);
	assert_int_equal(rplat_ring_stamp(1000, 990, 16, 0), 990);
	/* bits above the counter's width (an inverted 24-bit register) do not count */
	assert_int_equal(rplat_ring_stamp(7, 0xAB000009u, 24, 0), 9);
}

/* A host that reads nothing: the producer fills the ring, then counts drops; nothing is overwritten. */
static void test_full_drops(void **state)
{
	struct rplat_ring_reader r;
	struct rplat_ring_rec out[NREC];
	char err[256];
	size_t n;
	unsigned i;

	(void)state;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	for (i = 0; i < NREC + 5; i++)
		rplat_mark(1, i);
	assert_int_equal(hdr()->head, NREC);
	assert_int_equal(hdr()->drops, 5);
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, NREC);
	for (i = 0; i < NREC; i++)
		assert_int_equal(out[i].digest, i); /* the first NREC survive, in order */
	assert_int_equal(rplat_ring_drops(&r), 5);
	/* room again */
	rplat_mark(1, 100);
	assert_int_equal(rplat_ring_drain(&r, out, 3, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].digest, 100);
	/* a partial drain leaves the rest */
	for (i = 0; i < 6; i++)
		rplat_mark(2, i);
	assert_int_equal(rplat_ring_drain(&r, out, 4, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 4);
	assert_int_equal(rplat_ring_drain(&r, out, 4, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].digest, 5);
}

/* The head index wraps at 2^32 without losing a record. */
static void test_wrap(void **state)
{
	struct rplat_ring_reader r;
	struct rplat_ring_rec out[NREC];
	char err[256];
	size_t n;
	unsigned i;

	(void)state;
	rplat_hooks_g.head = 0xFFFFFFF0u;
	hdr()->head = hdr()->tail = 0xFFFFFFF0u;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		unsigned k;

		for (k = 0; k < 10; k++)
			rplat_mark(3, i * 10 + k);
		assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
		assert_int_equal(n, 10);
		for (k = 0; k < 10; k++)
			assert_int_equal(out[k].digest, i * 10 + k);
	}
	assert_int_equal(hdr()->head, 0xFFFFFFF0u + 30);
}

static void expect_corrupt(struct rplat_ring_reader *r, const char *needle)
{
	struct rplat_ring_rec out[NREC];
	char err[256] = "";
	size_t n = 99;

	assert_int_equal(rplat_ring_drain(r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_CORRUPT);
	assert_int_equal(n, 0);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	/* refused for good */
	assert_int_equal(rplat_ring_drain(r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_CORRUPT);
}

/* The host corrupts the header: the producer keeps going (it never reads those fields); the reader
 * refuses the ring naming the field. */
static void test_corrupt_header(void **state)
{
	struct rplat_ring_reader r;
	char err[256];

	(void)state;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	rplat_mark(1, 1);
	hdr()->magic = 0x12345678;
	hdr()->nrec = 1u << 30;
	rplat_mark(1, 2); /* still writes inside its own ring */
	assert_int_equal(rplat_hooks_g.head, 2);
	expect_corrupt(&r, "magic 0x12345678");

	setup(NULL);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	hdr()->nrec = 1000;
	expect_corrupt(&r, "nrec 1000");

	setup(NULL);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	hdr()->version = 9;
	expect_corrupt(&r, "version 9");
}

/* A tail written past head (by a second consumer or a stray write): the producer sees the ring as
 * full and only counts drops; the reader refuses. */
static void test_corrupt_tail(void **state)
{
	struct rplat_ring_reader r;
	char err[256];
	uint8_t before[MEM];

	(void)state;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	hdr()->tail = 1000;
	memcpy(before, mem.b, MEM);
	rplat_hook_isr();
	rplat_mark(5, 5);
	assert_int_equal(hdr()->drops, 2);
	assert_memory_equal(mem.b + RPLAT_RING_HDR_SIZE, before + RPLAT_RING_HDR_SIZE, MEM - RPLAT_RING_HDR_SIZE);
	expect_corrupt(&r, "tail 1000");
}

/* head published past what was written, or a slot not written by this index: refused by seq. */
static void test_torn_record(void **state)
{
	struct rplat_ring_reader r;
	char err[256];

	(void)state;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	rplat_mark(1, 1);
	hdr()->head = 2; /* slot 1 was never written */
	expect_corrupt(&r, "ring record 1 (slot 1): seq");

	setup(NULL);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	rplat_mark(1, 1);
	((struct rplat_ring_rec *)(void *)(mem.b + RPLAT_RING_HDR_SIZE))[0].event = 77;
	expect_corrupt(&r, "unknown event 77");

	setup(NULL);
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	hdr()->head = 100;
	expect_corrupt(&r, "head 100");
}

/* The remote restarts mid-observation: a new boot_id; the reader says so, re-attaches, and reads the
 * new boot's records only; drops of both boots add up. */
static void test_restart(void **state)
{
	struct rplat_ring_reader r;
	struct rplat_ring_rec out[NREC];
	char err[256];
	size_t n;
	unsigned i;

	(void)state;
	assert_int_equal(rplat_ring_attach(&r, mem.b, MEM, err, sizeof(err)), 0);
	for (i = 0; i < NREC + 2; i++)
		rplat_mark(1, i); /* 2 drops */
	assert_int_equal(rplat_ring_drain(&r, out, 4, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(rplat_ring_drops(&r), 2);
	rplat_mark(1, 99); /* written after our last drain: lost with the old boot, and not counted */
	assert_int_equal(rplat_hooks_init(mem.b, MEM, 25000000, 8, fake_counter, NULL), NREC);
	rplat_mark(9, 9);
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_RESTARTED);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "restarted"));
	assert_int_equal(r.restarts, 1);
	assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].len, 9);
	assert_int_equal(rplat_ring_drops(&r), 2);
	/* magic 0 for good (not a re-initialisation in progress) is refused after a while */
	hdr()->magic = 0;
	for (i = 0; i < RPLAT_RING_REINIT_DRAINS; i++)
		assert_int_equal(rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)), RPLAT_RING_OK);
	expect_corrupt(&r, "magic 0x00000000");
}

static void test_validate_fields(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(rplat_ring_validate(mem.b, 64, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "header alone"));
	assert_int_equal(rplat_ring_validate(mem.b, MEM - 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "carveout has"));
	hdr()->counter_hz = 0;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "counter_hz 0"));
	setup(NULL);
	hdr()->rec_size = 16;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "rec_size 16"));
	setup(NULL);
	hdr()->flags = 1;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "flags"));
	setup(NULL);
	hdr()->counter_bits = 0;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "counter_bits 0"));
	setup(NULL);
	hdr()->counter_bits = 33;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	setup(NULL);
	hdr()->counter_down = 2;
	assert_int_equal(rplat_ring_validate(mem.b, MEM, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "counter_down 2"));
}

/* check rsc: the rplat-ring carveout is recognised and its size and alignment checked. */
static void carveout(uint8_t *t, uint32_t off, uint32_t da, uint32_t len, const char *name)
{
	struct fw_rsc_hdr h = { RSC_CARVEOUT };
	struct fw_rsc_carveout c;

	memset(&c, 0, sizeof(c));
	c.da = da;
	c.pa = da;
	c.len = len;
	memcpy(c.name, name, strlen(name));
	memcpy(t + off, &h, sizeof(h));
	memcpy(t + off + 4, &c, sizeof(c));
}

static void check_table(uint32_t da, uint32_t len, int twice, struct rplat_findings *fs)
{
	uint8_t t[16 + 8 + 2 * 56];
	struct resource_table base = { 1, twice ? 2u : 1u, { 0, 0 } };
	uint32_t off[2] = { 24, 24 + 56 };
	struct rplat_rsc rsc;

	memset(t, 0, sizeof(t));
	memcpy(t, &base, sizeof(base));
	memcpy(t + 16, off, sizeof(off));
	carveout(t, 24, da, len, RPLAT_RING_RSC_NAME);
	carveout(t, 80, da + len, len, RPLAT_RING_RSC_NAME);
	assert_int_equal(rplat_rsc_parse(&rsc, t, twice ? sizeof(t) : 24 + 56), 0);
	rplat_findings_init(fs);
	rplat_ring_check_rsc(&rsc, "fw.elf", fs);
	rplat_rsc_release(&rsc);
}

static void test_check_rsc(void **state)
{
	struct rplat_findings fs;

	(void)state;
	check_table(0x21002000, 4096, 0, &fs);
	assert_int_equal(rplat_findings_count_rule(&fs, "rsc.ring"), 1);
	assert_int_equal(rplat_findings_worst(&fs), RPLAT_SEV_INFO);
	rplat_findings_free(&fs);
	check_table(0x21002000, 600, 0, &fs);
	assert_int_equal(rplat_findings_count_rule(&fs, "rsc.ring.len"), 1);
	assert_int_equal(rplat_findings_worst(&fs), RPLAT_SEV_ERROR);
	rplat_findings_free(&fs);
	check_table(0x21002004, 4096, 0, &fs);
	assert_int_equal(rplat_findings_count_rule(&fs, "rsc.ring.align"), 1);
	rplat_findings_free(&fs);
	check_table(FW_RSC_ADDR_ANY, 4096, 0, &fs);
	assert_int_equal(rplat_findings_count_rule(&fs, "rsc.ring.da_any"), 1);
	rplat_findings_free(&fs);
	check_table(0x21002000, 4096, 1, &fs);
	assert_int_equal(rplat_findings_count_rule(&fs, "rsc.ring.duplicate"), 1);
	rplat_findings_free(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_layout, setup),
		cmocka_unit_test_setup(test_records, setup),
		cmocka_unit_test_setup(test_digest, setup),
		cmocka_unit_test(test_stamp_wrap),
		cmocka_unit_test(test_stamp_full),
		cmocka_unit_test(test_stamp_decode),
		cmocka_unit_test_setup(test_full_drops, setup),
		cmocka_unit_test_setup(test_wrap, setup),
		cmocka_unit_test_setup(test_corrupt_header, setup),
		cmocka_unit_test_setup(test_corrupt_tail, setup),
		cmocka_unit_test_setup(test_torn_record, setup),
		cmocka_unit_test_setup(test_restart, setup),
		cmocka_unit_test_setup(test_validate_fields, setup),
		cmocka_unit_test_setup(test_check_rsc, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
