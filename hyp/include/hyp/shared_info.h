/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's shared_info page and its vCPUs' vcpu_info areas (xen-abi-facts C.1, C.2): the
 * memory Keel and the guest both write for event channels and wallclock.  The shared_info page
 * is Keel's (a FRAME_SHARED page owned by the domain), zeroed at creation and mapped where
 * the guest asks (XENMAPSPACE_shared_info).  A vcpu_info lives in shared_info for vCPU 0 until
 * the guest registers an area in its own RAM (VCPUOP_register_vcpu_info), whose frame Keel
 * then holds a reference on until the domain dies.  The same for each vCPU's runstate area,
 * which the scheduler writes (sched_runstate_set_area).  Readers on any pCPU use the host pointers;
 * a registered pointer is published once and never changes.
 */
#pragma once

#include <hyp/domain.h>
#include <xen/arch-arm.h>

/* At creation: the zeroed page with the wallclock filled in.  0 or -ENOMEM. */
int shared_info_domain_init(struct domain *d);
/* At kill: let go of the registered areas' frames (no vCPU runs; event delivery into d has
 * stopped).  At free: the page itself.  Both cope with a half-built domain. */
void shared_info_domain_kill(struct domain *d);
void shared_info_domain_free(struct domain *d);

/* The shared page, and its host physical address (for XENMAPSPACE_shared_info).  Inline: every
 * event delivery asks. */
static inline struct shared_info *shared_info_of(struct domain *d)
{
    return d->shared_info;
}
paddr_t shared_info_pa(struct domain *d);

/* v's vcpu_info, or NULL while it has none (vCPU > 0 before registering). */
static inline struct vcpu_info *vcpu_info_of(struct vcpu *v)
{
    struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);
    if (vi)
        return vi;
    return v->id < XEN_LEGACY_MAX_VCPUS ? &v->dom->shared_info->vcpu_info[v->id] : NULL;
}

/* VCPUOP_register_vcpu_info: v's vcpu_info moves to offset of gfn in its domain's RAM.
 * -ENXIO if it would cross the page or is not 8-byte aligned, -EINVAL if v already has one
 * registered (Xen 4.17), -EFAULT if gfn is not the domain's writable RAM.  The old contents
 * move with it; every selector bit is set and the upcall raised, so no event is lost. */
int vcpu_info_register(struct vcpu *v, uint64_t gfn, uint32_t offset);

/* VCPUOP_register_runstate_memory_area: from now on v's runstate is written at pa (a host
 * address in a frame of d's RAM whose reference this takes over; 0 to stop), at once and
 * whenever v is switched in or out.  The previous area's frame is let go.  Nothing is
 * registered once d is dying (the reference is put). */
void runstate_area_register(struct vcpu *v, paddr_t pa);

/* --- arch hook --- */
/* v's event upcall went from 0 to 1: raise its event-channel PPI (and kick v). */
void arch_evtchn_upcall(struct vcpu *v);
