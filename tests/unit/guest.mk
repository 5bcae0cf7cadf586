# SPDX-License-Identifier: Apache-2.0
# Tests for the guest-facing pieces of the arm64 arch code that are pure logic.
UNIT_TESTS += guest_fdt
UNIT_SRCS_guest_fdt := hyp/arch/arm64/guest_fdt.c hyp/arch/arm64/dom0_fdt.c hyp/arch/arm64/host_dt.c \
                       hyp/lib/fdt_write.c hyp/lib/fdt.c hyp/core/rng.c

# dom0's device tree and devices, from host trees (one of them QEMU virt's own, as it dumps it)
UNIT_TESTS += dom0_fdt
UNIT_SRCS_dom0_fdt := hyp/arch/arm64/dom0_fdt.c hyp/arch/arm64/host_dt.c hyp/arch/arm64/guest_fdt.c \
                      hyp/lib/fdt_write.c hyp/lib/fdt.c hyp/core/rng.c
UNIT_DEPS_dom0_fdt := $(patsubst %,$(BUILD)/unit/data/dom0_%.dtb,qemu_virt odd nophandle nogic old_phandle root_phandle) \
                      $(patsubst %,$(BUILD)/unit/data/%.dtb,host_dt fdt_basic) \
                      $(patsubst %,$(BUILD)/unit/data/bootinfo_%.dtb,qemu alias edge nomem)
UNIT_CFLAGS_dom0_fdt := -Wa,-I$(BUILD)/unit/data

# reading host device trees: translation through buses, GIC interrupt specifiers
UNIT_TESTS += host_dt
UNIT_SRCS_host_dt := hyp/arch/arm64/host_dt.c hyp/lib/fdt.c
UNIT_DEPS_host_dt := $(BUILD)/unit/data/host_dt.dtb $(BUILD)/unit/data/dom0_nophandle.dtb
UNIT_CFLAGS_host_dt := -Wa,-I$(BUILD)/unit/data
