# SPDX-License-Identifier: Apache-2.0
# Spectre mitigations: which CPU needs what and what guests are told (spectre.c, pure).
UNIT_TESTS += spectre
UNIT_SRCS_spectre := hyp/arch/arm64/spectre.c
UNIT_DEPS_spectre := hyp/arch/arm64/include/arm64/spectre.h
