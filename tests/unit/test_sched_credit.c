/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credit policy (hyp/core/sched/credit.c, included to reach its private state) on the
 * simulated machine: weight ratios, weights shared among a domain's vCPUs, caps per period,
 * no starvation, idle pCPUs pulling work, pinning, prompt service after a wake-up, the slice
 * option, and the framework's invariants (checked by the harness at every decision).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "../../hyp/core/sched/credit.c"
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static struct domain *dom_with(const char *name, unsigned vcpus, struct sched_params sp)
{
    int err = 0;
    struct domain *d = sim_domain(name, vcpus, &sp, &err);
    assert_non_null(d);
    return d;
}

static struct domain *dom(const char *name, unsigned vcpus, unsigned weight, unsigned cap)
{
    return dom_with(name, vcpus, (struct sched_params){ .weight = weight, .cap = cap });
}

/* A one-vCPU domain pinned to one pCPU. */
static struct domain *pinned_dom(const char *name, unsigned weight, unsigned cpu)
{
    return dom_with(name, 1, (struct sched_params){ .weight = weight, .affinity = BIT(cpu) });
}

static void weights_one_to_two(void **state)
{
    sim_setup(1, "sched=credit", NULL);
    struct domain *a = dom("a", 1, 256, 0), *b = dom("b", 1, 512, 0);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(3000));
    double sa = sim_dom_share(a, MS(100), MS(3000)), sb = sim_dom_share(b, MS(100), MS(3000));
    assert_true(sa > 0.3133 && sa < 0.3533);
    assert_true(sb > 0.6467 && sb < 0.6867);
    assert_true(sb / sa > 1.94 && sb / sa < 2.06);
    sim_finish();
}

/* Keel's own work from a timer on a pCPU (a dead domain's teardown) is not charged to the vCPU
 * it interrupted: after 300 us of it, a vCPU that was current for 4 ms has used 3.7 ms. */
static void keel_work_not_charged(void **state)
{
    sim_setup(1, "sched=credit", NULL);
    struct domain *a = dom("a", 1, 256, 0);
    sim_start(a, cpu_bound);
    sim_run_until(MS(2));
    sched_cpu_not_charged(US(300));
    sim_vcpu(a, 0)->ran -= US(300); /* the harness counts it as run */
    sim_run_until(MS(4));
    sim_flush();
    assert_int_equal(a->vcpus[0]->cpu_time_ns, MS(4) - US(300));
    sim_finish();
}

/* Four domains, weights 1:2:3:4, on two pCPUs: 0.2, 0.4, 0.6 and 0.8 of a pCPU. */
static void weights_on_two_pcpus(void **state)
{
    sim_setup(2, NULL, NULL);
    struct domain *d[4];
    for (unsigned i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof(name), "d%u", i);
        d[i] = dom(name, 1, 100 * (i + 1), 0);
        sim_start(d[i], cpu_bound);
    }
    sim_run_until(MS(4000));
    for (unsigned i = 0; i < 4; i++) {
        double s = sim_dom_share(d[i], MS(200), MS(4000)), want = 0.2 * (i + 1);
        if (s < want - 0.03 || s > want + 0.03)
            fail_msg("d%u got %.3f of a pCPU, wanted %.3f", i, s, want);
    }
    sim_finish();
}

/* A domain's weight is shared by its runnable vCPUs: two vCPUs of weight 256 together get as
 * much as one vCPU of another domain with weight 256. */
static void weight_shared_among_vcpus(void **state)
{
    sim_setup(1, NULL, NULL);
    struct domain *a = dom("a", 2, 256, 0), *b = dom("b", 1, 256, 0);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(2000));
    double sa = sim_dom_share(a, MS(100), MS(2000)), sb = sim_dom_share(b, MS(100), MS(2000));
    assert_true(sa > 0.47 && sa < 0.53);
    assert_true(sb > 0.47 && sb < 0.53);
    double v0 = (double)sim_ran_between(sim_vcpu(a, 0), MS(100), MS(2000)) / MS(1900);
    assert_true(v0 > 0.22 && v0 < 0.28);
    sim_finish();
}

