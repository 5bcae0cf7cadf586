/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-check of the scheduler at EL2 (the policies themselves are tested on the host, see
 * tests/unit/test_sched_*.c): every online pCPU is in exactly one pool, the default pool
 * exists and has an online pCPU, and the console dump runs with the pool locks taken.
 */
#include <stdarg.h>
#include <hyp/console.h>
#include <hyp/selftest.h>
#include <hyp/smp.h>
#include <hyp/string.h>
#include "sched_internal.h"

static size_t dumped;

static void count_chars(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    dumped += n > 0 ? (size_t)n : 0;
}

SELFTEST(sched_pools)
{
    uint64_t seen = 0;
    struct sched_pool *p;
    unsigned n = 0;
    for (; (p = sched_pool_at(n)); n++) {
        ST_CHECK(p->cpus && !(p->cpus & seen));
        seen |= p->cpus;
        for (unsigned c = 0; c < MAX_CPUS; c++)
            ST_CHECK(!(p->cpus & BIT(c)) || sched_pool_of_cpu(c) == p);
    }
    for (unsigned c = 0; c < MAX_CPUS; c++)
        ST_CHECK(!cpu_online(c) || (seen & BIT(c)));
    struct sched_pool *def = sched_pool_find("");
    ST_CHECK(def && sched_online_mask(def->cpus));
    dumped = 0;
    sched_dump(count_chars);
    ST_CHECK(dumped > 0);
    pr_info("selftest: %u pool(s), the default one is %s (pCPUs %#lx)\n", n, def->name, def->cpus);
    return 0;
}
