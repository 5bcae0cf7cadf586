/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host harness for the scheduler tests: a discrete-event simulation of N pCPUs running the real
 * framework (sched_switch) and policies against a simulated clock.  vCPUs carry synthetic loads
 * (CPU-bound, periodic, randomly blocking); timers, IPIs and the context switch are stand-ins
 * that check the framework's invariants on every step:
 *   - a vCPU is loaded on at most one pCPU, and saved before another may load it;
 *   - a pCPU only runs vCPUs it may (the test's expected mask: pool and affinity);
 *   - time charged to each vCPU (v->cpu_time_ns) equals the time it ran, exactly.
 * Each test binary links test_sched_sim.c and the scheduler sources.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/sched.h>
#include "sched_internal.h"

#define SIM_MAX_VCPUS 128
#define US(x) ((uint64_t)(x)*1000UL)
#define MS(x) ((uint64_t)(x)*1000000UL)

enum sim_load_kind {
    LOAD_CPU,      /* always runnable */
    LOAD_PERIODIC, /* released every period with `work` to do, blocks (WFI) when done */
    LOAD_RANDOM,   /* bursts of 0..work, then sleeps of 0..period (deterministic PRNG) */
};

struct sim_load {
    enum sim_load_kind kind;
    uint64_t period, work, phase;
};

struct sim_vcpu {
    struct vcpu *v;
    struct sim_load load;
    uint64_t expect_cpus; /* pCPUs it may run on (checked at every decision) */
    int loaded_on;        /* pCPU whose registers hold it, -1 */
    uint64_t work_left;   /* of the current burst (periodic, random) */
    uint64_t next_release;
    uint64_t released_at; /* last release that woke it from blocked */
    bool awaiting_run;    /* released, not yet run since */
    uint64_t max_latency; /* longest release-to-run delay */
    unsigned waits;       /* releases that did not run at once */
    uint64_t ran;         /* the harness's own account of its run time */
    uint64_t seed;
};

/* One contiguous run of a vCPU on a pCPU. */
struct sim_seg {
    unsigned cpu;
    struct sim_vcpu *s;
    uint64_t start, end;
};

extern uint64_t sim_now;
extern struct sim_seg *sim_trace;
extern size_t sim_nr_segs;

/* Reset everything, then sched_init() with this command line on nr pCPUs (all online).  dtb
 * may be NULL; its /cpus nodes must have reg = logical id. */
void sim_setup(unsigned nr, const char *cmdline, const void *dtb);
/* Destroy every domain and free the harness's memory. */
void sim_teardown(void);
/* Pause d's vCPUs, let the pCPUs put them away, then destroy and free d. */
void sim_destroy_domain(struct domain *d);

/* Create a domain through sched_domain_init/sched_vcpu_init; NULL and *err on failure.  Its
 * vCPUs are expected on every pCPU until sim_expect_cpus() says otherwise. */
struct domain *sim_domain(const char *name, unsigned nr_vcpus, const struct sched_params *sp,
                          int *err);
struct sim_vcpu *sim_vcpu(const struct domain *d, unsigned idx);
void sim_expect_cpus(const struct domain *d, uint64_t mask);
/* Give every vCPU of d this load and make it runnable (or blocked until its phase). */
void sim_start(const struct domain *d, struct sim_load load);
void sim_start_vcpu(struct sim_vcpu *s, struct sim_load load);

/* Run the machine until time t. */
void sim_run_until(uint64_t t);
/* Make every pCPU decide now, so running vCPUs are charged up to sim_now. */
void sim_flush(void);
/* Check cpu_time_ns == the harness's account for every vCPU (after sim_flush()). */
void sim_check_accounting(void);
/* Check sched_vcpu_time_ns() == the harness's account for every vCPU (at any time). */
void sim_check_live_accounting(void);
/* The end of a test: the live and the flushed accounting checked, the machine taken down. */
void sim_finish(void);
/* The share of [t0, t1) domain d's vCPUs ran (1.0: one pCPU's worth). */
double sim_dom_share(const struct domain *d, uint64_t t0, uint64_t t1);

/* Run time of s within [t0, t1), from the trace. */
uint64_t sim_ran_between(const struct sim_vcpu *s, uint64_t t0, uint64_t t1);
/* Run time of every vCPU of d within [t0, t1). */
uint64_t sim_dom_ran_between(const struct domain *d, uint64_t t0, uint64_t t1);
/* Number of distinct pCPUs s ran on. */
unsigned sim_cpus_used(const struct sim_vcpu *s);
/* Called after each decision (may be NULL). */
extern void (*sim_on_decision)(unsigned cpu, struct vcpu *next);
/* Called from arch_vcpu_put, in the window where a descheduled vCPU is being saved (may be
 * NULL): lets a test make another pCPU decide right then. */
extern void (*sim_on_put)(unsigned cpu, struct vcpu *v);
/* Make pCPU cpu take a scheduling decision now (as if it left the guest). */
void sim_decide(unsigned cpu);
/* A sched_dump() sink that writes into the log. */
void sim_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the log so far contains s. */
bool sim_log_has(const char *s);
void sim_log_clear(void);
/* pCPUs that sim_setup() leaves offline (cleared by sim_teardown()). */
extern bool sim_cpu_offline[MAX_CPUS];
