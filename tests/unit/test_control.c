/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/control/ on kernel structs: getdomaininfo's flags (Xen's blocked/running rule, the
 * shutdown code field, the pause count), the domains a toolstack may see, the targets Xen
 * refuses, max_mem and max_vcpus, scheduler_op mapped onto Keel's policies (credit and
 * credit2 put rules, RTDS, null, a wrong scheduler), vCPU info and affinity, physinfo, and
 * readconsole over the real console ring (incremental reads, clear, a small buffer, a ring
 * that has wrapped).  The domain table, scheduler and page allocator are stand-ins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <hyp/arch/domain.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/gnttab.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/physmap.h>
#include <hyp/sched.h>
#include <hyp/shared_info.h>
#include <hyp/smp.h>

/* --- stand-ins --- */

unsigned nr_cpus = 4;
struct bootinfo bootinfo;

unsigned cpus_online(void)
{
    return 3;
}

bool cpu_online(unsigned cpu)
{
    return cpu < nr_cpus && cpu != 2; /* CPU 2 is offline */
}

void page_alloc_stats(struct page_stats *out)
{
    *out = (struct page_stats){ .total_pages = 1000, .free_pages = 600, .dirty_pages = 50 };
}

void arch_guest_layout(struct guest_layout *out)
{
    *out = (struct guest_layout){ .addr_bits = 40 };
}

paddr_t shared_info_pa(struct domain *d)
{
    return 0x48000000 + d->id * 0x1000;
}

/* Domains 1 (built), 2 (being built) and 3 (built); references counted.  As domain.c does,
 * domain_get and domain_get_next give out only built domains. */
static struct domain doms[4];
static struct vcpu vcpus[4][2];
static int refs;

static struct domain *ref(unsigned id)
{
    if (id < 1 || id > 3 || doms[id].state == DOM_BUILDING)
        return NULL;
    refs++;
    return &doms[id];
}

struct domain *domain_get(unsigned id)
{
    return ref(id);
}

struct domain *domain_get_next(int after)
{
    for (int id = MAX(after + 1, 1); id <= 3; id++)
        if (doms[id].state != DOM_BUILDING)
            return ref((unsigned)id);
    return NULL;
}

void domain_put(struct domain *d)
{
    refs--;
}

static unsigned pauses, unpauses, destroys;

int domain_pause(struct domain *d)
{
    pauses++;
    return 0;
}

int domain_unpause(struct domain *d)
{
    unpauses++;
    return -EINVAL;
}

int domain_destroy(struct domain *d)
{
    return ++destroys < 3 ? -ERESTART : 0;
}

/* The scheduler: one kind for every domain, parameters recorded. */
static enum sched_kind kind;
static struct sched_params params;
static int set_calls;

enum sched_kind sched_default_kind(void)
{
    return kind;
}

unsigned sched_domain_pool(struct domain *d, enum sched_kind *k)
{
    *k = kind;
    return 7;
}

void sched_domain_get_params(struct domain *d, struct sched_params *out)
{
    *out = params;
}

int sched_domain_set_params(struct domain *d, const struct sched_params *sp)
{
    set_calls++;
    if (sp->weight > 65535 || sp->cap > 6400 || sp->budget_us > sp->period_us)
        return -EINVAL;
    params = *sp;
    return 0;
}

static enum sched_kind pool_kind = SCHED_KIND_NULL; /* pool 1's */
static uint64_t slice_ns = 10000000, ratelimit_ns = 1000000;

uint64_t sched_credit_slice_ns(void)
{
    return slice_ns;
}

uint64_t sched_credit_ratelimit_ns(void)
{
    return ratelimit_ns;
}

int sched_credit_set(uint64_t slice, uint64_t ratelimit)
{
    slice_ns = slice;
    ratelimit_ns = ratelimit;
    return 0;
}

static unsigned first_pool = 1; /* pools first_pool..1 exist */

/* The pCPUs every pool reports (0: a pool createdomain cannot use). */
static uint64_t pool_cpus = 0x6;

bool sched_pool_info(unsigned from, unsigned *id, enum sched_kind *k, uint64_t *cpus,
                     unsigned *nr_domains)
{
    if (from > 1)
        return false;
    *id = from < first_pool ? first_pool : from;
    *k = pool_kind;
    *cpus = pool_cpus;
    *nr_domains = 4;
    return true;
}

uint64_t sched_vcpu_time_ns(struct vcpu *v)
{
    return 1000 * (v->id + 1);
}

uint64_t sched_vcpu_affinity(struct vcpu *v)
{
    return 0x5;
}

int sched_vcpu_set_affinity(struct vcpu *v, uint64_t mask, uint64_t *effective)
{
    *effective = mask & 0x7;
    return *effective ? 0 : -EINVAL;
}

/* Guest memory for cacheflush: gfns 0x40000-0x40003 are RAM at 0x80000000 + 4 KiB each,
 * 0x40002 excepted (a hole); cleans and references recorded. */
static uint64_t cleaned[8];
static unsigned nr_cleaned, frame_refs;

int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa)
{
    uint64_t gfn = gpa.a >> PAGE_SHIFT;
    if (gfn < 0x40000 || gfn > 0x40003 || gfn == 0x40002 || !(types & P2M_BIT(P2M_RAM_RW)))
        return -EFAULT;
    *pa = 0x80000000 + ((gfn - 0x40000) << PAGE_SHIFT);
    frame_refs++;
    return 0;
}

void frame_put(paddr_t pa, uint64_t n)
{
    frame_refs -= (unsigned)n;
}

void arch_clean_inval_dcache(const void *p, uint64_t size)
{
    assert_int_equal(size, PAGE_SIZE);
    if (nr_cleaned < 8)
        cleaned[nr_cleaned] = (uint64_t)(uintptr_t)p;
    nr_cleaned++;
}

/* vCPU register state: get reads pc from the stand-in, set records it; states recorded. */
static uint64_t vcpu_pc[2];
static enum vcpu_state set_state;
static int set_state_calls;

void arch_vcpu_get_context(struct vcpu *v, struct vcpu_guest_context *c)
{
    c->user_regs.pc64 = vcpu_pc[v->id];
}

int arch_vcpu_check_context(const struct vcpu_guest_context *c)
{
    return c->user_regs.cpsr == 0x3c9 ? -EINVAL : 0;
}

void arch_vcpu_set_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    vcpu_pc[v->id] = c->user_regs.pc64;
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg)
{
    vcpu_pc[v->id] = entry;
}

