/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nanosecond time from the architected counter, and per-CPU queues of one-shot timers kept
 * sorted by deadline.  Each queue has its own lock (taken with interrupts masked, as the timer
 * interrupt takes it too); only the owning CPU programs its hardware timer, other CPUs that
 * queue an earlier timer there ask it to with IPI_TIMER.  Handlers run with the lock dropped;
 * the queue records which timer's handler is running, so timer_kill() can wait for it.
 * A timer's cpu field changes only with the locks of both the old and the new queue held (in
 * CPU order), so holding the queue lock that t->cpu names pins t to that queue.
 */
#include <hyp/arch/cpu.h>
#include <hyp/console.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/spinlock.h>
#include <hyp/timer.h>

#define NSEC_PER_SEC 1000000000UL

struct timer_queue {
    struct spinlock lock;
    struct timer *head;
    struct timer *running; /* whose handler runs now; written under lock, read by timer_kill */
} __aligned(64);

static struct timer_queue queues[MAX_CPUS];
static uint64_t freq; /* counter ticks per second, at most 2^32 (checked in time_init) */

/* Exact conversions split into whole seconds and the remainder, so every product fits in
 * 64 bits (remainder < 10^9, freq <= 2^32): floor(ticks * 10^9 / freq) and back. */
uint64_t time_ticks_to_ns(uint64_t ticks)
{
    return ticks / freq * NSEC_PER_SEC + ticks % freq * NSEC_PER_SEC / freq;
}

uint64_t time_ns_to_ticks(uint64_t ns)
{
    return ns / NSEC_PER_SEC * freq + ns % NSEC_PER_SEC * freq / NSEC_PER_SEC;
}

/* The first count at which time_now_ns() >= ns, so a deadline never fires early:
 * ceil(ns * freq / 10^9). */
uint64_t time_ns_to_ticks_ceil(uint64_t ns)
{
    return time_ns_to_ticks(ns) + (ns % NSEC_PER_SEC * freq % NSEC_PER_SEC != 0);
}

uint64_t time_now_ns(void)
{
    return time_ticks_to_ns(arch_counter());
}

/* Queue lock held. */
static void program(struct timer_queue *q)
{
    arch_timer_program(q->head ? time_ns_to_ticks_ceil(q->head->deadline) : ~0UL);
}

static enum irq_end timer_irq(unsigned irq, void *ctx)
{
    struct timer_queue *q = &queues[cpu_id()];
    spin_lock(&q->lock);
    for (;;) {
        struct timer *t = q->head;
        if (!t || t->deadline > time_now_ns())
            break;
        q->head = t->next;
        t->next = NULL;
        t->active = false;
        __atomic_store_n(&q->running, t, __ATOMIC_RELAXED);
        spin_unlock(&q->lock);
        t->fn(t, t->ctx); /* may re-arm t, or free it: t is not touched again */
        spin_lock(&q->lock);
        __atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
    }
    program(q);
    spin_unlock(&q->lock);
    return IRQ_EOI;
}

void timer_handle_ipi(void)
{
    struct timer_queue *q = &queues[cpu_id()];
    spin_lock(&q->lock);
    program(q);
    spin_unlock(&q->lock);
}

void timer_init(struct timer *t, timer_fn fn, void *ctx)
{
    *t = (struct timer){ .fn = fn, .ctx = ctx };
}

/* Lock the queue t is on (or was last armed on) and return its CPU.  t->cpu can only change
 * while that queue's lock is held, so it is read again once the lock is ours. */
static unsigned lock_timer(struct timer *t, unsigned long *flags)
{
    for (;;) {
        unsigned cpu = READ_ONCE(t->cpu);
        *flags = spin_lock_irqsave(&queues[cpu].lock);
        if (READ_ONCE(t->cpu) == cpu)
            return cpu;
        spin_unlock_irqrestore(&queues[cpu].lock, *flags);
    }
}

/* Queue lock held. */
static void dequeue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    BUG_ON(!*pp); /* active timers are always on their CPU's queue */
    *pp = t->next;
    t->next = NULL;
    t->active = false;
}

