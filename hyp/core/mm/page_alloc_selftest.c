/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 self-checks for the page allocator on the machine's real RAM: alignment and zeroing of
 * every order, exhaustion, and exact return of the counters.  Runs on the boot CPU while the
 * other CPUs idle, so nothing else allocates meanwhile; it owns nothing after it returns.
 */
#include <hyp/console.h>
#include <hyp/page_alloc.h>
#include <hyp/selftest.h>
#include <hyp/string.h>

/* The buddy counters are back (which pages are zeroed changes: the selftest wrote them). */
static bool same_stats(const struct page_stats *a, const struct page_stats *b)
{
    return a->total_pages == b->total_pages && a->free_pages == b->free_pages &&
           a->largest_free_order == b->largest_free_order &&
           memcmp(a->free_blocks, b->free_blocks, sizeof(a->free_blocks)) == 0;
}

static bool block_is_zero(const uint64_t *p, unsigned order)
{
    for (uint64_t i = 0; i < (PAGE_SIZE << order) / sizeof(*p); i++)
        if (p[i])
            return false;
    return true;
}

static bool has_free_block(unsigned order)
{
    struct page_stats st;
    page_alloc_stats(&st);
    for (unsigned k = order; k <= PAGE_MAX_ORDER; k++)
        if (st.free_blocks[k])
            return true;
    return false;
}

/*
 * Every order, largest first: a request succeeds exactly when a free block at least that big
 * exists, and the block is naturally aligned, zeroed by page_zalloc (below 16 MiB: zeroing a
 * GiB is slow under emulation) and distinct from the others.
 */
static int check_orders(void)
{
    uint64_t *blocks[PAGE_MAX_ORDER + 1];
    for (int k = PAGE_MAX_ORDER; k >= 0; k--) {
        bool expect = has_free_block((unsigned)k);
        uint64_t *w = k < 12 ? page_zalloc((unsigned)k) : page_alloc((unsigned)k);
        uint64_t words = (PAGE_SIZE << k) / sizeof(*w);
        blocks[k] = w;
        ST_CHECK((w != NULL) == expect);
        if (!w)
            continue;
        ST_CHECK(IS_ALIGNED((uintptr_t)w, PAGE_SIZE << k));
        if (k < 12)
            ST_CHECK(block_is_zero(w, (unsigned)k));
        /* Stamp first and last word: an overlap with another block shows up below. */
        w[0] = w[words - 1] = (uint64_t)k;
    }
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        uint64_t *w = blocks[k];
        if (!w)
            continue;
        ST_CHECK(w[0] == k && w[(PAGE_SIZE << k) / sizeof(*w) - 1] == k);
        page_free(w, k);
    }
    return 0;
}

/*
 * Take every free page, largest blocks first, chaining the blocks through their first word;
 * give them all back before judging, so a failure does not starve the checks that follow.
 * Other CPUs are idle, so nothing else allocates meanwhile.
 */
static int check_exhaustion(void)
{
    struct page_stats start, empty;
    uint64_t *chain = NULL, taken = 0;
    page_alloc_stats(&start);
    for (int k = PAGE_MAX_ORDER; k >= 0; k--) {
        uint64_t *b;
        while ((b = page_alloc((unsigned)k)) != NULL) {
            b[0] = (uintptr_t)chain;
            b[1] = (uint64_t)k;
            chain = b;
            taken += 1UL << k;
        }
    }
    page_alloc_stats(&empty);
    void *extra = page_alloc(0);
    page_free(extra, 0);
    while (chain) {
        uint64_t *next = (uint64_t *)(uintptr_t)chain[0];
        page_free(chain, (unsigned)chain[1]);
        chain = next;
    }
    ST_CHECK(empty.free_pages == 0 && empty.largest_free_order == 0);
    ST_CHECK(extra == NULL);
    ST_CHECK(taken == start.free_pages);
    return 0;
}

SELFTEST(page_alloc)
{
    struct page_stats before, after;
    page_alloc_stats(&before);
    ST_CHECK(before.total_pages > 0 && before.free_pages <= before.total_pages);
    ST_CHECK(page_alloc(PAGE_MAX_ORDER + 1) == NULL);
    page_free(NULL, 0);
    if (check_orders())
        return 1;
    page_alloc_stats(&after);
    ST_CHECK(same_stats(&before, &after));
    if (check_exhaustion())
        return 1;
    page_alloc_stats(&after);
    ST_CHECK(same_stats(&before, &after));
    pr_info("selftest: page_alloc: %lu pages free, largest order %lu, counters restored\n",
            after.free_pages, after.largest_free_order);
    return 0;
}
