/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the files of hyp/arch/arm64/vgic/ only.  vgic.c: state and injection; regs.c:
 * per-interrupt register fields common to distributor and redistributor; dist.c, redist.c:
 * the two MMIO frames; lr.c: choosing list-register contents and reading them back;
 * passthru.c: host SPIs given to a domain (through the interrupt-controller driver, doubled in
 * host tests); hw.c: the ICH_* system registers (the only file that touches the CPU interface,
 * left out of host tests).
 */
#pragma once

#include <arm64/vgic.h>
#include <hyp/arch/domain.h>
#include <hyp/domain.h>
#include <hyp/spinlock.h>

#define VGIC_MAX_SPIS 988 /* INTIDs 32..1019 */
#define VGIC_SPI_WORDS ((VGIC_MAX_SPIS + 63) / 64)
#define VGIC_NO_VCPU 0xff
/* Priority bits kept in IPRIORITYR: five, as in ICH_VTR_EL2.PRIbits of Cortex-A57 and QEMU;
 * the list register drops any bit the CPU interface does not implement anyway. */
#define VGIC_PRIO_MASK 0xf8

/* GICD_CTLR, the single-security-state view (DS = 1, IHI 0069 12.9.4). */
#define GICD_CTLR_ENABLE_G0 BIT(0)
#define GICD_CTLR_ENABLE_G1 BIT(1)
#define GICD_CTLR_ARE BIT(4)
#define GICD_CTLR_DS BIT(6)

/* Identification: GICD_IIDR/GICR_IIDR ProductID 'K', implementer 0 (not a real part, so no
 * guest applies an erratum workaround); PIDR2.ArchRev = 3 (GICv3). */
#define VGIC_IIDR 0x4b000000u
#define VGIC_PIDR2 0x3bu

/* ICH_LR<n>_EL2 (IHI 0069 12.5.6). */
#define ICH_LR_VINTID_MASK 0xffffffffUL
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_PINTID_MASK (0x1fffUL << ICH_LR_PINTID_SHIFT)
#define ICH_LR_EOI BIT(41) /* HW = 0 only: maintenance interrupt on deactivation */
#define ICH_LR_PRIO_SHIFT 48
#define ICH_LR_GROUP BIT(60)
#define ICH_LR_HW BIT(61)
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_PENDING BIT(62)
#define ICH_LR_ACTIVE BIT(63)

/* ICH_HCR_EL2 (IHI 0069 12.5.2). */
#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1)

/* The distributor of one domain.  lock guards every struct vgic_irq of the domain (SPIs here,
 * SGIs/PPIs in each vCPU's struct vgic_cpu) and ctlr.  Taken with interrupts masked; never
 * held while calling vcpu_kick (the scheduler lock nests outside it). */
struct vgic_dist {
    struct spinlock lock;
    struct domain *d;
    unsigned nr_spis;
    unsigned nr_vcpus;               /* redistributor frames, from the configuration */
    uint64_t dist_base, redist_base; /* guest-physical frames (vgic_domain_init) */
    uint32_t ctlr;                   /* GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1 */
    uint32_t typer;                  /* GICD_TYPER, fixed at creation */
    struct vgic_irq *spis;
    uint64_t *irouter; /* GICD_IROUTER<32 + i> as written */
    /* Bit i: spis[i] may be pending, active or in a list register.  With the per-vCPU
     * struct vgic_cpu.live, the interrupts worth looking at before each guest entry: set by
     * vgic_irq_changed, cleared by vgic_lr_fill once the interrupt is found idle. */
    uint64_t live_spis[VGIC_SPI_WORDS];
};

_Static_assert(MAX_VCPUS_PER_DOMAIN <= 64, "kick sets are 64-bit masks");
_Static_assert(MAX_VCPUS_PER_DOMAIN < VGIC_NO_VCPU, "vCPU index must fit a vgic_irq byte");

/* --- vgic.c --- */
/* The small per-interrupt predicates and the walk over live interrupts are inline: they run on
 * every guest entry and exit that has an interrupt in flight. */

/* The interrupt intid as seen by vCPU v (v may be NULL for an SPI); NULL if it does not
 * exist. */
static inline struct vgic_irq *vgic_irq_get(struct vgic_dist *g, struct vcpu *v, unsigned intid)
{
    if (intid < VGIC_NR_PRIVATE)
        return v ? &v->arch.vgic.priv[intid] : NULL;
    if (intid - VGIC_NR_PRIVATE < g->nr_spis)
        return &g->spis[intid - VGIC_NR_PRIVATE];
    return NULL;
}

/* Pending (latch, running list register or high level line). */
static inline bool vgic_irq_pending(const struct vgic_irq *irq)
{
    return irq->latch || irq->lr_pending || (!irq->edge && irq->level);
}

