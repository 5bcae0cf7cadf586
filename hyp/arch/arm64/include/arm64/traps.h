/* SPDX-License-Identifier: Apache-2.0 */
/* Guest exits (synchronous exceptions from EL1/EL0) and exception injection into a guest. */
#pragma once

#include <hyp/domain.h>

/* Handle a synchronous exit of the loaded vCPU v (ESR_EL2 etc. still hold its syndrome).
 * Returns its kind for the exit statistics. */
enum exit_kind guest_trap_sync(struct vcpu *v);
/* An SError from the guest: the guest caused an asynchronous abort; the domain crashes. */
void guest_trap_serror(struct vcpu *v);

/* Skip the trapped instruction (4 bytes: Keel runs no AArch32 guests). */
void guest_advance_pc(struct vcpu *v);
/* Inject into the loaded vCPU: an undefined-instruction exception, or a synchronous external
 * abort on data (is_data) or instruction fetch at virtual address va. */
void guest_inject_undef(struct vcpu *v);
void guest_inject_abort(struct vcpu *v, bool is_data, uint64_t va, bool write);

/* PSCI / SMCCC call from the guest (function id in x0); results in x0-x3. */
void vpsci_call(struct vcpu *v);
