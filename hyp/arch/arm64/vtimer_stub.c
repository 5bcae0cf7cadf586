/* TEMPORARY: virtual-timer stand-in so the vCPU code links; replaced by vtimer.c. */
#include <arm64/vtimer.h>
#include <hyp/domain.h>

void vtimer_domain_init(struct domain *d) {}
int vtimer_vcpu_init(struct vcpu *v) { return 0; }
void vtimer_vcpu_destroy(struct vcpu *v) {}
void vtimer_save(struct vcpu *v) {}
void vtimer_restore(struct vcpu *v) {}
bool vtimer_sysreg(struct vcpu *v, unsigned enc, bool write, uint64_t *val) { return false; }
