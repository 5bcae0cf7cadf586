/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Micro-benchmarks of the virtual platform, the same binary bare at EL1, on Keel and on Xen:
 * hypercall round trips, a trapped MMIO read, virtual timer interrupt latency, interrupt
 * acknowledge + EOI, an SGI round trip between two vCPUs and a wake-up of a vCPU blocked in WFI.
 * Time is the virtual counter (one CNTVOFF per domain, so both vCPUs agree).  Each benchmark
 * prints one line
 *     BENCH <name> min=<ns> median=<ns> p99=<ns> n=<samples>
 * (or "BENCH <name> skipped=<why>"), and a check that its figures are plausible.
 * /chosen/bootargs may say "bench.n=<samples>".  vCPU 1 follows `phase`, set by vCPU 0.
 */
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

#include <xen/grant_table.h>
#include <xen/memory.h>

const char guest_name[] = "bench";

#define MAX_SAMPLES 4096
#define DEFAULT_SAMPLES 200
#define ACK_BATCH 4 /* SGIs pending at once per ack/EOI sample: fits 4 list registers */
#define SGI_PING 1
#define SGI_PONG 2
#define SGI_WAKE 3
#define SGI_ACK0 8 /* SGI_ACK0 .. SGI_ACK0 + ACK_BATCH - 1 */
#define TIMER_DELAY_US 50
#define SETTLE_US 200 /* long enough for vCPU 1 to be blocked in WFI */
#define WAIT_US 2000000
/* Each benchmark stays a function of its own, so scripts/bench/profile.py can tell them apart. */
#define NOINLINE __attribute__((noinline))

enum phase { PH_START, PH_SPIN, PH_WFI, PH_DONE };

static uint64_t samples[MAX_SAMPLES];
static unsigned nsamples = DEFAULT_SAMPLES;
static uint64_t freq;

/* Written by interrupt handlers, read by the waiting vCPU. */
static volatile uint64_t timer_hit, pong_hit, wake_hit;
static volatile unsigned phase, cpu1_ready, cpu1_in_wfi;

/* ---- statistics --------------------------------------------------------------------------- */

static void sort(uint64_t *a, unsigned n)
{
    static const unsigned gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (unsigned g = 0; g < ARRAY_SIZE(gaps); g++)
        for (unsigned i = gaps[g]; i < n; i++) {
            uint64_t v = a[i];
            unsigned j = i;
            for (; j >= gaps[g] && a[j - gaps[g]] > v; j -= gaps[g])
                a[j] = a[j - gaps[g]];
            a[j] = v;
        }
}

/* ticks / batch as nanoseconds with one decimal, into buf. */
static const char *ns(char *buf, uint64_t ticks, unsigned batch)
{
    uint64_t tenths = (ticks * 10000000000ULL / freq + batch / 2) / batch;
    snprintf(buf, 32, "%lu.%lu", (unsigned long)(tenths / 10), (unsigned long)(tenths % 10));
    return buf;
}

