/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for hypercall dispatch (core/hypercall/hypercall.c), multicall and the sub-op
 * helper: numbers, privilege, continuations, batches, argument copying.  Guest memory is host
 * memory here (a guest virtual address is the pointer), with an unmapped and a read-only
 * range; the families' handlers are stand-ins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include <hyp/percpu.h>

#include "../../hyp/core/hypercall/hypercall_table.h"
#include "../../hyp/core/hypercall/subop.h"
#include "guest_mem_stub.h"

struct percpu percpu_data[MAX_CPUS];

/* --- guest memory: tests/unit/guest_mem_stub.c --- */

#define hole stub_mem.hole
#define ro stub_mem.ro

/* --- stand-in families --- */

static unsigned version_calls;

/* xen_version: returns its first argument plus 1000. */
long do_xen_version(struct vcpu *v, uint64_t args[5])
{
    version_calls++;
    return (long)args[0] + 1000;
}

/* sched_op: counts args[0] down to 0, one step per call, continuing until done. */
long do_sched_op(struct vcpu *v, uint64_t args[5])
{
    if (args[0] == 0)
        return 7;
    args[0]--;
    return -ERESTART;
}

/* Families not exercised here (each has its own tests). */
#define NOT_HERE(f)                                                                                \
    long f(struct vcpu *v, uint64_t args[5])                                                       \
    {                                                                                              \
        return -ENOSYS;                                                                            \
    }
NOT_HERE(do_memory_op)
NOT_HERE(do_vcpu_op)
NOT_HERE(do_vm_assist)
NOT_HERE(do_hvm_op)
NOT_HERE(do_console_io)
NOT_HERE(do_grant_table_op)
/* The toolstack's calls answer with their number, to show they were reached. */
long do_sysctl(struct vcpu *v, uint64_t args[5])
{
    return HYPERVISOR_sysctl;
}
long do_domctl(struct vcpu *v, uint64_t args[5])
{
    return HYPERVISOR_domctl;
}
/* event_channel_op: tested in test_evtchn.c. */
long do_event_channel_op(struct vcpu *v, uint64_t args[5])
{
    return -ENOSYS;
}

static struct domain dom;
static struct vcpu vc = { .dom = &dom };

static int setup(void **state)
{
    static struct percpu pc;
    arch_set_this_cpu(&pc);
    pc.need_resched = false;
    host_irq_pending = false;
    dom.is_control = false;
    version_calls = 0;
    return 0;
}

static void numbers(void **state)
{
    uint64_t a[5] = { 5 };
    assert_int_equal(hypercall(&vc, HYPERVISOR_xen_version, a), 1005);
    assert_int_equal(hypercall(&vc, HYPERVISOR_mmu_update, a), -ENOSYS); /* x86 only */
    assert_int_equal(hypercall(&vc, 64, a), -ENOSYS);
    assert_int_equal(hypercall(&vc, ~0UL, a), -ENOSYS);
}

/* domctl and sysctl are the control domain's: any other gets -EPERM before its handler. */
static void toolstack_calls_are_control_only(void **state)
{
    uint64_t a[5] = { 0 };
    assert_int_equal(hypercall(&vc, HYPERVISOR_domctl, a), -EPERM);
    assert_int_equal(hypercall(&vc, HYPERVISOR_sysctl, a), -EPERM);
    dom.is_control = true;
    assert_int_equal(hypercall(&vc, HYPERVISOR_domctl, a), HYPERVISOR_domctl);
    assert_int_equal(hypercall(&vc, HYPERVISOR_sysctl, a), HYPERVISOR_sysctl);
    assert_string_equal(hypercall_name(HYPERVISOR_domctl), "domctl");
    assert_string_equal(hypercall_name(HYPERVISOR_sysctl), "sysctl");
}

static void continuation(void **state)
{
    uint64_t a[5] = { 3 };
    /* The caller re-executes with the rewritten registers until the call completes. */
    unsigned rounds = 0;
    long rc;
    while ((rc = hypercall(&vc, HYPERVISOR_sched_op, a)) == -ERESTART)
        rounds++;
    assert_int_equal(rc, 7);
    assert_int_equal(rounds, 3);
}

static void multicall_results(void **state)
{
    struct multicall_entry e[4] = {
        { .op = HYPERVISOR_xen_version, .args = { 1 } },
        { .op = 999 },
        { .op = HYPERVISOR_multicall }, /* nested: refused in its entry */
        { .op = HYPERVISOR_xen_version, .args = { 2 } },
    };
    uint64_t a[5] = { (uintptr_t)e, 4 };
    assert_int_equal(hypercall(&vc, HYPERVISOR_multicall, a), 0);
    assert_int_equal((long)e[0].result, 1001);
    assert_int_equal((long)e[1].result, -ENOSYS);
    assert_int_equal((long)e[2].result, -EINVAL);
    assert_int_equal((long)e[3].result, 1002);
    /* An unreadable list fails the call. */
    uint64_t b[5] = { (uintptr_t)hole, 1 };
    assert_int_equal(hypercall(&vc, HYPERVISOR_multicall, b), -EFAULT);
}

