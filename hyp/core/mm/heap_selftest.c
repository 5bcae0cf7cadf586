/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL2 self-checks for the heap on top of the real page allocator: every size class and some
 * large sizes, alignment, zeroing, and exact return of both allocators' counters.  Runs on the
 * boot CPU while the other CPUs idle; it owns nothing after it returns.
 */
#include <hyp/console.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/selftest.h>
#include <hyp/string.h>

#define OBJS_PER_SIZE 64

static const size_t sizes[] = { 1,    16,   17,   24,   100,  128,   500,
                                1024, 1500, 2048, 2049, 4096, 12345, 1 << 20 };

static size_t expected_align(size_t size)
{
    size_t a = 16;
    while (a < size && a < PAGE_SIZE)
        a <<= 1;
    return a;
}

/* Many objects of one size: aligned, zeroed, and none overlapping another (each is filled
 * with its own byte and read back after all are filled). */
static int check_size(size_t size)
{
    uint8_t *objs[OBJS_PER_SIZE];
    for (unsigned i = 0; i < OBJS_PER_SIZE; i++) {
        objs[i] = heap_zalloc(size);
        ST_CHECK(objs[i] != NULL);
        ST_CHECK(IS_ALIGNED((uintptr_t)objs[i], expected_align(size)));
        for (size_t j = 0; j < size; j++)
            ST_CHECK(objs[i][j] == 0);
        memset(objs[i], 0x40 + (int)i, size);
    }
    for (unsigned i = 0; i < OBJS_PER_SIZE; i++) {
        for (size_t j = 0; j < size; j += 7)
            ST_CHECK(objs[i][j] == 0x40 + i);
        ST_CHECK(objs[i][size - 1] == 0x40 + i);
        heap_free(objs[i]);
    }
    return 0;
}

SELFTEST(heap)
{
    struct heap_stats hs0, hs;
    struct page_stats ps0, ps;
    heap_stats(&hs0);
    page_alloc_stats(&ps0);
    ST_CHECK(heap_alloc(0) == NULL);
    heap_free(NULL);
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
        if (check_size(sizes[i]))
            return 1;
    heap_stats(&hs);
    page_alloc_stats(&ps);
    ST_CHECK(hs.bytes_in_use == hs0.bytes_in_use && hs.pages == hs0.pages);
    ST_CHECK(ps.free_pages == ps0.free_pages);
    ST_CHECK(memcmp(ps.free_blocks, ps0.free_blocks, sizeof(ps.free_blocks)) == 0);
    return 0;
}
