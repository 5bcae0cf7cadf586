/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-checks for interrupts, time and SMP, run on the boot CPU (interrupts enabled) with
 * every other CPU idle: the boot device tree agrees with what Keel found, timers fire on every
 * CPU, each CPU's in deadline order, and never early, and IPIs reach every CPU from every CPU.
 */
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/selftest.h>
#include <hyp/smp.h>
#include <hyp/string.h>
#include <hyp/timer.h>

#define MS 1000000UL

/* Sleep in WFI until done(ctx) or timeout_ns from now; a local timer bounds the wait and
 * anything that makes done() true must also wake this CPU (an interrupt here). */
static void wakeup_fn(struct timer *t, void *ctx)
{
    WRITE_ONCE(*(bool *)ctx, true);
}

static bool wait_for(bool (*done)(void *), void *ctx, uint64_t timeout_ns)
{
    bool expired = false;
    struct timer guard;
    timer_init(&guard, wakeup_fn, &expired);
    timer_set(&guard, time_now_ns() + timeout_ns, cpu_id());
    bool ok;
    for (;;) {
        arch_irq_disable();
        ok = done(ctx);
        if (ok || READ_ONCE(expired))
            break;
        arch_cpu_idle();
        arch_irq_enable();
    }
    arch_irq_enable();
    timer_cancel(&guard);
    return ok;
}

/* Spin (interrupts on) until done(ctx) or timeout_ns from now: for conditions that nothing
 * signals to this CPU. */
static bool spin_for(bool (*done)(void *), void *ctx, uint64_t timeout_ns)
{
    uint64_t end = time_now_ns() + timeout_ns;
    while (!done(ctx))
        if (time_now_ns() > end)
            return done(ctx);
        else
            arch_cpu_relax();
    return true;
}

/* Online CPUs in logical order. */
static unsigned online_list(unsigned *cpus)
{
    unsigned n = 0;
    for (unsigned c = 0; c < nr_cpus; c++)
        if (cpu_online(c))
            cpus[n++] = c;
    return n;
}

/* --- boot device tree --- */

static unsigned dt_cpu_count(const struct fdt *f)
{
    unsigned n = 0;
    int cpus = fdt_path(f, "/cpus");
    for (int c = fdt_first_child(f, cpus); cpus >= 0 && c >= 0; c = fdt_next_sibling(f, c)) {
        const char *type = fdt_prop(f, c, "device_type", NULL);
        n += type && !strcmp(type, "cpu");
    }
    return n;
}

/* Whether [base, base + size) lies inside one "memory" node's reg entry. */
static bool dt_has_ram(const struct fdt *f, uint64_t base, uint64_t size)
{
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        const char *type = fdt_prop(f, n, "device_type", NULL);
        if (!type || strcmp(type, "memory"))
            continue;
        uint64_t b, s;
        for (unsigned i = 0; fdt_reg(f, n, i, &b, &s) == 0; i++)
            if (base >= b && base + size <= b + s)
                return true;
    }
    return false;
}

SELFTEST(boot_fdt)
{
    const struct fdt *f = &bootinfo.fdt;
    ST_CHECK(bootinfo.nr_mem > 0);
    for (unsigned i = 0; i < bootinfo.nr_mem; i++) {
        ST_CHECK(bootinfo.mem[i].size >= PAGE_SIZE);
        ST_CHECK(dt_has_ram(f, bootinfo.mem[i].base, bootinfo.mem[i].size));
    }
    unsigned dt_cpus = dt_cpu_count(f);
    ST_CHECK(dt_cpus == nr_cpus || (dt_cpus > MAX_CPUS && nr_cpus == MAX_CPUS));
    ST_CHECK(cpus_online() == nr_cpus);
    ST_CHECK(fdt_find_compatible(f, -1, "arm,gic-v3") >= 0);
    unsigned tirq = arch_timer_irq();
    ST_CHECK(tirq >= 16 && tirq < IRQ_PER_CPU_LINES);
    pr_info("selftest: DT has %u CPUs, %u RAM bank(s); timer interrupt %u\n", dt_cpus,
            bootinfo.nr_mem, tirq);
    return 0;
}

/* --- timers --- */

/*
 * QEMU runs each emulated CPU on a host thread, and a loaded host may hold one back for a
 * second or more; the counter goes on meanwhile.  So these checks wait for events with only a
 * generous safety net, and assert nothing about how soon a timer fires after its deadline or
 * how CPUs interleave: only what holds however late a CPU runs (never early, on the right CPU,
 * one CPU's timers in deadline order, a timer cancelled in time never fires).
 */
#define EVENT_TIMEOUT_NS (10000 * MS) /* safety net for something that must happen */
#define TIMER_LEAD_NS (50 * MS)       /* time to queue every timer before the first is due */
#define TIMER_SPACING_NS (20 * MS)    /* between consecutive CPUs' deadlines */

struct probe {
    struct timer t;
    uint64_t deadline;
    uint64_t fired_ns;
    unsigned ran_on;
    unsigned seq;
    unsigned waiter;
    bool fired;
};

