/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI and SMCCC as a guest sees them (Arm DEN 0022 PSCI 1.1, DEN 0028 SMCCC 1.1): versions,
 * PSCI_FEATURES, CPU_ON (success, bad MPIDR, already on, restart after CPU_OFF, reset state of
 * the started vCPU), AFFINITY_INFO, CPU_OFF, unknown calls, the SMC conduit, SMC32 argument
 * width and the registers SMCCC 1.1 says a call preserves; the Spectre workarounds
 * (workarounds.c).  Needs 2 vCPUs.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"
#include "workarounds.h"
#include "xen.h"

const char guest_name[] = "psci";

#define SMCCC_UNASSIGNED_STD 0x8400001Fu /* standard service, no function there */
#define SMCCC_SIP_CALL 0xC2000000u       /* SiP service call 0: nothing we ask for */
#define ARCH_WORKAROUND_1 0x80008000u
#define ENTRY_DAIF_ALL 0x3c0
#define UNMAPPED_ENTRY 0x0b000000UL /* nothing there on QEMU virt nor in the Xen guest layout */
#define YIELDS 20
#define STUCK_SGI 14 /* made pending for the vCPU stuck at its unmapped entry */
#define YIELD_RUNS 9
#define SCTLR_C (1UL << 2)

/* Each run of vCPU 1 bumps `runs`, records what it saw and waits for `release` to reach its
 * run number before it returns (the runtime then calls CPU_OFF). */
static unsigned runs, release;
static uint64_t seen_idx, seen_mpidr, seen_timer_ctl;

void guest_secondary_main(unsigned idx)
{
    WRITE_ONCE(seen_idx, idx);
    WRITE_ONCE(seen_mpidr, this_mpidr());
    WRITE_ONCE(seen_timer_ctl, read_sysreg(cntv_ctl_el0) | read_sysreg(cntp_ctl_el0) << 8);
    unsigned run = __atomic_add_fetch(&runs, 1, __ATOMIC_ACQ_REL);
    WAIT_EVENT(READ_ONCE(release) >= run);
    /* Leave both timers enabled (far in the future, masked): CPU_ON must reset them. */
    write_sysreg(~0UL >> 1, cntv_cval_el0);
    write_sysreg(~0UL >> 1, cntp_cval_el0);
    write_sysreg(3, cntv_ctl_el0);
    write_sysreg(3, cntp_ctl_el0);
    isb();
}

static int64_t affinity(uint64_t mpidr)
{
    return psci_call(PSCI_64(PSCI_AFFINITY_INFO), mpidr, 0, 0);
}

/* An SMCCC call over SMC #0 that may instead be undefined (no EL3 and no hypervisor trapping
 * SMC).  Returns the result, or sets *undef. */
static int64_t smc_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3, bool *undef)
{
    struct exc_record r;
    exc_expect();
    int64_t ret = smccc_smc(fn, a1, a2, a3);
    *undef = exc_taken(&r);
    if (*undef && ESR_EC(r.esr) != EC_UNKNOWN)
        test_fail_stop("smc_undef", "SMC #0 raised ESR %#lx, not an undefined instruction", r.esr);
    return ret;
}

/* As smc_call, over HVC #0. */
static int64_t hvc_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3, bool *undef)
{
    struct exc_record r;
    exc_expect();
    int64_t ret = smccc_hvc(fn, a1, a2, a3);
    *undef = exc_taken(&r);
    if (*undef && ESR_EC(r.esr) != EC_UNKNOWN)
        test_fail_stop("hvc_undef", "HVC #0 raised ESR %#lx, not an undefined instruction", r.esr);
    return ret;
}