static void multicall_continues(void **state)
{
    struct multicall_entry e[3] = {
        { .op = HYPERVISOR_xen_version, .args = { 1 } },
        { .op = HYPERVISOR_sched_op, .args = { 2 } }, /* needs two continuations */
        { .op = HYPERVISOR_xen_version, .args = { 3 } },
    };
    uint64_t a[5] = { (uintptr_t)e, 3 };
    assert_int_equal(hypercall(&vc, HYPERVISOR_multicall, a), -ERESTART);
    /* The batch resumes at the entry that stopped, with its arguments as it left them. */
    assert_int_equal(a[0], (uintptr_t)&e[1]);
    assert_int_equal(a[1], 2);
    assert_int_equal(e[1].args[0], 1);
    assert_int_equal(version_calls, 1);
    long rc;
    while ((rc = hypercall(&vc, HYPERVISOR_multicall, a)) == -ERESTART)
        ;
    assert_int_equal(rc, 0);
    assert_int_equal((long)e[1].result, 7);
    assert_int_equal((long)e[2].result, 1003);
    assert_int_equal(version_calls, 2); /* each entry ran once */
}

static void multicall_preempted(void **state)
{
    struct multicall_entry e[3] = {
        { .op = HYPERVISOR_xen_version },
        { .op = HYPERVISOR_xen_version },
        { .op = HYPERVISOR_xen_version },
    };
    uint64_t a[5] = { (uintptr_t)e, 3 };
    host_irq_pending = true; /* an interrupt waits: stop after each entry */
    assert_int_equal(hypercall(&vc, HYPERVISOR_multicall, a), -ERESTART);
    assert_int_equal(version_calls, 1);
    assert_int_equal(a[0], (uintptr_t)&e[1]);
    host_irq_pending = false;
    assert_int_equal(hypercall(&vc, HYPERVISOR_multicall, a), 0);
    assert_int_equal(version_calls, 3);
}

/* --- sub-ops --- */

struct pair {
    uint32_t in;
    uint32_t out;
};

static unsigned runs;

static long double_it(struct vcpu *v, void *arg)
{
    struct pair *p = arg;
    runs++;
    p->out = p->in * 2;
    return p->in == 13 ? -EINVAL : 0;
}

static const struct subop ops[] = {
    { 1, sizeof(struct pair), SUBOP_IN | SUBOP_OUT, CALLER_ANY, double_it, "double" },
    { 2, sizeof(struct pair), SUBOP_IN | SUBOP_OUT, CALLER_CONTROL, double_it, "control" },
    { 3, sizeof(struct pair), SUBOP_IN, CALLER_ANY, double_it, "in_only" },
};

static void subops(void **state)
{
    struct pair p = { 21, 0 };
    runs = 0;
    assert_int_equal(subop_call(&vc, ops, 3, 1, (uintptr_t)&p), 0);
    assert_int_equal(p.out, 42);
    /* cmd is the guest's int: the upper half of the register does not count. */
    p.out = 0;
    assert_int_equal(subop_call(&vc, ops, 3, (1UL << 32) | 1, (uintptr_t)&p), 0);
    assert_int_equal(p.out, 42);
    assert_int_equal(subop_call(&vc, ops, 3, 9, (uintptr_t)&p), -ENOSYS);
    /* Privilege before anything else. */
    assert_int_equal(subop_call(&vc, ops, 3, 2, (uintptr_t)&p), -EPERM);
    dom.is_control = true;
    assert_int_equal(subop_call(&vc, ops, 3, 2, (uintptr_t)&p), 0);
    dom.is_control = false;
    /* An error leaves the guest's struct alone; an input-only struct is never written. */
    p = (struct pair){ 13, 5 };
    assert_int_equal(subop_call(&vc, ops, 3, 1, (uintptr_t)&p), -EINVAL);
    assert_int_equal(p.out, 5);
    p = (struct pair){ 4, 5 };
    assert_int_equal(subop_call(&vc, ops, 3, 3, (uintptr_t)&p), 0);
    assert_int_equal(p.out, 5);
    /* Unreadable, or readable but not writable: -EFAULT, and the sub-op never ran. */
    unsigned before = runs;
    assert_int_equal(subop_call(&vc, ops, 3, 1, (uintptr_t)hole), -EFAULT);
    memcpy(ro, &p, sizeof(p));
    assert_int_equal(subop_call(&vc, ops, 3, 1, (uintptr_t)ro), -EFAULT);
    assert_int_equal(runs, before);
    /* Read-only is fine for an input-only struct. */
    assert_int_equal(subop_call(&vc, ops, 3, 3, (uintptr_t)ro), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(numbers, setup),
        cmocka_unit_test_setup(toolstack_calls_are_control_only, setup),
        cmocka_unit_test_setup(continuation, setup),
        cmocka_unit_test_setup(multicall_results, setup),
        cmocka_unit_test_setup(multicall_continues, setup),
        cmocka_unit_test_setup(multicall_preempted, setup),
        cmocka_unit_test_setup(subops, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
