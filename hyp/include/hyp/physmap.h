/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A domain's guest memory map: which frame, of which type, each guest-physical page reaches.
 * This module is the only one that changes it (through the arch's p2m); everything else asks
 * it.  Every mapped frame holds one reference, put when the mapping goes.  d->p2m_lock guards
 * the map and the domain's page counts; it is taken with interrupts masked and nests inside
 * d->lock, outside the page allocator's lock.  Once d is dying (domain_kill) every call
 * refuses (-ESRCH for changes, -ENOENT/-EFAULT for lookups) without touching the map.
 */
#pragma once

#include <hyp/arch/p2m.h>
#include <hyp/domain.h>

/* A bit per p2m type, for the type masks below. */
#define P2M_BIT(t) (1u << (t))
#define P2M_ANY_RAM (P2M_BIT(P2M_RAM_RW) | P2M_BIT(P2M_RAM_RO))
#define P2M_WRITABLE                                                                               \
    (P2M_BIT(P2M_RAM_RW) | P2M_BIT(P2M_SHARED) | P2M_BIT(P2M_GRANT_RW) | P2M_BIT(P2M_FOREIGN_RW))

/* Stage-2 table pages, charged against d's bound (the arch's table allocator calls these,
 * p2m_lock held).  The bound is Xen 4.17's paging pool: the size the toolstack set
 * (set_paging_mempool_size), and never less than what Xen gives a domain of d's vCPUs and
 * max_pages (1 MiB per vCPU and 8 KiB per MiB of RAM: maps all of its RAM in 4 KiB pages four
 * times over).  Without it a guest that maps pages far apart (grants at scattered addresses,
 * single pages 2 MiB apart) makes Keel allocate a table for each.  take: whether n more pages
 * fit (they are then counted); a dying domain's teardown is never refused.  give: n pages
 * went back. */
bool physmap_table_take(struct domain *d, uint64_t n);
void physmap_table_give(struct domain *d, uint64_t n);
/* The bound itself, in pages. */
uint64_t physmap_table_bound(const struct domain *d);

/* Back [gpa, gpa + size) (page aligned, nothing mapped there) with new RAM of d, in the largest
 * blocks that alignment and free memory allow.  It reads as zeros: it is zeroed when first
 * touched (by d, or by a lookup here), not now, so this costs time per block, not per byte.
 * 0; -ENOMEM when memory or d's
 * allowance (max_pages) runs out, -EEXIST if part of the range is mapped (what was populated
 * before that stays); -EINVAL; -ESRCH (dying). */
int physmap_populate(struct domain *d, struct gpa gpa, uint64_t size);
/* Back size bytes (a multiple of 2 MiB) of d with new RAM mapped where it is: guest-physical
 * address == host-physical address (a direct-mapped dom0).  The largest free blocks first,
 * none smaller than 2 MiB; reads as zeros as with physmap_populate.  banks[0..*nr) (at most
 * max) get the ranges, adjacent blocks joined, bank 0 the first and largest.  0; -ENOMEM when
 * memory, d's allowance or the banks run out (what was populated stays, in banks); -EINVAL;
 * -ESRCH (dying). */
int physmap_populate_direct(struct domain *d, uint64_t size, struct mem_range *banks, unsigned max,
                            unsigned *nr);
/* Pass host device memory [pa, pa + size) through to d at gpa (page aligned, nothing mapped
 * there): Device-nGnRE, read/write, never executable; no frame references (it is not RAM).
 * Unmapped with the rest at kill.  0, -EINVAL, -EEXIST (something is mapped there), -ENOMEM,
 * -ESRCH (dying). */
int physmap_map_mmio(struct domain *d, struct gpa gpa, paddr_t pa, uint64_t size);
/* Domain building, before a copy that writes every byte of [gpa, gpa + len) (a kernel, a
 * ramdisk): the untouched RAM leaves lying wholly inside become d's without being zeroed first,
 * as the copy replaces all they hold (a 30 MiB kernel: 1.4 million instructions of zeroing, and
 * as much cleaning, saved).  Leaves at the edges keep the usual first touch.  d must still be
 * being built (nothing can read the leaves before the copy), and the caller must make the copy,
 * or destroy d if it cannot. */
void physmap_claim_overwritten(struct domain *d, struct gpa gpa, uint64_t len);
/* Give back the RAM of the pages [gpa, gpa + pages): every one must be d's RAM (else -EINVAL
 * and nothing changes); each is unmapped and its reference put, so the page returns to the
 * allocator unless someone else still holds it; a direct-mapped domain's own pages are kept
 * for it instead (physmap_take_back).  -ENOMEM if a block had to be split and could
 * not be (the pages before it are already given back). */
int physmap_decrease(struct domain *d, struct gpa gpa, uint64_t pages);
/* A direct-mapped domain takes back RAM it gave back: each page of [gpa, gpa + pages) must be
 * its own RAM in place (left as it is) or a page it gave back and keeps (mapped where it was
 * again, with what it held).  0; -EINVAL (anything else, or not a direct-mapped domain, or
 * dying: nothing changes); -ENOMEM (a table page: the pages before it are back). */
int physmap_take_back(struct domain *d, struct gpa gpa, uint64_t pages);
/* Whether nothing at all is mapped in [gpa, gpa + size) (false once d is dying). */
bool physmap_range_empty(struct domain *d, struct gpa gpa, uint64_t size);
/* Undo a populate that failed part way: give back every RAM page mapped in [gpa, gpa + size)
 * (page aligned), a run of contiguous pages at a time, so the blocks populate made go whole.
 * 0; -EINVAL; -ENOMEM if a run ended inside a larger block that could not be split (what
 * came before stays given back). */
int physmap_unpopulate(struct domain *d, struct gpa gpa, uint64_t size);
/* Map the frame at pa as page gpa of d with type t, replacing what was there.  The mapping
 * takes over one reference the caller holds on pa.  0, -EINVAL, -ENOMEM (nothing changed; the
 * caller still holds its reference). */
int physmap_map_frame(struct domain *d, struct gpa gpa, paddr_t pa, enum p2m_type t);
/* The same, only if page gpa is unmapped or of a type in types (P2M_BIT mask): -EBUSY
 * otherwise (nothing changed, the caller keeps its reference). */
int physmap_replace_frame(struct domain *d, struct gpa gpa, paddr_t pa, enum p2m_type t,
                          unsigned types);
/* Unmap page gpa and put its frame's reference.  *old_t (may be NULL) gets what it was.
 * 0, -ENOENT (nothing mapped), -ENOMEM (a block had to be split; nothing changed). */
int physmap_unmap(struct domain *d, struct gpa gpa, enum p2m_type *old_t);
/* The same, only if page gpa is of a type in types (P2M_BIT mask): -ENOENT otherwise. */
int physmap_remove(struct domain *d, struct gpa gpa, unsigned types, enum p2m_type *old_t);
/* What page gpa of d is: 0 with *pa and *t, or -ENOENT. */
int physmap_lookup(struct domain *d, struct gpa gpa, paddr_t *pa, enum p2m_type *t);
/* A reference on the frame behind gpa if its type is in types (P2M_BIT mask): 0 with *pa
 * (of gpa itself), -EFAULT otherwise.  frame_put(*pa & PAGE_MASK, 1) when done. */
int physmap_get_frame(struct domain *d, struct gpa gpa, unsigned types, paddr_t *pa);
/* The highest guest frame number mapped in d (0 if none). */
uint64_t physmap_max_gfn(struct domain *d);
/* The domain touched gpa in a way its map does not allow (a write to a read-only page), or for
 * the first time (an access-flag fault on untouched RAM, which this makes RAM_RW).  The hook
 * where log-dirty tracking and access monitoring will act too, ahead of MMIO emulation: true
 * if the fault was dealt with and the access should run again, false to abort it. */
bool physmap_fault(struct domain *d, struct gpa gpa, bool write);
/* Wait until no change to d's map is under way: a hardware walk that failed on an entry
 * another CPU was replacing (break-before-make) gives the right answer when tried again. */
void physmap_settle(struct domain *d);
/* Empty d's map and put every reference it held (domain kill; no vCPU of d runs), a part at a
 * time: -ERESTART while some is left (take interrupts, then call again), 0 once it is empty. */
int physmap_release(struct domain *d);
