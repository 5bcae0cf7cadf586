/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for event channels (core/event/) under the 2-level ABI: every operation and each
 * of its errors, the 2-level bits and upcalls, close/reset/kill with peers, static channels,
 * VIRQ handlers, event_channel_op's decoding, and threads standing in for pCPUs that send,
 * close and bind at once.  The domains and stand-ins are evtchn_doubles.c's; FIFO is
 * test_evtchn_fifo.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/shared_info.h>

#include "../../hyp/core/event/evtchn_internal.h"
#include "evtchn_doubles.h"

/* --- the table and alloc_unbound --- */

static void port_zero_reserved(void **state)
{
    struct domain *a = D(1);
    struct evtchn_status s = status(a, DOMID_SELF, 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(evtchn_close(a, 0), -EINVAL);
    assert_int_equal(evtchn_send(a, 0), -EINVAL);
    assert_int_equal(evtchn_ports_in_use(a), 0);
    assert_int_equal(unbound(a, DOMID_SELF, DOMID_SELF), 1); /* the first port is 1 */
}

static void alloc_unbound_rules(void **state)
{
    struct domain *a = D(1), *b = D(2);
    evtchn_port_t p = unbound(a, DOMID_SELF, 2);
    struct evtchn_status s = status(a, DOMID_SELF, p);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 2);
    assert_int_equal(s.vcpu, 0);
    /* DOMID_SELF as the remote is the caller, and the caller's own id names it too. */
    assert_int_equal(status(a, 1, unbound(a, 1, DOMID_SELF)).u.unbound.dom, 1);
    /* Lowest free port first. */
    assert_int_equal(unbound(a, DOMID_SELF, 3), 3);
    assert_int_equal(evtchn_close(a, 2), 0);
    assert_int_equal(unbound(a, DOMID_SELF, 3), 2);

    struct evtchn_alloc_unbound x = { .dom = 2, .remote_dom = 1 };
    assert_int_equal(evtchn_alloc_unbound(a, &x), -EPERM); /* not for another domain */
    x.dom = 5;
    assert_int_equal(evtchn_alloc_unbound(a, &x), -ESRCH);
    x.dom = DOMID_INVALID;
    assert_int_equal(evtchn_alloc_unbound(a, &x), -ESRCH);
    /* The control domain may; DOMID_SELF as remote is then the control domain itself. */
    a->is_control = true;
    x = (struct evtchn_alloc_unbound){ .dom = 2, .remote_dom = DOMID_SELF };
    assert_int_equal(evtchn_alloc_unbound(a, &x), 0);
    s = status(b, DOMID_SELF, x.port);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 1);
    a->is_control = false;
}

static void exhaustion(void **state)
{
    struct domain *a = D(3);
    for (unsigned i = 1; i < EVTCHN_2L_NR_CHANNELS; i++)
        assert_int_equal(unbound(a, DOMID_SELF, DOMID_SELF), i);
    struct evtchn_alloc_unbound x = { .dom = DOMID_SELF, .remote_dom = 1 };
    assert_int_equal(evtchn_alloc_unbound(a, &x), -ENOSPC);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), -ENOSPC);
    evtchn_port_t local;
    /* A full table refuses a bind before it looks at the remote port, as Xen does. */
    assert_int_equal(bind(a, DOMID_SELF, 7, &local), -ENOSPC); /* 7 is offered to a itself */
    assert_int_equal(bind(a, 1, 1, &local), -ENOSPC);
    assert_int_equal(evtchn_close(a, 1000), 0);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 1000);
    assert_int_equal(evtchn_ports_in_use(a), EVTCHN_2L_NR_CHANNELS - 1);
    /* Freed out of order, handed out lowest first (the search starts at the lowest freed). */
    assert_int_equal(evtchn_close(a, 700), 0);
    assert_int_equal(evtchn_close(a, 9), 0);
    assert_int_equal(evtchn_close(a, 4000), 0);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 9);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 700);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 4000);
    assert_int_equal(evtchn_alloc_unbound(a, &x), -ENOSPC);
    assert_int_equal(evtchn_reset(a, DOMID_SELF), 0);
    assert_int_equal(evtchn_ports_in_use(a), 0);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 1);
    assert_int_equal(unbound(a, DOMID_SELF, 1), 2);
}

