/*
 * Guest memory maps: populate, map and unmap frames, give RAM back, look up, release.  Owns the
 * rule that every frame mapped in a domain holds one reference, put when the mapping goes, and
 * the domain's counts of RAM pages.  Locking: d->p2m_lock (interrupts masked) around every
 * change and every lookup whose answer is used; the arch p2m takes no lock of its own.  Once a
 * domain is dying (domain_kill) every call refuses before touching its map, so none can race
 * with the release of the map and of its tables.
 */
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>

static bool is_ram(enum p2m_type t)
{
    return t == P2M_RAM_RW || t == P2M_RAM_RO;
}

/* p2m_lock held: d is being killed; its map (and soon its tables) are going. */
static bool dying(struct domain *d)
{
    return READ_ONCE(d->state) == DOM_DYING;
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
    if (dying(d))
        return -ESRCH;
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
    return physmap_replace_frame(d, gpa, pa, t, ~0u);
}

int physmap_replace_frame(struct domain *d, struct gpa gpa, paddr_t pa, enum p2m_type t,
                          unsigned types)
{
    if (!IS_ALIGNED(gpa.a | pa, PAGE_SIZE) || !p2m_type_is_frame(t))
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    paddr_t old_pa;
    enum p2m_type old_t;
    bool had = !dying(d) && !arch_p2m_lookup(d, gpa, &old_pa, &old_t);
    int rc = dying(d) ? -ESRCH : had && !(types & P2M_BIT(old_t)) ? -EBUSY : 0;
    if (!rc)
        rc = arch_p2m_map(d, gpa, pa, PAGE_SIZE, t);
    if (!rc) {
        if (had)
            drop_mapping(d, old_pa & PAGE_MASK, PAGE_SIZE, old_t);
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
    return physmap_remove(d, gpa, ~0u, old_t);
}

int physmap_remove(struct domain *d, struct gpa gpa, unsigned types, enum p2m_type *old_t)
{
    gpa.a &= PAGE_MASK;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    paddr_t pa;
    enum p2m_type t;
    int rc = dying(d) ? -ENOENT : arch_p2m_lookup(d, gpa, &pa, &t);
    if (!rc && !(types & P2M_BIT(t)))
        rc = -ENOENT;
    if (!rc)
        rc = arch_p2m_unmap(d, gpa, PAGE_SIZE);
    if (!rc)
        drop_mapping(d, pa & PAGE_MASK, PAGE_SIZE, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    if (!rc && old_t)
        *old_t = t;
    return rc;
}

/* arch_p2m_walk callback: count the bytes of RAM in the range. */
static void count_ram(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    if (is_ram(t))
        *(uint64_t *)ctx += size;
}

int physmap_decrease(struct domain *d, struct gpa gpa, uint64_t pages)
{
    uint64_t size = pages << PAGE_SHIFT;
    if (!IS_ALIGNED(gpa.a, PAGE_SIZE) || !pages || size >> PAGE_SHIFT != pages ||
        gpa.a + size < gpa.a)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    uint64_t ram = 0;
    if (!dying(d))
        arch_p2m_walk(d, gpa, size, count_ram, &ram);
    int rc = ram == size ? 0 : -EINVAL; /* validate all of it before changing any of it */
    /* A page at a time: each is unmapped whole or not at all (a block may have to be split,
     * which can run out of memory), and is put only once it is unmapped. */
    for (uint64_t at = gpa.a; !rc && at < gpa.a + size; at += PAGE_SIZE) {
        paddr_t pa;
        enum p2m_type t;
        rc = arch_p2m_lookup(d, GPA(at), &pa, &t);
        if (!rc)
            rc = arch_p2m_unmap(d, GPA(at), PAGE_SIZE);
        if (!rc)
            drop_mapping(d, pa, PAGE_SIZE, t);
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

bool physmap_range_empty(struct domain *d, struct gpa gpa, uint64_t size)
{
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    bool empty = !dying(d) && !any_mapped(d, gpa.a, size);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return empty;
}

int physmap_unpopulate(struct domain *d, struct gpa gpa, uint64_t size)
{
    if (!IS_ALIGNED(gpa.a | size, PAGE_SIZE) || gpa.a + size < gpa.a)
        return -EINVAL;
    uint64_t at = gpa.a, end = gpa.a + size;
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    while (at < end && !rc && !dying(d)) {
        paddr_t pa, next;
        enum p2m_type t;
        if (arch_p2m_lookup(d, GPA(at), &pa, &t) || !is_ram(t)) {
            at += PAGE_SIZE;
            continue;
        }
        /* A run of contiguous RAM of one type: whole blocks when populate made them. */
        uint64_t run = PAGE_SIZE;
        enum p2m_type nt;
        while (at + run < end && !arch_p2m_lookup(d, GPA(at + run), &next, &nt) && nt == t &&
               next == pa + run)
            run += PAGE_SIZE;
        rc = arch_p2m_unmap(d, GPA(at), run); /* -ENOMEM if a block had to be split */
        if (!rc)
            drop_mapping(d, pa, run, t);
        at += run;
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

int physmap_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) ? -ENOENT : arch_p2m_lookup(d, gpa, pa, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    enum p2m_type t;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) ? -ENOENT : arch_p2m_lookup(d, gpa, pa, &t);
    if (!rc && (!p2m_type_is_frame(t) || !(types & P2M_BIT(t))))
        rc = -EFAULT;
    if (!rc)
        frame_ref(*pa & PAGE_MASK); /* the mapping holds one, so the frame is live */
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc ? -EFAULT : 0;
}

/* arch_p2m_walk callback: the end of the last mapping seen. */
static void note_end(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    *(uint64_t *)ctx = gpa.a + size;
}

uint64_t physmap_max_gfn(struct domain *d)
{
    uint64_t end = 0;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    if (!dying(d))
        arch_p2m_walk(d, GPA(0), ~0UL, note_end, &end);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return end ? (end >> PAGE_SHIFT) - 1 : 0;
}

bool physmap_fault(struct domain *d, struct gpa gpa, bool write)
{
    /* Nothing tracks accesses yet (log-dirty for migration, mem_access for introspection):
     * every permission fault is the guest's own. */
    return false;
}

void physmap_release(struct domain *d)
{
    BUG_ON(!dying(d)); /* so that nothing maps again once the map is emptied */
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    arch_p2m_walk(d, GPA(0), ~0UL, drop_leaf, d);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    /* The tables themselves go with the address space (arch_domain_relinquish). */
}
