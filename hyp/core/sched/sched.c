/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scheduler framework: the per-pCPU run loop, vCPU state transitions, time slices and CPU-time
 * accounting; which vCPU runs is the choice of the policy of the pCPU's pool.  A vCPU's state
 * and its policy's queues are guarded by its pool's lock, taken with interrupts masked.  A
 * vCPU is never live on two pCPUs: `running` is set when it is picked and cleared only after
 * arch_vcpu_put() saved it, and only then does it go back to the policy's queues, the one
 * place another pCPU could pick it from.  Each vCPU's Xen runstate (running, runnable,
 * blocked, offline) changes under the same lock, at the same points, and is copied into the
 * guest's registered area only when the vCPU is switched in or out.
 */
#include <hyp/arch/cpu.h>
#include <hyp/arch/domain.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/sched.h>
#include <hyp/smp.h>
#include <hyp/timer.h>
#include "sched_internal.h"

struct sched_cpu {
    struct sched_pool *pool; /* the pool this pCPU last decided for; only it writes this */
    struct sched_vcpu *curr; /* what runs here in the policy's view; pool lock */
    uint64_t since;          /* when curr was last charged */
    struct timer slice_timer;
};

static struct sched_cpu sched_cpus[MAX_CPUS];

static void slice_expired(struct timer *t, void *ctx)
{
    WRITE_ONCE(percpu_data[(uintptr_t)ctx].need_resched, true);
}

void sched_init(void)
{
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        sched_cpus[c].curr = NULL;
        sched_cpus[c].pool = NULL;
        percpu_data[c].need_resched = false;
        timer_init(&sched_cpus[c].slice_timer, slice_expired, (void *)(uintptr_t)c);
    }
    sched_pools_init();
}

/* --- services for policies --- */

struct sched_vcpu *sched_cpu_curr(unsigned cpu)
{
    return sched_cpus[cpu].curr;
}

uint64_t sched_cpu_uncharged(unsigned cpu, uint64_t now)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    return sc->curr && now > sc->since ? now - sc->since : 0;
}

bool sched_cpu_kicked(unsigned cpu)
{
    return READ_ONCE(percpu_data[cpu].need_resched);
}

uint64_t sched_online_mask(uint64_t mask)
{
    return mask & cpus_online_mask();
}

static bool idle_and_free(unsigned cpu)
{
    return !sched_cpus[cpu].curr && !sched_cpu_kicked(cpu);
}

int sched_find_idle_cpu(uint64_t mask, unsigned prefer)
{
    mask = sched_online_mask(mask);
    if (prefer < MAX_CPUS && (mask & BIT(prefer)) && idle_and_free(prefer))
        return (int)prefer;
    for (; mask; mask &= mask - 1) {
        unsigned c = (unsigned)__builtin_ctzll(mask);
        if (idle_and_free(c))
            return (int)c;
    }
    return -1;
}

void sched_pool_timer_fired(struct timer *t, void *ctx)
{
    struct sched_pool *p = ctx;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint64_t now = time_now_ns();
    /* A firing that raced with a re-arm for later is not due yet. */
    if (p->timer_deadline && now >= p->timer_deadline) {
        p->timer_deadline = 0;
        if (p->policy->timer)
            p->policy->timer(p, now);
    }
    spin_unlock_irqrestore(&p->lock, flags);
}

void sched_pool_timer_set(struct sched_pool *p, uint64_t deadline)
{
    if (deadline == p->timer_deadline)
        return;
    p->timer_deadline = deadline;
    if (deadline)
        timer_set(&p->timer, deadline, p->timer_cpu);
    else
        timer_cancel(&p->timer);
}

void sched_kick_cpu(unsigned cpu)
{
    WRITE_ONCE(percpu_data[cpu].need_resched, true);
    if (cpu != cpu_id() && cpu_online(cpu))
        ipi_send(cpu, IPI_RESCHEDULE);
}

/* --- Xen runstates --- */

