/*
 * Guest exits: a table from exception class to handler (Arm ARM D17.2.37, ESR_EL2), emulated
 * MMIO decoding, and injection of exceptions a guest must see (undefined instruction, external
 * abort).  Runs on the pCPU the vCPU is loaded on, with interrupts masked.  Nothing a guest does
 * here may stop Keel: anything unexpected becomes an exception in the guest.
 */
#include <arm64/idregs.h>
#include <arm64/regs.h>
#include <arm64/sysreg.h>
#include <arm64/traps.h>
#include <arm64/vgic.h>
#include <arm64/vtimer.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/hypercall.h>
#include <hyp/sched.h>
#include <hyp/vmmio.h>
#include <xen/arch-arm.h>

/* ESR ISS fields for data aborts (Arm ARM D17.2.37). */
#define DABT_ISV (1UL << 24)
#define DABT_SAS(iss) (((iss) >> 22) & 3)
#define DABT_SSE (1UL << 21)
#define DABT_SRT(iss) (((iss) >> 16) & 31)
#define DABT_SF (1UL << 15)
#define DABT_WNR (1UL << 6)
#define FSC_SYNC_EXTERNAL 0x10

typedef void (*exit_handler_fn)(struct vcpu *v, uint64_t esr);

void guest_advance_pc(struct vcpu *v)
{
    v->arch.regs.pc += 4;
}

/* Deliver a synchronous exception to the guest's EL1 vector (Arm ARM D1.10). */
static void inject_sync(struct vcpu *v, uint64_t esr, uint64_t far, bool set_far)
{
    uint64_t pstate = v->arch.regs.pstate;
    uint64_t mode = pstate & 0xf;
    uint64_t offset = mode == 0 ? 0x400 : (mode == PSR_MODE_EL1H ? 0x200 : 0x000);
    write_sysreg(v->arch.regs.pc, elr_el1);
    write_sysreg(pstate, spsr_el1);
    write_sysreg(esr, esr_el1);
    if (set_far)
        write_sysreg(far, far_el1);
    v->arch.regs.pc = read_sysreg(vbar_el1) + offset;
    v->arch.regs.pstate = PSR_MODE_EL1H | PSR_DAIF;
}

void guest_inject_undef(struct vcpu *v)
{
    inject_sync(v, ESR_IL, 0, false);
}

void guest_inject_abort(struct vcpu *v, bool is_data, uint64_t va, bool write)
{
    bool from_el0 = (v->arch.regs.pstate & 0xf) == 0;
    uint64_t ec =
        is_data ? (from_el0 ? EC_DABT_LOW : EC_DABT_CUR) : (from_el0 ? EC_IABT_LOW : EC_IABT_CUR);
    uint64_t iss = FSC_SYNC_EXTERNAL | (is_data && write ? DABT_WNR : 0);
    inject_sync(v, ec << ESR_EC_SHIFT | ESR_IL | iss, va, true);
}

static void on_wfx(struct vcpu *v, uint64_t esr)
{
    if (esr & 1)
        sched_yield(v); /* WFE: someone else may hold the lock we spin on */
    else
        vcpu_block(v);
    guest_advance_pc(v);
}

static void on_hvc(struct vcpu *v, uint64_t esr)
{
    /* ELR_EL2 already points past the HVC. */
    unsigned imm = esr & 0xffff;
    if (imm == 0) {
        vpsci_call(v);
    } else if (imm == XEN_HYPERCALL_TAG) {
        /* x0-x4 are the arguments, in place: no copy on the hypercall hot path. */
        struct guest_regs *r = &v->arch.regs;
        r->x[0] = (uint64_t)hypercall(v, r->x[16], r->x);
    } else {
        pr_debug("domain %s: HVC #%#x is not a known call\n", v->dom->name, imm);
        /* An undefined HVC reports the HVC itself as the faulting instruction. */
        v->arch.regs.pc -= 4;
        guest_inject_undef(v);
    }
}

static void on_smc(struct vcpu *v, uint64_t esr)
{
    /* A trapped SMC returns to the SMC itself (Arm ARM D1.10.4). */
    guest_advance_pc(v);
    vpsci_call(v);
}

static void on_sysreg(struct vcpu *v, uint64_t esr)
{
    unsigned iss = (unsigned)ESR_ISS(esr);
    unsigned rt = (iss >> 5) & 31;
    bool read = iss & 1;
    unsigned enc = SYSREG_ENC(iss);
    uint64_t val = rt == 31 ? 0 : v->arch.regs.x[rt];
    if (enc == SYSREG_ICC_SGI1R_EL1 && !read) {
        vgic_sgi1r_write(v, val);
    } else if ((read && idregs_read(enc, &val)) || vtimer_sysreg(v, enc, !read, &val)) {
        if (read && rt != 31)
            v->arch.regs.x[rt] = val;
    } else if (vdebug_trap(v, enc)) {
        return; /* its debug registers are live now: the access runs again, untrapped */
    } else {
        pr_debug("domain %s: unhandled system register access (ISS %#x), undef\n", v->dom->name,
                 iss);
        guest_inject_undef(v);
        return;
    }
    guest_advance_pc(v);
}

