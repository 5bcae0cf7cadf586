# SPDX-License-Identifier: Apache-2.0
# memory_op's rules (core/mm/memory.c) over the real physmap, frame table and page allocator,
# with a page-granular stand-in for the arch p2m; and the HVM parameter rules.
UNIT_TESTS += memory
UNIT_SRCS_memory := tests/unit/log_stub.c tests/unit/heap_stub.c hyp/core/mm/memory.c hyp/core/mm/physmap.c hyp/core/mm/frame.c \
                    hyp/core/mm/page_alloc.c hyp/core/policy.c hyp/core/hvm_param.c
UNIT_DEPS_memory := hyp/core/mm/frame_internal.h hyp/core/mm/page_alloc_internal.h
