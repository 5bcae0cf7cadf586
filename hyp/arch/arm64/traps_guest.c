/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest exits: a table from exception class to handler (Arm ARM D17.2.37, ESR_EL2), emulated
 * MMIO decoding, and injection of exceptions a guest must see (undefined instruction, external
 * abort).  Runs on the pCPU the vCPU is loaded on, with interrupts masked.  Nothing a guest does
 * here may stop Keel: anything unexpected becomes an exception in the guest.
 */
#include <arm64/idregs.h>
#include <arm64/mmio_insn.h>
#include <arm64/regs.h>
#include <arm64/sysreg.h>
#include <arm64/traps.h>
#include <arm64/vgic.h>
#include <arm64/vtimer.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include <hyp/physmap.h>
#include <hyp/sched.h>
#include <hyp/vmmio.h>
#include <xen/arch-arm.h>

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
        /* x0-x4 are the arguments, in place: no copy on the hypercall hot path.  A call that
         * stopped to continue later rewrote them; it runs again from the HVC. */
        struct guest_regs *r = &v->arch.regs;
        long rc = hypercall(v, r->x[16], r->x);
        if (likely(rc != -ERESTART))
            r->x[0] = (uint64_t)rc;
        else
            r->pc -= 4;
    } else {
        guest_debug(v->dom, "domain %s: HVC #%#x is not a known call\n", v->dom->name, imm);
        /* An undefined HVC reports the HVC itself as the faulting instruction. */
        v->arch.regs.pc -= 4;
        guest_inject_undef(v);
    }
}

static void on_smc(struct vcpu *v, uint64_t esr)
{
    /* SMCCC calls are SMC #0 (DEN 0028); any other immediate is not a call, and Xen makes it
     * an undefined instruction, as it does an HVC nobody answers.  A trapped SMC returns to
     * the SMC itself (Arm ARM D1.10.4), which is where an undefined one must report. */
    if (esr & 0xffff) {
        guest_debug(v->dom, "domain %s: SMC #%#lx is not a known call\n", v->dom->name,
                    esr & 0xffff);
        guest_inject_undef(v);
        return;
    }
    guest_advance_pc(v);
    vpsci_call(v);
}

/* Registers trapped only so a guest cannot reach the hardware's: ACTLR_EL1 reads the physical
 * value and ignores writes; MDRAR_EL1 (read-only) reads 0: no debug ROM.  IMPLEMENTATION
 * DEFINED registers are not here: they are undefined to guests, as on Xen. */
