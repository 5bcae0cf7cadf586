/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the toolstack's calls (core/hypercall/domctl.c and sysctl.c): the interface
 * version, the order of Xen's checks (struct, version, domain, command), reserved ids,
 * getdomaininfo's "first domain from this id", which commands copy the struct back and when,
 * results that cannot be written refused before anything changes, the xenctl_bitmap format,
 * getdomaininfolist's walk and readconsole's buffer.  Guest memory is host memory
 * (guest_mem_stub.c); core/control/ is replaced by stand-ins that record what they were asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/percpu.h>

#include "../../hyp/core/hypercall/hypercall_table.h"
#include "guest_mem_stub.h"
#include "log_stub.h"

unsigned nr_cpus = 4;

uint64_t cpus_online_mask(void)
{
    return 0xf;
}

/* --- stand-in domains: ids 0 (the caller), 1, 2 and 5 exist; references are counted --- */

static struct domain doms[8];
static int refs;
static struct domain self = { .id = 0 };
static struct vcpu vc = { .dom = &self };

static bool exists(unsigned id)
{
    return id == 0 || id == 1 || id == 2 || id == 5;
}

/* The one-call-at-a-time lock: busy when another pCPU's toolstack call holds it. */
static bool ctl_busy, ctl_held;

bool ctl_lock_try(void)
{
    if (ctl_busy || ctl_held)
        return false;
    ctl_held = true;
    return true;
}

void ctl_unlock(void)
{
    assert_true(ctl_held);
    ctl_held = false;
}

struct domain *ctl_domain_get(unsigned id)
{
    if (id == 0) {
        refs++;
        return &self;
    }
    if (id >= 8 || !exists(id))
        return NULL;
    refs++;
    doms[id].id = id;
    return &doms[id];
}

struct domain *ctl_domain_get_from(unsigned first)
{
    for (unsigned id = first; id < 8; id++)
        if (exists(id))
            return ctl_domain_get(id);
    return NULL;
}

void domain_put(struct domain *d)
{
    refs--;
}

/* --- stand-in control operations --- */

static struct domain *last_target, *last_caller;
static unsigned last_cmd;
static long next_rc;
static uint64_t last_mask;

void ctl_getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    memset(info, 0, sizeof(*info));
    info->domain = (domid_t)d->id;
    info->tot_pages = 100 * d->id;
}

long ctl_pause(struct domain *caller, struct domain *d)
{
    last_cmd = XEN_DOMCTL_pausedomain;
    last_caller = caller;
    last_target = d;
    return next_rc;
}

long ctl_unpause(struct domain *d)
{
    last_cmd = XEN_DOMCTL_unpausedomain;
    last_target = d;
    return next_rc;
}

long ctl_destroy(struct domain *caller, struct domain *d)
{
    last_cmd = XEN_DOMCTL_destroydomain;
    last_target = d;
    return next_rc;
}

/* createdomain: ids 1, 2 and 5 are taken; "any" gives 7; gic NATIVE becomes V3; no vCPU is
 * refused with a reason, which domctl prints (kept in stub_last_log). */
static domid_t last_want;

long ctl_createdomain(domid_t want, struct xen_domctl_createdomain *c, domid_t *id,
                      const char **why)
{
    *why = "";
    last_cmd = XEN_DOMCTL_createdomain;
    last_want = want;
    if (c->max_vcpus == 0) {
        *why = "no vCPU";
        return -EINVAL;
    }
    if (want && want < DOMID_FIRST_RESERVED && exists(want))
        return -EEXIST;
    c->arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V3;
    *id = want && want < DOMID_FIRST_RESERVED ? want : 7;
    return 0;
}

static uint64_t last_start, last_nr;

long ctl_cacheflush(struct domain *d, uint64_t start_pfn, uint64_t nr_pfns)
{
    last_cmd = XEN_DOMCTL_cacheflush;
    last_target = d;
    last_start = start_pfn;
    last_nr = nr_pfns;
    return next_rc;
}

long ctl_paging_mempool_size(struct domain *d, uint64_t *bytes)
{
    last_cmd = XEN_DOMCTL_get_paging_mempool_size;
    *bytes = 0x10000 * d->id;
    return next_rc;
}

long ctl_set_paging_mempool_size(struct domain *d, uint64_t bytes)
{
    last_cmd = XEN_DOMCTL_set_paging_mempool_size;
    last_nr = bytes;
    return next_rc;
}

