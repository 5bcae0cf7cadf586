/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupts between two vCPUs (Arm IHI 0069): SGIs through ICC_SGI1R_EL1 as ping-pong in
 * both directions, the "all but self" routing mode, a target list naming both vCPUs, a vCPU
 * waiting in WFI woken by an SGI with interrupts unmasked and with PSTATE.I masked (as Linux's
 * idle loop does); SPIs following GICD_IROUTER to either vCPU, also when re-routed while
 * pending; and one virtual counter for both vCPUs.  vCPU 1 follows `phase`, set by vCPU 0.
 * ICC_SGI0R_EL1 and ICC_ASGI1R_EL1 are undefined instructions under a hypervisor, as on Xen.
 * Needs 2 vCPUs.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "sgi";

#define SGI_PING 2
#define SGI_PONG 3
#define SGI_WAKE 4
#define SGI_WAKE_MASKED 5
#define SGI_OTHERS 6
#define SGI_LIST 7
#define SPI 40 /* a free SPI (32 is the UART's) */
#define ROUNDS 100
/* Long enough for the other vCPU to be blocked in WFI, or for a misdirected interrupt to show.
 * On a slow host neither may have happened yet: the checks then test less, but do not fail. */
#define SETTLE_US 20000

enum phase { PH_START, PH_IDLE, PH_PING_BACK, PH_WFI, PH_WFI_MASKED, PH_COUNTER, PH_DONE };

static unsigned counts[2][64]; /* [receiving vCPU][INTID], each row written by its vCPU */
static uint64_t count_from_1, count_from_0, count_seen_by_1;
static unsigned phase, ready, ping_back_done, ping_back_ok, wfi_entered, wfi_masked_entered;
static uint64_t hppir_on_wake;

static unsigned received(unsigned cpu, unsigned intid)
{
    return __atomic_load_n(&counts[cpu][intid], __ATOMIC_ACQUIRE);
}

static void on_irq(unsigned intid)
{
    unsigned me = this_cpu();
    if (me > 1 || intid >= 64)
        return;
    __atomic_add_fetch(&counts[me][intid], 1, __ATOMIC_RELEASE);
    if (intid == SGI_PING)
        gic_send_sgi(SGI_PONG, plat.mpidr[1 - me]);
}

static void enable_sgis(void)
{
    static const unsigned sgis[] = { SGI_PING,        SGI_PONG,   SGI_WAKE,
                                     SGI_WAKE_MASKED, SGI_OTHERS, SGI_LIST };
    for (unsigned i = 0; i < ARRAY_SIZE(sgis); i++) {
        gic_set_priority(sgis[i], GIC_PRIO_DEFAULT);
        gic_enable(sgis[i]);
    }
}

/*
 * ICC_SGI0R_EL1 (Group 0 SGIs) and ICC_ASGI1R_EL1 (Group 1 SGIs of the other Security state)
 * trap to the hypervisor (HCR_EL2.FMO/IMO; IHI 0069, their register descriptions) like
 * ICC_SGI1R_EL1.  Xen's vGICv3 emulates only ICC_SGI1R_EL1 and makes the other two undefined
 * instructions (vgic_v3_emulate_sysreg; checked on Debian's Xen 4.17.7), and Linux never
 * writes them, so a Xen-ABI hypervisor does the same: an undefined instruction at the MSR, no
 * SGI.  Bare, what happens is the machine's business: a note.
 */
static void other_sgi_registers(void)
{
    static const char *const names[] = { "icc_sgi0r_undefined", "icc_asgi1r_undefined" };
    uint64_t v = (1UL << (this_mpidr() & 0xf)) | (uint64_t)SGI_LIST << 24; /* SGI to self */
    for (unsigned i = 0; i < 2; i++) {
        struct exc_record r;
        uint64_t at;
        unsigned before = received(0, SGI_LIST);
        exc_expect();
        if (i == 0)
            __asm__ volatile("adr %0, 1f\n"
                             "1: msr S3_2_C12_C11_7, %1\n\t" /* ICC_SGI0R_EL1 */
                             "isb"
                             : "=&r"(at)
                             : "r"(v)
                             : "memory");
        else
            __asm__ volatile("adr %0, 1f\n"
                             "1: msr S3_1_C12_C11_6, %1\n\t" /* ICC_ASGI1R_EL1 */
                             "isb"
                             : "=&r"(at)
                             : "r"(v)
                             : "memory");
        bool taken = exc_taken(&r);
        (void)gicd_read(GICD_TYPER); /* an exit: anything sent to us is delivered by now */
        bool got = received(0, SGI_LIST) != before;
        if (!plat.hypervisor) {
            note("%s: bare, %s, Group 1 SGI %s", names[i], taken ? "undefined" : "defined",
                 got ? "delivered" : "not delivered");
            continue;
        }
        check(taken && ESR_EC(r.esr) == EC_UNKNOWN && (r.esr & ESR_IL) && r.elr == at && !got,
              names[i], "%s ESR %#lx, ELR %s, SGI %s (want EC 0 at the MSR, no SGI)",
              taken ? "exception," : "NO EXCEPTION,", r.esr,
              r.elr == at ? "at the MSR" : "elsewhere", got ? "DELIVERED" : "not delivered");
    }
}