/* --- bind_interdomain, send, close --- */

static void interdomain(void **state)
{
    struct domain *a = D(1), *b = D(2);
    evtchn_port_t pa = unbound(a, DOMID_SELF, 2), pb;
    assert_int_equal(bind(b, 1, pa, &pb), 0);
    /* Both ends connected; the new local end is pending, and b's vCPU 0 got its upcall. */
    struct evtchn_status s = status(a, DOMID_SELF, pa);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, 2);
    assert_int_equal(s.u.interdomain.port, pb);
    s = status(b, DOMID_SELF, pb);
    assert_int_equal(s.u.interdomain.dom, 1);
    assert_int_equal(s.u.interdomain.port, pa);
    assert_true(pending(b, pb));
    assert_int_equal(upcalls(b, 0), 1);
    assert_true(vcpu_info_of(b->vcpus[0])->evtchn_pending_sel & (1UL << (pb / 64)));
    assert_int_equal(a->refs, 2); /* b's end holds a */
    assert_int_equal(b->refs, 2);

    /* Sends: a -> b's port; nothing new while the event is still pending. */
    clear_pending(b, pb);
    guest_ack(b, 0);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb));
    assert_false(pending(a, pa));
    assert_int_equal(upcalls(b, 0), 2);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(upcalls(b, 0), 2);
    /* Pending, selector still set: no upcall until the guest took the selector. */
    clear_pending(b, pb);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(upcalls(b, 0), 2);
    /* And the other way. */
    assert_int_equal(evtchn_send(b, pb), 0);
    assert_true(pending(a, pa));
    assert_int_equal(upcalls(a, 0), 1);

    /* The remote port must be unbound and offered to the binder. */
    evtchn_port_t x;
    assert_int_equal(bind(b, 1, pa, &x), -EINVAL);                           /* already connected */
    assert_int_equal(bind(D(3), 1, unbound(a, DOMID_SELF, 2), &x), -EINVAL); /* not offered */
    assert_int_equal(bind(b, 1, 0, &x), -EINVAL);
    assert_int_equal(bind(b, 1, 999, &x), -EINVAL); /* free */
    assert_int_equal(bind(b, 1, EVTCHN_2L_NR_CHANNELS, &x), -EINVAL);
    assert_int_equal(bind(b, 1, 0xffffffffu, &x), -EINVAL);
    assert_int_equal(bind(b, 5, 1, &x), -ESRCH);
    assert_int_equal(bind(b, DOMID_INVALID, 1, &x), -ESRCH);
    assert_int_equal(evtchn_ports_in_use(b), 1); /* nothing was left half done */

    /* Close: the peer's end waits for the closer again, who may bind it anew. */
    assert_int_equal(evtchn_close(b, pb), 0);
    s = status(a, DOMID_SELF, pa);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 2);
    assert_int_equal(status(b, DOMID_SELF, pb).status, EVTCHNSTAT_closed);
    assert_int_equal(a->refs, 1);
    assert_int_equal(b->refs, 1);
    assert_int_equal(evtchn_close(b, pb), -EINVAL);
    assert_int_equal(evtchn_send(b, pb), -EINVAL);
    assert_int_equal(evtchn_send(a, pa), 0); /* unbound: silently */
    assert_int_equal(bind(b, 1, pa, &x), 0);
    assert_int_equal(x, pb); /* the lowest free port again */
}

