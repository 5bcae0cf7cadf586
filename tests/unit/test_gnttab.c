/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the grant-table state machine (hyp/core/grant/): table growth, query and
 * setup, versions, map and unmap with the maptrack, copy, swap, cache_flush, and the lifetime
 * rules when a granter or a mapper is killed.  The real physmap, frames and page allocator run
 * on a host arena; the arch p2m is a page list per domain, and domains are a small static set
 * with reference counts the tests can read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/mm.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/gnttab.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/policy.h>
#include <hyp/ratelimit.h>

#include "../../hyp/core/grant/gnttab_internal.h"
#include "../../hyp/core/mm/frame_internal.h"
#include "../../hyp/core/mm/page_alloc_internal.h"

#define ARENA_SIZE MiB(32)
#define RAM_BASE 0x40000000ULL
#define HOLE 0x10000000ULL     /* where mappers put grant maps */
#define GPA_LIMIT (1ULL << 40) /* the fake p2m refuses addresses from here on */

/* --- stand-ins: console, policy, cache maintenance --- */

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

void log_printf(enum log_level level, const char *fmt, ...)
{
}

bool ratelimit_ok(struct ratelimit *rl, const void *key, struct ratelimit_held *held)
{
    memset(held, 0, sizeof(*held));
    return true;
}

bool policy_may_target(const struct domain *d, const struct domain *t)
{
    return d == t || d->is_control;
}

static unsigned cache_ops; /* invalidates (the host stand-in cleans) */

void arch_clean_inval_dcache(const void *p, uint64_t size)
{
    cache_ops++;
}

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

/* --- the arch p2m: a list of pages per domain --- */

#define NDOMS 4
#define P2M_PAGES 256

struct fake_page {
    uint64_t gpa;
    paddr_t pa;
    enum p2m_type t;
};
static struct fake_page p2m[NDOMS][P2M_PAGES];
/* Set by a test: this domain's grant side is killed from inside its next p2m change, as if
 * another pCPU killed it while one of its vCPUs was mapping a grant. */
static struct domain *kill_during_map;

static struct fake_page *p2m_find(struct domain *d, uint64_t gpa)
{
    for (unsigned i = 0; i < P2M_PAGES; i++)
        if (p2m[d->id][i].t != P2M_NONE && p2m[d->id][i].gpa == gpa)
            return &p2m[d->id][i];
    return NULL;
}

int arch_p2m_map(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    if (gpa.a + size > GPA_LIMIT)
        return -EINVAL;
    if (kill_during_map == d) {
        kill_during_map = NULL;
        gnttab_domain_kill(d);
    }
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        struct fake_page *p = p2m_find(d, gpa.a + off);
        for (unsigned i = 0; !p && i < P2M_PAGES; i++)
            if (p2m[d->id][i].t == P2M_NONE)
                p = &p2m[d->id][i];
        if (!p)
            return -ENOMEM;
        *p = (struct fake_page){ gpa.a + off, pa + off, t };
    }
    return 0;
}

int arch_p2m_unmap(struct domain *d, struct gpa gpa, uint64_t size)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        struct fake_page *p = p2m_find(d, gpa.a + off);
        if (p)
            p->t = P2M_NONE;
    }
    return 0;
}

int arch_p2m_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    struct fake_page *p = p2m_find(d, gpa.a & PAGE_MASK);
    if (!p)
        return -ENOENT;
    *pa = p->pa + (gpa.a & ~PAGE_MASK);
    *t = p->t;
    return 0;
}

uint64_t arch_p2m_end(struct domain *d)
{
    return 1UL << 40;
}

bool arch_p2m_first_leaf(struct domain *d, struct gpa gpa, uint64_t end, struct gpa *leaf,
                         uint64_t *size)
{
    bool found = false;
    for (unsigned i = 0; i < P2M_PAGES; i++) {
        struct fake_page p = p2m[d->id][i];
        if (p.t != P2M_NONE && p.gpa >= gpa.a && p.gpa < end && (!found || p.gpa < leaf->a)) {
            *leaf = GPA(p.gpa);
            found = true;
        }
    }
    *size = PAGE_SIZE;
    return found;
}

