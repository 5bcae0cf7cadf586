/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A well-behaved domain that runs beside a hostile one (guests/fuzz) and checks, every period
 * on every vCPU, what another domain must never change:
 *
 *   timers      its virtual and physical timers fire, never before their compare value;
 *               the virtual and physical counts never go backwards
 *   interrupts  an SGI to itself arrives; no interrupt it did not ask for arrives
 *   registers   x2-x15, x19-x28, V0-V31 and EL1/EL0 and GIC CPU-interface registers hold
 *               what it wrote, across a wait in WFI (when the other domain runs here)
 *   debug       a hardware breakpoint on its own code fires; the OS lock and OS double lock
 *               stay unlocked; breakpoint registers keep their values
 *
 * No bound depends on host speed: a timer or SGI counts as lost only after TIMEOUT_S seconds.
 * Boot arguments: periods=N (default 0: run until stopped), period_ms=N (default 20),
 * report=N (a NEIGHBOUR-STATUS line every N periods, default 50), skip=oslock (no OS lock
 * and OS double lock checks: Keel does not switch them per vCPU yet, issue 12 item 2, so a
 * vCPU that moves to a pCPU whose lock another domain, or reset, left set fails them).
 * Lines: NEIGHBOUR-START, NEIGHBOUR-STATUS periods=P checks=C failures=F ..., NEIGHBOUR-FAIL
 * (the first MAX_FAIL_LINES failures); at the end a GUEST-TEST check and the summary.
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

const char guest_name[] = "neighbour";

#define SGI_SELF 1
#define TIMEOUT_S 30
#define MAX_FAIL_LINES 40
#define NR_PATTERN 24
#define EC_BKPT_CUR 0x31
#define OSLSR_OSLK (1UL << 1)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)
#define BCR_EL1_ALL 0x1e3UL /* E, PMC = EL1, BAS = all four bytes */
#define F_VT 1u
#define F_PT 2u
#define F_SGI 4u

/* Shared with wait.S: the layout is fixed there. */
struct nb_wait {
    uint32_t flags, want;
    uint64_t deadline;
    uint64_t pattern[NR_PATTERN];
};
unsigned nb_wait(struct nb_wait *w);
void nb_bp_target(void);

struct nb_cpu {
    struct nb_wait w;
    uint64_t vt_cval, vt_at, pt_cval, pt_at; /* compare values and counts at the interrupt */
    uint64_t last_v, last_p;
    uint64_t max_late;    /* ticks */
    uint64_t window_late; /* ticks, since the last status line */
    unsigned unexpected, last_unexpected;
};

static struct nb_cpu cpus[MAX_VCPUS];
static uint64_t opt_periods, period_ticks, opt_report;
static uint64_t periods_done, checks, failures;
static bool skip_oslock;
static unsigned running;

static void fail(unsigned me, uint64_t period, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(unsigned me, uint64_t period, const char *what, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED) < MAX_FAIL_LINES)
        printf("NEIGHBOUR-FAIL vcpu=%u period=%lu %s: %s\n", me, period, what, buf);
}

static void expect(bool ok, unsigned me, uint64_t period, const char *what, const char *fmt,
                   uint64_t a, uint64_t b)
{
    __atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED);
    if (!ok)
        fail(me, period, what, fmt, a, b);
}

static void on_irq(unsigned intid)
{
    struct nb_cpu *c = &cpus[this_cpu()];
    if (intid == plat.timer_virt_ppi) {
        c->vt_at = read_sysreg(cntvct_el0);
        vtimer_set_ctl(0);
        c->w.flags |= F_VT;
    } else if (intid == plat.timer_phys_ppi) {
        c->pt_at = read_sysreg(cntpct_el0);
        ptimer_set_ctl(0);
        c->w.flags |= F_PT;
    } else if (intid == SGI_SELF && !(c->w.flags & F_SGI)) {
        c->w.flags |= F_SGI;
    } else {
        c->unexpected++;
        c->last_unexpected = intid;
    }
}

/* ---- patterns ---- */

