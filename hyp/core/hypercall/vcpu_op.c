/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vcpu_op (24) and vm_assist (21), decode only (xen-abi-facts B.1 #9, #16, #17, B.3, B.4).
 * Xen 4.17 on Arm offers vcpu_op's register_vcpu_info and register_runstate_memory_area, and
 * answers -EINVAL to the rest; Keel also answers is_up (whether a vCPU is on), which a
 * toolstack may ask.  vm_assist has one assist on Arm, the runstate update flag.  The areas
 * themselves are core/shared_info.c's.
 */
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/shared_info.h>
#include <xen/vcpu.h>
#include <xen/xen.h>
#include "hypercall_table.h"

/* The assists an Arm guest may turn on. */
#define VM_ASSIST_VALID BIT(VMASST_TYPE_runstate_update_flag)

static long register_vcpu_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    if (copy_obj_from_guest(v, &r, arg))
        return -EFAULT;
    /* Xen 4.17: only a vCPU's own area, or that of a vCPU not yet on. */
    if (t != v && READ_ONCE(t->state) != VCPU_OFFLINE)
        return -EINVAL;
    return vcpu_info_register(t, r.mfn, r.offset);
}

/*
 * The area is a guest virtual address, pinned now (Keel writes it from any pCPU, whatever
 * page tables are live).  As on Xen, only reading the argument can fail: an address that
 * cannot be pinned (unmapped, not the domain's RAM, crossing a page) is registered as no
 * area, and 0 stops the updates.
 */
static long register_runstate(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
    struct vcpu_register_runstate_memory_area r;
    paddr_t pa = 0;
    if (copy_obj_from_guest(v, &r, arg))
        return -EFAULT;
    if (r.addr.v && guest_va_pin(v, r.addr.v, sizeof(struct vcpu_runstate_info), &pa)) {
        guest_warn(v->dom, "domain %s: runstate area at %#lx cannot be written; no runstate\n",
                   v->dom->name, (unsigned long)r.addr.v);
        pa = 0;
    }
    runstate_area_register(t, pa);
    return 0;
}

long do_vcpu_op(struct vcpu *v, uint64_t args[5])
{
    unsigned cmd = (unsigned)args[0], id = (unsigned)args[1];
    if (cmd != VCPUOP_register_vcpu_info && cmd != VCPUOP_register_runstate_memory_area &&
        cmd != VCPUOP_is_up)
        return -EINVAL;
    struct domain *d = v->dom;
    struct vcpu *t = id < d->nr_vcpus ? d->vcpus[id] : NULL;
    if (!t)
        return -ENOENT;
    switch (cmd) {
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, t, args[2]);
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(v, t, args[2]);
    default:
        return READ_ONCE(t->state) != VCPU_OFFLINE;
    }
}

long do_vm_assist(struct vcpu *v, uint64_t args[5])
{
    unsigned cmd = (unsigned)args[0], type = (unsigned)args[1];
    if (type >= 64 || !(VM_ASSIST_VALID & BIT(type)))
        return -EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        __atomic_fetch_or(&v->dom->vm_assist, BIT(type), __ATOMIC_RELAXED);
        return 0;
    case VMASST_CMD_disable:
        __atomic_fetch_and(&v->dom->vm_assist, ~BIT(type), __ATOMIC_RELAXED);
        return 0;
    default:
        return -ENOSYS;
    }
}