static bool hidden_sysreg(unsigned enc, bool write, uint64_t *val)
{
    switch (enc) {
    case SYSREG_ACTLR_EL1:
        if (!write)
            *val = read_sysreg(actlr_el1);
        return true;
    case SYSREG_MDRAR_EL1:
        *val = 0;
        return !write;
    default:
        return false;
    }
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
    } else if ((read && idregs_read(enc, &val)) || vtimer_sysreg(v, enc, !read, &val) ||
               vdebug_os_sysreg(v, enc, !read, &val) || hidden_sysreg(enc, !read, &val)) {
        if (read && rt != 31)
            v->arch.regs.x[rt] = val;
    } else if (vdebug_trap(v, enc)) {
        return; /* its debug registers are live now: the access runs again, untrapped */
    } else {
        guest_debug(v->dom, "domain %s: unhandled system register access (ISS %#x), undef\n",
                    v->dom->name, iss);
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

/*
 * A translation fault at an address the map has by now: another CPU was changing the entry
 * when this vCPU walked it.  Replacing a live block by a table of pages (a page taken out of
 * a domain's RAM mapped in blocks: the balloon, a foreign or grant mapping) must go through
 * an invalid entry and a TLB invalidation first (the Arm ARM's break-before-make sequence,
 * DDI 0487, "Using break-before-make when updating translation table entries";
 * arm64/pgtable.c), and every vCPU of the domain touching that block meanwhile takes a
 * translation fault.  The map, read under its lock (which the changing CPU holds until the
 * entry is whole again), says whether the access can simply run again.  Without this the
 * fault looked like emulated MMIO and the domain got an abort on its own RAM.
 */
static bool remapped(struct vcpu *v, unsigned dfsc, uint64_t ipa, bool write)
{
    return DFSC_TRANS_FAULT(dfsc) && physmap_fault(v->dom, GPA(ipa), write);
}

/* The rare outcomes of a data abort, kept out of line so the emulation path stays short:
 * the access runs again if the map has the page now (remapped), else the guest gets an
 * abort. */
static __attribute__((noinline)) void dabt_fail(struct vcpu *v, uint64_t ipa, bool write,
                                                unsigned size, int rc)
{
    /* ESR_EL2 and FAR_EL2 still hold this exit's syndrome: read here, not carried through the
     * emulation path (a register kept live across it costs every MMIO access). */
    if (remapped(v, DABT_DFSC(ESR_ISS(read_sysreg(esr_el2))), ipa, write))
        return;
    uint64_t far = read_sysreg(far_el2);
    if (rc == -ENODATA)
        guest_warn(v->dom,
                   "domain %s: access at IPA %#lx cannot be emulated (no syndrome), aborting it\n",
                   v->dom->name, ipa);
    else
        guest_debug(v->dom,
                    "domain %s: %s of %u bytes at IPA %#lx: no device (%d), external abort\n",
                    v->dom->name, write ? "write" : "read", size, ipa, rc);
    guest_inject_abort(v, true, far, write);
}

/* A load's result into its register (ISS: SRT, SSE, SF); XZR (31) discards it.  Inline: the
 * data abort fast path. */
static inline __attribute__((always_inline)) void dabt_load(struct vcpu *v, uint64_t iss,
                                                            uint64_t val)
{
    unsigned sas = DABT_SAS(iss), rt = DABT_SRT(iss);
    if (rt == 31)
        return;
    if ((iss & DABT_SSE) && sas < 3 && (val >> ((8u << sas) - 1)) & 1)
        val |= ~0UL << (8u << sas);
    v->arch.regs.x[rt] = (iss & DABT_SF) ? val : (val & 0xffffffffUL);
}

/* The access a syndrome (ISS with ISV set) describes, at ipa.  Returns whether it was done;
 * if not, it runs again or an abort is injected (dabt_fail).  Inline: the data abort fast
 * path. */
static inline __attribute__((always_inline)) bool dabt_emulate(struct vcpu *v, uint64_t iss,
                                                               uint64_t ipa)
{
    bool write = iss & DABT_WNR;
    unsigned sas = DABT_SAS(iss), rt = DABT_SRT(iss);
    uint64_t val = 0;
    if (write && rt != 31)
        val = sas < 3 ? v->arch.regs.x[rt] & ((1UL << (8u << sas)) - 1) : v->arch.regs.x[rt];
    int rc = vmmio_access(v, ipa, write, 1u << sas, &val);
    if (unlikely(rc)) {
        dabt_fail(v, ipa, write, 1u << sas, rc);
        return false;
    }
    if (!write)
        dabt_load(v, iss, val);
    return true;
}

/* The instruction of v that took the data abort with syndrome iss, decoded, if Keel emulates
 * it and it is the access that faulted: a fault on the access itself (not on a stage-1 table
 * walk, not a cache maintenance), with a valid FAR, in the same direction, at the address its
 * base register names (up to a top-byte tag).  The instruction is read through the guest's
 * own stage 1; another vCPU may have rewritten it since, hence the checks. */
static bool dabt_decode(struct vcpu *v, uint64_t iss, struct mmio_insn *d)
{
    if (iss & (DABT_S1PTW | DABT_CM | DABT_FNV))
        return false;
    uint32_t insn;
    if (copy_from_guest(v, &insn, v->arch.regs.pc, sizeof(insn)) || mmio_insn_decode(insn, d))
        return false;
    uint64_t base = v->arch.regs.x[d->rn];
    uint64_t va = d->pre ? base + (uint64_t)d->imm : base;
    return (d->iss & DABT_WNR) == (iss & DABT_WNR) &&
           !((va ^ read_sysreg(far_el2)) & ((1UL << 56) - 1));
}

/*
 * A data abort with no instruction syndrome (ISV = 0): the loads and stores with writeback of
 * their base register have none (Arm ARM D17.2.37).  Xen emulates the post-indexed LDR/STR
 * forms by decoding the instruction; Keel does, and the pre-indexed ones as well, with the base
 * register's update once the access is done.  Anything else (pairs, SIMD registers, atomics,
 * an SP base) cannot be emulated: an abort.
 */
static __attribute__((noinline)) void dabt_no_syndrome(struct vcpu *v, uint64_t iss, uint64_t ipa)
{
    struct mmio_insn d;
    if (!dabt_decode(v, iss, &d)) {
        dabt_fail(v, ipa, iss & DABT_WNR, 0, -ENODATA);
        return;
    }
    if (!dabt_emulate(v, d.iss, ipa))
        return;
    v->arch.regs.x[d.rn] += (uint64_t)d.imm;
    guest_advance_pc(v);
}

/* A permission fault on a page the domain's map has (a write to a read-only page), or an
 * access flag fault (the first touch of its untouched RAM): the map's business
 * (core/mm/physmap.c), never emulated MMIO, which only answers addresses nothing is mapped at;
 * an abort if nobody takes it. */
static __attribute__((noinline)) void dabt_mapped(struct vcpu *v, uint64_t iss, uint64_t ipa)
{
    bool write = iss & DABT_WNR;
    if (physmap_fault(v->dom, GPA(ipa), write))
        return; /* fixed: the access runs again */
    guest_warn(v->dom, "domain %s: %s of IPA %#lx not permitted, aborting it\n", v->dom->name,
               write ? "write" : "read", ipa);
    guest_inject_abort(v, true, read_sysreg(far_el2), write);
}

static void on_dabt(struct vcpu *v, uint64_t esr)
{
    uint64_t iss = ESR_ISS(esr);
    uint64_t ipa = fault_ipa(read_sysreg(far_el2));
    if (unlikely(DFSC_PERM_FAULT(DABT_DFSC(iss)) || DFSC_AF_FAULT(DABT_DFSC(iss)))) {
        dabt_mapped(v, iss, ipa);
        return;
    }
    if (unlikely(!(iss & DABT_ISV))) {
        dabt_no_syndrome(v, iss, ipa);
        return;
    }
    if (dabt_emulate(v, iss, ipa))
        guest_advance_pc(v);
}

/*
 * The instruction abort just injected lands on the very address that could not be fetched,
 * and taking it changed nothing (PSTATE was already EL1h with D, A, I and F masked): an abort
 * vector with nothing behind it, as when PSCI CPU_ON starts a vCPU at an unmapped entry (its
 * VBAR_EL1 is 0 after the reset).  The vCPU would take the same abort for ever, each time an
 * exit, and on a shared pCPU it took time from every other vCPU.  A PE loops the same way, at
 * the cost of its own core only; nothing can get it out but a reset of the domain or memory
 * appearing there.  So it waits, also with an interrupt pending (it could not take that one
 * either: its vector is the same unmapped page): a new interrupt or a kick, which may come
 * with a changed world (another vCPU mapped memory there and sent it an SGI), brings it back
 * for one more try.
 */
static __attribute__((noinline)) void stuck_at_vector(struct vcpu *v, uint64_t va)
{
    guest_warn(v->dom, "domain %s: vCPU %u cannot fetch its abort vector at %#lx; it waits\n",
               v->dom->name, v->id, va);
    vcpu_block_until_kicked(v);
}

static void on_iabt(struct vcpu *v, uint64_t esr)
{
    uint64_t far = read_sysreg(far_el2), pstate = v->arch.regs.pstate;
    unsigned ifsc = DABT_DFSC(ESR_ISS(esr));
    /* The first touch of untouched RAM is an instruction fetch as often as not; a fetch from
     * a block another CPU is splitting faults too (remapped). */
    if ((DFSC_AF_FAULT(ifsc) && physmap_fault(v->dom, GPA(fault_ipa(far)), false)) ||
        remapped(v, ifsc, fault_ipa(far), false))
        return;
    guest_warn(v->dom, "domain %s: instruction fetch from IPA %#lx (no RAM there), aborting it\n",
               v->dom->name, fault_ipa(far));
    guest_inject_abort(v, false, far, false);
    if (v->arch.regs.pc == far && v->arch.regs.pstate == pstate)
        stuck_at_vector(v, far);
}

static void on_unknown(struct vcpu *v, uint64_t esr)
{
    guest_debug(v->dom, "domain %s: unexpected exit EC %#lx, undef\n", v->dom->name, ESR_EC(esr));
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
