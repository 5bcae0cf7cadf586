/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm GICv3 physical interrupt controller (GIC architecture spec IHI 0069): distributor,
 * one redistributor per CPU, and the system-register CPU interface at EL2.  Implements the
 * irqchip_* hooks of <hyp/irq.h>.  Keel uses affinity routing and Non-secure Group 1 only,
 * one priority for everything, and split EOI (see irqchip_init_cpu).  Distributor writes are
 * serialised by dist_lock; each redistributor's SGI/PPI registers are written under
 * rdist_lock.  The virtual CPU interface (ICH_*) belongs to the vGIC, not to this file.
 */
#include <hyp/arch/boot.h>
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/selftest.h>
#include <hyp/spinlock.h>

/* Distributor registers (IHI 0069 12.9). */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8

/* GICD_CTLR in the Non-secure view; the same bit positions mean EnableGrp1 and ARE when the
 * GIC has a single security state (DS == 1), as QEMU's virt board without secure=on does. */
#define GICD_CTLR_ENABLE_G1NS BIT(1)
#define GICD_CTLR_ARE_NS BIT(4)
#define GICD_CTLR_RWP BIT(31)
#define GICD_TYPER_LINES(t) (32 * (((t)&0x1f) + 1))
#define GICD_TYPER_RSS BIT(26)

/* Redistributor: RD_base frame, then SGI_base frame 64 KiB above (IHI 0069 12.10/12.11). */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ICPENDR0 (GICR_SGI + 0x0280)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR0 (GICR_SGI + 0x0400)
#define GICR_ICFGR0 (GICR_SGI + 0x0c00)
#define GICR_IGRPMODR0 (GICR_SGI + 0x0d00)

#define GICR_CTLR_RWP BIT(3)
#define GICR_TYPER_VLPIS BIT(1)
#define GICR_TYPER_LAST BIT(4)
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
/* A GICv3 redistributor is two 64 KiB frames; with virtual LPIs (GICv4) it is four. */
#define GICR_FRAME_V3 (2 * 0x10000UL)
#define GICR_FRAME_V4 (4 * 0x10000UL)

/* CPU interface bits (IHI 0069 12.2, 12.5). */
#define ICC_SRE_SRE BIT(0)
#define ICC_SRE_DFB BIT(1)
#define ICC_SRE_DIB BIT(2)
#define ICC_SRE_ENABLE BIT(3)
#define ICC_CTLR_EOIMODE BIT(1)
#define ICC_CTLR_RSS BIT(18)
#define ICC_SGI1R_RS_SHIFT 44
#define ICC_SGI1R_INTID_SHIFT 24

/* CPU interface system registers.  Only arch/arm64 may include <arm64/sysreg.h>, and this
 * driver needs just these few, so it has its own accessors. */
#define icc_read(r)                                                                                \
    ({                                                                                             \
        uint64_t __v;                                                                              \
        __asm__ volatile("mrs %0, " #r : "=r"(__v));                                               \
        __v;                                                                                       \
    })
#define icc_write(v, r) __asm__ volatile("msr " #r ", %x0" ::"rZ"((uint64_t)(v)) : "memory")
#define icc_isb() __asm__ volatile("isb" ::: "memory")
#define icc_dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/* One priority for every line; the mask lets all of them through.  Implementations have at
 * least 16 priority levels (4 bits, the top nibble), so both values are representable. */
#define PRIO_DEFAULT 0xa0
#define PRIO_MASK_ALL 0xf0

#define MAX_RDIST_REGIONS 8
#define POLL_TIMEOUT_NS 100000000UL /* 100 ms for the GIC to finish a register write */

struct rdist_region {
    uintptr_t base;
    uint64_t size;
};

static uintptr_t gicd;
static unsigned nr_lines; /* SPIs + 32, at most IRQ_MAX */
static bool dist_rss;     /* distributor supports Aff0 > 15 as SGI targets */
static struct rdist_region rdist_regions[MAX_RDIST_REGIONS];
static unsigned nr_rdist_regions;
static uint64_t rdist_stride;     /* 0: from each frame's GICR_TYPER.VLPIS */
static uintptr_t rdist[MAX_CPUS]; /* RD_base of each logical CPU, 0 until found */
static unsigned maint_irq;
static struct spinlock dist_lock = SPINLOCK_INIT;
static struct spinlock rdist_lock = SPINLOCK_INIT;

static inline uint32_t rd32(uintptr_t a)
{
    return *(volatile uint32_t *)a;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}

static inline uint64_t rd64(uintptr_t a)
{
    return *(volatile uint64_t *)a;
}

static inline void wr64(uintptr_t a, uint64_t v)
{
    *(volatile uint64_t *)a = v;
}

static inline void wr8(uintptr_t a, uint8_t v)
{
    *(volatile uint8_t *)a = v;
}

/* Counter-based deadline so a wedged GIC stops the boot with a message, not silently. */
static void poll_clear(uintptr_t reg, uint32_t bits, const char *what)
{
    uint64_t f = arch_counter_freq();
    uint64_t end = arch_counter() + (f ? f / (1000000000UL / POLL_TIMEOUT_NS) : 1000000);
    while (rd32(reg) & bits)
        if (arch_counter() > end)
            panic("gicv3: timeout waiting for %s", what);
}

static void dist_wait(void)
{
    poll_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "distributor register write");
}