void arch_p2m_walk(struct domain *d, struct gpa gpa, uint64_t size, p2m_leaf_fn fn, void *ctx)
{
    for (unsigned i = 0; i < P2M_PAGES; i++) {
        struct fake_page p = p2m[d->id][i];
        if (p.t != P2M_NONE && p.gpa >= gpa.a && p.gpa - gpa.a < size)
            fn(ctx, GPA(p.gpa), p.pa, PAGE_SIZE, p.t);
    }
}

/* --- domains: ids 0..3, listed while alive --- */

static struct domain doms[NDOMS];
static bool listed[NDOMS], freed[NDOMS];

struct domain *domain_get(unsigned id)
{
    if (id >= NDOMS || !listed[id])
        return NULL;
    doms[id].refs++;
    return &doms[id];
}

void domain_ref(struct domain *d)
{
    d->refs++;
}

void domain_put(struct domain *d)
{
    assert_true(d->refs > 0);
    if (--d->refs)
        return;
    gnttab_domain_free(d);
    freed[d->id] = true;
}

/* A domain with 16 pages of RAM at RAM_BASE; maptrack_frames 0 = the default. */
static struct domain *make_domain(unsigned id, uint32_t maptrack_frames)
{
    struct domain *d = &doms[id];
    memset(d, 0, sizeof(*d));
    memset(p2m[id], 0, sizeof(p2m[id]));
    d->id = id;
    snprintf(d->name, sizeof(d->name), "d%u", id);
    d->refs = 1; /* the domain table's */
    d->lock = d->p2m_lock = SPINLOCK_INIT;
    d->max_pages = 64;
    d->cfg.max_grant_frames = 4;
    d->cfg.max_maptrack_frames = maptrack_frames;
    assert_int_equal(gnttab_domain_init(d), 0);
    assert_int_equal(physmap_populate(d, GPA(RAM_BASE), 16 * PAGE_SIZE), 0);
    listed[id] = true;
    freed[id] = false;
    return d;
}

/* What domain_kill does, in its order. */
static void kill_domain(struct domain *d)
{
    listed[d->id] = false;
    d->state = DOM_DYING;
    gnttab_domain_kill(d);
    physmap_release(d);
    domain_put(d);
}

/* --- helpers --- */

struct bootinfo bootinfo; /* frame_init() reads it; the tests use frame_init_ranges() */
static uint8_t *arena;

static uint64_t free_pages(void)
{
    struct page_stats st;
    page_alloc_stats(&st);
    return st.free_pages;
}

static struct grant_entry_v1 *entry_of(struct domain *d, grant_ref_t ref)
{
    return &d->gnttab->shared[ref / GNT_PER_FRAME][ref % GNT_PER_FRAME];
}

/* d grants its RAM page `page` to grantee as entry ref. */
static void grant(struct domain *d, grant_ref_t ref, domid_t grantee, unsigned page, uint16_t flags)
{
    struct grant_entry_v1 *e = entry_of(d, ref);
    e->domid = grantee;
    e->frame = (uint32_t)((RAM_BASE >> PAGE_SHIFT) + page);
    e->flags = flags;
}

static paddr_t ram_pa(struct domain *d, unsigned page)
{
    paddr_t pa;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(d, GPA(RAM_BASE + page * PAGE_SIZE), &pa, &t), 0);
    return pa;
}

static uint32_t refs_of(paddr_t pa)
{
    struct frame_info fi;
    assert_true(frame_query(pa & PAGE_MASK, &fi));
    return fi.refs;
}

static struct gnttab_map_grant_ref map_op(domid_t dom, grant_ref_t ref, uint64_t at, uint32_t flags)
{
    return (struct gnttab_map_grant_ref){
        .host_addr = at, .flags = flags, .ref = ref, .dom = dom, .status = 1
    };
}

