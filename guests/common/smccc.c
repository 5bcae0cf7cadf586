/* SPDX-License-Identifier: Apache-2.0 */
/* SMCCC and PSCI calls over HVC #0 or SMC #0, whichever the DT's /psci node names. */
#include "smccc.h"
#include "arm.h"
#include "platform.h"

/* SMC32 results are 32-bit: negative PSCI codes come back in w0 only. */
static int64_t result(uint32_t fn, uint64_t x0)
{
    return fn & 0x40000000u ? (int64_t)x0 : (int64_t)(int32_t)x0;
}

int64_t smccc_hvc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return result(fn, x0);
}

int64_t smccc_smc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return result(fn, x0);
}

int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    switch (plat.psci) {
    case CONDUIT_HVC:
        return smccc_hvc(fn, a1, a2, a3);
    case CONDUIT_SMC:
        return smccc_smc(fn, a1, a2, a3);
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

int64_t psci_cpu_on_index(unsigned idx)
{
    if (idx >= plat.nr_cpus)
        return PSCI_INVALID_PARAMETERS;
    return psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[idx], (uintptr_t)guest_secondary_entry, idx);
}

void psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    /* Still here: no PSCI, or it refused.  Nothing else can stop us. */
    irq_disable();
    for (;;)
        wfi();
}
