/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event-channel ports (see evtchn.h): the per-domain table and the operations on it, for the
 * hypercall and for dom0less static channels.  Each operation validates everything under the
 * event lock(s) before it changes a port, so a refusal leaves nothing half done.  Bitmaps and
 * upcalls are the port-ops' (evtchn_2l.c, evtchn_fifo.c); VIRQ bindings are virq.c's.
 *
 * The table is a bucket of 64 ports per 2-level word, allocated when a port in it is first
 * taken and kept until the domain is freed, so a pointer to a port stays valid while its
 * domain lives.  A port beyond the table, or in a bucket never allocated, reads as free.  The
 * table has room for the domain's own limit (Xen's max_evtchn_port), which FIFO can reach and
 * 2-level caps at 4096 ports.
 */
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/policy.h>
#include <hyp/string.h>
#include "evtchn_internal.h"

/* --- the table --- */

/* The ports d may bind: its configured max_evtchn_port + 1; with none configured, every port
 * for the control domain and the 2-level ABI's 4096 for the others (a bound on the heap a
 * domain's ports take that does not depend on the ABI the guest picks). */
static unsigned max_ports(const struct domain *d)
{
    uint64_t n = d->cfg.max_evtchn_port ? (uint64_t)d->cfg.max_evtchn_port + 1
                 : d->cfg.is_control    ? EVTCHN_FIFO_NR_CHANNELS
                                        : EVTCHN_2L_NR_CHANNELS;
    return n < EVTCHN_FIFO_NR_CHANNELS ? (unsigned)n : EVTCHN_FIFO_NR_CHANNELS;
}

static void table_free(struct evtchn_domain *e)
{
    for (unsigned b = 0; e->bucket && b < e->nr_buckets; b++)
        heap_free(e->bucket[b]);
    heap_free(e->bucket);
    heap_free(e->virq_port);
    heap_free(e);
}

int evtchn_domain_init(struct domain *d)
{
    struct evtchn_domain *e = heap_zalloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->lock = SPINLOCK_INIT;
    e->deliver_lock = SPINLOCK_INIT;
    e->ops = &evtchn_2l_ops;
    e->nr_vcpus = d->nr_vcpus;
    e->max_ports = max_ports(d);
    e->nr_buckets = (e->max_ports + EVTCHN_BUCKET_PORTS - 1) / EVTCHN_BUCKET_PORTS;
    e->virq_port = heap_zalloc(d->nr_vcpus * NR_VIRQS * sizeof(*e->virq_port));
    e->bucket = heap_zalloc(e->nr_buckets * sizeof(*e->bucket));
    if (e->bucket)
        e->bucket[0] = heap_zalloc(EVTCHN_BUCKET_PORTS * sizeof(struct evtchn_port));
    if (!e->virq_port || !e->bucket || !e->bucket[0]) {
        table_free(e);
        return -ENOMEM;
    }
    e->bucket[0][EVTCHN_PORT_INVALID].state = ECS_RESERVED;
    /* Whole or not at all: every other path (kill, close, free) takes a non-null d->evtchn
     * to be complete. */
    d->evtchn = e;
    return 0;
}

void evtchn_domain_free(struct domain *d)
{
    struct evtchn_domain *e = d->evtchn;
    if (!e)
        return;
    if (e->fifo) { /* a domain freed without being killed */
        unsigned long flags = spin_lock_irqsave(&e->lock);
        evtchn_fifo_destroy(d);
        spin_unlock_irqrestore(&e->lock, flags);
    }
    table_free(e);
    d->evtchn = NULL;
}

unsigned evtchn_ports_in_use(struct domain *d)
{
    struct evtchn_domain *e = d->evtchn;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    unsigned n = e->used;
    spin_unlock_irqrestore(&e->lock, flags);
    return n;
}

/* Lock held.  Bucket b exists after this, or -ENOMEM. */
static int ensure_bucket(struct evtchn_domain *e, unsigned b)
{
    if (!e->bucket[b])
        e->bucket[b] = heap_zalloc(EVTCHN_BUCKET_PORTS * sizeof(struct evtchn_port));
    return e->bucket[b] ? 0 : -ENOMEM;
}

