/*
 * A vCPU's hardware breakpoints and watchpoints (vdebug.c): switched between vCPUs lazily.
 * A vCPU runs with debug register accesses trapped (MDCR_EL2.TDA) until it touches one; its
 * registers are then loaded and stay live, untrapped, until it is put.  A vCPU whose
 * MDSCR_EL1 enables debug exceptions gets its registers loaded at once.
 */
#pragma once

#include <hyp/types.h>

#define VDEBUG_MAX 16 /* breakpoints and watchpoints: at most 16 each (ID_AA64DFR0) */

struct vdebug {
    uint64_t bvr[VDEBUG_MAX], bcr[VDEBUG_MAX], wvr[VDEBUG_MAX], wcr[VDEBUG_MAX];
    bool live; /* in the hardware, for the vCPU now loaded */
};

struct vcpu;
/* Each pCPU, once: the MDCR_EL2 value guests run with (TDA added while not live). */
void vdebug_init_cpu(uint64_t mdcr);
/* arch_vcpu_load, after MDSCR_EL1 is restored / arch_vcpu_put, before it is saved. */
void vdebug_load(struct vcpu *v);
void vdebug_put(struct vcpu *v);
/* The vCPU is reset (PSCI CPU_ON, domain restart): no breakpoints or watchpoints. */
void vdebug_reset(struct vcpu *v);
/* A trapped system register access (SYSREG_ENC): if it is a debug register of a vCPU that is
 * not live, make it live and return true; the access is then retried, untrapped. */
bool vdebug_trap(struct vcpu *v, unsigned sysreg_enc);
