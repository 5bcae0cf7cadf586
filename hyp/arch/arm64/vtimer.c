/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual timers of a vCPU (Arm ARM D11).  Owns CNTV_* while the vCPU is loaded, the saved
 * copies and both software timers while it is not, and the emulated EL1 physical timer.
 * Locking: vt->lock guards struct vtimer against the software timers' handlers, which run on
 * whichever pCPU armed them; it nests outside the vGIC lock.  Interrupts reach the guest only
 * through the vGIC.
 */
#include <arm64/sysreg.h>
#include <arm64/vgic.h>
#include <arm64/vtimer.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>

#define CNTHCTL_EL1PCTEN BIT(0) /* E2H == 0 layout */
#define CNTHCTL_EL1PCEN BIT(1)

static struct spinlock init_lock = SPINLOCK_INIT;
static bool virt_irq_ready;

/* The core-timer deadline (ns) at which the counter has reached ticks: the smallest ns with
 * time_now_ns() >= ns only once arch_counter() >= ticks; ~0 if too far to represent (over
 * 2^33 s away, centuries at any counter frequency: never, in practice). */
static uint64_t deadline_of(uint64_t ticks)
{
    if (ticks / arch_counter_freq() >= (1UL << 33))
        return ~0UL;
    uint64_t ns = time_ticks_to_ns(ticks);
    return time_ns_to_ticks_ceil(ns) < ticks ? ns + 1 : ns;
}

/* The physical count at which the virtual count (physical - cntvoff) reaches cval, or ~0 if it
 * never does. */
static uint64_t virt_to_phys(uint64_t cval, uint64_t cntvoff)
{
    return cval > ~0UL - cntvoff ? ~0UL : cval + cntvoff;
}

/* Arm a software timer for physical count ticks on this pCPU (or leave it idle for never). */
static void arm_at(struct timer *t, uint64_t ticks)
{
    uint64_t ns = deadline_of(ticks);
    if (ns == ~0UL)
        timer_cancel(t);
    else
        timer_set(t, ns, cpu_id());
}

/* --- EL1 virtual timer --- */

