/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small-object heap: power-of-two size classes (16 B to 2 KiB) carved from 16 KiB slabs, and
 * larger requests passed to the page allocator as whole blocks.  heap.lock guards the slab
 * lists and the counters; it is taken before the page allocator's lock, never under it.  Empty
 * slabs are not cached but go straight back, so freeing everything returns every page, and
 * large blocks are not tracked here: the page allocator's metadata knows their order.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

#include "page_alloc_internal.h"

#define HEAP_MIN_SHIFT 4
#define HEAP_MAX_SHIFT 11
#define NR_CLASSES (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
/* 16 KiB: the 2 KiB class loses one slot of eight to the header instead of one of two. */
#define SLAB_ORDER 2
#define SLAB_SIZE (PAGE_SIZE << SLAB_ORDER)
#define SLAB_MAX_OBJS (SLAB_SIZE >> HEAP_MIN_SHIFT)
#define SLAB_MAGIC 0x42414c534c45454bULL /* "KEELSLAB" */
#define LARGE_MAX (PAGE_SIZE << PAGE_MAX_ORDER)

struct free_obj {
    struct free_obj *next;
};

/*
 * At the start of every slab (which the page allocator aligns to SLAB_SIZE), so an object's
 * slab is its address rounded down.  Objects start after the header, so no object sits at a
 * block start: heap_free() can tell them from large blocks by asking the page allocator.
 */
struct slab {
    uint64_t magic;
    struct slab *next, *prev; /* partial list of its class */
    struct free_obj *free;
    uint16_t shift, nr_objs, nr_free;
    uint64_t in_use[SLAB_MAX_OBJS / 64]; /* one bit per slot: catches double frees */
};

static struct {
    struct spinlock lock;
    struct slab *partial[NR_CLASSES]; /* slabs with at least one free object */
    uint64_t bytes_in_use, pages;
} heap;

void heap_init(void)
{
    memset(&heap, 0, sizeof(heap));
    heap.lock = SPINLOCK_INIT;
}

static uintptr_t first_offset(unsigned shift)
{
    return ALIGN_UP(sizeof(struct slab), 1UL << shift);
}

static void partial_add(struct slab *s)
{
    struct slab **head = &heap.partial[s->shift - HEAP_MIN_SHIFT];
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void partial_del(struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        heap.partial[s->shift - HEAP_MIN_SHIFT] = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

/* Caller holds heap.lock. */
static struct slab *slab_new(unsigned shift)
{
    struct slab *s = page_alloc(SLAB_ORDER);
    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    s->magic = SLAB_MAGIC;
    s->shift = (uint16_t)shift;
    /* Chain in address order so that objects allocated together sit together. */
    struct free_obj **link = &s->free;
    for (uintptr_t off = first_offset(shift); off < SLAB_SIZE; off += 1UL << shift) {
        struct free_obj *o = (struct free_obj *)((uintptr_t)s + off);
        *link = o;
        link = &o->next;
        s->nr_objs++;
    }
    *link = NULL;
    s->nr_free = s->nr_objs;
    heap.pages += 1UL << SLAB_ORDER;
    partial_add(s);
    return s;
}

static void *small_alloc(unsigned shift)
{
    unsigned long flags = spin_lock_irqsave(&heap.lock);
    struct slab *s = heap.partial[shift - HEAP_MIN_SHIFT];
    if (!s)
        s = slab_new(shift);
    if (!s) {
        spin_unlock_irqrestore(&heap.lock, flags);
        return NULL;
    }
    struct free_obj *o = s->free;
    s->free = o->next;
    unsigned idx = (unsigned)(((uintptr_t)o - (uintptr_t)s) >> shift);
    s->in_use[idx / 64] |= 1ULL << (idx % 64);
    if (--s->nr_free == 0)
        partial_del(s);
    heap.bytes_in_use += 1UL << shift;
    spin_unlock_irqrestore(&heap.lock, flags);
    return o;
}

static void *large_alloc(size_t size)
{
    if (size > LARGE_MAX)
        return NULL;
    unsigned order = 0;
    while ((PAGE_SIZE << order) < size)
        order++;
    void *p = page_alloc(order);
    if (!p)
        return NULL;
    unsigned long flags = spin_lock_irqsave(&heap.lock);
    heap.bytes_in_use += PAGE_SIZE << order;
    heap.pages += 1UL << order;
    spin_unlock_irqrestore(&heap.lock, flags);
    return p;
}

void *heap_alloc(size_t size)
{
    if (!size)
        return NULL;
    if (size > (1UL << HEAP_MAX_SHIFT))
        return large_alloc(size);
    unsigned shift = HEAP_MIN_SHIFT;
    while ((1UL << shift) < size)
        shift++;
    return small_alloc(shift);
}

void *heap_zalloc(size_t size)
{
    void *p = heap_alloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

static void large_free(void *p, unsigned order)
{
    /* A slab's own address is never an object: freeing it is a Keel bug. */
    BUG_ON(order == SLAB_ORDER && ((struct slab *)p)->magic == SLAB_MAGIC);
    unsigned long flags = spin_lock_irqsave(&heap.lock);
    BUG_ON(heap.pages < (1UL << order));
    heap.bytes_in_use -= PAGE_SIZE << order;
    heap.pages -= 1UL << order;
    spin_unlock_irqrestore(&heap.lock, flags);
    page_free(p, order);
}

static void small_free(void *p)
{
    struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)p, SLAB_SIZE);
    uintptr_t off = (uintptr_t)p - (uintptr_t)s;
    unsigned long flags = spin_lock_irqsave(&heap.lock);
    BUG_ON(s->magic != SLAB_MAGIC);
    BUG_ON(off < first_offset(s->shift) || !IS_ALIGNED(off, 1UL << s->shift));
    unsigned idx = (unsigned)(off >> s->shift);
    BUG_ON(!(s->in_use[idx / 64] & (1ULL << (idx % 64))));
    s->in_use[idx / 64] &= ~(1ULL << (idx % 64));
    struct free_obj *o = p;
    o->next = s->free;
    s->free = o;
    heap.bytes_in_use -= 1UL << s->shift;
    if (s->nr_free++ == 0)
        partial_add(s);
    if (s->nr_free == s->nr_objs) {
        partial_del(s);
        /* A later large block reusing these pages must not look like a slab. */
        s->magic = 0;
        heap.pages -= 1UL << SLAB_ORDER;
        page_free(s, SLAB_ORDER);
    }
    spin_unlock_irqrestore(&heap.lock, flags);
}

void heap_free(void *p)
{
    if (!p)
        return;
    int order = page_alloc_block_order(p);
    BUG_ON(order == -EINVAL); /* not in RAM the page allocator manages */
    if (order >= 0)
        large_free(p, (unsigned)order);
    else
        small_free(p);
}

void heap_stats(struct heap_stats *out)
{
    unsigned long flags = spin_lock_irqsave(&heap.lock);
    out->bytes_in_use = heap.bytes_in_use;
    out->pages = heap.pages;
    spin_unlock_irqrestore(&heap.lock, flags);
}
