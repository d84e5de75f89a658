/* The boot ROM of the virtual board's QEMU remote (mps2-an386), like a SoC's ROM boot stub: QEMU loads
 * only this image (at 0x0, SSRAM1); the firmware itself was loaded into PSRAM by the guest's Linux
 * remoteproc (rproc_elf_load_segments() into ivshmem BAR2, the same file as QEMU's PSRAM) before the
 * server started QEMU. On reset it reads the firmware's vector table at RPLAT_VBOOT_FW_VT, checks that
 * its initial SP and reset vector are plausible, sets VTOR to it, loads MSP and branches to the reset
 * handler, exactly what the core does with its own table at reset. It reports on UART1 (the console,
 * the server's log) what it booted; with no plausible firmware it says so and requests a system reset,
 * which under -no-reboot ends QEMU, so the server reports the remote's death to the guest.
 *
 * Runs with the FPU off (CPACR is 0 at reset) and no .data/.bss: registers, constants and its stack in
 * SSRAM2 only. */
#include <stdint.h>

#define RPLAT_VBOOT_FW_VT 0x21100000u  /* TARGET=qemu-vboard's .vectors (qemu-vboard.ld) */
#define PSRAM_BASE 0x21000000u
#define PSRAM_END 0x22000000u
#define SSRAM_BASE 0x20000000u         /* SSRAM2/3: 2 x 4 MiB */
#define SSRAM_END 0x20800000u

#define VTOR (*(volatile uint32_t *)0xE000ED08u)
#define AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define AIRCR_SYSRESETREQ (0x05FAu << 16 | 1u << 2)

#define UART1 ((volatile uint32_t *)0x40005000u)
#define UART_DATA 0u
#define UART_STATE 1u
#define UART_CTRL 2u
#define UART_BAUDDIV 4u
#define UART_STATE_TXFULL 0x1u

extern uint32_t __stack_top[];

static void putc1(char c)
{
	uint32_t spin = 10000u;

	while ((UART1[UART_STATE] & UART_STATE_TXFULL) && --spin)
		;
	if (spin)
		UART1[UART_DATA] = (uint8_t)c;
}

static void puts1(const char *s)
{
	while (*s)
		putc1(*s++);
}

static void hex1(uint32_t v)
{
	puts1("0x");
	for (int i = 28; i >= 0; i -= 4)
		putc1("0123456789abcdef"[(v >> i) & 0xFu]);
}

static void __attribute__((noreturn)) give_up(void)
{
	puts1("; requesting reset (QEMU -no-reboot exits)\n");
	__asm__ volatile("dsb" ::: "memory");
	AIRCR = AIRCR_SYSRESETREQ;
	__asm__ volatile("dsb" ::: "memory");
	for (;;)
		__asm__ volatile("wfi");
}

static int in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x >= lo && x < hi;
}

void __attribute__((noreturn)) vboot_reset(void)
{
	const volatile uint32_t *vt = (const volatile uint32_t *)RPLAT_VBOOT_FW_VT;
	uint32_t sp = vt[0], pc = vt[1];

	UART1[UART_BAUDDIV] = 16u;
	UART1[UART_CTRL] = 1u; /* TX */
	puts1("vboot: firmware vector table at ");
	hex1(RPLAT_VBOOT_FW_VT);
	puts1(": SP ");
	hex1(sp);
	puts1(", reset ");
	hex1(pc);
	/* SP: 8-byte aligned, the top of a stack in RAM (PSRAM or SSRAM2/3); reset: Thumb, in the image */
	if ((sp & 7u) || !(in(sp - 1u, PSRAM_BASE, PSRAM_END) || in(sp - 1u, SSRAM_BASE, SSRAM_END)) ||
	    !(pc & 1u) || !in(pc & ~1u, RPLAT_VBOOT_FW_VT, PSRAM_END)) {
		puts1(": no firmware there (did the guest's remoteproc load it?)");
		give_up();
	}
	puts1(": booting it\n");
	VTOR = RPLAT_VBOOT_FW_VT;
	__asm__ volatile("dsb\n\tisb\n\t"
			 "msr msp, %0\n\t"
			 "isb\n\t"
			 "bx %1" ::"r"(sp), "r"(pc) : "memory");
	__builtin_unreachable();
}

/* Any exception before the jump (a bus fault reading PSRAM, ...) */
void __attribute__((noreturn)) vboot_fault(void)
{
	uint32_t ipsr;

	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	puts1("\nvboot: exception ");
	hex1(ipsr & 0x1FFu);
	puts1(" in the boot ROM");
	give_up();
}

typedef void (*vboot_vector)(void);

/* The 16 system exceptions; no interrupt is enabled before the firmware's VTOR takes over. */
__attribute__((section(".vectors"), used)) const vboot_vector vboot_vectors[16] = {
	[0] = (vboot_vector)(uintptr_t)__stack_top,
	[1] = (vboot_vector)vboot_reset,
	[2 ... 15] = (vboot_vector)vboot_fault,
};
