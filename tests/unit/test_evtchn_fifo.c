/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the FIFO event ABI (core/event/evtchn_fifo.c) against a simulated guest that
 * works its side as Linux does (fifo_guest.c): each sub-op's errors and the frame references
 * it takes; order within a queue, priorities, READY and the upcall; masking; events carried
 * over from 2-level or from before their word; the consumed tail; ports moving queue; closing
 * a queued port; reset and kill.  A hostile guest and threads standing in for pCPUs are
 * test_evtchn_fifo_stress.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/shared_info.h>

#include "fifo_guest.h"

/* --- the sub-ops' errors --- */

static void init_control_errors(void **state)
{
    struct domain *a = D(1), *one = D(3);
    long refs = frame_refs;
    uint32_t *page = guest_page(), *other = guest_page();
    evtchn_port_t pa, pb;
    channel(D(2), a, &pa, &pb);
    /* No such vCPU; checked before anything else. */
    assert_int_equal(init_control(a, gfn_of(page), 0, NVCPU), -ENOENT);
    assert_int_equal(init_control(a, 3, 4, 0xffffffff), -ENOENT);
    assert_int_equal(init_control(one, gfn_of(page), 0, 1), -ENOENT);
    /* The block must be 8-byte aligned and within the page (72 bytes). */
    const uint32_t bad_offsets[] = { 1, 4, 7, 4028, 4032, 4088, 4096, 8192, 0xfffffff8 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_offsets); i++)
        assert_int_equal(init_control(a, gfn_of(page), bad_offsets[i], 0), -EINVAL);
    /* Not RAM. */
    const uint64_t bad_gfns[] = { 0, 3, 15, ~0ULL, 1ULL << 52, 1ULL << 63 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_gfns); i++)
        assert_int_equal(init_control(a, bad_gfns[i], 0, 0), -EINVAL);
    /* None of that took a reference or moved a off 2-level. */
    assert_int_equal(frame_refs, refs);
    assert_int_equal(evtchn_expand_array(a, gfn_of(other)), -EOPNOTSUPP);
    assert_int_equal(evtchn_set_priority(a, pb, 3), -ENOSYS);
    assert_int_equal(evtchn_send(D(2), pa), 0);
    assert_true(pending(a, pb));

    /* The last 72 bytes of the page will do. */
    assert_int_equal(init_control(a, gfn_of(page), PAGE_SIZE - 72, 0), 0);
    assert_int_equal(frame_refs, refs + 1);
    /* Once per vCPU, wherever the second block would be. */
    assert_int_equal(init_control(a, gfn_of(page), PAGE_SIZE - 72, 0), -EINVAL);
    assert_int_equal(init_control(a, gfn_of(other), 0, 0), -EINVAL);
    /* The same errors under FIFO, and no reference kept by any. */
    assert_int_equal(init_control(a, gfn_of(other), 0, NVCPU), -ENOENT);
    assert_int_equal(init_control(a, gfn_of(other), 12, 1), -EINVAL);
    assert_int_equal(init_control(a, gfn_of(other), 4032, 1), -EINVAL);
    assert_int_equal(init_control(a, 5, 0, 1), -EINVAL);
    assert_int_equal(frame_refs, refs + 1);
    /* Other vCPUs: another block in the same page, each holding the frame. */
    assert_int_equal(init_control(a, gfn_of(page), 0, 1), 0);
    assert_int_equal(init_control(a, gfn_of(page), 72, 2), 0);
    assert_int_equal(frame_refs, refs + 3);

    /* Through the hypercall: link_bits is written back. */
    struct evtchn_init_control c = { .control_gfn = gfn_of(other), .vcpu = 0 };
    assert_int_equal(op(D(2), EVTCHNOP_init_control, &c), 0);
    assert_int_equal(c.link_bits, EVTCHN_FIFO_LINK_BITS);
    c.vcpu = NVCPU;
    assert_int_equal(op(D(2), EVTCHNOP_init_control, &c), -ENOENT);
    assert_int_equal(frame_refs, refs + 4);

    /* Kill lets every block go; a dying domain takes none. */
    killdom(a);
    killdom(D(2));
    assert_int_equal(frame_refs, refs);
    assert_int_equal(init_control(a, gfn_of(other), 0, 1), -EINVAL);
    assert_int_equal(frame_refs, refs);
    guest_page_free(page);
    guest_page_free(other);
}

