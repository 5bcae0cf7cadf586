/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside core/event/: the port table shared by evtchn.c (states and operations), virq.c
 * (virtual IRQs) and the port-ops of the event ABI (evtchn_2l.c: the 2-level bitmaps; FIFO
 * could come later behind the same table).  Everything here is guarded by the owning domain's
 * event lock unless it says otherwise.
 */
#pragma once

#include <hyp/evtchn.h>
#include <hyp/spinlock.h>

/* Ports come in buckets of 64 (one word of the 2-level bitmaps), allocated when first used. */
#define EVTCHN_NR_PORTS EVTCHN_2L_NR_CHANNELS
#define EVTCHN_BUCKET_PORTS 64
#define EVTCHN_NR_BUCKETS (EVTCHN_NR_PORTS / EVTCHN_BUCKET_PORTS)

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
    uint16_t remote_port;
    struct domain *remote; /* ECS_INTERDOMAIN: the peer, on which this port holds a reference */
};

struct evtchn_domain {
    struct spinlock lock;
    bool dead;           /* torn down: no more bindings; set under lock, read without */
    unsigned used;       /* ports neither free nor reserved */
    unsigned nr_vcpus;   /* rows of virq_port */
    uint16_t *virq_port; /* [vcpu * NR_VIRQS + virq]: the port bound to it, 0 = none */
    struct evtchn_port *bucket[EVTCHN_NR_BUCKETS];
};

/* The ABI's side of a port: its pending and mask bits and how an event reaches the guest. */
struct evtchn_port_ops {
    /* Mark port pending for vCPU v (the port's notified vCPU); raise v's upcall if the event
     * is new and not masked. */
    void (*set_pending)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    /* Forget a pending event (the port is being freed). */
    void (*clear_pending)(struct domain *d, evtchn_port_t port);
    /* Clear the mask bit; deliver to v if the port was masked and is pending. */
    void (*unmask)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    bool (*is_pending)(struct domain *d, evtchn_port_t port);
    bool (*is_masked)(struct domain *d, evtchn_port_t port);
};

extern const struct evtchn_port_ops evtchn_2l_ops;

/* Lock held.  The port's entry, or NULL if port is beyond the table or its bucket was never
 * allocated (then it is free). */
static inline struct evtchn_port *evtchn_port_of(struct evtchn_domain *e, evtchn_port_t port)
{
    if (port >= EVTCHN_NR_PORTS)
        return NULL;
    struct evtchn_port *b = e->bucket[port / EVTCHN_BUCKET_PORTS];
    return b ? &b[port % EVTCHN_BUCKET_PORTS] : NULL;
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

/* virq.c, for evtchn.c: forget that port (being closed, lock held) is bound to its VIRQ, and
 * the handlers d holds (kill, no event lock held). */
void evtchn_virq_unbind(struct domain *d, struct evtchn_port *p);
void evtchn_virq_domain_kill(struct domain *d);
