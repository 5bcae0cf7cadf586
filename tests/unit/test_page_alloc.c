/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the buddy page allocator, run on host memory: the "RAM banks" are ranges of an
 * aligned_alloc()ed or mmap()ed arena, with addresses as pointer values, exactly as Keel sees
 * RAM mapped 1:1.  ASan catches any write outside the arena.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/page_alloc.h>
#include <sys/mman.h>

#include "../../hyp/core/mm/page_alloc_internal.h"

#define ARENA_SIZE MiB(64)
#define ARENA_ALIGN MiB(32)

/* BUG_ON() lands here: report it to cmocka so expect_assert_failure() can catch it. */
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

static uint8_t *arena;

static int arena_setup(void **state)
{
    arena = aligned_alloc(ARENA_ALIGN, ARENA_SIZE);
    return arena ? 0 : -1;
}

static int arena_teardown(void **state)
{
    free(arena);
    arena = NULL;
    return 0;
}

static uint64_t addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static struct mem_range range(const void *base, uint64_t size)
{
    return (struct mem_range){ addr(base), size };
}

static void init_one_bank(const void *base, uint64_t size)
{
    struct mem_range bank = range(base, size);
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
}

static struct page_stats stats(void)
{
    struct page_stats st;
    page_alloc_stats(&st);
    return st;
}

/* The counters agree with each other. */
static void check_counters(void)
{
    struct page_stats st = stats();
    uint64_t sum = 0, largest = 0;
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        sum += st.free_blocks[k] << k;
        if (st.free_blocks[k])
            largest = k;
    }
    assert_int_equal(sum, st.free_pages);
    assert_int_equal(largest, st.largest_free_order);
    assert_true(st.free_pages <= st.total_pages);
}

/* The counters are exactly what they were at *b. */
static void assert_stats_back(const struct page_stats *b)
{
    struct page_stats now = stats();
    const struct page_stats *a = &now;
    assert_int_equal(a->total_pages, b->total_pages);
    assert_int_equal(a->free_pages, b->free_pages);
    assert_int_equal(a->largest_free_order, b->largest_free_order);
    assert_memory_equal(a->free_blocks, b->free_blocks, sizeof(a->free_blocks));
}

/* The free blocks [s, e) must become when fully merged: the largest aligned blocks that fit. */
static void greedy_blocks(uint64_t s, uint64_t e, uint64_t *blocks)
{
    while (s < e) {
        unsigned k = 0;
        while (k < PAGE_MAX_ORDER && s % (PAGE_SIZE << (k + 1)) == 0 &&
               e - s >= PAGE_SIZE << (k + 1))
            k++;
        blocks[k]++;
        s += PAGE_SIZE << k;
    }
}

/* Pages the allocator keeps for itself in a one-bank arena of `pages` (2 MiB aligned): a byte
 * per page, then a dirty bitmap (a bit per page) and a virgin bitmap (a bit per 2 MiB), of
 * whole 64-bit words, then the list links of each 2 MiB chunk. */
