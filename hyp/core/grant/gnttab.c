/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables: each domain's table (frames from the page allocator, owned by the domain as
 * FRAME_SHARED, grown on demand up to its limit), the pin state of its entries, and the
 * operations on the table itself: query_size, setup_table, versions, swap, dump, cache_flush.
 * gt->lock guards the frames, the size and every entry's pin state (<hyp/gnttab.h> has the
 * order).  Mapping is in gnttab_map.c, copying in gnttab_copy.c; neither reads guest pointers.
 */
#include <hyp/arch/mm.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/heap.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/policy.h>
#include <hyp/string.h>

#include "gnttab_internal.h"

/* Xen gives up on an entry whose flags keep changing under its compare-and-swap. */
#define PIN_TRIES 5

/* --- frames and growth --- */

/* gt->lock held: grow gt to nr frames (nr <= max_frames).  Frames added before a failure stay. */
static int grow(struct gnttab *gt, uint32_t nr, uint16_t owner)
{
    while (gt->nr_frames < nr) {
        /* Cleaned too: the guest may map it before turning its caches on. */
        struct grant_entry_v1 *shared = page_alloc_guest(0);
        struct gnt_active *act = page_zalloc(GNT_ACTIVE_ORDER);
        if (!shared || !act) {
            page_free(shared, 0);
            page_free(act, GNT_ACTIVE_ORDER);
            return -ENOMEM;
        }
        frame_assign((paddr_t)(uintptr_t)shared, 1, owner, FRAME_SHARED);
        gt->shared[gt->nr_frames] = shared;
        gt->active[gt->nr_frames] = act;
        gt->gfn[gt->nr_frames] = GNTTAB_INVALID_GFN;
        WRITE_ONCE(gt->nr_frames, gt->nr_frames + 1);
    }
    return 0;
}

/* Everything gt holds; copes with a table half set up. */
static void table_free(struct gnttab *gt)
{
    gnt_maptrack_free(&gt->mt);
    for (uint32_t i = 0; i < gt->nr_frames; i++) {
        frame_put((paddr_t)(uintptr_t)gt->shared[i], 1);
        page_free(gt->active[i], GNT_ACTIVE_ORDER);
    }
    heap_free(gt->shared);
    heap_free(gt->active);
    heap_free(gt->gfn);
    heap_free(gt);
}

int gnttab_domain_init(struct domain *d)
{
    uint32_t frames = d->cfg.max_grant_frames ?: GNTTAB_DEFAULT_MAX_FRAMES;
    uint32_t mt_frames = d->cfg.max_maptrack_frames ?: GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES;
    if (mt_frames == GNTTAB_NO_MAPTRACK)
        mt_frames = 0;
    if (frames > GNTTAB_MAX_FRAMES_LIMIT || mt_frames > GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT)
        return -EINVAL;
    struct gnttab *gt = heap_zalloc(sizeof(*gt));
    if (!gt)
        return -ENOMEM;
    gt->lock = SPINLOCK_INIT;
    gt->max_frames = frames;
    gt->shared = heap_zalloc(frames * sizeof(*gt->shared));
    gt->active = heap_zalloc(frames * sizeof(*gt->active));
    gt->gfn = heap_zalloc(frames * sizeof(*gt->gfn));
    int rc = gt->shared && gt->active && gt->gfn ? 0 : -ENOMEM;
    if (!rc)
        rc = gnt_maptrack_init(&gt->mt, mt_frames);
    /* One frame from the start, as Xen: the domain builder's entries 0 and 1 live there. */
    if (!rc)
        rc = grow(gt, 1, (uint16_t)d->id);
    if (rc) {
        table_free(gt);
        return rc;
    }
    /* Published whole: other domains may look d up (gnt_domain) as soon as it is listed. */
    __atomic_store_n(&d->gnttab, gt, __ATOMIC_RELEASE);
    return 0;
}

void gnttab_domain_kill(struct domain *d)
{
    struct gnttab *gt = d->gnttab;
    if (!gt)
        return;
    /* Under the lock: a pin that saw the table alive finishes with the granter's memory map
     * before physmap_release empties it. */
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    gt->dying = true;
    spin_unlock_irqrestore(&gt->lock, flags);
    gnt_maptrack_release(d);
}

