/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory access.  Guest-virtual copies go page by page through the arch translation of
 * the loaded vCPU, then take a reference on the frame found: it must be the domain's own
 * (frame_get checks the owner), so a translation that raced with the page leaving the domain
 * fails instead of reaching whoever owns the page next.  Guest-physical copies take the
 * reference through the domain's memory map.  No locks of its own.
 */
#include <hyp/arch/mm.h>
#include <hyp/errno.h>
#include <hyp/frame.h>
#include <hyp/guest_access.h>
#include <hyp/physmap.h>
#include <hyp/string.h>

#define BAD_PA (~(paddr_t)0)

enum dir { READ, WRITE, PROBE };

/* A reference on the frame behind va of the loaded vCPU v: 0 with *pa, or -EFAULT. */
static int pin_page(struct vcpu *v, uint64_t va, bool write, paddr_t *pa)
{
    *pa = arch_guest_va_to_pa(v, va, write);
    if (*pa != BAD_PA)
        return frame_get(*pa & PAGE_MASK, (uint16_t)v->dom->id) ? 0 : -EFAULT;
    /* The full walk stops at RAM the domain has not touched yet (physmap.c): its memory map
     * touches it.  The stage-1 tables cannot be in untouched RAM, which reads as zeros: a
     * table of zeros would have failed the walk for the guest as well. */
    uint64_t ipa;
    if (!arch_guest_va_to_ipa(v, va, write, &ipa)) {
        /* The stage-1 walk reads the guest's tables through stage 2, and met an entry another
         * vCPU's memory_op was replacing, perhaps (physmap_settle): once more when it is
         * done. */
        physmap_settle(v->dom);
        if (!arch_guest_va_to_ipa(v, va, write, &ipa))
            return -EFAULT;
    }
    return physmap_get_frame(v->dom, GPA(ipa), write ? P2M_BIT(P2M_RAM_RW) : P2M_ANY_RAM, pa);
}

/* One page's part of a guest-virtual access: translate, pin, copy, unpin. */
static int access_page(struct vcpu *v, uint8_t *buf, uint64_t va, size_t n, enum dir dir)
{
    paddr_t pa;
    int rc = pin_page(v, va, dir != READ, &pa);
    if (rc)
        return rc;
    void *h = (void *)(uintptr_t)pa;
    if (dir == WRITE)
        memcpy(h, buf, n);
    else if (dir == READ)
        memcpy(buf, h, n);
    frame_put(pa & PAGE_MASK, 1);
    return 0;
}

static int access_guest(struct vcpu *v, void *buf, uint64_t va, size_t len, enum dir dir)
{
    if (va + len < va)
        return -EFAULT;
    uint8_t *b = buf;
    while (len) {
        size_t n = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        int rc = access_page(v, b, va, n, dir);
        if (rc)
            return rc;
        if (b)
            b += n;
        va += n;
        len -= n;
    }
    return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len)
{
    return access_guest(v, dst, va, len, READ);
}

int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len)
{
    return access_guest(v, (void *)(uintptr_t)src, va, len, WRITE);
}

int guest_check_writable(struct vcpu *v, uint64_t va, size_t len)
{
    return access_guest(v, NULL, va, len, PROBE);
}

int guest_va_pin(struct vcpu *v, uint64_t va, size_t len, paddr_t *pa)
{
    if (!len || len > PAGE_SIZE - (va & (PAGE_SIZE - 1)))
        return -EFAULT;
    return pin_page(v, va, true, pa); /* touches untouched RAM, as any access does */
}

/* The address of element idx, or -EFAULT if it overflows. */
static int elem_va(uint64_t va, uint64_t idx, size_t elem, uint64_t *out)
{
    uint64_t off;
    if (__builtin_mul_overflow(idx, (uint64_t)elem, &off) || va + off < va)
        return -EFAULT;
    *out = va + off;
    return 0;
}

