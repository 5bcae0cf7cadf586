/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Xen hypercalls from a test guest (xen-abi-facts A.2/A.3): HVC #0xEA1, number in x16,
 * arguments in x0-x4, result in x0.  The hypervisor may clobber x16 and the argument registers,
 * so all of them are outputs here; every other register must survive the call.  The numbers
 * and layouts are abi/xen's.
 */
#pragma once

#include <xen/arch-arm.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/xen.h>

static inline long xen_hypercall(unsigned long op, unsigned long a0, unsigned long a1,
                                 unsigned long a2, unsigned long a3, unsigned long a4)
{
    register unsigned long x0 __asm__("x0") = a0;
    register unsigned long x1 __asm__("x1") = a1;
    register unsigned long x2 __asm__("x2") = a2;
    register unsigned long x3 __asm__("x3") = a3;
    register unsigned long x4 __asm__("x4") = a4;
    register unsigned long x16 __asm__("x16") = op;
    __asm__ volatile("hvc %[tag]"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x16)
                     : [tag] "i"(XEN_HYPERCALL_TAG)
                     : "memory");
    return (long)x0;
}

/* SCHEDOP_yield: let another vCPU have this physical CPU (xen-abi-facts B.4). */
static inline long xen_yield(void)
{
    return xen_hypercall(HYPERVISOR_sched_op, 0, 0, 0, 0, 0);
}
