/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside core/event/: the port table shared by evtchn.c (states and operations), virq.c
 * (virtual IRQs) and the port-ops of the two event ABIs (evtchn_2l.c: the 2-level bitmaps;
 * evtchn_fifo.c: the FIFO queues).  Everything here is guarded by the owning domain's event
 * lock unless it says otherwise.
 *
 * Locks, outermost first: virq.c's handler lock; the event locks of one or two domains (in
 * domain-id order); a domain's delivery lock.  The delivery lock guards the FIFO queues and
 * ports' FIFO state, and serialises FIFO's port-ops with the switches between the ABIs (which
 * hold both locks); a sender holds its own event lock, not the receiver's, so the receiver's
 * event lock alone could not.  2-level's port-ops take no lock beyond the caller's: their bits
 * are atomic, and an event caught in the switch to FIFO is handed over (evtchn_2l_deliver).
 */
#pragma once

#include <hyp/evtchn.h>
#include <hyp/shared_info.h>
#include <hyp/spinlock.h>

/* Ports come in buckets of 64 (one word of the 2-level bitmaps), allocated when first used. */
#define EVTCHN_BUCKET_PORTS 64

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED,    /* port 0 */
    ECS_UNBOUND,     /* waiting for remote_dom to bind */
    ECS_INTERDOMAIN, /* connected to remote's remote_port */
    ECS_VIRQ,
    ECS_IPI,
};

struct evtchn_port {
    uint8_t state;       /* enum evtchn_state */
    uint8_t virq;        /* ECS_VIRQ */
    uint16_t vcpu;       /* the vCPU its events notify */
    uint16_t remote_dom; /* ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: the peer's id */
    /* FIFO (delivery lock): the port's priority, and an event that came while the guest had
     * no event word for the port yet (shown when EVTCHNOP_expand_array gives one). */
    uint8_t priority;
    bool pending_unseen;
    uint32_t remote_port;
    /* FIFO (delivery lock): the queue the port was last linked on (vCPU, priority), whose
     * tail it may still be. */
    uint16_t last_vcpu;
    uint8_t last_priority;
    struct domain *remote; /* ECS_INTERDOMAIN: the peer, on which this port holds a reference */
};

struct evtchn_fifo;

struct evtchn_domain {
    struct spinlock lock;
    struct spinlock deliver_lock; /* see above */
    bool dead;                    /* torn down: no more bindings; set under lock, read without */
    unsigned used;                /* ports neither free nor reserved */
    unsigned free_from;           /* no port below it is free: the lowest-free search starts here */
    unsigned nr_vcpus;            /* rows of virq_port */
    /* Ports below limit may be bound: the domain's max_evtchn_port + 1, capped by the ABI in
     * use (evtchn_limit).  The table has room for it under either ABI. */
    unsigned max_ports;
    unsigned nr_buckets;
    /* 2-level until the guest asks for FIFO; both change under both locks, and fifo is read
     * without one by evtchn_deliver. */
    const struct evtchn_port_ops *ops;
    struct evtchn_fifo *fifo;    /* the FIFO state, NULL under 2-level */
    uint32_t *virq_port;         /* [vcpu * NR_VIRQS + virq]: the port bound to it, 0 = none */
    struct evtchn_port **bucket; /* [nr_buckets] */
};

/* The ABI's side of a port: its pending and mask bits and how an event reaches the guest.
 * Called with the port's domain's event lock held (set_pending: its own or a sender's) and,
 * under FIFO, its delivery lock. */
struct evtchn_port_ops {
    /* Mark port pending for vCPU v (the port's notified vCPU); raise v's upcall if the event
     * is new and not masked. */
    void (*set_pending)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    /* Forget a pending event (the port is being freed). */
    void (*clear_pending)(struct domain *d, evtchn_port_t port);
    /* Clear the mask bit; deliver to v if the port was masked and is pending. */
    void (*unmask)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    bool (*is_pending)(struct domain *d, evtchn_port_t port);
};

extern const struct evtchn_port_ops evtchn_2l_ops;
/* An event for port of d, to v, under 2-level, which takes no lock: if d moved to FIFO
 * meanwhile, it is handed to evtchn_deliver_locked. */
void evtchn_2l_deliver(struct domain *d, struct vcpu *v, evtchn_port_t port);
/* An event for port of d, to v, through the ABI d runs, under d's delivery lock. */
void evtchn_deliver_locked(struct domain *d, struct vcpu *v, evtchn_port_t port);
extern const struct evtchn_port_ops evtchn_fifo_ops;

/* The ports the ABI in use can name, below the domain's own limit. */
static inline unsigned evtchn_limit(const struct evtchn_domain *e)
{
    unsigned abi = e->fifo ? EVTCHN_FIFO_NR_CHANNELS : EVTCHN_2L_NR_CHANNELS;
    return e->max_ports < abi ? e->max_ports : abi;
}

/* Lock held.  The port's entry, or NULL if port is beyond the table or its bucket was never
 * allocated (then it is free). */
static inline struct evtchn_port *evtchn_port_of(struct evtchn_domain *e, evtchn_port_t port)
{
    if (port >= e->nr_buckets * EVTCHN_BUCKET_PORTS)
        return NULL;
    struct evtchn_port *b = e->bucket[port / EVTCHN_BUCKET_PORTS];
    return b ? &b[port % EVTCHN_BUCKET_PORTS] : NULL;
}

/* v has events to look at: its vcpu_info's upcall flag goes up, and only the flag's rising
 * edge raises the PPI (Linux loops in its handler while the flag is set again, so an event
 * that arrives during the handler is not lost).  Either ABI. */
static inline void evtchn_upcall(struct vcpu *v, struct vcpu_info *vi)
{
    if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        arch_evtchn_upcall(v);
}

/* Lock held.  Deliver an event on port of d (bound, not free) to its notified vCPU. */
void evtchn_deliver(struct domain *d, evtchn_port_t port);
/* Lock held.  A free port (at port, or the lowest free one if port is 0): 0 with *out, or
 * -ENOSPC, -EEXIST (port in use), -EINVAL (dead, or port beyond the table), -ENOMEM. */
int evtchn_get_port(struct domain *d, evtchn_port_t port, evtchn_port_t *out);
/* Lock held.  Give free port (from evtchn_get_port) a new binding: state s, events to vCPU
 * vcpu, the rest zero. */
struct evtchn_port *evtchn_take_port(struct domain *d, evtchn_port_t port, enum evtchn_state s,
                                     unsigned vcpu);
/* Lock held.  Return a port whose state has been undone to the free pool. */
void evtchn_free_port(struct domain *d, evtchn_port_t port);

/* evtchn_fifo.c, for evtchn.c: both locks held.  Switch d to 2-level again and let go of the
 * guest pages FIFO held (EVTCHNOP_reset, kill). */
void evtchn_fifo_destroy(struct domain *d);

/* virq.c, for evtchn.c: forget that port (being closed, lock held) is bound to its VIRQ, and
 * the handlers d holds (kill, no event lock held). */
void evtchn_virq_unbind(struct domain *d, struct evtchn_port *p);
void evtchn_virq_domain_kill(struct domain *d);
