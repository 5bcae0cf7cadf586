/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64 vCPU state: boot-time reset, context switch of EL1 system registers, FP/SIMD, timers and
 * the virtual CPU interface, and the run loop that enters the guest and dispatches its exits.
 * A vCPU's state is touched only by the pCPU it is loaded on, or while it is not running.
 */
#include <arm64/regs.h>
#include <arm64/sysreg.h>
#include <arm64/traps.h>
#include <arm64/vgic.h>
#include <arm64/vtimer.h>
#include <hyp/arch/domain.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/sched.h>
#include <hyp/shared_info.h>
#include <hyp/string.h>
#include <hyp/timer.h>
#include <xen/domctl.h>

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);
int p2m_domain_init(struct domain *d);
void p2m_domain_destroy(struct domain *d);

/* Guest HCR_EL2: stage 2 on, physical interrupts and SErrors to EL2, broadcast TLB/barrier
 * upgrades for SMP guests (FB, BSU), trap WFI (block), SMC (PSCI) and ID register reads
 * (idregs.c), 64-bit EL1.  The IMPLEMENTATION DEFINED registers (TIDCP) and ACTLR_EL1 (TACR)
 * trap as well: they may control the physical core (Cortex-A57's CPUECTLR_EL1.SMPEN takes the
 * core out of coherency), so one guest could break the machine for all.  Xen traps both. */
#define GUEST_HCR                                                                                  \
    (HCR_VM | HCR_SWIO | HCR_PTW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI |   \
     HCR_TID3 | HCR_TIDCP | HCR_TACR | HCR_TSC | HCR_RW)
#define GUEST_SCTLR_RESET 0x30D00800UL /* RES1 bits, MMU and caches off */

/* SPIs d's interrupt controller has: a direct-mapped domain (dom0) gets the host's devices
 * and so every host line; others one block of 32 (INTID 32-63) for the emulated devices, or
 * up to the highest host SPI their configuration gives them or the count it asks for. */
static unsigned spis_for(const struct domain *d)
{
    if (d->cfg.direct_map)
        return irqchip_nr_lines() - 32;
    unsigned top = MAX(64u, 32 + MIN(d->cfg.nr_spis, 988u));
    for (unsigned i = 0; i < d->cfg.nr_irqs && i < DOMAIN_MAX_IRQS; i++)
        top = MAX(top, d->cfg.irqs[i] + 1u);
    return top - 32;
}

int arch_domain_init(struct domain *d)
{
    int rc = p2m_domain_init(d);
    if (rc)
        return rc;
    vtimer_domain_init(d);
    return vgic_domain_init(d, spis_for(d));
}

int arch_domain_assign_irq(struct domain *d, unsigned intid, bool edge)
{
    return vgic_passthru_assign(d, intid, edge);
}

void arch_domain_relinquish(struct domain *d)
{
    vgic_passthru_release(d);
    p2m_domain_destroy(d);
}

void arch_domain_destroy(struct domain *d)
{
    vgic_passthru_release(d);
    vgic_domain_destroy(d);
    p2m_domain_destroy(d);
}

void arch_evtchn_upcall(struct vcpu *v)
{
    vgic_inject(v->dom, v, GUEST_EVTCHN_PPI);
}

void arch_guest_set_irq_level(struct domain *d, unsigned irq, bool level)
{
    vgic_set_level(d, NULL, irq, level);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
    /* 16 vCPUs per cluster (Aff0), clusters in Aff1, as Xen does (xen-abi-facts A.4). */
    return ((uint64_t)(v->id >> 4) << 8) | (v->id & 0xf);
}

int arch_vcpu_init(struct vcpu *v)
{
    v->arch.vmpidr = (1UL << 31) | arch_vcpu_hwid(v);
    v->arch.hcr = GUEST_HCR;
    int rc = vgic_vcpu_init(v);
    if (!rc)
        rc = vtimer_vcpu_init(v);
    return rc;
}

void arch_vcpu_kill(struct vcpu *v)
{
    vtimer_vcpu_kill(v);
}

void arch_vcpu_destroy(struct vcpu *v)
{
    vtimer_vcpu_kill(v);
    vgic_vcpu_destroy(v);
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg)
{
    memset(&v->arch.regs, 0, sizeof(v->arch.regs));
    memset(&v->arch.sys, 0, sizeof(v->arch.sys));
    memset(&v->arch.fp, 0, sizeof(v->arch.fp));
    v->arch.regs.x[0] = arg;
    v->arch.regs.pc = entry;
    v->arch.regs.pstate = PSR_MODE_EL1H | PSR_DAIF;
    v->arch.sys.sctlr = GUEST_SCTLR_RESET;
    vdebug_reset(v);
    vtimer_reset(v);
}

