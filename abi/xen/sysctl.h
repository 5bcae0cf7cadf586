/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl (35): the toolstack's whole-machine operations (xen-abi-facts I.4), Xen 4.17's
 * interface version 0x15 (which added physinfo's arch_capabilities).  One struct xen_sysctl
 * (136 bytes) per call: command, version and a 128-byte union that holds the command's
 * argument.  Only the argument structs Keel decodes are here, with Xen 4.17's layouts.
 */
#pragma once

#include <xen/domctl.h>
#include <xen/xen.h>

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

/* Commands (struct xen_sysctl.cmd). */
#define XEN_SYSCTL_readconsole 1
#define XEN_SYSCTL_tbuf_op 2
#define XEN_SYSCTL_physinfo 3
#define XEN_SYSCTL_sched_id 4
#define XEN_SYSCTL_getdomaininfolist 6
#define XEN_SYSCTL_debug_keys 7
#define XEN_SYSCTL_getcpuinfo 8
#define XEN_SYSCTL_availheap 9
#define XEN_SYSCTL_cputopoinfo 16
#define XEN_SYSCTL_numainfo 17
#define XEN_SYSCTL_cpupool_op 18
#define XEN_SYSCTL_scheduler_op 19
#define XEN_SYSCTL_pcitopoinfo 22
#define XEN_SYSCTL_livepatch_op 27

/* XEN_SYSCTL_readconsole: the hypervisor's console history.  index counts bytes ever written,
 * modulo 2^32; with incremental, reading starts at index if that is still held, else at the
 * oldest byte kept (or the oldest not cleared).  OUT: count = bytes written to buffer, index =
 * where the next incremental read starts.  clear forgets what was read. */
struct xen_sysctl_readconsole {
    uint8_t clear;
    uint8_t incremental;
    uint8_t pad0, pad1;
    uint32_t index;
    xen_guest_handle_t buffer; /* char[count] */
    uint32_t count;
    uint32_t pad2; /* implicit in 4.17 */
};
XEN_ABI_SIZE(struct xen_sysctl_readconsole, 24);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, clear, 0);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, incremental, 1);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, index, 4);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, buffer, 8);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, count, 16);

/* XEN_SYSCTL_physinfo: capabilities. */
#define XEN_SYSCTL_PHYSCAP_hvm (1U << 0)
#define XEN_SYSCTL_PHYSCAP_pv (1U << 1)
#define XEN_SYSCTL_PHYSCAP_directio (1U << 2) /* devices can be passed through (an IOMMU) */
#define XEN_SYSCTL_PHYSCAP_hap (1U << 3)
#define XEN_SYSCTL_PHYSCAP_shadow (1U << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1U << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace (1U << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu (1U << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1U << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2 (1U << 9)

struct xen_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;     /* online */
    uint32_t max_cpu_id;  /* largest possible */
    uint32_t nr_nodes;    /* NUMA nodes online */
    uint32_t max_node_id; /* largest possible */
    uint32_t cpu_khz;
    uint32_t capabilities;      /* XEN_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities; /* none defined for Arm in 4.17 */
    uint32_t pad;
    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t scrub_pages;
    uint64_t outstanding_pages;
    uint64_t max_mfn; /* largest possible machine frame */
    uint32_t hw_cap[8];
};
XEN_ABI_SIZE(struct xen_sysctl_physinfo, 112);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, nr_cpus, 8);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, max_cpu_id, 12);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, cpu_khz, 24);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, capabilities, 28);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, arch_capabilities, 32);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, total_pages, 40);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, free_pages, 48);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, scrub_pages, 56);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, outstanding_pages, 64);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, max_mfn, 72);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, hw_cap, 80);

/* XEN_SYSCTL_sched_id: the default pool's scheduler (XEN_SCHEDULER_*). */
struct xen_sysctl_sched_id {
    uint32_t sched_id;
};
XEN_ABI_SIZE(struct xen_sysctl_sched_id, 4);

