/*
 * Guest virtual → host address translation with the hardware walker: AT S12E1R/W walks the
 * loaded vCPU's stage 1 and stage 2 (Arm ARM C5.5, D8.13) and leaves the result in PAR_EL1.
 * PAR_EL1 is guest state, so it is saved and restored around the walk.  The output address is
 * host physical; the caller (guest_access.c) checks that it is a frame of the domain.
 */
#include <arm64/sysreg.h>
#include <hyp/arch/cpu.h>
#include <hyp/guest_access.h>

#define PAR_F (1UL << 0)
#define PAR_PA_MASK 0x0000fffffffff000UL

paddr_t arch_guest_va_to_pa(struct vcpu *v, uint64_t va, bool write)
{
    unsigned long flags = arch_irq_save();
    uint64_t saved = read_sysreg(par_el1);
    if (write)
        __asm__ volatile("at s12e1w, %0" ::"r"(va));
    else
        __asm__ volatile("at s12e1r, %0" ::"r"(va));
    isb();
    uint64_t par = read_sysreg(par_el1);
    write_sysreg(saved, par_el1);
    arch_irq_restore(flags);
    if (par & PAR_F)
        return ~(paddr_t)0;
    return (par & PAR_PA_MASK) | (va & (PAGE_SIZE - 1));
}
