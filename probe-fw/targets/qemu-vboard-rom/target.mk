# TARGET=qemu-vboard-rom: the boot ROM of the virtual board's QEMU remote (mps2-an386, loaded by QEMU at
# 0x0): takes the vector table of the firmware that the guest's remoteproc put in PSRAM at 0x21100000
# (TARGET=qemu-vboard), sets VTOR and MSP and jumps to its reset handler. Not the probe: no core.
FW_NAME := rplat-vboot.elf
FW_LDSCRIPT := vboot.ld
FW_SRCS := targets/qemu-vboard-rom/vboot.c
FW_NO_CORE := 1
