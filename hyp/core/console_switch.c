/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console input switch and Keel's command console.  Owns who receives typed bytes (Keel or one
 * domain's emulated UART), the Ctrl-A escape detector and Keel's line editor and commands.
 * Locking: switch_lock guards all of that; it is taken before a vpl011 device lock and the
 * console lock.  Input is polled: a timer on CPU0 drains the UART every CONSOLE_POLL_NS, and
 * the UART's receive interrupt (when the device tree names it and the driver raises it) does
 * the same at once.  Does not print domain output (core/vdev/vpl011.c does).
 */
#include <stdarg.h>
#include <hyp/bootinfo.h>
#include <hyp/cmdline.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/evtchn.h>
#include <hyp/fdt.h>
#include <hyp/heap.h>
#include <hyp/irq.h>
#include <hyp/page_alloc.h>
#include <hyp/sched.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>
#include <hyp/timer.h>
#include <hyp/vpl011.h>

#define POLL_CPU 0
#define POLL_BUDGET 256 /* bytes per poll, so a flood cannot hold CPU0 for long */
#define PROMPT "keel> "

static struct spinlock switch_lock = SPINLOCK_INIT;
static struct domain *owner; /* NULL: Keel */
static struct console_escape escape;
static struct console_line line;
static struct timer poll_timer;
static bool prompt_shown; /* Keel's prompt is on the console for the line being typed */
static bool rx_irq_seen;
/* dom0's input, waiting for CONSOLEIO_read: a ring, guarded by switch_lock. */
static char rx_ring[CONSOLE_RX_SIZE];
static size_t rx_head, rx_len;

/* --- output helpers --- */

/* Keel's console output answers the operator: as a writer of its own, it starts on a line of
 * its own even if a domain left a prompt on the console. */
static const struct console_writer keel_writer;

static void keel_write(const char *s, size_t len)
{
    console_write(&keel_writer, s, len);
}