static uint64_t meta_pages(uint64_t pages)
{
    uint64_t chunks = (pages + 511) / 512;
    /* A byte per page, the dirty bits, the virgin bits, two links per chunk. */
    uint64_t bytes = (pages + 7) / 8 * 8 + (pages + 63) / 64 * 8 + (chunks + 63) / 64 * 8 +
                     chunks * 2 * sizeof(void *);
    return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Take every page as order-0 blocks; returns how many. */
static size_t take_all_pages(void **pages, size_t max)
{
    size_t n = 0;
    void *p;
    while ((p = page_alloc(0)) != NULL) {
        assert_true(n < max);
        pages[n++] = p;
    }
    return n;
}

static void shuffle(void **v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng() % i;
        void *t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* Orders 0..18 each come back naturally aligned, inside the bank, with their order recorded. */
static void every_order_aligned(void **state)
{
    /* Reserve 2 GiB of address space and use a bank that holds one whole aligned GiB; its
     * first 8 MiB (below that GiB) takes the metadata. */
    size_t span = GiB(2);
    uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(map != MAP_FAILED);
    uint8_t *gib = (uint8_t *)ALIGN_UP(addr(map) + MiB(8), GiB(1));
    uint8_t *base = gib - MiB(8);
    init_one_bank(base, GiB(1) + MiB(8));
    struct page_stats before = stats();
    assert_int_equal(before.largest_free_order, PAGE_MAX_ORDER);
    assert_int_equal(before.total_pages,
                     (GiB(1) + MiB(8)) / PAGE_SIZE - meta_pages((GiB(1) + MiB(8)) / PAGE_SIZE));
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        uint8_t *p = page_alloc(k);
        assert_non_null(p);
        assert_int_equal(addr(p) % (PAGE_SIZE << k), 0);
        assert_true(p >= base && p + (PAGE_SIZE << k) <= gib + GiB(1));
        assert_int_equal(page_alloc_block_order(p), k);
        assert_int_equal(stats().free_pages, before.free_pages - (1UL << k));
        check_counters();
        page_free(p, k);
        assert_stats_back(&before);
    }
    assert_null(page_alloc(PAGE_MAX_ORDER + 1));
    assert_null(page_alloc(~0u));
    munmap(map, span);
}

/* Split everything down to single pages, free them in random order: the blocks must merge
 * back into exactly the largest blocks they started as. */
static void split_then_merge_restores(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    struct page_stats before = stats();
    uint64_t expect[PAGE_MAX_ORDER + 1] = { 0 };
    uint64_t meta = meta_pages(ARENA_SIZE / PAGE_SIZE) * PAGE_SIZE;
    greedy_blocks(addr(arena) + meta, addr(arena) + ARENA_SIZE, expect);
    assert_memory_equal(before.free_blocks, expect, sizeof(expect));
    assert_int_equal(before.total_pages, (ARENA_SIZE - meta) / PAGE_SIZE);
    assert_int_equal(before.free_pages, before.total_pages);

    size_t max = ARENA_SIZE / PAGE_SIZE;
    void **pages = calloc(max, sizeof(*pages));
    size_t n = take_all_pages(pages, max);
    assert_int_equal(n, before.total_pages);
    struct page_stats empty = stats();
    assert_int_equal(empty.free_pages, 0);
    assert_int_equal(empty.largest_free_order, 0);
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        assert_int_equal(empty.free_blocks[k], 0);
        assert_null(page_alloc(k));
    }
    shuffle(pages, n);
    for (size_t i = 0; i < n; i++)
        page_free(pages[i], 0);
    assert_stats_back(&before);
    free(pages);
}

/* Exhausting one order leaves smaller requests served from what is left, then nothing. */
static void exhaustion_by_order(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    struct page_stats before = stats();
    void *blocks[64];
    size_t n = 0;
    void *p;
    while ((p = page_alloc(10)) != NULL) {
        assert_true(n < 64);
        blocks[n++] = p;
    }
    struct page_stats st = stats();
    assert_true(st.largest_free_order < 10);
    /* The remainder is the pages beside the metadata in the first 4 MiB. */
    assert_int_equal(st.free_pages,
                     (MiB(4) - meta_pages(ARENA_SIZE / PAGE_SIZE) * PAGE_SIZE) / PAGE_SIZE);
    void **rest = calloc(st.free_pages + 1, sizeof(*rest));
    size_t m = take_all_pages(rest, st.free_pages + 1);
    assert_int_equal(m, st.free_pages);
    assert_null(page_alloc(0));
    for (size_t i = 0; i < m; i++)
        page_free(rest[i], 0);
    for (size_t i = 0; i < n; i++)
        page_free(blocks[i], 10);
    assert_stats_back(&before);
    free(rest);
}

/* Fill every page we are given with a byte and check the bytes around are untouched. */
static size_t fill_all(void **pages, size_t max, uint8_t byte)
{
    size_t n = take_all_pages(pages, max);
    for (size_t i = 0; i < n; i++)
        memset(pages[i], byte, PAGE_SIZE);
    return n;
}

static void assert_bytes(const uint8_t *p, uint64_t len, uint8_t byte)
{
    for (uint64_t i = 0; i < len; i++)
        if (p[i] != byte)
            fail_msg("byte %#x at %p, expected %#x", p[i], (void *)(p + i), byte);
}