/* Send ROUNDS pings to the other vCPU, each after the previous pong.  Returns the rounds
 * completed. */
static uint64_t round_min[2], round_max[2];

static unsigned ping_pong(void)
{
    unsigned me = this_cpu(), other = 1 - me;
    unsigned base = received(me, SGI_PONG);
    round_min[me] = ~0UL;
    round_max[me] = 0;
    for (unsigned i = 1; i <= ROUNDS; i++) {
        uint64_t t0 = timer_now();
        gic_send_sgi(SGI_PING, plat.mpidr[other]);
        if (!WAIT_EVENT(received(me, SGI_PONG) == base + i))
            return i - 1;
        uint64_t t = timer_now() - t0;
        round_min[me] = t < round_min[me] ? t : round_min[me];
        round_max[me] = t > round_max[me] ? t : round_max[me];
    }
    return ROUNDS;
}

/* Microseconds from counter ticks. */
static uint64_t ticks_us(uint64_t t)
{
    return t * 1000000 / timer_freq();
}

static void secondary_wfi(void)
{
    WRITE_ONCE(wfi_entered, 1);
    uint64_t end = timer_deadline_us(EVENT_TIMEOUT_US);
    while (!received(1, SGI_WAKE) && !timer_passed(end))
        wfi();
}

/* WFI wakes for a pending interrupt even when PSTATE.I masks it (Arm ARM D1.16.2). */
static void secondary_wfi_masked(void)
{
    irq_disable();
    WRITE_ONCE(wfi_masked_entered, 1);
    uint64_t end = timer_deadline_us(EVENT_TIMEOUT_US);
    uint64_t hppir;
    while ((hppir = read_sysreg_s(ICC_HPPIR1_EL1) & 0xffffff) != SGI_WAKE_MASKED &&
           !timer_passed(end))
        wfi();
    WRITE_ONCE(hppir_on_wake, hppir);
    irq_enable(); /* now take it */
}

/* vCPU 1's half of the counter check: publish our count, then read ours after seeing vCPU 0's. */
static void secondary_counter(void)
{
    WRITE_ONCE(count_from_1, timer_now());
    if (WAIT_EVENT(READ_ONCE(count_from_0)))
        WRITE_ONCE(count_seen_by_1, timer_now());
}

void guest_secondary_main(unsigned idx)
{
    if (idx != 1 || !gic_cpu_init(false))
        return;
    enable_sgis();
    irq_enable();
    WRITE_ONCE(ready, 1);
    /* Each phase once, however long vCPU 0 takes to move on: no timeout decides it. */
    for (enum phase done = PH_START;;) {
        enum phase ph = READ_ONCE(phase);
        if (ph == PH_DONE)
            break;
        if (ph == done) {
            cpu_relax();
            continue;
        }
        done = ph;
        if (ph == PH_PING_BACK) {
            WRITE_ONCE(ping_back_ok, ping_pong());
            WRITE_ONCE(ping_back_done, 1);
        } else if (ph == PH_WFI) {
            secondary_wfi();
        } else if (ph == PH_WFI_MASKED) {
            secondary_wfi_masked();
        } else if (ph == PH_COUNTER) {
            secondary_counter();
        }
    }
    irq_disable();
}

