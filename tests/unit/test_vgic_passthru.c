/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for host SPIs given to a domain (hyp/arch/arm64/vgic/passthru.c with the rest of
 * the vGIC, minus hw.c): the linked SPI's states from the host line firing to the guest's
 * deactivation, through the real emulated-MMIO dispatch and list-register fill and fold.  The
 * host interrupt controller is a model: a handler table (irq_register), each line's enable,
 * route, trigger and active state; the dispatcher is host_fire() below.  The model checks the
 * GIC's rule that an active line does not fire again, and records every deactivation Keel
 * makes itself (the guest's go through a list register with the HW bit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>

#include "../../hyp/arch/arm64/vgic/vgic_internal.h"
#include "vgic_doubles.h"

/* --- doubles: the CPUs (the rest of Keel: vgic_doubles.c) --- */

bool cpu_online(unsigned cpu)
{
    return cpu < 4;
}

/* --- doubles: the host interrupt controller (QEMU virt's: 288 lines) --- */

#define HOST_LINES 288
#define UART_LINE 33 /* Keel's own: its console UART */

struct host_line {
    irq_handler_fn fn;
    void *ctx;
    bool on, active, edge;
    unsigned cpu;
};

static struct host_line host[HOST_LINES];
static unsigned deactivated[16]; /* lines Keel deactivated itself, in order */
static unsigned nr_deactivated;
static unsigned nr_routes; /* irqchip_enable calls */

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    if (irq >= HOST_LINES)
        return -EINVAL;
    if (host[irq].fn)
        return -EBUSY;
    host[irq].fn = fn;
    host[irq].ctx = ctx;
    return 0;
}

void irq_unregister(unsigned irq)
{
    host[irq] = (struct host_line){ .active = host[irq].active };
}

int irqchip_set_trigger(unsigned irq, bool edge)
{
    assert_false(host[irq].on); /* changed only while the line is disabled */
    host[irq].edge = edge;
    return 0;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
    host[irq].on = true;
    host[irq].cpu = cpu;
    nr_routes++;
}

void irqchip_disable(unsigned irq, unsigned cpu)
{
    host[irq].on = false;
}

unsigned irqchip_nr_lines(void)
{
    return HOST_LINES;
}

unsigned vgic_hw_nr_lrs(void)
{
    return 4;
}

static bool racing; /* release_races_handler: the model's active state is not kept */

void vgic_hw_deactivate(unsigned pintid)
{
    if (racing)
        return;
    assert_true(host[pintid].active);
    host[pintid].active = false;
    assert_true(nr_deactivated < ARRAY_SIZE(deactivated));
    deactivated[nr_deactivated++] = pintid;
}

void irqchip_host_frames(uint64_t *dist, uint64_t *redist)
{
    *dist = 0x08000000UL;
    *redist = 0x080a0000UL;
}

int vgic_hw_init(void)
{
    return 0;
}

static enum irq_end keel_uart(unsigned irq, void *ctx)
{
    return IRQ_EOI;
}

/* The host line fires and is taken on some pCPU: what irq_dispatch does.  Returns whether the
 * handler forwarded it (else the dispatcher ended it). */
static bool host_fire(unsigned intid)
{
    struct host_line *h = &host[intid];
    assert_non_null(h->fn);
    assert_false(h->active); /* the GIC never signals an active interrupt */
    h->active = true;
    bool fwd = h->fn(intid, h->ctx) == IRQ_FORWARDED;
    if (!fwd)
        h->active = false;
    return fwd;
}

/* --- domains --- */

static struct domain *dom, *dom2;
static struct percpu pcpu0;

static struct domain *make_domain(unsigned id, unsigned nr_vcpus, unsigned nr_spis)
{
    struct domain *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->id = id;
    d->cfg.nr_vcpus = nr_vcpus;
    assert_int_equal(vgic_domain_init(d, nr_spis), 0);
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        assert_non_null(v);
        v->id = i;
        v->dom = d;
        v->cpu = i; /* vCPU i runs on pCPU i */
        d->vcpus[i] = v;
        d->nr_vcpus = i + 1;
        assert_int_equal(vgic_vcpu_init(v), 0);
    }
    return d;
}

