/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual GICv3 and virtual timer as a guest sees them (Arm IHI 0069): distributor register
 * semantics (TYPER, PIDR2, CTLR, set/clear-enable, byte priorities, IROUTER, set/clear-pending,
 * accesses of unsupported sizes), redistributor identification, then real interrupts: an SPI
 * made pending by software, SGIs to ourselves through ICC_SGI1R_EL1 with split
 * priority-drop/deactivation, the priority mask, and the virtual timer (PPI 27) with and
 * without WFI.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "vgic";

#define SPI_A 40 /* free SPIs: 32 is the UART's */
#define SPI_B 41
#define SGI_SELF 1
#define PRIO 0xa0
#define IRQ_WAIT_US EVENT_TIMEOUT_US /* an interrupt that must come */
#define NOT_TAKEN_US 20000           /* one that must not come: see WAIT_EVENT */

static unsigned counts[64];
static unsigned last_intid;
static unsigned order[64], order_len; /* INTIDs in the order taken */
static uint64_t rpr_in_handler, timer_ctl_in_handler, timer_cnt_in_handler;
static uint64_t ptimer_ctl_in_handler, ptimer_cnt_in_handler;

static void on_irq(unsigned intid)
{
    WRITE_ONCE(last_intid, intid);
    WRITE_ONCE(rpr_in_handler, read_sysreg_s(ICC_RPR_EL1));
    if (intid == plat.timer_virt_ppi) {
        /* Level-sensitive: mask the timer before ending the interrupt or it comes back. */
        timer_ctl_in_handler = vtimer_ctl();
        timer_cnt_in_handler = timer_now();
        vtimer_set_ctl(CNTV_CTL_IMASK);
    } else if (intid == plat.timer_phys_ppi) {
        ptimer_ctl_in_handler = ptimer_ctl();
        ptimer_cnt_in_handler = ptimer_now();
        ptimer_set_ctl(CNTV_CTL_IMASK);
    }
    if (intid < ARRAY_SIZE(counts))
        __atomic_add_fetch(&counts[intid], 1, __ATOMIC_RELAXED);
    if (order_len < ARRAY_SIZE(order))
        order[order_len++] = intid;
}

static unsigned count(unsigned intid)
{
    return __atomic_load_n(&counts[intid], __ATOMIC_RELAXED);
}

static uint32_t bit(unsigned intid)
{
    return 1u << (intid % 32);
}

static uint32_t reg32(uint32_t base, unsigned intid)
{
    return gicd_read(base + 4 * (intid / 32));
}

static void distributor_id(void)
{
    uint32_t typer = gicd_read(GICD_TYPER);
    unsigned lines = (typer & 0x1f) + 1, idbits = ((typer >> 19) & 0x1f) + 1;
    check(lines >= 2 && idbits >= 10, "gicd_typer",
          "GICD_TYPER %#x: %u INTIDs below 1020 (%u SPIs), %u INTID bits", typer, lines * 32,
          lines * 32 - 32, idbits);
    uint32_t arch = (gicd_read(GICD_PIDR2) >> 4) & 0xf;
    check(arch == 3 || arch == 4, "gicd_pidr2", "GICD_PIDR2.ArchRev %u, want 3 (GICv3) or 4", arch);
    uint32_t ctlr = gicd_read(GICD_CTLR);
    check((ctlr & (GICD_CTLR_ARE | GICD_CTLR_GRP1)) == (GICD_CTLR_ARE | GICD_CTLR_GRP1) &&
              !(ctlr & GICD_CTLR_RWP),
          "gicd_ctlr", "GICD_CTLR %#x after enabling ARE and Group 1", ctlr);
    note("GICD_IIDR %#x", gicd_read(GICD_IIDR));
}

