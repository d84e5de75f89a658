# rplat top-level build. Quiet unless V=1; honours CROSS_COMPILE; checks libraries with pkg-config.
#
#   make            build the host tools (build/rplat) and the unit tests
#   make demo       install missing packages, build, run the demo on the simulated link
#   make check      install missing packages, run every test (unit, sanitizers, integration, cross)
#   make check-san  only the unit tests, built and run under ASan + UBSan (build-san/)
#   make bench      benchmarks (printed, never asserted)
#   make fuzz       libFuzzer targets from their seed corpus
#   make firmware   probe firmware for every target (probe-fw/Makefile)
#   make deps       only install the Debian packages
#   make vboard     build both virtual-board guest kernels (cached, arm64) and run the virtual-board tests
#   make SAN=1      build with ASan + UBSan into build-san/
#   make CROSS_COMPILE=aarch64-linux-gnu-   build the host tools for arm64 into build-aarch64/

V ?= 0
Q := $(if $(filter 1,$(V)),,@)
msg = $(if $(filter 1,$(V)),,@printf '  %-6s %s\n' $(1) $(2);)

CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
SAN ?= 0

ifneq ($(CROSS_COMPILE),)
  TRIPLET := $(patsubst %-,%,$(CROSS_COMPILE))
  BUILD ?= build-$(firstword $(subst -, ,$(TRIPLET)))
  ARM64_SYSROOT ?= /var/cache/rplat/arm64-sysroot
  export PKG_CONFIG_LIBDIR := /usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig
  # libfdt and libtracecmd come from unpacked .debs (not co-installable across architectures)
  XLIB_CFLAGS := -I$(ARM64_SYSROOT)/usr/include -I$(ARM64_SYSROOT)/usr/include/trace-cmd
  XLIB_LIBS := -L$(ARM64_SYSROOT)/usr/lib/$(TRIPLET) -Wl,-rpath-link,$(ARM64_SYSROOT)/usr/lib/$(TRIPLET)
else ifeq ($(SAN),1)
  BUILD ?= build-san
else
  BUILD ?= build
endif
PKG_CONFIG ?= pkg-config

# pkg-config module -> Debian package that provides it
PKGS := libtracefs:libtracefs-dev libtraceevent:libtraceevent-dev libelf:libelf-dev
ifeq ($(CROSS_COMPILE),)
PKGS += libtracecmd:libtracecmd-dev
endif
# libraries Debian ships without a .pc file: header -> package -> link flag
HDR_LIBS := libfdt.h:libfdt-dev:-lfdt
TEST_PKGS := cmocka:libcmocka-dev
pc_mod = $(word 1,$(subst :, ,$(1)))
pc_deb = $(word 2,$(subst :, ,$(1)))
define pc_check
$(if $(shell $(PKG_CONFIG) --exists $(call pc_mod,$(1)) && echo y),,$(error pkg-config cannot find $(call pc_mod,$(1)): install the Debian package $(call pc_deb,$(1))$(if $(CROSS_COMPILE),:arm64) (or run 'make deps')))
endef
define hdr_check
$(if $(shell printf '\043include <$(call pc_mod,$(1))>\n' | $(CC) $(XLIB_CFLAGS) -E -x c - >/dev/null 2>&1 && echo y),,$(error $(CC) cannot find <$(call pc_mod,$(1))>: install the Debian package $(call pc_deb,$(1))$(if $(CROSS_COMPILE),:arm64) (or run 'make deps')))
endef
NEED_LIBS := $(filter-out deps clean help check bench fuzz demo vboard-kernels vboard-guest,$(or $(MAKECMDGOALS),all))
ifneq ($(NEED_LIBS),)
$(foreach p,$(PKGS),$(call pc_check,$(p)))
$(foreach p,$(HDR_LIBS),$(call hdr_check,$(p)))
endif

LIB_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(foreach p,$(PKGS),$(call pc_mod,$(p))) 2>/dev/null)
LIB_LIBS := $(shell $(PKG_CONFIG) --libs $(foreach p,$(PKGS),$(call pc_mod,$(p))) 2>/dev/null)
LIB_LIBS += $(foreach p,$(HDR_LIBS),$(word 3,$(subst :, ,$(p))))
ifneq ($(CROSS_COMPILE),)
  LIB_CFLAGS += $(XLIB_CFLAGS)
  LIB_LIBS += $(XLIB_LIBS) -ltracecmd
endif
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP -fno-strict-aliasing
CFLAGS += -Iprobe-fw/include -Iprobe-fw/core -Iprobe-fw/targets/host -Iprobe-fw/hooks/include -Ihost-tools/include -Itracing -Ireports
CFLAGS += $(LIB_CFLAGS)
ifeq ($(SAN),1)
  CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
endif
LDLIBS := $(LIB_LIBS) -lm -lpthread

