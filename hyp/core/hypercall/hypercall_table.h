/* SPDX-License-Identifier: Apache-2.0 */
/* The hypercall families' handlers (one file each in core/hypercall/), for the table in
 * hypercall.c.  Hypercall numbers come from abi/xen. */
#pragma once

#include <hyp/domain.h>
#include <xen/xen.h>

/* args: the argument registers; a handler may rewrite them to continue later (-ERESTART). */
typedef long (*hypercall_fn)(struct vcpu *v, uint64_t args[5]);

long do_memory_op(struct vcpu *v, uint64_t args[5]);
long do_multicall(struct vcpu *v, uint64_t args[5]);
long do_xen_version(struct vcpu *v, uint64_t args[5]);
long do_sched_op(struct vcpu *v, uint64_t args[5]);
long do_grant_table_op(struct vcpu *v, uint64_t args[5]);
long do_vcpu_op(struct vcpu *v, uint64_t args[5]);
long do_vm_assist(struct vcpu *v, uint64_t args[5]);
long do_hvm_op(struct vcpu *v, uint64_t args[5]);
long do_console_io(struct vcpu *v, uint64_t args[5]);
long do_event_channel_op(struct vcpu *v, uint64_t args[5]);
long do_sysctl(struct vcpu *v, uint64_t args[5]);
long do_domctl(struct vcpu *v, uint64_t args[5]);
