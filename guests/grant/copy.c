/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grant.role=self, continued: copy (one element, batches long enough to be preempted or lying
 * across pages, every error), swap_grant_ref and cache_flush on this domain's own grants.
 */
#include "arm.h"
#include "console.h"
#include "grant.h"
#include "platform.h"
#include "test.h"

#define REF_RW 8 /* as self.c set them up */
#define REF_RO 9
#define REF_OTHER 11
#define NO_DOMAIN 0x7000
#define BATCH 64

static void expect_st(const char *name, int16_t got, int16_t want, const char *why)
{
    check(got == want, name, "status %d, want %d: %s", got, want, why);
}

static void fill(uint8_t *p, uint8_t seed)
{
    for (unsigned i = 0; i < 4096; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static bool same(const uint8_t *a, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Own frame to own frame for lengths and offsets on each side of the copy's strides (bytes,
 * 16-byte pairs, 256-byte SIMD turns) and unaligned: the range arrives, the bytes around it in
 * the destination page stay as they were. */
static void copy_shapes(void)
{
    static const uint16_t lens[] = { 1, 15, 16, 17, 255, 256, 257, 1500, 3000, 4095 };
    static const uint16_t offs[] = { 0, 1, 8, 100 };
    unsigned bad = 0, tried = 0;
    for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
        for (unsigned so = 0; so < 4; so++)
            for (unsigned dof = 0; dof < 4; dof++) {
                uint16_t n = lens[l], s0 = offs[so], d0 = offs[(so + dof) % 4];
                if (s0 + n > 4096 || d0 + n > 4096)
                    continue;
                fill(gpages[3], (uint8_t)(l + so));
                fill(gpages[4], 200);
                fill(gpages[5], 200);
                tried++;
                int16_t st =
                    grant_copy(gpages[3] + s0, 0, DOMID_SELF, gpages[4] + d0, 0, DOMID_SELF, n);
                bool ok = st == GNTST_okay && same(gpages[4] + d0, gpages[3] + s0, n) &&
                          same(gpages[4], gpages[5], d0) &&
                          same(gpages[4] + d0 + n, gpages[5] + d0 + n, 4096 - d0 - n);
                if (!ok && !bad++)
                    printf("GUEST-INFO first bad copy: %u bytes, offsets %u -> %u, status %d\n", n,
                           s0, d0, st);
            }
    check(!bad && tried, "gnt_copy_shapes", "%u of %u lengths/offsets copied exactly", tried - bad,
          tried);
}

/* A page-sized copy (Keel moves it through q0-q15) leaves this vCPU's FP/SIMD registers as
 * they were. */
static void copy_keeps_fp(domid_t self)
{
    static uint64_t want[64], got[64];
    for (unsigned i = 0; i < 64; i++)
        want[i] = 0x0123456789abcdefULL * (i + 1);
    fill(gpages[3], 5);
    fp_write_all(want);
    int16_t st = grant_copy(gpages[3], 0, DOMID_SELF, NULL, REF_RW, self, 4096);
    fp_read_all(got);
    unsigned diff = 0;
    for (unsigned i = 0; i < 64; i++)
        diff += got[i] != want[i];
    check(st == GNTST_okay && !diff, "gnt_copy_keeps_fp", "status %d, %u of 64 FP words changed",
          st, diff);
}

static void copy_ok(domid_t self)
{
    copy_shapes();
    copy_keeps_fp(self);
    fill(gpages[3], 1);
    int16_t st = grant_copy(gpages[3], 0, DOMID_SELF, NULL, REF_RW, self, 4096);
    check(st == GNTST_okay && same(gpages[0], gpages[3], 4096), "gnt_copy_to_gref",
          "status %d, 4 KiB from an own frame into a grant", st);
    check(entry(REF_RW)->flags == GTF_permit_access, "gnt_copy_unpins", "flags %#x",
          entry(REF_RW)->flags);
    fill(gpages[1], 9);
    st = grant_copy(NULL, REF_RO, DOMID_SELF, gpages[4] + 100, 0, DOMID_SELF, 50);
    check(st == GNTST_okay && same(gpages[4] + 100, gpages[1], 50), "gnt_copy_from_ro_gref",
          "status %d, 50 bytes from a read-only grant, DOMID_SELF", st);
    st = grant_copy(NULL, REF_RO, self, NULL, REF_RW, self, 4096);
    check(st == GNTST_okay && same(gpages[0], gpages[1], 4096), "gnt_copy_gref_to_gref",
          "status %d", st);
    /* A batch long enough for Keel to stop and continue it (preemption), all done. */
    static struct gnttab_copy ops[BATCH];
    for (unsigned i = 0; i < BATCH; i++) {
        ops[i] = (struct gnttab_copy){ .len = 4096, .status = 1 };
        ops[i].source.u.gmfn = GFN_OF(gpages[i % 2 ? 3 : 1]);
        ops[i].source.domid = DOMID_SELF;
        ops[i].dest.u.ref = REF_RW;
        ops[i].dest.domid = DOMID_SELF;
        ops[i].flags = GNTCOPY_dest_gref;
    }
    fill(gpages[3], 42);
    long rc = gnttab_op(GNTTABOP_copy, ops, BATCH);
    unsigned ok = 0;
    for (unsigned i = 0; i < BATCH; i++)
        ok += ops[i].status == GNTST_okay;
    check(rc == 0 && ok == BATCH && same(gpages[0], gpages[3], 4096), "gnt_copy_batch",
          "rc %ld, %u of %u copies done, the last one's data there", rc, ok, BATCH);
}

/* One copy of 64 bytes from own frame gpages[3] at byte 64 * seed into grant REF_RW. */
static struct gnttab_copy small_copy(unsigned seed)
{
    struct gnttab_copy op = { .len = 64, .status = 1, .flags = GNTCOPY_dest_gref };
    op.source.u.gmfn = GFN_OF(gpages[3]);
    op.source.offset = (uint16_t)(64 * seed);
    op.source.domid = DOMID_SELF;
    op.dest.u.ref = REF_RW;
    op.dest.offset = (uint16_t)(64 * seed);
    op.dest.domid = DOMID_SELF;
    return op;
}

/* Where a batch's array lies: Keel reads it a page at a time, so arrays across pages, on a
 * page mapped read-only, and running into an unmapped page each take another path. */
static void copy_batch_pages(void)
{
    fill(gpages[3], 77);
    /* Six elements from 3 before the end of gpages[5]: the fourth lies across the two pages. */
    struct gnttab_copy *ops =
        (struct gnttab_copy *)(void *)(gpages[5] + 4096 - 3 * sizeof(*ops) - 8);
    for (unsigned i = 0; i < 6; i++)
        ops[i] = small_copy(i);
    long rc = gnttab_op(GNTTABOP_copy, ops, 6);
    unsigned ok = 0;
    for (unsigned i = 0; i < 6; i++)
        ok += ops[i].status == GNTST_okay;
    check(rc == 0 && ok == 6 && same(gpages[0], gpages[3], 6 * 64), "gnt_copy_batch_across_pages",
          "rc %ld, %u of 6 done", rc, ok);
    /* Mapped read-only: done, then its status cannot go back (as Xen: copied, -EFAULT). */
    fill(gpages[3], 78);
    struct gnttab_copy *ro = (struct gnttab_copy *)(void *)gpages[6];
    ro[0] = small_copy(0);
    rc = gnttab_op(GNTTABOP_copy, (void *)mmu_scratch_map(502, (uintptr_t)gpages[6], false), 1);
    check(rc == -XEN_EFAULT && ro[0].status == 1 && same(gpages[0], gpages[3], 64),
          "gnt_copy_readonly_arg_done", "rc %ld status %d: copied, status not written", rc,
          ro[0].status);
    /* The last element of a mapped page, then an unmapped one: the first is done and says so,
     * the call ends with -EFAULT at the second. */
    fill(gpages[3], 79);
    uint64_t va = mmu_scratch_map(503, (uintptr_t)gpages[7], true);
    mmu_scratch_unmap(504);
    struct gnttab_copy *last = (struct gnttab_copy *)(void *)(gpages[7] + 4096 - sizeof(*last));
    *last = small_copy(1);
    rc = gnttab_op(GNTTABOP_copy, (void *)(va + 4096 - sizeof(*last)), 2);
    check(rc == -XEN_EFAULT && last->status == GNTST_okay &&
              same(gpages[0] + 64, gpages[3] + 64, 64),
          "gnt_copy_batch_into_unmapped", "rc %ld, first status %d", rc, last->status);
    mmu_scratch_unmap(502);
    mmu_scratch_unmap(503);
}

static void copy_errors(domid_t self)
{
    expect_st("gnt_copy_ro_dest", grant_copy(gpages[3], 0, DOMID_SELF, NULL, REF_RO, self, 8),
              GNTST_general_error, "writing a read-only grant");
    expect_st("gnt_copy_too_long",
              grant_copy(gpages[3] + 4000, 0, DOMID_SELF, NULL, REF_RW, self, 100),
              GNTST_bad_copy_arg, "source offset + length past the page");
    expect_st("gnt_copy_dest_too_long",
              grant_copy(gpages[3], 0, DOMID_SELF, gpages[4] + 4090, 0, DOMID_SELF, 100),
              GNTST_bad_copy_arg, "destination offset + length past the page");
    expect_st("gnt_copy_foreign_gmfn", grant_copy(gpages[3], 0, self, gpages[4], 0, DOMID_SELF, 8),
              GNTST_permission_denied, "a frame number must be the caller's own (DOMID_SELF)");
    expect_st("gnt_copy_nodomain", grant_copy(NULL, REF_RW, NO_DOMAIN, gpages[4], 0, DOMID_SELF, 8),
              GNTST_bad_domain, "no such domain");
    expect_st("gnt_copy_bad_ref", grant_copy(NULL, 5000, self, gpages[4], 0, DOMID_SELF, 8),
              GNTST_bad_gntref, "beyond the table");
    expect_st("gnt_copy_not_granted_to_me",
              grant_copy(NULL, REF_OTHER, self, gpages[4], 0, DOMID_SELF, 8), GNTST_general_error,
              "granted to another domain");
    /* Own frames that are not RAM: a hole and the distributor. */
    expect_st("gnt_copy_hole",
              grant_copy((void *)(MAP_BASE + 0x100000), 0, DOMID_SELF, gpages[4], 0, DOMID_SELF, 8),
              GNTST_bad_page, "nothing there");
    expect_st("gnt_copy_device",
              grant_copy(gpages[3], 0, DOMID_SELF, (void *)plat.gicd, 0, DOMID_SELF, 8),
              GNTST_bad_page, "device memory");
    long rc = gnttab_op(GNTTABOP_copy, (void *)~15UL, 1);
    check(rc == -XEN_EFAULT, "gnt_copy_wrapping_arg", "%ld: the struct wraps around", rc);
}

static void swap(domid_t self)
{
    static struct gnttab_swap_grant_ref sw;
    sw = (struct gnttab_swap_grant_ref){ .ref_a = REF_RW, .ref_b = REF_OTHER, .status = 1 };
    gnttab_op(GNTTABOP_swap_grant_ref, &sw, 1);
    check(sw.status == GNTST_okay && entry(REF_RW)->domid == self + 1 &&
              entry(REF_OTHER)->domid == self,
          "gnt_swap", "status %d", sw.status);
    gnttab_op(GNTTABOP_swap_grant_ref, &sw, 1); /* and back */
    sw.ref_b = 5000;
    gnttab_op(GNTTABOP_swap_grant_ref, &sw, 1);
    expect_st("gnt_swap_bad_ref", sw.status, GNTST_bad_gntref, "beyond the table");
    grant_handle_t h;
    grant_map(self, REF_RW, MAP_AT(3), false, &h, 0);
    sw.ref_b = REF_OTHER;
    gnttab_op(GNTTABOP_swap_grant_ref, &sw, 1);
    expect_st("gnt_swap_in_use", sw.status, GNTST_eagain, "one of them is mapped");
    grant_unmap(MAP_AT(3), 0, h);
}

static void cache_flush(domid_t self)
{
    static struct gnttab_cache_flush cf;
    cf = (struct gnttab_cache_flush){ 0 };
    long rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == 0, "gnt_cache_flush_probe", "%ld: Linux's all-zero probe", rc);
    grant_handle_t h;
    uint64_t bus = 0;
    grant_map(self, REF_RW, MAP_AT(4), false, &h, &bus);
    cf = (struct gnttab_cache_flush){ .offset = 64, .length = 128, .op = GNTTAB_CACHE_CLEAN };
    cf.a.dev_bus_addr = bus;
    rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == 0, "gnt_cache_flush_clean", "%ld", rc);
    cf.op = GNTTAB_CACHE_INVAL;
    rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == 0, "gnt_cache_flush_inval", "%ld", rc);
    cf.op = 4;
    rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == -XEN_EINVAL, "gnt_cache_flush_bad_op", "%ld", rc);
    cf.op = GNTTAB_CACHE_CLEAN;
    cf.offset = 4000;
    rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == -XEN_EINVAL, "gnt_cache_flush_past_page", "%ld", rc);
    cf.offset = 0;
    cf.a.dev_bus_addr = 0x1000;
    rc = gnttab_op(GNTTABOP_cache_flush, &cf, 1);
    check(rc == -XEN_EINVAL, "gnt_cache_flush_not_ram", "%ld", rc);
    grant_unmap(MAP_AT(4), 0, h);
}

void self_copy(domid_t self)
{
    copy_ok(self);
    copy_batch_pages();
    copy_errors(self);
    swap(self);
    cache_flush(self);
}
