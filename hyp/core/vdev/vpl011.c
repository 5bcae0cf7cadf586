/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated PL011 UART (PrimeCell UART TRM, Arm DDI 0183, r1p5), which is also the SBSA generic
 * UART's superset.  Owns each domain's register state, receive FIFO and output line buffer.
 * Locking: u->lock guards one device; flush_lock guards the device list and the timer that
 * prints idle partial lines.  Order: flush_lock, u->lock, then the vGIC or the console (which
 * keeps lines of different devices apart).  Not modelled: baud timing, line errors other than
 * overrun, loopback, modem-line changes, DMA.
 *
 * Transmit is instant: a byte written to UARTDR is consumed at once, so the transmit FIFO is
 * always empty.  Hence FR.TXFE = 1, TXFF = BUSY = 0, and the transmit interrupt (RIS.TXRIS,
 * "FIFO at or below its trigger level") is always raised: a driver that enables TXIM to wait
 * for room, as Linux's amba-pl011 does when it has more to send, is interrupted at once, and
 * one that has nothing to send clears TXIM.  CR's enable bits are stored but not enforced, so
 * the UART works from reset as a firmware-configured one would: earlycon and the SBSA subset
 * (which has no UARTCR) never enable it.
 */
#include <hyp/arch/domain.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>
#include <hyp/timer.h>
#include <hyp/vmmio.h>
#include <hyp/vpl011.h>

/* Register offsets (DDI 0183, 3.2 "Summary of registers"). */
#define UARTDR 0x000
#define UARTRSR 0x004 /* read: receive status; write: error clear (UARTECR) */
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048
#define UARTID_FIRST 0xfe0 /* UARTPeriphID0-3, then UARTPCellID0-3 */

#define FR_CTS (1u << 0)
#define FR_DSR (1u << 1)
#define FR_DCD (1u << 2)
#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define RSR_OE (1u << 3)
#define LCR_H_FEN (1u << 4)

/* Interrupt bits, the same in IMSC, RIS, MIS and ICR. */
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_OE (1u << 10)
#define INT_ALL 0x7ffu

/* Reset values (DDI 0183, 3.2): transmit and receive enabled, UART disabled; both FIFO
 * trigger levels at half full. */
#define CR_RESET 0x0300u
#define IFLS_RESET 0x12u

/* Periph ID 0x00341011 (part 0x011, designer 0x41 'A', revision 3 = r1p5), PrimeCell ID
 * 0xB105F00D, one byte per register in the low eight bits (DDI 0183, 3.3.14-15). */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* Idle partial lines are flushed by one timer on the boot CPU, which is always online. */
#define FLUSH_CPU 0

#define PREFIX_MAX (DOMAIN_NAME_LEN + 3) /* "[" name "] " and the terminating NUL */

struct vpl011 {
    struct spinlock lock;
    struct domain *dom;
    unsigned irq;
    bool irq_level; /* how the line was last driven */
    /* registers */
    uint16_t ibrd, cr, imsc;
    uint16_t ris; /* latched receive and overrun bits; TXRIS is computed */
    uint8_t fbrd, lcr_h, ifls, ilpr, dmacr, rsr;
    /* receive FIFO */
    uint8_t rx[VPL011_RX_FIFO];
    unsigned rx_head, rx_count;
    /* output not yet printed (and room for the '\n' that ends it), and the "[name] " that
     * starts each of the domain's lines on the console */
    char line[VPL011_LINE_MAX + 1];
    unsigned line_len;
    uint64_t last_out_ns;
    struct vcpu *last_vcpu; /* whose write left the partial line */
    char prefix[PREFIX_MAX];
    struct console_writer writer;
    struct vpl011_stats stats;
    struct vpl011 *next; /* device list, under flush_lock */
};

static struct spinlock flush_lock = SPINLOCK_INIT;
static struct vpl011 *devices;
static struct timer flush_timer;
static bool flush_armed;

/* --- output --- */

/* u->lock held.  Print u's buffered bytes as one console write, so another device's output or
 * Keel's cannot land inside them; the console ends a line someone else left open and puts the
 * prefix in front unless this continues u's own open line.  end: the bytes end a line. */
static void emit(struct vpl011 *u, bool end)
{
    if (end)
        u->line[u->line_len++] = '\n';
    console_write(&u->writer, u->line, u->line_len);
    u->line_len = 0;
}

