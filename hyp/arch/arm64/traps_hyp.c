/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exceptions taken at EL2 itself.  Interrupts go to the core dispatcher; anything else means a
 * bug in Keel: report it (exception class, syndrome, fault address, registers) and park this
 * CPU.  The other CPUs carry on.
 */
#include <arm64/regs.h>
#include <arm64/sysreg.h>
#include <hyp/console.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>

void hyp_irq(struct hyp_frame *f);
void hyp_fatal(struct hyp_frame *f, unsigned slot);

void hyp_irq(struct hyp_frame *f)
{
    irq_dispatch();
}

static const char *const slot_names[16] = {
    "sync (SP_EL0)", "irq (SP_EL0)", "fiq (SP_EL0)", "serror (SP_EL0)",
    "synchronous",   "irq",          "fiq",          "serror",
    "guest sync",    "guest irq",    "guest fiq",    "guest serror",
    "aarch32 sync",  "aarch32 irq",  "aarch32 fiq",  "aarch32 serror",
};

static const char *ec_name(unsigned ec)
{
    switch (ec) {
    case EC_UNKNOWN:
        return "unknown/undefined instruction";
    case EC_ILLEGAL:
        return "illegal execution state";
    case EC_HVC64:
        return "HVC";
    case EC_SMC64:
        return "SMC";
    case EC_SYS64:
        return "system register access";
    case EC_IABT_CUR:
        return "instruction abort at EL2";
    case EC_PC_ALIGN:
        return "PC alignment";
    case EC_DABT_CUR:
        return "data abort at EL2";
    case EC_SP_ALIGN:
        return "SP alignment";
    case EC_SERROR:
        return "SError";
    case EC_BRK64:
        return "BRK";
    default:
        return "other";
    }
}

void hyp_fatal(struct hyp_frame *f, unsigned slot)
{
    unsigned ec = (unsigned)ESR_EC(f->esr);
    pr_err("FATAL: unexpected %s exception at EL2 on CPU%u\n", slot_names[slot & 15],
           this_cpu() ? this_cpu()->id : 0);
    pr_err("  EC %#x (%s)  ESR %#018lx  FAR %#018lx\n", ec, ec_name(ec), f->esr, f->far);
    pr_err("  PC %#018lx  PSTATE %#010lx  SP %#018lx\n", f->pc, f->pstate, f->sp);
    for (unsigned i = 0; i < 31; i += 3) {
        if (i + 2 < 31)
            pr_err("  x%-2u %016lx  x%-2u %016lx  x%-2u %016lx\n", i, f->x[i], i + 1, f->x[i + 1],
                   i + 2, f->x[i + 2]);
        else
            pr_err("  x%-2u %016lx\n", i, f->x[i]);
    }
    pr_err("CPU%u stopped.\n", this_cpu() ? this_cpu()->id : 0);
    arch_cpu_park();
}