/* Queue lock held: put t on q in deadline order.  Returns whether it is the new head. */
static bool enqueue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;
    while (*pp && (*pp)->deadline <= t->deadline) /* FIFO among equal deadlines */
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->active = true;
    return q->head == t;
}

void timer_cancel(struct timer *t)
{
    unsigned long flags;
    unsigned cpu = lock_timer(t, &flags);
    /* A cancelled head leaves the hardware armed; the interrupt then finds nothing due and
     * reprograms, which is cheaper than an IPI to a remote CPU. */
    if (t->active)
        dequeue(&queues[cpu], t);
    spin_unlock_irqrestore(&queues[cpu].lock, flags);
}

/* Lock the queues of t's CPU and of cpu, lower index first; returns t's CPU. */
static unsigned lock_two(struct timer *t, unsigned cpu, unsigned long *flags)
{
    for (;;) {
        unsigned old = READ_ONCE(t->cpu);
        unsigned lo = MIN(old, cpu), hi = MAX(old, cpu);
        *flags = spin_lock_irqsave(&queues[lo].lock);
        if (hi != lo)
            spin_lock(&queues[hi].lock);
        if (READ_ONCE(t->cpu) == old)
            return old;
        if (hi != lo)
            spin_unlock(&queues[hi].lock);
        spin_unlock_irqrestore(&queues[lo].lock, *flags);
    }
}

void timer_set(struct timer *t, uint64_t deadline, unsigned cpu)
{
    BUG_ON(cpu >= MAX_CPUS || !t->fn);
    unsigned long flags;
    unsigned old = lock_two(t, cpu, &flags);
    bool new_head = false;
    if (!t->killed) {
        if (t->active)
            dequeue(&queues[old], t);
        t->deadline = deadline;
        WRITE_ONCE(t->cpu, cpu);
        new_head = enqueue(&queues[cpu], t);
    }
    bool local = cpu == cpu_id();
    if (new_head && local)
        program(&queues[cpu]);
    if (old != cpu)
        spin_unlock(&queues[MAX(old, cpu)].lock);
    spin_unlock_irqrestore(&queues[MIN(old, cpu)].lock, flags);
    if (new_head && !local)
        ipi_send(cpu, IPI_TIMER);
}

/* Whether t's handler is running on a CPU other than this one.  On this CPU it can only be
 * running further up the stack (handlers run with interrupts masked): the caller is it. */
static bool running_elsewhere(const struct timer *t)
{
    for (unsigned c = 0; c < MAX_CPUS; c++)
        if (c != cpu_id() && __atomic_load_n(&queues[c].running, __ATOMIC_ACQUIRE) == t)
            return true;
    return false;
}

void timer_kill(struct timer *t)
{
    if (!t->fn)
        return; /* never initialised: never armed */
    unsigned long flags;
    unsigned cpu = lock_timer(t, &flags);
    t->killed = true;
    if (t->active)
        dequeue(&queues[cpu], t);
    spin_unlock_irqrestore(&queues[cpu].lock, flags);
    /* A handler that started before the kill may still be running (and may have tried to
     * re-arm t, which the kill now refuses).  Handlers are short and never wait for this CPU,
     * so this ends. */
    while (running_elsewhere(t))
        arch_cpu_relax();
}

void time_init(void)
{
    uint64_t f = arch_counter_freq();
    if (!f || f > UINT32_MAX)
        panic("timer: counter frequency %lu Hz unusable (firmware must set CNTFRQ_EL0)", f);
    freq = f;
    arch_timer_init();
    unsigned irq = arch_timer_irq();
    if (irq_register(irq, timer_irq, NULL))
        panic("timer: interrupt %u already taken", irq);
    pr_info("timer: counter at %lu Hz, hypervisor timer on interrupt %u\n", f, irq);
}

void time_init_cpu(void)
{
    arch_timer_init_cpu();
    unsigned irq = arch_timer_irq();
    if (irqchip_set_trigger(irq, arch_timer_irq_edge()))
        pr_warn("timer: cannot set the trigger type of interrupt %u\n", irq);
    irqchip_enable(irq, cpu_id());
}