static struct vcpu_guest_context last_ctx;
static bool last_ctx_null;

long ctl_getvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        struct vcpu_guest_context *c)
{
    last_cmd = XEN_DOMCTL_getvcpucontext;
    if (vcpu >= 2)
        return -EINVAL;
    memset(c, 0, sizeof(*c));
    c->flags = VGCF_online;
    c->user_regs.pc64 = 0x40000000 + vcpu;
    return 0;
}

long ctl_setvcpucontext(struct domain *caller, struct domain *d, uint32_t vcpu,
                        const struct vcpu_guest_context *c)
{
    last_cmd = XEN_DOMCTL_setvcpucontext;
    last_ctx_null = !c;
    if (c)
        last_ctx = *c;
    return vcpu >= 2 ? -EINVAL : 0;
}

long ctl_max_mem(struct domain *d, uint64_t max_kib)
{
    last_cmd = XEN_DOMCTL_max_mem;
    last_mask = max_kib;
    return 0;
}

void ctl_set_handle(struct domain *d, const uint8_t handle[16])
{
    last_cmd = XEN_DOMCTL_setdomainhandle;
    memcpy(d->handle, handle, 16);
}

long ctl_max_vcpus(struct domain *caller, struct domain *d, uint32_t max)
{
    last_cmd = XEN_DOMCTL_max_vcpus;
    return max == 2 ? 0 : -EINVAL;
}

long ctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *op)
{
    if (op->vcpu >= 2)
        return -EINVAL;
    op->online = 1;
    op->cpu = 3;
    op->cpu_time = 12345;
    return 0;
}

static uint64_t affinity = ~0UL;

long ctl_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t *mask)
{
    if (vcpu >= 2)
        return -EINVAL;
    *mask = affinity;
    return 0;
}

long ctl_set_vcpu_affinity(struct domain *d, uint32_t vcpu, uint64_t mask, uint64_t *effective)
{
    if (vcpu >= 2)
        return -EINVAL;
    last_mask = mask;
    if (!(mask & 0xf))
        return -EINVAL;
    affinity = mask;
    *effective = mask & 0xf;
    return 0;
}

long ctl_scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    op->u.credit.weight = 512; /* visible in the copy back even on failure */
    return op->sched_id == XEN_SCHEDULER_CREDIT ? 0 : -EINVAL;
}

void ctl_physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->nr_cpus = 4;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_hvm;
}

/* Three CPU ids, CPU 1 offline; node 0 has 1 GiB, 256 MiB of it free. */
unsigned ctl_nr_cpu_ids(void)
{
    return 3;
}

void ctl_node_meminfo(struct xen_sysctl_meminfo *m)
{
    *m = (struct xen_sysctl_meminfo){ 1ULL << 30, 1ULL << 28 };
}

void ctl_cpu_topo(unsigned cpu, struct xen_sysctl_cputopo *t)
{
    uint32_t v = cpu == 1 ? ~0U : 0;
    *t = (struct xen_sysctl_cputopo){ v, v, v };
}

/* Per vCPU: vCPUs 0 and 1; get gives period 100 + the id; a put is counted. */
static int vcpu_puts;
static struct xen_domctl_schedparam_vcpu last_put;

long ctl_sched_vcpu_op(struct domain *d, uint32_t sched_id, uint32_t cmd,
                       struct xen_domctl_schedparam_vcpu *e)
{
    if (e->vcpuid > 1)
        return -EINVAL;
    if (cmd == XEN_DOMCTL_SCHEDOP_getvcpuinfo) {
        e->u.rtds.period = 100 + e->vcpuid;
        return 0;
    }
    vcpu_puts++;
    last_put = *e;
    return 0;
}

/* Pools 0 (pCPUs 0-1) and 3 (pCPUs 2-3). */
long ctl_cpupool_info(uint32_t from, struct xen_sysctl_cpupool_op *op, uint64_t *cpus)
{
    if (from > 3)
        return -ENOENT;
    op->cpupool_id = from ? 3 : 0;
    op->sched_id = from ? XEN_SCHEDULER_RTDS : XEN_SCHEDULER_CREDIT;
    op->n_dom = 2;
    *cpus = from ? 0xc : 0x3;
    return 0;
}