/* vt->lock held, vCPU not loaded: drive PPI 27 from the saved registers. */
static void virt_offcpu_update(struct vcpu *v, uint64_t now)
{
    struct vtimer *vt = &v->arch.vtimer;
    if ((vt->cntv_ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
        return;
    uint64_t at = virt_to_phys(vt->cntv_cval, v->dom->arch.cntvoff);
    if (now >= at)
        vgic_set_level(v->dom, v, VTIMER_VIRT_PPI, true);
    else
        arm_at(&vt->virt_timer, at);
}

static void virt_timer_fn(struct timer *t, void *ctx)
{
    struct vcpu *v = ctx;
    struct vtimer *vt = &v->arch.vtimer;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    if (!vt->loaded) /* else the hardware has taken over meanwhile */
        virt_offcpu_update(v, arch_counter());
    spin_unlock_irqrestore(&vt->lock, flags);
}

/*
 * PPI 27 at EL2: the running vCPU's virtual timer fired.  Forwarded with the HW bit, the
 * guest's EOI deactivates it and it cannot fire again before.  If the vGIC cannot link it,
 * mask the timer output instead (the guest sees IMASK set, as a handler sets it itself, and
 * clears it when it programs the next expiry) and inject a pulse.
 */
static enum irq_end virt_timer_irq(unsigned irq, void *ctx)
{
    struct vcpu *v = current_vcpu();
    if (!v) {
        /* No vCPU owns this pCPU's virtual timer: a leftover from firmware or a race with
         * vtimer_save.  Turn it off so the line drops. */
        write_sysreg(0, cntv_ctl_el0);
        isb();
        return IRQ_EOI;
    }
    if (likely(vgic_inject_hw(v, VTIMER_VIRT_PPI, irq)))
        return IRQ_FORWARDED;
    write_sysreg(read_sysreg(cntv_ctl_el0) | CNT_CTL_IMASK, cntv_ctl_el0);
    isb();
    vgic_inject(v->dom, v, VTIMER_VIRT_PPI);
    return IRQ_EOI;
}

/*
 * The level of PPI 27 for the vGIC (vgic_sample_fn): v is current here.  The vGIC hears of the
 * line rising through the forwarded physical interrupt, but a guest stops its timer without
 * trapping, and its interrupt must then stop being pending (the timer condition, Arm ARM
 * D11.2.4: ENABLE, ISTATUS and not IMASK).  While v is not loaded, virt_offcpu_update drives
 * the level and the guest cannot change the timer.  PPI 30 needs no sampler: every change to
 * the emulated physical timer traps, and phys_update drives its level at once.
 */
static bool virt_line(struct vcpu *v, unsigned intid)
{
    if (!v->arch.vtimer.loaded)
        return true; /* cannot tell: keep what the vGIC has */
    uint64_t ctl = read_sysreg(cntv_ctl_el0);
    return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) ==
           (CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
}

/* Once: the virtual timer's PPI is Keel's on every pCPU. */
static void virt_irq_init(void)
{
    unsigned long flags = spin_lock_irqsave(&init_lock);
    if (!virt_irq_ready) {
        vgic_set_sampler(VTIMER_VIRT_PPI, virt_line);
        int rc = irq_register(VTIMER_VIRT_PPI, virt_timer_irq, NULL);
        if (rc)
            pr_err("vtimer: cannot take PPI %u (%d); guests' virtual timers will not "
                   "interrupt\n",
                   VTIMER_VIRT_PPI, rc);
        for (unsigned cpu = 0; !rc && cpu < MAX_CPUS; cpu++)
            if (cpu_online(cpu))
                irqchip_enable(VTIMER_VIRT_PPI, cpu);
        virt_irq_ready = true;
    }
    spin_unlock_irqrestore(&init_lock, flags);
}

/* --- EL1 physical timer, emulated --- */

static bool phys_met(const struct vtimer *vt, uint64_t now)
{
    return (vt->cntp_ctl & CNT_CTL_ENABLE) && now >= vt->cntp_cval;
}

/* vt->lock held: drive PPI 30 and the software timer from the emulated registers. */
static void phys_update(struct vcpu *v, uint64_t now)
{
    struct vtimer *vt = &v->arch.vtimer;
    bool met = phys_met(vt, now), masked = vt->cntp_ctl & CNT_CTL_IMASK;
    vgic_set_level(v->dom, v, VTIMER_PHYS_PPI, met && !masked);
    if ((vt->cntp_ctl & CNT_CTL_ENABLE) && !masked && !met)
        arm_at(&vt->phys_timer, vt->cntp_cval);
    else
        timer_cancel(&vt->phys_timer);
}

static void phys_timer_fn(struct timer *t, void *ctx)
{
    struct vcpu *v = ctx;
    unsigned long flags = spin_lock_irqsave(&v->arch.vtimer.lock);
    phys_update(v, arch_counter());
    spin_unlock_irqrestore(&v->arch.vtimer.lock, flags);
}

/* CNTP_TVAL_EL0 (Arm ARM D11.2.4): reads give the low 32 bits of CVAL - count; a write sets
 * CVAL to count plus the sign-extended 32-bit value. */
static uint64_t tval_read(uint64_t cval, uint64_t now)
{
    return (uint32_t)(cval - now);
}

static uint64_t tval_write(uint64_t val, uint64_t now)
{
    return now + (uint64_t)(int64_t)(int32_t)(uint32_t)val;
}

bool vtimer_sysreg(struct vcpu *v, unsigned sysreg_enc, bool write, uint64_t *val)
{
    struct vtimer *vt = &v->arch.vtimer;
    switch (sysreg_enc) {
    case SYSREG_CNTPCT_EL0:
        if (write)
            return false;
        *val = arch_counter();
        return true;
    case SYSREG_CNTP_CTL_EL0:
    case SYSREG_CNTP_CVAL_EL0:
    case SYSREG_CNTP_TVAL_EL0:
        break;
    default:
        return false;
    }
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    uint64_t now = arch_counter();
    if (!write) {
        if (sysreg_enc == SYSREG_CNTP_CTL_EL0)
            *val = vt->cntp_ctl | (phys_met(vt, now) ? CNT_CTL_ISTATUS : 0);
        else if (sysreg_enc == SYSREG_CNTP_CVAL_EL0)
            *val = vt->cntp_cval;
        else
            *val = tval_read(vt->cntp_cval, now);
    } else {
        if (sysreg_enc == SYSREG_CNTP_CTL_EL0)
            vt->cntp_ctl = *val & (CNT_CTL_ENABLE | CNT_CTL_IMASK); /* ISTATUS is read-only */
        else if (sysreg_enc == SYSREG_CNTP_CVAL_EL0)
            vt->cntp_cval = *val;
        else
            vt->cntp_cval = tval_write(*val, now);
        phys_update(v, now);
    }
    spin_unlock_irqrestore(&vt->lock, flags);
    return true;
}

/* --- lifecycle and context switch --- */

void vtimer_domain_init(struct domain *d)
{
    virt_irq_init();
    d->arch.cntvoff = arch_counter();
}

int vtimer_vcpu_init(struct vcpu *v)
{
    struct vtimer *vt = &v->arch.vtimer;
    vt->lock = SPINLOCK_INIT;
    vt->loaded = false;
    vt->cntv_ctl = vt->cntv_cval = vt->cntp_ctl = vt->cntp_cval = 0;
    timer_init(&vt->virt_timer, virt_timer_fn, v);
    timer_init(&vt->phys_timer, phys_timer_fn, v);
    return 0;
}

void vtimer_reset(struct vcpu *v)
{
    /* Arm ARM D11.2: the timers' ENABLE bits reset to 0 (and a CPU_ON is a reset for the
     * vCPU).  v is offline, so not loaded: only the saved copies and the lines change. */
    struct vtimer *vt = &v->arch.vtimer;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    vt->cntv_ctl = vt->cntp_ctl = 0;
    vt->cntv_cval = vt->cntp_cval = 0;
    timer_cancel(&vt->virt_timer);
    timer_cancel(&vt->phys_timer);
    vgic_set_level(v->dom, v, VTIMER_VIRT_PPI, false);
    vgic_set_level(v->dom, v, VTIMER_PHYS_PPI, false);
    spin_unlock_irqrestore(&vt->lock, flags);
}

void vtimer_vcpu_kill(struct vcpu *v)
{
    /* Not under vt->lock: the handlers take it, and a running one must be let finish. */
    timer_kill(&v->arch.vtimer.virt_timer);
    timer_kill(&v->arch.vtimer.phys_timer);
}

void vtimer_save(struct vcpu *v)
{
    struct vtimer *vt = &v->arch.vtimer;
    uint64_t ctl = read_sysreg(cntv_ctl_el0), cval = read_sysreg(cntv_cval_el0);
    /* Off in the hardware, so the next vCPU here does not get this one's interrupt. */
    write_sysreg(0, cntv_ctl_el0);
    isb();
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    vt->cntv_ctl = ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
    vt->cntv_cval = cval;
    vt->loaded = false;
    virt_offcpu_update(v, arch_counter());
    spin_unlock_irqrestore(&vt->lock, flags);
}

void vtimer_restore(struct vcpu *v)
{
    struct vtimer *vt = &v->arch.vtimer;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    vt->loaded = true;
    timer_cancel(&vt->virt_timer);
    /* The hardware takes over: if the timer has fired, PPI 27 is raised again at EL2 as soon
     * as the guest runs and comes back forwarded. */
    vgic_set_level(v->dom, v, VTIMER_VIRT_PPI, false);
    uint64_t ctl = vt->cntv_ctl, cval = vt->cntv_cval;
    spin_unlock_irqrestore(&vt->lock, flags);

    write_sysreg(v->dom->arch.cntvoff, cntvoff_el2);
    write_sysreg(cval, cntv_cval_el0); /* compare value first, so enabling cannot fire early */
    write_sysreg(ctl, cntv_ctl_el0);
    /* Guest CNTP_* accesses trap to vtimer_sysreg; its counter reads do not. */
    uint64_t cnthctl = read_sysreg(cnthctl_el2);
    write_sysreg((cnthctl | CNTHCTL_EL1PCTEN) & ~CNTHCTL_EL1PCEN, cnthctl_el2);
    isb();
}
