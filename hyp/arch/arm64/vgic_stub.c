/* TEMPORARY: vGIC stand-in so the vCPU code links; replaced by hyp/arch/arm64/vgic/. */
#include <arm64/vgic.h>
#include <hyp/domain.h>

int vgic_domain_init(struct domain *d, unsigned nr_spis) { return 0; }
void vgic_domain_destroy(struct domain *d) {}
int vgic_vcpu_init(struct vcpu *v) { return 0; }
void vgic_vcpu_destroy(struct vcpu *v) {}
void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid) {}
void vgic_set_level(struct domain *d, struct vcpu *v, unsigned intid, bool level) {}
void vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid) {}
void vgic_flush(struct vcpu *v) {}
void vgic_sync(struct vcpu *v) {}
void vgic_save(struct vcpu *v) {}
void vgic_restore(struct vcpu *v) {}
bool vgic_pending(struct vcpu *v) { return false; }
void vgic_sgi1r_write(struct vcpu *v, uint64_t val) {}
