/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up of a test guest after start.S: read the DT, turn the MMU on, start the console and
 * say what we run on; the entry of secondary vCPUs (PSCI CPU_ON) and their end (CPU_OFF).
 */
#include "arm.h"
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"

void guest_runtime_init(void *dtb);
__attribute__((noreturn)) void guest_secondary_start(unsigned idx);

static const char *conduit_name(enum conduit c)
{
    return c == CONDUIT_HVC ? "hvc" : c == CONDUIT_SMC ? "smc" : "none";
}

void guest_runtime_init(void *dtb)
{
    uint64_t count = read_sysreg(cntvct_el0);
    if (!platform_init(dtb)) {
        /* No DT, so no console: all we can do is stop (the runner sees no summary). */
        psci_system_off();
    }
    plat.boot_count = count;
    mmu_init();
    mmu_enable();
    console_init(plat.uart, plat.hypervisor);
    printf("GUEST %s: on \"%s\"%s, %u vCPU(s), PSCI over %s, UART %#lx, GICD %#lx, GICR %#lx\n",
           guest_name, plat.model, plat.hypervisor ? " (Xen ABI hypervisor)" : "", plat.nr_cpus,
           conduit_name(plat.psci), plat.uart, plat.gicd, plat.gicr);
    if (plat.nr_cpus && cpu_index_of(this_mpidr()) != 0)
        note("boot vCPU MPIDR %#lx is not the first /cpus entry (%#lx)", this_mpidr(),
             plat.mpidr[0]);
}

void guest_secondary_start(unsigned idx)
{
    mmu_enable();
    guest_secondary_main(idx);
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    test_fail_stop("cpu_off_returned", "vCPU %u: PSCI CPU_OFF returned", idx);
}

/* Guests that start no secondary vCPU need not define one. */
__attribute__((weak)) void guest_secondary_main(unsigned idx)
{
}
