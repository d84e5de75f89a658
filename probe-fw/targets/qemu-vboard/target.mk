# TARGET=qemu-vboard: the qemu-mps2-an386 probe linked to run from PSRAM (qemu-vboard.ld), for the
# virtual board's QEMU remote: the guest's remoteproc loads this ELF into the shared memory, QEMU runs
# only the boot ROM (TARGET=qemu-vboard-rom), which jumps to its vector table at 0x21100000.
FW_NAME := rplat-probe.elf
FW_LDSCRIPT := qemu-vboard.ld
FW_SRCS := targets/qemu-mps2-an386/main.c targets/qemu-mps2-an386/mps2_hal.c \
	targets/am62x-m4f/cm_startup.c targets/am62x-m4f/cm_service.c targets/am62x-m4f/tlog.c
# vrings and buffers only in the first MiB (the driver's carveouts), never in the image above it
FW_DEFS := -Itargets/am62x-m4f -Itargets/qemu-mps2-an386 -DFW_TARGET='"qemu-vboard"' -DFW_DMA_SIZE=0x100000u
