/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory_op's effects on a domain's memory (memory.h): extents of RAM in and out, frames of
 * the physmap spaces put in place and taken away.  Every change goes through physmap, which
 * keeps the frame references and page counts; this module adds Xen's rules on top (which
 * spaces exist on Arm, one place for shared_info, what a foreign map may reach).  d->lock
 * serialises moves of the shared_info page; nothing else here holds a lock.
 */
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/gnttab.h>
#include <hyp/memory.h>
#include <hyp/physmap.h>
#include <hyp/policy.h>
#include <hyp/shared_info.h>
#include <xen/memory.h>

#define MAX_ORDER_DOMU 9
#define MAX_ORDER_CONTROL 12

/* Types add_to_physmap may replace: not a grant mapping, whose grant still refers to it, nor a
 * device. */
#define REPLACEABLE (P2M_ANY_RAM | P2M_BIT(P2M_SHARED) | P2M_BIT(P2M_FOREIGN_RW))

unsigned memory_max_order(const struct domain *caller)
{
    return caller->is_control ? MAX_ORDER_CONTROL : MAX_ORDER_DOMU;
}

/* The guest-physical range of an extent; false if it does not fit in 64 bits. */
static bool extent_range(uint64_t gfn, unsigned order, struct gpa *gpa, uint64_t *pages)
{
    if (order >= 64 - PAGE_SHIFT || gfn > (~0UL >> PAGE_SHIFT) >> order)
        return false;
    *pages = 1UL << order;
    if (gfn + *pages - 1 < gfn || gfn + *pages - 1 > (~0UL >> PAGE_SHIFT))
        return false;
    *gpa = GPA(gfn << PAGE_SHIFT);
    return true;
}

int memory_populate(struct domain *d, uint64_t gfn, unsigned order)
{
    struct gpa gpa;
    uint64_t pages;
    if (!extent_range(gfn, order, &gpa, &pages))
        return -EINVAL;
    /* A direct-mapped domain (dom0) has its RAM where the machine's is: its devices DMA to
     * guest-physical addresses, and swiotlb-xen takes any page of its own to be at its own
     * machine address (xen-abi-facts, DMA).  New RAM at an address it picks would break that:
     * Linux's balloon hot-plugs memory into a hole of its choosing (on QEMU virt, the flash at
     * 0) and would hand those pages to drivers whose DMA then reads the flash.  So, as on Xen
     * 4.17, populating succeeds only where its own page is, in place or given back and kept
     * for it (physmap_take_back). */
    if (d->cfg.direct_map) {
        int rc = physmap_take_back(d, gpa, pages);
        if (rc == -EINVAL)
            guest_warn(d,
                       "domain %s: no new RAM at %#lx: its RAM is mapped 1:1, so it can take "
                       "back only its own pages (as on Xen)\n",
                       d->name, gpa.a);
        return rc;
    }
    /* An extent is populated whole or not at all: refuse what would fail part way, and undo
     * what failed anyway (memory ran out, or the guest raced with itself on the range). */
    if (!physmap_range_empty(d, gpa, pages << PAGE_SHIFT))
        return READ_ONCE(d->state) == DOM_DYING ? -ESRCH : -EEXIST;
    if (READ_ONCE(d->tot_pages) + pages > READ_ONCE(d->max_pages))
        return -ENOMEM;
    int rc = physmap_populate(d, gpa, pages << PAGE_SHIFT);
    if (rc)
        physmap_unpopulate(d, gpa, pages << PAGE_SHIFT);
    return rc;
}

int memory_decrease(struct domain *d, uint64_t gfn, unsigned order)
{
    struct gpa gpa;
    uint64_t pages;
    if (!extent_range(gfn, order, &gpa, &pages))
        return -EINVAL;
    return physmap_decrease(d, gpa, pages);
}

/* Map a frame the caller holds a reference on; the reference goes with the mapping, or back
 * on failure. */
static int map_held(struct domain *d, uint64_t gpfn, paddr_t pa, enum p2m_type t)
{
    int rc = physmap_replace_frame(d, GPA(gpfn << PAGE_SHIFT), pa, t, REPLACEABLE);
    if (rc)
        frame_put(pa, 1);
    return rc;
}

/* After a frame of Keel's (shared_info, a grant-table frame) went to gpfn: take it away from
 * its old place, if that still holds it.  Each such frame has one place in the map, as on Xen
 * 4.17, so a guest cannot make Keel hold references and stage-2 tables without bound by
 * mapping one frame at ever new addresses. */
