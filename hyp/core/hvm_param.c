/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HVM parameters of a domain (hvm_param.h): Xen 4.17's Arm rules.  A domain may read its
 * callback, xenstore and console parameters and set none of its own; the toolstack sets them
 * (and the vm_event ring's) for the domains it builds.  Values are words of d->hvm_param read
 * and written whole, so no lock is needed.
 */
#include <hyp/errno.h>
#include <hyp/hvm_param.h>
#include <xen/arch-arm.h>
#include <xen/hvm.h>

void hvm_param_domain_init(struct domain *d)
{
    if (!d->cfg.xen_enhanced)
        return;
    /* The upcall PPI, level-sensitive and active-low, as in the /hypervisor node. */
    d->hvm_param[HVM_PARAM_CALLBACK_IRQ] =
        HVM_PARAM_CALLBACK_TYPE_PPI << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT |
        HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_LOW_LEVEL << HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_SHIFT |
        GUEST_EVTCHN_PPI;
}

/* Whether Arm uses parameter index at all. */
static bool known(uint32_t index)
{
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_MONITOR_RING_PFN:
        return true;
    default:
        return false;
    }
}

int hvm_param_get(const struct domain *caller, struct domain *d, uint32_t index, uint64_t *val)
{
    if (!known(index))
        return -EINVAL;
    if (index == HVM_PARAM_MONITOR_RING_PFN && caller == d)
        return -EPERM; /* the toolstack's, not the guest's */
    *val = READ_ONCE(d->hvm_param[index]);
    return 0;
}

int hvm_param_set(const struct domain *caller, struct domain *d, uint32_t index, uint64_t val)
{
    if (!known(index))
        return -EINVAL;
    if (caller == d)
        return -EPERM;
    WRITE_ONCE(d->hvm_param[index], val);
    return 0;
}
