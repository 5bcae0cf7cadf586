/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for a domain's guest memory map (hyp/core/mm/physmap.c) on top of the real
 * stage-2 encoding (arch/arm64/p2m_map.c), translation tables (arch/arm64/pgtable.c), frame
 * descriptors and page allocator, over a host arena that holds one 1 GiB block besides small
 * ones.  The table pages come from the same allocator; the TLB invalidation hook counts its
 * calls and checks break-before-make.  Every test checks that each page is accounted for: the
 * allocator's free count is where it started less the domain's RAM and table pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/pgtable.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <sys/mman.h>

#include "../../hyp/core/mm/frame_internal.h"
#include "../../hyp/core/mm/page_alloc_internal.h"

#define SMALL MiB(64) /* below the 1 GiB block: metadata, frame descriptors, small blocks */
#define ARENA_SIZE (SMALL + GiB(1))
#define IPA_BITS 40
#define DOMID 5
#define OTHER 7              /* another domain, owner of granted pages */
#define G 0x80000000UL       /* guest RAM for most tests (2 GiB: aligned to any block) */
#define H (G + MiB(512))     /* single frames mapped by the tests */
#define MMIO_PA 0x09000000UL /* a device, outside the arena */
#define LEAF MiB(2)
#define PG(n) ((uint64_t)(n)*PAGE_SIZE)

void panic(const char *fmt, ...)
{
    static char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mock_assert(0, msg, __FILE__, __LINE__);
    abort();
}

struct bootinfo bootinfo; /* frame_init() reads it; the tests use frame_init_ranges() */
extern uint64_t host_cleared_bytes;

static uint8_t *arena;     /* 1 GiB aligned + SMALL below it */
static void *arena_map;    /* what mmap gave */
static struct domain *dom; /* the domain under test, fresh for every test */

/* What domain_kill does before it empties the map: the domain is dying, so nothing maps into
 * it again (physmap_release insists). */
static unsigned release(struct domain *d)
{
    d->state = DOM_DYING;
    unsigned calls = 1;
    while (physmap_release(d) == -ERESTART)
        calls++;
    return calls;
}
static unsigned nr_inval;  /* tlb_inval calls */
static long fail_after;    /* table pages that may still be had; < 0: any number */
static uint64_t base_free; /* free pages before the domain's map existed */

static struct page_stats stats(void)
{
    struct page_stats st;
    page_alloc_stats(&st);
    return st;
}

/* As arch/arm64/p2m.c's: within the domain's table bound. */
static void *s2_alloc(void *ctx, unsigned order)
{
    struct domain *d = ctx;
    if (fail_after == 0)
        return NULL;
    if (fail_after > 0)
        fail_after--;
    if (!physmap_table_take(d, 1UL << order))
        return NULL;
    void *p = page_zalloc(order);
    if (p)
        d->mem_pages += 1UL << order;
    else
        physmap_table_give(d, 1UL << order);
    return p;
}

static void s2_free(void *ctx, void *p, unsigned order)
{
    struct domain *d = ctx;
    page_free(p, order);
    d->mem_pages -= 1UL << order;
    physmap_table_give(d, 1UL << order);
}

static void s2_tlb_inval(void *ctx, uint64_t ia, uint64_t size)
{
    struct domain *d = ctx;
    /* Break-before-make: the entry is gone before its TLB entries are. */
    assert_true(size >= PAGE_SIZE && IS_ALIGNED(ia | size, PAGE_SIZE));
    assert_int_equal(pgtable_lookup(&d->arch.s2, ia, NULL, NULL, NULL), -ENOENT);
    assert_int_equal(pgtable_lookup(&d->arch.s2, ia + size - PAGE_SIZE, NULL, NULL, NULL), -ENOENT);
    nr_inval++;
}

static const struct pgtable_ops s2_ops = { s2_alloc, s2_free, s2_tlb_inval, NULL };

static int group_setup(void **state)
{
    /* Reserved, not committed: only what the tests touch costs memory. */
    size_t len = ARENA_SIZE + GiB(1);
    arena_map =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(arena_map != MAP_FAILED);
    arena = (uint8_t *)ALIGN_UP((uintptr_t)arena_map + SMALL, GiB(1)) - SMALL;
    return 0;
}

static int group_teardown(void **state)
{
    munmap(arena_map, ARENA_SIZE + GiB(1));
    return 0;
}

static int setup(void **state)
{
    struct mem_range bank = { (uintptr_t)arena, ARENA_SIZE };
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
    assert_int_equal(frame_init_ranges(&bank, 1), 0);
    base_free = stats().free_pages;
    nr_inval = 0;
    fail_after = -1;
    dom = calloc(1, sizeof(*dom));
    dom->id = DOMID;
    dom->p2m_lock = SPINLOCK_INIT;
    dom->max_pages = ARENA_SIZE / PAGE_SIZE;
    dom->arch.s2_ops = s2_ops;
    dom->arch.s2_ops.ctx = dom;
    assert_int_equal(pgtable_init(&dom->arch.s2, IPA_BITS, true, &dom->arch.s2_ops), 0);
    return 0;
}

static int teardown(void **state)
{
    pgtable_destroy(&dom->arch.s2);
    free(dom);
    return 0;
}

/* Every page is somewhere: free, the domain's RAM, its tables, or held by the test (held). */
static void check_accounting(uint64_t held)
{
    size_t tables = pgtable_pages(&dom->arch.s2);
    assert_int_equal(stats().free_pages, base_free - dom->tot_pages - tables - held);
    assert_int_equal(dom->mem_pages, dom->tot_pages + tables);
}

/* The stage-2 entry for gpa: 0 with its output address, type, access flag and level. */
struct s2e {
    paddr_t pa;
    enum p2m_type t;
    bool af;
    unsigned level;
};

static int s2_entry(uint64_t gpa, struct s2e *e)
{
    uint64_t attrs;
    int rc = pgtable_lookup(&dom->arch.s2, gpa, &e->pa, &attrs, &e->level);
    e->t = (enum p2m_type)((attrs & PTE_SW_MASK) >> PTE_SW_SHIFT);
    e->af = attrs & PTE_AF;
    return rc;
}

/* gpa is untouched RAM of type t in a leaf at level; returns where it is. */
static paddr_t assert_untouched(uint64_t gpa, enum p2m_type t, unsigned level)
{
    struct s2e e;
    assert_int_equal(s2_entry(gpa, &e), 0);
    assert_int_equal(e.t, t);
    assert_false(e.af);
    assert_int_equal(e.level, level);
    return e.pa;
}