static void loopback(void **state)
{
    struct domain *a = D(1);
    evtchn_port_t p = unbound(a, DOMID_SELF, DOMID_SELF), q, r;
    assert_int_equal(bind(a, DOMID_SELF, p, &q), 0);
    assert_int_not_equal(p, q);
    assert_int_equal(status(a, DOMID_SELF, q).u.interdomain.port, p);
    clear_pending(a, q);
    guest_ack(a, 0);
    assert_int_equal(evtchn_send(a, p), 0);
    assert_true(pending(a, q));
    assert_false(pending(a, p));
    assert_int_equal(a->refs, 3); /* each end holds its own domain */
    /* Its own id works as DOMID_SELF does. */
    evtchn_port_t p2 = unbound(a, DOMID_SELF, DOMID_SELF);
    assert_int_equal(bind(a, 1, p2, &r), 0);
    assert_int_equal(evtchn_close(a, p), 0);
    assert_int_equal(status(a, DOMID_SELF, q).status, EVTCHNSTAT_unbound);
    assert_int_equal(status(a, DOMID_SELF, q).u.unbound.dom, 1);
    assert_int_equal(evtchn_reset(a, DOMID_SELF), 0);
    assert_int_equal(a->refs, 1);
}

static void masking(void **state)
{
    struct domain *a = D(1), *b = D(2);
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    unsigned before = upcalls(b, 0);
    mask(b, pb);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb)); /* pending, but masked: no upcall */
    assert_int_equal(upcalls(b, 0), before);
    assert_int_equal(vcpu_info_of(b->vcpus[0])->evtchn_pending_sel, 0);
    assert_int_equal(evtchn_unmask(b, pb), 0);
    assert_int_equal(upcalls(b, 0), before + 1);
    assert_false(b->shared_info->evtchn_mask[pb / 64] & (1UL << (pb % 64)));
    /* Unmasking what is not masked changes nothing. */
    guest_ack(b, 0);
    assert_int_equal(evtchn_unmask(b, pb), 0);
    assert_int_equal(upcalls(b, 0), before + 1);
    /* Any port of a bucket that exists may be unmasked, bound or not; in a bucket not made
     * yet or beyond the table, -EINVAL (Xen's port_is_valid). */
    assert_int_equal(evtchn_unmask(b, 63), 0);
    assert_int_equal(evtchn_unmask(b, 4095), -EINVAL);
    assert_int_equal(evtchn_unmask(b, EVTCHN_2L_NR_CHANNELS), -EINVAL);
    assert_int_equal(evtchn_unmask(b, 0xffffffffu), -EINVAL);
    /* The upcall is raised only on the flag's rising edge. */
    clear_pending(b, pb);
    vcpu_info_of(b->vcpus[0])->evtchn_upcall_pending = 1; /* the guest is still in its handler */
    vcpu_info_of(b->vcpus[0])->evtchn_pending_sel = 0;    /* and took the selector already */
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(vcpu_info_of(b->vcpus[0])->evtchn_pending_sel, 1UL << (pb / 64));
    assert_int_equal(upcalls(b, 0), before + 1); /* its loop sees the flag: no new PPI */
}

/* --- IPIs, VIRQs, bind_vcpu --- */

static void ipi(void **state)
{
    struct domain *a = D(1);
    tdom_of(a)->v[1].vcpu_info = &tdom_of(a)->vi[1];
    struct evtchn_bind_ipi b = { .vcpu = 1 };
    assert_int_equal(evtchn_bind_ipi(a, &b), 0);
    struct evtchn_status s = status(a, DOMID_SELF, b.port);
    assert_int_equal(s.status, EVTCHNSTAT_ipi);
    assert_int_equal(s.vcpu, 1);
    assert_int_equal(evtchn_send(a, b.port), 0);
    assert_true(pending(a, b.port));
    assert_int_equal(upcalls(a, 1), 1);
    assert_int_equal(upcalls(a, 0), 0);
    assert_int_equal(evtchn_bind_vcpu(a, b.port, 0), -EINVAL); /* an IPI keeps its vCPU */
    b.vcpu = NVCPU;
    assert_int_equal(evtchn_bind_ipi(a, &b), -ENOENT);
    b.vcpu = 0xffffffffu;
    assert_int_equal(evtchn_bind_ipi(a, &b), -ENOENT);
    /* vCPU 2 has no vcpu_info yet: the bit waits, no upcall (registration will raise it). */
    b.vcpu = 2;
    assert_int_equal(evtchn_bind_ipi(a, &b), 0);
    assert_int_equal(evtchn_send(a, b.port), 0);
    assert_true(pending(a, b.port));
    assert_int_equal(upcalls(a, 2), 0);
}

