/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What is Arm-specific in the Xen guest ABI (xen-abi-facts A.2, A.4, C.1, C.2, H.1, H.2):
 * the hypercall instruction's tag, struct vcpu_info and struct shared_info with the 2-level
 * event bitmaps, the guest memory layout and interrupts Xen gives an Arm domU, and the SMCCC
 * hypervisor-service identity.  dom0 uses the host's layout instead (mapped 1:1).
 */
#pragma once

#include <xen/event_channel.h>
#include <xen/xen.h>

/* HVC #XEN_HYPERCALL_TAG: number in x16, arguments in x0-x4, result in x0.  Any other HVC
 * immediate but 0 (SMCCC) is an undefined instruction for the guest. */
#define XEN_HYPERCALL_TAG 0xEA1
#define XEN_HYPERCALL_MAX_ARGS 5

/* Guest-physical layout of a domU.  Guests should take it from their device tree. */
#define GUEST_VIRTIO_MMIO_BASE UINT64_C(0x02000000)
#define GUEST_VIRTIO_MMIO_SIZE UINT64_C(0x00100000)
#define GUEST_GICD_BASE UINT64_C(0x03001000) /* vGICv2 */
#define GUEST_GICD_SIZE UINT64_C(0x00001000)
#define GUEST_GICC_BASE UINT64_C(0x03002000)
#define GUEST_GICC_SIZE UINT64_C(0x00002000)
#define GUEST_GICV3_GICD_BASE UINT64_C(0x03001000)
#define GUEST_GICV3_GICD_SIZE UINT64_C(0x00010000)
#define GUEST_GICV3_GICR0_BASE UINT64_C(0x03020000) /* one region, GUEST_MAX_VCPUS frames */
#define GUEST_GICV3_GICR0_SIZE UINT64_C(0x01000000)
#define GUEST_GICV3_RDIST_STRIDE UINT64_C(0x00020000) /* RD_base + SGI_base per vCPU */
#define GUEST_VPCI_ECAM_BASE UINT64_C(0x10000000)
#define GUEST_VPCI_ECAM_SIZE UINT64_C(0x10000000)
#define GUEST_ACPI_BASE UINT64_C(0x20000000)
#define GUEST_ACPI_SIZE UINT64_C(0x02000000)
#define GUEST_PL011_BASE UINT64_C(0x22000000) /* vPL011 (SBSA UART) */
#define GUEST_PL011_SIZE UINT64_C(0x00001000)
#define GUEST_VPCI_MEM_ADDR UINT64_C(0x23000000)
#define GUEST_VPCI_MEM_SIZE UINT64_C(0x10000000)
#define GUEST_GNTTAB_BASE UINT64_C(0x38000000) /* grant-table window, /hypervisor reg[0] */
#define GUEST_GNTTAB_SIZE UINT64_C(0x01000000)
#define GUEST_MAGIC_BASE UINT64_C(0x39000000) /* the domain builder's pages, below */
#define GUEST_MAGIC_SIZE UINT64_C(0x01000000)
#define GUEST_RAM0_BASE UINT64_C(0x40000000) /* filled first */
#define GUEST_RAM0_SIZE UINT64_C(0xC0000000)
#define GUEST_VPCI_PREFETCH_MEM_ADDR UINT64_C(0x100000000)
#define GUEST_VPCI_PREFETCH_MEM_SIZE UINT64_C(0x100000000)
#define GUEST_RAM1_BASE UINT64_C(0x200000000)
#define GUEST_RAM1_SIZE UINT64_C(0xFE00000000)
#define GUEST_RAM_BANKS 2

/* Frames from GUEST_MAGIC_BASE (xl-built domUs). */
#define GUEST_MAGIC_CONSOLE_PAGE 0  /* PV console ring */
#define GUEST_MAGIC_XENSTORE_PAGE 1 /* xenstore ring: GFN 0x39001 */
#define GUEST_MAGIC_VM_EVENT_PAGE 2
#define GUEST_MAGIC_VUART_PAGE 3

#define GUEST_MAX_VCPUS 128
_Static_assert(GUEST_GICV3_GICR0_SIZE / GUEST_GICV3_RDIST_STRIDE == GUEST_MAX_VCPUS,
               "one redistributor per vCPU");