# Everything except the command-line entry point goes into librplat.a, so tests link the same code.
LIB_SRCS := $(wildcard probe-fw/core/*.c probe-fw/hooks/*.c probe-fw/targets/host/*.c host-tools/lib/*.c tracing/*.c reports/*.c)
CMD_SRCS := host-tools/rplat.c $(wildcard host-tools/cmd/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPER_OBJS := $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

.PHONY: all tools unit deps demo check check-unit check-san check-integration check-cross check-firmware \
	bench fuzz firmware clean help vboard vboard-kernels vboard-guest
.DEFAULT_GOAL := all

all: tools unit
tools: $(BUILD)/rplat $(BUILD)/rplat-vboard-server
unit: $(UNIT_BINS)

$(BUILD)/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/librplat.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/rplat: $(CMD_OBJS) $(BUILD)/librplat.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/librplat.a $(LDLIBS)

# the virtual board's ivshmem server and remote (host-tools/vboard/server/), sharing the driver's ABI header
VBOARD_SRV_SRCS := $(wildcard host-tools/vboard/server/*.c)
VBOARD_SRV_OBJS := $(VBOARD_SRV_SRCS:%.c=$(BUILD)/%.o)
$(VBOARD_SRV_OBJS): CFLAGS += -Ihost-tools/vboard/kmod
$(BUILD)/rplat-vboard-server: $(VBOARD_SRV_OBJS) $(BUILD)/librplat.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(VBOARD_SRV_OBJS) $(BUILD)/librplat.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELPER_OBJS) $(BUILD)/librplat.a
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(UNIT_HELPER_OBJS) \
		$(BUILD)/librplat.a $(CMOCKA_LIBS) $(LDLIBS)

deps:
	$(Q).ci/install-deps.sh $(DEPS_FLAGS)

demo: deps
	$(Q)$(MAKE) --no-print-directory tools
	$(Q)tests/demo.sh $(BUILD)/rplat

# check: every test. The sanitizer build runs the unit tests and the integration suite a second time.
check: DEPS_FLAGS = --arm64
check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)$(MAKE) --no-print-directory vboard-kernels || echo "check: a virtual-board kernel did not build; its tests will skip saying so"
	$(Q)$(MAKE) --no-print-directory vboard-guest
	$(Q)tests/run-all.sh

check-unit: all
	$(Q)tests/run-unit.sh $(BUILD)

# the unit suites under ASan + UBSan (what make check's unit-san pass runs)
check-san:
	$(Q)$(MAKE) --no-print-directory SAN=1 check-unit

check-integration: all
	$(Q)tests/run-integration.sh $(BUILD)

check-cross:
	$(Q)tests/cross-build.sh

check-firmware: firmware

bench: DEPS_FLAGS = --arm64
bench: deps
	$(Q)$(MAKE) --no-print-directory tools vboard-guest
	$(Q)tests/bench/run.sh $(BUILD)

fuzz: deps
	$(Q)tests/fuzz/run.sh

# The virtual board (host-tools/vboard/): two guest kernels from Debian's linux-source-6.12, cached
# under /var/cache/rplat/vboard/ (a cold build takes minutes per flavour, see README), then its tests.
# The board is arm64 virt (RPLAT_VBOARD_ARCH=x86_64 for the x86_64 pc one): its kernels are
# cross-built with aarch64-linux-gnu- and its guest runs the arm64 rplat (vboard-guest), both set up
# by .ci/install-deps.sh --arm64 (cross compiler, arm64 libraries, busybox-static:arm64).
vboard-kernels:
	$(Q)for f in preempt rt; do host-tools/vboard/build-kernel.sh $$f >/dev/null || exit 1; done

vboard-guest:
	$(Q)$(if $(filter x86_64,$(RPLAT_VBOARD_ARCH)),true,$(MAKE) --no-print-directory CROSS_COMPILE=aarch64-linux-gnu- build-aarch64/rplat)

vboard: DEPS_FLAGS = --arm64
vboard: deps
	$(Q)$(MAKE) --no-print-directory tools vboard-guest vboard-kernels
	$(Q)tests/run-integration.sh $(BUILD) test_vboard_

# The firmware has its own cross compiler (arm-none-eabi-): CROSS_COMPILE here is the host tools'.
FW_CROSS_COMPILE ?= arm-none-eabi-
firmware:
	$(Q)$(MAKE) --no-print-directory -C probe-fw CROSS_COMPILE=$(FW_CROSS_COMPILE) all

clean:
	$(Q)rm -rf build build-san build-aarch64 build-fuzz
	$(Q)$(MAKE) --no-print-directory -C probe-fw clean 2>/dev/null || true

help:
	@sed -n '2,14p' Makefile | sed 's/^# \{0,1\}//'

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(VBOARD_SRV_OBJS:.o=.d)
