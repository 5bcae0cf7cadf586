/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated memory-mapped devices of a domain: a guest access to an address with no RAM behind
 * it is routed to the device whose region contains it.  Regions are registered while the
 * domain is being built and never change afterwards, so lookups take no lock.
 */
#pragma once

#include <hyp/types.h>

struct vcpu;
struct domain;

struct vmmio_ops {
    /* offset is relative to the region base; size is 1, 2, 4 or 8.  Return 0, or a negative
     * errno to have the access fail (the guest then gets an external abort). */
    int (*read)(struct vcpu *v, void *ctx, uint64_t offset, unsigned size, uint64_t *val);
    int (*write)(struct vcpu *v, void *ctx, uint64_t offset, unsigned size, uint64_t val);
};

#define VMMIO_MAX_REGIONS 8

struct vmmio_region {
    uint64_t base;
    uint64_t size;
    const struct vmmio_ops *ops;
    void *ctx;
};

struct vmmio_table {
    struct vmmio_region r[VMMIO_MAX_REGIONS];
    unsigned nr;
};

/* Add a region to d (only while building).  0, -ENOSPC, -EEXIST (overlap). */
int vmmio_register(struct domain *d, uint64_t base, uint64_t size, const struct vmmio_ops *ops,
                   void *ctx);
/* Whether an emulated device of d has registers in [base, base + size) (size > 0, no wrap). */
bool vmmio_overlaps(const struct domain *d, uint64_t base, uint64_t size);
/* Perform a trapped access.  -ENOENT if no device is there. */
int vmmio_access(struct vcpu *v, uint64_t gpa, bool write, unsigned size, uint64_t *val);