static void free_domain(struct domain *d)
{
    vgic_passthru_release(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        free(d->vcpus[i]);
    vgic_domain_destroy(d);
    free(d);
}

static int setup(void **state)
{
    memset(host, 0, sizeof(host));
    assert_int_equal(irq_register(UART_LINE, keel_uart, NULL), 0);
    kicked = 0;
    nr_deactivated = nr_routes = 0;
    pcpu0.id = 0;
    host_this_cpu = &pcpu0;
    dom = make_domain(1, 4, 64);
    dom2 = NULL;
    return 0;
}

static int teardown(void **state)
{
    free_domain(dom);
    if (dom2)
        free_domain(dom2);
    /* Nothing may be left behind: every line given back, disabled, inactive. */
    for (unsigned i = 32; i < HOST_LINES; i++) {
        if (i == UART_LINE)
            continue;
        assert_null(host[i].fn);
        assert_false(host[i].on);
        assert_false(host[i].active);
    }
    return 0;
}

/* --- the guest's side --- */

#define D(off) (VGIC_DIST_BASE + (off))
#define LR_STATE(lr) ((lr) >> ICH_LR_STATE_SHIFT)
#define LR_INTID(lr) ((unsigned)((lr)&ICH_LR_VINTID_MASK))
#define LR_PINTID(lr) ((unsigned)(((lr)&ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT))
#define ST_P 1
#define ST_A 2

static void wr(unsigned vc, uint64_t gpa, uint64_t val)
{
    assert_int_equal(vmmio_access(dom->vcpus[vc], gpa, true, 4, &val), 0);
}

static uint32_t rd(uint64_t gpa)
{
    uint64_t val = 0;
    assert_int_equal(vmmio_access(dom->vcpus[0], gpa, false, 4, &val), 0);
    return (uint32_t)val;
}

static struct vgic_irq *spi(unsigned intid)
{
    return &vgic_of(dom)->spis[intid - 32];
}

static void enable(unsigned intid)
{
    wr(0, D(0), GICD_CTLR_ENABLE_G1);
    wr(0, D(0x400 + intid / 4 * 4), 0xa0a0a0a0);
    wr(0, D(0x100 + intid / 32 * 4), BIT(intid % 32));
}

static void disable(unsigned intid)
{
    wr(0, D(0x180 + intid / 32 * 4), BIT(intid % 32));
}

static bool pending_reg(unsigned intid)
{
    return rd(D(0x200 + intid / 32 * 4)) & BIT(intid % 32);
}

static bool active_reg(unsigned intid)
{
    return rd(D(0x300 + intid / 32 * 4)) & BIT(intid % 32);
}

static void set_state(uint64_t *lr, unsigned st)
{
    *lr = (*lr & ~(3UL << ICH_LR_STATE_SHIFT)) | (uint64_t)st << ICH_LR_STATE_SHIFT;
}

/* What the guest does with the list registers while it runs. */
enum guest_act { NOTHING, ACK, EOI, ACK_EOI };

/* The CPU interface's part: deactivating an HW = 1 entry deactivates its pINTID. */
static void guest_apply(uint64_t *lr, enum guest_act a)
{
    if ((a == ACK || a == ACK_EOI) && (LR_STATE(*lr) & ST_P))
        set_state(lr, ST_A);
    if ((a == EOI || a == ACK_EOI) && (LR_STATE(*lr) & ST_A)) {
        if (*lr & ICH_LR_HW)
            host[LR_PINTID(*lr)].active = false;
        set_state(lr, LR_STATE(*lr) & ST_P);
    }
}

/* vCPU vc enters: the list registers are filled.  Returns how many (lr[] gets them). */
static unsigned enter(unsigned vc, uint64_t *lr)
{
    struct vgic_cpu *c = &dom->vcpus[vc]->arch.vgic;
    vgic_lr_fill(dom->vcpus[vc], 4);
    memcpy(lr, c->lr, sizeof(c->lr));
    return c->nr_lr;
}

static void leave(unsigned vc, const uint64_t *lr)
{
    vgic_lr_fold(dom->vcpus[vc], lr);
}

/* One entry and exit of vCPU vc doing a with what it finds; the first list register's value
 * as the entry wrote it (0 if none). */
static uint64_t run(unsigned vc, enum guest_act a)
{
    uint64_t lr[VGIC_MAX_LRS] = { 0 };
    unsigned n = enter(vc, lr);
    uint64_t first = n ? lr[0] : 0;
    for (unsigned i = 0; i < n; i++)
        guest_apply(&lr[i], a);
    leave(vc, lr);
    return first;
}

/* --- tests --- */

/* Fire, forward with the HW bit, the guest acknowledges, then deactivates: the host line is
 * deactivated by the guest's own EOI, not by Keel, and fires again each time. */
static void fire_inject_ack_deactivate(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 40, false), 0);
    assert_false(host[40].on); /* off until the guest enables it */
    enable(40);
    assert_true(host[40].on);
    assert_int_equal(host[40].cpu, 0); /* to the pCPU of vCPU 0, where IROUTER points */
    for (unsigned round = 0; round < 3; round++) {
        kicked = 0;
        assert_true(host_fire(40));
        assert_int_equal(kicked, BIT(0));
        assert_true(spi(40)->hw);
        assert_true(pending_reg(40));
        uint64_t lr = run(0, ACK);
        assert_int_equal(LR_INTID(lr), 40);
        assert_true(lr & ICH_LR_HW);
        assert_int_equal(LR_PINTID(lr), 40);
        assert_int_equal(LR_STATE(lr), ST_P);
        assert_true(spi(40)->hw_active);
        assert_true(active_reg(40));
        assert_false(pending_reg(40));
        assert_true(host[40].active);
        lr = run(0, EOI);
        assert_int_equal(LR_STATE(lr), ST_A);
        assert_true(lr & ICH_LR_HW);
        assert_false(spi(40)->hw);
        assert_false(host[40].active);
        assert_false(active_reg(40));
        assert_int_equal(nr_deactivated, 0);
        assert_int_equal(run(0, NOTHING), 0); /* nothing left */
    }
}