/* Pool lock held: the runstate v is in now. */
static int runstate_of(const struct vcpu *v)
{
    if (v->running)
        return RUNSTATE_running;
    switch (v->state) {
    case VCPU_RUNNABLE:
        return RUNSTATE_runnable;
    case VCPU_BLOCKED:
        return RUNSTATE_blocked;
    default:
        return RUNSTATE_offline; /* offline, or paused with its domain (as Xen counts it) */
    }
}

/* Pool lock held: close the time spent in the old runstate if v's has changed. */
static void runstate_update(struct vcpu *v, uint64_t now)
{
    struct vcpu_runstate_info *r = &v->runstate;
    int st = runstate_of(v);
    if (st == r->state)
        return;
    if (now > r->state_entry_time) {
        r->time[r->state] += now - r->state_entry_time;
        r->state_entry_time = now;
    }
    r->state = st;
}

/* Pool lock held: copy v's runstate into the guest's area (xen-abi-facts B.3).  With the
 * domain's runstate_update_flag assist, state_entry_time carries XEN_RUNSTATE_UPDATE while
 * the rest changes; without it, state_entry_time is written last and a reader retries when it
 * changed under it.  The area is a frame Keel holds, so this is safe from any pCPU. */
static void runstate_publish(struct vcpu *v)
{
    struct vcpu_runstate_info *g = v->runstate_area, *r = &v->runstate;
    if (likely(!g))
        return;
    bool flag = READ_ONCE(v->dom->vm_assist) & BIT(VMASST_TYPE_runstate_update_flag);
    if (flag) {
        WRITE_ONCE(g->state_entry_time, r->state_entry_time | XEN_RUNSTATE_UPDATE);
        __atomic_thread_fence(__ATOMIC_RELEASE);
    }
    WRITE_ONCE(g->state, r->state);
    for (unsigned i = 0; i < ARRAY_SIZE(r->time); i++)
        WRITE_ONCE(g->time[i], r->time[i]);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(g->state_entry_time, r->state_entry_time);
}

struct vcpu_runstate_info *sched_runstate_set_area(struct vcpu *v, struct vcpu_runstate_info *area)
{
    struct sched_vcpu *sv = v->sched_priv;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    struct vcpu_runstate_info *old = v->runstate_area;
    v->runstate_area = area;
    runstate_publish(v);
    spin_unlock_irqrestore(&p->lock, flags);
    return old;
}

void sched_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out)
{
    struct sched_vcpu *sv = v->sched_priv;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    *out = v->runstate;
    spin_unlock_irqrestore(&p->lock, flags);
}

/* --- domains and vCPUs --- */

int sched_domain_init(struct domain *d)
{
    const struct sched_params *sp = &d->cfg.sched;
    /* The pools lock keeps the pool and its pCPUs as they are until d is in it. */
    unsigned long pflags = sched_pools_lock();
    struct sched_pool *p = sched_pool_find(sp->pool);
    int rc = -EINVAL;
    if (!p) {
        pr_err("domain %s: unknown CPU pool \"%s\"\n", d->name, sp->pool);
        goto out;
    }
    uint64_t affinity = (sp->affinity ? sp->affinity : ~0UL) & p->cpus;
    if (!affinity) {
        pr_err("domain %s: its CPU affinity has no pCPU of pool %s\n", d->name, p->name);
        goto out;
    }
    rc = -ENOMEM;
    struct sched_dom *sd = heap_zalloc(sizeof(*sd));
    void *priv = p->policy->dom_size ? heap_zalloc(p->policy->dom_size) : NULL;
    if (!sd || (p->policy->dom_size && !priv)) {
        heap_free(sd);
        heap_free(priv);
        goto out;
    }
    *sd = (struct sched_dom){ .d = d, .pool = p, .affinity = affinity, .priv = priv };
    slist_init(&sd->vcpus);
    rc = p->policy->dom_init ? p->policy->dom_init(p, sd, sp) : 0;
    if (rc) {
        heap_free(priv);
        heap_free(sd);
        goto out;
    }
    unsigned long flags = spin_lock_irqsave(&p->lock);
    slist_insert_before(&p->doms, &sd->pool_link);
    spin_unlock_irqrestore(&p->lock, flags);
    d->sched_priv = sd;
out:
    sched_pools_unlock(pflags);
    return rc;
}

