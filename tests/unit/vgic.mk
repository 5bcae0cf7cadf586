# SPDX-License-Identifier: Apache-2.0
# Virtual GICv3: register semantics, list-register selection and read-back, hardware links,
# SGI generation; host SPIs given to a domain.  hw.c (the ICH_* system registers) and the
# interrupt-controller driver are replaced by doubles in the tests.
VGIC_DIR := hyp/arch/arm64/vgic
UNIT_TESTS += vgic
UNIT_SRCS_vgic := $(VGIC_DIR)/vgic.c $(VGIC_DIR)/regs.c $(VGIC_DIR)/dist.c $(VGIC_DIR)/redist.c \
                  $(VGIC_DIR)/lr.c hyp/core/vmmio.c hyp/core/ratelimit.c tests/unit/vgic_doubles.c
UNIT_DEPS_vgic := $(VGIC_DIR)/vgic_internal.h hyp/arch/arm64/include/arm64/vgic.h
# Host SPIs given to a domain, against a model of the host interrupt controller.
UNIT_TESTS += vgic_passthru
UNIT_SRCS_vgic_passthru := $(UNIT_SRCS_vgic) $(VGIC_DIR)/passthru.c
UNIT_DEPS_vgic_passthru := $(UNIT_DEPS_vgic)
UNIT_CFLAGS_vgic_passthru := -pthread

# Virtual timers: vtimer.c is #included by the test, with its system registers faked.
UNIT_TESTS += vtimer
UNIT_DEPS_vtimer := hyp/arch/arm64/vtimer.c hyp/arch/arm64/include/arm64/vtimer.h