static void assert_touched(uint64_t gpa, unsigned level)
{
    struct s2e e;
    assert_int_equal(s2_entry(gpa, &e), 0);
    assert_int_equal(e.t, P2M_RAM_RW);
    assert_true(e.af);
    assert_int_equal(e.level, level);
}

static void assert_frames(paddr_t pa, uint64_t n, uint32_t refs, uint16_t owner)
{
    for (uint64_t i = 0; i < n; i++) {
        struct frame_info fi;
        assert_true(frame_query(pa + PG(i), &fi));
        assert_int_equal(fi.refs, refs);
        if (refs)
            assert_int_equal(fi.owner, owner);
        assert_int_equal(fi.type, refs ? FRAME_GUEST : FRAME_FREE);
    }
}

static bool all_zero(paddr_t pa, uint64_t size)
{
    const uint64_t *p = (const uint64_t *)(uintptr_t)pa;
    for (uint64_t i = 0; i < size / 8; i++)
        if (p[i])
            return false;
    return true;
}

/* A block that the next page_alloc_unzeroed of that order returns again, holding a pattern:
 * taken and given back whole, it merges and splits the same way. */
static void *dirty_block(unsigned order)
{
    void *p = page_alloc(order);
    assert_non_null(p);
    memset(p, 0xa5, PAGE_SIZE << order);
    page_free(p, order);
    return p;
}

/* The same, scrubbed by the allocator (its idle scrubber): known zero. */
static void *clean_block(unsigned order)
{
    void *p = dirty_block(order);
    assert_true(page_scrub(~0u) >= 1u << order); /* every dirty page, this block's too */
    assert_int_equal(stats().dirty_pages, 0);
    return p;
}

/* A page given to domain owner with one reference, as a caller of physmap_map_frame has. */
static paddr_t new_frame(uint16_t owner)
{
    void *p = page_alloc(0);
    assert_non_null(p);
    frame_assign((uintptr_t)p, 1, owner, FRAME_GUEST);
    return (uintptr_t)p;
}

struct leaves {
    unsigned n, gaps;
    uint64_t next, max_size;
    bool all_lazy;
};

static void count_leaf(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    struct leaves *l = ctx;
    assert_true(gpa.a >= l->next); /* in order */
    l->gaps += gpa.a != l->next;
    l->next = gpa.a + size;
    l->max_size = MAX(l->max_size, size);
    l->all_lazy &= p2m_type_is_lazy(t);
    l->n++;
}

static struct leaves walk(uint64_t gpa, uint64_t size)
{
    struct leaves l = { 0, 0, gpa, 0, true };
    arch_p2m_walk(dom, GPA(gpa), size, count_leaf, &l);
    return l;
}

/* [gpa, + size) is untouched RAM throughout, in leaves of at most 2 MiB; how many. */
static unsigned assert_untouched_range(uint64_t gpa, uint64_t size)
{
    struct leaves l = walk(gpa, size);
    assert_int_equal(l.gaps, 0);
    assert_int_equal(l.next, gpa + size);
    assert_true(l.all_lazy && l.max_size <= LEAF);
    return l.n;
}

/* --- populate --- */

static void populate_maps_untouched_ram(void **state)
{
    uint64_t cleared = host_cleared_bytes;
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(8)), 0);
    assert_int_equal(dom->tot_pages, MiB(8) / PAGE_SIZE);
    assert_untouched_range(G, MiB(8));
    for (uint64_t a = G; a < G + MiB(8); a += LEAF) {
        paddr_t pa = assert_untouched(a, P2M_RAM_LAZY, 2); /* boot memory: unknown contents */
        assert_frames(pa, LEAF / PAGE_SIZE, 0, 0);         /* no references yet */
    }
    /* Nothing zeroed, nothing was in a TLB. */
    assert_int_equal(host_cleared_bytes, cleared);
    assert_int_equal(nr_inval, 0);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* A 1 GiB block of the allocator is mapped as 512 leaves of 2 MiB, each touched alone. */
static void populate_gib_block_in_2mib_leaves(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(GiB(1)), GiB(1)), 0);
    assert_int_equal(dom->tot_pages, GiB(1) / PAGE_SIZE);
    paddr_t pa = assert_untouched(GiB(1), P2M_RAM_LAZY, 2);
    assert_ptr_equal((void *)(uintptr_t)pa, arena + SMALL); /* the 1 GiB block */
    assert_int_equal(assert_untouched_range(GiB(1), GiB(1)), 512);
    uint64_t cleared = host_cleared_bytes;
    paddr_t got;
    assert_int_equal(physmap_lookup(dom, GPA(GiB(1) + MiB(7)), &got, NULL), 0);
    assert_int_equal(got, pa + MiB(7));
    assert_int_equal(host_cleared_bytes, cleared + LEAF); /* one leaf, not the gigabyte */
    assert_touched(GiB(1) + MiB(6), 2);
    assert_untouched(GiB(1) + MiB(8), P2M_RAM_LAZY, 2);
    assert_untouched(GiB(1) + MiB(4), P2M_RAM_LAZY, 2);
    assert_int_equal(nr_inval, 0);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

static void populate_refuses_bad_ranges(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G + 0x800), MiB(2)), -EINVAL);
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(2) + 12), -EINVAL);
    assert_int_equal(physmap_populate(dom, GPA(~0UL & PAGE_MASK), PG(2)), -EINVAL); /* wraps */
    assert_int_equal(physmap_populate(dom, GPA(-MiB(2)), MiB(4)), -EINVAL);
    /* Beyond the domain's address space: the block goes back. */
    assert_int_equal(physmap_populate(dom, GPA(1UL << IPA_BITS), MiB(2)), -EINVAL);
    assert_int_equal(physmap_populate(dom, GPA(G), 0), 0);
    assert_int_equal(dom->tot_pages, 0);
    assert_int_equal(walk(0, ~0UL).n, 0);
    check_accounting(0);
}

