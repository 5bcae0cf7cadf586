/*
 * Hypercall dispatch table.  Handlers validate every argument before changing any state
 * (validate, reserve, commit).  Groups not implemented yet answer -ENOSYS, as Xen does for
 * calls it does not offer on Arm.
 */
#include <hyp/errno.h>
#include <hyp/hypercall.h>

#define HYPERVISOR_xen_version 17
#define XENVER_version 0
#define KEEL_XEN_COMPAT ((4 << 16) | 17) /* the Xen ABI version Keel speaks: 4.17 */

typedef long (*hypercall_fn)(struct vcpu *v, unsigned long args[5]);

static long do_xen_version(struct vcpu *v, unsigned long args[5])
{
    switch (args[0]) {
    case XENVER_version:
        return KEEL_XEN_COMPAT;
    default:
        return -ENOSYS;
    }
}

static const hypercall_fn table[64] = {
    [HYPERVISOR_xen_version] = do_xen_version,
};

long hypercall(struct vcpu *v, unsigned long op, unsigned long args[5])
{
    if (op >= sizeof(table) / sizeof(table[0]) || !table[op])
        return -ENOSYS;
    return table[op](v, args);
}
