/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the virtual GICv3 state logic (hyp/arch/arm64/vgic/ minus hw.c): register
 * semantics through the real emulated-MMIO dispatch (core/vmmio.c), list-register selection and
 * read-back on a copy of the registers, hardware-linked interrupts, SGI generation.  The
 * hardware side and the scheduler are doubles: vcpu_kick records which vCPUs were kicked,
 * vgic_hw_deactivate which physical interrupts were deactivated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/errno.h>

#include "../../hyp/arch/arm64/vgic/vgic_internal.h"
#include "vgic_doubles.h"

/* --- doubles --- */

static unsigned nr_lrs = 4;
static unsigned deactivated[8]; /* physical INTIDs, in order */
static unsigned nr_deactivated;

unsigned vgic_hw_nr_lrs(void)
{
    return nr_lrs;
}

void vgic_hw_deactivate(unsigned pintid)
{
    assert_true(nr_deactivated < ARRAY_SIZE(deactivated));
    deactivated[nr_deactivated++] = pintid;
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

/* No SPI here is given a host line (test_vgic_passthru.c has those). */
void vgic_pt_changed(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq, enum vgic_field f)
{
    fail();
}

void vgic_pt_route(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq)
{
    fail();
}

/* --- a domain to test on --- */

static struct domain *dom;

static struct vcpu *vcpu(unsigned i)
{
    return dom->vcpus[i];
}

static struct domain *make_domain(unsigned nr_vcpus, unsigned nr_spis)
{
    struct domain *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->id = 1;
    d->cfg.nr_vcpus = nr_vcpus;
    assert_int_equal(vgic_domain_init(d, nr_spis), 0);
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        assert_non_null(v);
        v->id = i;
        v->dom = d;
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        assert_int_equal(vgic_vcpu_init(v), 0);
    }
    return d;
}

static void free_domain(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        vgic_vcpu_destroy(d->vcpus[i]);
        free(d->vcpus[i]);
    }
    vgic_domain_destroy(d);
    assert_null(d->arch.vgic);
    free(d);
}

static int setup(void **state)
{
    kicked = 0;
    nr_lrs = 4;
    nr_deactivated = 0;
    dom = make_domain(4, 64);
    return 0;
}

static int teardown(void **state)
{
    vgic_set_sampler(27, NULL);
    free_domain(dom);
    return 0;
}

/* MMIO through the domain's region table, as a trapped guest access would go. */
static int mmio_rd(unsigned vc, uint64_t gpa, unsigned size, uint64_t *val)
{
    *val = 0xdeadbeef;
    return vmmio_access(vcpu(vc), gpa, false, size, val);
}

static uint64_t rd(uint64_t gpa, unsigned size)
{
    uint64_t val;
    assert_int_equal(mmio_rd(0, gpa, size, &val), 0);
    return val;
}

static void wr(uint64_t gpa, unsigned size, uint64_t val)
{
    assert_int_equal(vmmio_access(vcpu(0), gpa, true, size, &val), 0);
}

#define D(off) (VGIC_DIST_BASE + (off))
#define R(n, off) (VGIC_REDIST_BASE + (n)*VGIC_REDIST_STRIDE + (off))
#define SGI(n, off) (R(n, 0x10000 + (off)))

#define LR_STATE(lr) ((lr) >> ICH_LR_STATE_SHIFT)
#define LR_INTID(lr) ((unsigned)((lr)&ICH_LR_VINTID_MASK))
#define LR_PRIO(lr) ((unsigned)((lr) >> ICH_LR_PRIO_SHIFT) & 0xff)
#define ST_P 1
#define ST_A 2

static struct vgic_irq *irq_of(unsigned vc, unsigned intid)
{
    return vgic_irq_get(vgic_of(dom), vcpu(vc), intid);
}

/* Guest view for most tests: distributor on, SPI/PPI enabled with a priority. */
static void enable(unsigned vc, unsigned intid, unsigned prio)
{
    wr(D(0), 4, GICD_CTLR_ENABLE_G1);
    if (intid < 32) {
        wr(SGI(vc, 0x100), 4, 1u << intid);
        wr(SGI(vc, 0x400 + intid), 1, prio);
    } else {
        wr(D(0x100 + intid / 32 * 4), 4, 1u << (intid % 32));
        wr(D(0x400 + intid), 1, prio);
    }
}

/* One guest entry and exit: fill, let the guest change the registers with fn, fold. */
static void run(unsigned vc, void (*guest)(uint64_t *lrs, unsigned n))
{
    struct vcpu *v = vcpu(vc);
    vgic_lr_fill(v, nr_lrs);
    uint64_t now[VGIC_MAX_LRS];
    for (unsigned i = 0; i < v->arch.vgic.nr_lr; i++)
        now[i] = v->arch.vgic.lr[i];
    if (guest)
        guest(now, v->arch.vgic.nr_lr);
    vgic_lr_fold(v, now);
}

static void set_state(uint64_t *lr, unsigned st)
{
    *lr = (*lr & ~(3UL << ICH_LR_STATE_SHIFT)) | (uint64_t)st << ICH_LR_STATE_SHIFT;
}

static void guest_ack_all(uint64_t *lrs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (LR_STATE(lrs[i]) & ST_P)
            set_state(&lrs[i], ST_A);
}

static void guest_ack_eoi_all(uint64_t *lrs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        set_state(&lrs[i], 0);
}

/* --- distributor registers --- */

