/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the timer queues and time conversions (hyp/core/timer.c), included here so
 * the tests reach its interrupt handler.  Time is driven through host_counter, the hardware
 * timer is a per-CPU "programmed compare value", and interrupts are delivered by hand: a CPU's
 * timer interrupt is taken when the counter has reached what it programmed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <hyp/arch/cpu.h>
#include <hyp/irq.h>

/* The counter frequency is a test parameter; host.c's fixed 1 GHz is only one case. */
static uint64_t test_freq = 62500000;
#define arch_counter_freq() (test_freq)
#include "../../hyp/core/timer.c"
#undef arch_counter_freq

struct percpu percpu_data[MAX_CPUS];
unsigned nr_cpus = 2;

#define NEVER (~0UL)
static uint64_t programmed[MAX_CPUS];
static unsigned ipis_sent[MAX_CPUS];

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    return 0;
}

int irqchip_set_trigger(unsigned irq, bool edge)
{
    return 0;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
}

void ipi_send(unsigned cpu, enum ipi_kind kind)
{
    assert_int_equal(kind, IPI_TIMER);
    ipis_sent[cpu]++;
}

void arch_timer_init(void)
{
}

void arch_timer_init_cpu(void)
{
}

void arch_timer_program(uint64_t cval)
{
    programmed[cpu_id()] = cval;
}

unsigned arch_timer_irq(void)
{
    return 26;
}

bool arch_timer_irq_edge(void)
{
    return false;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

static void on_cpu(unsigned cpu)
{
    arch_set_this_cpu(&percpu_data[cpu]);
}

/* Deliver cpu's timer interrupt if its compare value has been reached, as the GIC would. */
static bool tick(unsigned cpu)
{
    on_cpu(cpu);
    if (programmed[cpu] == NEVER || host_counter < programmed[cpu])
        return false;
    timer_irq(26, NULL);
    return true;
}

static int setup(void **state)
{
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        percpu_data[c].id = c;
        programmed[c] = NEVER;
        ipis_sent[c] = 0;
        queues[c].head = NULL;
        queues[c].running = NULL;
    }
    test_freq = 62500000;
    host_counter = 0;
    on_cpu(0);
    time_init();
    return 0;
}

/* --- conversions --- */

static const uint64_t freqs[] = { 62500000, 24000000, 19200000, 1000000000, 3, 4294967295UL };

static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    return *s >> 4; /* < 2^60: 36 years, so ticks fit in 64 bits at any 32-bit frequency */
}

static void check_ns(uint64_t ns)
{
    unsigned __int128 prod = (unsigned __int128)ns * test_freq;
    uint64_t floor_ticks = (uint64_t)(prod / NSEC_PER_SEC);
    uint64_t ceil_ticks = (uint64_t)((prod + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
    assert_int_equal(time_ns_to_ticks(ns), floor_ticks);
    uint64_t c = time_ns_to_ticks_ceil(ns);
    assert_int_equal(c, ceil_ticks);
    /* The defining property: the first count at which "now" has reached ns. */
    assert_true(time_ticks_to_ns(c) >= ns);
    if (c)
        assert_true(time_ticks_to_ns(c - 1) < ns);
    uint64_t t = floor_ticks;
    assert_int_equal(time_ticks_to_ns(t),
                     (uint64_t)((unsigned __int128)t * NSEC_PER_SEC / test_freq));
}

static void conversions_are_exact(void **state)
{
    static const uint64_t edges[] = {
        0, 1, 15, 16, 17, 999999999, 1000000000, 1000000001, 123456789012345UL, 1UL << 59
    };
    for (unsigned f = 0; f < ARRAY_SIZE(freqs); f++) {
        test_freq = freqs[f];
        time_init();
        for (unsigned i = 0; i < ARRAY_SIZE(edges); i++)
            check_ns(edges[i]);
        uint64_t s = f + 1;
        for (unsigned i = 0; i < 20000; i++)
            check_ns(next_rand(&s));
    }
}

/* --- queues --- */

struct probe {
    struct timer t;
    uint64_t fired_ns;
    unsigned order;
    unsigned cpu;
};

static unsigned fired;

static void probe_fn(struct timer *t, void *ctx)
{
    struct probe *p = ctx;
    p->fired_ns = time_now_ns();
    p->order = ++fired;
    p->cpu = cpu_id();
}

static void arm(struct probe *p, uint64_t deadline, unsigned cpu)
{
    timer_init(&p->t, probe_fn, p);
    p->order = 0;
    timer_set(&p->t, deadline, cpu);
}

#define US 1000UL

static void fires_in_deadline_order_never_early(void **state)
{
    struct probe p[4];
    fired = 0;
    arm(&p[0], 300 * US, 0);
    arm(&p[1], 100 * US, 0);
    arm(&p[2], 200 * US, 0);
    arm(&p[3], 100 * US, 0); /* same deadline as p[1]: runs after it */
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(100 * US));

    /* An interrupt just before the deadline (say, from a coarser earlier programming) runs
     * nothing and re-arms the same compare value. */
    host_counter = programmed[0] - 1;
    timer_irq(26, NULL);
    assert_int_equal(fired, 0);

    host_counter = programmed[0];
    assert_true(tick(0));
    assert_int_equal(p[1].order, 1);
    assert_int_equal(p[3].order, 2);
    assert_int_equal(p[2].order, 0);
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(200 * US));

    host_counter = time_ns_to_ticks_ceil(1000 * US); /* late: both remaining ones at once */
    assert_true(tick(0));
    assert_int_equal(p[2].order, 3);
    assert_int_equal(p[0].order, 4);
    assert_int_equal(programmed[0], NEVER);
    static const uint64_t deadlines[4] = { 300 * US, 100 * US, 200 * US, 100 * US };
    for (unsigned i = 0; i < 4; i++) {
        assert_true(p[i].fired_ns >= deadlines[i]);
        assert_false(p[i].t.active);
    }
}

