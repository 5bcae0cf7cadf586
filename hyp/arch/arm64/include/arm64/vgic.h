/*
 * Virtual GICv3 (distributor, redistributors, list registers) — contract between the vCPU run
 * loop and the vGIC.  PLACEHOLDER: the real implementation replaces hyp/arch/arm64/vgic_stub.c.
 */
#pragma once

#include <hyp/types.h>

struct domain;
struct vcpu;

/* Per-vCPU vGIC state, embedded in struct arch_vcpu. */
struct vgic_cpu {
    uint64_t placeholder;
};

/* Guest-physical layout (xen-abi-facts H.1). */
#define VGIC_DIST_BASE 0x03001000UL
#define VGIC_DIST_SIZE 0x10000UL
#define VGIC_REDIST_BASE 0x03020000UL
#define VGIC_REDIST_STRIDE 0x20000UL /* RD_base + SGI_base frames per vCPU */

int vgic_domain_init(struct domain *d, unsigned nr_spis);
void vgic_domain_destroy(struct domain *d);
int vgic_vcpu_init(struct vcpu *v);
void vgic_vcpu_destroy(struct vcpu *v);

/* Raise an edge (pulse) interrupt: SGI/PPI need target v; SPIs pass v = NULL. */
void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid);
/* Drive a level-sensitive line. */
void vgic_set_level(struct domain *d, struct vcpu *v, unsigned intid, bool level);
/* Forward a physical interrupt (already acknowledged at EL2, priority dropped, still active) as
 * vintid with the hardware bit, so the guest's deactivation deactivates pintid. */
void vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid);

/* Around each guest entry on this pCPU: write pending interrupts to list registers; read back
 * what the guest did with them. */
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);
/* Context switch of the virtual CPU interface (ICH_VMCR, APRs, LRs). */
void vgic_save(struct vcpu *v);
void vgic_restore(struct vcpu *v);
/* Whether v has a pending interrupt that is enabled (ends WFI). */
bool vgic_pending(struct vcpu *v);
/* Trapped write of ICC_SGI1R_EL1. */
void vgic_sgi1r_write(struct vcpu *v, uint64_t val);
