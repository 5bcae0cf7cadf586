/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the console input switch and Keel's command console
 * (hyp/core/console_switch.c): the Ctrl-A escape detector and the line editor as pure
 * functions, the commands against fake domains and a fake log ring, and the routing of typed
 * bytes through a fake UART, timer and interrupt controller.  The console UART's interrupt is
 * looked up in tests/unit/data/bootinfo_qemu.dts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/bootinfo.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/evtchn.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/page_alloc.h>
#include <hyp/sched.h>
#include <hyp/timer.h>
#include <hyp/vpl011.h>

#include "unit_blob.h"

UNIT_BLOB(qemu_dtb, "bootinfo_qemu.dtb");

struct bootinfo bootinfo;

/* --- fakes: console, log ring, UART --- */

static char out[65536];
static size_t out_len;
static char ring[65536];
static size_t ring_len;

/* Writes, and the writer of the last one: Keel's command console must be one of its own. */
static unsigned writes;
static const struct console_writer *last_writer;

/* Output also lands in the ring, as the real console's does, so "log" sees its own output. */
void console_write(const struct console_writer *w, const char *s, size_t len)
{
    writes++;
    last_writer = w;
    assert_true(out_len + len < sizeof(out) && ring_len + len < sizeof(ring));
    memcpy(out + out_len, s, len);
    out_len += len;
    out[out_len] = 0;
    memcpy(ring + ring_len, s, len);
    ring_len += len;
}

size_t console_ring_read(uint64_t *pos, char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && *pos < ring_len)
        buf[n++] = ring[(*pos)++];
    return n;
}

static const struct console_writer log_writer;

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[256];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(&log_writer, buf, (size_t)n);
}

static const char *typed;
static size_t typed_left;
static unsigned getc_calls;

int console_getc(void)
{
    getc_calls++;
    if (!typed_left)
        return -1;
    typed_left--;
    return (uint8_t)*typed++;
}

static void type(const char *s, size_t len)
{
    typed = s;
    typed_left = len;
}

static void clear_out(void)
{
    out_len = 0;
    out[0] = 0;
}

/* --- fakes: time, interrupts --- */

static uint64_t now;
static struct timer *armed;
static unsigned registered_irq, enabled_irq, enabled_cpu;
static int trigger_edge = -1;
static irq_handler_fn irq_fn;

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

static void fire_timer(void)
{
    assert_true(armed && armed->active);
    now = armed->deadline;
    armed->active = false;
    armed->fn(armed, armed->ctx);
}

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    registered_irq = irq;
    irq_fn = fn;
    return 0;
}

int irqchip_set_trigger(unsigned irq, bool edge)
{
    trigger_edge = edge;
    return 0;
}

void irqchip_enable(unsigned irq, unsigned cpu)
{
    enabled_irq = irq;
    enabled_cpu = cpu;
}

/* dom0's input is announced with VIRQ_CONSOLE. */
static unsigned virq_console_sent;

void evtchn_send_global_virq(unsigned virq)
{
    assert_int_equal(virq, VIRQ_CONSOLE);
    virq_console_sent++;
}

/* --- fakes: domains, their UARTs, memory --- */

static struct domain doms[4];
static struct domain *table[MAX_DOMAINS];
static char uart_token[4][8]; /* stands in for each domain's struct vpl011 */

/* References as domain.c counts them: the table holds one per listed domain; a killed
 * domain is "freed" (marked, so that any later access fails the test) on its last put. */
static bool freed[4];

struct domain *domain_get_next(int after)
{
    for (int id = after + 1; id < MAX_DOMAINS; id++) {
        if (table[id]) {
            table[id]->refs++;
            return table[id];
        }
    }
    return NULL;
}

void domain_put(struct domain *d)
{
    assert_false(freed[d - doms]);
    assert_true(d->refs > 0);
    if (--d->refs == 0)
        freed[d - doms] = true;
}

unsigned domain_count(void)
{
    unsigned n = 0;
    for (unsigned id = 0; id < MAX_DOMAINS; id++)
        n += table[id] != NULL;
    return n;
}

/* Another pCPU kills d: off the table, the table's reference put. */
static void kill_elsewhere(struct domain *d)
{
    table[d->id] = NULL;
    domain_put(d);
}

static struct {
    struct domain *d;
    char bytes[1024];
    size_t len;
    unsigned calls;
} input;

