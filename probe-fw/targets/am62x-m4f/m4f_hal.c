/* AM62x M4F hardware layer. See m4f_hal.h. Register offsets are in bytes, divided by 4 at the access. */
#include "m4f_hal.h"

#include "rplat/wire/rpmsg.h"

#define REG(base, off) ((base)[(off) / 4u])

#define RAT_CTRL(i) (0x20u + 0x10u * (i))
#define RAT_BASE(i) (0x24u + 0x10u * (i))
#define RAT_TRANS_L(i) (0x28u + 0x10u * (i))
#define RAT_TRANS_H(i) (0x2Cu + 0x10u * (i))
#define RAT_REGIONS 16u
#define RAT_ENABLE 0x80000000u

#define MB_MESSAGE(m) (0x40u + 4u * (m))
#define MB_FIFOSTATUS(m) (0x80u + 4u * (m))
#define MB_MSGSTATUS(m) (0xC0u + 4u * (m))
#define MB_IRQSTATUS_CLR(u) (0x104u + 0x10u * (u))
#define MB_IRQENABLE_SET(u) (0x108u + 0x10u * (u))
#define MB_NEWMSG(m) (1u << (2u * (m)))
#define MB_FIFO_FULL 0x1u
#define MB_DRAIN_MAX 8u /* more than the FIFO holds (4): bounds the loop if MSGSTATUS misreads */

#define DWT_CTRL 0x0u
#define DWT_CYCCNT 0x4u
#define DWT_LAR 0xFB0u
#define DWT_CTRL_CYCCNTENA 0x1u
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define DWT_LAR_KEY 0xC5ACCE55u

#define SCS_SYST_CSR 0x10u
#define SCS_SYST_RVR 0x14u
#define SCS_SYST_CVR 0x18u
#define SCS_NVIC_ISER 0x100u
#define SCS_NVIC_IPR 0x400u
#define SCS_SHPR3 0xD20u
#define SCS_DEMCR 0xDFCu
#define SYST_ENABLE_TICKINT_CORECLK 0x7u
#define DEMCR_TRCENA (1u << 24)

const struct m4f_regs m4f_regs_hw = {
	.rat = (volatile uint32_t *)M4F_RAT_BASE,
	.mbox = (volatile uint32_t *)M4F_MBOX_LOCAL,
	.dwt = (volatile uint32_t *)0xE0001000u,
	.scs = (volatile uint32_t *)0xE000E000u,
};

int m4f_rat_map(const struct m4f_regs *r, uint32_t region, uint32_t local, uint32_t system, uint32_t log2)
{
	uint32_t mask;

	if (region >= RAT_REGIONS || log2 < 12 || log2 > 32)
		return -1;
	mask = log2 == 32 ? 0xFFFFFFFFu : (1u << log2) - 1u;
	if ((local & mask) || (system & mask))
		return -1;
	/* Disable the region while it is rewritten, so no access sees half a mapping. */
	REG(r->rat, RAT_CTRL(region)) = 0;
	REG(r->rat, RAT_BASE(region)) = local;
	REG(r->rat, RAT_TRANS_L(region)) = system;
	REG(r->rat, RAT_TRANS_H(region)) = 0;
	REG(r->rat, RAT_CTRL(region)) = RAT_ENABLE | log2;
	return 0;
}

void m4f_mbox_init(const struct m4f_regs *r)
{
	REG(r->mbox, MB_IRQSTATUS_CLR(M4F_MBOX_USER)) = MB_NEWMSG(M4F_MBOX_FIFO_RX);
	REG(r->mbox, MB_IRQENABLE_SET(M4F_MBOX_USER)) = MB_NEWMSG(M4F_MBOX_FIFO_RX);
}

