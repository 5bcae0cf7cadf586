/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the heap, on top of the real page allocator run on a 64 MiB host arena (see
 * test_page_alloc.c).  Every test ends by checking that both allocators' counters are back
 * where they started.
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
#include <hyp/heap.h>
#include <hyp/page_alloc.h>

#include "../../hyp/core/mm/page_alloc_internal.h"

#define ARENA_SIZE MiB(64)
#define SLAB_SIZE KiB(16)

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
static struct page_stats pages_at_start;

static void fresh_allocators(void)
{
    struct mem_range bank = { (uintptr_t)arena, ARENA_SIZE };
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
    heap_init();
    page_alloc_stats(&pages_at_start);
}

static int setup(void **state)
{
    arena = aligned_alloc(MiB(2), ARENA_SIZE);
    if (!arena)
        return -1;
    fresh_allocators();
    return 0;
}

static int teardown(void **state)
{
    free(arena);
    return 0;
}

static struct heap_stats hstats(void)
{
    struct heap_stats hs;
    heap_stats(&hs);
    return hs;
}

/* Nothing held by the heap, and the page allocator exactly as it started. */
static void assert_all_returned(void)
{
    struct page_stats ps;
    page_alloc_stats(&ps);
    assert_int_equal(hstats().bytes_in_use, 0);
    assert_int_equal(hstats().pages, 0);
    assert_int_equal(ps.free_pages, pages_at_start.free_pages);
    assert_memory_equal(ps.free_blocks, pages_at_start.free_blocks, sizeof(ps.free_blocks));
}

/* What heap_alloc(size) accounts for: its size class, or its page block. */
static size_t charged(size_t size)
{
    size_t c = 16;
    while (c < size)
        c <<= 1;
    return c <= 2048 ? c : MAX(c, PAGE_SIZE);
}

static size_t alignment(size_t size)
{
    return MIN(charged(size), PAGE_SIZE);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Every size from 1 to 2 KiB lands in its class, aligned, and is charged the class size. */
static void size_classes(void **state)
{
    for (size_t size = 1; size <= 2048; size++) {
        uint8_t *p = heap_alloc(size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignment(size), 0);
        assert_int_equal(hstats().bytes_in_use, charged(size));
        assert_int_equal(hstats().pages, SLAB_SIZE / PAGE_SIZE);
        memset(p, 0x77, size);
        heap_free(p);
        assert_all_returned();
    }
}

/* Several slabs' worth of each class: objects are distinct (each keeps its own bytes), slabs
 * are taken as needed and all given back once empty, whatever the order of frees. */
static void fill_each_class(void **state)
{
    for (size_t cls = 16; cls <= 2048; cls <<= 1) {
        size_t n = 3 * SLAB_SIZE / cls;
        uint8_t **objs = calloc(n, sizeof(*objs));
        for (size_t i = 0; i < n; i++) {
            objs[i] = heap_alloc(cls);
            assert_non_null(objs[i]);
            assert_int_equal((uintptr_t)objs[i] % cls, 0);
            memset(objs[i], (int)(i & 0xff), cls);
        }
        assert_int_equal(hstats().bytes_in_use, n * cls);
        /* The header costs each slab at least one slot, so three slabs' worth needs four. */
        assert_int_equal(hstats().pages, 4 * SLAB_SIZE / PAGE_SIZE);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < cls; j++)
                assert_int_equal(objs[i][j], i & 0xff);
        for (size_t i = n; i > 1; i--) {
            size_t j = rng() % i;
            uint8_t *t = objs[i - 1];
            objs[i - 1] = objs[j];
            objs[j] = t;
        }
        for (size_t i = 0; i < n; i++)
            heap_free(objs[i]);
        assert_all_returned();
        free(objs);
    }
}

/* Above 2 KiB: whole page blocks, page aligned, known to the page allocator by their order. */
static void large_allocations(void **state)
{
    static const struct {
        size_t size;
        int order;
    } cases[] = {
        { 2049, 0 },  { 4096, 0 },   { 4097, 1 },       { 8192, 1 },
        { 12288, 2 }, { MiB(1), 8 }, { MiB(1) + 1, 9 }, { MiB(16), 12 },
    };
    void *p[ARRAY_SIZE(cases)];
    uint64_t bytes = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        p[i] = heap_alloc(cases[i].size);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % PAGE_SIZE, 0);
        assert_int_equal(page_alloc_block_order(p[i]), cases[i].order);
        memset(p[i], 0x33, cases[i].size);
        bytes += PAGE_SIZE << cases[i].order;
        assert_int_equal(hstats().bytes_in_use, bytes);
        assert_int_equal(hstats().pages, bytes / PAGE_SIZE);
    }
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
        heap_free(p[i]);
    assert_all_returned();
}

static void assert_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        assert_int_equal(p[i], 0);
}

