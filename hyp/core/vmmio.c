/* SPDX-License-Identifier: Apache-2.0 */
/* Emulated-MMIO dispatch: finds the region for a trapped guest access.  Regions are fixed once
 * the domain runs, so no locking here; devices lock their own state. */
#include <hyp/domain.h>
#include <hyp/errno.h>
#include <hyp/vmmio.h>

int vmmio_register(struct domain *d, uint64_t base, uint64_t size, const struct vmmio_ops *ops,
                   void *ctx)
{
    struct vmmio_table *t = &d->mmio;
    if (!size || base + size < base)
        return -EINVAL;
    for (unsigned i = 0; i < t->nr; i++)
        if (base < t->r[i].base + t->r[i].size && t->r[i].base < base + size)
            return -EEXIST;
    if (t->nr == VMMIO_MAX_REGIONS)
        return -ENOSPC;
    t->r[t->nr++] = (struct vmmio_region){ base, size, ops, ctx };
    return 0;
}

bool vmmio_overlaps(const struct domain *d, uint64_t base, uint64_t size)
{
    const struct vmmio_table *t = &d->mmio;
    for (unsigned i = 0; i < t->nr; i++)
        if (base < t->r[i].base + t->r[i].size && t->r[i].base < base + size)
            return true;
    return false;
}

int vmmio_access(struct vcpu *v, uint64_t gpa, bool write, unsigned size, uint64_t *val)
{
    const struct vmmio_table *t = &v->dom->mmio;
    for (unsigned i = 0; i < t->nr; i++) {
        const struct vmmio_region *r = &t->r[i];
        if (gpa < r->base || gpa - r->base > r->size - size)
            continue;
        if (write)
            return r->ops->write ? r->ops->write(v, r->ctx, gpa - r->base, size, *val) : 0;
        if (!r->ops->read) {
            *val = 0;
            return 0;
        }
        return r->ops->read(v, r->ctx, gpa - r->base, size, val);
    }
    return -ENOENT;
}
