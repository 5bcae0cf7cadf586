/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A misbehaving guest, for checking that Keel keeps a bad domain's damage to that domain.  The
 * behaviour comes from /chosen/bootargs:
 *
 *   fault=crash        SCHEDOP_shutdown(SHUTDOWN_crash), as Linux's panic() does on Xen
 *                      (fault=panic is the same)
 *   fault=wild         loads, stores, pairs, fetches and cache-zeroing at guest-physical
 *                      addresses with nothing there: low holes, the host's own device
 *                      addresses, past RAM, above 2^39 and beyond the 40-bit guest-physical
 *                      space; then random ones, and random writes to its vGIC registers.
 *                      Each must abort (or be answered by an emulated device) and we go on.
 *   fault=flood        every vCPU sends SGIs to itself, to the others and to all-but-self
 *                      as fast as it can, with interrupts unmasked and taken
 *   fault=spin-masked  every vCPU spins with DAIF masked and its virtual timer pending
 *   fault=hang         every vCPU waits in WFI with everything masked and nothing enabled
 *   fault=wfi-storm    every vCPU calls WFI in a loop with PSTATE.I masked and its timer
 *                      interrupt pending, so each WFI returns at once (a trap per WFI)
 *   fault=exc-loop     VBAR_EL1 points at an unbacked guest-physical address, then a fault:
 *                      every exception entry is an instruction abort, forever
 *   fault=reboot       PSCI SYSTEM_RESET at once (the restart loop of tests/multi)
 *   fault=prod         every vCPU calls, for every domain id, the hypercalls an unprivileged
 *                      guest may aim at another domain: bind to its port, make or read a
 *                      port in it, query its grant table and memory, read its parameters.
 *                      Beside a domain that restarts, they reach its id while it is being
 *                      built.  Every call must be answered (an error) and we go on.
 *
 *   ms=N               how long wild/flood/spin-masked/wfi-storm go on (0 = forever); wild
 *                      defaults to 2000, the others to 0
 *   ops=N              instead of ms: wild's random accesses, or the SGIs each flooding vCPU
 *                      sends, before it ends.  An amount of work, not of time, so that beside
 *                      a neighbour the misbehaviour lasts as long relative to the neighbour's
 *                      own work on a slow or loaded host as on a fast one
 *   end=poweroff|crash|reboot   what happens when ms or ops is over (default poweroff, with
 *                      the GUEST-TESTS summary)
 *   watchdog=S         first arm a Xen domain watchdog of S seconds (SCHEDOP_watchdog) and
 *                      report what the hypervisor said (a hypervisor with one ends a hung
 *                      domain; Keel answers -ENOSYS for now)
 *
 * Lines: "FAULTY <mode>: ..." for what it did, GUEST-TEST checks for what must hold.
 */
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm.h>
#include <xen/memory.h>
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"
#include "xen.h"

const char guest_name[] = "faulty";

#define SGI_SELF 1
#define SGI_OTHER 2
#define SGI_ALL 3
#define PATTERN 0xbad0c0debad0c0deUL
#define GIB (1UL << 30)
#define ESR_FNV (1UL << 10)

enum mode {
    M_NONE,
    M_CRASH,
    M_WILD,
    M_FLOOD,
    M_SPIN_MASKED,
    M_HANG,
    M_WFI_STORM,
    M_EXC_LOOP,
    M_REBOOT,
    M_PROD
};
static const char *const mode_names[] = { "",     "crash",     "wild",     "flood",  "spin-masked",
                                          "hang", "wfi-storm", "exc-loop", "reboot", "prod" };
enum end { END_POWEROFF, END_CRASH, END_REBOOT };

static enum mode mode;
static enum end end_action;
static uint64_t run_ms, run_ops;
static unsigned vcpus_started;
static unsigned vcpus_done;

/* ---- boot arguments ---- */

/* ---- endings ---- */

static long shutdown_hypercall(uint32_t reason)
{
    static uint32_t arg; /* in RAM: the hypervisor copies it from our (identity) address */
    WRITE_ONCE(arg, reason);
    return xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&arg, 0, 0, 0);
}

