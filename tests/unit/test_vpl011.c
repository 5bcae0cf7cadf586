/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the emulated PL011 (hyp/core/vdev/vpl011.c) at register level: two fake
 * domains reach it through the real MMIO dispatch (hyp/core/vmmio.c) and print through the
 * real console (hyp/core/console.c), which keeps their lines apart, into a fake UART; the
 * interrupt line, the heap and the timer are fakes that record what the device does with them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/arch/cpu.h>
#include <hyp/arch/domain.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/heap.h>
#include <hyp/timer.h>
#include <hyp/vmmio.h>
#include <hyp/vpl011.h>

#define BASE 0x22000000UL
#define IRQ 32

/* Register offsets and bits, written out from DDI 0183 rather than taken from the device. */
#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define ILPR 0x020
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048
#define FR_RXFE 0x10
#define FR_RXFF 0x40
#define FR_TXFE 0x80
#define FR_CONNECTED 0x07 /* CTS, DSR, DCD */
#define INT_RX 0x10
#define INT_TX 0x20
#define INT_RT 0x40
#define INT_OE 0x400
#define LCR_H_FEN 0x10

/* --- fakes --- */

static bool fail_alloc;

void *heap_zalloc(size_t size)
{
    return fail_alloc ? NULL : calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

static struct {
    unsigned calls;
    struct domain *dom;
    unsigned irq;
    bool level;
} line;

void arch_guest_set_irq_level(struct domain *d, unsigned irq, bool level)
{
    line.calls++;
    line.dom = d;
    line.irq = irq;
    line.level = level;
}

/* What reaches the physical UART, less the '\r' the console puts before each '\n'. */
static char out[16384];
static size_t out_len;

static void uart_putc(void *ctx, char c)
{
    assert_true(out_len + 1 < sizeof(out));
    if (c == '\n' && out_len && out[out_len - 1] == '\r')
        out_len--;
    out[out_len++] = c;
    out[out_len] = 0;
}

static const struct console_dev uart = { uart_putc, NULL, NULL };

static uint64_t now;
static struct timer *armed;

uint64_t time_now_ns(void)
{
    return now;
}

void timer_init(struct timer *t, timer_fn fn, void *ctx)
{
    *t = (struct timer){ .fn = fn, .ctx = ctx };
}

void timer_set(struct timer *t, uint64_t deadline, unsigned cpu)
{
    t->deadline = deadline;
    t->cpu = cpu;
    t->active = true;
    armed = t;
}

void timer_cancel(struct timer *t)
{
    t->active = false;
}

/* Advance time to t and run the timer if it is due. */
static void advance_to(uint64_t t)
{
    now = t;
    if (armed && armed->active && armed->deadline <= now) {
        armed->active = false;
        armed->fn(armed, armed->ctx);
    }
}

static struct domain *gone;

void console_switch_domain_gone(struct domain *d)
{
    gone = d;
}

/* --- helpers --- */

static struct domain doms[2];
static struct vcpu vcpus[2];

static uint64_t access(int i, unsigned off, bool write, unsigned size, uint64_t val, int want)
{
    assert_int_equal(vmmio_access(&vcpus[i], BASE + off, write, size, &val), want);
    return val;
}

static uint32_t rd(int i, unsigned off)
{
    return (uint32_t)access(i, off, false, 4, 0, 0);
}

static void wr(int i, unsigned off, uint32_t v)
{
    access(i, off, true, 4, v, 0);
}

static void puts_to(int i, const char *s)
{
    while (*s)
        wr(i, DR, (uint8_t)*s++);
}

static void clear_out(void)
{
    out_len = 0;
    out[0] = 0;
}

static int setup(void **state)
{
    static const char *const names[2] = { "web", "db" };
    memset(doms, 0, sizeof(doms));
    console_register(&uart);
    console_enable_locking();
    for (int i = 0; i < 2; i++) {
        doms[i].id = (unsigned)i + 1;
        strcpy(doms[i].name, names[i]);
        vcpus[i] = (struct vcpu){ .dom = &doms[i] };
        assert_int_equal(vpl011_init(&doms[i], BASE, IRQ), 0);
    }
    line = (typeof(line)){ 0 };
    now = 0;
    gone = NULL;
    fail_alloc = false;
    clear_out();
    return 0;
}

static int teardown(void **state)
{
    for (int i = 0; i < 2; i++)
        vpl011_destroy(&doms[i]);
    return 0;
}

/* --- set-up and identification --- */

static void test_init_errors(void **state)
{
    struct domain d = { .name = "x" };
    assert_int_equal(vpl011_init(&d, BASE + 4, IRQ), -EINVAL);
    assert_int_equal(vpl011_init(&d, BASE, 31), -EINVAL);
    assert_int_equal(vpl011_init(&d, BASE, 1020), -EINVAL);
    assert_int_equal(vpl011_init(&d, ~0UL & PAGE_MASK, IRQ), -EINVAL);
    fail_alloc = true;
    assert_int_equal(vpl011_init(&d, BASE, IRQ), -ENOMEM);
    fail_alloc = false;
    assert_null(d.vuart);
    assert_int_equal(d.mmio.nr, 0);
    /* A region already there: refused, nothing leaks (LeakSanitizer checks). */
    static const struct vmmio_ops none = { NULL, NULL };
    assert_int_equal(vmmio_register(&d, BASE, 0x1000, &none, NULL), 0);
    assert_int_equal(vpl011_init(&d, BASE, IRQ), -EEXIST);
    assert_null(d.vuart);
    assert_int_equal(vpl011_init(&d, BASE + 0x1000, IRQ), 0);
    assert_int_equal(vpl011_init(&d, BASE + 0x2000, IRQ), -EEXIST);
    vpl011_destroy(&d);
    assert_null(d.vuart);
    vpl011_destroy(&d); /* none left: a no-op */
}

/* Linux's AMBA bus reads the low byte of each ID register to match the PL011 r1p5. */
static void test_id_registers(void **state)
{
    static const uint32_t want[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    uint32_t periph = 0, cell = 0;
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(rd(0, 0xfe0 + 4 * i), want[i]);
        assert_int_equal(rd(0, 0xff0 + 4 * i), want[4 + i]);
        periph |= rd(0, 0xfe0 + 4 * i) << (8 * i);
        cell |= rd(0, 0xff0 + 4 * i) << (8 * i);
    }
    assert_int_equal(periph, 0x00341011);
    assert_int_equal(cell, 0xb105f00d);
    wr(0, 0xfe0, 0);
    assert_int_equal(rd(0, 0xfe0), 0x11);
}

static void test_reset_values(void **state)
{
    assert_int_equal(rd(0, FR), FR_TXFE | FR_RXFE | FR_CONNECTED);
    assert_int_equal(rd(0, CR), 0x300);
    assert_int_equal(rd(0, IFLS), 0x12);
    assert_int_equal(rd(0, IMSC), 0);
    assert_int_equal(rd(0, RIS), INT_TX);
    assert_int_equal(rd(0, MIS), 0);
    assert_int_equal(rd(0, LCR_H), 0);
    assert_int_equal(rd(0, IBRD), 0);
    assert_int_equal(rd(0, RSR), 0);
    assert_int_equal(rd(0, DR), 0); /* empty FIFO */
    assert_int_equal(line.calls, 0);
}

static void test_register_readback(void **state)
{
    static const struct {
        unsigned off;
        uint32_t mask;
    } regs[] = { { ILPR, 0xff }, { IBRD, 0xffff }, { FBRD, 0x3f }, { LCR_H, 0xff },
                 { CR, 0xff87 }, { IFLS, 0x3f },   { DMACR, 0x7 } };
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        wr(0, regs[i].off, 0xffffffff);
        assert_int_equal(rd(0, regs[i].off), regs[i].mask);
        wr(0, regs[i].off, 0x5a5a5a5a);
        assert_int_equal(rd(0, regs[i].off), 0x5a5a5a5a & regs[i].mask);
        assert_int_equal(rd(1, regs[i].off), i == 4 ? 0x300 : i == 5 ? 0x12 : 0);
    }
    /* Read-only registers ignore writes. */
    wr(0, FR, 0);
    wr(0, RIS, 0);
    wr(0, MIS, 0xffff);
    assert_int_equal(rd(0, FR), FR_TXFE | FR_RXFE | FR_CONNECTED);
    assert_int_equal(rd(0, RIS), INT_TX);
    assert_int_equal(rd(0, ICR), 0);
    assert_int_equal(out_len, 0);
}

