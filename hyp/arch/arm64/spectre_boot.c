/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Spectre mitigations at bring-up: each CPU reads its ID registers, asks the firmware
 * (psci.c), classifies itself (spectre.c) and points VBAR_EL2 at the vector table whose guest
 * exits run what it needs, so an unaffected CPU keeps the plain exit path and nothing is
 * patched.  The guests' SMCCC_ARCH_FEATURES answers are what holds on every CPU; they are
 * written while CPUs come up, one at a time under `lock`, and only read once guests run.
 */
#include <arm64/psci.h>
#include <arm64/regs.h>
#include <arm64/spectre.h>
#include <arm64/sysreg.h>
#include <hyp/bootinfo.h>
#include <hyp/cmdline.h>
#include <hyp/console.h>
#include <hyp/percpu.h>
#include <hyp/spinlock.h>

_Static_assert(offsetof(struct percpu, arch.bhb_loops) == PERCPU_BHB_LOOPS, "entry.S offset");

#define MAX_FORCED_LOOPS 1024

/* entry.S: one table per enum spectre_exit. */
extern char el2_vectors[], el2_vectors_loop[], el2_vectors_clrbhb[], el2_vectors_fw_wa1[],
    el2_vectors_fw_wa1_loop[], el2_vectors_fw_wa1_clrbhb[], el2_vectors_fw_wa3[];

static char *const tables[SPECTRE_EXIT_KINDS] = {
    [SPECTRE_EXIT_NONE] = el2_vectors,
    [SPECTRE_EXIT_LOOP] = el2_vectors_loop,
    [SPECTRE_EXIT_CLRBHB] = el2_vectors_clrbhb,
    [SPECTRE_EXIT_FW_WA1] = el2_vectors_fw_wa1,
    [SPECTRE_EXIT_FW_WA1_LOOP] = el2_vectors_fw_wa1_loop,
    [SPECTRE_EXIT_FW_WA1_CLRBHB] = el2_vectors_fw_wa1_clrbhb,
    [SPECTRE_EXIT_FW_WA3] = el2_vectors_fw_wa3,
};

static const char *const exit_names[SPECTRE_EXIT_KINDS] = {
    "nothing",      "branch-history loop",   "CLRBHB",
    "firmware WA1", "firmware WA1 and loop", "firmware WA1 and CLRBHB",
    "firmware WA3",
};

static struct spinlock lock = SPINLOCK_INIT;
/* Identities of spectre_merge_answer until the first CPU folds its answers in. */
static int32_t guest_wa1 = SMCCC_WA_UNAFFECTED, guest_wa2 = SMCCC_NOT_REQUIRED,
               guest_wa3 = SMCCC_WA_UNAFFECTED;

static unsigned forced_loops(void)
{
    uint64_t n = cmdline_u64(bootinfo.cmdline, "bhb_loop", 0);
    if (n > MAX_FORCED_LOOPS) {
        pr_warn("spectre: bhb_loop=%lu is over %u; ignored\n", n, MAX_FORCED_LOOPS);
        return 0;
    }
    return (unsigned)n;
}

void spectre_init_cpu(void)
{
    struct spectre_cpu cpu = {
        .midr = (uint32_t)read_sysreg(midr_el1),
        .pfr0 = read_sysreg(id_aa64pfr0_el1),
        .pfr1 = read_sysreg(id_aa64pfr1_el1),
        .mmfr1 = read_sysreg(id_aa64mmfr1_el1),
        .isar2 = read_sysreg(s3_0_c0_c6_2), /* ID_AA64ISAR2_EL1: RAZ where not implemented */
    };
    struct spectre_fw fw = {
        .wa1 = psci_smccc_features(SMCCC_ARCH_WORKAROUND_1),
        .wa2 = psci_smccc_features(SMCCC_ARCH_WORKAROUND_2),
        .wa3 = psci_smccc_features(SMCCC_ARCH_WORKAROUND_3),
    };
    struct spectre_plan p;
    spectre_classify(&cpu, &fw, forced_loops(), &p);
    if (p.fw_ssbd_on)
        psci_smccc_call(SMCCC_ARCH_WORKAROUND_2, 1); /* DEN 0028 7.5: non-zero enables */
    this_cpu()->arch.bhb_loops = p.bhb_loops;
    write_sysreg(tables[p.exit], vbar_el2);
    isb();

    spin_lock(&lock);
    guest_wa1 = spectre_merge_answer(guest_wa1, p.guest_wa1);
    guest_wa2 = spectre_merge_answer(guest_wa2, p.guest_wa2);
    guest_wa3 = spectre_merge_answer(guest_wa3, p.guest_wa3);
    spin_unlock(&lock);

    pr_info("spectre: CPU %u MIDR %#x: v2 %s, BHB %s, SSB %s; guest exits run %s, %u loops\n",
            cpu_id(), cpu.midr, spectre_state_name(p.v2), spectre_state_name(p.bhb),
            spectre_state_name(p.v4), exit_names[p.exit], p.bhb_loops);
    if (p.v2 == SPECTRE_VULNERABLE)
        pr_warn("spectre: CPU %u needs the firmware's SMCCC_ARCH_WORKAROUND_1 for Spectre-v2 "
                "and the firmware has none: Keel and its guests are not protected\n",
                cpu_id());
}

int32_t spectre_guest_features(uint32_t id)
{
    switch (id) {
    case SMCCC_ARCH_WORKAROUND_1:
        return guest_wa1;
    case SMCCC_ARCH_WORKAROUND_2:
        return guest_wa2;
    case SMCCC_ARCH_WORKAROUND_3:
        return guest_wa3;
    default:
        return SMCCC_NOT_SUPPORTED;
    }
}