static void expand_array_errors(void **state)
{
    struct domain *b = D(2);
    long refs = frame_refs;
    uint32_t *pages[PAGES + 1], *cb = guest_page();
    for (unsigned i = 0; i <= PAGES; i++)
        pages[i] = masked_page();
    /* Before init_control, whatever the frame. */
    assert_int_equal(evtchn_expand_array(b, gfn_of(pages[0])), -EOPNOTSUPP);
    assert_int_equal(evtchn_expand_array(b, 3), -EOPNOTSUPP);
    struct evtchn_expand_array e = { gfn_of(pages[0]) };
    assert_int_equal(op(b, EVTCHNOP_expand_array, &e), -EOPNOTSUPP);
    assert_int_equal(frame_refs, refs);

    assert_int_equal(init_control(b, gfn_of(cb), 0, 0), 0);
    const uint64_t bad_gfns[] = { 0, 3, 15, ~0ULL, 1ULL << 52 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_gfns); i++)
        assert_int_equal(evtchn_expand_array(b, bad_gfns[i]), -EINVAL);
    assert_int_equal(frame_refs, refs + 1);
    /* 4096 ports: four pages, the fifth refused (and not kept). */
    for (unsigned i = 0; i < PAGES; i++)
        assert_int_equal(
            op(b, EVTCHNOP_expand_array, &(struct evtchn_expand_array){ gfn_of(pages[i]) }), 0);
    assert_int_equal(evtchn_expand_array(b, gfn_of(pages[PAGES])), -ENOSPC);
    assert_int_equal(evtchn_expand_array(b, gfn_of(pages[0])), -ENOSPC);
    assert_int_equal(frame_refs, refs + 1 + PAGES);
    killdom(b);
    assert_int_equal(frame_refs, refs);
    guest_page_free(cb);
    for (unsigned i = 0; i <= PAGES; i++)
        guest_page_free(pages[i]);
}

/* The domain's own limit: max_evtchn_port 1500 has two pages of words; 5000 has five, past
 * the 2-level ABI's 4096 ports, which FIFO can bind and deliver to; the control domain has
 * every port the ABI names, 128 pages. */
static void expand_array_limits(void **state)
{
    long refs = frame_refs;
    struct fguest g;
    uint32_t *extra = masked_page();

    struct domain *small = mkdom_cfg(4, 1, &(struct domain_config){ .max_evtchn_port = 1500 });
    fifo_on(&g, small, 1, 2);
    assert_int_equal(evtchn_expand_array(small, gfn_of(extra)), -ENOSPC);
    assert_int_equal(evtchn_bind_static(D(1), 100, small, 1500), 0);
    assert_int_equal(evtchn_bind_static(D(1), 101, small, 1501), -EINVAL);
    killdom(small);
    fifo_free(&g);

    struct domain *big = mkdom_cfg(5, 1, &(struct domain_config){ .max_evtchn_port = 5000 });
    assert_int_equal(evtchn_bind_static(D(1), 102, big, 4500), -EINVAL); /* 2-level: 4096 */
    fifo_on(&g, big, 1, 5);
    assert_int_equal(evtchn_expand_array(big, gfn_of(extra)), -ENOSPC);
    assert_int_equal(evtchn_bind_static(D(1), 102, big, 4500), 0);
    assert_int_equal(word(&g, 4500), W_PENDING | W_MASKED); /* left pending by the bind */
    guest_unmask(&g, 4500);
    EXPECT(&g, 0, 4500);
    assert_int_equal(evtchn_send(D(1), 102), 0);
    EXPECT(&g, 0, 4500);
    assert_int_equal(evtchn_bind_static(D(1), 103, big, 5001), -EINVAL);
    /* Back to 2-level: the port beyond 4096 is closed with the rest and cannot come back. */
    assert_int_equal(evtchn_reset(big, DOMID_SELF), 0);
    assert_int_equal(status(D(1), DOMID_SELF, 102).status, EVTCHNSTAT_unbound);
    assert_int_equal(evtchn_send(D(1), 102), 0);
    assert_int_equal(evtchn_bind_static(D(1), 104, big, 4500), -EINVAL);
    killdom(big);
    fifo_free(&g);
    assert_int_equal(frame_refs, refs);

    struct domain *ctl = mkdom_cfg(0, 1, &(struct domain_config){ .is_control = true });
    uint32_t *cb = guest_page(), **many = calloc(129, sizeof(*many));
    assert_non_null(many);
    assert_int_equal(init_control(ctl, gfn_of(cb), 0, 0), 0);
    for (unsigned i = 0; i < 129; i++) {
        many[i] = masked_page();
        assert_int_equal(evtchn_expand_array(ctl, gfn_of(many[i])), i < 128 ? 0 : -ENOSPC);
    }
    assert_int_equal(frame_refs, refs + 1 + 128);
    assert_int_equal(evtchn_bind_static(D(1), 105, ctl, EVTCHN_FIFO_NR_CHANNELS - 1), 0);
    assert_int_equal(many[127][WPP - 1], W_PENDING | W_MASKED);
    killdom(ctl);
    assert_int_equal(frame_refs, refs);
    guest_page_free(cb);
    for (unsigned i = 0; i < 129; i++)
        guest_page_free(many[i]);
    free(many);
    guest_page_free(extra);
}

