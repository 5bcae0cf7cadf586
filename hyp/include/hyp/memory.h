/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What memory_op does to a domain's memory, in kernel types (xen-abi-facts B.1 #2, #6, #18,
 * B.3, I.1): one extent of RAM populated or given back (the balloon), one frame of a physmap
 * space (shared_info, a grant-table frame, another domain's page) added, one page removed.
 * core/hypercall/memory_op.c decodes the guest's arguments, loops over extents and decides who
 * may act on whom; this module checks the rest and changes the map through physmap.
 *
 * Locking: d->lock serialises moving the shared_info page (d->shared_info_gfn); the map itself
 * is physmap's (d->p2m_lock, inside d->lock).
 */
#pragma once

#include <hyp/domain.h>

/* d->shared_info_gfn while the page is mapped nowhere. */
#define GFN_INVALID (~0UL)

/* The largest extent order caller may use: Xen's defaults, 9 (2 MiB) for a domU and 12 for
 * the control domain. */
unsigned memory_max_order(const struct domain *caller);

/* Populate the extent [gfn, gfn + 2^order) of d with new RAM, all of it or none.  0;
 * -EINVAL (beyond the guest-physical space), -EEXIST (something is mapped there), -ENOMEM
 * (no memory, or d would exceed its allowance), -ESRCH (d is dying).  A direct-mapped d gets
 * no new RAM: 0 (and no change) if the extent is its own RAM where it is, else -EINVAL. */
int memory_populate(struct domain *d, uint64_t gfn, unsigned order);
/* Give back d's RAM in the extent [gfn, gfn + 2^order).  0; -EINVAL if any page of it is not
 * d's RAM (nothing changed); -ENOMEM (part of it was given back). */
int memory_decrease(struct domain *d, uint64_t gfn, unsigned order);

/* XENMEM_add_to_physmap(_batch) for one frame: put frame idx of space at gpfn of d, replacing
 * what was there (never a grant mapping: -EBUSY).  caller is who asked (already allowed to act
 * on d); foreign names the source domain of XENMAPSPACE_gmfn_foreign.  0 or a Xen errno:
 * -EINVAL (shared_info idx not 0, a foreign page that is not RAM or is the caller's own),
 * -ESRCH (no such foreign domain), -EPERM (caller may not map it), -EACCES (dev_mmio),
 * -ENOSYS (spaces Xen/Arm does not offer: gmfn, gmfn_range), what the grant table says, or
 * -ENOMEM. */
int memory_add_to_physmap(struct domain *caller, struct domain *d, unsigned space, uint64_t idx,
                          uint64_t gpfn, unsigned foreign);
/* XENMEM_remove_from_physmap: unmap page gpfn of d (RAM, shared_info or a grant-table frame,
 * a foreign page).  0; -ENOENT if nothing of that kind is mapped there. */
int memory_remove_from_physmap(struct domain *d, uint64_t gpfn);
/* XENMEM_acquire_resource of d's grant table (the shared frames), for caller: how many frames
 * it may have, and frame idx (the table grown to hold it) mapped at caller's gfn as a foreign
 * page that holds a reference until caller removes it.  0, -EINVAL (idx beyond d's limit, a
 * gfn too large, d dying), -EBUSY (gfn holds a grant mapping or a device), -ENOMEM. */
uint32_t memory_grant_frames_max(struct domain *d);
int memory_acquire_grant_frame(struct domain *caller, struct domain *d, uint64_t idx, uint64_t gfn);
