/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the ID registers guests see (hyp/arch/arm64/idregs.c), included here with the
 * host's ID registers replaced by a fake table: what is hidden, what is kept, and which trapped
 * encodings are answered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <arm64/sysreg.h>

/* Host values by name ("s3_0_c0_c<crm>_<op2>"); unlisted ones read as zero, as unallocated
 * encodings do. */
static uint64_t host[8][8];

static uint64_t fake_read(const char *name)
{
    unsigned crm, op2;
    assert_int_equal(sscanf(name, "s3_0_c0_c%u_%u", &crm, &op2), 2);
    assert_true(crm >= 1 && crm <= 7 && op2 <= 7);
    return host[crm][op2];
}

#undef read_sysreg
#define read_sysreg(r) fake_read(#r)
#include "../../hyp/arch/arm64/idregs.c"

#define FLD(v, lo) (((v) >> (lo)) & 0xf)

static uint64_t guest(unsigned crm, unsigned op2)
{
    uint64_t v = ~0UL;
    assert_true(idregs_read(SYSREG(3, 0, 0, crm, op2), &v));
    return v;
}

static int setup(void **state)
{
    memset(host, 0, sizeof(host));
    /* Roughly QEMU's -cpu max: everything there. */
    host[4][0] =
        0x1101000011112222UL | (1UL << 32) | (1UL << 44) | (1UL << 40); /* SVE, AMU, MPAM */
    host[4][1] = 0x0000000001000121UL | (2UL << 8);                     /* SME, MTE, BT */
    host[4][4] = 0x0000110000000001UL;                                  /* ZFR0 */
    host[4][5] = 0x8000000000000000UL;                                  /* SMFR0 */
    host[6][1] = 0x0011111101211052UL | (1UL << 4) | (1UL << 8) | (1UL << 24) | (1UL << 28);
    host[6][2] = 0x0000000000005012UL;                            /* APA3, WFxT */
    host[5][0] = 0x0000000110305419UL | (1UL << 32) | (1UL << 4); /* SPE, trace */
    host[7][1] = 0x0000000010212122UL | (1UL << 8);               /* VH */
    host[1][0] = 0x00000131UL;                                    /* ID_PFR0 */
    host[1][2] = 0x03010066UL;                                    /* ID_DFR0 */
    host[3][0] = 0x10110222UL;                                    /* MVFR0 */
    idregs_init();
    return 0;
}

static void hidden_features_read_as_absent(void **state)
{
    uint64_t pfr0 = guest(4, 0), pfr1 = guest(4, 1), isar1 = guest(6, 1), isar2 = guest(6, 2);
    assert_int_equal(FLD(pfr0, 32), 0); /* SVE */
    assert_int_equal(FLD(pfr0, 44), 0); /* AMU */
    assert_int_equal(FLD(pfr0, 40), 0); /* MPAM */
    assert_int_equal(FLD(pfr0, 8), 0);  /* EL2 */
    assert_int_equal(FLD(pfr1, 24), 0); /* SME */
    assert_int_equal(FLD(pfr1, 8), 0);  /* MTE */
    assert_int_equal(guest(4, 4), 0);   /* ZFR0 */
    assert_int_equal(guest(4, 5), 0);   /* SMFR0 */
    assert_int_equal(FLD(isar1, 4) | FLD(isar1, 8) | FLD(isar1, 24) | FLD(isar1, 28), 0);
    assert_int_equal(FLD(isar2, 12), 0);       /* APA3 */
    assert_int_equal(FLD(isar2, 0), 0);        /* WFxT */
    assert_int_equal(FLD(guest(5, 0), 32), 0); /* SPE */
    assert_int_equal(FLD(guest(5, 0), 4), 0);  /* trace unit */
    assert_int_equal(FLD(guest(5, 0), 8), 0);  /* PMU */
    assert_int_equal(FLD(guest(1, 2), 24), 0); /* ID_DFR0.PerfMon */
    assert_int_equal(FLD(guest(7, 1), 8), 0);  /* VHE */
}

static void other_fields_are_the_hosts(void **state)
{
    uint64_t pfr0 = guest(4, 0);
    assert_int_equal(FLD(pfr0, 0), 2);         /* EL0: AArch64 and AArch32 */
    assert_int_equal(FLD(pfr0, 4), 1);         /* EL1: AArch64 only (host: both) */
    assert_int_equal(FLD(pfr0, 16), 1);        /* FP with half precision */
    assert_int_equal(FLD(pfr0, 24), 1);        /* GIC system registers */
    assert_int_equal(FLD(guest(4, 1), 0), 1);  /* BTI */
    assert_int_equal(FLD(guest(6, 1), 12), 1); /* JSCVT */
    assert_int_equal(FLD(guest(6, 1), 0), 2);  /* DPB */
    assert_int_equal(FLD(guest(5, 0), 0), 9);  /* debug architecture */
    assert_int_equal(FLD(guest(7, 1), 0), 2);  /* HAFDBS */
    /* The AArch32 registers are information only: passed through. */
    assert_int_equal(guest(1, 0), 0x131);
    assert_int_equal(guest(1, 2), 0x00010066); /* but for PerfMon */
    assert_int_equal(guest(3, 0), 0x10110222);
}

static void only_id_group_3_is_answered(void **state)
{
    uint64_t v = 0x1234;
    assert_false(idregs_read(SYSREG(3, 0, 0, 0, 0), &v)); /* MIDR_EL1: not trapped by TID3 */
    assert_false(idregs_read(SYSREG(3, 0, 0, 0, 5), &v)); /* MPIDR_EL1 */
    assert_false(idregs_read(SYSREG(3, 1, 0, 0, 0), &v)); /* CCSIDR_EL1 */
    assert_false(idregs_read(SYSREG(3, 3, 0, 0, 1), &v)); /* CTR_EL0 */
    assert_false(idregs_read(SYSREG(3, 0, 1, 0, 0), &v)); /* SCTLR_EL1 */
    assert_false(idregs_read(SYSREG(2, 0, 0, 4, 0), &v)); /* op0 = 2: debug registers */
    assert_int_equal(v, 0x1234);
    /* Unallocated encodings of the space are RAZ. */
    assert_int_equal(guest(7, 7), 0);
    assert_int_equal(guest(2, 7), 0);
}

static void never_more_than_the_host(void **state)
{
    /* Whatever the host says, the guest is never told of more: no field above the host's. */
    static const uint64_t hosts[] = { 0, ~0UL, 0x5a5a5a5a5a5a5a5aUL, 0x2222222222222222UL };
    for (unsigned i = IDREG_INDEX(1, 0); i < IDREG_COUNT; i++)
        for (unsigned h = 0; h < ARRAY_SIZE(hosts); h++)
            for (unsigned lo = 0; lo < 64; lo += 4)
                assert_true(FLD(idregs_sanitize(i, hosts[h]), lo) <= FLD(hosts[h], lo));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(hidden_features_read_as_absent, setup),
        cmocka_unit_test_setup(other_fields_are_the_hosts, setup),
        cmocka_unit_test_setup(only_id_group_3_is_answered, setup),
        cmocka_unit_test_setup(never_more_than_the_host, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
