/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the grant-table files (gnttab.c, gnttab_map.c, gnttab_copy.c) and their unit test share:
 * the table, its entries' pin state, the maptrack, and pinning.  Locks: see <hyp/gnttab.h>.
 */
#pragma once

#include <hyp/gnttab.h>
#include <hyp/spinlock.h>

#define GNT_PER_FRAME GNTTAB_V1_ENTRIES_PER_FRAME /* 512 */

/* The hypervisor's side of one entry while it is in use (Xen's "active entry"). */
struct gnt_active {
    paddr_t pa;     /* the frame granted, captured at the first pin; referenced while pinned */
    uint16_t pins;  /* maps and copies in progress */
    uint16_t wpins; /* those that write */
    domid_t domid;  /* the domain that pinned it: the only one that may pin it until unpinned */
    bool ro_frame;  /* the frame is read-only in the granter's memory map */
};
#define GNT_ACTIVE_ORDER 1 /* 512 entries of 16 bytes: two pages per table frame */
_Static_assert(sizeof(struct gnt_active) * GNT_PER_FRAME == (PAGE_SIZE << GNT_ACTIVE_ORDER),
               "active entries of one frame");

/* One handle of the mapper's maptrack. */
struct mt_entry {
    struct domain *rd; /* the granter, whose reference the mapping holds */
    uint64_t gpa;      /* where the frame appears in the mapper's memory map */
    paddr_t pa;        /* the frame */
    grant_ref_t ref;   /* the granter's entry; the next free handle while on the free list */
    uint16_t flags;    /* MT_* */
    uint16_t pad;
};
#define MT_USED 1u   /* taken from the free list */
#define MT_MAPPED 2u /* a complete mapping: unmap may take it */
#define MT_BUSY 4u   /* an unmap is working on it */
#define MT_RO 8u     /* read-only mapping */
#define MT_PER_PAGE (PAGE_SIZE / sizeof(struct mt_entry))
#define MT_NONE 0xffffffffu

struct maptrack {
    struct spinlock lock;
    uint32_t max_pages;      /* limit (max_maptrack_frames) */
    uint32_t nr_pages;       /* pages of handles so far */
    uint32_t free_head;      /* first free handle, MT_NONE if none */
    uint32_t in_use;         /* handles taken */
    bool dead;               /* the domain is being killed: no mapping may complete */
    struct mt_entry **pages; /* [max_pages] */
};

struct gnttab {
    struct spinlock lock;
    uint32_t nr_frames;             /* frames of entries the table has now */
    uint32_t max_frames;            /* max_grant_frames */
    bool dying;                     /* the domain is being killed: no new pins */
    struct grant_entry_v1 **shared; /* [max_frames]: the pages the guest writes, FRAME_SHARED */
    struct gnt_active **active;     /* [max_frames] */
    uint64_t *gfn;                  /* [max_frames]: where each frame is mapped, or invalid */
    struct maptrack mt;
};

/* Pin entry ref of rd's table for domain ld_id, to write if write, as a map (map) or a copy:
 * GNTST_okay with *pa, the frame (referenced by the pin until the unpin), or bad_domain (rd
 * dying), bad_gntref, bad_page (not the granter's RAM), general_error (not granted to ld_id,
 * revoked, read-only, pinned by another domain, unstable). */
int16_t gnt_pin(struct domain *rd, grant_ref_t ref, domid_t ld_id, bool write, bool map,
                paddr_t *pa);
/* Undo one gnt_pin(.., write, ..) of rd's entry ref: the last pin clears GTF_reading and drops
 * the frame's reference, the last writable one GTF_writing. */
void gnt_unpin(struct domain *rd, grant_ref_t ref, bool write);

/* A reference to domain dom for ld: ld itself for DOMID_SELF if self_ok, else a listed domain;
 * NULL if there is none. */
struct domain *gnt_domain(struct domain *ld, domid_t dom, bool self_ok);

/* gnttab_map.c: whether ld holds a mapping of frame pa (for cache_flush), with a reference on
 * it taken for the caller if so. */
bool gnt_mapped_by(struct domain *ld, paddr_t pa);
/* gnttab_map.c: maptrack setup and teardown. */
int gnt_maptrack_init(struct maptrack *mt, uint32_t max_pages);
void gnt_maptrack_release(struct domain *d);
void gnt_maptrack_free(struct maptrack *mt);
