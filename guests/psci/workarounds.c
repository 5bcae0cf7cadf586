/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMCCC_ARCH_WORKAROUND_1/2/3 (Arm DEN 0028; Spectre-v2, -v4 and -BHB) as a guest sees them:
 * SMCCC_ARCH_FEATURES answers only values SMCCC defines for each, agrees with the ID registers
 * the guest sees (CSV2: WA1 not needed; SSBS: no WA2 call, the guest has PSTATE.SSBS) and with
 * itself (WA3 does WA1's job too), and gives what this machine should: psci.role=max is QEMU's
 * max (CSV2, SSBS, a core Arm does not list), psci.role=bhb the same with Keel's bhb_loop=8,
 * and a Cortex-A57 under QEMU has no firmware SMCCC 1.1, so nothing can be promised.  The calls
 * return 0 when offered and -1 (unknown function) when not, over HVC and SMC, with random
 * arguments, and change no register but x0-x3; their SMC64 forms are unknown functions.
 */
#include "workarounds.h"
#include "arm.h"
#include "bootargs.h"
#include "smccc.h"
#include "test.h"

#define WA1 0x80008000u
#define WA2 0x80007FFFu
#define WA3 0x80003FFFu
#define SMC64_BIT 0x40000000u
#define NOT_REQUIRED (-2)
#define UNAFFECTED 1
#define ROUNDS 6
#define CORTEX_A57 0x410fd070u
#define MIDR_MODEL_MASK 0xff0ffff0u

static const uint32_t ids[3] = { WA1, WA2, WA3 };
static const char *const names[3] = { "wa1", "wa2", "wa3" };

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int32_t features(uint32_t id)
{
    return (int32_t)smccc_hvc(SMCCC_ARCH_FEATURES, id, 0, 0);
}

/* What the machine should answer, by role or CPU; false if there is no fixed expectation. */
static bool expected(int32_t want[3], const char **why)
{
    if (bootarg_is("psci.role", "max")) {
        want[0] = UNAFFECTED, want[1] = PSCI_NOT_SUPPORTED, want[2] = PSCI_NOT_SUPPORTED;
        *why = "QEMU max: CSV2, SSBS, branch history unknown";
        return true;
    }
    if (bootarg_is("psci.role", "bhb")) {
        want[0] = UNAFFECTED, want[1] = PSCI_NOT_SUPPORTED, want[2] = 0;
        *why = "QEMU max with bhb_loop=8: CSV2, SSBS, the loop at every exit";
        return true;
    }
    if (((uint32_t)read_sysreg(midr_el1) & MIDR_MODEL_MASK) == CORTEX_A57) {
        want[0] = want[1] = want[2] = PSCI_NOT_SUPPORTED;
        *why = "Cortex-A57 under QEMU: no firmware WA1 or WA2 to build on";
        return true;
    }
    return false;
}

static void answers(int32_t f[3])
{
    bool ok =
        (f[0] == 0 || f[0] == UNAFFECTED || f[0] == PSCI_NOT_SUPPORTED) &&
        (f[1] == 0 || f[1] == UNAFFECTED || f[1] == PSCI_NOT_SUPPORTED || f[1] == NOT_REQUIRED) &&
        (f[2] == 0 || f[2] == UNAFFECTED || f[2] == PSCI_NOT_SUPPORTED);
    check(ok, "wa_features_defined", "ARCH_FEATURES WA1 %d WA2 %d WA3 %d", f[0], f[1], f[2]);
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    bool csv2 = (pfr0 >> 56 & 0xf) != 0, ssbs = (pfr1 >> 4 & 0xf) != 0;
    check(!csv2 || f[0] == UNAFFECTED, "wa1_csv2", "CSV2 %d, WA1 %d", csv2, f[0]);
    check(!ssbs || f[1] == PSCI_NOT_SUPPORTED, "wa2_ssbs", "SSBS %d, WA2 %d", ssbs, f[1]);
    check((f[2] != UNAFFECTED || f[0] == UNAFFECTED) && (f[2] != 0 || f[0] != PSCI_NOT_SUPPORTED),
          "wa3_covers_wa1", "WA3 %d, WA1 %d", f[2], f[0]);
    /* SMC32 arguments are 32-bit: junk above bit 31 of x1 is not part of the id. */
    bool same = true;
    for (unsigned i = 0; i < 3; i++)
        same &= (int32_t)smccc_hvc(SMCCC_ARCH_FEATURES, rnd() << 32 | ids[i], rnd(), rnd()) == f[i];
    check(same, "wa_features_upper_bits", "ARCH_FEATURES ignores x1[63:32]");
    same = true;
    for (unsigned i = 0; i < 3; i++)
        same &= features(ids[i] | SMC64_BIT) == PSCI_NOT_SUPPORTED;
    check(same, "wa_features_smc64", "the SMC64 ids are not workarounds");
    int32_t want[3];
    const char *why;
    if (expected(want, &why))
        check(f[0] == want[0] && f[1] == want[1] && f[2] == want[2], "wa_features_machine",
              "%s: WA1 %d WA2 %d WA3 %d, want %d %d %d", why, f[0], f[1], f[2], want[0], want[1],
              want[2]);
}

/* One call with random registers: x0 as SMCCC says, x4-x28 unchanged. */
static bool call_once(uint32_t id, enum call_kind kind, int64_t want, const char **bad)
{
    uint64_t in[29], out[29];
    for (unsigned i = 0; i < 29; i++)
        in[i] = out[i] = rnd();
    in[0] = out[0] = id;
    if (id == WA2)
        in[1] = out[1] = rnd() & 1 ? 0 : rnd(); /* disable, or enable with any value */
    call_with_regs(out, kind);
    if ((int64_t)out[0] != want) {
        *bad = "x0";
        return false;
    }
    for (unsigned i = 4; i < 29; i++)
        if (out[i] != in[i]) {
            *bad = "x4-x28";
            return false;
        }
    return true;
}

static void calls(const int32_t f[3])
{
    for (unsigned i = 0; i < 3; i++) {
        int64_t want = f[i] == PSCI_NOT_SUPPORTED ? PSCI_NOT_SUPPORTED : 0;
        const char *bad = "";
        unsigned n = 0;
        bool ok = true;
        for (; ok && n < ROUNDS; n++)
            ok = call_once(ids[i], n & 1 ? CALL_SMC0 : CALL_HVC0, want, &bad);
        for (unsigned k = 0; ok && k < 2; k++)
            ok = call_once(ids[i] | SMC64_BIT, k ? CALL_SMC0 : CALL_HVC0, PSCI_NOT_SUPPORTED, &bad);
        if (ok)
            check(true, names[i], "%u calls over HVC and SMC returned %ld, SMC64 forms -1", n,
                  want);
        else
            check(false, names[i], "call %u: %s wrong (want x0 %ld)", n, bad, want);
    }
}

void workaround_checks(void)
{
    if (psci_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0) != 0) {
        note("workarounds: no SMCCC 1.1 here; not checked");
        return;
    }
    rng_state = read_sysreg(cntvct_el0) | 1;
    int32_t f[3];
    for (unsigned i = 0; i < 3; i++)
        f[i] = features(ids[i]);
    answers(f);
    calls(f);
}
