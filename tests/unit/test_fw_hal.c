/* The firmware HALs (am62x-m4f, qemu-mps2-an386) and the trace log against a fake register file: the
 * HAL sources are compiled here for the host, with their register bases pointed at RAM arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../probe-fw/targets/am62x-m4f/m4f_hal.c"
#include "../../probe-fw/targets/am62x-m4f/tlog.c"
#include "../../probe-fw/targets/qemu-mps2-an386/mps2_hal.c"
#include "rplat/hooks.h"
#include "rplat/ring.h"

/* one page of registers per block; R(block, byte offset) */
struct fake {
	uint32_t rat[0x400], mbox[0x400], dwt[0x400], scs[0x400], uart[0x400], console[0x400], timer[0x400];
	struct m4f_regs m4f;
	struct mps2_regs mps2;
};
#define R(block, off) (f->block[(off) / 4u])

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->m4f = (struct m4f_regs){ f->rat, f->mbox, f->dwt, f->scs };
	f->mps2 = (struct mps2_regs){ f->uart, f->console, f->timer, f->scs };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- am62x-m4f ---- */

static void test_rat_map(void **state)
{
	struct fake *f = *state;

	/* the SDK's mapping: local 0xB0000000 -> system 0x20000000, 256 MiB, so the mailbox is at 0xB9000000 */
	assert_int_equal(m4f_rat_map(&f->m4f, 0, M4F_RAT_LOCAL, M4F_RAT_SYSTEM, M4F_RAT_LOG2), 0);
	assert_int_equal(R(rat, 0x20), 0x80000000u | 28u);
	assert_int_equal(R(rat, 0x24), 0xB0000000u);
	assert_int_equal(R(rat, 0x28), 0x20000000u);
	assert_int_equal(R(rat, 0x2C), 0);
	assert_int_equal(M4F_MBOX_LOCAL - M4F_RAT_LOCAL + M4F_RAT_SYSTEM, 0x29000000u);
	/* region 15 is the last one, at 0x20 + 0xF0 */
	assert_int_equal(m4f_rat_map(&f->m4f, 15, 0x60000000u, 0x70000000u, 16), 0);
	assert_int_equal(R(rat, 0x110), 0x80000010u);
	assert_int_equal(R(rat, 0x114), 0x60000000u);
	assert_int_equal(R(rat, 0x118), 0x70000000u);
	/* refused, and nothing written: region out of range, size too small/large, misaligned addresses */
	memset(f->rat, 0, sizeof(f->rat));
	assert_int_equal(m4f_rat_map(&f->m4f, 16, 0xB0000000u, 0x20000000u, 28), -1);
	assert_int_equal(m4f_rat_map(&f->m4f, 1, 0xB0000000u, 0x20000000u, 11), -1);
	assert_int_equal(m4f_rat_map(&f->m4f, 1, 0xB0000000u, 0x20000000u, 33), -1);
	assert_int_equal(m4f_rat_map(&f->m4f, 1, 0xB8000000u, 0x20000000u, 28), -1);
	assert_int_equal(m4f_rat_map(&f->m4f, 1, 0xB0000000u, 0x20001000u, 28), -1);
	for (size_t i = 0; i < 0x120 / 4; i++)
		assert_int_equal(f->rat[i], 0);
}

static void test_mbox_init_and_drain(void **state)
{
	struct fake *f = *state;
	uint32_t kicked = 0xdead;

	m4f_mbox_init(&f->m4f);
	/* user 2, NEWMSG(1) = 1 << 2: IRQENABLE_SET(2) at 0x128, IRQSTATUS_CLR(2) at 0x124 */
	assert_int_equal(R(mbox, 0x128), 0x4);
	assert_int_equal(R(mbox, 0x124), 0x4);

	/* nothing waiting: the interrupt is still cleared */
	R(mbox, 0x124) = 0;
	assert_int_equal(m4f_mbox_drain(&f->m4f, &kicked), 0);
	assert_int_equal(kicked, 0);
	assert_int_equal(R(mbox, 0x124), 0x4);

	/* Linux kicks vring 1: MSGSTATUS(1) at 0xC4, MESSAGE(1) at 0x44 */
	R(mbox, 0xC4) = 1;
	R(mbox, 0x44) = 1;
	assert_int_equal(m4f_mbox_drain(&f->m4f, &kicked), 0);
	assert_int_equal(kicked, 0x2);
	R(mbox, 0x44) = 0;
	assert_int_equal(m4f_mbox_drain(&f->m4f, NULL), 0);

	/* RP_MBOX_ECHO_REQUEST is drained and counted, one per message */
	R(mbox, 0xC4) = 3;
	R(mbox, 0x44) = RP_MBOX_ECHO_REQUEST;
	assert_int_equal(m4f_mbox_drain(&f->m4f, &kicked), 3);
	assert_int_equal(kicked, 0);
	/* other control values are read and ignored */
	R(mbox, 0xC4) = 1;
	R(mbox, 0x44) = RP_MBOX_CRASH;
	assert_int_equal(m4f_mbox_drain(&f->m4f, &kicked), 0);
	assert_int_equal(kicked, 0);
	/* a nonsense message count does not keep the ISR reading: at most 8 (the FIFO holds 4) */
	R(mbox, 0xC4) = 0xFFFFFFFFu;
	R(mbox, 0x44) = RP_MBOX_ECHO_REQUEST;
	assert_int_equal(m4f_mbox_drain(&f->m4f, &kicked), 8);
}