static void set_priority_errors(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    /* Xen's port_is_valid: a port of a bucket that exists, bound or not (port 0, a free port),
     * gets the ABI's answer; one of a bucket never made, or beyond the table, -EINVAL first. */
    const evtchn_port_t free_ports[] = { 0, 50 };
    const evtchn_port_t no_ports[] = { 3000, 4096, 0xffffffff };
    for (unsigned i = 0; i < ARRAY_SIZE(no_ports); i++)
        assert_int_equal(evtchn_set_priority(b, no_ports[i], 3), -EINVAL);
    for (unsigned i = 0; i < ARRAY_SIZE(free_ports); i++)
        assert_int_equal(evtchn_set_priority(b, free_ports[i], 3), -ENOSYS);
    assert_int_equal(evtchn_set_priority(b, pb, 3), -ENOSYS);
    struct evtchn_set_priority sp = { pb, 3 };
    assert_int_equal(op(b, EVTCHNOP_set_priority, &sp), -ENOSYS);

    fifo_on(&g, b, 1, 1);
    for (unsigned i = 0; i < ARRAY_SIZE(no_ports); i++)
        assert_int_equal(evtchn_set_priority(b, no_ports[i], 3), -EINVAL);
    assert_int_equal(evtchn_set_priority(b, 50, 3), 0); /* a free port: answered as on Xen */
    assert_int_equal(evtchn_set_priority(b, pb, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
    assert_int_equal(evtchn_set_priority(b, pb, 0xffffffff), -EINVAL);
    sp.priority = 16;
    assert_int_equal(op(b, EVTCHNOP_set_priority, &sp), -EINVAL);
    /* A refused priority changed nothing: the event goes to the default queue. */
    __atomic_fetch_and(fword(&g, pb), ~W_PENDING, __ATOMIC_SEQ_CST);
    guest_unmask(&g, pb);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(g.cb[0]->ready, 1U << PRIO);
    EXPECT(&g, 0, pb);
    /* The lowest priority, then the highest. */
    sp.priority = EVTCHN_FIFO_PRIORITY_MIN;
    assert_int_equal(op(b, EVTCHNOP_set_priority, &sp), 0);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(g.cb[0]->ready, 1U << EVTCHN_FIFO_PRIORITY_MIN);
    assert_int_equal(g.cb[0]->head[EVTCHN_FIFO_PRIORITY_MIN], pb);
    EXPECT(&g, 0, pb);
    assert_int_equal(evtchn_set_priority(b, pb, EVTCHN_FIFO_PRIORITY_MAX), 0);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(g.cb[0]->ready, 1U << EVTCHN_FIFO_PRIORITY_MAX);
    EXPECT(&g, 0, pb);
    /* Every bound kind may have one: unbound, IPI, VIRQ. */
    evtchn_port_t u = unbound(b, DOMID_SELF, 1);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    struct evtchn_bind_virq vq = { .virq = VIRQ_DEBUG };
    assert_int_equal(evtchn_bind_virq(b, &vq), 0);
    assert_int_equal(evtchn_set_priority(b, u, 1), 0);
    assert_int_equal(evtchn_set_priority(b, ipi.port, 2), 0);
    assert_int_equal(evtchn_set_priority(b, vq.port, 3), 0);
    /* A closed port forgets it: bound again, it is back on the default queue (a priority set
     * while it is free is answered as on Xen, and forgotten at the bind too). */
    assert_int_equal(evtchn_close(b, ipi.port), 0);
    assert_int_equal(evtchn_set_priority(b, ipi.port, 2), 0);
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    guest_unmask(&g, ipi.port);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    assert_int_equal(g.cb[0]->ready, 1U << PRIO);
    EXPECT(&g, 0, ipi.port);
    killdom(b);
    fifo_free(&g);
}

/* --- delivery --- */

/* Within a queue events are handled in the order sent, each port once however often it was
 * sent; the chain is in the words as the ABI says. */
static void send_order(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[4], pb[4];
    fifo_on(&g, b, 1, 1);
    channels(&g, a, pa, pb, 4);
    assert_int_equal(g.hypercalls, 0); /* nothing was pending: the guest unmasked alone */
    unsigned up = upcalls(b, 0);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(word(&g, pb[2]), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[0]->head[PRIO], pb[2]);
    assert_int_equal(g.cb[0]->ready, 1U << PRIO);
    assert_int_equal(upcalls(b, 0), up + 1);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[3]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(word(&g, pb[2]), W_PENDING | W_LINKED | pb[0]);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED | pb[3]);
    assert_int_equal(word(&g, pb[3]), W_PENDING | W_LINKED | pb[1]);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[0]->head[PRIO], pb[2]);
    assert_int_equal(upcalls(b, 0), up + 1); /* READY was up already */
    /* Sent again while pending: not queued twice, the chain untouched. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED | pb[3]);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);
    EXPECT(&g, 0, pb[2], pb[0], pb[3], pb[1]);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(word(&g, pb[i]), 0);
    assert_int_equal(g.cb[0]->ready, 0);
    EXPECT_NONE(&g, 0);
    /* An IPI queues with them. */
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    guest_unmask(&g, ipi.port);
    assert_int_equal(evtchn_send(a, pa[3]), 0);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    EXPECT(&g, 0, pb[3], ipi.port);
    killdom(b);
    fifo_free(&g);
}

