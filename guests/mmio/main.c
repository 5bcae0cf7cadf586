/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a guest gets for accesses nothing answers, and for calls nothing implements: loads,
 * stores (with and without an instruction syndrome) and instruction fetches at guest-physical
 * addresses with no RAM and no device must raise a synchronous external abort in the guest
 * (which then goes on); an HVC with an unknown immediate is an undefined instruction; an
 * unknown Xen hypercall returns -ENOSYS; xen_version reports 4.17; hypercalls keep the
 * registers the ABI says they keep (xen-abi-facts A.2); loads and stores with writeback, which
 * have no syndrome, reach emulated devices.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "xen.h"

const char guest_name[] = "mmio";

#define LOW_HOLE 0x0b000000UL         /* nothing there on QEMU virt nor in the Xen guest layout */
#define PCI_HOLE GUEST_VPCI_ECAM_BASE /* Xen's vPCI ECAM window: empty in a Keel domain */
#define HIGH_HOLE 0x7ff00000UL        /* past RAM for guests of less than 1 GiB */
#define ESR_FNV (1UL << 10)
#define XEN_VERSION_4_17 XEN_VERSION_CODE(4, 17)
#define PATTERN 0x5ca1ab1e00c0ffeeUL

enum access { LDR32, STR32, LDRB, STR64, LDP, STP };

static const char *const access_names[] = { "ldr w", "str w", "ldrb", "str x", "ldp", "stp" };

static bool access_writes(enum access a)
{
    return a == STR32 || a == STR64 || a == STP;
}

/* One access at addr; returns the address of the accessing instruction. */
static uint64_t do_access(enum access a, uint64_t addr)
{
    uint64_t at, v = PATTERN, w = PATTERN;
    switch (a) {
    case LDR32:
        __asm__ volatile("adr %0, 1f\n1: ldr %w1, [%2]"
                         : "=&r"(at), "+r"(v)
                         : "r"(addr)
                         : "memory");
        break;
    case STR32:
        __asm__ volatile("adr %0, 1f\n1: str %w1, [%2]" : "=&r"(at) : "r"(v), "r"(addr) : "memory");
        break;
    case LDRB:
        __asm__ volatile("adr %0, 1f\n1: ldrb %w1, [%2]"
                         : "=&r"(at), "+r"(v)
                         : "r"(addr)
                         : "memory");
        break;
    case STR64:
        __asm__ volatile("adr %0, 1f\n1: str %1, [%2]" : "=&r"(at) : "r"(v), "r"(addr) : "memory");
        break;
    case LDP:
        __asm__ volatile("adr %0, 1f\n1: ldp %1, %2, [%3]"
                         : "=&r"(at), "+r"(v), "+r"(w)
                         : "r"(addr)
                         : "memory");
        break;
    case STP:
        __asm__ volatile("adr %0, 1f\n1: stp %1, %2, [%3]"
                         : "=&r"(at)
                         : "r"(v), "r"(w), "r"(addr)
                         : "memory");
        break;
    }
    return at;
}

/* The access must fault with a synchronous external abort that names it exactly. */
static void abort_probe(const char *name, enum access a, uint64_t addr)
{
    struct exc_record r;
    exc_expect();
    uint64_t at = do_access(a, addr);
    if (!exc_taken(&r)) {
        check(false, name, "%s at %#lx completed, want a synchronous external abort",
              access_names[a], addr);
        return;
    }
    bool wnr = r.esr & ESR_WNR;
    bool ok = r.vector == VEC_CUR_SPX + VEC_SYNC && ESR_EC(r.esr) == EC_DABT_CUR &&
              DFSC(r.esr) == DFSC_SYNC_EXT && !(r.esr & ESR_FNV) && r.far == addr &&
              wnr == access_writes(a) && r.elr == at;
    check(ok, name,
          "%s at %#lx: ESR %#lx (EC %#lx DFSC %#lx WnR %d), FAR %#lx, ELR %s; want EC 0x25 "
          "DFSC 0x10 WnR %d FAR = address",
          access_names[a], addr, r.esr, ESR_EC(r.esr), DFSC(r.esr), wnr, r.far,
          r.elr == at ? "at the access" : "elsewhere", access_writes(a));
}

