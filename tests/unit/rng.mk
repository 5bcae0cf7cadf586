# SPDX-License-Identifier: Apache-2.0
UNIT_TESTS += rng
UNIT_SRCS_rng := hyp/core/rng.c
