/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the virtual GICv3 (hyp/arch/arm64/vgic/ minus hw.c): the input is a
 * program of guest-visible operations on a 4-vCPU domain, run through the real MMIO dispatch
 * (hyp/core/vmmio.c) as trapped accesses would be: distributor and redistributor reads and
 * writes of any size and offset (also past the frames), ICC_SGI1R_EL1 writes, device lines
 * and pulses, hardware-linked timer interrupts, and guest entries and exits with list
 * registers the "guest" acknowledges and deactivates the way hardware can.  Nothing may
 * crash, read out of bounds, overflow or reach BUG_ON (the panic double aborts), and after
 * every operation each interrupt that is not idle must be marked live (else no list register
 * ever gets it: a lost interrupt) and name vCPUs that exist.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/vmmio.h>

#include "../../../hyp/arch/arm64/vgic/vgic_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR_VCPUS 4
#define NR_LRS 4

/* --- doubles (as in tests/unit/test_vgic.c) --- */

void vcpu_kick(struct vcpu *v)
{
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
    return ((uint64_t)(v->id >> 4) << 8) | (v->id & 0xf);
}

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

unsigned vgic_hw_nr_lrs(void)
{
    return NR_LRS;
}

void vgic_hw_deactivate(unsigned pintid)
{
}

/* Where a direct-mapped domain's frames go (the host controller's). */
void irqchip_host_frames(uint64_t *dist, uint64_t *redist)
{
    *dist = 0x08000000UL;
    *redist = 0x080a0000UL;
}

int vgic_hw_init(void)
{
    return 0;
}

/* --- the program --- */

struct input {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
        v |= (uint64_t)*in->p++ << (8 * i);
    return v;
}

static void mmio(struct vcpu *v, uint64_t gpa, struct input *in)
{
    unsigned sz = (unsigned)take(in, 1);
    uint64_t val = take(in, 8);
    (void)vmmio_access(v, gpa, sz & 0x80, 1u << (sz & 3), &val);
}

/* One guest entry and exit: the guest may acknowledge (pending -> active) and deactivate
 * (active -> gone, pending and active -> pending) what the list registers hold. */
static void enter_exit(struct vcpu *v, struct input *in)
{
    vgic_lr_fill(v, NR_LRS);
    uint64_t now[VGIC_MAX_LRS];
    for (unsigned i = 0; i < v->arch.vgic.nr_lr; i++) {
        uint64_t lr = v->arch.vgic.lr[i], st = lr >> ICH_LR_STATE_SHIFT;
        unsigned act = (unsigned)take(in, 1) & 3;
        if (act & 1 && st == 1)
            st = 2; /* acknowledge */
        if (act & 2 && st & 2)
            st &= 1; /* deactivate */
        now[i] = (lr & ~(3UL << ICH_LR_STATE_SHIFT)) | st << ICH_LR_STATE_SHIFT;
    }
    vgic_lr_fold(v, now);
}

static void fail(const char *what, unsigned vcpu, unsigned intid)
{
    fprintf(stderr, "vgic invariant: %s (vCPU %u, INTID %u)\n", what, vcpu, intid);
    abort();
}

static void check_irq(const struct vgic_irq *irq, bool live, unsigned vcpu, unsigned intid)
{
    if (!vgic_irq_idle(irq) && !live)
        fail("an interrupt that is not idle is not live", vcpu, intid);
    if (irq->target != VGIC_NO_VCPU && irq->target >= NR_VCPUS)
        fail("target names no vCPU", vcpu, intid);
    if (irq->lr_vcpu != VGIC_NO_VCPU && irq->lr_vcpu >= NR_VCPUS)
        fail("list register of no vCPU", vcpu, intid);
}

static void check(struct domain *d)
{
    struct vgic_dist *g = vgic_of(d);
    for (unsigned i = 0; i < NR_VCPUS; i++)
        for (unsigned n = 0; n < VGIC_NR_PRIVATE; n++)
            check_irq(&d->vcpus[i]->arch.vgic.priv[n], d->vcpus[i]->arch.vgic.live & (1u << n), i,
                      n);
    for (unsigned n = 0; n < g->nr_spis; n++)
        check_irq(&g->spis[n], g->live_spis[n / 64] & BIT(n % 64), VGIC_NO_VCPU,
                  n + VGIC_NR_PRIVATE);
}

static void step(struct domain *d, struct input *in)
{
    unsigned op = (unsigned)take(in, 1);
    struct vcpu *v = d->vcpus[(op >> 4) % NR_VCPUS];
    switch (op & 15) {
    case 0:
    case 1:
    case 2: /* distributor, and a little around it */
        mmio(v, VGIC_DIST_BASE - 0x100 + take(in, 2) % (VGIC_DIST_SIZE + 0x200), in);
        break;
    case 3:
    case 4:
    case 5: /* redistributors, one frame past the last */
        mmio(v, VGIC_REDIST_BASE + take(in, 3) % ((NR_VCPUS + 1) * VGIC_REDIST_STRIDE), in);
        break;
    case 6:
        vgic_sgi1r_write(v, take(in, 8));
        break;
    case 7: {
        unsigned intid = (unsigned)take(in, 2) % 1100;
        vgic_set_level(d, intid < 32 ? v : NULL, intid, take(in, 1) & 1);
        break;
    }
    case 8: {
        unsigned intid = (unsigned)take(in, 2) % 1100;
        vgic_inject(d, intid < 32 ? v : NULL, intid);
        break;
    }
    case 9: { /* a timer PPI forwarded with the hardware bit, unless still linked */
        unsigned intid = take(in, 1) & 1 ? 27 : 30;
        if (!v->arch.vgic.priv[intid].hw)
            (void)vgic_inject_hw(v, intid, intid);
        break;
    }
    case 10:
    case 11:
        enter_exit(v, in);
        break;
    case 12:
        (void)vgic_pending(v);
        break;
    case 13:
        vgic_lr_unlink_private(v);
        break;
    default: /* anywhere at all */
        mmio(v, take(in, 5), in);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct domain *d = calloc(1, sizeof(*d));
    if (!d)
        return 0;
    d->id = 1;
    d->cfg.nr_vcpus = NR_VCPUS;
    if (vgic_domain_init(d, 64))
        abort();
    for (unsigned i = 0; i < NR_VCPUS; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        if (!v)
            abort();
        v->id = i;
        v->dom = d;
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        if (vgic_vcpu_init(v))
            abort();
    }
    struct input in = { data, size };
    for (unsigned n = 0; in.left && n < 4096; n++) {
        step(d, &in);
        check(d);
    }
    for (unsigned i = 0; i < NR_VCPUS; i++) {
        vgic_vcpu_destroy(d->vcpus[i]);
        free(d->vcpus[i]);
    }
    vgic_domain_destroy(d);
    free(d);
    return 0;
}
