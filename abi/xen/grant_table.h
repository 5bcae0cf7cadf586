/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grant_table_op(cmd, args, count) (xen-abi-facts D): version-1 entries and their flags, the
 * sub-op numbers, each sub-op's argument element (arg points to count of them; each element's
 * status is written back), and the GNTMAP_, GNTST_, GNTCOPY_ and GNTTAB_CACHE_ values.
 */
#pragma once

#include <xen/xen.h>

typedef uint32_t grant_ref_t;    /* index into the granting domain's table */
typedef uint32_t grant_handle_t; /* the mapper's handle for one mapping */

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12
/* The sub-op is cmd's low 12 bits; Xen keeps a continuation's state above them, so a guest's
 * cmd with any of those bits set is refused (-EINVAL). */
#define GNTTABOP_CMD_MASK 0xfffU

/* A version-1 entry, written by the granting guest: domid and frame first, a write barrier,
 * then flags. */
struct grant_entry_v1 {
    uint16_t flags;
    domid_t domid;  /* the domain allowed to use the grant */
    uint32_t frame; /* the GFN shared */
};
XEN_ABI_SIZE(struct grant_entry_v1, 8);
XEN_ABI_OFFSET(struct grant_entry_v1, flags, 0);
XEN_ABI_OFFSET(struct grant_entry_v1, domid, 2);
XEN_ABI_OFFSET(struct grant_entry_v1, frame, 4);

#define GNTTAB_V1_ENTRIES_PER_FRAME (XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))
/* Entries 0-7 are the domain builder's; Linux allocates from 8. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

/* grant_entry_v1.flags: the type in bits 1:0 ... */
#define GTF_type_mask 3U
#define GTF_invalid 0U
#define GTF_permit_access 1U
#define GTF_accept_transfer 2U
#define GTF_transitive 3U /* v2 only */
/* ... then sub-flags.  readonly is the granter's; reading and writing are the hypervisor's
 * while the frame is mapped or being copied. */
#define GTF_readonly (1U << 2)
#define GTF_reading (1U << 3)
#define GTF_writing (1U << 4)
#define GTF_PWT (1U << 5)      /* x86 */
#define GTF_PCD (1U << 6)      /* x86 */
#define GTF_PAT (1U << 7)      /* x86 */
#define GTF_sub_page (1U << 8) /* v2 only */
/* Sub-flags of GTF_accept_transfer entries (x86 PV only). */
#define GTF_transfer_committed (1U << 2)
#define GTF_transfer_completed (1U << 3)

/* gnttab_map_grant_ref.flags.  Xen/Arm accepts only host_map, optionally readonly. */
#define GNTMAP_device_map (1U << 0)
#define GNTMAP_host_map (1U << 1)
#define GNTMAP_readonly (1U << 2)
#define GNTMAP_application_map (1U << 3)
#define GNTMAP_contains_pte (1U << 4)
#define GNTMAP_guest_avail_mask 0xFFFF0000U /* bits 16+ are the guest's */

/* Per-element status (int16_t). */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7) /* maptrack full */
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10) /* the range crosses a frame */
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12) /* Linux retries with back-off */
#define GNTST_no_space (-13)

struct gnttab_map_grant_ref {
    uint64_t host_addr; /* on Arm the guest-physical address the frame appears at */
    uint32_t flags;     /* GNTMAP_* */
    grant_ref_t ref;
    domid_t dom;           /* the granting domain */
    int16_t status;        /* OUT: GNTST_* */
    grant_handle_t handle; /* OUT */
    uint64_t dev_bus_addr; /* OUT: machine address of the frame */
};
XEN_ABI_SIZE(struct gnttab_map_grant_ref, 32);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, host_addr, 0);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;    /* 0 = ignore */
    uint64_t dev_bus_addr; /* 0 = ignore */
    grant_handle_t handle;
    int16_t status; /* OUT */
    uint16_t pad;
};
XEN_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, host_addr, 0);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, dev_bus_addr, 8);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

struct gnttab_unmap_and_replace {
    uint64_t host_addr;
    uint64_t new_addr; /* Xen/Arm accepts only 0 */
    grant_handle_t handle;
    int16_t status; /* OUT */
    uint16_t pad;
};
XEN_ABI_SIZE(struct gnttab_unmap_and_replace, 24);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, host_addr, 0);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, new_addr, 8);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, handle, 16);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, status, 20);

/* Not used by Linux on Arm (it maps frames with XENMAPSPACE_grant_table). */
struct gnttab_setup_table {
    domid_t dom;
    uint16_t pad0;
    uint32_t nr_frames;
    int16_t status; /* OUT */
    uint8_t pad1[6];
    xen_guest_handle_t frame_list; /* xen_pfn_t[nr_frames], OUT */
};
XEN_ABI_SIZE(struct gnttab_setup_table, 24);
XEN_ABI_OFFSET(struct gnttab_setup_table, dom, 0);
XEN_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
XEN_ABI_OFFSET(struct gnttab_setup_table, status, 8);
XEN_ABI_OFFSET(struct gnttab_setup_table, frame_list, 16);

