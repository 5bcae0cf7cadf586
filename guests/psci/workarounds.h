/* SPDX-License-Identifier: Apache-2.0 */
/* The SMCCC Spectre workarounds as a guest sees them (workarounds.c). */
#pragma once

/* Check SMCCC_ARCH_FEATURES for ARCH_WORKAROUND_1/2/3 and the calls themselves; the expected
 * answers come from the guest's role (psci.role=max|bhb) or its MIDR. */
void workaround_checks(void);