/* Any offset and size a guest may use is handled: bad sizes and misaligned accesses fail
 * (the guest gets an abort), unknown offsets read as zero and ignore writes. */
static void test_access_checks(void **state)
{
    access(0, DR, false, 8, 0, -EINVAL);
    access(0, DR, true, 8, 'x', -EINVAL);
    access(0, DR, false, 3, 0, -EINVAL);
    access(0, 0x2, false, 4, 0, -EINVAL);
    access(0, 0x1, true, 2, 0, -EINVAL);
    access(0, 0x3, false, 2, 0, -EINVAL);
    access(0, 0xffe, false, 4, 0, -ENOENT); /* runs past the region */
    access(0, 0x1000, false, 1, 0, -ENOENT);

    /* The device checks for itself too, whatever the dispatcher lets through. */
    const struct vmmio_region *r = &doms[0].mmio.r[0];
    uint64_t v = 7;
    assert_int_equal(r->ops->read(&vcpus[0], r->ctx, 0x1000, 4, &v), -EINVAL);
    assert_int_equal(v, 0);
    assert_int_equal(r->ops->read(&vcpus[0], r->ctx, ~0UL & ~3UL, 4, &v), -EINVAL);
    assert_int_equal(r->ops->write(&vcpus[0], r->ctx, 0x1000, 4, 0), -EINVAL);
    assert_int_equal(r->ops->write(&vcpus[0], r->ctx, 0x0, 0, 0), -EINVAL);

    /* Narrow reads return their byte lanes. */
    wr(0, IBRD, 0x1234);
    assert_int_equal(access(0, IBRD, false, 1, 0, 0), 0x34);
    assert_int_equal(access(0, IBRD + 1, false, 1, 0, 0), 0x12);
    assert_int_equal(access(0, IBRD + 2, false, 2, 0, 0), 0);
    assert_int_equal(access(0, 0xffc, false, 1, 0, 0), 0xb1);
    assert_int_equal(access(0, 0xfff, false, 1, 0, 0), 0);
    assert_int_equal(access(0, FR, false, 2, 0, 0), FR_TXFE | FR_RXFE | FR_CONNECTED);
    /* Narrow writes: the low lane writes the register, higher lanes are ignored. */
    access(0, IBRD + 1, true, 1, 0xff, 0);
    assert_int_equal(rd(0, IBRD), 0x1234);
    access(0, IBRD, true, 2, 0xabcdef, 0);
    assert_int_equal(rd(0, IBRD), 0xcdef);
    access(0, DR + 2, true, 2, 'y', 0);
    access(0, DR, true, 1, 0x100 | 'x', 0);
    access(0, DR, true, 1, '\n', 0);
    assert_string_equal(out, "[web] x\n");

    /* Reserved, test and unused offsets: read as zero, writes do nothing. */
    static const unsigned holes[] = { 0x008, 0x00c, 0x010, 0x014, 0x01c, 0x04c,
                                      0x080, 0x084, 0x08c, 0x100, 0x800, 0xfdc };
    for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
        wr(0, holes[i], 0xffffffff);
        assert_int_equal(rd(0, holes[i]), 0);
    }
    assert_int_equal(rd(0, IMSC), 0);
    assert_int_equal(line.calls, 0);
}

