/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grant_table_op (20): cmd, a pointer to an array of count argument structs (xen-abi-facts D.3).
 * Decoding only: each element is copied in, handed to core/grant/ as a kernel struct, and its
 * results copied back.  Batches stop at hypercall_preempt_check() and continue with the
 * pointer advanced and the count reduced (args are x0-x2).  A failed element shows in its
 * status; the call itself fails only for a bad cmd or count, or an element it cannot read or
 * write back (-EFAULT; the elements before it are done).
 */
#include <hyp/errno.h>
#include <hyp/gnttab.h>
#include <hyp/guest_access.h>
#include <hyp/hypercall.h>
#include "hypercall_table.h"

#define MAX_ELEM 40 /* the largest element: struct gnttab_copy */
_Static_assert(sizeof(struct gnttab_copy) == MAX_ELEM &&
                   sizeof(struct gnttab_map_grant_ref) <= MAX_ELEM,
               "grant_table_op elements fit the buffer");

/* A sub-op that takes an array: one element's work, and which bytes of it go back. */
struct batch_op {
    uint16_t size;       /* of an element */
    uint16_t out_off;    /* what is copied back after the element is done */
    uint16_t out_len;    /* 0: nothing */
    bool check_writable; /* refuse before doing it if the results could not be written back */
    long (*one)(struct domain *ld, void *elem); /* < 0 ends the call with that error */
};

static long one_map(struct domain *ld, void *elem)
{
    gnttab_map(ld, elem);
    return 0;
}

static long one_unmap(struct domain *ld, void *elem)
{
    struct gnttab_unmap_grant_ref *op = elem;
    op->status = gnttab_unmap(ld, op->host_addr, op->dev_bus_addr, 0, op->handle);
    return 0;
}

static long one_unmap_replace(struct domain *ld, void *elem)
{
    struct gnttab_unmap_and_replace *op = elem;
    op->status = gnttab_unmap(ld, op->host_addr, 0, op->new_addr, op->handle);
    return 0;
}

static long one_copy(struct domain *ld, void *elem)
{
    struct gnttab_copy *op = elem;
    op->status = gnttab_copy(ld, op);
    return 0;
}

static long one_swap(struct domain *ld, void *elem)
{
    struct gnttab_swap_grant_ref *op = elem;
    op->status = gnttab_swap(ld, op->ref_a, op->ref_b);
    return 0;
}

static long one_cache_flush(struct domain *ld, void *elem)
{
    return gnttab_cache_flush(ld, elem);
}

#define STATUS_OUT(type) offsetof(type, status), sizeof(((type *)0)->status)

static const struct batch_op batches[] = {
    [GNTTABOP_map_grant_ref] = { sizeof(struct gnttab_map_grant_ref), 0,
                                 sizeof(struct gnttab_map_grant_ref), true, one_map },
    [GNTTABOP_unmap_grant_ref] = { sizeof(struct gnttab_unmap_grant_ref),
                                   STATUS_OUT(struct gnttab_unmap_grant_ref), false, one_unmap },
    [GNTTABOP_unmap_and_replace] = { sizeof(struct gnttab_unmap_and_replace),
                                     STATUS_OUT(struct gnttab_unmap_and_replace), false,
                                     one_unmap_replace },
    [GNTTABOP_copy] = { sizeof(struct gnttab_copy), STATUS_OUT(struct gnttab_copy), false,
                        one_copy },
    [GNTTABOP_swap_grant_ref] = { sizeof(struct gnttab_swap_grant_ref),
                                  STATUS_OUT(struct gnttab_swap_grant_ref), false, one_swap },
    [GNTTABOP_cache_flush] = { sizeof(struct gnttab_cache_flush), 0, 0, false, one_cache_flush },
};