/* Free pCPU 2; a change answers with its op and echoes the id + 10 back. */
static struct domain *pool_caller;
uint64_t sched_free_cpus(void)
{
    return 0x4;
}

long ctl_cpupool_change(struct domain *caller, struct xen_sysctl_cpupool_op *op)
{
    pool_caller = caller;
    op->cpupool_id += 10;
    return op->op >= 1 && op->op <= 6 ? -(long)op->op : -ENOSYS;
}

long ctl_sched_adjust_global(struct xen_sysctl_scheduler_op *op)
{
    op->u.sched_credit.tslice_ms = 30;
    return op->cpupool_id ? -ESRCH : 0;
}

uint32_t ctl_sched_id(void)
{
    return XEN_SCHEDULER_CREDIT2;
}

/* Hands out "0123456789..." in pieces of 3 bytes, so offsets matter. */
long ctl_readconsole(struct xen_sysctl_readconsole *op, ctl_sink_fn sink, void *ctx)
{
    static const char text[] = "0123456789";
    uint32_t done = 0;
    while (done < op->count && done < 10) {
        size_t n = op->count - done < 3 ? op->count - done : 3;
        if (n > 10 - done)
            n = 10 - done;
        if (sink(ctx, done, text + done, n))
            return -EFAULT;
        done += (uint32_t)n;
    }
    op->count = done;
    op->index = 77;
    return 0;
}

/* --- helpers --- */

static struct xen_domctl dc(uint32_t cmd, domid_t dom)
{
    return (struct xen_domctl){ .cmd = cmd,
                                .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                .domain = dom };
}

static long domctl(struct xen_domctl *op)
{
    uint64_t a[5] = { (uintptr_t)op };
    return do_domctl(&vc, a);
}

static long sysctl(struct xen_sysctl *op)
{
    uint64_t a[5] = { (uintptr_t)op };
    return do_sysctl(&vc, a);
}

static int setup(void **state)
{
    refs = 0;
    next_rc = 0;
    last_cmd = 0;
    last_target = last_caller = NULL;
    affinity = ~0UL;
    memset(&stub_mem, 0, sizeof(stub_mem));
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(refs, 0); /* every reference taken was put */
    return 0;
}

/* --- domctl --- */

static void checks_in_xen_order(void **state)
{
    uint64_t a[5] = { (uintptr_t)stub_mem.hole };
    assert_int_equal(do_domctl(&vc, a), -EFAULT);
    struct xen_domctl op = dc(XEN_DOMCTL_pausedomain, 1);
    op.interface_version = 0x14; /* Xen 4.16's toolstack */
    assert_int_equal(domctl(&op), -EACCES);
    op = dc(XEN_DOMCTL_pausedomain, 3);
    assert_int_equal(domctl(&op), -ESRCH);
    op = dc(XEN_DOMCTL_pausedomain, DOMID_SELF); /* no reserved id names a target */
    assert_int_equal(domctl(&op), -ESRCH);
    op = dc(0xdead, 4);
    assert_int_equal(domctl(&op), -ESRCH); /* the domain is looked up first */
    op = dc(0xdead, 1);
    assert_int_equal(domctl(&op), -ENOSYS);
    assert_int_equal(last_cmd, 0);
    /* Another toolstack call under way: this one is made again later, nothing done now. */
    ctl_busy = true;
    op = dc(XEN_DOMCTL_pausedomain, 1);
    assert_int_equal(domctl(&op), -ERESTART);
    struct xen_sysctl so = { .cmd = XEN_SYSCTL_physinfo,
                             .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    assert_int_equal(do_sysctl(&vc, (uint64_t[5]){ (uintptr_t)&so }), -ERESTART);
    ctl_busy = false;
    assert_int_equal(last_cmd, 0);
    assert_false(ctl_held); /* every call let go of the lock */
    assert_int_equal(domctl(&op), 0);
    assert_false(ctl_held);
}

static void memory_commands(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_cacheflush, 2);
    op.u.cacheflush.start_pfn = 0x40000;
    op.u.cacheflush.nr_pfns = 16;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_cmd, XEN_DOMCTL_cacheflush);
    assert_ptr_equal(last_target, &doms[2]);
    assert_int_equal(last_start, 0x40000);
    assert_int_equal(last_nr, 16);
    op = dc(XEN_DOMCTL_get_paging_mempool_size, 2);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.u.paging_mempool.size, 0x20000);
    op = dc(XEN_DOMCTL_set_paging_mempool_size, 2);
    op.u.paging_mempool.size = 0x300000;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_cmd, XEN_DOMCTL_set_paging_mempool_size);
    assert_int_equal(last_nr, 0x300000);
    /* get's result must be writable; set's need not be. */
    struct xen_domctl *ro = (struct xen_domctl *)stub_mem.ro;
    *ro = dc(XEN_DOMCTL_get_paging_mempool_size, 2);
    last_cmd = 0;
    assert_int_equal(domctl(ro), -EFAULT);
    assert_int_equal(last_cmd, 0);
    *ro = dc(XEN_DOMCTL_set_paging_mempool_size, 2);
    assert_int_equal(domctl(ro), 0);
    assert_int_equal(refs, 0);
}