static uint64_t pattern(uint64_t seed, unsigned i)
{
    uint64_t v = (seed + 1) * 0x9e3779b97f4a7c15UL + i * 0xbf58476d1ce4e5b9UL;
    return v ^ (v >> 31);
}

#define SYSREGS(X)                                                                                 \
    X(tpidr_el0, ~0UL)                                                                             \
    X(tpidrro_el0, ~0UL)                                                                           \
    X(contextidr_el1, 0xffffffffUL)                                                                \
    X(sp_el0, ~0UL)                                                                                \
    X(amair_el1, ~0UL)                                                                             \
    X(cntkctl_el1, 0x3UL)                                                                          \
    X(dbgbvr1_el1, 0x0000fffffffffffcUL)                                                           \
    X(dbgwvr0_el1, 0x0000fffffffffff8UL)
#define NAME(r, m) #r,
static const char *const sysreg_names[] = { SYSREGS(NAME) "icc_pmr_el1", "icc_bpr1_el1" };
#define NR_SYSREGS ARRAY_SIZE(sysreg_names)

static void write_sysregs(uint64_t seed)
{
    unsigned i = 0;
#define WRITE(r, m) write_sysreg(pattern(seed, 100 + i++) & (m), r);
    SYSREGS(WRITE)
#undef WRITE
    /* Priorities above our interrupts' (0xa0), binary points the CPU interface accepts. */
    write_sysreg_s(0xb0 + (seed % 5) * 0x10, ICC_PMR_EL1);
    write_sysreg_s(3 + seed % 4, ICC_BPR1_EL1);
    isb();
}

static void read_sysregs(uint64_t *out)
{
    unsigned i = 0;
#define READ(r, m) out[i++] = read_sysreg(r);
    SYSREGS(READ)
#undef READ
    out[i++] = read_sysreg_s(ICC_PMR_EL1);
    out[i++] = read_sysreg_s(ICC_BPR1_EL1);
}

static void fp_write(const uint64_t *v)
{
    __asm__ volatile("ldp q0, q1, [%0, #0]\n\tldp q2, q3, [%0, #32]\n\t"
                     "ldp q4, q5, [%0, #64]\n\tldp q6, q7, [%0, #96]\n\t"
                     "ldp q8, q9, [%0, #128]\n\tldp q10, q11, [%0, #160]\n\t"
                     "ldp q12, q13, [%0, #192]\n\tldp q14, q15, [%0, #224]\n\t"
                     "ldp q16, q17, [%0, #256]\n\tldp q18, q19, [%0, #288]\n\t"
                     "ldp q20, q21, [%0, #320]\n\tldp q22, q23, [%0, #352]\n\t"
                     "ldp q24, q25, [%0, #384]\n\tldp q26, q27, [%0, #416]\n\t"
                     "ldp q28, q29, [%0, #448]\n\tldp q30, q31, [%0, #480]"
                     :
                     : "r"(v)
                     : "memory");
}

static void fp_read(uint64_t *v)
{
    __asm__ volatile("stp q0, q1, [%0, #0]\n\tstp q2, q3, [%0, #32]\n\t"
                     "stp q4, q5, [%0, #64]\n\tstp q6, q7, [%0, #96]\n\t"
                     "stp q8, q9, [%0, #128]\n\tstp q10, q11, [%0, #160]\n\t"
                     "stp q12, q13, [%0, #192]\n\tstp q14, q15, [%0, #224]\n\t"
                     "stp q16, q17, [%0, #256]\n\tstp q18, q19, [%0, #288]\n\t"
                     "stp q20, q21, [%0, #320]\n\tstp q22, q23, [%0, #352]\n\t"
                     "stp q24, q25, [%0, #384]\n\tstp q26, q27, [%0, #416]\n\t"
                     "stp q28, q29, [%0, #448]\n\tstp q30, q31, [%0, #480]"
                     :
                     : "r"(v)
                     : "memory");
}

/* ---- one period ---- */

static void check_counts(struct nb_cpu *c, unsigned me, uint64_t p)
{
    uint64_t v = timer_now(), ph = ptimer_now();
    expect(v >= c->last_v, me, p, "virtual_count", "went back from %#lx to %#lx", c->last_v, v);
    expect(ph >= c->last_p, me, p, "physical_count", "went back from %#lx to %#lx", c->last_p, ph);
    c->last_v = v;
    c->last_p = ph;
}