/* Print the line for samples[0..n) (each covering `batch` operations) and check it. */
static void report(const char *name, unsigned n, unsigned batch)
{
    char a[32], b[32], c[32];
    if (n == 0) {
        printf("BENCH %s skipped=no-samples\n", name);
        check(false, name, "no sample completed");
        return;
    }
    sort(samples, n);
    uint64_t min = samples[0], med = samples[n / 2],
             p99 = samples[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
    printf("BENCH %s min=%s median=%s p99=%s n=%u\n", name, ns(a, min, batch), ns(b, med, batch),
           ns(c, p99, batch), n);
    check(n == nsamples && med > 0 && min <= med && med <= p99, name,
          "%u of %u samples, median %s ns", n, nsamples, b);
}

static void skip(const char *name, const char *why)
{
    printf("BENCH %s skipped=%s\n", name, why);
}

/* Waiting loops.  Under -icount every counter read ends QEMU's translation block, so look at
 * the clock only every SPIN_BATCH turns.  QEMU then also runs the vCPUs one at a time, and
 * YIELD is what hands the host thread to the other one: a wait for the other vCPU pauses with
 * YIELD (`cpu_relax`), a wait for our own interrupt with a plain compiler barrier, so it does
 * not hand over at every turn. */
#define SPIN_BATCH 64
#define spin_pause() __asm__ volatile("" : : : "memory")
#define SPIN_UNTIL(cond, deadline, pause)                                                          \
    ({                                                                                             \
        bool __ok;                                                                                 \
        uint64_t __end = (deadline);                                                               \
        for (;;) {                                                                                 \
            unsigned __i = 0;                                                                      \
            while (!(__ok = (cond)) && ++__i < SPIN_BATCH)                                         \
                pause();                                                                           \
            if (__ok || timer_now() >= __end)                                                      \
                break;                                                                             \
        }                                                                                          \
        __ok;                                                                                      \
    })
/* Waits for the other vCPU. */
#define WAIT_OTHER(cond, us) SPIN_UNTIL(cond, timer_deadline_us(us), cpu_relax)

/* ---- hypercalls and MMIO ------------------------------------------------------------------ */

static NOINLINE void bench_psci_version(void)
{
    if (smccc_hvc(PSCI_VERSION, 0, 0, 0) < 0x10000) {
        skip("hvc_psci_version", "no-psci-over-hvc");
        return;
    }
    for (unsigned i = 0; i < nsamples; i++) {
        uint64_t t0 = timer_now();
        smccc_hvc(PSCI_VERSION, 0, 0, 0);
        samples[i] = timer_now() - t0;
    }
    report("hvc_psci_version", nsamples, 1);
}

static NOINLINE void bench_xen_version(void)
{
    /* Bare at EL1 there is nothing behind HVC #0xEA1: it is undefined. */
    exc_expect();
    long v = xen_hypercall(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    if (exc_taken(0) || v <= 0) {
        skip("hvc_xen_version", "no-xen-abi");
        return;
    }
    for (unsigned i = 0; i < nsamples; i++) {
        uint64_t t0 = timer_now();
        xen_hypercall(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
        samples[i] = timer_now() - t0;
    }
    report("hvc_xen_version", nsamples, 1);
}

/* ---- grant copy --------------------------------------------------------------------------- */

#define GNT_REF 8
static uint8_t gnt_src[4096] __attribute__((aligned(4096)));
static uint8_t gnt_dst[4096] __attribute__((aligned(4096)));

/* This domain's id: the only one whose query_size answers "okay" to a plain domain. */
static domid_t own_domid(void)
{
    static struct gnttab_query_size q;
    for (domid_t d = 0; d < 64; d++) {
        q = (struct gnttab_query_size){ .dom = d, .status = 1 };
        if (!xen_hypercall(HYPERVISOR_grant_table_op, GNTTABOP_query_size, (uintptr_t)&q, 1, 0,
                           0) &&
            q.status == GNTST_okay)
            return d;
    }
    return DOMID_INVALID;
}

/* Grant gnt_dst to this domain itself as entry GNT_REF of its table (frame 0 mapped at the
 * grant window and reached through scratch slot 0, Normal memory).  False without one. */
static bool grant_own_page(void)
{
    static struct xen_add_to_physmap x;
    x = (struct xen_add_to_physmap){ .domid = DOMID_SELF,
                                     .space = XENMAPSPACE_grant_table,
                                     .idx = 0,
                                     .gpfn = GUEST_GNTTAB_BASE >> 12 };
    domid_t self = own_domid();
    if (self == DOMID_INVALID ||
        xen_hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uintptr_t)&x, 0, 0, 0))
        return false;
    struct grant_entry_v1 *e =
        (struct grant_entry_v1 *)mmu_scratch_map(0, GUEST_GNTTAB_BASE, true) + GNT_REF;
    e->domid = self;
    e->frame = (uint32_t)((uintptr_t)gnt_dst >> 12);
    dmb(ishst);
    e->flags = GTF_permit_access;
    return true;
}

/* One GNTTABOP_copy of 4 KiB from an own frame into an own grant: the hypercall, the pin of
 * the entry (GTF_writing set and cleared) and the copy. */
static NOINLINE void bench_grant_copy(void)
{
    if (!grant_own_page()) {
        skip("gnttab_copy_4k", "no-grant-table");
        return;
    }
    static struct gnttab_copy op;
    op = (struct gnttab_copy){ .len = 4096, .flags = GNTCOPY_dest_gref };
    op.source.u.gmfn = (uintptr_t)gnt_src >> 12;
    op.source.domid = DOMID_SELF;
    op.dest.u.ref = GNT_REF;
    op.dest.domid = DOMID_SELF;
    unsigned n = 0;
    for (unsigned i = 0; i < nsamples; i++) {
        gnt_src[0] = (uint8_t)i;
        uint64_t t0 = timer_now();
        long rc = xen_hypercall(HYPERVISOR_grant_table_op, GNTTABOP_copy, (uintptr_t)&op, 1, 0, 0);
        samples[n] = timer_now() - t0;
        n += rc == 0 && op.status == GNTST_okay && gnt_dst[0] == (uint8_t)i;
    }
    report("gnttab_copy_4k", n, 1);
}

static NOINLINE void bench_mmio(void)
{
    uint32_t sink = 0;
    for (unsigned i = 0; i < nsamples; i++) {
        uint64_t t0 = timer_now();
        sink += gicd_read(GICD_TYPER);
        samples[i] = timer_now() - t0;
    }
    report("mmio_gicd_typer", nsamples, 1);
    (void)sink;
}

/* ---- interrupts --------------------------------------------------------------------------- */

static void on_irq(unsigned intid)
{
    uint64_t now = timer_now();
    if (intid == plat.timer_virt_ppi) {
        vtimer_set_ctl(0); /* the line is level: drop it before the EOI */
        timer_hit = now;
    } else if (intid == SGI_PING) {
        gic_send_sgi(SGI_PONG, plat.mpidr[0]);
    } else if (intid == SGI_PONG) {
        pong_hit = now;
    } else if (intid == SGI_WAKE) {
        wake_hit = now;
    }
}

/* Latency from the programmed expiry (CNTV_CVAL) to the handler, the vCPU spinning or in WFI. */
static NOINLINE void bench_timer(bool wfi)
{
    const char *name = wfi ? "vtimer_irq_wfi" : "vtimer_irq";
    unsigned n = 0;
    gic_set_priority(plat.timer_virt_ppi, GIC_PRIO_DEFAULT);
    gic_enable(plat.timer_virt_ppi);
    for (unsigned i = 0; i < nsamples; i++) {
        timer_hit = 0;
        uint64_t cval = timer_now() + timer_us_to_ticks(TIMER_DELAY_US);
        vtimer_set_cval(cval);
        vtimer_set_ctl(CNTV_CTL_ENABLE);
        uint64_t end = cval + timer_us_to_ticks(WAIT_US);
        if (!wfi)
            SPIN_UNTIL(timer_hit != 0, end, spin_pause);
        while (wfi && !timer_hit && timer_now() < end) {
            /* Masked, so the interrupt cannot slip in between the test and the WFI; WFI
             * still wakes for it, and it is taken once unmasked (as Linux's idle loop). */
            irq_disable();
            if (!timer_hit)
                wfi();
            irq_enable();
        }
        if (!timer_hit)
            break;
        samples[n++] = timer_hit - cval;
    }
    vtimer_set_ctl(0);
    gic_disable(plat.timer_virt_ppi);
    report(name, n, 1);
}

/* ICC_IAR1_EL1 + ICC_EOIR1_EL1 + ICC_DIR_EL1 per interrupt, ACK_BATCH SGIs to ourselves pending
 * at once, taken with PSTATE.I set so no handler runs. */
static NOINLINE void bench_ack_eoi(void)
{
    unsigned n = 0;
    irq_disable();
    for (unsigned s = 0; s < ACK_BATCH; s++)
        gic_enable(SGI_ACK0 + s);
    for (unsigned i = 0; i < nsamples; i++) {
        for (unsigned s = 0; s < ACK_BATCH; s++)
            gic_send_sgi(SGI_ACK0 + s, plat.mpidr[0]);
        if (!WAIT_FOR((read_sysreg_s(ICC_HPPIR1_EL1) & 0xffffff) == SGI_ACK0, 100000))
            break;
        unsigned got = 0;
        uint64_t t0 = timer_now();
        for (unsigned s = 0; s < ACK_BATCH; s++) {
            uint64_t iar = read_sysreg_s(ICC_IAR1_EL1);
            got += (iar & 0xffffff) - SGI_ACK0 == s;
            write_sysreg_s(iar, ICC_EOIR1_EL1);
            write_sysreg_s(iar, ICC_DIR_EL1);
        }
        isb();
        samples[n] = timer_now() - t0;
        if (got != ACK_BATCH)
            break;
        n++;
    }
    for (unsigned s = 0; s < ACK_BATCH; s++)
        gic_disable(SGI_ACK0 + s);
    irq_enable();
    report("gic_ack_eoi", n, ACK_BATCH);
}

static void set_phase(enum phase p)
{
    __atomic_store_n(&phase, p, __ATOMIC_RELEASE);
}

/* vCPU 0 -> SGI -> vCPU 1, whose handler sends one back; timed to vCPU 0's handler. */
static NOINLINE void bench_sgi_roundtrip(void)
{
    unsigned n = 0;
    set_phase(PH_SPIN);
    for (unsigned i = 0; i < nsamples; i++) {
        pong_hit = 0;
        uint64_t t0 = timer_now();
        gic_send_sgi(SGI_PING, plat.mpidr[1]);
        if (!WAIT_OTHER(pong_hit != 0, WAIT_US))
            break;
        samples[n++] = pong_hit - t0;
    }
    report("sgi_roundtrip", n, 1);
}

/* vCPU 1 waits in WFI with interrupts unmasked; timed from the SGI to its handler. */
static NOINLINE void bench_sgi_wake(void)
{
    unsigned n = 0;
    set_phase(PH_WFI);
    for (unsigned i = 0; i < nsamples; i++) {
        if (!WAIT_OTHER(cpu1_in_wfi, WAIT_US))
            break;
        /* vCPU 1 runs no further than WFI now: no need to hand over while we settle. */
        SPIN_UNTIL(false, timer_deadline_us(SETTLE_US), spin_pause);
        wake_hit = 0;
        cpu1_in_wfi = 0;
        uint64_t t0 = timer_now();
        gic_send_sgi(SGI_WAKE, plat.mpidr[1]);
        if (!WAIT_OTHER(wake_hit != 0, WAIT_US))
            break;
        samples[n++] = wake_hit - t0;
    }
    report("sgi_wake_wfi", n, 1);
}

void guest_secondary_main(unsigned idx)
{
    if (idx != 1 || !gic_cpu_init(true))
        return;
    gic_enable(SGI_PING);
    gic_enable(SGI_WAKE);
    irq_enable();
    cpu1_ready = 1;
    for (;;) {
        switch (__atomic_load_n(&phase, __ATOMIC_ACQUIRE)) {
        case PH_WFI:
            irq_disable(); /* as in bench_timer: the SGI cannot be lost before the WFI */
            cpu1_in_wfi = 1;
            wfi();
            irq_enable(); /* the SGI's handler runs here */
            break;
        case PH_DONE:
            irq_disable();
            return;
        default:
            cpu_relax();
            break;
        }
    }
}

/* ---- boot --------------------------------------------------------------------------------- */

/* The boot-time probe (scripts/bench/firstinsn.S) read CNTPCT_EL0 and CNTVCT_EL0 at our first
 * instruction and wrote them as hex into "keel.t0=<pct>,<vct>" in the command line. */
static bool hex16(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 16; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            v = v << 4 | (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v << 4 | (uint64_t)(c - 'a' + 10);
        else
            return false; /* still the placeholder's 'x': no probe ran */
    }
    *out = v;
    return true;
}

static void report_first_insn(void)
{
    uint32_t len;
    const char *v = bootarg("keel.t0", &len);
    uint64_t pct, vct;
    if (!v || len < 33 || !hex16(v, &pct) || !hex16(v + 17, &vct)) {
        skip("first_insn", "no-probe");
        return;
    }
    /* Without -icount the two reads are a few ticks apart, so CNTVOFF may come out "negative"
     * when there is none: print its magnitude and sign. */
    char a[32], b[32];
    bool neg = vct > pct;
    printf("BENCH-BOOT first_insn_ns=%s cntvoff_ns=%s%s\n", ns(a, pct, 1), neg ? "-" : "",
           ns(b, neg ? vct - pct : pct - vct, 1));
}

static unsigned parse_samples(void)
{
    uint32_t len;
    const char *v = bootarg("bench.n", &len);
    unsigned n = 0;
    for (uint32_t j = 0; v && j < len && v[j] >= '0' && v[j] <= '9'; j++)
        n = n * 10 + (unsigned)(v[j] - '0');
    return !v ? DEFAULT_SAMPLES : n < 1 ? 1 : n > MAX_SAMPLES ? MAX_SAMPLES : n;
}
void guest_main(void *dtb)
{
    freq = timer_freq();
    report_first_insn();
    nsamples = parse_samples();
    printf("BENCH-INFO freq=%lu samples=%u vcpus=%u hypervisor=%u\n", (unsigned long)freq, nsamples,
           plat.nr_cpus, plat.hypervisor);
    if (!check(freq != 0, "bench_freq", "CNTFRQ_EL0 = %lu", (unsigned long)freq))
        return;

    bench_psci_version();
    bench_xen_version();
    bench_grant_copy();
    bench_mmio();

    if (!check(gic_init() && gic_cpu_init(true), "bench_gic", "GICD %#lx GICR %#lx", plat.gicd,
               plat.gicr))
        return;
    irq_set_handler(on_irq);
    gic_enable(SGI_PONG);
    irq_enable();
    bench_timer(false);
    bench_timer(true);
    bench_ack_eoi();

    if (plat.nr_cpus < 2) {
        skip("sgi_roundtrip", "one-vcpu");
        skip("sgi_wake_wfi", "one-vcpu");
    } else if (psci_cpu_on_index(1) != PSCI_SUCCESS || !WAIT_FOR(cpu1_ready, WAIT_US)) {
        check(false, "bench_cpu_on", "vCPU 1 did not start");
    } else {
        bench_sgi_roundtrip();
        bench_sgi_wake();
        set_phase(PH_DONE);
        if (cpu1_in_wfi)
            gic_send_sgi(SGI_WAKE, plat.mpidr[1]);
    }
    irq_disable();
    printf("BENCH-DONE\n");
}
