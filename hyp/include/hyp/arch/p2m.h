/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arch interface for a domain's guest-physical memory map (stage 2 on arm64).  Only
 * core/mm/physmap.c calls these, with the domain's p2m_lock held; the map is the one truth
 * about what a guest-physical address of the domain reaches.
 */
#pragma once

#include <hyp/types.h>

struct domain;

/* What a guest-physical page is.  The type lives in the mapping itself (stage-2 software
 * bits), so a lookup answers both where and what. */
enum p2m_type {
    P2M_NONE = 0,       /* unmapped (emulated MMIO and holes) */
    P2M_RAM_RW = 1,     /* the domain's own RAM */
    P2M_RAM_RO = 2,     /* the domain's own RAM, read-only to it */
    P2M_SHARED = 3,     /* a Keel page the domain may write: shared_info, grant-table frames */
    P2M_GRANT_RW = 4,   /* another domain's page, mapped through a grant */
    P2M_GRANT_RO = 5,   /* the same, read-only */
    P2M_FOREIGN_RW = 6, /* another domain's page mapped by a privileged domain */
    P2M_MMIO = 7,       /* a device, passed through */
    /* The domain's RAM, allocated but not yet touched: the entry is there but its first
     * access faults (stage-2 access flag clear), and core/mm/physmap.c zeroes the memory then
     * (LAZY) or knows it zero already (LAZY_CLEAN), gives the frames to the domain and makes
     * it RAM_RW.  So creating a domain costs no time per byte of its RAM.  These two never
     * leave physmap.c: every answer it gives about such a page makes it RAM_RW first. */
    P2M_RAM_LAZY = 8,
    P2M_RAM_LAZY_CLEAN = 9,
    P2M_NR_TYPES
};

static inline bool p2m_type_is_lazy(enum p2m_type t)
{
    return t == P2M_RAM_LAZY || t == P2M_RAM_LAZY_CLEAN;
}

/* Whether pages of this type are frames (RAM Keel hands out): the mapping holds a reference.
 * Untouched RAM has no frame reference yet: its pages are the domain's through the map. */
static inline bool p2m_type_is_frame(enum p2m_type t)
{
    return t != P2M_NONE && t != P2M_MMIO && !p2m_type_is_lazy(t);
}

/* Map [gpa, gpa + size) to [pa, pa + size) as type t, replacing what was there (made invalid
 * and its TLB entries gone first).  Untouched RAM (p2m_type_is_lazy) is mapped in leaves of
 * at most 2 MiB.  Page aligned.  0, -EINVAL, -ENOMEM (nothing in the range
 * changed when size is one page; a larger range may be partly mapped). */
int arch_p2m_map(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t);
/* Remove [gpa, gpa + size), with TLB invalidation.  0, -EINVAL, -ENOMEM (a block had to be
 * split: nothing changed when size is one page). */
int arch_p2m_unmap(struct domain *d, struct gpa gpa, uint64_t size);
/* The end of d's guest-physical address space: the first address past it. */
uint64_t arch_p2m_end(struct domain *d);
/* What gpa maps to: 0 with *pa (of gpa itself) and *t, or -ENOENT. */
int arch_p2m_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t);
/* The first mapping that meets [gpa, end): true with the whole leaf that holds it (a page or a
 * block; it may start before gpa), false if nothing in the range is mapped.  Costs little for
 * empty space, whatever its size. */
bool arch_p2m_first_leaf(struct domain *d, struct gpa gpa, uint64_t end, struct gpa *leaf,
                         uint64_t *size);
/* Call fn for every mapping in [gpa, gpa + size), in address order (pages or blocks of one
 * type, clipped to the range).  fn must not change the map. */
typedef void (*p2m_leaf_fn)(void *ctx, struct gpa gpa, paddr_t pa, uint64_t size, enum p2m_type t);
void arch_p2m_walk(struct domain *d, struct gpa gpa, uint64_t size, p2m_leaf_fn fn, void *ctx);