int evtchn_get_port(struct domain *d, evtchn_port_t want, evtchn_port_t *out)
{
    struct evtchn_domain *e = d->evtchn;
    unsigned limit = evtchn_limit(e);
    if (e->dead || want >= limit)
        return -EINVAL;
    if (want) {
        int rc = ensure_bucket(e, want / EVTCHN_BUCKET_PORTS);
        if (rc)
            return rc;
        if (evtchn_port_of(e, want)->state != ECS_FREE)
            return -EEXIST;
        *out = want;
        return 0;
    }
    if (e->used + 1 >= limit) /* every port but the reserved one */
        return -ENOSPC;
    /* The lowest free port, as Xen hands them out (guests and tools come to expect it).  The
     * search starts at free_from, below which none is free, so a control domain with a hundred
     * thousand ports bound does not scan them all, with interrupts masked, for each new one. */
    for (unsigned port = e->free_from; port < limit; port++) {
        unsigned b = port / EVTCHN_BUCKET_PORTS;
        if (ensure_bucket(e, b))
            return -ENOMEM;
        if (e->bucket[b][port % EVTCHN_BUCKET_PORTS].state == ECS_FREE) {
            e->free_from = port;
            *out = port;
            return 0;
        }
    }
    return -ENOSPC;
}

/* Event lock held (interrupts masked).  Take the delivery lock too if d runs FIFO, whose
 * queues and port state it guards; 2-level's bits need none, and the switch from one ABI to
 * the other holds the event lock.  Returns whether it was taken, for unlock_delivery. */
static bool lock_delivery(struct evtchn_domain *e)
{
    if (!e->fifo)
        return false;
    spin_lock(&e->deliver_lock);
    return true;
}

static void unlock_delivery(struct evtchn_domain *e, bool locked)
{
    if (locked)
        spin_unlock(&e->deliver_lock);
}

struct evtchn_port *evtchn_take_port(struct domain *d, evtchn_port_t port, enum evtchn_state s,
                                     unsigned vcpu)
{
    struct evtchn_port *p = evtchn_port_of(d->evtchn, port);
    /* The FIFO queue it was last linked on stays known: the port may still be its tail. */
    bool locked = lock_delivery(d->evtchn);
    *p = (struct evtchn_port){ .state = (uint8_t)s,
                               .vcpu = (uint16_t)vcpu,
                               .priority = EVTCHN_FIFO_PRIORITY_DEFAULT,
                               .last_vcpu = p->last_vcpu,
                               .last_priority = p->last_priority };
    unlock_delivery(d->evtchn, locked);
    d->evtchn->used++;
    return p;
}

void evtchn_free_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    struct evtchn_port *p = evtchn_port_of(e, port);
    bool locked = lock_delivery(e);
    e->ops->clear_pending(d, port);
    *p = (struct evtchn_port){ .state = ECS_FREE,
                               .last_vcpu = p->last_vcpu,
                               .last_priority = p->last_priority };
    unlock_delivery(e, locked);
    e->used--;
    if (port < e->free_from)
        e->free_from = port;
}

void evtchn_deliver_locked(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    unsigned long flags = spin_lock_irqsave(&e->deliver_lock);
    e->ops->set_pending(d, v, port);
    spin_unlock_irqrestore(&e->deliver_lock, flags);
}

void evtchn_deliver(struct domain *d, evtchn_port_t port)
{
    /* Only d's lock or the peer's may be held: the notified vCPU can change under bind_vcpu
     * meanwhile, and either answer is right. */
    struct evtchn_domain *e = d->evtchn;
    /* A bound port: its bucket exists (and buckets stay while d lives). */
    const struct evtchn_port *p =
        &e->bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
    struct vcpu *v = d->vcpus[READ_ONCE(p->vcpu)];
    /* A stale answer here is caught by evtchn_2l_deliver, which looks again after the bit. */
    if (__atomic_load_n(&e->fifo, __ATOMIC_RELAXED))
        evtchn_deliver_locked(d, v, port);
    else
        evtchn_2l_deliver(d, v, port);
}

/* Lock a's and b's event locks (b may be a) in domain-id order (the structure's address
 * between a dying domain and a new one with its id), interrupts masked. */
