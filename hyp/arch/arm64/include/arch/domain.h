/* SPDX-License-Identifier: Apache-2.0 */
/* Arm parts of struct domain and struct vcpu. */
#pragma once

#include <arm64/pgtable.h>
#include <arm64/regs.h>
#include <arm64/vdebug.h>
#include <arm64/vgic.h>
#include <arm64/vtimer.h>
#include <hyp/compiler.h>
#include <hyp/types.h>

struct vgic_dist;

struct arch_domain {
    struct pgtable s2; /* stage-2 translation */
    struct pgtable_ops s2_ops;
    uint64_t vttbr; /* VMID << 48 | root */
    uint16_t vmid;
    uint64_t cntvoff; /* CNTVOFF_EL2 for every vCPU */
    struct vgic_dist *vgic;
};

/* EL1 system registers switched with the vCPU. */
struct el1_sysregs {
    uint64_t sctlr, cpacr, ttbr0, ttbr1, tcr, esr, afsr0, afsr1, far, mair, amair, vbar, contextidr,
        tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr_el1, spsr_el1, par, csselr, cntkctl,
        mdscr;
};

struct fpsimd_state {
    __uint128_t q[32];
    uint32_t fpsr;
    uint32_t fpcr;
};

/* Guest exits by kind and the hypervisor time they cost (counter ticks from exit to the next
 * entry, or to the return to the scheduler), time in the guest (entry to exit) and how often
 * the scheduler ran the vCPU, for performance work: printed when the domain goes away. */
enum exit_kind {
    XK_WFX,
    XK_HVC,
    XK_SMC,
    XK_SYSREG,
    XK_MMIO,
    XK_ABORT,
    XK_OTHER,
    XK_IRQ,
    XK_SERROR,
    XK_KINDS
};

struct exit_stats {
    uint64_t count[XK_KINDS];
    uint64_t ticks[XK_KINDS];
    uint64_t guest_ticks;
    uint64_t runs; /* calls of arch_vcpu_run */
};

struct arch_vcpu {
    struct guest_regs regs;
    struct el1_sysregs sys;
    struct fpsimd_state fp __aligned(16);
    uint64_t vmpidr;
    uint64_t hcr;
    struct vgic_cpu vgic;
    struct vtimer vtimer;
    struct vdebug dbg;
    struct exit_stats stats;
};
