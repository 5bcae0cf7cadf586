/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host SPIs given to a domain (passthrough): the host line's handler, its enable and route
 * following the virtual SPI, and its release.  The interrupt itself travels as a
 * hardware-linked one (struct vgic_irq hw/pintid, what vgic_inject_hw does for the virtual
 * timer): the guest's deactivation through the list register deactivates the host SPI.
 * Locking: each line's lock (struct pt_line) guards its owner and its enable/route record; the
 * handler holds it while it reaches the domain, so a release that clears the owner under it
 * leaves no handler inside the domain.  It nests outside the vGIC lock, which nests outside
 * the GICv3 driver's.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>

#include "vgic_internal.h"

/* One host SPI.  d and the lock: see above.  on/cpu: whether the host line is enabled and the
 * pCPU it is routed to, changed under the owner's vGIC lock. */
struct pt_line {
    struct spinlock lock;
    bool on;
    unsigned cpu;
    struct domain *d;
};

static struct pt_line lines[IRQ_MAX];

/*
 * Where the host line goes: the pCPU of the vCPU its virtual SPI targets, as of when the guest
 * enables or re-routes it.  It is not moved when the scheduler moves that vCPU: that would put
 * work in every context switch for the sake of a few lines, and an interrupt that arrives on
 * another pCPU still reaches the vCPU through the kick (an IPI and one more exit).  A vCPU
 * pinned with xl's cpus=, as a vCPU that owns devices usually is, never moves anyway.
 */
static unsigned route_cpu(const struct vgic_dist *g, const struct vgic_irq *irq)
{
    const struct domain *d = g->d;
    const struct vcpu *v = d->vcpus[irq->target < d->nr_vcpus ? irq->target : 0];
    unsigned cpu = v ? READ_ONCE(v->cpu) : cpu_id();
    return cpu < MAX_CPUS && cpu_online(cpu) ? cpu : cpu_id();
}

/* vGIC lock held.  Enable or disable the host line as the virtual SPI is, routed per
 * route_cpu.  A re-route disables the line around the GICD_IROUTER write, as Linux's GICv3
 * driver does, so no interrupt is signalled while the route changes. */
static void line_follow(struct vgic_dist *g, unsigned intid, const struct vgic_irq *irq)
{
    struct pt_line *l = &lines[intid];
    if (!irq->enabled) {
        if (l->on)
            irqchip_disable(intid, l->cpu);
        l->on = false;
        return;
    }
    unsigned cpu = route_cpu(g, irq);
    if (l->on && l->cpu == cpu)
        return;
    if (l->on)
        irqchip_disable(intid, l->cpu);
    irqchip_enable(intid, cpu);
    l->on = true;
    l->cpu = cpu;
}

void vgic_pt_changed(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq, enum vgic_field f)
{
    if (f == VGIC_F_ENABLE_SET || f == VGIC_F_ENABLE_CLR) {
        line_follow(g, intid, irq);
        /* A level-sensitive interrupt is pending only while its line is asserted (IHI 0069
         * 4.1.1), and a disabled one is not forwarded: a forwarded instance nobody has taken
         * yet is withdrawn and the host SPI deactivated.  If the line is still asserted it is
         * pending again in the distributor and comes when the guest enables the SPI, as it
         * would on hardware; one that dropped meanwhile does not come at all.  An edge stays
         * pending while disabled. */
        if (!irq->enabled && !irq->edge && irq->hw && !irq->hw_active)
            irq->latch = irq->lr_pending = false;
    }
    vgic_spi_settle(irq);
}

void vgic_pt_route(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq)
{
    line_follow(g, intid, irq);
}

/* Link irq, assigned SPI intid, to the host interrupt that just came and make it pending. */
static void link_spi(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq, uint64_t *kick)
{
    /* The host SPI stays active until deactivated, so it comes again only once the previous
     * linked instance has ended.  The guest ends one through a list register (HW = 1); if that
     * vCPU is still running, its vgic_sync has not folded the end back yet, and must then
     * keep the link, which is this new instance's (hw_refire). */
    irq->hw_refire = irq->hw && irq->lr_vcpu != VGIC_NO_VCPU;
    irq->hw = true;
    irq->hw_active = false;
    irq->pintid = (uint16_t)intid;
    irq->latch = true;
    vgic_irq_changed(g, NULL, intid, irq, kick);
}

