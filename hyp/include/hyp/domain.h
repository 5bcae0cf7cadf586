/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domains and vCPUs: the arch-neutral objects.  Each embeds its architecture part
 * (struct arch_domain / struct arch_vcpu from <arch/domain.h>).
 *
 * Lifetime: a domain is reached through a reference (domain_get/domain_get_next, given back
 * with domain_put); the domain table holds one while the domain is listed.  domain_kill takes
 * it off the table, stops everything that could run or fire in it and returns its memory; the
 * structure and its vCPUs stay readable until the last reference is put.
 *
 * Locking: domain_list_lock guards the domain table; d->lock guards a domain's state and its
 * vCPUs' scheduling state changes.  A vCPU's register state is touched only by the pCPU running
 * it (or with the vCPU paused).
 */
#pragma once

#include <arch/domain.h>
#include <hyp/config.h>
#include <hyp/console.h>
#include <hyp/ratelimit.h>
#include <hyp/spinlock.h>
#include <hyp/timer.h>
#include <hyp/types.h>
#include <hyp/vmmio.h>
#include <xen/hvm.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MAX_DOMAINS 64
#define DOMAIN_NAME_LEN 32
#define MAX_VCPUS_PER_DOMAIN 64
#define DOMAIN_WATCHDOGS 2  /* as Xen's NR_DOMAIN_WATCHDOG_TIMERS */
#define DOMAIN_MAX_IRQS 32  /* host interrupts one configuration may give a domain */
#define DOMAIN_MAX_IOMEM 16 /* host MMIO ranges likewise */

/* Why a domain shuts down: Xen's SHUTDOWN_* codes (<xen/sched.h>), the same numbers that cross
 * the ABI.  SHUTDOWN_soft_reset is taken as a reboot. */
enum shutdown_reason {
    SHUTDOWN_POWEROFF = SHUTDOWN_poweroff,
    SHUTDOWN_REBOOT = SHUTDOWN_reboot,
    SHUTDOWN_SUSPEND = SHUTDOWN_suspend,
    SHUTDOWN_CRASH = SHUTDOWN_crash,
    SHUTDOWN_WATCHDOG = SHUTDOWN_watchdog,
};

/* What happens when a domain shuts down for a given reason (xl's on_poweroff & co.). */
enum domain_action { ACTION_DESTROY, ACTION_RESTART, ACTION_PRESERVE };

/* Scheduling parameters from the configuration; 0 = policy default. */
struct sched_params {
    unsigned weight;    /* proportional share, 1..65535 (default 256) */
    unsigned cap;       /* percent of one CPU summed over vCPUs, 0 = none */
    uint64_t budget_us; /* RTDS */
    uint64_t period_us; /* RTDS */
    bool extratime;     /* RTDS: may run beyond its budget when the pool is idle */
    char pool[32];      /* CPU pool name, "" = default pool */
    uint64_t affinity;  /* bitmask of pCPUs, 0 = all */
};

/* Host device memory passed through: [host, host + size) seen by the domain at guest. */
struct iomem_range {
    paddr_t host;
    uint64_t guest;
    uint64_t size;
};