static void arm_and_wait(struct nb_cpu *c, unsigned me, uint64_t p, uint64_t *fp)
{
    uint64_t fp_now[64], sys_ref[NR_SYSREGS], sys_now[NR_SYSREGS];
    for (unsigned i = 0; i < NR_PATTERN; i++)
        c->w.pattern[i] = pattern(p * 64 + me, i);
    write_sysregs(p * 64 + me);
    read_sysregs(sys_ref); /* what the registers hold, unimplemented bits and all */
    c->w.flags = 0;
    c->w.want = F_VT | F_PT | F_SGI;
    c->vt_cval = timer_now() + period_ticks;
    c->pt_cval = ptimer_now() + period_ticks;
    c->w.deadline = c->vt_cval + TIMEOUT_S * timer_freq();
    vtimer_set_cval(c->vt_cval);
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    ptimer_set_cval(c->pt_cval);
    ptimer_set_ctl(CNTV_CTL_ENABLE);
    gic_send_sgi(SGI_SELF, plat.mpidr[me]);
    fp_write(fp);
    unsigned bad_gpr = nb_wait(&c->w);
    fp_read(fp_now);
    read_sysregs(sys_now);
    expect(!bad_gpr, me, p, "gpr", "%lu of %lu general registers changed", bad_gpr, NR_PATTERN);
    unsigned bad_fp = 0;
    for (unsigned i = 0; i < 64; i++)
        bad_fp += fp_now[i] != fp[i];
    expect(!bad_fp, me, p, "fp", "%lu of %lu FP/SIMD halves changed", bad_fp, 64);
    for (unsigned i = 0; i < NR_SYSREGS; i++) {
        __atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED);
        if (sys_now[i] != sys_ref[i])
            fail(me, p, "sysreg", "%s %#lx -> %#lx", sysreg_names[i], sys_ref[i], sys_now[i]);
    }
}

static void check_timers(struct nb_cpu *c, unsigned me, uint64_t p)
{
    uint32_t f = c->w.flags;
    expect(f & F_VT, me, p, "virtual_timer", "did not fire within %lu s of cval %#lx", TIMEOUT_S,
           c->vt_cval);
    expect(f & F_PT, me, p, "physical_timer", "did not fire within %lu s of cval %#lx", TIMEOUT_S,
           c->pt_cval);
    expect(f & F_SGI, me, p, "sgi", "SGI %lu to itself did not arrive (flags %#lx)", SGI_SELF, f);
    if (f & F_VT) {
        expect(c->vt_at >= c->vt_cval, me, p, "virtual_timer_early", "at %#lx, cval %#lx", c->vt_at,
               c->vt_cval);
        uint64_t late = c->vt_at - c->vt_cval;
        if (late > c->max_late)
            c->max_late = late;
        if (late > c->window_late)
            c->window_late = late;
    }
    if (f & F_PT)
        expect(c->pt_at >= c->pt_cval, me, p, "physical_timer_early", "at %#lx, cval %#lx",
               c->pt_at, c->pt_cval);
    vtimer_set_ctl(0);
    ptimer_set_ctl(0);
    expect(!c->unexpected, me, p, "unexpected_irq", "%lu interrupts not asked for, last %lu",
           c->unexpected, c->last_unexpected);
    c->unexpected = 0;
}

static void debug_setup(void)
{
    write_sysreg(0, oslar_el1); /* the OS lock is set out of reset (Arm ARM D2.5) */
    write_sysreg(0, osdlr_el1);
    write_sysreg((uintptr_t)nb_bp_target, dbgbvr0_el1);
    write_sysreg(BCR_EL1_ALL, dbgbcr0_el1);
    write_sysreg(read_sysreg(mdscr_el1) | MDSCR_KDE | MDSCR_MDE, mdscr_el1);
    isb();
}

