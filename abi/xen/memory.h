/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory_op(cmd, arg) (xen-abi-facts B.1, B.3, I.1, Appendix 2): sub-op numbers, physmap
 * spaces, the reservation, physmap and acquire_resource arguments and the mem_flags encoding.
 */
#pragma once

#include <xen/xen.h>

/* memory_op's cmd (an unsigned long): the sub-op in its low bits and, above them, the extent
 * to start from; a call that stops to continue later rewrites cmd with its progress. */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1U << MEMOP_EXTENT_SHIFT) - 1)

#define XENMEM_increase_reservation 0 /* struct xen_memory_reservation; returns extents done */
#define XENMEM_decrease_reservation 1 /* same */
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3 /* arg: domid_t */
#define XENMEM_maximum_reservation 4 /* arg: domid_t */
#define XENMEM_machphys_mfn_list 5
#define XENMEM_populate_physmap 6 /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap 7   /* struct xen_add_to_physmap */
#define XENMEM_memory_map 9
#define XENMEM_machine_memory_map 10
#define XENMEM_exchange 11
#define XENMEM_machphys_mapping 12
#define XENMEM_set_memory_map 13
#define XENMEM_maximum_gpfn 14        /* arg: domid_t */
#define XENMEM_remove_from_physmap 15 /* struct xen_remove_from_physmap */
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17
#define XENMEM_get_sharing_freed_pages 18
#define XENMEM_get_sharing_shared_pages 19
#define XENMEM_paging_op 20
#define XENMEM_access_op 21
#define XENMEM_sharing_op 22
#define XENMEM_add_to_physmap_batch 23 /* struct xen_add_to_physmap_batch */
#define XENMEM_claim_pages 24
#define XENMEM_machphys_compat_mfn_list 25
#define XENMEM_get_vnumainfo 26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_acquire_resource 28 /* struct xen_mem_acquire_resource */

/* mem_flags of struct xen_memory_reservation: address bits in 7:0, NUMA node + 1 in 15:8. */
#define XENMEMF_address_bits(bits) ((uint32_t)(bits)&0xffU)
#define XENMEMF_get_address_bits(flags) ((flags)&0xffU)
#define XENMEMF_node(node) ((((uint32_t)(node) + 1U) & 0xffU) << 8)
#define XENMEMF_get_node(flags) ((((flags) >> 8) - 1U) & 0xffU)
#define XENMEMF_populate_on_demand (1U << 16)
#define XENMEMF_exact_node_request (1U << 17)
#define XENMEMF_exact_node(node) (XENMEMF_node(node) | XENMEMF_exact_node_request)
#define XENMEMF_vnode (1U << 18) /* node is a virtual node of the domain */

struct xen_memory_reservation {
    xen_guest_handle_t extent_start; /* xen_pfn_t[nr_extents], IN and/or OUT */
    xen_ulong_t nr_extents;
    uint32_t extent_order; /* each extent is 2^order frames */
    uint32_t mem_flags;    /* XENMEMF_* */
    domid_t domid;
    uint8_t pad[6];
};
XEN_ABI_SIZE(struct xen_memory_reservation, 32);
XEN_ABI_OFFSET(struct xen_memory_reservation, extent_start, 0);
XEN_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 8);
XEN_ABI_OFFSET(struct xen_memory_reservation, extent_order, 16);
XEN_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 20);
XEN_ABI_OFFSET(struct xen_memory_reservation, domid, 24);

/* Physmap spaces: what idx of an add_to_physmap call indexes. */
#define XENMAPSPACE_shared_info 0 /* idx must be 0 */
#define XENMAPSPACE_grant_table 1 /* idx = grant frame; | XENMAPIDX_grant_table_status for v2 */
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3   /* the only space that uses xen_add_to_physmap.size */
#define XENMAPSPACE_gmfn_foreign 4 /* add_to_physmap_batch only */
#define XENMAPSPACE_dev_mmio 5     /* Arm only */
#define XENMAPIDX_grant_table_status 0x80000000U

struct xen_add_to_physmap {
    domid_t domid; /* whose physmap changes; DOMID_SELF from guests */
    uint16_t size; /* frames, for XENMAPSPACE_gmfn_range only (Linux leaves it unset) */
    uint32_t space;
    xen_ulong_t idx;
    xen_pfn_t gpfn; /* where the frame appears in domid's physmap */
};
XEN_ABI_SIZE(struct xen_add_to_physmap, 24);
XEN_ABI_OFFSET(struct xen_add_to_physmap, domid, 0);
XEN_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
XEN_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
XEN_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
XEN_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 16);

/* Linux calls it xen_add_to_physmap_range.  Returns 0 with one result per entry in errs. */
struct xen_add_to_physmap_batch {
    domid_t domid;
    uint16_t space;
    uint16_t size; /* entries */
    union {
        domid_t foreign_domid; /* source domain for XENMAPSPACE_gmfn_foreign, else 0 */
    } u;
    xen_guest_handle_t idxs;  /* xen_ulong_t[size] */
    xen_guest_handle_t gpfns; /* xen_pfn_t[size] */
    xen_guest_handle_t errs;  /* int32_t[size], OUT */
};
XEN_ABI_SIZE(struct xen_add_to_physmap_batch, 32);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, domid, 0);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, space, 2);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, size, 4);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, u.foreign_domid, 6);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, idxs, 8);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, gpfns, 16);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, errs, 24);

struct xen_remove_from_physmap {
    domid_t domid;
    uint8_t pad[6];
    xen_pfn_t gpfn;
};
XEN_ABI_SIZE(struct xen_remove_from_physmap, 16);
XEN_ABI_OFFSET(struct xen_remove_from_physmap, domid, 0);
XEN_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 8);

/* XENMEM_acquire_resource: map frames of a domain's resource into the caller. */
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table 1
#define XENMEM_resource_vmtrace_buf 2
#define XENMEM_resource_grant_table_id_shared 0 /* id for XENMEM_resource_grant_table */
#define XENMEM_resource_grant_table_id_status 1

struct xen_mem_acquire_resource {
    domid_t domid;
    uint16_t type; /* XENMEM_resource_* */
    uint32_t id;
    uint32_t nr_frames;            /* IN/OUT; 0 with a NULL frame_list asks for the size */
    uint32_t pad;                  /* must be 0 */
    uint64_t frame;                /* first frame of the resource */
    xen_guest_handle_t frame_list; /* xen_pfn_t[nr_frames]: for Arm callers, GFNs to map at */
};
XEN_ABI_SIZE(struct xen_mem_acquire_resource, 32);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, domid, 0);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, type, 2);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, id, 4);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, nr_frames, 8);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, pad, 12);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, frame, 16);
XEN_ABI_OFFSET(struct xen_mem_acquire_resource, frame_list, 24);
