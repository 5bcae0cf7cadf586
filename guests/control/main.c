/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's calls, domctl and sysctl, from a control domain (configuration key
 * control_domain = 1, the dom0less "capabilities = <1>") beside an ordinary domain, ctlpeer,
 * which checks that they are refused to it and then waits in WFI.  Here: physinfo, sched_id,
 * getdomaininfolist (both domains, found by handle), getdomaininfo (Xen 4.17's "first domain
 * from this id"), cpupool_op (info, free pCPUs, and each change xl makes, with its errors), numainfo and cputopoinfo (one node), pause/
 * unpause of the peer (counted), max_mem, vCPU info and hard affinity, address size (64 only),
 * NUMA node affinity, scheduler_op get/put (credit), setdomainhandle, max_vcpus, readconsole
 * (incremental, clear), createdomain (an empty paused domain with its handle, unpaused,
 * destroyed with its memory back; requested ids, Xen's rover, the default grant limits, its
 * refusals; its paging pool; cacheflush; vCPU context), every error (wrong interface version,
 * unknown domain, unknown command, bad and read-only pointers, targets Xen refuses); the
 * control domain's other calls, console_io read and acquire_resource of the peer's grant
 * table, with their errors; and at the end the peer's shutdown seen in its flags and its
 * destruction (the peer's configuration preserves it after a poweroff).
 */
#include <xen/domctl.h>
#include <xen/memory.h>
#include <xen/sysctl.h>
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"
#include "xen.h"

const char guest_name[] = "control";

static domid_t self_id, peer_id;

static bool same(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}
static unsigned pcpus;
static uint64_t va_unmapped, va_ro;
static uint8_t ro_page[4096] __attribute__((aligned(4096)));

static long domctl(struct xen_domctl *op)
{
    return xen_hypercall(HYPERVISOR_domctl, (uintptr_t)op, 0, 0, 0, 0);
}

static long sysctl(struct xen_sysctl *op)
{
    return xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)op, 0, 0, 0, 0);
}

static struct xen_domctl dc(uint32_t cmd, domid_t dom)
{
    return (struct xen_domctl){ .cmd = cmd,
                                .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                                .domain = dom };
}

static struct xen_sysctl sc(uint32_t cmd)
{
    return (struct xen_sysctl){ .cmd = cmd, .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
}

/* getdomaininfo for dom: the result, *info filled on success. */
static long info_of(domid_t dom, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = dc(XEN_DOMCTL_getdomaininfo, dom);
    long r = domctl(&op);
    if (!r)
        *info = op.u.getdomaininfo;
    return r;
}

static uint32_t flags_of(domid_t dom)
{
    struct xen_domctl_getdomaininfo info;
    return info_of(dom, &info) ? 0 : info.flags;
}

static long simple(uint32_t cmd, domid_t dom)
{
    struct xen_domctl op = dc(cmd, dom);
    return domctl(&op);
}

static long vcpuinfo(domid_t dom, uint32_t vcpu, struct xen_domctl_getvcpuinfo *out)
{
    struct xen_domctl op = dc(XEN_DOMCTL_getvcpuinfo, dom);
    op.u.getvcpuinfo.vcpu = vcpu;
    long r = domctl(&op);
    *out = op.u.getvcpuinfo;
    return r;
}

/* --- sysctl --- */

static void physinfo(void)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_physinfo);
    long r = sysctl(&op);
    struct xen_sysctl_physinfo *p = &op.u.physinfo;
    check(r == 0, "physinfo", "sysctl(physinfo) = %ld", r);
    check(p->nr_cpus == pcpus && p->max_cpu_id == pcpus - 1, "physinfo_cpus",
          "nr_cpus %u, max_cpu_id %u on a %u-CPU machine", p->nr_cpus, p->max_cpu_id, pcpus);
    check(p->threads_per_core == 1 && p->cores_per_socket == 1 && p->nr_nodes == 1 &&
              p->max_node_id == 0,
          "physinfo_topology", "%u thread(s) per core, %u core(s) per socket, %u node(s)",
          p->threads_per_core, p->cores_per_socket, p->nr_nodes);
    check(p->cpu_khz == timer_freq() / 1000, "physinfo_khz", "cpu_khz %u, counter %lu Hz",
          p->cpu_khz, timer_freq());
    uint32_t caps = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_gnttab_v1;
    check(p->capabilities == caps && p->arch_capabilities == 0, "physinfo_caps",
          "capabilities %#x (want %#x), arch %#x", p->capabilities, caps, p->arch_capabilities);
    check(p->total_pages > p->free_pages && p->free_pages > 2 * 16384 &&
              p->max_mfn > (0x40000000 >> 12) && p->outstanding_pages == 0,
          "physinfo_pages", "total %lu, free %lu, scrub %lu, max_mfn %#lx", p->total_pages,
          p->free_pages, p->scrub_pages, p->max_mfn);
}

static void sched_id(void)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_sched_id);
    long r = sysctl(&op);
    check(r == 0 && op.u.sched_id.sched_id == XEN_SCHEDULER_CREDIT, "sched_id",
          "sysctl(sched_id) = %ld, id %u (Keel's default, credit: 5)", r, op.u.sched_id.sched_id);
}

/* Keel's pools as xl cpupool-list sees them: Pool-0 (id 0, credit) with every pCPU and both
 * domains, nothing after it, no pCPU outside a pool, and pools that cannot be changed. */
static void cpupools(void)
{
    uint8_t map[4];
    struct xen_sysctl op = sc(XEN_SYSCTL_cpupool_op);
    struct xen_sysctl_cpupool_op *c = &op.u.cpupool_op;
    c->op = XEN_SYSCTL_CPUPOOL_OP_INFO;
    c->cpumap.bitmap = (uintptr_t)map;
    c->cpumap.nr_bits = 32;
    memset(map, 0xaa, sizeof(map));
    long r = sysctl(&op);
    check(r == 0 && c->cpupool_id == 0 && c->sched_id == XEN_SCHEDULER_CREDIT && c->n_dom == 2 &&
              map[0] == (uint8_t)((1u << pcpus) - 1) && map[3] == 0,
          "cpupool_info", "%ld: pool %u, scheduler %u, %u domains, pCPUs %02x", r, c->cpupool_id,
          c->sched_id, c->n_dom, map[0]);
    c->cpupool_id = 1;
    r = sysctl(&op);
    check(r == -XEN_ENOENT, "cpupool_info_enoent", "no pool from id 1 up: %ld", r);
    c->op = XEN_SYSCTL_CPUPOOL_OP_FREEINFO;
    map[0] = 0xff;
    r = sysctl(&op);
    check(r == 0 && map[0] == 0, "cpupool_freeinfo", "%ld, free pCPUs %02x", r, map[0]);
}

/* One cpupool_op: op, pool id, and cpu or domid or sched_id as the op takes; the pool id back
 * in *id (may be NULL). */
static long pool_op(uint32_t what, uint32_t pool, uint32_t arg, uint32_t *id)
{
    static uint8_t map[4];
    struct xen_sysctl op = sc(XEN_SYSCTL_cpupool_op);
    struct xen_sysctl_cpupool_op *c = &op.u.cpupool_op;
    c->op = what;
    c->cpupool_id = pool;
    c->cpu = arg;
    c->domid = (domid_t)arg;
    c->sched_id = arg;
    c->cpumap.bitmap = (uintptr_t)map;
    c->cpumap.nr_bits = 32;
    long r = sysctl(&op);
    if (id)
        *id = what == XEN_SYSCTL_CPUPOOL_OP_FREEINFO ? map[0] : c->cpupool_id;
    return r;
}

