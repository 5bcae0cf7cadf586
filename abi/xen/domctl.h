/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domctl (36): the toolstack's per-domain operations (xen-abi-facts I.4), Xen 4.17's interface
 * version 0x15, which libxenctrl sends and Xen refuses any other of.  One struct xen_domctl
 * (144 bytes) per call: command, version, target domain, and a 128-byte union that holds the
 * command's argument.  Only the argument structs Keel decodes are here; the layouts are those
 * of Xen 4.17 on AArch64 (and any 64-bit host).
 */
#pragma once

#include <xen/xen.h>

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/* Commands (struct xen_domctl.cmd). */
#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_setvcpuaffinity 9
#define XEN_DOMCTL_shadow_op 10
#define XEN_DOMCTL_max_mem 11
#define XEN_DOMCTL_setvcpucontext 12
#define XEN_DOMCTL_getvcpucontext 13
#define XEN_DOMCTL_getvcpuinfo 14
#define XEN_DOMCTL_max_vcpus 15
#define XEN_DOMCTL_scheduler_op 16
#define XEN_DOMCTL_setdomainhandle 17
#define XEN_DOMCTL_setdebugging 18
#define XEN_DOMCTL_irq_permission 19
#define XEN_DOMCTL_iomem_permission 20
#define XEN_DOMCTL_settimeoffset 24
#define XEN_DOMCTL_getvcpuaffinity 25
#define XEN_DOMCTL_resumedomain 27
#define XEN_DOMCTL_set_address_size 35
#define XEN_DOMCTL_get_address_size 36
#define XEN_DOMCTL_assign_device 37
#define XEN_DOMCTL_bind_pt_irq 38
#define XEN_DOMCTL_memory_mapping 39
#define XEN_DOMCTL_set_target 46
#define XEN_DOMCTL_deassign_device 47
#define XEN_DOMCTL_unbind_pt_irq 48
#define XEN_DOMCTL_setnodeaffinity 68
#define XEN_DOMCTL_getnodeaffinity 69
#define XEN_DOMCTL_cacheflush 71
#define XEN_DOMCTL_soft_reset 79
#define XEN_DOMCTL_vuart_op 81
#define XEN_DOMCTL_get_paging_mempool_size 85
#define XEN_DOMCTL_set_paging_mempool_size 86

/* A bitmap the toolstack passes by reference: bit i of byte j is item 8j + i (a pCPU). */
struct xenctl_bitmap {
    xen_guest_handle_t bitmap; /* uint8_t[(nr_bits + 7) / 8] */
    uint32_t nr_bits;
    uint32_t pad; /* the 4.17 header leaves it implicit */
};
XEN_ABI_SIZE(struct xenctl_bitmap, 16);
XEN_ABI_OFFSET(struct xenctl_bitmap, bitmap, 0);
XEN_ABI_OFFSET(struct xenctl_bitmap, nr_bits, 8);

/* Arm's part of a domain's configuration (createdomain's IN, getdomaininfo's OUT: Xen 4.17 on
 * Arm leaves it zero there). */
#define XEN_DOMCTL_CONFIG_GIC_NATIVE 0
#define XEN_DOMCTL_CONFIG_GIC_V2 1
#define XEN_DOMCTL_CONFIG_GIC_V3 2
struct xen_arch_domainconfig {
    uint8_t gic_version;
    uint8_t pad; /* implicit in 4.17 (a later Xen puts sve_vl here) */
    uint16_t tee_type;
    uint32_t nr_spis;
    uint32_t clock_frequency;
};
XEN_ABI_SIZE(struct xen_arch_domainconfig, 12);
XEN_ABI_OFFSET(struct xen_arch_domainconfig, gic_version, 0);
XEN_ABI_OFFSET(struct xen_arch_domainconfig, tee_type, 2);
XEN_ABI_OFFSET(struct xen_arch_domainconfig, nr_spis, 4);
XEN_ABI_OFFSET(struct xen_arch_domainconfig, clock_frequency, 8);

/* XEN_DOMCTL_createdomain (IN: the configuration; OUT: xen_domctl.domain is the new id, and
 * arch.gic_version the version chosen for GIC_NATIVE). */