static void __printf(1, 2) out(const char *fmt, ...)
{
    char buf[192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        keel_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

static void prompt(void)
{
    out(PROMPT);
    prompt_shown = true;
}

/* The letter of the escape character, as in "Ctrl-A". */
static char escape_letter(void)
{
    return (char)('@' + (escape.ch ? escape.ch : CONSOLE_ESCAPE_CHAR));
}

/* Xen's conswitch=<letter>[x]: the escape is Ctrl-<letter> (three of them switch here); with
 * x, input stays with Keel at boot rather than going to the first domain.  Returns whether
 * input starts with Keel. */
static bool read_conswitch(void)
{
    const char *v;
    size_t len;
    escape.ch = 0;
    if (!cmdline_get(bootinfo.cmdline, "conswitch", &v, &len) || !len)
        return false;
    char c = v[0];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        escape.ch = (uint8_t)(c & 0x1f);
    else
        pr_warn("console: conswitch=%.*s: the switch character must be a letter\n", (int)len, v);
    return len > 1 && v[1] == 'x';
}

/* Say who has input now.  Keel's prompt only follows when the operator switched to Keel:
 * otherwise (boot, a domain gone) it would sit in front of the log lines that come next, and
 * it appears with the first key typed instead. */
static void announce(bool interactive)
{
    out("\n*** console input now goes to %s (type Ctrl-%c three times to switch)\n",
        owner ? owner->name : "Keel", escape_letter());
    if (!owner) {
        line.len = 0;
        line.esc = 0;
        prompt_shown = false;
        if (interactive)
            prompt();
    }
}

/* --- escape detector --- */

unsigned console_switch_escape(struct console_escape *e, int c, uint64_t now_ns,
                               uint8_t out_bytes[CONSOLE_ESCAPE_COUNT], bool *do_switch)
{
    unsigned n = 0;
    uint8_t esc = e->ch ? e->ch : CONSOLE_ESCAPE_CHAR;
    *do_switch = false;
    if (e->held && now_ns - e->last_ns >= CONSOLE_ESCAPE_TIMEOUT_NS) {
        while (n < e->held)
            out_bytes[n++] = esc;
        e->held = 0;
    }
    if (c < 0)
        return n;
    if (c == esc) {
        e->last_ns = now_ns;
        if (++e->held == CONSOLE_ESCAPE_COUNT) {
            e->held = 0;
            *do_switch = true;
        }
        return n;
    }
    /* Not an escape after all: what was held back goes first, in typing order. */
    for (unsigned i = 0; i < e->held; i++)
        out_bytes[n++] = esc;
    e->held = 0;
    out_bytes[n++] = (uint8_t)c;
    return n;
}

/* --- line editor --- */

enum console_edit console_switch_edit(struct console_line *l, uint8_t c,
                                      char echo[CONSOLE_ECHO_MAX], unsigned *echo_len)
{
    bool after_cr = l->last_cr;
    unsigned n = 0;
    enum console_edit r = EDIT_MORE;
    l->last_cr = c == '\r';
    if (l->esc) {
        /* ESC [ or ESC O, then parameter bytes, then a final byte in 0x40..0x7e (ECMA-48 5.4). */
        if (l->esc == 1 && (c == '[' || c == 'O'))
            l->esc = 2;
        else if (l->esc == 1 || (c >= 0x40 && c <= 0x7e))
            l->esc = 0;
    } else if (c == '\r' || (c == '\n' && !after_cr)) {
        l->buf[l->len] = 0;
        l->len = 0;
        echo[n++] = '\n';
        r = EDIT_LINE;
    } else if (c == 0x7f || c == '\b') {
        if (l->len) {
            l->len--;
            echo[n++] = '\b';
            echo[n++] = ' ';
            echo[n++] = '\b';
        }
    } else if (c == 0x03) {
        l->len = 0;
        echo[n++] = '^';
        echo[n++] = 'C';
        echo[n++] = '\n';
        r = EDIT_CANCEL;
    } else if (c == 0x1b) {
        l->esc = 1;
    } else if (c >= 0x20 && c < 0x7f) {
        if (l->len < CONSOLE_LINE_MAX - 1) {
            l->buf[l->len++] = (char)c;
            echo[n++] = (char)c;
        } else {
            echo[n++] = '\a';
        }
    }
    *echo_len = n;
    return r;
}

/* --- commands --- */

static const char *state_name(enum domain_state s)
{
    static const char *const names[] = { "building", "running", "paused", "shutdown", "dying" };
    return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static void cmd_help(const char *args);

static bool no_domains(void)
{
    if (domain_count())
        return false;
    out("no domains\n");
    return true;
}

static void cmd_domains(const char *args)
{
    if (no_domains())
        return;
    out("  id %-20s %-8s %5s %11s %9s  %s\n", "name", "state", "vcpus", "cpu time", "memory",
        "uart out/in");
    for_each_domain(d)
    {
        uint64_t ns = 0;
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            if (d->vcpus[i])
                ns += sched_vcpu_time_ns(d->vcpus[i]);
        char uart[48] = "-";
        struct vpl011_stats st;
        if (vpl011_get_stats(d, &st))
            snprintf(uart, sizeof(uart), "%lu/%lu", st.bytes_out, st.bytes_in);
        out("%4u %-20s %-8s %5u %6lu.%03lus %5lu MiB  %s\n", d->id, d->name, state_name(d->state),
            d->nr_vcpus, ns / 1000000000, ns / 1000000 % 1000, d->mem_pages >> (20 - PAGE_SHIFT),
            uart);
    }
}

static void cmd_sched(const char *args)
{
    if (no_domains())
        return;
    out("  id %-20s %-8s %5s  %-18s  %-8s  %s\n", "name", "weight", "cap", "budget/period (us)",
        "pool", "affinity");
    for_each_domain(d)
    {
        const struct sched_params *p = &d->cfg.sched;
        char weight[16] = "default", cap[16] = "none", rt[48] = "-", aff[24] = "all";
        if (p->weight)
            snprintf(weight, sizeof(weight), "%u", p->weight);
        if (p->cap)
            snprintf(cap, sizeof(cap), "%u%%", p->cap);
        if (p->budget_us || p->period_us)
            snprintf(rt, sizeof(rt), "%lu/%lu", p->budget_us, p->period_us);
        if (p->affinity)
            snprintf(aff, sizeof(aff), "%#lx", p->affinity);
        out("%4u %-20s %-8s %5s  %-18s  %-8s  %s\n", d->id, d->name, weight, cap, rt,
            p->pool[0] ? p->pool : "default", aff);
    }
    out("\n");
    sched_dump(out); /* what the pools and policies make of them, vCPU by vCPU */
}

static void cmd_mem(const char *args)
{
    struct page_stats ps;
    struct heap_stats hs;
    page_alloc_stats(&ps);
    heap_stats(&hs);
    uint64_t largest = ps.free_pages ? (PAGE_SIZE << ps.largest_free_order) >> 10 : 0;
    out("pages: %lu MiB managed, %lu MiB free, largest free block %lu KiB\n",
        ps.total_pages >> (20 - PAGE_SHIFT), ps.free_pages >> (20 - PAGE_SHIFT), largest);
    out("heap: %lu KiB in use, %lu KiB held\n", hs.bytes_in_use >> 10,
        hs.pages << (PAGE_SHIFT - 10));
    for_each_domain(d)
    {
        out("domain %u %s: %lu KiB charged\n", d->id, d->name, d->mem_pages << (PAGE_SHIFT - 10));
    }
}

/* Replay the log ring, or its last n lines.  The replay itself goes into the ring, so the end
 * is fixed first and the copy stops there. */
static void cmd_log(const char *args)
{
    uint64_t want = 0;
    if (*args && parse_u64(args, strlen(args), false, &want)) {
        out("usage: log [LINES]\n");
        return;
    }
    char buf[256];
    uint64_t pos = 0, lines = 0;
    size_t n;
    while ((n = console_ring_read(&pos, buf, sizeof(buf))) > 0)
        for (size_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    uint64_t end = pos, skip = want && lines > want ? lines - want : 0;
    pos = 0;
    while (pos < end && (n = console_ring_read(&pos, buf, MIN(sizeof(buf), end - pos))) > 0) {
        size_t i = 0;
        while (skip && i < n)
            skip -= buf[i++] == '\n';
        if (i < n)
            keel_write(buf + i, n - i);
    }
}

struct command {
    const char *name;
    const char *usage;
    void (*fn)(const char *args);
};

static const struct command commands[] = {
    { "help", "help            this list", cmd_help },
    { "domains", "domains         id, name, state, vCPUs, CPU time, memory, UART bytes",
      cmd_domains },
    { "sched", "sched           each domain's scheduling parameters", cmd_sched },
    { "mem", "mem             physical memory, heap and what each domain holds", cmd_mem },
    { "log", "log [LINES]     replay the console log (all of it, or its last LINES lines)",
      cmd_log },
};

static void cmd_help(const char *args)
{
    out("Keel console commands:\n");
    for (unsigned i = 0; i < ARRAY_SIZE(commands); i++)
        out("  %s\n", commands[i].usage);
    out("Type Ctrl-%c three times to pass input to the next domain.\n", escape_letter());
}

void console_switch_command(const char *cmd)
{
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    size_t len = 0;
    while (cmd[len] && cmd[len] != ' ' && cmd[len] != '\t')
        len++;
    if (!len)
        return;
    const char *args = cmd + len;
    while (*args == ' ' || *args == '\t')
        args++;
    size_t alen = strnlen(args, CONSOLE_LINE_MAX - 1);
    while (alen && (args[alen - 1] == ' ' || args[alen - 1] == '\t'))
        alen--;
    char arg[CONSOLE_LINE_MAX];
    memcpy(arg, args, alen);
    arg[alen] = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strlen(commands[i].name) == len && !strncmp(commands[i].name, cmd, len)) {
            commands[i].fn(arg);
            return;
        }
    }
    out("unknown command '%.*s'; type help\n", (int)len, cmd);
}

/* --- routing --- */

/* Whether typed input can reach d: through its emulated UART, or, for dom0, console_io. */
static bool takes_input(const struct domain *d)
{
    return d->vuart || d->cfg.direct_map;
}

/* switch_lock held: bytes typed for dom0, which it reads with CONSOLEIO_read. */
static void console_io_input(const uint8_t *bytes, unsigned n)
{
    for (unsigned i = 0; i < n && rx_len < sizeof(rx_ring); i++, rx_len++)
        rx_ring[(rx_head + rx_len) % sizeof(rx_ring)] = (char)bytes[i];
    evtchn_send_global_virq(VIRQ_CONSOLE);
}

size_t console_switch_read(char *buf, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&switch_lock);
    size_t n = MIN(len, rx_len);
    for (size_t i = 0; i < n; i++)
        buf[i] = rx_ring[(rx_head + i) % sizeof(rx_ring)];
    rx_head = (rx_head + n) % sizeof(rx_ring);
    rx_len -= n;
    spin_unlock_irqrestore(&switch_lock, flags);
    return n;
}

/* The owner after cur: the next domain (by id) that takes input, then Keel.  The owner is
 * not a reference: domain_kill clears it (console_switch_domain_gone) before the domain can be
 * freed, under switch_lock, which the caller holds. */
static struct domain *next_owner(struct domain *cur)
{
    struct domain *d = domain_get_next(cur ? (int)cur->id : -1);
    while (d && !takes_input(d))
        d = domain_next(d);
    if (d)
        domain_put(d);
    return d;
}

/* switch_lock held. */
static void keel_input(uint8_t c)
{
    char echo[CONSOLE_ECHO_MAX];
    unsigned n;
    if (!prompt_shown)
        prompt();
    enum console_edit r = console_switch_edit(&line, c, echo, &n);
    if (n)
        keel_write(echo, n);
    if (r == EDIT_LINE)
        console_switch_command(line.buf);
    if (r != EDIT_MORE)
        prompt();
}

/* switch_lock held.  c: a typed byte, or -1 to let held Ctrl-As time out. */
static void route(int c, uint64_t now)
{
    uint8_t bytes[CONSOLE_ESCAPE_COUNT];
    bool do_switch;
    unsigned n = console_switch_escape(&escape, c, now, bytes, &do_switch);
    if (n && owner && owner->vuart)
        vpl011_input(owner, (const char *)bytes, n);
    else if (n && owner)
        console_io_input(bytes, n);
    else
        for (unsigned i = 0; i < n; i++)
            keel_input(bytes[i]);
    if (do_switch) {
        owner = next_owner(owner);
        announce(true);
    }
}

void console_switch_poll(void)
{
    uint64_t now = time_now_ns();
    unsigned long flags = spin_lock_irqsave(&switch_lock);
    for (unsigned i = 0; i < POLL_BUDGET; i++) {
        int c = console_getc();
        if (c < 0)
            break;
        route(c, now);
    }
    route(-1, now);
    spin_unlock_irqrestore(&switch_lock, flags);
}

void console_switch_domain_gone(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&switch_lock);
    if (owner == d) {
        owner = NULL;
        announce(false);
    }
    spin_unlock_irqrestore(&switch_lock, flags);
}

