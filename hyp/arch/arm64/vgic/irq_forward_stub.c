/*
 * TEMPORARY stand-in for irq_forwarded() (<hyp/irq.h>) until core/irq.c implements it: weak,
 * so the real one replaces it at link time.  Answering false makes the virtual timer keep its
 * line quiet by masking it (CNTV_CTL_EL0.IMASK) instead of forwarding it with the HW bit.
 * Delete this file and its line in arm64.mk once core/irq.c has irq_forwarded().
 */
#include <hyp/irq.h>

__attribute__((weak)) bool irq_forwarded(void)
{
    return false;
}
