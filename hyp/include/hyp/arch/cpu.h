/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arch interface: the running CPU.  Each architecture implements these in
 * <arch/cpu_inline.h> (static inline, hot) or in its own .c files.
 */
#pragma once

#include <hyp/compiler.h>
#include <hyp/types.h>

struct percpu;

/* Hint that we are spinning (YIELD on Arm). */
static inline void arch_cpu_relax(void);

/* Mask this CPU's interrupts; returns the previous state for arch_irq_restore(). */
static inline unsigned long arch_irq_save(void);
static inline void arch_irq_restore(unsigned long flags);
static inline void arch_irq_enable(void);
static inline void arch_irq_disable(void);

/* This CPU's per-CPU block. */
static inline struct percpu *arch_this_cpu(void);
void arch_set_this_cpu(struct percpu *pc);

/* With interrupts just unmasked: give pending ones a chance to be taken before they are
 * masked again. */
static inline void arch_cpu_irq_window(void);

/* Whether an interrupt is pending for this CPU (while it has them masked). */
static inline bool arch_irq_pending(void);

/* Wait for an interrupt (interrupts may be masked: the CPU still wakes). */
static inline void arch_cpu_idle(void);

/* Stop this CPU for good (after a fatal error on it). */
__noreturn void arch_cpu_park(void);

/* Hardware id of this CPU (MPIDR affinity on Arm). */
uint64_t arch_cpu_hwid(void);

/* Free-running counter and its frequency (Hz); monotonic across CPUs. */
static inline uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

#include <arch/cpu_inline.h>
