/* SPDX-License-Identifier: Apache-2.0 */
/* Generic timer helpers for test guests: the virtual counter and timer (CNTV_*). */
#pragma once

#include "arm.h"

#define CNTV_CTL_ENABLE (1u << 0)
#define CNTV_CTL_IMASK (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)

static inline uint64_t timer_freq(void)
{
    return read_sysreg(cntfrq_el0);
}

static inline uint64_t timer_now(void)
{
    isb(); /* do not let the read of the counter happen early */
    return read_sysreg(cntvct_el0);
}

static inline uint64_t timer_us_to_ticks(uint64_t us)
{
    return us * timer_freq() / 1000000;
}

static inline uint64_t timer_deadline_us(uint64_t us)
{
    return timer_now() + timer_us_to_ticks(us);
}

static inline bool timer_passed(uint64_t deadline)
{
    return timer_now() >= deadline;
}

static inline void delay_us(uint64_t us)
{
    uint64_t end = timer_deadline_us(us);
    while (!timer_passed(end))
        cpu_relax();
}

/* Evaluates cond until it holds or us microseconds pass; the value is whether it held.  The
 * time is read before cond, so cond is evaluated once more after the limit: a vCPU that was
 * not running while the limit passed still sees an event that came meanwhile. */
#define WAIT_FOR(cond, us)                                                                         \
    ({                                                                                             \
        uint64_t __end = timer_deadline_us(us);                                                    \
        bool __ok;                                                                                 \
        for (;;) {                                                                                 \
            bool __late = timer_passed(__end);                                                     \
            if ((__ok = (cond)) || __late)                                                         \
                break;                                                                             \
            cpu_relax();                                                                           \
        }                                                                                          \
        __ok;                                                                                      \
    })

/*
 * Waiting for something that must happen (an interrupt, a step of another vCPU): WAIT_EVENT.
 * The event ends the wait; the time limit is only a safety net, so that a guest whose
 * hypervisor lost the event still ends and says so.  Without -icount the guest's counter
 * follows the host's clock, and on a loaded host a vCPU can go without running for a second
 * or more, so the limit is far above what a working hypervisor needs (milliseconds) and below
 * the runners' own timeouts.  A check that something does NOT happen within a time keeps its
 * short wait: a slow host can only make it miss a fault, never fail a correct hypervisor.
 */
#define EVENT_TIMEOUT_US 30000000UL
#define WAIT_EVENT(cond) WAIT_FOR(cond, EVENT_TIMEOUT_US)

/* WAIT_EVENT for the last of a series of events: the safety net runs from the last change of
 * progress (such as a count another vCPU advances), so a long series on a slow host does not
 * run out of time while each step still comes. */
#define WAIT_PROGRESS(cond, progress)                                                              \
    ({                                                                                             \
        uint64_t __end = timer_deadline_us(EVENT_TIMEOUT_US), __seen = (progress), __now;          \
        bool __ok;                                                                                 \
        for (;;) {                                                                                 \
            bool __late = timer_passed(__end);                                                     \
            if ((__ok = (cond)))                                                                   \
                break;                                                                             \
            if ((__now = (progress)) != __seen) {                                                  \
                __seen = __now;                                                                    \
                __end = timer_deadline_us(EVENT_TIMEOUT_US);                                       \
            } else if (__late) {                                                                   \
                break;                                                                             \
            }                                                                                      \
            cpu_relax();                                                                           \
        }                                                                                          \
        __ok;                                                                                      \
    })

static inline void vtimer_set_cval(uint64_t cval)
{
    write_sysreg(cval, cntv_cval_el0);
}

static inline void vtimer_set_tval(uint32_t tval)
{
    write_sysreg(tval, cntv_tval_el0);
}

static inline void vtimer_set_ctl(uint32_t ctl)
{
    write_sysreg(ctl, cntv_ctl_el0);
    isb();
}

static inline uint32_t vtimer_ctl(void)
{
    return (uint32_t)read_sysreg(cntv_ctl_el0);
}

static inline uint32_t vtimer_tval(void)
{
    return (uint32_t)read_sysreg(cntv_tval_el0);
}

/* The EL1 physical timer (CNTP_*), compared with CNTPCT_EL0. */
static inline uint64_t ptimer_now(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

static inline void ptimer_set_cval(uint64_t cval)
{
    write_sysreg(cval, cntp_cval_el0);
}

static inline void ptimer_set_tval(uint32_t tval)
{
    write_sysreg(tval, cntp_tval_el0);
}

static inline void ptimer_set_ctl(uint32_t ctl)
{
    write_sysreg(ctl, cntp_ctl_el0);
    isb();
}

static inline uint32_t ptimer_ctl(void)
{
    return (uint32_t)read_sysreg(cntp_ctl_el0);
}

static inline uint32_t ptimer_tval(void)
{
    return (uint32_t)read_sysreg(cntp_tval_el0);
}
