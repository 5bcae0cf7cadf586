/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_channel_op from a guest (xen-abi-facts C.3-C.5): every sub-op's success and each of
 * its errors that one domain can reach, argument pointers that are unmapped, read-only or
 * device memory, and delivery through the 2-level bits and the event PPI (loopback channels,
 * IPIs, VIRQs are Keel's to raise): pending, the selector word, masking and EVTCHNOP_unmask.
 * Then the FIFO ABI: its sub-ops' errors, the switch (an event pending under 2-level carried
 * over), delivery through the queues (event words, heads, ready bits, priorities, the upcall)
 * and EVTCHNOP_reset back to 2-level.  Delivery needs shared_info mapped
 * (XENMEM_add_to_physmap); a hypervisor without memory_op gets a note and those checks are
 * left out.  Needs 2 vCPUs.
 */
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"
#include "xen_events.h"

const char guest_name[] = "evtchn";

/* Long enough for a wrongly raised upcall to show; a slow host can only hide one. */
#define SETTLE_US 20000
#define NO_DOMAIN 0x7000 /* below DOMID_FIRST_RESERVED, far above any domain Keel runs */

static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static uint64_t ro_va, unmapped_va;
static unsigned self_id; /* our domain id, as status reports DOMID_SELF's meaning */

static void expect(const char *name, unsigned cmd, void *arg, long want, const char *why)
{
    long r = evtchn_op(cmd, arg);
    check(r == want, name, "event_channel_op(%u) = %ld, want %ld: %s", cmd, r, want, why);
}

static evtchn_port_t alloc_unbound(domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    long r = evtchn_op(EVTCHNOP_alloc_unbound, &a);
    return r ? 0 : a.port;
}

static evtchn_port_t loopback(evtchn_port_t *other)
{
    *other = alloc_unbound(DOMID_SELF);
    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF, .remote_port = *other };
    return evtchn_op(EVTCHNOP_bind_interdomain, &b) ? 0 : b.local_port;
}

static uint32_t status_of(evtchn_port_t port, struct evtchn_status *s)
{
    *s = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return evtchn_op(EVTCHNOP_status, s) ? 0xff : s->status;
}

static void alloc_and_bind(void)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect("alloc_unbound", EVTCHNOP_alloc_unbound, &a, 0, "a port for ourselves");
    check(a.port == 1, "alloc_unbound_first_port", "port %u, want 1 (0 is reserved)", a.port);
    struct evtchn_status s;
    check(status_of(a.port, &s) == EVTCHNSTAT_unbound && s.u.unbound.dom < DOMID_FIRST_RESERVED,
          "status_unbound", "status %u dom %u: DOMID_SELF as remote is our own id", s.status,
          s.u.unbound.dom);
    self_id = s.u.unbound.dom;
    a = (struct evtchn_alloc_unbound){ .dom = NO_DOMAIN, .remote_dom = DOMID_SELF };
    expect("alloc_unbound_no_domain", EVTCHNOP_alloc_unbound, &a, -XEN_ESRCH, "no such domain");
    a.dom = DOMID_IO;
    expect("alloc_unbound_domid_io", EVTCHNOP_alloc_unbound, &a, -XEN_ESRCH, "no domain to bind");

    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF, .remote_port = 1 };
    expect("bind_interdomain_loopback", EVTCHNOP_bind_interdomain, &b, 0,
           "a port of our own offered to us");
    check(status_of(b.local_port, &s) == EVTCHNSTAT_interdomain && s.u.interdomain.port == 1,
          "status_interdomain", "status %u port %u", s.status, s.u.interdomain.port);
    b.remote_port = 1;
    expect("bind_interdomain_bound", EVTCHNOP_bind_interdomain, &b, -XEN_EINVAL,
           "port 1 is connected already");
    b.remote_port = 4000;
    expect("bind_interdomain_free", EVTCHNOP_bind_interdomain, &b, -XEN_EINVAL, "a free port");
    b.remote_port = 5000;
    expect("bind_interdomain_beyond", EVTCHNOP_bind_interdomain, &b, -XEN_EINVAL,
           "beyond the 4096 ports");
    b.remote_port = alloc_unbound(NO_DOMAIN);
    expect("bind_interdomain_not_offered", EVTCHNOP_bind_interdomain, &b, -XEN_EINVAL,
           "offered to another domain");
    b.remote_dom = NO_DOMAIN;
    expect("bind_interdomain_no_domain", EVTCHNOP_bind_interdomain, &b, -XEN_ESRCH,
           "no such domain");
}

