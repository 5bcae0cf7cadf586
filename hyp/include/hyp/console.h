/*
 * The hypervisor console: leveled, formatted logging into a ring buffer that a dmesg-like
 * reader can replay, echoed to the physical UART; raw byte input from the UART.
 */
#pragma once

#include <stdarg.h>
#include <hyp/compiler.h>
#include <hyp/types.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* A physical console device (UART).  getc returns -1 when no byte is waiting. */
struct console_dev {
    void (*putc)(void *ctx, char c);
    int (*getc)(void *ctx);
    void *ctx;
};

void console_register(const struct console_dev *dev);
/* After this, output takes a lock (needs the MMU on). */
void console_enable_locking(void);
void console_set_level(enum log_level level);

/* Log one message.  A message is a line: a timestamp prefix is added when it starts a line. */
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Write bytes to the console with no prefix and no level (domain console output).  The bytes
 * also go to the ring. */
void console_write(const char *s, size_t len);

/* How many times a Keel message had to end a line that console_write() left open.  A writer
 * that continues its own open line compares this with the value it saw: if it changed, its
 * line was ended and it must start a new one (with its prefix). */
uint64_t console_line_breaks(void);

/* Rate limit for messages a guest can trigger at will: at most RATELIMIT_BURST per
 * RATELIMIT_SECONDS; the first message after a window with suppressed ones says how many.
 * Zero-initialise.  Unlocked: a lost update only lets one message more or fewer through. */
#define RATELIMIT_BURST 10
#define RATELIMIT_SECONDS 5
struct ratelimit {
    uint64_t window_start; /* counter ticks */
    unsigned count;
    unsigned suppressed;
};
/* Whether a message may be printed now (counts it). */
bool ratelimit_ok(struct ratelimit *rl);

/* Copy ring contents starting at *pos (a running byte count; 0 = oldest kept) into buf;
 * advances *pos.  Returns bytes copied. */
size_t console_ring_read(uint64_t *pos, char *buf, size_t len);

/* Next input byte from the UART, or -1. */
int console_getc(void);

/* Print and stop: for impossible-to-continue situations at boot and for BUG_ON. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(cond))                                                                        \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)
