/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain watchdogs (Xen's SCHEDOP_watchdog): up to DOMAIN_WATCHDOGS per domain; one that is
 * not re-armed in time shuts its domain down with SHUTDOWN_WATCHDOG.  d->lock guards which
 * are allocated and their arming; the timers die with the domain (domain_kill).
 */
#pragma once

#include <hyp/domain.h>

/* At domain creation. */
void watchdog_domain_init(struct domain *d);
/* id 0: allocate one and arm it for timeout_s seconds; returns its id (1..), -ENOSPC when all
 * are taken.  id > 0 with timeout_s 0: free it; otherwise re-arm it.  -EINVAL for an id that is
 * not allocated, -ESRCH once d is shutting down (shutdown disarmed them for good). */
long watchdog_op(struct domain *d, uint32_t id, uint32_t timeout_s);
/* d->lock held: stop and free every watchdog (shutdown). */
void watchdog_disarm_all(struct domain *d);
/* Kill the timers for good, waiting for a handler running elsewhere (domain_kill; d->lock not
 * held, as the handler takes it). */
void watchdog_domain_kill(struct domain *d);