static void virq(void **state)
{
    struct domain *a = D(1), *b = D(2);
    tdom_of(a)->v[1].vcpu_info = &tdom_of(a)->vi[1];
    struct evtchn_bind_virq v = { .virq = NR_VIRQS };
    assert_int_equal(evtchn_bind_virq(a, &v), -EINVAL);
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &v), -EINVAL); /* global: vCPU 0 only */
    v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = NVCPU };
    assert_int_equal(evtchn_bind_virq(a, &v), -ENOENT);
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DEBUG, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &v), 0);
    evtchn_port_t dbg1 = v.port;
    assert_int_equal(evtchn_bind_virq(a, &v), -EEXIST);
    v.vcpu = 0;
    assert_int_equal(evtchn_bind_virq(a, &v), 0); /* per-vCPU: vCPU 0 has its own */
    struct evtchn_status s = status(a, DOMID_SELF, dbg1);
    assert_int_equal(s.status, EVTCHNSTAT_virq);
    assert_int_equal(s.u.virq, VIRQ_DEBUG);
    assert_int_equal(s.vcpu, 1);
    assert_int_equal(evtchn_send(a, dbg1), -EINVAL); /* a VIRQ is Keel's to raise */
    assert_int_equal(evtchn_bind_vcpu(a, dbg1, 0), -EINVAL);
    evtchn_send_virq(a->vcpus[1], VIRQ_DEBUG);
    assert_true(pending(a, dbg1));
    assert_int_equal(upcalls(a, 1), 1);
    evtchn_send_virq(a->vcpus[2], VIRQ_DEBUG); /* not bound there: nothing */
    evtchn_send_virq(a->vcpus[0], NR_VIRQS);

    /* Global: the first domain to bind it handles it; another gets -EBUSY. */
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC };
    assert_int_equal(evtchn_bind_virq(a, &v), 0);
    evtchn_port_t exc = v.port;
    assert_int_equal(evtchn_bind_virq(a, &v), -EEXIST);
    assert_int_equal(evtchn_bind_virq(b, &v), -EBUSY);
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    assert_true(pending(a, exc));
    /* A global VIRQ may move to another vCPU. */
    clear_pending(a, exc);
    assert_int_equal(evtchn_bind_vcpu(a, exc, 1), 0);
    guest_ack(a, 1);
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    assert_int_equal(upcalls(a, 1), 2);
    /* Closed and bound again: still a's. */
    assert_int_equal(evtchn_close(a, exc), 0);
    evtchn_send_global_virq(VIRQ_DOM_EXC); /* bound nowhere now */
    assert_int_equal(evtchn_bind_virq(a, &v), 0);
    assert_int_equal(evtchn_bind_virq(b, &v), -EBUSY);
    /* The control domain takes it over. */
    b->is_control = true;
    assert_int_equal(evtchn_bind_virq(b, &v), 0);
    b->is_control = false;
    clear_pending(b, v.port);
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    assert_true(pending(b, v.port));
    /* Its handler's death frees it. */
    killdom(b);
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC };
    assert_int_equal(evtchn_bind_virq(D(3), &v), 0);
    assert_int_equal(evtchn_bind_virq(b, &v), -EBUSY);
    /* VIRQ_ARGO is per domain: vCPU 0 only, but every domain may have its own. */
    v = (struct evtchn_bind_virq){ .virq = VIRQ_ARGO, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &v), -EINVAL);
    v.vcpu = 0;
    assert_int_equal(evtchn_bind_virq(a, &v), 0);
    assert_int_equal(evtchn_bind_virq(D(3), &v), 0);
    assert_int_equal(evtchn_bind_virq(a, &v), -EEXIST);
    evtchn_send_global_virq(VIRQ_ARGO); /* not Keel's to raise globally */
    assert_false(pending(a, v.port));
    evtchn_send_global_virq(VIRQ_TIMER); /* per-vCPU: ignored */
    evtchn_send_global_virq(NR_VIRQS);
}

