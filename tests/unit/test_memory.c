/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory_op's effects (core/mm/memory.c) through the real physmap, frame table and page
 * allocator; the arch p2m is a page-granular array that can be made to fail.  Every error of
 * memory.h's calls, the shared_info page's one place, the balloon's page counts, an extent
 * populated whole or not at all; and the HVM parameter rules (hvm_param.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/gnttab.h>
#include <hyp/hvm_param.h>
#include <hyp/memory.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/shared_info.h>
#include <xen/hvm.h>
#include <xen/memory.h>
#include "../../hyp/core/mm/frame_internal.h"
#include "../../hyp/core/mm/page_alloc_internal.h"
#include "log_stub.h"

#define ARENA_SIZE MiB(32)
#define NR_GFNS 1024 /* the stand-in map covers gfns 0..1023 */

void panic(const char *fmt, ...)
{
    mock_assert(0, fmt, __FILE__, __LINE__);
    abort();
}

bool ratelimit_ok(struct ratelimit *rl, const void *key, struct ratelimit_held *held)
{
    memset(held, 0, sizeof(*held));
    return true;
}

struct bootinfo bootinfo;
static uint8_t *arena;

/* --- the stand-in p2m: one entry per page, per domain --- */

struct fake_p2m {
    paddr_t pa[NR_GFNS];
    enum p2m_type t[NR_GFNS];
};
static struct domain doms[2];
static struct fake_p2m maps[2];
static int map_fail_after = -1; /* arch_p2m_map calls to let through before -ENOMEM */

static struct fake_p2m *map_of(struct domain *d)
{
    return &maps[d - doms];
}

int arch_p2m_map(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    if (map_fail_after == 0)
        return -ENOMEM;
    if (map_fail_after > 0)
        map_fail_after--;
    uint64_t g = gpa.a >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
    if (g + n > NR_GFNS)
        return -EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        map_of(d)->pa[g + i] = pa + i * PAGE_SIZE;
        map_of(d)->t[g + i] = t;
    }
    return 0;
}

int arch_p2m_unmap(struct domain *d, struct gpa gpa, uint64_t size)
{
    uint64_t g = gpa.a >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
    for (uint64_t i = 0; i < n && g + i < NR_GFNS; i++)
        map_of(d)->t[g + i] = P2M_NONE;
    return 0;
}

int arch_p2m_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    uint64_t g = gpa.a >> PAGE_SHIFT;
    if (g >= NR_GFNS || map_of(d)->t[g] == P2M_NONE)
        return -ENOENT;
    *pa = map_of(d)->pa[g] + (gpa.a & (PAGE_SIZE - 1));
    if (t)
        *t = map_of(d)->t[g];
    return 0;
}

uint64_t arch_p2m_end(struct domain *d)
{
    return 1UL << 40;
}

bool arch_p2m_first_leaf(struct domain *d, struct gpa gpa, uint64_t end, struct gpa *leaf,
                         uint64_t *size)
{
    for (uint64_t g = gpa.a >> PAGE_SHIFT; g < NR_GFNS && g << PAGE_SHIFT < end; g++) {
        if (map_of(d)->t[g] != P2M_NONE) {
            *leaf = GPA(g << PAGE_SHIFT);
            *size = PAGE_SIZE;
            return true;
        }
    }
    return false;
}

void arch_p2m_walk(struct domain *d, struct gpa gpa, uint64_t size, p2m_leaf_fn fn, void *ctx)
{
    uint64_t g = gpa.a >> PAGE_SHIFT,
             end = size >= (NR_GFNS << PAGE_SHIFT) - gpa.a ? NR_GFNS : (gpa.a + size) >> PAGE_SHIFT;
    for (; g < end; g++)
        if (map_of(d)->t[g] != P2M_NONE)
            fn(ctx, GPA(g << PAGE_SHIFT), map_of(d)->pa[g], PAGE_SIZE, map_of(d)->t[g]);
}

