/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vGIC state: per-domain distributor and per-vCPU private interrupts, injection from any pCPU,
 * SGI generation, routing.  One lock per domain (struct vgic_dist.lock) guards every interrupt
 * of it; vcpu_kick is always called after dropping it.  No hardware access here (hw.c).
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/irq.h>

#include "vgic_internal.h"

/* The sources of private interrupts that can say their line level (vgic_set_sampler), the
 * same for every vCPU of every domain; bit n of `sampled`: samplers[n] is set. */
static vgic_sample_fn samplers[VGIC_NR_PRIVATE];
static uint32_t sampled;

void vgic_kick(struct domain *d, uint64_t mask)
{
    for (unsigned i = 0; mask && i < d->nr_vcpus; i++, mask >>= 1)
        if ((mask & 1) && d->vcpus[i])
            vcpu_kick(d->vcpus[i]);
}

/* GICD_IROUTER (IHI 0069 12.9.22): Interrupt_Routing_Mode (bit 31) = 1 lets the GIC choose;
 * Keel picks vCPU 0.  Otherwise Aff3.Aff2.Aff1.Aff0 name one vCPU, or none. */
unsigned vgic_route_target(const struct domain *d, unsigned nr_vcpus, uint64_t irouter)
{
    if (irouter & BIT(31))
        return 0;
    uint64_t aff = ((irouter >> 32) & 0xff) << 32 | (irouter & 0xffffff);
    for (unsigned i = 0; i < nr_vcpus && i < d->nr_vcpus; i++)
        if (d->vcpus[i] && arch_vcpu_hwid(d->vcpus[i]) == aff)
            return i;
    return VGIC_NO_VCPU;
}

static void irq_reset(struct vgic_irq *irq, unsigned target, bool edge)
{
    *irq = (struct vgic_irq){
        .target = (uint8_t)target,
        .active_on = VGIC_NO_VCPU,
        .lr_vcpu = VGIC_NO_VCPU,
        .group1 = true, /* what every OS sets; saves bare-metal guests a step */
        .edge = edge,
    };
}

int vgic_domain_init(struct domain *d, unsigned nr_spis)
{
    int rc = vgic_hw_init();
    if (rc)
        return rc;
    nr_spis = MIN(ALIGN_UP(MAX(nr_spis, 32u), 32u), (unsigned)VGIC_MAX_SPIS);
    struct vgic_dist *g = heap_zalloc(sizeof(*g));
    if (!g)
        return -ENOMEM;
    d->arch.vgic = g;
    g->lock = SPINLOCK_INIT;
    g->d = d;
    g->nr_spis = nr_spis;
    g->nr_vcpus = d->cfg.nr_vcpus;
    g->typer = vgic_dist_typer(g);
    g->spis = heap_zalloc(nr_spis * sizeof(*g->spis));
    g->irouter = heap_zalloc(nr_spis * sizeof(*g->irouter));
    if (!g->spis || !g->irouter)
        return -ENOMEM;
    /* SPIs start routed to vCPU 0 (IROUTER reset value is UNKNOWN; 0 names Aff 0.0.0.0). */
    for (unsigned i = 0; i < nr_spis; i++)
        irq_reset(&g->spis[i], 0, false);
    /* A direct-mapped domain (dom0) finds its interrupt controller where the host's is. */
    g->dist_base = VGIC_DIST_BASE;
    g->redist_base = VGIC_REDIST_BASE;
    if (d->cfg.direct_map)
        irqchip_host_frames(&g->dist_base, &g->redist_base);
    rc = vmmio_register(d, g->dist_base, VGIC_DIST_SIZE, &vgic_dist_ops, g);
    if (rc)
        return rc;
    return vmmio_register(d, g->redist_base, VGIC_REDIST_STRIDE * g->nr_vcpus, &vgic_redist_ops, g);
}

void vgic_frames(const struct domain *d, uint64_t *dist, uint64_t *redist)
{
    *dist = d->arch.vgic->dist_base;
    *redist = d->arch.vgic->redist_base;
}

