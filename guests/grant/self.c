/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grant.role=self: every grant_table_op sub-op on this domain's own table, its success and each
 * of its errors, with the statuses and errno values Xen 4.17 on Arm gives; argument pointers
 * that are unmapped, read-only, in device memory, wrapping or misaligned.  A domain may map
 * and copy its own grants (by its numeric id), which is how one domain tests both ends.
 */
#include "arm.h"
#include "console.h"
#include "grant.h"
#include "platform.h"
#include "test.h"

#define REF_RW 8       /* gpages[0], writable */
#define REF_RO 9       /* gpages[1], read-only */
#define REF_INVALID 10 /* never granted */
#define REF_OTHER 11   /* gpages[2], granted to another domain */
#define NO_DOMAIN 0x7000

static domid_t self;
static uint64_t va_unmapped, va_readonly;
static uint8_t ro_page[4096] __attribute__((aligned(4096)));

static void expect_rc(const char *name, long got, long want, const char *why)
{
    check(got == want, name, "%ld, want %ld: %s", got, want, why);
}

static void expect_st(const char *name, int16_t got, int16_t want, const char *why)
{
    check(got == want, name, "status %d, want %d: %s", got, want, why);
}

static void versions(void)
{
    static struct gnttab_set_version sv;
    static struct gnttab_get_version gv;
    sv.version = 1;
    expect_rc("gnt_set_version_1", gnttab_op(GNTTABOP_set_version, &sv, 1), 0, "version 1");
    sv.version = 2;
    expect_rc("gnt_set_version_2", gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS,
              "version 2 is refused, as on Xen/Arm with max_grant_version 1");
    check(sv.version == 1, "gnt_set_version_2_says_1", "version in force %u", sv.version);
    sv.version = 3;
    expect_rc("gnt_set_version_bad", gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL,
              "no version 3");
    gv = (struct gnttab_get_version){ .dom = DOMID_SELF };
    long rc = gnttab_op(GNTTABOP_get_version, &gv, 1);
    check(rc == 0 && gv.version == 1, "gnt_get_version", "rc %ld version %u", rc, gv.version);
    gv.dom = NO_DOMAIN;
    expect_rc("gnt_get_version_nodomain", gnttab_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH,
              "no such domain");
    expect_rc("gnt_set_version_unmapped", gnttab_op(GNTTABOP_set_version, (void *)va_unmapped, 1),
              -XEN_EFAULT, "argument not mapped");
}

