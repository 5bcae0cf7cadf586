/*
 * Scheduler framework: per-pCPU run loop, vCPU state transitions and time accounting, with the
 * choice of the next vCPU delegated to a policy (struct sched_policy).  The policy is chosen on
 * Keel's command line (sched=...).
 *
 * Locking: one scheduler lock per CPU pool (sched_lock), taken with interrupts masked, guards
 * every vCPU's state, its run-queue membership and the policy's data.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/types.h>

struct sched_policy {
    const char *name;
    /* Per-domain / per-vCPU policy data (sched_priv).  May fail with -ENOMEM / -EINVAL. */
    int (*domain_init)(struct domain *d);
    void (*domain_destroy)(struct domain *d);
    int (*vcpu_init)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    /* v became runnable (woke, powered on, unpaused) / stopped being runnable. */
    void (*wake)(struct vcpu *v);
    void (*sleep)(struct vcpu *v);
    /* Choose what pCPU cpu runs next at time now.  Returns NULL for idle; *slice_ns is how long
     * until the policy must be asked again (0 = until something changes). */
    struct vcpu *(*pick)(unsigned cpu, uint64_t now, uint64_t *slice_ns);
    /* v ran for ns on its pCPU (called when it stops running). */
    void (*account)(struct vcpu *v, uint64_t ns);
    /* v yields the rest of its slice. */
    void (*yield)(struct vcpu *v);
    /* Print the policy's parameters for d (console 'sched' command). */
    void (*dump_domain)(struct domain *d);
};

void sched_init(void);
int sched_domain_init(struct domain *d);
void sched_domain_destroy(struct domain *d);
int sched_vcpu_init(struct vcpu *v);
void sched_vcpu_destroy(struct vcpu *v);

/* Change a vCPU's state (wakes/sleeps it in the policy, kicks pCPUs as needed). */
void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state);
/* The running vCPU gives up the rest of its time slice. */
void sched_yield(struct vcpu *v);
/* Ask pCPU cpu to reschedule soon. */
void sched_kick_cpu(unsigned cpu);

/* Whether the run loop on this pCPU must stop running v and ask the scheduler. */
bool sched_must_leave(struct vcpu *v);

/* The scheduling loop of a pCPU: never returns. */
__attribute__((noreturn)) void sched_run_loop(void);

/* The policy in use (for the console). */
const struct sched_policy *sched_policy(void);

extern const struct sched_policy sched_rr_policy;
