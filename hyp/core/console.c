/*
 * Console: formats log messages, keeps them in a ring buffer and echoes them to the registered
 * UART.  One lock (console_lock) serialises output so lines from different CPUs never mix;
 * before the MMU is on there is one CPU and no lock.  Does not route guest input: see
 * core/console_switch.c.
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
static uint64_t ring_head; /* bytes ever written */
static bool at_line_start = true;
static bool open_line_is_raw; /* the unfinished line came from console_write (a guest) */
static uint64_t breaks;       /* times Keel's messages ended someone else's open line */

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
    if (!at_line_start && open_line_is_raw) {
        /* A guest left a line open (a prompt): Keel's message starts on its own line. */
        emit("\n", 1, show);
        at_line_start = true;
        breaks++;
    }
    open_line_is_raw = false;
    if (at_line_start) {
        char ts[32];
        uint64_t f = arch_counter_freq();
        uint64_t c = arch_counter();
        uint64_t us = f ? (c % f) * 1000000 / f : 0;
        int t = snprintf(ts, sizeof(ts), "(keel) [%4lu.%06lu] ", f ? c / f : 0, us);
        emit(ts, (size_t)t, show);
    }
    emit(buf, len, show);
    at_line_start = len && buf[len - 1] == '\n';
    unlock(flags);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}

void console_write(const char *s, size_t len)
{
    unsigned long flags = lock();
    emit(s, len, true);
    if (len) {
        at_line_start = s[len - 1] == '\n';
        open_line_is_raw = !at_line_start;
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

uint64_t console_line_breaks(void)
{
    return READ_ONCE(breaks);
}

bool ratelimit_ok(struct ratelimit *rl)
{
    uint64_t now = arch_counter();
    uint64_t window = arch_counter_freq() * RATELIMIT_SECONDS;
    if (!rl->window_start || now - rl->window_start >= window) {
        if (rl->suppressed)
            log_printf(LOG_WARN, "(%u similar messages suppressed)\n", rl->suppressed);
        rl->window_start = now ? now : 1;
        rl->count = 0;
        rl->suppressed = 0;
    }
    if (rl->count < RATELIMIT_BURST) {
        rl->count++;
        return true;
    }
    rl->suppressed++;
    return false;
}
