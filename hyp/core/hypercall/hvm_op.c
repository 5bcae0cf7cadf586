/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hvm_op (34), decode only (xen-abi-facts B.1 #11-12, B.5): get_param and set_param, the two
 * sub-ops Xen offers on Arm besides vm_event requests (-ENOSYS here).  Names the target domain
 * and checks the caller may act on it; core/hvm_param.c says which parameter whom.
 */
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hvm_param.h>
#include <hyp/policy.h>
#include <xen/hvm.h>
#include "hypercall_table.h"

static long param(struct vcpu *v, unsigned op, uint64_t arg)
{
    struct xen_hvm_param p;
    if (copy_obj_from_guest(v, &p, arg))
        return -EFAULT;
    if (p.index >= HVM_NR_PARAMS)
        return -EINVAL;
    struct domain *d = domain_get_any(v->dom, p.domid);
    if (!d)
        return -ESRCH;
    long rc = -EPERM;
    if (policy_may_target(v->dom, d)) {
        if (op == HVMOP_set_param) {
            rc = hvm_param_set(v->dom, d, p.index, p.value);
        } else {
            rc = hvm_param_get(v->dom, d, p.index, &p.value);
            if (!rc && copy_field_to_guest(v, arg, &p, value))
                rc = -EFAULT;
        }
    }
    domain_put(d);
    return rc;
}

long do_hvm_op(struct vcpu *v, uint64_t args[5])
{
    switch (args[0]) { /* all 64 bits: Arm's do_hvm_op takes an unsigned long op */
    case HVMOP_set_param:
    case HVMOP_get_param:
        return param(v, (unsigned)args[0], args[1]);
    default:
        return -ENOSYS;
    }
}
