/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RTDS policy (hyp/core/sched/rtds.c, included to reach its private state) on the
 * simulated machine: EDF order, budgets never exceeded in any period, replenishment at period
 * boundaries, 3/10 + 6/10 on one pCPU, extra time only when the pool is idle, deadline misses,
 * global EDF on several pCPUs, defaults and parameter checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "../../hyp/core/sched/rtds.c"
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static struct domain *rt(const char *name, unsigned vcpus, uint64_t budget_us, uint64_t period_us,
                         bool extra)
{
    struct sched_params sp = { .budget_us = budget_us, .period_us = period_us, .extratime = extra };
    int err = 0;
    struct domain *d = sim_domain(name, vcpus, &sp, &err);
    assert_non_null(d);
    return d;
}

static struct rt_vcpu *rtv(const struct domain *d, unsigned i)
{
    return rvcpu(d->vcpus[i]->sched_priv);
}

/* Each vCPU, in each of its periods (they start when it first wakes, here at 0), runs at
 * most its budget. */
static void assert_budgets_hold(const struct domain *d, uint64_t budget, uint64_t period,
                                uint64_t end)
{
    for (unsigned v = 0; v < d->nr_vcpus; v++)
        for (uint64_t t = 0; t + period <= end; t += period) {
            uint64_t ran = sim_ran_between(sim_vcpu(d, v), t, t + period);
            if (ran > budget)
                fail_msg("%s vCPU %u ran %lu ns in the period at %lu, budget %lu", d->name, v, ran,
                         t, budget);
        }
}

static void three_and_six_of_ten(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct domain *a = rt("a", 1, 3000, 10000, false), *b = rt("b", 1, 6000, 10000, false);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(1000));
    double sa = sim_dom_share(a, 0, MS(1000)), sb = sim_dom_share(b, 0, MS(1000));
    assert_true(sa > 0.25 && sa < 0.35);
    assert_true(sb > 0.55 && sb < 0.65);
    assert_budgets_hold(a, MS(3), MS(10), MS(1000));
    assert_budgets_hold(b, MS(6), MS(10), MS(1000));
    assert_int_equal(rtv(a, 0)->misses + rtv(b, 0)->misses, 0);
    sim_finish();
}

/* Different periods on two pCPUs: no vCPU ever exceeds its budget in a period. */
static void budget_never_exceeded(void **state)
{
    sim_setup(2, "sched=rtds", NULL);
    struct domain *a = rt("a", 2, 2000, 5000, false), *b = rt("b", 1, 3000, 7000, false);
    struct domain *c = rt("c", 2, 4000, 20000, false);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_start(c, cpu_bound);
    sim_run_until(MS(2000));
    assert_budgets_hold(a, MS(2), MS(5), MS(2000));
    assert_budgets_hold(b, MS(3), MS(7), MS(2000));
    assert_budgets_hold(c, MS(4), MS(20), MS(2000));
    /* Utilisation 0.8 + 0.43 + 0.4 < 2, so each gets its whole budget. */
    assert_true(sim_dom_share(a, 0, MS(2000)) > 0.79);
    assert_true(sim_dom_share(c, 0, MS(2000)) > 0.39);
    sim_finish();
}

/* A CPU-bound vCPU alone: exactly its budget at the start of every period, then nothing until
 * the next (replenishment, no extra time). */
static void replenished_each_period(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct domain *a = rt("a", 1, 2000, 10000, false);
    sim_start(a, cpu_bound);
    sim_run_until(MS(500));
    for (uint64_t t = 0; t < MS(500); t += MS(10)) {
        assert_int_equal(sim_ran_between(sim_vcpu(a, 0), t, t + MS(2)), MS(2));
        assert_int_equal(sim_ran_between(sim_vcpu(a, 0), t + MS(2), t + MS(10)), 0);
    }
    assert_int_equal(rtv(a, 0)->misses, 0);
    sim_finish();
}