static void past_deadline_fires_at_once(void **state)
{
    struct probe p;
    fired = 0;
    host_counter = 1000;
    arm(&p, 0, 0);
    assert_true(programmed[0] <= host_counter);
    assert_true(tick(0));
    assert_int_equal(p.order, 1);
}

static void cancel_and_rearm(void **state)
{
    struct probe p[3];
    fired = 0;
    arm(&p[0], 100 * US, 0);
    arm(&p[1], 200 * US, 0);
    arm(&p[2], 300 * US, 0);
    timer_cancel(&p[1].t); /* middle */
    timer_cancel(&p[1].t); /* again: no-op */
    assert_false(p[1].t.active);
    timer_cancel(&p[0].t); /* head: the hardware stays armed until it fires */
    host_counter = programmed[0];
    assert_true(tick(0));
    assert_int_equal(fired, 0);
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(300 * US));
    /* Re-arming an active timer moves it. */
    timer_set(&p[2].t, 150 * US, 0);
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(150 * US));
    host_counter = time_ns_to_ticks_ceil(400 * US);
    assert_true(tick(0));
    assert_int_equal(fired, 1);
    assert_int_equal(p[2].order, 1);
    assert_int_equal(p[0].order + p[1].order, 0);
}

static void remote_head_sends_ipi(void **state)
{
    struct probe p[2];
    fired = 0;
    on_cpu(0);
    arm(&p[0], 500 * US, 1);
    assert_int_equal(ipis_sent[1], 1);
    assert_int_equal(programmed[0], NEVER); /* CPU0 never touches CPU1's timer */
    arm(&p[1], 900 * US, 1);                /* not the new head: no IPI */
    assert_int_equal(ipis_sent[1], 1);
    on_cpu(1);
    timer_handle_ipi();
    assert_int_equal(programmed[1], time_ns_to_ticks_ceil(500 * US));
    host_counter = time_ns_to_ticks_ceil(1000 * US);
    assert_true(tick(1));
    assert_int_equal(p[0].order, 1);
    assert_int_equal(p[1].order, 2);
    assert_int_equal(p[0].cpu, 1);
    /* Moving a timer from CPU1's queue to CPU0's. */
    arm(&p[0], 2000 * US, 1);
    on_cpu(0);
    timer_set(&p[0].t, 1500 * US, 0);
    assert_null(queues[1].head);
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(1500 * US));
}

struct periodic {
    struct timer t;
    unsigned runs;
    uint64_t period;
};

static void periodic_fn(struct timer *t, void *ctx)
{
    struct periodic *p = ctx;
    p->runs++;
    timer_set(t, t->deadline + p->period, cpu_id());
}

static void handler_rearms_itself(void **state)
{
    struct periodic p = { .period = 100 * US };
    timer_init(&p.t, periodic_fn, &p);
    timer_set(&p.t, 100 * US, 0);
    /* Three periods late: the handler runs once per due deadline in one interrupt, and the
     * next, future deadline is programmed. */
    host_counter = time_ns_to_ticks_ceil(350 * US);
    assert_true(tick(0));
    assert_int_equal(p.runs, 3);
    assert_true(p.t.active);
    assert_int_equal(programmed[0], time_ns_to_ticks_ceil(400 * US));
    timer_cancel(&p.t);
}

/* --- timer_kill and races between CPUs, with host threads as CPUs --- */

struct blocker {
    struct timer t;
    int entered; /* the handler has started */
    int release; /* the test lets it return */
    int rearmed; /* the handler tried to re-arm after the kill began */
};

static void blocking_fn(struct timer *t, void *ctx)
{
    struct blocker *b = ctx;
    __atomic_store_n(&b->entered, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&t->killed, __ATOMIC_ACQUIRE))
        ;
    timer_set(t, 0, cpu_id()); /* a handler re-arming itself while it is being killed */
    __atomic_store_n(&b->rearmed, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&b->release, __ATOMIC_ACQUIRE))
        ;
}

static void *cpu1_tick(void *arg)
{
    assert_true(tick(1));
    return NULL;
}

struct killer {
    struct timer *t;
    int done;
};

