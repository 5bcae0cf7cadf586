/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time and one-shot software timers.  Time is nanoseconds since the architected counter
 * started (machine reset, i.e. about boot).  Each CPU has a queue of timers ordered by
 * deadline and programs its hardware timer for the earliest; handlers run on the timer's CPU
 * in interrupt context, interrupts masked, and must not wait for another CPU (timer_kill may be
 * waiting for them with interrupts masked).  timer_set, timer_cancel and timer_kill may race on
 * one timer from any CPUs; the queues have per-CPU locks.
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
    bool active;        /* queued and not yet fired; changed under the queue lock */
    bool killed;        /* timer_kill ran: timer_set does nothing until timer_init */
    struct timer *next; /* queue link */
};

/* Boot CPU, after irq_init(): find the timer interrupt, start the clock.  Panics if the
 * counter frequency is unknown. */
void time_init(void);
/* Each CPU: reset its hardware timer and enable its interrupt. */
void time_init_cpu(void);

uint64_t time_now_ns(void);
uint64_t time_ticks_to_ns(uint64_t ticks);
/* Rounds down; see time_ns_to_ticks_ceil() for a deadline that must not come early. */
uint64_t time_ns_to_ticks(uint64_t ns);
uint64_t time_ns_to_ticks_ceil(uint64_t ns);

/* t must not be queued (a fresh, cancelled or killed timer). */
void timer_init(struct timer *t, timer_fn fn, void *ctx);
/* (Re)arm t to fire at deadline (ns) on cpu (online).  A deadline in the past fires
 * promptly.  The handler may re-arm its own timer.  Does nothing to a killed timer. */
void timer_set(struct timer *t, uint64_t deadline, unsigned cpu);
/* Dequeue t if it has not fired.  Does not wait for a handler already running on another
 * CPU: use timer_kill before freeing what the handler reaches. */
void timer_cancel(struct timer *t);
/* Stop t for good: dequeue it, refuse later timer_set calls, and wait until a handler of t
 * that is running on another CPU has returned.  Afterwards nothing of t runs or is queued, so
 * t and its context may be freed.  Must not be called holding a lock t's handler takes; from
 * t's own handler it does not wait for itself.  A timer never initialised is left alone. */
void timer_kill(struct timer *t);

/* IPI_TIMER on this CPU (core/irq.c): reprogram the hardware timer for the queue head. */
void timer_handle_ipi(void);

/* --- arch hooks --- */
/* Boot CPU: find the hypervisor timer's interrupt and trigger type in the device tree. */
void arch_timer_init(void);
/* Each CPU: hypervisor timer off; lower-EL access to the counter and timers as Keel wants. */
void arch_timer_init_cpu(void);
/* Program this CPU's hypervisor timer to interrupt at counter value cval (~0 = never). */
void arch_timer_program(uint64_t cval);
/* The hypervisor timer's interrupt number and whether it is edge-triggered. */
unsigned arch_timer_irq(void);
bool arch_timer_irq_edge(void);
