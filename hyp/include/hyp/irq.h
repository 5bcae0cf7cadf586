/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical interrupts as the core sees them: numbered lines with handlers, plus
 * inter-processor interrupts.  The interrupt controller driver (drivers/gicv3.c on Arm)
 * implements the irqchip_* hooks below; core/irq.c owns the handler table and the IPIs.
 */
#pragma once

#include <hyp/types.h>

#define IRQ_MAX 1020         /* lines 0..1019; on GICv3: SGIs 0-15, PPIs 16-31, SPIs 32-1019 */
#define IRQ_PER_CPU_LINES 32 /* lines below this are banked per CPU (SGIs and PPIs) */
#define IRQ_SPURIOUS 1023    /* irqchip_ack(): nothing pending */
#define IRQ_IPI 0            /* the software-generated line that carries every IPI kind */

/* How the interrupt a handler was called for ends. */
enum irq_end {
    IRQ_EOI,       /* Keel is done with it: the dispatcher ends it (EOI) */
    IRQ_FORWARDED, /* handed to a guest through a list register with the hardware bit (the
                    * vGIC's virtual timer): the dispatcher only drops the priority, and the
                    * guest's deactivation ends the physical interrupt */
};
typedef enum irq_end (*irq_handler_fn)(unsigned irq, void *ctx);

/* Boot CPU, once, before any other irq_* call: the interrupt controller and the IPI line. */
void irq_init(void);
/* Each CPU, boot CPU included: its part of the controller; enables the IPI line here. */
void irq_init_cpu(void);

/* Install a handler.  For per-CPU lines (SGI/PPI) the handler is shared by all CPUs and each
 * CPU enables the line itself.  Does not enable the line.  Returns 0, -EINVAL (bad number),
 * -EBUSY (taken). */
int irq_register(unsigned irq, irq_handler_fn fn, void *ctx);
/* Disable the line on this CPU (SPIs: everywhere) and remove its handler.  Does not wait for
 * a handler already running on another CPU. */
void irq_unregister(unsigned irq);

/* Called by the arch interrupt entry with interrupts masked: acknowledge and handle every
 * pending interrupt.  Handlers run with interrupts masked. */
void irq_dispatch(void);
/* Interrupts taken that had no handler (each such line is disabled when seen). */
uint64_t irq_unhandled_count(void);

enum ipi_kind {
    IPI_RESCHEDULE = 0, /* the sender flagged a reschedule; the interrupt makes us notice */
    IPI_CALL = 1,       /* run queued smp_call functions */
    IPI_STOP = 2,       /* park this CPU for good (machine going down) */
    IPI_WAKE = 3,       /* just leave WFI */
    IPI_TIMER = 4,      /* reprogram the hardware timer: another CPU queued an earlier timer */
    IPI_KINDS
};

/* Send an IPI to one online CPU (may be the caller).  Kinds sent before the target handles
 * them coalesce: the target sees each pending kind once. */
void ipi_send(unsigned cpu, enum ipi_kind kind);
/* How many times cpu has handled an IPI of this kind (self-checks and statistics). */
uint64_t ipi_received(unsigned cpu, enum ipi_kind kind);

/* --- irqchip hooks, implemented by the interrupt-controller driver --- */
/* Boot CPU: find the controller in the device tree, map and reset it (all lines disabled).
 * Panics if there is none, since Keel cannot run without one. */
void irqchip_init(void);
/* Each CPU: its redistributor and CPU interface.  Needs percpu hwid and id set. */
void irqchip_init_cpu(void);
/* Acknowledge the highest-priority pending interrupt; returns its number, or IRQ_SPURIOUS
 * (or anything >= IRQ_MAX) if there is none. */
unsigned irqchip_ack(void);
/*
 * End of interrupt.  The controller runs in split mode: irqchip_priority_drop() lets other
 * interrupts in and irqchip_deactivate() lets this line fire again.  irqchip_eoi() does both
 * (interrupts Keel handles itself); for a line forwarded to a guest, Keel only drops the
 * priority and the guest's own EOI deactivates the physical line through the list register.
 */
void irqchip_eoi(unsigned irq);
void irqchip_priority_drop(unsigned irq);
void irqchip_deactivate(unsigned irq);
/* Deactivate SPI irq in the distributor, from any CPU, whichever CPU acknowledged it (a line
 * forwarded to a guest that Keel takes back).  Does not drop a priority. */
void irqchip_clear_active(unsigned irq);
/* How many lines the controller has (SPIs + 32, at most IRQ_MAX): SPIs are 32 to this - 1. */
unsigned irqchip_nr_lines(void);
/* Enable/disable a line.  Per-CPU lines: in cpu's banked copy (any CPU may call).  SPIs:
 * route to cpu, then enable. */
void irqchip_enable(unsigned irq, unsigned cpu);
void irqchip_disable(unsigned irq, unsigned cpu);
/* Edge (true) or level (false) triggered.  Returns 0 or -EINVAL; SGIs are always edge. */
int irqchip_set_trigger(unsigned irq, bool edge);
/* Where the controller's frames are (host-physical): its distributor and its first
 * redistributor, for a domain that sees them where they are (dom0). */
void irqchip_host_frames(uint64_t *dist, uint64_t *redist);
/* Raise software-generated interrupt sgi (0-15) on logical CPU cpu. */
void irqchip_send_sgi(unsigned cpu, unsigned sgi);