__attribute__((noreturn)) static void park_forever(void)
{
    __asm__ volatile("msr daifset, #0xf" : : : "memory");
    for (;;)
        wfi();
}

__attribute__((noreturn)) static void crash_now(void)
{
    printf("FAULTY crash: SCHEDOP_shutdown(SHUTDOWN_crash)\n");
    long rc = shutdown_hypercall(SHUTDOWN_crash);
    /* A hypervisor that shut us down never runs this vCPU again. */
    check(false, "crash_hypercall", "sched_op(SCHEDOP_shutdown, crash) returned %ld%s", rc,
          rc == -XEN_ENOSYS ? " (ENOSYS)" : "");
    park_forever();
}

__attribute__((noreturn)) static void reboot_now(void)
{
    printf("FAULTY reboot: PSCI SYSTEM_RESET\n");
    int64_t rc = psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    check(false, "reboot", "PSCI SYSTEM_RESET returned %ld", rc);
    guest_finish();
}

__attribute__((noreturn)) static void finish(void)
{
    switch (end_action) {
    case END_CRASH:
        crash_now();
    case END_REBOOT:
        reboot_now();
    case END_POWEROFF:
    default:
        guest_finish();
    }
}

static void arm_watchdog(void)
{
    uint64_t secs = bootarg_u64("watchdog", 0);
    if (!secs)
        return;
    static struct sched_watchdog wd;
    wd.id = 0;
    wd.timeout = (uint32_t)secs;
    long rc = xen_hypercall(HYPERVISOR_sched_op, SCHEDOP_watchdog, (uintptr_t)&wd, 0, 0, 0);
    printf("FAULTY watchdog: SCHEDOP_watchdog(%lu s) = %ld%s\n", secs, rc,
           rc == -XEN_ENOSYS ? " (ENOSYS: the hypervisor cannot end us if we hang)" : "");
}

/* ---- wild accesses ---- */

enum access { LDRB, LDRH, LDR32, LDR64, STRB, STRH, STR32, STR64, LDP, STP, NR_ACCESS };
static const char *const access_names[] = { "ldrb", "ldrh",  "ldr w", "ldr x", "strb",
                                            "strh", "str w", "str x", "ldp",   "stp" };
static const unsigned access_size[] = { 1, 2, 4, 8, 1, 2, 4, 8, 16, 16 };

static void do_access(enum access a, uint64_t addr, uint64_t v)
{
    uint64_t w = v;
    switch (a) {
    case LDRB:
        __asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
        break;
    case LDRH:
        __asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
        break;
    case LDR32:
        __asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
        break;
    case LDR64:
        __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
        break;
    case STRB:
        __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
        break;
    case STRH:
        __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
        break;
    case STR32:
        __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
        break;
    case STR64:
        __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
        break;
    case LDP:
        __asm__ volatile("ldp %0, %1, [%2]" : "+r"(v), "+r"(w) : "r"(addr) : "memory");
        break;
    case STP:
        __asm__ volatile("stp %0, %1, [%2]" : : "r"(v), "r"(w), "r"(addr) : "memory");
        break;
    default:
        break;
    }
}

static struct {
    uint64_t accesses, aborts, answered;
} wild;

/* One access; true if it aborted with a synchronous external abort (as Keel answers holes). */
static bool probe(enum access a, uint64_t va, uint64_t v, uint64_t *esr)
{
    struct exc_record r;
    exc_expect();
    do_access(a, va, v);
    bool taken = exc_taken(&r);
    wild.accesses++;
    if (taken)
        wild.aborts++;
    else
        wild.answered++;
    if (esr)
        *esr = taken ? r.esr : 0;
    return taken && ESR_EC(r.esr) == EC_DABT_CUR;
}

/* Every access kind at va (an unbacked guest-physical address seen through pa): each must
 * abort.  One check per address. */