static void spi_enable_bits(void)
{
    gicd_write(GICD_ICENABLER + 4, bit(SPI_A) | bit(SPI_B));
    gicd_wait_rwp();
    uint32_t off = reg32(GICD_ISENABLER, SPI_A) & (bit(SPI_A) | bit(SPI_B));
    gicd_write(GICD_ISENABLER + 4, bit(SPI_A));
    uint32_t a = reg32(GICD_ISENABLER, SPI_A), a_c = reg32(GICD_ICENABLER, SPI_A);
    gicd_write(GICD_ISENABLER + 4, bit(SPI_B)); /* a zero bit must leave SPI_A enabled */
    uint32_t ab = reg32(GICD_ISENABLER, SPI_A);
    gicd_write(GICD_ICENABLER + 4, bit(SPI_A));
    gicd_wait_rwp();
    uint32_t b = reg32(GICD_ISENABLER, SPI_A), b_c = reg32(GICD_ICENABLER, SPI_A);
    gicd_write(GICD_ICENABLER + 4, bit(SPI_B));
    gicd_wait_rwp();
    uint32_t none = reg32(GICD_ISENABLER, SPI_A);
    uint32_t m = bit(SPI_A) | bit(SPI_B);
    check(!off && (a & m) == bit(SPI_A) && (a_c & m) == bit(SPI_A) && (ab & m) == m &&
              (b & m) == bit(SPI_B) && (b_c & m) == bit(SPI_B) && !(none & m),
          "gicd_enable_set_clear",
          "ISENABLER1 (bits %u,%u): off %#x, +A %#x (ICENABLER %#x), +B %#x, -A %#x (ICENABLER "
          "%#x), -B %#x",
          SPI_A % 32, SPI_B % 32, off, a & m, a_c & m, ab & m, b & m, b_c & m, none & m);
}

static void priorities(void)
{
    uint64_t p = plat.gicd + GICD_IPRIORITYR;
    mmio_write8(p + SPI_A + 2, 0xff);
    uint8_t mask = mmio_read8(p + SPI_A + 2); /* the priority bits implemented */
    mmio_write8(p + SPI_A, 0xa0);
    mmio_write8(p + SPI_B, 0x60);
    uint32_t word = mmio_read32(p + SPI_A);
    uint8_t ba = mmio_read8(p + SPI_A), bb = mmio_read8(p + SPI_B);
    bool ok = (mask & 0xf0) == 0xf0 && ba == (0xa0 & mask) && bb == (0x60 & mask) &&
              (word & 0xffff) == ((0x60u & mask) << 8 | (0xa0 & mask));
    mmio_write32(p + 44, 0x80604020);
    uint32_t w2 = mmio_read32(p + 44), want2 = 0x80604020 & (mask * 0x01010101u);
    ok = ok && w2 == want2 && mmio_read8(p + 45) == (0x40 & mask);
    check(ok, "gicd_ipriorityr",
          "implemented bits %#x; byte writes a0/60 read %#x/%#x, as a word %#x; word write "
          "0x80604020 reads %#x, want %#x",
          mask, ba, bb, word, w2, want2);
}

static void routing(void)
{
    uint64_t r = plat.gicd + GICD_IROUTER + 8 * SPI_A;
    uint64_t target = plat.nr_cpus > 1 ? plat.mpidr[1] : plat.mpidr[0];
    mmio_write64(r, target);
    uint64_t got = mmio_read64(r);
    mmio_write32(r, (uint32_t)plat.mpidr[0]); /* 32-bit access to the low half */
    mmio_write32(r + 4, 0);
    uint64_t got32 = mmio_read64(r);
    uint32_t lo = mmio_read32(r), hi = mmio_read32(r + 4);
    check(got == target && got32 == plat.mpidr[0] && lo == (uint32_t)plat.mpidr[0] && !hi,
          "gicd_irouter",
          "IROUTER%u: 64-bit write %#lx reads %#lx; 32-bit writes of %#lx read %#lx (halves "
          "%#x:%#x)",
          SPI_A, target, got, plat.mpidr[0], got32, hi, lo);
}

static void pending_bits(void)
{
    gicd_write(GICD_ICENABLER + 4, bit(SPI_A));
    gicd_wait_rwp();
    gicd_write(GICD_ICPENDR + 4, bit(SPI_A));
    uint32_t before = reg32(GICD_ISPENDR, SPI_A) & bit(SPI_A);
    gicd_write(GICD_ISPENDR + 4, bit(SPI_A));
    uint32_t set = reg32(GICD_ISPENDR, SPI_A) & bit(SPI_A);
    uint32_t set_c = reg32(GICD_ICPENDR, SPI_A) & bit(SPI_A);
    gicd_write(GICD_ICPENDR + 4, bit(SPI_A));
    uint32_t cleared = reg32(GICD_ISPENDR, SPI_A) & bit(SPI_A);
    check(!before && set && set_c && !cleared, "gicd_pending_set_clear",
          "SPI %u pending: before %d, after ISPENDR %d (ICPENDR reads %d), after ICPENDR %d", SPI_A,
          !!before, !!set, !!set_c, !!cleared);
}

