/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the Spectre classification (hyp/arch/arm64/spectre.c): a table of CPUs (MIDR
 * and ID registers), firmware answers and the bhb_loop= option, against the exit path, the
 * states and the guests' SMCCC_ARCH_FEATURES answers each must give; and how two CPUs'
 * answers combine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <arm64/spectre.h>

/* MIDR_EL1 values (implementer 0x41 = Arm, variant, part, revision). */
#define A57 0x411fd070u
#define A72 0x410fd083u
#define A73 0x410fd090u
#define A75 0x412fd0a0u
#define A53 0x410fd034u
#define A76 0x414fd0b1u
#define N1 0x413fd0c1u
#define A78 0x411fd410u
#define A710 0x412fd471u
#define X3 0x411fd4e0u
#define A720 0x410fd810u
#define QEMU_MAX 0x000f0510u /* implementer 0 ("software"), part 'Q' */
#define OTHER 0x510f8000u    /* a core not in Arm's lists */

/* ID register fields. */
#define CSV2(n) ((uint64_t)(n) << 56)
#define SSBS(n) ((uint64_t)(n) << 4)
#define ECBHB ((uint64_t)1 << 60)
#define CLRBHB ((uint64_t)1 << 28)

#define NS SMCCC_NOT_SUPPORTED
#define NR SMCCC_NOT_REQUIRED
#define UA SMCCC_WA_UNAFFECTED
#define NOFW                                                                                       \
    {                                                                                              \
        NS, NS, NS                                                                                 \
    }

#define U SPECTRE_UNAFFECTED
#define M SPECTRE_MITIGATED
#define V SPECTRE_VULNERABLE
#define K SPECTRE_UNKNOWN

struct row {
    const char *what;
    struct spectre_cpu cpu;
    struct spectre_fw fw;
    unsigned force;
    enum spectre_exit exit;
    unsigned loops;
    enum spectre_state v2, bhb, v4;
    int32_t g1, g2, g3;
    bool ssbd_on;
};