static void virqs_and_ipis(void)
{
    struct evtchn_bind_virq v = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    expect("bind_virq", EVTCHNOP_bind_virq, &v, 0, "VIRQ_DEBUG on vCPU 0");
    expect("bind_virq_again", EVTCHNOP_bind_virq, &v, -XEN_EEXIST, "bound already");
    struct evtchn_status s;
    check(status_of(v.port, &s) == EVTCHNSTAT_virq && s.u.virq == VIRQ_DEBUG, "status_virq",
          "status %u virq %u", s.status, s.u.virq);
    v.vcpu = 1;
    expect("bind_virq_vcpu1", EVTCHNOP_bind_virq, &v, 0, "per-vCPU: vCPU 1 has its own");
    v = (struct evtchn_bind_virq){ .virq = NR_VIRQS };
    expect("bind_virq_bad", EVTCHNOP_bind_virq, &v, -XEN_EINVAL, "no VIRQ 24");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 1 };
    expect("bind_virq_global_vcpu", EVTCHNOP_bind_virq, &v, -XEN_EINVAL,
           "a global VIRQ binds on vCPU 0 only");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 7 };
    expect("bind_virq_no_vcpu", EVTCHNOP_bind_virq, &v, -XEN_ENOENT, "no vCPU 7");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_ARGO };
    expect("bind_virq_argo", EVTCHNOP_bind_virq, &v, 0, "per domain, on vCPU 0");

    struct evtchn_bind_ipi i = { .vcpu = 1 };
    expect("bind_ipi", EVTCHNOP_bind_ipi, &i, 0, "to vCPU 1");
    check(status_of(i.port, &s) == EVTCHNSTAT_ipi && s.vcpu == 1, "status_ipi", "status %u vcpu %u",
          s.status, s.vcpu);
    struct evtchn_bind_vcpu bv = { .port = i.port, .vcpu = 0 };
    expect("bind_vcpu_ipi", EVTCHNOP_bind_vcpu, &bv, -XEN_EINVAL, "an IPI keeps its vCPU");
    i.vcpu = 2;
    expect("bind_ipi_no_vcpu", EVTCHNOP_bind_ipi, &i, -XEN_ENOENT, "no vCPU 2");
}

static void close_send_status(void)
{
    evtchn_port_t other, p = loopback(&other);
    struct evtchn_bind_vcpu bv = { .port = p, .vcpu = 1 };
    expect("bind_vcpu", EVTCHNOP_bind_vcpu, &bv, 0, "an interdomain port to vCPU 1");
    struct evtchn_status s;
    check(status_of(p, &s) == EVTCHNSTAT_interdomain && s.vcpu == 1, "status_vcpu", "vcpu %u",
          s.vcpu);
    bv.vcpu = 2;
    expect("bind_vcpu_no_vcpu", EVTCHNOP_bind_vcpu, &bv, -XEN_ENOENT, "no vCPU 2");
    bv = (struct evtchn_bind_vcpu){ .port = 3000, .vcpu = 0 };
    expect("bind_vcpu_free", EVTCHNOP_bind_vcpu, &bv, -XEN_EINVAL, "a free port");

    struct evtchn_send snd = { .port = other };
    expect("send", EVTCHNOP_send, &snd, 0, "a connected port");
    struct evtchn_close c = { .port = p };
    expect("close", EVTCHNOP_close, &c, 0, "a connected port");
    check(status_of(other, &s) == EVTCHNSTAT_unbound && s.u.unbound.dom == self_id,
          "close_peer_unbound", "status %u dom %u: the other end waits for us again", s.status,
          s.u.unbound.dom);
    expect("close_again", EVTCHNOP_close, &c, -XEN_EINVAL, "closed already");
    c.port = 0;
    expect("close_port0", EVTCHNOP_close, &c, -XEN_EINVAL, "port 0 is reserved");
    snd.port = other;
    expect("send_unbound", EVTCHNOP_send, &snd, 0, "an unbound port takes it silently");
    snd.port = p;
    expect("send_closed", EVTCHNOP_send, &snd, -XEN_EINVAL, "a closed port");
    snd.port = 0xffffffffu;
    expect("send_beyond", EVTCHNOP_send, &snd, -XEN_EINVAL, "no such port");

    s = (struct evtchn_status){ .dom = DOMID_SELF, .port = 5000 };
    expect("status_beyond", EVTCHNOP_status, &s, -XEN_EINVAL, "no port 5000");
    s = (struct evtchn_status){ .dom = NO_DOMAIN, .port = 1 };
    expect("status_no_domain", EVTCHNOP_status, &s, -XEN_ESRCH, "no such domain");
    struct evtchn_unmask u = { .port = 5000 };
    expect("unmask_beyond", EVTCHNOP_unmask, &u, -XEN_EINVAL, "no port 5000");
    /* Below the 2-level limit, but in a bucket of ports never made (Xen's port_is_valid). */
    s = (struct evtchn_status){ .dom = DOMID_SELF, .port = 4000 };
    expect("status_no_bucket", EVTCHNOP_status, &s, -XEN_EINVAL, "port 4000 was never made");
    u.port = 4000;
    expect("unmask_no_bucket", EVTCHNOP_unmask, &u, -XEN_EINVAL, "port 4000 was never made");
    u.port = other;
    expect("unmask", EVTCHNOP_unmask, &u, 0, "a port of a bucket that exists");
}

