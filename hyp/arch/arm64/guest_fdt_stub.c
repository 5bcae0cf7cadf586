/* TEMPORARY until the FDT writer lands: guest_fdt.c replaces this. */
#include <hyp/arch/domain.h>
#include <hyp/errno.h>

int arch_guest_fdt(struct domain *d, void *buf, size_t size, struct gpa initrd, uint64_t initrd_size)
{
    return -ENOSYS;
}