/* A 25% cap holds in every 10 ms accounting period even on an otherwise idle pCPU. */
static void cap_25_never_exceeded(void **state)
{
    sim_setup(1, NULL, NULL);
    struct domain *a = dom("a", 1, 256, 25);
    sim_start(a, cpu_bound);
    sim_run_until(MS(1000));
    for (uint64_t t = 0; t < MS(1000); t += CAP_PERIOD_NS) {
        uint64_t ran = sim_dom_ran_between(a, t, t + CAP_PERIOD_NS);
        if (ran > CAP_PERIOD_NS / 4)
            fail_msg("period at %lu ms: %lu ns, cap is %lu", t / MS(1), ran, CAP_PERIOD_NS / 4);
    }
    double s = sim_dom_share(a, 0, MS(1000));
    assert_true(s > 0.24 && s <= 0.25); /* parked, not starved: it gets all it may */
    assert_true(cdom(cvcpu(a->vcpus[0]->sched_priv))->parks > 0);
    sim_finish();
}

/* A cap is summed over the domain's vCPUs (150% = 1.5 pCPUs), next to an uncapped domain. */
static void cap_over_several_vcpus(void **state)
{
    sim_setup(4, NULL, NULL);
    struct domain *a = dom("capped", 4, 256, 150), *b = dom("free", 2, 256, 0);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(1000));
    for (uint64_t t = 0; t < MS(1000); t += CAP_PERIOD_NS)
        assert_true(sim_dom_ran_between(a, t, t + CAP_PERIOD_NS) <= CAP_PERIOD_NS * 3 / 2);
    double sa = sim_dom_share(a, MS(50), MS(1000)), sb = sim_dom_share(b, MS(50), MS(1000));
    assert_true(sa > 1.45 && sa <= 1.5);
    assert_true(sb > 1.95); /* the uncapped one takes what the cap leaves */
    sim_finish();
}

/* Many CPU-bound vCPUs and some that block at random on two pCPUs: every CPU-bound one gets
 * its fair part and never waits long. */
static void no_starvation(void **state)
{
    sim_setup(2, NULL, NULL);
    struct domain *hogs = dom("hogs", 6, 256 * 6, 0); /* 256 per vCPU */
    struct domain *io = dom("io", 2, 512, 0);
    sim_start(hogs, cpu_bound);
    sim_start(io, (struct sim_load){ .kind = LOAD_RANDOM, .work = US(800), .period = MS(3) });
    uint64_t last[6] = { 0 }, worst_gap = 0;
    sim_run_until(MS(2000));
    for (size_t i = 0; i < sim_nr_segs; i++) {
        for (unsigned v = 0; v < 6; v++) {
            if (sim_trace[i].s != sim_vcpu(hogs, v))
                continue;
            worst_gap = MAX(worst_gap, sim_trace[i].start - last[v]);
            last[v] = sim_trace[i].end;
        }
    }
    assert_true(worst_gap < MS(100));
    double io_share = sim_dom_share(io, MS(100), MS(2000));
    for (unsigned v = 0; v < 6; v++) {
        double s = (double)sim_ran_between(sim_vcpu(hogs, v), MS(100), MS(2000)) / MS(1900);
        double fair = (2.0 - io_share) / 6;
        if (s < fair * 0.9 || s > fair * 1.1)
            fail_msg("hog %u: %.3f, fair %.3f", v, s, fair);
    }
    sim_finish();
}

/* Idle pCPUs pull runnable vCPUs: four CPU-bound vCPUs woken on a four-pCPU pool keep all four
 * busy, and one woken while the others run lands on the idle pCPU at once. */
