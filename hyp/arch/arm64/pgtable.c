/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AArch64 4 KiB-granule translation tables (Arm ARM D8.2-D8.3), shared by the EL2 stage-1 map
 * and guest stage-2 maps.  Owns the table pages it allocates; the caller serialises changes to
 * one table and does TLB maintenance for entries it removes, except when a block is split
 * (break-before-make, Arm ARM D8.16.1), which goes through ops->tlb_inval here.
 */
#include <arm64/pgtable.h>
#include <hyp/errno.h>

#define ENTRIES 512u
#define LEVEL_SHIFT(l) (12 + 9 * (3 - (l)))
#define LEVEL_SIZE(l) (1UL << LEVEL_SHIFT(l))

static inline bool pte_valid(uint64_t e)
{
    return e & PTE_VALID;
}

static inline bool pte_is_table(uint64_t e, unsigned level)
{
    return level < 3 && (e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

static inline uint64_t *pte_table(uint64_t e)
{
    return (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
}

static unsigned entries_at(const struct pgtable *pt, unsigned level)
{
    return level == pt->root_level ? pt->root_entries : ENTRIES;
}

static unsigned index_at(const struct pgtable *pt, uint64_t ia, unsigned level)
{
    return (unsigned)((ia >> LEVEL_SHIFT(level)) & (entries_at(pt, level) - 1));
}

static uint64_t *alloc_table(struct pgtable *pt)
{
    uint64_t *t = pt->ops->alloc_pages(pt->ops->ctx, 0);
    if (t)
        pt->nr_pages++;
    return t;
}

static void free_table(struct pgtable *pt, uint64_t *t)
{
    pt->ops->free_pages(pt->ops->ctx, t, 0);
    pt->nr_pages--;
}

static unsigned root_order(const struct pgtable *pt)
{
    unsigned order = 0;
    while ((ENTRIES << order) < pt->root_entries)
        order++;
    return order;
}

int pgtable_init(struct pgtable *pt, unsigned ia_bits, bool concat, const struct pgtable_ops *ops)
{
    if (ia_bits < 25 || ia_bits > 48)
        return -EINVAL;
    /* Levels needed: each resolves 9 bits above the 12-bit page offset. */
    unsigned levels = (ia_bits - 12 + 8) / 9;
    unsigned root_level = 4 - levels;
    unsigned root_bits = ia_bits - LEVEL_SHIFT(root_level);
    /* Concatenation: up to 16 tables (4 extra bits) at the level below instead of one more
     * level (stage 2 only).  Not down to level 3: with a 4 KiB granule a stage-2 walk starts
     * at level 0, 1 or 2 (Arm ARM D8.2.7, VTCR_EL2.SL0). */
    if (concat && root_level < 2 && root_bits <= 4) {
        root_level++;
        root_bits += 9;
    }
    pt->ops = ops;
    pt->ia_bits = ia_bits;
    pt->root_level = root_level;
    pt->root_entries = 1u << root_bits;
    pt->root = pt->ops->alloc_pages(pt->ops->ctx, root_order(pt));
    pt->nr_pages = pt->root ? 1u << root_order(pt) : 0;
    return pt->root ? 0 : -ENOMEM;
}

static void destroy_level(struct pgtable *pt, uint64_t *table, unsigned level)
{
    for (unsigned i = 0; i < entries_at(pt, level); i++) {
        if (pte_is_table(table[i], level)) {
            destroy_level(pt, pte_table(table[i]), level + 1);
            free_table(pt, pte_table(table[i]));
        }
    }
}

void pgtable_destroy(struct pgtable *pt)
{
    if (!pt->root)
        return;
    destroy_level(pt, pt->root, pt->root_level);
    pt->ops->free_pages(pt->ops->ctx, pt->root, root_order(pt));
    pt->nr_pages -= 1u << root_order(pt);
    pt->root = NULL;
}

static uint64_t make_leaf(uint64_t pa, uint64_t attrs, unsigned level)
{
    return (pa & PTE_ADDR_MASK) | (attrs & PTE_ATTR_MASK) | PTE_VALID |
           (level == 3 ? PTE_TABLE : 0);
}

/* Replace a block at *entry (covering [base, base + LEVEL_SIZE(level))) by a table of
 * next-level entries that map the same memory with the same attributes. */
static int split_block(struct pgtable *pt, uint64_t *entry, uint64_t base, unsigned level)
{
    uint64_t *t = alloc_table(pt);
    if (!t)
        return -ENOMEM;
    uint64_t old = *entry;
    uint64_t pa = old & PTE_ADDR_MASK;
    uint64_t attrs = old & PTE_ATTR_MASK;
    for (unsigned i = 0; i < ENTRIES; i++)
        t[i] = make_leaf(pa + i * LEVEL_SIZE(level + 1), attrs, level + 1);
    /* Break-before-make: the block must be invalid and its TLB entries gone before the
     * table replaces it. */
    __atomic_store_n(entry, 0, __ATOMIC_RELEASE);
    pt->ops->tlb_inval(pt->ops->ctx, base, LEVEL_SIZE(level));
    __atomic_store_n(entry, (uint64_t)(uintptr_t)t | PTE_VALID | PTE_TABLE, __ATOMIC_RELEASE);
    return 0;
}

/* Whether (non-root) table t has no entry, looking from index `from` on and wrapping round:
 * the caller starts just past the range it cleared, where a table in use most likely has
 * entries.  Scanning from 0 cost a few hundred loads per 4 KiB unmap wherever RAM starts high
 * in its 1 GiB table (a 1:1 dom0's, say). */
static bool table_empty(const uint64_t *t, unsigned from)
{
    for (unsigned n = 0, i = from; n < ENTRIES; n++, i = (i + 1) % ENTRIES)
        if (t[i])
            return false;
    return true;
}

static int map_level(struct pgtable *pt, uint64_t *table, unsigned level, uint64_t ia, uint64_t pa,
                     uint64_t size, uint64_t attrs, unsigned flags)
{
    uint64_t lsize = LEVEL_SIZE(level);
    while (size) {
        uint64_t *e = &table[index_at(pt, ia, level)];
        uint64_t next = ALIGN_DOWN(ia, lsize) + lsize;
        uint64_t chunk = MIN(size, next - ia);
        bool block_ok = level == 3 || (level == 2 && !(flags & PGT_NO_BLOCKS)) ||
                        (level == 1 && !(flags & (PGT_NO_BLOCKS | PGT_NO_1G_BLOCKS)));
        if (block_ok && chunk == lsize && IS_ALIGNED(pa, lsize)) {
            uint64_t old = *e;
            if (pte_is_table(old, level)) {
                /* Unlink and invalidate before freeing anything below: until then the
                 * walker may still be reading those tables. */
                __atomic_store_n(e, 0, __ATOMIC_RELEASE);
                pt->ops->tlb_inval(pt->ops->ctx, ia, lsize);
                destroy_level(pt, pte_table(old), level + 1);
                free_table(pt, pte_table(old));
            } else if (pte_valid(old) && (old & PTE_AF) &&
                       (old ^ make_leaf(pa, attrs, level)) & ~(PTE_AF | PTE_SW_MASK)) {
                __atomic_store_n(e, 0, __ATOMIC_RELEASE);
                pt->ops->tlb_inval(pt->ops->ctx, ia, lsize);
            }
            __atomic_store_n(e, make_leaf(pa, attrs, level), __ATOMIC_RELEASE);
        } else {
            if (!pte_valid(*e)) {
                uint64_t *t = alloc_table(pt);
                if (!t)
                    return -ENOMEM;
                __atomic_store_n(e, (uint64_t)(uintptr_t)t | PTE_VALID | PTE_TABLE,
                                 __ATOMIC_RELEASE);
            } else if (!pte_is_table(*e, level)) {
                int rc = split_block(pt, e, ALIGN_DOWN(ia, lsize), level);
                if (rc)
                    return rc;
            }
            int rc = map_level(pt, pte_table(*e), level + 1, ia, pa, chunk, attrs, flags);
            if (rc)
                return rc;
        }
        ia += chunk;
        pa += chunk;
        size -= chunk;
    }
    return 0;
}

static bool range_ok(const struct pgtable *pt, uint64_t ia, uint64_t size)
{
    uint64_t limit = 1UL << pt->ia_bits;
    return pt->root && size && IS_ALIGNED(ia | size, PAGE_SIZE) && ia < limit && size <= limit - ia;
}

int pgtable_map(struct pgtable *pt, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs,
                unsigned flags)
{
    /* The whole output range must fit the 48-bit address field, or it would wrap to 0. */
    uint64_t pa_limit = PTE_ADDR_MASK + PAGE_SIZE;
    if (!range_ok(pt, ia, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa >= pa_limit ||
        size > pa_limit - pa)
        return -EINVAL;
    return map_level(pt, pt->root, pt->root_level, ia, pa, size, attrs, flags);
}

static int unmap_level(struct pgtable *pt, uint64_t *table, unsigned level, uint64_t ia,
                       uint64_t size)
{
    uint64_t lsize = LEVEL_SIZE(level);
    while (size) {
        uint64_t *e = &table[index_at(pt, ia, level)];
        uint64_t next = ALIGN_DOWN(ia, lsize) + lsize;
        uint64_t chunk = MIN(size, next - ia);
        if (pte_valid(*e)) {
            if (chunk == lsize) {
                uint64_t old = *e;
                __atomic_store_n(e, 0, __ATOMIC_RELEASE);
                pt->ops->tlb_inval(pt->ops->ctx, ia, lsize);
                if (pte_is_table(old, level)) {
                    destroy_level(pt, pte_table(old), level + 1);
                    free_table(pt, pte_table(old));
                }
            } else {
                if (!pte_is_table(*e, level)) {
                    int rc = split_block(pt, e, ALIGN_DOWN(ia, lsize), level);
                    if (rc)
                        return rc;
                }
                uint64_t *t = pte_table(*e);
                int rc = unmap_level(pt, t, level + 1, ia, chunk);
                if (rc)
                    return rc;
                if (table_empty(t, index_at(pt, ia + chunk, level + 1))) {
                    __atomic_store_n(e, 0, __ATOMIC_RELEASE);
                    pt->ops->tlb_inval(pt->ops->ctx, ALIGN_DOWN(ia, lsize), lsize);
                    free_table(pt, t);
                }
            }
        }
        ia += chunk;
        size -= chunk;
    }
    return 0;
}

int pgtable_unmap(struct pgtable *pt, uint64_t ia, uint64_t size)
{
    if (!range_ok(pt, ia, size))
        return -EINVAL;
    return unmap_level(pt, pt->root, pt->root_level, ia, size);
}

int pgtable_lookup(const struct pgtable *pt, uint64_t ia, uint64_t *pa, uint64_t *attrs,
                   unsigned *level)
{
    if (!pt->root || ia >= (1UL << pt->ia_bits))
        return -ENOENT;
    const uint64_t *table = pt->root;
    for (unsigned l = pt->root_level; l <= 3; l++) {
        uint64_t e = table[index_at(pt, ia, l)];
        if (!pte_valid(e) || (l == 3 && !(e & PTE_TABLE)))
            return -ENOENT;
        if (pte_is_table(e, l)) {
            table = pte_table(e);
            continue;
        }
        if (l == 0)
            return -ENOENT; /* level-0 blocks do not exist with a 4 KiB granule */
        if (pa)
            *pa = (e & PTE_ADDR_MASK & ~(LEVEL_SIZE(l) - 1)) | (ia & (LEVEL_SIZE(l) - 1));
        if (attrs)
            *attrs = e & PTE_ATTR_MASK;
        if (level)
            *level = l;
        return 0;
    }
    return -ENOENT;
}

struct walk {
    pgtable_leaf_fn fn;
    void *ctx;
    uint64_t start, end; /* the range asked for: leaves are clipped to it */
};

static void walk_level(const struct pgtable *pt, const uint64_t *table, unsigned level,
                       uint64_t base, const struct walk *w)
{
    uint64_t lsize = LEVEL_SIZE(level);
    unsigned first = base < w->start ? (unsigned)((w->start - base) / lsize) : 0;
    for (unsigned i = first; i < entries_at(pt, level); i++) {
        uint64_t at = base + (uint64_t)i * lsize;
        if (at >= w->end)
            break;
        uint64_t e = table[i];
        if (pte_is_table(e, level)) {
            walk_level(pt, pte_table(e), level + 1, at, w);
        } else if (pte_valid(e) && level > 0 && (level < 3 || (e & PTE_TABLE))) {
            uint64_t s = MAX(at, w->start), end = MIN(at + lsize, w->end);
            w->fn(w->ctx, s, (e & PTE_ADDR_MASK) + (s - at), end - s, e & PTE_ATTR_MASK);
        }
    }
}

void pgtable_walk(const struct pgtable *pt, uint64_t ia, uint64_t size, pgtable_leaf_fn fn,
                  void *ctx)
{
    if (!pt->root || !size || ia >= (1UL << pt->ia_bits))
        return;
    uint64_t end = size > (1UL << pt->ia_bits) - ia ? 1UL << pt->ia_bits : ia + size;
    struct walk w = { fn, ctx, ia, end };
    walk_level(pt, pt->root, pt->root_level, 0, &w);
}

static bool first_leaf(const struct pgtable *pt, const uint64_t *table, unsigned level,
                       uint64_t base, uint64_t start, uint64_t end, uint64_t *ia, uint64_t *size)
{
    uint64_t lsize = LEVEL_SIZE(level);
    unsigned first = base < start ? (unsigned)((start - base) / lsize) : 0;
    for (unsigned i = first; i < entries_at(pt, level); i++) {
        uint64_t at = base + (uint64_t)i * lsize;
        if (at >= end)
            break;
        uint64_t e = table[i];
        if (pte_is_table(e, level)) {
            if (first_leaf(pt, pte_table(e), level + 1, at, start, end, ia, size))
                return true;
        } else if (pte_valid(e) && level > 0 && (level < 3 || (e & PTE_TABLE))) {
            *ia = at;
            *size = lsize;
            return true;
        }
    }
    return false;
}

bool pgtable_first_leaf(const struct pgtable *pt, uint64_t ia, uint64_t end, uint64_t *leaf_ia,
                        uint64_t *leaf_size)
{
    if (!pt->root || ia >= end || ia >= (1UL << pt->ia_bits))
        return false;
    end = MIN(end, 1UL << pt->ia_bits);
    return first_leaf(pt, pt->root, pt->root_level, 0, ia, end, leaf_ia, leaf_size);
}

size_t pgtable_pages(const struct pgtable *pt)
{
    return pt->nr_pages;
}