static void test_mbox_kick(void **state)
{
	struct fake *f = *state;
	struct m4f m = { .r = &f->m4f };

	/* FIFO 0 to Linux: MESSAGE(0) at 0x40, FIFOSTATUS(0) at 0x80 */
	R(mbox, 0x40) = 0x55;
	m4f_kick(&m, 0);
	assert_int_equal(R(mbox, 0x40), 0);
	m4f_kick(&m, 1);
	assert_int_equal(R(mbox, 0x40), 1);
	/* full: left out, Linux has kicks of its own to read first */
	R(mbox, 0x80) = 1;
	R(mbox, 0x40) = 0x55;
	m4f_kick(&m, 0);
	assert_int_equal(R(mbox, 0x40), 0x55);
	/* the receive side is untouched */
	assert_int_equal(R(mbox, 0x44), 0);
}

static void test_dwt_counter(void **state)
{
	struct fake *f = *state;
	struct m4f m;

	R(dwt, 0x4) = 1234; /* stale CYCCNT: init zeroes it */
	assert_int_equal(m4f_counter_init(&m, &f->m4f), 0);
	assert_int_equal(R(scs, 0xDFC), 1u << 24);     /* DEMCR.TRCENA */
	assert_int_equal(R(dwt, 0x0) & 1, 1);           /* CYCCNTENA */
	assert_int_equal(R(dwt, 0xFB0), 0xC5ACCE55u);   /* LAR unlocked */
	assert_int_equal(m4f_counter(&m), 0);

	R(dwt, 0x4) = 0x10;
	assert_int_equal(m4f_counter(&m), 0x10);
	R(dwt, 0x4) = 0xFFFFFFF0u;
	assert_int_equal(m4f_counter(&m), 0xFFFFFFF0u);
	R(dwt, 0x4) = 0x5; /* wrapped */
	assert_int_equal(m4f_counter(&m), 0x100000005ull);
	/* fed a few times per wrap, over many wraps (10.7 s each at 400 MHz): exact 64-bit count */
	uint64_t truth = 0x100000005ull;
	for (int i = 0; i < 100; i++) {
		truth += 0x5FFFFFFFu; /* a bit over a third of a wrap */
		R(dwt, 0x4) = (uint32_t)truth;
		assert_int_equal(m4f_counter(&m), truth);
	}
	assert_true(truth > (1ull << 35));
	/* unchanged reading: same value, never backwards */
	assert_int_equal(m4f_counter(&m), truth);
}

static void test_dwt_absent(void **state)
{
	struct fake *f = *state;
	struct m4f m;

	R(dwt, 0x0) = 1u << 25; /* NOCYCCNT */
	R(dwt, 0x4) = 777;
	assert_int_equal(m4f_counter_init(&m, &f->m4f), -1);
	assert_int_equal(R(dwt, 0x0) & 1, 0); /* not enabled */
	assert_int_equal(m4f_counter(&m), 0);
}

