/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Buddy page allocator.  Owns every free page of the RAM regions it is given, the intrusive free
 * lists threaded through those pages, and one metadata byte and a state bit per page carved
 * from the same RAM: whether a free page may hold someone's data (dirty: freed since it was
 * last zeroed); and a bit per 2 MiB chunk: whether it has not been handed out since boot
 * (virgin: unknown contents).  Pages that are neither read as zeros, except the first 16 bytes
 * of a free block smaller than a chunk (its list links), which are cleared when the block
 * leaves its list; larger blocks keep their links in a per-chunk array, so that handing out a
 * domain's RAM (whole chunks) writes nothing into it.  Pages are zeroed only when handed out zeroed
 * (page_zalloc, page_alloc_guest) or by the idle scrubber (page_scrub).
 * All of it is guarded by pool.lock, taken with interrupts masked; it is an innermost lock (no
 * other lock is taken under it).  It knows nothing of bootinfo or Keel's image (see
 * page_alloc_boot.c) and never maps memory: RAM is mapped 1:1, so an address is the pointer.
 */
#include <hyp/arch/mm.h>
#include <hyp/bitops.h>
#include <hyp/config.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/page_alloc.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

#include "page_alloc_internal.h"

/*
 * Metadata: one byte per page says what starts there.  Pages inside a block, in holes or
 * holding the metadata itself are META_NONE, so a buddy is free and whole exactly when its
 * first byte equals the order being merged, and page_free() can check the order it is given.
 */
#define META_NONE 0xffu
#define META_ALLOC 0x80u /* | order: first page of an allocated block */
/* 0..PAGE_MAX_ORDER: first page of a free block of that order */

#define BLOCK_SIZE(order) (PAGE_SIZE << (order))

/* What a block being handed out must hold. */
enum page_zero {
    PAGE_AS_IS,      /* whatever it holds (Keel's own use, overwritten at once) */
    PAGE_ZERO,       /* zeros */
    PAGE_ZERO_GUEST, /* zeros, cleaned to the point of coherency for a guest with caches off */
};

/* Kept in the first bytes of each free block. */
struct free_block {
    struct free_block *next, *prev;
};

/* One RAM bank: [base, end) page aligned, with its metadata. */
struct region {
    uint64_t base, end;
    uint8_t *meta;
    uint64_t *dirty;                /* bit per page: free, and freed since last zeroed */
    uint64_t *virgin;               /* bit per chunk: all of it free and untouched since boot */
    struct free_block *chunk_links; /* per chunk: links of a free block of a chunk or more */
};

static struct {
    struct spinlock lock;
    struct region regions[MAX_MEM_BANKS];
    unsigned nr_regions;
    struct free_block free[PAGE_MAX_ORDER + 1]; /* circular lists, one per order */
    uint64_t nr_free[PAGE_MAX_ORDER + 1];
    uint64_t total_pages, free_pages;
    uint64_t dirty_pages;  /* free pages with their dirty bit set */
    uint64_t virgin_pages; /* free pages with their virgin bit set */
    unsigned scrub_region; /* where the idle scrubber looks next */
    uint64_t scrub_word;
    bool scrub_virgin; /* bootscrub=idle: the idle scrubber zeroes boot memory too */
} pool;

/* Regions do not change after init, so this needs no lock. */
static struct region *region_of(uint64_t addr)
{
    for (unsigned i = 0; i < pool.nr_regions; i++)
        if (addr >= pool.regions[i].base && addr < pool.regions[i].end)
            return &pool.regions[i];
    return NULL;
}

static uint8_t *meta_of(const struct region *r, uint64_t addr)
{
    return &r->meta[(addr - r->base) >> PAGE_SHIFT];
}

/* --- the per-page state bits (lock held) --- */

/* Bytes of one state bitmap for a region of n pages (whole 64-bit words). */
static uint64_t bitmap_bytes(uint64_t n)
{
    return ALIGN_UP(n, 64) / 8;
}

