/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The encoding of a domain's typed guest memory map in its stage-2 tables: what each p2m type
 * is as stage-2 attributes, and map, unmap, lookup and walk on top of the generic table code.
 * No system registers here (TLB maintenance goes through the table's ops, set up in p2m.c),
 * so it builds and is tested on the host with the rest of the memory map (core/mm/physmap.c).
 */
#include <arm64/pgtable.h>
#include <hyp/arch/p2m.h>
#include <hyp/domain.h>
#include <hyp/errno.h>

/* Stage-2 leaf attributes (Arm ARM D8.5.5): MemAttr (normal write-back, or Device-nGnRE),
 * S2AP read/write, inner shareable, access flag, XN (bits 54:53; 2 = no execution at EL1 or
 * EL0).  Bits 58:55 are for software (D8.3.1): they hold the p2m type. */
#define S2_MEMATTR_NORMAL (0xfUL << 2)
#define S2_MEMATTR_DEVICE (0x1UL << 2)
#define S2_AP_RO (1UL << 6)
#define S2_AP_RW (3UL << 6)
#define S2_XN (2UL << 53)
#define S2_TYPE_SHIFT PTE_SW_SHIFT
#define S2_TYPE_MASK PTE_SW_MASK
#define S2_NORMAL (S2_MEMATTR_NORMAL | PTE_SH_INNER | PTE_AF)

/* The stage-2 attributes of each type: guests execute only their own RAM. */
static uint64_t attrs_of(enum p2m_type t)
{
    static const uint64_t attrs[] = {
        [P2M_RAM_RW] = S2_NORMAL | S2_AP_RW,
        [P2M_RAM_RO] = S2_NORMAL | S2_AP_RO,
        [P2M_SHARED] = S2_NORMAL | S2_AP_RW | S2_XN,
        [P2M_GRANT_RW] = S2_NORMAL | S2_AP_RW | S2_XN,
        [P2M_GRANT_RO] = S2_NORMAL | S2_AP_RO | S2_XN,
        [P2M_FOREIGN_RW] = S2_NORMAL | S2_AP_RW | S2_XN,
        [P2M_MMIO] = S2_MEMATTR_DEVICE | PTE_AF | S2_AP_RW | S2_XN,
        /* Access flag clear: the first access faults to physmap_fault (Arm ARM D8.4.2; no
         * hardware AF updates, VTCR_EL2.HA is 0).  An entry that faults is never held in a
         * TLB, so setting the flag later needs no invalidation. */
        [P2M_RAM_LAZY] = S2_MEMATTR_NORMAL | PTE_SH_INNER | S2_AP_RW,
        [P2M_RAM_LAZY_CLEAN] = S2_MEMATTR_NORMAL | PTE_SH_INNER | S2_AP_RW,
    };
    return attrs[t] | (uint64_t)t << S2_TYPE_SHIFT;
}

int arch_p2m_map(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t)
{
    if (t == P2M_NONE || t >= P2M_NR_TYPES)
        return -EINVAL;
    /* pgtable_map breaks before it makes when a live entry changes.  Untouched RAM goes in
     * leaves of at most 2 MiB: what its first touch zeroes (core/mm/physmap.c). */
    return pgtable_map(&d->arch.s2, gpa.a, pa, size, attrs_of(t),
                       p2m_type_is_lazy(t) ? PGT_NO_1G_BLOCKS : 0);
}

int arch_p2m_unmap(struct domain *d, struct gpa gpa, uint64_t size)
{
    return pgtable_unmap(&d->arch.s2, gpa.a, size);
}

bool arch_p2m_first_leaf(struct domain *d, struct gpa gpa, uint64_t end, struct gpa *leaf,
                         uint64_t *size)
{
    return pgtable_first_leaf(&d->arch.s2, gpa.a, end, &leaf->a, size);
}

uint64_t arch_p2m_end(struct domain *d)
{
    return 1UL << d->arch.s2.ia_bits;
}

int arch_p2m_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t)
{
    uint64_t attrs;
    int rc = pgtable_lookup(&d->arch.s2, gpa.a, pa, &attrs, NULL);
    if (!rc && t)
        *t = (enum p2m_type)((attrs & S2_TYPE_MASK) >> S2_TYPE_SHIFT);
    return rc;
}

struct walk_ctx {
    p2m_leaf_fn fn;
    void *ctx;
};

static void walk_leaf(void *ctx, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs)
{
    struct walk_ctx *w = ctx;
    w->fn(w->ctx, GPA(ia), pa, size, (enum p2m_type)((attrs & S2_TYPE_MASK) >> S2_TYPE_SHIFT));
}

void arch_p2m_walk(struct domain *d, struct gpa gpa, uint64_t size, p2m_leaf_fn fn, void *ctx)
{
    struct walk_ctx w = { fn, ctx };
    pgtable_walk(&d->arch.s2, gpa.a, size, walk_leaf, &w);
}
