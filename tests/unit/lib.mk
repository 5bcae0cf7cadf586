# SPDX-License-Identifier: Apache-2.0
# Tests for hyp/lib and the other pure-logic modules (bootinfo, translation tables).
UNIT_DATA := $(BUILD)/unit/data

# Device trees for the reader and bootinfo tests, compiled by dtc at build time and embedded
# with .incbin (see unit_blob.h).
$(UNIT_DATA)/%.dtb: tests/unit/data/%.dts
	@mkdir -p $(dir $@)
	@echo "  DTC     $@"
	$(Q)dtc -q -I dts -O dtb -o $@ $<
# Keep them: as intermediates make would delete them and relink the tests on every run.
.PRECIOUS: $(UNIT_DATA)/%.dtb

UNIT_TESTS += cmdline
UNIT_SRCS_cmdline := hyp/lib/cmdline.c hyp/lib/parse.c

UNIT_TESTS += fdt
UNIT_SRCS_fdt := hyp/lib/fdt.c
UNIT_DEPS_fdt := $(UNIT_DATA)/fdt_basic.dtb
UNIT_CFLAGS_fdt := -Wa,-I$(UNIT_DATA)

UNIT_TESTS += fdt_malformed
UNIT_SRCS_fdt_malformed := hyp/lib/fdt.c
UNIT_DEPS_fdt_malformed := $(UNIT_DATA)/fdt_basic.dtb
UNIT_CFLAGS_fdt_malformed := -Wa,-I$(UNIT_DATA)

UNIT_TESTS += bootinfo
UNIT_SRCS_bootinfo := tests/unit/log_stub.c hyp/core/bootinfo.c hyp/lib/fdt.c hyp/lib/fdt_write.c
UNIT_DEPS_bootinfo := $(patsubst %,$(UNIT_DATA)/bootinfo_%.dtb,qemu alias edge nomem)
UNIT_CFLAGS_bootinfo := -Wa,-I$(UNIT_DATA)

# fmt.c defines snprintf itself; the wrapper renames it so the test can compare with libc's.
UNIT_TESTS += fmt
UNIT_SRCS_fmt := tests/unit/keel_fmt.c
UNIT_DEPS_fmt := hyp/lib/fmt.c
# The table feeds deliberately odd (but defined) flag mixes that -Wformat would refuse.
UNIT_CFLAGS_fmt := -Wno-format

# string.c defines memcpy etc. itself; the wrapper renames them (see keel_string.c).
UNIT_TESTS += string
UNIT_SRCS_string := tests/unit/keel_string.c
UNIT_DEPS_string := hyp/lib/string.c

UNIT_TESTS += parse
UNIT_SRCS_parse := hyp/lib/parse.c

UNIT_TESTS += pgtable
UNIT_SRCS_pgtable := hyp/arch/arm64/pgtable.c

UNIT_TESTS += fdt_write
UNIT_SRCS_fdt_write := hyp/lib/fdt_write.c hyp/lib/fdt.c

UNIT_TESTS += spinlock
UNIT_SRCS_spinlock :=
