/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rate limit for messages a guest can cause at will, so that repeating one cannot flood the
 * console and slow every domain down: one line per cause per period, and with the next line
 * of that cause, how many were held back in between.  A cause is a message's format string,
 * so the number of causes is the number of call sites.
 */
#pragma once

#include <hyp/spinlock.h>
#include <hyp/types.h>

#define RATELIMIT_PERIOD_S 5
#define RATELIMIT_CAUSES 8 /* causes followed apart per limiter; beyond, see held_other */

struct ratelimit_cause {
    const void *key; /* NULL: a free slot */
    uint64_t last;   /* counter ticks when its last message was printed (modulo 2^64) */
    unsigned held;   /* its messages held back since */
};

/* Zero-initialise.  Any CPU. */
struct ratelimit {
    struct spinlock lock;
    struct ratelimit_cause cause[RATELIMIT_CAUSES];
    unsigned held_other; /* messages held back because every slot had another cause */
};

/* What was held back, to say with a message that is let through. */
struct ratelimit_held {
    unsigned same;  /* of its cause, since the last of that cause was printed */
    unsigned other; /* of causes beyond RATELIMIT_CAUSES, since any such count was reported */
};

/*
 * Whether a message of cause key may be printed now: yes for the first of a cause, then once
 * RATELIMIT_PERIOD_S has passed since the last one printed.  Counts it either way; when it may
 * be printed, *held says what was held back, and the counts start again.
 */
bool ratelimit_ok(struct ratelimit *rl, const void *key, struct ratelimit_held *held);

/* The first argument of a message's arguments, for its cause: RATELIMIT_KEY(__VA_ARGS__, ). */
#define RATELIMIT_KEY(fmt, ...) ((const void *)(fmt))