/* While the SPI is not running anywhere, a pending forwarded instance waits, and the vCPU
 * that is kicked finds it; descheduling a vCPU (vgic_save) leaves an SPI's link alone, since
 * the host SPI is no pCPU's own: it is deactivated wherever the vCPU runs next. */
static void descheduled_keeps_link(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 41, true), 0);
    enable(41);
    assert_true(host_fire(41));
    assert_true(vgic_pending(dom->vcpus[0]));
    run(0, ACK);
    vgic_lr_unlink_private(dom->vcpus[0]); /* what vgic_save does for v's own */
    assert_true(spi(41)->hw && spi(41)->hw_active);
    assert_int_equal(nr_deactivated, 0);
    uint64_t lr = run(0, EOI);
    assert_true((lr & ICH_LR_HW) && LR_STATE(lr) == ST_A);
    assert_false(host[41].active);
}

/* Disabling the virtual SPI disables the host line; enabling it enables it again.  A level
 * line taken as the guest disabled it is ended by the dispatcher and stays off; an edge one is
 * kept pending and delivered once enabled. */
static void fire_while_disabled(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 42, false), 0);
    assert_int_equal(vgic_passthru_assign(dom, 43, true), 0);
    assert_false(host[42].edge);
    assert_true(host[43].edge);
    enable(42);
    enable(43);
    disable(42);
    disable(43);
    assert_false(host[42].on || host[43].on);
    assert_false(host_fire(42)); /* a race with the disable: the dispatcher ends it */
    assert_false(host[42].on);
    assert_false(spi(42)->hw || pending_reg(42));
    assert_true(host_fire(43));
    assert_true(pending_reg(43));
    assert_int_equal(run(0, NOTHING), 0); /* not delivered while disabled */
    enable(43);
    enable(42);
    assert_true(host[42].on && host[43].on);
    uint64_t lr = run(0, ACK_EOI);
    assert_int_equal(LR_INTID(lr), 43);
    assert_true(lr & ICH_LR_HW);
    assert_false(host[43].active);
}

