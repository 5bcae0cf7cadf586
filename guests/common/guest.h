/* SPDX-License-Identifier: Apache-2.0 */
/* What each test guest provides to the runtime (guests/<name>/main.c). */
#pragma once

/* The guest's name, printed at start. */
extern const char guest_name[];
/* Runs on the boot vCPU with the MMU, console and plat ready; the runtime prints the summary
 * and powers off when it returns. */
void guest_main(void *dtb);
/* Runs on a vCPU started with psci_cpu_on_index(idx); the vCPU calls PSCI CPU_OFF when it
 * returns.  Optional. */
void guest_secondary_main(unsigned idx);
