/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU pools changed at run time (hyp/core/sched/pool_ctl.c, the toolstack's cpupool_op) on the
 * simulated machine: create and destroy with Xen's errors, a pCPU out of a busy pool into the
 * free set (its vCPU put away by the pCPU itself, never run there again) and into another pool,
 * the last pCPU of a pool with domains kept, a domain moved between policies and back while
 * its accounting stays exact, and the null policy's owned pCPU taken away.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/errno.h>
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static void pause_dom(struct domain *d)
{
    for (unsigned v = 0; v < d->nr_vcpus; v++)
        sched_vcpu_set_state(d->vcpus[v], VCPU_PAUSED);
}

static void create_and_destroy(void **state)
{
    sim_setup(4, "sched=credit cpupool=rt:rtds:3", NULL);
    uint32_t id = 0;
    /* Any id: one past the highest (rt is 1). */
    assert_int_equal(sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_CREDIT, &id), 0);
    assert_int_equal(id, 2);
    struct sched_pool *p = sched_pool_by_id(2, true);
    assert_non_null(p);
    assert_string_equal(p->name, "Pool-2");
    assert_int_equal(p->cpus, 0);
    assert_int_equal(sched_pool_create(7, SCHED_KIND_NULL, &id), 0);
    assert_int_equal(id, 7);
    assert_int_equal(sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_RTDS, &id), 0);
    assert_int_equal(id, 8);
    assert_int_equal(sched_pool_create(7, SCHED_KIND_CREDIT, &id), -EEXIST);
    assert_int_equal(sched_pool_create(0, SCHED_KIND_CREDIT, &id), -EEXIST);
    assert_int_equal(sched_pool_create(0x80000000u, SCHED_KIND_CREDIT, &id), -EINVAL);
    /* INFO walks them in id order. */
    unsigned got, n;
    enum sched_kind kind;
    uint64_t cpus;
    assert_true(sched_pool_info(3, &got, &kind, &cpus, &n));
    assert_int_equal(got, 7);
    assert_int_equal(kind, SCHED_KIND_NULL);
    assert_int_equal(cpus, 0);
    /* Destroy: unknown, the default pool, one with pCPUs; then empty ones, whose slots and
     * ids come back. */
    assert_int_equal(sched_pool_destroy(5), -ENOENT);
    assert_int_equal(sched_pool_destroy(0), -EBUSY);
    assert_int_equal(sched_pool_destroy(1), -EBUSY);
    assert_int_equal(sched_pool_destroy(7), 0);
    assert_int_equal(sched_pool_destroy(7), -ENOENT);
    assert_int_equal(sched_pool_destroy(8), 0);
    assert_int_equal(sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_CREDIT, &id), 0);
    assert_int_equal(id, 3);
    /* The table has 16 slots: 13 more fit, then -ENOMEM. */
    unsigned made = 0;
    while (!sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_CREDIT2, &id))
        made++;
    assert_int_equal(made, 12);
    assert_int_equal(sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_CREDIT2, &id), -ENOMEM);
    sim_teardown();
}

/* A pCPU out of a busy pool: its vCPU is put away by the pCPU itself, runs only on the rest,
 * and the pCPU is free once it noticed.  Then into another pool, where a domain moved there
 * runs on it alone. */