void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state st)
{
    set_state_calls++;
    set_state = st;
    v->state = st;
}

/* domain_create: records the configuration; makes newdom, or fails with create_err. */
/* The pool operations: what control/cpupool.c passed on; a move that says -EAGAIN
 * move_again times first. */
static uint32_t pool_arg, cpu_arg;
static uint64_t clock_ns;

/* Each look at the clock is 50 us later: the move's wait is two looks. */
uint64_t time_now_ns(void)
{
    return clock_ns += 50000;
}

static enum sched_kind kind_arg;
static int move_again, moves;

int sched_pool_create(uint32_t id, enum sched_kind k, uint32_t *out)
{
    pool_arg = id;
    kind_arg = k;
    *out = 7;
    return 0;
}

int sched_pool_destroy(uint32_t id)
{
    pool_arg = id;
    return -EBUSY;
}

int sched_pool_add_cpu(uint32_t id, uint32_t cpu)
{
    pool_arg = id;
    cpu_arg = cpu;
    return -ENODEV;
}

int sched_pool_remove_cpu(uint32_t id, uint32_t cpu)
{
    pool_arg = id;
    cpu_arg = cpu;
    return -EADDRNOTAVAIL;
}

int sched_domain_move(struct domain *d, uint32_t id)
{
    moves++;
    pool_arg = id;
    return move_again-- > 0 ? -EAGAIN : 0;
}

static struct domain newdom;
static struct domain_config created;
static int create_calls, create_err;

struct domain *domain_create(const struct domain_config *cfg, int *err)
{
    create_calls++;
    created = *cfg;
    if (create_err) {
        *err = create_err;
        return NULL;
    }
    memset(&newdom, 0, sizeof(newdom));
    newdom.id = cfg->domid ? cfg->domid : 9;
    newdom.state = DOM_BUILDING;
    return &newdom;
}

/* domain_kill: what a createdomain that failed after domain_create gave back. */
static struct domain *killed;

void domain_kill(struct domain *d)
{
    killed = d;
}

static int setup(void **state)
{
    first_pool = 1;
    pool_cpus = 0x6;
    killed = NULL;
    moves = move_again = 0;
    create_calls = create_err = 0;
    memset(doms, 0, sizeof(doms));
    memset(vcpus, 0, sizeof(vcpus));
    for (unsigned id = 1; id <= 3; id++) {
        struct domain *d = &doms[id];
        d->id = id;
        d->state = id == 2 ? DOM_BUILDING : DOM_RUNNING;
        d->nr_vcpus = 2;
        d->tot_pages = 100;
        d->max_pages = 200;
        for (unsigned i = 0; i < 2; i++) {
            vcpus[id][i] = (struct vcpu){ .id = i, .dom = d, .state = VCPU_RUNNABLE, .cpu = i };
            d->vcpus[i] = &vcpus[id][i];
        }
        memset(d->handle, (int)id, sizeof(d->handle));
    }
    refs = 0;
    pauses = unpauses = destroys = 0;
    kind = SCHED_KIND_CREDIT;
    params = (struct sched_params){ .weight = 256 };
    set_calls = 0;
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(refs, 0);
    return 0;
}

/* --- domains --- */

static void only_built_domains(void **state)
{
    struct domain *d = ctl_domain_get(2);
    assert_null(d); /* being built: not there, its reference put */
    d = ctl_domain_get(1);
    assert_ptr_equal(d, &doms[1]);
    domain_put(d);
    d = ctl_domain_get_from(2);
    assert_ptr_equal(d, &doms[3]);
    domain_put(d);
    assert_null(ctl_domain_get_from(4));
    assert_null(ctl_domain_get(9));
}

static uint32_t info_flags(struct domain *d)
{
    struct xen_domctl_getdomaininfo info;
    ctl_getdomaininfo(d, &info);
    return info.flags;
}

static void domaininfo_flags(void **state)
{
    struct domain *d = &doms[1];
    const uint32_t always = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
    const uint32_t no_code = 0xffffu << XEN_DOMINF_shutdownshift;
    /* Runnable, neither on a pCPU: not blocked, not running. */
    assert_int_equal(info_flags(d), always | no_code);
    vcpus[1][1].running = true;
    assert_int_equal(info_flags(d), always | no_code | XEN_DOMINF_running);
    vcpus[1][1].running = false;
    /* Blocked only when every online vCPU is; offline ones do not count. */
    vcpus[1][0].state = VCPU_BLOCKED;
    assert_int_equal(info_flags(d), always | no_code);
    vcpus[1][1].state = VCPU_OFFLINE;
    assert_int_equal(info_flags(d), always | no_code | XEN_DOMINF_blocked);
    vcpus[1][0].state = VCPU_OFFLINE;
    assert_int_equal(info_flags(d), always | no_code); /* no online vCPU: neither */
    d->pauses = 2;
    assert_int_equal(info_flags(d), always | no_code | XEN_DOMINF_paused);
    d->pauses = 0;
    d->state = DOM_SHUTDOWN;
    d->shutdown_reason = SHUTDOWN_CRASH;
    uint32_t f = info_flags(d);
    assert_int_equal(f, always | XEN_DOMINF_shutdown | SHUTDOWN_crash << XEN_DOMINF_shutdownshift);
    d->state = DOM_DYING;
    assert_true(info_flags(d) & XEN_DOMINF_dying);
}

static void domaininfo_fields(void **state)
{
    struct xen_domctl_getdomaininfo info;
    memset(&info, 0xee, sizeof(info));
    vcpus[3][1].state = VCPU_OFFLINE;
    ctl_getdomaininfo(&doms[3], &info);
    assert_int_equal(info.domain, 3);
    assert_int_equal(info.pad1, 0);
    assert_int_equal(info.tot_pages, 100);
    assert_int_equal(info.max_pages, 200);
    assert_int_equal(info.outstanding_pages, 0);
    assert_int_equal(info.shr_pages, 0);
    assert_int_equal(info.paged_pages, 0);
    assert_int_equal(info.shared_info_frame, 0x48003);
    assert_int_equal(info.cpu_time, 1000 + 2000);
    assert_int_equal(info.nr_online_vcpus, 1);
    assert_int_equal(info.max_vcpu_id, 1);
    assert_int_equal(info.ssidref, 0);
    assert_int_equal(info.handle[0], 3);
    assert_int_equal(info.cpupool, 7);
    assert_int_equal(info.gpaddr_bits, 40);
    static const uint8_t zero[sizeof(info.arch_config)];
    assert_memory_equal(&info.arch_config, zero, sizeof(zero));
    assert_int_equal(info.pad2[6], 0);
}