/*
 * Virgin memory (boot left it, contents unknown) is kept per naturally aligned chunk, a bit
 * each, not per page: a chunk is virgin while every page of it is free and none has been
 * handed out since boot.  Handing out whole chunks (a domain's RAM) then costs a bit per
 * chunk; the first smaller block taken from a virgin chunk makes the chunk's pages dirty, page
 * by page from then on.  Pieces of boot memory smaller than a chunk start dirty.
 */
#define CHUNK_PAGES 512UL
#define CHUNK_SIZE (CHUNK_PAGES * PAGE_SIZE)
#define CHUNK_ORDER 9 /* the order of a chunk */

static uint64_t chunk_base(const struct region *r)
{
    return ALIGN_DOWN(r->base, CHUNK_SIZE);
}

static uint64_t chunk_of(const struct region *r, uint64_t addr)
{
    return (addr - chunk_base(r)) / CHUNK_SIZE;
}

static uint64_t nr_chunks(const struct region *r)
{
    return (ALIGN_UP(r->end, CHUNK_SIZE) - chunk_base(r)) / CHUNK_SIZE;
}

static uint64_t index_of(const struct region *r, uint64_t addr)
{
    return (addr - r->base) >> PAGE_SHIFT;
}

static bool test_bit(const uint64_t *map, uint64_t i)
{
    return map[i / 64] >> (i % 64) & 1;
}

/* Set (value true) or clear the bits [i, i + n) of map; returns how many changed. */
/* Whole groups of four words, uniform before and after: a large block coming or going, as a
 * domain's memory does, costs a few instructions per 256 pages.  Returns how many bits
 * changed, or ~0 if some group is mixed (the caller then goes word by word from i). */
static uint64_t set_groups(uint64_t *map, uint64_t *i, uint64_t *n, uint64_t fill)
{
    uint64_t changed = 0;
    while (*n >= 256) {
        uint64_t *w = &map[*i / 64];
        uint64_t all = w[0] & w[1] & w[2] & w[3], any = w[0] | w[1] | w[2] | w[3];
        if (all == ~0UL)
            changed += fill ? 0 : 256;
        else if (!any)
            changed += fill ? 256 : 0;
        else
            break;
        w[0] = w[1] = w[2] = w[3] = fill;
        *i += 256;
        *n -= 256;
    }
    return changed;
}

static uint64_t set_bits(uint64_t *map, uint64_t i, uint64_t n, bool value)
{
    uint64_t changed = 0;
    while (n) {
        if (!(i % 256))
            changed += set_groups(map, &i, &n, value ? ~0UL : 0);
        if (!n)
            break;
        unsigned bit = i % 64;
        uint64_t take = MIN(n, 64 - bit);
        uint64_t mask = (take == 64 ? ~0UL : (1UL << take) - 1) << bit;
        uint64_t old = map[i / 64];
        uint64_t now = value ? old | mask : old & ~mask;
        changed += popcount64(old ^ now);
        map[i / 64] = now;
        i += take;
        n -= take;
    }
    return changed;
}

/* Pages [addr, + n) go back free: they may hold whatever their user left. */
static void mark_freed(const struct region *r, uint64_t addr, uint64_t n)
{
    pool.dirty_pages += set_bits(r->dirty, index_of(r, addr), n, true);
}

/* Runs of pages a block being handed out must have zeroed, found under the lock and zeroed
 * after it (a whole domain's memory can be one block).  Past MAX_RUNS, the rest of the block
 * is zeroed whole: some pages twice is cheaper than a bigger record. */
#define MAX_RUNS 8

struct zero_runs {
    unsigned n;
    uint64_t start[MAX_RUNS], pages[MAX_RUNS];
};

static bool needs_zero(const struct region *r, uint64_t i)
{
    return test_bit(r->dirty, i) || test_bit(r->virgin, chunk_of(r, r->base + i * PAGE_SIZE));
}

