/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory_op (12), decode only (xen-abi-facts B.1, B.3, I.1, Appendix 2): the reservation calls
 * (the balloon: populate_physmap, decrease_reservation, increase_reservation), the counts
 * (current/maximum_reservation, maximum_gpfn, maximum_ram_page), add_to_physmap(_batch),
 * remove_from_physmap and acquire_resource (a grant table's frames, for a toolstack).  Reads
 * the guest's structs and lists, names the target domain and checks who may act on it
 * (core/policy.c); core/mm/memory.c does the work.
 *
 * As on Xen: cmd is an unsigned long whose low MEMOP_EXTENT_SHIFT bits are the sub-op and the
 * rest the extent to start from; a loop over extents stops at hypercall_preempt_check(),
 * rewrites cmd with its progress and returns -ERESTART.  The reservation calls never fail as a
 * whole: they return how many extents are done (a bad argument or an unknown domain: none),
 * and stop at the first extent that fails.
 */
#include <hyp/bootinfo.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include <hyp/memory.h>
#include <hyp/physmap.h>
#include <hyp/policy.h>
#include <xen/memory.h>
#include "hypercall_table.h"

/* The extent count must leave room to encode progress in cmd (Xen's limit). */
#define MAX_EXTENTS (UINT32_MAX >> MEMOP_EXTENT_SHIFT)

/* Rewrite cmd so that the call continues at extent next, and say so. */
static long continue_at(uint64_t args[5], unsigned op, uint64_t next)
{
    args[0] = op | next << MEMOP_EXTENT_SHIFT;
    return -ERESTART;
}

/* What XENMEMF_* asks that Keel cannot give: a virtual NUMA node, pages populated on demand,
 * or a node other than its one (exactly, for a domU; at all, for the control domain, which
 * Xen lets name a node). */
static bool flags_ok(uint32_t flags, unsigned op, const struct domain *caller)
{
    uint32_t node = XENMEMF_get_node(flags);
    if (flags & XENMEMF_vnode)
        return false;
    if (op == XENMEM_populate_physmap && (flags & XENMEMF_populate_on_demand))
        return false;
    if (node == 0xff) /* none asked */
        return true;
    return caller->is_control ? node == 0 : !(flags & XENMEMF_exact_node_request);
}

/* Extent i of a reservation call; false to stop. */
static bool one_extent(struct vcpu *v, struct domain *d, unsigned op,
                       const struct xen_memory_reservation *r, uint64_t i)
{
    xen_pfn_t gfn;
    if (op == XENMEM_increase_reservation)
        return false; /* frames with no place in an auto-translated map could never be used */
    if (copy_from_guest_elem(v, &gfn, r->extent_start, i, sizeof(gfn)))
        return false;
    if (op == XENMEM_populate_physmap)
        return !memory_populate(d, gfn, r->extent_order);
    return !memory_decrease(d, gfn, r->extent_order);
}

static long reservation(struct vcpu *v, uint64_t args[5], unsigned op, uint64_t start)
{
    struct xen_memory_reservation r;
    if (copy_obj_from_guest(v, &r, args[1]) || r.nr_extents > MAX_EXTENTS || start >= r.nr_extents)
        return (long)start;
    struct domain *d = domain_get_any(v->dom, r.domid);
    if (!d)
        return (long)start;
    uint64_t i = start;
    if (policy_may_target(v->dom, d) && r.extent_order <= memory_max_order(v->dom) &&
        flags_ok(r.mem_flags, op, v->dom)) {
        for (; i < r.nr_extents; i++) {
            if (i != start && hypercall_preempt_check()) {
                domain_put(d);
                return continue_at(args, op, i);
            }
            if (!one_extent(v, d, op, &r, i))
                break;
        }
    }
    domain_put(d);
    return (long)i;
}

/* The target of a sub-op naming domid: 0 with a reference in *out, -ESRCH, -EPERM. */
static int target(struct vcpu *v, unsigned domid, struct domain **out)
{
    struct domain *d = domain_get_any(v->dom, domid);
    if (!d)
        return -ESRCH;
    if (!policy_may_target(v->dom, d)) {
        domain_put(d);
        return -EPERM;
    }
    *out = d;
    return 0;
}

/* The target of add_to_physmap(_batch), in Xen's order: -ESRCH, then -EACCES for device
 * memory into anything but the control domain, then -EPERM. */
static int xatp_target(struct vcpu *v, unsigned domid, unsigned space, struct domain **out)
{
    struct domain *d = domain_get_any(v->dom, domid);
    if (!d)
        return -ESRCH;
    int rc = space == XENMAPSPACE_dev_mmio && !d->is_control ? -EACCES
             : !policy_may_target(v->dom, d)                 ? -EPERM
                                                             : 0;
    if (rc)
        domain_put(d);
    else
        *out = d;
    return rc;
}

/* current_reservation, maximum_reservation, maximum_gpfn: arg points at a domid_t. */
static long counts(struct vcpu *v, unsigned op, uint64_t arg)
{
    domid_t domid;
    struct domain *d;
    if (copy_obj_from_guest(v, &domid, arg))
        return -EFAULT;
    int rc = target(v, domid, &d);
    if (rc)
        return rc;
    long n = op == XENMEM_current_reservation   ? (long)READ_ONCE(d->tot_pages)
             : op == XENMEM_maximum_reservation ? (long)READ_ONCE(d->max_pages)
                                                : (long)physmap_max_gfn(d);
    domain_put(d);
    return n;
}

/* The host's highest RAM frame + 1, as Xen's max_page. */
static long max_ram_page(void)
{
    uint64_t end = 0;
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        end = MAX(end, bootinfo.mem[i].base + bootinfo.mem[i].size);
    return (long)(end >> PAGE_SHIFT);
}

static long add_to_physmap(struct vcpu *v, uint64_t arg, uint64_t start)
{
    struct xen_add_to_physmap x;
    struct domain *d;
    if (start > UINT16_MAX) /* progress beyond what size could ask: a forged cmd */
        return -EDOM;
    if (copy_obj_from_guest(v, &x, arg))
        return -EFAULT;
    if (x.space == XENMAPSPACE_gmfn_foreign) /* only through the batch */
        return -ENOSYS;
    int rc = xatp_target(v, x.domid, x.space, &d);
    if (rc)
        return rc;
    if (x.space == XENMAPSPACE_gmfn_range) /* size counts only here; none of it exists on Arm */
        rc = x.size < start ? -EILSEQ : x.size == start ? 0 : -ENOSYS;
    else
        rc = memory_add_to_physmap(v->dom, d, x.space, x.idx, x.gpfn, 0);
    domain_put(d);
    return rc;
}

/* Entries start.. of a batch: each one's result goes to errs[i]; the call fails as a whole
 * only when the lists cannot be read or written. */
static long batch_entries(struct vcpu *v, uint64_t args[5], struct domain *d,
                          const struct xen_add_to_physmap_batch *b, uint64_t start)
{
    for (uint64_t i = start; i < b->size; i++) {
        xen_ulong_t idx;
        xen_pfn_t gpfn;
        if (copy_from_guest_elem(v, &idx, b->idxs, i, sizeof(idx)) ||
            copy_from_guest_elem(v, &gpfn, b->gpfns, i, sizeof(gpfn)))
            return -EFAULT;
        int32_t err = memory_add_to_physmap(v->dom, d, b->space, idx, gpfn, b->u.foreign_domid);
        if (copy_to_guest_elem(v, b->errs, i, &err, sizeof(err)))
            return -EFAULT;
        if (i + 1 < b->size && hypercall_preempt_check())
            return continue_at(args, XENMEM_add_to_physmap_batch, i + 1);
    }
    return 0;
}

static long add_to_physmap_batch(struct vcpu *v, uint64_t args[5], uint64_t start)
{
    struct xen_add_to_physmap_batch b;
    struct domain *d;
    if (start > UINT16_MAX)
        return -EDOM;
    if (copy_obj_from_guest(v, &b, args[1]))
        return -EFAULT;
    if (b.space == XENMAPSPACE_gmfn_range)
        return -EOPNOTSUPP;
    int rc = xatp_target(v, b.domid, b.space, &d);
    if (rc)
        return rc;
    if (b.size < start || (b.size == start && start)) {
        domain_put(d);
        return -EILSEQ;
    }
    long r = batch_entries(v, args, d, &b, start);
    domain_put(d);
    return r;
}

static long remove_from_physmap(struct vcpu *v, uint64_t arg, uint64_t start)
{
    struct xen_remove_from_physmap x;
    struct domain *d;
    if (start)
        return -EINVAL;
    if (copy_obj_from_guest(v, &x, arg))
        return -EFAULT;
    int rc = target(v, x.domid, &d);
    if (rc)
        return rc;
    rc = memory_remove_from_physmap(d, x.gpfn);
    domain_put(d);
    return rc;
}

/*
 * acquire_resource: frames of another domain's resource mapped into the caller at the GFNs of
 * its frame_list (an Arm caller is translated), from frame start of the list on.  Only the
 * grant table's shared frames exist on Keel (libxenguest seeds a new guest's grants through
 * them; any other resource is -EOPNOTSUPP, which makes it fall back to add_to_physmap).  A
 * NULL list with nr_frames 0 asks how many frames there are.
 */
static long acquire_resource(struct vcpu *v, uint64_t args[5], uint64_t start)
{
    struct xen_mem_acquire_resource r;
    struct domain *d;
    if (copy_obj_from_guest(v, &r, args[1]))
        return -EFAULT;
    if (r.pad)
        return -EINVAL;
    /* Another domain's resource only (Xen's rcu_lock_remote_domain_by_id): the caller's own
     * frames are its to map with add_to_physmap, where each has one place. */
    if (r.domid == DOMID_SELF)
        return -ESRCH;
    int rc = target(v, r.domid, &d);
    if (rc)
        return rc;
    if (d == v->dom)
        rc = -EPERM;
    else if (r.type != XENMEM_resource_grant_table || r.id != XENMEM_resource_grant_table_id_shared)
        rc = -EOPNOTSUPP;
    else if (!r.frame_list && (r.nr_frames || start)) /* a size query asks with 0 */
        rc = -EINVAL;
    else if (!r.frame_list) {
        r.nr_frames = memory_grant_frames_max(d);
        if (copy_field_to_guest(v, args[1], &r, nr_frames))
            rc = -EFAULT;
    } else if (start > r.nr_frames || r.frame + r.nr_frames < r.frame) {
        rc = -EINVAL;
    }
    for (uint64_t i = start; !rc && r.frame_list && i < r.nr_frames; i++) {
        xen_pfn_t gfn;
        if (copy_from_guest_elem(v, &gfn, r.frame_list, i, sizeof(gfn)))
            rc = -EFAULT;
        else
            rc = memory_acquire_grant_frame(v->dom, d, r.frame + i, gfn);
        if (!rc && i + 1 < r.nr_frames && hypercall_preempt_check()) {
            domain_put(d);
            return continue_at(args, XENMEM_acquire_resource, i + 1);
        }
    }
    domain_put(d);
    return rc;
}

long do_memory_op(struct vcpu *v, uint64_t args[5])
{
    unsigned op = (unsigned)(args[0] & MEMOP_CMD_MASK);
    uint64_t start = args[0] >> MEMOP_EXTENT_SHIFT;
    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(v, args, op, start);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        return start ? -EINVAL : counts(v, op, args[1]);
    case XENMEM_maximum_ram_page:
        return start ? -EINVAL : max_ram_page();
    case XENMEM_add_to_physmap:
        return add_to_physmap(v, args[1], start);
    case XENMEM_add_to_physmap_batch:
        return add_to_physmap_batch(v, args, start);
    case XENMEM_remove_from_physmap:
        return remove_from_physmap(v, args[1], start);
    case XENMEM_acquire_resource:
        return acquire_resource(v, args, start);
    case XENMEM_get_sharing_freed_pages:
    case XENMEM_get_sharing_shared_pages:
        return 0; /* no page sharing on Arm */
    default:
        return -ENOSYS;
    }
}
