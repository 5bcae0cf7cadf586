# SPDX-License-Identifier: Apache-2.0
# Guest exits: the loads and stores without an instruction syndrome that Keel decodes for
# emulated MMIO (mmio_insn.c, a pure decoder).
UNIT_TESTS += mmio_insn
UNIT_SRCS_mmio_insn := hyp/arch/arm64/mmio_insn.c
UNIT_DEPS_mmio_insn := hyp/arch/arm64/include/arm64/mmio_insn.h
