/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hostile-guest fuzzer (guests/fuzz): what its files share.  main.c owns the vCPUs, the
 * boot arguments, the operation loop and the summary; calls.c the hypercalls, PSCI, SMCs and
 * HVCs; mmio.c the device and hole accesses; sysreg.c the system registers and system
 * instructions; irq.c interrupts, timers, WFI/WFE and SGIs.  State is per vCPU (struct fz_cpu)
 * except the few shared words in struct fz_shared; see docs/reliability.md.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "exception.h"

#define FZ_MAX_CPUS 8
#define FZ_SGI_WAKE 15 /* the SGI the fuzzer keeps enabled to wake a vCPU */
#define HBUF_PAGES 4   /* each vCPU's hypercall buffer; an unmapped guard page follows it */

/* Kinds of operation, the unit of the summary.  An operation is one hostile instruction. */
enum fz_kind {
    K_HCALL,       /* HVC #0xEA1, Xen hypercall numbers 0-63 and beyond */
    K_PSCI,        /* SMCCC/PSCI function ids through the DT's conduit */
    K_CPU_ON,      /* PSCI CPU_ON / AFFINITY_INFO at own vCPUs and other MPIDRs */
    K_CPU_OFF,     /* a secondary vCPU switches itself off; another switches it on */
    K_HVC_IMM,     /* HVC with an immediate other than 0 and 0xEA1 */
    K_SMC_IMM,     /* SMC with any immediate */
    K_MMIO_GICD,   /* the vGIC distributor */
    K_MMIO_GICR,   /* the vGIC redistributors */
    K_MMIO_UART,   /* the vPL011 */
    K_MMIO_HOLE,   /* unmapped guest-physical addresses: holes, past RAM, high */
    K_MMIO_NORMAL, /* the above mapped Normal at stage 1: unaligned, pairs, exclusives, DC */
    K_SYSREG,      /* listed system registers: GIC, timers, debug, PMU, ID, OS lock */
    K_SYSREG_RAND, /* random system-register encodings (op0 = 2, 3) */
    K_SYS_INSN,    /* random system instructions (op0 = 1): DC, IC, AT, TLBI */
    K_WFX,         /* WFI/WFE storms and PSCI CPU_SUSPEND */
    K_SGI,         /* SGI floods through ICC_SGI1R/SGI0R/ASGI1R */
    K_CTL,         /* domctl and sysctl, as a control domain (control=1 only; last, so that
                    * the other kinds' draws are the same with it off) */
    K_KINDS
};

/* What an operation ended in. */
enum fz_outcome {
    O_NONE,  /* no exception */
    O_UNDEF, /* undefined instruction (EC 0): what Keel injects for what it refuses */
    O_DABT,  /* external data abort (DFSC 0x10): Keel's answer to an access nothing serves */
    O_IABT,  /* external instruction abort */
    O_LOCAL, /* a fault of the guest's own stage 1 (translation, alignment, permission) */
    O_OTHER, /* any other synchronous exception */
    O_OUTCOMES
};

enum fz_state { S_RUN, S_OFF, S_STARTING, S_PINNED, S_LOST };

struct fz_cpu {
    uint64_t rng;
    unsigned idx;
    bool started;
    uint64_t claimed, done; /* operations taken from the pool / carried out */
    uint64_t since_baseline;
    uint64_t ops[K_KINDS];
    uint64_t out[K_KINDS][O_OUTCOMES];
    uint64_t irqs, irq_sgi, irq_timer, irq_other;
    uint64_t hbuf_va; /* this vCPU's hypercall buffer, in the scratch window */
    uint64_t rdist;   /* its redistributor's RD_base (GICR_TYPER is read-only: found once) */
    uint32_t *tramp;  /* this vCPU's code slot for generated instructions */
    enum fz_kind last_kind;
    uint32_t enters, offs, starts; /* entries into the loop, CPU_OFFs, CPU_ONs that started it */
    uint64_t other_esr, other_elr; /* the first exception of class O_OTHER, for the summary */
    enum fz_kind other_kind;
};

struct fz_options {
    uint64_t seed, ops;
    uint32_t kinds;   /* bit per enum fz_kind: enabled */
    bool oslock;      /* OSLAR/OSDLR writes (issue 12 item 2: not switched per vCPU yet) */
    bool watchdog;    /* SCHEDOP_watchdog arming (huge timeouts, freed at the end) */
    bool control;     /* we are a control domain: fuzz domctl and sysctl (K_CTL) */
    unsigned lose;    /* vCPUs that may be started at bad entry points while off */
    uint64_t stall_s; /* a vCPU with no progress for this long is reported stuck */
    uint64_t trace;   /* print each operation from this one on (0: none) */
    enum { END_OFF, END_RESET, END_NONE } end;
};

