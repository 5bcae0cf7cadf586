/* SPDX-License-Identifier: Apache-2.0 */
/* AArch64 implementation of the inline part of <hyp/arch/cpu.h>. */
#pragma once

static inline void arch_cpu_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}

static inline unsigned long arch_irq_save(void)
{
    unsigned long flags;
    __asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(flags)::"memory");
    return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
    __asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

static inline void arch_irq_enable(void)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_disable(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline struct percpu *arch_this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mrs %0, tpidr_el2" : "=r"(p));
    return p;
}

static inline void arch_cpu_idle(void)
{
    __asm__ volatile("dsb sy; wfi" ::: "memory");
}

static inline uint64_t arch_counter(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v)::"memory");
    return v;
}

static inline void arch_cpu_irq_window(void)
{
    __asm__ volatile("isb" ::: "memory");
}

/* Whether a physical IRQ or FIQ is pending for this CPU (ISR_EL1 at EL2, Arm ARM D17.2.87):
 * long hypercalls look, to stop and continue later. */
static inline bool arch_irq_pending(void)
{
    uint64_t isr;
    __asm__ volatile("mrs %0, isr_el1" : "=r"(isr));
    return isr & (3UL << 6); /* I, F */
}