uint32_t m4f_mbox_drain(const struct m4f_regs *r, uint32_t *kicked)
{
	uint32_t n, v, echo = 0, mask = 0;

	/* Clear first: a message that lands after the clear raises the interrupt again, none is missed. */
	REG(r->mbox, MB_IRQSTATUS_CLR(M4F_MBOX_USER)) = MB_NEWMSG(M4F_MBOX_FIFO_RX);
	n = REG(r->mbox, MB_MSGSTATUS(M4F_MBOX_FIFO_RX));
	if (n > MB_DRAIN_MAX)
		n = MB_DRAIN_MAX;
	while (n--) {
		v = REG(r->mbox, MB_MESSAGE(M4F_MBOX_FIFO_RX));
		if (v == RP_MBOX_ECHO_REQUEST)
			echo++;
		else if (v < 32u)
			mask |= 1u << v;
	}
	if (kicked)
		*kicked = mask;
	return echo;
}

void m4f_kick(void *ctx, uint32_t vq)
{
	const struct m4f_regs *r = ((struct m4f *)ctx)->r;

	/* The used ring must be visible in DDR before Linux can see the kick. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(REG(r->mbox, MB_FIFOSTATUS(M4F_MBOX_FIFO_TX)) & MB_FIFO_FULL))
		REG(r->mbox, MB_MESSAGE(M4F_MBOX_FIFO_TX)) = vq;
}

int m4f_counter_init(struct m4f *m, const struct m4f_regs *r)
{
	m->r = r;
	m->have_cyccnt = 0;
	rp_ctr_ext_init(&m->ext, 32, 0);
	REG(r->scs, SCS_DEMCR) |= DEMCR_TRCENA;
	if (REG(r->dwt, DWT_CTRL) & DWT_CTRL_NOCYCCNT)
		return -1;
	REG(r->dwt, DWT_LAR) = DWT_LAR_KEY;
	REG(r->dwt, DWT_CYCCNT) = 0;
	REG(r->dwt, DWT_CTRL) |= DWT_CTRL_CYCCNTENA;
	rp_ctr_ext_init(&m->ext, 32, REG(r->dwt, DWT_CYCCNT));
	m->have_cyccnt = 1;
	return 0;
}

uint64_t m4f_counter(void *ctx)
{
	struct m4f *m = ctx;

	if (!m->have_cyccnt)
		return 0;
	return rp_ctr_ext_update(&m->ext, REG(m->r->dwt, DWT_CYCCNT));
}

void m4f_systick_start(const struct m4f_regs *r, uint32_t ticks)
{
	if (ticks == 0)
		ticks = 1;
	if (ticks > M4F_SYSTICK_MAX)
		ticks = M4F_SYSTICK_MAX;
	REG(r->scs, SCS_SYST_CSR) = 0;
	REG(r->scs, SCS_SYST_RVR) = ticks - 1u;
	REG(r->scs, SCS_SYST_CVR) = 0; /* any write clears it: reload on the next cycle */
	REG(r->scs, SCS_SYST_CSR) = SYST_ENABLE_TICKINT_CORECLK;
}

uint32_t m4f_systick_late(const struct m4f_regs *r)
{
	uint32_t rvr = REG(r->scs, SCS_SYST_RVR);
	uint32_t cvr = REG(r->scs, SCS_SYST_CVR);

	/* The counter went rvr .. 1, 0 (interrupt due), then reloaded rvr: cycles since due = rvr - cvr + 1,
	 * and 0 while it still reads 0. */
	return cvr == 0 || cvr > rvr ? 0 : rvr - cvr + 1u;
}

void m4f_irq_enable(const struct m4f_regs *r, int irq, uint8_t prio)
{
	volatile uint8_t *ipr;

	if (irq < 0) {
		/* SHPR3 [31:24] is SysTick (exception 15) */
		REG(r->scs, SCS_SHPR3) = (REG(r->scs, SCS_SHPR3) & 0x00FFFFFFu) | ((uint32_t)prio << 24);
		return;
	}
	ipr = (volatile uint8_t *)&REG(r->scs, SCS_NVIC_IPR);
	ipr[irq] = prio;
	REG(r->scs, SCS_NVIC_ISER + 4u * ((uint32_t)irq / 32u)) = 1u << ((uint32_t)irq % 32u);
}
