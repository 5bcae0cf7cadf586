/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory maps: populate, map and unmap frames, look up, release.  Owns the rule that every
 * frame mapped in a domain holds one reference, put when the mapping goes, and the domain's
 * counts of RAM pages.  Locking: d->p2m_lock (interrupts masked) around every change and every
 * lookup whose answer is used; the arch p2m takes no lock of its own.
 *
 * RAM is populated untouched (P2M_RAM_LAZY, P2M_RAM_LAZY_CLEAN): allocated and counted as the
 * domain's, mapped so that the first access faults, but neither zeroed nor given frame
 * references.  The first touch, by the domain (physmap_fault) or by Keel on its behalf (every
 * lookup here), zeroes the leaf it falls in (at most LAZY_LEAF) unless it is known zero, gives
 * its frames to the domain and makes it RAM_RW.  Creating a domain therefore costs time per
 * block of its RAM, not per byte, and memory the domain never touches is never zeroed for it.
 * Untouched pages never leave this file as such: nobody else can see their contents.
 *
 * Once a domain is dying (domain_kill) every call refuses before touching its map, so none
 * can race with the release of the map and of its tables.
 */
#include <hyp/arch/mm.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>

/* The largest untouched leaf: what one first touch zeroes (a level-2 block). */
#define LAZY_LEAF (2UL << 20)

static bool is_ram(enum p2m_type t)
{
    return t == P2M_RAM_RW || t == P2M_RAM_RO || p2m_type_is_lazy(t);
}

/* p2m_lock held: d is being killed; its map (and soon its tables) are going. */
static bool dying(struct domain *d)
{
    return READ_ONCE(d->state) == DOM_DYING;
}

/* The root table and the device and special pages (shared_info, grant frames, the vGIC's)
 * beside RAM: a few pages Xen's per-vCPU share would cover, kept apart so that a domain made
 * with no memory yet (createdomain, before max_mem) can still be set up. */
#define TABLE_SLACK 32

uint64_t physmap_table_bound(const struct domain *d)
{
    uint64_t xen = 256 * (uint64_t)d->nr_vcpus + (READ_ONCE(d->max_pages) >> (20 - PAGE_SHIFT)) * 2;
    return MAX(READ_ONCE(d->paging_mempool_pages), xen) + TABLE_SLACK;
}

bool physmap_table_take(struct domain *d, uint64_t n)
{
    if (!dying(d) && d->table_pages + n > physmap_table_bound(d))
        return false;
    d->table_pages += n;
    return true;
}

void physmap_table_give(struct domain *d, uint64_t n)
{
    d->table_pages -= n;
}

/* p2m_lock held: account for and put the reference of the mapping [gpa, +size) of type t.
 * Untouched RAM holds no references: its pages go straight back to the allocator. */
static void drop_mapping(struct domain *d, paddr_t pa, uint64_t size, enum p2m_type t)
{
    uint64_t n = size >> PAGE_SHIFT;
    if (is_ram(t)) {
        d->tot_pages -= n;
        d->mem_pages -= n;
    }
    if (p2m_type_is_lazy(t))
        page_free_range((void *)(uintptr_t)pa, n);
    else if (p2m_type_is_frame(t))
        frame_put(pa, n);
}

struct leaf {
    uint64_t want; /* the address asked about */
    uint64_t gpa, size;
    paddr_t pa;
    enum p2m_type t;
    bool found;
};

/* arch_p2m_walk callback: the leaf holding l->want. */
static void find_leaf(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    struct leaf *l = ctx;
    if (l->want >= gpa.a && l->want - gpa.a < size)
        *l = (struct leaf){ l->want, gpa.a, size, pa, t, true };
}

/* p2m_lock held.  Make the untouched leaf l the domain's RAM_RW: with zero, zeroed first (to
 * the point of coherency: the domain may run with its caches off) unless known zero; its frames
 * given to d. */
static void claim_leaf(struct domain *d, const struct leaf *l, bool zero)
{
    if (zero && l->t == P2M_RAM_LAZY)
        arch_clear_memory((void *)(uintptr_t)l->pa, l->size);
    frame_assign(l->pa, l->size >> PAGE_SHIFT, (uint16_t)d->id, FRAME_GUEST);
    /* The same leaf in place, only its access flag and type change: no table page is needed
     * and no TLB entry can exist, so this cannot fail. */
    int rc = arch_p2m_map(d, GPA(l->gpa), l->pa, l->size, P2M_RAM_RW);
    BUG_ON(rc);
}