void sched_domain_destroy(struct domain *d)
{
    struct sched_dom *sd = d->sched_priv;
    if (!sd)
        return;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sd, &flags);
    BUG_ON(!slist_empty(&sd->vcpus));
    slist_del(&sd->pool_link);
    spin_unlock_irqrestore(&p->lock, flags);
    d->sched_priv = NULL;
    heap_free(sd->priv);
    heap_free(sd);
}

int sched_vcpu_init(struct vcpu *v)
{
    struct sched_dom *sd = v->dom->sched_priv;
    if (!sd)
        return -EINVAL;
    unsigned long flags;
    struct sched_pool *p;
    struct sched_vcpu *sv;
    for (;;) {
        /* The policy's data is sized for the pool read here; a move in between means again. */
        const struct sched_policy *policy = READ_ONCE(sd->pool)->policy;
        sv = heap_zalloc(sizeof(*sv));
        void *priv = policy->vcpu_size ? heap_zalloc(policy->vcpu_size) : NULL;
        if (!sv || (policy->vcpu_size && !priv)) {
            heap_free(sv);
            heap_free(priv);
            return -ENOMEM;
        }
        p = sched_lock_dom(sd, &flags);
        if (p->policy == policy) {
            sv->priv = priv;
            break;
        }
        spin_unlock_irqrestore(&p->lock, flags);
        heap_free(priv);
        heap_free(sv);
    }
    uint64_t asked = v->dom->cfg.sched.affinity ? v->dom->cfg.sched.affinity : ~0UL;
    *sv = (struct sched_vcpu){
        .v = v, .sd = sd, .affinity = sd->affinity, .asked = asked, .priv = sv->priv
    };
    v->state = VCPU_OFFLINE;
    v->runstate =
        (struct vcpu_runstate_info){ .state = RUNSTATE_offline, .state_entry_time = time_now_ns() };
    v->cpu = (unsigned)__builtin_ctzll(sv->affinity);
    v->sched_priv = sv;
    slist_insert_before(&sd->vcpus, &sv->dom_link);
    if (p->policy->vcpu_insert)
        p->policy->vcpu_insert(p, sv);
    spin_unlock_irqrestore(&p->lock, flags);
    return 0;
}

/* Pool lock held. */
static void set_state_locked(struct sched_pool *p, struct vcpu *v, enum vcpu_state state)
{
    struct sched_vcpu *sv = v->sched_priv;
    enum vcpu_state old = v->state;
    if (old == state)
        return;
    WRITE_ONCE(v->state, state);
    if (state == VCPU_RUNNABLE)
        sv->sd->nr_runnable++;
    else if (old == VCPU_RUNNABLE)
        sv->sd->nr_runnable--;
    if (!v->running)
        runstate_update(v, time_now_ns()); /* a running vCPU's changes when it is put */
    if (v->running) {
        /* Not queued: the policy hears of it when its pCPU next decides.  Make that happen
         * now if it must stop. */
        if (state != VCPU_RUNNABLE)
            sched_kick_cpu(v->cpu);
        return;
    }
    if (state == VCPU_RUNNABLE)
        p->policy->wake(p, sv, time_now_ns(), old == VCPU_BLOCKED ? WAKE_IRQ : WAKE_START);
    else if (old == VCPU_RUNNABLE)
        p->policy->sleep(p, sv);
}

void sched_vcpu_destroy(struct vcpu *v)
{
    struct sched_vcpu *sv = v->sched_priv;
    if (!sv)
        return;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    BUG_ON(v->running);
    set_state_locked(p, v, VCPU_OFFLINE);
    if (p->policy->vcpu_remove)
        p->policy->vcpu_remove(p, sv);
    slist_del(&sv->dom_link);
    v->sched_priv = NULL;
    spin_unlock_irqrestore(&p->lock, flags);
    heap_free(sv->priv);
    heap_free(sv);
}