#define XEN_DOMCTL_CDF_hvm (1U << 0)
#define XEN_DOMCTL_CDF_hap (1U << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1U << 2)
#define XEN_DOMCTL_CDF_oos_off (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)
#define XEN_DOMCTL_CDF_iommu (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt (1U << 6)
#define XEN_DOMCTL_CDF_vpmu (1U << 7)
#define XEN_DOMCTL_IOMMU_no_sharept (1U << 0)
/* grant_opts: the highest grant-table version the domain may use, in bits 0-3. */
#define XEN_DOMCTL_GRANT_version_mask 0xfU
#define XEN_DOMCTL_GRANT_version(v) ((v)&XEN_DOMCTL_GRANT_version_mask)
/* arch.tee_type */
#define XEN_DOMCTL_CONFIG_TEE_NONE 0
#define XEN_DOMCTL_CONFIG_TEE_OPTEE 1
struct xen_domctl_createdomain {
    uint32_t ssidref;
    xen_domain_handle_t handle;
    uint32_t flags; /* XEN_DOMCTL_CDF_* */
    uint32_t iommu_opts;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;
    int32_t max_grant_frames;
    int32_t max_maptrack_frames;
    uint32_t grant_opts;
    uint32_t vmtrace_size;
    uint32_t cpupool_id;
    struct xen_arch_domainconfig arch;
};
XEN_ABI_SIZE(struct xen_domctl_createdomain, 68);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, ssidref, 0);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, handle, 4);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, flags, 20);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, iommu_opts, 24);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_vcpus, 28);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_evtchn_port, 32);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_grant_frames, 36);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_maptrack_frames, 40);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, grant_opts, 44);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, vmtrace_size, 48);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, cpupool_id, 52);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, arch, 56);

/* XEN_DOMCTL_getdomaininfo, and the elements of sysctl getdomaininfolist. */
#define XEN_DOMINF_dying (1U << 0) /* fully dead, waiting for its last reference */
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown (1U << 2) /* shut down: the reason is in the code field */
#define XEN_DOMINF_paused (1U << 3)   /* by the toolstack (pausedomain) */
#define XEN_DOMINF_blocked (1U << 4)  /* every online vCPU waits for an event */
#define XEN_DOMINF_running (1U << 5)  /* a vCPU is on a pCPU */
#define XEN_DOMINF_debugged (1U << 6)
#define XEN_DOMINF_xs_domain (1U << 7)
#define XEN_DOMINF_hap (1U << 8)
/* The shutdown code (SHUTDOWN_*) in bits 16 up; all ones while the domain has none. */
#define XEN_DOMINF_shutdownshift 16
#define XEN_DOMINF_shutdownmask 255
#define XEN_INVALID_MAX_VCPU_ID (~0U) /* max_vcpu_id of a domain without vCPUs */

struct xen_domctl_getdomaininfo {
    domid_t domain; /* also echoed in xen_domctl.domain */
    uint16_t pad1;
    uint32_t flags; /* XEN_DOMINF_* */
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time; /* ns, summed over the vCPUs */
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    xen_domain_handle_t handle;
    uint32_t cpupool;
    uint8_t gpaddr_bits; /* size of the guest-physical address space */
    uint8_t pad2[7];
    struct xen_arch_domainconfig arch_config;
};
XEN_ABI_SIZE(struct xen_domctl_getdomaininfo, 120);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, domain, 0);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, flags, 4);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, tot_pages, 8);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, max_pages, 16);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, outstanding_pages, 24);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, shr_pages, 32);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, paged_pages, 40);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, shared_info_frame, 48);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, cpu_time, 56);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, nr_online_vcpus, 64);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, max_vcpu_id, 68);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, ssidref, 72);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, handle, 76);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, cpupool, 92);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, gpaddr_bits, 96);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, arch_config, 104);

/* XEN_DOMCTL_max_mem */
struct xen_domctl_max_mem {
    uint64_t max_memkb;
};
XEN_ABI_SIZE(struct xen_domctl_max_mem, 8);

/* XEN_DOMCTL_getvcpuinfo */
struct xen_domctl_getvcpuinfo {
    uint32_t vcpu;     /* IN */
    uint8_t online;    /* brought up (not down) */
    uint8_t blocked;   /* waits for an event */
    uint8_t running;   /* on a pCPU now */
    uint8_t pad;       /* implicit in 4.17 */
    uint64_t cpu_time; /* ns it has run */
    uint32_t cpu;      /* the pCPU it runs or last ran on */
    uint32_t pad2;     /* implicit in 4.17 */
};
XEN_ABI_SIZE(struct xen_domctl_getvcpuinfo, 24);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, vcpu, 0);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, online, 4);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, blocked, 5);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, running, 6);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, cpu_time, 8);
XEN_ABI_OFFSET(struct xen_domctl_getvcpuinfo, cpu, 16);

/* XEN_DOMCTL_setvcpuaffinity, XEN_DOMCTL_getvcpuaffinity.  Set: the maps are IN, and OUT the
 * affinity in effect (the hard one within the pool's online pCPUs).  Get: OUT only, as set. */
