HYP_OBJS += hyp/core/main.c hyp/core/console.c hyp/core/bootinfo.c hyp/core/selftest.c hyp/core/vmmio.c
# memory management (page allocator, heap)
HYP_OBJS += hyp/core/stubs_mm.c
# interrupts, time, SMP
HYP_OBJS += hyp/core/stubs_irq.c
