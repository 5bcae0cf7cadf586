/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler tests' simulated machine (see test_sched_sim.h): stand-ins for the timer
 * queues, IPIs, the context switch, the heap and the log, and the event loop that drives
 * sched_switch() on every pCPU.
 */
#include "test_sched_sim.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/domain.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>
#include <hyp/timer.h>

#define MAX_TIMERS 64
#define MAX_DOMS 32
#define LOG_SIZE 65536

struct percpu percpu_data[MAX_CPUS];
unsigned nr_cpus;
struct bootinfo bootinfo;
uint64_t sim_now;
struct sim_seg *sim_trace;
size_t sim_nr_segs;
void (*sim_on_decision)(unsigned cpu, struct vcpu *next);
void (*sim_on_put)(unsigned cpu, struct vcpu *v);
bool sim_cpu_offline[MAX_CPUS];

static size_t trace_cap;
static size_t last_seg[MAX_CPUS]; /* 1 + index of each pCPU's latest segment, 0 = none */
static struct timer *timers[MAX_TIMERS];
static unsigned nr_timers;
static struct vcpu *running[MAX_CPUS]; /* what the run loop of each pCPU holds */
static struct sim_vcpu sims[SIM_MAX_VCPUS];
static unsigned nr_sims;
static struct domain *doms[MAX_DOMS];
static unsigned nr_doms;
static char log_buf[LOG_SIZE];
static size_t log_len;

/* --- stand-ins for the rest of Keel --- */

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return n;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log_buf + log_len, LOG_SIZE - log_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        log_len = log_len + (size_t)n < LOG_SIZE ? log_len + (size_t)n : LOG_SIZE - 1;
    if (getenv("SIM_VERBOSE"))
        fprintf(stderr, "%s", log_buf + log_len - (n > 0 ? (size_t)n : 0));
    if (log_len > LOG_SIZE / 2) { /* keep the tail; tests look at recent messages */
        memmove(log_buf, log_buf + LOG_SIZE / 4, log_len - LOG_SIZE / 4 + 1);
        log_len -= LOG_SIZE / 4;
    }
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    _fail(__FILE__, __LINE__);
    abort();
}

void sim_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(log_buf + log_len, LOG_SIZE - log_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        log_len = log_len + (size_t)n < LOG_SIZE ? log_len + (size_t)n : LOG_SIZE - 1;
}

bool sim_log_has(const char *s)
{
    return strstr(log_buf, s) != NULL;
}

void sim_log_clear(void)
{
    log_len = 0;
    log_buf[0] = 0;
}

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void *heap_alloc(size_t size)
{
    return malloc(size);
}

void heap_free(void *p)
{
    free(p);
}

bool cpu_online(unsigned cpu)
{
    return cpu < nr_cpus && percpu_data[cpu].online;
}

unsigned cpus_online(void)
{
    unsigned n = 0;
    for (unsigned c = 0; c < nr_cpus; c++)
        n += cpu_online(c);
    return n;
}

uint64_t cpus_online_mask(void)
{
    uint64_t m = 0;
    for (unsigned c = 0; c < nr_cpus; c++)
        if (cpu_online(c))
            m |= 1ULL << c;
    return m;
}

/* The idle loop's scrubbing: nothing to zero in the simulated machine. */
unsigned page_scrub(unsigned max_pages)
{
    return 0;
}

void ipi_send(unsigned cpu, enum ipi_kind kind)
{
    assert_true(cpu_online(cpu));
}

static void on_cpu(unsigned cpu)
{
    arch_set_this_cpu(&percpu_data[cpu]);
}

static struct sim_vcpu *sim_of(const struct vcpu *v)
{
    for (unsigned i = 0; i < nr_sims; i++)
        if (v && sims[i].v == v)
            return &sims[i];
    fail_msg("vCPU unknown to the harness");
    return NULL;
}

void arch_vcpu_load(struct vcpu *v)
{
    struct sim_vcpu *s = sim_of(v);
    assert_int_equal(s->loaded_on, -1); /* never live on two pCPUs */
    assert_true(v->running);
    assert_int_equal(v->cpu, cpu_id());
    s->loaded_on = (int)cpu_id();
}

void arch_vcpu_put(struct vcpu *v)
{
    struct sim_vcpu *s = sim_of(v);
    assert_int_equal(s->loaded_on, (int)cpu_id());
    assert_true(v->running); /* still marked running while its registers are saved */
    s->loaded_on = -1;
    if (sim_on_put) {
        unsigned me = cpu_id();
        sim_on_put(me, v);
        on_cpu(me);
    }
}