static void sizes_and_commands(void)
{
    static struct gnttab_query_size q;
    q = (struct gnttab_query_size){ .dom = DOMID_SELF, .status = 1 };
    long rc = gnttab_op(GNTTABOP_query_size, &q, 1);
    check(rc == 0 && q.status == GNTST_okay && q.nr_frames >= 1 && q.max_nr_frames == 64,
          "gnt_query_size", "rc %ld status %d: %u of %u frames", rc, q.status, q.nr_frames,
          q.max_nr_frames);
    q.dom = NO_DOMAIN;
    rc = gnttab_op(GNTTABOP_query_size, &q, 1);
    check(rc == 0 && q.status == GNTST_bad_domain, "gnt_query_size_nodomain", "rc %ld status %d",
          rc, q.status);
    expect_rc("gnt_query_size_count", gnttab_op(GNTTABOP_query_size, &q, 2), -XEN_EINVAL,
              "query_size takes one struct");
    expect_rc("gnt_query_size_unmapped", gnttab_op(GNTTABOP_query_size, (void *)va_unmapped, 1),
              -XEN_EFAULT, "argument not mapped");
    expect_rc("gnt_query_size_readonly", gnttab_op(GNTTABOP_query_size, (void *)va_readonly, 1),
              -XEN_EFAULT, "results cannot be written back");
    expect_rc("gnt_query_size_device", gnttab_op(GNTTABOP_query_size, (void *)plat.gicd, 1),
              -XEN_EFAULT, "the distributor is no memory");
    expect_rc("gnt_query_size_wraps", gnttab_op(GNTTABOP_query_size, (void *)~7UL, 1), -XEN_EFAULT,
              "the struct wraps around the address space");
    /* Misaligned is fine: Xen copies bytes. */
    static uint8_t buf[32] __attribute__((aligned(8)));
    struct gnttab_query_size mq = { .dom = DOMID_SELF, .status = 1 };
    __builtin_memcpy(buf + 1, &mq, sizeof(mq));
    rc = gnttab_op(GNTTABOP_query_size, buf + 1, 1);
    __builtin_memcpy(&mq, buf + 1, sizeof(mq));
    check(rc == 0 && mq.status == GNTST_okay, "gnt_query_size_misaligned", "rc %ld status %d", rc,
          mq.status);
    expect_rc("gnt_unknown_cmd", gnttab_op(13, &q, 1), -XEN_ENOSYS, "no sub-op 13");
    expect_rc("gnt_cmd_high_bits", gnttab_op(0x1000 | GNTTABOP_query_size, &q, 1), -XEN_EINVAL,
              "bits above the sub-op are a continuation's, not a guest's");
    expect_rc("gnt_negative_count", gnttab_op(GNTTABOP_copy, &q, 0x80000000u), -XEN_EINVAL,
              "count is an int");
    expect_rc("gnt_transfer", gnttab_op(GNTTABOP_transfer, &q, 1), -XEN_EOPNOTSUPP,
              "page transfer is x86 PV only");
    expect_rc("gnt_empty_batch", gnttab_op(GNTTABOP_copy, (void *)va_unmapped, 0), 0,
              "count 0 reads nothing");
    static struct gnttab_get_status_frames sf;
    sf = (struct gnttab_get_status_frames){ .nr_frames = 0, .dom = DOMID_SELF, .status = 1 };
    rc = gnttab_op(GNTTABOP_get_status_frames, &sf, 1);
    check(rc == 0 && sf.status == GNTST_okay, "gnt_status_frames_none", "rc %ld status %d", rc,
          sf.status);
    sf.nr_frames = 1;
    rc = gnttab_op(GNTTABOP_get_status_frames, &sf, 1);
    check(rc == 0 && sf.status == GNTST_general_error, "gnt_status_frames_v1",
          "rc %ld status %d: version 1 has none", rc, sf.status);
    static struct gnttab_dump_table dt;
    dt = (struct gnttab_dump_table){ .dom = DOMID_SELF, .status = 1 };
    rc = gnttab_op(GNTTABOP_dump_table, &dt, 1);
    check(rc == 0 && dt.status == GNTST_okay, "gnt_dump_table", "rc %ld status %d", rc, dt.status);
}

/* The table's frames: mapped with memory_op, grown, reported by setup_table. */
static bool frames(void)
{
    long rc = table_init();
    if (rc == -XEN_ENOSYS) {
        note("memory_op has no XENMAPSPACE_grant_table here: the checks on entries are skipped");
        return false;
    }
    if (!check(rc == 0, "gnt_table_frame0", "add_to_physmap(grant_table, 0) = %ld", rc))
        return false;
    rc = grant_frame_map(1, (GUEST_GNTTAB_BASE >> 12) + 1);
    static struct gnttab_query_size q;
    q = (struct gnttab_query_size){ .dom = DOMID_SELF, .status = 1 };
    gnttab_op(GNTTABOP_query_size, &q, 1);
    check(rc == 0 && q.nr_frames == 2, "gnt_table_grows", "frame 1: %ld, now %u frames", rc,
          q.nr_frames);
    rc = grant_frame_map(64, (GUEST_GNTTAB_BASE >> 12) + 64);
    check(rc < 0, "gnt_table_limit", "frame 64 of 64: %ld", rc);
    static struct gnttab_setup_table st;
    static uint64_t list[4];
    st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 2, .status = 1 };
    st.frame_list = (uintptr_t)list;
    rc = gnttab_op(GNTTABOP_setup_table, &st, 1);
    check(rc == 0 && st.status == GNTST_okay, "gnt_setup_table", "rc %ld status %d", rc, st.status);
    st.nr_frames = 65;
    rc = gnttab_op(GNTTABOP_setup_table, &st, 1);
    check(rc == 0 && st.status == GNTST_general_error, "gnt_setup_table_limit", "rc %ld status %d",
          rc, st.status);
    st.nr_frames = 1;
    st.frame_list = va_unmapped;
    rc = gnttab_op(GNTTABOP_setup_table, &st, 1);
    check(rc == 0 && st.status == GNTST_bad_virt_addr, "gnt_setup_table_unmapped_list",
          "rc %ld status %d", rc, st.status);
    st.dom = NO_DOMAIN;
    rc = gnttab_op(GNTTABOP_setup_table, &st, 1);
    check(rc == 0 && st.status == GNTST_bad_domain, "gnt_setup_table_nodomain", "rc %ld status %d",
          rc, st.status);
    return true;
}

