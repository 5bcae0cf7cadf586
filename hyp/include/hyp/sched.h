/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scheduler: CPU pools, each with its own policy (credit, rtds or null), lock and queues; the
 * per-pCPU run loop; vCPU state transitions; CPU-time accounting.  docs/scheduling.md
 * describes the policies, their parameters, the device-tree bindings and the command line.
 *
 * Locking: each pool has a lock, taken with interrupts masked, that guards its vCPUs' states,
 * its queues and its policy's data.  The pools lock (control operations only) guards the pool
 * table, which pCPUs each pool has and which domain is in which pool; it is taken before any
 * pool lock.  Only a control operation takes two pool locks, and only under the pools lock.  A
 * pool lock may be held while taking a timer-queue or console lock, never the other way round.
 */
#pragma once

#include <hyp/domain.h>
#include <hyp/percpu.h>
#include <hyp/types.h>

/* Boot CPU, after the CPUs came up: read sched=, sched_slice_us=, cpupool= and the device
 * tree's "xen,cpupool" nodes and build the pools. */
void sched_init(void);
/* Put d in the pool its configuration names and take its scheduling parameters.  0, or
 * -EINVAL (unknown pool, bad parameters: a message says which) or -ENOMEM. */
int sched_domain_init(struct domain *d);
/* Copes with a domain whose sched_domain_init failed or never ran. */
void sched_domain_destroy(struct domain *d);
/* 0 or -ENOMEM / -EINVAL (domain not initialised).  The vCPU starts VCPU_OFFLINE. */
int sched_vcpu_init(struct vcpu *v);
/* v must not be running.  Copes with a vCPU whose sched_vcpu_init failed or never ran. */
void sched_vcpu_destroy(struct vcpu *v);

/* Change a vCPU's state (wakes/sleeps it in the policy, kicks pCPUs as needed). */
void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state);
/* VCPU_PAUSED unless it is offline: the test and the change in one step, so that a vCPU
 * turning itself off meanwhile (PSCI CPU_OFF, which takes only the scheduler's lock) stays
 * off rather than coming back when the domain is unpaused. */
void sched_vcpu_pause(struct vcpu *v);
/* The running vCPU gives up the rest of its time slice. */
void sched_yield(struct vcpu *v);
/* Ask pCPU cpu to reschedule soon. */
void sched_kick_cpu(unsigned cpu);

/* Whether the run loop on this pCPU must stop running v and ask the scheduler.  Inline: the
 * run loop asks before every guest entry. */
static inline bool sched_must_leave(struct vcpu *v)
{
    return READ_ONCE(this_cpu()->need_resched) || READ_ONCE(v->state) != VCPU_RUNNABLE;
}

/* The scheduling loop of a pCPU: never returns. */
__attribute__((noreturn)) void sched_run_loop(void);

/*
 * One scheduling decision on this pCPU (interrupts masked): prev (NULL if idle) is charged for
 * the time since the last decision, then either keeps running or is saved (arch_vcpu_put) and
 * the next one loaded (arch_vcpu_load).  Returns what runs now, NULL for idle.  The run loop's
 * step, exposed so host tests can drive the scheduler with a simulated clock.
 */
struct vcpu *sched_switch(struct vcpu *prev);

/* The last ns on this pCPU (interrupts masked throughout) went to Keel's own work for no vCPU
 * of it, such as a dead domain's teardown from a timer: the vCPU it runs is not charged for
 * them, by its policy or in its CPU time. */
void sched_cpu_not_charged(uint64_t ns);

/* CPU time v has used, ns: v->cpu_time_ns (charged at each scheduling decision) plus, if it is
 * running, the time since its pCPU's last decision.  A vCPU can run long between decisions
 * (null policy, a lone vCPU), so statistics should read this. */
uint64_t sched_vcpu_time_ns(struct vcpu *v);

/* Point v's runstate copy at area (a host pointer into a frame the caller holds, or NULL to
 * stop) and write the current runstate there at once.  Returns the previous area: once this
 * returns nothing writes to it any more, so its frame may be put. */
struct vcpu_runstate_info *sched_runstate_set_area(struct vcpu *v, struct vcpu_runstate_info *area);
/* A consistent copy of v's runstate.  Its current state's time runs since state_entry_time. */
void sched_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out);

/* --- the toolstack's view (domctl scheduler_op, vCPU affinity; sysctl sched_id) --- */

/* What the configuration called a pool's policy: credit and credit2 are one policy in Keel,
 * but the toolstack sees the name it was given. */
enum sched_kind { SCHED_KIND_CREDIT, SCHED_KIND_CREDIT2, SCHED_KIND_RTDS, SCHED_KIND_NULL };

/* The default pool's kind (Pool-0, or the pool that stands in for it). */
enum sched_kind sched_default_kind(void);
/* The id of d's pool (pools are numbered in creation order, Pool-0 first); its kind in *kind. */
unsigned sched_domain_pool(struct domain *d, enum sched_kind *kind);