/* Disabling a level SPI whose forwarded instance nobody took withdraws it: the host SPI is
 * deactivated (if the line is still asserted it is pending again in the distributor, and comes
 * once enabled).  An edge one stays pending. */
static void disable_withdraws_level(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 44, false), 0);
    assert_int_equal(vgic_passthru_assign(dom, 45, true), 0);
    enable(44);
    enable(45);
    assert_true(host_fire(44));
    assert_true(host_fire(45));
    disable(44);
    disable(45);
    assert_int_equal(nr_deactivated, 1);
    assert_int_equal(deactivated[0], 44);
    assert_false(spi(44)->hw || pending_reg(44));
    assert_true(spi(45)->hw && pending_reg(45));
    /* Withdrawn while a running vCPU's list register held it: that vCPU's exit ends it. */
    enable(44);
    assert_true(host_fire(44));
    uint64_t lr[VGIC_MAX_LRS];
    unsigned n = enter(0, lr);
    assert_true(n >= 1);
    kicked = 0;
    disable(44);
    assert_true(kicked & BIT(0));
    assert_int_equal(nr_deactivated, 1);
    leave(0, lr);
    assert_int_equal(nr_deactivated, 2);
    assert_false(spi(44)->hw || pending_reg(44));
    enable(45);
    run(0, ACK_EOI);
    assert_false(host[45].active);
}

/* An unlinked instance is active (the guest set it with ISACTIVER) when the host line fires:
 * the list register shows the active one and asks to hear of its end.  A level line then ends
 * the link (Keel deactivates the host SPI, which comes again if still asserted); an edge is
 * delivered next, linked. */
static void fire_while_active(void **state)
{
    for (unsigned edge = 0; edge < 2; edge++) {
        unsigned intid = 46 + edge;
        assert_int_equal(vgic_passthru_assign(dom, intid, edge), 0);
        enable(intid);
        wr(0, D(0x300 + intid / 32 * 4), BIT(intid % 32)); /* ISACTIVER */
        assert_true(host_fire(intid));
        uint64_t lr[VGIC_MAX_LRS];
        assert_int_equal(enter(0, lr), 1);
        assert_int_equal(LR_STATE(lr[0]), ST_A);
        assert_false(lr[0] & ICH_LR_HW);
        assert_true(lr[0] & ICH_LR_EOI);
        guest_apply(&lr[0], EOI);
        leave(0, lr);
        if (!edge) {
            assert_int_equal(nr_deactivated, 1);
            assert_int_equal(deactivated[0], intid);
            assert_false(spi(intid)->hw);
            assert_int_equal(run(0, NOTHING), 0);
        } else {
            uint64_t l = run(0, ACK_EOI);
            assert_true((l & ICH_LR_HW) && LR_STATE(l) == ST_P);
            assert_false(host[intid].active);
        }
    }
}

/* The guest deactivates the linked instance and, before its vCPU exits, the line fires again
 * and is taken on another pCPU: the new instance is linked at once, and the exit of the vCPU
 * that held the old one keeps that link.  Nothing is lost, nothing deactivated twice. */
static void refire_before_exit(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 48, true), 0);
    enable(48);
    assert_true(host_fire(48));
    uint64_t lr[VGIC_MAX_LRS];
    assert_int_equal(enter(0, lr), 1);
    guest_apply(&lr[0], ACK_EOI); /* host SPI deactivated by the guest's EOI */
    kicked = 0;
    assert_true(host_fire(48)); /* on pCPU 1, say, while vCPU 0 still runs */
    assert_true(kicked & BIT(0));
    leave(0, lr);
    assert_true(spi(48)->hw && !spi(48)->hw_active);
    assert_true(pending_reg(48));
    uint64_t l = run(0, ACK_EOI);
    assert_true((l & ICH_LR_HW) && LR_STATE(l) == ST_P);
    assert_false(host[48].active);
    assert_int_equal(nr_deactivated, 0);
}

/* GICD_IROUTER: the host line follows the vCPU the SPI is routed to (its pCPU), and so does a
 * pending forwarded instance. */
