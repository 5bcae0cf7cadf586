/*
 * GICv3 helpers for test guests (Arm IHI 0069): the distributor and redistributors named by the
 * DT, and the system-register CPU interface.  Interrupts are Group 1, routed as IRQ.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Distributor (GICD_*) offsets. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0C00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xFFE8
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

/* Redistributor: RD_base frame, then SGI_base frame 64 KiB above it. */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xFFE8
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400
#define GICR_TYPER_LAST (1u << 4)
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)

#define GIC_SPURIOUS 1023
#define GIC_PRIO_DEFAULT 0xa0

/* Distributor set-up (boot vCPU, once): affinity routing and Group 1 on, SPIs Group 1 and off. */
bool gic_init(void);
/* This vCPU's redistributor and CPU interface; eoi_split sets ICC_CTLR_EL1.EOImode (then the
 * IRQ path writes ICC_DIR_EL1 after ICC_EOIR1_EL1). */
bool gic_cpu_init(bool eoi_split);
/* What the IRQ path takes ICC_CTLR_EL1.EOImode of this vCPU to be, for a guest that writes
 * ICC_CTLR_EL1 itself (with interrupts masked, so none is taken in between). */
void gic_set_eoi_split(bool eoi_split);
/* RD_base of the redistributor whose GICR_TYPER affinity is mpidr, 0 if none. */
uint64_t gic_rdist_of(uint64_t mpidr);
uint64_t gic_rdist(void);

uint32_t gicd_read(uint32_t off);
void gicd_write(uint32_t off, uint32_t v);
void gicd_wait_rwp(void);

/* Enable/disable, priority and pending state of any INTID (SGI/PPI: this vCPU's own copy). */
void gic_enable(unsigned intid);
void gic_disable(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
/* Route an SPI to the vCPU with affinity mpidr. */
void gic_route_spi(unsigned intid, uint64_t mpidr);
void gic_set_pending(unsigned intid);
/* SGI intid to the vCPU with affinity mpidr / to every vCPU but this one (IRM). */
void gic_send_sgi(unsigned intid, uint64_t mpidr);
void gic_send_sgi_others(unsigned intid);

/* IRQ dispatch: the runtime acknowledges, calls the handler with the INTID, then ends it. */
typedef void (*irq_handler_fn)(unsigned intid);
void irq_set_handler(irq_handler_fn fn);
/* Called from the IRQ vector; false if no handler is set. */
bool gic_handle_irq(void);
