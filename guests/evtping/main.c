/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two domains notify each other through a dom0less static event channel (xen-abi-facts C.3,
 * H.5), found by the port number in their boot configuration: `evt.port=P` (our end),
 * `evt.role=ping|pong`, `evt.rounds=N`.  ping sends and blocks in WFI until an event comes
 * back, N times, and reports the round trips in counter ticks:
 *   EVTPING rounds=N ticks=T freq=F ns_per_rt=R
 * pong answers each batch of events it takes, binds VIRQ_DOM_EXC, and ends once ping's domain
 * has gone (its end of the channel is unbound again):
 *   EVTPONG replies=M dom_exc=K
 * Pending is a bit: the event the static bind leaves pending and a send can merge, so pong
 * counts batches, not sends; each ping send is still answered, so nothing waits for ever.
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"
#include "timer.h"
#include "xen_events.h"

const char guest_name[] = "evtping";

static evtchn_port_t port;

/* The virtual timer only ends a WFI that waited too long (the safety net). */
static void on_other_irq(unsigned intid)
{
    if (intid == plat.timer_virt_ppi)
        write_sysreg(CNTV_CTL_IMASK, cntv_ctl_el0);
}

/* Block in WFI until seen(p) passes last; false after the safety net (EVENT_TIMEOUT_US). */
static bool wait_event_after(evtchn_port_t p, unsigned last, evtchn_port_t q, unsigned q_last)
{
    uint64_t end = timer_deadline_us(EVENT_TIMEOUT_US);
    for (;;) {
        irq_disable();
        if (xev_seen(p) != last || (q && xev_seen(q) != q_last)) {
            irq_enable();
            return true;
        }
        if (timer_passed(end)) {
            irq_enable();
            return false;
        }
        write_sysreg(timer_now() + timer_us_to_ticks(100000), cntv_cval_el0);
        write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
        isb();
        wfi(); /* an interrupt pending while masked ends it; it is taken below */
        irq_enable();
    }
}

static long send(evtchn_port_t p)
{
    struct evtchn_send s = { .port = p };
    return evtchn_op(EVTCHNOP_send, &s);
}

static uint32_t status(evtchn_port_t p)
{
    struct evtchn_status s = { .dom = DOMID_SELF, .port = p };
    return evtchn_op(EVTCHNOP_status, &s) ? 0xff : s.status;
}

#define MAX_SAMPLES 4096
static uint64_t samples[MAX_SAMPLES];

static void sort(uint64_t *a, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && a[j - 1] > a[j]; j--) {
            uint64_t t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
}

/* The bench guest's line format, so scripts/bench can read it:
 * BENCH evtchn_roundtrip min=NS median=NS p99=NS n=N */
static void report(unsigned n)
{
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    if (!n)
        return;
    sort(samples, n);
    uint64_t f = timer_freq();
    printf("BENCH evtchn_roundtrip min=%lu median=%lu p99=%lu n=%u\n",
           samples[0] * 1000000000UL / f, samples[n / 2] * 1000000000UL / f,
           samples[(n * 99) / 100] * 1000000000UL / f, n);
}

static void ping(unsigned rounds)
{
    unsigned done = 0;
    long err = 0;
    uint64_t start = timer_now();
    for (; done < rounds; done++) {
        unsigned last = xev_seen(port);
        uint64_t t0 = timer_now();
        if ((err = send(port)))
            break;
        if (!wait_event_after(port, last, 0, 0))
            break;
        if (done < MAX_SAMPLES)
            samples[done] = timer_now() - t0;
    }
    uint64_t ticks = timer_now() - start;
    report(done);
    check(done == rounds, "ping_rounds", "%u of %u round trips (send %ld)", done, rounds, err);
    printf("EVTPING rounds=%u ticks=%lu freq=%lu ns_per_rt=%lu\n", done, ticks, timer_freq(),
           done ? ticks * 1000000000UL / timer_freq() / done : 0);
}

static void pong(void)
{
    struct evtchn_bind_virq v = { .virq = VIRQ_DOM_EXC };
    long r = evtchn_op(EVTCHNOP_bind_virq, &v);
    if (!check(r == 0, "bind_dom_exc", "bind_virq(VIRQ_DOM_EXC) = %ld", r))
        return;
    unsigned handled = 0, replies = 0, exc = 0;
    for (;;) {
        if (!wait_event_after(port, handled, v.port, exc))
            break;
        if (xev_seen(port) != handled) {
            handled = xev_seen(port);
            if (send(port) == 0)
                replies++;
        }
        if (xev_seen(v.port) != exc) {
            exc = xev_seen(v.port);
            /* A domain shut down: ping is done once its end is gone (kill follows shutdown). */
            if (WAIT_EVENT(status(port) != EVTCHNSTAT_interdomain))
                break;
        }
    }
    /* No wait for ping's memory to be back: Keel powers off only after every teardown in
     * progress has ended, so ping's "memory returned" comes whenever we end.  (A wait for the
     * second VIRQ_DOM_EXC, raised when ping's kill is done, could find it merged with the
     * first and then spin until its safety net: 30 s of machine time, minutes under -icount.) */
    exc = xev_seen(v.port);
    check(exc > 0 && status(port) == EVTCHNSTAT_unbound, "pong_peer_gone",
          "VIRQ_DOM_EXC %u times, our end's status %u (1: unbound, waiting for ping again)", exc,
          status(port));
    printf("EVTPONG replies=%u dom_exc=%u\n", replies, exc);
}

void guest_main(void *dtb)
{
    port = (evtchn_port_t)bootarg_u64("evt.port", 0);
    unsigned rounds = (unsigned)bootarg_u64("evt.rounds", 100);
    bool is_ping = bootarg_is("evt.role", "ping");
    if (!check(plat.hypervisor && port, "config", "hypervisor %d, evt.port=%u", plat.hypervisor,
               port))
        return;
    if (!check(gic_init() && gic_cpu_init(false), "gic_init", "GIC ready"))
        return;
    gic_set_priority(plat.timer_virt_ppi, GIC_PRIO_DEFAULT);
    gic_enable(plat.timer_virt_ppi);
    long r = xev_init(on_other_irq);
    if (r == -XEN_ENOSYS) {
        /* A Keel without memory_op cannot map shared_info: the runner reports a skip. */
        note("evtping: no memory_op to map shared_info (%ld)", r);
        printf("EVTPING skipped=no-memory-op\n");
        return;
    }
    if (!check(r == 0, "map_shared_info", "add_to_physmap(shared_info) = %ld", r))
        return;
    check(status(port) == EVTCHNSTAT_interdomain, "static_channel", "port %u status %u", port,
          status(port));
    if (is_ping)
        ping(rounds);
    else
        pong();
}
