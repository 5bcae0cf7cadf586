/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RTDS: real-time deferrable servers under global EDF.  Each vCPU has a budget per period (its
 * domain's keel,budget-us / keel,period-us; 4 ms / 10 ms by default); its current deadline is
 * the end of its current period, when its budget is replenished.  Every pCPU of the pool runs,
 * among the vCPUs it may run that have budget left, the one with the earliest deadline.  A run
 * lasts at most until the budget is used up or the period ends (the slice timer enforces it);
 * a vCPU without budget waits for its next period, unless its domain has extra time
 * (keel,rtds-extratime): then it may run on pCPUs that have nothing budgeted to run.  A
 * deadline that passes while a runnable vCPU still has budget is a miss, counted.  The pool
 * timer fires at the earliest deadline of a queued vCPU.  Hooks run under the pool lock.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/smp.h>
#include "sched_internal.h"

#define RT_DEFAULT_BUDGET_US 4000UL
#define RT_DEFAULT_PERIOD_US 10000UL
#define RT_MIN_US 10UL
#define RT_MAX_PERIOD_US 10000000UL /* 10 s */

struct rt_pool {
    struct sched_link runq;     /* queued with budget, by deadline */
    struct sched_link depleted; /* queued without budget, by deadline (= replenishment) */
};

struct rt_dom {
    uint64_t budget, period; /* ns */
    bool extratime;
};

struct rt_vcpu {
    struct sched_vcpu *sv;
    struct sched_link link;
    uint64_t deadline; /* end of the current period; 0 before the first wake */
    uint64_t left;     /* budget left in the current period */
    uint64_t misses;
    bool in_extra; /* running on extra time (no budget) */
};

static struct rt_pool *rpool(struct sched_pool *p)
{
    return p->priv;
}

static struct rt_vcpu *rvcpu(struct sched_vcpu *sv)
{
    return sv->priv;
}

static struct rt_dom *rdom(struct rt_vcpu *r)
{
    return r->sv->sd->priv;
}

static int rt_pool_init(struct sched_pool *p)
{
    slist_init(&rpool(p)->runq);
    slist_init(&rpool(p)->depleted);
    return 0;
}

static bool rt_params_ok(uint64_t budget_us, uint64_t period_us)
{
    return budget_us >= RT_MIN_US && budget_us <= period_us && period_us <= RT_MAX_PERIOD_US;
}

static int rt_dom_init(struct sched_pool *p, struct sched_dom *sd, const struct sched_params *sp)
{
    struct rt_dom *rd = sd->priv;
    uint64_t budget = sp->budget_us ? sp->budget_us : RT_DEFAULT_BUDGET_US;
    uint64_t period = sp->period_us ? sp->period_us : RT_DEFAULT_PERIOD_US;
    if (!rt_params_ok(budget, period)) {
        pr_err("domain %s: RTDS needs %lu us <= budget (%lu us) <= period (%lu us) <= %lu us\n",
               sd->d->name, RT_MIN_US, budget, period, RT_MAX_PERIOD_US);
        return -EINVAL;
    }
    rd->budget = budget * NS_PER_US;
    rd->period = period * NS_PER_US;
    rd->extratime = sp->extratime;
    return 0;
}

static void rt_dom_get(struct sched_pool *p, struct sched_dom *sd, struct sched_params *out)
{
    struct rt_dom *rd = sd->priv;
    out->budget_us = rd->budget / NS_PER_US;
    out->period_us = rd->period / NS_PER_US;
    out->extratime = rd->extratime;
}

/* The new budget and period count from each vCPU's next replenishment; a vCPU never keeps more
 * budget than the new one. */
static int rt_dom_set(struct sched_pool *p, struct sched_dom *sd, const struct sched_params *sp)
{
    struct rt_dom *rd = sd->priv;
    if (!rt_params_ok(sp->budget_us, sp->period_us))
        return -EINVAL;
    rd->budget = sp->budget_us * NS_PER_US;
    rd->period = sp->period_us * NS_PER_US;
    rd->extratime = sp->extratime;
    struct sched_link *l;
    slist_for_each(l, &sd->vcpus)
    {
        struct rt_vcpu *r = rvcpu(container_of(l, struct sched_vcpu, dom_link));
        r->left = MIN(r->left, rd->budget);
    }
    return 0;
}

static void rt_vcpu_insert(struct sched_pool *p, struct sched_vcpu *sv)
{
    rvcpu(sv)->sv = sv;
    slist_init(&rvcpu(sv)->link);
}

/* Move to the period that contains now, with a full budget (periods keep their phase). */
static void advance(struct rt_vcpu *r, uint64_t now)
{
    uint64_t period = rdom(r)->period;
    if (!r->deadline)
        r->deadline = now + period;
    else if (now >= r->deadline)
        r->deadline += ((now - r->deadline) / period + 1) * period;
    r->left = rdom(r)->budget;
}

static void insert_by_deadline(struct sched_link *q, struct rt_vcpu *r)
{
    struct sched_link *l;
    slist_for_each(l, q)
    {
        if (container_of(l, struct rt_vcpu, link)->deadline > r->deadline)
            break;
    }
    slist_insert_before(l, &r->link);
}

static uint64_t head_deadline(struct sched_link *q)
{
    return slist_empty(q) ? UINT64_MAX : container_of(q->next, struct rt_vcpu, link)->deadline;
}

/* The pool timer must fire by the earliest deadline of a queued vCPU. */
static void arm(struct sched_pool *p)
{
    uint64_t d = MIN(head_deadline(&rpool(p)->runq), head_deadline(&rpool(p)->depleted));
    if (d == UINT64_MAX)
        return;
    if (!p->timer_deadline || d < p->timer_deadline)
        sched_pool_timer_set(p, d);
}

/* Find a pCPU for r: an idle one, else one running on extra time, else the one whose vCPU has
 * the latest deadline if later than r's.  Extra-time candidates only take idle pCPUs. */
static void tickle(struct rt_vcpu *r)
{
    int idle = sched_find_idle_cpu(r->sv->affinity, r->sv->v->cpu);
    if (idle >= 0) {
        sched_kick_cpu((unsigned)idle);
        return;
    }
    if (!r->left)
        return;
    uint64_t mask = sched_online_mask(r->sv->affinity), latest = r->deadline;
    int victim = -1;
    for (; mask; mask &= mask - 1) {
        unsigned cpu = (unsigned)__builtin_ctzll(mask);
        struct sched_vcpu *cur = sched_cpu_curr(cpu);
        if (!cur || sched_cpu_kicked(cpu))
            continue;
        struct rt_vcpu *rc = rvcpu(cur);
        if (rc->in_extra) {
            victim = (int)cpu;
            break;
        }
        if (rc->deadline > latest) {
            latest = rc->deadline;
            victim = (int)cpu;
        }
    }
    if (victim >= 0)
        sched_kick_cpu((unsigned)victim);
}

static void enqueue(struct sched_pool *p, struct rt_vcpu *r)
{
    insert_by_deadline(r->left ? &rpool(p)->runq : &rpool(p)->depleted, r);
    if (r->left || rdom(r)->extratime)
        tickle(r);
}

/* Replenish queued vCPUs whose period ended; a runnable one that still had budget missed its
 * deadline. */
static void replenish_due(struct sched_pool *p, uint64_t now)
{
    struct rt_pool *rp = rpool(p);
    struct sched_link *qs[] = { &rp->runq, &rp->depleted };
    for (unsigned i = 0; i < ARRAY_SIZE(qs); i++) {
        while (head_deadline(qs[i]) <= now) {
            struct rt_vcpu *r = container_of(qs[i]->next, struct rt_vcpu, link);
            slist_del(&r->link);
            if (r->left)
                r->misses++;
            advance(r, now);
            enqueue(p, r);
        }
    }
}

static void rt_wake(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now, enum sched_wake why)
{
    struct rt_vcpu *r = rvcpu(sv);
    if (!r->deadline || now >= r->deadline) {
        if (why == WAKE_REQUEUE && r->deadline && r->left)
            r->misses++;
        advance(r, now);
    }
    enqueue(p, r);
    arm(p);
}

static void rt_sleep(struct sched_pool *p, struct sched_vcpu *sv)
{
    slist_del(&rvcpu(sv)->link);
}

/* Charge prev's run; at the end of its period, replenish it. */
static void charge(struct rt_vcpu *r, uint64_t ran, uint64_t now)
{
    if (!r->in_extra)
        r->left = ran < r->left ? r->left - ran : 0;
    r->in_extra = false;
    if (now >= r->deadline) {
        if (r->left && sched_runnable(r->sv))
            r->misses++;
        advance(r, now);
    }
}

/* First vCPU of q allowed on cpu (and, if extra, with extra time), or NULL. */
static struct rt_vcpu *first_allowed(struct sched_link *q, unsigned cpu, bool extra)
{
    struct sched_link *l;
    slist_for_each(l, q)
    {
        struct rt_vcpu *r = container_of(l, struct rt_vcpu, link);
        if ((r->sv->affinity & BIT(cpu)) && (!extra || rdom(r)->extratime))
            return r;
    }
    return NULL;
}

/* Of prev (if it qualifies) and the queue's candidate, the one with the earlier deadline;
 * prev keeps the pCPU on a tie. */
static struct rt_vcpu *earlier(struct rt_vcpu *prev, struct rt_vcpu *cand)
{
    if (prev && (!cand || prev->deadline <= cand->deadline))
        return prev;
    return cand;
}

static struct sched_vcpu *rt_do_schedule(struct sched_pool *p, unsigned cpu,
                                         struct sched_vcpu *prev, uint64_t ran_ns, uint64_t now,
                                         uint64_t *slice_ns)
{
    struct rt_pool *rp = rpool(p);
    struct rt_vcpu *pr = prev ? rvcpu(prev) : NULL;
    if (pr)
        charge(pr, ran_ns, now);
    replenish_due(p, now);
    bool prev_ok = pr && sched_runnable(prev) && (prev->affinity & BIT(cpu));
    struct rt_vcpu *next =
        earlier(prev_ok && pr->left ? pr : NULL, first_allowed(&rp->runq, cpu, false));
    bool extra = false;
    if (!next) {
        bool prev_extra = prev_ok && rdom(pr)->extratime;
        next = earlier(prev_extra ? pr : NULL, first_allowed(&rp->depleted, cpu, true));
        extra = next != NULL;
    }
    arm(p);
    if (!next) {
        *slice_ns = 0;
        return NULL;
    }
    if (next != pr)
        slist_del(&next->link);
    next->in_extra = extra;
    *slice_ns = extra ? next->deadline - now : MIN(next->left, next->deadline - now);
    return next->sv;
}

static void rt_timer(struct sched_pool *p, uint64_t now)
{
    replenish_due(p, now);
    arm(p);
}

static void rt_dump_domain(struct sched_pool *p, struct sched_dom *sd, sched_print_fn print)
{
    struct rt_dom *rd = sd->priv;
    print("budget %lu us, period %lu us, extratime %s", rd->budget / NS_PER_US,
          rd->period / NS_PER_US, rd->extratime ? "yes" : "no");
}

static void rt_dump_vcpu(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                         sched_print_fn print)
{
    struct rt_vcpu *r = rvcpu(sv);
    if (!r->deadline)
        print(", not started");
    else if (r->deadline > now)
        print(", %lu us left, deadline in %lu us", r->left / NS_PER_US,
              (r->deadline - now) / NS_PER_US);
    else
        print(", period over (replenished when it next runs)");
    print(", %lu deadline misses%s", r->misses, r->in_extra ? ", on extra time" : "");
}

const struct sched_policy sched_rtds_policy = {
    .name = "rtds",
    .pool_size = sizeof(struct rt_pool),
    .dom_size = sizeof(struct rt_dom),
    .vcpu_size = sizeof(struct rt_vcpu),
    .pool_init = rt_pool_init,
    .dom_init = rt_dom_init,
    .dom_get = rt_dom_get,
    .dom_set = rt_dom_set,
    .vcpu_insert = rt_vcpu_insert,
    .wake = rt_wake,
    .sleep = rt_sleep,
    .do_schedule = rt_do_schedule,
    .timer = rt_timer,
    .dump_domain = rt_dump_domain,
    .dump_vcpu = rt_dump_vcpu,
};
