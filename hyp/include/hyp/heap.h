/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small-object allocator on top of the page allocator: power-of-two size classes from 16 B to
 * 2 KiB carved from pages, larger requests rounded up to a page-allocator block (a power of two
 * pages: ask page_alloc() directly for big buffers whose size matters).  Safe from any CPU.
 */
#pragma once

#include <hyp/types.h>

void heap_init(void);
/* size bytes aligned to min(size class, PAGE_SIZE), or NULL (also for size 0 and sizes above
 * 1 GiB).  heap_zalloc() zeroes. */
void *heap_alloc(size_t size);
void *heap_zalloc(size_t size);
/* p may be NULL.  A pointer the heap did not hand out, or a double free, is a Keel bug. */
void heap_free(void *p);

struct heap_stats {
    uint64_t bytes_in_use; /* sum of size-class (or block) sizes handed out */
    uint64_t pages;        /* pages the heap holds from the page allocator */
};

void heap_stats(struct heap_stats *out);
