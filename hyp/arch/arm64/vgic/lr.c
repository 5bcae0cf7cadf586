/* SPDX-License-Identifier: Apache-2.0 */
/*
 * List-register contents (IHI 0069 12.5.6, and "Virtual interrupt handling" in the
 * virtualization chapter): before an entry, pick v's interrupts by priority and describe them;
 * after the exit, fold back what the guest did (acknowledge: pending -> active, EOI: active ->
 * inactive).  Works on v->arch.vgic's copy of the registers under the domain's vGIC lock; hw.c
 * moves the values to and from the hardware.
 *
 * Rules kept here: an interrupt sits in the list registers of at most one running vCPU
 * (lr_vcpu); one active on a vCPU stays in its list registers until deactivated; a hardware
 * (HW = 1) entry is never pending-and-active, because the physical interrupt carries only one
 * instance.
 */
#include "vgic_internal.h"

struct cand {
    struct vgic_irq *irq;
    unsigned intid;
    unsigned key;   /* lower first: active ones, then by priority */
    bool act, pend; /* active on / pending for the vCPU, as found */
};

/* Lock held.  v's view of irq: whether it is active on v / pending for v. */
static bool active_here(const struct vgic_irq *irq, const struct vcpu *v)
{
    return irq->active && irq->active_on == v->id;
}

static inline __attribute__((always_inline)) bool
pending_here(const struct vgic_dist *g, const struct vgic_irq *irq, const struct vcpu *v)
{
    /* An SPI active on another vCPU is not signalled until deactivated there. */
    return irq->target == v->id && vgic_irq_deliverable(g, irq) &&
           (!irq->active || irq->active_on == v->id);
}

/* Lock held.  Keep the physical link consistent with what the software state now says:
 * guest-written ICACTIVER/ICPENDR, or a new pending instance behind a linked active one.  Only
 * the vCPU the interrupt is with decides (an SPI: where it is active, else where it is routed). */
static void fix_link(struct vgic_irq *irq, unsigned intid, const struct vcpu *v, bool act,
                     bool pend)
{
    if (!irq->hw)
        return;
    if (intid >= VGIC_NR_PRIVATE && (irq->active ? irq->active_on : irq->target) != v->id)
        return;
    if (irq->hw_active ? (!act || pend) : !irq->latch)
        vgic_irq_unlink(irq);
}

/* Lock held.  The list-register value for irq on v; updates the latch bookkeeping. */
static inline __attribute__((always_inline)) uint64_t describe(struct vgic_cpu *c, unsigned slot,
                                                               struct vgic_irq *irq, unsigned intid,
                                                               bool act, bool pend)
{
    uint64_t lr =
        intid | (uint64_t)irq->priority << ICH_LR_PRIO_SHIFT | (irq->group1 ? ICH_LR_GROUP : 0);
    uint64_t hw = ICH_LR_HW | (uint64_t)irq->pintid << ICH_LR_PINTID_SHIFT;
    bool take = false;
    if (irq->hw && irq->hw_active) {
        lr |= ICH_LR_ACTIVE | hw;
    } else if (irq->hw && act) {
        /* A linked pending instance behind an unlinked active one: show the active one and
         * ask for a maintenance interrupt when the guest deactivates it. */
        lr |= ICH_LR_ACTIVE | ICH_LR_EOI;
    } else if (irq->hw) {
        lr |= ICH_LR_PENDING | hw;
        take = true;
    } else {
        lr |= (pend ? ICH_LR_PENDING : 0) | (act ? ICH_LR_ACTIVE : 0);
        take = pend && irq->latch;
    }
    if (take) {
        irq->latch = false;
        irq->lr_pending = true;
        c->took_latch |= (uint16_t)BIT(slot);
    }
    return lr;
}

/* What vgic_lr_fill gathers from the live interrupts. */
struct selection {
    struct cand best[VGIC_MAX_LRS];
    unsigned n, max, total;
};

/* select() once s is full: c replaces the worst kept one if it is better (lower key; equal
 * keys keep the lower INTID).  Out of line: most entries have room. */
static __attribute__((noinline)) void select_full(struct selection *s, struct cand c)
{
    unsigned worst = 0;
    for (unsigned i = 1; i < s->n; i++)
        if (s->best[i].key > s->best[worst].key ||
            (s->best[i].key == s->best[worst].key && s->best[i].intid > s->best[worst].intid))
            worst = i;
    if (s->n && c.key < s->best[worst].key)
        s->best[worst] = c;
}

/* Offer c to s.  While there is room it is simply kept: the CPU interface itself picks the
 * highest priority among the list registers, so their order does not matter. */
static inline void select(struct selection *s, struct cand c)
{
    s->total++;
    if (likely(s->n < s->max))
        s->best[s->n++] = c;
    else
        select_full(s, c);
}

/* Only when more were offered than kept: the kept ones by key, then INTID, so which ones wait
 * for the underflow refill is easy to see (and to test). */