static int16_t map(struct domain *ld, domid_t dom, grant_ref_t ref, uint64_t at, uint32_t flags,
                   grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = map_op(dom, ref, at, flags);
    gnttab_map(ld, &op);
    if (h)
        *h = op.handle;
    return op.status;
}

static uint64_t baseline;

static int setup(void **state)
{
    arena = aligned_alloc(MiB(16), ARENA_SIZE);
    struct mem_range bank = { (uintptr_t)arena, ARENA_SIZE };
    assert_int_equal(page_alloc_init_ranges(&bank, 1, NULL, 0), 0);
    assert_int_equal(frame_init_ranges(&bank, 1), 0);
    baseline = free_pages();
    return 0;
}

static int teardown(void **state)
{
    free(arena);
    return 0;
}

/* Every test ends with every domain killed and every page back. */
static void kill_all_and_check(void)
{
    for (unsigned i = 0; i < NDOMS; i++)
        if (listed[i])
            kill_domain(&doms[i]);
    for (unsigned i = 0; i < NDOMS; i++)
        assert_int_equal(doms[i].refs, 0);
    assert_int_equal(free_pages(), baseline);
}

/* --- the table --- */

static void table_grows_to_its_limit(void **state)
{
    struct domain *d = make_domain(1, 0), *e = make_domain(2, 0);
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    gnttab_query_size(d, &q);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);
    assert_int_equal(q.max_nr_frames, 4);
    paddr_t pa;
    assert_int_equal(gnttab_frame_for_map(d, 2, &pa), 0);
    assert_ptr_equal((void *)(uintptr_t)pa, d->gnttab->shared[2]);
    assert_int_equal(gnttab_frame_for_map(d, 4, &pa), -EINVAL);
    gnttab_query_size(d, &q);
    assert_int_equal(q.nr_frames, 3);
    /* Another domain's size: only the control domain may ask. */
    q.dom = 1;
    gnttab_query_size(e, &q);
    assert_int_equal(q.status, GNTST_permission_denied);
    e->is_control = true;
    gnttab_query_size(e, &q);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 3);
    q.dom = 3;
    gnttab_query_size(e, &q);
    assert_int_equal(q.status, GNTST_bad_domain);
    /* A dying domain's table does not grow. */
    listed[1] = false;
    d->state = DOM_DYING;
    gnttab_domain_kill(d);
    assert_int_equal(gnttab_frame_for_map(d, 3, &pa), -EINVAL);
    physmap_release(d);
    domain_put(d);
    assert_true(freed[1]);
    kill_all_and_check();
}

static void bad_limits_refused(void **state)
{
    struct domain d = { .id = 1 };
    d.cfg.max_grant_frames = GNTTAB_MAX_FRAMES_LIMIT + 1;
    assert_int_equal(gnttab_domain_init(&d), -EINVAL);
    d.cfg.max_grant_frames = 0;
    d.cfg.max_maptrack_frames = GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT + 1;
    assert_int_equal(gnttab_domain_init(&d), -EINVAL);
    assert_null(d.gnttab);
    assert_int_equal(free_pages(), baseline);
}

struct emitted {
    uint64_t gfn[8];
    unsigned n;
    bool fail;
};

static int emit(void *ctx, uint32_t i, uint64_t gfn)
{
    struct emitted *em = ctx;
    em->gfn[i] = gfn;
    em->n++;
    return em->fail ? -EFAULT : 0;
}

static void setup_table_reports_frames(void **state)
{
    struct domain *d = make_domain(1, 0);
    gnttab_note_frame_gfn(d, 0, 0x38000);
    struct emitted em = { 0 };
    assert_int_equal(gnttab_setup_table(d, DOMID_SELF, 2, emit, &em), GNTST_okay);
    assert_int_equal(em.n, 2);
    assert_int_equal(em.gfn[0], 0x38000);
    assert_int_equal(em.gfn[1], GNTTAB_INVALID_GFN);
    assert_int_equal(d->gnttab->nr_frames, 2);
    em = (struct emitted){ .fail = true };
    assert_int_equal(gnttab_setup_table(d, DOMID_SELF, 1, emit, &em), GNTST_bad_virt_addr);
    em = (struct emitted){ 0 };
    assert_int_equal(gnttab_setup_table(d, DOMID_SELF, 5, emit, &em), GNTST_general_error);
    assert_int_equal(em.n, 0);
    assert_int_equal(gnttab_setup_table(d, 3, 1, emit, &em), GNTST_bad_domain);
    struct domain *e = make_domain(2, 0);
    assert_int_equal(gnttab_setup_table(e, 1, 1, emit, &em), GNTST_permission_denied);
    kill_all_and_check();
}

