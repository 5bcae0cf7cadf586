/*
 * Hypercall dispatch: number → handler, one file per group in this folder.  Handlers validate
 * every argument before changing any state (validate, reserve, commit).  Numbers Keel does not
 * implement answer -ENOSYS, as Xen does for calls it does not offer on Arm.
 */
#include <hyp/errno.h>
#include <hyp/hypercall.h>
#include "hypercall_table.h"

static const hypercall_fn table[] = {
    [HYPERVISOR_xen_version] = do_xen_version,
    [HYPERVISOR_sched_op] = do_sched_op,
};

long hypercall(struct vcpu *v, unsigned long op, const uint64_t args[5])
{
    if (op >= ARRAY_SIZE(table) || !table[op])
        return -ENOSYS;
    return table[op](v, args);
}