static bool in_ram(uint64_t pa)
{
    for (unsigned i = 0; i < plat.nr_mem; i++)
        if (pa >= plat.mem_base[i] && pa - plat.mem_base[i] < plat.mem_size[i])
            return true;
    return false;
}

static void unmapped_data(void)
{
    abort_probe("unmapped_read_low", LDR32, LOW_HOLE);
    abort_probe("unmapped_write_low", STR32, LOW_HOLE + 0x10);
    abort_probe("unmapped_read_byte_low", LDRB, LOW_HOLE + 3);
    abort_probe("unmapped_read_pair_low", LDP, LOW_HOLE + 0x100);
    if (plat.hypervisor) {
        /* QEMU virt has its PCIe MMIO window here; a Keel or Xen domain has nothing. */
        abort_probe("unmapped_read_pci", LDR32, PCI_HOLE);
        abort_probe("unmapped_write_pci", STR32, PCI_HOLE);
    }
    if (in_ram(HIGH_HOLE)) {
        note("high hole %#lx is RAM here: give the guest less than 1 GiB", HIGH_HOLE);
        return;
    }
    abort_probe("unmapped_read_high", LDR32, HIGH_HOLE);
    abort_probe("unmapped_write_high", STR64, HIGH_HOLE + 8);
    abort_probe("unmapped_write_pair_high", STP, HIGH_HOLE + 0x40);
}

/* Jump to an address with nothing behind it: an instruction abort, and back to our caller. */
static void unmapped_fetch(void)
{
    if (in_ram(HIGH_HOLE) || !mmu_map_normal_2m(HIGH_HOLE)) {
        note("unmapped_fetch: cannot map %#lx executable at stage 1 here", HIGH_HOLE);
        return;
    }
    struct exc_record r;
    exc_expect_return();
    __asm__ volatile("blr %0" : : "r"(HIGH_HOLE) : "x30", "memory");
    bool taken = exc_taken(&r);
    check(taken && ESR_EC(r.esr) == EC_IABT_CUR && DFSC(r.esr) == DFSC_SYNC_EXT &&
              r.far == HIGH_HOLE && r.elr == HIGH_HOLE,
          "unmapped_fetch",
          "branch to %#lx: %s ESR %#lx (EC %#lx IFSC %#lx), FAR %#lx, ELR %#lx; want EC 0x21 "
          "IFSC 0x10",
          HIGH_HOLE, taken ? "abort," : "NO EXCEPTION", r.esr, ESR_EC(r.esr), DFSC(r.esr), r.far,
          r.elr);
}

/* HVC with an immediate that names no service.  The nop after it lets us resume correctly
 * whether ELR_EL1 points at the HVC or after it. */
static void unknown_hvc(void)
{
    struct exc_record r;
    uint64_t at;
    if (!plat.hypervisor) {
        /* QEMU's own PSCI answers HVC whatever its immediate. */
        note("hvc_unknown_imm: skipped, no hypervisor");
        return;
    }
    exc_expect();
    __asm__ volatile("mov x0, #0\n\t"
                     "adr %0, 1f\n"
                     "1: hvc #0x1234\n\t"
                     "nop"
                     : "=&r"(at)
                     :
                     : "x0", "x1", "x2", "x3", "x16", "x17", "memory");
    bool taken = exc_taken(&r);
    check(taken && ESR_EC(r.esr) == EC_UNKNOWN && (r.esr & ESR_IL), "hvc_unknown_imm_undef",
          "hvc #0x1234: %s ESR %#lx (EC %#lx), want EC 0 (undefined instruction) with IL",
          taken ? "exception," : "NO EXCEPTION", r.esr, ESR_EC(r.esr));
    /* An UNDEFINED instruction's preferred return address is the instruction itself (Arm ARM
     * D1.10.1); a guest handler that emulates it and adds 4 would otherwise skip one more. */
    if (taken)
        check(r.elr == at, "hvc_unknown_imm_elr", "ELR_EL1 %#lx, the HVC is at %#lx (%s)", r.elr,
              at,
              r.elr == at + 4 ? "ELR points past it"
              : r.elr == at   ? "ok"
                              : "elsewhere");
    exc_expect();
    __asm__ volatile("adr %0, 1f\n"
                     "1: hvc #0xea0\n\t"
                     "nop"
                     : "=&r"(at)
                     :
                     : "x0", "x1", "x2", "x3", "x16", "x17", "memory");
    taken = exc_taken(&r);
    check(taken && ESR_EC(r.esr) == EC_UNKNOWN, "hvc_imm_0xea0_undef",
          "hvc #0xea0 (next to the Xen tag): %s ESR %#lx", taken ? "exception," : "NO EXCEPTION",
          r.esr);
}