static void versions(void **state)
{
    struct domain *d = make_domain(1, 0), *e = make_domain(2, 0);
    uint32_t v = 1;
    assert_int_equal(gnttab_set_version(d, &v), 0);
    assert_int_equal(v, 1);
    v = 2;
    assert_int_equal(gnttab_set_version(d, &v), -ENOSYS);
    assert_int_equal(v, 1);
    v = 0;
    assert_int_equal(gnttab_set_version(d, &v), -EINVAL);
    assert_int_equal(v, 1);
    struct gnttab_get_version g = { .dom = DOMID_SELF };
    assert_int_equal(gnttab_get_version(d, &g), 0);
    assert_int_equal(g.version, 1);
    g.dom = 2;
    assert_int_equal(gnttab_get_version(d, &g), -EPERM);
    g.dom = 3;
    assert_int_equal(gnttab_get_version(d, &g), -ESRCH);
    assert_int_equal(gnttab_get_status_frames(e, DOMID_SELF, 0), GNTST_okay);
    assert_int_equal(gnttab_get_status_frames(e, DOMID_SELF, 1), GNTST_general_error);
    assert_int_equal(gnttab_dump_table(e, DOMID_SELF), GNTST_okay);
    assert_int_equal(gnttab_dump_table(e, 1), GNTST_permission_denied);
    kill_all_and_check();
}

/* --- map and unmap --- */

static void map_writable_then_unmap(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    paddr_t pa = ram_pa(g, 3);
    struct gnttab_map_grant_ref op = map_op(1, 8, HOLE, GNTMAP_host_map);
    gnttab_map(m, &op);
    assert_int_equal(op.status, GNTST_okay);
    assert_int_equal(op.dev_bus_addr, pa);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    paddr_t got;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(m, GPA(HOLE), &got, &t), 0);
    assert_int_equal(got, pa);
    assert_int_equal(t, P2M_GRANT_RW);
    /* The granter's map, the pin, the mapping; the granter held by the mapping. */
    assert_int_equal(refs_of(pa), 3);
    assert_int_equal(g->refs, 2);
    /* The same grant mapped again, read-only, by the same domain: a second pin. */
    grant_handle_t h2;
    assert_int_equal(map(m, 1, 8, HOLE + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h2),
                     GNTST_okay);
    assert_int_not_equal(h2, op.handle);
    assert_int_equal(refs_of(pa), 4);
    /* Unmap checks: the handle, the device address, the host address, replacement. */
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, 999), GNTST_bad_handle);
    assert_int_equal(gnttab_unmap(m, HOLE + PAGE_SIZE, 0, 0, op.handle), GNTST_general_error);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, HOLE + 2 * PAGE_SIZE, op.handle),
                     GNTST_general_error);
    assert_int_equal(gnttab_unmap(m, 0, 0, 0, op.handle), GNTST_okay); /* nothing removed */
    assert_int_equal(gnttab_unmap(m, HOLE, pa, 0, op.handle), GNTST_okay);
    assert_int_equal(physmap_lookup(m, GPA(HOLE), &got, &t), -ENOENT);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access | GTF_reading);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, op.handle), GNTST_bad_handle); /* twice */
    /* The device address is not checked for a host mapping. */
    assert_int_equal(gnttab_unmap(m, HOLE + PAGE_SIZE, pa + PAGE_SIZE, 0, h2), GNTST_okay);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access);
    assert_int_equal(refs_of(pa), 1);
    assert_int_equal(g->refs, 1);
    kill_all_and_check();
}

