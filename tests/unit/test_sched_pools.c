/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU pools (hyp/core/sched/cpupool.c and the framework): CPU lists, pools from the command
 * line and from "xen,cpupool" device-tree nodes, Pool-0 and the default pool, refused
 * configurations, unknown pools and affinities outside the pool, pools kept apart at run
 * time, and the console dump.
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
#include <hyp/fdt_write.h>
#include "test_sched_sim.h"

static const struct sim_load cpu_bound = { .kind = LOAD_CPU };

static uint64_t cpulist(const char *s)
{
    uint64_t m = 0;
    assert_int_equal(sched_parse_cpulist(s, strlen(s), &m), 0);
    return m;
}

static void cpulist_parsing(void **state)
{
    assert_int_equal(cpulist("0-2,5"), 0x27);
    assert_int_equal(cpulist("3"), 0x8);
    assert_int_equal(cpulist("1,1,0-1"), 0x3);
    assert_int_equal(cpulist("15"), BIT(15));
    const char *bad[] = { "", "1-", "-1", "2-1", "0,", ",0", "16", "a", "1;2", "0-16" };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t m = 0;
        if (sched_parse_cpulist(bad[i], strlen(bad[i]), &m) != -EINVAL)
            fail_msg("\"%s\" accepted", bad[i]);
    }
    char buf[64];
    sched_format_cpulist(0x2f, buf, sizeof(buf));
    assert_string_equal(buf, "0-3,5");
    sched_format_cpulist(0, buf, sizeof(buf));
    assert_string_equal(buf, "none");
    sched_format_cpulist(0x8001, buf, sizeof(buf));
    assert_string_equal(buf, "0,15");
}

static void pools_from_command_line(void **state)
{
    sim_setup(4, "sched=credit cpupool=rt:rtds:1 cpupool=part:null:2-3", NULL);
    struct sched_pool *p0 = sched_pool_find(""), *rt = sched_pool_find("rt");
    struct sched_pool *part = sched_pool_find("part");
    assert_non_null(p0);
    assert_string_equal(p0->name, "Pool-0");
    assert_ptr_equal(sched_pool_find("Pool-0"), p0);
    assert_ptr_equal(p0->policy, &sched_credit_policy);
    assert_int_equal(p0->cpus, 0x1);
    assert_ptr_equal(rt->policy, &sched_rtds_policy);
    assert_int_equal(rt->cpus, 0x2);
    assert_ptr_equal(part->policy, &sched_null_policy);
    assert_int_equal(part->cpus, 0xc);
    assert_ptr_equal(sched_pool_of_cpu(3), part);
    assert_true(sched_pool_exists("rt"));
    assert_false(sched_pool_exists("nope"));
    assert_true(sim_log_has("sched: pool rt: policy rtds, pCPUs 1"));
    sim_teardown();

    /* An empty policy takes the default (sched=); "credit2" is the credit policy. */
    sim_setup(4, "sched=rtds cpupool=a::0-1 cpupool=b:credit2:3", NULL);
    assert_ptr_equal(sched_pool_find("a")->policy, &sched_rtds_policy);
    assert_ptr_equal(sched_pool_find("b")->policy, &sched_credit_policy);
    assert_ptr_equal(sched_pool_find("")->policy, &sched_rtds_policy);
    assert_int_equal(sched_pool_find("")->cpus, 0x4);
    sim_teardown();
}

static void refused_configurations(void **state)
{
    sim_setup(4,
              "cpupool=a:credit:1-2 cpupool=b:rtds:2-3 cpupool=a:null:0 cpupool=c:bogus:0 "
              "cpupool=d cpupool=Pool-0:null:0 cpupool=e:rtds:9 sched=fifo "
              "sched_slice_us=20",
              NULL);
    assert_int_equal(sched_pool_find("a")->cpus, 0x6);
    assert_int_equal(sched_pool_find("b")->cpus, 0x8); /* pCPU 2 was a's already */
    assert_true(sim_log_has("cpupool b (command line): a pCPU can be in one pool only"));
    assert_true(sim_log_has("cpupool a (command line): the name is taken; pool ignored"));
    assert_true(sim_log_has("cpupool=c:bogus:0: unknown policy"));
    assert_true(sim_log_has("cpupool=d: expected NAME:POLICY:CPULIST"));
    assert_true(sim_log_has("cpupool Pool-0 (command line): the name is taken"));
    assert_true(sim_log_has("cpupool e (command line): the machine has no pCPU beyond 3"));
    assert_true(sim_log_has("cpupool e (command line): no pCPU left for it; pool ignored"));
    assert_null(sched_pool_find("c"));
    assert_true(sim_log_has("sched: unknown policy \"fifo\", using credit"));
    assert_ptr_equal(sched_pool_find("")->policy, &sched_credit_policy);
    assert_int_equal(sched_pool_find("")->cpus, 0x1);
    assert_true(sim_log_has("sched_slice_us=20 is outside 100..1000000"));
    assert_int_equal(sched_slice_ns, MS(10));
    sim_teardown();
}