static void idle_pcpus_pull_work(void **state)
{
    sim_setup(4, NULL, NULL);
    struct domain *a = dom("a", 4, 256, 0);
    sim_start_vcpu(sim_vcpu(a, 0), cpu_bound);
    sim_start_vcpu(sim_vcpu(a, 1), cpu_bound);
    sim_start_vcpu(sim_vcpu(a, 2), cpu_bound);
    sim_run_until(MS(50));
    sim_start_vcpu(sim_vcpu(a, 3), cpu_bound);
    sim_run_until(MS(1000));
    assert_int_equal(sim_ran_between(sim_vcpu(a, 3), MS(50), MS(1000)), MS(950));
    for (unsigned v = 0; v < 3; v++)
        assert_int_equal(sim_ran_between(sim_vcpu(a, v), 0, MS(1000)), MS(1000));
    sim_finish();
}

/* Pinning: vCPUs restricted to pCPU 1 only ever run there; the others use the rest. */
static void pinning_respected(void **state)
{
    sim_setup(4, NULL, NULL);
    struct sched_params pinned = { .affinity = BIT(1) };
    struct domain *p = sim_domain("pinned", 2, &pinned, NULL);
    struct domain *f = dom("free", 3, 256, 0);
    assert_non_null(p);
    sim_expect_cpus(p, BIT(1));
    sim_start(p, cpu_bound);
    sim_start(f, cpu_bound);
    sim_run_until(MS(1000));
    for (unsigned v = 0; v < 2; v++) {
        assert_int_equal(sim_cpus_used(sim_vcpu(p, v)), 1);
        double s = (double)sim_ran_between(sim_vcpu(p, v), MS(100), MS(1000)) / MS(900);
        assert_true(s > 0.2); /* they share pCPU 1, possibly with the others */
    }
    uint64_t busy = sim_dom_ran_between(p, 0, MS(1000)) + sim_dom_ran_between(f, 0, MS(1000));
    assert_true(busy > MS(3980)); /* no pCPU idles while work waits */
    sim_finish();
}

/* A vCPU woken by an interrupt with credit to spare runs at once, ahead of CPU hogs (with no
 * rate limit). */
static void wake_gets_prompt_service(void **state)
{
    sim_setup(1, "sched_ratelimit_us=0", NULL);
    struct domain *hog = dom("hog", 2, 256, 0);
    struct domain *rt = dom("latency", 1, 256, 0);
    sim_start(hog, cpu_bound);
    sim_start(rt,
              (struct sim_load){
                  .kind = LOAD_PERIODIC, .period = MS(10), .work = US(500), .phase = US(3300) });
    sim_run_until(MS(2000));
    assert_int_equal(sim_vcpu(rt, 0)->max_latency, 0);
    double s = sim_dom_share(rt, 0, MS(2000));
    assert_true(s > 0.049 && s < 0.051);
    sim_finish();
}

/* Decisions that kept what ran, taken before it had run the rate limit: a wake-up kicked a
 * pCPU that could only keep it, a pass for nothing. */
static struct vcpu *pass_curr[MAX_CPUS];
static uint64_t pass_since[MAX_CPUS];
static unsigned futile_passes;

static void count_futile(unsigned cpu, struct vcpu *next)
{
    if (next && next == pass_curr[cpu] && sim_now - pass_since[cpu] < sched_ratelimit_ns)
        futile_passes++;
    if (next != pass_curr[cpu]) {
        pass_curr[cpu] = next;
        pass_since[cpu] = sim_now;
    }
}

/* The rate limit (1 ms by default, as Xen's credit2): a vCPU woken while what runs is inside
 * its limit does not kick it and waits for the pCPU's next decision (here the end of the hog's
 * slice); one woken after the limit preempts at once. */
