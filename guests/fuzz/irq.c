/*
 * Interrupts of the fuzzer: the handler (counts, then quiets whatever fired so no storm
 * follows), WFI/WFE storms and PSCI CPU_SUSPEND with a wake-up always on its way, and SGI
 * floods through ICC_SGI1R/ASGI1R/SGI0R at every kind of target.  Nothing here waits without a
 * timer armed: a vCPU that blocks for good is a hypervisor bug the boot vCPU reports as stalled.
 */
#include "arm.h"
#include "fuzz.h"
#include "gic.h"
#include "platform.h"
#include "smccc.h"
#include "timer.h"

#define UART_IMSC 0x038
#define UART_ICR 0x044
#define ICC_ASGI1R_EL1 S3_0_C12_C11_6
#define ICC_SGI0R_EL1 S3_0_C12_C11_7

void fz_irq_init_cpu(struct fz_cpu *c)
{
    gic_set_priority(FZ_SGI_WAKE, GIC_PRIO_DEFAULT);
    gic_enable(FZ_SGI_WAKE);
    gic_set_priority(plat.timer_virt_ppi, GIC_PRIO_DEFAULT);
    gic_enable(plat.timer_virt_ppi);
}

void fz_on_irq(unsigned intid)
{
    struct fz_cpu *c = &fz_cpus[this_cpu() % FZ_MAX_CPUS];
    c->irqs++;
    if (intid < 16) {
        c->irq_sgi++;
    } else if (intid == plat.timer_virt_ppi) {
        c->irq_timer++;
        write_sysreg(read_sysreg(cntv_ctl_el0) | CNTV_CTL_IMASK, cntv_ctl_el0);
    } else if (intid == plat.timer_phys_ppi) {
        c->irq_timer++;
        write_sysreg(read_sysreg(cntp_ctl_el0) | CNTV_CTL_IMASK, cntp_ctl_el0);
    } else {
        /* Anything else the fuzz switched on (an SPI made pending, the UART's always-raised
         * transmit interrupt, a PPI): off again. */
        c->irq_other++;
        if (intid == plat.uart_irq) {
            mmio_write32(plat.uart + UART_IMSC, 0);
            mmio_write32(plat.uart + UART_ICR, 0x7ff);
        }
        if (intid != FZ_SGI_WAKE)
            gic_disable(intid);
    }
    isb();
}

/* The virtual timer due in us microseconds (0: already), unmasked. */
static void timer_in(uint64_t us)
{
    vtimer_set_cval(us ? timer_deadline_us(us) : 0);
    vtimer_set_ctl(CNTV_CTL_ENABLE);
}

void fz_wake_arm(struct fz_cpu *c)
{
    fz_baseline(c, true);
    irq_disable();
    timer_in(1 + rnd_below(c, 200));
}

/* Before a vCPU stops (WFI, CPU_SUSPEND, CPU_OFF, the end), it undoes what the fuzz did to
 * every vCPU's interrupt state (fz_baseline(all)): a distributor it switched off, or another
 * vCPU's timer interrupt it disabled, would otherwise leave that vCPU asleep for good while
 * no vCPU runs to repair it.
 * Waits below run with interrupts masked: an interrupt taken between arming the timer and
 * the WFI would quiet the timer (fz_on_irq) and leave nothing to wake us.  WFI and CPU_SUSPEND
 * wake for a pending interrupt whatever PSTATE.I says; it is taken once unmasked. */
void fz_op_wfx(struct fz_cpu *c)
{
    unsigned n = 1 + (unsigned)rnd_below(c, 8);
    unsigned how = (unsigned)rnd_below(c, 4);
    fz_baseline(c, true);
    irq_disable();
    switch (how) {
    case 0: /* WFI with one interrupt pending: each returns at once */
        timer_in(0);
        for (unsigned i = 0; i < n; i++) {
            exc_expect();
            wfi();
            fz_done(c, K_WFX);
        }
        break;
    case 1: /* WFI until the timer, soon */
        timer_in(1 + rnd_below(c, 200));
        exc_expect();
        wfi();
        fz_done(c, K_WFX);
        break;
    case 2: /* WFE, with and without an event */
        for (unsigned i = 0; i < n; i++) {
            if (rnd_below(c, 2))
                sev();
            exc_expect();
            wfe();
            fz_done(c, K_WFX);
        }
        break;
    default: { /* CPU_SUSPEND, any state (only vCPU 0 never asks to lose its context), until
                * the timer */
        uint64_t state = rnd_below(c, 2) ? rnd(c) & 0x1ffff : 1UL << 16;
        if (c->idx == 0)
            state &= ~(1UL << 16);
        timer_in(1 + rnd_below(c, 200));
        exc_expect();
        psci_call(rnd_below(c, 2) ? PSCI_CPU_SUSPEND : PSCI_64(PSCI_CPU_SUSPEND), state,
                  (uintptr_t)guest_secondary_entry, c->idx);
        fz_done(c, K_WFX);
        break;
    }
    }
    irq_enable();
}

/* A target list, affinity and INTID for an SGI register: own vCPUs, all-but-self (IRM),
 * range selectors and affinities nobody has. */
static uint64_t sgi_value(struct fz_cpu *c)
{
    uint64_t intid = rnd_below(c, 16) << 24;
    switch (rnd_below(c, 4)) {
    case 0:
        return intid | 1UL << 40; /* IRM: every vCPU but this one */
    case 1: {
        uint64_t m = plat.mpidr[rnd_below(c, fz.nr_cpus)];
        return intid | 1UL << (m & 0xf) | ((m >> 8) & 0xff) << 16 | (rnd_below(c, 2) << 44);
    }
    case 2:
        return intid | (rnd(c) & 0xffff);
    default:
        return rnd(c);
    }
}

void fz_op_sgi(struct fz_cpu *c)
{
    unsigned n = 1 + (unsigned)rnd_below(c, 8);
    unsigned reg = (unsigned)rnd_below(c, 8);
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = sgi_value(c);
        dsb(ishst);
        exc_expect();
        if (reg < 6)
            write_sysreg_s(v, ICC_SGI1R_EL1);
        else if (reg == 6)
            write_sysreg(v, ICC_ASGI1R_EL1);
        else
            write_sysreg(v, ICC_SGI0R_EL1);
        isb();
        fz_done(c, K_SGI);
    }
}
