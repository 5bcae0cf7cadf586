/* SPDX-License-Identifier: Apache-2.0 */
/* System register access and the bit definitions Keel uses (Arm ARM D17, "AArch64 System
 * Register Descriptions").  Arch-private: core code never includes this. */
#pragma once

#ifndef __ASSEMBLY__
#include <hyp/types.h>

#define read_sysreg(r)                                                                             \
    ({                                                                                             \
        uint64_t __v;                                                                              \
        __asm__ volatile("mrs %0, " #r : "=r"(__v));                                               \
        __v;                                                                                       \
    })
#define write_sysreg(v, r) __asm__ volatile("msr " #r ", %x0" ::"rZ"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")
#endif

/* SCTLR_EL2 (E2H == 0).  RES1 bits: 4, 5, 11, 16, 18, 22, 23, 28, 29. */
#define SCTLR_EL2_RES1 0x30C50830UL
#define SCTLR_M (1UL << 0)
#define SCTLR_A (1UL << 1)
#define SCTLR_C (1UL << 2)
#define SCTLR_SA (1UL << 3)
#define SCTLR_I (1UL << 12)
#define SCTLR_WXN (1UL << 19)

/* CPTR_EL2 with HCR_EL2.E2H == 0 (Arm ARM D17.2.31): RES1 bits 13, 9 and 7:0, TZ (8) and TSM
 * (12), which are RES1 when SVE and SME are not implemented; TFP (10) = 0. */
#define CPTR_EL2_GUEST 0x33ff

/* MDCR_EL2 (E2H == 0): trap PMU (TPM, TPMCR), statistical profiling (TPMS) and trace filter
 * (TTRF) accesses. */
#define MDCR_TPMCR (1UL << 5)
#define MDCR_TPM (1UL << 6)
#define MDCR_TDRA (1UL << 11)
#define MDCR_TPMS (1UL << 14)
#define MDCR_TTRF (1UL << 19)

/* HCR_EL2 */
#define HCR_VM (1UL << 0)
#define HCR_SWIO (1UL << 1)
#define HCR_PTW (1UL << 2)
#define HCR_FMO (1UL << 3)
#define HCR_IMO (1UL << 4)
#define HCR_AMO (1UL << 5)
#define HCR_VF (1UL << 6)
#define HCR_VI (1UL << 7)
#define HCR_VSE (1UL << 8)
#define HCR_FB (1UL << 9)
#define HCR_BSU_IS (1UL << 10)
#define HCR_DC (1UL << 12)
#define HCR_TWI (1UL << 13)
#define HCR_TWE (1UL << 14)
#define HCR_TID3 (1UL << 18)
#define HCR_TIDCP (1UL << 20)
#define HCR_TSC (1UL << 19)
#define HCR_TACR (1UL << 21)
#define HCR_TSW (1UL << 22)
#define HCR_TVM (1UL << 26)
#define HCR_RW (1UL << 31)
#define HCR_APK (1UL << 40)
#define HCR_API (1UL << 41)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL (1UL << 25)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

/* ESR ISS fields for data aborts (Arm ARM D17.2.37). */
#define DABT_ISV (1UL << 24)
#define DABT_SAS(iss) (((iss) >> 22) & 3)
#define DABT_SSE (1UL << 21)
#define DABT_SRT(iss) (((iss) >> 16) & 31)
#define DABT_SF (1UL << 15)
#define DABT_FNV (1UL << 10)
#define DABT_CM (1UL << 8)
#define DABT_S1PTW (1UL << 7)
#define DABT_WNR (1UL << 6)
/* DFSC (ISS[5:0], Arm ARM D17.2.40): 0b0011xx is a permission fault at level xx. */
#define DABT_DFSC(iss) ((iss)&0x3f)
#define DFSC_PERM_FAULT(dfsc) (((dfsc)&0x3c) == 0x0c)
/* 0b0010xx: an access flag fault at level xx (the same encoding in IFSC). */
#define DFSC_AF_FAULT(dfsc) (((dfsc)&0x3c) == 0x08)
/* 0b0001xx: a translation fault at level xx (the same encoding in IFSC). */
#define DFSC_TRANS_FAULT(dfsc) (((dfsc)&0x3c) == 0x04)

#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_CP15_32 0x03
#define EC_FP_ASIMD 0x07
#define EC_ILLEGAL 0x0e
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_SVE 0x19
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK64 0x3c

/* Trapped MSR/MRS (EC 0x18) ISS layout: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5]
 * CRm[4:1] direction[0] (1 = read).  SYSREG_ENC keeps only the register's identity, so it can
 * be compared with SYSREG(...). */
#define SYSREG_ENC(iss) ((iss)&0x3ffc1eu)
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
    (((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
#define SYSREG_ICC_SGI1R_EL1 SYSREG(3, 0, 12, 11, 5)
#define SYSREG_ACTLR_EL1 SYSREG(3, 0, 1, 0, 1)
#define SYSREG_MDRAR_EL1 SYSREG(2, 0, 1, 0, 0)

/* SPSR / PSTATE */
#define PSR_MODE_EL1H 0x5
#define PSR_MODE_EL2H 0x9
#define PSR_F (1UL << 6)
#define PSR_I (1UL << 7)
#define PSR_A (1UL << 8)
#define PSR_D (1UL << 9)
#define PSR_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)

/* Memory attribute indirection, MAIR_EL2 slots used by the EL2 stage-1 tables. */
#define MAIR_IDX_DEVICE_nGnRnE 0
#define MAIR_IDX_DEVICE_nGnRE 1
#define MAIR_IDX_NORMAL_NC 2
#define MAIR_IDX_NORMAL 3
#define MAIR_EL2_VALUE 0xff440400UL

/* TCR_EL2 (E2H == 0): 48-bit VA, 4 KiB granule, inner-shareable write-back walks.
 * PS (bits 18:16) is filled in from ID_AA64MMFR0_EL1.PARange at boot. */
#define TCR_EL2_RES1 ((1UL << 31) | (1UL << 23))
#define TCR_T0SZ(bits) (64UL - (bits))
#define TCR_IRGN0_WBWA (1UL << 8)
#define TCR_ORGN0_WBWA (1UL << 10)
#define TCR_SH0_INNER (3UL << 12)
#define TCR_PS_SHIFT 16
#define TCR_EL2_VALUE                                                                              \
    (TCR_EL2_RES1 | TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER)