/* --- the rest of Keel that memory.c reaches --- */

static paddr_t shinfo[2], grant_frame;

paddr_t shared_info_pa(struct domain *d)
{
    return shinfo[d - doms];
}

int gnttab_frame_for_map(struct domain *d, uint64_t idx, paddr_t *pa)
{
    if (idx != 0)
        return -EINVAL;
    *pa = grant_frame;
    return 0;
}

static uint64_t grant_frame_gfn = ~0UL;

/* Grant tables of one frame at most. */
void gnttab_query_size(struct domain *ld, struct gnttab_query_size *op)
{
    op->nr_frames = 1;
    op->max_nr_frames = 1;
    op->status = GNTST_okay;
}

uint64_t gnttab_note_frame_gfn(struct domain *d, uint64_t idx, uint64_t gfn)
{
    uint64_t old = grant_frame_gfn;
    grant_frame_gfn = gfn;
    return old;
}

struct domain *domain_get_any(struct domain *self, unsigned id)
{
    if (id == DOMID_SELF)
        return self;
    return id == 1 || id == 2 ? &doms[id - 1] : NULL;
}

void domain_put(struct domain *d)
{
}

/* --- helpers --- */

static uint64_t free_pages(void)
{
    struct page_stats st;
    page_alloc_stats(&st);
    return st.free_pages;
}

static unsigned refs(paddr_t pa)
{
    struct frame_info fi;
    assert_true(frame_query(pa, &fi));
    return fi.refs;
}

static enum p2m_type type_at(struct domain *d, uint64_t gfn)
{
    return map_of(d)->t[gfn];
}

static paddr_t keel_page(uint16_t owner)
{
    paddr_t pa = (paddr_t)(uintptr_t)page_zalloc(0);
    frame_assign(pa, 1, owner, FRAME_SHARED);
    return pa;
}

static int setup(void **state)
{
    arena = aligned_alloc(MiB(16), ARENA_SIZE);
    struct mem_range bank = { (uintptr_t)arena, ARENA_SIZE };
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
    assert_int_equal(frame_init_ranges(&bank, 1), 0);
    memset(doms, 0, sizeof(doms));
    memset(maps, 0, sizeof(maps));
    for (unsigned i = 0; i < 2; i++) {
        doms[i].id = i + 1;
        doms[i].state = DOM_RUNNING;
        doms[i].p2m_lock = SPINLOCK_INIT;
        doms[i].lock = SPINLOCK_INIT;
        doms[i].max_pages = 256;
        doms[i].shared_info_gfn = GFN_INVALID;
        shinfo[i] = keel_page((uint16_t)(i + 1));
    }
    grant_frame = keel_page(1);
    map_fail_after = -1;
    return 0;
}

static int teardown(void **state)
{
    free(arena);
    return 0;
}

/* --- memory_populate / memory_decrease: the balloon --- */

static void populate_and_decrease(void **state)
{
    struct domain *d = &doms[0];
    uint64_t before = free_pages();
    assert_int_equal(memory_populate(d, 16, 4), 0); /* 16 pages at gfn 16 */
    assert_int_equal(d->tot_pages, 16);
    assert_true(type_at(d, 31) == P2M_RAM_RW || p2m_type_is_lazy(type_at(d, 31)));
    assert_int_equal(memory_populate(d, 20, 0), -EEXIST);
    assert_int_equal(memory_populate(d, 8, 4), -EEXIST); /* overlaps 16..23 */
    assert_int_equal(type_at(d, 8), P2M_NONE);           /* nothing of it stays */
    assert_int_equal(memory_decrease(d, 16, 0), 0);
    assert_int_equal(d->tot_pages, 15);
    assert_int_equal(memory_decrease(d, 16, 0), -EINVAL); /* not RAM any more */
    assert_int_equal(memory_decrease(d, 16, 4), -EINVAL); /* a hole inside: nothing changes */
    assert_int_equal(d->tot_pages, 15);
    assert_int_equal(memory_decrease(d, 24, 3), 0);
    assert_int_equal(d->tot_pages, 7);
    assert_int_equal(memory_decrease(d, ~0UL, 0), -EINVAL); /* wraps */
    assert_int_equal(memory_populate(d, ~0UL >> 12, 1), -EINVAL);
    assert_int_equal(memory_populate(d, 0, 63), -EINVAL);
    for (uint64_t g = 17; g < 24; g++)
        assert_int_equal(memory_decrease(d, g, 0), 0);
    assert_int_equal(d->tot_pages, 0);
    assert_int_equal(free_pages(), before);
}

