/* Grant tables: not written yet (issue 9); the memory_op side can already ask for a frame. */
#include <hyp/errno.h>
#include <hyp/gnttab.h>

int gnttab_frame_for_map(struct domain *d, uint64_t idx, paddr_t *pa)
{
    return -ENOSYS;
}
