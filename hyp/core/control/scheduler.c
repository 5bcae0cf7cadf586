/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domctl scheduler_op: a domain's scheduling parameters in Xen's terms, mapped onto Keel's
 * policies (docs/scheduling.md).  Keel's credit policy answers as credit or credit2,
 * whichever name its pool was given, with that scheduler's put rules: credit keeps the cap on
 * 0xFFFF, credit2 removes it on 0 and refuses more than 100% per vCPU; a weight of 0 keeps
 * the weight.  RTDS get reports the domain's own budget and period (Xen 4.17 reports its
 * defaults; Keel's are per domain, so they are the same thing) and its extra-time flag; put
 * leaves extra time alone, as Xen's does.  Per vCPU (xl sched-rtds -v), each vCPU reads the
 * domain's; a put sets the domain's period, budget and extra time, so core/hypercall/domctl.c
 * takes a put only when every vCPU in it gets the same values.  null has no parameters: every
 * command succeeds and changes nothing.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/sched.h>

#define CREDIT_CAP_KEEP 0xffffu

static uint32_t id_of(enum sched_kind k)
{
    switch (k) {
    case SCHED_KIND_CREDIT:
        return XEN_SCHEDULER_CREDIT;
    case SCHED_KIND_CREDIT2:
        return XEN_SCHEDULER_CREDIT2;
    case SCHED_KIND_RTDS:
        return XEN_SCHEDULER_RTDS;
    default:
        return XEN_SCHEDULER_NULL;
    }
}

static long credit_op(struct domain *d, bool credit2, struct xen_domctl_scheduler_op *op)
{
    struct sched_params sp;
    sched_domain_get_params(d, &sp);
    struct xen_domctl_sched_credit *c = &op->u.credit; /* credit2's is the same place */
    switch (op->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        c->weight = (uint16_t)sp.weight;
        c->cap = (uint16_t)sp.cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if (c->weight)
            sp.weight = c->weight;
        if (credit2 && c->cap > 100 * d->nr_vcpus)
            return -EINVAL;
        if (credit2 || c->cap != CREDIT_CAP_KEEP)
            sp.cap = c->cap;
        return sched_domain_set_params(d, &sp);
    default:
        return -EINVAL; /* no per-vCPU parameters */
    }
}

/* The domain's RTDS parameters as Xen reports them (getinfo and getvcpuinfo alike). */
static void rtds_read(const struct sched_params *sp, struct xen_domctl_sched_rtds *r)
{
    r->period = (uint32_t)sp->period_us;
    r->budget = (uint32_t)sp->budget_us;
    r->flags = sp->extratime ? XEN_DOMCTL_SCHEDRT_extra : 0;
}

static long rtds_op(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    struct sched_params sp;
    sched_domain_get_params(d, &sp);
    struct xen_domctl_sched_rtds *r = &op->u.rtds;
    switch (op->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        rtds_read(&sp, r);
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if (!r->period || !r->budget)
            return -EINVAL;
        sp.period_us = r->period;
        sp.budget_us = r->budget;
        return sched_domain_set_params(d, &sp);
    default:
        return -EOPNOTSUPP; /* per-vCPU parameters come one by one: ctl_sched_vcpu_op */
    }
}

long ctl_sched_vcpu_op(struct domain *d, uint32_t sched_id, uint32_t cmd,
                       struct xen_domctl_schedparam_vcpu *e)
{
    enum sched_kind kind;
    sched_domain_pool(d, &kind);
    if (sched_id != id_of(kind) ||
        (cmd != XEN_DOMCTL_SCHEDOP_getvcpuinfo && cmd != XEN_DOMCTL_SCHEDOP_putvcpuinfo))
        return -EINVAL;
    if (kind == SCHED_KIND_NULL)
        return 0;
    if (kind != SCHED_KIND_RTDS || e->vcpuid >= d->nr_vcpus)
        return -EINVAL; /* credit and credit2 have no per-vCPU parameters, as in Xen */
    struct sched_params sp;
    sched_domain_get_params(d, &sp);
    struct xen_domctl_sched_rtds *r = &e->u.rtds;
    if (cmd == XEN_DOMCTL_SCHEDOP_getvcpuinfo) {
        rtds_read(&sp, r);
        return 0;
    }
    sp.period_us = r->period;
    sp.budget_us = r->budget;
    sp.extratime = r->flags & XEN_DOMCTL_SCHEDRT_extra;
    return sched_domain_set_params(d, &sp);
}

