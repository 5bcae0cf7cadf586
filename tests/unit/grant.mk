# SPDX-License-Identifier: Apache-2.0
# The grant-table state machine over the real physmap, frames and page allocator; the arch p2m
# and the domain table are stand-ins in the test.
UNIT_TESTS += gnttab
UNIT_SRCS_gnttab := hyp/core/grant/gnttab.c hyp/core/grant/gnttab_map.c \
                    hyp/core/grant/gnttab_copy.c hyp/core/mm/physmap.c hyp/core/mm/frame.c \
                    hyp/core/mm/page_alloc.c
UNIT_DEPS_gnttab := hyp/core/grant/gnttab_internal.h hyp/core/mm/frame_internal.h \
                    hyp/core/mm/page_alloc_internal.h
# grant_table_op's decoding, with stand-in grant-table operations and guest memory.
UNIT_TESTS += grant_table_op
UNIT_SRCS_grant_table_op := hyp/core/hypercall/grant_table_op.c tests/unit/guest_mem_stub.c
