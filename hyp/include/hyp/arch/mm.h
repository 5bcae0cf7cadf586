/* SPDX-License-Identifier: Apache-2.0 */
/* Arch interface: cache-aware memory helpers for memory shared with guests. */
#pragma once

#include <hyp/types.h>

/* Zero [p, p + size) (page aligned) and clean it to the point of coherency, so a guest running
 * with its MMU and caches off sees zeros, not stale memory. */
void arch_clear_memory(void *p, uint64_t size);
/* Zero [p, p + size) (page aligned), for Keel's own use: faster than memset, no cleaning. */
void arch_zero_memory(void *p, uint64_t size);
/* Clean data cache lines of [p, p + size) to the point of coherency. */
void arch_clean_dcache(const void *p, uint64_t size);
/* Clean and invalidate data cache lines of [p, p + size) to the point of coherency. */
void arch_clean_inval_dcache(const void *p, uint64_t size);
/* Copy [src, src + size) to dst, ranges not overlapping, both in Normal memory that Keel maps
 * (any alignment): bulk data such as grant copies.  Keeps a guest's FP/SIMD registers. */
void arch_copy_memory(void *dst, const void *src, uint64_t size);
/* Host-to-host copy into memory a guest will read (possibly with its caches off), cleaned to
 * the point of coherency. */
void arch_copy_and_clean(void *dst, const void *src, uint64_t size);
/* Invalidate all instruction caches (inner shareable) after writing guest code. */
void arch_icache_invalidate(void);
