/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the page allocator shows only to the rest of core/mm, to its boot glue and to host unit
 * tests: setting it up from explicit ranges, and asking which allocated block starts at an
 * address.
 */
#pragma once

#include <hyp/bootinfo.h>
#include <hyp/types.h>

/*
 * (Re)initialise the allocator with the RAM in ram[] minus holes[] (any alignment: partial
 * pages of RAM are dropped, holes are widened to whole pages).  Forgets all earlier state.
 * The per-page metadata is carved from that RAM, and page 0 is never handed out (it would read
 * as NULL).  Boot CPU or a single-threaded test only.  Returns 0, -EINVAL (overlapping RAM
 * ranges, more than MAX_MEM_BANKS of them, or one that wraps) or -ENOMEM (no free range can
 * hold the metadata).  On error the allocator manages nothing.
 */
int page_alloc_init_ranges(const struct mem_range *ram, unsigned nr_ram,
                           const struct mem_range *holes, unsigned nr_holes);

/* Order of the allocated block that starts at p; -ENOENT if p is in managed RAM but no
 * allocated block starts there; -EINVAL if p is not in managed RAM. */
int page_alloc_block_order(const void *p);
