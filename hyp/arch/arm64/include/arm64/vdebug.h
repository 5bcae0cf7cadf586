/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A vCPU's hardware breakpoints and watchpoints (vdebug.c): switched between vCPUs lazily.
 * A vCPU runs with debug register accesses trapped (MDCR_EL2.TDA) until it touches one; its
 * registers are then loaded and stay live, untrapped, until it is put.  A vCPU whose
 * MDSCR_EL1 enables debug exceptions gets its registers loaded at once.  Its OS lock, OS
 * double lock and DBGPRCR_EL1 always trap (MDCR_EL2.TDOSA) and are emulated.
 */
#pragma once

#include <hyp/types.h>

#define VDEBUG_MAX 16 /* breakpoints and watchpoints: at most 16 each (ID_AA64DFR0) */

struct vdebug {
    uint64_t bvr[VDEBUG_MAX], bcr[VDEBUG_MAX], wvr[VDEBUG_MAX], wcr[VDEBUG_MAX];
    bool live;         /* in the hardware, for the vCPU now loaded */
    bool os_lock;      /* OSLSR_EL1.OSLK */
    bool double_lock;  /* OSDLR_EL1.DLK */
    bool no_powerdown; /* DBGPRCR_EL1.CORENPDRQ */
};

struct vcpu;
/* Each pCPU, once: the MDCR_EL2 value guests run with (TDOSA added, and TDA while not live).
 * Leaves this pCPU's OS lock and double lock clear. */
void vdebug_init_cpu(uint64_t mdcr);
/* arch_vcpu_load, after MDSCR_EL1 is restored / arch_vcpu_put, before it is saved. */
void vdebug_load(struct vcpu *v);
void vdebug_put(struct vcpu *v);
/* The vCPU is reset (PSCI CPU_ON, domain restart): no breakpoints or watchpoints, OS lock and
 * double lock clear.  Not while v is loaded. */
void vdebug_reset(struct vcpu *v);
/* A trapped system register access (SYSREG_ENC): if it is a debug register of a vCPU that is
 * not live, make it live and return true; the access is then retried, untrapped. */
bool vdebug_trap(struct vcpu *v, unsigned sysreg_enc);
/* A trapped access to OSLAR_EL1, OSLSR_EL1, OSDLR_EL1 or DBGPRCR_EL1 by the loaded vCPU v:
 * emulated (*val read or written), true.  False if sysreg_enc is none of those, or is a read of
 * the write-only OSLAR_EL1 or a write of the read-only OSLSR_EL1 (undefined instructions). */
bool vdebug_os_sysreg(struct vcpu *v, unsigned sysreg_enc, bool write, uint64_t *val);
