# Memory management: the buddy page allocator and the heap on top of it.
UNIT_TESTS += page_alloc heap
UNIT_SRCS_page_alloc := hyp/core/mm/page_alloc.c
UNIT_DEPS_page_alloc := hyp/core/mm/page_alloc_internal.h
UNIT_SRCS_heap := hyp/core/mm/heap.c hyp/core/mm/page_alloc.c
UNIT_DEPS_heap := hyp/core/mm/page_alloc_internal.h