bool vgic_forward_spi(struct domain *d, unsigned intid)
{
    struct vgic_dist *g = vgic_of(d);
    uint64_t kick = 0;
    bool linked = false;
    unsigned long flags = vgic_lock(g);
    struct vgic_irq *irq = vgic_irq_get(g, NULL, intid);
    if (irq && irq->assigned) {
        if (irq->enabled || irq->edge) {
            link_spi(g, intid, irq, &kick);
            linked = true;
        } else {
            /* Taken just as the guest disabled it (the line is off while the SPI is): a
             * level-sensitive line stays pending in the distributor, ended here, and comes
             * again once the guest enables the SPI.  An edge is kept, pending. */
            line_follow(g, intid, irq);
        }
    }
    vgic_unlock(g, flags);
    vgic_kick(d, kick);
    return linked;
}

/* The host line's handler: ctx is its struct pt_line.  Interrupts are masked here. */
static enum irq_end pt_irq(unsigned intid, void *ctx)
{
    struct pt_line *l = ctx;
    enum irq_end end = IRQ_EOI;
    spin_lock(&l->lock);
    /* No owner: released while this one was on its way; the dispatcher ends it. */
    if (l->d && vgic_forward_spi(l->d, intid))
        end = IRQ_FORWARDED;
    spin_unlock(&l->lock);
    return end;
}

int vgic_passthru_assign(struct domain *d, unsigned intid, bool edge)
{
    struct vgic_dist *g = vgic_of(d);
    if (!g || intid < VGIC_NR_PRIVATE || intid >= irqchip_nr_lines() ||
        intid - VGIC_NR_PRIVATE >= g->nr_spis)
        return -EINVAL;
    /* The handler table says whose the line is: Keel's own (its UART's), another domain's, or
     * free.  Registering reserves it; the line stays disabled until the guest enables it. */
    int rc = irq_register(intid, pt_irq, &lines[intid]);
    if (rc)
        return rc;
    rc = irqchip_set_trigger(intid, edge);
    if (rc) {
        irq_unregister(intid);
        return rc;
    }
    struct pt_line *l = &lines[intid];
    unsigned long flags = spin_lock_irqsave(&l->lock);
    spin_lock(&g->lock);
    struct vgic_irq *irq = &g->spis[intid - VGIC_NR_PRIVATE];
    irq->assigned = true;
    irq->edge = edge;
    l->d = d;
    l->on = false;
    spin_unlock(&g->lock);
    spin_unlock_irqrestore(&l->lock, flags);
    return 0;
}

static void release_line(struct vgic_dist *g, unsigned intid)
{
    struct pt_line *l = &lines[intid];
    unsigned long flags = spin_lock_irqsave(&l->lock);
    spin_lock(&g->lock);
    struct vgic_irq *irq = &g->spis[intid - VGIC_NR_PRIVATE];
    irqchip_disable(intid, l->cpu);
    /* No vCPU runs, so no list register holds it: a linked instance, taken or not, ends here
     * (the host SPI is deactivated from this pCPU, see irqchip_clear_active). */
    if (irq->hw)
        vgic_irq_unlink(irq);
    irq->assigned = irq->hw_refire = false;
    l->d = NULL;
    l->on = false;
    spin_unlock(&g->lock);
    spin_unlock_irqrestore(&l->lock, flags);
    /* Free for another domain.  A handler that took the line before it was disabled finds no
     * owner and lets the dispatcher end it. */
    irq_unregister(intid);
}

void vgic_passthru_release(struct domain *d)
{
    struct vgic_dist *g = vgic_of(d);
    if (!g || !g->spis) /* a domain whose vGIC was only half made: nothing assigned */
        return;
    /* assigned changes only here and in vgic_passthru_assign, both by whoever builds or kills
     * d: a look without the lock is enough. */
    for (unsigned i = 0; i < g->nr_spis; i++)
        if (g->spis[i].assigned)
            release_line(g, VGIC_NR_PRIVATE + i);
}
