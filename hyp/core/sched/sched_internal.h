/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the scheduler: CPU pools, the framework's per-domain and per-vCPU records, and the
 * interface a policy (credit, rtds, null) implements.  Only hyp/core/sched/ and its host tests
 * include this.
 *
 * Locking: every policy hook runs with its pool's lock held and interrupts masked; a policy
 * touches only its own pool's data.  A queued vCPU (one the policy holds in its queues) is
 * always runnable and never running; the framework calls the hooks so that this stays true.
 */
#pragma once

#include <hyp/config.h>
#include <hyp/domain.h>
#include <hyp/sched.h>
#include <hyp/spinlock.h>
#include <hyp/timer.h>
#include <hyp/types.h>

#define SCHED_POOL_NAME_LEN 32
#define MAX_POOLS 16
#define POOL0_NAME "Pool-0"
#define NS_PER_US 1000UL
#define NS_PER_MS 1000000UL

_Static_assert(MAX_CPUS <= 64, "CPU masks are 64-bit words");

/* --- intrusive doubly linked lists (circular, with a head node) --- */

struct sched_link {
    struct sched_link *prev, *next;
};

static inline void slist_init(struct sched_link *head)
{
    head->prev = head->next = head;
}

static inline bool slist_empty(const struct sched_link *head)
{
    return head->next == head;
}