void arch_vcpu_run(struct vcpu *v)
{
    fail_msg("the run loop is not used in host tests");
}

void domain_load_run(struct vcpu *v)
{
    fail_msg("the run loop is not used in host tests");
}

bool arch_vcpu_has_pending_irq(struct vcpu *v)
{
    return false;
}

/* --- timers: one list, fired by the event loop --- */

uint64_t time_now_ns(void)
{
    return sim_now;
}

void timer_init(struct timer *t, timer_fn fn, void *ctx)
{
    *t = (struct timer){ .fn = fn, .ctx = ctx };
}

void timer_cancel(struct timer *t)
{
    if (!t->active)
        return;
    for (unsigned i = 0; i < nr_timers; i++) {
        if (timers[i] == t) {
            timers[i] = timers[--nr_timers];
            break;
        }
    }
    t->active = false;
}

/* The simulation runs no handler concurrently: killing is cancelling. */
void timer_kill(struct timer *t)
{
    timer_cancel(t);
}

void timer_set(struct timer *t, uint64_t deadline, unsigned cpu)
{
    timer_cancel(t);
    assert_true(nr_timers < MAX_TIMERS);
    t->deadline = deadline;
    t->cpu = cpu;
    t->active = true;
    timers[nr_timers++] = t;
}

/* Fire the earliest due timer; false if none is due. */
static bool fire_one_timer(void)
{
    struct timer *due = NULL;
    for (unsigned i = 0; i < nr_timers; i++)
        if (timers[i]->deadline <= sim_now && (!due || timers[i]->deadline < due->deadline))
            due = timers[i];
    if (!due)
        return false;
    timer_cancel(due);
    on_cpu(due->cpu);
    due->fn(due, due->ctx);
    return true;
}

/* --- set-up --- */

void sim_setup(unsigned nr, const char *cmdline, const void *dtb)
{
    memset(percpu_data, 0, sizeof(percpu_data));
    memset(running, 0, sizeof(running));
    memset(&bootinfo, 0, sizeof(bootinfo));
    nr_cpus = nr;
    for (unsigned c = 0; c < nr; c++) {
        percpu_data[c].id = c;
        percpu_data[c].online = !sim_cpu_offline[c];
        bootinfo.cpu_hwid[c] = c;
    }
    bootinfo.nr_cpus = nr;
    bootinfo.cmdline = cmdline ? cmdline : "";
    if (dtb)
        assert_int_equal(fdt_open(&bootinfo.fdt, dtb, fdt_header_size(dtb), NULL), 0);
    sim_now = 0;
    nr_timers = 0;
    nr_sims = nr_doms = 0;
    sim_nr_segs = 0;
    memset(last_seg, 0, sizeof(last_seg));
    sim_on_decision = NULL;
    sim_on_put = NULL;
    sim_log_clear();
    on_cpu(0);
    sched_init();
}

struct domain *sim_domain(const char *name, unsigned nr_vcpus, const struct sched_params *sp,
                          int *err)
{
    struct domain *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    strlcpy(d->name, name, sizeof(d->name));
    d->id = nr_doms + 1;
    if (sp)
        d->cfg.sched = *sp;
    d->cfg.nr_vcpus = nr_vcpus;
    on_cpu(0);
    int rc = sched_domain_init(d);
    if (rc) {
        free(d);
        if (err)
            *err = rc;
        return NULL;
    }
    assert_true(nr_doms < MAX_DOMS && nr_sims + nr_vcpus <= SIM_MAX_VCPUS);
    doms[nr_doms++] = d;
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        assert_non_null(v);
        v->id = i;
        v->dom = d;
        v->state = VCPU_OFFLINE;
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        assert_int_equal(sched_vcpu_init(v), 0);
        sims[nr_sims++] = (struct sim_vcpu){ .v = v,
                                             .expect_cpus = ~0UL,
                                             .loaded_on = -1,
                                             .next_release = UINT64_MAX,
                                             .seed = 0x9e3779b97f4a7c15UL * nr_sims + 1 };
    }
    return d;
}

struct sim_vcpu *sim_vcpu(const struct domain *d, unsigned idx)
{
    return sim_of(d->vcpus[idx]);
}

void sim_expect_cpus(const struct domain *d, uint64_t mask)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sim_vcpu(d, i)->expect_cpus = mask;
}

static uint64_t rnd(struct sim_vcpu *s, uint64_t max)
{
    s->seed ^= s->seed << 13;
    s->seed ^= s->seed >> 7;
    s->seed ^= s->seed << 17;
    return max ? s->seed % max : 0;
}

