/*
 * System registers and system instructions, through generated code (the register is part of
 * the opcode): a list of those a hypervisor traps or switches (GIC CPU interface, timers,
 * debug and OS lock, PMU, ID registers, EL1 context, EL2 registers a guest must not reach),
 * fully random encodings of op0 = 2 and 3, and random op0 = 1 instructions (DC, IC, AT, TLBI)
 * on addresses that are never our own memory.  Writes that would wreck the fuzzer or reach a
 * QEMU 7.2 fault are changed or dropped by sanitize() (docs/reliability.md).
 */
#include "arm.h"
#include "console.h"
#include "fuzz.h"
#include "gic.h"
#include "platform.h"
#include "timer.h"

/* An encoding as in ESR_EL2.ISS for EC 0x18: op0, op1, CRn, CRm, op2. */
#define SR(op0, op1, crn, crm, op2)                                                                \
    ((uint32_t)(op0) << 14 | (uint32_t)(op1) << 11 | (uint32_t)(crn) << 7 | (uint32_t)(crm) << 3 | \
     (uint32_t)(op2))
#define SR_OP0(e) ((e) >> 14 & 3)

#define ICC_IAR0 SR(3, 0, 12, 8, 0)
#define ICC_EOIR0 SR(3, 0, 12, 8, 1)
#define ICC_IAR1 SR(3, 0, 12, 12, 0)
#define ICC_BPR1 SR(3, 0, 12, 12, 3)
#define ICC_CTLR SR(3, 0, 12, 12, 4)
#define ICC_SRE SR(3, 0, 12, 12, 5)
#define CNTV_TVAL SR(3, 3, 14, 3, 0)
#define CNTV_CVAL SR(3, 3, 14, 3, 2)
#define MDSCR SR(2, 0, 0, 2, 2)
#define OSLAR SR(2, 0, 1, 0, 4)
#define OSDLR SR(2, 0, 1, 3, 4)

/* Registers whose write would take the fuzzer's own footing away. */
static const uint32_t never_write[] = {
    SR(3, 0, 1, 0, 0),  /* SCTLR_EL1 */
    SR(3, 0, 1, 0, 1),  /* ACTLR_EL1 */
    SR(3, 0, 2, 0, 0),  /* TTBR0_EL1 */
    SR(3, 0, 2, 0, 2),  /* TCR_EL1 */
    SR(3, 0, 10, 2, 0), /* MAIR_EL1 */
    SR(3, 0, 12, 0, 0), /* VBAR_EL1 */
    SR(3, 0, 13, 0, 4), /* TPIDR_EL1: this_cpu() */
    SR(3, 0, 4, 2, 0),  /* SPSel */
    SR(3, 3, 4, 2, 1),  /* DAIF */
};

/* The listed registers, by group (the debug and ID ranges are added by pick_listed()). */
static const uint32_t gic_regs[] = { SR(3, 0, 4, 6, 0),   SR(3, 0, 12, 8, 0),  SR(3, 0, 12, 8, 1),
                                     SR(3, 0, 12, 8, 2),  SR(3, 0, 12, 8, 3),  SR(3, 0, 12, 8, 4),
                                     SR(3, 0, 12, 8, 5),  SR(3, 0, 12, 9, 0),  SR(3, 0, 12, 9, 1),
                                     SR(3, 0, 12, 11, 1), SR(3, 0, 12, 11, 3), SR(3, 0, 12, 11, 5),
                                     SR(3, 0, 12, 11, 6), SR(3, 0, 12, 11, 7), SR(3, 0, 12, 12, 0),
                                     SR(3, 0, 12, 12, 1), SR(3, 0, 12, 12, 2), SR(3, 0, 12, 12, 3),
                                     SR(3, 0, 12, 12, 4), SR(3, 0, 12, 12, 5), SR(3, 0, 12, 12, 6),
                                     SR(3, 0, 12, 12, 7) };
