/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rest of Keel as the event-channel host tests see it (evtchn_doubles.c), shared by
 * tests/unit/test_evtchn.c and test_evtchn_fifo.c.  Domains are built here: a shared_info
 * page, vCPUs (vcpu_info areas at hand for vCPUs 1 and up), a reference count that the
 * stand-in domain_get/domain_put keep; arch_evtchn_upcall is counted per vCPU; the heap is
 * calloc/free.  Guest RAM for FIFO's pages: a guest frame number is a host page's address >> 12
 * (below 16: not RAM), and frame_refs counts the references taken and not yet put.  Guest
 * virtual addresses for the hypercall decoding are host pointers; 0 and `hole` fault.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <hyp/evtchn.h>
#include <hyp/shared_info.h>

#define NDOM 6
#define NVCPU 3

struct tdom {
    struct domain d;
    struct shared_info si;
    struct vcpu v[NVCPU];
    struct vcpu_info vi[NVCPU]; /* areas a test may register for vCPUs 1 and 2 */
    unsigned upcalls[NVCPU];    /* atomic */
};

extern struct tdom *doms[NDOM];
extern long frame_refs; /* atomic */
extern uint8_t hole[64];

struct tdom *tdom_of(struct domain *d);
struct domain *D(unsigned id);

/* Domain id with nvcpus vCPUs, its event channels made; cfg (may be NULL) is its config. */
struct domain *mkdom_cfg(unsigned id, unsigned nvcpus, const struct domain_config *cfg);
struct domain *mkdom(unsigned id, unsigned nvcpus);
/* Kill as domain_kill does (event channels first), then check no port stays bound. */
void killdom(struct domain *d);
/* The group fixture: domains 1 and 2 with NVCPU vCPUs, 3 with one; teardown kills what is
 * left, checks that only the table's reference remains on each, and frees them. */
int setup(void **state);
int teardown(void **state);

/* vCPU vcpu of d: arch upcalls raised so far. */
unsigned upcalls(struct domain *d, unsigned vcpu);
/* The 2-level bits of port p in d's shared_info. */
bool pending(struct domain *d, evtchn_port_t p);
void clear_pending(struct domain *d, evtchn_port_t p);
void mask(struct domain *d, evtchn_port_t p);
/* What a 2-level guest's upcall handler does first: take the upcall flag and the selector. */
void guest_ack(struct domain *d, unsigned vcpu);

/* A port of dom (made by caller) that remote may bind; asserts success. */
evtchn_port_t unbound(struct domain *caller, domid_t dom, domid_t remote);
/* EVTCHNOP_bind_interdomain by caller to rport of rdom; *local (if given) gets the port. */
int bind(struct domain *caller, domid_t rdom, evtchn_port_t rport, evtchn_port_t *local);
struct evtchn_status status(struct domain *caller, domid_t dom, evtchn_port_t port);
/* A channel between a and b: a's port, b's port (b's left pending by the bind: cleared in
 * the 2-level bitmap, and vCPU 0's flag and selector taken). */
void channel(struct domain *a, struct domain *b, evtchn_port_t *pa, evtchn_port_t *pb);
/* event_channel_op(cmd, arg) as vCPU 0 of d makes it. */
long op(struct domain *d, uint64_t cmd, void *arg);