static uint32_t free_pcpus(void)
{
    uint32_t m = 0;
    pool_op(XEN_SYSCTL_CPUPOOL_OP_FREEINFO, 0, 0, &m);
    return m;
}

/* The pool changes xl makes, each error as Xen 4.17 gives it; then, with a pCPU to spare, the
 * round trip xl cpupool-cpu-remove, -create, -cpu-add, -migrate there and back, -destroy,
 * which leaves the machine as it was. */
static struct xen_domctl create_op(domid_t want);
static unsigned count_domains(void);

/* createdomain with xl's pool=: -ESRCH for a pool that does not exist, -ENODEV for one with no
 * pCPU (as Xen's cpupool_add_domain), and with has_cpu, a domain made in pool 1 and listed
 * there, then destroyed. */
static void create_in_pool(bool has_cpu)
{
    struct xen_domctl op = create_op(0);
    op.u.createdomain.cpupool_id = 77;
    long none = domctl(&op);
    op = create_op(0);
    op.u.createdomain.cpupool_id = 1;
    long r = domctl(&op);
    if (!has_cpu) {
        check(none == -XEN_ESRCH && r == -XEN_ENODEV && count_domains() == 2,
              "createdomain_pool_errors", "pool 77 %ld, pool 1 without a pCPU %ld, nothing made",
              none, r);
        return;
    }
    struct xen_domctl_getdomaininfo info = { 0 };
    long g = r ? -1 : info_of(op.domain, &info);
    check(r == 0 && g == 0 && info.cpupool == 1, "createdomain_pool",
          "%ld: domain %u in pool %u (%ld)", r, op.domain, info.cpupool, g);
    if (!r)
        simple(XEN_DOMCTL_destroydomain, op.domain);
}

static void cpupool_changes(void)
{
    const uint32_t any = XEN_SYSCTL_CPUPOOL_PAR_ANY;
    uint32_t id = 0;
    long r = pool_op(XEN_SYSCTL_CPUPOOL_OP_CREATE, any, 1234, NULL);
    check(r == -XEN_ENOENT, "cpupool_create_bad_sched", "scheduler 1234: %ld", r);
    r = pool_op(XEN_SYSCTL_CPUPOOL_OP_CREATE, any, XEN_SCHEDULER_CREDIT, &id);
    check(r == 0 && id == 1, "cpupool_create", "%ld, pool %u (want 1)", r, id);
    r = pool_op(XEN_SYSCTL_CPUPOOL_OP_CREATE, 1, XEN_SCHEDULER_RTDS, NULL);
    check(r == -XEN_EEXIST, "cpupool_create_eexist", "pool 1 again: %ld", r);
    create_in_pool(false);
    long a1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 1, 0, NULL);
    long a2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 1, 99, NULL);
    long a3 = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 77, 0, NULL);
    long a4 = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 1, any, NULL);
    check(a1 == -XEN_ENODEV && a2 == -XEN_EINVAL && a3 == -XEN_ENOENT && a4 == -XEN_ENODEV,
          "cpupool_addcpu_errors",
          "a pCPU of Pool-0 %ld, pCPU 99 %ld, pool 77 %ld, any with none free %ld", a1, a2, a3, a4);
    long r1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 0, 99, NULL);
    long r2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 1, 0, NULL);
    long r3 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 77, 0, NULL);
    long r4 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 1, any, NULL);
    check(r1 == -XEN_EINVAL && r2 == -XEN_EADDRNOTAVAIL && r3 == -XEN_ENOENT && r4 == -XEN_EINVAL,
          "cpupool_rmcpu_errors",
          "pCPU 99 %ld, a pCPU not in the pool %ld, pool 77 %ld, any of an empty pool %ld", r1, r2,
          r3, r4);
    long m1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 1, self_id, NULL);
    long m2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 1, 999, NULL);
    long m3 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 1, peer_id, NULL);
    long m4 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 0, peer_id, NULL);
    long m5 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 1, DOMID_SELF, NULL);
    check(m1 == -XEN_EPERM && m2 == -XEN_ESRCH && m3 == -XEN_ENOENT && m4 == 0 && m5 == -XEN_ESRCH,
          "cpupool_move_errors",
          "itself %ld, domain 999 %ld, into a pool without pCPUs %ld, where it is %ld, "
          "DOMID_SELF %ld",
          m1, m2, m3, m4, m5);
    long d1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_DESTROY, 77, 0, NULL);
    long d2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_DESTROY, 0, 0, NULL);
    long d3 = pool_op(99, 0, 0, NULL);
    check(d1 == -XEN_ENOENT && d2 == -XEN_EBUSY && d3 == -XEN_ENOSYS, "cpupool_destroy_errors",
          "pool 77 %ld, Pool-0 %ld, op 99 %ld", d1, d2, d3);
    if (pcpus >= 2) {
        uint32_t last = pcpus - 1;
        r = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 0, last, NULL);
        bool freed = WAIT_EVENT(free_pcpus() == (1u << last));
        check(r == 0 && freed, "cpupool_rmcpu", "%ld, free pCPUs %#x", r, free_pcpus());
        r = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 1, any, NULL);
        check(r == 0 && free_pcpus() == 0, "cpupool_addcpu", "%ld, free %#x", r, free_pcpus());
        create_in_pool(true);
        d1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_DESTROY, 1, 0, NULL);
        m1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 1, peer_id, NULL);
        uint32_t n = 0;
        struct xen_sysctl op = sc(XEN_SYSCTL_cpupool_op);
        op.u.cpupool_op.op = XEN_SYSCTL_CPUPOOL_OP_INFO;
        op.u.cpupool_op.cpupool_id = 1;
        r = sysctl(&op);
        n = op.u.cpupool_op.n_dom;
        r1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 1, last, NULL);
        check(d1 == -XEN_EBUSY && m1 == 0 && r == 0 && n == 1 && r1 == -XEN_EBUSY,
              "cpupool_migrate",
              "destroy with a pCPU %ld, move the peer %ld, pool 1 has %u domain(s) (%ld), its "
              "last pCPU %ld",
              d1, m1, n, r, r1);
        m2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 0, peer_id, NULL);
        r2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_RMCPU, 1, any, NULL);
        freed = WAIT_EVENT(free_pcpus() == (1u << last));
        a1 = pool_op(XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 0, last, NULL);
        d2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_DESTROY, 1, 0, NULL);
        check(m2 == 0 && r2 == 0 && freed && a1 == 0 && d2 == 0, "cpupool_round_trip",
              "back to Pool-0 %ld, pCPU out of pool 1 %ld (free: %d), into Pool-0 %ld, "
              "destroy %ld",
              m2, r2, freed, a1, d2);
    } else {
        d2 = pool_op(XEN_SYSCTL_CPUPOOL_OP_DESTROY, 1, 0, NULL);
        check(d2 == 0, "cpupool_round_trip", "destroy the empty pool: %ld", d2);
    }
}

/* numainfo as libxl asks before it places a domain: the count with null handles, then the
 * arrays (one node here, at distance 20 from itself); a caller's larger count shrinks to what
 * was written. */
