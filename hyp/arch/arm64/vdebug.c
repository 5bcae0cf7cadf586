/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware breakpoints and watchpoints of vCPUs (Arm ARM D2, self-hosted debug): each vCPU has
 * its own DBGBVR/DBGBCR/DBGWVR/DBGWCR<n>_EL1, so that no domain sees or is hit by another's.
 * Linux writes them once at boot and then only while a debugger uses them, so they are
 * switched lazily: a vCPU runs with MDCR_EL2.TDA set (its debug register accesses trap) until
 * it touches one, and from then until it is put its registers are live in the hardware.
 * MDSCR_EL1 is switched with the other EL1 registers; a vCPU whose MDSCR_EL1 enables debug
 * exceptions (MDE, KDE) has its registers loaded at once, since they may fire.
 *
 * The OS lock and the OS double lock are per PE too, and a guest that sets them disables its
 * debug exceptions (AArch64.GenerateDebugExceptionsFrom: OSLSR_EL1.OSLK, DoubleLockStatus()).
 * Their registers always trap (MDCR_EL2.TDOSA) and live in struct vdebug; the hardware locks
 * hold the loaded vCPU's and are clear whenever no locked vCPU is loaded.  Switching them is
 * enough here because Keel itself uses no self-hosted debug: their effect at EL2 is nil.
 */
#include <arch/domain.h>
#include <arm64/sysreg.h>
#include <arm64/vdebug.h>
#include <hyp/config.h>
#include <hyp/domain.h>
#include <hyp/percpu.h>

#define MDCR_TDA (1UL << 9)
#define MDCR_TDOSA (1UL << 10)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)

/* The registers MDCR_EL2.TDOSA traps (Arm ARM, MDCR_EL2): op0 = 2, op1 = 0, CRn = 1. */
#define SYSREG_OSLAR_EL1 SYSREG(2, 0, 1, 0, 4)
#define SYSREG_OSLSR_EL1 SYSREG(2, 0, 1, 1, 4)
#define SYSREG_OSDLR_EL1 SYSREG(2, 0, 1, 3, 4)
#define SYSREG_DBGPRCR_EL1 SYSREG(2, 0, 1, 4, 4)
/* OSLSR_EL1: OSLM = 0b10 (bits 3 and 0), the OS lock of Armv8; OSLK. */
#define OSLSR_OSLM_ARMV8 (1UL << 3)
#define OSLSR_OSLK (1UL << 1)

static unsigned nr_brps, nr_wrps;
static bool has_double_lock; /* FEAT_DoubleLock: else OSDLR_EL1 is RAZ/WI */
static uint64_t mdcr_guest[MAX_CPUS];

/* Register names are part of the instruction: one case per index.  k is b (breakpoint:
 * DBGBVR/DBGBCR) or w (watchpoint: DBGWVR/DBGWCR). */
/* (clang-format finds no stable layout for this list.) */
/* clang-format off */
#define FOR_EACH_DBG(X, k)                                                                         \
    X(k, 0) X(k, 1) X(k, 2) X(k, 3) X(k, 4) X(k, 5) X(k, 6) X(k, 7)                                \
    X(k, 8) X(k, 9) X(k, 10) X(k, 11) X(k, 12) X(k, 13) X(k, 14) X(k, 15)
/* clang-format on */
#define SAVE_PAIR(k, n)                                                                            \
    case n:                                                                                        \
        d->k##vr[n] = read_sysreg(dbg##k##vr##n##_el1);                                            \
        d->k##cr[n] = read_sysreg(dbg##k##cr##n##_el1);                                            \
        break;
#define LOAD_PAIR(k, n)                                                                            \
    case n:                                                                                        \
        write_sysreg(d->k##vr[n], dbg##k##vr##n##_el1);                                            \
        write_sysreg(d->k##cr[n], dbg##k##cr##n##_el1);                                            \
        break;

static void save_regs(struct vdebug *d)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) {
            FOR_EACH_DBG(SAVE_PAIR, b)
        }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) {
            FOR_EACH_DBG(SAVE_PAIR, w)
        }
}

static void load_regs(const struct vdebug *d)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) {
            FOR_EACH_DBG(LOAD_PAIR, b)
        }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) {
            FOR_EACH_DBG(LOAD_PAIR, w)
        }
}

