# SPDX-License-Identifier: Apache-2.0
# Host tools (run on the build machine, not in Keel or a guest).  Strict warnings, no
# sanitizers: these are shipped helpers, the libraries they use are unit-tested separately.
TOOLS_CFLAGS := -std=c11 -D_XOPEN_SOURCE=700 -O2 -g -Wall -Wextra -Werror -Wshadow \
                -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wundef -Wimplicit-fallthrough \
                -Wformat=2 -Wno-format-nonliteral -Idom0/libxlcfg -Iabi
LIBXLCFG_SRCS := dom0/libxlcfg/xlcfg.c dom0/libxlcfg/xlcfg_syntax.c
LIBXLCFG_HDRS := dom0/libxlcfg/xlcfg.h dom0/libxlcfg/xlcfg_internal.h

.PHONY: tools
all: tools
tools: $(BUILD)/tools/keel-cfg

$(BUILD)/tools/keel-cfg: tools/keel-cfg/keel-cfg.c $(LIBXLCFG_SRCS) $(LIBXLCFG_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^)

# The busybox initramfs of the e2e tests, which is also the demo's (configs/demo.cfg), so
# `make run` builds it; mkinitramfs fetches Debian's busybox if it is not cached yet.
GUEST_INITRAMFS := $(BUILD)/e2e/initramfs.cpio.gz
.PHONY: initramfs
initramfs: $(GUEST_INITRAMFS)
run: $(GUEST_INITRAMFS)
$(GUEST_INITRAMFS): scripts/mkinitramfs.sh $(wildcard tests/e2e/initramfs/* tests/e2e/initramfs/tests/*)
	$(Q)scripts/mkinitramfs.sh $@