/* A bank with an unaligned start and end: only whole pages inside it are handed out. */
static void odd_bank_bounds(void **state)
{
    uint8_t *base = arena + 12345;
    uint64_t size = MiB(10) + 777;
    uint64_t first = ALIGN_UP(addr(base), PAGE_SIZE),
             last = ALIGN_DOWN(addr(base) + size, PAGE_SIZE);
    memset(arena, 0xa5, ARENA_SIZE);
    init_one_bank(base, size);
    uint64_t pages = (last - first) / PAGE_SIZE;
    struct page_stats before = stats();
    assert_int_equal(before.total_pages, pages - meta_pages(pages));
    check_counters();

    void **all = calloc(pages, sizeof(*all));
    size_t n = fill_all(all, pages, 0x5a);
    assert_int_equal(n, before.total_pages);
    for (size_t i = 0; i < n; i++)
        assert_true(addr(all[i]) >= first && addr(all[i]) + PAGE_SIZE <= last);
    /* The partial pages at both ends were not touched. */
    assert_bytes(arena, first - addr(arena), 0xa5);
    assert_bytes((uint8_t *)(uintptr_t)last, addr(arena) + ARENA_SIZE - last, 0xa5);
    for (size_t i = 0; i < n; i++)
        page_free(all[i], 0);
    assert_stats_back(&before);
    free(all);
}

/* Several banks (unsorted, one pair adjacent, odd sizes): no block spans two banks, the gaps
 * are never touched, and everything merges back. */
static void several_banks(void **state)
{
    struct mem_range banks[] = {
        range(arena + MiB(20), MiB(32)),      /* listed first, though not lowest */
        range(arena, MiB(5) + 3 * PAGE_SIZE), /* ends inside a 64 KiB block */
        range(arena + MiB(8) + 100, MiB(1)),  /* unaligned at both ends */
        range(arena + MiB(52), MiB(8)),       /* adjacent to the first */
    };
    memset(arena, 0xa5, ARENA_SIZE);
    assert_int_equal(page_alloc_init_ranges(banks, ARRAY_SIZE(banks), NULL, 0), 0);
    struct page_stats before = stats();
    check_counters();
    /* Blocks are per bank: the adjacent banks do not merge into a 32 MiB block at 32 MiB. */
    assert_int_equal(before.largest_free_order, 12);

    size_t max = ARENA_SIZE / PAGE_SIZE;
    void **all = calloc(max, sizeof(*all));
    size_t n = fill_all(all, max, 0x5a);
    assert_int_equal(n, before.total_pages);
    for (size_t i = 0; i < n; i++) {
        bool inside = false;
        for (unsigned b = 0; b < ARRAY_SIZE(banks); b++)
            inside |= addr(all[i]) >= banks[b].base &&
                      addr(all[i]) + PAGE_SIZE <= banks[b].base + banks[b].size;
        assert_true(inside);
    }
    assert_bytes(arena + MiB(5) + 3 * PAGE_SIZE, MiB(3) - 3 * PAGE_SIZE + PAGE_SIZE, 0xa5);
    assert_bytes(arena + MiB(9), MiB(11), 0xa5);
    assert_bytes(arena + MiB(60), MiB(4), 0xa5);
    for (size_t i = 0; i < n; i++)
        page_free(all[i], 0);
    assert_stats_back(&before);

    /* Largest blocks first: each lies inside one bank. */
    void *big[256];
    unsigned big_order[256];
    size_t nb = 0;
    for (int k = PAGE_MAX_ORDER; k >= 0; k--) {
        void *p;
        while ((p = page_alloc((unsigned)k)) != NULL) {
            uint64_t a = addr(p), len = PAGE_SIZE << k;
            bool inside = false;
            for (unsigned b = 0; b < ARRAY_SIZE(banks); b++)
                inside |= a >= ALIGN_UP(banks[b].base, PAGE_SIZE) &&
                          a + len <= banks[b].base + banks[b].size;
            assert_true(inside);
            assert_true(nb < 256);
            big_order[nb] = (unsigned)k;
            big[nb++] = p;
        }
    }
    assert_int_equal(stats().free_pages, 0);
    while (nb--)
        page_free(big[nb], big_order[nb]);
    assert_stats_back(&before);
    free(all);
}

/* Holes of any alignment, including ones that overlap a bank edge, lie outside every bank, or
 * are empty: none of their pages is handed out. */
