/*
 * GICv3 for test guests: distributor and redistributor set-up through MMIO, the CPU interface
 * through ICC_* system registers, SGIs through ICC_SGI1R_EL1, and the IRQ acknowledge/end path.
 * The handler pointer is shared by all vCPUs; per-vCPU state lives in the hardware.
 */
#include "gic.h"
#include "arm.h"
#include "platform.h"
#include "timer.h"

static irq_handler_fn handler;
static bool eoi_split_on[MAX_VCPUS];

uint32_t gicd_read(uint32_t off)
{
    return mmio_read32(plat.gicd + off);
}

void gicd_write(uint32_t off, uint32_t v)
{
    mmio_write32(plat.gicd + off, v);
}

void gicd_wait_rwp(void)
{
    WAIT_EVENT(!(gicd_read(GICD_CTLR) & GICD_CTLR_RWP));
}

bool gic_init(void)
{
    if (!plat.gicd || !plat.gicr)
        return false;
    gicd_write(GICD_CTLR, 0);
    gicd_wait_rwp();
    unsigned lines = (gicd_read(GICD_TYPER) & 0x1f) + 1; /* 32 INTIDs per line */
    for (unsigned i = 1; i < lines; i++) {
        gicd_write(GICD_ICENABLER + 4 * i, 0xffffffff);
        gicd_write(GICD_ICPENDR + 4 * i, 0xffffffff);
        gicd_write(GICD_IGROUPR + 4 * i, 0xffffffff);
    }
    gicd_wait_rwp();
    gicd_write(GICD_CTLR, GICD_CTLR_ARE);
    gicd_wait_rwp();
    gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
    gicd_wait_rwp();
    return true;
}

uint64_t gic_rdist_of(uint64_t mpidr)
{
    uint64_t want = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);
    for (uint64_t rd = plat.gicr; rd < plat.gicr + plat.gicr_size;) {
        uint64_t typer = mmio_read64(rd + GICR_TYPER);
        if (typer >> 32 == want)
            return rd;
        if (typer & GICR_TYPER_LAST)
            break;
        rd += typer & GICR_TYPER_VLPIS ? 0x40000 : 0x20000;
    }
    return 0;
}

uint64_t gic_rdist(void)
{
    return gic_rdist_of(this_mpidr());
}

bool gic_cpu_init(bool eoi_split)
{
    uint64_t rd = gic_rdist();
    if (!rd)
        return false;
    uint64_t sgi = rd + GICR_SGI_BASE;
    mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
    WAIT_EVENT(!(mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP));
    mmio_write32(sgi + GICR_ICENABLER0, 0xffffffff);
    mmio_write32(sgi + GICR_ICPENDR0, 0xffffffff);
    mmio_write32(sgi + GICR_IGROUPR0, 0xffffffff);
    for (unsigned i = 0; i < 32; i += 4)
        mmio_write32(sgi + GICR_IPRIORITYR + i, GIC_PRIO_DEFAULT * 0x01010101u);
    write_sysreg_s(read_sysreg_s(ICC_SRE_EL1) | 1, ICC_SRE_EL1);
    isb();
    write_sysreg_s(0xff, ICC_PMR_EL1);
    write_sysreg_s(0, ICC_BPR1_EL1);
    write_sysreg_s(eoi_split ? 2 : 0, ICC_CTLR_EL1); /* EOImode is bit 1 */
    write_sysreg_s(1, ICC_IGRPEN1_EL1);
    isb();
    eoi_split_on[this_cpu() % MAX_VCPUS] = eoi_split;
    return true;
}

void gic_set_eoi_split(bool eoi_split)
{
    eoi_split_on[this_cpu() % MAX_VCPUS] = eoi_split;
}

/* The register block that holds intid's bit: GICD for SPIs, this vCPU's SGI_base otherwise. */
static uint64_t bank(unsigned intid)
{
    return intid < 32 ? gic_rdist() + GICR_SGI_BASE : plat.gicd;
}

void gic_enable(unsigned intid)
{
    mmio_write32(bank(intid) + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    if (intid >= 32)
        gicd_wait_rwp();
}

void gic_disable(unsigned intid)
{
    mmio_write32(bank(intid) + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
    if (intid >= 32)
        gicd_wait_rwp();
}

void gic_set_priority(unsigned intid, uint8_t prio)
{
    mmio_write8(bank(intid) + GICD_IPRIORITYR + intid, prio);
}

void gic_route_spi(unsigned intid, uint64_t mpidr)
{
    mmio_write64(plat.gicd + GICD_IROUTER + 8 * intid, mpidr & MPIDR_AFF_MASK);
}

void gic_set_pending(unsigned intid)
{
    mmio_write32(bank(intid) + GICD_ISPENDR + 4 * (intid / 32), 1u << (intid % 32));
}

/* ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40],
 * Aff3 [55:48].  The target list holds Aff0 values 0-15. */
void gic_send_sgi(unsigned intid, uint64_t mpidr)
{
    uint64_t v = (1UL << (mpidr & 0xf)) | ((mpidr >> 8) & 0xff) << 16 |
                 (uint64_t)(intid & 0xf) << 24 | ((mpidr >> 16) & 0xff) << 32 |
                 ((mpidr >> 32) & 0xff) << 48;
    dsb(ishst); /* memory written before the SGI is visible to its receiver */
    write_sysreg_s(v, ICC_SGI1R_EL1);
    isb();
}

void gic_send_sgi_others(unsigned intid)
{
    dsb(ishst);
    write_sysreg_s((uint64_t)(intid & 0xf) << 24 | 1UL << 40, ICC_SGI1R_EL1);
    isb();
}

void irq_set_handler(irq_handler_fn fn)
{
    WRITE_ONCE(handler, fn);
}

bool gic_handle_irq(void)
{
    irq_handler_fn fn = READ_ONCE(handler);
    if (!fn)
        return false;
    uint64_t iar = read_sysreg_s(ICC_IAR1_EL1);
    unsigned intid = iar & 0xffffff;
    if (intid >= 1020 && intid <= 1023)
        return true; /* spurious: nothing to end */
    fn(intid);
    write_sysreg_s(iar, ICC_EOIR1_EL1);
    if (eoi_split_on[this_cpu() % MAX_VCPUS])
        write_sysreg_s(iar, ICC_DIR_EL1);
    isb();
    return true;
}
