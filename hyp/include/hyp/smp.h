/* SPDX-License-Identifier: Apache-2.0 */
/* Secondary CPU bring-up, cross-CPU function calls and the idle loop. */
#pragma once

#include <hyp/compiler.h>
#include <hyp/types.h>

/* Boot CPU, after irq_init_cpu() and time_init_cpu() for itself: enable its interrupts, then
 * start every CPU the device tree lists and wait for each (printing any that fails).  Returns
 * how many are online, boot CPU included; logical ids are 0 (boot CPU) .. nr_cpus - 1. */
unsigned smp_boot_cpus(void);
bool cpu_online(unsigned cpu);
unsigned cpus_online(void);
/* Bit c set for each online CPU c: a look at the CPUs there are, not at all MAX_CPUS. */
uint64_t cpus_online_mask(void);

/*
 * Run fn(arg) on cpu, from its IPI handler with interrupts masked (on the calling CPU: at once,
 * interrupts masked); with wait, return after fn returned.  Each CPU has one outstanding call
 * per target: a second call to the same target first waits for the previous one to be taken.
 * While waiting the caller runs calls queued for itself, so two CPUs calling each other do not
 * deadlock even with interrupts masked.  Returns 0, or -EINVAL for an offline CPU.
 */
int smp_call(unsigned cpu, void (*fn)(void *), void *arg, bool wait);

/* Idle loop of a CPU with nothing to run: wait for interrupts, handle them.  Leaves for the
 * loop given to smp_enter_loop() once there is one. */
__noreturn void cpu_idle_loop(void);

/* Boot CPU, once the per-CPU main loop can run (the scheduler is initialised): every CPU in
 * cpu_idle_loop() (the secondaries after bring-up) calls loop() from thread context with
 * interrupts masked.  loop must not return. */
void smp_enter_loop(void (*loop)(void));

/* --- for core/irq.c's IPI handler --- */
/* Run every smp_call queued for this CPU. */
void smp_call_handle(void);
/* IPI_STOP: mark this CPU offline and park it for good. */
__noreturn void smp_stop_this_cpu(void);
