/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual GICv3 (GIC architecture spec IHI 0069): distributor, one redistributor per vCPU and
 * the list registers of the virtual CPU interface.  The contract between the vCPU run loop and
 * the vGIC (implemented in hyp/arch/arm64/vgic/).
 *
 * Run-loop protocol, all on the pCPU the vCPU is loaded on, interrupts masked:
 *   arch_vcpu_load:  vgic_restore(v)
 *   each entry:      vgic_flush(v); guest_enter(); vgic_sync(v); then handle the exit
 *                    (vgic_sync must run before irq_dispatch: it switches the maintenance
 *                    interrupt's condition off)
 *   arch_vcpu_put:   vgic_save(v)
 * Between vgic_sync and the next vgic_flush the list registers hold nothing the software
 * state does not know: every exit handler sees the whole interrupt state in memory.
 *
 * Changes from the first placeholder contract: struct vgic_cpu and struct vgic_irq are real;
 * vgic_inject_hw returns whether it linked the physical interrupt, and its caller then tells
 * the dispatcher (IRQ_FORWARDED in <hyp/irq.h>); VGIC_MAINT_PPI names the maintenance
 * interrupt.
 */
#pragma once

#include <hyp/types.h>
#include <xen/arch-arm.h>

struct domain;
struct vcpu;

/* Guest-physical layout (xen-abi-facts H.1). */
#define VGIC_DIST_BASE GUEST_GICV3_GICD_BASE
#define VGIC_DIST_SIZE GUEST_GICV3_GICD_SIZE
#define VGIC_REDIST_BASE GUEST_GICV3_GICR0_BASE
#define VGIC_REDIST_STRIDE GUEST_GICV3_RDIST_STRIDE /* RD_base + SGI_base frames per vCPU */

#define VGIC_NR_PRIVATE 32 /* SGIs 0-15 and PPIs 16-31, banked per vCPU */
#define VGIC_MAX_LRS 16    /* architectural maximum of ICH_VTR_EL2.ListRegs + 1 */
#define VGIC_MAINT_PPI 25  /* the maintenance interrupt (SBSA: PPI 9) */

/*
 * One virtual interrupt.  Guarded by its domain's vGIC lock.  "Pending" is the latch (edge, or
 * a write to ISPENDR) or, for a level-sensitive one, the line level.  While a running vCPU's
 * list register holds the interrupt (lr_vcpu), that register owns the latch it took and the
 * active state; vgic_sync gives them back.
 */
struct vgic_irq {
    uint8_t priority;  /* GICD_IPRIORITYR byte */
    uint8_t target;    /* vCPU index it is delivered to (SPIs: from IROUTER), or 0xff */
    uint8_t active_on; /* vCPU index holding it active */
    uint8_t lr_vcpu;   /* vCPU whose list registers hold it while that vCPU runs, or 0xff */
    uint16_t pintid;   /* physical INTID, when hw */
    bool enabled : 1;
    bool group1 : 1;
    bool edge : 1;  /* GICD_ICFGR: edge-triggered */
    bool latch : 1; /* pending latch */
    bool level : 1; /* input line level (level-sensitive interrupts) */
    bool active : 1;
    bool hw : 1;          /* linked to physical pintid, which stays active until the guest
                          * deactivates the linked instance */
    bool hw_active : 1;   /* the linked instance is the active one (else the pending one) */
    bool lr_pending : 1;  /* a running vCPU's list register holds its pending state */
    bool lr_override : 1; /* software changed pending/active under a running list register:
                           * vgic_sync keeps the software state */
    bool assigned : 1;    /* an SPI given the host SPI of the same number (vgic_passthru_*):
                           * its enable follows to the physical line and edge is the line's */
    bool hw_refire : 1;   /* the link is to a new physical instance that arrived while a
                           * running vCPU's list register still held the previous one, which
                           * the guest had deactivated: that vCPU's vgic_sync keeps the link */
};

/* Per-vCPU vGIC state, embedded in struct arch_vcpu. */
struct vgic_cpu {
    struct vgic_irq priv[VGIC_NR_PRIVATE];
    uint32_t live;             /* bit n: priv[n] may be pending, active or in a list register */
    uint32_t waker;            /* GICR_WAKER.ProcessorSleep */
    uint64_t lr[VGIC_MAX_LRS]; /* what vgic_flush wrote to the list registers */
    unsigned nr_lr;            /* list registers vgic_flush filled */
    unsigned hw_lrs;           /* list registers that may be non-zero in the hardware (loaded) */
    uint16_t took_latch;       /* bit n: list register n took its interrupt's latch */
    uint64_t hcr;              /* ICH_HCR_EL2 for the next entry */
    uint64_t vmcr;             /* ICH_VMCR_EL2 while not loaded */
    uint32_t ap0r[4], ap1r[4]; /* ICH_AP0R<n>_EL2 / ICH_AP1R<n>_EL2 while not loaded */
};

/* Domain: distributor state for nr_spis SPIs (rounded up to a multiple of 32, at most 988)
 * and the two MMIO regions.  Call while building, after d->cfg.nr_vcpus is set.  0, -ENOMEM,
 * or vmmio_register's error. */
int vgic_domain_init(struct domain *d, unsigned nr_spis);
/* Copes with a half-built domain (and with vgic_domain_init never called). */
void vgic_domain_destroy(struct domain *d);
int vgic_vcpu_init(struct vcpu *v);
void vgic_vcpu_destroy(struct vcpu *v);

/* Raise an edge (pulse) interrupt: SGI/PPI need target v; SPIs pass v = NULL.  Any pCPU;
 * kicks the vCPU that should see it.  An INTID the domain does not have is ignored. */
void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid);
/* Drive a line: level-sensitive interrupts are pending while it is high; an edge-triggered
 * one latches on a rising edge.  Any pCPU. */
