/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler as the toolstack changes it at run time (sched.h, "the toolstack's view"): a
 * domain's policy parameters and a vCPU's hard affinity.  Everything happens under the pool's
 * lock, so a decision sees either the old or the new setting; a vCPU that may no longer run
 * where it is, or that could now run elsewhere, is kicked or requeued there and then.
 */
#include <hyp/errno.h>
#include <hyp/sched.h>
#include "sched_internal.h"

unsigned sched_domain_pool(struct domain *d, enum sched_kind *kind)
{
    struct sched_dom *sd = d->sched_priv;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sd, &flags);
    *kind = p->kind;
    unsigned id = p->id;
    spin_unlock_irqrestore(&p->lock, flags);
    return id;
}

bool sched_pool_info(unsigned from, unsigned *id, enum sched_kind *kind, uint64_t *cpus,
                     unsigned *nr_domains)
{
    unsigned long pflags = sched_pools_lock();
    struct sched_pool *p = sched_pool_by_id(from, false);
    if (p) {
        *id = p->id;
        *kind = p->kind;
        *cpus = sched_online_mask(p->cpus);
        unsigned n = 0;
        struct sched_link *l;
        unsigned long flags = spin_lock_irqsave(&p->lock);
        slist_for_each(l, &p->doms) n++;
        spin_unlock_irqrestore(&p->lock, flags);
        *nr_domains = n;
    }
    sched_pools_unlock(pflags);
    return p != NULL;
}

void sched_domain_get_params(struct domain *d, struct sched_params *out)
{
    struct sched_dom *sd = d->sched_priv;
    *out = (struct sched_params){ 0 };
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sd, &flags);
    if (p->policy->dom_get)
        p->policy->dom_get(p, sd, out);
    spin_unlock_irqrestore(&p->lock, flags);
}

int sched_domain_set_params(struct domain *d, const struct sched_params *sp)
{
    struct sched_dom *sd = d->sched_priv;
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sd, &flags);
    int rc = p->policy->dom_set ? p->policy->dom_set(p, sd, sp) : 0;
    spin_unlock_irqrestore(&p->lock, flags);
    return rc;
}

uint64_t sched_vcpu_affinity(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_vcpu_of(v);
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    uint64_t asked = sv->asked;
    spin_unlock_irqrestore(&p->lock, flags);
    return asked;
}

int sched_vcpu_set_affinity(struct vcpu *v, uint64_t mask, uint64_t *effective)
{
    struct sched_vcpu *sv = sched_vcpu_of(v);
    unsigned long flags;
    struct sched_pool *p = sched_lock_dom(sv->sd, &flags);
    uint64_t allowed = mask & p->cpus;
    if (!sched_online_mask(allowed)) {
        spin_unlock_irqrestore(&p->lock, flags);
        return -EINVAL;
    }
    int rc = p->policy->vcpu_affinity ? p->policy->vcpu_affinity(p, sv, allowed) : 0;
    if (!rc) {
        sv->asked = mask;
        sv->affinity = allowed;
        if (v->running && !(allowed & BIT(v->cpu))) {
            sched_kick_cpu(v->cpu); /* its pCPU decides again and lets it go */
        } else if (!v->running && v->state == VCPU_RUNNABLE) {
            /* Queued: queue it again, so that an idle pCPU it may now use takes it. */
            p->policy->sleep(p, sv);
            p->policy->wake(p, sv, time_now_ns(), WAKE_REQUEUE);
        }
    }
    spin_unlock_irqrestore(&p->lock, flags);
    *effective = sched_online_mask(allowed);
    return rc;
}
