/* The QEMU mps2-an386 hardware layer: CMSDK UART doorbells, SysTick counter, CMSDK timer, NVIC.
 *
 * Like the AM62x HAL, every access goes through the base pointers in struct mps2_regs, so the host
 * unit tests run it against RAM arrays. Register facts (FACTS section 3, QEMU hw/arm/mps2.c):
 *   UART0 0x40004000 (doorbells), UART1 0x40005000 (console): DATA 0x0, STATE 0x4 (bit0 TX full,
 *         bit1 RX full), CTRL 0x8 (bit0 TX en, bit1 RX en, bit3 RX irq en), INTCLEAR 0xC (bit1 RX),
 *         BAUDDIV 0x10 (QEMU drops traffic below 16). UART0 RX is NVIC IRQ 0.
 *   TIMER0 0x40000000: CTRL 0x0 (bit0 enable, bit3 irq en), VALUE 0x4, RELOAD 0x8, INTCLEAR 0xC;
 *         25 MHz, counts down, NVIC IRQ 8.
 *   SysTick (SCS 0xE000E010): 24-bit down counter on the 25 MHz CPU clock. QEMU has no DWT.
 * Doorbells carry one byte: the host writes the vring index it filled (1), the probe writes the one it
 * used (0). Any byte in is a kick; the value is not needed by the core. */
#ifndef MPS2_HAL_H
#define MPS2_HAL_H

#include <stdint.h>

#include "rp_counter.h"

struct mps2_regs {
	volatile uint32_t *uart;    /* UART0: doorbells */
	volatile uint32_t *console; /* UART1: log copy */
	volatile uint32_t *timer;   /* TIMER0: stream and housekeeping tick */
	volatile uint32_t *scs;
};

#define MPS2_CLOCK_HZ 25000000u
#define MPS2_UART0_RX_IRQ 0
#define MPS2_TIMER0_IRQ 8
#define MPS2_SYSTICK_BITS 24u
/* The timer feeds the SysTick extension, so it must tick at least every quarter of a SysTick wrap. */
#define MPS2_TIMER_MAX (1u << (MPS2_SYSTICK_BITS - 2))

extern const struct mps2_regs mps2_regs_hw;

/* The probe's hardware context, the ctx of its struct rp_hal. */
struct mps2 {
	const struct mps2_regs *r;
	struct rp_ctr_ext ext; /* SysTick, inverted to count up, extended to 64 bits */
};

/* Doorbell UART: TX, RX and the RX interrupt on; console UART: TX on. */
void mps2_uart_init(const struct mps2_regs *r);

/* Interrupt handler body: clear the RX interrupt, then read every byte waiting (at most 16). Returns
 * how many bytes were read. */
uint32_t mps2_uart_drain(const struct mps2_regs *r);

/* rp_hal.kick: one byte 'vq' to the host. Left out while the transmitter is full: the host has not read
 * the doorbell already waiting, and any doorbell makes it scan the whole vring. */
void mps2_kick(void *m, uint32_t vq);

/* A character to the console UART (waits a bounded time for room). */
void mps2_console_putc(void *r, char c);

/* Start SysTick free-running over its 24 bits, no interrupt. */
void mps2_counter_init(struct mps2 *m, const struct mps2_regs *r);

/* rp_hal.counter: SysTick extended to 64 bits, 25 MHz. Call it at least once per 2^24 ticks (0.67 s),
 * from one interrupt priority only; the timer tick does that. */
uint64_t mps2_counter(void *m);

/* SysTick's current value register (24 bits, counting down, wrapping at 2^24 once mps2_counter_init()
 * ran): the rplat hooks read it themselves (rplat_hooks_init_reg()). */
const volatile uint32_t *mps2_counter_reg(const struct mps2_regs *r);

/* TIMER0 interrupting every 'ticks' (1..MPS2_TIMER_MAX), the first one 'ticks' from now. */
void mps2_timer_start(const struct mps2_regs *r, uint32_t ticks);

/* Timer interrupt body: acknowledge, and return how many ticks ago the timer expired (modulo the
 * period). */
uint32_t mps2_timer_ack(const struct mps2_regs *r);

/* Enable NVIC interrupt 'irq' (>= 0) at priority 'prio'. */
void mps2_irq_enable(const struct mps2_regs *r, int irq, uint8_t prio);

#endif
