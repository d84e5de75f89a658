# TARGET=qemu-mps2-an386: the same probe under qemu-system-arm -machine mps2-an386, for firmware-in-the-
# loop tests (the qemu link). Shares the Cortex-M start-up and the trace log with am62x-m4f.
FW_NAME := rplat-probe.elf
FW_LDSCRIPT := mps2-an386.ld
FW_SRCS := targets/qemu-mps2-an386/main.c targets/qemu-mps2-an386/mps2_hal.c \
	targets/am62x-m4f/cm_startup.c targets/am62x-m4f/cm_service.c targets/am62x-m4f/tlog.c
FW_DEFS := -Itargets/am62x-m4f
