/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated UART (Arm DDI 0183 PL011 r1p5; SBSA generic UART) beyond what a console driver
 * needs: the flag register at rest, identification registers, the interrupt mask and status
 * registers (MIS = RIS AND IMSC), write-to-clear, the transmit interrupt on the SPI the DT
 * names, reserved offsets, and registers a driver programs reading back.
 */
#include "arm.h"
#include "console.h"
#include "exception.h"
#include "gic.h"
#include "guest.h"
#include "platform.h"
#include "test.h"
#include "timer.h"

const char guest_name[] = "uart";

#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02C
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03C
#define MIS 0x040
#define ICR 0x044
#define PERIPHID0 0xFE0
#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu

static uint64_t uart;
static unsigned irqs;
static uint32_t mis_in_handler;

static uint32_t rd(uint32_t off)
{
    return mmio_read32(uart + off);
}

static void wr(uint32_t off, uint32_t v)
{
    mmio_write32(uart + off, v);
}

static void on_irq(unsigned intid)
{
    if (intid != plat.uart_irq)
        return;
    mis_in_handler = rd(MIS);
    wr(IMSC, 0); /* level-sensitive: drop it before the end of the interrupt */
    __atomic_add_fetch(&irqs, 1, __ATOMIC_RELAXED);
}

static void flags_at_rest(void)
{
    bool drained = WAIT_EVENT(rd(FR) & FR_TXFE);
    uint32_t fr = rd(FR);
    check(drained && !(fr & FR_TXFF) && (fr & FR_RXFE) && !(fr & FR_BUSY), "uart_fr_idle",
          "UARTFR %#x once output drained: want TXFE, RXFE, not TXFF, not BUSY", fr);
}

static void identification(void)
{
    /* PeriphID2 bits [7:4] are the revision, which varies (r1p5 is 3). */
    static const uint8_t want[8] = { 0x11, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    uint8_t got[8];
    bool ok = true;
    for (unsigned i = 0; i < 8; i++) {
        got[i] = (uint8_t)rd(PERIPHID0 + 4 * i);
        ok = ok && (i == 2 ? got[i] & 0xf : got[i]) == want[i];
    }
    check(ok, "uart_id_registers",
          "PeriphID0-3 %02x %02x %02x %02x, PCellID0-3 %02x %02x %02x %02x; want PL011 "
          "11 10 x4 00, 0d f0 05 b1",
          got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7]);
}

/* Each mask: it reads back, and MIS is RIS AND IMSC (read RIS twice: it must not move). */
static void mask_and_status(void)
{
    static const uint32_t masks[] = { 0, INT_RX, INT_RT, INT_RX | INT_RT, INT_ALL };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(masks); i++) {
        wr(IMSC, masks[i] & ~INT_TX); /* no TX interrupt here: nothing handles it yet */
        uint32_t imsc = rd(IMSC), ris = rd(RIS), mis = rd(MIS), ris2 = rd(RIS);
        if (imsc != (masks[i] & ~INT_TX) || ris != ris2 || mis != (ris & imsc)) {
            bad++;
            check(false, "uart_imsc_ris_mis", "IMSC written %#x reads %#x, RIS %#x/%#x, MIS %#x",
                  masks[i] & ~INT_TX, imsc, ris, ris2, mis);
        }
    }
    wr(IMSC, 0);
    if (!bad)
        check(true, "uart_imsc_ris_mis", "%u masks read back, MIS = RIS & IMSC each time",
              (unsigned)ARRAY_SIZE(masks));
    /* Nothing was received: no receive or receive-timeout status, and ICR clears the rest. */
    wr(ICR, INT_ALL);
    uint32_t ris = rd(RIS);
    check(!(ris & (INT_RX | INT_RT)), "uart_no_rx_status",
          "RIS %#x with nothing typed and after ICR: want RX and RT clear", ris);
    uint32_t rsr = rd(RSR);
    check(rsr == 0, "uart_rsr_clear", "UARTRSR %#x with nothing received, want 0", rsr);
}