static struct vcpu_guest_context ctx_buf;

static void vcpu_context(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_getvcpucontext, 2);
    op.u.vcpucontext.vcpu = 1;
    op.u.vcpucontext.ctxt = (uintptr_t)&ctx_buf;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(ctx_buf.flags, VGCF_online);
    assert_int_equal(ctx_buf.user_regs.pc64, 0x40000001);
    op.u.vcpucontext.vcpu = 2;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.vcpucontext.vcpu = 0;
    op.u.vcpucontext.ctxt = (uintptr_t)stub_mem.ro;
    assert_int_equal(domctl(&op), -EFAULT);
    op = dc(XEN_DOMCTL_setvcpucontext, 2);
    ctx_buf.user_regs.x[0] = 0x48000000;
    op.u.vcpucontext.ctxt = (uintptr_t)&ctx_buf;
    assert_int_equal(domctl(&op), 0);
    assert_false(last_ctx_null);
    assert_int_equal(last_ctx.user_regs.x[0], 0x48000000);
    op.u.vcpucontext.ctxt = 0;
    assert_int_equal(domctl(&op), 0);
    assert_true(last_ctx_null);
    op.u.vcpucontext.ctxt = (uintptr_t)stub_mem.hole;
    last_cmd = 0;
    assert_int_equal(domctl(&op), -EFAULT);
    assert_int_equal(last_cmd, 0);
    assert_int_equal(refs, 0);
}

/* createdomain names no target: the id asked for goes to the control op, and the new id and
 * the configuration come back. */
static void createdomain_decode(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_createdomain, 0);
    op.u.createdomain.max_vcpus = 1;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_cmd, XEN_DOMCTL_createdomain);
    assert_int_equal(last_want, 0);
    assert_int_equal(op.domain, 7);
    assert_int_equal(op.u.createdomain.arch.gic_version, XEN_DOMCTL_CONFIG_GIC_V3);
    op = dc(XEN_DOMCTL_createdomain, 3); /* no domain 3: not looked up */
    op.u.createdomain.max_vcpus = 1;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.domain, 3);
    op = dc(XEN_DOMCTL_createdomain, DOMID_INVALID);
    op.u.createdomain.max_vcpus = 1;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_want, DOMID_INVALID);
    assert_int_equal(op.domain, 7);
    /* Errors: nothing comes back. */
    op = dc(XEN_DOMCTL_createdomain, 1);
    op.u.createdomain.max_vcpus = 1;
    assert_int_equal(domctl(&op), -EEXIST);
    op = dc(XEN_DOMCTL_createdomain, 4);
    stub_last_log[0] = 0;
    assert_int_equal(domctl(&op), -EINVAL);
    assert_non_null(strstr(stub_last_log, "createdomain refused (error 22): no vCPU"));
    /* A struct that cannot be written back: refused before anything is made. */
    struct xen_domctl *ro = (struct xen_domctl *)stub_mem.ro;
    *ro = dc(XEN_DOMCTL_createdomain, 0);
    last_cmd = 0;
    assert_int_equal(domctl(ro), -EFAULT);
    assert_int_equal(last_cmd, 0);
}

