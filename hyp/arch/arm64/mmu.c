/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EL2 stage-1 map: RAM 1:1 (write-back, execute-never except Keel's own text, which is
 * read-only), and device registers 1:1 as drivers ask for them.  Built with the MMU off by the
 * boot CPU; later changes (arch_mmio_map) take mmu_lock.
 */
#include <arm64/pgtable.h>
#include <arm64/sysreg.h>
#include <hyp/arch/boot.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/page_alloc.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

/* EL2 stage-1 leaf attributes (Arm ARM D8.3.2).  AP[1] (bit 6) is RES1 at EL2. */
#define S1_ATTRIDX(i) ((uint64_t)(i) << 2)
#define S1_AP_RW (1UL << 6)
#define S1_AP_RO (3UL << 6)
#define S1_XN (1UL << 54)
#define S1_NORMAL (S1_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AF)
#define S1_DEVICE (S1_ATTRIDX(MAIR_IDX_DEVICE_nGnRE) | PTE_AF | S1_XN | S1_AP_RW)

extern char _head[], _etext[], _erodata[], _end[];

/* Read by head.S: MAIR, TCR, TTBR0. */
uint64_t mmu_regs[3];

#define EARLY_POOL_PAGES 64
static uint8_t early_pool[EARLY_POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned early_used;
static bool use_page_alloc;
static struct pgtable el2_pt;
static struct spinlock mmu_lock = SPINLOCK_INIT;

static void *el2_alloc(void *ctx, unsigned order)
{
    if (use_page_alloc)
        return page_zalloc(order);
    if (order || early_used == EARLY_POOL_PAGES)
        return NULL;
    void *p = early_pool[early_used++];
    memset(p, 0, PAGE_SIZE);
    return p;
}

static void el2_free(void *ctx, void *p, unsigned order)
{
    uint8_t *b = p;
    if (b >= early_pool[0] && b < early_pool[0] + sizeof(early_pool))
        return; /* early pages stay with the boot map */
    page_free(p, order);
}

static void el2_tlb_inval(void *ctx, uint64_t va, uint64_t size)
{
    dsb(ishst);
    __asm__ volatile("tlbi alle2is" ::: "memory");
    dsb(ish);
    isb();
}

static const struct pgtable_ops el2_ops = { el2_alloc, el2_free, el2_tlb_inval, NULL };

static void map_or_panic(uint64_t base, uint64_t size, uint64_t attrs, unsigned flags)
{
    if (pgtable_map(&el2_pt, base, base, size, attrs, flags))
        panic("mmu: cannot map %#lx+%#lx at EL2", base, size);
}

/* Runs with the MMU off (boot_early). */
void mmu_setup(void);
void mmu_setup(void)
{
    if (pgtable_init(&el2_pt, 48, false, &el2_ops))
        panic("mmu: no page for the EL2 root table");
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        map_or_panic(bootinfo.mem[i].base, bootinfo.mem[i].size, S1_NORMAL | S1_AP_RW | S1_XN, 0);
    uint64_t head = (uintptr_t)_head, etext = (uintptr_t)_etext, erodata = (uintptr_t)_erodata;
    uint64_t end = ALIGN_UP((uintptr_t)_end, PAGE_SIZE);
    map_or_panic(head, etext - head, S1_NORMAL | S1_AP_RO, PGT_NO_BLOCKS);
    map_or_panic(etext, erodata - etext, S1_NORMAL | S1_AP_RO | S1_XN, PGT_NO_BLOCKS);
    map_or_panic(erodata, end - erodata, S1_NORMAL | S1_AP_RW | S1_XN, PGT_NO_BLOCKS);
    if (bootinfo.uart_base)
        map_or_panic(ALIGN_DOWN(bootinfo.uart_base, PAGE_SIZE), PAGE_SIZE, S1_DEVICE, 0);

    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5)
        parange = 5; /* 48 bits is all the 4 KiB-granule tables here cover */
    mmu_regs[0] = MAIR_EL2_VALUE;
    mmu_regs[1] = TCR_EL2_VALUE | (parange << TCR_PS_SHIFT);
    mmu_regs[2] = (uintptr_t)el2_pt.root;
}

int arch_mmio_map(paddr_t base, uint64_t size)
{
    uint64_t start = ALIGN_DOWN(base, PAGE_SIZE);
    uint64_t end = ALIGN_UP(base + size, PAGE_SIZE);
    if (end <= start)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&mmu_lock);
    int rc = pgtable_map(&el2_pt, start, start, end - start, S1_DEVICE, 0);
    dsb(ishst);
    isb();
    spin_unlock_irqrestore(&mmu_lock, flags);
    return rc;
}

/* pgtable_walk callback of arch_hyp_maps_any: any leaf at all is a yes. */
static void found_leaf(void *ctx, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs)
{
    *(bool *)ctx = true;
}

bool arch_hyp_maps_any(paddr_t base, uint64_t size)
{
    uint64_t start = ALIGN_DOWN(base, PAGE_SIZE), end = ALIGN_UP(base + size, PAGE_SIZE);
    if (end <= start)
        return false;
    bool found = false;
    unsigned long flags = spin_lock_irqsave(&mmu_lock);
    pgtable_walk(&el2_pt, start, end - start, found_leaf, &found);
    spin_unlock_irqrestore(&mmu_lock, flags);
    return found;
}

void arch_mmu_use_page_alloc(void)
{
    use_page_alloc = true;
}
