/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-ins for what core/event/ calls, and the domains the event-channel tests build (see
 * evtchn_doubles.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/guest_access.h>
#include <hyp/heap.h>
#include <hyp/percpu.h>
#include <hyp/physmap.h>

#include "../../hyp/core/hypercall/hypercall_table.h"
#include "evtchn_doubles.h"

struct percpu percpu_data[MAX_CPUS];

struct tdom *doms[NDOM];
long frame_refs;
uint8_t hole[64];

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

struct tdom *tdom_of(struct domain *d)
{
    return container_of(d, struct tdom, d);
}

void arch_evtchn_upcall(struct vcpu *v)
{
    __atomic_fetch_add(&tdom_of(v->dom)->upcalls[v->id], 1, __ATOMIC_RELAXED);
}

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

struct domain *mkdom_cfg(unsigned id, unsigned nvcpus, const struct domain_config *cfg)
{
    struct tdom *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->d.id = id;
    t->d.refs = 1;
    t->d.state = DOM_RUNNING;
    t->d.shared_info = &t->si;
    t->d.nr_vcpus = nvcpus;
    if (cfg)
        t->d.cfg = *cfg;
    for (unsigned i = 0; i < nvcpus; i++) {
        t->v[i].id = i;
        t->v[i].dom = &t->d;
        t->d.vcpus[i] = &t->v[i];
    }
    assert_int_equal(evtchn_domain_init(&t->d), 0);
    doms[id] = t;
    return &t->d;
}

struct domain *mkdom(unsigned id, unsigned nvcpus)
{
    return mkdom_cfg(id, nvcpus, NULL);
}

void killdom(struct domain *d)
{
    d->state = DOM_DYING;
    evtchn_domain_kill(d);
    assert_int_equal(evtchn_ports_in_use(d), 0);
}

int setup(void **state)
{
    mkdom(1, NVCPU);
    mkdom(2, NVCPU);
    mkdom(3, 1);
    return 0;
}

int teardown(void **state)
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

struct domain *D(unsigned id)
{
    return &doms[id]->d;
}

/* --- looking at a domain --- */

unsigned upcalls(struct domain *d, unsigned vcpu)
{
    return __atomic_load_n(&tdom_of(d)->upcalls[vcpu], __ATOMIC_RELAXED);
}

bool pending(struct domain *d, evtchn_port_t p)
{
    return d->shared_info->evtchn_pending[p / 64] & (1UL << (p % 64));
}

void clear_pending(struct domain *d, evtchn_port_t p)
{
    d->shared_info->evtchn_pending[p / 64] &= ~(1UL << (p % 64));
}

void mask(struct domain *d, evtchn_port_t p)
{
    d->shared_info->evtchn_mask[p / 64] |= 1UL << (p % 64);
}

void guest_ack(struct domain *d, unsigned vcpu)
{
    struct vcpu_info *vi = vcpu_info_of(d->vcpus[vcpu]);
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
}

/* --- making channels --- */

evtchn_port_t unbound(struct domain *caller, domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
    assert_int_equal(evtchn_alloc_unbound(caller, &a), 0);
    return a.port;
}

int bind(struct domain *caller, domid_t rdom, evtchn_port_t rport, evtchn_port_t *local)
{
    struct evtchn_bind_interdomain b = { .remote_dom = rdom, .remote_port = rport };
    int rc = evtchn_bind_interdomain(caller, &b);
    if (local)
        *local = b.local_port;
    return rc;
}

struct evtchn_status status(struct domain *caller, domid_t dom, evtchn_port_t port)
{
    struct evtchn_status s = { .dom = dom, .port = port };
    assert_int_equal(evtchn_status(caller, &s), 0);
    return s;
}

void channel(struct domain *a, struct domain *b, evtchn_port_t *pa, evtchn_port_t *pb)
{
    *pa = unbound(a, DOMID_SELF, (domid_t)b->id);
    assert_int_equal(bind(b, (domid_t)a->id, *pa, pb), 0);
    clear_pending(b, *pb);
    guest_ack(b, 0);
}

long op(struct domain *d, uint64_t cmd, void *arg)
{
    uint64_t args[5] = { cmd, (uintptr_t)arg };
    return do_event_channel_op(d->vcpus[0], args);
}
