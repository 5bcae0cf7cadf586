/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the loads and stores Keel emulates without an instruction syndrome (see
 * <arm64/mmio_insn.h>).  A pure function of the instruction word: no state, no locking.  The
 * encodings are the A64 "Load/store register (immediate post-indexed / pre-indexed)" classes
 * (Arm ARM C4.1): size[31:30] 111[29:27] V[26] 00[25:24] opc[23:22] 0[21] imm9[20:12]
 * idx[11:10] Rn[9:5] Rt[4:0], idx 01 post-indexed and 11 pre-indexed.
 */
#include <arm64/mmio_insn.h>
#include <arm64/sysreg.h>
#include <hyp/errno.h>

/* Bits 29:27 = 111, V = 0 (general-purpose registers), 25:24 = 00, bit 21 = 0, bit 10 = 1. */
#define LDST_IMM_IDX_MASK 0x3f200400u
#define LDST_IMM_IDX_VALUE 0x38000400u
#define LDST_PRE (1u << 11)

int mmio_insn_decode(uint32_t insn, struct mmio_insn *out)
{
    if ((insn & LDST_IMM_IDX_MASK) != LDST_IMM_IDX_VALUE)
        return -EOPNOTSUPP;
    unsigned size = insn >> 30, opc = (insn >> 22) & 3;
    unsigned rn = (insn >> 5) & 31, rt = insn & 31;
    /* opc: 00 store, 01 load zero-extended, 10 load sign-extended to 64 bits (byte, halfword,
     * word), 11 load sign-extended to 32 bits (byte, halfword); the rest is unallocated. */
    if ((opc == 2 && size == 3) || (opc == 3 && size >= 2))
        return -EOPNOTSUPP;
    /* Rn = 31 is SP, whose update Keel does not emulate; Rn = Rt makes the writeback
     * CONSTRAINED UNPREDICTABLE (LDR/STR (immediate), shared decode). */
    if (rn == 31 || rn == rt)
        return -EOPNOTSUPP;
    bool store = opc == 0, sign = opc >= 2;
    bool sf = sign ? opc == 2 : size == 3;
    out->iss = DABT_ISV | (uint64_t)size << 22 | (sign ? DABT_SSE : 0) | (uint64_t)rt << 16 |
               (sf ? DABT_SF : 0) | (store ? DABT_WNR : 0);
    out->rn = rn;
    int64_t imm = (insn >> 12) & 0x1ff; /* imm9, signed */
    out->imm = imm & 0x100 ? imm - 0x200 : imm;
    out->pre = insn & LDST_PRE;
    return 0;
}