static void populate_over_allowance(void **state)
{
    struct domain *d = &doms[0];
    d->max_pages = 8;
    uint64_t before = free_pages();
    assert_int_equal(memory_populate(d, 0, 3), 0);
    assert_int_equal(memory_populate(d, 8, 0), -ENOMEM);
    assert_int_equal(d->tot_pages, 8);
    assert_int_equal(memory_decrease(d, 0, 3), 0);
    assert_int_equal(free_pages(), before);
}

/* A map that fails part way leaves nothing of the extent and no page held. */
static void populate_whole_or_nothing(void **state)
{
    struct domain *d = &doms[0];
    uint64_t before = free_pages();
    map_fail_after = 0;
    assert_int_equal(memory_populate(d, 64, 2), -ENOMEM);
    map_fail_after = -1;
    for (uint64_t g = 64; g < 68; g++)
        assert_int_equal(type_at(d, g), P2M_NONE);
    assert_int_equal(d->tot_pages, 0);
    assert_int_equal(free_pages(), before);
}

static void dying_domain_refuses(void **state)
{
    struct domain *d = &doms[0];
    assert_int_equal(memory_populate(d, 0, 0), 0);
    d->state = DOM_DYING;
    assert_int_equal(memory_populate(d, 1, 0), -ESRCH);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, 5, 0), -ESRCH);
    assert_int_equal(memory_remove_from_physmap(d, 0), -ENOENT);
    assert_int_equal(memory_decrease(d, 0, 0), -EINVAL);
    d->state = DOM_RUNNING;
    assert_int_equal(memory_decrease(d, 0, 0), 0);
}

/* A direct-mapped domain (dom0) gets no new RAM: populating is refused where its own page is
 * not (a hole it chose, as Linux's balloon hot-plug does), and where it is, succeeds without
 * changing anything.  A page it gave back comes back (test_physmap). */
static void direct_map_populates_nothing_new(void **state)
{
    struct domain *d = &doms[0];
    d->cfg.direct_map = true;
    uint64_t before = free_pages();
    assert_int_equal(memory_populate(d, 0, 0), -EINVAL);
    assert_int_equal(memory_populate(d, 8, 3), -EINVAL);
    assert_non_null(strstr(stub_last_log, "no new RAM at 0x8000"));
    for (uint64_t g = 0; g < 16; g++)
        assert_int_equal(type_at(d, g), P2M_NONE);
    /* Its own RAM in place at gfns 40 and 41 (a stand-in: no frames behind it); gfn 42 is RAM
     * somewhere else. */
    for (uint64_t g = 40; g < 43; g++) {
        map_of(d)->pa[g] = g == 42 ? 7 * PAGE_SIZE : g * PAGE_SIZE;
        map_of(d)->t[g] = P2M_RAM_RW;
    }
    assert_int_equal(memory_populate(d, 40, 1), 0);
    assert_int_equal(memory_populate(d, 40, 2), -EINVAL); /* 42 is not where it is, 43 empty */
    assert_int_equal(memory_populate(d, 42, 0), -EINVAL);
    assert_int_equal(map_of(d)->pa[41], 41 * PAGE_SIZE);
    assert_int_equal(d->tot_pages, 0);
    assert_int_equal(free_pages(), before);
    memset(maps, 0, sizeof(maps));
}

