/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for event channels (core/event/): every operation and each of its errors, the
 * 2-level bits and upcalls, close/reset/kill with peers, static channels, VIRQ handlers,
 * event_channel_op's decoding, and threads standing in for pCPUs that send, close and bind
 * at once.  Domains are built here: a shared_info page, vCPUs, a reference count the stand-in
 * domain_get/domain_put keep; the arch's upcall is counted per vCPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/frame.h>
#include <hyp/guest_access.h>
#include <hyp/heap.h>
#include <hyp/percpu.h>
#include <hyp/physmap.h>
#include <hyp/shared_info.h>

#include "../../hyp/core/event/evtchn_internal.h"
#include "../../hyp/core/hypercall/hypercall_table.h"

struct percpu percpu_data[MAX_CPUS];

#define NDOM 6
#define NVCPU 3

struct tdom {
    struct domain d;
    struct shared_info si;
    struct vcpu v[NVCPU];
    struct vcpu_info vi[NVCPU]; /* registered areas for vCPUs 1 and 2 */
    unsigned upcalls[NVCPU];    /* atomic */
};

static struct tdom *doms[NDOM];

/* --- stand-ins for what core/event/ calls --- */

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

struct domain *domain_get(unsigned id)
{
    if (id >= NDOM || !doms[id] || doms[id]->d.state == DOM_DYING)
        return NULL;
    __atomic_fetch_add(&doms[id]->d.refs, 1, __ATOMIC_RELAXED);
    return &doms[id]->d;
}

void domain_ref(struct domain *d)
{
    __atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void domain_put(struct domain *d)
{
    uint32_t was = __atomic_fetch_sub(&d->refs, 1, __ATOMIC_RELAXED);
    assert_true(was > 0);
}

static struct tdom *tdom_of(struct domain *d)
{
    return container_of(d, struct tdom, d);
}

void arch_evtchn_upcall(struct vcpu *v)
{
    __atomic_fetch_add(&tdom_of(v->dom)->upcalls[v->id], 1, __ATOMIC_RELAXED);
}

/* Guest memory for the decoding tests: host memory, a guest address is the pointer; 0 and the
 * `hole` page fault. */
static uint8_t hole[64];

static bool bad(uint64_t va, size_t len)
{
    uint64_t b = (uintptr_t)hole;
    return !va || (va < b + sizeof(hole) && va + len > b);
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len)
{
    if (bad(va, len))
        return -EFAULT;
    memcpy(dst, (void *)(uintptr_t)va, len);
    return 0;
}

int guest_check_writable(struct vcpu *v, uint64_t va, size_t len)
{
    return bad(va, len) ? -EFAULT : 0;
}

int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len)
{
    if (bad(va, len))
        return -EFAULT;
    memcpy((void *)(uintptr_t)va, src, len);
    return 0;
}

/* Guest RAM for FIFO's pages: a guest frame number is a host page's address >> 12; frame
 * numbers below 16 are not RAM.  References are counted. */
static long frame_refs;

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    if (gpa.a >> PAGE_SHIFT < 16)
        return -EFAULT;
    *pa = gpa.a;
    __atomic_fetch_add(&frame_refs, 1, __ATOMIC_RELAXED);
    return 0;
}

void frame_put(paddr_t pa, uint64_t n)
{
    __atomic_fetch_sub(&frame_refs, (long)n, __ATOMIC_RELAXED);
}

/* --- building domains --- */

static struct domain *mkdom(unsigned id, unsigned nvcpus)
{
    struct tdom *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->d.id = id;
    t->d.refs = 1;
    t->d.state = DOM_RUNNING;
    t->d.shared_info = &t->si;
    t->d.nr_vcpus = nvcpus;
    for (unsigned i = 0; i < nvcpus; i++) {
        t->v[i].id = i;
        t->v[i].dom = &t->d;
        t->d.vcpus[i] = &t->v[i];
    }
    assert_int_equal(evtchn_domain_init(&t->d), 0);
    doms[id] = t;
    return &t->d;
}

