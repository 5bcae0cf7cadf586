/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A host device given to a domain (xl's iomem and irqs): QEMU virt's PL031 real-time clock,
 * registers at 0x09010000 (iomem "9010,1"), interrupt SPI 2 = INTID 34 (irqs [ 34 ]).  The
 * guest knows its device; its device tree does not describe it.
 *
 * passthru.role=owner (the default): the registers are the device's (its data register
 * counts, its identification reads as a PL031); its interrupt comes through the vGIC each time
 * it is raised, which needs the guest's deactivation to re-arm the host line; the SPI reads
 * pending while the guest has interrupts masked and active in its handler; masked in the
 * device, or disabled in the GIC, it does not come, and comes once unmasked or enabled.
 * With passthru.restart=1 (and on_reboot = "restart"), an owner whose checks passed leaves a
 * mark in the device (its match register) and reboots: the next incarnation finds the mark
 * and runs the checks again, so the line was given back at the kill and given again.
 * passthru.role=outsider: a domain not given the device gets a synchronous external abort
 * for a load from its page.
 *
 * QEMU's PL031 (hw/rtc/pl031.c) raises its interrupt (RTCRIS bit 0) at once only when the
 * match register is written with the current count exactly: an earlier value wraps to an
 * alarm 2^32 s away.  The line is RTCRIS & RTCIMSC, level, until RTCICR clears RTCRIS.
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "passthru";

#define RTC_BASE 0x09010000UL
#define RTC_IRQ 34
#define RTCDR 0x00       /* data: seconds */
#define RTCMR 0x04       /* match */
#define RTCCR 0x0c       /* control: 1, always enabled */
#define RTCIMSC 0x10     /* interrupt mask: 1 lets RTCRIS through */
#define RTCRIS 0x14      /* raw interrupt status */
#define RTCMIS 0x18      /* masked interrupt status */
#define RTCICR 0x1c      /* interrupt clear */
#define MARK 0x4b45454cu /* in RTCMR: "restarted"; as an alarm, decades away */
#define FIRES 5
#define QUIET_US 20000 /* how long "does not come" is watched: a fault can only be missed */

static unsigned taken;      /* RTC interrupts handled */
static unsigned other;      /* any other INTID */
static bool mis_in_handler; /* the device said it was asserting, each time */
static bool active_in_handler = true;

static uint32_t rtc(uint32_t off)
{
    return mmio_read32(RTC_BASE + off);
}

static void rtc_write(uint32_t off, uint32_t v)
{
    mmio_write32(RTC_BASE + off, v);
}

static bool spi_bit(uint32_t reg)
{
    return gicd_read(reg + RTC_IRQ / 32 * 4) & (1u << (RTC_IRQ % 32));
}

static void on_irq(unsigned intid)
{
    if (intid != RTC_IRQ) {
        other++;
        return;
    }
    mis_in_handler = rtc(RTCMIS) & 1;
    active_in_handler &= spi_bit(GICD_ISACTIVER);
    rtc_write(RTCICR, 1); /* the line drops before the end of interrupt */
    WRITE_ONCE(taken, taken + 1);
}

static unsigned count(void)
{
    return READ_ONCE(taken);
}

/* Raise the device's interrupt status now: the match register written with the current count.
 * A second may tick between the read and the write; then try again. */
static bool raise(void)
{
    for (unsigned i = 0; i < 4; i++) {
        rtc_write(RTCMR, rtc(RTCDR));
        if (rtc(RTCRIS) & 1)
            return true;
    }
    return false;
}

static void registers(void)
{
    uint32_t id[4];
    for (unsigned i = 0; i < 4; i++)
        id[i] = rtc(0xfe0 + 4 * i) & 0xff;
    uint32_t t0 = rtc(RTCDR);
    check(id[0] == 0x31 && id[1] == 0x10 && id[2] == 0x14 && id[3] == 0x00 && rtc(RTCCR) == 1,
          "rtc_registers_mapped", "PeriphID %02x %02x %02x %02x (PL031: 31 10 14 00), RTCCR %u",
          id[0], id[1], id[2], id[3], rtc(RTCCR));
    /* The count goes on: the device itself answers, not a copy. */
    bool ticked = WAIT_EVENT(rtc(RTCDR) != t0);
    check(t0 > 0 && ticked, "rtc_counts", "RTCDR %u, then %u", t0, rtc(RTCDR));
}

/* Each raise comes once through the vGIC: the guest's EOI has to deactivate the host line for
 * the next one to come. */