/* --- add_to_physmap / remove_from_physmap --- */

static void shared_info_has_one_place(void **state)
{
    struct domain *d = &doms[0];
    paddr_t si = shinfo[0];
    assert_int_equal(memory_populate(d, 10, 0), 0);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, 10, 0), 0);
    assert_int_equal(type_at(d, 10), P2M_SHARED);
    assert_int_equal(d->tot_pages, 0); /* the RAM page it replaced went back */
    assert_int_equal(refs(si), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, 11, 0), 0);
    assert_int_equal(type_at(d, 10), P2M_NONE);
    assert_int_equal(refs(si), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, 11, 0), 0);
    assert_int_equal(refs(si), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 1, 12, 0), -EINVAL);
    assert_int_equal(memory_remove_from_physmap(d, 11), 0);
    assert_int_equal(refs(si), 1);
    assert_int_equal(memory_remove_from_physmap(d, 11), -ENOENT);
    assert_int_equal(memory_remove_from_physmap(d, ~0UL), -ENOENT);
}

static void add_to_physmap_refusals(void **state)
{
    struct domain *d = &doms[0], *o = &doms[1];
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn, 0, 1, 0), -ENOSYS);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_range, 0, 1, 0), -ENOSYS);
    assert_int_equal(memory_add_to_physmap(d, d, 77, 0, 1, 0), -ENOSYS);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_dev_mmio, 0, 1, 0), -EACCES);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, ~0UL, 0), -EINVAL);
    /* A grant mapping is never replaced. */
    map_of(d)->t[3] = P2M_GRANT_RW;
    map_of(d)->pa[3] = grant_frame;
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_shared_info, 0, 3, 0), -EBUSY);
    assert_int_equal(memory_remove_from_physmap(d, 3), -ENOENT);
    map_of(d)->t[3] = P2M_NONE;
    /* Grant-table frames come from the grant table. */
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_grant_table, 0, 4, 0), 0);
    assert_int_equal(grant_frame_gfn, 4); /* what setup_table reports from now on */
    assert_int_equal(refs(grant_frame), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_grant_table, 1, 5, 0), -EINVAL);
    /* One place per frame: mapped again elsewhere, it leaves the old place (and its
     * reference goes with it); mapped again at the same place, nothing changes. */
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_grant_table, 0, 7, 0), 0);
    assert_int_equal(type_at(d, 4), P2M_NONE);
    assert_int_equal(type_at(d, 7), P2M_SHARED);
    assert_int_equal(refs(grant_frame), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_grant_table, 0, 7, 0), 0);
    assert_int_equal(refs(grant_frame), 2);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_grant_table, 0, 4, 0), 0);
    assert_int_equal(type_at(d, 7), P2M_NONE);
    assert_int_equal(refs(grant_frame), 2);
    assert_int_equal(memory_remove_from_physmap(d, 4), 0);
    assert_int_equal(refs(grant_frame), 1);
    /* Foreign pages: a domU may not, the control domain may map another's RAM. */
    assert_int_equal(memory_populate(o, 0, 0), 0);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_foreign, 0, 6, 2), -EPERM);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_foreign, 0, 6, DOMID_SELF),
                     -EINVAL);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_foreign, 0, 6, 9), -ESRCH);
    d->is_control = true;
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_foreign, 1, 6, 2), -EINVAL);
    assert_int_equal(memory_add_to_physmap(d, d, XENMAPSPACE_gmfn_foreign, 0, 6, 2), 0);
    assert_int_equal(type_at(d, 6), P2M_FOREIGN_RW);
    assert_int_equal(refs(map_of(o)->pa[0]), 2);
    assert_int_equal(memory_remove_from_physmap(d, 6), 0);
    assert_int_equal(refs(map_of(o)->pa[0]), 1);
    assert_int_equal(memory_decrease(o, 0, 0), 0);
}