/* --- output --- */

static void test_output_line_buffered(void **state)
{
    puts_to(0, "Linux version 6.1");
    assert_int_equal(out_len, 0);
    puts_to(0, "\r\n");
    assert_string_equal(out, "[web] Linux version 6.1\n");
    clear_out();
    puts_to(0, "\n");
    puts_to(0, "a\rb\n");
    assert_string_equal(out, "[web] \n[web] a\rb\n");
    struct vpl011_stats st;
    assert_true(vpl011_get_stats(&doms[0], &st));
    assert_int_equal(st.bytes_out, 17 + 2 + 1 + 4);
    assert_int_equal(st.bytes_in, 0);
}

static void test_output_no_interleave(void **state)
{
    puts_to(0, "abc");
    puts_to(1, "first line\n");
    puts_to(0, "def\n");
    puts_to(1, "sec");
    puts_to(0, "x\n");
    puts_to(1, "ond\n");
    assert_string_equal(out, "[db] first line\n[web] abcdef\n[web] x\n[db] second\n");
}

static void test_output_long_line(void **state)
{
    char want[512];
    int n = snprintf(want, sizeof(want), "[web] ");
    for (unsigned i = 0; i < VPL011_LINE_MAX + 44; i++) {
        char c = (char)('a' + i % 26);
        wr(0, DR, (uint8_t)c);
        want[n++] = c;
        if (i == VPL011_LINE_MAX - 2)
            assert_int_equal(out_len, 0);
    }
    assert_int_equal(out_len, 6 + VPL011_LINE_MAX); /* the first VPL011_LINE_MAX bytes */
    wr(0, DR, '\n');
    want[n++] = '\n';
    want[n] = 0;
    assert_string_equal(out, want);
    /* A full buffer interrupted by another domain: that domain's line starts on a new line
     * and the rest of the long one gets its prefix again. */
    clear_out();
    for (unsigned i = 0; i < VPL011_LINE_MAX + 1; i++)
        wr(0, DR, 'z');
    puts_to(1, "hi\n");
    puts_to(0, "\n");
    assert_int_equal(out_len, 6 + VPL011_LINE_MAX + 1 + 8 + 8);
    assert_string_equal(out + 6 + VPL011_LINE_MAX, "\n[db] hi\n[web] z\n");
}