/* Lock held.  The virgin chunk holding addr goes page by page: all its pages dirty. */
static void split_virgin(const struct region *r, uint64_t addr)
{
    uint64_t c = chunk_of(r, addr);
    if (!test_bit(r->virgin, c))
        return;
    set_bits(r->virgin, c, 1, false);
    pool.virgin_pages -= CHUNK_PAGES;
    pool.dirty_pages +=
        set_bits(r->dirty, index_of(r, ALIGN_DOWN(addr, CHUNK_SIZE)), CHUNK_PAGES, true);
}

/* Lock held.  The virgin chunks inside the whole chunks [addr, + n pages) are taken: how many
 * pages they held. */
static uint64_t take_virgin_chunks(const struct region *r, uint64_t addr, uint64_t n)
{
    uint64_t pages = 0;
    for (uint64_t c = chunk_of(r, addr); n; c++, n -= CHUNK_PAGES) {
        if (test_bit(r->virgin, c)) {
            set_bits(r->virgin, c, 1, false);
            pages += CHUNK_PAGES;
        }
    }
    pool.virgin_pages -= pages;
    return pages;
}

/* Lock held.  Pages [addr, + n) are handed out: note the runs that may hold data (when the
 * caller wants zeros) and drop their state bits.  Returns whether any of them may hold data. */
static bool mark_taken(const struct region *r, uint64_t addr, uint64_t n, struct zero_runs *z)
{
    uint64_t first = index_of(r, addr);
    for (uint64_t i = 0; z && i < n; i++) {
        if (!needs_zero(r, first + i))
            continue;
        uint64_t j = i + 1;
        while (j < n && needs_zero(r, first + j))
            j++;
        if (z->n == MAX_RUNS) { /* record full: the last run takes the rest */
            z->pages[MAX_RUNS - 1] = n - (z->start[MAX_RUNS - 1] - addr) / PAGE_SIZE;
            break;
        }
        z->start[z->n] = addr + i * PAGE_SIZE;
        z->pages[z->n++] = j - i;
        i = j - 1;
    }
    /* Blocks are aligned to their size: a block is whole chunks or lies inside one. */
    uint64_t virgin = 0;
    if (n >= CHUNK_PAGES)
        virgin = pool.virgin_pages ? take_virgin_chunks(r, addr, n) : 0;
    else
        split_virgin(r, addr);
    /* A map with no bit set anywhere (nothing freed yet; boot memory all scrubbed) needs no
     * look: that keeps handing out a large block cheap. */
    uint64_t dirty = pool.dirty_pages ? set_bits(r->dirty, first, n, false) : 0;
    pool.dirty_pages -= dirty;
    return dirty || virgin;
}

static void zero_runs(const struct zero_runs *z, enum page_zero zero)
{
    for (unsigned i = 0; i < z->n; i++) {
        void *p = (void *)(uintptr_t)z->start[i];
        if (zero == PAGE_ZERO_GUEST)
            arch_clear_memory(p, z->pages[i] * PAGE_SIZE);
        else
            arch_zero_memory(p, z->pages[i] * PAGE_SIZE);
    }
}

/* Where the list links of the free block at addr of order live: in the block's first bytes
 * when it is smaller than a chunk, else in the region's per-chunk array.  Then allocating and
 * freeing a domain's RAM writes nothing into it: under emulation the host does not fault in,
 * and zero, memory the guest never touches (issue 13: that was 1.1 s of host time per Linux
 * boot on a 1.5 GiB machine). */
static struct free_block *links_of(const struct region *r, uint64_t addr, unsigned order)
{
    return order >= CHUNK_ORDER ? &r->chunk_links[chunk_of(r, addr)]
                                : (struct free_block *)(uintptr_t)addr;
}

