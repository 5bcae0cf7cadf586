/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which Spectre mitigations a CPU needs, and what guests are told: a pure function of MIDR_EL1,
 * four ID registers and the firmware's SMCCC answers, so host unit tests cover every CPU kind
 * (tests/unit/test_spectre.c).  No state, no locks.  Installing the exit path and asking the
 * firmware is spectre_boot.c's.
 *
 * Sources: Arm DEN 0028 (SMCCC) 7.4-7.6 for the calls and their answers; Arm's "Spectre-BHB"
 * whitepaper (and its list of cores, developer.arm.com 110280) for which cores take which
 * branch-history mitigation and the loop counts; Arm's speculation-vulnerability table for the
 * cores that are not affected.
 */
#include <arm64/spectre.h>

#define ID_FIELD(reg, lo) ((unsigned)(((reg) >> (lo)) & 0xf))
#define MIDR_IMPL_ARM 0x41u
#define MIDR_IMPL(m) ((m) >> 24)
#define MIDR_PART(m) (((m) >> 4) & 0xfff)

/* Arm cores by MIDR part number, and what each needs.  bhb: the loop count from the
 * whitepaper, BHB_FW for the cores whose branch-history mitigation is the firmware's
 * SMCCC_ARCH_WORKAROUND_3, BHB_NONE for the cores it does not affect. */
#define BHB_NONE 0
#define BHB_FW 0xffff
static const struct core {
    uint16_t part;
    uint16_t bhb;
    bool v2_safe; /* not affected by Spectre-v2 whatever ID_AA64PFR0_EL1.CSV2 says */
    bool v4_safe; /* not affected by speculative store bypass */
} cores[] = {
    { 0xd04, BHB_NONE, true, true }, /* Cortex-A35 */
    { 0xd03, BHB_NONE, true, true }, /* Cortex-A53 */
    { 0xd05, BHB_NONE, true, true }, /* Cortex-A55 */
    { 0xd07, 8, false, false },      /* Cortex-A57 */
    { 0xd08, 8, false, false },      /* Cortex-A72 */
    { 0xd09, BHB_FW, false, false }, /* Cortex-A73 */
    { 0xd0a, BHB_FW, false, false }, /* Cortex-A75 */
    { 0xd0b, 24, false, false },     /* Cortex-A76 */
    { 0xd0d, 24, false, false },     /* Cortex-A77 */
    { 0xd0c, 24, false, false },     /* Neoverse N1 */
    { 0xd41, 32, false, false },     /* Cortex-A78 */
    { 0xd42, 32, false, false },     /* Cortex-A78AE */
    { 0xd4b, 32, false, false },     /* Cortex-A78C */
    { 0xd44, 32, false, false },     /* Cortex-X1 */
    { 0xd4c, 32, false, false },     /* Cortex-X1C */
    { 0xd47, 32, false, false },     /* Cortex-A710 */
    { 0xd48, 32, false, false },     /* Cortex-X2 */
    { 0xd49, 32, false, false },     /* Neoverse N2 */
    { 0xd40, 32, false, false },     /* Neoverse V1 */
    { 0xd4d, 38, false, false },     /* Cortex-A715 */
    { 0xd81, 38, false, false },     /* Cortex-A720 */
    { 0xd4e, 132, false, false },    /* Cortex-X3 */
    { 0xd4f, 132, false, false },    /* Neoverse V2 */
};

static const struct core *find_core(uint32_t midr)
{
    if (MIDR_IMPL(midr) != MIDR_IMPL_ARM)
        return NULL;
    for (size_t i = 0; i < sizeof(cores) / sizeof(cores[0]); i++)
        if (cores[i].part == MIDR_PART(midr))
            return &cores[i];
    return NULL;
}

/* Spectre-v2: CSV2 (ID_AA64PFR0_EL1[59:56]) says branch targets trained in one context do not
 * steer another; otherwise only the firmware's WA1 (or WA3, which does WA1's job: DEN 0028
 * 7.6) invalidates the predictor. */