/* A vCPU kept off every pCPU in the middle of a line (a loaded host) has not fallen quiet:
 * its partial line waits for it, so the line is not split, up to VPL011_FLUSH_MAX_NS. */
static void test_output_waits_for_descheduled_writer(void **state)
{
    vcpus[0].state = VCPU_RUNNABLE;
    vcpus[0].running = true;
    puts_to(0, "GUEST-TE");
    vcpus[0].running = false; /* descheduled, still runnable */
    advance_to(VPL011_FLUSH_NS);
    assert_int_equal(out_len, 0);
    assert_true(armed->active);
    advance_to(3 * VPL011_FLUSH_NS);
    assert_int_equal(out_len, 0);
    vcpus[0].running = true; /* back, and writes the rest */
    puts_to(0, "STS: 1 passed\n");
    assert_string_equal(out, "[web] GUEST-TESTS: 1 passed\n");

    /* Blocked (a prompt, waiting for input): quiet, so it goes out. */
    clear_out();
    vcpus[0].state = VCPU_BLOCKED;
    now += 1000;
    puts_to(0, "login: ");
    advance_to(now + VPL011_FLUSH_NS);
    assert_string_equal(out, "[web] login: ");

    /* Starved for good: the part goes out after the cap. */
    clear_out();
    vcpus[0].state = VCPU_RUNNABLE;
    vcpus[0].running = false;
    uint64_t t0 = now;
    puts_to(0, "x");
    while (out_len == 0 && armed->active)
        advance_to(armed->deadline);
    assert_string_equal(out, "x"); /* it continues the prompt it left open */
    assert_true(now - t0 >= VPL011_FLUSH_MAX_NS);
    assert_true(now - t0 < VPL011_FLUSH_MAX_NS + 2 * VPL011_FLUSH_NS);
}

/* A prompt with no newline after it appears once the guest has been quiet for a while, and
 * what the guest echoes next continues it without a new prefix. */
static void test_output_partial_flush(void **state)
{
    puts_to(0, "login: ");
    assert_non_null(armed);
    assert_true(armed->active);
    assert_int_equal(armed->cpu, 0);
    advance_to(VPL011_FLUSH_NS - 1);
    assert_int_equal(out_len, 0);
    advance_to(VPL011_FLUSH_NS);
    assert_string_equal(out, "[web] login: ");
    assert_false(armed->active); /* nothing else waiting */

    now += 1000;
    puts_to(0, "r");
    assert_true(armed->active);
    advance_to(now + VPL011_FLUSH_NS);
    assert_string_equal(out, "[web] login: r");
    puts_to(1, "db up\n");
    puts_to(0, "oot\n");
    assert_string_equal(out, "[web] login: r\n[db] db up\n[web] oot\n");

    /* Two partial lines of different ages: each goes out when it is due. */
    clear_out();
    now = 1000000000;
    puts_to(0, "a");
    now += VPL011_FLUSH_NS / 2;
    puts_to(1, "b");
    advance_to(1000000000 + VPL011_FLUSH_NS);
    assert_string_equal(out, "[web] a");
    assert_true(armed->active);
    assert_int_equal(armed->deadline, now + VPL011_FLUSH_NS / 2);
    advance_to(armed->deadline);
    assert_string_equal(out, "[web] a\n[db] b");
    assert_false(armed->active);
    puts_to(1, "\n");
    assert_string_equal(out, "[web] a\n[db] b\n");

    /* A Keel message ended the open line on the console: the rest gets its prefix back. */
    clear_out();
    puts_to(0, "GUE");
    advance_to(now + VPL011_FLUSH_NS);
    assert_string_equal(out, "[web] GUE");
    host_counter = 0;
    pr_info("keel\n");
    puts_to(0, "ST\n");
    assert_string_equal(out, "[web] GUE\n(keel) [   0.000000] keel\n[web] ST\n");
}

