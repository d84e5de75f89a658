/* The AM62x M4F hardware layer: RAT, TI mailbox, DWT cycle counter, SysTick and NVIC.
 *
 * Every register access goes through the base pointers in struct m4f_regs, so the host unit tests
 * (tests/unit/test_fw_hal.c) run this file against RAM arrays standing in for the registers. The firmware
 * uses m4f_regs_hw. Nothing here includes an Arm header or uses inline assembly.
 *
 * Register facts (shared/reference/FACTS.md section 2):
 *   RAT        0x44200000  region i: CTRL 0x20+0x10i (bit31 enable, [5:0] log2 size), BASE 0x24+0x10i,
 *                          TRANS_L 0x28+0x10i, TRANS_H 0x2C+0x10i
 *   mailbox    system 0x29000000 (cluster 0), local 0xB9000000 once the RAT maps 0xB0000000 ->
 *              0x20000000: MESSAGE(m) 0x40+4m, FIFOSTATUS(m) 0x80+4m, MSGSTATUS(m) 0xC0+4m,
 *              IRQSTATUS_CLR(u) 0x104+0x10u, IRQENABLE_SET(u) 0x108+0x10u; NEWMSG(m) = 1 << 2m.
 *              FIFO 1 (A53 -> M4F) is read as user 2 on NVIC IRQ 50; FIFO 0 (M4F -> A53) kicks Linux.
 *   DWT        0xE0001000  CTRL (bit0 CYCCNTENA, bit25 NOCYCCNT), CYCCNT +4, LAR +0xFB0
 *   SCS        0xE000E000  SysTick 0x10.., NVIC ISER 0x100.., IPR 0x400.., SHPR3 0xD20, DEMCR 0xDFC */
#ifndef M4F_HAL_H
#define M4F_HAL_H

#include <stdint.h>

#include "rp_counter.h"

struct m4f_regs {
	volatile uint32_t *rat;
	volatile uint32_t *mbox;
	volatile uint32_t *dwt;
	volatile uint32_t *scs;
};

#define M4F_RAT_BASE 0x44200000u
#define M4F_MBOX_LOCAL 0xB9000000u     /* mailbox cluster 0 through the RAT */
#define M4F_RAT_LOCAL 0xB0000000u      /* RAT region 0: local 0xB0000000 -> system 0x20000000, 256 MiB */
#define M4F_RAT_SYSTEM 0x20000000u
#define M4F_RAT_LOG2 28u
#define M4F_MBOX_IRQ 50u               /* NVIC IRQ of mailbox cluster 0 user 2 (exception 66) */
#define M4F_MBOX_FIFO_RX 1u            /* A53 -> M4F */
#define M4F_MBOX_FIFO_TX 0u            /* M4F -> A53 */
#define M4F_MBOX_USER 2u
#define M4F_SYSTICK_MAX 0x1000000u     /* SysTick is 24 bits: longest period in ticks */

extern const struct m4f_regs m4f_regs_hw;

/* The probe's hardware context, the ctx of its struct rp_hal. */
struct m4f {
	const struct m4f_regs *r;
	struct rp_ctr_ext ext;  /* DWT CYCCNT extended to 64 bits */
	int have_cyccnt;
};

/* Map 'local' -> 'system' over 2^log2 bytes in RAT region 'region' (0..15). Returns 0, or -1 if the
 * region or size is out of range or either address is not aligned to the size. */
int m4f_rat_map(const struct m4f_regs *r, uint32_t region, uint32_t local, uint32_t system, uint32_t log2);

/* Unmask new-message interrupts of the receive FIFO for our user. */
void m4f_mbox_init(const struct m4f_regs *r);

/* Interrupt handler body: clear the interrupt, then read every message waiting in the receive FIFO.
 * Returns how many were RP_MBOX_ECHO_REQUEST (drained, never answered); if 'kicked' is not NULL it gets
 * a bit mask of the vring indices (values 0..31) Linux sent. Other control values are read and
 * ignored. */
uint32_t m4f_mbox_drain(const struct m4f_regs *r, uint32_t *kicked);

/* rp_hal.kick: tell Linux about vring 'vq'. If the FIFO to Linux is full, the kick is left out: Linux
 * has not read the kicks already queued, and reading any one of them makes it scan the whole vring. */
void m4f_kick(void *m, uint32_t vq);

/* Turn on the DWT cycle counter. Returns 0, or -1 if the core has none (DWT_CTRL.NOCYCCNT); then
 * m4f_counter() returns 0. */
int m4f_counter_init(struct m4f *m, const struct m4f_regs *r);

/* rp_hal.counter: CYCCNT extended to 64 bits. Call it at least once per 2^32 cycles (10.7 s at 400 MHz),
 * from one interrupt priority only. */
uint64_t m4f_counter(void *m);

/* SysTick on the core clock, interrupting every 'ticks' cycles (1..M4F_SYSTICK_MAX); the first
 * interrupt comes 'ticks' cycles after the call. */
void m4f_systick_start(const struct m4f_regs *r, uint32_t ticks);

/* Cycles since the SysTick interrupt was due (the counter reached zero), modulo the period. */
uint32_t m4f_systick_late(const struct m4f_regs *r);

/* Enable NVIC interrupt 'irq' at priority 'prio' (the upper bits count). irq < 0 means a system
 * exception: -1 SysTick (its priority only). */
void m4f_irq_enable(const struct m4f_regs *r, int irq, uint8_t prio);

#endif
