/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual PSCI 1.1 and SMCCC 1.1's Arm Architecture Service calls (Arm DEN 0022, DEN 0028),
 * reached by the guest with HVC #0 (or SMC #0): discovery and the three Spectre workarounds.
 * Function id in w0, arguments in x1-x3, result in x0.  Every argument is guest-controlled:
 * bad ones get PSCI error codes, never a Keel failure.
 */
#include <arm64/psci.h>
#include <arm64/spectre.h>
#include <arm64/traps.h>
#include <hyp/console.h>
#include <hyp/domain.h>

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INVALID_ADDRESS (-9)

#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define MIGRATE_NOT_REQUIRED 2 /* no Trusted OS to migrate */

/* One call: arguments already narrowed for an SMC32 id; returns what goes into x0. */
typedef int64_t (*psci_handler)(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3);

struct psci_call {
    uint32_t id;
    int32_t features; /* PSCI_FEATURES' answer for id: feature flags (none: 0) or an error */
    psci_handler fn;
};

static const struct psci_call *find_call(uint32_t id);

static int64_t version_1_1(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return 0x10001;
}

static int64_t cpu_suspend(struct vcpu *v, uint64_t state, uint64_t entry, uint64_t ctx)
{
    /* Every state is entered as standby: wait for an interrupt like WFI and return.  PSCI lets
     * a powerdown request come back this way when a wake-up arrives first (DEN 0022 5.4), and
     * the guest's context is never lost, so entry/context are not needed. */
    vcpu_block(v);
    return PSCI_SUCCESS;
}

static int64_t cpu_off(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    vcpu_power_off(v);
    return PSCI_DENIED; /* only seen if the vCPU is ever resumed without CPU_ON */
}

static int64_t cpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t ctx)
{
    struct vcpu *t = vcpu_by_hwid(v->dom, target & 0xff00ffffffUL);
    if (!t)
        return PSCI_INVALID_PARAMETERS;
    if (entry & 3)
        return PSCI_INVALID_ADDRESS;
    return vcpu_power_on(t, entry, ctx) ? PSCI_ALREADY_ON : PSCI_SUCCESS;
}

static int64_t affinity_info(struct vcpu *v, uint64_t target, uint64_t level, uint64_t a3)
{
    if (level != 0)
        return PSCI_INVALID_PARAMETERS;
    struct vcpu *t = vcpu_by_hwid(v->dom, target & 0xff00ffffffUL);
    if (!t)
        return PSCI_INVALID_PARAMETERS;
    return READ_ONCE(t->state) == VCPU_OFFLINE ? AFFINITY_OFF : AFFINITY_ON;
}

static int64_t migrate_info_type(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return MIGRATE_NOT_REQUIRED;
}

static int64_t system_off(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    domain_shutdown(v->dom, SHUTDOWN_POWEROFF);
    return PSCI_SUCCESS;
}

static int64_t system_reset(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    domain_shutdown(v->dom, SHUTDOWN_REBOOT);
    return PSCI_SUCCESS;
}

static int64_t psci_features(struct vcpu *v, uint64_t id, uint64_t a2, uint64_t a3)
{
    const struct psci_call *c = find_call((uint32_t)id);
    return c ? c->features : PSCI_NOT_SUPPORTED;
}