/* Lock v's pool. */
static struct sched_pool *lock_pool_of(struct vcpu *v, unsigned long *flags)
{
    return sched_lock_dom(sched_vcpu_of(v)->sd, flags);
}

void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state)
{
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    set_state_locked(p, v, state);
    spin_unlock_irqrestore(&p->lock, flags);
}

void sched_vcpu_pause(struct vcpu *v)
{
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (v->state != VCPU_OFFLINE)
        set_state_locked(p, v, VCPU_PAUSED);
    spin_unlock_irqrestore(&p->lock, flags);
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (v->state == VCPU_BLOCKED)
        set_state_locked(p, v, VCPU_RUNNABLE);
    spin_unlock_irqrestore(&p->lock, flags);
}

void vcpu_kick(struct vcpu *v)
{
    /* The vCPU this pCPU is running and that will go on running: the next vgic_flush, before
     * it re-enters, picks the new interrupt up.  No lock (the hot path of every interrupt
     * forwarded to the running guest); only this pCPU changes v while it is current. */
    if (v == this_cpu()->current && READ_ONCE(v->state) == VCPU_RUNNABLE)
        return;
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (v->state == VCPU_BLOCKED)
        set_state_locked(p, v, VCPU_RUNNABLE);
    else if (v->running && v->cpu != cpu_id())
        ipi_send(v->cpu, IPI_WAKE); /* exit so the new interrupt reaches the list registers */
    spin_unlock_irqrestore(&p->lock, flags);
}

void vcpu_block(struct vcpu *v)
{
    /* The pending check and the state change are one step under the pool lock; vcpu_kick
     * takes the same lock after making an interrupt pending, so no wake-up is lost. */
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (v->state == VCPU_RUNNABLE && !arch_vcpu_has_pending_irq(v))
        set_state_locked(p, v, VCPU_BLOCKED);
    spin_unlock_irqrestore(&p->lock, flags);
}

void vcpu_block_until_kicked(struct vcpu *v)
{
    /* As vcpu_block, without the pending check: only a new interrupt (vcpu_kick) or a wake
     * makes it runnable again. */
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (v->state == VCPU_RUNNABLE)
        set_state_locked(p, v, VCPU_BLOCKED);
    spin_unlock_irqrestore(&p->lock, flags);
}

void sched_yield(struct vcpu *v)
{
    unsigned long flags;
    struct sched_pool *p = lock_pool_of(v, &flags);
    if (p->policy->yield)
        p->policy->yield(p, v->sched_priv);
    WRITE_ONCE(this_cpu()->need_resched, true);
    spin_unlock_irqrestore(&p->lock, flags);
}

/* --- the decision --- */

/* Ask the policy; charge prev.  Returns the next vCPU, marked running here. */
static struct sched_vcpu *decide(struct sched_pool *p, unsigned cpu, struct vcpu *prev,
                                 uint64_t now, uint64_t *slice)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    uint64_t ran = 0;
    WRITE_ONCE(percpu_data[cpu].need_resched, false);
    if (prev) {
        ran = now - sc->since;
        prev->cpu_time_ns += ran;
    }
    struct sched_vcpu *next =
        p->policy->do_schedule(p, cpu, prev ? prev->sched_priv : NULL, ran, now, slice);
    if (next) {
        BUG_ON(next->v->state != VCPU_RUNNABLE || !(next->affinity & BIT(cpu)));
        if (next->v != prev) {
            BUG_ON(next->v->running);
            WRITE_ONCE(next->v->running, true);
            next->v->cpu = cpu;
            runstate_update(next->v, now);
            runstate_publish(next->v);
        }
    }
    sc->curr = next;
    sc->since = now;
    return next;
}

/* prev left this pCPU and is saved: it may be queued again. */
static void release(struct sched_pool *p, struct vcpu *prev)
{
    struct sched_vcpu *sv = prev->sched_priv;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    /* Release order: whoever sees it clear (a domain's reaper) also sees the saved state. */
    __atomic_store_n(&prev->running, false, __ATOMIC_RELEASE);
    uint64_t now = time_now_ns();
    runstate_update(prev, now);
    runstate_publish(prev);
    if (prev->state == VCPU_RUNNABLE)
        p->policy->wake(p, sv, now, WAKE_REQUEUE);
    spin_unlock_irqrestore(&p->lock, flags);
}