static void hole(const char *what, uint64_t va, uint64_t pa)
{
    unsigned ok = 0, bad = 0;
    uint64_t bad_esr = 0;
    const char *bad_kind = "";
    for (unsigned a = 0; a < NR_ACCESS; a++) {
        uint64_t esr;
        if (probe((enum access)a, va + 0x40, PATTERN, &esr)) {
            ok++;
        } else if (!bad++) {
            bad_esr = esr;
            bad_kind = access_names[a];
        }
    }
    check(!bad, "wild_hole", "%s: IPA %#lx: %u of %u access kinds aborted%s%s%s ESR %#lx", what, pa,
          ok, ok + bad, bad ? "; first that did not: " : "", bad_kind, bad ? "," : "", bad_esr);
}

static bool in_ram(uint64_t pa, uint64_t size)
{
    for (unsigned i = 0; i < plat.nr_mem; i++)
        if (pa < plat.mem_base[i] + plat.mem_size[i] && plat.mem_base[i] < pa + size)
            return true;
    return false;
}

static bool in_range(uint64_t pa, uint64_t base, uint64_t size)
{
    return size && pa >= base && pa - base < size;
}

static uint64_t *l1_table(void)
{
    return (uint64_t *)(uintptr_t)(read_sysreg(ttbr0_el1) & 0xfffffffff000UL);
}

static void tlb_flush(void)
{
    dsb(ishst);
    __asm__ volatile("tlbi vmalle1" : : : "memory");
    dsb(nsh);
    isb();
}

/* Holes above what the identity map reaches: point the last 1 GiB of our 39-bit VA space at
 * high guest-physical addresses (Device memory), with TCR_EL1.IPS widened to the CPU's. */
static void high_holes(void)
{
    static const uint64_t targets[] = {
        0x8000000000UL,  /* 512 GiB: past the identity map, inside Keel's 40-bit space */
        0xffc0000000UL,  /* the last GiB of a 40-bit space */
        0x10000000000UL, /* 2^40: outside the stage-2 input range */
        0x80000000000UL, /* 2^43 */
    };
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    static const unsigned pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned bits = parange < 7 ? pa_bits[parange] : 48;
    uint64_t tcr = read_sysreg(tcr_el1);
    write_sysreg((tcr & ~(7UL << 32)) | (parange > 5 ? 5 : parange) << 32, tcr_el1);
    isb();
    uint64_t *l1 = l1_table();
    uint64_t saved = l1[511], va = 511UL * GIB;
    for (unsigned i = 0; i < ARRAY_SIZE(targets); i++) {
        uint64_t pa = targets[i];
        if (pa >> bits) {
            note("wild: IPA %#lx is beyond this CPU's %u-bit physical addresses", pa, bits);
            continue;
        }
        /* Block, attr 0 (Device-nGnRnE), AF, PXN, UXN. */
        l1[511] = pa | 1UL | 1UL << 10 | 1UL << 53 | 1UL << 54;
        tlb_flush();
        hole(i < 2 ? "high, inside the guest-physical space" : "beyond the guest-physical space",
             va, pa);
    }
    l1[511] = saved;
    tlb_flush();
    write_sysreg(tcr, tcr_el1);
    isb();
    tlb_flush();
}

/* Fetch, cache-zeroing and exclusives at an unbacked address mapped Normal and executable at
 * stage 1 (the 2 MiB past RAM, when that lies in a GiB with RAM in it). */