static void dist_ctlr_typer_ids(void **state)
{
    assert_int_equal(rd(D(0), 4), GICD_CTLR_ARE | GICD_CTLR_DS);
    wr(D(0), 4, 0xffffffff);
    assert_int_equal(rd(D(0), 4),
                     GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
    uint32_t typer = (uint32_t)rd(D(4), 4);
    assert_int_equal(typer & 0x1f, 2);     /* 64 SPIs + 32: ITLinesNumber 2 */
    assert_int_equal((typer >> 5) & 7, 3); /* 4 vCPUs */
    assert_int_equal((typer >> 19) & 0x1f, 9);
    assert_int_equal(typer & BIT(17), 0); /* no LPIs */
    assert_int_equal(rd(D(8), 4), VGIC_IIDR);
    assert_int_equal((rd(D(0xffe8), 4) >> 4) & 0xf, 3);
    assert_int_equal(rd(D(0xfff0), 4), 0x0d);
}

static void dist_bad_sizes_and_offsets(void **state)
{
    uint64_t val;
    assert_int_equal(mmio_rd(0, D(0), 1, &val), -EINVAL); /* CTLR is 32-bit */
    assert_int_equal(mmio_rd(0, D(0), 8, &val), -EINVAL);
    assert_int_equal(mmio_rd(0, D(0x102), 4, &val), -EINVAL);  /* misaligned */
    assert_int_equal(mmio_rd(0, D(0x100), 2, &val), -EINVAL);  /* ISENABLER is 32-bit */
    assert_int_equal(mmio_rd(0, D(0x421), 2, &val), -EINVAL);  /* misaligned priority */
    assert_int_equal(mmio_rd(0, D(0x420), 2, &val), -EINVAL);  /* priorities: bytes or words */
    assert_int_equal(mmio_rd(0, D(0x6100), 2, &val), -EINVAL); /* IROUTER: 32 or 64 bits */
    uint64_t w = 1;
    assert_int_equal(vmmio_access(vcpu(0), D(0xc00), true, 1, &w), -EINVAL);
    /* Unknown and reserved offsets read as zero and ignore writes. */
    assert_int_equal(rd(D(0x9000), 4), 0);
    wr(D(0x9000), 4, 0xffffffff);
    assert_int_equal(rd(D(0x9000), 8), 0);
    assert_int_equal(rd(D(0x0800), 4), 0); /* ITARGETSR with affinity routing */
    wr(D(0xf00), 4, 0x00ff0001);           /* GICD_SGIR does nothing */
    assert_int_equal(kicked, 0);
    /* Past the end of the frame there is no device at all. */
    assert_int_equal(mmio_rd(0, D(VGIC_DIST_SIZE), 4, &val), -ENOENT);
}

static void dist_enable_bits(void **state)
{
    wr(D(0x104), 4, 0x5); /* ISENABLER1: INTIDs 32 and 34 */
    assert_int_equal(rd(D(0x104), 4), 0x5);
    assert_int_equal(rd(D(0x184), 4), 0x5); /* ICENABLER reads the same state */
    assert_true(irq_of(0, 32)->enabled && !irq_of(0, 33)->enabled && irq_of(0, 34)->enabled);
    wr(D(0x184), 4, 0x1);
    assert_int_equal(rd(D(0x104), 4), 0x4);
    /* SGIs and PPIs are the redistributors' with affinity routing: RAZ/WI here. */
    wr(D(0x100), 4, 0xffffffff);
    assert_int_equal(rd(D(0x100), 4), 0);
    assert_false(irq_of(0, 16)->enabled);
    /* Beyond the domain's 64 SPIs: RAZ/WI. */
    wr(D(0x10c), 4, 0xffffffff);
    assert_int_equal(rd(D(0x10c), 4), 0);
    assert_int_equal(rd(D(0x17c), 4), 0);
}

static void dist_pending_active(void **state)
{
    wr(D(0x204), 4, BIT(3)); /* ISPENDR: INTID 35 */
    assert_int_equal(rd(D(0x204), 4), BIT(3));
    assert_int_equal(rd(D(0x284), 4), BIT(3));
    wr(D(0x284), 4, BIT(3));
    assert_int_equal(rd(D(0x204), 4), 0);

    /* Level-sensitive: pending while the line is high, whatever ICPENDR says. */
    vgic_set_level(dom, NULL, 36, true);
    assert_int_equal(rd(D(0x204), 4), BIT(4));
    wr(D(0x284), 4, BIT(4));
    assert_int_equal(rd(D(0x204), 4), BIT(4));
    vgic_set_level(dom, NULL, 36, false);
    assert_int_equal(rd(D(0x204), 4), 0);
    /* A latch set by ISPENDR outlives the line. */
    wr(D(0x204), 4, BIT(4));
    assert_int_equal(rd(D(0x204), 4), BIT(4));
    wr(D(0x284), 4, BIT(4));

    wr(D(0x304), 4, BIT(5)); /* ISACTIVER: INTID 37 */
    assert_int_equal(rd(D(0x304), 4), BIT(5));
    assert_int_equal(rd(D(0x384), 4), BIT(5));
    assert_int_equal(irq_of(0, 37)->active_on, 0);
    wr(D(0x384), 4, BIT(5));
    assert_int_equal(rd(D(0x304), 4), 0);
}

static void dist_priority_bytes(void **state)
{
    wr(D(0x400 + 33), 1, 0xa5);
    assert_int_equal(rd(D(0x400 + 33), 1), 0xa0); /* five priority bits */
    assert_int_equal(rd(D(0x420), 4), 0xa000);
    wr(D(0x424), 4, 0x10203040);
    assert_int_equal(irq_of(0, 36)->priority, 0x40);
    assert_int_equal(irq_of(0, 39)->priority, 0x10);
    assert_int_equal(rd(D(0x424), 4), 0x10203040);
    /* SGI/PPI priorities are in the redistributor. */
    wr(D(0x400), 4, 0xffffffff);
    assert_int_equal(rd(D(0x400), 4), 0);
    assert_int_equal(irq_of(0, 0)->priority, 0);
}

static void dist_config(void **state)
{
    wr(D(0xc08), 4, 0x2); /* ICFGR2: INTID 32 edge */
    assert_true(irq_of(0, 32)->edge);
    assert_int_equal(rd(D(0xc08), 4), 0x2);
    /* Edge: a rising line latches; dropping it does not clear the latch. */
    vgic_set_level(dom, NULL, 32, true);
    vgic_set_level(dom, NULL, 32, false);
    assert_true(irq_of(0, 32)->latch);
    wr(D(0xc08), 4, 0);
    assert_false(irq_of(0, 32)->edge);
    /* SGIs are always edge; PPIs are configurable. */
    assert_int_equal(rd(SGI(0, 0xc00), 4), 0xaaaaaaaa);
    wr(SGI(0, 0xc00), 4, 0);
    assert_int_equal(rd(SGI(0, 0xc00), 4), 0xaaaaaaaa);
    wr(SGI(0, 0xc04), 4, 0x2 << 6); /* INTID 19 edge */
    assert_true(irq_of(0, 19)->edge);
}

static void dist_irouter(void **state)
{
    uint64_t r = D(0x6000 + 8 * 40);
    assert_int_equal(rd(r, 8), 0);
    assert_int_equal(irq_of(0, 40)->target, 0);
    wr(r, 8, 2); /* Aff0 = 2: vCPU 2 */
    assert_int_equal(irq_of(0, 40)->target, 2);
    assert_int_equal(rd(r, 8), 2);
    assert_int_equal(rd(r, 4), 2);
    assert_int_equal(rd(r + 4, 4), 0);
    wr(r, 8, 0x1ff00000003UL); /* Aff3 is RES0 (A3V = 0), Aff0 = 3 */
    assert_int_equal(rd(r, 8), 3);
    assert_int_equal(irq_of(0, 40)->target, 3);
    wr(r, 8, 0x100); /* Aff1 = 1: no such vCPU */
    assert_int_equal(irq_of(0, 40)->target, VGIC_NO_VCPU);
    wr(r, 4, BIT(31)); /* Interrupt_Routing_Mode: any; Keel picks vCPU 0 */
    assert_int_equal(irq_of(0, 40)->target, 0);
    assert_int_equal(rd(r, 8), BIT(31));

    /* A pending, enabled SPI routed somewhere kicks that vCPU. */
    enable(0, 41, 0x80);
    wr(D(0x6000 + 8 * 41), 8, 1);
    kicked = 0;
    vgic_inject(dom, NULL, 41);
    assert_int_equal(kicked, BIT(1));
    assert_false(vgic_pending(vcpu(0)));
    assert_true(vgic_pending(vcpu(1)));
    /* Re-routing it kicks the new target. */
    kicked = 0;
    wr(D(0x6000 + 8 * 41), 8, 3);
    assert_int_equal(kicked, BIT(3));

    /* IROUTER0-31 are reserved, and there is none past the domain's SPIs. */
    wr(D(0x6000 + 8 * 5), 8, 1);
    assert_int_equal(rd(D(0x6000 + 8 * 5), 8), 0);
    wr(D(0x6000 + 8 * 100), 8, 1);
    assert_int_equal(rd(D(0x6000 + 8 * 100), 8), 0);
    assert_int_equal(rd(D(0x7fd8), 8), 0);
}

/* --- redistributors --- */

static void redist_typer_waker(void **state)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t t = rd(R(i, 8), 8);
        assert_int_equal(t >> 32, i);             /* Aff0 = vCPU id */
        assert_int_equal((t >> 8) & 0xffff, i);   /* Processor_Number */
        assert_int_equal(!!(t & BIT(4)), i == 3); /* Last */
        assert_int_equal(rd(R(i, 8), 4), t & 0xffffffff);
        assert_int_equal(rd(R(i, 12), 4), t >> 32);
    }
    assert_int_equal(rd(R(0, 4), 4), VGIC_IIDR);
    assert_int_equal((rd(R(2, 0xffe8), 4) >> 4) & 0xf, 3);
    /* WAKER: asleep until the guest clears ProcessorSleep, then ChildrenAsleep follows. */
    assert_int_equal(rd(R(1, 0x14), 4), 0x6);
    wr(R(1, 0x14), 4, 0);
    assert_int_equal(rd(R(1, 0x14), 4), 0);
    assert_int_equal(rd(R(0, 0x14), 4), 0x6);
    wr(R(1, 0x14), 4, 0x2);
    assert_int_equal(rd(R(1, 0x14), 4), 0x6);
    /* GICR_CTLR and the LPI registers read as zero. */
    assert_int_equal(rd(R(0, 0), 4), 0);
    assert_int_equal(rd(R(0, 0x70), 8), 0);

    uint64_t val;
    assert_int_equal(mmio_rd(0, R(0, 8), 2, &val), -EINVAL);
    assert_int_equal(mmio_rd(0, R(0, 0x14), 8, &val), -EINVAL);
    assert_int_equal(mmio_rd(0, R(0, 0x16), 2, &val), -EINVAL);
    /* A 4-vCPU domain has four frames; the fifth is nobody's. */
    assert_int_equal(mmio_rd(0, R(4, 8), 8, &val), -ENOENT);
}

