/* SPDX-License-Identifier: Apache-2.0 */
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

/* Every hypercall: number, handler, argument count, who may call it. */
#define HYPERCALLS(X)                                                                              \
    X(memory_op, do_memory_op, 2, CALLER_ANY)                                                      \
    X(multicall, do_multicall, 2, CALLER_ANY)                                                      \
    X(xen_version, do_xen_version, 2, CALLER_ANY)                                                  \
    X(grant_table_op, do_grant_table_op, 3, CALLER_ANY)                                            \
    X(sched_op, do_sched_op, 2, CALLER_ANY)                                                        \
    X(vcpu_op, do_vcpu_op, 3, CALLER_ANY)                                                          \
    X(vm_assist, do_vm_assist, 2, CALLER_ANY)                                                      \
    X(hvm_op, do_hvm_op, 2, CALLER_ANY)                                                            \
    X(console_io, do_console_io, 3, CALLER_CONTROL)                                                \
    X(event_channel_op, do_event_channel_op, 2, CALLER_ANY)                                        \
    X(sysctl, do_sysctl, 1, CALLER_CONTROL)                                                        \
    X(domctl, do_domctl, 1, CALLER_CONTROL)

struct hypercall_info {
    const char *name;
    uint8_t nargs; /* how many argument registers it reads */
    uint8_t who;   /* enum caller_class */
};

#define INFO(nr, f, n, w) [HYPERVISOR_##nr] = { #nr, (n), (w) },
static const struct hypercall_info info[NR_HYPERCALLS] = { HYPERCALLS(INFO) };

/* A call restricted to a class of caller reaches its handler through a guard, so the one
 * privilege check costs nothing on the calls every domain makes. */
#define GUARD(nr, f, n, w)                                                                         \
    static long guarded_##nr(struct vcpu *v, uint64_t args[5])                                     \
    {                                                                                              \
        return policy_may_call(v->dom, (w)) ? (f)(v, args) : -EPERM;                               \
    }
HYPERCALLS(GUARD)

/* What the dispatch reads: one pointer per number. */
#define HANDLER(nr, f, n, w) [HYPERVISOR_##nr] = (w) == CALLER_ANY ? (f) : guarded_##nr,
static const hypercall_fn table[NR_HYPERCALLS] = { HYPERCALLS(HANDLER) };

long hypercall(struct vcpu *v, unsigned long op, uint64_t args[5])
{
    /* The hot path: nothing but the lookup (a per-call counter here cost a 16 ns tick of the
     * hypercall round trip in make bench). */
    if (op >= NR_HYPERCALLS || !table[op])
        return -ENOSYS;
    return table[op](v, args);
}

bool hypercall_preempt_check(void)
{
    return READ_ONCE(this_cpu()->need_resched) || arch_irq_pending();
}

const char *hypercall_name(unsigned long op)
{
    return op < NR_HYPERCALLS && info[op].name ? info[op].name : NULL;
}