void arch_vcpu_get_context(struct vcpu *v, struct vcpu_guest_context *c)
{
    struct vcpu_guest_core_regs *r = &c->user_regs;
    memcpy(r->x, v->arch.regs.x, sizeof(r->x));
    r->pc64 = v->arch.regs.pc;
    r->cpsr = v->arch.regs.pstate;
    r->spsr_el1 = v->arch.sys.spsr_el1;
    r->sp_el0 = v->arch.sys.sp_el0;
    r->sp_el1 = v->arch.sys.sp_el1;
    r->elr_el1 = v->arch.sys.elr_el1;
    c->sctlr = v->arch.sys.sctlr;
    c->ttbcr = v->arch.sys.tcr;
    c->ttbr0 = v->arch.sys.ttbr0;
    c->ttbr1 = v->arch.sys.ttbr1;
}

/* Xen's rule for a 64-bit guest: AArch64 state, at EL0t, EL1t or EL1h. */
static bool guest_psr_ok(uint64_t psr)
{
    unsigned mode = psr & 0x1f;
    return mode == 0x0 || mode == 0x4 || mode == 0x5;
}

int arch_vcpu_check_context(const struct vcpu_guest_context *c)
{
    const struct vcpu_guest_core_regs *r = &c->user_regs;
    if (!guest_psr_ok(r->cpsr) || (r->spsr_el1 && !guest_psr_ok(r->spsr_el1)))
        return -EINVAL;
    return 0;
}

void arch_vcpu_set_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct vcpu_guest_core_regs *r = &c->user_regs;
    arch_vcpu_reset(v, r->pc64, r->x[0]);
    memcpy(v->arch.regs.x, r->x, sizeof(r->x));
    v->arch.regs.pstate = r->cpsr;
    v->arch.sys.spsr_el1 = r->spsr_el1;
    v->arch.sys.sp_el0 = r->sp_el0;
    v->arch.sys.sp_el1 = r->sp_el1;
    v->arch.sys.elr_el1 = r->elr_el1;
    v->arch.sys.sctlr = c->sctlr;
    v->arch.sys.tcr = c->ttbcr;
    v->arch.sys.ttbr0 = c->ttbr0;
    v->arch.sys.ttbr1 = c->ttbr1;
}

#define SAVE(field, reg) s->field = read_sysreg(reg)
#define LOAD(field, reg) write_sysreg(s->field, reg)
#define EL1_SYSREGS(X)                                                                             \
    X(sctlr, sctlr_el1);                                                                           \
    X(cpacr, cpacr_el1);                                                                           \
    X(ttbr0, ttbr0_el1);                                                                           \
    X(ttbr1, ttbr1_el1);                                                                           \
    X(esr, esr_el1);                                                                               \
    X(afsr0, afsr0_el1);                                                                           \
    X(afsr1, afsr1_el1);                                                                           \
    X(far, far_el1);                                                                               \
    X(mair, mair_el1);                                                                             \
    X(amair, amair_el1);                                                                           \
    X(vbar, vbar_el1);                                                                             \
    X(contextidr, contextidr_el1);                                                                 \
    X(tpidr_el0, tpidr_el0);                                                                       \
    X(tpidrro_el0, tpidrro_el0);                                                                   \
    X(tpidr_el1, tpidr_el1);                                                                       \
    X(sp_el0, sp_el0);                                                                             \
    X(sp_el1, sp_el1);                                                                             \
    X(elr_el1, elr_el1);                                                                           \
    X(spsr_el1, spsr_el1);                                                                         \
    X(par, par_el1);                                                                               \
    X(csselr, csselr_el1);                                                                         \
    X(cntkctl, cntkctl_el1);                                                                       \
    X(mdscr, mdscr_el1)

static void sysregs_save(struct el1_sysregs *s)
{
    EL1_SYSREGS(SAVE);
    s->tcr = read_sysreg(tcr_el1);
}

/* TCR_EL1 is written only when it differs: an emulator may take any write as a possible ASID
 * change (TCR_EL1.A1) and drop its whole TLB (QEMU 7.2 does), and a vCPU that blocks and wakes
 * on the same pCPU finds its own value still there (issue 13). */