/*
 * This pCPU's pool is no longer the one it decided for (pool_ctl.c moved it): put prev away
 * into its own pool (whose policy no longer counts on this pCPU) and follow the new pool.  With
 * none, the pCPU is free from now on and says so.  need_resched is cleared before cpu_pool[] is
 * read again, so an ADDCPU that publishes a pool and then kicks is never missed.
 */
static struct sched_pool *follow_pool(unsigned cpu, struct vcpu **prevp)
{
    struct sched_cpu *sc = &sched_cpus[cpu];
    struct sched_pool *old = sc->pool;
    struct vcpu *prev = *prevp;
    if (prev) {
        unsigned long flags = spin_lock_irqsave(&old->lock);
        uint64_t now = time_now_ns();
        prev->cpu_time_ns += now - sc->since;
        sc->curr = NULL;
        sc->since = now;
        spin_unlock_irqrestore(&old->lock, flags);
        arch_vcpu_put(prev);
        this_cpu()->current = NULL;
        release(old, prev);
        *prevp = NULL;
    }
    timer_cancel(&sc->slice_timer);
    WRITE_ONCE(percpu_data[cpu].need_resched, false);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct sched_pool *p = sched_pool_of_cpu(cpu);
    sc->pool = p;
    if (!p && old)
        sched_pool_cpu_freed(cpu);
    return p;
}

struct vcpu *sched_switch(struct vcpu *prev)
{
    unsigned cpu = cpu_id();
    struct sched_cpu *sc = &sched_cpus[cpu];
    struct sched_pool *p;
    unsigned long flags;
    uint64_t now, slice = 0;
    for (;;) {
        p = sched_pool_of_cpu(cpu);
        if (unlikely(p != sc->pool || !p)) {
            p = follow_pool(cpu, &prev);
            if (!p)
                return NULL;
        }
        now = time_now_ns();
        flags = spin_lock_irqsave(&p->lock);
        /* Under the lock the pCPU cannot leave p: a removal that got in first is seen here. */
        if (likely(sched_pool_of_cpu(cpu) == p))
            break;
        spin_unlock_irqrestore(&p->lock, flags);
    }
    struct sched_vcpu *nsv = decide(p, cpu, prev, now, &slice);
    spin_unlock_irqrestore(&p->lock, flags);
    struct vcpu *next = nsv ? nsv->v : NULL;
    if (slice)
        timer_set(&sc->slice_timer, now + slice, cpu);
    else
        timer_cancel(&sc->slice_timer);
    if (prev == next)
        return next;
    if (prev) {
        arch_vcpu_put(prev);
        this_cpu()->current = NULL;
        release(p, prev);
    }
    if (next) {
        this_cpu()->current = next;
        arch_vcpu_load(next);
    }
    return next;
}

void sched_cpu_not_charged(uint64_t ns)
{
    struct sched_cpu *sc = &sched_cpus[cpu_id()];
    struct sched_pool *p = sc->pool; /* only this pCPU changes it, and it is here */
    if (!p)
        return;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint64_t now = time_now_ns();
    if (sc->curr) /* since is when the current vCPU was last charged: move it past the work */
        sc->since = MIN(sc->since + ns, now);
    spin_unlock_irqrestore(&p->lock, flags);
}

/* Pages an idle pCPU zeroes between two looks at the scheduler, with interrupts masked: one,
 * so that a wake-up waits for at most one page (under a microsecond).  16 made the 99th
 * percentile of a timer wake-up 10.7 us instead of 2.1 us while boot memory was zeroed. */
#define IDLE_SCRUB_PAGES 1

