/* TEMPORARY stand-ins so the skeleton links; each is replaced by its real module. */
#include <hyp/console.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/page_alloc.h>
#include <hyp/smp.h>
#include <hyp/timer.h>
#include <hyp/arch/cpu.h>
#include <hyp/arch/boot.h>

void page_alloc_init(void) {}
void *page_alloc(unsigned order) { return NULL; }
void *page_zalloc(unsigned order) { return NULL; }
void page_free(void *p, unsigned order) {}
void page_alloc_stats(struct page_stats *out) { out->total_pages = out->free_pages = 0; out->largest_free_order = 0; }
void heap_init(void) {}
void irq_dispatch(void) {}
void irqchip_init(void) {}
void irqchip_init_cpu(void) {}
void time_init(void) {}
void time_init_cpu(void) {}
unsigned smp_boot_cpus(void) { return 1; }
void cpu_idle_loop(void) { for (;;) arch_cpu_idle(); }
void secondary_main(unsigned cpu) { for (;;) arch_cpu_idle(); }
