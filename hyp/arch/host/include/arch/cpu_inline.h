/* SPDX-License-Identifier: Apache-2.0 */
/* Host stand-in for <arch/cpu_inline.h>: lets core code build and run as host unit tests. */
#pragma once

#include <time.h>

/* A waiter gives its core away: unit tests run more threads than the host (a 2-core CI
 * machine) has cores, and a spinning waiter would otherwise hold off the lock's owner for the
 * rest of its time slice. */
void host_cpu_relax(void);

static inline void arch_cpu_relax(void)
{
    host_cpu_relax();
}

static inline unsigned long arch_irq_save(void)
{
    return 0;
}

static inline void arch_irq_restore(unsigned long flags)
{
    (void)flags;
}

static inline void arch_irq_enable(void)
{
}

static inline void arch_irq_disable(void)
{
}

extern _Thread_local struct percpu *host_this_cpu;

static inline struct percpu *arch_this_cpu(void)
{
    return host_this_cpu;
}

static inline void arch_cpu_idle(void)
{
}

/* Tests drive time explicitly through host_counter. */
extern uint64_t host_counter;

static inline uint64_t arch_counter(void)
{
    return host_counter;
}

static inline void arch_cpu_irq_window(void)
{
}

/* Tests decide when a long operation should stop: host_irq_pending. */
extern bool host_irq_pending;

static inline bool arch_irq_pending(void)
{
    return host_irq_pending;
}