static void versions(void)
{
    int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);
    check(v == 0x10001, "psci_version", "PSCI_VERSION = %#lx, want 0x10001 (1.1)", v);
    v = psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    check(v == 2, "psci_migrate_info_type", "MIGRATE_INFO_TYPE = %ld, want 2 (no Trusted OS)", v);
    int64_t f = psci_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
    if (!plat.hypervisor && f == PSCI_NOT_SUPPORTED) {
        /* SMCCC 1.0 firmware (QEMU's own PSCI) has no SMCCC_VERSION; a hypervisor must. */
        note("smccc_version: SMCCC 1.0 here (PSCI_FEATURES(SMCCC_VERSION) = -1)");
        return;
    }
    check(f == 0, "psci_features_smccc_version", "PSCI_FEATURES(SMCCC_VERSION) = %ld, want 0", f);
    v = psci_call(SMCCC_VERSION, 0, 0, 0);
    check(v >= 0x10001 && v < 0x20000, "smccc_version",
          "SMCCC_VERSION = %#lx, want 1.1 or a later 1.x", v);
    f = psci_call(SMCCC_ARCH_FEATURES, 0x80000100u, 0, 0);
    check(f == PSCI_NOT_SUPPORTED, "smccc_arch_features_unknown",
          "SMCCC_ARCH_FEATURES(unassigned 0x80000100) = %ld, want -1", f);
    f = psci_call(SMCCC_ARCH_FEATURES, ARCH_WORKAROUND_1, 0, 0);
    check(f == 0 || f == 1 || f == PSCI_NOT_SUPPORTED, "smccc_arch_features_workaround1",
          "SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1) = %ld, want 0, 1 or -1", f);
}

static void features(void)
{
    static const uint32_t supported[] = {
        PSCI_VERSION,           PSCI_CPU_OFF,       PSCI_CPU_ON,
        PSCI_64(PSCI_CPU_ON),   PSCI_AFFINITY_INFO, PSCI_64(PSCI_AFFINITY_INFO),
        PSCI_SYSTEM_OFF,        PSCI_SYSTEM_RESET,  PSCI_FEATURES,
        PSCI_MIGRATE_INFO_TYPE,
    };
    static const uint32_t unsupported[] = { SMCCC_UNASSIGNED_STD, PSCI_64(SMCCC_UNASSIGNED_STD),
                                            SMCCC_SIP_CALL, 0x8400FFFFu };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(supported); i++) {
        int64_t f = psci_call(PSCI_FEATURES, supported[i], 0, 0);
        if (f != 0) {
            bad++;
            check(false, "psci_features_supported", "PSCI_FEATURES(%#x) = %ld, want 0",
                  supported[i], f);
        }
    }
    if (!bad)
        check(true, "psci_features_supported", "%u calls report 0",
              (unsigned)ARRAY_SIZE(supported));
    bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
        int64_t f = psci_call(PSCI_FEATURES, unsupported[i], 0, 0);
        if (f != PSCI_NOT_SUPPORTED) {
            bad++;
            check(false, "psci_features_unsupported", "PSCI_FEATURES(%#x) = %ld, want -1",
                  unsupported[i], f);
        }
    }
    if (!bad)
        check(true, "psci_features_unsupported", "%u ids report -1",
              (unsigned)ARRAY_SIZE(unsupported));
}

static void unknown_calls(void)
{
    /* Bare QEMU answers only the PSCI ids it knows; anything else is an undefined HVC there. */
    bool undef;
    int64_t r = hvc_call(SMCCC_UNASSIGNED_STD, 0, 0, 0, &undef);
    if (plat.hypervisor || !undef)
        check(!undef && r == PSCI_NOT_SUPPORTED, "psci_unknown_function",
              "HVC #0 with %#x: %s %ld, want -1", SMCCC_UNASSIGNED_STD,
              undef ? "undefined instruction," : "returned", r);
    else
        note("psci_unknown_function: undefined instruction on this machine (no hypervisor)");
    r = hvc_call(SMCCC_SIP_CALL, 0, 0, 0, &undef);
    if (plat.hypervisor || !undef)
        check(!undef && r == PSCI_NOT_SUPPORTED, "smccc_unknown_service",
              "HVC #0 with %#x (SiP): %s %ld, want -1", SMCCC_SIP_CALL,
              undef ? "undefined instruction," : "returned", r);
}