static void redist_sgi_frame(void **state)
{
    /* vCPU 0 programs vCPU 2's banked interrupts. */
    wr(SGI(2, 0x100), 4, BIT(27) | BIT(1));
    assert_true(irq_of(2, 27)->enabled && irq_of(2, 1)->enabled);
    assert_false(irq_of(0, 27)->enabled);
    assert_int_equal(rd(SGI(2, 0x180), 4), BIT(27) | BIT(1));
    wr(SGI(2, 0x41b), 1, 0x60);
    assert_int_equal(irq_of(2, 27)->priority, 0x60);
    assert_int_equal(rd(SGI(2, 0x418), 4), 0x60000000);
    wr(SGI(2, 0x200), 4, BIT(1));
    assert_true(irq_of(2, 1)->latch);
    wr(SGI(2, 0x280), 4, BIT(1));
    assert_false(irq_of(2, 1)->latch);
    wr(SGI(2, 0x080), 4, 0);
    assert_false(irq_of(2, 5)->group1);
    wr(SGI(2, 0x080), 4, ~0u);
    /* Only register 0 of each bank exists here. */
    wr(SGI(2, 0x104), 4, ~0u);
    assert_int_equal(rd(SGI(2, 0x104), 4), 0);
    assert_int_equal(rd(SGI(2, 0x420), 4), 0);
    assert_int_equal(rd(SGI(2, 0xd00), 4), 0);
    uint64_t val;
    assert_int_equal(mmio_rd(0, SGI(2, 0x100), 1, &val), -EINVAL);
}

/* --- list registers --- */

static void lr_priority_order_and_overflow(void **state)
{
    static const unsigned prio[6] = { 0xa0, 0x20, 0x80, 0x20, 0xf0, 0x40 };
    for (unsigned i = 0; i < 6; i++) {
        enable(0, 32 + i, prio[i]);
        vgic_inject(dom, NULL, 32 + i);
    }
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c->nr_lr, 4);
    /* Highest priority (lowest value) first; equal priorities by INTID. */
    assert_int_equal(LR_INTID(c->lr[0]), 33);
    assert_int_equal(LR_INTID(c->lr[1]), 35);
    assert_int_equal(LR_INTID(c->lr[2]), 37);
    assert_int_equal(LR_INTID(c->lr[3]), 34);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(LR_STATE(c->lr[i]), ST_P);
        assert_true(c->lr[i] & ICH_LR_GROUP);
        assert_false(c->lr[i] & ICH_LR_HW);
    }
    assert_int_equal(LR_PRIO(c->lr[0]), 0x20);
    /* Two left over: underflow maintenance to come back for them. */
    assert_int_equal(c->hcr, ICH_HCR_EN | ICH_HCR_UIE);
    uint64_t now[VGIC_MAX_LRS];
    for (unsigned i = 0; i < 4; i++)
        now[i] = c->lr[i];
    guest_ack_eoi_all(now, 4);
    vgic_lr_fold(vcpu(0), now);

    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c->nr_lr, 2);
    assert_int_equal(LR_INTID(c->lr[0]), 32);
    assert_int_equal(LR_INTID(c->lr[1]), 36);
    assert_int_equal(c->hcr, ICH_HCR_EN);
    for (unsigned i = 0; i < 2; i++)
        now[i] = c->lr[i];
    guest_ack_eoi_all(now, 2);
    vgic_lr_fold(vcpu(0), now);
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c->nr_lr, 0);
    vgic_lr_fold(vcpu(0), now);
}

static void lr_only_enabled_and_group_enabled(void **state)
{
    vgic_inject(dom, NULL, 40); /* not enabled */
    run(0, NULL);
    assert_int_equal(vcpu(0)->arch.vgic.nr_lr, 0);
    assert_false(vgic_pending(vcpu(0)));
    enable(0, 40, 0x80);
    wr(D(0), 4, 0); /* distributor groups off */
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(vcpu(0)->arch.vgic.nr_lr, 0);
    vgic_lr_fold(vcpu(0), NULL);
    assert_false(vgic_pending(vcpu(0)));
    kicked = 0;
    wr(D(0), 4, GICD_CTLR_ENABLE_G1);
    assert_true(kicked & BIT(0));
    assert_true(vgic_pending(vcpu(0)));
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(vcpu(0)->arch.vgic.nr_lr, 1);
    uint64_t now = vcpu(0)->arch.vgic.lr[0];
    vgic_lr_fold(vcpu(0), &now);
}

