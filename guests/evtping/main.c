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
 * `evt.role=intruder evt.port=P evt.target=T`: a third domain, joined to pong (domain D, read
 * from the channel's status) by a static channel of its own (our port P), tries to take port T of D (pong's end towards
 * ping) and every other port of D, to make and read ports in D, and to bind to a domain that
 * does not exist; each is refused.  pong, given `evt.watch=W` (its end towards us), ends only
 * after we have: D is there for every check, whatever the order the domains run in.
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
    /* Xen sends VIRQ_DOM_EXC to its control domain only: under Xen (make bench) pong then
     * answers until the run is stopped. */
    bool exc_bound = check(r == 0 || bootarg_is("evt.peer", "xen"), "bind_dom_exc",
                           "bind_virq(VIRQ_DOM_EXC) = %ld", r) &&
                     r == 0;
    if (!exc_bound)
        v.port = 0;
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
            /* A domain shut down or went: ping is done once its end is gone.  A look, not a
             * wait: the domain may be another one, and ping's kill raises VIRQ_DOM_EXC again
             * after it closed its end, so the look that sees it comes. */
            if (status(port) != EVTCHNSTAT_interdomain)
                break;
        }
    }
    evtchn_port_t watch = (evtchn_port_t)bootarg_u64("evt.watch", 0);
    if (watch)
        check(WAIT_EVENT(status(watch) != EVTCHNSTAT_interdomain), "pong_watched_gone",
              "our port %u towards the intruder: %u (1: unbound)", watch, status(watch));
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

/* bind_interdomain to port rport of rdom: the hypercall's result (a port bound by mistake is
 * closed again, so that a failing check leaves nothing behind). */
static long try_bind(domid_t rdom, evtchn_port_t rport)
{
    struct evtchn_bind_interdomain b = { .remote_dom = rdom, .remote_port = rport };
    long r = evtchn_op(EVTCHNOP_bind_interdomain, &b);
    if (r == 0) {
        struct evtchn_close c = { .port = b.local_port };
        evtchn_op(EVTCHNOP_close, &c);
    }
    return r;
}

/* A domain with no channel of its own tries to reach D's ports (xen-abi-facts C: a port is
 * bound only by the domain it was offered to; only a privileged domain makes or reads ports
 * in another). */
static void intruder(domid_t d, evtchn_port_t p)
{
    long r = try_bind(d, p);
    check(r == -XEN_EINVAL, "intruder_bind_taken", "bind to port %u of domain %u = %ld (want %d)",
          p, d, r, -XEN_EINVAL);
    unsigned bound = 0;
    for (evtchn_port_t q = 0; q < 64; q++)
        bound += try_bind(d, q) != -XEN_EINVAL;
    check(bound == 0, "intruder_bind_any", "%u of domain %u's ports 0-63 not refused with %d",
          bound, d, -XEN_EINVAL);
    struct evtchn_alloc_unbound a = { .dom = d, .remote_dom = DOMID_SELF };
    r = evtchn_op(EVTCHNOP_alloc_unbound, &a);
    check(r == -XEN_EPERM, "intruder_alloc_in_other", "alloc_unbound in domain %u = %ld", d, r);
    struct evtchn_status st = { .dom = d, .port = p };
    r = evtchn_op(EVTCHNOP_status, &st);
    check(r == -XEN_EPERM, "intruder_status_of_other", "status of port %u of domain %u = %ld", p, d,
          r);
    r = try_bind(DOMID_FIRST_RESERVED - 1, 1);
    check(r == -XEN_ESRCH, "intruder_bind_no_domain", "bind to domain %u = %ld",
          DOMID_FIRST_RESERVED - 1, r);
    r = send(port + 1);
    check(r == -XEN_EINVAL, "intruder_send_unbound", "send on our free port %u = %ld", port + 1, r);
}

void guest_main(void *dtb)
{
    port = (evtchn_port_t)bootarg_u64("evt.port", 0);
    unsigned rounds = (unsigned)bootarg_u64("evt.rounds", 100);
    bool is_ping = bootarg_is("evt.role", "ping");
    if (bootarg_is("evt.role", "intruder")) {
        /* The other end of our channel names pong's domain. */
        struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
        long r = plat.hypervisor && port ? evtchn_op(EVTCHNOP_status, &st) : -1;
        if (check(r == 0 && st.status == EVTCHNSTAT_interdomain, "config",
                  "hypervisor %d, evt.port=%u: status %ld/%u", plat.hypervisor, port, r, st.status))
            intruder(st.u.interdomain.dom, (evtchn_port_t)bootarg_u64("evt.target", 0));
        return;
    }
    /* No /hypervisor node is needed: Xen's dom0less domUs have none, and make bench runs this
     * guest there too. */
    if (!check(port, "config", "evt.port=%u", port))
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