/* p2m_lock held.  If page gpa of d is untouched RAM, claim its leaf, zeroed.  The leaf is at
 * most LAZY_LEAF and aligned to its size, so looking in the LAZY_LEAF around gpa finds all of
 * it. */
static void touch(struct domain *d, uint64_t gpa)
{
    struct leaf l = { .want = gpa };
    arch_p2m_walk(d, GPA(ALIGN_DOWN(gpa, LAZY_LEAF)), LAZY_LEAF, find_leaf, &l);
    if (l.found && p2m_type_is_lazy(l.t))
        claim_leaf(d, &l, true);
}

/*
 * A direct-mapped domain's RAM it gives back stays its own, as on Xen 4.17 (which keeps such a
 * page allocated to a 1:1 domain in guest_remove_page): its devices DMA to its guest-physical
 * addresses without an IOMMU, so the only RAM it can take back (populate_physmap) is the same
 * page at the same address, and that page must not have gone to anyone else meanwhile.  A page
 * given back is unmapped and noted in d->kept; it keeps what its mapping held (a frame
 * reference, or for untouched RAM nothing but its allocation), and stays counted in tot_pages
 * (as Xen's stays in the domain's pages).  Linux's balloon gives
 * pages back whenever a back end or privcmd maps others' pages, and takes them back when it
 * has unmapped them: dom0 gets its memory back as it does on Xen.
 */

/* p2m_lock held: page gpa's bit in d->kept, if gpa is in d's banks. */
static bool kept_bit(const struct domain *d, uint64_t gpa, uint64_t *bit)
{
    uint64_t first = 0;
    for (unsigned b = 0; b < d->nr_ram; b++) {
        const struct mem_range *r = &d->ram[b];
        if (gpa >= r->base && gpa - r->base < r->size) {
            *bit = first + ((gpa - r->base) >> PAGE_SHIFT);
            return true;
        }
        first += r->size >> PAGE_SHIFT;
    }
    return false;
}

static bool is_kept(const struct domain *d, uint64_t gpa)
{
    uint64_t bit;
    return d->kept && kept_bit(d, gpa, &bit) && (d->kept[bit / 64] >> (bit % 64) & 1);
}

static void set_kept(struct domain *d, uint64_t gpa, bool on)
{
    uint64_t bit;
    if (!d->kept || !kept_bit(d, gpa, &bit))
        return;
    if (on)
        d->kept[bit / 64] |= 1ULL << (bit % 64);
    else
        d->kept[bit / 64] &= ~(1ULL << (bit % 64));
}

/* Whether kept page pa was touched: it holds the frame reference its mapping had.  A page
 * given back untouched holds none (untouched RAM has no frame references); it is mapped back
 * untouched, so that its first touch still zeroes it. */
static bool kept_held(paddr_t pa)
{
    struct frame_info fi;
    return frame_query(pa, &fi) && fi.refs;
}

/* p2m_lock held: put the references of the pages d keeps (it is dying), and forget them. */
static void put_kept(struct domain *d)
{
    uint64_t first = 0;
    for (unsigned b = 0; d->kept && b < d->nr_ram; b++) {
        uint64_t pages = d->ram[b].size >> PAGE_SHIFT;
        for (uint64_t i = 0; i < pages; i++) {
            uint64_t bit = first + i;
            paddr_t pa = d->ram[b].base + (i << PAGE_SHIFT);
            if (d->kept[bit / 64] >> (bit % 64) & 1) {
                if (kept_held(pa))
                    frame_put(pa, 1);
                else
                    page_free_range((void *)(uintptr_t)pa, 1);
                d->tot_pages--;
                d->mem_pages--;
            }
        }
        first += pages;
    }
}