/* XEN_SYSCTL_getdomaininfolist: up to max_domains domains with ids from first_domain up, in id
 * order, into buffer; num_domains says how many. */
struct xen_sysctl_getdomaininfolist {
    domid_t first_domain;
    uint16_t pad0; /* implicit in 4.17 */
    uint32_t max_domains;
    xen_guest_handle_t buffer; /* struct xen_domctl_getdomaininfo[max_domains] */
    uint32_t num_domains;      /* OUT */
    uint32_t pad1;             /* implicit in 4.17 */
};
XEN_ABI_SIZE(struct xen_sysctl_getdomaininfolist, 24);
XEN_ABI_OFFSET(struct xen_sysctl_getdomaininfolist, first_domain, 0);
XEN_ABI_OFFSET(struct xen_sysctl_getdomaininfolist, max_domains, 4);
XEN_ABI_OFFSET(struct xen_sysctl_getdomaininfolist, buffer, 8);
XEN_ABI_OFFSET(struct xen_sysctl_getdomaininfolist, num_domains, 16);

/* XEN_SYSCTL_cpupool_op.  INFO: the first pool whose id is at least cpupool_id, with its
 * scheduler, domain count and pCPUs (-ENOENT past the last); FREEINFO: the online pCPUs in no
 * pool.  The others change pools. */
#define XEN_SYSCTL_CPUPOOL_OP_CREATE 1
#define XEN_SYSCTL_CPUPOOL_OP_DESTROY 2
#define XEN_SYSCTL_CPUPOOL_OP_INFO 3
#define XEN_SYSCTL_CPUPOOL_OP_ADDCPU 4
#define XEN_SYSCTL_CPUPOOL_OP_RMCPU 5
#define XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN 6
#define XEN_SYSCTL_CPUPOOL_OP_FREEINFO 7
#define XEN_SYSCTL_CPUPOOL_PAR_ANY 0xFFFFFFFFU
struct xen_sysctl_cpupool_op {
    uint32_t op;
    uint32_t cpupool_id; /* IN: the pool (INFO: the first id to look at); OUT: INFO's pool */
    uint32_t sched_id;   /* OUT (INFO): XEN_SCHEDULER_* */
    uint32_t domid;      /* IN (MOVEDOMAIN) */
    uint32_t cpu;        /* IN (ADDCPU, RMCPU) */
    uint32_t n_dom;      /* OUT (INFO): domains in the pool */
    struct xenctl_bitmap cpumap; /* OUT (INFO, FREEINFO) */
};
XEN_ABI_SIZE(struct xen_sysctl_cpupool_op, 40);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, cpupool_id, 4);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, sched_id, 8);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, domid, 12);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, cpu, 16);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, n_dom, 20);
XEN_ABI_OFFSET(struct xen_sysctl_cpupool_op, cpumap, 24);

/* XEN_SYSCTL_scheduler_op: a pool's policy-wide settings (credit: time slice and rate
 * limit; credit2: rate limit). */
#define XEN_SYSCTL_SCHEDOP_putinfo 0
#define XEN_SYSCTL_SCHEDOP_getinfo 1
#define XEN_SYSCTL_CSCHED_TSLICE_MIN 1 /* ms */
#define XEN_SYSCTL_CSCHED_TSLICE_MAX 1000
#define XEN_SYSCTL_SCHED_RATELIMIT_MIN 100 /* us; 0 is "none" */
#define XEN_SYSCTL_SCHED_RATELIMIT_MAX 500000
#define XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US 100000
struct xen_sysctl_credit_schedule {
    uint32_t tslice_ms;
    uint32_t ratelimit_us;
    uint32_t vcpu_migr_delay_us;
};
struct xen_sysctl_credit2_schedule {
    uint32_t ratelimit_us;
};
struct xen_sysctl_scheduler_op {
    uint32_t cpupool_id;
    uint32_t sched_id; /* XEN_SCHEDULER_* */
    uint32_t cmd;      /* XEN_SYSCTL_SCHEDOP_* */
    uint32_t pad;
    union {
        uint64_t arinc653_schedule; /* a guest handle (arinc653: not offered) */
        struct xen_sysctl_credit_schedule sched_credit;
        struct xen_sysctl_credit2_schedule sched_credit2;
    } u;
};
XEN_ABI_SIZE(struct xen_sysctl_scheduler_op, 32);
XEN_ABI_OFFSET(struct xen_sysctl_scheduler_op, cmd, 8);
XEN_ABI_OFFSET(struct xen_sysctl_scheduler_op, u, 16);
XEN_ABI_OFFSET(struct xen_sysctl_scheduler_op, u.sched_credit.ratelimit_us, 20);
XEN_ABI_OFFSET(struct xen_sysctl_scheduler_op, u.sched_credit.vcpu_migr_delay_us, 24);

