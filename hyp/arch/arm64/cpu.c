/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 CPU identity, counter and parking. */
#include <arm64/sysreg.h>
#include <hyp/arch/cpu.h>
#include <hyp/percpu.h>

void arch_set_this_cpu(struct percpu *pc)
{
    write_sysreg(pc, tpidr_el2);
}

uint64_t arch_cpu_hwid(void)
{
    return read_sysreg(mpidr_el1) & 0xff00ffffffUL; /* Aff3..Aff0 */
}

uint64_t arch_counter_freq(void)
{
    return read_sysreg(cntfrq_el0);
}

void arch_cpu_park(void)
{
    arch_irq_disable();
    if (arch_this_cpu())
        arch_this_cpu()->online = false;
    for (;;)
        wfe();
}