static void lr_edge_lifecycle(void **state)
{
    enable(0, 33, 0x80);
    vgic_inject(dom, NULL, 33);
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    uint64_t now;

    /* Not acknowledged: still pending afterwards. */
    vgic_lr_fill(vcpu(0), nr_lrs);
    now = c->lr[0];
    assert_false(irq_of(0, 33)->latch);        /* the list register holds it */
    assert_int_equal(rd(D(0x204), 4), BIT(1)); /* and the guest still reads it pending */
    vgic_lr_fold(vcpu(0), &now);
    assert_true(irq_of(0, 33)->latch);

    /* Acknowledged: active, no longer pending. */
    vgic_lr_fill(vcpu(0), nr_lrs);
    now = c->lr[0];
    set_state(&now, ST_A);
    vgic_lr_fold(vcpu(0), &now);
    assert_false(vgic_irq_pending(irq_of(0, 33)));
    assert_true(irq_of(0, 33)->active);
    assert_false(vgic_pending(vcpu(0)));

    /* Active stays in a list register; a new edge while active makes it pending+active. */
    vgic_inject(dom, NULL, 33);
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P | ST_A);
    /* The guest deactivates the first and takes the second in one go. */
    now = c->lr[0];
    set_state(&now, ST_A);
    vgic_lr_fold(vcpu(0), &now);
    assert_true(irq_of(0, 33)->active);
    assert_false(vgic_irq_pending(irq_of(0, 33)));

    /* EOI: gone. */
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    now = c->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(0), &now);
    assert_false(irq_of(0, 33)->active);
    assert_false(vgic_irq_pending(irq_of(0, 33)));
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c->nr_lr, 0);
}

static void lr_edge_while_in_lr_not_lost(void **state)
{
    enable(0, 33, 0x80);
    vgic_inject(dom, NULL, 33);
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    vgic_lr_fill(vcpu(0), nr_lrs);
    /* Another pCPU raises it again while the guest runs; the guest acks and EOIs the first. */
    kicked = 0;
    vgic_inject(dom, NULL, 33);
    assert_true(kicked & BIT(0));
    uint64_t now = c->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(0), &now);
    assert_true(irq_of(0, 33)->latch);
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P);
    now = c->lr[0];
    vgic_lr_fold(vcpu(0), &now);
}

static void lr_level_stays_pending_while_high(void **state)
{
    enable(0, 32, 0x80); /* vpl011's SPI, level-sensitive */
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    uint64_t now;
    vgic_set_level(dom, NULL, 32, true);
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P);
    now = c->lr[0];
    set_state(&now, ST_A); /* acknowledged, device not yet serviced */
    vgic_lr_fold(vcpu(0), &now);
    assert_true(vgic_irq_pending(irq_of(0, 32)));
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P | ST_A);
    now = c->lr[0];
    vgic_lr_fold(vcpu(0), &now);
    /* The handler services the device (an MMIO exit lowers the line), then EOIs. */
    vgic_set_level(dom, NULL, 32, false);
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    now = c->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(0), &now);
    assert_false(irq_of(0, 32)->active);
    assert_false(vgic_irq_pending(irq_of(0, 32)));
    /* Raised again later, delivered again. */
    vgic_set_level(dom, NULL, 32, true);
    assert_true(vgic_pending(vcpu(0)));
}

static void lr_icpendr_while_running_elsewhere(void **state)
{
    enable(0, 34, 0x80);
    vgic_inject(dom, NULL, 34);
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(irq_of(0, 34)->lr_vcpu, 0);
    /* vCPU 1 (on another pCPU) clears it while vCPU 0 runs: vCPU 0 is asked to exit. */
    kicked = 0;
    uint64_t val = BIT(2);
    assert_int_equal(vmmio_access(vcpu(1), D(0x284), true, 4, &val), 0);
    assert_int_equal(kicked, BIT(0));
    uint64_t now = c->lr[0];
    vgic_lr_fold(vcpu(0), &now);
    assert_false(vgic_irq_pending(irq_of(0, 34)));
    assert_int_equal(irq_of(0, 34)->lr_vcpu, VGIC_NO_VCPU);
}

static void lr_spi_active_elsewhere_waits(void **state)
{
    enable(0, 35, 0x80);
    vgic_inject(dom, NULL, 35);
    struct vgic_cpu *c0 = &vcpu(0)->arch.vgic, *c1 = &vcpu(1)->arch.vgic;
    run(0, guest_ack_all); /* active on vCPU 0 */
    assert_int_equal(irq_of(0, 35)->active_on, 0);
    /* Re-routed to vCPU 1 and raised again: not delivered there while active on vCPU 0. */
    wr(D(0x6000 + 8 * 35), 8, 1);
    vgic_inject(dom, NULL, 35);
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c1->nr_lr, 0);
    vgic_lr_fold(vcpu(1), NULL);
    assert_false(vgic_pending(vcpu(1)));
    /* vCPU 0 still shows it active so its guest can deactivate it. */
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c0->nr_lr, 1);
    assert_int_equal(LR_STATE(c0->lr[0]), ST_A);
    /* Meanwhile vCPU 1 must not take it, even though it is now its target. */
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c1->nr_lr, 0);
    vgic_lr_fold(vcpu(1), NULL);
    kicked = 0;
    uint64_t now = c0->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(0), &now);
    assert_int_equal(kicked, BIT(1)); /* deactivated: now vCPU 1 may have it */
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c1->nr_lr, 1);
    assert_int_equal(LR_STATE(c1->lr[0]), ST_P);
    now = c1->lr[0];
    vgic_lr_fold(vcpu(1), &now);
}

static void lr_in_use_by_running_vcpu_is_skipped(void **state)
{
    enable(0, 36, 0x80);
    vgic_inject(dom, NULL, 36);
    vgic_lr_fill(vcpu(0), nr_lrs);
    wr(D(0x6000 + 8 * 36), 8, 2);
    vgic_lr_fill(vcpu(2), nr_lrs);
    assert_int_equal(vcpu(2)->arch.vgic.nr_lr, 0);
    vgic_lr_fold(vcpu(2), NULL);
    kicked = 0;
    uint64_t now = vcpu(0)->arch.vgic.lr[0]; /* vCPU 0 did not take it */
    vgic_lr_fold(vcpu(0), &now);
    assert_int_equal(kicked, BIT(2));
    run(2, guest_ack_eoi_all);
    assert_false(vgic_irq_pending(irq_of(0, 36)));
}

/* --- hardware-linked interrupts (the virtual timer) --- */

