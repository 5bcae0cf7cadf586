/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's get and set of a vCPU's registers (getvcpucontext, setvcpucontext), as
 * Xen 4.17 does them: the domain is paused around the access (so the vCPU is off its pCPU),
 * and setting brings the vCPU up or down as the context's VGCF_online says.  A vCPU brought up
 * in a paused domain runs once the domain is unpaused.
 */
#include <hyp/arch/domain.h>
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/sched.h>
#include <hyp/string.h>

/* Pause d and wait for v to leave its pCPU (the pause forces an exit: a short wait). */
static int hold(struct domain *d, struct vcpu *v)
{
    int rc = domain_pause(d);
    if (rc)
        return rc;
    while (READ_ONCE(v->running))
        arch_cpu_relax();
    return 0;
}

long ctl_getvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        struct vcpu_guest_context *c)
{
    if (d == caller || vcpu >= d->nr_vcpus)
        return -EINVAL;
    struct vcpu *v = d->vcpus[vcpu];
    int rc = hold(d, v);
    if (rc)
        return rc;
    memset(c, 0, sizeof(*c));
    arch_vcpu_get_context(v, c);
    if (READ_ONCE(v->state) != VCPU_OFFLINE)
        c->flags |= VGCF_online;
    domain_unpause(d);
    return 0;
}

long ctl_setvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        const struct vcpu_guest_context *c)
{
    if (d == caller || vcpu >= d->nr_vcpus)
        return -EINVAL;
    if (c && arch_vcpu_check_context(c))
        return -EINVAL;
    struct vcpu *v = d->vcpus[vcpu];
    int rc = hold(d, v);
    if (rc)
        return rc;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    bool online = c && (c->flags & VGCF_online) && d->state == DOM_PAUSED;
    if (c)
        arch_vcpu_set_context(v, c);
    else
        arch_vcpu_reset(v, 0, 0);
    /* Up: paused with its domain (the unpause that ends every pause lets it run). */
    sched_vcpu_set_state(v, online ? VCPU_PAUSED : VCPU_OFFLINE);
    spin_unlock_irqrestore(&d->lock, flags);
    domain_unpause(d);
    return 0;
}
