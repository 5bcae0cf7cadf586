/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_channel_op from a guest (xen-abi-facts C.3-C.5): every sub-op's success and each of
 * its errors that one domain can reach, argument pointers that are unmapped, read-only or
 * device memory, FIFO refused with -ENOSYS, and delivery through the 2-level bits and the
 * event PPI (loopback channels, IPIs, VIRQs are Keel's to raise): pending, the selector word,
 * masking and EVTCHNOP_unmask.  Delivery needs shared_info mapped (XENMEM_add_to_physmap); a
 * hypervisor without memory_op gets a note and those checks are left out.  Needs 2 vCPUs.
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
    u.port = other;
    expect("unmask", EVTCHNOP_unmask, &u, 0, "any port of the table");
}

static void refused(void)
{
    expect("init_control", EVTCHNOP_init_control, ro_page, -XEN_ENOSYS,
           "no FIFO: Linux falls back");
    expect("expand_array", EVTCHNOP_expand_array, ro_page, -XEN_ENOSYS, "no FIFO");
    expect("set_priority", EVTCHNOP_set_priority, ro_page, -XEN_ENOSYS, "no FIFO");
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
}