/* Everything needed to build a domain; filled from a "xen,domain" DT node. */
struct domain_config {
    char name[DOMAIN_NAME_LEN];
    uint64_t mem_bytes;
    unsigned nr_vcpus;
    bool vpl011;
    /* Xen PV interfaces (dom0less "xen,enhanced"): the /hypervisor node in its device tree,
     * the event upcall PPI in HVM_PARAM_CALLBACK_IRQ.  On unless the configuration says
     * "disabled" (a plain Arm VM). */
    bool xen_enhanced;
    /* "xen,enhanced" other than "no-xenstore": with a dom0 to serve it, the domain gets
     * xenstore as Xen 4.17 gives it (a channel to dom0, the ring page found late). */
    bool xenstore;
    /* The control domain (dom0, or a dom0less domain with Xen's "capabilities" bit 0): may
     * make the toolstack's calls (core/policy.c). */
    bool is_control;
    /* Xen's dom0 on Arm: RAM at the host-physical addresses that back it (guest address ==
     * host address, so devices can DMA to it without an IOMMU) and the interrupt controller at
     * the host's addresses; host devices are passed through where they are. */
    bool direct_map;
    paddr_t kernel;
    uint64_t kernel_size;
    paddr_t ramdisk; /* 0 = none */
    uint64_t ramdisk_size;
    char bootargs[512];
    enum domain_action on_poweroff, on_reboot, on_crash;
    struct sched_params sched;
    /* Grant-table limits (dom0less max_grant_frames, max_maptrack_frames); 0 = default,
     * GNTTAB_NO_MAPTRACK = no maptrack (<hyp/gnttab.h>). */
    uint32_t max_grant_frames;
    uint32_t max_maptrack_frames;
    /* The highest event-channel port it may bind (Xen's max_evtchn_port; xl's
     * max_event_channels - 1); 0 = the default, every port the ABI in use has for the control
     * domain and 4095 for the others. */
    uint32_t max_evtchn_port;
    /* Host devices passed through (xl's irqs and iomem; dom0less keel,irqs and keel,iomem):
     * host SPIs by INTID, each the domain's SPI of the same number, and device memory. */
    uint16_t irqs[DOMAIN_MAX_IRQS];
    unsigned nr_irqs;
    struct iomem_range iomem[DOMAIN_MAX_IOMEM];
    unsigned nr_iomem;
    /* SPIs its interrupt controller has beyond what its devices need (Xen's nr_spis); 0 = just
     * those. */
    unsigned nr_spis;
    /* Made by the toolstack (domctl createdomain): empty (mem_bytes may be 0: memory comes
     * later, by populate_physmap up to max_mem), named "d<id>", its id domid if non-zero (which
     * must be free) or else the next free one after the last given out, wrapping (Xen's
     * rover).  The name field is not used. */
    bool toolstack;
    unsigned domid;
};

enum domain_state {
    DOM_BUILDING, /* being constructed */
    DOM_RUNNING,  /* vCPUs may run */
    DOM_PAUSED,   /* administratively paused */
    DOM_SHUTDOWN, /* shut down, vCPUs stopped, waiting for its action */
    DOM_DYING,    /* killed: off the table, stopped, memory returned; freed on the last put */
};

/* What the reaper's teardown of a shut-down domain leads to (d->reaping). */
enum { REAP_NONE, REAP_DESTROY, REAP_RESTART };

enum vcpu_state {
    VCPU_OFFLINE, /* not started (PSCI CPU_ON not yet called) or CPU_OFF */
    VCPU_RUNNABLE,
    VCPU_BLOCKED, /* WFI: waits for an interrupt */
    VCPU_PAUSED,  /* its domain is paused or shutting down */
};

struct domain;
struct gnttab;
struct evtchn_domain;
struct shared_info;
struct vcpu_info;

struct vcpu {
    unsigned id;
    struct domain *dom;
    enum vcpu_state state;
    unsigned cpu; /* pCPU it runs on or is queued for */
    bool running; /* currently on a pCPU */
    bool loading; /* vCPU 0 of a domain still loading its images: runs domain_load_run */
    uint64_t cpu_time_ns;
    void *sched_priv;            /* scheduler policy data */
    struct vcpu_info *vcpu_info; /* registered area (core/shared_info.c), NULL until then */
    paddr_t vcpu_info_frame;     /* its frame, which Keel holds a reference on */
    /* Xen's runstate (state since when, time in each): kept by the scheduler under its pool
     * lock and copied into the guest's registered area, if any, whenever v is switched in or
     * out.  The area is a host pointer into a frame Keel holds a reference on. */
    struct vcpu_runstate_info runstate;
    struct vcpu_runstate_info *runstate_area;
    struct arch_vcpu arch;
};