/* Woken together, vCPUs run in deadline order; a later wake with an earlier deadline
 * preempts at once. */
static void edf_order(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct domain *a = rt("a", 1, 2000, 30000, false), *b = rt("b", 1, 2000, 10000, false);
    struct domain *c = rt("c", 1, 2000, 20000, false);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_start(c, cpu_bound);
    sim_run_until(MS(6));
    assert_int_equal(sim_ran_between(sim_vcpu(b, 0), 0, MS(2)), MS(2));
    assert_int_equal(sim_ran_between(sim_vcpu(c, 0), MS(2), MS(4)), MS(2));
    assert_int_equal(sim_ran_between(sim_vcpu(a, 0), MS(4), MS(6)), MS(2));
    sim_finish();

    sim_setup(1, "sched=rtds", NULL);
    struct domain *bg = rt("bg", 1, 40000, 50000, false);
    struct domain *fg = rt("fg", 1, 1000, 5000, false);
    sim_start(bg, cpu_bound);
    sim_start(fg, (struct sim_load){
                      .kind = LOAD_PERIODIC, .period = MS(5), .work = US(700), .phase = MS(2) });
    sim_run_until(MS(200));
    assert_int_equal(sim_vcpu(fg, 0)->max_latency, 0);
    assert_int_equal(rtv(fg, 0)->misses, 0);
    assert_int_equal(sim_dom_ran_between(fg, MS(2), MS(202)), US(700) * 40);
    sim_finish();
}

/* Extra time: only what nobody with budget wants. */
static void extratime_only_when_idle(void **state)
{
    /* 2/10 with extra time next to a CPU-bound 8/10: the budgeted one keeps its 80%. */
    sim_setup(1, "sched=rtds", NULL);
    struct domain *x = rt("x", 1, 2000, 10000, true), *b = rt("b", 1, 8000, 10000, false);
    sim_start(x, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(500));
    assert_int_equal(sim_dom_ran_between(b, 0, MS(500)), MS(400));
    assert_int_equal(sim_dom_ran_between(x, 0, MS(500)), MS(100));
    sim_finish();

    /* Next to 5/10: the idle half goes to the extra-time vCPU, the budgeted one loses
     * nothing; a vCPU without extra time gets only its budget. */
    sim_setup(1, "sched=rtds", NULL);
    x = rt("x", 1, 2000, 10000, true);
    b = rt("b", 1, 5000, 10000, false);
    sim_start(x, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(500));
    assert_int_equal(sim_dom_ran_between(b, 0, MS(500)), MS(250));
    assert_int_equal(sim_dom_ran_between(x, 0, MS(500)), MS(250));
    assert_budgets_hold(b, MS(5), MS(10), MS(500));
    sim_finish();

    /* Extra time yields at once to a vCPU whose budget is replenished. */
    sim_setup(1, "sched=rtds", NULL);
    x = rt("x", 1, 1000, 10000, true);
    b = rt("b", 1, 1000, 3000, false);
    sim_start(x, cpu_bound);
    sim_start(b, (struct sim_load){ .kind = LOAD_PERIODIC, .period = MS(3), .work = US(900) });
    sim_run_until(MS(300));
    assert_int_equal(sim_dom_ran_between(b, 0, MS(300)), US(900) * 100);
    assert_int_equal(sim_vcpu(b, 0)->max_latency, 0);
    assert_int_equal(sim_dom_ran_between(x, 0, MS(300)), MS(300) - US(900) * 100);
    sim_finish();
}

/* An overloaded pCPU misses deadlines, and they are counted; a feasible set misses none. */
static void deadline_misses_counted(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct domain *a = rt("a", 3, 6000, 10000, false);
    sim_start(a, cpu_bound);
    sim_run_until(MS(200));
    uint64_t misses = 0;
    for (unsigned v = 0; v < 3; v++)
        misses += rtv(a, v)->misses;
    assert_true(misses >= 20); /* at least one vCPU misses every period */
    assert_budgets_hold(a, MS(6), MS(10), MS(200));
    sim_log_clear();
    sched_dump(sim_print);
    assert_true(sim_log_has("pool Pool-0: rtds, pCPUs 0\n"));
    assert_true(
        sim_log_has("budget 6000 us, period 10000 us, extratime no; pCPUs all, 3 runnable"));
    assert_true(sim_log_has(" deadline misses\n"));
    sim_finish();
}

