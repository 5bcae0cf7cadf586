/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the AArch64 translation tables (arch/arm64/pgtable.c) on the host.  The
 * allocator double checks two invariants on every call: a range is unmapped in the table when
 * its TLB invalidation is issued (break-before-make), and a table page is unreachable from the
 * root when it is freed.  It can also fail after N pages to test -ENOMEM paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/pgtable.h>
#include <hyp/errno.h>

#define ATTRS (PTE_AF | PTE_SH_INNER | (1UL << 54))
#define ATTRS2 (PTE_AF | (3UL << 6))
#define FAKE_PA 0x8000000000UL /* 512 GiB: guest-to-host offset in the layouts below */

struct env {
    struct pgtable pt;
    struct pgtable_ops ops;
    long live;       /* pages allocated and not yet freed */
    long fail_after; /* allocations that may still succeed; < 0: unlimited */
    unsigned last_order;
    bool destroying; /* pgtable_destroy: the table is out of use, order does not matter */
    unsigned nr_inval;
    uint64_t inval_ia, inval_size; /* the last invalidation */
};

static bool reachable(const struct pgtable *pt, const uint64_t *table, unsigned level,
                      const void *page)
{
    unsigned n = level == pt->root_level ? pt->root_entries : 512;
    for (unsigned i = 0; i < n && level < 3; i++) {
        uint64_t e = table[i];
        if ((e & 3) != 3)
            continue;
        const uint64_t *next = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
        if (next == page || reachable(pt, next, level + 1, page))
            return true;
    }
    return false;
}

static void *env_alloc(void *ctx, unsigned order)
{
    struct env *env = ctx;
    if (env->fail_after == 0)
        return NULL;
    if (env->fail_after > 0)
        env->fail_after--;
    size_t bytes = PAGE_SIZE << order;
    void *p = aligned_alloc(bytes, bytes);
    assert_non_null(p);
    memset(p, 0, bytes);
    env->live += 1L << order;
    env->last_order = order;
    return p;
}

static void env_free(void *ctx, void *pages, unsigned order)
{
    struct env *env = ctx;
    /* Freed while the walker could still reach it: a use-after-free on real hardware. */
    if (!env->destroying && pages != env->pt.root)
        assert_false(reachable(&env->pt, env->pt.root, env->pt.root_level, pages));
    env->live -= 1L << order;
    free(pages);
}

static void env_tlb_inval(void *ctx, uint64_t ia, uint64_t size)
{
    struct env *env = ctx;
    assert_true(size >= PAGE_SIZE && IS_ALIGNED(ia | size, PAGE_SIZE));
    /* Break-before-make: the old entry must be gone before its TLB entries are. */
    uint64_t probes[] = { ia, ia + size / 2, ia + size - PAGE_SIZE };
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(pgtable_lookup(&env->pt, probes[i], NULL, NULL, NULL), -ENOENT);
    env->nr_inval++;
    env->inval_ia = ia;
    env->inval_size = size;
}

static struct env *env_new(unsigned ia_bits, bool concat)
{
    struct env *env = calloc(1, sizeof(*env));
    env->ops = (struct pgtable_ops){ env_alloc, env_free, env_tlb_inval, env };
    env->fail_after = -1;
    assert_int_equal(pgtable_init(&env->pt, ia_bits, concat, &env->ops), 0);
    return env;
}

/* Table accounting agrees with the allocator, and nothing leaks on destroy. */
static void env_done(struct env *env)
{
    assert_int_equal(pgtable_pages(&env->pt), env->live);
    env->destroying = true;
    pgtable_destroy(&env->pt);
    assert_int_equal(env->live, 0);
    assert_int_equal(pgtable_pages(&env->pt), 0);
    pgtable_destroy(&env->pt); /* twice is harmless */
    free(env);
}

static void assert_maps(const struct pgtable *pt, uint64_t ia, uint64_t pa, unsigned level)
{
    uint64_t got_pa, attrs;
    unsigned got_level;
    assert_int_equal(pgtable_lookup(pt, ia, &got_pa, &attrs, &got_level), 0);
    assert_int_equal(got_pa, pa);
    assert_int_equal(got_level, level);
}