static void map_read_only(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 9, 2, 4, GTF_permit_access | GTF_readonly);
    /* A read-only grant cannot be mapped writable, and that leaves nothing behind. */
    assert_int_equal(map(m, 1, 9, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry_of(g, 9)->flags, GTF_permit_access | GTF_readonly);
    grant_handle_t h;
    assert_int_equal(map(m, 1, 9, HOLE, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    assert_int_equal(entry_of(g, 9)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    paddr_t pa;
    enum p2m_type t;
    assert_int_equal(physmap_lookup(m, GPA(HOLE), &pa, &t), 0);
    assert_int_equal(t, P2M_GRANT_RO);
    /* While pinned read-only, a writable pin is still refused. */
    assert_int_equal(map(m, 1, 9, HOLE + PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, h), GNTST_okay);
    assert_int_equal(entry_of(g, 9)->flags, GTF_permit_access | GTF_readonly);
    kill_all_and_check();
}

static void map_errors(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0), *x = make_domain(3, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    grant(g, 10, 2, 3, GTF_accept_transfer);
    grant(g, 11, 2, 3, GTF_permit_access | GTF_sub_page);
    grant(g, 12, 2, 40, GTF_permit_access); /* not the granter's RAM */
    uint64_t free_before = free_pages();
    assert_int_equal(map(m, 1, 8, HOLE, 0, NULL), GNTST_bad_gntref);
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_device_map, NULL), GNTST_general_error);
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map | GNTMAP_contains_pte, NULL),
                     GNTST_general_error);
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map | GNTMAP_application_map, NULL),
                     GNTST_general_error);
    assert_int_equal(map(m, 0, 8, HOLE, GNTMAP_host_map, NULL), GNTST_bad_domain);
    assert_int_equal(map(m, DOMID_SELF, 8, HOLE, GNTMAP_host_map, NULL), GNTST_bad_domain);
    assert_int_equal(map(m, 1, 4 * GNT_PER_FRAME, HOLE, GNTMAP_host_map, NULL), GNTST_bad_gntref);
    assert_int_equal(map(m, 1, GNT_PER_FRAME, HOLE, GNTMAP_host_map, NULL), GNTST_bad_gntref);
    assert_int_equal(map(m, 1, 9, HOLE, GNTMAP_host_map, NULL), GNTST_general_error); /* invalid */
    assert_int_equal(map(m, 1, 10, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(map(m, 1, 11, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(map(m, 1, 12, HOLE, GNTMAP_host_map, NULL), GNTST_bad_page);
    /* Granted to 2, not to 3. */
    assert_int_equal(map(x, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    /* An address the memory map cannot hold. */
    assert_int_equal(map(m, 1, 8, GPA_LIMIT, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access);
    /* Pinned by 2: 3 is refused even if the granter re-targets the entry meanwhile. */
    grant_handle_t h;
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, &h), GNTST_okay);
    entry_of(g, 8)->domid = 3;
    assert_int_equal(map(x, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, h), GNTST_okay);
    /* Revoked (flags cleared by the granter): refused. */
    entry_of(g, 8)->domid = 2;
    entry_of(g, 8)->flags = 0;
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_general_error);
    /* Only the mappers' first page of handles each stays, until they die. */
    assert_int_equal(free_pages(), free_before - 2);
    assert_int_equal(g->refs, 1);
    kill_all_and_check();
}

static void maptrack_limit(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, GNTTAB_NO_MAPTRACK);
    struct domain *m1 = make_domain(3, 1);
    grant(g, 8, 2, 3, GTF_permit_access);
    grant(g, 9, 3, 3, GTF_permit_access | GTF_readonly);
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_no_device_space);
    /* One page of handles: MT_PER_PAGE mappings, then no more. */
    grant_handle_t h[MT_PER_PAGE];
    for (unsigned i = 0; i < MT_PER_PAGE; i++)
        assert_int_equal(
            map(m1, 1, 9, HOLE + i * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, &h[i]),
            GNTST_okay);
    assert_int_equal(
        map(m1, 1, 9, HOLE + MT_PER_PAGE * PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, NULL),
        GNTST_no_device_space);
    assert_int_equal(gnttab_unmap(m1, HOLE, 0, 0, h[0]), GNTST_okay);
    assert_int_equal(map(m1, 1, 9, HOLE, GNTMAP_host_map | GNTMAP_readonly, &h[0]), GNTST_okay);
    /* The rest go when the mapper dies. */
    kill_all_and_check();
}

/* --- lifetime --- */

static void granter_killed_while_mapped(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    paddr_t pa = ram_pa(g, 3);
    memset((void *)(uintptr_t)pa, 0x5a, PAGE_SIZE);
    grant_handle_t h;
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, &h), GNTST_okay);
    /* The owner cannot revoke while mapped: GTF_reading|GTF_writing are set. */
    assert_true(entry_of(g, 8)->flags & (GTF_reading | GTF_writing));
    kill_domain(g);
    assert_false(freed[1]); /* the mapping holds it */
    assert_int_equal(refs_of(pa), 2);
    assert_int_equal(*(uint8_t *)(uintptr_t)pa, 0x5a);
    /* A dying granter's entries take no new pins. */
    assert_int_equal(map(m, 1, 8, HOLE + PAGE_SIZE, GNTMAP_host_map, NULL), GNTST_bad_domain);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, h), GNTST_okay);
    assert_true(freed[1]);
    kill_all_and_check();
}