/* A Xen hypercall that may be undefined when there is no hypervisor. */
static long xen_call(unsigned long op, unsigned long a0, unsigned long a1, bool *undef)
{
    exc_expect();
    long r = xen_hypercall(op, a0, a1, 0, 0, 0);
    *undef = exc_taken(NULL);
    return r;
}

/* Which of x2-x15, x17-x28 a hypercall changed (x0 is the result, x16 and x1 may be
 * clobbered by a 2-argument call).  Returns the first changed one, or -1. */
static int hypercall_changes(unsigned long op, unsigned long a0, long *ret)
{
    uint64_t regs[29], before[29];
    for (unsigned i = 0; i < 29; i++)
        regs[i] = before[i] = 0x1111111111111111UL * (i % 15 + 1) ^ PATTERN;
    regs[0] = a0;
    regs[1] = 0;
    regs[16] = op;
    call_with_regs(regs, CALL_XEN_HVC);
    *ret = (long)regs[0];
    for (int i = 2; i < 29; i++)
        if (i != 16 && regs[i] != before[i])
            return i;
    return -1;
}

static void xen_hypercalls(void)
{
    bool undef;
    if (!plat.hypervisor) {
        note("xen hypercalls: skipped, no hypervisor");
        return;
    }
    long v = xen_call(HYPERVISOR_xen_version, XENVER_version, 0, &undef);
    if (undef) {
        check(false, "xen_hypercall_present", "HVC #0xEA1 is undefined under a hypervisor");
        return;
    }
    check(v == XEN_VERSION_4_17, "xen_version", "xen_version(XENVER_version) = %#lx, want %#x", v,
          XEN_VERSION_4_17);
    v = xen_call(HYPERVISOR_xen_version, 0x7fff, 0, &undef);
    check(!undef && v == -XEN_ENOSYS, "xen_version_unknown_subop",
          "xen_version(0x7fff) = %ld, want -38", v);
    /* Numbers Xen on Arm does not implement (x86 PV calls, the arch slots, past the table). */
    static const unsigned long unknown[] = { 0, 1, 23, 26, 48, 55, 63, 64, 0x1000, ~0UL };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++) {
        v = xen_call(unknown[i], 0, 0, &undef);
        if (undef || v != -XEN_ENOSYS) {
            bad++;
            check(false, "xen_unknown_hypercall", "hypercall %#lx: %s %ld, want -38", unknown[i],
                  undef ? "undefined instruction" : "returned", v);
        }
    }
    if (!bad)
        check(true, "xen_unknown_hypercall", "%u unknown numbers return -ENOSYS",
              (unsigned)ARRAY_SIZE(unknown));
    int changed = hypercall_changes(HYPERVISOR_xen_version, XENVER_version, &v);
    check(changed < 0 && v == XEN_VERSION_4_17, "xen_hypercall_preserves_regs",
          "first of x2-x15, x17-x28 changed by xen_version: %d (-1 = none), result %#lx", changed,
          v);
    changed = hypercall_changes(1, 0, &v);
    check(changed < 0 && v == -XEN_ENOSYS, "xen_enosys_preserves_regs",
          "first register changed by unknown hypercall 1: %d (-1 = none), result %ld", changed, v);
}

/* An abort taken with IRQs unmasked: SPSR_EL1 keeps the interrupted PSTATE (EL1h, I clear), the
 * handler runs with D, A, I and F masked (Arm ARM D1.10.2), and ERET brings I back. */
static void abort_pstate(void)
{
    struct exc_record r;
    irq_enable();
    exc_expect();
    do_access(LDR32, LOW_HOLE);
    bool taken = exc_taken(&r);
    uint64_t after = read_sysreg(daif);
    irq_disable();
    check(taken && (r.spsr & 0x3cf) == 0x345 && r.daif == 0x3c0 && after == 0x340, "abort_pstate",
          "abort with IRQs unmasked: SPSR_EL1 %#lx (want DAIF 0x340, EL1h), DAIF in handler %#lx "
          "(want 0x3c0), after return %#lx (want 0x340)",
          r.spsr, r.daif, after);
}

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Guest RAM as the DT describes it: every byte there (and none past it), each page its own,
 * and all of it zero when we start except what was loaded: our image and the DT (and, bare
 * on QEMU, its boot code below us). */