static const uint32_t timer_regs[] = { SR(3, 3, 14, 0, 0), SR(3, 3, 14, 0, 1), SR(3, 3, 14, 0, 2),
                                       SR(3, 3, 14, 0, 5), SR(3, 3, 14, 0, 6), SR(3, 3, 14, 2, 0),
                                       SR(3, 3, 14, 2, 1), SR(3, 3, 14, 2, 2), SR(3, 3, 14, 3, 0),
                                       SR(3, 3, 14, 3, 1), SR(3, 3, 14, 3, 2), SR(3, 0, 14, 1, 0) };
static const uint32_t debug_regs[] = { SR(2, 0, 0, 2, 2), SR(2, 0, 1, 0, 4), SR(2, 0, 1, 1, 4),
                                       SR(2, 0, 1, 3, 4), SR(2, 0, 1, 4, 4), SR(2, 0, 0, 2, 0),
                                       SR(2, 3, 0, 1, 0), SR(2, 3, 0, 4, 0), SR(2, 3, 0, 5, 0),
                                       SR(2, 0, 0, 0, 2), SR(2, 0, 0, 3, 2), SR(2, 0, 0, 6, 2),
                                       SR(2, 0, 7, 8, 6), SR(2, 0, 7, 9, 6), SR(2, 0, 7, 14, 6),
                                       SR(2, 0, 1, 0, 0) };
static const uint32_t pmu_regs[] = { SR(3, 3, 9, 12, 0), SR(3, 3, 9, 12, 1),  SR(3, 3, 9, 12, 2),
                                     SR(3, 3, 9, 12, 3), SR(3, 3, 9, 12, 4),  SR(3, 3, 9, 12, 5),
                                     SR(3, 3, 9, 12, 6), SR(3, 3, 9, 12, 7),  SR(3, 3, 9, 13, 0),
                                     SR(3, 3, 9, 13, 1), SR(3, 3, 9, 13, 2),  SR(3, 3, 9, 14, 0),
                                     SR(3, 0, 9, 14, 1), SR(3, 0, 9, 14, 2),  SR(3, 3, 9, 14, 3),
                                     SR(3, 3, 14, 8, 0), SR(3, 3, 14, 12, 0), SR(3, 3, 14, 15, 7) };
/* Identification, EL1 context the hypervisor switches, features it hides, and EL2 registers
 * (and EL1 ones seen from EL2) that are never a guest's. */
static const uint32_t other_regs[] = {
    SR(3, 0, 0, 0, 0),  SR(3, 0, 0, 0, 5),   SR(3, 0, 0, 0, 6),   SR(3, 3, 0, 0, 1),
    SR(3, 3, 0, 0, 7),  SR(3, 1, 0, 0, 1),   SR(3, 1, 0, 0, 0),   SR(3, 2, 0, 0, 0),
    SR(3, 1, 0, 0, 7),  SR(3, 0, 13, 0, 1),  SR(3, 3, 13, 0, 2),  SR(3, 3, 13, 0, 3),
    SR(3, 0, 7, 4, 0),  SR(3, 0, 5, 1, 0),   SR(3, 0, 5, 1, 1),   SR(3, 0, 5, 2, 0),
    SR(3, 0, 6, 0, 0),  SR(3, 0, 10, 3, 0),  SR(3, 0, 1, 0, 2),   SR(3, 0, 4, 1, 0),
    SR(3, 0, 2, 0, 1),  SR(3, 0, 12, 1, 1),  SR(3, 0, 5, 3, 0),   SR(3, 0, 5, 3, 1),
    SR(3, 0, 10, 4, 3), SR(3, 0, 2, 1, 0),   SR(3, 0, 1, 2, 0),   SR(3, 0, 1, 2, 1),
    SR(3, 0, 13, 0, 7), SR(3, 3, 4, 2, 0),   SR(3, 0, 4, 2, 3),   SR(3, 3, 4, 4, 0),
    SR(3, 3, 4, 4, 1),  SR(3, 4, 1, 1, 0),   SR(3, 4, 12, 0, 0),  SR(3, 4, 14, 1, 0),
    SR(3, 4, 14, 0, 3), SR(3, 4, 12, 11, 0), SR(3, 4, 12, 11, 7), SR(3, 4, 12, 12, 0),
    SR(3, 5, 1, 0, 0),  SR(3, 4, 2, 1, 0)
};

