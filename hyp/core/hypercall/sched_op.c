/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched_op (29): yield, shutdown, the domain watchdog, poll and remote_shutdown (xen-abi-facts
 * B.4).  SCHEDOP_block is not offered on Arm (guests use WFI).  remote_shutdown is the control
 * domain's.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/guest_access.h>
#include <hyp/policy.h>
#include <hyp/sched.h>
#include <hyp/timer.h>
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

/* Xen's bound on the ports one poll may name. */
#define POLL_MAX_PORTS 128

/*
 * Return at once if one of the ports is pending or the timeout has passed; else wait as in
 * WFI, for the event upcall (or any interrupt) to wake the vCPU.  A poll with a timeout only
 * yields: Keel arms no timer for it, so the guest polls again (Xen too may return before
 * either happened).  A port the domain cannot have (beyond what its event ABI names) is
 * refused, as Xen does.
 */
static long poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    if (copy_obj_from_guest(v, &p, arg))
        return -EFAULT;
    if (p.nr_ports > POLL_MAX_PORTS)
        return -EINVAL;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        evtchn_port_t port;
        if (copy_from_guest_elem(v, &port, p.ports, i, sizeof(port)))
            return -EFAULT;
        int pending = evtchn_poll_pending(v->dom, port);
        if (pending)
            return pending < 0 ? pending : 0;
    }
    if (p.timeout && p.timeout <= time_now_ns())
        return 0;
    if (p.timeout)
        sched_yield(v);
    else
        vcpu_block(v);
    return 0;
}

/* The control domain shuts another domain (or itself) down, for a reason of SCHEDOP_shutdown. */
static long remote_shutdown(struct vcpu *v, uint64_t arg)
{
    struct sched_remote_shutdown r;
    if (copy_obj_from_guest(v, &r, arg))
        return -EFAULT;
    struct domain *d = r.domain_id < DOMID_FIRST_RESERVED ? domain_get(r.domain_id) : NULL;
    if (!d)
        return -ESRCH;
    long rc = 0;
    if (!policy_may_call(v->dom, CALLER_CONTROL))
        rc = -EPERM;
    else if (r.reason > SHUTDOWN_watchdog && r.reason != SHUTDOWN_soft_reset)
        rc = -EINVAL;
    else
        domain_shutdown(d, r.reason == SHUTDOWN_soft_reset ? SHUTDOWN_REBOOT
                                                           : (enum shutdown_reason)r.reason);
    domain_put(d);
    return rc;
}

long do_sched_op(struct vcpu *v, uint64_t args[5])
{
    uint32_t reason;
    switch ((uint32_t)args[0]) { /* int cmd, as Xen's prototype */
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
    case SCHEDOP_poll:
        return poll(v, args[1]);
    case SCHEDOP_remote_shutdown:
        return remote_shutdown(v, args[1]);
    case SCHEDOP_shutdown_code:
        /* The code is only reported by Xen's toolstack; accept and ignore it. */
        return copy_from_guest(v, &reason, args[1], sizeof(reason)) ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}
