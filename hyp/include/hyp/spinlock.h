/* SPDX-License-Identifier: Apache-2.0 */
/* Ticket spinlocks (fair, FIFO).  Only usable once the MMU is on: exclusive accesses need
 * Normal cacheable memory on real hardware.  irqsave variants mask the CPU's interrupts. */
#pragma once

#include <hyp/arch/cpu.h>
#include <hyp/types.h>

struct spinlock {
    uint16_t next;
    uint16_t owner;
};

#define SPINLOCK_INIT ((struct spinlock){ 0, 0 })

static inline void spin_lock(struct spinlock *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        arch_cpu_relax();
}

/* Take the lock only if it is free (next == owner): one compare-and-swap of both halves. */
static inline bool spin_trylock(struct spinlock *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    struct spinlock free = { .next = owner, .owner = owner };
    struct spinlock taken = { .next = (uint16_t)(owner + 1), .owner = owner };
    uint32_t expect, want;
    __builtin_memcpy(&expect, &free, 4);
    __builtin_memcpy(&want, &taken, 4);
    return __atomic_compare_exchange_n((uint32_t *)(void *)l, &expect, want, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
    /* Waiters spin with arch_cpu_relax (no WFE), so there is no one to signal. */
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
    return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
    unsigned long flags = arch_irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
    spin_unlock(l);
    arch_irq_restore(flags);
}
