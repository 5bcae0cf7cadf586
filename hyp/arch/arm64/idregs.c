/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPU identification registers guests see (Arm ARM D17.2, "ID group 3": op0 = 3, op1 = 0,
 * CRn = 0, CRm = 1..7).  HCR_EL2.TID3 traps every guest read of them here, so a guest is told
 * only about features Keel lets it use: the host's values with the fields of features whose
 * state Keel does not switch between vCPUs, or that it traps (SVE, SME, pointer
 * authentication, MTE, AMU, MPAM, the PMU, the trace and statistical-profiling units,
 * LORegions, the EL2 features) read as "not implemented".  Without this, an unmodified Linux
 * on a CPU with those features (QEMU's -cpu max, recent cores) uses them, traps and stops, or
 * shares their state with other domains.
 *
 * The values come from the boot CPU, once, so every vCPU of every domain sees the same ones.
 */
#include <arm64/idregs.h>
#include <arm64/sysreg.h>

/* The 4-bit ID field whose lowest bit is lo. */
#define F(lo) (0xfUL << (lo))

/* Fields kept of the ID registers that have any hidden; every other AArch64 ID register reads
 * as zero, every other AArch32 one (information only) as the host's.  (IDREG_INDEX of the
 * register, mask of the fields kept.) */
static const struct {
    uint8_t index;
    uint64_t keep;
} rules[] = {
    /* ID_DFR0_EL1: no PMU (PerfMon). */
    { IDREG_INDEX(1, 2), ~F(24) },
    /* ID_AA64PFR0_EL1: no EL2 for the guest, no SVE, Secure EL2, MPAM, AMU, RME. */
    { IDREG_INDEX(4, 0), ~(F(8) | F(32) | F(36) | F(40) | F(44) | F(52)) },
    /* ID_AA64PFR1_EL1: BTI, SSBS, RAS_frac, CSV2_frac (no MTE, SME, NMI, GCS, ...). */
    { IDREG_INDEX(4, 1), F(0) | F(4) | F(12) | F(32) },
    /* ID_AA64DFR0_EL1: debug architecture, breakpoints and watchpoints, DoubleLock (no PMU:
     * its counters would count every domain on the pCPU, and MDCR_EL2.TPM traps it; no trace
     * unit, SPE, trace buffer, BRBE). */
    { IDREG_INDEX(5, 0), F(0) | F(12) | F(20) | F(28) | F(36) },
    /* ID_AA64ISAR0_EL1: no TME. */
    { IDREG_INDEX(6, 0), ~F(24) },
    /* ID_AA64ISAR1_EL1: no pointer authentication (APA, API, GPA, GPI), no LS64. */
    { IDREG_INDEX(6, 1), ~(F(4) | F(8) | F(24) | F(28) | F(60)) },
    /* ID_AA64ISAR2_EL1: RPRES, BC, CLRBHB, CSSC (no WFxT: a WFIT would block with no
     * timeout; no QARMA3 pointer authentication, MOPS, 128-bit system registers). */
    { IDREG_INDEX(6, 2), F(4) | F(20) | F(28) | F(52) },
    /* ID_AA64MMFR0_EL1: no fine-grained traps, no enhanced counter virtualization. */
    { IDREG_INDEX(7, 0), ~(F(56) | F(60)) },
    /* ID_AA64MMFR1_EL1: no VHE, LORegions, TWED, HCRX. */
    { IDREG_INDEX(7, 1), ~(F(8) | F(16) | F(32) | F(40)) },
    /* ID_AA64MMFR2_EL1: no nested virtualization, FWB, EVT. */
    { IDREG_INDEX(7, 2), ~(F(24) | F(40) | F(56)) },
};

static uint64_t guest_view[IDREG_COUNT];

uint64_t idregs_sanitize(unsigned index, uint64_t host)
{
    /* ID_AA64PFR0_EL1.EL1: guests' EL1 is AArch64 only (HCR_EL2.RW = 1). */
    if (index == IDREG_INDEX(4, 0) && ((host >> 4) & 0xf) > 1)
        host = (host & ~F(4)) | (1UL << 4);
    for (unsigned i = 0; i < ARRAY_SIZE(rules); i++)
        if (rules[i].index == index)
            return host & rules[i].keep;
    /* The other AArch32 registers are information only; the other AArch64 ones (ZFR0, SMFR0,
     * PFR2, DFR1, AFR0/1, ISAR3, MMFR3/4, the unallocated encodings) describe nothing a guest
     * may use. */
    return index < IDREG_INDEX(4, 0) ? host : 0;
}

/* A system register's name is part of the instruction: one case per encoding.  The
 * unallocated encodings of this space are RAZ (Arm ARM D17.2), so all 56 can be read. */
#define ID_CASE(crm, op2)                                                                          \
    case IDREG_INDEX(crm, op2):                                                                    \
        return read_sysreg(s3_0_c0_c##crm##_##op2);
#define ID_ROW(crm)                                                                                \
    ID_CASE(crm, 0)                                                                                \
    ID_CASE(crm, 1)                                                                                \
    ID_CASE(crm, 2) ID_CASE(crm, 3) ID_CASE(crm, 4) ID_CASE(crm, 5) ID_CASE(crm, 6) ID_CASE(crm, 7)

static uint64_t host_idreg(unsigned index)
{
    switch (index) {
        ID_ROW(1)
        ID_ROW(2)
        ID_ROW(3)
        ID_ROW(4)
        ID_ROW(5)
        ID_ROW(6)
        ID_ROW(7)
    }
    return 0;
}

void idregs_init(void)
{
    for (unsigned i = IDREG_INDEX(1, 0); i < IDREG_COUNT; i++)
        guest_view[i] = idregs_sanitize(i, host_idreg(i));
}

bool idregs_read(unsigned sysreg_enc, uint64_t *val)
{
    /* op0 = 3, op1 = 0, CRn = 0, CRm = 1..7 (SYSREG layout: see <arm64/sysreg.h>). */
    unsigned crm = (sysreg_enc >> 1) & 0xf, op2 = (sysreg_enc >> 17) & 7;
    if ((sysreg_enc & ~(SYSREG(0, 0, 0, 0xf, 7))) != SYSREG(3, 0, 0, 0, 0) || crm == 0 || crm > 7)
        return false;
    *val = guest_view[IDREG_INDEX(crm, op2)];
    return true;
}