static void populate_refuses_mapped_ranges(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(8)), MiB(2)), 0);
    paddr_t pa = assert_untouched(G + MiB(8), P2M_RAM_LAZY, 2);
    /* [G, G + 8 MiB) is one block and goes in; the next one meets what is there. */
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(10)), -EEXIST);
    assert_int_equal(dom->tot_pages, MiB(10) / PAGE_SIZE);
    assert_untouched_range(G, MiB(8));
    assert_int_equal(assert_untouched(G + MiB(8), P2M_RAM_LAZY, 2), pa); /* as it was */
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(9)), PG(1)), -EEXIST);
    /* Touched RAM and single frames are mapped too. */
    assert_int_equal(physmap_lookup(dom, GPA(G), NULL, NULL), 0);
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(1)), PG(1)), -EEXIST);
    assert_int_equal(physmap_map_frame(dom, GPA(H), new_frame(DOMID), P2M_SHARED), 0);
    /* Page by page up to the frame: the first one goes in and stays. */
    assert_int_equal(physmap_populate(dom, GPA(H - PG(1)), PG(2)), -EEXIST);
    assert_untouched(H - PG(1), P2M_RAM_LAZY, 3);
    assert_int_equal(dom->tot_pages, MiB(10) / PAGE_SIZE + 1);
    check_accounting(1);
    release(dom);
    check_accounting(0);
}

static void populate_stops_at_max_pages(void **state)
{
    dom->max_pages = 1024;
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(2)), 0);
    /* Two 2 MiB blocks (the range starts 2 MiB aligned): the first one fits. */
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(2)), MiB(4)), -ENOMEM);
    assert_int_equal(dom->tot_pages, 1024);
    assert_untouched(G + MiB(2), P2M_RAM_LAZY, 2);
    assert_int_equal(s2_entry(G + MiB(4), &(struct s2e){ 0 }), -ENOENT);
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(4)), PG(1)), -ENOMEM);
    check_accounting(0);
    /* What is given back may be asked for again. */
    assert_int_equal(physmap_unmap(dom, GPA(G), NULL), 0);
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(4)), PG(1)), 0);
    assert_int_equal(dom->tot_pages, 1024);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* A single RAM frame mapped past the allowance is refused too; replacing RAM with RAM, or
 * mapping what is not RAM, counts nothing. */
static void map_frame_stops_at_max_pages(void **state)
{
    dom->max_pages = 512;
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(2)), 0);
    paddr_t f = new_frame(DOMID);
    assert_int_equal(physmap_map_frame(dom, GPA(H), f, P2M_RAM_RW), -ENOMEM);
    assert_int_equal(dom->tot_pages, 512);
    assert_int_equal(physmap_map_frame(dom, GPA(H), f, P2M_SHARED), 0);
    assert_int_equal(physmap_map_frame(dom, GPA(G + PG(3)), new_frame(DOMID), P2M_RAM_RW), 0);
    assert_int_equal(dom->tot_pages, 512);
    release(dom);
    check_accounting(0);
}

/* Pages mapped 2 MiB apart need a table each: at the domain's table bound (Xen's paging pool,
 * here its floor for one vCPU and no RAM) the next is refused with -ENOMEM and nothing lost.
 * A larger pool set by the toolstack raises the bound; the teardown is never refused. */
static void scattered_maps_stop_at_table_bound(void **state)
{
    dom->max_pages = 0;
    dom->nr_vcpus = 1;
    uint64_t bound = physmap_table_bound(dom);
    assert_true(bound >= 256 && bound < 512);
    unsigned mapped = 0;
    int rc = 0;
    while (!rc && mapped < 2 * bound) {
        paddr_t f = new_frame(DOMID);
        rc = physmap_map_frame(dom, GPA(G + (uint64_t)mapped * MiB(2)), f, P2M_SHARED);
        if (rc)
            page_free((void *)(uintptr_t)f, 0); /* still the test's */
        else
            mapped++;
    }
    assert_int_equal(rc, -ENOMEM);
    assert_true(mapped > bound - 16 && mapped < bound);
    assert_true(dom->table_pages <= bound);
    assert_int_equal(dom->table_pages, pgtable_pages(&dom->arch.s2));
    dom->paging_mempool_pages = bound + 64;
    assert_int_equal(
        physmap_map_frame(dom, GPA(G + (uint64_t)mapped * MiB(2)), new_frame(DOMID), P2M_SHARED),
        0);
    release(dom);
    assert_int_equal(dom->table_pages, pgtable_pages(&dom->arch.s2));
    check_accounting(0);
}