/* Kill as domain_kill does (event channels first), then check nothing holds a reference. */
static void killdom(struct domain *d)
{
    d->state = DOM_DYING;
    evtchn_domain_kill(d);
    assert_int_equal(evtchn_ports_in_use(d), 0);
}

static int setup(void **state)
{
    mkdom(1, NVCPU);
    mkdom(2, NVCPU);
    mkdom(3, 1);
    return 0;
}

static int teardown(void **state)
{
    for (unsigned i = 0; i < NDOM; i++) {
        if (!doms[i])
            continue;
        if (doms[i]->d.state != DOM_DYING)
            killdom(&doms[i]->d);
    }
    for (unsigned i = 0; i < NDOM; i++) {
        if (!doms[i])
            continue;
        assert_int_equal(doms[i]->d.refs, 1); /* only the "table's" reference is left */
        evtchn_domain_free(&doms[i]->d);
        free(doms[i]);
        doms[i] = NULL;
    }
    return 0;
}

static struct domain *D(unsigned id)
{
    return &doms[id]->d;
}

static bool pending(struct domain *d, evtchn_port_t p)
{
    return d->shared_info->evtchn_pending[p / 64] & (1UL << (p % 64));
}

static void clear_pending(struct domain *d, evtchn_port_t p)
{
    d->shared_info->evtchn_pending[p / 64] &= ~(1UL << (p % 64));
}

static void mask(struct domain *d, evtchn_port_t p)
{
    d->shared_info->evtchn_mask[p / 64] |= 1UL << (p % 64);
}

/* What a guest's upcall handler does first: take the upcall flag and the selector. */
static void guest_ack(struct domain *d, unsigned vcpu)
{
    struct vcpu_info *vi = vcpu_info_of(d->vcpus[vcpu]);
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
}

static unsigned upcalls(struct domain *d, unsigned vcpu)
{
    return __atomic_load_n(&tdom_of(d)->upcalls[vcpu], __ATOMIC_RELAXED);
}

static evtchn_port_t unbound(struct domain *caller, domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
    assert_int_equal(evtchn_alloc_unbound(caller, &a), 0);
    return a.port;
}

static int bind(struct domain *caller, domid_t rdom, evtchn_port_t rport, evtchn_port_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = rdom, .remote_port = rport };
    int rc = evtchn_bind_interdomain(caller, &b);
    if (local)
        *local = b.local_port;
    return rc;
}

static struct evtchn_status status(struct domain *caller, domid_t dom, evtchn_port_t port)
{
    struct evtchn_status s = { .dom = dom, .port = port };
    assert_int_equal(evtchn_status(caller, &s), 0);
    return s;
}

/* A channel between a and b: a's port, b's port (b's left pending by the bind: cleared). */
static void channel(struct domain *a, struct domain *b, evtchn_port_t *pa, evtchn_port_t *pb)
{
    *pa = unbound(a, DOMID_SELF, (domid_t)b->id);
    assert_int_equal(bind(b, (domid_t)a->id, *pa, pb), 0);
    clear_pending(b, *pb);
    guest_ack(b, 0);
}

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
    assert_int_equal(evtchn_reset(a, DOMID_SELF), 0);
    assert_int_equal(evtchn_ports_in_use(a), 0);
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
    /* Any port of the table may be unmasked, bound or not; beyond it -EINVAL. */
    assert_int_equal(evtchn_unmask(b, 4095), 0);
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
    assert_int_equal(status(a, DOMID_SELF, 4095).status, EVTCHNSTAT_closed);
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

static long op(struct domain *d, uint64_t cmd, void *arg)
{
    uint64_t args[5] = { cmd, (uintptr_t)arg };
    return do_event_channel_op(d->vcpus[0], args);
}

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

/* --- FIFO --- */

