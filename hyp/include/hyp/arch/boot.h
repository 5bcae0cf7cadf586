/* SPDX-License-Identifier: Apache-2.0 */
/* Arch interface: machine bring-up and power.  Implemented by hyp/arch/<arch>/. */
#pragma once

#include <hyp/compiler.h>
#include <hyp/types.h>

/* Map a device's registers for the hypervisor (1:1, device memory).  Returns 0 or -ENOMEM /
 * -EINVAL. */
int arch_mmio_map(paddr_t base, uint64_t size);

/* Whether Keel's own address map covers any of [base, base + size): RAM, or the registers
 * of a device Keel drives itself (its UART, the interrupt controller).  Such host memory must
 * not be passed through to a domain. */
bool arch_hyp_maps_any(paddr_t base, uint64_t size);

/* From now on take translation-table pages from the page allocator. */
void arch_mmu_use_page_alloc(void);

/* After the MMU, console and page allocator are up on the boot CPU: find the interrupt
 * controller, timer and firmware interface in the device tree.  Panics if the machine lacks
 * something Keel cannot run without. */
void arch_init(void);

/* Per-CPU arch setup, on each CPU (boot CPU included) after arch_init(). */
void arch_init_cpu(void);

/* Start CPU `cpu` (hardware id hwid); it enters secondary_main(cpu).  Returns 0 or a negative
 * errno from the firmware. */
int arch_cpu_start(unsigned cpu, uint64_t hwid);

/* Machine-wide power off / reset.  Do not return. */
__noreturn void arch_system_off(void);
__noreturn void arch_system_reset(void);

/* Entered by each secondary CPU with the MMU on. */
__noreturn void secondary_main(unsigned cpu);