/* heap_zalloc() zeroes memory that was dirty when it was last freed. */
static void zalloc_zeroes(void **state)
{
    static const size_t sizes[] = { 24, 100, 2048, 5000, 70000 };
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *keep = heap_alloc(sizes[i]); /* keeps the slab alive between the two */
        uint8_t *p = heap_alloc(sizes[i]);
        memset(p, 0xee, sizes[i]);
        heap_free(p);
        uint8_t *q = heap_zalloc(sizes[i]);
        assert_ptr_equal(p, q); /* the slot (or block) just freed is reused first */
        assert_zero(q, sizes[i]);
        heap_free(q);
        heap_free(keep);
    }
    assert_all_returned();
}

static void edge_sizes(void **state)
{
    heap_free(NULL);
    assert_null(heap_alloc(0));
    assert_null(heap_zalloc(0));
    assert_null(heap_alloc(SIZE_MAX));
    assert_null(heap_alloc(GiB(1) + 1));
    /* 1 GiB is a legal request; this arena cannot hold it. */
    assert_null(heap_alloc(GiB(1)));
    assert_all_returned();
}

/* Small and large requests both fail cleanly when the pages run out, and recover. */
static void exhaustion(void **state)
{
    size_t max = ARENA_SIZE / 1024;
    void **objs = calloc(max, sizeof(*objs));
    size_t n = 0;
    void *p;
    while ((p = heap_alloc(1024)) != NULL) {
        assert_true(n < max);
        objs[n++] = p;
    }
    struct page_stats ps;
    page_alloc_stats(&ps);
    assert_true(ps.free_pages < SLAB_SIZE / PAGE_SIZE);
    assert_null(heap_alloc(16));
    assert_null(heap_alloc(SLAB_SIZE));
    assert_int_equal(hstats().bytes_in_use, n * 1024);
    heap_free(objs[0]);
    assert_ptr_equal(heap_alloc(1000), objs[0]); /* the one free slot */
    for (size_t i = 0; i < n; i++)
        heap_free(objs[i]);
    assert_all_returned();
    free(objs);
}

/* Each misuse is a Keel bug and must stop in BUG_ON; locks may be left held, so start
 * afresh after each. */
static void bad_free_is_a_bug(void **state)
{
    uint8_t *volatile p;
    uint8_t *outside = malloc(64);

    expect_assert_failure(heap_free(outside)); /* not from managed RAM */

    fresh_allocators();
    p = heap_alloc(64);
    heap_free(p);
    expect_assert_failure(heap_free(p)); /* double free: the slab went back */

    fresh_allocators();
    p = heap_alloc(64);
    heap_alloc(64); /* keeps the slab */
    heap_free(p);
    expect_assert_failure(heap_free(p)); /* double free in a live slab */

    fresh_allocators();
    p = heap_alloc(64);
    expect_assert_failure(heap_free(p + 8)); /* inside an object */

    fresh_allocators();
    p = heap_alloc(64);
    expect_assert_failure(heap_free((void *)ALIGN_DOWN((uintptr_t)p, SLAB_SIZE))); /* the header */

    fresh_allocators();
    p = heap_alloc(8192);
    heap_free(p);
    expect_assert_failure(heap_free(p)); /* double free of a large block */

    fresh_allocators();
    p = page_alloc(0);
    expect_assert_failure(heap_free(p + 16)); /* page-allocator memory, not a slab */
    free(outside);
}

/* Random mixed sizes: no two live objects overlap (each holds its own tag throughout) and the
 * counters track exactly what is live. */
static void random_stress(void **state)
{
    enum { LIVE = 2000, OPS = 50000 };
    struct {
        uint8_t *p;
        size_t size;
    } *live = calloc(LIVE, sizeof(*live));
    size_t n = 0;
    uint64_t bytes = 0;
    for (unsigned op = 0; op < OPS; op++) {
        if (n < LIVE && (n == 0 || rng() % 2)) {
            size_t size = rng() % 16 ? 1 + rng() % 2048 : 1 + rng() % 40000;
            uint8_t *p = heap_alloc(size);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % alignment(size), 0);
            memset(p, (int)(op & 0xff), size);
            live[n].p = p;
            live[n++].size = size;
            bytes += charged(size);
        } else {
            size_t i = rng() % n;
            uint8_t tag = live[i].p[0];
            for (size_t j = 0; j < live[i].size; j += 13)
                assert_int_equal(live[i].p[j], tag);
            assert_int_equal(live[i].p[live[i].size - 1], tag);
            heap_free(live[i].p);
            bytes -= charged(live[i].size);
            live[i] = live[--n];
        }
        assert_int_equal(hstats().bytes_in_use, bytes);
    }
    while (n)
        heap_free(live[--n].p);
    assert_all_returned();
    free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(size_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(fill_each_class, setup, teardown),
        cmocka_unit_test_setup_teardown(large_allocations, setup, teardown),
        cmocka_unit_test_setup_teardown(zalloc_zeroes, setup, teardown),
        cmocka_unit_test_setup_teardown(edge_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_free_is_a_bug, setup, teardown),
        cmocka_unit_test_setup_teardown(random_stress, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
