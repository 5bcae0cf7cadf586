/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of dom0's device tree (hyp/arch/arm64/dom0_fdt.c) that are worked out from the host
 * rather than copied from it.
 */
#pragma once

#include <hyp/fdt.h>
#include <hyp/types.h>

/* Extended regions dom0's /hypervisor node lists at most.  Xen allows 127; a host has a handful
 * of holes of 64 MiB or more, and they are kept on the stack while the tree is written. */
#define DOM0_MAX_EXT_REGIONS 31

/* Where dom0 (whose address space is the host's) can map what is not its own. */
struct dom0_space {
    struct mem_range gnttab;                    /* the grant-table window: /hypervisor reg[0] */
    struct mem_range ext[DOM0_MAX_EXT_REGIONS]; /* extended regions: reg[1..] */
    unsigned nr_ext;
};

/*
 * Find the host address ranges that are neither RAM nor any device (xen-abi-facts A.1, B.2):
 * the host's address space below 1 TiB (Keel's 40-bit guest addresses) and above 2 MiB,
 * without the pages of every "reg" and every "ranges" window of every node of host (enabled or
 * not, translated to host-physical; RAM is in the memory nodes' reg), of its memory
 * reservations and of used[0..nr_used) (all host RAM, dom0's banks: whatever the tree may not
 * say).  The grant window is the first free 16 MiB-aligned 16 MiB; the extended regions are
 * the other free ranges, 2 MiB aligned, of 64 MiB or more, in address order, as many as fit;
 * all are expressible in the root's #address-cells/#size-cells.
 * 0; -ENOSPC if there is no room for the grant window; -ENOMEM (the list of used ranges lives
 * on Keel's heap while it is sorted).
 */
int dom0_free_space(const struct fdt *host, const struct mem_range *used, unsigned nr_used,
                    struct dom0_space *out);