static void lifecycle_targets(void **state)
{
    struct domain *self = &doms[1], *other = &doms[3];
    assert_int_equal(ctl_pause(self, self), -EINVAL);
    assert_int_equal(pauses, 0);
    assert_int_equal(ctl_pause(self, other), 0);
    assert_int_equal(pauses, 1);
    assert_int_equal(ctl_unpause(other), -EINVAL); /* what domain_unpause says */
    assert_int_equal(ctl_destroy(self, self), -EINVAL);
    assert_int_equal(destroys, 0);
    long rc;
    unsigned rounds = 0;
    while ((rc = ctl_destroy(self, other)) == -ERESTART)
        rounds++;
    assert_int_equal(rc, 0);
    assert_int_equal(rounds, 2);
    assert_int_equal(ctl_max_mem(other, 131072), 0);
    assert_int_equal(other->max_pages, 32768);
    assert_int_equal(ctl_max_mem(other, 3), 0); /* below one page: none */
    assert_int_equal(other->max_pages, 0);
    assert_int_equal(ctl_max_vcpus(self, other, 2), 0);
    assert_int_equal(ctl_max_vcpus(self, other, 3), -EINVAL);
    assert_int_equal(ctl_max_vcpus(self, self, 2), -EINVAL);
    const uint8_t h[16] = { 0xde, 0xad };
    ctl_set_handle(other, h);
    assert_memory_equal(other->handle, h, 16);
}

static void vcpu_queries(void **state)
{
    struct domain *d = &doms[1];
    vcpus[1][1] = (struct vcpu){ .id = 1, .dom = d, .state = VCPU_BLOCKED, .cpu = 2 };
    struct xen_domctl_getvcpuinfo vi = { .vcpu = 1 };
    assert_int_equal(ctl_getvcpuinfo(d, &vi), 0);
    assert_int_equal(vi.online, 1);
    assert_int_equal(vi.blocked, 1);
    assert_int_equal(vi.running, 0);
    assert_int_equal(vi.cpu, 2);
    assert_int_equal(vi.cpu_time, 2000);
    vi.vcpu = 2;
    assert_int_equal(ctl_getvcpuinfo(d, &vi), -EINVAL);
    uint64_t m, eff;
    assert_int_equal(ctl_vcpu_affinity(d, 0, &m), 0);
    assert_int_equal(m, 0x5);
    assert_int_equal(ctl_vcpu_affinity(d, 2, &m), -EINVAL);
    assert_int_equal(ctl_set_vcpu_affinity(d, 0, 0xc, &eff), 0);
    assert_int_equal(eff, 0x4);
    assert_int_equal(ctl_set_vcpu_affinity(d, 0, 0x8, &eff), -EINVAL);
    assert_int_equal(ctl_set_vcpu_affinity(d, 5, 0x1, &eff), -EINVAL);
}

/* --- scheduler_op --- */

static long sched_op(uint32_t id, uint32_t cmd, struct xen_domctl_scheduler_op *op)
{
    op->sched_id = id;
    op->cmd = cmd;
    return ctl_scheduler_op(&doms[1], op);
}

static void scheduler_credit(void **state)
{
    struct xen_domctl_scheduler_op op = { 0 };
    kind = SCHED_KIND_CREDIT;
    params = (struct sched_params){ .weight = 300, .cap = 40 };
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_getinfo, &op), -EINVAL);
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo, &op), 0);
    assert_int_equal(op.u.credit.weight, 300);
    assert_int_equal(op.u.credit.cap, 40);
    /* credit: weight 0 and cap 0xFFFF keep what is there. */
    op.u.credit.weight = 0;
    op.u.credit.cap = 0xffff;
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(params.weight, 300);
    assert_int_equal(params.cap, 40);
    op.u.credit.weight = 512;
    op.u.credit.cap = 0;
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(params.weight, 512);
    assert_int_equal(params.cap, 0);
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &op), -EINVAL);
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, 4, &op), -EINVAL);
    /* credit2: cap 0 removes it, and at most 100% per vCPU (the domain has 2). */
    kind = SCHED_KIND_CREDIT2;
    params.cap = 50;
    op.u.credit2.weight = 0;
    op.u.credit2.cap = 0;
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(params.cap, 0);
    assert_int_equal(params.weight, 512);
    op.u.credit2.cap = 201;
    int before = set_calls;
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_putinfo, &op), -EINVAL);
    assert_int_equal(set_calls, before);
    op.u.credit2.cap = 200;
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(params.cap, 200);
    assert_int_equal(ctl_sched_id(), XEN_SCHEDULER_CREDIT2);
}

