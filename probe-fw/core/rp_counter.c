#include "rp_counter.h"

static uint64_t mask_of(uint32_t bits)
{
	return bits >= 32 ? 0xFFFFFFFFull : ((1ull << bits) - 1);
}

void rp_ctr_ext_init(struct rp_ctr_ext *e, uint32_t bits, uint32_t raw)
{
	e->bits = bits == 0 || bits > 32 ? 32 : bits;
	e->mask = (uint32_t)mask_of(e->bits);
	e->last = raw & e->mask;
}

uint64_t rp_ctr_ext_update(struct rp_ctr_ext *e, uint32_t raw)
{
	/* ticks since the last call, modulo one wrap: 32-bit arithmetic is enough */
	uint32_t delta = (raw - (uint32_t)e->last) & e->mask;

	e->last += delta;
	return e->last;
}
