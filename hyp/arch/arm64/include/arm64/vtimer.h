/*
 * Virtual and emulated-physical EL1 timers of a vCPU (Arm ARM D11).  PLACEHOLDER contract: the
 * real implementation replaces hyp/arch/arm64/vtimer_stub.c.
 */
#pragma once

#include <hyp/timer.h>
#include <hyp/types.h>

struct domain;
struct vcpu;

#define VTIMER_VIRT_PPI 27
#define VTIMER_PHYS_PPI 30

struct vtimer {
    uint64_t cntv_ctl;
    uint64_t cntv_cval;
    uint64_t cntp_ctl;  /* emulated EL1 physical timer */
    uint64_t cntp_cval;
    struct timer virt_timer; /* fires when the saved virtual timer expires off-CPU */
    struct timer phys_timer;
};

/* Domain: choose CNTVOFF so the guest's virtual count starts near 0. */
void vtimer_domain_init(struct domain *d);
int vtimer_vcpu_init(struct vcpu *v);
void vtimer_vcpu_destroy(struct vcpu *v);
void vtimer_save(struct vcpu *v);
void vtimer_restore(struct vcpu *v);
/* Trapped CNTP_{CTL,CVAL,TVAL}_EL0 access; returns false if sysreg is not a timer register. */
bool vtimer_sysreg(struct vcpu *v, unsigned sysreg_enc, bool write, uint64_t *val);