/* Lock held.  The first block on the list of order k, and its region. */
static uint64_t first_free(unsigned k, const struct region **rp)
{
    struct free_block *l = pool.free[k].next;
    if (k < CHUNK_ORDER) {
        *rp = region_of((uintptr_t)l);
        return (uintptr_t)l;
    }
    for (unsigned i = 0; i < pool.nr_regions; i++) {
        const struct region *r = &pool.regions[i];
        if (l >= r->chunk_links && l < r->chunk_links + nr_chunks(r)) {
            *rp = r;
            return chunk_base(r) + (uint64_t)(l - r->chunk_links) * CHUNK_SIZE;
        }
    }
    *rp = NULL;
    return 0;
}

static void add_free(const struct region *r, uint64_t addr, unsigned order)
{
    struct free_block *head = &pool.free[order];
    struct free_block *b = links_of(r, addr, order);
    b->next = head->next;
    b->prev = head;
    head->next->prev = b;
    head->next = b;
    *meta_of(r, addr) = (uint8_t)order;
    pool.nr_free[order]++;
}

static void take_free(const struct region *r, uint64_t addr, unsigned order)
{
    struct free_block *b = links_of(r, addr, order);
    /* A free block whose byte disagrees means the lists or the metadata were overwritten. */
    BUG_ON(*meta_of(r, addr) != order);
    b->prev->next = b->next;
    b->next->prev = b->prev;
    /* A clean page must read as zeros once off the list, to a guest with its caches off as
     * well. */
    b->next = b->prev = NULL;
    if (order < CHUNK_ORDER)
        arch_clean_dcache(b, sizeof(*b));
    *meta_of(r, addr) = META_NONE;
    pool.nr_free[order]--;
}

/* Put a block whose first byte is META_NONE on the free lists, merging with free buddies. */
static void free_and_merge(const struct region *r, uint64_t addr, unsigned order)
{
    while (order < PAGE_MAX_ORDER) {
        uint64_t buddy = addr ^ BLOCK_SIZE(order);
        /* A buddy outside the region (another bank, or no RAM at all) never merges. */
        if (buddy < r->base || buddy >= r->end || r->end - buddy < BLOCK_SIZE(order))
            break;
        if (*meta_of(r, buddy) != order)
            break;
        take_free(r, buddy, order);
        addr &= ~BLOCK_SIZE(order);
        order++;
    }
    add_free(r, addr, order);
}

static void *alloc_block(unsigned order, enum page_zero zero, bool *had_data)
{
    if (order > PAGE_MAX_ORDER)
        return NULL;
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    unsigned k = order;
    while (k <= PAGE_MAX_ORDER && !pool.nr_free[k])
        k++;
    if (k > PAGE_MAX_ORDER) {
        spin_unlock_irqrestore(&pool.lock, flags);
        return NULL;
    }
    const struct region *r;
    uint64_t addr = first_free(k, &r);
    BUG_ON(!r);
    take_free(r, addr, k);
    /* Keep the lower half, free the upper half, until the block has the asked order. */
    while (k > order) {
        k--;
        add_free(r, addr + BLOCK_SIZE(k), k);
    }
    *meta_of(r, addr) = (uint8_t)(META_ALLOC | order);
    pool.free_pages -= 1UL << order;
    struct zero_runs z = { 0 };
    bool data = mark_taken(r, addr, 1UL << order, zero == PAGE_AS_IS ? NULL : &z);
    spin_unlock_irqrestore(&pool.lock, flags);
    if (had_data)
        *had_data = data;
    zero_runs(&z, zero); /* the block is ours now: no lock needed */
    return (void *)(uintptr_t)addr;
}

void *page_alloc(unsigned order)
{
    return alloc_block(order, PAGE_AS_IS, NULL);
}

void *page_zalloc(unsigned order)
{
    return alloc_block(order, PAGE_ZERO, NULL);
}

void *page_alloc_guest(unsigned order)
{
    return alloc_block(order, PAGE_ZERO_GUEST, NULL);
}

void *page_alloc_unzeroed(unsigned order, bool *zeroed)
{
    bool data = true;
    void *p = alloc_block(order, PAGE_AS_IS, &data);
    *zeroed = !data;
    return p;
}

