/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl (35), the toolstack's whole-machine calls (xen-abi-facts I.4), decoded as Xen 4.17
 * does: the whole struct xen_sysctl is copied in, a wrong interface version is -EACCES, an
 * unknown command -ENOSYS; a known one runs in core/control/ on Keel's copy and the struct
 * goes back, even when the command failed part way (Xen's rule: the caller sees what it
 * asked).  The struct is checked writable before a command runs, so readconsole's clear is
 * never lost to a result that cannot be written.  cpupool_op shows and changes Keel's pools
 * (core/control/cpupool.c); scheduler_op reads and sets a pool's policy-wide settings;
 * cputopoinfo and numainfo show one node (libxl asks for them before it places a new domain,
 * and gives up placing when there is one).  Only the control domain gets here.
 */
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/sched.h>
#include "hypercall_table.h"
#include "xenctl_bitmap.h"

struct console_sink {
    struct vcpu *v;
    uint64_t buffer;
};

static int to_buffer(void *ctx, uint32_t off, const void *buf, size_t len)
{
    struct console_sink *s = ctx;
    return copy_to_guest(s->v, s->buffer + off, buf, len);
}

static long readconsole(struct vcpu *v, struct xen_sysctl *op)
{
    struct console_sink sink = { v, op->u.readconsole.buffer };
    return ctl_readconsole(&op->u.readconsole, to_buffer, &sink);
}

/* Up to max_domains domains from first_domain up, in id order, into the guest's array. */
static long getdomaininfolist(struct vcpu *v, struct xen_sysctl *op)
{
    struct xen_sysctl_getdomaininfolist *l = &op->u.getdomaininfolist;
    struct xen_domctl_getdomaininfo info;
    uint32_t n = 0;
    struct domain *d = n < l->max_domains ? ctl_domain_get_from(l->first_domain) : NULL;
    while (d) {
        ctl_getdomaininfo(d, &info);
        unsigned id = d->id;
        domain_put(d);
        if (copy_to_guest_elem(v, l->buffer, n, &info, sizeof(info)))
            return -EFAULT;
        n++;
        d = n < l->max_domains ? ctl_domain_get_from(id + 1) : NULL;
    }
    l->num_domains = n;
    return 0;
}

/* Xen's rules for both: null handles ask for the count; otherwise up to the caller's count
 * entries are written and the count becomes how many were. */
static long cputopoinfo(struct vcpu *v, struct xen_sysctl *op)
{
    struct xen_sysctl_cputopoinfo *ti = &op->u.cputopoinfo;
    uint32_t n = ctl_nr_cpu_ids();
    if (ti->cputopo) {
        n = MIN(n, ti->num_cpus);
        for (uint32_t i = 0; i < n; i++) {
            struct xen_sysctl_cputopo t;
            ctl_cpu_topo(i, &t);
            if (copy_to_guest_elem(v, ti->cputopo, i, &t, sizeof(t)))
                return -EFAULT;
        }
    }
    ti->num_cpus = n;
    return 0;
}

static long numainfo(struct vcpu *v, struct xen_sysctl *op)
{
    struct xen_sysctl_numainfo *ni = &op->u.numainfo;
    uint32_t n = CTL_NR_NODES;
    if (ni->meminfo || ni->distance) {
        n = MIN(n, ni->num_nodes);
        for (uint32_t i = 0; i < n; i++) {
            struct xen_sysctl_meminfo m;
            ctl_node_meminfo(&m);
            if (ni->meminfo && copy_to_guest_elem(v, ni->meminfo, i, &m, sizeof(m)))
                return -EFAULT;
            for (uint32_t j = 0; ni->distance && j < n; j++) {
                uint32_t dist = CTL_NODE_DISTANCE;
                if (copy_to_guest_elem(v, ni->distance, (uint64_t)i * n + j, &dist, sizeof(dist)))
                    return -EFAULT;
            }
        }
    }
    ni->num_nodes = n;
    return 0;
}

/* The reads fill the caller's bitmap here; the changes are core/control/cpupool.c's. */
static long cpupool_op(struct vcpu *v, struct xen_sysctl *op)
{
    struct xen_sysctl_cpupool_op *c = &op->u.cpupool_op;
    uint64_t cpus = 0;
    long rc;
    switch (c->op) {
    case XEN_SYSCTL_CPUPOOL_OP_INFO:
        rc = ctl_cpupool_info(c->cpupool_id, c, &cpus);
        return rc ? rc : xenctl_bitmap_out(v, &c->cpumap, cpus);
    case XEN_SYSCTL_CPUPOOL_OP_FREEINFO:
        return xenctl_bitmap_out(v, &c->cpumap, sched_free_cpus());
    default:
        return ctl_cpupool_change(v->dom, c);
    }
}

static long sysctl(struct vcpu *v, struct xen_sysctl op, uint64_t uop)
{
    switch (op.cmd) {
    case XEN_SYSCTL_readconsole:
    case XEN_SYSCTL_physinfo:
    case XEN_SYSCTL_sched_id:
    case XEN_SYSCTL_getdomaininfolist:
    case XEN_SYSCTL_cpupool_op:
    case XEN_SYSCTL_scheduler_op:
    case XEN_SYSCTL_cputopoinfo:
    case XEN_SYSCTL_numainfo:
        break;
    default:
        return -ENOSYS;
    }
    if (guest_check_writable(v, uop, sizeof(op)))
        return -EFAULT;
    long rc = 0;
    switch (op.cmd) {
    case XEN_SYSCTL_readconsole:
        rc = readconsole(v, &op);
        break;
    case XEN_SYSCTL_physinfo:
        ctl_physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = ctl_sched_id();
        break;
    case XEN_SYSCTL_cpupool_op:
        rc = cpupool_op(v, &op);
        break;
    case XEN_SYSCTL_scheduler_op:
        rc = ctl_sched_adjust_global(&op.u.scheduler_op);
        break;
    case XEN_SYSCTL_cputopoinfo:
        rc = cputopoinfo(v, &op);
        break;
    case XEN_SYSCTL_numainfo:
        rc = numainfo(v, &op);
        break;
    default:
        rc = getdomaininfolist(v, &op);
        break;
    }
    return copy_obj_to_guest(v, uop, &op) ? -EFAULT : rc;
}

long do_sysctl(struct vcpu *v, uint64_t args[5])
{
    uint64_t uop = args[0];
    struct xen_sysctl op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!ctl_lock_try())
        return -ERESTART; /* one toolstack call at a time (see control.h) */
    long rc = sysctl(v, op, uop);
    ctl_unlock();
    return rc;
}