static void assert_unmapped(const struct pgtable *pt, uint64_t ia)
{
    assert_int_equal(pgtable_lookup(pt, ia, NULL, NULL, NULL), -ENOENT);
}

static void init_geometry(void **state)
{
    static const struct {
        unsigned bits;
        bool concat;
        unsigned level, entries;
    } cases[] = {
        { 48, false, 0, 512 },
        { 48, true, 0, 512 },
        { 44, true, 0, 32 },
        { 43, true, 1, 8192 },
        { 40, false, 0, 2 },
        { 40, true, 1, 1024 },
        { 39, false, 1, 512 },
        { 39, true, 1, 512 },
        { 34, true, 2, 8192 },
        { 32, true, 2, 2048 },
        { 31, true, 2, 1024 },
        { 32, false, 1, 4 },
        { 30, true, 2, 512 },
        { 26, true, 2, 32 },
        /* Stage 2 with 4 KiB pages cannot start at level 3 (Arm ARM D8.2.7): 25 bits is
         * 16 entries at level 2, not 16 concatenated level-3 tables. */
        { 25, true, 2, 16 },
        { 25, false, 2, 16 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct env *env = env_new(cases[i].bits, cases[i].concat);
        assert_int_equal(env->pt.root_level, cases[i].level);
        assert_int_equal(env->pt.root_entries, cases[i].entries);
        size_t pages = cases[i].entries > 512 ? cases[i].entries / 512 : 1;
        assert_int_equal(pgtable_pages(&env->pt), pages);
        /* A concatenated root is one naturally aligned allocation. */
        assert_int_equal(1u << env->last_order, pages);
        assert_true(IS_ALIGNED((uintptr_t)env->pt.root, PAGE_SIZE * pages));
        /* The last page of the input space is mappable, the next byte is not. */
        uint64_t top = 1UL << cases[i].bits;
        assert_int_equal(pgtable_map(&env->pt, top - PAGE_SIZE, 0, PAGE_SIZE, ATTRS, 0), 0);
        assert_maps(&env->pt, top - PAGE_SIZE, 0, 3);
        assert_unmapped(&env->pt, top);
        env_done(env);
    }
}

static void init_errors(void **state)
{
    struct env env = { .fail_after = -1 };
    env.ops = (struct pgtable_ops){ env_alloc, env_free, env_tlb_inval, &env };
    assert_int_equal(pgtable_init(&env.pt, 24, false, &env.ops), -EINVAL);
    assert_int_equal(pgtable_init(&env.pt, 49, true, &env.ops), -EINVAL);
    env.fail_after = 0;
    assert_int_equal(pgtable_init(&env.pt, 40, true, &env.ops), -ENOMEM);
    assert_int_equal(pgtable_pages(&env.pt), 0);
    /* A table whose init failed refuses everything. */
    assert_int_equal(pgtable_map(&env.pt, 0, 0, PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_unmap(&env.pt, 0, PAGE_SIZE), -EINVAL);
    assert_unmapped(&env.pt, 0);
    assert_int_equal(env.live, 0);
}

static void pages_map_and_lookup(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, 0x1000, 0x7000, 3 * PAGE_SIZE, ATTRS, 0), 0);
    assert_maps(pt, 0x1000, 0x7000, 3);
    assert_maps(pt, 0x2abc, 0x8abc, 3); /* offset within the page carries through */
    assert_maps(pt, 0x3fff, 0x9fff, 3);
    assert_unmapped(pt, 0);
    assert_unmapped(pt, 0x4000);
    uint64_t attrs;
    assert_int_equal(pgtable_lookup(pt, 0x1000, NULL, &attrs, NULL), 0);
    assert_int_equal(attrs, ATTRS);
    /* Address bits and the type bits in attrs are not the caller's to set. */
    assert_int_equal(pgtable_map(pt, 0x5000, 0x5000, PAGE_SIZE, ATTRS | 0xfff000 | 3, 0), 0);
    assert_maps(pt, 0x5000, 0x5000, 3);
    assert_int_equal(pgtable_lookup(pt, 0x5000, NULL, &attrs, NULL), 0);
    assert_int_equal(attrs, ATTRS);
    /* Root, level 1, level 2, level 3. */
    assert_int_equal(pgtable_pages(pt), 4);
    /* No valid entry was replaced, so nothing needed invalidating. */
    assert_int_equal(env->nr_inval, 0);
    env_done(env);
}