/* u->lock held.  The device goes away: end whatever it has on the console. */
static void emit_last(struct vpl011 *u)
{
    if (u->line_len)
        emit(u, true);
    console_end_line(&u->writer);
}

/* Make sure the flush timer will look at the devices' partial lines. */
static void arm_flush(void)
{
    unsigned long flags = spin_lock_irqsave(&flush_lock);
    if (!flush_armed) {
        flush_armed = true;
        timer_set(&flush_timer, time_now_ns() + VPL011_FLUSH_NS, FLUSH_CPU);
    }
    spin_unlock_irqrestore(&flush_lock, flags);
}

/* u->lock held.  Whether the vCPU that left the partial line is waiting for a pCPU: then it
 * did not fall silent, it was not given time to finish the line (a loaded host, an
 * overcommitted pool), and printing half of it now would split the line on the console.  Not
 * forever, though: after VPL011_FLUSH_MAX_NS the part goes out anyway. */
static bool writer_waits(const struct vpl011 *u, uint64_t now)
{
    const struct vcpu *v = u->last_vcpu;
    if (!v || now - u->last_out_ns >= VPL011_FLUSH_MAX_NS)
        return false;
    return READ_ONCE(v->state) == VCPU_RUNNABLE && !READ_ONCE(v->running);
}

static void flush_idle(struct timer *t, void *ctx)
{
    uint64_t now = time_now_ns(), next = UINT64_MAX;
    unsigned long flags = spin_lock_irqsave(&flush_lock);
    for (struct vpl011 *u = devices; u; u = u->next) {
        spin_lock(&u->lock);
        if (u->line_len) {
            uint64_t due = u->last_out_ns + VPL011_FLUSH_NS;
            if (due > now)
                next = MIN(next, due);
            else if (writer_waits(u, now))
                next = MIN(next, now + VPL011_FLUSH_NS); /* look again */
            else
                emit(u, false);
        }
        spin_unlock(&u->lock);
    }
    flush_armed = next != UINT64_MAX;
    if (flush_armed)
        timer_set(&flush_timer, next, FLUSH_CPU);
    spin_unlock_irqrestore(&flush_lock, flags);
}

/* u->lock held.  One byte from the guest.  Returns whether a partial line is now waiting. */
static bool tx_byte(struct vpl011 *u, uint8_t c)
{
    u->stats.bytes_out++;
    if (c == '\n') {
        /* The console turns '\n' into "\r\n" itself; a guest's own '\r' before it is noise. */
        if (u->line_len && u->line[u->line_len - 1] == '\r')
            u->line_len--;
        emit(u, true);
        return false;
    }
    u->line[u->line_len++] = (char)c;
    u->last_out_ns = time_now_ns();
    if (u->line_len < VPL011_LINE_MAX)
        return true;
    emit(u, false);
    return false;
}

/* --- receive and interrupts --- */

static uint32_t raw_status(const struct vpl011 *u)
{
    return u->ris | INT_TX;
}

/* u->lock held.  The interrupt line follows (RIS & IMSC) != 0 (DDI 0183, 2.8: UARTINTR is
 * the OR of the masked sources).  Drive it only on a change. */
static void update_irq(struct vpl011 *u)
{
    bool level = (raw_status(u) & u->imsc) != 0;
    if (level == u->irq_level)
        return;
    u->irq_level = level;
    arch_guest_set_irq_level(u->dom, u->irq, level);
}

/* Receive interrupt trigger level in bytes: IFLS.RXIFLSEL (bits 5:3) selects 1/8, 1/4, 1/2,
 * 3/4 or 7/8 of the FIFO (reserved encodings: half); with FIFOs off (LCR_H.FEN = 0) the
 * holding register is one byte.  The FIFO itself stays 32 deep either way, so no typed byte
 * is lost to a guest that has not enabled FIFOs yet. */
static unsigned rx_trigger(const struct vpl011 *u)
{
    static const uint8_t eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };
    if (!(u->lcr_h & LCR_H_FEN))
        return 1;
    return eighths[(u->ifls >> 3) & 7] * VPL011_RX_FIFO / 8;
}

