/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl readconsole: Keel's console history (core/console.c's ring) as Xen 4.17 hands it to
 * `xl dmesg`.  Positions are the running count of bytes written, which the ABI carries modulo
 * 2^32 in index: an incremental read starts at index when that lies after the oldest byte
 * still offered and no later than the newest, else at the oldest.  Bytes written while the
 * read runs may be included; bytes overwritten meanwhile are skipped.
 */
#include <hyp/console.h>
#include <hyp/control.h>
#include <hyp/errno.h>

#define CHUNK 256

long ctl_readconsole(struct xen_sysctl_readconsole *op, ctl_sink_fn sink, void *ctx)
{
    uint64_t pos, end;
    console_ring_span(&pos, &end);
    if (op->incremental) {
        /* index, taken as a position at most 2^32 - 1 bytes behind the end. */
        uint32_t behind = (uint32_t)end - op->index;
        if (behind < end - pos)
            pos = end - behind;
    }
    uint32_t done = 0;
    char buf[CHUNK];
    while (done < op->count && pos < end) {
        size_t n =
            console_ring_read(&pos, buf, MIN((uint64_t)CHUNK, MIN(end - pos, op->count - done)));
        if (!n)
            break;
        if (sink(ctx, done, buf, n))
            return -EFAULT;
        done += (uint32_t)n;
    }
    if (op->clear)
        console_ring_clear(pos);
    op->count = done;
    op->index = (uint32_t)pos;
    return 0;
}