void gnttab_domain_free(struct domain *d)
{
    /* No pin is left: each holds a reference on d, and this was the last one. */
    if (d->gnttab)
        table_free(d->gnttab);
    d->gnttab = NULL;
}

int gnttab_frame_for_map(struct domain *d, uint64_t idx, paddr_t *pa)
{
    struct gnttab *gt = d->gnttab;
    if (!gt || idx >= gt->max_frames)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    int rc = gt->dying ? -EINVAL : grow(gt, (uint32_t)idx + 1, (uint16_t)d->id);
    if (!rc)
        *pa = (paddr_t)(uintptr_t)gt->shared[idx];
    spin_unlock_irqrestore(&gt->lock, flags);
    return rc;
}

uint64_t gnttab_note_frame_gfn(struct domain *d, uint64_t idx, uint64_t gfn)
{
    struct gnttab *gt = d->gnttab;
    uint64_t old = GNTTAB_INVALID_GFN;
    if (!gt)
        return old;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    if (idx < gt->nr_frames) {
        old = gt->gfn[idx];
        gt->gfn[idx] = gfn;
    }
    spin_unlock_irqrestore(&gt->lock, flags);
    return old;
}

/* --- pinning (xen-abi-facts D.1) --- */

static struct grant_entry_v1 *entry(struct gnttab *gt, grant_ref_t ref)
{
    return &gt->shared[ref / GNT_PER_FRAME][ref % GNT_PER_FRAME];
}

static struct gnt_active *active(struct gnttab *gt, grant_ref_t ref)
{
    return &gt->active[ref / GNT_PER_FRAME][ref % GNT_PER_FRAME];
}

/* The entry's flags and domid are one 32-bit word (flags in the low half): the granter may
 * change them at any time, so they are checked and marked in one compare-and-swap. */
static uint32_t *entry_word(struct grant_entry_v1 *e)
{
    return (uint32_t *)(void *)e;
}

/* gt->lock held: mark the entry in use (GTF_reading, and GTF_writing to write) if the granter
 * allows it.  An entry already pinned was checked for type and grantee when it was first
 * pinned; a writable pin is still refused on an entry the granter made read-only. */
