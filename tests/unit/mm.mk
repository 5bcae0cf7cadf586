# SPDX-License-Identifier: Apache-2.0
# Memory management: the buddy page allocator and the heap on top of it.
UNIT_TESTS += page_alloc heap
UNIT_SRCS_page_alloc := hyp/core/mm/page_alloc.c
UNIT_DEPS_page_alloc := hyp/core/mm/page_alloc_internal.h
UNIT_SRCS_heap := hyp/core/mm/heap.c hyp/core/mm/page_alloc.c
UNIT_DEPS_heap := hyp/core/mm/page_alloc_internal.h
# Frame descriptors over the real page allocator; threads stand in for pCPUs.
UNIT_TESTS += frame
UNIT_SRCS_frame := hyp/core/mm/frame.c hyp/core/mm/page_alloc.c
UNIT_DEPS_frame := hyp/core/mm/frame_internal.h hyp/core/mm/page_alloc_internal.h
UNIT_CFLAGS_frame := -pthread
# A domain's guest memory map over the real stage-2 encoding, tables, frames and allocator.
UNIT_TESTS += physmap
UNIT_SRCS_physmap := tests/unit/heap_stub.c hyp/core/mm/physmap.c hyp/arch/arm64/p2m_map.c hyp/arch/arm64/pgtable.c \
                     hyp/core/mm/frame.c hyp/core/mm/page_alloc.c
UNIT_DEPS_physmap := hyp/core/mm/frame_internal.h hyp/core/mm/page_alloc_internal.h
UNIT_CFLAGS_physmap := -pthread