static struct probe probes[2 * MAX_CPUS];
static unsigned fire_seq;

static void probe_fn(struct timer *t, void *ctx)
{
    struct probe *p = ctx;
    p->fired_ns = time_now_ns();
    p->ran_on = cpu_id();
    p->seq = __atomic_fetch_add(&fire_seq, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&p->fired, true, __ATOMIC_RELEASE);
    ipi_send(p->waiter, IPI_WAKE);
}

struct probe_set {
    struct probe *p;
    unsigned n;
};

static bool all_fired(void *ctx)
{
    struct probe_set *ps = ctx;
    for (unsigned i = 0; i < ps->n; i++)
        if (!__atomic_load_n(&ps->p[i].fired, __ATOMIC_ACQUIRE))
            return false;
    return true;
}

/* One timer on each of cpus[0..n): the i-th at first + i * spacing, into p[i]. */
static void probes_arm(struct probe *p, unsigned *cpus, unsigned n, uint64_t first,
                       uint64_t spacing)
{
    for (unsigned i = 0; i < n; i++) {
        timer_init(&p[i].t, probe_fn, &p[i]);
        p[i].fired = false;
        p[i].waiter = cpu_id();
        p[i].deadline = first + i * spacing;
        timer_set(&p[i].t, p[i].deadline, cpus[i]);
    }
}

SELFTEST(timer_every_cpu)
{
    unsigned cpus[MAX_CPUS], n = online_list(cpus);
    /* Two timers a CPU, the later one queued first; each remote CPU's queue head changes, so
     * it reprograms its timer on IPI_TIMER.  probes[i] is due first, probes[n + i] half a
     * spacing later. */
    struct probe *early = probes, *late = &probes[n];
    fire_seq = 0;
    uint64_t first = time_now_ns() + TIMER_LEAD_NS;
    probes_arm(late, cpus, n, first + TIMER_SPACING_NS / 2, TIMER_SPACING_NS);
    probes_arm(early, cpus, n, first, TIMER_SPACING_NS);
    /* If the host held us up until a deadline passed, a late timer may fairly have fired
     * before its early twin was queued: the order then proves nothing. */
    bool queued_in_time = time_now_ns() < first;
    struct probe_set ps = { probes, 2 * n };
    bool ok = wait_for(all_fired, &ps, TIMER_LEAD_NS + n * TIMER_SPACING_NS + EVENT_TIMEOUT_NS);
    uint64_t worst = 0;
    for (unsigned i = 0; i < 2 * n; i++) {
        struct probe *p = &probes[i];
        unsigned cpu = cpus[i % n];
        if (!p->fired) {
            pr_err("selftest: timer for CPU%u never fired\n", cpu);
            continue;
        }
        if (p->ran_on != cpu || p->fired_ns < p->deadline) {
            pr_err("selftest: timer for CPU%u ran on CPU%u, %ld ns after its deadline\n", cpu,
                   p->ran_on, (long)(p->fired_ns - p->deadline));
            ok = false;
        }
        worst = MAX(worst, p->fired_ns - p->deadline);
    }
    for (unsigned i = 0; i < n && queued_in_time; i++) {
        if (early[i].fired && late[i].fired && early[i].seq > late[i].seq) {
            pr_err("selftest: CPU%u fired its timers out of deadline order\n", cpus[i]);
            ok = false;
        }
    }
    pr_info("selftest: %u CPU timers fired%s, latest %lu us after its deadline\n", 2 * n,
            queued_in_time ? ", each CPU's in deadline order" : " (order not checked: queued late)",
            worst / 1000);
    return !ok;
}

SELFTEST(timer_past_deadline_and_cancel)
{
    unsigned cpus[MAX_CPUS], n = online_list(cpus);
    /* Deadline already passed: fires promptly on every CPU. */
    probes_arm(probes, cpus, n, 0, 0);
    struct probe_set ps = { probes, n };
    ST_CHECK(wait_for(all_fired, &ps, EVENT_TIMEOUT_NS));
    for (unsigned i = 0; i < n; i++)
        ST_CHECK(probes[i].ran_on == cpus[i]);
    /* Cancelled before the deadline: never fires, locally or remotely; the CPUs survive the
     * now-pointless hardware interrupt.  A host that held us up past the deadline before the
     * last cancel leaves nothing to check. */
    uint64_t deadline = time_now_ns() + TIMER_LEAD_NS;
    probes_arm(probes, cpus, n, deadline, 0);
    for (unsigned i = 0; i < n; i++) {
        timer_cancel(&probes[i].t);
        ST_CHECK(!probes[i].t.active);
    }
    bool in_time = time_now_ns() < deadline;
    bool never = false;
    wait_for(all_fired, &ps, TIMER_LEAD_NS + 40 * MS);
    for (unsigned i = 0; i < n; i++)
        never |= probes[i].fired;
    if (in_time)
        ST_CHECK(!never);
    else
        pr_info("selftest: timer cancel not checked: cancelled after the deadline\n");
    return 0;
}

struct rearm {
    struct timer t;
    unsigned left;
    unsigned waiter;
};