struct fz_shared {
    struct fz_options opt;
    unsigned nr_cpus;            /* vCPUs that fuzz (all the domain has, up to FZ_MAX_CPUS) */
    uint64_t pool;               /* operations not yet claimed */
    uint32_t state[FZ_MAX_CPUS]; /* enum fz_state, atomics */
    uint32_t lose_left;          /* bad-entry starts still allowed */
    uint64_t ram_lo, ram_hi;     /* our RAM (never a target) */
    uint64_t normal_va[16];      /* device and hole pages mapped Normal in the scratch window */
    uint64_t normal_pa[16];
    unsigned nr_normal;
};

extern struct fz_shared fz;
extern struct fz_cpu fz_cpus[FZ_MAX_CPUS];

/* ---- random numbers (splitmix64: every vCPU's stream is a function of the seed only) ---- */

static inline uint64_t fz_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    return z ^ (z >> 31);
}

static inline uint64_t rnd(struct fz_cpu *c)
{
    c->rng += 0x9e3779b97f4a7c15UL;
    return fz_mix(c->rng);
}

/* The end of c's hypercall buffer: its unmapped guard page starts there. */
static inline uint64_t fz_hbuf_end(const struct fz_cpu *c)
{
    return c->hbuf_va + HBUF_PAGES * 4096UL;
}

/* Uniform in [0, n) (n > 0; the bias of a 64-bit modulo does not matter here). */
static inline uint64_t rnd_below(struct fz_cpu *c, uint64_t n)
{
    return rnd(c) % n;
}

static inline bool chance(struct fz_cpu *c, unsigned percent)
{
    return rnd_below(c, 100) < percent;
}

/* A value worth writing to a register: small, all-ones, one bit, sign edges or random. */
uint64_t fz_value(struct fz_cpu *c);

/* ---- running one operation ---- */

/* Count one operation of kind k whose hostile instruction(s) ran between exc_expect() and
 * this call; classifies the exception taken, if any.  Returns the outcome. */
enum fz_outcome fz_done(struct fz_cpu *c, enum fz_kind k);
/* The outcome of an exception record (or O_NONE when taken is false). */
enum fz_outcome fz_classify(bool taken, const struct exc_record *r);

/* Write the instructions n words at c's code slot and make them executable; returns the slot
 * as a function taking x0-x7 and returning x0. */
typedef uint64_t (*fz_code_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                               uint64_t);
fz_code_fn fz_code(struct fz_cpu *c, const uint32_t *insn, unsigned n);

/* An address for a hypercall argument; *valid says whether it lies in c's buffer (whose bytes
 * from it on the caller may then fill). */
uint64_t fz_pointer(struct fz_cpu *c, bool *valid);
/* Whether [a, a + n) touches our own image, stack or tables (never a target). */
bool fz_is_ours(uint64_t a, uint64_t n);

/* Re-establish what this vCPU needs to go on: interrupts on and deliverable, its wake-up SGI
 * and timer enabled, the CPU interface sane.  all: every fuzzing vCPU's redistributor, and
 * an SGI to wake each. */
void fz_baseline(struct fz_cpu *c, bool all);

/* ---- the operations, one entry point per file ---- */
void fz_op_call(struct fz_cpu *c, enum fz_kind k);   /* calls.c: HCALL, PSCI, CPU_ON, *_IMM */
void fz_op_cpu_off(struct fz_cpu *c);                /* calls.c: CPU_OFF */
void fz_op_mmio(struct fz_cpu *c, enum fz_kind k);   /* mmio.c */
void fz_op_sysreg(struct fz_cpu *c, enum fz_kind k); /* sysreg.c: SYSREG, SYSREG_RAND, SYS_INSN */
void fz_op_wfx(struct fz_cpu *c);                    /* irq.c */
void fz_op_sgi(struct fz_cpu *c);                    /* irq.c */
void fz_op_ctl(struct fz_cpu *c);                    /* ctl.c: CTL */

/* ctl.c: find this domain's id and the neighbour's (boot vCPU, once; control=1 only). */
void fz_ctl_init(void);
/* ctl.c: a top-level domctl or sysctl of the random hypercall kind, sanitized (control=1). */
long fz_ctl_call(struct fz_cpu *c, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                 uint64_t a4);
/* ctl.c: the argument of a domctl or sysctl inside a multicall (control=1). */
uint64_t fz_ctl_nested(struct fz_cpu *c, uint64_t nr);
/* ctl.c: a FUZZ-CTL line of the calls' results (control=1). */
void fz_ctl_summary(void);

/* calls.c: free every watchdog this domain may hold (before the domain ends). */
void fz_watchdogs_free(void);
/* calls.c: switch on vCPU idx (at the fuzzer's entry) if it is off.  True if it was. */
bool fz_cpu_on_valid(unsigned idx);
/* mmio.c: map the device and hole pages that K_MMIO_NORMAL uses (boot vCPU, once). */
void fz_mmio_init(void);
/* irq.c: interrupt handler and per-vCPU interrupt set-up. */
void fz_irq_init_cpu(struct fz_cpu *c);
/* irq.c: before a call that may block: interrupts masked, the timer due soon (the caller
 * unmasks afterwards). */
void fz_wake_arm(struct fz_cpu *c);
void fz_on_irq(unsigned intid);

extern const char *const fz_kind_names[K_KINDS];
