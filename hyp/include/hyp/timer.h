/*
 * Time and one-shot software timers.  Time is nanoseconds since boot from the architected
 * counter.  Each CPU has a queue of timers ordered by deadline and programs its hardware
 * timer for the earliest; handlers run on the timer's CPU in interrupt context.  A timer's
 * owner serialises timer_set/timer_cancel on that timer; the queues have per-CPU locks.
 */
#pragma once

#include <hyp/types.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, void *ctx);

struct timer {
    uint64_t deadline; /* ns */
    timer_fn fn;
    void *ctx;
    unsigned cpu;
    bool active;
    struct timer *next; /* queue link */
};

/* Boot CPU, after irqchip_init(): find the timer interrupt, start the clock. */
void time_init(void);
/* Each CPU: enable its timer interrupt. */
void time_init_cpu(void);

uint64_t time_now_ns(void);
uint64_t time_ticks_to_ns(uint64_t ticks);
uint64_t time_ns_to_ticks(uint64_t ns);

void timer_init(struct timer *t, timer_fn fn, void *ctx);
/* (Re)arm t to fire at deadline (ns) on cpu.  A deadline in the past fires promptly. */
void timer_set(struct timer *t, uint64_t deadline, unsigned cpu);
void timer_cancel(struct timer *t);

/* --- arch hooks --- */
/* Program this CPU's hypervisor timer to interrupt at counter value cval (~0 = never). */
void arch_timer_program(uint64_t cval);
/* The hypervisor timer's interrupt number (from the device tree). */
unsigned arch_timer_irq(void);