static uint64_t fault_ipa(uint64_t far)
{
    uint64_t hpfar = read_sysreg(hpfar_el2);
    return ((hpfar & 0x00000ffffffffff0UL) << 8) | (far & 0xfff);
}

/* The rare outcomes of a data abort, kept out of line so the emulation path stays short. */
static __attribute__((noinline)) void dabt_fail(struct vcpu *v, uint64_t ipa, bool write,
                                                unsigned size, int rc)
{
    uint64_t far = read_sysreg(far_el2);
    if (rc == -ENODATA)
        guest_warn(v->dom,
                   "domain %s: access at IPA %#lx cannot be emulated (no syndrome), aborting it\n",
                   v->dom->name, ipa);
    else
        pr_debug("domain %s: %s of %u bytes at IPA %#lx: no device (%d), external abort\n",
                 v->dom->name, write ? "write" : "read", size, ipa, rc);
    guest_inject_abort(v, true, far, write);
}

/* A load's result into its register (ISS: SRT, SSE, SF); XZR (31) discards it. */
static void dabt_load(struct vcpu *v, uint64_t iss, uint64_t val)
{
    unsigned sas = DABT_SAS(iss), rt = DABT_SRT(iss);
    if (rt == 31)
        return;
    if ((iss & DABT_SSE) && sas < 3 && (val >> ((8u << sas) - 1)) & 1)
        val |= ~0UL << (8u << sas);
    v->arch.regs.x[rt] = (iss & DABT_SF) ? val : (val & 0xffffffffUL);
}

static void on_dabt(struct vcpu *v, uint64_t esr)
{
    uint64_t iss = ESR_ISS(esr);
    bool write = iss & DABT_WNR;
    uint64_t ipa = fault_ipa(read_sysreg(far_el2));
    if (unlikely(!(iss & DABT_ISV))) {
        dabt_fail(v, ipa, write, 0, -ENODATA);
        return;
    }
    unsigned sas = DABT_SAS(iss), rt = DABT_SRT(iss);
    uint64_t val = 0;
    if (write && rt != 31)
        val = sas < 3 ? v->arch.regs.x[rt] & ((1UL << (8u << sas)) - 1) : v->arch.regs.x[rt];
    int rc = vmmio_access(v, ipa, write, 1u << sas, &val);
    if (unlikely(rc)) {
        dabt_fail(v, ipa, write, 1u << sas, rc);
        return;
    }
    if (!write)
        dabt_load(v, iss, val);
    guest_advance_pc(v);
}

static void on_iabt(struct vcpu *v, uint64_t esr)
{
    uint64_t far = read_sysreg(far_el2);
    guest_warn(v->dom, "domain %s: instruction fetch from IPA %#lx (no RAM there), aborting it\n",
               v->dom->name, fault_ipa(far));
    guest_inject_abort(v, false, far, false);
}

static void on_unknown(struct vcpu *v, uint64_t esr)
{
    pr_debug("domain %s: unexpected exit EC %#lx, undef\n", v->dom->name, ESR_EC(esr));
    guest_inject_undef(v);
}

/* Exception class -> handler and the kind the exit statistics file it under. */
static const struct {
    exit_handler_fn fn;
    enum exit_kind kind;
} exit_table[64] = {
    [EC_WFX] = { on_wfx, XK_WFX },        [EC_HVC64] = { on_hvc, XK_HVC },
    [EC_SMC64] = { on_smc, XK_SMC },      [EC_SYS64] = { on_sysreg, XK_SYSREG },
    [EC_DABT_LOW] = { on_dabt, XK_MMIO }, [EC_IABT_LOW] = { on_iabt, XK_ABORT },
};

enum exit_kind guest_trap_sync(struct vcpu *v)
{
    uint64_t esr = read_sysreg(esr_el2);
    unsigned ec = (unsigned)ESR_EC(esr);
    if (!exit_table[ec].fn) {
        on_unknown(v, esr);
        return XK_OTHER;
    }
    exit_table[ec].fn(v, esr);
    return exit_table[ec].kind;
}

void guest_trap_serror(struct vcpu *v)
{
    pr_err("domain %s: SError (asynchronous abort) from vCPU %u, ESR %#lx\n", v->dom->name, v->id,
           read_sysreg(esr_el2));
    domain_shutdown(v->dom, SHUTDOWN_CRASH);
}