static void getdomaininfo_next_domain(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_getdomaininfo, 3);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.domain, 5); /* the first from 3 up */
    assert_int_equal(op.u.getdomaininfo.domain, 5);
    assert_int_equal(op.u.getdomaininfo.tot_pages, 500);
    op = dc(XEN_DOMCTL_getdomaininfo, 1);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.domain, 1);
    op = dc(XEN_DOMCTL_getdomaininfo, 6);
    assert_int_equal(domctl(&op), -ESRCH);
    op = dc(XEN_DOMCTL_getdomaininfo, DOMID_SELF);
    assert_int_equal(domctl(&op), -EINVAL);
    /* A result that cannot be written back: refused. */
    struct xen_domctl *ro = (struct xen_domctl *)stub_mem.ro;
    *ro = dc(XEN_DOMCTL_getdomaininfo, 1);
    assert_int_equal(domctl(ro), -EFAULT);
}

static void lifecycle_commands(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_pausedomain, 2);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_cmd, XEN_DOMCTL_pausedomain);
    assert_ptr_equal(last_target, &doms[2]);
    assert_ptr_equal(last_caller, &self);
    next_rc = -EOVERFLOW;
    assert_int_equal(domctl(&op), -EOVERFLOW);
    next_rc = -ERESTART; /* a destroy still waiting: the HVC runs again */
    op = dc(XEN_DOMCTL_destroydomain, 2);
    assert_int_equal(domctl(&op), -ERESTART);
    next_rc = 0;
    op = dc(XEN_DOMCTL_unpausedomain, 5);
    assert_int_equal(domctl(&op), 0);
    assert_ptr_equal(last_target, &doms[5]);
    op = dc(XEN_DOMCTL_max_mem, 1);
    op.u.max_mem.max_memkb = 65536;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_mask, 65536);
    op = dc(XEN_DOMCTL_setdomainhandle, 1);
    memset(op.u.setdomainhandle.handle, 0xab, 16);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(doms[1].handle[15], 0xab);
    op = dc(XEN_DOMCTL_max_vcpus, 1);
    op.u.max_vcpus.max = 3;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.max_vcpus.max = 2;
    assert_int_equal(domctl(&op), 0);
    /* Commands without results work on a read-only struct. */
    struct xen_domctl *ro = (struct xen_domctl *)stub_mem.ro;
    *ro = dc(XEN_DOMCTL_pausedomain, 1);
    assert_int_equal(domctl(ro), 0);
}

static void copy_back_rules(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_getvcpuinfo, 1);
    op.u.getvcpuinfo.vcpu = 1;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.u.getvcpuinfo.cpu, 3);
    assert_int_equal(op.u.getvcpuinfo.cpu_time, 12345);
    op = dc(XEN_DOMCTL_getvcpuinfo, 1);
    op.u.getvcpuinfo.vcpu = 9;
    op.u.getvcpuinfo.cpu = 77;
    assert_int_equal(domctl(&op), -EINVAL);
    assert_int_equal(op.u.getvcpuinfo.cpu, 77); /* not copied back on failure */
    /* scheduler_op goes back whatever happened (Xen's copyback). */
    op = dc(XEN_DOMCTL_scheduler_op, 1);
    op.u.scheduler_op.sched_id = XEN_SCHEDULER_RTDS;
    assert_int_equal(domctl(&op), -EINVAL);
    assert_int_equal(op.u.scheduler_op.u.credit.weight, 512);
    struct xen_domctl *ro = (struct xen_domctl *)stub_mem.ro;
    *ro = dc(XEN_DOMCTL_scheduler_op, 1);
    ro->u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    assert_int_equal(domctl(ro), -EFAULT);
    assert_int_equal(ro->u.scheduler_op.u.credit.weight, 0); /* refused before it ran */
}

/* Every domain is AArch64: 64 is accepted and reads back, 32 and others are -EINVAL.  One NUMA
 * node: an affinity without node 0 is -EINVAL, and node 0 alone reads back. */
static void address_size_and_nodes(void **state)
{
    struct xen_domctl op = dc(XEN_DOMCTL_set_address_size, 1);
    op.u.address_size.size = 64;
    assert_int_equal(domctl(&op), 0);
    op.u.address_size.size = 32;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.address_size.size = 0;
    assert_int_equal(domctl(&op), -EINVAL);
    op = dc(XEN_DOMCTL_get_address_size, 1);
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(op.u.address_size.size, 64);
    op = dc(XEN_DOMCTL_get_address_size, 4);
    assert_int_equal(domctl(&op), -ESRCH);

    uint8_t nodes[2] = { 0xff, 0xff };
    op = dc(XEN_DOMCTL_setnodeaffinity, 1);
    op.u.nodeaffinity.nodemap = (struct xenctl_bitmap){ .bitmap = (uintptr_t)nodes, .nr_bits = 16 };
    assert_int_equal(domctl(&op), 0);
    nodes[0] = 0xfe;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.nodeaffinity.nodemap.bitmap = (uintptr_t)stub_mem.hole;
    assert_int_equal(domctl(&op), -EFAULT);
    op = dc(XEN_DOMCTL_getnodeaffinity, 1);
    op.u.nodeaffinity.nodemap = (struct xenctl_bitmap){ .bitmap = (uintptr_t)nodes, .nr_bits = 16 };
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(nodes[0], 1);
    assert_int_equal(nodes[1], 0);
}

