/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest virtual → host address translation with the hardware walker: AT S12E1R/W walks the
 * loaded vCPU's stage 1 and stage 2 (Arm ARM C5.5, D8.13) and leaves the result in PAR_EL1.
 * PAR_EL1 is guest state, so it is saved and restored around the walk.  The output address is
 * host physical; the caller (guest_access.c) checks that it is a frame of the domain.  AT
 * S1E1R/W walks stage 1 alone and gives the guest-physical address.
 */
#include <arm64/sysreg.h>
#include <hyp/arch/cpu.h>
#include <hyp/guest_access.h>

#define PAR_F (1UL << 0)
#define PAR_PA_MASK 0x0000fffffffff000UL

enum at_kind { AT_S12, AT_S1 };

/* PAR_EL1 after an AT of va, with the guest's PAR_EL1 kept. */
static uint64_t at(uint64_t va, bool write, enum at_kind kind)
{
    unsigned long flags = arch_irq_save();
    uint64_t saved = read_sysreg(par_el1);
    if (kind == AT_S12 && write)
        __asm__ volatile("at s12e1w, %0" ::"r"(va));
    else if (kind == AT_S12)
        __asm__ volatile("at s12e1r, %0" ::"r"(va));
    else if (write)
        __asm__ volatile("at s1e1w, %0" ::"r"(va));
    else
        __asm__ volatile("at s1e1r, %0" ::"r"(va));
    isb();
    uint64_t par = read_sysreg(par_el1);
    write_sysreg(saved, par_el1);
    arch_irq_restore(flags);
    return par;
}

paddr_t arch_guest_va_to_pa(struct vcpu *v, uint64_t va, bool write)
{
    uint64_t par = at(va, write, AT_S12);
    if (par & PAR_F)
        return ~(paddr_t)0;
    return (par & PAR_PA_MASK) | (va & (PAGE_SIZE - 1));
}

bool arch_guest_va_to_ipa(struct vcpu *v, uint64_t va, bool write, uint64_t *ipa)
{
    uint64_t par = at(va, write, AT_S1);
    if (par & PAR_F)
        return false;
    *ipa = (par & PAR_PA_MASK) | (va & (PAGE_SIZE - 1));
    return true;
}
