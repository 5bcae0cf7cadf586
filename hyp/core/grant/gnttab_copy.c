/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant copy: one gnttab_copy element, each end a grant reference of another (or the same)
 * domain or a frame of the caller's own RAM.  A grant end is pinned for the copy (GTF_reading
 * at the source, GTF_writing at the destination, as the granter sees them); an own frame is
 * held by a reference.  No lock is held while the bytes move.  Checks follow Xen's order:
 * both domains, then the source, the destination, and last the ranges.
 */
#include <hyp/arch/mm.h>
#include <hyp/frame.h>
#include <hyp/physmap.h>
#include <hyp/string.h>

#include "gnttab_internal.h"

struct copy_end {
    struct domain *d; /* a grant end's granter (referenced), NULL for an own frame */
    grant_ref_t ref;
    bool write;
    bool held; /* pa is pinned (grant) or referenced (own frame) */
    paddr_t pa;
};

/* Phase 1: the domain of one end. */
static int16_t end_domain(struct domain *ld, const struct gnttab_copy_ptr *p, bool gref,
                          struct copy_end *e)
{
    if (!gref) /* only the caller's own frames go by frame number */
        return p->domid == DOMID_SELF ? GNTST_okay : GNTST_permission_denied;
    e->d = gnt_domain(ld, p->domid, true);
    e->ref = p->u.ref;
    return e->d ? GNTST_okay : GNTST_bad_domain;
}

/* Phase 2: the frame of one end. */
static int16_t end_frame(struct domain *ld, const struct gnttab_copy_ptr *p, struct copy_end *e)
{
    int16_t st;
    if (e->d) {
        st = gnt_pin(e->d, e->ref, (domid_t)ld->id, e->write, false, &e->pa);
    } else {
        unsigned types = e->write ? P2M_BIT(P2M_RAM_RW) : P2M_ANY_RAM;
        bool ok = p->u.gmfn <= (~0UL >> PAGE_SHIFT) &&
                  !physmap_get_frame(ld, GPA(p->u.gmfn << PAGE_SHIFT), types, &e->pa);
        st = ok ? GNTST_okay : GNTST_bad_page;
        e->pa &= PAGE_MASK;
    }
    e->held = st == GNTST_okay;
    return st;
}

/* The bytes of one copy.  The ends are different frames or the same frame (both ends may be
 * one grant), so an overlap is handled by memmove; anything else, mostly whole pages (back
 * ends' 4 KiB segments and packets), takes the arch's bulk copy. */
static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    if (d < s + n && s < d + n)
        memmove(d, s, n);
    else
        arch_copy_memory(d, s, n);
}

static void end_release(struct copy_end *e)
{
    if (e->held && e->d)
        gnt_unpin(e->d, e->ref, e->write);
    else if (e->held)
        frame_put(e->pa, 1);
    if (e->d)
        domain_put(e->d);
}

int16_t gnttab_copy(struct domain *ld, const struct gnttab_copy *op)
{
    struct copy_end src = { .write = false }, dst = { .write = true };
    int16_t st = end_domain(ld, &op->source, op->flags & GNTCOPY_source_gref, &src);
    if (st == GNTST_okay)
        st = end_domain(ld, &op->dest, op->flags & GNTCOPY_dest_gref, &dst);
    if (st == GNTST_okay)
        st = end_frame(ld, &op->source, &src);
    if (st == GNTST_okay)
        st = end_frame(ld, &op->dest, &dst);
    if (st == GNTST_okay &&
        (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE))
        st = GNTST_bad_copy_arg;
    if (st == GNTST_okay)
        copy_bytes((uint8_t *)(uintptr_t)(dst.pa + op->dest.offset),
                   (const uint8_t *)(uintptr_t)(src.pa + op->source.offset), op->len);
    end_release(&dst);
    end_release(&src);
    return st;
}
