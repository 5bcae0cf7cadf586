/* SPDX-License-Identifier: Apache-2.0 */
/*
 * platform_op(op) (xen-abi-facts A.3, B.2, B.3): the control domain sets the wallclock with
 * XENPF_settime64; Xen/Arm implements nothing else.
 */
#pragma once

#include <xen/xen.h>

#define XENPF_INTERFACE_VERSION 0x03000001 /* any other value is -EACCES */

#define XENPF_settime32 17
#define XENPF_efi_runtime_call 49
#define XENPF_settime64 62

struct xenpf_settime64 {
    uint64_t secs;
    uint32_t nsecs;
    uint32_t mbz;         /* must be zero */
    uint64_t system_time; /* ns of system time at which secs/nsecs held */
};
XEN_ABI_SIZE(struct xenpf_settime64, 24);
XEN_ABI_OFFSET(struct xenpf_settime64, secs, 0);
XEN_ABI_OFFSET(struct xenpf_settime64, nsecs, 8);
XEN_ABI_OFFSET(struct xenpf_settime64, mbz, 12);
XEN_ABI_OFFSET(struct xenpf_settime64, system_time, 16);

struct xen_platform_op {
    uint32_t cmd; /* XENPF_* */
    uint32_t interface_version;
    union {
        struct xenpf_settime64 settime64;
        uint8_t pad[128];
    } u;
};
XEN_ABI_SIZE(struct xen_platform_op, 136);
XEN_ABI_OFFSET(struct xen_platform_op, cmd, 0);
XEN_ABI_OFFSET(struct xen_platform_op, interface_version, 4);
XEN_ABI_OFFSET(struct xen_platform_op, u, 8);