static void ratelimit_defers_the_wait(void **state)
{
    sim_setup(1, NULL, NULL);
    assert_int_equal(sched_ratelimit_ns, MS(1));
    struct domain *hog = dom("hog", 1, 256, 0);
    struct domain *io = dom("io", 1, 256, 0);
    sim_start(hog, cpu_bound);
    /* Released 300 us into the hog's first run, then every 20 ms: long after its later runs
     * began. */
    sim_start(io, (struct sim_load){
                      .kind = LOAD_PERIODIC, .period = MS(20), .work = US(500), .phase = US(300) });
    futile_passes = 0;
    for (unsigned c = 0; c < MAX_CPUS; c++)
        pass_curr[c] = NULL;
    sim_on_decision = count_futile;
    sim_run_until(MS(2000));
    assert_int_equal(sim_vcpu(io, 0)->waits, 1);
    assert_int_equal(sim_vcpu(io, 0)->max_latency, MS(10) - US(300));
    /* No wake-up kicked a pCPU only to be refused. */
    assert_int_equal(futile_passes, 0);
    /* No run of a hog is cut shorter than the limit by the waker. */
    for (size_t i = 0; i < sim_nr_segs; i++)
        if (sim_trace[i].s != sim_vcpu(io, 0) && sim_trace[i].end < MS(2000))
            assert_true(sim_trace[i].end - sim_trace[i].start >= MS(1));
    sim_finish();

    /* Out of range: Xen's default; above the slice: the slice. */
    sim_setup(1, "sched_ratelimit_us=50", NULL);
    assert_int_equal(sched_ratelimit_ns, MS(1));
    sim_finish();
    sim_setup(1, "sched_slice_us=500 sched_ratelimit_us=2000", NULL);
    assert_int_equal(sched_ratelimit_ns, US(500));
    sim_finish();
}

/* On two pCPUs a wake-up passes over the pCPU whose vCPU is inside its rate limit and preempts
 * the other, even when the one inside is further ahead.  pCPU 0 alternates two light hogs
 * (each switched in every 10 ms, so inside its limit for 1 ms after), pCPU 1 runs one heavy
 * hog that was switched in once; the periodic vCPU is released 300 us after each switch on
 * pCPU 0. */
static void ratelimit_skips_the_fresh_victim(void **state)
{
    sim_setup(2, NULL, NULL);
    struct domain *a1 = pinned_dom("a1", 128, 0), *a2 = pinned_dom("a2", 128, 0);
    struct domain *b = pinned_dom("b", 1024, 1);
    struct domain *io = dom("io", 1, 256, 0);
    sim_start(a1, cpu_bound);
    sim_start(a2, cpu_bound);
    sim_start(b, cpu_bound);
    sim_start(io, (struct sim_load){ .kind = LOAD_PERIODIC,
                                     .period = MS(20),
                                     .work = US(500),
                                     .phase = MS(20) + US(300) });
    sim_run_until(MS(2000));
    /* Each release ran at once, on pCPU 1. */
    assert_int_equal(sim_vcpu(io, 0)->waits, 0);
    unsigned io_runs = 0;
    for (size_t i = 0; i < sim_nr_segs; i++) {
        const struct sim_seg *g = &sim_trace[i];
        if (g->s == sim_vcpu(io, 0)) {
            assert_int_equal(g->cpu, 1);
            io_runs++;
        } else if (g->cpu == 0 && g->end < MS(2000)) {
            /* No run on pCPU 0 was cut inside its limit. */
            assert_true(g->end - g->start >= MS(1));
        }
    }
    assert_int_equal(io_runs, 99);
    sim_finish();
}

/* Blocked vCPUs consume nothing: a domain that sleeps leaves its share to the others. */
static void blocked_consume_nothing(void **state)
{
    sim_setup(1, NULL, NULL);
    struct domain *sleeper = dom("sleeper", 1, 60000, 0);
    struct domain *hog = dom("hog", 1, 1, 0);
    sim_start(sleeper,
              (struct sim_load){ .kind = LOAD_PERIODIC, .period = MS(100), .work = MS(1) });
    sim_start(hog, cpu_bound);
    sim_run_until(MS(1000));
    assert_int_equal(sim_dom_ran_between(sleeper, 0, MS(1000)), MS(10));
    assert_int_equal(sim_dom_ran_between(hog, 0, MS(1000)), MS(990));
    sim_finish();
}

static uint64_t longest_segment(void)
{
    uint64_t m = 0;
    for (size_t i = 0; i < sim_nr_segs; i++)
        m = MAX(m, sim_trace[i].end - sim_trace[i].start);
    return m;
}

