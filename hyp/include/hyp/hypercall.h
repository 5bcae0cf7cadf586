/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Xen-ABI hypercalls (HVC #0xEA1, number in x16, up to five arguments in x0-x4, result in x0 as
 * a negative Xen errno on failure).  One file per family in core/hypercall/ behind one table;
 * families decode guest arguments and call the subsystem, which works on kernel structs.
 */
#pragma once

#include <hyp/domain.h>

/* Dispatch hypercall op for the current vCPU v.  args are the argument registers themselves: a
 * handler that stops early to continue later rewrites them and returns -ERESTART, and the
 * caller then re-executes the call (the guest never sees -ERESTART).  Unknown numbers give
 * -ENOSYS, calls the domain may not make -EPERM. */
long hypercall(struct vcpu *v, unsigned long op, uint64_t args[5]);

/* A long operation's loop asks this between steps: true when it should stop and continue
 * later (the scheduler wants the pCPU, or an interrupt is waiting). */
bool hypercall_preempt_check(void);

#define NR_HYPERCALLS 64

/* The Xen name of hypercall op ("event_channel_op"), or NULL if Keel has none: for messages. */
const char *hypercall_name(unsigned long op);
