/* TEMPORARY stand-ins until interrupts, time and SMP land. */
#include <hyp/arch/boot.h>
#include <hyp/arch/cpu.h>
#include <hyp/irq.h>
#include <hyp/smp.h>
#include <hyp/timer.h>

void irq_dispatch(void) {}
void irqchip_init(void) {}
void irqchip_init_cpu(void) {}
void time_init(void) {}
void time_init_cpu(void) {}
unsigned smp_boot_cpus(void) { return 1; }
void cpu_idle_loop(void) { for (;;) arch_cpu_idle(); }
void secondary_main(unsigned cpu) { for (;;) arch_cpu_idle(); }