/* Insert n just before pos (pos == head: at the tail). */
static inline void slist_insert_before(struct sched_link *pos, struct sched_link *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void slist_del(struct sched_link *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

#define slist_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* --- framework objects --- */

struct sched_policy;

/* Why a vCPU is handed to its policy's wake hook. */
enum sched_wake {
    WAKE_REQUEUE, /* back from a pCPU that descheduled it while runnable (slice over,
                     preempted, yielded) */
    WAKE_START,   /* powered on or unpaused */
    WAKE_IRQ,     /* it waited for an interrupt (WFI) and one arrived */
};

/* A set of pCPUs with its own policy, lock and queues.  Pools live in a static table whose
 * slots are reused (cpupool.c): a slot's lock stays valid for Keel's life, so a stale pointer
 * can still be locked and then found not to be the one wanted (sched_lock_dom). */
struct sched_pool {
    char name[SCHED_POOL_NAME_LEN];
    unsigned id;
    bool used; /* the slot holds a pool (pools lock) */
    const struct sched_policy *policy;
    enum sched_kind kind; /* the name the configuration gave the policy */
    struct spinlock lock;
    uint64_t cpus;           /* pCPUs of the pool (changed under the pools lock and this lock) */
    unsigned timer_cpu;      /* where the pool's timer fires: its first online CPU */
    struct timer timer;      /* policy timer, see sched_pool_timer_set() */
    uint64_t timer_deadline; /* 0 = not armed */
    struct sched_link doms;  /* struct sched_dom.pool_link */
    void *priv;              /* policy data (policy->pool_size bytes) */
};

/* Framework part of a domain (d->sched_priv). */
struct sched_dom {
    struct domain *d;
    struct sched_pool *pool; /* changes only with both pools' locks held: see sched_lock_dom */
    uint64_t affinity;       /* allowed pCPUs: the configured affinity within the pool */
    unsigned nr_runnable;    /* vCPUs in VCPU_RUNNABLE (running or not) */
    struct sched_link pool_link;
    struct sched_link vcpus; /* struct sched_vcpu.dom_link */
    void *priv;              /* policy data (policy->dom_size bytes) */
};

/* Framework part of a vCPU (v->sched_priv). */
struct sched_vcpu {
    struct vcpu *v;
    struct sched_dom *sd;
    uint64_t affinity; /* allowed pCPUs, a subset of the pool's */
    uint64_t asked;    /* the hard affinity as set, before it met the pool's pCPUs */
    struct sched_link dom_link;
    void *priv; /* policy data (policy->vcpu_size bytes) */
};

/* The policy interface.  Sizes say how much zeroed memory the framework allocates for the
 * policy's per-pool, per-domain and per-vCPU data (priv).  Every hook except the *_init ones
 * and dump_domain is called with the pool's lock held. */
struct sched_policy {
    const char *name;
    size_t pool_size, dom_size, vcpu_size;
    /* Set up the pool's data (its CPUs are in p->cpus).  0 or -ENOMEM. */
    int (*pool_init)(struct sched_pool *p);
    /* Check and take the domain's parameters.  0, or -EINVAL after printing why. */
    int (*dom_init)(struct sched_pool *p, struct sched_dom *sd, const struct sched_params *sp);
    /* The domain's parameters, into the fields of *out the policy uses (optional). */
    void (*dom_get)(struct sched_pool *p, struct sched_dom *sd, struct sched_params *out);
    /* Change them at run time: 0, or -EINVAL with nothing changed; prints nothing (optional:
     * a policy without parameters accepts anything). */
    int (*dom_set)(struct sched_pool *p, struct sched_dom *sd, const struct sched_params *sp);
    /* sv's allowed pCPUs are about to become mask: 0, or -EBUSY if the policy cannot move it
     * (optional: the framework requeues sv and kicks its pCPU as needed). */
    int (*vcpu_affinity)(struct sched_pool *p, struct sched_vcpu *sv, uint64_t mask);
    /* A new vCPU joins the pool (not runnable yet).  Pool lock held. */
    void (*vcpu_insert)(struct sched_pool *p, struct sched_vcpu *sv);
    /* A vCPU leaves the pool (not runnable, not running, not queued). */
    void (*vcpu_remove)(struct sched_pool *p, struct sched_vcpu *sv);
    /* cpu just left p->cpus and every vCPU's affinity was narrowed to the rest (optional).  A
     * vCPU may still run on cpu until cpu notices; the framework then requeues it. */
    void (*cpu_remove)(struct sched_pool *p, unsigned cpu);
    /* cpu just joined p->cpus (it is idle) and the affinities were widened (optional). */
    void (*cpu_add)(struct sched_pool *p, unsigned cpu);
    /* sv is runnable, not running and not queued: queue it.  why: see enum sched_wake. */
    void (*wake)(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now, enum sched_wake why);
    /* A queued sv stopped being runnable: drop it from the queues. */
    void (*sleep)(struct sched_pool *p, struct sched_vcpu *sv);
    /*
     * Choose what pCPU cpu runs from now.  prev (or NULL) is the vCPU that ran there for ran_ns
     * since the last decision; it is not queued, and may be chosen again only if it is still
     * runnable.  If another is chosen, the framework saves prev and then calls wake() for it
     * if it is runnable.  The result must be prev or a queued vCPU allowed on cpu, which the
     * policy has dequeued, or NULL to idle.  *slice_ns: ask again after this long (0: only when
     * something changes).
     */
    struct sched_vcpu *(*do_schedule)(struct sched_pool *p, unsigned cpu, struct sched_vcpu *prev,
                                      uint64_t ran_ns, uint64_t now, uint64_t *slice_ns);
    /* The running sv gives up the rest of its slice (optional). */
    void (*yield)(struct sched_pool *p, struct sched_vcpu *sv);
    /* The pool's timer fired (optional; see sched_pool_timer_set). */
    void (*timer)(struct sched_pool *p, uint64_t now);
    /* Print the domain's parameters, then one vCPU's policy state, as line fragments with no
     * newline (pool lock held). */
    void (*dump_domain)(struct sched_pool *p, struct sched_dom *sd, sched_print_fn print);
    void (*dump_vcpu)(struct sched_pool *p, struct sched_vcpu *sv, uint64_t now,
                      sched_print_fn print);
};

extern const struct sched_policy sched_credit_policy;
extern const struct sched_policy sched_rtds_policy;
extern const struct sched_policy sched_null_policy;

/* --- framework services for policies (pool lock held) --- */

/* What cpu runs (NULL: idle). */
struct sched_vcpu *sched_cpu_curr(unsigned cpu);
/* How long what cpu runs has run since it was last charged (0 if idle). */
uint64_t sched_cpu_uncharged(unsigned cpu, uint64_t now);
/* Whether cpu has a reschedule pending (it was kicked and has not decided since). */
bool sched_cpu_kicked(unsigned cpu);
/* An online pCPU in mask that is idle and not already kicked; prefer if it qualifies; -1 if
 * none. */
int sched_find_idle_cpu(uint64_t mask, unsigned prefer);
/* Make p's policy->timer() run at about deadline (ns); 0 cancels.  Replaces the previous
 * setting. */
void sched_pool_timer_set(struct sched_pool *p, uint64_t deadline);
/* Online pCPUs of mask. */
uint64_t sched_online_mask(uint64_t mask);
/* The handler of every pool's timer (ctx: the pool). */
void sched_pool_timer_fired(struct timer *t, void *ctx);

static inline bool sched_runnable(const struct sched_vcpu *sv)
{
    return sv->v->state == VCPU_RUNNABLE;
}

static inline struct sched_vcpu *sched_vcpu_of(const struct vcpu *v)
{
    return v->sched_priv;
}

/* Lock the pool sd is in and return it.  A domain moves between pools (pool_ctl.c) with both
 * locks held, so the pool read before locking is checked again under its lock. */
static inline struct sched_pool *sched_lock_dom(struct sched_dom *sd, unsigned long *flags)
{
    for (;;) {
        struct sched_pool *p = READ_ONCE(sd->pool);
        *flags = spin_lock_irqsave(&p->lock);
        if (likely(READ_ONCE(sd->pool) == p))
            return p;
        spin_unlock_irqrestore(&p->lock, *flags);
    }
}

/* --- pools (cpupool.c) --- */

/* A name a configuration may give a policy, with the policy it stands for. */
struct sched_choice {
    const char *name;
    const struct sched_policy *policy;
    enum sched_kind kind;
};
/* The choice called name ("credit2" is our credit), or NULL. */
const struct sched_choice *sched_policy_by_name(const char *name, size_t len);
/* Build the pools from the device tree and the command line (at boot, after the CPUs came
 * up).  Every CPU ends in exactly one pool. */
void sched_pools_init(void);
/* Pool by name ("" = the default pool), or NULL. */
struct sched_pool *sched_pool_find(const char *name);
/* The pool of pCPU cpu, or NULL (a free pCPU), read with acquire order: lock-free for the
 * run loop; under the pool's lock it cannot change to or from that pool. */
struct sched_pool *sched_pool_of_cpu(unsigned cpu);
/* Set it (pools lock and the pool's lock held; release order). */
void sched_pool_set_cpu(unsigned cpu, struct sched_pool *p);
/* Iterate the pools in slot order: index 0.. until NULL (pools lock, or at boot). */
struct sched_pool *sched_pool_at(unsigned idx);
/* The pool with id, or with the lowest id >= id if !exact; NULL if none (pools lock). */
struct sched_pool *sched_pool_by_id(uint32_t id, bool exact);
/* The pools lock: taken by control operations only, never with a pool lock held; it keeps
 * the table and each pool's CPUs still (lock order: pools lock, then pool locks in any order
 * when the caller holds the pools lock, since nothing else takes two). */
unsigned long sched_pools_lock(void);
void sched_pools_unlock(unsigned long flags);
/* pCPUs in no pool that have stopped running anything (FREEINFO). */
uint64_t sched_pool_free_cpus(void);
/* pCPU cpu (itself, in its run loop) has left every pool. */
void sched_pool_cpu_freed(unsigned cpu);
/* Claim a free pCPU for a pool (pools lock). */
void sched_pool_cpu_claim(unsigned cpu);
/* A free slot made into an empty pool (pools lock): id, policy choice; NULL if no slot. */
struct sched_pool *sched_pool_new(uint32_t id, const struct sched_choice *choice);
/* Give an empty pool's slot back (pools lock). */
void sched_pool_release(struct sched_pool *p);
/* The choice for a kind. */
const struct sched_choice *sched_choice_of_kind(enum sched_kind kind);
/* Slice of the credit policy (sched_slice_us=), in ns; its rate limit (sched_ratelimit_us=, at
 * most the slice; 0 for none), in ns. */
extern uint64_t sched_slice_ns;
extern uint64_t sched_ratelimit_ns;
/* "0-2,5" for a mask, "none" for 0; truncated to size. */
void sched_format_cpulist(uint64_t mask, char *buf, size_t size);