static void rearm_fn(struct timer *t, void *ctx)
{
    struct rearm *r = ctx;
    if (--r->left)
        timer_set(t, time_now_ns() + MS, cpu_id());
    else
        ipi_send(r->waiter, IPI_WAKE);
}

static bool rearm_done(void *ctx)
{
    return READ_ONCE(((struct rearm *)ctx)->left) == 0;
}

SELFTEST(timer_rearm_from_handler)
{
    unsigned cpus[MAX_CPUS], n = online_list(cpus);
    struct rearm r = { .left = 5, .waiter = cpu_id() };
    timer_init(&r.t, rearm_fn, &r);
    timer_set(&r.t, time_now_ns() + MS, cpus[n - 1]);
    ST_CHECK(wait_for(rearm_done, &r, 5 * MS + EVENT_TIMEOUT_NS));
    return 0;
}

/* --- IPIs --- */

static uint32_t pair_hits[MAX_CPUS][MAX_CPUS]; /* [target][source] */

static void hit(void *arg)
{
    __atomic_fetch_add(&pair_hits[cpu_id()][(uintptr_t)arg], 1, __ATOMIC_RELAXED);
}

/* On each source CPU: a waited-for call to every other online CPU. */
static void fan_out(void *arg)
{
    unsigned me = cpu_id();
    for (unsigned t = 0; t < nr_cpus; t++)
        if (t != me && cpu_online(t))
            smp_call(t, hit, (void *)(uintptr_t)me, true);
}

struct ipi_count {
    unsigned cpu;
    uint64_t before;
};

static bool ipi_call_seen(void *ctx)
{
    struct ipi_count *c = ctx;
    return ipi_received(c->cpu, IPI_CALL) != c->before;
}

SELFTEST(ipi_every_pair)
{
    unsigned cpus[MAX_CPUS], n = online_list(cpus);
    struct ipi_count calls[MAX_CPUS];
    memset(pair_hits, 0, sizeof(pair_hits));
    for (unsigned i = 0; i < n; i++)
        calls[i] = (struct ipi_count){ cpus[i], ipi_received(cpus[i], IPI_CALL) };
    for (unsigned i = 0; i < n; i++)
        ST_CHECK(smp_call(cpus[i], fan_out, NULL, true) == 0);
    unsigned bad = 0;
    for (unsigned s = 0; s < n; s++)
        for (unsigned t = 0; t < n; t++) {
            uint32_t want = s != t;
            uint32_t got = __atomic_load_n(&pair_hits[cpus[t]][cpus[s]], __ATOMIC_RELAXED);
            if (got != want) {
                pr_err("selftest: CPU%u -> CPU%u: %u calls ran, expected %u\n", cpus[s], cpus[t],
                       got, want);
                bad++;
            }
        }
    /* Every CPU took IPI_CALL at least once (one per source unless some coalesced or the
     * call was picked up by a CPU polling while it waited itself; the IPI still arrives). */
    for (unsigned i = 0; i < n && n > 1; i++)
        if (!spin_for(ipi_call_seen, &calls[i], EVENT_TIMEOUT_NS)) {
            pr_err("selftest: CPU%u received no IPI_CALL\n", cpus[i]);
            bad++;
        }
    ST_CHECK(smp_call(nr_cpus, hit, NULL, true) == -EINVAL);
    pr_info("selftest: %u ordered CPU pairs exchanged calls\n", n * (n - 1));
    return bad != 0;
}

#define ASYNC_CALLS 200

static uint32_t async_count[MAX_CPUS];

static void async_inc(void *arg)
{
    __atomic_fetch_add(&async_count[cpu_id()], 1, __ATOMIC_RELAXED);
}

static bool async_all_done(void *ctx)
{
    unsigned *n = ctx;
    for (unsigned c = 0; c < nr_cpus; c++)
        if (cpu_online(c) && c != cpu_id() &&
            __atomic_load_n(&async_count[c], __ATOMIC_RELAXED) != *n)
            return false;
    return true;
}

SELFTEST(ipi_async_and_self)
{
    unsigned me = cpu_id();
    memset(async_count, 0, sizeof(async_count));
    for (unsigned k = 0; k < ASYNC_CALLS; k++)
        for (unsigned c = 0; c < nr_cpus; c++)
            if (c != me && cpu_online(c))
                ST_CHECK(smp_call(c, async_inc, NULL, false) == 0);
    unsigned want = ASYNC_CALLS;
    ST_CHECK(spin_for(async_all_done, &want, EVENT_TIMEOUT_NS));
    /* A CPU can interrupt itself. */
    uint64_t wakes = ipi_received(me, IPI_WAKE);
    ipi_send(me, IPI_WAKE);
    uint64_t end = time_now_ns() + EVENT_TIMEOUT_NS;
    while (ipi_received(me, IPI_WAKE) == wakes && time_now_ns() < end)
        arch_cpu_relax();
    ST_CHECK(ipi_received(me, IPI_WAKE) > wakes);
    ST_CHECK(irq_unhandled_count() == 0);
    return 0;
}