static void refused(void)
{
    expect("bind_pirq", EVTCHNOP_bind_pirq, ro_page, -XEN_ENOSYS, "no PIRQs on Arm");
    expect("unknown_subop", 14, ro_page, -XEN_ENOSYS, "no sub-op 14");
    /* Pointers. */
    expect("send_unmapped", EVTCHNOP_send, (void *)unmapped_va, -XEN_EFAULT, "not mapped");
    expect("send_null", EVTCHNOP_send, NULL, -XEN_EFAULT, "address 0");
    expect("send_device", EVTCHNOP_send, (void *)plat.gicd, -XEN_EFAULT, "device memory");
    expect("alloc_unbound_readonly", EVTCHNOP_alloc_unbound, (void *)ro_va, -XEN_EFAULT,
           "its result cannot be written back");
    expect("status_cross_unmapped", EVTCHNOP_status, (void *)(ro_va + 4096 - 8), -XEN_EFAULT,
           "runs into the unmapped page");
    struct evtchn_reset r = { .dom = NO_DOMAIN };
    expect("reset_no_domain", EVTCHNOP_reset, &r, -XEN_ESRCH, "no such domain");
    r.dom = DOMID_SELF;
    expect("reset", EVTCHNOP_reset, &r, 0, "every port closed");
    struct evtchn_status s;
    check(status_of(1, &s) == EVTCHNSTAT_closed, "reset_closed", "port 1 status %u", s.status);
    check(alloc_unbound(DOMID_SELF) == 1, "reset_reuse", "the first port is free again");
}

static void exhaustion(void)
{
    unsigned n = 0;
    while (alloc_unbound(DOMID_SELF) && n < 5000)
        n++;
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect("alloc_unbound_full", EVTCHNOP_alloc_unbound, &a, -XEN_ENOSPC, "every port taken");
    struct evtchn_bind_ipi i = { .vcpu = 0 };
    expect("bind_ipi_full", EVTCHNOP_bind_ipi, &i, -XEN_ENOSPC, "every port taken");
    struct evtchn_reset r = { .dom = DOMID_SELF };
    expect("reset_full", EVTCHNOP_reset, &r, 0, "every port closed");
    check(n == 4094, "ports_4095", "%u more ports after port 1, want 4094", n);
}