static void normal_hole(void)
{
    uint64_t pa = (plat.mem_base[0] + plat.mem_size[0] + (2UL << 20) - 1) & ~((2UL << 20) - 1);
    if (in_ram(pa, 2UL << 20) || !mmu_map_normal_2m(pa)) {
        note("wild: no Normal mapping of the hole past RAM here (%#lx)", pa);
        return;
    }
    struct exc_record r;
    exc_expect_return();
    __asm__ volatile("blr %0" : : "r"(pa) : "x30", "memory");
    bool taken = exc_taken(&r);
    wild.accesses++;
    wild.aborts += taken;
    check(taken && ESR_EC(r.esr) == EC_IABT_CUR, "wild_fetch", "branch to IPA %#lx: %s ESR %#lx",
          pa, taken ? "abort," : "NO EXCEPTION", r.esr);

    exc_expect();
    __asm__ volatile("dc zva, %0" : : "r"(pa + 0x1000) : "memory");
    taken = exc_taken(&r);
    wild.accesses++;
    wild.aborts += taken;
    check(taken && ESR_EC(r.esr) == EC_DABT_CUR, "wild_dc_zva", "DC ZVA at IPA %#lx: %s ESR %#lx",
          pa + 0x1000, taken ? "abort," : "NO EXCEPTION", r.esr);

    uint64_t v = 0;
    exc_expect();
    __asm__ volatile("ldxr %0, [%1]" : "+r"(v) : "r"(pa + 0x2000) : "memory");
    taken = exc_taken(&r);
    wild.accesses++;
    wild.aborts += taken;
    check(taken && ESR_EC(r.esr) == EC_DABT_CUR, "wild_exclusive", "LDXR at IPA %#lx: %s ESR %#lx",
          pa + 0x2000, taken ? "abort," : "NO EXCEPTION", r.esr);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dUL;

static uint64_t rnd(void)
{
    /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random single loads and stores anywhere in the identity map but our RAM and UART (whose
 * writes would print); each must abort unless a device of ours answers. */
static uint64_t random_accesses(uint64_t deadline)
{
    static const enum access kinds[] = { LDRB, LDRH, LDR32, LDR64, STRB, STRH, STR32, STR64 };
    uint64_t n = 0, unanswered = 0;
    while (run_ops ? n < run_ops : !timer_passed(deadline)) {
        for (unsigned k = 0; k < 64; k++, n++) {
            enum access a = kinds[rnd() % ARRAY_SIZE(kinds)];
            uint64_t addr = (rnd() & ((1UL << 39) - 1)) & ~(uint64_t)(access_size[a] - 1);
            if (in_ram(addr, 16) || in_range(addr, plat.uart & ~0xfffUL, 0x1000) ||
                in_range(addr, plat.gicd, plat.gicd_size) ||
                in_range(addr, plat.gicr, plat.gicr_size))
                continue;
            if (!probe(a, addr, rnd(), NULL))
                unanswered++;
        }
    }
    check(unanswered == 0, "wild_random",
          "%lu random loads/stores outside RAM and devices, %lu "
          "did not abort",
          n, unanswered);
    return n;
}

/* Random values written to random registers of our vGIC distributor and redistributors, with
 * every interrupt masked: whatever state that leaves is ours alone. */
static void vgic_scribble(unsigned count)
{
    unsigned aborted = 0;
    for (unsigned i = 0; i < count; i++) {
        bool rd = rnd() & 1;
        uint64_t base = rd ? plat.gicr : plat.gicd, size = rd ? plat.gicr_size : plat.gicd_size;
        if (!size)
            continue;
        uint64_t off = (rnd() % size) & ~3UL;
        uint64_t esr;
        if (probe(STR32, base + off, rnd(), &esr))
            aborted++;
    }
    note("wild: %u random writes to vGIC registers, %u aborted", count, aborted);
}

static void run_wild(void)
{
    static const struct {
        const char *what;
        uint64_t pa;
    } low[] = {
        { "flash of QEMU virt (empty for a domain)", 0x0 },
        { "host GIC distributor address", 0x08000000 },
        { "host GIC redistributor address", 0x080a0000 },
        { "host PL011 address", 0x09000000 },
        { "host RTC address", 0x09010000 },
        { "host virtio-mmio address", 0x0a000000 },
        { "low hole", 0x0b000000 },
        { "host PCIe window", 0x10000000 },
        { "host PCIe ECAM", 0x3f000000 },
        { "just above 2 GiB", 0x80000000 },
        { "high GiB of the identity map", 0x7fc0000000 - GIB },
    };
    uint64_t t0 = timer_now(), deadline = timer_deadline_us(run_ms * 1000);
    for (unsigned i = 0; i < ARRAY_SIZE(low); i++) {
        if (in_ram(low[i].pa, 0x1000)) {
            note("wild: %#lx is our RAM here; skipped", low[i].pa);
            continue;
        }
        hole(low[i].what, low[i].pa, low[i].pa);
    }
    /* Just past the end of each RAM range. */
    for (unsigned i = 0; i < plat.nr_mem; i++) {
        uint64_t pa = plat.mem_base[i] + plat.mem_size[i];
        if (!in_ram(pa, 0x1000))
            hole("just past RAM", pa, pa);
    }
    high_holes();
    normal_hole();
    vgic_scribble(2000);
    uint64_t n = random_accesses(deadline);
    printf("FAULTY wild: %lu accesses (%lu random) in %lu ms: %lu aborted, %lu answered\n",
           wild.accesses, n, (timer_now() - t0) * 1000 / timer_freq(), wild.aborts, wild.answered);
    check(true, "wild_survived", "still running after %lu wild accesses", wild.accesses);
}

/* ---- interrupts: flood, masked spin, WFI storm ---- */

static uint64_t sgi_sent[MAX_VCPUS], sgi_got[MAX_VCPUS], wfi_count[MAX_VCPUS];
static uint64_t prod_calls[MAX_VCPUS], prod_bound[MAX_VCPUS];

static void on_irq(unsigned intid)
{
    unsigned me = this_cpu();
    if (me < MAX_VCPUS)
        sgi_got[me]++;
    if (intid == plat.timer_virt_ppi)
        vtimer_set_ctl(CNTV_CTL_IMASK); /* a stray timer: quiet it */
}

static void local_gic_setup(void)
{
    gic_cpu_init(false);
    for (unsigned s = SGI_SELF; s <= SGI_ALL; s++) {
        gic_set_priority(s, GIC_PRIO_DEFAULT);
        gic_enable(s);
    }
}

static bool time_left(uint64_t deadline)
{
    return !run_ms || !timer_passed(deadline);
}

/* Work done by every vCPU so far: the progress of waiting for them to finish. */
static uint64_t work_done(void)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < MAX_VCPUS; i++)
        sum += __atomic_load_n(&sgi_sent[i], __ATOMIC_RELAXED) +
               __atomic_load_n(&wfi_count[i], __ATOMIC_RELAXED) +
               __atomic_load_n(&prod_calls[i], __ATOMIC_RELAXED);
    return sum;
}