static int64_t smccc_arch_features(struct vcpu *v, uint64_t id, uint64_t a2, uint64_t a3)
{
    /* The workarounds: what Keel does on this machine (spectre.c).  1 for WA1 and WA3 means
     * "not needed on this CPU", NOT_REQUIRED for WA2 that it is on for good or not needed. */
    switch ((uint32_t)id) {
    case SMCCC_VERSION:
        return 0;
    case SMCCC_ARCH_WORKAROUND_1:
    case SMCCC_ARCH_WORKAROUND_2:
    case SMCCC_ARCH_WORKAROUND_3:
        return spectre_guest_features((uint32_t)id);
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

/* A workaround call does its work in the exit that brought it here: the exit vectors ran the
 * mitigation (entry.S), and WA2's is on for good or not needed, so its argument (enable or
 * disable) changes nothing.  Any argument is accepted.  A call the guest was told is not
 * supported answers as an unknown function. */
static int64_t workaround(uint32_t id)
{
    return spectre_guest_features(id) == SMCCC_NOT_SUPPORTED ? PSCI_NOT_SUPPORTED : 0;
}

static int64_t workaround_1(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return workaround(SMCCC_ARCH_WORKAROUND_1);
}

static int64_t workaround_2(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return workaround(SMCCC_ARCH_WORKAROUND_2);
}

static int64_t workaround_3(struct vcpu *v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return workaround(SMCCC_ARCH_WORKAROUND_3);
}

/* Every call Keel implements.  Dispatch and PSCI_FEATURES both search it in order, so
 * PSCI_VERSION, the call whose round trip the benchmarks measure, comes first, then the
 * workarounds a Linux guest may make at every context switch (WA1) or kernel entry (WA3).
 * Of the SMCCC calls PSCI_FEATURES reports only SMCCC_VERSION, through which the others are
 * found (DEN 0028, SMCCC_VERSION and SMCCC_ARCH_FEATURES). */
static const struct psci_call calls[] = {
    { PSCI_VERSION, 0, version_1_1 },
    { SMCCC_ARCH_WORKAROUND_1, PSCI_NOT_SUPPORTED, workaround_1 },
    { SMCCC_ARCH_WORKAROUND_3, PSCI_NOT_SUPPORTED, workaround_3 },
    { SMCCC_ARCH_WORKAROUND_2, PSCI_NOT_SUPPORTED, workaround_2 },
    { PSCI_CPU_SUSPEND, 0, cpu_suspend },
    { PSCI_64(PSCI_CPU_SUSPEND), 0, cpu_suspend },
    { PSCI_CPU_OFF, 0, cpu_off },
    { PSCI_CPU_ON, 0, cpu_on },
    { PSCI_64(PSCI_CPU_ON), 0, cpu_on },
    { PSCI_AFFINITY_INFO, 0, affinity_info },
    { PSCI_64(PSCI_AFFINITY_INFO), 0, affinity_info },
    { PSCI_MIGRATE_INFO_TYPE, 0, migrate_info_type },
    { PSCI_SYSTEM_OFF, 0, system_off },
    { PSCI_SYSTEM_RESET, 0, system_reset },
    { PSCI_FEATURES, 0, psci_features },
    { SMCCC_VERSION, 0, version_1_1 },
    /* SMCCC 1.1 makes this call mandatory, so a caller learns of it from SMCCC_VERSION;
     * PSCI_FEATURES does not report it. */
    { SMCCC_ARCH_FEATURES, PSCI_NOT_SUPPORTED, smccc_arch_features },
};

static const struct psci_call *find_call(uint32_t id)
{
    for (const struct psci_call *c = calls; c < calls + ARRAY_SIZE(calls); c++)
        if (c->id == id)
            return c;
    return NULL;
}

void vpsci_call(struct vcpu *v)
{
    uint64_t *x = v->arch.regs.x;
    uint32_t id = (uint32_t)x[0];
    const struct psci_call *c = find_call(id);
    if (!c) {
        x[0] = (uint64_t)PSCI_NOT_SUPPORTED;
        return;
    }
    /* SMC32 calls take 32-bit arguments (SMCCC 1.1, 2.5). */
    bool is32 = !(id & 0x40000000u);
    uint64_t a1 = is32 ? (uint32_t)x[1] : x[1], a2 = is32 ? (uint32_t)x[2] : x[2];
    uint64_t a3 = is32 ? (uint32_t)x[3] : x[3];
    x[0] = (uint64_t)c->fn(v, a1, a2, a3);
}
