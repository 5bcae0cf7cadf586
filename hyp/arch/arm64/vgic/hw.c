/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual CPU interface's system registers (IHI 0069 12.5, ICH_*_EL2): list registers,
 * ICH_HCR_EL2, ICH_VMCR_EL2, the active-priority registers, and the maintenance interrupt.
 * The only vGIC file that touches hardware; everything runs on the pCPU the vCPU is loaded on,
 * with interrupts masked.  What goes into the registers is decided in lr.c.
 */
#include <arm64/sysreg.h>
#include <hyp/config.h>
#include <hyp/console.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>

#include "vgic_internal.h"

/* ICH_VTR_EL2 (IHI 0069 12.5.9): ListRegs[4:0] = count - 1, PREbits[28:26] = preemption bits
 * - 1.  With 5, 6 or 7 preemption bits there are 1, 2 or 4 APRs per group. */
#define ICH_VTR_LISTREGS(v) (((v)&0x1f) + 1)
#define ICH_VTR_PREBITS(v) ((((v) >> 26) & 7) + 1)

static unsigned nr_lrs;
static unsigned nr_aprs;
static bool hw_ready;
/* Whether each pCPU's list registers were cleared since reset (they reset to UNKNOWN values).
 * After that, every vgic_save leaves them zero again. */
static bool lrs_cleared[MAX_CPUS];
static struct spinlock init_lock = SPINLOCK_INIT;