static void routing_modes(void)
{
    unsigned before0 = received(0, SGI_OTHERS), before1 = received(1, SGI_OTHERS);
    gic_send_sgi_others(SGI_OTHERS);
    bool got = WAIT_EVENT(received(1, SGI_OTHERS) == before1 + 1);
    delay_us(SETTLE_US);
    check(got && received(0, SGI_OTHERS) == before0, "sgi_all_but_self",
          "IRM=1 SGI: vCPU 1 got %u, vCPU 0 (sender) got %u", received(1, SGI_OTHERS) - before1,
          received(0, SGI_OTHERS) - before0);

    /* Both vCPUs in one target list (Aff0 0 and 1, same Aff1-3). */
    bool same_cluster = (plat.mpidr[0] & ~0xfUL) == (plat.mpidr[1] & ~0xfUL);
    if (!same_cluster) {
        note("sgi_target_list: vCPUs 0 and 1 are in different clusters, skipped");
        return;
    }
    uint64_t v = (1UL << (plat.mpidr[0] & 0xf)) | (1UL << (plat.mpidr[1] & 0xf)) |
                 ((plat.mpidr[0] >> 8) & 0xff) << 16 | (uint64_t)SGI_LIST << 24 |
                 ((plat.mpidr[0] >> 16) & 0xff) << 32 | ((plat.mpidr[0] >> 32) & 0xff) << 48;
    dsb(ishst);
    write_sysreg_s(v, ICC_SGI1R_EL1);
    isb();
    got = WAIT_EVENT(received(0, SGI_LIST) == 1 && received(1, SGI_LIST) == 1);
    check(got, "sgi_target_list", "ICC_SGI1R %#lx (targets 0 and 1): vCPU 0 got %u, vCPU 1 got %u",
          v, received(0, SGI_LIST), received(1, SGI_LIST));
}

static void wfi_wakeups(void)
{
    WRITE_ONCE(phase, PH_WFI);
    bool in = WAIT_EVENT(READ_ONCE(wfi_entered));
    delay_us(SETTLE_US);
    uint64_t t0 = timer_now();
    gic_send_sgi(SGI_WAKE, plat.mpidr[1]);
    bool woke = WAIT_EVENT(received(1, SGI_WAKE) == 1);
    uint64_t us = (timer_now() - t0) * 1000000 / timer_freq();
    check(in && woke, "sgi_wakes_wfi", "vCPU 1 %s WFI, %s by the SGI (%lu us)",
          in ? "entered" : "did NOT enter", woke ? "woken" : "NOT woken", us);

    WRITE_ONCE(phase, PH_WFI_MASKED);
    in = WAIT_EVENT(READ_ONCE(wfi_masked_entered));
    delay_us(SETTLE_US);
    t0 = timer_now();
    gic_send_sgi(SGI_WAKE_MASKED, plat.mpidr[1]);
    woke = WAIT_EVENT(received(1, SGI_WAKE_MASKED) == 1);
    us = (timer_now() - t0) * 1000000 / timer_freq();
    check(in && woke && READ_ONCE(hppir_on_wake) == SGI_WAKE_MASKED, "sgi_wakes_wfi_masked",
          "vCPU 1 in WFI with IRQs masked %s (ICC_HPPIR1 %lu on waking, %lu us)",
          woke ? "woken by the SGI" : "NOT woken", READ_ONCE(hppir_on_wake), us);
}

/* An SPI goes where GICD_IROUTER points when it is delivered. */
static void spi_routing(void)
{
    gic_disable(SPI);
    gic_set_priority(SPI, GIC_PRIO_DEFAULT);
    for (unsigned to = 1;; to = 0) {
        char name[32];
        snprintf(name, sizeof(name), "spi_routed_to_vcpu%u", to);
        unsigned other = 1 - to, before = received(other, SPI);
        gic_route_spi(SPI, plat.mpidr[to]);
        gic_enable(SPI);
        gic_set_pending(SPI);
        bool got = WAIT_EVENT(received(to, SPI) == 1);
        check(got && received(other, SPI) == before, name,
              "SPI %u with IROUTER %#lx: vCPU %u got %u, vCPU %u got %u", SPI, plat.mpidr[to], to,
              received(to, SPI), other, received(other, SPI) - before);
        if (to == 0)
            break;
    }
    /* Pending while disabled and routed to vCPU 1, then re-routed to us and enabled. */
    gic_disable(SPI);
    gic_route_spi(SPI, plat.mpidr[1]);
    gic_set_pending(SPI);
    delay_us(SETTLE_US);
    gic_route_spi(SPI, plat.mpidr[0]);
    gic_enable(SPI);
    bool got = WAIT_EVENT(received(0, SPI) == 2);
    delay_us(SETTLE_US);
    check(got && received(1, SPI) == 1, "spi_rerouted_while_pending",
          "after re-routing a pending SPI from vCPU 1 to vCPU 0: vCPU 0 got %u, vCPU 1 got %u",
          received(0, SPI) - 1, received(1, SPI) - 1);
    gic_disable(SPI);
}