void vpl011_input(struct domain *d, const char *buf, size_t len)
{
    assert_non_null(d->vuart);
    if (input.d != d)
        input.len = 0;
    input.d = d;
    memcpy(input.bytes + input.len, buf, len);
    input.len += len;
    input.bytes[input.len] = 0;
    input.calls++;
}

bool vpl011_get_stats(struct domain *d, struct vpl011_stats *st)
{
    assert_false(freed[d - doms]);
    if (!d->vuart)
        return false;
    *st = (struct vpl011_stats){ .bytes_out = 1000 + d->id, .bytes_in = d->id };
    return true;
}

void page_alloc_stats(struct page_stats *st)
{
    *st =
        (struct page_stats){ .total_pages = 262144, .free_pages = 131072, .largest_free_order = 9 };
}

/* The scheduler's side of the console: CPU time as the vCPU counts it, and its own dump. */
static struct domain *kill_while_reading; /* killed as its first vCPU's time is read */

uint64_t sched_vcpu_time_ns(struct vcpu *v)
{
    struct domain *d = v->dom;
    if (d == kill_while_reading) {
        kill_while_reading = NULL;
        kill_elsewhere(d);
    }
    assert_false(freed[d - doms]);
    return v->cpu_time_ns;
}

static unsigned sched_dumps;

void sched_dump(sched_print_fn print)
{
    sched_dumps++;
    print("pool Pool-0: credit\n");
}

void heap_stats(struct heap_stats *st)
{
    *st = (struct heap_stats){ .bytes_in_use = 40960, .pages = 16 };
}

static struct vcpu vcpus[3];

/* web (id 1, UART, 2 vCPUs), plain (id 2, no UART), db (id 4, UART). */
static int setup(void **state)
{
    bootinfo.cmdline = "";
    memset(doms, 0, sizeof(doms));
    memset(table, 0, sizeof(table));
    memset(freed, 0, sizeof(freed));
    kill_while_reading = NULL;
    static const char *const names[] = { "web", "plain", "db" };
    static const unsigned ids[] = { 1, 2, 4 };
    for (unsigned i = 0; i < 3; i++) {
        struct domain *d = &doms[i];
        d->id = ids[i];
        strcpy(d->name, names[i]);
        d->state = DOM_RUNNING;
        d->nr_vcpus = 1;
        d->vcpus[0] = &vcpus[i];
        vcpus[i] = (struct vcpu){ .dom = d, .cpu_time_ns = 1500000000ULL * (i + 1) };
        d->mem_pages = 32768 * (i + 1);
        if (i != 1)
            d->vuart = (struct vpl011 *)(void *)uart_token[i];
        table[d->id] = d;
        d->refs = 1;
    }
    doms[0].nr_vcpus = 2;
    doms[0].vcpus[1] = &vcpus[1];
    doms[0].cfg.sched = (struct sched_params){ .weight = 512, .cap = 50, .affinity = 0x3 };
    doms[2].cfg.sched = (struct sched_params){ .budget_us = 2000, .period_us = 10000 };
    strcpy(doms[2].cfg.sched.pool, "rt");
    doms[2].state = DOM_PAUSED;

    assert_int_equal(fdt_open(&bootinfo.fdt, qemu_dtb, (size_t)(qemu_dtb_end - qemu_dtb), NULL), 0);
    bootinfo.uart_base = 0x9000000;
    now = 1000;
    registered_irq = enabled_irq = enabled_cpu = ~0u;
    trigger_edge = -1;
    typed_left = 0;
    input.d = NULL;
    input.len = 0;
    input.calls = 0;
    ring_len = 0;
    clear_out();
    return 0;
}

/* --- the escape detector --- */

static unsigned esc(struct console_escape *e, int c, uint64_t t, uint8_t *o, bool *sw)
{
    return console_switch_escape(e, c, t, o, sw);
}

