/* SPDX-License-Identifier: Apache-2.0 */
/* Keel's own PSCI and SMCCC client: the firmware below EL2, reached with SMC #0 (psci.c). */
#pragma once

#include <hyp/types.h>

/* Boot CPU, once: find the firmware's PSCI and learn whether it has SMCCC 1.1. */
void psci_init(void);
/* The firmware's SMCCC_ARCH_FEATURES answer for function id on this CPU (a 32-bit SMCCC
 * return code), or SMCCC_NOT_SUPPORTED without SMCCC 1.1: the firmware is never sent a call
 * it has not said it implements. */
int32_t psci_smccc_features(uint32_t id);
/* Call function id with argument a1; only for ids psci_smccc_features said are there. */
void psci_smccc_call(uint32_t id, uint64_t a1);
