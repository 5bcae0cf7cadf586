/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl physinfo: the machine as Xen 4.17 on Arm describes it.  Arm has no topology or NUMA
 * information here (one thread per core, one core per socket, one node), cpu_khz is the
 * generic counter's frequency, and the capabilities are HVM and hardware-assisted paging, grant
 * tables version 1 (all Keel offers) and no device pass-through (no IOMMU driver).  Page counts
 * come from the page allocator; scrub_pages is its free memory still to be zeroed.  numainfo
 * and cputopoinfo show the same single node.
 */
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/control.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>
#include <hyp/string.h>

/* The first and last+1 byte of RAM. */
static void ram_span(uint64_t *lo, uint64_t *hi)
{
    *lo = bootinfo.nr_mem ? UINT64_MAX : 0;
    *hi = 0;
    for (unsigned i = 0; i < bootinfo.nr_mem; i++) {
        *lo = MIN(*lo, bootinfo.mem[i].base);
        *hi = MAX(*hi, bootinfo.mem[i].base + bootinfo.mem[i].size);
    }
}

void ctl_physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = 1;
    pi->nr_cpus = cpus_online();
    pi->max_cpu_id = nr_cpus - 1;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = (uint32_t)(arch_counter_freq() / 1000);
    pi->capabilities =
        XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_gnttab_v1;
    struct page_stats ps;
    page_alloc_stats(&ps);
    pi->total_pages = ps.total_pages;
    pi->free_pages = ps.free_pages;
    pi->scrub_pages = ps.dirty_pages;
    uint64_t lo, top;
    ram_span(&lo, &top);
    pi->max_mfn = top ? (top >> XEN_PAGE_SHIFT) - 1 : 0;
}

unsigned ctl_nr_cpu_ids(void)
{
    return nr_cpus;
}

void ctl_node_meminfo(struct xen_sysctl_meminfo *m)
{
    /* Xen on Arm: the pages from the first RAM page to the last, holes included. */
    uint64_t lo, hi;
    ram_span(&lo, &hi);
    m->memsize = hi - lo;
    struct page_stats ps;
    page_alloc_stats(&ps);
    m->memfree = ps.free_pages << XEN_PAGE_SHIFT;
}

void ctl_cpu_topo(unsigned cpu, struct xen_sysctl_cputopo *t)
{
    bool there = cpu_online(cpu);
    t->core = there ? 0 : XEN_INVALID_CORE_ID;
    t->socket = there ? 0 : XEN_INVALID_SOCKET_ID;
    t->node = there ? 0 : XEN_INVALID_NODE_ID;
}
