/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant maps: map_grant_ref and unmap_grant_ref (and unmap_and_replace) into the mapper's
 * memory map, and the mapper's maptrack, the handles of its mappings.  A mapping holds a pin
 * on the granter's entry, a domain reference on the granter and, through physmap, a reference
 * on the frame.  mt->lock guards the maptrack; the granter's gt->lock is taken (by gnt_pin and
 * gnt_unpin) only after mt->lock is dropped, and the mapper's memory map changes with neither
 * held.  A handle being unmapped is marked busy, so two unmaps of one handle cannot both undo it.
 */
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>

#include "gnttab_internal.h"

/* --- maptrack --- */

int gnt_maptrack_init(struct maptrack *mt, uint32_t max_pages)
{
    mt->lock = SPINLOCK_INIT;
    mt->max_pages = max_pages;
    mt->free_head = MT_NONE;
    if (!max_pages)
        return 0;
    mt->pages = heap_zalloc(max_pages * sizeof(*mt->pages));
    return mt->pages ? 0 : -ENOMEM;
}

void gnt_maptrack_free(struct maptrack *mt)
{
    for (uint32_t i = 0; i < mt->nr_pages; i++)
        page_free(mt->pages[i], 0);
    heap_free(mt->pages);
    mt->pages = NULL;
    mt->nr_pages = 0;
}

static uint32_t mt_handles(const struct maptrack *mt)
{
    return mt->nr_pages * (uint32_t)MT_PER_PAGE;
}

static struct mt_entry *mt_at(struct maptrack *mt, uint32_t h)
{
    return &mt->pages[h / MT_PER_PAGE][h % MT_PER_PAGE];
}

/* mt->lock held: one more page of free handles, if the limit and memory allow. */
static void mt_grow(struct maptrack *mt)
{
    if (mt->nr_pages >= mt->max_pages)
        return;
    struct mt_entry *p = page_zalloc(0);
    if (!p)
        return;
    uint32_t base = mt_handles(mt);
    for (uint32_t i = 0; i < MT_PER_PAGE; i++)
        p[i].ref = i + 1 < MT_PER_PAGE ? base + i + 1 : mt->free_head;
    mt->pages[mt->nr_pages++] = p;
    mt->free_head = base;
}

/* A handle taken off the free list, or MT_NONE when the maptrack is full. */
static uint32_t mt_get(struct maptrack *mt)
{
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    if (mt->free_head == MT_NONE && !mt->dead)
        mt_grow(mt);
    uint32_t h = mt->dead ? MT_NONE : mt->free_head;
    if (h != MT_NONE) {
        struct mt_entry *e = mt_at(mt, h);
        mt->free_head = e->ref;
        e->flags = MT_USED;
        mt->in_use++;
    }
    spin_unlock_irqrestore(&mt->lock, flags);
    return h;
}

/* Give handle h back (nothing to do once the killed domain's handles are gone). */
static void mt_put(struct maptrack *mt, uint32_t h)
{
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    if (h < mt_handles(mt)) {
        struct mt_entry *e = mt_at(mt, h);
        *e = (struct mt_entry){ .ref = mt->free_head };
        mt->free_head = h;
        mt->in_use--;
    }
    spin_unlock_irqrestore(&mt->lock, flags);
}

/* Take mapped handle h for an unmap (marked busy): a copy of it in *m, or false. */
static bool mt_claim(struct maptrack *mt, uint32_t h, struct mt_entry *m)
{
    bool ok = false;
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    if (h < mt_handles(mt)) {
        struct mt_entry *e = mt_at(mt, h);
        ok = (e->flags & (MT_MAPPED | MT_BUSY)) == MT_MAPPED;
        if (ok) {
            e->flags |= MT_BUSY;
            *m = *e;
        }
    }
    spin_unlock_irqrestore(&mt->lock, flags);
    return ok;
}

static void mt_release(struct maptrack *mt, uint32_t h, const struct mt_entry *m);

/* An unmap that left claimed mapping m (handle h) in place.  If the domain is being killed,
 * the kill's scan passed it while it was busy: it ends here instead. */
static void mt_unclaim(struct maptrack *mt, uint32_t h, const struct mt_entry *m)
{
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    bool dead = mt->dead;
    if (!dead)
        mt_at(mt, h)->flags &= (uint16_t)~MT_BUSY;
    spin_unlock_irqrestore(&mt->lock, flags);
    if (dead)
        mt_release(mt, h, m);
}

/* Handle h becomes the mapping m, unless ld is being killed (false: h is still only taken). */
static bool mt_publish(struct maptrack *mt, uint32_t h, const struct mt_entry *m)
{
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    bool ok = !mt->dead;
    if (ok)
        *mt_at(mt, h) = *m;
    spin_unlock_irqrestore(&mt->lock, flags);
    return ok;
}

/* A claimed mapping's end: its pin, the granter's reference, the handle. */
static void mt_release(struct maptrack *mt, uint32_t h, const struct mt_entry *m)
{
    gnt_unpin(m->rd, m->ref, !(m->flags & MT_RO));
    domain_put(m->rd);
    mt_put(mt, h);
}

