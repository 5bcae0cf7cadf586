/* xen_version (17): which Xen ABI Keel speaks.  Sub-ops Keel does not offer yet are -ENOSYS. */
#include <hyp/errno.h>
#include <xen/version.h>
#include "hypercall_table.h"

/* the Xen ABI version Keel speaks: 4.17 */
#define KEEL_XEN_COMPAT XEN_VERSION_CODE(XEN_ABI_MAJOR, XEN_ABI_MINOR)

long do_xen_version(struct vcpu *v, uint64_t args[5])
{
    switch (args[0]) {
    case XENVER_version:
        return KEEL_XEN_COMPAT;
    default:
        return -ENOSYS;
    }
}