void vgic_domain_destroy(struct domain *d)
{
    struct vgic_dist *g = d->arch.vgic;
    if (!g)
        return;
    heap_free(g->spis);
    heap_free(g->irouter);
    heap_free(g);
    d->arch.vgic = NULL;
}

int vgic_vcpu_init(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    if (v->id >= VGIC_NO_VCPU)
        return -EINVAL;
    for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
        irq_reset(&c->priv[i], v->id, i < 16); /* SGIs are always edge-triggered */
    c->live = 0;
    c->waker = 1u << 1; /* ProcessorSleep: the guest wakes its redistributor */
    c->nr_lr = 0;
    c->hw_lrs = 0;
    c->took_latch = 0;
    c->hcr = 0;
    c->vmcr = 0;
    return 0;
}

void vgic_vcpu_destroy(struct vcpu *v)
{
}

/* Lock held.  Latch or drive irq, the interrupt intid of v; adds to *kick the vCPUs that
 * must look. */
static void set_line(struct vgic_dist *g, struct vcpu *v, unsigned intid, struct vgic_irq *irq,
                     bool pulse, bool level, uint64_t *kick)
{
    if (pulse) {
        irq->latch = true;
    } else {
        if (irq->edge && level && !irq->level)
            irq->latch = true; /* rising edge */
        if (irq->level == level)
            return;
        irq->level = level;
    }
    vgic_irq_changed(g, v, intid, irq, kick);
}

static void drive(struct domain *d, struct vcpu *v, unsigned intid, bool pulse, bool level)
{
    struct vgic_dist *g = vgic_of(d);
    if (!g)
        return;
    uint64_t kick = 0;
    unsigned long flags = vgic_lock(g);
    struct vgic_irq *irq = vgic_irq_get(g, v, intid);
    if (irq)
        set_line(g, v, intid, irq, pulse, level, &kick);
    vgic_unlock(g, flags);
    if (!irq)
        guest_debug(d, "vgic: domain %u has no interrupt %u%s\n", d->id, intid,
                    intid < VGIC_NR_PRIVATE && !v ? " (no vCPU given)" : "");
    vgic_kick(d, kick);
}

void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid)
{
    drive(d, v, intid, true, false);
}

void vgic_set_level(struct domain *d, struct vcpu *v, unsigned intid, bool level)
{
    drive(d, v, intid, false, level);
}

/* Link irq (vintid of v) to pintid and make it pending; returns the vCPUs to kick.  Inline,
 * so that a caller that ignores the result does not compute it. */
static inline __attribute__((always_inline)) uint64_t
link_hw(struct vgic_dist *g, struct vcpu *v, unsigned vintid, struct vgic_irq *irq, unsigned pintid)
{
    uint64_t kick = 0;
    unsigned long flags = vgic_lock(g);
    /* The physical interrupt stays active until deactivated, so it cannot arrive again while
     * linked; a second link would be a Keel bug. */
    BUG_ON(irq->hw && irq->pintid != pintid);
    irq->hw = true;
    irq->hw_active = false;
    irq->pintid = (uint16_t)pintid;
    irq->latch = true;
    vgic_irq_changed(g, v, vintid, irq, &kick);
    vgic_unlock(g, flags);
    return kick;
}

bool vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid)
{
    struct vgic_dist *g = vgic_of(v->dom);
    /* A private interrupt needs no kick: v is current here, in its exit path, and its next
     * vgic_flush takes the interrupt.  An SPI may be routed to, or held by, another vCPU. */
    if (vintid < VGIC_NR_PRIVATE) {
        (void)link_hw(g, v, vintid, &v->arch.vgic.priv[vintid], pintid);
        return true;
    }
    struct vgic_irq *irq = vgic_irq_get(g, v, vintid);
    if (!irq)
        return false;
    vgic_kick(v->dom, link_hw(g, v, vintid, irq, pintid));
    return true;
}

