/*
 * Memory accesses the hypervisor has to answer: the vGIC distributor and redistributors, the
 * vPL011, and guest-physical addresses with nothing behind them (holes of the guest layout,
 * just past RAM and past the last redistributor, the host's own device addresses, random
 * ones).  Every width and form the A64 load/store set offers that can reach a device: single
 * (sign-extending too), to and from the zero register, pairs, pre/post-index, acquire/release,
 * exclusives, cache maintenance and DC ZVA; through the Device identity map (where unaligned
 * ones fault in the guest's own stage 1) and through Normal mappings of the same pages (where
 * they reach the hypervisor).  Never our own RAM; the UART's data register only ever gets a
 * printable byte.
 */
#include "arm.h"
#include "fuzz.h"
#include "gic.h"
#include "platform.h"

#define GIB (1UL << 30)
#define NORMAL_SLOT0 256 /* scratch-window slots of the Normal mappings */
#define VPL011_SIZE 0x1000UL

enum form {
    LDRB,
    LDRH,
    LDRW,
    LDRX,
    LDRSB,
    LDRSH,
    LDRSW,
    LDR_XZR,
    STRB,
    STRH,
    STRW,
    STRX,
    STR_XZR,
    LDP,
    STP,
    LDR_POST,
    STR_PRE,
    LDAR,
    STLR,
    LDXR,
    STXR,
    PRFM,
    DC_CIVAC,
    DC_ZVA,
    DC_IVAC,
    NR_FORMS
};
static const uint8_t form_size[NR_FORMS] = { 1,  2,  4, 8, 1, 2, 4, 8, 1, 2,  4,  8, 4,
                                             16, 16, 8, 8, 8, 4, 8, 8, 8, 64, 64, 64 };