static uint32_t pick_listed(struct fz_cpu *c)
{
    switch (rnd_below(c, 8)) {
    case 0: /* DBGBVR/BCR/WVR/WCR<n>, n up to 15 whatever the CPU has */
        return SR(2, 0, 0, rnd_below(c, 16), 4 + rnd_below(c, 4));
    case 1: /* the ID space, allocated or not */
        return SR(3, 0, 0, rnd_below(c, 8), rnd_below(c, 8));
    case 2:
    case 3:
        return gic_regs[rnd_below(c, ARRAY_SIZE(gic_regs))];
    case 4:
        return timer_regs[rnd_below(c, ARRAY_SIZE(timer_regs))];
    case 5:
        return debug_regs[rnd_below(c, ARRAY_SIZE(debug_regs))];
    case 6:
        return pmu_regs[rnd_below(c, ARRAY_SIZE(pmu_regs))];
    default:
        return other_regs[rnd_below(c, ARRAY_SIZE(other_regs))];
    }
}

/* Returns false if the write must not happen; otherwise may change *v. */
static bool sanitize(struct fz_cpu *c, uint32_t enc, uint64_t *v)
{
    for (unsigned i = 0; i < ARRAY_SIZE(never_write); i++)
        if (enc == never_write[i])
            return false;
    switch (enc) {
    case MDSCR: /* no debug exceptions for ourselves: SS, KDE, MDE off */
        *v &= ~(1UL << 0 | 1UL << 13 | 1UL << 15);
        return true;
    case OSLAR:
    case OSDLR:
        return fz.opt.oslock;
    case ICC_SRE: /* keep the system-register interface */
        *v |= 1;
        return true;
    case ICC_BPR1:
        /* QEMU 7.2 keeps BPR1 values of 8 and up in a 3-bit field: bits [2:0] = 0 then make
         * VBPR1 0, and the next priority comparison asserts (issue 12 item 11). */
        if ((int32_t)*v >= 8 && !(*v & 7))
            *v |= 1 + rnd_below(c, 7);
        return true;
    case CNTV_CVAL:
        /* QEMU 7.2 loops when CVAL + CNTVOFF wraps past 2^64 (issue 12 item 11). */
        *v &= ~(1UL << 63);
        return true;
    case CNTV_TVAL: {
        /* TVAL sets CVAL = count + signed TVAL: no negative one larger than the count. */
        int64_t t = (int32_t)*v;
        if (t < 0 && (uint64_t)-t + timer_freq() >= timer_now())
            *v &= 0x7fffffffUL;
        return true;
    }
    default:
        return true;
    }
}

static uint32_t mrs_msr(uint32_t enc, bool read)
{
    /* MRS/MSR (register) with Rt = x0: 1101 0101 00 L 1 o0 op1 CRn CRm op2 Rt. */
    return (read ? 0xd5300000u : 0xd5100000u) | (enc & 0x7fffu) << 5;
}

/* An acknowledged interrupt is ended at once, so no fuzz read leaves one active. */
static void end_acked(uint32_t enc, uint64_t iar)
{
    unsigned intid = iar & 0xffffff;
    if (intid >= 1020)
        return;
    if (enc == ICC_IAR0)
        write_sysreg(iar, S3_0_C12_C8_1);
    else
        write_sysreg_s(iar, ICC_EOIR1_EL1);
    if (read_sysreg_s(ICC_CTLR_EL1) & 2)
        write_sysreg_s(iar, ICC_DIR_EL1);
    isb();
}

