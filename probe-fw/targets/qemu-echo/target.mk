# TARGET=qemu-echo: the example echo firmware (targets/host/echo_svc.c: port 14, instrumented with the
# rplat hooks) on QEMU mps2-an386, for rplat observe. Not the probe: no rplat protocol.
FW_NAME := rplat-echo.elf
FW_LDSCRIPT := echo-mps2-an386.ld
FW_SRCS := targets/qemu-echo/main.c targets/qemu-mps2-an386/mps2_hal.c targets/am62x-m4f/cm_startup.c \
	targets/host/echo_svc.c hooks/rplat_hooks.c
FW_DEFS := -Itargets/qemu-mps2-an386 -Itargets/am62x-m4f -Itargets/host -Ihooks/include
# ECHO_STREAM_HZ=N: a sampler too (see main.c); use a BUILDDIR of its own per rate
ifneq ($(ECHO_STREAM_HZ),)
FW_DEFS += -DECHO_STREAM_HZ=$(ECHO_STREAM_HZ)u
endif
