/* SPDX-License-Identifier: Apache-2.0 */
/* Exception recording for test guests (see exception.h).  State is per vCPU; no locking. */
#include "exception.h"
#include "arm.h"
#include "console.h"
#include "gic.h"
#include "platform.h"
#include "smccc.h"
#include "test.h"

struct expectation {
    bool armed, taken, to_lr;
    struct exc_record rec;
};

static struct expectation expect[MAX_VCPUS];
static unsigned fatal_depth[MAX_VCPUS];

static const char *const vector_names[16] = {
    "sync (EL1, SP0)", "IRQ (EL1, SP0)", "FIQ (EL1, SP0)", "SError (EL1, SP0)",
    "sync (EL1, SPx)", "IRQ (EL1, SPx)", "FIQ (EL1, SPx)", "SError (EL1, SPx)",
    "sync (EL0, A64)", "IRQ (EL0, A64)", "FIQ (EL0, A64)", "SError (EL0, A64)",
    "sync (EL0, A32)", "IRQ (EL0, A32)", "FIQ (EL0, A32)", "SError (EL0, A32)",
};

void exc_expect(void)
{
    struct expectation *e = &expect[this_cpu()];
    e->taken = false;
    e->to_lr = false;
    WRITE_ONCE(e->armed, true);
    __asm__ volatile("" : : : "memory");
}

void exc_expect_return(void)
{
    exc_expect();
    expect[this_cpu()].to_lr = true;
}

bool exc_taken(struct exc_record *r)
{
    struct expectation *e = &expect[this_cpu()];
    __asm__ volatile("" : : : "memory");
    WRITE_ONCE(e->armed, false);
    if (r)
        *r = e->taken ? e->rec : (struct exc_record){ 0 };
    return e->taken;
}

void guest_exception(unsigned vector, struct exc_frame *f)
{
    struct expectation *e = &expect[this_cpu()];
    unsigned kind = VEC_KIND(vector);
    if (vector == VEC_CUR_SPX + VEC_IRQ && gic_handle_irq())
        return;
    if (e->armed && vector == VEC_CUR_SPX + kind && (kind == VEC_SYNC || kind == VEC_SERROR)) {
        e->rec = (struct exc_record){ vector,
                                      read_sysreg(esr_el1),
                                      read_sysreg(far_el1),
                                      read_sysreg(elr_el1),
                                      read_sysreg(spsr_el1),
                                      read_sysreg(daif) };
        e->armed = false;
        e->taken = true;
        if (kind == VEC_SYNC)
            write_sysreg(e->to_lr ? f->x[30] : e->rec.elr + 4, elr_el1);
        return;
    }
    /* An exception while reporting one (the console itself faults): stop without a word
     * rather than recurse until the stack runs out. */
    if (fatal_depth[this_cpu()]++)
        psci_system_off();
    test_fail_stop("unexpected_exception",
                   "vCPU %u: %s, ESR %#lx (EC %#lx), ELR %#lx, FAR %#lx, SPSR %#lx, x0 %#lx",
                   this_cpu(), vector_names[vector & 15], read_sysreg(esr_el1),
                   ESR_EC(read_sysreg(esr_el1)), read_sysreg(elr_el1), read_sysreg(far_el1),
                   read_sysreg(spsr_el1), f->x[0]);
}