void page_free(void *p, unsigned order)
{
    uint64_t addr = (uintptr_t)p;
    if (!p)
        return;
    BUG_ON(order > PAGE_MAX_ORDER);
    BUG_ON(!IS_ALIGNED(addr, BLOCK_SIZE(order)));
    const struct region *r = region_of(addr);
    BUG_ON(!r || r->end - addr < BLOCK_SIZE(order));
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    /* Catches a double free, a wrong order and a pointer into the middle of a block. */
    BUG_ON(*meta_of(r, addr) != (META_ALLOC | order));
    *meta_of(r, addr) = META_NONE;
    pool.free_pages += 1UL << order;
    mark_freed(r, addr, 1UL << order);
    free_and_merge(r, addr, order);
    spin_unlock_irqrestore(&pool.lock, flags);
}

/* Lock held.  The start of the allocated block that contains addr, and its order; false if
 * addr is in no allocated block.  Blocks are aligned to their size and their inner pages are
 * META_NONE, so the nearest aligned start below addr that is marked at all starts the block
 * that holds addr: allocated (META_ALLOC | order) or free (its order). */
static bool containing_block(const struct region *r, uint64_t addr, uint64_t *start,
                             unsigned *order)
{
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        uint64_t s = ALIGN_DOWN(addr, BLOCK_SIZE(k));
        if (s < r->base)
            break;
        unsigned m = *meta_of(r, s);
        if (m == META_NONE)
            continue;
        if (!(m & META_ALLOC) || s + BLOCK_SIZE(m & ~META_ALLOC) <= addr)
            return false;
        *start = s;
        *order = m & ~META_ALLOC;
        return true;
    }
    return false;
}

/* Lock held.  Free [s, e), which lies inside the allocated block [b, b + 2^k pages): the
 * parts of the block outside the range stay allocated, as blocks of their own. */
static void free_part(const struct region *r, uint64_t b, unsigned k, uint64_t s, uint64_t e)
{
    if (s == b && e == b + BLOCK_SIZE(k)) {
        *meta_of(r, b) = META_NONE;
        pool.free_pages += 1UL << k;
        mark_freed(r, b, 1UL << k);
        free_and_merge(r, b, k);
        return;
    }
    /* Split in halves; each half is an allocated block until freed. */
    k--;
    uint64_t mid = b + BLOCK_SIZE(k);
    *meta_of(r, b) = (uint8_t)(META_ALLOC | k);
    *meta_of(r, mid) = (uint8_t)(META_ALLOC | k);
    if (s < mid)
        free_part(r, b, k, s, MIN(e, mid));
    if (e > mid)
        free_part(r, mid, k, MAX(s, mid), e);
}

void page_free_range(void *p, uint64_t npages)
{
    uint64_t addr = (uintptr_t)p, end = addr + npages * PAGE_SIZE;
    BUG_ON(!IS_ALIGNED(addr, PAGE_SIZE) || end < addr);
    const struct region *r = region_of(addr);
    BUG_ON(npages && (!r || end > r->end));
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    while (addr < end) {
        uint64_t b;
        unsigned k;
        BUG_ON(!containing_block(r, addr, &b, &k)); /* a free or never-managed page */
        uint64_t stop = MIN(end, b + BLOCK_SIZE(k));
        free_part(r, b, k, addr, stop);
        addr = stop;
    }
    spin_unlock_irqrestore(&pool.lock, flags);
}

/* --- the idle scrubber --- */

/* Lock held.  Whether the page at addr is free (inside a free block). */
static bool page_is_free(const struct region *r, uint64_t addr)
{
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        uint64_t s = ALIGN_DOWN(addr, BLOCK_SIZE(k));
        if (s < r->base)
            return false;
        unsigned m = *meta_of(r, s);
        if (m != META_NONE)
            return !(m & META_ALLOC) && s + BLOCK_SIZE(m) > addr;
    }
    return false;
}

/* Lock held.  Zero the free page at addr, keeping its list links if it heads a free block
 * that keeps them in itself. */