#define W_PENDING (1U << EVTCHN_FIFO_PENDING)
#define W_MASKED (1U << EVTCHN_FIFO_MASKED)
#define W_LINKED (1U << EVTCHN_FIFO_LINKED)
#define W_BUSY (1U << EVTCHN_FIFO_BUSY)
#define PRIO EVTCHN_FIFO_PRIORITY_DEFAULT
#define FIFO_PAGES 4 /* a domain that is not the control domain has 4096 ports */

/* The guest's side of FIFO, as Linux's events_fifo.c works: its pages and its copy of each
 * queue's head. */
struct fguest {
    struct domain *d;
    struct evtchn_fifo_control_block *cb[NVCPU];
    uint32_t *array[FIFO_PAGES + 1];
    uint32_t head[NVCPU][EVTCHN_FIFO_MAX_QUEUES];
};

static void *guest_page(void)
{
    void *p = aligned_alloc(4096, 4096);
    assert_non_null(p);
    memset(p, 0, 4096);
    return p;
}

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p >> PAGE_SHIFT;
}

static int init_control(struct domain *d, void *page, uint32_t offset, uint32_t vcpu)
{
    struct evtchn_init_control c = { .control_gfn = gfn_of(page), .offset = offset, .vcpu = vcpu };
    int rc = evtchn_init_control(d, &c);
    assert_int_equal(c.link_bits, EVTCHN_FIFO_LINK_BITS);
    return rc;
}

/* d goes FIFO: a control block per vCPU and npages of event words, each word MASKED first. */
static void fifo_on(struct fguest *g, struct domain *d, unsigned npages)
{
    *g = (struct fguest){ .d = d };
    for (unsigned v = 0; v < d->nr_vcpus; v++) {
        g->cb[v] = guest_page();
        assert_int_equal(init_control(d, g->cb[v], 0, v), 0);
    }
    for (unsigned i = 0; i < npages; i++) {
        g->array[i] = guest_page();
        for (unsigned j = 0; j < 1024; j++)
            g->array[i][j] = W_MASKED;
        assert_int_equal(evtchn_expand_array(d, gfn_of(g->array[i])), 0);
    }
}

/* The pages go once the domain has let go of them (kill or reset). */
static void fifo_free(struct fguest *g)
{
    for (unsigned v = 0; v < NVCPU; v++)
        free(g->cb[v]);
    for (unsigned i = 0; i <= FIFO_PAGES; i++)
        free(g->array[i]);
}

static uint32_t *fword(struct fguest *g, evtchn_port_t port)
{
    return &g->array[port / 1024][port % 1024];
}

