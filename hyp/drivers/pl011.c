/* SPDX-License-Identifier: Apache-2.0 */
/* Arm PL011 UART (PrimeCell UART TRM, DDI 0183): polled transmit and receive only.  The boot
 * loader or firmware has set the baud rate; Keel only enables the transmitter and receiver. */
#include <hyp/compiler.h>
#include <hyp/console.h>
#include <hyp/drivers.h>

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTCR 0x30
#define UARTIMSC 0x38
#define IMSC_RXIM (1u << 4)
#define IMSC_RTIM (1u << 6)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)

static inline uint32_t rd(uintptr_t base, unsigned off)
{
    return *(volatile uint32_t *)(base + off);
}

static inline void wr(uintptr_t base, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(base + off) = v;
}

static void pl011_putc(void *ctx, char c)
{
    uintptr_t base = (uintptr_t)ctx;
    while (rd(base, UARTFR) & FR_TXFF)
        ;
    wr(base, UARTDR, (uint8_t)c);
}

static int pl011_getc(void *ctx)
{
    uintptr_t base = (uintptr_t)ctx;
    if (rd(base, UARTFR) & FR_RXFE)
        return -1;
    return (int)(rd(base, UARTDR) & 0xff);
}

static struct console_dev pl011_dev = { pl011_putc, pl011_getc, NULL };

void pl011_console_init(paddr_t base)
{
    pl011_dev.ctx = (void *)(uintptr_t)base;
    /* Receive and receive-timeout interrupts only: console_switch takes input from the UART's
     * interrupt once it is registered (until then the line stays disabled at the GIC). */
    wr(base, UARTIMSC, IMSC_RXIM | IMSC_RTIM);
    wr(base, UARTCR, rd(base, UARTCR) | CR_UARTEN | CR_TXE | CR_RXE);
    console_register(&pl011_dev);
}
