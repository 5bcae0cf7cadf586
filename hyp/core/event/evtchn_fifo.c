/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FIFO event ABI (xen-abi-facts C.5), which Linux asks for first (EVTCHNOP_init_control)
 * and uses wherever it is offered, as it is on Xen.
 *
 * Guest memory holds it all: an event word per port (PENDING, MASKED, LINKED, BUSY and the
 * LINK to the next port) in the event array pages the guest gives (EVTCHNOP_expand_array,
 * 1024 words each), and per vCPU a control block with a READY bit and a HEAD port for each of
 * 16 priority queues.  A queue is a chain of LINKED words: Keel appends at the tail, the
 * guest consumes from the head, clearing LINKED as it goes.  Keel only knows each queue's
 * tail, which the guest may have consumed meanwhile; appending to a consumed tail would join
 * the event to a chain nobody reads, so the append is a compare-and-swap that succeeds only
 * while the tail is still LINKED, and when it fails the queue was empty: the event becomes
 * the new HEAD and the READY bit, on its rising edge, raises the upcall.
 *
 * The guest writes the same words at the same time, so every change to them is atomic, and
 * nothing here trusts what it reads there: a guest that scribbles on its words or control
 * blocks loses its own events, and Keel never loops on guest memory without a bound.
 *
 * Keel's own state per port (priority, the queue it was last linked on, an event that came
 * before its word existed) and per queue (the tail) is guarded by the domain's delivery lock,
 * under which every FIFO port-op runs.  The switch from 2-level, and the end of FIFO (EVTCHNOP_reset,
 * kill), hold the event lock too.  The pages stay mapped, with a reference on their frames,
 * until then.
 */
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/heap.h>
#include <hyp/physmap.h>
#include "evtchn_internal.h"

#define WORDS_PER_PAGE EVTCHN_FIFO_EVENT_WORDS_PER_PAGE
#define MAX_PAGES (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
/* Compare-and-swap attempts on a tail word before and after marking it BUSY (link_after). */
#define LINK_TRIES 4

typedef uint32_t event_word_t;

struct fifo_vcpu {
    struct evtchn_fifo_control_block *cb;  /* NULL until the vCPU's init_control */
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* the port last linked on each queue, 0 = none */
};

struct evtchn_fifo {
    unsigned nr_pages;
    event_word_t *page[MAX_PAGES]; /* the event array, host addresses of whole frames */
    struct fifo_vcpu vcpu[];       /* [nr_vcpus] */
};

static event_word_t *word_of(const struct evtchn_fifo *f, evtchn_port_t port)
{
    unsigned page = port / WORDS_PER_PAGE;
    return page < f->nr_pages ? &f->page[page][port % WORDS_PER_PAGE] : NULL;
}