static void scheduler_rtds_and_null(void **state)
{
    struct xen_domctl_scheduler_op op = { 0 };
    kind = SCHED_KIND_RTDS;
    params = (struct sched_params){ .budget_us = 3000, .period_us = 10000, .extratime = true };
    assert_int_equal(sched_op(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getinfo, &op), 0);
    assert_int_equal(op.u.rtds.period, 10000);
    assert_int_equal(op.u.rtds.budget, 3000);
    assert_int_equal(op.u.rtds.flags, XEN_DOMCTL_SCHEDRT_extra);
    op.u.rtds = (struct xen_domctl_sched_rtds){ .period = 20000, .budget = 0 };
    assert_int_equal(sched_op(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_putinfo, &op), -EINVAL);
    op.u.rtds = (struct xen_domctl_sched_rtds){ .period = 20000, .budget = 5000, .flags = 0 };
    assert_int_equal(sched_op(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(params.period_us, 20000);
    assert_int_equal(params.budget_us, 5000);
    assert_true(params.extratime); /* putinfo leaves extra time alone, as Xen's */
    op.u.rtds = (struct xen_domctl_sched_rtds){ .period = 1000, .budget = 5000 };
    assert_int_equal(sched_op(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_putinfo, &op), -EINVAL);
    assert_int_equal(sched_op(XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &op),
                     -EOPNOTSUPP);
    assert_int_equal(ctl_sched_id(), XEN_SCHEDULER_RTDS);
    kind = SCHED_KIND_NULL;
    int before = set_calls;
    assert_int_equal(sched_op(XEN_SCHEDULER_NULL, XEN_DOMCTL_SCHEDOP_putinfo, &op), 0);
    assert_int_equal(sched_op(XEN_SCHEDULER_NULL, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &op), 0);
    assert_int_equal(set_calls, before);
    assert_int_equal(sched_op(XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo, &op), -EINVAL);
    assert_int_equal(ctl_sched_id(), XEN_SCHEDULER_NULL);
}

/* Per vCPU: RTDS reads the domain's values and sets them (extra time included) for vCPUs the
 * domain has; credit has none; null takes anything and changes nothing. */
static void scheduler_per_vcpu(void **state)
{
    struct domain *d = &doms[1]; /* 2 vCPUs */
    kind = SCHED_KIND_RTDS;
    params = (struct sched_params){ .budget_us = 3000, .period_us = 10000, .extratime = true };
    struct xen_domctl_schedparam_vcpu e = { .vcpuid = 1 };
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &e),
                     0);
    assert_int_equal(e.u.rtds.period, 10000);
    assert_int_equal(e.u.rtds.budget, 3000);
    assert_int_equal(e.u.rtds.flags, XEN_DOMCTL_SCHEDRT_extra);
    e = (struct xen_domctl_schedparam_vcpu){ .u.rtds = { 20000, 5000, 0 }, .vcpuid = 0 };
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_putvcpuinfo, &e),
                     0);
    assert_int_equal(params.period_us, 20000);
    assert_int_equal(params.budget_us, 5000);
    assert_false(params.extratime); /* per vCPU, extra time is set too, as in Xen */
    e.vcpuid = 2;
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &e),
                     -EINVAL);
    e = (struct xen_domctl_schedparam_vcpu){ .u.rtds = { 1000, 5000, 0 }, .vcpuid = 0 };
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_putvcpuinfo, &e),
                     -EINVAL);
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &e),
                     -EINVAL);
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_RTDS, XEN_DOMCTL_SCHEDOP_getinfo, &e),
                     -EINVAL);
    kind = SCHED_KIND_CREDIT;
    e.vcpuid = 0;
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getvcpuinfo, &e),
                     -EINVAL);
    kind = SCHED_KIND_NULL;
    int before = set_calls;
    assert_int_equal(ctl_sched_vcpu_op(d, XEN_SCHEDULER_NULL, XEN_DOMCTL_SCHEDOP_putvcpuinfo, &e),
                     0);
    assert_int_equal(set_calls, before);
}

/* --- sysctl --- */

static void cpupool_info(void **state)
{
    struct xen_sysctl_cpupool_op op = { .cpupool_id = 0 };
    uint64_t cpus = 0;
    assert_int_equal(ctl_cpupool_info(0, &op, &cpus), 0);
    assert_int_equal(op.cpupool_id, 1);
    assert_int_equal(op.sched_id, XEN_SCHEDULER_NULL);
    assert_int_equal(op.n_dom, 4);
    assert_int_equal(cpus, 0x6);
    assert_int_equal(ctl_cpupool_info(2, &op, &cpus), -ENOENT);
}

static long pool_change(struct domain *caller, uint32_t op, uint32_t id, uint32_t arg,
                        struct xen_sysctl_cpupool_op *o)
{
    *o = (struct xen_sysctl_cpupool_op){ .op = op, .cpupool_id = id };
    if (op == XEN_SYSCTL_CPUPOOL_OP_CREATE)
        o->sched_id = arg;
    else if (op == XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN)
        o->domid = arg;
    else
        o->cpu = arg;
    return ctl_cpupool_change(caller, o);
}

/* Xen's scheduler numbers in, the new id out; each change reaches the scheduler as asked. */
static void cpupool_changes(void **state)
{
    struct xen_sysctl_cpupool_op o;
    struct domain *me = &doms[1];
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_CREATE, XEN_SYSCTL_CPUPOOL_PAR_ANY,
                                 XEN_SCHEDULER_RTDS, &o),
                     0);
    assert_int_equal(o.cpupool_id, 7);
    assert_int_equal(pool_arg, XEN_SYSCTL_CPUPOOL_PAR_ANY);
    assert_int_equal(kind_arg, SCHED_KIND_RTDS);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_CREATE, 3, XEN_SCHEDULER_CREDIT2, &o),
                     0);
    assert_int_equal(kind_arg, SCHED_KIND_CREDIT2);
    assert_int_equal(pool_arg, 3);
    /* ARINC653 and unknown numbers: Xen's answer for a scheduler it lacks. */
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_CREATE, 3, XEN_SCHEDULER_ARINC653, &o),
                     -ENOENT);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_CREATE, 3, 1234, &o), -ENOENT);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_DESTROY, 4, 0, &o), -EBUSY);
    assert_int_equal(pool_arg, 4);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_ADDCPU, 5, 1, &o), -ENODEV);
    assert_int_equal(cpu_arg, 1);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_RMCPU, 6, 2, &o), -EADDRNOTAVAIL);
    assert_int_equal(pool_arg, 6);
    assert_int_equal(cpu_arg, 2);
    assert_int_equal(pool_change(me, 42, 0, 0, &o), -ENOSYS);
}

/* A move pauses the domain around the scheduler's move and retries while its vCPUs stop. */
static void cpupool_move(void **state)
{
    struct xen_sysctl_cpupool_op o;
    struct domain *me = &doms[1];
    move_again = 2;
    moves = 0;
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 3, &o), 0);
    assert_int_equal(moves, 3);
    assert_int_equal(pool_arg, 9);
    assert_int_equal(pauses, 1);
    assert_int_equal(unpauses, 1);
    /* vCPUs that never stop: -EBUSY, the domain unpaused. */
    move_again = 1000000;
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 3, &o), -EBUSY);
    assert_int_equal(unpauses, 2);
    move_again = 0;
    moves = 0;
    /* Xen's refusals: the caller itself (by id; DOMID_SELF names no domain there), no such
     * domain, one being built, one being destroyed. */
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 1, &o), -EPERM);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, DOMID_SELF, &o), -ESRCH);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 0x7FF2, &o), -ESRCH);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 77, &o), -ESRCH);
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 2, &o), -ESRCH);
    doms[3].destroying = 1;
    assert_int_equal(pool_change(me, XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN, 9, 3, &o), -EINVAL);
    assert_int_equal(moves, 0);
}

