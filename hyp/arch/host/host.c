/* SPDX-License-Identifier: Apache-2.0 */
/* Host stand-ins for arch hooks used by core code under unit test. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/cpu.h>
#include <hyp/percpu.h>

_Thread_local struct percpu *host_this_cpu; /* per thread: tests may run "CPUs" as threads */
bool host_irq_pending;
uint64_t host_counter;

void host_cpu_relax(void)
{
    sched_yield(); /* the C library's: arch_cpu_relax says why */
}

void arch_set_this_cpu(struct percpu *pc)
{
    host_this_cpu = pc;
}

uint64_t arch_cpu_hwid(void)
{
    return 0;
}

uint64_t arch_counter_freq(void)
{
    return 1000000000; /* 1 tick = 1 ns keeps test arithmetic obvious */
}

void arch_cpu_park(void)
{
    fprintf(stderr, "arch_cpu_park() called\n");
    abort();
}

/* Cache maintenance does not exist on the host: zeroing is a memset, counted so tests can see
 * what the allocator zeroed.  Atomically: tests zero from several threads at once (vCPUs
 * touching RAM for the first time), and a lost update fails them on a loaded host. */
uint64_t host_cleared_bytes;

void arch_clear_memory(void *p, uint64_t size)
{
    memset(p, 0, size);
    __atomic_fetch_add(&host_cleared_bytes, size, __ATOMIC_RELAXED);
}

void arch_zero_memory(void *p, uint64_t size)
{
    memset(p, 0, size);
}

void arch_copy_memory(void *dst, const void *src, uint64_t size)
{
    memcpy(dst, src, size);
}

void arch_clean_dcache(const void *p, uint64_t size)
{
}