/* XEN_SYSCTL_cputopoinfo: each CPU's core, socket and node (XEN_INVALID_* for a CPU that is
 * not there).  With a null cputopo handle, OUT num_cpus = the CPU ids there are; else IN
 * num_cpus = the array's length, OUT = how many entries were written. */
#define XEN_INVALID_CORE_ID (~0U)
#define XEN_INVALID_SOCKET_ID (~0U)
#define XEN_INVALID_NODE_ID (~0U)
struct xen_sysctl_cputopo {
    uint32_t core;
    uint32_t socket;
    uint32_t node;
};
XEN_ABI_SIZE(struct xen_sysctl_cputopo, 12);
struct xen_sysctl_cputopoinfo {
    uint32_t num_cpus;
    uint32_t pad;
    xen_guest_handle_t cputopo; /* struct xen_sysctl_cputopo[num_cpus] */
};
XEN_ABI_SIZE(struct xen_sysctl_cputopoinfo, 16);
XEN_ABI_OFFSET(struct xen_sysctl_cputopoinfo, cputopo, 8);

/* XEN_SYSCTL_numainfo: each node's memory and the node distance matrix (row-major,
 * num_nodes x num_nodes).  With both handles null, OUT num_nodes = the nodes there are; else
 * IN num_nodes = the arrays' dimension, OUT = how many nodes were written. */
#define XEN_INVALID_MEM_SZ (~0U) /* 32 bits wide in 4.17, though memsize is 64 */
#define XEN_INVALID_NODE_DIST (~0U)
struct xen_sysctl_meminfo {
    uint64_t memsize; /* bytes */
    uint64_t memfree;
};
XEN_ABI_SIZE(struct xen_sysctl_meminfo, 16);
struct xen_sysctl_numainfo {
    uint32_t num_nodes;
    uint32_t pad;
    xen_guest_handle_t meminfo;  /* struct xen_sysctl_meminfo[num_nodes] */
    xen_guest_handle_t distance; /* uint32_t[num_nodes * num_nodes] */
};
XEN_ABI_SIZE(struct xen_sysctl_numainfo, 24);
XEN_ABI_OFFSET(struct xen_sysctl_numainfo, meminfo, 8);
XEN_ABI_OFFSET(struct xen_sysctl_numainfo, distance, 16);

struct xen_sysctl {
    uint32_t cmd;               /* XEN_SYSCTL_* */
    uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_readconsole readconsole;
        struct xen_sysctl_physinfo physinfo;
        struct xen_sysctl_sched_id sched_id;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        struct xen_sysctl_cpupool_op cpupool_op;
        struct xen_sysctl_scheduler_op scheduler_op;
        struct xen_sysctl_cputopoinfo cputopoinfo;
        struct xen_sysctl_numainfo numainfo;
        uint8_t pad[128];
    } u;
};
XEN_ABI_SIZE(struct xen_sysctl, 136);
XEN_ABI_OFFSET(struct xen_sysctl, cmd, 0);
XEN_ABI_OFFSET(struct xen_sysctl, interface_version, 4);
XEN_ABI_OFFSET(struct xen_sysctl, u, 8);
