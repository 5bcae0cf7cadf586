/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic AArch64-format translation tables with a 4 KiB granule, used for both the EL2 stage-1
 * map and guest stage-2 maps.  The descriptor *format* is the architecture's (Arm ARM D8.3), but
 * this module holds no system-register code, so it builds and is tested on the host.
 *
 * Tables are reached through the 1:1 map (a table's physical address is its pointer value).
 * Locking: the caller serialises all changes to one table.  TLB maintenance is the caller's
 * job, except for break-before-make when a block is split, done through ops->tlb_inval.
 */
#pragma once

#include <hyp/types.h>

/* Descriptor bits common to both stages. */
#define PTE_VALID (1UL << 0)
#define PTE_TABLE (1UL << 1) /* at levels 0-2: next-level table; at level 3: page */
#define PTE_AF (1UL << 10)
#define PTE_SH_INNER (3UL << 8)
#define PTE_ADDR_MASK 0x0000fffffffff000UL
#define PTE_ATTR_MASK (~PTE_ADDR_MASK & ~3UL)
/* Bits 58:55 of a leaf are for software in both stages (Arm ARM D8.3.1): the walker ignores
 * them. */
#define PTE_SW_SHIFT 55
#define PTE_SW_MASK (0xfUL << PTE_SW_SHIFT)

struct pgtable_ops {
    /* Returns 2^order zeroed pages aligned to their size, or NULL.  Order is 0 except for a
     * concatenated stage-2 root. */
    void *(*alloc_pages)(void *ctx, unsigned order);
    void (*free_pages)(void *ctx, void *pages, unsigned order);
    /* Invalidate TLB entries for [ia, ia + size) after a valid entry was removed. */
    void (*tlb_inval)(void *ctx, uint64_t ia, uint64_t size);
    void *ctx;
};

struct pgtable {
    uint64_t *root;
    unsigned root_level;   /* 0..2 */
    unsigned root_entries; /* 512, or more when stage-2 root tables are concatenated */
    unsigned ia_bits;
    const struct pgtable_ops *ops;
    size_t nr_pages; /* table pages in use */
};

/* Map-flag: never use block descriptors (force 4 KiB pages). */
#define PGT_NO_BLOCKS 1u
/* Map-flag: blocks of at most 2 MiB (level 2), no 1 GiB ones. */
#define PGT_NO_1G_BLOCKS 2u

/*
 * Initialise an empty table for an input address space of ia_bits.  With concat, the root
 * level may be a run of up to 16 concatenated tables (stage 2 only, Arm ARM D8.2.7), which
 * saves one level of walk.  Returns 0, -EINVAL for an unsupported size, -ENOMEM.
 */
int pgtable_init(struct pgtable *pt, unsigned ia_bits, bool concat, const struct pgtable_ops *ops);

/* Free every table page.  Leaves the mapped memory alone. */
void pgtable_destroy(struct pgtable *pt);

/*
 * Map [ia, ia + size) to [pa, pa + size) with leaf attribute bits attrs (everything but the
 * address and the two type bits).  Uses 1 GiB and 2 MiB blocks where alignment allows, unless
 * PGT_NO_BLOCKS.  Existing mappings in the range are replaced (blocks split as needed), made
 * invalid and their TLB entries removed first (break-before-make), unless only the access flag
 * and the software bits change: an entry whose access flag was clear was never in a TLB.
 * Returns 0, -EINVAL (misaligned or out of range), -ENOMEM (the range may then be partly
 * mapped; the caller unmaps it).
 */
int pgtable_map(struct pgtable *pt, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs,
                unsigned flags);

/* Remove mappings in [ia, ia + size); blocks straddling the edges are split.  Table pages that
 * become empty are freed.  Returns 0, -EINVAL, -ENOMEM (splitting needed a page). */
int pgtable_unmap(struct pgtable *pt, uint64_t ia, uint64_t size);

/* Look up ia.  On success returns 0 and fills pa (of ia itself), the leaf attrs and the leaf
 * level (1, 2 or 3); -ENOENT if unmapped. */
int pgtable_lookup(const struct pgtable *pt, uint64_t ia, uint64_t *pa, uint64_t *attrs,
                   unsigned *level);

/* Call fn for every leaf mapping in [ia, ia + size), in address order: its input address,
 * output address, size (a page or a block, clipped to the range) and attribute bits.  Empty
 * parts of the table cost one entry each.  fn must not change the table. */
typedef void (*pgtable_leaf_fn)(void *ctx, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs);
void pgtable_walk(const struct pgtable *pt, uint64_t ia, uint64_t size, pgtable_leaf_fn fn,
                  void *ctx);

/* The first leaf mapping that meets [ia, end): true with its whole extent (its start may lie
 * before ia), false if there is none.  Empty parts of the table cost one entry each, and the
 * search stops at the first leaf. */
bool pgtable_first_leaf(const struct pgtable *pt, uint64_t ia, uint64_t end, uint64_t *leaf_ia,
                        uint64_t *leaf_size);

/* Number of table pages currently in use (for accounting and tests). */
size_t pgtable_pages(const struct pgtable *pt);
