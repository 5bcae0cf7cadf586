/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Frames: one descriptor per 4 KiB page of RAM saying who owns it, what it holds and how many
 * references keep it.  A domain's RAM page has one reference from the domain's guest memory map
 * while it is mapped there; a mapping of it in another domain (a grant or foreign map), a guest
 * area Keel writes into (vcpu_info, runstate) or a copy in progress each hold one more.  The
 * last put returns the page to the page allocator, so a page never goes back while anyone can
 * still reach it.  Lock-free: each descriptor is one 64-bit word changed by compare-and-swap.
 */
#pragma once

#include <hyp/types.h>

enum frame_type {
    FRAME_FREE = 0,   /* not in use (or not handed out through frames) */
    FRAME_GUEST = 1,  /* RAM of the owning domain */
    FRAME_SHARED = 2, /* a Keel page mapped into its owner: shared_info, grant-table frames */
};

struct frame_info {
    uint32_t refs;
    uint16_t owner; /* domain id */
    enum frame_type type;
};

/* Boot CPU, after page_alloc_init(): a descriptor for every page of RAM.  Panics without the
 * memory for them. */
void frame_init(void);

/* Give n frames from pa (page aligned, just allocated, not yet reachable by anyone) to domain
 * owner with one reference each. */
void frame_assign(paddr_t pa, uint64_t n, uint16_t owner, enum frame_type type);

/* Take a reference on the frame holding pa if it is in use and owned by owner.  False if pa is
 * not RAM, the frame is free (or being freed), or another domain owns it. */
bool frame_get(paddr_t pa, uint16_t owner);

/* One more reference on a frame the caller already holds one on. */
void frame_ref(paddr_t pa);

/* Drop one reference on each of n frames from pa.  Frames whose last reference goes return to
 * the page allocator.  Putting a frame with no reference is a Keel bug (BUG_ON). */
void frame_put(paddr_t pa, uint64_t n);

/* What the descriptor of pa says; false if pa is not RAM.  For statistics and tests. */
bool frame_query(paddr_t pa, struct frame_info *out);
