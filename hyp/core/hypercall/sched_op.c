/*
 * sched_op (29): yield, shutdown and the domain watchdog (xen-abi-facts B.4).  SCHEDOP_block
 * is not offered on Arm (guests use WFI); poll and remote_shutdown are not implemented yet
 * (-ENOSYS).
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/percpu.h>
#include <hyp/sched.h>
#include <hyp/timer.h>
#include "hypercall_table.h"

#define SCHEDOP_yield 0
#define SCHEDOP_shutdown 2
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6

/* struct sched_watchdog (public/sched.h): id 0 allocates a watchdog and returns its id;
 * timeout 0 frees watchdog id; otherwise (re)arms it for timeout seconds. */
struct sched_watchdog {
    uint32_t id;
    uint32_t timeout;
};

static void watchdog_fired(struct timer *t, void *ctx)
{
    struct domain *d = ctx;
    pr_warn("domain %s: watchdog %u expired\n", d->name, (unsigned)(t - d->watchdog) + 1);
    domain_shutdown(d, SHUTDOWN_WATCHDOG);
}

static long watchdog(struct vcpu *v, unsigned long arg)
{
    struct domain *d = v->dom;
    struct sched_watchdog wd;
    if (copy_from_guest(v, &wd, arg, sizeof(wd)))
        return -EFAULT;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    long rc = 0;
    if (wd.id == 0) {
        unsigned i = 0;
        while (i < DOMAIN_WATCHDOGS && (d->watchdogs_used & (1u << i)))
            i++;
        if (i == DOMAIN_WATCHDOGS) {
            rc = -ENOSPC;
        } else {
            d->watchdogs_used |= (uint8_t)(1u << i);
            timer_init(&d->watchdog[i], watchdog_fired, d);
            wd.id = i + 1;
            rc = wd.id;
        }
    } else if (wd.id > DOMAIN_WATCHDOGS || !(d->watchdogs_used & (1u << (wd.id - 1)))) {
        rc = -EINVAL;
    }
    if (rc >= 0) {
        struct timer *t = &d->watchdog[wd.id - 1];
        if (wd.timeout == 0) {
            timer_cancel(t);
            d->watchdogs_used &= (uint8_t) ~(1u << (wd.id - 1));
        } else {
            timer_set(t, time_now_ns() + (uint64_t)wd.timeout * 1000000000ULL, cpu_id());
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return rc;
}

long do_sched_op(struct vcpu *v, const uint64_t args[5])
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
    case SCHEDOP_watchdog:
        return watchdog(v, args[1]);
    case SCHEDOP_shutdown_code:
        /* The code is only reported by Xen's toolstack; accept and ignore it. */
        return copy_from_guest(v, &reason, args[1], sizeof(reason)) ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}