/* Lower numbers first; one upcall per rising READY bit, and none where no bit rises. */
static void priorities_and_upcalls(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[5], pb[5];
    const unsigned prio[5] = { 0, 3, PRIO, EVTCHN_FIFO_PRIORITY_MIN, 3 };
    fifo_on(&g, b, 3, 1);
    channels(&g, a, pa, pb, 5);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(evtchn_set_priority(b, pb[i], prio[i]), 0);
    unsigned up = upcalls(b, 0);
    /* The guest has taken the flag each time (its handler runs) but not READY yet. */
    const unsigned order[4] = { 3, 2, 1, 0 };
    for (unsigned k = 0; k < 4; k++) {
        flag_clear(b, 0);
        assert_int_equal(evtchn_send(a, pa[order[k]]), 0);
        assert_int_equal(upcalls(b, 0), up + k + 1);
        assert_int_equal(g.cb[0]->head[prio[order[k]]], pb[order[k]]);
    }
    assert_int_equal(g.cb[0]->ready,
                     1U << 0 | 1U << 3 | 1U << PRIO | 1U << EVTCHN_FIFO_PRIORITY_MIN);
    /* Queue 3 is ready already: the flag is down, but no bit rises, so no upcall. */
    flag_clear(b, 0);
    assert_int_equal(evtchn_send(a, pa[4]), 0);
    assert_int_equal(upcalls(b, 0), up + 4);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED | pb[4]);
    /* A bit rising while the flag is still up: the flag stays, no second upcall. */
    vcpu_info_of(b->vcpus[0])->evtchn_upcall_pending = 1;
    g.nlog = 0;
    uint32_t ready = guest_take_ready(&g, 0);
    assert_int_equal(evtchn_send(a, pa[3]), 0); /* still queued, not linked again */
    assert_int_equal(upcalls(b, 0), up + 4);
    assert_int_equal(g.cb[0]->ready, 0);
    while (ready)
        guest_step(&g, 0, &ready);
    assert_int_equal(g.nlog, 5);
    const evtchn_port_t want[5] = { pb[0], pb[1], pb[4], pb[2], pb[3] };
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(g.log[i], want[i]);
    /* Each vCPU has its own queues: an IPI to vCPU 1 rises there. */
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    guest_unmask(&g, ipi.port);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    assert_int_equal(upcalls(b, 1), 1);
    assert_int_equal(g.cb[1]->head[PRIO], ipi.port);
    assert_int_equal(g.cb[0]->ready, 0);
    EXPECT(&g, 1, ipi.port);
    /* A vCPU with a control block but no vcpu_info yet: READY rises, no upcall (it comes
     * when the guest registers one). */
    tdom_of(b)->v[2].vcpu_info = NULL;
    struct evtchn_bind_ipi ipi2 = { .vcpu = 2 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi2), 0);
    guest_unmask(&g, ipi2.port);
    assert_int_equal(evtchn_send(b, ipi2.port), 0);
    assert_int_equal(g.cb[2]->ready, 1U << PRIO);
    assert_int_equal(upcalls(b, 2), 0);
    guest_consume(&g, 2);
    assert_int_equal(word(&g, ipi2.port), 0);
    /* READY set already (the guest wrote it, or has not taken it): a new head raises no bit,
     * so no upcall, flag down or not. */
    g.cb[0]->ready = 1U << PRIO;
    flag_clear(b, 0);
    unsigned was = upcalls(b, 0);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(g.cb[0]->head[PRIO], pb[2]);
    assert_int_equal(upcalls(b, 0), was);
    guest_consume(&g, 0);
    assert_int_equal(word(&g, pb[2]), 0);
    killdom(b);
    fifo_free(&g);
}

/* A vCPU with no control block yet: its events stay pending in their words, unqueued (the
 * guest gives the block before it unmasks, as Linux does), and the next event once the block
 * is there queues the port, pending already or not. */
static void vcpu_without_block(void **state)
{
    struct domain *b = D(2);
    struct fguest g;
    fifo_on(&g, b, 1, 1);
    tdom_of(b)->v[1].vcpu_info = &tdom_of(b)->vi[1];
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    guest_unmask(&g, ipi.port);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    assert_int_equal(word(&g, ipi.port), W_PENDING);
    assert_int_equal(upcalls(b, 1), 0);
    assert_int_equal(evtchn_unmask(b, ipi.port), 0); /* nothing to unmask, nowhere to queue */
    assert_int_equal(word(&g, ipi.port), W_PENDING);
    guest_add_vcpu(&g, 1);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    assert_int_equal(word(&g, ipi.port), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[1]->head[PRIO], ipi.port);
    assert_int_equal(upcalls(b, 1), 1);
    EXPECT(&g, 1, ipi.port);
    killdom(b);
    fifo_free(&g);
}

