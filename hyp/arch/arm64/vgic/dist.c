/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Distributor MMIO frame (IHI 0069 12.9) at VGIC_DIST_BASE: control and type registers, the
 * per-interrupt banks for SPIs (those of SGIs/PPIs live in the redistributors with affinity
 * routing, which is always on) and IROUTER.  Guest-controlled input: every offset and size is
 * checked; a misaligned or wrongly-sized access to a known register fails (external abort),
 * unknown offsets read as zero and ignore writes.
 */
#include <hyp/console.h>
#include <hyp/errno.h>

#include "vgic_internal.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_CTL_END 0x000c /* CTLR, TYPER, IIDR */
#define GICD_IROUTER 0x6000
#define GICD_IROUTER_END 0x7fe0 /* IROUTER1019 at 0x7fd8 */

/* Bits kept in GICD_IROUTER: Interrupt_Routing_Mode and Aff2.Aff1.Aff0 (Aff3 is RES0, A3V =
 * 0). */
#define IROUTER_MASK 0x80ffffffUL

/* Registers Keel implements as zero, ignoring writes, without comment: TYPER2, STATUSR,
 * SETSPI/CLRSPI (no message-based SPIs), ITARGETSR (affinity routing), IGRPMODR and NSACR
 * (single security state), SGIR, CPENDSGIR, SPENDSGIR (affinity routing). */
static bool raz_wi(uint64_t off)
{
    return (off >= 0x000c && off < 0x0080) || (off >= 0x0800 && off < 0x0c00) ||
           (off >= 0x0d00 && off < 0x0f30);
}

uint32_t vgic_dist_typer(const struct vgic_dist *g)
{
    uint32_t lines = (VGIC_NR_PRIVATE + g->nr_spis) / 32 - 1;
    uint32_t cpus = MIN(g->nr_vcpus, 8u) - 1;
    return lines | cpus << 5 | 9u << 19; /* IDbits: 10 INTID bits, no LPIs */
}

static bool aligned(uint64_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && !(off & (size - 1));
}

static uint64_t all_vcpus(const struct vgic_dist *g)
{
    return g->d->nr_vcpus >= 64 ? ~0UL : BIT(g->d->nr_vcpus) - 1;
}

static int irouter_access(struct vgic_dist *g, uint64_t off, unsigned size, bool write,
                          uint64_t *val)
{
    if (size != 4 && size != 8)
        return -EINVAL;
    unsigned intid = (unsigned)(off - GICD_IROUTER) / 8;
    if (intid < VGIC_NR_PRIVATE || intid - VGIC_NR_PRIVATE >= g->nr_spis) {
        if (!write)
            *val = 0;
        return 0;
    }
    unsigned i = intid - VGIC_NR_PRIVATE, shift = (off & 4) * 8;
    uint64_t mask = (size == 8 ? ~0UL : 0xffffffffUL) << shift, kick = 0;
    unsigned long flags = vgic_lock(g);
    if (!write) {
        *val = (g->irouter[i] & mask) >> shift;
    } else {
        g->irouter[i] = ((g->irouter[i] & ~mask) | ((*val << shift) & mask)) & IROUTER_MASK;
        struct vgic_irq *irq = &g->spis[i];
        irq->target = (uint8_t)vgic_route_target(g->d, g->nr_vcpus, g->irouter[i]);
        if (unlikely(irq->assigned))
            vgic_pt_route(g, intid, irq);
        vgic_irq_changed(g, NULL, intid, irq, &kick);
    }
    vgic_unlock(g, flags);
    vgic_kick(g->d, kick);
    return 0;
}

/* CTLR, TYPER and IIDR: the registers guests read most, so looked at first.  32-bit only. */
static int dist_ctl_regs(struct vgic_dist *g, uint64_t off, unsigned size, bool write,
                         uint64_t *val)
{
    if (size != 4 || (off & 3))
        return -EINVAL;
    if (!write) {
        *val = off == GICD_CTLR    ? g->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS
               : off == GICD_TYPER ? g->typer
                                   : VGIC_IIDR;
    } else if (off == GICD_CTLR) {
        /* ARE and DS read as one; RWP is always zero since every write takes effect at once. */
        unsigned long flags = vgic_lock(g);
        g->ctlr = (uint32_t)*val & (GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
        vgic_unlock(g, flags);
        vgic_kick(g->d, all_vcpus(g));
    }
    return 0;
}

static __attribute__((noinline)) int dist_access(struct vgic_dist *g, uint64_t off, unsigned size,
                                                 bool write, uint64_t *val)
{
    if (!aligned(off, size))
        return -EINVAL;
    enum vgic_field f;
    unsigned first;
    if (vgic_field_decode(off, &f, &first)) {
        if (!vgic_field_size_ok(f, size))
            return -EINVAL;
        /* Affinity routing: SGI and PPI state is in the redistributors, RAZ/WI here. */
        if (write)
            vgic_field_write(g, NULL, f, first, VGIC_NR_PRIVATE, size, *val);
        else
            *val = vgic_field_read(g, NULL, f, first, VGIC_NR_PRIVATE, size);
        return 0;
    }
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END)
        return irouter_access(g, off, size, write, val);

    uint32_t id = 0;
    bool known = vgic_id_reg(off & ~3UL, &id);
    if (known && (size != 4 || (off & 3)))
        return -EINVAL;
    if (!write)
        *val = known ? id : 0;
    if (!known && !raz_wi(off))
        guest_debug(g->d, "vgic: domain %u: %s of unknown GICD offset %#lx, RAZ/WI\n", g->d->id,
                    write ? "write" : "read", off);
    return 0;
}

static int dist_read(struct vcpu *v, void *ctx, uint64_t off, unsigned size, uint64_t *val)
{
    if (off < GICD_CTL_END)
        return dist_ctl_regs(ctx, off, size, false, val);
    return dist_access(ctx, off, size, false, val);
}

static int dist_write(struct vcpu *v, void *ctx, uint64_t off, unsigned size, uint64_t val)
{
    if (off < GICD_CTL_END)
        return dist_ctl_regs(ctx, off, size, true, &val);
    return dist_access(ctx, off, size, true, &val);
}

const struct vmmio_ops vgic_dist_ops = { .read = dist_read, .write = dist_write };
