/* SPDX-License-Identifier: Apache-2.0 */
/* What frame.c shows only to its boot glue and host unit tests. */
#pragma once

#include <hyp/bootinfo.h>

/* Set up descriptors for the RAM in ram[] (forgets earlier ones; boot or a single-threaded
 * test).  0 or -ENOMEM. */
int frame_init_ranges(const struct mem_range *ram, unsigned nr);