static void numainfo(void)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_numainfo);
    struct xen_sysctl_numainfo *ni = &op.u.numainfo;
    long r = sysctl(&op);
    check(r == 0 && ni->num_nodes == 1, "numainfo_count", "null handles: %ld, %u node(s)", r,
          ni->num_nodes);
    struct xen_sysctl_meminfo mem[2];
    uint32_t dist[4];
    memset(mem, 0xaa, sizeof(mem));
    memset(dist, 0xaa, sizeof(dist));
    op = sc(XEN_SYSCTL_numainfo);
    ni->num_nodes = 2;
    ni->meminfo = (uintptr_t)mem;
    ni->distance = (uintptr_t)dist;
    r = sysctl(&op);
    check(r == 0 && ni->num_nodes == 1 && mem[0].memsize > 0 && mem[0].memfree > 0 &&
              mem[0].memfree <= mem[0].memsize && dist[0] == 20 &&
              mem[1].memsize == 0xaaaaaaaaaaaaaaaaUL && dist[1] == 0xaaaaaaaa,
          "numainfo", "room for 2: %ld, %u written; node 0: %#lx bytes, %#lx free, distance %u", r,
          ni->num_nodes, mem[0].memsize, mem[0].memfree, dist[0]);
    op = sc(XEN_SYSCTL_numainfo);
    ni->num_nodes = 1;
    ni->meminfo = va_unmapped;
    r = sysctl(&op);
    check(r == -XEN_EFAULT, "numainfo_efault", "meminfo not mapped: %ld", r);
}

/* cputopoinfo: the count of CPU ids with a null handle, then every online CPU on core 0,
 * socket 0, node 0; nothing written past the CPUs there are or the caller's count. */
static void cputopoinfo(void)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_cputopoinfo);
    struct xen_sysctl_cputopoinfo *ti = &op.u.cputopoinfo;
    long r = sysctl(&op);
    check(r == 0 && ti->num_cpus == pcpus, "cputopoinfo_count",
          "null handle: %ld, %u CPU(s) on a %u-CPU machine", r, ti->num_cpus, pcpus);
    struct xen_sysctl_cputopo topo[9];
    memset(topo, 0xaa, sizeof(topo));
    op = sc(XEN_SYSCTL_cputopoinfo);
    ti->num_cpus = 8;
    ti->cputopo = (uintptr_t)topo;
    r = sysctl(&op);
    unsigned zero = 0, n = pcpus < 8 ? pcpus : 8;
    for (unsigned i = 0; i < n; i++)
        zero += topo[i].core == 0 && topo[i].socket == 0 && topo[i].node == 0;
    check(r == 0 && ti->num_cpus == n && zero == n && topo[n].node == 0xaaaaaaaa, "cputopoinfo",
          "room for 8: %ld, %u written, %u on core 0 socket 0 node 0", r, ti->num_cpus, zero);
    memset(topo, 0xaa, sizeof(topo));
    op = sc(XEN_SYSCTL_cputopoinfo);
    ti->num_cpus = 1;
    ti->cputopo = (uintptr_t)topo;
    r = sysctl(&op);
    check(r == 0 && ti->num_cpus == 1 && topo[0].node == 0 && topo[1].core == 0xaaaaaaaa,
          "cputopoinfo_short", "room for 1: %ld, %u written, the next entry untouched", r,
          ti->num_cpus);
    ti->num_cpus = 1;
    ti->cputopo = va_unmapped;
    r = sysctl(&op);
    check(r == -XEN_EFAULT, "cputopoinfo_efault", "array not mapped: %ld", r);
}

static struct xen_domctl_getdomaininfo list[8];

static long list_domains(domid_t first, uint32_t max, uint64_t buffer, uint32_t *num)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_getdomaininfolist);
    op.u.getdomaininfolist.first_domain = first;
    op.u.getdomaininfolist.max_domains = max;
    op.u.getdomaininfolist.buffer = buffer;
    long r = sysctl(&op);
    *num = op.u.getdomaininfolist.num_domains;
    return r;
}

/* Both domains, in id order; this one is the entry with our own handle. */
static bool find_domains(void)
{
    uint8_t handle[16];
    long r = xen_hypercall(HYPERVISOR_xen_version, XENVER_guest_handle, (uintptr_t)handle, 0, 0, 0);
    uint32_t n = 0;
    if (r || list_domains(0, 8, (uintptr_t)list, &n) || n != 2 || list[0].domain >= list[1].domain)
        return check(false, "domaininfolist", "guest_handle %ld; %u domains listed", r, n);
    unsigned me = same(list[0].handle, handle, 16) ? 0 : 1;
    self_id = list[me].domain;
    peer_id = list[1 - me].domain;
    check(same(list[me].handle, handle, 16), "domaininfolist",
          "2 domains, %u (this one, found by its handle) and %u", self_id, peer_id);
    const uint32_t always = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
    for (unsigned i = 0; i < 2; i++) {
        struct xen_domctl_getdomaininfo *d = &list[i];
        check((d->flags & always) == always && d->flags >> XEN_DOMINF_shutdownshift == 0xffff &&
                  !(d->flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying | XEN_DOMINF_paused)),
              "domaininfo_flags", "domain %u: flags %#x", d->domain, d->flags);
        check(d->max_pages == 16384 && d->tot_pages > 0 && d->tot_pages <= d->max_pages &&
                  d->max_vcpu_id == 0 && d->nr_online_vcpus == 1 && d->cpupool == 0 &&
                  d->gpaddr_bits == 40 && d->cpu_time > 0 && d->shared_info_frame,
              "domaininfo_fields",
              "domain %u: %lu of %lu pages, max vCPU %u, %u online, pool %u, %u address bits, "
              "%lu ns",
              d->domain, d->tot_pages, d->max_pages, d->max_vcpu_id, d->nr_online_vcpus, d->cpupool,
              d->gpaddr_bits, d->cpu_time);
    }
    check(list[me].flags & XEN_DOMINF_running, "domaininfo_self_running",
          "this domain is on a pCPU as it asks: flags %#x", list[me].flags);
    r = list_domains(0, 1, (uintptr_t)list, &n);
    check(r == 0 && n == 1 && list[0].domain == (self_id < peer_id ? self_id : peer_id),
          "domaininfolist_max", "max_domains 1: %ld, %u domain(s), first %u", r, n, list[0].domain);
    domid_t high = self_id > peer_id ? self_id : peer_id;
    r = list_domains(high + 1, 8, (uintptr_t)list, &n);
    check(r == 0 && n == 0, "domaininfolist_past_end", "from %u: %ld, %u domains", high + 1, r, n);
    r = list_domains(0, 8, va_unmapped, &n);
    check(r == -XEN_EFAULT, "domaininfolist_efault", "buffer not mapped: %ld", r);
    return true;
}

/* --- domctl --- */

static void getdomaininfo(void)
{
    struct xen_domctl_getdomaininfo info;
    long r = info_of(peer_id, &info);
    check(r == 0 && info.domain == peer_id, "getdomaininfo", "domain %u: %ld, domain %u", peer_id,
          r, info.domain);
    struct xen_domctl op = dc(XEN_DOMCTL_getdomaininfo, 0);
    r = domctl(&op);
    domid_t low = self_id < peer_id ? self_id : peer_id, high = self_id ^ peer_id ^ low;
    check(r == 0 && op.domain == low && op.u.getdomaininfo.domain == low, "getdomaininfo_next",
          "Xen 4.17: id 0 gives the first domain from 0 up, %u: %ld, domain %u", low, r, op.domain);
    r = info_of(high + 1, &info);
    check(r == -XEN_ESRCH, "getdomaininfo_esrch", "no domain from %u up: %ld", high + 1, r);
    r = info_of(DOMID_SELF, &info);
    check(r == -XEN_EINVAL, "getdomaininfo_self_einval", "DOMID_SELF: %ld", r);
    op = dc(XEN_DOMCTL_getdomaininfo, peer_id);
    memcpy(ro_page, &op, sizeof(op)); /* the same page, written through its writable alias */
    r = domctl((struct xen_domctl *)va_ro);
    check(r == -XEN_EFAULT, "getdomaininfo_readonly", "the struct cannot be written back: %ld", r);
}

