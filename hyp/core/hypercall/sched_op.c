/*
 * sched_op (29): yield, shutdown and the domain watchdog (xen-abi-facts B.4).  SCHEDOP_block
 * is not offered on Arm (guests use WFI); poll and remote_shutdown are not implemented yet
 * (-ENOSYS).
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/sched.h>
#include <hyp/watchdog.h>
#include <xen/sched.h>
#include "hypercall_table.h"

static long watchdog(struct vcpu *v, unsigned long arg)
{
    struct sched_watchdog wd;
    if (copy_from_guest(v, &wd, arg, sizeof(wd)))
        return -EFAULT;
    return watchdog_op(v->dom, wd.id, wd.timeout);
}

long do_sched_op(struct vcpu *v, uint64_t args[5])
{
    uint32_t reason;
    switch (args[0]) {
    case SCHEDOP_yield:
        sched_yield(v);
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(v, &reason, args[1], sizeof(reason)))
            return -EFAULT;
        if (reason > SHUTDOWN_watchdog && reason != SHUTDOWN_soft_reset)
            return -EINVAL;
        domain_shutdown(v->dom, reason == SHUTDOWN_soft_reset ? SHUTDOWN_REBOOT
                                                              : (enum shutdown_reason)reason);
        return 0;
    case SCHEDOP_watchdog:
        return watchdog(v, args[1]);
    case SCHEDOP_shutdown_code:
        /* The code is only reported by Xen's toolstack; accept and ignore it. */
        return copy_from_guest(v, &reason, args[1], sizeof(reason)) ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}