#define XEN_VCPUAFFINITY_HARD (1U << 0)
#define XEN_VCPUAFFINITY_SOFT (1U << 1)
#define XEN_VCPUAFFINITY_FORCE (1U << 2) /* undo SCHEDOP_pin_override */
struct xen_domctl_vcpuaffinity {
    uint32_t vcpu;
    uint32_t flags; /* XEN_VCPUAFFINITY_* */
    struct xenctl_bitmap cpumap_hard;
    struct xenctl_bitmap cpumap_soft;
};
XEN_ABI_SIZE(struct xen_domctl_vcpuaffinity, 40);
XEN_ABI_OFFSET(struct xen_domctl_vcpuaffinity, vcpu, 0);
XEN_ABI_OFFSET(struct xen_domctl_vcpuaffinity, flags, 4);
XEN_ABI_OFFSET(struct xen_domctl_vcpuaffinity, cpumap_hard, 8);
XEN_ABI_OFFSET(struct xen_domctl_vcpuaffinity, cpumap_soft, 24);

/* XEN_DOMCTL_max_vcpus: must equal the count the domain was created with. */
struct xen_domctl_max_vcpus {
    uint32_t max;
};
XEN_ABI_SIZE(struct xen_domctl_max_vcpus, 4);

/* XEN_DOMCTL_scheduler_op and sysctl sched_id: Xen's scheduler ids. */
#define XEN_SCHEDULER_CREDIT 5
#define XEN_SCHEDULER_CREDIT2 6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS 8
#define XEN_SCHEDULER_NULL 9

#define XEN_DOMCTL_SCHEDOP_putinfo 0
#define XEN_DOMCTL_SCHEDOP_getinfo 1
#define XEN_DOMCTL_SCHEDOP_putvcpuinfo 2
#define XEN_DOMCTL_SCHEDOP_getvcpuinfo 3

/* credit and credit2: weight 0 leaves the weight as it is.  credit's cap 0xFFFF leaves the
 * cap as it is; credit2's cap 0 removes it. */
struct xen_domctl_sched_credit {
    uint16_t weight;
    uint16_t cap; /* percent of one pCPU, summed over the vCPUs; 0 = none */
};
XEN_ABI_SIZE(struct xen_domctl_sched_credit, 4);

#define XEN_DOMCTL_SCHEDRT_extra (1U << 0) /* may run beyond its budget */
struct xen_domctl_sched_rtds {
    uint32_t period; /* us */
    uint32_t budget; /* us */
    uint32_t flags;  /* XEN_DOMCTL_SCHEDRT_* */
};
XEN_ABI_SIZE(struct xen_domctl_sched_rtds, 12);
XEN_ABI_OFFSET(struct xen_domctl_sched_rtds, period, 0);
XEN_ABI_OFFSET(struct xen_domctl_sched_rtds, budget, 4);
XEN_ABI_OFFSET(struct xen_domctl_sched_rtds, flags, 8);

/* The elements of the vcpuinfo commands' array: one vCPU's parameters. */
struct xen_domctl_schedparam_vcpu {
    union {
        struct xen_domctl_sched_credit credit;
        struct xen_domctl_sched_credit credit2;
        struct xen_domctl_sched_rtds rtds;
    } u;
    uint32_t vcpuid;
};
XEN_ABI_SIZE(struct xen_domctl_schedparam_vcpu, 16);
XEN_ABI_OFFSET(struct xen_domctl_schedparam_vcpu, vcpuid, 12);

struct xen_domctl_scheduler_op {
    uint32_t sched_id; /* XEN_SCHEDULER_*: must be the domain's */
    uint32_t cmd;      /* XEN_DOMCTL_SCHEDOP_* */
    union {
        struct xen_domctl_sched_credit credit;
        struct xen_domctl_sched_credit credit2;
        struct xen_domctl_sched_rtds rtds;
        struct {
            xen_guest_handle_t vcpus; /* per-vCPU parameters, for the vcpuinfo commands */
            uint32_t nr_vcpus;
            uint32_t padding;
        } v;
    } u;
};
XEN_ABI_SIZE(struct xen_domctl_scheduler_op, 24);
XEN_ABI_OFFSET(struct xen_domctl_scheduler_op, sched_id, 0);
XEN_ABI_OFFSET(struct xen_domctl_scheduler_op, cmd, 4);
XEN_ABI_OFFSET(struct xen_domctl_scheduler_op, u, 8);
XEN_ABI_OFFSET(struct xen_domctl_scheduler_op, u.v.nr_vcpus, 16);

/* XEN_DOMCTL_setdomainhandle */
struct xen_domctl_setdomainhandle {
    xen_domain_handle_t handle;
};
XEN_ABI_SIZE(struct xen_domctl_setdomainhandle, 16);

/* XEN_DOMCTL_cacheflush: clean guest frames [start_pfn, start_pfn + nr_pfns) to the point of
 * coherency. */
struct xen_domctl_cacheflush {
    xen_pfn_t start_pfn;
    xen_pfn_t nr_pfns;
};
XEN_ABI_SIZE(struct xen_domctl_cacheflush, 16);