static void reroute(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 50, false), 0);
    enable(50);
    assert_int_equal(host[50].cpu, 0);
    wr(0, D(0x6000 + 8 * 50), 2); /* to vCPU 2, on pCPU 2 */
    assert_true(host[50].on);
    assert_int_equal(host[50].cpu, 2);
    unsigned routes = nr_routes;
    wr(0, D(0x6000 + 8 * 50), 2); /* the same again: no change */
    assert_int_equal(nr_routes, routes);
    kicked = 0;
    assert_true(host_fire(50));
    assert_int_equal(kicked, BIT(2));
    assert_int_equal(run(0, NOTHING), 0);
    /* Routed away while pending: the new target takes it. */
    kicked = 0;
    wr(0, D(0x6000 + 8 * 50), 3);
    assert_int_equal(host[50].cpu, 3);
    assert_true(kicked & BIT(3));
    uint64_t l = run(3, ACK_EOI);
    assert_true((l & ICH_LR_HW) && LR_INTID(l) == 50);
    assert_false(host[50].active);
    /* Re-routed while disabled: remembered for the enable. */
    disable(50);
    wr(0, D(0x6000 + 8 * 50), 1);
    assert_false(host[50].on);
    enable(50);
    assert_int_equal(host[50].cpu, 1);
}

/* ISPENDR, ICPENDR, ISACTIVER, ICACTIVER on a linked SPI in no list register take effect at
 * once on the host SPI too, since the vCPU it is with may not enter again soon. */
static void pending_active_writes(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 52, true), 0);
    enable(52);
    /* ICPENDR on a forwarded instance nobody took: gone, host SPI deactivated. */
    assert_true(host_fire(52));
    wr(1, D(0x280 + 52 / 32 * 4), BIT(52 % 32));
    assert_false(pending_reg(52) || spi(52)->hw);
    assert_int_equal(nr_deactivated, 1);
    assert_int_equal(run(0, NOTHING), 0);
    /* ICACTIVER on one the guest took: ended, host SPI deactivated. */
    assert_true(host_fire(52));
    run(0, ACK);
    assert_true(active_reg(52));
    wr(1, D(0x380 + 52 / 32 * 4), BIT(52 % 32));
    assert_false(active_reg(52) || spi(52)->hw);
    assert_int_equal(nr_deactivated, 2);
    /* ISPENDR with no host instance: a software one, delivered without the HW bit. */
    wr(1, D(0x200 + 52 / 32 * 4), BIT(52 % 32));
    assert_true(pending_reg(52));
    uint64_t l = run(0, ACK_EOI);
    assert_true(LR_INTID(l) == 52 && !(l & ICH_LR_HW));
    /* ISPENDR behind a taken linked one: the link ends (a hardware entry is never pending and
     * active), the guest keeps both states. */
    assert_true(host_fire(52));
    run(0, ACK);
    wr(1, D(0x200 + 52 / 32 * 4), BIT(52 % 32));
    assert_int_equal(nr_deactivated, 3);
    assert_true(active_reg(52) && pending_reg(52));
    l = run(0, EOI);
    assert_int_equal(LR_STATE(l), ST_P | ST_A);
    run(0, ACK_EOI);
    assert_false(active_reg(52) || pending_reg(52));
    /* ISACTIVER on a pending linked one: shown active, the pending instance behind it. */
    assert_true(host_fire(52));
    wr(1, D(0x300 + 52 / 32 * 4), BIT(52 % 32));
    assert_true(spi(52)->hw);
    l = run(0, EOI);
    assert_true((l & ICH_LR_EOI) && !(l & ICH_LR_HW));
    l = run(0, ACK_EOI);
    assert_true((l & ICH_LR_HW) && LR_STATE(l) == ST_P);
    assert_false(host[52].active);
}

/* The domain goes with the line active and linked: disabled, deactivated, unregistered; the
 * handler, still reachable by one on its way elsewhere, finds no owner; the line is free for
 * another domain. */