struct domain {
    unsigned id;
    uint32_t refs; /* atomic; see domain_get */
    char name[DOMAIN_NAME_LEN];
    struct domain_config cfg;
    enum domain_state state;
    enum shutdown_reason shutdown_reason;
    uint8_t pauses;          /* the toolstack's outstanding pausedomain calls (d->lock) */
    uint8_t destroying;      /* the toolstack's destroy: 1 stopping, 2 being killed (d->lock) */
    bool is_control;         /* the control domain: toolstack calls (core/policy.c) */
    uint8_t handle[16];      /* the toolstack's UUID of the domain (XENVER_guest_handle) */
    unsigned long vm_assist; /* bit VMASST_TYPE_x: the guest enabled that assist (vm_assist) */
    uint64_t hvm_param[HVM_NR_PARAMS]; /* core/hvm_param.c */
    struct spinlock lock;
    unsigned nr_vcpus;
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN];
    /* Guest memory: the map itself is the arch part's (core/mm/physmap.c changes it). */
    struct spinlock p2m_lock;
    uint64_t tot_pages;            /* RAM pages mapped (p2m_lock) */
    uint64_t max_pages;            /* how many it may have */
    uint64_t mem_pages;            /* pages charged to this domain (RAM + tables + metadata) */
    uint64_t paging_mempool_pages; /* the toolstack's stage-2 pool size (a bound, see below) */
    uint64_t table_pages;          /* stage-2 table pages held (p2m_lock): physmap_table_take */
    /* Where its RAM was populated at build (guest-physical banks; bank 0 holds the kernel), as
     * its device tree describes it. */
    struct mem_range ram[MAX_GUEST_RAM_BANKS];
    unsigned nr_ram;
    /* A direct-mapped domain's pages of ram[] it gave back and keeps: a bit per page, in bank
     * order (core/mm/physmap.c; p2m_lock). */
    uint64_t *kept;
    uint64_t release_at; /* how far physmap_release has emptied the map */
    void *sched_priv;
    struct timer reap_timer; /* applies the shutdown action once no vCPU runs */
    uint8_t reaping;         /* the reaper's teardown has begun: REAP_DESTROY or REAP_RESTART */
    unsigned restarts;
    /* Images its vCPU 0 still copies in (domain_build_started), NULL once loaded or for a
     * domain built whole. */
    struct domain_loader *loader;
    bool build_failed; /* its loading failed: shut down and destroyed, whatever its actions */
    struct ratelimit warn_rl; /* messages the guest can trigger (see guest_warn) */
    /* Xen's domain watchdogs (SCHEDOP_watchdog): expiry shuts the domain down (watchdog). */
    struct timer watchdog[DOMAIN_WATCHDOGS];
    uint8_t watchdogs_used; /* bit i: watchdog id i + 1 is allocated */
    struct vmmio_table mmio;
    struct vpl011 *vuart;
    struct shared_info *shared_info; /* Keel's page (core/shared_info.c) */
    struct gnttab *gnttab;           /* grant table and maptrack (core/grant/) */
    uint64_t shared_info_gfn;        /* where it is mapped, GFN_INVALID: nowhere (d->lock) */
    struct evtchn_domain *evtchn;    /* event-channel ports (core/event/) */
    struct domain *reclaim_next;     /* waiting to be freed after the last put */
    struct arch_domain arch;
};

/* Create an empty domain from cfg, as a toolstack's create call does: an id, its address space
 * and interrupt controller, its vCPUs (offline), its place in the scheduler, its allowance of
 * memory (cfg->mem_bytes) but no memory yet; the kernel fields of cfg are not used.  Returns
 * the domain (listed, its reference owned by the domain table), or NULL with *err: -EINVAL (bad
 * configuration), -ENOSPC (no free domain id), -EEXIST (cfg->domid is taken), -ENOMEM.  Prints
 * nothing. */
struct domain *domain_create(const struct domain_config *cfg, int *err);
/* Build a domain from cfg on top of domain_create, as a dom0less boot does: populate its
 * memory, load its kernel, ramdisk and device tree, point vCPU 0 at the kernel; not started.
 * NULL after printing "domain NAME: not created: WHY". */
struct domain *domain_build(const struct domain_config *cfg);
/* The same for a domain that restarts, from the shutdown path: its memory is populated and its
 * devices given here, but its kernel, ramdisk and device tree are copied in by its own vCPU 0
 * (domain_load_run), a step at a time on the time the scheduler gives it, so the copy is
 * charged to the domain and holds up no one else.  vCPU 0 is runnable at once; the domain
 * stays DOM_BUILDING, out of everyone else's reach, until loaded, then says "domain NAME:
 * created" and runs.  A failed load ends it (domain_build_failed).  NULL after saying why
 * not. */
struct domain *domain_build_started(const struct domain_config *cfg);
/* The run loop's work for vCPU 0 of a domain being loaded (v->loading): copy until loaded or
 * until the scheduler wants the pCPU, taking interrupts between steps. */