static void idle_once(unsigned cpu)
{
    /* Idle time zeroes freed memory first (page_scrub), so later domains get it at once. */
    if (!READ_ONCE(percpu_data[cpu].need_resched) && page_scrub(IDLE_SCRUB_PAGES)) {
        arch_irq_enable();
        arch_cpu_irq_window();
        arch_irq_disable();
        return;
    }
    /* WFI with interrupts masked still wakes on a pending interrupt; the check and the wait
     * cannot race with a wake-up that set need_resched. */
    arch_irq_disable();
    if (!READ_ONCE(percpu_data[cpu].need_resched))
        arch_cpu_idle();
    arch_irq_enable();
    arch_cpu_irq_window();
    arch_irq_disable();
}

void sched_run_loop(void)
{
    unsigned cpu = cpu_id();
    struct vcpu *v = NULL;
    arch_irq_disable();
    for (;;) {
        v = sched_switch(v);
        if (!v)
            idle_once(cpu);
        else if (unlikely(v->loading))
            domain_load_run(v); /* Keel's work for v's domain, on v's time */
        else
            arch_vcpu_run(v);
    }
}

/* --- statistics and console --- */

/* Pool lock held. */
static uint64_t vcpu_time_locked(struct vcpu *v, uint64_t now)
{
    struct sched_cpu *sc = &sched_cpus[v->cpu];
    bool charging = v->running && sc->curr && sc->curr->v == v;
    return v->cpu_time_ns + (charging && now > sc->since ? now - sc->since : 0);
}

uint64_t sched_vcpu_time_ns(struct vcpu *v)
{
    struct sched_vcpu *sv = v->sched_priv;
    if (!sv)
        return v->cpu_time_ns;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    uint64_t t = vcpu_time_locked(v, time_now_ns());
    spin_unlock_irqrestore(&p->lock, flags);
    return t;
}

static const char *state_name(enum vcpu_state s)
{
    switch (s) {
    case VCPU_OFFLINE:
        return "offline";
    case VCPU_RUNNABLE:
        return "runnable";
    case VCPU_BLOCKED:
        return "blocked";
    case VCPU_PAUSED:
        return "paused";
    default:
        return "?";
    }
}

static void dump_pool(struct sched_pool *p, sched_print_fn print)
{
    char cpus[64];
    sched_format_cpulist(p->cpus, cpus, sizeof(cpus));
    print("pool %s: %s, pCPUs %s\n", p->name, p->policy->name, cpus);
    unsigned long flags = spin_lock_irqsave(&p->lock);
    uint64_t now = time_now_ns();
    struct sched_link *dl, *vl;
    slist_for_each(dl, &p->doms)
    {
        struct sched_dom *sd = container_of(dl, struct sched_dom, pool_link);
        print("  domain %s (id %u): ", sd->d->name, sd->d->id);
        if (p->policy->dump_domain)
            p->policy->dump_domain(p, sd, print);
        sched_format_cpulist(sd->affinity, cpus, sizeof(cpus));
        print("; pCPUs %s, %u runnable\n", sd->affinity == p->cpus ? "all" : cpus, sd->nr_runnable);
        slist_for_each(vl, &sd->vcpus)
        {
            struct sched_vcpu *sv = container_of(vl, struct sched_vcpu, dom_link);
            struct vcpu *v = sv->v;
            uint64_t t = vcpu_time_locked(v, now);
            print("    vCPU %u: %s%s, pCPU %u, %lu.%03lu ms", v->id, state_name(v->state),
                  v->running ? " (running)" : "", v->cpu, t / NS_PER_MS, t % NS_PER_MS / NS_PER_US);
            if (p->policy->dump_vcpu)
                p->policy->dump_vcpu(p, sv, now, print);
            print("\n");
        }
    }
    spin_unlock_irqrestore(&p->lock, flags);
}

void sched_dump(sched_print_fn print)
{
    struct sched_pool *p;
    unsigned long flags = sched_pools_lock();
    for (unsigned i = 0; (p = sched_pool_at(i)); i++)
        dump_pool(p, print);
    uint64_t free = sched_pool_free_cpus();
    if (free) {
        char cpus[64];
        sched_format_cpulist(free, cpus, sizeof(cpus));
        print("free pCPUs: %s\n", cpus);
    }
    sched_pools_unlock(flags);
}