/* Delivery through shared_info and the PPI. */
static void delivery(void)
{
    long r = xev_init(NULL);
    if (r == -XEN_ENOSYS) {
        note("evtchn: no memory_op to map shared_info (%ld): delivery not checked", r);
        return;
    }
    if (!check(r == 0, "map_shared_info", "add_to_physmap(shared_info) = %ld", r))
        return;
    evtchn_port_t other, p = loopback(&other);
    check(p && other, "delivery_channel", "ports %u and %u", p, other);
    WAIT_EVENT(xev_seen(p));
    check(xev_seen(p) == 1, "bind_leaves_pending", "the new end had %u events", xev_seen(p));
    unsigned before = xev_upcalls;
    struct evtchn_send snd = { .port = other };
    expect("send_delivers", EVTCHNOP_send, &snd, 0, "loopback");
    WAIT_EVENT(xev_seen(p) == 2);
    check(xev_seen(p) == 2 && xev_upcalls > before && !xev_seen(other), "send_upcall",
          "port %u: %u events, %u upcalls", p, xev_seen(p), xev_upcalls - before);

    /* Masked: pending, no upcall; EVTCHNOP_unmask delivers. */
    xev_mask(p, true);
    before = xev_upcalls;
    expect("send_masked", EVTCHNOP_send, &snd, 0, "a masked port");
    delay_us(SETTLE_US);
    check(xev_pending(p) && xev_upcalls == before && xev_seen(p) == 2, "masked_no_upcall",
          "pending %d, %u upcalls", xev_pending(p), xev_upcalls - before);
    struct evtchn_unmask u = { .port = p };
    expect("unmask_delivers", EVTCHNOP_unmask, &u, 0, "pending and masked");
    WAIT_EVENT(xev_seen(p) == 3);
    check(xev_seen(p) == 3 && !xev_pending(p), "unmask_upcall", "%u events", xev_seen(p));

    /* Two sends before the guest looks: one event (pending is a bit, not a count). */
    irq_disable();
    expect("send_twice_1", EVTCHNOP_send, &snd, 0, "");
    expect("send_twice_2", EVTCHNOP_send, &snd, 0, "");
    check(xev_shared->vcpu_info[0].evtchn_upcall_pending == 1 &&
              (xev_shared->vcpu_info[0].evtchn_pending_sel & (1UL << (p / 64))),
          "selector_and_flag", "flag %u sel %#lx", xev_shared->vcpu_info[0].evtchn_upcall_pending,
          (unsigned long)xev_shared->vcpu_info[0].evtchn_pending_sel);
    irq_enable();
    WAIT_EVENT(xev_seen(p) == 4);
    delay_us(SETTLE_US);
    check(xev_seen(p) == 4, "pending_is_a_bit", "%u events", xev_seen(p));

    /* An IPI port to ourselves. */
    struct evtchn_bind_ipi i = { .vcpu = 0 };
    expect("bind_ipi_self", EVTCHNOP_bind_ipi, &i, 0, "vCPU 0");
    snd.port = i.port;
    expect("send_ipi", EVTCHNOP_send, &snd, 0, "an IPI");
    WAIT_EVENT(xev_seen(i.port) == 1);
    check(xev_seen(i.port) == 1, "ipi_delivered", "%u events", xev_seen(i.port));
}

/* --- FIFO --- */

#define FIFO_BIT(b) (1U << EVTCHN_FIFO_##b)

static struct evtchn_fifo_control_block fifo_blocks[4096 / sizeof(struct evtchn_fifo_control_block)]
    __attribute__((aligned(4096)));
static uint32_t fifo_array[5][EVTCHN_FIFO_EVENT_WORDS_PER_PAGE] __attribute__((aligned(4096)));

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p >> 12;
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu, uint8_t *link_bits)
{
    struct evtchn_init_control c = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };
    long r = evtchn_op(EVTCHNOP_init_control, &c);
    if (link_bits)
        *link_bits = c.link_bits;
    return r;
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array e = { .array_gfn = gfn };
    return evtchn_op(EVTCHNOP_expand_array, &e);
}

static long set_priority(evtchn_port_t port, uint32_t priority)
{
    struct evtchn_set_priority sp = { .port = port, .priority = priority };
    return evtchn_op(EVTCHNOP_set_priority, &sp);
}

static uint32_t *word(evtchn_port_t port)
{
    return &fifo_array[port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE]
                      [port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE];
}

