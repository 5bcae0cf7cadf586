/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Frame descriptors: an array of 64-bit words per RAM bank, allocated at boot.  A word packs
 * the reference count (bits 31:0), the owner's domain id (47:32) and the type (55:48); every
 * change is a compare-and-swap on the whole word, so ownership and count always agree and no
 * lock is needed.  A count that reaches zero frees the page: nobody can take a reference on a
 * frame whose count is zero, so the page cannot be reached once its last holder let go.
 */
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>
#include <hyp/string.h>

#include "frame_internal.h"

#define REFS_MASK 0xffffffffUL
#define OWNER_SHIFT 32
#define TYPE_SHIFT 48

struct frame_bank {
    paddr_t base, end;
    uint64_t *words;
};

static struct frame_bank banks[MAX_MEM_BANKS];
static unsigned nr_banks;

static uint64_t make_word(uint32_t refs, uint16_t owner, enum frame_type type)
{
    return refs | (uint64_t)owner << OWNER_SHIFT | (uint64_t)type << TYPE_SHIFT;
}

/* The descriptor of pa, or NULL outside RAM.  On every frame operation, so inlined, with one
 * unsigned compare per bank (pa below base wraps above the bank's size) and the first bank,
 * the only one on most machines, tried before the loop: the plain loop costs a 4 KiB grant
 * copy 48 ns of its 1,744, enough to lose the "half of Xen's" target. */
static inline uint64_t *word_of(paddr_t pa)
{
    if (pa - banks[0].base < banks[0].end - banks[0].base)
        return &banks[0].words[(pa - banks[0].base) >> PAGE_SHIFT];
    for (unsigned i = 1; i < nr_banks; i++)
        if (pa - banks[i].base < banks[i].end - banks[i].base)
            return &banks[i].words[(pa - banks[i].base) >> PAGE_SHIFT];
    return NULL;
}

int frame_init_ranges(const struct mem_range *ram, unsigned nr)
{
    nr_banks = 0;
    memset(banks, 0, sizeof(banks)); /* word_of tries banks[0] whatever nr_banks says */
    for (unsigned i = 0; i < nr && i < MAX_MEM_BANKS; i++) {
        paddr_t base = ALIGN_UP(ram[i].base, PAGE_SIZE);
        paddr_t end = ALIGN_DOWN(ram[i].base + ram[i].size, PAGE_SIZE);
        if (end <= base)
            continue;
        uint64_t bytes = ((end - base) >> PAGE_SHIFT) * sizeof(uint64_t);
        unsigned order = 0;
        while ((PAGE_SIZE << order) < bytes)
            order++;
        uint64_t *w = order <= PAGE_MAX_ORDER ? page_zalloc(order) : NULL;
        if (!w)
            return -ENOMEM;
        banks[nr_banks++] = (struct frame_bank){ base, end, w };
    }
    return 0;
}

void frame_init(void)
{
    int rc = frame_init_ranges(bootinfo.mem, bootinfo.nr_mem);
    if (rc)
        panic("mem: no memory for the frame descriptors (error %d)", rc);
}

void frame_assign(paddr_t pa, uint64_t n, uint16_t owner, enum frame_type type)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t *w = word_of(pa + i * PAGE_SIZE);
        BUG_ON(!w);
        __atomic_store_n(w, make_word(1, owner, type), __ATOMIC_RELEASE);
    }
}

bool frame_get(paddr_t pa, uint16_t owner)
{
    uint64_t *w = word_of(pa);
    if (!w)
        return false;
    uint64_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    do {
        if (!(old & REFS_MASK) || (uint16_t)(old >> OWNER_SHIFT) != owner)
            return false;
        BUG_ON((old & REFS_MASK) == REFS_MASK); /* 2^32 references: a leak in Keel */
    } while (
        !__atomic_compare_exchange_n(w, &old, old + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

void frame_ref(paddr_t pa)
{
    uint64_t *w = word_of(pa);
    BUG_ON(!w);
    uint64_t old = __atomic_fetch_add(w, 1, __ATOMIC_RELAXED);
    BUG_ON(!(old & REFS_MASK) || (old & REFS_MASK) == REFS_MASK);
}

/* Drop one reference; true if it was the last (the word is then cleared). */
static inline bool put_one(uint64_t *w)
{
    uint64_t old = __atomic_load_n(w, __ATOMIC_RELAXED), next;
    do {
        BUG_ON(!(old & REFS_MASK));
        next = (old & REFS_MASK) == 1 ? 0 : old - 1;
    } while (
        !__atomic_compare_exchange_n(w, &old, next, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    return next == 0;
}

/* frame_put of more than one page: runs of pages whose last reference went are freed a run at
 * a time, as a domain's memory mostly goes back in whole blocks. */
static __attribute__((noinline)) void put_pages(paddr_t pa, uint64_t n)
{
    paddr_t run = 0;
    uint64_t run_pages = 0;
    for (uint64_t i = 0; i < n; i++) {
        paddr_t p = pa + i * PAGE_SIZE;
        uint64_t *w = word_of(p);
        BUG_ON(!w);
        if (put_one(w)) {
            if (run_pages && run + run_pages * PAGE_SIZE == p) {
                run_pages++;
                continue;
            }
            if (run_pages)
                page_free_range((void *)(uintptr_t)run, run_pages);
            run = p;
            run_pages = 1;
        }
    }
    if (run_pages)
        page_free_range((void *)(uintptr_t)run, run_pages);
}

void frame_put(paddr_t pa, uint64_t n)
{
    if (n != 1) {
        put_pages(pa, n);
        return;
    }
    /* The common case, a reference held across one access: no stack frame, and no pool lock
     * unless the page goes. */
    uint64_t *w = word_of(pa);
    BUG_ON(!w);
    if (put_one(w))
        page_free_range((void *)(uintptr_t)pa, 1);
}

bool frame_query(paddr_t pa, struct frame_info *out)
{
    uint64_t *w = word_of(pa);
    if (!w)
        return false;
    uint64_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    *out = (struct frame_info){ (uint32_t)(v & REFS_MASK), (uint16_t)(v >> OWNER_SHIFT),
                                (enum frame_type)((v >> TYPE_SHIFT) & 0xff) };
    return true;
}
