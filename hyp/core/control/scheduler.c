/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domctl scheduler_op: a domain's scheduling parameters in Xen's terms, mapped onto Keel's
 * policies (docs/scheduling.md).  Keel's credit policy answers as credit or credit2,
 * whichever name its pool was given, with that scheduler's put rules: credit keeps the cap on
 * 0xFFFF, credit2 removes it on 0 and refuses more than 100% per vCPU; a weight of 0 keeps
 * the weight.  RTDS get reports the domain's own budget and period (Xen 4.17 reports its
 * defaults; Keel's are per domain, so they are the same thing) and its extra-time flag; put
 * leaves extra time alone, as Xen's does.  null has no parameters: every command succeeds and
 * changes nothing.
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

static long rtds_op(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    struct sched_params sp;
    sched_domain_get_params(d, &sp);
    struct xen_domctl_sched_rtds *r = &op->u.rtds;
    switch (op->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        r->period = (uint32_t)sp.period_us;
        r->budget = (uint32_t)sp.budget_us;
        r->flags = sp.extratime ? XEN_DOMCTL_SCHEDRT_extra : 0;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if (!r->period || !r->budget)
            return -EINVAL;
        sp.period_us = r->period;
        sp.budget_us = r->budget;
        return sched_domain_set_params(d, &sp);
    default:
        return -EOPNOTSUPP; /* per-vCPU parameters: Keel's are per domain */
    }
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
