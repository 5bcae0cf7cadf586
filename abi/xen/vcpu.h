/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcpu_op(cmd, vcpuid, arg) (xen-abi-facts B.1 #9 and #17, B.3, B.4): sub-op numbers, the
 * vcpu_info and runstate registrations, and the runstate record the hypervisor keeps up to date.
 */
#pragma once

#include <xen/xen.h>

#define VCPUOP_initialise 0
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPUOP_send_nmi 11
#define VCPUOP_get_physid 12
#define VCPUOP_register_vcpu_time_memory_area 13
#define VCPUOP_register_runstate_phys_area 14  /* newer than 4.17 */
#define VCPUOP_register_vcpu_time_phys_area 15 /* newer than 4.17 */

/* Where the vCPU's struct vcpu_info lives from now on: within one frame, 8-byte aligned. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;    /* really a GFN */
    uint32_t offset; /* in that frame */
    uint32_t rsvd;
};
XEN_ABI_SIZE(struct vcpu_register_vcpu_info, 16);
XEN_ABI_OFFSET(struct vcpu_register_vcpu_info, mfn, 0);
XEN_ABI_OFFSET(struct vcpu_register_vcpu_info, offset, 8);
XEN_ABI_OFFSET(struct vcpu_register_vcpu_info, rsvd, 12);

/* Where the hypervisor writes the vCPU's struct vcpu_runstate_info. */
struct vcpu_register_runstate_memory_area {
    union {
        xen_guest_handle_t v; /* a guest virtual address (what Linux passes) */
        uint64_t p;           /* a guest-physical address (the *_phys_area variant) */
    } addr;
};
XEN_ABI_SIZE(struct vcpu_register_runstate_memory_area, 8);

#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

/* Set in state_entry_time while the record is being written, if the guest enabled
 * VMASST_TYPE_runstate_update_flag. */
#define XEN_RUNSTATE_UPDATE (UINT64_C(1) << 63)

struct vcpu_runstate_info {
    int32_t state; /* RUNSTATE_* */
    uint32_t pad;
    uint64_t state_entry_time; /* ns of system time */
    uint64_t time[4];          /* ns spent in each RUNSTATE_* */
};
XEN_ABI_SIZE(struct vcpu_runstate_info, 48);
XEN_ABI_OFFSET(struct vcpu_runstate_info, state, 0);
XEN_ABI_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
XEN_ABI_OFFSET(struct vcpu_runstate_info, time, 16);