static uint32_t wload(const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* Linux's unmask: clear MASKED in the word unless the port is pending (or BUSY), else ask. */
static void guest_unmask(struct fguest *g, evtchn_port_t port)
{
    uint32_t *w = fword(g, port), old = wload(w);
    for (;;) {
        if (!(old & W_MASKED))
            return;
        if (old & W_PENDING) {
            assert_int_equal(evtchn_unmask(g->d, port), 0);
            return;
        }
        uint32_t want = old & ~W_BUSY;
        if (__atomic_compare_exchange_n(w, &want, want & ~W_MASKED, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_ACQUIRE))
            return;
        old = want;
    }
}

/* Linux's handler on vCPU v: take READY, walk each ready queue from its head (its own copy, or
 * the control block's when that ran out), clearing LINKED; a port PENDING and not MASKED is
 * handled (its PENDING cleared) and written to out.  How many were handled. */
static unsigned guest_consume(struct fguest *g, unsigned v, evtchn_port_t *out, unsigned max)
{
    struct evtchn_fifo_control_block *cb = g->cb[v];
    unsigned n = 0, steps = 0;
    vcpu_info_of(g->d->vcpus[v])->evtchn_upcall_pending = 0;
    uint32_t ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
    while (ready) {
        assert_true(++steps < 1000000); /* a queue that never ends: the hypervisor's bug */
        unsigned q = (unsigned)__builtin_ctz(ready);
        uint32_t port = g->head[v][q];
        if (!port)
            port = __atomic_load_n(&cb->head[q], __ATOMIC_ACQUIRE);
        assert_true(port > 0 && port < FIFO_PAGES * 1024);
        uint32_t *w = fword(g, port), old = wload(w);
        while (!__atomic_compare_exchange_n(w, &old, old & ~(W_LINKED | EVTCHN_FIFO_LINK_MASK),
                                            false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            ;
        uint32_t next = old & EVTCHN_FIFO_LINK_MASK;
        if (!next)
            ready &= ~(1U << q);
        if ((old & W_PENDING) && !(old & W_MASKED) &&
            (__atomic_fetch_and(w, ~W_PENDING, __ATOMIC_SEQ_CST) & W_PENDING) && n < max)
            out[n++] = port;
        g->head[v][q] = next;
        ready |= __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
    }
    return n;
}

static void fifo_errors(void **state)
{
    struct domain *a = D(1), *b = D(2);
    long refs = frame_refs;
    void *cb = guest_page(), *arr = guest_page();
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    /* Before FIFO. */
    assert_int_equal(evtchn_expand_array(a, gfn_of(arr)), -EOPNOTSUPP);
    assert_int_equal(evtchn_set_priority(a, pa, 3), -ENOSYS);
    assert_int_equal(evtchn_set_priority(a, 3000, 3), -EINVAL);
    /* init_control's. */
    assert_int_equal(init_control(a, cb, 0, NVCPU), -ENOENT);
    assert_int_equal(init_control(a, cb, 4, 0), -EINVAL);
    assert_int_equal(init_control(a, cb, 4096 - 64, 0), -EINVAL);
    struct evtchn_init_control c = { .control_gfn = 3, .vcpu = 0 };
    assert_int_equal(evtchn_init_control(a, &c), -EINVAL); /* not RAM */
    c.control_gfn = ~0UL;
    assert_int_equal(evtchn_init_control(a, &c), -EINVAL);
    assert_int_equal(frame_refs, refs);
    assert_int_equal(init_control(a, cb, 4096 - 72, 0), 0); /* the last 72 bytes */
    assert_int_equal(init_control(a, cb, 0, 0), -EINVAL);   /* once per vCPU */
    assert_int_equal(frame_refs, refs + 1);
    /* expand_array's and set_priority's. */
    assert_int_equal(evtchn_expand_array(a, 3), -EINVAL);
    void *pages[FIFO_PAGES + 1];
    for (unsigned i = 0; i <= FIFO_PAGES; i++) {
        pages[i] = guest_page();
        assert_int_equal(evtchn_expand_array(a, gfn_of(pages[i])), i < FIFO_PAGES ? 0 : -EINVAL);
    }
    assert_int_equal(frame_refs, refs + 1 + FIFO_PAGES);
    assert_int_equal(evtchn_set_priority(a, pa, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
    assert_int_equal(evtchn_set_priority(a, pa, EVTCHN_FIFO_PRIORITY_MIN), 0);
    assert_int_equal(evtchn_set_priority(a, 0, 3), -EINVAL);
    /* A dying domain takes no new block; kill lets go of every page. */
    killdom(a);
    assert_int_equal(init_control(a, cb, 128, 1), -EINVAL);
    assert_int_equal(frame_refs, refs);
    free(cb);
    free(arr);
    for (unsigned i = 0; i <= FIFO_PAGES; i++)
        free(pages[i]);
}

static void fifo_delivery(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[3], pb[3], got[8];
    for (unsigned i = 0; i < 3; i++)
        channel(a, b, &pa[i], &pb[i]);
    fifo_on(&g, b, FIFO_PAGES);
    for (unsigned i = 0; i < 3; i++)
        guest_unmask(&g, pb[i]);
    unsigned up = upcalls(b, 0);
    /* Sent in the order 2, 0, 1 (twice): one queue, that order, each port once. */
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(upcalls(b, 0), up + 1);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(upcalls(b, 0), up + 1); /* READY was up already */
    assert_int_equal(g.cb[0]->head[PRIO], pb[2]);
    assert_int_equal(wload(fword(&g, pb[2])), W_PENDING | W_LINKED | pb[0]);
    assert_int_equal(guest_consume(&g, 0, got, 8), 3);
    assert_int_equal(got[0], pb[2]);
    assert_int_equal(got[1], pb[0]);
    assert_int_equal(got[2], pb[1]);
    /* The tail was consumed: the next event is a new head, and READY rises again. */
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(upcalls(b, 0), up + 2);
    assert_int_equal(g.cb[0]->head[PRIO], pb[0]);
    assert_int_equal(wload(fword(&g, pb[0])), W_PENDING | W_LINKED);
    /* Priorities: a lower number is taken first, whatever came first. */
    assert_int_equal(evtchn_set_priority(b, pb[1], 2), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(g.cb[0]->ready, (1U << 2) | (1U << PRIO));
    assert_int_equal(guest_consume(&g, 0, got, 8), 2);
    assert_int_equal(got[0], pb[1]);
    assert_int_equal(got[1], pb[0]);
    /* Masked: pending, not linked, no upcall; the guest's unmask asks, and it is delivered. */
    __atomic_fetch_or(fword(&g, pb[2]), W_MASKED, __ATOMIC_SEQ_CST);
    up = upcalls(b, 0);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(wload(fword(&g, pb[2])), W_PENDING | W_MASKED);
    assert_int_equal(upcalls(b, 0), up);
    guest_unmask(&g, pb[2]);
    assert_int_equal(upcalls(b, 0), up + 1);
    assert_int_equal(guest_consume(&g, 0, got, 8), 1);
    assert_int_equal(got[0], pb[2]);
    /* SCHEDOP_poll's test reads the word. */
    assert_int_equal(evtchn_poll_pending(b, pb[2]), 0);
    assert_int_equal(evtchn_send(a, pa[2]), 0);
    assert_int_equal(evtchn_poll_pending(b, pb[2]), 1);
    assert_int_equal(evtchn_poll_pending(b, 4096), -EINVAL);
    killdom(b);
    fifo_free(&g);
}

/* Events pending under 2-level, and ports bound before their words exist, show once the
 * words do. */
static void fifo_switch(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa, pb, got[4];
    channel(a, b, &pa, &pb);
    assert_int_equal(evtchn_send(a, pa), 0); /* pending in the 2-level bitmap */
    assert_true(pending(b, pb));
    fifo_on(&g, b, 0);
    assert_int_equal(evtchn_poll_pending(b, pb), 1); /* kept, with no word yet */
    g.array[0] = guest_page();
    for (unsigned j = 0; j < 1024; j++)
        g.array[0][j] = W_MASKED;
    assert_int_equal(evtchn_expand_array(b, gfn_of(g.array[0])), 0);
    assert_int_equal(wload(fword(&g, pb)), W_PENDING | W_MASKED);
    guest_unmask(&g, pb);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1);
    assert_int_equal(got[0], pb);
    /* A port beyond the words (port 1100 in the second page) takes its events until then. */
    evtchn_port_t far = 1100;
    assert_int_equal(evtchn_bind_static(a, 1200, b, far), 0); /* leaves far pending */
    assert_int_equal(evtchn_send(a, 1200), 0);
    g.array[1] = guest_page();
    for (unsigned j = 0; j < 1024; j++)
        g.array[1][j] = W_MASKED;
    assert_int_equal(evtchn_expand_array(b, gfn_of(g.array[1])), 0);
    assert_int_equal(wload(fword(&g, far)), W_PENDING | W_MASKED);
    killdom(b);
    fifo_free(&g);
}

/* A port that moves to another vCPU's queue, or another priority, while it is the consumed
 * tail of its old queue: the old queue's next event starts a new chain there. */
static void fifo_queue_move(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[2], pb[2], got[4];
    for (unsigned i = 0; i < 2; i++)
        channel(a, b, &pa[i], &pb[i]);
    fifo_on(&g, b, FIFO_PAGES);
    tdom_of(b)->v[1].vcpu_info = &tdom_of(b)->vi[1];
    for (unsigned i = 0; i < 2; i++)
        guest_unmask(&g, pb[i]);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1); /* pb[0]: vCPU 0's consumed tail */
    assert_int_equal(evtchn_bind_vcpu(b, pb[0], 1), 0);
    assert_int_equal(evtchn_send(a, pa[0]), 0); /* now on vCPU 1's queue */
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* vCPU 0's queue: a new head */
    assert_int_equal(g.cb[0]->head[PRIO], pb[1]);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1);
    assert_int_equal(got[0], pb[1]);
    assert_int_equal(guest_consume(&g, 1, got, 4), 1);
    assert_int_equal(got[0], pb[0]);
    /* The same across priorities on one vCPU. */
    assert_int_equal(evtchn_bind_vcpu(b, pb[0], 0), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1); /* pb[1]: queue 7's consumed tail */
    assert_int_equal(evtchn_set_priority(b, pb[1], 1), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0); /* queue 1 */
    assert_int_equal(evtchn_send(a, pa[0]), 0); /* queue 7, a new head */
    assert_int_equal(guest_consume(&g, 0, got, 4), 2);
    assert_int_equal(got[0], pb[1]);
    assert_int_equal(got[1], pb[0]);
    killdom(b);
    fifo_free(&g);
}

/* Closed while linked: the guest skips it; the number bound again works. */
static void fifo_close_linked(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[2], pb[2], got[4];
    for (unsigned i = 0; i < 2; i++)
        channel(a, b, &pa[i], &pb[i]);
    fifo_on(&g, b, FIFO_PAGES);
    for (unsigned i = 0; i < 2; i++)
        guest_unmask(&g, pb[i]);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(evtchn_close(b, pb[0]), 0);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1);
    assert_int_equal(got[0], pb[1]);
    evtchn_port_t again = unbound(b, DOMID_SELF, 1);
    assert_int_equal(again, pb[0]);
    evtchn_port_t local;
    assert_int_equal(bind(a, 2, again, &local), 0); /* leaves again pending */
    guest_unmask(&g, again);
    assert_int_equal(evtchn_send(a, local), 0);
    assert_int_equal(guest_consume(&g, 0, got, 4), 1);
    assert_int_equal(got[0], again);
    killdom(b);
    fifo_free(&g);
}

/* EVTCHNOP_reset: back to 2-level, the pages let go of, FIFO again afterwards. */
static void fifo_reset(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g, g2;
    long refs = frame_refs;
    fifo_on(&g, b, 2);
    assert_int_equal(frame_refs, refs + NVCPU + 2);
    assert_int_equal(evtchn_reset(b, DOMID_SELF), 0);
    assert_int_equal(frame_refs, refs);
    evtchn_port_t pa, pb;
    channel(a, b, &pa, &pb);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb)); /* 2-level again */
    assert_int_equal(evtchn_set_priority(b, pb, 3), -ENOSYS);
    fifo_on(&g2, b, 1);
    assert_int_equal(wload(fword(&g2, pb)), W_PENDING | W_MASKED);
    killdom(b);
    assert_int_equal(frame_refs, refs);
    fifo_free(&g);
    fifo_free(&g2);
}

