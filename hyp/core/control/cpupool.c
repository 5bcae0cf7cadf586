/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl cpupool_op's changes (create, destroy, add and remove a pCPU, move a domain) in Xen
 * 4.17's terms over the scheduler's pools (core/sched/pool_ctl.c): Xen's scheduler numbers,
 * Xen's errors, and for a move the domain's pause around it, since the scheduler moves only a
 * domain none of whose vCPUs runs.  INFO and FREEINFO are reads (ctl_cpupool_info,
 * sched_free_cpus).
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/sched.h>
#include <hyp/timer.h>

/* A paused domain's vCPUs leave their pCPUs at their next exit, which the pause forces: wait
 * that long, and give up (-EBUSY) if it takes far longer. */
#define MOVE_TRIES 100
#define MOVE_WAIT_NS 100000UL
#define MOVE_SPINS 1000000UL

static int kind_of(uint32_t sched_id, enum sched_kind *kind)
{
    switch (sched_id) {
    case XEN_SCHEDULER_CREDIT:
        *kind = SCHED_KIND_CREDIT;
        return 0;
    case XEN_SCHEDULER_CREDIT2:
        *kind = SCHED_KIND_CREDIT2;
        return 0;
    case XEN_SCHEDULER_RTDS:
        *kind = SCHED_KIND_RTDS;
        return 0;
    case XEN_SCHEDULER_NULL:
        *kind = SCHED_KIND_NULL;
        return 0;
    default:
        return -ENOENT; /* Xen's answer to a scheduler it was built without (ARINC653 here) */
    }
}

static void wait_a_little(void)
{
    uint64_t until = time_now_ns() + MOVE_WAIT_NS;
    for (unsigned long i = 0; i < MOVE_SPINS && time_now_ns() < until; i++)
        ;
}

/* Xen's rules: the caller cannot move itself (-EPERM, rcu_lock_remote_domain_by_id, which
 * finds no domain DOMID_SELF: -ESRCH), a domain on its way out has no pool (-EINVAL). */
static long move_domain(struct domain *caller, struct xen_sysctl_cpupool_op *op)
{
    if (op->domid == caller->id)
        return -EPERM;
    struct domain *d = op->domid < DOMID_FIRST_RESERVED ? ctl_domain_get(op->domid) : NULL;
    if (!d)
        return -ESRCH;
    long rc = -EINVAL;
    if (READ_ONCE(d->destroying) || READ_ONCE(d->state) == DOM_DYING)
        goto out;
    rc = domain_pause(d);
    if (rc)
        goto out;
    rc = sched_domain_move(d, op->cpupool_id);
    for (unsigned i = 0; rc == -EAGAIN && i < MOVE_TRIES; i++) {
        wait_a_little();
        rc = sched_domain_move(d, op->cpupool_id);
    }
    domain_unpause(d);
    if (rc == -EAGAIN)
        rc = -EBUSY;
out:
    domain_put(d);
    return rc;
}

long ctl_cpupool_change(struct domain *caller, struct xen_sysctl_cpupool_op *op)
{
    switch (op->op) {
    case XEN_SYSCTL_CPUPOOL_OP_CREATE: {
        enum sched_kind kind;
        int rc = kind_of(op->sched_id, &kind);
        return rc ? rc : sched_pool_create(op->cpupool_id, kind, &op->cpupool_id);
    }
    case XEN_SYSCTL_CPUPOOL_OP_DESTROY:
        return sched_pool_destroy(op->cpupool_id);
    case XEN_SYSCTL_CPUPOOL_OP_ADDCPU:
        return sched_pool_add_cpu(op->cpupool_id, op->cpu);
    case XEN_SYSCTL_CPUPOOL_OP_RMCPU:
        return sched_pool_remove_cpu(op->cpupool_id, op->cpu);
    case XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN:
        return move_domain(caller, op);
    default:
        return -ENOSYS;
    }
}