static void blocks_where_aligned(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    /* 2 MiB below a 1 GiB boundary, 1 GiB, then 2 MiB + 4 KiB past it. */
    uint64_t ia = GiB(1) - MiB(2), size = MiB(2) + GiB(1) + MiB(2) + PAGE_SIZE;
    assert_int_equal(pgtable_map(pt, ia, FAKE_PA + ia, size, ATTRS, 0), 0);
    assert_maps(pt, ia, FAKE_PA + ia, 2);
    assert_maps(pt, GiB(1), FAKE_PA + GiB(1), 1);
    assert_maps(pt, GiB(2) - 1, FAKE_PA + GiB(2) - 1, 1);
    assert_maps(pt, GiB(2), FAKE_PA + GiB(2), 2);
    assert_maps(pt, GiB(2) + MiB(2), FAKE_PA + GiB(2) + MiB(2), 3);
    assert_unmapped(pt, GiB(2) + MiB(2) + PAGE_SIZE);
    /* Root, level 1, two level-2 tables, one level-3 table. */
    assert_int_equal(pgtable_pages(pt), 5);

    /* A block needs the output address aligned too: 2 MiB-aligned PA gives 2 MiB blocks. */
    assert_int_equal(pgtable_map(pt, GiB(8), GiB(3) + MiB(2), GiB(1), ATTRS, 0), 0);
    assert_maps(pt, GiB(8) + 123, GiB(3) + MiB(2) + 123, 2);
    /* 4 KiB-aligned PA: pages only. */
    assert_int_equal(pgtable_map(pt, GiB(16), 0x1000, MiB(2), ATTRS, 0), 0);
    assert_maps(pt, GiB(16) + MiB(1), 0x1000 + MiB(1), 3);
    env_done(env);
}

/* The first leaf meeting a range: found whole (a block that starts before the range too),
 * across empty space of any size, never past the range's end. */
static void first_leaf_found_whole(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    uint64_t ia, size;
    assert_false(pgtable_first_leaf(pt, 0, 1UL << 48, &ia, &size)); /* empty */
    assert_int_equal(pgtable_map(pt, GiB(1), FAKE_PA + GiB(1), GiB(1), ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, GiB(300) + MiB(4), FAKE_PA, MiB(2), ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, GiB(300) + MiB(7), FAKE_PA, PAGE_SIZE, ATTRS, 0), 0);
    assert_true(pgtable_first_leaf(pt, 0, 1UL << 48, &ia, &size));
    assert_int_equal(ia, GiB(1));
    assert_int_equal(size, GiB(1));
    assert_true(pgtable_first_leaf(pt, GiB(1) + MiB(5), 1UL << 48, &ia, &size));
    assert_int_equal(ia, GiB(1)); /* the block holding the start, from its own start */
    assert_true(pgtable_first_leaf(pt, GiB(2), 1UL << 48, &ia, &size));
    assert_int_equal(ia, GiB(300) + MiB(4));
    assert_int_equal(size, MiB(2));
    assert_true(pgtable_first_leaf(pt, GiB(300) + MiB(6), 1UL << 48, &ia, &size));
    assert_int_equal(ia, GiB(300) + MiB(7));
    assert_int_equal(size, PAGE_SIZE);
    assert_false(pgtable_first_leaf(pt, GiB(2), GiB(300) + MiB(4), &ia, &size)); /* end */
    assert_false(pgtable_first_leaf(pt, GiB(300) + MiB(8), 1UL << 48, &ia, &size));
    assert_false(pgtable_first_leaf(pt, GiB(3), GiB(3), &ia, &size)); /* nothing asked */
    env_done(env);
}

