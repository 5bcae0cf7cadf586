/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's domain lifecycle calls: pause and unpause (counted), destroy, the memory
 * allowance, the domain's handle and the vCPU count; and the lock that runs the toolstack's
 * calls one at a time.  The work is the domain module's
 * (domain_pause, domain_destroy); this adds Xen's rules on who may be the target.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

static struct spinlock ctl_lock = SPINLOCK_INIT;

bool ctl_lock_try(void)
{
    return spin_trylock(&ctl_lock);
}

void ctl_unlock(void)
{
    spin_unlock(&ctl_lock);
}

long ctl_pause(struct domain *caller, struct domain *d)
{
    /* Xen waits for the target's vCPUs to stop, which the caller's own cannot do. */
    if (d == caller)
        return -EINVAL;
    return domain_pause(d);
}

long ctl_unpause(struct domain *d)
{
    return domain_unpause(d);
}

long ctl_destroy(struct domain *caller, struct domain *d)
{
    if (d == caller)
        return -EINVAL;
    return domain_destroy(d);
}

long ctl_max_mem(struct domain *d, uint64_t max_kib)
{
    /* As Xen: no check against what the domain holds now; it may ratchet down to the new
     * allowance by giving memory back, and gets no more until then. */
    unsigned long flags = spin_lock_irqsave(&d->p2m_lock);
    d->max_pages = max_kib >> (XEN_PAGE_SHIFT - 10);
    spin_unlock_irqrestore(&d->p2m_lock, flags);
    return 0;
}

void ctl_set_handle(struct domain *d, const uint8_t handle[16])
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    memcpy(d->handle, handle, sizeof(d->handle));
    spin_unlock_irqrestore(&d->lock, flags);
}

long ctl_max_vcpus(struct domain *caller, struct domain *d, uint32_t max)
{
    /* Xen 4.17 too takes the count from createdomain and only allocates here. */
    return d == caller || max != d->nr_vcpus ? -EINVAL : 0;
}