/* The allocator runs dry (for blocks, then for table pages): -ENOMEM, nothing lost. */
static void populate_runs_out_of_memory(void **state)
{
    dom->max_pages = ~0UL;
    assert_int_equal(physmap_populate(dom, GPA(GiB(1)), GiB(2)), -ENOMEM);
    assert_true(dom->tot_pages > GiB(1) / PAGE_SIZE);
    assert_true(dom->tot_pages < ARENA_SIZE / PAGE_SIZE);
    assert_untouched_range(GiB(1), PG(dom->tot_pages));
    assert_int_equal(walk(GiB(1), GiB(2)).n, walk(GiB(1), PG(dom->tot_pages)).n);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* No table page for the mapping: the block goes back, and so do the tables it got. */
static void populate_without_table_pages(void **state)
{
    for (long n = 0; n < 2; n++) {
        fail_after = n; /* the level-2 table fails, or the level-3 one below it */
        assert_int_equal(physmap_populate(dom, GPA(G), PG(4)), -ENOMEM);
        fail_after = -1;
        assert_int_equal(s2_entry(G, &(struct s2e){ 0 }), -ENOENT);
        assert_int_equal(dom->tot_pages, 0);
        assert_int_equal(pgtable_pages(&dom->arch.s2), 2); /* the root alone */
        check_accounting(0);
    }
    assert_int_equal(physmap_populate(dom, GPA(G), PG(4)), 0);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* --- the first touch --- */

static void lookup_zeroes_and_gives_frames(void **state)
{
    void *blk = dirty_block(9);
    assert_int_equal(physmap_populate(dom, GPA(G), LEAF), 0);
    paddr_t pa = assert_untouched(G, P2M_RAM_LAZY, 2);
    assert_ptr_equal((void *)(uintptr_t)pa, blk);
    uint64_t cleared = host_cleared_bytes;
    paddr_t got;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(dom, GPA(G + 0x1234), &got, &t), 0);
    assert_int_equal(got, pa + 0x1234);
    assert_int_equal(t, P2M_RAM_RW);
    assert_true(all_zero(pa, LEAF)); /* the pattern is gone */
    assert_int_equal(host_cleared_bytes, cleared + LEAF);
    assert_frames(pa, LEAF / PAGE_SIZE, 1, DOMID);
    assert_touched(G + LEAF - 1, 2); /* the same block, in place */
    assert_int_equal(nr_inval, 0);   /* an entry that faulted was in no TLB */
    /* Once is enough. */
    assert_int_equal(physmap_lookup(dom, GPA(G + PG(100)), &got, &t), 0);
    assert_int_equal(host_cleared_bytes, cleared + LEAF);
    assert_frames(pa, LEAF / PAGE_SIZE, 1, DOMID);
    assert_int_equal(dom->tot_pages, LEAF / PAGE_SIZE);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* Domain building: the leaves an image covers whole become the domain's RAM without being
 * zeroed (the copy replaces every byte); the leaves at its edges keep the usual first touch. */
static void claim_overwritten_skips_whole_leaves(void **state)
{
    dirty_block(11);
    assert_int_equal(physmap_populate(dom, GPA(G), 3 * LEAF), 0);
    assert_int_equal(dom->state, DOM_BUILDING);
    uint64_t cleared = host_cleared_bytes;
    physmap_claim_overwritten(dom, GPA(G + LEAF / 2), 2 * LEAF); /* half, one, half */
    assert_int_equal(host_cleared_bytes, cleared);
    assert_untouched(G, P2M_RAM_LAZY, 2);
    assert_touched(G + LEAF, 2);
    struct s2e e;
    assert_int_equal(s2_entry(G + LEAF, &e), 0);
    assert_frames(e.pa, LEAF / PAGE_SIZE, 1, DOMID);
    assert_untouched(G + 2 * LEAF, P2M_RAM_LAZY, 2);
    /* The edges are zeroed when first touched, as any untouched leaf. */
    paddr_t got;
    assert_int_equal(physmap_lookup(dom, GPA(G), &got, NULL), 0);
    assert_true(all_zero(got, LEAF));
    assert_int_equal(host_cleared_bytes, cleared + LEAF);
    release(dom);
    check_accounting(0);
}

static void clean_memory_is_not_zeroed_again(void **state)
{
    void *blk = clean_block(9);
    assert_int_equal(physmap_populate(dom, GPA(G), LEAF), 0);
    paddr_t pa = assert_untouched(G, P2M_RAM_LAZY_CLEAN, 2);
    assert_ptr_equal((void *)(uintptr_t)pa, blk);
    uint64_t cleared = host_cleared_bytes;
    paddr_t got;
    assert_int_equal(physmap_get_frame(dom, GPA(G + PG(3) + 8), P2M_ANY_RAM, &got), 0);
    assert_int_equal(got, pa + PG(3) + 8);
    assert_int_equal(host_cleared_bytes, cleared);
    assert_true(all_zero(pa, LEAF));
    assert_frames(pa, 3, 1, DOMID);
    assert_frames(pa + PG(3), 1, 2, DOMID); /* the mapping's and ours */
    assert_frames(pa + PG(4), LEAF / PAGE_SIZE - 4, 1, DOMID);
    assert_touched(G, 2);
    assert_int_equal(nr_inval, 0);
    frame_put(got & PAGE_MASK, 1);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

static void fault_answers(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(4)), 0);
    /* First touches, by a write and by a read (an instruction fetch). */
    assert_true(physmap_fault(dom, GPA(G + 0x10), true));
    assert_touched(G, 2);
    assert_true(physmap_fault(dom, GPA(G + LEAF + PG(9)), false));
    assert_touched(G + LEAF, 2);
    assert_int_equal(nr_inval, 0);
    /* Another vCPU touched it between the fault and the handler: run it again. */
    assert_true(physmap_fault(dom, GPA(G + 0x10), true));
    assert_true(physmap_fault(dom, GPA(G + LEAF), false));
    /* Writes to read-only pages are the guest's own faults; reads are not faults at all. */
    assert_int_equal(physmap_map_frame(dom, GPA(H), new_frame(DOMID), P2M_RAM_RO), 0);
    paddr_t granted = new_frame(OTHER);
    assert_true(frame_get(granted, OTHER)); /* the grant mapping's reference */
    assert_int_equal(physmap_map_frame(dom, GPA(H + PG(1)), granted, P2M_GRANT_RO), 0);
    assert_int_equal(physmap_map_frame(dom, GPA(H + PG(2)), new_frame(DOMID), P2M_SHARED), 0);
    assert_false(physmap_fault(dom, GPA(H + 8), true));
    assert_true(physmap_fault(dom, GPA(H + 8), false));
    assert_false(physmap_fault(dom, GPA(H + PG(1)), true));
    assert_true(physmap_fault(dom, GPA(H + PG(1)), false));
    assert_true(physmap_fault(dom, GPA(H + PG(2)), true));
    /* Nothing mapped: emulated MMIO's business, not the map's. */
    assert_false(physmap_fault(dom, GPA(H + PG(3)), false));
    assert_false(physmap_fault(dom, GPA(H + PG(3)), true));
    assert_false(physmap_fault(dom, GPA(1UL << IPA_BITS), true));
    check_accounting(2); /* the shared page and the other domain's are not RAM */
    release(dom);
    assert_frames(granted, 1, 1, OTHER); /* its owner's reference stays */
    frame_put(granted, 1);
    check_accounting(0);
}

#define RACE_SIZE MiB(8)

/* A vCPU touching every page of [G, + RACE_SIZE), forwards or backwards; each fault on a page
 * another vCPU touched first must be taken as dealt with too. */
static void *vcpu_touches(void *arg)
{
    bool backwards = arg != NULL;
    for (uint64_t i = 0; i < RACE_SIZE / PAGE_SIZE; i++) {
        uint64_t page = backwards ? RACE_SIZE / PAGE_SIZE - 1 - i : i;
        if (!physmap_fault(dom, GPA(G + PG(page)), page & 1))
            return "fault not dealt with";
    }
    return NULL;
}

/* Two vCPUs (threads) take first-touch faults on the same RAM at once: each leaf is zeroed and
 * given to the domain exactly once. */
static void concurrent_first_touches(void **state)
{
    void *blk = dirty_block(11);
    assert_int_equal(physmap_populate(dom, GPA(G), RACE_SIZE), 0);
    paddr_t pa = assert_untouched(G, P2M_RAM_LAZY, 2);
    assert_ptr_equal((void *)(uintptr_t)pa, blk); /* one block */
    uint64_t cleared = host_cleared_bytes;
    pthread_t th[2];
    for (uintptr_t i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, vcpu_touches, (void *)i), 0);
    for (unsigned i = 0; i < 2; i++) {
        void *err;
        pthread_join(th[i], &err);
        assert_null(err);
    }
    assert_int_equal(host_cleared_bytes, cleared + RACE_SIZE);
    assert_true(all_zero(pa, RACE_SIZE));
    assert_frames(pa, RACE_SIZE / PAGE_SIZE, 1, DOMID);
    for (uint64_t a = G; a < G + RACE_SIZE; a += LEAF)
        assert_touched(a, 2);
    assert_int_equal(nr_inval, 0);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* --- unmap and replace --- */

static void unmap_splits_untouched_leaf(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), LEAF), 0);
    paddr_t pa = assert_untouched(G, P2M_RAM_LAZY, 2);
    uint64_t cleared = host_cleared_bytes;
    enum p2m_type old = P2M_NONE;
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(7) + 0x10), &old), 0);
    assert_int_equal(old, P2M_RAM_RW); /* untouched RAM is RAM to everyone */
    assert_int_equal(s2_entry(G + PG(7), &(struct s2e){ 0 }), -ENOENT);
    assert_int_equal(assert_untouched(G + PG(6), P2M_RAM_LAZY, 3), pa + PG(6));
    assert_int_equal(assert_untouched(G + PG(8), P2M_RAM_LAZY, 3), pa + PG(8));
    assert_int_equal(dom->tot_pages, LEAF / PAGE_SIZE - 1);
    assert_int_equal(host_cleared_bytes, cleared); /* neither page nor leaf zeroed */
    assert_frames(pa, LEAF / PAGE_SIZE, 0, 0);
    check_accounting(0); /* the page is free again, a table page in use */
    /* Touching a neighbour now zeroes its page alone. */
    assert_int_equal(physmap_lookup(dom, GPA(G + PG(8)), NULL, NULL), 0);
    assert_int_equal(host_cleared_bytes, cleared + PAGE_SIZE);
    assert_touched(G + PG(8), 3);
    assert_untouched(G + PG(9), P2M_RAM_LAZY, 3);
    assert_frames(pa + PG(8), 1, 1, DOMID);
    /* Nothing there. */
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(7)), &old), -ENOENT);
    assert_int_equal(physmap_unmap(dom, GPA(H), NULL), -ENOENT);
    /* A touched page: its frame's reference goes, and with it the page. */
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(8)), &old), 0);
    assert_int_equal(old, P2M_RAM_RW);
    assert_frames(pa + PG(8), 1, 0, 0);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