static void cpu_remove_add(void **state)
{
    sim_setup(2, "sched=credit", NULL);
    struct domain *a = sim_domain("a", 2, &(struct sched_params){ 0 }, NULL);
    sim_start(a, cpu_bound);
    sim_run_until(MS(50));
    assert_int_equal(sched_free_cpus(), 0);
    assert_int_equal(sched_pool_remove_cpu(0, 2), -EINVAL);
    assert_int_equal(sched_pool_remove_cpu(0, 64), -EINVAL);
    assert_int_equal(sched_pool_remove_cpu(4, 1), -ENOENT);
    assert_int_equal(sched_pool_remove_cpu(0, SCHED_POOL_ANY), 0); /* the last: pCPU 1 */
    sim_expect_cpus(a, 0x1);
    assert_int_equal(sched_pool_remove_cpu(0, 1), -EADDRNOTAVAIL);
    /* Pool-0 keeps its last pCPU while it has a domain. */
    assert_int_equal(sched_pool_remove_cpu(0, 0), -EBUSY);
    sim_run_until(MS(100));
    assert_int_equal(sched_free_cpus(), 0x2);
    assert_int_equal(sched_pool_of_cpu(1), NULL);
    assert_int_equal(sim_dom_ran_between(a, MS(60), MS(100)), MS(40)); /* one pCPU's worth */

    uint32_t id;
    assert_int_equal(sched_pool_create(SCHED_POOL_ANY, SCHED_KIND_RTDS, &id), 0);
    /* A non-free pCPU, one that does not exist, a pool that does not. */
    assert_int_equal(sched_pool_add_cpu(id, 0), -ENODEV);
    assert_int_equal(sched_pool_add_cpu(id, 9), -EINVAL);
    assert_int_equal(sched_pool_add_cpu(9, 1), -ENOENT);
    /* A pool without pCPUs takes no domain. */
    pause_dom(a);
    sim_flush();
    assert_int_equal(sched_domain_move(a, id), -ENOENT);
    assert_int_equal(sched_pool_add_cpu(id, SCHED_POOL_ANY), 0);
    assert_int_equal(sched_free_cpus(), 0);
    assert_int_equal(sched_pool_add_cpu(id, SCHED_POOL_ANY), -ENODEV);
    assert_int_equal(sched_pool_destroy(id), -EBUSY);
    unsigned got, n;
    enum sched_kind kind;
    uint64_t cpus;
    assert_true(sched_pool_info(id, &got, &kind, &cpus, &n));
    assert_int_equal(cpus, 0x2);
    assert_int_equal(n, 0);
    sim_teardown();
}

/* A pool's last online pCPU stays while it has domains, though the pool also holds a pCPU
 * that never came up (Pool-0 takes those at boot): that one runs nothing. */
static void last_online_cpu_kept(void **state)
{
    sim_cpu_offline[2] = true; /* sim_teardown clears it */
    sim_setup(3, "sched=credit", NULL);
    struct domain *a = sim_domain("a", 1, &(struct sched_params){ 0 }, NULL);
    sim_start(a, cpu_bound);
    sim_run_until(MS(10));
    assert_int_equal(sched_pool_remove_cpu(0, 1), 0);
    assert_int_equal(sched_pool_remove_cpu(0, 0), -EBUSY);
    sim_run_until(MS(30));
    assert_int_equal(sim_dom_ran_between(a, MS(20), MS(30)), MS(10)); /* still running */
    sim_teardown();
}

/* Pausing a vCPU (a domain paused, shut down) leaves one that is offline offline: were it
 * made PAUSED, the unpause would run it past its PSCI CPU_OFF. */
static void pause_leaves_offline_vcpus(void **state)
{
    sim_setup(2, "sched=credit", NULL);
    struct domain *a = sim_domain("a", 2, &(struct sched_params){ 0 }, NULL);
    sim_start_vcpu(sim_vcpu(a, 0), cpu_bound);
    sim_run_until(MS(10));
    sched_vcpu_pause(a->vcpus[0]);
    sched_vcpu_pause(a->vcpus[1]);
    assert_int_equal(a->vcpus[0]->state, VCPU_PAUSED);
    assert_int_equal(a->vcpus[1]->state, VCPU_OFFLINE);
    sim_run_until(MS(20));
    assert_int_equal(sim_dom_ran_between(a, MS(12), MS(20)), 0);
    sim_teardown();
}