static void *cpu0_kill(void *arg)
{
    struct killer *k = arg;
    on_cpu(0);
    timer_kill(k->t);
    __atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* The watchdog and vtimer crashes: a handler still running on another CPU when its owner is
 * freed.  timer_kill waits for it, and the handler's own re-arm does not survive the kill. */
static void kill_waits_for_running_handler(void **state)
{
    struct blocker b = { 0 };
    timer_init(&b.t, blocking_fn, &b);
    on_cpu(0);
    timer_set(&b.t, 10 * US, 1);
    on_cpu(1);
    timer_handle_ipi();
    host_counter = time_ns_to_ticks_ceil(10 * US);
    pthread_t c1, c0;
    assert_int_equal(pthread_create(&c1, NULL, cpu1_tick, NULL), 0);
    while (!__atomic_load_n(&b.entered, __ATOMIC_ACQUIRE))
        ;
    struct killer k = { &b.t, 0 };
    assert_int_equal(pthread_create(&c0, NULL, cpu0_kill, &k), 0);
    while (!__atomic_load_n(&b.rearmed, __ATOMIC_ACQUIRE))
        ;
    /* However long we look, the kill cannot end while the handler runs. */
    for (unsigned i = 0; i < 1000; i++) {
        assert_false(__atomic_load_n(&k.done, __ATOMIC_ACQUIRE));
        sched_yield();
    }
    __atomic_store_n(&b.release, 1, __ATOMIC_RELEASE);
    pthread_join(c0, NULL);
    pthread_join(c1, NULL);
    assert_true(k.done);
    assert_false(b.t.active);
    assert_null(queues[0].head);
    assert_null(queues[1].head);
    /* Killed stays killed until initialised again. */
    on_cpu(0);
    timer_set(&b.t, 20 * US, 0);
    assert_false(b.t.active);
    timer_init(&b.t, probe_fn, NULL);
    assert_false(b.t.killed);
}

static void self_kill_fn(struct timer *t, void *ctx)
{
    timer_kill(t); /* from its own handler: must not wait for itself */
    (*(unsigned *)ctx)++;
}

static void kill_from_own_handler(void **state)
{
    unsigned runs = 0;
    struct timer t;
    timer_init(&t, self_kill_fn, &runs);
    timer_set(&t, 5 * US, 0);
    host_counter = time_ns_to_ticks_ceil(5 * US);
    assert_true(tick(0));
    assert_int_equal(runs, 1);
    assert_true(t.killed);
    timer_kill(&t); /* again, and on a timer that never ran: no-ops */
    struct timer never = { 0 };
    timer_kill(&never);
}

/* Two CPUs set, move and cancel the same timers at once (the watchdog hypercall on one vCPU
 * while another shuts the domain down): each timer stays on exactly one queue. */
#define RACE_TIMERS 2
#define RACE_ROUNDS 200000
static struct timer race_t[RACE_TIMERS];

static void race_fn(struct timer *t, void *ctx)
{
}

static void *race_cpu(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    on_cpu(me);
    uint64_t s = me + 1;
    for (unsigned i = 0; i < RACE_ROUNDS; i++) {
        struct timer *t = &race_t[next_rand(&s) % RACE_TIMERS];
        if (next_rand(&s) % 3)
            timer_set(t, 1000 * US + next_rand(&s) % 1000, (unsigned)(next_rand(&s) % 2));
        else
            timer_cancel(t);
    }
    return NULL;
}

static void set_and_cancel_race(void **state)
{
    for (unsigned i = 0; i < RACE_TIMERS; i++)
        timer_init(&race_t[i], race_fn, NULL);
    pthread_t th[2];
    for (unsigned c = 0; c < 2; c++)
        assert_int_equal(pthread_create(&th[c], NULL, race_cpu, (void *)(uintptr_t)c), 0);
    for (unsigned c = 0; c < 2; c++)
        pthread_join(th[c], NULL);
    unsigned queued = 0;
    for (unsigned c = 0; c < 2; c++)
        for (struct timer *t = queues[c].head; t; t = t->next) {
            assert_int_equal(t->cpu, c);
            assert_true(t->active);
            queued++;
        }
    unsigned active = 0;
    for (unsigned i = 0; i < RACE_TIMERS; i++)
        active += race_t[i].active;
    assert_int_equal(queued, active);
    for (unsigned i = 0; i < RACE_TIMERS; i++)
        timer_kill(&race_t[i]);
    assert_null(queues[0].head);
    assert_null(queues[1].head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(conversions_are_exact, setup),
        cmocka_unit_test_setup(fires_in_deadline_order_never_early, setup),
        cmocka_unit_test_setup(past_deadline_fires_at_once, setup),
        cmocka_unit_test_setup(cancel_and_rearm, setup),
        cmocka_unit_test_setup(remote_head_sends_ipi, setup),
        cmocka_unit_test_setup(handler_rearms_itself, setup),
        cmocka_unit_test_setup(kill_waits_for_running_handler, setup),
        cmocka_unit_test_setup(kill_from_own_handler, setup),
        cmocka_unit_test_setup(set_and_cancel_race, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
