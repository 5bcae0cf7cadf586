/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the virtual timers (hyp/arch/arm64/vtimer.c), included here with its system
 * registers redirected to a fake register file.  Time is host_counter; core timers, the vGIC
 * and the interrupt layer are doubles that record what the vtimer asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/sysreg.h>
#include <hyp/arch/cpu.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>

/* --- fake system registers --- */

static struct {
    uint64_t cntv_ctl, cntv_cval, cntvoff, cnthctl;
} hw;

static uint64_t *fake_reg(const char *name)
{
    if (!strcmp(name, "cntv_ctl_el0"))
        return &hw.cntv_ctl;
    if (!strcmp(name, "cntv_cval_el0"))
        return &hw.cntv_cval;
    if (!strcmp(name, "cntvoff_el2"))
        return &hw.cntvoff;
    if (!strcmp(name, "cnthctl_el2"))
        return &hw.cnthctl;
    fail_msg("unexpected system register %s", name);
    return NULL;
}

#undef read_sysreg
#undef write_sysreg
#undef isb
#define read_sysreg(r) (*fake_reg(#r))
#define write_sysreg(v, r) (*fake_reg(#r) = (uint64_t)(v))
#define isb()

/* A counter frequency whose ticks are not whole nanoseconds, to exercise rounding. */
static uint64_t test_freq = 24000000;
#define arch_counter_freq() (test_freq)
#include "../../hyp/arch/arm64/vtimer.c"
#undef arch_counter_freq

/* --- doubles --- */

struct percpu percpu_data[MAX_CPUS];

static bool forwarding;
static irq_handler_fn ppi27;
static unsigned registered, enabled_mask;
static int level[32];       /* last level driven per private INTID, -1 = never */
static unsigned pulses[32]; /* vgic_inject */
static unsigned hw_injects;

uint64_t time_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)((unsigned __int128)ticks * 1000000000 / test_freq);
}

uint64_t time_ns_to_ticks_ceil(uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * test_freq + 999999999) / 1000000000);
}

void timer_init(struct timer *t, timer_fn fn, void *ctx)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->ctx = ctx;
}

void timer_set(struct timer *t, uint64_t deadline, unsigned cpu)
{
    t->deadline = deadline;
    t->cpu = cpu;
    t->active = true;
}

void timer_cancel(struct timer *t)
{
    t->active = false;
}

void timer_kill(struct timer *t)
{
    t->active = false;
    t->killed = true;
}

/* Run t's handler as the timer interrupt would once time_now_ns() >= its deadline. */
static void fire(struct timer *t)
{
    assert_true(t->active);
    assert_true(time_ticks_to_ns(host_counter) >= t->deadline);
    t->active = false;
    t->fn(t, t->ctx);
}

void vgic_set_level(struct domain *d, struct vcpu *v, unsigned intid, bool lvl)
{
    assert_ptr_equal(v, current_vcpu() ? current_vcpu() : v);
    level[intid] = lvl;
}

void vgic_inject(struct domain *d, struct vcpu *v, unsigned intid)
{
    pulses[intid]++;
}

bool vgic_inject_hw(struct vcpu *v, unsigned vintid, unsigned pintid)
{
    assert_int_equal(vintid, 27);
    assert_int_equal(pintid, 27);
    if (!forwarding)
        return false;
    hw_injects++;
    return true;
}

static vgic_sample_fn sampler27;

void vgic_set_sampler(unsigned intid, vgic_sample_fn fn)
{
    assert_int_equal(intid, 27);
    sampler27 = fn;
}

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    assert_int_equal(irq, 27);
    ppi27 = fn;
    registered++;
    return 0;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
    enabled_mask |= 1u << cpu;
}

