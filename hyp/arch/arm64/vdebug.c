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

/* Register names are part of the instruction: one case per index. */
#define FOR_EACH_DBG(X)                                                                            \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define SAVE_ONE(n)                                                                                \
    case n:                                                                                        \
        d->bvr[n] = read_sysreg(dbgbvr##n##_el1);                                                  \
        d->bcr[n] = read_sysreg(dbgbcr##n##_el1);                                                  \
        break;
#define LOAD_ONE(n)                                                                                \
    case n:                                                                                        \
        write_sysreg(d->bvr[n], dbgbvr##n##_el1);                                                  \
        write_sysreg(d->bcr[n], dbgbcr##n##_el1);                                                  \
        break;
#define WSAVE_ONE(n)                                                                               \
    case n:                                                                                        \
        d->wvr[n] = read_sysreg(dbgwvr##n##_el1);                                                  \
        d->wcr[n] = read_sysreg(dbgwcr##n##_el1);                                                  \
        break;
#define WLOAD_ONE(n)                                                                               \
    case n:                                                                                        \
        write_sysreg(d->wvr[n], dbgwvr##n##_el1);                                                  \
        write_sysreg(d->wcr[n], dbgwcr##n##_el1);                                                  \
        break;

static void save_regs(struct vdebug *d)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) {
            FOR_EACH_DBG(SAVE_ONE)
        }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) {
            FOR_EACH_DBG(WSAVE_ONE)
        }
}

static void load_regs(const struct vdebug *d)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) {
            FOR_EACH_DBG(LOAD_ONE)
        }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) {
            FOR_EACH_DBG(WLOAD_ONE)
        }
}

void vdebug_init_cpu(uint64_t mdcr)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    nr_brps = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    nr_wrps = (unsigned)((dfr0 >> 20) & 0xf) + 1;
    mdcr_guest[cpu_id()] = mdcr;
    /* Nothing of a previous owner (firmware) may stay armed. */
    struct vdebug zero = { 0 };
    load_regs(&zero);
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
    /* Disarm them: the next vCPU here may enable debug exceptions before touching them. */
    struct vdebug zero = { 0 };
    load_regs(&zero);
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
