/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage-1 identity map for test guests, so that RAM is Normal write-back memory (exclusives,
 * caches, unaligned accesses) and everything else Device-nGnRnE.  4 KiB granule, 39-bit VA
 * (TCR_EL1.T0SZ = 25) starting at level 1 (Arm ARM D8.2): 1 GiB blocks, or a level-2 table of
 * 2 MiB blocks where RAM covers part of a GiB.  Built once by the boot vCPU.  The last GiB
 * of the address space holds a scratch window of 4 KiB pages that tests map one by one at
 * addresses that differ from the physical ones.
 */
#include "arm.h"
#include "platform.h"

#define PTE_BLOCK 1UL
#define PTE_TABLE 3UL
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_SH_INNER (3UL << 8)
#define PTE_AF (1UL << 10)
#define PTE_PXN (1UL << 53)
#define PTE_UXN (1UL << 54)
#define ATTR_DEVICE 0 /* MAIR attr0 = 0x00: Device-nGnRnE */
#define ATTR_NORMAL 1 /* MAIR attr1 = 0xff: Normal, inner/outer write-back */
#define MAIR_VALUE 0xff00UL
#define PTE_NORMAL (PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF)
#define PTE_DEVICE (PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)
#define L1_SHIFT 30
#define L2_SHIFT 21
#define MAX_L2 4

/* TCR_EL1: T0SZ 25, table walks inner/outer write-back inner shareable, 4 KiB granule, no
 * TTBR1 walks (EPD1), IPS filled in from ID_AA64MMFR0_EL1. */
#define TCR_VALUE (25UL | 1UL << 8 | 1UL << 10 | 3UL << 12 | 1UL << 23)

#define PTE_PAGE 3UL
#define PTE_AP_RO (2UL << 6)
#define SCRATCH_L1 511

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[MAX_L2][512] __attribute__((aligned(4096)));
static uint64_t scratch_l2[512] __attribute__((aligned(4096)));
static uint64_t scratch_l3[512] __attribute__((aligned(4096)));

/* Whether [pa, pa + size) lies in RAM / overlaps RAM. */
static bool ram_covers(uint64_t pa, uint64_t size, bool whole)
{
    for (unsigned i = 0; i < plat.nr_mem; i++) {
        uint64_t b = plat.mem_base[i], e = b + plat.mem_size[i];
        if (whole ? b <= pa && pa + size <= e : pa < e && b < pa + size)
            return true;
    }
    return false;
}

void mmu_init(void)
{
    extern char _start[], _end[];
    unsigned used = 0;
    /* Our own image must be Normal memory (Device memory is never executable). */
    uint64_t img = (uintptr_t)_start & ~((1UL << L2_SHIFT) - 1);
    uint64_t img_size = ((uintptr_t)_end - img + (1UL << L2_SHIFT) - 1) & ~((1UL << L2_SHIFT) - 1);
    if (!ram_covers(img, img_size, true) && plat.nr_mem < MAX_MEM_RANGES) {
        plat.mem_base[plat.nr_mem] = img;
        plat.mem_size[plat.nr_mem++] = img_size;
    }
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = i << L1_SHIFT;
        if (ram_covers(pa, 1UL << L1_SHIFT, true)) {
            l1[i] = pa | PTE_NORMAL;
        } else if (ram_covers(pa, 1UL << L1_SHIFT, false) && used < MAX_L2) {
            uint64_t *t = l2[used++];
            for (uint64_t j = 0; j < 512; j++) {
                uint64_t p = pa | j << L2_SHIFT;
                t[j] = p | (ram_covers(p, 1UL << L2_SHIFT, true) ? PTE_NORMAL : PTE_DEVICE);
            }
            l1[i] = (uintptr_t)t | PTE_TABLE;
        } else {
            l1[i] = pa | PTE_DEVICE;
        }
    }
    scratch_l2[0] = (uintptr_t)scratch_l3 | PTE_TABLE;
    l1[SCRATCH_L1] = (uintptr_t)scratch_l2 | PTE_TABLE;
    dsb(sy);
}

static void tlb_flush(void)
{
    dsb(ishst);
    __asm__ volatile("tlbi vmalle1is" : : : "memory");
    dsb(ish);
    isb();
}

uint64_t mmu_scratch_va(unsigned slot)
{
    return (uint64_t)SCRATCH_L1 << L1_SHIFT | (uint64_t)(slot % MMU_SCRATCH_PAGES) << 12;
}

uint64_t mmu_scratch_map(unsigned slot, uint64_t pa, bool writable)
{
    scratch_l3[slot % MMU_SCRATCH_PAGES] = (pa & ~0xfffUL) | PTE_PAGE | PTE_ATTR(ATTR_NORMAL) |
                                           PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN |
                                           (writable ? 0 : PTE_AP_RO);
    tlb_flush();
    return mmu_scratch_va(slot);
}

void mmu_scratch_unmap(unsigned slot)
{
    scratch_l3[slot % MMU_SCRATCH_PAGES] = 0;
    tlb_flush();
}

bool mmu_map_normal_2m(uint64_t pa)
{
    uint64_t e = l1[(pa >> L1_SHIFT) & 511];
    if ((e & 3) != PTE_TABLE)
        return false;
    uint64_t *t = (uint64_t *)(uintptr_t)(e & 0xfffffffff000UL);
    uint64_t blk = pa & ~((1UL << L2_SHIFT) - 1);
    t[(pa >> L2_SHIFT) & 511] = blk | PTE_NORMAL;
    dsb(ishst);
    __asm__ volatile("tlbi vmalle1" : : : "memory");
    dsb(nsh);
    isb();
    return true;
}

void mmu_enable(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    uint64_t ips = parange < 2 ? parange : 2; /* 40 bits cover the guest layouts we meet */
    write_sysreg(MAIR_VALUE, mair_el1);
    write_sysreg(TCR_VALUE | ips << 32, tcr_el1);
    write_sysreg((uintptr_t)l1, ttbr0_el1);
    isb();
    __asm__ volatile("tlbi vmalle1" : : : "memory");
    dsb(nsh);
    isb();
    /* M, C, I on; A (alignment check) off. */
    uint64_t sctlr = read_sysreg(sctlr_el1);
    sctlr = (sctlr | SCTLR_M | 1UL << 2 | 1UL << 12) & ~(1UL << 1);
    write_sysreg(sctlr, sctlr_el1);
    isb();
}
