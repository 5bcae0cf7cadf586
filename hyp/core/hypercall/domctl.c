/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domctl (36), the toolstack's per-domain calls (xen-abi-facts I.4), decoded as Xen 4.17 does:
 * the whole struct xen_domctl is copied in, a wrong interface version is -EACCES, the target
 * domain is looked up before the command (so a missing domain is -ESRCH even for a command
 * Keel lacks, which is -ENOSYS), then the command runs in core/control/ on Keel's copy and the
 * struct goes back when the command has results.  Reserved ids (DOMID_SELF and up) name no
 * domain here.  getdomaininfo is Xen 4.17's: the first domain whose id is at least the one
 * asked (libxenctrl's loops rely on it), -EINVAL for a reserved id.  Only the control domain
 * gets here (the dispatch table's caller class).  createdomain names no domain: op->domain is
 * the id asked for, and on success the one given.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/smp.h>
#include <hyp/string.h>
#include "hypercall_table.h"
#include "xenctl_bitmap.h"

/* When the struct goes back to the guest (Xen's copyback). */
enum copy_back { BACK_NEVER, BACK_ON_SUCCESS, BACK_ALWAYS };

struct domctl_cmd {
    uint32_t cmd;
    enum copy_back back;
    long (*fn)(struct vcpu *v, struct domain *d, struct xen_domctl *op);
};

/* --- the commands --- */

static long pausedomain(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_pause(v->dom, d);
}

static long unpausedomain(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_unpause(d);
}

static long destroydomain(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    /* -ERESTART: the HVC runs again with the same arguments until the domain is gone. */
    return ctl_destroy(v->dom, d);
}

static long max_mem(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_max_mem(d, op->u.max_mem.max_memkb);
}

static long setdomainhandle(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    ctl_set_handle(d, op->u.setdomainhandle.handle);
    return 0;
}

static long max_vcpus(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_max_vcpus(v->dom, d, op->u.max_vcpus.max);
}

static long getvcpuinfo(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_getvcpuinfo(d, &op->u.getvcpuinfo);
}

/* The per-vCPU commands walk the guest's array of nr_vcpus entries: get fills each; put
 * checks every entry (a vCPU d has, the same values as the first, since Keel keeps one set
 * per domain: -EOPNOTSUPP for differing ones) before it sets anything, from Keel's copy of
 * the first.  Xen takes any count and preempts itself; Keel bounds the work instead and
 * refuses more than 16 entries per possible vCPU (libxl sends one per vCPU). */
#define SCHED_VCPUS_MAX (16 * MAX_VCPUS_PER_DOMAIN)
static long sched_vcpus(struct vcpu *v, struct domain *d, struct xen_domctl_scheduler_op *s)
{
    struct xen_domctl_schedparam_vcpu e, first, probe = { .vcpuid = 0 };
    /* The scheduler first (credit has no per-vCPU commands even for an empty array). */
    long rc = ctl_sched_vcpu_op(d, s->sched_id, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &probe);
    if (rc)
        return rc;
    if (s->u.v.nr_vcpus > SCHED_VCPUS_MAX)
        return -EINVAL;
    for (uint32_t i = 0; i < s->u.v.nr_vcpus; i++) {
        if (copy_from_guest_elem(v, &e, s->u.v.vcpus, i, sizeof(e)))
            return -EFAULT;
        if (s->cmd == XEN_DOMCTL_SCHEDOP_getvcpuinfo) {
            if ((rc = ctl_sched_vcpu_op(d, s->sched_id, s->cmd, &e)))
                return rc;
            if (copy_to_guest_elem(v, s->u.v.vcpus, i, &e, sizeof(e)))
                return -EFAULT;
            continue;
        }
        probe = e; /* a get on a copy checks the id and the scheduler */
        if ((rc = ctl_sched_vcpu_op(d, s->sched_id, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &probe)))
            return rc;
        if (!i)
            first = e;
        else if (memcmp(&e.u, &first.u, sizeof(e.u)))
            return -EOPNOTSUPP;
    }
    if (s->cmd == XEN_DOMCTL_SCHEDOP_putvcpuinfo && s->u.v.nr_vcpus)
        return ctl_sched_vcpu_op(d, s->sched_id, s->cmd, &first);
    return 0;
}

static long scheduler_op(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_scheduler_op *s = &op->u.scheduler_op;
    if (s->cmd == XEN_DOMCTL_SCHEDOP_getvcpuinfo || s->cmd == XEN_DOMCTL_SCHEDOP_putvcpuinfo)
        return sched_vcpus(v, d, s);
    return ctl_scheduler_op(d, s);
}

/* Keel has no soft affinity: it reads as every pCPU, and setting one only reports what Xen
 * would use (soft within hard within the online pCPUs). */
static long getvcpuaffinity(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    uint64_t hard;
    long rc = ctl_vcpu_affinity(d, a->vcpu, &hard);
    if (!rc && !(a->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)))
        rc = -EINVAL;
    if (!rc && (a->flags & XEN_VCPUAFFINITY_HARD))
        rc = xenctl_bitmap_out(v, &a->cpumap_hard, hard);
    if (!rc && (a->flags & XEN_VCPUAFFINITY_SOFT))
        rc = xenctl_bitmap_out(v, &a->cpumap_soft, ~0UL);
    return rc;
}

static long setvcpuaffinity(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    uint64_t hard, mask;
    long rc = ctl_vcpu_affinity(d, a->vcpu, &hard);
    if (rc)
        return rc;
    if (!(a->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)))
        return -EINVAL;
    hard &= cpus_online_mask();
    if (a->flags & XEN_VCPUAFFINITY_HARD) {
        if ((rc = xenctl_bitmap_in(v, &a->cpumap_hard, &mask)) ||
            (rc = ctl_set_vcpu_affinity(d, a->vcpu, mask, &hard)) ||
            (rc = xenctl_bitmap_out(v, &a->cpumap_hard, hard)))
            return rc;
    }
    if (a->flags & XEN_VCPUAFFINITY_SOFT) {
        if ((rc = xenctl_bitmap_in(v, &a->cpumap_soft, &mask)))
            return rc;
        rc = xenctl_bitmap_out(v, &a->cpumap_soft, mask & hard);
    }
    return rc;
}