static void pause_unpause(void)
{
    long r = simple(XEN_DOMCTL_pausedomain, peer_id);
    check(r == 0 && (flags_of(peer_id) & XEN_DOMINF_paused), "pausedomain", "pause: %ld, flags %#x",
          r, flags_of(peer_id));
    struct xen_domctl_getvcpuinfo vi;
    bool off = WAIT_EVENT(!vcpuinfo(peer_id, 0, &vi) && !vi.running);
    check(off && vi.online && !vi.blocked, "pausedomain_vcpu",
          "the paused vCPU leaves its pCPU: online %u, blocked %u, running %u", vi.online,
          vi.blocked, vi.running);
    r = simple(XEN_DOMCTL_pausedomain, peer_id);
    long r2 = simple(XEN_DOMCTL_unpausedomain, peer_id);
    check(r == 0 && r2 == 0 && (flags_of(peer_id) & XEN_DOMINF_paused), "pausedomain_counted",
          "pause twice, unpause once: %ld, %ld, still paused (flags %#x)", r, r2,
          flags_of(peer_id));
    r = simple(XEN_DOMCTL_unpausedomain, peer_id);
    check(r == 0 && !(flags_of(peer_id) & XEN_DOMINF_paused), "unpausedomain",
          "the last unpause: %ld, flags %#x", r, flags_of(peer_id));
    r = simple(XEN_DOMCTL_unpausedomain, peer_id);
    check(r == -XEN_EINVAL, "unpausedomain_einval", "no pause outstanding: %ld", r);
    r = simple(XEN_DOMCTL_pausedomain, self_id);
    check(r == -XEN_EINVAL, "pausedomain_self_einval", "pausing oneself: %ld", r);
    /* Unpaused, the peer goes back to its WFI. */
    bool back = WAIT_EVENT(flags_of(peer_id) & XEN_DOMINF_blocked);
    check(back, "unpausedomain_resumes", "the peer runs and waits again: flags %#x",
          flags_of(peer_id));
}

static void max_mem(void)
{
    struct xen_domctl op = dc(XEN_DOMCTL_max_mem, peer_id);
    op.u.max_mem.max_memkb = 32768;
    long r = domctl(&op);
    struct xen_domctl_getdomaininfo info = { 0 };
    info_of(peer_id, &info);
    check(r == 0 && info.max_pages == 8192, "max_mem", "32 MiB: %ld, max_pages %lu", r,
          info.max_pages);
    op.u.max_mem.max_memkb = 65536;
    r = domctl(&op);
    info_of(peer_id, &info);
    check(r == 0 && info.max_pages == 16384, "max_mem_restore", "64 MiB: %ld, max_pages %lu", r,
          info.max_pages);
}

static void vcpus(void)
{
    struct xen_domctl_getvcpuinfo vi;
    long r = vcpuinfo(peer_id, 0, &vi);
    check(r == 0 && vi.online && vi.cpu < pcpus && vi.cpu_time > 0, "getvcpuinfo",
          "peer vCPU 0: %ld, online %u, blocked %u, running %u, pCPU %u, %lu ns", r, vi.online,
          vi.blocked, vi.running, vi.cpu, vi.cpu_time);
    r = vcpuinfo(self_id, 0, &vi);
    check(r == 0 && vi.running && !vi.blocked, "getvcpuinfo_self",
          "this vCPU runs as it asks: %ld, running %u, blocked %u", r, vi.running, vi.blocked);
    r = vcpuinfo(peer_id, 1, &vi);
    check(r == -XEN_EINVAL, "getvcpuinfo_einval", "no vCPU 1: %ld", r);
    struct xen_domctl op = dc(XEN_DOMCTL_max_vcpus, peer_id);
    op.u.max_vcpus.max = 1;
    r = domctl(&op);
    op.u.max_vcpus.max = 2;
    long r2 = domctl(&op);
    check(r == 0 && r2 == -XEN_EINVAL, "max_vcpus",
          "the count it was created with: %ld; another: %ld", r, r2);
}

static long affinity(uint32_t cmd, uint32_t vcpu, uint32_t flags, uint8_t *hard, uint32_t bits)
{
    struct xen_domctl op = dc(cmd, peer_id);
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = flags;
    op.u.vcpuaffinity.cpumap_hard.bitmap = (uintptr_t)hard;
    op.u.vcpuaffinity.cpumap_hard.nr_bits = bits;
    return domctl(&op);
}

static void vcpu_affinity(void)
{
    uint8_t map[8];
    uint8_t all = (uint8_t)((1u << pcpus) - 1), last = (uint8_t)(1u << (pcpus - 1));
    memset(map, 0xaa, sizeof(map));
    long r = affinity(XEN_DOMCTL_getvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, map, 64);
    check(r == 0 && map[0] == all && map[1] == 0 && map[7] == 0, "getvcpuaffinity",
          "%ld, bitmap %02x %02x .. %02x (every pCPU)", r, map[0], map[1], map[7]);
    memset(map, 0, sizeof(map));
    map[0] = last | 0x80; /* pCPU 7 is not there */
    r = affinity(XEN_DOMCTL_setvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, map, 64);
    check(r == 0 && map[0] == last, "setvcpuaffinity", "pin to pCPU %u: %ld, in effect %02x",
          pcpus - 1, r, map[0]);
    memset(map, 0, sizeof(map));
    r = affinity(XEN_DOMCTL_getvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, map, 8);
    check(r == 0 && map[0] == (pcpus < 8 ? last : 0), "getvcpuaffinity_as_set", "%ld, bitmap %02x",
          r, map[0]);
    map[0] = 0x80;
    r = affinity(XEN_DOMCTL_setvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, map, 8);
    check(r == -XEN_EINVAL, "setvcpuaffinity_no_pcpu", "only a missing pCPU: %ld", r);
    r = affinity(XEN_DOMCTL_setvcpuaffinity, 0, 0, map, 8);
    check(r == -XEN_EINVAL, "setvcpuaffinity_no_flags", "neither hard nor soft: %ld", r);
    r = affinity(XEN_DOMCTL_getvcpuaffinity, 1, XEN_VCPUAFFINITY_HARD, map, 8);
    check(r == -XEN_EINVAL, "getvcpuaffinity_einval", "no vCPU 1: %ld", r);
    r = affinity(XEN_DOMCTL_getvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, (uint8_t *)va_unmapped, 8);
    check(r == -XEN_EFAULT, "getvcpuaffinity_efault", "bitmap not mapped: %ld", r);
    memset(map, 0xff, sizeof(map));
    r = affinity(XEN_DOMCTL_setvcpuaffinity, 0, XEN_VCPUAFFINITY_HARD, map, 64);
    check(r == 0 && map[0] == all, "setvcpuaffinity_all", "back to every pCPU: %ld, %02x", r,
          map[0]);
}

static long address_size(uint32_t cmd, domid_t dom, uint32_t *size)
{
    struct xen_domctl op = dc(cmd, dom);
    op.u.address_size.size = *size;
    long r = domctl(&op);
    *size = op.u.address_size.size;
    return r;
}

/* libxenguest sets 64 before it lays out an AArch64 guest's memory; AArch32 (32) and anything
 * else are refused, and every domain reads back as 64. */
