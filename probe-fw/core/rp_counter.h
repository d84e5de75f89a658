/* Extend a free-running hardware counter of 'bits' bits (DWT CYCCNT: 32, SysTick: 24, counting up
 * after the HAL inverts it) to 64 bits. The extension is correct as long as it is fed at least once per
 * wrap period; feed it from one context at a time (mask the IRQ, or call it only from the ISR and the
 * main loop with the ISR masked). */
#ifndef RP_COUNTER_H
#define RP_COUNTER_H

#include <stdint.h>

struct rp_ctr_ext {
	uint64_t last; /* last extended value */
	uint32_t bits; /* width of the raw counter, 1..32 */
	uint32_t mask; /* (1 << bits) - 1, precomputed: the update is on the per-message path */
};

void rp_ctr_ext_init(struct rp_ctr_ext *e, uint32_t bits, uint32_t raw);
uint64_t rp_ctr_ext_update(struct rp_ctr_ext *e, uint32_t raw);

#endif
