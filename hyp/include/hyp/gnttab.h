/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (xen-abi-facts D): each domain's table of grants and the frames that
 * hold it, the maps and copies other domains make through it, and the domain's own maptrack
 * (the handles of the mappings it made of others' grants).  Lives in core/grant/.  The
 * operations take kernel structs and the calling domain; hypercall decoding is in
 * core/hypercall/grant_table_op.c.
 *
 * Lifetime: a pinned entry (mapped, or being copied) holds a reference on the granted frame;
 * each mapping holds one more in the mapper's memory map and a domain reference on the
 * granter, so a granter that dies while mapped keeps that page, and its table, until the last
 * mapping goes.  Killing a domain releases every mapping it holds of others' frames, which
 * breaks reference cycles between domains mapping each other.
 *
 * Locking: gt->lock (one per domain's table) guards the table's frames, its size and every
 * entry's pin state; it nests outside the domain's p2m_lock, the heap's and the page
 * allocator's.  gt->mt.lock guards the domain's maptrack; nothing is taken under it but the
 * heap and the page allocator.  Neither is ever held with the other, with another domain's
 * table lock or with d->lock.
 */
#pragma once

#include <hyp/domain.h>
#include <xen/grant_table.h>

/* Per-domain limits (dom0less max_grant_frames, max_maptrack_frames): Xen's defaults, which
 * are also the most Keel allows.  A maptrack frame is a page of handles (128). */
#define GNTTAB_DEFAULT_MAX_FRAMES 64
#define GNTTAB_MAX_FRAMES_LIMIT 64
#define GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES 1024
#define GNTTAB_MAX_MAPTRACK_FRAMES_LIMIT 1024
/* domain_config.max_maptrack_frames for none at all (0 there means the default). */
#define GNTTAB_NO_MAPTRACK UINT32_MAX

/* --- domain lifecycle (core/domain.c) --- */

/* d's table (one frame, grown on demand up to its limit) and maptrack, limits from d->cfg.
 * 0, -EINVAL (a limit out of range), -ENOMEM. */
int gnttab_domain_init(struct domain *d);
/* d is being killed: refuse new pins of its entries and new mappings by d, release every
 * mapping d holds of others' grants (their entries' GTF_reading/GTF_writing are cleared as the
 * pins go; the frames' references in d's memory map go with physmap_release) and free d's
 * maptrack pages.  A map or unmap still running on another vCPU of d undoes itself. */
void gnttab_domain_kill(struct domain *d);
/* The last reference: free the table's frames and the maptrack.  Copes with a partial init. */
void gnttab_domain_free(struct domain *d);

/* --- the memory_op side (XENMAPSPACE_grant_table) --- */

/* Frame idx of d's grant table, grown to idx + 1 frames if it is smaller (up to d's limit):
 * *pa is its host address, for XENMAPSPACE_grant_table.  -EINVAL beyond the limit or for a
 * dying domain, -ENOMEM.  The caller maps it with physmap_map_frame after taking a reference
 * (frame_ref). */
int gnttab_frame_for_map(struct domain *d, uint64_t idx, paddr_t *pa);
/* Frame idx of d's table now appears at gfn in d's memory map (what setup_table reports;
 * GNTTAB_INVALID_GFN until said).  Returns the gfn noted before, GNTTAB_INVALID_GFN if none. */
uint64_t gnttab_note_frame_gfn(struct domain *d, uint64_t idx, uint64_t gfn);

/* --- operations (the caller is ld, the domain whose vCPU made the call) --- */

/* map_grant_ref: fills op->status and, on GNTST_okay, op->handle and op->dev_bus_addr. */
void gnttab_map(struct domain *ld, struct gnttab_map_grant_ref *op);
/* unmap_grant_ref (new_addr 0) and unmap_and_replace: the GNTST_* status.  dev_bus_addr is
 * not checked: it concerns device mappings, which Keel does not make. */
int16_t gnttab_unmap(struct domain *ld, uint64_t host_addr, uint64_t dev_bus_addr,
                     uint64_t new_addr, grant_handle_t handle);
/* copy: the GNTST_* status (the data is copied when it is GNTST_okay). */
int16_t gnttab_copy(struct domain *ld, const struct gnttab_copy *op);
/* query_size: fills op's outputs and status. */
void gnttab_query_size(struct domain *ld, struct gnttab_query_size *op);
/* setup_table: grows dom's table to nr frames and calls emit(ctx, i, gfn) for each of them,
 * gfn as gnttab_note_frame_gfn said; an emit that fails makes the status GNTST_bad_virt_addr.
 * Returns the status. */
int16_t gnttab_setup_table(struct domain *ld, domid_t dom, uint32_t nr,
                           int (*emit)(void *ctx, uint32_t i, uint64_t gfn), void *ctx);
/* set_version: 0, -EINVAL (not 1 or 2), -ENOSYS (2: only version 1 exists, as on Xen with
 * max_grant_version 1); *version becomes the version in force either way. */
long gnttab_set_version(struct domain *ld, uint32_t *version);
/* get_version of op->dom: 0 with op->version, -ESRCH, -EPERM. */
long gnttab_get_version(struct domain *ld, struct gnttab_get_version *op);
/* get_status_frames (version 2 only): the status for nr frames of dom (none exist). */
int16_t gnttab_get_status_frames(struct domain *ld, domid_t dom, uint32_t nr);
/* dump_table: a summary of dom's table on Keel's console; the status. */
int16_t gnttab_dump_table(struct domain *ld, domid_t dom);
/* swap_grant_ref: exchange two of ld's own entries; the status. */
int16_t gnttab_swap(struct domain *ld, grant_ref_t a, grant_ref_t b);
/* cache_flush of one range: 0, -EINVAL, -EPERM. */
long gnttab_cache_flush(struct domain *ld, const struct gnttab_cache_flush *op);
