/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Spectre mitigations: which ones a CPU needs and what Keel tells its guests (spectre.c, pure
 * and host-tested), and the boot glue that asks the firmware and picks each CPU's exit path
 * (spectre_boot.c).
 */
#pragma once

#include <hyp/types.h>

/* SMCCC Arm Architecture Service calls (Arm DEN 0028, 7.x). */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u /* Spectre-v2, CVE-2017-5715 */
#define SMCCC_ARCH_WORKAROUND_2 0x80007FFFu /* Spectre-v4, CVE-2018-3639 */
#define SMCCC_ARCH_WORKAROUND_3 0x80003FFFu /* Spectre-BHB, CVE-2022-23960, and v2 as well */

/* SMCCC return codes (DEN 0028); for the workaround queries, 1 means "this PE is not
 * affected" (DEN 0028 7.4 to 7.6, what DEN 0070 was merged into). */
#define SMCCC_SUCCESS 0
#define SMCCC_NOT_SUPPORTED (-1)
#define SMCCC_NOT_REQUIRED (-2)
#define SMCCC_WA_UNAFFECTED 1

/* What runs at every exit from a guest to EL2 on a CPU: one of Keel's vector tables. */
enum spectre_exit {
    SPECTRE_EXIT_NONE,          /* nothing: the unaffected fast path */
    SPECTRE_EXIT_LOOP,          /* the branch-history loop (Spectre-BHB whitepaper) */
    SPECTRE_EXIT_CLRBHB,        /* CLRBHB; ISB (FEAT_CLRBHB) */
    SPECTRE_EXIT_FW_WA1,        /* SMC SMCCC_ARCH_WORKAROUND_1 */
    SPECTRE_EXIT_FW_WA1_LOOP,   /* both */
    SPECTRE_EXIT_FW_WA1_CLRBHB, /* both */
    SPECTRE_EXIT_FW_WA3,        /* SMC SMCCC_ARCH_WORKAROUND_3 (covers v2 too) */
    SPECTRE_EXIT_KINDS,
};

/* How a CPU stands against one variant. */
enum spectre_state {
    SPECTRE_UNKNOWN,    /* not a CPU Keel knows, and the firmware does not say */
    SPECTRE_UNAFFECTED, /* the CPU is not affected */
    SPECTRE_MITIGATED,  /* affected, and Keel mitigates it for itself and its guests */
    SPECTRE_VULNERABLE, /* affected, and nothing here can mitigate it */
};

/* What the CPU says of itself: MIDR_EL1 and the ID registers the checks read. */
struct spectre_cpu {
    uint32_t midr;
    uint64_t pfr0, pfr1, mmfr1, isar2; /* ID_AA64PFR0/PFR1/MMFR1/ISAR2_EL1 */
};

/* The firmware's SMCCC_ARCH_FEATURES answers for this CPU (SMCCC_NOT_SUPPORTED when the
 * firmware has no SMCCC 1.1, so it was never asked). */
struct spectre_fw {
    int32_t wa1, wa2, wa3;
};

/* One CPU's plan: its exit path, its states, and the guests' SMCCC_ARCH_FEATURES answers. */
struct spectre_plan {
    enum spectre_exit exit;
    unsigned bhb_loops; /* iterations of the loop, for the LOOP kinds */
    bool fw_ssbd_on;    /* turn the firmware's SSB mitigation on for good (WA2 with 1) */
    enum spectre_state v2, bhb, v4;
    int32_t guest_wa1, guest_wa2, guest_wa3;
};

/* Classify one CPU.  force_loops > 0 (the bhb_loop= option) runs the loop that many times at
 * every exit whatever the CPU, for CPUs Keel does not know and to test the path under QEMU. */
void spectre_classify(const struct spectre_cpu *cpu, const struct spectre_fw *fw,
                      unsigned force_loops, struct spectre_plan *plan);
/* The guests' answer for a workaround across two CPUs' answers: vCPUs move between pCPUs, so
 * the system answers what holds on every one. */
int32_t spectre_merge_answer(int32_t a, int32_t b);
/* A state's name for the boot log. */
const char *spectre_state_name(enum spectre_state s);

/* Boot glue (spectre_boot.c). */
/* This CPU, once at bring-up (every CPU, before any guest runs): ask the firmware, pick and
 * install the exit path, fold the guests' answers into the system's. */
void spectre_init_cpu(void);
/* The guests' SMCCC_ARCH_FEATURES answer for workaround id (SMCCC_ARCH_WORKAROUND_*). */
int32_t spectre_guest_features(uint32_t id);