static void address_sizes(void)
{
    uint32_t s64 = 64, s32 = 32, s0 = 0;
    long r = address_size(XEN_DOMCTL_set_address_size, peer_id, &s64);
    check(r == 0, "set_address_size", "64 bits: %ld", r);
    long r32 = address_size(XEN_DOMCTL_set_address_size, peer_id, &s32);
    long r0 = address_size(XEN_DOMCTL_set_address_size, peer_id, &s0);
    check(r32 == -XEN_EINVAL && r0 == -XEN_EINVAL, "set_address_size_einval",
          "32 bits: %ld, 0: %ld", r32, r0);
    uint32_t peer = 0, self = 0;
    r = address_size(XEN_DOMCTL_get_address_size, peer_id, &peer);
    long rs = address_size(XEN_DOMCTL_get_address_size, self_id, &self);
    check(r == 0 && peer == 64 && rs == 0 && self == 64, "get_address_size",
          "peer: %ld, %u bits; this domain: %ld, %u bits", r, peer, rs, self);
}

static long node_affinity(uint32_t cmd, uint64_t map, uint32_t bits)
{
    struct xen_domctl op = dc(cmd, peer_id);
    op.u.nodeaffinity.nodemap.bitmap = map;
    op.u.nodeaffinity.nodemap.nr_bits = bits;
    return domctl(&op);
}

/* One NUMA node: an affinity must include node 0, and node 0 alone is what reads back. */
static void nodeaffinity(void)
{
    uint8_t map[8] = { 0x01 };
    long r = node_affinity(XEN_DOMCTL_setnodeaffinity, (uintptr_t)map, 8);
    map[0] = 0xff; /* nodes 1-7 are not there */
    long all = node_affinity(XEN_DOMCTL_setnodeaffinity, (uintptr_t)map, 8);
    check(r == 0 && all == 0, "setnodeaffinity", "node 0: %ld; nodes 0-7: %ld", r, all);
    map[0] = 0x02;
    r = node_affinity(XEN_DOMCTL_setnodeaffinity, (uintptr_t)map, 8);
    long none = node_affinity(XEN_DOMCTL_setnodeaffinity, (uintptr_t)map, 0);
    check(r == -XEN_EINVAL && none == -XEN_EINVAL, "setnodeaffinity_einval",
          "node 1 only: %ld; an empty map: %ld", r, none);
    r = node_affinity(XEN_DOMCTL_setnodeaffinity, va_unmapped, 8);
    check(r == -XEN_EFAULT, "setnodeaffinity_efault", "map not mapped: %ld", r);
    memset(map, 0xaa, sizeof(map));
    r = node_affinity(XEN_DOMCTL_getnodeaffinity, (uintptr_t)map, 64);
    check(r == 0 && map[0] == 0x01 && map[1] == 0 && map[7] == 0, "getnodeaffinity",
          "%ld, bitmap %02x %02x .. %02x (node 0)", r, map[0], map[1], map[7]);
}

static long sched(uint32_t id, uint32_t cmd, uint16_t weight, uint16_t cap,
                  struct xen_domctl_scheduler_op *out)
{
    struct xen_domctl op = dc(XEN_DOMCTL_scheduler_op, peer_id);
    op.u.scheduler_op.sched_id = id;
    op.u.scheduler_op.cmd = cmd;
    op.u.scheduler_op.u.credit.weight = weight;
    op.u.scheduler_op.u.credit.cap = cap;
    long r = domctl(&op);
    *out = op.u.scheduler_op;
    return r;
}

static void scheduler_op(void)
{
    struct xen_domctl_scheduler_op s;
    const uint32_t C = XEN_SCHEDULER_CREDIT;
    long r = sched(C, XEN_DOMCTL_SCHEDOP_getinfo, 0, 0, &s);
    check(r == 0 && s.u.credit.weight == 256 && s.u.credit.cap == 0, "sched_getinfo",
          "%ld: weight %u, cap %u", r, s.u.credit.weight, s.u.credit.cap);
    r = sched(C, XEN_DOMCTL_SCHEDOP_putinfo, 512, 0xffff, &s);
    long g = sched(C, XEN_DOMCTL_SCHEDOP_getinfo, 0, 0, &s);
    check(r == 0 && g == 0 && s.u.credit.weight == 512 && s.u.credit.cap == 0, "sched_putinfo",
          "weight 512, cap kept: %ld, then weight %u, cap %u", r, s.u.credit.weight,
          s.u.credit.cap);
    r = sched(C, XEN_DOMCTL_SCHEDOP_putinfo, 0, 50, &s);
    g = sched(C, XEN_DOMCTL_SCHEDOP_getinfo, 0, 0, &s);
    check(r == 0 && g == 0 && s.u.credit.weight == 512 && s.u.credit.cap == 50, "sched_putinfo_cap",
          "weight kept, cap 50: %ld, then weight %u, cap %u", r, s.u.credit.weight, s.u.credit.cap);
    r = sched(C, XEN_DOMCTL_SCHEDOP_putinfo, 256, 0, &s);
    g = sched(C, XEN_DOMCTL_SCHEDOP_getinfo, 0, 0, &s);
    check(r == 0 && s.u.credit.weight == 256 && s.u.credit.cap == 0, "sched_putinfo_restore",
          "weight 256, no cap: %ld, then weight %u, cap %u", r, s.u.credit.weight, s.u.credit.cap);
    r = sched(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getinfo, 0, 0, &s);
    check(r == -XEN_EINVAL, "sched_wrong_scheduler", "RTDS asked of a credit domain: %ld", r);
    r = sched(C, XEN_DOMCTL_SCHEDOP_getvcpuinfo, 0, 0, &s);
    g = sched(C, 9, 0, 0, &s);
    check(r == -XEN_EINVAL && g == -XEN_EINVAL, "sched_bad_cmd",
          "per-vCPU parameters of credit: %ld; command 9: %ld", r, g);
}

static void domain_handle(void)
{
    struct xen_domctl_getdomaininfo info;
    info_of(peer_id, &info);
    uint8_t old[16];
    memcpy(old, info.handle, 16);
    struct xen_domctl op = dc(XEN_DOMCTL_setdomainhandle, peer_id);
    for (unsigned i = 0; i < 16; i++)
        op.u.setdomainhandle.handle[i] = (uint8_t)(0xc0 + i);
    long r = domctl(&op);
    info_of(peer_id, &info);
    check(r == 0 && info.handle[0] == 0xc0 && info.handle[15] == 0xcf, "setdomainhandle",
          "%ld, handle now %02x..%02x", r, info.handle[0], info.handle[15]);
    memcpy(op.u.setdomainhandle.handle, old, 16);
    domctl(&op);
}

static char con[4096];

static long readconsole(bool clear, bool incremental, uint32_t *index, uint64_t buffer,
                        uint32_t count)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_readconsole);
    op.u.readconsole.clear = clear;
    op.u.readconsole.incremental = incremental;
    op.u.readconsole.index = *index;
    op.u.readconsole.buffer = buffer;
    op.u.readconsole.count = count;
    long r = sysctl(&op);
    *index = op.u.readconsole.index;
    return r ? r : op.u.readconsole.count;
}

static bool con_has(long n, const char *s)
{
    size_t l = strlen(s);
    for (long i = 0; n > 0 && i + (long)l <= n; i++)
        if (same(con + i, s, l))
            return true;
    return false;
}

/* Read until the history runs out (a read that does not fill the buffer): the index is then
 * the end.  With clear, everything read is forgotten. */
static long drain(bool clear, uint32_t *idx)
{
    long n, total = 0;
    do {
        n = readconsole(clear, !clear, idx, (uintptr_t)con, sizeof(con));
        total += n > 0 ? n : 0;
    } while (n == (long)sizeof(con));
    return n < 0 ? n : total;
}