/* A guest that writes nonsense into its words and blocks: Keel neither faults, nor loops, nor
 * touches memory beyond the pages (the sanitizer would say), whatever the words hold. */
static void fifo_hostile(void **state)
{
    struct domain *a = D(1), *b = D(2);
    struct fguest g;
    evtchn_port_t pa[3], pb[3];
    for (unsigned i = 0; i < 3; i++)
        channel(a, b, &pa[i], &pb[i]);
    fifo_on(&g, b, 1);
    for (unsigned i = 0; i < 3; i++)
        guest_unmask(&g, pb[i]);
    assert_int_equal(evtchn_send(a, pa[0]), 0);
    /* The tail's word: LINK garbage, BUSY set by the guest itself; heads garbage. */
    __atomic_fetch_or(fword(&g, pb[0]), W_BUSY | EVTCHN_FIFO_LINK_MASK, __ATOMIC_SEQ_CST);
    for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
        g.cb[0]->head[q] = 0xffffffff;
    assert_int_equal(evtchn_send(a, pa[1]), 0);
    assert_int_equal(wload(fword(&g, pb[0])) & EVTCHN_FIFO_LINK_MASK, pb[1]);
    assert_false(wload(fword(&g, pb[0])) & W_BUSY);
    /* Every word of the page: all flags and the largest link. */
    for (unsigned j = 0; j < 1024; j++)
        g.array[0][j] = 0xffffffff;
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(evtchn_send(a, pa[i]), 0);
        assert_int_equal(evtchn_unmask(b, pb[i]), 0);
    }
    assert_int_equal(evtchn_close(b, pb[2]), 0);
    killdom(b);
    fifo_free(&g);
}