static void mapper_killed_releases_pins(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    grant(g, 9, 2, 4, GTF_permit_access);
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_okay);
    assert_int_equal(map(m, 1, 9, HOLE + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, NULL),
                     GNTST_okay);
    /* domain_kill of m while another vCPU of m is mapping a grant: the map finds m dying
     * when it completes and undoes its pin (its page goes with the rest of m's map). */
    listed[2] = false;
    kill_during_map = m;
    assert_int_equal(map(m, 1, 8, HOLE + 2 * PAGE_SIZE, GNTMAP_host_map, NULL),
                     GNTST_general_error);
    assert_null(kill_during_map);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access);
    /* Once the kill ran, no handle is left and none is handed out. */
    assert_int_equal(map(m, 1, 8, HOLE + 3 * PAGE_SIZE, GNTMAP_host_map, NULL),
                     GNTST_no_device_space);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, 0), GNTST_bad_handle);
    m->state = DOM_DYING;
    physmap_release(m);
    domain_put(m);
    assert_true(freed[2]);
    assert_int_equal(entry_of(g, 9)->flags, GTF_permit_access);
    assert_int_equal(g->refs, 1);
    assert_int_equal(refs_of(ram_pa(g, 3)), 1);
    kill_all_and_check();
}

static void domains_mapping_each_other(void **state)
{
    struct domain *a = make_domain(1, 0), *b = make_domain(2, 0);
    grant(a, 8, 2, 3, GTF_permit_access);
    grant(b, 8, 1, 3, GTF_permit_access);
    assert_int_equal(map(b, 1, 8, HOLE, GNTMAP_host_map, NULL), GNTST_okay);
    assert_int_equal(map(a, 2, 8, HOLE, GNTMAP_host_map, NULL), GNTST_okay);
    kill_domain(a);
    kill_domain(b);
    assert_true(freed[1] && freed[2]);
    kill_all_and_check();
}

/* --- copy --- */

static struct gnttab_copy copy_op(uint16_t flags, uint64_t s, domid_t sd, uint64_t d, domid_t dd,
                                  uint16_t len)
{
    struct gnttab_copy op = { .len = len, .flags = flags };
    op.source.u.gmfn = s;
    op.source.domid = sd;
    op.dest.u.gmfn = d;
    op.dest.domid = dd;
    return op;
}

#define GFN(page) ((RAM_BASE >> PAGE_SHIFT) + (page))

