/* Hypercall numbers (Xen public/xen.h, xen-abi-facts A.3) and the group handlers. */
#pragma once

#include <hyp/domain.h>
#include <xen/xen.h>

typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t args[5]);

long do_xen_version(struct vcpu *v, const uint64_t args[5]);
long do_sched_op(struct vcpu *v, const uint64_t args[5]);