static long cacheflush(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_cacheflush(d, op->u.cacheflush.start_pfn, op->u.cacheflush.nr_pfns);
}

static long get_paging_mempool_size(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_paging_mempool_size(d, &op->u.paging_mempool.size);
}

static long set_paging_mempool_size(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return ctl_set_paging_mempool_size(d, op->u.paging_mempool.size);
}

static long getvcpucontext(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct vcpu_guest_context c;
    long rc = ctl_getvcpucontext(v->dom, d, op->u.vcpucontext.vcpu, &c);
    if (!rc && copy_obj_to_guest(v, op->u.vcpucontext.ctxt, &c))
        rc = -EFAULT;
    return rc;
}

static long setvcpucontext(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    struct vcpu_guest_context c;
    uint64_t p = op->u.vcpucontext.ctxt;
    if (p && copy_obj_from_guest(v, &c, p))
        return -EFAULT;
    return ctl_setvcpucontext(v->dom, d, op->u.vcpucontext.vcpu, p ? &c : NULL);
}

/* Keel runs AArch64 guests only: 64 is what every domain is, 32 (AArch32) is refused as Xen
 * refuses it on a CPU without AArch32 at EL1, anything else is -EINVAL too. */
static long set_address_size(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return op->u.address_size.size == 64 ? 0 : -EINVAL;
}

static long get_address_size(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    op->u.address_size.size = 64;
    return 0;
}

/* One NUMA node (ctl_node_meminfo): an affinity must include node 0 (Xen: -EINVAL for one
 * with no online node) and is then every node there is, which is what reads back. */
static long setnodeaffinity(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    uint64_t nodes;
    long rc = xenctl_bitmap_in(v, &op->u.nodeaffinity.nodemap, &nodes);
    if (rc)
        return rc;
    return nodes & 1 ? 0 : -EINVAL;
}

static long getnodeaffinity(struct vcpu *v, struct domain *d, struct xen_domctl *op)
{
    return xenctl_bitmap_out(v, &op->u.nodeaffinity.nodemap, 1);
}

