/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credit: the proportional-share policy ("credit", also answers to "credit2").  Each vCPU has a
 * virtual time that advances while it runs, slower the larger its share (its domain's weight
 * split among the domain's runnable vCPUs); the pool's single run queue, ordered by virtual
 * time, runs the vCPU that is furthest behind, i.e. has the most credit.  Any pCPU of the pool
 * takes from that queue, so idle pCPUs pull work; affinity is honoured when taking.  A vCPU
 * that becomes runnable is placed no further behind than the pool's minimum less half a slice
 * (sleeping banks no credit) and preempts what runs if it is clearly behind it (prompt service
 * after an interrupt), unless what runs has had its pCPU for less than the rate limit (Xen's
 * sched_ratelimit_us, 1 ms by default): then it waits for that pCPU's next decision, as on
 * Xen's credit2.  A cap limits a domain to cap% of one pCPU per 10 ms
 * period, enforced by budget grants that never cross a period end; a domain over its cap is
 * parked until the next period even if pCPUs idle.  Hooks run under the pool lock.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/smp.h>
#include "sched_internal.h"

#define CREDIT_DEFAULT_WEIGHT 256
#define CREDIT_MAX_WEIGHT 65535
#define CAP_PERIOD_NS (10 * NS_PER_MS)
/* Virtual time is renormalised before it could overflow; a pool's spread stays far below. */
#define VTIME_RENORM (1UL << 62)
#define VTIME_BASE (1UL << 40)

struct credit_pool {
    struct sched_link runq;   /* queued: boosted first (FIFO), then by virtual time (FIFO among
                                 equals) */
    struct sched_link parked; /* queued, but their domain used its cap for this period */
    uint64_t min_vtime;       /* monotonic floor: least virtual time of a runnable vCPU */
};

struct credit_dom {
    unsigned weight;
    unsigned cap;        /* % of one pCPU, 0 = none */
    int64_t budget;      /* cap: ns the domain may still run in this period, grants taken */
    uint64_t period_end; /* cap periods are aligned to multiples of CAP_PERIOD_NS */
    uint64_t parks;      /* times one of its vCPUs was parked */
};

struct credit_vcpu {
    struct sched_vcpu *sv;
    struct sched_link link; /* in runq or parked while queued */
    uint64_t vtime;
    uint64_t slice_end; /* when its current time slice ends */
    uint64_t limit_end; /* it keeps its pCPU until then (the rate limit), whoever wakes */
    int64_t grant;      /* cap budget reserved for the current run, 0 if none */
    uint64_t grant_end; /* end of the period the grant came from */
    bool queued, parked, yielded;
    bool boosted; /* woke with credit: runs before unboosted vCPUs, until it is next charged */
};

static struct credit_pool *cpool(struct sched_pool *p)
{
    return p->priv;
}

static struct credit_vcpu *cvcpu(struct sched_vcpu *sv)
{
    return sv->priv;
}

static struct credit_dom *cdom(struct credit_vcpu *c)
{
    return c->sv->sd->priv;
}

static uint64_t bonus_ns(void)
{
    return sched_slice_ns / 2;
}

static uint64_t preempt_gran_ns(void)
{
    return sched_slice_ns / 10;
}

static int credit_pool_init(struct sched_pool *p)
{
    slist_init(&cpool(p)->runq);
    slist_init(&cpool(p)->parked);
    cpool(p)->min_vtime = VTIME_BASE;
    return 0;
}

static bool credit_params_ok(const struct sched_params *sp)
{
    return sp->weight <= CREDIT_MAX_WEIGHT && sp->cap <= 100 * MAX_VCPUS_PER_DOMAIN;
}

static int credit_dom_init(struct sched_pool *p, struct sched_dom *sd,
                           const struct sched_params *sp)
{
    struct credit_dom *cd = sd->priv;
    if (sp->weight > CREDIT_MAX_WEIGHT) {
        pr_err("domain %s: weight %u is outside 1..%u\n", sd->d->name, sp->weight,
               CREDIT_MAX_WEIGHT);
        return -EINVAL;
    }
    if (!credit_params_ok(sp)) {
        pr_err("domain %s: cap %u%% is above %u%%\n", sd->d->name, sp->cap,
               100 * MAX_VCPUS_PER_DOMAIN);
        return -EINVAL;
    }
    cd->weight = sp->weight ? sp->weight : CREDIT_DEFAULT_WEIGHT;
    cd->cap = sp->cap;
    return 0;
}

static void credit_dom_get(struct sched_pool *p, struct sched_dom *sd, struct sched_params *out)
{
    struct credit_dom *cd = sd->priv;
    out->weight = cd->weight;
    out->cap = cd->cap;
}

/* A new weight counts from the next charge.  A new cap starts a fresh period at the next
 * look (grants already taken are dropped); vCPUs parked under a cap now gone are let go at the
 * period's end, by the pool timer that parked them. */
static int credit_dom_set(struct sched_pool *p, struct sched_dom *sd, const struct sched_params *sp)
{
    struct credit_dom *cd = sd->priv;
    if (!sp->weight || !credit_params_ok(sp))
        return -EINVAL;
    cd->weight = sp->weight;
    if (cd->cap != sp->cap) {
        cd->cap = sp->cap;
        cd->budget = 0;
        cd->period_end = 0;
    }
    return 0;
}

static void credit_vcpu_insert(struct sched_pool *p, struct sched_vcpu *sv)
{
    struct credit_vcpu *c = cvcpu(sv);
    c->sv = sv;
    c->vtime = cpool(p)->min_vtime;
    slist_init(&c->link);
}

/* --- caps --- */

/* Start a new period's budget if the last one is over; a run that overshot the end of the
 * previous period pays for it in this one. */
static void cap_refresh(struct credit_dom *cd, uint64_t now)
{
    if (now < cd->period_end)
        return;
    int64_t quota = (int64_t)(cd->cap * CAP_PERIOD_NS / 100);
    bool next_period = now < cd->period_end + CAP_PERIOD_NS;
    cd->budget = quota + (next_period && cd->budget < 0 ? cd->budget : 0);
    cd->period_end = now - now % CAP_PERIOD_NS + CAP_PERIOD_NS;
}

static bool cap_allows(struct credit_vcpu *c, uint64_t now)
{
    struct credit_dom *cd = cdom(c);
    if (!cd->cap)
        return true;
    cap_refresh(cd, now);
    return cd->budget > 0;
}

/* Reserve budget for a run of up to want ns starting now; returns the run's length. */
static uint64_t take_grant(struct credit_vcpu *c, uint64_t want, uint64_t now)
{
    struct credit_dom *cd = cdom(c);
    if (!cd->cap)
        return want;
    uint64_t g = MIN(want, MIN((uint64_t)cd->budget, cd->period_end - now));
    cd->budget -= (int64_t)g;
    c->grant = (int64_t)g;
    c->grant_end = cd->period_end;
    return g;
}

/* Give back what the run did not use (or charge what it overshot). */
static void return_grant(struct credit_vcpu *c, uint64_t ran, uint64_t now)
{
    struct credit_dom *cd = cdom(c);
    if (!c->grant)
        return;
    if (c->grant_end == cd->period_end)
        cd->budget += c->grant - (int64_t)ran;
    else if (now > c->grant_end) /* a new period began meanwhile: it pays for its own part */
        cd->budget -= (int64_t)(now - c->grant_end);
    c->grant = 0;
}

static void park(struct sched_pool *p, struct credit_vcpu *c, uint64_t now)
{
    slist_insert_before(&cpool(p)->parked, &c->link);
    c->parked = true;
    cdom(c)->parks++;
    /* Every domain's periods share the same boundaries. */
    uint64_t boundary = now - now % CAP_PERIOD_NS + CAP_PERIOD_NS;
    if (!p->timer_deadline || p->timer_deadline > boundary)
        sched_pool_timer_set(p, boundary);
}

/* --- queue --- */

static void runq_insert(struct credit_pool *cp, struct credit_vcpu *c)
{
    struct sched_link *l;
    slist_for_each(l, &cp->runq)
    {
        struct credit_vcpu *o = container_of(l, struct credit_vcpu, link);
        if (c->boosted ? !o->boosted : !o->boosted && o->vtime > c->vtime)
            break;
    }
    slist_insert_before(l, &c->link);
}

/* Least virtual time in the run queue: among the boosted and the first unboosted. */
static uint64_t runq_min_vtime(struct credit_pool *cp)
{
    uint64_t m = UINT64_MAX;
    struct sched_link *l;
    slist_for_each(l, &cp->runq)
    {
        struct credit_vcpu *o = container_of(l, struct credit_vcpu, link);
        m = MIN(m, o->vtime);
        if (!o->boosted)
            break;
    }
    return m;
}

static void dequeue(struct credit_vcpu *c)
{
    slist_del(&c->link);
    c->queued = c->parked = false;
}

/* Virtual time for running ran ns: real time scaled by the reference weight over the vCPU's
 * part of its domain's weight. */
static uint64_t burn(struct credit_vcpu *c, uint64_t ran)
{
    uint64_t share = MAX(c->sv->sd->nr_runnable, 1u);
    /* Runs are at most a slice (<= 1 s) plus lateness; the bound keeps the product in 64 bits
     * (2^36 ns * 256 * MAX_VCPUS_PER_DOMAIN). */
    uint64_t t = MIN(ran, 1UL << 36);
    return t * CREDIT_DEFAULT_WEIGHT * share / cdom(c)->weight;
}

/* Find a pCPU for c: an idle one it may use, else the one running the unboosted vCPU furthest
 * ahead, if c is boosted or clearly behind it (that also undoes an unlucky race where a pCPU
 * decided while c, just descheduled elsewhere, was being saved and so in no queue).  A vCPU
 * inside its rate limit is not a victim, as in Xen's credit2: c waits in the queue for that
 * pCPU's next decision (the end of that run's slice, or its vCPU blocking). */
static void tickle(struct sched_pool *p, struct credit_vcpu *c, uint64_t now)
{
    int idle = sched_find_idle_cpu(c->sv->affinity, c->sv->v->cpu);
    if (idle >= 0) {
        sched_kick_cpu((unsigned)idle);
        return;
    }
    uint64_t mask = sched_online_mask(c->sv->affinity);
    int victim = -1;
    uint64_t worst = 0;
    for (; mask; mask &= mask - 1) {
        unsigned cpu = (unsigned)__builtin_ctzll(mask);
        struct sched_vcpu *cur = sched_cpu_curr(cpu);
        if (!cur || sched_cpu_kicked(cpu) || cvcpu(cur)->boosted || now < cvcpu(cur)->limit_end)
            continue;
        /* Its virtual time as it will be charged: it has run since it was last charged. */
        uint64_t v = cvcpu(cur)->vtime + burn(cvcpu(cur), sched_cpu_uncharged(cpu, now));
        if (v >= worst) {
            worst = v;
            victim = (int)cpu;
        }
    }
    if (victim >= 0 && (c->boosted || c->vtime + preempt_gran_ns() < worst))
        sched_kick_cpu((unsigned)victim);
}

static void credit_wake(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                        enum sched_wake why)
{
    struct credit_pool *cp = cpool(p);
    struct credit_vcpu *c = cvcpu(sv);
    if (why != WAKE_REQUEUE) {
        /* Sleeping banks no credit. */
        uint64_t floor = cp->min_vtime > bonus_ns() ? cp->min_vtime - bonus_ns() : 0;
        c->vtime = MAX(c->vtime, floor);
    }
    /* Woken by an interrupt and not ahead of the pool: served first (prompt I/O service). */
    c->boosted = why == WAKE_IRQ && c->vtime <= cp->min_vtime;
    c->queued = true;
    if (!cap_allows(c, now)) {
        park(p, c, now);
        return;
    }
    runq_insert(cp, c);
    tickle(p, c, now);
}

static void credit_sleep(struct sched_pool *p, struct sched_vcpu *sv)
{
    dequeue(cvcpu(sv));
}

/* --- decisions --- */

static void charge(struct credit_vcpu *c, uint64_t ran, uint64_t now)
{
    c->vtime += burn(c, ran);
    c->boosted = false;
    return_grant(c, ran, now);
}

static void renormalise(struct sched_pool *p, struct credit_pool *cp)
{
    uint64_t delta = cp->min_vtime - VTIME_BASE;
    struct sched_link *dl, *vl;
    slist_for_each(dl, &p->doms)
    {
        struct sched_dom *sd = container_of(dl, struct sched_dom, pool_link);
        slist_for_each(vl, &sd->vcpus)
        {
            struct credit_vcpu *c = cvcpu(container_of(vl, struct sched_vcpu, dom_link));
            c->vtime = c->vtime > delta ? c->vtime - delta : 0;
        }
    }
    cp->min_vtime = VTIME_BASE;
}

/* Raise the pool's floor to the least virtual time of a runnable vCPU (prev counts as one if
 * it still is; parked ones do not, they cannot run). */
static void update_min_vtime(struct sched_pool *p, unsigned cpu, struct credit_vcpu *prev)
{
    struct credit_pool *cp = cpool(p);
    uint64_t m = runq_min_vtime(cp);
    if (prev && sched_runnable(prev->sv))
        m = MIN(m, prev->vtime);
    for (uint64_t others = p->cpus & ~BIT(cpu); others; others &= others - 1) {
        struct sched_vcpu *cur = sched_cpu_curr((unsigned)__builtin_ctzll(others));
        if (cur)
            m = MIN(m, cvcpu(cur)->vtime);
    }
    if (m != UINT64_MAX && m > cp->min_vtime)
        cp->min_vtime = m;
    if (cp->min_vtime > VTIME_RENORM)
        renormalise(p, cp);
}

/* The first queued vCPU allowed on cpu whose domain may run; parks those over their cap. */
static struct credit_vcpu *first_eligible(struct sched_pool *p, unsigned cpu, uint64_t now)
{
    struct credit_pool *cp = cpool(p);
    struct sched_link *l = cp->runq.next;
    while (l != &cp->runq) {
        struct credit_vcpu *c = container_of(l, struct credit_vcpu, link);
        l = l->next;
        if (!(c->sv->affinity & BIT(cpu)))
            continue;
        if (cap_allows(c, now))
            return c;
        slist_del(&c->link);
        park(p, c, now);
    }
    return NULL;
}

static struct sched_vcpu *credit_do_schedule(struct sched_pool *p, unsigned cpu,
                                             struct sched_vcpu *prev, uint64_t ran_ns, uint64_t now,
                                             uint64_t *slice_ns)
{
    struct credit_vcpu *pc = prev ? cvcpu(prev) : NULL, *next;
    if (pc)
        charge(pc, ran_ns, now);
    update_min_vtime(p, cpu, pc);
    bool prev_ok = pc && sched_runnable(prev) && (prev->affinity & BIT(cpu)) && cap_allows(pc, now);
    /* The rate limit, as Xen's: a vCPU that has had its pCPU for less than it keeps it (unless
     * it yielded).  Wake-ups meanwhile do not kick it (tickle); a pass taken for another reason
     * keeps it and decides again when the limit is reached.  A back end and its front ends on
     * one pCPU then each work through a batch of requests before they switch. */
    if (prev_ok && !pc->yielded && now < pc->limit_end) {
        *slice_ns = take_grant(pc, pc->limit_end - now, now);
        return prev;
    }
    struct credit_vcpu *best = first_eligible(p, cpu, now);
    /* prev keeps the pCPU only while strictly behind: on a tie the queue's vCPU has waited. */
    if (prev_ok && (!best || (!pc->yielded && !best->boosted && pc->vtime < best->vtime)))
        next = pc;
    else
        next = best;
    if (pc)
        pc->yielded = false;
    if (!next) {
        *slice_ns = 0;
        return NULL;
    }
    if (next != pc) {
        dequeue(next);
        next->limit_end = now + READ_ONCE(sched_ratelimit_ns);
    }
    /* A vCPU kept on keeps the rest of its slice.  Always a slice, even alone: virtual time
     * must be charged as it goes. */
    if (next != pc || now >= next->slice_end)
        next->slice_end = now + sched_slice_ns;
    *slice_ns = take_grant(next, next->slice_end - now, now);
    return next->sv;
}

static void credit_yield(struct sched_pool *p, struct sched_vcpu *sv)
{
    cvcpu(sv)->yielded = true;
}

/* A cap period ended: unpark the vCPUs whose domain has budget again. */
static void credit_timer(struct sched_pool *p, uint64_t now)
{
    struct credit_pool *cp = cpool(p);
    struct sched_link *l = cp->parked.next;
    bool still_parked = false;
    while (l != &cp->parked) {
        struct credit_vcpu *c = container_of(l, struct credit_vcpu, link);
        l = l->next;
        if (!cap_allows(c, now)) {
            still_parked = true;
            continue;
        }
        dequeue(c);
        credit_wake(p, c->sv, now, WAKE_START);
    }
    if (still_parked)
        sched_pool_timer_set(p, now - now % CAP_PERIOD_NS + CAP_PERIOD_NS);
}

static void credit_dump_domain(struct sched_pool *p, struct sched_dom *sd, sched_print_fn print)
{
    struct credit_dom *cd = sd->priv;
    if (cd->cap)
        print("weight %u, cap %u%% (%ld us left this period, parked %lu times)", cd->weight,
              cd->cap, cd->budget / (int64_t)NS_PER_US, cd->parks);
    else
        print("weight %u, no cap", cd->weight);
}

/* Credit: how far behind the pool's least virtual time it is (negative: ahead). */
static void credit_dump_vcpu(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                             sched_print_fn print)
{
    struct credit_vcpu *c = cvcpu(sv);
    int64_t credit = (int64_t)(cpool(p)->min_vtime - c->vtime);
    print(", credit %ld us%s%s", credit / (int64_t)NS_PER_US, c->boosted ? ", boosted" : "",
          c->parked ? ", parked (over its cap)" : "");
}

const struct sched_policy sched_credit_policy = {
    .name = "credit",
    .pool_size = sizeof(struct credit_pool),
    .dom_size = sizeof(struct credit_dom),
    .vcpu_size = sizeof(struct credit_vcpu),
    .pool_init = credit_pool_init,
    .dom_init = credit_dom_init,
    .dom_get = credit_dom_get,
    .dom_set = credit_dom_set,
    .vcpu_insert = credit_vcpu_insert,
    .wake = credit_wake,
    .sleep = credit_sleep,
    .do_schedule = credit_do_schedule,
    .yield = credit_yield,
    .timer = credit_timer,
    .dump_domain = credit_dump_domain,
    .dump_vcpu = credit_dump_vcpu,
};