static int16_t mark_in_use(struct grant_entry_v1 *e, bool first, domid_t ld_id, bool write,
                           bool map)
{
    /* GTF_sub_page means nothing in version 1: a map refuses an entry with it set, as Xen. */
    uint16_t type_mask = (uint16_t)(GTF_type_mask | (map ? GTF_sub_page : 0));
    uint32_t old = __atomic_load_n(entry_word(e), __ATOMIC_ACQUIRE);
    for (unsigned tries = 0; tries < PIN_TRIES; tries++) {
        uint16_t f = (uint16_t)old, domid = (uint16_t)(old >> 16);
        if (first && ((f & type_mask) != GTF_permit_access || domid != ld_id))
            return GNTST_general_error;
        if (write && (f & GTF_readonly))
            return GNTST_general_error;
        uint32_t want = old | GTF_reading | (write ? GTF_writing : 0);
        if (__atomic_compare_exchange_n(entry_word(e), &old, want, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return GNTST_okay;
    }
    return GNTST_general_error; /* the granter keeps changing it */
}

/* gt->lock held, first pin: a reference on the granted frame, read-only or writable RAM of
 * rd.  The entry's frame is read once here; later pins use what was found. */
static int16_t capture_frame(struct domain *rd, struct grant_entry_v1 *e, struct gnt_active *a)
{
    uint64_t gpa = (uint64_t)READ_ONCE(e->frame) << PAGE_SHIFT;
    paddr_t pa;
    if (!physmap_get_frame(rd, GPA(gpa), P2M_BIT(P2M_RAM_RW), &pa)) {
        a->ro_frame = false;
    } else if (!physmap_get_frame(rd, GPA(gpa), P2M_BIT(P2M_RAM_RO), &pa)) {
        a->ro_frame = true;
    } else {
        return GNTST_bad_page;
    }
    a->pa = pa & PAGE_MASK;
    return GNTST_okay;
}

int16_t gnt_pin(struct domain *rd, grant_ref_t ref, domid_t ld_id, bool write, bool map,
                paddr_t *pa)
{
    struct gnttab *gt = rd->gnttab;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    int16_t st = GNTST_okay;
    if (gt->dying) {
        st = GNTST_bad_domain;
        goto out;
    }
    if (ref >= gt->nr_frames * GNT_PER_FRAME) {
        st = GNTST_bad_gntref;
        goto out;
    }
    struct grant_entry_v1 *e = entry(gt, ref);
    struct gnt_active *a = active(gt, ref);
    bool first = a->pins == 0;
    if (!first && (a->domid != ld_id || a->pins == UINT16_MAX)) {
        st = GNTST_general_error; /* in use by another domain, or the count would overflow */
        goto out;
    }
    /* The flags first, as Xen: a revoked or foreign entry is refused whatever its frame says,
     * and the frame, written before the flags, is read after they were seen. */
    if (!first && write && a->ro_frame)
        st = GNTST_general_error;
    else if (first || (write && !a->wpins))
        st = mark_in_use(e, first, ld_id, write, map);
    if (st == GNTST_okay && first) {
        st = capture_frame(rd, e, a);
        if (st == GNTST_okay && write && a->ro_frame) {
            frame_put(a->pa, 1);
            st = GNTST_general_error;
        }
        if (st != GNTST_okay) /* no other pin: the marks are this one's alone */
            __atomic_fetch_and(&e->flags, (uint16_t) ~(GTF_reading | GTF_writing),
                               __ATOMIC_RELEASE);
    }
    if (st != GNTST_okay)
        goto out;
    a->domid = ld_id;
    a->pins++;
    a->wpins += write;
    *pa = a->pa;
out:
    spin_unlock_irqrestore(&gt->lock, flags);
    return st;
}

void gnt_unpin(struct domain *rd, grant_ref_t ref, bool write)
{
    struct gnttab *gt = rd->gnttab;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    struct gnt_active *a = active(gt, ref);
    BUG_ON(!a->pins || (write && !a->wpins));
    a->pins--;
    a->wpins -= write;
    uint16_t clear = (uint16_t)((a->wpins ? 0 : GTF_writing) | (a->pins ? 0 : GTF_reading));
    __atomic_fetch_and(&entry(gt, ref)->flags, (uint16_t)~clear, __ATOMIC_RELEASE);
    if (!a->pins)
        frame_put(a->pa, 1);
    spin_unlock_irqrestore(&gt->lock, flags);
}

struct domain *gnt_domain(struct domain *ld, domid_t dom, bool self_ok)
{
    if (self_ok && dom == DOMID_SELF) {
        domain_ref(ld);
        return ld;
    }
    return domain_get(dom); /* a domain still being built is not given out */
}

/* A reference to dom if ld may act on it (setup_table, query_size, ...): NULL with *st. */
static struct domain *target(struct domain *ld, domid_t dom, int16_t *st)
{
    struct domain *d = gnt_domain(ld, dom, true);
    if (!d) {
        *st = GNTST_bad_domain;
    } else if (!policy_may_target(ld, d)) {
        domain_put(d);
        d = NULL;
        *st = GNTST_permission_denied;
    }
    return d;
}

/* --- operations on a table --- */

void gnttab_query_size(struct domain *ld, struct gnttab_query_size *op)
{
    struct domain *d = target(ld, op->dom, &op->status);
    if (!d)
        return;
    struct gnttab *gt = d->gnttab;
    op->nr_frames = READ_ONCE(gt->nr_frames);
    op->max_nr_frames = gt->max_frames;
    op->status = GNTST_okay;
    domain_put(d);
}

int16_t gnttab_setup_table(struct domain *ld, domid_t dom, uint32_t nr,
                           int (*emit)(void *ctx, uint32_t i, uint64_t gfn), void *ctx)
{
    int16_t st;
    struct domain *d = target(ld, dom, &st);
    if (!d)
        return st;
    struct gnttab *gt = d->gnttab;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    bool ok = nr <= gt->max_frames && !gt->dying && !grow(gt, nr, (uint16_t)d->id);
    spin_unlock_irqrestore(&gt->lock, flags);
    st = ok ? GNTST_okay : GNTST_general_error;
    for (uint32_t i = 0; ok && i < nr; i++) {
        uint64_t gfn = READ_ONCE(gt->gfn[i]);
        if (emit(ctx, i, gfn))
            st = GNTST_bad_virt_addr;
    }
    domain_put(d);
    return st;
}

long gnttab_set_version(struct domain *ld, uint32_t *version)
{
    uint32_t asked = *version;
    *version = 1;
    if (asked != 1 && asked != 2)
        return -EINVAL;
    return asked == 2 ? -ENOSYS : 0;
}

long gnttab_get_version(struct domain *ld, struct gnttab_get_version *op)
{
    struct domain *d = gnt_domain(ld, op->dom, true);
    if (!d)
        return -ESRCH;
    bool may = policy_may_target(ld, d);
    domain_put(d);
    if (!may)
        return -EPERM;
    op->version = 1;
    return 0;
}

int16_t gnttab_get_status_frames(struct domain *ld, domid_t dom, uint32_t nr)
{
    int16_t st;
    struct domain *d = target(ld, dom, &st);
    if (!d)
        return st;
    domain_put(d);
    return nr ? GNTST_general_error : GNTST_okay; /* version 1 has no status frames */
}

int16_t gnttab_dump_table(struct domain *ld, domid_t dom)
{
    int16_t st;
    struct domain *d = target(ld, dom, &st);
    if (!d)
        return st;
    struct gnttab *gt = d->gnttab;
    unsigned pinned = 0;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    for (uint32_t ref = 0; ref < gt->nr_frames * GNT_PER_FRAME; ref++)
        pinned += active(gt, ref)->pins != 0;
    uint32_t nr = gt->nr_frames;
    spin_unlock_irqrestore(&gt->lock, flags);
    guest_warn(
        ld, "domain %s: grant table of domain %u: version 1, %u of %u frames, %u entries in use\n",
        ld->name, d->id, nr, gt->max_frames, pinned);
    domain_put(d);
    return GNTST_okay;
}

int16_t gnttab_swap(struct domain *ld, grant_ref_t a, grant_ref_t b)
{
    struct gnttab *gt = ld->gnttab;
    int16_t st = GNTST_okay;
    unsigned long flags = spin_lock_irqsave(&gt->lock);
    uint32_t n = gt->nr_frames * GNT_PER_FRAME;
    if (a >= n || b >= n) {
        st = GNTST_bad_gntref;
    } else if (a != b) {
        if (active(gt, a)->pins || active(gt, b)->pins) {
            st = GNTST_eagain;
        } else {
            /* The guest may write either entry meanwhile: each moves as one 64-bit word. */
            uint64_t *ea = (uint64_t *)(void *)entry(gt, a), *eb = (uint64_t *)(void *)entry(gt, b);
            uint64_t va = __atomic_load_n(ea, __ATOMIC_RELAXED);
            __atomic_store_n(ea, __atomic_exchange_n(eb, va, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
        }
    }
    spin_unlock_irqrestore(&gt->lock, flags);
    return st;
}

long gnttab_cache_flush(struct domain *ld, const struct gnttab_cache_flush *op)
{
    /* Xen 4.17's checks, in its order: GNTTAB_CACHE_SOURCE_GREF is not implemented there and
     * falls to the first one. */
    if ((op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)) || op->offset >= PAGE_SIZE ||
        op->length > PAGE_SIZE || op->offset + op->length > PAGE_SIZE)
        return -EINVAL;
    if (!op->length || !op->op)
        return 0; /* Linux's probe: all zero */
    paddr_t pa = op->a.dev_bus_addr & PAGE_MASK;
    struct frame_info fi;
    if (!frame_query(pa, &fi))
        return -EINVAL; /* not RAM */
    if (!frame_get(pa, (uint16_t)ld->id)) {
        if (!fi.refs)
            return -EPERM; /* nobody's: free, or Keel's own */
        if (!gnt_mapped_by(ld, pa))
            return -EINVAL; /* another domain's, not granted to ld */
    }
    void *p = (void *)(uintptr_t)(pa + op->offset);
    /* An invalidate also cleans: discarding lines could lose what the owner wrote. */
    if (op->op & GNTTAB_CACHE_INVAL)
        arch_clean_inval_dcache(p, op->length);
    else
        arch_clean_dcache(p, op->length);
    frame_put(pa, 1);
    return 0;
}