/* Accesses of sizes the distributor does not define must either abort or do nothing. */
static void bad_sizes(void)
{
    struct exc_record r;
    uint32_t typer = gicd_read(GICD_TYPER);
    exc_expect();
    uint16_t h = mmio_read16(plat.gicd + GICD_TYPER);
    bool aborted = exc_taken(&r);
    bool ok = aborted ? ESR_EC(r.esr) == EC_DABT_CUR : (h == (uint16_t)typer || h == 0);
    check(ok, "gicd_bad_size_read",
          "16-bit read of GICD_TYPER: %s (ESR %#lx, value %#x, TYPER %#x)",
          aborted ? "abort" : "no abort", r.esr, h, typer);

    gicd_write(GICD_ICENABLER + 4, bit(SPI_A));
    gicd_wait_rwp();
    exc_expect();
    mmio_write8(plat.gicd + GICD_ISENABLER + 4 + (SPI_A % 32) / 8, (uint8_t)(1u << (SPI_A % 8)));
    aborted = exc_taken(&r);
    bool enabled = reg32(GICD_ISENABLER, SPI_A) & bit(SPI_A);
    check(aborted ? ESR_EC(r.esr) == EC_DABT_CUR && !enabled : !enabled, "gicd_bad_size_write",
          "byte write to GICD_ISENABLER1: %s (ESR %#lx), SPI %u %s", aborted ? "abort" : "no abort",
          r.esr, SPI_A, enabled ? "ENABLED by it" : "still disabled");
    gicd_write(GICD_ICENABLER + 4, bit(SPI_A));
    gicd_wait_rwp();
}

static void redistributors(void)
{
    unsigned n = 0, bad = 0;
    bool last_seen = false;
    for (uint64_t rd = plat.gicr; rd < plat.gicr + plat.gicr_size && !last_seen && n < MAX_VCPUS;
         n++) {
        uint64_t typer = mmio_read64(rd + GICR_TYPER);
        uint64_t halves =
            (uint64_t)mmio_read32(rd + GICR_TYPER + 4) << 32 | mmio_read32(rd + GICR_TYPER);
        uint64_t aff = typer >> 32;
        uint64_t mpidr = (aff >> 24) << 32 | (aff & 0xffffff);
        unsigned procnum = (typer >> 8) & 0xffff;
        last_seen = typer & GICR_TYPER_LAST;
        bool want_last = n + 1 == plat.nr_cpus;
        uint32_t arch = (mmio_read32(rd + GICR_PIDR2) >> 4) & 0xf;
        if (n >= plat.nr_cpus || mpidr != plat.mpidr[n] || procnum != n || last_seen != want_last ||
            halves != typer || (arch != 3 && arch != 4)) {
            bad++;
            check(false, "gicr_typer",
                  "frame %u at %#lx: TYPER %#lx (32-bit halves %#lx), affinity %#lx (cpu "
                  "MPIDR %#lx), processor %u, Last %d, ArchRev %u",
                  n, rd, typer, halves, mpidr, n < plat.nr_cpus ? plat.mpidr[n] : 0, procnum,
                  last_seen, arch);
        }
        rd += typer & GICR_TYPER_VLPIS ? 0x40000 : 0x20000;
    }
    if (!bad)
        check(n == plat.nr_cpus, "gicr_typer",
              "%u redistributor frames for %u vCPUs: affinity = MPIDR, processor number = "
              "index, Last on the last",
              n, plat.nr_cpus);
    uint64_t mine = gic_rdist();
    check(mine == gic_rdist_of(plat.mpidr[0]) && mine, "gicr_this_cpu",
          "this vCPU (MPIDR %#lx) has the frame at %#lx", this_mpidr(), mine);
    uint32_t waker = mmio_read32(mine + GICR_WAKER);
    check(!(waker & (GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP)), "gicr_waker",
          "GICR_WAKER %#x after waking, want ProcessorSleep and ChildrenAsleep clear", waker);
}