static const struct domctl_cmd cmds[] = {
    { XEN_DOMCTL_destroydomain, BACK_NEVER, destroydomain },
    { XEN_DOMCTL_pausedomain, BACK_NEVER, pausedomain },
    { XEN_DOMCTL_unpausedomain, BACK_NEVER, unpausedomain },
    { XEN_DOMCTL_setvcpuaffinity, BACK_NEVER, setvcpuaffinity },
    { XEN_DOMCTL_max_mem, BACK_NEVER, max_mem },
    { XEN_DOMCTL_getvcpuinfo, BACK_ON_SUCCESS, getvcpuinfo },
    { XEN_DOMCTL_max_vcpus, BACK_NEVER, max_vcpus },
    { XEN_DOMCTL_scheduler_op, BACK_ALWAYS, scheduler_op },
    { XEN_DOMCTL_setdomainhandle, BACK_NEVER, setdomainhandle },
    { XEN_DOMCTL_getvcpuaffinity, BACK_NEVER, getvcpuaffinity },
    { XEN_DOMCTL_cacheflush, BACK_NEVER, cacheflush },
    { XEN_DOMCTL_setvcpucontext, BACK_NEVER, setvcpucontext },
    { XEN_DOMCTL_getvcpucontext, BACK_ON_SUCCESS, getvcpucontext },
    { XEN_DOMCTL_get_paging_mempool_size, BACK_ON_SUCCESS, get_paging_mempool_size },
    { XEN_DOMCTL_set_paging_mempool_size, BACK_NEVER, set_paging_mempool_size },
    { XEN_DOMCTL_set_address_size, BACK_NEVER, set_address_size },
    { XEN_DOMCTL_get_address_size, BACK_ON_SUCCESS, get_address_size },
    { XEN_DOMCTL_setnodeaffinity, BACK_NEVER, setnodeaffinity },
    { XEN_DOMCTL_getnodeaffinity, BACK_NEVER, getnodeaffinity },
};

/* The first domain from op->domain up; the struct goes back on success. */
static long getdomaininfo(struct vcpu *v, struct xen_domctl *op, uint64_t uop)
{
    if (op->domain >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (guest_check_writable(v, uop, sizeof(*op)))
        return -EFAULT;
    struct domain *d = ctl_domain_get_from(op->domain);
    if (!d)
        return -ESRCH;
    ctl_getdomaininfo(d, &op->u.getdomaininfo);
    domain_put(d);
    op->domain = op->u.getdomaininfo.domain;
    return copy_obj_to_guest(v, uop, op) ? -EFAULT : 0;
}

/* No domain is looked up; the whole struct goes back on success (the new id in op->domain,
 * the GIC version chosen in the configuration). */
static long createdomain(struct vcpu *v, struct xen_domctl *op, uint64_t uop)
{
    if (guest_check_writable(v, uop, sizeof(*op)))
        return -EFAULT;
    domid_t id;
    const char *why;
    long rc = ctl_createdomain(op->domain, &op->u.createdomain, &id, &why);
    if (rc) {
        if (*why)
            guest_warn(v->dom, "domain %s: createdomain refused (error %ld): %s\n", v->dom->name,
                       -rc, why);
        return rc;
    }
    op->domain = id;
    if (copy_obj_to_guest(v, uop, op)) {
        /* Xen leaves the domain behind then; Keel takes it back, nobody can know its id. */
        struct domain *d = ctl_domain_get(id);
        if (d) {
            while (ctl_destroy(v->dom, d) == -ERESTART)
                ;
            domain_put(d);
        }
        return -EFAULT;
    }
    return 0;
}

static long domctl(struct vcpu *v, struct xen_domctl op, uint64_t uop)
{
    if (op.cmd == XEN_DOMCTL_getdomaininfo)
        return getdomaininfo(v, &op, uop);
    if (op.cmd == XEN_DOMCTL_createdomain)
        return createdomain(v, &op, uop);
    struct domain *d = op.domain < DOMID_FIRST_RESERVED ? ctl_domain_get(op.domain) : NULL;
    if (!d)
        return -ESRCH;
    const struct domctl_cmd *c = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(cmds) && !c; i++)
        if (cmds[i].cmd == op.cmd)
            c = &cmds[i];
    long rc = -ENOSYS;
    if (c && c->back != BACK_NEVER && guest_check_writable(v, uop, sizeof(op)))
        rc = -EFAULT; /* refused before anything changes */
    else if (c)
        rc = c->fn(v, d, &op);
    domain_put(d);
    bool back = c && (c->back == BACK_ALWAYS || (c->back == BACK_ON_SUCCESS && !rc));
    if (back && rc != -EFAULT && copy_obj_to_guest(v, uop, &op))
        rc = -EFAULT;
    return rc;
}

long do_domctl(struct vcpu *v, uint64_t args[5])
{
    uint64_t uop = args[0];
    struct xen_domctl op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!ctl_lock_try())
        return -ERESTART; /* one toolstack call at a time (see control.h) */
    long rc = domctl(v, op, uop);
    ctl_unlock();
    return rc;
}