bool cpu_online(unsigned cpu)
{
    return cpu < 2;
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

/* --- fixture --- */

static struct domain dom;
static struct vcpu vc;

static int setup(void **state)
{
    memset(&hw, 0, sizeof(hw));
    memset(&dom, 0, sizeof(dom));
    memset(&vc, 0, sizeof(vc));
    for (unsigned i = 0; i < 32; i++) {
        level[i] = -1;
        pulses[i] = 0;
    }
    hw_injects = 0;
    forwarding = true;
    percpu_data[1].current = NULL;
    hw.cnthctl = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN; /* as arch_timer_init_cpu leaves it */
    percpu_data[1].id = 1;
    arch_set_this_cpu(&percpu_data[1]);
    host_counter = 5000000;
    vc.dom = &dom;
    dom.vcpus[0] = &vc;
    dom.nr_vcpus = 1;
    vtimer_domain_init(&dom);
    assert_int_equal(vtimer_vcpu_init(&vc), 0);
    return 0;
}

/* The run loop's view: the vCPU is loaded (hardware timer live) until put away. */
static void load(void)
{
    vtimer_restore(&vc);
    percpu_data[1].current = &vc;
}

static void put(void)
{
    percpu_data[1].current = NULL;
    vtimer_save(&vc);
}

/* --- tests --- */

static void domain_init_offsets_and_irq(void **state)
{
    assert_int_equal(dom.arch.cntvoff, 5000000);
    assert_int_equal(registered, 1); /* once for all domains */
    assert_int_equal(enabled_mask, 3);
    struct domain d2 = { 0 };
    host_counter = 7000000;
    vtimer_domain_init(&d2);
    assert_int_equal(d2.arch.cntvoff, 7000000);
    assert_int_equal(registered, 1);
}

static void save_restore_roundtrip(void **state)
{
    vc.arch.vtimer.cntv_cval = 1234;
    vc.arch.vtimer.cntv_ctl = CNT_CTL_ENABLE | CNT_CTL_IMASK;
    load();
    assert_int_equal(hw.cntvoff, 5000000);
    assert_int_equal(hw.cntv_cval, 1234);
    assert_int_equal(hw.cntv_ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    assert_int_equal(hw.cnthctl & (CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN), CNTHCTL_EL1PCTEN);
    assert_true(vc.arch.vtimer.loaded);
    assert_int_equal(level[27], 0);
    /* The guest programs the timer; ISTATUS is not kept. */
    hw.cntv_cval = 99;
    hw.cntv_ctl = CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS;
    put();
    assert_int_equal(hw.cntv_ctl, 0); /* off in the hardware */
    assert_int_equal(vc.arch.vtimer.cntv_cval, 99);
    assert_int_equal(vc.arch.vtimer.cntv_ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    assert_false(vc.arch.vtimer.loaded);
    assert_false(vc.arch.vtimer.virt_timer.active); /* masked: nothing to wait for */
}

static void offcpu_expiry_raises_ppi27(void **state)
{
    load();
    /* Guest virtual count is now 0; it asks for an interrupt 24000 ticks (1 ms) later. */
    hw.cntv_cval = 24000;
    hw.cntv_ctl = CNT_CTL_ENABLE;
    put();
    struct timer *t = &vc.arch.vtimer.virt_timer;
    assert_true(t->active);
    assert_int_equal(t->cpu, 1);
    assert_int_equal(t->deadline, time_ticks_to_ns(5000000 + 24000));
    assert_int_equal(level[27], 0); /* low since the load */
    host_counter = 5000000 + 24000;
    fire(t);
    assert_int_equal(level[27], 1);
    /* Loaded again: the hardware takes over, the software line drops. */
    load();
    assert_int_equal(level[27], 0);
    assert_false(t->active);
    assert_int_equal(hw.cntv_cval, 24000);
    assert_int_equal(hw.cntv_ctl, CNT_CTL_ENABLE);
}

static void offcpu_already_expired_or_off(void **state)
{
    load();
    hw.cntv_cval = 10;
    hw.cntv_ctl = CNT_CTL_ENABLE;
    host_counter += 100;
    put();
    assert_int_equal(level[27], 1);
    assert_false(vc.arch.vtimer.virt_timer.active);
    load();
    level[27] = -1;
    hw.cntv_ctl = 0; /* disabled */
    put();
    assert_int_equal(level[27], -1);
    assert_false(vc.arch.vtimer.virt_timer.active);
    /* A compare value so far away it never comes: no timer at all. */
    load();
    hw.cntv_cval = ~0UL - 10;
    hw.cntv_ctl = CNT_CTL_ENABLE;
    put();
    assert_int_equal(level[27], 0);
    assert_false(vc.arch.vtimer.virt_timer.active);
}

static void offcpu_timer_late_or_early(void **state)
{
    load();
    hw.cntv_cval = 24000;
    hw.cntv_ctl = CNT_CTL_ENABLE;
    put();
    struct timer *t = &vc.arch.vtimer.virt_timer;
    /* Handler runs after the vCPU was loaded again elsewhere: the hardware has it. */
    load();
    host_counter = 6000000;
    t->fn(t, t->ctx);
    assert_int_equal(level[27], 0);
    /* Handler runs before the count is there (a coarse core timer): it re-arms. */
    hw.cntv_cval = 2000000;
    put();
    assert_true(t->active);
    host_counter = 6999999;
    t->active = false;
    t->fn(t, t->ctx);
    assert_true(t->active);
    assert_int_equal(level[27], 0);
}

static void deadlines_never_early(void **state)
{
    static const uint64_t freqs[] = { 24000000, 62500000, 1000000000, 19200000, 3, 3000000000 };
    for (unsigned f = 0; f < ARRAY_SIZE(freqs); f++) {
        test_freq = freqs[f];
        for (uint64_t t = 0; t < 5000; t += 7) {
            /* The first count at which time_now_ns() reaches the deadline: never before t,
             * and exactly t when a tick is at least a nanosecond. */
            uint64_t first = time_ns_to_ticks_ceil(deadline_of(t));
            assert_true(first >= t);
            if (test_freq <= 1000000000)
                assert_int_equal(first, t);
        }
        if (test_freq <= 1000000000) /* 2^64 ticks: centuries away */
            assert_int_equal(deadline_of(~0UL), ~0UL);
    }
    test_freq = 24000000;
    assert_int_equal(virt_to_phys(100, 50), 150);
    assert_int_equal(virt_to_phys(~0UL - 10, 50), ~0UL);
}

static void ppi27_forwarded_or_masked(void **state)
{
    /* No vCPU on this pCPU: the stray timer is switched off. */
    hw.cntv_ctl = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
    assert_int_equal(ppi27(27, NULL), IRQ_EOI);
    assert_int_equal(hw.cntv_ctl, 0);
    assert_int_equal(hw_injects, 0);
    load();
    hw.cntv_ctl = CNT_CTL_ENABLE;
    assert_int_equal(ppi27(27, NULL), IRQ_FORWARDED);
    assert_int_equal(hw_injects, 1);
    assert_int_equal(hw.cntv_ctl, CNT_CTL_ENABLE); /* untouched: the guest's EOI ends it */
    /* The vGIC cannot link it: mask the output and inject a pulse instead. */
    forwarding = false;
    assert_int_equal(ppi27(27, NULL), IRQ_EOI);
    assert_int_equal(hw_injects, 1);
    assert_int_equal(pulses[27], 1);
    assert_int_equal(hw.cntv_ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

/* The vGIC asks whether PPI 27's line is up: the timer condition of the loaded vCPU. */
static void ppi27_line_sampled(void **state)
{
    assert_non_null(sampler27);
    load();
    static const struct {
        uint64_t ctl;
        bool up;
    } cases[] = {
        { CNT_CTL_ENABLE | CNT_CTL_ISTATUS, true },
        { CNT_CTL_ENABLE, false },
        { CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS, false },
        { CNT_CTL_ISTATUS, false }, /* ISTATUS is UNKNOWN while disabled */
        { 0, false },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        hw.cntv_ctl = cases[i].ctl;
        assert_int_equal(sampler27(&vc, 27), cases[i].up);
    }
    /* Not loaded: the saved state drives the level; the sampler cannot tell. */
    put();
    assert_true(sampler27(&vc, 27));
}

static uint64_t sysreg_rd(unsigned enc)
{
    uint64_t val = 0xdead;
    assert_true(vtimer_sysreg(&vc, enc, false, &val));
    return val;
}

static void sysreg_wr(unsigned enc, uint64_t val)
{
    assert_true(vtimer_sysreg(&vc, enc, true, &val));
}

static void cntp_emulation(void **state)
{
    load();
    struct timer *t = &vc.arch.vtimer.phys_timer;
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CTL_EL0), 0);
    /* TVAL write: CVAL = count + value; TVAL read counts down. */
    sysreg_wr(SYSREG_CNTP_TVAL_EL0, 1000);
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CVAL_EL0), 5001000);
    host_counter += 400;
    assert_int_equal(sysreg_rd(SYSREG_CNTP_TVAL_EL0), 600);
    assert_false(t->active); /* not enabled yet */
    sysreg_wr(SYSREG_CNTP_CTL_EL0, CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CTL_EL0), CNT_CTL_ENABLE);
    assert_true(t->active);
    assert_int_equal(level[30], 0);
    host_counter = 5001000;
    fire(t);
    assert_int_equal(level[30], 1);
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CTL_EL0), CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
    /* Past the compare value TVAL reads negative (32-bit two's complement). */
    host_counter += 5;
    assert_int_equal(sysreg_rd(SYSREG_CNTP_TVAL_EL0), 0xfffffffb);
    /* Masking drops the line but keeps ISTATUS. */
    sysreg_wr(SYSREG_CNTP_CTL_EL0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
    assert_int_equal(level[30], 0);
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CTL_EL0),
                     CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
    /* A negative TVAL is in the past: the line rises at once. */
    sysreg_wr(SYSREG_CNTP_CTL_EL0, CNT_CTL_ENABLE);
    sysreg_wr(SYSREG_CNTP_TVAL_EL0, 0xffffff00);
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CVAL_EL0), host_counter - 256);
    assert_int_equal(level[30], 1);
    assert_false(t->active);
    /* A new compare value in the future drops it and arms the timer again. */
    sysreg_wr(SYSREG_CNTP_CVAL_EL0, host_counter + 24);
    assert_int_equal(level[30], 0);
    assert_true(t->active);
    /* Disabled: no line, no timer, no ISTATUS. */
    sysreg_wr(SYSREG_CNTP_CTL_EL0, 0);
    assert_false(t->active);
    assert_int_equal(level[30], 0);
    host_counter += 1000;
    assert_int_equal(sysreg_rd(SYSREG_CNTP_CTL_EL0), 0);
}