static void reserved_holes(void **state)
{
    uint8_t *bank = arena + MiB(16);
    struct mem_range holes[] = {
        range(bank + MiB(1) + 100, 5000),  /* spans two pages */
        range(bank + MiB(3) + 4095, 1),    /* one byte, last of its page */
        range(bank + MiB(8), MiB(3)),      /* big */
        range(bank - MiB(1), MiB(1) + 10), /* overlaps the bank's start */
        range(bank + MiB(32) - 1, MiB(2)), /* overlaps its end */
        range(arena, MiB(1)),              /* outside it */
        range(bank + MiB(20), 0),          /* empty */
        range(bank + MiB(8) + 4096, 4096), /* inside another hole */
    };
    struct mem_range ram = range(bank, MiB(32));
    memset(arena, 0xa5, ARENA_SIZE);
    assert_int_equal(page_alloc_init_ranges(&ram, 1, holes, ARRAY_SIZE(holes)), 0);
    uint64_t hole_pages = 2 + 1 + MiB(3) / PAGE_SIZE + 1 + 1;
    uint64_t pages = MiB(32) / PAGE_SIZE;
    struct page_stats before = stats();
    assert_int_equal(before.total_pages, pages - hole_pages - meta_pages(pages));
    check_counters();

    void **all = calloc(pages, sizeof(*all));
    size_t n = fill_all(all, pages, 0x5a);
    assert_int_equal(n, before.total_pages);
    for (size_t i = 0; i < n; i++) {
        for (unsigned h = 0; h < ARRAY_SIZE(holes); h++) {
            if (!holes[h].size)
                continue;
            uint64_t hb = ALIGN_DOWN(holes[h].base, PAGE_SIZE);
            uint64_t he = ALIGN_UP(holes[h].base + holes[h].size, PAGE_SIZE);
            assert_false(addr(all[i]) < he && hb < addr(all[i]) + PAGE_SIZE);
        }
    }
    assert_bytes(bank + MiB(1), 2 * PAGE_SIZE, 0xa5);
    assert_bytes(bank + MiB(3), PAGE_SIZE, 0xa5);
    assert_bytes(bank + MiB(8), MiB(3), 0xa5);
    assert_bytes(bank, PAGE_SIZE, 0xa5);
    assert_bytes(bank + MiB(32) - PAGE_SIZE, PAGE_SIZE, 0xa5);
    for (size_t i = 0; i < n; i++)
        page_free(all[i], 0);
    assert_stats_back(&before);
    free(all);
}

struct live_block {
    uint64_t *p;
    unsigned order;
};

static void stamp(const struct live_block *b, uint64_t v)
{
    b->p[0] = v;
    b->p[(PAGE_SIZE << b->order) / 8 - 1] = ~v;
}

static void check_stamp(const struct live_block *b, uint64_t v)
{
    assert_int_equal(b->p[0], v);
    assert_int_equal(b->p[(PAGE_SIZE << b->order) / 8 - 1], ~v);
}

/* Mark a block's pages in an ownership map: a page handed out twice fails the test. */
static void own(uint8_t *owned, const struct live_block *b, bool take)
{
    size_t first = (addr(b->p) - addr(arena)) / PAGE_SIZE;
    for (size_t i = first; i < first + (1UL << b->order); i++) {
        assert_int_equal(owned[i], !take);
        owned[i] = take;
    }
}

/* Random allocations and frees of mixed orders, checking alignment, exclusive ownership of
 * every page, block contents and the counters along the way. */
static void random_stress(void **state)
{
    enum { LIVE_MAX = 4096, OPS = 200000 };
    init_one_bank(arena + PAGE_SIZE * 3, ARENA_SIZE - PAGE_SIZE * 5);
    struct page_stats before = stats();
    struct live_block *live = calloc(LIVE_MAX, sizeof(*live));
    uint8_t *owned = calloc(ARENA_SIZE / PAGE_SIZE, 1);
    size_t n = 0;
    uint64_t live_pages = 0, failures = 0;
    for (unsigned op = 0; op < OPS; op++) {
        if (n < LIVE_MAX && (n == 0 || rng() % 100 < 55)) {
            /* Mostly small orders, sometimes large ones, so both splitting and failure happen. */
            unsigned order = rng() % 8 == 0 ? (unsigned)(rng() % 13) : (unsigned)(rng() % 4);
            struct live_block b = { page_alloc(order), order };
            if (!b.p) {
                failures++;
                assert_true(stats().largest_free_order < order || stats().free_pages == 0);
                continue;
            }
            assert_int_equal(addr(b.p) % (PAGE_SIZE << order), 0);
            own(owned, &b, true);
            stamp(&b, addr(b.p) ^ order);
            live[n++] = b;
            live_pages += 1UL << order;
        } else {
            size_t i = rng() % n;
            check_stamp(&live[i], addr(live[i].p) ^ live[i].order);
            own(owned, &live[i], false);
            page_free(live[i].p, live[i].order);
            live_pages -= 1UL << live[i].order;
            live[i] = live[--n];
        }
        if (op % 1000 == 0) {
            check_counters();
            assert_int_equal(stats().free_pages + live_pages, before.total_pages);
        }
    }
    assert_true(failures > 0); /* the run did reach exhaustion for some orders */
    while (n) {
        n--;
        check_stamp(&live[n], addr(live[n].p) ^ live[n].order);
        page_free(live[n].p, live[n].order);
    }
    assert_stats_back(&before);
    free(live);
    free(owned);
}