static void test_escape(void **state)
{
    struct console_escape e = { 0 };
    uint8_t o[CONSOLE_ESCAPE_COUNT];
    bool sw;
    assert_int_equal(esc(&e, 'a', 0, o, &sw), 1);
    assert_int_equal(o[0], 'a');
    assert_false(sw);
    /* One or two Ctrl-As then something else: passed on, in order, with it. */
    assert_int_equal(esc(&e, 1, 0, o, &sw), 0);
    assert_int_equal(esc(&e, 'b', 0, o, &sw), 2);
    assert_memory_equal(o, "\001b", 2);
    assert_int_equal(esc(&e, 1, 0, o, &sw), 0);
    assert_int_equal(esc(&e, 1, 0, o, &sw), 0);
    assert_int_equal(esc(&e, 0, 0, o, &sw), 3);
    assert_memory_equal(o, "\x01\x01\x00", 3);
    assert_false(sw);
    /* Three in a row switch and pass nothing on; a fourth starts a new count. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(esc(&e, 1, 0, o, &sw), 0);
        assert_true(sw == (i == 2));
    }
    assert_int_equal(esc(&e, 1, 0, o, &sw), 0);
    assert_false(sw);
    assert_int_equal(esc(&e, 'c', 0, o, &sw), 2);
    assert_memory_equal(o, "\001c", 2);
    /* Held Ctrl-As time out and go to the owner by themselves. */
    assert_int_equal(esc(&e, 1, 100, o, &sw), 0);
    assert_int_equal(esc(&e, 1, 200, o, &sw), 0);
    assert_int_equal(esc(&e, -1, 200 + CONSOLE_ESCAPE_TIMEOUT_NS - 1, o, &sw), 0);
    assert_int_equal(esc(&e, -1, 200 + CONSOLE_ESCAPE_TIMEOUT_NS, o, &sw), 2);
    assert_memory_equal(o, "\x01\x01", 2);
    assert_int_equal(esc(&e, -1, 300 + CONSOLE_ESCAPE_TIMEOUT_NS, o, &sw), 0);
    /* A slow third Ctrl-A does not switch: the first two went out already. */
    uint64_t t = 10 * CONSOLE_ESCAPE_TIMEOUT_NS;
    assert_int_equal(esc(&e, 1, t, o, &sw), 0);
    assert_int_equal(esc(&e, 1, t, o, &sw), 0);
    assert_int_equal(esc(&e, 1, t + 2 * CONSOLE_ESCAPE_TIMEOUT_NS, o, &sw), 2);
    assert_false(sw);
    assert_int_equal(e.held, 1);
    assert_int_equal(esc(&e, 1, t + 2 * CONSOLE_ESCAPE_TIMEOUT_NS, o, &sw), 0);
    assert_int_equal(esc(&e, 1, t + 2 * CONSOLE_ESCAPE_TIMEOUT_NS, o, &sw), 0);
    assert_true(sw);
    assert_int_equal(e.held, 0);
}

/* --- the line editor --- */

static enum console_edit feed_str(struct console_line *l, const char *s, char *echo, size_t cap)
{
    enum console_edit r = EDIT_MORE;
    size_t used = 0;
    for (; *s; s++) {
        char e[CONSOLE_ECHO_MAX];
        unsigned n = 99;
        r = console_switch_edit(l, (uint8_t)*s, e, &n);
        assert_true(n <= CONSOLE_ECHO_MAX);
        assert_true(used + n < cap);
        memcpy(echo + used, e, n);
        used += n;
    }
    echo[used] = 0;
    return r;
}