static const struct row rows[] = {
    /* QEMU's cortex-a57: its PSCI has no SMCCC 1.1, so no firmware WA1: v2 cannot be
     * mitigated, and the history alone is not worth the loop. */
    { "a57 qemu", { A57, 0, 0, 0, 0 }, NOFW, 0, SPECTRE_EXIT_NONE, 0, V, V, V, NS, NS, NS },
    { "a57 fw wa1 wa2",
      { A57, 0, 0, 0, 0 },
      { 0, 0, NS },
      0,
      SPECTRE_EXIT_FW_WA1_LOOP,
      8,
      M,
      M,
      M,
      0,
      NR,
      0,
      true },
    { "a57 fw wa1 wa3",
      { A57, 0, 0, 0, 0 },
      { 0, NR, 0 },
      0,
      SPECTRE_EXIT_FW_WA3,
      0,
      M,
      M,
      M,
      0,
      NR,
      0 },
    { "a72 fw wa3 only",
      { A72, 0, 0, 0, 0 },
      { NS, UA, 0 },
      0,
      SPECTRE_EXIT_FW_WA3,
      0,
      M,
      M,
      U,
      0,
      NR,
      0 },
    { "a72 fw wa1",
      { A72, 0, 0, 0, 0 },
      { 0, NS, NS },
      0,
      SPECTRE_EXIT_FW_WA1_LOOP,
      8,
      M,
      M,
      V,
      0,
      NS,
      0 },
    { "a73 no fw", { A73, 0, 0, 0, 0 }, NOFW, 0, SPECTRE_EXIT_NONE, 0, V, V, V, NS, NS, NS },
    { "a73 fw wa1 wa3",
      { A73, 0, 0, 0, 0 },
      { 0, NR, 0 },
      0,
      SPECTRE_EXIT_FW_WA3,
      0,
      M,
      M,
      M,
      0,
      NR,
      0 },
    /* The firmware mitigates v2 but not the history: WA1 at exits, WA3 refused. */
    { "a75 fw wa1 only",
      { A75, 0, 0, 0, 0 },
      { 0, NR, NS },
      0,
      SPECTRE_EXIT_FW_WA1,
      0,
      M,
      V,
      M,
      0,
      NR,
      NS },
    { "a53", { A53, 0, 0, 0, 0 }, NOFW, 0, SPECTRE_EXIT_NONE, 0, U, U, U, UA, NR, UA },
    { "a76", { A76, CSV2(1), SSBS(2), 0, 0 }, NOFW, 0, SPECTRE_EXIT_LOOP, 24, U, M, M, UA, NS, 0 },
    { "n1", { N1, CSV2(1), SSBS(2), 0, 0 }, NOFW, 0, SPECTRE_EXIT_LOOP, 24, U, M, M, UA, NS, 0 },
    { "a78", { A78, CSV2(1), SSBS(2), 0, 0 }, NOFW, 0, SPECTRE_EXIT_LOOP, 32, U, M, M, UA, NS, 0 },
    { "a720",
      { A720, CSV2(1), SSBS(2), 0, 0 },
      NOFW,
      0,
      SPECTRE_EXIT_LOOP,
      38,
      U,
      M,
      M,
      UA,
      NS,
      0 },
    { "x3", { X3, CSV2(1), SSBS(2), 0, 0 }, NOFW, 0, SPECTRE_EXIT_LOOP, 132, U, M, M, UA, NS, 0 },
    { "a710 clrbhb",
      { A710, CSV2(1), SSBS(2), 0, CLRBHB },
      NOFW,
      0,
      SPECTRE_EXIT_CLRBHB,
      0,
      U,
      M,
      M,
      UA,
      NS,
      0 },
    { "a78 ecbhb",
      { A78, CSV2(1), SSBS(2), ECBHB, 0 },
      NOFW,
      0,
      SPECTRE_EXIT_NONE,
      0,
      U,
      U,
      M,
      UA,
      NS,
      UA },
    { "a78 csv2_3",
      { A78, CSV2(3), SSBS(2), 0, 0 },
      NOFW,
      0,
      SPECTRE_EXIT_NONE,
      0,
      U,
      U,
      M,
      UA,
      NS,
      UA },
    /* QEMU's max: CSV2 and SSBS, not a core Arm lists, no firmware to ask: nobody knows its
     * branch history, and WA3 is refused rather than claimed. */
    { "qemu max",
      { QEMU_MAX, CSV2(2), SSBS(2), 0, 0 },
      NOFW,
      0,
      SPECTRE_EXIT_NONE,
      0,
      U,
      K,
      M,
      UA,
      NS,
      NS },
    { "qemu max bhb_loop=8",
      { QEMU_MAX, CSV2(2), SSBS(2), 0, 0 },
      NOFW,
      8,
      SPECTRE_EXIT_LOOP,
      8,
      U,
      M,
      M,
      UA,
      NS,
      0 },
    /* Forced on a CPU whose v2 is open: the loop runs, but nothing is promised. */
    { "a57 qemu bhb_loop=8",
      { A57, 0, 0, 0, 0 },
      NOFW,
      8,
      SPECTRE_EXIT_LOOP,
      8,
      V,
      V,
      V,
      NS,
      NS,
      NS },
    { "a53 bhb_loop=3", { A53, 0, 0, 0, 0 }, NOFW, 3, SPECTRE_EXIT_LOOP, 3, U, U, U, UA, NR, UA },
    { "other clrbhb",
      { OTHER, CSV2(1), 0, 0, CLRBHB },
      NOFW,
      0,
      SPECTRE_EXIT_CLRBHB,
      0,
      U,
      M,
      V,
      UA,
      NS,
      0 },
    { "other fw all",
      { OTHER, 0, 0, 0, 0 },
      { 0, 0, 0 },
      0,
      SPECTRE_EXIT_FW_WA3,
      0,
      M,
      M,
      M,
      0,
      NR,
      0,
      true },
    { "other fw unaffected",
      { OTHER, 0, 0, 0, 0 },
      { UA, UA, UA },
      0,
      SPECTRE_EXIT_NONE,
      0,
      U,
      U,
      U,
      UA,
      NR,
      UA },
    { "other fw wa1",
      { OTHER, 0, 0, 0, 0 },
      { 0, NR, NS },
      0,
      SPECTRE_EXIT_FW_WA1,
      0,
      M,
      K,
      M,
      0,
      NR,
      NS },
    { "other fw nonsense",
      { OTHER, 0, 0, 0, 0 },
      { 7, -9, 12345 },
      0,
      SPECTRE_EXIT_NONE,
      0,
      V,
      K,
      V,
      NS,
      NS,
      NS },
};

