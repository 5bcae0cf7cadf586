/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The toolstack's memory calls on Arm beyond max_mem: the paging (stage-2 table) pool's size,
 * and cacheflush, which libxenguest makes after writing a guest's memory through foreign
 * mappings so that the guest, starting with its caches off, reads what was written.
 */
#include <hyp/arch/mm.h>
#include <hyp/control.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/physmap.h>

long ctl_paging_mempool_size(struct domain *d, uint64_t *bytes)
{
    *bytes = READ_ONCE(d->paging_mempool_pages) << PAGE_SHIFT;
    return 0;
}

long ctl_set_paging_mempool_size(struct domain *d, uint64_t bytes)
{
    if (bytes & (PAGE_SIZE - 1))
        return -EINVAL;
    /* Keel takes table pages from the allocator as the domain needs them, nothing is reserved:
     * the pool's size bounds them (physmap_table_bound, never below Xen's default). */
    WRITE_ONCE(d->paging_mempool_pages, bytes >> PAGE_SHIFT);
    return 0;
}

/* Pages that may hold data the domain reads: Xen's "any RAM" (its own, granted, foreign). */
#define FLUSH_TYPES                                                                                \
    (P2M_ANY_RAM | P2M_BIT(P2M_SHARED) | P2M_BIT(P2M_GRANT_RW) | P2M_BIT(P2M_GRANT_RO) |           \
     P2M_BIT(P2M_FOREIGN_RW))

long ctl_cacheflush(struct domain *d, uint64_t start_pfn, uint64_t nr_pfns)
{
    if (nr_pfns > CTL_CACHEFLUSH_MAX || start_pfn + nr_pfns < start_pfn)
        return -EINVAL;
    for (uint64_t gfn = start_pfn; gfn < start_pfn + nr_pfns; gfn++) {
        paddr_t pa;
        /* Holes and devices are skipped, as Xen does. */
        if (gfn > (UINT64_MAX >> PAGE_SHIFT) ||
            physmap_get_frame(d, GPA(gfn << PAGE_SHIFT), FLUSH_TYPES, &pa))
            continue;
        arch_clean_inval_dcache((const void *)(uintptr_t)pa, PAGE_SIZE);
        frame_put(pa, 1);
    }
    return 0;
}