static void flood(unsigned me)
{
    uint64_t deadline = timer_deadline_us(run_ms * 1000);
    local_gic_setup();
    irq_enable();
    bool many = plat.nr_cpus > 1;
    unsigned other = many ? (me + 1) % plat.nr_cpus : me;
    while (run_ops ? sgi_sent[me] < run_ops : time_left(deadline)) {
        for (unsigned i = 0; i < 256; i++) {
            gic_send_sgi(SGI_SELF, plat.mpidr[me]);
            if (many) {
                gic_send_sgi(SGI_OTHER, plat.mpidr[other]);
                gic_send_sgi_others(SGI_ALL);
            }
            __atomic_store_n(&sgi_sent[me], sgi_sent[me] + (many ? 3 : 1), __ATOMIC_RELAXED);
        }
    }
    irq_disable();
}

/* ---- prod: hypercalls aimed at every other domain ---- */

#define PROD_DOMIDS 64 /* past Keel's table (64 domains) by one: an id that is never there */

static void prod_one(unsigned me, domid_t id)
{
    struct evtchn_bind_interdomain b = { .remote_dom = id, .remote_port = 1 + me % 3 };
    if (xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, (uintptr_t)&b, 0, 0,
                      0) == 0) {
        /* Only a port offered to us binds; give it back so that ours do not run out. */
        struct evtchn_close c = { .port = b.local_port };
        xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (uintptr_t)&c, 0, 0, 0);
        prod_bound[me]++;
    }
    struct evtchn_alloc_unbound a = { .dom = id, .remote_dom = DOMID_SELF };
    if (xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (uintptr_t)&a, 0, 0,
                      0) == 0) { /* only in ourselves */
        struct evtchn_close c = { .port = a.port };
        xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_close, (uintptr_t)&c, 0, 0, 0);
    }
    struct evtchn_status st = { .dom = id, .port = 1 };
    xen_hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_status, (uintptr_t)&st, 0, 0, 0);
    struct gnttab_query_size q = { .dom = id };
    xen_hypercall(HYPERVISOR_grant_table_op, GNTTABOP_query_size, (uintptr_t)&q, 1, 0, 0);
    domid_t dom = id;
    xen_hypercall(HYPERVISOR_memory_op, XENMEM_current_reservation, (uintptr_t)&dom, 0, 0, 0);
    struct xen_hvm_param hp = { .domid = id, .index = HVM_PARAM_STORE_EVTCHN };
    xen_hypercall(HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&hp, 0, 0, 0);
    __atomic_store_n(&prod_calls[me], prod_calls[me] + 6, __ATOMIC_RELAXED);
}