/* Global EDF: four 4/10 vCPUs on two pCPUs all meet their deadlines, using both pCPUs. */
static void global_edf_on_two_pcpus(void **state)
{
    sim_setup(2, "sched=rtds", NULL);
    struct domain *a = rt("a", 4, 4000, 10000, false);
    sim_start(a, cpu_bound);
    sim_run_until(MS(1000));
    for (unsigned v = 0; v < 4; v++) {
        assert_int_equal(sim_ran_between(sim_vcpu(a, v), 0, MS(1000)), MS(400));
        assert_int_equal(rtv(a, v)->misses, 0);
    }
    sim_finish();
}

/* Pinning under RTDS: a vCPU allowed only pCPU 1 runs only there, even when pCPU 0 idles. */
static void pinning_respected(void **state)
{
    sim_setup(2, "sched=rtds", NULL);
    struct sched_params sp = { .budget_us = 8000, .period_us = 10000, .affinity = BIT(1) };
    struct domain *p = sim_domain("pinned", 2, &sp, NULL);
    assert_non_null(p);
    sim_expect_cpus(p, BIT(1));
    sim_start(p, cpu_bound);
    sim_run_until(MS(500));
    assert_int_equal(sim_dom_ran_between(p, 0, MS(500)), MS(500)); /* pCPU 1 only */
    sim_finish();
}

/* Blocking periodic loads within budget: no misses, no extra time taken, prompt wake-ups. */
static void periodic_loads_meet_deadlines(void **state)
{
    sim_setup(2, "sched=rtds", NULL);
    struct domain *a = rt("a", 3, 2000, 5000, false);
    struct domain *hog = rt("hog", 2, 5000, 10000, false);
    sim_start(a, (struct sim_load){ .kind = LOAD_PERIODIC, .period = MS(5), .work = US(1500) });
    sim_start(hog, cpu_bound);
    sim_run_until(MS(1000));
    for (unsigned v = 0; v < 3; v++) {
        assert_int_equal(rtv(a, v)->misses, 0);
        assert_int_equal(sim_ran_between(sim_vcpu(a, v), 0, MS(1000)), US(1500) * 200);
    }
    sim_finish();
}

static void defaults_and_bad_parameters(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct domain *d = rt("defaults", 1, 0, 0, false);
    sim_start(d, cpu_bound);
    sim_run_until(MS(100));
    assert_int_equal(sim_dom_ran_between(d, 0, MS(100)), MS(40)); /* 4 ms every 10 ms */
    struct sched_params sp = { .budget_us = 5000, .period_us = 4000 };
    int err = 0;
    assert_null(sim_domain("bad", 1, &sp, &err));
    assert_int_equal(err, -EINVAL);
    assert_true(sim_log_has("RTDS needs 10 us <= budget (5000 us) <= period (4000 us)"));
    sp = (struct sched_params){ .budget_us = 5 };
    assert_null(sim_domain("tiny", 1, &sp, &err));
    sim_finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_and_six_of_ten),
        cmocka_unit_test(budget_never_exceeded),
        cmocka_unit_test(replenished_each_period),
        cmocka_unit_test(edf_order),
        cmocka_unit_test(extratime_only_when_idle),
        cmocka_unit_test(deadline_misses_counted),
        cmocka_unit_test(global_edf_on_two_pcpus),
        cmocka_unit_test(pinning_respected),
        cmocka_unit_test(periodic_loads_meet_deadlines),
        cmocka_unit_test(defaults_and_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
