# SPDX-License-Identifier: Apache-2.0
# Virtual GICv3: register semantics, list-register selection and read-back, hardware links,
# SGI generation.  hw.c (the ICH_* system registers) is replaced by doubles in the test.
VGIC_DIR := hyp/arch/arm64/vgic
UNIT_TESTS += vgic
UNIT_SRCS_vgic := $(VGIC_DIR)/vgic.c $(VGIC_DIR)/regs.c $(VGIC_DIR)/dist.c $(VGIC_DIR)/redist.c \
                  $(VGIC_DIR)/lr.c hyp/core/vmmio.c
UNIT_DEPS_vgic := $(VGIC_DIR)/vgic_internal.h hyp/arch/arm64/include/arm64/vgic.h

# Virtual timers: vtimer.c is #included by the test, with its system registers faked.
UNIT_TESTS += vtimer
UNIT_DEPS_vtimer := hyp/arch/arm64/vtimer.c hyp/arch/arm64/include/arm64/vtimer.h
