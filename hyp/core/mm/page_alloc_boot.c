/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot glue for the page allocator: hands it the RAM banks from bootinfo with the reserved
 * ranges and Keel's own image [_head, _end) cut out.  Runs once on the boot CPU before any other
 * CPU starts, so it takes no lock; it does not choose where the allocator's metadata goes.
 */
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/page_alloc.h>

#include "page_alloc_internal.h"

extern char _head[], _end[];

void page_alloc_init(void)
{
    static struct mem_range holes[MAX_RESERVED + 1]; /* too large for the boot stack */
    unsigned n = 0;
    for (unsigned i = 0; i < bootinfo.nr_reserved; i++)
        holes[n++] = bootinfo.reserved[i];
    /* The image holds the stacks, the boot page tables and bootinfo itself. */
    holes[n++] = (struct mem_range){ (uintptr_t)_head, (uintptr_t)_end - (uintptr_t)_head };
    int rc = page_alloc_init_ranges(bootinfo.mem, bootinfo.nr_mem, holes, n);
    if (rc == -ENOMEM)
        panic("mem: no free RAM outside the reserved ranges (see above) for the page allocator");
    if (rc)
        panic("mem: cannot set up the page allocator: RAM banks overlap or wrap (error %d)", rc);
}