static void physinfo(void **state)
{
    bootinfo.nr_mem = 2;
    bootinfo.mem[0] = (struct mem_range){ 0x40000000, 0x40000000 };
    bootinfo.mem[1] = (struct mem_range){ 0x100000000, 0x10000000 };
    struct xen_sysctl_physinfo pi;
    memset(&pi, 0xee, sizeof(pi));
    ctl_physinfo(&pi);
    assert_int_equal(pi.threads_per_core, 1);
    assert_int_equal(pi.cores_per_socket, 1);
    assert_int_equal(pi.nr_cpus, 3);
    assert_int_equal(pi.max_cpu_id, 3);
    assert_int_equal(pi.nr_nodes, 1);
    assert_int_equal(pi.max_node_id, 0);
    assert_int_equal(pi.cpu_khz, 1000000); /* the host's 1 GHz counter */
    assert_int_equal(pi.capabilities, XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap |
                                          XEN_SYSCTL_PHYSCAP_gnttab_v1);
    assert_int_equal(pi.arch_capabilities, 0);
    assert_int_equal(pi.total_pages, 1000);
    assert_int_equal(pi.free_pages, 600);
    assert_int_equal(pi.scrub_pages, 50);
    assert_int_equal(pi.outstanding_pages, 0);
    assert_int_equal(pi.max_mfn, 0x10ffff);
    assert_int_equal(pi.hw_cap[7], 0);
}

/* One node with all RAM (spanned, holes included) and every online CPU in it. */
static void numa_one_node(void **state)
{
    bootinfo.nr_mem = 2;
    bootinfo.mem[0] = (struct mem_range){ 0x40000000, 0x40000000 };
    bootinfo.mem[1] = (struct mem_range){ 0x100000000, 0x10000000 };
    struct xen_sysctl_meminfo m;
    ctl_node_meminfo(&m);
    assert_int_equal(m.memsize, 0x110000000 - 0x40000000);
    assert_int_equal(m.memfree, 600 * 4096);
    assert_int_equal(ctl_nr_cpu_ids(), 4);
    struct xen_sysctl_cputopo t;
    ctl_cpu_topo(1, &t);
    assert_int_equal(t.core, 0);
    assert_int_equal(t.socket, 0);
    assert_int_equal(t.node, 0);
    ctl_cpu_topo(2, &t);
    assert_int_equal(t.core, XEN_INVALID_CORE_ID);
    assert_int_equal(t.socket, XEN_INVALID_SOCKET_ID);
    assert_int_equal(t.node, XEN_INVALID_NODE_ID);
    ctl_cpu_topo(200, &t);
    assert_int_equal(t.node, XEN_INVALID_NODE_ID);
}

/* --- readconsole over the real ring --- */

static char got[70000];

static int to_got(void *ctx, uint32_t off, const void *buf, size_t len)
{
    assert_true(off + len <= sizeof(got));
    memcpy(got + off, buf, len);
    return 0;
}

static int fail_sink(void *ctx, uint32_t off, const void *buf, size_t len)
{
    return -1;
}

static const struct console_writer raw = { NULL };

static long readcon(bool clear, bool incremental, uint32_t *index, uint32_t count, uint32_t *n)
{
    struct xen_sysctl_readconsole op = {
        .clear = clear, .incremental = incremental, .index = *index, .count = count
    };
    memset(got, 0, sizeof(got));
    long rc = ctl_readconsole(&op, to_got, NULL);
    *index = op.index;
    *n = op.count;
    return rc;
}

