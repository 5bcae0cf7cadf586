/*
 * Scheduler framework: the per-pCPU run loop, vCPU state transitions, time slices and CPU-time
 * accounting.  Which vCPU runs next is the policy's choice (sched_policy).  sched_lock (one
 * for the machine for now) guards vCPU states, run queues and policy data; it is always taken
 * with interrupts masked.  A vCPU's register state is saved (arch_vcpu_put) before it can be
 * picked again, so it is never live on two pCPUs.
 */
#include <hyp/arch/cpu.h>
#include <hyp/arch/domain.h>
#include <hyp/cmdline.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/sched.h>
#include <hyp/string.h>
#include <hyp/timer.h>

struct sched_cpu {
    bool need_resched;
    struct timer slice_timer;
};

static struct sched_cpu sched_cpus[MAX_CPUS];
static struct spinlock sched_lock = SPINLOCK_INIT;
static const struct sched_policy *policy = &sched_rr_policy;

static const struct sched_policy *const policies[] = { &sched_rr_policy };

static void slice_expired(struct timer *t, void *ctx)
{
    sched_cpus[(uintptr_t)ctx].need_resched = true;
}

void sched_init(void)
{
    const char *v;
    size_t len;
    if (cmdline_get(bootinfo.cmdline, "sched", &v, &len)) {
        for (unsigned i = 0; i < ARRAY_SIZE(policies); i++)
            if (strlen(policies[i]->name) == len && !strncmp(policies[i]->name, v, len))
                policy = policies[i];
        if (strncmp(policy->name, v, len))
            pr_warn("sched: unknown policy \"%.*s\", using %s\n", (int)len, v, policy->name);
    }
    for (unsigned c = 0; c < MAX_CPUS; c++)
        timer_init(&sched_cpus[c].slice_timer, slice_expired, (void *)(uintptr_t)c);
    pr_info("sched: policy %s\n", policy->name);
}

const struct sched_policy *sched_policy(void)
{
    return policy;
}

int sched_domain_init(struct domain *d)
{
    return policy->domain_init ? policy->domain_init(d) : 0;
}

void sched_domain_destroy(struct domain *d)
{
    if (policy->domain_destroy)
        policy->domain_destroy(d);
}

int sched_vcpu_init(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    int rc = policy->vcpu_init ? policy->vcpu_init(v) : 0;
    spin_unlock_irqrestore(&sched_lock, flags);
    return rc;
}

void sched_vcpu_destroy(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    BUG_ON(v->running);
    if (v->state == VCPU_RUNNABLE)
        policy->sleep(v);
    v->state = VCPU_OFFLINE;
    if (policy->vcpu_destroy)
        policy->vcpu_destroy(v);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_kick_cpu(unsigned cpu)
{
    WRITE_ONCE(sched_cpus[cpu].need_resched, true);
    if (cpu != cpu_id())
        ipi_send(cpu, IPI_RESCHEDULE);
}

/* Caller holds sched_lock. */
static void set_state_locked(struct vcpu *v, enum vcpu_state state)
{
    enum vcpu_state old = v->state;
    if (old == state)
        return;
    v->state = state;
    if (v->running) {
        /* It notices on its next exit; make that exit happen now. */
        if (state != VCPU_RUNNABLE)
            sched_kick_cpu(v->cpu);
        return;
    }
    if (state == VCPU_RUNNABLE)
        policy->wake(v);
    else if (old == VCPU_RUNNABLE)
        policy->sleep(v);
}

void sched_vcpu_set_state(struct vcpu *v, enum vcpu_state state)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    set_state_locked(v, state);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (v->state == VCPU_BLOCKED)
        set_state_locked(v, VCPU_RUNNABLE);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void vcpu_kick(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (v->state == VCPU_BLOCKED)
        set_state_locked(v, VCPU_RUNNABLE);
    else if (v->running && v->cpu != cpu_id())
        ipi_send(v->cpu, IPI_WAKE); /* exit so the new interrupt reaches the list registers */
    spin_unlock_irqrestore(&sched_lock, flags);
}

void vcpu_block(struct vcpu *v)
{
    /* The pending check and the state change are one step under sched_lock; vcpu_kick takes
     * the same lock after making an interrupt pending, so no wake-up is lost. */
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (v->state == VCPU_RUNNABLE && !arch_vcpu_has_pending_irq(v))
        set_state_locked(v, VCPU_BLOCKED);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_yield(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    if (policy->yield)
        policy->yield(v);
    sched_cpus[cpu_id()].need_resched = true;
    spin_unlock_irqrestore(&sched_lock, flags);
}

bool sched_must_leave(struct vcpu *v)
{
    return READ_ONCE(sched_cpus[cpu_id()].need_resched) || READ_ONCE(v->state) != VCPU_RUNNABLE;
}

static struct vcpu *pick_next(unsigned cpu)
{
    uint64_t now = time_now_ns(), slice = 0;
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    sched_cpus[cpu].need_resched = false;
    struct vcpu *v = policy->pick(cpu, now, &slice);
    if (v) {
        BUG_ON(v->running || v->state != VCPU_RUNNABLE);
        v->running = true;
        v->cpu = cpu;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    if (v && slice)
        timer_set(&sched_cpus[cpu].slice_timer, now + slice, cpu);
    else
        timer_cancel(&sched_cpus[cpu].slice_timer);
    return v;
}

static void idle_once(unsigned cpu)
{
    /* WFI with interrupts masked still wakes on a pending interrupt; the check and the wait
     * cannot race with a wake-up that set need_resched. */
    arch_irq_disable();
    if (!READ_ONCE(sched_cpus[cpu].need_resched))
        arch_cpu_idle();
    arch_irq_enable();
    arch_cpu_irq_window();
    arch_irq_disable();
}

void sched_run_loop(void)
{
    unsigned cpu = cpu_id();
    arch_irq_disable();
    for (;;) {
        struct vcpu *v = pick_next(cpu);
        if (!v) {
            idle_once(cpu);
            continue;
        }
        uint64_t start = time_now_ns();
        this_cpu()->current = v;
        arch_vcpu_load(v);
        arch_vcpu_run(v);
        arch_vcpu_put(v);
        this_cpu()->current = NULL;
        uint64_t ran = time_now_ns() - start;
        unsigned long flags = spin_lock_irqsave(&sched_lock);
        v->cpu_time_ns += ran;
        v->running = false;
        if (policy->account)
            policy->account(v, ran);
        if (v->state == VCPU_RUNNABLE)
            policy->wake(v);
        spin_unlock_irqrestore(&sched_lock, flags);
    }
}

struct vcpu *current_vcpu(void)
{
    return this_cpu()->current;
}