void sim_start_vcpu(struct sim_vcpu *s, struct sim_load load)
{
    s->load = load;
    on_cpu(0);
    switch (load.kind) {
    case LOAD_CPU:
        sched_vcpu_set_state(s->v, VCPU_RUNNABLE);
        break;
    case LOAD_PERIODIC:
        s->next_release = sim_now + load.phase;
        sched_vcpu_set_state(s->v, VCPU_BLOCKED);
        break;
    case LOAD_RANDOM:
        s->next_release = sim_now + load.phase;
        sched_vcpu_set_state(s->v, VCPU_BLOCKED);
        break;
    }
}

void sim_start(const struct domain *d, struct sim_load load)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sim_start_vcpu(sim_vcpu(d, i), load);
}

/* --- the event loop --- */

static void record(unsigned cpu, struct sim_vcpu *s, uint64_t t0, uint64_t t1)
{
    size_t last = last_seg[cpu];
    if (last && sim_trace[last - 1].s == s && sim_trace[last - 1].end == t0) {
        sim_trace[last - 1].end = t1;
        return;
    }
    if (sim_nr_segs == trace_cap) {
        trace_cap = trace_cap ? trace_cap * 2 : 4096;
        sim_trace = realloc(sim_trace, trace_cap * sizeof(*sim_trace));
        assert_non_null(sim_trace);
    }
    sim_trace[sim_nr_segs++] = (struct sim_seg){ cpu, s, t0, t1 };
    last_seg[cpu] = sim_nr_segs;
}

static bool needs_decision(unsigned cpu)
{
    if (!cpu_online(cpu))
        return false;
    on_cpu(cpu);
    return running[cpu] ? sched_must_leave(running[cpu]) : sched_cpu_kicked(cpu);
}

void sim_decide(unsigned cpu)
{
    on_cpu(cpu);
    struct vcpu *prev = running[cpu];
    struct vcpu *next = sched_switch(prev);
    running[cpu] = next;
    assert_ptr_equal(current_vcpu(), next);
    if (next) {
        struct sim_vcpu *s = sim_of(next);
        assert_int_equal(s->loaded_on, (int)cpu);
        assert_true(next->running && next->state == VCPU_RUNNABLE);
        if (!(s->expect_cpus & BIT(cpu)))
            fail_msg("%s vCPU %u runs on pCPU %u, outside its pool/affinity %#lx", next->dom->name,
                     next->id, cpu, s->expect_cpus);
        if (s->awaiting_run) {
            s->awaiting_run = false;
            if (sim_now - s->released_at > s->max_latency)
                s->max_latency = sim_now - s->released_at;
            s->waits += sim_now > s->released_at;
        }
    }
    if (prev && prev != next)
        assert_false(prev->running); /* saved, and handed back to the policy */
    if (sim_on_decision)
        sim_on_decision(cpu, next);
}

/* Let every pCPU that must decide do so, until none must. */
static void settle(void)
{
    for (unsigned round = 0;; round++) {
        bool any = false;
        for (unsigned c = 0; c < nr_cpus; c++) {
            if (needs_decision(c)) {
                sim_decide(c);
                any = true;
            }
        }
        if (!any)
            return;
        assert_true(round < 100); /* decisions must converge */
    }
}

static uint64_t next_event(uint64_t end)
{
    uint64_t t = end;
    for (unsigned i = 0; i < nr_timers; i++)
        t = MIN(t, MAX(timers[i]->deadline, sim_now));
    for (unsigned c = 0; c < nr_cpus; c++) {
        struct vcpu *v = running[c];
        if (v && sim_of(v)->load.kind != LOAD_CPU)
            t = MIN(t, sim_now + sim_of(v)->work_left);
    }
    for (unsigned i = 0; i < nr_sims; i++)
        if (sims[i].v)
            t = MIN(t, MAX(sims[i].next_release, sim_now));
    return t;
}

static void advance_to(uint64_t t)
{
    uint64_t dt = t - sim_now;
    for (unsigned c = 0; c < nr_cpus && dt; c++) {
        struct vcpu *v = running[c];
        if (!v)
            continue;
        struct sim_vcpu *s = sim_of(v);
        s->ran += dt;
        if (s->load.kind != LOAD_CPU)
            s->work_left -= dt;
        record(c, s, sim_now, t);
    }
    sim_now = t;
}

/* Running vCPUs that finished their burst wait for an interrupt (WFI). */
static void complete_bursts(void)
{
    for (unsigned c = 0; c < nr_cpus; c++) {
        struct vcpu *v = running[c];
        if (!v || sim_of(v)->load.kind == LOAD_CPU || sim_of(v)->work_left)
            continue;
        on_cpu(c);
        vcpu_block(v);
    }
}

