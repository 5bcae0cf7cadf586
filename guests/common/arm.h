/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 helpers for test guests running at EL1: system registers, barriers, interrupt masks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define read_sysreg(r)                                                                             \
    ({                                                                                             \
        uint64_t __v;                                                                              \
        __asm__ volatile("mrs %0, " #r : "=r"(__v));                                               \
        __v;                                                                                       \
    })
#define write_sysreg(v, r) __asm__ volatile("msr " #r ", %x0" : : "rZ"((uint64_t)(v)) : "memory")

/* GICv3 CPU interface registers by encoding, so any assembler accepts them. */
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_HPPIR1_EL1 S3_0_C12_C12_2
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define ICC_RPR_EL1 S3_0_C12_C11_3
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define read_sysreg_s(r) read_sysreg(r)
#define write_sysreg_s(v, r) write_sysreg(v, r)

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt : : : "memory")
#define wfi() __asm__ volatile("wfi" : : : "memory")
#define wfe() __asm__ volatile("wfe" : : : "memory")
#define sev() __asm__ volatile("sev" : : : "memory")
#define cpu_relax() __asm__ volatile("yield" : : : "memory")

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ESR_EL1 (Arm ARM D17.2.40). */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1UL << 25)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define EC_UNKNOWN 0x00
#define EC_DABT_CUR 0x25
#define EC_IABT_CUR 0x21
#define DFSC(esr) ((esr)&0x3f)
#define DFSC_SYNC_EXT 0x10
#define ESR_WNR (1UL << 6)

#define DAIF_I (1UL << 7)
#define MPIDR_AFF_MASK 0xff00ffffffUL
#define SCTLR_M (1UL << 0)

static inline void irq_enable(void)
{
    __asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_disable(void)
{
    __asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline uint64_t this_mpidr(void)
{
    return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
    __asm__ volatile("str %x0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint64_t mmio_read64(uint64_t addr)
{
    uint64_t v;
    __asm__ volatile("ldr %x0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write16(uint64_t addr, uint16_t v)
{
    __asm__ volatile("strh %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint16_t mmio_read16(uint64_t addr)
{
    uint16_t v;
    __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    __asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint8_t mmio_read8(uint64_t addr)
{
    uint8_t v;
    __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

/* Load q0-q31 from v[64] (two words each, low first) / store them there: for checks that a
 * hypervisor keeps a vCPU's FP/SIMD registers.  Guest C is -mgeneral-regs-only, so nothing
 * the compiler emits between the two touches them. */
static inline void fp_write_all(const uint64_t *v)
{
    __asm__ volatile("ldp q0, q1, [%0, #0]\n\t"
                     "ldp q2, q3, [%0, #32]\n\t"
                     "ldp q4, q5, [%0, #64]\n\t"
                     "ldp q6, q7, [%0, #96]\n\t"
                     "ldp q8, q9, [%0, #128]\n\t"
                     "ldp q10, q11, [%0, #160]\n\t"
                     "ldp q12, q13, [%0, #192]\n\t"
                     "ldp q14, q15, [%0, #224]\n\t"
                     "ldp q16, q17, [%0, #256]\n\t"
                     "ldp q18, q19, [%0, #288]\n\t"
                     "ldp q20, q21, [%0, #320]\n\t"
                     "ldp q22, q23, [%0, #352]\n\t"
                     "ldp q24, q25, [%0, #384]\n\t"
                     "ldp q26, q27, [%0, #416]\n\t"
                     "ldp q28, q29, [%0, #448]\n\t"
                     "ldp q30, q31, [%0, #480]"
                     :
                     : "r"(v)
                     : "memory");
}

static inline void fp_read_all(uint64_t *v)
{
    __asm__ volatile("stp q0, q1, [%0, #0]\n\t"
                     "stp q2, q3, [%0, #32]\n\t"
                     "stp q4, q5, [%0, #64]\n\t"
                     "stp q6, q7, [%0, #96]\n\t"
                     "stp q8, q9, [%0, #128]\n\t"
                     "stp q10, q11, [%0, #160]\n\t"
                     "stp q12, q13, [%0, #192]\n\t"
                     "stp q14, q15, [%0, #224]\n\t"
                     "stp q16, q17, [%0, #256]\n\t"
                     "stp q18, q19, [%0, #288]\n\t"
                     "stp q20, q21, [%0, #320]\n\t"
                     "stp q22, q23, [%0, #352]\n\t"
                     "stp q24, q25, [%0, #384]\n\t"
                     "stp q26, q27, [%0, #416]\n\t"
                     "stp q28, q29, [%0, #448]\n\t"
                     "stp q30, q31, [%0, #480]"
                     :
                     : "r"(v)
                     : "memory");
}

/* Turn on the stage-1 MMU with the map built by the boot vCPU (identity: RAM Normal write-back,
 * everything else Device-nGnRnE).  mmu_init() builds it; the others only call mmu_enable(). */
void mmu_init(void);
void mmu_enable(void);
/* Make the 2 MiB block at pa Normal and executable (for probing what lies there).  False if
 * pa is not in a GiB that mmu_init() split into 2 MiB blocks. */
bool mmu_map_normal_2m(uint64_t pa);
/* A window of 4 KiB pages at the top of the address space, mapped one by one (Normal memory,
 * not executable): map the page at pa into slot, read-only unless writable, and return its
 * address; unmap it; or just the address of a slot. */
#define MMU_SCRATCH_PAGES 512
uint64_t mmu_scratch_map(unsigned slot, uint64_t pa, bool writable);
void mmu_scratch_unmap(unsigned slot);
uint64_t mmu_scratch_va(unsigned slot);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