void physmap_claim_overwritten(struct domain *d, struct gpa gpa, uint64_t len)
{
    /* Only while d cannot run: between this and the write, the leaves hold what their last
     * owner left there. */
    BUG_ON(READ_ONCE(d->state) != DOM_BUILDING);
    uint64_t end = gpa.a + len;
    BUG_ON(end < gpa.a);
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    for (uint64_t a = ALIGN_UP(gpa.a, PAGE_SIZE); a < end;) {
        struct leaf l = { .want = a };
        arch_p2m_walk(d, GPA(ALIGN_DOWN(a, LAZY_LEAF)), LAZY_LEAF, find_leaf, &l);
        if (!l.found) { /* a hole: the rest of this window takes the usual first touch */
            a = ALIGN_DOWN(a, LAZY_LEAF) + LAZY_LEAF;
            continue;
        }
        if (p2m_type_is_lazy(l.t) && l.gpa >= gpa.a && l.size <= end - l.gpa)
            claim_leaf(d, &l, false);
        a = l.gpa + l.size;
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
}

/* p2m_lock held: arch_p2m_lookup after touching gpa, so the answer is never untouched RAM. */
static int lookup_touched(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    enum p2m_type type;
    int rc = arch_p2m_lookup(d, gpa, pa, &type);
    if (!rc && p2m_type_is_lazy(type)) {
        touch(d, gpa.a);
        rc = arch_p2m_lookup(d, gpa, pa, &type);
    }
    if (t)
        *t = type;
    return rc;
}

/* What a page of type t is to everyone outside this file: untouched RAM is RAM. */
static enum p2m_type as_seen(enum p2m_type t)
{
    return p2m_type_is_lazy(t) ? P2M_RAM_RW : t;
}

/* Largest block order that fits the remaining size and the alignment of gpa. */
static unsigned block_order(uint64_t gpa, uint64_t remaining)
{
    unsigned order = PAGE_MAX_ORDER;
    while (order && ((PAGE_SIZE << order) > remaining || !IS_ALIGNED(gpa, PAGE_SIZE << order)))
        order--;
    return order;
}

struct release {
    struct domain *d;
    uint64_t lo, hi; /* the span of the leaves seen: lowest start to highest end */
    uint64_t pages;  /* in them */
};

/* arch_p2m_walk callback: put what the leaf held, noting the span of the leaves. */
static void drop_leaf(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    struct release *r = ctx;
    if (r->lo == r->hi) {
        r->lo = gpa.a;
        r->hi = gpa.a + size;
    }
    r->lo = MIN(r->lo, gpa.a);
    r->hi = MAX(r->hi, gpa.a + size);
    r->pages += size >> PAGE_SHIFT;
    drop_mapping(r->d, pa, size, t);
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

/* p2m_lock held: map a just-allocated block at [at, at + 2^order pages) untouched, as type t,
 * if d may have it.  The arch maps untouched RAM in leaves of at most LAZY_LEAF. */
static int populate_block(struct domain *d, uint64_t at, paddr_t pa, uint64_t pages,
                          enum p2m_type t)
{
    if (dying(d))
        return -ESRCH;
    uint64_t size = pages * PAGE_SIZE;
    if (d->tot_pages + pages > d->max_pages)
        return -ENOMEM;
    if (any_mapped(d, at, size))
        return -EEXIST;
    int rc = arch_p2m_map(d, GPA(at), pa, size, t); /* in leaves of at most LAZY_LEAF */
    if (rc) {
        arch_p2m_unmap(d, GPA(at), size); /* a partial map: none of it stays */
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
        /* Not zeroed here: the first touch does it (touch()). */
        void *p;
        bool zeroed;
        while (!(p = page_alloc_unzeroed(order, &zeroed)) && order)
            order--;
        if (!p)
            return -ENOMEM;
        uint64_t pages = 1UL << order;
        paddr_t pa = (paddr_t)(uintptr_t)p;
        unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
        int rc = populate_block(d, at, pa, pages, zeroed ? P2M_RAM_LAZY_CLEAN : P2M_RAM_LAZY);
        spin_unlock_irqrestore(&d->p2m_lock, flags);
        if (rc) {
            page_free(p, order);
            return rc;
        }
        at += pages * PAGE_SIZE;
    }
    return 0;
}

/* Add [base, base + size) to the banks: onto one it touches, else as a new one.  false if
 * there is no room for a new one. */
static bool add_bank(struct mem_range *banks, unsigned max, unsigned *nr, uint64_t base,
                     uint64_t size)
{
    for (unsigned i = 0; i < *nr; i++) {
        if (banks[i].base + banks[i].size == base) {
            banks[i].size += size;
            return true;
        }
        if (base + size == banks[i].base) {
            banks[i].base = base;
            banks[i].size += size;
            return true;
        }
    }
    if (*nr == max)
        return false;
    banks[(*nr)++] = (struct mem_range){ base, size };
    return true;
}

int physmap_populate_direct(struct domain *d, uint64_t size, struct mem_range *banks, unsigned max,
                            unsigned *nr)
{
    *nr = 0;
    if (!IS_ALIGNED(size, LAZY_LEAF) || !max)
        return -EINVAL;
    uint64_t left = size >> PAGE_SHIFT;
    unsigned order = PAGE_MAX_ORDER;
    while (left) {
        while ((1UL << order) > left)
            order--;
        void *p = NULL;
        bool zeroed;
        /* The largest blocks first, none below a LAZY_LEAF: few banks, mapped in large leaves. */
        while (!(p = page_alloc_unzeroed(order, &zeroed)) && (PAGE_SIZE << order) > LAZY_LEAF)
            order--;
        if (!p)
            return -ENOMEM;
        uint64_t pages = 1UL << order;
        paddr_t pa = (paddr_t)(uintptr_t)p;
        int rc = add_bank(banks, max, nr, pa, pages * PAGE_SIZE) ? 0 : -ENOMEM;
        if (!rc) {
            unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
            rc = populate_block(d, pa, pa, pages, zeroed ? P2M_RAM_LAZY_CLEAN : P2M_RAM_LAZY);
            spin_unlock_irqrestore(&d->p2m_lock, flags);
        }
        if (rc) {
            page_free(p, order);
            return rc;
        }
        left -= pages;
    }
    return 0;
}

int physmap_map_mmio(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size)
{
    if (!IS_ALIGNED(gpa.a | pa | size, PAGE_SIZE) || !size || gpa.a + size < gpa.a ||
        pa + size < pa)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) ? -ESRCH : any_mapped(d, gpa.a, size) ? -EEXIST : 0;
    if (!rc) {
        rc = arch_p2m_map(d, gpa, pa, size, P2M_MMIO);
        if (rc)
            arch_p2m_unmap(d, gpa, size); /* a partial map: none of it stays */
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
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
    int rc = dying(d) ? -ESRCH : had && !(types & P2M_BIT(as_seen(old_t))) ? -EBUSY : 0;
    /* RAM counts against the domain's allowance, whoever maps it. */
    if (!rc && is_ram(t) && !(had && is_ram(old_t)) && d->tot_pages >= d->max_pages)
        rc = -ENOMEM;
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
    if (!rc && !(types & P2M_BIT(as_seen(t))))
        rc = -ENOENT;
    if (!rc)
        rc = arch_p2m_unmap(d, gpa, PAGE_SIZE);
    if (!rc)
        drop_mapping(d, pa & PAGE_MASK, PAGE_SIZE, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    if (!rc && old_t)
        *old_t = p2m_type_is_lazy(t) ? P2M_RAM_RW : t; /* untouched RAM is RAM to everyone */
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
    /* A direct-mapped domain's first give-back makes the note of the pages it keeps. */
    uint64_t *kept = NULL;
    if (d->cfg.direct_map && !READ_ONCE(d->kept)) {
        uint64_t n = 0;
        for (unsigned b = 0; b < d->nr_ram; b++)
            n += d->ram[b].size >> PAGE_SHIFT;
        if (!(kept = heap_zalloc(ALIGN_UP(n, 64) / 8)))
            return -ENOMEM;
    }
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    if (kept && !d->kept && !dying(d)) {
        d->kept = kept; /* under the lock: physmap_release frees it under it */
        kept = NULL;
    }
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
        bool keep = d->kept && !rc && (pa & PAGE_MASK) == at && /* kept: direct-mapped */
                    (t == P2M_RAM_RW || p2m_type_is_lazy(t));
        if (!rc)
            rc = arch_p2m_unmap(d, GPA(at), PAGE_SIZE);
        if (!rc && keep)
            set_kept(d, at, true);
        else if (!rc)
            drop_mapping(d, pa, PAGE_SIZE, t);
    }
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    heap_free(kept); /* another call made the note first, or d is dying */
    return rc;
}

int physmap_take_back(struct domain *d, struct gpa gpa, uint64_t pages)
{
    uint64_t size = pages << PAGE_SHIFT;
    if (!IS_ALIGNED(gpa.a, PAGE_SIZE) || !pages || size >> PAGE_SHIFT != pages ||
        gpa.a + size < gpa.a)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) || !d->cfg.direct_map ? -EINVAL : 0;
    /* All of it first: each page its own RAM in place, or kept and still unmapped. */
    for (uint64_t at = gpa.a; !rc && at < gpa.a + size; at += PAGE_SIZE) {
        paddr_t pa;
        enum p2m_type t;
        if (!arch_p2m_lookup(d, GPA(at), &pa, &t))
            rc = is_ram(t) && (pa & PAGE_MASK) == at ? 0 : -EINVAL;
        else
            rc = is_kept(d, at) ? 0 : -EINVAL;
    }
    /* The reference the page kept is its mapping's again.  Mapping a page can need a table
     * page: -ENOMEM leaves the rest kept, to be taken back later. */
    for (uint64_t at = gpa.a; !rc && at < gpa.a + size; at += PAGE_SIZE) {
        if (!is_kept(d, at))
            continue;
        rc = arch_p2m_map(d, GPA(at), at, PAGE_SIZE, kept_held(at) ? P2M_RAM_RW : P2M_RAM_LAZY);
        if (!rc)
            set_kept(d, at, false);
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
    int rc = dying(d) ? -ENOENT : lookup_touched(d, gpa, pa, t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return rc;
}

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    enum p2m_type t;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) ? -ENOENT : lookup_touched(d, gpa, pa, &t);
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
    /* The first touch of untouched RAM, or a fault on a page that another vCPU touched first
     * meanwhile: the access runs again.  Nothing else tracks accesses yet (log-dirty for
     * migration, mem_access for introspection): any other fault is the guest's own. */
    enum p2m_type t;
    paddr_t pa;
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    int rc = dying(d) ? -ENOENT : lookup_touched(d, gpa, &pa, &t);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    if (rc)
        return false;
    return write ? (P2M_WRITABLE & P2M_BIT(t)) != 0 : t != P2M_NONE;
}

void physmap_settle(struct domain *d)
{
    /* Every change, and its break-before-make, is done under the lock. */
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
}

/* physmap_release empties the map a chunk at a time under the lock: the chunk holding the next
 * leaf, or that leaf alone if it is larger (a 1 GiB block), so that no block is ever split.
 * It gives back at most about RELEASE_STEP_PAGES pages a call before it returns for the caller
 * to take interrupts: a domain of many GiB in 4 KiB pages is a million frames to put, and 8192
 * pages took about 0.2 ms of machine time.  Empty space is passed over by the table's own
 * empty entries, whatever its size. */
#define RELEASE_CHUNK MiB(32)
#define RELEASE_STEP_PAGES 8192

int physmap_release(struct domain *d)
{
    BUG_ON(!dying(d)); /* so that nothing maps again once the map is emptied */
    unsigned long flags;
    if (!d->release_at) {
        flags = spin_lock_irqsave(&d->p2m_lock);
        put_kept(d);
        heap_free(d->kept);
        d->kept = NULL;
        spin_unlock_irqrestore(&d->p2m_lock, flags);
    }
    /* Dying: every other physmap call refuses, so the map only shrinks between chunks. */
    uint64_t end = arch_p2m_end(d), pages = 0;
    while (d->release_at < end) {
        struct gpa leaf;
        uint64_t size;
        flags = spin_lock_irqsave(&d->p2m_lock);
        if (!arch_p2m_first_leaf(d, GPA(d->release_at), end, &leaf, &size)) {
            spin_unlock_irqrestore(&d->p2m_lock, flags);
            d->release_at = end;
            break;
        }
        uint64_t at = size > RELEASE_CHUNK ? leaf.a : ALIGN_DOWN(leaf.a, RELEASE_CHUNK);
        uint64_t len = MAX(size, RELEASE_CHUNK);
        struct release r = { d, 0, 0, 0 };
        arch_p2m_walk(d, GPA(at), len, drop_leaf, &r);
        /* The entries go too, or a lookup until the address space goes would reach frames
         * given back (and touch untouched RAM the allocator has handed to someone else).  The
         * span starts and ends at leaf edges, so no block is split: this needs no memory. */
        if (r.hi != r.lo) {
            int rc = arch_p2m_unmap(d, GPA(r.lo), r.hi - r.lo);
            BUG_ON(rc);
        }
        spin_unlock_irqrestore(&d->p2m_lock, flags);
        d->release_at = at + len;
        pages += r.pages + 1;
        if (pages >= RELEASE_STEP_PAGES && d->release_at < end)
            return -ERESTART;
    }
    /* The root table goes with the address space (arch_domain_relinquish). */
    return 0;
}
