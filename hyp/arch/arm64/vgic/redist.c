/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redistributor MMIO frames (IHI 0069 12.10, 12.11): one 128 KiB pair per vCPU from
 * VGIC_REDIST_BASE, RD_base (control, type, wake) then SGI_base (the SGI/PPI banks).  A vCPU may
 * access any vCPU's frames, as on hardware.  Guest-controlled input: offsets and sizes are
 * checked as in dist.c.
 */
#include <hyp/console.h>
#include <hyp/errno.h>

#include "vgic_internal.h"

#define GICR_FRAME_SIZE 0x10000UL

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014

#define GICR_TYPER_LAST BIT(4)
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)

/* RD_base registers Keel implements as zero, ignoring writes, without comment: CTLR (no LPIs:
 * EnableLPIs RAZ, RWP 0), STATUSR and the LPI registers (SETLPIR to SYNCR).  In SGI_base:
 * IGRPMODR0 and NSACR (single security state). */
static bool rd_raz_wi(uint64_t off)
{
    return off == GICR_CTLR || (off >= 0x0010 && off < 0x0100 && off != GICR_WAKER);
}

static bool sgi_raz_wi(uint64_t off)
{
    return off == 0x0d00 || off == 0x0e00;
}

static bool aligned(uint64_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && !(off & (size - 1));
}

/* GICR_TYPER (IHI 0069 12.10.33): Affinity_Value[63:32] = Aff3.Aff2.Aff1.Aff0 of the vCPU,
 * Processor_Number[23:8], Last[4] on the final frame of the region; no LPIs. */
static uint64_t typer(const struct vgic_dist *g, const struct vcpu *w)
{
    uint64_t hwid = arch_vcpu_hwid(w);
    uint64_t aff = ((hwid >> 32) & 0xff) << 24 | (hwid & 0xffffff);
    return aff << 32 | (uint64_t)w->id << 8 | (w->id + 1 == g->nr_vcpus ? GICR_TYPER_LAST : 0);
}

static int rd_access(struct vgic_dist *g, struct vcpu *w, uint64_t off, unsigned size, bool write,
                     uint64_t *val)
{
    uint32_t id = 0;
    uint64_t reg = off & ~3UL; /* a 32-bit register, or half of GICR_TYPER */
    bool is_typer = reg == GICR_TYPER || reg == GICR_TYPER + 4;
    bool known = reg == GICR_IIDR || reg == GICR_WAKER || is_typer || vgic_id_reg(reg, &id);
    if (known && !(size == 4 || (off == GICR_TYPER && size == 8)))
        return -EINVAL;
    if (!known && !rd_raz_wi(off))
        guest_debug(g->d, "vgic: domain %u: %s of unknown GICR offset %#lx, RAZ/WI\n", g->d->id,
                    write ? "write" : "read", off);
    if (write) {
        /* ProcessorSleep is all that can be written; ChildrenAsleep follows it at once. */
        if (off == GICR_WAKER) {
            unsigned long flags = vgic_lock(g);
            w->arch.vgic.waker = (uint32_t)*val & GICR_WAKER_PROCESSOR_SLEEP;
            vgic_unlock(g, flags);
        }
        return 0;
    }
    if (is_typer) {
        *val = typer(g, w) >> ((off - GICR_TYPER) * 8);
        if (size == 4)
            *val &= 0xffffffffUL;
    } else if (off == GICR_WAKER) {
        uint32_t ps = READ_ONCE(w->arch.vgic.waker) & GICR_WAKER_PROCESSOR_SLEEP;
        *val = ps ? ps | GICR_WAKER_CHILDREN_ASLEEP : 0;
    } else {
        *val = off == GICR_IIDR ? VGIC_IIDR : id;
    }
    return 0;
}

/* Whether an access to field f asks the sources of level-sensitive lines first (see
 * vgic_sample_fn): a read of the pending state, or an enable. */
static bool samples_lines(enum vgic_field f, bool write)
{
    return write ? f == VGIC_F_ENABLE_SET : f == VGIC_F_PEND_SET || f == VGIC_F_PEND_CLR;
}

/* own: w is the vCPU making the access (only its own lines can be sampled, on its pCPU). */
static int sgi_access(struct vgic_dist *g, struct vcpu *w, bool own, uint64_t off, unsigned size,
                      bool write, uint64_t *val)
{
    enum vgic_field f;
    unsigned first;
    if (vgic_field_decode(off, &f, &first) && first < VGIC_NR_PRIVATE) {
        if (!vgic_field_size_ok(f, size))
            return -EINVAL;
        /* One 32-bit register covers every private interrupt: first is 0. */
        if (own && samples_lines(f, write))
            vgic_resample(g, w, write ? (uint32_t)*val : ~0u);
        if (write)
            vgic_field_write(g, w, f, first, 0, size, *val);
        else
            *val = vgic_field_read(g, w, f, first, 0, size);
        return 0;
    }
    if (!sgi_raz_wi(off))
        guest_debug(g->d, "vgic: domain %u: %s of unknown GICR SGI_base offset %#lx, RAZ/WI\n",
                    g->d->id, write ? "write" : "read", off);
    if (!write)
        *val = 0;
    return 0;
}

static int redist_access(struct vgic_dist *g, struct vcpu *v, uint64_t off, unsigned size,
                         bool write, uint64_t *val)
{
    if (!aligned(off, size))
        return -EINVAL;
    uint64_t idx = off / VGIC_REDIST_STRIDE, foff = off % VGIC_REDIST_STRIDE;
    struct vcpu *w = idx < g->nr_vcpus && idx < g->d->nr_vcpus ? g->d->vcpus[idx] : NULL;
    if (!w) {
        if (!write)
            *val = 0;
        return 0;
    }
    if (foff < GICR_FRAME_SIZE)
        return rd_access(g, w, foff, size, write, val);
    return sgi_access(g, w, w == v, foff - GICR_FRAME_SIZE, size, write, val);
}

static int redist_read(struct vcpu *v, void *ctx, uint64_t off, unsigned size, uint64_t *val)
{
    return redist_access(ctx, v, off, size, false, val);
}

static int redist_write(struct vcpu *v, void *ctx, uint64_t off, unsigned size, uint64_t val)
{
    return redist_access(ctx, v, off, size, true, &val);
}

const struct vmmio_ops vgic_redist_ops = { .read = redist_read, .write = redist_write };