/* --- masking --- */

static void masked_ports(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[3], pb[3];
    fifo_on(&g, b, 1, 1);
    channels(&g, a, pa, pb, 3);
    unsigned up = upcalls(b, 0);
    /* Masked: PENDING, nothing linked, no upcall; the poll sees it. */
    guest_mask(&g, pb[0]);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_MASKED);
    assert_int_equal(g.cb[0]->ready, 0);
    assert_int_equal(g.cb[0]->head[PRIO], 0);
    assert_int_equal(upcalls(b, 0), up);
    assert_int_equal(evtchn_poll_pending(b, pb[0]), 1);
    /* The guest's unmask finds it pending and asks: linked, READY, upcall. */
    guest_unmask(&g, pb[0]);
    assert_int_equal(g.hypercalls, 1);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[0]->head[PRIO], pb[0]);
    assert_int_equal(upcalls(b, 0), up + 1);
    EXPECT(&g, 0, pb[0]);
    /* Masked and unmasked with nothing pending: no hypercall. */
    guest_mask(&g, pb[0]);
    guest_unmask(&g, pb[0]);
    guest_unmask(&g, pb[0]);
    assert_int_equal(g.hypercalls, 1);
    assert_int_equal(word(&g, pb[0]), 0);

    /* Masked while queued: skipped by the guest, left pending; linked again on unmask. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    guest_mask(&g, pb[0]);
    EXPECT(&g, 0, pb[1]);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_MASKED);
    guest_unmask(&g, pb[0]);
    assert_int_equal(g.hypercalls, 2);
    EXPECT(&g, 0, pb[0]);
    /* Masked and unmasked while still queued: the hypercall does not queue it twice. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    guest_mask(&g, pb[0]);
    guest_unmask(&g, pb[0]);
    assert_int_equal(g.hypercalls, 3);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED | pb[1]);
    EXPECT(&g, 0, pb[0], pb[1]);
    /* A masked port's later events do not queue it either. */
    guest_mask(&g, pb[2]);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(word(&g, pb[2]), W_PENDING | W_MASKED);
    EXPECT_NONE(&g, 0);
    guest_unmask(&g, pb[2]);
    EXPECT(&g, 0, pb[2]);
    /* EVTCHNOP_unmask for a free port of a bucket that exists, and for ports of a bucket
     * never made or beyond the table (Xen's port_is_valid: -EINVAL). */
    assert_int_equal(evtchn_unmask(b, 63), 0);
    assert_int_equal(evtchn_unmask(b, 2000), -EINVAL);
    assert_int_equal(evtchn_unmask(b, 4095), -EINVAL);
    assert_int_equal(evtchn_unmask(b, 4096), -EINVAL);
    assert_int_equal(evtchn_unmask(b, 0xffffffff), -EINVAL);
    /* A free port whose word the guest made pending itself: unmasked like any other (what
     * becomes of the event is the guest's own affair). */
    g.array[0][60] = W_PENDING | W_MASKED;
    assert_int_equal(evtchn_unmask(b, 60), 0);
    assert_false(word(&g, 60) & W_MASKED);
    killdom(b);
    fifo_free(&g);
}

/* --- from 2-level, and events before their word --- */

