/*
 * Hypercall dispatch: number → {handler, name, argument count, who may call}, one file per
 * family in this folder.  The privilege check is here, once (core/policy.c decides).  Handlers
 * validate every argument before changing any state (validate, reserve, commit); a long one
 * stops at hypercall_preempt_check() and returns -ERESTART with its argument registers
 * rewritten, and the arch re-executes the HVC.  Numbers Keel does not implement answer -ENOSYS,
 * as Xen does for calls it does not offer on Arm.
 */
#include <hyp/arch/cpu.h>
#include <hyp/errno.h>
#include <hyp/hypercall.h>
#include <hyp/percpu.h>
#include <hyp/policy.h>
#include "hypercall_table.h"

#define NR_HYPERCALLS 64

struct hypercall_desc {
    hypercall_fn fn;
    const char *name;
    uint8_t nargs; /* how many argument registers it reads */
    uint8_t who;   /* enum caller_class */
};

#define CALL(nr, f, n, w) [HYPERVISOR_##nr] = { .fn = (f), .name = #nr, .nargs = (n), .who = (w) }

static const struct hypercall_desc table[NR_HYPERCALLS] = {
    CALL(multicall, do_multicall, 2, CALLER_ANY),
    CALL(xen_version, do_xen_version, 2, CALLER_ANY),
    CALL(sched_op, do_sched_op, 2, CALLER_ANY),
};

/* Calls handled per pCPU, by number; each pCPU counts its own. */
static uint64_t counts[MAX_CPUS][NR_HYPERCALLS];

long hypercall(struct vcpu *v, unsigned long op, uint64_t args[5])
{
    if (op >= NR_HYPERCALLS || !table[op].fn)
        return -ENOSYS;
    const struct hypercall_desc *h = &table[op];
    if (h->who != CALLER_ANY && !policy_may_call(v->dom, h->who))
        return -EPERM;
    counts[cpu_id()][op]++;
    return h->fn(v, args);
}

bool hypercall_preempt_check(void)
{
    return READ_ONCE(this_cpu()->need_resched) || arch_irq_pending();
}

void hypercall_dump(void (*print)(const char *fmt, ...) __attribute__((format(printf, 1, 2))))
{
    for (unsigned op = 0; op < NR_HYPERCALLS; op++) {
        uint64_t n = 0;
        for (unsigned c = 0; c < MAX_CPUS; c++)
            n += READ_ONCE(counts[c][op]);
        if (n)
            print("  %-18s %lu\n", table[op].name, n);
    }
}
