# SPDX-License-Identifier: Apache-2.0
# The console, emulated devices and the console input switch.  The vpl011 test goes through the
# real MMIO dispatch and console; the switch test reads the console UART's interrupt from the
# QEMU-like device tree that lib.mk compiles for the bootinfo tests.
UNIT_TESTS += console
UNIT_SRCS_console := hyp/core/console.c

UNIT_TESTS += vpl011
UNIT_SRCS_vpl011 := hyp/core/vdev/vpl011.c hyp/core/vmmio.c hyp/core/console.c

UNIT_TESTS += console_switch
UNIT_SRCS_console_switch := hyp/core/console_switch.c hyp/lib/fdt.c hyp/lib/parse.c hyp/lib/cmdline.c
UNIT_DEPS_console_switch := $(BUILD)/unit/data/bootinfo_qemu.dtb
UNIT_CFLAGS_console_switch := -Wa,-I$(BUILD)/unit/data

# The rate limit of messages a guest can cause.
UNIT_TESTS += ratelimit
UNIT_SRCS_ratelimit := hyp/core/ratelimit.c