/* Registers for INTIDs the distributor does not implement are RAZ/WI (IHI 0069 12.1.2), as
 * are, with affinity routing on, the GICD copies of the SGI/PPI registers (12.9) and the
 * GICv2 GICD_SGIR.  Linux never touches any of them. */
static void unimplemented_registers(void)
{
    unsigned lines = (gicd_read(GICD_TYPER) & 0x1f) + 1;
    if (lines >= 31) {
        note("gicd_out_of_range: all 1020 INTIDs implemented, nothing out of range");
    } else {
        unsigned first = lines * 32; /* first INTID not implemented */
        uint64_t d = plat.gicd;
        mmio_write32(d + GICD_ISENABLER + 4 * lines, 0xffffffff);
        mmio_write32(d + GICD_ISPENDR + 4 * lines, 0xffffffff);
        mmio_write32(d + GICD_IPRIORITYR + first, 0xa0a0a0a0);
        mmio_write32(d + GICD_ICFGR + 8 * lines, 0xaaaaaaaa);
        mmio_write64(d + GICD_IROUTER + 8 * first, plat.mpidr[0] | 0x100);
        mmio_write64(d + GICD_IROUTER + 8 * 1019, plat.mpidr[0] | 0x100);
        mmio_write32(d + GICD_ISENABLER + 4 * 31, 0xffffffff);
        uint32_t en = mmio_read32(d + GICD_ISENABLER + 4 * lines);
        uint32_t pend = mmio_read32(d + GICD_ISPENDR + 4 * lines);
        uint32_t prio = mmio_read32(d + GICD_IPRIORITYR + first);
        uint32_t cfg = mmio_read32(d + GICD_ICFGR + 8 * lines);
        uint64_t route = mmio_read64(d + GICD_IROUTER + 8 * first);
        uint64_t route_last = mmio_read64(d + GICD_IROUTER + 8 * 1019);
        uint32_t en_last = mmio_read32(d + GICD_ISENABLER + 4 * 31);
        bool ok = !en && !pend && !prio && !cfg && !route && !route_last && !en_last;
        /* QEMU 7.2 keeps state for 32 INTIDs past the ones GICD_TYPER admits to. */
        if (!ok && !plat.hypervisor)
            note("gicd_out_of_range_raz_wi: not RAZ/WI on this machine (QEMU's own GIC)");
        else
            check(ok, "gicd_out_of_range_raz_wi",
                  "INTID %u+ (not implemented) after writes: ISENABLER %#x ISPENDR %#x IPRIORITYR "
                  "%#x ICFGR %#x IROUTER %#lx, IROUTER1019 %#lx ISENABLER31 %#x",
                  first, en, pend, prio, cfg, route, route_last, en_last);
    }
    uint64_t sgi_base = gic_rdist() + GICR_SGI_BASE;
    uint32_t rd_en = mmio_read32(sgi_base + GICR_ISENABLER0);
    gicd_write(GICD_ISENABLER, 1u << 9);
    gicd_write(GICD_IPRIORITYR, 0x40404040);
    uint32_t d_en = gicd_read(GICD_ISENABLER), d_prio = gicd_read(GICD_IPRIORITYR);
    uint32_t rd_en2 = mmio_read32(sgi_base + GICR_ISENABLER0);
    check(!d_en && !d_prio && rd_en == rd_en2, "gicd_sgi_ppi_regs_raz_wi",
          "with ARE: GICD_ISENABLER0 %#x, GICD_IPRIORITYR0 %#x after writes; GICR_ISENABLER0 "
          "%#x -> %#x",
          d_en, d_prio, rd_en, rd_en2);
}

/* The redistributor of another vCPU is reachable from this one (IHI 0069 12.10): its SGI
 * enables are its own, not ours. */