/* System register names are part of the instruction: one case per list register. */
#define FOR_EACH_LR(X)                                                                             \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define LR_READ(n)                                                                                 \
    case n:                                                                                        \
        return read_sysreg(ich_lr##n##_el2);
#define LR_WRITE(n)                                                                                \
    case n:                                                                                        \
        write_sysreg(val, ich_lr##n##_el2);                                                        \
        break;

static uint64_t lr_read_any(unsigned i)
{
    switch (i) {
        FOR_EACH_LR(LR_READ)
    }
    return 0;
}

static void lr_write_any(unsigned i, uint64_t val)
{
    switch (i) {
        FOR_EACH_LR(LR_WRITE)
    }
}

/* List register 0 directly: with one interrupt in flight, the usual case, it is the only one
 * in use, and the switch costs more than the access. */
static inline uint64_t lr_read(unsigned i)
{
    return likely(i == 0) ? read_sysreg(ich_lr0_el2) : lr_read_any(i);
}

static inline void lr_write(unsigned i, uint64_t val)
{
    if (likely(i == 0))
        write_sysreg(val, ich_lr0_el2);
    else
        lr_write_any(i, val);
}

/* Only the APRs the implementation has may be accessed: the others are UNDEFINED. */
static void aprs_save(struct vgic_cpu *c)
{
    switch (nr_aprs) {
    case 4:
        c->ap0r[3] = (uint32_t)read_sysreg(ich_ap0r3_el2);
        c->ap1r[3] = (uint32_t)read_sysreg(ich_ap1r3_el2);
        c->ap0r[2] = (uint32_t)read_sysreg(ich_ap0r2_el2);
        c->ap1r[2] = (uint32_t)read_sysreg(ich_ap1r2_el2);
        __attribute__((fallthrough));
    case 2:
        c->ap0r[1] = (uint32_t)read_sysreg(ich_ap0r1_el2);
        c->ap1r[1] = (uint32_t)read_sysreg(ich_ap1r1_el2);
        __attribute__((fallthrough));
    default:
        c->ap0r[0] = (uint32_t)read_sysreg(ich_ap0r0_el2);
        c->ap1r[0] = (uint32_t)read_sysreg(ich_ap1r0_el2);
    }
}

static void aprs_restore(const struct vgic_cpu *c)
{
    switch (nr_aprs) {
    case 4:
        write_sysreg(c->ap0r[3], ich_ap0r3_el2);
        write_sysreg(c->ap1r[3], ich_ap1r3_el2);
        write_sysreg(c->ap0r[2], ich_ap0r2_el2);
        write_sysreg(c->ap1r[2], ich_ap1r2_el2);
        __attribute__((fallthrough));
    case 2:
        write_sysreg(c->ap0r[1], ich_ap0r1_el2);
        write_sysreg(c->ap1r[1], ich_ap1r1_el2);
        __attribute__((fallthrough));
    default:
        write_sysreg(c->ap0r[0], ich_ap0r0_el2);
        write_sysreg(c->ap1r[0], ich_ap1r0_el2);
    }
}

/* The maintenance interrupt only has to make the guest exit, and vgic_sync already switched
 * its condition off.  Switch it off here too in case it came some other way: it is
 * level-sensitive, so leaving it asserted would bring it straight back. */
static enum irq_end maintenance(unsigned irq, void *ctx)
{
    write_sysreg(0, ich_hcr_el2);
    isb();
    return IRQ_EOI;
}

int vgic_hw_init(void)
{
    unsigned long flags = spin_lock_irqsave(&init_lock);
    int rc = 0;
    if (!hw_ready) {
        uint64_t vtr = read_sysreg(ich_vtr_el2);
        nr_lrs = MIN(ICH_VTR_LISTREGS(vtr), (unsigned)VGIC_MAX_LRS);
        unsigned pre = ICH_VTR_PREBITS(vtr);
        nr_aprs = pre >= 7 ? 4 : pre == 6 ? 2 : 1;
        rc = irq_register(VGIC_MAINT_PPI, maintenance, NULL);
        if (!rc) {
            for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
                if (cpu_online(cpu))
                    irqchip_enable(VGIC_MAINT_PPI, cpu);
            hw_ready = true;
            pr_info("vgic: %u list registers, %u active-priority registers per group\n", nr_lrs,
                    nr_aprs);
        }
    }
    spin_unlock_irqrestore(&init_lock, flags);
    return rc;
}

unsigned vgic_hw_nr_lrs(void)
{
    return nr_lrs;
}

void vgic_hw_deactivate(unsigned pintid)
{
    /* A PPI is this pCPU's own.  An SPI given to a domain may have been taken on another pCPU
     * than this one, where its vCPU happens to be. */
    if (pintid < VGIC_NR_PRIVATE)
        irqchip_deactivate(pintid);
    else
        irqchip_clear_active(pintid);
}

/* Whether an entry of v can skip the list registers altogether: none is in use in the hardware
 * and nothing is live.  Read without the lock: an interrupt made live after this check comes
 * with a kick (IPI), which makes the guest exit again at once, and the next flush sees it. */
static inline bool flush_quiet(struct vcpu *v)
{
    const struct vgic_dist *g = vgic_of(v->dom);
    return !v->arch.vgic.hw_lrs && !READ_ONCE(v->arch.vgic.live) && !vgic_spis_live(g);
}

static __attribute__((noinline)) void flush_lrs(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    vgic_lr_fill(v, nr_lrs);
    for (unsigned i = 0; i < MAX(c->nr_lr, c->hw_lrs); i++)
        lr_write(i, i < c->nr_lr ? c->lr[i] : 0);
    c->hw_lrs = c->nr_lr;
    /* The exception return into the guest synchronises these writes. */
    write_sysreg(c->hcr, ich_hcr_el2);
}

void vgic_flush(struct vcpu *v)
{
    /* The common exit (a hypercall, an MMIO access) has no interrupt in flight: the list
     * registers are empty and stay so, and ICH_HCR_EL2 needs no change (UIE is only ever set
     * with list registers in use, and vgic_sync clears it). */
    if (likely(flush_quiet(v)))
        return;
    flush_lrs(v);
}

static __attribute__((noinline)) void sync_lrs(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    uint64_t now[VGIC_MAX_LRS];
    unsigned n = MIN(c->nr_lr, (unsigned)VGIC_MAX_LRS); /* always nr_lr; says so to the compiler */
    for (unsigned i = 0; i < n; i++) {
        now[i] = lr_read(i);
        /* An EOI-maintenance entry the guest deactivated keeps the interrupt asserted. */
        if (c->lr[i] & ICH_LR_EOI)
            lr_write(i, 0);
    }
    if (c->hcr & ICH_HCR_UIE)
        write_sysreg(ICH_HCR_EN, ich_hcr_el2);
    isb();
    vgic_lr_fold(v, now);
}

void vgic_sync(struct vcpu *v)
{
    const struct vgic_cpu *c = &v->arch.vgic;
    if (likely(!c->nr_lr && !(c->hcr & ICH_HCR_UIE)))
        return; /* nothing was in the list registers: nothing to fold back */
    sync_lrs(v);
}

void vgic_save(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    c->vmcr = read_sysreg(ich_vmcr_el2);
    aprs_save(c);
    write_sysreg(0, ich_hcr_el2);
    for (unsigned i = 0; i < c->hw_lrs; i++)
        lr_write(i, 0);
    c->hw_lrs = 0;
    isb();
    vgic_lr_unlink_private(v);
}

void vgic_restore(struct vcpu *v)
{
    struct vgic_cpu *c = &v->arch.vgic;
    write_sysreg(c->vmcr, ich_vmcr_el2);
    aprs_restore(c);
    /* vgic_save left the list registers zero, unless none ever ran here since reset. */
    bool *cleared = &lrs_cleared[cpu_id()];
    if (!*cleared) {
        for (unsigned i = 0; i < nr_lrs; i++)
            lr_write(i, 0);
        *cleared = true;
    }
    c->hw_lrs = 0;
}