/* sched_slice_us= sets the slice: two hogs on a pCPU alternate at that period. */
static void slice_option(void **state)
{
    sim_setup(1, "sched_slice_us=2000", NULL);
    assert_int_equal(sched_slice_ns, US(2000));
    struct domain *a = dom("a", 2, 256, 0);
    sim_start(a, cpu_bound);
    sim_run_until(MS(100));
    assert_int_equal(longest_segment(), US(2000));
    sim_finish();

    sim_setup(1, NULL, NULL);
    a = dom("a", 2, 256, 0);
    sim_start(a, cpu_bound);
    sim_run_until(MS(100));
    assert_int_equal(longest_segment(), MS(10));
    sim_finish();
}

/* While a descheduled vCPU is being saved, another pCPU deciding must not take it. */
static struct vcpu *saving;
static void decide_elsewhere(unsigned cpu, struct vcpu *v)
{
    saving = v;
    sched_kick_cpu(1 - cpu);
    sim_decide(1 - cpu);
    saving = NULL;
}

static void saved_before_stolen(void **state)
{
    sim_setup(2, NULL, NULL);
    struct domain *a = dom("a", 3, 256, 0);
    sim_start(a, cpu_bound);
    sim_run_until(MS(5));
    sim_on_put = decide_elsewhere; /* arch_vcpu_put (the harness) asserts it is not loaded */
    sim_run_until(MS(500));
    sim_on_put = NULL;
    for (unsigned v = 0; v < 3; v++) {
        double s = (double)sim_ran_between(sim_vcpu(a, v), 0, MS(500)) / MS(500);
        if (s < 0.6 || s > 0.73)
            fail_msg("vCPU %u: %.3f", v, s);
    }
    sim_finish();
}

/* A yielding vCPU lets another run even though it has more credit. */
static void yield_lets_others_run(void **state)
{
    sim_setup(1, NULL, NULL);
    struct domain *a = dom("a", 2, 256, 0);
    sim_start(a, cpu_bound);
    sim_run_until(MS(1));
    struct vcpu *first = current_vcpu();
    assert_non_null(first);
    sched_yield(first);
    sim_run_until(MS(2));
    assert_ptr_not_equal(current_vcpu(), first);
    sim_finish();
}

static void bad_parameters(void **state)
{
    sim_setup(1, NULL, NULL);
    struct sched_params sp = { .weight = 65536 };
    int err = 0;
    assert_null(sim_domain("heavy", 1, &sp, &err));
    assert_int_equal(err, -EINVAL);
    assert_true(sim_log_has("weight 65536 is outside 1..65535"));
    sp = (struct sched_params){ .cap = 100 * MAX_VCPUS_PER_DOMAIN + 1 };
    assert_null(sim_domain("capped", 1, &sp, &err));
    struct domain *d = dom("default", 1, 0, 0);
    assert_int_equal(((struct credit_dom *)((struct sched_dom *)d->sched_priv)->priv)->weight, 256);
    sched_dump(sim_print);
    assert_true(sim_log_has("pool Pool-0: credit, pCPUs 0\n"));
    assert_true(sim_log_has("  domain default (id 1): weight 256, no cap; pCPUs all, 0 runnable\n"
                            "    vCPU 0: offline, pCPU 0, 0.000 ms, credit 0 us\n"));
    sim_finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weights_one_to_two),
        cmocka_unit_test(keel_work_not_charged),
        cmocka_unit_test(weights_on_two_pcpus),
        cmocka_unit_test(weight_shared_among_vcpus),
        cmocka_unit_test(cap_25_never_exceeded),
        cmocka_unit_test(cap_over_several_vcpus),
        cmocka_unit_test(no_starvation),
        cmocka_unit_test(idle_pcpus_pull_work),
        cmocka_unit_test(pinning_respected),
        cmocka_unit_test(wake_gets_prompt_service),
        cmocka_unit_test(ratelimit_defers_the_wait),
        cmocka_unit_test(ratelimit_skips_the_fresh_victim),
        cmocka_unit_test(blocked_consume_nothing),
        cmocka_unit_test(slice_option),
        cmocka_unit_test(saved_before_stolen),
        cmocka_unit_test(yield_lets_others_run),
        cmocka_unit_test(bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
