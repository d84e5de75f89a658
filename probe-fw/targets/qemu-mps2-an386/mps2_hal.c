/* QEMU mps2-an386 hardware layer. See mps2_hal.h. Register offsets are in bytes. */
#include "mps2_hal.h"

#define REG(base, off) ((base)[(off) / 4u])

#define UART_DATA 0x0u
#define UART_STATE 0x4u
#define UART_CTRL 0x8u
#define UART_INTCLEAR 0xCu
#define UART_BAUDDIV 0x10u
#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u
#define UART_CTRL_TX 0x1u
#define UART_CTRL_RX 0x2u
#define UART_CTRL_RXIRQ 0x8u
#define UART_INT_RX 0x2u
#define UART_BAUDDIV_MIN 16u
#define UART_DRAIN_MAX 16u
#define CONSOLE_SPIN 10000u

#define TIMER_CTRL 0x0u
#define TIMER_VALUE 0x4u
#define TIMER_RELOAD 0x8u
#define TIMER_INTCLEAR 0xCu
#define TIMER_CTRL_EN 0x1u
#define TIMER_CTRL_IRQ 0x8u

#define SCS_SYST_CSR 0x10u
#define SCS_SYST_RVR 0x14u
#define SCS_SYST_CVR 0x18u
#define SCS_NVIC_ISER 0x100u
#define SCS_NVIC_IPR 0x400u
#define SYST_ENABLE_CORECLK 0x5u
#define SYST_MAX 0xFFFFFFu

const struct mps2_regs mps2_regs_hw = {
	.uart = (volatile uint32_t *)0x40004000u,
	.console = (volatile uint32_t *)0x40005000u,
	.timer = (volatile uint32_t *)0x40000000u,
	.scs = (volatile uint32_t *)0xE000E000u,
};

void mps2_uart_init(const struct mps2_regs *r)
{
	REG(r->uart, UART_BAUDDIV) = UART_BAUDDIV_MIN;
	REG(r->uart, UART_CTRL) = UART_CTRL_TX | UART_CTRL_RX | UART_CTRL_RXIRQ;
	REG(r->console, UART_BAUDDIV) = UART_BAUDDIV_MIN;
	REG(r->console, UART_CTRL) = UART_CTRL_TX;
}

uint32_t mps2_uart_drain(const struct mps2_regs *r)
{
	uint32_t n = 0;

	/* Clear first: a byte that lands after the clear raises the interrupt again. */
	REG(r->uart, UART_INTCLEAR) = UART_INT_RX;
	while (n < UART_DRAIN_MAX && (REG(r->uart, UART_STATE) & UART_STATE_RXFULL)) {
		(void)REG(r->uart, UART_DATA);
		n++;
	}
	return n;
}

void mps2_kick(void *ctx, uint32_t vq)
{
	const struct mps2_regs *r = ((struct mps2 *)ctx)->r;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(REG(r->uart, UART_STATE) & UART_STATE_TXFULL))
		REG(r->uart, UART_DATA) = vq & 0xFFu;
}

void mps2_console_putc(void *ctx, char c)
{
	const struct mps2_regs *r = ctx;
	uint32_t spin = CONSOLE_SPIN;

	while ((REG(r->console, UART_STATE) & UART_STATE_TXFULL) && --spin)
		;
	if (spin)
		REG(r->console, UART_DATA) = (uint8_t)c;
}

void mps2_counter_init(struct mps2 *m, const struct mps2_regs *r)
{
	m->r = r;
	REG(r->scs, SCS_SYST_CSR) = 0;
	REG(r->scs, SCS_SYST_RVR) = SYST_MAX;
	REG(r->scs, SCS_SYST_CVR) = 0;
	REG(r->scs, SCS_SYST_CSR) = SYST_ENABLE_CORECLK;
	rp_ctr_ext_init(&m->ext, MPS2_SYSTICK_BITS, SYST_MAX - (REG(r->scs, SCS_SYST_CVR) & SYST_MAX));
}

const volatile uint32_t *mps2_counter_reg(const struct mps2_regs *r)
{
	return &REG(r->scs, SCS_SYST_CVR);
}

uint64_t mps2_counter(void *ctx)
{
	struct mps2 *m = ctx;

	return rp_ctr_ext_update(&m->ext, SYST_MAX - (REG(m->r->scs, SCS_SYST_CVR) & SYST_MAX));
}

void mps2_timer_start(const struct mps2_regs *r, uint32_t ticks)
{
	if (ticks == 0)
		ticks = 1;
	if (ticks > MPS2_TIMER_MAX)
		ticks = MPS2_TIMER_MAX;
	REG(r->timer, TIMER_CTRL) = 0;
	REG(r->timer, TIMER_INTCLEAR) = 1;
	REG(r->timer, TIMER_RELOAD) = ticks - 1u;
	REG(r->timer, TIMER_VALUE) = ticks - 1u;
	REG(r->timer, TIMER_CTRL) = TIMER_CTRL_EN | TIMER_CTRL_IRQ;
}

uint32_t mps2_timer_ack(const struct mps2_regs *r)
{
	uint32_t reload = REG(r->timer, TIMER_RELOAD);
	uint32_t value = REG(r->timer, TIMER_VALUE);

	REG(r->timer, TIMER_INTCLEAR) = 1;
	/* Expired on reaching 0, then reloaded: ticks since = reload - value + 1 (0 while it reads 0). */
	return value == 0 || value > reload ? 0 : reload - value + 1u;
}

void mps2_irq_enable(const struct mps2_regs *r, int irq, uint8_t prio)
{
	volatile uint8_t *ipr = (volatile uint8_t *)&REG(r->scs, SCS_NVIC_IPR);

	ipr[irq] = prio;
	REG(r->scs, SCS_NVIC_ISER + 4u * ((uint32_t)irq / 32u)) = 1u << ((uint32_t)irq % 32u);
}