/* Run while REF_RW is mapped once: no error changes its flags. */
static void map_errors(void)
{
    uint16_t flags = entry(REF_RW)->flags;
    static struct gnttab_map_grant_ref op;
    op = (struct gnttab_map_grant_ref){ .host_addr = MAP_AT(9), .ref = REF_RW, .dom = self };
    gnttab_op(GNTTABOP_map_grant_ref, &op, 1);
    expect_st("gnt_map_no_flags", op.status, GNTST_bad_gntref, "neither host nor device map");
    op.flags = GNTMAP_host_map | GNTMAP_device_map;
    gnttab_op(GNTTABOP_map_grant_ref, &op, 1);
    expect_st("gnt_map_device", op.status, GNTST_general_error, "Arm takes host maps only");
    expect_st("gnt_map_self_domid", grant_map(DOMID_SELF, REF_RW, MAP_AT(9), false, 0, 0),
              GNTST_bad_domain, "DOMID_SELF is no granter");
    expect_st("gnt_map_nodomain", grant_map(NO_DOMAIN, REF_RW, MAP_AT(9), false, 0, 0),
              GNTST_bad_domain, "no such domain");
    expect_st("gnt_map_bad_ref", grant_map(self, 2 * 512, MAP_AT(9), false, 0, 0), GNTST_bad_gntref,
              "beyond the table's 2 frames");
    expect_st("gnt_map_invalid_entry", grant_map(self, REF_INVALID, MAP_AT(9), false, 0, 0),
              GNTST_general_error, "never granted");
    expect_st("gnt_map_not_granted_to_me", grant_map(self, REF_OTHER, MAP_AT(9), false, 0, 0),
              GNTST_general_error, "granted to another domain");
    expect_st("gnt_map_ro_grant_writable", grant_map(self, REF_RO, MAP_AT(9), false, 0, 0),
              GNTST_general_error, "a read-only grant mapped writable");
    expect_st("gnt_map_addr_too_high", grant_map(self, REF_RW, 1UL << 52, false, 0, 0),
              GNTST_general_error, "no guest-physical address there");
    check(entry(REF_RW)->flags == flags, "gnt_map_errors_leave_entry", "flags %#x",
          entry(REF_RW)->flags);
    expect_rc("gnt_map_unmapped_arg", gnttab_op(GNTTABOP_map_grant_ref, (void *)va_unmapped, 1),
              -XEN_EFAULT, "argument not mapped");
    __builtin_memcpy(ro_page, &op, sizeof(op));
    expect_rc("gnt_map_readonly_arg", gnttab_op(GNTTABOP_map_grant_ref, (void *)va_readonly, 1),
              -XEN_EFAULT, "results cannot be written back");
    check(entry(REF_RW)->flags == flags, "gnt_map_readonly_arg_nothing_done", "flags %#x",
          entry(REF_RW)->flags);
}

