/*
 * sched_op (29): yield and shutdown (xen-abi-facts B.4).  SCHEDOP_block is not offered on Arm
 * (guests use WFI); poll and the remote/watchdog calls are not implemented yet (-ENOSYS).
 */
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/sched.h>
#include "hypercall_table.h"

#define SCHEDOP_yield 0
#define SCHEDOP_shutdown 2
#define SCHEDOP_shutdown_code 5

long do_sched_op(struct vcpu *v, unsigned long args[5])
{
    uint32_t reason;
    switch (args[0]) {
    case SCHEDOP_yield:
        sched_yield(v);
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(v, &reason, args[1], sizeof(reason)))
            return -EFAULT;
        if (reason > SHUTDOWN_WATCHDOG && reason != 5 /* soft_reset */)
            return -EINVAL;
        domain_shutdown(v->dom, reason == 5 ? SHUTDOWN_REBOOT : (enum shutdown_reason)reason);
        return 0;
    case SCHEDOP_shutdown_code:
        /* The code is only reported by Xen's toolstack; accept and ignore it. */
        return copy_from_guest(v, &reason, args[1], sizeof(reason)) ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}
