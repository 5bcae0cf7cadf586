/* SPDX-License-Identifier: Apache-2.0 */
/* Freestanding string and memory helpers (the C library subset Keel needs). */
#pragma once

#include <stdarg.h>
#include <hyp/compiler.h>
#include <hyp/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most size - 1 bytes and always terminates (size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' ' ' '+', width,
 * precision, '*', length h hh l ll z t j.  Returns the length the full output would have. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Parse an unsigned number in base 10, or 16 with a 0x prefix, with an optional K/M/G suffix
 * when suffix is true.  Returns 0 and the value, or -EINVAL / -ERANGE. */
int parse_u64(const char *s, size_t len, bool suffix, uint64_t *out);