/* SMCCC 1.1: a call changes x0-x3 only. */
static void preserved_registers(void)
{
    uint64_t in[14], out[14];
    for (unsigned i = 0; i < 14; i++)
        in[i] = 0x0404040404040404UL * (i + 1) ^ 0x5a5a000000000000UL;
    __asm__ volatile("ldp x4, x5, [%0, #0]\n\t"
                     "ldp x6, x7, [%0, #16]\n\t"
                     "ldp x8, x9, [%0, #32]\n\t"
                     "ldp x10, x11, [%0, #48]\n\t"
                     "ldp x12, x13, [%0, #64]\n\t"
                     "ldp x14, x15, [%0, #80]\n\t"
                     "ldp x16, x17, [%0, #96]\n\t"
                     "mov x0, #0x84000000\n\t" /* PSCI_VERSION */
                     "hvc #0\n\t"
                     "stp x4, x5, [%1, #0]\n\t"
                     "stp x6, x7, [%1, #16]\n\t"
                     "stp x8, x9, [%1, #32]\n\t"
                     "stp x10, x11, [%1, #48]\n\t"
                     "stp x12, x13, [%1, #64]\n\t"
                     "stp x14, x15, [%1, #80]\n\t"
                     "stp x16, x17, [%1, #96]"
                     :
                     : "r"(in), "r"(out)
                     : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    unsigned i = 0;
    while (i < 14 && in[i] == out[i])
        i++;
    if (plat.psci != CONDUIT_HVC) {
        note("smccc_preserves_x4_x17: skipped, PSCI is not over HVC");
        return;
    }
    check(i == 14, "smccc_preserves_x4_x17",
          i == 14 ? "x4-x17 unchanged by PSCI_VERSION" : "x%u changed: %#lx -> %#lx", i + 4,
          i < 14 ? in[i] : 0, i < 14 ? out[i] : 0);
}

static void boot_state(void)
{
    const uint64_t *e = guest_entry_regs[0];
    check(e[ENTRY_EL] == 1 << 2 && e[ENTRY_SPSEL] == 1, "boot_el1h",
          "CurrentEL %#lx SPSel %lu at entry, want EL1 with SP_EL1", e[ENTRY_EL], e[ENTRY_SPSEL]);
    check(e[ENTRY_DAIF] == ENTRY_DAIF_ALL, "boot_daif_masked", "DAIF %#lx at entry, want 0x3c0",
          e[ENTRY_DAIF]);
    check(!(e[ENTRY_SCTLR] & (SCTLR_M | SCTLR_C)), "boot_mmu_off",
          "SCTLR_EL1 %#lx at entry, want M and C clear", e[ENTRY_SCTLR]);
    check(!e[ENTRY_X1] && !e[ENTRY_X2] && !e[ENTRY_X3], "boot_x1_x3_zero",
          "x1 %#lx x2 %#lx x3 %#lx at entry", e[ENTRY_X1], e[ENTRY_X2], e[ENTRY_X3]);
}

/* State of vCPU 1 at its PSCI entry: EL1h, everything masked, MMU and data cache off, x0 =
 * the context we passed.  `run` names the power-on cycle in the check. */
static void secondary_entry_state(unsigned run)
{
    const uint64_t *e = guest_entry_regs[1];
    char name[48];
    snprintf(name, sizeof(name), "cpu_on_reset_state_%u", run);
    bool ok = e[ENTRY_EL] == 1 << 2 && e[ENTRY_SPSEL] == 1 && e[ENTRY_DAIF] == ENTRY_DAIF_ALL &&
              !(e[ENTRY_SCTLR] & (SCTLR_M | SCTLR_C)) && e[ENTRY_X0] == 1 &&
              READ_ONCE(seen_idx) == 1 && READ_ONCE(seen_mpidr) == plat.mpidr[1];
    check(ok, name, "CurrentEL %#lx SPSel %lu DAIF %#lx SCTLR %#lx x0 %#lx MPIDR %#lx", e[ENTRY_EL],
          e[ENTRY_SPSEL], e[ENTRY_DAIF], e[ENTRY_SCTLR], e[ENTRY_X0], READ_ONCE(seen_mpidr));
    /* Arm ARM D11.2: the timers' ENABLE and IMASK reset to 0, although the last run left both
     * set. */
    snprintf(name, sizeof(name), "cpu_on_timers_reset_%u", run);
    uint64_t ctl = READ_ONCE(seen_timer_ctl);
    check((ctl & 0x303) == 0, name, "CNTV_CTL %#lx CNTP_CTL %#lx at entry",
          (unsigned long)(ctl & 7), (unsigned long)((ctl >> 8) & 7));
}

/* Start vCPU 1 (over HVC, or SMC if via_smc), see it run, and stop it again. */
static void power_cycle(unsigned run, bool via_smc)
{
    uint64_t mpidr1 = plat.mpidr[1];
    char name[48];
    int64_t r;
    if (via_smc) {
        bool undef;
        r = smc_call(PSCI_64(PSCI_CPU_ON), mpidr1, (uintptr_t)guest_secondary_entry, 1, &undef);
        if (undef) {
            check(!plat.hypervisor, "smc_cpu_on", "SMC #0 undefined%s",
                  plat.hypervisor ? " under a hypervisor" : " on bare hardware, as expected");
            return;
        }
    } else {
        r = psci_cpu_on_index(1);
    }
    snprintf(name, sizeof(name), "%s_%u", via_smc ? "smc_cpu_on" : "cpu_on", run);
    if (!check(r == PSCI_SUCCESS, name, "CPU_ON(%#lx) = %ld, want 0", mpidr1, r))
        return;
    bool ran = WAIT_EVENT(READ_ONCE(runs) == run);
    snprintf(name, sizeof(name), "cpu_on_runs_%u", run);
    if (!check(ran, name, "vCPU 1 ran %u times, want %u", READ_ONCE(runs), run))
        return;
    secondary_entry_state(run);
    r = affinity(mpidr1);
    snprintf(name, sizeof(name), "affinity_info_on_%u", run);
    check(r == PSCI_AFF_ON, name, "AFFINITY_INFO(vCPU 1) = %ld while it runs, want 0", r);
    r = psci_cpu_on_index(1);
    snprintf(name, sizeof(name), "cpu_on_already_on_%u", run);
    check(r == PSCI_ALREADY_ON, name, "CPU_ON of running vCPU 1 = %ld, want -4", r);
    WRITE_ONCE(release, run);
    bool off = WAIT_EVENT(affinity(mpidr1) == PSCI_AFF_OFF);
    snprintf(name, sizeof(name), "cpu_off_affinity_off_%u", run);
    check(off, name, "AFFINITY_INFO(vCPU 1) = %ld after its CPU_OFF, want 1", affinity(mpidr1));
}

static void cpu_on_errors(void)
{
    uint64_t entry = (uintptr_t)guest_secondary_entry;
    int64_t r = psci_call(PSCI_64(PSCI_CPU_ON), 0xff, entry, 1);
    check(r == PSCI_INVALID_PARAMETERS, "cpu_on_bad_mpidr", "CPU_ON(0xff) = %ld, want -2", r);
    r = psci_call(PSCI_64(PSCI_CPU_ON), 0x8000, entry, 1);
    check(r == PSCI_INVALID_PARAMETERS, "cpu_on_bad_mpidr_aff1", "CPU_ON(0x8000) = %ld, want -2",
          r);
    r = psci_call(PSCI_64(PSCI_CPU_ON), this_mpidr(), entry, 0);
    check(r == PSCI_ALREADY_ON, "cpu_on_self", "CPU_ON(own MPIDR %#lx) = %ld, want -4",
          this_mpidr(), r);
    r = affinity(0xff);
    check(r == PSCI_INVALID_PARAMETERS, "affinity_info_bad_mpidr",
          "AFFINITY_INFO(0xff) = %ld, want -2", r);
    r = affinity(this_mpidr());
    check(r == PSCI_AFF_ON, "affinity_info_self", "AFFINITY_INFO(self) = %ld, want 0", r);
    r = psci_call(PSCI_64(PSCI_AFFINITY_INFO), this_mpidr(), 1, 0);
    /* Levels above 0 are optional (PSCI 1.1, 5.1.5); Keel, like Xen, refuses them.  QEMU
     * answers 0 ("on") for them. */
    if (plat.hypervisor)
        check(r == PSCI_INVALID_PARAMETERS, "affinity_info_level1",
              "AFFINITY_INFO(self, level 1) = %ld, want -2", r);
    else
        check(r == PSCI_INVALID_PARAMETERS || r == PSCI_AFF_ON, "affinity_info_level1",
              "AFFINITY_INFO(self, level 1) = %ld, want -2 or 0", r);
    if (plat.nr_cpus < 2)
        return;
    r = affinity(plat.mpidr[1]);
    check(r == PSCI_AFF_OFF, "affinity_info_off_before", "AFFINITY_INFO(vCPU 1) = %ld, want 1", r);
    /* SMC32 calls take 32-bit arguments (SMCCC 1.1, 2.6): the upper half of x1 is ignored. */
    r = psci_call(PSCI_AFFINITY_INFO, 0xffffffff00000000UL | plat.mpidr[1], 0, 0);
    if (plat.hypervisor)
        check(r == PSCI_AFF_OFF, "affinity_info32_upper_bits",
              "AFFINITY_INFO32(0xffffffff:%#lx) = %ld, want 1", plat.mpidr[1], r);
    if (plat.hypervisor) {
        r = psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[1], entry + 2, 1);
        check(r == PSCI_INVALID_ADDRESS, "cpu_on_misaligned_entry",
              "CPU_ON(entry %#lx) = %ld, want -9", entry + 2, r);
    }
}

