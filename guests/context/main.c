/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A vCPU's register state survives being switched out: each of two vCPUs fills EL0/EL1
 * system registers Linux rarely changes (SP_EL0, TPIDR*, CONTEXTIDR, PAR, AMAIR, AFSR*, FAR,
 * ESR, ELR, SPSR, TTBR1, CNTKCTL, CSSELR, the timer compare values, breakpoint and watchpoint
 * 0, not enabled) and the FP/SIMD registers (V0-V31, FPCR, FPSR) with its own values, waits while the hypervisor may run the other vCPU
 * or another domain on its CPU (spinning past a time slice, or blocked in WFI), and checks
 * that every register reads back what it read right after the write.  Needs 2 vCPUs.
 */
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "context";

#define ROUNDS 4
#define WAIT_US 30000 /* three 10 ms time slices */

/* The registers: name, and a mask of the bits a test value may set. */
#define SYSREGS(X)                                                                                 \
    X(sp_el0, ~0UL)                                                                                \
    X(tpidr_el0, ~0UL)                                                                             \
    X(tpidrro_el0, ~0UL)                                                                           \
    X(contextidr_el1, 0xffffffffUL)                                                                \
    X(par_el1, 0xfffffffffffff000UL)                                                               \
    X(amair_el1, ~0UL)                                                                             \
    X(afsr0_el1, 0xffffffffUL)                                                                     \
    X(afsr1_el1, 0xffffffffUL)                                                                     \
    X(far_el1, ~0UL)                                                                               \
    X(esr_el1, 0x1ffffffUL)                                                                        \
    X(elr_el1, ~0UL)                                                                               \
    X(spsr_el1, 0xf00003c5UL)                                                                      \
    X(ttbr1_el1, 0xffff00fffffff000UL)                                                             \
    X(cntkctl_el1, 0x303UL)                                                                        \
    X(csselr_el1, 0x2UL)                                                                           \
    X(cntv_cval_el0, ~0UL)                                                                         \
    X(cntp_cval_el0, ~0UL)                                                                         \
    X(fpcr, 0x7c00000UL)                                                                           \
    X(fpsr, 0xf800009fUL)                                                                          \
    X(dbgbvr0_el1, 0x0000fffffffffffcUL)                                                           \
    X(dbgbcr0_el1, 0x1e6UL)                                                                        \
    X(dbgwvr0_el1, 0x0000fffffffffff8UL)                                                           \
    X(dbgwcr0_el1, 0x1fe6UL)

#define NAME(r, m) #r,
static const char *const reg_names[] = { SYSREGS(NAME) };
#define NREGS ARRAY_SIZE(reg_names)
enum { REG_CNTV_CVAL = 15 }; /* index in SYSREGS: WFI rounds use the virtual timer */

static uint64_t pattern(uint64_t seed, unsigned i)
{
    uint64_t v = (seed + 1) * 0x9e3779b97f4a7c15UL;
    return v ^ (v >> 29) ^ ((uint64_t)i << 40) ^ i;
}

static void write_sysregs(uint64_t seed, bool skip_cntv)
{
    unsigned i = 0;
#define WRITE(r, m)                                                                                \
    if (!(skip_cntv && i == REG_CNTV_CVAL))                                                        \
        write_sysreg(pattern(seed, i) & (m), r);                                                   \
    i++;
    SYSREGS(WRITE)
#undef WRITE
    isb();
}

static void read_sysregs(uint64_t *out)
{
    unsigned i = 0;
#define READ(r, m) out[i++] = read_sysreg(r);
    SYSREGS(READ)
#undef READ
}

/* Wait: spinning (IRQs masked), or in WFI until the virtual timer is due (IRQs masked too,
 * so no exception changes ELR/SPSR/ESR/FAR: WFI wakes for a pending interrupt anyway). */
