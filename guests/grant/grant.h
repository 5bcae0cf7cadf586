/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The grant test guest's shared pieces: hypercall wrappers, its own grant table (frame 0 mapped
 * at the start of Xen's grant window and reached through scratch slot 0), granting and revoking
 * the way Linux does (xen-abi-facts D.1), and the pages it grants.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <xen/grant_table.h>
#include <xen/memory.h>

#include "xen.h"

/* Where this guest maps what it is granted: above its own table's frames, in the window. */
#define MAP_BASE (GUEST_GNTTAB_BASE + 0x800000)
#define MAP_AT(i) (MAP_BASE + (uint64_t)(i)*4096)
/* Scratch slots: 0 and 1 its own table's frames, from 8 the mappings. */
#define SLOT_TABLE 0
#define SLOT_MAP(i) (8 + (i))

/* Pages this guest grants or copies with, in its .bss (guest-physical = virtual). */
extern uint8_t gpages[8][4096];
#define GFN_OF(p) ((uint64_t)(uintptr_t)(p) >> 12)

static inline long gnttab_op(unsigned cmd, const void *arg, unsigned count)
{
    return xen_hypercall(HYPERVISOR_grant_table_op, cmd, (uintptr_t)arg, count, 0, 0);
}

/* XENMEM_add_to_physmap of grant-table frame idx at gpfn. */
long grant_frame_map(unsigned idx, uint64_t gpfn);
/* Map frame 0 of the own table and reach it (0, or what memory_op said). */
long table_init(void);
/* The own table's entry ref (frame 0 only). */
struct grant_entry_v1 *entry(grant_ref_t ref);
/* Grant gfn to domid as entry ref (domid and frame first, then the flags). */
void grant_access(grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly);
/* Linux's end_foreign_access: false while the grantee has it mapped (reading or writing). */
bool grant_revoke(grant_ref_t ref);
/* The domain id of this guest, found by query_size (only its own table answers "okay"). */
domid_t own_domid(void);

/* What the one-element wrappers below return when the call itself failed (no GNTST_ status). */
#define CALL_FAILED (-100)

/* One map_grant_ref of dom's ref at gpa: the status, *h and *bus set on success. */
int16_t grant_map(domid_t dom, grant_ref_t ref, uint64_t gpa, bool readonly, grant_handle_t *h,
                  uint64_t *bus);
/* One unmap_grant_ref: the status. */
int16_t grant_unmap(uint64_t gpa, uint64_t bus, grant_handle_t h);
/* One copy of len bytes; a NULL page end means the gref end (ref of dom): the status. */
int16_t grant_copy(const void *src, grant_ref_t sref, domid_t sdom, void *dst, grant_ref_t dref,
                   domid_t ddom, uint16_t len);

/* The roles (grant.role=...): self (tests/guest) and the three of tests/multi grant-pass. */
void role_self(void);
void role_granter(void);
void role_mapper(void);
void role_intruder(void);
/* self's copy, swap and cache_flush checks (copy.c), once its entries are set up. */
void self_copy(domid_t self);