static void ram(const void *dtb)
{
    extern char _start[], _end[];
    if (!check(plat.nr_mem >= 1, "ram_dt", "%u memory range(s) in the DT", plat.nr_mem))
        return;
    uint64_t base = plat.mem_base[0], end = base + plat.mem_size[0];
    uint64_t img = (uintptr_t)_start, img_end = (uintptr_t)_end;
    uint64_t dt = (uintptr_t)dtb, dt_end = dt + be32((const uint8_t *)dtb + 4);
    uint64_t from = plat.hypervisor ? base : img;
    uint64_t nonzero = 0, first_nonzero = 0;
    for (uint64_t a = from; a < end; a += 8) {
        if (a >= img && a < img_end) {
            a = img_end - 8;
            continue;
        }
        if (a >= (dt & ~7UL) && a < dt_end) {
            a = ((dt_end + 7) & ~7UL) - 8;
            continue;
        }
        if (*(volatile uint64_t *)a && !nonzero++)
            first_nonzero = a;
    }
    check(!nonzero, "ram_zero_at_start",
          "%lu non-zero words in %#lx-%#lx outside image %#lx-%#lx and DT %#lx-%#lx (first at "
          "%#lx)",
          nonzero, from, end, img, img_end, dt, dt_end, first_nonzero);

    /* Tag every free page, then read all tags back: no two pages may be one. */
    uint64_t free = (((img_end > dt_end ? img_end : dt_end) + 0xfff) & ~0xfffUL);
    unsigned bad = 0;
    uint64_t first_bad = 0;
    for (uint64_t a = free; a < end; a += 4096) {
        *(volatile uint64_t *)a = a ^ PATTERN;
        *(volatile uint64_t *)(a + 4088) = ~a;
    }
    for (uint64_t a = free; a < end; a += 4096)
        if (*(volatile uint64_t *)a != (a ^ PATTERN) || *(volatile uint64_t *)(a + 4088) != ~a)
            if (!bad++)
                first_bad = a;
    check(!bad, "ram_pages_distinct", "%lu pages %#lx-%#lx tagged, %u read back wrong (first %#lx)",
          (end - free) / 4096, free, end, bad, first_bad);
    if (!plat.hypervisor)
        return;
    abort_probe("ram_end_plus_0", LDR32, end);
    abort_probe("ram_end_write", STR64, end + 0x1000);
    abort_probe("ram_below_base", LDR32, base - 4);
}

/*
 * Loads and stores with writeback of their base register have no instruction syndrome (ESR
 * ISV = 0), so a hypervisor must decode them to emulate MMIO.  Xen does for the post-indexed
 * LDR/STR (immediate) forms; Keel for those and the pre-indexed ones: the value moves, the base
 * register is updated.  Pairs and an Rn = Rt writeback still abort, leaving the base alone.
 * Done on the distributor: GICD_TYPER, and SPI 40's IPRIORITYR byte and IROUTER (put back).
 */
#define SPI_PRIO (0x400 + 40)
#define SPI_ROUTER (0x6000 + 8 * 40)

static void indexed_check(const char *name, bool ok, bool aborted, const char *fmt, uint64_t a,
                          uint64_t b)
{
    char buf[160];
    snprintf(buf, sizeof(buf), fmt, a, b);
    check(!aborted && ok, name, "%s%s", aborted ? "ABORTED; " : "", buf);
}

