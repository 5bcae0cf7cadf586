/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels, 2-level ABI (xen-abi-facts C.3, C.4): each domain's table of 4096 ports and
 * what they connect to (nothing yet, another domain's port, a virtual IRQ of Keel's, an IPI
 * between its own vCPUs), and the delivery of an event into the notified vCPU's shared_info
 * bits and its upcall line.  The functions take kernel structs and domain references, never
 * guest pointers (core/hypercall/event_channel_op.c decodes those); each returns 0 or a
 * negative Xen errno, as the hypercall does.
 *
 * Locking: each domain's event lock guards its port table: every port's state, peer and
 * notified vCPU, its VIRQ bindings and whether its event channels are torn down.  Two domains'
 * event locks are taken in domain-id order.  While one is held Keel may take, in this order,
 * the notified domain's vGIC lock and a scheduler pool lock (through the upcall and vcpu_kick);
 * it is never held together with d->lock or d->p2m_lock, and no one takes it under a vGIC or
 * pool lock.  The lock of global VIRQ handlers (virq.c) is taken before any event lock.
 *
 * An interdomain channel holds a domain reference on each end's peer, so the peer's structure
 * stays while the channel does; domain_kill closes every channel of the dying domain (its
 * peers' ends return to unbound, waiting for it) before its memory goes.
 */
#pragma once

#include <hyp/domain.h>
#include <xen/event_channel.h>

struct evtchn_domain;

/* At creation, after the vCPUs exist: an empty table, port 0 reserved.  0 or -ENOMEM. */
int evtchn_domain_init(struct domain *d);
/* At kill, before the domain's memory and vcpu_info areas go: close every port (the peers of
 * interdomain ones see their end unbound), give up the global VIRQs it handles, and refuse
 * every later bind into d.  Events sent to d from then on are dropped.  Idempotent; copes with
 * a half-built domain. */
void evtchn_domain_kill(struct domain *d);
/* At free: the table itself. */
void evtchn_domain_free(struct domain *d);

/* EVTCHNOP_alloc_unbound by caller: a new port in a->dom (DOMID_SELF: the caller) that
 * a->remote_dom (DOMID_SELF: the caller) may bind to; a->port gets it.  -ESRCH (no such
 * domain), -EPERM (caller may not act for it), -ENOSPC (no free port), -EINVAL (dying),
 * -ENOMEM. */
int evtchn_alloc_unbound(struct domain *caller, struct evtchn_alloc_unbound *a);
/* EVTCHNOP_bind_interdomain: connect a new port of caller to b->remote_port of b->remote_dom
 * (DOMID_SELF or its own id: a loopback), which must be unbound and offered to the caller
 * (-EINVAL otherwise, -ESRCH if there is no such domain).  b->local_port gets the new port,
 * which is left pending: events sent before the bind are not lost. */
int evtchn_bind_interdomain(struct domain *caller, struct evtchn_bind_interdomain *b);
/* EVTCHNOP_bind_virq: a new port of d for VIRQ b->virq on vCPU b->vcpu.  -EINVAL (no such
 * VIRQ, or a vCPU other than 0 for a global one), -ENOENT (no such vCPU), -EEXIST (already
 * bound on that vCPU), -EBUSY (a global VIRQ another domain handles). */
int evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b);
/* EVTCHNOP_bind_ipi: a new port of d whose events go to vCPU b->vcpu (-ENOENT). */
int evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b);
/* EVTCHNOP_close.  -EINVAL for a port that is not bound (or not a port). */
int evtchn_close(struct domain *d, evtchn_port_t port);
/* EVTCHNOP_send: interdomain -> the peer's port, IPI -> d's own; an unbound port takes the
 * event silently; anything else -EINVAL. */
int evtchn_send(struct domain *d, evtchn_port_t port);
/* EVTCHNOP_status of s->port in s->dom (DOMID_SELF: the caller).  -ESRCH, -EPERM, -EINVAL (not
 * a port). */
int evtchn_status(struct domain *caller, struct evtchn_status *s);
/* EVTCHNOP_bind_vcpu: port's events go to vCPU vcpu from now on.  -ENOENT (no such vCPU),
 * -EINVAL (free port, IPI, per-vCPU VIRQ). */
int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu);
/* SCHEDOP_poll's test of one of d's ports: 1 if it is pending, 0 if not, -EINVAL if it is beyond
 * what d's event ABI names. */
int evtchn_poll_pending(struct domain *d, evtchn_port_t port);
/* EVTCHNOP_unmask: clear port's mask bit and deliver it if it was pending.  -EINVAL (not a
 * port). */
int evtchn_unmask(struct domain *d, evtchn_port_t port);
/* EVTCHNOP_reset: close every port of dom (DOMID_SELF: the caller), which goes back to the
 * 2-level ABI.  -ESRCH, -EPERM. */
int evtchn_reset(struct domain *caller, domid_t dom);

/* FIFO (xen-abi-facts C.5).  EVTCHNOP_init_control: vCPU c->vcpu's control block is at
 * c->offset in d's RAM frame c->control_gfn; the first call moves d from 2-level to FIFO.
 * c->link_bits is set.  -ENOENT (no such vCPU), -EINVAL (offset not 8-byte aligned or the block
 * crosses the page, not writable RAM, the vCPU has one already, d dying), -ENOMEM. */
int evtchn_init_control(struct domain *d, struct evtchn_init_control *c);
/* EVTCHNOP_expand_array: d's RAM frame gfn holds the next 1024 event words.  -EOPNOTSUPP (not
 * FIFO), -EINVAL (not writable RAM, or every port d may bind has a word already). */
int evtchn_expand_array(struct domain *d, uint64_t gfn);
/* EVTCHNOP_set_priority: port's queue from its next event on.  -EINVAL (not bound, or priority
 * beyond 15), -ENOSYS (2-level). */
int evtchn_set_priority(struct domain *d, evtchn_port_t port, uint32_t priority);

/* A dom0less static channel, before either domain runs: port pa of a connected to port pb of
 * b (a may be b, pa != pb then).  pb is left pending, as after a bind.  -EINVAL (bad port),
 * -EEXIST (a port in use), -ENOMEM. */
int evtchn_bind_static(struct domain *a, evtchn_port_t pa, struct domain *b, evtchn_port_t pb);

struct fdt;
/* Boot: connect the static channels (Xen's "xen,evtchn-v1" nodes) under the "xen,domain" nodes
 * nodes[i] that became doms[i], before any of them runs.  A bad node is refused with a line. */
void evtchn_static_bind_all(const struct fdt *f, const int nodes[], struct domain *const doms[],
                            unsigned nr);

/* Ports of d in use (port 0 not counted): tests check that nothing stays bound. */
unsigned evtchn_ports_in_use(struct domain *d);

/* --- virtual IRQs: Keel's own event sources (virq.c) --- */

/* Raise VIRQ virq on vCPU v (a per-vCPU VIRQ), or on v's domain (a global one bound on vCPU 0),
 * if it is bound.  Any pCPU, no lock held but the caller's own. */
void evtchn_send_virq(struct vcpu *v, unsigned virq);
/* Raise global VIRQ virq in the domain that handles it: the first domain to bind it (the
 * control domain may always take it over), until that domain dies.  Nothing if none. */
void evtchn_send_global_virq(unsigned virq);
/* Whether virq is bound per vCPU (VIRQ_TIMER, DEBUG, XENOPROF, XENPMU) rather than once per
 * domain. */
bool evtchn_virq_is_per_vcpu(unsigned virq);