long ctl_cpupool_info(uint32_t from, struct xen_sysctl_cpupool_op *op, uint64_t *cpus)
{
    unsigned id, n;
    enum sched_kind kind;
    if (!sched_pool_info(from, &id, &kind, cpus, &n))
        return -ENOENT;
    op->cpupool_id = id;
    op->sched_id = id_of(kind);
    op->n_dom = n;
    return 0;
}

uint32_t ctl_sched_id(void)
{
    return id_of(sched_default_kind());
}

long ctl_scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    enum sched_kind kind;
    sched_domain_pool(d, &kind);
    if (op->sched_id != id_of(kind) || op->cmd > XEN_DOMCTL_SCHEDOP_getvcpuinfo)
        return -EINVAL;
    switch (kind) {
    case SCHED_KIND_CREDIT:
    case SCHED_KIND_CREDIT2:
        return credit_op(d, kind == SCHED_KIND_CREDIT2, op);
    case SCHED_KIND_RTDS:
        return rtds_op(d, op);
    default:
        return 0;
    }
}

/* A rate limit in Xen's range: 0 ("none"), or 100 us..500 ms. */
static bool ratelimit_in_range(uint32_t us)
{
    return !us || (us >= XEN_SYSCTL_SCHED_RATELIMIT_MIN && us <= XEN_SYSCTL_SCHED_RATELIMIT_MAX);
}

/* Credit's settings, the slice and the rate limit, in Xen's ranges; Keel has no migration
 * delay (reads 0, refused otherwise). */
static long credit_global(struct xen_sysctl_credit_schedule *c, uint32_t cmd)
{
    if (cmd == XEN_SYSCTL_SCHEDOP_getinfo) {
        uint64_t ms = sched_credit_slice_ns() / 1000000;
        c->tslice_ms = (uint32_t)(ms ? ms : 1);
        c->ratelimit_us = (uint32_t)(sched_credit_ratelimit_ns() / 1000);
        c->vcpu_migr_delay_us = 0;
        return 0;
    }
    if (c->tslice_ms < XEN_SYSCTL_CSCHED_TSLICE_MIN ||
        c->tslice_ms > XEN_SYSCTL_CSCHED_TSLICE_MAX || !ratelimit_in_range(c->ratelimit_us) ||
        c->ratelimit_us > c->tslice_ms * 1000 ||
        c->vcpu_migr_delay_us > XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US)
        return -EINVAL;
    if (c->vcpu_migr_delay_us)
        return -EOPNOTSUPP;
    return sched_credit_set((uint64_t)c->tslice_ms * 1000000, (uint64_t)c->ratelimit_us * 1000);
}

long ctl_sched_adjust_global(struct xen_sysctl_scheduler_op *op)
{
    unsigned id, n;
    enum sched_kind kind;
    uint64_t cpus;
    if (!sched_pool_info(op->cpupool_id, &id, &kind, &cpus, &n) || id != op->cpupool_id)
        return -ESRCH;
    if (op->sched_id != id_of(kind) || op->cmd > XEN_SYSCTL_SCHEDOP_getinfo)
        return -EINVAL;
    switch (kind) {
    case SCHED_KIND_CREDIT:
        return credit_global(&op->u.sched_credit, op->cmd);
    case SCHED_KIND_CREDIT2: /* the same policy: its rate limit, the slice unchanged */
        if (op->cmd == XEN_SYSCTL_SCHEDOP_getinfo) {
            op->u.sched_credit2.ratelimit_us = (uint32_t)(sched_credit_ratelimit_ns() / 1000);
            return 0;
        }
        if (!ratelimit_in_range(op->u.sched_credit2.ratelimit_us))
            return -EINVAL;
        return sched_credit_set(sched_credit_slice_ns(),
                                (uint64_t)op->u.sched_credit2.ratelimit_us * 1000);
    default:
        return -EINVAL; /* rtds and null have no pool-wide settings, as in Xen */
    }
}
