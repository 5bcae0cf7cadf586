/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU pools changed at run time (the toolstack's cpupool_op): create, destroy, a pCPU out of
 * its pool into the free set and back into a pool, a domain into another pool.  Every
 * operation holds the pools lock (cpupool.c), so they run one at a time and a pool's pCPUs
 * change only here; the pool locks are taken inside it.  The run loop never takes the pools
 * lock: a pCPU finds its pool in cpu_pool[] (acquire), and one that was moved out puts its
 * vCPU away and marks itself free on its own next decision (sched.c, follow_pool), so a
 * removal never waits for another pCPU.  A domain changes pool only while none of its vCPUs
 * runs or is queued (the caller pauses it), with both pools' locks held; its policy data is
 * allocated before and the old data freed after.  Errors are Xen 4.17's (common/sched/cpupool.c).
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/sched.h>
#include <hyp/smp.h>
#include "sched_internal.h"

#define POOL_ID_MAX 0x7fffffffu /* Xen keeps pool ids in an int */

/* Pool lock held: every vCPU's allowed pCPUs again from what was asked and the pool's pCPUs.
 * One left with none gets all of the pool's, as Xen breaks an affinity that lost its last
 * pCPU.  Queued vCPUs are queued again so that the policy sees the new sets. */
static void refit_affinities(struct sched_pool *p)
{
    struct sched_link *dl, *vl;
    slist_for_each(dl, &p->doms)
    {
        struct sched_dom *sd = container_of(dl, struct sched_dom, pool_link);
        uint64_t cfg = sd->d->cfg.sched.affinity ? sd->d->cfg.sched.affinity : ~0UL;
        sd->affinity = (cfg & p->cpus) ? cfg & p->cpus : p->cpus;
        slist_for_each(vl, &sd->vcpus)
        {
            struct sched_vcpu *sv = container_of(vl, struct sched_vcpu, dom_link);
            if (!(sv->asked & p->cpus)) {
                if (sv->asked != ~0UL)
                    pr_warn("sched: domain %s vCPU %u: no pCPU of its affinity is left in "
                            "pool %s; it may now run on any\n",
                            sd->d->name, sv->v->id, p->name);
                sv->asked = ~0UL;
            }
            sv->affinity = sv->asked & p->cpus;
        }
    }
}

static void requeue_queued(struct sched_pool *p)
{
    struct sched_link *dl, *vl;
    uint64_t now = time_now_ns();
    slist_for_each(dl, &p->doms)
    {
        struct sched_dom *sd = container_of(dl, struct sched_dom, pool_link);
        slist_for_each(vl, &sd->vcpus)
        {
            struct sched_vcpu *sv = container_of(vl, struct sched_vcpu, dom_link);
            if (!sv->v->running && sched_runnable(sv)) {
                p->policy->sleep(p, sv);
                p->policy->wake(p, sv, now, WAKE_REQUEUE);
            }
        }
    }
}

/* Pool lock held: the pool's timer on one of its online pCPUs, if it still has one. */
static void retarget_timer(struct sched_pool *p)
{
    uint64_t online = sched_online_mask(p->cpus);
    if (!online || (online & BIT(p->timer_cpu)))
        return;
    p->timer_cpu = (unsigned)__builtin_ctzll(online);
    if (p->timer_deadline)
        timer_set(&p->timer, p->timer_deadline, p->timer_cpu);
}

int sched_pool_create(uint32_t id, enum sched_kind kind, uint32_t *out)
{
    const struct sched_choice *choice = sched_choice_of_kind(kind);
    if (!choice)
        return -ENOENT;
    if (id != SCHED_POOL_ANY && id > POOL_ID_MAX)
        return -EINVAL;
    unsigned long flags = sched_pools_lock();
    int rc = 0;
    if (id == SCHED_POOL_ANY) {
        /* Xen's rule: one past the highest id in use. */
        uint32_t last = 0;
        struct sched_pool *p;
        for (unsigned i = 0; (p = sched_pool_at(i)); i++)
            last = p->id > last ? p->id : last;
        id = last + 1;
        if (id > POOL_ID_MAX)
            rc = -ENOSPC;
    } else if (sched_pool_by_id(id, true)) {
        rc = -EEXIST;
    }
    struct sched_pool *p = rc ? NULL : sched_pool_new(id, choice);
    if (!rc && !p)
        rc = -ENOMEM; /* no free slot, or no memory for the policy */
    if (p) {
        *out = id;
        pr_info("sched: pool %s (id %u) created: policy %s, no pCPU yet\n", p->name, id,
                p->policy->name);
    }
    sched_pools_unlock(flags);
    return rc;
}

int sched_pool_destroy(uint32_t id)
{
    unsigned long flags = sched_pools_lock();
    struct sched_pool *p = sched_pool_by_id(id, true);
    int rc = 0;
    if (!p)
        rc = -ENOENT;
    else if (p->cpus || !slist_empty(&p->doms) || p == sched_pool_find(""))
        rc = -EBUSY; /* the default pool is where new domains go: it stays */
    else {
        pr_info("sched: pool %s (id %u) destroyed\n", p->name, id);
        sched_pool_release(p);
    }
    sched_pools_unlock(flags);
    return rc;
}

uint64_t sched_free_cpus(void)
{
    return sched_pool_free_cpus();
}

int sched_pool_add_cpu(uint32_t id, uint32_t cpu)
{
    unsigned long pflags = sched_pools_lock();
    struct sched_pool *p = sched_pool_by_id(id, true);
    uint64_t free = sched_pool_free_cpus() & cpus_online_mask();
    int rc = 0;
    if (!p)
        rc = -ENOENT;
    else if (cpu == SCHED_POOL_ANY && !free)
        rc = -ENODEV;
    else if (cpu == SCHED_POOL_ANY)
        cpu = (uint32_t)__builtin_ctzll(free);
    else if (cpu >= nr_cpus || cpu >= MAX_CPUS)
        rc = -EINVAL;
    else if (!(free & BIT(cpu)))
        rc = -ENODEV; /* in a pool, still leaving one, or offline */
    if (rc) {
        sched_pools_unlock(pflags);
        return rc;
    }
    sched_pool_cpu_claim(cpu);
    unsigned long flags = spin_lock_irqsave(&p->lock);
    if (!sched_online_mask(p->cpus))
        p->timer_cpu = cpu;
    p->cpus |= BIT(cpu);
    refit_affinities(p);
    if (p->policy->cpu_add)
        p->policy->cpu_add(p, cpu);
    requeue_queued(p);
    sched_pool_set_cpu(cpu, p);
    spin_unlock_irqrestore(&p->lock, flags);
    /* After the pool is published: the pCPU clears its flag before it reads cpu_pool[]. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    sched_kick_cpu(cpu);
    sched_pools_unlock(pflags);
    pr_info("sched: pCPU %u joined pool %s\n", cpu, p->name);
    return 0;
}

int sched_pool_remove_cpu(uint32_t id, uint32_t cpu)
{
    unsigned long pflags = sched_pools_lock();
    struct sched_pool *p = sched_pool_by_id(id, true);
    int rc = 0;
    if (!p) {
        rc = -ENOENT;
        goto out;
    }
    if (cpu == SCHED_POOL_ANY) /* Xen takes the pool's last pCPU */
        cpu = p->cpus ? 63 - (uint32_t)__builtin_clzll(p->cpus) : MAX_CPUS;
    if (cpu >= nr_cpus || cpu >= MAX_CPUS || !cpu_online(cpu)) {
        rc = -EINVAL;
        goto out;
    }
    if (!(p->cpus & BIT(cpu))) {
        rc = -EADDRNOTAVAIL;
        goto out;
    }
    unsigned long flags = spin_lock_irqsave(&p->lock);
    if (!sched_online_mask(p->cpus & ~BIT(cpu)) && !slist_empty(&p->doms)) {
        /* Its domains would have nowhere to run (a pCPU that never came up runs nothing).
         * (Xen moves dying ones to Pool-0 first.) */
        spin_unlock_irqrestore(&p->lock, flags);
        rc = -EBUSY;
        goto out;
    }
    p->cpus &= ~BIT(cpu);
    sched_pool_set_cpu(cpu, NULL);
    refit_affinities(p);
    if (p->policy->cpu_remove)
        p->policy->cpu_remove(p, cpu);
    requeue_queued(p);
    retarget_timer(p);
    if (!p->cpus)
        sched_pool_timer_set(p, 0);
    spin_unlock_irqrestore(&p->lock, flags);
    sched_kick_cpu(cpu); /* it puts its vCPU away and becomes free at its next decision */
    pr_info("sched: pCPU %u left pool %s\n", cpu, p->name);
out:
    sched_pools_unlock(pflags);
    return rc;
}

/* --- moving a domain --- */

struct move_mem {
    void *dom_priv;
    void **vcpu_priv;
    unsigned nr;
};

static void move_mem_free(struct move_mem *m)
{
    for (unsigned i = 0; m->vcpu_priv && i < m->nr; i++)
        heap_free(m->vcpu_priv[i]);
    heap_free(m->vcpu_priv);
    heap_free(m->dom_priv);
}

static unsigned count_vcpus(struct sched_dom *sd, struct sched_pool *p)
{
    unsigned n = 0;
    struct sched_link *l;
    unsigned long flags = spin_lock_irqsave(&p->lock);
    slist_for_each(l, &sd->vcpus) n++;
    spin_unlock_irqrestore(&p->lock, flags);
    return n;
}

/* The new policy's data for the domain (with its default parameters, as Xen's move gives)
 * and for n vCPUs. */
static int move_mem_alloc(struct move_mem *m, struct sched_dom *sd, struct sched_pool *to,
                          unsigned n)
{
    const struct sched_policy *pol = to->policy;
    *m = (struct move_mem){ .nr = n };
    m->dom_priv = pol->dom_size ? heap_zalloc(pol->dom_size) : NULL;
    m->vcpu_priv = heap_zalloc(sizeof(void *) * (n ? n : 1));
    if ((pol->dom_size && !m->dom_priv) || !m->vcpu_priv)
        return -ENOMEM;
    for (unsigned i = 0; pol->vcpu_size && i < n; i++)
        if (!(m->vcpu_priv[i] = heap_zalloc(pol->vcpu_size)))
            return -ENOMEM;
    /* dom_init on a stand-in: the domain is not in the new pool yet. */
    struct sched_dom tmp = { .d = sd->d, .pool = to, .priv = m->dom_priv };
    static const struct sched_params defaults;
    return pol->dom_init ? pol->dom_init(to, &tmp, &defaults) : 0;
}

/* Both pools locked: whether every vCPU is still and the count is what was allocated for. */
static bool still(struct sched_dom *sd, unsigned n)
{
    unsigned i = 0;
    struct sched_link *l;
    slist_for_each(l, &sd->vcpus)
    {
        struct sched_vcpu *sv = container_of(l, struct sched_vcpu, dom_link);
        if (sv->v->running || sched_runnable(sv))
            return false;
        i++;
    }
    return i == n;
}

/* Both pools locked, every vCPU still: swap each policy's data, the old into m. */
static void move_locked(struct sched_dom *sd, struct sched_pool *from, struct sched_pool *to,
                        struct move_mem *m)
{
    struct sched_link *l;
    unsigned i = 0;
    slist_for_each(l, &sd->vcpus)
    {
        struct sched_vcpu *sv = container_of(l, struct sched_vcpu, dom_link);
        if (from->policy->vcpu_remove)
            from->policy->vcpu_remove(from, sv);
        void *old = sv->priv;
        sv->priv = m->vcpu_priv[i];
        m->vcpu_priv[i++] = old;
    }
    slist_del(&sd->pool_link);
    void *old = sd->priv;
    sd->priv = m->dom_priv;
    m->dom_priv = old;
    sd->affinity = to->cpus; /* as Xen, the move resets the hard affinity */
    WRITE_ONCE(sd->pool, to);
    slist_insert_before(&to->doms, &sd->pool_link);
    uint64_t online = sched_online_mask(to->cpus);
    slist_for_each(l, &sd->vcpus)
    {
        struct sched_vcpu *sv = container_of(l, struct sched_vcpu, dom_link);
        sv->asked = ~0UL;
        sv->affinity = to->cpus;
        sv->v->cpu = (unsigned)__builtin_ctzll(online ? online : to->cpus);
        if (to->policy->vcpu_insert)
            to->policy->vcpu_insert(to, sv);
    }
}

int sched_domain_move(struct domain *d, uint32_t id)
{
    struct sched_dom *sd = d->sched_priv;
    if (!sd)
        return -EINVAL;
    unsigned long pflags = sched_pools_lock();
    struct sched_pool *from = READ_ONCE(sd->pool), *to = sched_pool_by_id(id, true);
    int rc = 0;
    if (from == to)
        goto out;
    if (!to || !sched_online_mask(to->cpus)) {
        rc = -ENOENT;
        goto out;
    }
    struct move_mem m;
    unsigned n = count_vcpus(sd, from);
    rc = move_mem_alloc(&m, sd, to, n);
    if (!rc) {
        /* Only control operations take two pool locks, and they hold the pools lock. */
        unsigned long f1 = spin_lock_irqsave(&from->lock);
        unsigned long f2 = spin_lock_irqsave(&to->lock);
        if (still(sd, n))
            move_locked(sd, from, to, &m);
        else
            rc = -EAGAIN;
        spin_unlock_irqrestore(&to->lock, f2);
        spin_unlock_irqrestore(&from->lock, f1);
    }
    move_mem_free(&m);
    if (!rc)
        pr_info("sched: domain %s moved from pool %s to pool %s\n", d->name, from->name, to->name);
out:
    sched_pools_unlock(pflags);
    return rc;
}
