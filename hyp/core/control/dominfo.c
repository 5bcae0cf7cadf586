/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the toolstack sees of domains: which ones exist for it (listed and built) and
 * getdomaininfo's record of one.  The record is a snapshot: vCPU states are read without the
 * scheduler's lock, the domain's state and pause count under d->lock.
 */
#include <hyp/arch/domain.h>
#include <hyp/control.h>
#include <hyp/sched.h>
#include <hyp/shared_info.h>
#include <hyp/string.h>

/* A domain being built (at boot, or rebuilt by a restart) is not there yet: domain_get does
 * not give it out. */
struct domain *ctl_domain_get(unsigned id)
{
    return domain_get(id);
}

struct domain *ctl_domain_get_from(unsigned first)
{
    return domain_get_next((int)first - 1);
}

/* Xen's rule: the domain is blocked only if every online vCPU is, running if any vCPU is on a
 * pCPU; a domain with no online vCPU is neither. */
static uint32_t vcpu_flags(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_blocked;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        info->cpu_time += sched_vcpu_time_ns(v);
        info->max_vcpu_id = v->id;
        enum vcpu_state st = READ_ONCE(v->state);
        if (st == VCPU_OFFLINE)
            continue;
        info->nr_online_vcpus++;
        if (st != VCPU_BLOCKED)
            flags &= ~XEN_DOMINF_blocked;
        if (READ_ONCE(v->running))
            flags |= XEN_DOMINF_running;
    }
    return info->nr_online_vcpus ? flags : 0;
}

void ctl_getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    memset(info, 0, sizeof(*info));
    info->domain = (domid_t)d->id;
    info->max_vcpu_id = XEN_INVALID_MAX_VCPU_ID;
    /* Every Arm domain is an HVM guest with hardware-assisted paging (Xen sets both). */
    uint32_t flags = vcpu_flags(d, info) | XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
    unsigned long irq = spin_lock_irqsave(&d->lock);
    /* Xen keeps "no shutdown code" as all ones in the code field, bits 16-31. */
    uint32_t code = 0xffff;
    if (d->state == DOM_SHUTDOWN) {
        flags |= XEN_DOMINF_shutdown;
        code = d->shutdown_reason;
    }
    if (d->state == DOM_DYING)
        flags |= XEN_DOMINF_dying;
    if (d->pauses)
        flags |= XEN_DOMINF_paused;
    spin_unlock_irqrestore(&d->lock, irq);
    info->flags = flags | code << XEN_DOMINF_shutdownshift;
    irq = spin_lock_irqsave(&d->p2m_lock);
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    spin_unlock_irqrestore(&d->p2m_lock, irq);
    /* Xen on Arm reports the machine frame of the page (its gfn-of-mfn is the identity). */
    info->shared_info_frame = shared_info_pa(d) >> XEN_PAGE_SHIFT;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    enum sched_kind kind;
    info->cpupool = sched_domain_pool(d, &kind);
    struct guest_layout l;
    arch_guest_layout(&l);
    info->gpaddr_bits = (uint8_t)l.addr_bits;
    /* arch_config stays zero: Xen 4.17 on Arm does not fill it in here. */
}