static void read_console(void)
{
    uint32_t idx = 0;
    long n = readconsole(false, false, &idx, (uintptr_t)con, sizeof(con));
    check(n > 0 && con_has(n, "(keel) "), "readconsole", "%ld bytes of Keel's console", n);
    long total = drain(false, &idx);
    note("readconsole marker one");
    n = readconsole(false, true, &idx, (uintptr_t)con, sizeof(con));
    check(total >= 0 && n > 0 && n < 200 && con_has(n, "readconsole marker one"),
          "readconsole_incremental",
          "from the end (%ld more bytes read first): %ld bytes, only "
          "what came since",
          total, n);
    uint32_t c = 0;
    n = drain(true, &c);
    note("readconsole marker two");
    c = 0;
    long m = readconsole(false, false, &c, (uintptr_t)con, sizeof(con));
    check(n > 0 && m > 0 && m < 200 && con_has(m, "marker two") && !con_has(m, "marker one"),
          "readconsole_clear", "cleared after %ld bytes; then %ld bytes, only what came since", n,
          m);
    c = 0;
    n = readconsole(false, false, &c, va_unmapped, sizeof(con));
    check(n == -XEN_EFAULT, "readconsole_efault", "buffer not mapped: %ld", n);
}

static void errors(void)
{
    struct xen_domctl op = dc(XEN_DOMCTL_pausedomain, peer_id);
    op.interface_version = 0x14;
    long r = domctl(&op);
    struct xen_sysctl s = sc(XEN_SYSCTL_physinfo);
    s.interface_version = 0x16;
    long r2 = sysctl(&s);
    check(r == -XEN_EACCES && r2 == -XEN_EACCES, "interface_version_eacces",
          "domctl 0x14: %ld, sysctl 0x16: %ld", r, r2);
    r = simple(XEN_DOMCTL_pausedomain, 42);
    r2 = simple(XEN_DOMCTL_pausedomain, DOMID_SELF);
    check(r == -XEN_ESRCH && r2 == -XEN_ESRCH, "unknown_domain_esrch",
          "domain 42: %ld, DOMID_SELF: %ld", r, r2);
    r = simple(999, peer_id);
    r2 = simple(999, 42);
    check(r == -XEN_ENOSYS && r2 == -XEN_ESRCH, "unknown_domctl",
          "command 999 on domain %u: %ld; on no domain: %ld (the domain is looked up first)",
          peer_id, r, r2);
    s = sc(999);
    r = sysctl(&s);
    check(r == -XEN_ENOSYS, "unknown_sysctl", "command 999: %ld", r);
    r = xen_hypercall(HYPERVISOR_domctl, va_unmapped, 0, 0, 0, 0);
    r2 = xen_hypercall(HYPERVISOR_sysctl, va_unmapped, 0, 0, 0, 0);
    check(r == -XEN_EFAULT && r2 == -XEN_EFAULT, "bad_pointer_efault",
          "struct not mapped: domctl %ld, sysctl %ld", r, r2);
    r = xen_hypercall(HYPERVISOR_domctl, 0, 0, 0, 0, 0);
    check(r == -XEN_EFAULT, "null_pointer_efault", "domctl(NULL): %ld", r);
    s = sc(XEN_SYSCTL_physinfo);
    memcpy(ro_page, &s, sizeof(s));
    r = sysctl((struct xen_sysctl *)va_ro);
    check(r == -XEN_EFAULT, "sysctl_readonly_efault", "physinfo into a read-only page: %ld", r);
}

/* --- the control domain's other calls: console input, acquire_resource --- */

/* CONSOLEIO_read: nothing typed for a control domain that is not dom0 (input goes to the
 * domains' UARTs), and a count that is not an int is refused. */
static void console_read(void)
{
    static char buf[16];
    long r =
        xen_hypercall(HYPERVISOR_console_io, CONSOLEIO_read, sizeof(buf), (uintptr_t)buf, 0, 0);
    long r2 =
        xen_hypercall(HYPERVISOR_console_io, CONSOLEIO_read, 0x80000000UL, (uintptr_t)buf, 0, 0);
    check(r == 0 && r2 == -XEN_E2BIG, "console_read",
          "16 bytes: %ld (want 0), 2^31: %ld (want -E2BIG)", r, r2);
}

#define SPARE_GFN 0x48000UL /* past this guest's 64 MiB of RAM: nothing mapped there */

static long acquire(struct xen_mem_acquire_resource *a)
{
    return xen_hypercall(HYPERVISOR_memory_op, XENMEM_acquire_resource, (uintptr_t)a, 0, 0, 0);
}

static long remove_gfn(uint64_t gfn)
{
    static struct xen_remove_from_physmap x;
    x = (struct xen_remove_from_physmap){ .domid = DOMID_SELF, .gpfn = gfn };
    return xen_hypercall(HYPERVISOR_memory_op, XENMEM_remove_from_physmap, (uintptr_t)&x, 0, 0, 0);
}

/* XENMEM_acquire_resource of the peer's grant table, as libxenguest seeds a new guest's grants:
 * the size, a frame mapped into this domain and taken away again, and each refusal. */
static void acquire_resource(void)
{
    static struct xen_mem_acquire_resource a;
    static xen_pfn_t gfns[1] = { SPARE_GFN };
    a = (struct xen_mem_acquire_resource){ .domid = peer_id, .type = XENMEM_resource_grant_table };
    long r = acquire(&a);
    check(r == 0 && a.nr_frames >= 1, "acquire_resource_size",
          "size query: %ld, %u frames (want 0 and at least 1)", r, a.nr_frames);
    uint32_t max = a.nr_frames;
    a.nr_frames = 1;
    a.frame_list = (uintptr_t)gfns;
    r = acquire(&a);
    long r2 = remove_gfn(SPARE_GFN), r3 = remove_gfn(SPARE_GFN);
    check(r == 0 && r2 == 0 && r3 == -XEN_ENOENT, "acquire_resource_map",
          "frame 0 at gfn %#lx: %ld, removed: %ld, again: %ld (want 0, 0, -ENOENT)", SPARE_GFN, r,
          r2, r3);
    a.frame = max;
    long beyond = acquire(&a);
    a.frame = 0;
    a.pad = 1;
    long pad = acquire(&a);
    a.pad = 0;
    a.type = XENMEM_resource_ioreq_server;
    long ioreq = acquire(&a);
    a.type = XENMEM_resource_grant_table;
    a.domid = 42;
    long none = acquire(&a);
    a.domid = self_id; /* its own frames: only through add_to_physmap */
    long self = acquire(&a);
    a.domid = DOMID_SELF;
    long self_alias = acquire(&a);
    a.domid = peer_id;
    a.frame_list = 0; /* a size query asks with 0 frames */
    long query = acquire(&a);
    check(beyond == -XEN_EINVAL && pad == -XEN_EINVAL && ioreq == -XEN_EOPNOTSUPP &&
              none == -XEN_ESRCH && self == -XEN_EPERM && self_alias == -XEN_ESRCH &&
              query == -XEN_EINVAL,
          "acquire_resource_errors",
          "frame %u: %ld, pad: %ld, ioreq server: %ld, domain 42: %ld, itself: %ld (DOMID_SELF: "
          "%ld), query with 1 frame: %ld",
          max, beyond, pad, ioreq, none, self, self_alias, query);
    a.nr_frames = 1;
    a.frame_list = va_unmapped;
    r = acquire(&a);
    check(r == -XEN_EFAULT && remove_gfn(SPARE_GFN) == -XEN_ENOENT, "acquire_resource_efault",
          "frame list unmapped: %ld, nothing mapped", r);
}