static void check_debug(unsigned me, uint64_t p)
{
    uint64_t oslsr = read_sysreg(oslsr_el1), osdlr = read_sysreg(osdlr_el1);
    if (!skip_oslock) {
        expect(!(oslsr & OSLSR_OSLK), me, p, "os_lock", "OSLSR_EL1 %#lx (locked), OSDLR_EL1 %#lx",
               oslsr, osdlr);
        expect(!(osdlr & 1), me, p, "os_double_lock", "OSDLR_EL1 %#lx, OSLSR_EL1 %#lx", osdlr,
               oslsr);
    }
    uint64_t bvr = read_sysreg(dbgbvr0_el1), bcr = read_sysreg(dbgbcr0_el1);
    expect(bvr == (uintptr_t)nb_bp_target && (bcr & 0x1ff) == BCR_EL1_ALL, me, p, "breakpoint_regs",
           "DBGBVR0 %#lx DBGBCR0 %#lx", bvr, bcr);
    struct exc_record r;
    exc_expect();
    __asm__ volatile("msr daifclr, #8" : : : "memory"); /* debug exceptions on, here only */
    nb_bp_target();
    __asm__ volatile("msr daifset, #8" : : : "memory");
    bool taken = exc_taken(&r);
    expect(taken && ESR_EC(r.esr) == EC_BKPT_CUR, me, p, "breakpoint",
           "hardware breakpoint taken %lu, ESR %#lx", (uint64_t)taken, r.esr);
}

static void run(unsigned me)
{
    struct nb_cpu *c = &cpus[me];
    uint64_t fp[64];
    gic_cpu_init(false);
    gic_enable(SGI_SELF);
    gic_enable(plat.timer_virt_ppi);
    gic_enable(plat.timer_phys_ppi);
    debug_setup();
    irq_enable();
    for (uint64_t p = 0; !opt_periods || p < opt_periods; p++) {
        for (unsigned i = 0; i < 64; i++)
            fp[i] = pattern(p * 64 + me, 200 + i);
        check_counts(c, me, p);
        arm_and_wait(c, me, p, fp);
        check_timers(c, me, p);
        check_debug(me, p);
        check_counts(c, me, p);
        if (me == 0) {
            WRITE_ONCE(periods_done, p + 1);
            if ((p + 1) % opt_report == 0) {
                printf("NEIGHBOUR-STATUS periods=%lu checks=%lu failures=%lu max_late_us=%lu "
                       "late_us=%lu\n",
                       p + 1, __atomic_load_n(&checks, __ATOMIC_RELAXED),
                       __atomic_load_n(&failures, __ATOMIC_RELAXED),
                       c->max_late * 1000000 / timer_freq(),
                       c->window_late * 1000000 / timer_freq());
                c->window_late = 0;
            }
        }
    }
    irq_disable();
}

void guest_secondary_main(unsigned idx)
{
    run(idx);
    __atomic_fetch_sub(&running, 1, __ATOMIC_RELEASE);
}

void guest_main(void *dtb)
{
    opt_periods = bootarg_u64("periods", 0);
    period_ticks = timer_us_to_ticks(bootarg_u64("period_ms", 20) * 1000);
    opt_report = bootarg_u64("report", 50);
    skip_oslock = bootarg_has("skip", "oslock");
    if (!opt_report)
        opt_report = 1;
    irq_set_handler(on_irq);
    if (!check(gic_init(), "neighbour_gic", "GICv3 distributor"))
        return;
    printf("NEIGHBOUR-START vcpus=%u periods=%lu period_ms=%lu%s\n", plat.nr_cpus, opt_periods,
           bootarg_u64("period_ms", 20), skip_oslock ? " skip=oslock" : "");
    running = 1;
    for (unsigned i = 1; i < plat.nr_cpus && i < MAX_VCPUS; i++)
        if (psci_cpu_on_index(i) == PSCI_SUCCESS)
            __atomic_fetch_add(&running, 1, __ATOMIC_RELAXED);
    run(0);
    /* Secondaries end a period or so later; a lost one is its own failure. */
    bool done =
        WAIT_FOR(__atomic_load_n(&running, __ATOMIC_ACQUIRE) == 1, (TIMEOUT_S + 1) * 1000000UL);
    check(done && !failures, "neighbour", "%lu periods, %lu checks, %lu failures", periods_done,
          checks, failures);
}