/* Threads as pCPUs: senders on three channels into a FIFO domain while its guest drains and
 * unmasks.  No event is lost: after the senders stop, one more send on each port reaches the
 * guest; and every port the guest handles is one of them. */
struct fifo_race {
    struct domain *a;
    evtchn_port_t pa;
    unsigned rounds;
};

static void *fifo_sender(void *arg)
{
    struct fifo_race *r = arg;
    for (unsigned i = 0; i < r->rounds; i++)
        assert_int_equal(evtchn_send(r->a, r->pa), 0);
    return NULL;
}

static struct fguest race_guest;
static evtchn_port_t race_ports[3];
static unsigned race_seen[3];
static bool race_stop;

static void race_drain(void)
{
    evtchn_port_t got[16];
    unsigned n = guest_consume(&race_guest, 0, got, 16);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = 0;
        while (i < 3 && race_ports[i] != got[k])
            i++;
        assert_true(i < 3);
        __atomic_fetch_add(&race_seen[i], 1, __ATOMIC_RELAXED);
        /* Mask and unmask now and then, as Linux does around a handler. */
        if ((race_seen[i] & 7) == 0) {
            __atomic_fetch_or(fword(&race_guest, got[k]), W_MASKED, __ATOMIC_SEQ_CST);
            guest_unmask(&race_guest, got[k]);
        }
    }
}