void gnt_maptrack_release(struct domain *d)
{
    struct maptrack *mt = &d->gnttab->mt;
    /* A map or unmap still running on another vCPU of d finds mt->dead when it ends and
     * undoes itself; a mapping that got into d's memory map goes with physmap_release. */
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    mt->dead = true;
    spin_unlock_irqrestore(&mt->lock, flags);
    for (uint32_t h = 0; h < READ_ONCE(mt->nr_pages) * MT_PER_PAGE; h++) {
        struct mt_entry m;
        if (mt_claim(mt, h, &m))
            mt_release(mt, h, &m);
    }
    /* The handles' pages go now, so a killed domain's memory is all back when the kill
     * returns; no handle is reachable any more. */
    flags = spin_lock_irqsave(&mt->lock);
    for (uint32_t i = 0; i < mt->nr_pages; i++)
        page_free(mt->pages[i], 0);
    mt->nr_pages = 0;
    mt->free_head = MT_NONE;
    spin_unlock_irqrestore(&mt->lock, flags);
}

bool gnt_mapped_by(struct domain *ld, paddr_t pa)
{
    struct maptrack *mt = &ld->gnttab->mt;
    bool found = false;
    unsigned long flags = spin_lock_irqsave(&mt->lock);
    for (uint32_t h = 0; h < mt_handles(mt) && !found; h++) {
        const struct mt_entry *e = mt_at(mt, h);
        /* A mapped handle's pin holds a reference on the frame, so it is live. */
        found = (e->flags & (MT_MAPPED | MT_BUSY)) == MT_MAPPED && e->pa == pa;
    }
    if (found)
        frame_ref(pa);
    spin_unlock_irqrestore(&mt->lock, flags);
    return found;
}

/* --- map and unmap --- */

/* Pin and map for gnttab_map: the status; on success the mapping is in ld's memory map. */
static int16_t pin_and_map(struct domain *ld, struct domain *rd,
                           const struct gnttab_map_grant_ref *op, paddr_t *pa)
{
    bool ro = op->flags & GNTMAP_readonly;
    int16_t st = gnt_pin(rd, op->ref, (domid_t)ld->id, !ro, true, pa);
    if (st != GNTST_okay)
        return st;
    /* Xen/Arm takes nothing but host_map, optionally read-only, checked after the pin. */
    if ((op->flags & ~GNTMAP_readonly) != GNTMAP_host_map) {
        gnt_unpin(rd, op->ref, !ro);
        return GNTST_general_error;
    }
    frame_ref(*pa); /* the mapping's own, held by the pin's meanwhile */
    enum p2m_type t = ro ? P2M_GRANT_RO : P2M_GRANT_RW;
    if (physmap_map_frame(ld, GPA(op->host_addr & PAGE_MASK), *pa, t)) {
        frame_put(*pa, 1);
        gnt_unpin(rd, op->ref, !ro);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

void gnttab_map(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    /* Xen's checks in its order: the flags, the granter, a handle, the entry. */
    if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
        op->status = GNTST_bad_gntref;
        return;
    }
    if (op->flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte)) {
        op->status = GNTST_general_error; /* a translated guest has no device mappings */
        return;
    }
    struct domain *rd = gnt_domain(ld, op->dom, false);
    if (!rd) {
        op->status = GNTST_bad_domain;
        return;
    }
    struct maptrack *mt = &ld->gnttab->mt;
    uint32_t h = mt_get(mt);
    if (h == MT_NONE) {
        domain_put(rd);
        op->status = GNTST_no_device_space;
        return;
    }
    paddr_t pa;
    int16_t st = pin_and_map(ld, rd, op, &pa);
    if (st != GNTST_okay) {
        mt_put(mt, h);
        domain_put(rd);
        op->status = st;
        return;
    }
    struct mt_entry m = { .rd = rd, /* the reference from gnt_domain moves there */
                          .gpa = op->host_addr & PAGE_MASK,
                          .pa = pa,
                          .ref = op->ref,
                          .flags = (uint16_t)(MT_USED | MT_MAPPED |
                                              (op->flags & GNTMAP_readonly ? MT_RO : 0)) };
    if (!mt_publish(mt, h, &m)) {
        mt_release(mt, h, &m);
        op->status = GNTST_general_error;
        return;
    }
    op->handle = h;
    op->dev_bus_addr = pa; /* Xen/Arm always gives the machine address (swiotlb-xen uses it) */
    op->status = GNTST_okay;
}

/* Remove the mapping m at gpa from ld's memory map if gpa still maps m's frame as m made it. */
static int16_t unmap_host(struct domain *ld, uint64_t gpa, const struct mt_entry *m)
{
    paddr_t pa;
    enum p2m_type t;
    enum p2m_type want = m->flags & MT_RO ? P2M_GRANT_RO : P2M_GRANT_RW;
    if (physmap_lookup(ld, GPA(gpa), &pa, &t) || (pa & PAGE_MASK) != m->pa || t != want)
        return GNTST_general_error;
    return physmap_unmap(ld, GPA(gpa), NULL) ? GNTST_general_error : GNTST_okay;
}

int16_t gnttab_unmap(struct domain *ld, uint64_t host_addr, uint64_t dev_bus_addr,
                     uint64_t new_addr, grant_handle_t handle)
{
    struct maptrack *mt = &ld->gnttab->mt;
    struct mt_entry m;
    if (!mt_claim(mt, handle, &m))
        return GNTST_bad_handle;
    /* dev_bus_addr is checked only for a device mapping, which Arm never makes (Xen 4.17
     * ignores it for a host mapping too). */
    int16_t st = GNTST_okay;
    if (host_addr && new_addr)
        st = GNTST_general_error; /* Xen/Arm cannot replace a mapping */
    else if (host_addr)
        st = unmap_host(ld, host_addr & PAGE_MASK, &m);
    /* Without host_addr Xen removes nothing and keeps the handle, yet says okay. */
    if (st != GNTST_okay || !host_addr)
        mt_unclaim(mt, handle, &m);
    else
        mt_release(mt, handle, &m);
    return st;
}