static unsigned long lock_pair(struct domain *a, struct domain *b)
{
    bool a_first = a->id < b->id || (a->id == b->id && (uintptr_t)a <= (uintptr_t)b);
    struct domain *first = a_first ? a : b, *second = a_first ? b : a;
    unsigned long flags = spin_lock_irqsave(&first->evtchn->lock);
    if (second != first)
        spin_lock(&second->evtchn->lock);
    return flags;
}

static void unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
    if (a != b)
        spin_unlock(&b->evtchn->lock);
    spin_unlock_irqrestore(&a->evtchn->lock, flags);
}

/* A reference to the domain dom names for caller (DOMID_SELF: the caller itself), if caller
 * may act on it; else NULL with *rc = -ESRCH or -EPERM. */
static struct domain *target(struct domain *caller, domid_t dom, int *rc)
{
    struct domain *d = caller;
    if (dom == DOMID_SELF || dom == caller->id)
        domain_ref(caller);
    else if (!(d = domain_get(dom))) {
        *rc = -ESRCH;
        return NULL;
    }
    if (!policy_may_target(caller, d)) {
        domain_put(d);
        *rc = -EPERM;
        return NULL;
    }
    return d;
}

/* --- binding --- */

int evtchn_alloc_unbound(struct domain *caller, struct evtchn_alloc_unbound *a)
{
    int rc = 0;
    struct domain *d = target(caller, a->dom, &rc);
    if (!d)
        return rc;
    /* DOMID_SELF as the remote is the caller, whichever domain the port is made in. */
    domid_t remote = a->remote_dom == DOMID_SELF ? (domid_t)caller->id : a->remote_dom;
    evtchn_port_t port;
    unsigned long flags = spin_lock_irqsave(&d->evtchn->lock);
    rc = evtchn_get_port(d, 0, &port);
    if (!rc) {
        evtchn_take_port(d, port, ECS_UNBOUND, 0)->remote_dom = remote;
        a->port = port;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    domain_put(d);
    return rc;
}

/* Both event locks held; lport of ld is free (its bucket exists), rport of rd is unbound and
 * offered to ld.  Connect them, each end holding a reference on the other's domain, and leave
 * lport pending: whatever was sent to rport while unbound went nowhere. */
static void connect(struct domain *ld, evtchn_port_t lport, struct domain *rd, evtchn_port_t rport)
{
    struct evtchn_port *p = evtchn_take_port(ld, lport, ECS_INTERDOMAIN, 0);
    struct evtchn_port *q = evtchn_port_of(rd->evtchn, rport);
    domain_ref(rd);
    domain_ref(ld);
    p->remote = rd;
    p->remote_dom = (uint16_t)rd->id;
    p->remote_port = rport;
    q->state = ECS_INTERDOMAIN;
    q->remote = ld;
    q->remote_dom = (uint16_t)ld->id;
    q->remote_port = lport;
    evtchn_deliver(ld, lport);
}

/* Both event locks held: whether rport of rd waits for ld, and neither end is torn down. */
static bool offered(struct domain *ld, struct domain *rd, evtchn_port_t rport)
{
    struct evtchn_port *q = evtchn_port_of(rd->evtchn, rport);
    return !ld->evtchn->dead && !rd->evtchn->dead && q && q->state == ECS_UNBOUND &&
           q->remote_dom == ld->id;
}

int evtchn_bind_interdomain(struct domain *caller, struct evtchn_bind_interdomain *b)
{
    domid_t rdom = b->remote_dom == DOMID_SELF ? (domid_t)caller->id : b->remote_dom;
    struct domain *rd = rdom == caller->id ? caller : domain_get(rdom);
    if (!rd)
        return -ESRCH;
    if (rd == caller)
        domain_ref(rd);
    evtchn_port_t lport = 0;
    unsigned long flags = lock_pair(caller, rd);
    /* A free local port first, then the remote one: Xen's order, so its errno wins too. */
    int rc = evtchn_get_port(caller, 0, &lport);
    if (!rc && !offered(caller, rd, b->remote_port))
        rc = -EINVAL;
    if (!rc) {
        connect(caller, lport, rd, b->remote_port);
        b->local_port = lport;
    }
    unlock_pair(caller, rd, flags);
    domain_put(rd);
    return rc;
}

int evtchn_bind_static(struct domain *a, evtchn_port_t pa, struct domain *b, evtchn_port_t pb)
{
    if (!pa || !pb || (a == b && pa == pb))
        return -EINVAL;
    evtchn_port_t got;
    unsigned long flags = lock_pair(a, b);
    /* Both ports checked (and their buckets made) before either changes. */
    int rc = evtchn_get_port(a, pa, &got);
    if (!rc)
        rc = evtchn_get_port(b, pb, &got);
    if (!rc) {
        evtchn_take_port(a, pa, ECS_UNBOUND, 0)->remote_dom = (uint16_t)b->id;
        connect(b, pb, a, pa);
    }
    unlock_pair(a, b, flags);
    return rc;
}

int evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    if (b->vcpu >= d->nr_vcpus || !d->vcpus[b->vcpu])
        return -ENOENT;
    evtchn_port_t port;
    unsigned long flags = spin_lock_irqsave(&d->evtchn->lock);
    int rc = evtchn_get_port(d, 0, &port);
    if (!rc) {
        evtchn_take_port(d, port, ECS_IPI, b->vcpu);
        b->port = port;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    return rc;
}

/* --- closing --- */

/* Close port of d; -EINVAL if it is not bound.  An interdomain port needs its peer's lock too:
 * look, take both locks, and look again, since the port may have changed in between. */
static int close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    for (;;) {
        unsigned long flags = spin_lock_irqsave(&e->lock);
        struct evtchn_port *p = evtchn_port_of(e, port);
        if (!p || p->state == ECS_FREE || p->state == ECS_RESERVED) {
            spin_unlock_irqrestore(&e->lock, flags);
            return -EINVAL;
        }
        if (p->state != ECS_INTERDOMAIN) {
            if (p->state == ECS_VIRQ)
                evtchn_virq_unbind(d, p);
            evtchn_free_port(d, port);
            spin_unlock_irqrestore(&e->lock, flags);
            return 0;
        }
        struct domain *r = p->remote;
        domain_ref(r);
        spin_unlock_irqrestore(&e->lock, flags);

        flags = lock_pair(d, r);
        bool same = p->state == ECS_INTERDOMAIN && p->remote == r;
        if (same) {
            /* The peer's end waits for d again (Xen's rule: a new bind from d may take it). */
            struct evtchn_port *q = evtchn_port_of(r->evtchn, p->remote_port);
            q->state = ECS_UNBOUND;
            q->remote = NULL;
            q->remote_dom = (uint16_t)d->id;
            q->remote_port = 0;
            evtchn_free_port(d, port);
        }
        unlock_pair(d, r, flags);
        if (same) {
            domain_put(r); /* d's end's reference */
            domain_put(d); /* the peer's end's */
        }
        domain_put(r);
        if (same)
            return 0;
    }
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
    return close_port(d, port);
}

