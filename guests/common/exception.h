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
};

/* The next synchronous exception or SError on this vCPU is expected. */
void exc_expect(void);
/* Stop expecting.  Returns whether one was taken since exc_expect(), and fills r if so. */
bool exc_taken(struct exc_record *r);
/* Entry from start.S. */
void guest_exception(unsigned vector, struct exc_frame *f);