static void other_redistributor(void)
{
    if (plat.nr_cpus < 2) {
        note("other_redistributor: one vCPU, skipped");
        return;
    }
    uint64_t mine = gic_rdist() + GICR_SGI_BASE, other = gic_rdist_of(plat.mpidr[1]);
    if (!check(other != 0, "gicr_other_frame", "vCPU 1 (MPIDR %#lx) frame at %#lx", plat.mpidr[1],
               other))
        return;
    other += GICR_SGI_BASE;
    mmio_write32(other + GICR_ICENABLER0, 0xffffffff);
    uint32_t mine_before = mmio_read32(mine + GICR_ISENABLER0);
    mmio_write32(other + GICR_ISENABLER0, 1u << 9);
    mmio_write8(other + GICR_IPRIORITYR + 9, 0x40);
    uint32_t en = mmio_read32(other + GICR_ISENABLER0);
    uint8_t prio = mmio_read8(other + GICR_IPRIORITYR + 9);
    uint32_t mine_after = mmio_read32(mine + GICR_ISENABLER0);
    uint8_t mine_prio = mmio_read8(mine + GICR_IPRIORITYR + 9);
    mmio_write32(other + GICR_ICENABLER0, 1u << 9);
    check(en == 1u << 9 && prio == 0x40 && mine_before == mine_after && mine_prio != 0x40,
          "gicr_other_vcpu_regs",
          "vCPU 1's ISENABLER0 %#x, IPRIORITYR9 %#x after our writes; ours %#x -> %#x, "
          "priority %#x",
          en, prio, mine_before, mine_after, mine_prio);
    if (!plat.hypervisor)
        return;
    /* The DT sizes the region for our vCPUs exactly: past it there is nothing. */
    struct exc_record r;
    uint64_t past = plat.gicr + plat.gicr_size;
    exc_expect();
    uint32_t v = mmio_read32(past + GICR_TYPER);
    bool aborted = exc_taken(&r);
    check(aborted && ESR_EC(r.esr) == EC_DABT_CUR, "gicr_past_region",
          "read at %#lx (past the last frame): %s (ESR %#lx, value %#x)", past + GICR_TYPER,
          aborted ? "abort" : "NO abort", r.esr, v);
}

static bool wait_count(unsigned intid, unsigned want, uint64_t us)
{
    return WAIT_FOR(count(intid) >= want, us);
}

/* An SPI made pending by a register write reaches us once enabled and routed here. */
static void spi_delivery(void)
{
    gic_route_spi(SPI_A, this_mpidr());
    gic_set_priority(SPI_A, PRIO);
    gic_set_pending(SPI_A);
    gic_enable(SPI_A);
    irq_enable();
    bool got = wait_count(SPI_A, 1, IRQ_WAIT_US);
    irq_disable();
    uint32_t still = reg32(GICD_ISPENDR, SPI_A) & bit(SPI_A);
    check(got && !still && count(SPI_A) == 1, "spi_software_pending",
          "SPI %u taken %u time(s), pending afterwards %d", SPI_A, count(SPI_A), !!still);
    gic_disable(SPI_A);
}

