/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a guest learns about the CPU, and what it may use of it.  Keel answers the ID registers
 * itself (HCR_EL2.TID3) and hides the features whose state it does not switch between vCPUs
 * (SVE, SME, pointer authentication, the PMU, ...); using one anyway must be an undefined
 * instruction, never a success.  Meant to run on QEMU's -cpu max, which has them all, and on
 * cortex-a57, which has a PMU only (so bare, with no hypervisor, the PMU checks are notes).
 * Self-hosted debug is the vCPU's own: its OS lock and double lock read as it set them and its
 * hardware breakpoints fire, time slice after time slice, also while another domain on the same
 * physical CPU holds its own locks set (case "oslock", beside guests/oslock).
 */
#include "arm.h"
#include "debug.h"
#include "exception.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"
#include "xen.h"

const char guest_name[] = "cpufeat";

#define DEBUG_ROUNDS 100
#define DEBUG_US 200000 /* and at least this long: many time slices of a neighbour */

#define FIELD(v, lo) (((v) >> (lo)) & 0xf)
#define rd(r)                                                                                      \
    ({                                                                                             \
        uint64_t __v;                                                                              \
        __asm__ volatile("mrs %0, " #r : "=r"(__v));                                               \
        __v;                                                                                       \
    })

/* Run one instruction (its encoding) that should be undefined here; returns the ESR's EC of
 * the exception it raised, or -1 if it executed. */
#define TRY(insn)                                                                                  \
    ({                                                                                             \
        struct exc_record __r;                                                                     \
        exc_expect();                                                                              \
        __asm__ volatile(".inst " #insn ::: "x0", "memory");                                       \
        exc_taken(&__r) ? (int)(__r.esr >> 26) : -1;                                               \
    })

static void id_registers(void)
{
    uint64_t pfr0 = rd(s3_0_c0_c4_0), pfr1 = rd(s3_0_c0_c4_1), zfr0 = rd(s3_0_c0_c4_4);
    uint64_t smfr0 = rd(s3_0_c0_c4_5), isar1 = rd(s3_0_c0_c6_1), isar2 = rd(s3_0_c0_c6_2);
    uint64_t mmfr1 = rd(s3_0_c0_c7_1), unalloc = rd(s3_0_c0_c7_7), dfr0 = rd(s3_0_c0_c5_0);
    check(FIELD(pfr0, 32) == 0 && zfr0 == 0, "cpufeat_no_sve", "ID_AA64PFR0 %#lx ZFR0 %#lx",
          (unsigned long)pfr0, (unsigned long)zfr0);
    check(FIELD(pfr1, 24) == 0 && smfr0 == 0, "cpufeat_no_sme", "ID_AA64PFR1 %#lx SMFR0 %#lx",
          (unsigned long)pfr1, (unsigned long)smfr0);
    check(FIELD(isar1, 4) == 0 && FIELD(isar1, 8) == 0 && FIELD(isar1, 24) == 0 &&
              FIELD(isar1, 28) == 0 && FIELD(isar2, 8) == 0 && FIELD(isar2, 12) == 0,
          "cpufeat_no_pauth", "ID_AA64ISAR1 %#lx ISAR2 %#lx", (unsigned long)isar1,
          (unsigned long)isar2);
    check(FIELD(pfr1, 8) == 0 && FIELD(pfr0, 44) == 0 && FIELD(pfr0, 40) == 0,
          "cpufeat_no_mte_amu_mpam", "ID_AA64PFR0 %#lx PFR1 %#lx", (unsigned long)pfr0,
          (unsigned long)pfr1);
    if (plat.hypervisor)
        check(FIELD(dfr0, 8) == 0 && FIELD(dfr0, 32) == 0, "cpufeat_no_pmu_spe", "ID_AA64DFR0 %#lx",
              (unsigned long)dfr0);
    else
        note("no hypervisor: the PMU is the machine's (ID_AA64DFR0 %#lx)", (unsigned long)dfr0);
    check(FIELD(pfr0, 8) == 0 && FIELD(mmfr1, 8) == 0, "cpufeat_no_el2",
          "ID_AA64PFR0.EL2 %lu, MMFR1.VH %lu", (unsigned long)FIELD(pfr0, 8),
          (unsigned long)FIELD(mmfr1, 8));
    /* What is there stays visible: AArch64 EL0/EL1, FP and Advanced SIMD. */
    check(FIELD(pfr0, 0) != 0 && FIELD(pfr0, 4) != 0 && FIELD(pfr0, 16) != 0xf &&
              FIELD(pfr0, 20) != 0xf,
          "cpufeat_basics_kept", "ID_AA64PFR0 %#lx", (unsigned long)pfr0);
    check(unalloc == 0, "cpufeat_unallocated_raz", "S3_0_C0_C7_7 = %#lx", (unsigned long)unalloc);
}

/* What controls the physical core stays out of a guest's reach: IMPLEMENTATION DEFINED
 * registers (Cortex-A57's CPUECTLR_EL1, whose SMPEN takes the core out of coherency) are
 * undefined, ACTLR_EL1 ignores writes, and the debug ROM's address reads 0. */
static void hardware_controls(void)
{
    /* QEMU 7.2 does not implement HCR_EL2.TIDCP (it came in QEMU 8.0): there its model of
     * CPUECTLR_EL1 (a constant) answers instead.  Say which it was. */
    int ec = TRY(0xd519f220); /* msr s3_1_c15_c2_1, x0 (CPUECTLR_EL1) */
    note("CPUECTLR_EL1 write: %s (EC %#x; undefined with HCR_EL2.TIDCP, which QEMU 7.2 lacks)",
         ec < 0 ? "executed" : "exception", ec);
    ec = TRY(0xd538f000); /* mrs x0, s3_0_c15_c0_0 */
    check(ec == 0, "cpufeat_impdef_read_undefined", "S3_0_C15_C0_0 read: %s (EC %#x)",
          ec < 0 ? "executed" : "exception", ec);
    uint64_t actlr = rd(actlr_el1);
    __asm__ volatile("msr actlr_el1, %0; isb" ::"r"(~actlr));
    uint64_t after = rd(actlr_el1);
    check(after == actlr, "cpufeat_actlr_write_ignored", "ACTLR_EL1 %#lx, %#lx after writing %#lx",
          (unsigned long)actlr, (unsigned long)after, (unsigned long)~actlr);
    uint64_t mdrar = rd(mdrar_el1);
    check(mdrar == 0, "cpufeat_no_debug_rom", "MDRAR_EL1 = %#lx", (unsigned long)mdrar);
}

static void use_anyway(void)
{
    /* Enable SVE and SME at EL1 and EL0 (CPACR_EL1.ZEN, SMEN): only EL2 can stop them now. */
    uint64_t cpacr = rd(cpacr_el1);
    __asm__ volatile("msr cpacr_el1, %0; isb" ::"r"(cpacr | (3UL << 16) | (3UL << 24)));
    int ec = TRY(0x04bf5020); /* rdvl x0, #1 */
    check(ec == 0, "cpufeat_sve_undefined", "RDVL: %s (EC %#x)", ec < 0 ? "executed" : "exception",
          ec);
    ec = TRY(0xd503477f); /* smstart */
    check(ec == 0, "cpufeat_sme_undefined", "SMSTART: %s (EC %#x)",
          ec < 0 ? "executed" : "exception", ec);
    __asm__ volatile("msr cpacr_el1, %0; isb" ::"r"(cpacr));
    ec = TRY(0xd5382100); /* mrs x0, apiakeylo_el1 */
    check(ec == 0, "cpufeat_pauth_key_undefined", "APIAKeyLo_EL1 read: %s (EC %#x)",
          ec < 0 ? "executed" : "exception", ec);
    if (plat.hypervisor) {
        ec = TRY(0xd53b9c00); /* mrs x0, pmcr_el0 */
        check(ec == 0, "cpufeat_pmu_undefined", "PMCR_EL0 read: %s (EC %#x)",
              ec < 0 ? "executed" : "exception", ec);
        hardware_controls();
    }
}

/* Clear both locks as Linux does at boot, then check over and over, yielding the CPU in
 * between, that they read clear and that breakpoint 0 fires. */
static void debug_own(void)
{
    os_lock_set(false);
    os_double_lock_set(false);
    uint64_t end = timer_deadline_us(DEBUG_US), s = 0, d = 0;
    unsigned round = 0, bad = 0, first_bad = 0;
    int ec = 0;
    while (round < DEBUG_ROUNDS || !timer_passed(end)) {
        if (plat.hypervisor)
            xen_yield();
        uint64_t s1 = os_lock_status(), d1 = os_double_lock();
        int ec1 = breakpoint_probe();
        if ((s1 & 0xf) != OSLSR_OSLM1 || d1 != 0 || ec1 != EC_BREAKPOINT_CUR) {
            if (!bad++) {
                first_bad = round;
                s = s1;
                d = d1;
                ec = ec1;
            }
        }
        round++;
    }
    check(!bad, "cpufeat_debug_own",
          "%u rounds, %u bad (first: round %u, OSLSR %#lx OSDLR %#lx, breakpoint EC %d; want 0x8, "
          "0, %d)",
          round, bad, first_bad, s, d, ec, EC_BREAKPOINT_CUR);
}

void guest_main(void *dtb)
{
    id_registers();
    use_anyway();
    debug_own();
}