/* The per-vCPU scheduler commands walk the array: get fills each entry; put checks them all
 * and sets once, refusing entries that differ; too long an array and bad memory are refused. */
static void sched_per_vcpu(void **state)
{
    struct xen_domctl_schedparam_vcpu e[3] = { { .vcpuid = 1 }, { .vcpuid = 0 } };
    struct xen_domctl op = dc(XEN_DOMCTL_scheduler_op, 1);
    op.u.scheduler_op.sched_id = XEN_SCHEDULER_RTDS;
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getvcpuinfo;
    op.u.scheduler_op.u.v.vcpus = (uintptr_t)e;
    op.u.scheduler_op.u.v.nr_vcpus = 2;
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(e[0].u.rtds.period, 101);
    assert_int_equal(e[1].u.rtds.period, 100);
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putvcpuinfo;
    vcpu_puts = 0;
    e[0].u.rtds = e[1].u.rtds = (struct xen_domctl_sched_rtds){ 20000, 5000, 1 };
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(vcpu_puts, 1);
    assert_int_equal(last_put.u.rtds.budget, 5000);
    e[1].u.rtds.budget = 4000;
    assert_int_equal(domctl(&op), -EOPNOTSUPP);
    e[1].u.rtds.budget = 5000;
    e[1].vcpuid = 7;
    assert_int_equal(domctl(&op), -EINVAL);
    assert_int_equal(vcpu_puts, 1); /* nothing set when an entry is refused */
    op.u.scheduler_op.u.v.nr_vcpus = 100000;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.scheduler_op.u.v.vcpus = (uintptr_t)stub_mem.hole;
    op.u.scheduler_op.u.v.nr_vcpus = 1;
    assert_int_equal(domctl(&op), -EFAULT);
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getvcpuinfo;
    op.u.scheduler_op.u.v.vcpus = (uintptr_t)stub_mem.ro;
    assert_int_equal(domctl(&op), -EFAULT);
}

static void affinity_bitmaps(void **state)
{
    uint8_t hard[4] = { 0xff, 0xff, 0xff, 0xff }, soft[2] = { 0xff, 0xff };
    struct xen_domctl op = dc(XEN_DOMCTL_getvcpuaffinity, 1);
    op.u.vcpuaffinity = (struct xen_domctl_vcpuaffinity){
        .vcpu = 0,
        .flags = XEN_VCPUAFFINITY_HARD,
        .cpumap_hard = { .bitmap = (uintptr_t)hard, .nr_bits = 32 },
    };
    affinity = BIT(1) | BIT(3) | BIT(9); /* pCPU 9 is past the machine's 4 */
    assert_int_equal(domctl(&op), 0);
    uint8_t want[4] = { 0x0a, 0, 0, 0 }; /* the rest of the guest's bitmap zeroed */
    assert_memory_equal(hard, want, 4);
    op.u.vcpuaffinity.flags = 0;
    assert_int_equal(domctl(&op), -EINVAL);
    op.u.vcpuaffinity.vcpu = 2;
    op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    assert_int_equal(domctl(&op), -EINVAL);

    /* Set: 3 bits given, so bit 3 of the byte is not the guest's; soft is within hard. */
    hard[0] = 0x0c;
    soft[0] = 0x06;
    op = dc(XEN_DOMCTL_setvcpuaffinity, 1);
    op.u.vcpuaffinity = (struct xen_domctl_vcpuaffinity){
        .vcpu = 1,
        .flags = XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT,
        .cpumap_hard = { .bitmap = (uintptr_t)hard, .nr_bits = 3 },
        .cpumap_soft = { .bitmap = (uintptr_t)soft, .nr_bits = 16 },
    };
    assert_int_equal(domctl(&op), 0);
    assert_int_equal(last_mask, 0x04);
    assert_int_equal(hard[0], 0x04); /* the hard affinity in effect */
    assert_int_equal(soft[0], 0x04);
    assert_int_equal(soft[1], 0);
    /* No pCPU left: refused with the bitmap untouched. */
    hard[0] = 0x00;
    assert_int_equal(domctl(&op), -EINVAL);
    /* A bitmap that cannot be read. */
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uintptr_t)stub_mem.hole;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
    assert_int_equal(domctl(&op), -EFAULT);
}

