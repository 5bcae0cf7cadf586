/* SPDX-License-Identifier: Apache-2.0 */
/* A hardware breakpoint probe for test guests (see debug.h). */
#include "debug.h"
#include "exception.h"

#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
/* DBGBCR<n>_EL1: enabled (E), EL1 and EL0 (PMC = 0b11), all four bytes of an A64 instruction
 * (BAS = 0b1111), unlinked address match (BT = 0). */
#define DBGBCR_EXEC_EL1_EL0 ((0xfUL << 5) | (3UL << 1) | 1)

/* The breakpoint's target: a lone nop, then return. */
void breakpoint_target(void);
__asm__(".pushsection .text\n"
        ".p2align 2\n"
        ".type breakpoint_target, %function\n"
        "breakpoint_target:\n"
        "    nop\n"
        "    ret\n"
        ".popsection");

int breakpoint_probe(void)
{
    uint64_t mdscr = read_sysreg(mdscr_el1), target = (uintptr_t)breakpoint_target;
    struct exc_record r;
    write_sysreg(target, dbgbvr0_el1);
    write_sysreg(DBGBCR_EXEC_EL1_EL0, dbgbcr0_el1);
    write_sysreg(mdscr | MDSCR_KDE | MDSCR_MDE, mdscr_el1);
    isb();
    __asm__ volatile("msr daifclr, #8" : : : "memory");
    /* The handler resumes at ELR_EL1 + 4: the breakpoint is taken before the nop runs. */
    exc_expect();
    breakpoint_target();
    bool taken = exc_taken(&r);
    __asm__ volatile("msr daifset, #8" : : : "memory");
    write_sysreg(mdscr, mdscr_el1);
    write_sysreg(0, dbgbcr0_el1);
    write_sysreg(0, dbgbvr0_el1);
    isb();
    if (!taken)
        return -1;
    return r.elr == target ? (int)ESR_EC(r.esr) : -2;
}