void vgic_set_level(struct domain *d, struct vcpu *v, unsigned intid, bool level);
/* Forward a physical interrupt (acknowledged at EL2, still active) as vintid with the hardware
 * bit, so the guest's deactivation deactivates pintid.  Only on the pCPU where v is current (a
 * PPI is banked per pCPU), from v's exit path.  Returns true if the guest now owns the
 * deactivation: the caller's interrupt handler must then return IRQ_FORWARDED so the
 * dispatcher only drops the priority; false (no such vINTID) leaves the physical interrupt to
 * the dispatcher.  The physical line
 * must be level-sensitive: when v leaves the pCPU (vgic_save) Keel deactivates pintid and drops
 * a pending instance the guest had not taken, and the line raises it again later. */
bool vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid);

/*
 * Host SPIs given to a domain (passthrough, xl's "irqs"): d's virtual SPI intid is linked to
 * the host SPI of the same number.  The host interrupt is forwarded as a hardware-linked
 * interrupt (as vgic_inject_hw links the virtual timer's), from whichever pCPU takes it, to
 * the vCPU the virtual GICD_IROUTER names; the guest's deactivation deactivates it.  The
 * physical line is enabled while the virtual SPI is, and routed to the pCPU of the vCPU it
 * targets when the guest enables or re-routes it (passthru.c says why not on every move).
 *
 * vgic_passthru_assign: while d is built, before it runs; edge is the line's trigger (the
 * virtual GICD_ICFGR shows it and ignores writes).  0; -EINVAL (not an SPI, beyond the host
 * controller's lines or d's vGIC); -EBUSY (the line is Keel's own or another domain's); or
 * the controller's error setting the trigger.
 * vgic_passthru_release: every line d was given is disabled, deactivated if active, unlinked
 * and free for another domain; a handler running elsewhere at the time is waited for, so
 * nothing reaches d afterwards.  With no vCPU of d running (domain kill); idempotent; copes
 * with a half-built d.
 */
int vgic_passthru_assign(struct domain *d, unsigned intid, bool edge);
void vgic_passthru_release(struct domain *d);
/* Forward host SPI intid, taken on this pCPU and still active, to d (the line's handler, with
 * its owner's lock held).  True if d now owns its deactivation (the handler returns
 * IRQ_FORWARDED); false leaves the physical interrupt to the dispatcher. */
bool vgic_forward_spi(struct domain *d, unsigned intid);

/*
 * A level-sensitive source that can say whether it still asserts its line.  The vGIC learns of
 * a rising line from an event (vgic_set_level, or a forwarded physical interrupt), but some
 * lines drop with no event Keel sees: a guest that stops its virtual timer writes CNTV_CTL_EL0
 * without trapping.  A level-sensitive interrupt that was pending, not yet acknowledged, is no
 * longer pending once its line drops (IHI 0069 4.1, interrupt lifecycle), so the vGIC asks the
 * source again before it shows the pending state (GICR_ISPENDR0/ICPENDR0 read by v itself),
 * before it enables the interrupt (GICR_ISENABLER0 write by v), and at each exit of v that left
 * the interrupt pending in a list register; a line found low withdraws the pending state it
 * produced (the level, or a forwarded instance, whose physical interrupt is deactivated so the
 * next rising edge arrives).  Raising stays the source's job.
 *
 * Called for v's own private interrupt intid, on the pCPU where v is current, with the vGIC
 * lock held: it must not take locks.  Returns false if the line is low.
 */
typedef bool (*vgic_sample_fn)(struct vcpu *v, unsigned intid);
/* Make fn the source of private interrupt intid of every vCPU (NULL: none).  Before any guest
 * runs. */
void vgic_set_sampler(unsigned intid, vgic_sample_fn fn);

/* Around each guest entry on this pCPU: write pending interrupts to list registers; read back
 * what the guest did with them. */
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);
/* Context switch of the virtual CPU interface (ICH_VMCR, APRs, LRs). */
void vgic_save(struct vcpu *v);
void vgic_restore(struct vcpu *v);
/* Whether v has a pending interrupt that is enabled (ends WFI).  May be called with the
 * scheduler lock held. */
bool vgic_pending(struct vcpu *v);
/* Where d's distributor and first redistributor frame are (guest-physical); the redistributors
 * follow each other every VGIC_REDIST_STRIDE, one per vCPU. */
void vgic_frames(const struct domain *d, uint64_t *dist, uint64_t *redist);
/* Trapped write of ICC_SGI1R_EL1. */
void vgic_sgi1r_write(struct vcpu *v, uint64_t val);
