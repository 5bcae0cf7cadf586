/* SPDX-License-Identifier: Apache-2.0 */
/* Guest memory for host unit tests of hypercall decoding: see guest_mem_stub.h. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <hyp/errno.h>
#include <hyp/guest_access.h>

#include "guest_mem_stub.h"

struct stub_guest_mem stub_mem;

static bool in(const uint8_t *r, size_t rsize, uint64_t va, size_t len)
{
    uint64_t b = (uintptr_t)r;
    return va < b + rsize && va + len > b;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len)
{
    if (!va || in(stub_mem.hole, sizeof(stub_mem.hole), va, len))
        return -EFAULT;
    memcpy(dst, (void *)(uintptr_t)va, len);
    return 0;
}

int guest_check_writable(struct vcpu *v, uint64_t va, size_t len)
{
    return !va || in(stub_mem.hole, sizeof(stub_mem.hole), va, len) ||
                   in(stub_mem.ro, sizeof(stub_mem.ro), va, len)
               ? -EFAULT
               : 0;
}

int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len)
{
    if (guest_check_writable(v, va, len))
        return -EFAULT;
    memcpy((void *)(uintptr_t)va, src, len);
    return 0;
}

int copy_from_guest_elem(struct vcpu *v, void *dst, uint64_t va, uint64_t idx, size_t elem)
{
    return copy_from_guest(v, dst, va + idx * elem, elem);
}

int copy_to_guest_elem(struct vcpu *v, uint64_t va, uint64_t idx, const void *src, size_t elem)
{
    return copy_to_guest(v, va + idx * elem, src, elem);
}

/* Windows: no page is held, every access goes through the copies above. */
int guest_window_read_elem(struct guest_window *w, void *dst, uint64_t va, uint64_t idx,
                           size_t elem)
{
    return copy_from_guest_elem(w->v, dst, va, idx, elem);
}

int guest_window_write(struct guest_window *w, uint64_t va, const void *src, size_t len)
{
    return copy_to_guest(w->v, va, src, len);
}

int guest_window_check_writable(struct guest_window *w, uint64_t va, size_t len)
{
    return guest_check_writable(w->v, va, len);
}

void guest_window_end(struct guest_window *w)
{
    w->va = GUEST_WINDOW_NONE;
}
