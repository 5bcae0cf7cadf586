# SPDX-License-Identifier: Apache-2.0
# The ID registers guests see: idregs.c is #included by the test, with the host's ID
# registers faked.
UNIT_TESTS += idregs
UNIT_DEPS_idregs := hyp/arch/arm64/idregs.c hyp/arch/arm64/include/arm64/idregs.h