void vgic_set_sampler(unsigned intid, vgic_sample_fn fn)
{
    if (intid >= VGIC_NR_PRIVATE)
        return;
    samplers[intid] = fn;
    sampled = fn ? sampled | BIT(intid) : sampled & ~BIT(intid);
}

void vgic_irq_resample(struct vcpu *v, unsigned intid, struct vgic_irq *irq)
{
    if (intid >= VGIC_NR_PRIVATE || !(sampled & BIT(intid)) || irq->edge ||
        samplers[intid](v, intid))
        return;
    irq->level = false;
    /* A forwarded instance the guest has not acknowledged stood for the line: it goes, and
     * the physical interrupt is deactivated so that the line's next rise comes in.  One the
     * guest acknowledged stays active until it deactivates it, as on hardware.  On an
     * unlinked interrupt, a latch (an ISPENDR write) is not the line's and stays. */
    if (irq->hw && !irq->hw_active) {
        irq->latch = false;
        vgic_irq_unlink(irq);
    }
}

void vgic_resample(struct vgic_dist *g, struct vcpu *v, uint32_t mask)
{
    mask &= sampled;
    if (!mask)
        return;
    unsigned long flags = vgic_lock(g);
    for (; mask; mask &= mask - 1) {
        unsigned i = (unsigned)__builtin_ctz(mask);
        vgic_irq_resample(v, i, &v->arch.vgic.priv[i]);
    }
    vgic_unlock(g, flags);
}

/* vgic_for_each_live callback of vgic_pending: arg is a bool set when one is found. */
static bool check_pending(struct vgic_dist *g, struct vcpu *v, unsigned intid, struct vgic_irq *irq,
                          void *arg)
{
    /* An active interrupt is not signalled again until deactivated. */
    if (irq->target == v->id && !irq->active && vgic_irq_deliverable(g, irq))
        *(bool *)arg = true;
    return !vgic_irq_idle(irq);
}

bool vgic_pending(struct vcpu *v)
{
    struct vgic_dist *g = vgic_of(v->dom);
    bool found = false;
    unsigned long flags = vgic_lock(g);
    vgic_for_each_live(g, v, check_pending, &found);
    vgic_unlock(g, flags);
    return found;
}

/* ICC_SGI1R_EL1 (IHI 0069 12.2.23): TargetList[15:0], Aff1[23:16], INTID[27:24], Aff2[39:32],
 * IRM[40], RS[47:44], Aff3[55:48].  IRM = 1: every PE but the sender.  Otherwise the PEs with
 * Aff3.Aff2.Aff1 and Aff0 = RS * 16 + n for each bit n set in TargetList. */
uint64_t vgic_sgi1r_targets(const struct vcpu *v, uint64_t val, unsigned *sgi)
{
    const struct domain *d = v->dom;
    uint64_t upper =
        ((val >> 48) & 0xff) << 32 | ((val >> 32) & 0xff) << 16 | ((val >> 16) & 0xff) << 8;
    unsigned rs = (val >> 44) & 0xf;
    uint64_t mask = 0;
    *sgi = (val >> 24) & 0xf;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *w = d->vcpus[i];
        if (!w)
            continue;
        if (val & BIT(40)) {
            if (w != v)
                mask |= BIT(i);
            continue;
        }
        uint64_t hwid = arch_vcpu_hwid(w);
        unsigned aff0 = hwid & 0xff;
        if ((hwid & ~0xffUL) == upper && aff0 >> 4 == rs && (val & BIT(aff0 & 15)))
            mask |= BIT(i);
    }
    return mask;
}

void vgic_sgi1r_write(struct vcpu *v, uint64_t val)
{
    struct domain *d = v->dom;
    struct vgic_dist *g = vgic_of(d);
    unsigned sgi;
    uint64_t targets = vgic_sgi1r_targets(v, val, &sgi), kick = 0;
    unsigned long flags = vgic_lock(g);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (targets & BIT(i))
            set_line(g, d->vcpus[i], sgi, &d->vcpus[i]->arch.vgic.priv[sgi], true, false, &kick);
    vgic_unlock(g, flags);
    vgic_kick(d, kick);
}