static void rdist_wait(uintptr_t rd)
{
    poll_clear(rd + GICR_CTLR, GICR_CTLR_RWP, "redistributor register write");
}

/* MPIDR affinity as GICR_TYPER and GICD_IROUTER encode it. */
static uint32_t aff_typer(uint64_t hwid)
{
    return (uint32_t)(((hwid >> 32) & 0xff) << 24 | (hwid & 0xffffff));
}

static uint64_t aff_irouter(uint64_t hwid)
{
    return hwid & 0xff00ffffffUL; /* Aff3 at 39:32, Aff2..Aff0 at 23:0; IRM = 0 */
}

/* ArchRev of a distributor or redistributor frame: 3 = GICv3, 4 = GICv4. */
static uint32_t pidr2_arch(uintptr_t frame)
{
    return (rd32(frame + GICD_PIDR2) >> 4) & 0xf;
}

static void map_or_panic(uint64_t base, uint64_t size, const char *what)
{
    int rc = arch_mmio_map(base, size);
    if (rc)
        panic("gicv3: cannot map %s at %#lx+%#lx (%d)", what, base, size, rc);
}

static int parse_dt(void)
{
    const struct fdt *f = &bootinfo.fdt;
    int n = fdt_find_compatible(f, -1, "arm,gic-v3");
    if (n < 0)
        return -ENODEV;
    uint64_t base, size;
    if (fdt_reg(f, n, 0, &base, &size))
        panic("gicv3: %s has no distributor reg", fdt_name(f, n));
    gicd = base;
    map_or_panic(base, size, "distributor");
    uint32_t regions = 1;
    fdt_prop_u32(f, n, "#redistributor-regions", &regions);
    if (regions == 0 || regions > MAX_RDIST_REGIONS)
        panic("gicv3: %u redistributor regions (1..%u supported)", regions, MAX_RDIST_REGIONS);
    for (unsigned i = 0; i < regions; i++) {
        if (fdt_reg(f, n, 1 + i, &base, &size))
            panic("gicv3: redistributor region %u missing from reg", i);
        map_or_panic(base, size, "redistributors");
        rdist_regions[nr_rdist_regions++] = (struct rdist_region){ base, size };
    }
    if (fdt_prop_u64(f, n, "redistributor-stride", &rdist_stride) &&
        (rdist_stride < GICR_FRAME_V3 || !IS_ALIGNED(rdist_stride, 0x10000)))
        panic("gicv3: bad redistributor-stride %#lx", rdist_stride);
    /* "interrupts": the maintenance interrupt, a PPI, for the vGIC later. */
    uint32_t len;
    const uint8_t *irq = fdt_prop(f, n, "interrupts", &len);
    if (irq && len >= 12 && fdt32(irq) == 1)
        maint_irq = 16 + fdt32(irq + 4);
    return 0;
}

