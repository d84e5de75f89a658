/* Cortex-M start-up shared by the bare-metal targets (am62x-m4f, qemu-mps2-an386).
 *
 * The target's vector table names cm_reset() as the reset handler and cm_fault() for every exception
 * and interrupt it does not handle. cm_reset() masks interrupts (main() unmasks them with
 * cm_irq_enable() when ready), enables the FPU, copies .data from its load address, zeroes .bss and
 * calls main(); the linker script provides the symbols below. Arm-only: the host
 * unit tests never include this header. */
#ifndef CM_STARTUP_H
#define CM_STARTUP_H

#include <stdint.h>

typedef void (*cm_vector)(void);

/* Linker-script symbols */
extern uint32_t __stack_top[];
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern const uint8_t __build_id_start[], __build_id_end[];

void cm_reset(void) __attribute__((noreturn));
void cm_fault(void);

/* Called by cm_fault() with the active exception number (IPSR); the target logs it. Never returns. */
void fw_fault(uint32_t exc) __attribute__((noreturn));

int main(void);

/* The 20-byte GNU build-id of this image, or NULL if the note is missing or not SHA-1 sized. */
const uint8_t *cm_build_id(void);

static inline void cm_irq_enable(void)
{
	__asm__ volatile("cpsie i" ::: "memory");
}

static inline void cm_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
