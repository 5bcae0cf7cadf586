/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xen_version(cmd, arg) (xen-abi-facts B.1 #1, B.4): sub-ops, their argument layouts and the
 * feature bits of XENVER_get_features, with the submap values Xen 4.17 and later report on Arm.
 */
#pragma once

#include <xen/xen.h>

/* The Xen release whose ABI these headers describe (XENVER_version, the DT "xen,xen-4.17"). */
#define XEN_ABI_MAJOR 4
#define XEN_ABI_MINOR 17
/* XENVER_version's result: major in bits 31:16, minor in 15:0; no argument. */
#define XEN_VERSION_CODE(major, minor) (((major) << 16) | (minor))

#define XENVER_version 0
#define XENVER_extraversion 1        /* char[XEN_EXTRAVERSION_LEN] */
#define XENVER_compile_info 2        /* struct xen_compile_info */
#define XENVER_capabilities 3        /* char[XEN_CAPABILITIES_INFO_LEN] */
#define XENVER_changeset 4           /* char[XEN_CHANGESET_INFO_LEN] */
#define XENVER_platform_parameters 5 /* struct xen_platform_parameters */
#define XENVER_get_features 6        /* struct xen_feature_info */
#define XENVER_pagesize 7            /* returns XEN_PAGE_SIZE; the argument must be NULL */
#define XENVER_guest_handle 8        /* xen_domain_handle_t */
#define XENVER_commandline 9         /* char[XEN_COMMANDLINE_LEN] */
#define XENVER_build_id 10           /* 10-14: struct xen_varbuf; NULL asks for the size */
#define XENVER_extraversion2 11
#define XENVER_capabilities2 12
#define XENVER_changeset2 13
#define XENVER_commandline2 14

#define XEN_EXTRAVERSION_LEN 16
#define XEN_CAPABILITIES_INFO_LEN 1024
#define XEN_CHANGESET_INFO_LEN 64
#define XEN_COMMANDLINE_LEN 1024

/* Words of XENVER_capabilities, each followed by a space. */
#define XEN_CAPABILITY_AARCH64 "xen-3.0-aarch64"
#define XEN_CAPABILITY_ARMV7L "xen-3.0-armv7l" /* only if 32-bit guests are supported */

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
XEN_ABI_SIZE(struct xen_compile_info, 144);
XEN_ABI_OFFSET(struct xen_compile_info, compiler, 0);
XEN_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
XEN_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
XEN_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

struct xen_platform_parameters {
    xen_ulong_t virt_start; /* 0 on Arm */
};
XEN_ABI_SIZE(struct xen_platform_parameters, 8);

struct xen_feature_info {
    uint32_t submap_idx; /* IN: which 32 bits, < XENFEAT_NR_SUBMAPS */
    uint32_t submap;     /* OUT */
};
XEN_ABI_SIZE(struct xen_feature_info, 8);
XEN_ABI_OFFSET(struct xen_feature_info, submap_idx, 0);
XEN_ABI_OFFSET(struct xen_feature_info, submap, 4);

/* Sub-ops 10-14: len is the buffer size in, the bytes written out. */
struct xen_varbuf {
    uint32_t len;
    uint8_t buf[];
};
XEN_ABI_SIZE(struct xen_varbuf, 4);
XEN_ABI_OFFSET(struct xen_varbuf, buf, 4);

/* XENVER_get_features bits of submap 0. */
#define XENFEAT_NR_SUBMAPS 1
#define XENFEAT_writable_page_tables 0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap 2 /* Linux on Arm relies on it */
#define XENFEAT_supervisor_mode_kernel 3
#define XENFEAT_pae_pgdir_above_4gb 4
#define XENFEAT_mmu_pt_update_preserve_ad 5
#define XENFEAT_highmem_assist 6
#define XENFEAT_gnttab_map_avail_bits 7
#define XENFEAT_hvm_callback_vector 8
#define XENFEAT_hvm_safe_pvclock 9
#define XENFEAT_hvm_pirqs 10
#define XENFEAT_dom0 11 /* the hardware domain: Linux becomes the initial domain */
/* 12 is deprecated */
#define XENFEAT_memory_op_vnode_supported 13
#define XENFEAT_ARM_SMCCC_supported 14
#define XENFEAT_linux_rsdp_unrestricted 15
#define XENFEAT_not_direct_mapped 16  /* guest-physical != machine */
#define XENFEAT_direct_mapped 17      /* 1:1: Linux then uses swiotlb-xen */
#define XENFEAT_runstate_phys_area 18 /* reported since Xen 4.18 */
#define XENFEAT_vcpu_time_phys_area 19
#define XENFEAT_dm_msix_all_writes 20

#define XENFEAT_BIT(f) (1U << (f))
/* What Xen/Arm reports in submap 0: always 0, 2, 13 and 14; 11 for the hardware domain; 17 if
 * the domain is mapped 1:1, else 16; 18 from 4.18 on. */
#define XENFEAT_ARM_ALWAYS                                                                         \
    (XENFEAT_BIT(XENFEAT_writable_page_tables) | XENFEAT_BIT(XENFEAT_auto_translated_physmap) |    \
     XENFEAT_BIT(XENFEAT_memory_op_vnode_supported) | XENFEAT_BIT(XENFEAT_ARM_SMCCC_supported))
#define XENFEAT_ARM_4_17_DOMU (XENFEAT_ARM_ALWAYS | XENFEAT_BIT(XENFEAT_not_direct_mapped))
#define XENFEAT_ARM_4_17_DOM0_DIRECT                                                               \
    (XENFEAT_ARM_ALWAYS | XENFEAT_BIT(XENFEAT_dom0) | XENFEAT_BIT(XENFEAT_direct_mapped))
_Static_assert(XENFEAT_ARM_4_17_DOMU == 0x00016005, "4.17 domU features");
_Static_assert(XENFEAT_ARM_4_17_DOM0_DIRECT == 0x00026805, "4.17 1:1 dom0 features");
_Static_assert((XENFEAT_ARM_4_17_DOMU | XENFEAT_BIT(XENFEAT_runstate_phys_area)) == 0x00056005,
               "4.18+ domU features");
_Static_assert(XEN_VERSION_CODE(XEN_ABI_MAJOR, XEN_ABI_MINOR) == 0x40011, "4.17");
