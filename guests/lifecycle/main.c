/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A guest that races its own death, for the restart stress tests of tests/multi (issue 12
 * item 1).  Run with on_poweroff = "restart", it shuts itself down while its other vCPUs keep
 * timers and watchdogs busy, so that Keel tears the domain down with work in flight; Keel
 * restarts it and it does it again, until the runner has seen enough restarts.  The timing of
 * each round comes from the physical counter's low bits, so rounds differ.
 *
 * /chosen/bootargs:
 *   race=watchdog  vCPU 1 allocates, arms and frees a SCHEDOP_watchdog (1 s) in a tight loop;
 *                  vCPU 0 calls SCHEDOP_shutdown(poweroff) after 0-4 ms
 *   race=timers    every vCPU arms its virtual and physical timers to expire 0.9-1.3 ms after
 *                  vCPU 0 will call PSCI SYSTEM_OFF (around when Keel used to tear down), staggered by 10-50 us per vCPU, then
 *                  waits in WFI with interrupts masked; vCPU 0 calls SYSTEM_OFF on time
 *   race=both      vCPU 1 as for watchdog, the others (and vCPU 0) as for timers
 *   after_us=900 spread_us=400   race=timers: the expiries fall in [after, after + spread] us
 *                  after the power-off (plus the stagger)
 *
 * It prints one line per round ("LIFECYCLE race=... delay_us=N"), nothing else.
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "timer.h"
#include "xen.h"

const char guest_name[] = "lifecycle";

#define CNT_CTL_ENABLE 1u

enum race { R_WATCHDOG, R_TIMERS, R_BOTH };

static enum race race;
static uint64_t off_at; /* virtual count at which vCPU 0 powers off; 0 until it is chosen */

/* Entropy for this round: the physical count differs from boot to boot. */
static uint64_t noise(void)
{
    isb();
    uint64_t x = read_sysreg(cntpct_el0);
    x ^= x >> 7;
    x *= 0x9e3779b97f4a7c15UL;
    return x ^ (x >> 29);
}

static void watchdog_loop(void)
{
    static struct sched_watchdog wd[MAX_VCPUS];
    unsigned me = this_cpu();
    for (;;) {
        WRITE_ONCE(wd[me].id, 0);
        WRITE_ONCE(wd[me].timeout, 1);
        long id = xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_watchdog, (uintptr_t)&wd[me], 0, 0, 0);
        if (id > 0) {
            WRITE_ONCE(wd[me].id, (uint32_t)id);
            WRITE_ONCE(wd[me].timeout, 0);
            xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_watchdog, (uintptr_t)&wd[me], 0, 0, 0);
        }
    }
}

/* Arm both EL1 timers to expire a little after the power-off, then wait with everything
 * masked: the expiries land in Keel's teardown. */
static void timers_then_wait(unsigned me, uint64_t after_ticks)
{
    uint64_t at;
    while (!(at = READ_ONCE(off_at)))
        cpu_relax();
    uint64_t stagger = timer_us_to_ticks(10 + noise() % 41) * (me + 1);
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    write_sysreg(at + after_ticks + stagger, cntv_cval_el0);
    write_sysreg(CNT_CTL_ENABLE, cntv_ctl_el0);
    /* The physical timer counts physical time: the same instant, in its terms. */
    uint64_t phys_off = read_sysreg(cntpct_el0) - timer_now();
    write_sysreg(at + after_ticks + stagger + phys_off, cntp_cval_el0);
    write_sysreg(CNT_CTL_ENABLE, cntp_ctl_el0);
    isb();
    for (;;)
        __asm__ volatile("wfi" ::: "memory");
}

static uint64_t after_ticks;

void guest_secondary_main(unsigned idx)
{
    if (race == R_WATCHDOG || (race == R_BOTH && idx == 1))
        watchdog_loop();
    timers_then_wait(idx, after_ticks);
}

void guest_main(void *dtb)
{
    race = bootarg_is("race", "timers") ? R_TIMERS
           : bootarg_is("race", "both") ? R_BOTH
                                        : R_WATCHDOG;
    uint64_t delay_us = race == R_WATCHDOG ? noise() % 4001 : 1000 + noise() % 1000;
    uint64_t after = bootarg_u64("after_us", 900), spread = bootarg_u64("spread_us", 400);
    after_ticks = timer_us_to_ticks(after + noise() % (spread + 1));
    printf("LIFECYCLE race=%s delay_us=%lu\n",
           race == R_WATCHDOG ? "watchdog"
           : race == R_TIMERS ? "timers"
                              : "both",
           (unsigned long)delay_us);
    for (unsigned i = 1; i < plat.nr_cpus; i++)
        psci_cpu_on_index(i);
    uint64_t at = timer_deadline_us(delay_us);
    WRITE_ONCE(off_at, at);
    while (!timer_passed(at))
        cpu_relax();
    /* race=both alternates between the two ways to power off. */
    if (race == R_WATCHDOG || (race == R_BOTH && (noise() & 1))) {
        static uint32_t reason = SHUTDOWN_poweroff;
        xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&reason, 0, 0, 0);
    } else {
        /* vCPU 0's own timers too, armed just before it goes. */
        write_sysreg(at + after_ticks, cntv_cval_el0);
        write_sysreg(CNT_CTL_ENABLE, cntv_ctl_el0);
        isb();
        psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    }
    for (;;)
        __asm__ volatile("wfi" ::: "memory");
}
