/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical page allocator: a binary buddy allocator over all RAM the device tree describes,
 * minus Keel's image and the boot-time reserved ranges.  Blocks of 2^order pages, naturally
 * aligned, orders 0..PAGE_MAX_ORDER (1 GiB).  Safe from any CPU (one lock); never sleeps.
 */
#pragma once

#include <hyp/types.h>

#define PAGE_MAX_ORDER 18 /* 2^18 pages = 1 GiB */

/* Hand all free RAM in bootinfo to the allocator.  Boot CPU, once. */
void page_alloc_init(void);

/* 2^order pages aligned to their size, or NULL.  page_alloc's hold whatever they held (for
 * Keel's own use); page_zalloc's are zeroed; page_alloc_guest's are zeroed and cleaned to the
 * point of coherency, for a guest that may run with its caches off.  Only pages that may hold
 * data are zeroed (see page_scrub). */
void *page_alloc(unsigned order);
void *page_zalloc(unsigned order);
void *page_alloc_guest(unsigned order);
/* A block for a guest whose zeroing is left to the caller, to do when the guest first touches
 * it: *zeroed says whether it reads as zeros already (scrubbed, to the point of coherency) or
 * may hold someone's data. */
void *page_alloc_unzeroed(unsigned order, bool *zeroed);
/* Return a block; order must be the one it was allocated with.  p may be NULL.  A pointer the
 * allocator did not hand out, a wrong order or a double free is a Keel bug (BUG_ON). */
void page_free(void *p, unsigned order);
/* Return npages pages from p on, which may be any part of one or more allocated blocks (a guest
 * gives memory back page by page): what is left of a block stays allocated.  Freeing a page
 * that is not allocated is a Keel bug (BUG_ON). */
void page_free_range(void *p, uint64_t npages);

/* From the idle loop: zero up to max_pages free pages that may hold data, so that later
 * allocations find them zeroed.  Returns how many it zeroed (0: nothing left to do).  Boot
 * memory is left to be zeroed when it is first handed out, unless told otherwise. */
unsigned page_scrub(unsigned max_pages);
/* bootscrub=idle: the idle scrubber zeroes the memory boot left as well. */
void page_alloc_scrub_boot_memory(bool idle);

struct page_stats {
    uint64_t total_pages; /* managed by the allocator */
    uint64_t free_pages;
    uint64_t dirty_pages;                     /* free pages freed since last zeroed */
    uint64_t virgin_pages;                    /* free pages not handed out since boot */
    uint64_t largest_free_order;              /* highest order with a free block, or 0 */
    uint64_t free_blocks[PAGE_MAX_ORDER + 1]; /* free blocks of each order */
};

/* A consistent snapshot of the counters (exact, taken under the allocator's lock). */
void page_alloc_stats(struct page_stats *out);