/* CPU_SUSPEND is mandatory from PSCI 0.2 on (DEN 0022D, 5.1); a standby state (power_state
 * 0) returns 0 once a wake-up event arrives, here a virtual timer interrupt that PSTATE.I
 * keeps masked. */
static void cpu_suspend(void)
{
    int64_t f = psci_call(PSCI_FEATURES, PSCI_64(PSCI_CPU_SUSPEND), 0, 0);
    check(f >= 0, "psci_features_cpu_suspend",
          "PSCI_FEATURES(CPU_SUSPEND64) = %ld, want flags >= 0 (the call is mandatory)", f);
    if (f < 0 || !gic_init() || !gic_cpu_init(false)) {
        check(false, "psci_cpu_suspend_standby", "not tried (%s)",
              f < 0 ? "not offered" : "no GIC to wake us");
        return;
    }
    unsigned ppi = plat.timer_virt_ppi;
    gic_enable(ppi);
    uint64_t t0 = timer_now(), cval = t0 + timer_us_to_ticks(5000);
    vtimer_set_cval(cval);
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    int64_t r = psci_call(PSCI_64(PSCI_CPU_SUSPEND), 0, (uintptr_t)guest_secondary_entry, 0);
    uint64_t t1 = timer_now();
    vtimer_set_ctl(0);
    gic_disable(ppi);
    check(r == PSCI_SUCCESS && t1 >= cval, "psci_cpu_suspend_standby",
          "CPU_SUSPEND(standby) = %ld after %lu us, the timer was due after 5000 us", r,
          (t1 - t0) * 1000000 / timer_freq());
}