static void copy_both_ways(void **state)
{
    struct domain *g = make_domain(1, 0), *c = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    uint8_t *gp = (uint8_t *)(uintptr_t)ram_pa(g, 3), *cp = (uint8_t *)(uintptr_t)ram_pa(c, 5);
    memset(cp, 0xab, PAGE_SIZE);
    /* Own frame to a grant, 4 KiB. */
    struct gnttab_copy op = copy_op(GNTCOPY_dest_gref, GFN(5), DOMID_SELF, 8, 1, PAGE_SIZE);
    assert_int_equal(gnttab_copy(c, &op), GNTST_okay);
    assert_int_equal(gp[0], 0xab);
    assert_int_equal(gp[PAGE_SIZE - 1], 0xab);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access);
    /* A grant to own frame, with offsets. */
    gp[100] = 0x11;
    op = copy_op(GNTCOPY_source_gref, 8, 1, GFN(6), DOMID_SELF, 10);
    op.source.offset = 100;
    op.dest.offset = 7;
    assert_int_equal(gnttab_copy(c, &op), GNTST_okay);
    assert_int_equal(((uint8_t *)(uintptr_t)ram_pa(c, 6))[7], 0x11);
    /* Grant to grant: the caller's own grant by DOMID_SELF. */
    grant(c, 9, 2, 5, GTF_permit_access);
    op = copy_op(GNTCOPY_source_gref | GNTCOPY_dest_gref, 8, 1, 9, DOMID_SELF, 1);
    assert_int_equal(gnttab_copy(c, &op), GNTST_okay);
    assert_int_equal(cp[0], 0xab);
    assert_int_equal(refs_of((paddr_t)(uintptr_t)gp), 1);
    kill_all_and_check();
}

static void copy_errors(void **state)
{
    struct domain *g = make_domain(1, 0), *c = make_domain(2, 0), *x = make_domain(3, 0);
    grant(g, 8, 2, 3, GTF_permit_access | GTF_readonly);
    grant(g, 9, 2, 3, GTF_permit_access);
    uint64_t free_before = free_pages();
    struct gnttab_copy op;
    /* A frame by number must be the caller's own. */
    op = copy_op(0, GFN(3), 1, GFN(5), DOMID_SELF, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_permission_denied);
    op = copy_op(GNTCOPY_source_gref, 9, 3, GFN(5), DOMID_SELF, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_general_error); /* 3's entry 9: invalid */
    op = copy_op(GNTCOPY_source_gref, 9, 0, GFN(5), DOMID_SELF, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_domain);
    op = copy_op(GNTCOPY_source_gref, 5000, 1, GFN(5), DOMID_SELF, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_gntref);
    op = copy_op(GNTCOPY_source_gref, 9, 1, GFN(5), DOMID_SELF, 8);
    assert_int_equal(gnttab_copy(x, &op), GNTST_general_error); /* not granted to 3 */
    /* Writing a read-only grant. */
    op = copy_op(GNTCOPY_dest_gref, GFN(5), DOMID_SELF, 8, 1, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_general_error);
    /* The caller's own end that is not its RAM. */
    op = copy_op(GNTCOPY_dest_gref, GFN(40), DOMID_SELF, 9, 1, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_page);
    op = copy_op(GNTCOPY_dest_gref, ~0ULL, DOMID_SELF, 9, 1, 8);
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_page);
    /* Ranges past the page. */
    op = copy_op(GNTCOPY_source_gref, 9, 1, GFN(5), DOMID_SELF, 8);
    op.source.offset = PAGE_SIZE - 4;
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_copy_arg);
    op = copy_op(GNTCOPY_source_gref, 9, 1, GFN(5), DOMID_SELF, 8);
    op.dest.offset = PAGE_SIZE - 4;
    assert_int_equal(gnttab_copy(c, &op), GNTST_bad_copy_arg);
    /* Nothing stays pinned or referenced. */
    assert_int_equal(entry_of(g, 9)->flags, GTF_permit_access);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(refs_of(ram_pa(g, 3)), 1);
    assert_int_equal(refs_of(ram_pa(c, 5)), 1);
    assert_int_equal(free_pages(), free_before);
    assert_int_equal(g->refs, 1);
    kill_all_and_check();
}

