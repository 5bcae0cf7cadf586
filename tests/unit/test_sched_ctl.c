/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler as the toolstack changes it at run time (hyp/core/sched/sched_ctl.c and the
 * policies' dom_get/dom_set/vcpu_affinity hooks) on the simulated machine: a weight or cap
 * changed mid-run takes effect, a cap removed lets parked vCPUs go, RTDS parameters are read
 * and replaced, a vCPU's affinity moves it (running or queued) and null refuses to move an
 * assigned vCPU, out-of-range values change nothing, and a pool remembers the name its policy
 * was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <hyp/errno.h>
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static struct domain *dom(const char *name, unsigned vcpus, const struct sched_params *sp)
{
    int err = 0;
    struct domain *d = sim_domain(name, vcpus, sp, &err);
    assert_non_null(d);
    return d;
}

/* Equal weights share a pCPU evenly until one domain's weight is doubled: 2:1 from then on. */
static void credit_weight_changed_midrun(void **state)
{
    sim_setup(1, NULL, NULL);
    struct sched_params sp = { 0 };
    struct domain *a = dom("a", 1, &sp), *b = dom("b", 1, &sp);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(1000));
    assert_true(sim_dom_share(a, MS(100), MS(1000)) > 0.47);
    struct sched_params got;
    sched_domain_get_params(b, &got);
    assert_int_equal(got.weight, 256);
    assert_int_equal(got.cap, 0);
    got.weight = 512;
    assert_int_equal(sched_domain_set_params(b, &got), 0);
    sim_run_until(MS(3000));
    double sa = sim_dom_share(a, MS(1200), MS(3000)), sb = sim_dom_share(b, MS(1200), MS(3000));
    assert_true(sb / sa > 1.9 && sb / sa < 2.1);
    sched_domain_get_params(b, &got);
    assert_int_equal(got.weight, 512);
    sim_finish();
}

/* A cap set at run time holds in every period after the next boundary; removing it lets the
 * parked vCPU run again (by the pool timer at the period's end). */
static void credit_cap_set_and_removed(void **state)
{
    sim_setup(1, NULL, NULL);
    struct sched_params sp = { 0 };
    struct domain *a = dom("a", 1, &sp);
    sim_start(a, cpu_bound);
    sim_run_until(MS(100));
    sp = (struct sched_params){ .weight = 256, .cap = 30 };
    assert_int_equal(sched_domain_set_params(a, &sp), 0);
    sim_run_until(MS(600));
    for (uint64_t t = MS(110); t < MS(600); t += MS(10))
        if (sim_dom_ran_between(a, t, t + MS(10)) > MS(3))
            fail_msg("period at %lu ms ran %lu ns", t / MS(1),
                     sim_dom_ran_between(a, t, t + MS(10)));
    sp.cap = 0;
    assert_int_equal(sched_domain_set_params(a, &sp), 0);
    sim_run_until(MS(1000));
    assert_true(sim_dom_share(a, MS(620), MS(1000)) > 0.99);
    sim_finish();
}