/* SMC with an immediate other than 0 is no SMCCC call: an undefined instruction reported at
 * the SMC itself, x0 untouched (as Xen does; bare at EL1 with no EL3 every SMC is undefined). */
static void smc_other_immediate(void)
{
    static const char *const names[] = { "smc_imm1_undef", "smc_imm_ffff_undef" };
    for (unsigned i = 0; i < 2; i++) {
        struct exc_record r;
        uint64_t at, x0;
        exc_expect();
        if (i == 0)
            __asm__ volatile("mov x0, %2\n\t"
                             "adr %0, 1f\n"
                             "1: smc #1\n\t"
                             "nop\n\t"
                             "mov %1, x0"
                             : "=&r"(at), "=r"(x0)
                             : "r"((uint64_t)PSCI_VERSION)
                             : "x0", "x1", "x2", "x3", "memory");
        else
            __asm__ volatile("mov x0, %2\n\t"
                             "adr %0, 1f\n"
                             "1: smc #0xffff\n\t"
                             "nop\n\t"
                             "mov %1, x0"
                             : "=&r"(at), "=r"(x0)
                             : "r"((uint64_t)PSCI_VERSION)
                             : "x0", "x1", "x2", "x3", "memory");
        bool taken = exc_taken(&r);
        check(taken && ESR_EC(r.esr) == EC_UNKNOWN && (r.esr & ESR_IL) && r.elr == at &&
                  x0 == PSCI_VERSION,
              names[i], "%s ESR %#lx, ELR %s, x0 %#lx afterwards (want EC 0, at the SMC, x0 kept)",
              taken ? "exception," : "NO EXCEPTION,", r.esr,
              r.elr == at ? "at the SMC" : "elsewhere", x0);
    }
}

