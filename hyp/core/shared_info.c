/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shared_info and vcpu_info (see shared_info.h).  The page is allocated and owned through the
 * frame table, so mapping it into the guest takes a reference like any frame and it goes only
 * when the last mapping and the domain let go.  Registration is serialised by d->lock; readers
 * take the published pointer without a lock.
 */
#include <hyp/arch/mm.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/sched.h>
#include <hyp/shared_info.h>
#include <hyp/string.h>
#include <hyp/timer.h>

#define NS_PER_S 1000000000UL

/* Wallclock at the domain's virtual count 0 (xen-abi-facts C.2): Keel has no wallclock of its
 * own yet (Xen/Arm's is 0 until dom0 sets it), so it is the domain's creation time since boot,
 * in whole seconds as Xen counts it. */
static void set_wallclock(struct shared_info *s)
{
    uint64_t sec = time_now_ns() / NS_PER_S;
    s->wc_version = 1;
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = 0;
    s->wc_version = 2;
}

int shared_info_domain_init(struct domain *d)
{
    struct shared_info *s = page_zalloc(0);
    if (!s)
        return -ENOMEM;
    frame_assign((paddr_t)(uintptr_t)s, 1, (uint16_t)d->id, FRAME_SHARED);
    set_wallclock(s);
    arch_clean_dcache(s, PAGE_SIZE); /* a guest may map it before turning its caches on */
    d->shared_info = s;
    d->shared_info_gfn = ~0UL; /* mapped nowhere until the guest asks (GFN_INVALID) */
    d->mem_pages++;
    return 0;
}

/* Stop writing v's runstate area and let go of its frame. */
static void runstate_area_drop(struct vcpu *v)
{
    struct vcpu_runstate_info *old = v->sched_priv ? sched_runstate_set_area(v, NULL) : NULL;
    if (old)
        frame_put((paddr_t)(uintptr_t)old & PAGE_MASK, 1);
}

void shared_info_domain_kill(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v)
            runstate_area_drop(v);
        if (v && v->vcpu_info_frame) {
            WRITE_ONCE(v->vcpu_info, NULL);
            frame_put(v->vcpu_info_frame, 1);
            v->vcpu_info_frame = 0;
        }
    }
}

void shared_info_domain_free(struct domain *d)
{
    if (d->shared_info) {
        frame_put((paddr_t)(uintptr_t)d->shared_info, 1);
        d->shared_info = NULL;
        d->mem_pages--;
    }
}

paddr_t shared_info_pa(struct domain *d)
{
    return (paddr_t)(uintptr_t)d->shared_info;
}

int vcpu_info_register(struct vcpu *v, uint64_t gfn, uint32_t offset)
{
    struct domain *d = v->dom;
    if (offset > PAGE_SIZE - sizeof(struct vcpu_info) || (offset & 7))
        return -ENXIO;
    /* Not the domain's writable RAM: -EINVAL, as Xen 4.17's map_vcpu_info answers. */
    paddr_t pa;
    if (gfn > (~0UL >> PAGE_SHIFT) ||
        physmap_get_frame(d, GPA(gfn << PAGE_SHIFT), P2M_BIT(P2M_RAM_RW), &pa))
        return -EINVAL;
    struct vcpu_info *vi = (struct vcpu_info *)(uintptr_t)(pa + offset);
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (v->vcpu_info || d->state == DOM_DYING) {
        spin_unlock_irqrestore(&d->lock, flags);
        frame_put(pa, 1);
        return -EINVAL;
    }
    /* The old contents move with it (vCPU 0's slot in shared_info, zeros otherwise), and
     * every selector bit is set: whatever was pending is looked at again. */
    struct vcpu_info *old = vcpu_info_of(v);
    if (old)
        memcpy(vi, old, sizeof(*vi));
    else
        memset(vi, 0, sizeof(*vi));
    __atomic_store_n(&vi->evtchn_pending_sel, ~(xen_ulong_t)0, __ATOMIC_RELAXED);
    __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_RELAXED);
    v->vcpu_info_frame = pa;
    __atomic_store_n(&v->vcpu_info, vi, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&d->lock, flags);
    arch_evtchn_upcall(v); /* a spurious upcall follows, as on Xen */
    return 0;
}

void runstate_area_register(struct vcpu *v, paddr_t pa)
{
    struct domain *d = v->dom;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (d->state == DOM_DYING) {
        spin_unlock_irqrestore(&d->lock, flags);
        if (pa)
            frame_put(pa & PAGE_MASK, 1);
        return;
    }
    struct vcpu_runstate_info *old =
        sched_runstate_set_area(v, (struct vcpu_runstate_info *)(uintptr_t)pa);
    spin_unlock_irqrestore(&d->lock, flags);
    if (old)
        frame_put((paddr_t)(uintptr_t)old & PAGE_MASK, 1);
}