static void readconsole_semantics(void **state)
{
    uint32_t idx = 0, n;
    /* Start from nothing offered: read everything with clear. */
    assert_int_equal(readcon(true, false, &idx, sizeof(got), &n), 0);
    console_write(&raw, "hello\n", 6);
    uint32_t start = idx;
    assert_int_equal(readcon(false, false, &idx, 100, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(got, "hello\n");
    assert_int_equal(idx, start + 6);
    /* Incremental from where the last read ended: only what is new. */
    console_write(&raw, "world\n", 6);
    assert_int_equal(readcon(false, true, &idx, 100, &n), 0);
    assert_string_equal(got, "world\n");
    /* A small buffer: the first bytes, and the index says where to go on. */
    uint32_t from = start;
    assert_int_equal(readcon(false, true, &from, 4, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(got, "hell");
    assert_int_equal(from, start + 4);
    assert_int_equal(readcon(false, true, &from, 100, &n), 0);
    assert_string_equal(got, "o\nworld\n");
    /* An index outside what is offered: from the oldest. */
    uint32_t bogus = start - 5;
    assert_int_equal(readcon(false, true, &bogus, 100, &n), 0);
    assert_string_equal(got, "hello\nworld\n");
    /* Clear: what was read is not offered again. */
    uint32_t c = 0;
    assert_int_equal(readcon(true, false, &c, 8, &n), 0);
    assert_string_equal(got, "hello\nwo");
    assert_int_equal(readcon(false, false, &c, 100, &n), 0);
    assert_string_equal(got, "rld\n");
    /* A sink that fails: -EFAULT, nothing cleared. */
    struct xen_sysctl_readconsole op = { .clear = 1, .count = 100 };
    assert_int_equal(ctl_readconsole(&op, fail_sink, NULL), -EFAULT);
    assert_int_equal(op.count, 100);
    assert_int_equal(readcon(false, false, &c, 100, &n), 0);
    assert_string_equal(got, "rld\n");
}

/* After more than the ring holds, an old index starts at the oldest byte kept. */
static void readconsole_wrapped(void **state)
{
    uint32_t idx = 0, n;
    assert_int_equal(readcon(false, false, &idx, 1, &n), 0);
    uint32_t old = idx;
    char line[101];
    memset(line, 'x', 99);
    line[99] = '\n';
    for (unsigned i = 0; i < 700; i++) {
        line[0] = (char)('a' + i % 26);
        console_write(&raw, line, 100);
    }
    assert_int_equal(readcon(false, true, &old, sizeof(got), &n), 0);
    assert_int_equal(n, 64 * 1024); /* the ring's size */
    assert_int_equal(got[n - 1], '\n');
    assert_int_equal(got[n - 100], 'a' + 699 % 26);
}

/* sysctl scheduler_op: credit's slice and rate limit read and set in Xen's ranges (credit2: the
 * rate limit); what Keel lacks (a migration delay) reads 0 and is refused otherwise; other
 * policies have nothing. */
static void sched_adjust_global(void **state)
{
    struct xen_sysctl_scheduler_op op = { .cpupool_id = 1,
                                          .sched_id = XEN_SCHEDULER_CREDIT,
                                          .cmd = XEN_SYSCTL_SCHEDOP_getinfo };
    pool_kind = SCHED_KIND_CREDIT;
    assert_int_equal(ctl_sched_adjust_global(&op), 0);
    assert_int_equal(op.u.sched_credit.tslice_ms, 10);
    assert_int_equal(op.u.sched_credit.ratelimit_us, 1000);
    op.cmd = XEN_SYSCTL_SCHEDOP_putinfo;
    op.u.sched_credit.tslice_ms = 30;
    op.u.sched_credit.ratelimit_us = 0; /* none */
    assert_int_equal(ctl_sched_adjust_global(&op), 0);
    assert_int_equal(slice_ns, 30000000);
    assert_int_equal(ratelimit_ns, 0);
    op.u.sched_credit.tslice_ms = 1001;
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    op.u.sched_credit.tslice_ms = 5;
    op.u.sched_credit.ratelimit_us = 6000; /* above the slice */
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    op.u.sched_credit.ratelimit_us = 99; /* below Xen's least */
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    op.u.sched_credit.ratelimit_us = 1000;
    op.u.sched_credit.vcpu_migr_delay_us = 10;
    assert_int_equal(ctl_sched_adjust_global(&op), -EOPNOTSUPP);
    assert_int_equal(slice_ns, 30000000); /* nothing changed by a refusal */
    assert_int_equal(ratelimit_ns, 0);
    op.u.sched_credit.vcpu_migr_delay_us = 0;
    assert_int_equal(ctl_sched_adjust_global(&op), 0);
    assert_int_equal(ratelimit_ns, 1000000);
    /* credit2 names the same policy: its rate limit, the slice kept. */
    pool_kind = SCHED_KIND_CREDIT2;
    op = (struct xen_sysctl_scheduler_op){ .cpupool_id = 1,
                                           .sched_id = XEN_SCHEDULER_CREDIT2,
                                           .cmd = XEN_SYSCTL_SCHEDOP_getinfo };
    assert_int_equal(ctl_sched_adjust_global(&op), 0);
    assert_int_equal(op.u.sched_credit2.ratelimit_us, 1000);
    op.cmd = XEN_SYSCTL_SCHEDOP_putinfo;
    op.u.sched_credit2.ratelimit_us = 500;
    assert_int_equal(ctl_sched_adjust_global(&op), 0);
    assert_int_equal(ratelimit_ns, 500000);
    assert_int_equal(slice_ns, 5000000);
    op.u.sched_credit2.ratelimit_us = 600000;
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    op = (struct xen_sysctl_scheduler_op){ .cpupool_id = 1,
                                           .sched_id = XEN_SCHEDULER_CREDIT,
                                           .cmd = XEN_SYSCTL_SCHEDOP_getinfo };
    pool_kind = SCHED_KIND_CREDIT;
    op.sched_id = XEN_SCHEDULER_RTDS;
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    op.cpupool_id = 0;
    assert_int_equal(ctl_sched_adjust_global(&op), -ESRCH);
    pool_kind = SCHED_KIND_RTDS;
    op = (struct xen_sysctl_scheduler_op){ .cpupool_id = 1,
                                           .sched_id = XEN_SCHEDULER_RTDS,
                                           .cmd = XEN_SYSCTL_SCHEDOP_getinfo };
    assert_int_equal(ctl_sched_adjust_global(&op), -EINVAL);
    pool_kind = SCHED_KIND_NULL;
}

/* --- createdomain --- */

static struct xen_domctl_createdomain good_config(void)
{
    struct xen_domctl_createdomain c = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 2,
        .max_evtchn_port = 1023,
        .max_grant_frames = 64,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch = { .gic_version = XEN_DOMCTL_CONFIG_GIC_NATIVE, .nr_spis = 64, .clock_frequency = 0 }
    };
    memset(c.handle, 0xab, sizeof(c.handle));
    return c;
}

static long check_with(void (*change)(struct xen_domctl_createdomain *c))
{
    struct xen_domctl_createdomain c = good_config();
    change(&c);
    const char *why = "";
    long rc = ctl_createdomain_check(&c, &why);
    assert_true(!rc || *why); /* every refusal says why */
    return rc;
}

static void flags_xs(struct xen_domctl_createdomain *c)
{
    c->flags |= XEN_DOMCTL_CDF_xs_domain;
}
static void flags_nohap(struct xen_domctl_createdomain *c)
{
    c->flags = XEN_DOMCTL_CDF_hvm;
}
static void flags_hap_only(struct xen_domctl_createdomain *c)
{
    c->flags = XEN_DOMCTL_CDF_hap;
}
static void flags_unknown(struct xen_domctl_createdomain *c)
{
    c->flags |= 1u << 8;
}
static void flags_iommu(struct xen_domctl_createdomain *c)
{
    c->flags |= XEN_DOMCTL_CDF_iommu;
}
static void flags_vpmu(struct xen_domctl_createdomain *c)
{
    c->flags |= XEN_DOMCTL_CDF_vpmu;
}
static void iommu_opts(struct xen_domctl_createdomain *c)
{
    c->iommu_opts = 1;
}
static void vmtrace(struct xen_domctl_createdomain *c)
{
    c->vmtrace_size = 4096;
}
static void gic_v2(struct xen_domctl_createdomain *c)
{
    c->arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V2;
}
static void gic_bad(struct xen_domctl_createdomain *c)
{
    c->arch.gic_version = 3;
}
static void vcpus_0(struct xen_domctl_createdomain *c)
{
    c->max_vcpus = 0;
}
static void vcpus_max(struct xen_domctl_createdomain *c)
{
    c->max_vcpus = MAX_VCPUS_PER_DOMAIN;
}
static void vcpus_over(struct xen_domctl_createdomain *c)
{
    c->max_vcpus = MAX_VCPUS_PER_DOMAIN + 1;
}
static void tee(struct xen_domctl_createdomain *c)
{
    c->arch.tee_type = XEN_DOMCTL_CONFIG_TEE_OPTEE;
}
static void gnt_v2(struct xen_domctl_createdomain *c)
{
    c->grant_opts = XEN_DOMCTL_GRANT_version(2);
}
static void gnt_v0(struct xen_domctl_createdomain *c)
{
    c->grant_opts = 0;
}
static void gnt_opts(struct xen_domctl_createdomain *c)
{
    c->grant_opts |= 0x10;
}
static void frames_0(struct xen_domctl_createdomain *c)
{
    c->max_grant_frames = 0;
}
static void frames_over(struct xen_domctl_createdomain *c)
{
    c->max_grant_frames = 65;
}
static void maptrack_0(struct xen_domctl_createdomain *c)
{
    c->max_maptrack_frames = 0;
}
static void maptrack_neg(struct xen_domctl_createdomain *c)
{
    c->max_maptrack_frames = -1;
}
static void frames_neg(struct xen_domctl_createdomain *c)
{
    c->max_grant_frames = -1;
}
static void maptrack_over(struct xen_domctl_createdomain *c)
{
    c->max_maptrack_frames = 1025;
}
static void spis_max(struct xen_domctl_createdomain *c)
{
    c->arch.nr_spis = 988;
}
static void spis_over(struct xen_domctl_createdomain *c)
{
    c->arch.nr_spis = 989;
}
static void pool_1(struct xen_domctl_createdomain *c)
{
    c->cpupool_id = 1;
}
static void pool_2(struct xen_domctl_createdomain *c)
{
    c->cpupool_id = 2;
}
static void evtchn_any(struct xen_domctl_createdomain *c)
{
    c->max_evtchn_port = ~0u;
    c->ssidref = 5;
}
static void clock_hz(struct xen_domctl_createdomain *c)
{
    c->arch.clock_frequency = 62500000;
}

static void createdomain_checks(void **state)
{
    first_pool = 0;
    struct xen_domctl_createdomain c = good_config();
    const char *why = "";
    assert_int_equal(ctl_createdomain_check(&c, &why), 0);
    assert_int_equal(c.arch.gic_version, XEN_DOMCTL_CONFIG_GIC_V3); /* native, told back */
    c.arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V3;
    assert_int_equal(ctl_createdomain_check(&c, &why), 0);
    assert_int_equal(check_with(flags_xs), -EINVAL);
    assert_int_equal(check_with(flags_nohap), -EINVAL);
    assert_int_equal(check_with(flags_hap_only), -EINVAL);
    assert_int_equal(check_with(flags_unknown), -EINVAL);
    assert_int_equal(check_with(flags_iommu), -EINVAL);
    assert_int_equal(check_with(flags_vpmu), -EINVAL);
    assert_int_equal(check_with(iommu_opts), -EINVAL);
    assert_int_equal(check_with(vmtrace), -EINVAL);
    assert_int_equal(check_with(gic_v2), -EINVAL);
    assert_int_equal(check_with(gic_bad), -EINVAL);
    assert_int_equal(check_with(vcpus_0), -EINVAL);
    assert_int_equal(check_with(vcpus_max), 0);
    assert_int_equal(check_with(vcpus_over), -EINVAL);
    assert_int_equal(check_with(tee), -EINVAL);
    assert_int_equal(check_with(gnt_v2), -EINVAL);
    assert_int_equal(check_with(gnt_v0), -EINVAL);
    assert_int_equal(check_with(gnt_opts), -EINVAL);
    assert_int_equal(check_with(frames_0), -EINVAL);
    assert_int_equal(check_with(frames_over), -EINVAL);
    assert_int_equal(check_with(maptrack_0), 0);
    assert_int_equal(check_with(maptrack_neg), 0); /* libxl's "the hypervisor's default" */
    assert_int_equal(check_with(frames_neg), 0);
    c = good_config();
    c.max_grant_frames = c.max_maptrack_frames = -1;
    assert_int_equal(ctl_createdomain_check(&c, &why), 0);
    assert_int_equal(c.max_grant_frames, -1); /* goes back as it came, as from Xen */
    assert_int_equal(c.max_maptrack_frames, -1);
    assert_int_equal(check_with(maptrack_over), -EINVAL);
    assert_int_equal(check_with(spis_max), 0);
    assert_int_equal(check_with(spis_over), -EINVAL);
    assert_int_equal(check_with(pool_1), 0);
    assert_int_equal(check_with(pool_2), -ESRCH);
    pool_cpus = 0;
    assert_int_equal(check_with(pool_1), -ENODEV); /* a pool with no pCPU, as Xen */
    pool_cpus = 0x6;
    assert_int_equal(check_with(evtchn_any), 0);
    assert_int_equal(check_with(clock_hz), 0);
    first_pool = 1; /* no pool 0 */
    c = good_config();
    assert_int_equal(ctl_createdomain_check(&c, &why), -ESRCH);
}

static void createdomain_makes(void **state)
{
    first_pool = 0;
    struct xen_domctl_createdomain c = good_config();
    const char *why = "";
    c.max_maptrack_frames = 0;
    domid_t id = 0;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), 0);
    assert_int_equal(id, 9);
    assert_true(created.toolstack);
    assert_int_equal(created.domid, 0);
    assert_int_equal(created.mem_bytes, 0);
    assert_int_equal(created.nr_vcpus, 2);
    assert_int_equal(created.nr_spis, 64);
    assert_int_equal(created.max_grant_frames, 64);
    assert_int_equal(created.max_maptrack_frames, GNTTAB_NO_MAPTRACK);
    assert_int_equal(created.on_poweroff, ACTION_PRESERVE);
    assert_int_equal(created.on_crash, ACTION_PRESERVE);
    /* Paused once, visible, with the handle. */
    assert_int_equal(newdom.pauses, 1);
    assert_int_equal(newdom.state, DOM_PAUSED);
    uint8_t h[16];
    memset(h, 0xab, sizeof(h));
    assert_memory_equal(newdom.handle, h, 16);
    struct xen_domctl_getdomaininfo info;
    ctl_getdomaininfo(&newdom, &info);
    assert_true(info.flags & XEN_DOMINF_paused);
    assert_memory_equal(info.handle, h, 16);
    /* -1 grant and maptrack frames: the defaults. */
    c = good_config();
    c.max_grant_frames = c.max_maptrack_frames = -1;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), 0);
    assert_int_equal(created.max_grant_frames, 64);
    assert_int_equal(created.max_maptrack_frames, 1024);
    /* A requested id passes through; reserved ids mean any. */
    c = good_config();
    assert_int_equal(ctl_createdomain(12, &c, &id, &why), 0);
    assert_int_equal(created.domid, 12);
    assert_int_equal(id, 12);
    c = good_config();
    assert_int_equal(ctl_createdomain(DOMID_INVALID, &c, &id, &why), 0);
    assert_int_equal(created.domid, 0);
    /* A bad configuration makes nothing; no id left is Xen's -ENOMEM. */
    create_calls = 0;
    c = good_config();
    c.arch.gic_version = XEN_DOMCTL_CONFIG_GIC_V2;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), -EINVAL);
    assert_int_equal(create_calls, 0);
    c = good_config();
    create_err = -ENOSPC;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), -ENOMEM);
    create_err = -EEXIST;
    assert_int_equal(ctl_createdomain(3, &c, &id, &why), -EEXIST);
    create_err = 0;
    /* xl's pool=: built, then moved there before it can run; Pool-0 needs no move. */
    moves = 0;
    c = good_config();
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), 0);
    assert_int_equal(moves, 0);
    c = good_config();
    c.cpupool_id = 1;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), 0);
    assert_int_equal(moves, 1);
    assert_int_equal(pool_arg, 1);
    assert_null(killed);
    assert_int_equal(newdom.state, DOM_PAUSED);
    /* A move that cannot be made: the new domain goes, the error comes back. */
    move_again = 100;
    assert_int_equal(ctl_createdomain(0, &c, &id, &why), -EBUSY);
    assert_ptr_equal(killed, &newdom);
    move_again = 0;
}

