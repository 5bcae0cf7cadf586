/*
 * Hardware breakpoints and watchpoints of vCPUs (Arm ARM D2, self-hosted debug): each vCPU has
 * its own DBGBVR/DBGBCR/DBGWVR/DBGWCR<n>_EL1, so that no domain sees or is hit by another's.
 * Linux writes them once at boot and then only while a debugger uses them, so they are
 * switched lazily: a vCPU runs with MDCR_EL2.TDA set (its debug register accesses trap) until
 * it touches one, and from then until it is put its registers are live in the hardware.
 * MDSCR_EL1 is switched with the other EL1 registers; a vCPU whose MDSCR_EL1 enables debug
 * exceptions (MDE, KDE) has its registers loaded at once, since they may fire.
 */
#include <arch/domain.h>
#include <arm64/sysreg.h>
#include <arm64/vdebug.h>
#include <hyp/config.h>
#include <hyp/domain.h>
#include <hyp/percpu.h>

#define MDCR_TDA (1UL << 9)
#define MDSCR_KDE (1UL << 13)
#define MDSCR_MDE (1UL << 15)

static unsigned nr_brps, nr_wrps;
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

void vdebug_init_cpu(uint64_t mdcr)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    nr_brps = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    nr_wrps = (unsigned)((dfr0 >> 20) & 0xf) + 1;
    mdcr_guest[cpu_id()] = mdcr;
    disarm(); /* nothing of a previous owner (firmware) may stay armed */
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
    if (!d->live)
        return;
    save_regs(d);
    disarm(); /* the next vCPU here may enable debug exceptions before touching them */
    d->live = false;
}

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
    /* MDCR_EL2.TDA traps the debug registers of op0 = 2 (Arm ARM D17.2.89). */
    if (v->arch.dbg.live || (sysreg_enc >> 20) != 2)
        return false;
    make_live(v);
    return true;
}