static void prod(unsigned me)
{
    uint64_t deadline = timer_deadline_us(run_ms * 1000);
    while (run_ops ? prod_calls[me] < run_ops : time_left(deadline))
        for (domid_t id = 0; id <= PROD_DOMIDS; id++)
            prod_one(me, id);
}

static void arm_timer_pending(void)
{
    gic_cpu_init(false);
    gic_set_priority(plat.timer_virt_ppi, GIC_PRIO_DEFAULT);
    gic_enable(plat.timer_virt_ppi);
    vtimer_set_cval(0); /* already expired: the interrupt is pending at once */
    vtimer_set_ctl(CNTV_CTL_ENABLE);
}

static void spin_masked(void)
{
    uint64_t deadline = timer_deadline_us(run_ms * 1000);
    __asm__ volatile("msr daifset, #0xf" : : : "memory");
    arm_timer_pending();
    while (time_left(deadline))
        cpu_relax();
    vtimer_set_ctl(CNTV_CTL_IMASK);
}

static void wfi_storm(unsigned me)
{
    uint64_t deadline = timer_deadline_us(run_ms * 1000);
    __asm__ volatile("msr daifset, #0xf" : : : "memory");
    arm_timer_pending();
    while (time_left(deadline)) {
        wfi();
        __atomic_store_n(&wfi_count[me], wfi_count[me] + 1, __ATOMIC_RELAXED);
    }
    vtimer_set_ctl(CNTV_CTL_IMASK);
}

__attribute__((noreturn)) static void hang(void)
{
    __asm__ volatile("msr daifset, #0xf" : : : "memory");
    vtimer_set_ctl(0);
    ptimer_set_ctl(0);
    for (;;)
        wfi();
}

/* ---- exception loop ---- */

__attribute__((noreturn)) static void exc_loop(void)
{
    uint64_t pa = (plat.mem_base[0] + plat.mem_size[0] + (2UL << 20) - 1) & ~((2UL << 20) - 1);
    if (in_ram(pa, 2UL << 20) || !mmu_map_normal_2m(pa)) {
        note("exc-loop: no Normal mapping of the hole past RAM (%#lx); spinning instead", pa);
        park_forever();
    }
    printf("FAULTY exc-loop: VBAR_EL1 = %#lx (nothing there), then an undefined instruction\n", pa);
    write_sysreg(pa, vbar_el1);
    isb();
    __asm__ volatile("udf #0" : : : "memory");
    park_forever();
}

/* ---- per-vCPU behaviour ---- */

static void act(unsigned me)
{
    switch (mode) {
    case M_FLOOD:
        flood(me);
        break;
    case M_PROD:
        prod(me);
        break;
    case M_SPIN_MASKED:
        spin_masked();
        break;
    case M_WFI_STORM:
        wfi_storm(me);
        break;
    case M_HANG:
        hang();
    default:
        break;
    }
}