/* Interrupts (INTIDs).  DT cells for the PPIs: <1 (INTID - 16) 0xf08>. */
#define GUEST_TIMER_VIRT_PPI 27
#define GUEST_TIMER_PHYS_S_PPI 29
#define GUEST_TIMER_PHYS_NS_PPI 30
#define GUEST_EVTCHN_PPI 31 /* event-channel upcall; dom0 takes a free PPI of the host */
#define GUEST_VPL011_SPI 32 /* DT <0 0 0xf04>, level-high */
#define GUEST_VIRTIO_MMIO_SPI_FIRST 33
#define GUEST_VIRTIO_MMIO_SPI_LAST 43

/* Device-tree phandles Xen's guest trees use. */
#define GUEST_PHANDLE_GIC 65000
#define GUEST_PHANDLE_IOMMU 65001

/* SMCCC hypervisor-service calls (HVC #0, function ID in w0) and Xen's answers. */
#define XEN_SMCCC_CALL_COUNT_FID 0x8600FF00U
#define XEN_SMCCC_CALL_UID_FID 0x8600FF01U
#define XEN_SMCCC_REVISION_FID 0x8600FF03U
#define XEN_SMCCC_MAJOR_REVISION 0
#define XEN_SMCCC_MINOR_REVISION 1
/* UID a71812dc-c698-4369-9acf-79d18ddee667, returned as four words: word n holds bytes 4n to
 * 4n+3 of the UUID (in its string order), least significant byte first. */
#define XEN_SMCCC_UID_W0 0xDC1218A7U
#define XEN_SMCCC_UID_W1 0x694398C6U
#define XEN_SMCCC_UID_W2 0xD179CF9AU
#define XEN_SMCCC_UID_W3 0x67E6DE8DU

/* Xen/Arm never updates it (guests use the architected timer), but it fills vcpu_info. */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad1[2];
};
XEN_ABI_SIZE(struct vcpu_time_info, 32);
XEN_ABI_OFFSET(struct vcpu_time_info, version, 0);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
XEN_ABI_OFFSET(struct vcpu_time_info, system_time, 16);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);
XEN_ABI_OFFSET(struct vcpu_time_info, flags, 29);
XEN_ABI_OFFSET(struct vcpu_time_info, pad1, 30);

/* Per-vCPU event state shared with the guest (the arch part is empty on Arm).  The upcall PPI
 * is raised when evtchn_upcall_pending goes from 0 to 1. */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t pad0; /* Linux's evtchn_upcall_mask: unused on Arm */
    uint8_t pad1[6];
    xen_ulong_t evtchn_pending_sel; /* bit w: word w of evtchn_pending may need a look */
    struct vcpu_time_info time;
};
XEN_ABI_SIZE(struct vcpu_info, 48);
XEN_ABI_OFFSET(struct vcpu_info, evtchn_upcall_pending, 0);
XEN_ABI_OFFSET(struct vcpu_info, pad0, 1);
XEN_ABI_OFFSET(struct vcpu_info, pad1, 2);
XEN_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
XEN_ABI_OFFSET(struct vcpu_info, time, 16);

#define XEN_LEGACY_MAX_VCPUS 1 /* vcpu_info slots in shared_info */

/* The domain's shared page (XENMAPSPACE_shared_info); the arch part is empty on Arm. */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[EVTCHN_2L_BITS_PER_WORD];
    xen_ulong_t evtchn_mask[EVTCHN_2L_BITS_PER_WORD]; /* the guest's; the hypervisor reads */
    /* Wallclock at the domain's virtual count 0: wc_version is odd while it changes. */
    uint32_t wc_version;
    uint32_t wc_sec; /* low 32 bits of the seconds */
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
};
XEN_ABI_SIZE(struct shared_info, 1088);
XEN_ABI_OFFSET(struct shared_info, vcpu_info, 0);
XEN_ABI_OFFSET(struct shared_info, evtchn_pending, 48);
XEN_ABI_OFFSET(struct shared_info, evtchn_mask, 560);
XEN_ABI_OFFSET(struct shared_info, wc_version, 1072);
XEN_ABI_OFFSET(struct shared_info, wc_sec, 1076);
XEN_ABI_OFFSET(struct shared_info, wc_nsec, 1080);
XEN_ABI_OFFSET(struct shared_info, wc_sec_hi, 1084);
_Static_assert(sizeof(((struct shared_info *)0)->evtchn_pending) * 8 == EVTCHN_2L_NR_CHANNELS,
               "one pending bit per 2-level port");
_Static_assert(sizeof(struct shared_info) <= XEN_PAGE_SIZE, "shared_info fits its frame");