static void map_unmap(void)
{
    grant_handle_t h, h2;
    uint64_t bus = 0;
    gpages[0][0] = 0x11;
    int16_t st = grant_map(self, REF_RW, MAP_AT(0), false, &h, &bus);
    check(st == GNTST_okay && bus, "gnt_map_rw", "status %d handle %u bus %#lx", st, h, bus);
    check(entry(REF_RW)->flags == (GTF_permit_access | GTF_reading | GTF_writing),
          "gnt_map_sets_in_use", "flags %#x", entry(REF_RW)->flags);
    volatile uint8_t *m = (volatile uint8_t *)mmu_scratch_map(SLOT_MAP(0), MAP_AT(0), true);
    m[1] = 0x22;
    check(m[0] == 0x11 && gpages[0][1] == 0x22, "gnt_map_same_page",
          "read %#x through the mapping, the page reads %#x", m[0], gpages[0][1]);
    check(!grant_revoke(REF_RW), "gnt_revoke_while_mapped", "the owner cannot end a mapped grant");
    st = grant_map(self, REF_RO, MAP_AT(1), true, &h2, 0);
    check(st == GNTST_okay &&
              entry(REF_RO)->flags == (GTF_permit_access | GTF_readonly | GTF_reading),
          "gnt_map_ro", "status %d flags %#x", st, entry(REF_RO)->flags);
    map_errors();
    expect_st("gnt_unmap_bad_handle", grant_unmap(MAP_AT(0), 0, 0xffff), GNTST_bad_handle,
              "no such handle");
    expect_st("gnt_unmap_wrong_addr", grant_unmap(MAP_AT(5), 0, h), GNTST_general_error,
              "not where it is mapped");
    static struct gnttab_unmap_and_replace ur;
    ur = (struct gnttab_unmap_and_replace){
        .host_addr = MAP_AT(0), .new_addr = MAP_AT(5), .handle = h, .status = 1
    };
    gnttab_op(GNTTABOP_unmap_and_replace, &ur, 1);
    expect_st("gnt_unmap_replace_new_addr", ur.status, GNTST_general_error, "Arm cannot replace");
    ur.new_addr = 0;
    gnttab_op(GNTTABOP_unmap_and_replace, &ur, 1);
    expect_st("gnt_unmap_and_replace", ur.status, GNTST_okay, "new_addr 0 unmaps");
    check(entry(REF_RW)->flags == GTF_permit_access, "gnt_unmap_clears_in_use", "flags %#x",
          entry(REF_RW)->flags);
    expect_st("gnt_unmap_twice", grant_unmap(MAP_AT(0), 0, h), GNTST_bad_handle, "gone");
    expect_st("gnt_unmap_ro_other_bus", grant_unmap(MAP_AT(1), bus + 4096, h2), GNTST_okay,
              "read-only; the device address is not checked for a host mapping, as Xen 4.17");
    mmu_scratch_unmap(SLOT_MAP(0));
    /* Two in one call: one element fails, the call does not. */
    static struct gnttab_map_grant_ref two[2];
    two[0] = (struct gnttab_map_grant_ref){
        .host_addr = MAP_AT(2), .flags = GNTMAP_host_map, .ref = REF_RW, .dom = self, .status = 1
    };
    two[1] = two[0];
    two[1].ref = REF_INVALID;
    long rc = gnttab_op(GNTTABOP_map_grant_ref, two, 2);
    check(rc == 0 && two[0].status == GNTST_okay && two[1].status == GNTST_general_error,
          "gnt_map_batch", "rc %ld statuses %d %d", rc, two[0].status, two[1].status);
    grant_unmap(MAP_AT(2), 0, two[0].handle);
    check(grant_revoke(REF_RW), "gnt_revoke", "unmapped: the owner ends it");
    expect_st("gnt_map_revoked", grant_map(self, REF_RW, MAP_AT(0), false, 0, 0),
              GNTST_general_error, "a revoked grant");
    grant_access(REF_RW, self, GFN_OF(gpages[0]), false);
}

void role_self(void)
{
    va_unmapped = mmu_scratch_va(500);
    mmu_scratch_unmap(500);
    va_readonly = mmu_scratch_map(501, (uintptr_t)ro_page, false);
    versions();
    sizes_and_commands();
    if (!frames())
        return;
    self = own_domid();
    if (!check(self != DOMID_INVALID, "gnt_own_domid", "query_size answers for domain %u", self))
        return;
    grant_access(REF_RW, self, GFN_OF(gpages[0]), false);
    grant_access(REF_RO, self, GFN_OF(gpages[1]), true);
    grant_access(REF_OTHER, (domid_t)(self + 1), GFN_OF(gpages[2]), false);
    map_unmap();
    self_copy(self);
}