static void sgi_self(void)
{
    uint64_t sgi_base = gic_rdist() + GICR_SGI_BASE;
    gic_set_priority(SGI_SELF, PRIO);
    gic_enable(SGI_SELF);
    gic_send_sgi(SGI_SELF, this_mpidr());
    /* Masked by PSTATE.I: pending, and the highest pending interrupt. */
    bool pend = WAIT_EVENT(mmio_read32(sgi_base + GICR_ISPENDR0) & bit(SGI_SELF));
    uint64_t hppir = read_sysreg_s(ICC_HPPIR1_EL1) & 0xffffff;
    check(pend && hppir == SGI_SELF && !count(SGI_SELF), "sgi_self_pending_masked",
          "with IRQs masked: GICR_ISPENDR0 shows SGI %u %s, ICC_HPPIR1 %lu, taken %u", SGI_SELF,
          pend ? "pending" : "NOT pending", hppir, count(SGI_SELF));
    irq_enable();
    bool got = wait_count(SGI_SELF, 1, IRQ_WAIT_US);
    irq_disable();
    check(got && last_intid == SGI_SELF && rpr_in_handler == PRIO, "sgi_self",
          "SGI %u taken %u time(s) via ICC_IAR1 (INTID %u), running priority in the handler "
          "%#lx",
          SGI_SELF, count(SGI_SELF), last_intid, rpr_in_handler);
    /* The runtime ended it with EOIR then DIR (EOImode 1); if DIR did not deactivate it, a
     * second one would stay pending behind the active one. */
    gic_send_sgi(SGI_SELF, this_mpidr());
    irq_enable();
    got = wait_count(SGI_SELF, 2, IRQ_WAIT_US);
    irq_disable();
    uint64_t rpr = read_sysreg_s(ICC_RPR_EL1);
    uint32_t active = mmio_read32(sgi_base + GICR_ISACTIVER0) & bit(SGI_SELF);
    check(got && rpr == 0xff && !active, "sgi_self_deactivated",
          "second SGI taken (%u in all), afterwards running priority %#lx, active %d",
          count(SGI_SELF), rpr, !!active);

    /* The GICv2 SGI register does nothing with affinity routing on (IHI 0069 12.9.21). */
    gicd_write(0xF00, 2u << 24 | SGI_SELF); /* GICD_SGIR: "this CPU only", SGI 1 */
    irq_enable();
    bool legacy = wait_count(SGI_SELF, 3, NOT_TAKEN_US);
    irq_disable();
    check(!legacy, "gicd_sgir_ignored", "GICD_SGIR write with ARE on: SGI %s",
          legacy ? "DELIVERED" : "not delivered");
    if (legacy)
        counts[SGI_SELF]--;

    /* Priority mask: PMR 0x80 holds back priority 0xa0 until raised. */
    write_sysreg_s(0x80, ICC_PMR_EL1);
    gic_send_sgi(SGI_SELF, this_mpidr());
    irq_enable();
    bool early = wait_count(SGI_SELF, 3, NOT_TAKEN_US);
    write_sysreg_s(0xff, ICC_PMR_EL1);
    isb();
    got = wait_count(SGI_SELF, 3, IRQ_WAIT_US);
    irq_disable();
    check(!early && got, "sgi_priority_mask", "SGI at priority %#x %s with PMR 0x80, %s at 0xff",
          PRIO, early ? "TAKEN" : "held", got ? "taken" : "NOT taken");

    /* Disabled: stays pending, taken once enabled. */
    gic_disable(SGI_SELF);
    gic_send_sgi(SGI_SELF, this_mpidr());
    irq_enable();
    early = wait_count(SGI_SELF, 4, NOT_TAKEN_US);
    pend = mmio_read32(sgi_base + GICR_ISPENDR0) & bit(SGI_SELF);
    gic_enable(SGI_SELF);
    got = wait_count(SGI_SELF, 4, IRQ_WAIT_US);
    irq_disable();
    check(!early && pend && got, "sgi_disabled_then_enabled",
          "disabled SGI: %s, pending %d; after enabling %s", early ? "TAKEN" : "held", pend,
          got ? "taken" : "NOT taken");
}

/* More interrupts pending at once than a vGIC has list registers (4 on QEMU's GICv3): every
 * one is taken exactly once, highest priority (lowest value) first (IHI 0069 4.8).  Linux
 * rarely has more than one or two pending. */
static void many_pending(void)
{
    static const unsigned sgis[] = { 2, 3, 4, 5, 6, 7, 8, 9 };
    static const unsigned spis[] = { 42, 43, 44, 45, 46, 47 };
    unsigned ids[ARRAY_SIZE(sgis) + ARRAY_SIZE(spis)], n = 0;
    uint8_t prio_of[64] = { 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(sgis); i++)
        ids[n++] = sgis[i];
    for (unsigned i = 0; i < ARRAY_SIZE(spis); i++)
        ids[n++] = spis[i];
    /* Priorities 0x20, 0x30, ... 0xf0 in an order unlike the INTIDs'. */
    for (unsigned i = 0; i < n; i++) {
        unsigned id = ids[i];
        prio_of[id] = (uint8_t)(0x20 + 0x10 * ((i * 5) % n));
        gic_set_priority(id, prio_of[id]);
        if (id >= 32)
            gic_route_spi(id, this_mpidr());
        gic_enable(id);
        counts[id] = 0;
    }
    for (unsigned i = 0; i < n; i++) {
        if (ids[i] < 16)
            gic_send_sgi(ids[i], this_mpidr());
        else
            gic_set_pending(ids[i]);
    }
    uint64_t sgi_base = gic_rdist() + GICR_SGI_BASE;
    WAIT_EVENT((mmio_read32(sgi_base + GICR_ISPENDR0) & 0x3fc) == 0x3fc);
    order_len = 0;
    irq_enable();
    bool all = WAIT_FOR(order_len >= n, IRQ_WAIT_US);
    delay_us(NOT_TAKEN_US);
    irq_disable();
    unsigned twice = 0, inversions = 0, missing = 0, first_inv = 0;
    for (unsigned i = 0; i < n; i++) {
        if (counts[ids[i]] > 1)
            twice++;
        if (!counts[ids[i]])
            missing++;
    }
    for (unsigned i = 1; i < order_len; i++)
        if (order[i] < 64 && order[i - 1] < 64 && prio_of[order[i]] < prio_of[order[i - 1]] &&
            !inversions++)
            first_inv = i;
    check(all && !twice && !missing && !inversions && order_len == n, "many_pending_priority_order",
          "%u pending (8 SGIs, 6 SPIs): taken %u, missing %u, twice %u, priority inversions %u%s",
          n, order_len, missing, twice, inversions, inversions ? " (see the order below)" : "");
    if (inversions || !all) {
        char buf[256];
        int len = 0;
        for (unsigned i = 0; i < order_len && len < 200; i++)
            len += snprintf(buf + len, sizeof(buf) - len, " %u/%#x", order[i],
                            order[i] < 64 ? prio_of[order[i]] : 0);
        note("order taken (INTID/priority):%s; first inversion at %u", buf, first_inv);
    }
    for (unsigned i = 0; i < n; i++)
        gic_disable(ids[i]);
}