static void test_edit(void **state)
{
    struct console_line l = { 0 };
    char echo[512];
    assert_int_equal(feed_str(&l, "help", echo, sizeof(echo)), EDIT_MORE);
    assert_string_equal(echo, "help");
    assert_int_equal(feed_str(&l, "\r", echo, sizeof(echo)), EDIT_LINE);
    assert_string_equal(l.buf, "help");
    assert_string_equal(echo, "\n");
    /* "\r\n" is one Enter; a lone '\n' is one too. */
    assert_int_equal(feed_str(&l, "\n", echo, sizeof(echo)), EDIT_MORE);
    assert_string_equal(echo, "");
    assert_int_equal(feed_str(&l, "\n", echo, sizeof(echo)), EDIT_LINE);
    assert_string_equal(l.buf, "");
    /* Backspace and DEL erase; at the start of the line they do nothing. */
    assert_int_equal(feed_str(&l, "\177ab\177c\bd\r", echo, sizeof(echo)), EDIT_LINE);
    assert_string_equal(l.buf, "ad");
    assert_string_equal(echo, "ab\b \bc\b \bd\n");
    /* Ctrl-C drops the line. */
    assert_int_equal(feed_str(&l, "mem\x03", echo, sizeof(echo)), EDIT_CANCEL);
    assert_string_equal(echo, "mem^C\n");
    assert_int_equal(feed_str(&l, "x\r", echo, sizeof(echo)), EDIT_LINE);
    assert_string_equal(l.buf, "x");
    /* Arrow keys, function keys, Alt-x, tabs and other control bytes are ignored. */
    assert_int_equal(
        feed_str(&l, "\x1b[A\x1bOB\x1b[1;5C\x1bx\t\x01\x04l\x1b[15~s\r", echo, sizeof(echo)),
        EDIT_LINE);
    assert_string_equal(l.buf, "ls");
    assert_string_equal(echo, "ls\n");
    /* Past the limit the bell rings and nothing is stored. */
    char lng[CONSOLE_LINE_MAX + 11];
    memset(lng, 'k', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = 0;
    assert_int_equal(feed_str(&l, lng, echo, sizeof(echo)), EDIT_MORE);
    assert_int_equal(strlen(echo), sizeof(lng) - 1);
    assert_int_equal(echo[CONSOLE_LINE_MAX - 2], 'k');
    assert_int_equal(echo[CONSOLE_LINE_MAX - 1], '\a');
    assert_int_equal(feed_str(&l, "\r", echo, sizeof(echo)), EDIT_LINE);
    assert_int_equal(strlen(l.buf), CONSOLE_LINE_MAX - 1);
}

/* --- commands --- */

static void test_help_and_unknown(void **state)
{
    console_switch_command("help");
    static const char *const names[] = { "help", "domains", "sched", "mem", "log" };
    for (unsigned i = 0; i < 5; i++) {
        char want[32];
        snprintf(want, sizeof(want), "\n  %s ", names[i]);
        assert_non_null(strstr(out, want));
    }
    assert_non_null(strstr(out, "Ctrl-A three times"));
    clear_out();
    console_switch_command("   help   ");
    assert_non_null(strstr(out, "Keel console commands"));
    clear_out();
    console_switch_command("");
    console_switch_command("   ");
    assert_int_equal(out_len, 0);
    console_switch_command("helpme now");
    assert_string_equal(out, "unknown command 'helpme'; type help\n");
}

static void test_domains(void **state)
{
    console_switch_command("domains");
    /* web: vCPU time 1.5 s + 3 s (its second vCPU is plain's), 128 MiB, UART 1001/1. */
    assert_non_null(
        strstr(out, "   1 web                  running      2      4.500s   128 MiB  1001/1\n"));
    assert_non_null(
        strstr(out, "   2 plain                running      1      3.000s   256 MiB  -\n"));
    assert_non_null(
        strstr(out, "   4 db                   paused       1      4.500s   384 MiB  1004/4\n"));
    memset(table, 0, sizeof(table));
    clear_out();
    console_switch_command("domains");
    assert_string_equal(out, "no domains\n");
}

/* A domain killed on another pCPU while "domains" lists it: the command holds a reference, so
 * the domain and its vCPUs stay readable until the command moves on, and it is freed then. */
static void test_domain_killed_during_command(void **state)
{
    kill_while_reading = &doms[0]; /* web, 2 vCPUs, no vPL011 would make no difference */
    console_switch_command("domains");
    assert_non_null(
        strstr(out, "   1 web                  running      2      4.500s   128 MiB  1001/1\n"));
    assert_true(freed[0]);
    assert_int_equal(doms[1].refs, 1);
    assert_int_equal(doms[2].refs, 1);
    /* plain (no vPL011): the same. */
    clear_out();
    kill_while_reading = &doms[1];
    console_switch_command("domains");
    assert_non_null(
        strstr(out, "   2 plain                running      1      3.000s   256 MiB  -\n"));
    assert_true(freed[1]);
    assert_int_equal(doms[2].refs, 1);
    clear_out();
    console_switch_command("domains");
    assert_null(strstr(out, "plain"));
}

static void test_sched(void **state)
{
    console_switch_command("sched");
    assert_non_null(strstr(
        out, "   1 web                  512        50%  -                   default   0x3\n"));
    assert_non_null(strstr(
        out, "   2 plain                default   none  -                   default   all\n"));
    assert_non_null(strstr(
        out, "   4 db                   default   none  2000/10000          rt        all\n"));
    /* Then the scheduler's own view of pools and vCPUs. */
    assert_int_equal(sched_dumps, 1);
    assert_non_null(strstr(out, "pool Pool-0: credit\n"));
}

static void test_mem(void **state)
{
    console_switch_command("mem");
    assert_non_null(strstr(out, "1024 MiB managed, 512 MiB free, largest free block 2048 KiB\n"));
    assert_non_null(strstr(out, "heap: 40 KiB in use, 64 KiB held\n"));
    assert_non_null(strstr(out, "domain 4 db: 393216 KiB charged\n"));
}

static void test_log(void **state)
{
    console_write(&log_writer, "one\ntwo\nthree\n", 14);
    clear_out();
    console_switch_command("log");
    assert_string_equal(out, "one\ntwo\nthree\n");
    /* Its own output went into the ring; the replay stopped where the ring ended before. */
    assert_int_equal(ring_len, 28);
    clear_out();
    console_switch_command("log 2");
    assert_string_equal(out, "two\nthree\n");
    clear_out();
    console_switch_command("log 100");
    assert_string_equal(out, "one\ntwo\nthree\n"
                             "one\ntwo\nthree\n"
                             "two\nthree\n");
    clear_out();
    console_switch_command("log 0x");
    assert_string_equal(out, "usage: log [LINES]\n");
    ring_len = 0;
    clear_out();
    console_switch_command("log");
    assert_int_equal(out_len, 0);
}

/* --- routing --- */

#define BANNER "*** console input now goes to "

static void poll_typed(const char *s, size_t len)
{
    type(s, len);
    console_switch_poll();
    assert_int_equal(typed_left, 0);
}

/* No domain has a console: input starts with Keel. */
static void no_domain_uarts(void)
{
    for (unsigned i = 0; i < 3; i++)
        doms[i].vuart = NULL;
}

/* Keel's UART interrupt is registered before any domain is built, so that no domain can be
 * given it, and enabled only when the switch starts; it is registered once. */
static void test_claim_before_domains(void **state)
{
    console_switch_claim_irq();
    /* QEMU virt's UART0: SPI 1, level-high, so INTID 33. */
    assert_int_equal(registered_irq, 33);
    assert_int_equal(trigger_edge, 0);
    assert_int_equal(enabled_irq, ~0u);
    assert_non_null(irq_fn);
    registered_irq = ~0u;
    console_switch_claim_irq();
    no_domain_uarts();
    console_switch_init();
    assert_int_equal(registered_irq, ~0u);
    assert_int_equal(enabled_irq, 33);
}

static void test_init(void **state)
{
    no_domain_uarts();
    console_switch_init();
    /* Claimed by test_claim_before_domains; routed to CPU0 now. */
    assert_non_null(irq_fn);
    assert_int_equal(enabled_irq, 33);
    assert_int_equal(enabled_cpu, 0);
    assert_non_null(armed);
    assert_true(armed->active);
    assert_int_equal(armed->cpu, 0);
    assert_int_equal(armed->deadline, now + CONSOLE_POLL_NS);
    assert_null(console_switch_owner());
    /* No prompt at boot: log lines would follow it.  It comes with the first key. */
    assert_non_null(strstr(out, "\n" BANNER "Keel (type Ctrl-A three times to switch)\n"));
    assert_null(strstr(out, "keel> "));

    /* The timer polls and re-arms itself; once the interrupt has been seen, less often. */
    getc_calls = 0;
    fire_timer();
    assert_int_equal(getc_calls, 1);
    assert_true(armed->active);
    assert_int_equal(armed->deadline, now + CONSOLE_POLL_NS);
    type("x", 1);
    clear_out();
    writes = 0;
    irq_fn(33, NULL);
    assert_int_equal(typed_left, 0);
    assert_string_equal(out, "keel> x");
    /* The prompt and the echo, each as Keel's command console, which has no prefix. */
    assert_int_equal(writes, 2);
    assert_non_null(last_writer);
    assert_ptr_not_equal(last_writer, &log_writer);
    assert_null(last_writer->prefix);
    fire_timer();
    assert_int_equal(armed->deadline, now + CONSOLE_POLL_IRQ_NS);
    poll_typed("\x7f", 1); /* leave Keel's line empty */
}

static void test_init_without_irq(void **state)
{
    bootinfo.uart_base = 0x9001000; /* no such node */
    console_switch_init();
    assert_int_equal(registered_irq, ~0u);
    assert_true(armed->active);
    bootinfo.uart_base = 0;
    console_switch_init();
    assert_int_equal(registered_irq, ~0u);
    /* A node whose interrupt parent is not a three-cell controller is not trusted either:
     * the memory node at 0x40000000 has no "interrupts" at all. */
    bootinfo.uart_base = 0x40000000;
    console_switch_init();
    assert_int_equal(registered_irq, ~0u);
}

/* Input starts with the first domain that has a console, so that what is typed at its prompt
 * reaches it (issue 12, item 8); with none, with Keel. */
static void test_initial_owner(void **state)
{
    bootinfo.uart_base = 0;
    doms[0].vuart = NULL; /* web: the first by id, but without a UART */
    console_switch_init();
    assert_ptr_equal(console_switch_owner(), &doms[2]);
    assert_non_null(strstr(out, "\n" BANNER "db (type Ctrl-A three times to switch)\n"));
    assert_null(strstr(out, "keel> "));
    poll_typed("ls\r", 3);
    assert_ptr_equal(input.d, &doms[2]);
    assert_string_equal(input.bytes, "ls\r");
    /* A domain no longer listed is passed over. */
    table[doms[2].id] = NULL;
    clear_out();
    console_switch_init();
    assert_null(console_switch_owner());
    assert_non_null(strstr(out, "\n" BANNER "Keel (type Ctrl-A three times to switch)\n"));
    table[doms[2].id] = &doms[2];
    no_domain_uarts();
    console_switch_init();
    assert_null(console_switch_owner());
}

static void test_switching(void **state)
{
    bootinfo.uart_base = 0;
    /* From Keel: each domain gets its UART back once input is with Keel. */
    struct vpl011 *web = doms[0].vuart, *db = doms[2].vuart;
    no_domain_uarts();
    console_switch_init();
    doms[0].vuart = web;
    doms[2].vuart = db;
    clear_out();
    /* Keel -> web (plain has no UART) -> db -> Keel. */
    poll_typed("\x01\x01\x01", 3);
    assert_ptr_equal(console_switch_owner(), &doms[0]);
    assert_string_equal(out, "\n" BANNER "web (type Ctrl-A three times to switch)\n");
    poll_typed("ls\r", 3);
    assert_ptr_equal(input.d, &doms[0]);
    assert_string_equal(input.bytes, "ls\r");
    /* A lone Ctrl-A reaches the domain with the next byte, or when it times out. */
    poll_typed("\x01x", 2);
    assert_string_equal(input.bytes, "ls\r\x01x");
    poll_typed("\x01", 1);
    assert_string_equal(input.bytes, "ls\r\x01x");
    now += CONSOLE_ESCAPE_TIMEOUT_NS;
    console_switch_poll();
    assert_string_equal(input.bytes, "ls\r\x01x\x01");

    clear_out();
    poll_typed("\x01\x01\x01", 3);
    assert_ptr_equal(console_switch_owner(), &doms[2]);
    assert_string_equal(out, "\n" BANNER "db (type Ctrl-A three times to switch)\n");
    poll_typed("q", 1);
    assert_ptr_equal(input.d, &doms[2]);
    clear_out();
    poll_typed("\x01\x01\x01", 3);
    assert_null(console_switch_owner());
    assert_string_equal(out, "\n" BANNER "Keel (type Ctrl-A three times to switch)\nkeel> ");

    /* Keel's console: echo, run, prompt again. */
    clear_out();
    unsigned calls = input.calls;
    poll_typed("mem\r", 4);
    assert_int_equal(input.calls, calls);
    assert_true(strncmp(out, "mem\npages: ", 11) == 0);
    assert_non_null(strstr(out, "KiB charged\nkeel> "));
    clear_out();
    poll_typed("x\x03", 2);
    assert_string_equal(out, "x^C\nkeel> ");

    /* A killed domain (off the table) is skipped, and no reference is left behind. */
    table[1] = NULL;
    poll_typed("\x01\x01\x01", 3);
    assert_ptr_equal(console_switch_owner(), &doms[2]);
    table[1] = &doms[0];
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(doms[i].refs, 1);

    /* The owner going away hands input back to Keel; any other domain going away does not. */
    clear_out();
    console_switch_domain_gone(&doms[0]);
    assert_ptr_equal(console_switch_owner(), &doms[2]);
    assert_int_equal(out_len, 0);
    console_switch_domain_gone(&doms[2]);
    assert_null(console_switch_owner());
    assert_string_equal(out, "\n" BANNER "Keel (type Ctrl-A three times to switch)\n");
    clear_out();
    poll_typed("\r", 1);
    assert_string_equal(out, "keel> \nkeel> ");

    /* No domain with a UART: the escape stays with Keel. */
    doms[0].vuart = doms[2].vuart = NULL;
    poll_typed("\x01\x01\x01", 3);
    assert_null(console_switch_owner());
}

/* dom0 has no UART: what is typed for it waits for CONSOLEIO_read, VIRQ_CONSOLE each time,
 * and a full ring drops the excess. */
static void test_dom0_input(void **state)
{
    bootinfo.uart_base = 0;
    no_domain_uarts();
    doms[2].cfg.direct_map = true; /* db plays dom0 */
    console_switch_init();
    assert_ptr_equal(console_switch_owner(), &doms[2]);
    unsigned before = virq_console_sent;
    poll_typed("ls -l\r", 6);
    assert_int_equal(input.calls, 0); /* nothing to a UART */
    assert_true(virq_console_sent > before);
    char buf[8];
    assert_int_equal(console_switch_read(buf, 3), 3);
    assert_memory_equal(buf, "ls ", 3);
    assert_int_equal(console_switch_read(buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "-l\r", 3);
    assert_int_equal(console_switch_read(buf, sizeof(buf)), 0);
    static char lots[CONSOLE_RX_SIZE + 100];
    memset(lots, 'x', sizeof(lots));
    for (size_t off = 0; off < sizeof(lots); off += 200)
        poll_typed(lots + off, MIN(200, sizeof(lots) - off));
    size_t got = 0, n;
    while ((n = console_switch_read(buf, sizeof(buf))) > 0)
        got += n;
    assert_int_equal(got, CONSOLE_RX_SIZE);
    doms[2].cfg.direct_map = false;
}

/* Xen's conswitch=<letter>[x]: Ctrl-B switches instead of Ctrl-A (which now reaches the domain),
 * and with x input starts with Keel. */
static void test_conswitch(void **state)
{
    bootinfo.uart_base = 0;
    bootinfo.cmdline = "loglvl=all conswitch=bx";
    console_switch_init();
    assert_null(console_switch_owner());
    assert_non_null(strstr(out, "Keel (type Ctrl-B three times to switch)"));
    poll_typed("\x02\x02\x02", 3);
    assert_ptr_equal(console_switch_owner(), &doms[0]);
    poll_typed("\x01\x01\x01", 3); /* Ctrl-A is just typed now */
    assert_ptr_equal(console_switch_owner(), &doms[0]);
    assert_string_equal(input.bytes, "\x01\x01\x01");
    bootinfo.cmdline = "conswitch=b";
    console_switch_init(); /* without x: the first domain with a console */
    assert_ptr_equal(console_switch_owner(), &doms[0]);
    bootinfo.cmdline = "conswitch=1";
    clear_out();
    console_switch_init(); /* not a letter: said, Ctrl-A stays */
    assert_non_null(strstr(out, "(type Ctrl-A three times"));
}

/* One poll takes a bounded number of bytes; the rest waits for the next one. */
static void test_poll_budget(void **state)
{
    bootinfo.uart_base = 0;
    console_switch_init();
    poll_typed("\x01\x01\x01", 3);
    static char flood[600];
    memset(flood, 'y', sizeof(flood));
    type(flood, sizeof(flood));
    console_switch_poll();
    assert_int_equal(input.len, 256);
    assert_int_equal(typed_left, sizeof(flood) - 256);
    console_switch_poll();
    console_switch_poll();
    assert_int_equal(input.len, sizeof(flood));
    console_switch_domain_gone(&doms[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_escape, setup),
        cmocka_unit_test_setup(test_edit, setup),
        cmocka_unit_test_setup(test_help_and_unknown, setup),
        cmocka_unit_test_setup(test_domains, setup),
        cmocka_unit_test_setup(test_domain_killed_during_command, setup),
        cmocka_unit_test_setup(test_sched, setup),
        cmocka_unit_test_setup(test_mem, setup),
        cmocka_unit_test_setup(test_log, setup),
        cmocka_unit_test_setup(test_claim_before_domains, setup),
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_init_without_irq, setup),
        cmocka_unit_test_setup(test_initial_owner, setup),
        cmocka_unit_test_setup(test_switching, setup),
        cmocka_unit_test_setup(test_poll_budget, setup),
        cmocka_unit_test_setup(test_dom0_input, setup),
        cmocka_unit_test_setup(test_conswitch, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