static void hw_link_eoi_deactivates_physical(void **state)
{
    enable(1, 27, 0x20);
    struct vgic_cpu *c = &vcpu(1)->arch.vgic;
    assert_true(vgic_inject_hw(vcpu(1), 27, 27));
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c->nr_lr, 1);
    assert_true(c->lr[0] & ICH_LR_HW);
    assert_int_equal((c->lr[0] & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT, 27);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P);
    uint64_t now = c->lr[0];
    set_state(&now, ST_A);
    vgic_lr_fold(vcpu(1), &now);
    assert_true(irq_of(1, 27)->hw && irq_of(1, 27)->hw_active);
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    assert_true(c->lr[0] & ICH_LR_HW);
    now = c->lr[0];
    set_state(&now, 0); /* guest EOI: the GIC deactivates the physical interrupt */
    vgic_lr_fold(vcpu(1), &now);
    assert_false(irq_of(1, 27)->hw);
    assert_false(irq_of(1, 27)->active);
    assert_int_equal(nr_deactivated, 0); /* Keel did not have to */
    /* No such vINTID: not linked, the caller's dispatcher deactivates it. */
    assert_false(vgic_inject_hw(vcpu(1), 1019, 27));
}

static void hw_link_never_pending_and_active(void **state)
{
    enable(1, 27, 0x20);
    struct vgic_cpu *c = &vcpu(1)->arch.vgic;
    /* An earlier, unlinked instance is active (the vCPU moved pCPUs mid-handler). */
    wr(SGI(1, 0x300), 4, BIT(27));
    assert_true(vgic_inject_hw(vcpu(1), 27, 27));
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c->nr_lr, 1);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    assert_false(c->lr[0] & ICH_LR_HW);
    assert_true(c->lr[0] & ICH_LR_EOI); /* come back when it is deactivated */
    uint64_t now = c->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(1), &now);
    /* Deactivated: the linked instance is not delivered on its own word (its level-sensitive
     * line may have dropped since); the next entry deactivates the physical interrupt
     * instead, which comes back if the line is still up. */
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(c->nr_lr, 0);
    assert_int_equal(nr_deactivated, 1);
    assert_int_equal(deactivated[0], 27);
    assert_false(irq_of(1, 27)->hw);
    assert_true(vgic_inject_hw(vcpu(1), 27, 27)); /* the line was still up */
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P);
    assert_true(c->lr[0] & ICH_LR_HW);
    now = c->lr[0];
    set_state(&now, ST_A);
    vgic_lr_fold(vcpu(1), &now);
    /* A software pending instance behind the linked active one: unlink and show both. */
    vgic_inject(dom, vcpu(1), 27);
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(nr_deactivated, 2);
    assert_int_equal(deactivated[1], 27);
    assert_int_equal(LR_STATE(c->lr[0]), ST_P | ST_A);
    assert_false(c->lr[0] & ICH_LR_HW);
    now = c->lr[0];
    vgic_lr_fold(vcpu(1), &now);
}

static void hw_unlink_on_save(void **state)
{
    enable(1, 27, 0x20);
    /* Linked, not taken yet: the pending instance is dropped, physical deactivated. */
    assert_true(vgic_inject_hw(vcpu(1), 27, 27));
    run(1, NULL);
    vgic_lr_unlink_private(vcpu(1));
    assert_int_equal(nr_deactivated, 1);
    assert_false(irq_of(1, 27)->hw);
    assert_false(vgic_irq_pending(irq_of(1, 27)));
    /* Linked and active: stays active in software, unlinked. */
    assert_true(vgic_inject_hw(vcpu(1), 27, 27));
    run(1, guest_ack_all);
    vgic_lr_unlink_private(vcpu(1));
    assert_int_equal(nr_deactivated, 2);
    assert_true(irq_of(1, 27)->active);
    assert_false(irq_of(1, 27)->hw);
    struct vgic_cpu *c = &vcpu(1)->arch.vgic;
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    assert_false(c->lr[0] & ICH_LR_HW);
    uint64_t now = c->lr[0];
    vgic_lr_fold(vcpu(1), &now);
    /* Guest cleared the pending state of a linked instance: the link ends at the next entry. */
    wr(SGI(1, 0x380), 4, BIT(27));
    assert_true(vgic_inject_hw(vcpu(1), 27, 27));
    wr(SGI(1, 0x280), 4, BIT(27));
    vgic_lr_fill(vcpu(1), nr_lrs);
    assert_int_equal(nr_deactivated, 3);
    assert_int_equal(c->nr_lr, 0);
    vgic_lr_fold(vcpu(1), NULL);
}

/* --- level-sensitive sources asked again (vgic_set_sampler) --- */

static bool line27[4]; /* the virtual timer's line of each vCPU, as its sampler reports it */
static unsigned nr_samples;

static bool sample27(struct vcpu *v, unsigned intid)
{
    assert_int_equal(intid, 27);
    nr_samples++;
    return line27[v->id];
}

static bool pend27(unsigned reader, unsigned owner)
{
    uint64_t val;
    assert_int_equal(mmio_rd(reader, SGI(owner, 0x200), 4, &val), 0);
    return val & BIT(27);
}

/* Reading the pending state asks the line of the reader's own interrupt only: a dropped line
 * withdraws a forwarded instance nobody took and deactivates the physical interrupt. */
static void resample_on_pending_read(void **state)
{
    vgic_set_sampler(27, sample27);
    enable(0, 27, 0x20);
    wr(SGI(0, 0x180), 4, BIT(27)); /* disabled: the instance stays where it is */
    assert_true(vgic_inject_hw(vcpu(0), 27, 27));
    line27[0] = true;
    assert_true(pend27(0, 0));
    assert_int_equal(nr_deactivated, 0);
    line27[0] = false;
    unsigned before = nr_samples;
    assert_true(pend27(1, 0)); /* another vCPU cannot sample vCPU 0's timer */
    assert_int_equal(nr_samples, before);
    assert_false(pend27(0, 0));
    assert_int_equal(nr_deactivated, 1);
    assert_int_equal(deactivated[0], 27);
    assert_false(irq_of(0, 27)->hw);
    /* ICPENDR0 reads the pending state as well; nothing is left to withdraw. */
    assert_int_equal(rd(SGI(0, 0x280), 4) & BIT(27), 0);
    assert_int_equal(nr_deactivated, 1);
    /* Enabled now, it delivers nothing; the next rising edge comes as a new instance. */
    wr(SGI(0, 0x100), 4, BIT(27));
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(vcpu(0)->arch.vgic.nr_lr, 0);
    vgic_lr_fold(vcpu(0), NULL);
}

/* Enabling the interrupt asks its line first; a latch written through ISPENDR0 is not the
 * line's and stays. */
