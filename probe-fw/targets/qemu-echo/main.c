/* The example echo firmware on QEMU mps2-an386: a user's application as it would be written, an echo
 * service on RPMsg port 14 (targets/host/echo_svc.c), with the rplat hooks dropped in: rplat_hook_isr()
 * first in the doorbell ISR, rplat_hook_rx() / rplat_hook_send() in the service. The hooks' ring is a
 * static buffer in the shared PSRAM, declared in the resource table as the "rplat-ring" carveout.
 *
 *   UART0 RX (IRQ 0)  the host's doorbell: ISR hook, drain, attach if needed, serve
 *   TIMER0 (IRQ 8)    ticks the hooks' clock (rplat_hooks_tick(): SysTick extended to 64 bits, at
 *                     least every half wrap), marks its tick (rplat_mark), retries the attach
 * Both at one priority: the hooks have one producer context. The hooks read SysTick themselves
 * (rplat_hooks_init_reg()). */
#include <stdint.h>

#include "cm_startup.h"
#include "echo_svc.h"
#include "mps2_hal.h"
#include "rplat/hooks.h"

#define IRQ_PRIO 0x80u
#define TRACE_LEN 4096u
#define RING_NREC 4096u
#define RING_LEN (RPLAT_RING_HDR_SIZE + RING_NREC * RPLAT_RING_REC_SIZE)
#define PSRAM_BASE 0x21000000u
#define PSRAM_SIZE 0x01000000u
/* make -C probe-fw TARGET=qemu-echo ECHO_STREAM_HZ=N: also a sampler, one rplat_mark(2, n) per period of
 * TIMER0 at N Hz (the shared-ring side of tests/bench/bench_stream.sh). 0: no sampling. */
#ifndef ECHO_STREAM_HZ
#define ECHO_STREAM_HZ 0
#endif
#define ECHO_MARK_SAMPLE 2u

char echo_trace_buf[TRACE_LEN] __attribute__((section(".trace_buf"), aligned(8)));
uint8_t echo_ring[RING_LEN] __attribute__((section(".obs_ring"), aligned(64)));

volatile struct echo_rsc_table echo_rsc __attribute__((section(".resource_table"), used, aligned(4096))) =
	ECHO_RSC_TABLE_INIT(echo_trace_buf, TRACE_LEN, "trace:rplat-echo-qemu", (uint32_t)(uintptr_t)echo_ring,
			    RING_LEN);

static struct mps2 hw;
static struct echo_svc svc;
static uint32_t samples;
static const struct rp_shm shm = { .va = (uint8_t *)PSRAM_BASE, .da = PSRAM_BASE, .size = PSRAM_SIZE };

static void kick(void *ctx)
{
	mps2_kick(ctx, 0);
}

static void serve(void)
{
	if (svc.ready != 3 && echo_svc_attach(&svc, &echo_rsc) < 0)
		fw_fault(0xECu);
	echo_svc_poll(&svc);
}

void echo_uart0_rx_isr(void)
{
	rplat_hook_isr();
	mps2_uart_drain(hw.r);
	serve();
}

void echo_timer0_isr(void)
{
	mps2_timer_ack(hw.r);
	rplat_hooks_tick(); /* every quarter SysTick wrap at most (MPS2_TIMER_MAX) */
	if (ECHO_STREAM_HZ)
		rplat_mark(ECHO_MARK_SAMPLE, samples++);
	else
		rplat_mark(1, svc.echoed); /* "anywhere else": a housekeeping tick with the echo count */
	if (svc.ready != 3)
		serve();
}

void fw_fault(uint32_t exc)
{
	(void)exc;
	__asm__ volatile("cpsid i");
	for (;;)
		cm_wfi();
}

int main(void)
{
	const struct mps2_regs *r = &mps2_regs_hw;
	uint32_t i;

	for (i = 0; i < TRACE_LEN; i++)
		echo_trace_buf[i] = 0;
	mps2_uart_init(r);
	mps2_counter_init(&hw, r);
	/* QEMU's SysTick reads differ between runs, enough for a boot id */
	rplat_hooks_init_reg(echo_ring, RING_LEN, MPS2_CLOCK_HZ, (uint32_t)mps2_counter(&hw) ^ 0x5eed0000u,
			     mps2_counter_reg(r), MPS2_SYSTICK_BITS, 1);
	echo_svc_init(&svc, &shm, kick, &hw);
	mps2_timer_start(r, ECHO_STREAM_HZ ? MPS2_CLOCK_HZ / (ECHO_STREAM_HZ ? ECHO_STREAM_HZ : 1) : MPS2_TIMER_MAX);
	mps2_irq_enable(r, MPS2_TIMER0_IRQ, IRQ_PRIO);
	mps2_irq_enable(r, MPS2_UART0_RX_IRQ, IRQ_PRIO);
	cm_irq_enable();
	for (;;)
		cm_wfi();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__((section(".vectors"), used)) const cm_vector echo_vectors[48] = {
	[0] = (cm_vector)(uintptr_t)__stack_top,
	[1] = cm_reset,
	[2 ... 47] = cm_fault,
	[16 + MPS2_UART0_RX_IRQ] = echo_uart0_rx_isr,
	[16 + MPS2_TIMER0_IRQ] = echo_timer0_isr,
};
#pragma GCC diagnostic pop
