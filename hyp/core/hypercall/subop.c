/* SPDX-License-Identifier: Apache-2.0 */
/* The sub-op helper (subop.h).  The argument buffer is on the pCPU's stack: every struct the
 * tables name is at most SUBOP_MAX_ARG bytes (checked at each table's definition). */
#include "subop.h"
#include <hyp/errno.h>
#include <hyp/guest_access.h>
#include <hyp/string.h>

long subop_call(struct vcpu *v, const struct subop *tbl, size_t n, uint64_t cmd, uint64_t arg)
{
    const struct subop *s = NULL;
    for (size_t i = 0; i < n && !s; i++)
        if (tbl[i].cmd == (uint32_t)cmd)
            s = &tbl[i];
    if (!s)
        return -ENOSYS;
    if (s->caller != CALLER_ANY && !policy_may_call(v->dom, s->caller))
        return -EPERM;
    uint64_t buf[SUBOP_MAX_ARG / sizeof(uint64_t)];
    if (s->size > sizeof(buf))
        return -EINVAL; /* a table bug; refuse rather than overflow */
    if (s->flags & SUBOP_IN) {
        if (copy_from_guest(v, buf, arg, s->size))
            return -EFAULT;
    } else {
        memset(buf, 0, s->size);
    }
    if ((s->flags & SUBOP_OUT) && guest_check_writable(v, arg, s->size))
        return -EFAULT;
    long rc = s->fn(v, buf);
    if (rc >= 0 && (s->flags & SUBOP_OUT) && copy_to_guest(v, arg, buf, s->size))
        return -EFAULT;
    return rc;
}