static void access(struct fz_cpu *c, enum fz_kind k, uint32_t enc, bool read)
{
    uint64_t v = fz_value(c);
    if (!read && !sanitize(c, enc, &v))
        read = true;
    if (fz.opt.trace && c->done + 1 >= fz.opt.trace)
        printf("FUZZ-TRACE vcpu=%u sysreg S%u_%u_C%u_C%u_%u %s %#lx\n", c->idx, SR_OP0(enc),
               enc >> 11 & 7, enc >> 7 & 15, enc >> 3 & 15, enc & 7, read ? "read" : "write", v);
    const uint32_t insn[] = { mrs_msr(enc, read), 0xd65f03c0u /* ret */ };
    fz_code_fn fn = fz_code(c, insn, 2);
    /* Interrupts masked around what the IRQ path depends on: EOImode and acknowledges. */
    bool masked = enc == ICC_CTLR || (read && (enc == ICC_IAR0 || enc == ICC_IAR1));
    if (masked)
        irq_disable();
    exc_expect();
    uint64_t r = fn(v, 0, 0, 0, 0, 0, 0, 0);
    enum fz_outcome o = fz_done(c, k);
    if (masked) {
        if (o == O_NONE && enc == ICC_CTLR)
            gic_set_eoi_split(read_sysreg_s(ICC_CTLR_EL1) & 2);
        else if (o == O_NONE)
            end_acked(enc, r);
        irq_enable();
    }
}

/* A system instruction (op0 = 1) on an address that is never ours. */
static void sys_insn(struct fz_cpu *c)
{
    /* DC, IC, AT and TLBI by name most of the time, random encodings otherwise. */
    static const uint16_t known[] = {
        SR(1, 0, 7, 1, 0),  SR(1, 0, 7, 5, 0),  SR(1, 3, 7, 5, 1),  SR(1, 0, 7, 6, 1),
        SR(1, 0, 7, 6, 2),  SR(1, 0, 7, 10, 2), SR(1, 0, 7, 14, 2), SR(1, 3, 7, 4, 1),
        SR(1, 3, 7, 10, 1), SR(1, 3, 7, 11, 1), SR(1, 3, 7, 12, 1), SR(1, 3, 7, 14, 1),
        SR(1, 0, 7, 8, 0),  SR(1, 0, 7, 8, 1),  SR(1, 0, 7, 8, 2),  SR(1, 0, 7, 8, 3),
        SR(1, 0, 7, 9, 0),  SR(1, 0, 7, 9, 1),  SR(1, 4, 7, 8, 4),  SR(1, 0, 8, 3, 0),
        SR(1, 0, 8, 3, 1),  SR(1, 0, 8, 3, 2),  SR(1, 0, 8, 3, 3),  SR(1, 0, 8, 7, 0),
        SR(1, 0, 8, 7, 1),  SR(1, 4, 8, 7, 0),  SR(1, 6, 8, 7, 0),  SR(1, 3, 7, 3, 4)
    };
    uint32_t enc = rnd_below(c, 4) ? known[rnd_below(c, ARRAY_SIZE(known))]
                                   : SR(1, rnd_below(c, 8), rnd_below(c, 16), rnd_below(c, 16),
                                        rnd_below(c, 8));
    bool sysl = rnd_below(c, 16) == 0;
    uint32_t op = (sysl ? 0xd5280000u : 0xd5080000u) | (enc & 0x3fffu) << 5;
    bool valid;
    uint64_t a;
    switch (rnd_below(c, 3)) {
    case 0:
        a = fz_pointer(c, &valid);
        break;
    case 1:
        a = fz.normal_va[rnd_below(c, fz.nr_normal ? fz.nr_normal : 1)] + rnd_below(c, 0x1000);
        break;
    default:
        a = fz_value(c);
        break;
    }
    const uint32_t insn[] = { op, 0xd65f03c0u };
    fz_code_fn fn = fz_code(c, insn, 2);
    exc_expect();
    fn(a, 0, 0, 0, 0, 0, 0, 0);
    fz_done(c, K_SYS_INSN);
}

void fz_op_sysreg(struct fz_cpu *c, enum fz_kind k)
{
    if (k == K_SYS_INSN) {
        sys_insn(c);
        return;
    }
    uint32_t enc;
    if (k == K_SYSREG) {
        enc = pick_listed(c);
    } else {
        /* Random, with op1 mostly 0 (EL1) or 3 (EL0), where most registers are. */
        unsigned op1 = (unsigned)rnd_below(c, 4);
        op1 = op1 == 0 ? 0 : op1 == 1 ? 3 : (unsigned)rnd_below(c, 8);
        enc = SR(2 + rnd_below(c, 2), op1, rnd_below(c, 16), rnd_below(c, 16), rnd_below(c, 8));
    }
    access(c, k, enc, rnd_below(c, 2));
}
