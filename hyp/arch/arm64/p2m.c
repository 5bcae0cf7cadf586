/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest physical address spaces: stage-2 translation tables (40-bit IPA, start level 1 with two
 * concatenated root tables, Arm ARM D8.2.7), VMIDs and their TLB maintenance, and the guest
 * memory layout Keel offers (Xen's Arm guest layout, xen-abi-facts H.1).  A domain's table is
 * changed only while it is built or torn down, or by the domain's own hypercalls under d->lock.
 */
#include <arm64/pgtable.h>
#include <arm64/sysreg.h>
#include <hyp/arch/domain.h>
#include <hyp/arch/p2m.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/page_alloc.h>
#include <hyp/physmap.h>
#include <hyp/spinlock.h>
#include <xen/arch-arm.h>

#define IPA_BITS 40
/* VTCR_EL2: T0SZ = 64 - 40, SL0 = 1 (start at level 1), inner-shareable write-back walks,
 * 4 KiB granule, RES1 bit 31.  PS is set from the CPU's PARange. */
#define VTCR_VALUE                                                                                 \
    ((1UL << 31) | (64 - IPA_BITS) | (1UL << 6) | (1UL << 8) | (1UL << 10) | (3UL << 12))
#define NR_VMIDS 256
static uint8_t vmid_used[NR_VMIDS / 8];
static struct spinlock vmid_lock = SPINLOCK_INIT;

void arch_guest_layout(struct guest_layout *out)
{
    out->ram_base[0] = GUEST_RAM0_BASE;
    out->ram_size[0] = GUEST_RAM0_SIZE; /* 3 GiB below 4 GiB */
    out->ram_base[1] = GUEST_RAM1_BASE;
    out->ram_size[1] = GUEST_RAM1_SIZE; /* up to the 1 TiB boundary */
    out->uart_base = GUEST_PL011_BASE;
    out->uart_irq = GUEST_VPL011_SPI;
    out->addr_bits = IPA_BITS;
}

void p2m_init_cpu(void);
void p2m_init_cpu(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    if (parange > 5)
        parange = 5;
    write_sysreg(VTCR_VALUE | (parange << 16), vtcr_el2);
    isb();
}

static int vmid_alloc(void)
{
    unsigned long flags = spin_lock_irqsave(&vmid_lock);
    for (unsigned i = 1; i < NR_VMIDS; i++) {
        if (!(vmid_used[i / 8] & (1u << (i % 8)))) {
            vmid_used[i / 8] |= (uint8_t)(1u << (i % 8));
            spin_unlock_irqrestore(&vmid_lock, flags);
            return (int)i;
        }
    }
    spin_unlock_irqrestore(&vmid_lock, flags);
    return -ENOSPC;
}

static void vmid_free(unsigned vmid)
{
    unsigned long flags = spin_lock_irqsave(&vmid_lock);
    vmid_used[vmid / 8] &= (uint8_t) ~(1u << (vmid % 8));
    spin_unlock_irqrestore(&vmid_lock, flags);
}

/* Invalidate the domain's stage-1+2 TLB entries: switch to its VMID briefly (TLBI by VMID uses
 * the current VTTBR_EL2.VMID). */
static void s2_tlb_inval(void *ctx, uint64_t ipa, uint64_t size)
{
    struct domain *d = ctx;
    unsigned long flags = arch_irq_save();
    uint64_t old = read_sysreg(vttbr_el2);
    write_sysreg(d->arch.vttbr, vttbr_el2);
    isb();
    dsb(ishst);
    if (size <= 16 * PAGE_SIZE) {
        for (uint64_t a = ipa; a < ipa + size; a += PAGE_SIZE)
            __asm__ volatile("tlbi ipas2e1is, %0" ::"r"(a >> 12));
        dsb(ish);
        __asm__ volatile("tlbi vmalle1is" ::: "memory");
    } else {
        __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    }
    dsb(ish);
    isb();
    write_sysreg(old, vttbr_el2);
    isb();
    arch_irq_restore(flags);
}

/* Table pages come from the page allocator, within the domain's table bound (core/mm). */
static void *s2_alloc(void *ctx, unsigned order)
{
    struct domain *d = ctx;
    if (!physmap_table_take(d, 1UL << order))
        return NULL;
    void *p = page_zalloc(order);
    if (p)
        d->mem_pages += 1UL << order;
    else
        physmap_table_give(d, 1UL << order);
    return p;
}

static void s2_free(void *ctx, void *p, unsigned order)
{
    struct domain *d = ctx;
    page_free(p, order);
    d->mem_pages -= 1UL << order;
    physmap_table_give(d, 1UL << order);
}

static const struct pgtable_ops s2_ops_template = { s2_alloc, s2_free, s2_tlb_inval, NULL };

int p2m_domain_init(struct domain *d);
int p2m_domain_init(struct domain *d)
{
    int vmid = vmid_alloc();
    if (vmid < 0)
        return vmid;
    d->arch.vmid = (uint16_t)vmid;
    d->arch.s2_ops = s2_ops_template;
    d->arch.s2_ops.ctx = d;
    int rc = pgtable_init(&d->arch.s2, IPA_BITS, true, &d->arch.s2_ops);
    if (rc)
        return rc;
    d->arch.vttbr = (uint64_t)vmid << 48 | (uintptr_t)d->arch.s2.root;
    return 0;
}

void p2m_domain_destroy(struct domain *d);
void p2m_domain_destroy(struct domain *d)
{
    if (d->arch.s2.root) {
        /* No vCPU of d runs any more: drop all its TLB entries, then the tables.  Without
         * p2m_lock: physmap_release emptied the map under it once d was DOM_DYING, and every
         * physmap call checks that state under the lock before it reaches the tables. */
        s2_tlb_inval(d, 0, 1UL << IPA_BITS);
        pgtable_destroy(&d->arch.s2);
    }
    if (d->arch.vmid)
        vmid_free(d->arch.vmid);
    d->arch.vmid = 0;
}
