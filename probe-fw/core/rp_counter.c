#include "rp_counter.h"

static uint64_t mask_of(uint32_t bits)
{
	return bits >= 32 ? 0xFFFFFFFFull : ((1ull << bits) - 1);
}

void rp_ctr_ext_init(struct rp_ctr_ext *e, uint32_t bits, uint32_t raw)
{
	e->bits = bits == 0 || bits > 32 ? 32 : bits;
	e->last = raw & mask_of(e->bits);
}

uint64_t rp_ctr_ext_update(struct rp_ctr_ext *e, uint32_t raw)
{
	uint64_t m = mask_of(e->bits);
	uint64_t delta = ((uint64_t)raw - e->last) & m; /* ticks since the last call, modulo one wrap */

	e->last += delta;
	return e->last;
}