static void credit_bad_values_change_nothing(void **state)
{
    sim_setup(1, NULL, NULL);
    struct sched_params sp = { .weight = 300, .cap = 50 };
    struct domain *a = dom("a", 1, &sp);
    struct sched_params bad[] = {
        { .weight = 0, .cap = 10 },
        { .weight = 65536 },
        { .weight = 1, .cap = 100 * MAX_VCPUS_PER_DOMAIN + 1 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(sched_domain_set_params(a, &bad[i]), -EINVAL);
    struct sched_params got;
    sched_domain_get_params(a, &got);
    assert_int_equal(got.weight, 300);
    assert_int_equal(got.cap, 50);
    assert_false(sim_log_has("domain a:")); /* the toolstack's mistakes print nothing */
    sim_finish();
}

/* RTDS: the parameters read back as configured, change at once (budget 2 of 10 ms from now
 * on), and out-of-range ones are refused. */
static void rtds_params(void **state)
{
    sim_setup(1, "sched=rtds", NULL);
    struct sched_params sp = { .budget_us = 5000, .period_us = 10000, .extratime = false };
    struct domain *a = dom("a", 1, &sp);
    sim_start(a, cpu_bound);
    sim_run_until(MS(200));
    assert_true(sim_dom_share(a, MS(50), MS(200)) > 0.49 &&
                sim_dom_share(a, MS(50), MS(200)) < 0.51);
    struct sched_params got;
    sched_domain_get_params(a, &got);
    assert_int_equal(got.budget_us, 5000);
    assert_int_equal(got.period_us, 10000);
    assert_int_equal(got.weight, 0);
    sp.budget_us = 2000;
    assert_int_equal(sched_domain_set_params(a, &sp), 0);
    sim_run_until(MS(500));
    double s = sim_dom_share(a, MS(250), MS(500));
    assert_true(s > 0.19 && s < 0.21);
    struct sched_params bad[] = {
        { .budget_us = 11000, .period_us = 10000 },
        { .budget_us = 5, .period_us = 10000 },
        { .budget_us = 5000, .period_us = 20000000 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(sched_domain_set_params(a, &bad[i]), -EINVAL);
    sched_domain_get_params(a, &got);
    assert_int_equal(got.budget_us, 2000);
    sim_finish();
}

/* A running vCPU pinned elsewhere leaves its pCPU at the next decision and runs only there. */
static void affinity_moves_a_running_vcpu(void **state)
{
    sim_setup(2, NULL, NULL);
    struct sched_params sp = { 0 };
    struct domain *a = dom("a", 1, &sp);
    struct vcpu *v = a->vcpus[0];
    assert_int_equal(sched_vcpu_affinity(v), ~0UL);
    sim_start(a, cpu_bound);
    sim_run_until(MS(50));
    unsigned from = v->cpu, to = 1 - from;
    uint64_t eff = 0;
    assert_int_equal(sched_vcpu_set_affinity(v, BIT(to) | BIT(7), &eff), 0);
    assert_int_equal(eff, BIT(to));                             /* within the pool's online pCPUs */
    assert_int_equal(sched_vcpu_affinity(v), BIT(to) | BIT(7)); /* as set */
    sim_run_until(MS(60));
    sim_expect_cpus(a, BIT(to));
    sim_run_until(MS(200));
    assert_int_equal(v->cpu, to);
    assert_true(sim_ran_between(sim_vcpu(a, 0), MS(100), MS(200)) > MS(99));
    /* No pCPU of the pool: refused, nothing changed. */
    assert_int_equal(sched_vcpu_set_affinity(v, BIT(5), &eff), -EINVAL);
    assert_int_equal(sched_vcpu_affinity(v), BIT(to) | BIT(7));
    sim_finish();
}

/* Two CPU-bound vCPUs pinned to pCPU 0 leave pCPU 1 idle; widening one's affinity lets the
 * idle pCPU take it at once. */
static void affinity_widened_pulls_queued_vcpu(void **state)
{
    sim_setup(2, NULL, NULL);
    struct sched_params sp = { .affinity = BIT(0) };
    struct domain *a = dom("a", 2, &sp);
    sim_expect_cpus(a, BIT(0));
    sim_start(a, cpu_bound);
    sim_run_until(MS(100));
    assert_true(sim_dom_ran_between(a, MS(10), MS(100)) <= MS(90));
    uint64_t eff;
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(sched_vcpu_set_affinity(a->vcpus[i], ~0UL, &eff), 0);
    sim_expect_cpus(a, BIT(0) | BIT(1));
    sim_run_until(MS(300));
    assert_true(sim_dom_ran_between(a, MS(150), MS(300)) > MS(299));
    sim_finish();
}

/* Null: a vCPU owns its pCPU; it may not be pinned away from it, but may be widened. */
static void null_refuses_to_move(void **state)
{
    sim_setup(2, "sched=null", NULL);
    struct sched_params sp = { 0 };
    struct domain *a = dom("a", 1, &sp);
    struct vcpu *v = a->vcpus[0];
    uint64_t eff;
    unsigned own = v->cpu;
    assert_int_equal(sched_vcpu_set_affinity(v, BIT(1 - own), &eff), -EBUSY);
    assert_int_equal(sched_vcpu_affinity(v), ~0UL);
    assert_int_equal(sched_vcpu_set_affinity(v, BIT(own), &eff), 0);
    assert_int_equal(eff, BIT(own));
    struct sched_params got = { .weight = 9 };
    sched_domain_get_params(a, &got);
    assert_int_equal(got.weight, 0); /* no parameters */
    assert_int_equal(sched_domain_set_params(a, &sp), 0);
    sim_finish();
}

/* The pool keeps the name its policy was given: credit2 and credit are one policy. */
static void pool_kinds(void **state)
{
    static const struct {
        const char *cmdline;
        enum sched_kind kind;
    } cases[] = {
        { NULL, SCHED_KIND_CREDIT },
        { "sched=credit", SCHED_KIND_CREDIT },
        { "sched=credit2", SCHED_KIND_CREDIT2 },
        { "sched=rtds", SCHED_KIND_RTDS },
        { "sched=null", SCHED_KIND_NULL },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sim_setup(2, cases[i].cmdline, NULL);
        assert_int_equal(sched_default_kind(), cases[i].kind);
        sim_finish();
    }
    sim_setup(2, "sched=credit2 cpupool=rt:rtds:1", NULL);
    struct sched_params sp = { .pool = "rt" };
    struct domain *a = dom("a", 1, &sp);
    enum sched_kind kind;
    unsigned id = sched_domain_pool(a, &kind);
    assert_int_equal(kind, SCHED_KIND_RTDS);
    assert_int_equal(id, 1);
    assert_int_equal(sched_default_kind(), SCHED_KIND_CREDIT2);
    /* The pools in id order, with their online pCPUs and domains. */
    unsigned pid, n;
    uint64_t cpus;
    assert_true(sched_pool_info(0, &pid, &kind, &cpus, &n));
    assert_int_equal(pid, 0);
    assert_int_equal(kind, SCHED_KIND_CREDIT2);
    assert_int_equal(cpus, BIT(0));
    assert_int_equal(n, 0);
    assert_true(sched_pool_info(1, &pid, &kind, &cpus, &n));
    assert_int_equal(pid, 1);
    assert_int_equal(kind, SCHED_KIND_RTDS);
    assert_int_equal(cpus, BIT(1));
    assert_int_equal(n, 1);
    assert_false(sched_pool_info(2, &pid, &kind, &cpus, &n));
    sim_finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(credit_weight_changed_midrun),
        cmocka_unit_test(credit_cap_set_and_removed),
        cmocka_unit_test(credit_bad_values_change_nothing),
        cmocka_unit_test(rtds_params),
        cmocka_unit_test(affinity_moves_a_running_vcpu),
        cmocka_unit_test(affinity_widened_pulls_queued_vcpu),
        cmocka_unit_test(null_refuses_to_move),
        cmocka_unit_test(pool_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
