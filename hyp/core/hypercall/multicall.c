/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multicall (13): a batch of hypercalls in one exit, each entry's result written back
 * (xen-abi-facts B.3: struct multicall_entry, 64 bytes).  A call that stops to continue later
 * stops the batch: its rewritten arguments go back into its entry and the multicall continues
 * from it.  A multicall inside a multicall is refused in its entry (-EINVAL), as on Xen.
 */
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include "hypercall_table.h"

long do_multicall(struct vcpu *v, uint64_t args[5])
{
    uint64_t list = args[0], n = (uint32_t)args[1];
    for (uint64_t i = 0; i < n; i++) {
        struct multicall_entry e;
        if (copy_from_guest_elem(v, &e, list, i, sizeof(e)))
            return -EFAULT;
        uint64_t a[5] = { e.args[0], e.args[1], e.args[2], e.args[3], e.args[4] };
        long rc = e.op == HYPERVISOR_multicall ? -EINVAL : hypercall(v, e.op, a);
        if (rc == -ERESTART) {
            for (unsigned k = 0; k < 5; k++)
                e.args[k] = a[k];
            if (copy_to_guest_elem(v, list, i, &e, sizeof(e)))
                return -EFAULT;
            args[0] = list + i * sizeof(e);
            args[1] = n - i;
            return -ERESTART;
        }
        e.result = (uint64_t)rc;
        if (copy_field_to_guest(v, list + i * sizeof(e), &e, result))
            return -EFAULT;
        if (i + 1 < n && hypercall_preempt_check()) {
            args[0] = list + (i + 1) * sizeof(e);
            args[1] = n - i - 1;
            return -ERESTART;
        }
    }
    return 0;
}
