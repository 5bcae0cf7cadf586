# SPDX-License-Identifier: Apache-2.0
# keel-fbback: the vfb/vkbd back end that runs in dom0 (an arm64 Linux program), linked against
# Debian's own Xen libraries: headers and link names from Debian's arm64 libxen-dev, run-time
# libraries from the dom0 root (both unpacked by scripts/fetch-dom0.sh).  Not part of `all`:
# the e2e dom0 cases build it (tests/e2e/lib.sh), as they fetch the dom0 packages anyway.
LIBXEN_DEV := build/cache/libxen-dev
FBBACK_LIB := $(LIBXEN_DEV)/usr/lib/aarch64-linux-gnu
FBBACK_SRCS := dom0/keel-fbback/keel-fbback.c dom0/keel-fbback/backend.c \
               dom0/keel-fbback/serve.c dom0/keel-fbback/qmp.c dom0/keel-fbback/fbcheck.c \
               dom0/keel-fbback/vnc.c dom0/keel-fbback/keysym.c
FBBACK_HDRS := $(wildcard dom0/keel-fbback/*.h)
FBBACK_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
                 -Wstrict-prototypes -Wvla -Wundef -Wimplicit-fallthrough -Wformat=2 \
                 -Wno-format-nonliteral -isystem $(LIBXEN_DEV)/usr/include
FBBACK_LDFLAGS := -L$(FBBACK_LIB) -Wl,-rpath-link,$(FBBACK_LIB) \
                  -lxenstore -lxenevtchn -lxengnttab -lxenforeignmemory

.PHONY: keel-fbback
keel-fbback: $(BUILD)/dom0/keel-fbback

$(LIBXEN_DEV)/usr/include/xenstore.h:
	$(Q)scripts/fetch-dom0.sh

$(BUILD)/dom0/keel-fbback: $(FBBACK_SRCS) $(FBBACK_HDRS) $(LIBXEN_DEV)/usr/include/xenstore.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC_A64) $(FBBACK_CFLAGS) -o $@ $(FBBACK_SRCS) $(FBBACK_LDFLAGS)