static enum spectre_state v2_state(const struct spectre_cpu *cpu, const struct core *c,
                                   const struct spectre_fw *fw)
{
    if (ID_FIELD(cpu->pfr0, 56) >= 1 || (c && c->v2_safe) || fw->wa1 == SMCCC_WA_UNAFFECTED)
        return SPECTRE_UNAFFECTED;
    if (fw->wa1 == SMCCC_SUCCESS || fw->wa3 == SMCCC_SUCCESS)
        return SPECTRE_MITIGATED;
    return SPECTRE_VULNERABLE;
}

/* Spectre-BHB, and how Keel mitigates it: *how is the exit kind's BHB part, *loops its
 * count.  Mitigating the branch history alone is pointless while v2 is open (the whitepaper
 * treats BHB as a way around v2's mitigations), so then nothing is done unless forced. */
enum bhb_how { BHB_HOW_NONE, BHB_HOW_LOOP, BHB_HOW_CLRBHB, BHB_HOW_FW };

static enum spectre_state bhb_state(const struct spectre_cpu *cpu, const struct core *c,
                                    const struct spectre_fw *fw, enum spectre_state v2,
                                    enum bhb_how *how, unsigned *loops)
{
    *how = BHB_HOW_NONE;
    *loops = 0;
    /* FEAT_CSV2_3 (CSV2 == 3) and FEAT_ECBHB (ID_AA64MMFR1_EL1[63:60]): the history cannot
     * be steered from another context. */
    if (ID_FIELD(cpu->pfr0, 56) >= 3 || ID_FIELD(cpu->mmfr1, 60) >= 1)
        return SPECTRE_UNAFFECTED;
    if (c && c->bhb == BHB_NONE)
        return SPECTRE_UNAFFECTED;
    bool clrbhb = ID_FIELD(cpu->isar2, 28) >= 1; /* ID_AA64ISAR2_EL1.CLRBHB */
    bool fw_ok = fw->wa3 == SMCCC_SUCCESS;
    if (!c && !clrbhb) {
        /* A core not in Arm's list: the firmware knows, or nobody does. */
        if (fw->wa3 == SMCCC_WA_UNAFFECTED)
            return SPECTRE_UNAFFECTED;
        if (!fw_ok)
            return SPECTRE_UNKNOWN;
    }
    if (v2 == SPECTRE_VULNERABLE)
        return SPECTRE_VULNERABLE;
    if (clrbhb) {
        *how = BHB_HOW_CLRBHB;
    } else if (c && c->bhb != BHB_FW) {
        *how = BHB_HOW_LOOP;
        *loops = c->bhb;
    } else if (fw_ok) {
        *how = BHB_HOW_FW;
    } else {
        return SPECTRE_VULNERABLE;
    }
    return SPECTRE_MITIGATED;
}

/* Speculative store bypass.  With FEAT_SSBS (ID_AA64PFR1_EL1[7:4]) the guest sets PSTATE.SSBS
 * itself and EL2 runs with it clear (SCTLR_EL2.DSSBS is 0).  Otherwise only the firmware can
 * change it: a dynamic firmware mitigation (WA2 answers 0) is turned on for good on every
 * CPU, as the guests' calls would otherwise have to be switched at every vCPU change. */
static enum spectre_state v4_state(const struct spectre_cpu *cpu, const struct core *c,
                                   const struct spectre_fw *fw, bool *fw_on)
{
    *fw_on = false;
    if (ID_FIELD(cpu->pfr1, 4) >= 1)
        return SPECTRE_MITIGATED;
    if ((c && c->v4_safe) || fw->wa2 == SMCCC_WA_UNAFFECTED)
        return SPECTRE_UNAFFECTED;
    if (fw->wa2 == SMCCC_NOT_REQUIRED)
        return SPECTRE_MITIGATED; /* permanently on in the firmware */
    if (fw->wa2 == SMCCC_SUCCESS) {
        *fw_on = true;
        return SPECTRE_MITIGATED;
    }
    return SPECTRE_VULNERABLE;
}

static int32_t wa_answer(enum spectre_state s)
{
    switch (s) {
    case SPECTRE_UNAFFECTED:
        return SMCCC_WA_UNAFFECTED;
    case SPECTRE_MITIGATED:
        return SMCCC_SUCCESS;
    default:
        return SMCCC_NOT_SUPPORTED;
    }
}

