# TARGET=am62x-m4f: the AM62x Cortex-M4F, loaded by Linux remoteproc as am62-mcu-m4f0_0-fw.
FW_NAME := am62-mcu-m4f0_0-fw
FW_LDSCRIPT := am62x-m4f.ld
FW_SRCS := targets/am62x-m4f/main.c targets/am62x-m4f/m4f_hal.c targets/am62x-m4f/cm_startup.c targets/am62x-m4f/cm_service.c \
	targets/am62x-m4f/tlog.c
# M4F_CORE_HZ: the core clock the DWT counts (the MCU+ SDK default; the host estimates the real rate).
M4F_CORE_HZ ?= 400000000
FW_DEFS := -DM4F_CORE_HZ=$(M4F_CORE_HZ)u
