/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's calls, domctl (36) and sysctl (35), from a control domain (option control=1,
 * the runner's --control): a struct xen_domctl or xen_sysctl in the hypercall buffer with the
 * right interface version (mostly) or a wrong one, every command Keel implements and others,
 * target domains that are this one (its id, DOMID_SELF), the neighbour, ids nobody has and
 * reserved ids, and random argument structs whose guest handles are drawn like every other
 * pointer of the fuzzer; also inside multicalls.
 *
 * What would end or stop this domain or the neighbour is kept out (ctl_sanitize()): the
 * domains found at boot ("protected": this one, the neighbour, DOMID_SELF) are never
 * destroyed, paused for longer than the unpause that follows at once, given less memory,
 * a new vCPU count, other scheduling parameters, another vCPU or NUMA node affinity or another
 * address size; every command of Xen's numbering (below 100) that is not known to be harmless
 * goes to an id nobody has instead; sysctl changes only pools it makes itself (ids from
 * 0x10000 up, which never get a pCPU or a domain), and a credit time slice is only ever set
 * to what it already is.  See docs/reliability.md.
 */
#include <stddef.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/version.h>
#include "arm.h"
#include "console.h"
#include "fuzz.h"
#include "xen.h"

#define MAX_IDS 64     /* Keel's MAX_DOMAINS: ids below it may name a domain */
#define XEN_CMDS 100   /* Xen 4.17's domctl and sysctl numbers are all below this */
#define NESTED_SLOTS 8 /* as many as a multicall of the fuzzer has entries */
#define AFF_BYTES 256  /* a hard-affinity bitmap of up to 2048 pCPUs */
#define MC_ENTRIES 4
#define RC_BUCKETS 128
#define MC_UNSET 0x5a5a5a5a5a5a5a5aUL /* a multicall entry's result before it runs */

/* What is known of the domains, found once at boot by the boot vCPU. */
static struct {
    bool ready;
    domid_t self, nb; /* nb: the other domain listed (the neighbour), or DOMID_INVALID */
    uint64_t self_kb, nb_kb;
    domid_t listed[8];
    unsigned nr_listed;
} ids;

/* Per vCPU and only ever written by the calls built here (not in the hypercall buffer, so no
 * other call can rewrite them): structs of nested calls, the preparatory calls' structs, the
 * affinity bitmap that is read back before being set again. */
static struct ctl_private {
    union {
        struct xen_domctl d;
        struct xen_sysctl s;
    } nested[NESTED_SLOTS];
    struct xen_domctl prep_d;
    struct xen_sysctl prep_s;
    uint8_t aff[AFF_BYTES];
    unsigned next_slot;
    uint64_t rc[RC_BUCKETS]; /* results: bucket -rc, the last for anything else */
    long first_other;
    uint64_t pauses, redirected, kept; /* sanitizer: pause/unpause pairs, ids replaced,
                                        * settings read back before being set */
} priv[FZ_MAX_CPUS] __attribute__((aligned(4096)));

static struct xen_domctl_getdomaininfo boot_list[8];

static bool protected_id(uint32_t id)
{
    if (id == DOMID_SELF || (!ids.ready && id < MAX_IDS))
        return true; /* not knowing who is who, every id that may name a domain */
    for (unsigned i = 0; i < ids.nr_listed; i++)
        if (ids.listed[i] == id)
            return true;
    return false;
}

/* An id that names no domain and is no reserved name: above Keel's last, or one below it
 * nobody had at boot. */
static domid_t absent_id(struct fz_cpu *c)
{
    for (;;) {
        uint32_t id = rnd_below(c, 2)
                          ? MAX_IDS + (uint32_t)rnd_below(c, DOMID_FIRST_RESERVED - MAX_IDS)
                          : (uint32_t)rnd_below(c, MAX_IDS);
        if (!protected_id(id))
            return (domid_t)id;
    }
}

static domid_t target_id(struct fz_cpu *c)
{
    switch (rnd_below(c, 10)) {
    case 0:
    case 1:
        return ids.self;
    case 2:
        return DOMID_SELF;
    case 3:
    case 4:
    case 5:
        return ids.nb;
    case 6:
        return absent_id(c);
    case 7: /* the reserved names: DOMID_SELF, IO, XEN, COW, INVALID, IDLE... */
        return (domid_t)(DOMID_FIRST_RESERVED + rnd_below(c, 16));
    case 8:
        return (domid_t)rnd_below(c, 4);
    default:
        return (domid_t)rnd(c);
    }
}

/* ---- boot ---- */

static long domctl_at(void *op)
{
    return xen_hypercall(HYPERVISOR_domctl, (uintptr_t)op, 0, 0, 0, 0);
}

static long sysctl_at(void *op)
{
    return xen_hypercall(HYPERVISOR_sysctl, (uintptr_t)op, 0, 0, 0, 0);
}