/* --- vCPU context --- */

static void vcpu_context(void **state)
{
    struct vcpu_guest_context c = { 0 };
    struct domain *d = &doms[1];
    d->state = DOM_PAUSED; /* as hold() leaves it (the stand-in pause changes nothing) */
    vcpus[1][1].state = VCPU_OFFLINE;
    vcpu_pc[1] = 0x1234;
    assert_int_equal(ctl_getvcpucontext(&doms[3], d, 1, &c), 0);
    assert_int_equal(c.flags, 0); /* down */
    assert_int_equal(c.user_regs.pc64, 0x1234);
    assert_int_equal(pauses, 1);
    assert_int_equal(unpauses, 1);
    c = (struct vcpu_guest_context){ .flags = VGCF_online,
                                     .user_regs = { .pc64 = 0x40000000, .cpsr = 0x3c5 } };
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 1, &c), 0);
    assert_int_equal(vcpu_pc[1], 0x40000000);
    assert_int_equal(set_state, VCPU_PAUSED); /* up, runs when the domain is unpaused */
    assert_int_equal(pauses, 2);
    assert_int_equal(unpauses, 2);
    assert_int_equal(ctl_getvcpucontext(&doms[3], d, 1, &c), 0);
    assert_int_equal(c.flags, VGCF_online);
    c.flags = 0;
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 1, &c), 0);
    assert_int_equal(set_state, VCPU_OFFLINE);
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 1, NULL), 0);
    assert_int_equal(vcpu_pc[1], 0);
    assert_int_equal(set_state, VCPU_OFFLINE);
    /* A shut-down domain's vCPU stays down. */
    d->state = DOM_SHUTDOWN;
    c.flags = VGCF_online;
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 1, &c), 0);
    assert_int_equal(set_state, VCPU_OFFLINE);
    /* Refused before any pause. */
    pauses = 0;
    set_state_calls = 0;
    c.user_regs.cpsr = 0x3c9;
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 0, &c), -EINVAL);
    c.user_regs.cpsr = 0x3c5;
    assert_int_equal(ctl_setvcpucontext(&doms[3], d, 2, &c), -EINVAL);
    assert_int_equal(ctl_setvcpucontext(d, d, 0, &c), -EINVAL);
    assert_int_equal(ctl_getvcpucontext(&doms[3], d, 2, &c), -EINVAL);
    assert_int_equal(ctl_getvcpucontext(d, d, 0, &c), -EINVAL);
    assert_int_equal(pauses, 0);
    assert_int_equal(set_state_calls, 0);
}