static void unmap_keeps_referenced_frames_and_needs_memory(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(4)), 0);
    paddr_t pa;
    assert_int_equal(physmap_get_frame(dom, GPA(G + PG(2)), P2M_BIT(P2M_RAM_RW), &pa), 0);
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(2)), NULL), 0);
    assert_frames(pa, 1, 1, DOMID); /* ours keeps it */
    check_accounting(1);
    frame_put(pa, 1);
    check_accounting(0);
    /* Splitting the untouched leaf needs a table page: without one, nothing changes. */
    fail_after = 0;
    enum p2m_type old = P2M_NONE;
    assert_int_equal(physmap_unmap(dom, GPA(G + LEAF + PG(1)), &old), -ENOMEM);
    assert_int_equal(old, P2M_NONE);
    assert_untouched(G + LEAF + PG(1), P2M_RAM_LAZY, 2);
    assert_int_equal(dom->tot_pages, MiB(4) / PAGE_SIZE - 1);
    fail_after = -1;
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

static void map_frame_over_untouched_and_touched_ram(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(4)), 0);
    uint64_t cleared = host_cleared_bytes;
    /* Over untouched RAM: its page goes back untouched, the rest of its leaf stays so. */
    paddr_t f1 = new_frame(DOMID);
    assert_int_equal(physmap_map_frame(dom, GPA(G + PG(3)), f1, P2M_RAM_RW), 0);
    paddr_t got, old_pa;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(dom, GPA(G + PG(3) + 4), &got, &t), 0);
    assert_int_equal(got, f1 + 4);
    assert_int_equal(t, P2M_RAM_RW);
    assert_untouched(G + PG(2), P2M_RAM_LAZY, 3);
    assert_untouched(G + PG(4), P2M_RAM_LAZY, 3);
    assert_int_equal(host_cleared_bytes, cleared);
    assert_int_equal(dom->tot_pages, MiB(4) / PAGE_SIZE);
    check_accounting(0);
    /* Over touched RAM: the old frame's reference is put, which frees it. */
    assert_int_equal(physmap_lookup(dom, GPA(G + LEAF), &old_pa, NULL), 0);
    paddr_t f2 = new_frame(DOMID);
    assert_int_equal(physmap_map_frame(dom, GPA(G + LEAF + PG(5)), f2, P2M_RAM_RW), 0);
    assert_frames(old_pa + PG(5), 1, 0, 0);
    assert_frames(old_pa + PG(4), 1, 1, DOMID);
    assert_frames(f2, 1, 1, DOMID);
    /* ... unless someone else holds one. */
    assert_int_equal(physmap_get_frame(dom, GPA(G + LEAF + PG(6)), P2M_ANY_RAM, &got), 0);
    assert_int_equal(physmap_map_frame(dom, GPA(G + LEAF + PG(6)), new_frame(DOMID), P2M_RAM_RW),
                     0);
    assert_frames(got, 1, 1, DOMID);
    check_accounting(1);
    frame_put(got, 1);
    /* Not RAM over RAM: one page less of it. */
    assert_int_equal(physmap_map_frame(dom, GPA(G + LEAF + PG(7)), new_frame(DOMID), P2M_SHARED),
                     0);
    assert_int_equal(dom->tot_pages, MiB(4) / PAGE_SIZE - 1);
    check_accounting(1); /* the shared page is not RAM */
    release(dom);
    check_accounting(0);
}

