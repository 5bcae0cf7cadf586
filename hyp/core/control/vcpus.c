/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's view of a domain's vCPUs: getvcpuinfo and the hard affinity (the
 * scheduler keeps it; sched_vcpu_set_affinity moves the vCPU).  A domain's vCPUs exist from
 * its creation to its free, so an index below its count always names one.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/sched.h>

static struct vcpu *vcpu_of(struct domain *d, uint32_t id)
{
    return id < d->nr_vcpus ? d->vcpus[id] : NULL;
}

long ctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *op)
{
    struct vcpu *v = vcpu_of(d, op->vcpu);
    if (!v)
        return -EINVAL;
    enum vcpu_state st = READ_ONCE(v->state);
    op->online = st != VCPU_OFFLINE;
    op->blocked = st == VCPU_BLOCKED;
    op->running = READ_ONCE(v->running);
    op->cpu_time = sched_vcpu_time_ns(v);
    op->cpu = READ_ONCE(v->cpu);
    return 0;
}

long ctl_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t *mask)
{
    struct vcpu *v = vcpu_of(d, vcpu);
    if (!v)
        return -EINVAL;
    *mask = sched_vcpu_affinity(v);
    return 0;
}

long ctl_set_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t mask, uint64_t *effective)
{
    struct vcpu *v = vcpu_of(d, vcpu);
    if (!v)
        return -EINVAL;
    return sched_vcpu_set_affinity(v, mask, effective);
}
