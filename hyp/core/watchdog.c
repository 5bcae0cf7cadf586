/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain watchdogs.  Owns d->watchdog[] and d->watchdogs_used under d->lock.  Arming is refused
 * once the domain is shutting down, so a vCPU still running after another one shut the domain
 * down cannot leave a timer behind; domain_kill then kills the timers, waiting for a handler
 * that is already running.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/percpu.h>
#include <hyp/timer.h>
#include <hyp/watchdog.h>

#define NS_PER_S 1000000000ULL

static void fired(struct timer *t, void *ctx)
{
    struct domain *d = ctx;
    pr_warn("domain %s: watchdog %u expired\n", d->name, (unsigned)(t - d->watchdog) + 1);
    domain_shutdown(d, SHUTDOWN_WATCHDOG);
}

void watchdog_domain_init(struct domain *d)
{
    for (unsigned i = 0; i < DOMAIN_WATCHDOGS; i++)
        timer_init(&d->watchdog[i], fired, d);
    d->watchdogs_used = 0;
}

/* d->lock held: a free slot's index, or -ENOSPC. */
static int alloc_slot(struct domain *d)
{
    for (unsigned i = 0; i < DOMAIN_WATCHDOGS; i++) {
        if (!(d->watchdogs_used & (1u << i))) {
            d->watchdogs_used |= (uint8_t)(1u << i);
            return (int)i;
        }
    }
    return -ENOSPC;
}

long watchdog_op(struct domain *d, uint32_t id, uint32_t timeout_s)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    long rc;
    int slot;
    if (d->state != DOM_RUNNING && d->state != DOM_PAUSED) {
        rc = -ESRCH;
    } else if (id == 0) {
        slot = alloc_slot(d);
        rc = slot < 0 ? slot : slot + 1;
    } else if (id > DOMAIN_WATCHDOGS || !(d->watchdogs_used & (1u << (id - 1)))) {
        rc = -EINVAL;
    } else {
        slot = (int)id - 1;
        rc = 0;
    }
    if (rc >= 0) {
        struct timer *t = &d->watchdog[slot];
        if (id != 0 && timeout_s == 0) {
            timer_cancel(t);
            d->watchdogs_used &= (uint8_t) ~(1u << slot);
        } else {
            timer_set(t, time_now_ns() + timeout_s * NS_PER_S, cpu_id());
        }
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return rc;
}

void watchdog_disarm_all(struct domain *d)
{
    for (unsigned i = 0; i < DOMAIN_WATCHDOGS; i++)
        timer_cancel(&d->watchdog[i]);
    d->watchdogs_used = 0;
}

void watchdog_domain_kill(struct domain *d)
{
    for (unsigned i = 0; i < DOMAIN_WATCHDOGS; i++)
        timer_kill(&d->watchdog[i]);
}