static void access(enum form f, uint64_t a, uint64_t v)
{
    uint64_t w = v, s = 0, p = a;
    switch (f) {
    case LDRB:
        __asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRH:
        __asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRW:
        __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRX:
        __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRSB:
        __asm__ volatile("ldrsb %0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRSH:
        __asm__ volatile("ldrsh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDRSW:
        __asm__ volatile("ldrsw %0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case LDR_XZR:
        __asm__ volatile("ldr xzr, [%0]" : : "r"(a) : "memory");
        break;
    case STRB:
        __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        break;
    case STRH:
        __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        break;
    case STRW:
        __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        break;
    case STRX:
        __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
        break;
    case STR_XZR:
        __asm__ volatile("str wzr, [%0]" : : "r"(a) : "memory");
        break;
    case LDP:
        __asm__ volatile("ldp %0, %1, [%2]" : "+r"(v), "+r"(w) : "r"(a) : "memory");
        break;
    case STP:
        __asm__ volatile("stp %0, %1, [%2]" : : "r"(v), "r"(w), "r"(a) : "memory");
        break;
    case LDR_POST:
        __asm__ volatile("ldr %0, [%1], #8" : "+r"(v), "+r"(p) : : "memory");
        break;
    case STR_PRE:
        __asm__ volatile("str %1, [%0, #-8]!" : "+r"(p) : "r"(v) : "memory");
        break;
    case LDAR:
        __asm__ volatile("ldar %0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case STLR:
        __asm__ volatile("stlr %w0, [%1]" : : "r"(v), "r"(a) : "memory");
        break;
    case LDXR:
        __asm__ volatile("ldxr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
        break;
    case STXR:
        __asm__ volatile("stxr %w0, %1, [%2]" : "=&r"(s) : "r"(v), "r"(a) : "memory");
        break;
    case PRFM:
        __asm__ volatile("prfm pldl1keep, [%0]" : : "r"(a) : "memory");
        break;
    case DC_CIVAC:
        __asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
        break;
    case DC_ZVA:
        __asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
        break;
    case DC_IVAC:
        __asm__ volatile("dc ivac, %0" : : "r"(a) : "memory");
        break;
    default:
        break;
    }
    __asm__ volatile("clrex" : : : "memory");
    (void)s;
}

static bool is_write(enum form f)
{
    return f >= STRB && f != LDP && f != LDR_POST && f != LDAR && f != LDXR && f != PRFM;
}

static bool in_ram(uint64_t pa, uint64_t size)
{
    for (unsigned i = 0; i < plat.nr_mem; i++)
        if (pa < plat.mem_base[i] + plat.mem_size[i] && plat.mem_base[i] < pa + size)
            return true;
    return false;
}

/* ---- offsets worth trying in each device ---- */

/* Distributor: control and ID words, the per-interrupt banks, IROUTER, the reserved space. */
static uint64_t gicd_offset(struct fz_cpu *c)
{
    static const uint16_t regs[] = { 0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0040, 0x0048,
                                     0x0050, 0x0058, 0x0f00, 0x0f10, 0x0f20, 0xffd0, 0xffe8,
                                     0xfffc, 0x7fd8, 0x7fe0, 0x6100, 0x6000 };
    static const uint16_t banks[][2] = {
        { 0x0080, 0x0080 }, { 0x0100, 0x0080 }, { 0x0180, 0x0080 }, { 0x0200, 0x0080 },
        { 0x0280, 0x0080 }, { 0x0300, 0x0080 }, { 0x0380, 0x0080 }, { 0x0400, 0x0400 },
        { 0x0800, 0x0400 }, { 0x0c00, 0x0100 }, { 0x0d00, 0x0080 }, { 0x0e00, 0x0100 },
        { 0x6000, 0x2000 }, { 0xe000, 0x2000 },
    };
    switch (rnd_below(c, 4)) {
    case 0:
        return regs[rnd_below(c, ARRAY_SIZE(regs))];
    case 1:
        return rnd_below(c, plat.gicd_size ? plat.gicd_size : 0x10000);
    default: {
        unsigned b = (unsigned)rnd_below(c, ARRAY_SIZE(banks));
        return banks[b][0] + rnd_below(c, banks[b][1]);
    }
    }
}

/* Redistributors: any vCPU's frames and one past them; RD_base or SGI_base registers. */
static uint64_t gicr_offset(struct fz_cpu *c)
{
    static const uint16_t rd[] = { 0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0040,
                                   0x0048, 0x0070, 0x0078, 0x00a0, 0x00b0, 0x00c0, 0xffe8 };
    static const uint16_t sgi[] = { 0x0080, 0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380,
                                    0x0400, 0x0410, 0x041c, 0x0c00, 0x0c04, 0x0d00, 0x0e00 };
    uint64_t frame = rnd_below(c, fz.nr_cpus + 1) * 0x20000UL;
    switch (rnd_below(c, 4)) {
    case 0:
        return frame + rd[rnd_below(c, ARRAY_SIZE(rd))];
    case 1:
        return frame + 0x10000 + sgi[rnd_below(c, ARRAY_SIZE(sgi))] + rnd_below(c, 4);
    case 2:
        return frame + 0x10000 + rnd_below(c, 0x1000);
    default:
        return frame + rnd_below(c, 0x20000);
    }
}

static uint64_t uart_offset(struct fz_cpu *c)
{
    if (rnd_below(c, 4))
        return rnd_below(c, 2) ? rnd_below(c, 0x50) : 0xfe0 + rnd_below(c, 0x20);
    return rnd_below(c, VPL011_SIZE);
}

/* A guest-physical address with nothing behind it (or, rarely, a device: it answers). */
static uint64_t hole(struct fz_cpu *c)
{
    static const uint64_t fixed[] = { 0x0,        0x01000000, 0x02fff000, 0x03011000, 0x0301f000,
                                      0x08000000, 0x080a0000, 0x09000000, 0x09010000, 0x0a000000,
                                      0x10000000, 0x21fff000, 0x22001000, 0x3f000000, 0x3ffff000 };
    uint64_t ram_end = plat.mem_base[0] + plat.mem_size[0];
    uint64_t pa;
    switch (rnd_below(c, 5)) {
    case 0:
        pa = fixed[rnd_below(c, ARRAY_SIZE(fixed))] + rnd_below(c, 0x1000);
        break;
    case 1:
        pa = ram_end + rnd_below(c, 0x200000);
        break;
    case 2:
        pa = plat.gicr + plat.gicr_size + rnd_below(c, 0x40000);
        break;
    case 3:
        pa = rnd_below(c, 4 * GIB);
        break;
    default:
        pa = rnd_below(c, 512 * GIB - 4096);
        break;
    }
    return in_ram(pa, 4096) ? ram_end + (pa & 0xfff) : pa;
}

/* ---- the operation ---- */

static enum form pick_form(struct fz_cpu *c, bool normal)
{
    /* Single loads and stores are what drivers do: most of the time, those. */
    if (rnd_below(c, 4))
        return (enum form)rnd_below(c, STR_XZR + 1);
    enum form f = (enum form)(LDP + rnd_below(c, NR_FORMS - LDP));
    return !normal && f == DC_IVAC ? DC_CIVAC : f;
}

static uint64_t place(struct fz_cpu *c, uint64_t base, uint64_t off, enum form f)
{
    unsigned size = form_size[f] > 8 ? 8 : form_size[f];
    if (rnd_below(c, 8)) /* mostly naturally aligned */
        off &= ~(uint64_t)(size - 1);
    return base + off;
}

void fz_op_mmio(struct fz_cpu *c, enum fz_kind k)
{
    uint64_t base = 0, off = 0;
    bool normal = k == K_MMIO_NORMAL;
    enum form f = pick_form(c, normal);
    switch (k) {
    case K_MMIO_GICD:
        base = plat.gicd, off = gicd_offset(c);
        break;
    case K_MMIO_GICR:
        base = plat.gicr, off = gicr_offset(c);
        break;
    case K_MMIO_UART:
        base = plat.uart, off = uart_offset(c);
        break;
    case K_MMIO_HOLE:
        off = hole(c);
        break;
    default: { /* a device or hole page mapped Normal: any alignment, near a page end too */
        unsigned i = (unsigned)rnd_below(c, fz.nr_normal ? fz.nr_normal : 1);
        base = fz.normal_va[i];
        off = rnd_below(c, 4) ? rnd_below(c, 0x1000) : 0x1000 - 1 - rnd_below(c, 16);
        break;
    }
    }
    uint64_t a = place(c, base, off, f), v = fz_value(c);
    if (!base && !normal && is_write(f) && fz_is_ours(a, 64))
        return;
    /* The UART prints what its data register gets: one printable byte, no line end, no NUL
     * (pre-index stores write below their base, so they become plain byte stores). */
    unsigned page = (unsigned)((a - fz.normal_va[0]) >> 12);
    bool uart =
        k == K_MMIO_UART || (normal && page < fz.nr_normal && fz.normal_pa[page] == plat.uart);
    if (uart && (f == STR_XZR || f == DC_ZVA || f == STR_PRE))
        f = STRB;
    if (uart && (a & 0xfff) < 8)
        v = (v & ~0xffUL) | (uint64_t)('a' + rnd_below(c, 26));
    exc_expect();
    access(f, a, v);
    fz_done(c, k);
}

void fz_mmio_init(void)
{
    uint64_t ram_end = plat.mem_base[0] + plat.mem_size[0];
    const uint64_t pages[] = {
        plat.gicd,
        plat.gicd + 0x6000,
        plat.gicr,
        plat.gicr + 0x10000,
        plat.gicr + 0x20000,
        plat.gicr + 0x30000,
        plat.uart,
        0x0,
        ram_end,
        0x03011000,
        plat.gicr + plat.gicr_size,
        0x08000000,
    };
    fz.nr_normal = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(pages) && i < ARRAY_SIZE(fz.normal_va); i++) {
        if (!pages[i] && i != 7)
            continue;
        fz.normal_pa[fz.nr_normal] = pages[i];
        fz.normal_va[fz.nr_normal] = mmu_scratch_map(NORMAL_SLOT0 + fz.nr_normal, pages[i], true);
        fz.nr_normal++;
    }
}