/* With every pCPU in a named pool, the one with the boot CPU stands in for Pool-0. */
static void every_pcpu_named(void **state)
{
    sim_setup(2, "cpupool=x:rtds:1 cpupool=y:null:0", NULL);
    assert_ptr_equal(sched_pool_find(""), sched_pool_find("y"));
    assert_ptr_equal(sched_pool_find("Pool-0"), sched_pool_find("y"));
    assert_true(sim_log_has("y (it has the boot CPU) is Pool-0"));
    struct domain *d = sim_domain("plain", 1, NULL, NULL);
    assert_non_null(d);
    assert_ptr_equal(((struct sched_dom *)d->sched_priv)->pool, sched_pool_find("y"));
    sim_teardown();
}

static void unknown_pool_and_foreign_affinity(void **state)
{
    sim_setup(4, "cpupool=rt:rtds:2-3", NULL);
    struct sched_params sp = { .pool = "nope" };
    int err = 0;
    assert_null(sim_domain("lost", 1, &sp, &err));
    assert_int_equal(err, -EINVAL);
    assert_true(sim_log_has("domain lost: unknown CPU pool \"nope\""));
    sp = (struct sched_params){ .pool = "rt", .affinity = 0x3 };
    assert_null(sim_domain("wrong", 1, &sp, &err));
    assert_true(sim_log_has("domain wrong: its CPU affinity has no pCPU of pool rt"));
    sp = (struct sched_params){ .pool = "rt", .affinity = 0x6 };
    struct domain *d = sim_domain("partly", 1, &sp, &err);
    assert_non_null(d);
    assert_int_equal(((struct sched_dom *)d->sched_priv)->affinity, 0x4);
    sim_teardown();
}

/* Pools run side by side and never lend pCPUs: the harness checks every decision against the
 * pool's CPUs, while both pools are overloaded. */
static void pools_kept_apart(void **state)
{
    sim_setup(4, "cpupool=rt:rtds:2-3", NULL);
    struct sched_params cp = { 0 }, rp = { .pool = "rt", .budget_us = 5000, .period_us = 10000 };
    struct domain *gp = sim_domain("general", 5, &cp, NULL);
    struct domain *rt = sim_domain("realtime", 3, &rp, NULL);
    assert_non_null(gp);
    assert_non_null(rt);
    sim_expect_cpus(gp, 0x3);
    sim_expect_cpus(rt, 0xc);
    sim_start(gp, cpu_bound);
    sim_start(rt, (struct sim_load){ .kind = LOAD_RANDOM, .work = MS(4), .period = MS(2) });
    sim_run_until(MS(1000));
    /* The general pool's two pCPUs are busy all the time, and only with its own vCPUs. */
    assert_int_equal(sim_dom_ran_between(gp, 0, MS(1000)), MS(2000));
    uint64_t r = sim_dom_ran_between(rt, 0, MS(1000));
    assert_true(r > MS(1000) && r <= MS(1500)); /* at most 3 x 5 ms per 10 ms */
    sim_flush();
    sim_check_accounting();
    sim_teardown();
}

/* A pool's offline pCPU is reported; a pool whose only pCPU is offline runs nothing. */
static void offline_pcpu_reported(void **state)
{
    sim_cpu_offline[3] = true;
    sim_setup(4, "cpupool=dead:credit:3", NULL);
    assert_true(sim_log_has("sched: pool dead: pCPUs 3 are not online and run nothing"));
    sim_teardown();
}

/* --- the device tree binding --- */

static uint8_t dtb[4096];

static void cpu_node(struct fdt_writer *w, unsigned id)
{
    char name[16];
    snprintf(name, sizeof(name), "cpu@%u", id);
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "device_type", "cpu");
    fdt_write_prop_u32(w, "reg", id);
    fdt_write_prop_u32(w, "phandle", 0x100 + id);
    fdt_write_end_node(w);
}

static void pool_node(struct fdt_writer *w, const char *name, const uint32_t *cpus, unsigned n,
                      const char *sched)
{
    uint32_t ph[8];
    for (unsigned i = 0; i < n; i++)
        ph[i] = cpus[i] < 0x100 ? 0x100 + cpus[i] : cpus[i];
    fdt_write_begin_node(w, name);
    fdt_write_prop_string(w, "compatible", "xen,cpupool");
    if (n)
        fdt_write_prop_cells(w, "cpupool-cpus", ph, n);
    if (sched)
        fdt_write_prop_string(w, "cpupool-sched", sched);
    fdt_write_end_node(w);
}

