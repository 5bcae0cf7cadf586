/*
 * Small-object allocator on top of the page allocator: power-of-two size classes from 16 B to
 * 2 KiB carved from pages, larger requests rounded up to whole pages.  Safe from any CPU.
 */
#pragma once

#include <hyp/types.h>

void heap_init(void);
/* size bytes aligned to min(size class, PAGE_SIZE), or NULL.  heap_zalloc() zeroes. */
void *heap_alloc(size_t size);
void *heap_zalloc(size_t size);
/* p may be NULL. */
void heap_free(void *p);

struct heap_stats {
    uint64_t bytes_in_use; /* sum of size-class (or page-rounded) sizes handed out */
    uint64_t pages;        /* pages the heap holds from the page allocator */
};

void heap_stats(struct heap_stats *out);