static void sysregs_load(const struct el1_sysregs *s)
{
    EL1_SYSREGS(LOAD);
    if (read_sysreg(tcr_el1) != s->tcr)
        write_sysreg(s->tcr, tcr_el1);
}

void arch_vcpu_load(struct vcpu *v)
{
    struct domain *d = v->dom;
    write_sysreg(d->arch.vttbr, vttbr_el2);
    write_sysreg(v->arch.hcr, hcr_el2);
    write_sysreg(v->arch.vmpidr, vmpidr_el2);
    write_sysreg(read_sysreg(midr_el1), vpidr_el2);
    write_sysreg(d->arch.cntvoff, cntvoff_el2);
    sysregs_load(&v->arch.sys);
    fpsimd_restore(&v->arch.fp);
    vdebug_load(v);
    isb();
    vtimer_restore(v);
    vgic_restore(v);
}

void arch_vcpu_put(struct vcpu *v)
{
    vgic_save(v);
    vtimer_save(v);
    vdebug_put(v);
    sysregs_save(&v->arch.sys);
    fpsimd_save(&v->arch.fp);
    /* HCR_EL2 keeps the vCPU's value (stage 2 on, interrupts to EL2): it governs EL1 and EL0
     * only, and nothing runs there until the next load writes its own.  Turning stage 2 off
     * and on again at each block and wake-up made emulators drop their whole TLB twice. */
}

bool arch_vcpu_has_pending_irq(struct vcpu *v)
{
    return vgic_pending(v);
}

/* Counter for the exit statistics: no ISB, one instruction on the hot path; a reading a few
 * instructions early or late does not matter for the totals. */
static inline uint64_t stat_clock(void)
{
    uint64_t t;
    __asm__ volatile("mrs %0, cntpct_el0" : "=r"(t));
    return t;
}

void arch_vcpu_run(struct vcpu *v)
{
    struct exit_stats *st = &v->arch.stats;
    enum exit_kind last = XK_KINDS; /* no exit yet in this run */
    uint64_t t_exit = 0;
    st->runs++;
    while (!sched_must_leave(v)) {
        vgic_flush(v);
        /* An exit costs the guest everything from the exit to the next entry, the vGIC flush
         * included. */
        uint64_t t_enter = stat_clock();
        if (last != XK_KINDS)
            st->ticks[last] += t_enter - t_exit;
        int code = guest_enter(&v->arch.regs);
        t_exit = stat_clock();
        st->guest_ticks += t_exit - t_enter;
        vgic_sync(v);
        enum exit_kind kind;
        switch (code) {
        case EXIT_SYNC:
            kind = guest_trap_sync(v);
            break;
        case EXIT_IRQ:
        case EXIT_FIQ:
            kind = XK_IRQ;
            irq_dispatch();
            break;
        default:
            kind = XK_SERROR;
            guest_trap_serror(v);
            break;
        }
        st->count[kind]++;
        last = kind;
    }
    /* The last exit of the run ends in the scheduler; its share is counted up to here. */
    if (last != XK_KINDS)
        st->ticks[last] += stat_clock() - t_exit;
}

void arch_domain_report(struct domain *d)
{
    static const char *const names[XK_KINDS] = { "wfx",   "hvc",   "smc", "sysreg", "mmio",
                                                 "abort", "other", "irq", "serror" };
    struct exit_stats sum = { 0 };
    uint64_t total = 0, ticks = 0;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        const struct exit_stats *st = &d->vcpus[i]->arch.stats;
        for (unsigned k = 0; k < XK_KINDS; k++) {
            sum.count[k] += st->count[k];
            sum.ticks[k] += st->ticks[k];
        }
        sum.runs += st->runs;
        sum.guest_ticks += st->guest_ticks;
    }
    char buf[256];
    size_t n = 0;
    for (unsigned k = 0; k < XK_KINDS; k++) {
        total += sum.count[k];
        ticks += sum.ticks[k];
        if (sum.count[k] && n < sizeof(buf))
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s %lu/%luus", names[k], sum.count[k],
                                  time_ticks_to_ns(sum.ticks[k]) / 1000);
    }
    buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = 0;
    pr_info("domain %s: %lu exits, %lu us in Keel:%s\n", d->name, total,
            time_ticks_to_ns(ticks) / 1000, buf);
    pr_info("domain %s: %lu us in the guest, %lu runs from the scheduler\n", d->name,
            time_ticks_to_ns(sum.guest_ticks) / 1000, sum.runs);
}