/* With nothing pending, acknowledging gives the spurious INTID 1023 and ends nothing. */
static void spurious_ack(void)
{
    uint64_t iar = read_sysreg_s(ICC_IAR1_EL1) & 0xffffff;
    uint64_t rpr = read_sysreg_s(ICC_RPR_EL1);
    check(iar == GIC_SPURIOUS && rpr == 0xff, "iar_spurious",
          "ICC_IAR1_EL1 with nothing pending: %lu (want 1023), running priority %#lx after", iar,
          rpr);
}

static void vtimer(void)
{
    unsigned ppi = plat.timer_virt_ppi;
    check(ppi == 27, "vtimer_ppi_dt", "virtual timer INTID %u in the DT, want 27", ppi);
    gic_set_priority(ppi, PRIO);
    gic_enable(ppi);
    uint64_t freq = timer_freq();
    check(freq >= 1000000, "cntfrq", "CNTFRQ_EL0 = %lu Hz", freq);

    /* CVAL 5 ms ahead; poll with interrupts on. */
    uint64_t cval = timer_now() + timer_us_to_ticks(5000);
    vtimer_set_cval(cval);
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    irq_enable();
    bool got = wait_count(ppi, 1, IRQ_WAIT_US);
    irq_disable();
    check(got && timer_cnt_in_handler >= cval && (timer_ctl_in_handler & CNTV_CTL_ISTATUS),
          "vtimer_cval", "PPI %u %s, count in handler %s CVAL (%ld ticks later), CNTV_CTL %#lx",
          ppi, got ? "taken" : "NOT taken", timer_cnt_in_handler >= cval ? ">=" : "<",
          (long)(timer_cnt_in_handler - cval), timer_ctl_in_handler);

    /* IMASK holds the interrupt back while ISTATUS shows the condition. */
    vtimer_set_cval(timer_now());
    vtimer_set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
    irq_enable();
    bool early = wait_count(ppi, 2, NOT_TAKEN_US);
    uint32_t ctl = vtimer_ctl();
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    got = wait_count(ppi, 2, IRQ_WAIT_US);
    irq_disable();
    check(!early && (ctl & CNTV_CTL_ISTATUS) && got, "vtimer_imask",
          "masked timer %s (CNTV_CTL %#x); unmasked %s", early ? "FIRED" : "held", ctl,
          got ? "fires" : "does NOT fire");

    /* TVAL 10 ms, and wait in WFI: the hypervisor must wake us for the timer.  Only if the
     * timer fires at all: nothing else would end the WFI. */
    if (count(ppi) != 2) {
        check(false, "vtimer_tval_wfi", "not tried: the timer does not fire");
        vtimer_set_ctl(0);
        gic_disable(ppi);
        return;
    }
    vtimer_set_tval((uint32_t)timer_us_to_ticks(10000));
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    uint64_t end = timer_deadline_us(IRQ_WAIT_US);
    irq_enable();
    while (count(ppi) < 3 && !timer_passed(end))
        wfi();
    irq_disable();
    check(count(ppi) == 3, "vtimer_tval_wfi", "timer through TVAL %s while in WFI",
          count(ppi) == 3 ? "woke us" : "did NOT wake us");
    vtimer_set_ctl(0);
    gic_disable(ppi);
}