static void resample_on_enable(void **state)
{
    vgic_set_sampler(27, sample27);
    enable(1, 27, 0x20);
    struct vcpu *v = vcpu(1);
    uint64_t val = BIT(27);
    assert_int_equal(vmmio_access(v, SGI(1, 0x180), true, 4, &val), 0);
    assert_true(vgic_inject_hw(v, 27, 27));
    line27[1] = false;
    val = BIT(27);
    assert_int_equal(vmmio_access(v, SGI(1, 0x100), true, 4, &val), 0); /* ISENABLER0 */
    assert_int_equal(nr_deactivated, 1);
    vgic_lr_fill(v, nr_lrs);
    assert_int_equal(v->arch.vgic.nr_lr, 0);
    vgic_lr_fold(v, NULL);
    val = BIT(27);
    assert_int_equal(vmmio_access(v, SGI(1, 0x200), true, 4, &val), 0); /* ISPENDR0 */
    assert_true(pend27(1, 1));
    vgic_lr_fill(v, nr_lrs);
    assert_int_equal(v->arch.vgic.nr_lr, 1);
    assert_false(v->arch.vgic.lr[0] & ICH_LR_HW);
    uint64_t now = v->arch.vgic.lr[0];
    vgic_lr_fold(v, &now);
    assert_true(pend27(1, 1));
}

/* An exit that leaves a forwarded instance pending in a list register asks the line: a dropped
 * one withdraws it, a high one keeps it; an acknowledged (active) one is never withdrawn. */
static void resample_on_exit(void **state)
{
    vgic_set_sampler(27, sample27);
    enable(2, 27, 0x20);
    struct vcpu *v = vcpu(2);
    struct vgic_cpu *c = &v->arch.vgic;
    line27[2] = true;
    assert_true(vgic_inject_hw(v, 27, 27));
    run(2, NULL); /* not taken: PSTATE.I masked */
    assert_true(irq_of(2, 27)->hw && vgic_irq_pending(irq_of(2, 27)));
    line27[2] = false;
    run(2, NULL);
    assert_false(vgic_irq_pending(irq_of(2, 27)));
    assert_false(irq_of(2, 27)->hw);
    assert_int_equal(nr_deactivated, 1);
    vgic_lr_fill(v, nr_lrs);
    assert_int_equal(c->nr_lr, 0);
    vgic_lr_fold(v, NULL);
    /* Taken, then the line drops (the handler stops the timer): active until deactivated. */
    line27[2] = true;
    assert_true(vgic_inject_hw(v, 27, 27));
    run(2, guest_ack_all);
    line27[2] = false;
    run(2, NULL);
    assert_false(pend27(2, 2));
    assert_true(irq_of(2, 27)->active && irq_of(2, 27)->hw_active);
    assert_int_equal(nr_deactivated, 1);
    run(2, guest_ack_eoi_all);
    assert_false(irq_of(2, 27)->hw);
}

static void hw_link_spi_left_to_its_vcpu(void **state)
{
    enable(0, 44, 0x20); /* routed to vCPU 0 */
    assert_true(vgic_inject_hw(vcpu(0), 44, 100));
    run(0, guest_ack_all);
    assert_true(irq_of(0, 44)->hw && irq_of(0, 44)->hw_active);
    /* Other vCPUs' entries leave the link alone, even once the SPI is routed elsewhere. */
    run(1, NULL);
    wr(D(0x6000 + 8 * 44), 8, 2);
    run(2, NULL);
    assert_int_equal(nr_deactivated, 0);
    assert_true(irq_of(0, 44)->hw);
    /* Where it is active, its deactivation ends the link. */
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    vgic_lr_fill(vcpu(0), nr_lrs);
    assert_int_equal(c->nr_lr, 1);
    assert_int_equal(LR_STATE(c->lr[0]), ST_A);
    assert_int_equal((c->lr[0] & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT, 100);
    uint64_t now = c->lr[0];
    set_state(&now, 0);
    vgic_lr_fold(vcpu(0), &now);
    assert_false(irq_of(0, 44)->hw);
    assert_int_equal(nr_deactivated, 0);
}

/* --- SGIs --- */

static void sgi1r_decoding(void **state)
{
    free_domain(dom);
    dom = make_domain(20, 32); /* vCPUs 16-19 are Aff1 = 1 */
    unsigned sgi;
    /* TargetList bits 1 and 3, Aff1 = 0, INTID 5. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(0), 5UL << 24 | 0xa, &sgi), BIT(1) | BIT(3));
    assert_int_equal(sgi, 5);
    /* Aff1 = 1, bits 0 and 2: vCPUs 16 and 18. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(0), 1UL << 16 | 0x5, &sgi), BIT(16) | BIT(18));
    /* Range selector 1 names Aff0 16-31: nobody has those. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(0), 1UL << 44 | 0xffff, &sgi), 0);
    /* Aff2 or Aff3 that no vCPU has. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(0), 1UL << 32 | 0x1, &sgi), 0);
    assert_int_equal(vgic_sgi1r_targets(vcpu(0), 1UL << 48 | 0x1, &sgi), 0);
    /* IRM: everyone but the sender, target list ignored. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(3), BIT(40) | 15UL << 24, &sgi),
                     (BIT(20) - 1) & ~BIT(3));
    assert_int_equal(sgi, 15);
    /* A sender may target itself. */
    assert_int_equal(vgic_sgi1r_targets(vcpu(2), 0x4, &sgi), BIT(2));

    /* Delivery: latches the SGI in each target and kicks them. */
    enable(16, 3, 0x80);
    kicked = 0;
    vgic_sgi1r_write(vcpu(0), 3UL << 24 | 1UL << 16 | 0x3);
    assert_int_equal(kicked, BIT(16)); /* vCPU 17 has it pending but disabled */
    assert_true(irq_of(16, 3)->latch && irq_of(17, 3)->latch);
    assert_false(irq_of(0, 3)->latch);
    assert_true(vgic_pending(vcpu(16)));
    assert_false(vgic_pending(vcpu(17)));
}

static void inject_bounds(void **state)
{
    /* Interrupts the domain does not have are ignored, never a crash. */
    vgic_inject(dom, NULL, 5);       /* private, no vCPU */
    vgic_inject(dom, NULL, 32 + 64); /* past the SPIs */
    vgic_inject(dom, NULL, 5000);
    vgic_set_level(dom, NULL, 1023, true);
    assert_int_equal(kicked, 0);
    /* SPI counts are rounded and bounded. */
    struct domain *d = make_domain(1, 1);
    assert_int_equal(vgic_of(d)->nr_spis, 32);
    free_domain(d);
    d = make_domain(1, 5000);
    assert_int_equal(vgic_of(d)->nr_spis, VGIC_MAX_SPIS);
    assert_int_equal(rd(D(4), 4) & 0x1f, 2); /* (the default domain is unchanged) */
    free_domain(d);
}

/* Every offset and size of every frame, read and written with arbitrary values from every
 * vCPU: the only acceptable outcomes are success or -EINVAL (sanitizers catch the rest), and the
 * vGIC still delivers interrupts afterwards. */
static void mmio_sweep_survives(void **state)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    uint64_t seed = 12345, ok = 0;
    const uint64_t regions[][2] = { { VGIC_DIST_BASE, VGIC_DIST_SIZE },
                                    { VGIC_REDIST_BASE, 4 * VGIC_REDIST_STRIDE } };
    for (unsigned r = 0; r < 2; r++) {
        for (uint64_t off = 0; off < regions[r][1]; off++) {
            for (unsigned s = 0; s < 4; s++) {
                if (off + sizes[s] > regions[r][1])
                    continue;
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                uint64_t val = seed >> 7;
                unsigned vc = (unsigned)(seed >> 60) & 3;
                bool write = (seed >> 59) & 1;
                int rc = vmmio_access(vcpu(vc), regions[r][0] + off, write, sizes[s], &val);
                assert_true(rc == 0 || rc == -EINVAL);
                ok += rc == 0;
                if (rc == 0 && !write && sizes[s] < 8)
                    assert_int_equal(val >> (8 * sizes[s]), 0);
            }
        }
    }
    assert_true(ok > 500000); /* most accesses are well-formed */
    /* Put the guest-visible state back to something sane and check delivery still works. */
    for (unsigned n = 1; n < 3; n++)
        for (unsigned reg = 0x180; reg < 0x400; reg += 0x100) /* ICENABLER, ICPENDR, ICACTIVER */
            wr(D(reg + 4 * n), 4, ~0u);
    for (unsigned reg = 0x180; reg < 0x400; reg += 0x100)
        wr(SGI(0, reg), 4, ~0u);
    wr(D(0x6000 + 8 * 45), 8, 0);
    wr(D(0xc00 + 45 / 16 * 4), 4, 0);
    enable(0, 45, 0x10);
    wr(D(0x80 + 4), 4, ~0u);
    vgic_inject(dom, NULL, 45);
    vgic_lr_fill(vcpu(0), nr_lrs);
    struct vgic_cpu *c = &vcpu(0)->arch.vgic;
    assert_true(c->nr_lr >= 1);
    bool found = false;
    for (unsigned i = 0; i < c->nr_lr; i++)
        found |= LR_INTID(c->lr[i]) == 45 && (LR_STATE(c->lr[i]) & ST_P);
    assert_true(found);
    uint64_t now[VGIC_MAX_LRS];
    memcpy(now, c->lr, sizeof(now));
    vgic_lr_fold(vcpu(0), now);
}

