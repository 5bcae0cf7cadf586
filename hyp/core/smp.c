/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secondary CPU bring-up, cross-CPU function calls and the idle loop.  percpu_data[cpu] is
 * filled by the boot CPU before cpu starts and belongs to cpu afterwards (online is also read
 * by others).  smp_call mailboxes: one slot per (target, source) pair; the source fills a free
 * slot with its interrupts masked and publishes it by bumping `posted`, the target runs it
 * and publishes completion in `done`, so no lock is needed.  Functions run with interrupts
 * masked and may themselves call smp_call().
 */
#include <hyp/arch/boot.h>
#include <hyp/arch/cpu.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>
#include <hyp/timer.h>

#define CPU_START_TIMEOUT_NS 2000000000UL /* TCG with many CPUs on a busy host is slow */

struct call_slot {
    void (*fn)(void *);
    void *arg;
    uint32_t posted; /* calls ever queued; written by the source */
    uint32_t taken;  /* calls ever started; the target's own, so nested polling skips a
                        call already running further up this CPU's stack */
    uint32_t done;   /* calls ever finished; written by the target */
};

/* [target][source]; a target's row shares cache lines only with its own sources. */
static struct call_slot call_slots[MAX_CPUS][MAX_CPUS] __aligned(64);

bool cpu_online(unsigned cpu)
{
    return cpu < nr_cpus && __atomic_load_n(&percpu_data[cpu].online, __ATOMIC_ACQUIRE);
}

uint64_t cpus_online_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < nr_cpus; i++)
        if (cpu_online(i))
            m |= BIT(i);
    return m;
}

unsigned cpus_online(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nr_cpus; i++)
        n += cpu_online(i);
    return n;
}

void smp_call_handle(void)
{
    unsigned long flags = arch_irq_save(); /* polling callers run this with interrupts on */
    unsigned me = cpu_id();
    for (unsigned src = 0; src < nr_cpus; src++) {
        struct call_slot *s = &call_slots[me][src];
        uint32_t posted = __atomic_load_n(&s->posted, __ATOMIC_ACQUIRE);
        if (posted == s->taken)
            continue;
        s->taken = posted;
        s->fn(s->arg);
        __atomic_store_n(&s->done, posted, __ATOMIC_RELEASE);
    }
    arch_irq_restore(flags);
}

int smp_call(unsigned cpu, void (*fn)(void *), void *arg, bool wait)
{
    if (!cpu_online(cpu))
        return -EINVAL;
    unsigned me = cpu_id();
    unsigned long flags = arch_irq_save();
    if (cpu == me) {
        fn(arg);
        arch_irq_restore(flags);
        return 0;
    }
    struct call_slot *s = &call_slots[cpu][me];
    /* Only this CPU posts into s, and with interrupts masked, so once free it stays ours. */
    while (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) != s->posted) {
        smp_call_handle();
        arch_cpu_relax();
    }
    s->fn = fn;
    s->arg = arg;
    uint32_t ticket = s->posted + 1;
    __atomic_store_n(&s->posted, ticket, __ATOMIC_RELEASE);
    arch_irq_restore(flags);
    ipi_send(cpu, IPI_CALL);
    /* Another call from an interrupt handler here may reuse the slot after ours ran, so wait
     * on our ticket, not on the slot being free. */
    while (wait && (int32_t)(__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) - ticket) < 0) {
        smp_call_handle();
        arch_cpu_relax();
    }
    return 0;
}

void smp_stop_this_cpu(void)
{
    arch_cpu_park(); /* clears online, masks interrupts, waits forever */
}

static void (*main_loop)(void); /* set once by smp_enter_loop() */

void smp_enter_loop(void (*loop)(void))
{
    __atomic_store_n(&main_loop, loop, __ATOMIC_RELEASE);
    for (unsigned c = 0; c < nr_cpus; c++)
        if (c != cpu_id() && cpu_online(c))
            ipi_send(c, IPI_WAKE);
}

void cpu_idle_loop(void)
{
    for (;;) {
        /* WFI with interrupts masked still wakes on a pending one, which is then taken when
         * they are unmasked: an interrupt (or smp_enter_loop's IPI) arriving after the check
         * still ends the wait. */
        arch_irq_disable();
        void (*loop)(void) = __atomic_load_n(&main_loop, __ATOMIC_ACQUIRE);
        if (loop) {
            loop();
            panic("smp: CPU%u's main loop returned", cpu_id());
        }
        arch_cpu_idle();
        arch_irq_enable();
    }
}

void secondary_main(unsigned cpu)
{
    struct percpu *pc = &percpu_data[cpu];
    arch_set_this_cpu(pc);
    uint64_t hwid = arch_cpu_hwid();
    if (hwid != pc->hwid)
        panic("smp: CPU%u came up as hwid %#lx, expected %#lx", cpu, hwid, pc->hwid);
    arch_init_cpu();
    pr_info("smp: CPU%u online (hwid %#lx)\n", cpu, hwid);
    __atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
    cpu_idle_loop();
}

static bool wait_online(unsigned cpu)
{
    uint64_t end = time_now_ns() + CPU_START_TIMEOUT_NS;
    while (!cpu_online(cpu)) {
        if (time_now_ns() > end)
            return false;
        arch_cpu_relax();
    }
    return true;
}

unsigned smp_boot_cpus(void)
{
    uint64_t me = this_cpu()->hwid;
    bool found = false;
    unsigned next = 1;
    arch_irq_enable();
    for (unsigned i = 0; i < bootinfo.nr_cpus; i++) {
        uint64_t hwid = bootinfo.cpu_hwid[i];
        if (hwid == me && !found) {
            found = true;
            continue;
        }
        if (next >= nr_cpus)
            break; /* the boot CPU is not in /cpus: one entry too many */
        unsigned cpu = next++;
        struct percpu *pc = &percpu_data[cpu];
        pc->id = cpu;
        pc->hwid = hwid;
        pc->online = false;
        int rc = arch_cpu_start(cpu, hwid);
        if (rc) {
            pr_err("smp: CPU%u (hwid %#lx) failed to start: error %d\n", cpu, hwid, rc);
            continue;
        }
        if (!wait_online(cpu))
            pr_err("smp: CPU%u (hwid %#lx) started but did not come online within %lu ms\n", cpu,
                   hwid, CPU_START_TIMEOUT_NS / 1000000);
    }
    if (!found)
        pr_warn("smp: boot CPU hwid %#lx is not in /cpus\n", me);
    return cpus_online();
}
