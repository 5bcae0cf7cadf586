/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The timers' interrupts are level-sensitive (Arm ARM D11.2, "The Generic Timer in AArch64
 * state": the timer asserts its interrupt while ISTATUS = 1 and IMASK = 0; IHI 0069 4.1.1,
 * a level-sensitive interrupt is pending while its input is asserted).  So once a guest
 * disables or masks a timer whose interrupt it has not taken, the interrupt is no longer
 * pending: GICR_ISPENDR0 reads it clear, and unmasking PSTATE.I or enabling the interrupt in
 * the redistributor delivers nothing.  Setting the timer up again asserts the line again and
 * the interrupt comes.  For the virtual timer (PPI 27, forwarded from the hardware under a
 * hypervisor) and the EL1 physical timer (PPI 30, emulated), each stopped by clearing ENABLE
 * and by setting IMASK.
 */
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "timerlevel";

#define WAIT_US 2000000 /* a safety net only: every wait ends on an event */

struct tmr {
    const char *name;
    unsigned ppi;
    void (*set_cval)(uint64_t cval);
    void (*set_ctl)(uint32_t ctl);
    uint64_t (*now)(void);
};

static struct tmr timers[2];
static unsigned counts[32];

static void on_irq(unsigned intid)
{
    if (intid < 32)
        counts[intid]++;
    /* The line stays asserted until the timer is masked: do it before the end of interrupt. */
    if (intid == timers[0].ppi)
        timers[0].set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
    else if (intid == timers[1].ppi)
        timers[1].set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
}

static unsigned count(unsigned ppi)
{
    return READ_ONCE(counts[ppi]);
}

static bool pending(unsigned ppi)
{
    return mmio_read32(gic_rdist() + GICR_SGI_BASE + GICR_ISPENDR0) & (1u << ppi);
}

/* Something that exits to a hypervisor (a trapped register read), so that any interrupt it
 * holds for us is in the list registers by the time we look. */
static void exit_once(void)
{
    (void)gicd_read(GICD_TYPER);
    isb();
}

/* The timer's condition met and its interrupt asserted: compare value now, enabled. */
static void assert_line(const struct tmr *t)
{
    t->set_cval(t->now());
    t->set_ctl(CNTV_CTL_ENABLE);
}

/* Stop the timer asserting its interrupt: clear ENABLE, or set IMASK. */
static void drop_line(const struct tmr *t, bool mask)
{
    t->set_ctl(mask ? CNTV_CTL_ENABLE | CNTV_CTL_IMASK : 0);
}

static void reset(const struct tmr *t)
{
    irq_disable();
    t->set_ctl(0);
    gic_disable(t->ppi);
    mmio_write32(gic_rdist() + GICR_SGI_BASE + GICR_ICPENDR0, 1u << t->ppi);
}

static const char *how(bool mask)
{
    return mask ? "imask" : "disable";
}

/* PSTATE.I masked, the interrupt enabled: it is pending while the timer asserts it, no longer
 * once the timer stops, and unmasking PSTATE.I then takes nothing. */
static void masked_by_pstate(const struct tmr *t, bool mask)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_%s_unpends", t->name, how(mask));
    irq_disable();
    gic_enable(t->ppi);
    assert_line(t);
    bool seen = WAIT_FOR(pending(t->ppi), WAIT_US);
    drop_line(t, mask);
    bool still = pending(t->ppi);
    unsigned before = count(t->ppi);
    irq_enable();
    exit_once();
    irq_disable();
    bool taken = count(t->ppi) != before;
    check(seen && !still && !taken, name,
          "PPI %u pending while asserted: %s; after %s: ISPENDR0 %s, unmasking PSTATE.I %s", t->ppi,
          seen ? "yes" : "NO", how(mask), still ? "STILL PENDING" : "clear",
          taken ? "DELIVERED IT" : "delivered nothing");
    reset(t);
}

/* The interrupt disabled in the redistributor: pending while the timer asserts it; once the
 * timer stops, enabling the interrupt delivers nothing.  Starting the timer again delivers
 * it. */
static void disabled_in_gic(const struct tmr *t, bool mask)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_%s_enable_delivers_nothing", t->name, how(mask));
    gic_disable(t->ppi);
    irq_enable();
    assert_line(t);
    bool seen = WAIT_FOR(pending(t->ppi), WAIT_US);
    drop_line(t, mask);
    unsigned before = count(t->ppi);
    gic_enable(t->ppi);
    exit_once();
    bool taken = count(t->ppi) != before;
    bool still = pending(t->ppi);
    check(seen && !taken && !still, name,
          "PPI %u pending while disabled and asserted: %s; after %s, enabling it %s, ISPENDR0 %s",
          t->ppi, seen ? "yes" : "NO", how(mask), taken ? "DELIVERED IT" : "delivered nothing",
          still ? "STILL PENDING" : "clear");
    snprintf(name, sizeof(name), "%s_%s_asserts_again", t->name, how(mask));
    assert_line(t);
    bool got = WAIT_FOR(count(t->ppi) > before, WAIT_US);
    check(got, name, "PPI %u after the timer is set up again: %s", t->ppi,
          got ? "delivered" : "NOT DELIVERED");
    reset(t);
}

/* Control: an interrupt still asserted when it is enabled is delivered. */
static void asserted_when_enabled(const struct tmr *t)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_enable_while_asserted", t->name);
    gic_disable(t->ppi);
    irq_enable();
    assert_line(t);
    bool seen = WAIT_FOR(pending(t->ppi), WAIT_US);
    unsigned before = count(t->ppi);
    gic_enable(t->ppi);
    bool got = WAIT_FOR(count(t->ppi) > before, WAIT_US);
    check(seen && got, name, "PPI %u pending while disabled: %s; enabled: %s", t->ppi,
          seen ? "yes" : "NO", got ? "delivered" : "NOT DELIVERED");
    reset(t);
}

void guest_main(void *dtb)
{
    timers[0] =
        (struct tmr){ "vtimer", plat.timer_virt_ppi, vtimer_set_cval, vtimer_set_ctl, timer_now };
    timers[1] =
        (struct tmr){ "ptimer", plat.timer_phys_ppi, ptimer_set_cval, ptimer_set_ctl, ptimer_now };
    if (!gic_init() || !gic_cpu_init(false))
        test_fail_stop("gic", "no GIC in the DT");
    irq_set_handler(on_irq);
    for (unsigned i = 0; i < ARRAY_SIZE(timers); i++) {
        const struct tmr *t = &timers[i];
        reset(t);
        asserted_when_enabled(t);
        for (int mask = 0; mask < 2; mask++) {
            masked_by_pstate(t, mask);
            disabled_in_gic(t, mask);
        }
    }
}
