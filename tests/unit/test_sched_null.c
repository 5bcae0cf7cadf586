/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The null policy (hyp/core/sched/null.c, included to reach its private state) on the
 * simulated machine: one vCPU per pCPU with no time slicing, vCPUs beyond the pCPUs waiting
 * unassigned (and reported) until a pCPU is freed, affinity at assignment, idle when blocked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "../../hyp/core/sched/null.c"
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static struct null_vcpu *nv(const struct domain *d, unsigned i)
{
    return nvcpu(d->vcpus[i]->sched_priv);
}

static void one_vcpu_per_pcpu(void **state)
{
    sim_setup(2, "sched=null", NULL);
    int err;
    struct domain *a = sim_domain("a", 2, NULL, &err);
    struct domain *b = sim_domain("b", 1, NULL, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(nv(a, 0)->cpu, 0);
    assert_int_equal(nv(a, 1)->cpu, 1);
    assert_int_equal(nv(b, 0)->cpu, -1);
    assert_true(sim_log_has("domain b vCPU 0 has no free pCPU and waits unassigned"));
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(1000));
    for (unsigned v = 0; v < 2; v++) {
        assert_int_equal(sim_ran_between(sim_vcpu(a, v), 0, MS(1000)), MS(1000));
        assert_int_equal(sim_cpus_used(sim_vcpu(a, v)), 1);
    }
    assert_int_equal(sim_dom_ran_between(b, 0, MS(1000)), 0);
    /* No time slicing: each pCPU ran its vCPU in one stretch. */
    assert_int_equal(sim_nr_segs, 2);
    sched_dump(sim_print);
    assert_true(sim_log_has("domain a (id 1): one pCPU per vCPU; pCPUs all, 2 runnable"));
    assert_true(sim_log_has("vCPU 1: runnable (running), pCPU 1, 1000.000 ms, owns pCPU 1\n"));
    assert_true(sim_log_has("0.000 ms, unassigned: waits for a free pCPU\n"));
    sim_finish();
}

/* When a domain goes away its pCPUs pass to waiting vCPUs, in creation order. */
static void freed_pcpu_goes_to_a_waiting_vcpu(void **state)
{
    sim_setup(2, "sched=null", NULL);
    struct domain *a = sim_domain("a", 2, NULL, NULL);
    struct domain *b = sim_domain("b", 1, NULL, NULL);
    struct domain *c = sim_domain("c", 1, NULL, NULL);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_start(c, cpu_bound);
    sim_run_until(MS(10));
    assert_int_equal(sim_dom_ran_between(b, 0, MS(10)) + sim_dom_ran_between(c, 0, MS(10)), 0);
    sim_destroy_domain(a);
    assert_true(sim_log_has("domain b vCPU 0 now has pCPU 0"));
    assert_true(sim_log_has("domain c vCPU 0 now has pCPU 1"));
    assert_int_equal(nv(b, 0)->cpu, 0);
    assert_int_equal(nv(c, 0)->cpu, 1);
    sim_run_until(MS(100));
    assert_int_equal(sim_dom_ran_between(b, MS(10), MS(100)), MS(90));
    assert_int_equal(sim_dom_ran_between(c, MS(10), MS(100)), MS(90));
    sim_finish();
}

/* A blocked vCPU leaves its pCPU idle: nobody else runs there. */
static void idle_while_blocked(void **state)
{
    sim_setup(1, "sched=null", NULL);
    struct domain *a = sim_domain("a", 1, NULL, NULL);
    struct domain *b = sim_domain("b", 1, NULL, NULL);
    sim_start(a, (struct sim_load){ .kind = LOAD_PERIODIC, .period = MS(10), .work = MS(3) });
    sim_start(b, cpu_bound);
    sim_run_until(MS(100));
    assert_int_equal(sim_dom_ran_between(a, 0, MS(100)), MS(30));
    assert_int_equal(sim_dom_ran_between(b, 0, MS(100)), 0);
    assert_int_equal(sim_vcpu(a, 0)->max_latency, 0);
    sim_finish();
}

/* Assignment honours affinity. */
static void affinity_at_assignment(void **state)
{
    sim_setup(4, "sched=null", NULL);
    struct sched_params sp = { .affinity = BIT(2) | BIT(3) };
    struct domain *a = sim_domain("a", 3, &sp, NULL);
    assert_non_null(a);
    assert_int_equal(nv(a, 0)->cpu, 2);
    assert_int_equal(nv(a, 1)->cpu, 3);
    assert_int_equal(nv(a, 2)->cpu, -1);
    sim_expect_cpus(a, BIT(2) | BIT(3));
    sim_start(a, cpu_bound);
    sim_run_until(MS(50));
    sim_finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_vcpu_per_pcpu),
        cmocka_unit_test(freed_pcpu_goes_to_a_waiting_vcpu),
        cmocka_unit_test(idle_while_blocked),
        cmocka_unit_test(affinity_at_assignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