static void test_table(void **state)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct spectre_plan p;
        spectre_classify(&r->cpu, &r->fw, r->force, &p);
        bool ok = p.exit == r->exit && p.v2 == r->v2 && p.bhb == r->bhb && p.v4 == r->v4 &&
                  p.guest_wa1 == r->g1 && p.guest_wa2 == r->g2 && p.guest_wa3 == r->g3 &&
                  p.fw_ssbd_on == r->ssbd_on &&
                  (r->exit != SPECTRE_EXIT_LOOP && r->exit != SPECTRE_EXIT_FW_WA1_LOOP
                       ? true
                       : p.bhb_loops == r->loops);
        if (!ok)
            fail_msg("%s: exit %d loops %u v2 %d bhb %d v4 %d wa %d %d %d ssbd %d; want exit %d "
                     "loops %u v2 %d bhb %d v4 %d wa %d %d %d ssbd %d",
                     r->what, p.exit, p.bhb_loops, p.v2, p.bhb, p.v4, p.guest_wa1, p.guest_wa2,
                     p.guest_wa3, p.fw_ssbd_on, r->exit, r->loops, r->v2, r->bhb, r->v4, r->g1,
                     r->g2, r->g3, r->ssbd_on);
    }
}

/* Whatever the inputs, the answers are ones SMCCC defines for each call, and WA3 never
 * promises more than WA1 (it does WA1's job too). */
static void test_answers_consistent(void **state)
{
    static const uint32_t midrs[] = {
        A57, A72, A73, A75, A53, A76, A78, A710, X3, QEMU_MAX, OTHER
    };
    static const int32_t fws[] = { NS, NR, 0, UA, 5 };
    for (size_t m = 0; m < sizeof(midrs) / sizeof(midrs[0]); m++)
        for (unsigned bits = 0; bits < 32; bits++)
            for (size_t a = 0; a < 5; a++)
                for (size_t b = 0; b < 5; b++)
                    for (size_t c = 0; c < 5; c++) {
                        struct spectre_cpu cpu = { midrs[m], CSV2(bits & 3), SSBS(bits >> 2 & 1),
                                                   bits & 8 ? ECBHB : 0, bits & 16 ? CLRBHB : 0 };
                        struct spectre_fw fw = { fws[a], fws[b], fws[c] };
                        struct spectre_plan p;
                        spectre_classify(&cpu, &fw, 0, &p);
                        assert_true(p.guest_wa1 == 0 || p.guest_wa1 == UA || p.guest_wa1 == NS);
                        assert_true(p.guest_wa2 == NR || p.guest_wa2 == NS);
                        assert_true(p.guest_wa3 == 0 || p.guest_wa3 == UA || p.guest_wa3 == NS);
                        if (p.guest_wa3 == UA)
                            assert_int_equal(p.guest_wa1, UA);
                        if (p.guest_wa3 == 0)
                            assert_true(p.guest_wa1 != NS);
                        /* Claimed mitigated only with something at the exit that does it. */
                        if (p.guest_wa1 == 0)
                            assert_true(p.exit >= SPECTRE_EXIT_FW_WA1);
                        if (p.bhb == SPECTRE_MITIGATED)
                            assert_true(p.exit != SPECTRE_EXIT_NONE &&
                                        p.exit != SPECTRE_EXIT_FW_WA1);
                        /* A firmware call only where the firmware said it has it. */
                        if (p.exit >= SPECTRE_EXIT_FW_WA1 && p.exit <= SPECTRE_EXIT_FW_WA1_CLRBHB)
                            assert_int_equal(fw.wa1, 0);
                        if (p.exit == SPECTRE_EXIT_FW_WA3)
                            assert_int_equal(fw.wa3, 0);
                        if (p.fw_ssbd_on)
                            assert_int_equal(fw.wa2, 0);
                        if (p.exit == SPECTRE_EXIT_LOOP || p.exit == SPECTRE_EXIT_FW_WA1_LOOP)
                            assert_true(p.bhb_loops > 0);
                    }
}

static void test_merge(void **state)
{
    assert_int_equal(spectre_merge_answer(UA, UA), UA);
    assert_int_equal(spectre_merge_answer(UA, 0), 0);
    assert_int_equal(spectre_merge_answer(0, UA), 0);
    assert_int_equal(spectre_merge_answer(0, NS), NS);
    assert_int_equal(spectre_merge_answer(NS, UA), NS);
    assert_int_equal(spectre_merge_answer(NR, NR), NR);
    assert_int_equal(spectre_merge_answer(NR, NS), NS);
}

static void test_state_names(void **state)
{
    assert_string_equal(spectre_state_name(SPECTRE_VULNERABLE), "VULNERABLE");
    assert_string_equal(spectre_state_name((enum spectre_state)9), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_answers_consistent),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