/* Periodic and random loads released now get work and an interrupt. */
static void release_loads(void)
{
    for (unsigned i = 0; i < nr_sims; i++) {
        struct sim_vcpu *s = &sims[i];
        if (!s->v || s->next_release > sim_now)
            continue;
        if (s->load.kind == LOAD_PERIODIC) {
            s->work_left += s->load.work;
            s->next_release += s->load.period;
        } else {
            s->work_left += 1 + rnd(s, s->load.work);
            s->next_release = UINT64_MAX; /* the next sleep starts when this burst ends */
        }
        on_cpu(0);
        if (s->v->state == VCPU_BLOCKED) {
            s->released_at = sim_now;
            s->awaiting_run = true;
            vcpu_kick(s->v);
        }
    }
}

/* Random loads that just blocked sleep a random while. */
static void schedule_sleeps(void)
{
    for (unsigned i = 0; i < nr_sims; i++) {
        struct sim_vcpu *s = &sims[i];
        if (s->v && s->load.kind == LOAD_RANDOM && s->v->state == VCPU_BLOCKED && !s->work_left &&
            s->next_release == UINT64_MAX)
            s->next_release = sim_now + 1 + rnd(s, s->load.period);
    }
}

void sim_run_until(uint64_t end)
{
    for (;;) {
        settle();
        uint64_t t = next_event(end);
        advance_to(t);
        complete_bursts();
        schedule_sleeps();
        release_loads();
        while (fire_one_timer())
            ;
        if (sim_now >= end) {
            settle();
            return;
        }
    }
}

void sim_flush(void)
{
    for (unsigned c = 0; c < nr_cpus; c++)
        if (cpu_online(c))
            sched_kick_cpu(c);
    settle();
}

void sim_check_accounting(void)
{
    for (unsigned i = 0; i < nr_sims; i++)
        if (sims[i].v)
            assert_int_equal(sims[i].v->cpu_time_ns, sims[i].ran);
}

void sim_check_live_accounting(void)
{
    for (unsigned i = 0; i < nr_sims; i++)
        if (sims[i].v)
            assert_int_equal(sched_vcpu_time_ns(sims[i].v), sims[i].ran);
}

/* --- queries --- */

uint64_t sim_ran_between(const struct sim_vcpu *s, uint64_t t0, uint64_t t1)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < sim_nr_segs; i++) {
        const struct sim_seg *g = &sim_trace[i];
        if (g->s != s || g->end <= t0 || g->start >= t1)
            continue;
        sum += MIN(g->end, t1) - MAX(g->start, t0);
    }
    return sum;
}

uint64_t sim_dom_ran_between(const struct domain *d, uint64_t t0, uint64_t t1)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sum += sim_ran_between(sim_vcpu(d, i), t0, t1);
    return sum;
}

unsigned sim_cpus_used(const struct sim_vcpu *s)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < sim_nr_segs; i++)
        if (sim_trace[i].s == s)
            mask |= BIT(sim_trace[i].cpu);
    return (unsigned)__builtin_popcountll(mask);
}

void sim_destroy_domain(struct domain *d)
{
    /* Stop it, so none of its vCPUs runs when it is destroyed, as the domain code does. */
    on_cpu(0);
    for (unsigned v = 0; v < d->nr_vcpus; v++)
        sched_vcpu_set_state(d->vcpus[v], VCPU_PAUSED);
    settle();
    for (unsigned v = 0; v < d->nr_vcpus; v++) {
        on_cpu(0);
        sim_of(d->vcpus[v])->v = NULL;
        sched_vcpu_destroy(d->vcpus[v]);
        free(d->vcpus[v]);
    }
    sched_domain_destroy(d);
    for (unsigned i = 0; i < nr_doms; i++)
        if (doms[i] == d)
            doms[i] = doms[--nr_doms];
    free(d);
}

void sim_teardown(void)
{
    while (nr_doms)
        sim_destroy_domain(doms[nr_doms - 1]);
    nr_sims = 0;
    free(sim_trace);
    sim_trace = NULL;
    sim_nr_segs = trace_cap = 0;
    memset(sim_cpu_offline, 0, sizeof(sim_cpu_offline));
}

void sim_finish(void)
{
    sim_check_live_accounting();
    sim_flush();
    sim_check_accounting();
    sim_teardown();
}

double sim_dom_share(const struct domain *d, uint64_t t0, uint64_t t1)
{
    return (double)sim_dom_ran_between(d, t0, t1) / (double)(t1 - t0);
}