static void fires_again_and_again(void)
{
    unsigned got = 0;
    bool all_once = true;
    for (unsigned i = 0; i < FIRES; i++) {
        unsigned before = count();
        if (!raise())
            break;
        if (!WAIT_EVENT(count() > before))
            break;
        delay_us(1000);
        all_once &= count() == before + 1;
        got++;
    }
    check(got == FIRES && all_once && mis_in_handler && !other, "irq_fires_each_time",
          "%u of %u raises delivered, %s, RTCMIS in the handler %u, other INTIDs %u", got, FIRES,
          all_once ? "each once" : "SOME MORE THAN ONCE", mis_in_handler, other);
    check(active_in_handler, "irq_active_in_handler", "GICD_ISACTIVER in the handler: %s",
          active_in_handler ? "active" : "NOT ACTIVE");
    check(!spi_bit(GICD_ISPENDR) && !spi_bit(GICD_ISACTIVER), "irq_idle_after_eoi",
          "after the handlers: %s, %s", spi_bit(GICD_ISPENDR) ? "PENDING" : "not pending",
          spi_bit(GICD_ISACTIVER) ? "ACTIVE" : "inactive");
}

/* PSTATE.I masked: the interrupt reads pending, not active, until it is taken. */
static void pending_while_masked(void)
{
    irq_disable();
    unsigned before = count();
    bool raised = raise();
    bool pend = WAIT_EVENT(spi_bit(GICD_ISPENDR));
    bool act = spi_bit(GICD_ISACTIVER);
    irq_enable();
    bool got = WAIT_EVENT(count() > before);
    check(raised && pend && !act && got, "irq_pending_while_masked",
          "raised %d; with PSTATE.I masked ISPENDR %s, ISACTIVER %s; unmasked: %s", raised,
          pend ? "pending" : "NOT PENDING", act ? "ACTIVE" : "inactive",
          got ? "taken" : "NOT TAKEN");
}

/* Masked in the device (RTCIMSC 0): the raw status rises but the line does not, and nothing
 * comes; unmasking raises the line and it comes. */
static void masked_in_device(void)
{
    rtc_write(RTCIMSC, 0);
    unsigned before = count();
    bool raised = raise();
    bool quiet = !WAIT_FOR(count() != before, QUIET_US) && !spi_bit(GICD_ISPENDR);
    rtc_write(RTCIMSC, 1);
    bool got = WAIT_EVENT(count() > before);
    check(raised && quiet && got, "irq_masked_in_device",
          "RTCRIS raised %d; masked: %s; unmasked: %s", raised, quiet ? "nothing came" : "IT CAME",
          got ? "it came" : "NOTHING CAME");
}

/* Disabled in the distributor: nothing comes while the line is asserted; enabling it, the
 * interrupt comes. */
static void disabled_in_gic(void)
{
    gic_disable(RTC_IRQ);
    unsigned before = count();
    bool raised = raise();
    bool quiet = !WAIT_FOR(count() != before, QUIET_US);
    gic_enable(RTC_IRQ);
    bool got = WAIT_EVENT(count() > before);
    check(raised && quiet && got, "irq_disabled_in_gic", "raised %d; disabled: %s; enabled: %s",
          raised, quiet ? "nothing came" : "IT CAME", got ? "it came" : "NOTHING CAME");
}

static void owner(void)
{
    if (!gic_init() || !gic_cpu_init(false))
        test_fail_stop("gic", "no GIC in the DT");
    bool restart = bootarg_is("passthru.restart", "1");
    bool again = restart && rtc(RTCMR) == MARK;
    if (again)
        check(true, "device_given_again", "restarted: the mark is in RTCMR");
    registers();
    rtc_write(RTCIMSC, 0);
    rtc_write(RTCICR, 1);
    irq_set_handler(on_irq);
    gic_set_priority(RTC_IRQ, GIC_PRIO_DEFAULT);
    gic_route_spi(RTC_IRQ, this_mpidr());
    gic_enable(RTC_IRQ);
    rtc_write(RTCIMSC, 1);
    irq_enable();
    fires_again_and_again();
    pending_while_masked();
    masked_in_device();
    disabled_in_gic();
    /* Leave the device quiet for whoever has it next. */
    rtc_write(RTCIMSC, 0);
    rtc_write(RTCICR, 1);
    gic_disable(RTC_IRQ);
    note("%u RTC interrupts taken", count());
    if (restart && !again && !test_failed_count()) {
        rtc_write(RTCMR, MARK);
        note("rebooting, to be given the device again");
        psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
        test_fail_stop("reboot", "PSCI SYSTEM_RESET returned");
    }
}

/* Not given the device: its page is nothing, and a load from it aborts. */
static void outsider(void)
{
    struct exc_record r;
    exc_expect();
    uint32_t v = mmio_read32(RTC_BASE + RTCDR);
    bool took = exc_taken(&r);
    check(took && ESR_EC(r.esr) == EC_DABT_CUR && DFSC(r.esr) == DFSC_SYNC_EXT &&
              r.far == RTC_BASE + RTCDR,
          "rtc_not_given_aborts", "load from %#lx: %s ESR %#lx (EC %#lx DFSC %#lx), FAR %#lx%s",
          RTC_BASE + RTCDR, took ? "abort," : "NO EXCEPTION, read", r.esr, ESR_EC(r.esr),
          DFSC(r.esr), r.far, took ? "" : (v ? " non-zero" : " zero"));
}

void guest_main(void *dtb)
{
    if (bootarg_is("passthru.role", "outsider"))
        outsider();
    else
        owner();
}