static bool same16(const uint8_t *a, const uint8_t *b)
{
    for (unsigned i = 0; i < 16; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

void fz_ctl_init(void)
{
    if (!fz.opt.control)
        return;
    uint8_t handle[16];
    static struct xen_sysctl op;
    op.cmd = XEN_SYSCTL_getdomaininfolist;
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    op.u.getdomaininfolist.first_domain = 0;
    op.u.getdomaininfolist.max_domains = ARRAY_SIZE(boot_list);
    op.u.getdomaininfolist.buffer = (uintptr_t)boot_list;
    long r1 =
        xen_hypercall(HYPERVISOR_xen_version, XENVER_guest_handle, (uintptr_t)handle, 0, 0, 0);
    long r2 = sysctl_at(&op);
    unsigned n = op.u.getdomaininfolist.num_domains;
    ids.self = ids.nb = DOMID_INVALID;
    for (unsigned i = 0; !r1 && !r2 && i < n && i < ARRAY_SIZE(boot_list); i++) {
        const struct xen_domctl_getdomaininfo *d = &boot_list[i];
        ids.listed[ids.nr_listed++] = d->domain;
        if (same16(d->handle, handle) && ids.self == DOMID_INVALID) {
            ids.self = d->domain;
            ids.self_kb = d->max_pages << 2;
        } else if (ids.nb == DOMID_INVALID) {
            ids.nb = d->domain;
            ids.nb_kb = d->max_pages << 2;
        }
    }
    /* Without knowing who we are nothing here is safe: the kind stays off. */
    ids.ready = ids.self != DOMID_INVALID;
    printf("FUZZ-CTL control=1 %s: self=%u neighbour=%u domains=%u (handle %ld, list %ld)\n",
           ids.ready ? "on" : "off", ids.self, ids.nb, ids.nr_listed, r1, r2);
    if (!ids.ready)
        fz.opt.kinds &= ~(1u << K_CTL);
}

/* ---- building a call ---- */

static void wr(struct fz_cpu *c, uint64_t va, unsigned off, uint64_t v, unsigned size)
{
    uint64_t end = fz_hbuf_end(c);
    bool bounded = va >= c->hbuf_va && va < end;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = va + off + i;
        if (bounded && a >= end)
            return;
        *(volatile uint8_t *)(uintptr_t)a = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t rd(uint64_t va, unsigned off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t) * (volatile uint8_t *)(uintptr_t)(va + off + i) << (8 * i);
    return v;
}

#define W(c, va, type, field, v)                                                                   \
    wr(c, va, offsetof(type, field), (uint64_t)(v), sizeof(((type *)0)->field))
#define R(va, type, field) rd(va, offsetof(type, field), sizeof(((type *)0)->field))
#define DU offsetof(struct xen_domctl, u)
#define SU offsetof(struct xen_sysctl, u)

/* A guest handle inside an argument: a pointer as the fuzzer draws them, its bytes random. */
static uint64_t handle(struct fz_cpu *c)
{
    bool valid;
    uint64_t p = fz_pointer(c, &valid);
    if (valid)
        for (uint64_t a = p; a < p + 64 && a < fz_hbuf_end(c); a++)
            *(volatile uint8_t *)(uintptr_t)a = (uint8_t)rnd(c);
    return p;
}

static uint32_t small_or_any(struct fz_cpu *c, uint32_t below)
{
    return rnd_below(c, 4) ? (uint32_t)rnd_below(c, below) : (uint32_t)fz_value(c);
}

static uint32_t nr_bits(struct fz_cpu *c)
{
    static const uint32_t v[] = { 0, 1, 2, 4, 8, 31, 32, 64, 65, 1024, 0x7fffffff, 0xffffffff };
    return rnd_below(c, 4) ? v[rnd_below(c, ARRAY_SIZE(v))] : (uint32_t)rnd(c);
}

static void bitmap(struct fz_cpu *c, uint64_t va, unsigned off)
{
    wr(c, va, off + offsetof(struct xenctl_bitmap, bitmap), handle(c), 8);
    wr(c, va, off + offsetof(struct xenctl_bitmap, nr_bits), nr_bits(c), 4);
}

static uint32_t sched_id(struct fz_cpu *c)
{
    static const uint32_t v[] = { XEN_SCHEDULER_CREDIT,  XEN_SCHEDULER_CREDIT,
                                  XEN_SCHEDULER_CREDIT2, XEN_SCHEDULER_ARINC653,
                                  XEN_SCHEDULER_RTDS,    XEN_SCHEDULER_NULL };
    return rnd_below(c, 8) ? v[rnd_below(c, ARRAY_SIZE(v))] : (uint32_t)fz_value(c);
}

/* A guest's word size in bits: mostly AArch64's 64 or AArch32's 32. */
static uint32_t address_size(struct fz_cpu *c)
{
    static const uint32_t v[] = { 64, 64, 32, 0, 16, 63, 65, 128 };
    return rnd_below(c, 8) ? v[rnd_below(c, ARRAY_SIZE(v))] : (uint32_t)fz_value(c);
}

/* The array handle of a sysctl that asks for a count when its handles are null: null one
 * time in three. */
static uint64_t handle_or_null(struct fz_cpu *c)
{
    return rnd_below(c, 3) ? handle(c) : 0;
}

/* Commands Keel implements, drawn twice as often as the others of Xen's (command()). */
static const uint32_t domctl_keel[] = {
    XEN_DOMCTL_destroydomain,
    XEN_DOMCTL_pausedomain,
    XEN_DOMCTL_unpausedomain,
    XEN_DOMCTL_getdomaininfo,
    XEN_DOMCTL_setvcpuaffinity,
    XEN_DOMCTL_max_mem,
    XEN_DOMCTL_getvcpuinfo,
    XEN_DOMCTL_max_vcpus,
    XEN_DOMCTL_scheduler_op,
    XEN_DOMCTL_setdomainhandle,
    XEN_DOMCTL_getvcpuaffinity,
    XEN_DOMCTL_createdomain,
    XEN_DOMCTL_setvcpucontext,
    XEN_DOMCTL_getvcpucontext,
    XEN_DOMCTL_cacheflush,
    XEN_DOMCTL_get_paging_mempool_size,
    XEN_DOMCTL_set_paging_mempool_size,
    XEN_DOMCTL_set_address_size,
    XEN_DOMCTL_get_address_size,
    XEN_DOMCTL_setnodeaffinity,
    XEN_DOMCTL_getnodeaffinity,
};

static const uint32_t domctl_xen[] = {
    XEN_DOMCTL_shadow_op,        XEN_DOMCTL_setdebugging,    XEN_DOMCTL_irq_permission,
    XEN_DOMCTL_iomem_permission, XEN_DOMCTL_settimeoffset,   XEN_DOMCTL_resumedomain,
    XEN_DOMCTL_assign_device,    XEN_DOMCTL_bind_pt_irq,     XEN_DOMCTL_memory_mapping,
    XEN_DOMCTL_set_target,       XEN_DOMCTL_deassign_device, XEN_DOMCTL_unbind_pt_irq,
    XEN_DOMCTL_soft_reset,       XEN_DOMCTL_vuart_op,
};

static const uint32_t sysctl_keel[] = {
    XEN_SYSCTL_readconsole,       XEN_SYSCTL_physinfo,   XEN_SYSCTL_sched_id,
    XEN_SYSCTL_getdomaininfolist, XEN_SYSCTL_cpupool_op, XEN_SYSCTL_scheduler_op,
    XEN_SYSCTL_cputopoinfo,       XEN_SYSCTL_numainfo,
};

static const uint32_t sysctl_xen[] = {
    XEN_SYSCTL_tbuf_op,   XEN_SYSCTL_debug_keys,  XEN_SYSCTL_getcpuinfo,
    XEN_SYSCTL_availheap, XEN_SYSCTL_pcitopoinfo, XEN_SYSCTL_livepatch_op,
};

/* 13 in 16 a listed command, Keel's (nk of them) twice as likely as Xen's others (nx); else
 * 0-127 or anything. */
static uint32_t command(struct fz_cpu *c, const uint32_t *keel, unsigned nk, const uint32_t *xen,
                        unsigned nx)
{
    unsigned r = (unsigned)rnd_below(c, 16);
    if (r >= 13)
        return r < 15 ? (uint32_t)rnd_below(c, 128) : (uint32_t)rnd(c);
    unsigned i = (unsigned)rnd_below(c, 2 * nk + nx);
    return i < 2 * nk ? keel[i % nk] : xen[i - 2 * nk];
}

static uint32_t version(struct fz_cpu *c, uint32_t right)
{
    switch (rnd_below(c, 16)) {
    case 0:
        return right - 1;
    case 1:
        return right + 1;
    case 2:
        return (uint32_t)fz_value(c);
    default:
        return right;
    }
}

/* A random domctl at va (its bytes may run into the guard page: writes stop there). */
static void build_domctl(struct fz_cpu *c, uint64_t va)
{
    for (unsigned i = 0; i < sizeof(struct xen_domctl); i += 8)
        wr(c, va, i, rnd_below(c, 4) ? 0 : rnd(c), 8);
    uint32_t cmd =
        command(c, domctl_keel, ARRAY_SIZE(domctl_keel), domctl_xen, ARRAY_SIZE(domctl_xen));
    W(c, va, struct xen_domctl, cmd, cmd);
    W(c, va, struct xen_domctl, interface_version, version(c, XEN_DOMCTL_INTERFACE_VERSION));
    W(c, va, struct xen_domctl, domain, target_id(c));
    switch (cmd) {
    case XEN_DOMCTL_max_mem:
        wr(c, va, DU, rnd_below(c, 2) ? rnd_below(c, 1UL << 20) : fz_value(c), 8);
        break;
    case XEN_DOMCTL_getvcpuinfo:
    case XEN_DOMCTL_max_vcpus:
        wr(c, va, DU, small_or_any(c, 6), 4);
        break;
    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity: {
        typedef struct xen_domctl_vcpuaffinity A;
        wr(c, va, DU + offsetof(A, vcpu), small_or_any(c, 6), 4);
        wr(c, va, DU + offsetof(A, flags), small_or_any(c, 8), 4);
        bitmap(c, va, DU + offsetof(A, cpumap_hard));
        bitmap(c, va, DU + offsetof(A, cpumap_soft));
        break;
    }
    case XEN_DOMCTL_scheduler_op: {
        typedef struct xen_domctl_scheduler_op S;
        wr(c, va, DU + offsetof(S, sched_id), sched_id(c), 4);
        wr(c, va, DU + offsetof(S, cmd), small_or_any(c, 5), 4);
        if (rnd_below(c, 3) == 0) {
            wr(c, va, DU + offsetof(S, u.v.vcpus), handle(c), 8);
            wr(c, va, DU + offsetof(S, u.v.nr_vcpus), small_or_any(c, 8), 4);
        } else {
            wr(c, va, DU + offsetof(S, u), fz_value(c), 8);
            wr(c, va, DU + offsetof(S, u) + 8, rnd_below(c, 2) ? rnd_below(c, 20000) : rnd(c), 4);
        }
        break;
    }
    case XEN_DOMCTL_set_address_size:
    case XEN_DOMCTL_get_address_size:
        wr(c, va, DU + offsetof(struct xen_domctl_address_size, size), address_size(c), 4);
        break;
    case XEN_DOMCTL_setnodeaffinity:
    case XEN_DOMCTL_getnodeaffinity:
        bitmap(c, va, DU + offsetof(struct xen_domctl_nodeaffinity, nodemap));
        break;
    default:
        break;
    }
}

static void build_sysctl(struct fz_cpu *c, uint64_t va)
{
    for (unsigned i = 0; i < sizeof(struct xen_sysctl); i += 8)
        wr(c, va, i, rnd_below(c, 4) ? 0 : rnd(c), 8);
    uint32_t cmd =
        command(c, sysctl_keel, ARRAY_SIZE(sysctl_keel), sysctl_xen, ARRAY_SIZE(sysctl_xen));
    W(c, va, struct xen_sysctl, cmd, cmd);
    W(c, va, struct xen_sysctl, interface_version, version(c, XEN_SYSCTL_INTERFACE_VERSION));
    switch (cmd) {
    case XEN_SYSCTL_readconsole: {
        typedef struct xen_sysctl_readconsole S;
        wr(c, va, SU + offsetof(S, clear), rnd_below(c, 3) == 0, 1);
        wr(c, va, SU + offsetof(S, incremental), rnd_below(c, 2), 1);
        wr(c, va, SU + offsetof(S, index), rnd_below(c, 2) ? rnd_below(c, 1 << 16) : rnd(c), 4);
        wr(c, va, SU + offsetof(S, buffer), handle(c), 8);
        wr(c, va, SU + offsetof(S, count), small_or_any(c, 20000), 4);
        break;
    }
    case XEN_SYSCTL_getdomaininfolist: {
        typedef struct xen_sysctl_getdomaininfolist S;
        wr(c, va, SU + offsetof(S, first_domain), target_id(c), 2);
        wr(c, va, SU + offsetof(S, max_domains), small_or_any(c, 6), 4);
        wr(c, va, SU + offsetof(S, buffer), handle(c), 8);
        break;
    }
    case XEN_SYSCTL_cpupool_op: {
        typedef struct xen_sysctl_cpupool_op S;
        wr(c, va, SU + offsetof(S, op), small_or_any(c, 9), 4);
        wr(c, va, SU + offsetof(S, cpupool_id),
           rnd_below(c, 4)   ? rnd_below(c, 3)
           : rnd_below(c, 2) ? XEN_SYSCTL_CPUPOOL_PAR_ANY
                             : rnd(c),
           4);
        wr(c, va, SU + offsetof(S, sched_id), sched_id(c), 4);
        wr(c, va, SU + offsetof(S, domid), target_id(c), 4);
        wr(c, va, SU + offsetof(S, cpu), small_or_any(c, 4), 4);
        bitmap(c, va, SU + offsetof(S, cpumap));
        break;
    }
    case XEN_SYSCTL_scheduler_op: {
        typedef struct xen_sysctl_scheduler_op S;
        wr(c, va, SU + offsetof(S, cpupool_id), rnd_below(c, 4) ? rnd_below(c, 2) : rnd(c), 4);
        wr(c, va, SU + offsetof(S, sched_id), sched_id(c), 4);
        wr(c, va, SU + offsetof(S, cmd), small_or_any(c, 3), 4);
        wr(c, va, SU + offsetof(S, u.sched_credit.tslice_ms), small_or_any(c, 1200), 4);
        wr(c, va, SU + offsetof(S, u.sched_credit.ratelimit_us),
           rnd_below(c, 2) ? 0 : small_or_any(c, 600000), 4);
        wr(c, va, SU + offsetof(S, u.sched_credit.vcpu_migr_delay_us),
           rnd_below(c, 2) ? 0 : small_or_any(c, 200000), 4);
        break;
    }
    case XEN_SYSCTL_cputopoinfo: {
        typedef struct xen_sysctl_cputopoinfo S;
        wr(c, va, SU + offsetof(S, num_cpus), small_or_any(c, 8), 4);
        wr(c, va, SU + offsetof(S, cputopo), handle_or_null(c), 8);
        break;
    }
    case XEN_SYSCTL_numainfo: {
        typedef struct xen_sysctl_numainfo S;
        wr(c, va, SU + offsetof(S, num_nodes), small_or_any(c, 4), 4);
        wr(c, va, SU + offsetof(S, meminfo), handle_or_null(c), 8);
        wr(c, va, SU + offsetof(S, distance), handle_or_null(c), 8);
        break;
    }
    default:
        break;
    }
}

/* ---- sanitizing ---- */

/* Whether a domctl command may reach a protected domain as it is: only what reads, what only
 * unpauses, and what changes nothing a domain depends on (its handle). */
static bool domctl_harmless(uint32_t cmd)
{
    switch (cmd) {
    case XEN_DOMCTL_getdomaininfo:
    case XEN_DOMCTL_unpausedomain:
    case XEN_DOMCTL_getvcpuinfo:
    case XEN_DOMCTL_getvcpuaffinity:
    case XEN_DOMCTL_setdomainhandle:
    case XEN_DOMCTL_get_address_size:
    case XEN_DOMCTL_getnodeaffinity:
    case XEN_DOMCTL_get_paging_mempool_size:
        return true;
    default:
        return cmd >= XEN_CMDS; /* no command of Xen's: refused as unknown */
    }
}

static bool sysctl_harmless(uint32_t cmd)
{
    switch (cmd) {
    case XEN_SYSCTL_readconsole: /* clear only forgets console history */
    case XEN_SYSCTL_physinfo:
    case XEN_SYSCTL_sched_id:
    case XEN_SYSCTL_getdomaininfolist:
    case XEN_SYSCTL_getcpuinfo:
    case XEN_SYSCTL_availheap:
    case XEN_SYSCTL_cputopoinfo:
    case XEN_SYSCTL_numainfo:
    case XEN_SYSCTL_pcitopoinfo:
    case XEN_SYSCTL_cpupool_op:   /* sanitized below */
    case XEN_SYSCTL_scheduler_op: /* sanitized below */
        return true;
    default:
        return cmd >= XEN_CMDS;
    }
}

/* What must follow the call. */
struct ctl_after {
    bool unpause;
    domid_t dom;
};

/* This vCPU's struct for a call of the sanitizer's own: cmd on dom, no arguments yet. */
static struct xen_domctl *prep_domctl(struct fz_cpu *c, uint32_t cmd, domid_t dom)
{
    struct xen_domctl *op = &priv[c->idx].prep_d;
    for (unsigned i = 0; i < sizeof(*op); i++)
        ((volatile uint8_t *)op)[i] = 0;
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return op;
}

static long prep_getaffinity(struct fz_cpu *c, domid_t dom, uint32_t vcpu, uint32_t bits)
{
    struct xen_domctl *op = prep_domctl(c, XEN_DOMCTL_getvcpuaffinity, dom);
    op->u.vcpuaffinity.vcpu = vcpu;
    op->u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    op->u.vcpuaffinity.cpumap_hard.bitmap = (uintptr_t)priv[c->idx].aff;
    op->u.vcpuaffinity.cpumap_hard.nr_bits = bits;
    return domctl_at(op);
}

/* dom's NUMA node affinity into this vCPU's affinity bitmap, bits long. */
static long prep_getnodeaffinity(struct fz_cpu *c, domid_t dom, uint32_t bits)
{
    struct xen_domctl *op = prep_domctl(c, XEN_DOMCTL_getnodeaffinity, dom);
    op->u.nodeaffinity.nodemap.bitmap = (uintptr_t)priv[c->idx].aff;
    op->u.nodeaffinity.nodemap.nr_bits = bits;
    return domctl_at(op);
}

/* dom's address size in *size. */
static long prep_get_address_size(struct fz_cpu *c, domid_t dom, uint32_t *size)
{
    struct xen_domctl *op = prep_domctl(c, XEN_DOMCTL_get_address_size, dom);
    long rc = domctl_at(op);
    *size = op->u.address_size.size;
    return rc;
}

/* A domctl at va (entirely in the buffer, or a nested call's private struct) made safe.
 * top: a top-level call, which may be prepared by calls of its own (nested ones are read only
 * when their turn comes, so they get the plain harmless variants). */
static void sanitize_domctl(struct fz_cpu *c, uint64_t va, bool top, struct ctl_after *after)
{
    typedef struct xen_domctl D;
    uint32_t cmd = (uint32_t)R(va, D, cmd);
    domid_t dom = (domid_t)R(va, D, domain);
    if (!protected_id(dom) || domctl_harmless(cmd))
        return;
    bool self = dom == DOMID_SELF || dom == ids.self;
    switch (ids.ready ? cmd : 0) {
    case XEN_DOMCTL_pausedomain: /* the neighbour only, unpaused at once */
        if (top && !self) {
            after->unpause = true;
            after->dom = dom;
            return;
        }
        break;
    case XEN_DOMCTL_max_mem: /* what it has: never below what it holds */
        wr(c, va, DU, self ? ids.self_kb : ids.nb_kb, 8);
        return;
    case XEN_DOMCTL_scheduler_op: { /* putinfo and putvcpuinfo read instead */
        typedef struct xen_domctl_scheduler_op S;
        uint32_t sc = (uint32_t)rd(va, DU + offsetof(S, cmd), 4);
        if (sc == XEN_DOMCTL_SCHEDOP_putinfo || sc == XEN_DOMCTL_SCHEDOP_putvcpuinfo)
            wr(c, va, DU + offsetof(S, cmd), sc + 1, 4);
        return;
    }
    case XEN_DOMCTL_setvcpuaffinity: { /* the hard affinity it has, read just before */
        typedef struct xen_domctl_vcpuaffinity A;
        uint32_t flags = (uint32_t)rd(va, DU + offsetof(A, flags), 4);
        if (!(flags & XEN_VCPUAFFINITY_HARD))
            return; /* soft affinity is only reported back */
        if (top) {
            uint32_t vcpu = (uint32_t)rd(va, DU + offsetof(A, vcpu), 4);
            uint32_t bits = 64 + (uint32_t)rnd_below(c, AFF_BYTES * 8 - 64 + 1);
            if (prep_getaffinity(c, dom, vcpu, bits) == 0) {
                wr(c, va, DU + offsetof(A, cpumap_hard.bitmap), (uintptr_t)priv[c->idx].aff, 8);
                wr(c, va, DU + offsetof(A, cpumap_hard.nr_bits), bits, 4);
                priv[c->idx].kept++;
                return;
            }
        }
        break;
    }
    case XEN_DOMCTL_set_address_size: { /* the size it has, read just before */
        uint32_t size;
        if (top && prep_get_address_size(c, dom, &size) == 0) {
            wr(c, va, DU + offsetof(struct xen_domctl_address_size, size), size, 4);
            priv[c->idx].kept++;
            return;
        }
        break;
    }
    case XEN_DOMCTL_setnodeaffinity: { /* the nodes it has, read just before */
        typedef struct xen_domctl_nodeaffinity N;
        if (top) {
            uint32_t bits = 1 + (uint32_t)rnd_below(c, AFF_BYTES * 8);
            if (prep_getnodeaffinity(c, dom, bits) == 0) {
                wr(c, va, DU + offsetof(N, nodemap.bitmap), (uintptr_t)priv[c->idx].aff, 8);
                wr(c, va, DU + offsetof(N, nodemap.nr_bits), bits, 4);
                priv[c->idx].kept++;
                return;
            }
        }
        break;
    }
    default:
        break;
    }
    W(c, va, D, domain, absent_id(c)); /* destroy, max_vcpus, everything else of Xen's */
    priv[c->idx].redirected++;
}

static void sanitize_sysctl(struct fz_cpu *c, uint64_t va, bool top)
{
    typedef struct xen_sysctl S;
    uint32_t cmd = (uint32_t)R(va, S, cmd);
    if (!sysctl_harmless(cmd)) {
        W(c, va, S, interface_version, XEN_SYSCTL_INTERFACE_VERSION + 1 + rnd_below(c, 16));
        return;
    }
    if (cmd == XEN_SYSCTL_cpupool_op) {
        /* A change names a pool id from 0x10000 up: CREATE makes an empty pool there (until
         * the table is full: -ENOMEM) and DESTROY removes it; ADDCPU finds no free pCPU (none
         * is ever removed), RMCPU none in it, MOVEDOMAIN a domain nobody has.  Keel's own
         * pools and the neighbour never change. */
        typedef struct xen_sysctl_cpupool_op P;
        uint32_t op = (uint32_t)rd(va, SU + offsetof(P, op), 4);
        if (op != XEN_SYSCTL_CPUPOOL_OP_INFO && op != XEN_SYSCTL_CPUPOOL_OP_FREEINFO) {
            wr(c, va, SU + offsetof(P, cpupool_id), 0x10000 + rnd_below(c, 0x10000), 4);
            wr(c, va, SU + offsetof(P, domid), absent_id(c), 4);
        }
    } else if (cmd == XEN_SYSCTL_scheduler_op) {
        /* putinfo keeps the slice it finds (read just before); nested, it reads instead. */
        typedef struct xen_sysctl_scheduler_op P;
        if (rd(va, SU + offsetof(P, cmd), 4) != XEN_SYSCTL_SCHEDOP_putinfo)
            return;
        struct xen_sysctl *g = &priv[c->idx].prep_s;
        if (top) {
            for (unsigned i = 0; i < sizeof(*g); i++)
                ((volatile uint8_t *)g)[i] = 0;
            g->cmd = XEN_SYSCTL_scheduler_op;
            g->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
            g->u.scheduler_op.cpupool_id = (uint32_t)rd(va, SU + offsetof(P, cpupool_id), 4);
            g->u.scheduler_op.sched_id = (uint32_t)rd(va, SU + offsetof(P, sched_id), 4);
            g->u.scheduler_op.cmd = XEN_SYSCTL_SCHEDOP_getinfo;
            if (sysctl_at(g) == 0) {
                if (g->u.scheduler_op.sched_id == XEN_SCHEDULER_CREDIT)
                    wr(c, va, SU + offsetof(P, u.sched_credit.tslice_ms),
                       g->u.scheduler_op.u.sched_credit.tslice_ms, 4);
                else /* credit2's rate limit, or whatever another has: as it is */
                    for (unsigned i = 0; i < 16; i++)
                        wr(c, va, SU + offsetof(P, u) + i,
                           ((volatile uint8_t *)&g->u.scheduler_op.u)[i], 1);
                priv[c->idx].kept++;
                return;
            }
        }
        wr(c, va, SU + offsetof(P, cmd), XEN_SYSCTL_SCHEDOP_getinfo, 4);
    }
}

static bool struct_in_buffer(struct fz_cpu *c, uint64_t va, uint64_t n)
{
    uint64_t end = fz_hbuf_end(c);
    return va >= c->hbuf_va && va < end && n <= end - va;
}

/* A top-level domctl or sysctl whose struct is at va (any hypercall of the random kind):
 * made safe if the hypervisor can read it at all.  Returns what must follow the call. */
static struct ctl_after sanitize_top(struct fz_cpu *c, uint64_t nr, uint64_t va)
{
    struct ctl_after after = { false, 0 };
    if ((uint32_t)nr == HYPERVISOR_domctl && struct_in_buffer(c, va, sizeof(struct xen_domctl)))
        sanitize_domctl(c, va, true, &after);
    else if ((uint32_t)nr == HYPERVISOR_sysctl &&
             struct_in_buffer(c, va, sizeof(struct xen_sysctl)))
        sanitize_sysctl(c, va, true);
    return after;
}

static void count(struct fz_cpu *c, long rc)
{
    uint64_t b = (uint64_t)-rc;
    if (b >= RC_BUCKETS - 1 && !priv[c->idx].first_other)
        priv[c->idx].first_other = rc;
    priv[c->idx].rc[b < RC_BUCKETS - 1 ? b : RC_BUCKETS - 1]++;
}

static void finish(struct fz_cpu *c, const struct ctl_after *after, long rc)
{
    count(c, rc);
    if (!after->unpause || rc != 0)
        return;
    priv[c->idx].pauses++;
    long r = domctl_at(prep_domctl(c, XEN_DOMCTL_unpausedomain, after->dom));
    if (r)
        printf("FUZZ-NOTE vcpu %u: unpausedomain %u after pausing it: %ld\n", c->idx, after->dom,
               r);
}

long fz_ctl_call(struct fz_cpu *c, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                 uint64_t a4)
{
    struct ctl_after after = sanitize_top(c, nr, a0);
    long rc = (long)xen_hypercall(nr, a0, a1, a2, a3, a4);
    finish(c, &after, rc);
    return rc;
}

/* A nested domctl or sysctl: its struct is one of this vCPU's private slots (no earlier entry
 * can rewrite it), built and sanitized now; or the guard page. */
uint64_t fz_ctl_nested(struct fz_cpu *c, uint64_t nr)
{
    if (!ids.ready || rnd_below(c, 4) == 0)
        return fz_hbuf_end(c) + rnd_below(c, 4096);
    struct ctl_private *p = &priv[c->idx];
    uint64_t va = (uintptr_t)&p->nested[p->next_slot++ % NESTED_SLOTS];
    if ((uint32_t)nr == HYPERVISOR_domctl) {
        struct ctl_after after = { false, 0 };
        build_domctl(c, va);
        sanitize_domctl(c, va, false, &after);
    } else {
        build_sysctl(c, va);
        sanitize_sysctl(c, va, false);
    }
    return va;
}

/* The operation: one call at an address in the buffer (mostly with room for the struct), at
 * any other pointer, or a multicall of a few of them. */
void fz_op_ctl(struct fz_cpu *c)
{
    if (rnd_below(c, 8) == 0) {
        uint64_t list = c->hbuf_va + (rnd_below(c, HBUF_PAGES * 4096UL - 512) & ~7UL);
        unsigned n = 1 + (unsigned)rnd_below(c, MC_ENTRIES);
        uint64_t nr[MC_ENTRIES], arg[MC_ENTRIES][6];
        for (unsigned i = 0; i < n; i++) {
            nr[i] = rnd_below(c, 2) ? HYPERVISOR_domctl : HYPERVISOR_sysctl;
            arg[i][0] = fz_ctl_nested(c, nr[i]);
            for (unsigned k = 1; k < 6; k++)
                arg[i][k] = fz_value(c);
        }
        /* The list last: building the entries filled buffers that may lie on it. */
        for (unsigned i = 0; i < n; i++) {
            uint64_t e = list + i * sizeof(struct multicall_entry);
            wr(c, e, offsetof(struct multicall_entry, op), nr[i], 8);
            wr(c, e, offsetof(struct multicall_entry, result), MC_UNSET, 8);
            for (unsigned k = 0; k < 6; k++)
                wr(c, e, offsetof(struct multicall_entry, args) + 8 * k, arg[i][k], 8);
        }
        exc_expect();
        xen_hypercall(HYPERVISOR_multicall, list, n, 0, 0, 0);
        fz_done(c, K_CTL);
        for (unsigned i = 0; i < n; i++) {
            uint64_t r = rd(list + i * sizeof(struct multicall_entry),
                            offsetof(struct multicall_entry, result), 8);
            if (r != MC_UNSET) /* the entry ran */
                count(c, (long)r);
        }
        return;
    }
    bool dom = rnd_below(c, 5) < 3;
    uint64_t size = dom ? sizeof(struct xen_domctl) : sizeof(struct xen_sysctl), va;
    bool valid = true;
    switch (rnd_below(c, 8)) {
    case 0:
        va = fz_pointer(c, &valid);
        break;
    case 1: /* misaligned */
        va = c->hbuf_va + rnd_below(c, HBUF_PAGES * 4096UL - size);
        break;
    case 2: /* running into the guard page */
        va = fz_hbuf_end(c) - size + 1 + rnd_below(c, size - 1);
        break;
    default:
        va = c->hbuf_va + (rnd_below(c, HBUF_PAGES * 4096UL - size) & ~7UL);
        break;
    }
    if (valid) {
        if (dom)
            build_domctl(c, va);
        else
            build_sysctl(c, va);
    }
    uint64_t nr = dom ? HYPERVISOR_domctl : HYPERVISOR_sysctl;
    struct ctl_after after = sanitize_top(c, nr, va);
    uint64_t a1 = fz_value(c), a2 = fz_value(c);
    exc_expect();
    long rc = (long)xen_hypercall(nr, va, a1, a2, 0, 0);
    fz_done(c, K_CTL);
    finish(c, &after, rc);
}

/* The results of the calls made here (multicall entries by their result field), over every
 * vCPU, as "-errno:count", and what the sanitizer did. */
void fz_ctl_summary(void)
{
    if (!fz.opt.control)
        return;
    uint64_t rc[RC_BUCKETS] = { 0 }, pauses = 0, redirected = 0, kept = 0;
    for (unsigned i = 0; i < fz.nr_cpus; i++) {
        for (unsigned b = 0; b < RC_BUCKETS; b++)
            rc[b] += priv[i].rc[b];
        pauses += priv[i].pauses;
        redirected += priv[i].redirected;
        kept += priv[i].kept;
        if (priv[i].first_other)
            printf("FUZZ-NOTE vcpu %u: first ctl result outside the buckets: %ld\n", i,
                   priv[i].first_other);
    }
    printf("FUZZ-CTL results");
    for (unsigned b = 0; b < RC_BUCKETS; b++)
        if (rc[b] && b == RC_BUCKETS - 1)
            printf(" other:%lu", rc[b]);
        else if (rc[b])
            printf(" %d:%lu", -(int)b, rc[b]);
    printf(" paused+unpaused=%lu redirected=%lu kept=%lu\n", pauses, redirected, kept);
}
