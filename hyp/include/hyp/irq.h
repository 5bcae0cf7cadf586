/*
 * Physical interrupts as the core sees them: numbered lines with handlers, plus
 * inter-processor interrupts.  The interrupt controller driver (drivers/gicv3.c on Arm)
 * implements the irqchip_* hooks below; core/irq.c owns the handler table.
 */
#pragma once

#include <hyp/types.h>

#define IRQ_MAX 1020 /* lines 0..1019; on GICv3: SGIs 0-15, PPIs 16-31, SPIs 32-1019 */

typedef void (*irq_handler_fn)(unsigned irq, void *ctx);

/* Install a handler.  For per-CPU lines (SGI/PPI) the handler is shared by all CPUs and each
 * CPU enables the line itself.  Returns 0, -EINVAL (bad number), -EBUSY (taken). */
int irq_register(unsigned irq, irq_handler_fn fn, void *ctx);
void irq_unregister(unsigned irq);

/* Called by the arch interrupt entry with interrupts masked: acknowledge and handle every
 * pending interrupt. */
void irq_dispatch(void);

enum ipi_kind {
    IPI_RESCHEDULE = 0, /* run the scheduler on return */
    IPI_CALL = 1,       /* run queued smp_call functions */
    IPI_STOP = 2,       /* park this CPU (machine going down) */
    IPI_WAKE = 3,       /* just leave WFI */
    IPI_KINDS
};

/* Send an IPI to one CPU (may be the caller). */
void ipi_send(unsigned cpu, enum ipi_kind kind);
/* Count of IPIs of each kind this CPU has received (self-checks and statistics). */
uint64_t ipi_received(unsigned cpu, enum ipi_kind kind);

/* --- irqchip hooks, implemented by the interrupt-controller driver --- */
void irqchip_init(void);     /* boot CPU: distributor */
void irqchip_init_cpu(void); /* each CPU: redistributor and CPU interface */
/* Acknowledge the highest-priority pending interrupt; returns its number or IRQ_MAX+ if
 * none (spurious). */
unsigned irqchip_ack(void);
/* Priority drop and deactivate. */
void irqchip_eoi(unsigned irq);
/* Enable/disable a line.  For SPIs, route it to cpu. */
void irqchip_enable(unsigned irq, unsigned cpu);
void irqchip_disable(unsigned irq);
void irqchip_send_sgi(unsigned cpu, unsigned sgi);