/* The transmit interrupt: unmasked while output drains, it reaches us on the DT's SPI. */
static void tx_interrupt(void)
{
    if (!check(plat.uart_irq >= 32, "uart_irq_dt", "UART interrupt in the DT: INTID %u",
               plat.uart_irq))
        return;
    if (!check(gic_init() && gic_cpu_init(false), "gic", "GIC set up"))
        return;
    irq_set_handler(on_irq);
    gic_route_spi(plat.uart_irq, this_mpidr());
    gic_set_priority(plat.uart_irq, GIC_PRIO_DEFAULT);
    gic_enable(plat.uart_irq);
    irq_enable();
    wr(IMSC, INT_TX);
    /* More than a FIFO trigger level's worth, so the level is crossed as it drains. */
    printf("GUEST-NOTE uart: transmit burst to cross the FIFO trigger level ..........\n");
    bool got = WAIT_EVENT(__atomic_load_n(&irqs, __ATOMIC_RELAXED) > 0);
    irq_disable();
    wr(IMSC, 0);
    check(got && (mis_in_handler & INT_TX), "uart_tx_interrupt",
          "TX interrupt %s on INTID %u (MIS in handler %#x)", got ? "taken" : "NOT taken",
          plat.uart_irq, mis_in_handler);
    unsigned before = __atomic_load_n(&irqs, __ATOMIC_RELAXED);
    irq_enable();
    delay_us(20000);
    irq_disable();
    check(__atomic_load_n(&irqs, __ATOMIC_RELAXED) == before, "uart_tx_interrupt_masked",
          "no further UART interrupt once IMSC is 0 (%u more)",
          __atomic_load_n(&irqs, __ATOMIC_RELAXED) - before);
    gic_disable(plat.uart_irq);
}

/* Registers a PL011 driver programs (Linux's does) read back what it wrote. */
static void programmed_registers(void)
{
    uint32_t ibrd = rd(IBRD), fbrd = rd(FBRD), lcr = rd(LCR_H), ifls = rd(IFLS);
    wr(IBRD, 0x1a);
    wr(FBRD, 0x3);
    wr(LCR_H, 0x70); /* 8 bits, FIFOs on */
    wr(IFLS, 0x09);
    uint32_t i2 = rd(IBRD), f2 = rd(FBRD), l2 = rd(LCR_H), q2 = rd(IFLS);
    wr(IBRD, ibrd);
    wr(FBRD, fbrd);
    wr(LCR_H, lcr);
    wr(IFLS, ifls);
    check(i2 == 0x1a && f2 == 0x3 && l2 == 0x70 && (q2 & 0x3f) == 0x09, "uart_config_readback",
          "IBRD %#x FBRD %#x LCR_H %#x IFLS %#x after writing 0x1a 0x3 0x70 0x9", i2, f2, l2, q2);
    /* Out of reset TXE and RXE are set and UARTEN clear (0x300); a driver then enables it. */
    uint32_t cr = rd(CR);
    wr(CR, 0x301);
    uint32_t cr2 = rd(CR);
    check((cr & 0xff87) == 0x300 && cr2 == 0x301, "uart_cr",
          "UARTCR %#x at start (want TXE, RXE), %#x after enabling the UART (want 0x301)", cr, cr2);
}

/* Offsets the PL011 leaves reserved: reads give 0 (or abort), writes change nothing. */
static void reserved_offsets(void)
{
    static const uint32_t offs[] = { 0x04c, 0x100, 0x800, 0xfc0 };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
        struct exc_record r;
        exc_expect();
        wr(offs[i], 0xffffffff);
        uint32_t v = rd(offs[i]);
        bool aborted = exc_taken(&r);
        if (aborted ? ESR_EC(r.esr) != EC_DABT_CUR : v != 0) {
            bad++;
            check(false, "uart_reserved_offsets", "offset %#x: %s (ESR %#lx), read %#x", offs[i],
                  aborted ? "abort" : "no abort", r.esr, v);
        }
    }
    uint32_t imsc = rd(IMSC);
    if (!bad)
        check(imsc == 0, "uart_reserved_offsets",
              "%u reserved offsets read 0 or abort; IMSC still %#x", (unsigned)ARRAY_SIZE(offs),
              imsc);
}

void guest_main(void *dtb)
{
    uart = plat.uart;
    if (!check(uart != 0, "uart_dt", "UART at %#lx", uart))
        return;
    flags_at_rest();
    identification();
    mask_and_status();
    programmed_registers();
    reserved_offsets();
    tx_interrupt();
}