static void *fifo_drainer(void *arg)
{
    while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE))
        race_drain();
    return NULL;
}

static void fifo_concurrent(void **state)
{
    struct domain *b = D(2);
    struct fifo_race r[3];
    evtchn_port_t pb[3];
    for (unsigned i = 0; i < 3; i++) {
        r[i] = (struct fifo_race){ .a = D(i == 2 ? 3 : 1), .rounds = ROUNDS };
        channel(r[i].a, b, &r[i].pa, &pb[i]);
        race_ports[i] = pb[i];
    }
    fifo_on(&race_guest, b, FIFO_PAGES);
    for (unsigned i = 0; i < 3; i++)
        guest_unmask(&race_guest, pb[i]);
    race_stop = false;
    pthread_t t[4];
    pthread_create(&t[3], NULL, fifo_drainer, NULL);
    for (unsigned i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, fifo_sender, &r[i]);
    for (unsigned i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    __atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
    pthread_join(t[3], NULL);
    race_drain();
    for (unsigned i = 0; i < 3; i++) {
        assert_true(race_seen[i] > 0);
        race_seen[i] = 0;
        assert_int_equal(evtchn_send(r[i].a, r[i].pa), 0);
    }
    race_drain();
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(race_seen[i], 1);
    killdom(b);
    fifo_free(&race_guest);
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
        cmocka_unit_test_setup_teardown(fifo_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_queue_move, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_close_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_concurrent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