/* Pending, enabled and its group enabled in GICD_CTLR. */
static inline bool vgic_irq_deliverable(const struct vgic_dist *g, const struct vgic_irq *irq)
{
    uint32_t grp = irq->group1 ? GICD_CTLR_ENABLE_G1 : GICD_CTLR_ENABLE_G0;
    return irq->enabled && (g->ctlr & grp) && vgic_irq_pending(irq);
}

/* Whether irq is idle: not pending, not active, not linked and in no list register.  An idle
 * interrupt needs no look before a guest entry. */
static inline bool vgic_irq_idle(const struct vgic_irq *irq)
{
    return !vgic_irq_pending(irq) && !irq->active && !irq->hw && irq->lr_vcpu == VGIC_NO_VCPU;
}

/* After a change to irq, the interrupt intid of v (v may be NULL for an SPI), lock held: mark
 * it live and add to *kick the vCPU whose list register holds it and, if it is deliverable,
 * the vCPU it goes to.  Every change that can make an idle interrupt pending or active must
 * end with this call, or vgic_lr_fill will not see the interrupt. */
static inline void vgic_irq_changed(struct vgic_dist *g, struct vcpu *v, unsigned intid,
                                    const struct vgic_irq *irq, uint64_t *kick)
{
    if (intid < VGIC_NR_PRIVATE && v)
        v->arch.vgic.live |= 1u << intid;
    else if (intid >= VGIC_NR_PRIVATE)
        g->live_spis[(intid - VGIC_NR_PRIVATE) / 64] |= BIT((intid - VGIC_NR_PRIVATE) % 64);
    if (irq->lr_vcpu != VGIC_NO_VCPU)
        *kick |= BIT(irq->lr_vcpu);
    if (irq->target != VGIC_NO_VCPU && vgic_irq_deliverable(g, irq))
        *kick |= BIT(irq->target);
}

/* Whether any SPI of g is live.  Also read without the lock (vgic_flush's quick look). */
static inline bool vgic_spis_live(const struct vgic_dist *g)
{
    for (unsigned w = 0; w < (g->nr_spis + 63) / 64; w++)
        if (READ_ONCE(g->live_spis[w]))
            return true;
    return false;
}

/* Call fn(g, v, intid, irq, arg) for each live interrupt v may see (its private ones and every
 * SPI), in INTID order; fn returns false if irq turned out idle, which clears its live bit.
 * Lock held.  Inline, so that fn is too. */
typedef bool (*vgic_live_fn)(struct vgic_dist *g, struct vcpu *v, unsigned intid,
                             struct vgic_irq *irq, void *arg);
static inline __attribute__((always_inline)) void
vgic_for_each_live(struct vgic_dist *g, struct vcpu *v, vgic_live_fn fn, void *arg)
{
    uint32_t *priv = &v->arch.vgic.live;
    for (uint32_t m = *priv; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctz(m);
        if (!fn(g, v, i, &v->arch.vgic.priv[i], arg))
            *priv &= ~(1u << i);
    }
    for (unsigned w = 0; w < (g->nr_spis + 63) / 64; w++) {
        for (uint64_t m = g->live_spis[w]; m; m &= m - 1) {
            unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
            if (!fn(g, v, VGIC_NR_PRIVATE + i, &g->spis[i], arg))
                g->live_spis[w] &= ~BIT(i % 64);
        }
    }
}

/* Lock held, v current on this pCPU (its list registers folded back).  If irq, private
 * interrupt intid of v, has a sampler that finds its line low, withdraw the pending state the
 * line produced (see vgic_sample_fn). */
void vgic_irq_resample(struct vcpu *v, unsigned intid, struct vgic_irq *irq);
/* The same for each private interrupt of v in mask; takes the lock.  Only v itself, in its
 * exit path, may ask for its own. */
void vgic_resample(struct vgic_dist *g, struct vcpu *v, uint32_t mask);

/* Kick every vCPU of d in mask (lock not held). */
void vgic_kick(struct domain *d, uint64_t mask);
/* Domain lock with interrupts masked. */
static inline unsigned long vgic_lock(struct vgic_dist *g)
{
    return spin_lock_irqsave(&g->lock);
}

static inline void vgic_unlock(struct vgic_dist *g, unsigned long flags)
{
    spin_unlock_irqrestore(&g->lock, flags);
}

static inline struct vgic_dist *vgic_of(const struct domain *d)
{
    return d->arch.vgic;
}
/* vCPU index an SPI's GICD_IROUTER value routes to, or VGIC_NO_VCPU. */
unsigned vgic_route_target(const struct domain *d, unsigned nr_vcpus, uint64_t irouter);
/* vCPUs that a write of val to ICC_SGI1R_EL1 by v targets, and the SGI number. */
uint64_t vgic_sgi1r_targets(const struct vcpu *v, uint64_t val, unsigned *sgi);

