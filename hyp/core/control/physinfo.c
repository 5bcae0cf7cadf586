/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl physinfo: the machine as Xen 4.17 on Arm describes it.  Arm has no topology or NUMA
 * information here (one thread per core, one core per socket, one node), cpu_khz is the
 * generic counter's frequency, and the capabilities are HVM and hardware-assisted paging, grant
 * tables version 1 (all Keel offers) and no device pass-through (no IOMMU driver).  Page counts
 * come from the page allocator; scrub_pages is its free memory still to be zeroed.
 */
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/control.h>
#include <hyp/page_alloc.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>
#include <hyp/string.h>

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
    uint64_t top = 0;
    for (unsigned i = 0; i < bootinfo.nr_mem; i++)
        top = MAX(top, bootinfo.mem[i].base + bootinfo.mem[i].size);
    pi->max_mfn = top ? (top >> XEN_PAGE_SHIFT) - 1 : 0;
}
