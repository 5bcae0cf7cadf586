/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 machine bring-up after the MMU is on: firmware interface, interrupt controller,
 * timer; per-CPU EL2 configuration. */
#include <arm64/idregs.h>
#include <arm64/psci.h>
#include <arm64/spectre.h>
#include <arm64/sysreg.h>
#include <arm64/vdebug.h>
#include <hyp/arch/boot.h>
#include <hyp/irq.h>
#include <hyp/timer.h>

void p2m_init_cpu(void);

void arch_init(void)
{
    idregs_init();
    psci_init();
    irq_init();
    time_init();
}

/* MDCR_EL2 (Arm ARM D17.2.89, E2H = 0) resets to an UNKNOWN value: make it defined.  The PMU,
 * the statistical profiling unit and the trace filter, which guests are not shown (idregs.c),
 * trap (TPM, TPMCR, TPMS, TTRF), so using them is an undefined instruction; the profiling and
 * trace buffers are EL2's (E2PB, E2TB = 0), so EL1 accesses to those trap too.  MDRAR_EL1,
 * which gives the debug ROM's physical address, traps (TDRA) and reads 0, as on Xen.  HPMN keeps
 * every counter in the EL1 range (PMCR_EL0.N), as the reset would. */
static void mdcr_init(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1), mdcr = MDCR_TPM | MDCR_TPMCR | MDCR_TDRA;
    unsigned pmuver = (dfr0 >> 8) & 0xf;
    if (pmuver != 0 && pmuver != 0xf)
        mdcr |= (read_sysreg(pmcr_el0) >> 11) & 0x1f; /* PMCR_EL0.N */
    if ((dfr0 >> 32) & 0xf)
        mdcr |= MDCR_TPMS;
    if ((dfr0 >> 40) & 0xf)
        mdcr |= MDCR_TTRF;
    write_sysreg(mdcr, mdcr_el2);
    vdebug_init_cpu(mdcr);
}

void arch_init_cpu(void)
{
    /* Physical IRQs and FIQs taken to EL2 even while a guest runs (routing, Arm ARM D1.13);
     * 64-bit EL1. */
    write_sysreg(HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO, hcr_el2);
    mdcr_init();
    isb();
    p2m_init_cpu();
    spectre_init_cpu();
    irq_init_cpu();
    time_init_cpu();
}