/* --- swap and cache_flush --- */

static void swap_entries(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    grant(g, 9, 2, 4, GTF_permit_access | GTF_readonly);
    assert_int_equal(gnttab_swap(g, 8, 9), GNTST_okay);
    assert_int_equal(entry_of(g, 8)->flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(entry_of(g, 9)->frame, GFN(3));
    assert_int_equal(gnttab_swap(g, 8, 8), GNTST_okay);
    assert_int_equal(gnttab_swap(g, 8, GNT_PER_FRAME), GNTST_bad_gntref);
    grant_handle_t h;
    assert_int_equal(map(m, 1, 9, HOLE, GNTMAP_host_map, &h), GNTST_okay);
    assert_int_equal(gnttab_swap(g, 8, 9), GNTST_eagain);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, h), GNTST_okay);
    kill_all_and_check();
}

static void cache_flush(void **state)
{
    struct domain *g = make_domain(1, 0), *m = make_domain(2, 0);
    grant(g, 8, 2, 3, GTF_permit_access);
    struct gnttab_cache_flush op = { 0 };
    assert_int_equal(gnttab_cache_flush(m, &op), 0); /* Linux's probe */
    op = (struct gnttab_cache_flush){ .a.dev_bus_addr = ram_pa(m, 1),
                                      .length = 64,
                                      .op = GNTTAB_CACHE_CLEAN };
    unsigned before = cache_ops;
    assert_int_equal(gnttab_cache_flush(m, &op), 0);
    op.op = GNTTAB_CACHE_INVAL;
    assert_int_equal(gnttab_cache_flush(m, &op), 0);
    assert_int_equal(cache_ops, before + 1);
    op.op = 4;
    assert_int_equal(gnttab_cache_flush(m, &op), -EINVAL);
    op.op = GNTTAB_CACHE_CLEAN;
    op.offset = PAGE_SIZE - 8;
    assert_int_equal(gnttab_cache_flush(m, &op), -EINVAL);
    op.offset = 0;
    op.a.dev_bus_addr = ram_pa(g, 3); /* not m's, not mapped by m */
    assert_int_equal(gnttab_cache_flush(m, &op), -EINVAL);
    op.a.dev_bus_addr = 0x1000; /* not RAM */
    assert_int_equal(gnttab_cache_flush(m, &op), -EINVAL);
    void *freepg = page_alloc(0);
    page_free(freepg, 0);
    op.a.dev_bus_addr = (uintptr_t)freepg;
    assert_int_equal(gnttab_cache_flush(m, &op), -EPERM);
    grant_handle_t h;
    assert_int_equal(map(m, 1, 8, HOLE, GNTMAP_host_map, &h), GNTST_okay);
    op.a.dev_bus_addr = ram_pa(g, 3);
    assert_int_equal(gnttab_cache_flush(m, &op), 0);
    assert_int_equal(refs_of(ram_pa(g, 3)), 3);
    assert_int_equal(gnttab_unmap(m, HOLE, 0, 0, h), GNTST_okay);
    kill_all_and_check();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_grows_to_its_limit),
        cmocka_unit_test(bad_limits_refused),
        cmocka_unit_test(setup_table_reports_frames),
        cmocka_unit_test(versions),
        cmocka_unit_test(map_writable_then_unmap),
        cmocka_unit_test(map_read_only),
        cmocka_unit_test(map_errors),
        cmocka_unit_test(maptrack_limit),
        cmocka_unit_test(granter_killed_while_mapped),
        cmocka_unit_test(mapper_killed_releases_pins),
        cmocka_unit_test(domains_mapping_each_other),
        cmocka_unit_test(copy_both_ways),
        cmocka_unit_test(copy_errors),
        cmocka_unit_test(swap_entries),
        cmocka_unit_test(cache_flush),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
