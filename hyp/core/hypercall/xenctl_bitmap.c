/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xenctl_bitmap, the toolstack's pCPU masks passed by reference (domctl vCPU affinity, sysctl
 * cpupool_op), read and written as Xen 4.17 does: byte i holds pCPUs 8i..8i+7; bits past the
 * machine's pCPUs (Xen's nr_cpu_ids) are ignored coming in and zero going out, and going out
 * the rest of the guest's bitmap is zeroed.
 */
#include "xenctl_bitmap.h"
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/percpu.h>

static uint64_t cpu_bits(void)
{
    return nr_cpus >= 64 ? ~0UL : BIT(nr_cpus) - 1;
}

static uint32_t bitmap_bytes(uint32_t bits)
{
    return (uint32_t)(((uint64_t)bits + 7) / 8);
}

int xenctl_bitmap_in(struct vcpu *v, const struct xenctl_bitmap *b, uint64_t *mask)
{
    uint8_t bytes[8] = { 0 };
    uint32_t guest = bitmap_bytes(b->nr_bits), n = MIN(guest, bitmap_bytes(nr_cpus));
    if (n && copy_from_guest(v, bytes, b->bitmap, n))
        return -EFAULT;
    if ((b->nr_bits & 7) && n == guest)
        bytes[n - 1] &= (uint8_t)((1u << (b->nr_bits & 7)) - 1);
    *mask = 0;
    for (uint32_t i = 0; i < n; i++)
        *mask |= (uint64_t)bytes[i] << (8 * i);
    *mask &= cpu_bits();
    return 0;
}

int xenctl_bitmap_out(struct vcpu *v, const struct xenctl_bitmap *b, uint64_t mask)
{
    static const uint8_t zeros[64];
    uint8_t bytes[8];
    mask &= cpu_bits();
    for (unsigned i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)(mask >> (8 * i));
    uint32_t guest = bitmap_bytes(b->nr_bits), n = MIN(guest, bitmap_bytes(nr_cpus));
    if (n && copy_to_guest(v, b->bitmap, bytes, n))
        return -EFAULT;
    for (uint32_t at = n; at < guest; at += MIN(guest - at, (uint32_t)sizeof(zeros)))
        if (copy_to_guest(v, b->bitmap + at, zeros, MIN(guest - at, (uint32_t)sizeof(zeros))))
            return -EFAULT;
    return 0;
}