int copy_from_guest_elem(struct vcpu *v, void *dst, uint64_t va, uint64_t idx, size_t elem)
{
    uint64_t at;
    return elem_va(va, idx, elem, &at) ?: copy_from_guest(v, dst, at, elem);
}

int copy_to_guest_elem(struct vcpu *v, uint64_t va, uint64_t idx, const void *src, size_t elem)
{
    uint64_t at;
    return elem_va(va, idx, elem, &at) ?: copy_to_guest(v, at, src, elem);
}

/* --- windows on guest arrays --- */

static bool in_window(const struct guest_window *w, uint64_t va, size_t len)
{
    return w->va != GUEST_WINDOW_NONE && (va & PAGE_MASK) == w->va &&
           (va & ~PAGE_MASK) + len <= PAGE_SIZE;
}

/* Hold the page under va instead: through a writable translation if the guest has one. */
static int window_move(struct guest_window *w, uint64_t va)
{
    guest_window_end(w);
    paddr_t pa;
    bool writable = !pin_page(w->v, va, true, &pa);
    if (!writable && pin_page(w->v, va, false, &pa))
        return -EFAULT;
    w->va = va & PAGE_MASK;
    w->pa = pa & PAGE_MASK;
    w->writable = writable;
    return 0;
}

int guest_window_read_elem(struct guest_window *w, void *dst, uint64_t va, uint64_t idx,
                           size_t elem)
{
    uint64_t at;
    if (elem_va(va, idx, elem, &at))
        return -EFAULT;
    if (!in_window(w, at, elem)) {
        if ((at & ~PAGE_MASK) + elem > PAGE_SIZE) /* across pages, or wrapping */
            return copy_from_guest(w->v, dst, at, elem);
        if (window_move(w, at))
            return -EFAULT;
    }
    memcpy(dst, (const void *)(uintptr_t)(w->pa + (at & ~PAGE_MASK)), elem);
    return 0;
}

int guest_window_write(struct guest_window *w, uint64_t va, const void *src, size_t len)
{
    if (!w->writable || !in_window(w, va, len))
        return copy_to_guest(w->v, va, src, len);
    memcpy((void *)(uintptr_t)(w->pa + (va & ~PAGE_MASK)), src, len);
    return 0;
}

int guest_window_check_writable(struct guest_window *w, uint64_t va, size_t len)
{
    return w->writable && in_window(w, va, len) ? 0 : guest_check_writable(w->v, va, len);
}

void guest_window_end(struct guest_window *w)
{
    if (w->va != GUEST_WINDOW_NONE)
        frame_put(w->pa, 1);
    w->va = GUEST_WINDOW_NONE;
    w->writable = false;
}

/* --- guest physical --- */

static int access_gpa(struct domain *d, uint8_t *buf, struct gpa gpa, uint64_t len, bool write,
                      unsigned flags)
{
    if (gpa.a + len < gpa.a)
        return -EFAULT;
    while (len) {
        uint64_t n = MIN(len, PAGE_SIZE - (gpa.a & (PAGE_SIZE - 1)));
        paddr_t pa;
        int rc = physmap_get_frame(d, gpa, write ? P2M_WRITABLE : ~0u, &pa);
        if (rc)
            return rc;
        void *h = (void *)(uintptr_t)pa;
        if (!write)
            memcpy(buf, h, n);
        else if (flags & GPA_CLEAN)
            arch_copy_and_clean(h, buf, n);
        else
            memcpy(h, buf, n);
        frame_put(pa & PAGE_MASK, 1);
        buf += n;
        gpa.a += n;
        len -= n;
    }
    return 0;
}

int copy_to_gpa(struct domain *d, struct gpa gpa, const void *src, uint64_t len, unsigned flags)
{
    return access_gpa(d, (uint8_t *)(uintptr_t)src, gpa, len, true, flags);
}

int copy_from_gpa(struct domain *d, void *dst, struct gpa gpa, uint64_t len)
{
    return access_gpa(d, dst, gpa, len, false, 0);
}
