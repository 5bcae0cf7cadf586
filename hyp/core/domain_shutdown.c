/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain shutdown: stop every vCPU, report the reason, and once no pCPU runs any of the
 * domain's vCPUs apply the configured action (destroy, restart, preserve).  The action runs from
 * a timer on the pCPU that saw the shutdown, never while a vCPU of the domain is live; the
 * domain's table reference keeps it alive until then.  When the last domain is gone the machine
 * powers off.
 */
#include <hyp/arch/boot.h>
#include <hyp/arch/domain.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/evtchn.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/sched.h>
#include <hyp/string.h>
#include <hyp/timer.h>
#include <hyp/watchdog.h>

/* While a vCPU of the dying domain is still on a pCPU (it was kicked and leaves at its next
 * exit), look again this often; and what a teardown leaves to the pCPU's others between two
 * parts of the memory it returns. */
#define REAP_POLL_NS 100000

static const char *reason_name(enum shutdown_reason r)
{
    switch (r) {
    case SHUTDOWN_POWEROFF:
        return "poweroff";
    case SHUTDOWN_REBOOT:
        return "reboot";
    case SHUTDOWN_SUSPEND:
        return "suspend";
    case SHUTDOWN_CRASH:
        return "crash";
    case SHUTDOWN_WATCHDOG:
        return "watchdog";
    default:
        return "unknown";
    }
}

static enum domain_action action_for(const struct domain *d)
{
    if (d->build_failed)
        return ACTION_DESTROY; /* restarting it again would fail again */
    switch (d->shutdown_reason) {
    case SHUTDOWN_POWEROFF:
        return d->cfg.on_poweroff;
    case SHUTDOWN_REBOOT:
        return d->cfg.on_reboot;
    default:
        return d->cfg.on_crash;
    }
}

/* Every vCPU is paused, so none can start running again; one that still runs clears
 * `running` (with release order) once its state is saved. */
