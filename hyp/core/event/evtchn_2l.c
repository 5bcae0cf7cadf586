/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The 2-level event ABI (xen-abi-facts C.3): one pending and one mask bit per port in the
 * domain's shared_info page, a selector word in each vCPU's vcpu_info saying which words of
 * pending may need a look, and the upcall flag whose 0 -> 1 transition raises the vCPU's
 * event PPI.  The guest changes the same words at the same time, so every update is an atomic
 * read-modify-write; the caller holds the port's domain's event lock, which keeps the pages
 * (shared_info for the domain's life, a registered vcpu_info until kill) in place.
 */
#include <hyp/shared_info.h>
#include "evtchn_internal.h"

/* A port beyond the bitmaps has no bits: one bound under FIFO may outlive the return to
 * 2-level (EVTCHNOP_reset while a peer binds), and stays silent. */
#define IN_BITMAP(port) ((port) < EVTCHN_2L_NR_CHANNELS)
#define WORD(port) ((port) / EVTCHN_2L_BITS_PER_WORD)
#define MASK(port) ((xen_ulong_t)1 << ((port) % EVTCHN_2L_BITS_PER_WORD))

/* Selector bit of port's word on v; the upcall if it was clear. */
static void select_word(struct vcpu *v, evtchn_port_t port)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    xen_ulong_t sel = (xen_ulong_t)1 << WORD(port);
    /* A vCPU with no vcpu_info yet (vCPU 1 and up before registering) is told at registration,
     * which sets every selector bit and raises the upcall. */
    if (vi && !(__atomic_fetch_or(&vi->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel))
        evtchn_upcall(v, vi);
}

/* Mark port pending and tell v.  With hand_over (evtchn_2l_deliver, no delivery lock held),
 * an event that meets d's switch to FIFO goes to FIFO instead: the switch publishes itself
 * and then reads the pending bits, this writes the bit and then reads the switch (both
 * fenced), so the switch carries the event over or this sees the switch, or both (an event
 * twice is harmless).  An event already pending was set by someone who made the same check. */
static inline __attribute__((always_inline)) void mark_pending(struct domain *d, struct vcpu *v,
                                                               evtchn_port_t port, bool hand_over)
{
    struct shared_info *s = shared_info_of(d);
    if (!IN_BITMAP(port))
        return;
    if (__atomic_fetch_or(&s->evtchn_pending[WORD(port)], MASK(port), __ATOMIC_SEQ_CST) &
        MASK(port))
        return; /* already pending: the guest has not looked yet */
    /* Pending is written before the mask is read, as the guest's unmask clears the mask
     * before it reads pending: one of the two sees the other's write, so the event is
     * delivered by Keel here or by the guest's EVTCHNOP_unmask. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (hand_over &&
        __builtin_expect(__atomic_load_n(&d->evtchn->fifo, __ATOMIC_RELAXED) != NULL, 0)) {
        evtchn_deliver_locked(d, v, port);
        return;
    }
    if (__atomic_load_n(&s->evtchn_mask[WORD(port)], __ATOMIC_RELAXED) & MASK(port))
        return;
    select_word(v, port);
}

static void set_pending(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    mark_pending(d, v, port, false);
}

void evtchn_2l_deliver(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    mark_pending(d, v, port, true);
}

static void clear_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = shared_info_of(d);
    if (IN_BITMAP(port))
        __atomic_fetch_and(&s->evtchn_pending[WORD(port)], ~MASK(port), __ATOMIC_SEQ_CST);
}

static void unmask(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    struct shared_info *s = shared_info_of(d);
    if (!IN_BITMAP(port))
        return;
    if (!(__atomic_fetch_and(&s->evtchn_mask[WORD(port)], ~MASK(port), __ATOMIC_SEQ_CST) &
          MASK(port)))
        return; /* was not masked: a pending event was delivered when it came */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->evtchn_pending[WORD(port)], __ATOMIC_RELAXED) & MASK(port))
        select_word(v, port);
}

static bool is_pending(struct domain *d, evtchn_port_t port)
{
    return IN_BITMAP(port) &&
           (__atomic_load_n(&shared_info_of(d)->evtchn_pending[WORD(port)], __ATOMIC_RELAXED) &
            MASK(port));
}

const struct evtchn_port_ops evtchn_2l_ops = {
    .set_pending = set_pending,
    .clear_pending = clear_pending,
    .unmask = unmask,
    .is_pending = is_pending,
};
