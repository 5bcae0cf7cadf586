/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console: formats log messages, keeps them in a ring buffer and echoes them to the registered
 * UART.  Owns which writer (Keel's log, a domain's UART, the command console) left the current
 * line unterminated, and ends that line before anyone else prints.  One lock (console_lock)
 * serialises output so lines from different CPUs never mix; before the MMU is on there is one
 * CPU and no lock.  Does not route guest input: see core/console_switch.c.
 */
#include <hyp/arch/cpu.h>
#include <hyp/console.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>

#define RING_SIZE (64 * 1024)

static const struct console_dev *dev;
static struct spinlock console_lock = SPINLOCK_INIT;
static bool locking;
static enum log_level max_level = LOG_INFO;
static char ring[RING_SIZE];
static uint64_t ring_head;    /* bytes ever written */
static uint64_t ring_cleared; /* readconsole's clear: history before this is not returned */
static bool at_line_start = true;
/* Who printed the unterminated current line; NULL at a line start.  Only compared, never
 * followed: a writer ends its line before it goes away (console_end_line). */
static const struct console_writer *open_writer;
static const struct console_writer log_writer; /* Keel's log messages */

void console_register(const struct console_dev *d)
{
    dev = d;
}

void console_enable_locking(void)
{
    locking = true;
}

void console_set_level(enum log_level level)
{
    max_level = level;
}

static void emit(const char *s, size_t len, bool show)
{
    for (size_t i = 0; i < len; i++) {
        ring[ring_head++ % RING_SIZE] = s[i];
        if (show && dev) {
            if (s[i] == '\n')
                dev->putc(dev->ctx, '\r');
            dev->putc(dev->ctx, s[i]);
        }
    }
}

/* console_lock held.  w is about to print: a line another writer left open is ended first, so
 * the two never share a line.  Returns whether w starts a new line. */
static bool take_line(const struct console_writer *w, bool show)
{
    if (!at_line_start && open_writer != w) {
        emit("\n", 1, show);
        at_line_start = true;
    }
    return at_line_start;
}

/* console_lock held.  w has printed; ended: what it printed ends a line. */
static void leave_line(const struct console_writer *w, bool ended)
{
    at_line_start = ended;
    open_writer = ended ? NULL : w;
}

static unsigned long lock(void)
{
    return locking ? spin_lock_irqsave(&console_lock) : 0;
}

static void unlock(unsigned long flags)
{
    if (locking)
        spin_unlock_irqrestore(&console_lock, flags);
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    bool show = level <= max_level;
    unsigned long flags = lock();
    if (take_line(&log_writer, show)) {
        char ts[32];
        uint64_t f = arch_counter_freq();
        uint64_t c = arch_counter();
        uint64_t us = f ? (c % f) * 1000000 / f : 0;
        int t = snprintf(ts, sizeof(ts), "(keel) [%4lu.%06lu] ", f ? c / f : 0, us);
        emit(ts, (size_t)t, show);
    }
    emit(buf, len, show);
    leave_line(&log_writer, len && buf[len - 1] == '\n');
    unlock(flags);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}

void console_write(const struct console_writer *w, const char *s, size_t len)
{
    if (!len)
        return;
    unsigned long flags = lock();
    if (take_line(w, true) && w->prefix)
        emit(w->prefix, strlen(w->prefix), true);
    emit(s, len, true);
    leave_line(w, s[len - 1] == '\n');
    unlock(flags);
}

void console_end_line(const struct console_writer *w)
{
    unsigned long flags = lock();
    if (!at_line_start && open_writer == w) {
        emit("\n", 1, true);
        leave_line(w, true);
    }
    unlock(flags);
}

size_t console_ring_read(uint64_t *pos, char *buf, size_t len)
{
    unsigned long flags = lock();
    uint64_t oldest = ring_head > RING_SIZE ? ring_head - RING_SIZE : 0;
    if (*pos < oldest)
        *pos = oldest;
    size_t n = 0;
    while (n < len && *pos < ring_head)
        buf[n++] = ring[(*pos)++ % RING_SIZE];
    unlock(flags);
    return n;
}

void console_ring_span(uint64_t *first, uint64_t *end)
{
    unsigned long flags = lock();
    uint64_t oldest = ring_head > RING_SIZE ? ring_head - RING_SIZE : 0;
    *first = MAX(oldest, ring_cleared);
    *end = ring_head;
    unlock(flags);
}

void console_ring_clear(uint64_t pos)
{
    unsigned long flags = lock();
    ring_cleared = MAX(ring_cleared, MIN(pos, ring_head));
    unlock(flags);
}

int console_getc(void)
{
    return dev && dev->getc ? dev->getc(dev->ctx) : -1;
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    arch_irq_disable();
    /* Do not wait for the lock: the panicking CPU may hold it. */
    locking = false;
    log_printf(LOG_ERR, "\nPANIC on CPU: %s\n", buf);
    arch_cpu_park();
}