static void test_systick_and_nvic(void **state)
{
	struct fake *f = *state;

	m4f_systick_start(&f->m4f, 4000);
	assert_int_equal(R(scs, 0x10), 0x7); /* enable, interrupt, core clock */
	assert_int_equal(R(scs, 0x14), 3999);
	m4f_systick_start(&f->m4f, 0);
	assert_int_equal(R(scs, 0x14), 0);
	m4f_systick_start(&f->m4f, 0x7FFFFFFFu);
	assert_int_equal(R(scs, 0x14), 0xFFFFFF); /* 24 bits */

	/* lateness: counting down from RVR, due when it reached 0 */
	R(scs, 0x14) = 999;
	R(scs, 0x18) = 989;
	assert_int_equal(m4f_systick_late(&f->m4f), 11);
	R(scs, 0x18) = 999;
	assert_int_equal(m4f_systick_late(&f->m4f), 1);
	R(scs, 0x18) = 0;
	assert_int_equal(m4f_systick_late(&f->m4f), 0);

	/* IRQ 50 (the mailbox, exception 66): ISER1 bit 18, IPR byte 50 */
	m4f_irq_enable(&f->m4f, M4F_MBOX_IRQ, 0x80);
	assert_int_equal(R(scs, 0x104), 1u << 18);
	assert_int_equal(((uint8_t *)f->scs)[0x400 + 50], 0x80);
	assert_int_equal(R(scs, 0x100), 0);
	/* SysTick's priority is SHPR3[31:24]; the other bytes stay */
	R(scs, 0xD20) = 0x00123456;
	m4f_irq_enable(&f->m4f, -1, 0x80);
	assert_int_equal(R(scs, 0xD20), 0x80123456u);
}

/* ---- qemu-mps2-an386 ---- */

static void test_uart_doorbells(void **state)
{
	struct fake *f = *state;
	struct mps2 m = { .r = &f->mps2 };

	mps2_uart_init(&f->mps2);
	assert_int_equal(R(uart, 0x10), 16);  /* QEMU drops traffic below 16 */
	assert_int_equal(R(uart, 0x8), 0xB);  /* TX, RX, RX interrupt */
	assert_int_equal(R(console, 0x8), 0x1);

	/* doorbell in: the RX interrupt is cleared, waiting bytes read */
	assert_int_equal(mps2_uart_drain(&f->mps2), 0);
	assert_int_equal(R(uart, 0xC), 0x2);
	R(uart, 0x4) = 0x2; /* RX full, and it stays so in the fake: the loop is bounded */
	assert_int_equal(mps2_uart_drain(&f->mps2), 16);

	/* doorbell out: one byte, the vring index */
	R(uart, 0x4) = 0;
	R(uart, 0x0) = 0x55;
	mps2_kick(&m, 0);
	assert_int_equal(R(uart, 0x0), 0);
	R(uart, 0x4) = 0x1; /* TX full: left out */
	R(uart, 0x0) = 0x55;
	mps2_kick(&m, 0);
	assert_int_equal(R(uart, 0x0), 0x55);

	/* console: waits a bounded time for room, then gives up */
	mps2_console_putc(&f->mps2, 'x');
	assert_int_equal(R(console, 0x0), 'x');
	R(console, 0x4) = 0x1;
	mps2_console_putc(&f->mps2, 'y');
	assert_int_equal(R(console, 0x0), 'x');
}

static void test_systick_counter(void **state)
{
	struct fake *f = *state;
	struct mps2 m;
	uint64_t truth;

	uint64_t base;

	mps2_counter_init(&m, &f->mps2);
	assert_int_equal(R(scs, 0x10), 0x5); /* enabled, core clock, no interrupt */
	assert_int_equal(R(scs, 0x14), 0xFFFFFF);
	/* init cleared CVR (it reloads 0xFFFFFF on the next tick): from here the inverted count goes up */
	R(scs, 0x18) = 0xFFFFFF;
	base = mps2_counter(&m);
	R(scs, 0x18) = 0xFFFFFF - 100;
	assert_int_equal(mps2_counter(&m), base + 100);
	R(scs, 0x18) = 5; /* near the bottom */
	assert_int_equal(mps2_counter(&m), base + 0xFFFFFA);
	R(scs, 0x18) = 0xFFFFFF - 9; /* wrapped */
	assert_int_equal(mps2_counter(&m), base + 0x1000009);
	/* fed at the timer's pace (a quarter wrap), over many wraps */
	truth = 0x1000009;
	for (int i = 0; i < 200; i++) {
		truth += MPS2_TIMER_MAX;
		R(scs, 0x18) = 0xFFFFFF - (uint32_t)(truth & 0xFFFFFF);
		assert_int_equal(mps2_counter(&m), base + truth);
	}
}

/* The QEMU echo firmware's clock as it runs: the hooks reading SysTick through mps2_counter_reg(), the
 * timer ticking them every MPS2_TIMER_MAX, a record between ticks (past a wrap the tick has not seen
 * yet, at times), decoded by the host's reader to the 64-bit count. */