static void no_blocks_flag(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, GiB(1), GiB(1), MiB(4), ATTRS, PGT_NO_BLOCKS), 0);
    assert_maps(pt, GiB(1), GiB(1), 3);
    assert_maps(pt, GiB(1) + MiB(4) - 1, GiB(1) + MiB(4) - 1, 3);
    /* Root, level 1, level 2, two level-3 tables. */
    assert_int_equal(pgtable_pages(pt), 5);
    env_done(env);
}

static void split_on_partial_unmap(void **state)
{
    struct env *env = env_new(40, true);
    struct pgtable *pt = &env->pt;
    size_t base = pgtable_pages(pt);
    assert_int_equal(pgtable_map(pt, GiB(4), FAKE_PA, GiB(1), ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), base);

    /* A hole in the middle of a 1 GiB block: it becomes 2 MiB blocks plus one page table. */
    uint64_t hole = GiB(4) + MiB(300) + PAGE_SIZE;
    assert_int_equal(pgtable_unmap(pt, hole, PAGE_SIZE), 0);
    assert_unmapped(pt, hole);
    assert_maps(pt, hole - PAGE_SIZE, FAKE_PA + MiB(300), 3);
    assert_maps(pt, hole + PAGE_SIZE, FAKE_PA + MiB(300) + 2 * PAGE_SIZE, 3);
    assert_maps(pt, GiB(4), FAKE_PA, 2);
    assert_maps(pt, GiB(5) - 1, FAKE_PA + GiB(1) - 1, 2);
    uint64_t attrs;
    assert_int_equal(pgtable_lookup(pt, GiB(4) + MiB(301), NULL, &attrs, NULL), 0);
    assert_int_equal(attrs, ATTRS); /* the split keeps the attributes */
    assert_int_equal(pgtable_pages(pt), base + 2);
    /* The block was invalidated as a whole before the table replaced it. */
    assert_true(env->nr_inval >= 2);

    /* Unmapping the rest of the block frees both tables again. */
    assert_int_equal(pgtable_unmap(pt, GiB(4), hole - GiB(4)), 0);
    assert_int_equal(pgtable_unmap(pt, hole + PAGE_SIZE, GiB(5) - hole - PAGE_SIZE), 0);
    assert_unmapped(pt, GiB(4));
    assert_int_equal(pgtable_pages(pt), base);
    env_done(env);
}

static void split_on_remap(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, MiB(2), MiB(64), MiB(2), ATTRS, 0), 0);
    size_t before = pgtable_pages(pt);
    unsigned inval = env->nr_inval;
    /* Remap one page inside the 2 MiB block elsewhere, with other attributes. */
    assert_int_equal(pgtable_map(pt, MiB(3), 0x1234000, PAGE_SIZE, ATTRS2, 0), 0);
    /* The block was broken (invalid, then invalidated) before the table went in, and the
     * replaced page again before its new entry. */
    assert_int_equal(env->nr_inval, inval + 2);
    assert_int_equal(pgtable_pages(pt), before + 1);
    assert_maps(pt, MiB(3), 0x1234000, 3);
    uint64_t attrs;
    assert_int_equal(pgtable_lookup(pt, MiB(3), NULL, &attrs, NULL), 0);
    assert_int_equal(attrs, ATTRS2);
    assert_maps(pt, MiB(3) - PAGE_SIZE, MiB(65) - PAGE_SIZE, 3);
    assert_maps(pt, MiB(3) + PAGE_SIZE, MiB(65) + PAGE_SIZE, 3);
    assert_maps(pt, MiB(2), MiB(64), 3);

    /* Mapping the same block again puts the block back and frees the page table. */
    assert_int_equal(pgtable_map(pt, MiB(2), MiB(64), MiB(2), ATTRS, 0), 0);
    assert_maps(pt, MiB(3), MiB(65), 2);
    assert_int_equal(pgtable_pages(pt), before);
    env_done(env);
}

static void identical_remap_needs_no_invalidation(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, 0, 0, MiB(2) + PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, 0, 0, MiB(2) + PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(env->nr_inval, 0);
    /* Changing only the attributes of a block is a break-before-make too. */
    assert_int_equal(pgtable_map(pt, 0, 0, MiB(2), ATTRS2, 0), 0);
    assert_int_equal(env->nr_inval, 1);
    assert_int_equal(env->inval_ia, 0);
    assert_int_equal(env->inval_size, MiB(2));
    env_done(env);
}

