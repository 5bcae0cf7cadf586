/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the frame descriptors (hyp/core/mm/frame.c) over the real page allocator on a
 * host arena: ownership, references, and pages going back to the allocator on the last put,
 * also when several threads (standing in for pCPUs) take and drop references at once.
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
#include <hyp/console.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>

#include "../../hyp/core/mm/frame_internal.h"
#include "../../hyp/core/mm/page_alloc_internal.h"

#define ARENA_SIZE MiB(32)

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
static uint8_t *arena;

static int setup(void **state)
{
    arena = aligned_alloc(MiB(16), ARENA_SIZE);
    struct mem_range bank = { (uintptr_t)arena, ARENA_SIZE };
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
    assert_int_equal(frame_init_ranges(&bank, 1), 0);
    return 0;
}

static int teardown(void **state)
{
    free(arena);
    return 0;
}

static uint64_t free_pages(void)
{
    struct page_stats st;
    page_alloc_stats(&st);
    return st.free_pages;
}

static paddr_t pa_of(const void *p)
{
    return (paddr_t)(uintptr_t)p;
}

static void ownership_and_references(void **state)
{
    uint64_t before = free_pages();
    void *blk = page_alloc(4);
    paddr_t pa = pa_of(blk);
    frame_assign(pa, 16, 5, FRAME_GUEST);
    struct frame_info fi;
    assert_true(frame_query(pa + 3 * PAGE_SIZE, &fi));
    assert_int_equal(fi.refs, 1);
    assert_int_equal(fi.owner, 5);
    assert_int_equal(fi.type, FRAME_GUEST);
    /* Only the owner's id gets a reference; not RAM never does. */
    assert_false(frame_get(pa, 6));
    assert_true(frame_get(pa, 5));
    assert_false(frame_get(0x1000, 5));
    assert_false(frame_query(0x1000, &fi));
    frame_ref(pa);
    assert_true(frame_query(pa, &fi));
    assert_int_equal(fi.refs, 3);
    /* The owner lets go of everything: only page 0, still referenced twice, stays. */
    frame_put(pa, 16);
    assert_int_equal(free_pages(), before - 1);
    assert_false(frame_get(pa + PAGE_SIZE, 5)); /* freed: no new reference */
    assert_true(frame_query(pa + PAGE_SIZE, &fi));
    assert_int_equal(fi.refs, 0);
    assert_int_equal(fi.type, FRAME_FREE);
    frame_put(pa, 1);
    frame_put(pa, 1);
    assert_int_equal(free_pages(), before);
    expect_assert_failure(frame_put(pa, 1)); /* no reference left: a bug */
}

static void last_put_order_does_not_matter(void **state)
{
    uint64_t before = free_pages();
    void *blk = page_alloc(6);
    paddr_t pa = pa_of(blk);
    frame_assign(pa, 64, 1, FRAME_GUEST);
    /* Extra references on scattered pages, as grant maps would hold. */
    for (unsigned i = 0; i < 64; i += 7)
        assert_true(frame_get(pa + i * PAGE_SIZE, 1));
    frame_put(pa, 64);
    assert_int_equal(free_pages(), before - 10);
    for (int i = 63; i >= 0; i--)
        if (i % 7 == 0)
            frame_put(pa + (unsigned)i * PAGE_SIZE, 1);
    assert_int_equal(free_pages(), before);
    assert_non_null(page_alloc(6)); /* merged back whole */
}

#define THREADS 2
#define ROUNDS 200000
static paddr_t shared_pa;

static void *hammer(void *arg)
{
    for (unsigned i = 0; i < ROUNDS; i++) {
        if (frame_get(shared_pa, 9))
            frame_put(shared_pa, 1);
    }
    return NULL;
}

/* Gets and puts from several CPUs never lose or invent a reference: the owner's one is still
 * there at the end, and its put frees the page. */
static void concurrent_get_put(void **state)
{
    uint64_t before = free_pages();
    shared_pa = pa_of(page_alloc(0));
    frame_assign(shared_pa, 1, 9, FRAME_SHARED);
    pthread_t th[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, NULL), 0);
    for (unsigned i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    struct frame_info fi;
    assert_true(frame_query(shared_pa, &fi));
    assert_int_equal(fi.refs, 1);
    frame_put(shared_pa, 1);
    assert_int_equal(free_pages(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ownership_and_references, setup, teardown),
        cmocka_unit_test_setup_teardown(last_put_order_does_not_matter, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_get_put, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