static void bind_vcpu(void **state)
{
    struct domain *a = D(1), *b = D(2);
    tdom_of(b)->v[2].vcpu_info = &tdom_of(b)->vi[2];
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    assert_int_equal(evtchn_bind_vcpu(b, pb, NVCPU), -ENOENT);
    assert_int_equal(evtchn_bind_vcpu(b, 77, 1), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(b, EVTCHN_2L_NR_CHANNELS, 1), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(b, pb, 2), 0);
    assert_int_equal(status(b, DOMID_SELF, pb).vcpu, 2);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(upcalls(b, 2), 1);
    assert_int_equal(upcalls(b, 0), 1); /* only the bind's */
    /* An unbound port may move too. */
    evtchn_port_t u = unbound(b, DOMID_SELF, 1);
    assert_int_equal(evtchn_bind_vcpu(b, u, 1), 0);
    assert_int_equal(status(b, DOMID_SELF, u).vcpu, 1);
}

/* --- status and reset for others --- */

static void status_rules(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct evtchn_status s = { .dom = 2, .port = 1 };
    assert_int_equal(evtchn_status(a, &s), -EPERM);
    s.dom = 5;
    assert_int_equal(evtchn_status(a, &s), -ESRCH);
    s = (struct evtchn_status){ .dom = DOMID_SELF, .port = EVTCHN_2L_NR_CHANNELS };
    assert_int_equal(evtchn_status(a, &s), -EINVAL);
    /* A port of a bucket not made yet is none either (Xen's port_is_valid); a free port of a
     * bucket that exists is closed. */
    s = (struct evtchn_status){ .dom = DOMID_SELF, .port = 4095 };
    assert_int_equal(evtchn_status(a, &s), -EINVAL);
    assert_int_equal(status(a, DOMID_SELF, 63).status, EVTCHNSTAT_closed);
    evtchn_port_t p = unbound(b, DOMID_SELF, 3);
    a->is_control = true;
    s = status(a, 2, p);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 3);
    a->is_control = false;
}

static void reset_rules(void **state)
{
    struct domain *a = D(1), *b = D(2);
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    struct evtchn_bind_ipi i = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(b, &i), 0);
    assert_int_equal(evtchn_reset(a, 2), -EPERM);
    assert_int_equal(evtchn_reset(a, 5), -ESRCH);
    assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
    assert_int_equal(evtchn_ports_in_use(b), 0);
    assert_int_equal(status(a, DOMID_SELF, pa).status, EVTCHNSTAT_unbound);
    assert_int_equal(a->refs, 1);
    assert_int_equal(b->refs, 1);
    /* A reset domain works as before: b binds a's waiting end again. */
    assert_int_equal(bind(b, 1, pa, &pb), 0);
    /* The control domain resets another. */
    D(3)->is_control = true;
    assert_int_equal(evtchn_reset(D(3), 1), 0);
    D(3)->is_control = false;
    assert_int_equal(evtchn_ports_in_use(a), 0);
    assert_int_equal(status(b, DOMID_SELF, pb).status, EVTCHNSTAT_unbound);
}

/* --- kill --- */

static void kill_with_peers(void **state)
{
    struct domain *a = D(1), *b = D(2), *c = D(3);
    evtchn_port_t pa, pb, x;
    channel(a, b, &pa, &pb);
    evtchn_port_t a_for_b = unbound(a, DOMID_SELF, 2);
    evtchn_port_t b_for_a = unbound(b, DOMID_SELF, 1);
    evtchn_port_t pc, pa2;
    channel(c, a, &pc, &pa2);
    killdom(a);
    /* a's peers' ends wait for a, a's offers are gone, and no one holds a. */
    struct evtchn_status s = status(b, DOMID_SELF, pb);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 1);
    assert_int_equal(status(c, DOMID_SELF, pc).status, EVTCHNSTAT_unbound);
    assert_int_equal(status(b, DOMID_SELF, b_for_a).status, EVTCHNSTAT_unbound);
    assert_int_equal(a->refs, 1);
    assert_int_equal(b->refs, 1);
    assert_int_equal(c->refs, 1);
    assert_int_equal(bind(b, 1, a_for_b, &x), -ESRCH); /* a is off the table */
    /* Nothing binds into a dying domain, even through a reference taken before. */
    assert_int_equal(evtchn_bind_static(a, 9, b, 9), -EINVAL);
    assert_int_equal(evtchn_bind_static(b, 9, a, 9), -EINVAL);
    struct evtchn_bind_ipi i = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &i), -EINVAL);
    struct evtchn_bind_virq v = { .virq = VIRQ_DEBUG };
    assert_int_equal(evtchn_bind_virq(a, &v), -EINVAL);
    assert_int_equal(evtchn_ports_in_use(a), 0);
    assert_int_equal(evtchn_ports_in_use(b), 2); /* pb and b_for_a, both unbound */
    assert_int_equal(evtchn_send(b, pb), 0);
    evtchn_domain_kill(a); /* again: nothing */
}