static void smc_conduit(void)
{
    bool undef;
    int64_t v = smc_call(PSCI_VERSION, 0, 0, 0, &undef);
    if (!plat.hypervisor && undef) {
        check(true, "smc_psci_version", "SMC #0 is undefined here (no EL3, no hypervisor)");
        return;
    }
    check(!undef && v == 0x10001, "smc_psci_version", "SMC #0 PSCI_VERSION: %s %#lx",
          undef ? "undefined instruction," : "returned", v);
    v = smc_call(PSCI_64(PSCI_AFFINITY_INFO), this_mpidr(), 0, 0, &undef);
    check(!undef && v == PSCI_AFF_ON, "smc_affinity_info", "SMC #0 AFFINITY_INFO(self): %s %ld",
          undef ? "undefined instruction," : "returned", v);
    v = smc_call(SMCCC_UNASSIGNED_STD, 0, 0, 0, &undef);
    check(!undef && v == PSCI_NOT_SUPPORTED, "smc_unknown_function",
          "SMC #0 with %#x: %s %ld, want -1", SMCCC_UNASSIGNED_STD,
          undef ? "undefined instruction," : "returned", v);
    if (plat.nr_cpus >= 2)
        power_cycle(3, true);
}

/* How much longer a yield takes than a PSCI_VERSION call, in tenths: the median over
 * YIELD_RUNS runs of YIELDS of each, interleaved so that a slow host slows both alike. */
static uint64_t yield_cost_tenths(void)
{
    uint64_t ratio[YIELD_RUNS];
    for (unsigned run = 0; run < YIELD_RUNS; run++) {
        uint64_t y = 0, p = 0;
        for (unsigned i = 0; i < YIELDS; i++) {
            uint64_t t0 = timer_now();
            xen_yield();
            uint64_t t1 = timer_now();
            psci_call(PSCI_VERSION, 0, 0, 0);
            y += t1 - t0;
            p += timer_now() - t1;
        }
        ratio[run] = y * 10 / (p ? p : 1);
    }
    for (unsigned i = 1; i < YIELD_RUNS; i++) /* insertion sort */
        for (unsigned j = i; j > 0 && ratio[j - 1] > ratio[j]; j--) {
            uint64_t t = ratio[j];
            ratio[j] = ratio[j - 1];
            ratio[j - 1] = t;
        }
    return ratio[YIELD_RUNS / 2];
}

