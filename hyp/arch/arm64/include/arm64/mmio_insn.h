/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loads and stores that reach emulated MMIO without an instruction syndrome (ESR_EL2.ISV = 0,
 * Arm ARM D17.2.37): the ones Keel decodes from the instruction itself (mmio_insn.c), as Xen
 * does for the post-indexed forms.  A pure decoder: reading the instruction and doing the
 * access are the exit handler's (traps_guest.c).
 */
#pragma once

#include <hyp/types.h>

/* A decoded LDR/STR (immediate) with writeback: the syndrome the access would have had, and
 * the base register update that follows it. */
struct mmio_insn {
    uint64_t iss; /* ISV, SAS, SSE, SRT, SF and WnR, as ESR_EL2.ISS would give them */
    unsigned rn;  /* base register, 0-30 (never SP) */
    int64_t imm;  /* added to it once the access is done */
    bool pre;     /* pre-indexed: the access was at Xn + imm; post-indexed: at Xn */
};

/* Decode the A64 instruction insn.  0, or -EOPNOTSUPP if it is not one of the emulated forms:
 * LDR, LDRB, LDRH, LDRSB, LDRSH, LDRSW and STR, STRB, STRH of a general-purpose register, with
 * an immediate pre- or post-index (Arm ARM C4.1, "Load/store register (immediate post-indexed)"
 * and "(immediate pre-indexed)"), with a base register other than SP and other than the one
 * transferred (that writeback is CONSTRAINED UNPREDICTABLE). */
int mmio_insn_decode(uint32_t insn, struct mmio_insn *out);
