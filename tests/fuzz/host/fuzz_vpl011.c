/*
 * libFuzzer harness for the emulated PL011 (hyp/core/vdev/vpl011.c): two domains' UARTs
 * reached through the real MMIO dispatch (hyp/core/vmmio.c) and printing through the real
 * console (hyp/core/console.c) into a fake UART.  The input is a program of register reads
 * and writes of any size and offset (also just outside the page), typed input bursts and
 * the passing of time (the idle-line flush timer).  Nothing may crash, read out of bounds
 * or overflow; the interrupt line must follow RIS & IMSC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/domain.h>
#include <hyp/heap.h>
#include <hyp/timer.h>
#include <hyp/vmmio.h>
#include <hyp/vpl011.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0x22000000UL
#define IRQ 32
#define RIS 0x03c
#define IMSC 0x038

/* --- fakes --- */

void *heap_zalloc(size_t size)
{
    return calloc(1, size);
}

void heap_free(void *p)
{
    free(p);
}

static bool line_level[2];
static struct domain doms[2];
static struct vcpu vcpus[2];

void arch_guest_set_irq_level(struct domain *d, unsigned irq, bool level)
{
    if (irq != IRQ)
        abort();
    line_level[d == &doms[1]] = level;
}

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

void console_switch_domain_gone(struct domain *d)
{
}

static size_t printed;

static void uart_putc(void *ctx, char c)
{
    printed++;
}

static const struct console_dev uart = { uart_putc, NULL, NULL };

/* --- the program --- */

struct input {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
        v |= (uint64_t)*in->p++ << (8 * i);
    return v;
}

static void step(struct input *in)
{
    unsigned op = (unsigned)take(in, 1), i = op >> 7;
    switch (op & 7) {
    case 0:
    case 1:
    case 2:
    case 3: { /* a register access, mostly inside the page */
        unsigned sz = (unsigned)take(in, 1);
        uint64_t off = (uint64_t)take(in, 2) % (VPL011_SIZE + 0x20) - (op & 8 ? 0x10 : 0);
        uint64_t val = take(in, 4);
        (void)vmmio_access(&vcpus[i], BASE + off, sz & 0x80, 1u << (sz & 3), &val);
        break;
    }
    case 4: { /* typed input */
        char buf[64];
        size_t n = (size_t)take(in, 1) % sizeof(buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)take(in, 1);
        vpl011_input(&doms[i], buf, n);
        break;
    }
    case 5: /* time passes; the flush timer runs when due */
        now += take(in, 4) * 1000;
        if (armed && armed->active && armed->deadline <= now) {
            armed->active = false;
            armed->fn(armed, armed->ctx);
        }
        break;
    default: { /* the line follows the masked interrupt status */
        uint64_t ris = 0, imsc = 0;
        struct vpl011_stats st;
        (void)vmmio_access(&vcpus[i], BASE + RIS, false, 4, &ris);
        (void)vmmio_access(&vcpus[i], BASE + IMSC, false, 4, &imsc);
        if (line_level[i] != ((ris & imsc) != 0) || !vpl011_get_stats(&doms[i], &st))
            abort();
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[2] = { "web", "db" };
    console_register(&uart);
    memset(doms, 0, sizeof(doms));
    memset(line_level, 0, sizeof(line_level));
    for (int i = 0; i < 2; i++) {
        doms[i].id = (unsigned)i + 1;
        strcpy(doms[i].name, names[i]);
        vcpus[i] = (struct vcpu){ .dom = &doms[i] };
        if (vpl011_init(&doms[i], BASE, IRQ))
            abort();
    }
    struct input in = { data, size };
    for (unsigned n = 0; in.left && n < 4096; n++)
        step(&in);
    for (int i = 0; i < 2; i++)
        vpl011_destroy(&doms[i]);
    armed = NULL;
    return 0;
}