/* Keel's command console is a writer of its own: a domain's open line is ended before it
 * prints, and what the domain prints next starts with its prefix again. */
static void test_other_writer(void **state)
{
    static const struct console_writer keel = { NULL };
    puts_to(0, "login: ");
    advance_to(VPL011_FLUSH_NS);
    console_write(&keel, "ok\n", 3);
    assert_string_equal(out, "[web] login: \nok\n");
    puts_to(0, "root\n");
    assert_string_equal(out, "[web] login: \nok\n[web] root\n");
    /* The other way round: a domain's line does not go on after Keel's prompt. */
    clear_out();
    console_write(&keel, "keel> ", 6);
    puts_to(1, "up\n");
    console_write(&keel, "x", 1);
    console_end_line(&keel);
    assert_string_equal(out, "keel> \n[db] up\nx\n");
}

/* --- input and interrupts --- */

static void test_rx_fifo(void **state)
{
    vpl011_input(&doms[0], "abc", 3);
    assert_int_equal(rd(0, FR), FR_TXFE | FR_CONNECTED);
    assert_int_equal(rd(1, FR), FR_TXFE | FR_RXFE | FR_CONNECTED);
    assert_int_equal(rd(0, DR), 'a');
    assert_int_equal(access(0, DR, false, 1, 0, 0), 'b');
    assert_int_equal(rd(0, DR), 'c');
    assert_int_equal(rd(0, FR), FR_TXFE | FR_RXFE | FR_CONNECTED);
    assert_int_equal(rd(0, DR), 0);

    char many[VPL011_RX_FIFO + 8];
    for (unsigned i = 0; i < sizeof(many); i++)
        many[i] = (char)('A' + i % 26);
    vpl011_input(&doms[0], many, sizeof(many));
    assert_int_equal(rd(0, FR), FR_TXFE | FR_RXFF | FR_CONNECTED);
    assert_int_equal(rd(0, RSR), 0x8); /* overrun */
    assert_int_equal(rd(0, RIS) & INT_OE, INT_OE);
    struct vpl011_stats st;
    assert_true(vpl011_get_stats(&doms[0], &st));
    assert_int_equal(st.bytes_in, 3 + VPL011_RX_FIFO);
    assert_int_equal(st.rx_dropped, 8);
    wr(0, RSR, 0); /* UARTECR */
    assert_int_equal(rd(0, RSR), 0);
    wr(0, ICR, INT_OE);
    assert_int_equal(rd(0, RIS) & INT_OE, 0);
    for (unsigned i = 0; i < VPL011_RX_FIFO; i++)
        assert_int_equal(rd(0, DR), many[i]); /* the first 32 are kept, in order */
    assert_int_equal(rd(0, FR) & FR_RXFE, FR_RXFE);
    vpl011_input(&doms[0], "", 0);
    assert_int_equal(rd(0, FR) & FR_RXFE, FR_RXFE);
    assert_int_equal(line.calls, 0); /* nothing was unmasked */
}