static bool any_vcpu_running(const struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (d->vcpus[i] && __atomic_load_n(&d->vcpus[i]->running, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/* Free memory after a domain went away, and the pages the live domains hold (RAM, stage-2
 * tables, metadata): tests compare them across create/destroy cycles.  The sum of the two
 * stays put when nothing leaks, even where a live domain's own use grew meanwhile (dom0's
 * tables for the back-end mappings of a domU, say).  A racy read: a figure, not an account. */
static void report_free(const char *name)
{
    struct page_stats ps;
    uint64_t held = 0;
    page_alloc_stats(&ps);
    for_each_listed_domain(d)
    {
        held += __atomic_load_n(&d->mem_pages, __ATOMIC_RELAXED);
    }
    pr_info("domain %s: memory returned, %lu pages free, %lu held by domains\n", name,
            ps.free_pages, held);
}

/* Domains being torn down (destroy, or restart between the old domain's kill and the new one's
 * listing).  They are off the table already, but their memory is not back yet: another pCPU's
 * reaper that finds the table empty must not take that for the end and power off under them.
 * Whoever finishes last ends the system. */
static unsigned ending;

void domain_end_if_none_left(void)
{
    static bool ended;
    if (domain_count())
        return;
    /* Ordered after the table was read: a teardown that emptied it counted itself first. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ending, __ATOMIC_RELAXED))
        return;
    /* What the last puts left to the reclaim timer, freed first, and any domain another pCPU
     * still holds waited for, so that the count is final (tests compare it between runs). */
    domain_reclaim_now();
    if (domain_all_freed() && !__atomic_exchange_n(&ended, true, __ATOMIC_ACQ_REL)) {
        struct page_stats ps;
        page_alloc_stats(&ps);
        pr_info("all domains have ended, %lu pages free\n", ps.free_pages);
        arch_system_off();
    }
}

/* The start of a teardown: what the domain did, what happens now ("destroyed" or
 * "restarting"), and a teardown under way that the end of the system waits for. */
static void teardown_begins(struct domain *d, const char *what)
{
    arch_domain_report(d);
    pr_info("domain %s: %s\n", d->name, what);
    __atomic_fetch_add(&ending, 1, __ATOMIC_SEQ_CST);
}

static void destroy(struct domain *d)
{
    char name[DOMAIN_NAME_LEN];
    strlcpy(name, d->name, sizeof(name));
    teardown_begins(d, "destroyed");
    domain_kill(d);
    report_free(name);
    __atomic_fetch_sub(&ending, 1, __ATOMIC_SEQ_CST);
}

/* dom0 is the machine's: when it shuts down, the machine goes with it, as on Xen: reboot
 * resets it, poweroff stops it, and so does a crash (Xen would reboot; stopping keeps a crash
 * from looping and leaves its messages on the console). */
static __noreturn void machine_follows(struct domain *d)
{
    enum shutdown_reason r = d->shutdown_reason;
    destroy(d);
    pr_info("dom0 has shut down (%s): the machine %s\n", reason_name(r),
            r == SHUTDOWN_REBOOT ? "restarts" : "powers off");
    if (r == SHUTDOWN_REBOOT)
        arch_system_reset();
    arch_system_off();
}

/* The reaper's first look once no vCPU of d runs: false if there is nothing (more) for it to
 * do, true once d's teardown has begun (d->reaping says what follows it). */
static bool reap_begin(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    enum domain_action a = action_for(d);
    /* Under the lock: the toolstack's destroy either came first, or from now on leaves d to
     * the reaper. */
    bool mine = !d->destroying;
    if (mine && a != ACTION_PRESERVE)
        d->reaping = a == ACTION_RESTART ? REAP_RESTART : REAP_DESTROY;
    spin_unlock_irqrestore(&d->lock, flags);
    if (mine && a == ACTION_PRESERVE)
        pr_info("domain %s: preserved (shut down, memory kept)\n", d->name);
    if (!mine || a == ACTION_PRESERVE)
        return false;
    teardown_begins(d, a == ACTION_RESTART ? "restarting" : "destroyed");
    domain_kill_start(d);
    return true;
}

/* The end of the reaper's teardown of d, its memory all back: d goes, and for a restart a new
 * domain is made from its configuration.  Its images are copied by the new domain's own vCPU 0
 * (domain_build_started), not here. */
static void reap_end(struct domain *d)
{
    bool restart = d->reaping == REAP_RESTART;
    struct domain_config cfg = d->cfg;
    unsigned restarts = d->restarts + 1;
    char name[DOMAIN_NAME_LEN];
    strlcpy(name, d->name, sizeof(name));
    domain_kill_end(d); /* d may be freed from here on */
    report_free(name);
    struct domain *nd = NULL;
    if (restart) {
        nd = domain_build_started(&cfg);
        if (nd)
            nd->restarts = restarts;
        else
            pr_err("domain %s: restart failed\n", cfg.name); /* domain_build said why */
    }
    __atomic_fetch_sub(&ending, 1, __ATOMIC_SEQ_CST);
    if (!nd)
        domain_end_if_none_left();
}

/*
 * The shutdown action, from a timer on the pCPU that saw the shutdown.  A teardown returns the
 * domain's memory a part at a time (domain_kill_release), the timer set again after each part
 * so that interrupts and the pCPU's vCPUs get in between; none of its time is charged to the
 * vCPU it interrupted.  From its start the domain is off the table, and the toolstack's destroy
 * leaves it to the reaper.
 */
static void reap(struct timer *t, void *ctx)
{
    struct domain *d = ctx;
    uint64_t start = time_now_ns();
    if (!d->reaping) {
        if (READ_ONCE(d->destroying))
            return; /* the toolstack destroys it (domain_destroy) */
        if (any_vcpu_running(d)) {
            timer_set(t, start + REAP_POLL_NS, cpu_id());
            return;
        }
        if (d->cfg.direct_map)
            machine_follows(d);
        if (!reap_begin(d))
            return;
    }
    bool more = domain_kill_release(d) == -ERESTART;
    if (more)
        timer_set(t, time_now_ns() + REAP_POLL_NS, cpu_id());
    else
        reap_end(d);
    sched_cpu_not_charged(time_now_ns() - start);
}

void domain_shutdown(struct domain *d, enum shutdown_reason reason)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (d->state == DOM_SHUTDOWN || d->state == DOM_DYING || d->destroying) {
        spin_unlock_irqrestore(&d->lock, flags);
        return;
    }
    d->state = DOM_SHUTDOWN;
    d->shutdown_reason = reason;
    watchdog_disarm_all(d); /* and watchdog_op arms none from now on */
    /* Offline vCPUs stay so: the toolstack counts the others as the domain's (xl list). */
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_pause(d->vcpus[i]);
    spin_unlock_irqrestore(&d->lock, flags);
    pr_info("domain %s: shutdown (%s)\n", d->name, reason_name(reason));
    evtchn_send_global_virq(VIRQ_DOM_EXC);
    timer_init(&d->reap_timer, reap, d);
    timer_set(&d->reap_timer, time_now_ns(), cpu_id());
}

void domain_build_failed(struct domain *d)
{
    d->build_failed = true; /* read by the reaper, after the shutdown's lock and timer */
    pr_err("domain %s: restart failed\n", d->name);
    domain_shutdown(d, SHUTDOWN_CRASH);
}

int domain_pause(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (d->pauses == DOMAIN_MAX_PAUSES) {
        spin_unlock_irqrestore(&d->lock, flags);
        return -EOVERFLOW;
    }
    if (!d->pauses++ && d->state == DOM_RUNNING) {
        d->state = DOM_PAUSED;
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            sched_vcpu_pause(d->vcpus[i]);
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return 0;
}

int domain_unpause(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (!d->pauses) {
        spin_unlock_irqrestore(&d->lock, flags);
        return -EINVAL;
    }
    if (!--d->pauses && d->state == DOM_PAUSED && !d->destroying) {
        d->state = DOM_RUNNING;
        /* A vCPU that waited in WFI when paused comes back runnable: a spurious wake-up,
         * which WFI allows. */
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            if (d->vcpus[i]->state == VCPU_PAUSED)
                sched_vcpu_set_state(d->vcpus[i], VCPU_RUNNABLE);
    }
    spin_unlock_irqrestore(&d->lock, flags);
    return 0;
}

int domain_destroy(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    if (d->state == DOM_DYING || d->destroying == 2 || d->reaping) {
        spin_unlock_irqrestore(&d->lock, flags);
        return 0;
    }
    d->destroying = 1;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_set_state(d->vcpus[i], VCPU_PAUSED);
    bool running = any_vcpu_running(d);
    if (!running)
        d->destroying = 2; /* this caller kills it; any other one is done */
    spin_unlock_irqrestore(&d->lock, flags);
    if (running)
        return -ERESTART;
    /* A shutdown's reaper may still be armed: it sees `destroying` and stops; wait for it. */
    timer_kill(&d->reap_timer);
    destroy(d);
    domain_end_if_none_left();
    return 0;
}