struct domain *console_switch_owner(void)
{
    return READ_ONCE(owner);
}

/* --- polling --- */

static void poll_tick(struct timer *t, void *ctx)
{
    console_switch_poll();
    timer_set(t, time_now_ns() + (READ_ONCE(rx_irq_seen) ? CONSOLE_POLL_IRQ_NS : CONSOLE_POLL_NS),
              POLL_CPU);
}

static enum irq_end uart_rx_irq(unsigned irq, void *ctx)
{
    WRITE_ONCE(rx_irq_seen, true);
    console_switch_poll();
    return IRQ_EOI;
}

/* The console UART's interrupt: that of the node whose first "reg" entry is
 * bootinfo.uart_base.  Returns the line or -1. */
static int uart_irq_from_dt(bool *edge)
{
    const struct fdt *f = &bootinfo.fdt;
    if (!bootinfo.uart_base || !f->blob)
        return -1;
    for (int n = fdt_next_node(f, -1, NULL); n >= 0; n = fdt_next_node(f, n, NULL)) {
        uint64_t addr, size;
        unsigned irq;
        if (fdt_reg(f, n, 0, &addr, &size) || addr != bootinfo.uart_base)
            continue;
        return fdt_gic_irq(f, n, 0, &irq, edge) || irq >= IRQ_MAX ? -1 : (int)irq;
    }
    return -1;
}

