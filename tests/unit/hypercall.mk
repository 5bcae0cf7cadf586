# SPDX-License-Identifier: Apache-2.0
# Hypercall dispatch, multicall and the sub-op helper, with stand-in families and guest memory.
UNIT_TESTS += hypercall
UNIT_SRCS_hypercall := tests/unit/guest_mem_stub.c hyp/core/hypercall/hypercall.c hyp/core/hypercall/multicall.c \
                       hyp/core/hypercall/subop.c hyp/core/policy.c
