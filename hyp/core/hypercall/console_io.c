/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console_io (18), the control domain's console (xen-abi-facts B.2, F): CONSOLEIO_write prints
 * the guest's bytes on Keel's console as that domain's lines ("[name] ..."), a chunk at a time
 * and preemptible; CONSOLEIO_read returns the input bytes waiting for dom0, typed while it
 * owned Keel's console input (core/console_switch.c; none while input goes elsewhere, as on
 * Xen), and VIRQ_CONSOLE says when there are some.  The dispatch lets only the control domain
 * in (others -EPERM, Xen's default policy in a release build).
 *
 * Locking: writer_lock guards the per-domain-id writers (their prefix), taken outside the
 * console's own lock.
 */
#include <hyp/console.h>
#include <hyp/console_switch.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include <hyp/spinlock.h>
#include <hyp/string.h>
#include <xen/xen.h>
#include "hypercall_table.h"

#define CHUNK 128

/* One console writer per domain id; static, since the console may keep a writer's address
 * after its domain is gone. */
static struct spinlock writer_lock = SPINLOCK_INIT;
static struct {
    struct console_writer w;
    char prefix[DOMAIN_NAME_LEN + 4];
} writers[MAX_DOMAINS];

/* writer_lock held: print buf[0..len) as d's lines, one console write per line piece. */
static void emit(struct domain *d, const char *buf, size_t len)
{
    struct console_writer *w = &writers[d->id % MAX_DOMAINS].w;
    char *prefix = writers[d->id % MAX_DOMAINS].prefix;
    snprintf(prefix, sizeof(writers[0].prefix), "[%s] ", d->name);
    w->prefix = prefix;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            console_write(w, buf + start, i + 1 - start);
            start = i + 1;
        }
    }
    if (start < len)
        console_write(w, buf + start, len - start);
}

/* Write count bytes from the guest's buf; continues itself (args rewritten) when preempted. */
static long write_text(struct vcpu *v, uint64_t args[5])
{
    uint64_t count = args[1], buf = args[2];
    char chunk[CHUNK];
    while (count) {
        size_t n = count < CHUNK ? count : CHUNK;
        if (copy_from_guest(v, chunk, buf, n))
            return -EFAULT;
        unsigned long flags = spin_lock_irqsave(&writer_lock);
        emit(v->dom, chunk, n);
        spin_unlock_irqrestore(&writer_lock, flags);
        count -= n;
        buf += n;
        if (count && hypercall_preempt_check()) {
            args[1] = count;
            args[2] = buf;
            return -ERESTART;
        }
    }
    return 0;
}

/* Up to count typed bytes into the guest's buf: how many.  Bytes taken are gone even if the
 * copy faults, as a UART's are once read. */
static long read_text(struct vcpu *v, uint32_t count, uint64_t buf)
{
    char chunk[CHUNK];
    long done = 0;
    while (count) {
        size_t n = console_switch_read(chunk, MIN((size_t)count, sizeof(chunk)));
        if (!n)
            break;
        if (copy_to_guest(v, buf + (uint64_t)done, chunk, n))
            return -EFAULT;
        done += (long)n;
        count -= (uint32_t)n;
    }
    return done;
}

long do_console_io(struct vcpu *v, uint64_t args[5])
{
    switch ((uint32_t)args[0]) {
    case CONSOLEIO_write:
        args[1] = (uint32_t)args[1]; /* Xen's count is an unsigned int */
        return write_text(v, args);
    case CONSOLEIO_read:
        /* The count is an int in the result, so it must be one. */
        return (int32_t)args[1] < 0 ? -E2BIG : read_text(v, (uint32_t)args[1], args[2]);
    default:
        return -ENOSYS;
    }
}
