/* AArch64 machine bring-up after the MMU is on: firmware interface, interrupt controller,
 * timer; per-CPU EL2 configuration. */
#include <arm64/idregs.h>
#include <arm64/sysreg.h>
#include <hyp/arch/boot.h>
#include <hyp/irq.h>
#include <hyp/timer.h>

void psci_init(void);
void p2m_init_cpu(void);

void arch_init(void)
{
    idregs_init();
    psci_init();
    irq_init();
    time_init();
}

void arch_init_cpu(void)
{
    /* Physical IRQs and FIQs taken to EL2 even while a guest runs (routing, Arm ARM D1.13);
     * 64-bit EL1. */
    write_sysreg(HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO, hcr_el2);
    isb();
    p2m_init_cpu();
    irq_init_cpu();
    time_init_cpu();
}