static void sort_selection(struct selection *s)
{
    for (unsigned i = 1; i < s->n; i++) {
        struct cand c = s->best[i];
        unsigned j = i;
        while (j > 0 && (s->best[j - 1].key > c.key ||
                         (s->best[j - 1].key == c.key && s->best[j - 1].intid > c.intid))) {
            s->best[j] = s->best[j - 1];
            j--;
        }
        s->best[j] = c;
    }
}

/* Lock held.  Look at one live interrupt of v: keep its physical link consistent and, if it
 * belongs in v's list registers, describe it in *c.  Returns whether it does. */
static inline __attribute__((always_inline)) bool
candidate(struct vgic_dist *g, struct vcpu *v, unsigned intid, struct vgic_irq *irq, struct cand *c)
{
    if (irq->lr_vcpu != VGIC_NO_VCPU && irq->lr_vcpu != v->id)
        return false; /* another running vCPU has it; its exit gives it back */
    bool act = active_here(irq, v), pend = pending_here(g, irq, v);
    fix_link(irq, intid, v, act, pend);
    *c = (struct cand){ irq, intid, (act ? 0 : 0x100) | irq->priority, act, pend };
    return act || pend;
}

/* vgic_for_each_live callback of vgic_lr_fill (lock held): offer one live interrupt. */
static inline __attribute__((always_inline)) bool
consider(struct vgic_dist *g, struct vcpu *v, unsigned intid, struct vgic_irq *irq, void *arg)
{
    struct cand c;
    if (candidate(g, v, intid, irq, &c))
        select(arg, c);
    return !vgic_irq_idle(irq);
}

/* Lock held.  List register i of v gets candidate k. */
static inline void place(struct vgic_cpu *c, struct vcpu *v, unsigned i, const struct cand *k)
{
    /* act and pend still hold: fix_link changes only the physical link. */
    c->lr[i] = describe(c, i, k->irq, k->intid, k->act, k->pend);
    k->irq->lr_vcpu = (uint8_t)v->id;
    k->irq->lr_override = false;
}

/* Lock held.  The common entry with one interrupt in flight, one of v's own (a timer tick, an
 * SGI): the same choice as the general fill, without gathering and ordering candidates. */
static unsigned fill_one_private(struct vgic_dist *g, struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    unsigned intid = (unsigned)__builtin_ctz(c->live);
    struct vgic_irq *irq = &c->priv[intid];
    struct cand k;
    unsigned n = 0;
    c->took_latch = 0;
    if (candidate(g, v, intid, irq, &k)) {
        place(c, v, 0, &k);
        n = 1;
    }
    if (vgic_irq_idle(irq))
        c->live = 0;
    return n;
}

/* Lock held.  Any number of live interrupts: gather the candidates, keep the best that fit.
 * Returns how many were offered. */
static __attribute__((noinline)) unsigned fill_many(struct vgic_dist *g, struct vcpu *v,
                                                    unsigned max)
{
    struct vgic_cpu *c = &v->arch.vgic;
    /* Not zero-initialised as a whole: clearing best[] would be a memset on every entry. */
    struct selection s;
    s.n = s.total = 0;
    s.max = max;
    /* Only live interrupts can be pending or active: an entry looks at those, not at every
     * interrupt of the domain, since it follows every MMIO exit. */
    vgic_for_each_live(g, v, consider, &s);
    if (s.total > s.n)
        sort_selection(&s);
    c->took_latch = 0;
    for (unsigned i = 0; i < s.n; i++)
        place(c, v, i, &s.best[i]);
    c->nr_lr = s.n;
    return s.total;
}

void vgic_lr_fill(struct vcpu *v, unsigned nr_lrs)
{
    struct vgic_dist *g = vgic_of(v->dom);
    struct vgic_cpu *c = &v->arch.vgic;
    unsigned max = MIN(nr_lrs, (unsigned)VGIC_MAX_LRS), total;
    unsigned long flags = vgic_lock(g);
    uint32_t live = c->live;
    if (live && !(live & (live - 1)) && max && !vgic_spis_live(g))
        total = c->nr_lr = fill_one_private(g, v);
    else
        total = fill_many(g, v, max);
    vgic_unlock(g, flags);
    /* More than fits: the underflow maintenance interrupt (at most one entry left valid)
     * brings us back to refill.  It needs two registers, or it would fire at once. */
    c->hcr = ICH_HCR_EN | (total > c->nr_lr && max >= 2 ? ICH_HCR_UIE : 0);
}

/* The end of vgic_lr_fold when list registers gave back forwarded interrupts still pending
 * (mask: their INTIDs) or assigned SPIs (pt: the list registers that held them, which were
 * lr[] and are now now[]): let the links follow, sample the lines, then unlock and kick.  Out
 * of line, and reached by a tail call, so that the fold itself makes no call and needs no stack
 * frame (it runs on every virtual timer interrupt). */
