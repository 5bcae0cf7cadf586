/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for guest-virtual access (core/guest_access.c), above all the windows that batched
 * hypercalls walk their arrays through: one translation and one frame reference per page, not
 * per element; results written back through the same page; a page the guest maps read-only
 * read through the window and written through the plain copy (which refuses); an element
 * across two pages; a fault; and every reference taken given back.  The guest's translation
 * is a stand-in over four pages of host memory; frames count their references.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/arch/mm.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/guest_access.h>
#include <hyp/physmap.h>

/* --- the guest: virtual pages GVA, GVA + 4K, ... backed by host pages --- */

#define GVA 0x7f0000000000UL
#define NPAGES 4
enum { MAPPED_RW, MAPPED_RO, UNMAPPED };

static uint8_t pages[NPAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static int kind[NPAGES];
static unsigned translations, gets, puts;

paddr_t arch_guest_va_to_pa(struct vcpu *v, uint64_t va, bool write)
{
    translations++;
    uint64_t i = (va - GVA) / PAGE_SIZE;
    if (va < GVA || i >= NPAGES || kind[i] == UNMAPPED || (write && kind[i] == MAPPED_RO))
        return ~(paddr_t)0;
    return (paddr_t)(uintptr_t)pages[i] + (va & ~PAGE_MASK);
}

bool arch_guest_va_to_ipa(struct vcpu *v, uint64_t va, bool write, uint64_t *ipa)
{
    return false; /* no untouched RAM here: a failed full walk is a fault */
}

void physmap_settle(struct domain *d)
{
}

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    return -EFAULT;
}

bool frame_get(paddr_t pa, uint16_t owner)
{
    assert_int_equal(pa & ~PAGE_MASK, 0);
    gets++;
    return true;
}

void frame_put(paddr_t pa, uint64_t n)
{
    assert_int_equal(pa & ~PAGE_MASK, 0);
    assert_int_equal(n, 1);
    puts++;
    assert_true(puts <= gets);
}

void arch_copy_and_clean(void *dst, const void *src, uint64_t size)
{
    memcpy(dst, src, size);
}

static struct domain dom;
static struct vcpu vcpu = { .dom = &dom };

struct elem {
    uint64_t a, b, c;
    int16_t status;
    uint8_t pad[6];
};

/* Element i of an array starting at byte `start` of the first page, as host memory. */
static struct elem *host_elem(size_t start, unsigned i)
{
    return (struct elem *)(void *)(&pages[0][0] + start + i * sizeof(struct elem));
}

static int reset(void **state)
{
    memset(pages, 0, sizeof(pages));
    for (unsigned i = 0; i < NPAGES; i++)
        kind[i] = MAPPED_RW;
    translations = gets = puts = 0;
    return 0;
}

/* 150 elements of 32 bytes from the start of page 0: 128 in page 0, 22 in page 1. */
static void one_translation_per_page(void **state)
{
    for (unsigned i = 0; i < 150; i++)
        host_elem(0, i)->a = 1000 + i;
    _Static_assert(sizeof(struct elem) == 32, "whole elements per page");
    struct guest_window w = GUEST_WINDOW_INIT(&vcpu);
    for (unsigned i = 0; i < 150; i++) {
        struct elem e;
        assert_int_equal(guest_window_read_elem(&w, &e, GVA, i, sizeof(e)), 0);
        assert_int_equal(e.a, 1000 + i);
        e.status = (int16_t)-i;
        uint64_t at = GVA + i * sizeof(e) + offsetof(struct elem, status);
        assert_int_equal(guest_window_write(&w, at, &e.status, sizeof(e.status)), 0);
        assert_int_equal(guest_window_check_writable(&w, GVA + i * sizeof(e), sizeof(e)), 0);
    }
    guest_window_end(&w);
    assert_int_equal(translations, 2);
    assert_int_equal(gets, 2);
    assert_int_equal(puts, 2);
    for (unsigned i = 0; i < 150; i++)
        assert_int_equal(host_elem(0, i)->status, -(int16_t)i);
}

/* The guest maps the array read-only: reads work, a write back and the check refuse. */
static void read_only_page(void **state)
{
    kind[0] = MAPPED_RO;
    host_elem(0, 3)->b = 77;
    struct guest_window w = GUEST_WINDOW_INIT(&vcpu);
    struct elem e;
    assert_int_equal(guest_window_read_elem(&w, &e, GVA, 3, sizeof(e)), 0);
    assert_int_equal(e.b, 77);
    uint64_t at = GVA + 3 * sizeof(e);
    assert_int_equal(guest_window_check_writable(&w, at, sizeof(e)), -EFAULT);
    e.status = 5;
    assert_int_equal(guest_window_write(&w, at + offsetof(struct elem, status), &e.status, 2),
                     -EFAULT);
    assert_int_equal(host_elem(0, 3)->status, 0);
    guest_window_end(&w);
    assert_int_equal(puts, gets);
}

/* An array that starts 8 bytes before the end of page 0: element 0 lies across the pages. */
static void element_across_pages(void **state)
{
    size_t start = PAGE_SIZE - 8;
    struct elem want = { 1, 2, 3, 9, { 0 } };
    memcpy(&pages[0][start], &want, 8);
    memcpy(&pages[1][0], (uint8_t *)&want + 8, sizeof(want) - 8);
    host_elem(start, 1)->a = 42; /* wholly in page 1 */
    struct guest_window w = GUEST_WINDOW_INIT(&vcpu);
    struct elem e;
    assert_int_equal(guest_window_read_elem(&w, &e, GVA + start, 0, sizeof(e)), 0);
    assert_memory_equal(&e, &want, sizeof(e));
    assert_int_equal(guest_window_read_elem(&w, &e, GVA + start, 1, sizeof(e)), 0);
    assert_int_equal(e.a, 42);
    guest_window_end(&w);
    assert_int_equal(puts, gets);
}

/* Page 1 is not mapped: the window faults there and holds nothing afterwards. */
static void fault_part_way(void **state)
{
    kind[1] = UNMAPPED;
    struct guest_window w = GUEST_WINDOW_INIT(&vcpu);
    struct elem e;
    assert_int_equal(guest_window_read_elem(&w, &e, GVA, 0, sizeof(e)), 0);
    assert_int_equal(guest_window_read_elem(&w, &e, GVA, 130, sizeof(e)), -EFAULT);
    assert_int_equal(puts, gets); /* page 0 let go when the window moved */
    guest_window_end(&w);
    assert_int_equal(puts, gets);
    assert_int_equal(guest_window_write(&w, GVA, &e, 8), 0); /* a plain copy: page 0 is RW */
    assert_int_equal(puts, gets);
}

/* An index whose offset overflows, or an array that wraps: -EFAULT, nothing held. */
static void overflow_refused(void **state)
{
    struct guest_window w = GUEST_WINDOW_INIT(&vcpu);
    struct elem e;
    assert_int_equal(guest_window_read_elem(&w, &e, GVA, UINT64_MAX / 8, sizeof(e)), -EFAULT);
    assert_int_equal(guest_window_read_elem(&w, &e, UINT64_MAX - 8, 0, sizeof(e)), -EFAULT);
    guest_window_end(&w);
    assert_int_equal(gets, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(one_translation_per_page, reset),
        cmocka_unit_test_setup(read_only_page, reset),
        cmocka_unit_test_setup(element_across_pages, reset),
        cmocka_unit_test_setup(fault_part_way, reset),
        cmocka_unit_test_setup(overflow_refused, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
