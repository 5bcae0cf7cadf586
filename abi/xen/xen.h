/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core of the Xen 4.17 guest ABI as Keel speaks it (xen-abi-facts A.2, A.3, B.4, Appendix 2):
 * hypercall numbers, the scalar types every other header uses, domain ids, multicall, vm_assist
 * and console_io.
 *
 * Every header in abi/xen/ is written from those facts, uses fixed-width types only and checks
 * its layouts with _Static_assert, so the hypervisor (AArch64), the test guests and host
 * programs (x86-64) see the same bytes.  Guest pointers inside structs are 8-byte fields
 * (xen_guest_handle_t), never C pointers; 64-bit constants are UINT64_C(), of uint64_t's type.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Layout checks: the offsets and sizes the facts give, on whatever machine compiles this. */
#define XEN_ABI_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " size")
#define XEN_ABI_OFFSET(type, field, off)                                                           \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " offset")

/* The ABI counts in 4 KiB frames whatever the guest's own page size. */
#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE (UINT64_C(1) << XEN_PAGE_SHIFT)

typedef uint64_t xen_ulong_t;
typedef int64_t xen_long_t;
typedef uint64_t xen_pfn_t;          /* a frame number: a GFN for the guest's own memory */
typedef uint64_t xen_guest_handle_t; /* a guest virtual address, 8 bytes in every struct */
typedef uint16_t domid_t;
typedef uint8_t xen_domain_handle_t[16]; /* the toolstack's UUID of a domain */

/* Hypercall numbers (x16 with HVC #XEN_HYPERCALL_TAG).  Xen spells them __HYPERVISOR_*. */
#define HYPERVISOR_set_trap_table 0
#define HYPERVISOR_mmu_update 1
#define HYPERVISOR_set_gdt 2
#define HYPERVISOR_stack_switch 3
#define HYPERVISOR_set_callbacks 4
#define HYPERVISOR_fpu_taskswitch 5
#define HYPERVISOR_sched_op_compat 6
#define HYPERVISOR_platform_op 7
#define HYPERVISOR_set_debugreg 8
#define HYPERVISOR_get_debugreg 9
#define HYPERVISOR_update_descriptor 10
#define HYPERVISOR_memory_op 12
#define HYPERVISOR_multicall 13
#define HYPERVISOR_update_va_mapping 14
#define HYPERVISOR_set_timer_op 15
#define HYPERVISOR_event_channel_op_compat 16
#define HYPERVISOR_xen_version 17
#define HYPERVISOR_console_io 18
#define HYPERVISOR_physdev_op_compat 19
#define HYPERVISOR_grant_table_op 20
#define HYPERVISOR_vm_assist 21
#define HYPERVISOR_update_va_mapping_otherdomain 22
#define HYPERVISOR_iret 23
#define HYPERVISOR_vcpu_op 24
#define HYPERVISOR_set_segment_base 25
#define HYPERVISOR_mmuext_op 26
#define HYPERVISOR_xsm_op 27
#define HYPERVISOR_nmi_op 28
#define HYPERVISOR_sched_op 29
#define HYPERVISOR_callback_op 30
#define HYPERVISOR_xenoprof_op 31
#define HYPERVISOR_event_channel_op 32
#define HYPERVISOR_physdev_op 33
#define HYPERVISOR_hvm_op 34
#define HYPERVISOR_sysctl 35
#define HYPERVISOR_domctl 36
#define HYPERVISOR_kexec_op 37
#define HYPERVISOR_tmem_op 38
#define HYPERVISOR_argo_op 39
#define HYPERVISOR_xenpmu_op 40
#define HYPERVISOR_dm_op 41
#define HYPERVISOR_hypfs_op 42
#define HYPERVISOR_arch_0 48
#define HYPERVISOR_arch_1 49
#define HYPERVISOR_arch_2 50
#define HYPERVISOR_arch_3 51
#define HYPERVISOR_arch_4 52
#define HYPERVISOR_arch_5 53
#define HYPERVISOR_arch_6 54
#define HYPERVISOR_arch_7 55

/* Domain ids.  Ids from DOMID_FIRST_RESERVED up are names, never real domains. */
#define DOMID_FIRST_RESERVED 0x7FF0
#define DOMID_SELF 0x7FF0 /* the calling domain */
#define DOMID_IO 0x7FF1
#define DOMID_XEN 0x7FF2
#define DOMID_COW 0x7FF3
#define DOMID_INVALID 0x7FF4
#define DOMID_ANY 0x7FF5
#define DOMID_IDLE 0x7FFF
#define DOMID_MASK 0x7FFF

/* vm_assist(cmd, type) */
#define VMASST_CMD_enable 0
#define VMASST_CMD_disable 1
#define VMASST_TYPE_runstate_update_flag 5 /* XEN_RUNSTATE_UPDATE in vcpu_runstate_info */

/* console_io(cmd, count, buffer): the control domain's console (no ring). */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1 /* returns the number of bytes read */

/* multicall(entries, count): one entry per call; Xen uses args[0..4]. */
struct multicall_entry {
    xen_ulong_t op;
    xen_long_t result; /* OUT */
    xen_ulong_t args[6];
};
XEN_ABI_SIZE(struct multicall_entry, 64);
XEN_ABI_OFFSET(struct multicall_entry, op, 0);
XEN_ABI_OFFSET(struct multicall_entry, result, 8);
XEN_ABI_OFFSET(struct multicall_entry, args, 16);