/* --- memory --- */

static void paging_mempool(void **state)
{
    uint64_t bytes = 0;
    doms[1].paging_mempool_pages = 16;
    assert_int_equal(ctl_paging_mempool_size(&doms[1], &bytes), 0);
    assert_int_equal(bytes, 16 * 4096);
    assert_int_equal(ctl_set_paging_mempool_size(&doms[1], 0x1001), -EINVAL);
    assert_int_equal(ctl_set_paging_mempool_size(&doms[1], 0x200000), 0);
    assert_int_equal(ctl_paging_mempool_size(&doms[1], &bytes), 0);
    assert_int_equal(bytes, 0x200000);
    assert_int_equal(ctl_set_paging_mempool_size(&doms[1], 0), 0);
}

static void cacheflush(void **state)
{
    nr_cleaned = frame_refs = 0;
    assert_int_equal(ctl_cacheflush(&doms[1], 0x3ffff, 6), 0);
    assert_int_equal(nr_cleaned, 3); /* holes skipped */
    assert_int_equal(cleaned[0], 0x80000000);
    assert_int_equal(cleaned[1], 0x80001000);
    assert_int_equal(cleaned[2], 0x80003000);
    assert_int_equal(frame_refs, 0);
    nr_cleaned = 0;
    assert_int_equal(ctl_cacheflush(&doms[1], 0x40000, 0), 0);
    assert_int_equal(ctl_cacheflush(&doms[1], 0x40000, CTL_CACHEFLUSH_MAX + 1), -EINVAL);
    assert_int_equal(ctl_cacheflush(&doms[1], UINT64_MAX - 2, 4), -EINVAL);
    assert_int_equal(ctl_cacheflush(&doms[1], UINT64_MAX - 4, 4), 0); /* past any page */
    assert_int_equal(nr_cleaned, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(only_built_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(cpupool_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(cpupool_move, setup, teardown),
        cmocka_unit_test_setup_teardown(domaininfo_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(domaininfo_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(lifecycle_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpu_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduler_credit, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduler_rtds_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(scheduler_per_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(cpupool_info, setup, teardown),
        cmocka_unit_test_setup_teardown(sched_adjust_global, setup, teardown),
        cmocka_unit_test_setup_teardown(physinfo, setup, teardown),
        cmocka_unit_test_setup_teardown(numa_one_node, setup, teardown),
        cmocka_unit_test_setup_teardown(readconsole_semantics, setup, teardown),
        cmocka_unit_test_setup_teardown(readconsole_wrapped, setup, teardown),
        cmocka_unit_test_setup_teardown(createdomain_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(createdomain_makes, setup, teardown),
        cmocka_unit_test_setup_teardown(paging_mempool, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpu_context, setup, teardown),
        cmocka_unit_test_setup_teardown(cacheflush, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
