/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EL2 physical timer (Arm ARM D11, "The Generic Timer in AArch64 state"): CNTHP_CVAL_EL2
 * compared against the physical count, interrupting through a PPI the device tree names.  The
 * core's timer queues (core/timer.c) decide what to program; this file only touches the
 * registers.  Also opens the physical counter and timer to EL1.
 */
#include <arm64/sysreg.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/timer.h>

#define CNTHP_CTL_ENABLE BIT(0)
#define CNTHCTL_EL1PCTEN BIT(0) /* E2H == 0 layout */
#define CNTHCTL_EL1PCEN BIT(1)

/* "arm,armv8-timer" interrupts, in order: secure physical, non-secure physical, virtual,
 * hypervisor physical.  Server base systems put the last on PPI 10 (INTID 26). */
#define DT_TIMER_HYP_INDEX 3
#define HYP_TIMER_PPI_DEFAULT 26

static unsigned hyp_timer_irq = HYP_TIMER_PPI_DEFAULT;
static bool hyp_timer_edge;

void arch_timer_init(void)
{
    const struct fdt *f = &bootinfo.fdt;
    int n = fdt_find_compatible(f, -1, "arm,armv8-timer");
    uint32_t len = 0;
    const uint8_t *p = n >= 0 ? fdt_prop(f, n, "interrupts", &len) : NULL;
    /* GIC binding: three cells per interrupt, <type number flags>, type 1 = PPI. */
    if (!p || len < (DT_TIMER_HYP_INDEX + 1) * 12) {
        pr_warn("timer: no hypervisor timer interrupt in the device tree; assuming INTID %u\n",
                hyp_timer_irq);
        return;
    }
    const uint8_t *e = p + DT_TIMER_HYP_INDEX * 12;
    uint32_t type = fdt32(e), num = fdt32(e + 4), flags = fdt32(e + 8);
    if (type != 1 || num > 15)
        panic("timer: hypervisor timer interrupt <%u %u> is not a PPI", type, num);
    hyp_timer_irq = 16 + num;
    /* Trigger flags 1 and 2 are edges; 4 and 8 levels. */
    hyp_timer_edge = (flags & 0xf) == 1 || (flags & 0xf) == 2;
}

void arch_timer_init_cpu(void)
{
    write_sysreg(0, cnthp_ctl_el2);
    /* EL1 may read the physical counter and use the EL1 physical timer directly.  The vtimer
     * emulation may take these away per guest. */
    write_sysreg(read_sysreg(cnthctl_el2) | CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, cnthctl_el2);
    isb();
}

void arch_timer_program(uint64_t cval)
{
    if (cval == ~0UL) {
        write_sysreg(0, cnthp_ctl_el2);
    } else {
        write_sysreg(cval, cnthp_cval_el2);
        write_sysreg(CNTHP_CTL_ENABLE, cnthp_ctl_el2);
    }
    isb();
}

unsigned arch_timer_irq(void)
{
    return hyp_timer_irq;
}

bool arch_timer_irq_edge(void)
{
    return hyp_timer_edge;
}