static void dist_init(void)
{
    uint32_t arch = pidr2_arch(gicd);
    if (arch != 3 && arch != 4)
        panic("gicv3: distributor reports GIC architecture %u, need 3 or 4", arch);
    /* Everything off while reprogramming: ARE may only change while both groups are
     * disabled (GICD_CTLR description). */
    wr32(gicd + GICD_CTLR, 0);
    dist_wait();
    uint32_t typer = rd32(gicd + GICD_TYPER);
    nr_lines = MIN(GICD_TYPER_LINES(typer), (unsigned)IRQ_MAX);
    dist_rss = typer & GICD_TYPER_RSS;
    wr32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS);
    dist_wait();
    if (!(rd32(gicd + GICD_CTLR) & GICD_CTLR_ARE_NS))
        panic("gicv3: affinity routing cannot be enabled for Non-secure state");

    /* SPIs: disabled, inactive, not pending, Group 1 Non-secure, level, default priority,
     * routed to the boot CPU until someone enables them. */
    uint64_t route = aff_irouter(this_cpu()->hwid);
    for (unsigned i = 32; i < nr_lines; i += 32) {
        wr32(gicd + GICD_ICENABLER + i / 8, ~0u);
        wr32(gicd + GICD_ICPENDR + i / 8, ~0u);
        wr32(gicd + GICD_ICACTIVER + i / 8, ~0u);
        wr32(gicd + GICD_IGROUPR + i / 8, ~0u);
        wr32(gicd + GICD_IGRPMODR + i / 8, 0);
    }
    for (unsigned i = 32; i < nr_lines; i += 16)
        wr32(gicd + GICD_ICFGR + i / 4, 0);
    for (unsigned i = 32; i < nr_lines; i += 4)
        wr32(gicd + GICD_IPRIORITYR + i, PRIO_DEFAULT * 0x01010101u);
    for (unsigned i = 32; i < nr_lines; i++)
        wr64(gicd + GICD_IROUTER + 8 * i, route);
    dist_wait();
    wr32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1NS);
    dist_wait();
}

void irqchip_init(void)
{
    if (parse_dt())
        panic("gicv3: no \"arm,gic-v3\" interrupt controller in the device tree");
    dist_init();
    pr_info("gicv3: distributor at %#lx, %u lines, %u redistributor region(s)%s\n",
            (unsigned long)gicd, nr_lines, nr_rdist_regions, dist_rss ? ", range selector" : "");
}

/* Walk the redistributor regions for the frame whose affinity is hwid's.  Frames follow each
 * other in a region; the last one has GICR_TYPER.Last set. */
static uintptr_t rdist_find(uint64_t hwid)
{
    uint32_t want = aff_typer(hwid);
    for (unsigned r = 0; r < nr_rdist_regions; r++) {
        uintptr_t p = rdist_regions[r].base, end = p + rdist_regions[r].size;
        uint32_t arch = pidr2_arch(p);
        if (arch != 3 && arch != 4) {
            pr_warn("gicv3: redistributor region %u reports architecture %u, skipped\n", r, arch);
            continue;
        }
        while (p + GICR_FRAME_V3 <= end) {
            uint64_t typer = rd64(p + GICR_TYPER);
            if ((uint32_t)(typer >> 32) == want)
                return p;
            if (typer & GICR_TYPER_LAST)
                break;
            p += rdist_stride                 ? rdist_stride
                 : (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_V4
                                              : GICR_FRAME_V3;
        }
    }
    return 0;
}

static void rdist_init(uintptr_t rd)
{
    /* Wake the redistributor (GICR_WAKER): until then it does not forward interrupts to this
     * CPU. */
    wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
    poll_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, "redistributor wake-up");

    unsigned long flags = spin_lock_irqsave(&rdist_lock);
    wr32(rd + GICR_ICENABLER0, ~0u);
    rdist_wait(rd);
    wr32(rd + GICR_ICPENDR0, ~0u);
    wr32(rd + GICR_ICACTIVER0, ~0u);
    wr32(rd + GICR_IGROUPR0, ~0u);
    wr32(rd + GICR_IGRPMODR0, 0);
    wr32(rd + GICR_ICFGR0 + 4, 0); /* PPIs level-sensitive; SGIs are always edge */
    for (unsigned i = 0; i < IRQ_PER_CPU_LINES; i += 4)
        wr32(rd + GICR_IPRIORITYR0 + i, PRIO_DEFAULT * 0x01010101u);
    spin_unlock_irqrestore(&rdist_lock, flags);
}