/* A send whose peer is being torn down does not touch the peer. */
static void send_to_dying(void **state)
{
    struct domain *a = D(1), *b = D(2);
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    b->evtchn->dead = true; /* kill has begun; b's ports are not closed yet */
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_false(pending(b, pb));
    assert_int_equal(upcalls(b, 0), 1); /* the bind's only */
    b->evtchn->dead = false;
    killdom(b);
    assert_int_equal(status(a, DOMID_SELF, pa).status, EVTCHNSTAT_unbound);
}

/* --- static channels --- */

static void static_channels(void **state)
{
    struct domain *a = D(1), *b = D(2);
    assert_int_equal(evtchn_bind_static(a, 10, b, 20), 0);
    struct evtchn_status s = status(a, DOMID_SELF, 10);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, 2);
    assert_int_equal(s.u.interdomain.port, 20);
    assert_true(pending(b, 20));
    assert_false(pending(a, 10));
    clear_pending(b, 20);
    assert_int_equal(evtchn_send(a, 10), 0);
    assert_true(pending(b, 20));
    /* Errors leave both sides untouched. */
    assert_int_equal(evtchn_bind_static(a, 11, b, 20), -EEXIST);
    assert_int_equal(evtchn_bind_static(a, 10, b, 21), -EEXIST);
    assert_int_equal(status(a, DOMID_SELF, 11).status, EVTCHNSTAT_closed);
    assert_int_equal(status(b, DOMID_SELF, 21).status, EVTCHNSTAT_closed);
    assert_int_equal(evtchn_bind_static(a, 0, b, 21), -EINVAL);
    assert_int_equal(evtchn_bind_static(a, 11, b, EVTCHN_2L_NR_CHANNELS), -EINVAL);
    assert_int_equal(evtchn_bind_static(a, 11, a, 11), -EINVAL);
    assert_int_equal(evtchn_bind_static(a, 4095, a, 3000), 0); /* a loopback, far buckets */
    assert_int_equal(status(a, DOMID_SELF, 3000).u.interdomain.port, 4095);
    /* Later dynamic ports go round them. */
    assert_int_equal(unbound(a, DOMID_SELF, 2), 1);
    assert_int_equal(evtchn_ports_in_use(a), 4);
}

/* --- decoding (core/hypercall/event_channel_op.c) --- */

