/* SPDX-License-Identifier: Apache-2.0 */
/* What a test guest learns about its machine from the device tree it was booted with. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "smccc.h"

#define MAX_VCPUS 32 /* = MAX_VCPUS in start.S */
#define MAX_MEM_RANGES 4

struct platform {
    const char *model;
    bool hypervisor;   /* a Xen-ABI hypervisor: root "xen,xenvm" or a /hypervisor node */
    uint64_t uart;     /* PL011 or SBSA UART base, 0 if none */
    unsigned uart_irq; /* its INTID, 0 if the DT gives none */
    uint64_t gicd, gicd_size, gicr, gicr_size;
    enum conduit psci;
    unsigned nr_cpus;
    uint64_t mpidr[MAX_VCPUS]; /* the "reg" of each /cpus/cpu node, in DT order = vCPU index */
    unsigned nr_mem;
    uint64_t mem_base[MAX_MEM_RANGES], mem_size[MAX_MEM_RANGES];
    uint32_t timer_virt_ppi; /* INTID of the virtual timer (27 unless the DT says otherwise) */
    uint32_t timer_phys_ppi; /* INTID of the non-secure EL1 physical timer (30) */
    uint64_t boot_count;     /* CNTVCT_EL0 as the runtime started */
    const char *bootargs;    /* /chosen/bootargs, NULL if none */
    uint32_t bootargs_len;
};

extern struct platform plat;

/* Fill plat from the DT at dtb.  Returns false if dtb is not a device tree. */
bool platform_init(const void *dtb);
/* The vCPU index the runtime gave this vCPU (0 = boot vCPU). */
static inline unsigned this_cpu(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
    return (unsigned)v;
}
/* The decimal number after key (such as "guest.pcpus=", which tests/guest/run.sh passes) in
 * /chosen/bootargs.  False if key is not there. */
bool bootarg_uint(const char *key, uint64_t *val);
/* Index of the vCPU with this MPIDR affinity, or -1. */
int cpu_index_of(uint64_t mpidr);

/* Where PSCI CPU_ON should start a secondary vCPU (start.S); the context is its index. */
void guest_secondary_entry(void);

/* Registers each vCPU had at entry (start.S): x0-x3, DAIF, SCTLR_EL1, CurrentEL, SPSel. */
enum { ENTRY_X0, ENTRY_X1, ENTRY_X2, ENTRY_X3, ENTRY_DAIF, ENTRY_SCTLR, ENTRY_EL, ENTRY_SPSEL };
extern uint64_t guest_entry_regs[MAX_VCPUS][8];