static void zalloc_zeroes(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    for (unsigned k = 0; k <= 6; k++) {
        uint8_t *p = page_alloc(k);
        memset(p, 0xee, PAGE_SIZE << k);
        page_free(p, k);
        uint8_t *q = page_zalloc(k);
        assert_ptr_equal(p, q); /* most recently freed block first: it is still cache-hot */
        assert_bytes(q, PAGE_SIZE << k, 0);
        page_free(q, k);
    }
}

static void block_order_query(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    uint8_t *p = page_alloc(3);
    uint8_t *outside = malloc(PAGE_SIZE);
    assert_int_equal(page_alloc_block_order(p), 3);
    assert_int_equal(page_alloc_block_order(p + PAGE_SIZE), -ENOENT);
    assert_int_equal(page_alloc_block_order(p + 8), -ENOENT);
    assert_int_equal(page_alloc_block_order(outside), -EINVAL);
    page_free(p, 3);
    assert_int_equal(page_alloc_block_order(p), -ENOENT);
    free(outside);
}

/* Each misuse is a Keel bug and must stop in BUG_ON.  The allocator's lock may be left held
 * when the bug is caught under it, so set it up afresh before each case. */
static void bad_free_is_a_bug(void **state)
{
    uint8_t *outside = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
    uint8_t *volatile p; /* survives the longjmp out of panic() */
    page_free(NULL, 0);  /* fine */

    init_one_bank(arena, ARENA_SIZE);
    expect_assert_failure(page_free(outside, 0)); /* not managed RAM */
    p = page_alloc(1);
    expect_assert_failure(page_free(p + PAGE_SIZE, 1)); /* misaligned for the order */
    expect_assert_failure(page_free(p + 16, 0));        /* not page aligned */
    expect_assert_failure(page_free(p, PAGE_MAX_ORDER + 1));
    expect_assert_failure(page_free(arena + ARENA_SIZE, 0)); /* just past the bank */

    init_one_bank(arena, ARENA_SIZE);
    p = page_alloc(1);
    expect_assert_failure(page_free(p, 0)); /* wrong order */

    init_one_bank(arena, ARENA_SIZE);
    p = page_alloc(1);
    expect_assert_failure(page_free(p + PAGE_SIZE, 0)); /* inside a block */

    init_one_bank(arena, ARENA_SIZE);
    p = page_alloc(0);
    page_free(p, 0);
    expect_assert_failure(page_free(p, 0)); /* double free */

    init_one_bank(arena, ARENA_SIZE);
    expect_assert_failure(page_free(arena, 0)); /* the metadata's page, never handed out */
    free(outside);
}

/* A guest gives memory back page by page, out of order, from blocks it got whole: what is left
 * of each block stays allocated and usable, and once everything is back the allocator is as it
 * was (the pieces merge). */
