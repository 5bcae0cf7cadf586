/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual IRQs (xen-abi-facts C.4): events Keel itself raises, bound to a port with
 * EVTCHNOP_bind_virq.  A per-vCPU VIRQ (timer, debug, xenoprof, xenpmu) is bound on each vCPU
 * that wants it; a global one on vCPU 0 of the one domain that handles it (VIRQ_ARGO, per
 * domain, on vCPU 0 of each domain that wants it).  Xen gives global
 * VIRQs to its hardware domain unless the toolstack moves them; Keel, which may run with no
 * control domain at all, gives one to the first domain that binds it, lets the control domain
 * take it over, and frees it when its handler dies.  Another domain's bind gets -EBUSY.
 *
 * handler_lock guards handler[]; it is taken before any domain's event lock.  Each domain's
 * VIRQ-to-port table is guarded by that domain's event lock.
 */
#include <hyp/errno.h>
#include "evtchn_internal.h"

#define NO_HANDLER DOMID_INVALID

static struct spinlock handler_lock = SPINLOCK_INIT;
static domid_t handler[NR_VIRQS] = { [0 ... NR_VIRQS - 1] = NO_HANDLER };

bool evtchn_virq_is_per_vcpu(unsigned virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

/* d's row of virq_port for virq on vCPU vcpu: a global VIRQ has its row on vCPU 0. */
static uint32_t *slot(struct evtchn_domain *e, unsigned virq, unsigned vcpu)
{
    return &e->virq_port[(evtchn_virq_is_per_vcpu(virq) ? vcpu : 0) * NR_VIRQS + virq];
}

/* handler_lock held for a global VIRQ.  Bind it under d's event lock. */
static int bind_locked(struct domain *d, struct evtchn_bind_virq *b)
{
    struct evtchn_domain *e = d->evtchn;
    evtchn_port_t port;
    int rc = -EEXIST;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    uint32_t *s = slot(e, b->virq, b->vcpu);
    if (!*s)
        rc = evtchn_get_port(d, 0, &port);
    if (!rc) {
        evtchn_take_port(d, port, ECS_VIRQ, b->vcpu)->virq = (uint8_t)b->virq;
        *s = port;
        b->port = port;
    }
    spin_unlock_irqrestore(&e->lock, flags);
    return rc;
}

int evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    bool global = !evtchn_virq_is_per_vcpu(b->virq);
    if (global && b->vcpu != 0)
        return -EINVAL;
    if (b->vcpu >= d->nr_vcpus || !d->vcpus[b->vcpu])
        return -ENOENT;
    if (!global || b->virq == VIRQ_ARGO) /* per-domain: each domain its own, no handler */
        return bind_locked(d, b);
    unsigned long flags = spin_lock_irqsave(&handler_lock);
    domid_t h = handler[b->virq];
    int rc = h != NO_HANDLER && h != d->id && !d->is_control ? -EBUSY : bind_locked(d, b);
    if (!rc)
        handler[b->virq] = (domid_t)d->id;
    spin_unlock_irqrestore(&handler_lock, flags);
    return rc;
}

void evtchn_virq_unbind(struct domain *d, struct evtchn_port *p)
{
    uint32_t *s = slot(d->evtchn, p->virq, p->vcpu);
    /* A global VIRQ's port may have moved to another vCPU (bind_vcpu); its row is vCPU 0's. */
    *s = 0;
}

void evtchn_virq_domain_kill(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&handler_lock);
    for (unsigned i = 0; i < NR_VIRQS; i++)
        if (handler[i] == d->id)
            handler[i] = NO_HANDLER;
    spin_unlock_irqrestore(&handler_lock, flags);
}

void evtchn_send_virq(struct vcpu *v, unsigned virq)
{
    struct domain *d = v->dom;
    struct evtchn_domain *e = d->evtchn;
    if (!e || virq >= NR_VIRQS)
        return;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    evtchn_port_t port = *slot(e, virq, v->id);
    if (port && !e->dead)
        evtchn_deliver(d, port);
    spin_unlock_irqrestore(&e->lock, flags);
}

void evtchn_send_global_virq(unsigned virq)
{
    if (virq >= NR_VIRQS || evtchn_virq_is_per_vcpu(virq) || virq == VIRQ_ARGO)
        return;
    unsigned long flags = spin_lock_irqsave(&handler_lock);
    domid_t h = handler[virq];
    spin_unlock_irqrestore(&handler_lock, flags);
    struct domain *d = h == NO_HANDLER ? NULL : domain_get(h);
    if (!d)
        return;
    /* A new domain that took the id of a dead handler has not bound it: nothing is sent. */
    if (d->nr_vcpus && d->vcpus[0])
        evtchn_send_virq(d->vcpus[0], virq);
    domain_put(d);
}