/* The pool with the lowest id >= from: true with its id, kind, online pCPUs and how many
 * domains it holds; false past the last pool. */
bool sched_pool_info(unsigned from, unsigned *id, enum sched_kind *kind, uint64_t *cpus,
                     unsigned *nr_domains);

/* The credit policy's time slice and rate limit (sched_slice_us= and sched_ratelimit_us= at
 * boot), shared by its pools; set changes both from each pCPU's next decision on.  Set: 0, or
 * -EINVAL for a slice outside 100 us..1 s or a rate limit above the slice (0: none). */
uint64_t sched_credit_slice_ns(void);
uint64_t sched_credit_ratelimit_ns(void);
int sched_credit_set(uint64_t slice_ns, uint64_t ratelimit_ns);

/* d's parameters for its pool's policy: weight and cap (credit), budget_us, period_us and
 * extratime (rtds); every other field 0. */
void sched_domain_get_params(struct domain *d, struct sched_params *out);
/* Set, at once, the fields of sp that d's pool's policy uses (as above; null has none).  0, or
 * -EINVAL with nothing changed when one is out of range: weight 1..65535, cap up to 100 per
 * vCPU the domain may have, 10 us <= budget <= period <= 10 s.  Prints nothing. */
int sched_domain_set_params(struct domain *d, const struct sched_params *sp);

/* v's hard affinity as last set (bit c: pCPU c; the configured one at first, all ones for
 * "any"); only the pCPUs of its pool are ever used. */
uint64_t sched_vcpu_affinity(struct vcpu *v);
/* From v's next scheduling decision on, run it only on pCPUs of mask within its pool.  0 with
 * *effective = those that are online; -EINVAL if there is none (nothing changed); -EBUSY if
 * the pool's policy cannot move v (null: v owns a pCPU outside mask). */
int sched_vcpu_set_affinity(struct vcpu *v, uint64_t mask, uint64_t *effective);

/* A printf-like sink for sched_dump(). */
typedef void (*sched_print_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print every pool (policy, pCPUs), its domains with their parameters, and their vCPUs (state,
 * pCPU, CPU time, policy state) through print: the console's "sched" command. */
void sched_dump(sched_print_fn print);

/* --- pools changed at run time (the toolstack's cpupool_op; Xen 4.17's errors) --- */

/* "Any pool id" / "any pCPU" (XEN_SYSCTL_CPUPOOL_PAR_ANY). */
#define SCHED_POOL_ANY 0xffffffffu

/* A new pool with no pCPU running kind's policy, with id (SCHED_POOL_ANY: one past the highest
 * in use), its id in *out.  -ENOENT (kind unknown), -EEXIST (id in use), -EINVAL (id above
 * 2^31-1), -ENOMEM (no slot or memory). */
int sched_pool_create(uint32_t id, enum sched_kind kind, uint32_t *out);
/* -ENOENT (no such pool), -EBUSY (it has pCPUs or domains, or it is the default pool). */
int sched_pool_destroy(uint32_t id);
/* A free pCPU (SCHED_POOL_ANY: the lowest free one) into the pool.  -ENOENT (no pool),
 * -EINVAL (no such pCPU), -ENODEV (not free, or none free for ANY). */
int sched_pool_add_cpu(uint32_t id, uint32_t cpu);
/* pCPU cpu (SCHED_POOL_ANY: the pool's highest) out of its pool; it becomes free once it has
 * put its vCPU away (at once if idle, else at its next exit).  Its vCPUs go to the pool's other
 * pCPUs; an affinity left with none is widened to the whole pool.  -ENOENT (no pool), -EINVAL
 * (no such pCPU, or offline), -EADDRNOTAVAIL (not in that pool), -EBUSY (the pool's last pCPU
 * and the pool has domains). */
int sched_pool_remove_cpu(uint32_t id, uint32_t cpu);
/* The pCPUs in no pool that have stopped running anything. */
uint64_t sched_free_cpus(void);
/* d (none of whose vCPUs may run or be runnable: paused) into pool id, with the new policy's
 * default parameters and every vCPU's affinity reset to the whole pool.  0 also if d is there
 * already; -ENOENT (no such pool, or it has no pCPU), -EAGAIN (a vCPU still runs or is
 * runnable: try again), -ENOMEM, -EINVAL (d has no scheduler data). */
int sched_domain_move(struct domain *d, uint32_t id);

/* Whether a CPU pool called name exists ("" is the default pool). */
bool sched_pool_exists(const char *name);

/* Parse a CPU list such as "0-2,5" into a mask of logical pCPU ids (< MAX_CPUS).  0 or
 * -EINVAL. */
int sched_parse_cpulist(const char *s, size_t len, uint64_t *mask);
