/* SPDX-License-Identifier: Apache-2.0 */
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

/* A source of console text other than Keel's log: a domain's UART, the command console.  Lines
 * from different writers (Keel's log is one more) never share a console line: whoever prints
 * ends the line another left open.  prefix (NULL: none) goes in front of each line the writer
 * starts, so the prefix and the text are printed as one.  The console keeps the address of the
 * writer with an open line: call console_end_line() before a writer goes away. */
struct console_writer {
    const char *prefix;
};

/* Write bytes as w, with no level (domain output, the command console's replies); they also go
 * to the ring.  With a prefix, s holds at most one line. */
void console_write(const struct console_writer *w, const char *s, size_t len);

/* End the current console line if w left it open. */
void console_end_line(const struct console_writer *w);

/* Copy ring contents starting at *pos (a running byte count; 0 = oldest kept) into buf;
 * advances *pos.  Returns bytes copied. */
size_t console_ring_read(uint64_t *pos, char *buf, size_t len);
/* The history the toolstack may still read (sysctl readconsole): from *first (the oldest byte
 * kept and not cleared) to *end (the running count of bytes written). */
void console_ring_span(uint64_t *first, uint64_t *end);
/* Do not offer what came before pos to the toolstack again (readconsole's clear). */
void console_ring_clear(uint64_t pos);

/* Next input byte from the UART, or -1. */
int console_getc(void);

/* Print and stop: for impossible-to-continue situations at boot and for BUG_ON. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(cond))                                                                        \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)
