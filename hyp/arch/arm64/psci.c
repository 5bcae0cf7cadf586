/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host PSCI client (Arm DEN 0022, PSCI 1.1): start secondary CPUs and power the machine off
 * or reset it; and the SMCCC 1.1 discovery (Arm DEN 0028) that the Spectre mitigations need.
 * At EL2 only the SMC conduit reaches the firmware; a device tree asking for HVC is refused
 * (there is nothing above us to answer it).
 */
#include <arm64/psci.h>
#include <arm64/spectre.h>
#include <hyp/arch/boot.h>
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/string.h>

extern char secondary_entry[];
static bool psci_ok;
static bool smccc_1_1; /* the firmware said it has SMCCC_VERSION, and that it is 1.1+ */

static uint64_t smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
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
    return x0;
}

/* SMCCC 1.1 discovery as DEN 0028 7.2 (and 7.3.2) lays it down: SMCCC_VERSION exists only if
 * PSCI_FEATURES (PSCI 1.0+) says so; before that an SMCCC call may be undefined at EL3 (QEMU's
 * own PSCI makes any SMC it does not know an undefined instruction, which would stop Keel). */
static void smccc_probe(uint32_t psci_version)
{
    if (psci_version < 0x10000) {
        pr_info("psci: PSCI before 1.0: no SMCCC 1.1, no firmware workarounds\n");
        return;
    }
    if ((int32_t)smc(PSCI_FEATURES, SMCCC_VERSION, 0, 0) != SMCCC_SUCCESS) {
        pr_info("psci: firmware has no SMCCC_VERSION (SMCCC 1.0): no firmware workarounds\n");
        return;
    }
    int32_t v = (int32_t)smc(SMCCC_VERSION, 0, 0, 0);
    smccc_1_1 = v >= 0x10001;
    pr_info("psci: firmware SMCCC %d.%d\n", v < 0 ? 1 : v >> 16, v < 0 ? 0 : v & 0xffff);
}

int32_t psci_smccc_features(uint32_t id)
{
    if (!smccc_1_1)
        return SMCCC_NOT_SUPPORTED;
    return (int32_t)smc(SMCCC_ARCH_FEATURES, id, 0, 0);
}

void psci_smccc_call(uint32_t id, uint64_t a1)
{
    smc(id, a1, 0, 0);
}

void psci_init(void)
{
    const struct fdt *f = &bootinfo.fdt;
    int n = fdt_find_compatible(f, -1, "arm,psci-1.0");
    if (n < 0)
        n = fdt_find_compatible(f, -1, "arm,psci-0.2");
    if (n < 0) {
        pr_warn("psci: no PSCI 0.2+ node; secondary CPUs and power-off unavailable\n");
        return;
    }
    const char *method = fdt_prop(f, n, "method", NULL);
    if (!method || strcmp(method, "smc")) {
        pr_warn("psci: method \"%s\" unusable at EL2 (need smc)\n", method ? method : "?");
        return;
    }
    uint32_t v = (uint32_t)smc(PSCI_VERSION, 0, 0, 0);
    pr_info("psci: firmware PSCI %u.%u over SMC\n", v >> 16, v & 0xffff);
    psci_ok = true;
    smccc_probe(v);
}

/* PSCI return codes to errno. */
static int psci_err(int64_t r)
{
    switch (r) {
    case 0:
        return 0;
    case -2:
        return -EINVAL;
    case -3:
        return -EPERM;
    case -4:
        return -EBUSY; /* ALREADY_ON */
    case -5:
        return -EBUSY; /* ON_PENDING */
    default:
        return -EIO;
    }
}

int arch_cpu_start(unsigned cpu, uint64_t hwid)
{
    if (!psci_ok)
        return -ENODEV;
    return psci_err((int64_t)smc(PSCI_64(PSCI_CPU_ON), hwid, (uintptr_t)secondary_entry, cpu));
}

void arch_system_off(void)
{
    if (psci_ok)
        smc(PSCI_SYSTEM_OFF, 0, 0, 0);
    pr_err("psci: SYSTEM_OFF failed; halting\n");
    arch_cpu_park();
}

void arch_system_reset(void)
{
    if (psci_ok)
        smc(PSCI_SYSTEM_RESET, 0, 0, 0);
    pr_err("psci: SYSTEM_RESET failed; halting\n");
    arch_cpu_park();
}
