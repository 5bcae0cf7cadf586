/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exceptions in test guests.  A test announces an exception it provokes with exc_expect(); the
 * handler records it, steps over the faulting instruction (ELR_EL1 + 4) and returns.  Anything
 * not announced is reported with ESR/ELR/FAR as a failed check, and the guest stops.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The vector an exception came through (start.S): 4 groups of sync, IRQ, FIQ, SError. */
enum { VEC_SYNC, VEC_IRQ, VEC_FIQ, VEC_SERROR };
#define VEC_KIND(v) ((v)&3)
#define VEC_CUR_SPX 4 /* + kind: from EL1 using SP_EL1, where the guest runs */

struct exc_frame {
    uint64_t x[31];
    uint64_t pad;
};

struct exc_record {
    unsigned vector;
    uint64_t esr, far, elr, spsr;
    uint64_t daif; /* PSTATE.DAIF in the handler */
};

/* The next synchronous exception or SError on this vCPU is expected: after a synchronous one
 * the guest goes on at the next instruction (ELR_EL1 + 4). */
void exc_expect(void);
/* The same, but the guest goes on at the link register x30: for a branch-and-link to an address
 * that cannot be executed. */
void exc_expect_return(void);
/* Stop expecting.  Returns whether one was taken since exc_expect(); r (if not NULL) gets its
 * record, or zeroes. */
bool exc_taken(struct exc_record *r);
/* Entry from start.S. */
void guest_exception(unsigned vector, struct exc_frame *f);