void domain_load_run(struct vcpu *v);
/* d is built: others may reach it (domain_get), the toolstack sees it running. */
void domain_mark_built(struct domain *d);
/* Its vCPUs, now vCPU 0 as well, may run. */
void domain_start(struct domain *d);
/* The toolstack's pause (domctl pausedomain), counted as in Xen: the first pause stops d's
 * vCPUs (each leaves its pCPU at its next exit, which the stop forces), the unpause that
 * brings the count back to 0 lets them run again.  0, -EOVERFLOW past DOMAIN_MAX_PAUSES, or
 * for an unpause with no pause outstanding -EINVAL.  A shut-down or destroyed domain counts
 * but stays stopped. */
#define DOMAIN_MAX_PAUSES 255
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* The toolstack's destroy (domctl destroydomain), for a domain the caller holds a reference
 * on: stop it for good (its shutdown action does not run: it is not restarted), and kill it
 * once none of its vCPUs is on a pCPU.  -ERESTART while one still is (call again: each call
 * makes progress); 0 once it is killed, or was already. */
int domain_destroy(struct domain *d);
/* Guest-requested or fault-triggered shutdown: stops every vCPU, then applies the configured
 * action (destroy / restart / preserve).  Safe from any pCPU, including one running a vCPU of
 * d. */
void domain_shutdown(struct domain *d, enum shutdown_reason reason);
/* A domain whose load failed after domain_build_started: shut down as crashed and destroyed,
 * not restarted again, whatever its configured actions.  From its vCPU 0. */
void domain_build_failed(struct domain *d);
/* When no domain is left, say "all domains have ended" (the launcher waits for it) and power
 * the machine off. */
void domain_end_if_none_left(void);
/* Kill a domain none of whose vCPUs runs (after shutdown, or a failed build): take it off the
 * table, kill its timers (waiting for handlers running elsewhere), stop its vCPUs for good,
 * return its guest memory, and put the table's reference.  Idempotent. */
void domain_kill(struct domain *d);
/* domain_kill in three parts, for a caller that takes interrupts between the parts of the
 * memory (the reaper): start does all but return the memory and says whether this call began
 * the kill (false: d was dying already, and someone else kills it); release returns a part of
 * the memory each call, -ERESTART while some is left and 0 once all of it is back; end takes
 * the address space and puts the table's reference (d must not be touched after it, unless the
 * caller holds a reference of its own). */
bool domain_kill_start(struct domain *d);
int domain_kill_release(struct domain *d);
void domain_kill_end(struct domain *d);

/* Build the domains the boot device tree describes ("xen,domain" nodes under /chosen) and
 * start them.  Returns how many started. */
unsigned domain_build_all(void);

/* A reference to the domain id, or NULL: a listed domain that is built (domain_start or the
 * toolstack's createdomain made it so; one still being built is no one else's to touch).
 * Give it back with domain_put. */
struct domain *domain_get(unsigned id);
/* A reference to the domain a hypercall names: id DOMID_SELF is self, other ids from
 * DOMID_FIRST_RESERVED up name none (NULL), any other id the listed domain (which may be self).
 * Who may act on the domain is policy_may_target's to say. */
struct domain *domain_get_any(struct domain *self, unsigned id);
/* Iterate: a reference to the next built domain with id > after (start with -1), or NULL.
 * The caller puts each one. */
struct domain *domain_get_next(int after);
/* The same over every listed domain, those being built too: only their configuration, name
 * and page count may be read (the boot's messages, memory accounts). */
struct domain *domain_get_next_listed(int after);
/* Another reference to d, which the caller already holds one on. */
void domain_ref(struct domain *d);
/* Give a reference back; the last one frees d (later, from a timer: safe under any lock). */
void domain_put(struct domain *d);
/* The next built domain after d (a reference), with d's reference put: a walk's step. */
static inline struct domain *domain_next(struct domain *d)
{
    struct domain *n = domain_get_next((int)d->id);
    domain_put(d);
    return n;
}
/* Iterate over the built domains, holding a reference on the current one: a domain killed
 * meanwhile on another pCPU stays readable until the loop moves on.  A loop left early must
 * put the current one itself. */
