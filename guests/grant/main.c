/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant tables, version 1 (xen-abi-facts D), seen from a guest.  grant.role=self (the
 * tests/guest case) checks every grant_table_op sub-op's success and each of its errors on
 * this domain's own grants; the roles granter, mapper and intruder (tests/multi grant-pass)
 * pass data between two domains through a granted page while a third is refused.  This file
 * holds what the roles share and picks the role.
 */
#include "arm.h"
#include "bootargs.h"
#include "console.h"
#include "grant.h"
#include "guest.h"
#include "platform.h"
#include "test.h"

const char guest_name[] = "grant";

uint8_t gpages[8][4096] __attribute__((aligned(4096)));

long grant_frame_map(unsigned idx, uint64_t gpfn)
{
    static struct xen_add_to_physmap x;
    x = (struct xen_add_to_physmap){
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gpfn
    };
    return xen_hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uintptr_t)&x, 0, 0, 0);
}

static struct grant_entry_v1 *table;

/* A grant-table frame has one place in the map: mapped at a second gfn and back again, the
 * second place is empty (removing it finds nothing). */
static void frame_has_one_place(void)
{
    uint64_t base = GUEST_GNTTAB_BASE >> 12, spare = base + 1;
    long moved = grant_frame_map(0, spare);
    long back = grant_frame_map(0, base);
    static struct xen_remove_from_physmap r;
    r = (struct xen_remove_from_physmap){ .domid = DOMID_SELF, .gpfn = spare };
    long gone =
        xen_hypercall(HYPERVISOR_memory_op, XENMEM_remove_from_physmap, (uintptr_t)&r, 0, 0, 0);
    check(moved == 0 && back == 0 && gone == -XEN_ENOENT, "grant_frame_one_place",
          "frame 0 to gfn %#lx: %ld, back: %ld, the old place removed: %ld (want -ENOENT)", spare,
          moved, back, gone);
}

long table_init(void)
{
    long rc = grant_frame_map(0, GUEST_GNTTAB_BASE >> 12);
    if (!rc)
        frame_has_one_place();
    if (!rc)
        table = (struct grant_entry_v1 *)mmu_scratch_map(SLOT_TABLE, GUEST_GNTTAB_BASE, true);
    return rc;
}

struct grant_entry_v1 *entry(grant_ref_t ref)
{
    return &table[ref];
}

void grant_access(grant_ref_t ref, domid_t domid, uint64_t gfn, bool readonly)
{
    struct grant_entry_v1 *e = entry(ref);
    e->domid = domid;
    e->frame = (uint32_t)gfn;
    dmb(ishst); /* the hypervisor reads domid and frame only after it sees the flags */
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
}

bool grant_revoke(grant_ref_t ref)
{
    uint16_t *f = &entry(ref)->flags;
    uint16_t old = __atomic_load_n(f, __ATOMIC_ACQUIRE);
    do {
        if (old & (GTF_reading | GTF_writing))
            return false;
    } while (!__atomic_compare_exchange_n(f, &old, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

domid_t own_domid(void)
{
    static struct gnttab_query_size q;
    for (domid_t d = 0; d < 64; d++) {
        q = (struct gnttab_query_size){ .dom = d, .status = 1 };
        if (!gnttab_op(GNTTABOP_query_size, &q, 1) && q.status == GNTST_okay)
            return d;
    }
    return DOMID_INVALID;
}

int16_t grant_map(domid_t dom, grant_ref_t ref, uint64_t gpa, bool readonly, grant_handle_t *h,
                  uint64_t *bus)
{
    static struct gnttab_map_grant_ref op;
    op = (struct gnttab_map_grant_ref){ .host_addr = gpa,
                                        .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
                                        .ref = ref,
                                        .dom = dom,
                                        .status = 1 };
    long rc = gnttab_op(GNTTABOP_map_grant_ref, &op, 1);
    if (rc)
        return CALL_FAILED;
    if (op.status == GNTST_okay) {
        if (h)
            *h = op.handle;
        if (bus)
            *bus = op.dev_bus_addr;
    }
    return op.status;
}

int16_t grant_unmap(uint64_t gpa, uint64_t bus, grant_handle_t h)
{
    static struct gnttab_unmap_grant_ref op;
    op = (struct gnttab_unmap_grant_ref){
        .host_addr = gpa, .dev_bus_addr = bus, .handle = h, .status = 1
    };
    long rc = gnttab_op(GNTTABOP_unmap_grant_ref, &op, 1);
    return rc ? CALL_FAILED : op.status;
}

int16_t grant_copy(const void *src, grant_ref_t sref, domid_t sdom, void *dst, grant_ref_t dref,
                   domid_t ddom, uint16_t len)
{
    static struct gnttab_copy op;
    op = (struct gnttab_copy){ .len = len, .status = 1 };
    op.source.domid = sdom;
    op.dest.domid = ddom;
    if (src) {
        op.source.u.gmfn = GFN_OF(src);
        op.source.offset = (uint16_t)((uintptr_t)src & 4095);
    } else {
        op.source.u.ref = sref;
        op.flags |= GNTCOPY_source_gref;
    }
    if (dst) {
        op.dest.u.gmfn = GFN_OF(dst);
        op.dest.offset = (uint16_t)((uintptr_t)dst & 4095);
    } else {
        op.dest.u.ref = dref;
        op.flags |= GNTCOPY_dest_gref;
    }
    long rc = gnttab_op(GNTTABOP_copy, &op, 1);
    return rc ? CALL_FAILED : op.status;
}

void guest_main(void *dtb)
{
    if (!plat.hypervisor) {
        note("grant: no hypervisor, no grant tables to test");
        return;
    }
    if (bootarg_is("grant.role", "granter"))
        role_granter();
    else if (bootarg_is("grant.role", "mapper"))
        role_mapper();
    else if (bootarg_is("grant.role", "intruder"))
        role_intruder();
    else
        role_self();
}