/*
 * vCPU 1 started where nothing is mapped: its first fetch aborts, and so does the fetch of the
 * abort vector (VBAR_EL1 is 0 after the reset), for ever; CPU_ON itself succeeds (Xen: 0).
 * On hardware that loop costs its own core only.  Under a hypervisor it must not cost the
 * other vCPUs their CPU: when they share one, a yield must not hand it to the stuck vCPU for
 * a turn of its abort loop (before, that made every yield some thirty times dearer than a
 * PSCI call, and all work of the domain as much slower).  Last: vCPU 1 stays stuck until the
 * domain ends.
 */
static void cpu_on_unmapped(void)
{
    if (!plat.hypervisor) {
        note("cpu_on_unmapped: skipped, no hypervisor (nothing to yield to)");
        return;
    }
    uint64_t before = yield_cost_tenths();
    int64_t r = psci_call(PSCI_64(PSCI_CPU_ON), plat.mpidr[1], UNMAPPED_ENTRY, 1);
    int64_t aff = affinity(plat.mpidr[1]);
    check(r == PSCI_SUCCESS && aff == PSCI_AFF_ON, "cpu_on_unmapped_entry",
          "CPU_ON(entry %#lx) = %ld, then AFFINITY_INFO = %ld (want 0, 0)", UNMAPPED_ENTRY, r, aff);
    uint64_t pcpus;
    if (!bootarg_uint("guest.pcpus=", &pcpus) || pcpus != 1) {
        /* With a pCPU each, a stuck vCPU costs the other nothing, and a yield may move vCPU 0
         * to the idle pCPU, which costs as much as the loop did: nothing to tell apart. */
        note("cpu_on_unmapped_no_slowdown: only on one physical CPU (guest.pcpus=1)");
        return;
    }
    for (unsigned i = 0; i < 3; i++) /* let it reach its abort vector */
        xen_yield();
    uint64_t after = yield_cost_tenths();
    check(after < 80, "cpu_on_unmapped_no_slowdown",
          "a yield costs %lu.%lu PSCI calls with vCPU 1 off, %lu.%lu with it stuck at an "
          "unmapped entry (want under 8)",
          before / 10, before % 10, after / 10, after % 10);
    /* Now with an interrupt pending for it, enabled, which it cannot take either (its IRQ
     * vector is on the same unmapped page): that must not make it spin instead. */
    uint64_t sgi = gic_rdist_of(plat.mpidr[1]) + GICR_SGI_BASE;
    mmio_write32(sgi + GICR_IGROUPR0, mmio_read32(sgi + GICR_IGROUPR0) | 1u << STUCK_SGI);
    mmio_write32(sgi + GICR_ISENABLER0, 1u << STUCK_SGI);
    gic_send_sgi(STUCK_SGI, plat.mpidr[1]);
    for (unsigned i = 0; i < 3; i++)
        xen_yield();
    uint64_t pending = yield_cost_tenths();
    check(pending < 80, "cpu_on_unmapped_pending_irq",
          "a yield costs %lu.%lu PSCI calls with vCPU 1 stuck and SGI %u pending for it "
          "(want under 8, as with none pending: %lu.%lu)",
          pending / 10, pending % 10, STUCK_SGI, after / 10, after % 10);
}

void guest_main(void *dtb)
{
    if (plat.psci == CONDUIT_NONE)
        test_fail_stop("psci_node", "the DT has no /psci node with a method");
    boot_state();
    versions();
    features();
    unknown_calls();
    preserved_registers();
    workaround_checks();
    cpu_on_errors();
    smc_other_immediate();
    if (plat.nr_cpus < 2) {
        check(false, "two_vcpus", "%u vCPU(s): this guest needs 2", plat.nr_cpus);
        return;
    }
    cpu_suspend();
    power_cycle(1, false);
    power_cycle(2, false); /* again after CPU_OFF: a fresh reset state */
    smc_conduit();
    cpu_on_unmapped();
}