/* A block over a range that has page tables under it: the tables must be unlinked and
 * invalidated before any of them is freed (env_free checks reachability). */
static void block_replaces_tables(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    size_t base = pgtable_pages(pt);
    assert_int_equal(pgtable_map(pt, GiB(2) + MiB(4), 0x5000, PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, GiB(2) + MiB(10), 0x6000, PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), base + 4); /* L1, L2, two L3 */
    assert_int_equal(pgtable_map(pt, GiB(2), GiB(7), GiB(1), ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), base + 1); /* L1 only */
    assert_maps(pt, GiB(2) + MiB(4), GiB(7) + MiB(4), 1);
    assert_int_equal(env->inval_ia, GiB(2));
    assert_int_equal(env->inval_size, GiB(1));
    env_done(env);
}

static void empty_tables_are_freed(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    /* Pages scattered over different level-1, level-2 and level-3 tables. */
    static const uint64_t at[] = { 0,
                                   MiB(2),
                                   MiB(2) + PAGE_SIZE,
                                   GiB(1) + MiB(6),
                                   GiB(600),
                                   (1UL << 47) + GiB(3),
                                   (1UL << 48) - PAGE_SIZE };
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
        assert_int_equal(pgtable_map(pt, at[i], at[i], PAGE_SIZE, ATTRS, 0), 0);
    assert_true(pgtable_pages(pt) > 10);
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        assert_int_equal(pgtable_unmap(pt, at[i], PAGE_SIZE), 0);
        assert_unmapped(pt, at[i]);
    }
    assert_int_equal(pgtable_pages(pt), 1);
    /* Unmapping what is not mapped is a no-op, also across huge spans. */
    assert_int_equal(pgtable_unmap(pt, 0, 1UL << 48), 0);
    assert_int_equal(pgtable_unmap(pt, MiB(2), PAGE_SIZE), 0);
    assert_int_equal(pgtable_pages(pt), 1);
    assert_int_equal(env->live, 1);

    /* A table goes exactly with its last entry, wherever the others lie: before, after and
     * (wrapping round the table) behind the entry removed. */
    static const uint64_t pages[] = { 511, 200, 3 };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(
            pgtable_map(pt, GiB(5) + pages[i] * PAGE_SIZE, MiB(8), PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), 4);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pgtable_unmap(pt, GiB(5) + pages[i] * PAGE_SIZE, PAGE_SIZE), 0);
        assert_int_equal(pgtable_pages(pt), i < 2 ? 4 : 1);
        for (size_t j = i + 1; j < 3; j++)
            assert_maps(pt, GiB(5) + pages[j] * PAGE_SIZE, MiB(8), 3);
    }

    /* One unmap spanning many tables frees them all. */
    assert_int_equal(pgtable_map(pt, MiB(1), MiB(1), GiB(3), ATTRS, 0), 0);
    assert_int_equal(pgtable_unmap(pt, 0, GiB(4)), 0);
    assert_int_equal(pgtable_pages(pt), 1);
    env_done(env);
}

/*
 * The guest layout the domain builder uses for a 1 TiB guest: RAM at 1 GiB (3 GiB) and at
 * 8 GiB (1016 GiB, up to the top of a 40-bit space), all in 1 GiB blocks.  The concatenated
 * root (2 pages) is the only table needed.
 */
