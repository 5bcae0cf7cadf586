/*
 * Virtual PSCI 1.1 and the SMCCC 1.1 discovery calls (Arm DEN 0022, DEN 0028), reached by the
 * guest with HVC #0 (or SMC #0).  Function id in w0, arguments in x1-x3, result in x0.  Every
 * argument is guest-controlled: bad ones get PSCI error codes, never a Keel failure.
 */
#include <arm64/traps.h>
#include <hyp/console.h>
#include <hyp/domain.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define PSCI_64(fn) ((fn) | 0x40000000u) /* SMC64 variant */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_INVALID_ADDRESS (-9)

#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define MIGRATE_NOT_REQUIRED 2 /* no Trusted OS to migrate */

static int64_t cpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t ctx)
{
    struct vcpu *t = vcpu_by_hwid(v->dom, target & 0xff00ffffffUL);
    if (!t)
        return PSCI_INVALID_PARAMETERS;
    if (entry & 3)
        return PSCI_INVALID_ADDRESS;
    return vcpu_power_on(t, entry, ctx) ? PSCI_ALREADY_ON : PSCI_SUCCESS;
}

static int64_t affinity_info(struct vcpu *v, uint64_t target, uint64_t level)
{
    if (level != 0)
        return PSCI_INVALID_PARAMETERS;
    struct vcpu *t = vcpu_by_hwid(v->dom, target & 0xff00ffffffUL);
    if (!t)
        return PSCI_INVALID_PARAMETERS;
    return READ_ONCE(t->state) == VCPU_OFFLINE ? AFFINITY_OFF : AFFINITY_ON;
}

static bool supported(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_64(PSCI_CPU_ON):
    case PSCI_CPU_SUSPEND:
    case PSCI_64(PSCI_CPU_SUSPEND):
    case PSCI_AFFINITY_INFO:
    case PSCI_64(PSCI_AFFINITY_INFO):
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case SMCCC_VERSION:
        return true;
    default:
        return false;
    }
}

void vpsci_call(struct vcpu *v)
{
    uint64_t *x = v->arch.regs.x;
    uint32_t fn = (uint32_t)x[0];
    /* SMC32 calls take 32-bit arguments (SMCCC 1.1, 2.5). */
    bool is32 = !(fn & 0x40000000u);
    uint64_t a1 = is32 ? (uint32_t)x[1] : x[1], a2 = is32 ? (uint32_t)x[2] : x[2];
    uint64_t a3 = is32 ? (uint32_t)x[3] : x[3];
    int64_t ret;
    switch (fn) {
    case PSCI_VERSION:
        ret = 0x10001;
        break; /* 1.1 */
    case SMCCC_VERSION:
        ret = 0x10001;
        break; /* 1.1 */
    case PSCI_CPU_ON:
    case PSCI_64(PSCI_CPU_ON):
        ret = cpu_on(v, a1, a2, a3);
        break;
    case PSCI_CPU_SUSPEND:
    case PSCI_64(PSCI_CPU_SUSPEND):
        /* Every state is entered as standby: wait for an interrupt like WFI and return.  PSCI
         * lets a powerdown request come back this way when a wake-up arrives first (DEN 0022
         * 5.4), and the guest's context is never lost, so entry/context are not needed. */
        vcpu_block(v);
        ret = PSCI_SUCCESS;
        break;
    case PSCI_CPU_OFF:
        vcpu_power_off(v);
        ret = PSCI_DENIED; /* only seen if the vCPU is ever resumed without CPU_ON */
        break;
    case PSCI_AFFINITY_INFO:
    case PSCI_64(PSCI_AFFINITY_INFO):
        ret = affinity_info(v, a1, a2);
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        ret = MIGRATE_NOT_REQUIRED;
        break;
    case PSCI_SYSTEM_OFF:
        domain_shutdown(v->dom, SHUTDOWN_POWEROFF);
        ret = PSCI_SUCCESS;
        break;
    case PSCI_SYSTEM_RESET:
        domain_shutdown(v->dom, SHUTDOWN_REBOOT);
        ret = PSCI_SUCCESS;
        break;
    case PSCI_FEATURES:
        ret = supported((uint32_t)a1) ? 0 : PSCI_NOT_SUPPORTED;
        break;
    case SMCCC_ARCH_FEATURES:
        /* No firmware workarounds are offered: the calls are not implemented. */
        ret = (uint32_t)a1 == SMCCC_VERSION ? 0 : PSCI_NOT_SUPPORTED;
        break;
    default:
        ret = PSCI_NOT_SUPPORTED;
        break;
    }
    x[0] = (uint64_t)ret;
}
