/* SPDX-License-Identifier: Apache-2.0 */
/* Register frames shared between entry.S and C.  Offsets are fixed: entry.S uses them. */
#pragma once

#define FRAME_X(n) ((n)*8)
#define FRAME_SP (31 * 8)
#define FRAME_PC (32 * 8)
#define FRAME_PSTATE (33 * 8)
#define FRAME_ESR (34 * 8)
#define FRAME_FAR (35 * 8)
#define FRAME_SIZE (36 * 8)

/* Guest frame: x0-x30, pc (ELR_EL2), pstate (SPSR_EL2). */
#define GUEST_X(n) ((n)*8)
#define GUEST_PC (31 * 8)
#define GUEST_PSTATE (32 * 8)
#define GUEST_REGS_SIZE (33 * 8)

/* struct percpu (offset 0 is arch.guest_regs): arch.bhb_loops. */
#define PERCPU_BHB_LOOPS 8

/* Exit codes returned by guest_enter(). */
#define EXIT_SYNC 0
#define EXIT_IRQ 1
#define EXIT_FIQ 2
#define EXIT_SERROR 3

#ifndef __ASSEMBLY__
#include <hyp/types.h>

/* Registers of an exception taken from EL2 itself (diagnostics only). */
struct hyp_frame {
    uint64_t x[31];
    uint64_t sp;
    uint64_t pc;
    uint64_t pstate;
    uint64_t esr;
    uint64_t far;
};

/* A guest vCPU's general registers as saved on exit. */
struct guest_regs {
    uint64_t x[31];
    uint64_t pc;
    uint64_t pstate;
};

_Static_assert(sizeof(struct hyp_frame) == FRAME_SIZE, "hyp_frame layout");
_Static_assert(sizeof(struct guest_regs) == GUEST_REGS_SIZE, "guest_regs layout");

/* Enter the guest whose registers are in *regs (also recorded in this CPU's percpu block);
 * returns when it exits, with its registers saved back into *regs and an EXIT_* code. */
int guest_enter(struct guest_regs *regs);
#endif
