/* SPDX-License-Identifier: Apache-2.0 */
/* vCPU power state (PSCI CPU_ON/CPU_OFF) and lookup.  State changes go through the scheduler
 * (sched_vcpu_set_state), which owns the locking. */
#include <hyp/arch/cpu.h>
#include <hyp/arch/domain.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/sched.h>

int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context)
{
    struct domain *d = v->dom;
    unsigned long flags;
    for (;;) {
        if (READ_ONCE(v->state) != VCPU_OFFLINE)
            return -EBUSY; /* includes the caller asking to start itself */
        /* A vCPU that just turned itself off may still be saving its registers on its pCPU;
         * that takes a bounded, short time. */
        while (READ_ONCE(v->running))
            arch_cpu_relax();
        flags = spin_lock_irqsave(&d->lock);
        if (v->state != VCPU_OFFLINE || d->state != DOM_RUNNING) {
            spin_unlock_irqrestore(&d->lock, flags);
            return -EBUSY;
        }
        /* Started and turned off again since the wait (by another vCPU's CPU_ON and its own
         * CPU_OFF): wait again.  Under d->lock an offline vCPU that is off its pCPU stays so,
         * as only CPU_ON, an unpause or a set context (all under d->lock) make it run. */
        if (!READ_ONCE(v->running))
            break;
        spin_unlock_irqrestore(&d->lock, flags);
    }
    /* Offline and not running anywhere: its registers are ours to set. */
    arch_vcpu_reset(v, entry, context);
    sched_vcpu_set_state(v, VCPU_RUNNABLE);
    spin_unlock_irqrestore(&d->lock, flags);
    return 0;
}

void vcpu_power_off(struct vcpu *v)
{
    sched_vcpu_set_state(v, VCPU_OFFLINE);
}

struct vcpu *vcpu_by_hwid(struct domain *d, uint64_t hwid)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && arch_vcpu_hwid(d->vcpus[i]) == hwid)
            return d->vcpus[i];
    return NULL;
}