/* --- createdomain --- */

static uint64_t free_pages(void)
{
    struct xen_sysctl op = sc(XEN_SYSCTL_physinfo);
    return sysctl(&op) ? 0 : op.u.physinfo.free_pages;
}

/* What libxl sends for a 2-vCPU Arm guest: HVM|HAP, native GIC, grant v1. */
static struct xen_domctl create_op(domid_t want)
{
    struct xen_domctl op = dc(XEN_DOMCTL_createdomain, want);
    struct xen_domctl_createdomain *c = &op.u.createdomain;
    c->flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    c->max_vcpus = 2;
    c->max_evtchn_port = 1023;
    c->max_grant_frames = 64;
    c->max_maptrack_frames = 1024;
    c->grant_opts = XEN_DOMCTL_GRANT_version(1);
    c->arch.gic_version = XEN_DOMCTL_CONFIG_GIC_NATIVE;
    c->arch.nr_spis = 32;
    for (unsigned i = 0; i < 16; i++)
        c->handle[i] = (uint8_t)(0xc0 + i);
    return op;
}

static unsigned count_domains(void)
{
    uint32_t n = 0;
    return list_domains(0, 8, (uintptr_t)list, &n) ? 0 : n;
}

static bool gone(domid_t id)
{
    struct xen_domctl_getdomaininfo info;
    long g = info_of(id, &info);
    return g == -XEN_ESRCH || (g == 0 && info.domain != id);
}

static long pool_size(domid_t id, uint64_t *bytes)
{
    struct xen_domctl op = dc(XEN_DOMCTL_get_paging_mempool_size, id);
    long r = domctl(&op);
    *bytes = op.u.paging_mempool.size;
    return r;
}

static long flush(domid_t id, uint64_t start, uint64_t nr)
{
    struct xen_domctl op = dc(XEN_DOMCTL_cacheflush, id);
    op.u.cacheflush.start_pfn = start;
    op.u.cacheflush.nr_pfns = nr;
    return domctl(&op);
}

/* libxl's next calls on Arm: the paging pool (16 pages at creation, as Xen 4.17), and a
 * cacheflush of written memory (here the peer's RAM, and the new domain's nothing). */
static void paging_pool_and_cacheflush(domid_t id)
{
    uint64_t first = 0, then = 0;
    long g = pool_size(id, &first);
    struct xen_domctl op = dc(XEN_DOMCTL_set_paging_mempool_size, id);
    op.u.paging_mempool.size = 0x100000;
    long s = domctl(&op);
    long g2 = pool_size(id, &then);
    op.u.paging_mempool.size = 0x100001;
    long bad = domctl(&op);
    check(g == 0 && first == 0x10000 && s == 0 && g2 == 0 && then == 0x100000 && bad == -XEN_EINVAL,
          "paging_mempool_size", "%ld: %#lx at creation; set 1 MiB %ld, then %#lx; unaligned %ld",
          g, first, s, then, bad);
    long peer = flush(peer_id, 0x40000, 64);
    long empty = flush(id, 0x40000, 64);
    long big = flush(peer_id, 0x40000, (1u << 18) + 1);
    long wrap = flush(peer_id, ~0ULL - 1, 4);
    check(peer == 0 && empty == 0 && big == -XEN_EINVAL && wrap == -XEN_EINVAL, "cacheflush",
          "peer's RAM %ld, no memory %ld, too many %ld, wrapping %ld", peer, empty, big, wrap);
}

static struct vcpu_guest_context ctx;

static long vcpu_ctx(uint32_t cmd, domid_t id, uint32_t vcpu, struct vcpu_guest_context *c)
{
    struct xen_domctl op = dc(cmd, id);
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = (uintptr_t)c;
    return domctl(&op);
}

/* libxl's last step before unpause: vCPU 0 at the kernel (H.4's state), read back; the domain
 * (paused, no memory) is never let run. */
static void vcpu_context(domid_t id)
{
    long g = vcpu_ctx(XEN_DOMCTL_getvcpucontext, id, 0, &ctx);
    uint32_t first = ctx.flags;
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_online;
    ctx.user_regs.pc64 = 0x40000000;
    ctx.user_regs.x[0] = 0x48000000;
    ctx.user_regs.cpsr = 0x3c5;
    ctx.sctlr = 0x00c50078;
    long s = vcpu_ctx(XEN_DOMCTL_setvcpucontext, id, 0, &ctx);
    memset(&ctx, 0, sizeof(ctx));
    long g2 = vcpu_ctx(XEN_DOMCTL_getvcpucontext, id, 0, &ctx);
    struct xen_domctl_getdomaininfo info = { 0 };
    info_of(id, &info);
    check(g == 0 && first == 0 && s == 0 && g2 == 0 && ctx.flags == VGCF_online &&
              ctx.user_regs.pc64 == 0x40000000 && ctx.user_regs.x[0] == 0x48000000 &&
              ctx.user_regs.cpsr == 0x3c5 && ctx.sctlr == 0x00c50078 && info.nr_online_vcpus == 1 &&
              (info.flags & XEN_DOMINF_paused),
          "vcpucontext",
          "get %ld (flags %u: down), set %ld, get %ld: flags %u pc %#lx x0 %#lx cpsr %#lx sctlr "
          "%#lx; %u online, flags %#x",
          g, first, s, g2, ctx.flags, ctx.user_regs.pc64, ctx.user_regs.x[0], ctx.user_regs.cpsr,
          ctx.sctlr, info.nr_online_vcpus, info.flags);
    ctx.user_regs.cpsr = 0x3c9; /* EL2h */
    long el2 = vcpu_ctx(XEN_DOMCTL_setvcpucontext, id, 0, &ctx);
    long nov = vcpu_ctx(XEN_DOMCTL_getvcpucontext, id, 2, &ctx);
    long me = vcpu_ctx(XEN_DOMCTL_getvcpucontext, self_id, 0, &ctx);
    long down = vcpu_ctx(XEN_DOMCTL_setvcpucontext, id, 0, NULL);
    info_of(id, &info);
    check(el2 == -XEN_EINVAL && nov == -XEN_EINVAL && me == -XEN_EINVAL && down == 0 &&
              info.nr_online_vcpus == 0,
          "vcpucontext_errors", "EL2h %ld, no vCPU 2 %ld, oneself %ld; reset %ld: %u online", el2,
          nov, me, down, info.nr_online_vcpus);
}

/* An empty domain made paused with the handle, seen, unpaused (nothing runs: its vCPUs are
 * down), destroyed with its memory back; a requested id; Xen's refusals. */