/* --- the live sets: an entry looks only at interrupts that may be pending or active --- */

/* vgic_for_each_live callback: count, keep every bit. */
static bool count_live(struct vgic_dist *g, struct vcpu *v, unsigned intid, struct vgic_irq *irq,
                       void *arg)
{
    (*(unsigned *)arg)++;
    return true;
}

static unsigned live_count(unsigned vc)
{
    unsigned n = 0;
    vgic_for_each_live(vgic_of(dom), vcpu(vc), count_live, &n);
    return n;
}

/* One entry and an exit where the guest did nothing: how many list registers the entry
 * filled (v->arch.vgic.lr keeps their values). */
static unsigned entry_lrs(unsigned vc)
{
    struct vgic_cpu *c = &vcpu(vc)->arch.vgic;
    vgic_lr_fill(vcpu(vc), nr_lrs);
    unsigned n = c->nr_lr;
    uint64_t now[VGIC_MAX_LRS];
    memcpy(now, c->lr, sizeof(now));
    vgic_lr_fold(vcpu(vc), now);
    return n;
}

/* Linux's UART console traps twice per character, so every entry after an MMIO exit used to
 * scan all of the domain's interrupts (64 and more) with nothing pending: most of Keel's cost
 * per exit.  Now the interrupts an entry looks at are the live ones only, and once they are
 * handled none is left. */
static void live_set_empties_when_idle(void **state)
{
    free_domain(dom);
    dom = make_domain(2, 988);
    assert_int_equal(vgic_of(dom)->nr_spis, 988);
    for (unsigned vc = 0; vc < 2; vc++)
        assert_int_equal(live_count(vc), 0);
    enable(0, 1000, 0x80);
    enable(0, 27, 0x20);
    enable(0, 3, 0x40);
    /* The writes that enabled them leave them live until an entry finds them idle. */
    run(0, NULL);
    assert_int_equal(live_count(0), 0);

    vgic_inject(dom, NULL, 1000);                  /* edge SPI */
    vgic_set_level(dom, vcpu(0), 27, true);        /* level PPI */
    vgic_sgi1r_write(vcpu(1), BIT(0) | 3UL << 24); /* SGI 3 from vCPU 1 to vCPU 0 */
    assert_int_equal(live_count(0), 3);
    assert_int_equal(live_count(1), 1); /* vCPU 1 sees the SPI, not vCPU 0's private ones */
    assert_true(vgic_pending(vcpu(0)));
    run(0, guest_ack_all);
    assert_int_equal(live_count(0), 3); /* active now */
    vgic_set_level(dom, vcpu(0), 27, false);
    run(0, guest_ack_eoi_all);
    assert_int_equal(live_count(0), 3); /* not looked at since the EOI */
    assert_int_equal(entry_lrs(0), 0);
    assert_int_equal(live_count(0), 0);
    assert_int_equal(live_count(1), 0);
    assert_false(vgic_pending(vcpu(0)));

    /* A pending interrupt that is disabled stays live, so enabling it later finds it. */
    wr(D(0x100 + 40 / 32 * 4), 4, 0); /* no-op write: still disabled */
    vgic_inject(dom, NULL, 40);
    assert_int_equal(entry_lrs(0), 0);
    assert_int_equal(live_count(0), 1);
    enable(0, 40, 0x80);
    assert_int_equal(entry_lrs(0), 1);
    assert_int_equal(LR_INTID(vcpu(0)->arch.vgic.lr[0]), 40);
}

/* State an entry may change, to compare the live-set fill with a look at every interrupt. */
struct vgic_snap {
    struct vgic_irq spis[64];
    uint64_t live_spis[VGIC_SPI_WORDS];
    struct vgic_cpu cpu[4];
    unsigned nr_deactivated;
};

static void snap_take(struct vgic_snap *s)
{
    struct vgic_dist *g = vgic_of(dom);
    memcpy(s->spis, g->spis, sizeof(s->spis));
    memcpy(s->live_spis, g->live_spis, sizeof(s->live_spis));
    for (unsigned i = 0; i < 4; i++)
        s->cpu[i] = vcpu(i)->arch.vgic;
    s->nr_deactivated = nr_deactivated;
}

static void snap_put(const struct vgic_snap *s)
{
    struct vgic_dist *g = vgic_of(dom);
    memcpy(g->spis, s->spis, sizeof(s->spis));
    memcpy(g->live_spis, s->live_spis, sizeof(s->live_spis));
    for (unsigned i = 0; i < 4; i++)
        vcpu(i)->arch.vgic = s->cpu[i];
    nr_deactivated = s->nr_deactivated;
}

static void all_live(void)
{
    memset(vgic_of(dom)->live_spis, 0xff, sizeof(vgic_of(dom)->live_spis));
    for (unsigned i = 0; i < 4; i++)
        vcpu(i)->arch.vgic.live = ~0u;
}