static void scrub_page(const struct region *r, uint64_t addr)
{
    struct free_block *b = (struct free_block *)(uintptr_t)addr, links = *b;
    unsigned m = *meta_of(r, addr); /* a free page: META_NONE, or the order of its block */
    arch_clear_memory(b, PAGE_SIZE);
    if (m != META_NONE && m < CHUNK_ORDER)
        *b = links;
}

/* Lock held.  The first virgin chunk goes page by page, for the scrubber to zero. */
static void split_next_virgin(void)
{
    for (unsigned i = 0; i < pool.nr_regions; i++) {
        const struct region *r = &pool.regions[i];
        for (uint64_t w = 0; w < bitmap_bytes(nr_chunks(r)) / 8; w++) {
            if (r->virgin[w]) {
                uint64_t c = w * 64 + (uint64_t)__builtin_ctzll(r->virgin[w]);
                split_virgin(r, chunk_base(r) + c * CHUNK_SIZE);
                return;
            }
        }
    }
}

/* Lock held.  The next page the scrubber should zero, from its cursor on, looking at no more
 * than `budget` bitmap words; 0 if none was found. */
static uint64_t next_to_scrub(unsigned budget)
{
    for (; budget && pool.scrub_region < pool.nr_regions; budget--) {
        const struct region *r = &pool.regions[pool.scrub_region];
        uint64_t words = bitmap_bytes((r->end - r->base) >> PAGE_SHIFT) / 8;
        if (pool.scrub_word >= words) {
            pool.scrub_region++;
            pool.scrub_word = 0;
            continue;
        }
        uint64_t w = r->dirty[pool.scrub_word];
        if (!w) {
            pool.scrub_word++;
            continue;
        }
        uint64_t i = pool.scrub_word * 64 + (uint64_t)__builtin_ctzll(w);
        return r->base + i * PAGE_SIZE;
    }
    return 0;
}

unsigned page_scrub(unsigned max_pages)
{
    unsigned done = 0;
    while (done < max_pages) {
        unsigned long flags = spin_lock_irqsave(&pool.lock);
        if (!pool.dirty_pages && (!pool.scrub_virgin || !pool.virgin_pages)) {
            spin_unlock_irqrestore(&pool.lock, flags);
            break;
        }
        if (pool.scrub_region >= pool.nr_regions) {
            pool.scrub_region = 0; /* round again: pages were freed behind the cursor */
            pool.scrub_word = 0;
        }
        if (!pool.dirty_pages)
            split_next_virgin(); /* bootscrub=idle, and only boot memory is left */
        uint64_t addr = next_to_scrub(64);
        if (addr) {
            const struct region *r = region_of(addr);
            BUG_ON(!r || !page_is_free(r, addr)); /* a state bit is only ever on free pages */
            scrub_page(r, addr);
            uint64_t i = index_of(r, addr);
            pool.dirty_pages -= set_bits(r->dirty, i, 1, false);
            done++;
        }
        spin_unlock_irqrestore(&pool.lock, flags);
    }
    return done;
}

void page_alloc_scrub_boot_memory(bool idle)
{
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    pool.scrub_virgin = idle;
    spin_unlock_irqrestore(&pool.lock, flags);
}

void page_alloc_stats(struct page_stats *out)
{
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    out->total_pages = pool.total_pages;
    out->free_pages = pool.free_pages;
    out->dirty_pages = pool.dirty_pages;
    out->virgin_pages = pool.virgin_pages;
    out->largest_free_order = 0;
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        out->free_blocks[k] = pool.nr_free[k];
        if (pool.nr_free[k])
            out->largest_free_order = k;
    }
    spin_unlock_irqrestore(&pool.lock, flags);
}

