/* SPDX-License-Identifier: Apache-2.0 */
/* Doubles for the vGIC's host tests: see vgic_doubles.h. */
#include "vgic_doubles.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <hyp/console.h>
#include <hyp/domain.h>
#include <hyp/heap.h>

uint64_t kicked;

void vcpu_kick(struct vcpu *v)
{
    kicked |= BIT(v->id);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
    return ((uint64_t)(v->id >> 4) << 8) | (v->id & 0xf); /* as arch/arm64/vcpu.c */
}

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}