struct gnttab_query_size {
    domid_t dom;
    uint16_t pad0;
    uint32_t nr_frames;     /* OUT: current */
    uint32_t max_nr_frames; /* OUT */
    int16_t status;         /* OUT */
    uint16_t pad1;
};
XEN_ABI_SIZE(struct gnttab_query_size, 16);
XEN_ABI_OFFSET(struct gnttab_query_size, dom, 0);
XEN_ABI_OFFSET(struct gnttab_query_size, nr_frames, 4);
XEN_ABI_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
XEN_ABI_OFFSET(struct gnttab_query_size, status, 12);

struct gnttab_set_version {
    uint32_t version; /* IN: 1 or 2; OUT: the version in force */
};
XEN_ABI_SIZE(struct gnttab_set_version, 4);

struct gnttab_get_version {
    domid_t dom;
    uint16_t pad;
    uint32_t version; /* OUT */
};
XEN_ABI_SIZE(struct gnttab_get_version, 8);
XEN_ABI_OFFSET(struct gnttab_get_version, dom, 0);
XEN_ABI_OFFSET(struct gnttab_get_version, version, 4);

struct gnttab_get_status_frames {
    uint32_t nr_frames;
    domid_t dom;
    int16_t status;                /* OUT */
    xen_guest_handle_t frame_list; /* uint64_t[nr_frames], OUT */
};
XEN_ABI_SIZE(struct gnttab_get_status_frames, 16);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, nr_frames, 0);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, dom, 4);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, status, 6);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, frame_list, 8);

/* Print dom's table on the hypervisor's console. */
struct gnttab_dump_table {
    domid_t dom;
    int16_t status; /* OUT */
};
XEN_ABI_SIZE(struct gnttab_dump_table, 4);
XEN_ABI_OFFSET(struct gnttab_dump_table, status, 2);

/* setup_table's frame_list entry for a frame not mapped in its domain's memory map. */
#define GNTTAB_INVALID_GFN (~UINT64_C(0))

/* Exchange two entries of the caller's own table; neither may be in use (GNTST_eagain). */
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a;
    grant_ref_t ref_b;
    int16_t status; /* OUT */
    uint16_t pad;
};
XEN_ABI_SIZE(struct gnttab_swap_grant_ref, 12);
XEN_ABI_OFFSET(struct gnttab_swap_grant_ref, ref_b, 4);
XEN_ABI_OFFSET(struct gnttab_swap_grant_ref, status, 8);

/* gnttab_copy.flags: which end is a grant reference rather than the caller's own GFN. */
#define GNTCOPY_source_gref (1U << 0)
#define GNTCOPY_dest_gref (1U << 1)

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref; /* with the matching GNTCOPY_*_gref flag */
        xen_pfn_t gmfn;  /* otherwise: the caller's GFN */
    } u;
    domid_t domid;
    uint16_t offset; /* in the frame; offset + len stays within it */
    uint32_t pad;
};
XEN_ABI_SIZE(struct gnttab_copy_ptr, 16);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, u.ref, 0);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, u.gmfn, 0);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, domid, 8);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, offset, 10);

struct gnttab_copy {
    struct gnttab_copy_ptr source;
    struct gnttab_copy_ptr dest;
    uint16_t len;
    uint16_t flags; /* GNTCOPY_* */
    int16_t status; /* OUT */
    uint16_t pad;
};
XEN_ABI_SIZE(struct gnttab_copy, 40);
XEN_ABI_OFFSET(struct gnttab_copy, source, 0);
XEN_ABI_OFFSET(struct gnttab_copy, dest, 16);
XEN_ABI_OFFSET(struct gnttab_copy, len, 32);
XEN_ABI_OFFSET(struct gnttab_copy, flags, 34);
XEN_ABI_OFFSET(struct gnttab_copy, status, 36);

/* gnttab_cache_flush.op */
#define GNTTAB_CACHE_CLEAN (1U << 0)
#define GNTTAB_CACHE_INVAL (1U << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1U << 31) /* a.ref names the frame, not a.dev_bus_addr */

struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr; /* machine address */
        grant_ref_t ref;
    } a;
    uint16_t offset; /* offset + length stays within the frame */
    uint16_t length;
    uint32_t op;
};
XEN_ABI_SIZE(struct gnttab_cache_flush, 16);
XEN_ABI_OFFSET(struct gnttab_cache_flush, a.dev_bus_addr, 0);
XEN_ABI_OFFSET(struct gnttab_cache_flush, a.ref, 0);
XEN_ABI_OFFSET(struct gnttab_cache_flush, offset, 8);
XEN_ABI_OFFSET(struct gnttab_cache_flush, length, 10);
XEN_ABI_OFFSET(struct gnttab_cache_flush, op, 12);