/* XEN_DOMCTL_get_paging_mempool_size (OUT) and set_paging_mempool_size (IN). */
struct xen_domctl_paging_mempool {
    uint64_t size; /* bytes */
};
XEN_ABI_SIZE(struct xen_domctl_paging_mempool, 8);

/* Xen 4.17's arm64 vCPU register state (public/arch-arm.h), as the toolstack reads and sets
 * it (getvcpucontext, setvcpucontext).  AArch64 guests use x0-x30, pc64, cpsr (the guest's
 * PSTATE), spsr_el1, sp_el0, sp_el1 and elr_el1; the AArch32 banked fields are kept zero.
 * cpsr and spsr_el1 are 64 bits wide since Xen 4.16 (the AArch32 spsr_svc shares spsr_el1's
 * place); every field after them moved by 8 bytes then. */
struct vcpu_guest_core_regs {
    uint64_t x[31];
    uint64_t pc64;
    uint64_t cpsr;
    uint64_t spsr_el1;
    uint32_t spsr_fiq, spsr_irq, spsr_und, spsr_abt;
    uint64_t sp_el0;
    uint64_t sp_el1, elr_el1;
};
XEN_ABI_SIZE(struct vcpu_guest_core_regs, 312);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, pc64, 248);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, cpsr, 256);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, spsr_el1, 264);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, spsr_fiq, 272);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, sp_el0, 288);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, sp_el1, 296);
XEN_ABI_OFFSET(struct vcpu_guest_core_regs, elr_el1, 304);

#define VGCF_online (1U << 0)
struct vcpu_guest_context {
    uint32_t flags; /* VGCF_* */
    uint32_t pad;   /* implicit in 4.17 */
    struct vcpu_guest_core_regs user_regs;
    uint64_t sctlr;
    uint64_t ttbcr, ttbr0, ttbr1;
};
XEN_ABI_SIZE(struct vcpu_guest_context, 352);
XEN_ABI_OFFSET(struct vcpu_guest_context, user_regs, 8);
XEN_ABI_OFFSET(struct vcpu_guest_context, sctlr, 320);
XEN_ABI_OFFSET(struct vcpu_guest_context, ttbcr, 328);
XEN_ABI_OFFSET(struct vcpu_guest_context, ttbr0, 336);
XEN_ABI_OFFSET(struct vcpu_guest_context, ttbr1, 344);

/* XEN_DOMCTL_getvcpucontext, setvcpucontext: ctxt points at a struct vcpu_guest_context (set
 * with a null ctxt: the vCPU is reset and down). */
struct xen_domctl_vcpucontext {
    uint32_t vcpu;
    uint32_t pad; /* implicit in 4.17 */
    xen_guest_handle_t ctxt;
};
XEN_ABI_SIZE(struct xen_domctl_vcpucontext, 16);
XEN_ABI_OFFSET(struct xen_domctl_vcpucontext, ctxt, 8);

/* XEN_DOMCTL_set_address_size, get_address_size: the guest's word size in bits (Arm: 64 for
 * AArch64, 32 for AArch32). */
struct xen_domctl_address_size {
    uint32_t size;
};
XEN_ABI_SIZE(struct xen_domctl_address_size, 4);

/* XEN_DOMCTL_setnodeaffinity, getnodeaffinity: the NUMA nodes the domain's memory should come
 * from. */
struct xen_domctl_nodeaffinity {
    struct xenctl_bitmap nodemap;
};
XEN_ABI_SIZE(struct xen_domctl_nodeaffinity, 16);

struct xen_domctl {
    uint32_t cmd;               /* XEN_DOMCTL_* */
    uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t domain;             /* the target; getdomaininfo writes the one it describes */
    uint16_t pad[3];
    union {
        struct xen_domctl_createdomain createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_max_mem max_mem;
        struct xen_domctl_getvcpuinfo getvcpuinfo;
        struct xen_domctl_vcpuaffinity vcpuaffinity;
        struct xen_domctl_max_vcpus max_vcpus;
        struct xen_domctl_scheduler_op scheduler_op;
        struct xen_domctl_setdomainhandle setdomainhandle;
        struct xen_domctl_cacheflush cacheflush;
        struct xen_domctl_paging_mempool paging_mempool;
        struct xen_domctl_vcpucontext vcpucontext;
        struct xen_domctl_address_size address_size;
        struct xen_domctl_nodeaffinity nodeaffinity;
        uint8_t pad[128];
    } u;
};
XEN_ABI_SIZE(struct xen_domctl, 144);
XEN_ABI_OFFSET(struct xen_domctl, cmd, 0);
XEN_ABI_OFFSET(struct xen_domctl, interface_version, 4);
XEN_ABI_OFFSET(struct xen_domctl, domain, 8);
XEN_ABI_OFFSET(struct xen_domctl, u, 16);