/* acquire_resource's work: another domain's grant frame mapped as a foreign page that holds
 * a reference until it is removed; beyond the table, or over a grant mapping, refused. */
static void acquire_grant_frames(void **state)
{
    struct domain *d = &doms[0], *o = &doms[1];
    assert_int_equal(memory_grant_frames_max(o), 1);
    assert_int_equal(memory_acquire_grant_frame(d, o, 0, 8), 0);
    assert_int_equal(type_at(d, 8), P2M_FOREIGN_RW);
    assert_int_equal(refs(grant_frame), 2);
    assert_int_equal(memory_acquire_grant_frame(d, o, 1, 9), -EINVAL);
    assert_int_equal(memory_acquire_grant_frame(d, o, 0, ~0UL), -EINVAL);
    map_of(d)->t[3] = P2M_GRANT_RW;
    map_of(d)->pa[3] = grant_frame;
    assert_int_equal(memory_acquire_grant_frame(d, o, 0, 3), -EBUSY);
    assert_int_equal(refs(grant_frame), 2); /* the refused one's reference went back */
    map_of(d)->t[3] = P2M_NONE;
    assert_int_equal(memory_remove_from_physmap(d, 8), 0);
    assert_int_equal(refs(grant_frame), 1);
}

static void counts(void **state)
{
    struct domain *d = &doms[0];
    assert_int_equal(physmap_max_gfn(d), 0);
    assert_int_equal(memory_populate(d, 100, 0), 0);
    assert_int_equal(physmap_max_gfn(d), 100);
    assert_int_equal(memory_max_order(d), 9);
    d->is_control = true;
    assert_int_equal(memory_max_order(d), 12);
    assert_int_equal(memory_decrease(d, 100, 0), 0);
}

/* --- HVM parameters --- */

static void hvm_params(void **state)
{
    struct domain *d = &doms[0], *tool = &doms[1];
    uint64_t v;
    d->cfg.xen_enhanced = true;
    hvm_param_domain_init(d);
    assert_int_equal(hvm_param_get(d, d, HVM_PARAM_CALLBACK_IRQ, &v), 0);
    assert_int_equal(v, 0x020000000000021fUL);
    assert_int_equal(hvm_param_get(d, d, HVM_PARAM_MONITOR_RING_PFN, &v), -EPERM);
    assert_int_equal(hvm_param_get(d, d, 3, &v), -EINVAL);
    assert_int_equal(hvm_param_set(d, d, HVM_PARAM_STORE_PFN, 5), -EPERM);
    assert_int_equal(hvm_param_set(tool, d, 3, 5), -EINVAL);
    assert_int_equal(hvm_param_set(tool, d, HVM_PARAM_STORE_PFN, 0x39000), 0);
    assert_int_equal(hvm_param_get(d, d, HVM_PARAM_STORE_PFN, &v), 0);
    assert_int_equal(v, 0x39000);
    assert_int_equal(hvm_param_set(tool, d, HVM_PARAM_MONITOR_RING_PFN, 7), 0);
    assert_int_equal(hvm_param_get(tool, d, HVM_PARAM_MONITOR_RING_PFN, &v), 0);
    assert_int_equal(v, 7);
    struct domain plain = { 0 };
    hvm_param_domain_init(&plain);
    assert_int_equal(hvm_param_get(&plain, &plain, HVM_PARAM_CALLBACK_IRQ, &v), 0);
    assert_int_equal(v, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(populate_and_decrease, setup, teardown),
        cmocka_unit_test_setup_teardown(populate_over_allowance, setup, teardown),
        cmocka_unit_test_setup_teardown(populate_whole_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(dying_domain_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(direct_map_populates_nothing_new, setup, teardown),
        cmocka_unit_test_setup_teardown(shared_info_has_one_place, setup, teardown),
        cmocka_unit_test_setup_teardown(add_to_physmap_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(acquire_grant_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(counts, setup, teardown),
        cmocka_unit_test_setup_teardown(hvm_params, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