static void test_systick_hooks(void **state)
{
	struct fake *f = *state;
	static union {
		uint8_t b[RPLAT_RING_HDR_SIZE + 16 * RPLAT_RING_REC_SIZE];
		uint64_t align;
	} ring;
	struct rplat_ring_reader rd;
	struct rplat_ring_rec out[16];
	struct mps2 m;
	uint64_t truth = 0, want[4];
	char err[256];
	size_t n;
	int i, k, past_wrap = 0;

	mps2_counter_init(&m, &f->mps2);
	assert_ptr_equal(mps2_counter_reg(&f->mps2), &R(scs, 0x18));
	R(scs, 0x18) = 0xFFFFFF; /* the hooks start at the inverted value 0 */
	assert_int_equal(rplat_hooks_init_reg(ring.b, sizeof(ring.b), MPS2_CLOCK_HZ, 1, mps2_counter_reg(&f->mps2),
					      MPS2_SYSTICK_BITS, 1), 16);
	assert_int_equal(rplat_ring_attach(&rd, ring.b, sizeof(ring.b), err, sizeof(err)), 0);
	for (i = 0; i < 300; i++) {
		uint64_t tick = truth;

		for (k = 0; k < 4; k++) {
			truth += MPS2_TIMER_MAX / 4 + 977;
			past_wrap += (truth >> 24) != (tick >> 24);
			R(scs, 0x18) = 0xFFFFFF - (uint32_t)(truth & 0xFFFFFF);
			rplat_hook_rx(1024, 14, "12345678", 8);
			want[k] = truth;
		}
		assert_int_equal(rplat_ring_drain(&rd, out, 16, &n, err, sizeof(err)), RPLAT_RING_OK);
		assert_int_equal(n, 4);
		for (k = 0; k < 4; k++)
			assert_int_equal(out[k].t, want[k]);
		truth += 100;
		R(scs, 0x18) = 0xFFFFFF - (uint32_t)(truth & 0xFFFFFF);
		assert_int_equal(rplat_hooks_tick(), truth);
	}
	assert_true(past_wrap > 50);
	assert_true(truth > 60ull << 24);
}

static void test_cmsdk_timer(void **state)
{
	struct fake *f = *state;

	mps2_timer_start(&f->mps2, 25000);
	assert_int_equal(R(timer, 0x8), 24999);
	assert_int_equal(R(timer, 0x4), 24999);
	assert_int_equal(R(timer, 0x0), 0x9); /* enable, interrupt */
	mps2_timer_start(&f->mps2, 0xFFFFFFFFu);
	assert_int_equal(R(timer, 0x8), MPS2_TIMER_MAX - 1);

	R(timer, 0x8) = 24999;
	R(timer, 0x4) = 24990;
	R(timer, 0xC) = 0;
	assert_int_equal(mps2_timer_ack(&f->mps2), 10);
	assert_int_equal(R(timer, 0xC), 1); /* acknowledged */
	R(timer, 0x4) = 0;
	assert_int_equal(mps2_timer_ack(&f->mps2), 0);

	/* ISER is write-one-to-set: each enable writes its own bit */
	mps2_irq_enable(&f->mps2, MPS2_TIMER0_IRQ, 0x80);
	assert_int_equal(R(scs, 0x100), 1u << 8);
	mps2_irq_enable(&f->mps2, MPS2_UART0_RX_IRQ, 0x40);
	assert_int_equal(R(scs, 0x100), 1u);
	assert_int_equal(((uint8_t *)f->scs)[0x400 + 8], 0x80);
	assert_int_equal(((uint8_t *)f->scs)[0x400 + 0], 0x40);
}

/* ---- the trace log ---- */

static void tee(void *ctx, char c)
{
	char *s = ctx;

	s[strlen(s)] = c;
}

static void test_tlog(void **state)
{
	char buf[32], copy[256] = "";
	struct tlog t;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	tlog_init(&t, buf, sizeof(buf));
	assert_string_equal(buf, "");
	t.tee = tee;
	t.tee_ctx = copy;
	tlog_puts(&t, "boot ");
	tlog_hex(&t, 0xB9000000u);
	tlog_puts(&t, " ");
	tlog_dec(&t, 4294967295u);
	assert_string_equal(buf, "boot 0xb9000000 4294967295");
	assert_string_equal(copy, buf);
	/* full: starts again at the top, always NUL-terminated, the newest text first */
	tlog_puts(&t, "ABCDEFGHIJ");
	assert_int_equal(strnlen(buf, sizeof(buf)) < sizeof(buf), 1);
	assert_string_equal(buf, "FGHIJ");
	tlog_dec(&t, 0);
	assert_string_equal(buf, "FGHIJ0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rat_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbox_init_and_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbox_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dwt_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dwt_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systick_and_nvic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_doorbells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systick_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systick_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmsdk_timer, setup, teardown),
		cmocka_unit_test(test_tlog),
	};

	return cmocka_run_group_tests_name("fw_hal", tests, NULL, NULL);
}