static void from_two_level(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    /* Under 2-level: a bind's new port (left pending), a sent channel, an IPI, a channel
     * never sent, one sent while masked, one sent and closed. */
    evtchn_port_t p1, p2, p4, p5, p6, q1, q2, q4, q5, q6;
    q1 = unbound(a, DOMID_SELF, 2);
    assert_int_equal(bind(b, 1, q1, &p1), 0);
    channel(a, b, &q2, &p2);
    assert_int_equal(evtchn_send(a, q2), 0);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    channel(a, b, &q4, &p4);
    channel(a, b, &q6, &p6);
    mask(b, p6);
    assert_int_equal(evtchn_send(a, q6), 0);
    channel(a, b, &q5, &p5);
    assert_int_equal(evtchn_send(a, q5), 0);
    assert_int_equal(evtchn_close(b, p5), 0);
    const evtchn_port_t was_pending[4] = { p1, p2, ipi.port, p6 };

    g = (struct fguest){ .d = b };
    guest_add_vcpu(&g, 0);
    /* FIFO now, with no words: kept, and the poll says so. */
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(evtchn_poll_pending(b, was_pending[i]), 1);
    assert_int_equal(evtchn_poll_pending(b, p4), 0);
    assert_int_equal(evtchn_poll_pending(b, p5), 0);
    assert_int_equal(evtchn_send(a, q4), 0); /* an event before its word */
    assert_int_equal(evtchn_poll_pending(b, p4), 1);
    assert_int_equal(evtchn_send(a, q4), 0);
    unsigned up = upcalls(b, 0);
    guest_add_page(&g);
    /* Shown in the words, masked as the guest made them, nothing queued. */
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(word(&g, was_pending[i]), W_PENDING | W_MASKED);
    assert_int_equal(word(&g, p4), W_PENDING | W_MASKED);
    assert_int_equal(word(&g, p5), W_MASKED);
    assert_int_equal(g.cb[0]->ready, 0);
    assert_int_equal(upcalls(b, 0), up);
    /* Unmasked, each asks Keel, and they queue in that order. */
    guest_unmask(&g, ipi.port);
    guest_unmask(&g, p4);
    guest_unmask(&g, p1);
    guest_unmask(&g, p6);
    guest_unmask(&g, p2);
    guest_unmask(&g, p5);
    assert_int_equal(g.hypercalls, 5);
    EXPECT(&g, 0, ipi.port, p4, p1, p6, p2);

    /* Ports beyond the words (second page): bound and sent to under FIFO, shown later. */
    assert_int_equal(evtchn_bind_static(a, 1200, b, 1100), 0); /* left pending */
    assert_int_equal(evtchn_send(a, 1200), 0);
    assert_int_equal(evtchn_poll_pending(b, 1100), 1);
    guest_add_page(&g);
    assert_int_equal(word(&g, 1100), W_PENDING | W_MASKED);
    guest_unmask(&g, 1100);
    EXPECT(&g, 0, 1100);
    /* A guest whose new words are not masked: linked at once, with the upcall. */
    assert_int_equal(evtchn_bind_static(a, 2200, b, 2100), 0);
    g.array[g.npages] = guest_page();
    up = upcalls(b, 0);
    assert_int_equal(evtchn_expand_array(b, gfn_of(g.array[g.npages++])), 0);
    assert_int_equal(word(&g, 2100), W_PENDING | W_LINKED);
    assert_int_equal(upcalls(b, 0), up + 1);
    EXPECT(&g, 0, 2100);
    /* Closed before its word came: nothing to show.  Moved to vCPU 1 before: shown there. */
    guest_add_vcpu(&g, 1);
    assert_int_equal(evtchn_bind_static(a, 3200, b, 3100), 0);
    assert_int_equal(evtchn_close(b, 3100), 0);
    assert_int_equal(evtchn_bind_static(a, 3201, b, 3101), 0);
    assert_int_equal(evtchn_bind_vcpu(b, 3101, 1), 0);
    guest_add_page(&g);
    assert_int_equal(word(&g, 3100), W_MASKED);
    assert_int_equal(word(&g, 3101), W_PENDING | W_MASKED);
    guest_unmask(&g, 3101);
    EXPECT_NONE(&g, 0);
    EXPECT(&g, 1, 3101);
    killdom(b);
    fifo_free(&g);
}

/* --- the consumed tail --- */

static void consumed_tail(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[4], pb[4];
    fifo_on(&g, b, 1, 1);
    channels(&g, a, pa, pb, 4);
    unsigned up = upcalls(b, 0);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    EXPECT(&g, 0, pb[0]);
    /* pb[0] is the consumed tail: the next event is a new head, not linked behind it. */
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(word(&g, pb[0]), 0);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[0]->head[PRIO], pb[1]);
    assert_int_equal(g.cb[0]->ready, 1U << PRIO);
    assert_int_equal(upcalls(b, 0), up + 2);
    EXPECT(&g, 0, pb[1]);
    /* The same port again after it was consumed: a new head too. */
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(g.cb[0]->head[PRIO], pb[1]);
    assert_int_equal(upcalls(b, 0), up + 3);
    EXPECT(&g, 0, pb[1]);

    /* Interleaved with the guest's steps: an event linked behind the entry the guest is at
     * follows in the same pass; one after the guest took the tail starts a new chain, and
     * READY brings the guest back to it. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    g.nlog = 0;
    flag_clear(b, 0);
    uint32_t ready = guest_take_ready(&g, 0);
    guest_step(&g, 0, &ready);                  /* pb[0]; next pb[1] */
    assert_int_equal(evtchn_send(a, pa[2]), 0); /* behind pb[1], still linked */
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED | pb[2]);
    guest_step(&g, 0, &ready); /* pb[1]; next pb[2] */
    guest_step(&g, 0, &ready); /* pb[2], the tail: the queue looks empty */
    assert_int_equal(ready, 0);
    assert_int_equal(evtchn_send(a, pa[3]), 0);
    assert_int_equal(g.cb[0]->head[PRIO], pb[3]);
    assert_int_equal(word(&g, pb[2]), 0);
    ready |= guest_take_ready(&g, 0);
    assert_int_equal(ready, 1U << PRIO);
    guest_step(&g, 0, &ready);
    assert_int_equal(ready, 0);
    assert_int_equal(g.nlog, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(g.log[i], pb[i]);
    assert_int_equal(vcpu_info_of(b->vcpus[0])->evtchn_upcall_pending, 1); /* from pb[3] */
    EXPECT_NONE(&g, 0);
    killdom(b);
    fifo_free(&g);
}

/* --- ports moving queue --- */