/* Close every port of d (port 0 stays reserved). */
static void close_all(struct domain *d)
{
    for (evtchn_port_t port = 1; port < d->evtchn->nr_buckets * EVTCHN_BUCKET_PORTS; port++) {
        /* Buckets only appear under the lock and stay: a missing one has nothing to close. */
        if (!READ_ONCE(d->evtchn->bucket[port / EVTCHN_BUCKET_PORTS])) {
            port |= EVTCHN_BUCKET_PORTS - 1;
            continue;
        }
        close_port(d, port);
    }
}

int evtchn_reset(struct domain *caller, domid_t dom)
{
    int rc = 0;
    struct domain *d = target(caller, dom, &rc);
    if (!d)
        return rc;
    close_all(d);
    /* And back to 2-level, as a kexec'd kernel expects to find it. */
    unsigned long flags = spin_lock_irqsave(&d->evtchn->lock);
    evtchn_fifo_destroy(d);
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    domain_put(d);
    return 0;
}

void evtchn_domain_kill(struct domain *d)
{
    struct evtchn_domain *e = d->evtchn;
    if (!e)
        return;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    bool was = e->dead;
    e->dead = true; /* no bind into d from now on, and no event is delivered */
    spin_unlock_irqrestore(&e->lock, flags);
    if (was)
        return;
    evtchn_virq_domain_kill(d);
    close_all(d);
    flags = spin_lock_irqsave(&e->lock);
    evtchn_fifo_destroy(d);
    spin_unlock_irqrestore(&e->lock, flags);
}

