/* SPDX-License-Identifier: Apache-2.0 */
/* SMCCC 1.1 calls (Arm DEN 0028) and PSCI (Arm DEN 0022) from a test guest. */
#pragma once

#include <stdint.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define PSCI_64(fn) ((fn) | 0x40000000u) /* the SMC64 variant of a call */

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INVALID_ADDRESS (-9)
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1
#define PSCI_AFF_ON_PENDING 2

enum conduit { CONDUIT_NONE, CONDUIT_HVC, CONDUIT_SMC };

/* call_with_regs(regs, kind) loads x0-x28 from regs, issues the call, stores x0-x28 back
 * (callregs.S): what a test needs to see which registers a call changed. */
enum call_kind { CALL_XEN_HVC, CALL_HVC0, CALL_SMC0 };
void call_with_regs(uint64_t regs[29], enum call_kind kind);

/* A call through HVC #0 / SMC #0 with x0-x3 = fn, a1-a3.  Returns x0 (sign-extended when
 * fn is an SMC32 call, whose results are 32-bit). */
int64_t smccc_hvc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t smccc_smc(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* Through the conduit the DT's /psci node names; NOT_SUPPORTED if there is none. */
int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* PSCI CPU_ON of the vCPU with index idx at guest_secondary_entry (context = idx). */
int64_t psci_cpu_on_index(unsigned idx);
__attribute__((noreturn)) void psci_system_off(void);