/* The console UART's interrupt, registered (disabled) by claim_irq; -1 if none. */
static int claimed_irq = -1;

/* Register the console UART's interrupt, or find it registered already.  Returns the line, or
 * -1 if the device tree names none or it cannot be had. */
static int claim_irq(void)
{
    bool edge = false;
    int irq = uart_irq_from_dt(&edge);
    if (irq < 0 || irq == claimed_irq)
        return irq;
    if (irq_register((unsigned)irq, uart_rx_irq, NULL))
        return -1;
    if (irqchip_set_trigger((unsigned)irq, edge))
        pr_warn("console: cannot set the trigger type of interrupt %d\n", irq);
    claimed_irq = irq;
    return irq;
}

void console_switch_claim_irq(void)
{
    (void)claim_irq();
}

void console_switch_init(void)
{
    int irq = claim_irq();
    if (irq >= 0) {
        irqchip_enable((unsigned)irq, POLL_CPU);
        pr_info("console: input polled every %llu ms and on interrupt %d\n",
                CONSOLE_POLL_NS / 1000000, irq);
    } else {
        pr_info("console: input polled every %llu ms\n", CONSOLE_POLL_NS / 1000000);
    }
    unsigned long flags = spin_lock_irqsave(&switch_lock);
    bool keel_first = read_conswitch();
    /* Input starts with the first domain that has a console: after boot the operator sees its
     * output and soon its prompt, so that is where typing should go.  Keel is one escape away. */
    owner = keel_first ? NULL : next_owner(NULL);
    announce(false);
    spin_unlock_irqrestore(&switch_lock, flags);
    timer_init(&poll_timer, poll_tick, NULL);
    timer_set(&poll_timer, time_now_ns() + CONSOLE_POLL_NS, POLL_CPU);
}