static void map_frame_refuses(void **state)
{
    paddr_t f = new_frame(DOMID);
    assert_int_equal(physmap_map_frame(dom, GPA(H + 8), f, P2M_RAM_RW), -EINVAL);
    assert_int_equal(physmap_map_frame(dom, GPA(H), f + 8, P2M_RAM_RW), -EINVAL);
    static const enum p2m_type bad[] = { P2M_NONE, P2M_MMIO, P2M_RAM_LAZY, P2M_RAM_LAZY_CLEAN,
                                         P2M_NR_TYPES };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(physmap_map_frame(dom, GPA(H), f, bad[i]), -EINVAL);
    assert_int_equal(physmap_map_frame(dom, GPA(1UL << IPA_BITS), f, P2M_RAM_RW), -EINVAL);
    /* No table page for it: nothing changes, the caller keeps its reference. */
    assert_int_equal(physmap_populate(dom, GPA(G), LEAF), 0);
    fail_after = 0;
    assert_int_equal(physmap_map_frame(dom, GPA(G + PG(1)), f, P2M_RAM_RW), -ENOMEM);
    assert_int_equal(physmap_map_frame(dom, GPA(H), f, P2M_RAM_RW), -ENOMEM);
    fail_after = -1;
    assert_untouched(G + PG(1), P2M_RAM_LAZY, 2);
    assert_int_equal(s2_entry(H, &(struct s2e){ 0 }), -ENOENT);
    assert_frames(f, 1, 1, DOMID);
    assert_int_equal(dom->tot_pages, LEAF / PAGE_SIZE);
    check_accounting(1);
    frame_put(f, 1);
    release(dom);
    check_accounting(0);
}

/* --- get_frame's types --- */

static void get_frame_types(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), LEAF), 0);
    paddr_t ro = new_frame(DOMID), granted = new_frame(OTHER);
    assert_true(frame_get(granted, OTHER));
    assert_int_equal(physmap_map_frame(dom, GPA(H), ro, P2M_RAM_RO), 0);
    assert_int_equal(physmap_map_frame(dom, GPA(H + PG(1)), granted, P2M_GRANT_RW), 0);
    assert_int_equal(arch_p2m_map(dom, GPA(H + PG(2)), MMIO_PA, PAGE_SIZE, P2M_MMIO), 0);
    paddr_t pa, ram;
    /* A type not asked for, device memory, nothing: no reference. */
    assert_int_equal(physmap_get_frame(dom, GPA(G + 0x10), P2M_BIT(P2M_RAM_RO), &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(H), P2M_BIT(P2M_RAM_RW), &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(H + PG(1)), P2M_ANY_RAM, &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(H + PG(2)), ~0u, &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(H + PG(3)), ~0u, &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(1UL << IPA_BITS), ~0u, &pa), -EFAULT);
    assert_int_equal(physmap_lookup(dom, GPA(G), &ram, NULL), 0);
    assert_frames(ram, LEAF / PAGE_SIZE, 1, DOMID);
    assert_frames(ro, 1, 1, DOMID);
    assert_frames(granted, 1, 2, OTHER);
    /* The types asked for. */
    assert_int_equal(physmap_get_frame(dom, GPA(G + 0x10), P2M_ANY_RAM, &pa), 0);
    assert_int_equal(pa, ram + 0x10);
    assert_int_equal(physmap_get_frame(dom, GPA(H + 3), P2M_ANY_RAM, &pa), 0);
    assert_int_equal(pa, ro + 3);
    assert_int_equal(physmap_get_frame(dom, GPA(H + PG(1)), P2M_WRITABLE, &pa), 0);
    assert_int_equal(pa, granted);
    assert_frames(ram, 1, 2, DOMID);
    assert_frames(ro, 1, 2, DOMID);
    assert_frames(granted, 1, 3, OTHER);
    frame_put(ram, 1);
    frame_put(ro, 1);
    frame_put(granted, 1);
    check_accounting(1);
    release(dom);
    frame_put(granted, 1);
    check_accounting(0);
}

/* --- untouched RAM stays inside physmap.c --- */