static void sysreg_other_registers(void **state)
{
    uint64_t val = 0;
    assert_false(vtimer_sysreg(&vc, SYSREG_ICC_SGI1R_EL1, true, &val));
    assert_false(vtimer_sysreg(&vc, SYSREG(3, 3, 14, 3, 1), false, &val)); /* CNTV_CTL_EL0 */
    assert_false(vtimer_sysreg(&vc, SYSREG_CNTPCT_EL0, true, &val));
    assert_int_equal(sysreg_rd(SYSREG_CNTPCT_EL0), host_counter);
    /* The encodings are what a trapped MRS x3, CNTP_CTL_EL0 reports in ESR_EL2.ISS. */
    unsigned iss = 3u << 20 | 1u << 17 | 3u << 14 | 14u << 10 | 3u << 5 | 2u << 1 | 1u;
    assert_int_equal(SYSREG_ENC(iss), SYSREG_CNTP_CTL_EL0);
}

static void destroy_cancels(void **state)
{
    load();
    sysreg_wr(SYSREG_CNTP_TVAL_EL0, 1000);
    sysreg_wr(SYSREG_CNTP_CTL_EL0, CNT_CTL_ENABLE);
    hw.cntv_cval = 24000;
    hw.cntv_ctl = CNT_CTL_ENABLE;
    put();
    assert_true(vc.arch.vtimer.phys_timer.active && vc.arch.vtimer.virt_timer.active);
    vtimer_vcpu_kill(&vc);
    assert_false(vc.arch.vtimer.phys_timer.active || vc.arch.vtimer.virt_timer.active);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(domain_init_offsets_and_irq, setup),
        cmocka_unit_test_setup(save_restore_roundtrip, setup),
        cmocka_unit_test_setup(offcpu_expiry_raises_ppi27, setup),
        cmocka_unit_test_setup(offcpu_already_expired_or_off, setup),
        cmocka_unit_test_setup(offcpu_timer_late_or_early, setup),
        cmocka_unit_test_setup(deadlines_never_early, setup),
        cmocka_unit_test_setup(ppi27_forwarded_or_masked, setup),
        cmocka_unit_test_setup(ppi27_line_sampled, setup),
        cmocka_unit_test_setup(cntp_emulation, setup),
        cmocka_unit_test_setup(sysreg_other_registers, setup),
        cmocka_unit_test_setup(destroy_cancels, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