static void create_domains(void)
{
    uint64_t before = free_pages();
    struct xen_domctl op = create_op(0);
    long r = domctl(&op);
    domid_t id = op.domain;
    check(r == 0 && id != 0 && id != self_id && id != peer_id &&
              op.u.createdomain.arch.gic_version == XEN_DOMCTL_CONFIG_GIC_V3,
          "createdomain", "%ld: domain %u, GIC version %u told back", r, id,
          op.u.createdomain.arch.gic_version);
    if (r)
        return;
    struct xen_domctl_getdomaininfo info = { 0 };
    r = info_of(id, &info);
    const uint32_t want = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap | XEN_DOMINF_paused;
    check(r == 0 && info.domain == id && (info.flags & 0xffff) == want &&
              same(info.handle, op.u.createdomain.handle, 16) && info.tot_pages == 0 &&
              info.max_pages == 0 && info.nr_online_vcpus == 0 && info.max_vcpu_id == 1,
          "createdomain_info",
          "%ld: flags %#x (paused), handle %s, %lu of %lu pages, %u online, max vCPU %u", r,
          info.flags, same(info.handle, op.u.createdomain.handle, 16) ? "ours" : "other",
          info.tot_pages, info.max_pages, info.nr_online_vcpus, info.max_vcpu_id);
    struct xen_domctl mv = dc(XEN_DOMCTL_max_vcpus, id);
    mv.u.max_vcpus.max = 2;
    r = domctl(&mv);
    check(r == 0 && count_domains() == 3, "createdomain_listed", "max_vcpus 2: %ld; %u listed", r,
          count_domains());
    r = simple(XEN_DOMCTL_unpausedomain, id);
    uint32_t f = flags_of(id);
    check(r == 0 && !(f & (XEN_DOMINF_paused | XEN_DOMINF_running | XEN_DOMINF_blocked)),
          "createdomain_unpause", "%ld: flags %#x (no vCPU up: neither running nor blocked)", r, f);
    paging_pool_and_cacheflush(id);
    struct xen_domctl op2 = create_op(id);
    long e = domctl(&op2);
    op2 = create_op(3000); /* a valid Xen id past Keel's table: taken, so libxl tries another */
    long far = domctl(&op2);
    op2 = create_op(20);
    long r2 = domctl(&op2);
    check(e == -XEN_EEXIST && far == -XEN_EEXIST && r2 == 0 && op2.domain == 20, "createdomain_id",
          "domain %u again: %ld; domain 3000: %ld; domain 20: %ld, given %u", id, e, far, r2,
          op2.domain);
    if (r2 == 0)
        vcpu_context(20);
    r = simple(XEN_DOMCTL_destroydomain, id);
    r2 = simple(XEN_DOMCTL_destroydomain, 20);
    bool back = WAIT_EVENT(free_pages() == before);
    check(r == 0 && r2 == 0 && gone(id) && gone(20) && count_domains() == 2 && back,
          "createdomain_destroy", "%ld, %ld; %u listed; free pages %lu, %lu before", r, r2,
          count_domains(), free_pages(), before);
    /* Xen's rover: the next "any" id is after the last one given out. */
    op2 = create_op(DOMID_INVALID);
    r = domctl(&op2);
    check(r == 0 && op2.domain > id, "createdomain_rover", "%ld: domain %u after %u", r, op2.domain,
          id);
    if (!r)
        simple(XEN_DOMCTL_destroydomain, op2.domain);
    /* Refusals, nothing made. */
    op = create_op(0);
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
    long no_hap = domctl(&op);
    op = create_op(0);
    op.u.createdomain.flags |= XEN_DOMCTL_CDF_xs_domain;
    long xs = domctl(&op);
    op = create_op(0);
    op.u.createdomain.arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V2;
    long v2 = domctl(&op);
    op = create_op(0);
    op.u.createdomain.max_vcpus = 65;
    long many = domctl(&op);
    op = create_op(0);
    op.u.createdomain.max_vcpus = 0;
    long none = domctl(&op);
    check(no_hap == -XEN_EINVAL && xs == -XEN_EINVAL && v2 == -XEN_EINVAL && many == -XEN_EINVAL &&
              none == -XEN_EINVAL && count_domains() == 2,
          "createdomain_einval", "no HAP %ld, xs_domain %ld, GICv2 %ld, 65 vCPUs %ld, none %ld",
          no_hap, xs, v2, many, none);
    op = create_op(0);
    memcpy(ro_page, &op, sizeof(op));
    r = domctl((struct xen_domctl *)va_ro);
    check(r == -XEN_EFAULT && count_domains() == 2, "createdomain_readonly_efault",
          "struct in a read-only page: %ld, nothing made", r);
}

/* libxl's createdomain unless the configuration sets max_grant_frames: -1 for both grant
 * limits, the hypervisor's defaults.  The domain is destroyed again at once. */
static void create_default_grant_limits(void)
{
    uint64_t before = free_pages();
    struct xen_domctl op = create_op(0);
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = -1;
    long r = domctl(&op);
    domid_t id = op.domain;
    check(r == 0 && id != 0 && id != self_id && id != peer_id && count_domains() == 3,
          "createdomain_default_grants", "grant and maptrack frames -1: %ld, domain %u", r, id);
    if (r)
        return;
    r = simple(XEN_DOMCTL_destroydomain, id);
    bool back = WAIT_EVENT(free_pages() == before);
    check(r == 0 && gone(id) && count_domains() == 2 && back, "createdomain_default_grants_destroy",
          "%ld; %u listed; free pages %lu, %lu before", r, count_domains(), free_pages(), before);
}

/* The peer powers off (its configuration preserves it), shows it in its flags, and is then
 * destroyed: gone from getdomaininfo and the list. */
static void shutdown_and_destroy(void)
{
    struct sched_remote_shutdown rs = { .domain_id = peer_id, .reason = SHUTDOWN_poweroff };
    long r = xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, (uintptr_t)&rs, 0, 0, 0);
    bool down = WAIT_EVENT(flags_of(peer_id) & XEN_DOMINF_shutdown);
    uint32_t f = flags_of(peer_id);
    check(r == 0 && down && f >> XEN_DOMINF_shutdownshift == SHUTDOWN_poweroff, "shutdown_flags",
          "remote shutdown %ld; flags %#x: shut down, code poweroff", r, f);
    r = simple(XEN_DOMCTL_destroydomain, self_id);
    check(r == -XEN_EINVAL, "destroydomain_self_einval", "destroying oneself: %ld", r);
    r = simple(XEN_DOMCTL_destroydomain, peer_id);
    struct xen_domctl_getdomaininfo info;
    long g = info_of(peer_id, &info);
    bool gone = g == -XEN_ESRCH || (g == 0 && info.domain != peer_id);
    uint32_t n = 0;
    long l = list_domains(0, 8, (uintptr_t)list, &n);
    check(r == 0 && gone && l == 0 && n == 1 && list[0].domain == self_id, "destroydomain",
          "%ld; then getdomaininfo %ld, %u domain(s) listed", r, g, n);
    r = simple(XEN_DOMCTL_destroydomain, peer_id);
    check(r == -XEN_ESRCH, "destroydomain_again", "the domain is gone: %ld", r);
}

void guest_main(void *dtb)
{
    if (!plat.hypervisor) {
        note("control: no hypervisor, no toolstack calls to test");
        return;
    }
    pcpus = (unsigned)bootarg_u64("guest.pcpus", 0);
    va_unmapped = mmu_scratch_va(3);
    mmu_scratch_unmap(3);
    va_ro = mmu_scratch_map(2, (uintptr_t)ro_page, false);
    physinfo();
    sched_id();
    if (!find_domains())
        return;
    /* The peer reports first and then waits in WFI: blocked from then on. */
    bool done = WAIT_EVENT(flags_of(peer_id) & XEN_DOMINF_blocked);
    check(done, "domaininfo_blocked", "the peer waits for an event: flags %#x", flags_of(peer_id));
    getdomaininfo();
    cpupools();
    cpupool_changes();
    cpupools();
    numainfo();
    cputopoinfo();
    pause_unpause();
    max_mem();
    vcpus();
    vcpu_affinity();
    address_sizes();
    nodeaffinity();
    scheduler_op();
    domain_handle();
    read_console();
    errors();
    console_read();
    acquire_resource();
    create_domains();
    create_default_grant_limits();
    shutdown_and_destroy();
}
