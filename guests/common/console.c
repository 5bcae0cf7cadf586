/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console for test guests: a polled PL011/SBSA UART (only DR and FR, which both have), or the
 * console_io hypercall when the DT has no UART.  One spinlock keeps each printf whole.
 */
#include "console.h"
#include "arm.h"
#include "platform.h"
#include "xen.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define LINE_MAX 512

static unsigned long uart_base;
static int via_hypercall;
static int lock;

void console_init(unsigned long uart, int use_hypercall)
{
    uart_base = uart;
    via_hypercall = !uart && use_hypercall;
}

/* The lock holds the owner's vCPU index + 1.  Returns false if this vCPU already holds it (an
 * exception while printing reports the exception, it does not deadlock). */
static bool lock_take(void)
{
    int me = (int)this_cpu() + 1, free = 0;
    if (READ_ONCE(lock) == me)
        return false;
    while (
        !__atomic_compare_exchange_n(&lock, &free, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        free = 0;
        cpu_relax();
    }
    return true;
}

static void lock_give(bool taken)
{
    if (taken)
        __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static void uart_putc(char c)
{
    for (unsigned spin = 0; mmio_read32(uart_base + UART_FR) & UART_FR_TXFF; spin++)
        if (spin > 1000000)
            return; /* a stuck UART must not hang the test: drop the character */
    mmio_write32(uart_base + UART_DR, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    bool taken = lock_take();
    if (uart_base) {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\n')
                uart_putc('\r');
            uart_putc(s[i]);
        }
    } else if (via_hypercall) {
        xen_hypercall(HYPERVISOR_console_io, CONSOLEIO_write, n, (unsigned long)s, 0, 0);
    }
    lock_give(taken);
}

int printf(const char *fmt, ...)
{
    char buf[LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}