/* u->lock held. */
static uint32_t rx_pop(struct vpl011 *u)
{
    if (!u->rx_count)
        return 0;
    uint8_t c = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % VPL011_RX_FIFO;
    u->rx_count--;
    /* RXRIS clears once the FIFO is below the trigger level, RTRIS once it is empty
     * (DDI 0183, 2.8.2-2.8.3). */
    if (u->rx_count < rx_trigger(u))
        u->ris &= (uint16_t)~INT_RX;
    if (!u->rx_count)
        u->ris &= (uint16_t)~INT_RT;
    update_irq(u);
    return c;
}

void vpl011_input(struct domain *d, const char *buf, size_t len)
{
    struct vpl011 *u = d->vuart;
    if (!u || !len)
        return;
    unsigned long flags = spin_lock_irqsave(&u->lock);
    for (size_t i = 0; i < len; i++) {
        if (u->rx_count == VPL011_RX_FIFO) {
            u->stats.rx_dropped++;
            u->rsr |= RSR_OE;
            u->ris |= INT_OE;
            continue;
        }
        u->rx[(u->rx_head + u->rx_count) % VPL011_RX_FIFO] = (uint8_t)buf[i];
        u->rx_count++;
        u->stats.bytes_in++;
    }
    /* Input arrives in bursts with nothing after them, so the receive timeout (RTRIS: data
     * waiting and none arriving) is taken to expire at once. */
    if (u->rx_count)
        u->ris |= INT_RT;
    if (u->rx_count >= rx_trigger(u))
        u->ris |= INT_RX;
    update_irq(u);
    spin_unlock_irqrestore(&u->lock, flags);
}

/* --- registers --- */

/* u->lock held.  reg is word-aligned. */
static uint32_t reg_read(struct vpl011 *u, uint64_t reg)
{
    switch (reg) {
    case UARTDR:
        return rx_pop(u);
    case UARTRSR:
        return u->rsr;
    case UARTFR:
        /* Modem inputs read as a connected terminal: CTS, DSR and DCD asserted, no ring. */
        return FR_TXFE | FR_CTS | FR_DSR | FR_DCD | (u->rx_count ? 0 : FR_RXFE) |
               (u->rx_count == VPL011_RX_FIFO ? FR_RXFF : 0);
    case UARTILPR:
        return u->ilpr;
    case UARTIBRD:
        return u->ibrd;
    case UARTFBRD:
        return u->fbrd;
    case UARTLCR_H:
        return u->lcr_h;
    case UARTCR:
        return u->cr;
    case UARTIFLS:
        return u->ifls;
    case UARTIMSC:
        return u->imsc;
    case UARTRIS:
        return raw_status(u);
    case UARTMIS:
        return raw_status(u) & u->imsc;
    case UARTDMACR:
        return u->dmacr;
    default:
        if (reg >= UARTID_FIRST)
            return id_regs[(reg - UARTID_FIRST) / 4];
        return 0; /* UARTICR (write-only), reserved and test registers */
    }
}

/* u->lock held.  reg is word-aligned.  Returns whether a partial output line is waiting. */
static bool reg_write(struct vpl011 *u, uint64_t reg, uint32_t v)
{
    switch (reg) {
    case UARTDR:
        return tx_byte(u, (uint8_t)v);
    case UARTRSR:
        u->rsr = 0; /* any write to UARTECR clears the error flags */
        break;
    case UARTILPR:
        u->ilpr = (uint8_t)v;
        break;
    case UARTIBRD:
        u->ibrd = (uint16_t)v;
        break;
    case UARTFBRD:
        u->fbrd = v & 0x3f;
        break;
    case UARTLCR_H:
        u->lcr_h = (uint8_t)v;
        break;
    case UARTCR:
        u->cr = v & 0xff87; /* bits 6:3 are reserved */
        break;
    case UARTIFLS:
        u->ifls = v & 0x3f;
        break;
    case UARTIMSC:
        u->imsc = v & INT_ALL;
        update_irq(u);
        break;
    case UARTICR:
        u->ris &= (uint16_t)~v;
        update_irq(u);
        break;
    case UARTDMACR:
        u->dmacr = v & 7;
        break;
    default: /* FR, RIS, MIS and the ID registers are read-only; the rest is reserved */
        break;
    }
    return false;
}

