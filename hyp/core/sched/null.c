/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Null: static partitioning.  Each vCPU of the pool gets a pCPU of its own when it is created
 * (the lowest free online one it may use) and keeps it for life; a pCPU runs its vCPU whenever
 * that vCPU is runnable and idles otherwise, with no time slices.  vCPUs beyond the free pCPUs
 * wait unassigned (reported at creation and by the console) and take a pCPU, in creation
 * order, when one is freed.  A pCPU that leaves the pool takes its vCPU's ownership with it:
 * the vCPU gets another free pCPU of the pool or waits unassigned, and the pCPU it ran on puts
 * it away when it notices it left.  Hooks run under the pool lock.
 */
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/smp.h>
#include "sched_internal.h"

struct null_pool {
    struct sched_vcpu *assigned[MAX_CPUS];
    struct sched_link waiting; /* unassigned vCPUs, in creation order */
};

struct null_vcpu {
    struct sched_vcpu *sv;
    struct sched_link link; /* in waiting while unassigned */
    int cpu;                /* its pCPU, -1 = unassigned */
    bool queued;            /* runnable and not running */
};

static struct null_pool *npool(struct sched_pool *p)
{
    return p->priv;
}

static struct null_vcpu *nvcpu(struct sched_vcpu *sv)
{
    return sv->priv;
}

static int null_pool_init(struct sched_pool *p)
{
    slist_init(&npool(p)->waiting);
    return 0;
}

/* Give n pCPU cpu.  A vCPU still running elsewhere keeps v->cpu (where it runs) until its
 * pCPU puts it away; it is picked on cpu afterwards. */
static void assign(struct sched_pool *p, struct null_vcpu *n, unsigned cpu)
{
    npool(p)->assigned[cpu] = n->sv;
    n->cpu = (int)cpu;
    if (!n->sv->v->running)
        n->sv->v->cpu = cpu;
}

static bool try_assign(struct sched_pool *p, struct null_vcpu *n)
{
    uint64_t mask = sched_online_mask(n->sv->affinity & p->cpus);
    for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++) {
        if ((mask & BIT(cpu)) && !npool(p)->assigned[cpu]) {
            assign(p, n, cpu);
            return true;
        }
    }
    return false;
}

static void null_vcpu_insert(struct sched_pool *p, struct sched_vcpu *sv)
{
    struct null_vcpu *n = nvcpu(sv);
    n->sv = sv;
    n->cpu = -1;
    slist_init(&n->link);
    if (try_assign(p, n))
        return;
    slist_insert_before(&npool(p)->waiting, &n->link);
    pr_warn("sched: pool %s (null): domain %s vCPU %u has no free pCPU and waits unassigned\n",
            p->name, sv->sd->d->name, sv->v->id);
}

/* cpu (of the pool, online) has no vCPU: the first waiting one that may use it takes it. */
static void give_to_waiting(struct sched_pool *p, unsigned cpu)
{
    struct sched_link *l;
    slist_for_each(l, &npool(p)->waiting)
    {
        struct null_vcpu *w = container_of(l, struct null_vcpu, link);
        if (!(w->sv->affinity & BIT(cpu)))
            continue;
        slist_del(&w->link);
        assign(p, w, cpu);
        pr_info("sched: pool %s (null): domain %s vCPU %u now has pCPU %u\n", p->name,
                w->sv->sd->d->name, w->sv->v->id, cpu);
        if (w->queued)
            sched_kick_cpu(cpu);
        return;
    }
}

static void null_vcpu_remove(struct sched_pool *p, struct sched_vcpu *sv)
{
    struct null_vcpu *n = nvcpu(sv);
    if (n->cpu < 0) {
        slist_del(&n->link);
        return;
    }
    unsigned cpu = (unsigned)n->cpu;
    npool(p)->assigned[cpu] = NULL;
    n->cpu = -1;
    give_to_waiting(p, cpu);
}

/* The vCPU that owned cpu moves to another free pCPU it may use, or waits. */
static void null_cpu_remove(struct sched_pool *p, unsigned cpu)
{
    struct sched_vcpu *sv = npool(p)->assigned[cpu];
    if (!sv)
        return;
    struct null_vcpu *n = nvcpu(sv);
    npool(p)->assigned[cpu] = NULL;
    n->cpu = -1;
    if (try_assign(p, n)) {
        if (n->queued)
            sched_kick_cpu((unsigned)n->cpu);
        return;
    }
    slist_insert_before(&npool(p)->waiting, &n->link);
    pr_warn("sched: pool %s (null): domain %s vCPU %u lost pCPU %u and waits unassigned\n", p->name,
            sv->sd->d->name, sv->v->id, cpu);
}

static void null_cpu_add(struct sched_pool *p, unsigned cpu)
{
    if (!npool(p)->assigned[cpu] && cpu_online(cpu))
        give_to_waiting(p, cpu);
}

static void null_wake(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                      enum sched_wake why)
{
    struct null_vcpu *n = nvcpu(sv);
    n->queued = true;
    if (n->cpu >= 0)
        sched_kick_cpu((unsigned)n->cpu);
}

static void null_sleep(struct sched_pool *p, struct sched_vcpu *sv)
{
    nvcpu(sv)->queued = false;
}

/* A vCPU keeps its pCPU for life: it cannot be sent away from it. */
static int null_vcpu_affinity(struct sched_pool *p, struct sched_vcpu *sv, uint64_t mask)
{
    int cpu = nvcpu(sv)->cpu;
    return cpu >= 0 && !(mask & BIT(cpu)) ? -EBUSY : 0;
}

static struct sched_vcpu *null_do_schedule(struct sched_pool *p, unsigned cpu,
                                           struct sched_vcpu *prev, uint64_t ran_ns, uint64_t now,
                                           uint64_t *slice_ns)
{
    struct sched_vcpu *sv = npool(p)->assigned[cpu];
    *slice_ns = 0;
    if (!sv)
        return NULL;
    if (sv == prev)
        return sched_runnable(sv) ? sv : NULL;
    if (!nvcpu(sv)->queued)
        return NULL;
    nvcpu(sv)->queued = false;
    return sv;
}

static void null_dump_domain(struct sched_pool *p, struct sched_dom *sd, sched_print_fn print)
{
    print("one pCPU per vCPU");
}

static void null_dump_vcpu(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                           sched_print_fn print)
{
    if (nvcpu(sv)->cpu >= 0)
        print(", owns pCPU %d", nvcpu(sv)->cpu);
    else
        print(", unassigned: waits for a free pCPU");
}

const struct sched_policy sched_null_policy = {
    .name = "null",
    .pool_size = sizeof(struct null_pool),
    .vcpu_size = sizeof(struct null_vcpu),
    .pool_init = null_pool_init,
    .vcpu_insert = null_vcpu_insert,
    .vcpu_remove = null_vcpu_remove,
    .cpu_remove = null_cpu_remove,
    .cpu_add = null_cpu_add,
    .wake = null_wake,
    .sleep = null_sleep,
    .vcpu_affinity = null_vcpu_affinity,
    .do_schedule = null_do_schedule,
    .dump_domain = null_dump_domain,
    .dump_vcpu = null_dump_vcpu,
};
