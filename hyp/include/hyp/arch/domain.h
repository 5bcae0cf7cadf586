/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arch interface for domains and vCPUs (implemented in hyp/arch/<arch>/).  The core calls these;
 * the arch never changes a domain's or vCPU's core state directly except through the core
 * functions in <hyp/domain.h>.
 */
#pragma once

#include <hyp/domain.h>

/* Guest physical memory layout the arch offers (Xen's Arm guest layout on arm64). */
struct guest_layout {
    uint64_t ram_base[2]; /* RAM banks: filled in order */
    uint64_t ram_size[2];
    uint64_t uart_base; /* emulated SBSA UART */
    unsigned uart_irq;
    unsigned addr_bits; /* size of the guest-physical address space (stage-2 input) */
};
void arch_guest_layout(struct guest_layout *out);

/* Set up/tear down the arch part: guest address space, interrupt controller, devices.
 * arch_domain_relinquish (at kill, no vCPU running) gives back the host interrupts d was given
 * and takes the guest address space down so the memory can go back; arch_domain_destroy (at
 * the free) releases the rest.  Both cope with a half-initialised domain. */
int arch_domain_init(struct domain *d);
void arch_domain_relinquish(struct domain *d);
void arch_domain_destroy(struct domain *d);

/*
 * Give d the host SPI intid (32..1019), as Xen's irqs= does: d's virtual SPI of the same
 * number becomes linked to it.  When the host line fires, the interrupt goes to the vCPU that
 * d's virtual GICD_IROUTER names, as a hardware-linked interrupt, so that the guest's own
 * deactivation re-arms the host line; the host line is enabled while d enables the virtual
 * SPI.  edge is the line's trigger.  Call while building d, before it runs; d's interrupt
 * controller was sized for its configuration's irqs (every host line for a direct-mapped d).
 * The line is d's until arch_domain_relinquish, which disables and deactivates it and frees it
 * for another domain; nothing of d can fire afterwards.
 * 0; -EINVAL (not an SPI, beyond the host controller's lines or d's interrupt controller);
 * -EBUSY (Keel's own line, such as its UART's, or already given to a domain).
 */
int arch_domain_assign_irq(struct domain *d, unsigned intid, bool edge);

/* Build the device tree the guest boots with into buf (max size).  Returns its size, or a
 * negative errno (-ENOSPC: it does not fit).  ramdisk/initrd addresses are guest-physical.
 * A direct-mapped domain (dom0) gets the host's tree (bootinfo) adapted as Xen adapts it for
 * its hardware domain: what arch_dom0_devices() reports stays, Keel's vGIC, dom0's memory,
 * vCPUs, PSCI and /chosen replace the host's, and /hypervisor has its grant window and
 * extended regions where the host has nothing (-ENOSPC also if there is no room for them). */
int arch_guest_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd,
                   uint64_t initrd_size);

/* What a direct-mapped hardware domain (dom0) is given of the host's devices, reported by
 * arch_dom0_devices().  A callback returning non-zero stops the walk. */
struct dom0_device_ops {
    /* Host device memory [base, base + size), page aligned: for dom0 at the same address. */
    int (*mmio)(void *ctx, paddr_t base, uint64_t size);
    /* Host SPI intid (32..1019), edge- or level-triggered as the device tree says: for dom0
     * as the same INTID. */
    int (*spi)(void *ctx, unsigned intid, bool edge);
};

struct fdt;

/*
 * Report the host devices dom0 gets: those of every node that dom0's device tree keeps from
 * host (not the interrupt controller and its ITS, memory, CPUs, PSCI, /chosen,
 * /reserved-memory, the PMU and other nodes with PPIs, Keel's console UART at hyp_uart (0:
 * none)), skipping disabled nodes and everything below them.
 * MMIO: each "reg" entry that is a CPU address (translated through the buses' "ranges") and
 * each window of a PCI host bridge's "ranges" (its ECAM is a reg), page aligned outwards;
 * reported once all are known, in address order, overlapping and adjacent ones merged, never a
 * page of Keel's UART or of the GIC.  Then the SPIs of "interrupts", "interrupts-extended" and
 * "interrupt-map" (PCI INTx) going to the GIC: each INTID once, ascending.
 * 0; the first non-zero callback result; -ENOMEM (Keel's heap holds the list of ranges while it
 * is sorted); -EINVAL if host holds no tree.
 */
int arch_dom0_devices(const struct fdt *host, paddr_t hyp_uart, const struct dom0_device_ops *ops,
                      void *ctx);

/* Drive a guest interrupt line (an SPI of an emulated device) of d. */
void arch_guest_set_irq_level(struct domain *d, unsigned irq, bool level);

/* Print the domain's exit statistics (when it goes away). */
void arch_domain_report(struct domain *d);

/* Set up/tear down a vCPU's arch state.  arch_vcpu_kill (at kill) stops for good whatever
 * could still fire for v (its timers), waiting for handlers running elsewhere. */
int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_kill(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* Reset v to the architected boot state entering at entry with first argument arg (Linux:
 * x0 = DTB) and MMU off. */
void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg);
/* The toolstack's view of a vCPU's registers (Xen's vcpu_guest_context), v not running:
 * read them into c (flags untouched), or check c (-EINVAL: a PSTATE Xen refuses) and reset v
 * with c's registers. */
struct vcpu_guest_context;
void arch_vcpu_get_context(struct vcpu *v, struct vcpu_guest_context *c);
int arch_vcpu_check_context(const struct vcpu_guest_context *c);
void arch_vcpu_set_context(struct vcpu *v, const struct vcpu_guest_context *c);
/* Hardware id (MPIDR) the guest sees for v. */
uint64_t arch_vcpu_hwid(const struct vcpu *v);

/* Context switch on this pCPU: put the outgoing vCPU's state away, load the incoming one. */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);
/* Run the loaded vCPU until the scheduler must decide again (it blocked, yielded, its time
 * slice ended or its state changed).  Handles guest exits itself. */
void arch_vcpu_run(struct vcpu *v);
/* Whether v has an interrupt pending that should end a WFI. */
bool arch_vcpu_has_pending_irq(struct vcpu *v);
