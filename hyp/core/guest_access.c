/* Guest-virtual copies for hypercall arguments: page by page through the arch translation, so a
 * buffer that crosses into an unmapped page fails cleanly with -EFAULT. */
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/string.h>

static int copy_guest(struct vcpu *v, void *buf, uint64_t va, size_t len, bool to_guest)
{
    uint8_t *b = buf;
    while (len) {
        size_t n = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        uint8_t *h = arch_guest_va_to_host(v, va, to_guest);
        if (!h)
            return -EFAULT;
        if (to_guest)
            memcpy(h, b, n);
        else
            memcpy(b, h, n);
        b += n;
        va += n;
        len -= n;
    }
    return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t va, size_t len)
{
    return copy_guest(v, dst, va, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t va, const void *src, size_t len)
{
    return copy_guest(v, (void *)(uintptr_t)src, va, len, true);
}