static void decode(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2, .port = 77 };
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, &au), 0);
    assert_int_equal(au.port, 1);
    struct evtchn_bind_interdomain bi = { .remote_dom = 1, .remote_port = 1 };
    assert_int_equal(op(b, EVTCHNOP_bind_interdomain, &bi), 0);
    assert_int_equal(bi.local_port, 1);
    struct evtchn_send s = { 1 };
    assert_int_equal(op(a, EVTCHNOP_send, &s), 0);
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };
    assert_int_equal(op(b, EVTCHNOP_status, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    struct evtchn_bind_vcpu bv = { .port = 1, .vcpu = 1 };
    assert_int_equal(op(b, EVTCHNOP_bind_vcpu, &bv), 0);
    struct evtchn_unmask um = { 1 };
    assert_int_equal(op(b, EVTCHNOP_unmask, &um), 0);
    struct evtchn_bind_ipi ip = { .vcpu = 0 };
    assert_int_equal(op(b, EVTCHNOP_bind_ipi, &ip), 0);
    struct evtchn_bind_virq vq = { .virq = VIRQ_DEBUG };
    assert_int_equal(op(b, EVTCHNOP_bind_virq, &vq), 0);
    assert_int_equal(vq.port, 3);
    struct evtchn_close c = { 1 };
    assert_int_equal(op(b, EVTCHNOP_close, &c), 0);
    struct evtchn_reset r = { DOMID_SELF };
    assert_int_equal(op(b, EVTCHNOP_reset, &r), 0);
    assert_int_equal(evtchn_ports_in_use(b), 0);
    /* A failed sub-op writes nothing back. */
    au = (struct evtchn_alloc_unbound){ .dom = 2, .remote_dom = 1, .port = 77 };
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, &au), -EPERM);
    assert_int_equal(au.port, 77);
    /* FIFO's sub-ops are decoded (their rules are test_evtchn_fifo's); PIRQs are not offered,
     * nor unknown sub-ops. */
    assert_int_equal(op(a, EVTCHNOP_init_control, NULL), -EFAULT);
    assert_int_equal(op(a, EVTCHNOP_expand_array, hole), -EFAULT);
    struct evtchn_expand_array ea = { 1 };
    assert_int_equal(op(a, EVTCHNOP_expand_array, &ea), -EOPNOTSUPP); /* still 2-level */
    struct evtchn_set_priority sp = { 4000, 0 };
    assert_int_equal(op(a, EVTCHNOP_set_priority, &sp), -EINVAL); /* not bound */
    assert_int_equal(op(a, EVTCHNOP_bind_pirq, &au), -ENOSYS);
    assert_int_equal(op(a, 14, &au), -ENOSYS);
    assert_int_equal(op(a, 0x100000004UL, &s), 0); /* cmd is the guest's int: send */
    /* Bad pointers: nothing happens. */
    assert_int_equal(op(a, EVTCHNOP_send, NULL), -EFAULT);
    assert_int_equal(op(a, EVTCHNOP_alloc_unbound, hole), -EFAULT);
    assert_int_equal(op(a, EVTCHNOP_status, hole + sizeof(hole) - 8), -EFAULT);
    assert_int_equal(evtchn_ports_in_use(a), 1);
}

/* --- threads as pCPUs --- */

#define ROUNDS 20000

struct race {
    struct domain *a, *b;
    evtchn_port_t pa;
    volatile bool stop;
    unsigned sent;
};

