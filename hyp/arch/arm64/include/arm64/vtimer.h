/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual and emulated-physical EL1 timers of a vCPU (Arm ARM D11, "The Generic Timer in
 * AArch64 state"); implemented in hyp/arch/arm64/vtimer.c.
 *
 * - EL1 virtual timer (CNTV_*): the guest uses the hardware directly while it runs; its
 *   interrupt (PPI 27) reaches EL2 and is forwarded into the vCPU with the list register's HW
 *   bit.  While the vCPU is off its pCPU the registers are saved here and a core software timer
 *   stands in for the hardware.  The guest stops the timer without trapping, so the vGIC asks
 *   the loaded timer's condition again (vgic_set_sampler) before it shows or enables PPI 27.
 * - EL1 physical timer (CNTP_*): accesses trap (CNTHCTL_EL2.EL1PCEN = 0) and are emulated with
 *   a software timer driving PPI 30.  CNTPCT_EL0 reads do not trap (EL1PCTEN = 1).
 *
 * Run-loop protocol: vtimer_restore(v) when v is loaded on a pCPU, vtimer_save(v) when it is
 * put away; vtimer_sysreg for trapped MSR/MRS (ESR EC 0x18).
 *
 * Changes from the first placeholder contract: struct vtimer has a lock and knows whether the
 * hardware holds the virtual timer; the CNTP_* / CNTPCT encodings for vtimer_sysreg are here.
 */
#pragma once

#include <hyp/spinlock.h>
#include <hyp/timer.h>
#include <hyp/types.h>

struct domain;
struct vcpu;

#define VTIMER_VIRT_PPI 27
#define VTIMER_PHYS_PPI 30

/* CNT{P,V}_CTL_EL0 (Arm ARM D11.2.4). */
#define CNT_CTL_ENABLE BIT(0)
#define CNT_CTL_IMASK BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* vtimer_sysreg's sysreg_enc: SYSREG_ENC() of the ESR_EL2 ISS of a trapped MSR/MRS, i.e. the
 * register's identity Op0, Op2, Op1, CRn, CRm at their ISS positions (see <arm64/sysreg.h>). */
#define SYSREG_CNTPCT_EL0 SYSREG(3, 3, 14, 0, 1)
#define SYSREG_CNTP_TVAL_EL0 SYSREG(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL_EL0 SYSREG(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL_EL0 SYSREG(3, 3, 14, 2, 2)

struct vtimer {
    struct spinlock lock; /* the fields below, against the software timers' handlers */
    bool loaded;          /* the hardware holds the virtual timer (vtimer_restore..save) */
    uint64_t cntv_ctl;    /* saved while not loaded */
    uint64_t cntv_cval;
    uint64_t cntp_ctl; /* emulated EL1 physical timer: ENABLE | IMASK */
    uint64_t cntp_cval;
    struct timer virt_timer; /* fires when the saved virtual timer expires off-CPU */
    struct timer phys_timer; /* fires when the emulated physical timer expires */
};

/* Domain: choose CNTVOFF so the guest's virtual count starts near 0 (d->arch.cntvoff).  The
 * first call also takes the virtual timer's PPI and enables it on every online pCPU. */
void vtimer_domain_init(struct domain *d);
int vtimer_vcpu_init(struct vcpu *v);
/* Back to reset: both timers off, their lines low (PSCI CPU_ON; v offline). */
void vtimer_reset(struct vcpu *v);
/* Kills the software timers for good, waiting for a handler running on another pCPU (domain
 * kill; v not running).  Idempotent. */
void vtimer_vcpu_kill(struct vcpu *v);
/* v leaves this pCPU / is loaded on it.  Interrupts masked. */
void vtimer_save(struct vcpu *v);
void vtimer_restore(struct vcpu *v);
/* Trapped CNTP_{CTL,CVAL,TVAL}_EL0 access (and CNTPCT_EL0 reads, should they trap); returns
 * false if sysreg_enc is not one of those (the caller makes the access undefined). */
bool vtimer_sysreg(struct vcpu *v, unsigned sysreg_enc, bool write, uint64_t *val);
