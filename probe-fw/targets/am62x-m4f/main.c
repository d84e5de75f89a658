/* rplat probe for the AM62x Cortex-M4F.
 *
 * All probe work runs at one interrupt priority, so the core never sees two contexts at once:
 *   mailbox IRQ 50  stamp t_kick, drain the FIFO (ECHO_REQUEST included), attach if needed, serve
 *   SysTick         feed the 64-bit counter extension, retry the attach, tick the stream
 * main() sets up and sleeps. The SysTick runs all the time: every 2^24 cycles (42 ms) when idle, every
 * period (or a fraction of it) while a stream runs. */
#include <stdint.h>

#include "cm_service.h"
#include "cm_startup.h"
#include "m4f_hal.h"
#include "rp_coherency.h"
#include "rp_probe.h"
#include "rp_stream.h"
#include "tlog.h"

#define FW_VERSION 0x000100u /* 0.1.0 */
#define IRQ_PRIO 0x80u
#define TRACE_LEN 4096u
#define STREAM_MIN_PERIOD_US 10u
/* The DMA pool Linux allocates vrings and buffers from (k3-am62x-sk-common.dtsi m4f-dma-memory); DDR
 * passes the RAT untranslated, so device and local addresses agree. */
#define SHM_DA 0x9CB00000u
#define SHM_SIZE 0x00100000u

char rplat_trace_buf[TRACE_LEN] __attribute__((aligned(8)));

volatile struct rplat_rsc_table rplat_rsc __attribute__((section(".resource_table"), used, aligned(4096))) =
	RPLAT_RSC_TABLE_INIT(rplat_trace_buf, TRACE_LEN, "trace:m4fss0_0");

static struct m4f hw;
static struct rp_probe probe;
static struct rp_stream stream;
static struct rp_coh coh; /* COH_* (rplat check coherency), after STREAM_* */
static struct tlog tlog;
static struct cm_service svc = { &probe, &rplat_rsc, &tlog, "the DMA pool", 0, 0 };

static const struct rp_hal hal = { .counter = m4f_counter, .kick = m4f_kick, .ctx = &hw };
static const struct rp_shm shm = { .va = (uint8_t *)SHM_DA, .da = SHM_DA, .size = SHM_SIZE };

static void timer_start(void *ctx, uint32_t ticks)
{
	m4f_systick_start(ctx, ticks);
}

static void timer_idle(void *ctx)
{
	m4f_systick_start(ctx, M4F_SYSTICK_MAX);
}


void m4f_mbox_isr(void)
{
	rp_probe_kick_isr(&probe);
	probe.cnt.echo_req += m4f_mbox_drain(hw.r, 0);
	cm_service(&svc);
}

void m4f_systick_isr(void)
{
	uint32_t late = m4f_systick_late(hw.r);
	uint64_t t = m4f_counter(&hw); /* also keeps the 64-bit extension fed */

	if (!svc.attached)
		cm_service(&svc);
	rp_stream_tick(&stream, t, late);
}

void fw_fault(uint32_t exc)
{
	tlog_puts(&tlog, "fatal: exception ");
	tlog_dec(&tlog, exc);
	tlog_puts(&tlog, "\n");
	m4f_kick(&hw, RP_MBOX_CRASH); /* remoteproc reports the crash and may recover the core */
	__asm__ volatile("cpsid i");
	for (;;)
		cm_wfi();
}

int main(void)
{
	const struct m4f_regs *r = &m4f_regs_hw;
	struct rp_probe_cfg cfg = {
		.target = "am62x-m4f",
		.fw_version = FW_VERSION,
		.counter_hz = M4F_CORE_HZ,
		.build_id = cm_build_id(),
		.features = RPLAT_FEAT_STREAM | RPLAT_FEAT_COHERENCY,
		.ext = rp_stream_ext,
		.ext_ctx = &stream,
	};
	struct rp_stream_cfg scfg = {
		.timer = { .start = timer_start, .stop = timer_idle, .max_ticks = M4F_SYSTICK_MAX,
			   .ctx = (void *)r },
		.counter_hz = M4F_CORE_HZ,
		.min_period_us = STREAM_MIN_PERIOD_US,
		.next = rp_coh_ext,
		.next_ctx = &coh,
	};

	tlog_init(&tlog, rplat_trace_buf, TRACE_LEN);
	tlog_puts(&tlog, "rplat probe am62x-m4f 0.1.0\n");
	if (m4f_rat_map(r, 0, M4F_RAT_LOCAL, M4F_RAT_SYSTEM, M4F_RAT_LOG2))
		tlog_puts(&tlog, "error: RAT mapping refused\n");
	if (m4f_counter_init(&hw, r)) {
		tlog_puts(&tlog, "error: no DWT cycle counter (NOCYCCNT): stamps read 0, counter_hz 0\n");
		cfg.counter_hz = 0;
	}
	rp_probe_init(&probe, &hal, &cfg, &shm);
	rp_coh_init(&coh, 0);
	rp_stream_init(&stream, &probe, &scfg);
	m4f_mbox_init(r);
	m4f_systick_start(r, M4F_SYSTICK_MAX);
	m4f_irq_enable(r, -1, IRQ_PRIO);
	m4f_irq_enable(r, M4F_MBOX_IRQ, IRQ_PRIO);
	tlog_puts(&tlog, "waiting for DRIVER_OK\n");
	cm_irq_enable();
	for (;;)
		cm_wfi();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
/* 16 system exceptions + 112 interrupts = 0x200 bytes, as the MCU+ SDK reserves. */
__attribute__((section(".vectors"), used)) const cm_vector rplat_vectors[128] = {
	[0] = (cm_vector)(uintptr_t)__stack_top,
	[1] = cm_reset,
	[2 ... 127] = cm_fault,
	[15] = m4f_systick_isr,
	[16 + M4F_MBOX_IRQ] = m4f_mbox_isr,
};
#pragma GCC diagnostic pop