/* The exit path for a v2 mitigation by the firmware's WA1 and a BHB one. */
static enum spectre_exit exit_kind(bool fw_wa1, enum bhb_how how)
{
    static const enum spectre_exit kinds[2][4] = {
        { SPECTRE_EXIT_NONE, SPECTRE_EXIT_LOOP, SPECTRE_EXIT_CLRBHB, SPECTRE_EXIT_FW_WA3 },
        { SPECTRE_EXIT_FW_WA1, SPECTRE_EXIT_FW_WA1_LOOP, SPECTRE_EXIT_FW_WA1_CLRBHB,
          SPECTRE_EXIT_FW_WA3 },
    };
    return kinds[fw_wa1][how];
}

void spectre_classify(const struct spectre_cpu *cpu, const struct spectre_fw *fw,
                      unsigned force_loops, struct spectre_plan *plan)
{
    const struct core *c = find_core(cpu->midr);
    enum bhb_how how;
    plan->v2 = v2_state(cpu, c, fw);
    plan->bhb = bhb_state(cpu, c, fw, plan->v2, &how, &plan->bhb_loops);
    plan->v4 = v4_state(cpu, c, fw, &plan->fw_ssbd_on);
    if (force_loops) {
        how = BHB_HOW_LOOP;
        plan->bhb_loops = force_loops;
        if (plan->bhb != SPECTRE_UNAFFECTED)
            plan->bhb = plan->v2 == SPECTRE_VULNERABLE ? SPECTRE_VULNERABLE : SPECTRE_MITIGATED;
    }
    /* v2 by the firmware: when it has WA3, one WA3 call does WA1's job and the history's
     * (DEN 0028, SMCCC_ARCH_WORKAROUND_3), cheaper than WA1 and a loop; otherwise WA1. */
    bool v2_fw = plan->v2 == SPECTRE_MITIGATED;
    if (v2_fw && fw->wa3 == SMCCC_SUCCESS)
        how = BHB_HOW_FW;
    plan->exit = exit_kind(v2_fw && how != BHB_HOW_FW, how);
    plan->guest_wa1 = wa_answer(plan->v2);
    /* WA3 promises WA1's mitigation as well (DEN 0028 7.6): it holds only if both do. */
    if (plan->v2 == SPECTRE_UNAFFECTED && plan->bhb == SPECTRE_UNAFFECTED)
        plan->guest_wa3 = SMCCC_WA_UNAFFECTED;
    else if (plan->v2 != SPECTRE_VULNERABLE && plan->bhb != SPECTRE_VULNERABLE &&
             plan->bhb != SPECTRE_UNKNOWN)
        plan->guest_wa3 = SMCCC_SUCCESS;
    else
        plan->guest_wa3 = SMCCC_NOT_SUPPORTED;
    /* WA2: NOT_REQUIRED when it is on for good or not needed (a guest's call changes nothing
     * then); with SSBS the guest has the architectural control instead, and a firmware call
     * is not offered, as KVM does not; otherwise it cannot be had. */
    if (ID_FIELD(cpu->pfr1, 4) >= 1 || plan->v4 == SPECTRE_VULNERABLE)
        plan->guest_wa2 = SMCCC_NOT_SUPPORTED;
    else
        plan->guest_wa2 = SMCCC_NOT_REQUIRED;
}

int32_t spectre_merge_answer(int32_t a, int32_t b)
{
    if (a == SMCCC_NOT_SUPPORTED || b == SMCCC_NOT_SUPPORTED)
        return SMCCC_NOT_SUPPORTED;
    /* SUCCESS (0) before UNAFFECTED (1): one CPU that needs the call makes it needed; two
     * NOT_REQUIRED stay so. */
    return a < b ? a : b;
}

const char *spectre_state_name(enum spectre_state s)
{
    static const char *const names[] = { "unknown", "not affected", "mitigated", "VULNERABLE" };
    return s <= SPECTRE_VULNERABLE ? names[s] : "?";
}
