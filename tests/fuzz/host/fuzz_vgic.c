/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the virtual GICv3 (hyp/arch/arm64/vgic/ minus hw.c): the input is a
 * program of guest-visible operations on a 4-vCPU domain, run through the real MMIO dispatch
 * (hyp/core/vmmio.c) as trapped accesses would be: distributor and redistributor reads and
 * writes of any size and offset (also past the frames), ICC_SGI1R_EL1 writes, device lines
 * and pulses, hardware-linked timer interrupts, host SPIs given to the domain firing (a level
 * and an edge one), and guest entries and exits with list registers the "guest" acknowledges
 * and deactivates the way hardware can.  Nothing may crash, read out of bounds, overflow or
 * reach BUG_ON (the panic double aborts), and after every operation each interrupt that is not
 * idle must be marked live (else no list register ever gets it: a lost interrupt) and name
 * vCPUs that exist; a host SPI fires only while inactive (the GIC's rule), and is active
 * exactly while linked or in the dispatcher.  At the end the domain's release leaves every
 * host line disabled and inactive.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/vmmio.h>

#include "../../../hyp/arch/arm64/vgic/vgic_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR_VCPUS 4
#define NR_LRS 4

/* --- doubles (the rest of Keel: tests/unit/vgic_doubles.c) --- */

unsigned vgic_hw_nr_lrs(void)
{
    return NR_LRS;
}

/* The host interrupt controller for the SPIs given to the domain (passthru.c). */
#define HOST_LINES 128
#define PT_LEVEL 40 /* given as level-sensitive */
#define PT_EDGE 41  /* given as edge-triggered */

static struct {
    irq_handler_fn fn;
    void *ctx;
    bool on, active;
} host[HOST_LINES];

static void fail(const char *what, unsigned vcpu, unsigned intid);

void vgic_hw_deactivate(unsigned pintid)
{
    if (pintid >= VGIC_NR_PRIVATE) {
        if (pintid >= HOST_LINES || !host[pintid].active)
            fail("Keel deactivated a host SPI that was not active", VGIC_NO_VCPU, pintid);
        host[pintid].active = false;
    }
}

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    if (irq >= HOST_LINES)
        return -EINVAL;
    if (host[irq].fn)
        return -EBUSY;
    host[irq].fn = fn;
    host[irq].ctx = ctx;
    return 0;
}

void irq_unregister(unsigned irq)
{
    host[irq].fn = NULL;
    host[irq].on = false;
}

int irqchip_set_trigger(unsigned irq, bool edge)
{
    return 0;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
    host[irq].on = true;
}

void irqchip_disable(unsigned irq, unsigned cpu)
{
    host[irq].on = false;
}

unsigned irqchip_nr_lines(void)
{
    return HOST_LINES;
}

bool cpu_online(unsigned cpu)
{
    return cpu < NR_VCPUS;
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
/* The guest's run between one list-register fill and its fold: it acknowledges and
 * deactivates, and a host SPI may fire meanwhile (on another pCPU). */
static void fire(struct domain *d, unsigned intid);

static void enter_exit(struct domain *d, struct vcpu *v, struct input *in)
{
    vgic_lr_fill(v, NR_LRS);
    uint64_t now[VGIC_MAX_LRS];
    for (unsigned i = 0; i < v->arch.vgic.nr_lr; i++) {
        uint64_t lr = v->arch.vgic.lr[i], st = lr >> ICH_LR_STATE_SHIFT;
        unsigned act = (unsigned)take(in, 1) & 7;
        if (act & 1 && st == 1)
            st = 2; /* acknowledge */
        if (act & 2 && st & 2) {
            st &= 1; /* deactivate, and the host SPI if linked */
            unsigned p = (unsigned)((lr & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT);
            if ((lr & ICH_LR_HW) && p >= VGIC_NR_PRIVATE && p < HOST_LINES)
                host[p].active = false;
        }
        now[i] = (lr & ~(3UL << ICH_LR_STATE_SHIFT)) | st << ICH_LR_STATE_SHIFT;
        if (act & 4)
            fire(d, act & 1 ? PT_EDGE : PT_LEVEL);
    }
    vgic_lr_fold(v, now);
}

/* The host SPI fires if the GIC would signal it: enabled and not active. */
static void fire(struct domain *d, unsigned intid)
{
    if (!host[intid].fn || !host[intid].on || host[intid].active)
        return;
    host[intid].active = true;
    if (host[intid].fn(intid, host[intid].ctx) != IRQ_FORWARDED)
        host[intid].active = false; /* the dispatcher ended it */
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
    /* A host SPI is active while linked.  Not the other way round: the guest's deactivation
     * through a list register ends it before that vCPU's fold unlinks it. */
    for (unsigned p = PT_LEVEL; p <= PT_EDGE; p++)
        if (host[p].active && !g->spis[p - VGIC_NR_PRIVATE].hw)
            fail("a host SPI is active with nothing linked to it", VGIC_NO_VCPU, p);
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
        enter_exit(d, v, in);
        break;
    case 11:
        fire(d, op & 0x10 ? PT_EDGE : PT_LEVEL);
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

static struct percpu pcpu0;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(host, 0, sizeof(host));
    host_this_cpu = &pcpu0;
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
    if (vgic_passthru_assign(d, PT_LEVEL, false) || vgic_passthru_assign(d, PT_EDGE, true))
        abort();
    struct input in = { data, size };
    for (unsigned n = 0; in.left && n < 4096; n++) {
        step(d, &in);
        check(d);
    }
    /* The domain goes: what it was given comes back disabled and inactive, with no vCPU
     * running (its list registers folded back, as at a kill). */
    vgic_passthru_release(d);
    for (unsigned p = PT_LEVEL; p <= PT_EDGE; p++)
        if (host[p].fn || host[p].on || host[p].active)
            fail("a host SPI was not given back clean", VGIC_NO_VCPU, p);
    for (unsigned i = 0; i < NR_VCPUS; i++) {
        vgic_vcpu_destroy(d->vcpus[i]);
        free(d->vcpus[i]);
    }
    vgic_domain_destroy(d);
    free(d);
    return 0;
}