/* Both vCPUs read one virtual counter: a value read after seeing the other's is not smaller. */
static void counter_agreement(void)
{
    WRITE_ONCE(phase, PH_COUNTER);
    bool seen = WAIT_EVENT(READ_ONCE(count_from_1));
    uint64_t mine = timer_now(), theirs = READ_ONCE(count_from_1);
    WRITE_ONCE(count_from_0, timer_now());
    bool back = WAIT_EVENT(READ_ONCE(count_seen_by_1));
    uint64_t seen_by_1 = READ_ONCE(count_seen_by_1), sent = READ_ONCE(count_from_0);
    check(seen && back && mine >= theirs && seen_by_1 >= sent, "cntvct_same_on_both_vcpus",
          "vCPU 1 published %#lx, vCPU 0 then read %#lx; vCPU 0 published %#lx, vCPU 1 then read "
          "%#lx",
          theirs, mine, sent, seen_by_1);
    WRITE_ONCE(phase, PH_IDLE);
}

void guest_main(void *dtb)
{
    if (!check(plat.nr_cpus >= 2, "two_vcpus", "%u vCPUs", plat.nr_cpus))
        return;
    if (!check(gic_init() && gic_cpu_init(false), "gic_init", "GICD %#lx GICR %#lx", plat.gicd,
               plat.gicr))
        return;
    irq_set_handler(on_irq);
    enable_sgis();
    irq_enable();
    WRITE_ONCE(phase, PH_IDLE);
    uint64_t t_on = timer_now();
    int64_t r = psci_cpu_on_index(1);
    bool up = r == PSCI_SUCCESS && WAIT_EVENT(READ_ONCE(ready));
    uint64_t took = ticks_us(timer_now() - t_on);
    /* start.S records CurrentEL on entry: non-zero once vCPU 1 ran its first instructions. */
    bool entered = READ_ONCE(guest_entry_regs[1][ENTRY_EL]) != 0;
    if (!check(up, "vcpu1_up", "CPU_ON = %ld, vCPU 1 %s after %lu us%s", r,
               up ? "ready" : "NOT ready", took,
               up        ? ""
               : entered ? " (it did start)"
                         : " (it never started)"))
        return;

    uint64_t t0 = timer_now();
    unsigned done = ping_pong();
    uint64_t us = (timer_now() - t0) * 1000000 / timer_freq();
    check(done == ROUNDS && received(1, SGI_PING) == ROUNDS, "sgi_ping_pong_0_to_1",
          "%u/%u rounds, vCPU 1 got %u pings, vCPU 0 %u pongs, round trip %lu us on average, "
          "%lu-%lu us",
          done, ROUNDS, received(1, SGI_PING), received(0, SGI_PONG), us / ROUNDS,
          ticks_us(round_min[0]), ticks_us(round_max[0]));

    WRITE_ONCE(phase, PH_PING_BACK);
    /* vCPU 1's rounds may take long on a loaded host: wait as long as its pings come. */
    bool fin = WAIT_PROGRESS(READ_ONCE(ping_back_done), received(0, SGI_PING));
    check(fin && READ_ONCE(ping_back_ok) == ROUNDS && received(0, SGI_PING) == ROUNDS,
          "sgi_ping_pong_1_to_0",
          "%u/%u rounds, vCPU 0 got %u pings, vCPU 1 %u pongs, round trip "
          "%lu-%lu us",
          READ_ONCE(ping_back_ok), ROUNDS, received(0, SGI_PING), received(1, SGI_PONG),
          ticks_us(round_min[1]), ticks_us(round_max[1]));
    WRITE_ONCE(phase, PH_IDLE);

    routing_modes();
    other_sgi_registers();
    spi_routing();
    counter_agreement();
    wfi_wakeups();
    WRITE_ONCE(phase, PH_DONE);
    bool off =
        WAIT_EVENT(psci_call(PSCI_64(PSCI_AFFINITY_INFO), plat.mpidr[1], 0, 0) == PSCI_AFF_OFF);
    check(off, "vcpu1_off", "vCPU 1 %s after its test", off ? "powered off" : "did NOT power off");
}