/*
 * CPU interface at EL2.  ICC_SRE_EL2.SRE selects the system-register interface for EL2 and
 * Enable lets EL1 set up its own (for guests, through the vGIC).  EOImode = 1 splits end of
 * interrupt into priority drop (ICC_EOIR1_EL1) and deactivation (ICC_DIR_EL1): a physical
 * interrupt forwarded to a guest with the list register's HW bit stays active after Keel's
 * priority drop, and the guest's virtual EOI deactivates it (IHI 0069, "Interrupt
 * lifecycle" and the list register HW field).  At EL2 the Non-secure ICC_CTLR_EL1 EOImode
 * applies.
 */
static void cpuif_init(void)
{
    icc_write(icc_read(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_ENABLE | ICC_SRE_DFB | ICC_SRE_DIB,
              icc_sre_el2);
    icc_isb();
    if (!(icc_read(icc_sre_el2) & ICC_SRE_SRE))
        panic("gicv3: system-register CPU interface disabled by firmware (ICC_SRE_EL3.Enable)");
    icc_write(0, ich_hcr_el2); /* virtual interface off until the vGIC sets it up */
    icc_write(PRIO_MASK_ALL, icc_pmr_el1);
    icc_write(0, icc_bpr1_el1);
    icc_write(icc_read(icc_ctlr_el1) | ICC_CTLR_EOIMODE, icc_ctlr_el1);
    icc_write(1, icc_igrpen1_el1);
    icc_isb();
}

void irqchip_init_cpu(void)
{
    struct percpu *pc = this_cpu();
    uintptr_t rd = rdist_find(pc->hwid);
    if (!rd)
        panic("gicv3: no redistributor for CPU%u (hwid %#lx)", pc->id, pc->hwid);
    if ((pc->hwid & 0xff) > 15 && !dist_rss)
        pr_warn("gicv3: CPU%u has Aff0 > 15 but the GIC lacks range selectors; IPIs to it "
                "will fail\n",
                pc->id);
    rdist_init(rd);
    cpuif_init();
    WRITE_ONCE(rdist[pc->id], rd);
}

unsigned irqchip_ack(void)
{
    uint64_t iar = icc_read(icc_iar1_el1);
    /* The acknowledge changes the line's state in the redistributor; have that done before the
     * handler acts on the device that raised it. */
    icc_dsb(sy);
    return (unsigned)(iar & 0xffffff);
}

void irqchip_priority_drop(unsigned irq)
{
    icc_write(irq, icc_eoir1_el1);
    icc_isb();
}

void irqchip_deactivate(unsigned irq)
{
    icc_write(irq, icc_dir_el1);
    icc_isb();
}

void irqchip_clear_active(unsigned irq)
{
    /* A write of GICD_ICACTIVER<n> (IHI 0069, the distributor registers) clears the active
     * state the distributor holds for an SPI: it needs no particular PE, where ICC_DIR_EL1 is
     * a deactivation by this PE's CPU interface. */
    if (irq < IRQ_PER_CPU_LINES || irq >= nr_lines)
        return;
    wr32(gicd + GICD_ICACTIVER + (irq / 32) * 4, 1u << (irq % 32));
}

unsigned irqchip_nr_lines(void)
{
    return nr_lines;
}

void irqchip_eoi(unsigned irq)
{
    irqchip_priority_drop(irq);
    irqchip_deactivate(irq);
}

static uintptr_t rdist_of(unsigned cpu)
{
    uintptr_t rd = cpu < MAX_CPUS ? READ_ONCE(rdist[cpu]) : 0;
    BUG_ON(!rd);
    return rd;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
    BUG_ON(irq >= IRQ_MAX);
    if (irq < IRQ_PER_CPU_LINES) {
        uintptr_t rd = rdist_of(cpu);
        wr32(rd + GICR_ISENABLER0, 1u << irq);
        return;
    }
    BUG_ON(irq >= nr_lines || cpu >= MAX_CPUS);
    unsigned long flags = spin_lock_irqsave(&dist_lock);
    wr64(gicd + GICD_IROUTER + 8 * irq, aff_irouter(percpu_data[cpu].hwid));
    wr32(gicd + GICD_ISENABLER + (irq / 32) * 4, 1u << (irq % 32));
    spin_unlock_irqrestore(&dist_lock, flags);
}

void irqchip_disable(unsigned irq, unsigned cpu)
{
    BUG_ON(irq >= IRQ_MAX);
    if (irq < IRQ_PER_CPU_LINES) {
        uintptr_t rd = rdist_of(cpu);
        unsigned long flags = spin_lock_irqsave(&rdist_lock);
        wr32(rd + GICR_ICENABLER0, 1u << irq);
        rdist_wait(rd);
        spin_unlock_irqrestore(&rdist_lock, flags);
        return;
    }
    if (irq >= nr_lines)
        return;
    unsigned long flags = spin_lock_irqsave(&dist_lock);
    wr32(gicd + GICD_ICENABLER + (irq / 32) * 4, 1u << (irq % 32));
    dist_wait();
    spin_unlock_irqrestore(&dist_lock, flags);
}

/* Two config bits per line in GICD_ICFGR<n> / GICR_ICFGR1, the upper one set for edge.  For
 * PPIs this sets the calling CPU's banked copy.  Change it only while the line is disabled. */
int irqchip_set_trigger(unsigned irq, bool edge)
{
    if (irq < 16)
        return edge ? 0 : -EINVAL;
    if (irq >= nr_lines)
        return -EINVAL;
    uintptr_t reg = irq < IRQ_PER_CPU_LINES ? rdist_of(cpu_id()) + GICR_ICFGR0 + 4
                                            : gicd + GICD_ICFGR + (irq / 16) * 4;
    uint32_t bit = 2u << (2 * (irq % 16));
    struct spinlock *l = irq < IRQ_PER_CPU_LINES ? &rdist_lock : &dist_lock;
    unsigned long flags = spin_lock_irqsave(l);
    uint32_t v = rd32(reg);
    wr32(reg, edge ? v | bit : v & ~bit);
    spin_unlock_irqrestore(l, flags);
    return 0;
}

void irqchip_host_frames(uint64_t *dist, uint64_t *redist)
{
    *dist = gicd;
    *redist = rdist_regions[0].base;
}

void irqchip_send_sgi(unsigned cpu, unsigned sgi)
{
    BUG_ON(cpu >= MAX_CPUS || sgi > 15);
    uint64_t hwid = percpu_data[cpu].hwid;
    uint64_t aff0 = hwid & 0xff;
    uint64_t v = (uint64_t)sgi << ICC_SGI1R_INTID_SHIFT | (aff0 >> 4) << ICC_SGI1R_RS_SHIFT |
                 BIT(aff0 & 15) | ((hwid >> 8) & 0xff) << 16 | ((hwid >> 16) & 0xff) << 32 |
                 ((hwid >> 32) & 0xff) << 48;
    /* Writes the target must see (its IPI mailbox) are complete before the SGI is. */
    icc_dsb(ishst);
    icc_write(v, icc_sgi1r_el1);
    icc_isb();
}

SELFTEST(gicv3_state)
{
    ST_CHECK(gicd != 0);
    uint32_t ctlr = rd32(gicd + GICD_CTLR);
    ST_CHECK(ctlr & GICD_CTLR_ARE_NS);
    ST_CHECK(ctlr & GICD_CTLR_ENABLE_G1NS);
    ST_CHECK(nr_lines >= 64 && nr_lines <= IRQ_MAX);
    for (unsigned c = 0; c < nr_cpus; c++) {
        if (!percpu_data[c].online)
            continue;
        uintptr_t rd = READ_ONCE(rdist[c]);
        ST_CHECK(rd != 0);
        ST_CHECK((uint32_t)(rd64(rd + GICR_TYPER) >> 32) == aff_typer(percpu_data[c].hwid));
        ST_CHECK(!(rd32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP));
        ST_CHECK(rd32(rd + GICR_ISENABLER0) & BIT(IRQ_IPI));
    }
    ST_CHECK(icc_read(icc_sre_el2) & ICC_SRE_SRE);
    ST_CHECK(icc_read(icc_ctlr_el1) & ICC_CTLR_EOIMODE);
    ST_CHECK(icc_read(ich_hcr_el2) == 0);
    ST_CHECK(icc_read(icc_igrpen1_el1) & 1);
    pr_info("selftest: gicv3 maintenance interrupt %u, %u lines\n", maint_irq, nr_lines);
    return 0;
}