int page_alloc_block_order(const void *p)
{
    uint64_t addr = (uintptr_t)p;
    const struct region *r = region_of(addr);
    if (!r)
        return -EINVAL;
    if (!IS_ALIGNED(addr, PAGE_SIZE))
        return -ENOENT;
    unsigned long flags = spin_lock_irqsave(&pool.lock);
    unsigned m = *meta_of(r, addr);
    spin_unlock_irqrestore(&pool.lock, flags);
    if (m < META_ALLOC || m > META_ALLOC + PAGE_MAX_ORDER)
        return -ENOENT;
    return (int)(m - META_ALLOC);
}

/* ---- Initialisation: regions minus holes minus the metadata. ---- */

/* The RAM being handed over, as init sees it: the caller's holes and, once placed, the
 * metadata are both excluded. */
struct carve {
    const struct mem_range *holes;
    unsigned nr_holes;
    uint64_t meta_base, meta_end;
};

/* A hole widened to whole pages; false if it is empty. */
static bool hole_bounds(const struct mem_range *h, uint64_t *base, uint64_t *end)
{
    if (!h->size)
        return false;
    uint64_t last = h->size - 1 > UINT64_MAX - h->base ? UINT64_MAX : h->base + h->size - 1;
    *base = ALIGN_DOWN(h->base, PAGE_SIZE);
    *end = ALIGN_DOWN(last, PAGE_SIZE) + PAGE_SIZE; /* 0 if the hole reaches the top: wraps */
    if (*end == 0)
        *end = UINT64_MAX & PAGE_MASK;
    return true;
}

/* The first address at or above addr that no hole covers. */
static uint64_t skip_holes(const struct carve *c, uint64_t addr)
{
    bool moved = true;
    while (moved) {
        moved = false;
        if (addr < PAGE_SIZE) {
            addr = PAGE_SIZE; /* page 0 would read as NULL */
            moved = true;
        }
        if (addr >= c->meta_base && addr < c->meta_end) {
            addr = c->meta_end;
            moved = true;
        }
        for (unsigned i = 0; i < c->nr_holes; i++) {
            uint64_t b, e;
            if (hole_bounds(&c->holes[i], &b, &e) && addr >= b && addr < e) {
                addr = e;
                moved = true;
            }
        }
    }
    return addr;
}

/* The lowest hole start above addr, or limit. */
static uint64_t next_hole(const struct carve *c, uint64_t addr, uint64_t limit)
{
    uint64_t n = limit;
    if (c->meta_base > addr && c->meta_base < n)
        n = c->meta_base;
    for (unsigned i = 0; i < c->nr_holes; i++) {
        uint64_t b, e;
        if (hole_bounds(&c->holes[i], &b, &e) && b > addr && b < n)
            n = b;
    }
    return n;
}

/* The first free range [*s, *e) within [from, end); false if there is none. */
static bool next_free_range(const struct carve *c, uint64_t from, uint64_t end, uint64_t *s,
                            uint64_t *e)
{
    uint64_t start = skip_holes(c, from);
    if (start >= end)
        return false;
    *s = start;
    *e = next_hole(c, start, end);
    return true;
}