static void release_with_line_active(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 54, false), 0);
    assert_int_equal(vgic_passthru_assign(dom, 55, true), 0);
    enable(54);
    enable(55);
    assert_true(host_fire(54));
    run(0, ACK);
    assert_true(host_fire(55)); /* pending, not taken */
    irq_handler_fn fn = host[54].fn;
    void *ctx = host[54].ctx;
    vgic_passthru_release(dom);
    assert_int_equal(nr_deactivated, 2);
    for (unsigned i = 54; i <= 55; i++) {
        assert_null(host[i].fn);
        assert_false(host[i].on || host[i].active);
        assert_false(spi(i)->assigned || spi(i)->hw);
    }
    host[54].active = true;
    assert_int_equal(fn(54, ctx), IRQ_EOI); /* a handler that had taken it before */
    host[54].active = false;
    vgic_passthru_release(dom); /* again: nothing */
    assert_int_equal(nr_deactivated, 2);
    dom2 = make_domain(2, 1, 64);
    assert_int_equal(vgic_passthru_assign(dom2, 54, false), 0);
}

/* The handler, running on another pCPU, keeps taking the line while the domain is released
 * and freed: it finds no owner from the release on, and never touches the freed domain
 * (AddressSanitizer would say so). */
struct racer {
    irq_handler_fn fn;
    void *ctx;
    unsigned forwarded, ended;
    bool stop;
};

static void *race_handler(void *arg)
{
    struct racer *r = arg;
    static struct percpu pcpu1 = { .id = 1 };
    host_this_cpu = &pcpu1;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        if (r->fn(56, r->ctx) == IRQ_FORWARDED)
            r->forwarded++;
        else
            r->ended++;
    }
    return NULL;
}

static void release_races_handler(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 56, true), 0);
    enable(56);
    struct racer r = { host[56].fn, host[56].ctx };
    racing = true;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race_handler, &r), 0);
    while (!__atomic_load_n(&r.forwarded, __ATOMIC_RELAXED))
        ;
    struct domain *d = dom;
    dom = make_domain(3, 1, 32); /* for the teardown */
    free_domain(d);
    unsigned ended = __atomic_load_n(&r.ended, __ATOMIC_RELAXED);
    while (__atomic_load_n(&r.ended, __ATOMIC_RELAXED) < ended + 1000)
        ;
    __atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(t, NULL), 0);
    racing = false;
    assert_true(r.forwarded > 0);
    assert_null(host[56].fn);
    host[56].active = false;
}

/* What may not be given: not an SPI, beyond the host's lines or the domain's vGIC, Keel's own,
 * another domain's. */
static void assign_errors(void **state)
{
    assert_int_equal(vgic_passthru_assign(dom, 27, false), -EINVAL);
    assert_int_equal(vgic_passthru_assign(dom, HOST_LINES, false), -EINVAL);
    assert_int_equal(vgic_passthru_assign(dom, 1019, false), -EINVAL);
    assert_int_equal(vgic_passthru_assign(dom, 32 + 64, false), -EINVAL); /* past its 64 SPIs */
    assert_int_equal(vgic_passthru_assign(dom, UART_LINE, false), -EBUSY);
    assert_int_equal(vgic_passthru_assign(dom, 60, false), 0);
    assert_int_equal(vgic_passthru_assign(dom, 60, false), -EBUSY);
    dom2 = make_domain(2, 1, 64);
    assert_int_equal(vgic_passthru_assign(dom2, 60, false), -EBUSY);
    assert_int_equal(vgic_passthru_assign(dom2, 61, false), 0);
    /* GICD_ICFGR shows the line's trigger and keeps it. */
    assert_int_equal(vgic_passthru_assign(dom, 62, true), 0);
    assert_int_equal((rd(D(0xc00 + 62 / 16 * 4)) >> (2 * (62 % 16))) & 3, 2);
    wr(0, D(0xc00 + 62 / 16 * 4), 0);
    assert_true(spi(62)->edge);
    assert_false(host[62].on);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fire_inject_ack_deactivate, setup, teardown),
        cmocka_unit_test_setup_teardown(descheduled_keeps_link, setup, teardown),
        cmocka_unit_test_setup_teardown(fire_while_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(disable_withdraws_level, setup, teardown),
        cmocka_unit_test_setup_teardown(fire_while_active, setup, teardown),
        cmocka_unit_test_setup_teardown(refire_before_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(reroute, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_active_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(release_with_line_active, setup, teardown),
        cmocka_unit_test_setup_teardown(release_races_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(assign_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
