/* rplat probe for QEMU mps2-an386: the AM62x probe's structure with QEMU's devices.
 *
 * All probe work runs at one interrupt priority:
 *   UART0 RX (IRQ 0)  the host's doorbell: stamp t_kick, drain the bytes, attach if needed, serve
 *   TIMER0 (IRQ 8)    feed the SysTick extension, retry the attach, tick the stream
 * main() sets up and sleeps. The trace log is also copied to UART1 (a second -serial) when one is
 * connected. */
#include <stdint.h>

#include "cm_service.h"
#include "cm_startup.h"
#include "mps2_hal.h"
#include "rp_coherency.h"
#include "rp_probe.h"
#include "rp_stream.h"
#include "tlog.h"

#define FW_VERSION 0x000100u /* 0.1.0 */
#define IRQ_PRIO 0x80u
#define TRACE_LEN 4096u
#define STREAM_MIN_PERIOD_US 100u
#define PSRAM_BASE 0x21000000u
/* the part of PSRAM the probe accepts vrings and buffers in (TARGET=qemu-vboard: the first MiB, below
 * its own image at 0x21100000) and the target name INFO reports */
#ifndef FW_DMA_SIZE
#define FW_DMA_SIZE 0x01000000u
#endif
#ifndef FW_TARGET
#define FW_TARGET "qemu-mps2-an386"
#endif

char rplat_trace_buf[TRACE_LEN] __attribute__((section(".trace_buf"), aligned(8)));

volatile struct rplat_rsc_table rplat_rsc __attribute__((section(".resource_table"), used, aligned(4096))) =
	RPLAT_RSC_TABLE_INIT(rplat_trace_buf, TRACE_LEN, "trace:rplat-qemu");

static struct mps2 hw;
static struct rp_probe probe;
static struct rp_stream stream;
static struct rp_coh coh; /* COH_* (rplat check coherency), after STREAM_* */
static struct tlog tlog;
static struct cm_service svc = { &probe, &rplat_rsc, &tlog, "PSRAM", 0, 0 };

static const struct rp_hal hal = { .counter = mps2_counter, .kick = mps2_kick, .ctx = &hw };
static const struct rp_shm shm = { .va = (uint8_t *)PSRAM_BASE, .da = PSRAM_BASE, .size = FW_DMA_SIZE };

static void timer_start(void *ctx, uint32_t ticks)
{
	mps2_timer_start(ctx, ticks);
}

static void timer_idle(void *ctx)
{
	mps2_timer_start(ctx, MPS2_TIMER_MAX);
}


void mps2_uart0_rx_isr(void)
{
	rp_probe_kick_isr(&probe);
	mps2_uart_drain(hw.r);
	cm_service(&svc);
}

void mps2_timer0_isr(void)
{
	uint32_t late = mps2_timer_ack(hw.r);
	uint64_t t = mps2_counter(&hw); /* also keeps the 64-bit extension fed */

	if (!svc.attached)
		cm_service(&svc);
	rp_stream_tick(&stream, t, late);
}

void fw_fault(uint32_t exc)
{
	tlog_puts(&tlog, "fatal: exception ");
	tlog_dec(&tlog, exc);
	tlog_puts(&tlog, "\n");
	__asm__ volatile("cpsid i");
	for (;;)
		cm_wfi();
}

int main(void)
{
	const struct mps2_regs *r = &mps2_regs_hw;
	const struct rp_probe_cfg cfg = {
		.target = FW_TARGET,
		.fw_version = FW_VERSION,
		.counter_hz = MPS2_CLOCK_HZ,
		.build_id = cm_build_id(),
		.features = RPLAT_FEAT_STREAM | RPLAT_FEAT_COHERENCY,
		.ext = rp_stream_ext,
		.ext_ctx = &stream,
	};
	const struct rp_stream_cfg scfg = {
		.timer = { .start = timer_start, .stop = timer_idle, .max_ticks = MPS2_TIMER_MAX,
			   .ctx = (void *)r },
		.counter_hz = MPS2_CLOCK_HZ,
		.min_period_us = STREAM_MIN_PERIOD_US,
		.next = rp_coh_ext,
		.next_ctx = &coh,
	};

	mps2_uart_init(r);
	tlog_init(&tlog, rplat_trace_buf, TRACE_LEN);
	tlog.tee = mps2_console_putc;
	tlog.tee_ctx = (void *)r;
	tlog_puts(&tlog, "rplat probe " FW_TARGET " 0.1.0\n");
	mps2_counter_init(&hw, r);
	rp_probe_init(&probe, &hal, &cfg, &shm);
	rp_coh_init(&coh, 0);
	rp_stream_init(&stream, &probe, &scfg);
	mps2_timer_start(r, MPS2_TIMER_MAX);
	mps2_irq_enable(r, MPS2_TIMER0_IRQ, IRQ_PRIO);
	mps2_irq_enable(r, MPS2_UART0_RX_IRQ, IRQ_PRIO);
	tlog_puts(&tlog, "waiting for DRIVER_OK\n");
	cm_irq_enable();
	for (;;)
		cm_wfi();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
/* 16 system exceptions + the 32 interrupts QEMU's mps2 NVIC has. */
__attribute__((section(".vectors"), used)) const cm_vector rplat_vectors[48] = {
	[0] = (cm_vector)(uintptr_t)__stack_top,
	[1] = cm_reset,
	[2 ... 47] = cm_fault,
	[16 + MPS2_UART0_RX_IRQ] = mps2_uart0_rx_isr,
	[16 + MPS2_TIMER0_IRQ] = mps2_timer0_isr,
};
#pragma GCC diagnostic pop