static void assert_irq_same(const struct vgic_irq *a, const struct vgic_irq *b)
{
    assert_int_equal(a->priority, b->priority);
    assert_int_equal(a->target, b->target);
    assert_int_equal(a->active_on, b->active_on);
    assert_int_equal(a->lr_vcpu, b->lr_vcpu);
    assert_int_equal(a->pintid, b->pintid);
    assert_int_equal(a->enabled, b->enabled);
    assert_int_equal(a->group1, b->group1);
    assert_int_equal(a->edge, b->edge);
    assert_int_equal(a->latch, b->latch);
    assert_int_equal(a->level, b->level);
    assert_int_equal(a->active, b->active);
    assert_int_equal(a->hw, b->hw);
    assert_int_equal(a->hw_active, b->hw_active);
    assert_int_equal(a->lr_pending, b->lr_pending);
    assert_int_equal(a->lr_override, b->lr_override);
}

/* Fill vc's list registers, checking against a fill that looks at every interrupt (every
 * live bit set: what each entry did before the live sets) and against vgic_pending. */
static void checked_fill(unsigned vc)
{
    struct vgic_snap before, ref;
    struct vcpu *v = vcpu(vc);
    snap_take(&before);
    all_live();
    bool ref_pending = vgic_pending(v);
    all_live(); /* vgic_pending may have cleared some */
    vgic_lr_fill(v, nr_lrs);
    snap_take(&ref);
    snap_put(&before);
    assert_int_equal(vgic_pending(v), ref_pending);
    vgic_lr_fill(v, nr_lrs);
    struct vgic_cpu *c = &v->arch.vgic, *rc = &ref.cpu[vc];
    assert_int_equal(c->nr_lr, rc->nr_lr);
    for (unsigned i = 0; i < c->nr_lr; i++)
        assert_int_equal(c->lr[i], rc->lr[i]);
    assert_int_equal(c->hcr, rc->hcr);
    assert_int_equal(c->took_latch, rc->took_latch);
    assert_int_equal(nr_deactivated, ref.nr_deactivated);
    for (unsigned i = 0; i < 64; i++)
        assert_irq_same(&vgic_of(dom)->spis[i], &ref.spis[i]);
    for (unsigned n = 0; n < 4; n++)
        for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
            assert_irq_same(&vcpu(n)->arch.vgic.priv[i], &ref.cpu[n].priv[i]);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15UL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* The guest does something with each list register: nothing, acknowledge, deactivate, or
 * both. */
static void guest_random(uint64_t *lrs, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned st = LR_STATE(lrs[i]), r = rnd(4);
        if ((r & 1) && (st & ST_P))
            st = (st & ~ST_P) | ST_A; /* acknowledge */
        if ((r & 2) && (st & ST_A))
            st &= ~ST_A; /* deactivate */
        set_state(&lrs[i], st);
    }
}

/* Random traffic on 4 vCPUs that enter and leave independently (so list registers of one
 * hold interrupts while the others change and fill): each fill must choose what a look at
 * every interrupt would choose. */
static void live_fill_matches_full_scan(void **state)
{
    bool in_guest[4] = { false };
    uint64_t now[4][VGIC_MAX_LRS];
    wr(D(0), 4, GICD_CTLR_ENABLE_G1);
    for (unsigned step = 0; step < 200000; step++) {
        unsigned vc = rnd(4), spi = 32 + rnd(64), ppi = rnd(32);
        struct vcpu *v = vcpu(vc);
        nr_deactivated = 0;
        switch (rnd(16)) {
        case 0:
            vgic_inject(dom, NULL, spi);
            break;
        case 1:
            vgic_inject(dom, v, ppi);
            break;
        case 2:
            vgic_set_level(dom, NULL, spi, rnd(2));
            break;
        case 3:
            vgic_set_level(dom, v, 16 + rnd(16), rnd(2));
            break;
        case 4: /* IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER of a few SPIs */
            wr(D(0x100 + 0x80 * rnd(6) + 4 * (1 + rnd(2))), 4, 1u << rnd(32) | 1u << rnd(32));
            break;
        case 5: /* the same for vCPU vc's private interrupts */
            wr(SGI(vc, 0x100 + 0x80 * rnd(6)), 4, 1u << rnd(32));
            break;
        case 6:
            wr(D(0x400 + spi), 1, rnd(256));
            break;
        case 7:
            wr(D(0x6000 + 8 * spi), 8, rnd(5)); /* vCPU 0-3, or none */
            break;
        case 8:
            wr(D(0xc00 + spi / 16 * 4), 4, (uint64_t)rnd(2) << (spi % 16 * 2 + 1));
            break;
        case 9:
            wr(D(0), 4, rnd(8) ? GICD_CTLR_ENABLE_G1 : 0);
            break;
        case 10:
            vgic_sgi1r_write(v, (uint64_t)rnd(16) << 24 | rnd(16));
            break;
        case 11: /* the virtual timer fires on vc's pCPU, between its exit and its entry */
            if (!in_guest[vc] && !irq_of(vc, 27)->hw)
                vgic_inject_hw(v, 27, 27);
            break;
        case 12: /* vc leaves its pCPU */
            if (!in_guest[vc])
                vgic_lr_unlink_private(v);
            break;
        default: /* vc enters, or exits after the guest did something */
            if (!in_guest[vc]) {
                checked_fill(vc);
                memcpy(now[vc], v->arch.vgic.lr, sizeof(now[vc]));
                in_guest[vc] = true;
            } else {
                guest_random(now[vc], v->arch.vgic.nr_lr);
                vgic_lr_fold(v, now[vc]);
                in_guest[vc] = false;
            }
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dist_ctlr_typer_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_bad_sizes_and_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_enable_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_pending_active, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_priority_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_config, setup, teardown),
        cmocka_unit_test_setup_teardown(dist_irouter, setup, teardown),
        cmocka_unit_test_setup_teardown(redist_typer_waker, setup, teardown),
        cmocka_unit_test_setup_teardown(redist_sgi_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_priority_order_and_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_only_enabled_and_group_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_edge_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_edge_while_in_lr_not_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_level_stays_pending_while_high, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_icpendr_while_running_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_spi_active_elsewhere_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(lr_in_use_by_running_vcpu_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(hw_link_eoi_deactivates_physical, setup, teardown),
        cmocka_unit_test_setup_teardown(hw_link_never_pending_and_active, setup, teardown),
        cmocka_unit_test_setup_teardown(hw_unlink_on_save, setup, teardown),
        cmocka_unit_test_setup_teardown(hw_link_spi_left_to_its_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(resample_on_pending_read, setup, teardown),
        cmocka_unit_test_setup_teardown(resample_on_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(resample_on_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(sgi1r_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(inject_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(mmio_sweep_survives, setup, teardown),
        cmocka_unit_test_setup_teardown(live_set_empties_when_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(live_fill_matches_full_scan, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