static event_word_t load(event_word_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* Make port the successor of the tail whose word is w, if the guest has not consumed that tail
 * (it is still LINKED).  True if linked.  A well-behaved guest changes a LINKED word only by
 * setting or clearing MASKED, clearing PENDING and clearing LINKED; a failed swap is retried,
 * and after LINK_TRIES the word is marked BUSY, which holds off the guest's unmask, so the
 * tries after that suffice.  A guest that keeps changing the word anyway loses port's event:
 * it is counted as linked and stays LINKED with nothing pointing at it. */
static bool link_after(event_word_t *w, evtchn_port_t port)
{
    event_word_t old = load(w);
    for (unsigned i = 0; i < 2 * LINK_TRIES; i++) {
        if (i == LINK_TRIES)
            old = __atomic_or_fetch(w, BIT(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
        if (!(old & BIT(EVTCHN_FIFO_LINKED))) {
            if (i >= LINK_TRIES)
                __atomic_fetch_and(w, ~BIT(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
            return false;
        }
        event_word_t new = (old & ~(EVTCHN_FIFO_LINK_MASK | BIT(EVTCHN_FIFO_BUSY))) | port;
        if (__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return true;
    }
    __atomic_fetch_and(w, ~BIT(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
    return true;
}

/* Delivery lock held; port's word w is PENDING.  Put port on v's queue of its priority,
 * unless it is masked (the guest's unmask links it later) or already on a queue, or v has no
 * control block yet (the guest unmasks its events only after giving one). */
static void link_port(struct domain *d, struct vcpu *v, evtchn_port_t port, event_word_t *w)
{
    struct evtchn_fifo *f = d->evtchn->fifo;
    struct evtchn_port *p = evtchn_port_of(d->evtchn, port);
    struct fifo_vcpu *fv = &f->vcpu[v->id];
    if (!p || !fv->cb || (load(w) & BIT(EVTCHN_FIFO_MASKED)) ||
        (__atomic_fetch_or(w, BIT(EVTCHN_FIFO_LINKED), __ATOMIC_SEQ_CST) & BIT(EVTCHN_FIFO_LINKED)))
        return;
    /* LINKED was clear, so the guest has consumed port: if it is still the tail of the queue
     * it was last on, that queue is empty, and must not be appended to through port. */
    uint32_t *old_tail = &f->vcpu[p->last_vcpu].tail[p->last_priority];
    if (*old_tail == port)
        *old_tail = 0;
    unsigned q = p->priority;
    p->last_vcpu = (uint16_t)v->id;
    p->last_priority = (uint8_t)q;
    bool linked = fv->tail[q] && link_after(word_of(f, fv->tail[q]), port);
    fv->tail[q] = port;
    if (linked)
        return; /* the guest reaches it from the tail */
    __atomic_store_n(&fv->cb->head[q], port, __ATOMIC_RELEASE);
    if (!(__atomic_fetch_or(&fv->cb->ready, BIT(q), __ATOMIC_SEQ_CST) & BIT(q))) {
        struct vcpu_info *vi = vcpu_info_of(v);
        /* A vCPU with no vcpu_info yet gets the upcall when it registers one. */
        if (vi)
            evtchn_upcall(v, vi);
    }
}

/* --- the port-ops --- */

static void set_pending(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    event_word_t *w = word_of(d->evtchn->fifo, port);
    if (!w) {
        /* No word yet: Linux binds a port, then grows the array to reach it. */
        struct evtchn_port *p = evtchn_port_of(d->evtchn, port);
        if (p)
            p->pending_unseen = true;
        return;
    }
    /* Linked even if it was pending already: an event left unlinked (masked, or no control
     * block then) must not stay so while the guest waits for it. */
    __atomic_fetch_or(w, BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
    link_port(d, v, port, w);
}

static void clear_pending(struct domain *d, evtchn_port_t port)
{
    struct evtchn_port *p = evtchn_port_of(d->evtchn, port);
    event_word_t *w = word_of(d->evtchn->fifo, port);
    if (p)
        p->pending_unseen = false;
    /* A LINKED word stays on its queue: the guest skips it there, as it is not pending. */
    if (w)
        __atomic_fetch_and(w, ~BIT(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
    /* And the port's 2-level bit, left set by an event the switch carried over (or one
     * evtchn_2l_deliver handed over): FIFO never looks at it, but it would outlive FIFO, and
     * after EVTCHNOP_reset the free port would read as pending and the events of its next
     * binding would find the bit set and raise no upcall.  No one delivers to a port being
     * freed (its senders' locks are held). */
    evtchn_2l_ops.clear_pending(d, port);
}

static void unmask(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    event_word_t *w = word_of(d->evtchn->fifo, port);
    if (!w)
        return;
    __atomic_fetch_and(w, ~BIT(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    if (load(w) & BIT(EVTCHN_FIFO_PENDING))
        link_port(d, v, port, w);
}

static bool is_pending(struct domain *d, evtchn_port_t port)
{
    event_word_t *w = word_of(d->evtchn->fifo, port);
    struct evtchn_port *p = evtchn_port_of(d->evtchn, port);
    return w ? load(w) & BIT(EVTCHN_FIFO_PENDING) : p && p->pending_unseen;
}

const struct evtchn_port_ops evtchn_fifo_ops = {
    .set_pending = set_pending,
    .clear_pending = clear_pending,
    .unmask = unmask,
    .is_pending = is_pending,
};

/* --- the sub-ops --- */

/* A reference to the frame of d's writable RAM at gfn, or -EINVAL (Xen's answer). */
static int get_page(struct domain *d, uint64_t gfn, paddr_t *pa)
{
    if (gfn > (~0UL >> PAGE_SHIFT))
        return -EINVAL;
    return physmap_get_frame(d, GPA(gfn << PAGE_SHIFT), P2M_BIT(P2M_RAM_RW), pa) ? -EINVAL : 0;
}

/* Both locks held.  d moves from 2-level to FIFO (f, zeroed): each bound port gets the default
 * priority and is counted on its vCPU's queue of it, and an event pending in the 2-level bitmap
 * is kept until the port has a word. */
static void switch_to_fifo(struct domain *d, struct evtchn_fifo *f)
{
    struct evtchn_domain *e = d->evtchn;
    /* Published before the bits are read, for 2-level deliveries that take no lock (see
     * evtchn_deliver). */
    e->ops = &evtchn_fifo_ops;
    __atomic_store_n(&e->fifo, f, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (evtchn_port_t port = 1; port < e->nr_buckets * EVTCHN_BUCKET_PORTS; port++) {
        struct evtchn_port *p = evtchn_port_of(e, port);
        if (!p) {
            port |= EVTCHN_BUCKET_PORTS - 1;
            continue;
        }
        p->priority = p->last_priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
        p->last_vcpu = p->vcpu;
        p->pending_unseen = p->state != ECS_FREE && evtchn_2l_ops.is_pending(d, port);
    }
}

int evtchn_init_control(struct domain *d, struct evtchn_init_control *c)
{
    c->link_bits = EVTCHN_FIFO_LINK_BITS;
    if (c->vcpu >= d->nr_vcpus || !d->vcpus[c->vcpu])
        return -ENOENT;
    if ((c->offset & 7) || c->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
        return -EINVAL;
    paddr_t pa;
    int rc = get_page(d, c->control_gfn, &pa);
    if (rc)
        return rc;
    struct evtchn_domain *e = d->evtchn;
    /* The state is made before the locks and dropped if another vCPU's call made it first. */
    struct evtchn_fifo *f =
        READ_ONCE(e->fifo) ? NULL : heap_zalloc(sizeof(*f) + d->nr_vcpus * sizeof(f->vcpu[0]));
    unsigned long flags = spin_lock_irqsave(&e->lock);
    spin_lock(&e->deliver_lock);
    if (e->dead)
        rc = -EINVAL;
    else if (!e->fifo && !f)
        rc = -ENOMEM;
    else {
        if (!e->fifo) {
            switch_to_fifo(d, f);
            f = NULL;
        }
        struct fifo_vcpu *fv = &e->fifo->vcpu[c->vcpu];
        if (fv->cb)
            rc = -EINVAL; /* once per vCPU, as on Xen */
        else
            fv->cb = (struct evtchn_fifo_control_block *)(uintptr_t)(pa + c->offset);
    }
    spin_unlock(&e->deliver_lock);
    spin_unlock_irqrestore(&e->lock, flags);
    heap_free(f);
    if (rc)
        frame_put(pa, 1);
    return rc;
}

int evtchn_expand_array(struct domain *d, uint64_t gfn)
{
    struct evtchn_domain *e = d->evtchn;
    if (!READ_ONCE(e->fifo))
        return -EOPNOTSUPP;
    paddr_t pa;
    int rc = get_page(d, gfn, &pa);
    if (rc)
        return rc;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    spin_lock(&e->deliver_lock);
    struct evtchn_fifo *f = e->fifo;
    if (!f || e->dead || f->nr_pages * WORDS_PER_PAGE >= evtchn_limit(e)) {
        rc = !f ? -EOPNOTSUPP : -ENOSPC; /* no FIFO (reset meanwhile), or every port has a word */
    } else {
        unsigned first = f->nr_pages * WORDS_PER_PAGE;
        f->page[f->nr_pages++] = (event_word_t *)(uintptr_t)pa;
        /* Events that came before their word: shown now (the guest made its new words
         * MASKED, so they are linked when it unmasks them). */
        for (evtchn_port_t port = first; port < first + WORDS_PER_PAGE; port++) {
            struct evtchn_port *p = evtchn_port_of(e, port);
            if (p && p->pending_unseen) {
                p->pending_unseen = false;
                set_pending(d, d->vcpus[p->vcpu], port);
            }
        }
    }
    spin_unlock(&e->deliver_lock);
    spin_unlock_irqrestore(&e->lock, flags);
    if (rc)
        frame_put(pa, 1);
    return rc;
}

int evtchn_set_priority(struct domain *d, evtchn_port_t port, uint32_t priority)
{
    struct evtchn_domain *e = d->evtchn;
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&e->lock);
    spin_lock(&e->deliver_lock);
    /* Any port whose bucket exists, free or not (Xen's port_is_valid): the priority stays
     * with the port for when it is bound. */
    struct evtchn_port *p = evtchn_port_of(e, port);
    if (!p)
        rc = -EINVAL;
    else if (!e->fifo)
        rc = -ENOSYS; /* 2-level has no priorities */
    else if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        rc = -EINVAL;
    else
        p->priority = (uint8_t)priority; /* from its next link on */
    spin_unlock(&e->deliver_lock);
    spin_unlock_irqrestore(&e->lock, flags);
    return rc;
}

void evtchn_fifo_destroy(struct domain *d)
{
    struct evtchn_domain *e = d->evtchn;
    spin_lock(&e->deliver_lock);
    struct evtchn_fifo *f = e->fifo;
    e->ops = &evtchn_2l_ops;
    __atomic_store_n(&e->fifo, NULL, __ATOMIC_SEQ_CST);
    spin_unlock(&e->deliver_lock);
    if (!f)
        return;
    for (unsigned i = 0; i < f->nr_pages; i++)
        frame_put((paddr_t)(uintptr_t)f->page[i], 1);
    for (unsigned i = 0; i < e->nr_vcpus; i++)
        if (f->vcpu[i].cb)
            frame_put((paddr_t)(uintptr_t)f->vcpu[i].cb & PAGE_MASK, 1);
    heap_free(f);
}
