/*
 * Guest memory maps: populate, map and unmap frames, look up, release.  Owns the rule that every
 * frame mapped in a domain holds one reference, put when the mapping goes, and the domain's
 * counts of RAM pages.  Locking: d->p2m_lock (interrupts masked) around every change and every
 * lookup whose answer is used; the arch p2m takes no lock of its own.
 */
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>

static bool is_ram(enum p2m_type t)
{
    return t == P2M_RAM_RW || t == P2M_RAM_RO;
}

/* p2m_lock held: account for and put the reference of the mapping [gpa, +size) of type t. */
static void drop_mapping(struct domain *d, paddr_t pa, uint64_t size, enum p2m_type t)
{
    if (!p2m_type_is_frame(t))
        return;
    uint64_t n = size >> PAGE_SHIFT;
    if (is_ram(t)) {
        d->tot_pages -= n;
        d->mem_pages -= n;
    }
    frame_put(pa, n);
}

/* Largest block order that fits the remaining size and the alignment of gpa. */
static unsigned block_order(uint64_t gpa, uint64_t remaining)
{
    unsigned order = PAGE_MAX_ORDER;
    while (order && ((PAGE_SIZE << order) > remaining || !IS_ALIGNED(gpa, PAGE_SIZE << order)))
        order--;
    return order;
}

/* arch_p2m_walk callback: put what the leaf held. */
static void drop_leaf(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    drop_mapping(ctx, pa, size, t);
}

/* arch_p2m_walk callback: note that something is mapped. */
static void note_leaf(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    *(bool *)ctx = true;
}

/* p2m_lock held: whether anything is mapped in [gpa, gpa + size). */
static bool any_mapped(struct domain *d, uint64_t gpa, uint64_t size)
{
    bool found = false;
    arch_p2m_walk(d, GPA(gpa), size, note_leaf, &found);
    return found;
}

/* p2m_lock held: map a just-allocated block at [at, at + 2^order pages) if d may have it. */
static int populate_block(struct domain *d, uint64_t at, paddr_t pa, uint64_t pages)
{
    if (d->tot_pages + pages > d->max_pages)
        return -ENOMEM;
    if (any_mapped(d, at, pages * PAGE_SIZE))
        return -EEXIST;
    int rc = arch_p2m_map(d, GPA(at), pa, pages * PAGE_SIZE, P2M_RAM_RW);
    if (rc) {
        arch_p2m_unmap(d, GPA(at), pages * PAGE_SIZE); /* a partial map: none of it stays */
        return rc;
    }
    d->tot_pages += pages;
    d->mem_pages += pages;
    return 0;
}

int physmap_populate(struct domain *d, struct gpa gpa, uint64_t size)
{
    if (!IS_ALIGNED(gpa.a | size, PAGE_SIZE) || gpa.a + size < gpa.a)
        return -EINVAL;
    uint64_t at = gpa.a, end = gpa.a + size;
    while (at < end) {
        unsigned order = block_order(at, end - at);
        if (READ_ONCE(d->tot_pages) + (1UL << order) > d->max_pages)
            return -ENOMEM; /* before allocating; populate_block checks again under the lock */
        /* Zeroed before the map (only what may hold someone's data): a running vCPU of d may
         * touch the page the moment it appears. */
        void *p;
        while (!(p = page_alloc_guest(order)) && order)
            order--;
        if (!p)
            return -ENOMEM;
        uint64_t pages = 1UL << order;
        paddr_t pa = (paddr_t)(uintptr_t)p;
        frame_assign(pa, pages, (uint16_t)d->id, FRAME_GUEST);
        unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
        int rc = populate_block(d, at, pa, pages);
        spin_unlock_irqrestore(&d->p2m_lock, flags);
        if (rc) {
            frame_put(pa, pages);
            return rc;
        }
        at += pages * PAGE_SIZE;
    }
    return 0;
}

int physmap_map_frame(struct domain *d, struct gpa gpa, paddr_t pa, enum p2m_type t)
{
    if (!IS_ALIGNED(gpa.a | pa, PAGE_SIZE) || !p2m_type_is_frame(t))
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    paddr_t old_pa;
    enum p2m_type old_t;
    bool had = !arch_p2m_lookup(d, gpa, &old_pa, &old_t);
    int rc = arch_p2m_map(d, gpa, pa, PAGE_SIZE, t);
    if (!rc) {
        if (had)
            drop_mapping(d, old_pa, PAGE_SIZE, old_t);
        if (is_ram(t)) {
            d->tot_pages++;
            d->mem_pages++;
        }
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

int physmap_unmap(struct domain *d, struct gpa gpa, enum p2m_type *old_t)
{
    gpa.a &= PAGE_MASK;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    paddr_t pa;
    enum p2m_type t;
    int rc = arch_p2m_lookup(d, gpa, &pa, &t);
    if (!rc)
        rc = arch_p2m_unmap(d, gpa, PAGE_SIZE);
    if (!rc)
        drop_mapping(d, pa, PAGE_SIZE, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    if (!rc && old_t)
        *old_t = t;
    return rc;
}

int physmap_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = arch_p2m_lookup(d, gpa, pa, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    enum p2m_type t;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = arch_p2m_lookup(d, gpa, pa, &t);
    if (!rc && (!p2m_type_is_frame(t) || !(types & P2M_BIT(t))))
        rc = -EFAULT;
    if (!rc)
        frame_ref(*pa & PAGE_MASK); /* the mapping holds one, so the frame is live */
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc ? -EFAULT : 0;
}

bool physmap_fault(struct domain *d, struct gpa gpa, bool write)
{
    /* Nothing tracks accesses yet (log-dirty for migration, mem_access for introspection):
     * every permission fault is the guest's own. */
    return false;
}

void physmap_release(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    arch_p2m_walk(d, GPA(0), ~0UL, drop_leaf, d);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    /* The tables themselves go with the address space (arch_domain_relinquish). */
}
