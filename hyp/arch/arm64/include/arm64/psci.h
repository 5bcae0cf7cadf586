/* SPDX-License-Identifier: Apache-2.0 */
/* PSCI function ids (Arm DEN 0022), shared by Keel's own client of the firmware below EL2
 * (psci.c, SMC #0) and the PSCI it gives its guests (vpsci.c). */
#pragma once

#include <hyp/types.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define PSCI_64(fn) ((fn) | 0x40000000u) /* SMC64 variant */

/* Keel's own client (psci.c). */

/* Boot CPU, once: find the firmware's PSCI and learn whether it has SMCCC 1.1. */
void psci_init(void);
/* The firmware's SMCCC_ARCH_FEATURES answer for function id on this CPU (a 32-bit SMCCC
 * return code), or SMCCC_NOT_SUPPORTED without SMCCC 1.1: the firmware is never sent a call
 * it has not said it implements. */
int32_t psci_smccc_features(uint32_t id);
/* Call function id with argument a1; only for ids psci_smccc_features said are there. */
void psci_smccc_call(uint32_t id, uint64_t a1);
