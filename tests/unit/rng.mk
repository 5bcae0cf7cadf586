UNIT_TESTS += rng
UNIT_SRCS_rng := hyp/core/rng.c
