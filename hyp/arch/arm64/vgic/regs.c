/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registers with one field per interrupt, laid out alike in the distributor and in the
 * redistributor's SGI_base frame (IHI 0069 12.9 and 12.11): IGROUPR, IS/ICENABLER,
 * IS/ICPENDR, IS/ICACTIVER, IPRIORITYR, ICFGR, and the identification registers.  Each access
 * takes the domain's vGIC lock once and kicks afterwards.
 */
#include "vgic_internal.h"

struct bank {
    uint16_t start, end; /* frame offsets [start, end) */
    uint8_t bits;        /* per interrupt */
    enum vgic_field field;
};

static const struct bank banks[] = {
    { 0x080, 0x100, 1, VGIC_F_GROUP },      { 0x100, 0x180, 1, VGIC_F_ENABLE_SET },
    { 0x180, 0x200, 1, VGIC_F_ENABLE_CLR }, { 0x200, 0x280, 1, VGIC_F_PEND_SET },
    { 0x280, 0x300, 1, VGIC_F_PEND_CLR },   { 0x300, 0x380, 1, VGIC_F_ACT_SET },
    { 0x380, 0x400, 1, VGIC_F_ACT_CLR },    { 0x400, 0x800, 8, VGIC_F_PRIO },
    { 0xc00, 0xd00, 2, VGIC_F_CFG },
};

static unsigned field_bits(enum vgic_field f)
{
    return f == VGIC_F_PRIO ? 8 : f == VGIC_F_CFG ? 2 : 1;
}

bool vgic_field_decode(uint64_t off, enum vgic_field *f, unsigned *first_intid)
{
    /* Cheap rejection first: CTLR/TYPER and IROUTER, the hot registers, lie outside. */
    if (off < 0x080 || off >= 0xd00)
        return false;
    for (unsigned i = 0; i < ARRAY_SIZE(banks); i++) {
        if (off >= banks[i].start && off < banks[i].end) {
            *f = banks[i].field;
            *first_intid = (unsigned)(off - banks[i].start) * 8 / banks[i].bits;
            return true;
        }
    }
    return false;
}

bool vgic_field_size_ok(enum vgic_field f, unsigned size)
{
    /* IPRIORITYR is byte-accessible; the others are 32-bit registers (IHI 0069 12.1.3). */
    return size == 4 || (f == VGIC_F_PRIO && size == 1);
}

static unsigned field_get(const struct vgic_irq *irq, enum vgic_field f)
{
    switch (f) {
    case VGIC_F_GROUP:
        return irq->group1;
    case VGIC_F_ENABLE_SET:
    case VGIC_F_ENABLE_CLR:
        return irq->enabled;
    case VGIC_F_PEND_SET:
    case VGIC_F_PEND_CLR:
        return vgic_irq_pending(irq);
    case VGIC_F_ACT_SET:
    case VGIC_F_ACT_CLR:
        return irq->active;
    case VGIC_F_PRIO:
        return irq->priority;
    case VGIC_F_CFG:
        return irq->edge ? 2 : 0;
    }
    return 0;
}

/* Lock held.  x is this interrupt's part of the written value. */
static void field_set(struct vgic_irq *irq, unsigned intid, enum vgic_field f, unsigned x)
{
    switch (f) {
    case VGIC_F_GROUP:
        irq->group1 = x;
        break;
    case VGIC_F_ENABLE_SET:
        irq->enabled |= x;
        break;
    case VGIC_F_ENABLE_CLR:
        irq->enabled &= !x;
        break;
    case VGIC_F_PEND_SET:
        irq->latch |= x;
        break;
    case VGIC_F_PEND_CLR:
        /* Clears the latch (also one a running list register holds); a level-sensitive
         * interrupt stays pending while its line is high. */
        if (x)
            irq->latch = irq->lr_pending = false;
        break;
    case VGIC_F_ACT_SET:
    case VGIC_F_ACT_CLR:
        if (!x)
            break;
        irq->active = f == VGIC_F_ACT_SET;
        irq->active_on = irq->active ? irq->target : VGIC_NO_VCPU;
        if (irq->lr_vcpu != VGIC_NO_VCPU)
            irq->lr_override = true;
        break;
    case VGIC_F_PRIO:
        irq->priority = x & VGIC_PRIO_MASK;
        break;
    case VGIC_F_CFG:
        /* SGIs are always edge-triggered; an assigned SPI has its host line's trigger. */
        if (intid >= 16 && !irq->assigned)
            irq->edge = (x >> 1) & 1;
        break;
    }
}

uint64_t vgic_field_read(struct vgic_dist *g, struct vcpu *v, enum vgic_field f,
                         unsigned first_intid, unsigned min_intid, unsigned size)
{
    unsigned bits = field_bits(f), n = size * 8 / bits;
    uint64_t val = 0;
    unsigned long flags = vgic_lock(g);
    for (unsigned i = 0; i < n; i++) {
        unsigned intid = first_intid + i;
        struct vgic_irq *irq = intid >= min_intid ? vgic_irq_get(g, v, intid) : NULL;
        if (irq)
            val |= (uint64_t)field_get(irq, f) << (i * bits);
    }
    vgic_unlock(g, flags);
    return val;
}

void vgic_field_write(struct vgic_dist *g, struct vcpu *v, enum vgic_field f, unsigned first_intid,
                      unsigned min_intid, unsigned size, uint64_t val)
{
    unsigned bits = field_bits(f), n = size * 8 / bits;
    uint64_t kick = 0;
    unsigned long flags = vgic_lock(g);
    for (unsigned i = 0; i < n; i++) {
        unsigned intid = first_intid + i;
        struct vgic_irq *irq = intid >= min_intid ? vgic_irq_get(g, v, intid) : NULL;
        if (!irq)
            continue;
        field_set(irq, intid, f, (unsigned)(val >> (i * bits)) & ((1u << bits) - 1));
        if (unlikely(irq->assigned))
            vgic_pt_changed(g, intid, irq, f);
        vgic_irq_changed(g, v, intid, irq, &kick);
    }
    vgic_unlock(g, flags);
    vgic_kick(g->d, kick);
}

/* PIDR4-7 at 0xffd0, PIDR0-3 at 0xffe0, CIDR0-3 at 0xfff0 (IHI 0069 12.1.4); only PIDR2's
 * architecture revision and the component preamble mean anything. */
bool vgic_id_reg(uint64_t off, uint32_t *val)
{
    static const uint32_t cidr[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
    if (off < 0xffd0 || off > 0xfffc || (off & 3))
        return false;
    if (off >= 0xfff0)
        *val = cidr[(off - 0xfff0) / 4];
    else
        *val = off == 0xffe8 ? VGIC_PIDR2 : 0;
    return true;
}