static void indexed_loads(void)
{
    uint64_t d = plat.gicd, typer = mmio_read32(d + 4), base = d + 4, val = 0;
    exc_expect();
    __asm__ volatile("ldr %w0, [%1], #8" : "=r"(val), "+r"(base) : : "memory");
    indexed_check("mmio_ldr_post_index", val == typer && base == d + 12, exc_taken(NULL),
                  "ldr w, [GICD_TYPER], #8: %#lx, base moved by %ld", val, base - d - 4);
    base = d;
    exc_expect();
    __asm__ volatile("ldr %w0, [%1, #4]!" : "=r"(val), "+r"(base) : : "memory");
    indexed_check("mmio_ldr_pre_index", val == typer && base == d + 4, exc_taken(NULL),
                  "ldr w, [GICD, #4]!: %#lx, base moved by %ld", val, base - d);
    mmio_write8(d + SPI_PRIO, 0x80);
    base = d + SPI_PRIO;
    exc_expect();
    __asm__ volatile("ldrsb %0, [%1], #-1" : "=r"(val), "+r"(base) : : "memory");
    indexed_check("mmio_ldrsb_post_index", val == 0xffffffffffffff80UL && base == d + SPI_PRIO - 1,
                  exc_taken(NULL), "ldrsb x, [IPRIORITYR 0x80], #-1: %#lx, base moved by %ld", val,
                  base - d - SPI_PRIO);
    mmio_write8(d + SPI_PRIO, 0);
}

static void indexed_stores(void)
{
    uint64_t d = plat.gicd, base = d + SPI_PRIO, v = 0xa0;
    exc_expect();
    __asm__ volatile("strb %w1, [%0], #-3" : "+r"(base) : "r"(v) : "memory");
    bool ab = exc_taken(NULL);
    indexed_check("mmio_strb_post_index",
                  mmio_read8(d + SPI_PRIO) == 0xa0 && base == d + SPI_PRIO - 3, ab,
                  "strb 0xa0, [IPRIORITYR], #-3: reads back %#lx, base moved by %ld",
                  mmio_read8(d + SPI_PRIO), base - d - SPI_PRIO);
    mmio_write8(d + SPI_PRIO, 0);
    base = d + SPI_ROUTER - 8;
    v = 1; /* Aff0 = 1 */
    exc_expect();
    __asm__ volatile("str %1, [%0, #8]!" : "+r"(base) : "r"(v) : "memory");
    ab = exc_taken(NULL);
    indexed_check("mmio_str_pre_index", mmio_read64(d + SPI_ROUTER) == 1 && base == d + SPI_ROUTER,
                  ab, "str x 1, [IROUTER - 8, #8]!: reads back %#lx, base moved by %ld",
                  mmio_read64(d + SPI_ROUTER), base - (d + SPI_ROUTER - 8));
    mmio_write64(d + SPI_ROUTER, 0);
}

/* What still aborts: the access is not made and the base register keeps its value. */
static void indexed_unemulated(void)
{
    if (!plat.hypervisor) {
        note("mmio indexed aborts: skipped, bare the GIC answers them");
        return;
    }
    uint64_t d = plat.gicd, base = d, a = 0, b = 0;
    struct exc_record r;
    exc_expect();
    __asm__ volatile("ldp %w0, %w1, [%2], #8" : "=r"(a), "=r"(b), "+r"(base) : : "memory");
    bool taken = exc_taken(&r);
    check(taken && ESR_EC(r.esr) == EC_DABT_CUR && r.far == d && base == d, "mmio_ldp_post_aborts",
          "ldp w, w, [GICD], #8: %s ESR %#lx FAR %#lx, base moved by %ld",
          taken ? "abort," : "NO ABORT,", r.esr, r.far, base - d);
    base = d + 4;
    exc_expect();
    /* ldr w1, [x1], #4: the writeback of a base that is also the target is CONSTRAINED
     * UNPREDICTABLE, so neither Xen nor Keel emulates it. */
    __asm__ volatile("mov x1, %1\n\t"
                     ".inst 0xb8404421\n\t"
                     "mov %0, x1"
                     : "=r"(a)
                     : "r"(base)
                     : "x1", "memory");
    taken = exc_taken(&r);
    check(taken && ESR_EC(r.esr) == EC_DABT_CUR && a == d + 4, "mmio_ldr_rn_is_rt_aborts",
          "ldr w1, [x1], #4: %s ESR %#lx, x1 after %#lx", taken ? "abort," : "NO ABORT,", r.esr, a);
}

void guest_main(void *dtb)
{
    ram(dtb);
    abort_pstate();
    unmapped_data();
    unmapped_fetch();
    unknown_hvc();
    xen_hypercalls();
    indexed_loads();
    indexed_stores();
    indexed_unemulated();
}
