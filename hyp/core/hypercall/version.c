/* xen_version (17): which Xen ABI Keel speaks.  Sub-ops Keel does not offer yet are -ENOSYS. */
#include <hyp/errno.h>
#include "hypercall_table.h"

#define XENVER_version 0
#define KEEL_XEN_COMPAT ((4 << 16) | 17) /* the Xen ABI version Keel speaks: 4.17 */

long do_xen_version(struct vcpu *v, const uint64_t args[5])
{
    switch (args[0]) {
    case XENVER_version:
        return KEEL_XEN_COMPAT;
    default:
        return -ENOSYS;
    }
}