/* --- regs.c: registers with one field per interrupt (IHI 0069 12.9) --- */
enum vgic_field {
    VGIC_F_GROUP,      /* IGROUPR: 1 bit */
    VGIC_F_ENABLE_SET, /* ISENABLER */
    VGIC_F_ENABLE_CLR, /* ICENABLER */
    VGIC_F_PEND_SET,   /* ISPENDR */
    VGIC_F_PEND_CLR,   /* ICPENDR */
    VGIC_F_ACT_SET,    /* ISACTIVER */
    VGIC_F_ACT_CLR,    /* ICACTIVER */
    VGIC_F_PRIO,       /* IPRIORITYR: 8 bits */
    VGIC_F_CFG,        /* ICFGR: 2 bits */
};
/* Frame offset (within one register bank at 0x080..0xcff) to field and first INTID.  Returns
 * false if off is not in a per-interrupt bank. */
bool vgic_field_decode(uint64_t off, enum vgic_field *f, unsigned *first_intid);
/* Whether size is a valid access to that field's register. */
bool vgic_field_size_ok(enum vgic_field f, unsigned size);
/* Read/write the interrupts covered by one access (size bytes from first_intid), as seen by v;
 * interrupts that do not exist, or below min_intid, read as zero and ignore writes.  Takes the
 * lock and kicks. */
uint64_t vgic_field_read(struct vgic_dist *g, struct vcpu *v, enum vgic_field f,
                         unsigned first_intid, unsigned min_intid, unsigned size);
void vgic_field_write(struct vgic_dist *g, struct vcpu *v, enum vgic_field f, unsigned first_intid,
                      unsigned min_intid, unsigned size, uint64_t val);
/* Frame offsets of the identification registers (0xffd0..0xfffc); false if not one. */
bool vgic_id_reg(uint64_t off, uint32_t *val);

/* --- passthru.c: assigned SPIs (struct vgic_irq.assigned), lock held --- */
/* The guest wrote field f of assigned SPI intid: the host line's enable follows. */
void vgic_pt_changed(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq, enum vgic_field f);
/* The guest re-routed assigned SPI intid (GICD_IROUTER): the host line follows. */
void vgic_pt_route(struct vgic_dist *g, unsigned intid, struct vgic_irq *irq);

/* --- dist.c / redist.c --- */
extern const struct vmmio_ops vgic_dist_ops;
/* GICD_TYPER for g's interrupt and vCPU counts (kept in g->typer from creation on). */
uint32_t vgic_dist_typer(const struct vgic_dist *g);
extern const struct vmmio_ops vgic_redist_ops;

/* --- lr.c --- */
/* Choose list-register contents for v's next entry into v->arch.vgic (lr, nr_lr, took_latch,
 * hcr), with nr_lrs registers available. */
void vgic_lr_fill(struct vcpu *v, unsigned nr_lrs);
/* Fold back what the guest did: now[i] is list register i as read after the exit, for i below
 * v->arch.vgic.nr_lr. */
void vgic_lr_fold(struct vcpu *v, const uint64_t *now);
/* v leaves this pCPU: end the hardware links of its private interrupts here (vgic_save). */
void vgic_lr_unlink_private(struct vcpu *v);

/* --- hw.c (doubles in the host tests) --- */
/* Number of list registers of this machine's virtual CPU interface. */
unsigned vgic_hw_nr_lrs(void);
/* Deactivate physical interrupt pintid (its priority was dropped earlier): a PPI on this pCPU,
 * an SPI in the distributor. */
void vgic_hw_deactivate(unsigned pintid);

/* Lock held.  End irq's link to its physical interrupt: deactivate that here. */
static inline void vgic_irq_unlink(struct vgic_irq *irq)
{
    vgic_hw_deactivate(irq->pintid);
    irq->hw = irq->hw_active = false;
}

/* Lock held.  An SPI linked to its host SPI that no running vCPU's list register holds: end
 * the link now if the software state no longer stands for the host interrupt (the rule of
 * lr.c's fix_link: a linked instance taken and then no longer active, or given a pending one
 * behind it; one not taken whose pending state went).  Now rather than at the next entry of
 * the vCPU it is with, which may be blocked for long while the host line stays active.  An
 * SPI's active state is the distributor's, so any pCPU may end it. */
static inline void vgic_spi_settle(struct vgic_irq *irq)
{
    if (!irq->hw || irq->lr_vcpu != VGIC_NO_VCPU)
        return;
    if (irq->hw_active ? !irq->active || irq->latch : !irq->latch)
        vgic_irq_unlink(irq);
}

/* Lock held: vgic_lr_fold has just taken assigned SPI irq back from a list register, in which
 * the guest deactivated the linked instance if deactivated.  A new instance that came from the
 * host meanwhile (taken on another pCPU while that list register still held the old one,
 * hw_refire) keeps the link the deactivation ended; then see whether the link stands. */
static inline void vgic_spi_folded(struct vgic_irq *irq, bool deactivated)
{
    if (deactivated && irq->hw_refire) {
        irq->hw = true;
        irq->hw_refire = false;
    }
    vgic_spi_settle(irq);
}

/* Once, before the first guest: maintenance interrupt handler, list-register count. */
int vgic_hw_init(void);
