/* SPDX-License-Identifier: Apache-2.0 */
/* Per-physical-CPU state.  Each CPU touches only its own block, except for the online flag
 * and the IPI mailbox, which other CPUs read or set atomically. */
#pragma once

#include <arch/percpu.h>
#include <hyp/arch/cpu.h>
#include <hyp/config.h>
#include <hyp/types.h>

struct vcpu;

struct percpu {
    struct arch_percpu arch; /* first: the exception entry code finds it at offset 0 */
    unsigned id;             /* logical id, 0 = boot CPU */
    uint64_t hwid;           /* MPIDR affinity */
    bool online;
    struct vcpu *current; /* vCPU running here, NULL when idle */
    uint32_t ipi_pending; /* bitmask of enum ipi_kind, set by other CPUs */
    bool need_resched;    /* the scheduler wants this pCPU back (sched.c sets and clears) */
};

extern struct percpu percpu_data[MAX_CPUS];
extern unsigned nr_cpus; /* CPUs described by the device tree */

static inline struct percpu *this_cpu(void)
{
    return arch_this_cpu();
}

static inline unsigned cpu_id(void)
{
    return arch_this_cpu()->id;
}

/* The vCPU running on this pCPU, or NULL. */
static inline struct vcpu *current_vcpu(void)
{
    return arch_this_cpu()->current;
}
