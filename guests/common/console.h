/* SPDX-License-Identifier: Apache-2.0 */
/* Console output for test guests: the DT's PL011/SBSA UART, else Xen's console_io hypercall. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* uart = the UART's guest-physical base, or 0 to use console_io (when a hypervisor is there). */
void console_init(unsigned long uart, int use_hypercall);
/* Writes whole lines at once: output of different vCPUs is not interleaved within a call. */
void console_write(const char *s, size_t n);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* printf to the console; %d %i %u %x %X %p %s %c %% with flags - 0 #, a width, and h/l/ll/z. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