/* P is the consumed tail of queue X when it moves to queue Y and is linked there: X's next
 * event starts a new chain on X, and Y's next one follows P. */
static void moved_tail(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[3], pb[3];
    fifo_on(&g, b, 2, 1);
    channels(&g, a, pa, pb, 3);
    /* Across priorities on vCPU 0: P = pb[0] from queue 7 to queue 2. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    EXPECT(&g, 0, pb[0]);
    assert_int_equal(evtchn_set_priority(b, pb[0], 2), 0);
    assert_int_equal(evtchn_set_priority(b, pb[2], 2), 0);
    assert_int_equal(evtchn_send(a, pa[0]), 0); /* queue 2 */
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* queue 7: a new head, not behind P */
    assert_int_equal(evtchn_send(a, pa[2]), 0); /* queue 2: behind P */
    assert_int_equal(g.cb[0]->head[2], pb[0]);
    assert_int_equal(g.cb[0]->head[PRIO], pb[1]);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED | pb[2]);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);
    EXPECT(&g, 0, pb[0], pb[2], pb[1]);

    /* Across vCPUs: P = pb[1], consumed tail of vCPU 0's queue 7, moves to vCPU 1. */
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    EXPECT(&g, 0, pb[1]);
    assert_int_equal(evtchn_bind_vcpu(b, pb[1], 1), 0);
    assert_int_equal(evtchn_set_priority(b, pb[0], PRIO), 0);
    unsigned up1 = upcalls(b, 1);
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* vCPU 1 */
    assert_int_equal(evtchn_send(a, pa[0]), 0); /* vCPU 0: a new head */
    assert_int_equal(upcalls(b, 1), up1 + 1);
    assert_int_equal(g.cb[1]->head[PRIO], pb[1]);
    assert_int_equal(g.cb[0]->head[PRIO], pb[0]);
    assert_int_equal(word(&g, pb[1]), W_PENDING | W_LINKED);
    EXPECT(&g, 0, pb[0]);
    EXPECT(&g, 1, pb[1]);

    /* Moved while still queued: it stays where it is until consumed, and is not linked
     * twice; its next event after that goes to the new queue. */
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* vCPU 1, queue 7 */
    assert_int_equal(evtchn_bind_vcpu(b, pb[1], 0), 0);
    assert_int_equal(evtchn_set_priority(b, pb[1], 1), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(g.cb[0]->ready, 0);
    EXPECT_NONE(&g, 0);
    EXPECT(&g, 1, pb[1]);
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* vCPU 0, queue 1 */
    assert_int_equal(evtchn_send(a, pa[2]), 0); /* vCPU 0, queue 2 */
    assert_int_equal(g.cb[0]->ready, 1U << 1 | 1U << 2);
    assert_int_equal(g.cb[1]->ready, 0);
    /* vCPU 1's queue 7, whose consumed tail pb[1] was (pb[1] is linked on vCPU 0 now): a new
     * head there too, not an entry in vCPU 0's queue 1. */
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    guest_unmask(&g, ipi.port);
    assert_int_equal(evtchn_send(b, ipi.port), 0);
    assert_int_equal(g.cb[1]->head[PRIO], ipi.port);
    EXPECT(&g, 0, pb[1], pb[2]);
    EXPECT(&g, 1, ipi.port);
    killdom(b);
    fifo_free(&g);
}

/* --- closing a queued port --- */