/* TVAL is a signed 32-bit view of CVAL - count (Arm ARM D11.2.4): a negative write puts CVAL in
 * the past, so the condition holds at once, and TVAL then reads negative. */
static void tval_negative(void)
{
    vtimer_set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
    vtimer_set_tval(0xffff0000u);
    uint32_t vctl = vtimer_ctl(), vtval = vtimer_tval();
    ptimer_set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
    ptimer_set_tval(0xffff0000u);
    uint32_t pctl = ptimer_ctl(), ptval = ptimer_tval();
    vtimer_set_ctl(0);
    ptimer_set_ctl(0);
    check((vctl & CNTV_CTL_ISTATUS) && (int32_t)vtval < 0, "vtimer_tval_negative",
          "virtual timer after TVAL = -65536: CTL %#x, TVAL %#x", vctl, vtval);
    check((pctl & CNTV_CTL_ISTATUS) && (int32_t)ptval < 0, "ptimer_tval_negative",
          "physical timer after TVAL = -65536: CTL %#x, TVAL %#x", pctl, ptval);
}

/* The EL1 physical timer (PPI 30), which Linux leaves alone when it has the virtual one. */
static void ptimer(void)
{
    unsigned ppi = plat.timer_phys_ppi;
    gic_set_priority(ppi, PRIO);
    gic_enable(ppi);
    uint64_t cval = ptimer_now() + timer_us_to_ticks(5000);
    ptimer_set_cval(cval);
    ptimer_set_ctl(CNTV_CTL_ENABLE);
    irq_enable();
    bool got = wait_count(ppi, 1, IRQ_WAIT_US);
    irq_disable();
    check(got && ptimer_cnt_in_handler >= cval && (ptimer_ctl_in_handler & CNTV_CTL_ISTATUS),
          "ptimer_cval", "PPI %u %s, CNTPCT in handler %s CVAL (%ld ticks later), CNTP_CTL %#lx",
          ppi, got ? "taken" : "NOT taken", ptimer_cnt_in_handler >= cval ? ">=" : "<",
          (long)(ptimer_cnt_in_handler - cval), ptimer_ctl_in_handler);
    /* Disabled (ENABLE clear): no interrupt, and ISTATUS reads 0 (D11.2.3). */
    ptimer_set_cval(ptimer_now());
    ptimer_set_ctl(0);
    irq_enable();
    bool early = wait_count(ppi, 2, NOT_TAKEN_US);
    irq_disable();
    uint32_t ctl = ptimer_ctl();
    check(!early && !(ctl & CNTV_CTL_ISTATUS), "ptimer_disabled",
          "disabled physical timer past CVAL: %s, CNTP_CTL %#x", early ? "FIRED" : "quiet", ctl);
    gic_disable(ppi);
}

void guest_main(void *dtb)
{
    if (!check(plat.gicd && plat.gicr, "gic_dt", "GICD %#lx GICR %#lx (size %#lx) from the DT",
               plat.gicd, plat.gicr, plat.gicr_size))
        return;
    gic_init();
    distributor_id();
    spi_enable_bits();
    priorities();
    routing();
    pending_bits();
    bad_sizes();
    if (!check(gic_cpu_init(true), "gic_cpu_init", "redistributor found and woken"))
        return;
    redistributors();
    unimplemented_registers();
    other_redistributor();
    irq_set_handler(on_irq);
    spi_delivery();
    sgi_self();
    spurious_ack();
    many_pending();
    vtimer();
    ptimer();
    tval_negative();
    if (plat.hypervisor) {
        /* xen-abi-facts H.4: the virtual count starts near 0 when the domain is built. */
        uint64_t s = plat.boot_count / timer_freq();
        check(s < 30, "cntvct_starts_near_zero", "CNTVCT_EL0 at entry %#lx (%lu s)",
              plat.boot_count, s);
    }
}