static void wait(bool in_wfi)
{
    if (!in_wfi) {
        delay_us(WAIT_US);
        return;
    }
    unsigned ppi = plat.timer_virt_ppi;
    uint64_t end = timer_deadline_us(WAIT_US);
    vtimer_set_cval(end);
    vtimer_set_ctl(CNTV_CTL_ENABLE);
    while (!timer_passed(end + timer_us_to_ticks(1000)))
        wfi();
    vtimer_set_ctl(0);
    /* Drop the timer interrupt the GIC latched while we slept. */
    uint64_t sgi = gic_rdist() + GICR_SGI_BASE;
    mmio_write32(sgi + GICR_ICPENDR0, 1u << ppi);
}

struct result {
    unsigned bad_sys, bad_fp; /* rounds with a mismatch */
    char first[160];          /* the first mismatch */
};

static void run_rounds(unsigned me, bool in_wfi, struct result *res)
{
    uint64_t ref[NREGS], now[NREGS], fp[64], fp_now[64];
    memset(res, 0, sizeof(*res));
    for (unsigned r = 0; r < ROUNDS; r++) {
        uint64_t seed = me * 100 + r * 2 + in_wfi;
        for (unsigned i = 0; i < 64; i++)
            fp[i] = pattern(seed ^ 0x5a5a, i);
        write_sysregs(seed, in_wfi);
        fp_write_all(fp);
        read_sysregs(ref); /* what the registers hold, unimplemented bits and all */
        wait(in_wfi);
        fp_read_all(fp_now);
        read_sysregs(now);
        for (unsigned i = 0; i < NREGS; i++) {
            if ((in_wfi && i == REG_CNTV_CVAL) || now[i] == ref[i])
                continue;
            if (!res->first[0])
                snprintf(res->first, sizeof(res->first), "%s %#lx -> %#lx (round %u)", reg_names[i],
                         ref[i], now[i], r);
            res->bad_sys++;
            break;
        }
        for (unsigned i = 0; i < 64; i++) {
            if (fp_now[i] == fp[i])
                continue;
            if (!res->first[0])
                snprintf(res->first, sizeof(res->first), "V%u.%s %#lx -> %#lx (round %u)", i / 2,
                         i & 1 ? "hi" : "lo", fp[i], fp_now[i], r);
            res->bad_fp++;
            break;
        }
    }
}

static void report(unsigned me, bool in_wfi, const struct result *res)
{
    char name[48];
    snprintf(name, sizeof(name), "context_vcpu%u_%s", me, in_wfi ? "wfi" : "spin");
    check(!res->bad_sys && !res->bad_fp, name,
          "%u rounds of %u system registers and V0-V31 across %u us %s: %u/%u rounds bad%s%s",
          ROUNDS, (unsigned)NREGS, WAIT_US, in_wfi ? "in WFI" : "spinning", res->bad_sys,
          res->bad_fp, res->first[0] ? "; first: " : "", res->first);
}

static unsigned done1;

void guest_secondary_main(unsigned idx)
{
    struct result res;
    if (idx != 1 || !gic_cpu_init(false))
        return;
    gic_enable(plat.timer_virt_ppi);
    run_rounds(1, false, &res);
    report(1, false, &res);
    run_rounds(1, true, &res);
    report(1, true, &res);
    WRITE_ONCE(done1, 1);
}

void guest_main(void *dtb)
{
    struct result res;
    if (!check(plat.nr_cpus >= 2 && gic_init() && gic_cpu_init(false), "setup", "%u vCPUs, GIC",
               plat.nr_cpus))
        return;
    gic_enable(plat.timer_virt_ppi);
    int64_t r = psci_cpu_on_index(1);
    if (!check(r == PSCI_SUCCESS, "vcpu1_on", "CPU_ON = %ld", r))
        return;
    run_rounds(0, false, &res);
    report(0, false, &res);
    run_rounds(0, true, &res);
    report(0, true, &res);
    bool fin = WAIT_EVENT(READ_ONCE(done1));
    check(fin, "vcpu1_done", "vCPU 1 %s", fin ? "finished" : "did NOT finish");
}