/* --- events --- */

int evtchn_send(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    struct evtchn_port *p = evtchn_port_of(e, port);
    switch (p ? p->state : ECS_FREE) {
    case ECS_INTERDOMAIN:
        /* The peer's end cannot change while d's lock is held (closing it takes both locks);
         * a peer being torn down gets nothing more. */
        if (!READ_ONCE(p->remote->evtchn->dead))
            evtchn_deliver(p->remote, p->remote_port);
        break;
    case ECS_IPI:
        evtchn_deliver(d, port);
        break;
    case ECS_UNBOUND:
        break; /* no one to tell yet; Xen also succeeds */
    default:
        rc = -EINVAL;
        break;
    }
    spin_unlock_irqrestore(&e->lock, flags);
    return rc;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    /* A port whose bucket does not exist yet: -EINVAL (Xen's port_is_valid). */
    struct evtchn_port *p = port < evtchn_limit(e) ? evtchn_port_of(e, port) : NULL;
    if (!p) {
        spin_unlock_irqrestore(&e->lock, flags);
        return -EINVAL;
    }
    if (!e->dead) {
        bool locked = lock_delivery(e);
        e->ops->unmask(d, d->vcpus[p->vcpu], port);
        unlock_delivery(e, locked);
    }
    spin_unlock_irqrestore(&e->lock, flags);
    return 0;
}

int evtchn_poll_pending(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *e = d->evtchn;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    bool locked = lock_delivery(e);
    int rc = port >= evtchn_limit(e) ? -EINVAL : e->ops->is_pending(d, port);
    unlock_delivery(e, locked);
    spin_unlock_irqrestore(&e->lock, flags);
    return rc;
}

int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu)
{
    if (vcpu >= d->nr_vcpus || !d->vcpus[vcpu])
        return -ENOENT;
    struct evtchn_domain *e = d->evtchn;
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    struct evtchn_port *p = evtchn_port_of(e, port);
    switch (p ? p->state : ECS_FREE) {
    case ECS_VIRQ:
        if (evtchn_virq_is_per_vcpu(p->virq)) {
            rc = -EINVAL;
            break;
        }
        __attribute__((fallthrough)); /* a global VIRQ may go to any vCPU */
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        WRITE_ONCE(p->vcpu, (uint16_t)vcpu);
        break;
    default:
        rc = -EINVAL; /* free, reserved, or an IPI (which names its vCPU for good) */
        break;
    }
    spin_unlock_irqrestore(&e->lock, flags);
    return rc;
}

int evtchn_status(struct domain *caller, struct evtchn_status *s)
{
    int rc = 0;
    struct domain *d = target(caller, s->dom, &rc);
    if (!d)
        return rc;
    unsigned long flags = spin_lock_irqsave(&d->evtchn->lock);
    struct evtchn_port *p =
        s->port < evtchn_limit(d->evtchn) ? evtchn_port_of(d->evtchn, s->port) : NULL;
    if (!p) { /* beyond the limit, or in a bucket not made yet (Xen's port_is_valid) */
        spin_unlock_irqrestore(&d->evtchn->lock, flags);
        domain_put(d);
        return -EINVAL;
    }
    s->vcpu = p->vcpu;
    s->status = EVTCHNSTAT_closed;
    memset(&s->u, 0, sizeof(s->u));
    switch (p->state) {
    case ECS_UNBOUND:
        s->status = EVTCHNSTAT_unbound;
        s->u.unbound.dom = p->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        s->status = EVTCHNSTAT_interdomain;
        s->u.interdomain.dom = p->remote_dom;
        s->u.interdomain.port = p->remote_port;
        break;
    case ECS_VIRQ:
        s->status = EVTCHNSTAT_virq;
        s->u.virq = p->virq;
        break;
    case ECS_IPI:
        s->status = EVTCHNSTAT_ipi;
        break;
    default:
        break;
    }
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
    domain_put(d);
    return 0;
}