#define for_each_domain(d) for (struct domain *d = domain_get_next(-1); d; d = domain_next(d))
static inline struct domain *domain_next_listed(struct domain *d)
{
    struct domain *n = domain_get_next_listed((int)d->id);
    domain_put(d);
    return n;
}
/* The same over the listed domains, those being built too (see domain_get_next_listed). */
#define for_each_listed_domain(d)                                                                  \
    for (struct domain *d = domain_get_next_listed(-1); d; d = domain_next_listed(d))
/* Free now the domains whose last reference has gone and that wait for the reclaim timer.  Only
 * where that timer's callback could run: a timer callback, with no lock held. */
void domain_reclaim_now(void);
/* Whether every domain ever created has been freed.  If not, the reclaim of the last one calls
 * domain_end_if_none_left() again: another pCPU may still hold a domain that has left the
 * table (its vCPU being switched out, say) when the table empties. */
bool domain_all_freed(void);
/* Lock a->lock and b->lock (held references; a may be b) in domain-id order, so two pCPUs
 * locking the same pair from either end cannot deadlock.  Interrupts masked. */
unsigned long domain_lock_pair(struct domain *a, struct domain *b);
void domain_unlock_pair(struct domain *a, struct domain *b, unsigned long flags);
/* Number of listed domains (any state but killed). */
unsigned domain_count(void);

/* --- vCPU state changes (core/vcpu.c) --- */
/* Make a blocked vCPU runnable (an interrupt arrived for it).  Any pCPU. */
void vcpu_wake(struct vcpu *v);
/* Make sure v notices new pending work soon: if it runs on another pCPU, interrupt that pCPU;
 * if it is blocked, wake it. */
void vcpu_kick(struct vcpu *v);
/* The current vCPU waits for an interrupt (WFI). */
void vcpu_block(struct vcpu *v);
/* The current vCPU waits even with an interrupt pending, which it cannot take: until a new
 * interrupt arrives for it or it is woken (a vCPU stuck at its abort vector). */
void vcpu_block_until_kicked(struct vcpu *v);
/* Bring an offline vCPU up at entry with x0 = context (PSCI CPU_ON). 0, -EBUSY if on. */
int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context);
/* The current vCPU turns itself off (PSCI CPU_OFF). */
void vcpu_power_off(struct vcpu *v);
/* vCPU by its MPIDR-style hardware id within d, or NULL. */
struct vcpu *vcpu_by_hwid(struct domain *d, uint64_t hwid);

/* Report, at level, what a rate limit held back before the line just printed for domain
 * name. */
static inline void guest_log_held(enum log_level level, const char *name,
                                  const struct ratelimit_held *h)
{
    if (h->same)
        log_printf(level,
                   "domain %s: (the line above came %u more times since it was last printed)\n",
                   name, h->same);
    if (h->other)
        log_printf(level,
                   "domain %s: (%u more guest-caused messages of other kinds were held back)\n",
                   name, h->other);
}

static inline void guest_warn_held(const char *name, const struct ratelimit_held *h)
{
    guest_log_held(LOG_WARN, name, h);
}

/* A warning caused by something the guest did: rate-limited per domain and per message
 * (ratelimit.h), so a guest cannot flood the console (and slow everyone down) by repeating it.
 * Lines held back are counted and the count follows the next line let through. */
#define guest_warn(d, ...)                                                                         \
    do {                                                                                           \
        struct ratelimit_held held_;                                                               \
        if (ratelimit_ok(&(d)->warn_rl, RATELIMIT_KEY(__VA_ARGS__, ), &held_)) {                   \
            pr_warn(__VA_ARGS__);                                                                  \
            guest_warn_held((d)->name, &held_);                                                    \
        }                                                                                          \
    } while (0)
/* The same at debug level, for what a guest does that matters only to whoever debugs it (an
 * unknown register, a call Keel does not know).  Hidden on the console unless loglvl=debug,
 * but kept in the history ring that `xl dmesg` and the `log` command read: rate-limited like
 * warnings, so that a guest repeating one in a loop cannot wash Keel's history out. */
#define guest_debug(d, ...)                                                                        \
    do {                                                                                           \
        struct ratelimit_held held_;                                                               \
        if (ratelimit_ok(&(d)->warn_rl, RATELIMIT_KEY(__VA_ARGS__, ), &held_)) {                   \
            pr_debug(__VA_ARGS__);                                                                 \
            guest_log_held(LOG_DEBUG, (d)->name, &held_);                                          \
        }                                                                                          \
    } while (0)
