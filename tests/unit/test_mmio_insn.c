/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the decoder of loads and stores without an instruction syndrome
 * (hyp/arch/arm64/mmio_insn.c).  The instruction words come from the GNU assembler
 * (aarch64-linux-gnu-as), one per form; the expectations are the syndrome fields the Arm ARM
 * gives an access with ISV set (D17.2.37).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arm64/mmio_insn.h>
#include <arm64/sysreg.h>
#include <hyp/errno.h>

struct want {
    uint32_t insn;
    const char *text;
    unsigned sas, rt, rn;
    bool store, sse, sf, pre;
    int64_t imm;
};

static const struct want good[] = {
    { 0xb8408441, "ldr w1, [x2], #8", 2, 1, 2, false, false, false, false, 8 },
    { 0xf85f8483, "ldr x3, [x4], #-8", 3, 3, 4, false, false, true, false, -8 },
    { 0x384014c5, "ldrb w5, [x6], #1", 0, 5, 6, false, false, false, false, 1 },
    { 0x785fe507, "ldrh w7, [x8], #-2", 1, 7, 8, false, false, false, false, -2 },
    { 0xb8004549, "str w9, [x10], #4", 2, 9, 10, true, false, false, false, 4 },
    { 0x381fd58b, "strb w11, [x12], #-3", 0, 11, 12, true, false, false, false, -3 },
    { 0x780ff5cd, "strh w13, [x14], #255", 1, 13, 14, true, false, false, false, 255 },
    { 0xf810060f, "str x15, [x16], #-256", 3, 15, 16, true, false, true, false, -256 },
    { 0x38801651, "ldrsb x17, [x18], #1", 0, 17, 18, false, true, true, false, 1 },
    { 0x78c02693, "ldrsh w19, [x20], #2", 1, 19, 20, false, true, false, false, 2 },
    { 0xb88046d5, "ldrsw x21, [x22], #4", 2, 21, 22, false, true, true, false, 4 },
    { 0xb8404c41, "ldr w1, [x2, #4]!", 2, 1, 2, false, false, false, true, 4 },
    { 0xf81f0c83, "str x3, [x4, #-16]!", 3, 3, 4, true, false, true, true, -16 },
    { 0x38c01cc5, "ldrsb w5, [x6, #1]!", 0, 5, 6, false, true, false, true, 1 },
    { 0xb840445f, "ldr wzr, [x2], #4", 2, 31, 2, false, false, false, false, 4 },
    { 0xf800845f, "str xzr, [x2], #8", 3, 31, 2, true, false, true, false, 8 },
};

static void decodes_the_indexed_forms(void **state)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const struct want *w = &good[i];
        struct mmio_insn d;
        print_message("%s\n", w->text);
        assert_int_equal(mmio_insn_decode(w->insn, &d), 0);
        assert_true(d.iss & DABT_ISV);
        assert_int_equal(DABT_SAS(d.iss), w->sas);
        assert_int_equal(DABT_SRT(d.iss), w->rt);
        assert_int_equal(!!(d.iss & DABT_WNR), w->store);
        assert_int_equal(!!(d.iss & DABT_SSE), w->sse);
        if (!w->store)
            assert_int_equal(!!(d.iss & DABT_SF), w->sf);
        assert_int_equal(d.rn, w->rn);
        assert_int_equal(d.imm, w->imm);
        assert_int_equal(d.pre, w->pre);
        /* Nothing else in the syndrome: no S1PTW, CM, FnV, acquire/release. */
        assert_int_equal(
            d.iss & ~(DABT_ISV | (3UL << 22) | DABT_SSE | (31UL << 16) | DABT_SF | DABT_WNR), 0);
    }
}

static void refuses_everything_else(void **state)
{
    static const struct {
        uint32_t insn;
        const char *text;
    } bad[] = {
        { 0xb8404421, "ldr w1, [x1], #4 (Rn = Rt)" },
        { 0xb84047e1, "ldr w1, [sp], #4" },
        { 0xb8404041, "ldur w1, [x2, #4] (no writeback)" },
        { 0xb8404841, "ldtr w1, [x2, #4] (unprivileged)" },
        { 0xbc404420, "ldr s0, [x1], #4 (SIMD&FP)" },
        { 0x28c10861, "ldp w1, w2, [x3], #8" },
        { 0xb9400441, "ldr w1, [x2, #4] (unsigned offset)" },
        { 0xb8636841, "ldr w1, [x2, x3]" },
        { 0xf9800020, "prfm pldl1keep, [x1]" },
        { 0xf8800420, "size 3, opc 10, post-indexed: unallocated" },
        { 0xb8c00420, "size 2, opc 11, post-indexed: unallocated" },
        { 0x00000000, "udf #0" },
        { 0xffffffff, "all ones" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mmio_insn d;
        print_message("%s\n", bad[i].text);
        assert_int_equal(mmio_insn_decode(bad[i].insn, &d), -EOPNOTSUPP);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_the_indexed_forms),
        cmocka_unit_test(refuses_everything_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