/* Sends from a's end, whatever state it is in: connected, or unbound while b rebinds. */
static void *sender(void *arg)
{
    struct race *r = arg;
    while (!r->stop) {
        assert_int_equal(evtchn_send(r->a, r->pa), 0);
        __atomic_fetch_add(&r->sent, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* b closes its end and binds a's waiting end again, over and over. */
static void *rebinder(void *arg)
{
    struct race *r = arg;
    for (unsigned i = 0; i < ROUNDS / 4; i++) {
        evtchn_port_t pb;
        assert_int_equal(bind(r->b, (domid_t)r->a->id, r->pa, &pb), 0);
        assert_int_equal(evtchn_close(r->b, pb), 0);
    }
    /* On a loaded host the senders may not have run yet: the race needs them to. */
    while (!__atomic_load_n(&r->sent, __ATOMIC_RELAXED))
        sched_yield();
    r->stop = true;
    return NULL;
}

/* A guest draining b's events. */
static void *drainer(void *arg)
{
    struct race *r = arg;
    while (!r->stop) {
        __atomic_store_n(&r->b->shared_info->evtchn_pending[0], 0, __ATOMIC_RELAXED);
        __atomic_store_n(&vcpu_info_of(r->b->vcpus[0])->evtchn_upcall_pending, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&vcpu_info_of(r->b->vcpus[0])->evtchn_pending_sel, 0, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void concurrent_send_close(void **state)
{
    struct race r = { .a = D(1), .b = D(2) };
    r.pa = unbound(r.a, DOMID_SELF, 2);
    pthread_t t[4];
    pthread_create(&t[0], NULL, sender, &r);
    pthread_create(&t[1], NULL, sender, &r);
    pthread_create(&t[2], NULL, drainer, &r);
    pthread_create(&t[3], NULL, rebinder, &r);
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_true(r.sent > 0);
    assert_int_equal(status(r.a, DOMID_SELF, r.pa).status, EVTCHNSTAT_unbound);
    assert_int_equal(r.a->refs, 1);
    assert_int_equal(r.b->refs, 1);
    assert_int_equal(evtchn_ports_in_use(r.b), 0);
}

/* Both ends close at once, from each side, over and over: the pair lock's order holds. */
struct both {
    struct domain *d;
    evtchn_port_t *port;
    pthread_barrier_t *go;
    int rc[ROUNDS / 10];
};

static void *closer(void *arg)
{
    struct both *x = arg;
    for (unsigned i = 0; i < ROUNDS / 10; i++) {
        pthread_barrier_wait(x->go);
        x->rc[i] = evtchn_close(x->d, x->port[i]);
        pthread_barrier_wait(x->go);
    }
    return NULL;
}

static void concurrent_close_both_ends(void **state)
{
    static evtchn_port_t pa[ROUNDS / 10], pb[ROUNDS / 10];
    static struct both xa, xb;
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 3);
    xa = (struct both){ .d = D(1), .port = pa, .go = &go };
    xb = (struct both){ .d = D(2), .port = pb, .go = &go };
    pthread_t t[2];
    pthread_create(&t[0], NULL, closer, &xa);
    pthread_create(&t[1], NULL, closer, &xb);
    for (unsigned i = 0; i < ROUNDS / 10; i++) {
        channel(D(1), D(2), &pa[i], &pb[i]);
        pthread_barrier_wait(&go); /* both close now */
        pthread_barrier_wait(&go);
        /* Each close finds its port bound (interdomain, or unbound after the other's). */
        assert_int_equal(xa.rc[i], 0);
        assert_int_equal(xb.rc[i], 0);
        assert_int_equal(evtchn_ports_in_use(D(1)) + evtchn_ports_in_use(D(2)), 0);
    }
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    pthread_barrier_destroy(&go);
    assert_int_equal(D(1)->refs, 1);
    assert_int_equal(D(2)->refs, 1);
}

/* Many senders into one domain through separate channels while it drains: every event that
 * finds its port clear of pending raises exactly what 2-level says, and nothing is lost:
 * after the senders stop, whatever is pending was announced by the selector and the flag. */
static void *many_sender(void *arg)
{
    struct race *r = arg;
    for (unsigned i = 0; i < ROUNDS; i++)
        assert_int_equal(evtchn_send(r->a, r->pa), 0);
    return NULL;
}

static void concurrent_senders(void **state)
{
    struct domain *b = D(2);
    struct race r[3];
    evtchn_port_t pb[3];
    for (unsigned i = 0; i < 3; i++) {
        r[i] = (struct race){ .a = D(i == 2 ? 3 : 1), .b = b };
        channel(r[i].a, b, &r[i].pa, &pb[i]);
    }
    pthread_t t[3];
    for (unsigned i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, many_sender, &r[i]);
    for (unsigned i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    struct vcpu_info *vi = vcpu_info_of(b->vcpus[0]);
    for (unsigned i = 0; i < 3; i++)
        if (pending(b, pb[i]))
            assert_true(vi->evtchn_pending_sel & (1UL << (pb[i] / 64)));
    assert_int_equal(vi->evtchn_upcall_pending, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(port_zero_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_unbound_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(interdomain, setup, teardown),
        cmocka_unit_test_setup_teardown(loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(masking, setup, teardown),
        cmocka_unit_test_setup_teardown(ipi, setup, teardown),
        cmocka_unit_test_setup_teardown(virq, setup, teardown),
        cmocka_unit_test_setup_teardown(bind_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(status_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(kill_with_peers, setup, teardown),
        cmocka_unit_test_setup_teardown(send_to_dying, setup, teardown),
        cmocka_unit_test_setup_teardown(static_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(decode, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_send_close, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_close_both_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_senders, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
