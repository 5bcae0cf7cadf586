/*
 * Grant tables (version 1, xen-abi-facts D): each domain's table of grants, the frames that
 * hold it, and the maps and copies other domains make through it.  Lives in core/grant/.
 */
#pragma once

#include <hyp/domain.h>

/* Frame idx of d's grant table, grown to idx + 1 frames if it is smaller (up to d's limit):
 * *pa is its host address, for XENMAPSPACE_grant_table.  -EINVAL beyond the limit, -ENOMEM.
 * The caller maps it with physmap_map_frame after taking a reference (frame_ref). */
int gnttab_frame_for_map(struct domain *d, uint64_t idx, paddr_t *pa);