static int set_regions(const struct mem_range *ram, unsigned nr_ram)
{
    for (unsigned i = 0; i < nr_ram; i++) {
        if (ram[i].size > UINT64_MAX - ram[i].base)
            return -EINVAL;
        if (ram[i].size < PAGE_SIZE)
            continue;
        uint64_t base = ALIGN_UP(ram[i].base, PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(ram[i].base + ram[i].size, PAGE_SIZE);
        if (end <= base)
            continue;
        if (pool.nr_regions == MAX_MEM_BANKS)
            return -EINVAL;
        for (unsigned j = 0; j < pool.nr_regions; j++)
            if (base < pool.regions[j].end && pool.regions[j].base < end)
                return -EINVAL;
        pool.regions[pool.nr_regions++] = (struct region){ base, end, NULL, NULL, NULL, NULL };
    }
    return 0;
}

/* One metadata array for all regions, then each region's two state bitmaps, then each region's
 * per-chunk list links, in the lowest free range that holds them whole: small banks then cost
 * bytes, not a page each. */
static int place_meta(struct carve *c)
{
    uint64_t bytes = 0, bits = 0, links = 0;
    for (unsigned i = 0; i < pool.nr_regions; i++) {
        uint64_t n = (pool.regions[i].end - pool.regions[i].base) >> PAGE_SHIFT;
        bytes += n;
        bits += bitmap_bytes(n) + bitmap_bytes(nr_chunks(&pool.regions[i]));
        links += nr_chunks(&pool.regions[i]) * sizeof(struct free_block);
    }
    uint64_t size = ALIGN_UP(ALIGN_UP(bytes, 8) + bits + links, PAGE_SIZE);
    for (unsigned i = 0; i < pool.nr_regions && !c->meta_end; i++) {
        const struct region *r = &pool.regions[i];
        uint64_t s, e;
        for (uint64_t pos = r->base; next_free_range(c, pos, r->end, &s, &e); pos = e) {
            if (e - s >= size) {
                c->meta_base = s;
                c->meta_end = s + size;
                break;
            }
        }
    }
    if (!c->meta_end)
        return -ENOMEM;
    uint8_t *meta = (uint8_t *)(uintptr_t)c->meta_base;
    memset(meta, META_NONE, bytes);
    uint64_t *map = (uint64_t *)(uintptr_t)(c->meta_base + ALIGN_UP(bytes, 8));
    memset(map, 0, bits + links);
    struct free_block *lk =
        (struct free_block *)(uintptr_t)(c->meta_base + ALIGN_UP(bytes, 8) + bits);
    for (unsigned i = 0; i < pool.nr_regions; i++) {
        uint64_t n = (pool.regions[i].end - pool.regions[i].base) >> PAGE_SHIFT;
        pool.regions[i].meta = meta;
        meta += n;
        pool.regions[i].dirty = map;
        map += bitmap_bytes(n) / 8;
        pool.regions[i].virgin = map;
        map += bitmap_bytes(nr_chunks(&pool.regions[i])) / 8;
        pool.regions[i].chunk_links = lk;
        lk += nr_chunks(&pool.regions[i]);
    }
    return 0;
}

/* Hand [s, e) over as the largest naturally aligned blocks that fit. */
static void add_range(const struct region *r, uint64_t s, uint64_t e)
{
    while (s < e) {
        unsigned order = 0;
        while (order < PAGE_MAX_ORDER && IS_ALIGNED(s, BLOCK_SIZE(order + 1)) &&
               e - s >= BLOCK_SIZE(order + 1))
            order++;
        free_and_merge(r, s, order);
        pool.total_pages += 1UL << order;
        pool.free_pages += 1UL << order;
        /* What boot left in RAM is unknown: zeroed before anyone gets it, not before. */
        if (order >= CHUNK_ORDER) {
            for (uint64_t a = s; a < s + BLOCK_SIZE(order); a += CHUNK_SIZE)
                set_bits(r->virgin, chunk_of(r, a), 1, true);
            pool.virgin_pages += 1UL << order;
        } else {
            pool.dirty_pages += set_bits(r->dirty, index_of(r, s), 1UL << order, true);
        }
        s += BLOCK_SIZE(order);
    }
}

int page_alloc_init_ranges(const struct mem_range *ram, unsigned nr_ram,
                           const struct mem_range *holes, unsigned nr_holes)
{
    memset(&pool, 0, sizeof(pool));
    pool.lock = SPINLOCK_INIT;
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++)
        pool.free[k].next = pool.free[k].prev = &pool.free[k];
    struct carve c = { holes, nr_holes, 0, 0 };
    int rc = set_regions(ram, nr_ram);
    if (!rc)
        rc = place_meta(&c);
    if (rc) {
        pool.nr_regions = 0;
        return rc;
    }
    for (unsigned i = 0; i < pool.nr_regions; i++) {
        const struct region *r = &pool.regions[i];
        uint64_t s, e;
        for (uint64_t pos = r->base; next_free_range(&c, pos, r->end, &s, &e); pos = e)
            add_range(r, s, e);
    }
    return 0;
}