static void unmap_old_place(struct domain *d, uint64_t old, uint64_t gpfn, paddr_t pa)
{
    paddr_t old_pa;
    enum p2m_type t;
    if (old != GFN_INVALID && old != gpfn &&
        !physmap_lookup(d, GPA(old << PAGE_SHIFT), &old_pa, &t) && t == P2M_SHARED && old_pa == pa)
        physmap_remove(d, GPA(old << PAGE_SHIFT), P2M_BIT(P2M_SHARED), NULL);
}

static int map_shared_info(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    if (idx != 0)
        return -EINVAL;
    paddr_t pa = shared_info_pa(d);
    unsigned long flags = spin_lock_irqsave(&d->lock);
    uint64_t old = d->shared_info_gfn;
    frame_ref(pa);
    int rc = map_held(d, gpfn, pa, P2M_SHARED);
    if (!rc) {
        unmap_old_place(d, old, gpfn, pa);
        d->shared_info_gfn = gpfn;
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return rc;
}

static int map_grant_frame(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    paddr_t pa;
    int rc = gnttab_frame_for_map(d, idx, &pa);
    if (rc)
        return rc;
    /* Under d->lock, as shared_info's: the mappings of Keel's frames change one at a time, so
     * the old place looked at is still the old place when it goes. */
    unsigned long flags = spin_lock_irqsave(&d->lock);
    frame_ref(pa);
    rc = map_held(d, gpfn, pa, P2M_SHARED);
    if (!rc) /* gnttab notes what setup_table reports from now on */
        unmap_old_place(d, gnttab_note_frame_gfn(d, idx, gpfn), gpfn, pa);
    spin_unlock_irqrestore(&d->lock, flags);
    return rc;
}

/* Page idx of domain foreign, mapped into d by caller (a toolstack loading a guest, a back
 * end): it must be the foreign domain's writable RAM (Keel has no read-only foreign type yet),
 * and the mapping holds a reference on it until removed. */
static int map_foreign(struct domain *caller, struct domain *d, uint64_t idx, uint64_t gpfn,
                       unsigned foreign)
{
    struct domain *od = domain_get_any(caller, foreign);
    if (!od)
        return -ESRCH;
    int rc = 0;
    paddr_t pa;
    if (od == d)
        rc = -EINVAL;
    else if (!policy_may_target(caller, od))
        rc = -EPERM;
    else if (idx > (~0UL >> PAGE_SHIFT) ||
             physmap_get_frame(od, GPA(idx << PAGE_SHIFT), P2M_BIT(P2M_RAM_RW), &pa))
        rc = -EINVAL;
    else
        rc = map_held(d, gpfn, pa & PAGE_MASK, P2M_FOREIGN_RW);
    domain_put(od);
    return rc;
}

int memory_add_to_physmap(struct domain *caller, struct domain *d, unsigned space, uint64_t idx,
                          uint64_t gpfn, unsigned foreign)
{
    if (space == XENMAPSPACE_dev_mmio)
        return caller == d && caller->is_control ? -ENOSYS : -EACCES; /* no passthrough yet */
    if (gpfn > (~0UL >> PAGE_SHIFT))
        return -EINVAL;
    switch (space) {
    case XENMAPSPACE_shared_info:
        return map_shared_info(d, idx, gpfn);
    case XENMAPSPACE_grant_table:
        return map_grant_frame(d, idx, gpfn);
    case XENMAPSPACE_gmfn_foreign:
        return map_foreign(caller, d, idx, gpfn, foreign);
    default:
        return -ENOSYS; /* gmfn and gmfn_range: not on Arm */
    }
}

int memory_remove_from_physmap(struct domain *d, uint64_t gpfn)
{
    if (gpfn > (~0UL >> PAGE_SHIFT))
        return -ENOENT;
    return physmap_remove(d, GPA(gpfn << PAGE_SHIFT), REPLACEABLE, NULL);
}

uint32_t memory_grant_frames_max(struct domain *d)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    gnttab_query_size(d, &q);
    return q.status == GNTST_okay ? q.max_nr_frames : 0;
}

int memory_acquire_grant_frame(struct domain *caller, struct domain *d, uint64_t idx, uint64_t gfn)
{
    if (gfn > (~0UL >> PAGE_SHIFT))
        return -EINVAL;
    paddr_t pa;
    int rc = gnttab_frame_for_map(d, idx, &pa);
    if (rc)
        return rc;
    frame_ref(pa);
    return map_held(caller, gfn, pa, P2M_FOREIGN_RW);
}