static void free_range_inside_blocks(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    struct page_stats before = stats();
    uint8_t *a = page_alloc(6), *b = page_alloc(9), *c = page_alloc(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    memset(b, 0x5a, PAGE_SIZE << 9);
    /* Single pages inside b, then a run across the middle, then the rest in random order. */
    page_free_range(b + 7 * PAGE_SIZE, 1);
    page_free_range(b + 300 * PAGE_SIZE, 1);
    page_free_range(b + 100 * PAGE_SIZE, 150);
    assert_int_equal(stats().free_pages, before.free_pages - (1 << 6) - (1 << 9) - 1 + 152);
    check_counters();
    /* What is still allocated of b was not touched by the frees' bookkeeping. */
    assert_bytes(b + 8 * PAGE_SIZE, 92 * PAGE_SIZE, 0x5a);
    assert_bytes(b + 301 * PAGE_SIZE, 211 * PAGE_SIZE, 0x5a);
    uint64_t idx[512 - 152];
    unsigned n = 0;
    for (unsigned i = 0; i < 512; i++)
        if (i != 7 && i != 300 && (i < 100 || i >= 250))
            idx[n++] = i;
    assert_int_equal(n, 512 - 152);
    for (unsigned i = n - 1; i > 0; i--) {
        unsigned j = (unsigned)(rng() % (i + 1));
        uint64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    for (unsigned i = 0; i < n; i++)
        page_free_range(b + idx[i] * PAGE_SIZE, 1);
    /* a freed as a range spanning the whole block, c with the usual call. */
    page_free_range(a, 1 << 6);
    page_free(c, 0);
    assert_stats_back(&before);
    /* Whole blocks merge back: the largest block can be allocated again. */
    assert_non_null(page_alloc(before.largest_free_order));

    /* A page freed twice is a bug (the panic leaves the lock held: start afresh after it). */
    init_one_bank(arena, ARENA_SIZE);
    b = page_alloc(3);
    page_free_range(b + PAGE_SIZE, 1);
    expect_assert_failure(page_free_range(b + PAGE_SIZE, 1));
}

/* --- clean and dirty pages --- */

extern uint64_t host_cleared_bytes; /* hyp/arch/host/host.c counts arch_clear_memory */

static bool all_zero(const uint8_t *p, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

/* What boot left in RAM (here a pattern) and what a user leaves behind are never handed out
 * zeroed-by-request without being zeroed; what was zeroed is not zeroed again. */
static void zeroed_allocations(void **state)
{
    memset(arena, 0xa5, ARENA_SIZE); /* RAM as boot left it */
    init_one_bank(arena, ARENA_SIZE);
    struct page_stats st = stats();
    /* Boot memory is virgin in whole 2 MiB chunks; pieces smaller than a chunk start dirty. */
    assert_int_equal(st.virgin_pages + st.dirty_pages, st.free_pages);
    assert_int_equal(st.virgin_pages % 512, 0);
    assert_true(st.virgin_pages >= st.free_pages / 2);
    /* Boot memory: zeroed when first handed out zeroed. */
    host_cleared_bytes = 0;
    uint8_t *g = page_alloc_guest(8);
    assert_true(all_zero(g, PAGE_SIZE << 8));
    assert_int_equal(host_cleared_bytes, PAGE_SIZE << 8);
    uint8_t *z = page_zalloc(2);
    assert_true(all_zero(z, PAGE_SIZE << 2));
    /* A user's data goes back dirty... */
    memset(g, 0x5a, PAGE_SIZE << 8);
    uint64_t dirty = stats().dirty_pages;
    page_free(g, 8);
    assert_int_equal(stats().dirty_pages, dirty + (1UL << 8));
    /* ...and comes back zeroed, whichever piece of it is taken. */
    for (unsigned i = 0; i < 4; i++) {
        uint8_t *q = page_alloc_guest(6);
        assert_true(all_zero(q, PAGE_SIZE << 6));
        page_free(q, 6);
    }
    /* Kept as it is when nobody asked for zeros (Keel's own use). */
    uint8_t *raw = page_alloc(8);
    assert_non_null(raw);
    page_free(raw, 8);
    page_free(z, 2);
}

static void idle_scrubbing(void **state)
{
    memset(arena, 0xa5, ARENA_SIZE);
    init_one_bank(arena, ARENA_SIZE);
    page_alloc_scrub_boot_memory(false);
    while (page_scrub(1024)) /* the pieces of boot memory smaller than a chunk */
        ;
    uint8_t *g = page_alloc_guest(9);
    memset(g, 0x77, PAGE_SIZE << 9);
    page_free(g, 9);
    /* The idle scrubber zeroes what was freed, in bounded steps, and not boot memory. */
    unsigned steps = 0, done;
    while ((done = page_scrub(16)) > 0) {
        assert_true(done <= 16);
        steps++;
    }
    assert_int_equal(steps, (1u << 9) / 16);
    struct page_stats st = stats();
    assert_int_equal(st.dirty_pages, 0);
    assert_true(st.virgin_pages > 0);
    check_counters();
    /* Zeroed ahead of time: handing it out again costs nothing, and it reads as zeros,
     * links of the free lists included. */
    host_cleared_bytes = 0;
    g = page_alloc_guest(9);
    assert_int_equal(host_cleared_bytes, 0);
    assert_true(all_zero(g, PAGE_SIZE << 9));
    page_free(g, 9);
    /* bootscrub=idle: boot memory too, until nothing is left. */
    page_alloc_scrub_boot_memory(true);
    while (page_scrub(1024))
        ;
    st = stats();
    assert_int_equal(st.dirty_pages + st.virgin_pages, 0);
    host_cleared_bytes = 0;
    uint8_t *all = page_alloc_guest((unsigned)st.largest_free_order);
    assert_int_equal(host_cleared_bytes, 0);
    assert_true(all_zero(all, PAGE_SIZE << st.largest_free_order));
    page_alloc_scrub_boot_memory(false);
}

/* Freeing into the middle of scrubbed memory and merging never leaves a stale list link in a
 * page that is then handed out as zeroed without being zeroed. */
static void merged_links_cleared(void **state)
{
    init_one_bank(arena, ARENA_SIZE);
    page_alloc_scrub_boot_memory(true);
    while (page_scrub(1024))
        ;
    void *p[64];
    for (unsigned i = 0; i < 64; i++)
        p[i] = page_alloc_guest(0);
    for (unsigned i = 0; i < 64; i++)
        page_free(p[i], 0); /* each a list head for a while, merging as it goes */
    while (page_scrub(1024))
        ;
    host_cleared_bytes = 0;
    uint8_t *q = page_alloc_guest(6);
    assert_int_equal(host_cleared_bytes, 0);
    assert_true(all_zero(q, PAGE_SIZE << 6));
    page_alloc_scrub_boot_memory(false);
}

/* Virgin memory is kept per 2 MiB chunk: whole chunks go without a look at their pages, and
 * the first smaller block taken from a chunk makes the rest of it dirty, never clean. */
static void virgin_chunks(void **state)
{
    memset(arena, 0xa5, ARENA_SIZE);
    init_one_bank(arena, ARENA_SIZE);
    page_alloc_scrub_boot_memory(false);
    struct page_stats st = stats();
    bool zeroed = true;
    uint8_t *big = page_alloc_unzeroed(10, &zeroed); /* two whole chunks */
    assert_non_null(big);
    assert_false(zeroed);
    assert_int_equal(stats().virgin_pages, st.virgin_pages - 1024);
    assert_int_equal(stats().dirty_pages, st.dirty_pages);
    /* A page from a virgin chunk: the chunk's other 511 pages become dirty. */
    st = stats();
    host_cleared_bytes = 0;
    uint8_t *one = page_alloc_guest(0);
    assert_true(all_zero(one, PAGE_SIZE));
    assert_int_equal(host_cleared_bytes, PAGE_SIZE);
    if (stats().virgin_pages != st.virgin_pages) { /* it came from a chunk, not a dirty piece */
        assert_int_equal(stats().virgin_pages, st.virgin_pages - 512);
        assert_int_equal(stats().dirty_pages, st.dirty_pages + 511);
    }
    check_counters();
    /* They go back as dirty as any user's pages, and the scrubber makes them clean. */
    page_free(big, 10);
    page_free(one, 0);
    while (page_scrub(1024))
        ;
    st = stats();
    assert_int_equal(st.dirty_pages, 0);
    uint8_t *again = page_alloc_unzeroed(10, &zeroed);
    assert_true(zeroed == (again == big));
    page_free(again, 10);
    check_counters();
}

static void init_errors(void **state)
{
    struct mem_range banks[MAX_MEM_BANKS + 1];
    for (unsigned i = 0; i <= MAX_MEM_BANKS; i++)
        banks[i] = range(arena + i * MiB(2), MiB(1));
    assert_int_equal(page_alloc_init_ranges(banks, MAX_MEM_BANKS, NULL, 0), 0);
    assert_int_equal(page_alloc_init_ranges(banks, MAX_MEM_BANKS + 1, NULL, 0), -EINVAL);
    /* A failed init leaves nothing managed. */
    assert_null(page_alloc(0));
    assert_int_equal(stats().total_pages, 0);
    assert_int_equal(stats().free_pages, 0);

    struct mem_range overlap[] = { range(arena, MiB(2)), range(arena + MiB(1), MiB(2)) };
    assert_int_equal(page_alloc_init_ranges(overlap, 2, NULL, 0), -EINVAL);
    struct mem_range wraps = { UINT64_MAX - MiB(1), MiB(2) };
    assert_int_equal(page_alloc_init_ranges(&wraps, 1, NULL, 0), -EINVAL);
    assert_int_equal(page_alloc_init_ranges(NULL, 0, NULL, 0), -ENOMEM);
    /* Less than a page, or a page straddling two: nothing usable. */
    struct mem_range tiny[] = { range(arena + 1, PAGE_SIZE), range(arena + MiB(1), 100) };
    assert_int_equal(page_alloc_init_ranges(tiny, 2, NULL, 0), -ENOMEM);
    /* All of the bank reserved: no room for its metadata. */
    struct mem_range bank = range(arena, MiB(4)), hole = range(arena, MiB(4));
    assert_int_equal(page_alloc_init_ranges(&bank, 1, &hole, 1), -ENOMEM);
    assert_null(page_alloc(0));
}

/* Two pages: one for the metadata, one handed out. */
static void smallest_bank(void **state)
{
    init_one_bank(arena + MiB(1), 2 * PAGE_SIZE);
    assert_int_equal(stats().total_pages, 1);
    void *p = page_alloc(0);
    assert_ptr_equal(p, arena + MiB(1) + PAGE_SIZE);
    assert_null(page_alloc(0));
    page_free(p, 0);
    assert_int_equal(stats().free_pages, 1);
}

/* A 64 GiB host: address space reserved with MAP_NORESERVE, only the metadata (16 MiB of
 * bytes and 1 MiB of state bits) and the free-list links are ever touched. */
/* Blocks of a chunk (2 MiB) or more keep their list links outside themselves: taking them
 * and giving them back writes nothing into them, so under emulation the host never faults in
 * memory nobody used (issue 13).  mincore() shows that the arena's pages beyond the metadata
 * were never touched. */
static void chunks_untouched(void **state)
{
    size_t span = MiB(34);
    uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(map != MAP_FAILED);
    madvise(map, span, MADV_NOHUGEPAGE); /* a huge page would make neighbours resident */
    uint8_t *base = (uint8_t *)ALIGN_UP(addr(map), MiB(2));
    init_one_bank(base, MiB(32));
    struct page_stats before = stats();
    void *blocks[16];
    unsigned n = 0;
    while (n < 16 && (blocks[n] = page_alloc(9)))
        n++;
    assert_int_equal(n, 15); /* the first chunk holds the metadata */
    for (unsigned i = 0; i < n; i++)
        page_free(blocks[i], 9);
    void *big = page_alloc(11); /* merged again into larger blocks */
    assert_non_null(big);
    page_free(big, 11);
    assert_stats_back(&before);
    unsigned char vec[MiB(30) / PAGE_SIZE];
    assert_int_equal(mincore(base + MiB(2), MiB(30), vec), 0);
    unsigned resident = 0;
    for (size_t i = 0; i < sizeof(vec); i++)
        resident += vec[i] & 1;
    assert_int_equal(resident, 0);
    munmap(map, span);
}

static void large_host(void **state)
{
    size_t span = GiB(65);
    uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        skip();
    uint8_t *base = (uint8_t *)ALIGN_UP(addr(map), GiB(1));
    init_one_bank(base, GiB(64));
    struct page_stats st = stats();
    uint64_t pages = GiB(64) / PAGE_SIZE;
    uint64_t meta = meta_pages(pages) * PAGE_SIZE;
    assert_int_equal(st.total_pages, pages - meta / PAGE_SIZE);
    assert_int_equal(st.largest_free_order, PAGE_MAX_ORDER);
    assert_int_equal(st.free_blocks[PAGE_MAX_ORDER], 63); /* the first holds the metadata */
    void *gib[63];
    for (unsigned i = 0; i < 63; i++) {
        gib[i] = page_alloc(PAGE_MAX_ORDER);
        assert_int_equal(addr(gib[i]) % GiB(1), 0);
        assert_true(addr(gib[i]) >= addr(base) + GiB(1) && addr(gib[i]) < addr(base) + GiB(64));
    }
    assert_int_equal(stats().free_pages, (GiB(1) - meta) / PAGE_SIZE);
    for (unsigned i = 0; i < 63; i++)
        page_free(gib[i], PAGE_MAX_ORDER);
    assert_stats_back(&st);
    munmap(map, span);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_order_aligned),
        cmocka_unit_test_setup_teardown(split_then_merge_restores, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(exhaustion_by_order, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(odd_bank_bounds, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(several_banks, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(reserved_holes, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(random_stress, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(zalloc_zeroes, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(block_order_query, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(bad_free_is_a_bug, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(free_range_inside_blocks, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(init_errors, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(smallest_bank, arena_setup, arena_teardown),
        cmocka_unit_test(chunks_untouched),
        cmocka_unit_test(large_host),
        cmocka_unit_test_setup_teardown(zeroed_allocations, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(virgin_chunks, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(idle_scrubbing, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(merged_links_cleared, arena_setup, arena_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