static long batch(struct vcpu *v, uint64_t args[5], const struct batch_op *b)
{
    uint64_t uop = args[1];
    uint32_t count = (uint32_t)args[2];
    uint64_t elem[MAX_ELEM / sizeof(uint64_t)];
    struct guest_window w = GUEST_WINDOW_INIT(v);
    long rc = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (i && hypercall_preempt_check()) {
            args[1] = uop + (uint64_t)i * b->size; /* element i was readable: no wrap */
            args[2] = count - i;
            rc = -ERESTART;
            break;
        }
        uint64_t at = uop + (uint64_t)i * b->size;
        if (guest_window_read_elem(&w, elem, uop, i, b->size) ||
            (b->check_writable && guest_window_check_writable(&w, at, b->size))) {
            rc = -EFAULT;
            break;
        }
        rc = b->one(v->dom, elem);
        if (rc < 0)
            break;
        if (b->out_len &&
            guest_window_write(&w, at + b->out_off, (uint8_t *)elem + b->out_off, b->out_len)) {
            rc = -EFAULT;
            break;
        }
    }
    guest_window_end(&w);
    return rc;
}

/* --- sub-ops on one struct --- */

struct frame_list {
    struct vcpu *v;
    uint64_t list;
};

static int emit_gfn(void *ctx, uint32_t i, uint64_t gfn)
{
    struct frame_list *fl = ctx;
    return copy_to_guest_elem(fl->v, fl->list, i, &gfn, sizeof(gfn));
}

static long setup_table(struct vcpu *v, uint64_t uop)
{
    struct gnttab_setup_table op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    struct frame_list fl = { v, op.frame_list };
    op.status = gnttab_setup_table(v->dom, op.dom, op.nr_frames, emit_gfn, &fl);
    return copy_field_to_guest(v, uop, &op, status) ? -EFAULT : 0;
}

static long query_size(struct vcpu *v, uint64_t uop)
{
    struct gnttab_query_size op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    gnttab_query_size(v->dom, &op);
    return copy_obj_to_guest(v, uop, &op) ? -EFAULT : 0;
}

static long set_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_set_version op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    long rc = gnttab_set_version(v->dom, &op.version);
    return copy_obj_to_guest(v, uop, &op) ? -EFAULT : rc; /* the version in force, always */
}

static long get_version(struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_version op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    long rc = gnttab_get_version(v->dom, &op);
    if (!rc && copy_field_to_guest(v, uop, &op, version))
        return -EFAULT;
    return rc;
}

static long get_status_frames(struct vcpu *v, uint64_t uop)
{
    struct gnttab_get_status_frames op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    op.status = gnttab_get_status_frames(v->dom, op.dom, op.nr_frames);
    return copy_field_to_guest(v, uop, &op, status) ? -EFAULT : 0;
}

static long dump_table(struct vcpu *v, uint64_t uop)
{
    struct gnttab_dump_table op;
    if (copy_obj_from_guest(v, &op, uop))
        return -EFAULT;
    op.status = gnttab_dump_table(v->dom, op.dom);
    return copy_field_to_guest(v, uop, &op, status) ? -EFAULT : 0;
}

long do_grant_table_op(struct vcpu *v, uint64_t args[5])
{
    uint32_t cmd = (uint32_t)args[0], count = (uint32_t)args[2];
    uint64_t uop = args[1];
    if ((int32_t)count < 0 || (cmd & ~GNTTABOP_CMD_MASK))
        return -EINVAL;
    if (cmd < ARRAY_SIZE(batches) && batches[cmd].one)
        return batch(v, args, &batches[cmd]);
    switch (cmd) {
    case GNTTABOP_set_version:
        return set_version(v, uop);
    case GNTTABOP_get_version:
        return get_version(v, uop);
    case GNTTABOP_transfer:
        return -EOPNOTSUPP; /* page transfer is x86 PV only (Xen 4.17 built without PV) */
    default:
        break;
    }
    if (cmd != GNTTABOP_setup_table && cmd != GNTTABOP_query_size &&
        cmd != GNTTABOP_get_status_frames && cmd != GNTTABOP_dump_table)
        return -ENOSYS;
    if (count != 1)
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_setup_table:
        return setup_table(v, uop);
    case GNTTABOP_query_size:
        return query_size(v, uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(v, uop);
    default:
        return dump_table(v, uop);
    }
}
