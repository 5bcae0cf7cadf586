# SPDX-License-Identifier: Apache-2.0
# Tests for the guest-facing pieces of the arm64 arch code that are pure logic.
UNIT_TESTS += guest_fdt
UNIT_SRCS_guest_fdt := hyp/arch/arm64/guest_fdt.c hyp/lib/fdt_write.c hyp/lib/fdt.c hyp/core/rng.c