void guest_secondary_main(unsigned idx)
{
    act(idx);
    __atomic_add_fetch(&vcpus_done, 1, __ATOMIC_RELEASE);
}

static enum mode parse_mode(void)
{
    if (bootarg_is("fault", "panic"))
        return M_CRASH;
    for (unsigned m = 1; m < ARRAY_SIZE(mode_names); m++)
        if (bootarg_is("fault", mode_names[m]))
            return (enum mode)m;
    return M_NONE;
}

static void start_secondaries(void)
{
    vcpus_started = 1;
    for (unsigned i = 1; i < plat.nr_cpus; i++)
        if (psci_cpu_on_index(i) == PSCI_SUCCESS)
            vcpus_started++;
}

void guest_main(void *dtb)
{
    (void)dtb;
    mode = parse_mode();
    if (mode == M_NONE)
        test_fail_stop("fault_mode", "no fault=MODE in the boot arguments");
    end_action = bootarg_is("end", "crash")    ? END_CRASH
                 : bootarg_is("end", "reboot") ? END_REBOOT
                                               : END_POWEROFF;
    run_ops = bootarg_u64("ops", 0);
    run_ms = run_ops ? 0 : bootarg_u64("ms", mode == M_WILD ? 2000 : 0);
    if (run_ops)
        printf("FAULTY %s: start, %u vCPU(s), for %lu operations\n", mode_names[mode], plat.nr_cpus,
               run_ops);
    else if (run_ms)
        printf("FAULTY %s: start, %u vCPU(s), for %lu ms\n", mode_names[mode], plat.nr_cpus,
               run_ms);
    else
        printf("FAULTY %s: start, %u vCPU(s)\n", mode_names[mode], plat.nr_cpus);
    arm_watchdog();
    irq_set_handler(on_irq);
    switch (mode) {
    case M_CRASH:
        crash_now();
    case M_REBOOT:
        reboot_now();
    case M_EXC_LOOP:
        exc_loop();
    case M_WILD:
        gic_cpu_init(false);
        run_wild();
        finish();
    default:
        break;
    }
    gic_init(); /* flood's SGIs and the pending timers need Group 1 on in the distributor */
    start_secondaries();
    uint64_t t0 = timer_now();
    act(0);
    WAIT_PROGRESS(__atomic_load_n(&vcpus_done, __ATOMIC_ACQUIRE) == vcpus_started - 1, work_done());
    uint64_t ms = (timer_now() - t0) * 1000 / timer_freq();
    uint64_t sent = 0, got = 0, wfis = 0;
    for (unsigned i = 0; i < vcpus_started; i++) {
        sent += sgi_sent[i];
        got += sgi_got[i];
        wfis += wfi_count[i];
    }
    if (mode == M_FLOOD) {
        printf("FAULTY flood: %lu SGIs sent, %lu interrupts taken, by %u vCPU(s) in %lu ms\n", sent,
               got, vcpus_started, ms);
        check(got > 0, "flood_delivered", "%lu of %lu SGIs taken (repeats of a pending SGI merge)",
              got, sent);
    } else if (mode == M_PROD) {
        uint64_t calls = 0, bound = 0;
        for (unsigned i = 0; i < vcpus_started; i++) {
            calls += prod_calls[i];
            bound += prod_bound[i];
        }
        printf("FAULTY prod: %lu hypercalls at other domains, %lu binds, in %lu ms\n", calls, bound,
               ms);
        check(calls > 0, "prod_answered", "%lu hypercalls answered", calls);
    } else if (mode == M_WFI_STORM) {
        printf("FAULTY wfi-storm: %lu WFIs returned in %lu ms\n", wfis, ms);
        check(wfis > 0, "wfi_storm", "%lu WFIs with a pending masked interrupt returned", wfis);
    } else {
        printf("FAULTY %s: done after %lu ms\n", mode_names[mode], ms);
        check(true, "fault_done", "%s for %lu ms", mode_names[mode], ms);
    }
    finish();
}