static void close_linked(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[3], pb[3], local;
    fifo_on(&g, b, 1, 1);
    channels(&g, a, pa, pb, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(evtchn_send(a, pa[i]), 0);
    /* Closed in the middle of the chain: it stays linked, not pending; the guest walks past. */
    assert_int_equal(evtchn_close(b, pb[1]), 0);
    assert_int_equal(word(&g, pb[1]), W_LINKED | pb[2]);
    assert_int_equal(evtchn_poll_pending(b, pb[1]), 0);
    EXPECT(&g, 0, pb[0], pb[2]);
    /* Bound again (the lowest free port: the same number) and sent to. */
    evtchn_port_t again = unbound(b, DOMID_SELF, 1);
    assert_int_equal(again, pb[1]);
    assert_int_equal(bind(a, 2, again, &local), 0); /* a's new end is left pending */
    assert_int_equal(word(&g, again), 0);
    assert_int_equal(evtchn_send(a, local), 0);
    EXPECT(&g, 0, again);

    /* Closed as the tail and bound again before the guest got there: one event, in its
     * old place; the next after it is consumed is a new head. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, local), 0);
    assert_int_equal(evtchn_close(b, again), 0);
    assert_int_equal(unbound(b, DOMID_SELF, 1), again);
    assert_int_equal(bind(a, 2, again, &local), 0);
    assert_int_equal(word(&g, again), W_LINKED);
    assert_int_equal(evtchn_send(a, local), 0);
    assert_int_equal(word(&g, again), W_PENDING | W_LINKED);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    EXPECT(&g, 0, pb[0], again, pb[2]);
    assert_int_equal(evtchn_send(a, local), 0);
    assert_int_equal(g.cb[0]->head[PRIO], again);
    EXPECT(&g, 0, again);
    /* Closed as the only entry: the guest finds nothing, and the queue starts again. */
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(evtchn_close(b, pb[2]), 0);
    EXPECT_NONE(&g, 0);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    EXPECT(&g, 0, pb[0]);
    /* The consumed tail closed and bound again (as its lowest free port): Keel still knows
     * it as that queue's tail, so its next event is a new head, not linked behind itself. */
    assert_int_equal(evtchn_close(b, pb[0]), 0);
    assert_int_equal(bind(b, 1, pa[0], &local), 0);
    assert_int_equal(local, pb[0]);
    assert_int_equal(word(&g, pb[0]), W_PENDING | W_LINKED);
    assert_int_equal(g.cb[0]->head[PRIO], pb[0]);
    EXPECT(&g, 0, pb[0]);
    killdom(b);
    fifo_free(&g);
}

/* --- reset and kill --- */

static void reset_and_kill(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    long refs = frame_refs;
    evtchn_port_t pa[3], pb[3], again[3];
    for (unsigned i = 0; i < 3; i++)
        channel(a, b, &pa[i], &pb[i]);
    assert_int_equal(evtchn_send(a, pa[0]), 0); /* pending in the 2-level bitmap */
    fifo_on(&g, b, NVCPU, PAGES);
    assert_int_equal(frame_refs, refs + NVCPU + PAGES);
    guest_unmask(&g, pb[1]);
    guest_unmask(&g, pb[2]);
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* queued, not consumed */
    assert_int_equal(evtchn_set_priority(b, pb[2], 1), 0);
    /* Back to 2-level: every port closed (the peers' ends wait again), the pages let go, and
     * no port reads as pending, pb[0] (whose event came under 2-level) included. */
    assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
    assert_int_equal(frame_refs, refs);
    assert_int_equal(evtchn_ports_in_use(b), 0);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(status(a, DOMID_SELF, pa[i]).status, EVTCHNSTAT_unbound);
        assert_int_equal(evtchn_poll_pending(b, pb[i]), 0);
    }
    assert_int_equal(evtchn_expand_array(b, gfn_of(g.array[0])), -EOPNOTSUPP);
    fifo_free(&g);
    /* 2-level delivery as before, on the same port numbers (pb[0]'s too): the bind's event
     * and a send each raise the selector and the upcall. */
    for (unsigned i = 0; i < 3; i++) {
        guest_ack(b, 0);
        unsigned up = upcalls(b, 0);
        assert_int_equal(bind(b, 1, pa[i], &again[i]), 0);
        assert_int_equal(again[i], pb[i]);
        assert_true(pending(b, again[i]));
        assert_int_equal(upcalls(b, 0), up + 1);
        clear_pending(b, again[i]);
        guest_ack(b, 0);
        assert_int_equal(evtchn_send(a, pa[i]), 0);
        assert_true(pending(b, again[i]));
        assert_true(vcpu_info_of(b->vcpus[0])->evtchn_pending_sel & (1UL << (again[i] / 64)));
        assert_int_equal(upcalls(b, 0), up + 2);
    }
    assert_int_equal(evtchn_set_priority(b, again[0], 3), -ENOSYS);
    /* FIFO once more: the event pending under 2-level is carried over again. */
    fifo_on(&g, b, 1, 1);
    assert_int_equal(word(&g, again[2]), W_PENDING | W_MASKED);
    guest_unmask(&g, again[2]);
    EXPECT(&g, 0, again[2]);
    /* The control domain resets another domain. */
    D(3)->is_control = true;
    assert_int_equal(evtchn_reset(D(3), 2), 0);
    D(3)->is_control = false;
    assert_int_equal(frame_refs, refs);
    fifo_free(&g);
    /* Kill lets every page go, queued events and all. */
    channel(a, b, &pa[0], &pb[0]);
    fifo_on(&g, b, NVCPU, 2);
    guest_unmask(&g, pb[0]);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    killdom(b);
    assert_int_equal(frame_refs, refs);
    assert_int_equal(status(a, DOMID_SELF, pa[0]).status, EVTCHNSTAT_unbound);
    fifo_free(&g);
    /* Freed without a kill (a domain whose build failed): the pages go too. */
    struct domain *c = mkdom(4, 2);
    fifo_on(&g, c, 2, 1);
    evtchn_domain_free(c);
    assert_int_equal(frame_refs, refs);
    free(doms[4]);
    doms[4] = NULL;
    fifo_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_control_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(expand_array_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(expand_array_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(set_priority_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(send_order, setup, teardown),
        cmocka_unit_test_setup_teardown(priorities_and_upcalls, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpu_without_block, setup, teardown),
        cmocka_unit_test_setup_teardown(masked_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(from_two_level, setup, teardown),
        cmocka_unit_test_setup_teardown(consumed_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(moved_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(close_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_and_kill, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
