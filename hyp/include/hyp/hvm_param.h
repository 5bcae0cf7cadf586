/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's HVM parameters (xen-abi-facts B.5): the few an Arm guest reads to find its event
 * upcall, xenstore and PV console, and Xen 4.17's rules on who may read or set which.  Kernel
 * types only; core/hypercall/hvm_op.c decodes the guest's struct.  Each value is one word of
 * d->hvm_param, read and written whole (no lock).
 */
#pragma once

#include <hyp/domain.h>

/* At creation: the upcall PPI in HVM_PARAM_CALLBACK_IRQ for a domain with Xen's interfaces;
 * every other parameter reads 0 until set. */
void hvm_param_domain_init(struct domain *d);

/* caller reads parameter index of d (caller already found allowed to act on d).  0 with *val;
 * -EINVAL for an index Arm does not use, -EPERM for one d may not read of itself
 * (MONITOR_RING_PFN). */
int hvm_param_get(const struct domain *caller, struct domain *d, uint32_t index, uint64_t *val);
/* caller sets parameter index of d: only a toolstack, never the domain itself (-EPERM), and
 * only the parameters Arm uses (-EINVAL). */
int hvm_param_set(const struct domain *caller, struct domain *d, uint32_t index, uint64_t val);