static void guest_layout_1tib(void **state)
{
    struct env *env = env_new(40, true);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, GiB(1), FAKE_PA + GiB(1), GiB(3), ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, GiB(8), FAKE_PA + GiB(8), GiB(1016), ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), 2);
    assert_int_equal(env->live, 2);
    static const uint64_t inside[] = { GiB(1),       GiB(4) - 1,
                                       GiB(8),       GiB(8) + 0x123456789,
                                       GiB(512),     GiB(1024) - PAGE_SIZE,
                                       GiB(1024) - 1 };
    for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
        assert_maps(pt, inside[i], FAKE_PA + inside[i], 1);
    assert_unmapped(pt, 0);
    assert_unmapped(pt, GiB(1) - 1);
    assert_unmapped(pt, GiB(4));
    assert_unmapped(pt, GiB(8) - 1);
    assert_unmapped(pt, GiB(1024)); /* past the 40-bit space */
    assert_int_equal(pgtable_map(pt, GiB(1023), 0, GiB(2), ATTRS, 0), -EINVAL);

    /* Ballooning out one page deep inside costs exactly two table pages, given back after. */
    uint64_t page = GiB(700) + MiB(6) + 5 * PAGE_SIZE;
    assert_int_equal(pgtable_unmap(pt, page, PAGE_SIZE), 0);
    assert_int_equal(pgtable_pages(pt), 4);
    assert_unmapped(pt, page);
    assert_maps(pt, page + PAGE_SIZE, FAKE_PA + page + PAGE_SIZE, 3);
    assert_maps(pt, GiB(700), FAKE_PA + GiB(700), 2);
    assert_maps(pt, GiB(701), FAKE_PA + GiB(701), 1);
    assert_int_equal(pgtable_map(pt, page, FAKE_PA + page, PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_map(pt, GiB(700), FAKE_PA + GiB(700), GiB(1), ATTRS, 0), 0);
    assert_int_equal(pgtable_pages(pt), 2);
    assert_maps(pt, page, FAKE_PA + page, 1);

    assert_int_equal(pgtable_unmap(pt, 0, GiB(1024)), 0);
    assert_unmapped(pt, GiB(512));
    assert_int_equal(pgtable_pages(pt), 2);
    env_done(env);
}

static void invalid_arguments(void **state)
{
    struct env *env = env_new(40, true);
    struct pgtable *pt = &env->pt;
    uint64_t top = 1UL << 40;
    assert_int_equal(pgtable_map(pt, 0x800, 0, PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, 0, 0x800, PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, 0, 0, 0x800, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, 0, 0, 0, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, top, 0, PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, top - PAGE_SIZE, 0, 2 * PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, PAGE_SIZE, 0, 0 - PAGE_SIZE, ATTRS, 0), -EINVAL);
    /* Output addresses are 48 bits; the range must not run past them either. */
    assert_int_equal(pgtable_map(pt, 0, 1UL << 48, PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, 0, (1UL << 48) - PAGE_SIZE, 2 * PAGE_SIZE, ATTRS, 0), -EINVAL);
    assert_int_equal(pgtable_map(pt, 0, (1UL << 48) - PAGE_SIZE, PAGE_SIZE, ATTRS, 0), 0);
    assert_int_equal(pgtable_unmap(pt, 0x800, PAGE_SIZE), -EINVAL);
    assert_int_equal(pgtable_unmap(pt, 0, 0), -EINVAL);
    assert_int_equal(pgtable_unmap(pt, 0, 0x1800), -EINVAL);
    assert_int_equal(pgtable_unmap(pt, top - PAGE_SIZE, 2 * PAGE_SIZE), -EINVAL);
    assert_int_equal(pgtable_unmap(pt, PAGE_SIZE, 0 - PAGE_SIZE), -EINVAL);
    assert_unmapped(pt, UINT64_MAX & PAGE_MASK);
    /* Nothing but the one valid call changed anything. */
    assert_int_equal(env->nr_inval, 0);
    assert_maps(pt, 0, (1UL << 48) - PAGE_SIZE, 3);
    env_done(env);
}

/* Every possible allocation failure during a map that needs several tables. */
static void enomem_during_map(void **state)
{
    for (long n = 0;; n++) {
        struct env *env = env_new(48, false);
        struct pgtable *pt = &env->pt;
        env->fail_after = n;
        int rc = pgtable_map(pt, GiB(1) - MiB(2), GiB(1) - MiB(2), MiB(4) + PAGE_SIZE, ATTRS,
                             PGT_NO_BLOCKS);
        assert_int_equal(pgtable_pages(pt), env->live);
        if (rc == 0) {
            /* L1, two L2 and three L3 tables. */
            assert_int_equal(n, 6);
            env_done(env);
            break;
        }
        assert_int_equal(rc, -ENOMEM);
        /* The documented recovery: unmap the range, which gives every table back. */
        env->fail_after = -1;
        assert_int_equal(pgtable_unmap(pt, GiB(1) - MiB(2), MiB(4) + PAGE_SIZE), 0);
        assert_int_equal(pgtable_pages(pt), 1);
        env_done(env);
    }
}