/* A domain to RTDS and back, with default parameters there and its time kept exact. */
static void move_and_back(void **state)
{
    sim_setup(2, "sched=credit cpupool=rt:rtds:1", NULL);
    struct domain *a = sim_domain("a", 1, &(struct sched_params){ .weight = 512 }, NULL);
    struct domain *b = sim_domain("b", 1, &(struct sched_params){ 0 }, NULL);
    sim_expect_cpus(a, 0x1);
    sim_expect_cpus(b, 0x1);
    sim_start(a, cpu_bound);
    sim_start(b, cpu_bound);
    sim_run_until(MS(50));
    /* Still running: the caller must pause it first. */
    assert_int_equal(sched_domain_move(a, 1), -EAGAIN);
    pause_dom(a);
    sim_flush();
    assert_int_equal(sched_domain_move(a, 1), 0);
    assert_int_equal(sched_domain_move(a, 1), 0); /* already there */
    enum sched_kind kind;
    assert_int_equal(sched_domain_pool(a, &kind), 1);
    assert_int_equal(kind, SCHED_KIND_RTDS);
    struct sched_params sp;
    sched_domain_get_params(a, &sp);
    assert_int_equal(sp.period_us, 10000);
    assert_int_equal(sp.budget_us, 4000);
    assert_int_equal(sched_vcpu_affinity(a->vcpus[0]), ~0UL);
    sim_expect_cpus(a, 0x2);
    sim_start(a, cpu_bound);
    sim_run_until(MS(150));
    uint64_t r = sim_dom_ran_between(a, MS(60), MS(150));
    assert_true(r >= MS(30) && r <= MS(40)); /* 4 ms per 10 ms */
    assert_int_equal(sim_dom_ran_between(b, MS(60), MS(150)), MS(90));
    /* Destroying the pool it is in: -EBUSY; and back. */
    assert_int_equal(sched_pool_remove_cpu(1, 1), -EBUSY);
    pause_dom(a);
    sim_flush();
    assert_int_equal(sched_domain_move(a, 0), 0);
    sched_domain_get_params(a, &sp);
    assert_int_equal(sp.weight, 256);
    sim_expect_cpus(a, 0x1);
    sim_start(a, cpu_bound);
    sim_run_until(MS(250));
    r = sim_dom_ran_between(a, MS(160), MS(250));
    assert_true(r >= MS(40) && r <= MS(50));
    unsigned id, n;
    uint64_t cpus;
    assert_true(sched_pool_info(1, &id, &kind, &cpus, &n));
    assert_int_equal(n, 0);
    /* Now the rt pool can give its pCPU up and go. */
    assert_int_equal(sched_pool_remove_cpu(1, 1), 0);
    assert_int_equal(sched_pool_destroy(1), 0);
    sim_finish();
}

/* Null: the pCPU a vCPU owns leaves the pool; the vCPU takes the free one, or waits for one. */
static void null_owner_moves(void **state)
{
    sim_setup(3, "sched=null", NULL);
    struct domain *a = sim_domain("a", 1, &(struct sched_params){ 0 }, NULL);
    sim_start(a, cpu_bound);
    sim_run_until(MS(10));
    assert_int_equal(a->vcpus[0]->cpu, 0);
    assert_int_equal(sched_pool_remove_cpu(0, 0), 0);
    sim_expect_cpus(a, 0x6);
    sim_run_until(MS(20));
    assert_int_equal(a->vcpus[0]->cpu, 1);
    assert_int_equal(sched_free_cpus(), 0x1);
    assert_true(sim_dom_ran_between(a, MS(11), MS(20)) == MS(9));
    /* A second vCPU-owner takes pCPU 2; then pCPU 2 goes and b waits. */
    struct domain *b = sim_domain("b", 1, &(struct sched_params){ 0 }, NULL);
    sim_expect_cpus(b, 0x6);
    sim_start(b, cpu_bound);
    sim_run_until(MS(30));
    assert_int_equal(sched_pool_remove_cpu(0, 2), 0);
    sim_expect_cpus(b, 0x2);
    sim_run_until(MS(40));
    assert_int_equal(sim_dom_ran_between(b, MS(31), MS(40)), 0);
    assert_true(sim_log_has("lost pCPU 2 and waits unassigned"));
    /* pCPU 0 comes back: b takes it. */
    assert_int_equal(sched_pool_add_cpu(0, 0), 0);
    sim_expect_cpus(b, 0x3);
    sim_run_until(MS(50));
    assert_int_equal(sim_dom_ran_between(b, MS(41), MS(50)), MS(9));
    assert_int_equal(b->vcpus[0]->cpu, 0);
    sim_finish();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_and_destroy),   cmocka_unit_test(cpu_remove_add),
        cmocka_unit_test(move_and_back),        cmocka_unit_test(null_owner_moves),
        cmocka_unit_test(last_online_cpu_kept), cmocka_unit_test(pause_leaves_offline_vcpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