static uint32_t load(const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* Take queue q of vCPU 0 as a guest does, up to its end: the ports in order (at most n). */
static unsigned consume(unsigned q, evtchn_port_t *ports, unsigned n)
{
    struct evtchn_fifo_control_block *cb = &fifo_blocks[0];
    __atomic_fetch_and(&cb->ready, ~(1U << q), __ATOMIC_SEQ_CST);
    evtchn_port_t port = load(&cb->head[q]);
    unsigned got = 0;
    while (port && got < n) {
        ports[got++] = port;
        uint32_t w = __atomic_fetch_and(
            word(port), ~(FIFO_BIT(LINKED) | FIFO_BIT(PENDING) | EVTCHN_FIFO_LINK_MASK),
            __ATOMIC_SEQ_CST);
        port = w & EVTCHN_FIFO_LINK_MASK;
    }
    return got;
}

static void fifo_errors(evtchn_port_t bound)
{
    uint64_t cb = gfn_of(fifo_blocks);
    check(set_priority(bound, 3) == -XEN_ENOSYS, "set_priority_2level",
          "2-level has no priorities");
    check(set_priority(100000, 3) == -XEN_EINVAL, "set_priority_beyond",
          "no such port under 2-level");
    check(expand(gfn_of(fifo_array[0])) == -XEN_EOPNOTSUPP, "expand_before_init", "no FIFO yet");
    expect("init_control_readonly", EVTCHNOP_init_control, (void *)ro_va, -XEN_EFAULT,
           "link_bits cannot be written back");
    check(init_control(cb, 0, 2, NULL) == -XEN_ENOENT, "init_control_no_vcpu", "no vCPU 2");
    check(init_control(cb, 4, 0, NULL) == -XEN_EINVAL, "init_control_misaligned", "offset 4");
    check(init_control(cb, 4096 - 64, 0, NULL) == -XEN_EINVAL, "init_control_crosses",
          "72 bytes from 4032 cross the page");
    check(init_control(plat.gicd >> 12, 0, 0, NULL) == -XEN_EINVAL, "init_control_device",
          "the GIC is no RAM");
    check(init_control(0x10, 0, 0, NULL) == -XEN_EINVAL, "init_control_no_ram", "gfn 16");
    check(init_control(~0UL, 0, 0, NULL) == -XEN_EINVAL, "init_control_huge", "gfn ~0");
}

static void fifo(void)
{
    if (!xev_shared)
        return;
    /* Interrupts stay off until the queues have been looked at: the 2-level handler would
     * take p's pending bit first. */
    irq_disable();
    evtchn_port_t other, p = loopback(&other); /* p is left pending by its bind */
    fifo_errors(p);

    /* The switch: p's pending event is carried over to its word, masked as the guest made
     * it (Linux's way: every new word MASKED before expand_array). */
    for (unsigned i = 0; i < 5; i++)
        for (unsigned j = 0; j < EVTCHN_FIFO_EVENT_WORDS_PER_PAGE; j++)
            fifo_array[i][j] = FIFO_BIT(MASKED);
    uint8_t link_bits = 0;
    long r = init_control(gfn_of(fifo_blocks), 0, 0, &link_bits);
    if (!check(r == 0 && link_bits == EVTCHN_FIFO_LINK_BITS, "init_control", "= %ld, link_bits %u",
               r, link_bits)) {
        irq_enable();
        return;
    }
    check(init_control(gfn_of(fifo_blocks), 128, 0, NULL) == -XEN_EINVAL, "init_control_twice",
          "vCPU 0 has one");
    check(init_control(gfn_of(fifo_blocks), 128, 1, NULL) == 0, "init_control_vcpu1",
          "vCPU 1's block beside vCPU 0's");
    check(expand(0x10) == -XEN_EINVAL, "expand_no_ram", "gfn 16");
    for (unsigned i = 0; i < 4; i++)
        check(expand(gfn_of(fifo_array[i])) == 0, "expand", "page %u", i);
    check(expand(gfn_of(fifo_array[4])) == -XEN_ENOSPC, "expand_beyond",
          "the 4096 ports have their words");
    check(load(word(p)) == (FIFO_BIT(MASKED) | FIFO_BIT(PENDING)), "switch_carries_pending",
          "port %u word %#x", p, load(word(p)));

    /* Unmasking a pending port is the hypervisor's: it links it, as the queue's head. */
    struct evtchn_fifo_control_block *cb = &fifo_blocks[0];
    struct evtchn_unmask u = { .port = p };
    expect("fifo_unmask", EVTCHNOP_unmask, &u, 0, "pending and masked");
    check(load(word(p)) == (FIFO_BIT(PENDING) | FIFO_BIT(LINKED)) &&
              load(&cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT]) == p &&
              (load(&cb->ready) & (1U << EVTCHN_FIFO_PRIORITY_DEFAULT)),
          "fifo_unmask_links", "word %#x head %u ready %#x", load(word(p)),
          load(&cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT]), load(&cb->ready));
    evtchn_port_t got[4];
    check(consume(EVTCHN_FIFO_PRIORITY_DEFAULT, got, 4) == 1 && got[0] == p, "fifo_consume",
          "one event, port %u", got[0]);

    /* A send: linked again, the queue's new head, READY up, the upcall flag up. */
    xev_shared->vcpu_info[0].evtchn_upcall_pending = 0;
    struct evtchn_send snd = { .port = other };
    expect("fifo_send", EVTCHNOP_send, &snd, 0, "loopback");
    check(load(word(p)) == (FIFO_BIT(PENDING) | FIFO_BIT(LINKED)) &&
              load(&cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT]) == p &&
              (load(&cb->ready) & (1U << EVTCHN_FIFO_PRIORITY_DEFAULT)) &&
              xev_shared->vcpu_info[0].evtchn_upcall_pending == 1,
          "fifo_send_links", "word %#x ready %#x flag %u", load(word(p)), load(&cb->ready),
          xev_shared->vcpu_info[0].evtchn_upcall_pending);
    expect("fifo_send_again", EVTCHNOP_send, &snd, 0, "pending already");

    /* A second port behind it in the same queue, and an IPI in queue 3 of its own. */
    evtchn_port_t other2, p2 = loopback(&other2);
    __atomic_fetch_and(word(p2), ~FIFO_BIT(MASKED), __ATOMIC_SEQ_CST);
    u.port = p2;
    expect("fifo_unmask_second", EVTCHNOP_unmask, &u, 0, "pending since its bind");
    struct evtchn_bind_ipi i = { .vcpu = 0 };
    expect("fifo_bind_ipi", EVTCHNOP_bind_ipi, &i, 0, "vCPU 0");
    check(set_priority(i.port, EVTCHN_FIFO_PRIORITY_MIN + 1) == -XEN_EINVAL, "set_priority_beyond",
          "priority 16");
    check(set_priority(i.port, 3) == 0, "set_priority", "priority 3");
    __atomic_fetch_and(word(i.port), ~FIFO_BIT(MASKED), __ATOMIC_SEQ_CST);
    snd.port = i.port;
    expect("fifo_send_ipi", EVTCHNOP_send, &snd, 0, "an IPI");
    unsigned n = consume(EVTCHN_FIFO_PRIORITY_DEFAULT, got, 4);
    check(n == 2 && got[0] == p && got[1] == p2, "fifo_queue_order",
          "%u events in queue 7: %u then %u", n, got[0], n > 1 ? got[1] : 0);
    check(load(&cb->head[3]) == i.port && (load(&cb->ready) & (1U << 3)), "fifo_priority",
          "queue 3 head %u ready %#x", load(&cb->head[3]), load(&cb->ready));
    n = consume(3, got, 4);
    check(n == 1 && got[0] == i.port, "fifo_priority_consume", "%u events", n);

    /* The upcall arrives when interrupts are let in. */
    unsigned before = xev_upcalls;
    irq_enable();
    WAIT_EVENT(xev_upcalls > before);
    check(xev_upcalls > before, "fifo_upcall", "no event PPI");

    /* EVTCHNOP_reset: back to 2-level, whose bits work again. */
    struct evtchn_reset rs = { .dom = DOMID_SELF };
    expect("fifo_reset", EVTCHNOP_reset, &rs, 0, "back to 2-level");
    struct evtchn_status st;
    check(status_of(1, &st) == EVTCHNSTAT_closed, "reset_closed_all", "port 1 is closed");
    evtchn_port_t other3, p3 = loopback(&other3);
    WAIT_EVENT(xev_seen(p3) >= 1);
    check(xev_seen(p3) >= 1, "reset_2level_delivery", "port %u: %u events", p3, xev_seen(p3));
}

void guest_main(void *dtb)
{
    if (!plat.hypervisor) {
        note("evtchn: no hypervisor, no event channels to test");
        return;
    }
    ro_va = mmu_scratch_map(0, (uintptr_t)ro_page, false);
    unmapped_va = mmu_scratch_va(1);
    mmu_scratch_unmap(1);
    if (!check(gic_init() && gic_cpu_init(false), "gic_init", "GIC ready"))
        return;
    alloc_and_bind();
    virqs_and_ipis();
    close_send_status();
    refused();
    exhaustion();
    delivery();
    fifo();
}
