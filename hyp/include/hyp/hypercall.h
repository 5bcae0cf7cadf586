/*
 * Xen-ABI hypercalls (xen-abi-facts A.2/A.3): number in x16, up to five arguments, result in
 * x0 as a negative Xen errno on failure.  One file per hypercall group behind a table.
 */
#pragma once

#include <hyp/domain.h>

/* Dispatch hypercall op for the current vCPU v.  Unknown numbers return -ENOSYS. */
long hypercall(struct vcpu *v, unsigned long op, const uint64_t args[5]);