static const void *build_dt(void)
{
    struct fdt_writer w;
    fdt_write_init(&w, dtb, sizeof(dtb));
    fdt_write_begin_node(&w, "");
    fdt_write_begin_node(&w, "cpus");
    fdt_write_prop_u32(&w, "#address-cells", 1);
    fdt_write_prop_u32(&w, "#size-cells", 0);
    for (unsigned c = 0; c < 4; c++)
        cpu_node(&w, c);
    fdt_write_end_node(&w);
    fdt_write_begin_node(&w, "chosen");
    pool_node(&w, "cpupool_rt", (const uint32_t[]){ 2, 3 }, 2, "rtds");
    pool_node(&w, "cpupool_b", (const uint32_t[]){ 1 }, 1, "credit2");
    pool_node(&w, "cpupool_empty", NULL, 0, NULL);
    pool_node(&w, "cpupool_badcpu", (const uint32_t[]){ 0x999 }, 1, NULL);
    pool_node(&w, "cpupool_badsched", (const uint32_t[]){ 0 }, 1, "sedf");
    fdt_write_end_node(&w);
    fdt_write_end_node(&w);
    assert_int_equal(fdt_write_finish(&w, NULL), 0);
    return dtb;
}

static void pools_from_device_tree(void **state)
{
    sim_setup(4, "cpupool=cmd:null:0", build_dt());
    struct sched_pool *rt = sched_pool_find("cpupool_rt"), *b = sched_pool_find("cpupool_b");
    assert_non_null(rt);
    assert_non_null(b);
    assert_ptr_equal(rt->policy, &sched_rtds_policy);
    assert_int_equal(rt->cpus, 0xc);
    assert_ptr_equal(b->policy, &sched_credit_policy);
    assert_int_equal(b->cpus, 0x2);
    assert_true(sim_log_has("cpupool cpupool_empty: \"cpupool-cpus\" is missing or empty"));
    assert_true(sim_log_has("cpupool cpupool_badcpu: \"cpupool-cpus\" entry 0 (phandle 0x999)"));
    assert_true(sim_log_has("cpupool cpupool_badsched: unknown \"cpupool-sched\""));
    /* The command line adds to the device tree's pools. */
    assert_int_equal(sched_pool_find("cmd")->cpus, 0x1);
    /* Nothing is left for Pool-0: the pool with the boot CPU stands in. */
    assert_ptr_equal(sched_pool_find(""), sched_pool_find("cmd"));
    sim_teardown();
}

static void dump_shows_every_policy(void **state)
{
    sim_setup(3, "cpupool=rt:rtds:1 cpupool=part:null:2", NULL);
    struct sched_params c = { .weight = 512, .cap = 50 }, r = { .pool = "rt", .extratime = true };
    struct sched_params n = { .pool = "part" };
    struct domain *dc = sim_domain("dc", 1, &c, NULL), *dr = sim_domain("dr", 1, &r, NULL);
    struct domain *dn = sim_domain("dn", 2, &n, NULL);
    sim_start(dc, cpu_bound);
    sim_start(dr, cpu_bound);
    sim_start(dn, cpu_bound);
    sim_run_until(MS(30));
    sim_log_clear();
    sched_dump(sim_print);
    assert_true(sim_log_has("pool Pool-0: credit, pCPUs 0\n"));
    assert_true(sim_log_has("  domain dc (id 1): weight 512, cap 50% ("));
    assert_true(sim_log_has("pool rt: rtds, pCPUs 1\n"));
    assert_true(sim_log_has("  domain dr (id 2): budget 4000 us, period 10000 us, extratime yes; "
                            "pCPUs all, 1 runnable\n"
                            "    vCPU 0: runnable (running), pCPU 1, 30.000 ms, "));
    assert_true(sim_log_has("pool part: null, pCPUs 2\n"));
    assert_true(sim_log_has(", owns pCPU 2\n"));
    assert_true(sim_log_has(", unassigned: waits for a free pCPU\n"));
    sim_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpulist_parsing),
        cmocka_unit_test(pools_from_command_line),
        cmocka_unit_test(refused_configurations),
        cmocka_unit_test(every_pcpu_named),
        cmocka_unit_test(unknown_pool_and_foreign_affinity),
        cmocka_unit_test(pools_kept_apart),
        cmocka_unit_test(offline_pcpu_reported),
        cmocka_unit_test(pools_from_device_tree),
        cmocka_unit_test(dump_shows_every_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