static void no_untouched_type_leaves(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(4)), 0);
    clean_block(9);
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(4)), LEAF), 0);
    assert_untouched(G + MiB(4), P2M_RAM_LAZY_CLEAN, 2);
    /* Asking for untouched types finds none: the page is RAM_RW when its type is looked at. */
    unsigned lazy = P2M_BIT(P2M_RAM_LAZY) | P2M_BIT(P2M_RAM_LAZY_CLEAN);
    paddr_t pa;
    assert_int_equal(physmap_get_frame(dom, GPA(G + MiB(4)), lazy, &pa), -EFAULT);
    assert_int_equal(physmap_get_frame(dom, GPA(G + MiB(3)), lazy, &pa), -EFAULT);
    assert_touched(G + MiB(4), 2);
    enum p2m_type old;
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(5)), &old), 0);
    assert_int_equal(old, P2M_RAM_RW);
    /* Page by page, through leaves of each size and kind. */
    for (uint64_t a = G; a < G + MiB(6); a += PAGE_SIZE) {
        enum p2m_type t = P2M_NONE;
        int rc = physmap_lookup(dom, GPA(a), &pa, &t);
        if (a == G + PG(5)) {
            assert_int_equal(rc, -ENOENT);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(t, P2M_RAM_RW);
        assert_touched(a, a < G + LEAF ? 3 : 2);
    }
    struct leaves l = walk(G, MiB(6));
    assert_int_equal(l.n, 511 + 2);
    assert_int_equal(l.gaps, 1);
    assert_int_equal(nr_inval, 2); /* the split and the unmapped page */
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* --- direct map (dom0) and devices --- */

/* Host pointers are above a 40-bit guest space: give dom a 48-bit one for 1:1 maps. */
static void wide_guest_space(void)
{
    pgtable_destroy(&dom->arch.s2);
    assert_int_equal(pgtable_init(&dom->arch.s2, 48, true, &dom->arch.s2_ops), 0);
}

static void populate_direct_maps_where_it_is(void **state)
{
    wide_guest_space();
    uint64_t cleared = host_cleared_bytes;
    struct mem_range banks[4];
    unsigned nr;
    /* A 1 GiB block first, then the rest from smaller ones: two banks, the largest first. */
    assert_int_equal(physmap_populate_direct(dom, GiB(1) + MiB(4), banks, 4, &nr), 0);
    assert_int_equal(nr, 2);
    assert_int_equal(banks[0].size, GiB(1));
    assert_int_equal(banks[1].size, MiB(4));
    assert_int_equal(dom->tot_pages, (GiB(1) + MiB(4)) / PAGE_SIZE);
    for (unsigned b = 0; b < nr; b++) {
        assert_untouched_range(banks[b].base, banks[b].size);
        paddr_t pa;
        enum p2m_type t;
        uint64_t last = banks[b].base + banks[b].size - PAGE_SIZE;
        assert_int_equal(physmap_lookup(dom, GPA(last), &pa, &t), 0);
        assert_int_equal(pa, last); /* guest address == host address */
        assert_int_equal(t, P2M_RAM_RW);
    }
    assert_int_equal(host_cleared_bytes - cleared, 2 * LEAF); /* the two leaves looked up */
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

static void populate_direct_refuses(void **state)
{
    wide_guest_space();
    struct mem_range banks[1];
    unsigned nr;
    assert_int_equal(physmap_populate_direct(dom, MiB(3), banks, 1, &nr), -EINVAL);
    assert_int_equal(physmap_populate_direct(dom, MiB(2), banks, 0, &nr), -EINVAL);
    /* Room for one bank, two blocks that do not touch: the first stays populated. */
    assert_int_equal(physmap_populate_direct(dom, GiB(1) + MiB(4), banks, 1, &nr), -ENOMEM);
    assert_int_equal(nr, 1);
    assert_int_equal(dom->tot_pages, GiB(1) / PAGE_SIZE);
    /* Beyond the allowance: what fits stays. */
    dom->max_pages = GiB(1) / PAGE_SIZE + 1;
    assert_int_equal(physmap_populate_direct(dom, MiB(4), banks, 1, &nr), -ENOMEM);
    assert_int_equal(dom->tot_pages, GiB(1) / PAGE_SIZE);
    check_accounting(0);
    release(dom);
    check_accounting(0);
}

/* What a direct-mapped domain gives back stays its own (as on Xen 4.17), and only that comes
 * back: the same page, at the same address, with what it held. */
static void direct_give_back_is_kept_and_taken_back(void **state)
{
    wide_guest_space();
    dom->cfg.direct_map = true;
    assert_int_equal(
        physmap_populate_direct(dom, MiB(4), dom->ram, MAX_GUEST_RAM_BANKS, &dom->nr_ram), 0);
    uint64_t base = dom->ram[0].base, tot = dom->tot_pages;
    paddr_t pa;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(dom, GPA(base + PG(5)), &pa, &t), 0);
    *(uint64_t *)(uintptr_t)pa = 0x1234;
    /* Untouched pages are given back too, and kept untouched. */
    assert_int_equal(physmap_decrease(dom, GPA(base + PG(5)), 1), 0);
    assert_int_equal(physmap_decrease(dom, GPA(base + MiB(3)), 2), 0);
    assert_int_not_equal(physmap_lookup(dom, GPA(base + PG(5)), &pa, &t), 0);
    assert_int_equal(dom->tot_pages, tot); /* still its pages, as Xen counts them */
    assert_frames(base + PG(5), 1, 1, (uint16_t)dom->id);
    assert_frames(base + MiB(3), 2, 0, 0); /* untouched: allocated, no frame references */
    check_accounting(0);
    /* Only its own pages come back: not a hole, not a range with one it never gave. */
    assert_int_equal(physmap_take_back(dom, GPA(base + MiB(4)), 1), -EINVAL);
    assert_int_equal(physmap_take_back(dom, GPA(base + PG(4)), 2), 0); /* in place, and kept */
    assert_int_equal(physmap_lookup(dom, GPA(base + PG(5)), &pa, &t), 0);
    assert_int_equal(pa, base + PG(5));
    assert_int_equal(t, P2M_RAM_RW);
    assert_int_equal(*(uint64_t *)(uintptr_t)pa, 0x1234); /* what it held */
    assert_frames(base + PG(5), 1, 1, (uint16_t)dom->id);
    /* Taken back once: a second time it is simply its RAM in place. */
    assert_int_equal(physmap_take_back(dom, GPA(base + PG(5)), 1), 0);
    /* A page given back untouched comes back untouched: its first touch zeroes it. */
    assert_int_equal(physmap_take_back(dom, GPA(base + MiB(3) + PG(1)), 1), 0);
    assert_untouched(base + MiB(3) + PG(1), P2M_RAM_LAZY, 3);
    assert_int_equal(physmap_lookup(dom, GPA(base + MiB(3) + PG(1)), &pa, &t), 0);
    assert_int_equal(pa, base + MiB(3) + PG(1));
    assert_frames(pa, 1, 1, (uint16_t)dom->id);
    /* Something else mapped where a kept page was: that page cannot come back there. */
    paddr_t other = new_frame((uint16_t)dom->id);
    assert_int_equal(physmap_map_frame(dom, GPA(base + MiB(3)), other, P2M_RAM_RW), 0);
    assert_int_equal(physmap_take_back(dom, GPA(base + MiB(3)), 1), -EINVAL);
    assert_int_equal(physmap_unmap(dom, GPA(base + MiB(3)), NULL), 0);
    /* Not a direct-mapped domain: nothing to take back. */
    dom->cfg.direct_map = false;
    assert_int_equal(physmap_take_back(dom, GPA(base + MiB(3)), 1), -EINVAL);
    dom->cfg.direct_map = true;
    /* The pages still kept go back with the domain. */
    release(dom);
    assert_frames(base + MiB(3), 2, 0, 0);
    assert_null(dom->kept);
    assert_int_equal(dom->tot_pages, 0);
    check_accounting(0); /* the kept pages are free again */
}

static void map_mmio_passes_a_device_through(void **state)
{
    assert_int_equal(physmap_map_mmio(dom, GPA(MMIO_PA), MMIO_PA, MiB(2) + PG(1)), 0);
    paddr_t pa;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(dom, GPA(MMIO_PA + MiB(2)), &pa, &t), 0);
    assert_int_equal(pa, MMIO_PA + MiB(2));
    assert_int_equal(t, P2M_MMIO);
    assert_int_equal(dom->tot_pages, 0); /* not RAM */
    assert_int_equal(physmap_map_mmio(dom, GPA(MMIO_PA + PG(1)), MMIO_PA, PAGE_SIZE), -EEXIST);
    assert_int_equal(physmap_map_mmio(dom, GPA(H + 1), MMIO_PA, PAGE_SIZE), -EINVAL);
    assert_int_equal(physmap_map_mmio(dom, GPA(H), MMIO_PA, 0), -EINVAL);
    assert_int_equal(physmap_map_mmio(dom, GPA(~0UL & PAGE_MASK), MMIO_PA, PG(2)), -EINVAL);
    /* No RAM allowance or frame reference is involved: the device is not the domain's. */
    assert_int_equal(physmap_get_frame(dom, GPA(MMIO_PA), ~0u, &pa), -EFAULT);
    release(dom);
    assert_int_equal(walk(0, ~0UL).n, 0);
    check_accounting(0);
}

