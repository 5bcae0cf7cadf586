/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hvm_op(cmd, arg) (xen-abi-facts A.3, B.1 #11-12, B.5): the sub-ops Xen offers on Arm and the
 * HVM parameters an Arm guest or its toolstack uses.
 */
#pragma once

#include <xen/xen.h>

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVMOP_guest_request_vm_event 24

struct xen_hvm_param {
    domid_t domid; /* DOMID_SELF from the guest itself */
    uint16_t pad;
    uint32_t index; /* HVM_PARAM_* */
    uint64_t value;
};
XEN_ABI_SIZE(struct xen_hvm_param, 16);
XEN_ABI_OFFSET(struct xen_hvm_param, domid, 0);
XEN_ABI_OFFSET(struct xen_hvm_param, pad, 2);
XEN_ABI_OFFSET(struct xen_hvm_param, index, 4);
XEN_ABI_OFFSET(struct xen_hvm_param, value, 8);

/* Parameters that matter on Arm.  A guest may read 0, 1, 2, 17 and 18 of itself and set none;
 * the toolstack sets all six; unset ones read as 0; any other index is -EINVAL. */
#define HVM_NR_PARAMS 39              /* indexes from here up do not exist */
#define HVM_PARAM_CALLBACK_IRQ 0      /* how events are delivered, encoded below */
#define HVM_PARAM_STORE_PFN 1         /* xenstore ring GFN; 0 none; HVM_PARAM_STORE_PFN_LATE */
#define HVM_PARAM_STORE_EVTCHN 2      /* the guest's port of the xenstore channel */
#define HVM_PARAM_CONSOLE_PFN 17      /* PV console ring GFN */
#define HVM_PARAM_CONSOLE_EVTCHN 18   /* the guest's port of the console channel */
#define HVM_PARAM_MONITOR_RING_PFN 28 /* vm_event ring; the guest may not read it */
/* STORE_PFN = all ones: the ring comes later; the guest waits for an event on STORE_EVTCHN
 * and reads STORE_PFN again (xen-abi-facts E.6). */
#define HVM_PARAM_STORE_PFN_LATE (~UINT64_C(0))

/* HVM_PARAM_CALLBACK_IRQ on Arm: type in bits 63:56, PPI flags in 15:8, the PPI's INTID in
 * 7:0. */
#define HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT 56
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK (UINT64_C(0xFF) << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT)
#define HVM_PARAM_CALLBACK_TYPE_PPI UINT64_C(2)
#define HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_SHIFT 8
#define HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_MASK                                                      \
    (UINT64_C(0xFF) << HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_SHIFT)
#define HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_EDGE UINT64_C(1)      /* else level-sensitive */
#define HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_LOW_LEVEL UINT64_C(2) /* active-low */
#define HVM_PARAM_CALLBACK_PPI(flags, intid)                                                       \
    ((HVM_PARAM_CALLBACK_TYPE_PPI << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT) |                          \
     ((uint64_t)(flags) << HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_SHIFT) | (uint64_t)((intid)&0xFFU))
/* What Xen sets for a domU: level-sensitive, active-low, INTID 31. */
_Static_assert(HVM_PARAM_CALLBACK_PPI(HVM_PARAM_CALLBACK_TYPE_PPI_FLAG_LOW_LEVEL, 31) ==
                   UINT64_C(0x020000000000021F),
               "domU callback value");
