/* Secondary CPU bring-up and cross-CPU function calls. */
#pragma once

#include <hyp/types.h>

/* Start every CPU the device tree lists; returns how many are online (boot CPU included). */
unsigned smp_boot_cpus(void);
bool cpu_online(unsigned cpu);
unsigned cpus_online(void);

/* Run fn(arg) on cpu (from interrupt context there) and, if wait, until it finished.
 * Returns 0, or -EINVAL for an offline CPU. */
int smp_call(unsigned cpu, void (*fn)(void *), void *arg, bool wait);

/* Idle loop of a CPU with nothing to run: wait for interrupts, handle them. */
__attribute__((noreturn)) void cpu_idle_loop(void);