/* No breakpoint or watchpoint armed in the hardware. */
static void disarm(void)
{
    static const struct vdebug zero;
    load_regs(&zero);
}

/* No vCPU's: both locks clear. */
static const struct vdebug unlocked;

/* The hardware OS lock and double lock of this pCPU, for a vCPU with d. */
static void set_locks(const struct vdebug *d)
{
    write_sysreg(d->os_lock, oslar_el1);
    if (has_double_lock)
        write_sysreg(d->double_lock && !d->no_powerdown, osdlr_el1);
}

static bool locked(const struct vdebug *d)
{
    return d->os_lock || d->double_lock;
}

void vdebug_init_cpu(uint64_t mdcr)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    nr_brps = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    nr_wrps = (unsigned)((dfr0 >> 20) & 0xf) + 1;
    has_double_lock = ((dfr0 >> 36) & 0xf) == 0;
    mdcr_guest[cpu_id()] = mdcr | MDCR_TDOSA;
    /* Nothing of a previous owner (firmware) may stay armed, nor the OS lock a cold reset
     * sets. */
    disarm();
    set_locks(&unlocked);
}

static void make_live(struct vcpu *v)
{
    load_regs(&v->arch.dbg);
    v->arch.dbg.live = true;
    write_sysreg(mdcr_guest[cpu_id()], mdcr_el2);
    isb();
}

void vdebug_load(struct vcpu *v)
{
    if (unlikely(locked(&v->arch.dbg)))
        set_locks(&v->arch.dbg);
    if (v->arch.sys.mdscr & (MDSCR_MDE | MDSCR_KDE)) {
        make_live(v);
    } else {
        write_sysreg(mdcr_guest[cpu_id()] | MDCR_TDA, mdcr_el2);
        isb();
    }
}

void vdebug_put(struct vcpu *v)
{
    struct vdebug *d = &v->arch.dbg;
    if (unlikely(locked(d)))
        set_locks(&unlocked);
    if (!d->live)
        return;
    save_regs(d);
    disarm(); /* the next vCPU here may enable debug exceptions before touching them */
    d->live = false;
}

/* The OS lock starts clear, as Xen and KVM show it, although a cold reset sets it (OSLSR_EL1):
 * Linux clears it at boot, bare-metal guests written for those hypervisors do not. */
void vdebug_reset(struct vcpu *v)
{
    struct vdebug *d = &v->arch.dbg;
    bool live = d->live;
    *d = (struct vdebug){ .live = live };
    if (live)
        load_regs(d);
}

bool vdebug_trap(struct vcpu *v, unsigned sysreg_enc)
{
    /* MDCR_EL2.TDA traps the debug registers of op0 = 2 (Arm ARM D17.2.89), but none of CRn =
     * 1: those trap through TDOSA, live or not, and making them live would not stop that. */
    unsigned crn = (sysreg_enc >> 10) & 0xf;
    if (v->arch.dbg.live || (sysreg_enc >> 20) != 2 || crn == 1)
        return false;
    make_live(v);
    return true;
}

bool vdebug_os_sysreg(struct vcpu *v, unsigned sysreg_enc, bool write, uint64_t *val)
{
    struct vdebug *d = &v->arch.dbg;
    switch (sysreg_enc) {
    case SYSREG_OSLAR_EL1: /* write-only: bit 0 is the new OSLK */
        if (!write)
            return false;
        d->os_lock = *val & 1;
        break;
    case SYSREG_OSLSR_EL1: /* read-only */
        if (write)
            return false;
        *val = OSLSR_OSLM_ARMV8 | (d->os_lock ? OSLSR_OSLK : 0);
        return true;
    case SYSREG_OSDLR_EL1:
        if (write)
            d->double_lock = has_double_lock && (*val & 1);
        else
            *val = d->double_lock;
        break;
    case SYSREG_DBGPRCR_EL1: /* CORENPDRQ: while set, the double lock does not lock */
        if (write)
            d->no_powerdown = *val & 1;
        else
            *val = d->no_powerdown;
        break;
    default:
        return false;
    }
    set_locks(d); /* v is loaded here */
    return true;
}
