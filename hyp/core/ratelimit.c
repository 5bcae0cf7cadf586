/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rate limit for guest-caused messages (see ratelimit.h).  Each limiter has its own lock, taken
 * with interrupts masked and with no other lock inside it; it prints nothing itself.
 */
#include <hyp/arch/cpu.h>
#include <hyp/ratelimit.h>

/* rl->lock held.  The slot of cause key, a free one for it (as if its last message had been
 * printed a period before now), or NULL if every one is taken. */
static struct ratelimit_cause *slot_of(struct ratelimit *rl, const void *key, uint64_t now,
                                       uint64_t period)
{
    struct ratelimit_cause *free_slot = NULL;
    for (unsigned i = 0; i < RATELIMIT_CAUSES; i++) {
        if (rl->cause[i].key == key)
            return &rl->cause[i];
        if (!rl->cause[i].key && !free_slot)
            free_slot = &rl->cause[i];
    }
    if (free_slot)
        *free_slot = (struct ratelimit_cause){ key, now - period, 0 };
    return free_slot;
}

bool ratelimit_ok(struct ratelimit *rl, const void *key, struct ratelimit_held *held)
{
    uint64_t now = arch_counter(), period = arch_counter_freq() * RATELIMIT_PERIOD_S;
    bool ok = false;
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    struct ratelimit_cause *c = slot_of(rl, key, now, period);
    if (!c) {
        rl->held_other++;
    } else if (now - c->last >= period) {
        *held = (struct ratelimit_held){ c->held, rl->held_other };
        c->last = now;
        c->held = 0;
        rl->held_other = 0;
        ok = true;
    } else {
        c->held++;
    }
    spin_unlock_irqrestore(&rl->lock, flags);
    return ok;
}
