/* SPDX-License-Identifier: Apache-2.0 */
/* Reading and writing the toolstack's xenctl_bitmap pCPU masks (xenctl_bitmap.c): decoding
 * helpers for domctl.c and sysctl.c. */
#pragma once

#include <hyp/domain.h>
#include <xen/domctl.h>

/* The guest's bitmap b as a mask of the machine's pCPUs.  0 or -EFAULT. */
int xenctl_bitmap_in(struct vcpu *v, const struct xenctl_bitmap *b, uint64_t *mask);
/* mask into the guest's bitmap b, the rest of it zeroed.  0 or -EFAULT. */
int xenctl_bitmap_out(struct vcpu *v, const struct xenctl_bitmap *b, uint64_t mask);