/* --- sysctl --- */

static struct xen_sysctl sc(uint32_t cmd)
{
    return (struct xen_sysctl){ .cmd = cmd, .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
}

static void sysctl_basics(void **state)
{
    uint64_t a[5] = { (uintptr_t)stub_mem.hole };
    assert_int_equal(do_sysctl(&vc, a), -EFAULT);
    struct xen_sysctl op = sc(XEN_SYSCTL_physinfo);
    op.interface_version = 0x14;
    assert_int_equal(sysctl(&op), -EACCES);
    op = sc(XEN_SYSCTL_physinfo);
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.physinfo.nr_cpus, 4);
    op = sc(XEN_SYSCTL_sched_id);
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT2);
    op = sc(XEN_SYSCTL_cpupool_op);
    assert_int_equal(sysctl(&op), -ENOSYS);
    struct xen_sysctl *ro = (struct xen_sysctl *)stub_mem.ro;
    *ro = sc(XEN_SYSCTL_physinfo);
    assert_int_equal(sysctl(ro), -EFAULT);
}

/* Null handles ask for the count; an array gets at most its length, and the count becomes what
 * was written; an array running into unwritable memory is -EFAULT. */
static void topology(void **state)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_cputopoinfo);
    op.u.cputopoinfo.num_cpus = 77;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.cputopoinfo.num_cpus, 3);
    struct xen_sysctl_cputopo topo[4];
    memset(topo, 0x55, sizeof(topo));
    op.u.cputopoinfo.cputopo = (uintptr_t)topo;
    op.u.cputopoinfo.num_cpus = 2;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.cputopoinfo.num_cpus, 2);
    assert_int_equal(topo[0].node, 0);
    assert_int_equal(topo[1].node, ~0U);
    assert_int_equal(topo[2].node, 0x55555555); /* beyond the caller's count */
    op.u.cputopoinfo.num_cpus = 4;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.cputopoinfo.num_cpus, 3);
    op.u.cputopoinfo.cputopo = (uintptr_t)stub_mem.ro;
    assert_int_equal(sysctl(&op), -EFAULT);

    op = sc(XEN_SYSCTL_numainfo);
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.numainfo.num_nodes, 1);
    struct xen_sysctl_meminfo mi[2] = { 0 };
    uint32_t dist[4] = { 0 };
    op.u.numainfo.num_nodes = 2;
    op.u.numainfo.meminfo = (uintptr_t)mi;
    op.u.numainfo.distance = (uintptr_t)dist;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.numainfo.num_nodes, 1);
    assert_int_equal(mi[0].memsize, 1ULL << 30);
    assert_int_equal(mi[0].memfree, 1ULL << 28);
    assert_int_equal(dist[0], 20);
    assert_int_equal(dist[1], 0);
    op.u.numainfo.num_nodes = 0; /* no room: nothing written */
    mi[0].memsize = 0;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.numainfo.num_nodes, 0);
    assert_int_equal(mi[0].memsize, 0);
    op.u.numainfo.num_nodes = 1;
    op.u.numainfo.meminfo = 0; /* distances only */
    assert_int_equal(sysctl(&op), 0);
    op.u.numainfo.distance = (uintptr_t)stub_mem.ro;
    assert_int_equal(sysctl(&op), -EFAULT);
}