/* --- release --- */

/* A mix of touched, untouched, split and replaced RAM, Keel's pages, another domain's and a
 * device: afterwards every page is back and no frame is referenced. */
static void release_returns_every_page(void **state)
{
    clean_block(9);
    assert_int_equal(physmap_populate(dom, GPA(G + MiB(16)), LEAF), 0);
    assert_untouched(G + MiB(16), P2M_RAM_LAZY_CLEAN, 2);
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(8)), 0);
    assert_int_equal(physmap_lookup(dom, GPA(G + LEAF), NULL, NULL), 0);
    assert_int_equal(physmap_unmap(dom, GPA(G + PG(1)), NULL), 0);        /* untouched leaf */
    assert_int_equal(physmap_unmap(dom, GPA(G + LEAF + PG(1)), NULL), 0); /* touched leaf */
    assert_int_equal(physmap_map_frame(dom, GPA(G + PG(2)), new_frame(DOMID), P2M_RAM_RW), 0);
    assert_int_equal(physmap_map_frame(dom, GPA(G + LEAF), new_frame(DOMID), P2M_RAM_RW), 0);
    assert_int_equal(physmap_lookup(dom, GPA(G + PG(3)), NULL, NULL), 0); /* a split page */
    assert_int_equal(physmap_map_frame(dom, GPA(H), new_frame(DOMID), P2M_RAM_RO), 0);
    void *keel = page_alloc(0);
    frame_assign((uintptr_t)keel, 1, DOMID, FRAME_SHARED);
    assert_int_equal(physmap_map_frame(dom, GPA(H + PG(1)), (uintptr_t)keel, P2M_SHARED), 0);
    paddr_t granted = new_frame(OTHER);
    assert_true(frame_get(granted, OTHER));
    assert_int_equal(physmap_map_frame(dom, GPA(H + PG(2)), granted, P2M_FOREIGN_RW), 0);
    assert_int_equal(arch_p2m_map(dom, GPA(H + MiB(2)), MMIO_PA, LEAF, P2M_MMIO), 0);
    assert_int_equal(dom->tot_pages, MiB(10) / PAGE_SIZE - 2 + 1);
    check_accounting(2); /* Keel's page and the granted one */
    release(dom);
    assert_int_equal(dom->tot_pages, 0);
    check_accounting(1);
    /* The map is empty: nobody finds the frames it gave back. */
    assert_int_equal(walk(0, ~0UL).n, 0);
    assert_int_equal(pgtable_pages(&dom->arch.s2), 2);
    assert_int_equal(physmap_lookup(dom, GPA(G + MiB(4)), NULL, NULL), -ENOENT);
    assert_int_equal(physmap_get_frame(dom, GPA(G + LEAF), ~0u, &(paddr_t){ 0 }), -EFAULT);
    assert_frames(granted, 1, 1, OTHER); /* its owner's */
    frame_put(granted, 1);
    pgtable_destroy(&dom->arch.s2);
    assert_int_equal(stats().free_pages, base_free);
    for (uint64_t a = (uintptr_t)arena; a < (uintptr_t)arena + ARENA_SIZE; a += PAGE_SIZE) {
        struct frame_info fi;
        assert_true(frame_query(a, &fi));
        if (fi.refs)
            fail_msg("frame %#lx still has %u references", a, fi.refs);
    }
}

/* Returned a part at a time: 128 MiB of RAM, half of it touched, in four parts of 32 MiB
 * (8192 pages) and a last call that finds nothing left.  Between two calls the map holds
 * exactly what is not back yet. */
static void release_in_parts(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(128)), 0);
    for (uint64_t a = G; a < G + MiB(128); a += 2 * LEAF)
        assert_int_equal(physmap_lookup(dom, GPA(a), NULL, NULL), 0);
    dom->state = DOM_DYING;
    for (unsigned part = 1; part <= 4; part++) {
        assert_int_equal(physmap_release(dom), -ERESTART);
        assert_int_equal(dom->tot_pages, (MiB(128) - part * MiB(32)) / PAGE_SIZE);
        assert_int_equal(walk(G, MiB(128)).next, part < 4 ? G + MiB(128) : G);
        check_accounting(0);
    }
    assert_int_equal(physmap_release(dom), 0);
    assert_int_equal(walk(0, ~0UL).n, 0);
    assert_int_equal(physmap_release(dom), 0); /* done stays done */
    check_accounting(0);
}

/* A block larger than a part (a device's 1 GiB) goes whole: emptying the map never splits a
 * block, so it needs no table page, and no page can be had here. */
static void release_takes_a_gib_block_whole(void **state)
{
    assert_int_equal(physmap_populate(dom, GPA(G), MiB(4)), 0);
    assert_int_equal(arch_p2m_map(dom, GPA(GiB(4)), GiB(8), GiB(1), P2M_MMIO), 0);
    assert_int_equal(walk(GiB(4), GiB(1)).max_size, GiB(1));
    assert_int_equal(physmap_map_frame(dom, GPA(GiB(5)), new_frame(DOMID), P2M_RAM_RW), 0);
    fail_after = 0;
    assert_int_equal(release(dom), 2); /* the block's 262144 pages fill a part */
    assert_int_equal(walk(0, ~0UL).n, 0);
    check_accounting(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(populate_maps_untouched_ram),
        T(populate_gib_block_in_2mib_leaves),
        T(populate_refuses_bad_ranges),
        T(populate_refuses_mapped_ranges),
        T(populate_stops_at_max_pages),
        T(map_frame_stops_at_max_pages),
        T(scattered_maps_stop_at_table_bound),
        T(populate_runs_out_of_memory),
        T(populate_without_table_pages),
        T(lookup_zeroes_and_gives_frames),
        T(claim_overwritten_skips_whole_leaves),
        T(clean_memory_is_not_zeroed_again),
        T(fault_answers),
        T(concurrent_first_touches),
        T(unmap_splits_untouched_leaf),
        T(unmap_keeps_referenced_frames_and_needs_memory),
        T(map_frame_over_untouched_and_touched_ram),
        T(map_frame_refuses),
        T(get_frame_types),
        T(no_untouched_type_leaves),
        T(populate_direct_maps_where_it_is),
        T(populate_direct_refuses),
        T(direct_give_back_is_kept_and_taken_back),
        T(map_mmio_passes_a_device_through),
        T(release_returns_every_page),
        T(release_in_parts),
        T(release_takes_a_gib_block_whole),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
