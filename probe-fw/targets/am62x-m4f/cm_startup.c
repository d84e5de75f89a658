/* Cortex-M start-up. See cm_startup.h. */
#include "cm_startup.h"

#define CPACR (*(volatile uint32_t *)0xE000ED88u)

/* Runs before .data and .bss exist: touches only registers and linker symbols. The FPU goes on first
 * because the hard-float ABI lets the compiler use FP registers anywhere after this point. */
void cm_reset(void)
{
	uint32_t *src, *dst;

	/* PRIMASK is clear at reset: mask interrupts until main() has set everything up. */
	__asm__ volatile("cpsid i" ::: "memory");
	CPACR |= 0xFu << 20; /* CP10, CP11: full access */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	for (src = __data_load, dst = __data_start; dst < __data_end;)
		*dst++ = *src++;
	for (dst = __bss_start; dst < __bss_end;)
		*dst++ = 0;
	main();
	for (;;)
		__asm__ volatile("wfi");
}

void cm_fault(void)
{
	uint32_t ipsr;

	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	fw_fault(ipsr & 0x1FFu);
}

/* ELF note: namesz, descsz, type (3 = NT_GNU_BUILD_ID), "GNU\0", then descsz bytes of id. */
const uint8_t *cm_build_id(void)
{
	const uint32_t *n = (const uint32_t *)(const void *)__build_id_start;

	if (__build_id_end - __build_id_start < 36 || n[0] != 4 || n[1] != 20 || n[2] != 3)
		return 0;
	return __build_id_start + 16;
}