/* The PL011 is a 32-bit APB device.  Byte and halfword accesses are allowed as long as they
 * are naturally aligned (earlycon may use strb/ldrh on UARTDR and UARTFR); 64-bit ones are
 * not. */
static int check_access(uint64_t offset, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || (offset & (size - 1)) || offset >= VPL011_SIZE)
        return -EINVAL;
    return 0;
}

static int vpl011_read(struct vcpu *v, void *ctx, uint64_t offset, unsigned size, uint64_t *val)
{
    struct vpl011 *u = ctx;
    *val = 0;
    int rc = check_access(offset, size);
    if (rc)
        return rc;
    unsigned long flags = spin_lock_irqsave(&u->lock);
    uint32_t r = reg_read(u, offset & ~3UL);
    spin_unlock_irqrestore(&u->lock, flags);
    /* A narrow read returns its byte lanes of the register (little-endian). */
    r >>= (offset & 3) * 8;
    *val = size == 4 ? r : r & ((1u << (size * 8)) - 1);
    return 0;
}

static int vpl011_write(struct vcpu *v, void *ctx, uint64_t offset, unsigned size, uint64_t val)
{
    struct vpl011 *u = ctx;
    int rc = check_access(offset, size);
    if (rc)
        return rc;
    /* A narrow write to the upper lanes of a register is ignored: no driver does it, and the
     * lanes it leaves out have no defined value on APB. */
    if (offset & 3)
        return 0;
    uint32_t v32 = (uint32_t)(size == 4 ? val : val & ((1u << (size * 8)) - 1));
    unsigned long flags = spin_lock_irqsave(&u->lock);
    u->last_vcpu = v;
    bool partial = reg_write(u, offset, v32);
    spin_unlock_irqrestore(&u->lock, flags);
    if (partial)
        arm_flush();
    return 0;
}

static const struct vmmio_ops vpl011_ops = { vpl011_read, vpl011_write };

/* --- lifecycle --- */

int vpl011_init(struct domain *d, uint64_t base, unsigned irq)
{
    if (!IS_ALIGNED(base, PAGE_SIZE) || base + VPL011_SIZE < base || irq < IRQ_PER_CPU_LINES ||
        irq >= IRQ_MAX)
        return -EINVAL;
    if (d->vuart)
        return -EEXIST;
    struct vpl011 *u = heap_zalloc(sizeof(*u));
    if (!u)
        return -ENOMEM;
    u->lock = SPINLOCK_INIT;
    u->dom = d;
    u->irq = irq;
    u->cr = CR_RESET;
    u->ifls = IFLS_RESET;
    snprintf(u->prefix, sizeof(u->prefix), "[%s] ", d->name);
    u->writer.prefix = u->prefix;
    int rc = vmmio_register(d, base, VPL011_SIZE, &vpl011_ops, u);
    if (rc) {
        heap_free(u);
        return rc;
    }
    d->vuart = u;
    unsigned long flags = spin_lock_irqsave(&flush_lock);
    if (!flush_timer.fn)
        timer_init(&flush_timer, flush_idle, NULL);
    u->next = devices;
    devices = u;
    spin_unlock_irqrestore(&flush_lock, flags);
    return 0;
}

void vpl011_destroy(struct domain *d)
{
    struct vpl011 *u = d->vuart;
    if (!u)
        return;
    console_switch_domain_gone(d);
    unsigned long flags = spin_lock_irqsave(&flush_lock);
    struct vpl011 **pp = &devices;
    while (*pp && *pp != u)
        pp = &(*pp)->next;
    if (*pp)
        *pp = u->next;
    if (!devices && flush_armed) {
        timer_cancel(&flush_timer);
        flush_armed = false;
    }
    spin_unlock_irqrestore(&flush_lock, flags);
    /* Off the list, so the flush timer no longer reaches u. */
    flags = spin_lock_irqsave(&u->lock);
    emit_last(u);
    spin_unlock_irqrestore(&u->lock, flags);
    d->vuart = NULL;
    heap_free(u);
}

bool vpl011_get_stats(struct domain *d, struct vpl011_stats *out)
{
    struct vpl011 *u = d->vuart;
    if (!u)
        return false;
    unsigned long flags = spin_lock_irqsave(&u->lock);
    *out = u->stats;
    spin_unlock_irqrestore(&u->lock, flags);
    return true;
}