static void enomem_during_split(void **state)
{
    struct env *env = env_new(48, false);
    struct pgtable *pt = &env->pt;
    assert_int_equal(pgtable_map(pt, GiB(1), GiB(1), GiB(1), ATTRS, 0), 0);
    size_t before = pgtable_pages(pt);
    env->fail_after = 0;
    assert_int_equal(pgtable_unmap(pt, GiB(1) + PAGE_SIZE, PAGE_SIZE), -ENOMEM);
    assert_int_equal(pgtable_map(pt, GiB(1), 0, PAGE_SIZE, ATTRS, 0), -ENOMEM);
    /* A split that could not get its table leaves the block as it was. */
    assert_int_equal(pgtable_pages(pt), before);
    assert_maps(pt, GiB(1) + PAGE_SIZE, GiB(1) + PAGE_SIZE, 1);
    assert_maps(pt, GiB(1), GiB(1), 1);
    /* One page is enough for the 1 GiB -> 2 MiB step only. */
    env->fail_after = 1;
    assert_int_equal(pgtable_unmap(pt, GiB(1) + PAGE_SIZE, PAGE_SIZE), -ENOMEM);
    assert_maps(pt, GiB(1) + PAGE_SIZE, GiB(1) + PAGE_SIZE, 2);
    env->fail_after = -1;
    assert_int_equal(pgtable_unmap(pt, GiB(1) + PAGE_SIZE, PAGE_SIZE), 0);
    assert_unmapped(pt, GiB(1) + PAGE_SIZE);
    env_done(env);
}

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rng(void)
{
    /* xorshift64*, fixed seed so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

#define MODEL_BITS 33 /* 8 GiB: level-1 root of 8 entries, so 1 GiB blocks occur */
#define MODEL_PAGES (1UL << (MODEL_BITS - PAGE_SHIFT))

/* model[page] = output address | 1 if mapped with ATTRS, | 2 if with ATTRS2; 0 unmapped. */
static void check_model(const struct pgtable *pt, const uint64_t *model, uint64_t page)
{
    uint64_t pa, attrs;
    int rc = pgtable_lookup(pt, page << PAGE_SHIFT, &pa, &attrs, NULL);
    if (!model[page]) {
        assert_int_equal(rc, -ENOENT);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(pa, model[page] & PAGE_MASK);
    assert_int_equal(attrs, (model[page] & 1) ? ATTRS : ATTRS2);
}

struct walk_check {
    const uint64_t *model;
    uint8_t *seen;
    uint64_t last_end;
};

/* pgtable_walk's callback: every page of the leaf is in the model, once, in address order. */
static void walk_leaf(void *ctx, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs)
{
    struct walk_check *w = ctx;
    assert_true(ia >= w->last_end);
    assert_true(IS_ALIGNED(ia | pa | size, PAGE_SIZE));
    w->last_end = ia + size;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t page = (ia + off) >> PAGE_SHIFT;
        assert_int_equal(w->model[page] & PAGE_MASK, pa + off);
        assert_int_equal(attrs, (w->model[page] & 1) ? ATTRS : ATTRS2);
        assert_false(w->seen[page]);
        w->seen[page] = 1;
    }
}

/* The walk of [first, first + n) pages visits exactly what the model maps there. */
static void check_walk(const struct pgtable *pt, const uint64_t *model, uint64_t first, uint64_t n)
{
    struct walk_check w = { model, calloc(MODEL_PAGES, 1), 0 };
    pgtable_walk(pt, first << PAGE_SHIFT, n << PAGE_SHIFT, walk_leaf, &w);
    for (uint64_t page = 0; page < MODEL_PAGES; page++)
        assert_int_equal(w.seen[page], page >= first && page < first + n && model[page] != 0);
    free(w.seen);
}

/* Random maps and unmaps at page, 2 MiB and 1 GiB granularity against a flat model; the walk
 * visits exactly what the model maps. */
static void random_ops_match_model(void **state)
{
    struct env *env = env_new(MODEL_BITS, false);
    struct pgtable *pt = &env->pt;
    uint64_t *model = calloc(MODEL_PAGES, sizeof(*model));
    static const uint64_t grains[] = { PAGE_SIZE, MiB(2), GiB(1) };
    for (unsigned op = 0; op < 400; op++) {
        uint64_t grain = grains[rng() % 3];
        uint64_t ia = (rng() % (1UL << MODEL_BITS)) & ~(grain - 1);
        if (rng() % 4 == 0)
            ia += (rng() % 8) * PAGE_SIZE; /* now straddles block boundaries */
        uint64_t size = (1 + rng() % (grain == PAGE_SIZE ? 700 : 3)) * grain;
        if (rng() % 4 == 0)
            size += (rng() % 8) * PAGE_SIZE;
        ia = MIN(ia, (1UL << MODEL_BITS) - PAGE_SIZE);
        size = MIN(size, (1UL << MODEL_BITS) - ia);
        uint64_t first = ia >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
        if (rng() % 3) {
            uint64_t pa = (rng() % (1UL << 40)) & ~(grain - 1);
            if (rng() % 4 == 0)
                pa += PAGE_SIZE;
            bool one = rng() % 2;
            unsigned flags = rng() % 5 == 0 ? PGT_NO_BLOCKS : 0;
            assert_int_equal(pgtable_map(pt, ia, pa, size, one ? ATTRS : ATTRS2, flags), 0);
            for (uint64_t i = 0; i < n; i++)
                model[first + i] = (pa + (i << PAGE_SHIFT)) | (one ? 1 : 2);
        } else {
            assert_int_equal(pgtable_unmap(pt, ia, size), 0);
            memset(model + first, 0, n * sizeof(*model));
        }
        /* The edges of this operation, and a sample of everywhere else. */
        uint64_t probes[] = { first, first + n - 1, first ? first - 1 : 0,
                              MIN(first + n, MODEL_PAGES - 1) };
        for (unsigned i = 0; i < 4; i++)
            check_model(pt, model, probes[i]);
        for (unsigned i = 0; i < 200; i++)
            check_model(pt, model, rng() % MODEL_PAGES);
        assert_int_equal(pgtable_pages(pt), env->live);
    }
    check_walk(pt, model, 0, MODEL_PAGES);
    for (unsigned i = 0; i < 20; i++) {
        uint64_t first = rng() % MODEL_PAGES;
        check_walk(pt, model, first, 1 + rng() % (MODEL_PAGES - first));
    }
    /* Every 2 MiB region once, then empty it all: only the root may remain. */
    for (uint64_t page = 0; page < MODEL_PAGES; page += 512)
        check_model(pt, model, page + rng() % 512);
    assert_int_equal(pgtable_unmap(pt, 0, 1UL << MODEL_BITS), 0);
    assert_int_equal(pgtable_pages(pt), 1);
    free(model);
    env_done(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_geometry),
        cmocka_unit_test(init_errors),
        cmocka_unit_test(pages_map_and_lookup),
        cmocka_unit_test(blocks_where_aligned),
        cmocka_unit_test(first_leaf_found_whole),
        cmocka_unit_test(no_blocks_flag),
        cmocka_unit_test(split_on_partial_unmap),
        cmocka_unit_test(split_on_remap),
        cmocka_unit_test(identical_remap_needs_no_invalidation),
        cmocka_unit_test(block_replaces_tables),
        cmocka_unit_test(empty_tables_are_freed),
        cmocka_unit_test(guest_layout_1tib),
        cmocka_unit_test(invalid_arguments),
        cmocka_unit_test(enomem_during_map),
        cmocka_unit_test(enomem_during_split),
        cmocka_unit_test(random_ops_match_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