static __attribute__((noinline)) void fold_end_slow(struct vcpu *v, const uint64_t *now,
                                                    uint32_t mask, uint32_t pt, unsigned long flags,
                                                    uint64_t kick)
{
    struct vgic_dist *g = vgic_of(v->dom);
    for (; pt; pt &= pt - 1) {
        unsigned i = (unsigned)__builtin_ctz(pt);
        uint64_t was = v->arch.vgic.lr[i];
        struct vgic_irq *irq = vgic_irq_get(g, NULL, (unsigned)(was & ICH_LR_VINTID_MASK));
        if (irq)
            vgic_spi_folded(irq, (was & ICH_LR_HW) && !(now[i] & (ICH_LR_PENDING | ICH_LR_ACTIVE)));
    }
    for (; mask; mask &= mask - 1) {
        unsigned i = (unsigned)__builtin_ctz(mask);
        vgic_irq_resample(v, i, &v->arch.vgic.priv[i]);
    }
    vgic_unlock(vgic_of(v->dom), flags);
    vgic_kick(v->dom, kick);
}

void vgic_lr_fold(struct vcpu *v, const uint64_t *now)
{
    struct vgic_dist *g = vgic_of(v->dom);
    struct vgic_cpu *c = &v->arch.vgic;
    uint64_t kick = 0;
    uint32_t again = 0; /* private interrupts whose line to sample again */
    uint32_t pt = 0;    /* list registers that held assigned SPIs */
    unsigned long flags = vgic_lock(g);
    for (unsigned i = 0; i < c->nr_lr; i++) {
        uint64_t was = c->lr[i], is = now[i];
        struct vgic_irq *irq = vgic_irq_get(g, v, (unsigned)(was & ICH_LR_VINTID_MASK));
        if (!irq)
            continue;
        bool taken = (was & ICH_LR_PENDING) && !(is & ICH_LR_PENDING); /* acknowledged */
        bool act = is & ICH_LR_ACTIVE;
        /* A latch the guest did not take goes back, unless ICPENDR cleared it meanwhile. */
        if ((c->took_latch & BIT(i)) && !taken && irq->lr_pending)
            irq->latch = true;
        irq->lr_pending = false;
        if (!irq->lr_override) {
            irq->active = act;
            irq->active_on = act ? (uint8_t)v->id : VGIC_NO_VCPU;
        }
        if (was & ICH_LR_HW) {
            if (!(is & (ICH_LR_PENDING | ICH_LR_ACTIVE)))
                irq->hw = irq->hw_active = false; /* the guest deactivated it, and pINTID */
            else if (act)
                irq->hw_active = true;
            else if ((was & ICH_LR_VINTID_MASK) < VGIC_NR_PRIVATE)
                again |= BIT(was & ICH_LR_VINTID_MASK); /* not taken: has its line dropped? */
        } else if ((was & ICH_LR_EOI) && !(is & (ICH_LR_PENDING | ICH_LR_ACTIVE))) {
            /* The guest ended an active instance with a linked pending one behind it.  That
             * one stood for the physical line as it was when taken, and a level-sensitive line
             * may have dropped since (a timer its handler switched off): without its latch,
             * the next fill ends the link (fix_link), and the line, if still asserted, raises
             * a new physical interrupt, as the GIC would.  An edge is not the line's level:
             * it stays pending and is delivered next. */
            if (!irq->edge)
                irq->latch = false;
        }
        irq->lr_vcpu = VGIC_NO_VCPU;
        irq->lr_override = false;
        if (unlikely(irq->assigned))
            pt |= (uint32_t)BIT(i); /* a host SPI's link: followed after the loop */
        if (irq->target != v->id && irq->target != VGIC_NO_VCPU && !irq->active &&
            vgic_irq_deliverable(g, irq))
            kick |= BIT(irq->target); /* an SPI now free to go where IROUTER points */
    }
    c->nr_lr = 0;
    c->took_latch = 0;
    if (unlikely(again | pt)) {
        fold_end_slow(v, now, again, pt, flags, kick);
        return;
    }
    vgic_unlock(g, flags);
    vgic_kick(v->dom, kick);
}

void vgic_lr_unlink_private(struct vcpu *v)
{
    /* A linked interrupt is never idle (vgic_irq_idle), so it is among v's live ones; and only
     * v's own pCPU, this one, links v's private interrupts, so a look without the lock cannot
     * miss one.  Most switches find none and take no lock. */
    if (!READ_ONCE(v->arch.vgic.live))
        return;
    struct vgic_dist *g = vgic_of(v->dom);
    unsigned long flags = vgic_lock(g);
    for (uint32_t m = v->arch.vgic.live; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctz(m);
        struct vgic_irq *irq = &v->arch.vgic.priv[i];
        if (!irq->hw)
            continue;
        /* The physical PPI is banked in this pCPU and v may run elsewhere next.  An instance
         * the guest has not taken is dropped: the level-sensitive line raises it again. */
        if (!irq->hw_active)
            irq->latch = false;
        vgic_irq_unlink(irq);
    }
    vgic_unlock(g, flags);
}
