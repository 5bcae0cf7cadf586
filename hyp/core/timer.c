/*
 * Nanosecond time from the architected counter, and per-CPU queues of one-shot timers kept
 * sorted by deadline.  Each queue has its own lock (taken with interrupts masked, as the timer
 * interrupt takes it too); only the owning CPU programs its hardware timer, other CPUs that
 * queue an earlier timer there ask it to with IPI_TIMER.  Handlers run with the lock dropped.
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
        spin_unlock(&q->lock);
        t->fn(t, t->ctx); /* may re-arm t */
        spin_lock(&q->lock);
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

/* Queue lock held.  Returns whether t was the head. */
static bool dequeue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    BUG_ON(!*pp); /* active timers are always on their CPU's queue */
    bool was_head = pp == &q->head;
    *pp = t->next;
    t->next = NULL;
    t->active = false;
    return was_head;
}

void timer_cancel(struct timer *t)
{
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags = spin_lock_irqsave(&q->lock);
    /* A cancelled head leaves the hardware armed; the interrupt then finds nothing due and
     * reprograms, which is cheaper than an IPI to a remote CPU. */
    if (t->active)
        dequeue(q, t);
    spin_unlock_irqrestore(&q->lock, flags);
}

void timer_set(struct timer *t, uint64_t deadline, unsigned cpu)
{
    BUG_ON(cpu >= MAX_CPUS || !t->fn);
    timer_cancel(t);
    struct timer_queue *q = &queues[cpu];
    unsigned long flags = spin_lock_irqsave(&q->lock);
    t->deadline = deadline;
    t->cpu = cpu;
    t->active = true;
    struct timer **pp = &q->head;
    while (*pp && (*pp)->deadline <= deadline) /* FIFO among equal deadlines */
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    bool new_head = q->head == t;
    bool local = cpu == cpu_id();
    if (new_head && local)
        program(q);
    spin_unlock_irqrestore(&q->lock, flags);
    if (new_head && !local)
        ipi_send(cpu, IPI_TIMER);
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