static void domaininfo_list(void **state)
{
    struct xen_domctl_getdomaininfo info[4];
    memset(info, 0xff, sizeof(info));
    struct xen_sysctl op = sc(XEN_SYSCTL_getdomaininfolist);
    op.u.getdomaininfolist = (struct xen_sysctl_getdomaininfolist){ .first_domain = 0,
                                                                    .max_domains = 4,
                                                                    .buffer = (uintptr_t)info };
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.getdomaininfolist.num_domains, 4);
    assert_int_equal(info[0].domain, 0);
    assert_int_equal(info[1].domain, 1);
    assert_int_equal(info[2].domain, 2);
    assert_int_equal(info[3].domain, 5);
    op.u.getdomaininfolist.first_domain = 2;
    op.u.getdomaininfolist.max_domains = 1;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.getdomaininfolist.num_domains, 1);
    assert_int_equal(info[0].domain, 2);
    op.u.getdomaininfolist.first_domain = 6;
    op.u.getdomaininfolist.max_domains = 4;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.getdomaininfolist.num_domains, 0);
    op.u.getdomaininfolist.max_domains = 0;
    op.u.getdomaininfolist.first_domain = 0;
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.getdomaininfolist.num_domains, 0);
    /* An array in unmapped memory. */
    op.u.getdomaininfolist.buffer = (uintptr_t)stub_mem.hole;
    op.u.getdomaininfolist.max_domains = 2;
    op.u.getdomaininfolist.num_domains = 99;
    assert_int_equal(sysctl(&op), -EFAULT);
    assert_int_equal(op.u.getdomaininfolist.num_domains, 99); /* copied back, not updated */
}

static void readconsole_buffer(void **state)
{
    char buf[16];
    memset(buf, '.', sizeof(buf));
    struct xen_sysctl op = sc(XEN_SYSCTL_readconsole);
    op.u.readconsole = (struct xen_sysctl_readconsole){ .buffer = (uintptr_t)buf, .count = 8 };
    assert_int_equal(sysctl(&op), 0);
    assert_int_equal(op.u.readconsole.count, 8);
    assert_int_equal(op.u.readconsole.index, 77);
    assert_memory_equal(buf, "01234567..", 10);
    op.u.readconsole =
        (struct xen_sysctl_readconsole){ .buffer = (uintptr_t)stub_mem.hole, .count = 8 };
    assert_int_equal(sysctl(&op), -EFAULT);
}

static long pool_op(uint32_t cmd, uint32_t id, uint8_t *map, uint32_t bits,
                    struct xen_sysctl_cpupool_op *out)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_cpupool_op);
    op.u.cpupool_op = (struct xen_sysctl_cpupool_op){
        .op = cmd, .cpupool_id = id, .cpumap = { .bitmap = (uintptr_t)map, .nr_bits = bits }
    };
    long rc = sysctl(&op);
    *out = op.u.cpupool_op;
    return rc;
}

static void cpupools(void **state)
{
    uint8_t map[2] = { 0xff, 0xff };
    struct xen_sysctl_cpupool_op o;
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_INFO, 1, map, 16, &o), 0);
    assert_int_equal(o.cpupool_id, 3);
    assert_int_equal(o.sched_id, XEN_SCHEDULER_RTDS);
    assert_int_equal(o.n_dom, 2);
    assert_int_equal(map[0], 0x0c);
    assert_int_equal(map[1], 0);
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_INFO, 4, map, 16, &o), -ENOENT);
    map[0] = 0xff;
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_FREEINFO, 0, map, 8, &o), 0);
    assert_int_equal(map[0], 0x4);
    /* The changes go to core/control with the caller, and the struct comes back (the new id
     * of a CREATE). */
    pool_caller = NULL;
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_CREATE, 5, map, 8, &o), -1);
    assert_int_equal(o.cpupool_id, 15);
    assert_non_null(pool_caller);
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 0, map, 8, &o), -6);
    assert_int_equal(pool_op(99, 0, map, 8, &o), -ENOSYS);
    assert_int_equal(pool_op(XEN_SYSCTL_CPUPOOL_OP_INFO, 0, (uint8_t *)stub_mem.hole, 8, &o),
                     -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(checks_in_xen_order, setup, teardown),
        cmocka_unit_test_setup_teardown(getdomaininfo_next_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(createdomain_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(memory_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpu_context, setup, teardown),
        cmocka_unit_test_setup_teardown(lifecycle_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(copy_back_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(affinity_bitmaps, setup, teardown),
        cmocka_unit_test_setup_teardown(address_size_and_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(sched_per_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(sysctl_basics, setup, teardown),
        cmocka_unit_test_setup_teardown(domaininfo_list, setup, teardown),
        cmocka_unit_test_setup_teardown(topology, setup, teardown),
        cmocka_unit_test_setup_teardown(readconsole_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(cpupools, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