static void test_rx_interrupts(void **state)
{
    wr(0, IMSC, INT_RX | INT_RT);
    assert_int_equal(line.calls, 0);
    /* FIFOs off: the trigger level is one byte. */
    vpl011_input(&doms[0], "a", 1);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RX | INT_RT);
    assert_int_equal(rd(0, MIS), INT_RX | INT_RT);
    assert_true(line.level);
    assert_int_equal(line.calls, 1);
    assert_ptr_equal(line.dom, &doms[0]);
    assert_int_equal(line.irq, IRQ);
    assert_int_equal(rd(0, DR), 'a');
    assert_false(line.level);
    assert_int_equal(rd(0, RIS), INT_TX);

    /* FIFOs on, receive trigger at half full (IFLS reset value): 16 bytes. */
    wr(0, LCR_H, LCR_H_FEN | 0x60);
    vpl011_input(&doms[0], "abc", 3);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RT);
    assert_true(line.level);
    wr(0, IMSC, INT_RX);
    assert_false(line.level);
    wr(0, IMSC, INT_RX | INT_RT);
    assert_true(line.level);
    wr(0, ICR, INT_RT); /* cleared while data waits: stays clear until more arrives */
    assert_false(line.level);
    assert_int_equal(rd(0, RIS), INT_TX);
    vpl011_input(&doms[0], "defghijklmnop", 13);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RX | INT_RT);
    wr(0, IMSC, INT_RX);
    assert_true(line.level);
    assert_int_equal(rd(0, DR), 'a'); /* 15 left: below the trigger level */
    assert_false(line.level);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RT);
    /* 1/8 full: 4 bytes. */
    wr(0, IFLS, 0);
    vpl011_input(&doms[0], "q", 1);
    assert_true(line.level);
    for (unsigned i = 0; i < 12; i++)
        rd(0, DR);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RX | INT_RT); /* 4 left */
    rd(0, DR);
    assert_false(line.level);
    assert_int_equal(rd(0, RIS), INT_TX | INT_RT);
    for (unsigned i = 0; i < 3; i++)
        rd(0, DR);
    assert_int_equal(rd(0, RIS), INT_TX);
    assert_int_equal(rd(0, FR) & FR_RXFE, FR_RXFE);
    /* Overrun interrupt. */
    wr(0, IMSC, INT_OE);
    char big[VPL011_RX_FIFO + 1] = { 0 };
    vpl011_input(&doms[0], big, sizeof(big));
    assert_true(line.level);
    wr(0, ICR, INT_OE);
    assert_false(line.level);
}

/* Output is consumed at once, so the transmit interrupt is always raised: unmasking it
 * interrupts at once, as Linux expects after it enables TXIM with more to send. */
static void test_tx_interrupt(void **state)
{
    assert_int_equal(rd(0, RIS) & INT_TX, INT_TX);
    wr(0, IMSC, INT_TX);
    assert_true(line.level);
    assert_int_equal(rd(0, MIS), INT_TX);
    wr(0, ICR, INT_TX);
    assert_true(line.level);
    puts_to(0, "x\n");
    assert_true(line.level);
    wr(0, IMSC, 0);
    assert_false(line.level);
    assert_int_equal(rd(0, MIS), 0);
    assert_int_equal(line.calls, 2); /* the line is driven on changes only */
    wr(0, IMSC, 0);
    assert_int_equal(line.calls, 2);
    wr(0, CR, 0); /* disabled UART: still transmits (CR is not enforced) */
    puts_to(0, "y\n");
    assert_string_equal(out, "[web] x\n[web] y\n");
}

/* --- teardown --- */

static void test_destroy(void **state)
{
    puts_to(0, "half a li");
    vpl011_destroy(&doms[0]);
    assert_string_equal(out, "[web] half a li\n");
    assert_ptr_equal(gone, &doms[0]);
    assert_null(doms[0].vuart);
    struct vpl011_stats st;
    assert_false(vpl011_get_stats(&doms[0], &st));
    vpl011_input(&doms[0], "x", 1);

    /* A partial line already on the console is ended. */
    clear_out();
    puts_to(1, "$ ");
    advance_to(VPL011_FLUSH_NS);
    assert_string_equal(out, "[db] $ ");
    vpl011_destroy(&doms[1]);
    assert_string_equal(out, "[db] $ \n");
    assert_false(armed->active);
    /* Destroying a quiet device prints nothing. */
    clear_out();
    assert_int_equal(vpl011_init(&doms[0], BASE + 0x10000, IRQ), 0);
    vpl011_destroy(&doms[0]);
    assert_int_equal(out_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_readback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_line_buffered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_no_interleave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_partial_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_waits_for_descheduled_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
